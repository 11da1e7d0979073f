//! Golden files: the exact document berth installs for each combination of options, so a
//! change to the rules shows as a reviewable diff. `BERTH_UPDATE_GOLDEN=1 cargo test -p
//! berth-firewall --test golden` rewrites them.

mod common;

use berth_firewall::render::render;
use berth_firewall::FirewallState;
use berth_model::container::ports::Proto;
use common::{net, port, state};
use std::path::PathBuf;

fn check(name: &str, s: &FirewallState) {
    let doc = render(s).expect("renders against the nftables crate's schema");
    let text = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.json"));
    if std::env::var_os("BERTH_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (set BERTH_UPDATE_GOLDEN=1 to write it)",
            path.display()
        )
    });
    assert!(
        want == text,
        "{name}: the rendered ruleset differs from {}; rerun with BERTH_UPDATE_GOLDEN=1 and review the diff\n{text}",
        path.display()
    );
}

#[test]
fn default_bridge_only() {
    check(
        "default_bridge",
        &state(vec![net("berth0", "172.17.0.0/16")], vec![]),
    );
}

#[test]
fn internal_network() {
    let mut internal = net("br-0123456789ab", "172.18.0.0/16");
    internal.internal = true;
    internal.masquerade = false;
    check(
        "internal",
        &state(vec![net("berth0", "172.17.0.0/16"), internal], vec![]),
    );
}

#[test]
fn masquerade_off() {
    let mut plain = net("br-0123456789ab", "172.18.0.0/16");
    plain.masquerade = false;
    check(
        "masquerade_off",
        &state(vec![net("berth0", "172.17.0.0/16"), plain], vec![]),
    );
}

#[test]
fn icc_off() {
    // ICC off is the network's subnet in the bridge table's icc_off4 set.
    let mut quiet = net("br-0123456789ab", "172.18.0.0/16");
    quiet.icc = false;
    check(
        "icc_off",
        &state(vec![net("berth0", "172.17.0.0/16"), quiet], vec![]),
    );
}

#[test]
fn links_under_icc_off() {
    // The default bridge with --icc=false: a parent linked to a child exposing 80/tcp and
    // 53/udp, and a second parent linked to the same child.
    let mut quiet = net("berth0", "172.17.0.0/16");
    quiet.icc = false;
    quiet.subnets6 = vec!["fd00:17::/64".parse().unwrap()];
    let mut s = state(vec![quiet], vec![]);
    let rule = |parent: &str, proto, port| berth_firewall::LinkRule {
        parent: parent.parse().unwrap(),
        child: "172.17.0.2".parse().unwrap(),
        proto,
        port,
    };
    s.links = vec![
        rule("172.17.0.3", Proto::Tcp, 80),
        rule("172.17.0.3", Proto::Udp, 53),
        rule("172.17.0.4", Proto::Tcp, 80),
    ];
    s.normalize();
    check("links", &s);
}

#[test]
fn ipv6_dual_stack() {
    let mut dual = net("br-0123456789ab", "172.18.0.0/16");
    dual.subnets6 = vec!["fd12:3456:789a:1::/64".parse().unwrap()];
    let mut v6port = port(
        Proto::Tcp,
        8080,
        "fd12:3456:789a:1::2",
        80,
        "br-0123456789ab",
    );
    v6port.host_ip = None;
    check(
        "ipv6",
        &state(
            vec![net("berth0", "172.17.0.0/16"), dual],
            vec![
                port(Proto::Tcp, 8080, "172.18.0.2", 80, "br-0123456789ab"),
                v6port,
            ],
        ),
    );
}

#[test]
fn published_ports() {
    check(
        "ports",
        &state(
            vec![
                net("berth0", "172.17.0.0/16"),
                net("br-0123456789ab", "172.18.0.0/16"),
            ],
            vec![
                port(Proto::Tcp, 6379, "172.17.0.2", 6379, "berth0"),
                port(Proto::Udp, 5353, "172.17.0.2", 53, "berth0"),
                port(Proto::Sctp, 9000, "172.18.0.3", 9000, "br-0123456789ab"),
                port(Proto::Tcp, 3306, "172.18.0.2", 3306, "br-0123456789ab"),
            ],
        ),
    );
}

#[test]
fn host_binding_ip() {
    let mut bound = port(Proto::Tcp, 8080, "172.17.0.2", 80, "berth0");
    bound.host_ip = Some("127.0.0.1".parse().unwrap());
    let mut bound2 = port(Proto::Udp, 8080, "172.17.0.2", 80, "berth0");
    bound2.host_ip = Some("10.1.2.3".parse().unwrap());
    check(
        "host_binding_ip",
        &state(
            vec![net("berth0", "172.17.0.0/16")],
            vec![
                bound,
                bound2,
                port(Proto::Tcp, 8081, "172.17.0.2", 81, "berth0"),
            ],
        ),
    );
}

#[test]
fn port_range_is_elements_not_rules() {
    // A 1,000-port range adds map elements only: the rules are the same as for one port.
    let one = state(
        vec![net("berth0", "172.17.0.0/16")],
        vec![port(Proto::Tcp, 10000, "172.17.0.2", 10000, "berth0")],
    );
    let many = state(
        vec![net("berth0", "172.17.0.0/16")],
        (0..1000)
            .map(|i| port(Proto::Tcp, 10000 + i, "172.17.0.2", 10000 + i, "berth0"))
            .collect(),
    );
    let rules = |s: &FirewallState| {
        let v = berth_firewall::render::render_value(s);
        v["nftables"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["add"].get("rule").is_some())
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(rules(&one), rules(&many));
    let elems = |s: &FirewallState| {
        let v = berth_firewall::render::render_value(s);
        v["nftables"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["add"]["map"]["name"] == "dnat4_addr")
            .map(|c| c["add"]["map"]["elem"].as_array().map_or(0, |a| a.len()))
            .sum::<usize>()
    };
    assert_eq!(elems(&many), 1000);
}
