//! `berth import`, `berth load` and `berth save`: tarballs to and from the daemon.

use super::args::{ImportArgs, LoadArgs, SaveArgs};
use super::stream;
use crate::client::Client;
use crate::error::{CliError, Result};
use crate::http::query_escape;
use crate::Output;
use std::io::{IsTerminal, Read, Write};

fn read_input(path: &str) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    if path == "-" {
        std::io::stdin()
            .lock()
            .read_to_end(&mut data)
            .map_err(|e| CliError::msg(format!("reading STDIN: {e}")))?;
    } else {
        data = std::fs::read(path)
            .map_err(|e| CliError::msg(format!("open {path}: {}", go_errno(&e))))?;
    }
    Ok(data)
}

/// Go's wording of the common errno texts.
fn go_errno(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

pub fn import(host: &str, path: &str, a: ImportArgs, o: &mut Output) -> Result<()> {
    if a.args.is_empty() || a.args.len() > 2 {
        return Err(CliError::Usage {
            code: 1,
            message: format!("berth: '{path}' requires at least 1 and at most 2 arguments"),
            path: path.to_string(),
        });
    }
    let source = &a.args[0];
    if source.starts_with("http://") || source.starts_with("https://") {
        return Err(CliError::msg(
            "importing from a URL is not supported by berth: download the tarball and import the file",
        ));
    }
    let mut query = String::from("fromSrc=-");
    if let Some(r) = a.args.get(1) {
        query.push_str(&format!("&repo={}", query_escape(r)));
    }
    if let Some(m) = &a.message {
        query.push_str(&format!("&message={}", query_escape(m)));
    }
    for c in &a.change {
        query.push_str(&format!("&changes={}", query_escape(c)));
    }
    let data = read_input(source)?;
    let mut c = Client::new(host)?;
    let (conn, head) = c.open(
        "POST",
        &format!("/images/create?{query}"),
        &[("Connection", "close")],
        Some(("application/x-tar", &data)),
    )?;
    let body = conn
        .read_body(&head, "POST")
        .map_err(|e| CliError::msg(format!("error reading the daemon's answer: {e}")))?;
    stream::display(&body, &mut o.out)
}

pub fn load(host: &str, a: LoadArgs, o: &mut Output) -> Result<()> {
    crate::usage::none("berth load", &a.args)?;
    let data = match a.input.as_deref() {
        Some(p) => read_input(p)?,
        None => {
            if std::io::stdin().is_terminal() {
                return Err(CliError::msg(
                    "requested load from stdin, but stdin is empty",
                ));
            }
            read_input("-")?
        }
    };
    let quiet = if a.quiet.unwrap_or(false) {
        "?quiet=1"
    } else {
        "?quiet=0"
    };
    let mut c = Client::new(host)?;
    let (conn, head) = c.open(
        "POST",
        &format!("/images/load{quiet}"),
        &[("Connection", "close")],
        Some(("application/x-tar", &data)),
    )?;
    let body = conn
        .read_body(&head, "POST")
        .map_err(|e| CliError::msg(format!("error reading the daemon's answer: {e}")))?;
    stream::display(&body, &mut o.out)
}

pub fn save(host: &str, a: SaveArgs, o: &mut Output) -> Result<()> {
    crate::usage::at_least_one("berth save", &a.args)?;
    let to_stdout = a.output.as_deref().is_none_or(|p| p.is_empty() || p == "-");
    if to_stdout && std::io::stdout().is_terminal() {
        return Err(CliError::msg(
            "cowardly refusing to save to a terminal. Use the -o flag or redirect",
        ));
    }
    let names = a
        .args
        .iter()
        .map(|n| format!("names={}", query_escape(n)))
        .collect::<Vec<_>>()
        .join("&");
    let mut c = Client::new(host)?;
    let data = c.call("GET", &format!("/images/get?{names}"), None)?;
    match a.output.as_deref().filter(|p| !p.is_empty() && *p != "-") {
        Some(p) => std::fs::write(p, &data)
            .map_err(|e| CliError::msg(format!("failed to save image: {e}")))?,
        None => {
            // binary output goes straight out, not through the collected text
            let mut out = std::io::stdout().lock();
            out.write_all(&data)
                .and_then(|_| out.flush())
                .map_err(|e| CliError::msg(format!("failed to save image: {e}")))?;
        }
    }
    let _ = o;
    Ok(())
}
