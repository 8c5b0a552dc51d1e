//! Per trigger and destination kind the emulator supports: apply through the worker, then
//! read the live state back through the SDK and check it equals the draft, and that a
//! fresh plan has nothing left to do.

use crate::helpers::*;
use crate::support::*;
use serde_json::{Value, json};
use sqlx::PgPool;

async fn setup(pool: PgPool) -> (TestApp, User, Emu, String) {
    let app = TestApp::spawn(pool).await;
    let user = admin(&app).await;
    let emu = Emu::new().await;
    let target = add_target(&user, &emu, "emu").await;
    (app, user, emu, target)
}

fn function(name: &str, timeout: u32) -> Value {
    json!({ "kind": "function", "name": name, "timeout": timeout, "role": { "name": format!("{name}-role") } })
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_s3_trigger_is_wired_with_its_statement_and_notification(pool: PgPool) {
    let (_app, user, emu, target) = setup(pool).await;
    let bucket = format!("uploads-{}", emu.account);
    let g = fixed(
        &emu,
        json!({
            "nodes": {
                "b": { "kind": "s3_bucket", "name": bucket },
                "f": function("resize", 30),
            },
            "edges": { "t": { "from": "b", "to": "f", "kind": { "type": "trigger", "events": ["s3:ObjectCreated:*"], "prefix": "incoming/", "suffix": ".jpg" } } }
        }),
    );
    emu.seed(&g).await;
    let d = draft(&user, "s3", &g).await;

    deploy(&user, &d, 1, &target).await;

    let st = emu.statements("resize").await;
    assert_eq!(st.len(), 1, "{st:?}");
    assert_eq!(st[0]["Principal"]["Service"], "s3.amazonaws.com");
    let text = st[0]["Condition"].to_string();
    assert!(
        text.contains(&format!("arn:aws:s3:::{bucket}")),
        "SourceArn: {text}"
    );
    assert!(text.contains(&emu.account), "SourceAccount: {text}");
    let n = emu
        .aws
        .s3
        .get_bucket_notification_configuration()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let lambda = n.lambda_function_configurations();
    assert_eq!(lambda.len(), 1);
    assert_eq!(
        lambda[0].lambda_function_arn(),
        emu.arn("lambda", "function:resize")
    );
    assert!(lambda[0].id().unwrap().starts_with("eventloom-"));
    let rules: Vec<(String, String)> = lambda[0]
        .filter()
        .and_then(|f| f.key())
        .map(|k| {
            k.filter_rules()
                .iter()
                .map(|r| {
                    (
                        r.name().unwrap().as_str().to_ascii_lowercase(),
                        r.value().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        rules.contains(&("prefix".into(), "incoming/".into())),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("suffix".into(), ".jpg".into())),
        "{rules:?}"
    );
    assert_eq!(remaining(&user, &d, 1, &target).await, 0);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_sqs_trigger_creates_one_tagged_mapping_and_the_poll_grants(pool: PgPool) {
    let (_app, user, emu, target) = setup(pool).await;
    let g = fixed(
        &emu,
        json!({
            "nodes": {
                "q": { "kind": "sqs_queue", "name": "jobs", "visibility_timeout": 180 },
                "f": function("work", 30),
            },
            "edges": { "t": { "from": "q", "to": "f", "kind": { "type": "trigger", "batch_size": 7 } } }
        }),
    );
    emu.seed(&g).await;
    let d = draft(&user, "sqs", &g).await;

    deploy(&user, &d, 1, &target).await;

    let maps = emu
        .aws
        .lambda
        .list_event_source_mappings()
        .function_name(emu.arn("lambda", "function:work"))
        .send()
        .await
        .unwrap();
    let maps = maps.event_source_mappings();
    assert_eq!(maps.len(), 1, "exactly one mapping");
    assert_eq!(
        maps[0].event_source_arn(),
        Some(emu.arn("sqs", "jobs").as_str())
    );
    assert_eq!(maps[0].batch_size(), Some(7));
    let tags = emu
        .aws
        .lambda
        .list_tags()
        .resource(maps[0].event_source_mapping_arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags.tags()
            .and_then(|t| t.get("eventloom:edge"))
            .map(String::as_str),
        Some("t")
    );
    let policy = emu
        .aws
        .iam
        .get_role_policy()
        .role_name("work-role")
        .policy_name("eventloom-wiring")
        .send()
        .await
        .unwrap();
    let doc = percent_decoded(policy.policy_document());
    for action in [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    ] {
        assert!(doc.contains(action), "{action} in {doc}");
    }
    assert_eq!(remaining(&user, &d, 1, &target).await, 0);
}

fn percent_decoded(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_sns_trigger_subscribes_the_function_once(pool: PgPool) {
    let (_app, user, emu, target) = setup(pool).await;
    let g = fixed(
        &emu,
        json!({
            "nodes": { "t": { "kind": "sns_topic", "name": "orders" }, "f": function("notify", 10) },
            "edges": { "e": { "from": "t", "to": "f", "kind": { "type": "trigger" } } }
        }),
    );
    emu.seed(&g).await;
    let d = draft(&user, "sns", &g).await;

    deploy(&user, &d, 1, &target).await;
    // A second deploy of the same version must not subscribe again.
    deploy(&user, &d, 1, &target).await;

    let subs = emu
        .aws
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(emu.arn("sns", "orders"))
        .send()
        .await
        .unwrap();
    let lambda: Vec<_> = subs
        .subscriptions()
        .iter()
        .filter(|s| s.protocol() == Some("lambda"))
        .collect();
    assert_eq!(lambda.len(), 1);
    assert_eq!(
        lambda[0].endpoint(),
        Some(emu.arn("lambda", "function:notify").as_str())
    );
    let st = emu.statements("notify").await;
    assert_eq!(st.len(), 1);
    assert_eq!(st[0]["Principal"]["Service"], "sns.amazonaws.com");
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_eventbridge_rule_targets_the_function_with_our_target_id(pool: PgPool) {
    let (_app, user, emu, target) = setup(pool).await;
    let g = fixed(
        &emu,
        json!({
            "nodes": {
                "r": { "kind": "event_rule", "name": "nightly", "trigger": { "schedule": "rate(1 day)" } },
                "f": function("report", 60),
            },
            "edges": { "e": { "from": "r", "to": "f", "kind": { "type": "trigger" } } }
        }),
    );
    emu.seed(&g).await;
    let d = draft(&user, "events", &g).await;

    deploy(&user, &d, 1, &target).await;

    let targets = emu
        .aws
        .events
        .list_targets_by_rule()
        .rule("nightly")
        .send()
        .await
        .unwrap();
    let targets = targets.targets();
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].arn(), emu.arn("lambda", "function:report"));
    assert!(targets[0].id().starts_with("eventloom-"));
    let st = emu.statements("report").await;
    assert_eq!(st[0]["Principal"]["Service"], "events.amazonaws.com");
    assert_eq!(remaining(&user, &d, 1, &target).await, 0);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn async_destinations_are_written_as_the_event_invoke_config(pool: PgPool) {
    let (_app, user, emu, target) = setup(pool).await;
    let mut f = function("charge", 20);
    f["async_invoke"] = json!({ "maximum_retry_attempts": 0, "maximum_event_age": 3600 });
    let g = fixed(
        &emu,
        json!({
            "nodes": {
                "f": f,
                "ok": { "kind": "sns_topic", "name": "charged" },
                "bad": { "kind": "sqs_queue", "name": "charge-failures" },
            },
            "edges": {
                "s": { "from": "f", "to": "ok", "kind": { "type": "on_success" } },
                "x": { "from": "f", "to": "bad", "kind": { "type": "on_failure" } },
            }
        }),
    );
    emu.seed(&g).await;
    let d = draft(&user, "async", &g).await;

    deploy(&user, &d, 1, &target).await;

    let cfg = emu
        .aws
        .lambda
        .get_function_event_invoke_config()
        .function_name("charge")
        .send()
        .await
        .unwrap();
    let dest = cfg.destination_config().unwrap();
    assert_eq!(
        dest.on_success().and_then(|d| d.destination()),
        Some(emu.arn("sns", "charged").as_str())
    );
    assert_eq!(
        dest.on_failure().and_then(|d| d.destination()),
        Some(emu.arn("sqs", "charge-failures").as_str())
    );
    assert_eq!(cfg.maximum_retry_attempts(), Some(0));
    assert_eq!(cfg.maximum_event_age_in_seconds(), Some(3600));
    let doc = percent_decoded(
        emu.aws
            .iam
            .get_role_policy()
            .role_name("charge-role")
            .policy_name("eventloom-wiring")
            .send()
            .await
            .unwrap()
            .policy_document(),
    );
    assert!(
        doc.contains("sns:Publish") && doc.contains("sqs:SendMessage"),
        "{doc}"
    );
    assert_eq!(remaining(&user, &d, 1, &target).await, 0);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_redrive_edge_sets_the_queue_redrive_policy(pool: PgPool) {
    let (_app, user, emu, target) = setup(pool).await;
    let g = fixed(
        &emu,
        json!({
            "nodes": {
                "q": { "kind": "sqs_queue", "name": "in" },
                "dlq": { "kind": "sqs_queue", "name": "in-dlq" },
            },
            "edges": { "r": { "from": "q", "to": "dlq", "kind": { "type": "redrive", "max_receive_count": 4 } } }
        }),
    );
    emu.seed(&g).await;
    let d = draft(&user, "redrive", &g).await;

    deploy(&user, &d, 1, &target).await;

    let url = emu
        .aws
        .sqs
        .get_queue_url()
        .queue_name("in")
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned();
    let attrs = emu
        .aws
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy)
        .send()
        .await
        .unwrap();
    let redrive: Value = serde_json::from_str(
        attrs
            .attributes()
            .unwrap()
            .get(&aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(redrive["deadLetterTargetArn"], emu.arn("sqs", "in-dlq"));
    assert_eq!(
        redrive["maxReceiveCount"].to_string().trim_matches('"'),
        "4"
    );
    assert_eq!(remaining(&user, &d, 1, &target).await, 0);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_public_function_url_gets_the_url_and_both_statements(pool: PgPool) {
    let (_app, user, emu, target) = setup(pool).await;
    let mut f = function("hook", 5);
    f["url"] = json!({ "auth_type": "NONE" });
    let g = fixed(&emu, json!({ "nodes": { "f": f }, "edges": {} }));
    emu.seed(&g).await;
    let d = draft(&user, "url", &g).await;

    deploy(&user, &d, 1, &target).await;

    let url = emu
        .aws
        .lambda
        .get_function_url_config()
        .function_name("hook")
        .send()
        .await
        .unwrap();
    assert_eq!(url.auth_type().as_str(), "NONE");
    let st = emu.statements("hook").await;
    let actions: Vec<&str> = st.iter().filter_map(|s| s["Action"].as_str()).collect();
    assert!(actions.contains(&"lambda:InvokeFunctionUrl"), "{st:?}");
    assert!(actions.contains(&"lambda:InvokeFunction"), "{st:?}");
    assert!(
        st.iter()
            .all(|s| s["Principal"] == "*" || s["Principal"]["AWS"] == "*"),
        "{st:?}"
    );
    // moto drops the lambda:FunctionUrlAuthType and lambda:InvokedViaFunctionUrl conditions
    // (AWS keeps them), so a fresh plan wants to rewrite those two statements and nothing else.
    let left = plan(&user, &d, 1, &target).await;
    for s in left["steps"].as_array().unwrap() {
        assert!(
            s["summary"]
                .as_str()
                .unwrap()
                .contains("sid=eventloom-url-"),
            "{s}"
        );
    }
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn stream_triggers_map_kinesis_and_dynamodb_with_an_on_failure_destination(pool: PgPool) {
    let (_app, user, emu, target) = setup(pool).await;
    emu.json_call(
        "kinesis",
        "Kinesis_20131202.CreateStream",
        json!({ "StreamName": "clicks", "ShardCount": 1 }),
    )
    .await;
    let table = emu
        .json_call(
            "dynamodb",
            "DynamoDB_20120810.CreateTable",
            json!({
                "TableName": "orders",
                "AttributeDefinitions": [{ "AttributeName": "id", "AttributeType": "S" }],
                "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }],
                "BillingMode": "PAY_PER_REQUEST",
                "StreamSpecification": { "StreamEnabled": true, "StreamViewType": "NEW_IMAGE" },
            }),
        )
        .await;
    let stream_arn = table["TableDescription"]["LatestStreamArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let label = stream_arn.rsplit('/').next().unwrap().to_owned();
    let g = fixed(
        &emu,
        json!({
            "nodes": {
                "k": { "kind": "kinesis_stream", "name": "clicks" },
                "ddb": { "kind": "dynamo_db_stream", "name": "orders", "stream_label": label },
                "f": function("ingest", 60),
                "lost": { "kind": "sqs_queue", "name": "ingest-lost" },
            },
            "edges": {
                "kt": { "from": "k", "to": "f", "kind": { "type": "trigger", "starting_position": "TRIM_HORIZON", "batch_size": 50, "maximum_retry_attempts": 3, "bisect_batch_on_function_error": true } },
                "dt": { "from": "ddb", "to": "f", "kind": { "type": "trigger", "starting_position": "LATEST" } },
                "kf": { "from": "f", "to": "lost", "kind": { "type": "mapping_on_failure", "mapping": "kt" } },
            }
        }),
    );
    emu.seed(&g).await;
    let d = draft(&user, "streams", &g).await;

    deploy(&user, &d, 1, &target).await;

    let maps = emu
        .aws
        .lambda
        .list_event_source_mappings()
        .function_name(emu.arn("lambda", "function:ingest"))
        .send()
        .await
        .unwrap();
    let maps = maps.event_source_mappings();
    assert_eq!(maps.len(), 2, "{maps:?}");
    let kinesis = maps
        .iter()
        .find(|m| m.event_source_arn() == Some(emu.arn("kinesis", "stream/clicks").as_str()))
        .expect("kinesis mapping");
    assert_eq!(kinesis.batch_size(), Some(50));
    assert_eq!(kinesis.maximum_retry_attempts(), Some(3));
    assert_eq!(
        kinesis
            .destination_config()
            .and_then(|d| d.on_failure())
            .and_then(|o| o.destination()),
        Some(emu.arn("sqs", "ingest-lost").as_str())
    );
    assert!(
        maps.iter()
            .any(|m| m.event_source_arn() == Some(stream_arn.as_str())),
        "dynamodb mapping"
    );
    assert_eq!(remaining(&user, &d, 1, &target).await, 0);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn a_cognito_trigger_is_merged_and_the_pool_keeps_its_other_settings(pool: PgPool) {
    let (_app, user, emu, target) = setup(pool).await;
    let foreign = emu.arn("lambda", "function:someone-elses");
    let created = emu
        .aws
        .cognito
        .create_user_pool()
        .pool_name("customers")
        .email_verification_subject("Welcome to Customers")
        .lambda_config(
            aws_sdk_cognitoidentityprovider::types::LambdaConfigType::builder()
                .post_confirmation(&foreign)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = created.user_pool().unwrap().id().unwrap().to_owned();
    let g = fixed(
        &emu,
        json!({
            "nodes": {
                "p": { "kind": "user_pool", "name": pool_id },
                "f": function("screen-signup", 5),
            },
            "edges": { "e": { "from": "p", "to": "f", "kind": { "type": "trigger", "cognito_trigger": "PreSignUp" } } }
        }),
    );
    emu.seed(&g).await;
    let d = draft(&user, "cognito", &g).await;

    deploy(&user, &d, 1, &target).await;

    let pool = emu
        .aws
        .cognito
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let pool = pool.user_pool().unwrap();
    let lambda = pool.lambda_config().unwrap();
    assert_eq!(
        lambda.pre_sign_up(),
        Some(emu.arn("lambda", "function:screen-signup").as_str())
    );
    assert_eq!(
        lambda.post_confirmation(),
        Some(foreign.as_str()),
        "the foreign slot survives"
    );
    assert_eq!(
        pool.email_verification_subject(),
        Some("Welcome to Customers"),
        "UpdateUserPool got every other setting back"
    );
    let st = emu.statements("screen-signup").await;
    assert_eq!(st[0]["Principal"]["Service"], "cognito-idp.amazonaws.com");
    assert_eq!(remaining(&user, &d, 1, &target).await, 0);
}

#[sqlx::test(migrator = "server::store::MIGRATOR")]
async fn an_http_api_route_is_integrated_with_the_function(pool: PgPool) {
    let (_app, user, emu, target) = setup(pool).await;
    let api = emu
        .aws
        .apigw
        .create_api()
        .name("shop")
        .protocol_type(aws_sdk_apigatewayv2::types::ProtocolType::Http)
        .send()
        .await
        .unwrap();
    let api_id = api.api_id().unwrap().to_owned();
    let g = fixed(
        &emu,
        json!({
            "nodes": {
                "r": { "kind": "http_api_route", "name": api_id, "route_key": "GET /orders" },
                "f": function("list-orders", 10),
            },
            "edges": { "e": { "from": "r", "to": "f", "kind": { "type": "trigger" } } }
        }),
    );
    emu.seed(&g).await;
    let d = draft(&user, "api", &g).await;

    deploy(&user, &d, 1, &target).await;

    let routes = emu
        .aws
        .apigw
        .get_routes()
        .api_id(&api_id)
        .send()
        .await
        .unwrap();
    let route = routes
        .items()
        .iter()
        .find(|r| r.route_key() == Some("GET /orders"))
        .expect("route created");
    let integration = route
        .target()
        .and_then(|t| t.strip_prefix("integrations/"))
        .expect("route targets an integration");
    let i = emu
        .aws
        .apigw
        .get_integration()
        .api_id(&api_id)
        .integration_id(integration)
        .send()
        .await
        .unwrap();
    assert_eq!(
        i.integration_uri(),
        Some(emu.arn("lambda", "function:list-orders").as_str())
    );
    let st = emu.statements("list-orders").await;
    assert_eq!(st[0]["Principal"]["Service"], "apigateway.amazonaws.com");
    assert_eq!(remaining(&user, &d, 1, &target).await, 0);
}
