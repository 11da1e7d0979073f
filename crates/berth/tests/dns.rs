//! The embedded DNS server at 127.0.0.11 (walkthrough item 10) end to end: names, aliases,
//! short IDs and hostnames, `name.network`, scope between networks, round robin, PTR,
//! forwarding to a stub upstream in the fake host (never the machine's resolver), truncation
//! and TCP, records following every change, and a daemon restart — with busybox's nslookup
//! and wget inside containers, through both CLIs.

mod harness;

use harness::ctr::*;
use harness::stub_dns::{answers_from_resolver, bind_port_53_in, StubDns};
use harness::Daemon;
use std::collections::BTreeSet;

/// `nslookup NAME` inside `from`: the addresses it printed (none when it failed).
fn lookup(d: &Daemon, from: &str, name: &str) -> BTreeSet<String> {
    let out = berth(d, &["exec", from, "nslookup", name]);
    addresses(&out.stdout)
}

/// Addresses in nslookup's answer section (after the server's own lines).
fn addresses(nslookup: &str) -> BTreeSet<String> {
    nslookup
        .lines()
        .skip_while(|l| !l.starts_with("Name:") && !l.contains("answer"))
        .filter_map(|l| l.strip_prefix("Address:"))
        .map(|a| a.trim().to_string())
        .filter(|a| !a.ends_with(":53"))
        .collect()
}

