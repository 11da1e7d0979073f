//! `berth run`: create, attach (hijacked), wait (sent before start, as docker does, so a
//! quick exit is not missed), start, stream, then exit with the container's status.

use std::io::Write;
use std::sync::mpsc;

use super::args::RunArgs;
use super::config::{self, FlagError};
use super::create::{self, flag_error};
use super::escape;
use super::stream::{self, End, Streams};
use super::terminal::{self, RawMode};
use crate::client::{self, Client};
use crate::error::{CliError, Result};
use crate::Output;

pub fn run(host: &str, path: &str, a: RunArgs, _o: &mut Output) -> Result<()> {
    super::min_args(path, &a.c.args, 1)?;
    create::check_pull(&a.c.pull, path)?;
    let detach = a.detach.unwrap_or(false);
    if detach && !a.c.attach.is_empty() {
        return Err(CliError::msg(
            "conflicting options: cannot specify both --attach and --detach",
        ));
    }
    let mut c = Client::new(host)?;
    let version = c.api_version()?;
    let req = match config::build(&a.c, &version, detach, terminal::stdout_size()) {
        Ok(r) => r,
        Err(FlagError::Plain(m)) => return Err(flag_error(FlagError::Parse(m), path)),
        Err(e) => return Err(flag_error(e, path)),
    };
    if !detach && req.attach_stdin && req.tty && !terminal::is_terminal(libc::STDIN_FILENO) {
        return Err(CliError::msg("the input device is not a TTY"));
    }
    let id = create::create(&mut c, &req, &a.c.pull, a.c.quiet.unwrap_or(false))
        .map_err(|e| start_error(&e, path))?;

    let sig_proxy = a.sig_proxy.unwrap_or(true) && !req.tty;
    let attach = req.attach_stdin || req.attach_stdout || req.attach_stderr;
    let watch_size = attach && req.tty && terminal::is_terminal(libc::STDOUT_FILENO);
    install_signals(host, &id, sig_proxy, watch_size, false);

    if !req.attach_stdout && !req.attach_stderr {
        let _ = writeln!(std::io::stdout(), "{id}");
    }
    let session = if attach {
        let mut q = Vec::new();
        if let Some(k) = a.detach_keys.as_deref().filter(|k| !k.is_empty()) {
            q.push(format!("detachKeys={}", crate::http::query_escape(k)));
        }
        for (on, k) in [
            (req.attach_stderr, "stderr"),
            (req.attach_stdin, "stdin"),
            (req.attach_stdout, "stdout"),
        ] {
            if on {
                q.push(format!("{k}=1"));
            }
        }
        q.push("stream=1".into());
        let path = format!("/containers/{}/attach?{}", escape(&id), q.join("&"));
        Some(c.hijack(&path, None)?)
    } else {
        None
    };
    let condition = if req.auto_remove {
        "removed"
    } else {
        "next-exit"
    };
    let status = wait_in_background(&mut c, &id, condition)?;

    if let Err(e) = c.call("POST", &format!("/containers/{}/start", escape(&id)), None) {
        let _ = writeln!(
            std::io::stderr(),
            "berth: {e}\n\nRun '{path} --help' for more information"
        );
        if req.auto_remove {
            let _ = status.recv();
        }
        return Err(CliError::Status(
            start_exit_code(&e.to_string()),
            String::new(),
        ));
    }
    if watch_size {
        resize(&mut c, &format!("/containers/{}", escape(&id)));
    }
    if let Some((reader, writer)) = session {
        let mut raw = (req.attach_stdin && req.tty).then(RawMode::enable);
        let streams = Streams {
            stdin: req.attach_stdin,
            stdout: req.attach_stdout,
            stderr: req.attach_stderr,
            tty: req.tty,
            detach_keys: stream::detach_keys(a.detach_keys.as_deref()),
        };
        let end = stream::pump(reader, writer, &streams);
        if let Some(r) = raw.as_mut() {
            r.restore();
        }
        match end {
            Ok(End::Detached) => return Ok(()),
            Ok(End::Output) => {}
            Err(e) => return Err(CliError::msg(e.to_string())),
        }
    }
    if !req.attach_stdout && !req.attach_stderr {
        return Ok(());
    }
    match status.recv() {
        Ok(0) => Ok(()),
        Ok(code) => Err(CliError::Status(code, String::new())),
        Err(_) => Err(CliError::Status(125, String::new())),
    }
}

