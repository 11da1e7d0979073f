//! Building our own answers into a caller-provided buffer. The question is written first at
//! offset 12, expanded, so every answer record names it with the pointer 0xC00C.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::header::{self, Header, HEADER_LEN};
use super::query::Query;
use super::types;

/// TTL of every record we answer with (Docker's respTTL).
pub const TTL: u32 = 600;
/// UDP payload size we advertise in our OPT record: the size of our receive buffers.
pub const OUR_EDNS_SIZE: u16 = 4096;
const OPT_LEN: usize = 11;
const POINTER_TO_QUESTION: [u8; 2] = [0xc0, HEADER_LEN as u8];

/// One answer record's data.
#[derive(Debug, Clone, Copy)]
pub enum Rdata<'a> {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    /// An uncompressed wire name.
    Ptr(&'a [u8]),
}

impl Rdata<'_> {
    fn rtype(&self) -> u16 {
        match self {
            Rdata::A(_) => types::A,
            Rdata::Aaaa(_) => types::AAAA,
            Rdata::Ptr(_) => types::PTR,
        }
    }

    fn len(&self) -> usize {
        match self {
            Rdata::A(_) => 4,
            Rdata::Aaaa(_) => 16,
            Rdata::Ptr(name) => name.len(),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Rdata::A(ip) => out.extend_from_slice(&ip.octets()),
            Rdata::Aaaa(ip) => out.extend_from_slice(&ip.octets()),
            Rdata::Ptr(name) => out.extend_from_slice(name),
        }
    }
}

/// An answer being written into `out` (cleared first). Records that would push the message past
/// `limit` are left out and the message is marked truncated (TC), as Docker does for UDP.
pub struct AnswerWriter<'o> {
    out: &'o mut Vec<u8>,
    limit: usize,
    reserve: usize,
    ancount: u16,
    edns: bool,
    full: bool,
}

