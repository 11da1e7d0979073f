//! Kernel tests of `Netlink::route_destinations`, each in a private network namespace.

use berth_netsys::testing::with_private_netlink;
use berth_netsys::{BridgeSpec, Kernel};
use ipnet::IpNet;

fn ip(s: &str) -> std::net::IpAddr {
    s.parse().unwrap()
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

#[test]
fn a_fresh_namespace_has_no_route_destinations() {
    with_private_netlink(|nl| {
        assert_eq!(nl.route_destinations().unwrap(), Vec::<IpNet>::new());
        // Bringing lo up adds ::1/128 to the main table: loopback is noise too.
        nl.set_up(1).unwrap();
        assert_eq!(nl.route_destinations().unwrap(), Vec::<IpNet>::new());
    });
}

#[test]
fn connected_routes_are_seen() {
    with_private_netlink(|nl| {
        nl.create_veth_pair("up0", "up0-peer").unwrap();
        let link = nl.link("up0").unwrap().unwrap();
        nl.add_address(link.index, &net("10.99.0.1/24")).unwrap();
        nl.add_address(link.index, &net("fd00:99::1/64")).unwrap();
        nl.set_up(link.index).unwrap();
        // The kernel adds the connected routes 10.99.0.0/24 and fd00:99::/64 (and fe80::/64,
        // which is noise).
        assert_eq!(
            nl.route_destinations().unwrap(),
            vec![net("10.99.0.0/24"), net("fd00:99::/64")]
        );
    });
}

#[test]
fn a_bridge_subnet_shows_up_as_a_route() {
    with_private_netlink(|nl| {
        nl.ensure_bridge(&BridgeSpec {
            name: "br-r".into(),
            mtu: None,
            addresses: vec![net("172.18.0.1/16")],
            alias: "a".into(),
        })
        .unwrap();
        assert_eq!(nl.route_destinations().unwrap(), vec![net("172.18.0.0/16")]);
    });
}

#[test]
fn default_routes_are_excluded() {
    with_private_netlink(|nl| {
        // A default route needs a gateway on a connected subnet; a bridge gives us one.
        nl.ensure_bridge(&BridgeSpec {
            name: "br-gw".into(),
            mtu: None,
            addresses: vec![net("10.99.0.1/24"), net("fd00:99::1/64")],
            alias: "a".into(),
        })
        .unwrap();
        let index = nl.link("br-gw").unwrap().unwrap().index;
        nl.add_route(index, &net("0.0.0.0/0"), Some(ip("10.99.0.254")))
            .unwrap();
        nl.add_route(index, &net("::/0"), Some(ip("fd00:99::fe")))
            .unwrap();
        nl.add_route(index, &net("192.168.77.0/24"), Some(ip("10.99.0.254")))
            .unwrap();
        assert_eq!(
            nl.route_destinations().unwrap(),
            vec![
                net("10.99.0.0/24"),
                net("192.168.77.0/24"),
                net("fd00:99::/64")
            ]
        );
    });
}

#[test]
fn routes_added_and_removed_after_the_first_read_are_seen() {
    with_private_netlink(|nl| {
        // The first read dumps; later reads follow the kernel's notifications.
        assert_eq!(nl.route_destinations().unwrap(), Vec::<IpNet>::new());
        nl.create_veth_pair("up1", "up1-peer").unwrap();
        let link = nl.link("up1").unwrap().unwrap();
        nl.add_address(link.index, &net("10.77.0.1/24")).unwrap();
        nl.set_up(link.index).unwrap();
        nl.add_route(link.index, &net("10.88.0.0/16"), Some(ip("10.77.0.254")))
            .unwrap();
        assert_eq!(
            nl.route_destinations().unwrap(),
            vec![net("10.77.0.0/24"), net("10.88.0.0/16")]
        );
        // Linux flushes a downed link's IPv4 routes without announcing each one.
        nl.set_down(link.index).unwrap();
        assert_eq!(nl.route_destinations().unwrap(), Vec::<IpNet>::new());
        nl.set_up(link.index).unwrap();
        assert_eq!(nl.route_destinations().unwrap(), vec![net("10.77.0.0/24")]);
        nl.delete_link("up1").unwrap();
        assert_eq!(nl.route_destinations().unwrap(), Vec::<IpNet>::new());
    });
}
