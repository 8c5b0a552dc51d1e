//! OpenAPI, the graph schema and Prometheus metrics.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn the_openapi_document_describes_every_v1_route(pool: PgPool) {
    let app = TestApp::spawn(pool).await;

    let doc: Value = app
        .anonymous()
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .unwrap();

    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/signup",
        "/api/v1/drafts",
        "/api/v1/drafts/{id}/versions",
        "/api/v1/team/audit",
    ] {
        assert!(paths.contains_key(p), "{p}");
    }
    assert!(doc["components"]["schemas"]["SaveDraft"].is_object());
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn the_graph_json_schema_is_served(pool: PgPool) {
    let app = TestApp::spawn(pool).await;

    let schema: Value = app
        .anonymous()
        .get("/api/schema/graph.json")
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(schema["title"], "Eventloom wiring graph, schema 1");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn metrics_count_requests_by_route_and_status_and_show_the_pool(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    ana.get("/api/v1/drafts").await;

    let res = app.anonymous().get("/metrics").await;

    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/drafts\",status=\"200\"}"
        ),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("db_pool_connections"), "{text}");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn metrics_are_not_served_through_a_proxy_and_a_token_guards_them_when_set(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let proxied = app
        .anonymous()
        .client
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status(), StatusCode::FORBIDDEN);

    let mut s = settings(None);
    s.metrics_token = Some("scrape-secret".into());
    let app = TestApp::spawn_with(s, pool).await;
    let anon = app.anonymous();
    assert_eq!(anon.get("/metrics").await.status(), StatusCode::FORBIDDEN);
    let wrong = anon
        .client
        .get(app.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let scraper = anon
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(scraper.status(), StatusCode::OK);
    assert!(
        scraper
            .text()
            .await
            .unwrap()
            .contains("db_pool_connections")
    );
}
