//! The request handler end to end without sockets: dig-like questions in, answers read back
//! with hickory-proto.

mod common;

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use berth_dns::{handle_request, ForwardConfig, Outcome, TableBuilder, Transport};
use common::*;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;

fn upstream() -> SocketAddr {
    "127.0.0.1:5353".parse().unwrap()
}

fn ask(config: &ForwardConfig, transport: Transport, request: &[u8]) -> (Outcome, Vec<u8>) {
    let table = fixture();
    let mut out = Vec::new();
    let outcome = handle_request(&table, "c-web", config, transport, request, &mut out);
    (outcome, out)
}

fn answer(name: &str, rtype: RecordType) -> hickory_proto::op::Message {
    let (outcome, out) = ask(
        &forwarding(vec![upstream()]),
        Transport::Udp,
        &query(0x1234, name, rtype, None),
    );
    assert!(matches!(outcome, Outcome::Reply), "{name}: {outcome:?}");
    parse(&out)
}

#[test]
fn a_record_like_dig_shows_it() {
    let m = answer("api", RecordType::A);
    assert_eq!(m.metadata.id, 0x1234);
    assert_eq!(rcode(&m), ResponseCode::NoError);
    assert!(m.metadata.recursion_available && m.metadata.recursion_desired);
    assert!(!m.metadata.authoritative && !m.metadata.truncation);
    assert_eq!(m.queries.len(), 1);
    assert_eq!(m.queries[0].name.to_string(), "api.");
    assert_eq!(ips(&m), vec![IpAddr::V4(Ipv4Addr::new(172, 18, 0, 3))]);
    assert_eq!(m.answers[0].ttl, 600);
    assert_eq!(m.answers[0].name.to_string(), "api.");
    assert!(m.edns.is_none());
}

#[test]
fn every_name_and_the_network_form_resolve() {
    for name in [
        "web",
        "www",
        "0123456789ab",
        "web.front",
        "WWW.FRONT.",
        "web.",
    ] {
        let m = answer(name, RecordType::A);
        assert_eq!(
            ips(&m),
            vec![IpAddr::V4(Ipv4Addr::new(172, 18, 0, 2))],
            "{name}"
        );
    }
}

#[test]
fn question_case_is_echoed_exactly() {
    // Built by hand: encoders may lowercase. 0x20-randomising clients check the echo.
    let mut q = query(5, "x", RecordType::A, None);
    q.splice(12..15, b"\x03wEb\x05FrOnT\x00".iter().copied());
    let (_, out) = ask(&forwarding(vec![upstream()]), Transport::Udp, &q);
    assert_eq!(&out[12..12 + 15], b"\x03wEb\x05FrOnT\x00\x00\x01\x00\x01");
    assert_eq!(ips(&parse(&out)).len(), 1);
}

#[test]
fn aaaa_and_nodata() {
    let m = answer("web", RecordType::AAAA);
    assert_eq!(ips(&m), vec!["fd00::2".parse::<IpAddr>().unwrap()]);
    let m = answer("api", RecordType::AAAA);
    assert_eq!(rcode(&m), ResponseCode::NoError);
    assert!(m.answers.is_empty());
    let m = answer("api", RecordType::MX);
    assert_eq!(rcode(&m), ResponseCode::NoError);
    assert!(m.answers.is_empty());
}

#[test]
fn round_robin_returns_every_record_in_varying_order() {
    let mut orders = HashSet::new();
    for _ in 0..50 {
        let got = ips(&answer("pool", RecordType::A));
        let mut sorted = got.clone();
        sorted.sort();
        let want: Vec<IpAddr> = (1..=5)
            .map(|i| IpAddr::V4(Ipv4Addr::new(172, 18, 1, i)))
            .collect();
        assert_eq!(sorted, want);
        orders.insert(got);
    }
    assert!(
        orders.len() > 5,
        "only {} orders in 50 answers",
        orders.len()
    );
}

#[test]
fn ptr_for_a_container_address() {
    let m = answer("3.0.18.172.in-addr.arpa", RecordType::PTR);
    assert_eq!(ptr(&m), vec!["api.front.".to_string()]);
    assert_eq!(m.answers[0].ttl, 600);
}

#[test]
fn names_out_of_scope_are_forwarded_or_refused() {
    let q = query(1, "db", RecordType::A, None);
    let (outcome, _) = ask(&forwarding(vec![upstream()]), Transport::Udp, &q);
    match outcome {
        Outcome::Forward(job) => {
            assert_eq!(job.client_limit, 512);
            assert_eq!(job.transport, Transport::Udp);
        }
        other => panic!("expected forwarding, got {other:?}"),
    }
    // PTR for an address of a network we are not on: forwarded too.
    let q = query(1, "2.0.19.172.in-addr.arpa", RecordType::PTR, None);
    let (outcome, _) = ask(&forwarding(vec![upstream()]), Transport::Udp, &q);
    assert!(matches!(outcome, Outcome::Forward(_)));

    // Forwarding off (internal networks), or no upstream: SERVFAIL, as Docker.
    for config in [
        ForwardConfig {
            upstreams: vec![upstream()],
            ndots: 0,
            forward: false,
        },
        forwarding(vec![]),
    ] {
        let (outcome, out) = ask(
            &config,
            Transport::Udp,
            &query(1, "db", RecordType::A, None),
        );
        assert!(matches!(outcome, Outcome::Reply));
        let m = parse(&out);
        assert_eq!(rcode(&m), ResponseCode::ServFail);
        assert_eq!(m.queries.len(), 1);
    }
}

