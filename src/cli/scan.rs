//! `aiprov scan`: an SBOM from lockfiles.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{Failure, EXIT_OK};
use crate::scan::bom::{to_cyclonedx, BomOptions};

/// Build a CycloneDX 1.6 SBOM from the lockfiles at PATH, one component per locked package.
///
/// PATH is a lockfile or a folder; a folder is walked (8 levels; never through symbolic links,
/// never into node_modules, target, vendor, hidden or test-fixture folders) and every known
/// lockfile is read: Cargo.lock (the lockfile alone: scan never runs cargo or any other
/// program), package-lock.json (v2, v3), yarn.lock (v1, berry), pnpm-lock.yaml (v6, v9),
/// bun.lock (not the binary bun.lockb), poetry.lock, uv.lock, requirements*.txt (== pins),
/// go.sum with go.mod. Components carry purls, the hashes, licenses and repositories the
/// lockfiles and the tree's manifests state (the rest declared unknown), workspace members,
/// `scope: excluded` on development-only packages, and a `dependencies` graph.
/// Reading runs none of the project's code and never uses the network.
///
/// Unless --no-enrich, the SBOM is then enriched exactly as `aiprov enrich` would enrich it
/// (registries, mirror cache, --offline, --mirror-dir, --repo-map, --config: same flags, same
/// pipeline).
///
/// Several PATHs make a batch: -o names a folder (created when missing) and each project's
/// SBOM is OUT/<its folder's name>.cdx.json (a lockfile's folder for a lockfile); two projects
/// with one folder name are refused. Every path is scanned first (a bad one exits 2 before
/// anything is written); then the projects are enriched one after the other through one
/// pipeline, so a repository walked for one at the same revisions is a results-store hit
/// for the next.
///
/// Exit codes: 0 done; 2 no lockfile, or one that cannot be read; 3 the output cannot be written.
///
/// Examples:
///   aiprov scan . -o sbom.cdx.json
///   aiprov scan . -o sbom.cdx.json --no-enrich
///   aiprov scan web/package-lock.json --no-enrich | jq '.components | length'
///   aiprov scan services/api services/web -o sboms/    # sboms/api.cdx.json, sboms/web.cdx.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A lockfile, or a folder holding lockfiles; several make a batch (-o DIR)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Write the SBOM to FILE instead of stdout (`-` is stdout); for several PATHs, a folder:
    /// FILE/<the project folder's name>.cdx.json
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Only list the locked components: do not look up repositories or walk histories
    #[arg(long)]
    no_enrich: bool,
    #[command(flatten)]
    sources: super::enrich::SourceArgs,
}

/// One project to scan: its lockfiles (read and checked), the name its SBOM falls back to,
/// and where the SBOM goes (`None`: stdout, or nowhere for a shard without -o).
struct Project {
    lockfiles: Vec<crate::scan::Lockfile>,
    fallback_name: String,
    output: Option<PathBuf>,
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    let batch = args.paths.len() > 1;
    let out_dir = if batch { batch_output(&args)? } else { None };
    // 1. Every path scanned and every destination checked before anything is written.
    let mut projects = Vec::new();
    for path in &args.paths {
        let lockfiles = crate::scan::scan(path)?;
        let folder = if path.is_dir() {
            path.clone()
        } else {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let folder_name = std::fs::canonicalize(&folder)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
        let output = match &out_dir {
            Some(dir) => {
                let Some(name) = &folder_name else {
                    return Err(Failure::input(anyhow::anyhow!(
                        "{}: its folder has no name to name the SBOM after; scan it alone",
                        super::escape_for_terminal(&path.display().to_string())
                    )));
                };
                Some(dir.join(format!("{name}.cdx.json")))
            }
            None if batch => None,
            None => args.output.clone(),
        };
        if let Some(out) = &output {
            check_output(&args, &lockfiles, out)?;
        }
        warn_lockfiles(&lockfiles);
        projects.push((
            path.clone(),
            Project {
                lockfiles,
                fallback_name: folder_name.unwrap_or_else(|| "project".into()),
                output,
            },
        ));
    }
    if let Some(dir) = &out_dir {
        let mut seen: std::collections::BTreeMap<&Path, &Path> = Default::default();
        for (path, p) in &projects {
            let out = p.output.as_deref().unwrap_or(dir);
            if let Some(first) = seen.insert(out, path) {
                return Err(Failure::input(anyhow::anyhow!(
                    "{} and {}: both would be written as {}; aiprov writes one SBOM per project (scan them apart)",
                    super::escape_for_terminal(&first.display().to_string()),
                    super::escape_for_terminal(&path.display().to_string()),
                    super::escape_for_terminal(&out.display().to_string())
                )));
            }
        }
    }
    let timestamp = super::clock::now()?;
    let pipeline = if args.no_enrich {
        None
    } else {
        let config = super::config::load(args.sources.config.as_deref())?;
        Some(super::enrich::pipeline(&args.sources, &config)?)
    };
    if let Some(dir) = &out_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the folder", dir.display()))
            .map_err(Failure::runtime)?;
    }

