//! States for the firewall tests: networks and published ports as the engine would build them.
#![allow(dead_code)]

use berth_firewall::{FirewallState, NetworkRules, PortForward};
use berth_model::container::ports::Proto;

pub fn net(bridge: &str, v4: &str) -> NetworkRules {
    NetworkRules {
        bridge: bridge.into(),
        subnets4: vec![v4.parse().unwrap()],
        subnets6: vec![],
        internal: false,
        icc: true,
        masquerade: true,
    }
}

pub fn port(
    proto: Proto,
    host_port: u16,
    ip: &str,
    container_port: u16,
    bridge: &str,
) -> PortForward {
    PortForward {
        proto,
        host_ip: None,
        host_port,
        container_ip: ip.parse().unwrap(),
        container_port,
        bridge: bridge.into(),
    }
}

pub fn state(networks: Vec<NetworkRules>, ports: Vec<PortForward>) -> FirewallState {
    let mut s = FirewallState {
        networks,
        ports,
        links: vec![],
    };
    s.normalize();
    s
}
