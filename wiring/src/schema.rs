//! The published JSON Schema of the graph document (`"schema": 1`).

/// The graph's JSON Schema, as served at `/api/schema/graph.json`.
pub fn graph_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(crate::model::Graph);
    schema.insert(
        "$id".into(),
        "https://eventloom.dev/schema/graph-1.json".into(),
    );
    schema.insert("title".into(), "Eventloom wiring graph, schema 1".into());
    schema.to_value()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_schema_describes_every_node_kind() {
        let text = super::graph_schema().to_string();
        for e in crate::catalog::entries() {
            assert!(text.contains(&format!("\"{}\"", e.key)), "{}", e.key);
        }
    }
}
