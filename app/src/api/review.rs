//! Wire types of team review: version diffs, review requests, comment threads, decisions,
//! the deploy gate and the draft timeline.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// What a comment thread or a change is attached to. The same JSON as `wiring::Element`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Pin {
    /// A node, by id.
    Node(String),
    /// An edge, by id.
    Edge(String),
    /// The draft as a whole.
    Graph,
}

impl From<&wiring::Element> for Pin {
    fn from(e: &wiring::Element) -> Self {
        match e {
            wiring::Element::Node(id) => Pin::Node(id.to_string()),
            wiring::Element::Edge(id) => Pin::Edge(id.to_string()),
            wiring::Element::Graph => Pin::Graph,
        }
    }
}

/// How an element changed between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Only in the later version.
    Added,
    /// Only in the earlier version.
    Removed,
    /// In both, different.
    Changed,
}

impl From<wiring::diff::Status> for ChangeStatus {
    fn from(s: wiring::diff::Status) -> Self {
        match s {
            wiring::diff::Status::Added => Self::Added,
            wiring::diff::Status::Removed => Self::Removed,
            wiring::diff::Status::Changed => Self::Changed,
        }
    }
}

impl ChangeStatus {
    /// The lowercase name, also the CSS class.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
        }
    }
}

/// One change between two versions, in AWS terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DiffEntry {
    /// The element it concerns.
    pub element: Pin,
    /// What happened to it.
    pub status: ChangeStatus,
    /// E.g. "OnFailure of process-order: orders-dlq → alerts-topic".
    pub text: String,
    /// Whether it changes who may do what (policies, role grants, trust, URLs).
    pub security: bool,
}

/// A finding the change introduced or resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FindingNote {
    /// Stable code, e.g. `missing-invoke-permission`.
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// Where.
    pub element: Pin,
    /// In AWS terms.
    pub message: String,
}

/// Version `from` against version `to` of one draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionDiff {
    /// The draft.
    pub draft_id: Uuid,
    /// The earlier version number.
    pub from: u32,
    /// The later version number.
    pub to: u32,
    /// The earlier graph (schema 1 JSON), for the overlay.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub from_graph: serde_json::Value,
    /// The later graph.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub to_graph: serde_json::Value,
    /// Every change, security-relevant ones first.
    pub entries: Vec<DiffEntry>,
    /// Per node id: how it changed.
    pub nodes: Vec<(String, ChangeStatus)>,
    /// Per edge id: how it changed.
    pub edges: Vec<(String, ChangeStatus)>,
    /// Findings in `to` that `from` did not have.
    pub introduced: Vec<FindingNote>,
    /// Findings of `from` that `to` no longer has.
    pub resolved: Vec<FindingNote>,
}

/// A request that teammates review one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewReviewRequest {
    /// The version number to review.
    pub version: u32,
    /// Team members to ask; each must be an approver or admin, and not the version's author.
    pub reviewers: Vec<Uuid>,
    /// What to look at.
    #[serde(default)]
    pub note: Option<String>,
}

/// A reviewer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Fit to deploy.
    Approve,
    /// Not yet; see the comment.
    RequestChanges,
}

impl Decision {
    /// The lowercase name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::RequestChanges => "request_changes",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approve" => Some(Self::Approve),
            "request_changes" => Some(Self::RequestChanges),
            _ => None,
        }
    }
}

/// One reviewer asked, and where they stand on the requested version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RequestedReviewer {
    /// User id.
    pub user_id: Uuid,
    /// Name.
    pub name: String,
    /// Their latest decision on that version, if any.
    pub decision: Option<Decision>,
}

/// A review request, as the author and the reviewers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewRequest {
    /// The draft.
    pub draft_id: Uuid,
    /// Draft name.
    pub draft_name: String,
    /// The version to review.
    pub version: u32,
    /// The draft's latest version now; when higher, the request is out of date.
    pub latest_version: u32,
    /// Who asked.
    pub requested_by: String,
    /// What to look at.
    pub note: Option<String>,
    /// Who was asked.
    pub reviewers: Vec<RequestedReviewer>,
    /// When (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewDecision {
    /// The version number decided on.
    pub version: u32,
    /// Approve or request changes.
    pub decision: Decision,
    /// Why; required when requesting changes.
    #[serde(default)]
    pub comment: Option<String>,
}

/// A recorded decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewDecision {
    /// Decision id.
    pub id: Uuid,
    /// The version number decided on.
    pub version: u32,
    /// The content hash the reviewer saw.
    pub content_hash: String,
    /// Reviewer id.
    pub reviewer_id: Uuid,
    /// Reviewer name.
    pub reviewer: String,
    /// The verdict.
    pub decision: Decision,
    /// Why.
    pub comment: Option<String>,
    /// When (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Why it no longer counts (a newer version, or a later decision by the same reviewer).
    pub void: Option<String>,
}

/// Whether a version may be deployed, and the approvals that rest on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeployGate {
    /// The version number.
    pub version: u32,
    /// Its content hash.
    pub content_hash: String,
    /// Who saved it (who may not approve it).
    pub author_id: Option<Uuid>,
    /// Approvals the team requires.
    pub required: u32,
    /// Approvals that count now.
    pub approvals: Vec<ReviewDecision>,
    /// Error-severity findings in the version.
    pub errors: u32,
    /// Whether the gate is open without an override.
    pub open: bool,
    /// What keeps it shut, in words.
    pub reasons: Vec<String>,
}

/// A draft's review state: requests, decisions (valid and void) and the gate for its latest version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewState {
    /// The draft.
    pub draft_id: Uuid,
    /// Its latest version number.
    pub latest_version: u32,
    /// Open and past requests, newest first.
    pub requests: Vec<ReviewRequest>,
    /// Every decision, newest first, void ones marked.
    pub decisions: Vec<ReviewDecision>,
    /// The gate for the latest version.
    pub gate: DeployGate,
}

/// A comment to start a thread with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewThread {
    /// The version the comment is made on.
    pub version: u32,
    /// What it is pinned to.
    pub pin: Pin,
    /// The comment.
    pub body: String,
}

/// A reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewComment {
    /// The text.
    pub body: String,
}

/// One comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Comment {
    /// Comment id.
    pub id: Uuid,
    /// Author name.
    pub author: String,
    /// The text.
    pub body: String,
    /// When (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

/// A comment thread pinned to an element of one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Thread {
    /// Thread id.
    pub id: Uuid,
    /// The draft.
    pub draft_id: Uuid,
    /// The version it was started on.
    pub version: u32,
    /// What it is pinned to.
    pub pin: Pin,
    /// The element's name when the thread began.
    pub label: String,
    /// Whether it is resolved.
    pub resolved: bool,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// Oldest first; the first one started the thread.
    pub comments: Vec<Comment>,
}

/// Resolve or reopen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SetResolved {
    /// `true` resolves, `false` reopens.
    pub resolved: bool,
}

/// The team's review rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamSettings {
    /// Approvals a deploy needs, 0 to 10.
    pub approvals_required: u32,
}

/// What an apply request may carry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApplyRequest {
    /// An admin's reason for deploying past the review gate; recorded in the audit log.
    #[serde(default)]
    pub override_reason: Option<String>,
}

/// One event in a draft's life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineItem {
    /// When (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
    /// `version`, `review_requested`, `comment`, `approved`, `changes_requested` or `apply`.
    pub kind: String,
    /// The version it concerns.
    pub version: u32,
    /// Who.
    pub actor: Option<String>,
    /// In words.
    pub text: String,
}
