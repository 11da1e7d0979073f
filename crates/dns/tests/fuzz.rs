//! The request path against hostile input: the regression corpus in `tests/corpus/`, and
//! property tests over random bytes and mutated valid queries. Whatever comes in, the handler
//! returns, and any answer it writes is a well-formed response to that request.

mod common;

use std::path::Path;

use berth_dns::{handle_request, Outcome, Transport, TCP_MAX};
use common::*;
use hickory_proto::op::{MessageType, ResponseCode};
use hickory_proto::rr::RecordType;
use proptest::prelude::*;

/// Runs one request both ways and checks the invariants every answer must hold.
fn check(request: &[u8]) -> Vec<(Outcome, Option<ResponseCode>)> {
    let table = fixture();
    let config = forwarding(vec!["127.0.0.1:53".parse().unwrap()]);
    let mut results = Vec::new();
    for transport in [Transport::Udp, Transport::Tcp] {
        let mut out = Vec::new();
        let outcome = handle_request(&table, "c-web", &config, transport, request, &mut out);
        let code = match &outcome {
            Outcome::Reply => {
                let limit = match transport {
                    Transport::Udp => 4096,
                    Transport::Tcp => TCP_MAX,
                };
                assert!(out.len() <= limit, "answer of {} bytes", out.len());
                let m = parse(&out);
                assert_eq!(m.metadata.message_type, MessageType::Response);
                assert_eq!(&out[..2], &request[..2], "id not echoed");
                Some(rcode(&m))
            }
            Outcome::Drop => None,
            Outcome::Forward(job) => {
                assert!(job.client_limit >= 512);
                None
            }
        };
        results.push((outcome, code));
    }
    results
}

#[test]
fn corpus_packets_get_the_answer_their_name_says() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "bin") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        for (outcome, code) in check(&bytes) {
            let kind = name.split('-').next().unwrap();
            match kind {
                "drop" => assert!(matches!(outcome, Outcome::Drop), "{name}: {outcome:?}"),
                "formerr" => assert_eq!(code, Some(ResponseCode::FormErr), "{name}"),
                "notimp" => assert_eq!(code, Some(ResponseCode::NotImp), "{name}"),
                "badvers" => assert_eq!(code.map(u16::from), Some(16), "{name}"),
                "ok" => assert!(
                    matches!(outcome, Outcome::Forward(_))
                        || matches!(code, Some(ResponseCode::NoError)),
                    "{name}: {outcome:?} {code:?}"
                ),
                other => panic!("corpus file {name}: unknown kind {other}"),
            }
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} corpus files");
}

fn valid_query() -> impl Strategy<Value = Vec<u8>> {
    let names = prop::sample::select(vec![
        "web",
        "pool",
        "web.front",
        "db",
        "example.com",
        "3.0.18.172.in-addr.arpa",
        ".",
    ]);
    let types = prop::sample::select(vec![
        RecordType::A,
        RecordType::AAAA,
        RecordType::PTR,
        RecordType::MX,
        RecordType::TXT,
        RecordType::ANY,
    ]);
    let edns = prop::option::of(0u16..=u16::MAX);
    (any::<u16>(), names, types, edns).prop_map(|(id, n, t, e)| query(id, n, t, e))
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Overwrite(usize, u16),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
        // Counts and pointers are 16-bit fields: overwrite one with anything.
        (any::<usize>(), any::<u16>()).prop_map(|(at, v)| Mutation::Overwrite(at, v)),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if bytes.is_empty() {
            break;
        }
        match m {
            Mutation::Flip(at, b) => {
                let i = at % bytes.len();
                bytes[i] ^= b;
            }
            Mutation::Truncate(at) => bytes.truncate(at % bytes.len()),
            Mutation::Insert(at, b) => {
                let i = at % bytes.len();
                bytes.splice(i..i, b.iter().copied());
            }
            Mutation::Overwrite(at, v) => {
                let i = at % bytes.len();
                let end = (i + 2).min(bytes.len());
                bytes[i..end].copy_from_slice(&v.to_be_bytes()[..end - i]);
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn random_bytes_never_break_the_handler(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check(&bytes);
    }

    #[test]
    fn random_bytes_after_a_valid_header(
        tail in prop::collection::vec(any::<u8>(), 0..300),
        counts in prop::array::uniform4(0u16..4),
    ) {
        let mut bytes = vec![0x12, 0x34, 0x01, 0x00];
        for c in counts {
            bytes.extend_from_slice(&c.to_be_bytes());
        }
        bytes.extend_from_slice(&tail);
        check(&bytes);
    }

    #[test]
    fn mutated_valid_queries_never_break_the_handler(
        q in valid_query(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        check(&apply(q, &mutations));
    }

    #[test]
    fn valid_queries_are_answered_or_forwarded(q in valid_query()) {
        for (outcome, code) in check(&q) {
            let fine = matches!(outcome, Outcome::Forward(_))
                || matches!(code, Some(ResponseCode::NoError));
            prop_assert!(fine, "{:?} {:?}", outcome, code);
        }
    }
}
