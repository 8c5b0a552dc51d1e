//! The offline `eventloom validate`, `plan` and `schema` commands, run as a user would.

use std::{path::PathBuf, process::Command};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_eventloom"))
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eventloom-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn validate_exits_1_on_errors_and_prints_each_finding_with_its_fix() {
    let file = write_temp("thumbnail.json", &wiring::examples::thumbnail().to_json());

    let out = bin().args(["validate"]).arg(&file).output().unwrap();

    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("sqs-visibility-below-timeout"), "{text}");
    assert!(text.contains("$ aws sqs set-queue-attributes"), "{text}");
    assert!(
        text.trim_end()
            .ends_with("2 error(s), 1 warning(s), 0 note(s)"),
        "{text}"
    );
}

#[test]
fn validate_exits_0_when_only_warnings_remain() {
    let mut g = wiring::examples::thumbnail();
    for f in wiring::validate(&g) {
        if f.severity == wiring::Severity::Error {
            wiring::change::apply_all(&mut g, &f.fix.unwrap().changes).unwrap();
        }
    }
    let file = write_temp("fixed.json", &g.to_json());

    let out = bin().args(["validate"]).arg(&file).output().unwrap();

    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn validate_writes_sarif_for_code_scanning() {
    let file = write_temp("sarif.json", &wiring::examples::thumbnail().to_json());

    let out = bin()
        .args(["validate", "--format", "sarif"])
        .arg(&file)
        .output()
        .unwrap();

    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let rules: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"missing-write-role-action"), "{rules:?}");
}

#[test]
fn plan_lists_calls_in_order_with_reasons() {
    let file = write_temp("plan.json", &wiring::examples::thumbnail().to_json());
    let observed = write_temp("observed.json", "{}");

    let out = bin()
        .args(["plan"])
        .arg(&file)
        .arg("--observed")
        .arg(&observed)
        .output()
        .unwrap();

    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let add = text
        .find("lambda:AddPermission")
        .expect("a permission is added");
    let notify = text
        .find("s3:PutBucketNotificationConfiguration")
        .expect("the bucket is wired");
    assert!(
        add < notify,
        "permission before the notification that needs it:\n{text}"
    );
    assert!(text.contains("why:"), "{text}");
}

#[test]
fn a_blocked_plan_exits_1_and_says_what_blocks_it() {
    let file = write_temp("blocked.json", &wiring::examples::thumbnail().to_json());
    let observed = write_temp(
        "observed-missing.json",
        r#"{"missing": ["eventloom-demo-uploads"]}"#,
    );

    let out = bin()
        .args(["plan"])
        .arg(&file)
        .arg("--observed")
        .arg(&observed)
        .output()
        .unwrap();

    assert_eq!(
        out.status.code(),
        Some(1),
        "a pipeline must be able to stop on it"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("blocked: eventloom-demo-uploads does not exist"),
        "{text}"
    );
}

#[test]
fn a_malformed_graph_is_a_one_line_error_naming_the_field() {
    let file = write_temp(
        "bad.json",
        r#"{"schema":1,"nodes":{"q":{"kind":"sqs_queue","name":"bad name"}}}"#,
    );

    let out = bin().args(["validate"]).arg(&file).output().unwrap();

    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("nodes.q.name"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn schema_prints_the_graph_json_schema() {
    let out = bin().arg("schema").output().unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "Eventloom wiring graph, schema 1");
}
