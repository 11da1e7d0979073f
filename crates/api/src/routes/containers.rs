//! `/containers` handlers.

use super::json;
use crate::body::read_json;
use crate::error::{HttpError, HttpResult};
use crate::query::{bool_value, get};
use crate::types::container::{inspect_json, summary_json, InspectContext};
use crate::types::container_request::parse_create_container;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use berth_engine::containers::ListOptions;
use berth_engine::Engine;
use berth_model::container::{Container, NetworkMode};
use berth_model::filters::Filters;
use berth_model::ApiError;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type Q = Query<HashMap<String, String>>;

pub async fn create(
    State(s): State<AppState>,
    Query(q): Q,
    headers: HeaderMap,
    body: Body,
) -> HttpResult<Response> {
    let value = read_json(&headers, body).await?;
    let req = parse_create_container(get(&q, "name").map(str::to_string), value.as_ref())?;
    let created = blocking(s.engine.clone(), move |e| e.create_container(req)).await?;
    Ok(json(
        StatusCode::CREATED,
        &serde_json::json!({"Id": created.id, "Warnings": created.warnings}),
    ))
}

pub(crate) fn context<'a>(
    engine: &Engine,
    c: &Container,
    paths: &'a berth_engine::containers::ContainerPaths,
) -> InspectContext<'a> {
    let mode_network = match &c.request.host.network_mode {
        NetworkMode::None => Some("none"),
        NetworkMode::Host => Some("host"),
        _ => None,
    }
    .and_then(|name| engine.inspect_network(name).ok().map(|n| (n.name, n.id)));
    InspectContext {
        paths,
        mode_network,
        exec_ids: engine.container_exec_ids(&c.id),
    }
}

pub async fn inspect(State(s): State<AppState>, Path(id): Path<String>) -> HttpResult<Response> {
    let c = s.engine.inspect_container(&id)?;
    let paths = s.engine.container_paths(&c.id)?;
    Ok(json(
        StatusCode::OK,
        &inspect_json(&c, &context(&s.engine, &c, &paths)),
    ))
}

pub async fn list(State(s): State<AppState>, Query(q): Q) -> HttpResult<Response> {
    let limit = match get(&q, "limit") {
        Some(l) => {
            let n: i64 = l
                .parse()
                .map_err(|_| ApiError::invalid(format!("invalid limit: {l}")))?;
            (n > 0).then_some(n as usize)
        }
        None => None,
    };
    let opts = ListOptions {
        all: bool_value(&q, "all"),
        limit,
        filters: Filters::parse(get(&q, "filters"))?,
    };
    let list = s.engine.list_containers(&opts)?;
    let now = berth_model::time::now();
    let mut out = Vec::with_capacity(list.len());
    for c in &list {
        let paths = s.engine.container_paths(&c.id)?;
        out.push(summary_json(c, &context(&s.engine, c, &paths), now));
    }
    Ok(json(StatusCode::OK, &out))
}

pub async fn start(State(s): State<AppState>, Path(id): Path<String>) -> HttpResult<Response> {
    let changed = blocking(s.engine.clone(), move |e| e.start_container(&id)).await?;
    Ok(no_content_or_not_modified(changed))
}

fn no_content_or_not_modified(changed: bool) -> Response {
    if changed {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::NOT_MODIFIED.into_response()
    }
}

fn timeout(q: &HashMap<String, String>) -> Result<Option<Duration>, ApiError> {
    match get(q, "t") {
        None => Ok(None),
        Some(t) => {
            let n: i64 = t
                .parse()
                .map_err(|_| ApiError::invalid(format!("invalid value for t: {t}")))?;
            Ok(Some(Duration::from_secs(n.max(0) as u64)))
        }
    }
}

fn signal(q: &HashMap<String, String>) -> Result<Option<i32>, ApiError> {
    match get(q, "signal") {
        None => Ok(None),
        Some(sig) => berth_engine::containers::parse_signal(sig)
            .map(Some)
            .ok_or_else(|| ApiError::invalid(format!("Invalid signal: {sig}"))),
    }
}

