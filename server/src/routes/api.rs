//! The REST API under `/api/v1`, described by OpenAPI at `/api/openapi.json`. Handlers
//! only translate HTTP to the service layer.

use crate::{
    auth::{AuthSession, Authed},
    error::AppError,
    startup::AppState,
};
use app::api::*;
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, patch, post},
};
use serde::Deserialize;
use utoipa::OpenApi;
use uuid::Uuid;

/// The `/api` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/schema/graph.json", get(graph_schema))
        .route("/api/v1/auth/signup", post(sign_up))
        .route("/api/v1/auth/signin", post(sign_in))
        .route("/api/v1/auth/signout", post(sign_out))
        .route("/api/v1/me", get(me))
        .route("/api/v1/team/members", get(members))
        .route(
            "/api/v1/team/members/{user_id}",
            patch(set_role).delete(remove_member),
        )
        .route("/api/v1/team/invitations", post(invite))
        .route("/api/v1/team/audit", get(audit))
        .route("/api/v1/drafts", get(list_drafts).post(create_draft))
        .route("/api/v1/drafts/import", post(import_draft))
        .route("/api/v1/drafts/{id}", get(get_draft).patch(rename_draft))
        .route("/api/v1/drafts/{id}/duplicate", post(duplicate_draft))
        .route("/api/v1/drafts/{id}/archive", post(archive_draft))
        .route("/api/v1/drafts/{id}/export", get(export_draft))
        .route(
            "/api/v1/drafts/{id}/versions",
            get(list_versions).post(save_draft),
        )
        .route("/api/v1/drafts/{id}/versions/{number}", get(get_version))
}

/// A JSON body whose rejection is our 400/413/422 with a message, not axum's plain text.
/// A value of the wrong shape is a 422 whose `field` is the path to it (`content.nodes`).
pub struct Body<T>(pub(crate) T);

impl<T, S> axum::extract::FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim)
            .is_some_and(|m| m == "application/json" || m.ends_with("+json"));
        if !json {
            return Err(ApiError::BadRequest {
                message: "Send the body as JSON with Content-Type: application/json.".into(),
            }
            .into());
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge {
                        message: "The request body is larger than this server accepts.".into(),
                    }
                } else {
                    ApiError::BadRequest {
                        message: e.body_text(),
                    }
                }
            })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut *de) {
            Ok(v) => match de.end() {
                Ok(()) => Ok(Body(v)),
                Err(e) => Err(ApiError::BadRequest {
                    message: format!("The body is not valid JSON: {e}."),
                }
                .into()),
            },
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                Err(if inner.is_syntax() || inner.is_eof() {
                    ApiError::BadRequest {
                        message: format!("The body is not valid JSON: {inner}."),
                    }
                } else if path == "." {
                    ApiError::Invalid {
                        field: None,
                        message: format!("The body does not have the expected shape: {inner}."),
                    }
                } else {
                    ApiError::Invalid {
                        message: format!("{path}: {inner}."),
                        field: Some(path),
                    }
                }
                .into())
            }
        }
    }
}

/// Query-string parameters whose rejection is a JSON 400 naming the problem.
pub struct Params<T>(pub(crate) T);

impl<T, S> axum::extract::FromRequestParts<S> for Params<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(Params(v)),
            Err(e) => Err(ApiError::BadRequest {
                message: format!(
                    "The query string is not valid ({}); see /api/openapi.json for this endpoint's parameters.",
                    e.body_text()
                ),
            }
            .into()),
        }
    }
}

/// A path parameter whose rejection (a malformed id) is a 404, like any id that does not
/// exist: the API does not tell apart "not yours", "gone" and "never was".
pub struct Id<T>(pub(crate) T);

impl<T, S> axum::extract::FromRequestParts<S> for Id<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(Id(v)),
            Err(_) => Err(ApiError::not_found("resource").into()),
        }
    }
}

