//! Legacy links (`--link`) as the firewall sees them: on the default bridge, a link lets the
//! linking (parent) container open connections to the linked (child) container's exposed
//! ports, and nothing else. That only matters with inter-container communication off
//! (`--icc=false`), where it is the sole exception, as in Docker's link rules.

use berth_model::container::links::parse_link;
use berth_model::container::ports::Proto;
use berth_model::container::{Container, NetworkMode};
use std::net::Ipv4Addr;

/// The default bridge network's name, where legacy links live.
const DEFAULT_BRIDGE: &str = "bridge";

/// `parent` may reach `child` on `proto`/`port` (and `child`'s replies from that port come
/// back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkRule {
    pub parent: Ipv4Addr,
    pub child: Ipv4Addr,
    pub proto: Proto,
    pub port: u16,
}

/// The link rules of these running containers: for each legacy link whose two ends both run
/// with an IPv4 address on the default bridge, one rule per port the child exposes.
pub fn link_rules(running: &[&Container]) -> Vec<LinkRule> {
    let mut rules = Vec::new();
    for parent in running {
        if parent.request.host.network_mode != NetworkMode::Bridge {
            continue;
        }
        let Some(parent_ip) = default_bridge_ipv4(parent) else {
            continue;
        };
        for spec in &parent.request.host.links {
            let (name, _) = parse_link(spec);
            let Some(child) = find_running(running, &name) else {
                continue;
            };
            let Some(child_ip) = default_bridge_ipv4(child) else {
                continue;
            };
            rules.extend(child.config.exposed_ports.iter().map(|p| LinkRule {
                parent: parent_ip,
                child: child_ip,
                proto: p.proto,
                port: p.port,
            }));
        }
    }
    rules
}

fn default_bridge_ipv4(c: &Container) -> Option<Ipv4Addr> {
    c.endpoints()
        .find(|(a, _)| a.network_name == DEFAULT_BRIDGE)
        .and_then(|(_, e)| e.ipv4)
        .map(|n| n.addr())
}

/// A link names its child by name or by (a unique prefix of) its ID, as at create.
fn find_running<'a>(running: &[&'a Container], name: &str) -> Option<&'a Container> {
    if let Some(c) = running.iter().find(|c| c.name == name || c.id == name) {
        return Some(c);
    }
    let mut by_prefix = running.iter().filter(|c| c.id.starts_with(name));
    match (by_prefix.next(), by_prefix.next()) {
        (Some(c), None) if !name.is_empty() => Some(c),
        _ => None,
    }
}
