use super::*;
use crate::respond::Transport;
use crate::wire::name::encode_text;
use crate::wire::query::parse_query;

const UP: &[SocketAddr] = &[];

fn upstreams() -> Vec<SocketAddr> {
    vec!["127.0.0.53:53".parse().unwrap()]
}

fn question(name: &str, qtype: u16) -> Vec<u8> {
    let mut q = encode_text(name).unwrap();
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&1u16.to_be_bytes());
    q
}

fn query(id: u16, name: &str, qtype: u16) -> ForwardJob {
    let mut m = Vec::new();
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&FLAG_RD.to_be_bytes());
    m.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    m.extend_from_slice(&question(name, qtype));
    ForwardJob {
        query: parse_query(&m).unwrap(),
        client_limit: 512,
        transport: Transport::Udp,
    }
}

/// A response to `name` with `rcode` and records (type, ttl, rdata), all in the answer
/// section except SOA, which goes to authority.
fn response(name: &str, qtype: u16, rcode: u8, records: &[(u16, u32, &[u8])]) -> Vec<u8> {
    let answers = records.iter().filter(|r| r.0 != types::SOA).count() as u16;
    let authority = records.len() as u16 - answers;
    let mut m = Vec::new();
    m.extend_from_slice(&0x7777u16.to_be_bytes());
    m.extend_from_slice(&(0x8000 | FLAG_RD | 0x0080 | u16::from(rcode)).to_be_bytes());
    for n in [1, answers, authority, 0] {
        m.extend_from_slice(&n.to_be_bytes());
    }
    m.extend_from_slice(&question(name, qtype));
    let mut sorted: Vec<_> = records.to_vec();
    sorted.sort_by_key(|r| r.0 == types::SOA);
    for (rtype, ttl, rdata) in sorted {
        m.extend_from_slice(&[0xc0, 12]);
        m.extend_from_slice(&rtype.to_be_bytes());
        m.extend_from_slice(&1u16.to_be_bytes());
        m.extend_from_slice(&ttl.to_be_bytes());
        m.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        m.extend_from_slice(rdata);
    }
    m
}

fn ttls(msg: &[u8]) -> Vec<u32> {
    let mut out = Vec::new();
    walk_records(msg, |_, at| out.push(read_u32(msg, at))).unwrap();
    out
}

#[test]
fn a_kept_answer_comes_back_with_the_clients_id_and_spelling() {
    let cache = AnswerCache::new();
    let ups = upstreams();
    let answer = response(
        "example.com",
        types::A,
        rcode::NOERROR,
        &[
            (types::A, 300, &[192, 0, 2, 1]),
            (types::A, 60, &[192, 0, 2, 2]),
        ],
    );
    cache.store(&ups, &query(1, "example.com", types::A), &answer);
    let got = cache
        .lookup(&ups, &query(0x4242, "ExAmple.COM", types::A))
        .unwrap();
    assert_eq!(Header::parse(&got).unwrap().id, 0x4242);
    assert_eq!(
        &got[HEADER_LEN..HEADER_LEN + 13],
        &encode_text("ExAmple.COM").unwrap()[..]
    );
    assert_eq!(ttls(&got), vec![300, 60]);
    assert_eq!(&got[HEADER_LEN + 13..], &answer[HEADER_LEN + 13..]);
}

#[test]
fn the_key_tells_upstreams_types_and_names_apart() {
    let cache = AnswerCache::new();
    let ups = upstreams();
    let answer = response("a.example", types::A, 0, &[(types::A, 30, &[192, 0, 2, 1])]);
    cache.store(&ups, &query(1, "a.example", types::A), &answer);
    assert!(cache.lookup(UP, &query(1, "a.example", types::A)).is_none());
    assert!(cache
        .lookup(&ups, &query(1, "a.example", types::AAAA))
        .is_none());
    assert!(cache
        .lookup(&ups, &query(1, "b.example", types::A))
        .is_none());
    assert!(cache
        .lookup(&ups, &query(1, "a.example", types::A))
        .is_some());
}

#[test]
fn failures_truncation_zero_ttl_and_bare_negatives_are_not_kept() {
    let cache = AnswerCache::new();
    let ups = upstreams();
    let job = query(1, "x.example", types::A);
    cache.store(
        &ups,
        &job,
        &response("x.example", types::A, rcode::SERVFAIL, &[]),
    );
    cache.store(
        &ups,
        &job,
        &response("x.example", types::A, rcode::REFUSED, &[]),
    );
    cache.store(
        &ups,
        &job,
        &response("x.example", types::A, rcode::NXDOMAIN, &[]),
    );
    cache.store(
        &ups,
        &job,
        &response("x.example", types::A, 0, &[(types::A, 0, &[1, 2, 3, 4])]),
    );
    let mut cut = response("x.example", types::A, 0, &[(types::A, 9, &[1, 2, 3, 4])]);
    header::set_truncated(&mut cut);
    cache.store(&ups, &job, &cut);
    cache.store(&ups, &job, b"\x00\x01garbage");
    assert_eq!(cache.len(), 0);
}

#[test]
fn a_negative_answer_is_kept_for_its_soa_ttl_capped() {
    let cache = AnswerCache::new();
    let ups = upstreams();
    let job = query(1, "nope.example", types::A);
    let soa = [0u8; 22];
    let nx = response(
        "nope.example",
        types::A,
        rcode::NXDOMAIN,
        &[(types::SOA, 90_000, &soa)],
    );
    assert_eq!(cacheable_ttl(&nx), Some(MAX_TTL));
    cache.store(&ups, &job, &nx);
    let got = cache.lookup(&ups, &job).unwrap();
    assert_eq!(got[3] & 0x0f, rcode::NXDOMAIN);
}

#[test]
fn ttls_age_and_expired_answers_go() {
    let mut answer = response("t.example", types::A, 0, &[(types::A, 10, &[1, 2, 3, 4])]);
    age_ttls(&mut answer, 4).unwrap();
    assert_eq!(ttls(&answer), vec![6]);
    age_ttls(&mut answer, 60).unwrap();
    assert_eq!(ttls(&answer), vec![0]);

    let cache = AnswerCache::new();
    let ups = upstreams();
    let job = query(1, "t.example", types::A);
    let answer = response("t.example", types::A, 0, &[(types::A, 1, &[1, 2, 3, 4])]);
    cache.store(&ups, &job, &answer);
    assert!(cache.lookup(&ups, &job).is_some());
    std::thread::sleep(Duration::from_millis(1100));
    assert!(cache.lookup(&ups, &job).is_none());
    assert_eq!(cache.len(), 0);
}

#[test]
fn a_full_cache_makes_room() {
    let cache = AnswerCache::new();
    let ups = upstreams();
    for i in 0..CAPACITY + 10 {
        let name = format!("n{i}.example");
        let answer = response(&name, types::A, 0, &[(types::A, 60, &[1, 2, 3, 4])]);
        cache.store(&ups, &query(1, &name, types::A), &answer);
        assert!(cache.len() <= CAPACITY);
    }
}
