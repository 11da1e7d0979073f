//! The pure renderer: a [`FirewallState`] to the nftables JSON document that replaces table
//! `inet berth` whole.
//!
//! The rule count is fixed: every per-network and per-port fact lives in a named set or map,
//! so the 500th container or the 1,000th published port is one more element, not one more rule.
//!
//! Published ports are DNAT, for packets from other hosts (prerouting) and from the host itself
//! (output), with no userland proxy. A proxy terminates the connection, so the container sees
//! the proxy's address instead of the client's, and every byte crosses user space twice (Docker's
//! docker-proxy roughly halves throughput). DNAT rewrites only the destination: an external
//! client's source address reaches the container unchanged. Masquerade is added only where the
//! kernel path needs it for replies to come back through the host: traffic from 127.0.0.0/8
//! (with `route_localnet` on) and hairpin traffic, whose source is on the bridge it leaves by.
//!
//! The DNAT target is two lookups with one key, an address map and a port map: nft 1.0.6 (the
//! version Debian 12 ships) cannot parse a JSON map whose data is a concatenation
//! (`ipv4_addr . inet_service`), although it prints one.
//!
//! Isolation: a forwarded packet that enters by one berth bridge and leaves by another crossed
//! networks and is dropped. Traffic in and out by the same bridge is the network's own (hairpin
//! DNAT, or, where br_netfilter is loaded, frames switched between the bridge's ports) and is
//! accepted first. berth itself needs no br_netfilter: ICC off and links are enforced on the
//! switched frames themselves, in the companion table `bridge berth` ([`crate::render_bridge`]),
//! which the same transaction replaces.

use crate::state::{FirewallState, NetworkRules, PortForward};
use berth_model::container::ports::Proto;
use nftables::schema::Nftables;
use serde_json::{json, Value};

pub const TABLE_FAMILY: &str = "inet";
pub const TABLE_NAME: &str = "berth";

/// The chain the watchdog lists to tell that the table is whole: it always holds rules.
pub const WATCHED_CHAIN: &str = "forward";

/// Priorities as nft names them: dstnat -100, srcnat 100, filter 0.
const DSTNAT: i32 = -100;
const SRCNAT: i32 = 100;
const FILTER: i32 = 0;

/// The document replacing tables `inet berth` and `bridge berth`: for each, add (so the
/// delete cannot fail when it is missing), delete, then the whole table; one `nft -j -f -`
/// runs it as one transaction.
pub fn render(state: &FirewallState) -> Result<Nftables<'static>, serde_json::Error> {
    serde_json::from_value(render_value(state))
}

/// [`render`] as plain JSON.
pub fn render_value(state: &FirewallState) -> Value {
    let mut cmds = vec![
        json!({"add": {"table": table()}}),
        json!({"delete": {"table": table()}}),
        json!({"add": {"table": table()}}),
    ];
    for object in sets(state).into_iter().chain(maps(state)) {
        cmds.push(json!({ "add": object }));
    }
    for (name, kind, hook, prio) in [
        ("prerouting", "nat", "prerouting", DSTNAT),
        ("output", "nat", "output", DSTNAT),
        ("postrouting", "nat", "postrouting", SRCNAT),
        ("forward", "filter", "forward", FILTER),
    ] {
        cmds.push(json!({"add": {"chain": {
            "family": TABLE_FAMILY, "table": TABLE_NAME, "name": name,
            "type": kind, "hook": hook, "prio": prio, "policy": "accept"
        }}}));
    }
    for (chain, exprs) in rules() {
        cmds.push(json!({"add": {"rule": {
            "family": TABLE_FAMILY, "table": TABLE_NAME, "chain": chain, "expr": exprs
        }}}));
    }
    cmds.extend(crate::render_bridge::bridge_table_commands(state));
    json!({ "nftables": cmds })
}

fn table() -> Value {
    json!({"family": TABLE_FAMILY, "name": TABLE_NAME})
}

fn set(name: &str, kind: Value, interval: bool, elems: Vec<Value>) -> Value {
    let mut s = json!({"family": TABLE_FAMILY, "table": TABLE_NAME, "name": name, "type": kind});
    if interval {
        s["flags"] = json!(["interval"]);
    }
    if !elems.is_empty() {
        s["elem"] = Value::Array(elems);
    }
    json!({ "set": s })
}

fn map(name: &str, key: Value, data: &str, elems: Vec<Value>) -> Value {
    let mut m = json!({"family": TABLE_FAMILY, "table": TABLE_NAME, "name": name,
        "type": key, "map": data});
    if !elems.is_empty() {
        m["elem"] = Value::Array(elems);
    }
    json!({ "map": m })
}

fn prefix(addr: impl ToString, len: u8) -> Value {
    json!({"prefix": {"addr": addr.to_string(), "len": len}})
}

