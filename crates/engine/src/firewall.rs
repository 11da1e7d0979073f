//! The engine's side of the firewall: the desired state is built from the store's networks
//! and the running containers, and the whole table is replaced on every change that touches
//! it (network create/rm, container start/exit, connect/disconnect, published ports), and in
//! full when the daemon starts.
//!
//! Changes in flight: a container being started, connected or reaped is applied as it will be
//! before its record is committed, and other changes computed meanwhile (another container
//! starting at the same time) must see it so too, or they would take its ports out again.
//! [`Engine::apply_firewall_with`] therefore registers the record as an override until the
//! caller commits it (or gives up, which re-applies from the store).
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
use std::collections::HashMap;
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
        self.apply_firewall()
    }

    /// Applies the table as it would be with `c` in place of its stored record (a container
    /// about to start, be connected, or whose exit is being recorded), before that record is
    /// committed. Until the returned guard is marked committed or dropped, every other apply
    /// sees `c` too.
    pub(crate) fn apply_firewall_with(
        &self,
        c: &Container,
    ) -> Result<FirewallOverride<'_>, ApiError> {
        self.overrides().insert(c.id.clone(), c.clone());
        let guard = FirewallOverride {
            engine: self,
            id: c.id.clone(),
            committed: false,
        };
        match self.apply_firewall() {
            Ok(()) => Ok(guard),
            Err(e) => {
                // Nothing was committed: the override goes, and the table follows the store
                // again (now, or through the watchdog).
                drop(guard);
                Err(e)
            }
        }
    }

    fn overrides(&self) -> std::sync::MutexGuard<'_, HashMap<String, Container>> {
        self.firewall_overrides
            .lock()
            .unwrap_or_else(|p| p.into_inner())
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

    fn apply_firewall(&self) -> Result<(), ApiError> {
        let Some(driver) = self.firewall.get() else {
            return Ok(());
        };
        // Serialised with the state read, so an older state never replaces a newer one.
        let _guard = self.firewall_lock.lock().unwrap_or_else(|p| p.into_inner());
        let state = self.firewall_state();
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

    /// Every bridge network, and the running containers, records in flight replacing the
    /// stored ones.
    pub(crate) fn firewall_state(&self) -> FirewallState {
        let networks = self.state.networks();
        let overrides = self.overrides().clone();
        let mut containers: Vec<Container> = match self.containers() {
            Ok(table) => table
                .lock_all()
                .values()
                .filter(|c| c.state.is_running() && !overrides.contains_key(&c.id))
                .cloned()
                .collect(),
            Err(_) => Vec::new(),
        };
        containers.extend(overrides.into_values().filter(|c| c.state.is_running()));
        FirewallState::from_model(networks.iter().map(|n| n.as_ref()), containers.iter())
    }
}

/// A container record applied to the firewall ahead of its commit (see the module's doc).
#[must_use = "the override lasts as long as the guard"]
pub(crate) struct FirewallOverride<'a> {
    engine: &'a Engine,
    id: String,
    committed: bool,
}

impl FirewallOverride<'_> {
    /// The record is in the store now: the override can go without a new apply.
    pub(crate) fn committed(mut self) {
        self.committed = true;
    }
}

impl Drop for FirewallOverride<'_> {
    fn drop(&mut self) {
        self.engine.overrides().remove(&self.id);
        if !self.committed {
            self.engine
                .sync_firewall_or_log("a change that was not committed");
        }
    }
}
