//! One test per rule of `aws-wiring-rules.md` (§2 sources, §3 destinations, §4 findings),
//! and one per scenario of the seed tutorial's recap table, each on a minimal graph.

use crate::change::apply_all;
use crate::findings::{Code, Element, Finding, Severity};
use crate::model::*;
use crate::testkit::*;
use crate::validate;

fn codes(g: &Graph) -> Vec<Code> {
    validate(g).into_iter().map(|f| f.code).collect()
}

fn find(g: &Graph, code: Code) -> Finding {
    validate(g)
        .into_iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", validate(g)))
}

fn has(g: &Graph, code: Code) -> bool {
    validate(g).iter().any(|f| f.code == code)
}

/// Applies the fix of the first finding with `code`.
fn fix(g: &mut Graph, code: Code) {
    let f = find(g, code);
    let fix = f.fix.unwrap_or_else(|| panic!("{code} has no fix"));
    apply_all(g, &fix.changes).unwrap();
}

fn with_policy(name: &str, statements: Vec<Statement>) -> Node {
    func_with(name, |f| f.policy = statements)
}

// ---------------------------------------------------------------------------------------
// §2 Sources: push sources need a statement naming their principal and SourceArn
// ---------------------------------------------------------------------------------------

#[test]
fn an_s3_trigger_without_a_statement_is_an_error_whose_fix_names_source_arn_and_account() {
    let mut g = graph(
        &[bucket("uploads"), func("thumb")],
        &[("t", "uploads", "thumb", s3_trigger())],
    );
    let f = find(&g, Code::MissingInvokePermission);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.at, Element::Edge(eid("t")));
    assert!(f.message.contains("s3.amazonaws.com"), "{}", f.message);
    let cli = &f.fix.as_ref().unwrap().cli;
    assert!(cli.contains("--source-arn arn:aws:s3:::uploads"), "{cli}");
    assert!(cli.contains("--source-account 123456789012"), "{cli}");
    fix(&mut g, Code::MissingInvokePermission);
    assert!(!has(&g, Code::MissingInvokePermission));
    assert!(!has(&g, Code::MissingSourceAccount));
}

#[test]
fn an_s3_statement_without_source_account_is_a_warning_fixed_by_adding_the_bucket_owner() {
    let s = stmt(
        "AllowS3Invoke",
        "s3.amazonaws.com",
        Some("arn:aws:s3:::uploads"),
        None,
    );
    let mut g = graph(
        &[bucket("uploads"), with_policy("thumb", vec![s])],
        &[("t", "uploads", "thumb", s3_trigger())],
    );
    let f = find(&g, Code::MissingSourceAccount);
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("carry no account"), "{}", f.message);
    fix(&mut g, Code::MissingSourceAccount);
    assert!(!has(&g, Code::MissingSourceAccount));
    let thumb = g.function(&nid("thumb")).unwrap();
    assert_eq!(
        thumb.policy.len(),
        1,
        "the statement is replaced, not duplicated"
    );
    assert_eq!(
        thumb.policy[0].source_account.as_ref().map(|a| a.as_str()),
        Some(ACCOUNT)
    );
}

#[test]
fn a_statement_for_another_bucket_does_not_count() {
    let s = stmt(
        "other",
        "s3.amazonaws.com",
        Some("arn:aws:s3:::other-bucket"),
        Some(ACCOUNT),
    );
    let g = graph(
        &[bucket("uploads"), with_policy("thumb", vec![s])],
        &[("t", "uploads", "thumb", s3_trigger())],
    );
    assert!(has(&g, Code::MissingInvokePermission));
}

#[test]
fn a_wildcard_source_arn_statement_satisfies_the_trigger() {
    let s = stmt(
        "all",
        "s3.amazonaws.com",
        Some("arn:aws:s3:::upl*"),
        Some(ACCOUNT),
    );
    let g = graph(
        &[bucket("uploads"), with_policy("thumb", vec![s])],
        &[("t", "uploads", "thumb", s3_trigger())],
    );
    assert!(!has(&g, Code::MissingInvokePermission));
}

#[test]
fn overlapping_s3_notifications_on_one_bucket_are_rejected() {
    let g = graph(
        &[bucket("uploads"), func("a"), func("b")],
        &[
            (
                "t1",
                "uploads",
                "a",
                trigger_with(|t| {
                    t.events = vec!["s3:ObjectCreated:*".into()];
                    t.prefix = Some("img/".into());
                }),
            ),
            (
                "t2",
                "uploads",
                "b",
                trigger_with(|t| {
                    t.events = vec!["s3:ObjectCreated:Put".into()];
                    t.prefix = Some("img/raw/".into());
                }),
            ),
        ],
    );
    assert!(has(&g, Code::S3OverlappingFilters));
}

#[test]
fn disjoint_s3_prefixes_on_one_bucket_are_fine() {
    let g = graph(
        &[bucket("uploads"), func("a"), func("b")],
        &[
            (
                "t1",
                "uploads",
                "a",
                trigger_with(|t| {
                    t.events = vec!["s3:ObjectCreated:*".into()];
                    t.prefix = Some("img/".into());
                }),
            ),
            (
                "t2",
                "uploads",
                "b",
                trigger_with(|t| {
                    t.events = vec!["s3:ObjectCreated:*".into()];
                    t.prefix = Some("doc/".into());
                }),
            ),
        ],
    );
    assert!(!has(&g, Code::S3OverlappingFilters));
}

#[test]
fn an_s3_trigger_with_an_unknown_event_is_an_error() {
    let g = graph(
        &[bucket("uploads"), func("a")],
        &[(
            "t",
            "uploads",
            "a",
            trigger_with(|t| t.events = vec!["s3:ObjectMade".into()]),
        )],
    );
    assert!(
        find(&g, Code::UnknownS3Event)
            .message
            .contains("s3:ObjectMade")
    );
}

#[test]
fn an_sns_trigger_needs_a_statement_with_the_topic_as_source_arn() {
    let mut g = graph(
        &[topic("orders"), func("f")],
        &[("t", "orders", "f", trigger())],
    );
    let f = find(&g, Code::MissingInvokePermission);
    assert!(f.fix.as_ref().unwrap().cli.contains(
        "--principal sns.amazonaws.com --source-arn arn:aws:sns:us-east-1:123456789012:orders"
    ));
    fix(&mut g, Code::MissingInvokePermission);
    assert!(!has(&g, Code::MissingInvokePermission));
}

#[test]
fn a_fifo_topic_cannot_trigger_a_function() {
    let g = graph(
        &[topic("orders.fifo"), func("f")],
        &[("t", "orders.fifo", "f", trigger())],
    );
    assert!(
        find(&g, Code::EdgeNotAllowed)
            .message
            .contains("only SQS subscribers")
    );
}

#[test]
fn an_eventbridge_rule_needs_a_statement_for_events_with_the_rule_arn() {
    let g = graph(
        &[rule("nightly"), func("f")],
        &[("t", "nightly", "f", trigger())],
    );
    let cli = find(&g, Code::MissingInvokePermission).fix.unwrap().cli;
    assert!(cli.contains("--principal events.amazonaws.com --source-arn arn:aws:events:us-east-1:123456789012:rule/nightly"), "{cli}");
}

#[test]
fn a_scheduler_schedule_needs_its_role_granted_and_no_function_statement() {
    let schedule = Node::Schedule(Schedule {
        name: crate::ids::ResourceName::parse("hourly").unwrap(),
        account: None,
        region: None,
        group: crate::ids::ResourceName::parse("default").unwrap(),
        expression: "rate(1 hour)".into(),
        role: Role::new(crate::ids::RoleName::parse("scheduler-role").unwrap()),
    });
    let mut g = graph(&[schedule, func("f")], &[("t", "hourly", "f", trigger())]);
    let c = codes(&g);
    assert!(c.contains(&Code::MissingInvokerRoleGrant));
    assert!(
        c.contains(&Code::InvokerRoleTrust),
        "the role trusts only lambda.amazonaws.com"
    );
    assert!(!c.contains(&Code::MissingInvokePermission));
    fix(&mut g, Code::MissingInvokerRoleGrant);
    fix(&mut g, Code::InvokerRoleTrust);
    assert!(!has(&g, Code::MissingInvokerRoleGrant) && !has(&g, Code::InvokerRoleTrust));
}

