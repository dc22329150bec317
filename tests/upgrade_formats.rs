//! Issue 14: CycloneDX 1.2 results in the document, the lossless upgrade to 1.6
//! (`--output-format cyclonedx-json@1.6` / `cyclonedx-xml@1.6`) on every 1.2–1.5 document of
//! `../shared`, and SPDX 3 enrichment that leaves the original CreationInfo and elements alone.

use crate::common::{self, aiprov, aiprov_with};
use crate::{schema, spdx_schema, xsd};

use std::path::{Path, PathBuf};

use aiprov::sbom::{self, Format, ReadOptions};
use serde_json::{json, Value};

const EPOCH: (&str, &str) = ("SOURCE_DATE_EPOCH", "1788264000"); // 2026-09-01T12:00:00Z
const PROPS_NS: &str = "https://github.com/aiprov/aiprov/schemas/cyclonedx-properties/1";

/// Every file under `dir`, recursively, sorted.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The CycloneDX 1.2–1.5 documents (JSON and XML) of `../shared`: `sboms/`, the spec tests'
/// `valid-*` files, `examples/`.
fn shared_old_cyclonedx(shared: &Path) -> Vec<(PathBuf, Format)> {
    let mut files = Vec::new();
    for d in ["sboms", "spec-tests/cyclonedx", "examples"] {
        files_under(&shared.join(d), &mut files);
    }
    files
        .into_iter()
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("invalid-")
        })
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            let f = sbom::detect::detect(&p.display().to_string(), &bytes).ok()?;
            match f {
                Format::CycloneDxJson { minor: 2..=5 } | Format::CycloneDxXml { minor: 2..=5 } => {
                    Some((p, f))
                }
                _ => None,
            }
        })
        .collect()
}

