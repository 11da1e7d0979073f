//! Bringing the kernel in line with the store on start: every bridge network's bridge exists
//! and matches its record; every bridge berth made for a network it no longer knows is
//! removed. Links berth did not make (no berth ifalias) are never touched.

use crate::Engine;
use berth_model::network::record::network_id_from_alias;
use berth_model::network::Network;
use berth_netsys::{BridgeSpec, STAGING_PREFIX};
use ipnet::IpNet;
use std::collections::HashSet;

impl Engine {
    pub(crate) fn reconcile_kernel(&self) {
        let networks = self.state.networks();
        for net in networks.iter() {
            if let Some(spec) = bridge_spec(net) {
                if let Err(e) = self.kernel.ensure_bridge(&spec) {
                    tracing::error!(network = %net.name, bridge = %spec.name, error = %e,
                        "cannot bring the network's bridge up");
                }
            }
        }
        let known: HashSet<&str> = networks.iter().map(|n| n.id.as_str()).collect();
        let links = match self.kernel.list_links() {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(error = %e, "cannot list links to remove stale bridges");
                return;
            }
        };
        for link in links {
            let owner = link.alias.as_deref().and_then(network_id_from_alias);
            let is_bridge = link.kind.as_deref() == Some("bridge");
            // A bridge still under its staging name was being created when a daemon died.
            let unfinished = is_bridge && link.name.starts_with(STAGING_PREFIX);
            if unfinished || owner.is_some_and(|id| is_bridge && !known.contains(id)) {
                {
                    tracing::info!(bridge = %link.name, network = ?owner, "removing a bridge berth no longer knows");
                    if let Err(e) = self.kernel.delete_link(&link.name) {
                        tracing::error!(bridge = %link.name, error = %e, "cannot remove a stale bridge");
                    }
                }
            }
        }
    }

    /// Routes on the host, which automatic subnets must avoid. A failure to read them is
    /// logged and treated as "no routes", as moby does.
    pub(crate) fn host_routes(&self) -> Vec<IpNet> {
        self.kernel.route_destinations().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read the host's routes");
            vec![]
        })
    }
}

/// What a network's bridge must look like; None for networks without an owned bridge.
pub(crate) fn bridge_spec(net: &Network) -> Option<BridgeSpec> {
    let b = net.bridge.as_ref()?;
    if b.adopted {
        return None;
    }
    Some(BridgeSpec {
        name: b.name.clone(),
        mtu: Some(b.mtu),
        addresses: net.pools.iter().map(|p| p.gateway_cidr()).collect(),
        alias: net.bridge_alias(),
    })
}
