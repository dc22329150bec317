//! Issue 4 through the binary: every SBOM under `<shared>/sboms` (all formats) goes through
//! `aiprov enrich --offline` with an empty mirror folder; the output is in the input's format and
//! version, validates against its official schema whenever the input does, and enriching it
//! again gives the same document apart from the CycloneDX `version`. `--output-format` refuses
//! conversions. The real aider SBOM in XML against the corpus mirrors gives the JSON run's values.

use crate::common::{self, aiprov_with};
use crate::enrich_common;
use crate::schema;
use crate::spdx_schema;
use crate::xsd;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aiprov::sbom::{self, Format, ReadOptions};
use enrich_common::{commits_summary, expected_counts, prop};
use serde_json::Value;

const EPOCH: &str = "1767225600";

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// `aiprov enrich IN -o OUT --offline` with empty mirror and cache folders (the same ones in
/// every run: reasons name the folders looked in); the run's stderr.
fn enrich(input: &Path, output: &Path, extra: &[&str]) -> Result<String, String> {
    static EMPTY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let empty = EMPTY.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("aiprov-empty")
            .tempdir()
            .unwrap()
            .keep()
    });
    let (mirrors, cache) = (empty.join("mirrors"), empty.join("cache"));
    std::fs::create_dir_all(&mirrors).unwrap();
    let mut args = vec![
        "enrich",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
        "--offline",
        "--mirror-dir",
        mirrors.to_str().unwrap(),
        "--cache-dir",
        cache.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = aiprov_with(&args, None, &[("SOURCE_DATE_EPOCH", EPOCH)]);
    if run.code == 0 {
        Ok(run.stderr)
    } else {
        Err(format!("exit {}: {}", run.code, run.stderr))
    }
}

