//! Review data: requests, decisions, comment threads and the team's approval rule. Every
//! query is scoped to a team, so another team's draft or thread reads as missing.

use sqlx::{PgConnection, PgExecutor, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

/// A version as the review rules need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionMeta {
    /// Version id.
    pub id: Uuid,
    /// Its number.
    pub number: i32,
    /// Content hash.
    pub content_hash: String,
    /// Who saved it.
    pub author_id: Option<Uuid>,
    /// Error findings.
    pub errors: i32,
    /// The draft's latest version number.
    pub head_number: i32,
    /// The draft's name.
    pub draft_name: String,
}

/// Version `number` of the team's draft.
pub async fn version_meta(
    db: impl PgExecutor<'_>,
    team: Uuid,
    draft: Uuid,
    number: i32,
) -> sqlx::Result<Option<VersionMeta>> {
    sqlx::query_as(
        "SELECT v.id, v.number, v.content_hash, v.author_id, v.errors, d.head_number, d.name AS draft_name
         FROM draft_versions v JOIN drafts d ON d.id = v.draft_id
         WHERE d.team_id = $1 AND d.id = $2 AND v.number = $3",
    )
    .bind(team)
    .bind(draft)
    .bind(number)
    .fetch_optional(db)
    .await
}

/// The approvals a deploy needs in this team.
pub async fn approvals_required(db: impl PgExecutor<'_>, team: Uuid) -> sqlx::Result<i32> {
    sqlx::query_scalar("SELECT approvals_required FROM teams WHERE id = $1")
        .bind(team)
        .fetch_one(db)
        .await
}

/// Sets the approvals a deploy needs.
pub async fn set_approvals_required(
    db: impl PgExecutor<'_>,
    team: Uuid,
    n: i32,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE teams SET approvals_required = $2 WHERE id = $1")
        .bind(team)
        .bind(n)
        .execute(db)
        .await?;
    Ok(())
}

/// Asks each of `reviewers` to review a version; asking again is a no-op.
pub async fn insert_requests(
    conn: &mut PgConnection,
    team: Uuid,
    draft: Uuid,
    version: Uuid,
    by: Uuid,
    reviewers: &[Uuid],
    note: Option<&str>,
) -> sqlx::Result<()> {
    for r in reviewers {
        sqlx::query(
            "INSERT INTO review_requests (id, team_id, draft_id, version_id, requested_by, reviewer_id, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (version_id, reviewer_id) DO NOTHING",
        )
        .bind(Uuid::new_v4())
        .bind(team)
        .bind(draft)
        .bind(version)
        .bind(by)
        .bind(r)
        .bind(note)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One reviewer asked on one version, with the draft around it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    /// The draft.
    pub draft_id: Uuid,
    /// Draft name.
    pub draft_name: String,
    /// Version id.
    pub version_id: Uuid,
    /// Version number.
    pub number: i32,
    /// The draft's latest version number.
    pub head_number: i32,
    /// Who asked.
    pub requested_by: String,
    /// Note.
    pub note: Option<String>,
    /// The reviewer.
    pub reviewer_id: Uuid,
    /// Reviewer name.
    pub reviewer: String,
    /// The reviewer's latest decision on the version.
    pub decision: Option<String>,
    /// When.
    pub created_at: OffsetDateTime,
}

const REQUESTS: &str = "SELECT r.draft_id, d.name AS draft_name, r.version_id, v.number, d.head_number,
        ru.display_name AS requested_by, r.note, r.reviewer_id, rv.display_name AS reviewer,
        (SELECT x.decision::text FROM review_decisions x WHERE x.version_id = r.version_id
            AND x.reviewer_id = r.reviewer_id ORDER BY x.created_at DESC LIMIT 1) AS decision,
        r.created_at
    FROM review_requests r JOIN drafts d ON d.id = r.draft_id JOIN draft_versions v ON v.id = r.version_id
    JOIN users ru ON ru.id = r.requested_by JOIN users rv ON rv.id = r.reviewer_id";

/// Every request on a draft, newest version first.
pub async fn requests(pool: &PgPool, team: Uuid, draft: Uuid) -> sqlx::Result<Vec<RequestRow>> {
    sqlx::query_as(&format!(
        "{REQUESTS} WHERE r.team_id = $1 AND r.draft_id = $2 ORDER BY v.number DESC, r.created_at, rv.display_name"
    ))
    .bind(team)
    .bind(draft)
    .fetch_all(pool)
    .await
}

/// Requests waiting for `reviewer`: on a draft's latest version, not yet decided by them.
/// Each comes with the other reviewers asked on the same version.
pub async fn inbox(pool: &PgPool, team: Uuid, reviewer: Uuid) -> sqlx::Result<Vec<RequestRow>> {
    sqlx::query_as(&format!(
        "{REQUESTS} WHERE r.team_id = $1 AND r.version_id IN (
             SELECT q.version_id FROM review_requests q JOIN drafts qd ON qd.id = q.draft_id
             WHERE q.team_id = $1 AND q.reviewer_id = $2 AND qd.head_version = q.version_id
               AND qd.archived_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM review_decisions x WHERE x.version_id = q.version_id AND x.reviewer_id = $2))
         ORDER BY r.created_at DESC, rv.display_name"
    ))
    .bind(team)
    .bind(reviewer)
    .fetch_all(pool)
    .await
}

