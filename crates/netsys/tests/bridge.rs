//! Kernel tests of `Netlink::ensure_bridge`, `list_links` and `delete_link`, each in a private
//! network namespace (needs root).

use berth_netsys::testing::with_private_netlink;
use berth_netsys::{BridgeSpec, Kernel, LinkInfo, Netlink, NetsysError};
use ipnet::IpNet;

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn dual_stack_spec() -> BridgeSpec {
    BridgeSpec {
        name: "br-test".to_string(),
        mtu: Some(1400),
        addresses: vec![net("172.18.0.1/16"), net("fd00:18::1/64")],
        alias: "berth:net-1".to_string(),
    }
}

fn listed(nl: &Netlink, name: &str) -> Option<LinkInfo> {
    nl.list_links()
        .unwrap()
        .into_iter()
        .find(|l| l.name == name)
}

/// The addresses berth manages, leaving out the kernel's IPv6 link-local ones.
fn managed(link: &LinkInfo) -> Vec<IpNet> {
    let mut a: Vec<IpNet> = link
        .addresses
        .iter()
        .filter(|a| !a.to_string().starts_with("fe80:"))
        .copied()
        .collect();
    a.sort();
    a
}

/// A dummy link where the kernel has the dummy driver, else (as on the project's machine,
/// whose kernel lacks it: EOPNOTSUPP) one end of a veth pair. Returns the kind made.
fn add_foreign_link(nl: &Netlink, name: &str) -> &'static str {
    match nl.create_dummy(name) {
        Ok(()) => "dummy",
        Err(e) if e.errno() == Some(libc::EOPNOTSUPP) => {
            nl.create_veth_pair(name, &format!("{name}-p")).unwrap();
            "veth"
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn creates_a_dual_stack_bridge_with_mtu_and_alias() {
    with_private_netlink(|nl| {
        nl.ensure_bridge(&dual_stack_spec()).unwrap();
        let link = listed(nl, "br-test").expect("bridge listed");
        assert_eq!(link.kind.as_deref(), Some("bridge"));
        assert_eq!(link.alias.as_deref(), Some("berth:net-1"));
        assert_eq!(link.mtu, 1400);
        assert!(link.up);
        assert_eq!(
            managed(&link),
            vec![net("172.18.0.1/16"), net("fd00:18::1/64")]
        );
        // The single-link look-up agrees with the dump.
        let one = nl.link("br-test").unwrap().unwrap();
        assert_eq!(one.index, link.index);
        assert_eq!(managed(&one), managed(&link));
        // lo is there too, without a kind.
        let lo = listed(nl, "lo").unwrap();
        assert_eq!((lo.index, lo.kind), (1, None));
    });
}

#[test]
fn ensure_bridge_is_idempotent_and_repairs_drift() {
    with_private_netlink(|nl| {
        let spec = dual_stack_spec();
        nl.ensure_bridge(&spec).unwrap();
        let first = listed(nl, "br-test").unwrap();
        nl.ensure_bridge(&spec).unwrap();
        let second = listed(nl, "br-test").unwrap();
        assert_eq!(first.index, second.index, "not recreated");
        assert_eq!(managed(&first), managed(&second));

        // Someone removes an address, adds a stray one, changes the mtu.
        nl.delete_address(first.index, &net("172.18.0.1/16"))
            .unwrap();
        nl.add_address(first.index, &net("10.5.0.1/24")).unwrap();
        nl.set_mtu(first.index, 1300).unwrap();
        nl.ensure_bridge(&spec).unwrap();
        let repaired = listed(nl, "br-test").unwrap();
        assert_eq!(repaired.index, first.index);
        assert_eq!(repaired.mtu, 1400);
        assert!(repaired.up);
        assert_eq!(
            managed(&repaired),
            vec![net("172.18.0.1/16"), net("fd00:18::1/64")]
        );

        // A changed spec (new subnet, prefix change) converges too.
        let mut changed = spec.clone();
        changed.addresses = vec![net("172.18.0.1/24")];
        nl.ensure_bridge(&changed).unwrap();
        assert_eq!(
            managed(&listed(nl, "br-test").unwrap()),
            vec![net("172.18.0.1/24")]
        );
    });
}

#[test]
fn a_bridge_that_is_down_is_brought_up() {
    with_private_netlink(|nl| {
        let mut spec = dual_stack_spec();
        spec.mtu = None;
        nl.ensure_bridge(&spec).unwrap();
        let link = listed(nl, "br-test").unwrap();
        assert_eq!(link.mtu, 1500, "kernel default when no mtu is asked");
        nl.set_down(link.index).unwrap();
        assert!(!listed(nl, "br-test").unwrap().up);
        nl.ensure_bridge(&spec).unwrap();
        assert!(listed(nl, "br-test").unwrap().up);
    });
}

#[test]
fn name_in_use_by_a_link_that_is_not_a_bridge() {
    with_private_netlink(|nl| {
        let kind = add_foreign_link(nl, "br-test");
        let before = nl.link("br-test").unwrap().unwrap();
        let err = nl.ensure_bridge(&dual_stack_spec()).unwrap_err();
        assert!(
            matches!(err, NetsysError::NameInUse { ref name } if name == "br-test"),
            "{err}"
        );
        let after = nl.link("br-test").unwrap().unwrap();
        assert_eq!(before, after, "nothing changed");
        assert_eq!(after.kind.as_deref(), Some(kind));
        assert!(!after.up);
    });
}

#[test]
fn name_in_use_by_a_bridge_with_another_alias() {
    with_private_netlink(|nl| {
        let mut theirs = dual_stack_spec();
        theirs.alias = "someone-else".to_string();
        theirs.addresses = vec![net("10.7.0.1/16")];
        theirs.mtu = Some(1500);
        nl.ensure_bridge(&theirs).unwrap();
        let before = nl.link("br-test").unwrap().unwrap();

        let err = nl.ensure_bridge(&dual_stack_spec()).unwrap_err();
        assert!(matches!(err, NetsysError::NameInUse { .. }), "{err}");
        let after = nl.link("br-test").unwrap().unwrap();
        assert_eq!(before, after, "nothing changed");
    });
}

#[test]
fn delete_link_removes_it_and_ignores_missing_links() {
    with_private_netlink(|nl| {
        nl.ensure_bridge(&dual_stack_spec()).unwrap();
        nl.delete_link("br-test").unwrap();
        assert!(listed(nl, "br-test").is_none());
        assert!(nl.link("br-test").unwrap().is_none());
        nl.delete_link("br-test").unwrap();
        nl.delete_link("never-existed").unwrap();
    });
}

#[test]
fn kernel_errors_carry_errno_and_operation() {
    with_private_netlink(|nl| {
        let mut spec = dual_stack_spec();
        spec.mtu = Some(10); // below the minimum MTU of 68
        let err = nl.ensure_bridge(&spec).unwrap_err();
        assert_eq!(err.errno(), Some(libc::EINVAL), "{err}");
        assert!(err.to_string().contains("br-test"), "{err}");
        assert!(listed(nl, "br-test").is_none());

        let err = nl
            .ensure_bridge(&BridgeSpec {
                name: "way-too-long-name".into(),
                ..dual_stack_spec()
            })
            .unwrap_err();
        assert!(matches!(err, NetsysError::InvalidName { .. }), "{err}");
    });
}

#[test]
fn a_failure_after_creation_leaves_no_half_made_bridge() {
    with_private_netlink(|nl| {
        let mut spec = dual_stack_spec();
        // An IPv4 multicast address as interface address is refused by the kernel
        // after the bridge exists.
        spec.addresses = vec![net("172.18.0.1/16"), net("224.0.0.1/4")];
        let err = nl.ensure_bridge(&spec).unwrap_err();
        assert!(matches!(err, NetsysError::Netlink { .. }), "{err}");
        assert!(listed(nl, "br-test").is_none(), "rolled back");
    });
}

#[test]
fn one_netlink_can_be_shared_by_threads() {
    with_private_netlink(|nl| {
        std::thread::scope(|s| {
            for i in 0..8 {
                s.spawn(move || {
                    let spec = BridgeSpec {
                        name: format!("br-t{i}"),
                        mtu: None,
                        addresses: vec![net(&format!("10.{i}.0.1/16"))],
                        alias: format!("a{i}"),
                    };
                    for _ in 0..5 {
                        nl.ensure_bridge(&spec).unwrap();
                        nl.list_links().unwrap();
                    }
                });
            }
        });
        let bridges = nl
            .list_links()
            .unwrap()
            .into_iter()
            .filter(|l| l.kind.as_deref() == Some("bridge"))
            .count();
        assert_eq!(bridges, 8);
    });
}
