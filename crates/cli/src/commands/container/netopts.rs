//! `--network` (plain or `name=...,alias=...` advanced syntax) combined with
//! `--network-alias`, `--link`, `--ip`, `--ip6`, `--link-local-ip` and `--mac-address` into
//! the create request's `NetworkingConfig.EndpointsConfig`, as docker's `parseNetworkOpts`
//! does. `network connect` builds its `EndpointConfig` with `endpoint_value` too.

use std::collections::BTreeMap;

use crate::template::Value;

#[derive(Default, Debug, Clone, PartialEq)]
pub struct Attachment {
    pub target: String,
    pub aliases: Vec<String>,
    pub links: Vec<String>,
    pub ipv4: String,
    pub ipv6: String,
    pub mac: String,
    pub link_local: Vec<String>,
    pub driver_opts: BTreeMap<String, String>,
    pub gw_priority: i64,
}

/// One `--network` value (docker's `NetworkOpt.Set`); the advanced form is lowercased as
/// docker does.
pub fn parse_network_flag(value: &str) -> Result<Attachment, String> {
    if !looks_advanced(value) {
        return Ok(Attachment {
            target: value.to_string(),
            ..Default::default()
        });
    }
    let mut a = Attachment::default();
    for field in csv_fields(value) {
        let lower = field.to_lowercase();
        let Some((k, v)) = lower.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(format!("invalid field {field}"));
        };
        let (k, v) = (k.trim(), v.trim().to_string());
        match k {
            "name" => a.target = v,
            "alias" => a.aliases.push(v),
            "ip" => a.ipv4 = v,
            "ip6" => a.ipv6 = v,
            "mac-address" => a.mac = v,
            "link-local-ip" => a.link_local.push(v),
            "driver-opt" => match v.split_once('=').filter(|(k, _)| !k.is_empty()) {
                Some((dk, dv)) => {
                    a.driver_opts
                        .insert(dk.trim().to_string(), dv.trim().to_string());
                }
                None => return Err("invalid key value pair format in driver options".into()),
            },
            "gw-priority" => {
                a.gw_priority =
                    go_atoi(&v).map_err(|why| format!("invalid gw-priority ({v}): {why}"))?
            }
            _ => return Err(format!("invalid field key {k}")),
        }
    }
    if a.target.is_empty() {
        return Err("network name/id is not specified".into());
    }
    Ok(a)
}

/// Go's `strconv.Atoi` on a 64-bit platform, with the reason it gives on failure.
pub fn go_atoi(v: &str) -> Result<i64, &'static str> {
    let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax");
    }
    v.parse::<i64>().map_err(|_| "value out of range")
}

/// Go's `regexp.MatchString(`\w+=\w+(,\w+=\w+)*`, v)`: some `word=word` inside.
fn looks_advanced(v: &str) -> bool {
    let b = v.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    (1..b.len().saturating_sub(1)).any(|i| b[i] == b'=' && word(b[i - 1]) && word(b[i + 1]))
}

/// One CSV record (quotes allowed, as encoding/csv reads it).
fn csv_fields(v: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(s) = out.last_mut() {
                    s.push('"');
                }
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            _ => {
                if let Some(s) = out.last_mut() {
                    s.push(c)
                }
            }
        }
    }
    out
}

pub fn is_user_defined(mode: &str) -> bool {
    !matches!(mode, "default" | "bridge" | "host" | "none") && !mode.starts_with("container:")
}

/// The flags that apply to the first (or the implicit default) network.
pub struct LegacyFlags<'a> {
    pub aliases: &'a [String],
    pub links: &'a [String],
    pub ipv4: Option<&'a str>,
    pub ipv6: Option<&'a str>,
    pub mac: &'a str,
    pub link_local: &'a [String],
}

