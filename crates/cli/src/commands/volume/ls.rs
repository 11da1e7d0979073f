//! `berth volume ls`

use std::rc::Rc;

use super::args::LsArgs;
use crate::client::{self, Client};
use crate::error::Result;
use crate::formatter::{self, natural_less};
use crate::template::Value;
use crate::{usage, Output};

const DEFAULT_TABLE: &str = "table {{.Driver}}\t{{.Name}}";

pub fn run(host: &str, a: LsArgs, o: &mut Output) -> Result<()> {
    usage::none("berth volume ls", &a.args)?;
    let filters = a
        .filter
        .iter()
        .map(|f| client::parse_filter(f))
        .collect::<Result<Vec<_>>>()?;
    let mut c = Client::new(host)?;
    let q = client::filters_query(&filters);
    let path = if q.is_empty() {
        "/volumes".to_string()
    } else {
        format!("/volumes?{q}")
    };
    let resp = c.get_json(&path)?;
    if let Some(Value::Array(warnings)) = resp.get("Warnings") {
        for w in warnings {
            o.err.push_str(w.as_str().unwrap_or(""));
            o.err.push('\n');
        }
    }
    let list = match resp.get("Volumes") {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    let format = match (a.format.as_deref().unwrap_or(""), a.quiet.unwrap_or(false)) {
        ("" | "table", true) => "{{.Name}}".to_string(),
        ("" | "table", false) => DEFAULT_TABLE.to_string(),
        (f, _) => f.to_string(),
    };
    o.out.push_str(&render(list, &format)?);
    Ok(())
}

/// Sorts the volumes by name as docker does and renders them.
pub fn render(mut list: Vec<Value>, format: &str) -> Result<String> {
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
    let rows: Vec<Value> = list.iter().map(row).collect();
    formatter::write(format, &rows, &header(), "*volume.volumeContext")
}

/// The fields docker's `volumeContext` offers.
fn row(v: &Value) -> Value {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut labels: Vec<(String, String)> = match v.get("Labels") {
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
    let label = Value::Method(Rc::new(move |args: &[Value]| match args {
        [Value::String(k)] => Ok(Value::String(
            labels
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
        ("Availability", Value::String("N/A".into())),
        ("Driver", Value::String(s("Driver"))),
        ("Group", Value::String("N/A".into())),
        ("Label", label),
        ("Labels", Value::String(joined)),
        ("Links", Value::String("N/A".into())),
        ("Mountpoint", Value::String(s("Mountpoint"))),
        ("Name", Value::String(s("Name"))),
        ("Scope", Value::String(s("Scope"))),
        ("Size", Value::String("N/A".into())),
        ("Status", Value::String("N/A".into())),
    ])
}

fn header() -> Value {
    let label = Value::Method(Rc::new(|args: &[Value]| match args {
        [Value::String(k)] => Ok(Value::String(
            k.rsplit('.').next().unwrap_or("").replace(['-', '_'], " "),
        )),
        _ => Err("wrong number of args for Label".to_string()),
    }));
    Value::object(vec![
        ("Label", label),
        ("Name", "VOLUME NAME".into()),
        ("Driver", "DRIVER".into()),
        ("Scope", "SCOPE".into()),
        ("Mountpoint", "MOUNTPOINT".into()),
        ("Labels", "LABELS".into()),
        ("Links", "LINKS".into()),
        ("Size", "SIZE".into()),
        ("Group", "GROUP".into()),
        ("Availability", "AVAILABILITY".into()),
        ("Status", "STATUS".into()),
    ])
}
