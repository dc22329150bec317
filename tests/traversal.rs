//! One traversal per repository (issue 12): all revisions of a repository in a run share one
//! walk, each commit read and decoded once, and each revision's walk replayed from the parent
//! graph gives the same steps, in the same order, as walking that revision on its own.
//! `testdata/traversal.fi` has branches, merges, a committer-time tie and a commit older than its
//! parent (clock skew), tagged `v1.0.0`…`v5.0.0` on different branches.

use crate::common::{self, aiprov_with};

use std::collections::HashSet;
use std::path::Path;

use aiprov::history::{Entry, Options, Repo, Step};
use serde_json::{json, Value};

const TAGS: [&str; 5] = ["v1.0.0", "v2.0.0", "v3.0.0", "v4.0.0", "v5.0.0"];
const T0: i64 = 1_700_000_000;

/// Each step of `repo.walk(tag, since)` as `c:ID` or `e:ID:MESSAGE`.
fn walked(repo: &Repo, tag: &str, since: Option<i64>) -> Vec<String> {
    let mut out = Vec::new();
    let opts = Options {
        rev: Some(tag.to_string()),
        since,
    };
    repo.walk(&opts, |e| {
        out.push(match e {
            Entry::Commit(m) => format!("c:{}", m.id),
            Entry::Error { id, message } => format!("e:{id}:{message}"),
        });
        true
    })
    .unwrap();
    out
}

/// Traverse from every tag at once, then replay each: the steps per tag, the ids handed out,
/// and the traversal's counters.
fn replayed(repo: &Repo, since: Option<i64>) -> (Vec<Vec<String>>, Vec<String>, usize, usize) {
    let tips: Vec<_> = TAGS
        .iter()
        .map(|t| repo.resolve(Some(t)).unwrap())
        .collect();
    let mut handed = Vec::new();
    let (t, nodes) = repo.traverse(&tips, since, |_, raw| {
        if let Entry::Commit(m) = raw.parse() {
            handed.push(m.id);
        }
    });
    let per_tag = nodes
        .iter()
        .map(|n| {
            t.replay(*n)
                .into_iter()
                .map(|s| match s {
                    Step::Commit(n) => format!("c:{}", t.id(n)),
                    Step::Error(n) => format!("e:{}:{}", t.id(n), t.error(n).unwrap()),
                })
                .collect()
        })
        .collect();
    (per_tag, handed, t.read, t.decoded)
}

fn fixture(dir: &Path) -> std::path::PathBuf {
    let repo = dir.join("mirrors/github.com/acme/trav.git");
    common::import_fi("traversal.fi", &repo);
    repo
}

#[test]
fn every_commit_is_decoded_once_and_each_revision_replays_its_own_walk() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::open(&fixture(dir.path())).unwrap();
    for since in [None, Some(T0 + 180), Some(T0 + 450), Some(T0 + 10_000)] {
        let (per_tag, handed, read, decoded) = replayed(&repo, since);
        for (tag, steps) in TAGS.iter().zip(&per_tag) {
            assert_eq!(steps, &walked(&repo, tag, since), "{tag} since {since:?}");
        }
        // Each commit some walk yields is decoded exactly once: the union of the walks.
        let union: HashSet<&String> = per_tag.iter().flatten().collect();
        let distinct: HashSet<&String> = handed.iter().collect();
        assert_eq!(distinct.len(), handed.len(), "a commit was decoded twice");
        assert_eq!(decoded, handed.len());
        assert_eq!(decoded, union.len(), "since {since:?}");
        assert!(
            read >= decoded,
            "commits older than --since are read, not decoded"
        );
    }
    let (_, handed, read, decoded) = replayed(&repo, None);
    assert_eq!((read, decoded, handed.len()), (11, 11, 11));
    // The five walks on their own decode 3 + 6 + 9 + 3 + 10 commits: 31 decodes, not 11.
    let separately: Vec<usize> = TAGS.iter().map(|t| walked(&repo, t, None).len()).collect();
    assert_eq!(separately, [3, 6, 9, 3, 10]);
    // With --since after the feature commits, the old ones are read (their time decides) once.
    let (_, _, read, decoded) = replayed(&repo, Some(T0 + 450));
    assert_eq!((read, decoded), (7, 4));
}

