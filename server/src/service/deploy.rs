//! Deploys: the team's targets, plans bound to a version and a live snapshot, and apply
//! jobs queued for the worker. Reading AWS happens here for plans; writing only in the worker.

use super::Service;
use crate::{
    auth::Authed,
    deploy::{StepError, Target, clients, read, worker::observed_hash},
    error::AppError,
    store::{self, audit::Event, deploy::NewPlanRow},
};
use app::api::{
    ApiError, ApplyJob, ApplyRequest, CredentialsMode, DeployPlan, DeployTarget, NewPlan,
    NewTarget, PlanStep, Role, Targets,
};
use uuid::Uuid;
use wiring::{
    Graph,
    ids::{AccountId, Arn, Region},
};

impl Service {
    /// The team's targets (the sandbox among them when this server has one: it is
    /// registered with each team, and for older teams at start-up).
    pub async fn targets(&self, me: &Authed) -> Result<Targets, AppError> {
        let targets = store::deploy::targets(&self.pool, me.team_id).await?;
        let external_id = if me.role >= Role::Admin {
            Some(store::deploy::external_id(&self.pool, me.team_id).await?)
        } else {
            None
        };
        Ok(Targets {
            targets: targets.iter().map(store::deploy::wire).collect(),
            allowed_modes: self.config.deploy_modes.clone(),
            external_id,
        })
    }

