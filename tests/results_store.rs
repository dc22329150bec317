//! The results store (`CACHE/results`, issue 12): a warm re-run answers every walk from it with
//! identical output; damaged entries are noticed and recomputed; shards run as separate
//! processes with separate caches, merged by copying, assemble offline (no mirrors) into the
//! same bytes as one unsharded run.

use crate::common::{self, aiprov_with, Run};

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

const EPOCH: (&str, &str) = ("SOURCE_DATE_EPOCH", "1788000000");

/// Four mirrors under `mirrors/github.com/acme/` from the fast-import fixtures, and an SBOM with
/// components at tags and at the default branch of each.
struct Fixture {
    dir: tempfile::TempDir,
}

const REPOS: [(&str, &str); 4] = [
    ("widget", "enrich-widget.fi"),
    ("history", "history.fi"),
    ("detect", "detect.fi"),
    ("reviewed", "reviewed.fi"),
];

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        for (name, fi) in REPOS {
            common::import_fi(
                fi,
                &dir.path()
                    .join(format!("mirrors/github.com/acme/{name}.git")),
            );
        }
        let vcs =
            |name: &str| json!([{"type": "vcs", "url": format!("https://github.com/acme/{name}")}]);
        let mut components = vec![
            json!({"type": "library", "bom-ref": "w1", "name": "widget", "version": "1.0.0", "externalReferences": vcs("widget")}),
            json!({"type": "library", "bom-ref": "w0", "name": "widget", "version": "0.9.0", "purl": "pkg:npm/widget@0.9.0", "externalReferences": vcs("widget")}),
            json!({"type": "library", "bom-ref": "h1", "name": "history", "version": "1.0", "externalReferences": vcs("history")}),
            json!({"type": "library", "bom-ref": "r10", "name": "reviewed", "version": "1.0", "externalReferences": vcs("reviewed")}),
            json!({"type": "library", "bom-ref": "r11", "name": "reviewed", "version": "1.1", "externalReferences": vcs("reviewed")}),
            json!({"type": "library", "bom-ref": "gone", "name": "gone", "version": "1.0", "externalReferences": vcs("gone")}),
        ];
        for name in ["widget", "history", "detect", "reviewed"] {
            components.push(json!({"type": "library", "bom-ref": format!("{name}-head"), "name": format!("{name}-head"), "externalReferences": vcs(name)}));
        }
        let bom = json!({
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "serialNumber": "urn:uuid:0b7e3b5e-5b8a-4f7e-9d3c-2a1b0c9d8e70",
            "components": components,
        });
        std::fs::write(
            dir.path().join("bom.json"),
            serde_json::to_vec_pretty(&bom).unwrap(),
        )
        .unwrap();
        Fixture { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    /// `aiprov enrich bom.json --offline --fallback default-branch --cache-dir CACHE [--mirror-dir mirrors] EXTRA…`
    /// writing `OUT.json` and `OUT.jsonl` (evidence); exit code checked.
    fn enrich(&self, cache: &str, mirrors: bool, out: Option<&str>, extra: &[&str]) -> Run {
        let (bom, mirror_dir, cache) = (self.s("bom.json"), self.s("mirrors"), self.s(cache));
        let mut args = vec![
            "enrich",
            bom.as_str(),
            "--offline",
            "--fallback",
            "default-branch",
            "--cache-dir",
            cache.as_str(),
            "-v",
        ];
        if mirrors {
            args.extend(["--mirror-dir", mirror_dir.as_str()]);
        }
        let (o, e);
        if let Some(out) = out {
            o = self.s(&format!("{out}.json"));
            e = self.s(&format!("{out}.jsonl"));
            args.extend(["-o", o.as_str(), "--evidence", e.as_str()]);
        }
        args.extend_from_slice(extra);
        let run = aiprov_with(&args, None, &[EPOCH]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run
    }

    fn bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        if e.file_type().unwrap().is_dir() {
            out.extend(entries(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out.sort();
    out
}

fn statuses(out: &[u8]) -> Vec<(String, String)> {
    let v: Value = serde_json::from_slice(out).unwrap();
    v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let status = c["properties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "aiprov:status")
                .map(|p| p["value"].as_str().unwrap().to_string())
                .unwrap();
            (c["bom-ref"].as_str().unwrap().to_string(), status)
        })
        .collect()
}

#[test]
fn a_warm_run_answers_every_walk_from_the_store_with_identical_output() {
    let f = Fixture::new();
    let cold = f.enrich("cache", true, Some("cold"), &[]);
    assert!(
        cold.stderr.contains("results store: 0 of 8 walks answered"),
        "{}",
        cold.stderr
    );
    let analyzed = statuses(&f.bytes("cold.json"))
        .iter()
        .filter(|(_, s)| s == "analyzed")
        .count();
    assert_eq!(analyzed, 9, "{}", cold.stderr);
    let walks = entries(&f.path("cache/results/v1/walk")).len();
    assert_eq!(walks, 8, "one entry per distinct repository@revision");
    let warm = f.enrich("cache", true, Some("warm"), &[]);
    assert!(
        warm.stderr.contains("results store: 8 of 8 walks answered"),
        "{}",
        warm.stderr
    );
    assert!(f.bytes("cold.json") == f.bytes("warm.json"));
    assert!(f.bytes("cold.jsonl") == f.bytes("warm.jsonl"));
    // --no-cache walks everything again, same bytes.
    let bypass = f.enrich("cache", true, Some("bypass"), &["--no-cache"]);
    assert!(
        !bypass.stderr.contains("results store:"),
        "{}",
        bypass.stderr
    );
    assert!(f.bytes("cold.json") == f.bytes("bypass.json"));
    // A rule pack changes the rules digest: every walk misses.
    std::fs::write(
        f.path("extra.toml"),
        "schema = 1\nid = \"extra\"\ndescription = \"nothing new\"\n",
    )
    .unwrap();
    let extra = f.s("extra.toml");
    let other = f.enrich("cache", true, Some("rules"), &["--rules", &extra]);
    assert!(
        other
            .stderr
            .contains("results store: 0 of 8 walks answered"),
        "{}",
        other.stderr
    );
    assert_eq!(entries(&f.path("cache/results/v1/walk")).len(), 16);
}

/// Must-show 5: a truncated entry and one with a flipped byte are noticed, recomputed (never
/// used), and the output is the same bytes.
#[test]
fn corrupt_entries_are_recomputed_with_a_note() {
    let f = Fixture::new();
    f.enrich("cache", true, Some("cold"), &[]);
    let walks = entries(&f.path("cache/results/v1/walk"));
    let evidence = entries(&f.path("cache/results/v1/evidence"));
    assert!(walks.len() >= 2 && !evidence.is_empty());
    let truncated = std::fs::read(&walks[0]).unwrap();
    std::fs::write(&walks[0], &truncated[..truncated.len() / 2]).unwrap();
    let mut flipped = std::fs::read(&walks[1]).unwrap();
    let at = flipped.len() - 5;
    flipped[at] ^= 0x04;
    std::fs::write(&walks[1], &flipped).unwrap();
    let mut ev = std::fs::read(&evidence[0]).unwrap();
    let at = ev.len() - 3;
    ev[at] ^= 0x01;
    std::fs::write(&evidence[0], &ev).unwrap();
    let warm = f.enrich("cache", true, Some("warm"), &[]);
    let notes: Vec<&str> = warm
        .stderr
        .lines()
        .filter(|l| l.contains("results store: entry") && l.contains("corrupt"))
        .collect();
    assert_eq!(notes.len(), 3, "{walks:?} {}", warm.stderr);
    assert!(notes.iter().any(|l| l.contains("recomputed")));
    assert!(f.bytes("cold.json") == f.bytes("warm.json"));
    assert!(f.bytes("cold.jsonl") == f.bytes("warm.jsonl"));
    // Recomputed entries replaced the damaged ones: the next run notes nothing.
    let again = f.enrich("cache", true, Some("again"), &[]);
    assert!(!again.stderr.contains("corrupt ("), "{}", again.stderr);
    assert!(
        again.stderr.contains("8 of 8 walks answered"),
        "{}",
        again.stderr
    );
}

/// Copy every file of `from` into `to` (`cp -R from/. to/`), as merging stores by copying.
fn merge(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let status = std::process::Command::new("cp")
        .arg("-R")
        .arg(format!("{}/.", from.display()))
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Must-show 4: four shards as separate processes with separate caches; their stores merged by
/// copying; the assembling run (offline, no mirrors) gives the unsharded bytes. Then again with
/// one shard killed while it runs and rerun.
#[test]
fn shards_merged_by_copying_assemble_to_the_unsharded_bytes() {
    let f = Fixture::new();
    f.enrich("single", true, Some("single"), &[]);
    let single = f.bytes("single.json");
    let single_ev = f.bytes("single.jsonl");

    // Which shard walks what: each repository in exactly one.
    let mut walked = 0;
    for k in 0..4 {
        let shard = format!("{k}/4");
        let run = f.enrich(&format!("shard{k}"), true, None, &["--shard", &shard]);
        assert!(!f.path(&format!("shard{k}.json")).exists());
        walked += entries(&f.path(&format!("shard{k}/results/v1/walk"))).len();
        assert!(run.stdout.is_empty(), "a shard without -o writes no SBOM");
        for sub in ["results", "registry"] {
            let from = f.path(&format!("shard{k}/{sub}"));
            if from.exists() {
                merge(&from, &f.path(&format!("merged/{sub}")));
            }
        }
    }
    assert_eq!(walked, 8, "every walk in exactly one shard");
    assert!(!f.path("merged/mirrors").exists());
    f.enrich("merged", false, Some("assembled"), &[]);
    assert!(
        single == f.bytes("assembled.json"),
        "{}",
        String::from_utf8_lossy(&f.bytes("assembled.json"))
    );
    assert!(single_ev == f.bytes("assembled.jsonl"));

    // A shard with -o writes a partial SBOM: the other shards' components say so.
    f.enrich("partial", true, Some("partial"), &["--shard", "0/4"]);
    let partial = String::from_utf8(f.bytes("partial.json")).unwrap();
    assert!(
        partial.contains("not by this run (--shard 0/4)"),
        "{partial}"
    );

    // One shard killed mid-run, the others complete: the assembly misses its walks; rerun, it
    // is whole.
    let killed = 2;
    for k in 0..4 {
        let cache = f.s(&format!("again{k}"));
        let shard = format!("{k}/4");
        if k == killed {
            let mut cmd = common::command();
            cmd.args([
                "enrich",
                &f.s("bom.json"),
                "--offline",
                "--fallback",
                "default-branch",
                "--cache-dir",
                &cache,
                "--mirror-dir",
                &f.s("mirrors"),
                "--shard",
                &shard,
            ]);
            let mut child = cmd.spawn().unwrap();
            child.kill().unwrap();
            let _ = child.wait();
        } else {
            f.enrich(&format!("again{k}"), true, None, &["--shard", &shard]);
        }
        for sub in ["results", "registry"] {
            let from = f.path(&format!("again{k}/{sub}"));
            if from.exists() {
                merge(&from, &f.path(&format!("merged2/{sub}")));
            }
        }
    }
    f.enrich("merged2", false, Some("incomplete"), &[]);
    assert!(
        single != f.bytes("incomplete.json"),
        "the killed shard's walks are missing"
    );
    let whole = f.enrich(&format!("again{killed}"), true, None, &["--shard", "2/4"]);
    assert_eq!(whole.code, 0);
    merge(
        &f.path(&format!("again{killed}/results")),
        &f.path("merged2/results"),
    );
    f.enrich("merged2", false, Some("assembled2"), &[]);
    assert!(single == f.bytes("assembled2.json"));
    assert!(single_ev == f.bytes("assembled2.jsonl"));
}

/// Found by a newcomer: a shard with --no-cache walked everything, stored nothing and exited 0.
/// A shard's results live only in the store, so the two flags together are refused (exit 2).
#[test]
fn a_shard_without_the_store_is_refused() {
    let run = common::aiprov(&["enrich", "-", "--shard", "0/2", "--no-cache"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the argument '--shard <K/N>' cannot be used with '--no-cache'"),
        "{}",
        run.stderr
    );
}

/// Rewrite the keyed entry at `path` with `edit` applied to its payload and a correct header
/// (`aiprov-results 1 <kind> <len> sha256:<hex>`), as anyone who can write the store can.
fn forge(path: &Path, kind: &str, edit: impl Fn(&mut Value)) {
    let bytes = std::fs::read(path).unwrap();
    let nl = bytes.iter().position(|b| *b == b'\n').unwrap();
    let mut v: Value = serde_json::from_slice(&bytes[nl + 1..]).unwrap();
    edit(&mut v);
    write_forged(path, kind, &serde_json::to_vec(&v).unwrap());
}

fn write_forged(path: &Path, kind: &str, payload: &[u8]) {
    let hex = aiprov::results::sha256_hex(payload);
    let mut out = format!("aiprov-results 1 {kind} {} sha256:{hex}\n", payload.len()).into_bytes();
    out.extend_from_slice(payload);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, out).unwrap();
}

/// A warm run over a store whose `kind` entries were all forged: every one is noted
/// implausible and recomputed, none corrupt, and the output is the cold run's bytes.
fn assert_forgeries_recomputed(f: &Fixture, cache: &str, kind: &str, forged: usize, out: &str) {
    let warm = f.enrich(cache, true, Some(out), &[]);
    let notes: Vec<&str> = warm
        .stderr
        .lines()
        .filter(|l| l.contains("results store: entry"))
        .collect();
    assert!(notes.len() >= forged, "{}", warm.stderr);
    assert!(
        notes.iter().all(|l| l.contains(&format!("entry {kind}/"))
            && l.contains("implausible (")
            && l.ends_with("recomputed")),
        "{}",
        warm.stderr
    );
    assert!(f.bytes("cold.json") == f.bytes(&format!("{out}.json")));
    assert!(f.bytes("cold.jsonl") == f.bytes(&format!("{out}.jsonl")));
}

/// poison1: walk entries claiming 999 of 1000 commits by a tool named with a bidi override and
/// an escape sequence, pointing at invented evidence; then intact counts pointing at hostile
/// evidence lines. Both are noted implausible and recomputed: the output is the clean run's.
#[test]
fn forged_walk_entries_with_invented_claims_are_recomputed() {
    let f = Fixture::new();
    f.enrich("cache", true, Some("cold"), &[]);
    let root = f.path("cache/results/v1");
    let hostile = json!({"commit": "12d8954fbbded65c5ef6da47bfe34e0e101ef515",
        "date": "2023-11-14T17:46:40-05:00", "class": "ai-agent",
        "tool": "devin\u{202e}evil\u{1b}[31m", "confidence": "high", "rules": ["x"],
        "evidence": [{"rule": "x", "field": "author.name", "text": "\u{1b}]0;pwn\u{7} \u{202e}"}],
        "review": [], "review_outcome": "unknown", "pull_requests": []});
    let body = format!("{hostile}\n").into_bytes();
    let digest = aiprov::results::sha256_hex(&body);
    write_forged(
        &root.join(format!("evidence/{}/{digest}", &digest[..2])),
        "evidence",
        &body,
    );
    let walks = entries(&root.join("walk"));
    for w in &walks {
        forge(w, "walk", |v| {
            let c = &mut v["value"]["counts"];
            c["commits"] = json!(1000);
            c["classes"] = json!([
                ["ai-agent", 999],
                ["ai-assisted", 0],
                ["automation", 0],
                ["no-evidence", 1]
            ]);
            c["tools"] = json!([["devin\u{202e}evil\u{1b}[31m", 999]]);
            c["ai_with_review"] = json!(0);
            c["review"] = json!([0, 0, 0, 999, 0]);
            v["value"]["evidence"] = json!(digest);
            v["value"]["evidence_lines"] = json!(1);
        });
    }
    assert_forgeries_recomputed(&f, "cache", "walk", walks.len(), "warm");
    // Plausible counts, hostile evidence: the evidence entry is the one refused.
    let mut hostile_walks = 0;
    for w in entries(&root.join("walk")) {
        let bytes = std::fs::read(&w).unwrap();
        let nl = bytes.iter().position(|b| *b == b'\n').unwrap();
        let v: Value = serde_json::from_slice(&bytes[nl + 1..]).unwrap();
        let ai = v["value"]["counts"]["classes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c[0] == "ai-agent")
            .map_or(0, |c| c[1].as_u64().unwrap());
        if ai >= 1 && v["value"]["evidence_lines"] == json!(1) {
            forge(&w, "walk", |v| v["value"]["evidence"] = json!(digest));
            hostile_walks += 1;
        }
    }
    assert!(hostile_walks > 0);
    assert_forgeries_recomputed(&f, "cache", "evidence", 1, "warm2");
}

/// A change to a stored walk's counts.
type Edit = Box<dyn Fn(&mut Value)>;

/// poison2: impossible totals (classes not summing to the commit total, every count
/// u64::MAX, a 5,000,000-character tool, AI dates at the ends of i64): each noted implausible
/// and recomputed, so nothing wraps and nothing huge reaches the SBOM.
#[test]
fn forged_walk_entries_with_impossible_totals_are_recomputed() {
    let f = Fixture::new();
    f.enrich("cache", true, Some("cold"), &[]);
    let max = u64::MAX;
    let edits: [(&str, Edit); 4] = [
        ("zero", Box::new(|c: &mut Value| c["commits"] = json!(0))),
        (
            "max",
            Box::new(move |c: &mut Value| {
                c["commits"] = json!(max);
                c["classes"] = json!([
                    ["ai-agent", max],
                    ["ai-assisted", max],
                    ["automation", 0],
                    ["no-evidence", 0]
                ]);
                c["review"] = json!([max, max, max, max, max]);
                c["ai_with_review"] = json!(max);
            }),
        ),
        (
            "bigtool",
            Box::new(|c: &mut Value| c["tools"] = json!([["t".repeat(5_000_000), 1]])),
        ),
        (
            "time",
            Box::new(|c: &mut Value| {
                c["ai_first"] = json!([i64::MAX, i32::MAX]);
                c["ai_last"] = json!([i64::MIN, i32::MIN]);
            }),
        ),
    ];
    for (name, edit) in edits {
        let cache = format!("cache-{name}");
        merge(&f.path("cache"), &f.path(&cache));
        let walks = entries(&f.path(&format!("{cache}/results/v1/walk")));
        for w in &walks {
            forge(w, "walk", |v| edit(&mut v["value"]["counts"]));
        }
        assert_forgeries_recomputed(&f, &cache, "walk", walks.len(), &format!("warm-{name}"));
    }
}

/// poison3: revision records claiming `source=sbom` with a commit the SBOM never pinned are
/// noted implausible and recomputed.
#[test]
fn forged_revision_records_claiming_an_sbom_pin_are_recomputed() {
    let f = Fixture::new();
    f.enrich("cache", true, Some("cold"), &[]);
    let revisions = entries(&f.path("cache/results/v1/revision"));
    assert!(!revisions.is_empty());
    let mut forged = 0;
    for r in &revisions {
        forge(r, "revision", |v| {
            if v["value"]["result"].get("Ok").is_some() {
                v["value"]["result"] = json!({"Ok": ["f910cabeee5acf84075eee0d0db951ccb4774b18", "sbom", "v9.9.9", null]});
            }
        });
    }
    for r in &revisions {
        if std::fs::read_to_string(r).unwrap().contains("f910cabe") {
            forged += 1;
        }
    }
    assert!(forged > 0);
    assert_forgeries_recomputed(&f, "cache", "revision", forged, "warm");
}
