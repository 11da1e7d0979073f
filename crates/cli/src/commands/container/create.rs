//! `berth create`, and the create step `run` shares (docker's `createContainer`): a missing
//! image is pulled as docker does, and daemon warnings are printed.

use std::io::Write;

use super::args::CreateArgs;
use super::config::{self, CreateRequest, FlagError};
use super::terminal;
use crate::client::{self, Client};
use crate::error::{CliError, Result};
use crate::http::query_escape;
use crate::template::Value;
use crate::Output;

pub fn run(host: &str, path: &str, a: CreateArgs, o: &mut Output) -> Result<()> {
    super::min_args(path, &a.c.args, 1)?;
    check_pull(&a.c.pull, path)?;
    let mut c = Client::new(host)?;
    let version = c.api_version()?;
    let req = match config::build(&a.c, &version, false, terminal::stdout_size()) {
        Ok(r) => r,
        Err(FlagError::Plain(m)) => return Err(CliError::msg(m)),
        Err(e) => return Err(flag_error(e, path)),
    };
    let id = create(&mut c, &req, &a.c.pull, a.c.quiet.unwrap_or(false))?;
    o.out.push_str(&id);
    o.out.push('\n');
    Ok(())
}

/// A flag problem as docker prints it for `create`/`run` (exit 125).
pub fn flag_error(e: FlagError, path: &str) -> CliError {
    match e {
        FlagError::Invalid {
            flag,
            value,
            reason,
        } => CliError::Usage {
            code: 125,
            message: format!("invalid argument {value:?} for {flag:?} flag: {reason}"),
            path: path.to_string(),
        },
        FlagError::Parse(m) | FlagError::Plain(m) => CliError::Status(
            125,
            format!("berth: {m}\n\nRun '{path} --help' for more information"),
        ),
    }
}

pub fn check_pull(pull: &str, path: &str) -> Result<()> {
    if ["always", "missing", "never", ""].contains(&pull) {
        return Ok(());
    }
    Err(flag_error(
        FlagError::Parse(format!(
            "invalid pull option: '{pull}': must be one of \"always\", \"missing\" or \"never\""
        )),
        path,
    ))
}

/// `busybox` -> `busybox:latest` (docker's `TagNameOnly` + `FamiliarString`).
pub fn tagged(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    if image.contains('@') || last.contains(':') {
        image.to_string()
    } else {
        format!("{image}:latest")
    }
}

/// Creates the container; on `404` with `--pull missing`, pulls and retries once.
pub fn create(c: &mut Client, req: &CreateRequest, pull: &str, quiet: bool) -> Result<String> {
    let body = req.body.to_json(true);
    let target = match req.name.as_deref() {
        Some(n) => format!("/containers/create?name={}", query_escape(n)),
        None => "/containers/create".to_string(),
    };
    if pull == "always" {
        pull_image(c, &req.image)?;
    }
    let mut resp = c.raw("POST", &target, Some(body.as_bytes()))?;
    if resp.head.status == 404 && pull == "missing" {
        if !quiet {
            let _ = writeln!(
                std::io::stderr(),
                "Unable to find image '{}' locally",
                tagged(&req.image)
            );
        }
        pull_image(c, &req.image)?;
        resp = c.raw("POST", &target, Some(body.as_bytes()))?;
    }
    if resp.head.status >= 400 {
        return Err(CliError::Daemon(client::error_message(
            resp.head.status,
            &resp.body,
        )));
    }
    let v = client::parse(&resp.body)?;
    let mut warnings: Vec<String> = match v.get("Warnings") {
        Some(Value::Array(w)) => w
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    if let Some(dns) = req.dns.iter().find(|d| is_loopback(d)) {
        warnings.push(format!("Localhost DNS ({dns}) may fail in containers."));
    }
    let mut err = std::io::stderr().lock();
    for w in warnings {
        let _ = writeln!(err, "WARNING: {w}");
    }
    Ok(v.get("Id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string())
}

fn is_loopback(ip: &str) -> bool {
    ip.parse::<std::net::IpAddr>()
        .map(|a| a.is_loopback())
        .unwrap_or(false)
}

/// `POST /images/create?fromImage=&tag=`: berth has no registry, so this normally fails
/// with the daemon's message, which is what docker shows when a pull fails.
fn pull_image(c: &mut Client, image: &str) -> Result<()> {
    let full = tagged(image);
    let (name, tag) = match full.split_once('@') {
        Some((n, d)) => (n.to_string(), d.to_string()),
        None => {
            let cut = full.rfind(':').unwrap_or(full.len());
            (full[..cut].to_string(), full[cut + 1..].to_string())
        }
    };
    let path = format!(
        "/images/create?fromImage={}&tag={}",
        query_escape(&name),
        query_escape(&tag)
    );
    let body = c.call("POST", &path, None)?;
    // A pull answers with a JSON message stream; a message carrying `error` failed it.
    for line in body.split(|b| *b == b'\n') {
        if let Ok(v) = Value::parse_json(line) {
            if let Some(e) = v.get("error").and_then(Value::as_str) {
                return Err(CliError::msg(e.to_string()));
            }
        }
    }
    Ok(())
}
