//! Plugging a container into its networks and out again. Addresses are allocated under the
//! engine's write lock (so `network rm` sees them); the kernel work runs outside it. Every
//! failure gives back what was taken, in reverse order.

use crate::lookup::find_network;
use crate::reaper::LinkKind;
use crate::Engine;
use berth_model::container::attachment::{endpoint_alias, host_ifname};
use berth_model::container::{Attachment, Container, EndpointState};
use berth_model::endpoint::gateway::{choose_gateways, GatewayCandidate};
use berth_model::endpoint::mac::{format_mac, mac_for, parse_mac};
use berth_model::endpoint::validate::validate_endpoint;
use berth_model::ids::generate_id;
use berth_model::network::Network;
use berth_model::ApiError;
use berth_netsys::{EndpointSpec, NetsysError};
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

impl Engine {
    /// Plugs every attachment of a starting container into its new netns. On error nothing
    /// is held any more (the caller deletes the netns, which takes the veths with it).
    pub(crate) fn plug_all(&self, c: &mut Container, netns: &Path) -> Result<(), ApiError> {
        c.state.next_ifindex = 0;
        for a in &mut c.networks {
            self.resolve_attachment(a)?;
        }
        let mut made: Vec<(Arc<Network>, EndpointState)> = Vec::new();
        for i in 0..c.networks.len() {
            let ifname = next_ifname(c);
            match self.new_endpoint(&c.id, &c.networks[i], ifname) {
                Ok(pair) => made.push(pair),
                Err(e) => {
                    for (net, ep) in &made {
                        self.endpoints.release(&net.id, ep);
                    }
                    return Err(e);
                }
            }
        }
        let candidates: Vec<_> = made
            .iter()
            .zip(c.networks.iter())
            .map(|((net, ep), a)| candidate(net, a, ep))
            .collect();
        let (gw4, gw6) = choose_gateways(&candidates);
        for (i, (net, ep)) in made.iter().enumerate() {
            let spec = endpoint_spec(net, ep, netns, gw4 == Some(i), gw6 == Some(i));
            if let Err(e) = self.add_endpoint_link(&spec) {
                for (net, ep) in &made {
                    self.endpoints.release(&net.id, ep);
                }
                return Err(plug_error(net, &c.name, e));
            }
        }
        for (a, (_, ep)) in c.networks.iter_mut().zip(made) {
            a.endpoint = Some(ep);
        }
        if !c.networks.is_empty() && !has_ipv6(c) {
            self.set_loopback_ipv6(c, netns, false);
        }
        Ok(())
    }

    fn set_loopback_ipv6(&self, c: &Container, netns: &Path, enabled: bool) {
        if let Err(e) = self.kernel.set_loopback_ipv6(netns, enabled) {
            tracing::warn!(container = %c.id, error = %e, "cannot set IPv6 on lo");
        }
    }

    /// Plugs attachment `index` into a running container (`network connect`); moves the
    /// default route to it if it now has the best claim.
    pub(crate) fn plug_one(
        &self,
        c: &mut Container,
        index: usize,
        netns: &Path,
    ) -> Result<(), ApiError> {
        self.resolve_attachment(&mut c.networks[index])?;
        let ifname = next_ifname(c);
        let had_ipv6 = has_ipv6(c);
        let (net, ep) = self.new_endpoint(&c.id, &c.networks[index], ifname)?;
        let (gw4, gw6) = self.gateways_with(c, Some((index, &ep)));
        let spec = endpoint_spec(&net, &ep, netns, gw4 == Some(index), gw6 == Some(index));
        if let Err(e) = self.add_endpoint_link(&spec) {
            self.endpoints.release(&net.id, &ep);
            return Err(plug_error(&net, &c.name, e));
        }
        c.networks[index].endpoint = Some(ep);
        if !had_ipv6 && has_ipv6(c) {
            self.set_loopback_ipv6(c, netns, true);
        }
        Ok(())
    }

