//! `aiprov enrich`: read an SBOM in any supported format, run the pipeline ([`crate::enrich`]), write the
//! enriched document (and the evidence file) through temporary files renamed into place.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, Context};

use super::{escape_for_terminal, Failure, EXIT_OK};

use super::output::Sink;
use crate::config::FileConfig;
use crate::enrich::{self, Event};
use crate::pipeline::{Observer, Outcome, Pipeline, Settings};
use crate::sbom::{self, Format, ReadOptions, WriteOptions};

/// Add AI-provenance properties to an SBOM (CycloneDX JSON/XML, SPDX 2 JSON/tag-value, SPDX 3)
#[derive(Debug, clap::Args)]
#[command(after_long_help = LONG_HELP)]
pub struct Args {
    /// The SBOM to read (CycloneDX 1.2-1.7 JSON/XML, SPDX 2.2/2.3 JSON/tag-value, SPDX 3.0.1);
    /// `-` for stdin. Several SBOMs, or a folder of them (its files that are SBOMs, one level
    /// deep), make a batch: one output per input in the folder -o names
    #[arg(required = true, value_name = "INPUT")]
    pub(super) inputs: Vec<String>,
    /// Where to write the enriched SBOM; `-` for stdout [default: -; with --shard, no SBOM].
    /// For a batch, a folder (created when missing): OUTPUT/<the input's file name>
    #[arg(short, long, value_name = "OUTPUT")]
    pub(super) output: Option<String>,
    #[command(flatten)]
    pub(super) sources: SourceArgs,
    /// Write FORMAT instead of the input's format: cyclonedx-json, cyclonedx-xml, spdx-json,
    /// spdx-tv, spdx3 (optionally with a version, e.g. cyclonedx-json@1.6). Refused unless the
    /// conversion is lossless: the input's own format, or a CycloneDX 1.2-1.5 document upgraded
    /// to a newer version up to 1.6 in the same encoding (JSON or XML)
    #[arg(long = "output-format", value_name = "FORMAT")]
    pub(super) output_format: Option<String>,
    /// Also write every AI and automation commit, with the rules that matched, as JSON Lines
    /// (schemas/evidence.schema.json); `-` for stdout when the SBOM goes to a file. For a
    /// batch, a folder (may be OUTPUT): FILE/<the input's file name>.evidence.jsonl
    #[arg(long, value_name = "FILE")]
    pub(super) evidence: Option<String>,
    /// Accept a signed SBOM and drop its signature (any edit invalidates it; re-sign the output)
    #[arg(long)]
    pub(super) strip_signature: bool,
    /// Fail (exit 1, after writing the output) when a component matches EXPR, e.g. 'ai-share>0.5',
    /// 'unreviewed-ai>0', 'tool=devin', 'status!=analyzed', 'pkg:npm/*:ai-share>0.5'. Repeatable;
    /// grammar in docs/audit.md
    #[arg(long = "fail-on", value_name = "EXPR")]
    pub(super) fail_on: Vec<String>,
    /// Also fill the CISA minimum elements aiprov knows for certain: its own tool name and
    /// version, the timestamp and the SBOM version (never guesses anything else). Every output
    /// format records the tool and time anyway; for CycloneDX JSON this adds the rest
    #[arg(long = "fill-min-elements")]
    pub(super) fill_min_elements: bool,
    /// An earlier SBOM or lockfile of the same project: also write, per component, what changed
    /// since it and what that change brings in (aiprov:delta:* properties, as `aiprov diff`
    /// computes them; docs/properties.md)
    #[arg(long, value_name = "OLD")]
    pub(super) baseline: Option<PathBuf>,
}

