//! Team isolation: every endpoint, called by a member of team B with team A's ids,
//! answers 404 (or 403) and changes nothing.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

async fn snapshot(pool: &PgPool) -> (i64, i64, String, i64) {
    let drafts: i64 = sqlx::query_scalar("SELECT count(*) FROM drafts")
        .fetch_one(pool)
        .await
        .unwrap();
    let versions: i64 = sqlx::query_scalar("SELECT count(*) FROM draft_versions")
        .fetch_one(pool)
        .await
        .unwrap();
    let names: String = sqlx::query_scalar(
        "SELECT string_agg(name || coalesce(archived_at::text, ''), ',' ORDER BY name) FROM drafts",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM memberships WHERE role = 'admin'")
        .fetch_one(pool)
        .await
        .unwrap();
    (drafts, versions, names, admins)
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_member_of_another_team_cannot_see_or_touch_anything(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = app.signup("ana").await;
    let d = ana.create_draft("secret", Some(example(None))).await;
    let (id, v1) = (
        d["summary"]["id"].as_str().unwrap().to_owned(),
        d["latest"]["id"].as_str().unwrap().to_owned(),
    );
    let ana_id = ana.get("/api/v1/me").await.json::<Value>().await.unwrap()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mallory = app.signup("mallory").await;
    let before = snapshot(&pool).await;

    let gets = [
        format!("/api/v1/drafts/{id}"),
        format!("/api/v1/drafts/{id}/versions"),
        format!("/api/v1/drafts/{id}/versions/1"),
        format!("/api/v1/drafts/{id}/export"),
    ];
    for path in &gets {
        let res = mallory.get(path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "GET {path}");
        assert!(
            !res.text().await.unwrap().contains("secret"),
            "GET {path} leaks nothing"
        );
    }
    let writes: Vec<(&str, String, Value)> = vec![
        (
            "PATCH",
            format!("/api/v1/drafts/{id}"),
            json!({"name": "pwned"}),
        ),
        ("POST", format!("/api/v1/drafts/{id}/duplicate"), json!({})),
        ("POST", format!("/api/v1/drafts/{id}/archive"), json!({})),
        (
            "POST",
            format!("/api/v1/drafts/{id}/versions"),
            json!({"base_version": v1, "content": example(Some("m"))}),
        ),
        (
            "PATCH",
            format!("/api/v1/team/members/{ana_id}"),
            json!({"role": "viewer"}),
        ),
    ];
    for (method, path, body) in &writes {
        let res = match *method {
            "PATCH" => mallory.patch(path, body).await,
            _ => mallory.post(path, body).await,
        };
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    assert_eq!(
        mallory
            .delete(&format!("/api/v1/team/members/{ana_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "DELETE a member of another team"
    );
    // The UI's server functions go through the same service, so they answer the same.
    let ana_thread = ana
        .post(
            &format!("/api/v1/drafts/{id}/threads"),
            &json!({"version": 1, "pin": {"type": "graph"}, "body": "private note"}),
        )
        .await;
    assert_eq!(ana_thread.status(), StatusCode::CREATED);
    let thread = ana_thread.json::<Value>().await.unwrap()["id"]
        .as_str()
        .map(str::to_owned);
    assert!(thread.is_some());
    let mut rpc: Vec<(&str, Value)> = vec![
        ("drafts/get", json!({"id": id})),
        ("drafts/versions", json!({"id": id})),
        ("drafts/version", json!({"id": id, "number": 1})),
        (
            "drafts/save",
            json!({"id": id, "input": {"base_version": v1, "content": example(Some("m"))}}),
        ),
        ("drafts/rename", json!({"id": id, "name": "pwned"})),
        ("deploy/applies", json!({"draft": id})),
        ("review/state", json!({"draft": id})),
        ("review/threads", json!({"draft": id})),
        ("review/diff", json!({"draft": id, "from": 1, "to": 1})),
        ("review/timeline", json!({"draft": id})),
        (
            "team/members/role",
            json!({"user_id": ana_id, "role": "viewer"}),
        ),
        ("team/members/remove", json!({"user_id": ana_id})),
    ];
    if let Some(t) = &thread {
        rpc.push((
            "review/threads/reply",
            json!({"thread": t, "input": {"body": "pwned"}}),
        ));
        rpc.push((
            "review/threads/resolve",
            json!({"thread": t, "resolved": true}),
        ));
    }
    for (endpoint, body) in &rpc {
        let res = mallory.post(&format!("/rpc/{endpoint}"), body).await;
        let status = res.status();
        let text = res.text().await.unwrap();
        assert_eq!(status, StatusCode::NOT_FOUND, "/rpc/{endpoint}: {text}");
        assert!(
            !text.contains("secret") && !text.contains("private note"),
            "/rpc/{endpoint} leaks nothing"
        );
    }
    let listed: Value = mallory
        .get("/api/v1/drafts?archived=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != id.as_str() && d["name"] != "secret"),
        "only mallory's own drafts"
    );
    let members: Value = mallory
        .get("/api/v1/team/members")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["email"] != "ana@example.com")
    );
    let audit: Value = mallory
        .get("/api/v1/team/audit")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] != "ana@example.com")
    );
    let page = mallory
        .get(&format!("/drafts/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("secret"));

    assert_eq!(snapshot(&pool).await, before, "nothing changed");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn without_a_session_every_api_call_is_401(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;
    let d = ana.create_draft("x", None).await;
    let id = d["summary"]["id"].as_str().unwrap();
    let nobody = app.anonymous();

    for path in [
        "/api/v1/me".to_owned(),
        "/api/v1/drafts".into(),
        format!("/api/v1/drafts/{id}"),
        "/api/v1/team/members".into(),
    ] {
        assert_eq!(
            nobody.get(&path).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    assert_eq!(
        nobody
            .post("/api/v1/drafts", &json!({"name": "x"}))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_malformed_id_is_a_404_like_any_unknown_one(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = app.signup("ana").await;

    let res = ana.get("/api/v1/drafts/not-a-uuid").await;

    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "not_found");
}
