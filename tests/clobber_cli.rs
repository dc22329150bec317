//! aiprov never overwrites a file it reads, whichever flag names it (found by a newcomer's attack:
//! `report E -o E`, `scan Cargo.lock -o Cargo.lock`, `enrich --repo-map M -o M`,
//! `--evidence RULES`, `evidence -o X --attestation X`).

use crate::common;

use std::path::Path;

fn run(args: &[&str]) -> (i32, String) {
    let run = common::aiprov(args);
    (run.code, run.stderr)
}

fn copy(from: &str, to: &Path) -> String {
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(from), to).unwrap();
    to.to_str().unwrap().to_string()
}

#[test]
fn no_flag_overwrites_what_the_run_reads() {
    let d = tempfile::tempdir().unwrap();
    let bom = copy("testdata/example/bom.cdx.json", &d.path().join("bom.json"));
    let map = d.path().join("map.toml");
    std::fs::write(&map, "[repositories]\n").unwrap();
    let map = map.to_str().unwrap().to_string();
    let rules = d.path().join("rules.toml");
    std::fs::write(
        &rules,
        "schema = 1\nid = \"mine\"\ndescription = \"none\"\n",
    )
    .unwrap();
    let rules = rules.to_str().unwrap().to_string();
    let lock = copy(
        "testdata/lockfiles/npm/package-lock.json",
        &d.path().join("package-lock.json"),
    );
    let enriched = d.path().join("enriched.json").to_str().unwrap().to_string();
    let out = run(&["enrich", &bom, "--offline", "-o", &enriched]);
    assert_eq!(out.0, 0, "{}", out.1);
    let before: Vec<Vec<u8>> = [&bom, &map, &rules, &lock, &enriched]
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();

    let cases: Vec<Vec<&str>> = vec![
        vec!["enrich", &bom, "--offline", "--repo-map", &map, "-o", &map],
        vec![
            "enrich",
            &bom,
            "--offline",
            "--rules",
            &rules,
            "-o",
            "-",
            "--evidence",
            &rules,
        ],
        vec!["report", &enriched, "-o", &enriched],
        vec!["scan", &lock, "--no-enrich", "-o", &lock],
    ];
    for args in cases {
        let (code, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("would overwrite") && stderr.contains("which this run reads"),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let after: Vec<Vec<u8>> = [&bom, &map, &rules, &lock, &enriched]
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(before == after, "an input changed");

    let repo = env!("CARGO_MANIFEST_DIR");
    let same = d.path().join("e.json");
    let same = same.to_str().unwrap();
    let (code, stderr) = run(&[
        "evidence",
        repo,
        "--range",
        "HEAD~1..HEAD",
        "-o",
        same,
        "--attestation",
        same,
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.ends_with("--attestation and -o name the same file\n"),
        "{stderr}"
    );
    assert!(!Path::new(same).exists());
}
