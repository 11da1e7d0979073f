//! `berth network ls`

use std::rc::Rc;

use crate::args::LsArgs;
use crate::client::{self, Client};
use crate::error::Result;
use crate::formatter::{self, natural_less, truncate_id};
use crate::template::Value;
use crate::timefmt;
use crate::{usage, Output};

const DEFAULT_TABLE: &str = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";

pub fn run(host: &str, a: LsArgs, o: &mut Output) -> Result<()> {
    usage::none("berth network ls", &a.args)?;
    let filters = a
        .filter
        .iter()
        .map(|f| client::parse_filter(f))
        .collect::<Result<Vec<_>>>()?;
    let mut c = Client::new(host)?;
    let q = client::filters_query(&filters);
    let path = if q.is_empty() {
        "/networks".to_string()
    } else {
        format!("/networks?{q}")
    };
    let list = match c.get_json(&path)? {
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    let quiet = a.quiet.unwrap_or(false);
    let format = resolve_format(a.format.as_deref().unwrap_or(""), quiet);
    o.out
        .push_str(&render(list, &format, !a.no_trunc.unwrap_or(false))?);
    Ok(())
}

/// docker's `network.NewFormat`.
pub fn resolve_format(format: &str, quiet: bool) -> String {
    match format {
        "" | "table" if quiet => "{{.ID}}".into(),
        "" | "table" => DEFAULT_TABLE.into(),
        "raw" if quiet => "network_id: {{.ID}}".into(),
        "raw" => {
            "network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n"
                .into()
        }
        f => f.into(),
    }
}

/// Sorts the networks by name as docker does and renders them.
pub fn render(mut list: Vec<Value>, format: &str, trunc: bool) -> Result<String> {
    let name = |v: &Value| {
        v.get("Name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    list.sort_by(|a, b| {
        let (x, y) = (name(a), name(b));
        if natural_less(&x, &y) {
            std::cmp::Ordering::Less
        } else if natural_less(&y, &x) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    let rows: Vec<Value> = list.iter().map(|n| row(n, trunc)).collect();
    formatter::write(format, &rows, &header(), "*network.networkContext")
}

/// The fields docker's `networkContext` offers, keys sorted as its JSON form has them.
fn row(n: &Value, trunc: bool) -> Value {
    let s = |k: &str| n.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let b = |k: &str| n.get(k).map(Value::truthy).unwrap_or(false).to_string();
    let id = if trunc {
        truncate_id(&s("Id"))
    } else {
        s("Id")
    };
    let mut labels: Vec<(String, String)> = match n.get("Labels") {
        Some(Value::Object(f)) => f
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
            .collect(),
        _ => Vec::new(),
    };
    labels.sort();
    let joined = labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let label_map = labels.clone();
    let label = Value::Method(Rc::new(move |args: &[Value]| match args {
        [Value::String(k)] => Ok(Value::String(
            label_map
                .iter()
                .find(|(lk, _)| lk == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        )),
        _ => Err(format!(
            "wrong number of args for Label: want 1 got {}",
            args.len()
        )),
    }));
    Value::object(vec![
        (
            "CreatedAt",
            Value::String(timefmt::go_string(&s("Created"))),
        ),
        ("Driver", Value::String(s("Driver"))),
        ("ID", Value::String(id)),
        ("IPv4", Value::String(b("EnableIPv4"))),
        ("IPv6", Value::String(b("EnableIPv6"))),
        ("Internal", Value::String(b("Internal"))),
        ("Label", label),
        ("Labels", Value::String(joined)),
        ("Name", Value::String(s("Name"))),
        ("Scope", Value::String(s("Scope"))),
    ])
}

fn header() -> Value {
    // docker's SubHeaderContext.Label: the last dot-separated part, `-`/`_` as spaces.
    let label = Value::Method(Rc::new(|args: &[Value]| match args {
        [Value::String(k)] => Ok(Value::String(
            k.rsplit('.').next().unwrap_or("").replace(['-', '_'], " "),
        )),
        _ => Err("wrong number of args for Label".to_string()),
    }));
    Value::object(vec![
        ("Label", label),
        ("ID", "NETWORK ID".into()),
        ("Name", "NAME".into()),
        ("Driver", "DRIVER".into()),
        ("Scope", "SCOPE".into()),
        ("IPv4", "IPV4".into()),
        ("IPv6", "IPV6".into()),
        ("Internal", "INTERNAL".into()),
        ("Labels", "LABELS".into()),
        ("CreatedAt", "CREATED AT".into()),
    ])
}
