//! Engine behaviour against the recording kernel: which kernel operations run, in what
//! order, what is stored, and what survives a restart.

use super::*;
use berth_model::filters::Filters;
use berth_model::network::plan::CreateRequest;
use berth_model::ErrorKind;
use berth_netsys::{LinkInfo, RecordingKernel};
use std::path::Path;

fn start(dir: &Path, kernel: Arc<RecordingKernel>, config: EngineConfig) -> Engine {
    let store = Store::open(&dir.join("state.redb")).unwrap();
    Engine::start(config, store, kernel).unwrap()
}

fn req(name: &str) -> CreateRequest {
    CreateRequest {
        name: name.into(),
        ..Default::default()
    }
}

fn filters(json: &str) -> Filters {
    Filters::parse(Some(json)).unwrap()
}

#[test]
fn first_start_makes_predefined_networks_and_the_default_bridge() {
    let dir = tempfile::tempdir().unwrap();
    let k = Arc::new(RecordingKernel::new());
    let e = start(dir.path(), k.clone(), EngineConfig::default());
    let names: Vec<String> = e
        .list_networks(&Filters::default())
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect();
    assert_eq!(names.len(), 3);
    for n in ["bridge", "host", "none"] {
        assert!(names.contains(&n.to_string()));
    }
    assert_eq!(
        k.ops(),
        vec!["ensure_bridge berth0 mtu=1500 addrs=[172.17.0.1/16]"]
    );
}

#[test]
fn default_bridge_avoids_host_routes_and_honours_bip() {
    let dir = tempfile::tempdir().unwrap();
    let k = Arc::new(RecordingKernel::new());
    k.add_route("172.17.0.0/16".parse().unwrap());
    let e = start(dir.path(), k.clone(), EngineConfig::default());
    let b = e.inspect_network("bridge").unwrap();
    assert_eq!(b.pools[0].subnet.to_string(), "172.18.0.0/16");
    let id = b.id.clone();
    drop(e);
    let config = EngineConfig {
        bip: Some("10.55.0.1/24".parse().unwrap()),
        ..Default::default()
    };
    let e = start(dir.path(), k.clone(), config);
    let b = e.inspect_network("bridge").unwrap();
    assert_eq!(b.id, id, "the predefined network keeps its ID");
    assert_eq!(b.pools[0].gateway.to_string(), "10.55.0.1");
    assert!(k.ops().last().unwrap().contains("addrs=[10.55.0.1/24]"));
}

#[test]
fn icc_flag_reconfigures_the_stored_default_bridge_and_keeps_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let k = Arc::new(RecordingKernel::new());
    let e = start(dir.path(), k.clone(), EngineConfig::default());
    let b = e.inspect_network("bridge").unwrap();
    assert_eq!(b.options["com.docker.network.bridge.enable_icc"], "true");
    let id = b.id.clone();
    drop(e);
    let config = EngineConfig {
        icc: false,
        ..Default::default()
    };
    let e = start(dir.path(), k.clone(), config);
    let b = e.inspect_network("bridge").unwrap();
    assert_eq!(b.id, id);
    assert_eq!(b.options["com.docker.network.bridge.enable_icc"], "false");
    assert!(!b.bridge.as_ref().unwrap().enable_icc);
}

#[test]
fn create_makes_the_bridge_then_stores_and_remove_undoes_it() {
    let dir = tempfile::tempdir().unwrap();
    let k = Arc::new(RecordingKernel::new());
    let e = start(dir.path(), k.clone(), EngineConfig::default());
    let n = e.create_network(&req("bridgetest")).unwrap();
    let br = format!("br-{}", &n.id[..12]);
    assert_eq!(
        k.ops().last().unwrap(),
        &format!("ensure_bridge {br} mtu=1500 addrs=[172.18.0.1/16]")
    );
    assert_eq!(e.inspect_network(&n.id[..5]).unwrap().name, "bridgetest");
    e.remove_network("bridgetest").unwrap();
    e.shutdown();
    assert_eq!(k.ops().last().unwrap(), &format!("delete_bridge {br}"));
    assert_eq!(
        e.inspect_network("bridgetest").unwrap_err().message,
        "network bridgetest not found"
    );
}

#[test]
fn a_kernel_failure_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let k = Arc::new(RecordingKernel::new());
    let e = start(dir.path(), k.clone(), EngineConfig::default());
    k.fail_next("ensure_bridge");
    let err = e.create_network(&req("x")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Internal);
    assert!(e.inspect_network("x").is_err());
    drop(e);
    let e = start(dir.path(), k, EngineConfig::default());
    assert!(e.inspect_network("x").is_err());
}

#[test]
fn predefined_networks_cannot_be_removed() {
    let dir = tempfile::tempdir().unwrap();
    let e = start(
        dir.path(),
        Arc::new(RecordingKernel::new()),
        EngineConfig::default(),
    );
    for n in ["bridge", "host", "none"] {
        let err = e.remove_network(n).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Forbidden);
        assert_eq!(
            err.message,
            format!("{n} is a pre-defined network and cannot be removed")
        );
    }
}

