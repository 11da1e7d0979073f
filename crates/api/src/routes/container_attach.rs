//! `POST /containers/{id}/attach`, `/resize` and `GET /containers/{id}/top`.

use super::containers::blocking;
use super::hijack::{await_std, relay, switching_protocols};
use super::json;
use crate::error::HttpResult;
use crate::query::{bool_value, get};
use crate::AppState;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use berth_engine::containers::AttachWait;
use berth_model::ApiError;
use std::collections::HashMap;

type Q = Query<HashMap<String, String>>;

pub async fn attach(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
    mut req: Request,
) -> HttpResult<Response> {
    let (stdin, stdout, stderr) = (
        bool_value(&q, "stdin"),
        bool_value(&q, "stdout"),
        bool_value(&q, "stderr"),
    );
    if !bool_value(&q, "stream") && !bool_value(&q, "logs") {
        return Err(
            ApiError::invalid("Bad parameters: you must choose at least one stream").into(),
        );
    }
    let (c, wait) = blocking(s.engine.clone(), move |e| {
        e.attach_container(&id, stdin, stdout, stderr)
    })
    .await?;
    let tty = c.request.tty;
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let attachment = match wait {
            AttachWait::Now(a) => a,
            AttachWait::AtStart(rx) => match await_std(rx).await {
                Some(Ok(a)) => a,
                Some(Err(e)) => {
                    tracing::warn!(error = %e.message, "attach failed");
                    return;
                }
                None => return,
            },
        };
        match on_upgrade.await {
            Ok(upgraded) => {
                relay(
                    upgraded,
                    attachment.output,
                    attachment.input,
                    tty,
                    stdin,
                    None,
                    Box::new(|_| {}),
                )
                .await;
            }
            Err(e) => tracing::debug!(error = %e, "attach: the client did not upgrade"),
        }
    });
    Ok(switching_protocols(tty))
}

pub(crate) fn parse_size(q: &HashMap<String, String>) -> Result<(u16, u16), ApiError> {
    let parse = |k: &str| -> Result<u16, ApiError> {
        get(q, k)
            .unwrap_or("0")
            .parse::<u16>()
            .map_err(|_| ApiError::invalid(format!("invalid value for {k}")))
    };
    Ok((parse("h")?, parse("w")?))
}

pub async fn resize(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
) -> HttpResult<Response> {
    let (h, w) = parse_size(&q)?;
    blocking(s.engine.clone(), move |e| e.resize_container(&id, h, w)).await?;
    Ok(StatusCode::OK.into_response())
}

pub async fn top(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
) -> HttpResult<Response> {
    let ps_args = get(&q, "ps_args").unwrap_or("").to_string();
    let t = blocking(s.engine.clone(), move |e| e.top_container(&id, &ps_args)).await?;
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({"Titles": t.titles, "Processes": t.processes}),
    ))
}
