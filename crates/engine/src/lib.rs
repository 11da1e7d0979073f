//! The engine: the only layer that calls the store and the kernel. It validates through the
//! pure model, applies changes in an order that a crash at any point leaves repairable, and
//! reconciles the kernel with the store on start.

mod config;
pub mod containers;
mod endpoints;
pub mod events;
mod firewall;
mod lookup;
mod names;
mod networks;
mod predefined;
mod reaper;
mod reconcile;
mod snapshot;
mod ula;
pub mod volumes;

pub use config::EngineConfig;
pub use networks::{parse_until, ListedNetwork};

use berth_model::ipam::DefaultPools;
use berth_model::ApiError;
use berth_netsys::Kernel;
use berth_store::Store;
use snapshot::Snapshot;
use std::sync::{Arc, Mutex, OnceLock};

pub struct Engine {
    config: EngineConfig,
    store: Store,
    kernel: Arc<dyn Kernel>,
    /// Serialises every change, so checks (names, subnets) and the commit that depends on
    /// them can't interleave. Reads never take it.
    write: Mutex<()>,
    state: Snapshot,
    /// Where automatic IPv6 subnets come from: /64s of this daemon's own ULA /48.
    v6_pools: DefaultPools,
    reaper: reaper::Reaper,
    containers: OnceLock<containers::ContainerTable>,
    /// Addresses handed out on each network, rebuilt from container records at start.
    endpoints: endpoints::Registry,
    /// The embedded DNS server, once the daemon plugs it in.
    dns: OnceLock<Arc<berth_dns::DnsServer>>,
    /// The firewall (table `inet berth`), once the daemon plugs it in.
    firewall: OnceLock<Arc<dyn berth_firewall::FirewallDriver>>,
    /// Serialises reading the desired state with applying it.
    firewall_lock: Mutex<()>,
    /// Container records applied to the firewall ahead of their commit, by ID.
    firewall_overrides: Mutex<std::collections::HashMap<String, berth_model::container::Container>>,
    /// The last apply failed: the kernel may lag the store until the watchdog re-applies.
    firewall_stale: std::sync::atomic::AtomicBool,
    /// What `GET /events` streams: every committed change, published after its commit.
    events: events::EventBus,
    /// Serialises volume changes with the container creates and removals that refer to
    /// volumes, so a volume in use can't be removed between check and commit.
    volumes_lock: Mutex<()>,
}

impl Engine {
    /// Opens the engine on a store and a kernel: creates the predefined networks on first
    /// start and brings the kernel in line with the store.
    pub fn start(
        config: EngineConfig,
        store: Store,
        kernel: Arc<dyn Kernel>,
    ) -> Result<Engine, ApiError> {
        let networks = store.networks().map_err(internal)?;
        let v6_pools = ula::daemon_pool(&store)?;
        let engine = Engine {
            config,
            store,
            write: Mutex::new(()),
            state: Snapshot::new(networks),
            v6_pools,
            reaper: reaper::Reaper::new(kernel.clone()),
            containers: OnceLock::new(),
            endpoints: endpoints::Registry::default(),
            dns: OnceLock::new(),
            firewall: OnceLock::new(),
            firewall_lock: Mutex::new(()),
            firewall_overrides: Mutex::new(Default::default()),
            firewall_stale: std::sync::atomic::AtomicBool::new(false),
            events: events::EventBus::default(),
            volumes_lock: Mutex::new(()),
            kernel,
        };
        engine.ensure_predefined()?;
        engine.reconcile_kernel();
        Ok(engine)
    }

    /// Plugs in the image store and the runtime: loads the stored containers and adopts the
    /// ones that kept running while the daemon was down.
    pub fn enable_containers(
        self: &Arc<Self>,
        deps: containers::ContainerDeps,
    ) -> Result<(), ApiError> {
        let existing = self.store.containers().map_err(internal)?;
        if self
            .containers
            .set(containers::ContainerTable::new(deps, existing))
            .is_err()
        {
            return Err(ApiError::internal("containers are already enabled"));
        }
        self.restore_endpoints();
        self.recover_containers();
        self.sweep_endpoints();
        self.restore_names();
        Ok(())
    }

    /// Finishes background kernel work (queued bridge removals); call before exiting.
    pub fn shutdown(&self) {
        self.reaper.flush();
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic while holding the lock can't leave half-applied state behind (every step is
        // committed or rolled back before the next), so a poisoned lock is safe to reuse.
        self.write.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(e.to_string())
}

#[cfg(test)]
mod tests;
