//! `aiprov report` and `--fail-on` on enriched documents of every format. The enriched
//! documents are made here: a shared SBOM read with `sbom::read`, given fake but deterministic
//! `aiprov:` properties (the same per component whatever the format) and written back with
//! `Document::write`, as `aiprov enrich` would. The aider CycloneDX XML and JSON twins must give
//! the same report; SPDX 2.3 JSON, tag-value and SPDX 3.0.1 give the totals worked out below.

use crate::common::{self, aiprov};

use std::path::{Path, PathBuf};

use aiprov::sbom::{self, Edits, ReadOptions, WriteOptions};
use serde_json::{json, Value};
use time::macros::datetime;

/// Fake provenance for one component, from its name alone (so twins get the same):
/// names of even length are analyzed — `len` commits, `len % 4` by aider (ai-agent), one by
/// copilot (ai-assisted), `len % 4` of those reviewed, repository `https://github.com/x/<name>` —
/// names of odd length are `no-repository`.
fn fake(name: &str) -> Vec<(String, String)> {
    let n = name.len() as u64;
    let p = |a: &str, b: String| (a.to_string(), b);
    if n % 2 == 1 {
        return vec![
            p("aiprov:status", "no-repository".into()),
            p("aiprov:status:reason", format!("no repository for {name}")),
        ];
    }
    let aider = n % 4;
    let ai = aider + 1;
    vec![
        p("aiprov:status", "analyzed".into()),
        p("aiprov:repository", format!("https://github.com/x/{name}")),
        p("aiprov:range", "HEAD".into()),
        p("aiprov:commits:total", n.to_string()),
        p("aiprov:commits:ai-agent", aider.to_string()),
        p("aiprov:commits:ai-assisted", "1".into()),
        p("aiprov:ai:share", format!("{:.4}", ai as f64 / n as f64)),
        p(
            "aiprov:ai:tools",
            if aider > 0 {
                "aider,copilot".into()
            } else {
                "copilot".into()
            },
        ),
        p("aiprov:ai:tool:aider", aider.to_string()),
        p("aiprov:ai:tool:copilot", "1".into()),
        p("aiprov:review:ai-with-evidence", aider.to_string()),
        p("aiprov:ai:first", "2025-01-02T03:04:05Z".into()),
        p("aiprov:ai:last", "2025-06-07T08:09:10Z".into()),
    ]
}

/// Read `src`, add [`fake`] properties to every component, write it to `dir` under the same name.
fn enrich(src: &Path, dir: &Path) -> PathBuf {
    let bytes = std::fs::read(src).unwrap();
    let doc = sbom::read(&src.display().to_string(), &bytes, &ReadOptions::default()).unwrap();
    let mut e = Edits::default();
    for c in &doc.inventory().components {
        for (n, v) in fake(&c.name) {
            e.component(&c.locator, n, v);
        }
    }
    e.summary(
        "aiprov:summary:components",
        doc.inventory().components.len().to_string(),
    );
    let opts = WriteOptions {
        tool_version: "0.1.0".into(),
        timestamp: datetime!(2026-09-01 12:00:00 UTC),
        strip_signature: false,
    };
    let written = doc.write(&e, &opts);
    let out = dir.join(src.file_name().unwrap());
    std::fs::write(&out, &written.bytes).unwrap();
    out
}

fn report_json(path: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["report", path.to_str().unwrap(), "--format", "json"];
    args.extend(extra);
    let run = aiprov(&args);
    (
        run.code,
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr)),
    )
}

