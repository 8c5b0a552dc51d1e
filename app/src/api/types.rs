//! Request and response shapes shared by the UI, the server functions and the REST API.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::ApiError;

/// What a member may do in their team. Each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads drafts.
    Viewer,
    /// Edits and saves drafts.
    Editor,
    /// Approves versions and deploys.
    Approver,
    /// Manages members, roles and invitations.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Editor, Role::Approver, Role::Admin];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role may save drafts.
    pub fn can_edit(self) -> bool {
        self >= Role::Editor
    }
}

/// The signed-in user, their team and role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Me {
    /// User id.
    pub user_id: Uuid,
    /// Email (lower-cased).
    pub email: String,
    /// Name shown to teammates.
    pub display_name: String,
    /// Team id.
    pub team_id: Uuid,
    /// Team name.
    pub team_name: String,
    /// Role in the team.
    pub role: Role,
}

/// Sign-up input. With an invitation token the account joins that team; without one it
/// starts a new team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignUp {
    /// Email address; it is the sign-in name.
    pub email: String,
    /// At least 12 characters.
    pub password: String,
    /// Name shown to teammates.
    pub display_name: String,
    /// Name of the new team (ignored with an invitation).
    #[serde(default)]
    pub team_name: Option<String>,
    /// One-time invitation token.
    #[serde(default)]
    pub invitation: Option<String>,
}

/// Sign-in input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SignIn {
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
}

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 12;
/// The longest password accepted (Argon2 cost grows with it).
pub const MAX_PASSWORD: usize = 256;

impl SignUp {
    /// Checks the fields; returns the normalised email.
    pub fn check(&self) -> Result<String, ApiError> {
        let email = normalize_email(&self.email)?;
        let n = self.password.chars().count();
        if n < MIN_PASSWORD {
            return Err(ApiError::invalid(
                "password",
                format!("Use a password of at least {MIN_PASSWORD} characters."),
            ));
        }
        if n > MAX_PASSWORD {
            return Err(ApiError::invalid(
                "password",
                format!("Passwords are at most {MAX_PASSWORD} characters."),
            ));
        }
        clean_label("display_name", &self.display_name, 80)?;
        if let Some(t) = self.team_name.as_deref().filter(|t| !t.trim().is_empty()) {
            clean_label("team_name", t, 80)?;
        }
        Ok(email)
    }
}

/// Lower-cases and checks an email address.
pub fn normalize_email(raw: &str) -> Result<String, ApiError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(ApiError::invalid(
            "email",
            "Enter an email address like ana@example.com.",
        ))
    }
}

/// A trimmed label of 1..=`max` characters without control characters.
pub fn clean_label(field: &str, raw: &str, max: usize) -> Result<String, ApiError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ApiError::invalid(
            field,
            format!("The {} cannot be empty.", field.replace('_', " ")),
        ));
    }
    if s.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!(
                "The {} is at most {max} characters.",
                field.replace('_', " ")
            ),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            field,
            format!(
                "The {} cannot contain control characters.",
                field.replace('_', " ")
            ),
        ));
    }
    Ok(s.to_owned())
}

/// A team member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    /// User id.
    pub user_id: Uuid,
    /// Email.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// When they joined (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub joined_at: OffsetDateTime,
}

/// A role change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SetRole {
    /// The new role.
    pub role: Role,
}

/// An invitation request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewInvitation {
    /// The role the invitee gets.
    pub role: Role,
}

/// A created invitation: the link is shown once, to the admin who made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Invitation {
    /// Invitation id.
    pub id: Uuid,
    /// The one-time token (only in the answer to its creation).
    pub token: String,
    /// The path to share: `/join/TOKEN`.
    pub link: String,
    /// The role it grants.
    pub role: Role,
    /// When it expires (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub expires_at: OffsetDateTime,
}

/// A draft as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DraftSummary {
    /// The draft's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Latest version number (0 before the first save).
    pub version: u32,
    /// Nodes in the latest version.
    pub node_count: u32,
    /// Error findings in the latest version.
    pub errors: u32,
    /// Warning findings in the latest version.
    pub warnings: u32,
    /// Who saved the latest version.
    pub author: Option<String>,
    /// When it was created (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// When the latest version was saved (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
    /// Whether it is archived.
    pub archived: bool,
}

/// One saved version of a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DraftVersion {
    /// Version id.
    pub id: Uuid,
    /// The draft.
    pub draft_id: Uuid,
    /// 1, 2, 3…
    pub number: u32,
    /// The version it was edited from.
    pub parent_id: Option<Uuid>,
    /// SHA-256 of the graph's canonical JSON.
    pub content_hash: String,
    /// Who saved it.
    pub author: Option<String>,
    /// When (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Error findings.
    pub errors: u32,
    /// Warning findings.
    pub warnings: u32,
    /// Info findings.
    pub infos: u32,
    /// The graph (schema: `/api/schema/graph.json`).
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub content: serde_json::Value,
}

/// A draft with its latest version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Draft {
    /// Listing data.
    pub summary: DraftSummary,
    /// The latest version.
    pub latest: DraftVersion,
}

