use std::path::Path;

use super::*;

const ALIAS: &str = "berth endpoint 0123";

fn kernel_with_bridge() -> RecordingKernel {
    let k = RecordingKernel::new();
    k.ensure_bridge(&BridgeSpec {
        name: "br-x".into(),
        mtu: Some(1500),
        addresses: vec!["172.18.0.1/16".parse().unwrap()],
        alias: "net-x".into(),
    })
    .unwrap();
    k
}

fn spec(host: &str, ifname: &str, last: u8) -> EndpointSpec {
    EndpointSpec {
        host_ifname: host.into(),
        alias: ALIAS.into(),
        bridge: "br-x".into(),
        netns: "/run/berth/netns/c1".into(),
        ifname: ifname.into(),
        mac: [0x02, 0x42, 0xac, 0x12, 0, last],
        mtu: 1500,
        addresses: vec![format!("172.18.0.{last}/16").parse().unwrap()],
        ipv6: false,
        default_v4: Some("172.18.0.1".parse().unwrap()),
        default_v6: None,
    }
}

fn ops_after_bridge(k: &RecordingKernel) -> Vec<String> {
    k.ops().into_iter().skip(1).collect()
}

#[test]
fn add_endpoint_records_and_lists_the_host_side() {
    let k = kernel_with_bridge();
    k.add_endpoint(&spec("veth1234567", "eth0", 2)).unwrap();
    assert_eq!(
        ops_after_bridge(&k),
        vec![
            "add_endpoint veth1234567 eth0 br-x mac=02:42:ac:12:00:02 addrs=[172.18.0.2/16] \
             v4gw=172.18.0.1"
        ]
    );
    let host = k
        .list_links()
        .unwrap()
        .into_iter()
        .find(|l| l.name == "veth1234567")
        .unwrap();
    assert_eq!(host.kind.as_deref(), Some("veth"));
    assert_eq!(host.alias.as_deref(), Some(ALIAS));
    assert!(host.up);
    assert_eq!(k.endpoints(), vec![spec("veth1234567", "eth0", 2)]);
    let routes = k.default_routes(Path::new("/run/berth/netns/c1"));
    assert_eq!(
        routes.v4,
        Some(("eth0".to_string(), "172.18.0.1".parse().unwrap()))
    );
    assert_eq!(routes.v6, None);
}

#[test]
fn add_endpoint_describes_an_ipv6_gateway() {
    let k = kernel_with_bridge();
    let mut s = spec("veth1234567", "eth0", 2);
    s.ipv6 = true;
    s.addresses.push("fd00::2/64".parse().unwrap());
    s.default_v4 = None;
    s.default_v6 = Some("fd00::1".parse().unwrap());
    k.add_endpoint(&s).unwrap();
    assert_eq!(
        ops_after_bridge(&k),
        vec![
            "add_endpoint veth1234567 eth0 br-x mac=02:42:ac:12:00:02 \
             addrs=[172.18.0.2/16,fd00::2/64] v6gw=fd00::1"
        ]
    );
}

#[test]
fn add_endpoint_refuses_missing_bridge_and_taken_names() {
    let k = kernel_with_bridge();
    let mut s = spec("veth1234567", "eth0", 2);
    s.bridge = "br-nope".into();
    let err = k.add_endpoint(&s).unwrap_err();
    assert!(matches!(err, NetsysError::BridgeNotFound { ref name } if name == "br-nope"));

    k.add_endpoint(&spec("veth1234567", "eth0", 2)).unwrap();
    let err = k.add_endpoint(&spec("veth1234567", "eth1", 3)).unwrap_err();
    assert!(matches!(err, NetsysError::NameInUse { ref name } if name == "veth1234567"));
    let err = k.add_endpoint(&spec("veth7654321", "eth0", 3)).unwrap_err();
    assert!(matches!(err, NetsysError::NameInUseInNetns { ref name, .. } if name == "eth0"));
    // The same ifname in another namespace is fine.
    let mut other = spec("veth7654321", "eth0", 3);
    other.netns = "/run/berth/netns/c2".into();
    k.add_endpoint(&other).unwrap();
    assert_eq!(k.endpoints().len(), 2);
}