fn apply_legacy(n: &mut Attachment, f: &LegacyFlags) -> Result<(), String> {
    let conflict = |what: &str| Err(format!("conflicting options: cannot specify both {what}"));
    if !n.aliases.is_empty() && !f.aliases.is_empty() {
        return conflict("--network-alias and per-network alias");
    }
    if !n.links.is_empty() && !f.links.is_empty() {
        return conflict("--link and per-network links");
    }
    if !n.ipv4.is_empty() && f.ipv4.is_some_and(|s| !s.is_empty()) {
        return conflict("--ip and per-network IPv4 address");
    }
    if !n.ipv6.is_empty() && f.ipv6.is_some_and(|s| !s.is_empty()) {
        return conflict("--ip6 and per-network IPv6 address");
    }
    if !n.mac.is_empty() && !f.mac.is_empty() {
        return conflict("--mac-address and per-network MAC address");
    }
    if !n.link_local.is_empty() && !f.link_local.is_empty() {
        return conflict("--link-local-ip and per-network link-local IP addresses");
    }
    if !f.aliases.is_empty() {
        n.aliases = f.aliases.to_vec();
    }
    if is_user_defined(&n.target) && !f.links.is_empty() {
        n.links = f.links.to_vec();
    }
    if let Some(ip) = f.ipv4.filter(|s| !s.is_empty()) {
        n.ipv4 = ip.to_string();
    }
    if let Some(ip) = f.ipv6.filter(|s| !s.is_empty()) {
        n.ipv6 = ip.to_string();
    }
    if !f.mac.is_empty() {
        n.mac = f.mac.to_string();
    }
    if !f.link_local.is_empty() {
        n.link_local = f.link_local.to_vec();
    }
    Ok(())
}

/// docker's `parseNetworkAttachmentOpt`: None stands for an all-empty endpoint.
fn endpoint(a: &Attachment) -> Result<Option<Value>, String> {
    if a.target.trim().is_empty() {
        return Err("no name set for network".into());
    }
    if !is_user_defined(&a.target) {
        if !a.aliases.is_empty() {
            return Err(
                "network-scoped aliases are only supported for user-defined networks".into(),
            );
        }
        if !a.links.is_empty() {
            return Err("links are only supported for user-defined networks".into());
        }
    }
    // docker validates the address but sends it as typed.
    if !a.mac.is_empty() && normalize_mac(&a.mac).is_none() {
        return Err(format!("{} is not a valid mac address", a.mac));
    }
    let mac = a.mac.clone();
    let list = |v: &[String]| {
        if v.is_empty() {
            Value::Null
        } else {
            Value::Array(v.iter().map(|s| Value::from(s.as_str())).collect())
        }
    };
    let ipam = if a.ipv4.is_empty() && a.ipv6.is_empty() && a.link_local.is_empty() {
        Value::Null
    } else {
        let mut f = Vec::new();
        if !a.ipv4.is_empty() {
            f.push(("IPv4Address", Value::from(a.ipv4.as_str())));
        }
        if !a.ipv6.is_empty() {
            f.push(("IPv6Address", Value::from(a.ipv6.as_str())));
        }
        if !a.link_local.is_empty() {
            f.push(("LinkLocalIPs", list(&a.link_local)));
        }
        Value::object(f)
    };
    let empty = matches!(ipam, Value::Null)
        && a.links.is_empty()
        && a.aliases.is_empty()
        && mac.is_empty()
        && a.driver_opts.is_empty()
        && a.gw_priority == 0;
    if empty {
        return Ok(None);
    }
    Ok(Some(endpoint_value(EndpointFields {
        ipam,
        links: list(&a.links),
        aliases: list(&a.aliases),
        mac: &mac,
        driver_opts: driver_opts_value(&a.driver_opts),
        gw_priority: a.gw_priority,
    })))
}

/// The configurable half of an `EndpointSettings`, already shaped as JSON values (each
/// caller has its own null-or-empty rules: `create` sends `null`s, `connect` empty lists).
pub struct EndpointFields<'a> {
    pub ipam: Value,
    pub links: Value,
    pub aliases: Value,
    pub mac: &'a str,
    pub driver_opts: Value,
    pub gw_priority: i64,
}

impl EndpointFields<'_> {
    fn empty() -> EndpointFields<'static> {
        EndpointFields {
            ipam: Value::Null,
            links: Value::Null,
            aliases: Value::Null,
            mac: "",
            driver_opts: Value::Null,
            gw_priority: 0,
        }
    }
}

