//! The plan: the desired graph plus an [`Observed`] snapshot of live state in, an ordered
//! list of AWS calls out, each with its reason.
//!
//! Order follows AWS: role grants and permissions first, then the source-side wiring
//! (S3 and SNS check they may invoke), then destinations, and removals last, in reverse.
//! Replace-all configurations (S3 notifications, Cognito triggers) are merged with what is
//! live, and only what Eventloom owns is ever removed: statement ids, notification ids and
//! rule target ids that start with [`crate::OWNED_PREFIX`], mappings tagged by Eventloom, and
//! the role policy [`crate::policy::MANAGED_ROLE_POLICY`].

use crate::ids::EdgeId;
use crate::ids::{Arn, NodeId, StatementId};
use crate::model::*;
use crate::policy::{MANAGED_ROLE_POLICY, role_policy_document, trust_policy_document};
use crate::{OWNED_PREFIX, catalog};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The tag key Eventloom puts on event source mappings it creates; the value is the edge id.
pub const MAPPING_TAG: &str = "eventloom:edge";

/// Live state of the resources a draft touches, as the apply worker read it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Observed {
    /// Functions by ARN (qualified when the draft addresses a qualifier).
    pub functions: BTreeMap<String, LiveFunction>,
    /// Roles by ARN.
    pub roles: BTreeMap<String, LiveRole>,
    /// Queues by ARN.
    pub queues: BTreeMap<String, LiveQueue>,
    /// Bucket notification configurations by bucket name.
    pub buckets: BTreeMap<String, LiveBucket>,
    /// Lambda subscriptions by topic ARN.
    pub topics: BTreeMap<String, Vec<LiveSubscription>>,
    /// Targets by rule ARN.
    pub rules: BTreeMap<String, Vec<LiveTarget>>,
    /// Cognito trigger slots by user pool ARN.
    pub user_pools: BTreeMap<String, BTreeMap<CognitoTrigger, String>>,
    /// HTTP API route integrations by `API_ID ROUTE_KEY`.
    pub routes: BTreeMap<String, Option<String>>,
    /// ARNs (or bucket names) that were looked for and do not exist.
    pub missing: BTreeSet<String>,
}

/// A function's live wiring.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LiveFunction {
    /// Timeout in seconds.
    pub timeout: Option<u32>,
    /// Execution role ARN.
    pub role: Option<String>,
    /// Resource-based policy statements.
    pub policy: Vec<Statement>,
    /// The policy's revision id, for `RevisionId` guards.
    pub revision_id: Option<String>,
    /// Event source mappings into the function.
    pub mappings: Vec<LiveMapping>,
    /// The async invoke config, when there is one.
    pub invoke_config: Option<InvokeConfig>,
    /// The legacy dead-letter target.
    pub dead_letter: Option<String>,
    /// Function URL auth type, when it has a URL.
    pub url: Option<UrlAuthType>,
    /// Recursive loop setting.
    pub recursion: Option<RecursiveLoop>,
}

/// An event source mapping as it is live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveMapping {
    /// The mapping's UUID.
    pub uuid: String,
    /// The source's ARN.
    pub source_arn: String,
    /// Its settings.
    pub settings: MappingSettings,
    /// The edge id Eventloom tagged it with, when Eventloom created it.
    pub owner: Option<String>,
}

/// The settings of an event source mapping that Eventloom manages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MappingSettings {
    /// `BatchSize`.
    pub batch_size: u32,
    /// `MaximumBatchingWindowInSeconds`.
    pub batching_window: u32,
    /// `StartingPosition` (streams).
    pub starting_position: Option<StartingPosition>,
    /// `StartingPositionTimestamp` in seconds since 1970 (with `AT_TIMESTAMP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_position_timestamp: Option<i64>,
    /// Filter patterns, sorted.
    pub filters: Vec<String>,
    /// `MaximumRetryAttempts` (streams; −1 = until expiry).
    pub maximum_retry_attempts: Option<i32>,
    /// `MaximumRecordAgeInSeconds` (streams; −1 = no limit).
    pub maximum_record_age: Option<i32>,
    /// `BisectBatchOnFunctionError` (streams).
    pub bisect_batch_on_function_error: Option<bool>,
    /// `DestinationConfig.OnFailure` (streams, Kafka).
    pub on_failure: Option<String>,
}

/// An async invoke config (`PutFunctionEventInvokeConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InvokeConfig {
    /// OnSuccess destination ARN.
    pub on_success: Option<String>,
    /// OnFailure destination ARN.
    pub on_failure: Option<String>,
    /// `MaximumRetryAttempts`.
    pub maximum_retry_attempts: Option<u32>,
    /// `MaximumEventAgeInSeconds`.
    pub maximum_event_age: Option<u32>,
}

/// A role's live inline policies and trust.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LiveRole {
    /// Inline policy documents by name.
    pub inline: BTreeMap<String, serde_json::Value>,
    /// Service principals the trust policy names; `None` when the trust policy was not read.
    pub trusts: Option<BTreeSet<String>>,
}

/// A queue's live attributes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LiveQueue {
    /// The queue URL.
    pub url: Option<String>,
    /// `VisibilityTimeout`.
    pub visibility_timeout: u32,
    /// `RedrivePolicy`.
    pub redrive: Option<Redrive>,
}

/// A queue's redrive policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redrive {
    /// The dead-letter queue's ARN.
    pub target_arn: String,
    /// `maxReceiveCount`.
    pub max_receive_count: u32,
}

/// A bucket's notification configuration: the Lambda part in detail, the rest kept as is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LiveBucket {
    /// `LambdaFunctionConfigurations`.
    pub lambda: Vec<LambdaNotification>,
    /// Queue, topic and EventBridge configurations, untouched and written back as they are.
    pub other: serde_json::Value,
}

/// One `LambdaFunctionConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LambdaNotification {
    /// Its `Id`.
    pub id: String,
    /// `LambdaFunctionArn`.
    pub function_arn: String,
    /// `Events`.
    pub events: Vec<String>,
    /// Key prefix filter.
    pub prefix: Option<String>,
    /// Key suffix filter.
    pub suffix: Option<String>,
}

/// A topic's Lambda subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveSubscription {
    /// Subscription ARN.
    pub arn: String,
    /// The function ARN it delivers to.
    pub endpoint: String,
    /// Filter policy JSON.
    pub filter_policy: Option<String>,
}

/// A rule target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveTarget {
    /// Target `Id`.
    pub id: String,
    /// Target ARN.
    pub arn: String,
}

