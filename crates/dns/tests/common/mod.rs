//! Helpers shared by the integration tests: queries and answers through hickory-proto, an
//! implementation independent of ours, so the wire code is checked against someone else's.
#![allow(dead_code)]

pub mod stub;

use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use berth_dns::{ForwardConfig, NameTable, TableBuilder};
use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};

pub fn query(id: u16, name: &str, rtype: RecordType, edns: Option<u16>) -> Vec<u8> {
    let mut m = Message::new(id, MessageType::Query, OpCode::Query);
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(Name::from_str(name).unwrap(), rtype));
    if let Some(size) = edns {
        let mut e = Edns::new();
        e.set_max_payload(size);
        m.set_edns(e);
    }
    m.to_vec().unwrap()
}

pub fn parse(bytes: &[u8]) -> Message {
    Message::from_vec(bytes).unwrap_or_else(|e| panic!("unparsable answer {bytes:?}: {e}"))
}

pub fn rcode(m: &Message) -> ResponseCode {
    m.metadata.response_code
}

/// The A/AAAA addresses of an answer, in order.
pub fn ips(m: &Message) -> Vec<IpAddr> {
    m.answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect()
}

pub fn ptr(m: &Message) -> Vec<String> {
    m.answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::PTR(p) => Some(p.0.to_string()),
            _ => None,
        })
        .collect()
}

pub fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Network "front": "web" (alias "www", v4 + v6), "api" (v4), and the "pool" alias shared by
/// 5 replicas; network "back": "db". Container "c-web" asks.
pub fn fixture() -> NameTable {
    let mut b = TableBuilder::new();
    b.network("n-front", "front", false);
    b.network("n-back", "back", false);
    b.endpoint(
        "c-web",
        "n-front",
        &names(&["web", "www", "0123456789ab"]),
        Some(Ipv4Addr::new(172, 18, 0, 2)),
        Some("fd00::2".parse().unwrap()),
    );
    b.endpoint(
        "c-api",
        "n-front",
        &names(&["api"]),
        Some(Ipv4Addr::new(172, 18, 0, 3)),
        None,
    );
    for i in 0..5u8 {
        b.endpoint(
            &format!("c-pool{i}"),
            "n-front",
            &names(&[&format!("pool{i}"), "pool"]),
            Some(Ipv4Addr::new(172, 18, 1, i + 1)),
            None,
        );
    }
    b.endpoint(
        "c-db",
        "n-back",
        &names(&["db"]),
        Some(Ipv4Addr::new(172, 19, 0, 2)),
        None,
    );
    b.build()
}

pub fn forwarding(upstreams: Vec<std::net::SocketAddr>) -> ForwardConfig {
    ForwardConfig {
        upstreams,
        ndots: 0,
        forward: true,
    }
}
