//! The UI's calls to the server: wire types, the typed error, and thin server functions
//! that hand each call to the server's service layer through [`Backend`].

mod error;
mod review;
mod types;

pub use error::ApiError;
pub use review::*;
pub use types::*;

#[cfg(feature = "ssr")]
mod backend;
#[cfg(feature = "ssr")]
pub use backend::{Backend, SharedBackend};

use leptos::prelude::*;

/// The signed-in user, or `None`.
#[server(name = CurrentUser, prefix = "/rpc", endpoint = "me")]
pub async fn me() -> Result<Option<Me>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.me(&req).await)
}

/// Creates an account (and a team, unless joining with an invitation) and signs in.
#[server(name = SignUpCall, prefix = "/rpc", endpoint = "auth/signup")]
pub async fn sign_up(
    email: String,
    password: String,
    display_name: String,
    #[server(default)] team_name: Option<String>,
    #[server(default)] invitation: Option<String>,
) -> Result<Me, ApiError> {
    let (backend, req) = backend::context()?;
    let input = SignUp {
        email,
        password,
        display_name,
        team_name: team_name.filter(|t| !t.trim().is_empty()),
        invitation: invitation.filter(|t| !t.trim().is_empty()),
    };
    let me = backend::answer(backend.sign_up(&req, input).await)?;
    leptos_axum::redirect("/drafts");
    Ok(me)
}

/// Signs in.
#[server(name = SignInCall, prefix = "/rpc", endpoint = "auth/signin")]
pub async fn sign_in(email: String, password: String) -> Result<Me, ApiError> {
    let (backend, req) = backend::context()?;
    let me = backend::answer(backend.sign_in(&req, SignIn { email, password }).await)?;
    leptos_axum::redirect("/drafts");
    Ok(me)
}

/// Signs out and ends the session on the server.
#[server(name = SignOutCall, prefix = "/rpc", endpoint = "auth/signout")]
pub async fn sign_out() -> Result<(), ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.sign_out(&req).await)?;
    leptos_axum::redirect("/signin");
    Ok(())
}

/// Lists the team's drafts, newest first.
#[server(prefix = "/rpc", endpoint = "drafts/list")]
pub async fn list_drafts() -> Result<Vec<DraftSummary>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.list_drafts(&req).await)
}

/// Creates an empty draft with the given name.
#[server(prefix = "/rpc", endpoint = "drafts/create")]
pub async fn create_draft(name: String) -> Result<DraftSummary, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(
        backend
            .create_draft(
                &req,
                NewDraft {
                    name,
                    content: None,
                },
            )
            .await
            .map(|d| d.summary),
    )
}

/// Opens a draft at its latest version.
#[server(prefix = "/rpc", endpoint = "drafts/get", input = server_fn::codec::Json)]
pub async fn get_draft(id: uuid::Uuid) -> Result<Draft, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.get_draft(&req, id).await)
}

/// Saves a new version edited from `input.base_version`; a conflict carries the latest.
#[server(name = SaveDraftCall, prefix = "/rpc", endpoint = "drafts/save", input = server_fn::codec::Json)]
pub async fn save_draft(id: uuid::Uuid, input: SaveDraft) -> Result<DraftVersion, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.save_draft(&req, id, input).await)
}

/// Every version of a draft, newest first (without content).
#[server(prefix = "/rpc", endpoint = "drafts/versions", input = server_fn::codec::Json)]
pub async fn list_versions(id: uuid::Uuid) -> Result<Vec<DraftVersion>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.list_versions(&req, id).await)
}

/// One version with its graph.
#[server(prefix = "/rpc", endpoint = "drafts/version", input = server_fn::codec::Json)]
pub async fn get_version(id: uuid::Uuid, number: u32) -> Result<DraftVersion, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.get_version(&req, id, number).await)
}

/// Renames a draft.
#[server(name = RenameDraftCall, prefix = "/rpc", endpoint = "drafts/rename", input = server_fn::codec::Json)]
pub async fn rename_draft(id: uuid::Uuid, name: String) -> Result<DraftSummary, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.rename_draft(&req, id, RenameDraft { name }).await)
}

/// The team's deploy targets and what may be added.
#[server(prefix = "/rpc", endpoint = "deploy/targets")]
pub async fn list_targets() -> Result<Targets, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.targets(&req).await)
}

/// Adds a deploy target (admins).
#[server(name = CreateTargetCall, prefix = "/rpc", endpoint = "deploy/targets/create", input = server_fn::codec::Json)]
pub async fn create_target(input: NewTarget) -> Result<DeployTarget, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.create_target(&req, input).await)
}

/// Removes a deploy target (admins).
#[server(prefix = "/rpc", endpoint = "deploy/targets/archive", input = server_fn::codec::Json)]
pub async fn archive_target(id: uuid::Uuid) -> Result<(), ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.archive_target(&req, id).await)
}

/// Reads a target's live state and plans one version of a draft against it.
#[server(prefix = "/rpc", endpoint = "deploy/plan", input = server_fn::codec::Json)]
pub async fn create_plan(draft: uuid::Uuid, input: NewPlan) -> Result<DeployPlan, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.create_plan(&req, draft, input).await)
}

/// Queues a plan for the apply worker; an admin may pass the review gate with a reason.
#[server(prefix = "/rpc", endpoint = "deploy/apply", input = server_fn::codec::Json)]
pub async fn apply_plan(
    plan: uuid::Uuid,
    #[server(default)] override_reason: Option<String>,
) -> Result<ApplyJob, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(
        backend
            .apply_plan(&req, plan, ApplyRequest { override_reason })
            .await,
    )
}

