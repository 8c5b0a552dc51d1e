//! Draft rows: insert and list.

use app::api::DraftSummary;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct DraftRow {
    id: Uuid,
    name: String,
    node_count: i64,
    created_at: OffsetDateTime,
}

impl From<DraftRow> for DraftSummary {
    fn from(r: DraftRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            node_count: u32::try_from(r.node_count).unwrap_or(u32::MAX),
            created_at: r.created_at,
        }
    }
}

const NODE_COUNT: &str =
    "(SELECT count(*) FROM jsonb_object_keys(COALESCE(content->'nodes', '{}'::jsonb)))";

/// All drafts, newest first.
#[tracing::instrument(skip(pool))]
pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<DraftSummary>> {
    let rows: Vec<DraftRow> = sqlx::query_as(&format!(
        "SELECT id, name, {NODE_COUNT} AS node_count, created_at
         FROM drafts ORDER BY created_at DESC, id"
    ))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Inserts a draft with the given graph.
#[tracing::instrument(skip(pool, content))]
pub async fn insert(
    pool: &PgPool,
    name: &str,
    content: &serde_json::Value,
) -> sqlx::Result<DraftSummary> {
    let row: DraftRow = sqlx::query_as(&format!(
        "INSERT INTO drafts (id, name, content) VALUES ($1, $2, $3)
         RETURNING id, name, {NODE_COUNT} AS node_count, created_at"
    ))
    .bind(Uuid::new_v4())
    .bind(name)
    .bind(content)
    .fetch_one(pool)
    .await?;
    Ok(row.into())
}
