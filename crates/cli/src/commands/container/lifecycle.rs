//! `start`, `stop`, `restart`, `kill`, `rm`, `wait` and `rename`: one request per
//! container, the names printed as given, errors printed as they come, exit 1 at the end.

use std::io::Write;

use super::args::{KillArgs, PlainArgs, RmArgs, StartArgs, StopArgs};
use super::run::{exit_code, install_signals, resize, wait_in_background};
use super::stream::{self, End, Streams};
use super::terminal::{self, RawMode};
use super::{escape, exact_args, min_args};
use crate::client::{version_less, Client};
use crate::error::{CliError, Result};
use crate::http::query_escape;
use crate::template::Value;
use crate::Output;

/// Runs `op` for every name: success prints the name, failure its error; exit 1 if any
/// failed (`ignore` tells failures that are reported but do not fail the command).
fn each(
    names: &[String],
    o: &mut Output,
    mut op: impl FnMut(&str) -> Result<Option<String>>,
    ignore: impl Fn(&CliError) -> bool,
) -> Result<bool> {
    let mut failed = false;
    for name in names {
        match op(name) {
            Ok(Some(line)) => {
                o.out.push_str(&line);
                o.out.push('\n');
            }
            Ok(None) => {}
            Err(e @ CliError::Connect(_)) => return Err(e),
            Err(e) => {
                o.err.push_str(&e.to_string());
                o.err.push('\n');
                failed |= !ignore(&e);
            }
        }
    }
    Ok(failed)
}

fn exit_1() -> CliError {
    CliError::Status(1, String::new())
}

pub fn stop(host: &str, path: &str, a: StopArgs, o: &mut Output, verb: &str) -> Result<()> {
    min_args(path, &a.args, 1)?;
    let mut c = Client::new(host)?;
    let version = c.api_version()?;
    let mut q = Vec::new();
    if let Some(s) = a.signal.as_deref().filter(|s| !s.is_empty()) {
        // The daemon takes a stop signal from API 1.42 on; docker leaves it out below.
        if !version_less(&version, "1.42") {
            q.push(format!("signal={}", query_escape(s)));
        }
    }
    if let Some(t) = a.timeout {
        q.push(format!("t={t}"));
    }
    let query = if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    };
    let failed = each(
        &a.args,
        o,
        |name| {
            c.call(
                "POST",
                &format!("/containers/{}/{verb}{query}", escape(name)),
                None,
            )?;
            Ok(Some(name.to_string()))
        },
        |_| false,
    )?;
    if failed {
        return Err(exit_1());
    }
    Ok(())
}

pub fn kill(host: &str, path: &str, a: KillArgs, o: &mut Output) -> Result<()> {
    min_args(path, &a.args, 1)?;
    let mut c = Client::new(host)?;
    let query = match a.signal.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => format!("?signal={}", query_escape(s)),
        None => String::new(),
    };
    let failed = each(
        &a.args,
        o,
        |name| {
            c.call(
                "POST",
                &format!("/containers/{}/kill{query}", escape(name)),
                None,
            )?;
            Ok(Some(name.to_string()))
        },
        |_| false,
    )?;
    if failed {
        return Err(exit_1());
    }
    Ok(())
}

pub fn rm(host: &str, path: &str, a: RmArgs, o: &mut Output) -> Result<()> {
    min_args(path, &a.args, 1)?;
    let mut c = Client::new(host)?;
    let force = a.force.unwrap_or(false);
    let mut q = Vec::new();
    if force {
        q.push("force=1");
    }
    if a.link.unwrap_or(false) {
        q.push("link=1");
    }
    if a.volumes.unwrap_or(false) {
        q.push("v=1");
    }
    let query = if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    };
    let failed = each(
        &a.args,
        o,
        |name| {
            let trimmed = name.trim_matches('/');
            c.call(
                "DELETE",
                &format!("/containers/{}{query}", escape(trimmed)),
                None,
            )?;
            Ok(Some(name.to_string()))
        },
        // docker reports a missing container under -f but does not fail for it.
        |e| force && matches!(e, CliError::Daemon(m) if m.starts_with("No such container")),
    )?;
    if failed {
        return Err(exit_1());
    }
    Ok(())
}

