//! The deploy API: targets, plans, applies, and a live progress stream (server-sent events)
//! that any replica can serve, because progress lives in Postgres.

use super::api::{Body, Id};
use crate::{auth::Authed, error::AppError, startup::AppState};
use app::api::*;
use axum::extract::State;
use axum::{
    Json, Router,
    http::{StatusCode, request::Parts},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::{get, post},
};
use std::{convert::Infallible, time::Duration};
use utoipa::OpenApi;
use uuid::Uuid;

/// How often the progress stream looks at the job. Steps are paced at about 15 per second,
/// so a quarter second shows every few steps without loading the database.
const POLL: Duration = Duration::from_millis(250);

/// The deploy routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/deploy/targets",
            get(list_targets).post(create_target),
        )
        .route("/api/v1/deploy/targets/{id}/archive", post(archive_target))
        .route("/api/v1/drafts/{id}/plans", post(create_plan))
        .route("/api/v1/drafts/{id}/applies", get(list_applies))
        .route("/api/v1/plans/{id}", get(get_plan))
        .route("/api/v1/plans/{id}/apply", post(apply_plan))
        .route("/api/v1/applies/{id}", get(get_apply))
        .route("/api/v1/applies/{id}/events", get(apply_events))
}

#[derive(OpenApi)]
#[openapi(
    paths(list_targets, create_target, archive_target, create_plan, list_applies, get_plan, apply_plan, get_apply, apply_events),
    components(schemas(Targets, DeployTarget, NewTarget, CredentialsMode, NewPlan, DeployPlan, PlanStep, ApplyJob, ApplyStep, JobStatus, StepStatus)),
    tags((name = "deploy", description = "Targets, plans bound to a version and a live snapshot, and applies run by the worker"))
)]
pub(super) struct DeployDoc;

fn ip(state: &AppState, parts: &Parts) -> Option<String> {
    state.service.client_ip(parts)
}

/// The team's deploy targets, the modes this server allows, and (for admins) the team's
/// external id for assume-role trust policies.
#[utoipa::path(get, path = "/api/v1/deploy/targets", tag = "deploy", responses((status = 200, body = Targets)))]
async fn list_targets(
    State(state): State<AppState>,
    me: Authed,
) -> Result<Json<Targets>, AppError> {
    Ok(Json(state.service.targets(&me).await?))
}

/// Adds a target (admins). No mode takes a secret.
#[utoipa::path(post, path = "/api/v1/deploy/targets", tag = "deploy", request_body = NewTarget,
    responses((status = 201, body = DeployTarget), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn create_target(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Body(input): Body<NewTarget>,
) -> Result<Response, AppError> {
    let t = state
        .service
        .create_target(&me, input, ip(&state, &parts).as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

/// Removes a target (admins); its plans and applies stay in the history.
#[utoipa::path(post, path = "/api/v1/deploy/targets/{id}/archive", tag = "deploy", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
async fn archive_target(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<StatusCode, AppError> {
    state
        .service
        .archive_target(&me, id, ip(&state, &parts).as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reads the target's live state and plans one version of the draft against it. Nothing
/// in AWS changes.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/plans", tag = "deploy", params(("id" = Uuid, Path)), request_body = NewPlan,
    responses((status = 201, body = DeployPlan), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn create_plan(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
    Body(input): Body<NewPlan>,
) -> Result<Response, AppError> {
    let p = state.service.create_plan(&me, id, input).await?;
    Ok((StatusCode::CREATED, Json(p)).into_response())
}

/// A stored plan.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "deploy", params(("id" = Uuid, Path)),
    responses((status = 200, body = DeployPlan), (status = 404, body = ApiError)))]
async fn get_plan(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Json<DeployPlan>, AppError> {
    Ok(Json(state.service.get_plan(&me, id).await?))
}

/// Queues the plan for the apply worker (approvers and admins). The review gate must be
/// open (enough valid approvals, no error findings) unless an admin sends an
/// `override_reason`, which is audited. 409 when the plan was already applied or queued;
/// the worker refuses a plan whose version or live state moved. The body is optional.
#[utoipa::path(post, path = "/api/v1/plans/{id}/apply", tag = "deploy", params(("id" = Uuid, Path)), request_body = Option<ApplyRequest>,
    responses((status = 202, body = ApplyJob), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError), (status = 422, body = ApiError)))]
async fn apply_plan(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Id(id): Id<Uuid>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let input: ApplyRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ApplyRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::Invalid {
            field: None,
            message: format!(
                "The body is not an apply request ({{\"override_reason\": \"…\"}}): {e}"
            ),
        })?
    };
    let job = state
        .service
        .apply_plan(&me, id, input, ip(&state, &parts).as_deref())
        .await?;
    Ok((StatusCode::ACCEPTED, Json(job)).into_response())
}

/// The draft's applies, newest first (without their steps).
#[utoipa::path(get, path = "/api/v1/drafts/{id}/applies", tag = "deploy", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<ApplyJob>), (status = 404, body = ApiError)))]
async fn list_applies(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Json<Vec<ApplyJob>>, AppError> {
    Ok(Json(state.service.list_applies(&me, id).await?))
}

/// An apply with every step of every attempt.
#[utoipa::path(get, path = "/api/v1/applies/{id}", tag = "deploy", params(("id" = Uuid, Path)),
    responses((status = 200, body = ApplyJob), (status = 404, body = ApiError)))]
