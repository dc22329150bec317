//! The sharded-run deployments in `deploy/` (issue 12), checked without a cluster or GitHub:
//! the Kubernetes manifests against the Kubernetes OpenAPI schemas (PyPI `kubernetes-validate`,
//! strict: an unknown field fails), the workflow against the GitHub Actions workflow schema
//! (npm `@action-validator/cli`), and the contract both share with the CLI: the shard count
//! written twice agrees, every flag they pass is one `aiprov enrich` has, and the pods run as the
//! Dockerfile's user. `.ci/run` installs both validators; a missing one fails under CI=true and
//! is a visible skip elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_norway::Value as Yaml;

use crate::common;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const K8S: [&str; 2] = [
    "deploy/kubernetes/shards.yaml",
    "deploy/kubernetes/assemble.yaml",
];
const WORKFLOW: &str = "deploy/github-actions/aiprov-sharded.yml";

/// Every YAML document of a file (a manifest holds several, separated by `---`).
fn documents(rel: &str) -> Vec<Yaml> {
    serde_norway::Deserializer::from_str(&read(rel))
        .map(|d| Yaml::deserialize(d).unwrap_or_else(|e| panic!("{rel}: {e}")))
        .collect()
}

/// The validator named by `var`, else `name` on PATH; `None` (a visible skip) outside CI.
fn tool(var: &str, name: &str, install: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Some(PathBuf::from(p));
    }
    let on_path = Command::new(name)
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        return Some(PathBuf::from(name));
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{name} is missing ({install}, or set {var})"
    );
    eprintln!("skipping: {name} not found ({install}, or set {var})");
    None
}

#[test]
fn kubernetes_manifests_validate_against_the_openapi_schemas() {
    let Some(bin) = tool(
        "AIPROV_KUBE_VALIDATE",
        "kubernetes-validate",
        "pip install kubernetes-validate",
    ) else {
        return;
    };
    let out = Command::new(bin)
        .arg("--strict")
        .args(K8S.iter().map(|f| root().join(f)))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "kubernetes-validate:\n{text}");
    // One "passed" per resource: the claim and the two Jobs. A file the validator skipped (no
    // kind, unknown apiVersion) would not count.
    assert_eq!(text.matches(" passed for resource ").count(), 3, "{text}");
}

#[test]
fn workflow_validates_against_the_github_actions_schema() {
    let Some(bin) = tool(
        "AIPROV_ACTION_VALIDATOR",
        "action-validator",
        "npm install @action-validator/cli",
    ) else {
        return;
    };
    let out = Command::new(bin)
        .arg(root().join(WORKFLOW))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "action-validator:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn job<'a>(docs: &'a [Yaml], name: &str) -> &'a Yaml {
    docs.iter()
        .find(|d| d["kind"] == "Job" && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no Job {name}"))
}

fn strings(v: &Yaml) -> Vec<String> {
    v.as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// The value after `flag` in an argument list.
fn after<'a>(args: &'a [String], flag: &str) -> &'a str {
    let i = args
        .iter()
        .position(|a| a == flag)
        .unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    &args[i + 1]
}

