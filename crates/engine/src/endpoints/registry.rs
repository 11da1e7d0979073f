//! The addresses in use on each network and which container holds each endpoint. Allocation
//! and `network rm`'s "has active endpoints" check both run under the engine's write lock,
//! so a network can't be removed between the check and an allocation on it.

use berth_model::container::EndpointState;
use berth_model::ipam::allocator::AddressBook;
use berth_model::ipam::Family;
use berth_model::network::Network;
use berth_model::ApiError;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};

#[derive(Default)]
pub(crate) struct Registry {
    nets: Mutex<HashMap<String, NetEndpoints>>,
}

struct NetEndpoints {
    book: AddressBook,
    /// Endpoint ID → container ID.
    holders: BTreeMap<String, String>,
}

/// The addresses one endpoint got.
#[derive(Debug, Clone, Default)]
pub(crate) struct Addresses {
    pub v4: Option<ipnet::Ipv4Net>,
    pub v6: Option<ipnet::Ipv6Net>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, NetEndpoints>> {
        self.nets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Hands out the endpoint's addresses (the requested ones, else the lowest free) and
    /// records the endpoint as holding them. All or nothing.
    pub(crate) fn allocate(
        &self,
        net: &Network,
        endpoint_id: &str,
        container_id: &str,
        want_v4: Option<IpAddr>,
        want_v6: Option<IpAddr>,
    ) -> Result<Addresses, ApiError> {
        let mut nets = self.lock();
        let entry = nets
            .entry(net.id.clone())
            .or_insert_with(|| NetEndpoints::new(net));
        let mut got = Addresses::default();
        if net.enable_ipv4 && has_family(net, Family::V4) {
            let a = entry.book.allocate(Family::V4, want_v4)?;
            got.v4 = match a {
                ipnet::IpNet::V4(n) => Some(n),
                ipnet::IpNet::V6(_) => None,
            };
        }
        if net.enable_ipv6 && has_family(net, Family::V6) {
            match entry.book.allocate(Family::V6, want_v6) {
                Ok(ipnet::IpNet::V6(n)) => got.v6 = Some(n),
                Ok(ipnet::IpNet::V4(_)) => {}
                Err(e) => {
                    if let Some(v4) = got.v4 {
                        entry.book.release(IpAddr::V4(v4.addr()));
                    }
                    return Err(e);
                }
            }
        }
        entry
            .holders
            .insert(endpoint_id.to_string(), container_id.to_string());
        Ok(got)
    }

    /// Gives the endpoint's addresses back.
    pub(crate) fn release(&self, network_id: &str, ep: &EndpointState) {
        let mut nets = self.lock();
        let Some(entry) = nets.get_mut(network_id) else {
            return;
        };
        // An endpoint released twice (an exit racing a disconnect) must not free addresses
        // that another endpoint holds by now.
        if entry.holders.remove(&ep.id).is_none() {
            return;
        }
        if let Some(v4) = ep.ipv4 {
            entry.book.release(IpAddr::V4(v4.addr()));
        }
        if let Some(v6) = ep.ipv6 {
            entry.book.release(IpAddr::V6(v6.addr()));
        }
    }

    /// Re-records an endpoint found in a stored record (daemon start). False if one of its
    /// addresses is already held by another endpoint.
    pub(crate) fn restore(&self, net: &Network, container_id: &str, ep: &EndpointState) -> bool {
        let mut nets = self.lock();
        let entry = nets
            .entry(net.id.clone())
            .or_insert_with(|| NetEndpoints::new(net));
        let mut ok = true;
        if let Some(v4) = ep.ipv4 {
            ok &= entry.book.reserve(IpAddr::V4(v4.addr()));
        }
        if let Some(v6) = ep.ipv6 {
            ok &= entry.book.reserve(IpAddr::V6(v6.addr()));
        }
        entry
            .holders
            .insert(ep.id.clone(), container_id.to_string());
        ok
    }

    /// The containers holding endpoints on a network.
    pub(crate) fn holders(&self, network_id: &str) -> Vec<String> {
        self.lock()
            .get(network_id)
            .map(|e| e.holders.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The endpoints on a network: (endpoint ID, container ID).
    pub(crate) fn endpoints_on(&self, network_id: &str) -> Vec<(String, String)> {
        self.lock()
            .get(network_id)
            .map(|e| {
                e.holders
                    .iter()
                    .map(|(ep, c)| (ep.clone(), c.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Forgets a removed network.
    pub(crate) fn drop_network(&self, network_id: &str) {
        self.lock().remove(network_id);
    }
}

impl NetEndpoints {
    fn new(net: &Network) -> NetEndpoints {
        NetEndpoints {
            book: AddressBook::new(net),
            holders: BTreeMap::new(),
        }
    }
}

fn has_family(net: &Network, family: Family) -> bool {
    net.pools
        .iter()
        .any(|p| Family::of_net(&p.subnet) == family)
}
