//! The seam between the UI's server functions and the server's service layer.
//!
//! `app` cannot depend on `server` (the server embeds the app), so the server
//! implements [`Backend`] and provides it as context; the server functions only
//! forward to it. Every rule lives once, behind this trait.

use super::{ApiError, DraftSummary, NewDraft};
use http::request::Parts;
use leptos::prelude::*;
use std::sync::Arc;

/// The service operations the UI needs, implemented by the server.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Lists drafts, newest first.
    async fn list_drafts(&self, req: &Parts) -> Result<Vec<DraftSummary>, ApiError>;
    /// Creates a draft with an empty graph.
    async fn create_draft(&self, req: &Parts, input: NewDraft) -> Result<DraftSummary, ApiError>;
}

/// How the backend is shared through Leptos context.
pub type SharedBackend = Arc<dyn Backend>;

/// The backend and the incoming request's head, as provided by the server.
pub(crate) fn context() -> Result<(SharedBackend, Parts), ApiError> {
    let backend = use_context::<SharedBackend>();
    let parts = use_context::<Parts>();
    match (backend, parts) {
        (Some(b), Some(p)) => Ok((b, p)),
        _ => {
            leptos::logging::error!("server function called without backend or request context");
            Err(ApiError::Internal)
        }
    }
}

/// Sets the HTTP status of a server function's answer to match its error.
pub(crate) fn answer<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(e) = &result
        && let (Some(opts), Ok(code)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::StatusCode::from_u16(e.status()),
        )
    {
        opts.set_status(code);
    }
    result
}
