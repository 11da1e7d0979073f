//! The addresses in use on one network, handed out as Docker's default IPAM does (moby
//! `daemon/libnetwork/ipams/defaultipam`, non-serial mode): the lowest free address of the
//! pool's ip-range (the whole subnet when there is none), never the reserved ones.
//!
//! Reserved in each subnet, as moby's `newPoolData` and `Network.ipamAllocateVersion` do: the
//! first address (IPv4 network address, except in a /31 or /32; IPv6 subnet-router anycast,
//! always), the IPv4 broadcast address (except in a /31 or /32), the gateway and the auxiliary
//! addresses. A preferred (static) address may be anywhere in the subnet, also outside the
//! ip-range, exactly like moby's `getAddress`, which only uses the range for dynamic picks.

use super::net::Family;
use super::runs::Runs;
use super::PoolConfig;
use crate::error::ApiError;
use crate::network::Network;
use ipnet::IpNet;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// moby `ipamapi.ErrIPAlreadyAllocated` (a Forbidden error: 403).
pub const ADDRESS_IN_USE: &str = "Address already in use";

#[derive(Debug, Clone)]
pub struct AddressBook {
    network_name: String,
    network_id: String,
    pools: Vec<PoolBook>,
}

#[derive(Debug, Clone)]
struct PoolBook {
    subnet: IpNet,
    /// Bounds (inclusive) of the addresses handed out dynamically: the ip-range, or the subnet.
    dynamic_lo: u128,
    dynamic_hi: u128,
    /// Every address that is not free: the reserved ones and those held by endpoints.
    taken: Runs,
    /// The addresses that belong to the network itself and can never be released.
    reserved: BTreeSet<u128>,
}

impl AddressBook {
    /// The book of a network with no endpoint yet; add the stored endpoints with
    /// [`AddressBook::reserve`].
    pub fn new(network: &Network) -> Self {
        Self::from_pools(&network.name, &network.id, &network.pools)
    }

    pub fn from_pools(network_name: &str, network_id: &str, pools: &[PoolConfig]) -> Self {
        AddressBook {
            network_name: network_name.to_string(),
            network_id: network_id.to_string(),
            pools: pools.iter().map(PoolBook::new).collect(),
        }
    }

    /// Takes an address for an endpoint: `preferred` if given (it must lie in a subnet of the
    /// network and be free), else the lowest free one. The result carries the subnet's prefix
    /// length, as it is put on the interface.
    pub fn allocate(
        &mut self,
        family: Family,
        preferred: Option<IpAddr>,
    ) -> Result<IpNet, ApiError> {
        if !self.pools.iter().any(|p| p.family() == family) {
            return Err(ApiError::internal(format!(
                "network {} ({}) has no {} address pool",
                self.network_name,
                self.network_id,
                family.name()
            )));
        }
        match preferred {
            Some(addr) => self.allocate_preferred(family, addr),
            None => self.allocate_any(family),
        }
    }

