//! insta snapshots of what the binary shows a user: every `--help` (each subcommand, `-h` and
//! `--help`), the four report formats of `testdata/enriched/release.cdx.json`, the documents the
//! writers produce (enrich in each format, scan, commits, evidence) and the warnings on stderr.
//!
//! Each snapshot is one run: `exit: N`, then stderr, then stdout (or the written file), with the
//! temporary folder shown as `[TMP]`, aiprov's version as `[VERSION]` (so a release does not
//! touch them) and elapsed times as `[ELAPSED]`. The clock is pinned with `SOURCE_DATE_EPOCH`.
//!
//! After an intended change: `INSTA_UPDATE=always cargo test --test integration snapshots::`
//! (or `cargo insta accept`), then review `git diff tests/snapshots/`. Under `CI=true` insta
//! never writes and a changed snapshot fails.

use std::path::Path;

use crate::common::{self, Run};

/// 2026-01-01T00:00:00Z.
const EPOCH: &str = "1767225600";

/// `exit`, stderr and `body`, as one snapshot text.
fn shown(run: &Run, body: &str) -> String {
    format!(
        "exit: {}\n--- stderr\n{}--- output\n{}",
        run.code, run.stderr, body
    )
}

/// Assert `text` against `tests/snapshots/NAME.snap`, with `tmp` shown as `[TMP]`.
fn snap(name: &str, tmp: Option<&Path>, text: &str) {
    let mut filters: Vec<(String, &str)> = vec![
        (
            format!(r"\b{}\b", regex::escape(env!("CARGO_PKG_VERSION"))),
            "[VERSION]",
        ),
        // elapsed time in the stderr summary ("1 repository walked in 0.7 s")
        (r"\bin \d+(\.\d+)? s\b".to_string(), "in [ELAPSED] s"),
    ];
    if let Some(tmp) = tmp {
        // canonical first: macOS-style /private prefixes and symlinked temp folders
        if let Ok(c) = tmp.canonicalize() {
            filters.push((regex::escape(c.to_str().unwrap()), "[TMP]"));
        }
        filters.push((regex::escape(tmp.to_str().unwrap()), "[TMP]"));
    }
    let filters: Vec<(&str, &str)> = filters.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    insta::with_settings!({
        prepend_module_to_snapshot => false,
        omit_expression => true,
        filters => filters,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// The subcommands a `--help` text lists under `Commands:` (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// Every subcommand, recursively, `-h` and `--help`; the subcommand list itself is asserted so
/// a new subcommand shows up as a new snapshot, not as nothing.
#[test]
fn help_of_every_subcommand() {
    let mut queue: Vec<Vec<String>> = vec![vec![]];
    let mut seen = Vec::new();
    while let Some(path) = queue.pop() {
        for flag in ["-h", "--help"] {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push(flag);
            let run = common::aiprov(&args);
            assert_eq!(run.code, 0, "aiprov {args:?}: {}", run.stderr);
            let name = format!(
                "help-{}{}",
                if path.is_empty() {
                    "aiprov".to_string()
                } else {
                    path.join("-")
                },
                if flag == "-h" { "-short" } else { "-long" }
            );
            snap(&name, None, &shown(&run, &run.stdout));
            if flag == "--help" {
                for sub in subcommands(&run.stdout) {
                    let mut p = path.clone();
                    p.push(sub);
                    queue.push(p);
                }
            }
        }
        seen.push(path.join(" "));
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "",
            "check",
            "commits",
            "completions",
            "diff",
            "enrich",
            "evidence",
            "man",
            "report",
            "reviews",
            "reviews export",
            "scan"
        ]
    );
    let version = common::aiprov(&["--version"]);
    assert_eq!(
        (version.code, version.stdout.as_str()),
        (
            0,
            format!("aiprov {}\n", env!("CARGO_PKG_VERSION")).as_str()
        )
    );
}

/// Markdown, HTML, SARIF and JSON reports of the enriched fixture, with a `--fail-on` policy
/// that it violates (the violations are the warnings on stderr; SARIF carries them as results).
#[test]
fn reports_of_the_enriched_fixture() {
    for (format, ext) in [
        ("markdown", "md"),
        ("html", "html"),
        ("sarif", "sarif"),
        ("json", "json"),
    ] {
        let mut cmd = common::command();
        cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "report",
            "testdata/enriched/release.cdx.json",
            "--format",
            format,
            "--fail-on",
            "unreviewed-ai>5",
            "--fail-on",
            "status!=analyzed",
        ]);
        let run = common::run(cmd, None);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        snap(&format!("report-{ext}"), None, &shown(&run, &run.stdout));
    }
}

