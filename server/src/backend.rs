//! The server's side of the UI seam: implements `app::api::Backend` by calling [`Service`].

use crate::service::Service;
use app::api::{ApiError, Backend, DraftSummary, NewDraft};
use http::request::Parts;

#[async_trait::async_trait]
impl Backend for Service {
    async fn list_drafts(&self, _req: &Parts) -> Result<Vec<DraftSummary>, ApiError> {
        Service::list_drafts(self)
            .await
            .map_err(|e| e.into_api_error())
    }

    async fn create_draft(&self, _req: &Parts, input: NewDraft) -> Result<DraftSummary, ApiError> {
        Service::create_draft(self, input)
            .await
            .map_err(|e| e.into_api_error())
    }
}
