//! The `/vX.Y` prefix: stripped before routing, and checked against the supported range
//! with dockerd's messages.

use crate::error::HttpError;
use crate::{API_VERSION, MIN_API_VERSION};
use axum::extract::Request;
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use berth_model::ApiError;

pub async fn strip_version(mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if let Some((version, rest)) = split_version(path) {
        if let Err(e) = check_version(version) {
            return HttpError(e).into_response();
        }
        let rest = if rest.is_empty() { "/" } else { rest };
        let new_pq = match req.uri().query() {
            Some(q) => format!("{rest}?{q}"),
            None => rest.to_string(),
        };
        if let Ok(uri) = new_pq.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    next.run(req).await
}

/// Splits `/v1.41/networks` into ("1.41", "/networks").
fn split_version(path: &str) -> Option<(&str, &str)> {
    let after = path.strip_prefix("/v")?;
    let end = after.find('/').unwrap_or(after.len());
    let version = &after[..end];
    let valid = !version.is_empty()
        && version.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && version.bytes().next().is_some_and(|b| b.is_ascii_digit());
    valid.then(|| (version, &after[end..]))
}

fn parse(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

fn check_version(v: &str) -> Result<(), ApiError> {
    if parse(v) < parse(MIN_API_VERSION) {
        return Err(ApiError::invalid(format!(
            "client version {v} is too old. Minimum supported API version is {MIN_API_VERSION}, please upgrade your client to a newer version"
        )));
    }
    if parse(v) > parse(API_VERSION) {
        return Err(ApiError::invalid(format!(
            "client version {v} is too new. Maximum supported API version is {API_VERSION}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_checks() {
        assert_eq!(
            split_version("/v1.41/networks"),
            Some(("1.41", "/networks"))
        );
        assert_eq!(split_version("/v1.50/_ping"), Some(("1.50", "/_ping")));
        assert_eq!(split_version("/version"), None);
        assert_eq!(split_version("/volumes"), None);
        assert!(check_version("1.24").is_ok());
        assert!(check_version("1.50").is_ok());
        assert!(check_version("1.12")
            .unwrap_err()
            .message
            .contains("too old"));
        assert!(check_version("1.99")
            .unwrap_err()
            .message
            .contains("too new"));
    }
}