#[test]
fn an_ses_rule_needs_a_statement_with_source_account() {
    let ses = Node::SesRule(SesRule {
        name: crate::ids::ResourceName::parse("inbound").unwrap(),
        account: None,
        region: None,
        rule_set: crate::ids::ResourceName::parse("default-rule-set").unwrap(),
    });
    let g = graph(&[ses, func("f")], &[("t", "inbound", "f", trigger())]);
    let cli = find(&g, Code::MissingInvokePermission).fix.unwrap().cli;
    assert!(cli.contains("--principal ses.amazonaws.com"));
    assert!(cli.contains("--source-account 123456789012"));
}

#[test]
fn ses_request_response_makes_destinations_never_fire() {
    let ses = Node::SesRule(SesRule {
        name: crate::ids::ResourceName::parse("inbound").unwrap(),
        account: None,
        region: None,
        rule_set: crate::ids::ResourceName::parse("set").unwrap(),
    });
    let g = graph(
        &[ses, func("f"), queue("out")],
        &[
            (
                "t",
                "inbound",
                "f",
                trigger_with(|t| t.invocation_type = Some(InvocationType::RequestResponse)),
            ),
            ("d", "f", "out", EdgeKind::OnSuccess),
        ],
    );
    assert!(has(&g, Code::DestinationNeverFires));
}

#[test]
fn an_iot_rule_needs_a_statement_for_iot() {
    let iot = Node::IotRule(IotRule {
        name: crate::ids::ResourceName::parse("telemetry").unwrap(),
        account: None,
        region: None,
    });
    let g = graph(&[iot, func("f")], &[("t", "telemetry", "f", trigger())]);
    assert!(find(&g, Code::MissingInvokePermission).fix.unwrap().cli.contains("--principal iot.amazonaws.com --source-arn arn:aws:iot:us-east-1:123456789012:rule/telemetry"));
}

#[test]
fn a_log_subscription_needs_a_statement_for_logs_with_the_log_group_arn() {
    let lg = Node::LogGroup(LogGroup {
        name: crate::ids::ResourceName::parse("/aws/app").unwrap(),
        account: None,
        region: None,
    });
    let mut g = graph(&[], &[]);
    g.nodes.insert(nid("logs"), lg);
    g.nodes.insert(nid("f"), func("f"));
    g.edges.insert(
        eid("t"),
        Edge {
            from: nid("logs"),
            to: nid("f"),
            kind: trigger(),
        },
    );
    let cli = find(&g, Code::MissingInvokePermission).fix.unwrap().cli;
    assert!(cli.contains("--principal logs.amazonaws.com --source-arn 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/app:*'"), "{cli}");
}

#[test]
fn an_api_gateway_route_needs_a_statement_with_the_execute_api_arn() {
    let g = graph(
        &[api_route("a1b2c3"), func("f")],
        &[("t", "a1b2c3", "f", trigger())],
    );
    let cli = find(&g, Code::MissingInvokePermission).fix.unwrap().cli;
    assert!(cli.contains("--principal apigateway.amazonaws.com"));
    assert!(
        cli.contains("arn:aws:execute-api:us-east-1:123456789012:a1b2c3/*/GET/orders"),
        "{cli}"
    );
}

#[test]
fn an_api_gateway_route_with_a_credentials_role_needs_no_statement() {
    let route = match api_route("a1b2c3") {
        Node::HttpApiRoute(mut r) => {
            r.credentials_role = Some(arn("arn:aws:iam::123456789012:role/apigw-invoke"));
            Node::HttpApiRoute(r)
        }
        _ => unreachable!(),
    };
    let g = graph(&[route, func("f")], &[("t", "a1b2c3", "f", trigger())]);
    assert!(!has(&g, Code::MissingInvokePermission));
}

#[test]
fn api_gateway_is_synchronous_so_destinations_never_fire() {
    let g = graph(
        &[api_route("a1b2c3"), func("f"), queue("q")],
        &[
            ("t", "a1b2c3", "f", trigger()),
            ("d", "f", "q", EdgeKind::OnFailure),
        ],
    );
    assert!(
        find(&g, Code::DestinationNeverFires)
            .message
            .contains("Synchronous callers")
    );
}

#[test]
fn an_alb_target_group_needs_a_statement_for_elastic_load_balancing() {
    let tg = Node::TargetGroup(TargetGroup {
        name: crate::ids::ResourceName::parse("web").unwrap(),
        account: None,
        region: None,
        target_group_id: "50dc6c495c0c9188".into(),
    });
    let g = graph(&[tg, func("f")], &[("t", "web", "f", trigger())]);
    assert!(find(&g, Code::MissingInvokePermission).fix.unwrap().cli.contains("--principal elasticloadbalancing.amazonaws.com --source-arn arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/50dc6c495c0c9188"));
}

#[test]
fn a_public_function_url_is_a_warning_and_needs_both_public_statements() {
    let mut g = graph(
        &[func_with("f", |f| {
            f.url = Some(FunctionUrl {
                auth_type: UrlAuthType::None,
            })
        })],
        &[],
    );
    assert_eq!(
        find(&g, Code::FunctionUrlPublic).severity,
        Severity::Warning
    );
    let f = find(&g, Code::FunctionUrlMissingStatements);
    let cli = f.fix.as_ref().unwrap().cli.clone();
    assert!(
        cli.contains(
            "--action lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type NONE"
        ),
        "{cli}"
    );
    assert!(
        cli.contains("--action lambda:InvokeFunction --principal '*' --invoked-via-function-url"),
        "{cli}"
    );
    fix(&mut g, Code::FunctionUrlMissingStatements);
    assert!(!has(&g, Code::FunctionUrlMissingStatements));
    assert!(
        !has(&g, Code::PublicInvokeStatement),
        "URL statements are not a public-invoke mistake"
    );
    assert!(
        has(&g, Code::FunctionUrlPublic),
        "NONE stays a visible warning"
    );
}

#[test]
fn a_public_url_with_only_the_old_url_statement_still_needs_the_invoked_via_url_statement() {
    let mut url = stmt("url", "*", None, None);
    url.action = IamAction::parse("lambda:InvokeFunctionUrl").unwrap();
    url.function_url_auth_type = Some(UrlAuthType::None);
    let g = graph(
        &[func_with("f", |f| {
            f.url = Some(FunctionUrl {
                auth_type: UrlAuthType::None,
            });
            f.policy = vec![url];
        })],
        &[],
    );
    let fix = find(&g, Code::FunctionUrlMissingStatements).fix.unwrap();
    assert_eq!(fix.changes.len(), 1);
    assert!(fix.cli.contains("--invoked-via-function-url"));
}

#[test]
fn an_iam_function_url_tells_who_needs_which_actions() {
    let g = graph(
        &[func_with("f", |f| {
            f.url = Some(FunctionUrl {
                auth_type: UrlAuthType::AwsIam,
            })
        })],
        &[],
    );
    assert_eq!(codes(&g), [Code::FunctionUrlIamCallers]);
}

#[test]
fn a_cognito_trigger_needs_a_statement_and_one_function_per_slot() {
    let pool = Node::UserPool(UserPool {
        name: crate::ids::ResourceName::parse("us-east-1_Ab12").unwrap(),
        account: None,
        region: None,
    });
    let slot = |t: &mut Trigger| t.cognito_trigger = Some(CognitoTrigger::PreSignUp);
    let g = graph(
        &[pool, func("a"), func("b")],
        &[
            ("t1", "us-east-1_Ab12", "a", trigger_with(slot)),
            ("t2", "us-east-1_Ab12", "b", trigger_with(slot)),
        ],
    );
    assert!(find(&g, Code::MissingInvokePermission).fix.unwrap().cli.contains("--principal cognito-idp.amazonaws.com --source-arn arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Ab12"));
    assert!(has(&g, Code::CognitoTriggerTaken));
}

#[test]
fn lambda_at_edge_needs_us_east_1_a_numbered_version_edgelambda_trust_and_plain_packaging() {
    let dist = Node::Distribution(Distribution {
        name: crate::ids::ResourceName::parse("E2QWRUHAPOMQZL").unwrap(),
        account: None,
        region: None,
    });
    let f = func_with("edge", |f| {
        f.region = Some(crate::ids::Region::parse("eu-west-1").unwrap());
        f.packaging.environment = true;
    });
    let edge = trigger_with(|t| t.cloudfront_event = Some(CloudFrontEvent::ViewerRequest));
    let mut g = graph(&[dist, f], &[("t", "E2QWRUHAPOMQZL", "edge", edge)]);
    let c = codes(&g);
    for code in [
        Code::EdgeFunctionRegion,
        Code::EdgeFunctionVersion,
        Code::EdgeRoleTrust,
        Code::EdgeFunctionConfig,
    ] {
        assert!(c.contains(&code), "{code} missing from {c:?}");
    }
    assert!(
        !c.contains(&Code::MissingInvokePermission),
        "Lambda@Edge uses no function statement"
    );
    fix(&mut g, Code::EdgeRoleTrust);
    assert!(!has(&g, Code::EdgeRoleTrust));
}

