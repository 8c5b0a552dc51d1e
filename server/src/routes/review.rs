//! The review API: diffs, review requests, decisions, comment threads, the team's approval
//! rule and a draft's timeline.

use super::api::{Body, Id};
use crate::{auth::Authed, error::AppError, startup::AppState};
use app::api::*;
use axum::{
    Json, Router,
    extract::{Query, State},
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use utoipa::OpenApi;
use uuid::Uuid;

/// The review routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/team/settings",
            get(team_settings).put(set_team_settings),
        )
        .route("/api/v1/drafts/{id}/diff", get(diff))
        .route("/api/v1/drafts/{id}/review", get(review_state))
        .route("/api/v1/drafts/{id}/review-requests", post(request_review))
        .route("/api/v1/drafts/{id}/decisions", post(decide))
        .route(
            "/api/v1/drafts/{id}/threads",
            get(threads).post(create_thread),
        )
        .route("/api/v1/drafts/{id}/timeline", get(timeline))
        .route("/api/v1/threads/{id}/comments", post(reply))
        .route("/api/v1/threads/{id}/resolved", post(set_resolved))
        .route("/api/v1/reviews/inbox", get(inbox))
}

#[derive(OpenApi)]
#[openapi(
    paths(team_settings, set_team_settings, diff, review_state, request_review, decide, threads, create_thread, reply, set_resolved, timeline, inbox),
    components(schemas(TeamSettings, VersionDiff, DiffEntry, ChangeStatus, FindingNote, Pin, ReviewState, ReviewRequest,
        RequestedReviewer, NewReviewRequest, NewDecision, Decision, ReviewDecision, DeployGate, Thread, Comment, NewThread,
        NewComment, SetResolved, TimelineItem, ApplyRequest)),
    tags((name = "review", description = "Diffs in AWS terms, review requests, comments pinned to elements, approvals bound to a version, and the deploy gate"))
)]
pub(super) struct ReviewDoc;

fn ip(state: &AppState, parts: &Parts) -> Option<String> {
    state.service.client_ip(parts)
}

/// How many approvals a deploy needs.
#[utoipa::path(get, path = "/api/v1/team/settings", tag = "review", responses((status = 200, body = TeamSettings)))]
async fn team_settings(
    State(state): State<AppState>,
    me: Authed,
) -> Result<Json<TeamSettings>, AppError> {
    Ok(Json(state.service.team_settings(&me).await?))
}

/// Sets how many approvals a deploy needs, 0 to 10 (admins; audited).
#[utoipa::path(put, path = "/api/v1/team/settings", tag = "review", request_body = TeamSettings,
    responses((status = 200, body = TeamSettings), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn set_team_settings(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Body(input): Body<TeamSettings>,
) -> Result<Json<TeamSettings>, AppError> {
    Ok(Json(
        state
            .service
            .set_team_settings(&me, input, ip(&state, &parts).as_deref())
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct DiffQuery {
    /// The earlier version number.
    from: u32,
    /// The later version number.
    to: u32,
}

/// Version `from` against version `to`: the changes in AWS terms (security-relevant first),
/// per-element statuses for the overlay, and the findings introduced and resolved.
#[utoipa::path(get, path = "/api/v1/drafts/{id}/diff", tag = "review", params(("id" = Uuid, Path), DiffQuery),
    responses((status = 200, body = VersionDiff), (status = 404, body = ApiError)))]
async fn diff(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
    q: Result<Query<DiffQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<VersionDiff>, AppError> {
    let Query(q) = q.map_err(|_| ApiError::BadRequest {
        message: "Give the two version numbers to compare, e.g. ?from=1&to=2.".into(),
    })?;
    Ok(Json(state.service.diff(&me, id, q.from, q.to).await?))
}

/// A draft's review requests, decisions (void ones marked, with why) and the deploy gate
/// for its latest version.
#[utoipa::path(get, path = "/api/v1/drafts/{id}/review", tag = "review", params(("id" = Uuid, Path)),
    responses((status = 200, body = ReviewState), (status = 404, body = ApiError)))]
async fn review_state(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Json<ReviewState>, AppError> {
    Ok(Json(state.service.review_state(&me, id).await?))
}

/// Asks approvers of the team to review the latest version (editors and above).
#[utoipa::path(post, path = "/api/v1/drafts/{id}/review-requests", tag = "review", params(("id" = Uuid, Path)),
    request_body = NewReviewRequest,
    responses((status = 201, body = ReviewRequest), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn request_review(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Id(id): Id<Uuid>,
    Body(input): Body<NewReviewRequest>,
) -> Result<Response, AppError> {
    let r = state
        .service
        .request_review(&me, id, input, ip(&state, &parts).as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// Approves the latest version or requests changes. The author of a version cannot approve
/// it (403); a decision on a version that is no longer the latest is refused (409).
#[utoipa::path(post, path = "/api/v1/drafts/{id}/decisions", tag = "review", params(("id" = Uuid, Path)),
    request_body = NewDecision,
    responses((status = 201, body = ReviewDecision), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError), (status = 422, body = ApiError)))]
async fn decide(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Id(id): Id<Uuid>,
    Body(input): Body<NewDecision>,
) -> Result<Response, AppError> {
    let d = state
        .service
        .decide(&me, id, input, ip(&state, &parts).as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

/// Every comment thread of a draft, on every version, oldest first.
#[utoipa::path(get, path = "/api/v1/drafts/{id}/threads", tag = "review", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Thread>), (status = 404, body = ApiError)))]
async fn threads(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Json<Vec<Thread>>, AppError> {
    Ok(Json(state.service.threads(&me, id).await?))
}

/// Starts a thread pinned to a node, an edge or the draft, on one version.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/threads", tag = "review", params(("id" = Uuid, Path)),
    request_body = NewThread,
    responses((status = 201, body = Thread), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn create_thread(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
    Body(input): Body<NewThread>,
) -> Result<Response, AppError> {
    let t = state.service.create_thread(&me, id, input).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

/// Replies to a thread.
#[utoipa::path(post, path = "/api/v1/threads/{id}/comments", tag = "review", params(("id" = Uuid, Path)),
    request_body = NewComment,
    responses((status = 201, body = Thread), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn reply(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
    Body(input): Body<NewComment>,
) -> Result<Response, AppError> {
    let t = state.service.reply(&me, id, input).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

/// Resolves (`true`) or reopens (`false`) a thread: its starter, or editors and above.
#[utoipa::path(post, path = "/api/v1/threads/{id}/resolved", tag = "review", params(("id" = Uuid, Path)),
    request_body = SetResolved,
    responses((status = 200, body = Thread), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
async fn set_resolved(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
    Body(input): Body<SetResolved>,
) -> Result<Json<Thread>, AppError> {
    Ok(Json(state.service.set_resolved(&me, id, input).await?))
}

/// A draft's timeline: versions, review requests, comments, decisions and applies, newest first.
#[utoipa::path(get, path = "/api/v1/drafts/{id}/timeline", tag = "review", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<TimelineItem>), (status = 404, body = ApiError)))]
async fn timeline(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Json<Vec<TimelineItem>>, AppError> {
    Ok(Json(state.service.timeline(&me, id).await?))
}

/// Review requests waiting for the caller: on a draft's latest version, not yet decided.
#[utoipa::path(get, path = "/api/v1/reviews/inbox", tag = "review", responses((status = 200, body = Vec<ReviewRequest>)))]
async fn inbox(
    State(state): State<AppState>,
    me: Authed,
) -> Result<Json<Vec<ReviewRequest>>, AppError> {
    Ok(Json(state.service.inbox(&me).await?))
}