    // 2. Each project, through the one pipeline.
    let n = projects.len();
    for (i, (path, project)) in projects.into_iter().enumerate() {
        if batch && !super::log::quiet() {
            let to = project.output.as_deref().map_or_else(
                || "the results store".to_string(),
                |o| super::escape_for_terminal(&o.display().to_string()),
            );
            say!(
                "aiprov: [{}/{n}] {} -> {to}",
                i + 1,
                super::escape_for_terminal(&path.display().to_string())
            );
        }
        let bytes = sbom(&project, pipeline.as_ref(), timestamp)?;
        // A shard without -o only fills the results store.
        if project.output.is_some() || (!batch && args.sources.shard.is_none()) {
            super::output::write_output(project.output.as_deref(), "SBOM", &bytes)?;
        }
    }
    Ok(EXIT_OK)
}

/// For several PATHs: the folder -o names (`None` for a shard without -o); stdout is refused.
fn batch_output(args: &Args) -> Result<Option<PathBuf>, Failure> {
    match &args.output {
        Some(o) if o.as_os_str() == "-" => Err(Failure::input(anyhow::anyhow!(
            "-o -: several paths write one SBOM each, not stdout: give -o DIR"
        ))),
        Some(o) if o.exists() && !o.is_dir() => Err(Failure::input(anyhow::anyhow!(
            "{}: -o must name a folder for several paths, not a file",
            super::escape_for_terminal(&o.display().to_string())
        ))),
        Some(o) => Ok(Some(o.clone())),
        None if args.sources.shard.is_some() => Ok(None),
        None => Err(Failure::input(anyhow::anyhow!(
            "several paths need -o DIR: one SBOM per project, named after its folder"
        ))),
    }
}

/// Refuse `out` when it would overwrite what scanning `lockfiles` (and enriching) reads, or
/// land inside a mirror folder or the cache.
fn check_output(
    args: &Args,
    lockfiles: &[crate::scan::Lockfile],
    out: &Path,
) -> Result<(), Failure> {
    let manifests: Vec<std::path::PathBuf> = lockfiles
        .iter()
        .filter_map(|l| l.path.parent())
        .flat_map(|d| super::guard::MANIFESTS.iter().map(move |m| d.join(m)))
        .filter(|p| p.exists())
        .collect();
    let mut reads: Vec<&Path> = lockfiles.iter().map(|l| l.path.as_path()).collect();
    reads.extend(manifests.iter().map(|p| p.as_path()));
    // Workspace members' manifests below a lockfile's folder are read too.
    let member_manifest = out
        .file_name()
        .is_some_and(|n| super::guard::MANIFESTS.iter().any(|m| n == *m))
        && out.is_file()
        && std::fs::canonicalize(out).is_ok_and(|o| {
            lockfiles
                .iter()
                .filter_map(|l| l.path.parent())
                .any(|d| std::fs::canonicalize(d).is_ok_and(|d| o.starts_with(d)))
        });
    if member_manifest {
        reads.push(out);
    }
    reads.extend(args.sources.reviews.paths());
    // Enriching reads what `aiprov enrich` reads, and refuses what it refuses: the rule
    // packs, repo map and configuration, and anything inside the cache (issue 15).
    let mut dirs: Vec<std::path::PathBuf> = args.sources.mirror_dirs.clone();
    if !args.no_enrich {
        reads.extend(args.sources.rules.iter().map(|p| p.as_path()));
        reads.extend(args.sources.repo_map.as_deref());
        reads.extend(args.sources.config.as_deref());
        dirs.extend(
            args.sources
                .cache_dir
                .clone()
                .or_else(crate::config::default_cache_dir),
        );
    }
    super::refuse_clobber("-o", out, &reads, &[])?;
    let dirs: Vec<&Path> = dirs.iter().map(|p| p.as_path()).collect();
    super::guard::refuse_inside("-o", out, &dirs)?;
    Ok(())
}

/// Say what the lockfile readers noticed without refusing (one line each, escaped).
fn warn_lockfiles(lockfiles: &[crate::scan::Lockfile]) {
    for l in lockfiles {
        for w in &l.warnings {
            say!(
                "aiprov: {}: {}",
                super::escape_for_terminal(&l.path.display().to_string()),
                super::escape_for_terminal(w)
            );
        }
    }
}

/// The project's SBOM: CycloneDX 1.6 from its lockfiles, enriched through `pipeline` unless
/// --no-enrich (the summary on stderr).
fn sbom(
    project: &Project,
    pipeline: Option<&crate::pipeline::Pipeline>,
    timestamp: time::OffsetDateTime,
) -> Result<Vec<u8>, Failure> {
    let opts = BomOptions {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        timestamp,
        fallback_name: project.fallback_name.clone(),
    };
    let doc = to_cyclonedx(&project.lockfiles, &opts);
    let mut bytes = crate::sbom::cyclonedx::to_bytes(&doc);
    drop(doc);
    if let Some(pipeline) = pipeline {
        // The same path as `aiprov enrich`: read the generated document back as any input.
        let started = std::time::Instant::now();
        let read = crate::sbom::read("<scan>", &bytes, &crate::sbom::ReadOptions::default())
            .context("reading back the generated SBOM")
            .map_err(Failure::runtime)?;
        let mut progress = super::enrich::Progress::new();
        let outcome = pipeline
            .enrich(read.inventory(), None, &mut progress)
            .context("enriching")
            .map_err(Failure::runtime)?;
        let written = read.write(
            &outcome.edits,
            &crate::sbom::WriteOptions {
                tool_version: opts.tool_version.clone(),
                timestamp: opts.timestamp,
                strip_signature: false,
            },
        );
        super::enrich::report(&outcome, &progress, &written.warnings, started);
        bytes = written.bytes;
    }
    Ok(bytes)
}
