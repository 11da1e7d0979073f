//! `berth exec`: `POST /containers/{id}/exec`, then `POST /exec/{id}/start` hijacked (or
//! plain with `-d`), then `GET /exec/{id}/json` for the exit code.

use super::args::ExecArgs;
use super::config::FlagError;
use super::create::flag_error;
use super::run::{install_signals, resize};
use super::stream::{self, End, Streams};
use super::terminal::{self, RawMode};
use super::{escape, kv, min_args};
use crate::client::{self, version_less, Client};
use crate::error::{CliError, Result};
use crate::template::Value;
use crate::Output;

pub fn run(host: &str, path: &str, a: ExecArgs, _o: &mut Output) -> Result<()> {
    min_args(path, &a.args, 2)?;
    let env_flags = a
        .env
        .iter()
        .map(|e| {
            kv::validate_env(e).map_err(|reason| {
                flag_error(
                    FlagError::Invalid {
                        flag: "-e, --env",
                        value: e.clone(),
                        reason,
                    },
                    path,
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let env = kv::read_env(&a.env_file, &env_flags).map_err(CliError::msg)?;
    let detach = a.detach.unwrap_or(false);
    let tty = a.tty.unwrap_or(false);
    let stdin = !detach && a.interactive.unwrap_or(false);
    let (out, err) = (!detach, !detach);
    let name = &a.args[0];
    let mut c = Client::new(host)?;
    let version = c.api_version()?;
    c.get_json(&format!("/containers/{}/json", escape(name)))?;
    if !detach && stdin && tty && !terminal::is_terminal(libc::STDIN_FILENO) {
        return Err(CliError::msg("the input device is not a TTY"));
    }
    let console = if tty && !version_less(&version, "1.42") {
        let (h, w) = terminal::stdout_size();
        Some(Value::Array(vec![
            Value::Number(h.to_string()),
            Value::Number(w.to_string()),
        ]))
    } else {
        None
    };
    let list = |v: &[String]| {
        if v.is_empty() {
            Value::Null
        } else {
            Value::Array(v.iter().map(|s| Value::from(s.as_str())).collect())
        }
    };
    let mut body = vec![
        ("User", Value::from(a.user.as_deref().unwrap_or(""))),
        ("Privileged", Value::Bool(a.privileged.unwrap_or(false))),
        ("Tty", Value::Bool(tty)),
    ];
    if let Some(cs) = &console {
        body.push(("ConsoleSize", cs.clone()));
    }
    body.extend([
        ("AttachStdin", Value::Bool(stdin)),
        ("AttachStderr", Value::Bool(err)),
        ("AttachStdout", Value::Bool(out)),
        ("Detach", Value::Bool(detach)),
        (
            "DetachKeys",
            Value::from(a.detach_keys.as_deref().unwrap_or("")),
        ),
        ("Env", list(&env)),
        (
            "WorkingDir",
            Value::from(a.workdir.as_deref().unwrap_or("")),
        ),
        ("Cmd", list(&a.args[1..])),
    ]);
    let json = Value::object(body).to_json(true);
    let created = client::parse(&c.call(
        "POST",
        &format!("/containers/{}/exec", escape(name)),
        Some(json.as_bytes()),
    )?)?;
    let exec_id = created
        .get("Id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if exec_id.is_empty() {
        return Err(CliError::msg("exec ID empty"));
    }
    let mut start = vec![("Detach", Value::Bool(detach)), ("Tty", Value::Bool(tty))];
    if let Some(cs) = console {
        start.push(("ConsoleSize", cs));
    }
    let start = Value::object(start).to_json(true);
    let start_path = format!("/exec/{}/start", escape(&exec_id));
    if detach {
        c.call("POST", &start_path, Some(start.as_bytes()))?;
        return Ok(());
    }
    let watch_size = tty && terminal::is_terminal(libc::STDIN_FILENO);
    install_signals(host, &exec_id, false, watch_size, true);
    let (reader, writer) = c.hijack(&start_path, Some(("application/json", start.as_bytes())))?;
    if watch_size {
        resize(&mut c, &format!("/exec/{}", escape(&exec_id)));
    }
    let mut raw = (stdin && tty).then(RawMode::enable);
    let end = stream::pump(
        reader,
        writer,
        &Streams {
            stdin,
            stdout: out,
            stderr: err,
            tty,
            detach_keys: stream::detach_keys(a.detach_keys.as_deref()),
        },
    );
    if let Some(r) = raw.as_mut() {
        r.restore();
    }
    match end {
        Ok(End::Detached) => return Ok(()),
        Ok(End::Output) => {}
        Err(e) => return Err(CliError::msg(e.to_string())),
    }
    let info = match c.get_json(&format!("/exec/{}/json", escape(&exec_id))) {
        Ok(i) => i,
        Err(CliError::Connect(_)) => return Err(CliError::Status(-1, String::new())),
        Err(e) => return Err(e),
    };
    match info.get("ExitCode") {
        Some(Value::Number(n)) if n != "0" => {
            Err(CliError::Status(n.parse().unwrap_or(1), String::new()))
        }
        _ => Ok(()),
    }
}
