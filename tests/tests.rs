//! aiprov's integration tests: **one** test binary (`integration`), as ripgrep does, so the suite
//! links aiprov once instead of once per file. `Cargo.toml` sets `autotests = false`; every file
//! of `tests/` is a module listed below (`modules_are_all_listed` fails on a file that is not).
//!
//! # Adding a test file
//! 1. Write `tests/NAME.rs` and add `mod NAME;` below with a one-line comment. Inside it, use the
//!    helpers as `use crate::common::{self, aiprov, Run};` (never `mod common;`).
//! 2. Run the binary through [`common::aiprov`] / [`common::aiprov_with`] / [`common::command`]:
//!    they isolate `HOME`, `XDG_*`, the git configuration (`GIT_CONFIG_GLOBAL=/dev/null`,
//!    `GIT_CONFIG_NOSYSTEM=1`), remove `SOURCE_DATE_EPOCH` and `COLUMNS`, and give a
//!    [`common::Run`] (exit code, stdout, stderr). Pin the clock with
//!    `aiprov_with(args, None, &[("SOURCE_DATE_EPOCH", "1767225600")])`.
//! 3. Build fixture repositories with [`common::import_fi`] (a `testdata/*.fi` fast-import
//!    stream into a bare repository, `HEAD` → `main`) and run git with [`common::git`].
//! 4. A test that reads `../shared` is marked `#[ignore = "needs ../shared"]` and starts with
//!    `let shared = common::shared();`: a plain `cargo test` lists it as ignored (a visible skip),
//!    `.ci/run` runs it with `-- --ignored`, and it fails when the folder is missing.
//! 5. Snapshots (insta) live in `tests/snapshots/`. After an intended change (a new flag, a new
//!    report line) update them in one command, then review the diff:
//!    `INSTA_UPDATE=always cargo test --test integration snapshots` (or `cargo insta accept`
//!    when cargo-insta is installed). Under `CI=true` insta never writes and a differing
//!    snapshot fails.
//!
//! Run: `cargo test --all-targets` (what the README says); everything:
//! `AIPROV_SHARED=../shared cargo test --test integration -- --include-ignored`.

// Helpers (no tests of their own).
mod common;
mod enrich_common;
mod git_daemon;
mod http_server;
mod schema;
mod spdx_schema;
mod xsd;

