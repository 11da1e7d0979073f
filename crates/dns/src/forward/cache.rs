//! Answers from upstreams, kept for as long as their records say (the smallest TTL in the
//! answer, at most [`MAX_TTL`]), so a container asking the same outside name again is answered
//! from the daemon without a round trip to the upstream. Docker's embedded DNS has no such cache
//! and relays every query: forwarding costs two extra packet transits per query, and on a busy
//! machine that halves the rate a container can resolve outside names.
//!
//! Only complete answers are kept: NOERROR (with records) and NXDOMAIN with an SOA (RFC 2308),
//! never SERVFAIL, REFUSED or a truncated answer. An answer served from here has every TTL
//! lowered by the time it spent here, the client's id, and the client's spelling of the
//! question name (clients that randomise letter case check it).
//!
//! The key holds the upstreams asked, so a container with other `--dns` servers never gets
//! another container's answers; and the query's RD/CD bits and whether it carried EDNS, which
//! change what an upstream answers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::respond::ForwardJob;
use crate::wire::header::{self, rcode, Header, FLAG_CD, FLAG_RD, HEADER_LEN};
use crate::wire::name::skip_name;
use crate::wire::types;

/// Longest time an answer is kept, whatever its records say.
pub(crate) const MAX_TTL: u32 = 3600;
/// Entries kept at most; past it, expired ones go first, then an arbitrary half.
const CAPACITY: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    upstreams: Box<[SocketAddr]>,
    name: Box<[u8]>,
    qtype: u16,
    qclass: u16,
    flags: u16,
    edns: bool,
}

impl Key {
    fn of(upstreams: &[SocketAddr], job: &ForwardJob) -> Key {
        let q = &job.query;
        Key {
            upstreams: upstreams.into(),
            name: q.name.text().to_ascii_lowercase().into(),
            qtype: q.qtype,
            qclass: q.qclass,
            flags: q.header.flags & (FLAG_RD | FLAG_CD),
            edns: q.edns.is_some(),
        }
    }
}

struct Entry {
    answer: Box<[u8]>,
    stored: Instant,
    ttl: u32,
}

pub(crate) struct AnswerCache {
    entries: Mutex<HashMap<Key, Entry>>,
}

impl AnswerCache {
    pub(crate) fn new() -> AnswerCache {
        AnswerCache {
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The kept answer to `job` from `upstreams`, made out for this client; `None` when there is
    /// none or it has expired.
    pub(crate) fn lookup(&self, upstreams: &[SocketAddr], job: &ForwardJob) -> Option<Vec<u8>> {
        let key = Key::of(upstreams, job);
        let mut entries = self.entries();
        let entry = entries.get(&key)?;
        let age = entry.stored.elapsed().as_secs();
        if age >= u64::from(entry.ttl) {
            entries.remove(&key);
            return None;
        }
        let mut answer = entry.answer.to_vec();
        drop(entries);
        // `age` < ttl <= MAX_TTL, so it fits.
        age_ttls(&mut answer, u32::try_from(age).unwrap_or(MAX_TTL))?;
        header::set_id(&mut answer, job.query.header.id);
        copy_question_spelling(&mut answer, job.query.name.wire());
        Some(answer)
    }

    /// Keeps `answer` (an upstream's, for `job`) if it is one worth keeping.
    pub(crate) fn store(&self, upstreams: &[SocketAddr], job: &ForwardJob, answer: &[u8]) {
        let Some(ttl) = cacheable_ttl(answer) else {
            return;
        };
        let mut entries = self.entries();
        if entries.len() >= CAPACITY {
            make_room(&mut entries);
        }
        entries.insert(
            Key::of(upstreams, job),
            Entry {
                answer: answer.into(),
                stored: Instant::now(),
                ttl,
            },
        );
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries().len()
    }
}

fn make_room(entries: &mut HashMap<Key, Entry>) {
    entries.retain(|_, e| e.stored.elapsed() < Duration::from_secs(u64::from(e.ttl)));
    if entries.len() >= CAPACITY {
        let mut keep = true;
        entries.retain(|_, _| {
            keep = !keep;
            keep
        });
    }
}

/// How long `answer` may be kept: the smallest TTL of its records (OPT excluded), capped;
/// `None` when it must not be kept.
fn cacheable_ttl(answer: &[u8]) -> Option<u32> {
    let h = Header::parse(answer)?;
    if h.truncated() || h.opcode() != 0 || !h.is_response() {
        return None;
    }
    let negative = match h.rcode() {
        rcode::NOERROR => h.ancount == 0,
        rcode::NXDOMAIN => true,
        _ => return None,
    };
    let mut min: Option<u32> = None;
    let mut soa = false;
    walk_records(answer, |rtype, at| {
        soa |= rtype == types::SOA;
        let ttl = read_u32(answer, at);
        min = Some(min.map_or(ttl, |m| m.min(ttl)));
    })?;
    // A negative answer is kept only with the SOA that says for how long (RFC 2308 §5).
    if negative && !soa {
        return None;
    }
    min.map(|t| t.min(MAX_TTL)).filter(|t| *t > 0)
}

/// Lowers every record's TTL (OPT excluded) by `age` seconds.
fn age_ttls(answer: &mut [u8], age: u32) -> Option<()> {
    let mut at_list = Vec::new();
    walk_records(answer, |_, at| at_list.push(at))?;
    for at in at_list {
        let ttl = read_u32(answer, at).saturating_sub(age);
        answer[at..at + 4].copy_from_slice(&ttl.to_be_bytes());
    }
    Some(())
}

/// Calls `f(type, offset of the TTL)` for every record after the question, OPT excepted;
/// `None` when the message does not parse.
fn walk_records(msg: &[u8], mut f: impl FnMut(u16, usize)) -> Option<()> {
    let h = Header::parse(msg)?;
    let mut pos = HEADER_LEN;
    for _ in 0..h.qdcount {
        pos = skip_name(msg, pos).ok()? + 4;
    }
    let records = u32::from(h.ancount) + u32::from(h.nscount) + u32::from(h.arcount);
    for _ in 0..records {
        pos = skip_name(msg, pos).ok()?;
        let fixed = msg.get(pos..pos + 10)?;
        let rtype = u16::from_be_bytes([fixed[0], fixed[1]]);
        let rdlen = usize::from(u16::from_be_bytes([fixed[8], fixed[9]]));
        if rtype != types::OPT {
            f(rtype, pos + 4);
        }
        pos += 10 + rdlen;
        if pos > msg.len() {
            return None;
        }
    }
    Some(())
}

fn read_u32(msg: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([msg[at], msg[at + 1], msg[at + 2], msg[at + 3]])
}

/// Writes the client's question name over the kept one when they differ only in letter case.
fn copy_question_spelling(answer: &mut [u8], client_name: &[u8]) {
    let Some(kept) = answer.get_mut(HEADER_LEN..HEADER_LEN + client_name.len()) else {
        return;
    };
    if kept.eq_ignore_ascii_case(client_name) {
        kept.copy_from_slice(client_name);
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
