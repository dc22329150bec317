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

/// Run `args` with a reader on `fifo` (a FIFO, or a link to one); return the exit code, stderr
/// and what the reader got. The FIFO must still be a FIFO afterwards: the one writer writes a
/// device or FIFO in place and never renames a temporary file over it (issue 15: `scan -o
/// /dev/null` once replaced the device). A FIFO stands in for `/dev/null`, which a test must
/// never risk.
#[cfg(unix)]
fn through_fifo(args: &[&str], fifo: &Path) -> (i32, String, Vec<u8>) {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let target = std::fs::canonicalize(fifo).unwrap();
    let reader = {
        let target = target.clone();
        std::thread::spawn(move || std::fs::read(&target).unwrap())
    };
    let (code, err) = run(args, "1767225600");
    // Checked before joining the reader, which would wait forever on a replaced FIFO.
    let still_fifo = std::fs::symlink_metadata(&target)
        .unwrap()
        .file_type()
        .is_fifo();
    // Release the reader when the run never opened the FIFO (no reader left: ENXIO, ignored).
    let _ = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&target);
    assert!(
        still_fifo,
        "{args:?}: the FIFO was replaced by a regular file"
    );
    (code, err, reader.join().unwrap())
}

#[cfg(unix)]
#[test]
fn every_writer_writes_a_fifo_in_place_directly_or_through_a_link() {
    let d = tempfile::tempdir().unwrap();
    let enriched = root().join("testdata/enriched/release.cdx.json");
    let lock = root().join("testdata/lockfiles/npm/package-lock.json");
    let cache = d.path().join("cache");
    let fifo = d.path().join("out.fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let link = d.path().join("link");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    for dest in [&fifo, &link] {
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (vec!["scan", s(&lock), "--no-enrich", "-o"], "\"bomFormat\""),
            (
                vec!["report", s(&enriched), "--format", "markdown", "-o"],
                "| ",
            ),
            (
                vec![
                    "diff",
                    s(&enriched),
                    s(&enriched),
                    "--offline",
                    "--cache-dir",
                    s(&cache),
                    "-o",
                ],
                "\"tool\"",
            ),
            (
                vec![
                    "diff",
                    s(&enriched),
                    s(&enriched),
                    "--offline",
                    "--cache-dir",
                    s(&cache),
                    "--markdown",
                ],
                "",
            ),
        ];
        for (mut args, expect) in cases {
            args.push(s(dest));
            let (code, err, got) = through_fifo(&args, dest);
            assert_eq!(code, 0, "{args:?}: {err}");
            let got = String::from_utf8(got).unwrap();
            assert!(!got.is_empty(), "{args:?}: nothing written to the FIFO");
            assert!(got.contains(expect), "{args:?}: {got}");
        }
    }
}
