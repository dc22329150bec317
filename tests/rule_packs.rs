//! Every shipped rule pack validates against `schemas/rule-pack.schema.json` and is embedded.

use std::path::Path;

#[test]
fn shipped_packs_validate_against_the_pack_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("schemas/rule-pack.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the pack schema compiles");
    let mut files: Vec<_> = std::fs::read_dir(root.join("enrichers"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        aiprov::classify::pack::BUILTIN_PACKS.len(),
        "every pack in enrichers/ is embedded"
    );
    let mut rules = 0;
    for f in &files {
        let rel = format!("enrichers/{}", f.file_name().unwrap().to_str().unwrap());
        assert!(
            aiprov::classify::pack::BUILTIN_PACKS
                .iter()
                .any(|(p, _)| *p == rel),
            "{rel} is not embedded"
        );
        let toml: toml::Value = toml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let json = serde_json::to_value(&toml).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{rel}: {} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        rules += json["rule"].as_array().map(Vec::len).unwrap_or(0);
    }
    assert_eq!(
        rules,
        aiprov::classify::RuleSet::builtin().unwrap().rules().len()
    );
}

#[test]
fn the_schema_rejects_a_rule_without_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("schemas/rule-pack.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let pack = serde_json::json!({"schema": 1, "id": "x", "description": "d", "rule": [{
        "id": "x.y", "class": "ai-agent", "confidence": "high", "field": "subject", "pattern": "a", "source": "s",
        "example": [], "counter-example": [{}]
    }]});
    assert!(!validator.is_valid(&pack));
}
