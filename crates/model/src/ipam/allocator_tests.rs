use super::*;
use crate::error::ErrorKind;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn pool(subnet: &str, range: Option<&str>, gateway: &str, aux: &[&str]) -> PoolConfig {
    PoolConfig {
        subnet: subnet.parse().unwrap(),
        ip_range: range.map(|r| r.parse().unwrap()),
        gateway: ip(gateway),
        gateway_given: false,
        subnet_given: true,
        aux_addresses: aux
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("aux{i}"), ip(a)))
            .collect::<BTreeMap<_, _>>(),
    }
}

fn book(pools: &[PoolConfig]) -> AddressBook {
    AddressBook::from_pools("t1", "4f1c", pools)
}

fn next(b: &mut AddressBook, family: Family) -> String {
    b.allocate(family, None).unwrap().to_string()
}

#[test]
fn lowest_free_as_docker_hands_them_out() {
    // a, b, c get .2 .3 .4; rm a; the next one gets .2 again.
    let mut b = book(&[pool("172.18.0.0/16", None, "172.18.0.1", &[])]);
    assert_eq!(next(&mut b, Family::V4), "172.18.0.2/16");
    assert_eq!(next(&mut b, Family::V4), "172.18.0.3/16");
    assert_eq!(next(&mut b, Family::V4), "172.18.0.4/16");
    assert!(b.release(ip("172.18.0.2")));
    assert_eq!(next(&mut b, Family::V4), "172.18.0.2/16");
    assert_eq!(next(&mut b, Family::V4), "172.18.0.5/16");
    assert_eq!(b.held(Family::V4), 4);
    // network address, broadcast and gateway count as in use, as in Docker's IPsInUse.
    assert_eq!(b.in_use(Family::V4), 7);
}

#[test]
fn skips_gateway_and_aux_addresses() {
    let mut b = book(&[pool(
        "10.1.0.0/24",
        None,
        "10.1.0.2",
        &["10.1.0.1", "10.1.0.4"],
    )]);
    assert_eq!(next(&mut b, Family::V4), "10.1.0.3/24");
    assert_eq!(next(&mut b, Family::V4), "10.1.0.5/24");
    assert!(!b.release(ip("10.1.0.2")), "the gateway is never released");
    assert!(
        !b.release(ip("10.1.0.4")),
        "aux addresses are never released"
    );
    assert!(b.is_taken(ip("10.1.0.2")));
}

#[test]
fn ip_range_bounds_dynamic_picks_only() {
    let mut b = book(&[pool(
        "172.20.0.0/16",
        Some("172.20.10.0/24"),
        "172.20.10.11",
        &[],
    )]);
    // The range's own first address is usable: only the subnet's edges are reserved.
    assert_eq!(next(&mut b, Family::V4), "172.20.10.0/16");
    assert_eq!(next(&mut b, Family::V4), "172.20.10.1/16");
    // Outside the range but inside the subnet is fine for a preferred address.
    let got = b.allocate(Family::V4, Some(ip("172.20.99.9"))).unwrap();
    assert_eq!(got.to_string(), "172.20.99.9/16");
}

#[test]
fn range_exhaustion_is_docker_s_500() {
    let mut b = book(&[pool("10.9.0.0/29", None, "10.9.0.1", &[])]);
    for want in 2..=6 {
        assert_eq!(next(&mut b, Family::V4), format!("10.9.0.{want}/29"));
    }
    let err = b.allocate(Family::V4, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Internal);
    assert_eq!(
        err.message,
        "no available IPv4 addresses on this network's address pools: t1 (4f1c)"
    );
    // A preferred address outside the exhausted range still works... if free.
    assert_eq!(
        b.allocate(Family::V4, Some(ip("10.9.0.3")))
            .unwrap_err()
            .message,
        ADDRESS_IN_USE
    );
}

#[test]
fn preferred_address_errors() {
    let mut b = book(&[pool("10.9.0.0/24", None, "10.9.0.1", &[])]);
    for taken in ["10.9.0.1", "10.9.0.0", "10.9.0.255"] {
        let err = b.allocate(Family::V4, Some(ip(taken))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Forbidden, "{taken}");
        assert_eq!(err.message, "Address already in use");
    }
    b.allocate(Family::V4, Some(ip("10.9.0.7"))).unwrap();
    let again = b.allocate(Family::V4, Some(ip("10.9.0.7"))).unwrap_err();
    assert_eq!(again.kind, ErrorKind::Forbidden);
    let outside = b.allocate(Family::V4, Some(ip("10.9.1.9"))).unwrap_err();
    assert_eq!(outside.kind, ErrorKind::InvalidParameter);
    assert_eq!(
        outside.message,
        "invalid address 10.9.1.9: It does not belong to any of this network's subnets"
    );
    // The dynamic pick skips the static one.
    for want in 2..=6 {
        assert_eq!(next(&mut b, Family::V4), format!("10.9.0.{want}/24"));
    }
    assert_eq!(next(&mut b, Family::V4), "10.9.0.8/24");
}

