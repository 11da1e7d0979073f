//! Endpoints after a daemon restart (or kill -9): running containers hold their addresses
//! again before anything else can allocate; containers that are not running hold nothing and
//! keep no netns; veths that no running container owns are removed.

use crate::reaper::LinkKind;
use crate::Engine;
use berth_model::container::attachment::endpoint_id_from_alias;
use std::collections::HashSet;

impl Engine {
    /// Before adoption: the address books are rebuilt from the running containers' records.
    pub(crate) fn restore_endpoints(&self) {
        let Ok(table) = self.containers() else { return };
        let snapshot = self.state.networks();
        let mut stale = Vec::new();
        for c in table.lock_all().values() {
            if !c.state.is_running() {
                if c.endpoints().next().is_some() {
                    stale.push(c.id.clone());
                }
                continue;
            }
            for (a, ep) in c.endpoints() {
                let Some(net) = snapshot.iter().find(|n| n.id == a.network_id) else {
                    continue;
                };
                if !self.endpoints.restore(net, &c.id, ep) {
                    tracing::error!(container = %c.id, network = %net.name, endpoint = %ep.id,
                        "an address of this endpoint is held twice");
                }
            }
        }
        // A daemon that died while starting one of these recorded endpoints it never used.
        for id in stale {
            if let Some(mut c) = table.get(&id) {
                for a in &mut c.networks {
                    a.endpoint = None;
                }
                if let Err(e) = self.save_container(table, c) {
                    tracing::error!(container = %id, error = %e.message, "cannot clear stale endpoints");
                }
            }
        }
    }

    /// After adoption: removes what no running container owns.
    pub(crate) fn sweep_endpoints(&self) {
        let Ok(table) = self.containers() else { return };
        let mut live: HashSet<String> = HashSet::new();
        let mut idle_netns = Vec::new();
        for c in table.lock_all().values() {
            if c.state.is_running() {
                live.extend(c.endpoints().map(|(_, ep)| ep.id.clone()));
            } else if c.request.host.network_mode.owns_netns() {
                idle_netns.push(table.paths(&c.id).netns);
            }
        }
        for path in idle_netns {
            if path.exists() {
                if let Err(e) = self.kernel.delete_sandbox(&path) {
                    tracing::warn!(netns = %path.display(), error = %e, "cannot remove a stale netns");
                }
            }
        }
        let links = match self.kernel.list_links() {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(error = %e, "cannot list links to remove stale veths");
                return;
            }
        };
        for link in links {
            let Some(alias) = link.alias.as_deref() else {
                continue;
            };
            let Some(endpoint) = endpoint_id_from_alias(alias) else {
                continue;
            };
            if !live.contains(endpoint) {
                tracing::info!(veth = %link.name, endpoint, "removing a veth no container owns");
                self.reaper
                    .remove(link.name.clone(), alias.to_string(), LinkKind::Veth);
            }
        }
    }
}
