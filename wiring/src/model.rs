//! The draft graph: AWS resources and Lambda functions joined by typed edges, in its
//! versioned JSON form (`"schema": 1`).
//!
//! Layout is kept apart from meaning: moving a node changes `layout` alone, so it never
//! changes validation, the plan or the diff in AWS terms.

use crate::ids::*;
pub use crate::set::Set;
pub use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The JSON schema version this crate reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Optional-field helper for serde.
fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// A draft's wiring graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Graph {
    /// Always [`SCHEMA_VERSION`].
    pub schema: u32,
    /// The account nodes are in unless they say otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountId>,
    /// The region nodes are in unless they say otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// Nodes by id.
    #[serde(default)]
    pub nodes: BTreeMap<NodeId, Node>,
    /// Edges by id.
    #[serde(default)]
    pub edges: BTreeMap<EdgeId, Edge>,
    /// Canvas positions by node id; never affects meaning.
    #[serde(default)]
    pub layout: BTreeMap<NodeId, Point>,
}

impl Default for Graph {
    fn default() -> Self {
        Self {
            schema: SCHEMA_VERSION,
            account: None,
            region: None,
            nodes: BTreeMap::new(),
            edges: BTreeMap::new(),
            layout: BTreeMap::new(),
        }
    }
}

/// A position on the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Point {
    /// Horizontal, growing to the right.
    pub x: f64,
    /// Vertical, growing downwards.
    pub y: f64,
}

/// Why a document is not a graph this crate can read. Each names the element and field.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum GraphError {
    /// The JSON does not have the graph's shape; `path` is where, e.g. `nodes.uploads.region`.
    #[error("{path}: {message}")]
    Malformed {
        /// Dotted path to the offending value (`.` for the document itself).
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// The document was written for another schema version.
    #[error(
        "schema {found} is not supported; this version of Eventloom reads schema {SCHEMA_VERSION}"
    )]
    UnsupportedSchema {
        /// The `schema` field the document carries.
        found: u32,
    },
    /// An edge points at a node that is not in the graph.
    #[error("edges.{edge}.{field}: no node '{node}' in this graph")]
    DanglingEdge {
        /// The edge.
        edge: EdgeId,
        /// `from` or `to`.
        field: String,
        /// The missing node id.
        node: NodeId,
    },
    /// A layout entry names a node that is not in the graph.
    #[error("layout.{node}: no node '{node}' in this graph")]
    UnknownLayoutNode {
        /// The missing node id.
        node: NodeId,
    },
    /// A position is not a finite number.
    #[error("layout.{node}: positions must be finite numbers")]
    BadPosition {
        /// The node whose position is wrong.
        node: NodeId,
    },
}

impl GraphError {
    /// The element (node or edge id) the error is about, when there is one.
    pub fn element(&self) -> Option<String> {
        match self {
            Self::Malformed { path, .. } => {
                let mut parts = path.split('.');
                match (parts.next(), parts.next()) {
                    (Some("nodes" | "edges" | "layout"), Some(id)) => Some(id.to_owned()),
                    _ => None,
                }
            }
            Self::UnsupportedSchema { .. } => None,
            Self::DanglingEdge { edge, .. } => Some(edge.to_string()),
            Self::UnknownLayoutNode { node } | Self::BadPosition { node } => Some(node.to_string()),
        }
    }
}

impl Graph {
    /// An empty graph in `account` and `region`.
    pub fn new(account: Option<AccountId>, region: Option<Region>) -> Self {
        Self {
            account,
            region,
            ..Self::default()
        }
    }

    /// Reads a graph from its JSON form, checking shape, identifiers and references.
    #[cfg(feature = "error-paths")]
    pub fn from_json(text: &str) -> Result<Self, GraphError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let graph: Graph = serde_path_to_error::deserialize(de).map_err(|e| {
            let err = malformed(e);
            // Only on failure: re-read as a value to point at the exact field.
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(value) => refine(&value, err),
                Err(_) => err,
            }
        })?;
        graph.check()?;
        Ok(graph)
    }

    /// Reads a graph from an already-parsed JSON value.
    #[cfg(feature = "error-paths")]
    pub fn from_value(value: &serde_json::Value) -> Result<Self, GraphError> {
        let graph: Graph =
            serde_path_to_error::deserialize(value).map_err(|e| refine(value, malformed(e)))?;
        graph.check()?;
        Ok(graph)
    }

    /// Reads a graph from its JSON form, checking shape, identifiers and references.
    #[cfg(not(feature = "error-paths"))]
    pub fn from_json(text: &str) -> Result<Self, GraphError> {
        let graph: Graph = serde_json::from_str(text).map_err(|e| unplaced(&e))?;
        graph.check()?;
        Ok(graph)
    }

    /// Reads a graph from an already-parsed JSON value.
    ///
    /// Through text, not `serde_json::from_value`: deserializing from a `Value` would
    /// compile every model type's reader a second time, for a second input, into the
    /// browser's download; printing the value first costs a fraction of a millisecond.
    #[cfg(not(feature = "error-paths"))]
    pub fn from_value(value: &serde_json::Value) -> Result<Self, GraphError> {
        Self::from_json(&value.to_string())
    }

    /// The JSON form, with keys in a stable order (maps are sorted), so equal graphs give equal text.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks what serde cannot: schema version, edge endpoints and layout entries.
    pub fn check(&self) -> Result<(), GraphError> {
        if self.schema != SCHEMA_VERSION {
            return Err(GraphError::UnsupportedSchema { found: self.schema });
        }
        for (id, edge) in &self.edges {
            for (field, node) in [("from", &edge.from), ("to", &edge.to)] {
                if !self.nodes.contains_key(node) {
                    return Err(GraphError::DanglingEdge {
                        edge: id.clone(),
                        field: field.into(),
                        node: node.clone(),
                    });
                }
            }
        }
        for (node, p) in &self.layout {
            if !self.nodes.contains_key(node) {
                return Err(GraphError::UnknownLayoutNode { node: node.clone() });
            }
            if !p.x.is_finite() || !p.y.is_finite() {
                return Err(GraphError::BadPosition { node: node.clone() });
            }
        }
        Ok(())
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The account a node lives in: its own, or the draft's.
    pub fn account_of(&self, node: &Node) -> Option<AccountId> {
        node.own_account().or_else(|| self.account.clone())
    }

    /// The region a node lives in: its own, or the draft's.
    pub fn region_of(&self, node: &Node) -> Option<Region> {
        self.region_ref(node).cloned()
    }

    /// The region a node lives in, borrowed.
    pub fn region_ref<'a>(&'a self, node: &'a Node) -> Option<&'a Region> {
        node.region().or(self.region.as_ref())
    }

    /// The account a node lives in, borrowed where it can be.
    pub fn account_cow<'a>(&'a self, node: &'a Node) -> Option<std::borrow::Cow<'a, AccountId>> {
        use std::borrow::Cow;
        match node {
            Node::ExternalPrincipal(_) => node
                .own_account()
                .map(Cow::Owned)
                .or_else(|| self.account.as_ref().map(Cow::Borrowed)),
            _ => node
                .account_ref()
                .or(self.account.as_ref())
                .map(Cow::Borrowed),
        }
    }

    /// The node's ARN, or which field is missing to build it.
    pub fn arn_of(&self, id: &NodeId) -> Result<Arn, Missing> {
        let node = self.nodes.get(id).ok_or(Missing::Node)?;
        self.node_arn(node)
    }

    /// A node's ARN, with the draft's defaults filled in.
    pub fn node_arn(&self, node: &Node) -> Result<Arn, Missing> {
        node.arn(self.account_cow(node).as_deref(), self.region_ref(node))
    }

    /// The function node behind `id`, if it is one.
    pub fn function(&self, id: &NodeId) -> Option<&Function> {
        match self.nodes.get(id) {
            Some(Node::Function(f)) => Some(f),
            _ => None,
        }
    }

    /// Mutable access to the function node behind `id`.
    pub fn function_mut(&mut self, id: &NodeId) -> Option<&mut Function> {
        match self.nodes.get_mut(id) {
            Some(Node::Function(f)) => Some(f),
            _ => None,
        }
    }

    /// A node id not yet used, built from `base`.
    pub fn fresh_node_id(&self, base: &str) -> NodeId {
        fresh_id(
            base,
            |id| self.nodes.contains_key(&NodeId::from_trusted(id)),
            NodeId::from_trusted,
        )
    }

    /// An edge id not yet used, built from `base`.
    pub fn fresh_edge_id(&self, base: &str) -> EdgeId {
        fresh_id(
            base,
            |id| self.edges.contains_key(&EdgeId::from_trusted(id)),
            EdgeId::from_trusted,
        )
    }
}

