//! Issue 15, item 8: a repository whose `HEAD` is a symbolic link to another file (`/etc/passwd`)
//! leaked that file's content on stderr and into the enriched SBOM's reason. Messages never
//! echo file content; what they echo is bounded and escaped.

use crate::common;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

const SECRET: &str = "root:x:0:0:SECRET-LINE:/root:/bin/bash";

fn bare_repo_with_head_link(dir: &Path, target: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    assert!(Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .unwrap()
        .success());
    std::fs::remove_file(dir.join("HEAD")).unwrap();
    symlink(target, dir.join("HEAD")).unwrap();
}

#[test]
fn a_head_symlink_never_leaks_the_target_content() {
    let d = tempfile::tempdir().unwrap();
    let secret = d.path().join("passwd");
    std::fs::write(&secret, format!("{SECRET}\n\u{1b}[31mred\n")).unwrap();
    let repo = d.path().join("mirrors/github.com/o/r.git");
    bare_repo_with_head_link(&repo, &secret);

    let out = common::command()
        .args(["commits", repo.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("SECRET") && !err.contains('\u{1b}'), "{err}");
    assert!(err.contains("HEAD"), "{err}");

    let bom = d.path().join("bom.json");
    std::fs::write(
        &bom,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"r","version":"1.0.0","purl":"pkg:github/o/r@1.0.0","externalReferences":[{"type":"vcs","url":"https://github.com/o/r"}]}]}"#,
    )
    .unwrap();
    let out = common::command()
        .args([
            "enrich",
            bom.to_str().unwrap(),
            "--offline",
            "--mirror-dir",
            d.path().join("mirrors").to_str().unwrap(),
            "-o",
            "-",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.is_empty(), "{stderr}");
    assert!(!stdout.contains("SECRET"), "{stdout}");
    assert!(!stderr.contains("SECRET"), "{stderr}");
}

/// Issue 15, item 10: "unsupported format: text starting with …" echoed the first bytes of the
/// input, also through a symbolic link to any file the user can read. The message names the
/// file and describes it (size, line, length, kind of first character), never its content.
#[test]
fn an_unsupported_input_is_described_never_echoed() {
    let d = tempfile::tempdir().unwrap();
    let secret = d.path().join("passwd");
    std::fs::write(&secret, format!("{SECRET}\nsecond line\n")).unwrap();
    let note = d.path().join("note.txt");
    std::fs::write(&note, "\n# heading\nmy SECRET-TOKEN=abc\u{1b}[31m\n").unwrap();
    let link = d.path().join("bom.json");
    symlink(&secret, &link).unwrap();
    for (input, expected) in [
        (
            &link,
            format!(
                "{}: unsupported format: tag-value text without an \"SPDXVersion:\" line (51 bytes; line 1, the first, is a \"Tag: value\" line of 38 characters)",
                link.display()
            ),
        ),
        (
            &note,
            format!(
                "{}: unsupported format: text, not an SBOM (36 bytes; line 3, the first that is not blank or a comment, has 24 characters and starts with a letter)",
                note.display()
            ),
        ),
    ] {
        for sub in ["check", "enrich", "report"] {
            let run = common::aiprov(&[sub, input.to_str().unwrap(), "--offline"][..if sub == "enrich" { 3 } else { 2 }]);
            assert_eq!(run.code, 2, "{sub}: {}", run.stderr);
            assert!(
                !run.stderr.contains("SECRET") && !run.stderr.contains('\u{1b}'),
                "{sub}: {}",
                run.stderr
            );
            assert!(run.stderr.contains(&expected), "{sub}: {}", run.stderr);
        }
    }
}
