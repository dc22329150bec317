//! `aiprov diff OLD NEW` (issue 11, "What it must show", items 1, 3 and 4): on the aider mirror
//! of the shared corpus, and on `testdata/diff/lib.fi`, a small history with an upgrade, a
//! downgrade, a force-pushed (rewritten) release and a version without a tag:
//!
//! ```text
//!  main:       c1 ── c2 ── c3 ── c4 ── c5
//!              v1.0.0  claude  bot   aider  v1.2.0
//!                                    v1.1.0
//!  rewritten:  c1 ── c6 (claude)  v2.0.0     (c5 is not an ancestor of c6)
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{self, aiprov, Run};
use crate::enrich_common;
use serde_json::{json, Value};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A folder with `lib.git` (imported from testdata/diff/lib.fi) and a repo map sending
/// `pkg:cargo/*` and `pkg:npm/*` names of the tests onto it.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("lib.git");
        git(
            dir.path(),
            &["init", "-q", "--bare", repo.to_str().unwrap()],
        );
        let stream =
            std::fs::File::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/diff/lib.fi"))
                .unwrap();
        let status = Command::new("git")
            .args([
                "--git-dir",
                repo.to_str().unwrap(),
                "fast-import",
                "--quiet",
            ])
            .stdin(stream)
            .status()
            .unwrap();
        assert!(status.success());
        git(
            dir.path(),
            &[
                "--git-dir",
                "lib.git",
                "symbolic-ref",
                "HEAD",
                "refs/heads/main",
            ],
        );
        let mut map = String::from("[repositories]\n");
        for name in [
            "pkg:cargo/up",
            "pkg:cargo/down",
            "pkg:cargo/rewritten",
            "pkg:cargo/untagged",
            "pkg:cargo/same",
            "pkg:cargo/acme-lib",
            "pkg:npm/acme-widget",
            "pkg:npm/new-thing",
        ] {
            map.push_str(&format!("\"{name}\" = \"lib.git\"\n"));
        }
        std::fs::write(dir.path().join("repos.toml"), map).unwrap();
        Fixture { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    fn rev(&self, spec: &str) -> String {
        git(
            self.dir.path(),
            &[
                "--git-dir",
                "lib.git",
                "rev-parse",
                &format!("{spec}^{{commit}}"),
            ],
        )
    }

    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.path(name), text).unwrap();
        self.s(name)
    }

    fn diff(&self, old: &str, new: &str, extra: &[&str]) -> Run {
        let (map, cache) = (self.s("repos.toml"), self.s("cache"));
        let mut args = vec![
            "diff",
            old,
            new,
            "--offline",
            "--repo-map",
            &map,
            "--cache-dir",
            &cache,
        ];
        args.extend_from_slice(extra);
        aiprov(&args)
    }
}

fn cdx(components: &[(&str, &str, &str)]) -> String {
    let comps: Vec<Value> = components
        .iter()
        .map(|(ty, name, version)| {
            json!({"type": "library", "bom-ref": format!("{name}@{version}"), "name": name,
                   "version": version, "purl": format!("pkg:{ty}/{name}@{version}")})
        })
        .collect();
    json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": comps})
        .to_string()
}

fn by_name<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {doc:#}"))
}

fn classes(agent: u64, assisted: u64, automation: u64, none: u64) -> Value {
    json!({"ai-agent": agent, "ai-assisted": assisted, "automation": automation, "no-evidence": none})
}

