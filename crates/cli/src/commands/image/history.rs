//! `berth history` / `berth image history`: docker's table of IMAGE, CREATED, CREATED BY,
//! SIZE and COMMENT, newest first, from `GET /images/{name}/history`.

use super::args::HistoryArgs;
use crate::client::Client;
use crate::error::{CliError, Result};
use crate::formatter::{self, truncate_id};
use crate::http::query_escape;
use crate::template::Value;
use crate::units::{human_duration, human_size};
use crate::Output;

const DEFAULT_TABLE: &str =
    "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";

pub fn run(host: &str, path: &str, a: HistoryArgs, o: &mut Output) -> Result<()> {
    if a.args.len() != 1 {
        return Err(CliError::Usage {
            code: 1,
            message: format!("berth: '{path}' requires exactly 1 argument"),
            path: path.to_string(),
        });
    }
    let mut c = Client::new(host)?;
    let list = match c.get_json(&format!("/images/{}/history", query_escape(&a.args[0])))? {
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    let quiet = a.quiet.unwrap_or(false);
    let format = match a.format.as_deref().unwrap_or("") {
        "" | "table" if quiet => "{{.ID}}".to_string(),
        "" | "table" => DEFAULT_TABLE.to_string(),
        f => f.to_string(),
    };
    let trunc = !a.no_trunc.unwrap_or(false);
    let human = a.human.unwrap_or(true);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let rows: Vec<Value> = list.iter().map(|h| row(h, trunc, human, now)).collect();
    o.out.push_str(&formatter::write(
        &format,
        &rows,
        &header(),
        "*formatter.historyContext",
    )?);
    Ok(())
}

fn num(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Number(n)) => n.parse::<f64>().map(|f| f as i64).unwrap_or(0),
        _ => 0,
    }
}

fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or("").to_string()
}

fn row(h: &Value, trunc: bool, human: bool, now: i64) -> Value {
    let id = text(h.get("Id"));
    let id = if trunc && id != "<missing>" {
        truncate_id(&id)
    } else {
        id
    };
    let created = num(h.get("Created"));
    let mut created_by = text(h.get("CreatedBy")).replace('\t', " ");
    // docker's Ellipsis: 45 columns at most, the last one an ellipsis
    if trunc && created_by.chars().count() > 45 {
        created_by = created_by.chars().take(44).collect::<String>() + "…";
    }
    let size = num(h.get("Size"));
    Value::object(vec![
        ("ID", Value::String(id)),
        (
            "CreatedSince",
            Value::String(if human {
                format!("{} ago", human_duration(now - created))
            } else {
                crate::units::rfc3339_utc(created)
            }),
        ),
        (
            "CreatedAt",
            Value::String(crate::units::rfc3339_utc(created)),
        ),
        ("CreatedBy", Value::String(created_by)),
        (
            "Size",
            Value::String(if human {
                human_size(size as f64)
            } else {
                size.to_string()
            }),
        ),
        ("Comment", Value::String(text(h.get("Comment")))),
    ])
}

fn header() -> Value {
    Value::object(vec![
        ("ID", "IMAGE".into()),
        ("CreatedSince", "CREATED".into()),
        ("CreatedAt", "CREATED AT".into()),
        ("CreatedBy", "CREATED BY".into()),
        ("Size", "SIZE".into()),
        ("Comment", "COMMENT".into()),
    ])
}
