//! The conventions people expect from a CLI: `-q`/`-v` with `AIPROV_LOG`, `NO_COLOR`, shell
//! completions, the man page, `AIPROV_*` variables for the common flags, `-o` on `check` and
//! `commits`, several report formats in one run, and flag defaults from the configuration file.

use crate::common;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{aiprov_with as aiprov_env, Run};
use serde_json::{json, Value};

fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    aiprov_env(args, None, env)
}

fn stdout(r: &Run) -> String {
    r.stdout.clone()
}

/// A folder with `mirrors/github.com/acme/widget.git` (testdata/enrich-widget.fi) and
/// `bom.json`, an application depending on widget@0.9.0 (2 commits, 1 reviewed AI commit).
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let widget = dir.path().join("mirrors/github.com/acme/widget.git");
    std::fs::create_dir_all(&widget).unwrap();
    let git = |args: &[&str], stdin: Option<PathBuf>| {
        let mut c = Command::new("git");
        c.args(args).env("GIT_CONFIG_NOSYSTEM", "1");
        if let Some(p) = stdin {
            c.stdin(std::fs::File::open(p).unwrap());
        }
        assert!(c.status().unwrap().success());
    };
    let w = widget.to_str().unwrap();
    git(&["init", "-q", "--bare", w], None);
    git(
        &[
            "--git-dir",
            w,
            "fast-import",
            "--quiet",
            "--done",
            "--date-format=raw-permissive",
        ],
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/enrich-widget.fi")),
    );
    git(
        &["--git-dir", w, "symbolic-ref", "HEAD", "refs/heads/main"],
        None,
    );
    let bom = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"timestamp": "2026-01-01T00:00:00Z", "authors": [{"name": "Acme"}],
                     "component": {"type": "application", "bom-ref": "app", "name": "app", "version": "2.0.0",
                                   "supplier": {"name": "Acme"}, "purl": "pkg:npm/app@2.0.0"}},
        "components": [{"type": "library", "bom-ref": "w", "name": "widget", "version": "0.9.0",
                        "supplier": {"name": "Acme"}, "purl": "pkg:npm/widget@0.9.0",
                        "externalReferences": [{"type": "vcs", "url": "https://github.com/acme/widget"}]}],
        "dependencies": [{"ref": "app", "dependsOn": ["w"]}, {"ref": "w", "dependsOn": []}]
    });
    std::fs::write(
        dir.path().join("bom.json"),
        serde_json::to_vec_pretty(&bom).unwrap(),
    )
    .unwrap();
    dir
}

fn p(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

fn status_of(path: &Path) -> String {
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["components"][0]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "aiprov:status")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn quiet_and_verbose() {
    let f = fixture();
    let d = f.path();
    let (bom, mirrors, out) = (p(d, "bom.json"), p(d, "mirrors"), p(d, "out.json"));
    let base = [
        "enrich",
        bom.as_str(),
        "--mirror-dir",
        mirrors.as_str(),
        "--offline",
        "-o",
        out.as_str(),
    ];
    let plain = run(&base, &[]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    let lines: Vec<&str> = plain.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", plain.stderr);
    assert!(lines[0].starts_with("aiprov: 1 component: 1 analyzed; 1 repository walked in "));

    let quiet = run(&[&base[..], &["-q"]].concat(), &[]);
    assert_eq!((quiet.code, quiet.stderr.as_str()), (0, ""));
    let quiet = run(&[&["--quiet"], &base[..]].concat(), &[]);
    assert_eq!((quiet.code, quiet.stderr.as_str()), (0, ""));

    let verbose = run(&[&["-v"], &base[..]].concat(), &[]);
    assert_eq!(verbose.code, 0);
    assert!(
        verbose.stderr.contains(&format!(
            " INFO read {bom}: CycloneDX 1.6 JSON, 1 components\n"
        )),
        "{}",
        verbose.stderr
    );
    assert!(!verbose.stderr.contains("DEBUG"), "{}", verbose.stderr);
    assert!(!verbose.stderr.contains('\x1b'), "no colour off a terminal");

    // AIPROV_LOG takes over: a target filter, and a bad one falls back with a warning.
    let logged = run(&base, &[("AIPROV_LOG", "aiprov::cli=info")]);
    assert!(logged.stderr.contains(" INFO read "), "{}", logged.stderr);
    let bad = run(&base, &[("AIPROV_LOG", "aiprov=[")]);
    assert_eq!(bad.code, 0);
    assert!(
        bad.stderr.starts_with("aiprov: warning: AIPROV_LOG: "),
        "{}",
        bad.stderr
    );
    assert!(bad.stderr.contains("; using aiprov=warn\n"));
}

/// Under a terminal (`script`), `-v` colours its log records, unless NO_COLOR is set.
#[test]
fn no_color_is_respected_on_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "script (util-linux) is missing"
        );
        eprintln!("skipping: no `script`");
        return;
    }
    let f = fixture();
    let d = f.path();
    // `-v enrich` logs at info; tracing-subscriber colours the level on a terminal.
    let help = |no_color: Option<&str>| {
        let ts = d.join("help-typescript");
        let mut c = Command::new("script");
        c.args(["-q", "-e", "-c"])
            .arg(format!(
                "'{}' -v enrich '{}' --offline --mirror-dir '{}' -o '{}' </dev/null",
                env!("CARGO_BIN_EXE_aiprov"),
                p(d, "bom.json"),
                p(d, "mirrors"),
                p(d, "out.json")
            ))
            .arg(&ts)
            .env("TERM", "xterm-256color")
            .env("HOME", d)
            .env_remove("NO_COLOR");
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        assert!(c
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap()
            .success());
        std::fs::read_to_string(&ts).unwrap()
    };
    let coloured = help(None);
    assert!(coloured.contains("\x1b[32m INFO\x1b[0m"), "{coloured:?}");
    let plain = help(Some("1"));
    assert!(plain.contains(" INFO read "), "{plain:?}");
    assert!(!plain.contains("\x1b[32m"), "{plain:?}");
    // "NO_COLOR … when present and not an empty string": empty means colour.
    assert!(help(Some("")).contains("\x1b[32m INFO\x1b[0m"));
}