/// `berth: <error>` and docker's exit code for a failed create in `run`.
fn start_error(e: &CliError, path: &str) -> CliError {
    let text = e.to_string();
    CliError::Status(
        start_exit_code(&text),
        format!("berth: {text}\n\nRun '{path} --help' for more information"),
    )
}

/// docker's `runStartContainerErr`: 127 for a missing command, 126 for one that cannot be
/// executed, 125 for anything else.
pub fn start_exit_code(message: &str) -> i32 {
    let m = message.trim_start_matches("Error response from daemon: ");
    if m.contains("executable file not found")
        || m.contains("no such file or directory")
        || m.contains("system cannot find the file specified")
    {
        127
    } else if m.contains("permission denied") || m.contains("is a directory") {
        126
    } else {
        125
    }
}

/// Sends `POST /containers/{id}/wait?condition=` now and reads its answer on a thread;
/// the channel yields the exit code (125 when waiting failed, as docker reports it).
pub fn wait_in_background(
    c: &mut Client,
    id: &str,
    condition: &str,
) -> Result<mpsc::Receiver<i32>> {
    let path = format!("/containers/{}/wait?condition={condition}", escape(id));
    let mut conn = c.send_only("POST", &path)?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let code = (|| {
            let head = conn.read_head().ok()?;
            let body = conn.read_body(&head, "POST").ok()?;
            if head.status >= 400 {
                let _ = writeln!(
                    std::io::stderr(),
                    "error waiting for container: {}",
                    client::error_message(head.status, &body)
                );
                return None;
            }
            exit_code(&body)
        })();
        let _ = tx.send(code.unwrap_or(125));
    });
    Ok(rx)
}

/// `StatusCode` of a wait answer; an `Error.Message` makes it 125 as in docker.
pub fn exit_code(body: &[u8]) -> Option<i32> {
    let v = client::parse(body).ok()?;
    if let Some(m) = v
        .get("Error")
        .and_then(|e| e.get("Message"))
        .and_then(|m| m.as_str())
    {
        let _ = writeln!(std::io::stderr(), "Error waiting for container: {m}");
        return Some(125);
    }
    match v.get("StatusCode") {
        Some(crate::template::Value::Number(n)) => n.parse().ok(),
        _ => Some(0),
    }
}

/// `POST <base>/resize?h=&w=` with the local terminal's size (base is
/// `/containers/{id}` or `/exec/{id}`).
pub fn resize(c: &mut Client, base: &str) {
    let (h, w) = terminal::stdout_size();
    if h == 0 && w == 0 {
        return;
    }
    let _ = c.call("POST", &format!("{base}/resize?h={h}&w={w}"), None);
}

/// SIGWINCH resizes the container's (or exec's) pty; with `--sig-proxy` the usual
/// terminating signals are forwarded with `POST /containers/{id}/kill`.
pub fn install_signals(host: &str, id: &str, proxy: bool, winch: bool, exec: bool) {
    let mut set = Vec::new();
    if winch {
        set.push(libc::SIGWINCH);
    }
    if proxy {
        set.extend(terminal::PROXIED.iter().map(|(s, _)| *s));
    }
    let (host, id) = (host.to_string(), id.to_string());
    terminal::on_signals(&set, move |sig| {
        let Ok(mut c) = Client::new(&host) else {
            return;
        };
        if sig == libc::SIGWINCH {
            let base = if exec { "/exec" } else { "/containers" };
            resize(&mut c, &format!("{base}/{}", escape(&id)));
        } else if let Some((_, name)) = terminal::PROXIED.iter().find(|(s, _)| *s == sig) {
            let _ = c.call(
                "POST",
                &format!("/containers/{}/kill?signal={name}", escape(&id)),
                None,
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_exit_codes() {
        assert_eq!(start_exit_code("Error response from daemon: failed to create task: exec: \"nosuch\": executable file not found in $PATH: unknown"), 127);
        assert_eq!(start_exit_code("exec: \"/etc\": permission denied"), 126);
        assert_eq!(start_exit_code("No such image: x"), 125);
        assert_eq!(exit_code(br#"{"StatusCode":3,"Error":null}"#), Some(3));
        assert_eq!(
            exit_code(br#"{"StatusCode":0,"Error":{"Message":"x"}}"#),
            Some(125)
        );
    }
}
