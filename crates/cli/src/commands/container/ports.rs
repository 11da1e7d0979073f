//! `-p`/`--publish` and `--expose` as docker parses them (go-connections' `nat`):
//! `[ip:][hostPort[-end]:]containerPort[-end][/proto]` and the long `target=,published=` form.

use std::collections::BTreeMap;

/// ExposedPorts (a set) and PortBindings (port -> bindings in order), keyed `80/tcp`.
#[derive(Default, Debug)]
pub struct Ports {
    pub exposed: BTreeMap<String, ()>,
    pub bindings: BTreeMap<String, Vec<(String, String)>>,
}

/// The long syntax becomes `published:target/protocol`.
fn standard_notation(spec: &str) -> Result<String, String> {
    if !spec.contains('=') {
        return Ok(spec.to_string());
    }
    let mut params: BTreeMap<&str, &str> = BTreeMap::from([("protocol", "tcp")]);
    for param in spec.split(',') {
        match param.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                params.insert(k, v);
            }
            _ => {
                return Err(format!(
                    "invalid publish opts format (should be name=value but got '{param}')"
                ))
            }
        }
    }
    let get = |k: &str| params.get(k).copied().unwrap_or("");
    Ok(format!(
        "{}:{}/{}",
        get("published"),
        get("target"),
        get("protocol")
    ))
}

pub fn parse(publish: &[String], expose: &[String]) -> Result<Ports, String> {
    let mut ports = Ports::default();
    for spec in publish {
        for (port, ip, host_port) in parse_spec(&standard_notation(spec)?)? {
            ports.exposed.insert(port.clone(), ());
            ports
                .bindings
                .entry(port)
                .or_default()
                .push((ip, host_port));
        }
    }
    for e in expose {
        if e.contains(':') {
            return Err(format!("invalid port format for --expose: {e}"));
        }
        let (proto, port) = split_proto_port(e);
        let (start, end) = parse_range(&port)
            .map_err(|err| format!("invalid range format for --expose: {e}, error: {err}"))?;
        for p in start..=end {
            ports.exposed.insert(format!("{p}/{proto}"), ());
        }
    }
    Ok(ports)
}

/// One spec: `(port/proto, host ip, host port)` per container port.
fn parse_spec(raw: &str) -> Result<Vec<(String, String, String)>, String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let n = parts.len();
    let container = parts[n - 1];
    let (mut ip, host) = match n {
        1 => (String::new(), ""),
        2 => (String::new(), parts[0]),
        3 => (parts[0].to_string(), parts[1]),
        _ => (parts[..n - 2].join(":"), parts[n - 2]),
    };
    let (proto, container) = split_proto_port(container);
    if let Some(inner) = ip.strip_prefix('[') {
        ip = inner
            .strip_suffix(']')
            .ok_or_else(|| {
                format!("invalid IP address {ip}: address {ip}:: missing ']' in address")
            })?
            .to_string();
    }
    if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
        return Err(format!("invalid IP address: {ip}"));
    }
    if container.is_empty() {
        return Err(format!("no port specified: {raw}<empty>"));
    }
    let (start, end) =
        parse_range(&container).map_err(|_| format!("invalid containerPort: {container}"))?;
    let (mut hstart, mut hend) = (0u64, 0u64);
    if !host.is_empty() {
        (hstart, hend) = parse_range(host).map_err(|_| format!("invalid hostPort: {host}"))?;
    }
    if !host.is_empty() && end - start != hend - hstart && end != start {
        return Err(format!(
            "invalid ranges specified for container and host Ports: {container} and {host}"
        ));
    }
    let proto = proto.to_lowercase();
    if !["tcp", "udp", "sctp"].contains(&proto.as_str()) {
        return Err(format!("invalid proto: {proto}"));
    }
    let mut out = Vec::new();
    for i in 0..=(end - start) {
        let mut host_port = if host.is_empty() {
            String::new()
        } else {
            (hstart + i).to_string()
        };
        if start == end && hstart != hend {
            host_port = format!("{host_port}-{hend}");
        }
        out.push((format!("{}/{proto}", start + i), ip.clone(), host_port));
    }
    Ok(out)
}

/// `80/udp` -> ("udp", "80"); no protocol means tcp.
pub fn split_proto_port(raw: &str) -> (String, String) {
    let parts: Vec<&str> = raw.split('/').collect();
    if raw.is_empty() || parts[0].is_empty() {
        return (String::new(), String::new());
    }
    if parts.len() == 1 || parts[1].is_empty() {
        return ("tcp".into(), parts[0].to_string());
    }
    (parts[1].to_string(), parts[0].to_string())
}

/// `8000-8010` or `80`, with strconv's wording on failure.
fn parse_range(ports: &str) -> Result<(u64, u64), String> {
    if ports.is_empty() {
        return Err("empty string specified for ports".into());
    }
    let parse = |s: &str| {
        s.parse::<u16>().map(u64::from).map_err(|e| {
            let why = if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) {
                "value out of range"
            } else {
                "invalid syntax"
            };
            format!("strconv.ParseUint: parsing {s:?}: {why}")
        })
    };
    match ports.split_once('-') {
        None => {
            let p = parse(ports)?;
            Ok((p, p))
        }
        Some((a, b)) => {
            let (s, e) = (parse(a)?, parse(b)?);
            if e < s {
                return Err(format!("invalid range specified for port: {ports}"));
            }
            Ok((s, e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn docker_errors() {
        let e = |p: &str| parse(&s(&[p]), &[]).unwrap_err();
        assert_eq!(e("foo"), "invalid containerPort: foo");
        assert_eq!(e("1:2:3:4"), "invalid IP address: 1:2");
        assert_eq!(e("99999:80"), "invalid hostPort: 99999");
        assert_eq!(e("80/sctpx"), "invalid proto: sctpx");
        assert_eq!(
            parse(&[], &s(&["abc"])).unwrap_err(),
            "invalid range format for --expose: abc, error: strconv.ParseUint: parsing \"abc\": invalid syntax"
        );
    }

    #[test]
    fn host_range_on_one_container_port() {
        let p = parse(&s(&["6000-6001:6000/tcp", "[::1]:5000:5000"]), &[]).unwrap();
        assert_eq!(
            p.bindings["6000/tcp"],
            vec![(String::new(), "6000-6001".to_string())]
        );
        assert_eq!(
            p.bindings["5000/tcp"],
            vec![("::1".to_string(), "5000".to_string())]
        );
    }
}
