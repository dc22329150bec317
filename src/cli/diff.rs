//! `aiprov diff OLD NEW`: what a dependency change brings in ([`crate::diff`]).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};

use super::check::{parse_policies, read_input, report_violations};
use super::enrich::SourceArgs;
use super::output::write_output;
use super::{escape_for_terminal, Failure, EXIT_OK, EXIT_POLICY};
use crate::diff::{self, render};
use crate::inventory::Inventory;

/// What a dependency change brings in: the commits between the old and the new release of
/// every changed component, classified
///
/// OLD and NEW are two SBOMs (CycloneDX JSON/XML, SPDX 2 JSON/tag-value, SPDX 3; the two may
/// differ in format) or two lockfiles / lockfile folders (Cargo.lock, package-lock.json,
/// poetry.lock, uv.lock, go.sum, requirements*.txt). Components are paired by purl without
/// version (else by name) and reported as upgraded, downgraded, added, removed or unchanged.
/// For an upgrade aiprov walks OLD-revision..NEW-revision in the component's repository (a
/// downgrade: what it takes out; a force-pushed history: NEW's side, flagged `diverged`); an
/// added component is walked over its whole history at its revision (or from --since).
/// Repositories, revisions (tag, registry commit, release date), fetching and caching are
/// those of `aiprov enrich`.
///
/// Formats: json (schemas/diff.schema.json), markdown (a pull-request comment: changed
/// components with AI commits first, counts, tools, review evidence, links to the commits),
/// sarif (SARIF 2.1.0).
/// Exit codes: 0 done; 1 a --fail-on policy holds for a component's delta; 2 bad input (an
/// unreadable OLD or NEW, named); 3 the output cannot be written.
///
/// Examples:
///   aiprov diff old.cdx.json new.cdx.json --format markdown > comment.md
///   aiprov diff base/Cargo.lock Cargo.lock --fail-on 'unreviewed-ai>0'
///   aiprov diff old.spdx.json new.cdx.json --format json -o delta.json
///   aiprov diff --lockfiles-at origin/main..HEAD . --format markdown
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The old SBOM or lockfile (or folder of lockfiles); with --lockfiles-at, the lockfile or
    /// folder in a git work tree
    old: PathBuf,
    /// The new SBOM or lockfile (or folder of lockfiles); not with --lockfiles-at
    new: Option<PathBuf>,
    /// Compare the lockfile (or the lockfiles of the folder) OLD names as it was at git
    /// revision A with itself at B (read from the repository's objects; nothing is checked out)
    #[arg(long, value_name = "A..B")]
    lockfiles_at: Option<String>,
    /// json, markdown or sarif
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Write here instead of stdout
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// Also write the Markdown (the pull-request comment) to this file, whatever --format is
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Fail (exit 1) when EXPR holds for a component's delta, e.g. ai-commits>0,
    /// unreviewed-ai>0, tool=devin, pkg:npm/*:ai-agent>0. Repeatable
    #[arg(long = "fail-on", value_name = "EXPR")]
    fail_on: Vec<String>,
    #[command(flatten)]
    sources: SourceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    Markdown,
    Sarif,
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    // `[defaults] fail-on` of the configuration applies when no --fail-on is given, as for
    // enrich, check and report.
    let config = super::config::load(args.sources.config.as_deref())?;
    let policies = parse_policies(&super::config::fail_on(&args.fail_on, &config))?;
    let staged = tempfile::tempdir()
        .context("creating a temporary folder")
        .map_err(Failure::runtime)?;
    let (old_path, new_path, old_label, new_label) = match (&args.lockfiles_at, &args.new) {
        (None, Some(new)) => (
            args.old.clone(),
            new.clone(),
            args.old.display().to_string(),
            new.display().to_string(),
        ),
        (Some(range), None) => {
            let (a, b) = range
                .split_once("..")
                .filter(|(a, b)| !a.is_empty() && !b.is_empty() && !b.starts_with('.'))
                .ok_or_else(|| {
                    Failure::input(anyhow!(
                        "--lockfiles-at {}: expected A..B (two git revisions)",
                        escape_for_terminal(range)
                    ))
                })?;
            let at = |rev: &str, side: &str| {
                diff::lockfiles_at::write_at(&args.old, rev, &staged.path().join(side))
                    .map_err(|e| Failure::input(anyhow!("{side}: {}", escape_for_terminal(&e))))
            };
            let shown = args.old.display().to_string();
            (
                at(a, "OLD")?,
                at(b, "NEW")?,
                format!("{shown}@{a}"),
                format!("{shown}@{b}"),
            )
        }
        (Some(_), Some(_)) => {
            return Err(Failure::input(anyhow!(
                "--lockfiles-at takes one PATH, not OLD and NEW"
            )))
        }
        (None, None) => {
            return Err(Failure::input(anyhow!(
                "NEW is missing: aiprov diff OLD NEW, or aiprov diff --lockfiles-at A..B PATH"
            )))
        }
    };
    // Folders this run reads whole: the mirror folders and cache (the pipeline), and with
    // --lockfiles-at the repository's git folder. Nothing is written inside them (issue 15).
    let mut dirs: Vec<PathBuf> = args.sources.mirror_dirs.clone();
    dirs.extend(
        args.sources
            .cache_dir
            .clone()
            .or_else(crate::config::default_cache_dir),
    );
    if args.lockfiles_at.is_some() {
        dirs.push(args.old.join(".git"));
    }
    let dirs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    if let Some(out) = &args.output {
        super::refuse_clobber("-o", out, &[&old_path, &new_path], &[])?;
        super::guard::refuse_inside("-o", out, &dirs)?;
    }
    if let Some(md) = &args.markdown {
        let others: Vec<(&str, &Path)> = args
            .output
            .as_deref()
            .map(|o| ("-o", o))
            .into_iter()
            .collect();
        super::refuse_clobber("--markdown", md, &[&old_path, &new_path], &others)?;
        super::guard::refuse_inside("--markdown", md, &dirs)?;
    }
    let old = read_side("OLD", &old_path)?;
    let new = read_side("NEW", &new_path)?;
    if args.sources.shard.is_some() {
        return Err(Failure::input(anyhow::anyhow!(
            "--shard: aiprov diff does not run in shards (enrich and scan do)"
        )));
    }
    let pipeline = super::enrich::pipeline(&args.sources, &config)?;
    let (opts, pool) = pipeline.parts();
    let look_up = |repos: &[(String, Vec<String>)]| pipeline.look_up_reviews(repos);
    let d = diff::diff(
        &old_label,
        &old,
        &new_label,
        &new,
        &opts,
        pool,
        Some(&look_up),
    );
    let violations = crate::policy::evaluate(&policies, &render::policy_components(&d));
    let text = match args.format {
        Format::Json => {
            let mut s = crate::text::json_to_string(&render::to_json(&d), true)
                .map_err(Failure::runtime)?;
            s.push('\n');
            s
        }
        Format::Markdown => render::to_markdown(&d),
        Format::Sarif => {
            let v = render::to_sarif(
                &d,
                &violations,
                &crate::report::path_uri(&old_label),
                &crate::report::path_uri(&new_label),
            );
            let mut s = crate::text::json_to_string(&v, true).map_err(Failure::runtime)?;
            s.push('\n');
            s
        }
    };
    write_output(args.output.as_deref(), "output", text.as_bytes())?;
    if let Some(md) = &args.markdown {
        write_output(Some(md), "Markdown", render::to_markdown(&d).as_bytes())?;
    }
    let t = &d.totals;
    if !super::log::quiet() {
        say!(
            "aiprov: {} component{}: {}; {} commits walked, {} AI",
            d.components.len(),
            if d.components.len() == 1 { "" } else { "s" },
            t.changes
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", "),
            t.commits,
            t.ai_commits
        );
    }
    if !violations.is_empty() {
        report_violations(&violations);
        return Ok(EXIT_POLICY);
    }
    Ok(EXIT_OK)
}

