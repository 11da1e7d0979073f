//! `/networks` handlers. Changes run on the blocking pool: the engine commits to disk and
//! talks netlink, and a client that disconnects mid-request must not cancel a change halfway.

use crate::body::read_json;
use crate::error::{HttpError, HttpResult};
use crate::types::endpoint::mode_endpoint_id;
use crate::types::network::{parse_create_request, EndpointResourceJson, NetworkJson, View};
use crate::types::network_connect::{parse_connect_request, parse_disconnect_request};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use berth_engine::containers::ListOptions;
use berth_engine::Engine;
use berth_model::container::NetworkMode;
use berth_model::filters::Filters;
use berth_model::network::driver::Driver;
use berth_model::network::Network;
use berth_model::ApiError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::containers::blocking as blocking_arc;
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
    let containers = network_containers(&s.engine, &net);
    Ok(json(
        StatusCode::OK,
        &NetworkJson::from_network(&net, View::Inspect).with_containers(containers),
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

/// `POST /networks/{id}/connect`: 200 with an empty body. Like dockerd, the container is
/// looked up before the network, so a missing container is reported first.
pub async fn connect(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> HttpResult<Response> {
    let value = read_json(&headers, body).await?;
    let req = parse_connect_request(value.as_ref())?;
    require_container(&s.engine, &req.container)?;
    blocking_arc(s.engine.clone(), move |e| {
        e.connect_network(&id, &req.container, req.config)
    })
    .await?;
    Ok(StatusCode::OK.into_response())
}

/// `POST /networks/{id}/disconnect`: 200 with an empty body. With `Force`, a container or
/// network that is gone is left to the engine (it can still drop a stale attachment).
pub async fn disconnect(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> HttpResult<Response> {
    let value = read_json(&headers, body).await?;
    let req = parse_disconnect_request(value.as_ref())?;
    if !req.force {
        require_container(&s.engine, &req.container)?;
    }
    blocking_arc(s.engine.clone(), move |e| {
        e.disconnect_network(&id, &req.container, req.force)
    })
    .await?;
    Ok(StatusCode::OK.into_response())
}

/// dockerd's `GetContainer`: an empty name is a 400, an unknown one a 404.
fn require_container(engine: &Engine, term: &str) -> Result<(), ApiError> {
    if term.is_empty() {
        return Err(ApiError::invalid(format!(
            "invalid name or ID supplied: {term:?}"
        )));
    }
    engine.inspect_container(term).map(|_| ())
}

/// Inspect's `Containers`: the endpoints of a bridge network; for `host` and `none`, the
/// running containers in that mode (their endpoints have no interface).
fn network_containers(engine: &Engine, net: &Network) -> BTreeMap<String, EndpointResourceJson> {
    let mode = match net.driver {
        Driver::Bridge => {
            return engine
                .network_endpoints(&net.id)
                .into_iter()
                .map(|(id, name, ep)| (id, EndpointResourceJson::from_endpoint(&name, &ep)))
                .collect()
        }
        Driver::Host => NetworkMode::Host,
        Driver::Null => NetworkMode::None,
    };
    let running = engine
        .list_containers(&ListOptions::default())
        .unwrap_or_default();
    running
        .iter()
        .filter(|c| c.request.host.network_mode == mode)
        .map(|c| {
            let ep =
                EndpointResourceJson::without_interface(&c.name, mode_endpoint_id(&c.id, &net.id));
            (c.id.clone(), ep)
        })
        .collect()
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