fn fresh_id<T>(base: &str, taken: impl Fn(&str) -> bool, make: impl Fn(String) -> T) -> T {
    let mut stem: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(56)
        .collect();
    if stem.is_empty() {
        stem.push('n');
    }
    if !taken(&stem) {
        return make(stem);
    }
    let mut i = 2u64;
    loop {
        let candidate = format!("{stem}-{i}");
        if !taken(&candidate) {
            return make(candidate);
        }
        i += 1;
    }
}

/// Without `error-paths`, errors carry serde's message only.
#[cfg(not(feature = "error-paths"))]
fn unplaced(e: &serde_json::Error) -> GraphError {
    GraphError::Malformed {
        path: ".".into(),
        message: clean_serde_message(&e.to_string()),
    }
}

#[cfg(feature = "error-paths")]
fn malformed<E: std::fmt::Display>(e: serde_path_to_error::Error<E>) -> GraphError {
    let path = e.path().to_string();
    GraphError::Malformed {
        path: if path.is_empty() { ".".into() } else { path },
        message: clean_serde_message(&e.into_inner().to_string()),
    }
}

#[cfg(feature = "error-paths")]
/// Tagged enums hide the failing field from the path; deserialising the element's body as
/// its own kind recovers it (`nodes.api.credentials_role` rather than `nodes.api`).
fn refine(value: &serde_json::Value, err: GraphError) -> GraphError {
    let GraphError::Malformed { path, .. } = &err else {
        return err;
    };
    let parts: Vec<&str> = path.split('.').collect();
    let (prefix, raw, tag, body_error): (String, Option<&serde_json::Value>, &str, BodyCheck) =
        match parts.as_slice() {
            ["nodes", id] => (
                format!("nodes.{id}"),
                value.get("nodes").and_then(|n| n.get(*id)),
                "kind",
                node_body_error,
            ),
            ["edges", id, "kind"] => (
                format!("edges.{id}.kind"),
                value
                    .get("edges")
                    .and_then(|n| n.get(*id))
                    .and_then(|e| e.get("kind")),
                "type",
                edge_body_error,
            ),
            _ => return err,
        };
    let Some(raw) = raw else { return err };
    let Some(kind) = raw.get(tag).and_then(serde_json::Value::as_str) else {
        return err;
    };
    let mut body = raw.clone();
    if let Some(m) = body.as_object_mut() {
        m.remove(tag);
    }
    match body_error(kind, &body) {
        Some(GraphError::Malformed { path, message }) if path != "." => GraphError::Malformed {
            path: format!("{prefix}.{path}"),
            message,
        },
        _ => err,
    }
}

/// Re-reads an element body as its own kind to find the failing field.
#[cfg(feature = "error-paths")]
type BodyCheck = fn(&str, &serde_json::Value) -> Option<GraphError>;

#[cfg(feature = "error-paths")]
fn node_body_error(kind: &str, body: &serde_json::Value) -> Option<GraphError> {
    macro_rules! body_as {
        ($($key:literal => $ty:ty),* $(,)?) => {
            match kind {
                $($key => serde_path_to_error::deserialize::<_, $ty>(body).err().map(malformed),)*
                _ => None,
            }
        };
    }
    body_as!(
        "function" => Function, "s3_bucket" => S3Bucket, "sqs_queue" => SqsQueue, "sns_topic" => SnsTopic,
        "event_bus" => EventBus, "event_rule" => EventRule, "schedule" => Schedule, "kinesis_stream" => KinesisStream,
        "dynamo_db_stream" => DynamoDbStream, "kafka_topic" => KafkaTopic, "user_pool" => UserPool,
        "distribution" => Distribution, "state_machine" => StateMachine, "http_api_route" => HttpApiRoute,
        "target_group" => TargetGroup, "ses_rule" => SesRule, "iot_rule" => IotRule, "log_group" => LogGroup,
        "external_principal" => ExternalPrincipal,
    )
}

#[cfg(feature = "error-paths")]
fn edge_body_error(kind: &str, body: &serde_json::Value) -> Option<GraphError> {
    match kind {
        "trigger" => serde_path_to_error::deserialize::<_, Trigger>(body)
            .err()
            .map(malformed),
        _ => None,
    }
}

/// serde's messages mention Rust types; keep the part a user can act on.
fn clean_serde_message(msg: &str) -> String {
    msg.split(" at line ").next().unwrap_or(msg).to_owned()
}

/// What is missing to build an ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// No such node.
    Node,
    /// Neither the node nor the draft says which account.
    Account,
    /// Neither the node nor the draft says which region.
    Region,
    /// A DynamoDB stream needs its stream label.
    StreamLabel,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Node => "the node does not exist",
            Self::Account => "set the account id on the node or as the draft's default",
            Self::Region => "set the region on the node or as the draft's default",
            Self::StreamLabel => {
                "set the stream label (the timestamp at the end of the stream ARN)"
            }
        })
    }
}

/// A principal in a resource-based policy statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Principal {
    /// `*`: anyone (only sensible for function URLs with auth type NONE).
    Any,
    /// An AWS service, e.g. `s3.amazonaws.com` (kept inline: most service names are
    /// short, and every trigger check compares one).
    Service(CompactString),
    /// A whole account.
    Account(AccountId),
    /// An IAM role or user.
    Arn(Arn),
}

