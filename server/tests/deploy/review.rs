//! Team review over the API: requests and inbox, decisions bound to a version, comment
//! threads pinned to elements, the diff, the timeline, and the deploy gate at apply time.

use crate::helpers::*;
use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

fn small(emu: &Emu) -> wiring::Graph {
    fixed(
        emu,
        json!({
            "nodes": {
                "t": { "kind": "sns_topic", "name": "events" },
                "f": { "kind": "function", "name": "consume", "timeout": 10, "role": { "name": "consume-role" } },
            },
            "edges": { "e": { "from": "t", "to": "f", "kind": { "type": "trigger" } } }
        }),
    )
}

/// An author (admin, default rule of one approval), an approver, and a clean draft.
struct Team {
    app: TestApp,
    author: User,
    reviewer: User,
    reviewer_id: String,
    emu: Emu,
    target: String,
    draft: String,
    graph: wiring::Graph,
}

async fn team(pool: PgPool) -> Team {
    let app = TestApp::spawn(pool).await;
    let author = solo_admin(&app).await;
    let reviewer = app.invite(&author, "rita", "approver").await;
    let me: Value = reviewer.get("/api/v1/me").await.json().await.unwrap();
    let reviewer_id = me["user_id"].as_str().unwrap().to_owned();
    let emu = Emu::new().await;
    let target = add_target(&author, &emu, "emu").await;
    let graph = small(&emu);
    emu.seed(&graph).await;
    let draft = draft(&author, "orders", &graph).await;
    Team {
        app,
        author,
        reviewer,
        reviewer_id,
        emu,
        target,
        draft,
        graph,
    }
}

async fn decide(user: &User, draft: &str, version: u32, decision: &str) -> reqwest::Response {
    user.post(
        &format!("/api/v1/drafts/{draft}/decisions"),
        &json!({ "version": version, "decision": decision, "comment": "looked at the grants" }),
    )
    .await
}

async fn try_apply(user: &User, plan: &Value, body: Option<Value>) -> reqwest::Response {
    let path = format!("/api/v1/plans/{}/apply", plan["id"].as_str().unwrap());
    match body {
        Some(b) => user.post(&path, &b).await,
        None => user.post_empty(&path).await,
    }
}

