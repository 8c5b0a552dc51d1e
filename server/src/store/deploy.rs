//! Deploy targets, plans, apply jobs and their steps. Team-scoped reads for the API; the
//! worker's queue operations (claim, lease, reap) address jobs by id.

use crate::deploy::Target;
use app::api::{
    ApplyJob, ApplyStep, CredentialsMode, DeployTarget, JobStatus, NewTarget, StepStatus,
};
use sqlx::{PgExecutor, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

/// The sandbox target's fixed coordinates: the emulator's default account and region.
pub const SANDBOX_NAME: &str = "sandbox";

#[derive(sqlx::FromRow)]
struct TargetRow {
    id: Uuid,
    name: String,
    account_id: String,
    region: String,
    mode: String,
    profile: Option<String>,
    role_arn: Option<String>,
    endpoint: Option<String>,
    read_only: bool,
    external_id: String,
}

impl TargetRow {
    fn target(self) -> Target {
        Target {
            id: self.id,
            name: self.name,
            account_id: self.account_id,
            region: self.region,
            // The column is an enum of exactly these names.
            mode: CredentialsMode::parse(&self.mode).unwrap_or(CredentialsMode::Endpoint),
            profile: self.profile,
            role_arn: self.role_arn,
            endpoint: self.endpoint,
            read_only: self.read_only,
            external_id: self.external_id,
        }
    }
}

/// The wire form of a target.
pub fn wire(t: &Target) -> DeployTarget {
    DeployTarget {
        id: t.id,
        name: t.name.clone(),
        account_id: t.account_id.clone(),
        region: t.region.clone(),
        mode: t.mode,
        profile: t.profile.clone(),
        role_arn: t.role_arn.clone(),
        endpoint: t.endpoint.clone(),
        read_only: t.read_only,
    }
}

const TARGET: &str = "SELECT t.id, t.name, t.account_id, t.region, t.mode::text AS mode, t.profile,
        t.role_arn, t.endpoint, t.read_only, tm.external_id
    FROM deploy_targets t JOIN teams tm ON tm.id = t.team_id";

/// Registers the sandbox emulator as the target "sandbox" of `team`, or of every team
/// when `team` is `None` (at server start, for teams made before the server had one).
/// Teams that have it, or archived it, are left alone.
pub async fn ensure_sandbox(db: impl PgExecutor<'_>, team: Option<Uuid>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO deploy_targets (id, team_id, name, account_id, region, mode)
         SELECT gen_random_uuid(), t.id, $2, $3, $4, 'sandbox' FROM teams t
         WHERE $1::uuid IS NULL OR t.id = $1
         ON CONFLICT (team_id, name) DO NOTHING",
    )
    .bind(team)
    .bind(SANDBOX_NAME)
    .bind(wiring::examples::EXAMPLE_ACCOUNT)
    .bind(crate::aws::SANDBOX_REGION)
    .execute(db)
    .await?;
    Ok(())
}

/// The team's targets, by name.
pub async fn targets(pool: &PgPool, team: Uuid) -> sqlx::Result<Vec<Target>> {
    let rows: Vec<TargetRow> = sqlx::query_as(&format!(
        "{TARGET} WHERE t.team_id = $1 AND t.archived_at IS NULL ORDER BY t.name"
    ))
    .bind(team)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(TargetRow::target).collect())
}

/// One of the team's targets.
pub async fn target(pool: &PgPool, team: Uuid, id: Uuid) -> sqlx::Result<Option<Target>> {
    let row: Option<TargetRow> = sqlx::query_as(&format!(
        "{TARGET} WHERE t.team_id = $1 AND t.id = $2 AND t.archived_at IS NULL"
    ))
    .bind(team)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(TargetRow::target))
}