/// Where repositories come from and how the walks run; shared by `aiprov enrich` and
/// `aiprov scan`.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// A folder of bare mirrors (DIR/<host>/<owner>/<name>.git), searched before the cache.
    /// Repeatable
    #[arg(long = "mirror-dir", value_name = "DIR")]
    pub mirror_dirs: Vec<PathBuf>,
    /// aiprov's cache: registry answers and fetched mirrors (DIR/mirrors/<host>/<owner>/<name>.git)
    /// [default: $XDG_CACHE_HOME/aiprov or ~/.cache/aiprov]
    #[arg(long, value_name = "DIR", env = "AIPROV_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// TOML file mapping purls (without version) or bom-refs to repository URLs or local paths;
    /// it wins over the SBOM's own references
    #[arg(long, value_name = "FILE")]
    pub repo_map: Option<PathBuf>,
    /// Never use the network: registry answers from the cache only, repositories from the
    /// mirror folders and the cache only
    #[arg(long, env = "AIPROV_OFFLINE", value_parser = clap::builder::FalseyValueParser::new())]
    pub offline: bool,
    /// The registry and fetch configuration (TOML: [registries], [http], [cache], [git])
    /// [default: $XDG_CONFIG_HOME/aiprov/config.toml when it exists]. Its [defaults] table
    /// gives --fail-on and --mirror-dir when they are not on the command line
    #[arg(long, value_name = "FILE", env = "AIPROV_CONFIG")]
    pub config: Option<PathBuf>,
    /// Ask the registries again even when the cached answer is still fresh, and walk again
    /// instead of reading the results store (CACHE/results; the new results are stored)
    #[arg(long)]
    pub refresh: bool,
    /// Neither read nor write the results store (CACHE/results): walk everything
    #[arg(long = "no-cache")]
    pub no_cache: bool,
    /// Fetch and walk only the repositories of shard K of N (0 <= K < N; a repository's shard
    /// is the first 8 bytes of the SHA-256 of its canonical URL, big-endian, modulo N), filling
    /// the results store. Writes an SBOM only when -o is given: a partial one, the other
    /// shards' components `repository-unavailable`. Assemble with `--offline --cache-dir` over
    /// the merged stores (docs/scale.md). Not with --no-cache: a shard's results live only in
    /// the store
    #[arg(long, value_name = "K/N", value_parser = parse_shard, conflicts_with = "no_cache")]
    pub shard: Option<(u32, u32)>,
    /// Repositories walked (and fetched) at the same time [default: the number of CPUs]
    #[arg(short, long, value_name = "N", env = "AIPROV_JOBS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Only count commits committed on or after DATE (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    pub since: Option<i64>,
    /// Extra rule pack (TOML); adds rules or replaces built-in rules with the same id. Repeatable
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// When no pinned commit, tag or registry release time decides a component's revision:
    /// `none` (revision-unresolved, the default) or `default-branch` (walk HEAD and say so in
    /// aiprov:revision:source)
    #[arg(long, value_name = "WHAT", default_value = "none", value_parser = crate::revision::Fallback::parse)]
    pub fallback: crate::revision::Fallback,
    /// Write the builder's local paths (mirror folders, the cache, repo-map paths) into the
    /// SBOM's reasons and aiprov:repository as they are. Without it they read <mirror-dir>,
    /// <cache> or <local path>, and stderr names the real paths once
    #[arg(long = "include-local-paths")]
    pub include_local_paths: bool,
    #[command(flatten)]
    pub reviews: super::reviews::ReviewDataArgs,
    #[command(flatten)]
    pub forge: super::reviews::ForgeArgs,
    /// Which commits get a review outcome: `ai` (the AI commits, the default) or `all` (every
    /// commit, asked of the forge too: review coverage of the whole dependency, in
    /// aiprov:review:approved, …:trailer-reviewed, …:merged-unapproved, …:no-pull-request,
    /// …:unknown). `aiprov diff` counts the AI commits only
    #[arg(long = "reviews", value_enum, value_name = "WHICH", default_value_t = super::reviews::Which::Ai)]
    pub review_scope: super::reviews::Which,
}

const STDIN_LABEL: &str = "<stdin>";

impl Args {
    /// The one input of a single run.
    fn input(&self) -> &str {
        &self.inputs[0]
    }

    /// Several inputs, or a folder: a batch ([`super::batch`]).
    fn is_batch(&self) -> bool {
        self.inputs.len() > 1 || (self.input() != "-" && Path::new(self.input()).is_dir())
    }

    /// `-o`, `-` (stdout) when not given.
    fn output(&self) -> &str {
        self.output.as_deref().unwrap_or("-")
    }
}