async fn audit_actions(admin: &User) -> Vec<Value> {
    admin
        .get("/api/v1/team/audit")
        .await
        .json::<Vec<Value>>()
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn the_author_of_a_version_cannot_approve_it(pool: PgPool) {
    let t = team(pool).await;

    let res = decide(&t.author, &t.draft, 1, "approve").await;

    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("other than its author"),
        "{err}"
    );
    let state: Value = t
        .author
        .get(&format!("/api/v1/drafts/{}/review", t.draft))
        .await
        .json()
        .await
        .unwrap();
    assert!(state["decisions"].as_array().unwrap().is_empty());
    assert_eq!(state["gate"]["open"], false);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn another_teams_approval_is_refused_as_not_found(pool: PgPool) {
    let t = team(pool).await;
    let mallory = solo_admin(&t.app).await;

    let res = decide(&mallory, &t.draft, 1, "approve").await;

    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    for path in [
        format!("/api/v1/drafts/{}/review", t.draft),
        format!("/api/v1/drafts/{}/threads", t.draft),
        format!("/api/v1/drafts/{}/diff?from=1&to=1", t.draft),
        format!("/api/v1/drafts/{}/timeline", t.draft),
    ] {
        assert_eq!(
            mallory.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "GET {path}"
        );
    }
    let res = mallory
        .post(
            &format!("/api/v1/drafts/{}/threads", t.draft),
            &json!({ "version": 1, "pin": { "type": "graph" }, "body": "hi" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Nothing was recorded for the draft.
    let state: Value = t
        .author
        .get(&format!("/api/v1/drafts/{}/review", t.draft))
        .await
        .json()
        .await
        .unwrap();
    assert!(state["decisions"].as_array().unwrap().is_empty());
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_approved_version_deploys_and_the_plan_shows_the_approval(pool: PgPool) {
    let t = team(pool).await;
    let req = t
        .author
        .post(
            &format!("/api/v1/drafts/{}/review-requests", t.draft),
            &json!({ "version": 1, "reviewers": [t.reviewer_id], "note": "new SNS trigger" }),
        )
        .await;
    assert_eq!(
        req.status(),
        StatusCode::CREATED,
        "{}",
        req.text().await.unwrap()
    );
    let inbox: Vec<Value> = t
        .reviewer
        .get("/api/v1/reviews/inbox")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0]["draft_name"], "orders");
    assert_eq!(inbox[0]["version"], 1);

    let res = decide(&t.reviewer, &t.draft, 1, "approve").await;
    json_with(res, StatusCode::CREATED).await;
    let p = plan(&t.author, &t.draft, 1, &t.target).await;

    assert_eq!(p["gate"]["open"], true, "{:#}", p["gate"]);
    assert_eq!(p["gate"]["approvals"][0]["reviewer"], "rita");
    let res = try_apply(&t.author, &p, None).await;
    let job = json_with(res, StatusCode::ACCEPTED).await;
    let done = wait(&t.author, job["id"].as_str().unwrap(), 60).await;
    assert_eq!(done["status"], "succeeded", "{done:#}");
    assert_eq!(t.emu.statements("consume").await.len(), 1);
    let inbox: Vec<Value> = t
        .reviewer
        .get("/api/v1/reviews/inbox")
        .await
        .json()
        .await
        .unwrap();
    assert!(inbox.is_empty(), "a decided request leaves the inbox");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_new_version_voids_the_approval_and_apply_refuses_the_old_plan(pool: PgPool) {
    let t = team(pool).await;
    assert_eq!(
        decide(&t.reviewer, &t.draft, 1, "approve").await.status(),
        StatusCode::CREATED
    );
    let p = plan(&t.author, &t.draft, 1, &t.target).await;
    assert_eq!(p["gate"]["open"], true);
    let mut g = t.graph.clone();
    if let Some(wiring::Node::Function(f)) = g.nodes.values_mut().find(|n| n.name() == "consume") {
        f.timeout = 20;
    }
    let v2 = save(&t.author, &t.draft, &g).await;
    assert_eq!(v2, 2);

    let res = try_apply(&t.author, &p, None).await;

    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    let msg = err["message"].as_str().unwrap();
    assert!(msg.contains("not the latest"), "{msg}");
    assert!(
        t.emu.statements("consume").await.is_empty(),
        "nothing applied"
    );
    let state: Value = t
        .author
        .get(&format!("/api/v1/drafts/{}/review", t.draft))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        state["decisions"][0]["void"]
            .as_str()
            .unwrap()
            .contains("version 2 was saved"),
        "{state:#}"
    );
    assert_eq!(state["gate"]["version"], 2);
    assert_eq!(state["gate"]["open"], false);
    // A decision on the old version is refused outright.
    assert_eq!(
        decide(&t.reviewer, &t.draft, 1, "approve").await.status(),
        StatusCode::CONFLICT
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_override_needs_an_admin_and_a_reason_and_is_audited(pool: PgPool) {
    let t = team(pool).await;
    let p = plan(&t.author, &t.draft, 1, &t.target).await;
    assert_eq!(p["gate"]["open"], false);
    assert!(
        p["gate"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("Needs 1 approval"),
        "{:#}",
        p["gate"]
    );

    let res = try_apply(&t.author, &p, None).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "override_reason");
    let res = try_apply(&t.author, &p, Some(json!({ "override_reason": "   " }))).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a blank reason is no reason"
    );
    let res = try_apply(
        &t.reviewer,
        &p,
        Some(json!({ "override_reason": "hotfix" })),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "approvers cannot override"
    );

    let res = try_apply(
        &t.author,
        &p,
        Some(json!({ "override_reason": "Incident 42: restore the trigger now" })),
    )
    .await;

    let job = json_with(res, StatusCode::ACCEPTED).await;
    assert_eq!(
        job["override_reason"],
        "Incident 42: restore the trigger now"
    );
    wait(&t.author, job["id"].as_str().unwrap(), 60).await;
    let log = audit_actions(&t.author).await;
    let entry = log
        .iter()
        .find(|e| e["action"] == "deploy.gate_overridden")
        .expect("override audited");
    assert_eq!(
        entry["detail"]["reason"],
        "Incident 42: restore the trigger now"
    );
    assert_eq!(entry["detail"]["version"], 1);
    let timeline: Vec<Value> = t
        .author
        .get(&format!("/api/v1/drafts/{}/timeline", t.draft))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        timeline.iter().any(|i| i["kind"] == "apply"
            && i["text"]
                .as_str()
                .unwrap()
                .contains("review gate overridden")),
        "{timeline:#?}"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn requested_changes_and_error_findings_keep_the_gate_shut(pool: PgPool) {
    let t = team(pool).await;
    let res = t
        .reviewer
        .post(
            &format!("/api/v1/drafts/{}/decisions", t.draft),
            &json!({ "version": 1, "decision": "request_changes" }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "changes need a comment"
    );
    let res = t
        .reviewer
        .post(
            &format!("/api/v1/drafts/{}/decisions", t.draft),
            &json!({ "version": 1, "decision": "request_changes", "comment": "add a DLQ" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let state: Value = t
        .author
        .get(&format!("/api/v1/drafts/{}/review", t.draft))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        state["gate"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r
                .as_str()
                .unwrap()
                .contains("rita requested changes on version 1: add a DLQ")),
        "{:#}",
        state["gate"]
    );
    // The reviewer changes their mind: the later decision counts.
    assert_eq!(
        decide(&t.reviewer, &t.draft, 1, "approve").await.status(),
        StatusCode::CREATED
    );
    let state: Value = t
        .author
        .get(&format!("/api/v1/drafts/{}/review", t.draft))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state["gate"]["open"], true, "{:#}", state["gate"]);
    assert!(
        state["decisions"][1]["void"]
            .as_str()
            .unwrap()
            .contains("Superseded")
    );

    // A version with an error finding cannot pass, approved or not.
    let broken = json!({
        "schema": 1,
        "nodes": {
            "b": { "kind": "s3_bucket", "name": format!("up-{}", t.emu.account) },
            "f": { "kind": "function", "name": "consume", "role": { "name": "consume-role" } },
        },
        "edges": { "e": { "from": "b", "to": "f", "kind": { "type": "trigger", "events": ["s3:ObjectCreated:*"] } } }
    });
    let d = t.author.create_draft("broken", Some(broken)).await;
    let id = d["summary"]["id"].as_str().unwrap();
    assert!(d["latest"]["errors"].as_u64().unwrap() > 0);
    assert_eq!(
        decide(&t.reviewer, id, 1, "approve").await.status(),
        StatusCode::CREATED
    );
    let state: Value = t
        .author
        .get(&format!("/api/v1/drafts/{id}/review"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state["gate"]["open"], false);
    assert!(
        state["gate"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("error finding"),
        "{:#}",
        state["gate"]
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn reviewers_must_be_approvers_and_not_the_author(pool: PgPool) {
    let t = team(pool).await;
    let ed = t.app.invite(&t.author, "eddie", "editor").await;
    let ed_id = ed.get("/api/v1/me").await.json::<Value>().await.unwrap()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let author_id = t
        .author
        .get("/api/v1/me")
        .await
        .json::<Value>()
        .await
        .unwrap()["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (who, needle) in [(ed_id, "an editor"), (author_id, "cannot review it")] {
        let res = t
            .author
            .post(
                &format!("/api/v1/drafts/{}/review-requests", t.draft),
                &json!({ "version": 1, "reviewers": [who] }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let err: Value = res.json().await.unwrap();
        assert!(err["message"].as_str().unwrap().contains(needle), "{err}");
    }
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn threads_pin_to_elements_and_survive_their_deletion(pool: PgPool) {
    let t = team(pool).await;
    let res = t
        .reviewer
        .post(
            &format!("/api/v1/drafts/{}/threads", t.draft),
            &json!({ "version": 1, "pin": { "type": "edge", "id": "e" }, "body": "Should this be FIFO?" }),
        )
        .await;
    let thread = json_with(res, StatusCode::CREATED).await;
    assert_eq!(thread["label"], "trigger events → consume");
    let tid = thread["id"].as_str().unwrap();
    let res = t
        .author
        .post(
            &format!("/api/v1/threads/{tid}/comments"),
            &json!({ "body": "No, order does not matter here." }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = t
        .author
        .post(
            &format!("/api/v1/drafts/{}/threads", t.draft),
            &json!({ "version": 1, "pin": { "type": "node", "id": "nope" }, "body": "?" }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a pin must name an element of the version"
    );

    // The edge is deleted in version 2; the thread stays, on version 1.
    let mut g = t.graph.clone();
    g.edges.clear();
    save(&t.author, &t.draft, &g).await;
    let res = t
        .author
        .post(
            &format!("/api/v1/threads/{tid}/resolved"),
            &json!({ "resolved": true }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let threads: Vec<Value> = t
        .reviewer
        .get(&format!("/api/v1/drafts/{}/threads", t.draft))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0]["version"], 1);
    assert_eq!(threads[0]["pin"], json!({ "type": "edge", "id": "e" }));
    assert_eq!(threads[0]["resolved"], true);
    let bodies: Vec<&str> = threads[0]["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["Should this be FIFO?", "No, order does not matter here."]
    );
    let res = t
        .reviewer
        .post(
            &format!("/api/v1/threads/{tid}/resolved"),
            &json!({ "resolved": false }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "approvers may reopen");
    assert_eq!(res.json::<Value>().await.unwrap()["resolved"], false);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn the_diff_lists_changes_and_the_findings_they_resolve(pool: PgPool) {
    let t = team(pool).await;
    let mut g = t.graph.clone();
    // Dropping the statement the fixes added reopens the missing-permission error.
    if let Some(wiring::Node::Function(f)) = g.nodes.values_mut().find(|n| n.name() == "consume") {
        f.policy.clear();
    }
    save(&t.author, &t.draft, &g).await;

    let d: Value = t
        .reviewer
        .get(&format!("/api/v1/drafts/{}/diff?from=1&to=2", t.draft))
        .await
        .json()
        .await
        .unwrap();

    let first = &d["entries"][0];
    assert_eq!(first["security"], true, "{d:#}");
    assert!(
        first["text"]
            .as_str()
            .unwrap()
            .contains("removed from consume"),
        "{d:#}"
    );
    assert_eq!(d["nodes"], json!([["f", "changed"]]));
    assert!(
        d["introduced"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "missing-invoke-permission"),
        "{d:#}"
    );
    let back: Value = t
        .reviewer
        .get(&format!("/api/v1/drafts/{}/diff?from=2&to=1", t.draft))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        back["resolved"].as_array().unwrap().len(),
        d["introduced"].as_array().unwrap().len()
    );
    let res = t
        .reviewer
        .get(&format!("/api/v1/drafts/{}/diff?from=1", t.draft))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn the_team_rule_sets_how_many_approvals_a_deploy_needs(pool: PgPool) {
    let t = team(pool).await;
    let res = t
        .reviewer
        .put("/api/v1/team/settings", &json!({ "approvals_required": 0 }))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "only admins set the rule"
    );
    let res = t
        .author
        .put(
            "/api/v1/team/settings",
            &json!({ "approvals_required": 11 }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = t
        .author
        .put("/api/v1/team/settings", &json!({ "approvals_required": 2 }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        decide(&t.reviewer, &t.draft, 1, "approve").await.status(),
        StatusCode::CREATED
    );
    let p = plan(&t.author, &t.draft, 1, &t.target).await;
    assert_eq!(p["gate"]["open"], false);
    assert!(
        p["gate"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("Needs 2 approvals of version 1; has 1.")
    );
    let second = t.app.invite(&t.author, "sam", "approver").await;
    assert_eq!(
        decide(&second, &t.draft, 1, "approve").await.status(),
        StatusCode::CREATED
    );
    let p = plan(&t.author, &t.draft, 1, &t.target).await;
    assert_eq!(p["gate"]["open"], true, "{:#}", p["gate"]);
    assert_eq!(p["gate"]["approvals"].as_array().unwrap().len(), 2);
    assert!(
        audit_actions(&t.author)
            .await
            .iter()
            .any(|e| e["action"] == "team.review_rule_changed"),
    );
}
