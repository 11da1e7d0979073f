//! The name table: who is on which network under which names, built in one go by the engine
//! and swapped in whole (see `DnsServer::publish`), so a lookup never sees half an update.
//! Pure data; the lookup rules are in `lookup.rs`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::wire::name::encode_text;

/// Collects networks, endpoints and links, then [`TableBuilder::build`]s an immutable
/// [`NameTable`]. Calls may come in any order; endpoints and links on networks never declared
/// with [`TableBuilder::network`] (the default bridge, say) are ignored, as Docker has no DNS
/// there. A repeated declaration replaces the earlier one.
#[derive(Debug, Default, Clone)]
pub struct TableBuilder {
    networks: Vec<NetworkDecl>,
    endpoints: Vec<EndpointDecl>,
    links: Vec<LinkDecl>,
}

#[derive(Debug, Clone)]
struct NetworkDecl {
    id: String,
    name: String,
    internal: bool,
}

#[derive(Debug, Clone)]
struct EndpointDecl {
    container_id: String,
    network_id: String,
    names: Vec<String>,
    ipv4: Option<Ipv4Addr>,
    ipv6: Option<Ipv6Addr>,
}

#[derive(Debug, Clone)]
struct LinkDecl {
    container_id: String,
    network_id: String,
    alias: String,
    target_container_id: String,
}

impl TableBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A user-defined network on which containers resolve each other by name.
    pub fn network(&mut self, network_id: &str, network_name: &str, internal: bool) {
        self.networks.retain(|n| n.id != network_id);
        self.networks.push(NetworkDecl {
            id: network_id.to_string(),
            name: network_name.to_string(),
            internal,
        });
    }

    /// One endpoint on `network_id`: `names` in Docker's DNSNames order (container name, aliases,
    /// 12-hex short id, hostname; the first is the PTR answer), and its addresses.
    pub fn endpoint(
        &mut self,
        container_id: &str,
        network_id: &str,
        names: &[String],
        ipv4: Option<Ipv4Addr>,
        ipv6: Option<Ipv6Addr>,
    ) {
        self.endpoints
            .retain(|e| !(e.container_id == container_id && e.network_id == network_id));
        self.endpoints.push(EndpointDecl {
            container_id: container_id.to_string(),
            network_id: network_id.to_string(),
            names: names.to_vec(),
            ipv4,
            ipv6,
        });
    }

    /// An endpoint-local alias (`--link target:alias` on a user-defined network): only for the
    /// asker `container_id`, on `network_id`, `alias` resolves to `target_container_id`'s
    /// addresses there. Ignored when either container has no endpoint on that network.
    pub fn link(
        &mut self,
        container_id: &str,
        network_id: &str,
        alias: &str,
        target_container_id: &str,
    ) {
        self.links.push(LinkDecl {
            container_id: container_id.to_string(),
            network_id: network_id.to_string(),
            alias: alias.to_string(),
            target_container_id: target_container_id.to_string(),
        });
    }

    pub fn build(self) -> NameTable {
        let mut table = NameTable::default();
        let mut net_index = HashMap::new();
        for decl in self.networks {
            net_index.insert(decl.id.clone(), table.networks.len());
            table.networks.push(Network {
                name: normalize(&decl.name).into(),
                display_name: decl.name,
                internal: decl.internal,
                names: HashMap::new(),
                ptr: HashMap::new(),
            });
        }
        // (container, network) -> addresses, for links.
        let mut addresses: HashMap<(&str, usize), Records> = HashMap::new();
        for ep in &self.endpoints {
            let Some(&net) = net_index.get(&ep.network_id) else {
                continue;
            };
            let network = &mut table.networks[net];
            let mut seen: Vec<String> = Vec::with_capacity(ep.names.len());
            for name in ep.names.iter().map(|n| normalize(n)) {
                if name.is_empty() || seen.contains(&name) {
                    continue;
                }
                let records = network.names.entry(name.as_bytes().into()).or_default();
                records.add(ep.ipv4, ep.ipv6);
                seen.push(name);
            }
            if let Some(first) = ep.names.first() {
                let target = format!("{}.{}.", first.trim_end_matches('.'), network.display_name);
                if let Some(wire) = encode_text(&target) {
                    let wire: Box<[u8]> = wire.into();
                    for ip in [ep.ipv4.map(IpAddr::V4), ep.ipv6.map(IpAddr::V6)]
                        .into_iter()
                        .flatten()
                    {
                        // Several endpoints claiming one address: the first keeps it (moby).
                        network.ptr.entry(ip).or_insert_with(|| wire.clone());
                    }
                }
            }
            let asker = table.askers.entry(ep.container_id.clone()).or_default();
            if !asker.networks.contains(&net) {
                asker.networks.push(net);
            }
            addresses
                .entry((ep.container_id.as_str(), net))
                .or_default()
                .add(ep.ipv4, ep.ipv6);
        }
        for link in &self.links {
            let Some(&net) = net_index.get(&link.network_id) else {
                continue;
            };
            let Some(target) = addresses.get(&(link.target_container_id.as_str(), net)) else {
                continue;
            };
            let alias = normalize(&link.alias);
            let Some(asker) = table.askers.get_mut(&link.container_id) else {
                continue;
            };
            if alias.is_empty() || !asker.networks.contains(&net) {
                continue;
            }
            asker
                .links
                .retain(|l| !(l.network == net && *l.alias == *alias.as_bytes()));
            asker.links.push(Link {
                network: net,
                alias: alias.as_bytes().into(),
                records: target.clone(),
            });
        }
        for asker in table.askers.values_mut() {
            asker.all_internal = asker.networks.iter().all(|&n| table.networks[n].internal);
        }
        table
    }
}