#[test]
fn completions_and_man_page() {
    let bash = run(&["completions", "bash"], &[]);
    assert_eq!(bash.code, 0);
    let script = stdout(&bash);
    assert!(script.starts_with("_aiprov() {\n"));
    assert!(script.contains("complete -F _aiprov -o nosort -o bashdefault -o default aiprov"));
    for sub in [
        "enrich",
        "commits",
        "check",
        "report",
        "evidence",
        "scan",
        "completions",
        "man",
    ] {
        assert!(script.contains(&format!("aiprov,{sub})")), "{sub}");
    }
    // bash can source it and then completes the subcommands.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aiprov.bash");
    std::fs::write(&file, &script).unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(
            "source \"$1\"; COMP_WORDS=(aiprov en); COMP_CWORD=1; COMP_LINE='aiprov en'; COMP_POINT=9; \
             _aiprov aiprov en aiprov; printf '%s\\n' \"${COMPREPLY[@]}\"",
        )
        .arg("_")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "enrich\n");
    for (shell, start) in [
        ("zsh", "#compdef aiprov\n"),
        ("fish", "# Print an optspec for argparse"),
    ] {
        let r = run(&["completions", shell], &[]);
        assert_eq!(r.code, 0);
        assert!(stdout(&r).starts_with(start), "{shell}: {}", stdout(&r));
    }
    assert_eq!(run(&["completions", "tcsh"], &[]).code, 2);

    let man = run(&["man"], &[]);
    assert_eq!(man.code, 0);
    let page = stdout(&man);
    assert!(page.contains(".TH aiprov 1  \"aiprov 0.1.0\""), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"));
    assert!(page.contains("aiprov\\-enrich(1)"));
    let enrich = stdout(&run(&["man", "enrich"], &[]));
    assert!(enrich.contains(".TH aiprov-enrich 1"), "{enrich}");
    assert!(enrich.contains("\\-\\-mirror\\-dir"));
    assert!(enrich.contains("\\-\\-offline"));
    // A nested subcommand: aiprov-reviews-export(1).
    let export = stdout(&run(&["man", "reviews", "export"], &[]));
    assert!(export.contains(".TH aiprov-reviews-export 1"), "{export}");
    assert!(
        export.contains("\\-\\-review\\-data \\-\\-offline"),
        "{export}"
    );
    assert!(export.contains("\\-\\-forge"), "{export}");
    let bad = run(&["man", "reviews", "nope"], &[]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .starts_with("aiprov: man: unknown command `nope` (expected one of export"),
        "{}",
        bad.stderr
    );
    let bad = run(&["man", "nope"], &[]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.starts_with("aiprov: man: unknown command `nope` (expected one of enrich, commits, check, report, evidence, scan, diff, reviews, completions, man"), "{}", bad.stderr);
}

