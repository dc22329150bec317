//! Helpers shared by the `aiprov enrich` integration tests (`tests/enrich_*.rs`).
//!
//! Use with `use crate::enrich_common;`; the binary runs through `crate::common`.
#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

/// The `aiprov:` properties of the object at `pointer`, in order.
pub fn props(doc: &Value, pointer: &str) -> Vec<(String, String)> {
    doc.pointer(&format!("{pointer}/properties"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p.get("name")?.as_str()?.to_string(),
                p.get("value")?.as_str()?.to_string(),
            ))
        })
        .filter(|(n, _)| n.starts_with("aiprov:"))
        .collect()
}

/// One property's value.
pub fn prop<'a>(props: &'a [(String, String)], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `output` minus aiprov's additions, with `version` and `metadata.timestamp` as in `input`
/// (and without the `signature` `--strip-signature` removed): must equal `input` minus its
/// signature, key order included.
pub fn assert_fidelity(label: &str, input: &Value, output: &Value) {
    let mut got = output.clone();
    aiprov::sbom::cyclonedx::strip_aiprov(&mut got);
    let out = got.as_object_mut().unwrap();
    match input.get("version") {
        Some(v) => {
            out.insert("version".into(), v.clone());
        }
        None => {
            out.shift_remove("version");
        }
    }
    let metadata = out
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
        .expect("output has metadata");
    match input.get("metadata").and_then(|m| m.get("timestamp")) {
        Some(t) => {
            metadata.insert("timestamp".into(), t.clone());
        }
        None => {
            metadata.shift_remove("timestamp");
        }
    }
    if input.get("metadata").is_none() && metadata.is_empty() {
        out.shift_remove("metadata");
    }
    let mut want = input.clone();
    want.as_object_mut().unwrap().shift_remove("signature");
    aiprov::sbom::cyclonedx::strip_aiprov(&mut want);
    assert_eq!(
        serde_json::to_string_pretty(&got).unwrap(),
        serde_json::to_string_pretty(&want).unwrap(),
        "{label}: the output minus aiprov's additions differs from the input"
    );
}

/// `a` and `b` equal apart from `version` and `metadata.timestamp`.
pub fn assert_same_but_version_and_time(label: &str, a: &Value, b: &Value) {
    let clean = |v: &Value| {
        let mut v = v.clone();
        let o = v.as_object_mut().unwrap();
        o.shift_remove("version");
        if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            m.shift_remove("timestamp");
        }
        serde_json::to_string_pretty(&v).unwrap()
    };
    assert_eq!(
        clean(a),
        clean(b),
        "{label}: the two runs differ beyond version and timestamp"
    );
}

/// The compiled evidence line schema (`schemas/evidence.schema.json`).
pub fn evidence_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/evidence.schema.json");
        let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .expect("the evidence schema compiles")
    })
}

/// Parse an evidence file, validating every line against the schema.
pub fn evidence_lines(text: &str) -> Vec<Value> {
    let validator = evidence_validator();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let v: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("evidence line {}: {e}", i + 1));
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "evidence line {} does not validate:\n{}\n{line}",
            i + 1,
            errors.join("\n")
        );
        out.push(v);
    }
    out
}

/// Files in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `aiprov commits REPO [--rev REV] --format summary` as JSON.
pub fn commits_summary(repo: &Path, rev: Option<&str>) -> Value {
    let mut args = vec!["commits", repo.to_str().unwrap(), "--format", "summary"];
    if let Some(r) = rev {
        args.extend(["--rev", r]);
    }
    let run = crate::common::aiprov(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

/// The properties `aiprov commits --format summary` implies for a component.
pub fn expected_counts(summary: &Value) -> Vec<(String, String)> {
    let n = |v: &Value| v.as_u64().unwrap();
    let total = n(&summary["commits"]);
    let classes = &summary["classes"];
    let ai = n(&classes["ai-agent"]) + n(&classes["ai-assisted"]);
    let mut out = vec![("aiprov:commits:total".to_string(), total.to_string())];
    for class in ["ai-agent", "ai-assisted", "automation", "no-evidence"] {
        out.push((
            format!("aiprov:commits:{class}"),
            n(&classes[class]).to_string(),
        ));
    }
    let share = if total == 0 {
        0.0
    } else {
        ai as f64 / total as f64
    };
    out.push(("aiprov:ai:share".into(), format!("{share:.4}")));
    let tools = summary["tools"].as_object().unwrap();
    let named: Vec<&str> = tools
        .keys()
        .map(String::as_str)
        .filter(|t| *t != "unspecified")
        .collect();
    if !named.is_empty() {
        out.push(("aiprov:ai:tools".into(), named.join(",")));
    }
    for (tool, count) in tools {
        out.push((format!("aiprov:ai:tool:{tool}"), n(count).to_string()));
    }
    for (key, name) in [
        ("ai_first", "aiprov:ai:first"),
        ("ai_last", "aiprov:ai:last"),
    ] {
        if let Some(t) = summary[key].as_str() {
            out.push((name.into(), t.to_string()));
        }
    }
    out.push((
        "aiprov:review:ai-with-evidence".into(),
        n(&summary["ai_with_review"]).to_string(),
    ));
    // Without review data, every AI commit without review trailers is not looked up.
    let ai = n(&summary["classes"]["ai-agent"]) + n(&summary["classes"]["ai-assisted"]);
    for (name, value) in [
        ("aiprov:review:ai-approved", 0),
        // Without review data every review trailer counts here (the five buckets sum to the
        // AI commits: docs/properties.md).
        (
            "aiprov:review:ai-trailer-reviewed",
            n(&summary["ai_with_review"]),
        ),
        ("aiprov:review:ai-merged-unapproved", 0),
        ("aiprov:review:ai-no-pull-request", 0),
        (
            "aiprov:review:ai-unknown",
            ai - n(&summary["ai_with_review"]),
        ),
    ] {
        out.push((name.into(), value.to_string()));
    }
    out.push(("aiprov:review:source".into(), "trailers".into()));
    out
}
