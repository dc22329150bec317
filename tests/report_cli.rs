//! `aiprov report` end to end on `testdata/enriched/release.cdx.json`: Markdown asserted
//! exactly, JSON with its values, the HTML page opened in headless Chromium (the chart's bars
//! counted in the rendered DOM, the screenshot checked for the bars' colour), SARIF validated
//! against the SARIF 2.1.0 schema, and the exit codes.
//!
//! The values, from the fixture's properties: serde 5 AI of 42 (claude-code 3, cursor 2), 4
//! reviewed; @acme/widget and its nested @acme/widget-core share one repository walk: 12 AI
//! of 20 (devin 8, claude-code 4), 3 reviewed, 9 unreviewed; aider-chat 4,355 AI of 12,350
//! (aider; the aider replica's own summary), none reviewed; github.com/acme/util 0 of 15;
//! left-pad no-repository and legacy revision-unresolved. Totals count the widget walk once:
//! 42 + 20 + 12,350 + 15 = 12,427 commits, 5 + 12 + 4,355 = 4,372 AI commits (35.2%), 7
//! reviewed (0.2%).

use crate::common::{self, aiprov, Run};
use crate::schema;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

/// The fixture as a path relative to the crate root, as a pipeline would pass it.
const FIXTURE: &str = "testdata/enriched/release.cdx.json";

fn in_crate(args: &[&str]) -> Run {
    let mut cmd = common::command();
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    common::run(cmd, None)
}

fn ci() -> bool {
    std::env::var("CI").map(|v| v == "true").unwrap_or(false)
}

#[test]
#[ignore = "needs ../shared"]
fn the_fixture_is_valid_cyclonedx_1_6() {
    let shared = common::shared();
    let v: Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).unwrap(),
    )
    .unwrap();
    if let Err(e) = schema::validate_cyclonedx(&v, &shared) {
        panic!("{}", e.join("\n"));
    }
}

