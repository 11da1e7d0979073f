//! kill -9 at any moment loses nothing acknowledged, and the next start repairs the kernel:
//! the store is the truth, bridges follow it, and nothing berth does not own is touched.

mod harness;

use harness::Daemon;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Acked {
    created: BTreeSet<String>,
    removed: BTreeSet<String>,
    /// Removals sent: one cut short by the kill may have happened or not, both are right.
    removing: BTreeSet<String>,
}

/// Creates and removes networks in a loop until the daemon stops answering; records what the
/// daemon acknowledged.
fn churn(d: &Daemon, round: usize, stop: Arc<AtomicBool>, acked: Arc<Mutex<Acked>>) {
    let socket = d.socket();
    let mut i = 0usize;
    while !stop.load(Ordering::SeqCst) {
        let name = format!("crash-{round}-{i}");
        let body = format!(r#"{{"Name":"{name}"}}"#);
        let r = harness::http::request(
            &socket,
            "POST",
            "/networks/create",
            Some(("application/json", body.as_bytes())),
        );
        match r {
            Ok(r) if r.status == 201 => {
                acked.lock().unwrap().created.insert(name.clone());
            }
            Ok(r) => panic!("create {name}: {} {}", r.status, r.text()),
            Err(_) => break,
        }
        if i.is_multiple_of(2) {
            acked.lock().unwrap().removing.insert(name.clone());
            let r = harness::http::request(&socket, "DELETE", &format!("/networks/{name}"), None);
            match r {
                Ok(r) if r.status == 204 => {
                    acked.lock().unwrap().removed.insert(name.clone());
                }
                Ok(r) => panic!("rm {name}: {} {}", r.status, r.text()),
                Err(_) => break,
            }
        }
        i += 1;
    }
}

fn listed(d: &Daemon) -> Vec<Value> {
    d.api_json("GET", "/networks", None)
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn kill9_during_create_and_rm_loses_nothing_and_leaves_no_stray_bridge() {
    let mut d = Daemon::start();
    // Someone else's bridge in the same host must survive every restart untouched.
    d.host.ip(&["link", "add", "foreign0", "type", "bridge"]);
    for (round, run_ms) in [(0usize, 150u64), (1, 400), (2, 900)] {
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(Mutex::new(Acked::default()));
        std::thread::scope(|s| {
            let h = s.spawn(|| churn(&d, round, stop.clone(), acked.clone()));
            std::thread::sleep(Duration::from_millis(run_ms));
            // the crash: no warning, in the middle of whatever request is in flight
            // SAFETY: kill(2) on the daemon this test started and has not reaped.
            unsafe { libc::kill(d.pid() as i32, libc::SIGKILL) };
            stop.store(true, Ordering::SeqCst);
            let _ = h.join();
        });
        d.kill9();
        d.start_again();

        let nets = listed(&d);
        let names: HashSet<String> = nets
            .iter()
            .map(|n| n["Name"].as_str().unwrap().to_string())
            .collect();
        let acked = acked.lock().unwrap();
        assert!(
            !acked.created.is_empty(),
            "round {round}: nothing was created before the kill"
        );
        for n in acked.created.difference(&acked.removing) {
            assert!(
                names.contains(n),
                "round {round}: acknowledged network {n} lost"
            );
        }
        for n in &acked.removed {
            assert!(
                !names.contains(n),
                "round {round}: acknowledged removal of {n} undone"
            );
        }
        // no subnet handed out twice
        let subnets: Vec<String> = nets
            .iter()
            .flat_map(|n| n["IPAM"]["Config"].as_array().cloned().unwrap_or_default())
            .map(|c| c["Subnet"].as_str().unwrap().to_string())
            .collect();
        let unique: HashSet<&String> = subnets.iter().collect();
        assert_eq!(
            unique.len(),
            subnets.len(),
            "round {round}: duplicated subnet in {subnets:?}"
        );
        // bridges: exactly those of the listed networks, plus the foreign one
        let mut want: Vec<String> = nets
            .iter()
            .filter(|n| n["Driver"] == "bridge")
            .map(|n| {
                n["Options"]["com.docker.network.bridge.name"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("br-{}", &n["Id"].as_str().unwrap()[..12]))
            })
            .collect();
        want.push("foreign0".to_string());
        want.sort();
        assert_eq!(
            d.host.bridges(),
            want,
            "round {round}: bridges differ from the store"
        );
        // every listed bridge network's bridge carries its gateway
        for n in nets
            .iter()
            .filter(|n| n["Name"].as_str().unwrap().starts_with("crash-"))
        {
            let br = format!("br-{}", &n["Id"].as_str().unwrap()[..12]);
            let cfg = &n["IPAM"]["Config"][0];
            let prefix = cfg["Subnet"].as_str().unwrap().split('/').nth(1).unwrap();
            let gw = format!("{}/{prefix}", cfg["Gateway"].as_str().unwrap());
            assert_eq!(d.host.addresses(&br), vec![gw], "round {round}: {br}");
        }
    }
}

#[test]
fn restart_recreates_a_vanished_bridge_and_removes_only_its_own_orphans() {
    let mut d = Daemon::start();
    let id = d
        .berth(&["network", "create", "keepme"])
        .ok()
        .trim()
        .to_string();
    let br = format!("br-{}", &id[..12]);
    d.terminate();
    // while the daemon is down: its bridge vanishes, an orphan of a forgotten network appears,
    // and someone else's bridge with a berth-like name appears
    d.host.ip(&["link", "del", &br]);
    d.host
        .ip(&["link", "add", "br-0000deadbeef", "type", "bridge"]);
    d.host.ip(&[
        "link",
        "set",
        "br-0000deadbeef",
        "alias",
        "berth network 0000deadbeef0000000000000000000000000000000000000000000000000000",
    ]);
    d.host
        .ip(&["link", "add", "br-0123456789ab", "type", "bridge"]);
    d.start_again();
    let bridges = d.host.bridges();
    assert!(bridges.contains(&br), "{bridges:?}");
    assert_eq!(d.host.addresses(&br), vec!["172.18.0.1/16"]);
    assert!(
        !bridges.contains(&"br-0000deadbeef".to_string()),
        "orphan kept: {bridges:?}"
    );
    assert!(
        bridges.contains(&"br-0123456789ab".to_string()),
        "foreign bridge removed: {bridges:?}"
    );
    // the predefined networks keep their IDs across restarts
    let before = d.api_json("GET", "/networks/bridge", None)["Id"].clone();
    d.restart();
    assert_eq!(d.api_json("GET", "/networks/bridge", None)["Id"], before);
    assert_eq!(d.network_names(), vec!["bridge", "host", "keepme", "none"]);
}