/// A mirror folder holding `github.com/acme/widget.git` from `testdata/enrich-widget.fi`.
fn widget_mirrors(dir: &Path) -> std::path::PathBuf {
    let mirrors = dir.join("mirrors");
    common::import_fi(
        "enrich-widget.fi",
        &mirrors.join("github.com/acme/widget.git"),
    );
    mirrors
}

/// One small document per writable format, each with a component on the fixture repository
/// (`widget` 1.0.0, tag `v1.0.0`) and one without a repository (`left-pad`), enriched offline:
/// the written document, the evidence lines and the stderr summary.
#[test]
fn enrich_writes_each_format() {
    let dir = tempfile::tempdir().unwrap();
    let mirrors = widget_mirrors(dir.path());
    let inputs: [(&str, &str); 4] = [
        (
            "cdx.json",
            r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "serialNumber": "urn:uuid:0b7e3b5e-5b8a-4f7e-9d3c-2a1b0c9d8e7f",
  "version": 1,
  "metadata": {"timestamp": "2025-01-01T00:00:00Z", "component": {"type": "application", "bom-ref": "app", "name": "app"}},
  "components": [
    {"type": "library", "bom-ref": "widget@1.0.0", "name": "widget", "version": "1.0.0", "purl": "pkg:npm/widget@1.0.0",
     "externalReferences": [{"type": "vcs", "url": "https://github.com/acme/widget"}]},
    {"type": "library", "bom-ref": "left-pad@1.0.1", "name": "left-pad", "version": "1.0.1", "purl": "pkg:npm/left-pad@1.0.1"}
  ]
}
"#,
        ),
        (
            "cdx.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" serialNumber="urn:uuid:0b7e3b5e-5b8a-4f7e-9d3c-2a1b0c9d8e7f" version="1">
  <metadata>
    <timestamp>2025-01-01T00:00:00Z</timestamp>
    <component type="application" bom-ref="app"><name>app</name></component>
  </metadata>
  <components>
    <component type="library" bom-ref="widget@1.0.0">
      <name>widget</name>
      <version>1.0.0</version>
      <purl>pkg:npm/widget@1.0.0</purl>
      <externalReferences><reference type="vcs"><url>https://github.com/acme/widget</url></reference></externalReferences>
    </component>
    <component type="library" bom-ref="left-pad@1.0.1">
      <name>left-pad</name>
      <version>1.0.1</version>
      <purl>pkg:npm/left-pad@1.0.1</purl>
    </component>
  </components>
</bom>
"#,
        ),
        (
            "spdx.json",
            r#"{
  "spdxVersion": "SPDX-2.3",
  "dataLicense": "CC0-1.0",
  "SPDXID": "SPDXRef-DOCUMENT",
  "name": "app",
  "documentNamespace": "https://example.invalid/spdx/app-1",
  "creationInfo": {"created": "2025-01-01T00:00:00Z", "creators": ["Tool: hand"]},
  "packages": [
    {"name": "app", "SPDXID": "SPDXRef-app", "downloadLocation": "NOASSERTION"},
    {"name": "widget", "SPDXID": "SPDXRef-widget", "versionInfo": "1.0.0",
     "downloadLocation": "git+https://github.com/acme/widget.git",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/widget@1.0.0"}]},
    {"name": "left-pad", "SPDXID": "SPDXRef-left-pad", "versionInfo": "1.0.1", "downloadLocation": "NOASSERTION",
     "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/left-pad@1.0.1"}]}
  ],
  "relationships": [
    {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-app"},
    {"spdxElementId": "SPDXRef-app", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-widget"},
    {"spdxElementId": "SPDXRef-app", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-left-pad"}
  ]
}
"#,
        ),
        (
            "spdx",
            "SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: app
DocumentNamespace: https://example.invalid/spdx/app-1
Creator: Tool: hand
Created: 2025-01-01T00:00:00Z

PackageName: app
SPDXID: SPDXRef-app
PackageDownloadLocation: NOASSERTION

PackageName: widget
SPDXID: SPDXRef-widget
PackageVersion: 1.0.0
PackageDownloadLocation: git+https://github.com/acme/widget.git
ExternalRef: PACKAGE-MANAGER purl pkg:npm/widget@1.0.0

PackageName: left-pad
SPDXID: SPDXRef-left-pad
PackageVersion: 1.0.1
PackageDownloadLocation: NOASSERTION
ExternalRef: PACKAGE-MANAGER purl pkg:npm/left-pad@1.0.1

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-app
Relationship: SPDXRef-app DEPENDS_ON SPDXRef-widget
Relationship: SPDXRef-app DEPENDS_ON SPDXRef-left-pad
",
        ),
    ];
    for (ext, text) in inputs {
        let input = dir.path().join(format!("in.{ext}"));
        let out = dir.path().join(format!("out.{ext}"));
        let ev = dir.path().join(format!("evidence-{ext}.jsonl"));
        std::fs::write(&input, text).unwrap();
        let run = common::aiprov_with(
            &[
                "enrich",
                input.to_str().unwrap(),
                "--offline",
                "--mirror-dir",
                mirrors.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                "--evidence",
                ev.to_str().unwrap(),
            ],
            None,
            &[("SOURCE_DATE_EPOCH", EPOCH)],
        );
        assert_eq!(run.code, 0, "{ext}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{ext}: the document goes to -o");
        let body = format!(
            "{}--- evidence\n{}",
            std::fs::read_to_string(&out).unwrap(),
            std::fs::read_to_string(&ev).unwrap()
        );
        snap(
            &format!("enrich-{}", ext.replace('.', "-")),
            Some(dir.path()),
            &shown(&run, &body),
        );
    }
}