/// One AWS call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum Action {
    /// `iam:PutRolePolicy` of Eventloom's inline policy.
    PutRolePolicy {
        /// Role ARN.
        role_arn: String,
        /// Policy name.
        policy_name: String,
        /// The policy document.
        document: serde_json::Value,
    },
    /// `iam:DeleteRolePolicy` of Eventloom's inline policy.
    DeleteRolePolicy {
        /// Role ARN.
        role_arn: String,
        /// Policy name.
        policy_name: String,
    },
    /// `iam:UpdateAssumeRolePolicy`, adding services to the trust.
    UpdateAssumeRolePolicy {
        /// Role ARN.
        role_arn: String,
        /// The full set of trusted services after the call.
        services: BTreeSet<String>,
        /// The trust policy document.
        document: serde_json::Value,
    },
    /// `sqs:SetQueueAttributes`.
    SetQueueAttributes {
        /// Queue ARN.
        queue_arn: String,
        /// New visibility timeout.
        visibility_timeout: Option<u32>,
        /// New redrive policy.
        redrive: Option<Redrive>,
    },
    /// `lambda:AddPermission`.
    AddPermission {
        /// Function ARN (qualified when a qualifier is addressed).
        function_arn: String,
        /// The statement.
        statement: Statement,
    },
    /// `lambda:RemovePermission`.
    RemovePermission {
        /// Function ARN.
        function_arn: String,
        /// Statement id.
        sid: StatementId,
    },
    /// `s3:PutBucketNotificationConfiguration` with the merged configuration.
    PutBucketNotification {
        /// Bucket name.
        bucket: String,
        /// Every Lambda configuration after the call: foreign ones kept, ours merged in.
        lambda: Vec<LambdaNotification>,
        /// Queue/topic/EventBridge configurations, unchanged.
        other: serde_json::Value,
    },
    /// `sns:Subscribe` with protocol `lambda`.
    Subscribe {
        /// Topic ARN.
        topic_arn: String,
        /// Function ARN.
        function_arn: String,
        /// Filter policy.
        filter_policy: Option<String>,
    },
    /// `sns:Unsubscribe`.
    Unsubscribe {
        /// Topic ARN.
        topic_arn: String,
        /// Subscription ARN.
        subscription_arn: String,
    },
    /// `events:PutTargets`.
    PutTargets {
        /// Rule ARN.
        rule_arn: String,
        /// Target id.
        target_id: String,
        /// Function ARN.
        function_arn: String,
    },
    /// `events:RemoveTargets`.
    RemoveTargets {
        /// Rule ARN.
        rule_arn: String,
        /// Target id.
        target_id: String,
    },
    /// `lambda:CreateEventSourceMapping`, tagged with [`MAPPING_TAG`].
    CreateEventSourceMapping {
        /// Function ARN.
        function_arn: String,
        /// Source ARN.
        source_arn: String,
        /// Settings.
        settings: MappingSettings,
        /// The edge id, as the tag value.
        owner: String,
    },
    /// `lambda:UpdateEventSourceMapping`.
    UpdateEventSourceMapping {
        /// Mapping UUID.
        uuid: String,
        /// Function ARN.
        function_arn: String,
        /// Source ARN.
        source_arn: String,
        /// Settings.
        settings: MappingSettings,
    },
    /// `lambda:DeleteEventSourceMapping`.
    DeleteEventSourceMapping {
        /// Mapping UUID.
        uuid: String,
        /// Function ARN.
        function_arn: String,
        /// Source ARN.
        source_arn: String,
    },
    /// `cognito-idp:UpdateUserPool` with `LambdaConfig` merged (the applier re-reads and
    /// writes back every other setting, because UpdateUserPool resets what it is not given).
    UpdateUserPoolLambdaConfig {
        /// User pool ARN.
        pool_arn: String,
        /// Every trigger slot after the call.
        config: BTreeMap<CognitoTrigger, String>,
    },
    /// `apigatewayv2:CreateIntegration` + `CreateRoute`/`UpdateRoute`.
    PutRouteIntegration {
        /// API id.
        api_id: String,
        /// Route key.
        route_key: String,
        /// Function ARN.
        function_arn: String,
    },
    /// `lambda:PutFunctionEventInvokeConfig`.
    PutFunctionEventInvokeConfig {
        /// Function ARN.
        function_arn: String,
        /// The whole config after the call.
        config: InvokeConfig,
    },
    /// `lambda:UpdateFunctionConfiguration` (`DeadLetterConfig`).
    PutDeadLetterConfig {
        /// Function ARN.
        function_arn: String,
        /// Target ARN, or none to clear.
        target_arn: Option<String>,
    },
    /// `lambda:CreateFunctionUrlConfig` or `UpdateFunctionUrlConfig`.
    PutFunctionUrlConfig {
        /// Function ARN.
        function_arn: String,
        /// Auth type.
        auth_type: UrlAuthType,
        /// Whether a URL exists already.
        update: bool,
    },
    /// `lambda:PutFunctionRecursionConfig`.
    PutFunctionRecursionConfig {
        /// Function ARN.
        function_arn: String,
        /// Setting.
        setting: RecursiveLoop,
    },
    /// Something Eventloom does not wire itself; the instructions say what to do.
    Manual {
        /// The service.
        service: String,
        /// What to do.
        instructions: String,
    },
}

impl Action {
    /// Whether the call changes anything in AWS.
    pub fn mutating(&self) -> bool {
        !matches!(self, Action::Manual { .. })
    }

    /// The AWS API call, e.g. `lambda:AddPermission`.
    pub fn call(&self) -> &'static str {
        match self {
            Action::PutRolePolicy { .. } => "iam:PutRolePolicy",
            Action::DeleteRolePolicy { .. } => "iam:DeleteRolePolicy",
            Action::UpdateAssumeRolePolicy { .. } => "iam:UpdateAssumeRolePolicy",
            Action::SetQueueAttributes { .. } => "sqs:SetQueueAttributes",
            Action::AddPermission { .. } => "lambda:AddPermission",
            Action::RemovePermission { .. } => "lambda:RemovePermission",
            Action::PutBucketNotification { .. } => "s3:PutBucketNotificationConfiguration",
            Action::Subscribe { .. } => "sns:Subscribe",
            Action::Unsubscribe { .. } => "sns:Unsubscribe",
            Action::PutTargets { .. } => "events:PutTargets",
            Action::RemoveTargets { .. } => "events:RemoveTargets",
            Action::CreateEventSourceMapping { .. } => "lambda:CreateEventSourceMapping",
            Action::UpdateEventSourceMapping { .. } => "lambda:UpdateEventSourceMapping",
            Action::DeleteEventSourceMapping { .. } => "lambda:DeleteEventSourceMapping",
            Action::UpdateUserPoolLambdaConfig { .. } => "cognito-idp:UpdateUserPool",
            Action::PutRouteIntegration { .. } => "apigatewayv2:CreateIntegration",
            Action::PutFunctionEventInvokeConfig { .. } => "lambda:PutFunctionEventInvokeConfig",
            Action::PutDeadLetterConfig { .. } => "lambda:UpdateFunctionConfiguration",
            Action::PutFunctionUrlConfig { update: false, .. } => "lambda:CreateFunctionUrlConfig",
            Action::PutFunctionUrlConfig { update: true, .. } => "lambda:UpdateFunctionUrlConfig",
            Action::PutFunctionRecursionConfig { .. } => "lambda:PutFunctionRecursionConfig",
            Action::Manual { .. } => "manual",
        }
    }

    /// The call's key arguments on one line, e.g. `function_arn=… sid=eventloom-… principal=s3.amazonaws.com`.
    /// Whole documents are left out; the reason and the JSON form carry them.
    pub fn summary(&self) -> String {
        fn plain(v: &serde_json::Value) -> String {
            match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        }
        let Ok(serde_json::Value::Object(map)) = serde_json::to_value(self) else {
            return String::new();
        };
        let mut parts = Vec::new();
        for (k, v) in map {
            if matches!(k.as_str(), "call" | "document" | "other") || v.is_null() {
                continue;
            }
            match v {
                serde_json::Value::Object(inner) => parts.extend(
                    inner
                        .into_iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, v)| format!("{k}={}", plain(&v))),
                ),
                other => parts.push(format!("{k}={}", plain(&other))),
            }
        }
        parts.join(" ")
    }

    /// Create, update or delete, for grouping the plan preview.
    pub fn effect(&self) -> Effect {
        match self {
            Action::AddPermission { .. }
            | Action::Subscribe { .. }
            | Action::CreateEventSourceMapping { .. }
            | Action::PutTargets { .. }
            | Action::PutRouteIntegration { .. } => Effect::Create,
            Action::PutFunctionUrlConfig { update: false, .. } => Effect::Create,
            Action::DeleteRolePolicy { .. }
            | Action::RemovePermission { .. }
            | Action::Unsubscribe { .. }
            | Action::RemoveTargets { .. }
            | Action::DeleteEventSourceMapping { .. } => Effect::Delete,
            Action::Manual { .. } => Effect::Manual,
            _ => Effect::Update,
        }
    }

    /// The ARN of the resource the call changes (the bucket's for S3 notifications), or
    /// none for manual steps and API Gateway routes, which are addressed by API id.
    pub fn resource_arn(&self) -> Option<String> {
        Some(match self {
            Action::PutRolePolicy { role_arn, .. }
            | Action::DeleteRolePolicy { role_arn, .. }
            | Action::UpdateAssumeRolePolicy { role_arn, .. } => role_arn.clone(),
            Action::SetQueueAttributes { queue_arn, .. } => queue_arn.clone(),
            Action::PutBucketNotification { bucket, .. } => format!("arn:aws:s3:::{bucket}"),
            Action::Subscribe { topic_arn, .. } | Action::Unsubscribe { topic_arn, .. } => {
                topic_arn.clone()
            }
            Action::PutTargets { rule_arn, .. } | Action::RemoveTargets { rule_arn, .. } => {
                rule_arn.clone()
            }
            Action::UpdateUserPoolLambdaConfig { pool_arn, .. } => pool_arn.clone(),
            Action::AddPermission { function_arn, .. }
            | Action::RemovePermission { function_arn, .. }
            | Action::CreateEventSourceMapping { function_arn, .. }
            | Action::UpdateEventSourceMapping { function_arn, .. }
            | Action::DeleteEventSourceMapping { function_arn, .. }
            | Action::PutFunctionEventInvokeConfig { function_arn, .. }
            | Action::PutDeadLetterConfig { function_arn, .. }
            | Action::PutFunctionUrlConfig { function_arn, .. }
            | Action::PutFunctionRecursionConfig { function_arn, .. } => function_arn.clone(),
            Action::PutRouteIntegration { .. } | Action::Manual { .. } => return None,
        })
    }
}

