//! The fixed 12-byte DNS message header (RFC 1035 §4.1.1).

/// Length of the header; a datagram shorter than this is dropped without answer.
pub const HEADER_LEN: usize = 12;

pub const FLAG_QR: u16 = 0x8000;
pub const FLAG_AA: u16 = 0x0400;
pub const FLAG_TC: u16 = 0x0200;
pub const FLAG_RD: u16 = 0x0100;
pub const FLAG_RA: u16 = 0x0080;
pub const FLAG_CD: u16 = 0x0010;
const OPCODE_MASK: u16 = 0x7800;
const RCODE_MASK: u16 = 0x000f;

/// Response codes used here (the low 4 bits; BADVERS is extended through the OPT record).
pub mod rcode {
    pub const NOERROR: u8 = 0;
    pub const FORMERR: u8 = 1;
    pub const SERVFAIL: u8 = 2;
    pub const NXDOMAIN: u8 = 3;
    pub const NOTIMP: u8 = 4;
    pub const REFUSED: u8 = 5;
    /// Extended RCODE 16: the upper 8 bits (1) go in the OPT TTL, the header keeps 0.
    pub const BADVERS: u16 = 16;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub id: u16,
    pub flags: u16,
    pub qdcount: u16,
    pub ancount: u16,
    pub nscount: u16,
    pub arcount: u16,
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

impl Header {
    /// Reads the header; `None` when fewer than 12 bytes are there.
    pub fn parse(msg: &[u8]) -> Option<Header> {
        let h = msg.get(..HEADER_LEN)?;
        Some(Header {
            id: be16(h, 0),
            flags: be16(h, 2),
            qdcount: be16(h, 4),
            ancount: be16(h, 6),
            nscount: be16(h, 8),
            arcount: be16(h, 10),
        })
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        for v in [
            self.id,
            self.flags,
            self.qdcount,
            self.ancount,
            self.nscount,
            self.arcount,
        ] {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }

    pub fn is_response(&self) -> bool {
        self.flags & FLAG_QR != 0
    }

    pub fn truncated(&self) -> bool {
        self.flags & FLAG_TC != 0
    }

    pub fn opcode(&self) -> u8 {
        ((self.flags & OPCODE_MASK) >> 11) as u8
    }

    pub fn rcode(&self) -> u8 {
        (self.flags & RCODE_MASK) as u8
    }

    /// Flags of our answer to a query with flags `query_flags`: QR and RA set, opcode, RD and CD
    /// echoed (as miekg/dns's SetReply does for Docker), AA clear, the given rcode.
    pub fn reply_flags(query_flags: u16, rcode: u8) -> u16 {
        FLAG_QR
            | FLAG_RA
            | (query_flags & (OPCODE_MASK | FLAG_RD | FLAG_CD))
            | (u16::from(rcode) & RCODE_MASK)
    }
}

/// Overwrites the message id of an encoded message in place.
pub fn set_id(msg: &mut [u8], id: u16) {
    if msg.len() >= 2 {
        msg[..2].copy_from_slice(&id.to_be_bytes());
    }
}

/// Sets the TC bit of an encoded message in place.
pub fn set_truncated(msg: &mut [u8]) {
    if msg.len() >= 4 {
        msg[2] |= (FLAG_TC >> 8) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let h = Header {
            id: 0xbeef,
            flags: FLAG_RD,
            qdcount: 1,
            ancount: 2,
            nscount: 3,
            arcount: 4,
        };
        let mut out = Vec::new();
        h.write(&mut out);
        assert_eq!(out.len(), HEADER_LEN);
        assert_eq!(Header::parse(&out), Some(h));
        assert_eq!(Header::parse(&out[..11]), None);
    }

    #[test]
    fn reply_flags_echo_rd_cd_and_opcode_only() {
        let q = FLAG_RD | FLAG_CD | FLAG_AA | FLAG_TC | 0x0005;
        let r = Header::reply_flags(q, rcode::NXDOMAIN);
        assert_eq!(r, FLAG_QR | FLAG_RA | FLAG_RD | FLAG_CD | 3);
    }

    #[test]
    fn in_place_edits() {
        let mut msg = vec![0u8; 12];
        set_id(&mut msg, 0x1234);
        set_truncated(&mut msg);
        let h = Header::parse(&msg).unwrap();
        assert_eq!(h.id, 0x1234);
        assert!(h.truncated());
    }
}
