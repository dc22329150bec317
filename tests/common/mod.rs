//! The test harness: how every integration test runs the binary, builds fixture repositories and
//! finds `../shared` (see the top of `tests/tests.rs` for how to use it).
//!
//! - [`aiprov`], [`aiprov_with`], [`command`]: the built binary in an isolated environment.
//! - [`import_fi`], [`git`]: fixture repositories from `testdata/*.fi` fast-import streams.
//! - [`shared`], [`shared_dir`], [`corpus_mirrors`]: the shared data folder and the corpus mirrors.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// The mode `fetch::two_processes_share_one_cache` runs this test binary in as a child process:
/// the variable holds the cache folder the child fetches into.
pub const CHILD_CACHE: &str = "AIPROV_TEST_CHILD_CACHE";

/// The `../shared` folder, or `None` when it is absent outside CI.
///
/// Found through the `AIPROV_SHARED` environment variable, else `../shared` beside the checkout.
/// Under `CI=true` a missing folder is a failure with a message that says how to provide it.
/// Only for the few tests that use the folder for an extra check on top of checks that need
/// nothing; a test that needs the folder is `#[ignore = "needs ../shared"]` and calls [`shared`].
pub fn shared_dir() -> Option<PathBuf> {
    let dir = shared_path();
    if dir.join("corpus").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!("{}", missing_shared(&dir));
    }
    eprintln!(
        "skipping the checks that need {} (set AIPROV_SHARED)",
        dir.display()
    );
    None
}

/// The `../shared` folder for a test marked `#[ignore = "needs ../shared"]`; panics when it is
/// missing (such a test only runs when asked for with `--ignored`, so a missing folder is an
/// error, never a silent pass).
pub fn shared() -> PathBuf {
    let dir = shared_path();
    assert!(dir.join("corpus").is_dir(), "{}", missing_shared(&dir));
    dir
}

fn shared_path() -> PathBuf {
    match std::env::var_os("AIPROV_SHARED") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

fn missing_shared(dir: &Path) -> String {
    format!(
        "the shared data folder is missing: looked for {} (set AIPROV_SHARED to the folder that holds corpus/, schemas/, sboms/)",
        dir.display()
    )
}

/// Bare mirrors of every corpus replica, built once per test process with the corpus's own
/// `build-mirrors.sh` into `AIPROV_MIRRORS` (when set, reused across runs) or a temporary folder.
/// For tests marked `#[ignore = "needs ../shared"]`.
///
/// Layout: `DIR/github.com/OWNER/NAME.git`.
pub fn corpus_mirrors() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shared = shared();
        let dest = match std::env::var_os("AIPROV_MIRRORS") {
            Some(d) => PathBuf::from(d),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("aiprov-mirrors")
                    .tempdir()
                    .expect("tempdir");
                t.keep()
            }
        };
        let status = Command::new("bash")
            .arg(shared.join("corpus/build-mirrors.sh"))
            .arg(&dest)
            .status()
            .expect("running build-mirrors.sh");
        assert!(status.success(), "build-mirrors.sh failed");
        dest
    })
    .clone()
}

/// A folder for `HOME` and the `XDG_*` folders, empty at the start of the test process, so that
/// no cache, configuration or mirror of the machine running the tests takes part.
pub fn isolated_home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("aiprov-home")
            .tempdir()
            .unwrap()
            .keep()
    })
}

/// The built `aiprov` binary in an isolated environment: `HOME` and `XDG_CACHE_HOME`,
/// `XDG_CONFIG_HOME`, `XDG_DATA_HOME`, `XDG_STATE_HOME` in [`isolated_home`]; no global or
/// system git configuration (`GIT_CONFIG_GLOBAL=/dev/null`, `GIT_CONFIG_NOSYSTEM=1`), no
/// `GIT_DIR`/`GIT_WORK_TREE`; no `SOURCE_DATE_EPOCH` (a test that pins the clock sets it); no
/// `COLUMNS` (help wraps at clap's default 100); stdin empty. Add arguments, `env`, `current_dir` as needed.
pub fn command() -> Command {
    let home = isolated_home();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aiprov"));
    cmd.env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("SOURCE_DATE_EPOCH")
        // clap wraps help at $COLUMNS when stdout is not a terminal; unset, it wraps at 100
        .env_remove("COLUMNS")
        .stdin(Stdio::null());
    cmd
}

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// stdout, which must be UTF-8.
    pub stdout: String,
    /// stderr, which must be UTF-8.
    pub stderr: String,
}

impl Run {
    /// stdout as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\nstderr: {}", self.stderr))
    }
}

/// Run `aiprov ARGS` through [`command`].
pub fn aiprov(args: &[&str]) -> Run {
    aiprov_with(args, None, &[])
}

/// Run `aiprov ARGS` through [`command`] with `stdin` piped in and extra environment.
pub fn aiprov_with(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut cmd = command();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(cmd, stdin)
}

/// Run a [`command`] to the end, feeding it `stdin` (from a thread, so a full pipe cannot
/// deadlock; aiprov may stop reading early).
pub fn run(mut cmd: Command, stdin: Option<&[u8]>) -> Run {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("running aiprov");
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let out = child.wait_with_output().unwrap();
    if let Some(w) = writer {
        w.join().unwrap();
    }
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// `git ARGS` in `cwd` with no global or system configuration and a fixed identity; its stdout.
/// Panics with git's stderr when git fails.
pub fn git(cwd: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.invalid")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.invalid")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A bare repository at `repo` (created, with its parents) holding the history of the
/// fast-import stream `testdata/NAME`, `HEAD` → `refs/heads/main`. Commit ids are fixed by the
/// stream (dates are in it), so tests may assert them.
pub fn import_fi(name: &str, repo: &Path) {
    import_stream(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(name),
        repo,
    );
}

/// The one fast-import loader: a bare repository at `repo` (created, with its parents) from the
/// `git fast-import` stream at `stream` (gzip-compressed when its name ends in `.gz`, as the
/// corpus replicas are), `HEAD` → `refs/heads/main`.
pub fn import_stream(stream: &Path, repo: &Path) {
    std::fs::create_dir_all(repo).unwrap();
    git(repo, &["init", "-q", "--bare"]);
    let bytes = std::fs::read(stream).unwrap_or_else(|e| panic!("{}: {e}", stream.display()));
    let bytes = if stream.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)
            .unwrap_or_else(|e| panic!("{}: {e}", stream.display()));
        out
    } else {
        bytes
    };
    let mut cmd = Command::new("git");
    cmd.arg("--git-dir")
        .arg(repo)
        .args([
            "fast-import",
            "--quiet",
            "--done",
            "--date-format=raw-permissive",
        ])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::null());
    let mut child = cmd.spawn().expect("git fast-import");
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || pipe.write_all(&bytes));
    let status = child.wait().unwrap();
    writer.join().unwrap().expect("writing to git fast-import");
    assert!(status.success(), "git fast-import of {}", stream.display());
    git(repo, &["symbolic-ref", "HEAD", "refs/heads/main"]);
}
