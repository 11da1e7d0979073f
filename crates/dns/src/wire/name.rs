//! Domain names on the wire, read defensively: every read is bounds-checked, labels are at most
//! 63 bytes and names at most 255, and a compression pointer must point strictly before the
//! segment it appears in (so pointers only go backwards and can never loop), with a hop limit on
//! top. Extended label types (0x40, 0x80) are refused.

use super::header::HEADER_LEN;

/// Longest name on the wire, length bytes and the root byte included (RFC 1035 §3.1).
pub const MAX_NAME_WIRE: usize = 255;
const MAX_LABEL: usize = 63;
/// More pointers than any sane message needs; the backwards rule already rules out loops.
const MAX_HOPS: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    /// The message ends inside the name.
    Truncated,
    /// Longer than 255 bytes once expanded.
    TooLong,
    /// A pointer that does not point backwards, into the header, or too many of them.
    BadPointer,
    /// Label type 0x40 or 0x80.
    BadLabel,
}

/// A name read from a message, kept two ways: the expanded wire form in the sender's case (to
/// echo the question back exactly, 0x20-randomised case included) and the lowercase dotted text
/// without the trailing dot (to look up). Fixed-size buffers: no allocation on the hot path.
#[derive(Clone)]
pub struct Name {
    wire: [u8; MAX_NAME_WIRE],
    wire_len: usize,
    text: [u8; MAX_NAME_WIRE],
    text_len: usize,
    /// A label holds a '.' byte: the dotted text is ambiguous, so it can never be one of ours.
    ambiguous: bool,
    compressed: bool,
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Name({:?})", String::from_utf8_lossy(self.text()))
    }
}

impl Name {
    fn empty() -> Name {
        Name {
            wire: [0; MAX_NAME_WIRE],
            wire_len: 0,
            text: [0; MAX_NAME_WIRE],
            text_len: 0,
            ambiguous: false,
            compressed: false,
        }
    }

    /// Expanded wire form, ending with the root byte.
    pub fn wire(&self) -> &[u8] {
        &self.wire[..self.wire_len]
    }

    /// Lowercase dotted form without trailing dot; empty for the root.
    pub fn text(&self) -> &[u8] {
        &self.text[..self.text_len]
    }

    /// True when a label contains a '.' byte, so [`Name::text`] does not say which labels it had.
    pub fn ambiguous(&self) -> bool {
        self.ambiguous
    }

    /// True when the name used a compression pointer.
    pub fn compressed(&self) -> bool {
        self.compressed
    }

    fn push_label(&mut self, label: &[u8]) -> Result<(), NameError> {
        // +1 length byte now, +1 for the root byte that must still fit.
        if self.wire_len + 1 + label.len() + 1 > MAX_NAME_WIRE {
            return Err(NameError::TooLong);
        }
        self.wire[self.wire_len] = label.len() as u8;
        self.wire[self.wire_len + 1..self.wire_len + 1 + label.len()].copy_from_slice(label);
        self.wire_len += 1 + label.len();
        if self.text_len > 0 {
            self.text[self.text_len] = b'.';
            self.text_len += 1;
        }
        for &b in label {
            self.ambiguous |= b == b'.';
            self.text[self.text_len] = b.to_ascii_lowercase();
            self.text_len += 1;
        }
        Ok(())
    }
}

/// Reads the name starting at `start`; returns it and the offset just past it in the original
/// byte sequence (past the first pointer, if any).
pub fn read_name(msg: &[u8], start: usize) -> Result<(Name, usize), NameError> {
    let mut name = Name::empty();
    let mut pos = start;
    // Pointers must target offsets before the start of the segment they occur in.
    let mut segment_start = start;
    let mut end = None;
    let mut hops = 0;
    loop {
        let len = *msg.get(pos).ok_or(NameError::Truncated)? as usize;
        match len & 0xc0 {
            0x00 if len == 0 => {
                name.wire[name.wire_len] = 0;
                name.wire_len += 1;
                return Ok((name, end.unwrap_or(pos + 1)));
            }
            0x00 => {
                debug_assert!(len <= MAX_LABEL);
                let label = msg
                    .get(pos + 1..pos + 1 + len)
                    .ok_or(NameError::Truncated)?;
                name.push_label(label)?;
                pos += 1 + len;
            }
            0xc0 => {
                let low = *msg.get(pos + 1).ok_or(NameError::Truncated)? as usize;
                let target = ((len & 0x3f) << 8) | low;
                hops += 1;
                if target < HEADER_LEN || target >= segment_start || hops > MAX_HOPS {
                    return Err(NameError::BadPointer);
                }
                end.get_or_insert(pos + 2);
                name.compressed = true;
                pos = target;
                segment_start = target;
            }
            _ => return Err(NameError::BadLabel),
        }
    }
}

/// Skips the name at `start` without decoding it; returns the offset just past it. Checks the
/// same bounds as [`read_name`] for the part that is in place (a pointer ends the name).
pub fn skip_name(msg: &[u8], start: usize) -> Result<usize, NameError> {
    let mut pos = start;
    loop {
        let len = *msg.get(pos).ok_or(NameError::Truncated)? as usize;
        match len & 0xc0 {
            0x00 if len == 0 => return Ok(pos + 1),
            0x00 => {
                pos += 1 + len;
                if pos - start >= MAX_NAME_WIRE {
                    return Err(NameError::TooLong);
                }
            }
            0xc0 => {
                msg.get(pos + 1).ok_or(NameError::Truncated)?;
                return Ok(pos + 2);
            }
            _ => return Err(NameError::BadLabel),
        }
    }
}

