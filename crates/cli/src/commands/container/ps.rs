//! `berth ps` / `berth container ls`

use super::args::PsArgs;
use super::format;
use crate::client::{self, Client};
use crate::error::{CliError, Result};
use crate::formatter;
use crate::template::{FuncSet, Missing, Template, Value};
use crate::Output;

pub fn run(host: &str, path: &str, a: PsArgs, o: &mut Output) -> Result<()> {
    super::no_args(path, &a.args)?;
    let filters = a
        .filter
        .iter()
        .map(|f| {
            client::parse_filter(f).map_err(|e| CliError::Usage {
                code: 125,
                message: e.to_string(),
                path: path.to_string(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let quiet = a.quiet.unwrap_or(false);
    let user_format = a.format.clone().unwrap_or_default();
    let mut size = a.size.unwrap_or(false);
    if !user_format.is_empty() {
        let t = Template::parse("", &user_format)
            .map_err(|e| CliError::msg(format!("failed to parse template: {e}")))?;
        // docker runs the template once on an empty context before listing.
        let probe = format::row(&Value::Object(Vec::new()), true, 0);
        t.execute(
            &probe,
            Missing::Struct("*formatter.ContainerContext".into()),
            FuncSet::Basic,
        )
        .map_err(|(_, e)| CliError::msg(format!("failed to execute template: {e}")))?;
        // docker asks for sizes when the template uses .Size, unless --size was given.
        if !quiet && a.size.is_none() && user_format.contains(".Size") {
            size = true;
        }
    }
    let mut limit = a.last.unwrap_or(-1);
    if a.latest.unwrap_or(false) && limit == -1 {
        limit = 1;
    }
    let mut q = Vec::new();
    if a.all.unwrap_or(false) {
        q.push("all=1".to_string());
    }
    let f = client::filters_query(&filters);
    if !f.is_empty() {
        q.push(f);
    }
    if limit > 0 {
        q.push(format!("limit={limit}"));
    }
    if size {
        q.push("size=1".to_string());
    }
    let target = if q.is_empty() {
        "/containers/json".to_string()
    } else {
        format!("/containers/json?{}", q.join("&"))
    };
    let mut c = Client::new(host)?;
    let list = match c.get_json(&target)? {
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    let fmt = format::resolve_format(&user_format, quiet, size);
    o.out
        .push_str(&render(&list, &fmt, !a.no_trunc.unwrap_or(false), now())?);
    Ok(())
}

pub fn render(list: &[Value], fmt: &str, trunc: bool, now: i64) -> Result<String> {
    let rows: Vec<Value> = list.iter().map(|c| format::row(c, trunc, now)).collect();
    if fmt == "json" {
        // docker's contexts marshal themselves with json.Marshal, which escapes HTML.
        return Ok(rows.iter().map(|r| r.to_json(true) + "\n").collect());
    }
    formatter::write(fmt, &rows, &format::header(), "*formatter.ContainerContext")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
