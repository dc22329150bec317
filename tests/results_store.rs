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
