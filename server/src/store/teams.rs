//! Teams and invitations.

use app::api::Role;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

/// Creates a team. The first team of an installation also adopts drafts made before
/// accounts existed, so nothing saved earlier becomes unreachable.
pub async fn create(conn: &mut PgConnection, name: &str) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    // Serialises concurrent first sign-ups, so only one team adopts the old drafts.
    sqlx::query("SELECT pg_advisory_xact_lock(727001)")
        .execute(&mut *conn)
        .await?;
    let first: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM teams)")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO teams (id, name) VALUES ($1, $2)")
        .bind(id)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    if first {
        sqlx::query("UPDATE drafts SET team_id = $1 WHERE team_id IS NULL")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

/// Stores an invitation by its token's hash.
pub async fn insert_invitation(
    conn: &mut PgConnection,
    team_id: Uuid,
    token_sha256: &[u8],
    role: Role,
    created_by: Uuid,
    expires_at: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO invitations (id, team_id, token_sha256, role, created_by, expires_at)
         VALUES ($1, $2, $3, $4::team_role, $5, $6)",
    )
    .bind(id)
    .bind(team_id)
    .bind(token_sha256)
    .bind(role.as_str())
    .bind(created_by)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Marks the invitation with this token hash used, if it is still valid; returns its team and role.
pub async fn redeem_invitation(
    conn: &mut PgConnection,
    token_sha256: &[u8],
    user_id: Uuid,
) -> sqlx::Result<Option<(Uuid, Role)>> {
    let row: Option<(Uuid, String)> = sqlx::query_as(
        "UPDATE invitations SET used_at = now(), used_by = $2
         WHERE token_sha256 = $1 AND used_at IS NULL AND expires_at > now()
         RETURNING team_id, role::text",
    )
    .bind(token_sha256)
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|(t, r)| Role::parse(&r).map(|r| (t, r))))
}
