//! The engine's firewall calls against the recording firewall: what table state each change
//! applies, and that a refused apply changes nothing the user can see.

use super::{env, req, Env};
use berth_firewall::{FirewallState, RecordingFirewall};
use berth_model::container::ports::Proto;
use berth_model::container::published::PublishedPort;
use berth_model::container::{NetworkMode, Status};
use berth_model::network::plan::CreateRequest;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

fn with_firewall() -> (Env, Arc<RecordingFirewall>) {
    let e = env();
    let fw = Arc::new(RecordingFirewall::new());
    e.engine.enable_firewall(fw.clone()).unwrap();
    (e, fw)
}

fn bridges(s: &FirewallState) -> Vec<String> {
    s.networks.iter().map(|n| n.bridge.clone()).collect()
}

fn installed(fw: &RecordingFirewall) -> FirewallState {
    fw.installed().expect("a table is installed")
}

#[test]
fn enabling_prepares_the_host_and_applies_the_predefined_bridge() {
    let (_e, fw) = with_firewall();
    assert!(fw.prepared());
    assert_eq!(bridges(&installed(&fw)), vec!["berth0".to_string()]);
}

#[test]
fn network_create_and_rm_follow_in_the_table() {
    let (e, fw) = with_firewall();
    let mut options = BTreeMap::new();
    options.insert(
        "com.docker.network.bridge.enable_ip_masquerade".to_string(),
        "false".to_string(),
    );
    let net = e
        .engine
        .create_network(&CreateRequest {
            name: "quiet".into(),
            internal: true,
            options,
            ..Default::default()
        })
        .unwrap();
    let s = installed(&fw);
    let rules = s
        .networks
        .iter()
        .find(|n| n.bridge == net.bridge.as_ref().unwrap().name)
        .expect("the new bridge is in the table");
    assert!(rules.internal && !rules.masquerade);
    e.engine.remove_network("quiet").unwrap();
    assert_eq!(bridges(&installed(&fw)), vec!["berth0".to_string()]);
}

#[test]
fn a_refused_table_fails_network_create_and_leaves_no_network() {
    let (e, fw) = with_firewall();
    let before = installed(&fw);
    fw.fail_next_apply();
    let err = e
        .engine
        .create_network(&CreateRequest {
            name: "doomed".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert!(err.message.contains("firewall"), "{}", err.message);
    assert!(e.engine.inspect_network("doomed").is_err());
    assert_eq!(installed(&fw), before, "the kernel kept the previous table");
    // The next change goes through and matches the store.
    e.engine
        .create_network(&CreateRequest {
            name: "fine".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(installed(&fw).networks.len(), 2);
}

#[test]
fn published_ports_of_running_containers_only() {
    let (e, fw) = with_firewall();
    let id = e
        .engine
        .create_container(req("web", NetworkMode::Bridge))
        .unwrap()
        .id;
    e.engine.start_container("web").unwrap();
    // What the ports code does at start: record the bindings, then sync.
    let table = e.engine.containers().unwrap();
    let mut c = table.get(&id).unwrap();
    let ip = c.endpoints().next().unwrap().1.ipv4.unwrap().addr();
    c.published = vec![PublishedPort {
        proto: Proto::Tcp,
        host_ip: None,
        host_port: 8080,
        container_port: 80,
        container_ip: ip.into(),
    }];
    e.engine.save_container(table, c).unwrap();
    e.engine.sync_firewall().unwrap();
    let ports = installed(&fw).ports;
    assert_eq!(ports.len(), 1);
    assert_eq!(
        (ports[0].host_port, ports[0].bridge.as_str()),
        (8080, "berth0")
    );

    e.runtime.exit(&id, 0);
    e.engine
        .wait_container(
            "web",
            super::WaitCondition::NotRunning,
            Some(Duration::from_secs(5)),
            None,
        )
        .unwrap();
    // The exit is recorded (waking the wait) just before the table is re-applied.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !installed(&fw).ports.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "an exited container publishes nothing"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_refused_table_fails_the_start_and_undoes_it() {
    let (e, fw) = with_firewall();
    e.engine
        .create_container(req("web", NetworkMode::Bridge))
        .unwrap();
    fw.fail_next_apply();
    let err = e.engine.start_container("web").unwrap_err();
    assert!(err.message.contains("firewall"), "{}", err.message);
    let c = e.engine.inspect_container("web").unwrap();
    assert_ne!(c.state.status, Status::Running);
    assert!(c.endpoints().next().is_none(), "the endpoint was unplugged");
    assert!(e
        .kernel
        .ops()
        .iter()
        .any(|o| o.starts_with("delete_sandbox")));
    e.engine.start_container("web").unwrap();
}

#[test]
fn the_watchdog_restores_a_deleted_table_and_a_stale_one() {
    let (e, fw) = with_firewall();
    assert!(!e.engine.check_firewall(), "nothing to do");
    fw.delete_table();
    assert!(e.engine.check_firewall());
    assert_eq!(bridges(&installed(&fw)), vec!["berth0".to_string()]);

    // A removal whose apply failed is retried by the next round.
    e.engine
        .create_network(&CreateRequest {
            name: "gone".into(),
            ..Default::default()
        })
        .unwrap();
    fw.fail_next_apply();
    e.engine.remove_network("gone").unwrap();
    assert_eq!(
        installed(&fw).networks.len(),
        2,
        "the kernel lags the store"
    );
    assert!(e.engine.check_firewall());
    assert_eq!(bridges(&installed(&fw)), vec!["berth0".to_string()]);
}

#[test]
fn containers_starting_at_once_keep_each_others_ports() {
    // Each start applies the table with its own record ahead of its commit; one computed
    // meanwhile must include the others in flight, or it would take their ports out again.
    let (e, fw) = with_firewall();
    let names: Vec<String> = (0..8).map(|i| format!("p{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        let mut r = req(name, NetworkMode::Bridge);
        r.host.port_bindings.insert(
            berth_model::container::ports::PortProto::parse("80").unwrap(),
            vec![berth_model::container::ports::PortBinding {
                host_ip: String::new(),
                host_port: (9000 + i).to_string(),
            }],
        );
        e.engine.create_container(r).unwrap();
    }
    std::thread::scope(|s| {
        for name in &names {
            let engine = &e.engine;
            s.spawn(move || engine.start_container(name).unwrap());
        }
    });
    let mut ports: Vec<u16> = installed(&fw).ports.iter().map(|p| p.host_port).collect();
    ports.sort();
    assert_eq!(ports, (9000..9008).collect::<Vec<u16>>());
}