/// What it takes to create (or import) a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewDraft {
    /// The name; 1 to 120 characters after trimming.
    pub name: String,
    /// A graph to start from (an import); an empty graph when absent.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub content: Option<serde_json::Value>,
}

/// A rename.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RenameDraft {
    /// The new name.
    pub name: String,
}

/// A save: the graph and the version it was edited from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SaveDraft {
    /// The version the client started from; a save on any other head is a conflict.
    pub base_version: Uuid,
    /// The graph.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub content: serde_json::Value,
}

/// An audit log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// When (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
    /// Who, when known.
    pub actor: Option<String>,
    /// What, e.g. `draft.saved`.
    pub action: String,
    /// On what.
    pub target: Option<String>,
    /// Details (never a password or token).
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub detail: serde_json::Value,
    /// The client address.
    pub ip: Option<String>,
}

/// The longest draft name accepted.
pub const MAX_DRAFT_NAME: usize = 120;

/// Checks a draft name.
pub fn clean_draft_name(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ApiError::invalid(
            "name",
            "Give the draft a name, e.g. \"orders-pipeline\".",
        ));
    }
    if name.chars().count() > MAX_DRAFT_NAME {
        return Err(ApiError::invalid(
            "name",
            format!("Draft names are at most {MAX_DRAFT_NAME} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name",
            "Draft names cannot contain control characters.",
        ));
    }
    Ok(name.to_owned())
}

/// A timestamp as the UI shows it: `2026-12-03 17:05 UTC`.
pub fn display_utc(t: OffsetDateTime) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// A timestamp in RFC 3339, for `<time datetime>`.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_name_is_refused_with_the_field_named() {
        let err = clean_draft_name("   ").unwrap_err();
        assert!(matches!(err, ApiError::Invalid { field: Some(f), .. } if f == "name"));
    }

    #[test]
    fn names_are_trimmed() {
        assert_eq!(clean_draft_name("  orders  ").unwrap(), "orders");
    }

    #[test]
    fn an_overlong_name_is_refused() {
        assert!(clean_draft_name(&"x".repeat(MAX_DRAFT_NAME + 1)).is_err());
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            normalize_email(" Ana@Example.COM ").unwrap(),
            "ana@example.com"
        );
        assert!(normalize_email("ana@localhost").is_err());
        assert!(normalize_email("no-at-sign.example.com").is_err());
    }

    #[test]
    fn short_passwords_are_refused() {
        let s = SignUp {
            email: "a@b.co".into(),
            password: "short".into(),
            display_name: "A".into(),
            team_name: None,
            invitation: None,
        };
        assert!(
            matches!(s.check(), Err(ApiError::Invalid { field: Some(f), .. }) if f == "password")
        );
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(
            Role::Admin > Role::Approver
                && Role::Approver > Role::Editor
                && Role::Editor > Role::Viewer
        );
        assert!(!Role::Viewer.can_edit());
        assert!(Role::Editor.can_edit());
    }
}

/// How Eventloom obtains credentials for a deploy target. No mode stores a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CredentialsMode {
    /// The sandbox emulator this server was started with (`./run` registers it).
    Sandbox,
    /// The server's default AWS credential chain (single-organisation installs).
    DefaultChain,
    /// A named profile from the server's AWS config files (single-organisation installs).
    Profile,
    /// Assume a role in the target account with the team's external id.
    AssumeRole,
    /// An explicit endpoint, for an emulator.
    Endpoint,
}

impl CredentialsMode {
    /// Every mode.
    pub const ALL: [CredentialsMode; 5] = [
        CredentialsMode::Sandbox,
        CredentialsMode::DefaultChain,
        CredentialsMode::Profile,
        CredentialsMode::AssumeRole,
        CredentialsMode::Endpoint,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialsMode::Sandbox => "sandbox",
            CredentialsMode::DefaultChain => "default_chain",
            CredentialsMode::Profile => "profile",
            CredentialsMode::AssumeRole => "assume_role",
            CredentialsMode::Endpoint => "endpoint",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<CredentialsMode> {
        CredentialsMode::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Words for the UI.
    pub fn label(self) -> &'static str {
        match self {
            CredentialsMode::Sandbox => "Sandbox emulator",
            CredentialsMode::DefaultChain => "Server's default credentials",
            CredentialsMode::Profile => "Named profile",
            CredentialsMode::AssumeRole => "Assume role (external id)",
            CredentialsMode::Endpoint => "Emulator endpoint",
        }
    }
}

/// Where a draft can be deployed: an account and region, and how to reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeployTarget {
    /// Target id.
    pub id: Uuid,
    /// Name, unique in the team.
    pub name: String,
    /// 12-digit account id the credentials must belong to.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Credentials mode.
    pub mode: CredentialsMode,
    /// Profile name (mode `profile`).
    pub profile: Option<String>,
    /// Role ARN (mode `assume_role`).
    pub role_arn: Option<String>,
    /// Endpoint URL (mode `endpoint`).
    pub endpoint: Option<String>,
    /// A read-only target can plan but not apply.
    pub read_only: bool,
}