fn ip(state: &AppState, parts: &Parts) -> Option<String> {
    state.service.client_ip(parts)
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Eventloom API", description = "Drafts of AWS Lambda event wiring, their versions, and the team that owns them. Every call is scoped to the caller's team; another team's resource answers 404.", version = "1"),
    paths(sign_up, sign_in, sign_out, me, members, set_role, remove_member, invite, audit, list_drafts, create_draft, import_draft, get_draft, rename_draft, duplicate_draft, archive_draft, export_draft, list_versions, save_draft, get_version),
    components(schemas(ApiError, Me, SignUp, SignIn, Member, SetRole, NewInvitation, Invitation, AuditEntry, Role, DraftSummary, DraftVersion, Draft, NewDraft, RenameDraft, SaveDraft)),
    tags((name = "auth"), (name = "team"), (name = "drafts"))
)]
struct ApiDoc;

/// The OpenAPI document.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(super::deploy::DeployDoc::openapi());
    doc.merge(super::review::ReviewDoc::openapi());
    doc
}

async fn openapi() -> impl IntoResponse {
    Json(openapi_document())
}

async fn graph_schema() -> impl IntoResponse {
    Json(wiring::schema::graph_schema())
}

/// Creates an account and signs in.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignUp,
    responses((status = 201, body = Me), (status = 422, body = ApiError)))]
async fn sign_up(
    State(state): State<AppState>,
    parts: Parts,
    mut session: AuthSession,
    Body(input): Body<SignUp>,
) -> Result<Response, AppError> {
    let me = state
        .service
        .sign_up(&mut session, input, ip(&state, &parts).as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(me)).into_response())
}

/// Signs in; the session id is rotated.
#[utoipa::path(post, path = "/api/v1/auth/signin", tag = "auth", request_body = SignIn,
    responses((status = 200, body = Me), (status = 401, body = ApiError), (status = 429, body = ApiError)))]
async fn sign_in(
    State(state): State<AppState>,
    parts: Parts,
    mut session: AuthSession,
    Body(input): Body<SignIn>,
) -> Result<Response, AppError> {
    match state
        .service
        .sign_in(&mut session, input, ip(&state, &parts).as_deref())
        .await
    {
        Ok(me) => Ok(Json(me).into_response()),
        Err(AppError::Client(ApiError::RateLimited {
            message,
            retry_after_secs,
        })) => {
            let body = ApiError::RateLimited {
                message,
                retry_after_secs,
            };
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                Json(body),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}

/// Signs out; the session is deleted on the server.
#[utoipa::path(post, path = "/api/v1/auth/signout", tag = "auth", responses((status = 204)))]
async fn sign_out(
    State(state): State<AppState>,
    parts: Parts,
    session: AuthSession,
) -> Result<StatusCode, AppError> {
    state
        .service
        .sign_out(&session, ip(&state, &parts).as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user, team and role.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = ApiError)))]
async fn me(me: Authed) -> Json<Me> {
    Json(me.me())
}

/// The team's members.
#[utoipa::path(get, path = "/api/v1/team/members", tag = "team", responses((status = 200, body = Vec<Member>)))]
async fn members(State(state): State<AppState>, me: Authed) -> Result<Json<Vec<Member>>, AppError> {
    Ok(Json(state.service.members(&me).await?))
}

/// Removes a member from the team (admins); the last admin cannot be removed.
#[utoipa::path(delete, path = "/api/v1/team/members/{user_id}", tag = "team",
    params(("user_id" = Uuid, Path)), responses((status = 200, body = Vec<Member>), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn remove_member(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Id(user_id): Id<Uuid>,
) -> Result<Json<Vec<Member>>, AppError> {
    Ok(Json(
        state
            .service
            .remove_member(&me, user_id, ip(&state, &parts).as_deref())
            .await?,
    ))
}

/// Changes a member's role (admins).
#[utoipa::path(patch, path = "/api/v1/team/members/{user_id}", tag = "team", request_body = SetRole,
    params(("user_id" = Uuid, Path)), responses((status = 200, body = Vec<Member>), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
async fn set_role(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Id(user_id): Id<Uuid>,
    Body(input): Body<SetRole>,
) -> Result<Json<Vec<Member>>, AppError> {
    Ok(Json(
        state
            .service
            .set_role(&me, user_id, input, ip(&state, &parts).as_deref())
            .await?,
    ))
}

/// Creates a one-time invitation link (admins). The token is shown only here.
#[utoipa::path(post, path = "/api/v1/team/invitations", tag = "team", request_body = NewInvitation,
    responses((status = 201, body = Invitation), (status = 403, body = ApiError)))]
