//! What a person at a terminal sees while `aiprov enrich` fetches: the shared juice-shop SBOM
//! (1,101 components, 1,097 naming a GitHub repository) enriched against a loopback `git daemon`
//! that serves none of them and a loopback registry that knows none of them, run under
//! `script` (util-linux) so that stderr is a pseudo-terminal. The capture must show the fetch
//! stage's progress (its name, counts, the current repository) and the end-of-run line of
//! failed clones by reason; without a terminal, only that line and the summary.

use crate::{common, git_daemon, http_server};
use std::process::Command;

fn have_script() -> bool {
    Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

struct Setup {
    dir: tempfile::TempDir,
    _daemon: git_daemon::Daemon,
    _server: http_server::Server,
    bom: std::path::PathBuf,
}

fn setup() -> Setup {
    let shared = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let served = dir.path().join("served");
    std::fs::create_dir_all(&served).unwrap();
    let daemon = git_daemon::Daemon::start(&served);
    let server = http_server::Server::start();
    std::fs::write(
        dir.path().join("aiprov.toml"),
        format!(
            "[registries]\nnpm = \"{b}/npm\"\ndeps-dev = \"{b}/depsdev\"\ndeps-dev-fallback = false\n\
             [http]\nretries = 0\n[git]\ntimeout-secs = 60\n\
             [git.remotes]\n\"github.com\" = \"git://127.0.0.1:{p}/github.com\"\n",
            b = server.base,
            p = daemon.port
        ),
    )
    .unwrap();
    Setup {
        bom: shared.join("sboms/cdx16-npm-juice-shop.cdx.json"),
        dir,
        _daemon: daemon,
        _server: server,
    }
}

fn args(s: &Setup) -> Vec<String> {
    let d = s.dir.path();
    vec![
        env!("CARGO_BIN_EXE_aiprov").to_string(),
        "enrich".into(),
        s.bom.display().to_string(),
        "--config".into(),
        d.join("aiprov.toml").display().to_string(),
        "--cache-dir".into(),
        d.join("cache").display().to_string(),
        "-o".into(),
        d.join("out.cdx.json").display().to_string(),
    ]
}

fn quote(a: &str) -> String {
    format!("'{}'", a.replace('\'', r"'\''"))
}

const FAILED: &str = "aiprov: 761 clones or fetches failed: 761 not found (each component's aiprov:status:reason says more)\n";

#[test]
#[ignore = "needs ../shared"]
fn enrich_on_a_terminal_shows_fetch_progress_and_failed_clones() {
    if !have_script() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "script (util-linux) is missing"
        );
        eprintln!("skipping: no `script` to give aiprov a terminal");
        return;
    }
    let s = setup();
    let cmd: Vec<String> = args(&s).iter().map(|a| quote(a)).collect();
    let capture = s.dir.path().join("typescript");
    let out = Command::new("script")
        .args(["-q", "-e", "-c"])
        .arg(format!("{} </dev/null", cmd.join(" ")))
        .arg(&capture)
        .env("HOME", common::isolated_home())
        .env("TERM", "xterm-256color")
        .env("COLUMNS", "120")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&std::fs::read(&capture).unwrap()).into_owned();
    assert!(out.status.success(), "{text}");
    // The capture as the terminal received it (kept for the README's manual check).
    eprintln!("--- terminal capture ---\n{text}\n--- end ---");
    assert!(text.contains("registry lookups "), "{text}");
    assert!(text.contains("fetching repositories "), "{text}");
    // 1,097 vcs references name 761 distinct repositories; the bar counts them, and how many
    // failed so far.
    assert!(text.contains("/761 ["), "fetch counts: {text}");
    // How many failed so far, then the repository being fetched (cut to the terminal's width).
    assert!(text.contains("fetching repositories 0/761 ["), "{text}");
    assert!(text.contains(" failed htt"), "{text}");
    assert!(text.contains("] 0s  https://githu"), "{text}");
    assert!(
        text.replace('\r', "").contains(FAILED),
        "the failed-clones line: {text}"
    );
}

#[test]
#[ignore = "needs ../shared"]
fn without_a_terminal_only_the_failure_line_and_the_summary() {
    let s = setup();
    let a = args(&s);
    let out = common::command().args(&a[1..]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert_eq!(format!("{}\n", lines[0]), FAILED);
    assert!(
        lines[1].starts_with("aiprov: 1101 components: "),
        "{stderr}"
    );
}
