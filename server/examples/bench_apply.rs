//! Apply benchmark: a generated graph of 100 functions applied to the emulator through the
//! API and the Postgres-backed worker, once at the default 15 calls/s quota (against the bound
//! calls ÷ quota) and once unpaced (the engine's raw calls/s). Run it with
//! `scripts/bench-apply`, which starts Postgres and the emulator.

#[path = "../tests/api/helpers.rs"]
#[allow(dead_code)]
mod helpers;
#[path = "../tests/deploy/support.rs"]
#[allow(dead_code)]
mod support;

use helpers::*;
use server::deploy::{
    AwsContext,
    worker::{Worker, WorkerConfig},
};
use sqlx::postgres::PgPoolOptions;
use std::num::NonZeroU32;
use support::*;

const FUNCTIONS: usize = 100;

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

/// One apply of the generated graph to a fresh emulator account, with the worker at `quota`.
async fn run(pool: &sqlx::PgPool, user: &User, quota: Option<u32>) -> Run {
    let emu = Emu::new().await;
    let g = graph(&emu.account);
    emu.seed(&g).await;
    let name = format!("bench-{}", emu.account);
    let target = add_target(user, &emu, &name).await;
    let draft = draft(user, &name, &g).await;
    let plan = plan(user, &draft, 1, &target).await;
    let mutating = plan["mutating_calls"].as_i64().unwrap();
    let job = apply(user, plan["id"].as_str().unwrap()).await;
    let id = job["id"].as_str().unwrap().to_owned();

    let worker = Worker::new(
        pool.clone(),
        AwsContext {
            sandbox_endpoint: None,
            quota: quota.and_then(NonZeroU32::new),
            pacing: None,
        },
        WorkerConfig::default(),
    );
    let handle = tokio::spawn(worker.run(std::future::pending()));
    let done = wait(user, &id, 600).await;
    handle.abort();
    assert_eq!(done["status"], "succeeded", "the apply failed: {done:#}");
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
    // Its team needs no approvals: the benchmark measures the worker, not review.
    let user = admin(&app).await;

    let paced = run(&pool, &user, Some(15)).await;
    let bound = paced.calls as f64 / 15.0;
    println!(
        "paced at 15 calls/s: {FUNCTIONS} functions, {} mutating calls, {} AWS calls in all (reads included), {:.1} s; bound {:.1} s; {:.2}× the bound",
        paced.mutating,
        paced.calls,
        paced.secs,
        bound,
        paced.secs / bound
    );
    let raw = run(&pool, &user, None).await;
    println!(
        "unpaced: {} AWS calls in {:.1} s = {:.0} calls/s ({} mutating)",
        raw.calls,
        raw.secs,
        raw.calls as f64 / raw.secs,
        raw.mutating
    );
}
