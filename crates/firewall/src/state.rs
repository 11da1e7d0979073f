//! The desired state of berth's firewall: what the table must express, with no syscalls and
//! no nftables syntax. The engine builds it from the store (networks, running containers and
//! their published ports); the renderer turns it into the ruleset.

use berth_model::container::ports::Proto;
use berth_model::container::Container;
use berth_model::network::Network;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::IpAddr;

/// Everything the table `inet berth` is rendered from. Kept sorted, so that the same state
/// always renders to the same document (golden files, and no needless churn).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirewallState {
    pub networks: Vec<NetworkRules>,
    pub ports: Vec<PortForward>,
}

/// One bridge network as the firewall sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NetworkRules {
    /// The bridge device (`berth0`, `br-<12 hex>`).
    pub bridge: String,
    pub subnets4: Vec<Ipv4Net>,
    pub subnets6: Vec<Ipv6Net>,
    /// `--internal`: no traffic beyond the bridge, no masquerade, no published ports.
    pub internal: bool,
    /// `com.docker.network.bridge.enable_icc`.
    pub icc: bool,
    /// `com.docker.network.bridge.enable_ip_masquerade`.
    pub masquerade: bool,
}

/// One published port: traffic to `host_ip:host_port` (every local address when `host_ip` is
/// None) is sent to `container_ip:container_port` on `bridge`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortForward {
    pub proto: Proto,
    pub host_ip: Option<IpAddr>,
    pub host_port: u16,
    pub container_ip: IpAddr,
    pub container_port: u16,
    pub bridge: String,
}

impl FirewallState {
    /// The state for these networks and containers: every bridge network, and the published
    /// ports of the running containers whose target address is on a non-internal bridge
    /// network (Docker publishes nothing on an internal network).
    pub fn from_model<'a>(
        networks: impl IntoIterator<Item = &'a Network>,
        containers: impl IntoIterator<Item = &'a Container>,
    ) -> FirewallState {
        let mut state = FirewallState::default();
        for net in networks {
            if let Some(rules) = NetworkRules::from_network(net) {
                state.networks.push(rules);
            }
        }
        for c in containers {
            if !c.state.is_running() {
                continue;
            }
            for p in &c.published {
                // Only to an address the container holds now (a disconnect takes one away).
                let held = c.endpoints().any(|(_, e)| {
                    e.ipv4
                        .is_some_and(|a| IpAddr::V4(a.addr()) == p.container_ip)
                        || e.ipv6
                            .is_some_and(|a| IpAddr::V6(a.addr()) == p.container_ip)
                });
                let Some(net) = state.network_of(p.container_ip).filter(|_| held) else {
                    continue;
                };
                if net.internal {
                    continue;
                }
                state.ports.push(PortForward {
                    proto: p.proto,
                    host_ip: p.host_ip.filter(|ip| !ip.is_unspecified()),
                    host_port: p.host_port,
                    container_ip: p.container_ip,
                    container_port: p.container_port,
                    bridge: net.bridge.clone(),
                });
            }
        }
        state.normalize();
        state
    }

    /// Sorts and removes duplicates, so equal states render equal documents.
    pub fn normalize(&mut self) {
        self.networks.sort();
        self.networks.dedup();
        self.ports.sort();
        // Two bindings of one host address, protocol and port cannot both win; the port
        // allocator refuses the second, so this only guards the renderer (an nft map refuses a
        // document with a duplicate key).
        self.ports.dedup_by(|b, a| {
            a.proto == b.proto && a.host_ip == b.host_ip && a.host_port == b.host_port
        });
    }

    /// The network whose subnet holds `ip`.
    pub fn network_of(&self, ip: IpAddr) -> Option<&NetworkRules> {
        self.networks.iter().find(|n| match ip {
            IpAddr::V4(v4) => n.subnets4.iter().any(|s| s.contains(&v4)),
            IpAddr::V6(v6) => n.subnets6.iter().any(|s| s.contains(&v6)),
        })
    }
}

impl NetworkRules {
    /// None for networks without a bridge (`host`, `none`).
    pub fn from_network(net: &Network) -> Option<NetworkRules> {
        let bridge = net.bridge.as_ref()?;
        let mut subnets4 = Vec::new();
        let mut subnets6 = Vec::new();
        for subnet in net.subnets() {
            match subnet.trunc() {
                IpNet::V4(v4) => subnets4.push(v4),
                IpNet::V6(v6) => subnets6.push(v6),
            }
        }
        subnets4.sort();
        subnets6.sort();
        Some(NetworkRules {
            bridge: bridge.name.clone(),
            subnets4,
            subnets6,
            internal: net.internal,
            icc: bridge.enable_icc,
            masquerade: bridge.enable_ip_masquerade && !net.internal,
        })
    }
}
