//! `aiprov enrich` end to end on a repository written for the test (`testdata/enrich-widget.fi`)
//! and an SBOM built around it: every status, every revision source, shared walks, the summary,
//! the evidence file, `--since`, `--jobs`, the repo map and the cache folder.
//!
//! The fixture history (newest first; `*` = non-merge commits counted):
//!
//! ```text
//! c6 5963f09 merge of topic                                   (merge, not counted)
//! c5 f910cab Dev Two: "Refactor: the cursor is …"             * no-evidence ("cursor" in prose is a trap)
//! ct d091db3 devin-ai-integration[bot] (branch topic)         * ai-agent devin
//! c4 6b31780 dependabot[bot]                                  * automation dependabot
//! c3 12d8954 "Dev One (aider)"              tag v1.0.0        * ai-agent aider
//! c2 9b7772f Co-authored-by Claude + Reviewed-by  tag widget-v0.9.0  * ai-assisted claude-code, reviewed
//! c1 7ef109e Initial commit                                   * no-evidence
//! ```

use crate::common::{self, aiprov, aiprov_with, Run};
use crate::enrich_common;

use std::path::PathBuf;
use std::process::Command;

use enrich_common::{evidence_lines, prop, props};
use serde_json::{json, Value};

const C1: &str = "7ef109ee12";
const C2: &str = "9b7772fe121453523282c71580a183e25a61ba57";
const C3: &str = "12d8954fbbded65c5ef6da47bfe34e0e101ef515";
const C6: &str = "5963f09715dc3a51cba79914bb68c6e7b53d07cf";
const CT: &str = "d091db3d38";
const C4: &str = "6b317805d7";
const ABSENT: &str = "0123456789abcdef0123456789abcdef01234567";

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let mirrors = dir.path().join("mirrors/github.com/acme");
        std::fs::create_dir_all(&mirrors).unwrap();
        let widget = mirrors.join("widget.git");
        common::import_fi("enrich-widget.fi", &widget);
        common::git(
            &mirrors,
            &[
                "init",
                "-q",
                "--bare",
                mirrors.join("empty.git").to_str().unwrap(),
            ],
        );
        std::fs::create_dir_all(mirrors.join("broken.git")).unwrap();
        std::fs::write(mirrors.join("broken.git/README"), "not a repository").unwrap();
        std::fs::write(
            dir.path().join("repos.toml"),
            "[repositories]\n\"local-widget\" = \"mirrors/github.com/acme/widget.git\"\n",
        )
        .unwrap();
        let f = Fixture { dir };
        std::fs::write(
            f.path("bom.json"),
            serde_json::to_vec_pretty(&sbom()).unwrap(),
        )
        .unwrap();
        f
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    /// `aiprov enrich bom.json --offline --mirror-dir mirrors --repo-map repos.toml EXTRA…`
    fn enrich(&self, extra: &[&str]) -> Run {
        self.enrich_env(extra, &[])
    }

    fn enrich_env(&self, extra: &[&str], env: &[(&str, &str)]) -> Run {
        let (bom, mirrors, map) = (self.s("bom.json"), self.s("mirrors"), self.s("repos.toml"));
        let mut args = vec![
            "enrich",
            bom.as_str(),
            "--mirror-dir",
            mirrors.as_str(),
            "--repo-map",
            map.as_str(),
            // these fixtures count the default branch where no tag matches; the default
            // (revision-unresolved) is tested in tests/revision_fixture.rs
            "--fallback",
            "default-branch",
        ];
        args.extend_from_slice(extra);
        let run = aiprov_with(&args, None, env);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run
    }
}

fn vcs(url: &str) -> Value {
    json!([{"type": "vcs", "url": url}])
}

