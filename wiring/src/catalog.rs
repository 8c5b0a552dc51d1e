//! The catalog: one entry per node kind, the single place for AWS facts about it.
//!
//! Validation, connection rules, the plan, the palette and the docs all read these
//! entries. Adding a service means adding one entry (and its tests).

use crate::model::{Node, NodeKind};
use serde::Serialize;

/// How a source makes Lambda run its function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Invocation {
    /// The service calls and waits; destinations never fire.
    Sync,
    /// The service hands the event to Lambda's queue; destinations fire.
    Async,
    /// Lambda polls the source through an event source mapping, using the execution role.
    Poll,
    /// The source invokes with its own IAM role (Step Functions: sync).
    RoleSync,
    /// The source invokes with its own IAM role (EventBridge Scheduler: async).
    RoleAsync,
    /// CloudFront replicates the function to edge locations and calls it synchronously.
    Edge,
    /// Chosen per edge with `invocation_type` (SES, external callers).
    PerEdge,
}

impl Invocation {
    /// A short phrase for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Sync => "synchronous push",
            Self::Async => "asynchronous push",
            Self::Poll => "event source mapping (Lambda polls)",
            Self::RoleSync => "synchronous, with the source's own role",
            Self::RoleAsync => "asynchronous, with the source's own role",
            Self::Edge => "Lambda@Edge (synchronous, replicated)",
            Self::PerEdge => "synchronous or asynchronous, per trigger",
        }
    }
}

/// The three visual families on the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Starts events.
    Source,
    /// A Lambda function.
    Function,
    /// Receives results or writes.
    Target,
}

/// Palette groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Lambda.
    Compute,
    /// S3.
    Storage,
    /// SQS, SNS, SES.
    Messaging,
    /// EventBridge, Scheduler, IoT.
    Events,
    /// Kinesis, DynamoDB Streams, Kafka.
    Streams,
    /// API Gateway, ALB, CloudFront.
    Web,
    /// Cognito.
    Identity,
    /// Step Functions.
    Orchestration,
    /// CloudWatch Logs.
    Observability,
    /// Other accounts and direct callers.
    Callers,
}

impl Group {
    /// Every group, in palette order.
    pub const ALL: [Group; 10] = [
        Group::Compute,
        Group::Storage,
        Group::Messaging,
        Group::Events,
        Group::Streams,
        Group::Web,
        Group::Identity,
        Group::Orchestration,
        Group::Observability,
        Group::Callers,
    ];

    /// The heading shown in the palette.
    pub fn label(self) -> &'static str {
        match self {
            Group::Compute => "Compute",
            Group::Storage => "Storage",
            Group::Messaging => "Messaging",
            Group::Events => "Events",
            Group::Streams => "Streams",
            Group::Web => "APIs & web",
            Group::Identity => "Identity",
            Group::Orchestration => "Orchestration",
            Group::Observability => "Observability",
            Group::Callers => "Callers",
        }
    }
}

/// Trigger settings a source kind uses (names of [`crate::model::Trigger`] fields).
pub type TriggerFields = &'static [&'static str];

/// Everything Eventloom knows about one kind of node.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The kind.
    pub kind: NodeKind,
    /// Its JSON name.
    pub key: &'static str,
    /// Human label, e.g. "S3 bucket".
    pub label: &'static str,
    /// Short badge text drawn on the node.
    pub icon: &'static str,
    /// Palette group.
    pub group: Group,
    /// Visual family.
    pub family: Family,
    /// One sentence for tooltips and docs.
    pub doc: &'static str,
    /// How it invokes a function when it is a trigger source; `None` if it cannot trigger.
    pub invocation: Option<Invocation>,
    /// The service principal a function statement must name, for push sources.
    pub principal: Option<&'static str>,
    /// The shape of its `SourceArn`, for docs and messages.
    pub source_arn_shape: &'static str,
    /// Whether its statement also needs `SourceAccount`: S3, whose bucket ARNs carry no
    /// account, and SES, for which AWS asks for both conditions.
    pub needs_source_account: bool,
    /// Execution-role actions Lambda needs to poll it (event source mappings).
    pub poll_actions: &'static [&'static str],
    /// The call that wires the source side.
    pub wiring_call: Option<&'static str>,
    /// May be an async `OnSuccess` target.
    pub on_success_target: bool,
    /// May be an async `OnFailure` target.
    pub on_failure_target: bool,
    /// May be a stream/Kafka mapping's `OnFailure` target.
    pub mapping_failure_target: bool,
    /// May be a function's legacy dead-letter queue.
    pub dead_letter_target: bool,
    /// Execution-role actions needed to send results to it as a destination.
    pub destination_actions: &'static [&'static str],
    /// Execution-role actions needed to write to it through the SDK.
    pub write_actions: &'static [&'static str],
    /// Trigger settings that apply when it is a source.
    pub trigger_fields: TriggerFields,
    /// A trigger from it must be in the function's region.
    pub same_region: bool,
}

