//! The engine's side of the firewall: the desired state is built from the store's networks
//! and the running containers, and the whole table is replaced on every change that touches
//! it (network create/rm, container start/exit, connect/disconnect, published ports), and in
//! full when the daemon starts.
//!
//! All or nothing: an nft transaction either applies whole or leaves the previous table in
//! place. A change that adds to the table (network create, start, connect) is applied before
//! it is acknowledged and undone when the apply fails, so the store never holds what the
//! kernel lacks; a change that removes (rm, exit, disconnect) cannot be refused, so a failed
//! apply marks the table stale and the watchdog re-applies it until it matches.

use crate::Engine;
use berth_firewall::{FirewallDriver, FirewallState};
use berth_model::container::Container;
use berth_model::ApiError;
use std::sync::atomic::Ordering;
use std::sync::Arc;

impl Engine {
    /// Plugs in the firewall: sets the host sysctls it relies on and applies the full table.
    /// Call after [`Engine::enable_containers`], so running containers' ports are in it.
    pub fn enable_firewall(&self, driver: Arc<dyn FirewallDriver>) -> Result<(), ApiError> {
        driver
            .prepare_host()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        if self.firewall.set(driver).is_err() {
            return Err(ApiError::internal("the firewall is already enabled"));
        }
        self.sync_firewall()
    }

    /// Re-renders the table from the store's current state and applies it. The ports code
    /// calls this after it changes a running container's `published`.
    pub fn sync_firewall(&self) -> Result<(), ApiError> {
        self.apply_firewall(None)
    }

    /// Applies the table as it would be with `c` in place of its stored record (a container
    /// about to start or to be connected), before that record is committed.
    pub(crate) fn apply_firewall_with(&self, c: &Container) -> Result<(), ApiError> {
        self.apply_firewall(Some(c))
    }

    /// After a change that removes from the table: a failure is logged and left to the
    /// watchdog, which retries until the kernel matches the store.
    pub(crate) fn sync_firewall_or_log(&self, why: &str) {
        if let Err(e) = self.sync_firewall() {
            tracing::error!(after = why, error = %e.message, "cannot update the firewall; retrying in the background");
        }
    }

    /// One watchdog round: re-applies the table if the last apply failed or if something
    /// deleted or flushed it. Returns whether it re-applied.
    pub fn check_firewall(&self) -> bool {
        let Some(driver) = self.firewall.get() else {
            return false;
        };
        let stale = self.firewall_stale.load(Ordering::SeqCst);
        let intact = match driver.intact() {
            Ok(intact) => intact,
            Err(e) => {
                tracing::warn!(error = %e, "cannot check the firewall table");
                return false;
            }
        };
        if intact && !stale {
            return false;
        }
        if !intact {
            tracing::warn!(
                "table inet berth was deleted or flushed behind berth's back; restoring it"
            );
        }
        match self.sync_firewall() {
            Ok(()) => {
                tracing::info!("firewall table restored");
                true
            }
            Err(e) => {
                tracing::error!(error = %e.message, "cannot restore the firewall table");
                false
            }
        }
    }

    fn apply_firewall(&self, over: Option<&Container>) -> Result<(), ApiError> {
        let Some(driver) = self.firewall.get() else {
            return Ok(());
        };
        // Serialised with the state read, so an older state never replaces a newer one.
        let _guard = self.firewall_lock.lock().unwrap_or_else(|p| p.into_inner());
        let state = self.firewall_state(over);
        match driver.apply(&state) {
            Ok(()) => {
                self.firewall_stale.store(false, Ordering::SeqCst);
                Ok(())
            }
            Err(e) => {
                self.firewall_stale.store(true, Ordering::SeqCst);
                Err(ApiError::internal(format!(
                    "cannot apply the firewall rules: {e}"
                )))
            }
        }
    }

    /// Every bridge network, and the running containers (with `over` replacing its record).
    pub(crate) fn firewall_state(&self, over: Option<&Container>) -> FirewallState {
        let networks = self.state.networks();
        let mut containers: Vec<Container> = match self.containers() {
            Ok(table) => table
                .lock_all()
                .values()
                .filter(|c| c.state.is_running() && over.is_none_or(|o| o.id != c.id))
                .cloned()
                .collect(),
            Err(_) => Vec::new(),
        };
        if let Some(c) = over {
            containers.push(c.clone());
        }
        FirewallState::from_model(networks.iter().map(|n| n.as_ref()), containers.iter())
    }
}
