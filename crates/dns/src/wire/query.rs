//! Parsing of a client's query: header, the one question, and the EDNS OPT record if any.
//! Anything we cannot make sense of becomes a [`Reject`] saying how to react.

use super::header::{Header, HEADER_LEN};
use super::name::{read_name, skip_name, Name};
use super::types;

/// EDNS(0) as the client sent it (RFC 6891).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edns {
    /// The client's UDP payload size, raised to 512 when it claims less.
    pub udp_size: u16,
    pub version: u8,
}

/// A query we can answer or forward.
#[derive(Debug, Clone)]
pub struct Query {
    pub header: Header,
    pub name: Name,
    pub qtype: u16,
    pub qclass: u16,
    pub edns: Option<Edns>,
}

impl Query {
    /// Largest UDP answer this client accepts: 512, or its EDNS size.
    pub fn udp_limit(&self) -> usize {
        self.edns.map_or(512, |e| usize::from(e.udp_size))
    }
}

/// How to react to a message that is not a usable query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// No readable header, or it is a response (answering responses invites loops): say nothing.
    Drop,
    /// FORMERR echoing only the header's id, opcode and RD.
    FormErr(Header),
    /// NOTIMP: an opcode other than QUERY.
    NotImp(Header),
    /// EDNS version above 0: BADVERS (RFC 6891 §6.1.3), question echoed.
    BadVers(Header),
}

const RR_FIXED: usize = 10; // type, class, ttl, rdlength

/// Parses `msg` as a query.
pub fn parse_query(msg: &[u8]) -> Result<Query, Reject> {
    let header = Header::parse(msg).ok_or(Reject::Drop)?;
    if header.is_response() {
        return Err(Reject::Drop);
    }
    if header.opcode() != 0 {
        return Err(Reject::NotImp(header));
    }
    if header.qdcount != 1 {
        return Err(Reject::FormErr(header));
    }
    let formerr = |_| Reject::FormErr(header);
    let (name, mut pos) = read_name(msg, HEADER_LEN).map_err(formerr)?;
    let fixed = msg.get(pos..pos + 4).ok_or(Reject::FormErr(header))?;
    let qtype = u16::from_be_bytes([fixed[0], fixed[1]]);
    let qclass = u16::from_be_bytes([fixed[2], fixed[3]]);
    pos += 4;

    // Queries carry no answer or authority records, but tolerate them (bounded by the message)
    // to reach the additional section, where EDNS lives.
    let skipped = usize::from(header.ancount) + usize::from(header.nscount);
    let additional = usize::from(header.arcount);
    if (skipped + additional) * (1 + RR_FIXED) > msg.len() - pos {
        return Err(Reject::FormErr(header));
    }
    for _ in 0..skipped {
        pos = skip_rr(msg, pos).ok_or(Reject::FormErr(header))?;
    }
    let mut edns = None;
    for _ in 0..additional {
        let name_end = skip_name(msg, pos).map_err(formerr)?;
        let fixed = msg
            .get(name_end..name_end + RR_FIXED)
            .ok_or(Reject::FormErr(header))?;
        let rrtype = u16::from_be_bytes([fixed[0], fixed[1]]);
        if rrtype == types::OPT {
            // One OPT at most, owned by the root (RFC 6891 §6.1.1).
            if edns.is_some() || name_end != pos + 1 || msg[pos] != 0 {
                return Err(Reject::FormErr(header));
            }
            let size = u16::from_be_bytes([fixed[2], fixed[3]]);
            edns = Some(Edns {
                udp_size: size.max(512),
                version: fixed[5],
            });
        }
        pos = skip_rr(msg, pos).ok_or(Reject::FormErr(header))?;
    }
    if edns.is_some_and(|e| e.version > 0) {
        return Err(Reject::BadVers(header));
    }
    Ok(Query {
        header,
        name,
        qtype,
        qclass,
        edns,
    })
}

/// Skips one resource record at `pos`; `None` when it runs past the message.
fn skip_rr(msg: &[u8], pos: usize) -> Option<usize> {
    let name_end = skip_name(msg, pos).ok()?;
    let fixed = msg.get(name_end..name_end + RR_FIXED)?;
    let rdlen = usize::from(u16::from_be_bytes([fixed[8], fixed[9]]));
    let end = name_end + RR_FIXED + rdlen;
    (end <= msg.len()).then_some(end)
}

