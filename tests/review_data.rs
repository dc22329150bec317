//! Issue 10, "must show" 2: `--review-data` end to end on a history written for the test
//! (`testdata/reviews/gadget.fi`, imported as the mirror of `github.com/acme/gadget`):
//!
//! ```text
//! 57b7bcb Dev Two             "Update docs (#4)"              human, PR #4 (approved; not AI)
//! e68539d Dev Three           Co-authored-by Claude + Reviewed-by: trailer-reviewed, no PR
//! f556fb2 Dev One             Co-authored-by Claude           direct push (an unmerged PR #5 holds it)
//! 45c1bca Dev Two (aider)     "(#3)"                          PR #3, approved only by its author
//! 9316482 devin-ai-integration[bot] "(#2)"                    PR #2, a comment + an AI bot's approval
//! 913e6fb Dev One             Co-authored-by Claude, "(#1)"   PR #1, approved by carol
//! e6a4cdf Dev One             Initial commit                  tag v0.9.0
//! ```
//!
//! `testdata/reviews/gadget.jsonl` says so; `gadget-all-approved.jsonl` approves every AI commit.
//! The same counts must come out in CycloneDX JSON and XML, SPDX 2.3 JSON and SPDX 3.0.1.

use std::path::{Path, PathBuf};

use crate::common::{self, aiprov_with, Run};
use crate::enrich_common::{evidence_lines, prop, props};
use serde_json::{json, Value};

const A1: &str = "913e6fb9080578fa3809ddb4ab432ba572cfafa5";
const A2: &str = "93164829044f893f1736e17f05f3f88b91c031e2";
const A3: &str = "45c1bcaa684910b1b5fc147aaafe80254df75205";
const A4: &str = "f556fb24d598fced8b4993fe1216da183e2e9122";
const A5: &str = "e68539d62008fd8f1ab7ac05720329bafed54b85";

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/reviews")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        common::import_fi(
            "reviews/gadget.fi",
            &dir.path().join("mirrors/github.com/acme/gadget.git"),
        );
        let f = Fixture { dir };
        for (name, text) in sboms() {
            std::fs::write(f.path(name), text).unwrap();
        }
        f
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    fn repo(&self) -> String {
        self.s("mirrors/github.com/acme/gadget.git")
    }

    /// `aiprov enrich INPUT --offline --mirror-dir mirrors EXTRA…`
    fn enrich(&self, input: &str, extra: &[&str]) -> Run {
        let (bom, mirrors) = (self.s(input), self.s("mirrors"));
        let mut args = vec![
            "enrich",
            bom.as_str(),
            "--offline",
            "--mirror-dir",
            mirrors.as_str(),
        ];
        args.extend_from_slice(extra);
        aiprov_with(&args, None, &[])
    }
}

/// The subject `app` depends on `gadget` 1.0.0 (tag v1.0.0), in four formats.
fn sboms() -> Vec<(&'static str, String)> {
    let purl = "pkg:github/acme/gadget@1.0.0";
    let cdx = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "metadata": {"component": {"type": "application", "bom-ref": "app", "name": "app"}},
        "components": [{"type": "library", "bom-ref": "gadget", "name": "gadget", "version": "1.0.0", "purl": purl}]
    });
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <metadata><component type="application" bom-ref="app"><name>app</name></component></metadata>
  <components>
    <component type="library" bom-ref="gadget"><name>gadget</name><version>1.0.0</version><purl>{purl}</purl></component>
  </components>