async fn invite(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Body(input): Body<NewInvitation>,
) -> Result<Response, AppError> {
    let inv = state
        .service
        .invite(&me, input, ip(&state, &parts).as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(inv)).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
struct AuditQuery {
    /// At most this many entries (1–1000, default 200).
    limit: Option<i64>,
}

/// The team's audit log, newest first (admins).
#[utoipa::path(get, path = "/api/v1/team/audit", tag = "team", params(AuditQuery),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = ApiError)))]
async fn audit(
    State(state): State<AppState>,
    me: Authed,
    Params(q): Params<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, AppError> {
    Ok(Json(
        state.service.audit(&me, q.limit.unwrap_or(200)).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ListQuery {
    /// Include archived drafts.
    #[serde(default)]
    archived: bool,
}

/// The team's drafts, most recently saved first, with their latest version's counts.
#[utoipa::path(get, path = "/api/v1/drafts", tag = "drafts", params(ListQuery), responses((status = 200, body = Vec<DraftSummary>)))]
async fn list_drafts(
    State(state): State<AppState>,
    me: Authed,
    Params(q): Params<ListQuery>,
) -> Result<Json<Vec<DraftSummary>>, AppError> {
    Ok(Json(state.service.list_drafts(&me, q.archived).await?))
}

/// Creates a draft (empty, or from `content`).
#[utoipa::path(post, path = "/api/v1/drafts", tag = "drafts", request_body = NewDraft,
    responses((status = 201, body = Draft), (status = 422, body = ApiError)))]
async fn create_draft(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Body(input): Body<NewDraft>,
) -> Result<Response, AppError> {
    let d = state
        .service
        .create_draft(&me, input, ip(&state, &parts).as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ImportQuery {
    /// The new draft's name, when the body is a bare graph document (default "Imported draft").
    name: Option<String>,
}

/// Imports a graph document as a new draft: the file `export` gives (a bare graph document,
/// named by `?name=`), or `{name, content}`.
#[utoipa::path(post, path = "/api/v1/drafts/import", tag = "drafts", params(ImportQuery),
    request_body(content = Object, description = "A graph document (see /api/schema/graph.json), or a NewDraft with it in `content`"),
    responses((status = 201, body = Draft), (status = 422, body = ApiError)))]
async fn import_draft(
    state: State<AppState>,
    parts: Parts,
    me: Authed,
    Params(q): Params<ImportQuery>,
    Body(body): Body<serde_json::Value>,
) -> Result<Response, AppError> {
    let input = if body.get("schema").is_some() {
        NewDraft {
            name: q.name.unwrap_or_else(|| "Imported draft".into()),
            content: Some(body),
        }
    } else {
        let mut input: NewDraft = serde_json::from_value(body).map_err(|e| ApiError::Invalid {
            field: None,
            message: format!(
                "Send the exported graph document itself, or {{\"name\": …, \"content\": graph}}: {e}."
            ),
        })?;
        if let Some(name) = q.name {
            input.name = name;
        }
        input
    };
    if input.content.is_none() {
        return Err(ApiError::invalid(
            "content",
            "An import needs the graph document in `content`.",
        )
        .into());
    }
    create_draft(state, parts, me, Body(input)).await
}

/// A draft and its latest version.
#[utoipa::path(get, path = "/api/v1/drafts/{id}", tag = "drafts", params(("id" = Uuid, Path)),
    responses((status = 200, body = Draft), (status = 404, body = ApiError)))]
async fn get_draft(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Json<Draft>, AppError> {
    Ok(Json(state.service.get_draft(&me, id).await?))
}

/// Renames a draft.
#[utoipa::path(patch, path = "/api/v1/drafts/{id}", tag = "drafts", params(("id" = Uuid, Path)), request_body = RenameDraft,
    responses((status = 200, body = DraftSummary), (status = 404, body = ApiError)))]
