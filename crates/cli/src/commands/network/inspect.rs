//! `berth network inspect`, and the inspect printing shared with `berth inspect`.

use crate::args::NetworkInspectArgs;
use crate::client::Client;
use crate::error::{CliError, Result};
use crate::jsonindent;
use crate::template::{Template, Value};
use crate::{usage, Output};

pub fn run(host: &str, a: NetworkInspectArgs, o: &mut Output) -> Result<()> {
    usage::at_least_one("berth network inspect", &a.args)?;
    let mut c = Client::new(host)?;
    let verbose = a.verbose.unwrap_or(false);
    inspect_all(&a.args, a.format.as_deref().unwrap_or(""), o, |name| {
        fetch(&mut c, name, verbose)
    })
}

/// `GET /networks/{name}`: the raw body.
pub fn fetch(c: &mut Client, name: &str, verbose: bool) -> Result<Vec<u8>> {
    let mut path = format!(
        "/networks/{}",
        crate::http::query_escape(name).replace('+', "%20")
    );
    if verbose {
        path.push_str("?verbose=true");
    }
    c.call("GET", &path, None)
}

/// docker's `inspect.Inspect`: indented JSON array by default, compact for `json`, else a
/// template per element; errors are collected and reported after the output, exit 1.
pub fn inspect_all(
    names: &[String],
    format: &str,
    o: &mut Output,
    mut get: impl FnMut(&str) -> Result<Vec<u8>>,
) -> Result<()> {
    let tmpl = match format {
        "" | "json" => None,
        f => Some(
            Template::parse("", f)
                .map_err(|e| CliError::Status(64, format!("template parsing error: {e}")))?,
        ),
    };
    let mut errors = Vec::new();
    let mut raws: Vec<Vec<u8>> = Vec::new();
    let mut buffer = String::new();
    for name in names {
        let raw = match get(name) {
            Ok(r) => r,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        match &tmpl {
            None => raws.push(raw),
            Some(t) => {
                let rendered = Value::parse_json(&raw)
                    .map_err(|e| format!("unable to read inspect data: {e}"))
                    .and_then(|v| {
                        t.render(&v)
                            .map_err(|e| format!("template parsing error: {e}"))
                    });
                match rendered {
                    Ok(text) => {
                        buffer.push_str(&text);
                        buffer.push('\n');
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
    }
    match &tmpl {
        Some(_) if buffer.is_empty() => o.out.push('\n'),
        Some(_) => o.out.push_str(&buffer),
        None if raws.is_empty() => o.out.push_str("[]\n"),
        None => {
            let mut joined = b"[".to_vec();
            for (i, r) in raws.iter().enumerate() {
                if i > 0 {
                    joined.push(b',');
                }
                joined.extend_from_slice(r);
            }
            joined.push(b']');
            if format == "json" {
                o.out.push_str(&jsonindent::compact(&joined));
            } else {
                o.out.push_str(&jsonindent::indent(&joined, "", "    "));
            }
            o.out.push('\n');
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CliError::Status(1, errors.join("\n")))
    }
}
