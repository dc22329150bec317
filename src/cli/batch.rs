//! `aiprov enrich A.json B.json -o OUT/` and `aiprov enrich SBOMS/ -o OUT/`: a batch (issue 12).
//!
//! Every input is read and checked before anything is written: a bad one is exit 2 naming it,
//! and no output exists. Then the documents run one after the other through one
//! [`crate::pipeline::Pipeline`]: one registry cache, one set of mirrors, one results store, so
//! a repository walked for one document at the same revisions (or at one revision) is a store
//! hit for the next. A repository walked at a different set of revisions is walked again: its
//! group entry (distinct-commit totals) is keyed by the set (src/enrich/run.rs). Not with
//! `--no-cache`, which walks everything again. Each output is renamed into place when its document is
//! done; the exit code is the worst of the documents' (1 when a `--fail-on` policy matched any).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::anyhow;

use super::enrich::{self, Args, Document, Shared};
use super::output::Sink;
use super::{escape_for_terminal, Failure, EXIT_OK};

/// The suffix of a batch's evidence files: `EVIDENCE/<input file name>.evidence.jsonl`.
const EVIDENCE_SUFFIX: &str = ".evidence.jsonl";

/// One input of the batch: where it was read from and where its results go.
struct Item {
    /// The path as given, or `FOLDER/<name>` for a file found in a folder.
    path: PathBuf,
    output: Option<PathBuf>,
    evidence: Option<PathBuf>,
}

fn shown(p: &Path) -> String {
    escape_for_terminal(&p.display().to_string())
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    // 1. Usage: what a batch cannot do.
    if args.inputs.iter().any(|i| i == "-") {
        return Err(Failure::input(anyhow!(
            "`-` (stdin) cannot be one of several inputs or beside a folder: give files"
        )));
    }
    if args.baseline.is_some() {
        return Err(Failure::input(anyhow!(
            "--baseline names the earlier SBOM of one project: it cannot go with several inputs or a folder"
        )));
    }
    let out_dir = match args.output.as_deref() {
        Some("-") => {
            return Err(Failure::input(anyhow!(
                "-o -: several inputs (or a folder) write one output each, not stdout: give -o DIR"
            )))
        }
        Some(d) => Some(PathBuf::from(d)),
        // A shard without -o only fills the results store.
        None if args.sources.shard.is_some() => None,
        None => {
            return Err(Failure::input(anyhow!(
                "several inputs (or a folder) need -o DIR: one output per input, named as the input"
            )))
        }
    };
    let ev_dir = match args.evidence.as_deref() {
        Some("-") => {
            return Err(Failure::input(anyhow!(
                "--evidence -: several inputs write one evidence file each, not stdout: give --evidence DIR"
            )))
        }
        Some(d) => Some(PathBuf::from(d)),
        None => None,
    };

    // 2. The inputs: files as given, and the SBOMs among a folder's files. Each is read
    // whole and checked (then dropped: read again when its turn comes, so a batch of
    // thousands holds one document at a time).
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    for input in &args.inputs {
        let p = PathBuf::from(input);
        if p.is_dir() {
            let found = sboms_in(&args, &p)?;
            if found.is_empty() {
                return Err(Failure::input(anyhow!(
                    "{}: no SBOM in this folder (its files are read one level deep)",
                    shown(&p)
                )));
            }
            paths.extend(found);
            folders.push(p);
        } else {
            let (label, bytes) = enrich::read_input(input)?;
            enrich::read_document(&args, &label, &bytes, false)?;
            paths.push(p);
        }
    }

    // 3. Destinations: OUT/<name> and EVIDENCE/<name>.evidence.jsonl, refused when two inputs
    // share a name, when one would overwrite what this run reads, or lands inside a folder it
    // reads (an input folder, a mirror folder, the cache).
    let items = destinations(
        &args,
        &paths,
        &folders,
        out_dir.as_deref(),
        ev_dir.as_deref(),
    )?;
    let shared = Shared::new(&args)?;
    for dir in out_dir.iter().chain(ev_dir.iter()) {
        create_folder(dir)?;
    }

    // 4. The documents, one at a time through the one pipeline.
    let n = items.len();
    let mut worst = EXIT_OK;
    for (i, item) in items.iter().enumerate() {
        let started = Instant::now();
        let label = item.path.display().to_string();
        if !super::log::quiet() {
            let to = item
                .output
                .as_deref()
                .map_or_else(|| "the results store".to_string(), shown);
            say!(
                "aiprov: [{}/{n}] {} -> {to}",
                i + 1,
                escape_for_terminal(&label)
            );
        }
        // Read again: checked in step 2; a file changed since is still bad input, named.
        let (label, bytes) = enrich::read_input(&label)?;
        let doc = enrich::read_document(&args, &label, &bytes, true)?;
        drop(bytes);
        let output = match &item.output {
            Some(o) => Some(Sink::create(&o.display().to_string(), "output")?),
            None => None,
        };
        let evidence = match &item.evidence {
            Some(e) => Some(Sink::create(&e.display().to_string(), "evidence file")?),
            None => None,
        };
        let code = enrich::enrich_document(
            &args,
            &shared,
            Document {
                label: &label,
                doc,
                baseline: None,
                output,
                evidence,
            },
            started,
        )?;
        worst = worst.max(code);
    }
    Ok(worst)
}

