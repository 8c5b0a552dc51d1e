//! What deploy tests share: an emulator account of their own, graphs with every grant fixed,
//! and the HTTP steps of a deploy (target, draft, plan, apply, wait).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::deploy::{AwsContext, Clients, Target, clients};
use std::time::Duration;
use uuid::Uuid;
use wiring::Graph;

/// One test's slice of the shared emulator: moto keeps accounts apart by the
/// `x-moto-account-id` header, so each test gets a fresh random account.
pub struct Emu {
    pub endpoint: String,
    pub account: String,
    pub region: &'static str,
    /// Clients straight on the SDK, for setting up and for reading back independently of
    /// Eventloom's reader.
    pub aws: Clients,
}

impl Emu {
    pub async fn new() -> Self {
        let endpoint = emulator_endpoint();
        // 12 digits, never the emulator's default account.
        let n = Uuid::new_v4().as_u128() % 900_000_000_000 + 100_000_000_000;
        let account = n.to_string();
        let target = Target {
            id: Uuid::nil(),
            name: "test".into(),
            account_id: account.clone(),
            region: "us-east-1".into(),
            mode: app::api::CredentialsMode::Endpoint,
            profile: None,
            role_arn: None,
            endpoint: Some(endpoint.clone()),
            read_only: false,
            external_id: String::new(),
        };
        let aws = clients::connect(
            &target,
            &AwsContext {
                sandbox_endpoint: None,
                quota: None,
                pacing: None,
            },
        )
        .await
        .expect("emulator clients");
        Self {
            endpoint,
            account,
            region: "us-east-1",
            aws,
        }
    }

    /// Creates the functions (with roles), buckets, queues, topics and rules of `graph`.
    pub async fn seed(&self, graph: &Graph) {
        server::deploy::seed::seed(&self.aws, graph)
            .await
            .expect("seeding the emulator");
    }

    /// A JSON-protocol call for services Eventloom has no SDK client for (Kinesis,
    /// DynamoDB): the emulator routes by the credential scope and `X-Amz-Target`.
    pub async fn json_call(&self, service: &str, target: &str, body: Value) -> Value {
        let res = reqwest::Client::new()
            .post(&self.endpoint)
            .header("x-moto-account-id", &self.account)
            .header("X-Amz-Target", target)
            .header("Content-Type", "application/x-amz-json-1.1")
            .header(
                "Authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=test/20260101/{}/{service}/aws4_request, SignedHeaders=host, Signature=0",
                    self.region
                ),
            )
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(status.is_success(), "{target}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// The function's resource policy statements, as AWS returns them.
    pub async fn statements(&self, function: &str) -> Vec<Value> {
        match self
            .aws
            .lambda
            .get_policy()
            .function_name(function)
            .send()
            .await
        {
            Ok(p) => {
                let doc: Value = serde_json::from_str(p.policy().unwrap_or("{}")).unwrap();
                doc["Statement"].as_array().cloned().unwrap_or_default()
            }
            Err(_) => Vec::new(),
        }
    }

    /// Statement ids, asserting there are no duplicates (the emulator would accept them).
    pub async fn sids(&self, function: &str) -> Vec<String> {
        let sids: Vec<String> = self
            .statements(function)
            .await
            .iter()
            .filter_map(|s| s["Sid"].as_str().map(str::to_owned))
            .collect();
        let mut unique = sids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            sids.len(),
            "duplicate statement ids on {function}: {sids:?}"
        );
        unique
    }

    pub fn arn(&self, service: &str, rest: &str) -> String {
        format!("arn:aws:{service}:{}:{}:{rest}", self.region, self.account)
    }
}

/// `json` as a graph in the emulator account, with every grant the validator asks for added
/// (what "Fix all grants" does in the designer).
pub fn fixed(emu: &Emu, mut json: Value) -> Graph {
    json["schema"] = json!(1);
    json["account"] = json!(emu.account);
    json["region"] = json!(emu.region);
    let text = json.to_string().replace("ACCOUNT", &emu.account);
    let mut g = Graph::from_json(&text).expect("test graph parses");
    wiring::fix_all_grants(&mut g);
    g
}

