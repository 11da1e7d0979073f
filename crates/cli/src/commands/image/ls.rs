//! `berth images` / `berth image ls`: docker's table of REPOSITORY, TAG, IMAGE ID, CREATED
//! and SIZE, one row per tag, `<none>` for untagged images.

use super::args::LsArgs;
use crate::client::{self, Client};
use crate::error::Result;
use crate::formatter::{self, truncate_id};
use crate::template::Value;
use crate::timefmt;
use crate::units::{human_duration, human_size, rfc3339_utc};
use crate::Output;

const DEFAULT_TABLE: &str =
    "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

pub fn run(host: &str, path: &str, a: LsArgs, o: &mut Output) -> Result<()> {
    if a.args.len() > 1 {
        return Err(crate::error::CliError::Usage {
            code: 1,
            message: format!("berth: '{path}' requires at most 1 argument"),
            path: path.to_string(),
        });
    }
    let mut filters = a
        .filter
        .iter()
        .map(|f| client::parse_filter(f))
        .collect::<Result<Vec<_>>>()?;
    if let Some(r) = a.args.first() {
        filters.push(("reference".into(), r.clone()));
    }
    let mut c = Client::new(host)?;
    let mut query = String::new();
    if a.all.unwrap_or(false) {
        query.push_str("all=1");
    }
    let fq = client::filters_query(&filters);
    if !fq.is_empty() {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&fq);
    }
    let url = if query.is_empty() {
        "/images/json".to_string()
    } else {
        format!("/images/json?{query}")
    };
    let list = match c.get_json(&url)? {
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
    let now = now_secs();
    let mut rows = Vec::new();
    for img in &list {
        let tags: Vec<String> = match img.get("RepoTags") {
            Some(Value::Array(t)) => t
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .filter(|t| t != "<none>:<none>")
                .collect(),
            _ => Vec::new(),
        };
        if tags.is_empty() {
            rows.push(row(img, "<none>", "<none>", trunc, now));
        }
        for t in &tags {
            let (repo, tag) = split_tag(t);
            rows.push(row(img, repo, tag, trunc, now));
        }
    }
    o.out.push_str(&formatter::write(
        &format,
        &rows,
        &header(),
        "*formatter.imageContext",
    )?);
    Ok(())
}

/// `name:tag` → (name, tag); the tag follows the last ':' after the last '/'.
fn split_tag(t: &str) -> (&str, &str) {
    let slash = t.rfind('/').map(|i| i + 1).unwrap_or(0);
    match t[slash..].rfind(':') {
        Some(i) => (&t[..slash + i], &t[slash + i + 1..]),
        None => (t, "<none>"),
    }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn num(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.parse::<f64>().ok().map(|f| f as i64),
        _ => None,
    }
}

fn row(img: &Value, repo: &str, tag: &str, trunc: bool, now: i64) -> Value {
    let id = img
        .get("Id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let created = img.get("Created").and_then(num).unwrap_or(0);
    let size = img.get("Size").and_then(num).unwrap_or(0);
    let containers = img.get("Containers").and_then(num).unwrap_or(-1);
    let na = |n: i64| {
        if n < 0 {
            "N/A".to_string()
        } else {
            n.to_string()
        }
    };
    Value::object(vec![
        ("Containers", Value::String(na(containers))),
        (
            "CreatedAt",
            Value::String(timefmt::go_string(&rfc3339_utc(created))),
        ),
        (
            "CreatedSince",
            Value::String(format!("{} ago", human_duration(now - created))),
        ),
        ("Digest", Value::String("<none>".into())),
        (
            "ID",
            Value::String(if trunc { truncate_id(&id) } else { id }),
        ),
        ("Repository", Value::String(repo.to_string())),
        ("SharedSize", Value::String("N/A".into())),
        ("Size", Value::String(human_size(size as f64))),
        ("Tag", Value::String(tag.to_string())),
        ("UniqueSize", Value::String("N/A".into())),
        ("VirtualSize", Value::String(human_size(size as f64))),
    ])
}

fn header() -> Value {
    Value::object(vec![
        ("Containers", "CONTAINERS".into()),
        ("CreatedAt", "CREATED AT".into()),
        ("CreatedSince", "CREATED".into()),
        ("Digest", "DIGEST".into()),
        ("ID", "IMAGE ID".into()),
        ("Repository", "REPOSITORY".into()),
        ("SharedSize", "SHARED SIZE".into()),
        ("Size", "SIZE".into()),
        ("Tag", "TAG".into()),
        ("UniqueSize", "UNIQUE SIZE".into()),
        ("VirtualSize", "VIRTUAL SIZE".into()),
    ])
}
