//! The UI's calls to the server: wire types, the typed error, and thin server functions
//! that hand each call to the server's service layer through [`Backend`].

mod error;
mod types;

pub use error::ApiError;
pub use types::*;

#[cfg(feature = "ssr")]
mod backend;
#[cfg(feature = "ssr")]
pub use backend::{Backend, SharedBackend};

use leptos::prelude::*;

/// Lists the drafts, newest first.
#[server(prefix = "/rpc", endpoint = "drafts/list")]
pub async fn list_drafts() -> Result<Vec<DraftSummary>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.list_drafts(&req).await)
}

/// Creates an empty draft with the given name.
#[server(prefix = "/rpc", endpoint = "drafts/create")]
pub async fn create_draft(name: String) -> Result<DraftSummary, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.create_draft(&req, NewDraft { name }).await)
}