#[test]
fn a_correct_lambda_at_edge_function_has_no_edge_findings() {
    let dist = Node::Distribution(Distribution {
        name: crate::ids::ResourceName::parse("E2QWRUHAPOMQZL").unwrap(),
        account: None,
        region: None,
    });
    let f = func_with("edge", |f| {
        f.qualifier = Some(crate::ids::Qualifier::parse("3").unwrap());
        f.role.trusts.insert("edgelambda.amazonaws.com".into());
    });
    let edge = trigger_with(|t| t.cloudfront_event = Some(CloudFrontEvent::OriginRequest));
    let g = graph(&[dist, f], &[("t", "E2QWRUHAPOMQZL", "edge", edge)]);
    assert!(codes(&g).is_empty(), "{:?}", codes(&g));
}

#[test]
fn a_step_functions_task_needs_the_state_machine_roles_grant_not_a_function_statement() {
    let mut g = graph(
        &[state_machine("orders-flow"), func("f")],
        &[("t", "orders-flow", "f", trigger())],
    );
    let f = find(&g, Code::MissingInvokerRoleGrant);
    assert!(
        f.message.contains("not in a statement on the function"),
        "{}",
        f.message
    );
    assert!(!has(&g, Code::MissingInvokePermission));
    fix(&mut g, Code::MissingInvokerRoleGrant);
    assert!(codes(&g).is_empty(), "{:?}", codes(&g));
}

#[test]
fn a_same_account_state_machine_with_a_function_statement_gets_a_warning_to_remove_it() {
    let s = stmt("AllowSfn", "states.amazonaws.com", None, None);
    let mut g = graph(
        &[state_machine("flow"), with_policy("f", vec![s])],
        &[("t", "flow", "f", trigger())],
    );
    let f = find(&g, Code::UnneededInvokerStatement);
    assert_eq!(f.severity, Severity::Warning);
    fix(&mut g, Code::UnneededInvokerStatement);
    assert!(g.function(&nid("f")).unwrap().policy.is_empty());
}

#[test]
fn a_cross_account_state_machine_also_needs_a_function_statement_for_its_role() {
    let sm = match state_machine("flow") {
        Node::StateMachine(mut s) => {
            s.account = Some(crate::ids::AccountId::parse(OTHER_ACCOUNT).unwrap());
            Node::StateMachine(s)
        }
        _ => unreachable!(),
    };
    let g = graph(&[sm, func("f")], &[("t", "flow", "f", trigger())]);
    let cli = find(&g, Code::MissingInvokePermission).fix.unwrap().cli;
    assert!(
        cli.contains("--principal arn:aws:iam::210987654321:role/flow-role"),
        "{cli}"
    );
}

#[test]
fn an_sqs_trigger_needs_the_three_poll_actions_on_the_execution_role() {
    let mut g = graph(
        &[queue("jobs"), func("f")],
        &[("t", "jobs", "f", trigger())],
    );
    let f = find(&g, Code::MissingPollRoleAction);
    assert!(
        f.message
            .contains("sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes"),
        "{}",
        f.message
    );
    fix(&mut g, Code::MissingPollRoleAction);
    assert!(!has(&g, Code::MissingPollRoleAction));
    let grant = &g.function(&nid("f")).unwrap().role.grants[0];
    assert!(grant.managed, "Eventloom manages the grants it adds");
}

#[test]
fn a_statement_for_sqs_does_not_replace_the_role_grant_and_is_flagged_ineffective() {
    let s = stmt(
        "AllowSqs",
        "sqs.amazonaws.com",
        Some("arn:aws:sqs:us-east-1:123456789012:jobs"),
        None,
    );
    let g = graph(
        &[queue("jobs"), with_policy("f", vec![s])],
        &[("t", "jobs", "f", trigger())],
    );
    let c = codes(&g);
    assert!(c.contains(&Code::MissingPollRoleAction));
    assert!(c.contains(&Code::IneffectiveStatement));
}

#[test]
fn a_visibility_timeout_below_the_function_timeout_is_an_error() {
    let mut g = graph(
        &[
            queue_with_visibility("jobs", 30),
            func_with("f", |f| f.timeout = 60),
        ],
        &[("t", "jobs", "f", trigger())],
    );
    let f = find(&g, Code::VisibilityBelowTimeout);
    assert!(f.message.contains("Lambda rejects the mapping"));
    assert_eq!(f.field.as_deref(), Some("visibility_timeout"));
    fix(&mut g, Code::VisibilityBelowTimeout);
    match &g.nodes[&nid("jobs")] {
        Node::SqsQueue(q) => assert_eq!(q.visibility_timeout, Some(360)),
        _ => unreachable!(),
    }
    assert!(!has(&g, Code::VisibilityBelowTimeout) && !has(&g, Code::VisibilityBelowRecommended));
}

#[test]
fn a_visibility_timeout_below_six_times_the_timeout_plus_window_is_a_warning() {
    let g = graph(
        &[
            queue_with_visibility("jobs", 100),
            func_with("f", |f| f.timeout = 20),
        ],
        &[(
            "t",
            "jobs",
            "f",
            trigger_with(|t| t.batching_window = Some(5)),
        )],
    );
    let f = find(&g, Code::VisibilityBelowRecommended);
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("= 125 s"), "{}", f.message);
}

#[test]
fn an_unset_visibility_timeout_is_judged_as_the_aws_default_and_says_so() {
    let g = graph(
        &[queue("jobs"), func_with("f", |f| f.timeout = 60)],
        &[("t", "jobs", "f", trigger())],
    );
    assert!(
        find(&g, Code::VisibilityBelowTimeout)
            .message
            .contains("AWS's default")
    );
}

#[test]
fn an_sqs_batch_above_ten_needs_a_batching_window() {
    let mut g = graph(
        &[queue("jobs"), func("f")],
        &[("t", "jobs", "f", trigger_with(|t| t.batch_size = Some(50)))],
    );
    assert!(has(&g, Code::BatchWindowRequired));
    fix(&mut g, Code::BatchWindowRequired);
    assert!(!has(&g, Code::BatchWindowRequired));
}

#[test]
fn a_fifo_queue_mapping_allows_at_most_ten_per_batch() {
    let g = graph(
        &[queue("jobs.fifo"), func("f")],
        &[(
            "t",
            "jobs.fifo",
            "f",
            trigger_with(|t| t.batch_size = Some(20)),
        )],
    );
    assert!(
        find(&g, Code::MappingSettingOutOfRange)
            .message
            .contains("FIFO queues allow at most 10")
    );
}

#[test]
fn a_kinesis_trigger_needs_the_stream_read_actions_and_a_starting_position() {
    let mut g = graph(
        &[stream("clicks"), func("f")],
        &[("t", "clicks", "f", trigger())],
    );
    let f = find(&g, Code::MissingPollRoleAction);
    for a in [
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStream",
        "kinesis:ListShards",
        "kinesis:SubscribeToShard",
    ] {
        assert!(f.message.contains(a), "{a}");
    }
    assert!(has(&g, Code::StartingPositionRequired));
    fix(&mut g, Code::StartingPositionRequired);
    fix(&mut g, Code::MissingPollRoleAction);
    assert!(codes(&g).is_empty(), "{:?}", codes(&g));
}

#[test]
fn a_dynamodb_trigger_needs_the_stream_actions_and_the_stream_label() {
    let table = |label: Option<&str>| {
        Node::DynamoDbStream(DynamoDbStream {
            name: crate::ids::ResourceName::parse("Orders").unwrap(),
            account: None,
            region: None,
            stream_label: label.map(str::to_owned),
        })
    };
    let edge = trigger_with(|t| t.starting_position = Some(StartingPosition::Latest));
    let g = graph(
        &[table(None), func("f")],
        &[("t", "Orders", "f", edge.clone())],
    );
    assert_eq!(
        find(&g, Code::MissingAccount).field.as_deref(),
        Some("stream_label")
    );
    let g = graph(
        &[table(Some("2026-01-01T00:00:00.000")), func("f")],
        &[("t", "Orders", "f", edge)],
    );
    assert!(
        find(&g, Code::MissingPollRoleAction)
            .message
            .contains("dynamodb:GetRecords")
    );
}