fn ip_on(d: &Daemon, c: &str, net: &str) -> String {
    inspect(d, c)["NetworkSettings"]["Networks"][net]["IPAddress"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn names_aliases_and_scope_on_user_networks() {
    let d = daemon_with_busybox();
    berth(&d, &w("network create front")).ok();
    berth(&d, &w("network create back")).ok();
    docker(
        &d,
        &w("run -d --name web --hostname webhost --network front --network-alias www --net-alias site busybox sleep 600"),
    )
    .ok();
    berth(&d, &w("run -d --name db --network back busybox sleep 600")).ok();
    berth(
        &d,
        &w("run -d --name client --network front busybox sleep 600"),
    )
    .ok();
    let web = ip_on(&d, "web", "front");
    let web_id = inspect(&d, "web")["Id"].as_str().unwrap()[..12].to_string();
    // resolv.conf points at the embedded server
    let resolv = berth(&d, &w("exec client cat /etc/resolv.conf"))
        .ok()
        .to_string();
    assert!(resolv.contains("nameserver 127.0.0.11\n"), "{resolv}");
    assert!(resolv.contains("options ndots:0"), "{resolv}");
    // every name of web, and each as name.network
    for name in [
        "web",
        "www",
        "site",
        &web_id,
        "webhost",
        "WEB",
        "web.front",
        "www.front",
    ] {
        assert_eq!(lookup(&d, "client", name), set(&[&web]), "{name}");
    }
    // DNSNames lists exactly that set
    let names = inspect(&d, "web")["NetworkSettings"]["Networks"]["front"]["DNSNames"].clone();
    assert_eq!(
        names,
        serde_json::json!(["web", "www", "site", web_id, "webhost"]),
        "{names}"
    );
    // scope: db is on another network. Not ours to answer, so forwarded; with no upstream
    // reachable from the daemon's namespace that is SERVFAIL (Docker's answer too)
    let db = ip_on(&d, "db", "back");
    assert!(lookup(&d, "client", "db").is_empty());
    assert!(lookup(&d, "client", "db.back").is_empty());
    let out = berth(&d, &w("exec client nslookup db"));
    assert!(!out.stdout.contains(&db), "{out:?}");
    assert!(out.stdout.contains("can't find db"), "{out:?}");
    // wget by name: a server in web
    berth(
        &d,
        &[
            "exec",
            "-d",
            "web",
            "sh",
            "-c",
            "mkdir -p /www && echo hello-by-name > /www/index.html && httpd -f -p 80 -h /www",
        ],
    )
    .ok();
    let fetch =
        "for i in $(seq 30); do timeout 2 wget -qO- http://www/ && exit 0; sleep 0.1; done; exit 1";
    let out = berth(&d, &["exec", "client", "sh", "-c", fetch]);
    assert_eq!(out.ok(), "hello-by-name\n");
    // connect: names follow at once, and the linker's alias is its own
    berth(&d, &w("network connect --alias database back client")).ok();
    assert_eq!(lookup(&d, "client", "db"), set(&[&ip_on(&d, "db", "back")]));
    assert_eq!(
        lookup(&d, "db", "database"),
        set(&[&ip_on(&d, "client", "back")])
    );
    berth(&d, &w("network disconnect back client")).ok();
    assert!(lookup(&d, "client", "db").is_empty());
    // port 53 stays the container's own: a DNS server inside can bind 0.0.0.0:53 over UDP and
    // TCP, and the embedded resolver still answers at 127.0.0.11:53 (as with Docker's DNAT rules)
    let pid = inspect(&d, "client")["State"]["Pid"].as_i64().unwrap();
    let held = bind_port_53_in(pid).expect("bind 0.0.0.0:53 inside the container");
    assert_eq!(lookup(&d, "client", "web"), set(&[&web]));
    drop(held);
    // PTR of a peer's address names it
    let out = berth(&d, &["exec", "client", "nslookup", &web]);
    assert!(out.stdout.contains("web"), "{out:?}");
}

#[test]
fn round_robin_aaaa_and_records_follow_changes() {
    let d = daemon_with_busybox();
    berth(&d, &w("network create --ipv6 --subnet fd00:53::/64 rr")).ok();
    for n in ["a1", "a2", "a3"] {
        berth(
            &d,
            &[
                "run",
                "-d",
                "--name",
                n,
                "--network",
                "rr",
                "--network-alias",
                "pool",
                "busybox",
                "sleep",
                "600",
            ],
        )
        .ok();
    }
    berth(&d, &w("run -d --name asker --network rr busybox sleep 600")).ok();
    let v4: BTreeSet<String> = ["a1", "a2", "a3"]
        .iter()
        .map(|n| ip_on(&d, n, "rr"))
        .collect();
    let got = lookup(&d, "asker", "pool");
    for ip in &v4 {
        assert!(got.contains(ip), "{got:?} lacks {ip}");
    }
    assert!(
        got.iter().any(|a| a.starts_with("fd00:53::")),
        "AAAA on a dual-stack network: {got:?}"
    );
    // the order changes between answers
    let orders: BTreeSet<String> = (0..12)
        .map(|_| {
            berth(&d, &w("exec asker nslookup -type=a pool"))
                .stdout
                .lines()
                .filter(|l| l.starts_with("Address:") && !l.contains("#") && !l.ends_with(":53"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    assert!(orders.len() > 1, "always the same order: {orders:?}");
    // rm: never resolves again; stop: gone; restart with another address: the new one
    let a1 = ip_on(&d, "a1", "rr");
    berth(&d, &w("rm -f a1")).ok();
    assert!(!lookup(&d, "asker", "pool").contains(&a1));
    assert!(lookup(&d, "asker", "a1").is_empty());
    berth(&d, &w("stop -t 0 a2")).ok();
    assert!(lookup(&d, "asker", "a2").is_empty());
    berth(&d, &w("run -d --name squat --network rr busybox sleep 600")).ok();
    berth(&d, &w("start a2")).ok();
    assert_eq!(
        lookup(&d, "asker", "a2")
            .iter()
            .filter(|a| !a.contains(':'))
            .cloned()
            .collect::<BTreeSet<_>>(),
        set(&[&ip_on(&d, "a2", "rr")])
    );
    // rename: the old name goes, the new one answers
    berth(&d, &w("rename a3 a3new")).ok();
    assert!(lookup(&d, "asker", "a3").is_empty());
    assert!(!lookup(&d, "asker", "a3new").is_empty());
}

#[test]
fn forwarding_to_a_stub_upstream_with_truncation_and_internal_networks() {
    let d = daemon_with_busybox();
    let stub = StubDns::start(&d.host, &[("upstream.test", "10.1.2.3".parse().unwrap())]);
    berth(&d, &w("network create fwd")).ok();
    berth(&d, &w("network create --internal sealed")).ok();
    berth(
        &d,
        &w("run -d --name f1 --network fwd --dns 127.0.0.1 busybox sleep 600"),
    )
    .ok();
    assert_eq!(lookup(&d, "f1", "upstream.test"), set(&["10.1.2.3"]));
    // truncated over UDP upstream: the server retries over TCP. A plain UDP client (no
    // EDNS: 512 bytes) gets the records that fit with TC, as Docker gives; a TCP client or one
    // with a large EDNS size gets all 40.
    let big = lookup(&d, "f1", "big.test");
    assert_eq!(big.len(), (512 - 26) / 16, "{big:?}");
    let pid = inspect(&d, "f1")["State"]["Pid"].as_i64().unwrap();
    assert_eq!(answers_from_resolver(pid, "big.test", true, None), 40);
    assert_eq!(
        answers_from_resolver(pid, "big.test", false, Some(4096)),
        40
    );
    // a dotless name is forwarded with ndots:0 ...
    let before = stub.count();
    let out = berth(&d, &w("exec f1 nslookup nosuchhost"));
    assert!(
        out.stdout.contains("NXDOMAIN") || out.stderr.contains("NXDOMAIN"),
        "{out:?}"
    );
    assert!(stub.count() > before, "not forwarded");
    // ... but not with ndots above 0
    berth(
        &d,
        &w("run -d --name f2 --network fwd --dns 127.0.0.1 --dns-option ndots:2 busybox sleep 600"),
    )
    .ok();
    let before = stub.count();
    let _ = berth(&d, &w("exec f2 nslookup nosuchhost"));
    assert_eq!(
        stub.count(),
        before,
        "a dotless name was forwarded with ndots:2"
    );
    // an internal network never forwards
    berth(
        &d,
        &w("run -d --name s1 --network sealed --dns 127.0.0.1 busybox sleep 600"),
    )
    .ok();
    let before = stub.count();
    assert!(lookup(&d, "s1", "upstream.test").is_empty());
    assert_eq!(stub.count(), before, "an internal network forwarded");
    // its own names still resolve there
    berth(
        &d,
        &w("run -d --name s2 --network sealed busybox sleep 600"),
    )
    .ok();
    assert_eq!(lookup(&d, "s1", "s2"), set(&[&ip_on(&d, "s2", "sealed")]));
    // nothing listens for it on the host: 127.0.0.11 is only inside containers
    let host_ss = d.host.exec("ss").args(["-lnup"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&host_ss.stdout).contains("127.0.0.11"),
        "a DNS socket on the host"
    );
}

#[test]
fn dns_answers_again_right_after_a_daemon_kill9() {
    let mut d = daemon_with_busybox();
    berth(&d, &w("network create net")).ok();
    berth(&d, &w("run -d --name srv --network net busybox sleep 600")).ok();
    berth(&d, &w("run -d --name cli --network net busybox sleep 600")).ok();
    let ip = ip_on(&d, "srv", "net");
    assert_eq!(lookup(&d, "cli", "srv"), set(&[&ip]));
    d.kill9();
    d.start_again();
    let t0 = std::time::Instant::now();
    assert!(
        wait_until(1, || lookup(&d, "cli", "srv") == set(&[&ip])),
        "no answer within a second of the daemon being up"
    );
    eprintln!("answering again {:?} after the daemon was up", t0.elapsed());
    // the default bridge has no embedded DNS: its resolv.conf is the host's
    berth(&d, &w("run -d --name plain busybox sleep 600")).ok();
    let resolv = berth(&d, &w("exec plain cat /etc/resolv.conf"))
        .ok()
        .to_string();
    assert!(!resolv.contains("127.0.0.11"), "{resolv}");
}
