//! berth's Docker Engine API (version 1.50, minimum 1.24). Every route is served with and
//! without a `/vX.Y` prefix, as dockerd does; routes not implemented yet answer 501 with a
//! JSON message rather than hanging or pretending.

#![recursion_limit = "256"]

mod body;
mod error;
mod fallback;
mod headers;
mod json_obj;
mod query;
mod routes;
mod types;
mod versioning;

pub use routes::system::DaemonInfo;

use axum::Router;
use berth_engine::Engine;
use std::sync::Arc;

/// The version of the Engine API berth speaks, and the oldest it accepts.
pub const API_VERSION: &str = "1.50";
pub const MIN_API_VERSION: &str = "1.24";

#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<Engine>,
    pub info: Arc<DaemonInfo>,
    pub images: Arc<berth_image::ImageStore>,
}

/// The whole API as a service: version prefix handling wraps the router, so one set of
/// routes serves `/networks` and `/v1.41/networks` alike.
pub fn app(state: AppState) -> Router {
    let routes = routes::router(state)
        .fallback(fallback::not_implemented)
        .layer(axum::middleware::from_fn(headers::docker_headers));
    Router::new().fallback_service(
        tower::ServiceBuilder::new()
            .layer(axum::middleware::from_fn(versioning::strip_version))
            .service(routes),
    )
}
