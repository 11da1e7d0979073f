//! Errors as Docker answers them: status from the error kind, body `{"message": "..."}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use berth_model::ApiError;

pub struct HttpError(pub ApiError);

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        HttpError(e)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.kind.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), message = %self.0.message, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), message = %self.0.message, "request refused");
        }
        crate::routes::json(status, &serde_json::json!({ "message": self.0.message }))
    }
}

pub type HttpResult<T> = Result<T, HttpError>;