/// What `aiprov enrich --help` explains after the options.
const LONG_HELP: &str = "\
How it works:
  The input is CycloneDX JSON or XML (1.2-1.7), SPDX 2.2/2.3 JSON or tag-value, or SPDX 3.0.1
  JSON-LD, detected from its content; the output is the same format and version (see
  --output-format). For every component (not the document's subject: CycloneDX
  metadata.component, the packages an SPDX document DESCRIBES), aiprov finds its source
  repository (from --repo-map, then the purl's vcs_url, pkg:github/gitlab/bitbucket purls, vcs
  external references, other references that are a forge repository, then the package
  registries), picks the revision (a commit the SBOM pins, else the commit the registry
  recorded, else the tag matching the version, else the last commit of the default branch at the
  registry's release time, else revision-unresolved unless --fallback default-branch), walks
  that history once per distinct repository@revision, classifies every commit from its
  metadata, and writes the counts back as `aiprov:` properties (docs/properties.md; SPDX 2:
  annotations, SPDX 3: CdxPropertiesExtension). Nothing else in the document changes. Running
  it again replaces aiprov's additions.

Repositories:
  Bare mirrors laid out as DIR/<host>/<owner>/<name>.git: under each --mirror-dir, then under
  CACHE/mirrors. A repository found nowhere is cloned into CACHE/mirrors (commits only), unless
  --offline; a failed clone makes the component `repository-unavailable`, with the reason.
  Registry answers are cached in CACHE/registry (--refresh asks again; --offline uses only the
  cache). Registry base URLs, tokens, limits and git remotes: --config FILE (TOML), default
  $XDG_CONFIG_HOME/aiprov/config.toml when it exists. Per-component outcomes (every
  `aiprov:status`) are data, not errors.

Batch:
  Several inputs, or a folder, write one output per input: OUT/<the input's file name>, and
  with --evidence DIR, DIR/<name>.evidence.jsonl (-o and --evidence name folders, created when
  missing; stdin and stdout are refused). A folder is read one level deep: its regular files
  that are SBOMs; files in no SBOM format are skipped with a note, a broken SBOM (invalid JSON,
  an unsupported version) is bad input. Every input is read and checked first: a bad one exits
  2 naming it, before any output is written. Then the documents run one after the other
  through the same caches: a repository walked for one at the same revisions is a
  results-store hit for the next. Refused (exit 2): two inputs with the same file name, an
  output that would overwrite an input, -o inside an input folder, a mirror folder or the
  cache, --baseline. The exit code is the worst of the documents'.

Exit codes:
  0 done, whatever the components' statuses; 1 a --fail-on policy matched; 2 bad input (an
  unreadable or unsupported document, duplicate ids, a component without a name, a signed
  document without --strip-signature, a conversion --output-format cannot make losslessly, a bad
  repo map, configuration or rule pack); 3 the output could not be written. A failed run leaves
  no output file and never touches its input. SOURCE_DATE_EPOCH, when set, is used for the
  document's timestamp (reproducible output).

Examples:
  aiprov enrich bom.json -o bom.enriched.json --mirror-dir mirrors --offline
  aiprov enrich bom.json --repo-map repos.toml --evidence evidence.jsonl > out.json
  cat bom.json | aiprov enrich - --since 2025-01-01 --jobs 4 | jq '.metadata.properties'
  aiprov enrich sboms/ -o enriched/ --evidence enriched/    # a batch: enriched/<name>

A repo map (TOML) overrides the SBOM; keys are a purl without version or a bom-ref, values a
repository URL or a local path (relative to the map file):
  [repositories]
  \"pkg:pypi/aider-chat\" = \"https://github.com/Aider-AI/aider\"
  \"my-bom-ref\" = \"../repos/thing.git\"
";

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    if args.is_batch() {
        return super::batch::run(args);
    }
    let started = Instant::now();

    // 1. Everything that can be bad input, before any file is created.
    let (label, bytes) = read_input(args.input())?;
    let doc = read_document(&args, &label, &bytes, true)?;
    drop(bytes);
    let baseline = match &args.baseline {
        Some(path) => Some(super::diff::read_side("--baseline", path)?),
        None => None,
    };
    let shared = Shared::new(&args)?;
    check_destinations(&args)?;

    // 2. Destinations, so that an unwritable output fails before the walks.
    // A shard without -o only fills the results store.
    let output = match (&args.output, args.sources.shard) {
        (None, Some(_)) => None,
        _ => Some(Sink::create(args.output(), "output")?),
    };
    let evidence = match &args.evidence {
        Some(e) => Some(Sink::create(e, "evidence file")?),
        None => None,
    };
    enrich_document(
        &args,
        &shared,
        Document {
            label: &label,
            doc,
            baseline: baseline.as_ref(),
            output,
            evidence,
        },
        started,
    )
}