fn read(path: &Path) -> sbom::Document {
    let bytes = std::fs::read(path).unwrap();
    sbom::read(&path.display().to_string(), &bytes, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Input valid ⇒ output valid, per JSON schema.
fn json_no_less_valid(
    validate: fn(&Value, &Path) -> Result<(), Vec<String>>,
    input: &Path,
    output: &Path,
    shared: &Path,
) -> Result<(), String> {
    let json = |p: &Path| -> Value { serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap() };
    match (
        validate(&json(input), shared),
        validate(&json(output), shared),
    ) {
        (Err(_), _) | (Ok(()), Ok(())) => Ok(()),
        (Ok(()), Err(e)) => Err(format!("output does not validate:\n  {}", e.join("\n  "))),
    }
}

/// The second run's output with the fields a run owns normalized: CycloneDX `version`.
fn normalized(format: Format, bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    match format {
        Format::CycloneDxJson { .. } => {
            let mut v: Value = serde_json::from_str(&text).unwrap();
            v.as_object_mut().unwrap().shift_remove("version");
            v.to_string()
        }
        Format::CycloneDxXml { .. } => {
            let re = regex::Regex::new(r#"^((?s).*?<[^!?][^>]*?\sversion=["'])\d+"#).unwrap();
            re.replace(&text, "${1}N").into_owned()
        }
        _ => text,
    }
}

#[test]
#[ignore = "needs ../shared"]
fn every_shared_sbom_enriches_through_the_binary_in_its_own_format_and_validates() {
    let shared = common::shared();
    let mut files = Vec::new();
    files_under(&shared.join("sboms"), &mut files);
    let out_dir = tempfile::tempdir().unwrap();
    let mut problems: Vec<String> = Vec::new();
    let mut xml: BTreeMap<String, Vec<(PathBuf, PathBuf)>> = BTreeMap::new();
    let mut per_format: BTreeMap<String, usize> = BTreeMap::new();
    for (k, input) in files.iter().enumerate() {
        let label = input.display().to_string();
        let doc = read(input);
        let format = doc.format();
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let (once, twice) = (
            out_dir.path().join(format!("{k}-1-{name}")),
            out_dir.path().join(format!("{k}-2-{name}")),
        );
        if let Err(e) = enrich(input, &once, &[]) {
            problems.push(format!("{label}: {e}"));
            continue;
        }
        let out = read(&once);
        if out.format() != format {
            problems.push(format!(
                "{label}: written as {} instead of {format}",
                out.format()
            ));
        }
        if out.inventory().components != doc.inventory().components {
            problems.push(format!("{label}: the components changed"));
        }
        let minor2 = matches!(
            format,
            Format::CycloneDxJson { minor: 2 } | Format::CycloneDxXml { minor: 2 }
        );
        if !minor2 && out.aiprov_properties().summary.is_empty() {
            problems.push(format!("{label}: no aiprov summary in the output"));
        }
        // Twice equals once (same SOURCE_DATE_EPOCH; CycloneDX version + 1 again).
        match enrich(&once, &twice, &[]) {
            Err(e) => problems.push(format!("{label}: second run: {e}")),
            Ok(_) => {
                let (a, b) = (
                    std::fs::read(&once).unwrap(),
                    std::fs::read(&twice).unwrap(),
                );
                if normalized(format, &a) != normalized(format, &b) {
                    problems.push(format!("{label}: enriching twice differs from once"));
                }
            }
        }
        let validity = match format {
            Format::CycloneDxJson { .. } => {
                json_no_less_valid(schema::validate_cyclonedx, input, &once, &shared)
            }
            Format::SpdxJson { .. } => {
                json_no_less_valid(spdx_schema::validate_spdx2, input, &once, &shared)
            }
            Format::Spdx3JsonLd => {
                json_no_less_valid(spdx_schema::validate_spdx3, input, &once, &shared)
            }
            Format::CycloneDxXml { minor } => {
                xml.entry(format!("1.{minor}"))
                    .or_default()
                    .push((input.clone(), once.clone()));
                Ok(())
            }
            // No official schema for tag-value: it reads back (above) in the same format.
            Format::SpdxTagValue { .. } => Ok(()),
        };
        if let Err(e) = validity {
            problems.push(format!("{label}: {e}"));
        }
        *per_format.entry(format!("{format}")).or_default() += 1;
    }
    if let Some(lint) = xsd::xmllint() {
        for (version, pairs) in xml {
            let inputs: Vec<PathBuf> = pairs.iter().map(|(i, _)| i.clone()).collect();
            let outputs: Vec<PathBuf> = pairs.iter().map(|(_, o)| o.clone()).collect();
            let bad_inputs: Vec<PathBuf> = xsd::xsd_validate(lint, &shared, &version, &inputs)
                .into_iter()
                .map(|(f, _)| f)
                .collect();
            for (out, why) in xsd::xsd_validate(lint, &shared, &version, &outputs) {
                let input = &pairs.iter().find(|(_, o)| *o == out).unwrap().0;
                if !bad_inputs.contains(input) {
                    problems.push(format!(
                        "{}: output does not validate against bom-{version}.xsd: {why}",
                        input.display()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every format the shared folder holds was covered.
    for kind in [
        "CycloneDX 1.6 JSON",
        "CycloneDX 1.6 XML",
        "SPDX 2.3 JSON",
        "SPDX 2.2 tag-value",
        "SPDX 3.0.1 JSON-LD",
    ] {
        assert!(
            per_format.contains_key(kind),
            "{kind} not covered: {per_format:?}"
        );
    }
    eprintln!("enriched through the binary: {per_format:?}");
}

#[test]
#[ignore = "needs ../shared"]
fn output_format_refuses_every_conversion_and_writes_nothing() {
    let shared = common::shared();
    let input = shared.join("sboms/cdx16-npm-deps-from-git.cdx.json");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for wanted in [
        "cyclonedx-xml",
        "spdx-json",
        "spdx-tv",
        "spdx3",
        "cyclonedx-json@1.5",
        "cyclonedx-json@1.7",
    ] {
        let err = enrich(&input, &out, &["--output-format", wanted]).unwrap_err();
        assert!(err.starts_with("exit 2: "), "{wanted}: {err}");
        assert!(
            err.contains(&format!(
                "--output-format {wanted}: cannot convert CycloneDX 1.6 JSON to "
            )),
            "{wanted}: {err}"
        );
        assert!(!out.exists(), "{wanted}: nothing written");
    }
    let from = sbom::Format::CycloneDxJson { minor: 6 };
    let why = sbom::can_convert(from, sbom::Format::SpdxJson { minor: 3 }).unwrap_err();
    let err = enrich(&input, &out, &["--output-format", "spdx-json@2.3"]).unwrap_err();
    assert!(err.contains(&why), "the message is can_convert's: {err}");
    let err = enrich(&input, &out, &["--output-format", "yaml"]).unwrap_err();
    assert!(
        err.starts_with("exit 2: ") && err.contains("unknown format"),
        "{err}"
    );
    // The input's own format, with or without its version, is no conversion.
    for same in ["cyclonedx-json", "cyclonedx-json@1.6"] {
        enrich(&input, &out, &["--output-format", same]).unwrap();
        assert_eq!(read(&out).format(), from);
    }
}

#[test]
fn spdx_described_packages_are_the_subject_not_components() {
    // A document that DESCRIBES one package of three: that one is the subject.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.spdx.json");
    let doc = serde_json::json!({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "app",
        "documentNamespace": "https://example.invalid/app-1",
        "creationInfo": {"created": "2025-01-01T00:00:00Z", "creators": ["Tool: gen-1"]},
        "documentDescribes": ["SPDXRef-app"],
        "packages": [
            {"SPDXID": "SPDXRef-app", "name": "app", "downloadLocation": "NOASSERTION"},
            {"SPDXID": "SPDXRef-a", "name": "a", "versionInfo": "1.0", "downloadLocation": "NOASSERTION"},
            {"SPDXID": "SPDXRef-b", "name": "b", "versionInfo": "2.0", "downloadLocation": "NOASSERTION"}
        ],
        "relationships": [
            {"spdxElementId": "SPDXRef-app", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-a"},
            {"spdxElementId": "SPDXRef-app", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-b"}
        ]
    });
    std::fs::write(&input, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let out = dir.path().join("out.spdx.json");
    let stderr = enrich(&input, &out, &[]).unwrap();
    assert!(
        stderr.contains("1 described root package taken as the document's subject"),
        "{stderr}"
    );
    assert!(
        stderr.contains("aiprov: 2 components: 2 no-repository"),
        "{stderr}"
    );
    let written = read(&out);
    let props = written.aiprov_properties();
    let annotated: Vec<&str> = written
        .inventory()
        .components
        .iter()
        .filter(|c| props.components.contains_key(&c.locator))
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(annotated, ["a", "b"]);
    assert!(
        props
            .summary
            .iter()
            .any(|(n, v)| n == "aiprov:summary:components" && v == "2"),
        "{:?}",
        props.summary
    );
}

#[test]
#[ignore = "needs ../shared"]
fn aider_xml_gives_the_json_values_against_the_corpus() {
    let shared = common::shared();
    let mirrors = common::corpus_mirrors();
    let dir = tempfile::tempdir().unwrap();
    let mut values: Vec<Vec<Vec<(String, String)>>> = Vec::new();
    for (name, file) in [("json", "aider-env.cdx.json"), ("xml", "aider-env.cdx.xml")] {
        let out = dir.path().join(format!("out.{name}"));
        let run = aiprov_with(
            &[
                "enrich",
                shared.join("sboms/real").join(file).to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                "--offline",
                "--mirror-dir",
                mirrors.to_str().unwrap(),
                "--cache-dir",
                dir.path().join("cache").to_str().unwrap(),
            ],
            None,
            &[("SOURCE_DATE_EPOCH", EPOCH)],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let doc = read(&out);
        let props = doc.aiprov_properties();
        values.push(
            doc.inventory()
                .components
                .iter()
                .map(|c| {
                    props
                        .components
                        .get(&c.locator)
                        .cloned()
                        .unwrap_or_default()
                })
                .collect(),
        );
        if name == "xml" {
            assert!(
                matches!(doc.format(), Format::CycloneDxXml { minor: 5 }),
                "{}",
                doc.format()
            );
            let (i, _) = doc
                .inventory()
                .components
                .iter()
                .enumerate()
                .find(|(_, c)| c.name == "aider-chat")
                .unwrap();
            let p = &values[1][i];
            let summary = commits_summary(
                &mirrors.join("github.com/Aider-AI/aider.git"),
                Some("v0.86.1"),
            );
            assert_eq!(prop(p, "aiprov:status"), Some("analyzed"));
            assert_eq!(prop(p, "aiprov:revision"), summary["revision"].as_str());
            assert_eq!(prop(p, "aiprov:revision:source"), Some("tag"));
            let counts: Vec<(String, String)> = p
                .iter()
                .filter(|(n, _)| {
                    n.starts_with("aiprov:commits:")
                        || n.starts_with("aiprov:ai:")
                        || n.starts_with("aiprov:review:")
                })
                .cloned()
                .collect();
            assert_eq!(counts, expected_counts(&summary));
            if let Some(lint) = xsd::xmllint() {
                let bad = xsd::xsd_validate(lint, &shared, "1.5", std::slice::from_ref(&out));
                assert!(bad.is_empty(), "{bad:?}");
            }
        }
    }
    assert_eq!(values[0].len(), 140);
    assert_eq!(
        values[0], values[1],
        "the XML run gives every component the JSON run's values"
    );
}
