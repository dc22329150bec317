//! What people read first: the policy verdict and the components that need attention at the top
//! of the Markdown and HTML reports; the evidence Markdown says when, by which aiprov and with
//! which rule set it was made.

use crate::common;
use std::path::Path;
use std::process::Command;

use common::aiprov_with as aiprov_env;

const FIXTURE: &str = "testdata/enriched/release.cdx.json";

fn report(args: &[&str]) -> (i32, String) {
    let mut all = vec!["report", FIXTURE];
    all.extend_from_slice(args);
    let mut cmd = common::command();
    let out = cmd
        .args(&all)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// The lines between `## Verdict` and `## Totals`.
fn verdict_block(md: &str) -> &str {
    let start = md.find("## Verdict\n\n").expect("a verdict section");
    let end = md.find("## Totals\n").expect("totals");
    assert!(start < end, "the verdict comes first");
    &md[start..end]
}

#[test]
fn markdown_verdict_without_a_policy_and_with_a_passing_one() {
    let (code, md) = report(&[]);
    assert_eq!(code, 0);
    assert!(verdict_block(&md).starts_with(
        "## Verdict\n\n**No policy given: nothing gates this release (aiprov report --fail-on EXPR).**\n\nNeeds attention:\n\n| Component | Why |\n|---|---|\n| aider-chat@0.86.1 | 4355 of 4355 AI commits without review evidence |\n"
    ), "{md}");
    let (code, md) = report(&["--fail-on", "ai-share>0.9"]);
    assert_eq!(code, 0);
    assert!(
        verdict_block(&md).starts_with(
            "## Verdict\n\n**Policy passed: no component violates `ai-share>0.9`.**\n\n"
        ),
        "{md}"
    );
    // Four components have unreviewed AI commits, most first; two could not be analyzed.
    let rows: Vec<&str> = verdict_block(&md)
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Component"))
        .map(|l| l.split(" | ").next().unwrap())
        .collect();
    assert_eq!(
        rows,
        [
            "| aider-chat@0.86.1",
            "| @&#8203;acme/widget@2.0.0",
            "| @&#8203;acme/widget-core@2.0.0",
            "| serde@1.0.200"
        ]
    );
    assert!(
        verdict_block(&md).ends_with("2 components could not be analyzed (see Not analyzed).\n\n")
    );
}

#[test]
fn html_verdict_comes_before_the_totals() {
    let (code, html) = report(&["--format", "html", "--fail-on", "unreviewed-ai>0"]);
    assert_eq!(code, 1);
    let verdict = html.find("<h2>Verdict</h2>").unwrap();
    assert!(verdict < html.find("<h2>Totals</h2>").unwrap());
    assert!(html[verdict..].starts_with(
        "<h2>Verdict</h2>\n<p class=\"verdict fail\"><strong>Policy FAILED: 4 violations of unreviewed-ai&gt;0.</strong></p>\n<p>Needs attention:</p>\n<table><tr><th>Component</th><th>Why</th></tr>\n<tr><td>aider-chat@0.86.1</td><td>4355 of 4355 AI commits without review evidence; violates unreviewed-ai&gt;0 (4355)</td></tr>\n"
    ), "{}", &html[verdict..verdict + 600]);
    let (_, html) = report(&["--format", "html", "--fail-on", "ai-share>0.9"]);
    assert!(html.contains("<p class=\"verdict pass\"><strong>Policy passed: no component violates ai-share&gt;0.9.</strong></p>"));
}

#[test]
fn evidence_markdown_states_time_version_and_rule_set_digest() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("widget.git");
    let git = |args: &[&str]| {
        assert!(Command::new("git")
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(
                std::fs::File::open(
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/enrich-widget.fi")
                )
                .unwrap()
            )
            .status()
            .unwrap()
            .success())
    };
    let r = repo.to_str().unwrap();
    git(&["init", "-q", "--bare", r]);
    git(&[
        "--git-dir",
        r,
        "fast-import",
        "--quiet",
        "--done",
        "--date-format=raw-permissive",
    ]);
    let extra = dir.path().join("extra.toml");
    std::fs::write(
        &extra,
        "schema = 1\nid = \"extra\"\ndescription = \"no rules\"\n",
    )
    .unwrap();
    let run = |more: &[&str]| {
        let mut args = vec![
            "evidence",
            r,
            "--range",
            "widget-v0.9.0..v1.0.0",
            "--format",
            "markdown",
        ];
        args.extend_from_slice(more);
        let out = aiprov_env(&args, None, &[("SOURCE_DATE_EPOCH", "1700000000")]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    let stamp = |md: &str| md.lines().nth(2).unwrap().to_string();
    let a = run(&[]);
    let line = stamp(&a);
    let prefix = concat!(
        "Generated 2023-11-14T22:13:20Z by aiprov ",
        env!("CARGO_PKG_VERSION"),
        ", rule set `sha256:"
    );
    assert!(line.starts_with(prefix), "{a}");
    let digest = &line[prefix.len()..line.len() - 3];
    assert!(line.ends_with("`  "));
    assert_eq!(digest.len(), 64);
    assert!(digest
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(stamp(&run(&[])), line, "same rules, same digest");
    let with_extra = stamp(&run(&["--rules", extra.to_str().unwrap()]));
    assert_ne!(with_extra, line, "another pack, another digest");
    assert!(with_extra.starts_with(prefix));
}
