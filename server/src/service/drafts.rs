//! Drafts: create, list, open, rename, duplicate, archive, save with conflict detection,
//! versions, import and export. Every save is validated and its findings stored.

use super::Service;
use crate::{
    auth::Authed,
    error::AppError,
    store::{
        self,
        audit::Event,
        drafts::{NewVersion, Saved, Saver},
    },
};
use app::api::{
    ApiError, Draft, DraftSummary, DraftVersion, NewDraft, RenameDraft, Role, SaveDraft,
    clean_draft_name,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use wiring::{Graph, Severity};

/// A checked graph, ready to store.
struct Checked {
    graph: Graph,
    /// The canonical JSON text: what is stored and hashed.
    text: String,
    hash: String,
    node_count: i32,
    errors: i32,
    warnings: i32,
    infos: i32,
    findings: serde_json::Value,
}

impl Checked {
    fn version(&self) -> NewVersion<'_> {
        NewVersion {
            content: &self.text,
            hash: &self.hash,
            node_count: self.node_count,
            errors: self.errors,
            warnings: self.warnings,
            infos: self.infos,
            findings: &self.findings,
        }
    }
}

impl Service {
    /// Parses and validates a graph from the wire; bad input is a 422 naming the element and field.
    fn check_graph(&self, value: &serde_json::Value) -> Result<Checked, AppError> {
        let graph = Graph::from_value(value).map_err(|e| ApiError::Invalid {
            field: Some(match &e {
                wiring::GraphError::Malformed { path, .. } => format!("content.{path}"),
                other => other
                    .element()
                    .map_or_else(|| "content".into(), |el| format!("content.{el}")),
            }),
            message: format!("The graph is not valid: {e}"),
        })?;
        self.checked(graph)
    }

    fn checked(&self, graph: Graph) -> Result<Checked, AppError> {
        if graph.node_count() > self.config.max_nodes {
            return Err(ApiError::invalid(
                "content.nodes",
                format!(
                    "The graph has {} nodes; this server accepts at most {}. Split it into several drafts.",
                    graph.node_count(),
                    self.config.max_nodes
                ),
            )
            .into());
        }
        let findings = wiring::validate(&graph);
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count() as i32;
        let compact: Vec<serde_json::Value> = findings
            .iter()
            .map(|f| serde_json::json!({ "code": f.code, "severity": f.severity, "at": f.at }))
            .collect();
        // Canonical JSON: maps are sorted and struct fields have a fixed order.
        let text = graph.to_json();
        Ok(Checked {
            hash: hex::encode(Sha256::digest(text.as_bytes())),
            text,
            node_count: graph.node_count() as i32,
            graph,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            findings: serde_json::Value::Array(compact),
        })
    }

    /// The team's drafts, most recently saved first.
    pub async fn list_drafts(
        &self,
        me: &Authed,
        include_archived: bool,
    ) -> Result<Vec<DraftSummary>, AppError> {
        Ok(store::drafts::list(&self.pool, me.team_id, include_archived).await?)
    }

    /// Creates a draft, from an imported graph or an empty one in the sandbox account and region.
    pub async fn create_draft(
        &self,
        me: &Authed,
        input: NewDraft,
        ip: Option<&str>,
    ) -> Result<Draft, AppError> {
        me.require(Role::Editor, "creating drafts")?;
        let name = clean_draft_name(&input.name)?;
        let checked = match &input.content {
            Some(v) => self.check_graph(v)?,
            // A new draft starts in the sandbox's account and region; the draft form changes them.
            None => self.checked(Graph::new(
                wiring::ids::AccountId::parse(wiring::examples::EXAMPLE_ACCOUNT).ok(),
                wiring::ids::Region::parse(wiring::examples::EXAMPLE_REGION).ok(),
            ))?,
        };
        let draft = store::drafts::create(
            &self.pool,
            me.team_id,
            me.user_id,
            &name,
            &checked.version(),
        )
        .await?;
        self.audit_draft(me, "draft.created", &draft.latest, ip)
            .await?;
        Ok(draft)
    }

    /// A draft at its latest version.
    pub async fn get_draft(&self, me: &Authed, id: Uuid) -> Result<Draft, AppError> {
        store::drafts::get(&self.pool, me.team_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("draft").into())
    }

