//! Team review: version diffs in AWS terms, review requests, comment threads pinned to
//! elements, decisions bound to a version's content hash, and the deploy gate apply enforces.

use super::Service;
use crate::{
    auth::Authed,
    error::AppError,
    store::{
        self,
        audit::Event,
        review::{DecisionRow, NewDecisionRow, RequestRow, VersionMeta},
    },
};
use app::api::{
    ApiError, ChangeStatus, Comment, Decision, DeployGate, DiffEntry, FindingNote, NewComment,
    NewDecision, NewReviewRequest, NewThread, Pin, RequestedReviewer, ReviewDecision,
    ReviewRequest, ReviewState, Role, SetResolved, TeamSettings, Thread, TimelineItem, VersionDiff,
};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;
use wiring::{Graph, ids::NodeId};

/// Longest comment, in characters (the column allows this many).
const MAX_COMMENT: usize = 4000;

impl Service {
    async fn meta(&self, me: &Authed, draft: Uuid, number: u32) -> Result<VersionMeta, AppError> {
        let n = i32::try_from(number).map_err(|_| ApiError::not_found("version"))?;
        store::review::version_meta(&self.pool, me.team_id, draft, n)
            .await?
            .ok_or_else(|| ApiError::not_found("version").into())
    }

    async fn graph_of(&self, me: &Authed, draft: Uuid, number: u32) -> Result<Graph, AppError> {
        let n = i32::try_from(number).map_err(|_| ApiError::not_found("version"))?;
        let v = store::drafts::version(&self.pool, me.team_id, draft, n)
            .await?
            .ok_or_else(|| ApiError::not_found("version"))?;
        Graph::from_value(&v.content).map_err(|e| {
            AppError::Internal(anyhow::anyhow!(
                "stored version {} does not parse: {e}",
                v.id
            ))
        })
    }

    /// The team's review rule.
    pub async fn team_settings(&self, me: &Authed) -> Result<TeamSettings, AppError> {
        let n = store::review::approvals_required(&self.pool, me.team_id).await?;
        Ok(TeamSettings {
            approvals_required: n.max(0) as u32,
        })
    }