/// A new decision's fields.
pub struct NewDecisionRow<'a> {
    /// Team.
    pub team: Uuid,
    /// Draft.
    pub draft: Uuid,
    /// Version.
    pub version: &'a VersionMeta,
    /// Reviewer.
    pub reviewer: Uuid,
    /// `approve` or `request_changes`.
    pub decision: &'a str,
    /// Why.
    pub comment: Option<&'a str>,
}

/// Records a decision.
pub async fn insert_decision(db: impl PgExecutor<'_>, d: NewDecisionRow<'_>) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO review_decisions (id, team_id, draft_id, version_id, content_hash, reviewer_id, decision, comment)
         VALUES ($1, $2, $3, $4, $5, $6, $7::review_decision, $8)",
    )
    .bind(id)
    .bind(d.team)
    .bind(d.draft)
    .bind(d.version.id)
    .bind(&d.version.content_hash)
    .bind(d.reviewer)
    .bind(d.decision)
    .bind(d.comment)
    .execute(db)
    .await?;
    Ok(id)
}

/// A decision with what the gate needs to judge it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DecisionRow {
    /// Id.
    pub id: Uuid,
    /// Version id.
    pub version_id: Uuid,
    /// Version number.
    pub number: i32,
    /// The hash the reviewer saw.
    pub content_hash: String,
    /// The version's hash now (versions are immutable, so they match unless data was altered).
    pub version_hash: String,
    /// Reviewer id.
    pub reviewer_id: Uuid,
    /// Reviewer name.
    pub reviewer: String,
    /// The reviewer's role now, if still a member.
    pub reviewer_role: Option<String>,
    /// `approve` or `request_changes`.
    pub decision: String,
    /// Why.
    pub comment: Option<String>,
    /// When.
    pub created_at: OffsetDateTime,
}

/// Every decision on a draft, newest first.
pub async fn decisions(
    db: impl PgExecutor<'_>,
    team: Uuid,
    draft: Uuid,
) -> sqlx::Result<Vec<DecisionRow>> {
    sqlx::query_as(
        "SELECT x.id, x.version_id, v.number, x.content_hash, v.content_hash AS version_hash, x.reviewer_id,
                u.display_name AS reviewer, m.role::text AS reviewer_role, x.decision::text AS decision,
                x.comment, x.created_at
         FROM review_decisions x JOIN draft_versions v ON v.id = x.version_id JOIN users u ON u.id = x.reviewer_id
         LEFT JOIN memberships m ON m.user_id = x.reviewer_id AND m.team_id = x.team_id
         WHERE x.team_id = $1 AND x.draft_id = $2 ORDER BY x.created_at DESC, x.id",
    )
    .bind(team)
    .bind(draft)
    .fetch_all(db)
    .await
}

/// A thread row with its first-version number.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThreadRow {
    /// Id.
    pub id: Uuid,
    /// Draft.
    pub draft_id: Uuid,
    /// The version it was started on.
    pub number: i32,
    /// `graph`, `node` or `edge`.
    pub element_type: String,
    /// The element id.
    pub element_id: Option<String>,
    /// The element's name then.
    pub element_label: String,
    /// Who started it.
    pub created_by: Uuid,
    /// When resolved.
    pub resolved_at: Option<OffsetDateTime>,
    /// By whom.
    pub resolved_by: Option<String>,
    /// When started.
    pub created_at: OffsetDateTime,
}