fn sets(state: &FirewallState) -> Vec<Value> {
    let nets = &state.networks;
    let names = |f: &dyn Fn(&NetworkRules) -> bool| -> Vec<Value> {
        nets.iter()
            .filter(|n| f(n))
            .map(|n| json!(n.bridge))
            .collect()
    };
    let masq4 = nets
        .iter()
        .filter(|n| n.masquerade)
        .flat_map(|n| {
            n.subnets4
                .iter()
                .map(|s| prefix(s.network(), s.prefix_len()))
        })
        .collect();
    let masq6 = nets
        .iter()
        .filter(|n| n.masquerade)
        .flat_map(|n| {
            n.subnets6
                .iter()
                .map(|s| prefix(s.network(), s.prefix_len()))
        })
        .collect();
    let on_bridge4 = nets
        .iter()
        .flat_map(|n| {
            n.subnets4
                .iter()
                .map(|s| json!({"concat": [n.bridge, prefix(s.network(), s.prefix_len())]}))
        })
        .collect();
    let on_bridge6 = nets
        .iter()
        .flat_map(|n| {
            n.subnets6
                .iter()
                .map(|s| json!({"concat": [n.bridge, prefix(s.network(), s.prefix_len())]}))
        })
        .collect();
    vec![
        // Every berth bridge: traffic routed from one to another crossed networks.
        set("bridges", json!("ifname"), false, names(&|_| true)),
        // Each bridge paired with itself: traffic that stays on one bridge is that network's own.
        set(
            "same_bridge",
            json!(["ifname", "ifname"]),
            false,
            nets.iter()
                .map(|n| json!({"concat": [n.bridge, n.bridge]}))
                .collect(),
        ),
        // Bridges of `--internal` networks: nothing is forwarded in or out.
        set("internal", json!("ifname"), false, names(&|n| n.internal)),
        // Subnets whose traffic is masqueraded when it leaves for a non-berth interface.
        set("masq4", json!("ipv4_addr"), true, masq4),
        set("masq6", json!("ipv6_addr"), true, masq6),
        // Each bridge with its subnets: a DNAT'd packet leaving a bridge with a source on that
        // same bridge is hairpin traffic, masqueraded so the reply comes back through the host.
        set(
            "bridge_nets4",
            json!(["ifname", "ipv4_addr"]),
            true,
            on_bridge4,
        ),
        set(
            "bridge_nets6",
            json!(["ifname", "ipv6_addr"]),
            true,
            on_bridge6,
        ),
    ]
}

/// The port maps, in the order they are declared: for IPv4 then IPv6, ports bound to every
/// local address (keyed on protocol and port), then ports bound to one host address (keyed on
/// that address too), each as an address map and a port map.
const MAPS: [(&str, bool, bool); 4] = [
    ("_addr", false, false),
    ("_port", false, true),
    ("_ip_addr", true, false),
    ("_ip_port", true, true),
];

fn map_name(v6: bool, suffix: &str) -> String {
    format!("dnat{}{suffix}", if v6 { "6" } else { "4" })
}

/// The map elements one published port contributes, as (map name, `[key, data]`): one in an
/// address map and one in a port map; none for a host address of the other family than the
/// container's (nothing could be translated).
pub(crate) fn port_elements(p: &PortForward) -> Vec<(String, Value)> {
    let v6 = p.container_ip.is_ipv6();
    let bound = match p.host_ip {
        None => false,
        Some(ip) if ip.is_ipv6() == v6 => true,
        Some(_) => return Vec::new(),
    };
    let key = match p.host_ip {
        Some(ip) if bound => json!({"concat": [ip.to_string(), proto(p.proto), p.host_port]}),
        _ => json!({"concat": [proto(p.proto), p.host_port]}),
    };
    MAPS.iter()
        .filter(|(_, with_ip, _)| *with_ip == bound)
        .map(|(suffix, _, is_port)| {
            let data = if *is_port {
                json!(p.container_port)
            } else {
                json!(p.container_ip.to_string())
            };
            (map_name(v6, suffix), json!([key.clone(), data]))
        })
        .collect()
}

fn maps(state: &FirewallState) -> Vec<Value> {
    let mut elems: std::collections::HashMap<String, Vec<Value>> = Default::default();
    for p in &state.ports {
        for (name, elem) in port_elements(p) {
            elems.entry(name).or_default().push(elem);
        }
    }
    let mut out = Vec::new();
    for v6 in [false, true] {
        let addr_type = if v6 { "ipv6_addr" } else { "ipv4_addr" };
        for (suffix, with_ip, is_port) in MAPS {
            let key = if with_ip {
                json!([addr_type, "inet_proto", "inet_service"])
            } else {
                json!(["inet_proto", "inet_service"])
            };
            let data = if is_port { "inet_service" } else { addr_type };
            let name = map_name(v6, suffix);
            let list = elems.remove(&name).unwrap_or_default();
            out.push(map(&name, key, data, list));
        }
    }
    out
}

fn proto(p: Proto) -> &'static str {
    p.as_str()
}

