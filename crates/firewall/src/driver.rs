//! The seam the engine calls: [`FirewallDriver`], with [`NftFirewall`] (the kernel, through
//! `nft`) and [`RecordingFirewall`] (an in-memory fake for engine unit tests).

use crate::state::FirewallState;
use crate::FirewallError;
use std::sync::Mutex;

pub trait FirewallDriver: Send + Sync {
    /// Host settings the rules depend on (forwarding), once at start; per-bridge ones
    /// (`route_localnet`) are set as bridges appear, on apply.
    fn prepare_host(&self) -> Result<(), FirewallError>;
    /// Replaces the table with the one rendered from `state`, atomically.
    fn apply(&self, state: &FirewallState) -> Result<(), FirewallError>;
    /// Whether the table is still in place with its rules (the watchdog's cheap check).
    fn intact(&self) -> Result<bool, FirewallError>;
}

/// The real firewall: tables `inet berth` and `bridge berth` in the daemon's own network
/// namespace. It remembers the state it last installed, so a change is sent as element
/// updates ([`crate::delta`]) and a change that alters nothing is not sent at all; the whole
/// tables are replaced at the first apply, after anything went wrong, and when the watchdog
/// finds them deleted or flushed.
#[derive(Debug, Default)]
pub struct NftFirewall {
    installed: Mutex<Option<FirewallState>>,
}

impl NftFirewall {
    pub fn new() -> Self {
        Self::default()
    }

    fn installed(&self) -> std::sync::MutexGuard<'_, Option<FirewallState>> {
        self.installed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl FirewallDriver for NftFirewall {
    fn prepare_host(&self) -> Result<(), FirewallError> {
        crate::sysctl::enable_host_sysctls()
    }

    fn apply(&self, state: &FirewallState) -> Result<(), FirewallError> {
        if state.networks.iter().any(|n| !n.subnets6.is_empty()) {
            crate::sysctl::enable_ipv6_forwarding()?;
        }
        for net in &state.networks {
            if !net.internal {
                crate::sysctl::enable_route_localnet(&net.bridge)?;
            }
        }
        let mut installed = self.installed();
        if let Some(old) = installed.take() {
            let Some(delta) = crate::delta::render_delta(&old, state) else {
                *installed = Some(state.clone());
                return Ok(());
            };
            let doc =
                serde_json::from_value(delta).map_err(|e| FirewallError::Render(e.to_string()));
            match doc.and_then(|doc| crate::apply::apply(&doc)) {
                Ok(()) => {
                    *installed = Some(state.clone());
                    return Ok(());
                }
                // The tables are not what we left (changed behind our back): replace them.
                Err(e) => {
                    tracing::debug!(error = %e, "element update refused; replacing the tables")
                }
            }
        }
        let doc = crate::render::render(state).map_err(|e| FirewallError::Render(e.to_string()))?;
        crate::apply::apply(&doc)?;
        *installed = Some(state.clone());
        Ok(())
    }

    fn intact(&self) -> Result<bool, FirewallError> {
        let intact = crate::apply::table_intact()?;
        if !intact {
            // Whatever is left of them is no base for element updates.
            *self.installed() = None;
        }
        Ok(intact)
    }
}

/// Records every applied state; can be told to fail the next apply.
#[derive(Debug, Default)]
pub struct RecordingFirewall {
    inner: Mutex<Recorded>,
}

#[derive(Debug, Default)]
struct Recorded {
    applied: Vec<FirewallState>,
    fail_next: bool,
    prepared: bool,
    /// What a kernel would hold: the last state applied, or None once "deleted".
    installed: Option<FirewallState>,
}

impl RecordingFirewall {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recorded> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every state applied, oldest first.
    pub fn applied(&self) -> Vec<FirewallState> {
        self.lock().applied.clone()
    }

    /// The state the "kernel" holds now.
    pub fn installed(&self) -> Option<FirewallState> {
        self.lock().installed.clone()
    }

    pub fn fail_next_apply(&self) {
        self.lock().fail_next = true;
    }

    /// As if someone deleted the table behind berth's back.
    pub fn delete_table(&self) {
        self.lock().installed = None;
    }

    pub fn prepared(&self) -> bool {
        self.lock().prepared
    }
}

impl FirewallDriver for RecordingFirewall {
    fn prepare_host(&self) -> Result<(), FirewallError> {
        self.lock().prepared = true;
        Ok(())
    }

    fn apply(&self, state: &FirewallState) -> Result<(), FirewallError> {
        let mut r = self.lock();
        if std::mem::take(&mut r.fail_next) {
            return Err(FirewallError::Nft("injected failure".into()));
        }
        r.applied.push(state.clone());
        r.installed = Some(state.clone());
        Ok(())
    }

    fn intact(&self) -> Result<bool, FirewallError> {
        Ok(self.lock().installed.is_some())
    }
}