/// Adds a target; `None` when the name is taken.
pub async fn insert_target(pool: &PgPool, team: Uuid, t: &NewTarget) -> sqlx::Result<Option<Uuid>> {
    let id = Uuid::new_v4();
    let res = sqlx::query(
        "INSERT INTO deploy_targets (id, team_id, name, account_id, region, mode, profile, role_arn, endpoint, read_only)
         VALUES ($1, $2, $3, $4, $5, $6::credentials_mode, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(team)
    .bind(t.name.trim())
    .bind(&t.account_id)
    .bind(&t.region)
    .bind(t.mode.as_str())
    .bind(&t.profile)
    .bind(&t.role_arn)
    .bind(&t.endpoint)
    .bind(t.read_only)
    .execute(pool)
    .await;
    match res {
        Ok(_) => Ok(Some(id)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Archives a target (plans and jobs keep pointing at it); false when not found.
pub async fn archive_target(pool: &PgPool, team: Uuid, id: Uuid) -> sqlx::Result<bool> {
    // The name is freed for reuse; the row stays for history.
    let res = sqlx::query(
        "UPDATE deploy_targets SET archived_at = now(), name = left(name, 40) || '~' || left(id::text, 8)
         WHERE team_id = $1 AND id = $2 AND archived_at IS NULL",
    )
    .bind(team)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// The team's external id.
pub async fn external_id(pool: &PgPool, team: Uuid) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT external_id FROM teams WHERE id = $1")
        .bind(team)
        .fetch_one(pool)
        .await
}

/// A stored plan.
#[derive(sqlx::FromRow)]
pub struct PlanRow {
    /// Plan id.
    pub id: Uuid,
    /// Draft.
    pub draft_id: Uuid,
    /// Version id.
    pub version_id: Uuid,
    /// Version number.
    pub number: i32,
    /// Content hash when planned.
    pub content_hash: String,
    /// Target.
    pub target_id: Uuid,
    /// Observed snapshot hash.
    pub observed_hash: String,
    /// The plan, as `wiring::Plan` JSON.
    pub plan: serde_json::Value,
    /// Read notes.
    pub read_notes: serde_json::Value,
    /// When.
    pub created_at: OffsetDateTime,
}

/// What a new plan row holds.
pub struct NewPlanRow<'a> {
    /// Team.
    pub team: Uuid,
    /// Draft.
    pub draft_id: Uuid,
    /// Version id.
    pub version_id: Uuid,
    /// Content hash.
    pub content_hash: &'a str,
    /// Target.
    pub target_id: Uuid,
    /// Observed snapshot.
    pub observed: &'a serde_json::Value,
    /// Its hash.
    pub observed_hash: &'a str,
    /// The plan.
    pub plan: &'a serde_json::Value,
    /// Notes.
    pub read_notes: &'a serde_json::Value,
    /// Who.
    pub created_by: Uuid,
}

/// Stores a plan; returns its id.
pub async fn insert_plan(pool: &PgPool, p: NewPlanRow<'_>) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO deploy_plans (id, team_id, draft_id, version_id, content_hash, target_id, observed, observed_hash, plan, read_notes, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(p.team)
    .bind(p.draft_id)
    .bind(p.version_id)
    .bind(p.content_hash)
    .bind(p.target_id)
    .bind(p.observed)
    .bind(p.observed_hash)
    .bind(p.plan)
    .bind(p.read_notes)
    .bind(p.created_by)
    .execute(pool)
    .await?;
    Ok(id)
}

/// One of the team's plans.
pub async fn plan(pool: &PgPool, team: Uuid, id: Uuid) -> sqlx::Result<Option<PlanRow>> {
    sqlx::query_as(
        "SELECT p.id, p.draft_id, p.version_id, v.number, p.content_hash, p.target_id, p.observed_hash,
                p.plan, p.read_notes, p.created_at
         FROM deploy_plans p JOIN draft_versions v ON v.id = p.version_id
         WHERE p.team_id = $1 AND p.id = $2",
    )
    .bind(team)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The version of each other draft of the team last applied successfully to this account
/// and region (`lock_key`, so two targets naming one account count as one): its draft's
/// name, its number and its content.
pub async fn applied_elsewhere(
    pool: &PgPool,
    team: Uuid,
    lock_key: &str,
    draft: Uuid,
) -> sqlx::Result<Vec<(String, i32, serde_json::Value)>> {
    sqlx::query_as(
        "SELECT name, number, content FROM (
             SELECT DISTINCT ON (p.draft_id) d.name, v.number, v.content, j.finished_at
             FROM apply_jobs j
             JOIN deploy_plans p ON p.id = j.plan_id AND p.team_id = $1
             JOIN drafts d ON d.id = p.draft_id AND d.team_id = $1
             JOIN draft_versions v ON v.id = p.version_id
             WHERE j.team_id = $1 AND j.lock_key = $2 AND j.status = 'succeeded' AND p.draft_id <> $3
             ORDER BY p.draft_id, j.finished_at DESC
         ) last ORDER BY finished_at DESC",
    )
    .bind(team)
    .bind(lock_key)
    .bind(draft)
    .fetch_all(pool)
    .await
}

/// Whether a job for this plan is queued, running or succeeded.
pub async fn plan_has_live_job(pool: &PgPool, plan: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM apply_jobs WHERE plan_id = $1 AND status <> 'failed')",
    )
    .bind(plan)
    .fetch_one(pool)
    .await
}

/// Queues a job.
pub async fn insert_job(
    db: impl PgExecutor<'_>,
    team: Uuid,
    plan: Uuid,
    target: Uuid,
    lock_key: &str,
    user: Option<Uuid>,
    override_reason: Option<&str>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO apply_jobs (id, team_id, plan_id, target_id, lock_key, requested_by, override_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(team)
    .bind(plan)
    .bind(target)
    .bind(lock_key)
    .bind(user)
    .bind(override_reason)
    .execute(db)
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: Uuid,
    plan_id: Uuid,
    draft_id: Uuid,
    number: i32,
    target: String,
    lock_key: String,
    status: String,
    attempts: i32,
    requested_by: Option<String>,
    created_at: OffsetDateTime,
    finished_at: Option<OffsetDateTime>,
    total_steps: i32,
    calls: i32,
    summary: Option<String>,
    error_code: Option<String>,
    error: Option<String>,
    override_reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    attempt: i32,
    idx: i32,
    call: String,
    effect: String,
    summary: String,
    reason: String,
    status: String,
    response: Option<String>,
    error_code: Option<String>,
    error: Option<String>,
}

const JOB: &str = "SELECT j.id, j.plan_id, p.draft_id, v.number, t.name AS target, j.lock_key,
        j.status::text AS status, j.attempts, u.display_name AS requested_by, j.created_at,
        j.finished_at, j.total_steps, j.calls, j.summary, j.error_code, j.error, j.override_reason
    FROM apply_jobs j JOIN deploy_plans p ON p.id = j.plan_id
    JOIN draft_versions v ON v.id = p.version_id JOIN deploy_targets t ON t.id = j.target_id
    LEFT JOIN users u ON u.id = j.requested_by";

fn job_status(s: &str) -> JobStatus {
    match s {
        "running" => JobStatus::Running,
        "succeeded" => JobStatus::Succeeded,
        "failed" => JobStatus::Failed,
        _ => JobStatus::Queued,
    }
}

fn step_status(s: &str) -> StepStatus {
    match s {
        "running" => StepStatus::Running,
        "done" => StepStatus::Done,
        "failed" => StepStatus::Failed,
        "interrupted" => StepStatus::Interrupted,
        _ => StepStatus::Pending,
    }
}

fn job_wire(r: JobRow, steps: Vec<ApplyStep>) -> ApplyJob {
    ApplyJob {
        id: r.id,
        plan_id: r.plan_id,
        draft_id: r.draft_id,
        version: r.number.max(0) as u32,
        target: r.target,
        lock_key: r.lock_key,
        status: job_status(&r.status),
        attempts: r.attempts.max(0) as u32,
        requested_by: r.requested_by,
        created_at: r.created_at,
        finished_at: r.finished_at,
        total_steps: r.total_steps.max(0) as u32,
        calls: r.calls.max(0) as u32,
        summary: r.summary,
        error_code: r.error_code,
        error: r.error,
        override_reason: r.override_reason,
        steps,
    }
}

/// One of the team's jobs, with every step of every attempt.
pub async fn job(pool: &PgPool, team: Uuid, id: Uuid) -> sqlx::Result<Option<ApplyJob>> {
    let Some(row): Option<JobRow> =
        sqlx::query_as(&format!("{JOB} WHERE j.team_id = $1 AND j.id = $2"))
            .bind(team)
            .bind(id)
            .fetch_optional(pool)
            .await?
    else {
        return Ok(None);
    };
    let steps: Vec<StepRow> = sqlx::query_as(
        "SELECT attempt, idx, call, effect, summary, reason, status::text AS status, response, error_code, error
         FROM apply_steps WHERE job_id = $1 ORDER BY attempt, idx",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let steps = steps
        .into_iter()
        .map(|s| ApplyStep {
            attempt: s.attempt.max(0) as u32,
            index: s.idx.max(0) as u32,
            call: s.call,
            effect: s.effect,
            summary: s.summary,
            reason: s.reason,
            status: step_status(&s.status),
            response: s.response,
            error_code: s.error_code,
            error: s.error,
        })
        .collect();
    Ok(Some(job_wire(row, steps)))
}

/// The team's jobs for a draft, newest first, without steps.
pub async fn jobs(pool: &PgPool, team: Uuid, draft: Uuid) -> sqlx::Result<Vec<ApplyJob>> {
    let rows: Vec<JobRow> = sqlx::query_as(&format!(
        "{JOB} WHERE j.team_id = $1 AND p.draft_id = $2 ORDER BY j.seq DESC LIMIT 50"
    ))
    .bind(team)
    .bind(draft)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| job_wire(r, Vec::new())).collect())
}