#[test]
fn at_timestamp_is_taken_for_kinesis_and_kafka_with_its_timestamp_but_not_for_dynamodb() {
    let msk = || {
        Node::KafkaTopic(KafkaTopic {
            name: crate::ids::ResourceName::parse("orders").unwrap(),
            account: None,
            region: None,
            cluster: KafkaCluster::Msk(arn(
                "arn:aws:kafka:us-east-1:123456789012:cluster/main/abcd-1234",
            )),
        })
    };
    let at = |ts: Option<i64>| {
        trigger_with(move |t| {
            t.starting_position = Some(StartingPosition::AtTimestamp);
            t.starting_position_timestamp = ts;
        })
    };
    let start_findings = |g: &Graph| -> Vec<Finding> {
        validate(g)
            .into_iter()
            .filter(|f| f.code == Code::StartingPositionRequired)
            .collect()
    };
    for source in [stream("clicks"), msk()] {
        let name = source.name().to_owned();
        let g = graph(
            &[source.clone(), func("f")],
            &[("t", &name, "f", at(Some(1_767_225_600)))],
        );
        assert!(start_findings(&g).is_empty(), "{name}: {:?}", codes(&g));
        let g = graph(&[source, func("f")], &[("t", &name, "f", at(None))]);
        let found = start_findings(&g);
        assert_eq!(found.len(), 1, "{name}");
        assert_eq!(
            found[0].field.as_deref(),
            Some("starting_position_timestamp")
        );
    }
    let table = Node::DynamoDbStream(DynamoDbStream {
        name: crate::ids::ResourceName::parse("Orders").unwrap(),
        account: None,
        region: None,
        stream_label: Some("2026-01-01T00:00:00.000".into()),
    });
    let g = graph(&[table, func("f")], &[("t", "Orders", "f", at(Some(1)))]);
    let found = start_findings(&g);
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .message
            .contains("DynamoDB streams start at TRIM_HORIZON or LATEST")
    );
}

#[test]
fn a_timestamp_without_at_timestamp_is_reported_as_ignored_with_a_fix() {
    let mut g = graph(
        &[stream("clicks"), func("f")],
        &[(
            "t",
            "clicks",
            "f",
            trigger_with(|t| {
                t.starting_position = Some(StartingPosition::Latest);
                t.starting_position_timestamp = Some(1_767_225_600);
            }),
        )],
    );
    let f = validate(&g)
        .into_iter()
        .find(|f| f.field.as_deref() == Some("starting_position_timestamp"))
        .expect("the stray timestamp is reported");
    assert_eq!(f.code, Code::SettingNotApplicable);
    apply_all(&mut g, &f.fix.unwrap().changes).unwrap();
    assert!(
        !validate(&g)
            .iter()
            .any(|f| f.field.as_deref() == Some("starting_position_timestamp"))
    );
}

#[test]
fn an_msk_trigger_needs_the_kafka_and_network_interface_actions() {
    let topic = Node::KafkaTopic(KafkaTopic {
        name: crate::ids::ResourceName::parse("orders").unwrap(),
        account: None,
        region: None,
        cluster: KafkaCluster::Msk(arn(
            "arn:aws:kafka:us-east-1:123456789012:cluster/main/abcd-1234",
        )),
    });
    let g = graph(
        &[topic, func("f")],
        &[(
            "t",
            "orders",
            "f",
            trigger_with(|t| t.starting_position = Some(StartingPosition::TrimHorizon)),
        )],
    );
    let f = find(&g, Code::MissingPollRoleAction);
    assert!(
        f.message.contains("kafka:DescribeClusterV2")
            && f.message.contains("ec2:CreateNetworkInterface"),
        "{}",
        f.message
    );
    let grant = match &f.fix.unwrap().changes[0] {
        crate::change::Change::AddRoleGrant { grant, .. } => grant.clone(),
        other => panic!("{other:?}"),
    };
    assert!(
        grant.resources.iter().any(|r| r.as_str() == "*"),
        "network-interface actions need Resource *"
    );
}

#[test]
fn a_cross_account_caller_needs_a_statement_naming_it() {
    let mut g = graph(
        &[external("partner", OTHER_ACCOUNT), func("f")],
        &[("t", "partner", "f", trigger())],
    );
    let f = find(&g, Code::MissingInvokePermission);
    assert!(
        f.message.contains("identity policy must allow"),
        "{}",
        f.message
    );
    fix(&mut g, Code::MissingInvokePermission);
    assert!(!has(&g, Code::MissingInvokePermission));
    assert!(has(&g, Code::CrossAccount));
}

#[test]
fn a_same_account_sdk_caller_needs_only_its_identity_policy() {
    let g = graph(
        &[
            external("ops-cli", "arn:aws:iam::123456789012:role/ops"),
            func("f"),
        ],
        &[("t", "ops-cli", "f", trigger())],
    );
    assert_eq!(codes(&g), [Code::ManualInvokeIdentity]);
}

// ---------------------------------------------------------------------------------------
// §3 Destinations
// ---------------------------------------------------------------------------------------

#[test]
fn each_destination_target_needs_its_own_execution_role_action() {
    for (target, action) in [
        (queue("out"), "sqs:SendMessage"),
        (topic("out"), "sns:Publish"),
        (func("out"), "lambda:InvokeFunction"),
        (bus("out"), "events:PutEvents"),
    ] {
        let g = graph(
            &[topic("in"), func("f"), target],
            &[
                ("t", "in", "f", trigger()),
                ("d", "f", "out", EdgeKind::OnSuccess),
            ],
        );
        let f = find(&g, Code::MissingDestinationRoleAction);
        assert!(f.message.contains(action), "{action}: {}", f.message);
        assert!(
            f.message.contains("not a resource-based policy"),
            "{}",
            f.message
        );
    }
}

#[test]
fn an_s3_failure_destination_needs_put_object_and_list_bucket() {
    let mut g = graph(
        &[topic("in"), func("f"), bucket("failed-events")],
        &[
            ("t", "in", "f", trigger()),
            ("d", "f", "failed-events", EdgeKind::OnFailure),
        ],
    );
    let f = find(&g, Code::MissingDestinationRoleAction);
    assert!(f.message.contains("s3:PutObject, s3:ListBucket"));
    fix(&mut g, Code::MissingDestinationRoleAction);
    assert!(!has(&g, Code::MissingDestinationRoleAction));
}

#[test]
fn s3_is_refused_as_an_on_success_destination() {
    let g = graph(
        &[func("f"), bucket("failed-events")],
        &[("d", "f", "failed-events", EdgeKind::OnSuccess)],
    );
    assert!(has(&g, Code::DestinationTypeNotAllowed));
}

#[test]
fn fifo_queues_and_topics_are_refused_as_destinations() {
    let g = graph(
        &[func("f"), queue("out.fifo"), topic("t.fifo")],
        &[
            ("d", "f", "out.fifo", EdgeKind::OnFailure),
            ("s", "f", "t.fifo", EdgeKind::OnSuccess),
        ],
    );
    assert_eq!(
        codes(&g)
            .iter()
            .filter(|c| **c == Code::FifoDestination)
            .count(),
        2
    );
}

#[test]
fn a_stream_only_function_with_an_async_on_success_is_told_to_use_the_mapping_destination() {
    let g = graph(
        &[stream("clicks"), func("f"), queue("out")],
        &[
            (
                "t",
                "clicks",
                "f",
                trigger_with(|t| t.starting_position = Some(StartingPosition::Latest)),
            ),
            ("d", "f", "out", EdgeKind::OnSuccess),
        ],
    );
    assert!(
        find(&g, Code::DestinationNeverFires)
            .message
            .contains("mapping's OnFailure destination")
    );
}

#[test]
fn an_sqs_triggered_function_with_on_failure_is_told_to_use_a_redrive_policy() {
    let g = graph(
        &[queue("jobs"), func("f"), queue("dlq")],
        &[
            ("t", "jobs", "f", trigger()),
            ("d", "f", "dlq", EdgeKind::OnFailure),
        ],
    );
    assert!(
        find(&g, Code::DestinationNeverFires)
            .message
            .contains("redrive policy")
    );
}