#[test]
fn fail_next_add_endpoint_records_and_changes_nothing() {
    let k = kernel_with_bridge();
    k.fail_next("add_endpoint");
    let err = k.add_endpoint(&spec("veth1234567", "eth0", 2)).unwrap_err();
    assert!(matches!(err, NetsysError::Injected { ref op } if op == "add_endpoint"));
    assert!(k.endpoints().is_empty());
    assert!(!k
        .list_links()
        .unwrap()
        .iter()
        .any(|l| l.name == "veth1234567"));
    assert!(ops_after_bridge(&k)[0].ends_with(" FAILED"));
    k.add_endpoint(&spec("veth1234567", "eth0", 2)).unwrap();
}

#[test]
fn remove_endpoint_only_removes_a_veth_with_the_alias() {
    let k = kernel_with_bridge();
    k.add_endpoint(&spec("veth1234567", "eth0", 2)).unwrap();
    k.remove_endpoint("veth1234567", "berth endpoint other")
        .unwrap();
    assert_eq!(k.endpoints().len(), 1);
    k.remove_endpoint("veth1234567", ALIAS).unwrap();
    assert!(k.endpoints().is_empty());
    assert!(!k
        .list_links()
        .unwrap()
        .iter()
        .any(|l| l.name == "veth1234567"));
    // Its default route went with it; absent is fine.
    assert_eq!(
        k.default_routes(Path::new("/run/berth/netns/c1")),
        DefaultRoutes::default()
    );
    k.remove_endpoint("veth1234567", ALIAS).unwrap();
    assert_eq!(
        ops_after_bridge(&k)[1..],
        [
            "remove_endpoint veth1234567",
            "remove_endpoint veth1234567",
            "remove_endpoint veth1234567"
        ]
    );

    k.fail_next("remove_endpoint");
    k.add_endpoint(&spec("veth1234567", "eth0", 2)).unwrap();
    assert!(k.remove_endpoint("veth1234567", ALIAS).is_err());
    assert_eq!(k.endpoints().len(), 1);
}

#[test]
fn set_default_routes_moves_and_removes() {
    let k = kernel_with_bridge();
    let ns = Path::new("/run/berth/netns/c1");
    k.add_endpoint(&spec("veth1234567", "eth0", 2)).unwrap();
    let mut second = spec("veth7654321", "eth1", 3);
    second.default_v4 = None;
    k.add_endpoint(&second).unwrap();

    let gw = "172.19.0.1".parse().unwrap();
    k.set_default_routes(ns, Some(("eth1", gw)), None).unwrap();
    assert_eq!(k.default_routes(ns).v4, Some(("eth1".to_string(), gw)));
    k.set_default_routes(ns, None, None).unwrap();
    assert_eq!(k.default_routes(ns), DefaultRoutes::default());
    assert_eq!(
        ops_after_bridge(&k)[2..],
        [
            "set_default_routes /run/berth/netns/c1 v4=eth1 via 172.19.0.1 v6=none",
            "set_default_routes /run/berth/netns/c1 v4=none v6=none"
        ]
    );

    let err = k
        .set_default_routes(ns, Some(("eth7", gw)), None)
        .unwrap_err();
    assert_eq!(err.errno(), Some(libc::ENODEV));
    k.fail_next("set_default_routes");
    assert!(k.set_default_routes(ns, Some(("eth0", gw)), None).is_err());
    assert_eq!(k.default_routes(ns), DefaultRoutes::default());
}

#[test]
fn delete_sandbox_takes_its_endpoints_along() {
    let k = kernel_with_bridge();
    k.add_endpoint(&spec("veth1234567", "eth0", 2)).unwrap();
    let mut other = spec("veth7654321", "eth0", 3);
    other.netns = "/run/berth/netns/c2".into();
    k.add_endpoint(&other).unwrap();
    k.delete_sandbox(Path::new("/run/berth/netns/c1")).unwrap();
    assert_eq!(k.endpoints(), vec![other]);
    let names: Vec<String> = k
        .list_links()
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(names, vec!["lo", "br-x", "veth7654321"]);
}