fn sbom() -> Value {
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:0b7e3b5e-5b8a-4f7e-9d3c-2a1b0c9d8e7f",
        "version": 3,
        "metadata": {
            "timestamp": "2026-01-01T00:00:00Z",
            "component": {"type": "application", "bom-ref": "app", "name": "app", "externalReferences": vcs("https://github.com/acme/widget")}
        },
        "components": [
            {"type": "library", "bom-ref": "widget@1.0.0", "name": "widget", "version": "1.0.0", "purl": "pkg:npm/widget@1.0.0",
             "externalReferences": vcs("git+https://github.com/acme/widget.git")},
            {"type": "library", "bom-ref": "widget-cli@1.0.0", "name": "widget-cli", "version": "1.0.0", "purl": "pkg:npm/widget-cli@1.0.0",
             "externalReferences": [{"type": "website", "url": "https://github.com/acme/widget"}]},
            {"type": "library", "bom-ref": "widget-core@9.9.9", "name": "widget-core", "version": "9.9.9",
             "externalReferences": vcs("https://github.com/acme/widget")},
            {"type": "library", "bom-ref": "widget-pinned", "name": "widget-pinned", "version": "0.1.0",
             "externalReferences": vcs(&format!("git+https://github.com/acme/widget.git#{C2}"))},
            {"type": "library", "bom-ref": "widget-gone", "name": "widget-gone", "version": "0.2.0",
             "externalReferences": vcs(&format!("https://github.com/acme/widget.git#{ABSENT}"))},
            {"type": "library", "bom-ref": "missing", "name": "missing", "version": "1.0.0", "externalReferences": vcs("https://github.com/acme/missing")},
            {"type": "library", "bom-ref": "left-pad@1.0.1", "name": "left-pad", "version": "1.0.1", "purl": "pkg:npm/left-pad@1.0.1"},
            {"type": "library", "bom-ref": "empty", "name": "empty", "externalReferences": vcs("https://github.com/acme/empty")},
            {"type": "library", "bom-ref": "broken", "name": "broken", "externalReferences": vcs("https://github.com/acme/broken")},
            {"type": "library", "bom-ref": "local-widget", "name": "widget-local", "version": "0.9.0", "purl": "pkg:npm/widget@0.9.0"},
            {"type": "application", "bom-ref": "suite", "name": "suite", "zzz-unknown-field": [1.50, 1e3],
             "components": [{"type": "library", "name": "widget-nested", "externalReferences": vcs("git@github.com:ACME/Widget.git")}]}
        ],
        "dependencies": [{"ref": "app", "dependsOn": ["widget@1.0.0"]}]
    })
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn statuses_revisions_counts_summary_and_evidence() {
    let f = Fixture::new();
    let (out, ev) = (f.s("out.json"), f.s("evidence.jsonl"));
    let run = f.enrich(&["--offline", "-o", &out, "--evidence", &ev]);
    assert!(
        run.stdout.is_empty(),
        "the SBOM goes to -o, nothing to stdout"
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let widget = "https://github.com/acme/widget";

    let at_v1 = [
        ("aiprov:status", "analyzed"),
        ("aiprov:repository", widget),
        ("aiprov:revision", C3),
        ("aiprov:revision:source", "tag"),
        ("aiprov:range", C3),
        ("aiprov:commits:total", "3"),
        ("aiprov:commits:ai-agent", "1"),
        ("aiprov:commits:ai-assisted", "1"),
        ("aiprov:commits:automation", "0"),
        ("aiprov:commits:no-evidence", "1"),
        ("aiprov:ai:share", "0.6667"),
        ("aiprov:ai:tools", "aider,claude-code"),
        ("aiprov:ai:tool:aider", "1"),
        ("aiprov:ai:tool:claude-code", "1"),
        ("aiprov:ai:first", "2023-11-15T00:30:00+02:00"),
        ("aiprov:ai:last", "2023-11-14T17:46:40-05:00"),
        ("aiprov:review:ai-with-evidence", "1"),
        ("aiprov:review:ai-approved", "0"),
        ("aiprov:review:ai-trailer-reviewed", "1"),
        ("aiprov:review:ai-merged-unapproved", "0"),
        ("aiprov:review:ai-no-pull-request", "0"),
        ("aiprov:review:ai-unknown", "1"),
        ("aiprov:review:source", "trailers"),
    ];
    assert_eq!(props(&doc, "/components/0"), pairs(&at_v1));
    assert_eq!(
        props(&doc, "/components/1"),
        pairs(&at_v1),
        "a website reference to the same repository shares the walk"
    );

    let at_head = |repository: &str| {
        pairs(&[
            ("aiprov:status", "analyzed"),
            ("aiprov:repository", repository),
            ("aiprov:revision", C6),
            ("aiprov:revision:source", "default-branch"),
            ("aiprov:range", C6),
            ("aiprov:commits:total", "6"),
            ("aiprov:commits:ai-agent", "2"),
            ("aiprov:commits:ai-assisted", "1"),
            ("aiprov:commits:automation", "1"),
            ("aiprov:commits:no-evidence", "2"),
            ("aiprov:ai:share", "0.5000"),
            ("aiprov:ai:tools", "aider,claude-code,devin"),
            ("aiprov:ai:tool:aider", "1"),
            ("aiprov:ai:tool:claude-code", "1"),
            ("aiprov:ai:tool:devin", "1"),
            ("aiprov:ai:first", "2023-11-15T00:30:00+02:00"),
            ("aiprov:ai:last", "2023-11-14T23:28:20Z"),
            ("aiprov:review:ai-with-evidence", "1"),
            ("aiprov:review:ai-approved", "0"),
            ("aiprov:review:ai-trailer-reviewed", "1"),
            ("aiprov:review:ai-merged-unapproved", "0"),
            ("aiprov:review:ai-no-pull-request", "0"),
            ("aiprov:review:ai-unknown", "2"),
            ("aiprov:review:source", "trailers"),
        ])
    };
    assert_eq!(
        props(&doc, "/components/2"),
        at_head(widget),
        "no tag 9.9.9: the default branch"
    );
    // scp-style URL, other letter case: the same mirror, the same walk
    assert_eq!(
        props(&doc, "/components/10/components/0"),
        at_head("https://github.com/ACME/Widget")
    );

    let at_c2 = |repository: &str, source: &str| {
        pairs(&[
            ("aiprov:status", "analyzed"),
            ("aiprov:repository", repository),
            ("aiprov:revision", C2),
            ("aiprov:revision:source", source),
            ("aiprov:range", C2),
            ("aiprov:commits:total", "2"),
            ("aiprov:commits:ai-agent", "0"),
            ("aiprov:commits:ai-assisted", "1"),
            ("aiprov:commits:automation", "0"),
            ("aiprov:commits:no-evidence", "1"),
            ("aiprov:ai:share", "0.5000"),
            ("aiprov:ai:tools", "claude-code"),
            ("aiprov:ai:tool:claude-code", "1"),
            ("aiprov:ai:first", "2023-11-15T00:30:00+02:00"),
            ("aiprov:ai:last", "2023-11-15T00:30:00+02:00"),
            ("aiprov:review:ai-with-evidence", "1"),
            ("aiprov:review:ai-approved", "0"),
            ("aiprov:review:ai-trailer-reviewed", "1"),
            ("aiprov:review:ai-merged-unapproved", "0"),
            ("aiprov:review:ai-no-pull-request", "0"),
            ("aiprov:review:ai-unknown", "0"),
            ("aiprov:review:source", "trailers"),
        ])
    };
    assert_eq!(
        props(&doc, "/components/3"),
        at_c2(widget, "sbom"),
        "the commit the SBOM pins"
    );
    // the repo map's local path is the same repository; tag widget-v0.9.0 (NAME-vX.Y.Z)
    // A local path is never written into the SBOM (issue 14): no aiprov:repository.
    let local = f.path("mirrors/github.com/acme/widget.git");
    let mut want = at_c2(local.to_str().unwrap(), "tag");
    want.retain(|(n, _)| n != "aiprov:repository");
    assert_eq!(props(&doc, "/components/9"), want);

    let skip = |pointer: &str| {
        let p = props(&doc, pointer);
        (
            prop(&p, "aiprov:status").unwrap().to_string(),
            prop(&p, "aiprov:status:reason").unwrap().to_string(),
            p,
        )
    };
    let (status, reason, p) = skip("/components/4");
    assert_eq!(status, "revision-unresolved");
    assert_eq!(
        reason,
        format!("commit {ABSENT} named by the SBOM is not in the local repository <local path>")
    );
    assert_eq!(prop(&p, "aiprov:repository"), Some(widget));
    assert_eq!(
        p.len(),
        3,
        "no counts for a component that was not analyzed: {p:?}"
    );
    let (status, reason, _) = skip("/components/5");
    assert_eq!(status, "repository-unavailable");
    assert_eq!(
        reason,
        "no local mirror of https://github.com/acme/missing (from SBOM externalReferences[vcs]): \
         looked in <mirror-dir>/github.com/acme/missing.git, <cache>/github.com/acme/missing.git (offline)"
    );
    let (status, reason, p) = skip("/components/6");
    assert_eq!(status, "no-repository");
    assert_eq!(
        reason,
        "no repository URL in the SBOM (purl pkg:npm/left-pad has no vcs_url; no vcs external reference); \
         registry:npm: offline, and no cached registry answer for pkg:npm/left-pad@1.0.1"
    );
    assert_eq!(p.len(), 2);
    let (status, reason, _) = skip("/components/7");
    assert_eq!(status, "revision-unresolved");
    assert!(reason.ends_with("has no commits"), "{reason}");
    let (status, reason, _) = skip("/components/8");
    assert_eq!(status, "repository-unavailable");
    // The broken repository's path is local: written <local path> (issue 14).
    assert!(
        reason.starts_with("<local path>: not a git repository: "),
        "{reason}"
    );
    assert_eq!(skip("/components/10").0, "no-repository");

    // the subject and the tools are not components
    assert!(doc["metadata"]["component"].get("properties").is_none());
    assert_eq!(doc["metadata"]["tools"]["components"][0]["name"], "aiprov");
    assert_eq!(doc["version"], 4);
    assert_eq!(doc["serialNumber"], sbom()["serialNumber"]);

    assert_eq!(
        props(&doc, "/metadata"),
        pairs(&[
            ("aiprov:summary:components", "12"),
            ("aiprov:summary:status:analyzed", "6"),
            ("aiprov:summary:status:no-repository", "2"),
            ("aiprov:summary:status:repository-unavailable", "2"),
            ("aiprov:summary:status:revision-unresolved", "2"),
            ("aiprov:summary:status:error", "0"),
            ("aiprov:summary:components:ai", "6"),
            ("aiprov:summary:repositories", "1"),
            ("aiprov:summary:walks", "3"),
            // distinct commits: the three walks overlap, each commit counts once
            ("aiprov:summary:commits:total", "6"),
            ("aiprov:summary:commits:ai-agent", "2"),
            ("aiprov:summary:commits:ai-assisted", "1"),
            ("aiprov:summary:commits:automation", "1"),
            ("aiprov:summary:commits:no-evidence", "2"),
            ("aiprov:summary:ai:share", "0.5000"),
            ("aiprov:summary:ai:tools", "aider,claude-code,devin"),
            ("aiprov:summary:ai:tool:aider", "1"),
            ("aiprov:summary:ai:tool:claude-code", "1"),
            ("aiprov:summary:ai:tool:devin", "1"),
            ("aiprov:summary:ai:first", "2023-11-15T00:30:00+02:00"),
            ("aiprov:summary:ai:last", "2023-11-14T23:28:20Z"),
            ("aiprov:summary:review:ai-with-evidence", "1"),
            ("aiprov:summary:review:ai-approved", "0"),
            ("aiprov:summary:review:ai-trailer-reviewed", "1"),
            ("aiprov:summary:review:ai-merged-unapproved", "0"),
            ("aiprov:summary:review:ai-no-pull-request", "0"),
            ("aiprov:summary:review:ai-unknown", "2"),
            ("aiprov:summary:review:source", "trailers"),
        ])
    );

    // evidence: walks in document order, each in git log order
    let lines = evidence_lines(&std::fs::read_to_string(&ev).unwrap());
    let short: Vec<(String, String, String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["revision"].as_str().unwrap()[..10].to_string(),
                l["commit"].as_str().unwrap()[..10].to_string(),
                l["class"].as_str().unwrap().to_string(),
                l["tool"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let row = |r: &str, c: &str, class: &str, tool: &str| {
        (
            r[..10].to_string(),
            c[..10].to_string(),
            class.to_string(),
            tool.to_string(),
        )
    };
    assert_eq!(
        short,
        [
            row(C3, C3, "ai-agent", "aider"),
            row(C3, C2, "ai-assisted", "claude-code"),
            row(C6, CT, "ai-agent", "devin"),
            row(C6, C4, "automation", "dependabot"),
            row(C6, C3, "ai-agent", "aider"),
            row(C6, C2, "ai-assisted", "claude-code"),
            row(C2, C2, "ai-assisted", "claude-code"),
        ]
    );
    assert_eq!(
        lines[0]["components"],
        json!(["widget@1.0.0", "widget-cli@1.0.0"])
    );
    assert_eq!(
        lines[0]["pointers"],
        json!(["/components/0", "/components/1"])
    );
    assert_eq!(
        lines[2]["components"],
        json!(["widget-core@9.9.9"]),
        "the nested component has no bom-ref"
    );
    assert_eq!(
        lines[2]["pointers"],
        json!(["/components/2", "/components/10/components/0"])
    );
    assert_eq!(
        lines[6]["components"],
        json!(["widget-pinned", "local-widget"])
    );
    assert_eq!(lines[1]["repository"], widget);
    assert_eq!(
        lines[1],
        json!({
            "components": ["widget@1.0.0", "widget-cli@1.0.0"],
            "pointers": ["/components/0", "/components/1"],
            "repository": widget,
            "revision": C3,
            "commit": C2,
            "date": "2023-11-15T00:30:00+02:00",
            "class": "ai-assisted",
            "tool": "claude-code",
            "confidence": "high",
            "rules": ["anthropic.co-author", "review.reviewed-by"],
            "evidence": [{"rule": "anthropic.co-author", "field": "trailer:co-authored-by", "text": "Claude <noreply@anthropic.com>"}],
            "review": [{"rule": "review.reviewed-by", "field": "trailer:reviewed-by", "text": "Dev Three <dev-3@example.invalid>"}],
            // No review data: the request is not looked up (the trailer still counts).
            "review_outcome": "unknown",
            "pull_requests": []
        })
    );
    assert!(
        !short
            .iter()
            .any(|r| r.1.starts_with(C1) || r.1.starts_with("f910cab")),
        "no-evidence commits are not evidence"
    );

    let last = run.stderr.lines().last().unwrap();
    assert!(
        last.starts_with(
            "aiprov: 12 components: 6 analyzed, 2 no-repository, 2 repository-unavailable, 2 revision-unresolved; \
             1 repository walked (3 revisions) in "
        ),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("note:"),
        "--offline: no note about fetching\n{}",
        run.stderr
    );
    // the summary line, after the note that --fallback default-branch walked HEAD for two
    assert_eq!(
        run.stderr.lines().next(),
        Some("aiprov: 2 components walked at the default branch (--fallback default-branch): no pin, tag or release time decided their revisions; not a release"),
        "{}",
        run.stderr
    );
    // and the one line naming the local paths the SBOM does not carry (issue 14)
    assert!(
        run.stderr.lines().nth(1).is_some_and(|l| l.starts_with(
            "aiprov: local paths are not written into the SBOM (--include-local-paths writes them): <local path> is "
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 3, "{}", run.stderr);

    enrich_common::assert_fidelity("fixture", &sbom(), &doc);
    // enriching the output again changes nothing but version and timestamp
    let again = aiprov(&[
        "enrich",
        &out,
        "--offline",
        "--mirror-dir",
        &f.s("mirrors"),
        "--repo-map",
        &f.s("repos.toml"),
        "--fallback",
        "default-branch",
    ]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let again = again.json();
    assert_eq!(again["version"], 5);
    enrich_common::assert_same_but_version_and_time("fixture", &doc, &again);
}

#[test]
fn jobs_do_not_change_the_output() {
    let f = Fixture::new();
    let epoch = [("SOURCE_DATE_EPOCH", "1788000000")];
    let one = f.enrich_env(
        &[
            "--offline",
            "--jobs",
            "1",
            "-o",
            &f.s("one.json"),
            "--evidence",
            &f.s("one.jsonl"),
        ],
        &epoch,
    );
    let many = f.enrich_env(
        &[
            "--offline",
            "--jobs",
            "3",
            "-o",
            &f.s("three.json"),
            "--evidence",
            &f.s("three.jsonl"),
        ],
        &epoch,
    );
    assert!(one.stdout.is_empty() && many.stdout.is_empty());
    let read = |n: &str| std::fs::read(f.path(n)).unwrap();
    assert_eq!(read("one.json"), read("three.json"));
    assert_eq!(read("one.jsonl"), read("three.jsonl"));
    let doc: Value = serde_json::from_slice(&read("one.json")).unwrap();
    assert_eq!(
        doc["metadata"]["timestamp"], "2026-08-29T10:40:00Z",
        "SOURCE_DATE_EPOCH sets the timestamp"
    );
    // the SBOM on stdout is the same bytes
    let stdout = f.enrich_env(&["--offline", "--jobs", "2"], &epoch);
    assert_eq!(stdout.stdout.as_bytes(), read("one.json"));
}

#[test]
fn since_limits_every_walk() {
    let f = Fixture::new();
    let run = f.enrich(&["--offline", "--since", "2023-11-14T22:55:00Z"]);
    let doc = run.json();
    let p = props(&doc, "/components/0");
    assert_eq!(
        prop(&p, "aiprov:range"),
        Some(format!("2023-11-14T22:55:00Z..{C3}").as_str())
    );
    assert_eq!(prop(&p, "aiprov:commits:total"), Some("0"));
    assert_eq!(prop(&p, "aiprov:ai:share"), Some("0.0000"));
    assert_eq!(prop(&p, "aiprov:ai:tools"), None);
    assert_eq!(prop(&p, "aiprov:ai:first"), None);
    let p = props(&doc, "/components/2");
    assert_eq!(
        prop(&p, "aiprov:range"),
        Some(format!("2023-11-14T22:55:00Z..{C6}").as_str())
    );
    let counts: Vec<Option<&str>> = [
        "total",
        "ai-agent",
        "ai-assisted",
        "automation",
        "no-evidence",
    ]
    .iter()
    .map(|c| prop(&p, &format!("aiprov:commits:{c}")))
    .collect();
    assert_eq!(
        counts,
        [Some("3"), Some("1"), Some("0"), Some("1"), Some("1")]
    );
    assert_eq!(prop(&p, "aiprov:ai:tools"), Some("devin"));
    let s = props(&doc, "/metadata");
    assert_eq!(
        prop(&s, "aiprov:summary:since"),
        Some("2023-11-14T22:55:00Z")
    );
    assert_eq!(prop(&s, "aiprov:summary:commits:total"), Some("3"));
}

#[test]
fn without_offline_a_failed_fetch_is_the_reason() {
    // Registries and the git remote point at a closed loopback port: nothing leaves the machine.
    let f = Fixture::new();
    let config = f.path("aiprov.toml");
    std::fs::write(
        &config,
        "[registries]\nnpm = \"http://127.0.0.1:9/npm\"\ndeps-dev = \"http://127.0.0.1:9/depsdev\"\n\
         [git.remotes]\n\"github.com\" = \"git://127.0.0.1:9/github.com\"\n",
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = f.enrich(&[
        "--config",
        config.to_str().unwrap(),
        "--cache-dir",
        cache.path().to_str().unwrap(),
    ]);
    let doc = run.json();
    let p = props(&doc, "/components/5");
    assert_eq!(prop(&p, "aiprov:status"), Some("repository-unavailable"));
    let reason = prop(&p, "aiprov:status:reason").unwrap();
    assert!(
        reason.contains("git://127.0.0.1:9/github.com/acme/missing.git: git clone failed"),
        "{reason}"
    );
    // The registry (port 9) cannot be reached: an error with the reason, not no-repository,
    // which would claim the registry answered (issue 14).
    let p = props(&doc, "/components/6");
    assert_eq!(prop(&p, "aiprov:status"), Some("error"));
    assert!(
        prop(&p, "aiprov:status:reason")
            .unwrap()
            .contains("registry:npm"),
        "{p:?}"
    );
}

#[test]
fn the_repo_map_wins_over_the_sbom_and_the_cache_holds_mirrors() {
    let f = Fixture::new();
    std::fs::write(
        f.path("map2.toml"),
        "[repositories]\n\"pkg:npm/left-pad\" = \"https://github.com/acme/widget\"\n\"missing\" = \"git@github.com:acme/widget.git\"\n",
    )
    .unwrap();
    // no --mirror-dir: the mirrors are found in CACHE/mirrors
    let cache = f.path("cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::rename(f.path("mirrors"), cache.join("mirrors")).unwrap();
    let run = aiprov(&[
        "enrich",
        &f.s("bom.json"),
        "--offline",
        "--cache-dir",
        cache.to_str().unwrap(),
        "--repo-map",
        &f.s("map2.toml"),
        "--fallback",
        "default-branch",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let p = props(&doc, "/components/6");
    assert_eq!(prop(&p, "aiprov:status"), Some("analyzed"));
    assert_eq!(
        prop(&p, "aiprov:revision:source"),
        Some("default-branch"),
        "no tag 1.0.1"
    );
    let p = props(&doc, "/components/5");
    assert_eq!(
        prop(&p, "aiprov:repository"),
        Some("https://github.com/acme/widget")
    );
    assert_eq!(
        prop(&p, "aiprov:revision"),
        Some(C3),
        "version 1.0.0 → v1.0.0"
    );
    assert_eq!(
        prop(&props(&doc, "/components/0"), "aiprov:status"),
        Some("analyzed")
    );

    // the default cache: $XDG_CACHE_HOME/aiprov/mirrors
    let xdg = f.path("xdg");
    std::fs::create_dir_all(xdg.join("aiprov")).unwrap();
    std::fs::rename(cache.join("mirrors"), xdg.join("aiprov/mirrors")).unwrap();
    let run = aiprov_with(
        &["enrich", &f.s("bom.json"), "--offline"],
        None,
        &[("XDG_CACHE_HOME", xdg.to_str().unwrap())],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        prop(&props(&run.json(), "/components/0"), "aiprov:revision"),
        Some(C3)
    );
}

#[test]
fn evidence_can_go_to_stdout() {
    let f = Fixture::new();
    let run = f.enrich(&["--offline", "-o", &f.s("out.json"), "--evidence", "-"]);
    let lines = evidence_lines(&run.stdout);
    assert_eq!(lines.len(), 7);
    let both = aiprov(&["enrich", &f.s("bom.json"), "--evidence", "-"]);
    assert_eq!(both.code, 2);
    assert!(
        both.stderr.contains("--evidence - needs -o FILE"),
        "{}",
        both.stderr
    );
}

/// A history with an unreadable commit: status `error`, with the revision but without counts,
/// and nothing of it in the summary or the evidence. Also: a repo-map path to a work tree.
#[test]
fn unreadable_commits_make_the_component_an_error() {
    let d = tempfile::tempdir().unwrap();
    let wt = d.path().join("wt");
    std::fs::create_dir_all(&wt).unwrap();
    let g = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(&wt)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.invalid")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.invalid")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    g(&["init", "-q", "-b", "main"]);
    for m in ["one", "two", "three"] {
        g(&[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            m,
            "-m",
            "Co-authored-by: Claude <noreply@anthropic.com>",
        ]);
    }
    let head = g(&["rev-parse", "HEAD"]);
    let two = g(&["rev-parse", "HEAD~1"]);
    let object = wt.join(".git/objects").join(&two[..2]).join(&two[2..]);
    let mut perms = std::fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&object, perms).unwrap();
    std::fs::write(&object, b"this is not zlib data").unwrap();

    std::fs::write(
        d.path().join("map.toml"),
        "[repositories]\n\"thing\" = \"wt\"\n",
    )
    .unwrap();
    let bom = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
        {"type": "library", "bom-ref": "thing", "name": "thing", "version": "1.0"}
    ]});
    std::fs::write(d.path().join("bom.json"), bom.to_string()).unwrap();
    let ev = d.path().join("ev.jsonl");
    let run = aiprov(&[
        "enrich",
        d.path().join("bom.json").to_str().unwrap(),
        "--offline",
        "--repo-map",
        d.path().join("map.toml").to_str().unwrap(),
        "--evidence",
        ev.to_str().unwrap(),
        "--fallback",
        "default-branch",
    ]);
    assert_eq!(
        run.code, 0,
        "per-component failures are data: {}",
        run.stderr
    );
    let doc = run.json();
    let p = props(&doc, "/components/0");
    let names: Vec<&str> = p.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "aiprov:status",
            "aiprov:status:reason",
            "aiprov:revision",
            "aiprov:revision:source",
            "aiprov:range"
        ]
    );
    assert_eq!(prop(&p, "aiprov:status"), Some("error"));
    assert_eq!(prop(&p, "aiprov:revision"), Some(head.as_str()));
    assert_eq!(prop(&p, "aiprov:revision:source"), Some("default-branch"));
    // The repo map's local path is neither the repository nor in the reason (issue 14).
    assert_eq!(prop(&p, "aiprov:repository"), None);
    let reason = prop(&p, "aiprov:status:reason").unwrap();
    let want = format!(
        "1 commit(s) of <local path> could not be read (first: {two}: cannot read object: "
    );
    assert!(reason.starts_with(&want), "{reason}");
    let s = props(&doc, "/metadata");
    assert_eq!(prop(&s, "aiprov:summary:status:error"), Some("1"));
    assert_eq!(prop(&s, "aiprov:summary:commits:total"), Some("0"));
    assert_eq!(
        std::fs::read_to_string(&ev).unwrap(),
        "",
        "no evidence from a failed walk"
    );
    assert!(
        run.stderr
            .contains("1 component: 1 error; 1 repository walked in"),
        "{}",
        run.stderr
    );
}

#[test]
fn fail_on_gates_after_writing_and_fill_min_elements_adds_only_what_aiprov_knows() {
    let f = Fixture::new();
    let (bom, mirrors, map, out) = (
        f.s("bom.json"),
        f.s("mirrors"),
        f.s("repos.toml"),
        f.s("gated.json"),
    );
    let base = [
        "enrich",
        bom.as_str(),
        "--offline",
        "--mirror-dir",
        mirrors.as_str(),
        "--repo-map",
        map.as_str(),
        "-o",
        out.as_str(),
    ];
    // widget@1.0.0 is analyzed at v1.0.0 (c1..c3: aider commit, Claude-assisted commit).
    let mut args = base.to_vec();
    args.extend([
        "--fail-on",
        "pkg:npm/widget*:tool=aider",
        "--fail-on",
        "tool=jules",
    ]);
    let run = aiprov(&args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let violations: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("aiprov: policy violated: "))
        .collect();
    assert_eq!(violations.len(), 2, "{}", run.stderr);
    assert!(
        violations.iter().all(|l| l.contains("tool=aider")),
        "{violations:?}"
    );
    assert!(
        run.stderr.ends_with("aiprov: 2 policy violation(s)\n"),
        "{}",
        run.stderr
    );
    assert!(
        std::fs::metadata(&out).is_ok(),
        "the output is written before the gate trips"
    );

    let mut args = base.to_vec();
    args.extend(["--fail-on", "ai-share>"]);
    let run = aiprov(&args);
    assert_eq!(run.code, 2, "{}", run.stderr);

    // The fixture SBOM has no metadata.tools and a timestamp; --fill-min-elements keeps what it
    // holds and adds nothing it cannot know (no supplier, no authors).
    let mut args = base.to_vec();
    args.push("--fill-min-elements");
    let run = aiprov(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let tools = &doc["metadata"]["tools"]["components"];
    assert_eq!(tools[0]["name"], "aiprov");
    assert_eq!(tools[0]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["version"], 4);
    assert!(doc["metadata"].get("supplier").is_none() && doc["metadata"].get("authors").is_none());
}
