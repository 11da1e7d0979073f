//! `/volumes` handlers. Changes run on the blocking pool: they commit to disk and remove
//! directory trees.

use crate::body::read_json;
use crate::error::HttpResult;
use crate::query::bool_value;
use crate::types::volume::{parse_volume_create, volume_json};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use berth_model::filters::Filters;
use berth_model::volume::{list_filter, prune_filter};
use serde_json::{json, Value};
use std::collections::HashMap;

use super::containers::blocking;
use super::json;

pub async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> HttpResult<Response> {
    let value = read_json(&headers, body).await?;
    let req = parse_volume_create(value.as_ref())?;
    let v = blocking(s.engine.clone(), move |e| e.create_volume(req)).await?;
    Ok(json(StatusCode::CREATED, &volume_json(&v)))
}

pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> HttpResult<Response> {
    let filter = list_filter(Filters::parse(q.get("filters").map(String::as_str))?)?;
    let vols = blocking(s.engine.clone(), move |e| e.list_volumes(&filter)).await?;
    let list: Vec<Value> = vols.iter().map(volume_json).collect();
    Ok(json(
        StatusCode::OK,
        &json!({ "Volumes": list, "Warnings": null }),
    ))
}

pub async fn inspect(State(s): State<AppState>, Path(name): Path<String>) -> HttpResult<Response> {
    let v = blocking(s.engine.clone(), move |e| e.inspect_volume(&name)).await?;
    Ok(json(StatusCode::OK, &volume_json(&v)))
}

pub async fn remove(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> HttpResult<Response> {
    let force = bool_value(&q, "force");
    blocking(s.engine.clone(), move |e| e.remove_volume(&name, force)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn prune(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> HttpResult<Response> {
    let filter = prune_filter(Filters::parse(q.get("filters").map(String::as_str))?)?;
    let report = blocking(s.engine.clone(), move |e| e.prune_volumes(&filter)).await?;
    Ok(json(
        StatusCode::OK,
        &PruneReport {
            volumes_deleted: (!report.deleted.is_empty()).then_some(report.deleted),
            space_reclaimed: report.space_reclaimed,
        },
    ))
}

/// `volume.PruneReport`, fields in Docker's order.
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct PruneReport {
    volumes_deleted: Option<Vec<String>>,
    space_reclaimed: u64,
}
