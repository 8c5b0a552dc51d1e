//! Findings as text, JSON or SARIF 2.1.0, for `eventloom validate` and code-scanning UIs.

use crate::findings::{Code, Element, Finding, Severity};
use serde_json::{Value, json};

/// Human-readable lines, one per finding, then a count.
pub fn text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{:<7} {:<34} {}: {}\n",
            f.severity.as_str(),
            f.code.as_str(),
            f.at,
            f.message
        ));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("        fix: {}\n", fix.summary));
            for line in fix.cli.lines() {
                out.push_str(&format!("          $ {line}\n"));
            }
        }
    }
    let s = crate::findings::Summary::of(findings);
    out.push_str(&format!(
        "{} error(s), {} warning(s), {} note(s)\n",
        s.errors, s.warnings, s.infos
    ));
    out
}

/// The findings as a JSON array.
pub fn json(findings: &[Finding]) -> String {
    serde_json::to_string_pretty(findings).unwrap_or_else(|_| "[]".into())
}

/// A SARIF 2.1.0 log: one run, one rule per finding code, results located in `file`
/// with the element id as a logical location.
pub fn sarif(findings: &[Finding], file: &str) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": { "text": c.description() },
                "defaultConfiguration": { "level": level(c.severity()) },
                "helpUri": format!("https://eventloom.dev/checks#{}", c.as_str()),
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let (kind, name) = match &f.at {
                Element::Node(id) => ("node", id.to_string()),
                Element::Edge(id) => ("edge", id.to_string()),
                Element::Graph => ("draft", "draft".to_owned()),
            };
            let mut message = f.message.clone();
            if let Some(fix) = &f.fix {
                message.push_str(&format!("\nFix: {}", fix.summary));
                if !fix.cli.is_empty() {
                    message.push_str(&format!("\n{}", fix.cli));
                }
            }
            json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0),
                "level": level(f.severity),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": file } },
                    "logicalLocations": [{ "name": name, "kind": kind, "fullyQualifiedName": format!("{kind}s.{name}") }],
                }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "eventloom",
                "informationUri": "https://eventloom.dev",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sarif_names_the_rule_level_and_element_of_each_finding() {
        let findings = crate::validate(&crate::examples::thumbnail());
        let log = sarif(&findings, "thumbnail.json");
        assert_eq!(log["version"], "2.1.0");
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), findings.len());
        let first = &results[0];
        assert_eq!(first["ruleId"], findings[0].code.as_str());
        assert_eq!(first["level"], "error");
        assert_eq!(
            first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "thumbnail.json"
        );
        let idx = first["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"][idx]["id"],
            first["ruleId"]
        );
    }

    #[test]
    fn text_ends_with_the_counts() {
        let out = text(&crate::validate(&crate::examples::thumbnail()));
        assert!(
            out.trim_end()
                .ends_with("2 error(s), 1 warning(s), 0 note(s)"),
            "{out}"
        );
    }
}
