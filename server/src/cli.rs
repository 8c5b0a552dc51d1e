//! Offline subcommands for pipelines: `validate` and `plan` on graph files, with no server,
//! database or AWS access.

use std::{fs, path::Path};
use wiring::{Graph, Observed, Severity};

/// Output format of `eventloom validate`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReportFormat {
    /// One line per finding, with fixes and CLI commands.
    Text,
    /// The findings as JSON.
    Json,
    /// SARIF 2.1.0, for code-scanning UIs.
    Sarif,
}

/// Output format of `eventloom plan`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PlanFormat {
    /// One line per AWS call, with its reason.
    Text,
    /// The plan as JSON.
    Json,
}

fn read_graph(path: &Path) -> anyhow::Result<Graph> {
    let text = fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Graph::from_json(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a valid Eventloom graph: {e}", path.display()))
}

/// Validates `path`; the returned flag says whether any finding is an error.
pub fn validate(path: &Path, format: ReportFormat) -> anyhow::Result<(String, bool)> {
    let graph = read_graph(path)?;
    let findings = wiring::validate(&graph);
    let has_errors = findings.iter().any(|f| f.severity == Severity::Error);
    let out = match format {
        ReportFormat::Text => wiring::report::text(&findings),
        ReportFormat::Json => wiring::report::json(&findings),
        ReportFormat::Sarif => {
            let uri = path.to_string_lossy();
            serde_json::to_string_pretty(&wiring::report::sarif(&findings, &uri))?
        }
    };
    Ok((out, has_errors))
}

/// Plans `path` against the observed state in `observed` (JSON of `wiring::Observed`).
/// The plan of `path` against `observed`, and whether it is blocked (a resource is missing or
/// an ARN cannot be built), so a pipeline can stop on it.
pub fn plan(path: &Path, observed: &Path, format: PlanFormat) -> anyhow::Result<(String, bool)> {
    let graph = read_graph(path)?;
    let text = fs::read_to_string(observed)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", observed.display()))?;
    let observed: Observed = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{} is not an observed-state document: {e}",
            observed.display()
        )
    })?;
    let plan = wiring::plan(&graph, &observed);
    let text = match format {
        PlanFormat::Json => serde_json::to_string_pretty(&plan)?,
        PlanFormat::Text => plan_text(&plan),
    };
    Ok((text, !plan.blockers.is_empty()))
}

/// The plan as lines: one per call, then warnings and blockers.
pub fn plan_text(plan: &wiring::Plan) -> String {
    let mut out = String::new();
    if plan.is_empty() {
        out.push_str("No changes: live state already matches the draft.\n");
    }
    for (i, step) in plan.steps.iter().enumerate() {
        let args = step.action.summary();
        out.push_str(&format!(
            "{:>3}. {:<38} {args}\n     why: {}\n",
            i + 1,
            step.action.call(),
            step.reason
        ));
    }
    for w in &plan.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    for b in &plan.blockers {
        out.push_str(&format!("blocked: {b}\n"));
    }
    out.push_str(&format!("{} mutating call(s)\n", plan.mutating_calls()));
    out
}