#[test]
fn a_function_with_an_async_source_fires_its_destinations() {
    let g = graph(
        &[topic("in"), queue("jobs"), func("f"), queue("dlq")],
        &[
            ("a", "in", "f", trigger()),
            ("b", "jobs", "f", trigger()),
            ("d", "f", "dlq", EdgeKind::OnFailure),
        ],
    );
    assert!(!has(&g, Code::DestinationNeverFires));
}

#[test]
fn a_stream_mapping_failure_destination_needs_its_role_action() {
    let g = graph(
        &[stream("clicks"), func("f"), topic("alerts")],
        &[
            (
                "t",
                "clicks",
                "f",
                trigger_with(|t| t.starting_position = Some(StartingPosition::Latest)),
            ),
            (
                "m",
                "f",
                "alerts",
                EdgeKind::MappingOnFailure { mapping: eid("t") },
            ),
        ],
    );
    assert!(
        find(&g, Code::MissingDestinationRoleAction)
            .message
            .contains("sns:Publish")
    );
}

#[test]
fn a_kafka_topic_is_an_on_failure_target_only_for_kafka_mappings() {
    let kafka = |name: &str| {
        Node::KafkaTopic(KafkaTopic {
            name: crate::ids::ResourceName::parse(name).unwrap(),
            account: None,
            region: None,
            cluster: KafkaCluster::Msk(arn(
                "arn:aws:kafka:us-east-1:123456789012:cluster/main/abcd-1234",
            )),
        })
    };
    let start = |t: &mut Trigger| t.starting_position = Some(StartingPosition::Latest);
    let g = graph(
        &[kafka("orders"), func("f"), kafka("orders-failed")],
        &[
            ("t", "orders", "f", trigger_with(start)),
            (
                "m",
                "f",
                "orders-failed",
                EdgeKind::MappingOnFailure { mapping: eid("t") },
            ),
        ],
    );
    assert!(!has(&g, Code::DestinationTypeNotAllowed));
    let g = graph(
        &[stream("clicks"), func("f"), kafka("orders-failed")],
        &[
            ("t", "clicks", "f", trigger_with(start)),
            (
                "m",
                "f",
                "orders-failed",
                EdgeKind::MappingOnFailure { mapping: eid("t") },
            ),
        ],
    );
    assert!(
        find(&g, Code::DestinationTypeNotAllowed)
            .message
            .contains("Kafka mapping only")
    );
}

#[test]
fn async_and_mapping_retry_settings_outside_aws_limits_are_errors() {
    let g = graph(
        &[func_with("f", |f| {
            f.async_invoke.maximum_retry_attempts = Some(3);
            f.async_invoke.maximum_event_age = Some(30);
        })],
        &[],
    );
    assert_eq!(
        codes(&g)
            .iter()
            .filter(|c| **c == Code::ValueOutOfRange)
            .count(),
        2
    );
    let g = graph(
        &[stream("clicks"), func("f")],
        &[(
            "t",
            "clicks",
            "f",
            trigger_with(|t| {
                t.starting_position = Some(StartingPosition::Latest);
                t.maximum_retry_attempts = Some(20_000);
                t.maximum_record_age = Some(30);
            }),
        )],
    );
    assert_eq!(
        codes(&g)
            .iter()
            .filter(|c| **c == Code::MappingSettingOutOfRange)
            .count(),
        2
    );
}

#[test]
fn a_legacy_dead_letter_queue_must_be_standard_and_carries_only_the_body() {
    let g = graph(
        &[topic("in"), func("f"), queue("dlq")],
        &[
            ("t", "in", "f", trigger()),
            ("d", "f", "dlq", EdgeKind::DeadLetter),
        ],
    );
    assert!(has(&g, Code::LegacyDeadLetter));
    assert!(
        find(&g, Code::MissingDestinationRoleAction)
            .message
            .contains("sqs:SendMessage")
    );
    let g = graph(
        &[func("f"), queue("dlq.fifo")],
        &[("d", "f", "dlq.fifo", EdgeKind::DeadLetter)],
    );
    assert!(has(&g, Code::FifoDestination));
}

#[test]
fn a_second_on_failure_destination_is_refused() {
    let g = graph(
        &[func("f"), queue("a"), queue("b")],
        &[
            ("d1", "f", "a", EdgeKind::OnFailure),
            ("d2", "f", "b", EdgeKind::OnFailure),
        ],
    );
    assert_eq!(
        codes(&g)
            .iter()
            .filter(|c| **c == Code::DuplicateDestination)
            .count(),
        1
    );
}

// ---------------------------------------------------------------------------------------
// §4 Other findings
// ---------------------------------------------------------------------------------------

#[test]
fn a_service_statement_without_source_conditions_is_a_confused_deputy_with_a_fix() {
    let s = stmt("AllowExternal", "sns.amazonaws.com", None, None);
    let mut g = graph(
        &[topic("orders"), with_policy("f", vec![s])],
        &[("t", "orders", "f", trigger())],
    );
    let f = find(&g, Code::ConfusedDeputy);
    assert!(f.message.contains("any sns.amazonaws.com resource"));
    fix(&mut g, Code::ConfusedDeputy);
    assert!(codes(&g).is_empty(), "{:?}", codes(&g));
}

#[test]
fn a_public_invoke_statement_outside_a_url_is_an_error() {
    let g = graph(
        &[with_policy("f", vec![stmt("open", "*", None, None)])],
        &[],
    );
    assert!(has(&g, Code::PublicInvokeStatement));
}

#[test]
fn duplicate_statement_ids_are_an_error() {
    let s = stmt(
        "same",
        "s3.amazonaws.com",
        Some("arn:aws:s3:::a-bucket"),
        Some(ACCOUNT),
    );
    let g = graph(&[with_policy("f", vec![s.clone(), s])], &[]);
    assert!(
        find(&g, Code::DuplicateStatementId)
            .message
            .contains("ResourceConflictException")
    );
}

#[test]
fn a_loop_through_sqs_is_a_warning_because_aws_stops_it() {
    let g = graph(
        &[
            queue("jobs"),
            func_with("f", |f| f.role.grants.push(grant(&["sqs:*"], &["*"]))),
        ],
        &[
            ("t", "jobs", "f", trigger()),
            (
                "w",
                "f",
                "jobs",
                EdgeKind::Writes {
                    key_prefix: None,
                    key_suffix: None,
                },
            ),
        ],
    );
    let f = find(&g, Code::EventLoop);
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("f → jobs → f"), "{}", f.message);
    assert!(f.message.contains("about 16"), "{}", f.message);
}

#[test]
fn a_loop_through_eventbridge_is_an_error_because_aws_does_not_detect_it() {
    let g = graph(
        &[rule("orders"), func("f"), bus("default")],
        &[
            ("t", "orders", "f", trigger()),
            (
                "d",
                "f",
                "default",
                EdgeKind::Writes {
                    key_prefix: None,
                    key_suffix: None,
                },
            ),
        ],
    );
    let f = find(&g, Code::EventLoop);
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("EventBridge"), "{}", f.message);
}

#[test]
fn loops_through_dynamodb_kinesis_sns_and_direct_invokes_are_found() {
    let ddb = Node::DynamoDbStream(DynamoDbStream {
        name: crate::ids::ResourceName::parse("T").unwrap(),
        account: None,
        region: None,
        stream_label: Some("L".into()),
    });
    let writes = EdgeKind::Writes {
        key_prefix: None,
        key_suffix: None,
    };
    let start = trigger_with(|t| t.starting_position = Some(StartingPosition::Latest));
    for (source, name) in [
        (ddb, "T"),
        (stream("clicks"), "clicks"),
        (topic("news"), "news"),
    ] {
        let g = graph(
            &[source, func("f")],
            &[
                ("t", name, "f", start.clone()),
                ("w", "f", name, writes.clone()),
            ],
        );
        assert!(has(&g, Code::EventLoop), "{name}");
    }
    let g = graph(
        &[func("a"), func("b")],
        &[
            (
                "x",
                "a",
                "b",
                EdgeKind::Invoke {
                    invocation_type: InvocationType::Event,
                },
            ),
            (
                "y",
                "b",
                "a",
                EdgeKind::Invoke {
                    invocation_type: InvocationType::Event,
                },
            ),
        ],
    );
    assert!(find(&g, Code::EventLoop).message.contains("a → b → a"));
}

