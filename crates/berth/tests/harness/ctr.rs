//! Helpers shared by the container test suites: both CLIs bounded by a timeout, inspect
//! shortcuts, polling, and a daemon with the busybox test image.

use super::{berth_bin, CmdResult, Daemon};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every CLI call is bounded, so a hung attach or follow fails the test instead of the run.
pub const CLI_TIMEOUT: &str = "30";

/// `berth ARGS` against the daemon, killed after [`CLI_TIMEOUT`] seconds (exit 124).
pub fn berth(d: &Daemon, args: &[&str]) -> CmdResult {
    let out = Command::new("timeout")
        .args(["-k", "5", CLI_TIMEOUT, berth_bin()])
        .args(args)
        .env_remove("DOCKER_HOST")
        .env("BERTH_HOST", d.docker_host())
        .stdin(Stdio::null())
        .output()
        .expect("run berth cli");
    CmdResult::from(out)
}

/// The stock docker CLI against the daemon, bounded the same way.
pub fn docker(d: &Daemon, args: &[&str]) -> CmdResult {
    let config = d.data_root().with_file_name("docker-config");
    let out = Command::new("timeout")
        .args(["-k", "5", CLI_TIMEOUT, "docker"])
        .args(args)
        .env("DOCKER_HOST", d.docker_host())
        .env("DOCKER_CONFIG", config)
        .stdin(Stdio::null())
        .output()
        .expect("run docker cli");
    CmdResult::from(out)
}

/// The same command through both CLIs: `[("berth", result), ("docker", result)]`.
pub fn both(d: &Daemon, args: &[&str]) -> [(&'static str, CmdResult); 2] {
    [("berth", berth(d, args)), ("docker", docker(d, args))]
}

/// `berth ARGS` or `docker ARGS`, by `tool`.
pub fn cli(d: &Daemon, tool: &str, args: &[&str]) -> CmdResult {
    if tool == "berth" {
        berth(d, args)
    } else {
        docker(d, args)
    }
}

/// Words of a command line without quoting: `w("run -d busybox")`.
pub fn w(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// Words of `line`, then `tail` as whole arguments (scripts with spaces).
pub fn wt<'a>(line: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
    let mut v = w(line);
    v.extend_from_slice(tail);
    v
}

/// A daemon with the busybox test image imported as `busybox`.
pub fn daemon_with_busybox() -> Daemon {
    daemon_with_busybox_and(&[])
}

/// [`daemon_with_busybox`] with more daemon flags.
pub fn daemon_with_busybox_and(flags: &[&str]) -> Daemon {
    let d = Daemon::start_with(flags);
    let tar = d.data_root().with_file_name("busybox.tar");
    berth_image::testing::write_busybox_rootfs_tar(&tar);
    berth(&d, &["import", tar.to_str().unwrap(), "busybox"]).ok();
    d
}

pub fn inspect(d: &Daemon, name: &str) -> Value {
    d.api_json("GET", &format!("/containers/{name}/json"), None)
}

pub fn status(d: &Daemon, name: &str) -> String {
    inspect(d, name)["State"]["Status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn pid_of(d: &Daemon, name: &str) -> i64 {
    inspect(d, name)["State"]["Pid"].as_i64().unwrap_or(0)
}

pub fn exit_code(d: &Daemon, name: &str) -> i64 {
    inspect(d, name)["State"]["ExitCode"].as_i64().unwrap_or(-1)
}

pub fn restart_count(d: &Daemon, name: &str) -> i64 {
    inspect(d, name)["RestartCount"].as_i64().unwrap_or(-1)
}

/// IDs of every container the daemon lists (`ps -a`).
pub fn all_ids(d: &Daemon) -> Vec<String> {
    d.api_json("GET", "/containers/json?all=1", None)
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c["Id"].as_str().map(str::to_string))
        .collect()
}

/// Polls `cond` every 50 ms until it holds; false after `secs` seconds.
pub fn wait_until(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

#[track_caller]
pub fn assert_code(r: &CmdResult, code: i32, what: &str) {
    assert_eq!(
        r.code, code,
        "{what}: exit code\nstdout: {}\nstderr: {}",
        r.stdout, r.stderr
    );
}

/// Interface names in `ip link` / `ip addr` output (`3: veth0@if4: <...>` → `veth0`).
pub fn link_names(ip_output: &str) -> BTreeSet<String> {
    ip_output
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .filter_map(|l| l.split(':').nth(1))
        .map(|n| n.trim().split('@').next().unwrap_or_default().to_string())
        .collect()
}

/// The daemon runs in the host's PID namespace, so inspect's `State.Pid` is a PID here.
pub fn process_alive(pid: i64) -> bool {
    // a zombie has exited already and only waits to be reaped
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or_default()
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}
