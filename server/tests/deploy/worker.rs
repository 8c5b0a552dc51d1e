//! The worker on its own: killed at a random step it is resumed by another and converges;
//! applies to one account and region queue in order, others run in parallel; calls are
//! paced at the quota.

use crate::helpers::*;
use crate::support::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::deploy::{
    AwsContext, clients,
    worker::{Worker, WorkerConfig},
};
use sqlx::PgPool;
use std::{num::NonZeroU32, time::Duration};
use time::OffsetDateTime;
use tokio::task::JoinHandle;

/// The app without its in-process worker: these tests run workers themselves.
async fn app_without_worker(pool: PgPool) -> TestApp {
    let mut s = settings(Some(emulator_endpoint()));
    s.deploy.worker = false;
    TestApp::spawn_with(s, pool).await
}

fn start_worker(pool: &PgPool, quota: Option<u32>) -> JoinHandle<()> {
    let worker = Worker::new(
        pool.clone(),
        AwsContext {
            sandbox_endpoint: None,
            quota: quota.and_then(NonZeroU32::new),
            pacing: None,
        },
        WorkerConfig {
            // Short, so a killed worker's job is taken over quickly.
            lease: Duration::from_millis(900),
            poll: Duration::from_millis(50),
            max_jobs: 4,
            max_attempts: 50,
        },
    );
    tokio::spawn(worker.run(std::future::pending()))
}

fn pipeline(emu: &Emu, tag: &str) -> wiring::Graph {
    let bucket = format!("{tag}-in-{}", emu.account);
    fixed(
        emu,
        json!({
            "nodes": {
                "b": { "kind": "s3_bucket", "name": bucket },
                "f": { "kind": "function", "name": format!("{tag}-work"), "timeout": 30, "role": { "name": format!("{tag}-work-role") } },
                "q": { "kind": "sqs_queue", "name": format!("{tag}-failed"), "visibility_timeout": 360 },
                "t": { "kind": "sns_topic", "name": format!("{tag}-done") },
                "r": { "kind": "function", "name": format!("{tag}-retry"), "timeout": 60, "role": { "name": format!("{tag}-retry-role") } },
            },
            "edges": {
                "up": { "from": "b", "to": "f", "kind": { "type": "trigger", "events": ["s3:ObjectCreated:*"] } },
                "ok": { "from": "f", "to": "t", "kind": { "type": "on_success" } },
                "ko": { "from": "f", "to": "q", "kind": { "type": "on_failure" } },
                "poll": { "from": "q", "to": "r", "kind": { "type": "trigger", "batch_size": 10 } },
                "sub": { "from": "t", "to": "r", "kind": { "type": "trigger" } },
            }
        }),
    )
}

async fn step_status(pool: &PgPool, job: &str, attempt: i32, idx: i32) -> Option<String> {
    sqlx::query_scalar(
        "SELECT status::text FROM apply_steps WHERE job_id = $1::uuid AND attempt = $2 AND idx = $3",
    )
    .bind(job)
    .bind(attempt)
    .bind(idx)
    .fetch_optional(pool)
    .await
    .unwrap()
}