impl<'o> AnswerWriter<'o> {
    /// Starts an answer to `q` with `rcode`, at most `limit` bytes long (never less than the
    /// header, question and OPT need).
    pub fn new(out: &'o mut Vec<u8>, q: &Query, rcode: u8, limit: usize) -> AnswerWriter<'o> {
        out.clear();
        Header {
            id: q.header.id,
            flags: Header::reply_flags(q.header.flags, rcode),
            qdcount: 1,
            ancount: 0,
            nscount: 0,
            arcount: 0,
        }
        .write(out);
        out.extend_from_slice(q.name.wire());
        out.extend_from_slice(&q.qtype.to_be_bytes());
        out.extend_from_slice(&q.qclass.to_be_bytes());
        let edns = q.edns.is_some();
        AnswerWriter {
            out,
            limit,
            reserve: if edns { OPT_LEN } else { 0 },
            ancount: 0,
            edns,
            full: false,
        }
    }

    /// Appends a record named by the question; returns false (and marks TC) when it no longer
    /// fits, after which every further push is refused too.
    pub fn push(&mut self, rdata: Rdata<'_>) -> bool {
        let len = 2 + 10 + rdata.len();
        if self.full || self.out.len() + len + self.reserve > self.limit || self.ancount == u16::MAX
        {
            self.full = true;
            return false;
        }
        self.out.extend_from_slice(&POINTER_TO_QUESTION);
        self.out.extend_from_slice(&rdata.rtype().to_be_bytes());
        self.out.extend_from_slice(&types::CLASS_IN.to_be_bytes());
        self.out.extend_from_slice(&TTL.to_be_bytes());
        self.out
            .extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        rdata.write(self.out);
        self.ancount += 1;
        true
    }

    /// Marks the answer truncated without adding records (a forwarded answer that is too big).
    pub fn truncate(&mut self) {
        self.full = true;
    }

    /// Writes the counts, the TC bit and the OPT record (when the query had EDNS).
    pub fn finish(self) {
        self.out[6..8].copy_from_slice(&self.ancount.to_be_bytes());
        if self.full {
            header::set_truncated(self.out);
        }
        if self.edns {
            self.out[10..12].copy_from_slice(&1u16.to_be_bytes());
            write_opt(self.out, 0);
        }
    }
}

fn write_opt(out: &mut Vec<u8>, extended_rcode: u8) {
    out.push(0); // root owner
    out.extend_from_slice(&types::OPT.to_be_bytes());
    out.extend_from_slice(&OUR_EDNS_SIZE.to_be_bytes());
    out.extend_from_slice(&[extended_rcode, 0, 0, 0]); // ext rcode, version 0, DO clear
    out.extend_from_slice(&0u16.to_be_bytes()); // no options
}

/// A header-only answer (FORMERR, NOTIMP): id, opcode, RD and CD echoed, no sections.
pub fn header_only(out: &mut Vec<u8>, query: &Header, rcode: u8) {
    out.clear();
    Header {
        id: query.id,
        flags: Header::reply_flags(query.flags, rcode),
        qdcount: 0,
        ancount: 0,
        nscount: 0,
        arcount: 0,
    }
    .write(out);
}

/// BADVERS (RFC 6891 §6.1.3): header plus our OPT saying version 0, extended rcode 16.
pub fn badvers(out: &mut Vec<u8>, query: &Header) {
    header_only(out, query, 0);
    out[10..12].copy_from_slice(&1u16.to_be_bytes());
    write_opt(out, (header::rcode::BADVERS >> 4) as u8);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::query::parse_query;

    fn q(name: &[u8], qtype: u16, edns: bool) -> Query {
        let mut m = Vec::new();
        Header {
            id: 0x4242,
            flags: 0x0100,
            qdcount: 1,
            ancount: 0,
            nscount: 0,
            arcount: u16::from(edns),
        }
        .write(&mut m);
        m.extend_from_slice(name);
        m.extend_from_slice(&qtype.to_be_bytes());
        m.extend_from_slice(&1u16.to_be_bytes());
        if edns {
            m.extend_from_slice(b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00");
        }
        parse_query(&m).unwrap()
    }

    #[test]
    fn a_answer_layout() {
        let query = q(b"\x03Web\x00", types::A, false);
        let mut out = Vec::new();
        let mut w = AnswerWriter::new(&mut out, &query, 0, 512);
        assert!(w.push(Rdata::A(Ipv4Addr::new(172, 18, 0, 2))));
        w.finish();
        let mut want = vec![
            0x42, 0x42, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, // header
            3, b'W', b'e', b'b', 0, 0, 1, 0, 1, // question, case kept
            0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x02, 0x58, 0, 4, // A IN 600
        ];
        want.extend_from_slice(&[172, 18, 0, 2]);
        assert_eq!(out, want);
    }

    #[test]
    fn truncates_at_limit_and_keeps_room_for_opt() {
        let query = q(b"\x03web\x00", types::A, true);
        let mut out = Vec::new();
        // header 12 + question 9 = 21; opt 11; each A is 16: limit 80 fits 3 (21+48+11=80).
        let mut w = AnswerWriter::new(&mut out, &query, 0, 80);
        let pushed = (0..10)
            .filter(|i| w.push(Rdata::A(Ipv4Addr::new(10, 0, 0, *i))))
            .count();
        w.finish();
        assert_eq!(pushed, 3);
        assert_eq!(out.len(), 80);
        let h = Header::parse(&out).unwrap();
        assert!(h.truncated());
        assert_eq!((h.ancount, h.arcount), (3, 1));
    }

    #[test]
    fn header_only_and_badvers() {
        let h = Header {
            id: 9,
            flags: 0x0100,
            qdcount: 3,
            ancount: 0,
            nscount: 0,
            arcount: 0,
        };
        let mut out = Vec::new();
        header_only(&mut out, &h, header::rcode::FORMERR);
        assert_eq!(out, [0, 9, 0x81, 0x81, 0, 0, 0, 0, 0, 0, 0, 0]);
        badvers(&mut out, &h);
        assert_eq!(out.len(), 12 + 11);
        assert_eq!(out[12 + 5], 1); // extended rcode 16 >> 4
    }
}
