//! The GitHub Action (`action.yml`) run the way a runner runs a composite action: each `run:`
//! step written to a file and started as `bash --noprofile --norc -eo pipefail FILE` (GitHub's
//! invocation for `shell: bash`), its `env:` mapping evaluated from the inputs (or their
//! defaults) and earlier steps' outputs, fresh `GITHUB_OUTPUT` files per step, shared
//! `GITHUB_ENV`, `GITHUB_PATH` and `GITHUB_STEP_SUMMARY` files, and GitHub's default `if:
//! success()` (a failed step skips every later one). Composite actions get no `INPUT_*`
//! variables, so none are set: the scripts must read the `env:` names.
//!
//! The aiprov under test is handed over through the `aiprov` input (the download is tested on
//! its own against a loopback server acting as the release host, `GITHUB_SERVER_URL`).

use crate::http_server;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use serde_norway::Value as Yaml;

fn action() -> Yaml {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
        .expect("reading action.yml");
    serde_norway::from_str(&text).expect("action.yml is YAML")
}

fn s(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Null => String::new(),
        other => panic!("expected a scalar, got {other:?}"),
    }
}

/// What one run of the action gave.
#[derive(Debug)]
struct ActionRun {
    /// (step id, bash exit code) of every step that ran, in order.
    steps: Vec<(String, i32)>,
    /// The action's `outputs:`, evaluated.
    outputs: BTreeMap<String, String>,
    /// Everything the steps printed (stdout and stderr), for messages and `::error::` checks.
    log: String,
    /// The job summary file's content.
    summary: String,
    /// `GITHUB_ENV` as the job's later steps would see it.
    env: BTreeMap<String, String>,
    /// The action failed (a step exited non-zero).
    failed: bool,
}

