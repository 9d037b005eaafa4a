//! The JSON Schema of the design file, derived from the model (schemars), for editors that
//! complete and check design files as they are typed: taplo and Even Better TOML read it from
//! a `#:schema` line, JSON editors from `$schema`. `assets/infraplan.schema.json` is this text,
//! and a test fails when it is stale.

use crate::model::Design;

/// Where the committed copy lives, from the repository's root.
pub const ASSET: &str = "assets/infraplan.schema.json";

/// The schema as pretty JSON, ending in a newline; the same bytes on every run.
pub fn json() -> String {
    let mut schema = schemars::schema_for!(Design);
    schema.insert(
        "title".into(),
        serde_json::Value::String("infraplan design file".into()),
    );
    schema.insert(
        "description".into(),
        serde_json::Value::String(
            "A web infrastructure design: DNS records, servers, clusters, components, links and accepted risks. See docs/format.md.".into(),
        ),
    );
    // Serializing a JSON value cannot fail.
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_schema_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(ASSET);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == json(),
            "{ASSET} is stale: run `cargo run -- schema -o {ASSET}` and commit it"
        );
    }

    #[test]
    fn the_reference_designs_and_templates_match_the_schema() {
        let schema: serde_json::Value = serde_json::from_str(&json()).expect("JSON");
        let validator = jsonschema::validator_for(&schema).expect("a valid schema");
        for name in crate::templates::names() {
            let design = crate::templates::template(name).expect("template");
            let value = serde_json::to_value(&design).expect("value");
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{name}: {errors:?}");
        }
        // And it refuses what the loader refuses: an unknown key, an unknown kind.
        let bad = serde_json::json!({"version": 1, "name": "x", "colour": "red"});
        assert!(!validator.is_valid(&bad));
        let bad = serde_json::json!({"version": 1, "name": "x",
            "components": [{"id": "a", "kind": "mainframe"}]});
        assert!(!validator.is_valid(&bad));
    }
}
