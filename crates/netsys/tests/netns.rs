//! Kernel tests of named network namespaces. They run in a private netns so that nothing they
//! make could ever touch the host's links, and pin namespaces in a temporary directory (never
//! /run/netns).

use berth_netsys::testing::in_private_netns;
use berth_netsys::{
    create_netns, delete_netns, in_netns, BridgeSpec, Kernel, Netlink, NetsysError,
};

fn ns_inode(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

#[test]
fn create_enter_and_delete_a_named_netns() {
    in_private_netns(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ns").join("c1");
        create_netns(&path).unwrap();

        // It is a namespace of its own, distinct from the one we are in.
        let ours = ns_inode(std::path::Path::new("/proc/thread-self/ns/net"));
        assert_ne!(ns_inode(&path), ours);
        let inside = in_netns(&path, || {
            ns_inode(std::path::Path::new("/proc/thread-self/ns/net"))
        })
        .unwrap();
        assert_eq!(inside, ns_inode(&path));
        // The calling thread did not move.
        assert_eq!(
            ns_inode(std::path::Path::new("/proc/thread-self/ns/net")),
            ours
        );

        // A Netlink opened inside acts inside, from any thread.
        let nl = in_netns(&path, Netlink::new).unwrap().unwrap();
        nl.ensure_bridge(&BridgeSpec {
            name: "br-in".into(),
            mtu: None,
            addresses: vec!["10.1.0.1/16".parse().unwrap()],
            alias: "a".into(),
        })
        .unwrap();
        let names: Vec<String> = nl
            .list_links()
            .unwrap()
            .into_iter()
            .map(|l| l.name)
            .collect();
        assert_eq!(names, vec!["lo", "br-in"]);
        let here = Netlink::new().unwrap();
        assert!(here.link("br-in").unwrap().is_none(), "not visible outside");
        drop(nl);

        delete_netns(&path).unwrap();
        assert!(!path.exists());
        // Idempotent.
        delete_netns(&path).unwrap();
    });
}

#[test]
fn create_refuses_an_existing_path_and_leaves_it_alone() {
    in_private_netns(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c1");
        create_netns(&path).unwrap();
        let inode = ns_inode(&path);
        let err = create_netns(&path).unwrap_err();
        assert!(
            matches!(err, NetsysError::Netns { op: "create", .. }),
            "{err}"
        );
        assert_eq!(ns_inode(&path), inode, "still the same namespace");
        delete_netns(&path).unwrap();
    });
}

#[test]
fn in_netns_reports_a_missing_path_and_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    assert!(matches!(
        in_netns(&missing, || ()),
        Err(NetsysError::Netns { op: "open", .. })
    ));
    // A plain file is not a namespace.
    let plain = dir.path().join("plain");
    std::fs::write(&plain, b"").unwrap();
    assert!(matches!(
        in_netns(&plain, || ()),
        Err(NetsysError::Netns { op: "enter", .. })
    ));

    in_private_netns(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c1");
        create_netns(&path).unwrap();
        let err = in_netns(&path, || panic!("boom")).unwrap_err();
        assert!(
            matches!(err, NetsysError::Thread(ref m) if m.contains("boom")),
            "{err}"
        );
        delete_netns(&path).unwrap();
    });
}
