//! The apply worker: claims queued jobs from Postgres (`FOR UPDATE SKIP LOCKED`) under a
//! lease it renews, runs at most one job per account and region across every worker,
//! records each step, and resumes jobs whose worker died by re-reading live state.

use super::{AwsContext, StepError, Target, clients, exec, read};
use crate::store::audit::{self, Event};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::{future::Future, time::Duration};
use tokio::task::JoinSet;
use uuid::Uuid;
use wiring::{Graph, Plan};

/// How a worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// A job whose lease is not renewed within this time is given to another worker.
    pub lease: Duration,
    /// How often an idle worker looks for jobs.
    pub poll: Duration,
    /// Jobs run at once (for different accounts and regions).
    pub max_jobs: usize,
    /// Attempts before a job that keeps losing its worker is failed.
    pub max_attempts: i32,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(500),
            max_jobs: 4,
            max_attempts: 5,
        }
    }
}

/// SHA-256 of the snapshot's JSON; the maps in [`wiring::Observed`] are ordered, so equal
/// states hash equally.
pub fn observed_hash(observed: &wiring::Observed) -> String {
    let text = serde_json::to_string(observed).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A worker over one database. Any number may run, in any processes.
#[derive(Clone)]
pub struct Worker {
    pool: PgPool,
    aws: AwsContext,
    cfg: WorkerConfig,
    id: String,
}

/// A job as claimed.
struct Claimed {
    id: Uuid,
    attempt: i32,
}

#[derive(sqlx::FromRow)]
struct JobContext {
    team_id: Uuid,
    requested_by: Option<Uuid>,
    draft_id: Uuid,
    override_reason: Option<String>,
    plan_hash: String,
    observed_hash: String,
    content: serde_json::Value,
    version_hash: String,
    number: i32,
    target_id: Uuid,
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

impl Worker {
    /// A worker with a fresh id.
    pub fn new(pool: PgPool, aws: AwsContext, cfg: WorkerConfig) -> Self {
        // Calls are paced through the database unless the caller chose otherwise, so this
        // worker shares each account's pace with plans and other workers.
        let pacing = aws.pacing.clone().or_else(|| Some(pool.clone()));
        Self {
            pool,
            aws: AwsContext { pacing, ..aws },
            cfg,
            id: format!("worker-{}", Uuid::new_v4()),
        }
    }

    /// This worker's lease-owner id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Claims and runs jobs until `shutdown` completes. Jobs in flight are dropped then;
    /// their leases lapse and another worker resumes them.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut running: JoinSet<()> = JoinSet::new();
        tracing::info!(worker = %self.id, "apply worker started");
        loop {
            while let Some(done) = running.try_join_next() {
                if let Err(e) = done {
                    tracing::error!(error = %e, "apply job task failed");
                }
            }
            if let Err(e) = self.reap().await {
                tracing::warn!(error = %e, "reaping expired leases failed");
            }
            while running.len() < self.cfg.max_jobs {
                match self.claim().await {
                    Ok(Some(job)) => {
                        let me = self.clone();
                        running.spawn(async move { me.run_job(job).await });
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "claiming a job failed");
                        break;
                    }
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(self.cfg.poll) => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
                _ = &mut shutdown => break,
            }
        }
        tracing::info!(worker = %self.id, "apply worker stopped");
    }

    /// Requeues (or fails, after too many attempts) jobs whose lease lapsed.
    async fn reap(&self) -> sqlx::Result<()> {
        let mut tx = crate::store::begin(&self.pool).await?;
        let lapsed: Vec<(Uuid, i32)> = sqlx::query_as(
            "SELECT id, attempts FROM apply_jobs
             WHERE status = 'running' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (id, attempts) in lapsed {
            sqlx::query(
                "UPDATE apply_steps SET status = 'interrupted', finished_at = now()
                 WHERE job_id = $1 AND status IN ('pending', 'running')",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if attempts >= self.cfg.max_attempts {
                sqlx::query(
                    "UPDATE apply_jobs SET status = 'failed', lease_owner = NULL, lease_expires_at = NULL,
                        finished_at = now(), error_code = 'WorkerLost',
                        error = 'The job lost its worker ' || attempts || ' times; plan again and apply to finish.'
                     WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
            } else {
                tracing::warn!(job = %id, attempts, "apply job lost its worker; requeued to resume");
                sqlx::query(
                    "UPDATE apply_jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await
    }

    /// The oldest queued job whose account and region is free, if any.
    async fn claim(&self) -> sqlx::Result<Option<Claimed>> {
        let res: sqlx::Result<Option<(Uuid, i32)>> = sqlx::query_as(
            "UPDATE apply_jobs SET status = 'running', lease_owner = $1,
                    lease_expires_at = now() + make_interval(secs => $2),
                    attempts = attempts + 1, started_at = coalesce(started_at, now())
             WHERE id = (
                SELECT j.id FROM apply_jobs j
                WHERE j.status = 'queued'
                  AND NOT EXISTS (SELECT 1 FROM apply_jobs r WHERE r.lock_key = j.lock_key AND r.status = 'running')
                  AND NOT EXISTS (SELECT 1 FROM apply_jobs e WHERE e.lock_key = j.lock_key AND e.status = 'queued' AND e.seq < j.seq)
                ORDER BY j.seq LIMIT 1
                FOR UPDATE SKIP LOCKED)
             RETURNING id, attempts",
        )
        .bind(&self.id)
        .bind(self.cfg.lease.as_secs_f64())
        .fetch_optional(&self.pool)
        .await;
        match res {
            Ok(row) => Ok(row.map(|(id, attempt)| Claimed { id, attempt })),
            // Another worker claimed a job for the same account and region at the same
            // moment; the partial unique index refused ours. Try again next round.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Runs one job while renewing its lease; stops at once if the lease is lost.
    async fn run_job(&self, job: Claimed) {
        tokio::select! {
            () = self.process(&job) => {}
            () = self.heartbeat(job.id) => {
                tracing::warn!(job = %job.id, "lease lost; another worker will resume the job");
            }
        }
    }

    /// Renews the lease every third of its length; returns when it cannot: when another
    /// worker holds it, or when renewals have failed for so long that it may have expired
    /// (the job could then be resumed elsewhere, and two workers must never call AWS for it).
    async fn heartbeat(&self, job: Uuid) {
        let every = self.cfg.lease / 3;
        let mut renewed_at = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(every).await;
            let renewed = sqlx::query(
                "UPDATE apply_jobs SET lease_expires_at = now() + make_interval(secs => $3)
                 WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
            )
            .bind(job)
            .bind(&self.id)
            .bind(self.cfg.lease.as_secs_f64())
            .execute(&self.pool)
            .await;
            match renewed {
                Ok(r) if r.rows_affected() == 1 => renewed_at = tokio::time::Instant::now(),
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(job = %job, error = %e, "renewing the lease failed");
                    if renewed_at.elapsed() + every >= self.cfg.lease {
                        return;
                    }
                }
            }
        }
    }

    async fn process(&self, job: &Claimed) {
        let started = std::time::Instant::now();
        let ctx: Option<JobContext> = match sqlx::query_as(
            "SELECT j.team_id, j.requested_by, p.draft_id, j.override_reason,
                    p.content_hash AS plan_hash, p.observed_hash,
                    v.content, v.content_hash AS version_hash, v.number,
                    t.id AS target_id, t.name, t.account_id, t.region, t.mode::text AS mode, t.profile,
                    t.role_arn, t.endpoint, t.read_only, tm.external_id
             FROM apply_jobs j JOIN deploy_plans p ON p.id = j.plan_id
             JOIN draft_versions v ON v.id = p.version_id
             JOIN deploy_targets t ON t.id = j.target_id JOIN teams tm ON tm.id = j.team_id
             WHERE j.id = $1",
        )
        .bind(job.id)
        .fetch_optional(&self.pool)
        .await
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(job = %job.id, error = %e, "loading the job failed");
                return;
            }
        };
        let Some(ctx) = ctx else { return };
        let target = Target {
            id: ctx.target_id,
            name: ctx.name.clone(),
            account_id: ctx.account_id.clone(),
            region: ctx.region.clone(),
            mode: app::api::CredentialsMode::parse(&ctx.mode)
                .unwrap_or(app::api::CredentialsMode::Endpoint),
            profile: ctx.profile.clone(),
            role_arn: ctx.role_arn.clone(),
            endpoint: ctx.endpoint.clone(),
            read_only: ctx.read_only,
            external_id: ctx.external_id.clone(),
        };
        let mut calls = 0;
        let outcome = self.apply(job, &ctx, &target, &mut calls).await;
        let secs = started.elapsed().as_secs_f64();
        let (status, summary, code, error) = match &outcome {
            Ok(summary) => (
                "succeeded",
                Some(format!("{summary} ({calls} AWS calls in {secs:.1} s)")),
                None,
                None,
            ),
            Err(e) => ("failed", None, e.code.clone(), Some(e.message.clone())),
        };
        let finished = sqlx::query(
            "UPDATE apply_jobs SET status = $3::job_status, finished_at = now(), lease_owner = NULL,
                    lease_expires_at = NULL, summary = $4, error_code = $5, error = $6, calls = calls + $7
             WHERE id = $1 AND lease_owner = $2",
        )
        .bind(job.id)
        .bind(&self.id)
        .bind(status)
        .bind(&summary)
        .bind(&code)
        .bind(&error)
        .bind(i32::try_from(calls).unwrap_or(i32::MAX))
        .execute(&self.pool)
        .await;
        match finished {
            Ok(r) if r.rows_affected() == 1 => {}
            Ok(_) => return, // the lease was lost; the resuming worker records the outcome
            Err(e) => {
                tracing::error!(job = %job.id, error = %e, "recording the job's outcome failed");
                return;
            }
        }
        tracing::info!(job = %job.id, status, calls, secs, "apply finished");
        let event = Event {
            team_id: Some(ctx.team_id),
            actor_id: ctx.requested_by,
            action: if outcome.is_ok() {
                "deploy.applied"
            } else {
                "deploy.failed"
            },
            target: Some(job.id.to_string()),
            detail: serde_json::json!({
                "version": ctx.number, "target": target.name, "account": target.account_id,
                "region": target.region, "outcome": status, "attempts": job.attempt,
                "calls": calls, "error_code": code, "error": error,
            }),
            ip: None,
        };
        if let Err(e) = audit::record(&self.pool, event).await {
            tracing::error!(job = %job.id, error = %e, "auditing the apply failed");
        }
    }

    /// Reads, re-plans and runs the steps; the summary on success.
    async fn apply(
        &self,
        job: &Claimed,
        ctx: &JobContext,
        target: &Target,
        calls: &mut u32,
    ) -> Result<String, StepError> {
        if ctx.version_hash != ctx.plan_hash {
            return Err(StepError::ours(
                "StalePlan",
                "The version's content no longer matches the plan; plan again.",
            ));
        }
        if target.read_only {
            return Err(StepError::ours(
                "ReadOnlyTarget",
                format!(
                    "Target {} is read-only: it can plan but not apply.",
                    target.name
                ),
            ));
        }
        let graph = Graph::from_value(&ctx.content).map_err(|e| {
            StepError::ours(
                "InvalidGraph",
                format!("the stored version does not parse: {e}"),
            )
        })?;
        // Until a step has started, live state must be what the plan was made from, on any
        // attempt: a worker that died before its first step changed nothing, so a moved live
        // state is someone else's change and the reviewed plan may no longer be right. Once a
        // step ran, the difference is partly our own work, and the resumed attempt re-plans.
        let began: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM apply_steps WHERE job_id = $1 AND started_at IS NOT NULL)",
        )
        .bind(job.id)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| StepError::ours("InternalError", format!("reading progress failed: {e}")))?;
        // The gate was judged when the job was queued; a job may wait behind others, and a
        // version saved meanwhile voids the approvals it rests on. Judged again before the
        // first step, unless an admin overrode it (the override is recorded with its reason).
        if !began && ctx.override_reason.is_none() {
            let number = u32::try_from(ctx.number).unwrap_or(0);
            let gate =
                crate::service::review::gate_of(&self.pool, ctx.team_id, ctx.draft_id, number)
                    .await
                    .map_err(|e| {
                        StepError::ours(
                            "InternalError",
                            format!("judging the deploy gate failed: {e}"),
                        )
                    })?;
            if !gate.open {
                return Err(StepError::ours(
                    "GateClosed",
                    format!(
                        "Version {} can no longer be deployed: {} Nothing was changed; plan again once it is approved.",
                        ctx.number,
                        gate.reasons.join(" ")
                    ),
                ));
            }
        }
        let c = clients::connect(target, &self.aws).await?;
        let result = async {
            clients::verify_identity(&c, target).await?;
            let reading = read::read(&c, &graph).await?;
            if !began && observed_hash(&reading.observed) != ctx.observed_hash {
                return Err(StepError::ours(
                    "StalePlan",
                    "Live state changed since this plan was made, so it may no longer be right. Plan again and review the new plan before applying.",
                ));
            }
            let plan = wiring::plan(&graph, &reading.observed);
            if !plan.blockers.is_empty() {
                return Err(StepError::ours(
                    "PlanBlocked",
                    format!("The plan cannot be applied: {}", plan.blockers.join("; ")),
                ));
            }
            self.run_steps(job, &c, &plan).await?;
            // Verify: a fresh read should plan nothing more.
            let after = read::read(&c, &graph).await?;
            let left = wiring::plan(&graph, &after.observed);
            let made = plan.mutating_calls();
            Ok(if left.is_empty() {
                format!(
                    "Applied version {} to {} ({}/{}): {made} change(s); a fresh read matches the draft",
                    ctx.number, target.name, target.account_id, target.region
                )
            } else {
                format!(
                    "Applied version {} to {} ({}/{}): {made} change(s); a fresh read still differs in {} call(s): {}",
                    ctx.number,
                    target.name,
                    target.account_id,
                    target.region,
                    left.mutating_calls(),
                    left.steps
                        .iter()
                        .filter(|s| s.action.mutating())
                        .map(|s| s.action.call())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        }
        .await;
        *calls = c.pacer.calls();
        result
    }

    async fn run_steps(
        &self,
        job: &Claimed,
        c: &super::Clients,
        plan: &Plan,
    ) -> Result<(), StepError> {
        let db = |e: sqlx::Error| {
            StepError::ours("InternalError", format!("recording progress failed: {e}"))
        };
        let n = plan.steps.len();
        let idx: Vec<i32> = (0..n as i32).collect();
        let call: Vec<String> = plan
            .steps
            .iter()
            .map(|s| s.action.call().to_owned())
            .collect();
        let effect: Vec<String> = plan
            .steps
            .iter()
            .map(|s| {
                serde_json::to_value(s.action.effect())
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            })
            .collect();
        let summary: Vec<String> = plan.steps.iter().map(|s| s.action.summary()).collect();
        let reason: Vec<String> = plan.steps.iter().map(|s| s.reason.clone()).collect();
        let mut tx = crate::store::begin(&self.pool).await.map_err(db)?;
        sqlx::query(
            "INSERT INTO apply_steps (job_id, attempt, idx, call, effect, summary, reason)
             SELECT $1, $2, * FROM UNNEST($3::int[], $4::text[], $5::text[], $6::text[], $7::text[])",
        )
        .bind(job.id)
        .bind(job.attempt)
        .bind(&idx)
        .bind(&call)
        .bind(&effect)
        .bind(&summary)
        .bind(&reason)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query("UPDATE apply_jobs SET total_steps = $2 WHERE id = $1")
            .bind(job.id)
            .bind(n as i32)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;

        for (i, step) in plan.steps.iter().enumerate() {
            // A step starts only under a lease this worker still holds: a worker that was
            // paused past its lease finds the job taken over and stops before calling AWS.
            let started = sqlx::query(
                "UPDATE apply_steps s SET status = 'running', started_at = now()
                 FROM apply_jobs j
                 WHERE s.job_id = $1 AND s.attempt = $2 AND s.idx = $3
                   AND j.id = $1 AND j.lease_owner = $4 AND j.status = 'running'
                   AND j.lease_expires_at > now()",
            )
            .bind(job.id)
            .bind(job.attempt)
            .bind(i as i32)
            .bind(&self.id)
            .execute(&self.pool)
            .await
            .map_err(db)?;
            if started.rows_affected() == 0 {
                return Err(StepError::ours(
                    "LeaseLost",
                    format!(
                        "This worker lost the job's lease before step {}; another worker resumes it.",
                        i + 1
                    ),
                ));
            }
            let res = exec::execute(c, &step.action).await;
            let (status, response, code, error) = match &res {
                Ok(r) => ("done", Some(r.clone()), None, None),
                Err(e) => ("failed", None, e.code.clone(), Some(e.message.clone())),
            };
            sqlx::query(
                "UPDATE apply_steps SET status = $4::step_status, response = $5, error_code = $6, error = $7, finished_at = now()
                 WHERE job_id = $1 AND attempt = $2 AND idx = $3",
            )
            .bind(job.id)
            .bind(job.attempt)
            .bind(i as i32)
            .bind(status)
            .bind(&response)
            .bind(&code)
            .bind(&error)
            .execute(&self.pool)
            .await
            .map_err(db)?;
            if let Err(e) = res {
                // The steps after it stay pending: they never ran.
                return Err(StepError {
                    message: format!(
                        "Step {} ({}) failed: AWS said {}. The steps before it are applied and nothing after it ran; fix the cause, then plan and apply again to finish.",
                        i + 1,
                        step.action.call(),
                        e
                    ),
                    ..e
                });
            }
        }
        Ok(())
    }
}
