//! The request handler: one request's bytes in, and either an answer written into a buffer, a
//! decision to forward, or silence. Synchronous and free of I/O, so the UDP loop runs it over
//! a whole batch without awaiting, and tests and fuzzers call it directly.

use crate::config::ForwardConfig;
use crate::lookup::{reverse_addr, Family};
use crate::rng::Rng;
use crate::table::{Asker, NameTable};
use crate::wire::build::{self, AnswerWriter, Rdata, OUR_EDNS_SIZE};
use crate::wire::header::rcode;
use crate::wire::query::{parse_query, Query, Reject};
use crate::wire::types;

/// Largest DNS message over TCP (two length bytes).
pub const TCP_MAX: usize = 65535;
/// Largest answer of our own over UDP: what we advertise (clients may ask for more).
const UDP_ANSWER_CAP: usize = OUR_EDNS_SIZE as usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
}

/// What to do with one request.
#[derive(Debug)]
pub enum Outcome {
    /// The answer is in the output buffer.
    Reply,
    /// Not one of our names: relay the request to the upstreams.
    Forward(Box<ForwardJob>),
    /// Not a query (no header, or a response): say nothing.
    Drop,
}

/// A query to relay, with what is needed to answer the client if relaying fails.
#[derive(Debug, Clone)]
pub struct ForwardJob {
    pub query: Query,
    /// Largest answer the client takes: its UDP size (512 without EDNS) or 65535 over TCP.
    pub client_limit: usize,
    pub transport: Transport,
}

/// Forwarding decisions for one container, precomputed from its [`ForwardConfig`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    pub(crate) forward: bool,
    pub(crate) ndots: u32,
}

impl Policy {
    pub(crate) fn new(config: &ForwardConfig) -> Policy {
        Policy {
            forward: config.forward && !config.upstreams().is_empty(),
            ndots: config.ndots,
        }
    }
}

/// Handles one request from container `asker` (public for tests and fuzzing; the server uses
/// the same code through its per-batch fast path).
pub fn handle_request(
    table: &NameTable,
    asker: &str,
    config: &ForwardConfig,
    transport: Transport,
    request: &[u8],
    out: &mut Vec<u8>,
) -> Outcome {
    let mut rng = Rng::from_entropy();
    respond(
        table,
        table.asker(asker),
        Policy::new(config),
        transport,
        request,
        &mut rng,
        out,
    )
}

pub(crate) fn respond(
    table: &NameTable,
    asker: Option<&Asker>,
    policy: Policy,
    transport: Transport,
    request: &[u8],
    rng: &mut Rng,
    out: &mut Vec<u8>,
) -> Outcome {
    let query = match parse_query(request) {
        Ok(q) => q,
        Err(Reject::Drop) => return Outcome::Drop,
        Err(Reject::FormErr(h)) => {
            build::header_only(out, &h, rcode::FORMERR);
            return Outcome::Reply;
        }
        Err(Reject::NotImp(h)) => {
            build::header_only(out, &h, rcode::NOTIMP);
            return Outcome::Reply;
        }
        Err(Reject::BadVers(h)) => {
            build::badvers(out, &h);
            return Outcome::Reply;
        }
    };
    let client_limit = match transport {
        Transport::Udp => query.udp_limit(),
        Transport::Tcp => TCP_MAX,
    };
    let limit = client_limit.min(match transport {
        Transport::Udp => UDP_ANSWER_CAP,
        Transport::Tcp => TCP_MAX,
    });
    if let Some(asker) = asker {
        if answer_locally(table, asker, &query, limit, rng, out) {
            return Outcome::Reply;
        }
    }
    // Not ours. Docker's ndots rule: a dotless A/AAAA name is left to the search domains.
    if policy.ndots > 0
        && matches!(query.qtype, types::A | types::AAAA)
        && !query.name.text().contains(&b'.')
    {
        AnswerWriter::new(out, &query, rcode::NOERROR, limit).finish();
        return Outcome::Reply;
    }
    if !policy.forward || asker.is_some_and(|a| a.all_internal) {
        AnswerWriter::new(out, &query, rcode::SERVFAIL, limit).finish();
        return Outcome::Reply;
    }
    Outcome::Forward(Box::new(ForwardJob {
        query,
        client_limit,
        transport,
    }))
}

/// Writes the answer when the question is about one of our names; false when it is not.
fn answer_locally(
    table: &NameTable,
    asker: &Asker,
    q: &Query,
    limit: usize,
    rng: &mut Rng,
    out: &mut Vec<u8>,
) -> bool {
    if q.qclass != types::CLASS_IN || q.name.ambiguous() {
        return false;
    }
    let name = q.name.text();
    if q.qtype == types::PTR {
        if let Some(ip) = reverse_addr(name) {
            let Some(target) = table.find_ptr(asker, ip) else {
                return false;
            };
            let mut w = AnswerWriter::new(out, q, rcode::NOERROR, limit);
            w.push(Rdata::Ptr(target));
            w.finish();
            return true;
        }
    }
    let family = match q.qtype {
        types::A => Family::V4,
        types::AAAA => Family::V6,
        _ => Family::Any,
    };
    let Some(records) = table.find(asker, name, family) else {
        return false;
    };
    // Own name: A/AAAA get their records (maybe none: NODATA); any other type NODATA too, so
    // a container name never leaks upstream (Docker does this for MX and forwards the rest).
    let mut w = AnswerWriter::new(out, q, rcode::NOERROR, limit);
    match family {
        Family::V4 => push_shuffled(&mut w, &records.v4, rng, |ip| Rdata::A(*ip)),
        Family::V6 => push_shuffled(&mut w, &records.v6, rng, |ip| Rdata::Aaaa(*ip)),
        Family::Any => {}
    }
    w.finish();
    true
}

/// Pushes the records in a fresh random order (Docker shuffles every answer).
fn push_shuffled<T>(
    w: &mut AnswerWriter<'_>,
    items: &[T],
    rng: &mut Rng,
    rdata: impl Fn(&T) -> Rdata<'_>,
) {
    if items.len() <= 1 {
        for item in items {
            w.push(rdata(item));
        }
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    for i in order {
        if !w.push(rdata(&items[i])) {
            break;
        }
    }
}

/// SERVFAIL or REFUSED for a query we meant to forward.
pub(crate) fn failure(job: &ForwardJob, code: u8, out: &mut Vec<u8>) {
    AnswerWriter::new(out, &job.query, code, job.client_limit).finish();
}

/// The empty, truncated answer that sends the client to TCP when an upstream's answer is
/// bigger than the client accepts over UDP.
pub(crate) fn truncated(job: &ForwardJob, out: &mut Vec<u8>) {
    let mut w = AnswerWriter::new(out, &job.query, rcode::NOERROR, job.client_limit);
    w.truncate();
    w.finish();
}