/// Lowercase, without a trailing dot: the form names are compared in.
fn normalize(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// The immutable table every server looks names up in. Send + Sync; share it as an `Arc`.
#[derive(Debug, Default)]
pub struct NameTable {
    pub(crate) networks: Vec<Network>,
    pub(crate) askers: HashMap<String, Asker>,
}

#[derive(Debug)]
pub(crate) struct Network {
    /// Lowercase, for `name.network` lookups.
    pub(crate) name: Box<str>,
    /// As the user wrote it, for PTR answers.
    display_name: String,
    internal: bool,
    pub(crate) names: HashMap<Box<[u8]>, Records>,
    /// Address -> wire-encoded `<first name>.<network>.`.
    pub(crate) ptr: HashMap<IpAddr, Box<[u8]>>,
}

/// The addresses one name has on one network, without duplicates, in the order the endpoints
/// were added.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Records {
    pub(crate) v4: Vec<Ipv4Addr>,
    pub(crate) v6: Vec<Ipv6Addr>,
}

impl Records {
    fn add(&mut self, v4: Option<Ipv4Addr>, v6: Option<Ipv6Addr>) {
        if let Some(ip) = v4.filter(|ip| !self.v4.contains(ip)) {
            self.v4.push(ip);
        }
        if let Some(ip) = v6.filter(|ip| !self.v6.contains(ip)) {
            self.v6.push(ip);
        }
    }
}

/// What one container may see: its networks in the order its endpoints were added (the first
/// network that knows a name answers for it, as in moby), and its link aliases.
#[derive(Debug, Default)]
pub(crate) struct Asker {
    pub(crate) networks: Vec<usize>,
    pub(crate) links: Vec<Link>,
    /// Every network of the container is `--internal`: never forward, whatever the caller says.
    pub(crate) all_internal: bool,
}

#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) network: usize,
    pub(crate) alias: Box<[u8]>,
    pub(crate) records: Records,
}

impl NameTable {
    /// The view of container `id`, if it has an endpoint on a DNS-enabled network.
    pub(crate) fn asker(&self, id: &str) -> Option<&Asker> {
        self.askers.get(id)
    }

    /// Number of DNS-enabled networks.
    pub fn network_count(&self) -> usize {
        self.networks.len()
    }

    /// Number of containers with at least one endpoint on a DNS-enabled network.
    pub fn container_count(&self) -> usize {
        self.askers.len()
    }
}
