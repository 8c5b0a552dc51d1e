//! Request and response shapes shared by the UI, the server functions and the REST API.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// A draft as listed: enough to find it and judge its size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftSummary {
    /// The draft's id.
    pub id: Uuid,
    /// Its name, unique only by convention.
    pub name: String,
    /// Nodes in its graph.
    pub node_count: u32,
    /// When it was created (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What it takes to create a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDraft {
    /// The name; 1 to 120 characters after trimming.
    pub name: String,
}

/// The longest draft name accepted.
pub const MAX_DRAFT_NAME: usize = 120;

impl NewDraft {
    /// The trimmed name, or why it cannot be used.
    pub fn clean_name(&self) -> Result<String, super::ApiError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(super::ApiError::invalid(
                "name",
                "Give the draft a name, e.g. \"orders-pipeline\".",
            ));
        }
        if name.chars().count() > MAX_DRAFT_NAME {
            return Err(super::ApiError::invalid(
                "name",
                format!("Draft names are at most {MAX_DRAFT_NAME} characters."),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(super::ApiError::invalid(
                "name",
                "Draft names cannot contain control characters.",
            ));
        }
        Ok(name.to_owned())
    }
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
        let err = NewDraft { name: "   ".into() }.clean_name().unwrap_err();
        assert!(
            matches!(err, super::super::ApiError::Invalid { field: Some(f), .. } if f == "name")
        );
    }

    #[test]
    fn names_are_trimmed() {
        let name = NewDraft {
            name: "  orders  ".into(),
        }
        .clean_name()
        .unwrap();
        assert_eq!(name, "orders");
    }

    #[test]
    fn an_overlong_name_is_refused() {
        let long = "x".repeat(MAX_DRAFT_NAME + 1);
        assert!(NewDraft { name: long }.clean_name().is_err());
    }
}