fn meta(key: &str) -> Value {
    json!({"meta": {"key": key}})
}

fn payload(protocol: &str, field: &str) -> Value {
    json!({"payload": {"protocol": protocol, "field": field}})
}

fn matches(op: &str, left: Value, right: Value) -> Value {
    json!({"match": {"op": op, "left": left, "right": right}})
}

fn l3(v6: bool) -> &'static str {
    if v6 {
        "ip6"
    } else {
        "ip"
    }
}

/// `dnat ip to KEY map @NAME_addr : KEY map @NAME_port`.
fn dnat(v6: bool, key: Value, maps: &str) -> Value {
    json!({"dnat": {
        "family": l3(v6),
        "addr": {"map": {"key": key.clone(), "data": format!("@{maps}_addr")}},
        "port": {"map": {"key": key, "data": format!("@{maps}_port")}}
    }})
}

/// The DNAT rules of one chain (prerouting or output): ports bound to one host address
/// first, then ports bound to every local address. A map lookup that misses ends the rule
/// without a verdict, so traffic to any other port goes on untouched.
fn dnat_rules(v6: bool) -> Vec<Value> {
    let fam = if v6 { "6" } else { "4" };
    let nfproto = matches(
        "==",
        meta("nfproto"),
        json!(if v6 { "ipv6" } else { "ipv4" }),
    );
    let l4 = vec![meta("l4proto"), payload("th", "dport")];
    let mut with_ip = vec![payload(l3(v6), "daddr")];
    with_ip.extend(l4.clone());
    vec![
        json!([
            nfproto.clone(),
            dnat(v6, json!({"concat": with_ip}), &format!("dnat{fam}_ip"))
        ]),
        json!([
            nfproto,
            matches(
                "==",
                json!({"fib": {"result": "type", "flags": ["daddr"]}}),
                json!("local")
            ),
            dnat(v6, json!({"concat": l4}), &format!("dnat{fam}"))
        ]),
    ]
}

fn rules() -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    for chain in ["prerouting", "output"] {
        for v6 in [false, true] {
            for r in dnat_rules(v6) {
                out.push((chain, r));
            }
        }
    }
    let masquerade = json!({"masquerade": null});
    for v6 in [false, true] {
        let fam = if v6 { "6" } else { "4" };
        // Containers reaching beyond the host leave with the host's address.
        out.push((
            "postrouting",
            json!([
                matches("==", payload(l3(v6), "saddr"), json!(format!("@masq{fam}"))),
                matches("!=", meta("oifname"), json!("@bridges")),
                masquerade
            ]),
        ));
        // Hairpin: a container reaching a published port on its own bridge.
        out.push((
            "postrouting",
            json!([
                matches("in", json!({"ct": {"key": "status"}}), json!("dnat")),
                matches(
                    "==",
                    json!({"concat": [meta("oifname"), payload(l3(v6), "saddr")]}),
                    json!(format!("@bridge_nets{fam}"))
                ),
                masquerade
            ]),
        ));
    }
    // The host's own 127.0.0.1 reaching a published port: a loopback source cannot leave by a
    // bridge (the container could not answer it), so it takes the bridge's address.
    out.push((
        "postrouting",
        json!([
            matches("==", payload("ip", "saddr"), prefix("127.0.0.0", 8)),
            matches("==", meta("oifname"), json!("@bridges")),
            masquerade
        ]),
    ));
    let drop = json!({"drop": null});
    let accept = json!({"accept": null});
    out.extend([
        // A network's own traffic: hairpin DNAT, and with br_netfilter loaded (the kernel then
        // shows frames switched between two ports of one bridge to this hook, in and out by
        // the bridge) everything between its containers. ICC off is enforced below this, on
        // the bridge ports, which br_netfilter does not bypass.
        (
            "forward",
            json!([
                matches(
                    "==",
                    json!({"concat": [meta("iifname"), meta("oifname")]}),
                    json!("@same_bridge")
                ),
                accept.clone()
            ]),
        ),
        // Internal networks: nothing forwarded in or out.
        (
            "forward",
            json!([matches("==", meta("iifname"), json!("@internal")), drop]),
        ),
        (
            "forward",
            json!([matches("==", meta("oifname"), json!("@internal")), drop]),
        ),
        (
            "forward",
            json!([
                matches(
                    "in",
                    json!({"ct": {"key": "state"}}),
                    json!(["established", "related"])
                ),
                accept
            ]),
        ),
        // Published ports are reachable from every network, through the host's addresses.
        (
            "forward",
            json!([
                matches("in", json!({"ct": {"key": "status"}}), json!("dnat")),
                accept
            ]),
        ),
        // Isolation: nothing routed from one berth bridge to another.
        (
            "forward",
            json!([
                matches("==", meta("iifname"), json!("@bridges")),
                matches("==", meta("oifname"), json!("@bridges")),
                drop
            ]),
        ),
    ]);
    out
}