    /// Unplugs attachment `index` of a running container (`network disconnect`): the address
    /// goes back at once, the default route moves if it went through this endpoint, and the
    /// veth is deleted in the background.
    pub(crate) fn unplug_one(&self, c: &mut Container, index: usize, netns: &Path) {
        let Some(ep) = c.networks[index].endpoint.take() else {
            return;
        };
        let (old4, old6) = self.gateways_with(c, Some((index, &ep)));
        self.endpoints.release(&c.networks[index].network_id, &ep);
        let (gw4, gw6) = self.gateways_with(c, None);
        if old4 == Some(index) || old6 == Some(index) {
            let route4 = gw4.and_then(|i| {
                let e = c.networks[i].endpoint.as_ref()?;
                Some((e.ifname.as_str(), e.gateway4?))
            });
            let route6 = gw6.and_then(|i| {
                let e = c.networks[i].endpoint.as_ref()?;
                Some((e.ifname.as_str(), e.gateway6?))
            });
            if let Err(e) = self.kernel.set_default_routes(netns, route4, route6) {
                tracing::warn!(container = %c.id, error = %e, "cannot move the default route");
            }
        }
        if ep.ipv6.is_some() && !has_ipv6(c) {
            self.set_loopback_ipv6(c, netns, false);
        }
        self.reaper
            .remove(ep.host_ifname.clone(), ep.host_alias(), LinkKind::Veth);
    }

    /// Gives back every endpoint of a container that stopped. Its veths go with its netns.
    pub(crate) fn unplug_all(&self, c: &mut Container) {
        for a in &mut c.networks {
            if let Some(ep) = a.endpoint.take() {
                self.endpoints.release(&a.network_id, &ep);
            }
        }
    }

    /// Finds an attachment's network as Docker does at start (by ID, else by name: a network
    /// re-created under the same name is found again) and checks the settings against it.
    fn resolve_attachment(&self, a: &mut Attachment) -> Result<(), ApiError> {
        let snapshot = self.state.networks();
        let net = snapshot
            .iter()
            .find(|n| !a.network_id.is_empty() && n.id == a.network_id)
            .or_else(|| snapshot.iter().find(|n| n.name == a.network_name))
            .ok_or_else(|| ApiError::not_found(format!("network {} not found", a.network_name)))?;
        validate_endpoint(net, &a.config)?;
        a.network_id = net.id.clone();
        a.network_name = net.name.clone();
        Ok(())
    }

    /// Allocates an endpoint on an attachment's network; nothing in the kernel yet.
    fn new_endpoint(
        &self,
        container_id: &str,
        a: &Attachment,
        ifname: String,
    ) -> Result<(Arc<Network>, EndpointState), ApiError> {
        let want4 = parse_ip(&a.config.ipv4_address);
        let want6 = parse_ip(&a.config.ipv6_address);
        let id = generate_id();
        // Under the write lock, so `network rm` can't pass between the lookup and the
        // allocation.
        let (net, addrs) = {
            let _guard = self.lock();
            let snapshot = self.state.networks();
            let net = find_network(&snapshot, &a.network_id).map_err(|_| {
                ApiError::not_found(format!("network {} not found", a.network_name))
            })?;
            let net = Arc::new(net.clone());
            let addrs = self
                .endpoints
                .allocate(&net, &id, container_id, want4, want6)?;
            (net, addrs)
        };
        let gateway4 = addrs.v4.and_then(|v4| {
            net.pools.iter().find_map(|p| match p.gateway {
                IpAddr::V4(g) if p.subnet.contains(&IpAddr::V4(v4.addr())) => Some(g),
                _ => None,
            })
        });
        let gateway6 = addrs.v6.and_then(|v6| {
            net.pools.iter().find_map(|p| match p.gateway {
                IpAddr::V6(g) if p.subnet.contains(&IpAddr::V6(v6.addr())) => Some(g),
                _ => None,
            })
        });
        let mac = match parse_mac(&a.config.mac_address) {
            Ok(m) if !a.config.mac_address.is_empty() => m,
            _ => mac_for(addrs.v4.map(|n| n.addr())),
        };
        let ep = EndpointState {
            host_ifname: host_ifname(&id),
            id,
            ifname,
            ipv4: addrs.v4,
            ipv6: addrs.v6,
            gateway4,
            gateway6,
            mac: format_mac(mac),
        };
        Ok((net, ep))
    }