    /// Adds a target (admins).
    pub async fn create_target(
        &self,
        me: &Authed,
        input: NewTarget,
        ip: Option<&str>,
    ) -> Result<DeployTarget, AppError> {
        me.require(Role::Admin, "adding deploy targets")?;
        let input = check_target(
            input,
            &self.config.deploy_modes,
            &self.config.endpoint_hosts,
        )?;
        let Some(id) = store::deploy::insert_target(&self.pool, me.team_id, &input).await? else {
            return Err(ApiError::invalid(
                "name",
                format!(
                    "A target named {} exists already; pick another name.",
                    input.name.trim()
                ),
            )
            .into());
        };
        store::audit::record(
            &self.pool,
            Event {
                team_id: Some(me.team_id),
                actor_id: Some(me.user_id),
                action: "target.created",
                target: Some(id.to_string()),
                detail: serde_json::json!({
                    "name": input.name.trim(), "account": input.account_id, "region": input.region,
                    "mode": input.mode.as_str(), "read_only": input.read_only,
                }),
                ip,
            },
        )
        .await?;
        let t = store::deploy::target(&self.pool, me.team_id, id)
            .await?
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("target {id} vanished after insert"))
            })?;
        Ok(store::deploy::wire(&t))
    }

    /// Archives a target (admins).
    pub async fn archive_target(
        &self,
        me: &Authed,
        id: Uuid,
        ip: Option<&str>,
    ) -> Result<(), AppError> {
        me.require(Role::Admin, "removing deploy targets")?;
        if !store::deploy::archive_target(&self.pool, me.team_id, id).await? {
            return Err(ApiError::not_found("deploy target").into());
        }
        store::audit::record(
            &self.pool,
            Event {
                team_id: Some(me.team_id),
                actor_id: Some(me.user_id),
                action: "target.removed",
                target: Some(id.to_string()),
                detail: serde_json::json!({}),
                ip,
            },
        )
        .await?;
        Ok(())
    }

    async fn target_of(&self, me: &Authed, id: Uuid) -> Result<Target, AppError> {
        store::deploy::target(&self.pool, me.team_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("deploy target").into())
    }

    /// Reads live state for one version on one target and stores the plan.
    pub async fn create_plan(
        &self,
        me: &Authed,
        draft_id: Uuid,
        input: NewPlan,
    ) -> Result<DeployPlan, AppError> {
        me.require(Role::Editor, "planning a deploy")?;
        let number = i32::try_from(input.version).map_err(|_| ApiError::not_found("version"))?;
        let version = store::drafts::version(&self.pool, me.team_id, draft_id, number)
            .await?
            .ok_or_else(|| ApiError::not_found("version"))?;
        let target = self.target_of(me, input.target_id).await?;
        let graph = Graph::from_value(&version.content).map_err(|e| {
            AppError::Internal(anyhow::anyhow!(
                "stored version {} does not parse: {e}",
                version.id
            ))
        })?;
        let refuse =
            |e: StepError| -> AppError { ApiError::invalid("target_id", format!("{e}")).into() };
        let aws = crate::deploy::AwsContext {
            pacing: Some(self.pool.clone()),
            ..self.config.aws()
        };
        let c = clients::connect(&target, &aws).await.map_err(refuse)?;
        clients::verify_identity(&c, &target)
            .await
            .map_err(refuse)?;
        let reading = read::read(&c, &graph).await.map_err(|e| -> AppError {
            ApiError::invalid(
                "target_id",
                format!("Reading live state from {} failed: {e}", target.name),
            )
            .into()
        })?;
        let mut plan = wiring::plan(&graph, &reading.observed);
        plan.warnings.extend(
            self.shared_resource_warnings(me, draft_id, &target, &plan)
                .await?,
        );
        let observed =
            serde_json::to_value(&reading.observed).map_err(|e| AppError::Internal(e.into()))?;
        let plan_json = serde_json::to_value(&plan).map_err(|e| AppError::Internal(e.into()))?;
        let notes =
            serde_json::to_value(&reading.notes).map_err(|e| AppError::Internal(e.into()))?;
        let hash = observed_hash(&reading.observed);
        let id = store::deploy::insert_plan(
            &self.pool,
            NewPlanRow {
                team: me.team_id,
                draft_id,
                version_id: version.id,
                content_hash: &version.content_hash,
                target_id: target.id,
                observed: &observed,
                observed_hash: &hash,
                plan: &plan_json,
                read_notes: &notes,
                created_by: me.user_id,
            },
        )
        .await?;
        self.get_plan(me, id).await
    }

    /// What the plan would undo of other drafts applied to the same account and region.
    async fn shared_resource_warnings(
        &self,
        me: &Authed,
        draft_id: Uuid,
        target: &Target,
        plan: &wiring::Plan,
    ) -> Result<Vec<String>, AppError> {
        let others =
            store::deploy::applied_elsewhere(&self.pool, me.team_id, &target.lock_key(), draft_id)
                .await?;
        let others: Vec<_> = others
            .into_iter()
            .filter_map(|(name, number, content)| {
                // A stored version always parses; one that does not cannot be compared and
                // is left out rather than failing the plan.
                let graph = Graph::from_value(&content).ok()?;
                Some((
                    format!("draft “{name}” (version {number})"),
                    wiring::plan::wired_resources(&graph),
                ))
            })
            .collect();
        Ok(wiring::plan::shared_resource_warnings(plan, &others))
    }

    /// One of the team's plans.
    pub async fn get_plan(&self, me: &Authed, id: Uuid) -> Result<DeployPlan, AppError> {
        let row = store::deploy::plan(&self.pool, me.team_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("plan"))?;
        let target = store::deploy::target(&self.pool, me.team_id, row.target_id)
            .await?
            .ok_or_else(|| ApiError::not_found("deploy target"))?;
        let plan: wiring::Plan =
            serde_json::from_value(row.plan).map_err(|e| AppError::Internal(e.into()))?;
        let notes: Vec<String> = serde_json::from_value(row.read_notes).unwrap_or_default();
        let gate = self
            .gate(me, row.draft_id, row.number.max(0) as u32)
            .await?;
        Ok(DeployPlan {
            gate,
            id: row.id,
            draft_id: row.draft_id,
            version: row.number.max(0) as u32,
            content_hash: row.content_hash,
            target: store::deploy::wire(&target),
            observed_hash: row.observed_hash,
            created_at: row.created_at,
            mutating_calls: plan.mutating_calls() as u32,
            steps: plan
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| PlanStep {
                    index: i as u32,
                    call: s.action.call().to_owned(),
                    effect: serde_json::to_value(s.action.effect())
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    summary: s.action.summary(),
                    reason: s.reason.clone(),
                })
                .collect(),
            warnings: plan.warnings,
            blockers: plan.blockers,
            read_notes: notes,
        })
    }

    /// Queues an apply of a plan (approvers and admins), through the review gate: enough
    /// valid approvals of the plan's version and no error findings, or an admin's override
    /// with a reason, which the audit log keeps.
    pub async fn apply_plan(
        &self,
        me: &Authed,
        plan_id: Uuid,
        input: ApplyRequest,
        ip: Option<&str>,
    ) -> Result<ApplyJob, AppError> {
        me.require(Role::Approver, "deploying")?;
        let plan = self.get_plan(me, plan_id).await?;
        let target = self.target_of(me, plan.target.id).await?;
        if target.read_only {
            return Err(ApiError::invalid(
                "plan_id",
                format!(
                    "Target {} is read-only: it can plan but not apply. An admin can add a read-write target for account {} in {}.",
                    target.name, target.account_id, target.region
                ),
            )
            .into());
        }
        if !plan.blockers.is_empty() {
            return Err(ApiError::invalid(
                "plan_id",
                format!("This plan cannot be applied: {}", plan.blockers.join("; ")),
            )
            .into());
        }
        if store::deploy::plan_has_live_job(&self.pool, plan_id).await? {
            return Err(ApiError::Conflict {
                message: "This plan is already queued or applied. Plan again to deploy the current state.".into(),
                latest: None,
            }
            .into());
        }
        // `get_plan` above judged the gate just now, not when the plan was made: a version
        // saved since has already voided the approvals.
        let gate = &plan.gate;
        let reason = input
            .override_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        let overridden = match (gate.open, reason) {
            (true, _) => None,
            (false, None) => {
                let how = if me.role >= Role::Admin {
                    "As an admin you can deploy anyway by giving a reason for the override."
                } else {
                    "Get the approvals, or ask an admin to override with a reason."
                };
                return Err(ApiError::invalid(
                    "override_reason",
                    format!(
                        "Version {} cannot be deployed yet: {} {how}",
                        plan.version,
                        gate.reasons.join(" ")
                    ),
                )
                .into());
            }
            (false, Some(_)) if me.role < Role::Admin => {
                return Err(ApiError::forbidden(
                    "Only admins can override the review gate. Get the approvals, or ask an admin.",
                )
                .into());
            }
            (false, Some(r)) if r.chars().count() > 2000 => {
                return Err(ApiError::invalid(
                    "override_reason",
                    "Keep the override reason under 2000 characters.",
                )
                .into());
            }
            (false, Some(r)) => Some(r),
        };
        let mut tx = store::begin(&self.pool).await?;
        let id = match store::deploy::insert_job(
            &mut *tx,
            me.team_id,
            plan_id,
            target.id,
            &target.lock_key(),
            Some(me.user_id),
            overridden,
        )
        .await
        {
            Ok(id) => id,
            // Another request queued this plan between the check above and now.
            Err(sqlx::Error::Database(e))
                if e.constraint() == Some("apply_jobs_one_live_per_plan") =>
            {
                return Err(ApiError::Conflict {
                    message: "This plan is already queued or applied. Plan again to deploy the current state.".into(),
                    latest: None,
                }
                .into());
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(reason) = overridden {
            store::audit::record(
                &mut *tx,
                Event {
                    team_id: Some(me.team_id),
                    actor_id: Some(me.user_id),
                    action: "deploy.gate_overridden",
                    target: Some(id.to_string()),
                    detail: serde_json::json!({
                        "draft": plan.draft_id, "version": plan.version, "reason": reason,
                        "gate": gate.reasons, "approvals": gate.approvals.len(), "required": gate.required,
                    }),
                    ip,
                },
            )
            .await?;
        }
        store::audit::record(
            &mut *tx,
            Event {
                team_id: Some(me.team_id),
                actor_id: Some(me.user_id),
                action: "deploy.requested",
                target: Some(id.to_string()),
                detail: serde_json::json!({
                    "draft": plan.draft_id, "version": plan.version, "target": target.name,
                    "account": target.account_id, "region": target.region, "plan": plan_id,
                    "calls": plan.mutating_calls,
                    "approvals": gate.approvals.iter().map(|a| &a.reviewer).collect::<Vec<_>>(),
                }),
                ip,
            },
        )
        .await?;
        tx.commit().await?;
        self.get_apply(me, id).await
    }

    /// One of the team's applies with its steps.
    pub async fn get_apply(&self, me: &Authed, id: Uuid) -> Result<ApplyJob, AppError> {
        store::deploy::job(&self.pool, me.team_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("apply").into())
    }

    /// A draft's applies, newest first.
    pub async fn list_applies(
        &self,
        me: &Authed,
        draft_id: Uuid,
    ) -> Result<Vec<ApplyJob>, AppError> {
        if store::drafts::get(&self.pool, me.team_id, draft_id)
            .await?
            .is_none()
        {
            return Err(ApiError::not_found("draft").into());
        }
        Ok(store::deploy::jobs(&self.pool, me.team_id, draft_id).await?)
    }
}

/// Validates a new target, field by field, with what to fix.
fn check_target(
    mut t: NewTarget,
    allowed: &[CredentialsMode],
    endpoint_hosts: &[String],
) -> Result<NewTarget, AppError> {
    let name = t.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(
            ApiError::invalid("name", "Give the target a name of 1 to 60 characters.").into(),
        );
    }
    if name == store::deploy::SANDBOX_NAME {
        return Err(ApiError::invalid(
            "name",
            "`sandbox` is reserved for the emulator this server runs with.",
        )
        .into());
    }
    t.name = name.to_owned();
    AccountId::parse(&t.account_id).map_err(|e| ApiError::invalid("account_id", e.to_string()))?;
    Region::parse(&t.region).map_err(|e| ApiError::invalid("region", e.to_string()))?;
    if !allowed.contains(&t.mode) {
        return Err(ApiError::invalid(
            "mode",
            format!(
                "This server does not allow the {} credentials mode; allowed: {}. The operator sets EVENTLOOM_DEPLOY_MODES.",
                t.mode.as_str(),
                allowed.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )
        .into());
    }
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    match t.mode {
        CredentialsMode::Profile if blank(&t.profile) => {
            return Err(ApiError::invalid("profile", "Name the AWS profile to use.").into());
        }
        CredentialsMode::AssumeRole => {
            let role = t.role_arn.as_deref().unwrap_or_default().trim();
            let arn = Arn::parse(role).map_err(|e| ApiError::invalid("role_arn", e.to_string()))?;
            if !role.contains(":iam::") || !role.contains(":role/") {
                return Err(ApiError::invalid(
                    "role_arn",
                    "Give an IAM role ARN, e.g. arn:aws:iam::123456789012:role/eventloom-deploy.",
                )
                .into());
            }
            if arn.as_str().split(':').nth(4) != Some(t.account_id.as_str()) {
                return Err(ApiError::invalid("role_arn", format!("The role is not in account {}; Eventloom assumes a role in the target's own account.", t.account_id)).into());
            }
        }
        CredentialsMode::Endpoint => {
            let e = t.endpoint.as_deref().unwrap_or_default().trim();
            let host = e
                .parse::<http::Uri>()
                .ok()
                .filter(|u| matches!(u.scheme_str(), Some("http" | "https")))
                .and_then(|u| {
                    u.host()
                        .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
                });
            let Some(host) = host else {
                return Err(ApiError::invalid(
                    "endpoint",
                    "Give the emulator's URL, e.g. http://127.0.0.1:5000.",
                )
                .into());
            };
            if !endpoint_hosts.iter().any(|h| h == "*" || *h == host) {
                return Err(ApiError::invalid(
                    "endpoint",
                    format!(
                        "This server only sends AWS calls to emulators on {}; ask its operator to add {host} to EVENTLOOM_ENDPOINT_HOSTS.",
                        endpoint_hosts.join(", ")
                    ),
                )
                .into());
            }
        }
        _ => {}
    }
    // Keep only the field the mode uses.
    let keep = |v: Option<String>, used: bool| {
        v.filter(|s| used && !s.trim().is_empty())
            .map(|s| s.trim().to_owned())
    };
    t.profile = keep(t.profile, t.mode == CredentialsMode::Profile);
    t.role_arn = keep(t.role_arn, t.mode == CredentialsMode::AssumeRole);
    t.endpoint = keep(t.endpoint, t.mode == CredentialsMode::Endpoint);
    Ok(t)
}
