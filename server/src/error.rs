//! `AppError`: every handler's error, answered as a 4xx the caller can act on or an opaque 500.

use app::api::ApiError;
use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};

/// A request's failure: a client error with a message, or an internal error with a cause
/// that is logged here, once, and never sent.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The caller's fault; the message goes back as is.
    #[error(transparent)]
    Client(ApiError),
    /// Ours; the cause stays in the log.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<ApiError> for AppError {
    fn from(e: ApiError) -> Self {
        Self::Client(e)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(anyhow::Error::new(e).context("database"))
    }
}

impl AppError {
    /// The wire form, logging the cause of an internal error on the way.
    pub fn into_api_error(self) -> ApiError {
        match self {
            Self::Client(e) => e,
            Self::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "request failed");
                ApiError::Internal
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = self.into_api_error();
        let status =
            StatusCode::from_u16(body.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(body)).into_response()
    }
}
