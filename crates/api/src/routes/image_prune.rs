//! `POST /images/prune` (`docker image prune`, `docker system prune`) and `POST /build/prune`
//! (`docker builder prune`). Images no container uses go: only dangling ones (no tag) unless
//! the `dangling=false` filter says all (`-a`); `until`, `label` and `label!` narrow it.
//! Children go before their parents (build steps chain images), in passes; an untagged
//! image with a child is not dangling.

use super::image_events;
use super::json;
use crate::error::HttpResult;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use berth_image::{DeleteItem, ImageRecord};
use berth_model::filters::Filters;
use berth_model::ApiError;
use serde_json::json as j;
use std::collections::HashSet;

type Pairs = Vec<(String, String)>;

const PRUNE_FILTERS: [&str; 4] = ["dangling", "until", "label", "label!"];

pub async fn prune(State(s): State<AppState>, Query(q): Query<Pairs>) -> HttpResult<Response> {
    let raw = q
        .iter()
        .find(|(k, _)| k == "filters")
        .map(|(_, v)| v.clone());
    let filters = Filters::parse(raw.as_deref())?;
    filters.validate(&PRUNE_FILTERS)?;
    let dangling_only = match filters.get("dangling") {
        [] => true,
        [v] => match v.to_ascii_lowercase().as_str() {
            "1" | "true" => true,
            "0" | "false" => false,
            _ => return Err(ApiError::invalid(format!("invalid filter 'dangling={v}'")).into()),
        },
        _ => return Err(ApiError::invalid("filters dangling can only be used once").into()),
    };
    let until = match filters.get("until") {
        [] => None,
        [one] => Some(berth_engine::parse_until(one, chrono::Utc::now())?),
        _ => return Err(ApiError::invalid("filters until can only be used once").into()),
    };
    let images = s.images.clone();
    let engine = s.engine.clone();
    let (deleted, reclaimed) = tokio::task::spawn_blocking(move || {
        let in_use = |id: &str| engine.containers_using_image(id);
        let selected = |r: &ImageRecord| {
            let labels = r.config.labels.clone().unwrap_or_default();
            let created = r
                .config_file
                .created
                .as_deref()
                .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok());
            (!dangling_only || r.repo_tags.is_empty())
                && until.is_none_or(|limit| created.is_some_and(|c| c < limit))
                && filters.match_labels("label", &labels)
                && filters.match_no_labels("label!", &labels)
                && in_use(&r.id).is_empty()
        };
        let mut left: Vec<ImageRecord> = images.list().into_iter().filter(selected).collect();
        let mut deleted: Vec<DeleteItem> = Vec::new();
        let mut reclaimed = 0u64;
        loop {
            // An image with a child still in the store stays this pass: a build's intermediate
            // images are untagged, but not dangling while the image built on them exists.
            let existing = images.list();
            let ids: HashSet<String> = existing.iter().map(|r| r.id.clone()).collect();
            let parents: HashSet<String> = existing.into_iter().filter_map(|r| r.parent).collect();
            // (removing an image may have taken its hidden parents with it)
            left.retain(|r| ids.contains(&r.id));
            let (now, later): (Vec<ImageRecord>, Vec<ImageRecord>) =
                left.into_iter().partition(|r| !parents.contains(&r.id));
            if now.is_empty() {
                break;
            }
            for r in now {
                match images.remove(&r.id, true, &in_use) {
                    Ok(items) => {
                        image_events::removed(&engine, &r.id, &items);
                        reclaimed += r.size;
                        deleted.extend(items);
                    }
                    Err(e) => {
                        tracing::warn!(image = %r.id, error = %e, "prune could not remove an image")
                    }
                }
            }
            left = later;
        }
        (deleted, reclaimed)
    })
    .await
    .map_err(|e| ApiError::internal(format!("image task failed: {e}")))?;
    let deleted = if deleted.is_empty() {
        serde_json::Value::Null
    } else {
        j!(deleted)
    };
    Ok(json(
        StatusCode::OK,
        &j!({ "ImagesDeleted": deleted, "SpaceReclaimed": reclaimed }),
    ))
}

/// The classic builder keeps its cache as images, which image prune removes: there is no
/// other cache to report.
pub async fn prune_build_cache() -> HttpResult<Response> {
    Ok(json(
        StatusCode::OK,
        &j!({ "CachesDeleted": null, "SpaceReclaimed": 0 }),
    ))
}
