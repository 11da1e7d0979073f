//! Small helpers on `ipnet` types that IPAM needs in several places.

use ipnet::IpNet;
use std::net::IpAddr;

/// The address family of a subnet or address, named as Docker names it in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of_net(net: &IpNet) -> Family {
        match net {
            IpNet::V4(_) => Family::V4,
            IpNet::V6(_) => Family::V6,
        }
    }
    pub fn of_addr(addr: &IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

/// Whether two networks share at least one address.
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    Family::of_net(a) == Family::of_net(b) && (a.contains(&b.network()) || b.contains(&a.network()))
}

/// The first usable host address of a subnet (network address + 1), Docker's default gateway.
pub fn first_host(subnet: &IpNet) -> Option<IpAddr> {
    match subnet {
        IpNet::V4(n) => {
            let base = u32::from(n.network());
            if n.prefix_len() >= 31 {
                return Some(IpAddr::V4(n.network()));
            }
            Some(IpAddr::V4(base.checked_add(1)?.into()))
        }
        IpNet::V6(n) => {
            let base = u128::from(n.network());
            if n.prefix_len() == 128 {
                return Some(IpAddr::V6(n.network()));
            }
            Some(IpAddr::V6(base.checked_add(1)?.into()))
        }
    }
}

/// Whether an address is the network or (IPv4) broadcast address of a subnet, neither of which
/// can be given to a gateway or an endpoint.
pub fn is_reserved_edge(subnet: &IpNet, addr: &IpAddr) -> bool {
    match (subnet, addr) {
        (IpNet::V4(n), IpAddr::V4(a)) if n.prefix_len() < 31 => {
            *a == n.network() || *a == n.broadcast()
        }
        (IpNet::V6(n), IpAddr::V6(a)) if n.prefix_len() < 127 => *a == n.network(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn overlap_is_symmetric_and_family_aware() {
        assert!(overlaps(&n("172.17.0.0/16"), &n("172.17.5.0/24")));
        assert!(overlaps(&n("172.17.5.0/24"), &n("172.17.0.0/16")));
        assert!(!overlaps(&n("172.17.0.0/16"), &n("172.18.0.0/16")));
        assert!(!overlaps(&n("10.0.0.0/8"), &n("fd00::/8")));
    }

    #[test]
    fn first_host_and_edges() {
        assert_eq!(
            first_host(&n("172.18.0.0/16")),
            Some("172.18.0.1".parse().unwrap())
        );
        assert_eq!(
            first_host(&n("fd00:1::/64")),
            Some("fd00:1::1".parse().unwrap())
        );
        assert!(is_reserved_edge(
            &n("10.0.0.0/24"),
            &"10.0.0.255".parse().unwrap()
        ));
        assert!(is_reserved_edge(
            &n("10.0.0.0/24"),
            &"10.0.0.0".parse().unwrap()
        ));
        assert!(!is_reserved_edge(
            &n("10.0.0.0/24"),
            &"10.0.0.1".parse().unwrap()
        ));
    }
}