async fn get_apply(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Json<ApplyJob>, AppError> {
    Ok(Json(state.service.get_apply(&me, id).await?))
}

/// Live progress as server-sent events: a `progress` event with the whole [`ApplyJob`]
/// whenever it changes, then `done` with the final state, then the stream ends.
#[utoipa::path(get, path = "/api/v1/applies/{id}/events", tag = "deploy", params(("id" = Uuid, Path)),
    responses((status = 200, description = "text/event-stream of `progress` and `done` events, each carrying an ApplyJob"), (status = 404, body = ApiError)))]
async fn apply_events(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Response, AppError> {
    // The first read answers 404 for another team's job before any stream starts.
    let first = state.service.get_apply(&me, id).await?;
    struct Cursor {
        state: AppState,
        me: Authed,
        id: Uuid,
        last: Option<ApplyJob>,
        next: Option<ApplyJob>,
        ended: bool,
    }
    let cursor = Cursor {
        state,
        me,
        id,
        last: None,
        next: Some(first),
        ended: false,
    };
    let stream = futures::stream::unfold(cursor, |mut c| async move {
        if c.ended {
            return None;
        }
        loop {
            let job = match c.next.take() {
                Some(j) => j,
                None => {
                    tokio::time::sleep(POLL).await;
                    // A stream can outlive the member's place in the team: removed members
                    // stop receiving progress at the next poll, not when the job ends.
                    match crate::store::users::member(c.state.service.pool(), c.me.user_id).await {
                        Ok(Some(m)) if m.team_id == c.me.team_id => {}
                        Ok(_) => return None,
                        Err(e) => {
                            tracing::error!(job = %c.id, error = %e, "apply progress stream failed");
                            return None;
                        }
                    }
                    match c.state.service.get_apply(&c.me, c.id).await {
                        Ok(j) => j,
                        Err(e) => {
                            // Logged once here; the client sees the stream end and can reload.
                            if let AppError::Internal(cause) = &e {
                                tracing::error!(job = %c.id, error = %cause, "apply progress stream failed");
                            }
                            return None;
                        }
                    }
                }
            };
            if c.last.as_ref() == Some(&job) {
                continue;
            }
            let finished = job.status.finished();
            let event = Event::default()
                .event(if finished { "done" } else { "progress" })
                .json_data(&job)
                .unwrap_or_else(|_| Event::default().event("error"));
            c.ended = finished;
            c.last = Some(job);
            return Some((Ok::<_, Infallible>(event), c));
        }
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}
