//! The seam between the UI's server functions and the server's service layer.
//!
//! `app` cannot depend on `server` (the server embeds the app), so the server
//! implements [`Backend`] and provides it as context; the server functions only
//! forward to it. Every rule lives once, behind this trait.

use super::*;
use http::request::Parts;
use leptos::prelude::*;
use std::sync::Arc;
use uuid::Uuid;

/// The service operations the UI needs, implemented by the server. `req` carries the
/// session and client address.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The signed-in user.
    async fn me(&self, req: &Parts) -> Result<Option<Me>, ApiError>;
    /// Creates an account and signs in.
    async fn sign_up(&self, req: &Parts, input: SignUp) -> Result<Me, ApiError>;
    /// Signs in.
    async fn sign_in(&self, req: &Parts, input: SignIn) -> Result<Me, ApiError>;
    /// Signs out.
    async fn sign_out(&self, req: &Parts) -> Result<(), ApiError>;
    /// Lists the team's drafts, newest first.
    async fn list_drafts(&self, req: &Parts) -> Result<Vec<DraftSummary>, ApiError>;
    /// Creates a draft.
    async fn create_draft(&self, req: &Parts, input: NewDraft) -> Result<Draft, ApiError>;
    /// Opens a draft at its latest version.
    async fn get_draft(&self, req: &Parts, id: Uuid) -> Result<Draft, ApiError>;
    /// Saves a new version.
    async fn save_draft(
        &self,
        req: &Parts,
        id: Uuid,
        input: SaveDraft,
    ) -> Result<DraftVersion, ApiError>;
    /// Every version of a draft, newest first.
    async fn list_versions(&self, req: &Parts, id: Uuid) -> Result<Vec<DraftVersion>, ApiError>;
    /// One version with content.
    async fn get_version(
        &self,
        req: &Parts,
        id: Uuid,
        number: u32,
    ) -> Result<DraftVersion, ApiError>;
    /// Renames a draft.
    async fn rename_draft(
        &self,
        req: &Parts,
        id: Uuid,
        input: RenameDraft,
    ) -> Result<DraftSummary, ApiError>;
    /// The team's deploy targets.
    async fn targets(&self, req: &Parts) -> Result<Targets, ApiError>;
    /// Adds a deploy target (admins).
    async fn create_target(&self, req: &Parts, input: NewTarget) -> Result<DeployTarget, ApiError>;
    /// Removes a deploy target (admins).
    async fn archive_target(&self, req: &Parts, id: Uuid) -> Result<(), ApiError>;
    /// Reads live state and plans a version against a target.
    async fn create_plan(
        &self,
        req: &Parts,
        draft: Uuid,
        input: NewPlan,
    ) -> Result<DeployPlan, ApiError>;
    /// Queues a plan for the apply worker.
    async fn apply_plan(
        &self,
        req: &Parts,
        plan: Uuid,
        input: ApplyRequest,
    ) -> Result<ApplyJob, ApiError>;
    /// An apply with its steps.
    async fn get_apply(&self, req: &Parts, id: Uuid) -> Result<ApplyJob, ApiError>;
    /// A draft's applies, newest first.
    async fn list_applies(&self, req: &Parts, draft: Uuid) -> Result<Vec<ApplyJob>, ApiError>;
    /// The team's members.
    async fn members(&self, req: &Parts) -> Result<Vec<Member>, ApiError>;
    /// Changes a member's role (admins).
    async fn set_member_role(
        &self,
        req: &Parts,
        user_id: Uuid,
        input: SetRole,
    ) -> Result<Vec<Member>, ApiError>;
    /// Removes a member (admins).
    async fn remove_member(&self, req: &Parts, user_id: Uuid) -> Result<Vec<Member>, ApiError>;
    /// Creates a one-time invitation link (admins).
    async fn invite(&self, req: &Parts, input: NewInvitation) -> Result<Invitation, ApiError>;
    /// The team's audit log, newest first (admins).
    async fn audit(&self, req: &Parts, limit: i64) -> Result<Vec<AuditEntry>, ApiError>;
    /// The team's review rules.
    async fn team_settings(&self, req: &Parts) -> Result<TeamSettings, ApiError>;
    /// Changes the team's review rules (admins).
    async fn set_team_settings(
        &self,
        req: &Parts,
        input: TeamSettings,
    ) -> Result<TeamSettings, ApiError>;
    /// Two versions compared.
    async fn diff(
        &self,
        req: &Parts,
        draft: Uuid,
        from: u32,
        to: u32,
    ) -> Result<VersionDiff, ApiError>;
    /// A draft's review state.
    async fn review_state(&self, req: &Parts, draft: Uuid) -> Result<ReviewState, ApiError>;
    /// Asks for a review.
    async fn request_review(
        &self,
        req: &Parts,
        draft: Uuid,
        input: NewReviewRequest,
    ) -> Result<ReviewRequest, ApiError>;
    /// Records a decision.
    async fn decide(
        &self,
        req: &Parts,
        draft: Uuid,
        input: NewDecision,
    ) -> Result<ReviewDecision, ApiError>;
    /// Requests waiting for the caller.
    async fn inbox(&self, req: &Parts) -> Result<Vec<ReviewRequest>, ApiError>;
    /// A draft's threads.
    async fn threads(&self, req: &Parts, draft: Uuid) -> Result<Vec<Thread>, ApiError>;
    /// Starts a thread.
    async fn create_thread(
        &self,
        req: &Parts,
        draft: Uuid,
        input: NewThread,
    ) -> Result<Thread, ApiError>;
    /// Replies.
    async fn reply(&self, req: &Parts, thread: Uuid, input: NewComment)
    -> Result<Thread, ApiError>;
    /// Resolves or reopens.
    async fn set_resolved(
        &self,
        req: &Parts,
        thread: Uuid,
        input: SetResolved,
    ) -> Result<Thread, ApiError>;
    /// A draft's timeline.
    async fn timeline(&self, req: &Parts, draft: Uuid) -> Result<Vec<TimelineItem>, ApiError>;
}

/// How the backend is shared through Leptos context.
pub type SharedBackend = Arc<dyn Backend>;

/// The backend and the incoming request's head, as provided by the server.
pub(crate) fn context() -> Result<(SharedBackend, Parts), ApiError> {
    let backend = use_context::<SharedBackend>();
    let parts = use_context::<Parts>();
    match (backend, parts) {
        (Some(b), Some(p)) => Ok((b, p)),
        _ => {
            leptos::logging::error!("server function called without backend or request context");
            Err(ApiError::Internal)
        }
    }
}

/// Sets the HTTP status of a server function's answer to match its error.
pub(crate) fn answer<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(e) = &result
        && let (Some(opts), Ok(code)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::StatusCode::from_u16(e.status()),
        )
    {
        opts.set_status(code);
    }
    result
}