/// The files directly in `dir` (not its subfolders, hidden files or symbolic links; sorted by
/// name) that are SBOMs. Those [`crate::sbom::detect`] finds in no SBOM format
/// ([`crate::sbom::Error::UnsupportedFormat`]: other JSON, XML, text, binary) are skipped with a
/// note on stderr; any other failure (invalid JSON, an unsupported version, a broken document)
/// is bad input (exit 2), so a truncated SBOM is never skipped quietly.
fn sboms_in(args: &Args, dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let cannot = |e: std::io::Error| {
        Failure::input(anyhow::Error::from(e).context(format!("{}: cannot read", shown(dir))))
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(cannot)? {
        let entry = entry.map_err(cannot)?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        // Regular files only, and never through a symbolic link (it may lead out of the folder).
        if entry.file_type().map_err(cannot)?.is_file() {
            files.push(entry.path());
        }
    }
    files.sort();
    let mut found = Vec::new();
    for path in files {
        let label = path.display().to_string();
        let f = std::fs::File::open(&path).map_err(|e| {
            Failure::input(anyhow!(e).context(format!("{}: cannot read", shown(&path))))
        })?;
        let bytes = super::read_capped(f, &label)?;
        // Skipped: what detection finds is no SBOM format at all (other JSON, XML, text,
        // binary). A broken SBOM (invalid JSON, an unsupported version) is bad input below.
        if let Err(crate::sbom::Error::UnsupportedFormat { found, .. }) =
            crate::sbom::detect::detect(&label, &bytes)
        {
            say!(
                "aiprov: note: {}: skipped: {}",
                shown(&path),
                escape_for_terminal(&found)
            );
            continue;
        }
        enrich::read_document(args, &label, &bytes, false)?;
        found.push(path);
    }
    Ok(found)
}

/// Each input's output and evidence file, after every refusal.
fn destinations(
    args: &Args,
    paths: &[PathBuf],
    folders: &[PathBuf],
    out_dir: Option<&Path>,
    ev_dir: Option<&Path>,
) -> Result<Vec<Item>, Failure> {
    let mut reads: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    reads.extend(args.sources.rules.iter().map(PathBuf::as_path));
    reads.extend(args.sources.repo_map.as_deref());
    reads.extend(args.sources.config.as_deref());
    reads.extend(args.sources.reviews.paths());
    let mut dirs: Vec<PathBuf> = args.sources.mirror_dirs.clone();
    dirs.extend(
        args.sources
            .cache_dir
            .clone()
            .or_else(crate::config::default_cache_dir),
    );
    dirs.extend(folders.iter().cloned());
    let dirs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    for (flag, dir) in [("-o", out_dir), ("--evidence", ev_dir)] {
        if let Some(dir) = dir {
            super::guard::refuse_inside(flag, dir, &dirs)?;
            if dir.exists() && !dir.is_dir() {
                return Err(Failure::input(anyhow!(
                    "{}: {flag} must name a folder for several inputs (or a folder), not a file",
                    shown(dir)
                )));
            }
        }
    }
    // Two inputs with one file name would write one output: refused, naming both.
    let mut names: BTreeMap<std::ffi::OsString, &Path> = BTreeMap::new();
    let mut items = Vec::new();
    for path in paths {
        let Some(name) = path.file_name() else {
            return Err(Failure::input(anyhow!("{}: not a file name", shown(path))));
        };
        if let Some(first) = names.insert(name.to_os_string(), path) {
            return Err(Failure::input(anyhow!(
                "{} and {}: both would be written as {}; aiprov writes one output per input (rename one, or run them apart)",
                shown(first),
                shown(path),
                escape_for_terminal(&name.to_string_lossy())
            )));
        }
        let output = out_dir.map(|d| d.join(name));
        let evidence = ev_dir.map(|d| {
            let mut n = name.to_os_string();
            n.push(EVIDENCE_SUFFIX);
            d.join(n)
        });
        if let Some(o) = &output {
            super::refuse_clobber("-o", o, &reads, &[])?;
        }
        if let Some(e) = &evidence {
            super::refuse_clobber("--evidence", e, &reads, &[])?;
        }
        items.push(Item {
            path: path.clone(),
            output,
            evidence,
        });
    }
    // An evidence file named like another input's output (`x.json.evidence.jsonl` beside
    // `x.json`, with --evidence the same folder as -o).
    for a in &items {
        for b in &items {
            if let (Some(e), Some(o)) = (&a.evidence, &b.output) {
                if e == o {
                    return Err(Failure::input(anyhow!(
                        "{}: the evidence of {} and the output of {} would be the same file",
                        shown(e),
                        shown(&a.path),
                        shown(&b.path)
                    )));
                }
            }
        }
    }
    Ok(items)
}

/// `dir`, created with its parents when missing (exit 3 when that fails).
fn create_folder(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::runtime(anyhow!(e).context(format!("{}: cannot create the folder", shown(dir))))
    })
}
