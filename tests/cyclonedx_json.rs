//! CycloneDX JSON against the official schemas and real documents: the validator itself on the
//! specification's own valid test documents, then read → enrich → validate, fidelity and
//! idempotence on every CycloneDX JSON document in the shared folder.

use crate::common;
use crate::schema;

use std::path::{Path, PathBuf};

use aiprov::resolve::{resolve_repository, Resolution};
use aiprov::sbom::cyclonedx::{self, Document, Edits, ReadOptions, WriteOptions};
use serde_json::Value;
use time::macros::datetime;

const SPEC_VERSIONS: &[&str] = &["1.4", "1.5", "1.6", "1.7"];

fn spec_valid_files(shared: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for v in SPEC_VERSIONS {
        let dir = shared.join("spec-tests/cyclonedx").join(v);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("valid-") && name.ends_with(".json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn json_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn load(path: &Path) -> (Vec<u8>, Value) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value =
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (bytes, value)
}

/// (a) The validator accepts the specification's own valid documents.
#[test]
#[ignore = "needs ../shared"]
fn spec_valid_documents_validate() {
    let shared = common::shared();
    let files = spec_valid_files(&shared);
    assert!(
        files.len() > 150,
        "expected the full spec test suite, found {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let (_, value) = load(path);
        if let Err(errors) = schema::validate_cyclonedx(&value, &shared) {
            failures.push(format!("{}:\n  {}", path.display(), errors.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} valid spec documents fail validation:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// The validator is not a no-op: the spec's invalid documents mostly fail.
#[test]
#[ignore = "needs ../shared"]
fn spec_invalid_documents_fail_validation() {
    let shared = common::shared();
    let mut total = 0;
    let mut passed = Vec::new();
    for v in SPEC_VERSIONS {
        let dir = shared.join("spec-tests/cyclonedx").join(v);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !(name.starts_with("invalid-") && name.ends_with(".json")) {
                continue;
            }
            total += 1;
            let Ok(value) = serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap()) else {
                continue;
            };
            if schema::validate_cyclonedx(&value, &shared).is_ok() {
                passed.push(name);
            }
        }
    }
    assert!(total > 80, "{total}");
    assert!(
        passed.is_empty(),
        "invalid spec documents that validate: {passed:?}"
    );
}

fn edits_for(doc: &Document) -> Edits {
    let mut e = Edits::default();
    let mut analyzed = 0;
    for c in &doc.inventory.components {
        match resolve_repository(c, None) {
            Resolution::Url {
                repo,
                pinned_commit,
                ..
            } => {
                analyzed += 1;
                e.component(&c.locator, "aiprov:status", "analyzed");
                e.component(&c.locator, "aiprov:repository", repo.to_string());
                if let Some(rev) = pinned_commit {
                    e.component(&c.locator, "aiprov:revision", rev);
                    e.component(&c.locator, "aiprov:revision:source", "sbom");
                }
                e.component(&c.locator, "aiprov:commits:total", "3");
                e.component(&c.locator, "aiprov:commits:ai-agent", "1");
                e.component(&c.locator, "aiprov:ai:share", "0.3333");
            }
            Resolution::Path { .. } => unreachable!("no repo map"),
            Resolution::None { reason } => {
                e.component(&c.locator, "aiprov:status", "no-repository");
                e.component(&c.locator, "aiprov:status:reason", reason);
            }
        }
    }
    e.summary(
        "aiprov:summary:components",
        doc.inventory.components.len().to_string(),
    );
    e.summary("aiprov:summary:analyzed", analyzed.to_string());
    e
}

fn write_opts() -> WriteOptions {
    WriteOptions {
        tool_version: "0.1.0".into(),
        timestamp: datetime!(2026-09-01 12:00:00 UTC),
        strip_signature: true,
    }
}

/// `output` with aiprov's additions removed and `version` / `metadata.timestamp` as in `input`.
fn restore(mut output: Value, input: &Value) -> Value {
    cyclonedx::strip_aiprov(&mut output);
    let out = output.as_object_mut().unwrap();
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
        .unwrap();
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
    output
}

/// (b) read → enrich → valid output, nothing else changed, idempotent.
#[test]
#[ignore = "needs ../shared"]
fn enrich_round_trip_on_every_cyclonedx_json() {
    let shared = common::shared();
    let mut files = spec_valid_files(&shared);
    json_files_under(&shared.join("sboms"), &mut files);
    json_files_under(&shared.join("examples"), &mut files);
    let mut checked = 0;
    let mut components = 0;
    let mut problems = Vec::new();
    for path in &files {
        let label = path.display().to_string();
        let (bytes, input) = load(path);
        if input.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
            continue; // SPDX and friends
        }
        let signed = input.get("signature").is_some();
        if signed {
            assert!(
                matches!(
                    cyclonedx::read(&label, &bytes),
                    Err(aiprov::sbom::Error::Signed { .. })
                ),
                "{label}"
            );
        }
        let doc = match cyclonedx::read_with(
            &label,
            &bytes,
            &ReadOptions {
                strip_signature: true,
            },
        ) {
            Ok(d) => d,
            Err(e) => {
                problems.push(format!("read: {e}"));
                continue;
            }
        };
        assert_eq!(doc.signed, signed);
        checked += 1;
        components += doc.inventory.components.len();
        let input_valid = schema::validate_cyclonedx(&input, &shared);
        let edits = edits_for(&doc);
        let first = cyclonedx::write(&doc, &edits, &write_opts());
        if doc.spec_version >= (1, 3) {
            assert!(first.warnings.is_empty(), "{label}: {:?}", first.warnings);
        } else {
            assert_eq!(first.warnings.len(), 1, "{label}: {:?}", first.warnings);
        }
        assert!(first.bytes.ends_with(b"}\n"), "{label}");
        let output: Value = serde_json::from_slice(&first.bytes).unwrap();

        // valid against the official schema (when the input was)
        match (&input_valid, schema::validate_cyclonedx(&output, &shared)) {
            (Ok(()), Err(errors)) => problems.push(format!(
                "{label}: output does not validate:\n  {}",
                errors.join("\n  ")
            )),
            (Err(_), _) => problems.push(format!(
                "{label}: input does not validate (output not checked)"
            )),
            _ => {}
        }

        // every component carries its properties
        if doc.spec_version >= (1, 3) {
            for c in &doc.inventory.components {
                let props = output
                    .pointer(&format!("{}/properties", c.locator))
                    .and_then(Value::as_array);
                let ours: Vec<(&str, &str)> = props
                    .into_iter()
                    .flatten()
                    .filter_map(|p| Some((p.get("name")?.as_str()?, p.get("value")?.as_str()?)))
                    .filter(|(n, _)| n.starts_with("aiprov:"))
                    .collect();
                let want: Vec<(&str, &str)> = edits.components[&c.locator]
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                assert_eq!(ours, want, "{label} {}", c.locator);
            }
        }
        assert_eq!(
            output["version"],
            Value::from(input.get("version").and_then(Value::as_u64).unwrap_or(1) + 1),
            "{label}"
        );
        assert_eq!(
            output["metadata"]["timestamp"], "2026-09-01T12:00:00Z",
            "{label}"
        );
        assert_eq!(
            output.get("serialNumber"),
            input.get("serialNumber"),
            "{label}"
        );
        assert!(output.get("signature").is_none(), "{label}");

        // fidelity: output minus our additions == input (key order included)
        let mut want = input.clone();
        want.as_object_mut().unwrap().shift_remove("signature");
        cyclonedx::strip_aiprov(&mut want);
        let got = restore(output.clone(), &input);
        assert_eq!(
            serde_json::to_string_pretty(&got).unwrap(),
            serde_json::to_string_pretty(&want).unwrap(),
            "{label}: output minus aiprov's additions differs from the input"
        );

        // idempotence: a second run changes only version
        let again = cyclonedx::read(&label, &first.bytes).unwrap();
        assert_eq!(again.inventory, doc.inventory, "{label}");
        let second = cyclonedx::write(&again, &edits_for(&again), &write_opts());
        let mut second: Value = serde_json::from_slice(&second.bytes).unwrap();
        assert_eq!(
            second["version"],
            Value::from(output["version"].as_u64().unwrap() + 1),
            "{label}"
        );
        second["version"] = output["version"].clone();
        assert_eq!(
            serde_json::to_string(&second).unwrap(),
            serde_json::to_string(&output).unwrap(),
            "{label}: second run differs"
        );
    }
    assert!(checked > 170, "only {checked} CycloneDX documents found");
    assert!(components > 2000, "{components}");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Repository resolution on the real SBOMs finds what their generators recorded.
#[test]
#[ignore = "needs ../shared"]
fn real_sboms_resolve_repositories() {
    let shared = common::shared();
    let count = |file: &str| {
        let (bytes, _) = load(&shared.join("sboms").join(file));
        let doc = cyclonedx::read(file, &bytes).unwrap();
        let found = doc
            .inventory
            .components
            .iter()
            .filter(|c| matches!(resolve_repository(c, None), Resolution::Url { .. }))
            .count();
        (doc.inventory.components.len(), found, doc)
    };
    let (total, found, doc) = count("real/aider-env.cdx.json");
    assert_eq!(total, 140);
    assert!(found >= 100, "{found} of {total}");
    let aider = doc
        .inventory
        .components
        .iter()
        .find(|c| c.name == "aider-chat")
        .unwrap();
    match resolve_repository(aider, None) {
        Resolution::Url { repo, .. } => {
            assert_eq!(repo.to_string(), "https://github.com/Aider-AI/aider")
        }
        other => panic!("{other:?}"),
    }
    let (total, found, _) = count("cdx16-npm-juice-shop.cdx.json");
    assert_eq!(total, 1101);
    assert!(found >= 1050, "{found} of {total}");
    let (_, _, doc) = count("cdx16-npm-deps-from-git.cdx.json");
    let pinned = doc
        .inventory
        .components
        .iter()
        .filter(|c| {
            matches!(
                resolve_repository(c, None),
                Resolution::Url {
                    pinned_commit: Some(_),
                    ..
                }
            )
        })
        .count();
    assert!(
        pinned > 0,
        "git dependencies carry their commit in purl download_url"
    );
    let (total, found, _) = count("cdx15-gomod-minikube-v1.23.1.cdx.json");
    assert!(found >= 140, "{found} of {total}");
}