/// The question of a message (query or response), for matching an upstream's answer to what
/// was asked: lowercase name, type, class. `None` when there is not exactly one readable.
pub fn question_key(msg: &[u8]) -> Option<(Name, u16, u16)> {
    let header = Header::parse(msg)?;
    if header.qdcount != 1 {
        return None;
    }
    let (name, pos) = read_name(msg, HEADER_LEN).ok()?;
    let fixed = msg.get(pos..pos + 4)?;
    Some((
        name,
        u16::from_be_bytes([fixed[0], fixed[1]]),
        u16::from_be_bytes([fixed[2], fixed[3]]),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::header::FLAG_QR;

    fn query(id: u16, name: &[u8], qtype: u16, arcount: u16, tail: &[u8]) -> Vec<u8> {
        let mut m = Vec::new();
        Header {
            id,
            flags: 0x0100,
            qdcount: 1,
            ancount: 0,
            nscount: 0,
            arcount,
        }
        .write(&mut m);
        m.extend_from_slice(name);
        m.extend_from_slice(&qtype.to_be_bytes());
        m.extend_from_slice(&1u16.to_be_bytes());
        m.extend_from_slice(tail);
        m
    }

    const OPT_1232: &[u8] = b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00";

    #[test]
    fn plain_a_query() {
        let q = parse_query(&query(7, b"\x03web\x00", 1, 0, b"")).unwrap();
        assert_eq!(q.header.id, 7);
        assert_eq!(q.name.text(), b"web");
        assert_eq!((q.qtype, q.qclass), (1, 1));
        assert_eq!(q.edns, None);
        assert_eq!(q.udp_limit(), 512);
    }

    #[test]
    fn edns_size_read_and_floored() {
        let q = parse_query(&query(7, b"\x03web\x00", 1, 1, OPT_1232)).unwrap();
        assert_eq!(
            q.edns,
            Some(Edns {
                udp_size: 1232,
                version: 0
            })
        );
        let small = b"\x00\x00\x29\x00\x10\x00\x00\x00\x00\x00\x00";
        let q = parse_query(&query(7, b"\x03web\x00", 1, 1, small)).unwrap();
        assert_eq!(q.udp_limit(), 512);
    }

    #[test]
    fn rejections() {
        assert_eq!(parse_query(b"short").unwrap_err(), Reject::Drop);
        let mut resp = query(1, b"\x00", 1, 0, b"");
        resp[2] |= (FLAG_QR >> 8) as u8;
        assert_eq!(parse_query(&resp).unwrap_err(), Reject::Drop);

        let mut notify = query(1, b"\x00", 1, 0, b"");
        notify[2] |= 4 << 3; // opcode NOTIFY
        assert!(matches!(parse_query(&notify), Err(Reject::NotImp(_))));

        let mut two = query(1, b"\x00", 1, 0, b"");
        two[5] = 2;
        assert!(matches!(parse_query(&two), Err(Reject::FormErr(_))));

        // arcount says 1 but nothing follows.
        assert!(matches!(
            parse_query(&query(1, b"\x00", 1, 1, b"")),
            Err(Reject::FormErr(_))
        ));
        // Two OPT records.
        let two_opt = [OPT_1232, OPT_1232].concat();
        assert!(matches!(
            parse_query(&query(1, b"\x00", 1, 2, &two_opt)),
            Err(Reject::FormErr(_))
        ));
        // EDNS version 1.
        let v1 = b"\x00\x00\x29\x04\xd0\x00\x01\x00\x00\x00\x00";
        assert!(matches!(
            parse_query(&query(1, b"\x00", 1, 1, v1)),
            Err(Reject::BadVers(_))
        ));
        // Question cut short.
        let cut = query(1, b"\x03web\x00", 1, 0, b"");
        assert!(matches!(
            parse_query(&cut[..cut.len() - 1]),
            Err(Reject::FormErr(_))
        ));
    }

    #[test]
    fn question_key_of_a_response() {
        let mut m = query(9, b"\x03WeB\x00", 28, 0, b"");
        m[2] |= 0x80;
        let (name, t, c) = question_key(&m).unwrap();
        assert_eq!((name.text(), t, c), (&b"web"[..], 28, 1));
    }
}
