//! The lookup rules from fixtures: two networks, a few containers, links.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::lookup::{reverse_addr, Answer};
use crate::table::{NameTable, TableBuilder};
use crate::wire::types::{A, AAAA, MX, PTR, TXT};

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn v4(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn addrs(list: &[&str]) -> Answer {
    Answer::Addresses(list.iter().map(|s| s.parse::<IpAddr>().unwrap()).collect())
}

/// front: web (alias "www"), api; back: db, api (also on back), cache (v6 only, "Cache").
/// "lonely" is on no DNS network (the default bridge).
fn fixture() -> NameTable {
    let mut b = TableBuilder::new();
    b.network("n-front", "front", false);
    b.network("n-back", "back", false);
    b.endpoint(
        "c-web",
        "n-front",
        &names(&["web", "www", "c0ffee000001", "webhost"]),
        Some(v4("172.18.0.2")),
        Some("fd00::2".parse().unwrap()),
    );
    b.endpoint(
        "c-api",
        "n-front",
        &names(&["api", "c0ffee000002"]),
        Some(v4("172.18.0.3")),
        None,
    );
    b.endpoint(
        "c-api",
        "n-back",
        &names(&["api", "c0ffee000002"]),
        Some(v4("172.19.0.3")),
        None,
    );
    b.endpoint(
        "c-db",
        "n-back",
        &names(&["db", "c0ffee000003", "db"]),
        Some(v4("172.19.0.2")),
        None,
    );
    b.endpoint(
        "c-cache",
        "n-back",
        &names(&["Cache"]),
        None,
        Some("fd01::5".parse().unwrap()),
    );
    b.endpoint(
        "c-lonely",
        "n-bridge",
        &names(&["lonely"]),
        Some(v4("172.17.0.2")),
        None,
    );
    b.build()
}

#[test]
fn names_resolve_on_shared_networks_only() {
    let t = fixture();
    assert_eq!(t.lookup("c-web", "api", A), addrs(&["172.18.0.3"]));
    assert_eq!(t.lookup("c-web", "db", A), Answer::NotOurs);
    assert_eq!(t.lookup("c-db", "web", A), Answer::NotOurs);
    assert_eq!(t.lookup("c-db", "api", A), addrs(&["172.19.0.3"]));
    // api is on both: front (its first network) answers for itself.
    assert_eq!(t.lookup("c-api", "api", A), addrs(&["172.18.0.3"]));
    assert_eq!(t.lookup("c-api", "db", A), addrs(&["172.19.0.2"]));
    // A container on no DNS network sees nothing; unknown askers neither.
    assert_eq!(t.lookup("c-lonely", "lonely", A), Answer::NotOurs);
    assert_eq!(t.lookup("nobody", "web", A), Answer::NotOurs);
    assert_eq!(t.container_count(), 4);
}

#[test]
fn every_dns_name_resolves_case_insensitively_with_trailing_dot() {
    let t = fixture();
    for name in [
        "web",
        "www",
        "c0ffee000001",
        "webhost",
        "WEB",
        "Www.",
        "webhost.",
    ] {
        assert_eq!(t.lookup("c-api", name, A), addrs(&["172.18.0.2"]), "{name}");
    }
    assert_eq!(t.lookup("c-db", "cache", AAAA), addrs(&["fd01::5"]));
}

#[test]
fn name_dot_network_form() {
    let t = fixture();
    assert_eq!(t.lookup("c-api", "api.back", A), addrs(&["172.19.0.3"]));
    assert_eq!(t.lookup("c-api", "api.front", A), addrs(&["172.18.0.3"]));
    assert_eq!(t.lookup("c-api", "WWW.Front.", A), addrs(&["172.18.0.2"]));
    assert_eq!(t.lookup("c-api", "db.back", A), addrs(&["172.19.0.2"]));
    // Wrong network, or a network the asker is not on.
    assert_eq!(t.lookup("c-api", "db.front", A), Answer::NotOurs);
    assert_eq!(t.lookup("c-web", "db.back", A), Answer::NotOurs);
    assert_eq!(t.lookup("c-web", "web.back", A), Answer::NotOurs);
}

#[test]
fn dotted_names_and_networks() {
    let mut b = TableBuilder::new();
    b.network("n1", "my.net", false);
    b.endpoint("c1", "n1", &names(&["app.v2"]), Some(v4("10.0.0.2")), None);
    let t = b.build();
    assert_eq!(t.lookup("c1", "app.v2", A), addrs(&["10.0.0.2"]));
    assert_eq!(t.lookup("c1", "app.v2.my.net", A), addrs(&["10.0.0.2"]));
    assert_eq!(t.lookup("c1", "app.my.net", A), Answer::NotOurs);
}

#[test]
fn shared_alias_returns_every_address_deduplicated() {
    let mut b = TableBuilder::new();
    b.network("n", "net", false);
    for i in 2..6 {
        b.endpoint(
            &format!("c{i}"),
            "n",
            &names(&[&format!("svc{i}"), "pool", "pool"]),
            Some(Ipv4Addr::new(10, 0, 0, i)),
            None,
        );
    }
    let t = b.build();
    assert_eq!(
        t.lookup("c2", "pool", A),
        addrs(&["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"])
    );
}

#[test]
fn missing_family_is_nodata_not_notours() {
    let t = fixture();
    assert_eq!(t.lookup("c-web", "api", AAAA), Answer::NoData);
    assert_eq!(t.lookup("c-db", "cache", A), Answer::NoData);
    assert_eq!(t.lookup("c-api", "web", AAAA), addrs(&["fd00::2"]));
}

#[test]
fn other_types_for_own_names_are_nodata() {
    let t = fixture();
    assert_eq!(t.lookup("c-web", "api", MX), Answer::NoData);
    assert_eq!(t.lookup("c-web", "api", TXT), Answer::NoData);
    assert_eq!(t.lookup("c-web", "example.com", MX), Answer::NotOurs);
}

#[test]
fn ptr_answers_first_name_dot_network_in_scope() {
    let t = fixture();
    assert_eq!(
        t.lookup("c-api", "2.0.18.172.in-addr.arpa", PTR),
        Answer::Pointer("web.front.".into())
    );
    assert_eq!(
        t.lookup("c-api", "3.0.19.172.in-addr.arpa.", PTR),
        Answer::Pointer("api.back.".into())
    );
    let v6 = "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa";
    assert_eq!(
        t.lookup("c-api", v6, PTR),
        Answer::Pointer("web.front.".into())
    );
    // Out of scope, or not an endpoint address: not ours.
    assert_eq!(
        t.lookup("c-web", "2.0.19.172.in-addr.arpa", PTR),
        Answer::NotOurs
    );
    assert_eq!(
        t.lookup("c-web", "9.0.18.172.in-addr.arpa", PTR),
        Answer::NotOurs
    );
    assert_eq!(
        t.lookup("c-web", "0.18.172.in-addr.arpa", PTR),
        Answer::NotOurs
    );
}

#[test]
fn ptr_keeps_the_names_case() {
    let mut b = TableBuilder::new();
    b.network("n", "MyNet", false);
    b.endpoint("c", "n", &names(&["Web"]), Some(v4("10.1.0.2")), None);
    let t = b.build();
    assert_eq!(
        t.lookup("c", "2.0.1.10.in-addr.arpa", PTR),
        Answer::Pointer("Web.MyNet.".into())
    );
}

#[test]
fn links_are_local_to_the_asker_and_network_and_come_first() {
    let mut b = TableBuilder::new();
    b.network("n", "net", false);
    b.network("m", "other", false);
    b.endpoint("c-a", "n", &names(&["a"]), Some(v4("10.0.0.2")), None);
    b.endpoint("c-b", "n", &names(&["b"]), Some(v4("10.0.0.3")), None);
    b.endpoint("c-c", "n", &names(&["c", "db"]), Some(v4("10.0.0.4")), None);
    b.endpoint("c-x", "m", &names(&["x"]), Some(v4("10.9.0.2")), None);
    b.link("c-a", "n", "db", "c-b"); // shadows c's alias "db" for c-a only
    b.link("c-a", "n", "DataBase", "c-b");
    b.link("c-a", "n", "far", "c-x"); // target not on n: ignored
    let t = b.build();
    assert_eq!(t.lookup("c-a", "db", A), addrs(&["10.0.0.3"]));
    assert_eq!(t.lookup("c-a", "database", A), addrs(&["10.0.0.3"]));
    assert_eq!(t.lookup("c-a", "database.net", A), addrs(&["10.0.0.3"]));
    assert_eq!(t.lookup("c-a", "database", AAAA), Answer::NoData);
    assert_eq!(t.lookup("c-c", "database", A), Answer::NotOurs);
    assert_eq!(t.lookup("c-c", "db", A), addrs(&["10.0.0.4"]));
    assert_eq!(t.lookup("c-a", "far", A), Answer::NotOurs);
}

#[test]
fn later_declarations_replace_earlier_ones() {
    let mut b = TableBuilder::new();
    b.network("n", "old", false);
    b.network("n", "new", false);
    b.endpoint("c", "n", &names(&["a"]), Some(v4("10.0.0.2")), None);
    b.endpoint("c", "n", &names(&["b"]), Some(v4("10.0.0.9")), None);
    let t = b.build();
    assert_eq!(t.network_count(), 1);
    assert_eq!(t.lookup("c", "a", A), Answer::NotOurs);
    assert_eq!(t.lookup("c", "b.new", A), addrs(&["10.0.0.9"]));
}

#[test]
fn internal_flag_is_kept_per_asker() {
    let mut b = TableBuilder::new();
    b.network("i", "inner", true);
    b.network("o", "outer", false);
    b.endpoint("c1", "i", &names(&["one"]), Some(v4("10.0.0.2")), None);
    b.endpoint("c2", "i", &names(&["two"]), Some(v4("10.0.0.3")), None);
    b.endpoint("c2", "o", &names(&["two"]), Some(v4("10.1.0.3")), None);
    let t = b.build();
    assert!(t.asker("c1").unwrap().all_internal);
    assert!(!t.asker("c2").unwrap().all_internal);
}

#[test]
fn reverse_names() {
    assert_eq!(
        reverse_addr(b"4.3.2.1.in-addr.arpa"),
        Some(IpAddr::V4(Ipv4Addr::new(1, 2, 3, 4)))
    );
    assert_eq!(reverse_addr(b"256.3.2.1.in-addr.arpa"), None);
    assert_eq!(reverse_addr(b"4.3.2.1.0.in-addr.arpa"), None);
    assert_eq!(reverse_addr(b"4..2.1.in-addr.arpa"), None);
    assert_eq!(reverse_addr(b"a.3.2.1.in-addr.arpa"), None);
    let ip: Ipv6Addr = "2001:db8::567:89ab".parse().unwrap();
    let nibbles = "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
    assert_eq!(reverse_addr(nibbles.as_bytes()), Some(IpAddr::V6(ip)));
    assert_eq!(reverse_addr(b"1.ip6.arpa"), None);
    assert_eq!(reverse_addr(b"example.com"), None);
}
