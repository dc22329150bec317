//! Issue 15, items 2 and 7: `aiprov scan` never runs a program the scanned tree controls
//! (`cargo metadata` honoured the project's `rust-toolchain.toml`, so the project chose which
//! `cargo` ran), and `-o` never overwrites a file scan reads (`scan -o pyproject.toml`).

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn scanning_a_rust_project_runs_nothing_it_names() {
    let d = tempfile::tempdir().unwrap();
    let project = d.path().join("project");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lockfiles/cargo"),
        &project,
    );
    // A "toolchain" whose every program records that it ran.
    let marker = d.path().join("ran");
    let bin = d.path().join("evil-toolchain/bin");
    std::fs::create_dir_all(&bin).unwrap();
    for prog in ["cargo", "rustc"] {
        let p = bin.join(prog);
        std::fs::write(
            &p,
            format!("#!/bin/sh\necho {prog} >> {}\nexit 1\n", marker.display()),
        )
        .unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(
        project.join("rust-toolchain.toml"),
        format!(
            "[toolchain]\npath = \"{}\"\n",
            d.path().join("evil-toolchain").display()
        ),
    )
    .unwrap();
    // `.cargo/config.toml` may name programs too.
    std::fs::create_dir_all(project.join(".cargo")).unwrap();
    std::fs::write(
        project.join(".cargo/config.toml"),
        format!("[build]\nrustc = \"{}\"\n", bin.join("rustc").display()),
    )
    .unwrap();
    // Whatever `cargo` is found first on PATH (the rustup proxy, which reads
    // rust-toolchain.toml), and no CARGO variable pointing at a real one.
    let home = std::env::var("HOME").unwrap_or_default();
    let path = format!(
        "{home}/.cargo/bin:{}",
        std::env::var("PATH").unwrap_or_default()
    );
    let out = common::command()
        .args(["scan", project.to_str().unwrap(), "--offline", "-o", "-"])
        .current_dir(&project)
        .env_remove("CARGO")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        !marker.exists(),
        "scan ran the project's toolchain: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["metadata"]["component"]["purl"],
        "pkg:cargo/fixture-app@0.3.0"
    );
    let purls: Vec<&str> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    assert_eq!(purls, ["pkg:cargo/fixture-util@0.1.2"]);
}

/// Issue 15, item 10: a lockfile of the scanned tree that is a symbolic link leading out of its
/// folder (to another project, to `/etc/passwd`) is refused, naming it, never read; a link
/// within the folder is read.
#[test]
fn a_lockfile_linked_out_of_the_tree_is_refused() {
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    let npm = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lockfiles/npm");
    let elsewhere = d.path().join("elsewhere");
    copy_dir(&npm, &elsewhere);
    let secret = d.path().join("passwd");
    std::fs::write(&secret, "root:x:0:0:SECRET:/root:/bin/sh\n").unwrap();

    let out_of_tree = d.path().join("tree");
    std::fs::create_dir(&out_of_tree).unwrap();
    symlink(
        elsewhere.join("package-lock.json"),
        out_of_tree.join("package-lock.json"),
    )
    .unwrap();
    let run = common::aiprov(&["scan", out_of_tree.to_str().unwrap(), "-o", "-"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains(&format!(
            "{}: a symbolic link that leads out of its folder; scan does not follow it",
            out_of_tree.join("package-lock.json").display()
        )),
        "{}",
        run.stderr
    );

    let to_secret = d.path().join("tree2");
    std::fs::create_dir(&to_secret).unwrap();
    symlink(&secret, to_secret.join("Cargo.lock")).unwrap();
    let run = common::aiprov(&["scan", to_secret.to_str().unwrap(), "-o", "-"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains("SECRET"), "{}", run.stderr);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);

    // A link that stays in its folder is the project's own file.
    // (The target has a name scan does not look for, so the walk finds the lockfile once.)
    let within = d.path().join("tree3");
    std::fs::create_dir(&within).unwrap();
    std::fs::copy(npm.join("package-lock.json"), within.join("lock.real.json")).unwrap();
    std::fs::copy(npm.join("package.json"), within.join("package.json")).unwrap();
    symlink("lock.real.json", within.join("package-lock.json")).unwrap();
    let linked = common::aiprov(&["scan", within.to_str().unwrap(), "-o", "-"]);
    assert_eq!(linked.code, 0, "{}", linked.stderr);
    let direct = common::aiprov(&["scan", elsewhere.to_str().unwrap(), "-o", "-"]);
    assert_eq!(
        linked.json()["components"].as_array().unwrap().len(),
        direct.json()["components"].as_array().unwrap().len()
    );
    assert!(!linked.json()["components"].as_array().unwrap().is_empty());
}

/// Found by an attack: deeply nested YAML flow collections made the YAML parser take 17 s on a
/// 200 KB `pnpm-lock.yaml` (quadratic). Nesting past 64 levels is refused before parsing (the
/// message says so: the parser's own errors read "not valid YAML"), naming the file and the line;
/// the real lockfiles of `testdata/scan` still read (tests/scan_workspaces.rs).
#[test]
fn deeply_nested_yaml_lockfiles_are_refused_before_parsing() {
    let d = tempfile::tempdir().unwrap();
    for (name, head) in [
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  x: "),
        (
            "yarn.lock",
            "__metadata:\n  version: 8\n\"a@npm:1.0.0\":\n  version: ",
        ),
    ] {
        let dir = d.path().join(name.replace('.', "-"));
        std::fs::create_dir(&dir).unwrap();
        let text = format!("{head}{}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        std::fs::write(dir.join(name), text).unwrap();
        let run = common::aiprov(&["scan", dir.to_str().unwrap(), "--no-enrich", "-o", "-"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr
                .contains(": line 3: YAML nested more than 64 levels deep; not parsed")
                || run
                    .stderr
                    .contains(": line 4: YAML nested more than 64 levels deep; not parsed"),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
}