/// Read and check one SBOM: parsed, upgraded to `--output-format`, and when `tell`, its read
/// warnings printed (a batch checks every input first without a word, then tells when it
/// enriches each). Every failure is bad input (exit 2) naming `label`.
pub(super) fn read_document(
    args: &Args,
    label: &str,
    bytes: &[u8],
    tell: bool,
) -> Result<sbom::Document, Failure> {
    let doc = sbom::read(
        label,
        bytes,
        &ReadOptions {
            strip_signature: args.strip_signature,
        },
    )?;
    if tell {
        super::warn_read(&doc);
        tracing::info!(
            "read {}: {}, {} components",
            escape_for_terminal(label),
            doc.format(),
            doc.inventory().components.len()
        );
    }
    match &args.output_format {
        Some(wanted) => upgraded(doc, wanted),
        None => Ok(doc),
    }
}

/// What every document of a run shares: one pipeline (so a batch resolves, fetches and walks
/// through the same registry cache, mirrors and results store), the policies and the timestamp.
pub(super) struct Shared {
    pipeline: Pipeline,
    policies: Vec<crate::policy::Policy>,
    timestamp: time::OffsetDateTime,
}

impl Shared {
    /// The configuration, pipeline, `--fail-on` policies and clock: bad files exit 2.
    pub(super) fn new(args: &Args) -> Result<Shared, Failure> {
        let config = super::config::load(args.sources.config.as_deref())?;
        let pipeline = pipeline(&args.sources, &config)?;
        let policies =
            super::check::parse_policies(&super::config::fail_on(&args.fail_on, &config))?;
        let timestamp = super::clock::now()?;
        Ok(Shared {
            pipeline,
            policies,
            timestamp,
        })
    }
}

/// One document to enrich, read and checked, with its destinations already created.
pub(super) struct Document<'a> {
    pub(super) label: &'a str,
    pub(super) doc: sbom::Document,
    pub(super) baseline: Option<&'a crate::inventory::Inventory>,
    /// `None`: a shard run without -o, which only fills the results store.
    pub(super) output: Option<Sink>,
    pub(super) evidence: Option<Sink>,
}

/// Steps 3-5 of a run for one document: the pipeline, the output renamed into place, the
/// report on stderr. Returns the exit code for this document (0, or 1 when a policy matched).
pub(super) fn enrich_document(
    args: &Args,
    shared: &Shared,
    document: Document<'_>,
    started: Instant,
) -> Result<u8, Failure> {
    let Document {
        label,
        doc,
        baseline,
        output,
        mut evidence,
    } = document;
    let pipeline = &shared.pipeline;
    // 3. The pipeline.
    let evidence_label = evidence.as_ref().map(Sink::label).unwrap_or_default();
    let mut progress = Progress::new();
    let outcome = {
        let mut ev_writer = evidence
            .as_mut()
            .map(|s| std::io::BufWriter::with_capacity(256 * 1024, s.writer()));
        let outcome = pipeline
            .enrich(
                doc.inventory(),
                ev_writer.as_mut().map(|w| w as &mut dyn Write),
                &mut progress,
            )
            .and_then(|o| ev_writer.as_mut().map_or(Ok(()), Write::flush).map(|()| o))
            .with_context(|| format!("{evidence_label}: cannot write the evidence"))
            .map_err(Failure::runtime)?;
        outcome
    };
    let mut outcome = outcome;
    if let (Some(old), Some(old_path)) = (baseline, &args.baseline) {
        let full = doc.inventory();
        let new = crate::pipeline::without_described_roots(full);
        let (opts, pool) = pipeline.parts();
        // The range's AI commits are asked about as in `aiprov diff` (answers already cached
        // by the run above are not asked again).
        let look_up = |repos: &[(String, Vec<String>)]| pipeline.look_up_reviews(repos);
        let d = crate::diff::diff(
            &old_path.display().to_string(),
            old,
            label,
            new.as_ref().unwrap_or(full),
            &opts,
            pool,
            Some(&look_up),
        );
        crate::diff::delta_edits(&d, &mut outcome.edits);
    }
    let write_opts = WriteOptions {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        timestamp: shared.timestamp,
        strip_signature: args.strip_signature,
    };
    // Without a policy there is nothing to evaluate: no copy of every component's provenance.
    let violations = if shared.policies.is_empty() {
        Vec::new()
    } else {
        crate::policy::evaluate(&shared.policies, &outcome.components(doc.inventory()))
    };

    // 4. Output, then rename into place. The document is consumed: edited in place and
    // serialized straight into the output, never copied (issue 15: memory). A shard run
    // without -o writes no SBOM (issue 12).
    let warnings = match output {
        Some(mut output) => {
            let output_label = output.label();
            let warnings = doc
                .write_into(
                    &outcome.edits,
                    &write_opts,
                    args.fill_min_elements,
                    &mut output.writer(),
                )
                .with_context(|| format!("{output_label}: cannot write the output"))
                .map_err(Failure::runtime)?;
            output.finish()?;
            warnings
        }
        None => Vec::new(),
    };
    if let Some(e) = evidence {
        e.finish()?;
    }

    // 5. Tell the user.
    report(&outcome, &progress, &warnings, started);
    super::check::report_violations(&violations);
    Ok(if violations.is_empty() {
        EXIT_OK
    } else {
        super::EXIT_POLICY
    })
}

