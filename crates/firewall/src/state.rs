//! The desired state of berth's firewall: what the table must express, with no syscalls and
//! no nftables syntax. The engine builds it from the store (networks, running containers and
//! their published ports); the renderer turns it into the ruleset.

use crate::links::{link_rules, LinkRule};
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
    /// Legacy links' openings between two containers of the default bridge.
    pub links: Vec<LinkRule>,
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
    /// The state for these networks and containers: every bridge network, the published
    /// ports of the running containers whose target address is on a non-internal bridge
    /// network (Docker publishes nothing on an internal network), and their legacy links.
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
        let running: Vec<&Container> = containers
            .into_iter()
            .filter(|c| c.state.is_running())
            .collect();
        state.links = link_rules(&running);
        for c in &running {
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
        self.links.sort();
        self.links.dedup();
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

#[cfg(test)]
mod tests {
    use super::*;
    use berth_model::container::published::PublishedPort;
    use berth_model::container::{Attachment, EndpointState, Status};
    use berth_model::ipam::PoolConfig;
    use berth_model::network::{BridgeSettings, Driver};
    use std::collections::BTreeMap;

    fn network(id: &str, bridge: &str, subnet: &str, internal: bool) -> Network {
        let subnet: IpNet = subnet.parse().unwrap();
        let gateway = subnet.hosts().next().unwrap();
        Network {
            id: id.into(),
            name: id.into(),
            driver: Driver::Bridge,
            created: None,
            scope: "local".into(),
            internal,
            attachable: false,
            ingress: false,
            config_only: false,
            config_from: String::new(),
            enable_ipv4: true,
            enable_ipv6: false,
            ipam_driver: "default".into(),
            ipam_options: BTreeMap::new(),
            pools: vec![PoolConfig {
                subnet,
                ip_range: None,
                gateway,
                gateway_given: false,
                subnet_given: false,
                aux_addresses: BTreeMap::new(),
            }],
            options: BTreeMap::new(),
            labels: BTreeMap::new(),
            bridge: Some(BridgeSettings::from_options(&BTreeMap::new(), bridge.into()).unwrap()),
            predefined: false,
        }
    }

    fn container(id: &str, net: &str, ip: &str, running: bool, ports: &[(u16, &str)]) -> Container {
        let state = berth_model::container::ContainerState {
            status: if running {
                Status::Running
            } else {
                Status::Exited
            },
            ..Default::default()
        };
        Container {
            id: id.into(),
            name: id.into(),
            created: berth_model::time::now(),
            image: "busybox".into(),
            image_id: String::new(),
            request: Default::default(),
            config: Default::default(),
            hostname: id.into(),
            mounts: Vec::new(),
            state,
            networks: vec![Attachment {
                network_id: net.into(),
                network_name: net.into(),
                config: Default::default(),
                endpoint: Some(EndpointState {
                    id: "e".repeat(64),
                    ifname: "eth0".into(),
                    host_ifname: "veth0000000".into(),
                    ipv4: Some(format!("{ip}/16").parse().unwrap()),
                    ipv6: None,
                    gateway4: None,
                    gateway6: None,
                    mac: "02:42:ac:11:00:02".into(),
                }),
            }],
            published: ports
                .iter()
                .map(|(port, target)| PublishedPort {
                    proto: Proto::Tcp,
                    host_ip: Some("0.0.0.0".parse().unwrap()),
                    host_port: *port,
                    container_port: 80,
                    container_ip: target.parse().unwrap(),
                })
                .collect(),
        }
    }

    #[test]
    fn only_running_containers_publish_and_only_to_addresses_they_hold_off_internal_networks() {
        let nets = [
            network("n1", "br-one", "172.18.0.0/16", false),
            network("n2", "br-two", "172.19.0.0/16", true),
        ];
        let containers = [
            container("a", "n1", "172.18.0.2", true, &[(8080, "172.18.0.2")]),
            container("b", "n1", "172.18.0.3", false, &[(8081, "172.18.0.3")]),
            // An address it no longer holds (disconnected): nothing.
            container("c", "n1", "172.18.0.4", true, &[(8082, "172.18.0.9")]),
            // On an internal network: Docker publishes nothing.
            container("d", "n2", "172.19.0.2", true, &[(8083, "172.19.0.2")]),
        ];
        let s = FirewallState::from_model(nets.iter(), containers.iter());
        assert_eq!(s.ports.len(), 1, "{:?}", s.ports);
        let p = &s.ports[0];
        assert_eq!((p.host_port, p.bridge.as_str()), (8080, "br-one"));
        assert_eq!(p.host_ip, None, "0.0.0.0 means every address");
        let two = s.networks.iter().find(|n| n.bridge == "br-two").unwrap();
        assert!(
            two.internal && !two.masquerade,
            "internal is never masqueraded"
        );
    }
}
