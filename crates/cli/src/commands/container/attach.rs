//! `berth attach`: hijacks `POST /containers/{id}/attach` onto the local terminal and
//! exits with the container's status once its output ends.

use super::args::AttachArgs;
use super::run::{exit_code, install_signals, resize};
use super::stream::{self, End, Streams};
use super::terminal::{self, RawMode};
use super::{escape, exact_args};
use crate::client::Client;
use crate::error::{CliError, Result};
use crate::http::query_escape;
use crate::template::Value;
use crate::Output;

pub fn run(host: &str, path: &str, a: AttachArgs, _o: &mut Output) -> Result<()> {
    exact_args(path, &a.args, 1)?;
    let mut c = Client::new(host)?;
    let info = c.get_json(&format!("/containers/{}/json", escape(&a.args[0])))?;
    let state = |k: &str| {
        info.get("State")
            .and_then(|s| s.get(k))
            .is_some_and(Value::truthy)
    };
    if !state("Running") {
        return Err(CliError::msg(
            "You cannot attach to a stopped container, start it first",
        ));
    }
    if state("Paused") {
        return Err(CliError::msg(
            "You cannot attach to a paused container, unpause it first",
        ));
    }
    if state("Restarting") {
        return Err(CliError::msg(
            "You cannot attach to a restarting container, wait until it is running",
        ));
    }
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
    let stdin = !a.no_stdin.unwrap_or(false) && cfg("OpenStdin");
    if stdin && tty && !terminal::is_terminal(libc::STDIN_FILENO) {
        return Err(CliError::msg("the input device is not a TTY"));
    }
    let watch_size = tty && terminal::is_terminal(libc::STDOUT_FILENO);
    install_signals(
        host,
        &id,
        a.sig_proxy.unwrap_or(true) && !tty,
        watch_size,
        false,
    );
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
    if watch_size {
        // docker first resizes one row and column larger so the shell redraws its prompt
        // on every attach, then to the real size.
        let (h, w) = terminal::stdout_size();
        let base = format!("/containers/{}", escape(&id));
        let _ = c.call(
            "POST",
            &format!("{base}/resize?h={}&w={}", h + 1, w + 1),
            None,
        );
        resize(&mut c, &base);
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
    match end {
        // Unlike run, docker's attach reports the detach as an error (exit 1).
        Ok(End::Detached) => return Err(CliError::msg("read escape sequence")),
        Ok(End::Output) => {}
        Err(e) => return Err(CliError::msg(e.to_string())),
    }
    // docker reads the exit code with a wait once the stream has ended.
    let body = c.call("POST", &format!("/containers/{}/wait", escape(&id)), None)?;
    match exit_code(&body).unwrap_or(0) {
        0 => Ok(()),
        code => Err(CliError::Status(code, String::new())),
    }
}