    fn allocate_preferred(&mut self, family: Family, addr: IpAddr) -> Result<IpNet, ApiError> {
        // moby `Endpoint.assignAddressVersion`: a preferred address outside every subnet of the
        // family is a bad request; one that is taken is ErrIPAlreadyAllocated.
        let pool = self
            .pools
            .iter_mut()
            .find(|p| p.family() == family && p.subnet.contains(&addr))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "invalid address {addr}: It does not belong to any of this network's subnets"
                ))
            })?;
        if !pool.taken.insert(key(addr)) {
            return Err(ApiError::forbidden(ADDRESS_IN_USE));
        }
        Ok(pool.with_prefix(addr))
    }

    fn allocate_any(&mut self, family: Family) -> Result<IpNet, ApiError> {
        for pool in self.pools.iter_mut().filter(|p| p.family() == family) {
            if let Some(k) = pool.taken.first_free(pool.dynamic_lo, pool.dynamic_hi) {
                pool.taken.insert(k);
                return Ok(pool.with_prefix(address(family, k)));
            }
        }
        // moby returns this as a plain error, hence a 500.
        Err(ApiError::internal(format!(
            "no available {} addresses on this network's address pools: {} ({})",
            family.name(),
            self.network_name,
            self.network_id
        )))
    }

    /// Marks an address as held (rebuilding the book from stored endpoints). False if it is
    /// outside every subnet or already held or reserved.
    pub fn reserve(&mut self, addr: IpAddr) -> bool {
        self.pool_of(addr)
            .is_some_and(|pool| pool.taken.insert(key(addr)))
    }

    /// Gives an endpoint's address back. False if it was not held by an endpoint (the
    /// network's own addresses, like the gateway, are never released).
    pub fn release(&mut self, addr: IpAddr) -> bool {
        self.pool_of(addr).is_some_and(|pool| {
            let k = key(addr);
            !pool.reserved.contains(&k) && pool.taken.remove(k)
        })
    }

    /// Whether an address is taken, by an endpoint or by the network itself.
    pub fn is_taken(&self, addr: IpAddr) -> bool {
        self.pools
            .iter()
            .find(|p| p.subnet.contains(&addr))
            .is_some_and(|p| p.taken.contains(key(addr)))
    }

    /// Addresses in use in the subnets of a family, counted as Docker's `IPsInUse` counts them:
    /// the network's own addresses (network, broadcast, gateway, aux) included.
    pub fn in_use(&self, family: Family) -> usize {
        self.family_pools(family)
            .map(|p| clamp_usize(p.taken.len()))
            .fold(0, usize::saturating_add)
    }

    /// Addresses held by endpoints in the subnets of a family.
    pub fn held(&self, family: Family) -> usize {
        self.family_pools(family)
            .map(|p| clamp_usize(p.taken.len() - p.reserved.len() as u128))
            .fold(0, usize::saturating_add)
    }

    fn family_pools(&self, family: Family) -> impl Iterator<Item = &PoolBook> {
        self.pools.iter().filter(move |p| p.family() == family)
    }

    fn pool_of(&mut self, addr: IpAddr) -> Option<&mut PoolBook> {
        self.pools.iter_mut().find(|p| p.subnet.contains(&addr))
    }
}

impl PoolBook {
    fn new(cfg: &PoolConfig) -> Self {
        let subnet = cfg.subnet.trunc();
        let (net_lo, net_hi) = bounds(&subnet);
        // The range was validated to lie in the subnet; clamp anyway so a bad record can never
        // make the book hand out an address outside the subnet.
        let range = cfg.ip_range.map(|r| r.trunc()).unwrap_or(subnet);
        let (range_lo, range_hi) = bounds(&range);
        let mut book = PoolBook {
            subnet,
            dynamic_lo: range_lo.max(net_lo),
            dynamic_hi: range_hi.min(net_hi),
            taken: Runs::default(),
            reserved: BTreeSet::new(),
        };
        let host_bits = subnet.max_prefix_len() - subnet.prefix_len();
        let is_v4 = book.family() == Family::V4;
        if !is_v4 || host_bits > 1 {
            book.reserve_own(net_lo);
        }
        if is_v4 && host_bits > 1 {
            book.reserve_own(net_hi);
        }
        for addr in std::iter::once(&cfg.gateway).chain(cfg.aux_addresses.values()) {
            if subnet.contains(addr) {
                book.reserve_own(key(*addr));
            }
        }
        book
    }

    fn reserve_own(&mut self, k: u128) {
        self.taken.insert(k);
        self.reserved.insert(k);
    }

    fn family(&self) -> Family {
        Family::of_net(&self.subnet)
    }

    fn with_prefix(&self, addr: IpAddr) -> IpNet {
        IpNet::new(addr, self.subnet.prefix_len()).unwrap_or(self.subnet)
    }
}

/// An address as an integer (IPv4 in the low 32 bits); each pool holds one family only.
fn key(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u32::from(a) as u128,
        IpAddr::V6(a) => u128::from(a),
    }
}

fn address(family: Family, k: u128) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(Ipv4Addr::from(k as u32)),
        Family::V6 => IpAddr::V6(Ipv6Addr::from(k)),
    }
}

fn bounds(net: &IpNet) -> (u128, u128) {
    (key(net.network()), key(net.broadcast()))
}

fn clamp_usize(n: u128) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
#[path = "allocator_tests.rs"]
mod tests;
