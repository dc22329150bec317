//! `aiprov enrich A B -o OUT/` and `aiprov enrich FOLDER/ -o OUT/` (issue 12, batch input): one
//! output per input, byte-identical to single runs; the refusals, word for word; a bad input
//! stops the batch before anything is written.

use crate::common::{self, aiprov_with, Run};

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// The fixture's tagged commit (`v1.0.0`) and an earlier one (`widget-v0.9.0`), as in
/// tests/enrich_fixture.rs.
const C2: &str = "9b7772fe121453523282c71580a183e25a61ba57";
const EPOCH: &str = "1767225600";

struct Fixture {
    dir: tempfile::TempDir,
}

fn bom(serial: &str, components: Value) -> Value {
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{serial}"),
        "version": 1,
        "components": components,
    })
}

impl Fixture {
    /// mirrors/github.com/acme/widget.git from `testdata/enrich-widget.fi`, and two SBOMs in
    /// `in/`: `a.json` (widget at its tag, and pinned to an older commit) and `b.json` (widget at
    /// the same tag: the walk `a.json` stored; and a repository that is not there).
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let mirrors = dir.path().join("mirrors/github.com/acme");
        std::fs::create_dir_all(&mirrors).unwrap();
        common::import_fi("enrich-widget.fi", &mirrors.join("widget.git"));
        let f = Fixture { dir };
        std::fs::create_dir_all(f.path("in")).unwrap();
        let vcs = |url: &str| json!([{"type": "vcs", "url": url}]);
        let a = bom(
            "0b7e3b5e-5b8a-4f7e-9d3c-2a1b0c9d8e70",
            json!([
                {"type": "library", "bom-ref": "widget@1.0.0", "name": "widget", "version": "1.0.0",
                 "purl": "pkg:npm/widget@1.0.0", "externalReferences": vcs("https://github.com/acme/widget")},
                {"type": "library", "bom-ref": "widget-pinned", "name": "widget-pinned", "version": "0.1.0",
                 "externalReferences": vcs(&format!("git+https://github.com/acme/widget.git#{C2}"))}
            ]),
        );
        let b = bom(
            "0b7e3b5e-5b8a-4f7e-9d3c-2a1b0c9d8e71",
            json!([
                {"type": "library", "bom-ref": "w", "name": "widget", "version": "1.0.0",
                 "externalReferences": vcs("https://github.com/acme/widget")},
                {"type": "library", "bom-ref": "missing", "name": "missing", "version": "1.0.0",
                 "externalReferences": vcs("https://github.com/acme/missing")}
            ]),
        );
        f.write("in/a.json", &serde_json::to_vec_pretty(&a).unwrap());
        f.write("in/b.json", &serde_json::to_vec_pretty(&b).unwrap());
        f
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.path(name), bytes).unwrap();
    }

    /// `aiprov enrich ARGS --offline --mirror-dir mirrors --cache-dir CACHE` with the clock fixed.
    fn enrich(&self, args: &[&str], cache: &str) -> Run {
        let (mirrors, cache) = (self.s("mirrors"), self.s(cache));
        let mut all = vec!["enrich"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--offline", "--mirror-dir", &mirrors, "--cache-dir", &cache]);
        aiprov_with(&all, None, &[("SOURCE_DATE_EPOCH", EPOCH)])
    }
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_batch_writes_what_single_runs_write_and_shares_the_walks() {
    let f = Fixture::new();
    let (a, b) = (f.s("in/a.json"), f.s("in/b.json"));
    // Single runs, each with a cold cache of its own.
    for (input, name, cache) in [(&a, "a", "cache-a"), (&b, "b", "cache-b")] {
        let (out, ev) = (f.s(&format!("{name}.out")), f.s(&format!("{name}.ev")));
        let run = f.enrich(&[input, "-o", &out, "--evidence", &ev], cache);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let out = f.s("out");
    let run = f.enrich(&[&a, &b, "-o", &out, "--evidence", &out, "-v"], "cache");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert_eq!(
        names(&f.path("out")),
        [
            "a.json",
            "a.json.evidence.jsonl",
            "b.json",
            "b.json.evidence.jsonl"
        ]
    );
    for name in ["a", "b"] {
        assert_eq!(
            read(&f.path(&format!("out/{name}.json"))),
            read(&f.path(&format!("{name}.out"))),
            "{name}.json: the batch writes what a single run writes"
        );
        assert_eq!(
            read(&f.path(&format!("out/{name}.json.evidence.jsonl"))),
            read(&f.path(&format!("{name}.ev"))),
            "{name}: the same evidence"
        );
    }
    let doc: Value = serde_json::from_slice(&read(&f.path("out/b.json"))).unwrap();
    let status = |i: usize| {
        doc["components"][i]["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "aiprov:status")
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(
        (status(0), status(1)),
        (json!("analyzed"), json!("repository-unavailable"))
    );
    // Progress per document, each followed by its own summary.
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("aiprov: [") || l.contains(" components: "))
        .collect();
    assert_eq!(lines.len(), 4, "{}", run.stderr);
    assert_eq!(lines[0], format!("aiprov: [1/2] {a} -> {out}/a.json"));
    assert!(
        lines[1].starts_with("aiprov: 2 components: 2 analyzed; 1 repository walked (2 revisions)"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2], format!("aiprov: [2/2] {b} -> {out}/b.json"));
    assert!(
        lines[3].starts_with("aiprov: 2 components: 1 analyzed, 1 repository-unavailable"),
        "{}",
        lines[3]
    );
    // The second document's walk of widget@v1.0.0 is a hit in the store the first one filled.
    let store: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.split_once("results store: ").map(|(_, r)| r))
        .collect();
    assert_eq!(
        store,
        [
            "0 of 2 walks answered, 2 walked; 0 corrupt entries recomputed",
            "1 of 1 walks answered, 0 walked; 0 corrupt entries recomputed"
        ]
    );
}

#[test]
fn a_folder_is_its_sboms_one_level_deep() {
    let f = Fixture::new();
    f.write("in/notes.txt", b"not an SBOM\n");
    f.write("in/package.json", br#"{"name": "x"}"#);
    f.write("in/.hidden.json", b"{");
    std::fs::create_dir_all(f.path("in/sub")).unwrap();
    f.write("in/sub/c.json", b"{");
    let single = f.enrich(&[&f.s("in/a.json"), "-o", &f.s("a.out")], "cache-a");
    assert_eq!(single.code, 0, "{}", single.stderr);
    let out = f.s("out/deeper");
    let run = f.enrich(&[&f.s("in"), "-o", &out], "cache");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(names(&f.path("out/deeper")), ["a.json", "b.json"]);
    assert_eq!(read(&f.path("out/deeper/a.json")), read(&f.path("a.out")));
    let notes: Vec<&str> = run.stderr.lines().filter(|l| l.contains("note:")).collect();
    assert_eq!(
        notes,
        [
            format!("aiprov: note: {}: skipped: text, not an SBOM (12 bytes; line 1, the first that is not blank or a comment, has 11 characters and starts with a letter)", f.s("in/notes.txt")),
            format!("aiprov: note: {}: skipped: JSON that is neither CycloneDX (no \"bomFormat\": \"CycloneDX\") nor SPDX (no \"spdxVersion\", no SPDX 3 @context); its first keys: name", f.s("in/package.json")),
        ]
    );
}

#[test]
fn a_bad_input_stops_the_batch_before_anything_is_written() {
    let f = Fixture::new();
    f.write(
        "in/c.json",
        b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",",
    );
    let out = f.s("out");
    for args in [
        vec![f.s("in/a.json"), f.s("in/c.json"), f.s("in/b.json")],
        vec![f.s("in")],
    ] {
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend(["-o", &out]);
        let run = f.enrich(&all, "cache");
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(
            run.stderr.lines().last().unwrap(),
            format!(
                "aiprov: {}: not valid JSON at line 1, column 48: EOF while parsing a value (truncated file?)",
                f.s("in/c.json")
            )
        );
        assert!(
            !f.path("out").exists(),
            "nothing written, not even the folder"
        );
    }
}

#[test]
fn refusals_name_the_problem_and_write_nothing() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.path("other")).unwrap();
    std::fs::copy(f.path("in/a.json"), f.path("other/a.json")).unwrap();
    let (a, b, in_dir) = (f.s("in/a.json"), f.s("in/b.json"), f.s("in"));
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec![a.clone(), b.clone()],
            "several inputs (or a folder) need -o DIR: one output per input, named as the input".into(),
        ),
        (
            vec![in_dir.clone(), "-o".into(), "-".into()],
            "-o -: several inputs (or a folder) write one output each, not stdout: give -o DIR".into(),
        ),
        (
            vec![a.clone(), "-".into(), "-o".into(), f.s("out")],
            "`-` (stdin) cannot be one of several inputs or beside a folder: give files".into(),
        ),
        (
            vec![a.clone(), f.s("other/a.json"), "-o".into(), f.s("out")],
            format!("{a} and {}: both would be written as a.json; aiprov writes one output per input (rename one, or run them apart)", f.s("other/a.json")),
        ),
        (
            vec![f.s("other/a.json"), b.clone(), "-o".into(), in_dir.clone()],
            format!("{in_dir}/b.json: -o would overwrite {b}, which this run reads; aiprov never writes what it reads"),
        ),
        (
            vec![in_dir.clone(), "-o".into(), f.s("in/out")],
            format!("{}: -o would write inside {in_dir}, which this run reads; aiprov never writes what it reads", f.s("in/out")),
        ),
        (
            vec![a.clone(), b.clone(), "-o".into(), f.s("cache/out")],
            format!("{}: -o would write inside {}, which this run reads; aiprov never writes what it reads", f.s("cache/out"), f.s("cache")),
        ),
        (
            vec![a.clone(), b.clone(), "-o".into(), a.clone()],
            format!("{a}: -o must name a folder for several inputs (or a folder), not a file"),
        ),
        (
            vec![a.clone(), b.clone(), "-o".into(), f.s("out"), "--evidence".into(), "-".into()],
            "--evidence -: several inputs write one evidence file each, not stdout: give --evidence DIR".into(),
        ),
        (
            vec![a.clone(), b.clone(), "-o".into(), f.s("out"), "--baseline".into(), a.clone()],
            "--baseline names the earlier SBOM of one project: it cannot go with several inputs or a folder".into(),
        ),
    ];
    std::fs::create_dir_all(f.path("cache")).unwrap();
    let before_a = read(&f.path("in/a.json"));
    for (args, message) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = f.enrich(&args, "cache");
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(
            run.stderr.trim_end(),
            format!("aiprov: {message}"),
            "{args:?}"
        );
        assert!(!f.path("out").exists(), "{args:?}");
        assert!(!f.path("in/out").exists(), "{args:?}");
        assert!(!f.path("cache/out").exists(), "{args:?}");
        assert_eq!(names(&f.path("in")), ["a.json", "b.json"], "{args:?}");
    }
    assert_eq!(read(&f.path("in/a.json")), before_a);
}

#[test]
fn the_exit_code_is_the_worst_of_the_documents() {
    let f = Fixture::new();
    // Only b.json has an unavailable repository.
    let out = f.s("out");
    let run = f.enrich(
        &[
            &f.s("in"),
            "-o",
            &out,
            "--fail-on",
            "status=repository-unavailable",
        ],
        "cache",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(names(&f.path("out")), ["a.json", "b.json"], "both written");
}