/// OLD or NEW as an inventory: a lockfile (or a folder of them) through `scan`'s readers and the
/// CycloneDX document `aiprov scan` would build, else an SBOM in any format. Errors name the side
/// and the file (exit 2).
pub(super) fn read_side(side: &str, path: &Path) -> Result<Inventory, Failure> {
    let label = escape_for_terminal(&path.display().to_string());
    let named = |e: anyhow::Error| Failure::input(e.context(format!("{side} {label}")));
    let lockfiles = if path.as_os_str() == "-" {
        None
    } else {
        match crate::scan::scan(path) {
            Ok(l) => Some(l),
            Err(crate::scan::Error::UnknownFile { .. }) => None,
            Err(e) => return Err(named(anyhow!(e))),
        }
    };
    if let Some(lockfiles) = lockfiles {
        let opts = crate::scan::bom::BomOptions {
            tool_version: env!("CARGO_PKG_VERSION").into(),
            timestamp: super::clock::now()?,
            fallback_name: "project".into(),
        };
        let bytes =
            crate::sbom::cyclonedx::to_bytes(&crate::scan::bom::to_cyclonedx(&lockfiles, &opts));
        let doc = crate::sbom::read(&label, &bytes, &crate::sbom::ReadOptions::default())
            .context("reading back the inventory built from the lockfiles")
            .map_err(named)?;
        return Ok(doc.inventory().clone());
    }
    let (read_label, bytes) = read_input(path).map_err(|f| named(f.error))?;
    let doc = crate::sbom::read(&read_label, &bytes, &crate::sbom::ReadOptions::default())
        .map_err(|e| named(anyhow!(e)))?;
    let full = doc.inventory();
    Ok(crate::pipeline::without_described_roots(full).unwrap_or_else(|| full.clone()))
}
