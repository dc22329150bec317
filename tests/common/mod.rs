//! Helpers shared by the integration tests.
//!
//! Tests that read `../shared` (the corpus, the official schemas, the real SBOMs) find it through
//! [`shared_dir`] only: the `AIPROV_SHARED` environment variable, else `../shared` beside the checkout.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The `../shared` folder, or `None` when it is absent outside CI (the caller then skips).
///
/// Under `CI=true` a missing folder is a failure with a message that says how to provide it.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("AIPROV_SHARED") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    };
    if dir.join("corpus").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!(
            "the shared data folder is missing: looked for {} (set AIPROV_SHARED to the folder that holds corpus/, schemas/, sboms/)",
            dir.display()
        );
    }
    eprintln!(
        "skipping: no shared data folder at {} (set AIPROV_SHARED)",
        dir.display()
    );
    None
}

/// Bare mirrors of every corpus replica, built once per test process with the corpus's own
/// `build-mirrors.sh` into `AIPROV_MIRRORS` (when set, reused across runs) or a temporary folder.
///
/// Layout: `DIR/github.com/OWNER/NAME.git`.
pub fn corpus_mirrors() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let shared = shared_dir()?;
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
        Some(dest)
    })
    .clone()
}

/// The built `aiprov` binary.
pub fn aiprov() -> Command {
    Command::new(env!("CARGO_BIN_EXE_aiprov"))
}