/// `aiprov scan --no-enrich` on the npm, Go and uv lockfiles under `testdata/lockfiles`.
#[test]
fn scan_writes_cyclonedx() {
    for eco in ["npm", "go", "uv"] {
        let mut cmd = common::command();
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["scan", &format!("testdata/lockfiles/{eco}"), "--no-enrich"])
            .env("SOURCE_DATE_EPOCH", EPOCH);
        let run = common::run(cmd, None);
        assert_eq!(run.code, 0, "{eco}: {}", run.stderr);
        snap(&format!("scan-{eco}"), None, &shown(&run, &run.stdout));
    }
}

/// `aiprov commits` (JSON lines and summary) and `aiprov evidence` on the fixture histories.
#[test]
fn commits_and_evidence_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.git");
    common::import_fi("history.fi", &history);
    let h = history.to_str().unwrap();
    let run = common::aiprov(&["commits", h]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    snap(
        "commits-history",
        Some(dir.path()),
        &shown(&run, &run.stdout),
    );
    let run = common::aiprov(&["commits", h, "--format", "summary"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    snap(
        "commits-history-summary",
        Some(dir.path()),
        &shown(&run, &run.stdout),
    );

    let reviewed = dir.path().join("reviewed.git");
    common::import_fi("reviewed.fi", &reviewed);
    let run = common::aiprov_with(
        &[
            "evidence",
            reviewed.to_str().unwrap(),
            "--range",
            "v1.0..v1.1",
        ],
        None,
        &[("SOURCE_DATE_EPOCH", EPOCH)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    snap(
        "evidence-reviewed",
        Some(dir.path()),
        &shown(&run, &run.stdout),
    );
}

/// The messages a user sees on bad input (exit 2, nothing on stdout): one run per case, in one
/// snapshot, so a change of wording or of the place named shows up in review.
#[test]
fn errors_on_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let broken = d("broken.json", "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"components\": [\n    {\"name\": \"a\",}\n  ]\n}\n");
    let plain = d(
        "plain.cdx.json",
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [{"type": "library", "name": "a"}]}"#,
    );
    let neither = d("neither.txt", "hello\n");
    let missing = dir.path().join("missing.json");
    let missing = missing.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["enrich", &broken, "--offline"],
        vec!["enrich", &neither, "--offline"],
        vec!["enrich", missing, "--offline"],
        vec!["report", &plain],
        vec![
            "report",
            "testdata/enriched/release.cdx.json",
            "--fail-on",
            "ai-share>>1",
        ],
        vec!["check", &broken],
        vec!["commits", dir.path().to_str().unwrap()],
    ];
    let mut text = String::new();
    for args in cases {
        let mut cmd = common::command();
        cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args(&args);
        let run = common::run(cmd, None);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (2, ""),
            "{args:?}: {}",
            run.stderr
        );
        text.push_str(&format!("$ aiprov {}\n{}\n", args.join(" "), run.stderr));
    }
    snap("errors-bad-input", Some(dir.path()), &text);
}
