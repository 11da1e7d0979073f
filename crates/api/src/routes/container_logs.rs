//! `GET /containers/{id}/logs`: read from the container's json-file log (written by its
//! monitor, so logs outlive daemon restarts), framed as Docker frames them: raw for a tty,
//! otherwise the multiplexed stream (8-byte header: stream, 0, 0, 0, big-endian length).

use crate::error::HttpResult;
use crate::query::{bool_value, get};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use berth_model::ApiError;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::time::Duration;

struct LogQuery {
    stdout: bool,
    stderr: bool,
    follow: bool,
    timestamps: bool,
    tail: Option<usize>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

fn parse_time(v: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(secs) = v.parse::<f64>() {
        if let Some(t) =
            DateTime::from_timestamp(secs.trunc() as i64, ((secs.fract()) * 1e9) as u32)
        {
            return Ok(t);
        }
    }
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ApiError::invalid(format!("invalid time value: {v}")))
}

fn parse(q: &HashMap<String, String>) -> Result<LogQuery, ApiError> {
    let tail = match get(q, "tail") {
        None | Some("all") => None,
        Some(n) => Some(
            n.parse::<i64>()
                .map(|n| n.max(0) as usize)
                .unwrap_or(usize::MAX),
        ),
    };
    let q = LogQuery {
        stdout: bool_value(q, "stdout"),
        stderr: bool_value(q, "stderr"),
        follow: bool_value(q, "follow"),
        timestamps: bool_value(q, "timestamps"),
        tail,
        since: get(q, "since")
            .filter(|s| *s != "0")
            .map(parse_time)
            .transpose()?,
        until: get(q, "until")
            .filter(|s| *s != "0")
            .map(parse_time)
            .transpose()?,
    };
    if !q.stdout && !q.stderr {
        return Err(ApiError::invalid(
            "Bad parameters: you must choose at least one stream",
        ));
    }
    Ok(q)
}

#[derive(serde::Deserialize)]
struct Entry {
    log: String,
    stream: String,
    time: String,
}

pub async fn logs(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
) -> HttpResult<Response> {
    let q = parse(&raw)?;
    let c = s.engine.inspect_container(&id)?;
    let path = s.engine.container_paths(&c.id)?.log;
    let tty = c.request.tty;
    let engine = s.engine.clone();
    let cid = c.id.clone();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(64);
    tokio::task::spawn_blocking(move || {
        let send = |entry: &Entry| -> bool {
            let out = frame(entry, tty, q.timestamps);
            tx.blocking_send(Ok(out)).is_ok()
        };
        let wanted = |e: &Entry| -> bool {
            let stream_ok =
                (e.stream == "stdout" && q.stdout) || (e.stream == "stderr" && q.stderr);
            let t = DateTime::parse_from_rfc3339(&e.time)
                .map(|t| t.with_timezone(&Utc))
                .ok();
            let after = q.since.is_none_or(|s| t.is_some_and(|t| t >= s));
            let before = q.until.is_none_or(|u| t.is_some_and(|t| t <= u));
            stream_ok && after && before
        };
        let Ok(file) = std::fs::File::open(&path) else {
            return;
        };
        let mut reader = BufReader::new(file);
        let mut backlog: Vec<Entry> = Vec::new();
        let mut line = String::new();
        while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
            if line.ends_with('\n') {
                if let Ok(e) = serde_json::from_str::<Entry>(&line) {
                    if wanted(&e) {
                        backlog.push(e);
                    }
                }
                line.clear();
            } else {
                break;
            }
        }
        let skip = q.tail.map(|t| backlog.len().saturating_sub(t)).unwrap_or(0);
        for e in backlog.iter().skip(skip) {
            if !send(e) {
                return;
            }
        }
        if !q.follow {
            return;
        }
        // Follow: keep reading as the monitor appends, until the container stops and the
        // file has been read to its end.
        let mut pos = reader.stream_position().unwrap_or(0) - line.len() as u64;
        loop {
            let running = engine
                .inspect_container(&cid)
                .map(|c| c.state.is_running())
                .unwrap_or(false);
            let Ok(mut f) = std::fs::File::open(&path) else {
                return;
            };
            if f.seek(SeekFrom::Start(pos)).is_err() {
                return;
            }
            let mut r = BufReader::new(f);
            let mut l = String::new();
            while r.read_line(&mut l).map(|n| n > 0).unwrap_or(false) {
                if !l.ends_with('\n') {
                    break;
                }
                pos += l.len() as u64;
                if let Ok(e) = serde_json::from_str::<Entry>(&l) {
                    if wanted(&e) && !send(&e) {
                        return;
                    }
                }
                l.clear();
            }
            if !running || tx.is_closed() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut res = Response::new(Body::from_stream(stream));
    let ct = if tty {
        "application/vnd.docker.raw-stream"
    } else {
        "application/vnd.docker.multiplexed-stream"
    };
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    Ok(res)
}

fn frame(e: &Entry, tty: bool, timestamps: bool) -> bytes::Bytes {
    let mut payload = Vec::with_capacity(e.log.len() + 40);
    if timestamps {
        payload.extend_from_slice(e.time.as_bytes());
        payload.push(b' ');
    }
    payload.extend_from_slice(e.log.as_bytes());
    if tty {
        return bytes::Bytes::from(payload);
    }
    let kind: u8 = if e.stream == "stderr" { 2 } else { 1 };
    let mut out = Vec::with_capacity(payload.len() + 8);
    out.extend_from_slice(&[kind, 0, 0, 0]);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(&payload);
    bytes::Bytes::from(out)
}
