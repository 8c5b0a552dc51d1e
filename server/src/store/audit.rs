//! The audit log: who did what, when (UTC), from where. Never a password or token.

use app::api::AuditEntry;
use sqlx::{PgExecutor, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

/// One event to record.
pub struct Event<'a> {
    /// The team it belongs to (none for a failed sign-in to an unknown account).
    pub team_id: Option<Uuid>,
    /// Who did it.
    pub actor_id: Option<Uuid>,
    /// What, e.g. `auth.signin`, `draft.saved`, `member.role_changed`.
    pub action: &'a str,
    /// On what (an id or email).
    pub target: Option<String>,
    /// Details.
    pub detail: serde_json::Value,
    /// The client address.
    pub ip: Option<&'a str>,
}

/// Appends `event`.
pub async fn record<'e>(db: impl PgExecutor<'e>, event: Event<'_>) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO audit_log (team_id, actor_id, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(event.team_id)
        .bind(event.actor_id)
        .bind(event.action)
        .bind(event.target)
        .bind(event.detail)
        .bind(event.ip)
        .execute(db)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    at: OffsetDateTime,
    actor: Option<String>,
    action: String,
    target: Option<String>,
    detail: serde_json::Value,
    ip: Option<String>,
}

/// The team's newest entries, up to `limit`.
pub async fn list(pool: &PgPool, team_id: Uuid, limit: i64) -> sqlx::Result<Vec<AuditEntry>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.at, u.email AS actor, a.action, a.target, a.detail, a.ip
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
         WHERE a.team_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2",
    )
    .bind(team_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            at: r.at,
            actor: r.actor,
            action: r.action,
            target: r.target,
            detail: r.detail,
            ip: r.ip,
        })
        .collect())
}