#[test]
fn environment_variables_for_the_common_flags() {
    let f = fixture();
    let d = f.path();
    let (bom, out) = (p(d, "bom.json"), p(d, "out.json"));
    // AIPROV_CACHE_DIR: the cache's mirrors folder is searched; AIPROV_OFFLINE: nothing fetched.
    let cache = d.join("cache");
    std::fs::create_dir_all(cache.join("mirrors")).unwrap();
    std::fs::rename(
        d.join("mirrors/github.com"),
        cache.join("mirrors/github.com"),
    )
    .unwrap();
    let cache_s = cache.display().to_string();
    let r = run(
        &["enrich", &bom, "-o", &out],
        &[("AIPROV_CACHE_DIR", &cache_s), ("AIPROV_OFFLINE", "true")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(status_of(Path::new(&out)), "analyzed");
    // An empty cache and offline: the repository is unavailable, and nothing was fetched.
    let empty = d.join("empty-cache").display().to_string();
    let r = run(
        &["enrich", &bom, "-o", &out],
        &[("AIPROV_CACHE_DIR", &empty), ("AIPROV_OFFLINE", "1")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(status_of(Path::new(&out)), "repository-unavailable");
    assert!(!Path::new(&empty).join("mirrors/github.com").exists());
    // The flag wins over the variable.
    let r = run(
        &["enrich", &bom, "-o", &out, "--cache-dir", &cache_s],
        &[("AIPROV_CACHE_DIR", &empty), ("AIPROV_OFFLINE", "true")],
    );
    assert_eq!(r.code, 0);
    assert_eq!(status_of(Path::new(&out)), "analyzed");
    // AIPROV_JOBS is read and checked like --jobs.
    let r = run(
        &["enrich", &bom, "-o", &out],
        &[
            ("AIPROV_JOBS", "0"),
            ("AIPROV_CACHE_DIR", &cache_s),
            ("AIPROV_OFFLINE", "true"),
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("invalid value '0' for '--jobs <N>'"),
        "{}",
        r.stderr
    );
    let r = run(
        &["enrich", &bom, "-o", &out],
        &[
            ("AIPROV_JOBS", "3"),
            ("AIPROV_CACHE_DIR", &cache_s),
            ("AIPROV_OFFLINE", "true"),
        ],
    );
    assert_eq!(r.code, 0);
    // AIPROV_CONFIG: see config_file_defaults. --help names every variable.
    let help = stdout(&run(&["enrich", "--help"], &[]));
    for var in [
        "[env: AIPROV_CACHE_DIR=]",
        "[env: AIPROV_OFFLINE=]",
        "[env: AIPROV_CONFIG=]",
        "[env: AIPROV_JOBS=]",
    ] {
        assert!(help.contains(var), "{var}\n{help}");
    }
}

#[test]
fn config_file_defaults() {
    let f = fixture();
    let d = f.path();
    let (bom, out) = (p(d, "bom.json"), p(d, "out.json"));
    let config = d.join("conf/aiprov.toml");
    std::fs::create_dir_all(d.join("conf")).unwrap();
    std::fs::write(
        &config,
        "[defaults]\nprofile = \"ntia-2021\"\nfail-on = [\"ai-share>0.25\"]\nmirror-dir = [\"../mirrors\"]\n",
    )
    .unwrap();
    let conf = config.display().to_string();
    // enrich: the mirror folder (relative to the file) and the policy come from the file.
    let r = run(
        &["enrich", &bom, "-o", &out, "--offline"],
        &[("AIPROV_CONFIG", &conf)],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("aiprov: policy violated: w: ai-share>0.25"),
        "{}",
        r.stderr
    );
    assert_eq!(status_of(Path::new(&out)), "analyzed");
    // A flag replaces the default.
    let r = run(
        &[
            "enrich",
            &bom,
            "-o",
            &out,
            "--offline",
            "--config",
            &conf,
            "--fail-on",
            "ai-share>0.75",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // check: the profile and the policy.
    let r = run(&["check", &out, "--config", &conf], &[]);
    assert!(
        stdout(&r).starts_with("ntia-2021 minimum elements: "),
        "{}",
        stdout(&r)
    );
    assert_eq!(r.code, 1, "the policy: {}", r.stderr);
    let r = run(
        &["check", &out, "--profile", "cisa-2026"],
        &[("AIPROV_CONFIG", &conf)],
    );
    assert!(stdout(&r).starts_with("cisa-2026 minimum elements: "));
    // report: the policy.
    let r = run(
        &["report", &out, "--format", "json"],
        &[("AIPROV_CONFIG", &conf)],
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.json()["violations"].as_array().unwrap().len(), 1);
    // A bad default is bad input naming the file.
    std::fs::write(&config, "[defaults]\nprofile = \"cisa-2099\"\n").unwrap();
    let r = run(&["check", &out, "--config", &conf], &[]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!("aiprov: {conf}: defaults.profile: unknown profile `cisa-2099`\n")
    );
    std::fs::write(&config, "[defaults]\nfail-on = \"x\"\n").unwrap();
    let r = run(&["report", &out, "--config", &conf], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with(&format!("aiprov: {conf}: line 2, column 11: ")),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn output_files_for_check_commits_and_several_report_formats() {
    let f = fixture();
    let d = f.path();
    let (bom, mirrors, out) = (p(d, "bom.json"), p(d, "mirrors"), p(d, "enriched.json"));
    assert_eq!(
        run(
            &[
                "enrich",
                &bom,
                "--mirror-dir",
                &mirrors,
                "--offline",
                "-o",
                &out
            ],
            &[]
        )
        .code,
        0
    );
    // check -o: the same bytes as stdout, same exit code.
    let to_stdout = run(&["check", &out, "--format", "json"], &[]);
    let file = p(d, "check.json");
    let to_file = run(&["check", &out, "--format", "json", "-o", &file], &[]);
    assert_eq!((to_file.code, to_file.stdout.len()), (to_stdout.code, 0));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), to_stdout.stdout);
    // commits -o
    let widget = p(d, "mirrors/github.com/acme/widget.git");
    let to_stdout = run(&["commits", &widget, "--format", "summary"], &[]);
    let file = p(d, "commits.json");
    let to_file = run(
        &["commits", &widget, "--format", "summary", "--output", &file],
        &[],
    );
    assert_eq!((to_file.code, to_file.stdout.len()), (0, 0));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), to_stdout.stdout);
    let v: Value = serde_json::from_str(&to_stdout.stdout).unwrap();
    assert_eq!(v["commits"], 6);
    // A rule pack is never overwritten.
    let rules = d.join("rules.toml");
    std::fs::write(&rules, "").unwrap();
    let r = run(
        &[
            "commits",
            &widget,
            "--rules",
            &p(d, "rules.toml"),
            "-o",
            &p(d, "rules.toml"),
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);

    // report: four formats in one run, each the bytes a single-format run writes.
    let (md, sarif, html) = (p(d, "r.md"), p(d, "r.sarif"), p(d, "r.html"));
    let r = run(
        &[
            "report",
            &out,
            "--fail-on",
            "ai-share>0.25",
            "--format",
            &format!("markdown={md}"),
            "--format",
            &format!("sarif={sarif}"),
            "--format",
            &format!("html={html}"),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "aiprov: policy violated: w: ai-share>0.25: 0.5\naiprov: 1 policy violation(s)\n"
    );
    for (format, path) in [("markdown", &md), ("sarif", &sarif), ("html", &html)] {
        let single = run(
            &[
                "report",
                &out,
                "--fail-on",
                "ai-share>0.25",
                "--format",
                format,
            ],
            &[],
        );
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            single.stdout,
            "{format}"
        );
        #[cfg(unix)]
        assert_eq!(mode(Path::new(path)), 0o644, "{format}");
    }
    assert_eq!(r.json()["violations"].as_array().unwrap().len(), 1);
    // Refused before anything is written: two formats for stdout, one file twice, the input.
    let fresh = p(d, "fresh.md");
    for (args, message) in [
        (
            vec!["--format", "json", "--format", "html"],
            "give at most one format without =FILE",
        ),
        (
            vec!["--format", "json=-", "--format", "html"],
            "only one format can go to stdout",
        ),
        (
            vec![
                "--format",
                &format!("html={fresh}"),
                "--format",
                &format!("json={fresh}"),
            ],
            "name the same file",
        ),
        (
            vec!["--format", &format!("sarif={out}")],
            "which this run reads",
        ),
        (
            vec!["--format", &format!("html={fresh}"), "-o", &p(d, "x.md")],
            "give one --format without =FILE for -o",
        ),
        (
            vec!["--format", "pdf=x.pdf"],
            "unknown format (expected markdown, html, sarif or json)",
        ),
    ] {
        let r = run(&[&["report", out.as_str()], &args[..]].concat(), &[]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
        assert!(!Path::new(&fresh).exists());
    }
}
