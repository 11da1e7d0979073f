//! JSON syntax errors worded as Go's encoding/json words them, because dockerd's clients
//! (and moby's own API tests) see those words: `invalid character 'i' looking for beginning
//! of object key string` rather than serde's `key must be a string at line 1 column 2`.

/// Where the input ended: Go's `json.Decoder` says "unexpected EOF", `json.Unmarshal`
/// says "unexpected end of JSON input".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoReader {
    Decoder,
    Unmarshal,
}

/// Go's message for a serde_json syntax error in `input`; serde's own message when there is
/// no Go equivalent.
pub fn go_syntax_message(input: &[u8], e: &serde_json::Error, reader: GoReader) -> String {
    if e.is_eof() {
        return match reader {
            GoReader::Decoder => "unexpected EOF".to_string(),
            GoReader::Unmarshal => "unexpected end of JSON input".to_string(),
        };
    }
    let Some(c) = byte_at(input, e.line(), e.column()) else {
        return e.to_string();
    };
    let serde_msg = e.to_string();
    let context = if serde_msg.starts_with("key must be a string") {
        "looking for beginning of object key string"
    } else if serde_msg.starts_with("expected value") {
        "looking for beginning of value"
    } else if serde_msg.starts_with("expected `:`") {
        "after object key"
    } else if serde_msg.starts_with("expected `,` or `}`") {
        "after object key:value pair"
    } else if serde_msg.starts_with("expected `,` or `]`") {
        "after array element"
    } else if serde_msg.starts_with("trailing characters") {
        "after top-level value"
    } else if serde_msg.starts_with("trailing comma") && c == b']' {
        "looking for beginning of value"
    } else if serde_msg.starts_with("trailing comma") && c == b'}' {
        "looking for beginning of object key string"
    } else if serde_msg.starts_with("control character") {
        "in string literal"
    } else {
        return serde_msg;
    };
    format!("invalid character {} {context}", quote_char(c))
}

/// The byte serde points at: 1-based line, 1-based byte column (column 0 is the newline
/// that ended the previous line).
fn byte_at(input: &[u8], line: usize, column: usize) -> Option<u8> {
    let mut start = 0;
    for _ in 1..line {
        start += input.get(start..)?.iter().position(|&b| b == b'\n')? + 1;
    }
    input.get((start + column).checked_sub(1)?).copied()
}

/// Go's `quoteChar`: `'x'`, with `'\''` and `'"'` special and escapes for the rest.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => r"'\''".to_string(),
        b'"' => "'\"'".to_string(),
        b'\n' => r"'\n'".to_string(),
        b'\r' => r"'\r'".to_string(),
        b'\t' => r"'\t'".to_string(),
        0x20..=0x7e => format!("'{}'", c as char),
        0x00..=0x1f | 0x7f => format!("'\\x{c:02x}'"),
        _ => format!("'{}'", char::from(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(input: &str, reader: GoReader) -> String {
        let e = serde_json::from_str::<serde_json::Value>(input).unwrap_err();
        go_syntax_message(input.as_bytes(), &e, reader)
    }

    #[test]
    fn worded_as_go() {
        let d = GoReader::Decoder;
        assert_eq!(
            msg("{invalid json", d),
            "invalid character 'i' looking for beginning of object key string"
        );
        assert_eq!(
            msg("bad", d),
            "invalid character 'b' looking for beginning of value"
        );
        assert_eq!(msg(r#"{"Name":"x","#, d), "unexpected EOF");
        assert_eq!(
            msg(r#"{"Name":"x","#, GoReader::Unmarshal),
            "unexpected end of JSON input"
        );
        assert_eq!(
            msg(r#"{"a" 1}"#, d),
            "invalid character '1' after object key"
        );
        assert_eq!(
            msg(r#"{"a":1 "b":2}"#, d),
            "invalid character '\"' after object key:value pair"
        );
        assert_eq!(
            msg("[1,2 3]", d),
            "invalid character '3' after array element"
        );
        assert_eq!(
            msg("{}\n x", d),
            "invalid character 'x' after top-level value"
        );
        assert_eq!(
            msg("[1,]", d),
            "invalid character ']' looking for beginning of value"
        );
        assert_eq!(
            msg("{\"a\":1,\n}", d),
            "invalid character '}' looking for beginning of object key string"
        );
        assert_eq!(
            msg("\"a\nb\"", d),
            r"invalid character '\n' in string literal"
        );
        assert_eq!(
            msg("{'a':1}", d),
            r"invalid character '\'' looking for beginning of object key string"
        );
    }
}