/// Driver options as docker's `map[string]string` marshals them: `null` when none.
fn driver_opts_value(opts: &BTreeMap<String, String>) -> Value {
    if opts.is_empty() {
        return Value::Null;
    }
    string_map(opts)
}

/// A Go `map[string]string` (keys sorted, as encoding/json writes them).
pub fn string_map(m: &BTreeMap<String, String>) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

/// A whole `EndpointSettings` as docker's CLI sends it: the given configuration, then the
/// operational fields all empty.
pub fn endpoint_value(f: EndpointFields) -> Value {
    let zero = || Value::Number("0".into());
    Value::object(vec![
        ("IPAMConfig", f.ipam),
        ("Links", f.links),
        ("Aliases", f.aliases),
        ("MacAddress", Value::from(f.mac)),
        ("DriverOpts", f.driver_opts),
        ("GwPriority", Value::Number(f.gw_priority.to_string())),
        ("NetworkID", "".into()),
        ("EndpointID", "".into()),
        ("Gateway", "".into()),
        ("IPAddress", "".into()),
        ("IPPrefixLen", zero()),
        ("IPv6Gateway", "".into()),
        ("GlobalIPv6Address", "".into()),
        ("GlobalIPv6PrefixLen", zero()),
        ("DNSNames", Value::Null),
    ])
}

/// Go's `net.HardwareAddr.String()` of a parsed MAC (lowercase, colon separated).
pub fn normalize_mac(s: &str) -> Option<String> {
    let s = s.trim();
    let parts: Vec<&str> = if s.contains(':') {
        s.split(':').collect()
    } else if s.contains('-') {
        s.split('-').collect()
    } else {
        return None;
    };
    if parts.len() != 6 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = parts
        .iter()
        .map(|p| u8::from_str_radix(p, 16).ok())
        .collect();
    Some(
        bytes?
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
    )
}

/// `(NetworkMode, EndpointsConfig)`.
pub fn endpoints(networks: &[Attachment], f: &LegacyFlags) -> Result<(String, Value), String> {
    let mut out: Vec<(String, Value)> = Vec::new();
    if networks.is_empty() {
        let mut n = Attachment {
            target: "default".into(),
            ..Default::default()
        };
        apply_legacy(&mut n, f)?;
        let ep = endpoint(&n)?.unwrap_or_else(|| endpoint_value(EndpointFields::empty()));
        return Ok((
            "default".into(),
            Value::Object(vec![("default".to_string(), ep)]),
        ));
    }
    let (mut user, mut other) = (false, false);
    for (i, n) in networks.iter().enumerate() {
        let mut n = n.clone();
        if is_user_defined(&n.target) {
            user = true;
        } else {
            other = true;
        }
        if i == 0 {
            apply_legacy(&mut n, f)?;
        }
        let ep = endpoint(&n)?;
        if out.iter().any(|(k, _)| *k == n.target) {
            return Err(format!(
                "network {:?} is specified multiple times",
                n.target
            ));
        }
        if i == 0 && networks.len() == 1 && ep.is_none() {
            continue;
        }
        let ep = ep.unwrap_or_else(|| endpoint_value(EndpointFields::empty()));
        out.push((n.target.clone(), ep));
    }
    if user && other {
        return Err(
            "conflicting options: cannot attach both user-defined and non-user-defined network-modes"
                .into(),
        );
    }
    // A Go map: keys sorted.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((networks[0].target.clone(), Value::Object(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advanced_syntax() {
        let a = parse_network_flag("name=N1,alias=X,driver-opt=k=v").unwrap();
        assert_eq!(a.target, "n1");
        assert_eq!(a.aliases, vec!["x"]);
        assert_eq!(a.driver_opts["k"], "v");
        assert_eq!(
            parse_network_flag("name=,alias=x").unwrap_err(),
            "network name/id is not specified"
        );
        assert_eq!(parse_network_flag("host").unwrap().target, "host");
        assert_eq!(
            parse_network_flag("container:abc").unwrap().target,
            "container:abc"
        );
        assert_eq!(
            normalize_mac("92:D0:c6:0a:29:33").unwrap(),
            "92:d0:c6:0a:29:33"
        );
        assert!(normalize_mac("zz").is_none());
    }
}