async fn job_status(pool: &PgPool, job: &str) -> String {
    sqlx::query_scalar("SELECT status::text FROM apply_jobs WHERE id = $1::uuid")
        .bind(job)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Every duplicate the emulator would silently accept, for one pipeline.
async fn assert_no_duplicates(emu: &Emu, tag: &str) {
    emu.sids(&format!("{tag}-work")).await;
    emu.sids(&format!("{tag}-retry")).await;
    let maps = emu
        .aws
        .lambda
        .list_event_source_mappings()
        .function_name(emu.arn("lambda", &format!("function:{tag}-retry")))
        .send()
        .await
        .unwrap();
    assert_eq!(maps.event_source_mappings().len(), 1, "one mapping");
    let subs = emu
        .aws
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(emu.arn("sns", &format!("{tag}-done")))
        .send()
        .await
        .unwrap();
    assert_eq!(subs.subscriptions().len(), 1, "one subscription");
    let n = emu
        .aws
        .s3
        .get_bucket_notification_configuration()
        .bucket(format!("{tag}-in-{}", emu.account))
        .send()
        .await
        .unwrap();
    assert_eq!(
        n.lambda_function_configurations().len(),
        1,
        "one notification"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_job_whose_first_worker_died_before_any_step_still_refuses_a_moved_live_state(
    pool: PgPool,
) {
    let app = app_without_worker(pool.clone()).await;
    let user = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&user, &emu, "emu").await;
    let g = pipeline(&emu, "s");
    emu.seed(&g).await;
    let d = draft(&user, "s", &g).await;
    let p = plan(&user, &d, 1, &target).await;
    let job = apply(&user, p["id"].as_str().unwrap()).await;
    let job = job["id"].as_str().unwrap().to_owned();
    // A first worker claimed the job and died before its first step: the reaper put it back.
    sqlx::query("UPDATE apply_jobs SET attempts = 1 WHERE id = $1::uuid")
        .bind(&job)
        .execute(&pool)
        .await
        .unwrap();
    // Meanwhile someone changes the queue by hand.
    let url = emu
        .aws
        .sqs
        .get_queue_url()
        .queue_name("s-failed")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    emu.aws
        .sqs
        .set_queue_attributes()
        .queue_url(url)
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout,
            "45",
        )
        .send()
        .await
        .unwrap();

    let worker = start_worker(&pool, None);
    let done = wait(&user, &job, 30).await;
    worker.abort();

    assert_eq!(done["attempts"], 2, "{done:#}");
    assert_eq!(done["status"], "failed", "{done:#}");
    assert_eq!(done["error_code"], "StalePlan", "{done:#}");
    assert!(emu.sids("s-work").await.is_empty(), "nothing was applied");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_worker_killed_at_a_random_step_is_resumed_and_converges_20_times(pool: PgPool) {
    let app = app_without_worker(pool.clone()).await;
    let user = admin(&app).await;
    let mut resumed = 0;
    for run in 0..20 {
        let emu = Emu::new().await;
        let target = add_target(&user, &emu, &format!("emu-{run}")).await;
        let g = pipeline(&emu, "c");
        emu.seed(&g).await;
        let d = draft(&user, &format!("crash-{run}"), &g).await;
        let p = plan(&user, &d, 1, &target).await;
        let steps = p["steps"].as_array().unwrap().len() as i32;
        assert!(steps >= 8, "{p:#}");
        let kill_at = rand::random_range(0..steps);
        let job = apply(&user, p["id"].as_str().unwrap()).await;
        let job = job["id"].as_str().unwrap().to_owned();

        // Paced, so each step is in flight long enough to be interrupted.
        let first = start_worker(&pool, Some(25));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let s = step_status(&pool, &job, 1, kill_at).await;
            if matches!(s.as_deref(), Some("running" | "done" | "failed")) {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "run {run}: step {kill_at} never started"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        first.abort();
        let _ = first.await;
        let second = start_worker(&pool, None);
        let done = wait(&user, &job, 60).await;
        second.abort();
        let _ = second.await;

        assert_eq!(
            done["status"], "succeeded",
            "run {run} (killed at step {kill_at}): {done:#}"
        );
        let attempts = done["attempts"].as_u64().unwrap();
        if attempts >= 2 {
            resumed += 1;
            let history: Vec<&Value> = done["steps"].as_array().unwrap().iter().collect();
            assert!(
                history.iter().any(|s| s["attempt"] == 1),
                "both attempts kept"
            );
            assert!(
                history.iter().any(|s| s["attempt"] == attempts),
                "both attempts kept"
            );
        }
        assert_eq!(
            remaining(&user, &d, 1, &target).await,
            0,
            "run {run}: live equals intent"
        );
        assert_no_duplicates(&emu, "c").await;
    }
    assert!(
        resumed >= 15,
        "most runs were killed mid-apply and resumed ({resumed} of 20)"
    );
}

async fn times(pool: &PgPool, job: &str) -> (OffsetDateTime, OffsetDateTime) {
    sqlx::query_as("SELECT started_at, finished_at FROM apply_jobs WHERE id = $1::uuid")
        .bind(job)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn applies_to_one_account_and_region_queue_in_order_and_others_run_in_parallel(pool: PgPool) {
    let app = app_without_worker(pool.clone()).await;
    let user = admin(&app).await;
    let (one, other) = (Emu::new().await, Emu::new().await);
    let (t1, t2) = (
        add_target(&user, &one, "one").await,
        add_target(&user, &other, "other").await,
    );
    let mut jobs = Vec::new();
    for (emu, target, tag) in [(&one, &t1, "a"), (&one, &t1, "b"), (&other, &t2, "c")] {
        let g = pipeline(emu, tag);
        emu.seed(&g).await;
        let d = draft(&user, tag, &g).await;
        let p = plan(&user, &d, 1, target).await;
        jobs.push(
            apply(&user, p["id"].as_str().unwrap()).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let a_queued = job_status(&pool, &jobs[0]).await;
    assert_eq!(a_queued, "queued");

    // Paced, so each apply lasts long enough for overlap to show.
    let w = start_worker(&pool, Some(20));
    for j in &jobs {
        assert_eq!(wait(&user, j, 60).await["status"], "succeeded");
    }
    w.abort();

    let (a, b, c) = (
        times(&pool, &jobs[0]).await,
        times(&pool, &jobs[1]).await,
        times(&pool, &jobs[2]).await,
    );
    assert!(
        b.0 >= a.1,
        "the second apply to one account started after the first finished"
    );
    assert!(
        c.0 < a.1 && a.0 < c.1,
        "another account's apply ran alongside"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn two_workers_on_one_database_never_run_one_account_twice(pool: PgPool) {
    let app = app_without_worker(pool.clone()).await;
    let user = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&user, &emu, "one").await;
    let mut jobs = Vec::new();
    for tag in ["d", "e", "f"] {
        let g = pipeline(&emu, tag);
        emu.seed(&g).await;
        let d = draft(&user, tag, &g).await;
        let p = plan(&user, &d, 1, &target).await;
        jobs.push(
            apply(&user, p["id"].as_str().unwrap()).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }

    let (w1, w2) = (start_worker(&pool, Some(30)), start_worker(&pool, Some(30)));
    for j in &jobs {
        assert_eq!(wait(&user, j, 60).await["status"], "succeeded");
    }
    w1.abort();
    w2.abort();

    let mut spans = Vec::new();
    for j in &jobs {
        spans.push(times(&pool, j).await);
    }
    spans.sort();
    for pair in spans.windows(2) {
        assert!(
            pair[1].0 >= pair[0].1,
            "applies to one account never overlap: {spans:?}"
        );
    }
}

/// A target that reaches `account` at `endpoint` directly (no sandbox, no credentials).
fn endpoint_target(account: &str, region: &str, endpoint: String) -> server::deploy::Target {
    server::deploy::Target {
        id: uuid::Uuid::nil(),
        name: "direct".into(),
        account_id: account.into(),
        region: region.into(),
        mode: app::api::CredentialsMode::Endpoint,
        profile: None,
        role_arn: None,
        endpoint: Some(endpoint),
        read_only: false,
        external_id: String::new(),
    }
}

/// Pacing at `per_sec`, in this client set alone or (with `pool`) shared through Postgres.
fn paced(per_sec: u32, pool: Option<PgPool>) -> AwsContext {
    AwsContext {
        sandbox_endpoint: None,
        quota: NonZeroU32::new(per_sec),
        pacing: pool,
    }
}

#[tokio::test]
async fn fifty_calls_at_five_per_second_take_about_ten_seconds() {
    let emu = Emu::new().await;
    let target = endpoint_target(&emu.account, emu.region, emu.endpoint.clone());
    let c = clients::connect(&target, &paced(5, None)).await.unwrap();

    let t0 = std::time::Instant::now();
    for _ in 0..50 {
        c.lambda.list_functions().send().await.unwrap();
    }
    let secs = t0.elapsed().as_secs_f64();

    assert_eq!(c.pacer.calls(), 50);
    assert!(
        (9.6..=12.0).contains(&secs),
        "50 calls at 5/s took {secs:.2} s"
    );
}

/// Lambda as it answers when the account is over its quota, for every request.
async fn always_throttling_endpoint() -> String {
    use axum::http::StatusCode as Code;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(|| async {
        (
            Code::TOO_MANY_REQUESTS,
            [
                ("x-amzn-errortype", "TooManyRequestsException"),
                ("content-type", "application/json"),
            ],
            r#"{"Type":"User","message":"Rate exceeded"}"#,
        )
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_throttled_call_is_retried_and_every_retry_is_paced_and_counted() {
    let endpoint = always_throttling_endpoint().await;
    let target = endpoint_target("123456789012", "us-east-1", endpoint);
    let c = clients::connect(&target, &paced(2, None)).await.unwrap();

    let t0 = std::time::Instant::now();
    let err = c.lambda.list_functions().send().await.unwrap_err();
    let secs = t0.elapsed().as_secs_f64();

    let err = server::deploy::StepError::from_sdk(err);
    assert_eq!(err.code.as_deref(), Some("TooManyRequestsException"));
    // Five attempts (the first and four retries), each one a call against the quota: at
    // 2/s, the four after the first wait at least 0.5 s each, whatever the backoff.
    assert_eq!(c.pacer.calls(), 5, "every attempt goes through the pacer");
    assert!(secs >= 2.0, "five attempts at 2/s took only {secs:.2} s");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn two_replicas_calling_one_account_share_its_pace(pool: PgPool) {
    let emu = Emu::new().await;
    let target = endpoint_target(&emu.account, emu.region, emu.endpoint.clone());
    let ctx = paced(5, Some(pool.clone()));
    // Two client sets, as two replicas (or a plan and an apply) would have.
    let (a, b) = (
        clients::connect(&target, &ctx).await.unwrap(),
        clients::connect(&target, &ctx).await.unwrap(),
    );
    let run = |c: server::deploy::Clients| async move {
        for _ in 0..20 {
            c.lambda.list_functions().send().await.unwrap();
        }
    };

    let t0 = std::time::Instant::now();
    tokio::join!(run(a), run(b));
    let secs = t0.elapsed().as_secs_f64();

    // 40 calls at 5/s in all: about 8 s, where two separate pacers would take 4.
    assert!(
        (7.6..=10.0).contains(&secs),
        "40 calls shared at 5/s took {secs:.2} s"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_queued_job_whose_approval_was_voided_while_it_waited_changes_nothing(pool: PgPool) {
    let app = app_without_worker(pool.clone()).await;
    let author = solo_admin(&app).await;
    let reviewer = app.invite(&author, "rita", "approver").await;
    let emu = Emu::new().await;
    let target = add_target(&author, &emu, "emu").await;
    let g = pipeline(&emu, "v");
    emu.seed(&g).await;
    let d = draft(&author, "v", &g).await;
    let approved = reviewer
        .post(
            &format!("/api/v1/drafts/{d}/decisions"),
            &json!({ "version": 1, "decision": "approve" }),
        )
        .await;
    json_with(approved, StatusCode::CREATED).await;
    let p = plan(&author, &d, 1, &target).await;
    let job = apply(&author, p["id"].as_str().unwrap()).await;
    let job = job["id"].as_str().unwrap().to_owned();
    // While the job waits (no worker runs yet), a new version voids the approval.
    let mut next = g.clone();
    if let Some(wiring::Node::Function(f)) = next.nodes.values_mut().find(|n| n.name() == "v-work")
    {
        f.timeout += 1;
    }
    assert_eq!(save(&author, &d, &next).await, 2);

    let worker = start_worker(&pool, None);
    let done = wait(&author, &job, 30).await;
    worker.abort();

    assert_eq!(done["status"], "failed", "{done:#}");
    assert_eq!(done["error_code"], "GateClosed", "{done:#}");
    assert!(
        done["error"].as_str().unwrap().contains("not the latest"),
        "{done:#}"
    );
    assert!(emu.sids("v-work").await.is_empty(), "nothing was applied");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn two_simultaneous_deploys_of_one_plan_queue_one_job(pool: PgPool) {
    let app = app_without_worker(pool.clone()).await;
    let user = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&user, &emu, "emu").await;
    let g = pipeline(&emu, "d");
    emu.seed(&g).await;
    let d = draft(&user, "d", &g).await;
    let p = plan(&user, &d, 1, &target).await;
    let path = format!("/api/v1/plans/{}/apply", p["id"].as_str().unwrap());

    let (a, b) = tokio::join!(user.post_empty(&path), user.post_empty(&path));

    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::ACCEPTED, StatusCode::CONFLICT]);
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM apply_jobs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(jobs, 1);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_worker_that_lost_its_lease_starts_no_further_step(pool: PgPool) {
    let app = app_without_worker(pool.clone()).await;
    let user = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&user, &emu, "emu").await;
    let g = pipeline(&emu, "l");
    emu.seed(&g).await;
    let d = draft(&user, "l", &g).await;
    let p = plan(&user, &d, 1, &target).await;
    let job = apply(&user, p["id"].as_str().unwrap()).await;
    let job = job["id"].as_str().unwrap().to_owned();
    // A long lease (its heartbeat would notice the theft only after 10 s) and slow calls.
    let worker = Worker::new(
        pool.clone(),
        AwsContext {
            sandbox_endpoint: None,
            quota: NonZeroU32::new(2),
            pacing: None,
        },
        WorkerConfig {
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(50),
            max_jobs: 1,
            max_attempts: 5,
        },
    );
    let running = tokio::spawn(worker.run(std::future::pending()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let done: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM apply_steps WHERE job_id = $1::uuid AND status = 'done'",
        )
        .bind(&job)
        .fetch_one(&pool)
        .await
        .unwrap();
        if done >= 1 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no step finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Another worker takes the job over (as after an expired lease).
    let stolen_at: OffsetDateTime = sqlx::query_scalar(
        "UPDATE apply_jobs SET lease_owner = 'another-worker' WHERE id = $1::uuid RETURNING now()",
    )
    .bind(&job)
    .fetch_one(&pool)
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    running.abort();

    let later: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM apply_steps WHERE job_id = $1::uuid AND started_at > $2",
    )
    .bind(&job)
    .bind(stolen_at)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(later, 0, "no step started after the lease was lost");
}