/// Encodes dotted text (a trailing dot optional) as an uncompressed wire name; `None` when a
/// label is empty or longer than 63 bytes, or the whole is longer than 255.
pub fn encode_text(text: &str) -> Option<Vec<u8>> {
    let text = text.strip_suffix('.').unwrap_or(text);
    let mut out = Vec::with_capacity(text.len() + 2);
    if !text.is_empty() {
        for label in text.split('.') {
            if label.is_empty() || label.len() > MAX_LABEL {
                return None;
            }
            out.push(label.len() as u8);
            out.extend_from_slice(label.as_bytes());
        }
    }
    out.push(0);
    (out.len() <= MAX_NAME_WIRE).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg_with(name: &[u8]) -> Vec<u8> {
        let mut m = vec![0u8; HEADER_LEN];
        m.extend_from_slice(name);
        m
    }

    #[test]
    fn reads_plain_name_lowercased_keeping_wire_case() {
        let m = msg_with(b"\x03WeB\x05Front\x00rest");
        let (n, end) = read_name(&m, 12).unwrap();
        assert_eq!(n.text(), b"web.front");
        assert_eq!(n.wire(), b"\x03WeB\x05Front\x00");
        assert_eq!(end, 12 + 11);
        assert!(!n.compressed());
    }

    #[test]
    fn root_name() {
        let m = msg_with(b"\x00");
        let (n, end) = read_name(&m, 12).unwrap();
        assert_eq!(n.text(), b"");
        assert_eq!(n.wire(), b"\x00");
        assert_eq!(end, 13);
    }

    #[test]
    fn follows_backward_pointer() {
        // 12: "a.b." then at 17: "x" + pointer to 12.
        let m = msg_with(b"\x01a\x01b\x00\x01x\xc0\x0c");
        let (n, end) = read_name(&m, 17).unwrap();
        assert_eq!(n.text(), b"x.a.b");
        assert_eq!(end, 17 + 4);
        assert!(n.compressed());
    }

    #[test]
    fn refuses_forward_self_and_header_pointers() {
        // Pointer to itself.
        assert_eq!(
            read_name(&msg_with(b"\xc0\x0c"), 12).unwrap_err(),
            NameError::BadPointer
        );
        // Pointer forward.
        assert_eq!(
            read_name(&msg_with(b"\xc0\x0e\x00"), 12).unwrap_err(),
            NameError::BadPointer
        );
        // Pointer into the header.
        let m = msg_with(b"\x01a\x00\xc0\x02");
        assert_eq!(read_name(&m, 15).unwrap_err(), NameError::BadPointer);
    }

    #[test]
    fn refuses_two_pointer_loop() {
        // 12: "a" -> ptr to 16 (forward: refused) ; 16: ptr to 12 (backward), which then
        // points forward again: the segment rule catches it.
        let m = msg_with(b"\x01a\xc0\x10\xc0\x0c");
        assert_eq!(read_name(&m, 16).unwrap_err(), NameError::BadPointer);
    }

    #[test]
    fn refuses_truncated_and_bad_labels() {
        assert_eq!(
            read_name(&msg_with(b"\x05ab"), 12).unwrap_err(),
            NameError::Truncated
        );
        assert_eq!(
            read_name(&msg_with(b"\x01a"), 12).unwrap_err(),
            NameError::Truncated
        );
        assert_eq!(
            read_name(&msg_with(b"\x41a\x00"), 12).unwrap_err(),
            NameError::BadLabel
        );
        assert_eq!(
            read_name(&msg_with(b"\xc0"), 12).unwrap_err(),
            NameError::Truncated
        );
    }

    #[test]
    fn refuses_names_over_255() {
        let mut name = Vec::new();
        for _ in 0..4 {
            name.push(63);
            name.extend_from_slice(&[b'a'; 63]);
        }
        name.push(0); // 4*64 + 1 = 257
        assert_eq!(
            read_name(&msg_with(&name), 12).unwrap_err(),
            NameError::TooLong
        );
        // 3*64 + 62 + 1 = 255: fits exactly.
        let mut ok = Vec::new();
        for _ in 0..3 {
            ok.push(63);
            ok.extend_from_slice(&[b'a'; 63]);
        }
        ok.push(61);
        ok.extend_from_slice(&[b'b'; 61]);
        ok.push(0);
        assert_eq!(ok.len(), 255);
        let (n, _) = read_name(&msg_with(&ok), 12).unwrap();
        assert_eq!(n.wire().len(), 255);
    }

    #[test]
    fn dotted_label_is_ambiguous() {
        let (n, _) = read_name(&msg_with(b"\x03a.b\x00"), 12).unwrap();
        assert!(n.ambiguous());
    }

    #[test]
    fn skip_name_stops_at_pointer_or_root() {
        let m = msg_with(b"\x01a\xc0\x0c\x01b\x00");
        assert_eq!(skip_name(&m, 12).unwrap(), 16);
        assert_eq!(skip_name(&m, 16).unwrap(), 19);
        assert!(skip_name(&m, 19).is_err());
    }

    #[test]
    fn encodes_text() {
        assert_eq!(encode_text("web.net.").unwrap(), b"\x03web\x03net\x00");
        assert_eq!(encode_text("").unwrap(), b"\x00");
        assert!(encode_text("a..b").is_none());
        assert!(encode_text(&"a".repeat(64)).is_none());
    }
}
