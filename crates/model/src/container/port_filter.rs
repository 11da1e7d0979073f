//! The `publish` and `expose` filters of `GET /containers/json`: `80`, `80/udp` or a range
//! `8000-8080/tcp`, matched against the container ports a container binds (`PortBindings`)
//! or exposes. Parsed as moby parses them, with its (plain, hence 500) errors.

use super::ports::{PortProto, Proto};
use crate::error::ApiError;
use std::collections::BTreeSet;

/// The container ports the filter's values name; empty when the filter is not given.
pub fn parse_port_filter(key: &str, values: &[String]) -> Result<BTreeSet<PortProto>, ApiError> {
    let mut out = BTreeSet::new();
    for value in values {
        if value.contains(':') {
            return Err(ApiError::internal(format!(
                "filter for '{key}' should not contain ':': {value}"
            )));
        }
        let (port, proto) = value.split_once('/').unwrap_or((value, "tcp"));
        let looking_up = |why: String| {
            ApiError::internal(format!("error while looking up for {key} {value}: {why}"))
        };
        let (start, end) = parse_range(port).map_err(looking_up)?;
        // moby accepts any protocol word here; one berth does not know matches nothing.
        let proto = match proto.to_ascii_lowercase().as_str() {
            "" | "tcp" => Some(Proto::Tcp),
            "udp" => Some(Proto::Udp),
            "sctp" => Some(Proto::Sctp),
            _ => None,
        };
        if let Some(proto) = proto {
            out.extend((start..=end).map(|port| PortProto { port, proto }));
        }
    }
    Ok(out)
}

/// go-connections' `ParsePortRange`, with strconv's wording.
fn parse_range(s: &str) -> Result<(u16, u16), String> {
    if s.is_empty() {
        return Err("empty string specified for ports".into());
    }
    let num = |x: &str| {
        x.parse::<u16>().map_err(|e| {
            let why = if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) {
                "value out of range"
            } else {
                "invalid syntax"
            };
            format!("strconv.ParseUint: parsing {x:?}: {why}")
        })
    };
    match s.split_once('-') {
        None => num(s).map(|p| (p, p)),
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            if b < a {
                return Err(format!("invalid range specified for port: {s}"));
            }
            Ok((a, b))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &[&str]) -> Vec<String> {
        let values: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        parse_port_filter("publish", &values)
            .unwrap()
            .iter()
            .map(PortProto::key)
            .collect()
    }

    #[test]
    fn values_as_moby_reads_them() {
        assert_eq!(keys(&["80"]), vec!["80/tcp"]);
        assert_eq!(
            keys(&["53/udp", "8000-8002/tcp"]),
            vec!["53/udp", "8000/tcp", "8001/tcp", "8002/tcp"]
        );
        let e = parse_port_filter("publish", &["8080:80".to_string()]).unwrap_err();
        assert_eq!(
            e.message,
            "filter for 'publish' should not contain ':': 8080:80"
        );
        let e = parse_port_filter("expose", &["abc".to_string()]).unwrap_err();
        assert_eq!(
            e.message,
            "error while looking up for expose abc: strconv.ParseUint: parsing \"abc\": invalid syntax"
        );
    }
}
