//! `berth logs`: the container's log stream, demultiplexed onto stdout and stderr (raw
//! when the container has a TTY), followed for as long as the daemon sends it with `-f`.

use std::io;

use super::args::LogsArgs;
use super::{escape, exact_args, stream};
use crate::client::Client;
use crate::error::{CliError, Result};
use crate::http::query_escape;
use crate::template::Value;
use crate::Output;

pub fn run(host: &str, path: &str, a: LogsArgs, _o: &mut Output) -> Result<()> {
    exact_args(path, &a.args, 1)?;
    let mut c = Client::new(host)?;
    let name = &a.args[0];
    let info = c.get_json(&format!("/containers/{}/json", escape(name)))?;
    let tty = info
        .get("Config")
        .and_then(|c| c.get("Tty"))
        .is_some_and(Value::truthy);
    let id = info.get("Id").and_then(Value::as_str).unwrap_or(name);
    let now = now_secs();
    let mut q = Vec::new();
    if a.details.unwrap_or(false) {
        q.push("details=1".to_string());
    }
    if a.follow.unwrap_or(false) {
        q.push("follow=1".to_string());
    }
    if let Some(s) = a.since.as_deref().filter(|s| !s.is_empty()) {
        q.push(format!(
            "since={}",
            query_escape(&timestamp(s, now).map_err(CliError::msg)?)
        ));
    }
    q.push("stderr=1".to_string());
    q.push("stdout=1".to_string());
    q.push(format!("tail={}", query_escape(&a.tail)));
    if a.timestamps.unwrap_or(false) {
        q.push("timestamps=1".to_string());
    }
    if let Some(u) = a.until.as_deref().filter(|s| !s.is_empty()) {
        q.push(format!(
            "until={}",
            query_escape(&timestamp(u, now).map_err(CliError::msg)?)
        ));
    }
    let target = format!("/containers/{}/logs?{}", escape(id), q.join("&"));
    let (conn, head) = c.open("GET", &target, &[("Connection", "close")], None)?;
    let mut body = conn.into_body_reader(&head);
    let r = if tty {
        stream::copy_raw(&mut body, &mut io::stdout())
    } else {
        stream::demux(&mut body, &mut io::stdout(), &mut io::stderr())
    };
    r.map_err(|e| CliError::msg(e.to_string()))
}

fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// docker's `timetypes.GetTimestamp`: a Go duration counts back from now (whole seconds),
/// an RFC 3339 time becomes `secs.nanos`, and a Unix timestamp is passed through.
pub fn timestamp(value: &str, now: f64) -> std::result::Result<String, String> {
    if value != "0" {
        if let Some(d) = go_duration(value) {
            return Ok(format!("{}", (now - d).floor() as i64));
        }
    }
    if value.contains('-') {
        return rfc3339(value).ok_or_else(|| {
            format!("parsing time {value:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse {value:?} as \"2006\"")
        });
    }
    let ok = match value.split_once('.') {
        Some((s, n)) => {
            !s.is_empty()
                && s.bytes().all(|b| b.is_ascii_digit())
                && n.bytes().all(|b| b.is_ascii_digit())
        }
        None => !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
    };
    if ok {
        Ok(value.to_string())
    } else {
        Err(format!(
            "failed to parse value as time or duration: {value:?}"
        ))
    }
}

/// Go's `time.ParseDuration`, in seconds.
fn go_duration(s: &str) -> Option<f64> {
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0.0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += num * unit;
        rest = &rest[u..];
    }
    Some(if neg { -total } else { total })
}

/// `2006-01-02T15:04:05[.frac](Z|±hh:mm)` or `2006-01-02` (UTC, as this CLI's zone) to
/// `secs.nanos`.
fn rfc3339(v: &str) -> Option<String> {
    let (date, time) = v.split_once(['T', 't']).unwrap_or((v, "00:00:00Z"));
    let mut d = date.splitn(3, '-');
    let (y, m, day): (i64, i64, i64) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    let (clock, offset) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(i) = time.rfind(['+', '-']) {
        let (c, z) = time.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (hh, mm) = z[1..].split_once(':')?;
        (
            c,
            sign * (hh.parse::<i64>().ok()? * 3600 + mm.parse::<i64>().ok()? * 60),
        )
    } else {
        (time, 0)
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut p = hms.split(':');
    let h: i64 = p.next()?.parse().ok()?;
    let mi: i64 = p.next().unwrap_or("0").parse().ok()?;
    let sec: i64 = p.next().unwrap_or("0").parse().ok()?;
    let nanos: i64 = format!("{frac:0<9}").get(..9)?.parse().ok()?;
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    let secs = days * 86400 + h * 3600 + mi * 60 + sec - offset;
    Some(format!("{secs}.{nanos:09}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_timestamps() {
        assert_eq!(timestamp("10m", 1000.5).unwrap(), "400");
        assert_eq!(timestamp("1h30m", 10000.0).unwrap(), "4600");
        assert_eq!(
            timestamp("2026-01-02T03:04:05Z", 0.0).unwrap(),
            "1767323045.000000000"
        );
        assert_eq!(
            timestamp("2026-01-02T03:04:05.5+01:00", 0.0).unwrap(),
            "1767319445.500000000"
        );
        assert_eq!(timestamp("1767323045", 0.0).unwrap(), "1767323045");
        assert_eq!(
            timestamp("bogus", 0.0).unwrap_err(),
            "failed to parse value as time or duration: \"bogus\""
        );
    }
}
