//! Reading request bodies as dockerd does: `Content-Type` must be JSON when there is a body,
//! size is bounded, and malformed JSON is a 400 that names the problem.

use axum::body::Body;
use axum::http::HeaderMap;
use berth_model::json_syntax::{go_syntax_message, GoReader};
use berth_model::ApiError;
use serde_json::Value;

/// No Docker request berth serves needs more; a bigger body is refused before it is parsed.
pub const MAX_JSON_BODY: usize = 4 * 1024 * 1024;

/// Reads a JSON body. `None` when there is no body at all.
pub async fn read_json(headers: &HeaderMap, body: Body) -> Result<Option<Value>, ApiError> {
    let bytes = axum::body::to_bytes(body, MAX_JSON_BODY)
        .await
        .map_err(|e| {
            if is_length_limit(&e) {
                ApiError::new(
                    berth_model::ErrorKind::TooLarge,
                    format!("request body is larger than {MAX_JSON_BODY} bytes"),
                )
            } else {
                ApiError::invalid(format!("cannot read the request body: {e}"))
            }
        })?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if bytes.is_empty() && content_type.is_empty() {
        return Ok(None);
    }
    if content_type.is_empty() {
        // Go's mime.ParseMediaType("") fails, and dockerd reports it as a malformed header
        return Err(ApiError::invalid(
            "malformed Content-Type header (): mime: no media type",
        ));
    }
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::invalid(format!(
            "unsupported Content-Type header ({content_type}): must be 'application/json'"
        )));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(
            "invalid JSON: got EOF while reading request body",
        ));
    }
    let mut stream = serde_json::Deserializer::from_slice(&bytes).into_iter::<Value>();
    let value = match stream.next() {
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            let msg = go_syntax_message(&bytes, &e, GoReader::Decoder);
            return Err(ApiError::invalid(format!("invalid JSON: {msg}")));
        }
        None => {
            return Err(ApiError::invalid(
                "invalid JSON: got EOF while reading request body",
            ))
        }
    };
    if stream.next().is_some() {
        return Err(ApiError::invalid("unexpected content after JSON"));
    }
    Ok(Some(value))
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if s.to_string().contains("length limit exceeded") {
            return true;
        }
        src = s.source();
    }
    false
}
