//! Apply benchmark: a generated graph of 100 functions applied to the emulator through the
//! API and the Postgres-backed worker, once at the default 15 calls/s quota (against the bound
//! calls ÷ quota) and once unpaced (the engine's raw calls/s). Run it with
//! `scripts/bench-apply`, which starts Postgres and the emulator.

#[path = "../tests/api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use helpers::*;
use serde_json::{Value, json};
use server::deploy::{
    AwsContext, Target, clients,
    worker::{Worker, WorkerConfig},
};
use sqlx::postgres::PgPoolOptions;
use std::{num::NonZeroU32, time::Duration};
use uuid::Uuid;

const FUNCTIONS: usize = 100;

fn account() -> String {
    (Uuid::new_v4().as_u128() % 900_000_000_000 + 100_000_000_000).to_string()
}

/// The generated graph (bucket → function → OnFailure queue → polling function units) in
/// `account`, with every grant the validator asks for added, as "Fix all grants" would.
fn graph(account: &str) -> wiring::Graph {
    let text = wiring::examples::generated(FUNCTIONS * 2)
        .to_json()
        .replace(wiring::examples::EXAMPLE_ACCOUNT, account)
        .replace("gen-uploads-", &format!("gen-{account}-"));
    let mut g = wiring::Graph::from_json(&text).expect("generated graph parses");
    wiring::fix_all_grants(&mut g);
    g
}

struct Run {
    calls: i64,
    mutating: i64,
    secs: f64,
}

async fn run(app: &TestApp, pool: &sqlx::PgPool, user: &User, quota: Option<u32>) -> Run {
    let endpoint = emulator_endpoint();
    let account = account();
    let target = Target {
        id: Uuid::nil(),
        name: "bench".into(),
        account_id: account.clone(),
        region: "us-east-1".into(),
        mode: app::api::CredentialsMode::Endpoint,
        profile: None,
        role_arn: None,
        endpoint: Some(endpoint.clone()),
        read_only: false,
        external_id: String::new(),
    };
    let unpaced = AwsContext {
        sandbox_endpoint: None,
        quota: None,
    };
    let g = graph(&account);
    let c = clients::connect(&target, &unpaced).await.expect("clients");
    server::deploy::seed::seed(&c, &g).await.expect("seeding");

    let t: Value = user
        .post(
            "/api/v1/deploy/targets",
            &json!({"name": format!("bench-{account}"), "account_id": account, "region": "us-east-1", "mode": "endpoint", "endpoint": endpoint}),
        )
        .await
        .json()
        .await
        .unwrap();
    let d = user
        .create_draft(
            &format!("bench-{account}"),
            Some(serde_json::from_str(&g.to_json()).unwrap()),
        )
        .await;
    let draft = d["summary"]["id"].as_str().unwrap();
    let plan: Value = user
        .post(
            &format!("/api/v1/drafts/{draft}/plans"),
            &json!({"version": 1, "target_id": t["id"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let mutating = plan["mutating_calls"].as_i64().unwrap();
    // The benchmark measures the worker, not review: its admin overrides the gate.
    let job: Value = user
        .post(
            &format!("/api/v1/plans/{}/apply", plan["id"].as_str().unwrap()),
            &json!({ "override_reason": "apply benchmark" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = job["id"].as_str().unwrap().to_owned();

    let worker = Worker::new(
        pool.clone(),
        AwsContext {
            sandbox_endpoint: None,
            quota: quota.and_then(NonZeroU32::new),
        },
        WorkerConfig::default(),
    );
    let handle = tokio::spawn(worker.run(std::future::pending()));
    loop {
        let j: Value = user
            .get(&format!("/api/v1/applies/{id}"))
            .await
            .json()
            .await
            .unwrap();
        match j["status"].as_str() {
            Some("succeeded") => break,
            Some("failed") => panic!("the apply failed: {j:#}"),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    handle.abort();
    let _ = app;
    let (calls, secs): (i32, f64) = sqlx::query_as(
        "SELECT calls, extract(epoch FROM finished_at - started_at)::float8 FROM apply_jobs WHERE id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(pool)
    .await
    .unwrap();
    Run {
        calls: i64::from(calls),
        mutating,
        secs,
    }
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL: run through scripts/bench-apply");
    let pool = PgPoolOptions::new()
        .max_connections(20)
        .connect(&url)
        .await
        .expect("database");
    server::store::migrate(&pool).await.expect("migrations");
    let mut s = settings(Some(emulator_endpoint()));
    s.deploy.worker = false;
    let app = TestApp::spawn_with(s, pool.clone()).await;
    let user = app
        .signup(&format!(
            "bench{}",
            &Uuid::new_v4().simple().to_string()[..8]
        ))
        .await;

    let paced = run(&app, &pool, &user, Some(15)).await;
    let bound = paced.calls as f64 / 15.0;
    println!(
        "paced at 15 calls/s: {FUNCTIONS} functions, {} mutating calls, {} AWS calls in all (reads included), {:.1} s; bound {:.1} s; {:.2}× the bound",
        paced.mutating,
        paced.calls,
        paced.secs,
        bound,
        paced.secs / bound
    );
    let raw = run(&app, &pool, &user, None).await;
    println!(
        "unpaced: {} AWS calls in {:.1} s = {:.0} calls/s ({} mutating)",
        raw.calls,
        raw.secs,
        raw.calls as f64 / raw.secs,
        raw.mutating
    );
}