    /// Saves a new version edited from `base_version`; a 409 carries the latest when someone
    /// saved in between, so nothing is overwritten.
    pub async fn save_draft(
        &self,
        me: &Authed,
        id: Uuid,
        input: SaveDraft,
        ip: Option<&str>,
    ) -> Result<DraftVersion, AppError> {
        me.require(Role::Editor, "saving drafts")?;
        let checked = self.check_graph(&input.content)?;
        let by = Saver {
            user_id: me.user_id,
            ip,
        };
        let saved = store::drafts::save(
            &self.pool,
            me.team_id,
            id,
            input.base_version,
            by,
            &checked.version(),
        )
        .await?;
        match saved {
            Saved::Created { id: vid, number, created_at } => Ok(DraftVersion {
                id: vid,
                draft_id: id,
                number,
                parent_id: Some(input.base_version),
                content_hash: checked.hash,
                author: Some(me.display_name.clone()),
                created_at,
                errors: checked.errors as u32,
                warnings: checked.warnings as u32,
                infos: checked.infos as u32,
                content: serde_json::to_value(&checked.graph).map_err(|e| AppError::Internal(e.into()))?,
            }),
            Saved::Unchanged(v) => Ok(v),
            Saved::Conflict(latest) => Err(ApiError::Conflict {
                message: format!(
                    "{} saved version {} while you were editing. Your changes are not lost: merge them with the latest version and save again.",
                    latest.author.as_deref().unwrap_or("Someone"),
                    latest.number
                ),
                latest: Some(Box::new(latest)),
            }
            .into()),
            Saved::NotFound => Err(ApiError::not_found("draft").into()),
            Saved::Archived => Err(ApiError::invalid("draft", "This draft is archived and read-only; duplicate it to keep working.").into()),
            Saved::UnknownBase => Err(ApiError::invalid(
                "base_version",
                "base_version is not a version of this draft; send the id of the version you edited (the draft's latest version when you opened it).",
            )
            .into()),
        }
    }

    /// Renames a draft.
    pub async fn rename_draft(
        &self,
        me: &Authed,
        id: Uuid,
        input: RenameDraft,
    ) -> Result<DraftSummary, AppError> {
        me.require(Role::Editor, "renaming drafts")?;
        let name = clean_draft_name(&input.name)?;
        store::drafts::rename(&self.pool, me.team_id, id, &name)
            .await?
            .ok_or_else(|| ApiError::not_found("draft").into())
    }

    /// Copies a draft's latest version into a new draft.
    pub async fn duplicate_draft(
        &self,
        me: &Authed,
        id: Uuid,
        ip: Option<&str>,
    ) -> Result<Draft, AppError> {
        me.require(Role::Editor, "duplicating drafts")?;
        let source = self.get_draft(me, id).await?;
        let name: String = format!("{} (copy)", source.summary.name)
            .chars()
            .take(app::api::MAX_DRAFT_NAME)
            .collect();
        self.create_draft(
            me,
            NewDraft {
                name,
                content: Some(source.latest.content),
            },
            ip,
        )
        .await
    }

    /// Archives a draft.
    pub async fn archive_draft(&self, me: &Authed, id: Uuid) -> Result<DraftSummary, AppError> {
        me.require(Role::Editor, "archiving drafts")?;
        store::drafts::archive(&self.pool, me.team_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("draft").into())
    }

    /// Every version of a draft, newest first (without content).
    pub async fn list_versions(
        &self,
        me: &Authed,
        id: Uuid,
    ) -> Result<Vec<DraftVersion>, AppError> {
        store::drafts::versions(&self.pool, me.team_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("draft").into())
    }

    /// One version, with its content.
    pub async fn get_version(
        &self,
        me: &Authed,
        id: Uuid,
        number: u32,
    ) -> Result<DraftVersion, AppError> {
        let number = i32::try_from(number).map_err(|_| ApiError::not_found("version"))?;
        store::drafts::version(&self.pool, me.team_id, id, number)
            .await?
            .ok_or_else(|| ApiError::not_found("version").into())
    }

    async fn audit_draft(
        &self,
        me: &Authed,
        action: &str,
        v: &DraftVersion,
        ip: Option<&str>,
    ) -> Result<(), AppError> {
        store::audit::record(
            &self.pool,
            Event {
                team_id: Some(me.team_id),
                actor_id: Some(me.user_id),
                action,
                target: Some(v.draft_id.to_string()),
                detail: serde_json::json!({ "version": v.number, "content_hash": v.content_hash, "errors": v.errors, "warnings": v.warnings }),
                ip,
            },
        )
        .await?;
        Ok(())
    }
}