#[test]
fn a_missing_commit_is_the_same_error_in_each_replayed_walk() {
    let dir = tempfile::tempdir().unwrap();
    let bare = fixture(dir.path());
    // Loose objects, then the feature commit (reached only through the first merge) removed.
    let pack_dir = bare.join("objects/pack");
    for e in std::fs::read_dir(&pack_dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "pack") {
            let bytes = std::fs::read(&p).unwrap();
            std::fs::remove_file(&p).unwrap();
            std::fs::remove_file(p.with_extension("idx")).unwrap();
            let mut cmd = std::process::Command::new("git");
            cmd.args(["--git-dir", bare.to_str().unwrap(), "unpack-objects", "-q"]);
            assert_eq!(common::run(cmd, Some(&bytes)).code, 0);
        }
    }
    let feat = common::git(&bare, &["rev-parse", "v2.0.0~1^2"])
        .trim()
        .to_string();
    std::fs::remove_file(bare.join("objects").join(&feat[..2]).join(&feat[2..])).unwrap();
    let repo = Repo::open(&bare).unwrap();
    let (per_tag, _, _, decoded) = replayed(&repo, None);
    for (tag, steps) in TAGS.iter().zip(&per_tag) {
        assert_eq!(steps, &walked(&repo, tag, None), "{tag}");
    }
    let errors: Vec<usize> = per_tag
        .iter()
        .map(|s| s.iter().filter(|l| l.starts_with("e:")).count())
        .collect();
    assert_eq!(errors, [0, 1, 1, 0, 1]);
    assert_eq!(decoded, 10);
}

/// An SBOM with one component per tag of the repository (and one without a version: the
/// default branch), with bom-refs `c1`…`c5`.
fn bom(tags: &[&str]) -> Value {
    let components: Vec<Value> = tags
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({"type": "library", "bom-ref": format!("c{}", i + 1), "name": "trav",
                "version": t.trim_start_matches('v'),
                "externalReferences": [{"type": "vcs", "url": "https://github.com/acme/trav"}]})
        })
        .collect();
    json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "serialNumber": "urn:uuid:0b7e3b5e-5b8a-4f7e-9d3c-2a1b0c9d8e71", "components": components})
}