/// Every resource a draft wires: its nodes' ARNs and its functions' execution roles.
pub fn wired_resources(graph: &Graph) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for node in graph.nodes.values() {
        if let Ok(a) = graph.node_arn(node) {
            out.insert(a.as_str().to_owned());
        }
        if let Node::Function(f) = node
            && let Some(r) = role_arn(graph, node, &f.role)
        {
            out.insert(r);
        }
    }
    out
}

/// An ARN without its partition (`s3:::bucket`), so a bucket named by an S3 call and the
/// same bucket's node ARN compare equal.
fn resource_key(arn: &str) -> &str {
    arn.splitn(3, ':').nth(2).unwrap_or(arn)
}

/// Warnings for the steps of `plan` that update or remove wiring on a resource another
/// draft has applied to the same target (`others`: that draft's label and
/// [`wired_resources`]). Eventloom owns wiring per resource, not per draft, so such a step
/// can undo what the other draft applied; the plan preview says so before anyone applies.
pub fn shared_resource_warnings(plan: &Plan, others: &[(String, BTreeSet<String>)]) -> Vec<String> {
    let mut by_resource: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for step in &plan.steps {
        if !step.action.mutating() || step.action.effect() == Effect::Create {
            continue;
        }
        if let Some(arn) = step.action.resource_arn() {
            by_resource.entry(arn).or_default().push(format!(
                "{} ({})",
                step.action.call(),
                step.action.summary()
            ));
        }
    }
    let others: Vec<(&str, BTreeSet<&str>)> = others
        .iter()
        .map(|(label, set)| {
            (
                label.as_str(),
                set.iter().map(|a| resource_key(a)).collect(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for (arn, steps) in by_resource {
        let key = resource_key(&arn);
        let drafts: Vec<&str> = others
            .iter()
            .filter(|(_, keys)| keys.contains(key))
            .map(|(label, _)| *label)
            .collect();
        if drafts.is_empty() {
            continue;
        }
        out.push(format!(
            "{arn} is also wired by {}, applied to this target. Eventloom owns wiring per resource, not per draft, so these steps may undo what was applied from there: {}. Keep each resource's wiring in one draft, or copy that draft's wiring of it into this one.",
            drafts.join(", "),
            steps.join("; ")
        ));
    }
    out
}

/// How an action changes AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Adds something.
    Create,
    /// Changes something.
    Update,
    /// Removes something Eventloom owns.
    Delete,
    /// Left to the user.
    Manual,
}

/// A call and why it is needed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The call.
    pub action: Action,
    /// Why, in AWS terms.
    pub reason: String,
}

/// The ordered calls that make live state match the draft.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Plan {
    /// Steps, in the order they must run.
    pub steps: Vec<Step>,
    /// Differences Eventloom leaves alone because it does not own them.
    pub warnings: Vec<String>,
    /// Reasons the plan cannot be applied (missing resources, slots held by others).
    pub blockers: Vec<String>,
}

impl Plan {
    /// Whether applying it would change nothing.
    pub fn is_empty(&self) -> bool {
        !self.steps.iter().any(|s| s.action.mutating())
    }

    /// The number of mutating calls.
    pub fn mutating_calls(&self) -> usize {
        self.steps.iter().filter(|s| s.action.mutating()).count()
    }
}

#[derive(Default)]
struct Phases {
    roles: Vec<Step>,
    queues: Vec<Step>,
    permissions: Vec<Step>,
    sources: Vec<Step>,
    destinations: Vec<Step>,
    unwire: Vec<Step>,
    revoke: Vec<Step>,
    cleanup: Vec<Step>,
}

fn step(list: &mut Vec<Step>, action: Action, reason: impl Into<String>) {
    list.push(Step {
        action,
        reason: reason.into(),
    });
}

/// The desired mapping settings of a trigger from `src`, with AWS defaults filled in.
pub fn mapping_settings(src: &Node, t: &Trigger, on_failure: Option<String>) -> MappingSettings {
    let stream = matches!(
        src.kind(),
        NodeKind::KinesisStream | NodeKind::DynamoDbStream | NodeKind::KafkaTopic
    );
    let mut filters = t.filters.clone();
    filters.sort();
    MappingSettings {
        batch_size: t.batch_size.unwrap_or(if stream { 100 } else { 10 }),
        batching_window: t.batching_window.unwrap_or(0),
        starting_position: if stream {
            t.starting_position.or(Some(StartingPosition::Latest))
        } else {
            None
        },
        starting_position_timestamp: if stream
            && t.starting_position == Some(StartingPosition::AtTimestamp)
        {
            t.starting_position_timestamp
        } else {
            None
        },
        filters,
        maximum_retry_attempts: if stream && src.kind() != NodeKind::KafkaTopic {
            Some(t.maximum_retry_attempts.unwrap_or(-1))
        } else {
            t.maximum_retry_attempts
        },
        maximum_record_age: if stream && src.kind() != NodeKind::KafkaTopic {
            Some(t.maximum_record_age.unwrap_or(-1))
        } else {
            t.maximum_record_age
        },
        bisect_batch_on_function_error: if stream && src.kind() != NodeKind::KafkaTopic {
            Some(t.bisect_batch_on_function_error.unwrap_or(false))
        } else {
            t.bisect_batch_on_function_error
        },
        on_failure,
    }
}

/// The role ARN of a node's role.
fn role_arn(graph: &Graph, node: &Node, role: &Role) -> Option<String> {
    let account = graph.account_of(node)?;
    let partition = graph.region_of(node).map_or("aws", |r| r.partition());
    Some(format!("arn:{partition}:iam::{account}:role/{}", role.name))
}

/// The identifier Eventloom gives the notification or rule target for `edge`.
pub fn owned_id(edge: &crate::ids::EdgeId) -> String {
    let id = format!("{OWNED_PREFIX}{edge}");
    id.chars().take(64).collect()
}

/// Computes the plan that makes `observed` match `graph`.
pub fn plan(graph: &Graph, observed: &Observed) -> Plan {
    let mut p = Phases::default();
    let mut plan = Plan::default();
    let idx = Index::new(graph);
    let arns: BTreeMap<&NodeId, Arn> = graph
        .nodes
        .keys()
        .filter_map(|id| graph.arn_of(id).ok().map(|a| (id, a)))
        .collect();
    let arn = |id: &NodeId| arns.get(id).map(|a| a.as_str().to_owned());
    let graph_arns: BTreeSet<String> = arns.values().map(|a| a.as_str().to_owned()).collect();
    let empty_fn = LiveFunction::default();

    for (id, node) in &graph.nodes {
        if graph.arn_of(id).is_err() {
            plan.blockers.push(format!(
                "{} has no complete ARN (account, region or stream label missing)",
                node.name()
            ));
        }
    }
    for key in arns
        .values()
        .map(|a| a.as_str())
        .chain(graph.nodes.values().filter_map(|n| match n {
            Node::S3Bucket(b) => Some(b.name.as_str()),
            _ => None,
        }))
    {
        if observed.missing.contains(key) {
            plan.blockers.push(format!(
                "{key} does not exist; Eventloom wires existing resources, so create it first"
            ));
        }
    }

    // Roles: Eventloom's inline policy holds the managed grants of every node using the role.
    let mut roles: BTreeMap<String, (BTreeSet<&RoleGrant>, BTreeSet<String>)> = BTreeMap::new();
    for node in graph.nodes.values() {
        let Some(role) = node.role() else { continue };
        let Some(ra) = role_arn(graph, node, role) else {
            continue;
        };
        let entry = roles.entry(ra).or_default();
        entry.0.extend(role.grants.iter().filter(|g| g.managed));
        entry.1.extend(role.trusts.iter().cloned());
    }
    for (ra, (grants, trusts)) in &roles {
        let live = observed.roles.get(ra);
        let live_doc = live.and_then(|r| r.inline.get(MANAGED_ROLE_POLICY));
        if grants.is_empty() {
            if live_doc.is_some() {
                step(
                    &mut p.cleanup,
                    Action::DeleteRolePolicy {
                        role_arn: ra.clone(),
                        policy_name: MANAGED_ROLE_POLICY.into(),
                    },
                    "the draft no longer grants anything through Eventloom's inline policy",
                );
            }
        } else {
            let doc = role_policy_document(grants.iter().copied());
            if live_doc != Some(&doc) {
                step(
                    &mut p.roles,
                    Action::PutRolePolicy {
                        role_arn: ra.clone(),
                        policy_name: MANAGED_ROLE_POLICY.into(),
                        document: doc,
                    },
                    format!(
                        "the execution role needs {} before the wiring that uses it",
                        grants
                            .iter()
                            .flat_map(|g| g.actions.iter().map(|a| a.as_str()))
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
        let live_trusts = live.and_then(|r| r.trusts.clone());
        if let Some(live_trusts) = live_trusts.filter(|t| !trusts.is_subset(t)) {
            let services: BTreeSet<String> = live_trusts.union(trusts).cloned().collect();
            let added: Vec<&String> = trusts.difference(&live_trusts).collect();
            step(
                &mut p.roles,
                Action::UpdateAssumeRolePolicy {
                    role_arn: ra.clone(),
                    document: trust_policy_document(&services),
                    services,
                },
                format!(
                    "the role must trust {}",
                    added
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }

    // Queue attributes come before mappings: Lambda checks the visibility timeout when a mapping is created.
    for (id, node) in &graph.nodes {
        let Node::SqsQueue(q) = node else { continue };
        let Some(qa) = arn(id) else { continue };
        let live = observed.queues.get(&qa).cloned().unwrap_or_default();
        let redrive = idx.out(id).iter().find_map(|(_, e)| match &e.kind {
            EdgeKind::Redrive { max_receive_count } => arn(&e.to).map(|t| Redrive {
                target_arn: t,
                max_receive_count: *max_receive_count,
            }),
            _ => None,
        });
        let vis = q
            .visibility_timeout
            .filter(|v| *v != live.visibility_timeout);
        let red = redrive.filter(|r| live.redrive.as_ref() != Some(r));
        if vis.is_some() || red.is_some() {
            let mut why = Vec::new();
            if let Some(v) = vis {
                why.push(format!(
                    "VisibilityTimeout {} → {v} s",
                    live.visibility_timeout
                ));
            }
            if let Some(r) = &red {
                why.push(format!(
                    "redrive to {} after {} receives",
                    r.target_arn, r.max_receive_count
                ));
            }
            step(
                &mut p.queues,
                Action::SetQueueAttributes {
                    queue_arn: qa,
                    visibility_timeout: vis,
                    redrive: red,
                },
                why.join("; "),
            );
        }
    }

    // Permissions.
    for (id, node) in &graph.nodes {
        let Node::Function(f) = node else { continue };
        let Some(fa) = arn(id) else { continue };
        let live = observed.functions.get(&fa).unwrap_or(&empty_fn);
        for st in &f.policy {
            match live.policy.iter().find(|l| l.sid == st.sid) {
                None => step(
                    &mut p.permissions,
                    Action::AddPermission {
                        function_arn: fa.clone(),
                        statement: st.clone(),
                    },
                    format!("{} lets {} invoke {}", st.sid, st.principal, f.name),
                ),
                Some(l) if l == st => {}
                // A statement the draft names is the draft's to define, whoever created it:
                // a fix reviewed in the draft (SourceAccount added, say) must reach AWS.
                // Statements the draft does not name are only ever removed when ours (below).
                Some(_) => {
                    let whose = if st.sid.is_owned() {
                        "statement"
                    } else {
                        "statement (named in the draft, though not created by Eventloom)"
                    };
                    step(
                        &mut p.permissions,
                        Action::RemovePermission {
                            function_arn: fa.clone(),
                            sid: st.sid.clone(),
                        },
                        format!(
                            "{whose} {} differs from the draft; Lambda has no update, so it is replaced",
                            st.sid
                        ),
                    );
                    step(
                        &mut p.permissions,
                        Action::AddPermission {
                            function_arn: fa.clone(),
                            statement: st.clone(),
                        },
                        format!("the new content of {}", st.sid),
                    );
                }
            }
        }
        for l in &live.policy {
            if l.sid.is_owned() && f.statement(&l.sid).is_none() {
                step(
                    &mut p.revoke,
                    Action::RemovePermission {
                        function_arn: fa.clone(),
                        sid: l.sid.clone(),
                    },
                    format!("Eventloom created {} and the draft no longer has it", l.sid),
                );
            }
        }
    }

    // Source-side wiring, per source node.
    for (sid, src) in &graph.nodes {
        let Some(sa) = arn(sid) else { continue };
        match src {
            Node::S3Bucket(b) => {
                let live = observed
                    .buckets
                    .get(b.name.as_str())
                    .cloned()
                    .unwrap_or_default();
                let mut merged: Vec<LambdaNotification> = live
                    .lambda
                    .iter()
                    .filter(|n| !n.id.starts_with(OWNED_PREFIX))
                    .cloned()
                    .collect();
                for (eid, e) in idx.triggers(sid) {
                    let (Some(t), Some(fa)) = (e.kind.trigger(), arn(&e.to)) else {
                        continue;
                    };
                    merged.push(LambdaNotification {
                        id: owned_id(eid),
                        function_arn: fa,
                        events: t.events.clone(),
                        prefix: t.prefix.clone(),
                        suffix: t.suffix.clone(),
                    });
                }
                merged.sort();
                let mut current = live.lambda.clone();
                current.sort();
                if merged != current {
                    let dropped = current
                        .iter()
                        .filter(|n| n.id.starts_with(OWNED_PREFIX) && !merged.contains(n))
                        .count();
                    let added = merged.iter().filter(|n| !current.contains(n)).count();
                    let kept = merged
                        .iter()
                        .filter(|n| !n.id.starts_with(OWNED_PREFIX))
                        .count();
                    step(
                        &mut p.sources,
                        Action::PutBucketNotification {
                            bucket: b.name.to_string(),
                            lambda: merged,
                            other: live.other.clone(),
                        },
                        format!(
                            "S3 replaces the whole notification configuration: {added} of ours added or changed, {dropped} of ours removed, {kept} not ours kept as they are"
                        ),
                    );
                }
            }
            Node::SnsTopic(_) => {
                let live = observed.topics.get(&sa).cloned().unwrap_or_default();
                let mut desired = BTreeSet::new();
                for (_, e) in idx.triggers(sid) {
                    let Some(fa) = arn(&e.to) else { continue };
                    desired.insert(fa.clone());
                    if !live.iter().any(|s| s.endpoint == fa) {
                        let filter_policy = e.kind.trigger().and_then(|t| t.filter_policy.clone());
                        step(
                            &mut p.sources,
                            Action::Subscribe {
                                topic_arn: sa.clone(),
                                function_arn: fa.clone(),
                                filter_policy,
                            },
                            format!("subscribe {fa} to {}", src.name()),
                        );
                    }
                }
                for s in &live {
                    if !desired.contains(&s.endpoint)
                        && owns_source(observed, &s.endpoint, &sa)
                        && graph_arns.contains(&s.endpoint)
                    {
                        step(
                            &mut p.unwire,
                            Action::Unsubscribe {
                                topic_arn: sa.clone(),
                                subscription_arn: s.arn.clone(),
                            },
                            format!(
                                "Eventloom subscribed {} and the draft no longer has that trigger",
                                s.endpoint
                            ),
                        );
                    }
                }
            }
            Node::EventRule(_) => {
                let live = observed.rules.get(&sa).cloned().unwrap_or_default();
                let mut desired = BTreeSet::new();
                for (eid, e) in idx.triggers(sid) {
                    let Some(fa) = arn(&e.to) else { continue };
                    let tid = owned_id(eid);
                    desired.insert(tid.clone());
                    if !live.iter().any(|t| t.id == tid && t.arn == fa) {
                        step(
                            &mut p.sources,
                            Action::PutTargets {
                                rule_arn: sa.clone(),
                                target_id: tid,
                                function_arn: fa,
                            },
                            format!("rule {} targets the function", src.name()),
                        );
                    }
                }
                for t in &live {
                    if t.id.starts_with(OWNED_PREFIX) && !desired.contains(&t.id) {
                        step(
                            &mut p.unwire,
                            Action::RemoveTargets {
                                rule_arn: sa.clone(),
                                target_id: t.id.clone(),
                            },
                            format!(
                                "Eventloom added target {} and the draft no longer has it",
                                t.id
                            ),
                        );
                    }
                }
            }
            Node::UserPool(_) => {
                let live = observed.user_pools.get(&sa).cloned().unwrap_or_default();
                let mut merged = live.clone();
                let mut desired: BTreeSet<CognitoTrigger> = BTreeSet::new();
                for (_, e) in idx.triggers(sid) {
                    let (Some(slot), Some(fa)) =
                        (e.kind.trigger().and_then(|t| t.cognito_trigger), arn(&e.to))
                    else {
                        continue;
                    };
                    desired.insert(slot);
                    match live.get(&slot) {
                        Some(current) if current != &fa && !graph_arns.contains(current) => plan.blockers.push(format!(
                            "{}'s {} trigger runs {current}, which is not in this draft; remove it in Cognito first so Eventloom does not overwrite someone else's trigger",
                            src.name(),
                            slot.as_str()
                        )),
                        _ => {
                            merged.insert(slot, fa);
                        }
                    }
                }
                merged.retain(|slot, fa| {
                    desired.contains(slot)
                        || !(graph_arns.contains(fa.as_str()) && owns_source(observed, fa, &sa))
                });
                if merged != live {
                    step(
                        &mut p.sources,
                        Action::UpdateUserPoolLambdaConfig {
                            pool_arn: sa.clone(),
                            config: merged,
                        },
                        "UpdateUserPool resets every setting it is not given, so the live configuration is read, merged and written back",
                    );
                }
            }
            Node::HttpApiRoute(r) => {
                for (_, e) in idx.triggers(sid) {
                    let Some(fa) = arn(&e.to) else { continue };
                    let key = format!("{} {}", r.name, r.route_key);
                    if observed.routes.get(&key).cloned().flatten().as_deref() != Some(fa.as_str())
                    {
                        step(
                            &mut p.sources,
                            Action::PutRouteIntegration {
                                api_id: r.name.to_string(),
                                route_key: r.route_key.clone(),
                                function_arn: fa,
                            },
                            format!("route {} integrates the function", r.route_key),
                        );
                    }
                }
            }
            Node::SqsQueue(_)
            | Node::KinesisStream(_)
            | Node::DynamoDbStream(_)
            | Node::KafkaTopic(KafkaTopic {
                cluster: KafkaCluster::Msk(_),
                ..
            }) => {
                let mut planned = BTreeSet::new();
                for (eid, e) in idx.triggers(sid) {
                    let (Some(t), Some(fa)) = (e.kind.trigger(), arn(&e.to)) else {
                        continue;
                    };
                    // One mapping per source and function, however many edges say so.
                    if !planned.insert(fa.clone()) {
                        continue;
                    }
                    let on_failure = idx.mapping_failure.get(eid).and_then(|m| arn(&m.to));
                    let settings = mapping_settings(src, t, on_failure);
                    let live = observed.functions.get(&fa).unwrap_or(&empty_fn);
                    match live.mappings.iter().find(|m| m.source_arn == sa) {
                        None => step(
                            &mut p.sources,
                            Action::CreateEventSourceMapping { function_arn: fa.clone(), source_arn: sa.clone(), settings, owner: eid.to_string() },
                            format!("Lambda polls {} for the function", src.name()),
                        ),
                        Some(m) if m.owner.is_none() => plan.warnings.push(format!(
                            "a mapping from {} to {fa} exists that Eventloom did not create ({}); it is left as is and no duplicate is created",
                            src.name(),
                            m.uuid
                        )),
                        Some(m) if m.settings != settings => step(
                            &mut p.sources,
                            Action::UpdateEventSourceMapping { uuid: m.uuid.clone(), function_arn: fa.clone(), source_arn: sa.clone(), settings },
                            "the mapping's settings differ from the draft",
                        ),
                        Some(_) => {}
                    }
                }
            }
            _ => {
                for (_, e) in idx.triggers(sid) {
                    let entry = catalog::of(src);
                    let (Some(call), Some(fname)) =
                        (entry.wiring_call, graph.nodes.get(&e.to).map(Node::name))
                    else {
                        continue;
                    };
                    step(
                        &mut p.sources,
                        Action::Manual {
                            service: entry.label.into(),
                            instructions: format!(
                                "Wire {} to {fname} with {call}; Eventloom applies the grants but not this call.",
                                src.name()
                            ),
                        },
                        "not applied automatically",
                    );
                }
            }
        }
    }

    // Mappings Eventloom created whose trigger is gone.
    for (id, node) in &graph.nodes {
        let Node::Function(_) = node else { continue };
        let Some(fa) = arn(id) else { continue };
        let Some(live) = observed.functions.get(&fa) else {
            continue;
        };
        for m in &live.mappings {
            let still = idx.inc(id).iter().any(|(_, e)| {
                &e.to == id
                    && matches!(e.kind, EdgeKind::Trigger(_))
                    && arn(&e.from).as_deref() == Some(m.source_arn.as_str())
            });
            if m.owner.is_some() && !still {
                step(
                    &mut p.unwire,
                    Action::DeleteEventSourceMapping {
                        uuid: m.uuid.clone(),
                        function_arn: fa.clone(),
                        source_arn: m.source_arn.clone(),
                    },
                    "Eventloom created this mapping and the draft no longer has the trigger",
                );
            }
        }
    }

    // Destinations and function settings.
    for (id, node) in &graph.nodes {
        let Node::Function(f) = node else { continue };
        let Some(fa) = arn(id) else { continue };
        let live = observed.functions.get(&fa).unwrap_or(&empty_fn);
        let target = |t: EdgeType| {
            idx.out(id)
                .iter()
                .find(|(_, e)| e.kind.edge_type() == t)
                .and_then(|(_, e)| arn(&e.to))
        };
        let live_cfg = live.invoke_config.clone().unwrap_or_default();
        // A slot the draft leaves empty keeps a live target that is not in the draft (someone else's).
        let keep = |live: &Option<String>| live.clone().filter(|a| !graph_arns.contains(a));
        let desired = InvokeConfig {
            on_success: target(EdgeType::OnSuccess).or_else(|| keep(&live_cfg.on_success)),
            on_failure: target(EdgeType::OnFailure).or_else(|| keep(&live_cfg.on_failure)),
            maximum_retry_attempts: f
                .async_invoke
                .maximum_retry_attempts
                .or(live_cfg.maximum_retry_attempts),
            maximum_event_age: f
                .async_invoke
                .maximum_event_age
                .or(live_cfg.maximum_event_age),
        };
        let unchanged = match &live.invoke_config {
            Some(current) => current == &desired,
            None => desired == InvokeConfig::default(),
        };
        if !unchanged {
            let mut why = Vec::new();
            if desired.on_success != live_cfg.on_success {
                why.push(format!(
                    "OnSuccess {} → {}",
                    show(&live_cfg.on_success),
                    show(&desired.on_success)
                ));
            }
            if desired.on_failure != live_cfg.on_failure {
                why.push(format!(
                    "OnFailure {} → {}",
                    show(&live_cfg.on_failure),
                    show(&desired.on_failure)
                ));
            }
            if desired.maximum_retry_attempts != live_cfg.maximum_retry_attempts {
                why.push(format!(
                    "MaximumRetryAttempts → {}",
                    desired
                        .maximum_retry_attempts
                        .map_or("default".into(), |v| v.to_string())
                ));
            }
            if desired.maximum_event_age != live_cfg.maximum_event_age {
                why.push(format!(
                    "MaximumEventAgeInSeconds → {}",
                    desired
                        .maximum_event_age
                        .map_or("default".into(), |v| v.to_string())
                ));
            }
            step(
                &mut p.destinations,
                Action::PutFunctionEventInvokeConfig {
                    function_arn: fa.clone(),
                    config: desired,
                },
                why.join("; "),
            );
        }
        let dlq = target(EdgeType::DeadLetter).or_else(|| keep(&live.dead_letter));
        if dlq != live.dead_letter {
            step(
                &mut p.destinations,
                Action::PutDeadLetterConfig {
                    function_arn: fa.clone(),
                    target_arn: dlq.clone(),
                },
                format!(
                    "dead-letter queue {} → {}",
                    show(&live.dead_letter),
                    show(&dlq)
                ),
            );
        }
        if let Some(url) = &f.url
            && live.url != Some(url.auth_type)
        {
            step(
                &mut p.destinations,
                Action::PutFunctionUrlConfig {
                    function_arn: fa.clone(),
                    auth_type: url.auth_type,
                    update: live.url.is_some(),
                },
                format!("function URL with auth type {}", url.auth_type.as_str()),
            );
        }
        if f.recursive_loop != live.recursion.unwrap_or_default() {
            step(
                &mut p.destinations,
                Action::PutFunctionRecursionConfig {
                    function_arn: fa.clone(),
                    setting: f.recursive_loop,
                },
                format!("recursive loop detection: {:?}", f.recursive_loop),
            );
        }
    }

    plan.steps = [
        p.roles,
        p.queues,
        p.permissions,
        p.sources,
        p.destinations,
        p.unwire,
        p.revoke,
        p.cleanup,
    ]
    .concat();
    plan.blockers.sort();
    plan.blockers.dedup();
    plan
}

/// Edges by endpoint, built once per plan so each lookup is not a scan of every edge.
struct Index<'a> {
    out: HashMap<&'a NodeId, Vec<(&'a EdgeId, &'a Edge)>>,
    inc: HashMap<&'a NodeId, Vec<(&'a EdgeId, &'a Edge)>>,
    mapping_failure: HashMap<&'a EdgeId, &'a Edge>,
}

impl<'a> Index<'a> {
    fn new(graph: &'a Graph) -> Self {
        let mut idx = Index {
            out: HashMap::new(),
            inc: HashMap::new(),
            mapping_failure: HashMap::new(),
        };
        for (id, e) in &graph.edges {
            idx.out.entry(&e.from).or_default().push((id, e));
            idx.inc.entry(&e.to).or_default().push((id, e));
            if let EdgeKind::MappingOnFailure { mapping } = &e.kind {
                idx.mapping_failure.entry(mapping).or_insert(e);
            }
        }
        idx
    }

    fn out(&self, id: &NodeId) -> &[(&'a EdgeId, &'a Edge)] {
        self.out.get(id).map(Vec::as_slice).unwrap_or_default()
    }

    fn inc(&self, id: &NodeId) -> &[(&'a EdgeId, &'a Edge)] {
        self.inc.get(id).map(Vec::as_slice).unwrap_or_default()
    }

    fn triggers(&self, id: &NodeId) -> impl Iterator<Item = (&'a EdgeId, &'a Edge)> + '_ {
        self.out(id)
            .iter()
            .copied()
            .filter(|(_, e)| matches!(e.kind, EdgeKind::Trigger(_)))
    }
}

fn show(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("none")
}

/// Whether the function at `function_arn` has a live statement Eventloom created for `source_arn`:
/// the mark that the source-side wiring to it is Eventloom's too.
fn owns_source(observed: &Observed, function_arn: &str, source_arn: &str) -> bool {
    observed.functions.get(function_arn).is_some_and(|f| {
        f.policy.iter().any(|s| {
            s.sid.is_owned()
                && s.source_arn
                    .as_ref()
                    .is_some_and(|a| a.as_str() == source_arn)
        })
    })
}

/// The live state after `plan` runs against `observed`, as AWS would leave it. Used to
/// check that plans converge, and by the UI to preview the result.
pub fn simulate(observed: &Observed, plan: &Plan) -> Observed {
    let mut o = observed.clone();
    let mut next_id = o
        .functions
        .values()
        .map(|f| f.mappings.len())
        .sum::<usize>();
    for s in &plan.steps {
        match &s.action {
            Action::PutRolePolicy {
                role_arn,
                policy_name,
                document,
            } => {
                o.roles
                    .entry(role_arn.clone())
                    .or_default()
                    .inline
                    .insert(policy_name.clone(), document.clone());
            }
            Action::DeleteRolePolicy {
                role_arn,
                policy_name,
            } => {
                if let Some(r) = o.roles.get_mut(role_arn) {
                    r.inline.remove(policy_name);
                }
            }
            Action::UpdateAssumeRolePolicy {
                role_arn, services, ..
            } => {
                o.roles.entry(role_arn.clone()).or_default().trusts = Some(services.clone());
            }
            Action::SetQueueAttributes {
                queue_arn,
                visibility_timeout,
                redrive,
            } => {
                let q = o.queues.entry(queue_arn.clone()).or_default();
                if let Some(v) = visibility_timeout {
                    q.visibility_timeout = *v;
                }
                if let Some(r) = redrive {
                    q.redrive = Some(r.clone());
                }
            }
            Action::AddPermission {
                function_arn,
                statement,
            } => {
                o.functions
                    .entry(function_arn.clone())
                    .or_default()
                    .policy
                    .push(statement.clone());
            }
            Action::RemovePermission { function_arn, sid } => {
                if let Some(f) = o.functions.get_mut(function_arn) {
                    f.policy.retain(|s| &s.sid != sid);
                }
            }
            Action::PutBucketNotification {
                bucket,
                lambda,
                other,
            } => {
                o.buckets.insert(
                    bucket.clone(),
                    LiveBucket {
                        lambda: lambda.clone(),
                        other: other.clone(),
                    },
                );
            }
            Action::Subscribe {
                topic_arn,
                function_arn,
                filter_policy,
            } => {
                let subs = o.topics.entry(topic_arn.clone()).or_default();
                subs.push(LiveSubscription {
                    arn: format!("{topic_arn}:sim-{}", subs.len()),
                    endpoint: function_arn.clone(),
                    filter_policy: filter_policy.clone(),
                });
            }
            Action::Unsubscribe {
                topic_arn,
                subscription_arn,
            } => {
                if let Some(subs) = o.topics.get_mut(topic_arn) {
                    subs.retain(|s| &s.arn != subscription_arn);
                }
            }
            Action::PutTargets {
                rule_arn,
                target_id,
                function_arn,
            } => {
                let targets = o.rules.entry(rule_arn.clone()).or_default();
                targets.retain(|t| &t.id != target_id);
                targets.push(LiveTarget {
                    id: target_id.clone(),
                    arn: function_arn.clone(),
                });
            }
            Action::RemoveTargets {
                rule_arn,
                target_id,
            } => {
                if let Some(t) = o.rules.get_mut(rule_arn) {
                    t.retain(|t| &t.id != target_id);
                }
            }
            Action::CreateEventSourceMapping {
                function_arn,
                source_arn,
                settings,
                owner,
            } => {
                next_id += 1;
                o.functions
                    .entry(function_arn.clone())
                    .or_default()
                    .mappings
                    .push(LiveMapping {
                        uuid: format!("sim-{next_id}"),
                        source_arn: source_arn.clone(),
                        settings: settings.clone(),
                        owner: Some(owner.clone()),
                    });
            }
            Action::UpdateEventSourceMapping {
                uuid,
                function_arn,
                settings,
                ..
            } => {
                if let Some(m) = o
                    .functions
                    .get_mut(function_arn)
                    .and_then(|f| f.mappings.iter_mut().find(|m| &m.uuid == uuid))
                {
                    m.settings = settings.clone();
                }
            }
            Action::DeleteEventSourceMapping {
                uuid, function_arn, ..
            } => {
                if let Some(f) = o.functions.get_mut(function_arn) {
                    f.mappings.retain(|m| &m.uuid != uuid);
                }
            }
            Action::UpdateUserPoolLambdaConfig { pool_arn, config } => {
                o.user_pools.insert(pool_arn.clone(), config.clone());
            }
            Action::PutRouteIntegration {
                api_id,
                route_key,
                function_arn,
            } => {
                o.routes
                    .insert(format!("{api_id} {route_key}"), Some(function_arn.clone()));
            }
            Action::PutFunctionEventInvokeConfig {
                function_arn,
                config,
            } => {
                o.functions
                    .entry(function_arn.clone())
                    .or_default()
                    .invoke_config = Some(config.clone());
            }
            Action::PutDeadLetterConfig {
                function_arn,
                target_arn,
            } => {
                o.functions
                    .entry(function_arn.clone())
                    .or_default()
                    .dead_letter = target_arn.clone();
            }
            Action::PutFunctionUrlConfig {
                function_arn,
                auth_type,
                ..
            } => {
                o.functions.entry(function_arn.clone()).or_default().url = Some(*auth_type);
            }
            Action::PutFunctionRecursionConfig {
                function_arn,
                setting,
            } => {
                o.functions
                    .entry(function_arn.clone())
                    .or_default()
                    .recursion = Some(*setting);
            }
            Action::Manual { .. } => {}
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    const FN: &str = "arn:aws:lambda:us-east-1:123456789012:function:thumb";

    fn s3_wired() -> Graph {
        let mut g = graph(
            &[bucket("uploads"), func("thumb")],
            &[("up", "uploads", "thumb", s3_trigger())],
        );
        g.function_mut(&nid("thumb")).unwrap().policy.push(stmt(
            "eventloom-s3-uploads",
            "s3.amazonaws.com",
            Some("arn:aws:s3:::uploads"),
            Some(ACCOUNT),
        ));
        g
    }

    fn calls(p: &Plan) -> Vec<&'static str> {
        p.steps.iter().map(|s| s.action.call()).collect()
    }

    #[test]
    fn permissions_come_before_the_notification_that_needs_them() {
        let p = plan(&s3_wired(), &Observed::default());
        assert_eq!(
            calls(&p),
            [
                "lambda:AddPermission",
                "s3:PutBucketNotificationConfiguration"
            ]
        );
    }

    #[test]
    fn a_second_plan_after_applying_the_first_is_empty() {
        let g = s3_wired();
        let first = plan(&g, &Observed::default());
        let after = simulate(&Observed::default(), &first);
        assert!(plan(&g, &after).is_empty(), "{:?}", plan(&g, &after));
    }

    #[test]
    fn foreign_s3_notifications_survive_the_merge() {
        let mut obs = Observed::default();
        let foreign = LambdaNotification {
            id: "someone-elses".into(),
            function_arn: "arn:aws:lambda:us-east-1:123456789012:function:other".into(),
            events: vec!["s3:ObjectRemoved:*".into()],
            prefix: None,
            suffix: None,
        };
        obs.buckets.insert(
            "uploads".into(),
            LiveBucket {
                lambda: vec![foreign.clone()],
                other: serde_json::json!({"QueueConfigurations": []}),
            },
        );
        let p = plan(&s3_wired(), &obs);
        let put = p.steps.iter().find_map(|s| match &s.action {
            Action::PutBucketNotification { lambda, other, .. } => {
                Some((lambda.clone(), other.clone()))
            }
            _ => None,
        });
        let (lambda, other) = put.expect("a notification write");
        assert!(lambda.contains(&foreign));
        assert_eq!(lambda.len(), 2);
        assert_eq!(other, serde_json::json!({"QueueConfigurations": []}));
    }

    #[test]
    fn only_statements_eventloom_owns_are_removed() {
        let g = graph(&[func("thumb")], &[]);
        let mut obs = Observed::default();
        obs.functions.insert(
            FN.into(),
            LiveFunction {
                policy: vec![
                    stmt(
                        "eventloom-s3-old",
                        "s3.amazonaws.com",
                        Some("arn:aws:s3:::old"),
                        Some(ACCOUNT),
                    ),
                    stmt(
                        "AllowS3Invoke",
                        "s3.amazonaws.com",
                        Some("arn:aws:s3:::x"),
                        Some(ACCOUNT),
                    ),
                ],
                ..Default::default()
            },
        );
        let p = plan(&g, &obs);
        let removed: Vec<String> = p
            .steps
            .iter()
            .filter_map(|s| match &s.action {
                Action::RemovePermission { sid, .. } => Some(sid.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(removed, ["eventloom-s3-old"]);
    }

    /// Live state as it is after `s3_wired` was applied: its statement and notification.
    fn s3_wired_live() -> Observed {
        simulate(
            &Observed::default(),
            &plan(&s3_wired(), &Observed::default()),
        )
    }

    #[test]
    fn removing_wiring_another_draft_applied_to_the_same_resource_is_warned_about() {
        // Another draft holds thumb, unwired: its plan would remove the S3 grant and the
        // notification that s3_wired applied.
        let other = graph(&[bucket("uploads"), func("thumb")], &[]);
        let p = plan(&other, &s3_wired_live());
        assert!(
            calls(&p).contains(&"lambda:RemovePermission"),
            "{:?}",
            calls(&p)
        );
        let applied = vec![(
            "draft “thumbnails” (version 2)".to_owned(),
            wired_resources(&s3_wired()),
        )];

        let warnings = shared_resource_warnings(&p, &applied);

        let on_thumb = warnings
            .iter()
            .find(|w| w.starts_with(FN))
            .unwrap_or_else(|| panic!("no warning about thumb: {warnings:?}"));
        assert!(
            on_thumb.contains("draft “thumbnails” (version 2)"),
            "{on_thumb}"
        );
        assert!(on_thumb.contains("lambda:RemovePermission"), "{on_thumb}");
        assert!(on_thumb.contains("eventloom-s3-uploads"), "{on_thumb}");
        // The bucket's notification write is named by bucket, and still matched.
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with("arn:aws:s3:::uploads")
                    && w.contains("s3:PutBucketNotificationConfiguration")),
            "{warnings:?}"
        );
    }

    #[test]
    fn adding_wiring_or_touching_resources_no_other_draft_applied_warns_of_nothing() {
        let p = plan(&s3_wired(), &Observed::default());
        let elsewhere = vec![(
            "draft “other”".to_owned(),
            wired_resources(&graph(&[func("thumb")], &[])),
        )];
        // Only creations: nothing of the other draft's can be undone.
        assert!(shared_resource_warnings(&p, &elsewhere).is_empty());
        // Removals, but on resources no other draft has applied.
        let p = plan(
            &graph(&[bucket("uploads"), func("thumb")], &[]),
            &s3_wired_live(),
        );
        assert!(shared_resource_warnings(&p, &[]).is_empty());
        let unrelated = vec![(
            "draft “queues”".to_owned(),
            wired_resources(&graph(&[queue("jobs")], &[])),
        )];
        assert!(shared_resource_warnings(&p, &unrelated).is_empty());
    }

    #[test]
    fn a_draft_wires_its_nodes_and_its_functions_roles() {
        let r = wired_resources(&s3_wired());
        assert!(r.contains(FN), "{r:?}");
        assert!(r.contains("arn:aws:s3:::uploads"), "{r:?}");
        assert!(
            r.iter().any(|a| a.contains(":iam::123456789012:role/")),
            "{r:?}"
        );
    }

    #[test]
    fn a_statement_the_draft_names_is_replaced_when_live_differs_whoever_made_it() {
        // Deployed once without SourceAccount; the fix in the draft must reach AWS.
        let fixed = stmt(
            "AllowS3Invoke",
            "s3.amazonaws.com",
            Some("arn:aws:s3:::x"),
            Some(ACCOUNT),
        );
        let g = graph(
            &[func_with("thumb", |f| f.policy = vec![fixed.clone()])],
            &[],
        );
        let mut obs = Observed::default();
        obs.functions.insert(
            FN.into(),
            LiveFunction {
                policy: vec![stmt(
                    "AllowS3Invoke",
                    "s3.amazonaws.com",
                    Some("arn:aws:s3:::x"),
                    None,
                )],
                ..Default::default()
            },
        );
        let p = plan(&g, &obs);
        let calls: Vec<(&str, String)> = p
            .steps
            .iter()
            .map(|s| (s.action.call(), s.reason.clone()))
            .collect();
        assert_eq!(calls.len(), 2, "{calls:?}");
        assert_eq!(calls[0].0, "lambda:RemovePermission");
        assert!(calls[0].1.contains("named in the draft"), "{}", calls[0].1);
        assert!(
            matches!(&p.steps[1].action, Action::AddPermission { statement, .. } if *statement == fixed)
        );
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn a_foreign_mapping_is_neither_duplicated_nor_touched() {
        let g = graph(
            &[queue("jobs"), func("thumb")],
            &[("t", "jobs", "thumb", trigger())],
        );
        let mut obs = Observed::default();
        obs.functions.insert(
            FN.into(),
            LiveFunction {
                mappings: vec![LiveMapping {
                    uuid: "u-1".into(),
                    source_arn: "arn:aws:sqs:us-east-1:123456789012:jobs".into(),
                    settings: MappingSettings {
                        batch_size: 5,
                        ..Default::default()
                    },
                    owner: None,
                }],
                ..Default::default()
            },
        );
        let p = plan(&g, &obs);
        assert!(
            !calls(&p).iter().any(|c| c.contains("EventSourceMapping")),
            "{:?}",
            calls(&p)
        );
        assert_eq!(p.warnings.len(), 1);
    }

    #[test]
    fn destinations_keep_a_foreign_target_in_a_slot_the_draft_leaves_empty() {
        let g = graph(
            &[func("thumb"), queue("dlq")],
            &[("f", "thumb", "dlq", EdgeKind::OnFailure)],
        );
        let mut obs = Observed::default();
        obs.functions.insert(
            FN.into(),
            LiveFunction {
                invoke_config: Some(InvokeConfig {
                    on_success: Some("arn:aws:sns:us-east-1:123456789012:elsewhere".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        );
        let p = plan(&g, &obs);
        let cfg = p.steps.iter().find_map(|s| match &s.action {
            Action::PutFunctionEventInvokeConfig { config, .. } => Some(config.clone()),
            _ => None,
        });
        let cfg = cfg.expect("invoke config written");
        assert_eq!(
            cfg.on_success.as_deref(),
            Some("arn:aws:sns:us-east-1:123456789012:elsewhere")
        );
        assert_eq!(
            cfg.on_failure.as_deref(),
            Some("arn:aws:sqs:us-east-1:123456789012:dlq")
        );
    }

    #[test]
    fn a_missing_resource_blocks_the_plan() {
        let mut obs = Observed::default();
        obs.missing.insert(FN.into());
        let p = plan(&s3_wired(), &obs);
        assert!(p.blockers.iter().any(|b| b.contains("does not exist")));
    }

    #[test]
    fn a_cognito_slot_held_by_someone_else_blocks_instead_of_overwriting() {
        let pool = Node::UserPool(UserPool {
            name: crate::ids::ResourceName::parse("us-east-1_abc").unwrap(),
            account: None,
            region: None,
        });
        let g = graph(
            &[pool, func("thumb")],
            &[(
                "c",
                "us-east-1_abc",
                "thumb",
                trigger_with(|t| t.cognito_trigger = Some(CognitoTrigger::PreSignUp)),
            )],
        );
        let mut obs = Observed::default();
        obs.user_pools.insert(
            "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc".into(),
            BTreeMap::from([(
                CognitoTrigger::PreSignUp,
                "arn:aws:lambda:us-east-1:123456789012:function:theirs".into(),
            )]),
        );
        let p = plan(&g, &obs);
        assert!(!calls(&p).contains(&"cognito-idp:UpdateUserPool"));
        assert_eq!(p.blockers.len(), 1);
    }
}