#[test]
fn missing_family_is_an_internal_error() {
    let mut b = book(&[pool("10.9.0.0/24", None, "10.9.0.1", &[])]);
    let err = b.allocate(Family::V6, None).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Internal);
    assert_eq!(b.in_use(Family::V6), 0);
}

#[test]
fn point_to_point_subnets_have_no_reserved_edges() {
    let mut b = book(&[pool("10.0.0.0/31", None, "10.0.0.0", &[])]);
    assert_eq!(next(&mut b, Family::V4), "10.0.0.1/31");
    assert!(b.allocate(Family::V4, None).is_err());
    let mut b = book(&[pool("10.0.0.4/30", None, "10.0.0.5", &[])]);
    assert_eq!(next(&mut b, Family::V4), "10.0.0.6/30");
    assert!(b.allocate(Family::V4, None).is_err(), ".7 is the broadcast");
}

#[test]
fn ipv6_reserves_the_subnet_router_anycast_address() {
    let mut b = book(&[
        pool("172.18.0.0/16", None, "172.18.0.1", &[]),
        pool("fd00:1::/64", None, "fd00:1::1", &[]),
    ]);
    assert_eq!(next(&mut b, Family::V6), "fd00:1::2/64");
    assert_eq!(next(&mut b, Family::V4), "172.18.0.2/16");
    assert_eq!(
        b.allocate(Family::V6, Some(ip("fd00:1::")))
            .unwrap_err()
            .message,
        ADDRESS_IN_USE
    );
    let top = b.allocate(Family::V6, Some(ip("fd00:1::ffff:ffff:ffff:ffff")));
    assert!(top.is_ok(), "IPv6 has no broadcast address");
}

#[test]
fn reserve_rebuilds_from_stored_endpoints() {
    let mut b = book(&[pool("172.17.0.0/16", None, "172.17.0.1", &[])]);
    assert!(b.reserve(ip("172.17.0.3")));
    assert!(!b.reserve(ip("172.17.0.3")), "already held");
    assert!(!b.reserve(ip("172.17.0.1")), "the gateway");
    assert!(!b.reserve(ip("10.0.0.1")), "outside every subnet");
    assert_eq!(next(&mut b, Family::V4), "172.17.0.2/16");
    assert_eq!(next(&mut b, Family::V4), "172.17.0.4/16");
    assert!(b.release(ip("172.17.0.3")));
    assert!(!b.release(ip("172.17.0.3")), "released twice");
    assert!(!b.release(ip("10.0.0.1")));
}

#[test]
fn new_reads_the_network_record() {
    let net = crate::network::Network {
        id: "abc".into(),
        name: "bridge".into(),
        driver: crate::network::Driver::Bridge,
        created: None,
        scope: "local".into(),
        internal: false,
        attachable: false,
        ingress: false,
        config_only: false,
        config_from: String::new(),
        enable_ipv4: true,
        enable_ipv6: false,
        ipam_driver: "default".into(),
        ipam_options: BTreeMap::new(),
        pools: vec![PoolConfig::automatic("172.17.0.0/16".parse().unwrap()).unwrap()],
        options: BTreeMap::new(),
        labels: BTreeMap::new(),
        bridge: None,
        predefined: true,
    };
    let mut b = AddressBook::new(&net);
    assert_eq!(next(&mut b, Family::V4), "172.17.0.2/16");
}

/// Thousands of holders on a /16 and on an IPv6 /64: every allocation is a tree lookup, so
/// the last one costs about what the first did.
#[test]
fn stays_fast_with_many_holders() {
    let mut b = book(&[
        pool("172.18.0.0/16", None, "172.18.0.1", &[]),
        pool("fd00:1::/64", None, "fd00:1::1", &[]),
    ]);
    let start = Instant::now();
    for _ in 0..60_000 {
        b.allocate(Family::V4, None).unwrap();
        b.allocate(Family::V6, None).unwrap();
    }
    // Punch holes and refill them: still lowest-first.
    for i in (1000..2000u32).step_by(7) {
        let a = Ipv4Addr::from(u32::from(Ipv4Addr::new(172, 18, 0, 0)) + i);
        assert!(b.release(IpAddr::V4(a)));
    }
    assert_eq!(next(&mut b, Family::V4), "172.18.3.232/16"); // .0 + 1000
    assert_eq!(b.held(Family::V4), 60_000 - 143 + 1);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}

/// A reference model: the set of taken addresses as plain integers.
struct Model {
    lo: u32,
    hi: u32,
    range_lo: u32,
    range_hi: u32,
    reserved: BTreeSet<u32>,
    held: BTreeSet<u32>,
}

