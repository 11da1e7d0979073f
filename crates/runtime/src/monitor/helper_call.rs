//! Runs the libcontainer helper (`berth __runtime ...`) from the monitor and reads its answer.
//! The helper is the monitor's child, so the processes it creates are re-parented to the
//! monitor (a child subreaper) when it exits.

use std::io::{BufRead, BufReader};
use std::os::fd::RawFd;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use crate::protocol::{MonitorConfig, Reply};

/// Runs `helper <args...>`; `stdio` become the helper's fds 3, 4, 5 (see `crate::helper`).
/// Returns the helper's reply; an error reply is returned as `Err`.
pub fn call(cfg: &MonitorConfig, args: &[&str], stdio: Option<[RawFd; 3]>) -> Result<Reply, Reply> {
    let (program, prefix) = match cfg.helper.split_first() {
        Some(split) => split,
        None => return Err(Reply::error("oci", "no runtime helper configured")),
    };
    let mut cmd = Command::new(program);
    cmd.args(prefix)
        .args(["--root", &cfg.state_root, "--id", &cfg.id])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(fds) = stdio {
        cmd.arg("--stdio");
        // SAFETY: place_fds only calls fcntl and dup2, which are async-signal-safe.
        unsafe {
            cmd.pre_exec(move || super::fds::place_fds(&fds));
        }
    }
    let mut child = cmd.spawn().map_err(|e| {
        Reply::error(
            "oci",
            format!("cannot run the runtime helper {program}: {e}"),
        )
    })?;
    // Read one line, not to EOF: the container's process may hold a copy of this pipe for a
    // while (it is replaced by the process's own stdio).
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let _ = child.wait();
    let reply: Reply = serde_json::from_str(line.trim()).map_err(|_| {
        Reply::error(
            "oci",
            format!(
                "the runtime helper failed without an answer ({})",
                line.trim()
            ),
        )
    })?;
    if reply.error.is_some() {
        Err(reply)
    } else {
        Ok(reply)
    }
}
