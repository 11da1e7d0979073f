//! kill -9 of the daemon in the middle of 50 concurrent `run -d` / `rm -f` on bridge networks.
//! After the restart: no address is held by two endpoints, no veth, netns mount or bridge port
//! is left that no container owns, and every running container answers at its address.

mod harness;

use harness::ctr::*;
use harness::Daemon;
use std::collections::{BTreeMap, BTreeSet};

/// (container name, network name, IPv4 address, host-side veth name unknown) of every
/// running container's endpoints, from inspect.
fn live_endpoints(d: &Daemon) -> Vec<(String, String, String)> {
    let list = d.api_json("GET", "/containers/json", None);
    let mut out = Vec::new();
    for c in list.as_array().unwrap() {
        let name = c["Names"][0].as_str().unwrap().trim_start_matches('/');
        let full = inspect(d, name);
        if let Some(nets) = full["NetworkSettings"]["Networks"].as_object() {
            for (net, ep) in nets {
                out.push((
                    name.to_string(),
                    net.clone(),
                    ep["IPAddress"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    out
}

fn host_veths(d: &Daemon) -> Vec<(String, Option<String>, Option<String>)> {
    d.host
        .links()
        .iter()
        .filter(|l| l["linkinfo"]["info_kind"] == "veth")
        .map(|l| {
            (
                l["ifname"].as_str().unwrap_or_default().to_string(),
                l["ifalias"].as_str().map(str::to_string),
                l["master"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn kill9_during_concurrent_run_and_rm_leaves_a_consistent_host() {
    let mut d = daemon_with_busybox();
    berth(&d, &w("network create crashnet")).ok();
    // a few long-lived ones that must survive untouched
    for n in 0..3 {
        berth(
            &d,
            &[
                "run",
                "-d",
                "--name",
                &format!("keep{n}"),
                "--network",
                "crashnet",
                "busybox",
                "sleep",
                "600",
            ],
        )
        .ok();
    }
    let socket_host = d.docker_host();
    // runs that returned successfully and whose container is not removed afterwards
    let kept_runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..50)
        .map(|i| {
            let host = socket_host.clone();
            let kept_runs = kept_runs.clone();
            std::thread::spawn(move || {
                let name = format!("c{i}");
                let net = if i % 2 == 0 { "crashnet" } else { "bridge" };
                let run = std::process::Command::new("timeout")
                    .args([
                        "-k",
                        "2",
                        "20",
                        harness::berth_bin(),
                        "run",
                        "-d",
                        "--name",
                        &name,
                        "--network",
                        net,
                        "busybox",
                        "sleep",
                        "600",
                    ])
                    .env("BERTH_HOST", &host)
                    .output();
                let ran = run.as_ref().map(|o| o.status.success()).unwrap_or(false);
                if ran && i % 3 != 0 {
                    kept_runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                if i % 3 == 0 {
                    let _ = std::process::Command::new("timeout")
                        .args(["-k", "2", "20", harness::berth_bin(), "rm", "-f", &name])
                        .env("BERTH_HOST", &host)
                        .output();
                }
                ran
            })
        })
        .collect();
    // kill once the churn is well under way: a few runs done (how long that takes depends on
    // the machine's load, so wait on the runs themselves, not on a count of veths)
    const DONE_BEFORE_KILL: usize = 6;
    let started_churn = wait_until(120, || {
        kept_runs.load(std::sync::atomic::Ordering::SeqCst) >= DONE_BEFORE_KILL
    });
    assert!(
        started_churn,
        "fewer than {DONE_BEFORE_KILL} runs finished in 120 s"
    );
    let in_flight_veths = host_veths(&d).len();
    d.kill9();
    eprintln!("killed with {in_flight_veths} host veths");
    for w in workers {
        let _ = w.join();
    }
    d.start_again();

    // the address book: no address twice on a network
    let eps = live_endpoints(&d);
    eprintln!("{} endpoints running after the crash", eps.len());
    // every run that had returned before the kill is still running after the restart
    assert!(
        eps.len() >= 3 + DONE_BEFORE_KILL,
        "runs that had finished before the kill were lost: {eps:?}"
    );
    let mut seen: BTreeMap<(String, String), String> = BTreeMap::new();
    for (name, net, ip) in &eps {
        if net == "none" || net == "host" {
            continue;
        }
        assert!(
            !ip.is_empty(),
            "{name} on {net} runs without an address: {eps:?}"
        );
        if let Some(other) = seen.insert((net.clone(), ip.clone()), name.clone()) {
            panic!("{ip} on {net} held by {other} and {name}");
        }
    }
    for n in 0..3 {
        assert!(
            eps.iter()
                .any(|(c, net, _)| c == &format!("keep{n}") && net == "crashnet"),
            "keep{n} lost: {eps:?}"
        );
    }
    // every host-side veth belongs to a live endpoint, and every live endpoint has one, once
    // removals queued by the reconcile have run
    let expect = eps.len();
    let settled = wait_until(10, || {
        let veths = host_veths(&d);
        veths.len() == expect
            && veths
                .iter()
                .all(|(_, alias, master)| alias.is_some() && master.is_some())
    });
    assert!(settled, "veths {:?}\nendpoints {eps:?}", host_veths(&d));
    let endpoint_ids: BTreeSet<String> = d
        .api_json("GET", "/containers/json", None)
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            c["NetworkSettings"]["Networks"]
                .as_object()
                .map(|m| {
                    m.values()
                        .filter_map(|e| e["EndpointID"].as_str().map(str::to_string))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .collect();
    for (name, alias, _) in host_veths(&d) {
        let alias = alias.unwrap_or_default();
        let id = alias.strip_prefix("berth endpoint ").unwrap_or_default();
        assert!(
            endpoint_ids.contains(id),
            "{name} ({alias}) has no container"
        );
    }
    // netns mounts: only running containers keep one
    let running: BTreeSet<String> = d
        .api_json("GET", "/containers/json", None)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Id"].as_str().unwrap().to_string())
        .collect();
    let netns_dir = d.exec_root().join("netns");
    if let Ok(entries) = std::fs::read_dir(&netns_dir) {
        for e in entries.flatten() {
            let id = e.file_name().to_string_lossy().to_string();
            assert!(
                running.contains(&id),
                "netns {id} left for a container not running"
            );
        }
    }
    // every running container answers at its address, from the host
    for (name, _, ip) in &eps {
        let ping = d
            .host
            .exec("ping")
            .args(["-c1", "-W2", ip])
            .output()
            .unwrap();
        if !ping.status.success() {
            let inside = berth(&d, &["exec", name, "ip", "addr"]);
            let host_links = d
                .host
                .exec("ip")
                .args(["-o", "-d", "link"])
                .output()
                .unwrap();
            let host_addrs = d.host.exec("ip").args(["-br", "addr"]).output().unwrap();
            let neigh = d.host.exec("ip").args(["neigh"]).output().unwrap();
            panic!(
                "{name} at {ip} does not answer: {} {}\ninside: {} {}\nhost links: {}\nhost addrs: {}\nneigh: {}\ninspect: {}\nlog: {}",
                String::from_utf8_lossy(&ping.stdout),
                String::from_utf8_lossy(&ping.stderr),
                inside.stdout,
                inside.stderr,
                String::from_utf8_lossy(&host_links.stdout),
                String::from_utf8_lossy(&host_addrs.stdout),
                String::from_utf8_lossy(&neigh.stdout),
                inspect(&d, name)["NetworkSettings"],
                d.log()
            );
        }
    }
    // and the next container gets an address nobody holds
    berth(
        &d,
        &w("run -d --name after --network crashnet busybox sleep 600"),
    )
    .ok();
    let after = inspect(&d, "after")["NetworkSettings"]["Networks"]["crashnet"]["IPAddress"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !eps.iter()
            .any(|(_, net, ip)| net == "crashnet" && ip == &after),
        "{after} handed out twice"
    );
}