/// The Indexed Job runs one pod per shard and tells each its index; the `N` of `--shard K/N`
/// is the Job's completion count; the assemble Job reads the same input and cache offline.
#[test]
fn kubernetes_shard_count_and_paths_agree() {
    let shards = documents(K8S[0]);
    let shard_job = job(&shards, "aiprov-shards");
    let spec = &shard_job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let n = spec["completions"].as_u64().unwrap();
    assert_eq!(spec["parallelism"].as_u64(), Some(n));
    let pod = &spec["template"]["spec"];
    let c = &pod["containers"][0];
    let args = strings(&c["args"]);
    assert_eq!(args[0], "enrich");
    assert_eq!(after(&args, "--shard"), format!("$(SHARD)/{n}"));
    let shard_env = c["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "SHARD")
        .expect("SHARD comes from the completion index");
    assert_eq!(
        shard_env["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.annotations['batch.kubernetes.io/job-completion-index']"
    );

    let assemble = documents(K8S[1]);
    let a = &job(&assemble, "aiprov-assemble")["spec"]["template"]["spec"];
    let a_args = strings(&a["containers"][0]["args"]);
    assert_eq!(a_args[..2], args[..2], "the same input");
    assert_eq!(after(&a_args, "--cache-dir"), after(&args, "--cache-dir"));
    assert!(a_args.contains(&"--offline".to_string()));
    assert!(!a_args.contains(&"--shard".to_string()));
    assert_eq!(
        a["volumes"][0]["persistentVolumeClaim"]["claimName"],
        pod["volumes"][0]["persistentVolumeClaim"]["claimName"]
    );

    // The pods run as the user the Dockerfile's run stage declares.
    let user = read("Dockerfile")
        .lines()
        .filter_map(|l| l.strip_prefix("USER "))
        .next_back()
        .map(|u| u.split(':').next().unwrap().to_string())
        .unwrap();
    for p in [pod, a] {
        assert_eq!(
            p["securityContext"]["runAsUser"]
                .as_u64()
                .map(|u| u.to_string()),
            Some(user.clone())
        );
        assert_eq!(p["securityContext"]["runAsNonRoot"], true);
    }
}

/// The matrix lists exactly the shards 0..SHARDS, and the assemble job downloads what the shard
/// jobs upload into the folder it gives `--cache-dir`.
#[test]
fn workflow_matrix_and_artifacts_agree() {
    let wf = &documents(WORKFLOW)[0];
    let n = wf["env"]["SHARDS"].as_u64().unwrap();
    let matrix: Vec<u64> = wf["jobs"]["shard"]["strategy"]["matrix"]["shard"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(matrix, (0..n).collect::<Vec<_>>());
    let text = read(WORKFLOW);
    assert!(text.contains("--shard \"$SHARD/$SHARDS\" --cache-dir \"$RUNNER_TEMP/aiprov-cache\""));
    assert!(text.contains("--offline --cache-dir \"$RUNNER_TEMP/aiprov-cache\""));
    let steps = wf["jobs"]["assemble"]["steps"].as_sequence().unwrap();
    let download = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/download-artifact@"))
        })
        .unwrap();
    assert_eq!(download["with"]["pattern"], "aiprov-store-*");
    assert_eq!(download["with"]["merge-multiple"], true);
    assert_eq!(download["with"]["path"], "${{ runner.temp }}/aiprov-cache");
    // No `${{ … }}` inside a run: script (an injection); inputs reach scripts through env.
    for job in wf["jobs"].as_mapping().unwrap().values() {
        for step in job["steps"].as_sequence().unwrap() {
            if let Some(run) = step.get("run") {
                assert!(!run.as_str().unwrap().contains("${{"), "{run:?}");
            }
        }
    }
}

/// Every flag the deployments pass is one `aiprov enrich` accepts (its `--help` lists it).
#[test]
fn deployments_use_real_enrich_flags() {
    let help = common::aiprov(&["enrich", "--help"]);
    assert_eq!(help.code, 0);
    let mut used: Vec<String> = Vec::new();
    for f in K8S {
        for d in documents(f) {
            if d["kind"] == "Job" {
                used.extend(strings(
                    &d["spec"]["template"]["spec"]["containers"][0]["args"],
                ));
            }
        }
    }
    used.extend(
        read(WORKFLOW)
            .split_whitespace()
            .map(|w| w.trim_matches('"').to_string()),
    );
    let mut flags: Vec<String> = used.into_iter().filter(|a| a.starts_with("--")).collect();
    flags.sort();
    flags.dedup();
    assert!(flags.contains(&"--shard".to_string()), "{flags:?}");
    for flag in flags {
        assert!(
            help.stdout.contains(&format!("{flag} "))
                || help.stdout.contains(&format!("{flag}\n"))
                || help.stdout.contains(&format!("{flag} <")),
            "aiprov enrich has no {flag}"
        );
    }
}
