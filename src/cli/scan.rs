//! `aiprov scan`: an SBOM from lockfiles.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{Failure, EXIT_OK};
use crate::scan::bom::{to_cyclonedx, BomOptions};

/// Build a CycloneDX 1.6 SBOM from the lockfiles at PATH, one component per locked package.
///
/// PATH is a lockfile or a folder; in a folder every known lockfile is read (not recursively):
/// Cargo.lock (the lockfile alone: scan never runs cargo or any other program), package-lock.json (v2, v3), poetry.lock, uv.lock, requirements*.txt (== pins), go.sum with
/// go.mod. Components carry purls, the hashes the lockfile records and a `dependencies` graph.
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
    let lockfiles = crate::scan::scan(&args.path).map_err(Failure::input)?;
    if let Some(out) = &args.output {
        let manifests: Vec<std::path::PathBuf> = lockfiles
            .iter()
            .filter_map(|l| l.path.parent())
            .flat_map(|d| super::guard::MANIFESTS.iter().map(move |m| d.join(m)))
            .filter(|p| p.exists())
            .collect();
        let mut reads: Vec<&Path> = lockfiles.iter().map(|l| l.path.as_path()).collect();
        reads.extend(manifests.iter().map(|p| p.as_path()));
        super::refuse_clobber("-o", out, &reads, &[])?;
        let dirs: Vec<&Path> = args
            .sources
            .mirror_dirs
            .iter()
            .map(|p| p.as_path())
            .collect();
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
        timestamp: timestamp(),
        fallback_name,
    };
    let pipeline = if args.no_enrich {
        None
    } else {
        Some(super::enrich::Pipeline::new(&args.sources)?)
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
        let outcome = pipeline
            .enrich(read.inventory(), None)
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
        outcome.report(&written.warnings, started);
        bytes = written.bytes;
    }
    match args.output.as_deref().filter(|p| *p != Path::new("-")) {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|_| out.flush())
                .context("writing to stdout")
                .map_err(Failure::runtime)?;
        }
        Some(path) => write_atomically(path, &bytes)
            .with_context(|| format!("writing {}", path.display()))
            .map_err(Failure::runtime)?,
    }
    Ok(EXIT_OK)
}

/// `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
fn timestamp() -> time::OffsetDateTime {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(time::OffsetDateTime::now_utc)
}

/// Write to a temporary file beside `path` and rename it over, so a failed run never leaves half a file.
/// A destination that exists and is not a regular file (`/dev/null`, a FIFO) is written
/// directly: renaming over it would replace the device for every program on the machine.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        return f.write_all(bytes);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".aiprov-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
