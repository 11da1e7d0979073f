use super::*;
use crate::ipam::PoolConfig;
use crate::network::Driver;
use crate::ErrorKind;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn pool(subnet: &str, given: bool) -> PoolConfig {
    let mut p = PoolConfig::automatic(subnet.parse().unwrap()).unwrap();
    p.subnet_given = given;
    p
}

fn network(name: &str, pools: Vec<PoolConfig>) -> Network {
    Network {
        id: "4f1c".into(),
        name: name.into(),
        driver: Driver::Bridge,
        created: None,
        scope: "local".into(),
        internal: false,
        attachable: false,
        ingress: false,
        config_only: false,
        config_from: String::new(),
        enable_ipv4: true,
        enable_ipv6: pools.iter().any(|p| p.family() == Family::V6),
        ipam_driver: "default".into(),
        ipam_options: BTreeMap::new(),
        pools,
        options: BTreeMap::new(),
        labels: BTreeMap::new(),
        bridge: None,
        predefined: false,
    }
}

fn default_bridge() -> Network {
    let mut n = network("bridge", vec![pool("172.17.0.0/16", false)]);
    n.predefined = true;
    n
}

fn user_net() -> Network {
    network(
        "t1",
        vec![pool("10.9.0.0/24", true), pool("fd00:9::/64", true)],
    )
}

fn ip4(a: &str) -> EndpointRequest {
    EndpointRequest {
        ipv4_address: a.into(),
        ..Default::default()
    }
}

fn ip6(a: &str) -> EndpointRequest {
    EndpointRequest {
        ipv6_address: a.into(),
        ..Default::default()
    }
}

fn err(net: &Network, req: &EndpointRequest) -> String {
    let e = validate_endpoint(net, req).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidParameter, "{}", e.message);
    e.message
}

#[test]
fn plain_requests_pass() {
    assert!(validate_endpoint(&default_bridge(), &EndpointRequest::default()).is_ok());
    assert!(validate_endpoint(&user_net(), &ip4("10.9.0.9")).is_ok());
    assert!(validate_endpoint(&user_net(), &ip6("fd00:9::9")).is_ok());
    let mut r = ip4("10.9.0.9");
    r.aliases = vec!["db".into()];
    r.mac_address = "02:42:0a:09:00:09".into();
    r.driver_opts.insert(
        SYSCTLS_OPTION.into(),
        "net.ipv4.conf.IFNAME.log_martians=1".into(),
    );
    r.driver_opts.insert(IFNAME_OPTION.into(), "lan0".into());
    assert!(validate_endpoint(&user_net(), &r).is_ok());
}

#[test]
fn static_ip_on_the_default_bridge() {
    // In the bridge's subnet: only the "user defined networks only" error.
    assert_eq!(
        err(&default_bridge(), &ip4("172.17.0.9")),
        "invalid endpoint settings:\nuser specified IP address is supported on user defined networks only"
    );
    // Outside it: both, as a list.
    assert_eq!(
        err(&default_bridge(), &ip4("10.1.1.1")),
        "invalid endpoint settings:\n* user specified IP address is supported on user defined networks only\n* no configured subnet contains IP address 10.1.1.1"
    );
}

#[test]
fn aliases_on_predefined_networks() {
    let r = EndpointRequest {
        aliases: vec!["x".into()],
        ..Default::default()
    };
    for name in ["bridge", "host", "none"] {
        assert_eq!(
            err(&network(name, vec![]), &r),
            "invalid endpoint settings:\nnetwork-scoped aliases are only supported for user-defined networks"
        );
    }
    assert!(validate_endpoint(&user_net(), &r).is_ok());
}

#[test]
fn both_default_bridge_errors_in_docker_order() {
    let mut r = ip4("172.17.0.9");
    r.aliases = vec!["x".into()];
    assert_eq!(
        err(&default_bridge(), &r),
        "invalid endpoint settings:\n* user specified IP address is supported on user defined networks only\n* network-scoped aliases are only supported for user-defined networks"
    );
}

#[test]
fn static_ip_needs_a_user_given_subnet() {
    let auto = network("t2", vec![pool("172.18.0.0/16", false)]);
    let want = "invalid endpoint settings:\nuser specified IP address is supported only when connecting to networks with user configured subnets";
    assert_eq!(err(&auto, &ip4("172.18.0.9")), want);
    // moby master's rule: accepted when inside the subnet.
    let master = EndpointRules {
        static_ip_needs_user_subnet: false,
    };
    assert!(validate_endpoint_with(&auto, &ip4("172.18.0.9"), master).is_ok());
    assert_eq!(
        validate_endpoint_with(&auto, &ip4("10.0.0.1"), master)
            .unwrap_err()
            .message,
        "invalid endpoint settings:\nno configured subnet contains IP address 10.0.0.1"
    );
}

#[test]
fn static_ip_outside_the_subnet() {
    assert_eq!(
        err(&user_net(), &ip4("10.9.1.9")),
        "invalid endpoint settings:\nno configured subnet contains IP address 10.9.1.9"
    );
    assert_eq!(
        err(&user_net(), &ip6("fd00:8::1")),
        "invalid endpoint settings:\nno configured subnet contains IP address fd00:8::1"
    );
}