#[test]
fn internal_networks_never_forward_whatever_the_config() {
    let mut b = TableBuilder::new();
    b.network("n", "inner", true);
    b.endpoint(
        "c",
        "n",
        &names(&["c"]),
        Some(Ipv4Addr::new(10, 0, 0, 2)),
        None,
    );
    let table = b.build();
    let mut out = Vec::new();
    let outcome = handle_request(
        &table,
        "c",
        &forwarding(vec![upstream()]),
        Transport::Udp,
        &query(1, "example.com", RecordType::A, None),
        &mut out,
    );
    assert!(matches!(outcome, Outcome::Reply));
    assert_eq!(rcode(&parse(&out)), ResponseCode::ServFail);
}

#[test]
fn ndots_rule_keeps_dotless_names_local() {
    let config = ForwardConfig {
        upstreams: vec![upstream()],
        ndots: 2,
        forward: true,
    };
    let (outcome, out) = ask(
        &config,
        Transport::Udp,
        &query(1, "printer", RecordType::A, None),
    );
    assert!(matches!(outcome, Outcome::Reply));
    let m = parse(&out);
    assert_eq!(rcode(&m), ResponseCode::NoError);
    assert!(m.answers.is_empty());
    let (outcome, _) = ask(
        &config,
        Transport::Udp,
        &query(1, "printer.lan", RecordType::A, None),
    );
    assert!(matches!(outcome, Outcome::Forward(_)));
    // Our own dotless names still answer; other types still forward.
    let (_, out) = ask(
        &config,
        Transport::Udp,
        &query(1, "web", RecordType::A, None),
    );
    assert_eq!(ips(&parse(&out)).len(), 1);
    let (outcome, _) = ask(
        &config,
        Transport::Udp,
        &query(1, "printer", RecordType::TXT, None),
    );
    assert!(matches!(outcome, Outcome::Forward(_)));
}

#[test]
fn edns_is_answered_with_edns() {
    let (_, out) = ask(
        &forwarding(vec![upstream()]),
        Transport::Udp,
        &query(1, "web", RecordType::A, Some(1232)),
    );
    let m = parse(&out);
    let edns = m.edns.clone().expect("an OPT record");
    assert_eq!(edns.version(), 0);
    assert_eq!(ips(&m).len(), 1);
    // The EDNS size is what the client gets when forwarding.
    let (outcome, _) = ask(
        &forwarding(vec![upstream()]),
        Transport::Udp,
        &query(1, "db", RecordType::A, Some(1232)),
    );
    let Outcome::Forward(job) = outcome else {
        panic!("expected forwarding")
    };
    assert_eq!(job.client_limit, 1232);
}

#[test]
fn big_answers_truncate_over_udp_only() {
    let mut b = TableBuilder::new();
    b.network("n", "net", false);
    for i in 0..100u8 {
        b.endpoint(
            &format!("c{i}"),
            "n",
            &names(&[&format!("r{i}"), "many"]),
            Some(Ipv4Addr::new(10, 0, 1, i)),
            None,
        );
    }
    let table = b.build();
    let config = forwarding(vec![upstream()]);
    let run = |transport, edns| {
        let mut out = Vec::new();
        handle_request(
            &table,
            "c0",
            &config,
            transport,
            &query(1, "many", RecordType::A, edns),
            &mut out,
        );
        out
    };
    let udp = run(Transport::Udp, None);
    assert!(udp.len() <= 512);
    let m = parse(&udp);
    assert!(m.metadata.truncation);
    assert_eq!(ips(&m).len(), (512 - 12 - 10) / 16);

    let m = parse(&run(Transport::Udp, Some(4096)));
    assert!(!m.metadata.truncation);
    assert_eq!(ips(&m).len(), 100);

    let m = parse(&run(Transport::Tcp, None));
    assert!(!m.metadata.truncation);
    assert_eq!(ips(&m).len(), 100);
}

#[test]
fn malformed_queries_get_formerr_or_silence() {
    let config = forwarding(vec![upstream()]);
    let good = query(0x0707, "web", RecordType::A, None);
    let check = |bytes: &[u8]| ask(&config, Transport::Udp, bytes);

    // Shorter than a header: silence.
    assert!(matches!(check(&good[..11]).0, Outcome::Drop));
    // A response: silence.
    let mut resp = good.clone();
    resp[2] |= 0x80;
    assert!(matches!(check(&resp).0, Outcome::Drop));
    // Question cut, no question, two questions, pointer loop: FORMERR with the id.
    let mut no_question = good.clone();
    no_question[5] = 0;
    let mut two = good.clone();
    two[5] = 2;
    let mut looped = good[..12].to_vec();
    looped.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1]);
    for bad in [&good[..good.len() - 2], &no_question, &two, &looped] {
        let (outcome, out) = check(bad);
        assert!(matches!(outcome, Outcome::Reply));
        let m = parse(&out);
        assert_eq!(m.metadata.id, 0x0707);
        assert_eq!(rcode(&m), ResponseCode::FormErr);
    }
    // An UPDATE: NOTIMP.
    let mut update = good.clone();
    update[2] = (update[2] & 0x87) | (5 << 3);
    let (_, out) = check(&update);
    assert_eq!(rcode(&parse(&out)), ResponseCode::NotImp);
    // EDNS version 1: BADVERS.
    let mut v1 = query(9, "web", RecordType::A, Some(1232));
    let at = v1.len() - 11 + 6; // the OPT's version byte
    v1[at] = 1;
    let (_, out) = check(&v1);
    let m = parse(&out);
    assert_eq!(u16::from(rcode(&m)), 16);
}