#[test]
fn recursive_loop_allow_makes_a_detected_loop_an_error() {
    let g = graph(
        &[
            queue("jobs"),
            func_with("f", |f| f.recursive_loop = RecursiveLoop::Allow),
        ],
        &[
            ("t", "jobs", "f", trigger()),
            (
                "w",
                "f",
                "jobs",
                EdgeKind::Writes {
                    key_prefix: None,
                    key_suffix: None,
                },
            ),
        ],
    );
    assert_eq!(find(&g, Code::EventLoop).severity, Severity::Error);
}

#[test]
fn a_function_writing_back_under_its_trigger_prefix_is_an_s3_write_back_loop() {
    let g = graph(
        &[bucket("uploads"), func("f")],
        &[
            (
                "t",
                "uploads",
                "f",
                trigger_with(|t| {
                    t.events = vec!["s3:ObjectCreated:*".into()];
                    t.prefix = Some("in/".into());
                }),
            ),
            (
                "w",
                "f",
                "uploads",
                EdgeKind::Writes {
                    key_prefix: Some("in/resized/".into()),
                    key_suffix: None,
                },
            ),
        ],
    );
    assert!(has(&g, Code::S3WriteBack));
    assert!(has(&g, Code::EventLoop));
}

#[test]
fn writing_back_under_another_prefix_is_not_a_loop() {
    let g = graph(
        &[bucket("uploads"), func("f")],
        &[
            (
                "t",
                "uploads",
                "f",
                trigger_with(|t| {
                    t.events = vec!["s3:ObjectCreated:*".into()];
                    t.prefix = Some("in/".into());
                }),
            ),
            (
                "w",
                "f",
                "uploads",
                EdgeKind::Writes {
                    key_prefix: Some("out/".into()),
                    key_suffix: None,
                },
            ),
        ],
    );
    assert!(!has(&g, Code::S3WriteBack));
    assert!(!has(&g, Code::EventLoop));
}

#[test]
fn a_policy_projected_above_twenty_kilobytes_is_an_error_and_above_ninety_percent_a_warning() {
    let many = |n: usize| {
        (0..n)
            .map(|i| {
                stmt(
                    &format!("eventloom-s3-bucket-number-{i:04}"),
                    "s3.amazonaws.com",
                    Some(&format!("arn:aws:s3:::bucket-number-{i:04}")),
                    Some(ACCOUNT),
                )
            })
            .collect::<Vec<_>>()
    };
    let size = |n: usize| {
        crate::policy::policy_size("arn:aws:lambda:us-east-1:123456789012:function:f", &many(n))
    };
    let over = (1..500)
        .find(|n| size(*n) > crate::policy::POLICY_LIMIT)
        .unwrap();
    let near = (1..over)
        .find(|n| size(*n) * 10 >= crate::policy::POLICY_LIMIT * 9)
        .unwrap();
    let g = graph(&[with_policy("f", many(over))], &[]);
    assert!(find(&g, Code::PolicySizeLimit).message.contains("20480"));
    let g = graph(&[with_policy("f", many(near))], &[]);
    assert!(has(&g, Code::PolicySizeNearLimit) && !has(&g, Code::PolicySizeLimit));
}

#[test]
fn cross_account_destinations_say_which_side_needs_which_grant() {
    let target = match queue("shared") {
        Node::SqsQueue(mut q) => {
            q.account = Some(crate::ids::AccountId::parse(OTHER_ACCOUNT).unwrap());
            Node::SqsQueue(q)
        }
        _ => unreachable!(),
    };
    let g = graph(
        &[topic("in"), func("f"), target],
        &[
            ("t", "in", "f", trigger()),
            ("d", "f", "shared", EdgeKind::OnFailure),
        ],
    );
    assert!(
        find(&g, Code::CrossAccount)
            .message
            .contains("queue's access policy in 210987654321")
    );
}

#[test]
fn a_trigger_from_another_region_is_refused_for_regional_sources() {
    let b = match queue("jobs") {
        Node::SqsQueue(mut q) => {
            q.region = Some(crate::ids::Region::parse("eu-west-1").unwrap());
            Node::SqsQueue(q)
        }
        _ => unreachable!(),
    };
    let g = graph(&[b, func("f")], &[("t", "jobs", "f", trigger())]);
    assert!(has(&g, Code::CrossRegionTrigger));
}

#[test]
fn unconnected_resources_and_untriggered_functions_are_noted() {
    let g = graph(&[queue("lonely"), func("idle")], &[]);
    let f: Vec<(Code, Severity)> = validate(&g)
        .into_iter()
        .map(|f| (f.code, f.severity))
        .collect();
    assert!(f.contains(&(Code::UnconnectedResource, Severity::Info)));
    assert!(f.contains(&(Code::FunctionWithoutTrigger, Severity::Info)));
}

#[test]
fn a_node_without_an_account_reports_what_to_set() {
    let mut g = graph(
        &[queue("jobs"), func("f")],
        &[("t", "jobs", "f", trigger())],
    );
    g.account = None;
    assert_eq!(
        find(&g, Code::MissingAccount).field.as_deref(),
        Some("account")
    );
}

#[test]
fn settings_that_do_not_apply_to_the_source_are_flagged() {
    let g = graph(
        &[topic("in"), func("f")],
        &[("t", "in", "f", trigger_with(|t| t.batch_size = Some(10)))],
    );
    assert_eq!(
        find(&g, Code::SettingNotApplicable).field.as_deref(),
        Some("batch_size")
    );
}

// ---------------------------------------------------------------------------------------
// The seed tutorial's recap table, judged correctly
// ---------------------------------------------------------------------------------------

#[test]
fn seed_recap_s3_triggers_lambda_needs_a_trigger_and_a_resource_policy() {
    let ok = stmt(
        "AllowS3Invoke",
        "s3.amazonaws.com",
        Some("arn:aws:s3:::my-bucket"),
        Some(ACCOUNT),
    );
    let g = graph(
        &[bucket("my-bucket"), with_policy("myFunction", vec![ok])],
        &[("t", "my-bucket", "myFunction", s3_trigger())],
    );
    assert!(codes(&g).is_empty(), "{:?}", codes(&g));
    let g = graph(
        &[bucket("my-bucket"), func("myFunction")],
        &[("t", "my-bucket", "myFunction", s3_trigger())],
    );
    let f = find(&g, Code::MissingInvokePermission);
    assert!(
        f.message
            .contains("S3 also checks this when the notification is written"),
        "the order matters: {}",
        f.message
    );
    let cli = f.fix.unwrap().cli;
    assert!(
        cli.contains("--source-arn arn:aws:s3:::my-bucket")
            && cli.contains("--source-account 123456789012"),
        "the fix is the tutorial's command, SourceAccount included: {cli}"
    );
    // Without --source-account, the statement is open to a re-created bucket elsewhere.
    let no_account = stmt(
        "AllowS3Invoke",
        "s3.amazonaws.com",
        Some("arn:aws:s3:::my-bucket"),
        None,
    );
    let g = graph(
        &[
            bucket("my-bucket"),
            with_policy("myFunction", vec![no_account]),
        ],
        &[("t", "my-bucket", "myFunction", s3_trigger())],
    );
    assert!(
        find(&g, Code::MissingSourceAccount)
            .message
            .contains("Bucket ARNs carry no account id")
    );
}

#[test]
fn seed_recap_failure_to_sqs_needs_the_execution_role_not_a_resource_policy() {
    // The tutorial ticks "resource policy"; the grant is sqs:SendMessage on the execution role.
    let tutorial_style = stmt(
        "AllowSqs",
        "sqs.amazonaws.com",
        Some("arn:aws:sqs:us-east-1:123456789012:FailureQueue"),
        None,
    );
    let g = graph(
        &[
            topic("in"),
            with_policy("myFunction", vec![tutorial_style]),
            queue("FailureQueue"),
        ],
        &[
            ("t", "in", "myFunction", trigger()),
            ("d", "myFunction", "FailureQueue", EdgeKind::OnFailure),
        ],
    );
    let f = find(&g, Code::MissingDestinationRoleAction);
    assert!(
        f.message.contains("sqs:SendMessage") && f.message.contains("not a resource-based policy"),
        "{}",
        f.message
    );
    assert!(
        find(&g, Code::IneffectiveStatement)
            .message
            .contains("has no effect")
    );
}