/// `doc` in the `--output-format` named by `wanted`: itself, or upgraded to a newer CycloneDX
/// version ([`sbom::Document::upgrade`]); any other conversion is refused (exit 2).
fn upgraded(doc: sbom::Document, wanted: &str) -> Result<sbom::Document, Failure> {
    let to = parse_format(wanted, doc.format()).map_err(Failure::input)?;
    // `why` already says "cannot convert FROM to TO without losing information: …".
    sbom::can_convert(doc.format(), to).map_err(|why| {
        Failure::input(anyhow!(
            "--output-format {}: {why}",
            escape_for_terminal(wanted)
        ))
    })?;
    match doc.upgrade(to) {
        Ok(Some(up)) => {
            tracing::info!("upgraded {} to {to}", doc.format());
            Ok(up)
        }
        Ok(None) => Ok(doc),
        Err(why) => Err(Failure::input(anyhow!(
            "--output-format {}: cannot upgrade {} to {to} without losing information: {}",
            escape_for_terminal(wanted),
            doc.format(),
            escape_for_terminal(&why)
        ))),
    }
}

/// `--shard K/N`: two integers, 0 <= K < N <= 65536.
pub(super) fn parse_shard(text: &str) -> Result<(u32, u32), String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| "expected K/N, e.g. 0/4".to_string())?;
    let k: u32 = k
        .trim()
        .parse()
        .map_err(|_| "K is not a number".to_string())?;
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| "N is not a number".to_string())?;
    if n == 0 || n > 65_536 || k >= n {
        return Err(format!("need 0 <= K < N <= 65536, got {k}/{n}"));
    }
    Ok((k, n))
}

/// `--output-format` as a [`Format`]: a name, optionally `@VERSION`; without a version, the
/// input's version when the family matches (so naming the input's own format is accepted),
/// else CycloneDX 1.6 / SPDX 2.3.
fn parse_format(text: &str, input: Format) -> anyhow::Result<Format> {
    Format::parse_name(text, input).map_err(|e| {
        let shown = escape_for_terminal(text);
        match e {
            sbom::FormatNameError::Version { major, version } => anyhow!(
                "--output-format {shown}: version {} is not {major}.N",
                escape_for_terminal(&version)
            ),
            sbom::FormatNameError::Spdx3Version(v) => anyhow!(
                "--output-format {shown}: SPDX 3 means 3.0.1, not {}",
                escape_for_terminal(&v)
            ),
            sbom::FormatNameError::Unknown => anyhow!(
                "--output-format {shown}: unknown format (cyclonedx-json, cyclonedx-xml, spdx-json, spdx-tv, spdx3)"
            ),
        }
    })
}

pub(super) fn read_input(input: &str) -> Result<(String, Vec<u8>), Failure> {
    if input == "-" {
        return Ok((
            STDIN_LABEL.into(),
            super::read_capped(std::io::stdin().lock(), STDIN_LABEL)?,
        ));
    }
    let f = std::fs::File::open(input)
        .with_context(|| format!("{}: cannot read the SBOM", escape_for_terminal(input)))
        .map_err(Failure::input)?;
    Ok((input.to_string(), super::read_capped(f, input)?))
}

