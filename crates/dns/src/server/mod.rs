//! The server: per container, a UDP loop and a TCP accept loop on the sockets opened in its
//! namespace, all answering from one table that [`DnsServer::publish`] swaps whole.

mod batch;
mod redirect;
pub(crate) mod sockets;
mod tcp;
mod udp;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use tokio::runtime::Handle;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

use crate::config::{ForwardConfig, Limits};
use crate::error::DnsError;
use crate::forward::Forwarder;
use crate::respond::Policy;
use crate::table::NameTable;
use sockets::Sockets;

/// The embedded DNS server of every container the daemon runs.
pub struct DnsServer {
    runtime: Handle,
    shared: Arc<Shared>,
    serving: Mutex<HashMap<String, Serving>>,
}

/// What every loop reads: the current table and the forwarder.
pub(crate) struct Shared {
    table: RwLock<Arc<NameTable>>,
    forwarder: Forwarder,
    limits: Limits,
}

impl Shared {
    /// The table in force now; a loop takes it once per batch or query.
    pub(crate) fn table(&self) -> Arc<NameTable> {
        self.table.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// One served container, as its loops see it.
pub(crate) struct Served {
    id: String,
    forward: RwLock<Arc<Forwarding>>,
    in_flight: Arc<Semaphore>,
    tcp_connections: Arc<Semaphore>,
    stopped: watch::Receiver<bool>,
}

/// A container's forwarding settings, replaced whole by [`DnsServer::update_forward`].
pub(crate) struct Forwarding {
    pub(crate) policy: Policy,
    pub(crate) upstreams: Vec<SocketAddr>,
}

impl Forwarding {
    fn new(config: &ForwardConfig) -> Arc<Forwarding> {
        Arc::new(Forwarding {
            policy: Policy::new(config),
            upstreams: config.upstreams().to_vec(),
        })
    }
}

/// A container's and the server's in-flight slots, held while a query is being forwarded.
pub(crate) struct ForwardSlots {
    _container: OwnedSemaphorePermit,
    _total: OwnedSemaphorePermit,
}

impl Served {
    /// The forwarding settings in force now.
    pub(crate) fn forwarding(&self) -> Arc<Forwarding> {
        self.forward
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Slots for one more forwarded query, or `None` past either bound (answer REFUSED).
    pub(crate) fn take_slots(&self, shared: &Shared) -> Option<ForwardSlots> {
        let container = self.in_flight.clone().try_acquire_owned().ok()?;
        let total = shared.forwarder.try_slot()?;
        Some(ForwardSlots {
            _container: container,
            _total: total,
        })
    }

    /// Resolves when the container's serving is stopped (or the server dropped).
    pub(crate) async fn wait_stopped(&self) {
        let mut stopped = self.stopped.clone();
        let _ = stopped.wait_for(|s| *s).await;
    }
}

struct Serving {
    served: Arc<Served>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Serving {
    /// Signals every task of the container (connections, forwards) and aborts its loops, which
    /// own the sockets: they close as soon as the runtime drops the loops, microseconds later.
    fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            task.abort();
        }
    }
}

impl DnsServer {
    pub fn new(runtime: Handle) -> DnsServer {
        DnsServer::with_limits(runtime, Limits::default())
    }

    /// A server with other bounds than Docker's (tests use short timeouts).
    pub fn with_limits(runtime: Handle, limits: Limits) -> DnsServer {
        DnsServer {
            runtime,
            shared: Arc::new(Shared {
                table: RwLock::new(Arc::new(NameTable::default())),
                forwarder: Forwarder::new(&limits),
                limits,
            }),
            serving: Mutex::new(HashMap::new()),
        }
    }

    /// Swaps in a new table atomically; every container's answers follow at once (the next
    /// datagram batch or TCP query reads it).
    pub fn publish(&self, table: NameTable) {
        *self.shared.table.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(table);
    }

    /// Starts answering for container `id` on sockets opened inside its netns (see
    /// [`crate::open_sockets`]). Replaces a previous serve of the same id.
    pub fn serve(
        &self,
        id: &str,
        sockets: Sockets,
        forward: ForwardConfig,
    ) -> Result<(), DnsError> {
        let serve_error = |source| DnsError::Serve {
            id: id.to_string(),
            source,
        };
        let (udp, tcp) = {
            let _in_runtime = self.runtime.enter();
            sockets.udp.set_nonblocking(true).map_err(serve_error)?;
            sockets.tcp.set_nonblocking(true).map_err(serve_error)?;
            (
                tokio::net::UdpSocket::from_std(sockets.udp).map_err(serve_error)?,
                tokio::net::TcpListener::from_std(sockets.tcp).map_err(serve_error)?,
            )
        };
        let (stop, stopped) = watch::channel(false);
        let limits = &self.shared.limits;
        let served = Arc::new(Served {
            id: id.to_string(),
            forward: RwLock::new(Forwarding::new(&forward)),
            in_flight: Arc::new(Semaphore::new(limits.forward_in_flight)),
            tcp_connections: Arc::new(Semaphore::new(limits.tcp_connections)),
            stopped,
        });
        let tasks = vec![
            self.runtime
                .spawn(udp::serve(udp, served.clone(), self.shared.clone())),
            self.runtime
                .spawn(tcp::serve(tcp, served.clone(), self.shared.clone())),
        ];
        let previous = self.lock_serving().insert(
            id.to_string(),
            Serving {
                served,
                stop,
                tasks,
            },
        );
        if let Some(previous) = previous {
            previous.shutdown();
        }
        Ok(())
    }

    /// Changes how container `id` forwards (new `--dns` servers, a network connect that ends
    /// its all-internal state) without touching its sockets; false when `id` is not served.
    pub fn update_forward(&self, id: &str, forward: ForwardConfig) -> bool {
        let serving = self.lock_serving();
        let Some(serving) = serving.get(id) else {
            return false;
        };
        *serving
            .served
            .forward
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Forwarding::new(&forward);
        true
    }

    /// Stops answering for `id` and closes its sockets. Returns at once; the sockets close as
    /// soon as the runtime drops the aborted loops (microseconds), so a caller re-opening
    /// 127.0.0.11:53 in the same namespace right away should use [`crate::open_sockets`],
    /// which waits briefly for the address to be free.
    pub fn stop(&self, id: &str) {
        let serving = self.lock_serving().remove(id);
        if let Some(serving) = serving {
            serving.shutdown();
        }
    }

    /// The ids being served, sorted.
    pub fn serving(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.lock_serving().keys().cloned().collect();
        ids.sort();
        ids
    }

    fn lock_serving(&self) -> std::sync::MutexGuard<'_, HashMap<String, Serving>> {
        self.serving.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        for (_, serving) in self.lock_serving().drain() {
            serving.shutdown();
        }
    }
}
