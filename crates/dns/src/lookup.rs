//! The lookup rules, moby's (libnetwork `Sandbox.ResolveName` / `ResolveIP`), as pure functions
//! of the table, the asking container and the question:
//! - only networks the asker has an endpoint on are searched, in the order its endpoints were
//!   added; the first network that has the name with the asked family answers, with all the
//!   addresses the name has there (several containers sharing an alias);
//! - a name that exists in scope without the asked family is NODATA (NOERROR, no answer), never
//!   forwarded, so A and AAAA answers stay consistent (moby#libnetwork#2492);
//! - for `a.b.c` the literal name is tried first, then `a.b` on network `c`, then `a` on network
//!   `b.c`; for each candidate the asker's link aliases come before real names;
//! - PTR answers `<first name>.<network>.` for addresses of endpoints in scope.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::table::{Asker, NameTable, Records};
use crate::wire::types;

/// Address family a question asks for; `Any` only checks that the name exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    V4,
    V6,
    Any,
}

impl Records {
    fn has(&self, family: Family) -> bool {
        match family {
            Family::V4 => !self.v4.is_empty(),
            Family::V6 => !self.v6.is_empty(),
            Family::Any => true,
        }
    }
}

/// The answer to one question, as the public, allocation-happy view of the lookup rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A or AAAA records, in table order (the server shuffles them per answer).
    Addresses(Vec<IpAddr>),
    /// The name is ours but has no record of the asked type: NOERROR with no answer.
    NoData,
    /// The PTR target, with its trailing dot.
    Pointer(String),
    /// Not a name of ours: forwarded (or refused when forwarding is off).
    NotOurs,
}

impl NameTable {
    /// Looks `name` (any case, trailing dot optional) up for container `asker` with question
    /// type `qtype` (1 = A, 28 = AAAA, 12 = PTR, anything else: does the name exist).
    pub fn lookup(&self, asker: &str, name: &str, qtype: u16) -> Answer {
        let Some(asker) = self.asker(asker) else {
            return Answer::NotOurs;
        };
        let text = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        let name = text.as_bytes();
        if qtype == types::PTR {
            if let Some(ip) = reverse_addr(name) {
                return match self.find_ptr(asker, ip) {
                    Some(wire) => Answer::Pointer(wire_to_text(wire)),
                    None => Answer::NotOurs,
                };
            }
        }
        let family = match qtype {
            types::A => Family::V4,
            types::AAAA => Family::V6,
            _ => Family::Any,
        };
        match (self.find(asker, name, family), family) {
            (None, _) => Answer::NotOurs,
            (Some(r), Family::V4) if !r.v4.is_empty() => {
                Answer::Addresses(r.v4.iter().copied().map(IpAddr::V4).collect())
            }
            (Some(r), Family::V6) if !r.v6.is_empty() => {
                Answer::Addresses(r.v6.iter().copied().map(IpAddr::V6).collect())
            }
            (Some(_), _) => Answer::NoData,
        }
    }

    /// The records answering `name` (lowercase, no trailing dot) for `asker`; `None` when the
    /// name is not ours. The records may lack `family`: that is NODATA.
    pub(crate) fn find<'t>(
        &'t self,
        asker: &'t Asker,
        name: &[u8],
        family: Family,
    ) -> Option<&'t Records> {
        if let Some(found) = self.find_on(asker, name, None, family) {
            return Some(found);
        }
        // `name.network`: split at each dot from the right, the right part naming a network.
        let mut end = name.len();
        while let Some(dot) = name[..end].iter().rposition(|&b| b == b'.') {
            let (prefix, suffix) = (&name[..dot], &name[dot + 1..]);
            for &net in &asker.networks {
                if self.networks[net].name.as_bytes() == suffix {
                    if let Some(found) = self.find_on(asker, prefix, Some(net), family) {
                        return Some(found);
                    }
                }
            }
            end = dot;
        }
        None
    }

    /// One candidate: link aliases first, then real names; restricted to `only` when given.
    fn find_on<'t>(
        &'t self,
        asker: &'t Asker,
        name: &[u8],
        only: Option<usize>,
        family: Family,
    ) -> Option<&'t Records> {
        let mut exists = None;
        for link in &asker.links {
            if only.is_some_and(|n| n != link.network) || *link.alias != *name {
                continue;
            }
            if link.records.has(family) {
                return Some(&link.records);
            }
            exists.get_or_insert(&link.records);
        }
        if exists.is_some() {
            return exists;
        }
        for &net in &asker.networks {
            if only.is_some_and(|n| n != net) {
                continue;
            }
            if let Some(records) = self.networks[net].names.get(name) {
                if records.has(family) {
                    return Some(records);
                }
                exists.get_or_insert(records);
            }
        }
        exists
    }

    /// The PTR target (wire form) for `ip` on the asker's networks, first network first.
    pub(crate) fn find_ptr(&self, asker: &Asker, ip: IpAddr) -> Option<&[u8]> {
        asker
            .networks
            .iter()
            .find_map(|&net| self.networks[net].ptr.get(&ip).map(|w| &**w))
    }
}

/// The address a reverse name stands for: `d.c.b.a.in-addr.arpa` or the 32 nibbles of
/// `ip6.arpa`, lowercase without trailing dot. Partial names (a whole /24, say) are `None`.
pub fn reverse_addr(name: &[u8]) -> Option<IpAddr> {
    if let Some(rest) = name.strip_suffix(b".in-addr.arpa") {
        let mut octets = [0u8; 4];
        let mut labels = rest.split(|&b| b == b'.');
        for slot in octets.iter_mut().rev() {
            let label = labels.next()?;
            if label.is_empty() || label.len() > 3 || !label.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let value = label
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            *slot = u8::try_from(value).ok()?;
        }
        return labels
            .next()
            .is_none()
            .then_some(IpAddr::V4(Ipv4Addr::from(octets)));
    }
    if let Some(rest) = name.strip_suffix(b".ip6.arpa") {
        if rest.len() != 63 {
            return None;
        }
        let mut value: u128 = 0;
        for (i, label) in rest.split(|&b| b == b'.').enumerate() {
            let [digit] = label else { return None };
            let nibble = (*digit as char).to_digit(16)?;
            value |= u128::from(nibble) << (4 * i);
        }
        return Some(IpAddr::V6(Ipv6Addr::from(value)));
    }
    None
}

/// Dotted text of a wire name, with the trailing dot.
fn wire_to_text(wire: &[u8]) -> String {
    let mut text = String::new();
    let mut pos = 0;
    while let Some(&len) = wire.get(pos) {
        if len == 0 {
            break;
        }
        let label = wire.get(pos + 1..pos + 1 + usize::from(len)).unwrap_or(&[]);
        text.push_str(&String::from_utf8_lossy(label));
        text.push('.');
        pos += 1 + usize::from(len);
    }
    if text.is_empty() {
        text.push('.');
    }
    text
}
