//! The typed session: who is signed in, checked against the database on every request so
//! that role changes and removals apply at once.

use crate::{error::AppError, startup::AppState, store};
use app::api::{ApiError, Me, Role};
use axum::{extract::FromRequestParts, http::request::Parts};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::time::Duration;
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

/// The session key holding [`SessionAuth`].
const AUTH_KEY: &str = "auth";

/// What the session stores: the user, when they signed in (for the absolute expiry), and
/// when the idle timer was last pushed back (unix milliseconds).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionAuth {
    user_id: Uuid,
    signed_in_at: i64,
    #[serde(default)]
    seen_at_ms: i64,
}

/// How long the store's idle expiry may lag behind the last request: a tenth of the idle
/// timeout, at most a minute. tower-sessions only writes a session it sees modified, so an
/// untouched session would expire `idle` after sign-in however busy its user is; touching
/// it on every request would instead cost a write per request.
fn refresh_every(idle: Duration) -> Duration {
    (idle / 10).min(Duration::from_secs(60))
}

/// A signed-in member: user, team and role, as the database says now.
#[derive(Debug, Clone, PartialEq)]
pub struct Authed {
    /// User id.
    pub user_id: Uuid,
    /// Email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// The team every query is scoped to.
    pub team_id: Uuid,
    /// Team name.
    pub team_name: String,
    /// Role in the team.
    pub role: Role,
}

impl Authed {
    /// Refuses unless the role is at least `min`.
    pub fn require(&self, min: Role, what: &str) -> Result<(), AppError> {
        if self.role >= min {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "Your role is {}; {what} needs {} or above. Ask an admin of {} to change it.",
                self.role.as_str(),
                min.as_str(),
                self.team_name
            ))
            .into())
        }
    }

    /// The wire form.
    pub fn me(&self) -> Me {
        Me {
            user_id: self.user_id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            team_id: self.team_id,
            team_name: self.team_name.clone(),
            role: self.role,
        }
    }
}

/// The request's session and, when signed in, the member.
pub struct AuthSession {
    session: Session,
    /// The signed-in member.
    pub user: Option<Authed>,
}

impl AuthSession {
    /// Reads the session from a request head (the session layer put it in the extensions).
    pub async fn from_parts(
        parts: &Parts,
        pool: &PgPool,
        idle: Duration,
        absolute: Duration,
    ) -> Result<Self, AppError> {
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("session layer missing")))?;
        let auth: Option<SessionAuth> = session
            .get(AUTH_KEY)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("reading the session: {e}")))?;
        let Some(auth) = auth else {
            return Ok(Self {
                session,
                user: None,
            });
        };
        let now = OffsetDateTime::now_utc();
        let age = now.unix_timestamp() - auth.signed_in_at;
        if age < 0 || age as u64 > absolute.as_secs() {
            // Past the absolute lifetime: end it server-side, whatever the idle timer says.
            session.flush().await.map_err(|e| {
                AppError::Internal(anyhow::anyhow!("ending an expired session: {e}"))
            })?;
            return Ok(Self {
                session,
                user: None,
            });
        }
        let user = store::users::member(pool, auth.user_id).await?;
        let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        let since = Duration::from_millis(now_ms.saturating_sub(auth.seen_at_ms).max(0) as u64);
        if user.is_some() && since >= refresh_every(idle) {
            // Modified, so the layer saves it with a fresh idle expiry and re-sends the cookie.
            let seen = SessionAuth {
                seen_at_ms: now_ms,
                ..auth
            };
            session
                .insert(AUTH_KEY, seen)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("refreshing the session: {e}")))?;
        }
        Ok(Self { session, user })
    }

    /// The member, or 401.
    pub fn require(&self) -> Result<&Authed, AppError> {
        self.user
            .as_ref()
            .ok_or_else(|| ApiError::unauthorized().into())
    }

    /// Starts a signed-in session under a new id, so an id known before sign-in is useless after.
    pub async fn sign_in(&mut self, user_id: Uuid) -> Result<(), AppError> {
        let err =
            |e: tower_sessions::session::Error| AppError::Internal(anyhow::anyhow!("session: {e}"));
        self.session.cycle_id().await.map_err(err)?;
        let now = OffsetDateTime::now_utc();
        let auth = SessionAuth {
            user_id,
            signed_in_at: now.unix_timestamp(),
            seen_at_ms: (now.unix_timestamp_nanos() / 1_000_000) as i64,
        };
        self.session.insert(AUTH_KEY, auth).await.map_err(err)?;
        Ok(())
    }

    /// Ends the session and deletes it from the store.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        self.session
            .flush()
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("ending the session: {e}")))
    }
}

impl FromRequestParts<AppState> for AuthSession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let config = state.service.config();
        AuthSession::from_parts(
            parts,
            state.service.pool(),
            config.session_idle,
            config.session_absolute,
        )
        .await
    }
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = AuthSession::from_request_parts(parts, state).await?;
        auth.user.ok_or_else(|| ApiError::unauthorized().into())
    }
}