#[test]
fn markdown_report() {
    let run = in_crate(&[
        "report",
        FIXTURE,
        "--fail-on",
        "unreviewed-ai>5",
        "--fail-on",
        "status!=analyzed",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "# AI provenance: example-app@2.3.0

SBOM: testdata/enriched/release.cdx.json (CycloneDX 1.6, version 2, 2026-09-01T12:00:00Z)

## Verdict

**Policy FAILED: 5 violations of `unreviewed-ai>5`, `status!=analyzed`.**

Needs attention:

| Component | Why |
|---|---|
| aider-chat@0.86.1 | 4355 of 4355 AI commits without review evidence; violates `unreviewed-ai>5` (4355) |
| @&#8203;acme/widget@2.0.0 | 9 of 12 AI commits without review evidence; violates `unreviewed-ai>5` (9) |
| @&#8203;acme/widget-core@2.0.0 | 9 of 12 AI commits without review evidence; violates `unreviewed-ai>5` (9) |
| serde@1.0.200 | 1 of 5 AI commits without review evidence |
| left-pad@1.3.0 | violates `status!=analyzed` (no-repository) |
| org.example/legacy@1.0 | violates `status!=analyzed` (revision-unresolved) |

2 components could not be analyzed (see Not analyzed).

## Totals

| | |
|---|---|
| Components | 7 (5 analyzed, 2 not analyzed) |
| Repositories walked | 4 |
| Commits | 12427 |
| AI commits | 4372 (35.2%) |
| AI commits with review evidence | 7 of 4372 (0.2%) |
| Components with AI commits | 4 |
| Tools | aider (4355), devin (8), claude-code (7), cursor (2) |
| Policy violations | 5 |

## Components

| Component | Revision | AI share | AI commits | Tools | Review coverage | First AI commit | Last AI commit | Status |
|---|---|---:|---:|---|---:|---|---|---|
| serde@1.0.200 | 111111111111 (tag) | 11.9% | 5 of 42 | claude-code (3), cursor (2) | 4 of 5 (80.0%) | 2026-03-02 | 2026-04-01 | analyzed |
| @&#8203;acme/widget@2.0.0 | 222222222222 (tag) | 60.0% | 12 of 20 | devin (8), claude-code (4) | 3 of 12 (25.0%) | 2026-02-03 | 2026-07-30 | analyzed |
| @&#8203;acme/widget-core@2.0.0 | 222222222222 (tag) | 60.0% | 12 of 20 | devin (8), claude-code (4) | 3 of 12 (25.0%) | 2026-02-03 | 2026-07-30 | analyzed |
| aider-chat@0.86.1 | 19914f6c46e6 (tag) | 35.3% | 4355 of 12350 | aider (4355) | 0 of 4355 (0.0%) | 2023-05-09 | 2025-08-12 | analyzed |
| github.com/acme/util@v1.4.0 | 333333333333 (tag) | 0.0% | 0 of 15 | — | — | — | — | analyzed |

## Not analyzed

| Component | Status | Reason |
|---|---|---|
| left-pad@1.3.0 | no-repository | no repository in the SBOM, the repo map or the registry metadata |
| org.example/legacy@1.0 | revision-unresolved | no tag matches version 1.0 (tried v1.0, 1.0, legacy-1.0) |

## Policy violations

| Component | Rule | Value |
|---|---|---|
| @&#8203;acme/widget@2.0.0 | `unreviewed-ai>5` | 9 |
| @&#8203;acme/widget-core@2.0.0 | `unreviewed-ai>5` | 9 |
| left-pad@1.3.0 | `status!=analyzed` | no-repository |
| aider-chat@0.86.1 | `unreviewed-ai>5` | 4355 |
| org.example/legacy@1.0 | `status!=analyzed` | revision-unresolved |
"
    );
    assert_eq!(
        run.stderr,
        "aiprov: policy violated: pkg:npm/%40acme/widget@2.0.0: unreviewed-ai>5: 9
aiprov: policy violated: pkg:npm/%40acme/widget-core@2.0.0: unreviewed-ai>5: 9
aiprov: policy violated: pkg:npm/left-pad@1.3.0: status!=analyzed: no-repository
aiprov: policy violated: pkg:pypi/aider-chat@0.86.1: unreviewed-ai>5: 4355
aiprov: policy violated: pkg:maven/org.example/legacy@1.0: status!=analyzed: revision-unresolved
aiprov: 5 policy violation(s)
"
    );
}

#[test]
fn json_report() {
    let run = in_crate(&[
        "report",
        FIXTURE,
        "--format",
        "json",
        "--fail-on",
        "pkg:npm/*:tool=devin",
    ]);
    assert_eq!(run.code, 1);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v["document"],
        json!({"file": FIXTURE, "subject": "example-app@2.3.0", "format": "CycloneDX 1.6",
               "serial_number": "urn:uuid:3c1d2b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "version": 2, "timestamp": "2026-09-01T12:00:00Z"})
    );
    assert_eq!(
        v["totals"],
        json!({"components": 7, "analyzed": 5, "unresolved": 2,
               "statuses": {"analyzed": 5, "no-repository": 1, "revision-unresolved": 1},
               "repositories": 4, "commits": 12427, "ai_commits": 4372, "ai_share": 0.3518,
               "ai_with_review": 7, "review_coverage": 0.0016, "components_with_ai": 4,
               "tools": {"aider": 4355, "claude-code": 7, "cursor": 2, "devin": 8}})
    );
    let rows: Vec<Value> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            json!([
                c["name"],
                c["locator"],
                c["commits"],
                c["ai_commits"],
                c["ai_share"],
                c["unreviewed_ai"],
                c["review_coverage"],
                c["ai_first"],
                c["ai_last"]
            ])
        })
        .collect();
    assert_eq!(
        rows,
        [
            json!([
                "serde@1.0.200",
                "/components/0",
                42,
                5,
                0.119,
                1,
                0.8,
                "2026-03-02T08:00:00Z",
                "2026-04-01T09:00:00Z"
            ]),
            json!([
                "@acme/widget@2.0.0",
                "/components/1",
                20,
                12,
                0.6,
                9,
                0.25,
                "2026-02-03T10:00:00Z",
                "2026-07-30T16:45:00+02:00"
            ]),
            json!([
                "@acme/widget-core@2.0.0",
                "/components/1/components/0",
                20,
                12,
                0.6,
                9,
                0.25,
                "2026-02-03T10:00:00Z",
                "2026-07-30T16:45:00+02:00"
            ]),
            json!([
                "aider-chat@0.86.1",
                "/components/3",
                12350,
                4355,
                0.3526,
                4355,
                0,
                "2023-05-09T14:12:49-07:00",
                "2025-08-12T18:23:38-07:00"
            ]),
            json!([
                "github.com/acme/util@v1.4.0",
                "/components/4",
                15,
                0,
                0,
                0,
                null,
                null,
                null
            ]),
        ]
    );
    assert_eq!(
        v["components"][0]["tools"],
        json!({"claude-code": 3, "cursor": 2})
    );
    assert_eq!(
        v["unresolved"],
        json!([
            {"name": "left-pad@1.3.0", "component": "pkg:npm/left-pad@1.3.0", "purl": "pkg:npm/left-pad@1.3.0", "status": "no-repository",
             "reason": "no repository in the SBOM, the repo map or the registry metadata"},
            {"name": "org.example/legacy@1.0", "component": "pkg:maven/org.example/legacy@1.0", "purl": "pkg:maven/org.example/legacy@1.0",
             "status": "revision-unresolved", "reason": "no tag matches version 1.0 (tried v1.0, 1.0, legacy-1.0)"},
        ])
    );
    assert_eq!(
        v["violations"],
        json!([
            {"component": "pkg:npm/%40acme/widget@2.0.0", "name": "@acme/widget@2.0.0", "locator": "/components/1", "rule": "pkg:npm/*:tool=devin", "value": "devin"},
            {"component": "pkg:npm/%40acme/widget-core@2.0.0", "name": "@acme/widget-core@2.0.0", "locator": "/components/1/components/0", "rule": "pkg:npm/*:tool=devin", "value": "devin"},
        ])
    );
}

