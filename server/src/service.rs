//! The service layer: each rule about drafts lives here once, called by REST handlers and
//! by the UI's server functions alike.

use crate::{error::AppError, store};
use app::api::{DraftSummary, NewDraft};
use sqlx::PgPool;

/// The operations on Eventloom's data, over one Postgres pool.
#[derive(Clone)]
pub struct Service {
    pool: PgPool,
}

impl Service {
    /// A service over `pool`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The database pool, for health checks.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Lists drafts, newest first.
    pub async fn list_drafts(&self) -> Result<Vec<DraftSummary>, AppError> {
        Ok(store::drafts::list(&self.pool).await?)
    }

    /// Creates a draft with an empty graph.
    pub async fn create_draft(&self, input: NewDraft) -> Result<DraftSummary, AppError> {
        let name = input.clean_name()?;
        let content = serde_json::to_value(wiring::Graph::default())
            .map_err(|e| AppError::Internal(e.into()))?;
        let draft = store::drafts::insert(&self.pool, &name, &content).await?;
        tracing::info!(draft = %draft.id, "draft created");
        Ok(draft)
    }
}