</bom>
"#
    );
    let spdx = json!({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "app",
        "documentNamespace": "https://example.invalid/spdx/app-1",
        "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: hand-written"]},
        "documentDescribes": ["SPDXRef-app"],
        "packages": [
            {"SPDXID": "SPDXRef-app", "name": "app", "downloadLocation": "NOASSERTION"},
            {"SPDXID": "SPDXRef-gadget", "name": "gadget", "versionInfo": "1.0.0", "downloadLocation": "NOASSERTION",
             "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}]}
        ],
        "relationships": [{"spdxElementId": "SPDXRef-app", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-gadget"}]
    });
    let spdx3 = json!({
        "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
        "@graph": [
            {"type": "CreationInfo", "@id": "_:ci", "createdBy": ["urn:agent:me"], "specVersion": "3.0.1", "created": "2026-01-01T00:00:00Z"},
            {"type": "Person", "spdxId": "urn:agent:me", "name": "Me", "creationInfo": "_:ci"},
            {"type": "SpdxDocument", "spdxId": "urn:doc:app", "creationInfo": "_:ci", "rootElement": ["urn:pkg:app"],
             "element": ["urn:pkg:app", "urn:pkg:gadget", "urn:rel:1"]},
            {"type": "software_Package", "spdxId": "urn:pkg:app", "creationInfo": "_:ci", "name": "app"},
            {"type": "software_Package", "spdxId": "urn:pkg:gadget", "creationInfo": "_:ci", "name": "gadget",
             "software_packageVersion": "1.0.0", "software_packageUrl": purl},
            {"type": "Relationship", "spdxId": "urn:rel:1", "creationInfo": "_:ci", "from": "urn:pkg:app",
             "relationshipType": "dependsOn", "to": ["urn:pkg:gadget"]}
        ]
    });
    vec![
        ("bom.cdx.json", serde_json::to_string_pretty(&cdx).unwrap()),
        ("bom.cdx.xml", xml),
        (
            "bom.spdx.json",
            serde_json::to_string_pretty(&spdx).unwrap(),
        ),
        (
            "bom.spdx3.json",
            serde_json::to_string_pretty(&spdx3).unwrap(),
        ),
    ]
}

