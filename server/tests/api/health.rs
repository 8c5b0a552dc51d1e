//! `/healthz`: the version, the database and the sandbox emulator, as a probe sees them.

use crate::helpers::{TestApp, json_with, settings};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn healthz_reports_version_database_and_a_reachable_emulator(pool: PgPool) {
    let app = TestApp::spawn(pool).await;

    let body = json_with(app.anonymous().get("/healthz").await, StatusCode::OK).await;

    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"), "{body}");
    assert_eq!(body["database"], "ok", "{body}");
    assert_eq!(body["emulator"], "reachable", "{body}");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn healthz_says_when_the_emulator_is_unreachable(pool: PgPool) {
    // A port that was free a moment ago: nothing answers there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = TestApp::spawn_with(settings(Some(format!("http://{closed}"))), pool).await;

    let body: Value = app.anonymous().get("/healthz").await.json().await.unwrap();

    assert_eq!(body["database"], "ok");
    assert_eq!(body["emulator"], "unreachable");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn healthz_answers_503_when_the_database_is_gone(pool: PgPool) {
    let app = TestApp::spawn_with(settings(None), pool.clone()).await;
    pool.close().await;

    let res = app.anonymous().get("/healthz").await;

    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["database"], "error");
    assert_eq!(body["emulator"], "not_configured");
}