/// A new deploy target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewTarget {
    /// Name, unique in the team.
    pub name: String,
    /// 12-digit account id.
    pub account_id: String,
    /// Region, e.g. `eu-west-1`.
    pub region: String,
    /// Credentials mode.
    pub mode: CredentialsMode,
    /// Profile name (mode `profile`).
    #[serde(default)]
    pub profile: Option<String>,
    /// Role ARN (mode `assume_role`).
    #[serde(default)]
    pub role_arn: Option<String>,
    /// Endpoint URL (mode `endpoint`).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Plan only.
    #[serde(default)]
    pub read_only: bool,
}

/// The team's targets and what may be added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Targets {
    /// The targets, by name.
    pub targets: Vec<DeployTarget>,
    /// Modes this server allows for new targets.
    pub allowed_modes: Vec<CredentialsMode>,
    /// The team's external id for assume-role trust policies (admins only).
    pub external_id: Option<String>,
}

/// A request for a plan of one version against one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewPlan {
    /// The version number to deploy.
    pub version: u32,
    /// The target.
    pub target_id: Uuid,
}

/// One AWS call of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlanStep {
    /// Position, from 0.
    pub index: u32,
    /// The call, e.g. `lambda:AddPermission`.
    pub call: String,
    /// `create`, `update`, `delete` or `manual`.
    pub effect: String,
    /// Key arguments.
    pub summary: String,
    /// Why, in AWS terms.
    pub reason: String,
}

/// A plan: what apply would do, bound to a version's content and a live snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeployPlan {
    /// Plan id.
    pub id: Uuid,
    /// The draft.
    pub draft_id: Uuid,
    /// The version number.
    pub version: u32,
    /// The version's content hash.
    pub content_hash: String,
    /// The target.
    pub target: DeployTarget,
    /// SHA-256 of the live snapshot the plan was made from.
    pub observed_hash: String,
    /// When (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// The calls, in the order they run.
    pub steps: Vec<PlanStep>,
    /// Differences left alone because Eventloom does not own them, and steps that may undo
    /// what another draft applied to the same account and region.
    pub warnings: Vec<String>,
    /// Reasons it cannot be applied.
    pub blockers: Vec<String>,
    /// What the read found missing or could not read.
    pub read_notes: Vec<String>,
    /// The number of mutating calls; 0 means "no changes".
    pub mutating_calls: u32,
    /// The review gate for this version: the approvals the deploy rests on.
    pub gate: super::DeployGate,
}

/// The state of an apply job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for a worker (or for another apply to the same account and region).
    Queued,
    /// A worker holds it.
    Running,
    /// Live state matches the version.
    Succeeded,
    /// Stopped; see the error.
    Failed,
}

impl JobStatus {
    /// Whether the job will not change again.
    pub fn finished(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Failed)
    }
}

/// The state of one step of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not started.
    Pending,
    /// In flight.
    Running,
    /// Done.
    Done,
    /// AWS refused it.
    Failed,
    /// Its worker stopped mid-call; the next attempt re-read live state.
    Interrupted,
}

/// One step of an apply attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApplyStep {
    /// Attempt number, from 1.
    pub attempt: u32,
    /// Position in the attempt's plan, from 0.
    pub index: u32,
    /// The call.
    pub call: String,
    /// `create`, `update`, `delete` or `manual`.
    pub effect: String,
    /// Key arguments.
    pub summary: String,
    /// Why.
    pub reason: String,
    /// Status.
    pub status: StepStatus,
    /// AWS's answer, summarised.
    pub response: Option<String>,
    /// AWS error code, e.g. `ResourceConflictException`.
    pub error_code: Option<String>,
    /// The error in words.
    pub error: Option<String>,
}

/// An apply: a plan being carried out by a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApplyJob {
    /// Job id.
    pub id: Uuid,
    /// The plan.
    pub plan_id: Uuid,
    /// The draft.
    pub draft_id: Uuid,
    /// The version number.
    pub version: u32,
    /// Target name.
    pub target: String,
    /// `account:region`.
    pub lock_key: String,
    /// Status.
    pub status: JobStatus,
    /// Attempts so far (a crashed worker's job is resumed by another).
    pub attempts: u32,
    /// Who asked.
    pub requested_by: Option<String>,
    /// When queued (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// When finished (UTC).
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime))]
    pub finished_at: Option<OffsetDateTime>,
    /// Steps in the current attempt's plan.
    pub total_steps: u32,
    /// AWS calls made, reads included.
    pub calls: u32,
    /// The final summary.
    pub summary: Option<String>,
    /// AWS error code of the failure.
    pub error_code: Option<String>,
    /// The failure in words.
    pub error: Option<String>,
    /// An admin's reason for deploying past the review gate.
    #[serde(default)]
    pub override_reason: Option<String>,
    /// Every step of every attempt, in order.
    pub steps: Vec<ApplyStep>,
}

impl ApplyJob {
    /// Done steps of the latest attempt over its total, for the progress bar.
    pub fn progress(&self) -> (u32, u32) {
        let done = self
            .steps
            .iter()
            .filter(|s| s.attempt == self.attempts && s.status == StepStatus::Done)
            .count() as u32;
        (done, self.total_steps)
    }
}
