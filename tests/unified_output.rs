//! One output writer and one clock for every subcommand (issue 9): `report`, `scan` and
//! `evidence` write through a symbolic link and create files like the shell does, as `enrich`
//! always did; a `SOURCE_DATE_EPOCH` that is not a timestamp is bad input for every subcommand
//! that stamps a document (`scan` used to ignore it silently).

use crate::common;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str], epoch: &str) -> (i32, String) {
    let out = common::command()
        .args(args)
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[cfg(unix)]
#[test]
fn report_and_scan_write_through_links_with_the_shells_mode() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    // The mode a new file gets from this process's umask, as a shell redirection would make it.
    let probe = d.path().join("probe");
    std::fs::File::create(&probe).unwrap();
    let shell_mode = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;

    let enriched = root().join("testdata/enriched/release.cdx.json");
    let lock = root().join("testdata/lockfiles/npm/package-lock.json");
    for (name, args) in [
        (
            "report.md",
            vec!["report", s(&enriched), "--format", "markdown"],
        ),
        ("scan.json", vec!["scan", s(&lock), "--no-enrich"]),
    ] {
        let target = d.path().join(name);
        let link = d.path().join(format!("link-{name}"));
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let mut with_out = args.clone();
        with_out.extend(["-o", s(&link)]);
        let (code, err) = run(&with_out, "1767225600");
        assert_eq!(code, 0, "{name}: {err}");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "{name}: the link stays a link"
        );
        let written = std::fs::read_to_string(&target).unwrap();
        assert_ne!(
            written, "old",
            "{name}: the file the link names is replaced"
        );
        assert!(written.len() > 100, "{name}: {written}");

        let fresh = d.path().join(format!("fresh-{name}"));
        let mut with_fresh = args.clone();
        with_fresh.extend(["-o", s(&fresh)]);
        let (code, err) = run(&with_fresh, "1767225600");
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(
            std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            shell_mode,
            "{name}: a new file gets the shell's mode, not a temporary file's 0600"
        );
    }
}

#[test]
fn a_bad_source_date_epoch_is_bad_input_everywhere() {
    let d = tempfile::tempdir().unwrap();
    let lock = root().join("testdata/lockfiles/npm/package-lock.json");
    let bom = root().join("testdata/example/bom.cdx.json");
    let out = d.path().join("out.json");
    for args in [
        vec!["scan", s(&lock), "--no-enrich", "-o", s(&out)],
        vec!["enrich", s(&bom), "--offline", "-o", s(&out)],
    ] {
        let (code, err) = run(&args, "abc");
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(
            err, "aiprov: SOURCE_DATE_EPOCH=abc: not a Unix timestamp\n",
            "{args:?}"
        );
        assert!(!out.exists(), "{args:?}: nothing written");
    }
}