/// `aiprov enrich` of [`bom`]`(tags)` against the fixture's mirror (`--no-cache` unless `extra`
/// names a `--cache-dir`): the output, the evidence file and stderr (`-vv`).
fn enrich(dir: &Path, name: &str, tags: &[&str], extra: &[&str]) -> (Value, String, String) {
    let input = dir.join(format!("{name}.cdx.json"));
    std::fs::write(&input, serde_json::to_vec(&bom(tags)).unwrap()).unwrap();
    let (out, ev) = (
        dir.join(format!("{name}.out.json")),
        dir.join(format!("{name}.jsonl")),
    );
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let (input, out_s, ev_s, mirrors) = (s(&input), s(&out), s(&ev), s(&dir.join("mirrors")));
    let mut args = vec![
        "enrich",
        input.as_str(),
        "--offline",
        "--mirror-dir",
        mirrors.as_str(),
        "-o",
        out_s.as_str(),
        "--evidence",
        ev_s.as_str(),
        "-vv",
    ];
    args.extend_from_slice(extra);
    if !extra.contains(&"--cache-dir") {
        args.push("--no-cache");
    }
    let run = aiprov_with(&args, None, &[("SOURCE_DATE_EPOCH", "1788000000")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    (doc, std::fs::read_to_string(&ev).unwrap(), run.stderr)
}

fn properties(doc: &Value, i: usize) -> Value {
    doc["components"][i]["properties"].clone()
}

#[test]
fn five_revisions_of_one_repository_decode_each_commit_once_with_the_counts_of_five_walks() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    for since in [None, Some("2023-11-14T22:20:00Z")] {
        let extra: Vec<&str> = since.iter().flat_map(|s| ["--since", *s]).collect();
        let (all, evidence, stderr) = enrich(dir.path(), "all", &TAGS, &extra);
        // One traversal: the union of the five walks read and decoded once (the log line is
        // the library's `Traversal` counters).
        let expected = match since {
            None => "one traversal for 5 revision(s): 11 commits read, 11 decoded",
            Some(_) => "one traversal for 5 revision(s): 8 commits read, 5 decoded",
        };
        assert!(stderr.contains(expected), "{stderr}");
        // Each revision alone gives the same properties and evidence lines.
        let mut concatenated = String::new();
        for (i, tag) in TAGS.iter().enumerate() {
            let (one, lines, stderr) = enrich(dir.path(), tag, &[tag], &extra);
            assert!(
                stderr.contains("one traversal for 1 revision(s)"),
                "{stderr}"
            );
            assert_eq!(properties(&all, i), properties(&one, 0), "{tag}");
            assert!(
                properties(&one, 0)
                    .to_string()
                    .contains(r#""aiprov:revision:source","value":"tag""#),
                "{}",
                properties(&one, 0)
            );
            concatenated.push_str(
                &lines
                    .replace("\"c1\"", &format!("\"c{}\"", i + 1))
                    .replace("/components/0\"", &format!("/components/{i}\"")),
            );
        }
        assert_eq!(evidence, concatenated);
        let lines = evidence.lines().count();
        assert_eq!(lines, if since.is_none() { 15 } else { 5 }, "{evidence}");
    }
}

#[test]
fn a_new_revision_reads_only_the_commits_it_adds_with_the_bytes_of_a_cold_walk() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let store = dir.path().join("cache");
    let store = store.to_str().unwrap();
    for since in [None, Some("2023-11-14T22:15:00Z")] {
        let mut extra: Vec<&str> = since.iter().flat_map(|s| ["--since", *s]).collect();
        let (cold, cold_evidence, _) = enrich(dir.path(), "cold", &["v5.0.0"], &extra);
        extra.extend(["--cache-dir", store]);
        let _ = std::fs::remove_dir_all(store);
        // A: v1.0.0 (3 commits) into an empty store.
        let (_, _, stderr) = enrich(dir.path(), "a", &["v1.0.0"], &extra);
        assert!(stderr.contains("0 from the results store"), "{stderr}");
        // B: v5.0.0 continues A's traversal: only the 7 commits of v5.0.0 ^v1.0.0 are read.
        let (warm, warm_evidence, stderr) = enrich(dir.path(), "b", &["v5.0.0"], &extra);
        let expected = match since {
            None => "1 revision(s): 7 commits read, 7 decoded, 3 from the results store",
            // --since 100 s after the root: the root is read (its time decides), not decoded.
            Some(_) => "1 revision(s): 7 commits read, 7 decoded, 3 from the results store",
        };
        assert!(stderr.contains(expected), "{stderr}");
        assert_eq!(warm, cold);
        assert_eq!(warm_evidence, cold_evidence);
        assert_eq!(warm_evidence.lines().count(), 5);
        // Everything at once from the store: v4.0.0 adds one commit.
        let (all_cold, all_cold_evidence, _) =
            enrich(dir.path(), "all-cold", &TAGS, &extra[..extra.len() - 2]);
        let (all, all_evidence, stderr) = enrich(dir.path(), "all", &TAGS, &extra);
        assert!(
            stderr.contains("1 commits read, 1 decoded, 10 from the results store"),
            "{stderr}"
        );
        assert_eq!(all, all_cold);
        assert_eq!(all_evidence, all_cold_evidence);
    }
}
