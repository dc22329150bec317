//! `aiprov scan A B -o OUT/` (issue 12, batch input): one SBOM per project, named after its
//! folder, byte-identical to single runs; the refusals word for word; a bad path writes nothing.

use crate::common::{self, Run};

use std::path::PathBuf;

fn lockfiles(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/lockfiles")
        .join(rel)
        .to_str()
        .unwrap()
        .to_string()
}

fn scan(args: &[&str]) -> Run {
    let args: Vec<&str> = ["scan"].iter().chain(args).copied().collect();
    common::aiprov_with(&args, None, &[("SOURCE_DATE_EPOCH", "1767225600")])
}

#[test]
fn several_paths_write_what_single_runs_write() {
    let dir = tempfile::tempdir().unwrap();
    let s = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let (npm, go) = (lockfiles("npm"), lockfiles("go/go.sum"));
    for extra in [vec!["--no-enrich"], vec!["--offline", "--cache-dir"]] {
        let cache = s("cache");
        let with = |mut v: Vec<String>| {
            v.extend(extra.iter().map(|e| e.to_string()));
            if extra.len() == 2 {
                v.push(cache.clone());
            }
            v
        };
        let mut singles = Vec::new();
        for p in [&npm, &go] {
            let args = with(vec![p.clone()]);
            let run = scan(&args.iter().map(String::as_str).collect::<Vec<_>>());
            assert_eq!(run.code, 0, "{}", run.stderr);
            singles.push(run.stdout);
        }
        let out = s("out");
        let args = with(vec![npm.clone(), go.clone(), "-o".into(), out.clone()]);
        let run = scan(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.is_empty());
        let progress: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("aiprov: ["))
            .collect();
        assert_eq!(
            progress,
            [
                format!("aiprov: [1/2] {npm} -> {out}/npm.cdx.json"),
                format!("aiprov: [2/2] {go} -> {out}/go.cdx.json"),
            ]
        );
        for (name, single) in [("npm", &singles[0]), ("go", &singles[1])] {
            let written =
                std::fs::read_to_string(dir.path().join(format!("out/{name}.cdx.json"))).unwrap();
            assert_eq!(&written, single, "{name} {extra:?}");
        }
        std::fs::remove_dir_all(dir.path().join("out")).unwrap();
    }
}

#[test]
fn refusals_and_a_bad_path_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    std::fs::create_dir_all(dir.path().join("x/npm")).unwrap();
    std::fs::copy(
        lockfiles("npm/package-lock.json"),
        dir.path().join("x/npm/package-lock.json"),
    )
    .unwrap();
    std::fs::write(dir.path().join("file"), "").unwrap();
    let (npm, go, out) = (lockfiles("npm"), lockfiles("go"), s("out"));
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec![npm.clone(), go.clone()],
            "several paths need -o DIR: one SBOM per project, named after its folder".into(),
        ),
        (
            vec![npm.clone(), go.clone(), "-o".into(), "-".into()],
            "-o -: several paths write one SBOM each, not stdout: give -o DIR".into(),
        ),
        (
            vec![npm.clone(), go.clone(), "-o".into(), s("file")],
            format!("{}: -o must name a folder for several paths, not a file", s("file")),
        ),
        (
            vec![npm.clone(), s("x/npm"), "-o".into(), out.clone()],
            format!(
                "{npm} and {}: both would be written as {out}/npm.cdx.json; aiprov writes one SBOM per project (scan them apart)",
                s("x/npm")
            ),
        ),
        (
            vec![npm.clone(), s("missing"), "-o".into(), out.clone()],
            format!("{}: cannot read: No such file or directory (os error 2)", s("missing")),
        ),
    ];
    for (args, message) in cases {
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.push("--no-enrich");
        let run = scan(&all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(
            run.stderr.trim_end(),
            format!("aiprov: {message}"),
            "{args:?}"
        );
        assert!(!dir.path().join("out").exists(), "{args:?}");
    }
}
