//! Removing bridges off the request path. The kernel takes tens of milliseconds to tear a
//! bridge down (an RCU grace period), far more than the rest of `network rm`; the record is
//! already gone when the client hears back, so the bridge is deleted by a background thread.
//! Deletion is by (name, alias): it can never hit a newer bridge that reuses the name. If the
//! daemon dies first, the next start's reconcile removes the orphan.

use berth_netsys::Kernel;
use std::collections::HashMap;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex};

pub struct Reaper {
    tx: Mutex<Option<Sender<(String, String)>>>,
    pending: Arc<(Mutex<HashMap<String, String>>, Condvar)>,
    kernel: Arc<dyn Kernel>,
}

impl Reaper {
    pub fn new(kernel: Arc<dyn Kernel>) -> Reaper {
        let (tx, rx) = channel::<(String, String)>();
        let pending: Arc<(Mutex<HashMap<String, String>>, Condvar)> = Arc::default();
        let worker_pending = pending.clone();
        let worker_kernel = kernel.clone();
        let spawned = std::thread::Builder::new()
            .name("bridge-reaper".into())
            .spawn(move || {
                for (name, alias) in rx {
                    if let Err(e) = worker_kernel.delete_bridge(&name, &alias) {
                        tracing::error!(bridge = %name, error = %e, "cannot remove a bridge");
                    }
                    let (lock, done) = &*worker_pending;
                    let mut map = lock.lock().unwrap_or_else(|p| p.into_inner());
                    if map.get(&name) == Some(&alias) {
                        map.remove(&name);
                    }
                    done.notify_all();
                }
            });
        let tx = match spawned {
            Ok(_) => Some(tx),
            Err(e) => {
                tracing::warn!(error = %e, "no reaper thread; bridges are removed inline");
                None
            }
        };
        Reaper {
            tx: Mutex::new(tx),
            pending,
            kernel,
        }
    }

    /// Queues the removal of a bridge, or does it now when no worker is running.
    pub fn remove(&self, name: String, alias: String) {
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = tx.as_ref() {
            let (lock, _) = &*self.pending;
            lock.lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(name.clone(), alias.clone());
            if tx.send((name.clone(), alias.clone())).is_ok() {
                return;
            }
        }
        self.remove_now(&name, &alias);
    }

    /// If `name` waits for removal, removes it now (a create wants the name back).
    pub fn take_over(&self, name: &str) -> bool {
        let alias = {
            let (lock, _) = &*self.pending;
            lock.lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(name)
                .cloned()
        };
        match alias {
            Some(alias) => {
                self.remove_now(name, &alias);
                true
            }
            None => false,
        }
    }

    fn remove_now(&self, name: &str, alias: &str) {
        if let Err(e) = self.kernel.delete_bridge(name, alias) {
            tracing::error!(bridge = %name, error = %e, "cannot remove a bridge");
        }
    }

    /// Waits until every queued removal is done (clean shutdown, tests).
    pub fn flush(&self) {
        let (lock, done) = &*self.pending;
        let mut map = lock.lock().unwrap_or_else(|p| p.into_inner());
        while !map.is_empty() {
            map = done.wait(map).unwrap_or_else(|p| p.into_inner());
        }
    }
}