/// The Markdown report without its title and `SBOM:` line (which name the file and format).
fn markdown_body(path: &Path) -> String {
    let run = aiprov(&["report", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
        .lines()
        .filter(|l| !l.starts_with("SBOM: ") && !l.starts_with("# AI provenance: "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[ignore = "needs ../shared"]
fn aider_xml_and_json_twins_report_the_same() {
    let shared = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let xml = enrich(&shared.join("sboms/real/aider-env.cdx.xml"), dir.path());
    let json = enrich(&shared.join("sboms/real/aider-env.cdx.json"), dir.path());
    let (xc, x) = report_json(&xml, &[]);
    let (jc, j) = report_json(&json, &[]);
    assert_eq!((xc, jc), (0, 0));
    assert_eq!(x["totals"], j["totals"]);
    assert_eq!(x["totals"]["components"], 140);
    // rows alike but for the locator (an XPath in XML, a JSON Pointer in JSON)
    let strip = |v: &Value| -> Vec<Value> {
        v["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.as_object_mut().unwrap().remove("locator");
                r
            })
            .collect()
    };
    assert_eq!(strip(&x), strip(&j));
    assert_eq!(x["unresolved"], j["unresolved"]);
    assert_eq!(x["document"]["format"], "CycloneDX 1.5 XML");
    assert_eq!(j["document"]["format"], "CycloneDX 1.6");
    assert_eq!(markdown_body(&xml), markdown_body(&json));

    // The gate sees the same violations in both, in `report` and in `check`.
    let (xc, x) = report_json(&xml, &["--fail-on", "unreviewed-ai>0"]);
    let (jc, j) = report_json(&json, &["--fail-on", "unreviewed-ai>0"]);
    assert_eq!((xc, jc), (1, 1));
    assert_eq!(
        x["violations"].as_array().unwrap().len(),
        x["totals"]["analyzed"].as_u64().unwrap() as usize,
        "each analyzed one has its copilot commit unreviewed"
    );
    let key = |v: &Value| -> Vec<(String, String)> {
        v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["component"].as_str().unwrap().into(),
                    x["value"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    assert_eq!(key(&x), key(&j));
    let run = aiprov(&[
        "check",
        xml.to_str().unwrap(),
        "--profile",
        "ntia-2021",
        "--fail-on",
        "tool=aider",
    ]);
    let jrun = aiprov(&[
        "check",
        json.to_str().unwrap(),
        "--profile",
        "ntia-2021",
        "--fail-on",
        "tool=aider",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("policy violation(s)"), "{}", run.stderr);
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.contains("policy violated"))
            .count(),
        jrun.stderr
            .lines()
            .filter(|l| l.contains("policy violated"))
            .count()
    );

    // SARIF: located at the component's bom-ref attribute in the XML file.
    let run = aiprov(&[
        "report",
        xml.to_str().unwrap(),
        "--format",
        "sarif",
        "--fail-on",
        "status!=analyzed",
    ]);
    assert_eq!(run.code, 1);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v["runs"][0]["artifacts"][0]["mimeType"],
        "application/vnd.cyclonedx+xml"
    );
    let text = std::fs::read_to_string(&xml).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        x["totals"]["unresolved"].as_u64().unwrap() as usize
    );
    for r in results {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        let (line, col) = (
            region["startLine"].as_u64().unwrap() as usize,
            region["startColumn"].as_u64().unwrap() as usize,
        );
        let at: String = lines[line - 1].chars().skip(col - 1).collect();
        let bom_ref = r["properties"]["component"].as_str().unwrap();
        assert!(
            at.starts_with(&format!("bom-ref=\"{bom_ref}\"")),
            "{line}:{col}: {at}"
        );
    }
    validate_sarif(&v);
}

fn validate_sarif(v: &Value) {
    let Some(p) = std::env::var_os("AIPROV_SARIF_SCHEMA") else {
        assert!(
            std::env::var("CI").map(|c| c != "true").unwrap_or(true),
            "AIPROV_SARIF_SCHEMA is not set"
        );
        eprintln!("skipping SARIF schema validation: AIPROV_SARIF_SCHEMA is not set");
        return;
    };
    let schema: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(v)
        .take(20)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The SPDX 2.3 example's four packages, with [`fake`]: glibc (5 letters) no-repository,
/// "Apache Commons Lang" (19) no-repository, Jena (4) analyzed — 4 commits, 0 aider + 1 copilot,
/// 0 reviewed — Saxon (5) no-repository. Totals: 4 components, 1 analyzed, 3 unresolved,
/// 1 walk, 4 commits, 1 AI commit (25%), 0 reviewed, 1 component with AI, copilot 1, aider 0.
fn spdx23_totals() -> Value {
    json!({
        "components": 4, "analyzed": 1, "unresolved": 3,
        "statuses": {"analyzed": 1, "no-repository": 3},
        "repositories": 1, "commits": 4, "ai_commits": 1, "ai_share": 0.25,
        "ai_with_review": 0, "review_coverage": 0, "components_with_ai": 1,
        "tools": {"aider": 0, "copilot": 1},
    })
}

#[test]
#[ignore = "needs ../shared"]
fn spdx2_json_and_tag_value_reports() {
    let shared = common::shared();
    let dir = tempfile::tempdir().unwrap();
    for (file, format, first_line_of) in [
        (
            "sboms/spdx23-SPDXJSONExample-v2.3.spdx.json",
            "SPDX 2.3 JSON",
            "{",
        ),
        (
            "sboms/spdx23-SPDXTagExample-v2.3.spdx",
            "SPDX 2.3 tag-value",
            "SPDXID: ",
        ),
    ] {
        let f = enrich(&shared.join(file), dir.path());
        let (code, v) = report_json(&f, &[]);
        assert_eq!(code, 0);
        assert_eq!(v["totals"], spdx23_totals(), "{file}");
        assert_eq!(v["document"]["format"], format);
        assert_eq!(
            v["document"]["subject"], "glibc@2.11.1",
            "the package the document DESCRIBES"
        );
        assert!(
            v["document"]["serial_number"]
                .as_str()
                .is_some_and(|n| n.starts_with("http")),
            "the documentNamespace"
        );
        assert_eq!(v["components"][0]["component"], "SPDXRef-fromDoap-0");
        let unresolved: Vec<&str> = v["unresolved"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["component"].as_str().unwrap())
            .collect();
        assert_eq!(
            unresolved,
            ["SPDXRef-Package", "SPDXRef-fromDoap-1", "SPDXRef-Saxon"]
        );

        // SARIF: each violation at its package (the `{` of the package object in JSON, the
        // `SPDXID:` line in tag-value).
        let run = aiprov(&[
            "report",
            f.to_str().unwrap(),
            "--format",
            "sarif",
            "--fail-on",
            "status!=analyzed",
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let s: Value = serde_json::from_str(&run.stdout).unwrap();
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let results = s["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        for r in results {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            let (line, col) = (
                region["startLine"].as_u64().unwrap() as usize,
                region["startColumn"].as_u64().unwrap() as usize,
            );
            let at: String = lines[line - 1].chars().skip(col - 1).collect();
            let id = r["properties"]["component"].as_str().unwrap();
            assert!(at.starts_with(first_line_of), "{file} {line}:{col}: {at}");
            if first_line_of == "{" {
                assert!(
                    lines[line..]
                        .iter()
                        .take(30)
                        .any(|l| l.contains(&format!("\"SPDXID\" : \"{id}\""))
                            || l.contains(&format!("\"SPDXID\": \"{id}\""))),
                    "{file}: {id} near line {line}"
                );
            } else {
                assert_eq!(at, format!("SPDXID: {id}"));
            }
        }
        validate_sarif(&s);
        // the gate in `check` reads the annotations too
        let run = aiprov(&[
            "check",
            f.to_str().unwrap(),
            "--profile",
            "ntia-2021",
            "--format",
            "json",
            "--fail-on",
            "tool=copilot",
        ]);
        let c: Value = serde_json::from_str(&run.stdout).unwrap();
        let listed: Vec<&str> = c["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["component"].as_str().unwrap())
            .collect();
        assert_eq!(listed, ["SPDXRef-fromDoap-0"], "{file}");
    }
}

#[test]
#[ignore = "needs ../shared"]
fn spdx3_report() {
    let shared = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let f = enrich(
        &shared.join("sboms/spdx301-package_sbom.spdx3.json"),
        dir.path(),
    );
    // One package, "my-package" (10 letters): analyzed, 10 commits, 2 by aider + 1 by copilot,
    // 2 reviewed.
    let (code, v) = report_json(&f, &["--fail-on", "ai-share>0.25"]);
    assert_eq!(code, 1, "0.3 > 0.25");
    assert_eq!(
        v["totals"],
        json!({
            "components": 1, "analyzed": 1, "unresolved": 0, "statuses": {"analyzed": 1},
            "repositories": 1, "commits": 10, "ai_commits": 3, "ai_share": 0.3,
            "ai_with_review": 2, "review_coverage": 0.6667, "components_with_ai": 1,
            "tools": {"aider": 2, "copilot": 1},
        })
    );
    assert_eq!(v["document"]["format"], "SPDX 3.0.1 JSON-LD");
    assert_eq!(v["document"]["subject"], "my-package@1.0");
    assert_eq!(
        v["violations"][0]["component"],
        "http://spdx.example.com/Package1"
    );
    let md = aiprov(&["report", f.to_str().unwrap()]);
    assert!(md.stdout.contains("| my-package@1.0 | — | 30.0% | 3 of 10 | aider (2), copilot (1) | 2 of 3 (66.7%) | 2025-01-02 | 2025-06-07 | analyzed |"), "{}", md.stdout);
    // not enriched: exit 2 in any format
    let run = aiprov(&[
        "report",
        shared
            .join("sboms/spdx301-package_sbom.spdx3.json")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no component has aiprov: properties"),
        "{}",
        run.stderr
    );
}
