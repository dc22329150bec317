//! The SARIF aiprov writes passes the Microsoft SARIF Multitool's GitHub rules (`validate
//! --rule-kind Gh`: what GitHub code scanning requires, e.g. `help` on every rule), on the
//! shared juice-shop SBOM (1,101 components) enriched offline and gated by three policies.
//!
//! The tool is the native `Sarif.Multitool` of the npm package
//! `@microsoft/sarif-multitool-linux@5.7.0` (MIT), which `.ci/run` unpacks and names in
//! `AIPROV_SARIF_MULTITOOL`. Without it: a failure under CI=true, a visible skip elsewhere.

use crate::common;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn multitool() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("AIPROV_SARIF_MULTITOOL") {
        return Some(PathBuf::from(p));
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "AIPROV_SARIF_MULTITOOL is not set: point it at Sarif.Multitool from the npm package @microsoft/sarif-multitool-linux@5.7.0 (.ci/run unpacks it)"
    );
    eprintln!("skipping: AIPROV_SARIF_MULTITOOL is not set (the SARIF Multitool's GitHub rules)");
    None
}

/// (rule id, level) of every result the Multitool reports for `sarif`.
fn validate(tool: &PathBuf, sarif: &std::path::Path) -> Vec<(String, String)> {
    let out_file = sarif.with_extension("validation.sarif");
    let out = Command::new(tool)
        .args(["validate", "--rule-kind", "Gh", "--output"])
        .arg(&out_file)
        .arg(sarif)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "Sarif.Multitool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    assert_eq!(
        v["runs"][0]["invocations"][0]["executionSuccessful"], true,
        "{v}"
    );
    v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or("?").to_string(),
                r["level"].as_str().unwrap_or("warning").to_string(),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs ../shared"]
fn juice_shop_sarif_passes_the_github_rules() {
    let shared = common::shared();
    let Some(tool) = multitool() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let enriched = dir.path().join("juice-shop.cdx.json");
    let sarif = dir.path().join("aiprov.sarif");
    let bom = shared.join("sboms/cdx16-npm-juice-shop.cdx.json");
    let run = common::aiprov_with(
        &[
            "enrich",
            bom.to_str().unwrap(),
            "--offline",
            "-o",
            enriched.to_str().unwrap(),
        ],
        None,
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = common::aiprov_with(
        &[
            "report",
            enriched.to_str().unwrap(),
            "--fail-on",
            "status!=analyzed",
            "--fail-on",
            "unreviewed-ai>0",
            "--fail-on",
            "pkg:npm/*:ai-share>0.1",
            "--format",
            &format!("sarif={}", sarif.display()),
        ],
        None,
        &[],
    );
    assert_eq!(run.code, 1, "offline, no component is analyzed");
    let v: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 1101);
    assert_eq!(validate(&tool, &sarif), Vec::<(String, String)>::new());

    // The validator does catch what code scanning refuses: a rule without help.
    let mut broken = v.clone();
    broken["runs"][0]["tool"]["driver"]["rules"][0]
        .as_object_mut()
        .unwrap()
        .remove("help");
    let bad = dir.path().join("broken.sarif");
    std::fs::write(&bad, serde_json::to_vec(&broken).unwrap()).unwrap();
    assert_eq!(
        validate(&tool, &bad),
        [("GH2012".to_string(), "error".to_string())]
    );
}
