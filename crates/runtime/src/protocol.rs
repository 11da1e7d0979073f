//! The monitor's files and its unix-socket protocol, shared by the monitor and its clients
//! (the engine, through [`crate::Runtime`]).
//!
//! Files in a container's runtime dir `E/containers/<id>/`:
//! - `config.json`: the OCI bundle; `monitor.json`: the monitor's [`MonitorConfig`];
//! - `monitor.sock`: the monitor's socket; `console.sock`: transient pty hand-over socket;
//! - `exit.json`: [`ExitStatus`], written atomically (tmp + rename) when the init is reaped;
//! - `monitor.log`: the monitor's and the helper's own diagnostics.
//!
//! Protocol on `monitor.sock`: one connection per request. The client sends one JSON
//! [`Request`] on a single line; the monitor answers with one JSON [`Reply`] line. For
//! `attach` and `exec`, binary frames follow the reply in both directions, each
//! `[kind: u8][length: u32 big-endian][payload]`:
//! - monitor → client: [`STDOUT`], [`STDERR`] (raw bytes; a tty's output is `STDOUT`), and
//!   finally [`EXIT`] (payload: JSON [`ExitStatus`]) after which the monitor closes;
//! - client → monitor: [`STDIN`] bytes, [`STDIN_CLOSE`] (empty; closes the process's stdin),
//!   [`RESIZE`] (payload: height u16 BE, width u16 BE).
//!
//! `wait` answers only once the init has exited (the reply carries `exit`). `start` runs the
//! created container's process. `kill` signals the init. `resize` resizes the init's pty.

use serde::{Deserialize, Serialize};

pub const MONITOR_SOCKET: &str = "monitor.sock";
pub const CONSOLE_SOCKET: &str = "console.sock";
pub const EXIT_FILE: &str = "exit.json";
pub const MONITOR_CONFIG: &str = "monitor.json";
pub const MONITOR_LOG: &str = "monitor.log";
pub const BUNDLE_CONFIG: &str = "config.json";

pub const STDIN: u8 = 0;
pub const STDOUT: u8 = 1;
pub const STDERR: u8 = 2;
pub const EXIT: u8 = 3;
pub const STDIN_CLOSE: u8 = 4;
pub const RESIZE: u8 = 5;

/// Largest frame payload accepted; bigger frames are a protocol error.
pub const MAX_FRAME: usize = 1 << 20;

/// What the monitor needs to start one container; written by the runtime before it spawns
/// the monitor, as `monitor.json` in the runtime dir.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MonitorConfig {
    pub id: String,
    /// libcontainer's state root (`E/runtime`).
    pub state_root: String,
    /// The json-file log.
    pub log_path: String,
    pub tty: bool,
    pub open_stdin: bool,
    /// argv prefix of the single-threaded libcontainer helper, e.g. `["/usr/bin/berth", "__runtime"]`.
    pub helper: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    Status,
    Start,
    Wait,
    Kill {
        signal: i32,
    },
    Resize {
        height: u16,
        width: u16,
    },
    Attach {
        stdin: bool,
        stdout: bool,
        stderr: bool,
    },
    /// `process` is a libcontainer process.json written by the client.
    Exec {
        process: String,
        tty: bool,
        stdin: bool,
    },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Reply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For errors: `not_found`, `not_executable`, `not_running`, `oci`, `protocol`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MonitorStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<ExitStatus>,
    /// For `exec`: the exec'd process's pid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
}

impl Reply {
    pub fn error(kind: &str, message: impl Into<String>) -> Self {
        Reply {
            error: Some(message.into()),
            error_kind: Some(kind.into()),
            ..Reply::default()
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MonitorStatus {
    pub monitor_pid: i32,
    pub init_pid: i32,
    /// `created` (process not started yet), `running`, or `exited` (about to go away).
    pub state: String,
    /// RFC 3339 (nanoseconds) time the process was started, once started.
    #[serde(default)]
    pub started_at: Option<String>,
}

/// How a container's (or an exec's) process ended.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExitStatus {
    /// Exit code, or 128 + signal number when killed by a signal (Docker's convention).
    pub exit_code: i32,
    /// RFC 3339 with nanoseconds, UTC.
    pub finished_at: String,
}

pub fn encode_frame(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + payload.len());
    out.push(kind);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Takes one complete frame off the front of `buf`. `Err` on an oversized frame.
pub fn decode_frame(buf: &mut Vec<u8>) -> Result<Option<(u8, Vec<u8>)>, String> {
    if buf.len() < 5 {
        return Ok(None);
    }
    let len = u32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]) as usize;
    if len > MAX_FRAME {
        return Err(format!("frame of {len} bytes is too large"));
    }
    if buf.len() < 5 + len {
        return Ok(None);
    }
    let kind = buf[0];
    let payload = buf[5..5 + len].to_vec();
    buf.drain(..5 + len);
    Ok(Some((kind, payload)))
}

/// RFC 3339 with nanoseconds in UTC, trailing zeros trimmed as Go's `time.RFC3339Nano` does.
pub fn rfc3339_nano(t: std::time::SystemTime) -> String {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let nanos = d.subsec_nanos();
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, day) = civil_from_days(days);
    let mut s = format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    );
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn time_format_matches_go() {
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 123_450_000);
        assert_eq!(rfc3339_nano(t), "2023-11-14T22:13:20.12345Z");
        assert_eq!(
            rfc3339_nano(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn frames_round_trip() {
        let mut buf = encode_frame(STDOUT, b"hello");
        buf.extend(encode_frame(EXIT, b"{}"));
        buf.push(1);
        assert_eq!(
            decode_frame(&mut buf).unwrap(),
            Some((STDOUT, b"hello".to_vec()))
        );
        assert_eq!(
            decode_frame(&mut buf).unwrap(),
            Some((EXIT, b"{}".to_vec()))
        );
        assert_eq!(decode_frame(&mut buf).unwrap(), None);
    }

    #[test]
    fn requests_are_one_json_line() {
        let r = Request::Kill { signal: 15 };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"op":"kill","signal":15}"#
        );
    }
}