    fn add_endpoint_link(&self, spec: &EndpointSpec) -> Result<(), NetsysError> {
        // A veth of a just-disconnected endpoint may still be queued under the same name.
        let made = self.kernel.add_endpoint(spec);
        if matches!(made, Err(NetsysError::NameInUse { .. }))
            && self.reaper.take_over(&spec.host_ifname)
        {
            return self.kernel.add_endpoint(spec);
        }
        made
    }

    /// The endpoints carrying the IPv4 and IPv6 default routes among a container's live
    /// endpoints, with `extra` standing in at its index (an endpoint being plugged or one
    /// just unplugged).
    pub(crate) fn gateways_with(
        &self,
        c: &Container,
        extra: Option<(usize, &EndpointState)>,
    ) -> (Option<usize>, Option<usize>) {
        let snapshot = self.state.networks();
        let mut candidates = Vec::new();
        let mut index_of = Vec::new();
        for (i, a) in c.networks.iter().enumerate() {
            let ep = match extra {
                Some((at, ep)) if at == i => Some(ep),
                _ => a.endpoint.as_ref(),
            };
            let net = snapshot.iter().find(|n| n.id == a.network_id);
            let (Some(net), Some(ep)) = (net, ep) else {
                continue;
            };
            candidates.push(candidate(net, a, ep));
            index_of.push(i);
        }
        let (g4, g6) = choose_gateways(&candidates);
        (g4.map(|k| index_of[k]), g6.map(|k| index_of[k]))
    }
}

fn has_ipv6(c: &Container) -> bool {
    c.endpoints().any(|(_, ep)| ep.ipv6.is_some())
}

fn next_ifname(c: &mut Container) -> String {
    let n = c.state.next_ifindex;
    c.state.next_ifindex += 1;
    format!("eth{n}")
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    if s.is_empty() {
        None
    } else {
        s.parse().ok()
    }
}

fn candidate<'a>(net: &'a Network, a: &Attachment, ep: &EndpointState) -> GatewayCandidate<'a> {
    GatewayCandidate {
        network_name: &net.name,
        internal: net.internal,
        has_v4_gateway: ep.gateway4.is_some(),
        has_v6_gateway: ep.gateway6.is_some(),
        gw_priority: a.config.gw_priority,
    }
}

fn endpoint_spec(
    net: &Network,
    ep: &EndpointState,
    netns: &Path,
    default_v4: bool,
    default_v6: bool,
) -> EndpointSpec {
    let bridge = net.bridge.as_ref();
    let mut addresses = Vec::new();
    if let Some(v4) = ep.ipv4 {
        addresses.push(ipnet::IpNet::V4(v4));
    }
    if let Some(v6) = ep.ipv6 {
        addresses.push(ipnet::IpNet::V6(v6));
    }
    EndpointSpec {
        host_ifname: ep.host_ifname.clone(),
        alias: endpoint_alias(&ep.id),
        bridge: bridge.map(|b| b.name.clone()).unwrap_or_default(),
        netns: netns.to_path_buf(),
        ifname: ep.ifname.clone(),
        mac: parse_mac(&ep.mac).unwrap_or_default(),
        mtu: bridge.map(|b| b.mtu).unwrap_or(1500),
        ipv6: ep.ipv6.is_some(),
        addresses,
        default_v4: if default_v4 && !net.internal {
            ep.gateway4
        } else {
            None
        },
        default_v6: if default_v6 && !net.internal {
            ep.gateway6
        } else {
            None
        },
    }
}

fn plug_error(net: &Network, container: &str, e: NetsysError) -> ApiError {
    ApiError::internal(format!(
        "failed to set up the endpoint of container {container} on network {}: {e}",
        net.name
    ))
}