    /// Sets how many approvals a deploy needs (admins).
    pub async fn set_team_settings(
        &self,
        me: &Authed,
        input: TeamSettings,
        ip: Option<&str>,
    ) -> Result<TeamSettings, AppError> {
        me.require(Role::Admin, "changing the team's review rules")?;
        if input.approvals_required > 10 {
            return Err(ApiError::invalid(
                "approvals_required",
                "A deploy can require 0 to 10 approvals.",
            )
            .into());
        }
        let before = store::review::approvals_required(&self.pool, me.team_id).await?;
        let mut tx = store::begin(&self.pool).await?;
        store::review::set_approvals_required(
            &mut *tx,
            me.team_id,
            input.approvals_required as i32,
        )
        .await?;
        store::audit::record(
            &mut *tx,
            Event {
                team_id: Some(me.team_id),
                actor_id: Some(me.user_id),
                action: "team.review_rule_changed",
                target: None,
                detail: serde_json::json!({ "approvals_required": { "from": before, "to": input.approvals_required } }),
                ip,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(input)
    }

    /// Version `from` against `to`: the change list, per-element statuses, and the findings
    /// the change introduced and resolved.
    pub async fn diff(
        &self,
        me: &Authed,
        draft: Uuid,
        from: u32,
        to: u32,
    ) -> Result<VersionDiff, AppError> {
        let a = self.graph_of(me, draft, from).await?;
        let b = self.graph_of(me, draft, to).await?;
        let d = wiring::diff(&a, &b);
        let delta = wiring::diff::findings_delta(&wiring::validate(&a), &wiring::validate(&b));
        let note = |f: &wiring::Finding| FindingNote {
            code: f.code.as_str().to_owned(),
            severity: f.severity.as_str().to_owned(),
            element: Pin::from(&f.at),
            message: f.message.clone(),
        };
        let json = |g: &Graph| -> Result<serde_json::Value, AppError> {
            serde_json::from_str(&g.to_json()).map_err(|e| AppError::Internal(e.into()))
        };
        Ok(VersionDiff {
            draft_id: draft,
            from,
            to,
            from_graph: json(&a)?,
            to_graph: json(&b)?,
            entries: d
                .entries
                .iter()
                .map(|e| DiffEntry {
                    element: Pin::from(&e.element),
                    status: e.status.into(),
                    text: e.text.clone(),
                    security: e.security,
                })
                .collect(),
            nodes: d
                .nodes
                .iter()
                .map(|(id, s)| (id.to_string(), ChangeStatus::from(*s)))
                .collect(),
            edges: d
                .edges
                .iter()
                .map(|(id, s)| (id.to_string(), ChangeStatus::from(*s)))
                .collect(),
            introduced: delta.introduced.iter().map(note).collect(),
            resolved: delta.resolved.iter().map(note).collect(),
        })
    }

    /// Asks teammates to review a version (editors and above).
    pub async fn request_review(
        &self,
        me: &Authed,
        draft: Uuid,
        input: NewReviewRequest,
        ip: Option<&str>,
    ) -> Result<ReviewRequest, AppError> {
        me.require(Role::Editor, "requesting a review")?;
        let v = self.meta(me, draft, input.version).await?;
        if v.number != v.head_number {
            return Err(ApiError::invalid(
                "version",
                format!(
                    "Version {} is not the latest; ask for a review of version {}.",
                    v.number, v.head_number
                ),
            )
            .into());
        }
        let reviewers: BTreeSet<Uuid> = input.reviewers.iter().copied().collect();
        if reviewers.is_empty() {
            return Err(ApiError::invalid("reviewers", "Pick at least one reviewer.").into());
        }
        let members = store::users::members(&self.pool, me.team_id).await?;
        for r in &reviewers {
            let Some(m) = members.iter().find(|m| m.user_id == *r) else {
                return Err(ApiError::invalid(
                    "reviewers",
                    "A chosen reviewer is not a member of your team.",
                )
                .into());
            };
            if Some(*r) == v.author_id {
                return Err(ApiError::invalid(
                    "reviewers",
                    format!(
                        "{} saved version {}, so cannot review it; pick another approver.",
                        m.display_name, v.number
                    ),
                )
                .into());
            }
            if m.role < Role::Approver {
                return Err(ApiError::invalid(
                    "reviewers",
                    format!(
                        "{} is {} {}; only approvers and admins can approve. An admin can change their role.",
                        m.display_name,
                        if m.role == Role::Editor { "an" } else { "a" },
                        m.role.as_str()
                    ),
                )
                .into());
            }
        }
        let note = clean_text(input.note.as_deref(), 2000, "note")?;
        let list: Vec<Uuid> = reviewers.into_iter().collect();
        let mut tx = store::begin(&self.pool).await?;
        store::review::insert_requests(
            &mut tx,
            me.team_id,
            draft,
            v.id,
            me.user_id,
            &list,
            note.as_deref(),
        )
        .await?;
        store::audit::record(
            &mut *tx,
            Event {
                team_id: Some(me.team_id),
                actor_id: Some(me.user_id),
                action: "review.requested",
                target: Some(draft.to_string()),
                detail: serde_json::json!({ "version": v.number, "reviewers": list }),
                ip,
            },
        )
        .await?;
        tx.commit().await?;
        let rows = store::review::requests(&self.pool, me.team_id, draft).await?;
        group_requests(rows)
            .into_iter()
            .find(|r| r.version == input.version)
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("review request vanished after insert"))
            })
    }

    /// Approves a version or requests changes (approvers and admins, never the author).
    pub async fn decide(
        &self,
        me: &Authed,
        draft: Uuid,
        input: NewDecision,
        ip: Option<&str>,
    ) -> Result<ReviewDecision, AppError> {
        me.require(Role::Approver, "approving or requesting changes")?;
        let v = self.meta(me, draft, input.version).await?;
        if v.author_id == Some(me.user_id) {
            return Err(ApiError::forbidden(format!(
                "You saved version {}; an approver other than its author must review it.",
                v.number
            ))
            .into());
        }
        if v.number != v.head_number {
            return Err(ApiError::Conflict {
                message: format!(
                    "Version {} is no longer the latest: version {} was saved since. Review version {}.",
                    v.number, v.head_number, v.head_number
                ),
                latest: None,
            }
            .into());
        }
        let comment = clean_text(input.comment.as_deref(), MAX_COMMENT, "comment")?;
        if input.decision == Decision::RequestChanges && comment.is_none() {
            return Err(ApiError::invalid(
                "comment",
                "Say what should change, so the author knows what to fix.",
            )
            .into());
        }
        let mut tx = store::begin(&self.pool).await?;
        let id = store::review::insert_decision(
            &mut *tx,
            NewDecisionRow {
                team: me.team_id,
                draft,
                version: &v,
                reviewer: me.user_id,
                decision: input.decision.as_str(),
                comment: comment.as_deref(),
            },
        )
        .await?;
        store::audit::record(
            &mut *tx,
            Event {
                team_id: Some(me.team_id),
                actor_id: Some(me.user_id),
                action: match input.decision {
                    Decision::Approve => "review.approved",
                    Decision::RequestChanges => "review.changes_requested",
                },
                target: Some(draft.to_string()),
                detail: serde_json::json!({ "version": v.number, "content_hash": v.content_hash }),
                ip,
            },
        )
        .await?;
        tx.commit().await?;
        let rows = store::review::decisions(&self.pool, me.team_id, draft).await?;
        judged(&rows, v.head_number)
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("decision {id} vanished")))
    }

    /// The gate for version `number`: whether it may be deployed without an override.
    pub async fn gate(
        &self,
        me: &Authed,
        draft: Uuid,
        number: u32,
    ) -> Result<DeployGate, AppError> {
        gate_of(&self.pool, me.team_id, draft, number).await
    }

    /// A draft's requests, decisions and the gate for its latest version.
    pub async fn review_state(&self, me: &Authed, draft: Uuid) -> Result<ReviewState, AppError> {
        let d = store::drafts::get(&self.pool, me.team_id, draft)
            .await?
            .ok_or_else(|| ApiError::not_found("draft"))?;
        let latest = d.summary.version;
        let requests =
            group_requests(store::review::requests(&self.pool, me.team_id, draft).await?);
        let rows = store::review::decisions(&self.pool, me.team_id, draft).await?;
        let v = self.meta(me, draft, latest).await?;
        let required = store::review::approvals_required(&self.pool, me.team_id).await?;
        Ok(ReviewState {
            draft_id: draft,
            latest_version: latest,
            requests,
            decisions: judged(&rows, v.head_number),
            gate: gate_for(&v, required.max(0) as u32, &rows),
        })
    }

    /// Review requests waiting for the caller.
    pub async fn inbox(&self, me: &Authed) -> Result<Vec<ReviewRequest>, AppError> {
        let rows = store::review::inbox(&self.pool, me.team_id, me.user_id).await?;
        Ok(group_requests(rows))
    }

    /// A draft's threads, oldest first.
    pub async fn threads(&self, me: &Authed, draft: Uuid) -> Result<Vec<Thread>, AppError> {
        if store::drafts::get(&self.pool, me.team_id, draft)
            .await?
            .is_none()
        {
            return Err(ApiError::not_found("draft").into());
        }
        Ok(store::review::threads(&self.pool, me.team_id, draft)
            .await?
            .into_iter()
            .map(|(t, c)| thread_wire(t, c))
            .collect())
    }

    async fn thread(&self, me: &Authed, id: Uuid) -> Result<Thread, AppError> {
        store::review::thread(&self.pool, me.team_id, id)
            .await?
            .map(|(t, c)| thread_wire(t, c))
            .ok_or_else(|| ApiError::not_found("comment thread").into())
    }

    /// Starts a thread pinned to an element of a version (any member).
    pub async fn create_thread(
        &self,
        me: &Authed,
        draft: Uuid,
        input: NewThread,
    ) -> Result<Thread, AppError> {
        let body = clean_text(Some(&input.body), MAX_COMMENT, "body")?
            .ok_or_else(|| ApiError::invalid("body", "Write a comment first."))?;
        let v = self.meta(me, draft, input.version).await?;
        let g = self.graph_of(me, draft, input.version).await?;
        let (kind, id, label) = match &input.pin {
            Pin::Graph => ("graph", None, v.draft_name.clone()),
            Pin::Node(id) => {
                let n = NodeId::parse(id)
                    .ok()
                    .and_then(|nid| g.nodes.get(&nid))
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "pin",
                            format!("Version {} has no node {id}.", input.version),
                        )
                    })?;
                ("node", Some(id.clone()), n.name().to_owned())
            }
            Pin::Edge(id) => {
                let e = wiring::ids::EdgeId::parse(id)
                    .ok()
                    .and_then(|eid| g.edges.get(&eid))
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "pin",
                            format!("Version {} has no edge {id}.", input.version),
                        )
                    })?;
                let name = |n: &NodeId| {
                    g.nodes
                        .get(n)
                        .map_or_else(|| n.to_string(), |x| x.name().to_owned())
                };
                (
                    "edge",
                    Some(id.clone()),
                    format!(
                        "{} {} → {}",
                        e.kind.edge_type().label(),
                        name(&e.from),
                        name(&e.to)
                    ),
                )
            }
        };
        let mut tx = store::begin(&self.pool).await?;
        let tid = store::review::insert_thread(
            &mut tx,
            me.team_id,
            draft,
            v.id,
            (kind, id.as_deref()),
            &label,
            me.user_id,
            &body,
        )
        .await?;
        tx.commit().await?;
        self.thread(me, tid).await
    }

    /// Replies to a thread (any member).
    pub async fn reply(
        &self,
        me: &Authed,
        thread: Uuid,
        input: NewComment,
    ) -> Result<Thread, AppError> {
        let body = clean_text(Some(&input.body), MAX_COMMENT, "body")?
            .ok_or_else(|| ApiError::invalid("body", "Write a reply first."))?;
        self.thread(me, thread).await?;
        store::review::insert_comment(&self.pool, thread, me.user_id, &body).await?;
        self.thread(me, thread).await
    }

    /// Resolves or reopens a thread (its starter, or editors and above).
    pub async fn set_resolved(
        &self,
        me: &Authed,
        thread: Uuid,
        input: SetResolved,
    ) -> Result<Thread, AppError> {
        let Some((row, _)) = store::review::thread(&self.pool, me.team_id, thread).await? else {
            return Err(ApiError::not_found("comment thread").into());
        };
        if row.created_by != me.user_id {
            me.require(Role::Editor, "resolving someone else's thread")?;
        }
        store::review::set_resolved(
            &self.pool,
            me.team_id,
            thread,
            input.resolved.then_some(me.user_id),
        )
        .await?;
        self.thread(me, thread).await
    }

    /// Everything that happened to a draft, newest first, each tied to a version.
    pub async fn timeline(&self, me: &Authed, draft: Uuid) -> Result<Vec<TimelineItem>, AppError> {
        let Some(versions) = store::drafts::versions(&self.pool, me.team_id, draft).await? else {
            return Err(ApiError::not_found("draft").into());
        };
        let mut out: Vec<TimelineItem> = versions
            .iter()
            .map(|v| TimelineItem {
                at: v.created_at,
                kind: "version".into(),
                version: v.number,
                actor: v.author.clone(),
                text: format!(
                    "Version {} saved ({} errors, {} warnings)",
                    v.number, v.errors, v.warnings
                ),
            })
            .collect();
        for r in group_requests(store::review::requests(&self.pool, me.team_id, draft).await?) {
            out.push(TimelineItem {
                at: r.created_at,
                kind: "review_requested".into(),
                version: r.version,
                actor: Some(r.requested_by.clone()),
                text: format!(
                    "Review of version {} requested from {}",
                    r.version,
                    r.reviewers
                        .iter()
                        .map(|x| x.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        for d in store::review::decisions(&self.pool, me.team_id, draft).await? {
            let approve = d.decision == Decision::Approve.as_str();
            out.push(TimelineItem {
                at: d.created_at,
                kind: if approve {
                    "approved"
                } else {
                    "changes_requested"
                }
                .into(),
                version: d.number.max(0) as u32,
                actor: Some(d.reviewer.clone()),
                text: match (&d.comment, approve) {
                    (Some(c), true) => format!("Approved version {}: {c}", d.number),
                    (None, true) => format!("Approved version {}", d.number),
                    (Some(c), false) => format!("Requested changes on version {}: {c}", d.number),
                    (None, false) => format!("Requested changes on version {}", d.number),
                },
            });
        }
        for (t, comments) in store::review::threads(&self.pool, me.team_id, draft).await? {
            for (i, c) in comments.iter().enumerate() {
                out.push(TimelineItem {
                    at: c.created_at,
                    kind: "comment".into(),
                    version: t.number.max(0) as u32,
                    actor: Some(c.author.clone()),
                    text: format!(
                        "{} on {}: {}",
                        if i == 0 { "Commented" } else { "Replied" },
                        t.element_label,
                        preview(&c.body)
                    ),
                });
            }
        }
        for j in store::deploy::jobs(&self.pool, me.team_id, draft).await? {
            out.push(TimelineItem {
                at: j.created_at,
                kind: "apply".into(),
                version: j.version,
                actor: j.requested_by.clone(),
                text: format!(
                    "Deploy of version {} to {}: {}{}",
                    j.version,
                    j.target,
                    match j.status {
                        app::api::JobStatus::Queued => "queued",
                        app::api::JobStatus::Running => "running",
                        app::api::JobStatus::Succeeded => "succeeded",
                        app::api::JobStatus::Failed => "failed",
                    },
                    j.override_reason
                        .as_ref()
                        .map_or(String::new(), |r| format!(" (review gate overridden: {r})"))
                ),
            });
        }
        out.sort_by_key(|b| std::cmp::Reverse(b.at));
        Ok(out)
    }
}

/// Trims `s`; `None` when blank; a 422 on `field` when longer than `max` characters.
fn clean_text(s: Option<&str>, max: usize, field: &str) -> Result<Option<String>, AppError> {
    let Some(t) = s.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if t.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!(
                "Keep it under {max} characters; this is {}.",
                t.chars().count()
            ),
        )
        .into());
    }
    Ok(Some(t.to_owned()))
}

fn preview(s: &str) -> String {
    let mut p: String = s.chars().take(120).collect();
    if s.chars().count() > 120 {
        p.push('…');
    }
    p
}

/// One request per version, with everyone asked on it.
fn group_requests(rows: Vec<RequestRow>) -> Vec<ReviewRequest> {
    let mut out: Vec<ReviewRequest> = Vec::new();
    let mut at: BTreeMap<Uuid, usize> = BTreeMap::new();
    for r in rows {
        let reviewer = RequestedReviewer {
            user_id: r.reviewer_id,
            name: r.reviewer,
            decision: r.decision.as_deref().and_then(Decision::parse),
        };
        match at.get(&r.version_id) {
            Some(&i) => out[i].reviewers.push(reviewer),
            None => {
                at.insert(r.version_id, out.len());
                out.push(ReviewRequest {
                    draft_id: r.draft_id,
                    draft_name: r.draft_name,
                    version: r.number.max(0) as u32,
                    latest_version: r.head_number.max(0) as u32,
                    requested_by: r.requested_by,
                    note: r.note,
                    reviewers: vec![reviewer],
                    created_at: r.created_at,
                });
            }
        }
    }
    out
}

/// Every decision with why it no longer counts, if it does not. `rows` is newest first.
fn judged(rows: &[DecisionRow], head: i32) -> Vec<ReviewDecision> {
    let mut seen: BTreeSet<(Uuid, Uuid)> = BTreeSet::new();
    rows.iter()
        .map(|d| {
            let newest_of_reviewer = seen.insert((d.version_id, d.reviewer_id));
            let void = if d.number != head {
                Some(format!(
                    "Void: version {head} was saved after this decision on version {}.",
                    d.number
                ))
            } else if d.content_hash != d.version_hash {
                Some("Void: the version's content no longer matches what was reviewed.".into())
            } else if !newest_of_reviewer {
                Some(format!("Superseded by a later decision of {}.", d.reviewer))
            } else if d.decision == Decision::Approve.as_str()
                && d.reviewer_role
                    .as_deref()
                    .and_then(Role::parse)
                    .is_none_or(|r| r < Role::Approver)
            {
                Some(format!("Void: {} is no longer an approver.", d.reviewer))
            } else {
                None
            };
            ReviewDecision {
                id: d.id,
                version: d.number.max(0) as u32,
                content_hash: d.content_hash.clone(),
                reviewer_id: d.reviewer_id,
                reviewer: d.reviewer.clone(),
                decision: Decision::parse(&d.decision).unwrap_or(Decision::RequestChanges),
                comment: d.comment.clone(),
                created_at: d.created_at,
                void,
            }
        })
        .collect()
}

/// The gate for one version, from the draft's decisions (newest first).
/// The deploy gate of a team's draft version as it stands now: the one place it is judged,
/// for the plan preview, for enqueueing and for the worker starting a job.
pub async fn gate_of(
    pool: &sqlx::PgPool,
    team: Uuid,
    draft: Uuid,
    number: u32,
) -> Result<DeployGate, AppError> {
    let n = i32::try_from(number).map_err(|_| ApiError::not_found("version"))?;
    let v = store::review::version_meta(pool, team, draft, n)
        .await?
        .ok_or_else(|| ApiError::not_found("version"))?;
    let required = store::review::approvals_required(pool, team).await?;
    let rows = store::review::decisions(pool, team, draft).await?;
    Ok(gate_for(&v, required.max(0) as u32, &rows))
}

fn gate_for(v: &VersionMeta, required: u32, rows: &[DecisionRow]) -> DeployGate {
    let all = judged(rows, v.head_number);
    let live: Vec<&ReviewDecision> = all
        .iter()
        .filter(|d| d.version == v.number as u32 && d.void.is_none())
        .collect();
    let approvals: Vec<ReviewDecision> = live
        .iter()
        .filter(|d| d.decision == Decision::Approve && Some(d.reviewer_id) != v.author_id)
        .map(|d| (*d).clone())
        .collect();
    let mut reasons = Vec::new();
    if v.number != v.head_number {
        reasons.push(format!(
            "Version {} is not the latest (version {} is); approvals count only for the latest version.",
            v.number, v.head_number
        ));
    }
    for d in live
        .iter()
        .filter(|d| d.decision == Decision::RequestChanges)
    {
        reasons.push(format!(
            "{} requested changes on version {}{}",
            d.reviewer,
            d.version,
            d.comment
                .as_ref()
                .map_or(".".to_owned(), |c| format!(": {}", preview(c)))
        ));
    }
    if (approvals.len() as u32) < required {
        reasons.push(format!(
            "Needs {required} approval{} of version {}; has {}.",
            if required == 1 { "" } else { "s" },
            v.number,
            approvals.len()
        ));
    }
    if v.errors > 0 {
        reasons.push(format!(
            "Version {} has {} error finding{}; fix {} in the Problems panel.",
            v.number,
            v.errors,
            if v.errors == 1 { "" } else { "s" },
            if v.errors == 1 { "it" } else { "them" }
        ));
    }
    DeployGate {
        version: v.number.max(0) as u32,
        content_hash: v.content_hash.clone(),
        author_id: v.author_id,
        required,
        open: reasons.is_empty(),
        approvals,
        errors: v.errors.max(0) as u32,
        reasons,
    }
}

fn thread_wire(t: store::review::ThreadRow, comments: Vec<store::review::CommentRow>) -> Thread {
    Thread {
        id: t.id,
        draft_id: t.draft_id,
        version: t.number.max(0) as u32,
        pin: match (t.element_type.as_str(), t.element_id) {
            ("node", Some(id)) => Pin::Node(id),
            ("edge", Some(id)) => Pin::Edge(id),
            _ => Pin::Graph,
        },
        label: t.element_label,
        resolved: t.resolved_at.is_some(),
        resolved_by: t.resolved_by,
        comments: comments
            .into_iter()
            .map(|c| Comment {
                id: c.id,
                author: c.author,
                body: c.body,
                created_at: c.created_at,
            })
            .collect(),
    }
}