// action.yml's steps run as a GitHub runner runs them, against a loopback release server.
mod action;
// `aiprov check` on real SBOMs, element by element, and the `--fail-on` gate.
mod check_cli;
// `aiprov check` on every format aiprov reads.
mod check_formats;
// CLI conventions: -q/-v, AIPROV_LOG, NO_COLOR, completions, man, AIPROV_* env, -o, [defaults].
mod cli_conventions;
// aiprov never overwrites a file it reads.
mod clobber_cli;
// `aiprov commits` on a history written for the test.
mod commits_cli;
// The corpus replicas against the reference classifier's counts.
mod corpus;
// `cyclonedx-bom` and `spdx-rs` as independent readers of the shared documents.
mod cross_check;
// CycloneDX JSON against the official schemas and real documents.
mod cyclonedx_json;
// Detection on a history written for the test (issue 13).
mod detect_cli;
// The sharded-run deployments (deploy/): Kubernetes manifests, the workflow, the CLI contract.
mod deploy;
// `aiprov diff` (and `enrich --baseline`) on a fixture history, lockfiles, and the aider mirror.
mod diff_cli;
// Hostile histories: headers git accepts, a corrupt object store, a 200 MB message (issue 15).
mod history_hostile;
// The stable fuzzing pass: mutated SBOMs, lockfiles, rule packs, configs, --fail-on (issue 15).
mod fuzz_readers;
// `aiprov enrich` on a repository written for the test.
mod enrich_batch;
mod enrich_fixture;
// `aiprov enrich` on every shared SBOM in its own format.
mod enrich_formats;
// `aiprov enrich` on every CycloneDX JSON document at hand, and on bad input.
mod enrich_inputs;
// `aiprov enrich` and `scan` with the network on, against loopback servers.
mod enrich_network;
// `aiprov enrich` on the real SBOM against the corpus mirrors.
mod enrich_real;
// Layers only point down (docs/ARCHITECTURE.md).
mod layering;
// `aiprov evidence` end to end.
mod evidence_cli;
// The mirror cache against `git daemon` on loopback.
mod fetch;
// Progress of registry lookups and fetches on a terminal, and the failed-clones line.
mod progress_tty;
// Registry lookups against a loopback HTTP server.
mod registry;
// The release workflow, the Dockerfile (hadolint) and what `cargo package` ships.
mod release;
mod results_store;
// `aiprov report` end to end on the enriched fixture.
mod report_cli;
// `aiprov report` and `--fail-on` on every format.
mod report_formats;
// Release-date revisions, revision-unresolved and --fallback against a loopback PyPI.
mod revision_fixture;
// Revision accuracy on the real SBOM against the corpus mirrors.
mod revision_real;
// `--review-data` end to end on a history written for the test (issue 10).
mod review_data;
// The GitHub GraphQL review client and `--forge-reviews` against a loopback server.
mod review_github;
// The GitLab REST review client against a loopback server.
mod review_gitlab;
// The verdict and the components that need attention at the top of reports; the evidence stamp.
mod report_top;
// The shipped rule packs validate and are embedded.
mod rule_packs;
// SARIF against the SARIF Multitool's GitHub code scanning rules.
mod sarif_multitool;
// Issue 14: SBOMs as people have them (duplicate bom-refs).
mod real_sboms;
// Every SBOM format through `aiprov::sbom::read` → `Document::write`.
mod sbom_formats;
// `aiprov scan` end to end.
mod scan_batch;
mod scan_cli;
mod scan_workspaces;
// Issue 14: self-hosted forges (vcs references on any host, `[forges."HOST"]`).
mod self_hosted;
// Outputs never land inside what a run reads, nor replace a device or FIFO (issue 15).
mod security_clobber;
// Untrusted text reaches the terminal escaped, bidi overrides included (issue 15).
mod security_echo;
// SBOM text in `report --format markdown` is inert Markdown (issue 15).
mod security_markdown;
// The mirror cache is untrusted: no hooks, no system/global git config, no symlinks (issue 15).
mod security_mirror;
// `--fail-on` never panics; its grammar under mutation (issue 15).
mod security_policy;
// Reading and checking SPDX 2 JSON is linear in its packages (issue 15).
mod security_scale;
// `aiprov scan` reads Cargo.lock alone and runs nothing from the scanned tree (issue 15).
mod security_scan;
// Shallow and hostile histories stay bounded (issue 15).
mod security_shallow;
// `check` and `report` read signed SBOMs (issue 15).
mod security_signed;
// Registry and forge answers never pick a private address (issue 15).
mod security_ssrf;
// insta snapshots: every `--help`, the reports of one enriched fixture, writer outputs, warnings.
mod snapshots;
// Issue 12: one traversal per repository, each commit decoded once.
mod traversal;
// One output writer and one clock for every subcommand.
mod unified_output;
// Issue 14: CycloneDX 1.2 results, the upgrade to 1.6 on every shared 1.2-1.5 document, SPDX 3
// CreationInfo kept.
mod upgrade_formats;

/// Every `tests/*.rs` and `tests/*/mod.rs` is a module of this binary: with `autotests = false`
/// a file that is not listed above would never be compiled or run, silently.
#[test]
fn modules_are_all_listed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let listed: std::collections::BTreeSet<String> = include_str!("tests.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
        .map(str::to_string)
        .collect();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = if path.is_dir() {
            if !path.join("mod.rs").is_file() {
                continue; // data folders: snapshots/, fixtures
            }
            path.file_name().unwrap().to_string_lossy().into_owned()
        } else if path.extension().is_some_and(|e| e == "rs") {
            path.file_stem().unwrap().to_string_lossy().into_owned()
        } else {
            continue;
        };
        if name != "tests" && !listed.contains(&name) {
            missing.push(name);
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "add `mod NAME;` to tests/tests.rs for: {missing:?}"
    );
}
