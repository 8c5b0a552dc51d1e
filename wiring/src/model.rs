//! The draft graph: resources and functions joined by typed edges, in its versioned JSON form.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The JSON schema version this crate reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A draft's wiring graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Graph {
    /// Always [`SCHEMA_VERSION`]; kept in the JSON so old documents stay readable.
    pub schema: u32,
    /// Nodes by id.
    #[serde(default)]
    pub nodes: BTreeMap<String, serde_json::Value>,
    /// Edges by id.
    #[serde(default)]
    pub edges: BTreeMap<String, serde_json::Value>,
}

impl Default for Graph {
    fn default() -> Self {
        Self {
            schema: SCHEMA_VERSION,
            nodes: BTreeMap::new(),
            edges: BTreeMap::new(),
        }
    }
}

/// Why a document is not a graph this crate can read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GraphError {
    /// The text is not JSON of the graph's shape.
    #[error("not a wiring graph: {0}")]
    Malformed(String),
    /// The document was written by a newer or older schema.
    #[error(
        "schema {found} is not supported; this version of Eventloom reads schema {SCHEMA_VERSION}"
    )]
    UnsupportedSchema {
        /// The `schema` field the document carries.
        found: u32,
    },
}

impl Graph {
    /// Reads a graph from its JSON form.
    pub fn from_json(text: &str) -> Result<Self, GraphError> {
        let graph: Graph =
            serde_json::from_str(text).map_err(|e| GraphError::Malformed(e.to_string()))?;
        if graph.schema != SCHEMA_VERSION {
            return Err(GraphError::UnsupportedSchema {
                found: graph.schema,
            });
        }
        Ok(graph)
    }

    /// The number of nodes, as shown in draft listings.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_graph_round_trips_through_json() {
        let g = Graph::default();
        let text = serde_json::to_string(&g).unwrap();
        assert_eq!(Graph::from_json(&text).unwrap(), g);
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
            Err(GraphError::Malformed(_))
        ));
    }
}
