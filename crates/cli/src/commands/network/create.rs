//! `berth network create`

use super::ipam_flags::{self, dedup_last};
use crate::args::{key_values, split_slice, CreateArgs};
use crate::client::{self, Client};
use crate::error::{CliError, Result};
use crate::template::Value;
use crate::{usage, Output};

fn map(kvs: &[(String, String)]) -> Value {
    Value::Object(
        dedup_last(kvs)
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

pub fn run(host: &str, a: CreateArgs, o: &mut Output) -> Result<()> {
    usage::exactly_one("berth network create", &a.args)?;
    let pools = ipam_flags::build(
        &split_slice(&a.subnet),
        &split_slice(&a.ip_range),
        &split_slice(&a.gateway),
        &key_values(&a.aux_address),
    )
    .map_err(CliError::msg)?;
    let mut c = Client::new(host)?;
    let version = c.api_version()?;
    let mut body = vec![
        ("Name", Value::from(a.args[0].as_str())),
        ("Driver", Value::from(a.driver.as_str())),
        ("Scope", Value::from(a.scope.as_deref().unwrap_or(""))),
    ];
    if let Some(v4) = a.ipv4 {
        // The daemon understands EnableIPv4 from API 1.48; docker drops it below that.
        if !client::version_less(&version, "1.48") {
            body.push(("EnableIPv4", Value::Bool(v4)));
        }
    }
    if let Some(v6) = a.ipv6 {
        body.push(("EnableIPv6", Value::Bool(v6)));
    }
    body.extend([
        (
            "IPAM",
            Value::object(vec![
                ("Driver", Value::from(a.ipam_driver.as_str())),
                (
                    "Config",
                    Value::Array(pools.iter().map(|p| p.to_value()).collect()),
                ),
                ("Options", map(&key_values(&a.ipam_opt))),
            ]),
        ),
        ("Internal", Value::Bool(a.internal.unwrap_or(false))),
        ("Attachable", Value::Bool(a.attachable.unwrap_or(false))),
        ("Ingress", Value::Bool(a.ingress.unwrap_or(false))),
        ("ConfigOnly", Value::Bool(a.config_only.unwrap_or(false))),
    ]);
    if let Some(from) = a.config_from.as_deref().filter(|f| !f.is_empty()) {
        body.push((
            "ConfigFrom",
            Value::object(vec![("Network", Value::from(from))]),
        ));
    }
    body.push(("Options", map(&key_values(&a.opt))));
    body.push(("Labels", map(&key_values(&a.label))));
    if client::version_less(&version, "1.44") {
        // Older daemons only refuse duplicate names when asked to.
        body.push(("CheckDuplicate", Value::Bool(true)));
    }
    let json = Value::object(body).to_json(false);
    let resp = client::parse(&c.call("POST", "/networks/create", Some(json.as_bytes()))?)?;
    if let Some(w) = resp
        .get("Warning")
        .and_then(Value::as_str)
        .filter(|w| !w.is_empty())
    {
        o.err.push_str(w);
        o.err.push('\n');
    }
    o.out
        .push_str(resp.get("Id").and_then(Value::as_str).unwrap_or(""));
    o.out.push('\n');
    Ok(())
}
