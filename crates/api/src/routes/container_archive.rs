//! `docker cp`: `HEAD|GET|PUT /containers/{id}/archive?path=` (see the engine's archive
//! module for how paths stay inside the container). The path's stat travels base64-encoded in
//! `X-Docker-Container-Path-Stat`, as dockerd sends it; the CLI decides from it how to name
//! what it copies.

use super::containers::blocking;
use super::image_stream::{BodyReader, BodyWriter};
use crate::error::HttpResult;
use crate::query::{bool_value, get};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use berth_engine::containers::PathStat;
use berth_model::ApiError;
use std::collections::HashMap;
use std::io::Write;

type Q = Query<HashMap<String, String>>;

const STAT_HEADER: &str = "X-Docker-Container-Path-Stat";

fn path_param(q: &HashMap<String, String>) -> Result<String, ApiError> {
    match get(q, "path") {
        Some(p) if !p.is_empty() => Ok(p.to_string()),
        _ => Err(ApiError::invalid("path is required")),
    }
}

fn with_stat(mut res: Response, stat: &PathStat) -> Response {
    let json = serde_json::to_vec(stat).unwrap_or_default();
    if let Ok(v) = HeaderValue::from_str(&base64(&json)) {
        res.headers_mut().insert(STAT_HEADER, v);
    }
    res
}

pub async fn head(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
) -> HttpResult<Response> {
    let path = path_param(&q)?;
    let stat = blocking(s.engine.clone(), move |e| e.archive_stat(&id, &path)).await?;
    Ok(with_stat(StatusCode::OK.into_response(), &stat))
}

pub async fn get_archive(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
) -> HttpResult<Response> {
    let path = path_param(&q)?;
    // Errors (a missing path) answer as JSON before any of the body goes out.
    let (check_id, check_path) = (id.clone(), path.clone());
    let stat = blocking(s.engine.clone(), move |e| {
        e.archive_stat(&check_id, &check_path)
    })
    .await?;
    let (mut writer, body) = BodyWriter::new();
    let engine = s.engine.clone();
    tokio::task::spawn_blocking(move || {
        let done = engine.archive_get(&id, &path, &mut writer).and_then(|_| {
            writer
                .flush()
                .map_err(|e| ApiError::internal(e.to_string()))
        });
        if let Err(e) = done {
            tracing::warn!(error = %e.message, "copying from a container failed midway");
            writer.fail(e.message);
        }
    });
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-tar"),
    );
    Ok(with_stat(res, &stat))
}

pub async fn put(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
    body: Body,
) -> HttpResult<Response> {
    let path = path_param(&q)?;
    let copy_uid_gid = bool_value(&q, "copyUIDGID");
    let reader = BodyReader::new(body);
    blocking(s.engine.clone(), move |e| {
        e.archive_put(&id, &path, reader, copy_uid_gid)
    })
    .await?;
    Ok(StatusCode::OK.into_response())
}

/// Standard base64 with padding, as Go's `base64.StdEncoding`.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_standard_encoding() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
    }
}
