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
