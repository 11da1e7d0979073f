//! `berth port CONTAINER [PRIVATE_PORT[/PROTO]]`: the host ends of a container's published
//! ports, read from inspect's `NetworkSettings.Ports`, printed and sorted as docker does.

use super::args::PlainArgs;
use super::{arg_error, escape};
use crate::client::Client;
use crate::error::{CliError, Result};
use crate::template::Value;
use crate::Output;
use std::cmp::Ordering;

pub fn run(host: &str, path: &str, a: PlainArgs, o: &mut Output) -> Result<()> {
    if a.args.is_empty() || a.args.len() > 2 {
        return Err(arg_error(
            path,
            "requires at least 1 and at most 2 arguments",
            false,
        ));
    }
    let name = &a.args[0];
    let mut c = Client::new(host)?;
    let v = c.get_json(&format!("/containers/{}/json", escape(name)))?;
    let ports = v.get("NetworkSettings").and_then(|n| n.get("Ports"));
    let frontends = |key: &str| -> Vec<String> {
        match ports.and_then(|p| p.get(key)) {
            Some(Value::Array(list)) => list.iter().map(join_host_port).collect(),
            _ => Vec::new(),
        }
    };
    let mut out: Vec<String> = Vec::new();
    if let Some(spec) = a.args.get(1) {
        let (port, proto) = spec.split_once('/').unwrap_or((spec, ""));
        let proto = if proto.is_empty() { "tcp" } else { proto };
        if let Err(e) = port.parse::<u16>() {
            let why = if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) {
                "value out of range"
            } else {
                "invalid syntax"
            };
            return Err(CliError::msg(format!(
                "Error: invalid port ({port}): strconv.ParseUint: parsing {port:?}: {why}"
            )));
        }
        out = frontends(&format!("{port}/{proto}"));
        if out.is_empty() {
            return Err(CliError::msg(format!(
                "Error: No public port '{spec}' published for {name}"
            )));
        }
    } else if let Some(Value::Object(entries)) = ports {
        for (from, _) in entries {
            out.extend(
                frontends(from)
                    .into_iter()
                    .map(|to| format!("{from} -> {to}")),
            );
        }
    }
    if !out.is_empty() {
        out.sort_by(|a, b| natural_cmp(a, b));
        o.out.push_str(&out.join("\n"));
        o.out.push('\n');
    }
    Ok(())
}

/// Go's `net.JoinHostPort`: IPv6 addresses in brackets.
fn join_host_port(binding: &Value) -> String {
    let field = |k: &str| binding.get(k).and_then(Value::as_str).unwrap_or("");
    let (ip, port) = (field("HostIp"), field("HostPort"));
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// The natural order docker sorts with (`sortorder.NaturalLess`): runs of digits compare as
/// numbers, everything else byte by byte.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (ca, cb) = (a[i], b[j]);
        if ca.is_ascii_digit() && cb.is_ascii_digit() {
            let si = i;
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let (na, nb) = (trim_zeros(&a[si..i]), trim_zeros(&b[sj..j]));
            let ord = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if ord != Ordering::Equal {
                return ord;
            }
            // equal values: fewer leading zeros first
            let ord = (i - si).cmp(&(j - sj));
            if ord != Ordering::Equal {
                return ord;
            }
            continue;
        }
        if ca != cb {
            return ca.cmp(&cb);
        }
        i += 1;
        j += 1;
    }
    (a.len() - i).cmp(&(b.len() - j))
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let n = d.iter().take_while(|&&c| c == b'0').count();
    &d[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec![
            "443/tcp -> 0.0.0.0:8443",
            "80/tcp -> [::]:8080",
            "80/tcp -> 0.0.0.0:8080",
            "9000/udp -> 0.0.0.0:9000",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            vec![
                "80/tcp -> 0.0.0.0:8080",
                "80/tcp -> [::]:8080",
                "443/tcp -> 0.0.0.0:8443",
                "9000/udp -> 0.0.0.0:9000",
            ]
        );
        assert_eq!(natural_cmp("a2", "a10"), Ordering::Less);
        assert_eq!(natural_cmp("a", "ab"), Ordering::Less);
    }
}