impl Principal {
    /// Parses `*`, a service principal (`*.amazonaws.com`), a 12-digit account or an IAM ARN.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if s == "*" {
            return Ok(Self::Any);
        }
        if s.starts_with("arn:") {
            return Arn::parse(s).map(Self::Arn);
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return AccountId::parse(s).map(Self::Account);
        }
        let service_ok = s.ends_with(".amazonaws.com")
            && s.len() > ".amazonaws.com".len()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if service_ok {
            return Ok(Self::Service(s.into()));
        }
        Err(IdError {
            what: "principal".into(),
            value: s.chars().take(80).collect(),
            reason: "a principal is '*', a service like s3.amazonaws.com, a 12-digit account id, or an IAM ARN".into(),
        })
    }

    /// A service principal from the catalog.
    pub fn service(s: &str) -> Self {
        Self::Service(s.into())
    }

    /// The account this principal belongs to, when it names one.
    pub fn account(&self) -> Option<&str> {
        match self {
            Self::Account(a) => Some(a.as_str()),
            Self::Arn(a) => Some(a.account()).filter(|a| !a.is_empty()),
            _ => None,
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Service(s) => f.write_str(s),
            Self::Account(a) => f.write_str(a.as_str()),
            Self::Arn(a) => f.write_str(a.as_str()),
        }
    }
}

impl TryFrom<String> for Principal {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}

impl From<Principal> for String {
    fn from(p: Principal) -> String {
        p.to_string()
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Principal {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Principal".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "description": "'*', a service principal (s3.amazonaws.com), a 12-digit account id, or an IAM ARN"})
    }
}

/// An IAM action such as `sqs:SendMessage`; `*` and `?` wildcards allowed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IamAction(pub(crate) Text);

impl IamAction {
    /// Parses `service:Action` (or `*`).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = s == "*"
            || s.split_once(':').is_some_and(|(svc, act)| {
                !svc.is_empty()
                    && !act.is_empty()
                    && svc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && act
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?')
            });
        if ok {
            Ok(Self(s.into()))
        } else {
            Err(IdError {
                what: "IAM action".into(),
                value: s.chars().take(80).collect(),
                reason: "an action looks like sqs:SendMessage (wildcards allowed: sqs:*)".into(),
            })
        }
    }

    /// The action as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this (possibly wildcard) action covers `wanted`; IAM compares case-insensitively.
    pub fn covers(&self, wanted: &str) -> bool {
        wildcard_match_ignore_case(&self.0, wanted)
    }

    /// An action the crate itself names (from the catalog).
    pub(crate) fn known(s: &str) -> Self {
        Self(s.into())
    }
}

impl fmt::Display for IamAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for IamAction {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}

impl From<IamAction> for String {
    fn from(a: IamAction) -> String {
        a.0.into_string()
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for IamAction {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "IamAction".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "description": "IAM action, e.g. sqs:SendMessage; wildcards allowed"})
    }
}

/// An ARN pattern as IAM accepts it in `Resource` and `SourceArn`: `*`, or an ARN with wildcards.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ArnPattern(pub(crate) Text);

impl ArnPattern {
    /// Parses `*` or an `arn:…` with six parts (wildcards allowed in any part).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = s == "*"
            || (s.starts_with("arn:")
                && s.splitn(6, ':').count() == 6
                && !s.chars().any(|c| c.is_whitespace() || c.is_control()));
        if ok {
            Ok(Self(s.into()))
        } else {
            Err(IdError {
                what: "ARN pattern".into(),
                value: s.chars().take(80).collect(),
                reason: "use '*' or an ARN such as arn:aws:sqs:us-east-1:123456789012:orders (wildcards allowed)".into(),
            })
        }
    }

    /// An exact ARN as a pattern.
    pub fn exact(arn: &Arn) -> Self {
        Self(arn.as_str().into())
    }

    /// An exact ARN, already known to be one, as a pattern.
    pub(crate) fn exact_str(arn: &str) -> Self {
        Self(arn.into())
    }

    /// The pattern as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the pattern matches `arn`.
    pub fn matches(&self, arn: &Arn) -> bool {
        arn.matched_by(&self.0)
    }

    /// Whether the pattern matches only one ARN (no wildcard).
    pub fn is_exact(&self) -> bool {
        !self.0.contains(['*', '?'])
    }
}

impl fmt::Display for ArnPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ArnPattern {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}

impl From<ArnPattern> for String {
    fn from(a: ArnPattern) -> String {
        a.0.into_string()
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for ArnPattern {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ArnPattern".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "description": "'*' or an ARN, wildcards allowed"})
    }
}

/// A statement in a function's resource-based policy, with exactly the fields
/// Lambda's `AddPermission` accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Statement id, unique within the policy.
    pub sid: StatementId,
    /// Who may invoke.
    pub principal: Principal,
    /// What they may do, usually `lambda:InvokeFunction`.
    #[serde(default = "Statement::default_action")]
    pub action: IamAction,
    /// `AWS:SourceArn` condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<ArnPattern>,
    /// `AWS:SourceAccount` condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_account: Option<AccountId>,
    /// `aws:PrincipalOrgID` condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_org_id: Option<String>,
    /// `lambda:FunctionUrlAuthType` condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_url_auth_type: Option<UrlAuthType>,
    /// `lambda:InvokedViaFunctionUrl` condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoked_via_function_url: Option<bool>,
}

impl Statement {
    fn default_action() -> IamAction {
        IamAction::known("lambda:InvokeFunction")
    }

    /// Whether the statement limits which resource may use it (the confused-deputy guard).
    pub fn has_source_condition(&self) -> bool {
        self.source_arn.is_some()
            || self.source_account.is_some()
            || self.principal_org_id.is_some()
    }
}

/// A permission the function's execution role (or an invoker's role) is known to have.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RoleGrant {
    /// Actions granted.
    pub actions: Set<IamAction>,
    /// Resources they apply to.
    pub resources: Set<ArnPattern>,
    /// Whether Eventloom manages this grant (it then lives in Eventloom's own inline policy);
    /// unmanaged grants describe what the role already has elsewhere.
    #[serde(default, skip_serializing_if = "is_default")]
    pub managed: bool,
}

impl RoleGrant {
    /// Whether this grant allows `action` on `resource` (an ARN, or `*`).
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        self.actions.iter().any(|a| a.covers(action))
            && self
                .resources
                .iter()
                .any(|r| wildcard_match(r.as_str(), resource))
    }
}

/// An IAM role as far as wiring is concerned: its name, who may assume it, and its grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// The role's name (in the node's account).
    pub name: RoleName,
    /// Service principals the role's trust policy allows.
    #[serde(default = "Role::default_trust")]
    pub trusts: Set<String>,
    /// Known grants.
    #[serde(default)]
    pub grants: Vec<RoleGrant>,
}

impl Role {
    fn default_trust() -> Set<String> {
        Set::from(["lambda.amazonaws.com".to_owned()])
    }

    /// A role with the default Lambda trust and no grants.
    pub fn new(name: RoleName) -> Self {
        Self {
            name,
            trusts: Self::default_trust(),
            grants: Vec::new(),
        }
    }

    /// Whether any grant allows `action` on `resource`.
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        self.grants.iter().any(|g| g.allows(action, resource))
    }
}

/// Function URL auth type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum UrlAuthType {
    /// Public: anyone with the URL.
    #[serde(rename = "NONE")]
    None,
    /// Callers sign with IAM credentials.
    #[serde(rename = "AWS_IAM")]
    AwsIam,
}

impl UrlAuthType {
    /// The value as AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::AwsIam => "AWS_IAM",
        }
    }
}

/// A function URL's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FunctionUrl {
    /// Who may call the URL.
    pub auth_type: UrlAuthType,
}

