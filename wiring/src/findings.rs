//! Findings: what the validator reports, with a stable code, a severity, the element it
//! belongs to, a message in AWS terms and, where one exists, a machine-applicable fix.

use crate::change::Change;
use crate::ids::{EdgeId, NodeId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// AWS will reject it, or it will not work.
    Error,
    /// It works, but is unsafe or fragile.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

/// The element a finding belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Element {
    /// A node.
    Node(NodeId),
    /// An edge.
    Edge(EdgeId),
    /// The draft as a whole.
    Graph,
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Node(id) => write!(f, "node {id}"),
            Self::Edge(id) => write!(f, "edge {id}"),
            Self::Graph => f.write_str("draft"),
        }
    }
}

/// A fix: the edit that resolves a finding, and the same in words and as AWS CLI commands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, e.g. "Add statement eventloom-s3-uploads to thumbnail's policy".
    pub summary: String,
    /// The edit, as normal undoable changes.
    pub changes: Vec<Change>,
    /// The equivalent AWS CLI command(s).
    pub cli: String,
    /// Whether the fix adds a grant (statement, role action or trust); "Fix all grants" applies these.
    pub grant: bool,
}

/// One problem or note about a graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// How bad it is.
    pub severity: Severity,
    /// Where it is.
    pub at: Element,
    /// The field to focus in the inspector, when one is at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// One or two sentences in AWS terms.
    pub message: String,
    /// The fix, when one can be applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// Declares the finding codes with their default severity and one-line description.