pub async fn stop(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
) -> HttpResult<Response> {
    let (t, sig) = (timeout(&q)?, signal(&q)?);
    let changed = blocking(s.engine.clone(), move |e| e.stop_container(&id, t, sig)).await?;
    Ok(no_content_or_not_modified(changed))
}

pub async fn kill(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
) -> HttpResult<Response> {
    let sig = signal(&q)?.unwrap_or(libc::SIGKILL);
    blocking(s.engine.clone(), move |e| e.kill_container(&id, sig)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn restart(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
) -> HttpResult<Response> {
    let t = timeout(&q)?;
    blocking(s.engine.clone(), move |e| e.restart_container(&id, t)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn remove(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
) -> HttpResult<Response> {
    let force = bool_value(&q, "force");
    let volumes = bool_value(&q, "v");
    blocking(s.engine.clone(), move |e| {
        e.remove_container_with_volumes(&id, force, volumes)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn rename(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
) -> HttpResult<Response> {
    let name = get(&q, "name").unwrap_or("").to_string();
    blocking(s.engine.clone(), move |e| e.rename_container(&id, &name)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /containers/{id}/wait`: the status line goes out at once (clients register the
/// wait before they start the container); the body follows when the condition holds.
pub async fn wait(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Q,
) -> HttpResult<Response> {
    let condition =
        berth_engine::containers::WaitCondition::parse(get(&q, "condition").unwrap_or(""))?;
    // Resolve now, so a missing container is a 404 rather than an error inside the body; the
    // exit a `next-exit` wait is after is one later than the last one seen now.
    let baseline = Some(s.engine.inspect_container(&id)?.state.finished_at);
    let engine = s.engine.clone();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(1);
    tokio::spawn(async move {
        // Wait in slices, so a client that went away releases its thread within a second.
        let value = loop {
            let (e, id2) = (engine.clone(), id.clone());
            let step = tokio::task::spawn_blocking(move || {
                e.wait_container(&id2, condition, Some(Duration::from_secs(1)), baseline)
            })
            .await;
            match step {
                Ok(Ok(code)) => break serde_json::json!({"Error": null, "StatusCode": code}),
                Ok(Err(e)) if e.message == berth_engine::containers::WAIT_TIMED_OUT => {
                    if tx.is_closed() {
                        return;
                    }
                }
                Ok(Err(e)) => {
                    break serde_json::json!({"Error": {"Message": e.message}, "StatusCode": -1})
                }
                Err(e) => {
                    break serde_json::json!({"Error": {"Message": e.to_string()}, "StatusCode": -1})
                }
            }
        };
        let mut bytes = serde_json::to_vec(&value).unwrap_or_default();
        bytes.push(b'\n');
        let _ = tx.send(Ok(bytes::Bytes::from(bytes))).await;
    });
    let body = Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }));
    let mut res = Response::new(body);
    res.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    Ok(res)
}

pub(crate) async fn blocking<T: Send + 'static>(
    engine: Arc<Engine>,
    f: impl FnOnce(&Arc<Engine>) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, HttpError> {
    match tokio::task::spawn_blocking(move || f(&engine)).await {
        Ok(r) => r.map_err(HttpError),
        Err(e) => Err(HttpError(ApiError::internal(format!(
            "the operation failed unexpectedly: {e}"
        )))),
    }
}

/// `POST /containers/prune?filters=`: every container that is not running (`until`, `label`,
/// `label!` narrow it); `ContainersDeleted` is null when none went, as dockerd answers.
pub async fn prune(State(s): State<AppState>, Query(q): Q) -> HttpResult<Response> {
    let filters = Filters::parse(get(&q, "filters"))?;
    let report = blocking(s.engine.clone(), move |e| e.prune_containers(&filters)).await?;
    let deleted = if report.deleted.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::json!(report.deleted)
    };
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({
            "ContainersDeleted": deleted,
            "SpaceReclaimed": report.space_reclaimed,
        }),
    ))
}