/// What Lambda does when it detects a recursive loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum RecursiveLoop {
    /// Stop the loop (AWS's default).
    #[default]
    Terminate,
    /// Let it run.
    Allow,
}

/// The asynchronous invocation settings (`PutFunctionEventInvokeConfig` knobs).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AsyncInvoke {
    /// `MaximumRetryAttempts`, 0–2 (AWS default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_retry_attempts: Option<u32>,
    /// `MaximumEventAgeInSeconds`, 60–21600 (AWS default 21600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_event_age: Option<u32>,
}

/// Packaging facts that matter for Lambda@Edge.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Packaging {
    /// The function has environment variables.
    #[serde(default, skip_serializing_if = "is_default")]
    pub environment: bool,
    /// The function is attached to a VPC.
    #[serde(default, skip_serializing_if = "is_default")]
    pub vpc: bool,
    /// Number of layers.
    #[serde(default, skip_serializing_if = "is_default")]
    pub layers: u32,
    /// Deployed as a container image.
    #[serde(default, skip_serializing_if = "is_default")]
    pub container_image: bool,
}

/// A Lambda function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Function name.
    pub name: FunctionName,
    /// Account, when not the draft's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountId>,
    /// Region, when not the draft's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// Version or alias that triggers and destinations address (default `$LATEST`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<Qualifier>,
    /// Timeout in seconds, 1–900.
    #[serde(default = "Function::default_timeout")]
    pub timeout: u32,
    /// The execution role.
    pub role: Role,
    /// The resource-based policy's statements.
    #[serde(default)]
    pub policy: Vec<Statement>,
    /// Function URL, when the function has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<FunctionUrl>,
    /// Recursive loop detection setting.
    #[serde(default, skip_serializing_if = "is_default")]
    pub recursive_loop: RecursiveLoop,
    /// Asynchronous invocation settings.
    #[serde(default, skip_serializing_if = "is_default")]
    pub async_invoke: AsyncInvoke,
    /// Packaging facts (for Lambda@Edge).
    #[serde(default, skip_serializing_if = "is_default")]
    pub packaging: Packaging,
}

impl Function {
    fn default_timeout() -> u32 {
        3
    }

    /// A function with a fresh role named after it and defaults elsewhere.
    pub fn new(name: FunctionName) -> Self {
        // Function names use a subset of the role-name alphabet, so this is a valid role name.
        let role = RoleName::from_trusted(format!(
            "{}-role",
            &name.as_str()[..name.as_str().len().min(59)]
        ));
        Self {
            name,
            account: None,
            region: None,
            qualifier: None,
            timeout: Self::default_timeout(),
            role: Role::new(role),
            policy: Vec::new(),
            url: None,
            recursive_loop: RecursiveLoop::Terminate,
            async_invoke: AsyncInvoke::default(),
            packaging: Packaging::default(),
        }
    }

    /// The statement with `sid`, if present.
    pub fn statement(&self, sid: &StatementId) -> Option<&Statement> {
        self.policy.iter().find(|s| &s.sid == sid)
    }
}

/// How an external caller invokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum InvocationType {
    /// `RequestResponse`: waits for the answer.
    #[default]
    RequestResponse,
    /// `Event`: queued by Lambda, fire and forget.
    Event,
}

/// An EventBridge rule's trigger: an event pattern on a bus, or a schedule expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RuleTrigger {
    /// An event pattern (JSON text).
    Pattern(String),
    /// `rate(…)` or `cron(…)`.
    Schedule(String),
}

/// A role that a resource (state machine, schedule) uses to invoke functions.
pub type InvokerRole = Role;

/// Kafka cluster the topic lives on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum KafkaCluster {
    /// Amazon MSK, by cluster ARN.
    Msk(Arn),
    /// Self-managed brokers (`host:port`).
    SelfManaged(Vec<String>),
}