/// The `aiprov:review:*` properties of the `gadget` component of an enriched document in any
/// format, as (name, value) in the order written.
fn review_props(path: &Path) -> Vec<(String, String)> {
    let bytes = std::fs::read(path).unwrap();
    let doc = aiprov::sbom::read(
        path.to_str().unwrap(),
        &bytes,
        &aiprov::sbom::ReadOptions::default(),
    )
    .unwrap();
    let comps = aiprov::provenance::components(&doc);
    let gadget = comps.iter().find(|c| c.name == "gadget").unwrap();
    let p = &gadget.provenance;
    assert_eq!(p.status.as_deref(), Some("analyzed"), "{}", path.display());
    assert_eq!(
        (p.commits, p.ai_commits()),
        (Some(7), Some(5)),
        "{}",
        path.display()
    );
    let n = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_else(|| "absent".into());
    vec![
        ("ai-with-evidence".into(), n(p.ai_with_review)),
        ("ai-approved".into(), n(p.ai_approved)),
        ("ai-trailer-reviewed".into(), n(p.ai_trailer_reviewed)),
        ("ai-merged-unapproved".into(), n(p.ai_merged_unapproved)),
        ("ai-no-pull-request".into(), n(p.ai_no_pull_request)),
        ("ai-unknown".into(), n(p.ai_review_unknown)),
        (
            "source".into(),
            p.review_source.clone().unwrap_or_else(|| "absent".into()),
        ),
    ]
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn the_same_review_counts_in_every_format() {
    let f = Fixture::new();
    let with_data = pairs(&[
        ("ai-with-evidence", "2"),
        ("ai-approved", "1"),
        ("ai-trailer-reviewed", "1"),
        ("ai-merged-unapproved", "2"),
        ("ai-no-pull-request", "1"),
        ("ai-unknown", "0"),
        ("source", "trailers,review-data"),
    ]);
    let without = pairs(&[
        ("ai-with-evidence", "1"),
        ("ai-approved", "0"),
        ("ai-trailer-reviewed", "1"),
        ("ai-merged-unapproved", "0"),
        ("ai-no-pull-request", "0"),
        ("ai-unknown", "4"),
        ("source", "trailers"),
    ]);
    let reviews = data("gadget.jsonl");
    for (input, _) in sboms() {
        let out = f.s(&format!("out-{input}"));
        let run = f.enrich(
            input,
            &["-o", out.as_str(), "--review-data", reviews.as_str()],
        );
        assert_eq!(run.code, 0, "{input}: {}", run.stderr);
        let got = review_props(Path::new(&out));
        assert_eq!(got, with_data, "{input}");
        // The partition: approved, trailer-reviewed, merged-unapproved, no-pull-request and
        // unknown sum to the 5 AI commits.
        let sum: u64 = got[1..6]
            .iter()
            .map(|(_, v)| v.parse::<u64>().unwrap())
            .sum();
        assert_eq!(sum, 5, "{input}");
        let run = f.enrich(input, &["-o", out.as_str()]);
        assert_eq!(run.code, 0, "{input}: {}", run.stderr);
        let got = review_props(Path::new(&out));
        assert_eq!(got, without, "{input}");
        let sum: u64 = got[1..6]
            .iter()
            .map(|(_, v)| v.parse::<u64>().unwrap())
            .sum();
        assert_eq!(sum, 5, "{input}");
    }

    // CycloneDX JSON: the component's properties in order, and the summary's.
    let out = f.s("out.json");
    let run = f.enrich(
        "bom.cdx.json",
        &["-o", out.as_str(), "--review-data", reviews.as_str()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let component: Vec<(String, String)> = props(&doc, "/components/0")
        .into_iter()
        .filter(|(n, _)| n.starts_with("aiprov:review:"))
        .collect();
    assert_eq!(
        component,
        pairs(&[
            ("aiprov:review:ai-with-evidence", "2"),
            ("aiprov:review:ai-approved", "1"),
            ("aiprov:review:ai-trailer-reviewed", "1"),
            ("aiprov:review:ai-merged-unapproved", "2"),
            ("aiprov:review:ai-no-pull-request", "1"),
            ("aiprov:review:ai-unknown", "0"),
            ("aiprov:review:source", "trailers,review-data"),
        ])
    );
    let summary = props(&doc, "/metadata");
    for (name, want) in [
        ("aiprov:summary:review:ai-with-evidence", "2"),
        ("aiprov:summary:review:ai-approved", "1"),
        ("aiprov:summary:review:ai-trailer-reviewed", "1"),
        ("aiprov:summary:review:ai-merged-unapproved", "2"),
        ("aiprov:summary:review:ai-no-pull-request", "1"),
        ("aiprov:summary:review:ai-unknown", "0"),
        ("aiprov:summary:review:source", "trailers,review-data"),
    ] {
        assert_eq!(prop(&summary, name), Some(want), "{name}");
    }
}

#[test]
fn the_policy_gate_tells_unreviewed_from_unknown() {
    let f = Fixture::new();
    let reviews = data("gadget.jsonl");
    let all = data("gadget-all-approved.jsonl");
    let out = f.s("out.json");
    let gate = |extra: &[&str]| {
        let mut args = vec!["-o", out.as_str()];
        args.extend_from_slice(extra);
        f.enrich("bom.cdx.json", &args)
    };
    let run = gate(&["--review-data", &reviews, "--fail-on", "unreviewed-ai>0"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("unreviewed-ai>0: 3"), "{}", run.stderr);
    let run = gate(&["--review-data", &reviews, "--fail-on", "review-unknown>0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // review-coverage = (approved + trailer-reviewed) / known = 2 / 5.
    let run = gate(&[
        "--review-data",
        &reviews,
        "--fail-on",
        "review-coverage<0.5",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("review-coverage<0.5: 0.4"),
        "{}",
        run.stderr
    );
    // Without review data nothing is known to be unreviewed; the unknowns are a metric of their own.
    let run = gate(&["--fail-on", "unreviewed-ai>0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = gate(&["--fail-on", "review-unknown>0"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("review-unknown>0: 4"), "{}", run.stderr);
    // Everything approved: the gate passes.
    let run = gate(&[
        "--review-data",
        &all,
        "--fail-on",
        "unreviewed-ai>0",
        "--fail-on",
        "review-unknown>0",
        "--fail-on",
        "review-coverage<1",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn evidence_lines_carry_the_requests_of_each_ai_commit() {
    let f = Fixture::new();
    let reviews = data("gadget.jsonl");
    let (out, ev) = (f.s("out.json"), f.s("evidence.jsonl"));
    let run = f.enrich(
        "bom.cdx.json",
        &[
            "-o",
            out.as_str(),
            "--evidence",
            ev.as_str(),
            "--review-data",
            reviews.as_str(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = evidence_lines(&std::fs::read_to_string(&ev).unwrap());
    let outcomes: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            (
                &l["commit"].as_str().unwrap()[..7],
                l["review_outcome"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("e68539d", "no-pull-request"),
            ("f556fb2", "no-pull-request"),
            ("45c1bca", "merged-unapproved"),
            ("9316482", "merged-unapproved"),
            ("913e6fb", "approved"),
        ]
    );
    let by = |c: &str| lines.iter().find(|l| l["commit"] == c).unwrap();
    assert_eq!(
        by(A1)["pull_requests"],
        json!([{"number": 1, "url": "https://github.com/acme/gadget/pull/1", "author": "dev-1",
                "merged_by": "bob", "merged_at": "2026-02-02T02:50:00Z",
                "approvals": [{"reviewer": "carol", "submitted_at": "2026-02-02T02:40:00Z"}],
                "ignored_approvals": [],
                "checks": [{"name": "test", "conclusion": "success"}, {"name": "lint", "conclusion": "success"}],
                "source": "review-data"}])
    );
    assert_eq!(
        by(A2)["pull_requests"][0]["ignored_approvals"],
        json!([{"reviewer": "coderabbitai[bot]", "submitted_at": "2026-02-02T03:01:00Z", "reason": "ai-or-bot"}])
    );
    assert_eq!(
        by(A3)["pull_requests"][0]["ignored_approvals"][0]["reason"],
        "request-author"
    );
    assert_eq!(
        by(A4)["pull_requests"],
        json!([]),
        "the unmerged PR #5 brought nothing in"
    );
}

fn evidence(f: &Fixture, extra: &[&str]) -> Run {
    let repo = f.repo();
    let mut args = vec!["evidence", repo.as_str(), "--range", "v0.9.0..v1.0.0"];
    args.extend_from_slice(extra);
    aiprov_with(&args, None, &[])
}

#[test]
fn require_review_names_exactly_the_unapproved_ai_commits() {
    let f = Fixture::new();
    let reviews = data("gadget.jsonl");
    let run = evidence(&f, &["--review-data", &reviews, "--require-review"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let named: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("aiprov: AI commit without review evidence: "))
        .collect();
    assert_eq!(
        named,
        [
            "f556fb24d598 Hotfix: timeout handling (ai-assisted, claude-code; no-pull-request)",
            "45c1bcaa6849 Refactor: split parser (#3) (ai-agent, aider; merged-unapproved: https://github.com/acme/gadget/pull/3)",
            "93164829044f Add cache layer (#2) (ai-agent, devin; merged-unapproved: https://github.com/acme/gadget/pull/2)",
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "--require-review: 3 of 5 AI commit(s) in v0.9.0..v1.0.0 have no review evidence"
        ),
        "{}",
        run.stderr
    );
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["ai_without_review_evidence"], json!([A4, A3, A2]));
    assert_eq!(
        v["metrics"]["review"],
        json!({"ai_approved": 1, "ai_trailer_reviewed": 1, "ai_merged_unapproved": 2, "ai_no_pull_request": 1, "ai_unknown": 0,
               "source": "trailers,review-data"})
    );
    assert_eq!(v["metrics"]["ai_with_review_evidence"], 2);
    let a1 = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["commit"] == A1)
        .unwrap();
    assert_eq!(
        (
            a1["reviewed"].as_bool(),
            a1["review_outcome"].as_str(),
            a1["review_date"].as_str(),
            a1["pull_requests"][0]["url"].as_str()
        ),
        (
            Some(true),
            Some("approved"),
            Some("2026-02-02T02:40:00Z"),
            Some("https://github.com/acme/gadget/pull/1")
        )
    );
    assert_eq!(
        a1["approval"],
        json!([{"name": "carol", "email": null, "via": "pull-request approval #1"}])
    );

    // Every AI commit approved (or trailer-reviewed): the gate passes.
    let all = data("gadget-all-approved.jsonl");
    let run = evidence(&f, &["--review-data", &all, "--require-review"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["ai_without_review_evidence"], json!([]));
    assert_eq!(v["metrics"]["review"]["ai_approved"], 4);
    // Without review data only the trailer-reviewed commit counts.
    let run = evidence(&f, &["--require-review"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("aiprov: AI commit without review evidence: "))
            .count(),
        4
    );
}

#[test]
fn the_markdown_reads_like_a_change_record() {
    let f = Fixture::new();
    let reviews = data("gadget.jsonl");
    let run = evidence(&f, &["--review-data", &reviews, "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.stdout;
    assert!(text.contains("\n## Change records (CC8.1)\n\n| Change | Component | Author (agent and version) | Human author | Reviewer | Review date | Testing | Approved by | Deployed |\n"), "{text}");
    let repo = f.repo();
    let row = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no row {prefix}:\n{text}"))
            .to_string()
    };
    assert_eq!(
        row("| 913e6fb90805 "),
        // `#` escaped by the shared Markdown escaper (no cross-reference autolink).
        format!("| 913e6fb90805 Add retry loop (\\#1) (https://github.com/acme/gadget/pull/1) | {repo} | Claude | Dev One (author) | carol (pull-request approval \\#1) | 2026-02-02T02:40:00Z | test: success; lint: success | carol (pull-request approval \\#1) | merged 2026-02-02T02:50:00Z by bob |")
    );
    assert_eq!(
        row("| 93164829044f "),
        format!("| 93164829044f Add cache layer (\\#2) (https://github.com/acme/gadget/pull/2) | {repo} | devin-ai-integration\\[bot\\] | dev-2@example.invalid (Co-authored-by (requester credited by the agent)) | — | — | test: failure | **none** (merged-unapproved) | merged 2026-02-02T03:10:00Z by dev-2 |")
    );
}

#[test]
fn malformed_review_data_is_bad_input_naming_file_and_line() {
    let f = Fixture::new();
    let bad = f.s("bad.jsonl");
    let good = std::fs::read_to_string(data("gadget.jsonl")).unwrap();
    let first = good.lines().next().unwrap();
    std::fs::write(
        &bad,
        format!("{first}\n\n{{\"repository\": \"https://github.com/acme/gadget\", \"number\": 9, \"url\": \"u\", \"commits\": [\"nothex\"]}}\n"),
    )
    .unwrap();
    let out = f.s("never.json");
    let run = f.enrich(
        "bom.cdx.json",
        &["-o", out.as_str(), "--review-data", bad.as_str()],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim_end(),
        format!("aiprov: {bad}:3: `commits/0` must be a full commit id (40 or 64 hex digits), not \"nothex\"")
    );
    assert!(!Path::new(&out).exists(), "nothing is written");
    let run = evidence(&f, &["--review-data", &bad]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(&format!("{bad}:3: ")), "{}", run.stderr);
    let repo = f.repo();
    let run = aiprov_with(&["commits", &repo, "--review-data", &bad], None, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let missing = f.s("missing.jsonl");
    let run = evidence(&f, &["--review-data", &missing]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("missing.jsonl: cannot read the review data"),
        "{}",
        run.stderr
    );
}

#[test]
fn commits_lines_carry_the_outcome() {
    let f = Fixture::new();
    let repo = f.repo();
    let reviews = data("gadget.jsonl");
    let run = aiprov_with(
        &[
            "commits",
            &repo,
            "--review-data",
            &reviews,
            "--format",
            "summary",
        ],
        None,
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    assert_eq!(
        (v["ai_with_review"].clone(), v["review"].clone()),
        (
            json!(2),
            json!({"ai_approved": 1, "ai_merged_unapproved": 2, "ai_no_pull_request": 1, "ai_unknown": 0})
        )
    );
    let run = aiprov_with(&["commits", &repo, "--review-data", &reviews], None, &[]);
    let text = run.stdout;
    let wanted = format!("\"id\":\"{A5}\"");
    let a5: Value =
        serde_json::from_str(text.lines().find(|l| l.contains(&wanted)).unwrap()).unwrap();
    assert_eq!(a5["review_outcome"], "no-pull-request");
}

#[test]
fn the_shipped_review_data_validates_against_its_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_slice(
        &std::fs::read(root.join("schemas/review-data.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the review-data schema compiles");
    let mut lines = 0;
    for name in ["gadget.jsonl", "gadget-all-approved.jsonl"] {
        let text = std::fs::read_to_string(data(name)).unwrap();
        for (i, line) in text.lines().enumerate() {
            let v: Value = serde_json::from_str(line).unwrap();
            let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{name}:{}: {errors:?}", i + 1);
            lines += 1;
        }
        // And the parser accepts every line the schema does.
        assert_eq!(
            aiprov::review::data::parse(name, &text).unwrap().len(),
            text.lines().count()
        );
    }
    assert_eq!(lines, 9);
    // The schema rejects what the parser rejects.
    for bad in [
        json!({"repository": "r", "number": 1, "url": "u", "commits": ["abc"]}),
        json!({"repository": "r", "number": -1, "url": "u", "commits": []}),
        json!({"repository": "r", "number": 1, "url": "u"}),
        json!({"repository": "r", "number": 1, "url": "u", "commits": [], "merged_at": "yesterday"}),
        json!({"repository": "r", "number": 1, "url": "u", "commits": [], "reviews": [{"author": "a", "state": "lgtm"}]}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
        assert!(
            aiprov::review::data::parse("x", &bad.to_string()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn reports_show_review_coverage_and_unknowns_per_component() {
    let f = Fixture::new();
    let reviews = data("gadget.jsonl");
    let (with, without) = (f.s("with.json"), f.s("without.json"));
    assert_eq!(
        f.enrich("bom.cdx.json", &["-o", &with, "--review-data", &reviews])
            .code,
        0
    );
    assert_eq!(f.enrich("bom.cdx.json", &["-o", &without]).code, 0);
    let report = |doc: &str, format: &str| {
        let run = aiprov_with(&["report", doc, "--format", format], None, &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let md = report(&with, "markdown");
    assert!(md.contains(" | 2 of 5 (40.0%) | "), "{md}");
    let md = report(&without, "markdown");
    assert!(md.contains("| 1 of 1 (100.0%); 4 unknown |"), "{md}");
    let json: Value = serde_json::from_str(&report(&with, "json")).unwrap();
    let row = &json["components"][0];
    assert_eq!(
        (
            row["review_coverage"].clone(),
            row["review_unknown"].clone(),
            row["unreviewed_ai"].clone(),
            row["ai_approved"].clone(),
            row["ai_merged_unapproved"].clone(),
            row["ai_no_pull_request"].clone(),
            row["review_source"].clone()
        ),
        (
            json!(0.4),
            json!(0),
            json!(3),
            json!(1),
            json!(2),
            json!(1),
            json!("trailers,review-data")
        )
    );
    assert_eq!(json["totals"]["review_unknown"], 0);
    let json: Value = serde_json::from_str(&report(&without, "json")).unwrap();
    assert_eq!(
        (
            json["totals"]["review_coverage"].clone(),
            json["totals"]["review_unknown"].clone(),
            json["components"][0]["unreviewed_ai"].clone()
        ),
        (json!(1), json!(4), json!(0))
    );
}

/// `aiprov diff` reads `--review-data` and applies the rule `enrich`, `report` / `--fail-on`
/// and `evidence --require-review` apply: the range v0.9.0..v1.0.0 of gadget has the same
/// partition as the enriched component (1 approved, 1 trailer-reviewed, 2 merged-unapproved,
/// 1 no-pull-request, summing to the 5 AI commits), `unreviewed-ai` counts 3 as in the enrich
/// gate, and without review data nothing is unreviewed and 4 are unknown.
#[test]
fn diff_reads_review_data_and_counts_by_the_same_rule() {
    let f = Fixture::new();
    let reviews = data("gadget.jsonl");
    let side = |name: &str, version: &str| {
        let purl = format!("pkg:github/acme/gadget@{version}");
        std::fs::write(
            f.path(name),
            json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                   "components": [{"type": "library", "name": "gadget", "version": version,
                                   "purl": purl}]})
            .to_string(),
        )
        .unwrap();
        f.s(name)
    };
    let (old, new, mirrors) = (
        side("old.json", "0.9.0"),
        side("new.json", "1.0.0"),
        f.s("mirrors"),
    );
    let diff = |extra: &[&str]| {
        let mut args = vec!["diff", &old, &new, "--offline", "--mirror-dir", &mirrors];
        args.extend_from_slice(extra);
        aiprov_with(&args, None, &[])
    };
    let run = diff(&["--review-data", &reviews]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let c = &v["components"][0];
    assert_eq!(
        (c["range"].as_str(), c["ai_commits"].as_u64()),
        (Some("v0.9.0..v1.0.0"), Some(5))
    );
    let partition = json!({"approved": 1, "trailer_reviewed": 1, "merged_unapproved": 2,
                           "no_pull_request": 1, "unknown": 0});
    assert_eq!(c["review"], partition);
    assert_eq!(v["totals"]["review"], partition);
    let sum: u64 = c["review"]
        .as_object()
        .unwrap()
        .values()
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert_eq!(sum, c["ai_commits"].as_u64().unwrap());
    assert_eq!(c["ai_reviewed"], 2);
    let per_commit: Vec<(String, String)> = c["ai"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["commit"].as_str().unwrap()[..7].to_string(),
                a["review"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        per_commit,
        pairs(&[
            ("e68539d", "trailer"),
            ("f556fb2", "no-pull-request"),
            ("45c1bca", "merged-unapproved"),
            ("9316482", "merged-unapproved"),
            ("913e6fb", "approved"),
        ])
    );
    // The gate: the same numbers as enrich's (the_policy_gate_tells_unreviewed_from_unknown).
    let run = diff(&["--review-data", &reviews, "--fail-on", "unreviewed-ai>0"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("unreviewed-ai>0: 3"), "{}", run.stderr);
    let run = diff(&[
        "--review-data",
        &reviews,
        "--fail-on",
        "review-coverage<0.5",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("review-coverage<0.5: 0.4"),
        "{}",
        run.stderr
    );
    let run = diff(&["--fail-on", "unreviewed-ai>0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = diff(&["--fail-on", "review-unknown>0"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("review-unknown>0: 4"), "{}", run.stderr);
    let v: Value = serde_json::from_str(&diff(&[]).stdout).unwrap();
    assert_eq!(
        v["components"][0]["review"],
        json!({"approved": 0, "trailer_reviewed": 1, "merged_unapproved": 0,
               "no_pull_request": 0, "unknown": 4})
    );
    // Everything approved: the gate passes.
    let all = data("gadget-all-approved.jsonl");
    let run = diff(&[
        "--review-data",
        &all,
        "--fail-on",
        "unreviewed-ai>0",
        "--fail-on",
        "review-unknown>0",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// `--reviews all`: every commit of the walk gets a review outcome, written as
/// `aiprov:review:approved`, `…:trailer-reviewed`, `…:merged-unapproved`, `…:no-pull-request`,
/// `…:unknown` (the same names in every format), which sum to `aiprov:commits:total`. In gadget
/// v1.0.0 (7 commits): approved 913e6fb (PR #1) and the human 57b7bcb (PR #4); trailer-reviewed
/// e68539d; merged-unapproved 9316482 and 45c1bca; no pull request f556fb2 and the initial
/// commit. Without `--reviews all` none of these properties is written.
#[test]
fn reviews_all_gives_the_partition_over_every_commit() {
    let f = Fixture::new();
    let reviews = data("gadget.jsonl");
    let all_props = |doc: &Value, at: &str| -> Vec<(String, String)> {
        props(doc, at)
            .into_iter()
            .filter(|(n, _)| {
                let n = n.trim_start_matches("aiprov:summary:");
                let n = n.trim_start_matches("aiprov:");
                n.starts_with("review:") && !n.starts_with("review:ai-") && n != "review:source"
            })
            .collect()
    };
    let out = f.s("all.json");
    let run = f.enrich(
        "bom.cdx.json",
        &["-o", &out, "--review-data", &reviews, "--reviews", "all"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let want = pairs(&[
        ("aiprov:review:approved", "2"),
        ("aiprov:review:trailer-reviewed", "1"),
        ("aiprov:review:merged-unapproved", "2"),
        ("aiprov:review:no-pull-request", "2"),
        ("aiprov:review:unknown", "0"),
    ]);
    let got = all_props(&doc, "/components/0");
    assert_eq!(got, want);
    let sum: u64 = got.iter().map(|(_, v)| v.parse::<u64>().unwrap()).sum();
    assert_eq!(
        Some(sum.to_string().as_str()),
        prop(&props(&doc, "/components/0"), "aiprov:commits:total")
    );
    let summary: Vec<(String, String)> = want
        .iter()
        .map(|(n, v)| (n.replace("aiprov:", "aiprov:summary:"), v.clone()))
        .collect();
    assert_eq!(all_props(&doc, "/metadata"), summary);
    // The AI partition is unchanged by the scope.
    assert_eq!(
        prop(&props(&doc, "/components/0"), "aiprov:review:ai-approved"),
        Some("1")
    );
    // SPDX 2.3: the same names and values in the component's annotation.
    let spdx = f.s("all.spdx.json");
    let run = f.enrich(
        "bom.spdx.json",
        &["-o", &spdx, "--review-data", &reviews, "--reviews", "all"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&spdx).unwrap();
    assert!(
        text.contains("aiprov:review:approved=2\\naiprov:review:trailer-reviewed=1\\naiprov:review:merged-unapproved=2\\naiprov:review:no-pull-request=2\\naiprov:review:unknown=0"),
        "{text}"
    );
    // Without review data: only the trailers are known.
    let run = f.enrich("bom.cdx.json", &["-o", &out, "--reviews", "all"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        all_props(&doc, "/components/0"),
        pairs(&[
            ("aiprov:review:approved", "0"),
            ("aiprov:review:trailer-reviewed", "1"),
            ("aiprov:review:merged-unapproved", "0"),
            ("aiprov:review:no-pull-request", "0"),
            ("aiprov:review:unknown", "6"),
        ])
    );
    // The default scope writes none of them.
    let run = f.enrich("bom.cdx.json", &["-o", &out, "--review-data", &reviews]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(all_props(&doc, "/components/0"), []);
}
