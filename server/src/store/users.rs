//! Users and their membership: the member as a session sees it.

use crate::auth::Authed;
use app::api::{Member, Role};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: Uuid,
    email: String,
    display_name: String,
    team_id: Uuid,
    team_name: String,
    role: String,
}

impl MemberRow {
    fn into_authed(self) -> Option<Authed> {
        Some(Authed {
            user_id: self.user_id,
            email: self.email,
            display_name: self.display_name,
            team_id: self.team_id,
            team_name: self.team_name,
            role: Role::parse(&self.role)?,
        })
    }
}

const MEMBER: &str = "SELECT u.id AS user_id, u.email, u.display_name, t.id AS team_id, t.name AS team_name, m.role::text AS role
    FROM users u JOIN memberships m ON m.user_id = u.id JOIN teams t ON t.id = m.team_id";

/// The member behind a session's user id; `None` when the user or membership is gone.
pub async fn member(pool: &PgPool, user_id: Uuid) -> sqlx::Result<Option<Authed>> {
    let row: Option<MemberRow> = sqlx::query_as(&format!("{MEMBER} WHERE u.id = $1"))
        .bind(user_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.and_then(MemberRow::into_authed))
}

/// A user's id and password hash, by email.
pub async fn credentials(pool: &PgPool, email: &str) -> sqlx::Result<Option<(Uuid, String)>> {
    sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await
}

/// Inserts a user; `None` when the email is taken.
pub async fn insert(
    conn: &mut PgConnection,
    email: &str,
    display_name: &str,
    password_hash: &str,
) -> sqlx::Result<Option<Uuid>> {
    let id = Uuid::new_v4();
    let inserted = sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(id)
    .bind(email)
    .bind(display_name)
    .bind(password_hash)
    .execute(conn)
    .await?
    .rows_affected();
    Ok((inserted == 1).then_some(id))
}

/// Adds a user to a team with a role.
pub async fn add_membership(
    conn: &mut PgConnection,
    user_id: Uuid,
    team_id: Uuid,
    role: Role,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO memberships (user_id, team_id, role) VALUES ($1, $2, $3::team_role)")
        .bind(user_id)
        .bind(team_id)
        .bind(role.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MemberListRow {
    user_id: Uuid,
    email: String,
    display_name: String,
    role: String,
    joined_at: OffsetDateTime,
}

/// The team's members, admins first.
pub async fn members(pool: &PgPool, team_id: Uuid) -> sqlx::Result<Vec<Member>> {
    let rows: Vec<MemberListRow> = sqlx::query_as(
        "SELECT u.id AS user_id, u.email, u.display_name, m.role::text AS role, m.created_at AS joined_at
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.team_id = $1 ORDER BY m.role DESC, u.display_name",
    )
    .bind(team_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Member {
                user_id: r.user_id,
                email: r.email,
                display_name: r.display_name,
                role: Role::parse(&r.role)?,
                joined_at: r.joined_at,
            })
        })
        .collect())
}

/// A member's role in `team_id`, locking the membership row; `None` if not a member.
pub async fn role_for_update(
    conn: &mut PgConnection,
    team_id: Uuid,
    user_id: Uuid,
) -> sqlx::Result<Option<Role>> {
    let role: Option<String> = sqlx::query_scalar(
        "SELECT role::text FROM memberships WHERE team_id = $1 AND user_id = $2 FOR UPDATE",
    )
    .bind(team_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(role.as_deref().and_then(Role::parse))
}

/// How many admins the team has, locking their rows so two demotions cannot both pass.
pub async fn admin_count(conn: &mut PgConnection, team_id: Uuid) -> sqlx::Result<i64> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE team_id = $1 AND role = 'admin' FOR UPDATE",
    )
    .bind(team_id)
    .fetch_all(conn)
    .await?;
    Ok(ids.len() as i64)
}

/// Removes a member from the team; false when they were not in it.
pub async fn remove_membership(
    conn: &mut PgConnection,
    team_id: Uuid,
    user_id: Uuid,
) -> sqlx::Result<bool> {
    let n = sqlx::query("DELETE FROM memberships WHERE team_id = $1 AND user_id = $2")
        .bind(team_id)
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Sets a member's role.
pub async fn set_role(
    conn: &mut PgConnection,
    team_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE memberships SET role = $3::team_role WHERE team_id = $1 AND user_id = $2")
        .bind(team_id)
        .bind(user_id)
        .bind(role.as_str())
        .execute(conn)
        .await?;
    Ok(())
}