/// Declares a resource struct: every kind has a name and optional account and region.
macro_rules! resource {
    ($(#[$doc:meta])* $ty:ident, $name_ty:ty, $name_doc:expr $(, $(#[$fdoc:meta])* $field:ident : $fty:ty)* $(,)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(deny_unknown_fields)]
        pub struct $ty {
            #[doc = $name_doc]
            pub name: $name_ty,
            /// Account, when not the draft's.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub account: Option<AccountId>,
            /// Region, when not the draft's.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub region: Option<Region>,
            $( $(#[$fdoc])* pub $field: $fty, )*
        }
    };
}

resource!(
    /// An S3 bucket.
    S3Bucket, BucketName, "Bucket name."
);
resource!(
    /// An SQS queue; FIFO when its name ends in `.fifo`.
    SqsQueue, QueueName, "Queue name.",
    /// `VisibilityTimeout` in seconds, 0–43200. `None` leaves the live value alone
    /// (validation then assumes AWS's default, 30 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visibility_timeout: Option<u32>,
);
resource!(
    /// An SNS topic; FIFO when its name ends in `.fifo`.
    SnsTopic, TopicName, "Topic name."
);
resource!(
    /// An EventBridge event bus.
    EventBus, ResourceName, "Bus name (`default` for the account's default bus)."
);
resource!(
    /// An EventBridge rule on a bus, matching a pattern or running on a schedule.
    EventRule, ResourceName, "Rule name.",
    /// The bus the rule is on.
    #[serde(default = "default_bus")]
    bus: ResourceName,
    /// Pattern or schedule.
    trigger: RuleTrigger,
);
resource!(
    /// An EventBridge Scheduler schedule; it invokes with its own role.
    Schedule, ResourceName, "Schedule name.",
    /// Schedule group.
    #[serde(default = "default_group")]
    group: ResourceName,
    /// `rate(…)`, `cron(…)` or `at(…)`.
    expression: String,
    /// The role the schedule assumes to invoke.
    role: InvokerRole,
);
resource!(
    /// A Kinesis data stream.
    KinesisStream, ResourceName, "Stream name."
);
resource!(
    /// A DynamoDB table's stream.
    DynamoDbStream, ResourceName, "Table name.",
    /// The stream label (timestamp) that ends the stream ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stream_label: Option<String>,
);
resource!(
    /// A Kafka topic on MSK or a self-managed cluster.
    KafkaTopic, ResourceName, "Topic name.",
    /// The cluster.
    cluster: KafkaCluster,
);
resource!(
    /// A Cognito user pool.
    UserPool, ResourceName, "User pool id, e.g. us-east-1_AbC123."
);
resource!(
    /// A CloudFront distribution (Lambda@Edge).
    Distribution, ResourceName, "Distribution id."
);
resource!(
    /// A Step Functions state machine; it invokes with its own role.
    StateMachine, ResourceName, "State machine name.",
    /// The state machine's execution role.
    role: InvokerRole,
);
resource!(
    /// An API Gateway HTTP API route.
    HttpApiRoute, ResourceName, "API id.",
    /// Stage (`$default` or a name).
    #[serde(default = "default_stage")]
    stage: String,
    /// Route key, e.g. `GET /orders`.
    route_key: String,
    /// A credentials role API Gateway uses to invoke instead of a function statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    credentials_role: Option<Arn>,
);
resource!(
    /// An Application Load Balancer target group.
    TargetGroup, ResourceName, "Target group name.",
    /// The id at the end of the target group ARN.
    target_group_id: String,
);
resource!(
    /// An SES receipt rule.
    SesRule, ResourceName, "Receipt rule name.",
    /// The rule set it belongs to.
    rule_set: ResourceName,
);
resource!(
    /// An AWS IoT topic rule.
    IotRule, ResourceName, "Rule name."
);
resource!(
    /// A CloudWatch Logs log group (subscription filter).
    LogGroup, ResourceName, "Log group name."
);
resource!(
    /// Another account, or a CLI/SDK caller, invoking directly.
    ExternalPrincipal, ResourceName, "A label for the caller.",
    /// The caller: an account id or an IAM role/user ARN.
    principal: Principal,
);

fn default_bus() -> ResourceName {
    ResourceName::from_trusted("default")
}
fn default_group() -> ResourceName {
    ResourceName::from_trusted("default")
}
fn default_stage() -> String {
    "$default".into()
}

/// A node: a function or a resource of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Node {
    /// A Lambda function.
    Function(Function),
    /// S3 bucket.
    S3Bucket(S3Bucket),
    /// SQS queue.
    SqsQueue(SqsQueue),
    /// SNS topic.
    SnsTopic(SnsTopic),
    /// EventBridge bus.
    EventBus(EventBus),
    /// EventBridge rule.
    EventRule(EventRule),
    /// EventBridge Scheduler schedule.
    Schedule(Schedule),
    /// Kinesis stream.
    KinesisStream(KinesisStream),
    /// DynamoDB stream.
    DynamoDbStream(DynamoDbStream),
    /// Kafka topic.
    KafkaTopic(KafkaTopic),
    /// Cognito user pool.
    UserPool(UserPool),
    /// CloudFront distribution.
    Distribution(Distribution),
    /// Step Functions state machine.
    StateMachine(StateMachine),
    /// API Gateway HTTP API route.
    HttpApiRoute(HttpApiRoute),
    /// ALB target group.
    TargetGroup(TargetGroup),
    /// SES receipt rule.
    SesRule(SesRule),
    /// IoT rule.
    IotRule(IotRule),
    /// CloudWatch Logs group.
    LogGroup(LogGroup),
    /// Another account or a CLI/SDK caller.
    ExternalPrincipal(ExternalPrincipal),
}

/// Every node's kind, without its data; the catalog is keyed by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A Lambda function.
    Function,
    /// An S3 bucket.
    S3Bucket,
    /// An SQS queue.
    SqsQueue,
    /// An SNS topic.
    SnsTopic,
    /// An EventBridge event bus.
    EventBus,
    /// An EventBridge rule.
    EventRule,
    /// An EventBridge Scheduler schedule.
    Schedule,
    /// A Kinesis data stream.
    KinesisStream,
    /// A DynamoDB table's stream.
    DynamoDbStream,
    /// A Kafka topic (MSK or self-managed).
    KafkaTopic,
    /// A Cognito user pool.
    UserPool,
    /// A CloudFront distribution.
    Distribution,
    /// A Step Functions state machine.
    StateMachine,
    /// An API Gateway HTTP API route.
    HttpApiRoute,
    /// An ALB target group.
    TargetGroup,
    /// An SES receipt rule.
    SesRule,
    /// An IoT topic rule.
    IotRule,
    /// A CloudWatch Logs log group.
    LogGroup,
    /// Another account, or a CLI/SDK caller.
    ExternalPrincipal,
}

impl NodeKind {
    /// Every kind, in palette order.
    pub const ALL: [NodeKind; 19] = [
        Self::S3Bucket,
        Self::SqsQueue,
        Self::SnsTopic,
        Self::EventBus,
        Self::EventRule,
        Self::Schedule,
        Self::KinesisStream,
        Self::DynamoDbStream,
        Self::KafkaTopic,
        Self::HttpApiRoute,
        Self::TargetGroup,
        Self::UserPool,
        Self::Distribution,
        Self::StateMachine,
        Self::SesRule,
        Self::IotRule,
        Self::LogGroup,
        Self::ExternalPrincipal,
        Self::Function,
    ];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        crate::catalog::entry(self).key
    }
}

/// Runs `$body` with `$n` bound to the variant's struct, for fields every kind has.
macro_rules! each_node {
    ($node:expr, $n:ident => $body:expr) => {
        match $node {
            Node::Function($n) => $body,
            Node::S3Bucket($n) => $body,
            Node::SqsQueue($n) => $body,
            Node::SnsTopic($n) => $body,
            Node::EventBus($n) => $body,
            Node::EventRule($n) => $body,
            Node::Schedule($n) => $body,
            Node::KinesisStream($n) => $body,
            Node::DynamoDbStream($n) => $body,
            Node::KafkaTopic($n) => $body,
            Node::UserPool($n) => $body,
            Node::Distribution($n) => $body,
            Node::StateMachine($n) => $body,
            Node::HttpApiRoute($n) => $body,
            Node::TargetGroup($n) => $body,
            Node::SesRule($n) => $body,
            Node::IotRule($n) => $body,
            Node::LogGroup($n) => $body,
            Node::ExternalPrincipal($n) => $body,
        }
    };
}

impl Node {
    /// The node's kind.
    pub fn kind(&self) -> NodeKind {
        match self {
            Node::Function(_) => NodeKind::Function,
            Node::S3Bucket(_) => NodeKind::S3Bucket,
            Node::SqsQueue(_) => NodeKind::SqsQueue,
            Node::SnsTopic(_) => NodeKind::SnsTopic,
            Node::EventBus(_) => NodeKind::EventBus,
            Node::EventRule(_) => NodeKind::EventRule,
            Node::Schedule(_) => NodeKind::Schedule,
            Node::KinesisStream(_) => NodeKind::KinesisStream,
            Node::DynamoDbStream(_) => NodeKind::DynamoDbStream,
            Node::KafkaTopic(_) => NodeKind::KafkaTopic,
            Node::UserPool(_) => NodeKind::UserPool,
            Node::Distribution(_) => NodeKind::Distribution,
            Node::StateMachine(_) => NodeKind::StateMachine,
            Node::HttpApiRoute(_) => NodeKind::HttpApiRoute,
            Node::TargetGroup(_) => NodeKind::TargetGroup,
            Node::SesRule(_) => NodeKind::SesRule,
            Node::IotRule(_) => NodeKind::IotRule,
            Node::LogGroup(_) => NodeKind::LogGroup,
            Node::ExternalPrincipal(_) => NodeKind::ExternalPrincipal,
        }
    }

    /// The AWS name shown as the node's label.
    pub fn name(&self) -> &str {
        each_node!(self, n => n.name.as_str())
    }

    /// The node's own account setting (an external principal's account comes from its principal).
    pub fn own_account(&self) -> Option<AccountId> {
        if let Node::ExternalPrincipal(p) = self
            && let Some(a) = p.principal.account()
        {
            return AccountId::parse(a).ok();
        }
        each_node!(self, n => n.account.clone())
    }

    /// The node's own account field, without the external principal's derived account.
    fn account_ref(&self) -> Option<&AccountId> {
        each_node!(self, n => n.account.as_ref())
    }

    /// The node's own region setting.
    pub fn region(&self) -> Option<&Region> {
        each_node!(self, n => n.region.as_ref())
    }

