//! Removing bridges and veths off the request path. The kernel takes tens of milliseconds to
//! tear a link down (an RCU grace period), far more than the rest of `network rm` or
//! `network disconnect`; the record is already updated when the client hears back, so the link
//! is deleted by a background thread. Deletion is by (name, alias): it can never hit a newer
//! link that reuses the name. If the daemon dies first, the next start's reconcile removes the
//! orphan.

use berth_netsys::Kernel;
use std::collections::HashMap;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex};

/// What kind of link a queued removal is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Bridge,
    /// A container endpoint's veth pair, named by its host side.
    Veth,
}

type Job = (String, String, LinkKind);
/// Queued removals by link name (alias and kind), and a signal when one is done.
type Pending = Arc<(Mutex<HashMap<String, (String, LinkKind)>>, Condvar)>;

pub struct Reaper {
    tx: Mutex<Option<Sender<Job>>>,
    pending: Pending,
    kernel: Arc<dyn Kernel>,
}

impl Reaper {
    pub fn new(kernel: Arc<dyn Kernel>) -> Reaper {
        let (tx, rx) = channel::<Job>();
        let pending: Pending = Arc::default();
        let worker_pending = pending.clone();
        let worker_kernel = kernel.clone();
        let spawned = std::thread::Builder::new()
            .name("link-reaper".into())
            .spawn(move || {
                for (name, alias, kind) in rx {
                    delete(&*worker_kernel, &name, &alias, kind);
                    let (lock, done) = &*worker_pending;
                    let mut map = lock.lock().unwrap_or_else(|p| p.into_inner());
                    if map.get(&name) == Some(&(alias, kind)) {
                        map.remove(&name);
                    }
                    done.notify_all();
                }
            });
        let tx = match spawned {
            Ok(_) => Some(tx),
            Err(e) => {
                tracing::warn!(error = %e, "no reaper thread; links are removed inline");
                None
            }
        };
        Reaper {
            tx: Mutex::new(tx),
            pending,
            kernel,
        }
    }

    /// Queues the removal of a link, or does it now when no worker is running.
    pub fn remove(&self, name: String, alias: String, kind: LinkKind) {
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = tx.as_ref() {
            let (lock, _) = &*self.pending;
            lock.lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(name.clone(), (alias.clone(), kind));
            if tx.send((name.clone(), alias.clone(), kind)).is_ok() {
                return;
            }
        }
        delete(&*self.kernel, &name, &alias, kind);
    }

    /// If `name` waits for removal, removes it now (a create wants the name back).
    pub fn take_over(&self, name: &str) -> bool {
        let job = {
            let (lock, _) = &*self.pending;
            lock.lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(name)
                .cloned()
        };
        match job {
            Some((alias, kind)) => {
                delete(&*self.kernel, name, &alias, kind);
                true
            }
            None => false,
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

fn delete(kernel: &dyn Kernel, name: &str, alias: &str, kind: LinkKind) {
    let done = match kind {
        LinkKind::Bridge => kernel.delete_bridge(name, alias),
        LinkKind::Veth => kernel.remove_endpoint(name, alias),
    };
    if let Err(e) = done {
        tracing::error!(link = %name, error = %e, "cannot remove a link");
    }
}
