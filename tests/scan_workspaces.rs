//! `aiprov scan` on workspaces whose lockfiles the real package managers wrote (issue 14,
//! must-show 3): npm, pnpm 9 and 8, yarn berry and classic, bun, and a cargo workspace, under
//! `testdata/scan/`. Each fixture holds the package manager's own listing (`LISTING.*`) and the
//! counts `testdata/scan/regen.sh` derived from it (`counts.json`); the tests need none of
//! the package managers.

use crate::common;
use crate::schema;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

const JS: [&str; 6] = [
    "npm-workspace",
    "pnpm-workspace",
    "pnpm8-workspace",
    "yarn-berry-workspace",
    "yarn-classic-workspace",
    "bun-workspace",
];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/scan")
        .join(name)
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// `aiprov scan PATH --no-enrich`, exit 0, valid CycloneDX 1.6 (when ../shared is there).
fn scan(path: &Path) -> Value {
    let run = common::aiprov_with(
        &["scan", path.to_str().unwrap(), "--no-enrich"],
        None,
        &[("SOURCE_DATE_EPOCH", "1767225600")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    if let Some(shared) = common::shared_dir() {
        if let Err(errors) = schema::validate_cyclonedx(&doc, &shared) {
            panic!(
                "{}: not valid CycloneDX 1.6:\n{}",
                path.display(),
                errors.join("\n")
            );
        }
    }
    doc
}

/// `aiprov check --profile cisa-2026` of `doc`: exit code and each element's status.
fn check(doc: &Value) -> (i32, Vec<(String, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bom.cdx.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let run = common::aiprov(&[
        "check",
        file.to_str().unwrap(),
        "--profile",
        "cisa-2026",
        "--format",
        "json",
    ]);
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    let statuses = out["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["element"].as_str().unwrap().to_string(),
                e["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (run.code, statuses)
}

fn components(doc: &Value) -> &Vec<Value> {
    doc["components"].as_array().unwrap()
}

/// `@group/name@version` or `name@version` of each component.
fn ids(doc: &Value, only: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    components(doc)
        .iter()
        .filter(|c| only(c))
        .map(|c| match c["group"].as_str() {
            Some(g) => format!(
                "{g}/{}@{}",
                c["name"].as_str().unwrap(),
                c["version"].as_str().unwrap()
            ),
            None => format!(
                "{}@{}",
                c["name"].as_str().unwrap(),
                c["version"].as_str().unwrap()
            ),
        })
        .collect()
}

fn is_dev(c: &Value) -> bool {
    c["scope"] == "excluded"
}

fn props<'a>(c: &'a Value, name: &str) -> Vec<&'a str> {
    c["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .map(|p| p["value"].as_str().unwrap())
        .collect()
}

/// name@version of every package in `npm ls --all --json` (the root left out).
fn npm_ls(p: &Path) -> BTreeSet<String> {
    fn walk(deps: &Value, out: &mut BTreeSet<String>) {
        for (name, d) in deps.as_object().into_iter().flatten() {
            out.insert(format!("{name}@{}", d["version"].as_str().unwrap()));
            walk(&d["dependencies"], out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&read_json(p)["dependencies"], &mut out);
    out
}

/// name@version of every package in `pnpm list -r --depth Infinity --json` (the root left
/// out; workspace links named by the member's version).
fn pnpm_list(p: &Path, root: &str) -> BTreeSet<String> {
    let projects = read_json(p);
    let projects = projects.as_array().unwrap();
    let version_of = |name: &str| {
        projects
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["version"].as_str().unwrap().to_string())
    };
    fn walk(deps: &Value, out: &mut BTreeSet<String>, v: &dyn Fn(&str) -> Option<String>) {
        for (name, d) in deps.as_object().into_iter().flatten() {
            let version = d["version"].as_str().unwrap();
            let version = if version.starts_with("link:") {
                v(name).unwrap()
            } else {
                version.to_string()
            };
            out.insert(format!("{name}@{version}"));
            walk(&d["dependencies"], out, v);
        }
    }
    let mut out = BTreeSet::new();
    for p in projects {
        if p["name"] != root {
            out.insert(format!(
                "{}@{}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            ));
        }
        for f in ["dependencies", "devDependencies", "optionalDependencies"] {
            walk(&p[f], &mut out, &version_of);
        }
    }
    out
}

/// Each JavaScript workspace: the components are the package manager's listing, package for
/// package (npm and pnpm listings compared name@version by name@version, the others by their
/// count), development-only ones are what the production-only listing leaves out, no bom-ref
/// twice, and `check --profile cisa-2026` passes with nothing missing or partial.
#[test]
fn javascript_workspaces_match_the_package_managers_listings() {
    let npm = fixture("npm-workspace");
    let all = npm_ls(&npm.join("LISTING.npm-ls.json"));
    let prod = npm_ls(&npm.join("LISTING.npm-ls-prod.json"));
    assert_eq!((all.len(), prod.len()), (8, 6));
    let dev: BTreeSet<String> = all.difference(&prod).cloned().collect();
    assert_eq!(
        dev,
        BTreeSet::from(["kleur@4.1.5".into(), "ms@2.0.0".into()])
    );
    for name in JS {
        let dir = fixture(name);
        let counts = read_json(&dir.join("counts.json"));
        let doc = scan(&dir);
        // What the package manager listed.
        assert_eq!(
            components(&doc).len() as u64,
            counts["components"].as_u64().unwrap(),
            "{name}"
        );
        if let Some(p) = counts["prod"].as_u64() {
            assert_eq!(ids(&doc, |c| !is_dev(c)).len() as u64, p, "{name}");
        }
        match name {
            "pnpm-workspace" | "pnpm8-workspace" => {
                assert_eq!(
                    ids(&doc, |_| true),
                    pnpm_list(&dir.join("LISTING.pnpm-list.json"), name),
                    "{name}"
                );
                assert_eq!(
                    ids(&doc, |c| !is_dev(c)),
                    pnpm_list(&dir.join("LISTING.pnpm-list-prod.json"), name),
                    "{name}"
                );
            }
            // The same manifests resolved the same day: npm's listing is theirs too.
            _ => {
                assert_eq!(ids(&doc, |_| true), all, "{name}");
                assert_eq!(ids(&doc, |c| !is_dev(c)), prod, "{name}");
            }
        }
        // Development-only: scope excluded and cdxgen's npm property, on those only.
        for c in components(&doc) {
            let flagged = props(c, "cdx:npm:package:development");
            assert_eq!(
                flagged,
                if is_dev(c) { vec!["true"] } else { vec![] },
                "{name}: {c}"
            );
        }
        // One object per bom-ref.
        let mut refs: Vec<&str> = components(&doc)
            .iter()
            .map(|c| c["bom-ref"].as_str().unwrap())
            .collect();
        refs.push(doc["metadata"]["component"]["bom-ref"].as_str().unwrap());
        let unique: BTreeSet<&str> = refs.iter().copied().collect();
        assert_eq!(unique.len(), refs.len(), "{name}");
        assert_eq!(doc["metadata"]["component"]["name"], name);
        // Members: license, author and repository from their package.json.
        let app = components(&doc)
            .iter()
            .find(|c| c["name"] == "app")
            .unwrap();
        assert_eq!(
            app["licenses"],
            serde_json::json!([{"expression": "MIT"}]),
            "{name}"
        );
        assert_eq!(
            app["authors"],
            serde_json::json!([{"name": "Fixture Authors"}]),
            "{name}"
        );
        assert_eq!(
            app["externalReferences"],
            serde_json::json!([{"type": "vcs", "url": "https://github.com/aiprov/fixture-app"}]),
            "{name}"
        );
        // Licenses: npm's lockfile states every one; the others state none of the registry
        // packages', which are declared unknown.
        let licensed = components(&doc)
            .iter()
            .filter(|c| c["licenses"].is_array())
            .count();
        let declared = components(&doc)
            .iter()
            .filter(|c| props(c, "cdx:cisa:unknown-information").contains(&"Component License"))
            .count();
        let expect = if name == "npm-workspace" {
            (8, 0)
        } else {
            (2, 6)
        };
        assert_eq!((licensed, declared), expect, "{name}");
        // Registry packages carry the lockfile's integrity as SHA-512 (yarn berry's checksum
        // is of its own zip, so not used).
        let hashed = components(&doc)
            .iter()
            .filter(|c| c["hashes"][0]["alg"] == "SHA-512")
            .count();
        assert_eq!(
            hashed,
            if name == "yarn-berry-workspace" { 0 } else { 6 },
            "{name}"
        );
        let (code, statuses) = check(&doc);
        assert_eq!(code, 0, "{name}: {statuses:?}");
        assert!(
            statuses
                .iter()
                .all(|(_, s)| s == "pass" || s == "declared-unknown"),
            "{name}: {statuses:?}"
        );
    }
    // The npm lockfile's licenses, exactly.
    let doc = scan(&npm);
    let lic = |n: &str, v: &str| {
        components(&doc)
            .iter()
            .find(|c| c["name"] == n && c["version"] == v)
            .map(|c| c["licenses"].clone())
            .unwrap()
    };
    assert_eq!(
        lic("ms", "2.0.0"),
        serde_json::json!([{"expression": "MIT"}])
    );
    assert_eq!(
        lic("util", "1.0.0"),
        serde_json::json!([{"expression": "Apache-2.0"}])
    );
}

/// The cargo workspace: `cargo metadata`'s packages, dev-dependencies only excluded, members'
/// licenses (one inherited from `[workspace.package]`), and check passes.
#[test]
fn cargo_workspace_matches_cargo_metadata() {
    let dir = fixture("cargo-workspace");
    let meta = read_json(&dir.join("LISTING.cargo-metadata.json"));
    let listed: BTreeSet<String> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] != "cw-app")
        .map(|p| {
            format!(
                "{}@{}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            )
        })
        .collect();
    let counts = read_json(&dir.join("counts.json"));
    assert_eq!(counts, serde_json::json!({"components": 5, "prod": 3}));
    let doc = scan(&dir);
    assert_eq!(ids(&doc, |_| true), listed);
    assert_eq!(
        ids(&doc, is_dev),
        BTreeSet::from(["hex@0.4.3".into(), "ryu@1.0.23".into()])
    );
    let subject = &doc["metadata"]["component"];
    assert_eq!(subject["name"], "cw-app");
    assert_eq!(
        subject["licenses"],
        serde_json::json!([{"expression": "MIT OR Apache-2.0"}])
    );
    assert_eq!(
        subject["authors"],
        serde_json::json!([{"name": "Fixture Authors <fixtures@example.org>"}])
    );
    let util = components(&doc)
        .iter()
        .find(|c| c["name"] == "cw-util")
        .unwrap();
    assert_eq!(
        util["licenses"],
        serde_json::json!([{"expression": "Apache-2.0"}])
    );
    // Registry crates: the lockfile's checksum; no license in Cargo.lock, so declared unknown.
    let itoa = components(&doc)
        .iter()
        .find(|c| c["name"] == "itoa")
        .unwrap();
    assert_eq!(itoa["hashes"][0]["alg"], "SHA-256");
    assert_eq!(
        props(itoa, "cdx:cisa:unknown-information"),
        ["Component Producer", "Component License"]
    );
    // No npm property on crates.
    assert!(components(&doc)
        .iter()
        .all(|c| props(c, "cdx:npm:package:development").is_empty()));
    let (code, statuses) = check(&doc);
    assert_eq!(code, 0, "{statuses:?}");
}

/// This repository scanned as a folder: only its own Cargo.lock (fixtures under testdata/ are
/// not the project), every locked package once, the dev-dependencies excluded, and check
/// passes.
#[test]
fn this_repository_passes_check() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let doc = scan(&root);
    assert_eq!(doc["metadata"]["component"]["name"], "aiprov");
    assert_eq!(
        doc["metadata"]["component"]["licenses"],
        serde_json::json!([{"expression": "Apache-2.0"}])
    );
    let lock: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.lock")).unwrap()).unwrap();
    let locked = lock["package"].as_array().unwrap().len();
    assert_eq!(components(&doc).len(), locked - 1);
    let insta = components(&doc)
        .iter()
        .find(|c| c["name"] == "insta")
        .unwrap();
    assert_eq!(insta["scope"], "excluded");
    let serde = components(&doc)
        .iter()
        .find(|c| c["name"] == "serde")
        .unwrap();
    assert!(serde.get("scope").is_none());
    let (code, statuses) = check(&doc);
    assert_eq!(code, 0, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|(_, s)| s == "pass" || s == "declared-unknown"),
        "{statuses:?}"
    );
}

/// The walk: projects in subfolders are found; node_modules, hidden folders and symbolic links
/// are not entered; the binary bun.lockb is refused by name.
#[test]
fn walk_finds_subprojects_and_skips_installed_and_linked_folders() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let lock = |p: &Path, name: &str| {
        std::fs::create_dir_all(p).unwrap();
        std::fs::write(
            p.join("package-lock.json"),
            format!(r#"{{"name": "{name}", "lockfileVersion": 3, "packages": {{"": {{"name": "{name}", "version": "1.0.0"}}, "node_modules/{name}-dep": {{"version": "2.0.0", "license": "MIT"}}}}}}"#),
        )
        .unwrap();
    };
    lock(&dir.path().join("web"), "web");
    lock(&dir.path().join("tools/cli"), "cli");
    lock(&dir.path().join("web/node_modules/x"), "installed");
    lock(&dir.path().join(".cache"), "hidden");
    lock(outside.path(), "outside");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked")).unwrap();
    let doc = scan(dir.path());
    assert_eq!(
        ids(&doc, |_| true),
        BTreeSet::from([
            "cli-dep@2.0.0".into(),
            "cli@1.0.0".into(),
            "web-dep@2.0.0".into(),
            "web@1.0.0".into()
        ])
    );
    let (code, _) = check(&doc);
    assert_eq!(code, 0);

    let bun = tempfile::tempdir().unwrap();
    std::fs::write(bun.path().join("bun.lockb"), b"\x00bun binary").unwrap();
    let run = common::aiprov(&["scan", bun.path().to_str().unwrap(), "--no-enrich"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("bun.lockb: the binary bun lockfile is not read"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

/// `-o` onto a workspace member's package.json (read by scan) is refused; the file is kept.
#[test]
fn never_overwrites_a_member_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("npm-workspace");
    for rel in [
        "package.json",
        "package-lock.json",
        "packages/app/package.json",
        "packages/util/package.json",
    ] {
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(src.join(rel), &to).unwrap();
    }
    let member = dir.path().join("packages/app/package.json");
    let before = std::fs::read(&member).unwrap();
    let run = common::aiprov(&[
        "scan",
        dir.path().to_str().unwrap(),
        "--no-enrich",
        "-o",
        member.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(std::fs::read(&member).unwrap(), before);
}

/// Bad lockfiles: one error naming the file and the place, exit 2, nothing on stdout.
#[test]
fn bad_lockfiles_are_refused_with_file_and_place() {
    let cases: [(&str, &str, &str); 5] = [
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '9.0'\nimporters:\n  .: [\n",
            "pnpm-lock.yaml: not valid YAML at line",
        ),
        (
            "pnpm-lock.yaml",
            "lockfileVersion: 5.4\n",
            "pnpm-lock.yaml: lockfileVersion \"5.4\" is not read",
        ),
        (
            "yarn.lock",
            "# yarn lockfile v1\n\nms@^2:\n      version \"2.1.3\"\n",
            "yarn.lock: line 4: unexpected indentation",
        ),
        (
            "yarn.lock",
            "__metadata:\n  version: 8\n\"ms@npm:^2\":\n  resolution: \"ms@npm:2.1.3\"\n",
            "yarn.lock: entry \"ms@npm:^2\" has no version",
        ),
        (
            "bun.lock",
            "{\"lockfileVersion\": 1,\n \"packages\": {\"ms\": [\"ms@2.1.3\", \"\", {}, ]]\n}",
            "bun.lock: not valid JSONC at line 2",
        ),
    ];
    for (file, body, expect) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(file), body).unwrap();
        let run = common::aiprov(&[
            "scan",
            dir.path().join(file).to_str().unwrap(),
            "--no-enrich",
        ]);
        assert_eq!(run.code, 2, "{file}: {}", run.stderr);
        assert!(run.stderr.contains(expect), "{file}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

/// A pnpm version 6 lockfile of a single project (no `importers`: the maps are top level),
/// with a peer suffix and a development dependency.
#[test]
fn pnpm_v6_single_project() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name": "solo", "version": "2.0.0", "license": "ISC"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pnpm-lock.yaml"),
        "lockfileVersion: '6.0'\n\ndependencies:\n  a:\n    specifier: ^1.0.0\n    version: 1.0.0(b@2.0.0)\n\ndevDependencies:\n  c:\n    specifier: ^3\n    version: 3.0.0\n\npackages:\n\n  /a@1.0.0(b@2.0.0):\n    resolution: {integrity: sha512-AAEC}\n    peerDependencies:\n      b: '*'\n    dependencies:\n      b: 2.0.0\n    dev: false\n\n  /b@2.0.0:\n    resolution: {integrity: sha512-AAEC}\n    dev: false\n\n  /c@3.0.0:\n    resolution: {integrity: sha512-AAEC}\n    dev: true\n",
    )
    .unwrap();
    let doc = scan(dir.path());
    assert_eq!(
        doc["metadata"]["component"]["bom-ref"],
        "pkg:npm/solo@2.0.0"
    );
    assert_eq!(
        ids(&doc, |_| true),
        BTreeSet::from(["a@1.0.0".into(), "b@2.0.0".into(), "c@3.0.0".into()])
    );
    assert_eq!(ids(&doc, is_dev), BTreeSet::from(["c@3.0.0".into()]));
    // `sha512-AAEC` is three bytes, not a SHA-512: not written, declared unknown.
    for c in components(&doc) {
        assert!(c.get("hashes").is_none(), "{c}");
        assert!(props(c, "cdx:cisa:unknown-information").contains(&"Component Hash Value"));
    }
    let deps = doc["dependencies"].as_array().unwrap();
    let of = |r: &str| deps.iter().find(|d| d["ref"] == r).unwrap()["dependsOn"].clone();
    assert_eq!(
        of("pkg:npm/a@1.0.0"),
        serde_json::json!(["pkg:npm/b@2.0.0"])
    );
    assert_eq!(
        of("pkg:npm/solo@2.0.0"),
        serde_json::json!(["pkg:npm/a@1.0.0", "pkg:npm/c@3.0.0"])
    );
    assert_eq!(check(&doc).0, 0);
}