#[test]
fn restart_recreates_missing_bridges_and_removes_only_its_own_stale_ones() {
    let dir = tempfile::tempdir().unwrap();
    let k = Arc::new(RecordingKernel::new());
    let e = start(dir.path(), k.clone(), EngineConfig::default());
    let kept = e.create_network(&req("kept")).unwrap();
    drop(e);
    // A bridge berth made for a network it no longer knows, and someone else's bridge.
    k.add_link(LinkInfo {
        name: "br-deadbeef0000".into(),
        index: 0,
        kind: Some("bridge".into()),
        alias: Some("berth network deadbeef00000000".into()),
        mtu: 1500,
        up: true,
        addresses: vec![],
    });
    k.add_link(LinkInfo {
        name: "docker0".into(),
        index: 0,
        kind: Some("bridge".into()),
        alias: None,
        mtu: 1500,
        up: true,
        addresses: vec![],
    });
    k.add_link(LinkInfo {
        name: "berthx-0badf00d".into(),
        index: 0,
        kind: Some("bridge".into()),
        alias: None,
        mtu: 1500,
        up: false,
        addresses: vec![],
    });
    k.delete_link(&format!("br-{}", &kept.id[..12])).unwrap();
    let _e = start(dir.path(), k.clone(), EngineConfig::default());
    let ops = k.ops();
    assert!(ops.contains(&"delete_link br-deadbeef0000".to_string()));
    assert!(ops.contains(&"delete_link berthx-0badf00d".to_string()));
    assert!(!ops.iter().any(|o| o.contains("docker0")));
    let names: Vec<String> = k
        .list_links()
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert!(
        names.contains(&format!("br-{}", &kept.id[..12])),
        "{names:?}"
    );
    assert!(names.contains(&"docker0".to_string()));
}

#[test]
fn list_filters() {
    let dir = tempfile::tempdir().unwrap();
    let e = start(
        dir.path(),
        Arc::new(RecordingKernel::new()),
        EngineConfig::default(),
    );
    let mut r = req("web-front");
    r.labels.insert("tier".into(), "front".into());
    e.create_network(&r).unwrap();
    e.create_network(&req("db")).unwrap();
    let names = |f: &str| -> Vec<String> {
        e.list_networks(&filters(f))
            .unwrap()
            .into_iter()
            .map(|n| n.name)
            .collect()
    };
    assert_eq!(names(r#"{"type":["custom"]}"#).len(), 2);
    assert_eq!(names(r#"{"type":["builtin"]}"#).len(), 3);
    assert_eq!(names(r#"{"label":["tier=front"]}"#), vec!["web-front"]);
    assert_eq!(names(r#"{"name":["^d"]}"#), vec!["db"]);
    assert_eq!(names(r#"{"driver":["null"]}"#), vec!["none"]);
    assert_eq!(names(r#"{"dangling":["true"]}"#).len(), 2);
    assert_eq!(names(r#"{"dangling":["false"]}"#).len(), 3);
    assert_eq!(
        e.list_networks(&filters(r#"{"foo":["bar"]}"#))
            .unwrap_err()
            .message,
        "invalid filter 'foo'"
    );
    assert!(e
        .list_networks(&filters(r#"{"dangling":["maybe"]}"#))
        .is_err());
}

#[test]
fn prune_honours_labels_and_keeps_predefined() {
    let dir = tempfile::tempdir().unwrap();
    let e = start(
        dir.path(),
        Arc::new(RecordingKernel::new()),
        EngineConfig::default(),
    );
    let mut keep = req("keep");
    keep.labels.insert("keep".into(), "yes".into());
    e.create_network(&keep).unwrap();
    e.create_network(&req("gone")).unwrap();
    let removed = e
        .prune_networks(&filters(r#"{"label!":["keep"]}"#))
        .unwrap();
    assert_eq!(removed, vec!["gone"]);
    assert!(e
        .prune_networks(&filters(r#"{"until":["1h"]}"#))
        .unwrap()
        .is_empty());
    assert_eq!(e.list_networks(&Filters::default()).unwrap().len(), 4);
}

#[test]
fn concurrent_creates_of_one_name_let_exactly_one_through() {
    let dir = tempfile::tempdir().unwrap();
    let e = Arc::new(start(
        dir.path(),
        Arc::new(RecordingKernel::new()),
        EngineConfig::default(),
    ));
    let handles: Vec<_> = (0..20)
        .map(|_| {
            let e = e.clone();
            std::thread::spawn(move || e.create_network(&req("same")))
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(r.kind, ErrorKind::Conflict);
    }
}

#[test]
fn a_user_bridge_name_can_be_reused_right_after_remove() {
    let dir = tempfile::tempdir().unwrap();
    let k = Arc::new(RecordingKernel::new());
    let e = start(dir.path(), k.clone(), EngineConfig::default());
    let mut r = req("a");
    r.options
        .insert("com.docker.network.bridge.name".into(), "mybr".into());
    for _ in 0..5 {
        e.create_network(&r).unwrap();
        e.remove_network("a").unwrap();
    }
    e.create_network(&r).unwrap();
    e.shutdown();
    let links = k.list_links().unwrap();
    let mybr = links
        .iter()
        .find(|l| l.name == "mybr")
        .expect("bridge exists");
    let id = e.inspect_network("a").unwrap().id;
    assert_eq!(
        mybr.alias.as_deref(),
        Some(format!("berth network {id}").as_str())
    );
}