fn read_any(path: &Path) -> sbom::Document {
    let bytes = std::fs::read(path).unwrap();
    sbom::read(
        &path.display().to_string(),
        &bytes,
        &ReadOptions {
            strip_signature: true,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The upgraded JSON mapped back to the input's version: `specVersion`, `$schema`, and (from
/// 1.5 and older) every `evidence.identity` array of one that was an object.
fn map_back(mut out: Value, input: &Value) -> Value {
    out["specVersion"] = input["specVersion"].clone();
    if let Some(s) = input.get("$schema") {
        out["$schema"] = s.clone();
    }
    fn unwrap_identity(out: &mut Value, input: &Value) {
        match (out, input) {
            (Value::Object(o), Value::Object(i)) => {
                for (k, iv) in i {
                    if let Some(ov) = o.get_mut(k) {
                        if k == "identity"
                            && iv.is_object()
                            && ov.as_array().is_some_and(|a| a.len() == 1)
                        {
                            *ov = ov[0].take();
                        }
                        unwrap_identity(ov, iv);
                    }
                }
            }
            (Value::Array(o), Value::Array(i)) => {
                for (ov, iv) in o.iter_mut().zip(i) {
                    unwrap_identity(ov, iv);
                }
            }
            _ => {}
        }
    }
    unwrap_identity(&mut out, input);
    out
}

/// Every leaf of `v` as (JSON pointer, value), for a comparison that names what differs.
fn leaves(v: &Value, at: String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            if m.is_empty() {
                out.push((at.clone(), "{}".into()));
            }
            for (k, x) in m {
                leaves(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            if a.is_empty() {
                out.push((at.clone(), "[]".into()));
            }
            for (i, x) in a.iter().enumerate() {
                leaves(x, format!("{at}/{i}"), out);
            }
        }
        other => out.push((at, other.to_string())),
    }
}

#[test]
#[ignore = "needs ../shared"]
fn upgrade_every_shared_1_2_to_1_5_document_to_1_6() {
    let shared = common::shared();
    let docs = shared_old_cyclonedx(&shared);
    let count = |f: fn(&Format) -> bool| docs.iter().filter(|(_, x)| f(x)).count();
    // what ../shared holds (grep -l of the specVersion / namespace, without invalid-*)
    assert_eq!(
        (
            count(|f| matches!(f, Format::CycloneDxJson { minor: 2 })),
            count(|f| matches!(f, Format::CycloneDxJson { minor: 3 })),
            count(|f| matches!(f, Format::CycloneDxJson { minor: 4 })),
            count(|f| matches!(f, Format::CycloneDxJson { minor: 5 })),
            count(|f| matches!(f, Format::CycloneDxXml { minor: 2 })),
            count(|f| matches!(f, Format::CycloneDxXml { minor: 3 })),
            count(|f| matches!(f, Format::CycloneDxXml { minor: 4 })),
            count(|f| matches!(f, Format::CycloneDxXml { minor: 5 })),
        ),
        (4, 0, 30, 37, 3, 1, 32, 39)
    );
    let mut problems = Vec::new();
    let (mut leaves_compared, mut json_valid, mut json_judged) = (0usize, 0usize, 0usize);
    let mut urls_encoded = 0usize;
    let xmllint = xsd::xmllint();
    let out_dir = tempfile::tempdir().unwrap();
    let mut xml_pairs: Vec<(PathBuf, PathBuf, String)> = Vec::new();
    for (i, (path, format)) in docs.iter().enumerate() {
        let label = path.strip_prefix(&shared).unwrap().display().to_string();
        let doc = read_any(path);
        let to = match format {
            Format::CycloneDxJson { .. } => Format::CycloneDxJson { minor: 6 },
            _ => Format::CycloneDxXml { minor: 6 },
        };
        let up = match doc.upgrade(to) {
            Ok(Some(up)) => up,
            other => {
                problems.push(format!("{label}: {other:?}"));
                continue;
            }
        };
        assert_eq!(up.format(), to);
        // same components at the same locators (URLs may be percent-encoded, see below)
        let ids = |d: &sbom::Document| -> Vec<(String, Option<String>, String, Option<String>)> {
            d.inventory()
                .components
                .iter()
                .map(|c| {
                    (
                        c.locator.clone(),
                        c.bom_ref.clone(),
                        c.name.clone(),
                        c.purl.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(ids(&up), ids(&doc), "{label}");
        match (&doc, &up) {
            (sbom::Document::CycloneDxJson(a), sbom::Document::CycloneDxJson(b)) => {
                // valid against 1.6 whenever the input is valid against its own version
                if schema::validate_cyclonedx(&a.value, &shared).is_ok() {
                    json_judged += 1;
                    match schema::validate_cyclonedx(&b.value, &shared) {
                        Ok(()) => json_valid += 1,
                        Err(e) => problems.push(format!("{label}: not valid 1.6: {e:?}")),
                    }
                }
                assert_eq!(b.value["specVersion"], json!("1.6"));
                // lossless: every leaf, after mapping the renamed fields back
                let (mut want, mut got) = (Vec::new(), Vec::new());
                leaves(&a.value, String::new(), &mut want);
                leaves(
                    &map_back(b.value.clone(), &a.value),
                    String::new(),
                    &mut got,
                );
                leaves_compared += want.len();
                // 1.2 -> 1.3: URLs percent-encoded where no IRI may hold a character
                let url_key = |p: &str| {
                    p.rsplit('/')
                        .find(|s| s.parse::<usize>().is_err())
                        .is_some_and(|k| matches!(k, "url" | "endpoints" | "references"))
                };
                let mut encoded = 0;
                if a.spec_version.1 == 2 {
                    for (p, v) in want.iter_mut() {
                        if let (true, Ok(Value::String(s))) =
                            (url_key(p), serde_json::from_str::<Value>(v))
                        {
                            if let Some(e) = sbom::cyclonedx::iri_encoded(&s) {
                                *v = Value::String(e).to_string();
                                encoded += 1;
                            }
                        }
                    }
                }
                urls_encoded += encoded;
                if want != got {
                    let first = want
                        .iter()
                        .zip(&got)
                        .find(|(w, g)| w != g)
                        .map(|(w, g)| format!("{w:?} became {g:?}"));
                    problems.push(format!(
                        "{label}: {} leaves in, {} out; first difference {first:?}",
                        want.len(),
                        got.len()
                    ));
                }
            }
            (sbom::Document::CycloneDxXml(a), sbom::Document::CycloneDxXml(b)) => {
                let minor = match format {
                    Format::CycloneDxXml { minor } => *minor,
                    _ => unreachable!(),
                };
                // lossless: the text with the namespace mapped back is the input, byte for byte
                let back = b.text.replace(
                    "http://cyclonedx.org/schema/bom/1.6",
                    &format!("http://cyclonedx.org/schema/bom/1.{minor}"),
                );
                if back != a.text {
                    problems.push(format!("{label}: the XML differs beyond the namespace"));
                }
                let (inp, out) = (
                    out_dir.path().join(format!("{i}-in.xml")),
                    out_dir.path().join(format!("{i}-out.xml")),
                );
                std::fs::write(&inp, &a.text).unwrap();
                std::fs::write(&out, &b.text).unwrap();
                xml_pairs.push((inp, out, format!("1.{minor}")));
            }
            _ => unreachable!(),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // the JSON inputs valid against their own schema (the spec's signature tests are not, as
    // tests/enrich_inputs.rs records) are all valid 1.6 afterwards
    assert_eq!((json_judged, json_valid), (json_judged, json_judged));
    assert_eq!(
        json_judged, 71,
        "every JSON input is valid against its own schema"
    );
    assert!(leaves_compared > 10_000, "{leaves_compared}");
    eprintln!("{leaves_compared} JSON leaves compared, {urls_encoded} URLs percent-encoded, {json_judged} JSON outputs validated");
    if let Some(lint) = xmllint {
        // XML: every output valid against bom-1.6.xsd whose input is valid against its own
        let mut judged = Vec::new();
        for v in ["1.2", "1.3", "1.4", "1.5"] {
            let ins: Vec<PathBuf> = xml_pairs
                .iter()
                .filter(|p| p.2 == v)
                .map(|p| p.0.clone())
                .collect();
            let bad: Vec<PathBuf> = xsd::xsd_validate(lint, &shared, v, &ins)
                .into_iter()
                .map(|f| f.0)
                .collect();
            judged.extend(
                xml_pairs
                    .iter()
                    .filter(|p| p.2 == v && !bad.contains(&p.0))
                    .map(|p| p.1.clone()),
            );
        }
        eprintln!("{} XML outputs validated against bom-1.6.xsd", judged.len());
        let failures = xsd::xsd_validate(lint, &shared, "1.6", &judged);
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(
            judged.len(),
            75,
            "every XML input is valid against its own XSD"
        );
    }
}

/// From `aiprov report --format json`: the number of components, checked to equal the number
/// whose `aiprov:status` was read back.
fn statuses_read_back(v: &Value) -> usize {
    let n = v["totals"]["components"].as_u64().unwrap() as usize;
    let with_status: u64 = v["totals"]["statuses"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(with_status as usize, n, "{v}");
    n
}

fn write_tmp(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const CDX12_JSON: &str = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.2",
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
  "version": 1,
  "metadata": {"timestamp": "2020-01-01T00:00:00Z", "tools": [{"vendor": "x", "name": "gen", "version": "1"}],
               "component": {"type": "application", "name": "app", "version": "1.0"}},
  "components": [
    {"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0",
     "licenses": [{"license": {"id": "MIT"}}], "modified": false},
    {"type": "library", "group": "org.example", "name": "thing", "version": "2.0", "bom-ref": "thing",
     "components": [{"type": "file", "name": "inner.txt", "version": "1"}]}
  ],
  "dependencies": [{"ref": "thing", "dependsOn": []}]
}
"#;

const CDX12_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment that must survive -->
<bom xmlns="http://cyclonedx.org/schema/bom/1.2" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <metadata>
    <timestamp>2020-01-01T00:00:00Z</timestamp>
    <component type="application">
      <name>app</name>
      <version>1.0</version>
    </component>
  </metadata>
  <components>
    <component type="library">
      <name>left-pad</name>
      <version>1.3.0</version>
      <licenses><license><id>MIT</id></license></licenses>
      <purl>pkg:npm/left-pad@1.3.0</purl>
    </component>
    <component type="library" bom-ref="thing">
      <group>org.example</group>
      <name>thing</name>
      <version>2.0</version>
      <components>
        <component type="file"><name>inner.txt</name><version>1</version></component>
      </components>
    </component>
  </components>
</bom>
"#;

fn enrich(input: &Path, extra: &[&str]) -> crate::common::Run {
    let mut args = vec!["enrich", input.to_str().unwrap(), "--offline"];
    args.extend_from_slice(extra);
    aiprov_with(&args, None, &[EPOCH])
}

#[test]
#[ignore = "needs ../shared"]
fn cyclonedx_1_2_json_results_validate_against_1_2() {
    let shared = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let input = write_tmp(dir.path(), "bom.json", CDX12_JSON);
    let run = enrich(&input, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("CycloneDX 1.2 defines no \"properties\": results are written as 1.3-style \"properties\" arrays"),
        "{}",
        run.stderr
    );
    let out = run.json();
    assert_eq!(out["specVersion"], json!("1.2"));
    schema::validate_cyclonedx(&out, &shared).unwrap_or_else(|e| panic!("{e:?}"));
    for p in [
        "/components/0",
        "/components/1",
        "/components/1/components/0",
    ] {
        let props = out
            .pointer(&format!("{p}/properties"))
            .unwrap()
            .as_array()
            .unwrap();
        assert_eq!(props[0]["name"], json!("aiprov:status"), "{p}");
        assert_eq!(props[0]["value"], json!("no-repository"), "{p}");
    }
    assert!(out["metadata"]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "aiprov:summary:components" && p["value"] == "3"));
    // check reads them back: every component has a status
    let enriched = write_tmp(dir.path(), "enriched.json", &run.stdout);
    let report = aiprov(&["report", enriched.to_str().unwrap(), "--format", "json"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert_eq!(statuses_read_back(&report.json()), 3, "{}", report.stdout);
}

#[test]
#[ignore = "needs ../shared"]
fn cyclonedx_1_2_xml_results_in_aiprov_namespace_validate() {
    let shared = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let input = write_tmp(dir.path(), "bom.xml", CDX12_XML);
    let run = enrich(&input, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("properties"), "{}", run.stderr);
    let out = run.stdout.clone();
    assert_eq!(
        out.matches(&format!("<properties xmlns=\"{PROPS_NS}\">"))
            .count(),
        4,
        "three components and the summary: {out}"
    );
    assert!(out.contains("<property name=\"aiprov:status\">no-repository</property>"));
    assert!(out.contains("<!-- a comment that must survive -->"));
    let file = write_tmp(dir.path(), "out.xml", &out);
    if let Some(lint) = xsd::xmllint() {
        // the official 1.2 XSD (lax: aiprov's elements unchecked) and with aiprov's XSD (strict)
        assert!(xsd::xsd_validate(lint, &shared, "1.2", std::slice::from_ref(&file)).is_empty());
        let strict =
            xsd::xsd_validate_with_aiprov(lint, &shared, "1.2", std::slice::from_ref(&file));
        assert!(strict.is_empty(), "{strict:?}");
        // and the wrapper does check aiprov's elements: a broken one fails
        let broken = write_tmp(
            dir.path(),
            "broken.xml",
            &out.replacen("<property name=", "<property nam=", 1),
        );
        assert_eq!(
            xsd::xsd_validate_with_aiprov(lint, &shared, "1.2", &[broken]).len(),
            1
        );
    }
    // read back: the report finds every status
    let report = aiprov(&["report", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert_eq!(statuses_read_back(&report.json()), 3, "{}", report.stdout);
    // enriching again replaces, never duplicates
    let again = enrich(&file, &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        again
            .stdout
            .matches(&format!("<properties xmlns=\"{PROPS_NS}\">"))
            .count(),
        4
    );
}

#[test]
#[ignore = "needs ../shared"]
fn enrich_upgrades_1_2_to_1_6_on_request() {
    let shared = common::shared();
    let dir = tempfile::tempdir().unwrap();
    // JSON
    let input = write_tmp(dir.path(), "bom.json", CDX12_JSON);
    let run = enrich(&input, &["--output-format", "cyclonedx-json@1.6"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("1.2 defines no"), "{}", run.stderr);
    let out = run.json();
    assert_eq!(out["specVersion"], json!("1.6"));
    schema::validate_cyclonedx(&out, &shared).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        out["components"][0]["properties"][0],
        json!({"name": "aiprov:status", "value": "no-repository"})
    );
    // every input field is still there
    let input_v: Value = serde_json::from_str(CDX12_JSON).unwrap();
    let mut stripped = out.clone();
    sbom::strip_aiprov_cyclonedx_json(&mut stripped);
    for (k, v) in input_v.as_object().unwrap() {
        if !matches!(k.as_str(), "specVersion" | "version" | "metadata") {
            assert_eq!(&stripped[k], v, "{k}");
        }
    }
    assert_eq!(
        stripped["metadata"]["component"],
        input_v["metadata"]["component"]
    );
    // XML: the foreign-namespace results of an earlier 1.2 run become standard properties
    let input = write_tmp(dir.path(), "bom.xml", CDX12_XML);
    let first = enrich(&input, &[]);
    let enriched12 = write_tmp(dir.path(), "e12.xml", &first.stdout);
    let run = enrich(&enriched12, &["--output-format", "cyclonedx-xml@1.6"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .contains("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\""));
    assert!(!run.stdout.contains(PROPS_NS), "{}", run.stdout);
    assert_eq!(
        run.stdout.matches("<properties>").count(),
        4,
        "{}",
        run.stdout
    );
    let file = write_tmp(dir.path(), "out16.xml", &run.stdout);
    if let Some(lint) = xsd::xmllint() {
        let failures = xsd::xsd_validate(lint, &shared, "1.6", &[file]);
        assert!(failures.is_empty(), "{failures:?}");
    }
    // refused: another encoding, a newer version than 1.6, a downgrade, a lossy 1.2 license list
    for (fmt, want) in [
        (
            "cyclonedx-xml@1.6",
            "cannot convert CycloneDX 1.2 JSON to CycloneDX 1.6 XML",
        ),
        (
            "cyclonedx-json@1.7",
            "aiprov upgrades CycloneDX documents up to 1.6",
        ),
    ] {
        let r = enrich(&input.with_extension("json"), &["--output-format", fmt]);
        assert_eq!(r.code, 2, "{fmt}: {}", r.stderr);
        assert!(r.stderr.contains(want), "{fmt}: {}", r.stderr);
    }
    let mixed = write_tmp(
        dir.path(),
        "mixed.json",
        &CDX12_JSON.replace(
            r#""licenses": [{"license": {"id": "MIT"}}]"#,
            r#""licenses": [{"license": {"id": "MIT"}}, {"expression": "Apache-2.0 OR MIT"}]"#,
        ),
    );
    let r = enrich(&mixed, &["--output-format", "cyclonedx-json@1.6"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot upgrade CycloneDX 1.2 JSON to CycloneDX 1.6 JSON without losing information: /components/0/licenses: 2 licenses of which 1 are expressions"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

/// SPDX 3: the original CreationInfo is JSON-identical after enrichment, every original element
/// is unchanged except the SpdxDocument's `element` list, aiprov's additions use their own
/// CreationInfo, and the output validates against the SPDX 3.0.1 schema.
#[test]
#[ignore = "needs ../shared"]
fn spdx3_keeps_original_creation_info_and_elements() {
    let shared = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let own = json!({
        "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
        "@graph": [
            {"type": "CreationInfo", "@id": "_:creationinfo", "createdBy": ["urn:example:agent"], "specVersion": "3.0.1", "created": "2024-03-06T00:00:00Z"},
            {"type": "Organization", "spdxId": "urn:example:agent", "name": "Example", "creationInfo": "_:creationinfo"},
            {"type": "SpdxDocument", "spdxId": "urn:example:doc", "creationInfo": "_:creationinfo", "rootElement": ["urn:example:sbom"],
             "element": ["urn:example:sbom", "urn:example:pkg-a", "urn:example:pkg-b"], "profileConformance": ["core", "software"]},
            {"type": "software_Sbom", "spdxId": "urn:example:sbom", "creationInfo": "_:creationinfo", "rootElement": ["urn:example:pkg-a"], "element": ["urn:example:pkg-a", "urn:example:pkg-b"]},
            {"type": "software_Package", "spdxId": "urn:example:pkg-a", "creationInfo": "_:creationinfo", "name": "a", "software_packageVersion": "1.0", "software_packageUrl": "pkg:npm/a@1.0"},
            {"type": "software_Package", "spdxId": "urn:example:pkg-b", "creationInfo": "_:creationinfo", "name": "b", "software_packageVersion": "2.0"},
            {"type": "Relationship", "spdxId": "urn:example:rel-1", "creationInfo": "_:creationinfo", "from": "urn:example:pkg-a", "relationshipType": "dependsOn", "to": ["urn:example:pkg-b"]}
        ]
    });
    let own_path = write_tmp(
        dir.path(),
        "own.spdx3.json",
        &serde_json::to_string_pretty(&own).unwrap(),
    );
    let shared_path = shared.join("sboms/spdx301-package_sbom.spdx3.json");
    for (path, packages) in [(own_path, 2usize), (shared_path, 1)] {
        let input: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let run = enrich(&path, &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let out = run.json();
        spdx_schema::validate_spdx3(&out, &shared).unwrap_or_else(|e| panic!("{e:?}"));
        let (gi, go) = (
            input["@graph"].as_array().unwrap(),
            out["@graph"].as_array().unwrap(),
        );
        for (i, e) in gi.iter().enumerate() {
            if e["type"] == "SpdxDocument" {
                let mut without = go[i].clone();
                let list = without["element"].as_array_mut().unwrap();
                let added: Vec<Value> = list
                    .drain(e["element"].as_array().unwrap().len()..)
                    .collect();
                assert_eq!(without, *e, "the document element beyond its element list");
                assert_eq!(
                    added.len(),
                    2 + packages + 1,
                    "agent, tool, annotations: {added:?}"
                );
            } else {
                // byte-identical JSON, the CreationInfo included
                assert_eq!(
                    serde_json::to_string(&go[i]).unwrap(),
                    serde_json::to_string(e).unwrap(),
                    "element {i}"
                );
            }
        }
        let ours = &go[gi.len()..];
        assert_eq!(ours[0]["@id"], json!("_:creationinfo-aiprov"));
        assert_eq!(ours[0]["created"], json!("2026-09-01T12:00:00Z"));
        assert!(ours[1..]
            .iter()
            .all(|e| e["creationInfo"] == "_:creationinfo-aiprov"));
        let annotations: Vec<&Value> = ours.iter().filter(|e| e["type"] == "Annotation").collect();
        assert_eq!(annotations.len(), packages + 1);
        for a in &annotations[..packages] {
            assert!(
                a["statement"]
                    .as_str()
                    .unwrap()
                    .starts_with("aiprov:status="),
                "{a}"
            );
        }
        // read back by report
        let f = write_tmp(dir.path(), "out.spdx3.json", &run.stdout);
        let report = aiprov(&["report", f.to_str().unwrap(), "--format", "json"]);
        assert_eq!(report.code, 0, "{}", report.stderr);
        assert_eq!(
            statuses_read_back(&report.json()),
            packages,
            "{}",
            report.stdout
        );
    }
}

/// The 1.5 -> 1.6 step end to end, in both encodings: `evidence.identity` (one object in 1.5)
/// becomes an array in JSON; XML's single `<identity>` is already 1.6.
#[test]
#[ignore = "needs ../shared"]
fn enrich_upgrades_1_5_evidence_identity_to_1_6() {
    let shared = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let json15 = json!({"$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json", "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [{"type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@1",
            "evidence": {"identity": {"field": "purl", "confidence": 0.5, "methods": [{"technique": "manifest-analysis", "confidence": 0.5}]}}}]});
    let input = write_tmp(dir.path(), "a.json", &json15.to_string());
    let run = enrich(&input, &["--output-format", "cyclonedx-json@1.6"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    schema::validate_cyclonedx(&out, &shared).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        out["$schema"],
        json!("http://cyclonedx.org/schema/bom-1.6.schema.json")
    );
    assert_eq!(
        out["components"][0]["evidence"]["identity"],
        json!([json15["components"][0]["evidence"]["identity"]])
    );
    let xml15 = r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <components>
    <component type="library">
      <name>a</name>
      <version>1</version>
      <purl>pkg:npm/a@1</purl>
      <evidence>
        <identity>
          <field>purl</field>
          <confidence>0.5</confidence>
        </identity>
      </evidence>
    </component>
  </components>
</bom>
"#;
    let input = write_tmp(dir.path(), "a.xml", xml15);
    let run = enrich(&input, &["--output-format", "cyclonedx-xml@1.6"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .contains("<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\" version=\"2\">"));
    assert!(
        run.stdout
            .contains("<identity>\n          <field>purl</field>"),
        "{}",
        run.stdout
    );
    let file = write_tmp(dir.path(), "out.xml", &run.stdout);
    if let Some(lint) = xsd::xmllint() {
        let failures = xsd::xsd_validate(lint, &shared, "1.6", &[file]);
        assert!(failures.is_empty(), "{failures:?}");
    }
}
