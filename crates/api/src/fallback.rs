//! Requests for routes berth does not serve. Paths of the Docker API that berth has not
//! implemented yet get a 501 that says so; anything else gets dockerd's 404.

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use berth_model::ApiError;

use crate::error::HttpError;

/// First path segments of the Docker Engine API.
const DOCKER_API_ROOTS: &[&str] = &[
    "containers",
    "images",
    "volumes",
    "exec",
    "build",
    "events",
    "system",
    "swarm",
    "nodes",
    "services",
    "tasks",
    "secrets",
    "configs",
    "plugins",
    "session",
    "distribution",
    "auth",
    "commit",
    "grpc",
    "networks",
    "info",
    "version",
    "_ping",
];

pub async fn not_implemented(req: Request) -> Response {
    let path = req.uri().path();
    let root = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let err = if DOCKER_API_ROOTS.contains(&root) {
        ApiError::not_implemented(format!(
            "berth does not implement {} {path} yet",
            req.method()
        ))
    } else {
        ApiError::not_found("page not found")
    };
    HttpError(err).into_response()
}

/// dockerd answers a known path with the wrong method as it answers an unknown path.
pub async fn page_not_found() -> Response {
    HttpError(ApiError::not_found("page not found")).into_response()
}