    /// Sets the node's own account and region.
    pub fn set_placement(&mut self, account: Option<AccountId>, region: Option<Region>) {
        each_node!(self, n => { n.account = account; n.region = region; })
    }

    /// Whether this is a FIFO queue or topic.
    pub fn is_fifo(&self) -> bool {
        match self {
            Node::SqsQueue(q) => q.name.is_fifo(),
            Node::SnsTopic(t) => t.name.is_fifo(),
            _ => false,
        }
    }

    /// The role this node invokes functions with (state machines and schedules).
    pub fn invoker_role(&self) -> Option<&Role> {
        match self {
            Node::StateMachine(s) => Some(&s.role),
            Node::Schedule(s) => Some(&s.role),
            _ => None,
        }
    }

    /// The role whose grants matter for this node: a function's execution role or an invoker's role.
    pub fn role_mut(&mut self) -> Option<&mut Role> {
        match self {
            Node::Function(f) => Some(&mut f.role),
            Node::StateMachine(s) => Some(&mut s.role),
            Node::Schedule(s) => Some(&mut s.role),
            _ => None,
        }
    }

    /// The role whose grants matter for this node.
    pub fn role(&self) -> Option<&Role> {
        match self {
            Node::Function(f) => Some(&f.role),
            other => other.invoker_role(),
        }
    }

    /// The node's ARN, given its resolved account and region.
    pub fn arn(
        &self,
        account: Option<&AccountId>,
        region: Option<&Region>,
    ) -> Result<Arn, Missing> {
        let mut out = String::with_capacity(80);
        self.write_arn(&mut out, account, region)?;
        Ok(Arn(out.into()))
    }

    /// Appends the node's ARN to `out`. The validator writes every node's ARN into one
    /// buffer this way, instead of one allocation per node on every edit. On error, `out`
    /// may hold part of the ARN; the caller truncates it.
    pub(crate) fn write_arn(
        &self,
        out: &mut String,
        account: Option<&AccountId>,
        region: Option<&Region>,
    ) -> Result<(), Missing> {
        let partition = region.map_or("aws", Region::partition);
        let mut put = |parts: &[&str]| parts.iter().for_each(|p| out.push_str(p));
        let account = || account.map(AccountId::as_str).ok_or(Missing::Account);
        let region = || region.map(Region::as_str).ok_or(Missing::Region);
        let head = |service: &'static str| -> Result<[&str; 8], Missing> {
            let (a, r) = (account()?, region()?);
            Ok(["arn:", partition, ":", service, ":", r, ":", a])
        };
        match self {
            Node::Function(f) => {
                put(&head("lambda")?);
                put(&[":function:", f.name.as_str()]);
                if let Some(q) = f.qualifier.as_ref().filter(|q| q.as_str() != "$LATEST") {
                    put(&[":", q.as_str()]);
                }
            }
            // Buckets are global: no region or account in their ARN.
            Node::S3Bucket(b) => put(&["arn:", partition, ":s3:::", b.name.as_str()]),
            Node::SqsQueue(q) => {
                put(&head("sqs")?);
                put(&[":", q.name.as_str()]);
            }
            Node::SnsTopic(t) => {
                put(&head("sns")?);
                put(&[":", t.name.as_str()]);
            }
            Node::EventBus(b) => {
                put(&head("events")?);
                put(&[":event-bus/", b.name.as_str()]);
            }
            Node::EventRule(r) => {
                put(&head("events")?);
                if r.bus.as_str() == "default" {
                    put(&[":rule/", r.name.as_str()]);
                } else {
                    put(&[":rule/", r.bus.as_str(), "/", r.name.as_str()]);
                }
            }
            Node::Schedule(s) => {
                put(&head("scheduler")?);
                put(&[":schedule/", s.group.as_str(), "/", s.name.as_str()]);
            }
            Node::KinesisStream(s) => {
                put(&head("kinesis")?);
                put(&[":stream/", s.name.as_str()]);
            }
            Node::DynamoDbStream(s) => {
                let label = s.stream_label.as_deref().ok_or(Missing::StreamLabel)?;
                put(&head("dynamodb")?);
                put(&[":table/", s.name.as_str(), "/stream/", label]);
            }
            Node::KafkaTopic(k) => match &k.cluster {
                KafkaCluster::Msk(arn) => put(&[arn.as_str()]),
                // Self-managed clusters have no ARN; the topic is addressed by brokers + name.
                KafkaCluster::SelfManaged(_) => {
                    put(&head("kafka")?);
                    put(&[":self-managed/", k.name.as_str()]);
                }
            },
            Node::UserPool(p) => {
                put(&head("cognito-idp")?);
                put(&[":userpool/", p.name.as_str()]);
            }
            Node::Distribution(d) => put(&[
                "arn:",
                partition,
                ":cloudfront::",
                account()?,
                ":distribution/",
                d.name.as_str(),
            ]),
            Node::StateMachine(s) => {
                put(&head("states")?);
                put(&[":stateMachine:", s.name.as_str()]);
            }
            Node::HttpApiRoute(r) => {
                let stage = if r.stage == "$default" {
                    "*"
                } else {
                    r.stage.as_str()
                };
                put(&head("execute-api")?);
                put(&[":", r.name.as_str(), "/", stage, "/"]);
                // `$default` catches every request and is addressed by its own name
                // (`…/*/$default`); other routes by method and path (`…/*/GET/orders`).
                match r.route_key.split_once(' ') {
                    Some((method, path)) => {
                        put(&[if method == "ANY" { "*" } else { method }, path])
                    }
                    None if r.route_key == "$default" => put(&["$default"]),
                    None => put(&["*", r.route_key.as_str()]),
                }
            }
            Node::TargetGroup(t) => {
                put(&head("elasticloadbalancing")?);
                put(&[":targetgroup/", t.name.as_str(), "/", &t.target_group_id]);
            }
            Node::SesRule(r) => {
                put(&head("ses")?);
                put(&[
                    ":receipt-rule-set/",
                    r.rule_set.as_str(),
                    ":receipt-rule/",
                    r.name.as_str(),
                ]);
            }
            Node::IotRule(r) => {
                put(&head("iot")?);
                put(&[":rule/", r.name.as_str()]);
            }
            Node::LogGroup(g) => {
                put(&head("logs")?);
                put(&[":log-group:", g.name.as_str(), ":*"]);
            }
            Node::ExternalPrincipal(p) => match &p.principal {
                Principal::Arn(a) => put(&[a.as_str()]),
                _ => put(&["arn:", partition, ":iam::", account()?, ":root"]),
            },
        }
        Ok(())
    }
}

/// Events an S3 notification can send, as AWS names them.
pub const S3_EVENTS: &[&str] = &[
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectAcl:Put",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
];

/// Where an event source mapping starts reading a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StartingPosition {
    /// The oldest record.
    TrimHorizon,
    /// Only new records.
    Latest,
    /// From `StartingPositionTimestamp` (Kinesis and Kafka; not DynamoDB streams).
    AtTimestamp,
}

impl StartingPosition {
    /// The value as AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TrimHorizon => "TRIM_HORIZON",
            Self::Latest => "LATEST",
            Self::AtTimestamp => "AT_TIMESTAMP",
        }
    }
}

