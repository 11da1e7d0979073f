//! The route table.

pub mod build;
pub mod container_archive;
pub mod container_attach;
pub mod container_logs;
pub mod container_stats;
pub mod containers;
pub mod events;
pub mod exec;
pub mod hijack;
pub mod image_events;
pub mod image_prune;
pub mod image_stream;
pub mod images;
pub mod networks;
pub mod system;
pub mod volumes;

use crate::AppState;
use axum::extract::Path;
use axum::routing::{get, post};
use axum::Router;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/_ping", get(system::ping).head(system::ping_head))
        .route("/version", get(system::version))
        .route("/info", get(system::info))
        .route("/events", get(events::stream))
        .route("/networks", get(networks::list))
        // dockerd routes GET/DELETE of these paths to /networks/{id}: a network may be
        // named "create" or "prune"
        .route(
            "/networks/create",
            post(networks::create)
                .get(|s, q| networks::inspect(s, Path("create".into()), q))
                .delete(|s| networks::remove(s, Path("create".into()))),
        )
        .route(
            "/networks/prune",
            post(networks::prune)
                .get(|s, q| networks::inspect(s, Path("prune".into()), q))
                .delete(|s| networks::remove(s, Path("prune".into()))),
        )
        .route(
            "/networks/{id}",
            get(networks::inspect).delete(networks::remove),
        )
        .route("/build", post(build::build))
        .route("/containers/create", post(containers::create))
        .route("/containers/prune", post(containers::prune))
        .route("/images/prune", post(image_prune::prune))
        .route("/build/prune", post(image_prune::prune_build_cache))
        .route("/containers/json", get(containers::list))
        .route("/containers/{id}/json", get(containers::inspect))
        .route("/containers/{id}/start", post(containers::start))
        .route("/containers/{id}/stop", post(containers::stop))
        .route("/containers/{id}/kill", post(containers::kill))
        .route("/containers/{id}/restart", post(containers::restart))
        .route("/containers/{id}/wait", post(containers::wait))
        .route("/containers/{id}/rename", post(containers::rename))
        .route("/containers/{id}/logs", get(container_logs::logs))
        .route("/containers/{id}/attach", post(container_attach::attach))
        .route("/containers/{id}/resize", post(container_attach::resize))
        .route("/containers/{id}/top", get(container_attach::top))
        .route("/containers/{id}/stats", get(container_stats::stats))
        .route(
            "/containers/{id}/archive",
            get(container_archive::get_archive)
                .head(container_archive::head)
                .put(container_archive::put),
        )
        .route("/containers/{id}/exec", post(exec::create))
        .route("/exec/{id}/start", post(exec::start))
        .route("/exec/{id}/resize", post(exec::resize))
        .route("/exec/{id}/json", get(exec::inspect))
        .route(
            "/containers/{id}",
            axum::routing::delete(containers::remove),
        )
        .route("/networks/{id}/connect", post(networks::connect))
        .route("/networks/{id}/disconnect", post(networks::disconnect))
        .route("/volumes", get(volumes::list))
        // as with networks, dockerd routes GET/DELETE of these paths to /volumes/{name}
        .route(
            "/volumes/create",
            post(volumes::create)
                .get(|s| volumes::inspect(s, Path("create".into())))
                .delete(|s, q| volumes::remove(s, Path("create".into()), q)),
        )
        .route(
            "/volumes/prune",
            post(volumes::prune)
                .get(|s| volumes::inspect(s, Path("prune".into())))
                .delete(|s, q| volumes::remove(s, Path("prune".into()), q)),
        )
        .route(
            "/volumes/{name}",
            get(volumes::inspect).delete(volumes::remove),
        )
        .merge(images::router())
        .method_not_allowed_fallback(crate::fallback::page_not_found)
        .with_state(state)
}

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// JSON as dockerd writes it (Go's encoder ends every document with a newline).
pub fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(mut body) => {
            body.push(b'\n');
            let mut res = (status, body).into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            res
        }
        Err(e) => {
            crate::error::HttpError(berth_model::ApiError::internal(e.to_string())).into_response()
        }
    }
}