const MAPPING_SQS: TriggerFields = &["batch_size", "batching_window", "filters"];
const MAPPING_STREAM: TriggerFields = &[
    "batch_size",
    "batching_window",
    "starting_position",
    "starting_position_timestamp",
    "filters",
    "maximum_retry_attempts",
    "maximum_record_age",
    "bisect_batch_on_function_error",
];

const BASE: Entry = Entry {
    kind: NodeKind::Function,
    key: "",
    label: "",
    icon: "",
    group: Group::Compute,
    family: Family::Target,
    doc: "",
    invocation: None,
    principal: None,
    source_arn_shape: "",
    needs_source_account: false,
    poll_actions: &[],
    wiring_call: None,
    on_success_target: false,
    on_failure_target: false,
    mapping_failure_target: false,
    dead_letter_target: false,
    destination_actions: &[],
    write_actions: &[],
    trigger_fields: &[],
    same_region: true,
};

static ENTRIES: [Entry; 19] = [
    Entry {
        kind: NodeKind::Function,
        key: "function",
        label: "Lambda function",
        icon: "λ",
        group: Group::Compute,
        family: Family::Function,
        doc: "A Lambda function: its timeout, execution role, resource-based policy and async settings.",
        on_success_target: true,
        on_failure_target: true,
        destination_actions: &["lambda:InvokeFunction"],
        write_actions: &["lambda:InvokeFunction"],
        ..BASE
    },
    Entry {
        kind: NodeKind::S3Bucket,
        key: "s3_bucket",
        label: "S3 bucket",
        icon: "S3",
        group: Group::Storage,
        family: Family::Source,
        doc: "Object events notify functions asynchronously; a bucket can also receive failed events.",
        invocation: Some(Invocation::Async),
        principal: Some("s3.amazonaws.com"),
        source_arn_shape: "arn:aws:s3:::BUCKET",
        needs_source_account: true,
        wiring_call: Some("s3:PutBucketNotificationConfiguration"),
        on_failure_target: true,
        mapping_failure_target: true,
        destination_actions: &["s3:PutObject", "s3:ListBucket"],
        write_actions: &["s3:PutObject"],
        trigger_fields: &["events", "prefix", "suffix"],
        ..BASE
    },
    Entry {
        kind: NodeKind::SqsQueue,
        key: "sqs_queue",
        label: "SQS queue",
        icon: "SQS",
        group: Group::Messaging,
        family: Family::Source,
        doc: "Lambda polls the queue with the execution role; standard queues can also receive results.",
        invocation: Some(Invocation::Poll),
        source_arn_shape: "arn:aws:sqs:REGION:ACCOUNT:QUEUE",
        poll_actions: &[
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        ],
        wiring_call: Some("lambda:CreateEventSourceMapping"),
        on_success_target: true,
        on_failure_target: true,
        mapping_failure_target: true,
        dead_letter_target: true,
        destination_actions: &["sqs:SendMessage"],
        write_actions: &["sqs:SendMessage"],
        trigger_fields: MAPPING_SQS,
        ..BASE
    },
    Entry {
        kind: NodeKind::SnsTopic,
        key: "sns_topic",
        label: "SNS topic",
        icon: "SNS",
        group: Group::Messaging,
        family: Family::Source,
        doc: "Publishes invoke subscribed functions asynchronously; standard topics can also receive results.",
        invocation: Some(Invocation::Async),
        principal: Some("sns.amazonaws.com"),
        source_arn_shape: "arn:aws:sns:REGION:ACCOUNT:TOPIC",
        wiring_call: Some("sns:Subscribe (protocol lambda)"),
        on_success_target: true,
        on_failure_target: true,
        mapping_failure_target: true,
        dead_letter_target: true,
        destination_actions: &["sns:Publish"],
        write_actions: &["sns:Publish"],
        trigger_fields: &["filter_policy"],
        // SNS delivers to functions in other regions.
        same_region: false,
        ..BASE
    },
    Entry {
        kind: NodeKind::EventBus,
        key: "event_bus",
        label: "EventBridge bus",
        icon: "Bus",
        group: Group::Events,
        family: Family::Target,
        doc: "Receives events (PutEvents); rules on the bus route them on.",
        on_success_target: true,
        on_failure_target: true,
        destination_actions: &["events:PutEvents"],
        write_actions: &["events:PutEvents"],
        ..BASE
    },
    Entry {
        kind: NodeKind::EventRule,
        key: "event_rule",
        label: "EventBridge rule",
        icon: "Rule",
        group: Group::Events,
        family: Family::Source,
        doc: "An event pattern or schedule on a bus that invokes targets asynchronously.",
        invocation: Some(Invocation::Async),
        principal: Some("events.amazonaws.com"),
        source_arn_shape: "arn:aws:events:REGION:ACCOUNT:rule/[BUS/]RULE",
        wiring_call: Some("events:PutRule + events:PutTargets"),
        ..BASE
    },
    Entry {
        kind: NodeKind::Schedule,
        key: "schedule",
        label: "EventBridge Scheduler schedule",
        icon: "Sch",
        group: Group::Events,
        family: Family::Source,
        doc: "Invokes on a schedule using the schedule's own role; no function statement.",
        invocation: Some(Invocation::RoleAsync),
        source_arn_shape: "arn:aws:scheduler:REGION:ACCOUNT:schedule/GROUP/NAME",
        wiring_call: Some("scheduler:CreateSchedule"),
        ..BASE
    },
    Entry {
        kind: NodeKind::KinesisStream,
        key: "kinesis_stream",
        label: "Kinesis stream",
        icon: "KDS",
        group: Group::Streams,
        family: Family::Source,
        doc: "Lambda reads shards through an event source mapping with the execution role.",
        invocation: Some(Invocation::Poll),
        source_arn_shape: "arn:aws:kinesis:REGION:ACCOUNT:stream/NAME",
        poll_actions: &[
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
            "kinesis:ListStreams",
            "kinesis:SubscribeToShard",
        ],
        wiring_call: Some("lambda:CreateEventSourceMapping"),
        write_actions: &["kinesis:PutRecord", "kinesis:PutRecords"],
        trigger_fields: MAPPING_STREAM,
        ..BASE
    },
    Entry {
        kind: NodeKind::DynamoDbStream,
        key: "dynamo_db_stream",
        label: "DynamoDB stream",
        icon: "DDB",
        group: Group::Streams,
        family: Family::Source,
        doc: "Lambda reads a table's stream through an event source mapping with the execution role.",
        invocation: Some(Invocation::Poll),
        source_arn_shape: "arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL",
        poll_actions: &[
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        ],
        wiring_call: Some("lambda:CreateEventSourceMapping"),
        write_actions: &[
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        ],
        trigger_fields: MAPPING_STREAM,
        ..BASE
    },
    Entry {
        kind: NodeKind::KafkaTopic,
        key: "kafka_topic",
        label: "Kafka topic",
        icon: "Kfk",
        group: Group::Streams,
        family: Family::Source,
        doc: "Lambda consumes an MSK or self-managed Kafka topic through an event source mapping.",
        invocation: Some(Invocation::Poll),
        source_arn_shape: "arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID",
        poll_actions: &[
            "kafka:DescribeCluster",
            "kafka:DescribeClusterV2",
            "kafka:GetBootstrapBrokers",
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeVpcs",
            "ec2:DeleteNetworkInterface",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
        ],
        wiring_call: Some("lambda:CreateEventSourceMapping"),
        destination_actions: &[
            "kafka-cluster:Connect",
            "kafka-cluster:DescribeTopic",
            "kafka-cluster:WriteData",
        ],
        trigger_fields: MAPPING_STREAM,
        ..BASE
    },
    Entry {
        kind: NodeKind::UserPool,
        key: "user_pool",
        label: "Cognito user pool",
        icon: "Cog",
        group: Group::Identity,
        family: Family::Source,
        doc: "Calls trigger functions synchronously during sign-up and sign-in.",
        invocation: Some(Invocation::Sync),
        principal: Some("cognito-idp.amazonaws.com"),
        source_arn_shape: "arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID",
        wiring_call: Some("cognito-idp:UpdateUserPool (LambdaConfig)"),
        trigger_fields: &["cognito_trigger"],
        ..BASE
    },
    Entry {
        kind: NodeKind::Distribution,
        key: "distribution",
        label: "CloudFront distribution",
        icon: "CF",
        group: Group::Web,
        family: Family::Source,
        doc: "Runs Lambda@Edge functions (us-east-1, numbered version) at edge locations.",
        invocation: Some(Invocation::Edge),
        source_arn_shape: "arn:aws:cloudfront::ACCOUNT:distribution/ID",
        wiring_call: Some("cloudfront:UpdateDistribution"),
        trigger_fields: &["cloudfront_event"],
        // Lambda@Edge has its own region rule (us-east-1), checked separately.
        same_region: false,
        ..BASE
    },
    Entry {
        kind: NodeKind::StateMachine,
        key: "state_machine",
        label: "Step Functions state machine",
        icon: "SFN",
        group: Group::Orchestration,
        family: Family::Source,
        doc: "Task states invoke with the state machine's role; a function statement only across accounts.",
        invocation: Some(Invocation::RoleSync),
        source_arn_shape: "arn:aws:states:REGION:ACCOUNT:stateMachine:NAME",
        wiring_call: Some("the state machine definition (Task state)"),
        ..BASE
    },
    Entry {
        kind: NodeKind::HttpApiRoute,
        key: "http_api_route",
        label: "API Gateway route",
        icon: "API",
        group: Group::Web,
        family: Family::Source,
        doc: "HTTP requests invoke the function synchronously; destinations never fire.",
        invocation: Some(Invocation::Sync),
        principal: Some("apigateway.amazonaws.com"),
        source_arn_shape: "arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH",
        wiring_call: Some("apigatewayv2:CreateIntegration + CreateRoute"),
        ..BASE
    },
    Entry {
        kind: NodeKind::TargetGroup,
        key: "target_group",
        label: "ALB target group",
        icon: "ALB",
        group: Group::Web,
        family: Family::Source,
        doc: "An Application Load Balancer forwards requests synchronously.",
        invocation: Some(Invocation::Sync),
        principal: Some("elasticloadbalancing.amazonaws.com"),
        source_arn_shape: "arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID",
        wiring_call: Some("elbv2:RegisterTargets"),
        ..BASE
    },
    Entry {
        kind: NodeKind::SesRule,
        key: "ses_rule",
        label: "SES receipt rule",
        icon: "SES",
        group: Group::Messaging,
        family: Family::Source,
        doc: "Incoming mail invokes the function as Event (async) or RequestResponse (sync).",
        invocation: Some(Invocation::PerEdge),
        principal: Some("ses.amazonaws.com"),
        source_arn_shape: "arn:aws:ses:REGION:ACCOUNT:receipt-rule-set/SET:receipt-rule/RULE",
        needs_source_account: true,
        wiring_call: Some("ses:CreateReceiptRule"),
        trigger_fields: &["invocation_type"],
        ..BASE
    },
    Entry {
        kind: NodeKind::IotRule,
        key: "iot_rule",
        label: "IoT rule",
        icon: "IoT",
        group: Group::Events,
        family: Family::Source,
        doc: "An IoT topic rule invokes the function asynchronously.",
        invocation: Some(Invocation::Async),
        principal: Some("iot.amazonaws.com"),
        source_arn_shape: "arn:aws:iot:REGION:ACCOUNT:rule/RULE",
        wiring_call: Some("iot:CreateTopicRule"),
        ..BASE
    },
    Entry {
        kind: NodeKind::LogGroup,
        key: "log_group",
        label: "CloudWatch Logs group",
        icon: "Logs",
        group: Group::Observability,
        family: Family::Source,
        doc: "A subscription filter delivers log events asynchronously.",
        invocation: Some(Invocation::Async),
        principal: Some("logs.amazonaws.com"),
        source_arn_shape: "arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*",
        wiring_call: Some("logs:PutSubscriptionFilter"),
        ..BASE
    },
    Entry {
        kind: NodeKind::ExternalPrincipal,
        key: "external_principal",
        label: "Other account or CLI/SDK caller",
        icon: "Ext",
        group: Group::Callers,
        family: Family::Source,
        doc: "Invokes directly: a statement naming it across accounts, its identity policy in the same account.",
        invocation: Some(Invocation::PerEdge),
        source_arn_shape: "the caller's account or role ARN (as Principal, not SourceArn)",
        trigger_fields: &["invocation_type"],
        same_region: false,
        ..BASE
    },
];

