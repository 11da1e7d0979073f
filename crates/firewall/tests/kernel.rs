//! The rendered table in a real kernel: each test runs on its own thread in a private network
//! namespace (`unshare(CLONE_NEWNET)`; `nft` inherits it), so nothing touches the host's rules.

mod common;

use berth_firewall::{FirewallDriver, NftFirewall};
use berth_model::container::ports::Proto;
use common::{net, port, state};
use serde_json::Value;
use std::process::Command;

fn private_netns() {
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).expect("unshare(CLONE_NEWNET)");
}

fn nft(args: &[&str]) -> String {
    let out = Command::new("nft").args(args).output().expect("run nft");
    assert!(
        out.status.success(),
        "nft {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn listed(family: &str, table: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(&nft(&["-j", "list", "table", family, table])).unwrap();
    v["nftables"].as_array().cloned().unwrap_or_default()
}

/// The elements of a set or map as nft lists them.
fn elements(objs: &[Value], kind: &str, name: &str) -> Vec<Value> {
    objs.iter()
        .find(|o| o[kind]["name"] == name)
        .and_then(|o| o[kind]["elem"].as_array().cloned())
        .unwrap_or_default()
}

fn count(objs: &[Value], kind: &str) -> usize {
    objs.iter().filter(|o| o.get(kind).is_some()).count()
}

/// Someone else's tables, which berth must never touch.
fn others() {
    nft(&["add", "table", "ip", "nat"]);
    nft(&[
        "add",
        "chain",
        "ip",
        "nat",
        "POSTROUTING",
        "{ type nat hook postrouting priority 100; }",
    ]);
    nft(&[
        "add",
        "rule",
        "ip",
        "nat",
        "POSTROUTING",
        "oifname",
        "eth9",
        "masquerade",
    ]);
    nft(&["add", "table", "inet", "accguard"]);
    nft(&["add", "set", "inet", "accguard", "s", "{ type ipv4_addr; }"]);
}

#[test]
fn applies_replaces_and_leaves_other_tables_alone() {
    private_netns();
    others();
    let before_nat = nft(&["-j", "list", "table", "ip", "nat"]);
    let before_guard = nft(&["-j", "list", "table", "inet", "accguard"]);
    let fw = NftFirewall::new();
    assert!(!fw.intact().unwrap(), "no table yet");

    let mut internal = net("br-internal0", "172.19.0.0/16");
    internal.internal = true;
    internal.masquerade = false;
    let mut dual = net("br-0123456789ab", "172.18.0.0/16");
    dual.subnets6 = vec!["fd00:1::/64".parse().unwrap()];
    let mut bound = port(Proto::Udp, 5353, "172.17.0.2", 53, "berth0");
    bound.host_ip = Some("10.0.0.1".parse().unwrap());
    let first = state(
        vec![net("berth0", "172.17.0.0/16"), dual, internal],
        vec![
            port(Proto::Tcp, 8080, "172.17.0.2", 80, "berth0"),
            port(Proto::Tcp, 8443, "fd00:1::2", 443, "br-0123456789ab"),
            bound,
        ],
    );
    let v6_forwarding = || {
        std::fs::read_to_string("/proc/sys/net/ipv6/conf/all/forwarding")
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    assert_eq!(v6_forwarding(), "0", "a fresh namespace does not forward");
    fw.apply(&first).unwrap();
    assert!(fw.intact().unwrap());
    assert_eq!(v6_forwarding(), "1", "a network with IPv6 switches it on");
    let objs = listed("inet", "berth");
    assert_eq!(elements(&objs, "set", "bridges").len(), 3);
    assert_eq!(
        elements(&objs, "set", "internal"),
        vec![Value::from("br-internal0")]
    );
    assert_eq!(
        elements(&objs, "set", "masq4").len(),
        2,
        "internal is not masqueraded"
    );
    assert_eq!(elements(&objs, "map", "dnat4_addr").len(), 1);
    assert_eq!(elements(&objs, "map", "dnat6_addr").len(), 1);
    assert_eq!(elements(&objs, "map", "dnat4_ip_port").len(), 1);
    let rules = count(&objs, "rule");

    // Applying again, with another state and with the table present, replaces it whole.
    let second = state(
        vec![net("berth0", "172.17.0.0/16")],
        (0..200)
            .map(|i| port(Proto::Tcp, 20000 + i, "172.17.0.3", 80, "berth0"))
            .collect(),
    );
    fw.apply(&second).unwrap();
    let objs = listed("inet", "berth");
    assert_eq!(
        elements(&objs, "set", "bridges"),
        vec![Value::from("berth0")]
    );
    assert_eq!(elements(&objs, "map", "dnat4_addr").len(), 200);
    assert_eq!(elements(&objs, "map", "dnat6_addr").len(), 0);
    assert_eq!(
        count(&objs, "rule"),
        rules,
        "the rule count does not grow with ports"
    );

    // The table lists back as text too (operators must be able to read it).
    let text = nft(&["list", "table", "inet", "berth"]);
    assert!(text.contains("masquerade"), "{text}");

    assert_eq!(nft(&["-j", "list", "table", "ip", "nat"]), before_nat);
    assert_eq!(
        nft(&["-j", "list", "table", "inet", "accguard"]),
        before_guard
    );
}

#[test]
fn a_refused_document_changes_nothing() {
    private_netns();
    let fw = NftFirewall::new();
    let good = state(
        vec![net("berth0", "172.17.0.0/16")],
        vec![port(Proto::Tcp, 8080, "172.17.0.2", 80, "berth0")],
    );
    fw.apply(&good).unwrap();
    let before = nft(&["-j", "list", "table", "inet", "berth"]);
    // Overlapping subnets in one interval set: the kernel refuses the whole transaction.
    let mut bad = state(
        vec![net("berth0", "172.17.0.0/16"), net("br-x", "172.17.1.0/24")],
        vec![],
    );
    bad.normalize();
    let err = fw.apply(&bad).unwrap_err();
    assert!(err.to_string().contains("nft"), "{err}");
    assert_eq!(nft(&["-j", "list", "table", "inet", "berth"]), before);
}

#[test]
fn intact_notices_a_deleted_or_flushed_table() {
    private_netns();
    let fw = NftFirewall::new();
    let s = state(vec![net("berth0", "172.17.0.0/16")], vec![]);
    fw.apply(&s).unwrap();
    assert!(fw.intact().unwrap());
    nft(&["flush", "table", "inet", "berth"]);
    assert!(!fw.intact().unwrap(), "flushed");
    fw.apply(&s).unwrap();
    assert!(fw.intact().unwrap());
    nft(&["delete", "table", "bridge", "berth"]);
    assert!(!fw.intact().unwrap(), "the bridge table alone deleted");
    fw.apply(&s).unwrap();
    nft(&["flush", "ruleset"]);
    assert!(!fw.intact().unwrap(), "deleted");
}

#[test]
fn icc_off_and_links_land_in_the_bridge_table() {
    private_netns();
    let fw = NftFirewall::new();
    let mut quiet = net("br-0123456789ab", "172.18.0.0/16");
    quiet.icc = false;
    let mut s = state(vec![net("berth0", "172.17.0.0/16"), quiet], vec![]);
    s.links = [80, 443]
        .map(|port| berth_firewall::LinkRule {
            parent: "172.17.0.3".parse().unwrap(),
            child: "172.17.0.2".parse().unwrap(),
            proto: Proto::Tcp,
            port,
        })
        .to_vec();
    fw.apply(&s).unwrap();
    let objs = listed("bridge", "berth");
    assert_eq!(elements(&objs, "set", "links4").len(), 2, "{objs:?}");
    let quiet_nets = elements(&objs, "set", "icc_off4");
    assert_eq!(
        quiet_nets.len(),
        1,
        "only the ICC-off network: {quiet_nets:?}"
    );
    assert_eq!(quiet_nets[0]["prefix"]["addr"], "172.18.0.0");
    // One link fewer: the whole table is replaced, not appended to.
    s.links.pop();
    fw.apply(&s).unwrap();
    assert_eq!(
        elements(&listed("bridge", "berth"), "set", "links4").len(),
        1
    );
}

/// Every set's and map's elements in both berth tables, for comparing two installs.
fn all_elements() -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for family in ["inet", "bridge"] {
        for o in listed(family, "berth") {
            for kind in ["set", "map"] {
                if let Some(obj) = o.get(kind) {
                    let mut elems: Vec<String> = obj["elem"]
                        .as_array()
                        .map(|a| a.iter().map(|e| e.to_string()).collect())
                        .unwrap_or_default();
                    elems.sort();
                    out.push((format!("{family} {}", obj["name"]), elems));
                }
            }
        }
    }
    out.sort();
    out
}

fn link(parent: &str, port: u16) -> berth_firewall::LinkRule {
    berth_firewall::LinkRule {
        parent: parent.parse().unwrap(),
        child: "172.17.0.2".parse().unwrap(),
        proto: Proto::Tcp,
        port,
    }
}

#[test]
fn element_updates_end_where_a_full_replace_does() {
    private_netns();
    let mut quiet = net("berth0", "172.17.0.0/16");
    quiet.icc = false;
    let mut s1 = state(
        vec![quiet.clone()],
        vec![
            port(Proto::Tcp, 8080, "172.17.0.2", 80, "berth0"),
            port(Proto::Udp, 5353, "172.17.0.3", 53, "berth0"),
        ],
    );
    s1.links = vec![link("172.17.0.3", 80)];
    // A port gone, one moved to a new address (a restart), one new; a link gone, one new.
    let mut s2 = state(
        vec![quiet.clone()],
        vec![
            port(Proto::Tcp, 8080, "172.17.0.9", 80, "berth0"),
            port(Proto::Tcp, 9000, "172.17.0.4", 90, "berth0"),
        ],
    );
    s2.links = vec![link("172.17.0.4", 80)];
    s2.normalize();
    // Another network too: the general comparison of two renderings.
    let mut s3 = s2.clone();
    s3.networks.push(net("br-0123456789ab", "172.18.0.0/16"));
    s3.normalize();
    let fw = NftFirewall::new();
    fw.apply(&s1).unwrap();
    for next in [&s2, &s3, &s1] {
        fw.apply(next).unwrap();
        let updated = all_elements();
        NftFirewall::new().apply(next).unwrap(); // a fresh driver replaces the tables whole
        assert_eq!(updated, all_elements());
        fw.intact().unwrap();
    }
}

#[test]
fn an_update_refused_because_of_a_change_behind_berths_back_falls_back_to_a_replace() {
    private_netns();
    let s1 = state(
        vec![net("berth0", "172.17.0.0/16")],
        vec![port(Proto::Tcp, 8080, "172.17.0.2", 80, "berth0")],
    );
    let s2 = state(vec![net("berth0", "172.17.0.0/16")], vec![]);
    let fw = NftFirewall::new();
    fw.apply(&s1).unwrap();
    // Someone deletes the element berth is about to delete: the update would fail.
    nft(&[
        "delete",
        "element",
        "inet",
        "berth",
        "dnat4_port",
        "{ tcp . 8080 }",
    ]);
    fw.apply(&s2).unwrap();
    let objs = listed("inet", "berth");
    assert!(elements(&objs, "map", "dnat4_port").is_empty());
    assert!(elements(&objs, "map", "dnat4_addr").is_empty());
    fw.apply(&s1).unwrap();
    assert_eq!(
        elements(&listed("inet", "berth"), "map", "dnat4_port").len(),
        1
    );
}
