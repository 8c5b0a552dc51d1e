//! `GET /healthz`: the version, whether Postgres answers, and whether the sandbox emulator does.

use crate::startup::AppState;
use axum::{Json, extract::State, http::StatusCode};
use serde::Serialize;
use std::time::Duration;

/// The health report.
#[derive(Debug, Serialize)]
pub struct Health {
    /// The server's version.
    pub version: &'static str,
    /// `ok` or `error`.
    pub database: &'static str,
    /// `reachable`, `unreachable`, or `not_configured` when no sandbox endpoint is set.
    pub emulator: &'static str,
}

/// Answers 200 when the database is usable and 503 when it is not; the emulator is
/// reported but optional, since real AWS targets do not need it.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    // Both checks run at once, so the answer takes as long as the slower one, not the sum.
    let (database, emulator) = tokio::join!(database(&state), emulator(&state));
    let status = if database == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Health {
            version: env!("CARGO_PKG_VERSION"),
            database,
            emulator,
        }),
    )
}

async fn database(state: &AppState) -> &'static str {
    let db = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query("SELECT 1").execute(state.service.pool()),
    )
    .await;
    match db {
        Ok(Ok(_)) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health: database check failed");
            "error"
        }
        Err(_) => {
            tracing::warn!("health: database check timed out");
            "error"
        }
    }
}

async fn emulator(state: &AppState) -> &'static str {
    match &state.sandbox {
        None => "not_configured",
        Some(sdk) => match crate::aws::lambda_reachable(sdk).await {
            Ok(()) => "reachable",
            Err(e) => {
                tracing::warn!(error = %e, "health: sandbox emulator unreachable");
                "unreachable"
            }
        },
    }
}