/// The catalog entry for `kind`.
pub fn entry(kind: NodeKind) -> &'static Entry {
    // ENTRIES holds one entry per kind; a missing one is caught by `every_kind_has_one_entry`.
    ENTRIES
        .iter()
        .find(|e| e.kind == kind)
        .unwrap_or(&ENTRIES[0])
}

/// Every entry.
pub fn entries() -> &'static [Entry] {
    &ENTRIES
}

/// The catalog entry for a node.
pub fn of(node: &Node) -> &'static Entry {
    entry(node.kind())
}

/// Whether `action` applies to a bucket's objects (`arn/*`) rather than the bucket.
pub(crate) fn is_object_action(action: &str) -> bool {
    matches!(action, "s3:PutObject" | "s3:GetObject" | "s3:DeleteObject")
}

/// The resource an execution-role `action` applies to, given the target's ARN.
/// Object and item actions apply below the bucket or table; network-interface actions to `*`.
pub fn action_resource<'a>(action: &str, arn: &'a str) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow;
    match action {
        a if is_object_action(a) => Cow::Owned(format!("{arn}/*")),
        a if a.starts_with("ec2:") => Cow::Borrowed("*"),
        // Item actions apply to the table, not its stream.
        a if a.starts_with("dynamodb:") && a.ends_with("Item") => {
            Cow::Borrowed(arn.split("/stream/").next().unwrap_or(arn))
        }
        _ => Cow::Borrowed(arn),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_entry() {
        for kind in NodeKind::ALL {
            let n = ENTRIES.iter().filter(|e| e.kind == kind).count();
            assert_eq!(n, 1, "{kind:?}");
        }
    }

    #[test]
    fn entry_keys_match_the_json_kind_names() {
        for e in entries() {
            let json = serde_json::to_value(e.kind).unwrap();
            assert_eq!(json, e.key, "{:?}", e.kind);
        }
    }

    #[test]
    fn push_sources_name_a_principal_and_poll_sources_name_role_actions() {
        for e in entries() {
            match e.invocation {
                Some(Invocation::Async | Invocation::Sync) => {
                    assert!(e.principal.is_some(), "{}", e.label)
                }
                Some(Invocation::Poll) => assert!(!e.poll_actions.is_empty(), "{}", e.label),
                Some(Invocation::RoleSync | Invocation::RoleAsync | Invocation::Edge) => {
                    assert!(
                        e.principal.is_none(),
                        "{} invokes with a role, not a statement",
                        e.label
                    )
                }
                _ => {}
            }
        }
    }

    #[test]
    fn only_s3_is_a_failure_only_async_destination() {
        let failure_only: Vec<_> = entries()
            .iter()
            .filter(|e| e.on_failure_target && !e.on_success_target)
            .map(|e| e.kind)
            .collect();
        assert_eq!(failure_only, [NodeKind::S3Bucket]);
    }

    #[test]
    fn every_destination_target_names_the_role_actions_it_needs() {
        for e in entries() {
            if e.on_success_target
                || e.on_failure_target
                || e.mapping_failure_target
                || e.dead_letter_target
            {
                assert!(!e.destination_actions.is_empty(), "{}", e.label);
            }
        }
    }

    #[test]
    fn object_actions_apply_below_the_bucket() {
        assert_eq!(
            action_resource("s3:PutObject", "arn:aws:s3:::b"),
            "arn:aws:s3:::b/*"
        );
        assert_eq!(
            action_resource("s3:ListBucket", "arn:aws:s3:::b"),
            "arn:aws:s3:::b"
        );
        assert_eq!(
            action_resource(
                "dynamodb:PutItem",
                "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/L"
            ),
            "arn:aws:dynamodb:us-east-1:123456789012:table/T"
        );
    }
}