/// Refuse to write over the input, and two results into one place.
fn check_destinations(args: &Args) -> Result<(), Failure> {
    let same = |a: &str, b: &str| {
        if a == "-" || b == "-" {
            return a == "-" && b == "-";
        }
        let (pa, pb) = (Path::new(a), Path::new(b));
        match (std::fs::canonicalize(pa), std::fs::canonicalize(pb)) {
            (Ok(x), Ok(y)) => x == y,
            _ => pa == pb,
        }
    };
    if args.input() != "-" && args.output() != "-" && same(args.input(), args.output()) {
        return Err(Failure::input(anyhow!(
            "{}: the output would overwrite the input; aiprov never writes its input (choose another -o)",
            escape_for_terminal(args.output())
        )));
    }
    let mut reads: Vec<&Path> = args.sources.rules.iter().map(PathBuf::as_path).collect();
    reads.extend(args.sources.repo_map.as_deref());
    reads.extend(args.sources.config.as_deref());
    reads.extend(args.baseline.as_deref());
    reads.extend(args.sources.reviews.paths());
    super::refuse_clobber("-o", Path::new(args.output()), &reads, &[])?;
    let mut dirs: Vec<PathBuf> = args.sources.mirror_dirs.clone();
    dirs.extend(
        args.sources
            .cache_dir
            .clone()
            .or_else(crate::config::default_cache_dir),
    );
    let dirs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    super::guard::refuse_inside("-o", Path::new(args.output()), &dirs)?;
    if let Some(ev) = &args.evidence {
        super::refuse_clobber("--evidence", Path::new(ev), &reads, &[])?;
        super::guard::refuse_inside("--evidence", Path::new(ev), &dirs)?;
    }
    if let Some(ev) = &args.evidence {
        if ev == "-" && args.output() == "-" {
            return Err(Failure::input(anyhow!(
                "--evidence - needs -o FILE: the SBOM already goes to stdout"
            )));
        }
        if (args.input() != "-" && same(ev, args.input())) || (ev != "-" && same(ev, args.output()))
        {
            return Err(Failure::input(anyhow!(
                "{}: --evidence must name a file other than the input and the output",
                escape_for_terminal(ev)
            )));
        }
    }
    Ok(())
}

/// The library pipeline for the source flags: bad files exit 2, other setup failures 3.
/// `config` is the configuration [`super::config::load`] read: its `[defaults] mirror-dir`
/// stands in for an absent `--mirror-dir`.
pub(super) fn pipeline(args: &SourceArgs, config: &FileConfig) -> Result<Pipeline, Failure> {
    let mirror_dirs = if args.mirror_dirs.is_empty() {
        config.defaults.mirror_dirs.clone()
    } else {
        args.mirror_dirs.clone()
    };
    let settings = Settings {
        mirror_dirs,
        cache_dir: args.cache_dir.clone(),
        repo_map: args.repo_map.clone(),
        offline: args.offline,
        config: args.config.clone(),
        refresh: args.refresh,
        jobs: args.jobs.map(usize::from),
        since: args.since,
        rules: args.rules.clone(),
        fallback: args.fallback,
        reviews: args.reviews.load()?,
        review_all: args.review_scope == super::reviews::Which::All,
        no_cache: args.no_cache,
        shard: args.shard,
        include_local_paths: args.include_local_paths,
    };
    let pipeline = Pipeline::new(&settings)?;
    Ok(if args.forge.forge_reviews {
        pipeline.with_forge(Box::new(args.forge.clone()))
    } else {
        pipeline
    })
}

/// Progress on stderr (hidden when stderr is not a terminal, or with `-q`): registry lookups
/// and fetches while the plan is made, then a bar while the walks run. Remembers the end-of-run
/// line about failed clones.
pub(super) struct Progress {
    plan: super::progress::PlanProgress,
    walks: Option<indicatif::ProgressBar>,
    /// Walks the results store answered, and walks run.
    pub(super) store: (u64, u64),
    /// The end-of-run line about failed clones and fetches, once the plan is made.
    pub(super) fetch_failures: Option<String>,
}

