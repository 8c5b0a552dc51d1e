//! Drafts and their immutable versions. Every query is scoped to a team: a draft of
//! another team is indistinguishable from one that does not exist.

use app::api::{Draft, DraftSummary, DraftVersion};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

/// A version's content and what the validator said about it.
pub struct NewVersion<'a> {
    /// The graph's canonical JSON text (Postgres parses it into `jsonb` once; going through
    /// a `serde_json::Value` first would cost two more passes over the graph on every save).
    pub content: &'a str,
    /// SHA-256 hex of the canonical JSON text.
    pub hash: &'a str,
    /// Nodes in the graph.
    pub node_count: i32,
    /// Error findings.
    pub errors: i32,
    /// Warning findings.
    pub warnings: i32,
    /// Info findings.
    pub infos: i32,
    /// `[{code, severity, at}]`.
    pub findings: &'a serde_json::Value,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: Uuid,
    name: String,
    version: i32,
    node_count: i32,
    errors: i32,
    warnings: i32,
    author: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    archived_at: Option<OffsetDateTime>,
}

impl From<SummaryRow> for DraftSummary {
    fn from(r: SummaryRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            version: u32::try_from(r.version).unwrap_or(0),
            node_count: u32::try_from(r.node_count).unwrap_or(0),
            errors: u32::try_from(r.errors).unwrap_or(0),
            warnings: u32::try_from(r.warnings).unwrap_or(0),
            author: r.author,
            created_at: r.created_at,
            updated_at: r.updated_at,
            archived: r.archived_at.is_some(),
        }
    }
}

const SUMMARY: &str = "SELECT d.id, d.name, d.head_number AS version, v.node_count, v.errors, v.warnings,
        u.display_name AS author, d.created_at, v.created_at AS updated_at, d.archived_at
    FROM drafts d JOIN draft_versions v ON v.id = d.head_version LEFT JOIN users u ON u.id = v.author_id";

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: Uuid,
    draft_id: Uuid,
    number: i32,
    parent_id: Option<Uuid>,
    content_hash: String,
    author: Option<String>,
    created_at: OffsetDateTime,
    errors: i32,
    warnings: i32,
    infos: i32,
    content: serde_json::Value,
}

impl From<VersionRow> for DraftVersion {
    fn from(r: VersionRow) -> Self {
        Self {
            id: r.id,
            draft_id: r.draft_id,
            number: u32::try_from(r.number).unwrap_or(0),
            parent_id: r.parent_id,
            content_hash: r.content_hash,
            author: r.author,
            created_at: r.created_at,
            errors: u32::try_from(r.errors).unwrap_or(0),
            warnings: u32::try_from(r.warnings).unwrap_or(0),
            infos: u32::try_from(r.infos).unwrap_or(0),
            content: r.content,
        }
    }
}

const VERSION: &str = "SELECT v.id, v.draft_id, v.number, v.parent_id, v.content_hash, u.display_name AS author,
        v.created_at, v.errors, v.warnings, v.infos, v.content
    FROM draft_versions v JOIN drafts d ON d.id = v.draft_id LEFT JOIN users u ON u.id = v.author_id";

/// The team's drafts, most recently saved first.
#[tracing::instrument(skip(pool))]
pub async fn list(
    pool: &PgPool,
    team: Uuid,
    include_archived: bool,
) -> sqlx::Result<Vec<DraftSummary>> {
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "{SUMMARY} WHERE d.team_id = $1 AND ($2 OR d.archived_at IS NULL) ORDER BY v.created_at DESC, d.id"
    ))
    .bind(team)
    .bind(include_archived)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

async fn summary(
    conn: &mut PgConnection,
    team: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<DraftSummary>> {
    let row: Option<SummaryRow> =
        sqlx::query_as(&format!("{SUMMARY} WHERE d.team_id = $1 AND d.id = $2"))
            .bind(team)
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(Into::into))
}

async fn version_by_id(
    conn: &mut PgConnection,
    team: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<DraftVersion>> {
    let row: Option<VersionRow> =
        sqlx::query_as(&format!("{VERSION} WHERE d.team_id = $1 AND v.id = $2"))
            .bind(team)
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(Into::into))
}

async fn insert_version(
    conn: &mut PgConnection,
    draft: Uuid,
    number: i32,
    parent: Option<Uuid>,
    author: Uuid,
    v: &NewVersion<'_>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO draft_versions (id, draft_id, number, parent_id, content, content_hash, author_id,
             node_count, errors, warnings, infos, findings)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(draft)
    .bind(number)
    .bind(parent)
    .bind(v.content)
    .bind(v.hash)
    .bind(author)
    .bind(v.node_count)
    .bind(v.errors)
    .bind(v.warnings)
    .bind(v.infos)
    .bind(v.findings)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Creates a draft with `v` as version 1.
