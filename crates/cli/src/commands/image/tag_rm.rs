//! `berth tag` and `berth rmi` / `berth image rm`.

use super::args::{PlainArgs, RmiArgs};
use crate::client::Client;
use crate::error::{CliError, Result};
use crate::http::query_escape;
use crate::template::Value;
use crate::{usage, Output};

fn path_name(name: &str) -> String {
    name.split('/')
        .map(|part| query_escape(part).replace('+', "%20"))
        .collect::<Vec<_>>()
        .join("/")
}

pub fn tag(host: &str, path: &str, a: PlainArgs, _o: &mut Output) -> Result<()> {
    if a.args.len() != 2 {
        return Err(CliError::Usage {
            code: 1,
            message: format!("berth: '{path}' requires 2 arguments"),
            path: path.to_string(),
        });
    }
    let mut c = Client::new(host)?;
    // the client checks the target reference first, as docker's ImageTag does
    let target = &a.args[1];
    c.call(
        "POST",
        &format!(
            "/images/{}/tag?repo={}",
            path_name(&a.args[0]),
            query_escape(target)
        ),
        None,
    )?;
    Ok(())
}

pub fn rmi(host: &str, path: &str, a: RmiArgs, o: &mut Output) -> Result<()> {
    usage::at_least_one(path, &a.args)?;
    let mut c = Client::new(host)?;
    let mut query = Vec::new();
    if a.force.unwrap_or(false) {
        query.push("force=1");
    }
    if a.no_prune.unwrap_or(false) {
        query.push("noprune=1");
    }
    let q = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    let mut errors = Vec::new();
    for name in &a.args {
        match c.call("DELETE", &format!("/images/{}{q}", path_name(name)), None) {
            Ok(body) => {
                if let Ok(Value::Array(items)) = Value::parse_json(&body) {
                    for item in items {
                        if let Some(u) = item.get("Untagged").and_then(Value::as_str) {
                            o.out.push_str(&format!("Untagged: {u}\n"));
                        }
                        if let Some(d) = item.get("Deleted").and_then(Value::as_str) {
                            o.out.push_str(&format!("Deleted: {d}\n"));
                        }
                    }
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CliError::Status(1, errors.join("\n")))
    }
}