impl Model {
    fn taken(&self, a: u32) -> bool {
        self.reserved.contains(&a) || self.held.contains(&a)
    }
    fn lowest_free(&self) -> Option<u32> {
        (self.range_lo..=self.range_hi).find(|a| !self.taken(*a))
    }
}

proptest! {
    /// Against a brute-force model: a dynamic pick is always the lowest free address of the
    /// range, never reserved, never held twice; preferred addresses succeed exactly when they
    /// are in the subnet and free; releases never free the network's own addresses.
    #[test]
    fn matches_a_brute_force_model(
        prefix in 24u8..=30,
        range_cut in 0u8..=3,
        gw_off in 1u32..8,
        aux_off in proptest::collection::vec(0u32..64, 0..3),
        ops in proptest::collection::vec((0u8..4, 0u32..80), 1..150),
    ) {
        let subnet: IpNet = format!("10.7.0.0/{prefix}").parse().unwrap();
        let lo = u32::from(Ipv4Addr::new(10, 7, 0, 0));
        let size = 1u32 << (32 - prefix);
        let hi = lo + size - 1;
        let range_prefix = (prefix + range_cut).min(30);
        let range: IpNet = format!("10.7.0.0/{range_prefix}").parse().unwrap();
        let range_hi = lo + (1u32 << (32 - range_prefix)) - 1;
        let gw = lo + gw_off % size;
        let aux: Vec<u32> = aux_off.iter().map(|o| lo + o % size).collect();
        let cfg = PoolConfig {
            subnet,
            ip_range: Some(range),
            gateway: IpAddr::V4(gw.into()),
            gateway_given: true,
            subnet_given: true,
            aux_addresses: aux.iter().enumerate()
                .map(|(i, a)| (format!("a{i}"), IpAddr::V4((*a).into()))).collect(),
        };
        let mut b = book(&[cfg]);
        let mut m = Model {
            lo, hi, range_lo: lo, range_hi,
            reserved: [lo, hi, gw].into_iter().chain(aux.iter().copied()).collect(),
            held: BTreeSet::new(),
        };
        for (op, x) in ops {
            let candidate = lo.wrapping_add(x).wrapping_sub(8); // a bit outside, too
            let addr = IpAddr::V4(candidate.into());
            match op {
                0 | 1 => {
                    let got = b.allocate(Family::V4, None);
                    match m.lowest_free() {
                        Some(want) => {
                            let got = got.unwrap();
                            prop_assert_eq!(got.addr(), IpAddr::V4(want.into()));
                            prop_assert_eq!(got.prefix_len(), prefix);
                            prop_assert!(want >= m.range_lo && want <= m.range_hi);
                            m.held.insert(want);
                        }
                        None => prop_assert_eq!(got.unwrap_err().kind, ErrorKind::Internal),
                    }
                }
                2 => {
                    let got = b.allocate(Family::V4, Some(addr));
                    let inside = candidate >= m.lo && candidate <= m.hi;
                    match (inside, m.taken(candidate)) {
                        (false, _) => prop_assert_eq!(got.unwrap_err().kind, ErrorKind::InvalidParameter),
                        (true, true) => prop_assert_eq!(got.unwrap_err().kind, ErrorKind::Forbidden),
                        (true, false) => {
                            prop_assert_eq!(got.unwrap().addr(), addr);
                            m.held.insert(candidate);
                        }
                    }
                }
                _ => {
                    let released = b.release(addr);
                    prop_assert_eq!(released, m.held.remove(&candidate));
                }
            }
            prop_assert_eq!(b.held(Family::V4), m.held.len());
            prop_assert_eq!(b.in_use(Family::V4), m.held.union(&m.reserved).count());
        }
    }

    /// The same on IPv6, where only the first address of the subnet is reserved.
    #[test]
    fn ipv6_never_hands_out_reserved_or_held(ops in proptest::collection::vec(any::<bool>(), 1..300)) {
        let mut b = book(&[pool("fd00:9::/120", None, "fd00:9::1", &["fd00:9::5"])]);
        let mut held: Vec<IpAddr> = vec![];
        for alloc in ops {
            if alloc || held.is_empty() {
                match b.allocate(Family::V6, None) {
                    Ok(net) => {
                        let a = net.addr();
                        prop_assert!(![ip("fd00:9::"), ip("fd00:9::1"), ip("fd00:9::5")].contains(&a));
                        prop_assert!(!held.contains(&a));
                        held.push(a);
                    }
                    Err(e) => prop_assert_eq!(held.len(), 256 - 3, "{}", e),
                }
            } else {
                let a = held.remove(held.len() / 2);
                prop_assert!(b.release(a));
            }
        }
    }
}
