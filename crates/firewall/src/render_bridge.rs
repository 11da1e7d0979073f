//! The companion table `bridge berth`: traffic switched from one port of a bridge to another
//! (container to container on one network) never reaches the `inet` hooks unless
//! br_netfilter is loaded, and loading it is a host-wide change that sends every bridge's
//! traffic on the host through the IP firewall. The bridge family sees those frames
//! natively, so inter-container rules live here: with ICC off (`enable_icc=false`, or the
//! daemon's `--icc=false` for the default bridge) IP traffic between containers of the
//! network is dropped, except what legacy links open. The rules match addresses, not ports
//! of the bridge, so they are in force from the network's creation: a container plugged in
//! before its start is committed has no window of free talk.
//!
//! Links are stateless, as in Docker's link rules: the parent reaches the child's exposed
//! port, and the child's replies from that port go back. The bridge family has no conntrack
//! here (CONFIG_NF_CONNTRACK_BRIDGE is often off), so both directions are matched from one
//! set, the reply with its addresses and port swapped.
//!
//! Neighbour discovery is left alone (ARP is not IP; ICMPv6 ND is accepted), so linked
//! containers still resolve each other's hardware addresses.

use crate::links::LinkRule;
use crate::state::FirewallState;
use serde_json::{json, Value};

pub const BRIDGE_FAMILY: &str = "bridge";
/// The set of links: parent . child . protocol . port.
pub const LINKS_SET: &str = "links4";

/// nft's `filter` priority in the bridge family: before br_netfilter (0) hands the frame to
/// the IP hooks, where it would be accepted as the network's own traffic.
const BRIDGE_FILTER: i32 = -200;

/// The commands that replace table `bridge berth` whole: add, delete, add, then its objects.
pub fn bridge_table_commands(state: &FirewallState) -> Vec<Value> {
    let table = json!({"family": BRIDGE_FAMILY, "name": crate::render::TABLE_NAME});
    let mut cmds = vec![
        json!({"add": {"table": table}}),
        json!({"delete": {"table": table}}),
        json!({"add": {"table": table}}),
    ];
    for set in sets(state) {
        cmds.push(json!({ "add": { "set": set } }));
    }
    cmds.push(json!({"add": {"chain": {
        "family": BRIDGE_FAMILY, "table": crate::render::TABLE_NAME, "name": crate::render::WATCHED_CHAIN,
        "type": "filter", "hook": "forward", "prio": BRIDGE_FILTER, "policy": "accept"
    }}}));
    for exprs in rules() {
        cmds.push(json!({"add": {"rule": {
            "family": BRIDGE_FAMILY, "table": crate::render::TABLE_NAME,
            "chain": crate::render::WATCHED_CHAIN, "expr": exprs
        }}}));
    }
    cmds
}

fn set(name: &str, kind: Value, interval: bool, elems: Vec<Value>) -> Value {
    let mut s = json!({"family": BRIDGE_FAMILY, "table": crate::render::TABLE_NAME,
        "name": name, "type": kind});
    if interval {
        s["flags"] = json!(["interval"]);
    }
    if !elems.is_empty() {
        s["elem"] = Value::Array(elems);
    }
    s
}

fn prefix(addr: impl ToString, len: u8) -> Value {
    json!({"prefix": {"addr": addr.to_string(), "len": len}})
}

pub(crate) fn link_elem(l: &LinkRule) -> Value {
    json!({"concat": [l.parent.to_string(), l.child.to_string(), l.proto.as_str(), l.port]})
}

fn sets(state: &FirewallState) -> Vec<Value> {
    let quiet = || state.networks.iter().filter(|n| !n.icc);
    let v4 = quiet()
        .flat_map(|n| {
            n.subnets4
                .iter()
                .map(|s| prefix(s.network(), s.prefix_len()))
        })
        .collect();
    let v6 = quiet()
        .flat_map(|n| {
            n.subnets6
                .iter()
                .map(|s| prefix(s.network(), s.prefix_len()))
        })
        .collect();
    vec![
        // Subnets of the networks with ICC off.
        set("icc_off4", json!("ipv4_addr"), true, v4),
        set("icc_off6", json!("ipv6_addr"), true, v6),
        // parent . child . protocol . the child's exposed port.
        set(
            LINKS_SET,
            json!(["ipv4_addr", "ipv4_addr", "inet_proto", "inet_service"]),
            false,
            state.links.iter().map(link_elem).collect(),
        ),
    ]
}

fn payload(protocol: &str, field: &str) -> Value {
    json!({"payload": {"protocol": protocol, "field": field}})
}

fn meta(key: &str) -> Value {
    json!({"meta": {"key": key}})
}

fn matches(left: Value, right: Value) -> Value {
    json!({"match": {"op": "==", "left": left, "right": right}})
}

fn rules() -> Vec<Value> {
    let accept = json!({"accept": null});
    let drop = json!({"drop": null});
    let link = |first: &str, second: &str, port: &str| json!({"concat": [payload("ip", first), payload("ip", second), meta("l4proto"), payload("th", port)]});
    let mut out = vec![
        // Parent to the child's exposed port, and the child's replies from it.
        json!([
            matches(link("saddr", "daddr", "dport"), json!("@links4")),
            accept.clone()
        ]),
        json!([
            matches(link("daddr", "saddr", "sport"), json!("@links4")),
            accept.clone()
        ]),
    ];
    for field in ["saddr", "daddr"] {
        out.push(json!([
            matches(payload("ip", field), json!("@icc_off4")),
            drop.clone()
        ]));
    }
    out.push(json!([
        matches(
            payload("icmpv6", "type"),
            json!({"set": ["nd-neighbor-solicit", "nd-neighbor-advert"]})
        ),
        accept
    ]));
    for field in ["saddr", "daddr"] {
        out.push(json!([
            matches(payload("ip6", field), json!("@icc_off6")),
            drop.clone()
        ]));
    }
    out
}