/// A new node of `kind` as the palette places it: a valid, recognisable placeholder name
/// (`new-queue-3`) the user then edits in the inspector.
pub fn new_node(kind: NodeKind, serial: usize) -> Node {
    use crate::ids::*;
    use crate::model::*;
    let name = |stem: &str| format!("{stem}-{serial}");
    let rn = |stem: &str| ResourceName::from_trusted(name(stem));
    match kind {
        NodeKind::Function => Node::Function(Function::new(FunctionName::from_trusted(name(
            "new-function",
        )))),
        NodeKind::S3Bucket => Node::S3Bucket(S3Bucket {
            name: BucketName::from_trusted(name("new-bucket")),
            account: None,
            region: None,
        }),
        NodeKind::SqsQueue => Node::SqsQueue(SqsQueue {
            name: QueueName::from_trusted(name("new-queue")),
            account: None,
            region: None,
            visibility_timeout: None,
        }),
        NodeKind::SnsTopic => Node::SnsTopic(SnsTopic {
            name: TopicName::from_trusted(name("new-topic")),
            account: None,
            region: None,
        }),
        NodeKind::EventBus => Node::EventBus(EventBus {
            name: ResourceName::from_trusted("default"),
            account: None,
            region: None,
        }),
        NodeKind::EventRule => Node::EventRule(EventRule {
            name: rn("new-rule"),
            account: None,
            region: None,
            bus: ResourceName::from_trusted("default"),
            trigger: RuleTrigger::Pattern(r#"{"source":["my.app"]}"#.into()),
        }),
        NodeKind::Schedule => Node::Schedule(Schedule {
            name: rn("new-schedule"),
            account: None,
            region: None,
            group: ResourceName::from_trusted("default"),
            expression: "rate(5 minutes)".into(),
            role: Role {
                name: RoleName::from_trusted(name("new-schedule-role")),
                trusts: ["scheduler.amazonaws.com".to_owned()].into(),
                grants: Vec::new(),
            },
        }),
        NodeKind::KinesisStream => Node::KinesisStream(KinesisStream {
            name: rn("new-stream"),
            account: None,
            region: None,
        }),
        NodeKind::DynamoDbStream => Node::DynamoDbStream(DynamoDbStream {
            name: rn("NewTable"),
            account: None,
            region: None,
            stream_label: None,
        }),
        NodeKind::KafkaTopic => Node::KafkaTopic(KafkaTopic {
            name: rn("new-topic"),
            account: None,
            region: None,
            cluster: KafkaCluster::SelfManaged(vec!["broker-1.example.internal:9092".into()]),
        }),
        NodeKind::UserPool => Node::UserPool(UserPool {
            name: rn("us-east-1_NewPool"),
            account: None,
            region: None,
        }),
        NodeKind::Distribution => Node::Distribution(Distribution {
            name: rn("ENEWDISTRIBUTION"),
            account: None,
            region: None,
        }),
        NodeKind::StateMachine => Node::StateMachine(StateMachine {
            name: rn("new-state-machine"),
            account: None,
            region: None,
            role: Role {
                name: RoleName::from_trusted(name("new-state-machine-role")),
                trusts: ["states.amazonaws.com".to_owned()].into(),
                grants: Vec::new(),
            },
        }),
        NodeKind::HttpApiRoute => Node::HttpApiRoute(HttpApiRoute {
            name: rn("newapi"),
            account: None,
            region: None,
            stage: "$default".into(),
            route_key: "GET /items".into(),
            credentials_role: None,
        }),
        NodeKind::TargetGroup => Node::TargetGroup(TargetGroup {
            name: rn("new-targets"),
            account: None,
            region: None,
            target_group_id: "0123456789abcdef".into(),
        }),
        NodeKind::SesRule => Node::SesRule(SesRule {
            name: rn("new-receipt-rule"),
            account: None,
            region: None,
            rule_set: ResourceName::from_trusted("default-rule-set"),
        }),
        NodeKind::IotRule => Node::IotRule(IotRule {
            name: ResourceName::from_trusted(format!("new_rule_{serial}")),
            account: None,
            region: None,
        }),
        NodeKind::LogGroup => Node::LogGroup(LogGroup {
            name: ResourceName::from_trusted(format!("/aws/app/new-{serial}")),
            account: None,
            region: None,
        }),
        NodeKind::ExternalPrincipal => Node::ExternalPrincipal(ExternalPrincipal {
            name: rn("caller"),
            account: None,
            region: None,
            principal: Principal::Account(AccountId("999999999999".into())),
        }),
    }
}

#[cfg(test)]
mod new_node_tests {
    #[test]
    fn every_placeholder_round_trips_through_the_parsers() {
        for kind in crate::model::NodeKind::ALL {
            let node = super::new_node(kind, 7);
            let json = serde_json::to_value(&node).unwrap();
            let back: crate::model::Node =
                serde_json::from_value(json).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert_eq!(back, node);
        }
    }
}