pub fn to_value(g: &Graph) -> Value {
    serde_json::from_str(&g.to_json()).unwrap()
}

/// Registers the emulator account as an `endpoint` target; returns its id.
pub async fn add_target(user: &User, emu: &Emu, name: &str) -> String {
    let res = user
        .post(
            "/api/v1/deploy/targets",
            &json!({
                "name": name, "account_id": emu.account, "region": emu.region,
                "mode": "endpoint", "endpoint": emu.endpoint,
            }),
        )
        .await;
    json_with(res, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Plans `version` of `draft` on `target`.
pub async fn plan(user: &User, draft: &str, version: u32, target: &str) -> Value {
    let res = user
        .post(
            &format!("/api/v1/drafts/{draft}/plans"),
            &json!({ "version": version, "target_id": target }),
        )
        .await;
    json_with(res, StatusCode::CREATED).await
}

/// Queues the plan; returns the job.
pub async fn apply(user: &User, plan_id: &str) -> Value {
    let res = user
        .post_empty(&format!("/api/v1/plans/{plan_id}/apply"))
        .await;
    json_with(res, StatusCode::ACCEPTED).await
}

/// Waits for the job to finish (at most `secs`); returns it with its steps.
pub async fn wait(user: &User, job: &str, secs: u64) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let j: Value = user
            .get(&format!("/api/v1/applies/{job}"))
            .await
            .json()
            .await
            .unwrap();
        if matches!(j["status"].as_str(), Some("succeeded" | "failed")) {
            return j;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "apply {job} did not finish within {secs} s: {j}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Creates a draft from `graph`; returns (draft id, version number).
pub async fn draft(user: &User, name: &str, graph: &Graph) -> String {
    let d = user.create_draft(name, Some(to_value(graph))).await;
    d["summary"]["id"].as_str().unwrap().to_owned()
}

/// Saves `graph` as the draft's next version; returns its number.
pub async fn save(user: &User, draft: &str, graph: &Graph) -> u32 {
    let d: Value = user
        .get(&format!("/api/v1/drafts/{draft}"))
        .await
        .json()
        .await
        .unwrap();
    let base = d["latest"]["id"].as_str().unwrap().to_owned();
    let res = user.save(draft, &base, &to_value(graph)).await;
    json_with(res, StatusCode::CREATED).await["number"]
        .as_u64()
        .unwrap() as u32
}

/// Plans, applies and waits; asserts success and returns the finished job.
pub async fn deploy(user: &User, draft: &str, version: u32, target: &str) -> Value {
    let p = plan(user, draft, version, target).await;
    assert!(
        p["blockers"].as_array().unwrap().is_empty(),
        "plan blocked: {}",
        p["blockers"]
    );
    let job = apply(user, p["id"].as_str().unwrap()).await;
    let done = wait(user, job["id"].as_str().unwrap(), 60).await;
    assert_eq!(done["status"], "succeeded", "apply failed: {done:#}");
    done
}

/// The number of mutating calls a fresh plan would make: 0 when live matches the draft.
pub async fn remaining(user: &User, draft: &str, version: u32, target: &str) -> u64 {
    plan(user, draft, version, target).await["mutating_calls"]
        .as_u64()
        .unwrap()
}

/// Signs up an admin (who may add targets and deploy) on a fresh app, in a team whose
/// deploys need no approvals: these tests are about the worker, not the review gate
/// (tests/deploy/review.rs is).
pub async fn admin(app: &TestApp) -> User {
    let u = solo_admin(app).await;
    let res = u
        .put("/api/v1/team/settings", &json!({ "approvals_required": 0 }))
        .await;
    json_with(res, StatusCode::OK).await;
    u
}

/// Signs up an admin of a team with the default review rule (one approval per deploy).
pub async fn solo_admin(app: &TestApp) -> User {
    app.signup(&format!("u{}", &Uuid::new_v4().simple().to_string()[..8]))
        .await
}