macro_rules! codes {
    ($($variant:ident = $slug:literal, $sev:ident, $doc:literal;)*) => {
        /// Every finding code. The slug is stable: tools and suppressions may rely on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Code {
            $(#[doc = $doc] #[serde(rename = $slug)] $variant,)*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable slug, e.g. `missing-invoke-permission`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $slug,)* }
            }

            /// The usual severity.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// One line saying what it checks.
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

codes! {
    MissingInvokePermission = "missing-invoke-permission", Error,
        "A push source (S3, SNS, EventBridge, API Gateway, …) or another account has no resource-policy statement allowing it to invoke the function.";
    MissingSourceAccount = "missing-source-account", Warning,
        "An S3 statement has no SourceAccount (bucket ARNs carry no account, so another account's bucket of the same name could invoke), or an SES statement lacks the SourceAccount AWS asks for.";
    ConfusedDeputy = "confused-deputy", Warning,
        "A statement for a service principal has no SourceArn, SourceAccount or PrincipalOrgID, so any resource of that service, in any account, may invoke.";
    PublicInvokeStatement = "public-invoke-statement", Error,
        "A statement lets everyone (Principal *) invoke the function outside a function URL.";
    IneffectiveStatement = "ineffective-statement", Warning,
        "A statement names a service that never invokes functions itself (Lambda polls SQS, Kinesis and DynamoDB; destinations use the execution role).";
    DuplicateStatementId = "duplicate-statement-id", Error,
        "Two statements share a Sid; AddPermission fails with ResourceConflictException.";
    MissingPollRoleAction = "missing-poll-role-action", Error,
        "The execution role lacks an action Lambda needs to poll the event source (SQS, Kinesis, DynamoDB, Kafka).";
    MissingDestinationRoleAction = "missing-destination-role-action", Error,
        "The execution role lacks the action a destination needs (sqs:SendMessage, sns:Publish, lambda:InvokeFunction, events:PutEvents, s3:PutObject); AWS answers only 'destination ARN is invalid'.";
    MissingWriteRoleAction = "missing-write-role-action", Error,
        "The execution role lacks the action the function needs to write to a resource or call another function.";
    DestinationNeverFires = "destination-never-fires", Warning,
        "A destination on a function that is only invoked synchronously or by an event source mapping: it never fires.";
    DestinationTypeNotAllowed = "destination-type-not-allowed", Error,
        "The target kind is not allowed in that destination context (S3 as OnSuccess, Kafka topic outside a Kafka mapping, …).";
    FifoDestination = "fifo-destination", Error,
        "A FIFO queue or topic as a destination or dead-letter target: Lambda drops the record.";
    DuplicateDestination = "duplicate-destination", Error,
        "More than one OnSuccess, OnFailure or dead-letter target where AWS allows one.";
    EdgeNotAllowed = "edge-not-allowed", Error,
        "An edge that AWS cannot wire between these two kinds (e.g. SQS mapping OnFailure, FIFO topic to Lambda).";
    UnneededInvokerStatement = "unneeded-invoker-statement", Warning,
        "A same-account Step Functions or Scheduler invoker has a function statement; it invokes with its own role, so the statement grants nothing needed.";
    MissingInvokerRoleGrant = "missing-invoker-role-grant", Error,
        "The state machine's or schedule's role lacks lambda:InvokeFunction on the function.";
    InvokerRoleTrust = "invoker-role-trust", Error,
        "The state machine's or schedule's role does not trust its service (states.amazonaws.com, scheduler.amazonaws.com).";
    VisibilityBelowTimeout = "sqs-visibility-below-timeout", Error,
        "The queue's visibility timeout is below the function timeout; Lambda rejects the mapping.";
    VisibilityBelowRecommended = "sqs-visibility-below-recommended", Warning,
        "The queue's visibility timeout is below AWS's recommended 6 × function timeout + batching window.";
    BatchWindowRequired = "batch-window-required", Error,
        "An SQS mapping with BatchSize above 10 needs a batching window of at least 1 second.";
    MappingSettingOutOfRange = "mapping-setting-out-of-range", Error,
        "A mapping setting is outside what AWS accepts (BatchSize, window, retries, record age, FIFO batch ≤ 10).";
    StartingPositionRequired = "starting-position-required", Error,
        "A stream or Kafka mapping needs a StartingPosition; AT_TIMESTAMP needs its timestamp and is not available for DynamoDB streams.";
    SettingNotApplicable = "setting-not-applicable", Warning,
        "A trigger setting does not apply to this source kind and is ignored.";
    ValueOutOfRange = "value-out-of-range", Error,
        "A function, queue or async setting is outside AWS's limits (timeout 1–900 s, retries 0–2, event age 60–21600 s, …).";
    UnknownS3Event = "unknown-s3-event", Error,
        "An S3 trigger names an event type S3 does not have, or none at all.";
    S3OverlappingFilters = "s3-overlapping-filters", Error,
        "Two notifications on one bucket overlap in event type and prefix/suffix; S3 rejects the configuration.";
    CognitoTriggerTaken = "cognito-trigger-taken", Error,
        "Two functions claim the same Cognito trigger slot; a user pool has one function per slot.";
    CrossRegionTrigger = "cross-region-trigger", Error,
        "The source must be in the function's region for this kind of trigger.";
    FunctionUrlPublic = "function-url-public", Warning,
        "The function URL has auth type NONE: anyone on the internet can call it.";
    FunctionUrlMissingStatements = "function-url-missing-statements", Error,
        "A NONE function URL lacks its public statements: lambda:InvokeFunctionUrl (FunctionUrlAuthType NONE) and lambda:InvokeFunction (InvokedViaFunctionUrl).";
    FunctionUrlIamCallers = "function-url-iam-callers", Info,
        "An AWS_IAM function URL: callers need lambda:InvokeFunctionUrl and lambda:InvokeFunction in their identity policy.";
    EdgeFunctionRegion = "edge-function-region", Error,
        "A Lambda@Edge function must be in us-east-1.";
    EdgeFunctionVersion = "edge-function-version", Error,
        "Lambda@Edge needs a numbered version, not $LATEST or an alias.";
    EdgeRoleTrust = "edge-role-trust", Error,
        "A Lambda@Edge role must trust both lambda.amazonaws.com and edgelambda.amazonaws.com.";
    EdgeFunctionConfig = "edge-function-config", Error,
        "Lambda@Edge functions cannot have environment variables, a VPC, layers or a container image.";
    EventLoop = "event-loop", Error,
        "Events can flow back into the same function (through SQS, SNS, S3, EventBridge, DynamoDB, Kinesis or invokes).";
    S3WriteBack = "s3-write-back", Error,
        "The function writes to the bucket that triggers it, under keys its own trigger matches: an endless loop.";
    PolicySizeLimit = "policy-size-limit", Error,
        "The function's resource policy would exceed Lambda's 20,480-byte limit.";
    PolicySizeNearLimit = "policy-size-near-limit", Warning,
        "The function's resource policy would be above 90% of Lambda's 20,480-byte limit.";
    CrossAccount = "cross-account", Info,
        "An edge crosses accounts: which side needs which grant.";
    ManualInvokeIdentity = "manual-invoke-identity", Info,
        "A same-account CLI/SDK caller needs lambda:InvokeFunction in its identity policy, not a function statement.";
    LegacyDeadLetter = "legacy-dead-letter", Info,
        "A legacy dead-letter queue receives the event body only; an OnFailure destination also carries the error and context.";
    MissingAccount = "missing-account", Error,
        "An ARN cannot be built: the node needs an account, a region or (DynamoDB) a stream label.";
    FunctionWithoutTrigger = "function-without-trigger", Info,
        "A function nothing triggers or invokes.";
    UnconnectedResource = "unconnected-resource", Info,
        "A resource with no edges.";
    DuplicateResource = "duplicate-resource", Warning,
        "Two nodes are the same AWS resource (same ARN); their wiring would be applied to it twice.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Finding {
    /// A finding with the code's usual severity.
    pub fn new(code: Code, at: Element, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            at,
            field: None,
            message: message.into(),
            fix: None,
        }
    }

    /// Sets the field to focus.
    pub fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// Attaches a fix.
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Overrides the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// Counts by severity, as stored with each saved version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Errors.
    pub errors: u32,
    /// Warnings.
    pub warnings: u32,
    /// Infos.
    pub infos: u32,
}

impl Summary {
    /// Counts `findings` by severity.
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Self::default();
        for f in findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_slugs() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {c}");
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
            assert!(!c.description().is_empty());
        }
    }

    #[test]
    fn codes_serialize_as_their_slugs() {
        assert_eq!(serde_json::to_value(Code::EventLoop).unwrap(), "event-loop");
    }
}

#[cfg(test)]
mod readme {
    /// The README's "What Eventloom checks" table must list every code.
    #[test]
    fn the_readme_lists_every_finding_code() {
        let readme = include_str!("../../README.md");
        for c in super::Code::ALL {
            assert!(
                readme.contains(&format!("| `{}` |", c.as_str())),
                "README lacks {c}"
            );
        }
    }
}