impl Progress {
    pub(super) fn new() -> Progress {
        Progress {
            plan: super::progress::PlanProgress::new(),
            walks: None,
            store: (0, 0),
            fetch_failures: None,
        }
    }
}

impl Observer for Progress {
    fn plan_event(&self, e: enrich::PlanEvent<'_>) {
        self.plan.on(e);
    }
    fn planned(&mut self, plan: &enrich::Plan) {
        self.fetch_failures = self.plan.finish();
        self.walks = Some(progress_bar(plan.walks.len()));
    }
    fn event(&mut self, e: Event<'_>) {
        match e {
            Event::WalkDone { cached, .. } if cached => self.store.0 += 1,
            Event::WalkDone { .. } => self.store.1 += 1,
        }
        let Some(bar) = &self.walks else { return };
        match e {
            Event::WalkDone { repository, .. } => {
                bar.set_message(format!(
                    "store {} hit, {} walked; {}",
                    self.store.0,
                    self.store.1,
                    escape_for_terminal(repository)
                ));
                bar.inc(1);
            }
        }
    }
    fn done(&mut self) {
        if let Some(bar) = self.walks.take() {
            bar.finish_and_clear();
        }
    }
}

/// Warnings, and (unless `-q`) the failed clones and the one-line summary, on stderr.
pub(super) fn report(
    outcome: &Outcome,
    progress: &Progress,
    warnings: &[String],
    started: Instant,
) {
    let mut err = std::io::stderr().lock();
    for w in warnings {
        let _ = writeln!(err, "aiprov: warning: {}", escape_for_terminal(w));
    }
    if outcome.roots > 0 {
        let _ = writeln!(
            err,
            "aiprov: {} described root package{} taken as the document's subject, not analyzed",
            outcome.roots,
            if outcome.roots == 1 { "" } else { "s" }
        );
    }
    let at_head = outcome.at_default_branch();
    if at_head > 0 {
        let _ = writeln!(
            err,
            "aiprov: {at_head} component{} walked at the default branch (--fallback default-branch): no pin, tag or release time decided {}; not a release",
            if at_head == 1 { "" } else { "s" },
            if at_head == 1 { "its revision" } else { "their revisions" }
        );
    }
    let stale = outcome.stale_mirrors();
    if stale > 0 {
        let _ = writeln!(
            err,
            "aiprov: warning: {stale} stale cached mirror{} could not be refreshed and {} walked as last fetched (see aiprov:status:reason)",
            if stale == 1 { "" } else { "s" },
            if stale == 1 { "was" } else { "were" }
        );
    }
    if super::log::quiet() {
        return;
    }
    if !outcome.hidden_paths.is_empty() {
        let named: Vec<String> = outcome
            .hidden_paths
            .iter()
            .map(|(label, path)| format!("{label} is {}", escape_for_terminal(path)))
            .collect();
        let _ = writeln!(
            err,
            "aiprov: local paths are not written into the SBOM (--include-local-paths writes them): {}",
            named.join("; ")
        );
    }
    if let Some(line) = &progress.fetch_failures {
        let _ = writeln!(err, "aiprov: {line}");
    }
    let line = summary_line(
        outcome.subjects,
        &outcome.tally,
        &outcome.plan,
        started.elapsed(),
    );
    let _ = writeln!(err, "aiprov: {line}");
}

fn progress_bar(walks: usize) -> indicatif::ProgressBar {
    if walks == 0 || !super::log::progress() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(walks as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} walking {pos}/{len} [{bar:30}] {elapsed} {wide_msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// `48 components: 41 analyzed, 7 repository-unavailable; 12 repositories walked in 3.2 s`.
fn summary_line(
    components: usize,
    tally: &enrich::Tally,
    plan: &enrich::Plan,
    elapsed: std::time::Duration,
) -> String {
    let statuses: Vec<String> = tally
        .statuses
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let repos = plan.repositories();
    let walks = match plan.walks.len() {
        w if w == repos => String::new(),
        w => format!(" ({w} revisions)"),
    };
    format!(
        "{components} component{}{}{}; {repos} repositor{} walked{walks} in {:.1} s",
        if components == 1 { "" } else { "s" },
        if statuses.is_empty() { "" } else { ": " },
        statuses.join(", "),
        if repos == 1 { "y" } else { "ies" },
        elapsed.as_secs_f64()
    )
}