#[tracing::instrument(skip(pool, v))]
pub async fn create(
    pool: &PgPool,
    team: Uuid,
    author: Uuid,
    name: &str,
    v: &NewVersion<'_>,
) -> sqlx::Result<Draft> {
    let mut tx = super::begin(pool).await?;
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO drafts (id, name, team_id, created_by) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(name)
        .bind(team)
        .bind(author)
        .execute(&mut *tx)
        .await?;
    let vid = insert_version(&mut tx, id, 1, None, author, v).await?;
    sqlx::query("UPDATE drafts SET head_version = $2, head_number = 1 WHERE id = $1")
        .bind(id)
        .bind(vid)
        .execute(&mut *tx)
        .await?;
    let draft = load(&mut tx, team, id).await?;
    tx.commit().await?;
    draft.ok_or(sqlx::Error::RowNotFound)
}

#[derive(sqlx::FromRow)]
struct DraftRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    version_id: Uuid,
    number: i32,
    parent_id: Option<Uuid>,
    content_hash: String,
    infos: i32,
    content: serde_json::Value,
}

/// A draft and its head version in one query: opening a draft is the API's hottest read.
async fn load(conn: &mut PgConnection, team: Uuid, id: Uuid) -> sqlx::Result<Option<Draft>> {
    let row: Option<DraftRow> = sqlx::query_as(
        "SELECT d.id, d.name, d.head_number AS version, v.node_count, v.errors, v.warnings,
                u.display_name AS author, d.created_at, v.created_at AS updated_at, d.archived_at,
                v.id AS version_id, v.number, v.parent_id, v.content_hash, v.infos, v.content
         FROM drafts d JOIN draft_versions v ON v.id = d.head_version
         LEFT JOIN users u ON u.id = v.author_id
         WHERE d.team_id = $1 AND d.id = $2",
    )
    .bind(team)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        let latest = DraftVersion {
            id: r.version_id,
            draft_id: r.summary.id,
            number: u32::try_from(r.number).unwrap_or(0),
            parent_id: r.parent_id,
            content_hash: r.content_hash,
            author: r.summary.author.clone(),
            created_at: r.summary.updated_at,
            errors: u32::try_from(r.summary.errors).unwrap_or(0),
            warnings: u32::try_from(r.summary.warnings).unwrap_or(0),
            infos: u32::try_from(r.infos).unwrap_or(0),
            content: r.content,
        };
        Draft {
            summary: r.summary.into(),
            latest,
        }
    }))
}

/// A draft with its latest version.
#[tracing::instrument(skip(pool))]
pub async fn get(pool: &PgPool, team: Uuid, id: Uuid) -> sqlx::Result<Option<Draft>> {
    let mut conn = pool.acquire().await?;
    load(&mut conn, team, id).await
}

/// What a save came to.
pub enum Saved {
    /// A new version, numbered `number`, stored at `created_at`.
    Created {
        /// The version's id.
        id: Uuid,
        /// Its number in the draft.
        number: u32,
        /// When it was stored.
        created_at: OffsetDateTime,
    },
    /// Nothing changed: the head already holds this content.
    Unchanged(DraftVersion),
    /// Someone saved in between: the latest version.
    Conflict(DraftVersion),
    /// No such draft in this team.
    NotFound,
    /// The draft is archived, so it is read-only.
    Archived,
    /// The base is not a version of this draft.
    UnknownBase,
}

/// Who saves, for the version and its audit entry.
pub struct Saver<'a> {
    /// The author.
    pub user_id: Uuid,
    /// Where the request came from.
    pub ip: Option<&'a str>,
}