#[test]
fn exit_codes_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.md");
    // 0: no policy, or one that holds nowhere; the report goes to -o
    let run = in_crate(&[
        "report",
        FIXTURE,
        "-o",
        out.to_str().unwrap(),
        "--fail-on",
        "ai-share>0.6",
    ]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .starts_with("# AI provenance: example-app@2.3.0\n"));
    // 1: violated; the report is still written
    std::fs::remove_file(&out).unwrap();
    let run = in_crate(&[
        "report",
        FIXTURE,
        "-o",
        out.to_str().unwrap(),
        "--fail-on",
        "ai-share>=0.6",
    ]);
    assert_eq!(run.code, 1);
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("| @&#8203;acme/widget@2.0.0 | `ai-share>=0.6` | 0.6 |"));
    // 2: bad expression (nothing written), a document without aiprov: properties
    std::fs::remove_file(&out).unwrap();
    let run = in_crate(&[
        "report",
        FIXTURE,
        "-o",
        out.to_str().unwrap(),
        "--fail-on",
        "tool>devin",
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "aiprov: --fail-on \"tool>devin\": column 5: `tool` compares with = or != only, not >\n"
    );
    assert!(!out.exists());
    let plain = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/example/bom.cdx.json");
    let run = aiprov(&["report", plain.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.ends_with(
            "bom.cdx.json: no component has aiprov: properties; enrich it first (aiprov enrich)\n"
        ),
        "{}",
        run.stderr
    );
    // 3: the output cannot be written
    let run = in_crate(&["report", FIXTURE, "-o", "/nonexistent-dir/r.md"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// HTML in headless Chromium

/// Debian's `chromium` (or `AIPROV_CHROMIUM`). Missing: a failure under CI=true (`.ci/run`
/// installs it), a skip otherwise.
fn chromium() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("AIPROV_CHROMIUM") {
        Some(p) => vec![PathBuf::from(p)],
        None => ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .flat_map(|n| {
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                    .map(move |d| d.join(n))
                    .collect::<Vec<_>>()
            })
            .collect(),
    };
    if let Some(p) = candidates.into_iter().find(|p| p.is_file()) {
        return Some(p);
    }
    if ci() {
        panic!("chromium is missing: the HTML report test needs Debian's chromium (apt-get update && apt-get install -y chromium; .ci/run does this), or AIPROV_CHROMIUM=/path/to/chromium");
    }
    eprintln!("skipping: no chromium on PATH (apt-get install -y chromium)");
    None
}

fn headless(browser: &Path, extra: &[&str], page: &Path) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("running chromium")
}

#[test]
fn html_chart_renders_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let run = in_crate(&[
        "report",
        FIXTURE,
        "--format",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    // self-contained: nothing fetched, nothing run
    for needle in ["<script", "http://", "https://", "<link", "@import", "url("] {
        if needle == "http://" {
            // the SVG namespace is an identifier, not a fetch
            assert_eq!(
                html.matches(needle).count(),
                html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
                "{needle}"
            );
        } else {
            assert!(!html.contains(needle), "{needle} in the page");
        }
    }
    let Some(browser) = chromium() else { return };

    // The rendered DOM: one bar per analyzed component (5), highest share first.
    let dom = headless(&browser, &["--dump-dom"], &page);
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.status.success() && dom_text.contains("id=\"ai-share-chart\""),
        "chromium --dump-dom failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    assert_eq!(
        dom_text.matches("<rect class=\"bar\"").count(),
        5,
        "bars in the rendered DOM"
    );
    let labels: Vec<&str> = dom_text
        .split("class=\"label\" text-anchor=\"end\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "@acme/widget-core@2.0.0",
            "@acme/widget@2.0.0",
            "aider-chat@0.86.1",
            "serde@1.0.200",
            "github.com/acme/util@v1.4.0"
        ]
    );

    // The screenshot: not blank, and the bars' colour (#d9480f) covers about the area the
    // chart gives them: (0.6 + 0.6 + 0.3526 + 0.119) × 400 px × 18 px ≈ 12,000 px.
    // The window is tall enough to show the whole chart below the verdict section.
    let shot = dir.path().join("shot.png");
    let out = headless(
        &browser,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1000,1400",
        ],
        &page,
    );
    assert!(
        shot.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    let mut bar = 0usize;
    for px in pixels.chunks(channels) {
        colours.insert((px[0], px[1], px[2]));
        if px[0].abs_diff(0xd9) <= 6 && px[1].abs_diff(0x48) <= 6 && px[2].abs_diff(0x0f) <= 6 {
            bar += 1;
        }
    }
    assert!(
        colours.len() > 20,
        "the screenshot is blank ({} colours)",
        colours.len()
    );
    assert!((9_000..=15_000).contains(&bar), "bar pixels: {bar}");
}

// ---------------------------------------------------------------------------------------------
// SARIF

/// The SARIF 2.1.0 JSON schema, from `AIPROV_SARIF_SCHEMA` (`.ci/run` installs it from the npm
/// package @microsoft/sarif-multitool-linux). Missing: a failure under CI=true, a skip otherwise.
fn sarif_schema() -> Option<Value> {
    match std::env::var_os("AIPROV_SARIF_SCHEMA") {
        Some(p) => {
            let text = std::fs::read(&p).unwrap_or_else(|e| panic!("AIPROV_SARIF_SCHEMA={}: {e}", Path::new(&p).display()));
            Some(serde_json::from_slice(&text).expect("the SARIF schema is JSON"))
        }
        None if ci() => panic!(
            "AIPROV_SARIF_SCHEMA is not set: point it at the SARIF 2.1.0 JSON schema (.ci/run extracts sarif-2.1.0.json from the npm package @microsoft/sarif-multitool-linux@5.7.0)"
        ),
        None => {
            eprintln!("skipping SARIF schema validation: AIPROV_SARIF_SCHEMA is not set");
            None
        }
    }
}

#[test]
fn sarif_results_locate_the_components() {
    let run = in_crate(&[
        "report",
        FIXTURE,
        "--format",
        "sarif",
        "--fail-on",
        "unreviewed-ai>5",
        "--fail-on",
        "status!=analyzed",
    ]);
    assert_eq!(run.code, 1);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "aiprov");
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    // Stable ids: the metric and the FNV-1a hash of the expression (never the raw expression).
    assert_eq!(
        rules,
        ["aiprov/unreviewed-ai/45ace745", "aiprov/status/e6e7a9a5"]
    );
    for rule in run0["tool"]["driver"]["rules"].as_array().unwrap() {
        let expr = rule["properties"]["expression"].as_str().unwrap();
        assert!(rule["help"]["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!("The release gate `{expr}` reads ")));
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("**What to do:**"));
    }
    // One result per violation, at the line of the component's opening brace in the file
    // (the fixture's `{` lines: widget 143, nested widget-core 237 at column 9, left-pad 333,
    // aider-chat 366, legacy 528).
    let results: Vec<(String, u64, String, u64, u64)> = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["ruleIndex"].as_u64().unwrap(),
                loc["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                loc["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
                loc["physicalLocation"]["region"]["startColumn"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect();
    let r = |rule: &str, i: u64, ptr: &str, line: u64, col: u64| {
        (rule.to_string(), i, ptr.to_string(), line, col)
    };
    const U: &str = "aiprov/unreviewed-ai/45ace745";
    const S: &str = "aiprov/status/e6e7a9a5";
    assert_eq!(
        results,
        [
            r(U, 0, "/components/1", 143, 5),
            r(U, 0, "/components/1/components/0", 237, 9),
            r(S, 1, "/components/2", 333, 5),
            r(U, 0, "/components/3", 366, 5),
            r(S, 1, "/components/5", 528, 5),
        ]
    );
    // the located lines really open those components
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for (_, _, _, line, col) in &results {
        assert_eq!(
            lines[*line as usize - 1].trim_end(),
            format!("{}{{", " ".repeat(*col as usize - 1))
        );
        assert!(lines[*line as usize + 1].contains("\"bom-ref\": \"pkg:"));
    }
    for res in run0["results"].as_array().unwrap() {
        assert_eq!(
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            FIXTURE
        );
        assert_eq!(res["level"], "error");
    }
    assert_eq!(
        run0["results"][0]["message"]["text"],
        "@acme/widget@2.0.0 (pkg:npm/%40acme/widget@2.0.0) violates `unreviewed-ai>5`: the value is 9"
    );

    let Some(schema) = sarif_schema() else { return };
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .take(20)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // the schema does bite: a level SARIF does not define is refused
    let mut bad = v.clone();
    bad["runs"][0]["results"][0]["level"] = json!("fatal");
    assert!(
        validator.iter_errors(&bad).next().is_some(),
        "the schema accepted level \"fatal\""
    );
    // no violation: a valid log with no results
    let run = in_crate(&["report", FIXTURE, "--format", "sarif"]);
    let clean: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(clean["runs"][0]["results"], json!([]));
    let errors: Vec<String> = validator
        .iter_errors(&clean)
        .take(20)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