#[test]
fn seed_recap_api_gateway_needs_a_trigger_and_a_resource_policy() {
    let g = graph(
        &[api_route("a1b2c3"), func("f")],
        &[("t", "a1b2c3", "f", trigger())],
    );
    let f = find(&g, Code::MissingInvokePermission);
    assert!(
        f.message.contains("apigateway.amazonaws.com")
            && f.message
                .contains("arn:aws:execute-api:us-east-1:123456789012:a1b2c3/*/GET/orders"),
        "the statement names API Gateway and the route: {}",
        f.message
    );
}

#[test]
fn seed_recap_step_functions_needs_the_state_machine_role_not_a_resource_policy() {
    let g = graph(
        &[
            state_machine("flow"),
            with_policy(
                "f",
                vec![stmt("AllowSfn", "states.amazonaws.com", None, None)],
            ),
        ],
        &[("t", "flow", "f", trigger())],
    );
    // The tutorial ticks "resource policy"; the grant belongs on the state machine's role.
    let missing = find(&g, Code::MissingInvokerRoleGrant);
    assert!(
        missing
            .message
            .contains("not in a statement on the function"),
        "{}",
        missing.message
    );
    assert!(
        find(&g, Code::UnneededInvokerStatement)
            .message
            .contains("the statement is not needed"),
        "the tutorial's statement is not what grants it"
    );
}

#[test]
fn seed_recap_another_account_needs_a_resource_policy_and_no_trigger() {
    let g = graph(
        &[external("other", OTHER_ACCOUNT), func("f")],
        &[("t", "other", "f", trigger())],
    );
    let f = find(&g, Code::MissingInvokePermission);
    assert!(
        f.message.contains("No trigger is involved"),
        "{}",
        f.message
    );
}

// ---------------------------------------------------------------------------------------
// Rows the first pass left thin: role-based invokers, self-managed Kafka, SES wording,
// cross-account triggers and the rest of Lambda@Edge's packaging rules
// ---------------------------------------------------------------------------------------

fn schedule(name: &str) -> Node {
    Node::Schedule(Schedule {
        name: crate::ids::ResourceName::parse(name).unwrap(),
        account: None,
        region: None,
        group: crate::ids::ResourceName::parse("default").unwrap(),
        expression: "rate(5 minutes)".into(),
        role: Role {
            name: crate::ids::RoleName::parse(&format!("{name}-role")).unwrap(),
            trusts: ["scheduler.amazonaws.com".to_owned()].into(),
            grants: vec![],
        },
    })
}

#[test]
fn a_same_account_schedule_with_a_function_statement_gets_a_warning_to_remove_it() {
    let s = stmt("AllowScheduler", "scheduler.amazonaws.com", None, None);
    let mut g = graph(
        &[schedule("tick"), with_policy("f", vec![s])],
        &[("t", "tick", "f", trigger())],
    );
    let f = find(&g, Code::UnneededInvokerStatement);
    assert!(f.message.contains("own role"), "{}", f.message);
    assert!(
        has(&g, Code::MissingInvokerRoleGrant),
        "the schedule's role needs the grant"
    );
    fix(&mut g, Code::UnneededInvokerStatement);
    assert!(g.function(&nid("f")).unwrap().policy.is_empty());
}

#[test]
fn a_role_based_invokers_statement_is_called_unneeded_not_too_broad() {
    // The seed's Step Functions scenario: telling the user to add SourceArn to a statement
    // the validator also says to remove would contradict itself.
    for (src, svc) in [
        (state_machine("flow"), "states.amazonaws.com"),
        (schedule("flow"), "scheduler.amazonaws.com"),
    ] {
        let g = graph(
            &[src, with_policy("f", vec![stmt("Allow", svc, None, None)])],
            &[("t", "flow", "f", trigger())],
        );
        let c = codes(&g);
        assert!(c.contains(&Code::UnneededInvokerStatement), "{svc}: {c:?}");
        assert!(!c.contains(&Code::ConfusedDeputy), "{svc}: {c:?}");
    }
}

#[test]
fn a_self_managed_kafka_trigger_needs_the_network_interface_actions_only() {
    let topic = Node::KafkaTopic(KafkaTopic {
        name: crate::ids::ResourceName::parse("clicks").unwrap(),
        account: None,
        region: None,
        cluster: KafkaCluster::SelfManaged(vec!["broker-1.internal:9092".into()]),
    });
    let mut g = graph(
        &[topic, func("f")],
        &[(
            "t",
            "clicks",
            "f",
            trigger_with(|t| t.starting_position = Some(StartingPosition::Latest)),
        )],
    );
    let f = find(&g, Code::MissingPollRoleAction);
    for action in [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcs",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
    ] {
        assert!(f.message.contains(action), "{action}: {}", f.message);
    }
    assert!(
        !f.message.contains("kafka:"),
        "no MSK actions: {}",
        f.message
    );
    fix(&mut g, Code::MissingPollRoleAction);
    assert!(!has(&g, Code::MissingPollRoleAction));
}

#[test]
fn an_ses_statement_without_source_account_is_explained_without_the_bucket_reason() {
    let ses = Node::SesRule(SesRule {
        name: crate::ids::ResourceName::parse("inbound").unwrap(),
        account: None,
        region: None,
        rule_set: crate::ids::ResourceName::parse("default-rule-set").unwrap(),
    });
    let s = stmt(
        "AllowSes",
        "ses.amazonaws.com",
        Some(
            "arn:aws:ses:us-east-1:123456789012:receipt-rule-set/default-rule-set:receipt-rule/inbound",
        ),
        None,
    );
    let g = graph(
        &[ses, with_policy("f", vec![s])],
        &[("t", "inbound", "f", trigger())],
    );
    let f = find(&g, Code::MissingSourceAccount);
    assert!(f.message.contains("SourceAccount"), "{}", f.message);
    assert!(!f.message.contains("Bucket"), "{}", f.message);
    let s3 = graph(
        &[
            bucket("uploads"),
            with_policy(
                "f",
                vec![stmt(
                    "AllowS3",
                    "s3.amazonaws.com",
                    Some("arn:aws:s3:::uploads"),
                    None,
                )],
            ),
        ],
        &[("t", "uploads", "f", s3_trigger())],
    );
    assert!(
        find(&s3, Code::MissingSourceAccount)
            .message
            .contains("Bucket ARNs carry no account id")
    );
}

#[test]
fn a_cross_account_trigger_says_which_side_needs_which_grant() {
    let remote = |n: Node| -> Node {
        let mut n = n;
        match &mut n {
            Node::SnsTopic(t) => t.account = crate::ids::AccountId::parse(OTHER_ACCOUNT).ok(),
            Node::SqsQueue(q) => q.account = crate::ids::AccountId::parse(OTHER_ACCOUNT).ok(),
            Node::KinesisStream(s) => s.account = crate::ids::AccountId::parse(OTHER_ACCOUNT).ok(),
            _ => unreachable!(),
        }
        n
    };
    for (src, name, words) in [
        (remote(topic("orders")), "orders", "sns:Subscribe"),
        (remote(queue("jobs")), "jobs", "queue's access policy"),
        (
            remote(stream("clicks")),
            "clicks",
            "stream's resource policy",
        ),
    ] {
        let kind = if name == "clicks" {
            trigger_with(|t| t.starting_position = Some(StartingPosition::Latest))
        } else {
            trigger()
        };
        let g = graph(&[src, func("f")], &[("t", name, "f", kind)]);
        let f = find(&g, Code::CrossAccount);
        assert_eq!(f.severity, Severity::Info);
        assert!(f.message.contains(words), "{name}: {}", f.message);
    }
}

#[test]
fn a_function_that_invokes_another_through_the_sdk_needs_lambda_invoke_function_on_its_role() {
    let invoke = EdgeKind::Invoke {
        invocation_type: InvocationType::RequestResponse,
    };
    let mut g = graph(&[func("a"), func("b")], &[("x", "a", "b", invoke)]);
    let f = find(&g, Code::MissingWriteRoleAction);
    assert!(
        f.message.contains("lacks lambda:InvokeFunction"),
        "{}",
        f.message
    );
    assert!(
        f.fix.as_ref().unwrap().cli.contains("put-role-policy"),
        "the fix is a role grant, not a statement on b"
    );
    fix(&mut g, Code::MissingWriteRoleAction);
    assert!(!has(&g, Code::MissingWriteRoleAction));
    assert!(
        !has(&g, Code::MissingInvokePermission),
        "same account: b needs no statement"
    );
}