/// Saves `v` as the version after `base`, unless `base` is no longer the head.
///
/// A save is the API's hottest write, so its usual case is one statement (one round trip,
/// one commit): moving the head from `base` to the new version is a compare-and-set on the
/// draft's row, and the version and its audit entry are inserted only when it succeeds.
/// Concurrent saves from the same base queue on that row; after the first commits, the
/// others see a head that is no longer `base` and change nothing. Only when nothing was
/// saved is the draft read again, to say why.
#[tracing::instrument(skip(pool, v, by))]
pub async fn save(
    pool: &PgPool,
    team: Uuid,
    id: Uuid,
    base: Uuid,
    by: Saver<'_>,
    v: &NewVersion<'_>,
) -> sqlx::Result<Saved> {
    let vid = Uuid::new_v4();
    let saved: Option<(i32, OffsetDateTime)> = sqlx::query_as(
        "WITH head AS (
            UPDATE drafts SET head_version = $1, head_number = head_number + 1
            WHERE id = $2 AND team_id = $3 AND head_version = $4 AND archived_at IS NULL
              AND (SELECT content_hash FROM draft_versions WHERE id = $4) IS DISTINCT FROM $6
            RETURNING head_number
         ), v AS (
            INSERT INTO draft_versions (id, draft_id, number, parent_id, content, content_hash, author_id,
                node_count, errors, warnings, infos, findings)
            SELECT $1, $2, head_number, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12 FROM head
            RETURNING number, created_at
         ), audit AS (
            INSERT INTO audit_log (team_id, actor_id, action, target, detail, ip)
            SELECT $3, $7, 'draft.saved', $2::text,
                jsonb_build_object('version', number, 'content_hash', $6::text, 'errors', $9::int, 'warnings', $10::int),
                $13
            FROM v
         )
         SELECT number, created_at FROM v",
    )
    .bind(vid)
    .bind(id)
    .bind(team)
    .bind(base)
    .bind(v.content)
    .bind(v.hash)
    .bind(by.user_id)
    .bind(v.node_count)
    .bind(v.errors)
    .bind(v.warnings)
    .bind(v.infos)
    .bind(v.findings)
    .bind(by.ip)
    .fetch_optional(pool)
    .await?;
    if let Some((number, created_at)) = saved {
        return Ok(Saved::Created {
            id: vid,
            number: u32::try_from(number).unwrap_or(0),
            created_at,
        });
    }
    let mut conn = pool.acquire().await?;
    let head: Option<(Option<Uuid>, Option<OffsetDateTime>)> = sqlx::query_as(
        "SELECT head_version, archived_at FROM drafts WHERE id = $1 AND team_id = $2",
    )
    .bind(id)
    .bind(team)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((head, archived)) = head else {
        return Ok(Saved::NotFound);
    };
    if archived.is_some() {
        return Ok(Saved::Archived);
    }
    let head_id = head.ok_or(sqlx::Error::RowNotFound)?;
    if head_id != base {
        let known: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM draft_versions WHERE id = $1 AND draft_id = $2")
                .bind(base)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        if known.is_none() {
            return Ok(Saved::UnknownBase);
        }
    }
    let latest = version_by_id(&mut conn, team, head_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(if head_id != base {
        Saved::Conflict(latest)
    } else {
        // The head is still the base, so the content was the same.
        Saved::Unchanged(latest)
    })
}

/// Renames a draft; `None` when it is not the team's.
pub async fn rename(
    pool: &PgPool,
    team: Uuid,
    id: Uuid,
    name: &str,
) -> sqlx::Result<Option<DraftSummary>> {
    let mut tx = super::begin(pool).await?;
    let n = sqlx::query("UPDATE drafts SET name = $3 WHERE id = $1 AND team_id = $2")
        .bind(id)
        .bind(team)
        .bind(name)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(None);
    }
    let s = summary(&mut tx, team, id).await?;
    tx.commit().await?;
    Ok(s)
}

/// Archives a draft (it stays readable, leaves the default listing and refuses saves).
pub async fn archive(pool: &PgPool, team: Uuid, id: Uuid) -> sqlx::Result<Option<DraftSummary>> {
    let mut tx = super::begin(pool).await?;
    let n = sqlx::query("UPDATE drafts SET archived_at = COALESCE(archived_at, now()) WHERE id = $1 AND team_id = $2")
        .bind(id)
        .bind(team)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(None);
    }
    let s = summary(&mut tx, team, id).await?;
    tx.commit().await?;
    Ok(s)
}

/// Every version of a draft, newest first, without their content.
pub async fn versions(
    pool: &PgPool,
    team: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Vec<DraftVersion>>> {
    let mut conn = pool.acquire().await?;
    if summary(&mut conn, team, id).await?.is_none() {
        return Ok(None);
    }
    let rows: Vec<VersionRow> = sqlx::query_as(
        "SELECT v.id, v.draft_id, v.number, v.parent_id, v.content_hash, u.display_name AS author,
                v.created_at, v.errors, v.warnings, v.infos, 'null'::jsonb AS content
         FROM draft_versions v JOIN drafts d ON d.id = v.draft_id LEFT JOIN users u ON u.id = v.author_id
         WHERE d.team_id = $1 AND v.draft_id = $2 ORDER BY v.number DESC",
    )
    .bind(team)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(rows.into_iter().map(Into::into).collect()))
}

/// One version, with content.
pub async fn version(
    pool: &PgPool,
    team: Uuid,
    id: Uuid,
    number: i32,
) -> sqlx::Result<Option<DraftVersion>> {
    let row: Option<VersionRow> = sqlx::query_as(&format!(
        "{VERSION} WHERE d.team_id = $1 AND v.draft_id = $2 AND v.number = $3"
    ))
    .bind(team)
    .bind(id)
    .bind(number)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Into::into))
}