fn schema_check(doc: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/diff.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn upgrade_downgrade_rewritten_untagged_and_unchanged_on_a_fixture_history() {
    let f = Fixture::new();
    let old = f.write(
        "old.cdx.json",
        &cdx(&[
            ("cargo", "up", "1.0.0"),
            ("cargo", "down", "1.2.0"),
            ("cargo", "rewritten", "1.2.0"),
            ("cargo", "untagged", "0.9.0"),
            ("cargo", "same", "1.1.0"),
        ]),
    );
    let new = f.write(
        "new.cdx.json",
        &cdx(&[
            ("cargo", "up", "1.2.0"),
            ("cargo", "down", "1.1.0"),
            ("cargo", "rewritten", "2.0.0"),
            ("cargo", "untagged", "1.1.0"),
            ("cargo", "same", "1.1.0"),
        ]),
    );
    let run = f.diff(&old, &new, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    schema_check(&doc);

    let up = by_name(&doc, "up");
    assert_eq!(up["change"], "upgraded");
    assert_eq!(up["range"], "v1.0.0..v1.2.0");
    assert_eq!(up["old"]["revision"], f.rev("v1.0.0"));
    assert_eq!(up["new"]["revision"], f.rev("v1.2.0"));
    assert_eq!(up["old"]["revision_source"], "tag");
    assert_eq!(up["ancestry"], "ancestor");
    assert_eq!(up["commits"], 4);
    assert_eq!(up["classes"], classes(1, 1, 1, 1));
    assert_eq!(up["tools"], json!({"aider": 1, "claude-code": 1}));
    assert_eq!(up["ai_commits"], 2);
    let listed: Vec<&str> = up["ai"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["commit"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [f.rev("v1.1.0"), f.rev("v1.1.0~2")]);
    assert_eq!(up["status"], "analyzed");

    // a downgrade counts what it takes out: c5
    let down = by_name(&doc, "down");
    assert_eq!(down["change"], "downgraded");
    assert_eq!(down["range"], "v1.1.0..v1.2.0");
    assert_eq!(down["commits"], 1);
    assert_eq!(down["classes"], classes(0, 0, 0, 1));

    // force-pushed: v1.2.0 is not an ancestor of v2.0.0; NEW's side is c6 alone
    let rw = by_name(&doc, "rewritten");
    assert_eq!(rw["change"], "upgraded");
    assert_eq!(rw["ancestry"], "diverged");
    assert_eq!(rw["commits"], 1);
    assert_eq!(rw["classes"], classes(0, 1, 0, 0));
    assert!(
        rw["reason"].as_str().unwrap().contains("not an ancestor"),
        "{rw}"
    );

    // no tag v0.9.0, no release time offline: OLD revision unresolved, nothing walked
    let un = by_name(&doc, "untagged");
    assert_eq!(un["status"], "revision-unresolved");
    assert_eq!(un["commits"], Value::Null);
    let reason = un["reason"].as_str().unwrap();
    assert!(reason.starts_with("OLD revision: no tag of "), "{reason}");
    assert!(reason.contains("matches version 0.9.0"), "{reason}");
    assert_eq!(un["new"]["revision"], f.rev("v1.1.0"));

    let same = by_name(&doc, "same");
    assert_eq!(same["change"], "unchanged");
    assert_eq!(same["commits"], 0);
    assert_eq!(same["status"], "not-walked");

    assert_eq!(
        doc["totals"]["changes"],
        json!({"added": 0, "downgraded": 1, "removed": 0, "unchanged": 1, "upgraded": 3})
    );
    assert_eq!(doc["totals"]["commits"], 6);
    assert_eq!(doc["totals"]["ai_commits"], 3);
    // changed components with AI commits first
    let order: Vec<&str> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["up", "rewritten", "down", "untagged", "same"]);

    // the policy gate on the delta
    let run = f.diff(&old, &new, &["--fail-on", "ai-commits>0"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("up@1.2.0") || run.stderr.contains("up"),
        "{}",
        run.stderr
    );
    let run = f.diff(&old, &new, &["--fail-on", "pkg:cargo/down:ai-commits>0"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = f.diff(
        &old,
        &new,
        &["--fail-on", "tool=aider", "--format", "sarif"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let sarif = run.json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let levels: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        levels,
        [
            ("aiprov/ai-commits-in-change", "note"),
            ("aiprov/ai-commits-in-change", "note"),
            ("tool=aider", "error")
        ]
    );
}

#[test]
fn markdown_lists_changed_components_with_ai_commits_first() {
    let f = Fixture::new();
    let old = f.write(
        "old.cdx.json",
        &cdx(&[("cargo", "up", "1.0.0"), ("cargo", "same", "1.1.0")]),
    );
    let new = f.write(
        "new.cdx.json",
        &cdx(&[
            ("cargo", "up", "1.1.0"),
            ("cargo", "same", "1.1.0"),
            ("npm", "new-thing", "3.0.0"),
        ]),
    );
    let run = f.diff(&old, &new, &["--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = run.stdout;
    // --markdown writes the same beside the JSON
    let also = f.s("comment.md");
    let run = f.diff(&old, &new, &["--markdown", &also]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["totals"]["ai_commits"], 2);
    assert_eq!(std::fs::read_to_string(&also).unwrap(), md);
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(
        lines[0],
        "### aiprov: what this dependency change brings in"
    );
    assert_eq!(
        lines[2],
        "**2** changed components (1 upgraded, 0 downgraded, 1 added, 0 removed; 1 unchanged). **2** AI commits in the changed ranges (0 with review evidence) out of 3 commits; tools: aider 1, claude-code 1."
    );
    // Without review data nothing is looked up: both AI commits are unknown, never unreviewed.
    assert_eq!(
        lines[4],
        "Review of those AI commits: 0 approved, 0 with review trailers, 0 merged without approval, 0 without a pull request, 2 unknown (not looked up)."
    );
    let up = "| up | 1.0.0 → 1.1.0 | v1.0.0..v1.1.0 | 3 | 2 | aider 1, claude-code 1 | 0/2 |";
    assert!(lines.contains(&up), "{md}");
    // new-thing has no version tag v1.0.0: NEW revision unresolved, listed with its reason
    assert!(
        md.contains("- new-thing (added 3.0.0): revision-unresolved: NEW revision: no tag of "),
        "{md}"
    );
    let aider = format!(
        "- `{}` 2023-11-14 aider (ai-agent): feat: Add retries to the fetcher; review: unknown",
        &f.rev("v1.1.0")[..10]
    );
    assert!(lines.contains(&aider.as_str()), "{md}");
}

const CARGO_LOCK: &str = "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 3\n\n[[package]]\nname = \"acme-lib\"\nversion = \"VERSION\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"acme-lib\",\n]\n";

fn package_lock(version: &str) -> String {
    serde_json::to_string_pretty(&json!({
        "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": {"name": "app", "version": "1.0.0", "dependencies": {"acme-widget": version}},
            "node_modules/acme-widget": {"version": version,
                "resolved": format!("https://registry.npmjs.org/acme-widget/-/acme-widget-{version}.tgz")}
        }
    }))
    .unwrap()
}

#[test]
fn lockfiles_of_two_kinds_and_mixed_formats() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.path("before")).unwrap();
    std::fs::create_dir_all(f.path("after")).unwrap();
    let old = f.write("before/Cargo.lock", &CARGO_LOCK.replace("VERSION", "1.0.0"));
    let new = f.write("after/Cargo.lock", &CARGO_LOCK.replace("VERSION", "1.1.0"));
    let run = f.diff(&old, &new, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    schema_check(&doc);
    let lib = by_name(&doc, "acme-lib");
    assert_eq!(lib["change"], "upgraded");
    assert_eq!(lib["range"], "v1.0.0..v1.1.0");
    assert_eq!(lib["commits"], 3);
    assert_eq!(lib["classes"], classes(1, 1, 1, 0));
    // the root package is the document's subject (metadata.component), not a dependency
    assert_eq!(doc["components"].as_array().unwrap().len(), 1);

    let old = f.write("before/package-lock.json", &package_lock("1.1.0"));
    let new = f.write("after/package-lock.json", &package_lock("1.2.0"));
    let run = f.diff(&old, &new, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let w = by_name(&doc, "acme-widget");
    assert_eq!(w["change"], "upgraded");
    assert_eq!(w["purl"], "pkg:npm/acme-widget@1.2.0");
    assert_eq!(w["range"], "v1.1.0..v1.2.0");
    assert_eq!(w["commits"], 1);

    // OLD a lockfile, NEW a CycloneDX SBOM: paired by purl all the same
    let new = f.write("new.cdx.json", &cdx(&[("cargo", "acme-lib", "1.2.0")]));
    let run = f.diff(&f.s("before/Cargo.lock"), &new, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let lib = by_name(&doc, "acme-lib");
    assert_eq!(lib["change"], "upgraded");
    assert_eq!(lib["range"], "v1.0.0..v1.2.0");
    assert_eq!(lib["commits"], 4);
}

#[test]
fn lockfiles_at_two_git_revisions_of_a_folder() {
    let f = Fixture::new();
    let wt = f.path("project");
    std::fs::create_dir_all(&wt).unwrap();
    git(&wt, &["init", "-q"]);
    let commit = |version: &str, message: &str| {
        std::fs::write(
            wt.join("Cargo.lock"),
            CARGO_LOCK.replace("VERSION", version),
        )
        .unwrap();
        git(&wt, &["add", "Cargo.lock"]);
        git(
            &wt,
            &[
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@example.invalid",
                "commit",
                "-q",
                "-m",
                message,
            ],
        );
    };
    commit("1.0.0", "lock acme-lib 1.0.0");
    commit("1.2.0", "cargo update -p acme-lib");
    // uncommitted: what is in the work tree does not count
    std::fs::write(wt.join("Cargo.lock"), "garbage").unwrap();
    let dir = f.s("project");
    let (map, cache) = (f.s("repos.toml"), f.s("cache"));
    for path in [dir.clone(), format!("{dir}/Cargo.lock")] {
        let run = aiprov(&[
            "diff",
            "--lockfiles-at",
            "HEAD~1..HEAD",
            &path,
            "--offline",
            "--repo-map",
            &map,
            "--cache-dir",
            &cache,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let doc = run.json();
        assert_eq!(doc["old"], format!("{path}@HEAD~1"));
        let lib = by_name(&doc, "acme-lib");
        assert_eq!(lib["change"], "upgraded");
        assert_eq!(lib["range"], "v1.0.0..v1.2.0");
        assert_eq!(lib["commits"], 4);
    }
    let run = aiprov(&["diff", "--lockfiles-at", "HEAD~1", &dir]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--lockfiles-at HEAD~1: expected A..B"),
        "{}",
        run.stderr
    );
    let run = aiprov(&["diff", "--lockfiles-at", "nope..HEAD", &dir, "--offline"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("aiprov: OLD: nope: unknown revision"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_same_input_twice_is_all_unchanged_and_bad_input_names_its_side() {
    let f = Fixture::new();
    let bom = f.write(
        "bom.cdx.json",
        &cdx(&[("cargo", "up", "1.0.0"), ("npm", "acme-widget", "1.1.0")]),
    );
    let run = f.diff(&bom, &bom, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    for c in doc["components"].as_array().unwrap() {
        assert_eq!(c["change"], "unchanged", "{c}");
        assert_eq!(c["commits"], 0, "{c}");
    }
    assert_eq!(doc["totals"]["commits"], 0);

    let missing = f.s("nope.json");
    let run = f.diff(&bom, &missing, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!("aiprov: NEW {missing}")),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());

    let garbage = f.write(
        "garbage.json",
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": ",
    );
    let run = f.diff(&garbage, &bom, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!("aiprov: OLD {garbage}")),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn enrich_with_a_baseline_writes_the_delta_properties() {
    let f = Fixture::new();
    let old = f.write(
        "old.cdx.json",
        &cdx(&[
            ("cargo", "up", "1.0.0"),
            ("cargo", "same", "1.1.0"),
            ("cargo", "gone", "1.0.0"),
        ]),
    );
    let new = f.write(
        "new.cdx.json",
        &cdx(&[("cargo", "up", "1.2.0"), ("cargo", "same", "1.1.0")]),
    );
    let (map, cache, out) = (f.s("repos.toml"), f.s("cache"), f.s("out.json"));
    let run = aiprov(&[
        "enrich",
        &new,
        "--baseline",
        &old,
        "--offline",
        "--repo-map",
        &map,
        "--cache-dir",
        &cache,
        "-o",
        &out,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let delta = |i: usize| -> Vec<(String, String)> {
        enrich_common::props(&doc, &format!("/components/{i}"))
            .into_iter()
            .filter(|(n, _)| n.starts_with("aiprov:delta:"))
            .collect()
    };
    let pairs = |l: &[(&str, &str)]| -> Vec<(String, String)> {
        l.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let (v100, v120) = (f.rev("v1.0.0"), f.rev("v1.2.0"));
    assert_eq!(
        delta(0),
        pairs(&[
            ("aiprov:delta:change", "upgraded"),
            ("aiprov:delta:baseline-version", "1.0.0"),
            ("aiprov:delta:baseline-revision", &v100),
            ("aiprov:delta:range", "v1.0.0..v1.2.0"),
            ("aiprov:delta:ancestry", "ancestor"),
            ("aiprov:delta:commits:total", "4"),
            ("aiprov:delta:commits:ai-agent", "1"),
            ("aiprov:delta:commits:ai-assisted", "1"),
            ("aiprov:delta:commits:automation", "1"),
            ("aiprov:delta:commits:no-evidence", "1"),
            ("aiprov:delta:ai:tools", "aider,claude-code"),
            ("aiprov:delta:ai:tool:aider", "1"),
            ("aiprov:delta:ai:tool:claude-code", "1"),
            ("aiprov:delta:review:ai-with-evidence", "0"),
        ])
    );
    assert_eq!(
        enrich_common::prop(
            &enrich_common::props(&doc, "/components/0"),
            "aiprov:revision"
        ),
        Some(v120.as_str())
    );
    assert_eq!(
        delta(1),
        pairs(&[
            ("aiprov:delta:change", "unchanged"),
            ("aiprov:delta:baseline-version", "1.1.0"),
            ("aiprov:delta:commits:total", "0"),
            ("aiprov:delta:commits:ai-agent", "0"),
            ("aiprov:delta:commits:ai-assisted", "0"),
            ("aiprov:delta:commits:automation", "0"),
            ("aiprov:delta:commits:no-evidence", "0"),
            ("aiprov:delta:review:ai-with-evidence", "0"),
        ])
    );
    let summary = enrich_common::props(&doc, "/metadata");
    assert_eq!(
        enrich_common::prop(&summary, "aiprov:summary:delta:removed"),
        Some("1")
    );
    assert_eq!(
        enrich_common::prop(&summary, "aiprov:summary:delta:upgraded"),
        Some("1")
    );
    assert_eq!(
        enrich_common::prop(&summary, "aiprov:summary:delta:commits:total"),
        Some("4")
    );
}

/// Item 1: aider-chat 0.85.0 → 0.86.1 on the shared mirror brings in exactly the AI commits
/// `aiprov evidence --range v0.85.0..v0.86.1` counts.
#[test]
#[ignore = "needs ../shared"]
fn aider_upgrade_matches_aiprov_evidence_on_the_same_range() {
    let _shared = common::shared();
    let mirrors = common::corpus_mirrors();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/diff");
    let cache = tempfile::tempdir().unwrap();
    let run = aiprov(&[
        "diff",
        data.join("aider-old.cdx.json").to_str().unwrap(),
        data.join("aider-new.cdx.json").to_str().unwrap(),
        "--offline",
        "--mirror-dir",
        mirrors.to_str().unwrap(),
        "--cache-dir",
        cache.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    schema_check(&doc);
    let aider = by_name(&doc, "aider-chat");
    assert_eq!(aider["change"], "upgraded");
    assert_eq!(aider["range"], "v0.85.0..v0.86.1");
    assert_eq!(aider["ancestry"], "ancestor");

    let ev = aiprov(&[
        "evidence",
        mirrors
            .join("github.com/Aider-AI/aider.git")
            .to_str()
            .unwrap(),
        "--range",
        "v0.85.0..v0.86.1",
    ]);
    assert_eq!(ev.code, 0, "{}", ev.stderr);
    let ev = ev.json();
    assert_eq!(aider["commits"], ev["metrics"]["commits"]);
    assert_eq!(aider["classes"], ev["metrics"]["classes"]);
    assert_eq!(aider["tools"], ev["metrics"]["tools"]);
    assert_eq!(aider["ai_commits"], ev["metrics"]["ai_commits"]);
    let ai_in_evidence: Vec<&str> = ev["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| matches!(r["class"].as_str(), Some("ai-agent" | "ai-assisted")))
        .map(|r| r["commit"].as_str().unwrap())
        .collect();
    let mut ai_in_diff: Vec<&str> = aider["ai"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["commit"].as_str().unwrap())
        .collect();
    let mut sorted_ev = ai_in_evidence.clone();
    sorted_ev.sort();
    ai_in_diff.sort();
    assert_eq!(ai_in_diff, sorted_ev);
    // the measured values, so that a change in both commands still shows up here
    assert_eq!(aider["commits"], 72);
    assert_eq!(aider["classes"], classes(0, 14, 0, 58));
    assert_eq!(
        aider["ai"][0]["url"].as_str().unwrap(),
        format!(
            "https://github.com/Aider-AI/aider/commit/{}",
            aider["ai"][0]["commit"].as_str().unwrap()
        )
    );

    let backoff = by_name(&doc, "backoff");
    assert_eq!(backoff["change"], "unchanged");
    assert_eq!(backoff["commits"], 0);
    let fqdn = by_name(&doc, "fqdn");
    assert_eq!(fqdn["change"], "added");
    assert_eq!(fqdn["range"], "v1.5.1");
    assert_eq!(fqdn["status"], "analyzed");
    let left_pad = by_name(&doc, "left-pad");
    assert_eq!(left_pad["change"], "removed");
    assert_eq!(left_pad["commits"], 0);
}
