//! `berth network connect`: docker 28's flags and the `POST /networks/{id}/connect` body its
//! CLI sends (an `IPAMConfig` object even when empty, `Aliases`/`DriverOpts` never null).

use std::collections::BTreeMap;

use crate::args::ConnectArgs;
use crate::client::Client;
use crate::commands::container::config::validate_link;
use crate::commands::container::netopts::{endpoint_value, string_map, EndpointFields};
use crate::error::{CliError, Result};
use crate::template::Value;
use crate::{usage, Output};

const PATH: &str = "berth network connect";

/// Like docker, a successful connect prints nothing.
pub fn run(host: &str, a: ConnectArgs, _o: &mut Output) -> Result<()> {
    let body = request_body(&a)?;
    let mut c = Client::new(host)?;
    c.call(
        "POST",
        &network_path(&a.args[0], "connect")?,
        Some(body.as_bytes()),
    )?;
    Ok(())
}

/// Everything the command checks before it talks to the daemon, in docker's order: flag
/// values (pflag, exit 125), the argument count, driver options, then the two names.
pub fn request_body(a: &ConnectArgs) -> Result<String> {
    for l in &a.link {
        validate_link(l).map_err(|why| flag_error(l, "--link", &why))?;
    }
    let gw_priority = match a.gw_priority.as_deref() {
        None => 0,
        Some(v) => parse_go_int(v).map_err(|why| {
            flag_error(
                v,
                "--gw-priority",
                &format!("strconv.ParseInt: parsing {v:?}: {why}"),
            )
        })?,
    };
    usage::exactly(PATH, &a.args, 2)?;
    let driver_opts = driver_opts(&string_slice(&a.driver_opt))?;
    trim_id("network", &a.args[0])?;
    let container = trim_id("container", &a.args[1])?;
    let strings = |v: &[String]| Value::Array(v.iter().map(|s| Value::from(s.as_str())).collect());
    let mut ipam = Vec::new();
    if let Some(ip) = a.ip.as_deref().filter(|s| !s.is_empty()) {
        ipam.push(("IPv4Address", Value::from(ip)));
    }
    if let Some(ip) = a.ip6.as_deref().filter(|s| !s.is_empty()) {
        ipam.push(("IPv6Address", Value::from(ip)));
    }
    let link_local = string_slice(&a.link_local_ip);
    if !link_local.is_empty() {
        ipam.push(("LinkLocalIPs", strings(&link_local)));
    }
    let links = if a.link.is_empty() {
        Value::Null
    } else {
        strings(&a.link)
    };
    let endpoint = endpoint_value(EndpointFields {
        ipam: Value::object(ipam),
        links,
        aliases: strings(&string_slice(&a.alias)),
        mac: "",
        driver_opts: string_map(&driver_opts),
        gw_priority,
    });
    let body = Value::object(vec![
        ("Container", Value::from(container.as_str())),
        ("EndpointConfig", endpoint),
    ]);
    Ok(body.to_json(false))
}

/// `/networks/{name}/{action}` for a name that passed `trim_id`.
pub fn network_path(name: &str, action: &str) -> Result<String> {
    let name = trim_id("network", name)?;
    Ok(format!(
        "/networks/{}/{action}",
        crate::http::query_escape(&name).replace('+', "%20")
    ))
}

/// The API client's `trimID`: surrounding blanks are dropped and nothing left is an error.
pub fn trim_id(kind: &str, id: &str) -> Result<String> {
    let id = id.trim();
    if id.is_empty() {
        return Err(CliError::msg(format!(
            "invalid {kind} name or ID: value is empty"
        )));
    }
    Ok(id.to_string())
}

fn flag_error(value: &str, flag: &str, why: &str) -> CliError {
    CliError::Usage {
        code: 125,
        message: format!("invalid argument {value:?} for {flag:?} flag: {why}"),
        path: PATH.to_string(),
    }
}

/// pflag's `StringSlice`: each value is a comma-separated list, and an empty value adds nothing.
fn string_slice(values: &[String]) -> Vec<String> {
    values
        .iter()
        .filter(|v| !v.is_empty())
        .flat_map(|v| v.split(','))
        .map(str::to_string)
        .collect()
}

/// docker's `convertDriverOpt`: `key=value`, both trimmed; a later key wins.
fn driver_opts(values: &[String]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for v in values {
        match v.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => {
                out.insert(k.trim().to_string(), val.trim().to_string());
            }
            _ => {
                return Err(CliError::msg(
                    "invalid key/value pair format in driver options",
                ))
            }
        }
    }
    Ok(out)
}

/// Go's `strconv.ParseInt(s, 0, 64)` (pflag's int flags): an optional sign, a `0x`/`0o`/`0b`
/// or legacy `0` octal prefix, and `_` between digits.
pub fn parse_go_int(s: &str) -> std::result::Result<i64, &'static str> {
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = rest.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.contains('_') && !(radix != 10 && underscores_ok(digits)) {
        return Err("invalid syntax");
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() || !clean.chars().all(|c| c.is_digit(radix)) {
        return Err("invalid syntax");
    }
    let magnitude = u64::from_str_radix(&clean, radix).map_err(|_| "value out of range")?;
    if negative {
        if magnitude > i64::MAX as u64 + 1 {
            return Err("value out of range");
        }
        Ok((magnitude as i64).wrapping_neg())
    } else {
        i64::try_from(magnitude).map_err(|_| "value out of range")
    }
}

/// Go's `underscoreOK` after a base prefix: each `_` sits between the prefix or a digit and
/// a digit.
fn underscores_ok(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c != b'_' || ((i == 0 || b[i - 1] != b'_') && b.get(i + 1).is_some_and(|n| *n != b'_'))
    })
}