pub fn wait(host: &str, path: &str, a: PlainArgs, o: &mut Output) -> Result<()> {
    min_args(path, &a.args, 1)?;
    let mut c = Client::new(host)?;
    let failed = each(
        &a.args,
        o,
        |name| {
            let body = c.call("POST", &format!("/containers/{}/wait", escape(name)), None)?;
            Ok(Some(exit_code(&body).unwrap_or(0).to_string()))
        },
        |_| false,
    )?;
    if failed {
        return Err(exit_1());
    }
    Ok(())
}

pub fn rename(host: &str, path: &str, a: PlainArgs, _o: &mut Output) -> Result<()> {
    exact_args(path, &a.args, 2)?;
    let (old, new) = (a.args[0].trim(), a.args[1].trim());
    if old.is_empty() || new.is_empty() {
        return Err(CliError::msg(
            "Error: Neither old nor new names may be empty",
        ));
    }
    let mut c = Client::new(host)?;
    let target = format!(
        "/containers/{}/rename?name={}",
        escape(old),
        query_escape(new)
    );
    match c.call("POST", &target, None) {
        Ok(_) => Ok(()),
        Err(e @ CliError::Connect(_)) => Err(e),
        Err(e) => Err(CliError::msg(format!(
            "{e}\nError: failed to rename container named {old}"
        ))),
    }
}

pub fn start(host: &str, path: &str, a: StartArgs, o: &mut Output) -> Result<()> {
    min_args(path, &a.args, 1)?;
    let attach = a.attach.unwrap_or(false);
    let interactive = a.interactive.unwrap_or(false);
    let mut c = Client::new(host)?;
    if !attach && !interactive {
        let mut failed_names = Vec::new();
        each(
            &a.args,
            o,
            |name| {
                c.call("POST", &format!("/containers/{}/start", escape(name)), None)
                    .inspect_err(|_| failed_names.push(name.to_string()))?;
                Ok(Some(name.to_string()))
            },
            |_| false,
        )?;
        if failed_names.is_empty() {
            return Ok(());
        }
        return Err(CliError::msg(format!(
            "Error: failed to start containers: {}",
            failed_names.join(", ")
        )));
    }
    if a.args.len() > 1 {
        return Err(CliError::msg(
            "you cannot start and attach multiple containers at once",
        ));
    }
    let info = c.get_json(&format!("/containers/{}/json", escape(&a.args[0])))?;
    let id = info
        .get("Id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let cfg = |k: &str| {
        info.get("Config")
            .and_then(|c| c.get(k))
            .is_some_and(Value::truthy)
    };
    let tty = cfg("Tty");
    let stdin = interactive && cfg("OpenStdin");
    let auto_remove = info
        .get("HostConfig")
        .and_then(|h| h.get("AutoRemove"))
        .is_some_and(Value::truthy);
    let watch_size = tty && terminal::is_terminal(libc::STDOUT_FILENO);
    install_signals(host, &id, !tty, watch_size, false);
    let mut q = Vec::new();
    if let Some(k) = a.detach_keys.as_deref().filter(|k| !k.is_empty()) {
        q.push(format!("detachKeys={}", query_escape(k)));
    }
    q.push("stderr=1".to_string());
    if stdin {
        q.push("stdin=1".to_string());
    }
    q.push("stdout=1".to_string());
    q.push("stream=1".to_string());
    let (reader, writer) = c.hijack(
        &format!("/containers/{}/attach?{}", escape(&id), q.join("&")),
        None,
    )?;
    let condition = if auto_remove { "removed" } else { "next-exit" };
    let status = wait_in_background(&mut c, &id, condition)?;
    c.call("POST", &format!("/containers/{}/start", escape(&id)), None)?;
    if watch_size {
        resize(&mut c, &format!("/containers/{}", escape(&id)));
    }
    let mut raw = (stdin && tty).then(RawMode::enable);
    let end = stream::pump(
        reader,
        writer,
        &Streams {
            stdin,
            stdout: true,
            stderr: true,
            tty,
            detach_keys: stream::detach_keys(a.detach_keys.as_deref()),
        },
    );
    if let Some(r) = raw.as_mut() {
        r.restore();
    }
    let _ = std::io::stdout().flush();
    match end {
        Ok(End::Detached) => return Ok(()),
        Ok(End::Output) => {}
        Err(e) => return Err(CliError::msg(e.to_string())),
    }
    match status.recv() {
        Ok(0) => Ok(()),
        Ok(code) => Err(CliError::Status(code, String::new())),
        Err(_) => Err(CliError::Status(125, String::new())),
    }
}
