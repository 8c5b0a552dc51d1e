//! Never doubles, never clobbers: re-applies make no mutating calls, removals touch only what
//! Eventloom created, and a plan whose live state moved is refused.

use crate::helpers::*;
use crate::support::*;
use serde_json::{Value, json};
use sqlx::PgPool;

fn pipeline(emu: &Emu, with_trigger: bool) -> wiring::Graph {
    let bucket = format!("photos-{}", emu.account);
    let mut edges = json!({
        "fail": { "from": "f", "to": "q", "kind": { "type": "on_failure" } },
        "poll": { "from": "q", "to": "retry", "kind": { "type": "trigger", "batch_size": 5 } },
    });
    if with_trigger {
        edges["up"] = json!({ "from": "b", "to": "f", "kind": { "type": "trigger", "events": ["s3:ObjectCreated:*"], "prefix": "in/" } });
    }
    fixed(
        emu,
        json!({
            "nodes": {
                "b": { "kind": "s3_bucket", "name": bucket },
                "f": { "kind": "function", "name": "thumb", "timeout": 30, "role": { "name": "thumb-role" } },
                "q": { "kind": "sqs_queue", "name": "thumb-failures", "visibility_timeout": 360 },
                "retry": { "kind": "function", "name": "thumb-retry", "timeout": 60, "role": { "name": "thumb-retry-role" } },
            },
            "edges": edges,
        }),
    )
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_second_apply_of_the_same_version_makes_no_mutating_calls(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&user, &emu, "emu").await;
    let g = pipeline(&emu, true);
    emu.seed(&g).await;
    let d = draft(&user, "p", &g).await;
    let first = deploy(&user, &d, 1, &target).await;
    assert!(first["total_steps"].as_u64().unwrap() >= 6, "{first:#}");

    let again = plan(&user, &d, 1, &target).await;
    assert_eq!(again["mutating_calls"], 0, "{again:#}");
    let job = apply(&user, again["id"].as_str().unwrap()).await;
    let second = wait(&user, job["id"].as_str().unwrap(), 30).await;

    assert_eq!(second["status"], "succeeded", "{second:#}");
    assert_eq!(second["total_steps"], 0, "no step ran: {second:#}");
    assert_eq!(emu.sids("thumb").await.len(), 1);
    let maps = emu
        .aws
        .lambda
        .list_event_source_mappings()
        .function_name(emu.arn("lambda", "function:thumb-retry"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        maps.event_source_mappings().len(),
        1,
        "no duplicate mapping"
    );
    let n = emu
        .aws
        .s3
        .get_bucket_notification_configuration()
        .bucket(format!("photos-{}", emu.account))
        .send()
        .await
        .unwrap();
    assert_eq!(
        n.lambda_function_configurations().len(),
        1,
        "no duplicate notification"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn removing_an_edge_removes_only_what_eventloom_created(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&user, &emu, "emu").await;
    let bucket = format!("photos-{}", emu.account);
    let g1 = pipeline(&emu, true);
    emu.seed(&g1).await;
    // Someone else's statement and notifications, configured by hand before Eventloom.
    emu.aws
        .lambda
        .add_permission()
        .function_name("thumb")
        .statement_id("ops-manual-invoke")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn(format!("arn:aws:s3:::{bucket}"))
        .source_account(&emu.account)
        .send()
        .await
        .unwrap();
    let audit_fn = emu.arn("lambda", "function:audit");
    let foreign = aws_sdk_s3::types::NotificationConfiguration::builder()
        .lambda_function_configurations(
            aws_sdk_s3::types::LambdaFunctionConfiguration::builder()
                .id("ops-audit")
                .lambda_function_arn(&audit_fn)
                .events(aws_sdk_s3::types::Event::from("s3:ObjectRemoved:*"))
                .build()
                .unwrap(),
        )
        .queue_configurations(
            aws_sdk_s3::types::QueueConfiguration::builder()
                .id("ops-index")
                .queue_arn(emu.arn("sqs", "thumb-failures"))
                .events(aws_sdk_s3::types::Event::from("s3:ObjectCreated:Put"))
                .build()
                .unwrap(),
        )
        .build();
    emu.aws
        .s3
        .put_bucket_notification_configuration()
        .bucket(&bucket)
        .notification_configuration(foreign)
        .send()
        .await
        .unwrap();
    let d = draft(&user, "p", &g1).await;
    deploy(&user, &d, 1, &target).await;
    assert_eq!(emu.sids("thumb").await.len(), 2, "ours and the foreign one");

    // Version 2 drops the S3 trigger and, with it, the statement it needed.
    let g2 = pipeline(&emu, false);
    assert!(
        g2.to_json().matches("s3.amazonaws.com").count() == 0,
        "version 2 has no S3 statement"
    );
    let v2 = save(&user, &d, &g2).await;
    let done = deploy(&user, &d, v2, &target).await;

    let calls: Vec<&str> = done["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["call"].as_str())
        .collect();
    assert!(calls.contains(&"lambda:RemovePermission"), "{calls:?}");
    assert_eq!(
        emu.sids("thumb").await,
        vec!["ops-manual-invoke".to_owned()]
    );
    let n = emu
        .aws
        .s3
        .get_bucket_notification_configuration()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = n
        .lambda_function_configurations()
        .iter()
        .filter_map(|c| c.id())
        .collect();
    assert_eq!(
        ids,
        vec!["ops-audit"],
        "only the foreign Lambda notification is left"
    );
    assert_eq!(
        n.queue_configurations().len(),
        1,
        "the foreign queue notification survives"
    );
    assert_eq!(n.queue_configurations()[0].id(), Some("ops-index"));
    assert_eq!(remaining(&user, &d, v2, &target).await, 0);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_plan_whose_live_state_moved_is_refused_and_a_new_plan_applies(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&user, &emu, "emu").await;
    let g = pipeline(&emu, true);
    emu.seed(&g).await;
    let d = draft(&user, "p", &g).await;
    let p = plan(&user, &d, 1, &target).await;

    // Someone changes the queue by hand between plan and apply.
    let url = emu
        .aws
        .sqs
        .get_queue_url()
        .queue_name("thumb-failures")
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
    let job = apply(&user, p["id"].as_str().unwrap()).await;
    let stale = wait(&user, job["id"].as_str().unwrap(), 30).await;

    assert_eq!(stale["status"], "failed");
    assert_eq!(stale["error_code"], "StalePlan");
    assert!(
        stale["error"].as_str().unwrap().contains("Plan again"),
        "{stale}"
    );
    assert!(emu.sids("thumb").await.is_empty(), "nothing was applied");
    deploy(&user, &d, 1, &target).await;
    assert_eq!(remaining(&user, &d, 1, &target).await, 0);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_applied_plan_cannot_be_queued_twice(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&user, &emu, "emu").await;
    let g = pipeline(&emu, true);
    emu.seed(&g).await;
    let d = draft(&user, "p", &g).await;
    let p = plan(&user, &d, 1, &target).await;
    let job = apply(&user, p["id"].as_str().unwrap()).await;
    wait(&user, job["id"].as_str().unwrap(), 30).await;

    let res = user
        .post_empty(&format!(
            "/api/v1/plans/{}/apply",
            p["id"].as_str().unwrap()
        ))
        .await;

    assert_eq!(res.status(), reqwest::StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("Plan again"),
        "{body}"
    );
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_plan_that_would_undo_another_drafts_wiring_says_so_before_it_runs(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let user = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&user, &emu, "emu").await;
    let full = pipeline(&emu, true);
    emu.seed(&full).await;
    let wired = draft(&user, "thumbnails", &full).await;
    deploy(&user, &wired, 1, &target).await;

    // A second draft of the same functions without the S3 trigger: its plan removes the
    // grant the first draft applied, and the preview names that draft.
    let other = draft(&user, "thumbs-rework", &pipeline(&emu, false)).await;
    let p = plan(&user, &other, 1, &target).await;

    let calls: Vec<&str> = p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["call"].as_str())
        .collect();
    assert!(calls.contains(&"lambda:RemovePermission"), "{calls:?}");
    let warnings: Vec<&str> = p["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let thumb = emu.arn("lambda", "function:thumb");
    assert!(
        warnings.iter().any(|w| w.starts_with(&thumb)
            && w.contains("draft “thumbnails” (version 1)")
            && w.contains("lambda:RemovePermission")),
        "{warnings:#?}"
    );

    // The first draft's own re-plan is not warned about itself.
    let again = plan(&user, &wired, 1, &target).await;
    assert_eq!(again["warnings"], json!([]), "{again:#}");
}
