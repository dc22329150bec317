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
/// Exit codes: 0 done; 2 no lockfile, or one that cannot be read; 3 the output cannot be written.
///
/// Examples:
///   aiprov scan . -o sbom.cdx.json
///   aiprov scan . -o sbom.cdx.json --no-enrich
///   aiprov scan web/package-lock.json --no-enrich | jq '.components | length'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A lockfile, or a folder holding lockfiles
    path: PathBuf,
    /// Write the SBOM to FILE instead of stdout (`-` is stdout)
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Only list the locked components: do not look up repositories or walk histories
    #[arg(long)]
    no_enrich: bool,
    #[command(flatten)]
    sources: super::enrich::SourceArgs,
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    let lockfiles = crate::scan::scan(&args.path)?;
    if let Some(out) = &args.output {
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
            reads.push(out.as_path());
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
    }
    for l in &lockfiles {
        for w in &l.warnings {
            say!(
                "aiprov: {}: {}",
                super::escape_for_terminal(&l.path.display().to_string()),
                super::escape_for_terminal(w)
            );
        }
    }
    let folder = if args.path.is_dir() {
        args.path.clone()
    } else {
        args.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    let fallback_name = std::fs::canonicalize(&folder)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "project".into());
    let opts = BomOptions {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        timestamp: super::clock::now()?,
        fallback_name,
    };
    let pipeline = if args.no_enrich {
        None
    } else {
        let config = super::config::load(args.sources.config.as_deref())?;
        Some(super::enrich::pipeline(&args.sources, &config)?)
    };
    let doc = to_cyclonedx(&lockfiles, &opts);
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
    // A shard without -o only fills the results store.
    if args.output.is_some() || args.sources.shard.is_none() {
        super::output::write_output(args.output.as_deref(), "SBOM", &bytes)?;
    }
    Ok(EXIT_OK)
}
