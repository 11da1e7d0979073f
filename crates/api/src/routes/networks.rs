//! `/networks` handlers. Changes run on the blocking pool: the engine commits to disk and
//! talks netlink, and a client that disconnects mid-request must not cancel a change halfway.

use crate::body::read_json;
use crate::error::{HttpError, HttpResult};
use crate::types::network::{parse_create_request, NetworkJson, View};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use berth_engine::Engine;
use berth_model::filters::Filters;
use berth_model::ApiError;
use serde::Deserialize;
use std::sync::Arc;

use super::json;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    filters: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct InspectQuery {
    scope: Option<String>,
}

pub async fn list(State(s): State<AppState>, Query(q): Query<ListQuery>) -> HttpResult<Response> {
    let filters = Filters::parse(q.filters.as_deref())?;
    let nets = s.engine.list_networks(&filters)?;
    let out: Vec<NetworkJson> = nets
        .iter()
        .map(|n| NetworkJson::from_network(n, View::List))
        .collect();
    Ok(json(StatusCode::OK, &out))
}

pub async fn inspect(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<InspectQuery>,
) -> HttpResult<Response> {
    let net = s.engine.inspect_network(&id)?;
    if let Some(scope) = q.scope.as_deref().filter(|sc| !sc.is_empty()) {
        if scope != net.scope {
            return Err(ApiError::not_found(format!("network {id} not found")).into());
        }
    }
    Ok(json(
        StatusCode::OK,
        &NetworkJson::from_network(&net, View::Inspect),
    ))
}

pub async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> HttpResult<Response> {
    let value = read_json(&headers, body).await?;
    let req = parse_create_request(value.as_ref())?;
    let net = blocking(s.engine.clone(), move |e| e.create_network(&req)).await?;
    Ok(json(
        StatusCode::CREATED,
        &serde_json::json!({ "Id": net.id, "Warning": "" }),
    ))
}

pub async fn remove(State(s): State<AppState>, Path(id): Path<String>) -> HttpResult<Response> {
    blocking(s.engine.clone(), move |e| e.remove_network(&id)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn prune(State(s): State<AppState>, Query(q): Query<ListQuery>) -> HttpResult<Response> {
    let filters = Filters::parse(q.filters.as_deref())?;
    let removed = blocking(s.engine.clone(), move |e| e.prune_networks(&filters)).await?;
    let deleted = if removed.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::json!(removed)
    };
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({ "NetworksDeleted": deleted }),
    ))
}

pub async fn connect(State(s): State<AppState>, Path(id): Path<String>) -> HttpResult<Response> {
    s.engine.inspect_network(&id)?;
    Err(ApiError::not_implemented(
        "berth cannot connect containers to networks yet: containers arrive with a later release",
    )
    .into())
}

pub async fn disconnect(State(s): State<AppState>, Path(id): Path<String>) -> HttpResult<Response> {
    connect(State(s), Path(id)).await
}

/// Runs an engine change on the blocking pool and waits for it even if the client goes away.
async fn blocking<T: Send + 'static>(
    engine: Arc<Engine>,
    f: impl FnOnce(&Engine) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, HttpError> {
    let task = tokio::task::spawn_blocking(move || f(&engine));
    match task.await {
        Ok(r) => r.map_err(HttpError),
        Err(e) => Err(HttpError(ApiError::internal(format!(
            "the operation failed unexpectedly: {e}"
        )))),
    }
}