async fn rename_draft(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
    Body(input): Body<RenameDraft>,
) -> Result<Json<DraftSummary>, AppError> {
    Ok(Json(state.service.rename_draft(&me, id, input).await?))
}

/// Copies a draft's latest version into a new draft.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/duplicate", tag = "drafts", params(("id" = Uuid, Path)),
    responses((status = 201, body = Draft), (status = 404, body = ApiError)))]
async fn duplicate_draft(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Response, AppError> {
    let d = state
        .service
        .duplicate_draft(&me, id, ip(&state, &parts).as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

/// Archives a draft: it stays readable and refuses saves.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/archive", tag = "drafts", params(("id" = Uuid, Path)),
    responses((status = 200, body = DraftSummary), (status = 404, body = ApiError)))]
async fn archive_draft(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Json<DraftSummary>, AppError> {
    Ok(Json(state.service.archive_draft(&me, id).await?))
}

/// The latest version's graph, as a downloadable document in the published schema.
#[utoipa::path(get, path = "/api/v1/drafts/{id}/export", tag = "drafts", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The graph document (see /api/schema/graph.json)"), (status = 404, body = ApiError)))]
async fn export_draft(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Response, AppError> {
    let d = state.service.get_draft(&me, id).await?;
    let file: String = d
        .summary
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}.eventloom.json\""),
        )],
        Json(d.latest.content),
    )
        .into_response())
}

/// Every version, newest first (content omitted: fetch one version for it).
#[utoipa::path(get, path = "/api/v1/drafts/{id}/versions", tag = "drafts", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<DraftVersion>), (status = 404, body = ApiError)))]
async fn list_versions(
    State(state): State<AppState>,
    me: Authed,
    Id(id): Id<Uuid>,
) -> Result<Json<Vec<DraftVersion>>, AppError> {
    Ok(Json(state.service.list_versions(&me, id).await?))
}

/// Saves a new version edited from `base_version` (201). 200 with the base version when the
/// graph is unchanged, so nothing new is stored. 409 when someone saved in between; the body
/// then carries the latest version.
#[utoipa::path(post, path = "/api/v1/drafts/{id}/versions", tag = "drafts", params(("id" = Uuid, Path)), request_body = SaveDraft,
    responses((status = 201, body = DraftVersion), (status = 200, body = DraftVersion), (status = 403, body = ApiError), (status = 404, body = ApiError),
        (status = 409, body = ApiError), (status = 413, body = ApiError), (status = 422, body = ApiError)))]
async fn save_draft(
    State(state): State<AppState>,
    parts: Parts,
    me: Authed,
    Id(id): Id<Uuid>,
    Body(input): Body<SaveDraft>,
) -> Result<Response, AppError> {
    let base = input.base_version;
    let v = state
        .service
        .save_draft(&me, id, input, ip(&state, &parts).as_deref())
        .await?;
    let status = if v.id == base {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(v)).into_response())
}

/// One version with its graph.
#[utoipa::path(get, path = "/api/v1/drafts/{id}/versions/{number}", tag = "drafts",
    params(("id" = Uuid, Path), ("number" = u32, Path)), responses((status = 200, body = DraftVersion), (status = 404, body = ApiError)))]
async fn get_version(
    State(state): State<AppState>,
    me: Authed,
    Id((id, number)): Id<(Uuid, u32)>,
) -> Result<Json<DraftVersion>, AppError> {
    Ok(Json(state.service.get_version(&me, id, number).await?))
}
