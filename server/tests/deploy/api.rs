//! The deploy API around the worker: roles, read-only targets, targets that cannot be
//! reached, the live progress stream, the audit trail and team isolation.

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

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn every_team_sees_the_sandbox_target_and_admins_see_their_external_id(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = admin(&app).await;
    let ed = app.invite(&ana, "ed", "editor").await;

    let t: Value = ana
        .get("/api/v1/deploy/targets")
        .await
        .json()
        .await
        .unwrap();
    let e: Value = ed.get("/api/v1/deploy/targets").await.json().await.unwrap();

    let sandbox = &t["targets"][0];
    assert_eq!(sandbox["name"], "sandbox");
    assert_eq!(sandbox["mode"], "sandbox");
    assert_eq!(sandbox["account_id"], "123456789012");
    assert!(t["external_id"].as_str().unwrap().starts_with("eventloom-"));
    assert!(
        e["external_id"].is_null(),
        "only admins see the external id"
    );
    assert_eq!(t["allowed_modes"], json!(["assume_role", "endpoint"]));
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_target_is_checked_field_by_field_and_modes_are_a_server_setting(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = admin(&app).await;
    let cases = [
        (
            json!({"name": "p", "account_id": "12345", "region": "us-east-1", "mode": "endpoint", "endpoint": "http://127.0.0.1:1"}),
            "account_id",
        ),
        (
            json!({"name": "p", "account_id": "123456789012", "region": "mars-1", "mode": "endpoint", "endpoint": "http://127.0.0.1:1"}),
            "region",
        ),
        (
            json!({"name": "p", "account_id": "123456789012", "region": "us-east-1", "mode": "default_chain"}),
            "mode",
        ),
        (
            json!({"name": "p", "account_id": "123456789012", "region": "us-east-1", "mode": "assume_role", "role_arn": "arn:aws:iam::210987654321:role/deploy"}),
            "role_arn",
        ),
        (
            json!({"name": "sandbox", "account_id": "123456789012", "region": "us-east-1", "mode": "endpoint", "endpoint": "http://127.0.0.1:1"}),
            "name",
        ),
        // An emulator endpoint may only be a host the operator allows (loopback by
        // default): the server would send requests to anything a team admin names.
        (
            json!({"name": "p", "account_id": "123456789012", "region": "us-east-1", "mode": "endpoint", "endpoint": "http://169.254.169.254/latest"}),
            "endpoint",
        ),
        (
            json!({"name": "p", "account_id": "123456789012", "region": "us-east-1", "mode": "endpoint", "endpoint": "file:///etc/passwd"}),
            "endpoint",
        ),
    ];
    for (body, field) in cases {
        let res = ana.post("/api/v1/deploy/targets", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["field"], field, "{err}");
        assert!(!err["message"].as_str().unwrap().is_empty());
    }
    let ed = app.invite(&ana, "ed", "editor").await;
    let res = ed
        .post(
            "/api/v1/deploy/targets",
            &json!({"name": "p", "account_id": "123456789012", "region": "us-east-1", "mode": "endpoint", "endpoint": "http://127.0.0.1:1"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let ok = ana
        .post(
            "/api/v1/deploy/targets",
            &json!({"name": "prod", "account_id": "123456789012", "region": "eu-west-1", "mode": "assume_role", "role_arn": "arn:aws:iam::123456789012:role/eventloom-deploy"}),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::CREATED);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn editors_plan_but_only_approvers_and_admins_deploy(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&ana, &emu, "emu").await;
    let g = small(&emu);
    emu.seed(&g).await;
    let d = draft(&ana, "d", &g).await;
    let ed = app.invite(&ana, "ed", "editor").await;
    let vi = app.invite(&ana, "vi", "viewer").await;
    let ap = app.invite(&ana, "ap", "approver").await;

    let res = vi
        .post(
            &format!("/api/v1/drafts/{d}/plans"),
            &json!({"version": 1, "target_id": target}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "viewers cannot plan");
    let p = plan(&ed, &d, 1, &target).await;
    let res = ed
        .post_empty(&format!(
            "/api/v1/plans/{}/apply",
            p["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "editors cannot deploy");
    let job = apply(&ap, p["id"].as_str().unwrap()).await;
    assert_eq!(
        wait(&ap, job["id"].as_str().unwrap(), 30).await["status"],
        "succeeded"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_read_only_target_plans_but_refuses_to_apply(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = admin(&app).await;
    let emu = Emu::new().await;
    let res = ana
        .post(
            "/api/v1/deploy/targets",
            &json!({"name": "ro", "account_id": emu.account, "region": emu.region, "mode": "endpoint", "endpoint": emu.endpoint, "read_only": true}),
        )
        .await;
    let target = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let g = small(&emu);
    emu.seed(&g).await;
    let d = draft(&ana, "d", &g).await;

    let p = plan(&ana, &d, 1, &target).await;
    assert!(p["mutating_calls"].as_u64().unwrap() > 0);
    let res = ana
        .post_empty(&format!(
            "/api/v1/plans/{}/apply",
            p["id"].as_str().unwrap()
        ))
        .await;

    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert!(
        err["message"].as_str().unwrap().contains("read-only"),
        "{err}"
    );
    assert!(emu.statements("consume").await.is_empty());
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_unreachable_target_is_a_clear_error_and_the_worker_carries_on(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let ana = admin(&app).await;
    let dead = ana
        .post(
            "/api/v1/deploy/targets",
            &json!({"name": "dead", "account_id": "123456789012", "region": "us-east-1", "mode": "endpoint", "endpoint": "http://127.0.0.1:9"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let emu = Emu::new().await;
    let g = small(&emu);
    emu.seed(&g).await;
    let d = draft(&ana, "d", &g).await;

    // Planning against it says what is wrong, and nothing is stored.
    let res = ana
        .post(
            &format!("/api/v1/drafts/{d}/plans"),
            &json!({"version": 1, "target_id": dead}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "target_id");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("sts:GetCallerIdentity"),
        "{err}"
    );

    // A target that goes away between plan and apply fails the job, with the AWS-side code.
    let target = add_target(&ana, &emu, "emu").await;
    let p = plan(&ana, &d, 1, &target).await;
    sqlx::query("UPDATE deploy_targets SET endpoint = 'http://127.0.0.1:9' WHERE id = $1::uuid")
        .bind(&target)
        .execute(&pool)
        .await
        .unwrap();
    let job = apply(&ana, p["id"].as_str().unwrap()).await;
    let failed = wait(&ana, job["id"].as_str().unwrap(), 60).await;
    assert_eq!(failed["status"], "failed");
    assert!(failed["error_code"].as_str().is_some(), "{failed}");
    assert!(
        failed["error"].as_str().unwrap().contains("emu"),
        "names the target: {failed}"
    );

    // The same worker goes on to apply the next job.
    sqlx::query("UPDATE deploy_targets SET endpoint = $2 WHERE id = $1::uuid")
        .bind(&target)
        .bind(&emu.endpoint)
        .execute(&pool)
        .await
        .unwrap();
    deploy(&ana, &d, 1, &target).await;
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn progress_streams_as_server_sent_events_until_done(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&ana, &emu, "emu").await;
    let g = small(&emu);
    emu.seed(&g).await;
    let d = draft(&ana, "d", &g).await;
    let p = plan(&ana, &d, 1, &target).await;
    let job = apply(&ana, p["id"].as_str().unwrap()).await;

    let res = ana
        .get(&format!(
            "/api/v1/applies/{}/events",
            job["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let body = tokio::time::timeout(std::time::Duration::from_secs(30), res.text())
        .await
        .expect("the stream ends when the apply is done")
        .unwrap();

    let events: Vec<(&str, Value)> = body
        .split("\n\n")
        .filter_map(|block| {
            let name = block.lines().find_map(|l| l.strip_prefix("event: "))?;
            let data = block.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((name, serde_json::from_str(data).ok()?))
        })
        .collect();
    let (last, final_job) = events.last().expect("at least one event");
    assert_eq!(*last, "done");
    assert_eq!(final_job["status"], "succeeded");
    assert!(
        events[..events.len() - 1]
            .iter()
            .all(|(n, _)| *n == "progress")
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn every_apply_is_in_the_audit_log_with_who_what_where_and_outcome(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&ana, &emu, "emu").await;
    let g = small(&emu);
    emu.seed(&g).await;
    let d = draft(&ana, "d", &g).await;
    deploy(&ana, &d, 1, &target).await;

    let log: Value = ana.get("/api/v1/team/audit").await.json().await.unwrap();

    let find = |action: &str| {
        log.as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action)
            .cloned()
            .unwrap_or_else(|| panic!("{action} in {log:#}"))
    };
    let requested = find("deploy.requested");
    assert_eq!(requested["detail"]["version"], 1);
    assert_eq!(requested["detail"]["target"], "emu");
    let applied = find("deploy.applied");
    assert_eq!(applied["detail"]["outcome"], "succeeded");
    assert_eq!(applied["detail"]["account"], emu.account);
    assert_eq!(
        applied["actor"], requested["actor"],
        "the requester is the actor"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn another_teams_targets_plans_and_applies_answer_404(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let ana = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&ana, &emu, "emu").await;
    let g = small(&emu);
    emu.seed(&g).await;
    let d = draft(&ana, "d", &g).await;
    let p = plan(&ana, &d, 1, &target).await;
    let pid = p["id"].as_str().unwrap().to_owned();
    let job = apply(&ana, &pid).await;
    let jid = job["id"].as_str().unwrap().to_owned();
    wait(&ana, &jid, 30).await;
    let mallory = admin(&app).await;

    for path in [
        format!("/api/v1/plans/{pid}"),
        format!("/api/v1/applies/{jid}"),
        format!("/api/v1/applies/{jid}/events"),
        format!("/api/v1/drafts/{d}/applies"),
    ] {
        assert_eq!(
            mallory.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "GET {path}"
        );
    }
    let res = mallory
        .post(
            &format!("/api/v1/drafts/{d}/plans"),
            &json!({"version": 1, "target_id": target}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "plan another team's draft"
    );
    let own = draft(&mallory, "m", &g).await;
    let res = mallory
        .post(
            &format!("/api/v1/drafts/{own}/plans"),
            &json!({"version": 1, "target_id": target}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "plan on another team's target"
    );
    for path in [
        format!("/api/v1/plans/{pid}/apply"),
        format!("/api/v1/deploy/targets/{target}/archive"),
    ] {
        assert_eq!(
            mallory.post_empty(&path).await.status(),
            StatusCode::NOT_FOUND,
            "POST {path}"
        );
    }
    let listed: Value = mallory
        .get("/api/v1/deploy/targets")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["id"] != target.as_str())
    );
}
