//! Cutting a relayed answer down to what a UDP client accepts. Docker (miekg/dns's
//! `Msg.Truncate`) keeps as many whole answer records as fit and sets TC, rather than sending an
//! empty truncated answer: resolvers that never retry over TCP (busybox's nslookup, older musl)
//! still get usable addresses, and those that do retry see TC and fetch the rest.

use super::header::{set_truncated, HEADER_LEN};
use super::name::skip_name;

/// Fixed part of a resource record after its owner name: type, class, TTL, RDLENGTH.
const RR_FIXED: usize = 10;

/// `answer` cut to at most `limit` bytes: the header, the question and the leading answer
/// records that fit whole; authority and additional sections dropped; TC set. `None` when the
/// message cannot be walked (the caller then sends an empty truncated answer).
pub fn truncate_answer(answer: &[u8], limit: usize) -> Option<Vec<u8>> {
    if answer.len() < HEADER_LEN {
        return None;
    }
    let count = |at: usize| u16::from_be_bytes([answer[at], answer[at + 1]]);
    let (qdcount, ancount) = (count(4), count(6));
    let mut pos = HEADER_LEN;
    for _ in 0..qdcount {
        pos = skip_name(answer, pos).ok()? + 4;
    }
    if pos > limit || pos > answer.len() {
        return None;
    }
    let mut kept = 0u16;
    let mut end = pos;
    for _ in 0..ancount {
        let fixed = skip_name(answer, end).ok()?;
        let rdlen_at = fixed + 8;
        let rdlen = answer.get(rdlen_at..rdlen_at + 2)?;
        let next = fixed + RR_FIXED + usize::from(u16::from_be_bytes([rdlen[0], rdlen[1]]));
        if next > answer.len() || next > limit {
            break;
        }
        end = next;
        kept += 1;
    }
    let mut out = answer[..end].to_vec();
    out[6..8].copy_from_slice(&kept.to_be_bytes());
    out[8..12].fill(0);
    set_truncated(&mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer to `big.test A` with `n` A records, names compressed to the question.
    fn answer_with(n: u8) -> Vec<u8> {
        let mut m = vec![0x12, 0x34, 0x81, 0x80, 0, 1, 0, n, 0, 0, 0, 0];
        m.extend_from_slice(b"\x03big\x04test\x00\x00\x01\x00\x01");
        for i in 0..n {
            m.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, i]);
        }
        m
    }

    #[test]
    fn keeps_the_records_that_fit_and_sets_tc() {
        let big = answer_with(40);
        assert_eq!(big.len(), 12 + 14 + 40 * 16);
        let cut = truncate_answer(&big, 512).unwrap();
        assert!(cut.len() <= 512);
        let kept = (512 - 26) / 16;
        assert_eq!(cut.len(), 26 + kept * 16);
        assert_eq!(u16::from_be_bytes([cut[6], cut[7]]) as usize, kept);
        assert_ne!(cut[2] & 0x02, 0, "TC set");
        assert_eq!(&cut[..2], &[0x12, 0x34]);
    }

    #[test]
    fn a_question_too_big_or_a_broken_record_gives_none_or_fewer() {
        let big = answer_with(3);
        assert_eq!(truncate_answer(&big, 20), None);
        let cut = truncate_answer(&big[..big.len() - 3], 512).unwrap();
        assert_eq!(cut[7], 2);
        assert_eq!(truncate_answer(&big[..5], 512), None);
    }
}
