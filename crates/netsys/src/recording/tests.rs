use super::*;

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn spec(name: &str, alias: &str, addrs: &[&str]) -> BridgeSpec {
    BridgeSpec {
        name: name.to_string(),
        mtu: Some(1500),
        addresses: addrs.iter().map(|a| net(a)).collect(),
        alias: alias.to_string(),
    }
}

fn find(k: &RecordingKernel, name: &str) -> Option<LinkInfo> {
    k.list_links().unwrap().into_iter().find(|l| l.name == name)
}

#[test]
fn starts_with_lo_only_and_no_ops() {
    let k = RecordingKernel::new();
    let links = k.list_links().unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].name, "lo");
    assert!(k.ops().is_empty());
}

#[test]
fn ensure_bridge_creates_and_records() {
    let k = RecordingKernel::new();
    k.ensure_bridge(&spec("br-x", "net-x", &["172.18.0.1/16"]))
        .unwrap();
    assert_eq!(
        k.ops(),
        vec!["ensure_bridge br-x mtu=1500 addrs=[172.18.0.1/16]"]
    );
    let link = find(&k, "br-x").unwrap();
    assert_eq!(link.kind.as_deref(), Some("bridge"));
    assert_eq!(link.alias.as_deref(), Some("net-x"));
    assert_eq!(link.mtu, 1500);
    assert!(link.up);
    assert_eq!(link.addresses, vec![net("172.18.0.1/16")]);
}

#[test]
fn ensure_bridge_without_mtu_is_described_as_default() {
    let k = RecordingKernel::new();
    let mut s = spec("br-x", "a", &["172.18.0.1/16", "fd00::1/64"]);
    s.mtu = None;
    k.ensure_bridge(&s).unwrap();
    assert_eq!(
        k.ops(),
        vec!["ensure_bridge br-x mtu=default addrs=[172.18.0.1/16,fd00::1/64]"]
    );
    assert_eq!(find(&k, "br-x").unwrap().mtu, 1500);
}

#[test]
fn ensure_bridge_again_converges_to_the_spec() {
    let k = RecordingKernel::new();
    k.ensure_bridge(&spec("br-x", "a", &["172.18.0.1/16"]))
        .unwrap();
    let mut second = spec("br-x", "a", &["172.19.0.1/16", "fe80::1/64"]);
    second.mtu = Some(1400);
    k.ensure_bridge(&second).unwrap();
    let link = find(&k, "br-x").unwrap();
    assert_eq!(link.mtu, 1400);
    assert_eq!(
        link.addresses,
        vec![net("172.19.0.1/16"), net("fe80::1/64")]
    );
    assert_eq!(k.list_links().unwrap().len(), 2);
}

#[test]
fn ensure_bridge_keeps_kernel_link_local_addresses() {
    let k = RecordingKernel::new();
    k.add_link(LinkInfo {
        name: "br-x".into(),
        index: 0,
        kind: Some("bridge".into()),
        alias: Some("a".into()),
        mtu: 1500,
        up: false,
        addresses: vec![net("fe80::42/64"), net("10.0.0.1/24")],
    });
    k.ensure_bridge(&spec("br-x", "a", &["172.18.0.1/16"]))
        .unwrap();
    let link = find(&k, "br-x").unwrap();
    assert!(link.up);
    assert_eq!(
        link.addresses,
        vec![net("fe80::42/64"), net("172.18.0.1/16")]
    );
}

#[test]
fn name_in_use_by_foreign_link_or_other_alias_changes_nothing() {
    let k = RecordingKernel::new();
    k.add_link(LinkInfo {
        name: "br-x".into(),
        index: 0,
        kind: Some("dummy".into()),
        alias: Some("a".into()),
        mtu: 1500,
        up: false,
        addresses: vec![],
    });
    let before = k.list_links().unwrap();
    let err = k
        .ensure_bridge(&spec("br-x", "a", &["172.18.0.1/16"]))
        .unwrap_err();
    assert!(matches!(err, NetsysError::NameInUse { ref name } if name == "br-x"));

    k.ensure_bridge(&spec("br-y", "mine", &[])).unwrap();
    let before_y = find(&k, "br-y").unwrap();
    let err = k
        .ensure_bridge(&spec("br-y", "other", &["10.1.0.1/16"]))
        .unwrap_err();
    assert!(matches!(err, NetsysError::NameInUse { .. }));
    assert_eq!(find(&k, "br-y").unwrap(), before_y);
    assert_eq!(find(&k, "br-x").unwrap(), before[1]);
}

#[test]
fn invalid_name_is_refused() {
    let k = RecordingKernel::new();
    let err = k
        .ensure_bridge(&spec("a-name-that-is-too-long", "a", &[]))
        .unwrap_err();
    assert!(matches!(err, NetsysError::InvalidName { .. }));
    assert!(find(&k, "a-name-that-is-too-long").is_none());
}

#[test]
fn delete_link_removes_and_tolerates_missing() {
    let k = RecordingKernel::new();
    k.ensure_bridge(&spec("br-x", "a", &[])).unwrap();
    k.delete_link("br-x").unwrap();
    k.delete_link("br-x").unwrap();
    assert!(find(&k, "br-x").is_none());
    assert_eq!(
        k.ops(),
        vec![
            "ensure_bridge br-x mtu=1500 addrs=[]",
            "delete_link br-x",
            "delete_link br-x"
        ]
    );
}

#[test]
fn fail_next_fails_once_records_and_changes_nothing() {
    let k = RecordingKernel::new();
    k.fail_next("ensure_bridge");
    let err = k.ensure_bridge(&spec("br-x", "a", &[])).unwrap_err();
    assert!(matches!(err, NetsysError::Injected { ref op } if op == "ensure_bridge"));
    assert!(find(&k, "br-x").is_none());
    k.ensure_bridge(&spec("br-x", "a", &[])).unwrap();
    assert_eq!(
        k.ops(),
        vec![
            "ensure_bridge br-x mtu=1500 addrs=[] FAILED",
            "ensure_bridge br-x mtu=1500 addrs=[]"
        ]
    );

    k.fail_next("delete_link");
    assert!(k.delete_link("br-x").is_err());
    assert!(find(&k, "br-x").is_some());

    k.fail_next("list_links");
    assert!(k.list_links().is_err());
    assert!(k.list_links().is_ok());

    k.fail_next("route_destinations");
    assert!(k.route_destinations().is_err());
    assert!(k.route_destinations().is_ok());
}

#[test]
fn route_destinations_has_added_and_connected_routes_without_noise() {
    let k = RecordingKernel::new();
    k.add_route(net("10.99.0.0/24"));
    k.add_route(net("0.0.0.0/0"));
    k.add_route(net("::/0"));
    k.add_route(net("fe80::/64"));
    k.add_route(net("10.99.0.0/24"));
    k.ensure_bridge(&spec("br-x", "a", &["172.18.0.1/16", "fd00:1::1/64"]))
        .unwrap();
    assert_eq!(
        k.route_destinations().unwrap(),
        vec![
            net("10.99.0.0/24"),
            net("172.18.0.0/16"),
            net("fd00:1::/64")
        ]
    );
    k.delete_link("br-x").unwrap();
    assert_eq!(k.route_destinations().unwrap(), vec![net("10.99.0.0/24")]);
}

#[test]
fn works_through_an_arc_dyn_kernel() {
    let k = std::sync::Arc::new(RecordingKernel::new());
    let shared: std::sync::Arc<dyn Kernel> = k.clone();
    shared.ensure_bridge(&spec("br-x", "a", &[])).unwrap();
    assert_eq!(k.ops().len(), 1);
}