/// Cognito user pool trigger slots (`LambdaConfig` fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum CognitoTrigger {
    /// Before a user is signed up.
    PreSignUp,
    /// To customise verification and invitation messages.
    CustomMessage,
    /// After a user is confirmed.
    PostConfirmation,
    /// Before a user signs in.
    PreAuthentication,
    /// After a user signs in.
    PostAuthentication,
    /// Decides the next custom-auth challenge.
    DefineAuthChallenge,
    /// Creates a custom-auth challenge.
    CreateAuthChallenge,
    /// Checks the answer to a custom-auth challenge.
    VerifyAuthChallengeResponse,
    /// Before tokens are issued, to change their claims.
    PreTokenGeneration,
    /// Migrates a user from another directory at sign-in.
    UserMigration,
    /// Sends SMS messages through a third party.
    CustomSMSSender,
    /// Sends email through a third party.
    CustomEmailSender,
}

impl CognitoTrigger {
    /// Every slot.
    pub const ALL: [CognitoTrigger; 12] = [
        Self::PreSignUp,
        Self::CustomMessage,
        Self::PostConfirmation,
        Self::PreAuthentication,
        Self::PostAuthentication,
        Self::DefineAuthChallenge,
        Self::CreateAuthChallenge,
        Self::VerifyAuthChallengeResponse,
        Self::PreTokenGeneration,
        Self::UserMigration,
        Self::CustomSMSSender,
        Self::CustomEmailSender,
    ];

    /// The `LambdaConfig` field name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreSignUp => "PreSignUp",
            Self::CustomMessage => "CustomMessage",
            Self::PostConfirmation => "PostConfirmation",
            Self::PreAuthentication => "PreAuthentication",
            Self::PostAuthentication => "PostAuthentication",
            Self::DefineAuthChallenge => "DefineAuthChallenge",
            Self::CreateAuthChallenge => "CreateAuthChallenge",
            Self::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Self::PreTokenGeneration => "PreTokenGeneration",
            Self::UserMigration => "UserMigration",
            Self::CustomSMSSender => "CustomSMSSender",
            Self::CustomEmailSender => "CustomEmailSender",
        }
    }
}

/// CloudFront events a Lambda@Edge function can handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CloudFrontEvent {
    /// When CloudFront receives a request from a viewer.
    ViewerRequest,
    /// Before CloudFront returns a response to a viewer.
    ViewerResponse,
    /// Before CloudFront forwards a request to the origin.
    OriginRequest,
    /// After CloudFront receives a response from the origin.
    OriginResponse,
}

/// A trigger's settings. Which fields apply depends on the source's kind (see
/// [`crate::catalog::Entry::trigger_fields`]); others are reported by `validate`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// S3: the events that notify (e.g. `s3:ObjectCreated:*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// S3: key prefix filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// S3: key suffix filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// Mapping: `BatchSize`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u32>,
    /// Mapping: `MaximumBatchingWindowInSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batching_window: Option<u32>,
    /// Stream mapping: `StartingPosition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_position: Option<StartingPosition>,
    /// Stream mapping: `StartingPositionTimestamp`, in seconds since 1970 (UTC), required with
    /// `AT_TIMESTAMP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_position_timestamp: Option<i64>,
    /// Mapping: filter patterns (JSON text each).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<String>,
    /// Stream mapping: `MaximumRetryAttempts` (−1 = forever, up to 10000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_retry_attempts: Option<i32>,
    /// Stream mapping: `MaximumRecordAgeInSeconds` (−1, or 60–604800).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_record_age: Option<i32>,
    /// Stream mapping: `BisectBatchOnFunctionError`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bisect_batch_on_function_error: Option<bool>,
    /// SNS: subscription filter policy (JSON text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_policy: Option<String>,
    /// Cognito: which trigger slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cognito_trigger: Option<CognitoTrigger>,
    /// CloudFront: which event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudfront_event: Option<CloudFrontEvent>,
    /// SES and external callers: `Event` (async) or `RequestResponse` (sync).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_type: Option<InvocationType>,
}

/// What an edge means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EdgeKind {
    /// A source invokes the function (push) or Lambda polls it (event source mapping).
    Trigger(Trigger),
    /// Async invoke config: where successful results go.
    OnSuccess,
    /// Async invoke config: where failed events go after retries.
    OnFailure,
    /// A stream or Kafka mapping's `DestinationConfig.OnFailure`; `mapping` is the trigger edge.
    MappingOnFailure {
        /// The trigger edge (the event source mapping) this destination belongs to.
        mapping: EdgeId,
    },
    /// The function's legacy dead-letter queue (`DeadLetterConfig`).
    DeadLetter,
    /// A queue's redrive policy: failed messages move to the target queue.
    Redrive {
        /// `maxReceiveCount`, 1–1000.
        max_receive_count: u32,
    },
    /// The function calls another function through the SDK.
    Invoke {
        /// `Event` or `RequestResponse`.
        #[serde(default)]
        invocation_type: InvocationType,
    },
    /// The function writes to the resource through the SDK (PutObject, SendMessage, Publish, …).
    Writes {
        /// S3: the key prefix it writes under.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key_prefix: Option<String>,
        /// S3: the key suffix it writes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key_suffix: Option<String>,
    },
}

/// The edge kinds without their settings, for catalogs, menus and diff wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EdgeType {
    /// A source invokes, or is polled for, a function.
    Trigger,
    /// Async destination for successful results.
    OnSuccess,
    /// Async destination for failed events.
    OnFailure,
    /// A stream or Kafka mapping's failure destination.
    MappingOnFailure,
    /// The function's legacy dead-letter queue.
    DeadLetter,
    /// A queue's redrive policy.
    Redrive,
    /// A direct SDK invocation of another function.
    Invoke,
    /// The function writes to a queue, topic, bus or bucket.
    Writes,
}

impl EdgeType {
    /// Every edge type.
    pub const ALL: [EdgeType; 8] = [
        Self::Trigger,
        Self::OnSuccess,
        Self::OnFailure,
        Self::MappingOnFailure,
        Self::DeadLetter,
        Self::Redrive,
        Self::Invoke,
        Self::Writes,
    ];

    /// The name used in messages, in AWS's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Trigger => "trigger",
            Self::OnSuccess => "OnSuccess",
            Self::OnFailure => "OnFailure",
            Self::MappingOnFailure => "mapping OnFailure",
            Self::DeadLetter => "dead-letter queue",
            Self::Redrive => "redrive (DLQ)",
            Self::Invoke => "invoke",
            Self::Writes => "writes",
        }
    }
}

impl EdgeKind {
    /// The kind without settings.
    pub fn edge_type(&self) -> EdgeType {
        match self {
            Self::Trigger(_) => EdgeType::Trigger,
            Self::OnSuccess => EdgeType::OnSuccess,
            Self::OnFailure => EdgeType::OnFailure,
            Self::MappingOnFailure { .. } => EdgeType::MappingOnFailure,
            Self::DeadLetter => EdgeType::DeadLetter,
            Self::Redrive { .. } => EdgeType::Redrive,
            Self::Invoke { .. } => EdgeType::Invoke,
            Self::Writes { .. } => EdgeType::Writes,
        }
    }