/// An apply with its steps.
#[server(prefix = "/rpc", endpoint = "deploy/apply/get", input = server_fn::codec::Json)]
pub async fn get_apply(id: uuid::Uuid) -> Result<ApplyJob, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.get_apply(&req, id).await)
}

/// A draft's applies, newest first.
#[server(prefix = "/rpc", endpoint = "deploy/applies", input = server_fn::codec::Json)]
pub async fn list_applies(draft: uuid::Uuid) -> Result<Vec<ApplyJob>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.list_applies(&req, draft).await)
}

/// The team's members, for picking reviewers.
#[server(prefix = "/rpc", endpoint = "team/members")]
pub async fn list_members() -> Result<Vec<Member>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.members(&req).await)
}

/// Changes a member's role (admins).
#[server(prefix = "/rpc", endpoint = "team/members/role", input = server_fn::codec::Json)]
pub async fn set_member_role(user_id: uuid::Uuid, role: Role) -> Result<Vec<Member>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(
        backend
            .set_member_role(&req, user_id, SetRole { role })
            .await,
    )
}

/// Removes a member from the team (admins).
#[server(prefix = "/rpc", endpoint = "team/members/remove", input = server_fn::codec::Json)]
pub async fn remove_member(user_id: uuid::Uuid) -> Result<Vec<Member>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.remove_member(&req, user_id).await)
}

/// Creates a one-time invitation link for a role (admins).
#[server(prefix = "/rpc", endpoint = "team/invitations", input = server_fn::codec::Json)]
pub async fn create_invitation(role: Role) -> Result<Invitation, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.invite(&req, NewInvitation { role }).await)
}

/// The team's audit log, newest first (admins).
#[server(prefix = "/rpc", endpoint = "team/audit", input = server_fn::codec::Json)]
pub async fn team_audit(limit: i64) -> Result<Vec<AuditEntry>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.audit(&req, limit).await)
}

/// The team's review rules.
#[server(name = TeamSettingsCall, prefix = "/rpc", endpoint = "team/settings")]
pub async fn team_settings() -> Result<TeamSettings, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.team_settings(&req).await)
}

/// Changes the team's review rules (admins).
#[server(prefix = "/rpc", endpoint = "team/settings/set", input = server_fn::codec::Json)]
pub async fn set_team_settings(input: TeamSettings) -> Result<TeamSettings, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.set_team_settings(&req, input).await)
}

/// Version `from` against version `to`, with the change list and the findings delta.
#[server(prefix = "/rpc", endpoint = "review/diff", input = server_fn::codec::Json)]
pub async fn get_diff(draft: uuid::Uuid, from: u32, to: u32) -> Result<VersionDiff, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.diff(&req, draft, from, to).await)
}

/// A draft's review requests, decisions and deploy gate.
#[server(name = ReviewStateCall, prefix = "/rpc", endpoint = "review/state", input = server_fn::codec::Json)]
pub async fn review_state(draft: uuid::Uuid) -> Result<ReviewState, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.review_state(&req, draft).await)
}

/// Asks teammates to review a version.
#[server(prefix = "/rpc", endpoint = "review/request", input = server_fn::codec::Json)]
pub async fn request_review(
    draft: uuid::Uuid,
    input: NewReviewRequest,
) -> Result<ReviewRequest, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.request_review(&req, draft, input).await)
}

/// Approves a version or requests changes.
#[server(prefix = "/rpc", endpoint = "review/decide", input = server_fn::codec::Json)]
pub async fn decide(draft: uuid::Uuid, input: NewDecision) -> Result<ReviewDecision, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.decide(&req, draft, input).await)
}

/// Review requests waiting for the signed-in user.
#[server(prefix = "/rpc", endpoint = "review/inbox")]
pub async fn inbox() -> Result<Vec<ReviewRequest>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.inbox(&req).await)
}

/// A draft's comment threads, on every version.
#[server(prefix = "/rpc", endpoint = "review/threads", input = server_fn::codec::Json)]
pub async fn list_threads(draft: uuid::Uuid) -> Result<Vec<Thread>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.threads(&req, draft).await)
}

/// Starts a thread pinned to an element.
#[server(prefix = "/rpc", endpoint = "review/threads/create", input = server_fn::codec::Json)]
pub async fn create_thread(draft: uuid::Uuid, input: NewThread) -> Result<Thread, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.create_thread(&req, draft, input).await)
}

/// Replies to a thread.
#[server(prefix = "/rpc", endpoint = "review/threads/reply", input = server_fn::codec::Json)]
pub async fn reply(thread: uuid::Uuid, input: NewComment) -> Result<Thread, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.reply(&req, thread, input).await)
}

/// Resolves or reopens a thread.
#[server(name = SetResolvedCall, prefix = "/rpc", endpoint = "review/threads/resolve", input = server_fn::codec::Json)]
pub async fn set_resolved(thread: uuid::Uuid, resolved: bool) -> Result<Thread, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(
        backend
            .set_resolved(&req, thread, SetResolved { resolved })
            .await,
    )
}

/// A draft's timeline: versions, reviews, comments, decisions and applies, newest first.
#[server(prefix = "/rpc", endpoint = "review/timeline", input = server_fn::codec::Json)]
pub async fn timeline(draft: uuid::Uuid) -> Result<Vec<TimelineItem>, ApiError> {
    let (backend, req) = backend::context()?;
    backend::answer(backend.timeline(&req, draft).await)
}