/// A comment row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommentRow {
    /// Id.
    pub id: Uuid,
    /// Thread.
    pub thread_id: Uuid,
    /// Author name.
    pub author: String,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: OffsetDateTime,
}

const THREADS: &str =
    "SELECT t.id, t.draft_id, v.number, t.element_type, t.element_id, t.element_label,
        t.created_by, t.resolved_at, ru.display_name AS resolved_by, t.created_at
    FROM comment_threads t JOIN draft_versions v ON v.id = t.version_id
    LEFT JOIN users ru ON ru.id = t.resolved_by";

/// Starts a thread with its first comment.
#[allow(clippy::too_many_arguments)]
pub async fn insert_thread(
    conn: &mut PgConnection,
    team: Uuid,
    draft: Uuid,
    version: Uuid,
    element: (&str, Option<&str>),
    label: &str,
    author: Uuid,
    body: &str,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO comment_threads (id, team_id, draft_id, version_id, element_type, element_id, element_label, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(team)
    .bind(draft)
    .bind(version)
    .bind(element.0)
    .bind(element.1)
    .bind(label)
    .bind(author)
    .execute(&mut *conn)
    .await?;
    insert_comment(&mut *conn, id, author, body).await?;
    Ok(id)
}

/// Adds a comment to a thread.
pub async fn insert_comment(
    db: impl PgExecutor<'_>,
    thread: Uuid,
    author: Uuid,
    body: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO comments (id, thread_id, author_id, body) VALUES ($1, $2, $3, $4)")
        .bind(Uuid::new_v4())
        .bind(thread)
        .bind(author)
        .bind(body)
        .execute(db)
        .await?;
    Ok(())
}

/// The team's threads on a draft, oldest first, with their comments.
pub async fn threads(
    pool: &PgPool,
    team: Uuid,
    draft: Uuid,
) -> sqlx::Result<Vec<(ThreadRow, Vec<CommentRow>)>> {
    let rows: Vec<ThreadRow> = sqlx::query_as(&format!(
        "{THREADS} WHERE t.team_id = $1 AND t.draft_id = $2 ORDER BY t.created_at, t.id"
    ))
    .bind(team)
    .bind(draft)
    .fetch_all(pool)
    .await?;
    let comments: Vec<CommentRow> = sqlx::query_as(
        "SELECT c.id, c.thread_id, u.display_name AS author, c.body, c.created_at
         FROM comments c JOIN comment_threads t ON t.id = c.thread_id JOIN users u ON u.id = c.author_id
         WHERE t.team_id = $1 AND t.draft_id = $2 ORDER BY c.created_at, c.id",
    )
    .bind(team)
    .bind(draft)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|t| {
            let own = comments
                .iter()
                .filter(|c| c.thread_id == t.id)
                .cloned()
                .collect();
            (t, own)
        })
        .collect())
}

/// One of the team's threads.
pub async fn thread(
    pool: &PgPool,
    team: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<(ThreadRow, Vec<CommentRow>)>> {
    let Some(row): Option<ThreadRow> =
        sqlx::query_as(&format!("{THREADS} WHERE t.team_id = $1 AND t.id = $2"))
            .bind(team)
            .bind(id)
            .fetch_optional(pool)
            .await?
    else {
        return Ok(None);
    };
    let comments: Vec<CommentRow> = sqlx::query_as(
        "SELECT c.id, c.thread_id, u.display_name AS author, c.body, c.created_at
         FROM comments c JOIN users u ON u.id = c.author_id WHERE c.thread_id = $1 ORDER BY c.created_at, c.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(Some((row, comments)))
}

/// Resolves (with `by`) or reopens (`None`) a thread of the team.
pub async fn set_resolved(
    db: impl PgExecutor<'_>,
    team: Uuid,
    id: Uuid,
    by: Option<Uuid>,
) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE comment_threads SET resolved_at = CASE WHEN $3::uuid IS NULL THEN NULL ELSE now() END,
             resolved_by = $3 WHERE team_id = $1 AND id = $2",
    )
    .bind(team)
    .bind(id)
    .bind(by)
    .execute(db)
    .await?
    .rows_affected();
    Ok(n == 1)
}