    /// The trigger settings, when this is a trigger.
    pub fn trigger(&self) -> Option<&Trigger> {
        match self {
            Self::Trigger(t) => Some(t),
            _ => None,
        }
    }
}

/// A typed relation between two nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// Where it starts.
    pub from: NodeId,
    /// Where it ends.
    pub to: NodeId,
    /// What it means.
    pub kind: EdgeKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> NodeId {
        NodeId::parse(s).unwrap()
    }

    #[test]
    fn an_empty_graph_round_trips_through_json() {
        let g = Graph::default();
        assert_eq!(Graph::from_json(&g.to_json()).unwrap(), g);
    }

    #[test]
    fn a_future_schema_is_refused_with_the_version_named() {
        let err = Graph::from_json(r#"{"schema":2}"#).unwrap_err();
        assert_eq!(err, GraphError::UnsupportedSchema { found: 2 });
        assert!(err.to_string().contains("schema 2"));
    }

    #[test]
    fn text_that_is_not_json_is_malformed() {
        assert!(matches!(
            Graph::from_json("nope"),
            Err(GraphError::Malformed { .. })
        ));
    }

    #[test]
    fn an_unknown_node_kind_names_the_node() {
        let err =
            Graph::from_json(r#"{"schema":1,"nodes":{"up":{"kind":"s3_buckett","name":"x"}}}"#)
                .unwrap_err();
        let GraphError::Malformed { path, message } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(path, "nodes.up.kind");
        assert!(message.contains("s3_buckett"), "{message}");
        assert_eq!(err.element().as_deref(), Some("up"));
    }

    #[test]
    fn an_invalid_arn_names_the_element_and_field() {
        let text = r#"{"schema":1,"nodes":{"route":{"kind":"http_api_route","name":"abc","route_key":"GET /x","credentials_role":"arn:aws:iam::12:role/x"}}}"#;
        let err = Graph::from_json(text).unwrap_err();
        let GraphError::Malformed { path, message } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(path, "nodes.route.credentials_role");
        assert!(message.contains("12 digits"), "{message}");
    }

    #[test]
    fn an_unknown_field_is_refused_rather_than_ignored() {
        let text =
            r#"{"schema":1,"nodes":{"q":{"kind":"sqs_queue","name":"q","visiblity_timeout":60}}}"#;
        let err = Graph::from_json(text).unwrap_err();
        assert!(err.to_string().contains("visiblity_timeout"), "{err}");
    }

    #[test]
    fn an_invalid_trigger_setting_names_the_edge_and_field() {
        let text = r#"{"schema":1,"nodes":{"q":{"kind":"sqs_queue","name":"q"},"f":{"kind":"function","name":"f","role":{"name":"r"}}},
            "edges":{"e1":{"from":"q","to":"f","kind":{"type":"trigger","batch_size":"ten"}}}}"#;
        let err = Graph::from_json(text).unwrap_err();
        let GraphError::Malformed { path, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(path, "edges.e1.kind.batch_size");
    }

    #[test]
    fn a_dangling_edge_names_the_edge_and_the_missing_node() {
        let text = r#"{"schema":1,"nodes":{"q":{"kind":"sqs_queue","name":"q"}},"edges":{"e1":{"from":"q","to":"fn","kind":{"type":"on_success"}}}}"#;
        let err = Graph::from_json(text).unwrap_err();
        assert_eq!(
            err,
            GraphError::DanglingEdge {
                edge: EdgeId::parse("e1").unwrap(),
                field: "to".into(),
                node: id("fn")
            }
        );
    }

    #[test]
    fn node_arns_follow_each_services_format() {
        let mut g = Graph::new(
            AccountId::parse("123456789012").ok(),
            Region::parse("eu-west-1").ok(),
        );
        let q = Node::SqsQueue(SqsQueue {
            name: QueueName::parse("jobs").unwrap(),
            account: None,
            region: None,
            visibility_timeout: None,
        });
        let b = Node::S3Bucket(S3Bucket {
            name: BucketName::parse("uploads").unwrap(),
            account: None,
            region: None,
        });
        g.nodes.insert(id("q"), q);
        g.nodes.insert(id("b"), b);
        assert_eq!(
            g.arn_of(&id("q")).unwrap().as_str(),
            "arn:aws:sqs:eu-west-1:123456789012:jobs"
        );
        assert_eq!(g.arn_of(&id("b")).unwrap().as_str(), "arn:aws:s3:::uploads");
    }

    #[test]
    fn http_api_routes_grant_the_source_arn_api_gateway_sends() {
        let route = |stage: &str, key: &str| {
            let text = format!(
                r#"{{"schema":1,"account":"123456789012","region":"eu-west-1","nodes":{{"r":{{"kind":"http_api_route","name":"a1b2c3","stage":"{stage}","route_key":"{key}"}}}}}}"#
            );
            let g = Graph::from_json(&text).unwrap();
            g.arn_of(&id("r")).unwrap().to_string()
        };
        let head = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3";
        assert_eq!(
            route("$default", "GET /orders"),
            format!("{head}/*/GET/orders")
        );
        assert_eq!(
            route("prod", "ANY /orders"),
            format!("{head}/prod/*/orders")
        );
        // The catch-all route is addressed by its own name, not as a method and path.
        assert_eq!(route("$default", "$default"), format!("{head}/*/$default"));
    }

    #[test]
    fn an_arn_without_an_account_says_what_to_set() {
        let mut g = Graph::default();
        g.nodes.insert(
            id("q"),
            Node::SqsQueue(SqsQueue {
                name: QueueName::parse("jobs").unwrap(),
                account: None,
                region: None,
                visibility_timeout: None,
            }),
        );
        assert_eq!(g.arn_of(&id("q")), Err(Missing::Account));
    }

    #[test]
    fn principals_parse_from_their_aws_spellings() {
        assert_eq!(Principal::parse("*").unwrap(), Principal::Any);
        assert!(matches!(
            Principal::parse("s3.amazonaws.com").unwrap(),
            Principal::Service(_)
        ));
        assert!(matches!(
            Principal::parse("123456789012").unwrap(),
            Principal::Account(_)
        ));
        assert!(matches!(
            Principal::parse("arn:aws:iam::123456789012:role/caller").unwrap(),
            Principal::Arn(_)
        ));
        assert!(Principal::parse("s3").is_err());
    }

    #[test]
    fn wildcard_actions_cover_specific_ones_case_insensitively() {
        assert!(IamAction::parse("sqs:*").unwrap().covers("sqs:SendMessage"));
        assert!(
            IamAction::parse("SQS:sendmessage")
                .unwrap()
                .covers("sqs:SendMessage")
        );
        assert!(
            !IamAction::parse("sqs:Receive*")
                .unwrap()
                .covers("sqs:SendMessage")
        );
    }

    #[test]
    fn fresh_ids_do_not_collide() {
        let mut g = Graph::default();
        let a = g.fresh_node_id("orders queue");
        assert_eq!(a.as_str(), "orders-queue");
        g.nodes.insert(
            a,
            Node::SnsTopic(SnsTopic {
                name: TopicName::parse("t").unwrap(),
                account: None,
                region: None,
            }),
        );
        assert_eq!(g.fresh_node_id("orders queue").as_str(), "orders-queue-2");
    }
}
