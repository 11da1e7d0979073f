//! Containers: the state machine from create to remove, over the image store and the
//! runtime (through the traits in [`deps`]). Every change is committed to the store before it
//! is acknowledged; a container's operations are serialised by its own lock, and exits are
//! handled by a waiter thread per running container.

mod archive;
mod attach;
mod build_step;
mod create;
pub mod deps;
mod exec;
mod exits;
mod lifecycle;
mod links;
mod lookup;
mod paths;
mod ports;
mod prune;
mod query;
mod recover;
mod remove;
mod stats;
#[cfg(test)]
mod tests;

pub use archive::PathStat;
pub use attach::AttachWait;
pub use create::Created;
pub use exec::{ExecRecord, ExecRequest};
pub use lifecycle::parse_signal;
pub(crate) use lookup::find as find_container;
pub use paths::ContainerPaths;
pub use prune::ContainerPruneReport;
pub use query::{ListOptions, WaitCondition, WAIT_TIMED_OUT};
pub use stats::{NetCounters, StatsSample};

use berth_model::container::Container;
use deps::{Images, Runtime};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The container half of the engine, present once the daemon has plugged in an image store
/// and a runtime.
pub struct ContainerDeps {
    pub images: Arc<dyn Images>,
    pub runtime: Arc<dyn Runtime>,
    pub data_root: PathBuf,
    pub exec_root: PathBuf,
}

pub(crate) struct ContainerTable {
    pub(crate) deps: ContainerDeps,
    /// Every container, by ID. Guarded together with `changed`, which is notified on every
    /// state change so waits (`docker wait`, stop's grace period) can block on it.
    pub(crate) all: Mutex<HashMap<String, Container>>,
    pub(crate) changed: Condvar,
    /// One lock per container serialises start/stop/rm/rename of that container.
    op_locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Held while a signal is sent and announced, and while an exit is recorded and
    /// announced, so a `kill` event always comes before the `die` it causes.
    signal_locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Clients waiting to be attached when their container starts.
    pub(crate) pending_attach: Mutex<HashMap<String, Vec<attach::PendingAttach>>>,
    /// Exec instances (`POST /containers/{id}/exec`), kept in memory as dockerd does.
    pub(crate) execs: Mutex<HashMap<String, exec::ExecRecord>>,
    /// Host ports held by running containers.
    pub(crate) ports: ports::PortReservations,
    /// Exit codes of the last removed containers: a `wait?condition=removed` that wakes only
    /// after the removal (`run --rm`) still reports how the container ended.
    removed_exit_codes: Mutex<std::collections::VecDeque<(String, i64)>>,
}

impl ContainerTable {
    pub(crate) fn new(deps: ContainerDeps, existing: Vec<Container>) -> ContainerTable {
        ContainerTable {
            deps,
            ports: ports::PortReservations::from_records(&existing),
            all: Mutex::new(existing.into_iter().map(|c| (c.id.clone(), c)).collect()),
            changed: Condvar::new(),
            op_locks: Mutex::new(HashMap::new()),
            signal_locks: Mutex::new(HashMap::new()),
            pending_attach: Mutex::new(HashMap::new()),
            execs: Mutex::new(HashMap::new()),
            removed_exit_codes: Mutex::new(std::collections::VecDeque::new()),
        }
    }

    /// Remembers a removed container's exit code (the last 256 are kept).
    pub(crate) fn remember_removed(&self, id: &str, exit_code: i64) {
        let mut codes = self
            .removed_exit_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if codes.len() >= 256 {
            codes.pop_front();
        }
        codes.push_back((id.to_string(), exit_code));
    }

    pub(crate) fn removed_exit_code(&self, id: &str) -> Option<i64> {
        self.removed_exit_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .rev()
            .find(|(i, _)| i == id)
            .map(|(_, c)| *c)
    }

    pub(crate) fn lock_all(&self) -> MutexGuard<'_, HashMap<String, Container>> {
        self.all.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn op_lock(&self, id: &str) -> Arc<Mutex<()>> {
        self.op_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(id.to_string())
            .or_default()
            .clone()
    }

    pub(crate) fn forget_op_lock(&self, id: &str) {
        self.op_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        self.signal_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    pub(crate) fn signal_lock(&self, id: &str) -> Arc<Mutex<()>> {
        self.signal_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(id.to_string())
            .or_default()
            .clone()
    }

    pub(crate) fn get(&self, id: &str) -> Option<Container> {
        self.lock_all().get(id).cloned()
    }

    pub(crate) fn paths(&self, id: &str) -> ContainerPaths {
        ContainerPaths::new(&self.deps.data_root, &self.deps.exec_root, id)
    }
}

/// Holds a container's operation lock.
pub(crate) fn hold(lock: &Arc<Mutex<()>>) -> MutexGuard<'_, ()> {
    lock.lock().unwrap_or_else(|p| p.into_inner())
}