#[test]
fn a_function_writing_to_a_queue_or_bucket_needs_the_write_actions_on_its_role() {
    let writes = || EdgeKind::Writes {
        key_prefix: Some("out/".into()),
        key_suffix: None,
    };
    for (target, action) in [
        (queue("jobs"), "sqs:SendMessage"),
        (bucket("uploads"), "s3:PutObject"),
    ] {
        let name = target.name().to_owned();
        let mut g = graph(&[func("f"), target], &[("w", "f", &name, writes())]);
        let f = find(&g, Code::MissingWriteRoleAction);
        assert!(f.message.contains(action), "{name}: {}", f.message);
        fix(&mut g, Code::MissingWriteRoleAction);
        assert!(!has(&g, Code::MissingWriteRoleAction), "{name}");
    }
}

#[test]
fn a_cross_account_invoke_needs_a_statement_naming_the_caller_role_or_its_account() {
    let caller = func_with("a", |f| {
        f.account = crate::ids::AccountId::parse(OTHER_ACCOUNT).ok();
        f.role.grants = vec![grant(&["lambda:InvokeFunction"], &["*"])];
    });
    let invoke = EdgeKind::Invoke {
        invocation_type: InvocationType::Event,
    };
    let g = graph(
        &[caller.clone(), func("b")],
        &[("x", "a", "b", invoke.clone())],
    );
    let f = find(&g, Code::MissingInvokePermission);
    let role = format!("arn:aws:iam::{OTHER_ACCOUNT}:role/a-role");
    assert!(f.message.contains(&role), "{}", f.message);

    // A statement for the whole calling account covers its roles, as on AWS.
    for principal in [
        OTHER_ACCOUNT.to_owned(),
        format!("arn:aws:iam::{OTHER_ACCOUNT}:root"),
    ] {
        let callee = with_policy("b", vec![stmt("AllowA", &principal, None, None)]);
        let g = graph(
            &[caller.clone(), callee],
            &[("x", "a", "b", invoke.clone())],
        );
        assert!(!has(&g, Code::MissingInvokePermission), "{principal}");
    }
    // Another account's root does not.
    let callee = with_policy(
        "b",
        vec![stmt("AllowX", "arn:aws:iam::111122223333:root", None, None)],
    );
    let g = graph(&[caller, callee], &[("x", "a", "b", invoke)]);
    assert!(has(&g, Code::MissingInvokePermission));
}

#[test]
fn a_cross_account_eventbridge_rule_is_sent_through_a_bus_or_needs_a_role() {
    let mut r = rule("nightly");
    if let Node::EventRule(x) = &mut r {
        x.account = crate::ids::AccountId::parse(OTHER_ACCOUNT).ok();
    }
    let g = graph(&[r, func("f")], &[("t", "nightly", "f", trigger())]);
    assert!(
        find(&g, Code::CrossAccount)
            .message
            .contains("through an event bus in the function's account"),
    );
}

#[test]
fn a_function_whose_only_statement_names_a_polled_service_is_still_reported_as_untriggered() {
    let g = graph(
        &[with_policy(
            "f",
            vec![stmt("AllowSqs", "sqs.amazonaws.com", None, None)],
        )],
        &[],
    );
    assert!(has(&g, Code::FunctionWithoutTrigger), "{:?}", codes(&g));
    assert!(has(&g, Code::IneffectiveStatement));
    let g = graph(
        &[with_policy(
            "f",
            vec![stmt("AllowCli", OTHER_ACCOUNT, None, None)],
        )],
        &[],
    );
    assert!(
        !has(&g, Code::FunctionWithoutTrigger),
        "another account may call it through the statement"
    );
}

#[test]
fn an_http_api_route_key_must_be_default_or_a_method_and_path() {
    let with_key = |key: &str| {
        let mut r = api_route("abc123");
        if let Node::HttpApiRoute(x) = &mut r {
            x.route_key = key.into();
        }
        r
    };
    for ok in ["$default", "GET /orders", "ANY /{proxy+}"] {
        let g = graph(&[with_key(ok)], &[]);
        assert!(
            !validate(&g)
                .iter()
                .any(|f| f.field.as_deref() == Some("route_key")),
            "{ok}"
        );
    }
    for bad in ["/orders", "FETCH /orders", "GET orders", "default"] {
        let g = graph(&[with_key(bad)], &[]);
        let f = validate(&g)
            .into_iter()
            .find(|f| f.field.as_deref() == Some("route_key"))
            .unwrap_or_else(|| panic!("{bad} is refused"));
        assert_eq!(f.code, Code::ValueOutOfRange);
        assert!(f.message.contains("GET /orders"), "{}", f.message);
    }
}

#[test]
fn two_nodes_for_the_same_resource_are_reported_on_the_second() {
    let mut g = graph(
        &[queue("jobs"), func("f")],
        &[("t", "jobs", "f", trigger())],
    );
    g.nodes.insert(nid("jobs-copy"), queue("jobs"));
    let f = find(&g, Code::DuplicateResource);
    assert_eq!(f.at, Element::Node(nid("jobs-copy")));
    assert!(
        f.message
            .contains("jobs and jobs-copy are the same SQS queue"),
        "{}",
        f.message
    );
    // Same name in another region is another queue.
    if let Some(Node::SqsQueue(q)) = g.nodes.get_mut(&nid("jobs-copy")) {
        q.region = crate::ids::Region::parse("eu-west-1").ok();
    }
    assert!(!has(&g, Code::DuplicateResource));
}

#[test]
fn lambda_at_edge_refuses_an_alias_a_vpc_layers_and_a_container_image() {
    let dist = || {
        Node::Distribution(Distribution {
            name: crate::ids::ResourceName::parse("E2QWRUHAPOMQZL").unwrap(),
            account: None,
            region: None,
        })
    };
    let edge = || trigger_with(|t| t.cloudfront_event = Some(CloudFrontEvent::OriginRequest));
    let alias = func_with("edge", |f| {
        f.qualifier = Some(crate::ids::Qualifier::parse("live").unwrap());
        f.role.trusts.insert("edgelambda.amazonaws.com".into());
    });
    let g = graph(&[dist(), alias], &[("t", "E2QWRUHAPOMQZL", "edge", edge())]);
    assert!(
        has(&g, Code::EdgeFunctionVersion),
        "an alias is not a numbered version"
    );
    for set in [
        (|p: &mut Packaging| p.vpc = true) as fn(&mut Packaging),
        |p| p.layers = 1,
        |p| p.container_image = true,
    ] {
        let f = func_with("edge", |f| {
            f.qualifier = Some(crate::ids::Qualifier::parse("3").unwrap());
            f.role.trusts.insert("edgelambda.amazonaws.com".into());
            set(&mut f.packaging);
        });
        let g = graph(&[dist(), f], &[("t", "E2QWRUHAPOMQZL", "edge", edge())]);
        assert_eq!(
            codes(&g),
            vec![Code::EdgeFunctionConfig],
            "{:?}",
            validate(&g)
        );
    }
}

#[test]
fn an_s3_statement_for_a_bucket_off_the_canvas_still_needs_source_account() {
    let g = graph(
        &[with_policy(
            "f",
            vec![stmt(
                "AllowS3",
                "s3.amazonaws.com",
                Some("arn:aws:s3:::elsewhere"),
                None,
            )],
        )],
        &[],
    );
    let f = find(&g, Code::MissingSourceAccount);
    assert_eq!(f.at, Element::Node(nid("f")));
    assert!(
        f.message.contains("bucket owner's account"),
        "{}",
        f.message
    );
    let with_account = graph(
        &[with_policy(
            "f",
            vec![stmt(
                "AllowS3",
                "s3.amazonaws.com",
                Some("arn:aws:s3:::elsewhere"),
                Some("123456789012"),
            )],
        )],
        &[],
    );
    assert!(!has(&with_account, Code::MissingSourceAccount));
}

#[test]
fn fix_all_grants_leaves_no_missing_grant_and_a_second_run_changes_nothing() {
    let mut g = crate::examples::generated(40);
    let before = crate::grant_changes(&validate(&g));
    assert!(!before.is_empty(), "the generated graph lacks some grants");
    assert!(crate::fix_all_grants(&mut g) > 0);
    assert!(crate::grant_changes(&validate(&g)).is_empty());
    assert!(!has(&g, Code::MissingInvokePermission));
    assert_eq!(crate::fix_all_grants(&mut g), 0);
}