#[test]
fn ipv6_on_a_network_without_ipv6() {
    let v4only = network("t3", vec![pool("10.3.0.0/24", true)]);
    assert_eq!(
        err(&v4only, &ip6("fd00::5")),
        "invalid endpoint settings:\nuser specified IP address is supported only when connecting to networks with user configured subnets"
    );
    let master = EndpointRules {
        static_ip_needs_user_subnet: false,
    };
    assert_eq!(
        validate_endpoint_with(&v4only, &ip6("fd00::5"), master)
            .unwrap_err()
            .message,
        "invalid endpoint settings:\nno configured subnet contains IP address fd00::5"
    );
}

#[test]
fn unparseable_addresses() {
    assert_eq!(
        err(&user_net(), &ip4("nonsense")),
        "invalid endpoint settings:\ninvalid IPv4 address: nonsense"
    );
    for bad in ["0.0.0.0", "fd00:9::9", "10.9.0.300"] {
        assert_eq!(
            err(&user_net(), &ip4(bad)),
            format!("invalid endpoint settings:\ninvalid IPv4 address: {bad}")
        );
    }
    for bad in ["::", "10.9.0.9", "::ffff:10.9.0.9", "nonsense"] {
        assert_eq!(
            err(&user_net(), &ip6(bad)),
            format!("invalid endpoint settings:\ninvalid IPv6 address: {bad}")
        );
    }
    let mut both = ip4("x");
    both.ipv6_address = "y".into();
    assert_eq!(
        err(&user_net(), &both),
        "invalid endpoint settings:\n* invalid IPv4 address: x\n* invalid IPv6 address: y"
    );
}

#[test]
fn ipv4_mapped_addresses_count_as_ipv4() {
    let r = ip4("::ffff:10.9.0.9");
    assert!(validate_endpoint(&user_net(), &r).is_ok());
    assert_eq!(static_addresses(&r).ipv4, Some(Ipv4Addr::new(10, 9, 0, 9)));
}

#[test]
fn bad_mac_is_reported_alone() {
    let mut r = ip4("nonsense");
    r.mac_address = "zz".into();
    let e = validate_endpoint(&user_net(), &r).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidParameter);
    assert_eq!(e.message, "invalid MAC address zz");
}

#[test]
fn interface_sysctls() {
    let mut r = EndpointRequest::default();
    r.driver_opts.insert(
        SYSCTLS_OPTION.into(),
        "net.ipv6.conf.ifname.disable_ipv6=1,net.core.x.IFNAME.y=1,bogus".into(),
    );
    assert_eq!(
        err(&user_net(), &r),
        "invalid endpoint settings:\n* unrecognised network interface sysctl 'net.core.x.IFNAME.y=1'; represent 'net.X.Y.ethN.Z=V' as 'net.X.Y.IFNAME.Z=V', 'X' must be 'ipv4', 'ipv6' or 'mpls'\n* unrecognised network interface sysctl 'bogus'; represent 'net.X.Y.ethN.Z=V' as 'net.X.Y.IFNAME.Z=V', 'X' must be 'ipv4', 'ipv6' or 'mpls'"
    );
}

#[test]
fn bad_interface_name() {
    let mut r = EndpointRequest::default();
    r.driver_opts.insert(IFNAME_OPTION.into(), "a/b".into());
    assert!(err(&user_net(), &r).starts_with(
        "invalid endpoint settings:\ninvalid interface name \"a/b\" in driver option com.docker.network.endpoint.ifname"
    ));
}

#[test]
fn user_defined_names() {
    for name in ["bridge", "host", "none", "default", "container:db"] {
        assert!(!is_user_defined(name), "{name}");
    }
    for name in ["t1", "bridgetest", "my-net"] {
        assert!(is_user_defined(name), "{name}");
    }
}

#[test]
fn nested_errors_are_indented() {
    assert_eq!(join_errors(&["a".into()]), "a");
    assert_eq!(join_errors(&["a\nb".into(), "c".into()]), "* a\n\tb\n* c");
}

proptest! {
    /// On a user network with a user-given subnet, an IPv4 address is accepted exactly when it
    /// lies in the subnet and is neither 0.0.0.0 nor malformed.
    #[test]
    fn ipv4_in_subnet_iff_accepted(a in any::<u32>(), within in any::<bool>()) {
        let addr = if within { Ipv4Addr::from(0x0a09_0000 | (a & 0xff)) } else { Ipv4Addr::from(a) };
        let ok = validate_endpoint(&user_net(), &ip4(&addr.to_string())).is_ok();
        let inside = (u32::from(addr) & 0xffff_ff00) == 0x0a09_0000;
        prop_assert_eq!(ok, inside);
    }

    /// Validation never panics, whatever the strings.
    #[test]
    fn never_panics(v4 in ".{0,20}", v6 in ".{0,40}", mac in ".{0,20}", alias in proptest::option::of("[a-z]{1,5}")) {
        let r = EndpointRequest {
            ipv4_address: v4, ipv6_address: v6, mac_address: mac,
            aliases: alias.into_iter().collect(), ..Default::default()
        };
        let _ = validate_endpoint(&user_net(), &r);
        let _ = validate_endpoint(&default_bridge(), &r);
    }
}
