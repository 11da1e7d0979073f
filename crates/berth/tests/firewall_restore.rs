//! The tables are berth's to keep: deleted or flushed behind its back (a firewall reload,
//! `nft flush ruleset`) they come back at once, and a daemon killed with SIGKILL puts it
//! back in full when it starts again — while other tables in the host are left alone.

mod harness;

use harness::ctr::*;
use harness::probe::*;
use serde_json::Value;

const PORT: u16 = 7000;

fn bridges(d: &harness::Daemon) -> Option<Vec<Value>> {
    berth_set(d, "bridges")
}

fn has_bridge(d: &harness::Daemon, name: &str) -> bool {
    bridges(d).is_some_and(|b| b.iter().any(|e| e == name))
}

/// a1 on its own network cannot reach b1 on the default bridge, while a2 (a1's neighbour)
/// can reach a1: the isolation rules are in force.
fn isolation_holds(d: &harness::Daemon) {
    let a1 = format!("{}:{PORT}", ip_on(d, "a1", "neta"));
    let b1 = format!("{}:{PORT}", ip_on(d, "b1", "bridge"));
    assert_reaches(
        &container_ns(d, "a2"),
        Proto::Tcp,
        &a1,
        "a2 -> a1 (control)",
    );
    assert_blocked(&container_ns(d, "a1"), Proto::Tcp, &b1, "a1 -> b1");
    assert_blocked(&container_ns(d, "a1"), Proto::Udp, &b1, "a1 -> b1");
}

fn setup(d: &harness::Daemon) -> String {
    berth(d, &w("network create neta")).ok();
    for (name, net) in [("a1", "neta"), ("a2", "neta"), ("b1", "bridge")] {
        berth(
            d,
            &w(&format!(
                "run -d --name {name} --network {net} busybox sleep 600"
            )),
        )
        .ok();
        serve(&container_ns(d, name), PORT);
    }
    let id = d.api_json("GET", "/networks/neta", None)["Id"]
        .as_str()
        .unwrap()
        .to_string();
    format!("br-{}", &id[..12])
}

#[test]
fn a_deleted_or_flushed_table_is_restored_and_other_tables_are_untouched() {
    let d = daemon_with_busybox();
    let bridge = setup(&d);
    assert!(wait_until(20, || has_bridge(&d, &bridge)), "table in place");
    isolation_holds(&d);

    // Someone else's table in the same host, which berth must leave alone.
    nft(&d, &["add", "table", "ip", "theirs"]).expect("add their table");
    nft(
        &d,
        &["add", "set", "ip", "theirs", "s", "{ type ipv4_addr; }"],
    )
    .unwrap();

    nft(&d, &["flush", "ruleset"]).expect("flush ruleset");
    assert!(
        wait_until(20, || has_bridge(&d, &bridge)),
        "the table comes back after nft flush ruleset\n{}",
        d.log()
    );
    isolation_holds(&d);

    nft(&d, &["add", "table", "ip", "theirs"]).unwrap();
    nft(&d, &["delete", "table", "inet", "berth"]).expect("delete table");
    // Noticed from `nft monitor`'s report at once, not by the slow check every 5 s.
    let deleted = std::time::Instant::now();
    assert!(
        wait_until(20, || has_bridge(&d, &bridge)),
        "after delete table"
    );
    assert!(
        deleted.elapsed() < std::time::Duration::from_secs(2),
        "restored in {:?}",
        deleted.elapsed()
    );
    // The bridge table alone, too.
    nft(&d, &["delete", "table", "bridge", "berth"]).expect("delete the bridge table");
    assert!(
        wait_until(20, || nft(&d, &["list", "table", "bridge", "berth"])
            .is_some()),
        "the bridge table comes back"
    );
    nft(&d, &["flush", "table", "inet", "berth"]).expect("flush table");
    assert!(
        wait_until(20, || {
            nft(&d, &["-j", "list", "chain", "inet", "berth", "forward"])
                .is_some_and(|out| out.contains("\"rule\""))
        }),
        "the rules come back after nft flush table"
    );
    isolation_holds(&d);
    assert!(
        nft(&d, &["list", "table", "ip", "theirs"]).is_some(),
        "berth left the other table alone"
    );
    assert!(d.log().contains("restoring"), "{}", d.log());
}

#[test]
fn kill9_and_restart_reapplies_the_table() {
    let mut d = daemon_with_busybox();
    let bridge = setup(&d);
    assert!(wait_until(20, || has_bridge(&d, &bridge)));
    d.kill9();
    // As after a reboot of the firewall while berth was down.
    nft(&d, &["flush", "ruleset"]).expect("flush ruleset");
    assert!(bridges(&d).is_none());
    d.start_again();
    assert!(
        wait_until(20, || has_bridge(&d, &bridge) && has_bridge(&d, "berth0")),
        "the restarted daemon applies the full table\n{}",
        d.log()
    );
    assert_eq!(status(&d, "a1"), "running");
    isolation_holds(&d);
}