/// Replace every `${{ … }}` in `text`: `inputs.NAME` and `steps.ID.outputs.KEY`; anything else
/// is a test failure (the action would need an evaluator this harness does not have).
fn eval(
    text: &str,
    inputs: &BTreeMap<String, String>,
    steps: &BTreeMap<String, BTreeMap<String, String>>,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("unclosed ${{") + start;
        let expr = rest[start + 3..end].trim();
        let parts: Vec<&str> = expr.split('.').collect();
        let value = match parts.as_slice() {
            ["inputs", name] => inputs
                .get(*name)
                .unwrap_or_else(|| panic!("undeclared input {name}"))
                .clone(),
            ["steps", id, "outputs", key] => steps
                .get(*id)
                .and_then(|o| o.get(*key))
                .cloned()
                .unwrap_or_default(),
            _ => panic!("expression the harness cannot evaluate: {expr}"),
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A step's `if:`: only `inputs.NAME != ''` and `inputs.NAME == 'VALUE'` are used.
fn condition(expr: &str, inputs: &BTreeMap<String, String>) -> bool {
    let expr = expr
        .trim()
        .trim_start_matches("${{")
        .trim_end_matches("}}")
        .trim();
    let (lhs, op, rhs) = if let Some((l, r)) = expr.split_once("!=") {
        (l, "!=", r)
    } else if let Some((l, r)) = expr.split_once("==") {
        (l, "==", r)
    } else {
        panic!("if: the harness cannot evaluate {expr}")
    };
    let name = lhs
        .trim()
        .strip_prefix("inputs.")
        .unwrap_or_else(|| panic!("if: {expr}"));
    let value = inputs.get(name).unwrap_or_else(|| panic!("if: {expr}"));
    let rhs = rhs.trim().trim_matches('\'');
    (value == rhs) == (op == "==")
}

/// `GITHUB_OUTPUT` / `GITHUB_ENV` syntax: `key=value` lines and `key<<DELIM` … `DELIM` blocks.
fn parse_kv(text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            map.insert(k.to_string(), value.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            map.insert(k.to_string(), v.to_string());
        } else if !line.is_empty() {
            panic!("not a key=value line: {line:?}");
        }
    }
    map
}

/// Run the action's steps in `workspace` with `with` as the caller's `with:` mapping, extra
/// runner variables in `runner_env`, stopping after `stop_after` when given.
fn run_action(
    workspace: &Path,
    with: &[(&str, &str)],
    runner_env: &[(&str, &str)],
    stop_after: Option<&str>,
) -> ActionRun {
    let action = action();
    let mut inputs = BTreeMap::new();
    for (name, spec) in action["inputs"].as_mapping().unwrap() {
        inputs.insert(s(name), spec.get("default").map(s).unwrap_or_default());
    }
    for (k, v) in with {
        assert!(inputs.contains_key(*k), "the action has no input {k}");
        inputs.insert(k.to_string(), v.to_string());
    }
    let temp = tempfile::tempdir().unwrap();
    let runner_temp = temp.path().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let files = |name: &str| {
        let p = temp.path().join(name);
        std::fs::write(&p, "").unwrap();
        p
    };
    let (env_file, path_file, summary_file) = (
        files("github_env"),
        files("github_path"),
        files("step_summary"),
    );
    let mut step_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut run = ActionRun {
        steps: Vec::new(),
        outputs: BTreeMap::new(),
        log: String::new(),
        summary: String::new(),
        env: BTreeMap::new(),
        failed: false,
    };
    for (i, step) in action["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .enumerate()
    {
        let id = step.get("id").map(s).unwrap_or_else(|| format!("step{i}"));
        assert_eq!(
            step.get("shell").map(s).as_deref(),
            Some("bash"),
            "{id}: shell"
        );
        if let Some(cond) = step.get("if") {
            if !condition(&s(cond), &inputs) {
                continue;
            }
        }
        let script = s(&step["run"]);
        let script_path = runner_temp.join(format!("{id}.sh"));
        std::fs::write(&script_path, &script).unwrap();
        let output_file = files(&format!("output_{id}"));
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_path)
            .current_dir(workspace)
            .env_clear()
            .env("HOME", temp.path())
            .env("XDG_CACHE_HOME", temp.path().join("cache"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"))
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", &runner_temp)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_ENV", &env_file)
            .env("GITHUB_PATH", &path_file)
            .env("GITHUB_STEP_SUMMARY", &summary_file);
        let mut path: Vec<String> = std::fs::read_to_string(&path_file)
            .unwrap()
            .lines()
            .rev()
            .map(String::from)
            .collect();
        path.push(std::env::var("PATH").unwrap_or_default());
        cmd.env("PATH", path.join(":"));
        for (k, v) in runner_env {
            cmd.env(k, v);
        }
        for (k, v) in parse_kv(&std::fs::read_to_string(&env_file).unwrap()) {
            cmd.env(k, v);
        }
        if let Some(env) = step.get("env").and_then(Yaml::as_mapping) {
            for (k, v) in env {
                cmd.env(s(k), eval(&s(v), &inputs, &step_outputs));
            }
        }
        let out = cmd.output().unwrap();
        let code = out.status.code().unwrap_or(-1);
        run.log.push_str(&format!("--- step {id}: exit {code}\n"));
        run.log.push_str(&String::from_utf8_lossy(&out.stdout));
        run.log.push_str(&String::from_utf8_lossy(&out.stderr));
        run.steps.push((id.clone(), code));
        step_outputs.insert(
            id.clone(),
            parse_kv(&std::fs::read_to_string(&output_file).unwrap()),
        );
        if code != 0 {
            run.failed = true;
            break; // if: success() on every later step
        }
        if stop_after == Some(id.as_str()) {
            break;
        }
    }
    for (name, spec) in action["outputs"].as_mapping().unwrap() {
        run.outputs
            .insert(s(name), eval(&s(&spec["value"]), &inputs, &step_outputs));
    }
    run.summary = std::fs::read_to_string(&summary_file).unwrap();
    run.env = parse_kv(&std::fs::read_to_string(&env_file).unwrap());
    run
}

/// A workspace with a bare mirror of `testdata/enrich-widget.fi` at
/// `mirrors/github.com/acme/widget.git` and `bom.json`: an application depending on
/// `widget@VERSION` (0.9.0: one reviewed AI commit of two; 1.0.0: also an aider commit without
/// review), complete for the NTIA 2021 profile unless `complete` is false (no SBOM author: enrich
/// writes a timestamp and names itself as a tool, never an author).
fn workspace(version: &str, complete: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let widget = dir.path().join("mirrors/github.com/acme/widget.git");
    std::fs::create_dir_all(&widget).unwrap();
    let git = |args: &[&str], stdin: Option<&Path>| {
        let mut c = Command::new("git");
        c.args(args).env("GIT_CONFIG_NOSYSTEM", "1");
        if let Some(p) = stdin {
            c.stdin(std::fs::File::open(p).unwrap());
        }
        assert!(c.status().unwrap().success(), "git {args:?}");
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
        Some(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/enrich-widget.fi")),
    );
    git(
        &["--git-dir", w, "symbolic-ref", "HEAD", "refs/heads/main"],
        None,
    );
    let dep = format!("widget@{version}");
    let mut bom = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": "urn:uuid:6a1f0c1e-8b1d-4d7e-9a55-3c0b2f1e0a01", "version": 1,
        "metadata": {
            "timestamp": "2026-01-01T00:00:00Z",
            "authors": [{"name": "Acme Release Team"}],
            "component": {"type": "application", "bom-ref": "app", "name": "app", "version": "2.0.0",
                          "supplier": {"name": "Acme"}, "purl": "pkg:npm/app@2.0.0"}
        },
        "components": [{"type": "library", "bom-ref": dep, "name": "widget", "version": version,
                        "supplier": {"name": "Acme"}, "purl": format!("pkg:npm/widget@{version}"),
                        "externalReferences": [{"type": "vcs", "url": "https://github.com/acme/widget"}]}],
        "dependencies": [{"ref": "app", "dependsOn": [dep]}, {"ref": dep, "dependsOn": []}]
    });
    if !complete {
        bom["metadata"].as_object_mut().unwrap().remove("authors");
    }
    std::fs::write(
        dir.path().join("bom.json"),
        serde_json::to_vec_pretty(&bom).unwrap(),
    )
    .unwrap();
    dir
}

const BIN: &str = env!("CARGO_BIN_EXE_aiprov");

/// The action on `ws` with the inputs every scenario shares, plus `extra`.
fn run_on(ws: &Path, extra: &[(&str, &str)]) -> ActionRun {
    let mut with = vec![
        ("aiprov", BIN),
        ("sbom", "bom.json"),
        ("mirror-dir", "mirrors"),
        ("offline", "true"),
        ("profile", "ntia-2021"),
    ];
    with.extend_from_slice(extra);
    run_action(ws, &with, &[], None)
}

fn codes(run: &ActionRun) -> Vec<(&str, i32)> {
    run.steps.iter().map(|(id, c)| (id.as_str(), *c)).collect()
}

fn outputs(run: &ActionRun, names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (n.to_string(), run.outputs[*n].clone()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

const CODES: [&str; 4] = ["enrich-code", "check-code", "policy-code", "failed"];

/// Every output file the action promises, present after the run.
fn assert_all_written(ws: &Path, run: &ActionRun) {
    for f in [
        "enriched.cdx.json",
        "evidence.jsonl",
        "check.txt",
        "check.json",
        "aiprov-report.md",
        "aiprov-report.html",
        "aiprov-report.json",
        "aiprov.sarif",
    ] {
        assert!(
            ws.join("aiprov-out").join(f).is_file(),
            "{f} missing\n{}",
            run.log
        );
    }
    assert_eq!(run.outputs["sarif"], "aiprov-out/aiprov.sarif");
    assert_eq!(run.outputs["enriched"], "aiprov-out/enriched.cdx.json");
    let md = std::fs::read_to_string(ws.join("aiprov-out/aiprov-report.md")).unwrap();
    assert!(run.summary.ends_with(&md), "the summary holds the report");
}

fn report_json(ws: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(ws.join("aiprov-out/aiprov-report.json")).unwrap())
        .unwrap()
}

const ALL_STEPS: [&str; 6] = ["install", "paths", "enrich", "check", "report", "verdict"];

#[test]
fn all_pass() {
    let ws = workspace("0.9.0", true);
    let run = run_on(
        ws.path(),
        &[("fail-on", "unreviewed-ai>0\n\n  \nstatus!=analyzed\n")],
    );
    assert_eq!(
        codes(&run),
        ALL_STEPS.iter().map(|s| (*s, 0)).collect::<Vec<_>>(),
        "{}",
        run.log
    );
    assert!(!run.failed);
    assert_eq!(
        outputs(&run, &CODES),
        pairs(&[
            ("enrich-code", "0"),
            ("check-code", "0"),
            ("policy-code", "0"),
            ("failed", "false")
        ])
    );
    assert_eq!(run.outputs["evidence-code"], "", "no evidence-range");
    assert_all_written(ws.path(), &run);
    let r = report_json(ws.path());
    assert_eq!(r["totals"]["ai_commits"], 1);
    assert_eq!(r["totals"]["ai_with_review"], 1);
    assert_eq!(r["violations"], json!([]));
    assert!(!run.log.contains("::error::"), "{}", run.log);
    assert_eq!(run.env["AIPROV"], BIN);
}

#[test]
fn a_missing_element_fails_after_every_report_is_written() {
    let ws = workspace("0.9.0", false);
    let run = run_on(ws.path(), &[]);
    assert_eq!(
        codes(&run),
        [
            ("install", 0),
            ("paths", 0),
            ("enrich", 0),
            ("check", 0),
            ("report", 0),
            ("verdict", 1)
        ],
        "{}",
        run.log
    );
    assert!(run.failed);
    assert_eq!(
        outputs(&run, &CODES),
        pairs(&[
            ("enrich-code", "0"),
            ("check-code", "1"),
            ("policy-code", "0"),
            ("failed", "true")
        ])
    );
    assert_all_written(ws.path(), &run);
    let check: Value =
        serde_json::from_slice(&std::fs::read(ws.path().join("aiprov-out/check.json")).unwrap())
            .unwrap();
    let missing: Vec<&str> = check["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "missing")
        .map(|e| e["element"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["Author of SBOM Data"]);
    assert!(run
        .log
        .contains("::error::aiprov check: minimum elements are missing (see check.txt)"));
}

#[test]
fn fail_on_missing_elements_false_only_warns() {
    let ws = workspace("0.9.0", false);
    let run = run_on(ws.path(), &[("fail-on-missing-elements", "false")]);
    assert_eq!(
        codes(&run),
        ALL_STEPS.iter().map(|s| (*s, 0)).collect::<Vec<_>>(),
        "{}",
        run.log
    );
    assert!(!run.failed);
    assert_eq!(
        outputs(&run, &CODES),
        pairs(&[
            ("enrich-code", "0"),
            ("check-code", "1"),
            ("policy-code", "0"),
            ("failed", "false")
        ])
    );
    assert!(run
        .log
        .contains("::warning::aiprov check: minimum elements are missing (see check.txt)"));
    assert!(!run.log.contains("::error::"));
    assert_all_written(ws.path(), &run);
}

#[test]
fn a_policy_violation_fails_in_the_verdict_step() {
    let ws = workspace("0.9.0", true);
    let run = run_on(ws.path(), &[("fail-on", "ai-share>0.25")]);
    assert_eq!(
        codes(&run),
        [
            ("install", 0),
            ("paths", 0),
            ("enrich", 0),
            ("check", 0),
            ("report", 0),
            ("verdict", 1)
        ],
        "{}",
        run.log
    );
    assert_eq!(
        outputs(&run, &CODES),
        pairs(&[
            ("enrich-code", "0"),
            ("check-code", "0"),
            ("policy-code", "1"),
            ("failed", "true")
        ])
    );
    assert_all_written(ws.path(), &run);
    let r = report_json(ws.path());
    assert_eq!(r["violations"].as_array().unwrap().len(), 1, "{r}");
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(ws.path().join("aiprov-out/aiprov.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    assert!(run
        .log
        .contains("::error::aiprov: a fail-on policy is violated (see the report)"));
}

#[test]
fn an_unreviewed_ai_commit_fails_the_review_policy() {
    let ws = workspace("1.0.0", true);
    // The review data names widget's repository but none of its AI commits: they came in
    // without a pull request (without review data they would be review-unknown, not unreviewed).
    std::fs::write(
        ws.path().join("reviews.jsonl"),
        concat!(
            r#"{"repository": "https://github.com/acme/widget", "number": 1, "#,
            r#""url": "https://github.com/acme/widget/pull/1", "author": "alice", "#,
            r#""merged_at": "2026-01-01T00:00:00Z", "merged_by": "bob", "#,
            r#""commits": ["0000000000000000000000000000000000000001"], "reviews": [], "checks": []}"#,
            "\n"
        ),
    )
    .unwrap();
    let run = run_on(
        ws.path(),
        &[
            ("fail-on", "unreviewed-ai>0"),
            ("review-data", "reviews.jsonl"),
        ],
    );
    assert_eq!(run.steps.last().unwrap(), &("verdict".to_string(), 1));
    assert_eq!(run.steps.len(), 6, "{}", run.log);
    assert_eq!(
        outputs(&run, &CODES),
        pairs(&[
            ("enrich-code", "0"),
            ("check-code", "0"),
            ("policy-code", "1"),
            ("failed", "true")
        ])
    );
    let r = report_json(ws.path());
    assert_eq!(r["components"][0]["ai_commits"], 2);
    assert_eq!(r["components"][0]["unreviewed_ai"], 1);
    assert_eq!(r["violations"].as_array().unwrap().len(), 1, "{r}");
    assert_all_written(ws.path(), &run);
}

#[test]
fn bad_input_is_reported_and_the_verdict_still_runs() {
    let ws = workspace("0.9.0", true);
    std::fs::write(ws.path().join("bom.json"), "{ not json").unwrap();
    let run = run_on(ws.path(), &[]);
    assert_eq!(run.steps.len(), 6, "{}", run.log);
    assert_eq!(
        outputs(&run, &CODES),
        pairs(&[
            ("enrich-code", "2"),
            ("check-code", "skipped"),
            ("policy-code", "skipped"),
            ("failed", "true")
        ])
    );
    assert!(run.log.contains("::error::aiprov enrich failed (exit 2)"));
}

/// The scripts never paste caller text: no `${{` inside any `run:`, every step reads inputs
/// through `env:`, and every input a step names is declared.
#[test]
fn inputs_reach_scripts_only_through_env() {
    let action = action();
    let declared: Vec<String> = action["inputs"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(s)
        .collect();
    for input in ["version", "sha256", "build-from-source", "aiprov"] {
        assert!(declared.contains(&input.to_string()), "{input}");
    }
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    for step in steps {
        let id = s(&step["id"]);
        assert!(!s(&step["run"]).contains("${{"), "{id}: expression in run:");
        for (_, v) in step
            .get("env")
            .and_then(Yaml::as_mapping)
            .into_iter()
            .flatten()
        {
            let v = s(v);
            if let Some(name) = v
                .strip_prefix("${{ inputs.")
                .and_then(|r| r.strip_suffix(" }}"))
            {
                assert!(declared.contains(&name.to_string()), "{id}: {name}");
            }
        }
    }
    assert_eq!(s(&steps.last().unwrap()["id"]), "verdict");
}

/// A release host on loopback serving `aiprov-x86_64-unknown-linux-musl.tar.gz` (this build of
/// aiprov) and a `SHA256SUMS` whose line for it is `sums_digest` (the real one when `None`).
fn release_host(sums_digest: Option<&str>) -> (http_server::Server, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(BIN, dir.path().join("aiprov")).unwrap();
    let archive = dir.path().join("aiprov-x86_64-unknown-linux-musl.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.path())
        .arg("aiprov")
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = std::fs::read(&archive).unwrap();
    let out = Command::new("sha256sum").arg(&archive).output().unwrap();
    let real = String::from_utf8(out.stdout).unwrap()[..64].to_string();
    let server = http_server::Server::start();
    let base = "/aiprov/aiprov/releases/download/v9.9.9";
    server.route(
        &format!("{base}/aiprov-x86_64-unknown-linux-musl.tar.gz"),
        vec![http_server::ok("application/gzip", bytes)],
    );
    server.route(
        &format!("{base}/SHA256SUMS"),
        vec![http_server::ok(
            "text/plain",
            format!(
                "{}  aiprov-aarch64-unknown-linux-musl.tar.gz\n{}  aiprov-x86_64-unknown-linux-musl.tar.gz\n",
                "0".repeat(64),
                sums_digest.unwrap_or(&real)
            ),
        )],
    );
    (server, real, dir)
}

fn install(server: &http_server::Server, with: &[(&str, &str)]) -> (ActionRun, PathBuf) {
    let ws = tempfile::tempdir().unwrap();
    let mut all = vec![("sbom", "bom.json"), ("version", "9.9.9")];
    all.extend_from_slice(with);
    let run = run_action(
        ws.path(),
        &all,
        &[
            ("GITHUB_SERVER_URL", server.base.as_str()),
            ("GITHUB_ACTION_REPOSITORY", "aiprov/aiprov"),
        ],
        Some("install"),
    );
    (run, ws.keep())
}

#[test]
fn install_downloads_the_release_for_the_runner_and_checks_its_digest() {
    let (server, real, _dir) = release_host(None);
    let (run, _) = install(&server, &[]);
    assert_eq!(codes(&run), [("install", 0)], "{}", run.log);
    let bin = PathBuf::from(&run.env["AIPROV"]);
    assert!(bin.ends_with("runner-temp/aiprov-bin/aiprov"), "{bin:?}");
    assert!(
        run.log
            .contains(concat!("aiprov ", env!("CARGO_PKG_VERSION"))),
        "{}",
        run.log
    );
    // Pinned by the caller: the same digest passes.
    let (run, _) = install(&server, &[("sha256", &real.to_uppercase())]);
    assert_eq!(codes(&run), [("install", 0)], "{}", run.log);
    assert_eq!(
        server.hits("/aiprov/aiprov/releases/download/v9.9.9/SHA256SUMS"),
        1,
        "a pinned digest does not read SHA256SUMS"
    );
}

#[test]
fn install_refuses_an_archive_whose_digest_differs() {
    let bad = "ab".repeat(32);
    let (server, real, _dir) = release_host(Some(&bad));
    let (run, _) = install(&server, &[]);
    assert_eq!(codes(&run), [("install", 1)], "{}", run.log);
    assert!(run.failed);
    assert!(
        run.log.contains(&format!(
            "::error::aiprov: aiprov-x86_64-unknown-linux-musl.tar.gz has SHA-256 {real}, expected {bad}"
        )),
        "{}",
        run.log
    );
    assert!(!run.env.contains_key("AIPROV"));
    // A pin that differs fails too, whatever SHA256SUMS says.
    let (server, _, _dir) = release_host(None);
    let (run, _) = install(&server, &[("sha256", &bad)]);
    assert_eq!(codes(&run), [("install", 1)], "{}", run.log);
    // An unknown runner, and a version that is not one.
    let (run, _) = {
        let ws = tempfile::tempdir().unwrap();
        let r = run_action(
            ws.path(),
            &[("sbom", "x"), ("version", "1.0.0; rm -rf /")],
            &[("GITHUB_SERVER_URL", server.base.as_str())],
            Some("install"),
        );
        (r, ws)
    };
    assert!(run
        .log
        .contains("::error::aiprov: version must look like 1.2.3 (or latest)"));
    let ws = tempfile::tempdir().unwrap();
    let run = run_action(
        ws.path(),
        &[("sbom", "x")],
        &[("RUNNER_OS", "FreeBSD")],
        Some("install"),
    );
    assert!(run.log.contains(
        "::error::aiprov: no release archive for FreeBSD/X64; set build-from-source: 'true'"
    ));
}
