//! `aiprov enrich`: read an SBOM in any supported format, run the pipeline ([`crate::enrich`]), write the
//! enriched document (and the evidence file) through temporary files renamed into place.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, Context};

use super::{escape_for_terminal, Failure, EXIT_OK};
use crate::classify::RuleSet;
use std::collections::HashSet;

use crate::enrich::{self, Event, Options};
use crate::fetch::FetchOptions;
use crate::inventory::Inventory;
use crate::registry::{Cache, CacheOptions, FileConfig, Registry};
use crate::resolve::RepoMap;
use crate::sbom::{self, cyclonedx, Edits, Format, ReadOptions, WriteOptions};

/// Add AI-provenance properties to an SBOM (CycloneDX JSON/XML, SPDX 2 JSON/tag-value, SPDX 3)
#[derive(Debug, clap::Args)]
#[command(after_long_help = LONG_HELP)]
pub struct Args {
    /// The SBOM to read (CycloneDX 1.2-1.7 JSON/XML, SPDX 2.2/2.3 JSON/tag-value, SPDX 3.0.1); `-` for stdin
    input: String,
    /// Where to write the enriched SBOM; `-` for stdout
    #[arg(short, long, value_name = "OUTPUT", default_value = "-")]
    output: String,
    #[command(flatten)]
    sources: SourceArgs,
    /// Write FORMAT instead of the input's format: cyclonedx-json, cyclonedx-xml, spdx-json,
    /// spdx-tv, spdx3 (optionally with a version, e.g. cyclonedx-json@1.6). Refused unless the
    /// conversion is lossless; today that means the input's own format and version
    #[arg(long = "output-format", value_name = "FORMAT")]
    output_format: Option<String>,
    /// Also write every AI and automation commit, with the rules that matched, as JSON Lines
    /// (schemas/evidence.schema.json); `-` for stdout when the SBOM goes to a file
    #[arg(long, value_name = "FILE")]
    evidence: Option<String>,
    /// Accept a signed SBOM and drop its signature (any edit invalidates it; re-sign the output)
    #[arg(long)]
    strip_signature: bool,
    /// Fail (exit 1, after writing the output) when a component matches EXPR, e.g. 'ai-share>0.5',
    /// 'unreviewed-ai>0', 'tool=devin', 'status!=analyzed', 'pkg:npm/*:ai-share>0.5'. Repeatable;
    /// grammar in docs/audit.md
    #[arg(long = "fail-on", value_name = "EXPR")]
    fail_on: Vec<String>,
    /// Also fill the CISA minimum elements aiprov knows for certain: its own tool name and
    /// version, the timestamp and the SBOM version (never guesses anything else). Every output
    /// format records the tool and time anyway; for CycloneDX JSON this adds the rest
    #[arg(long = "fill-min-elements")]
    fill_min_elements: bool,
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
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// TOML file mapping purls (without version) or bom-refs to repository URLs or local paths;
    /// it wins over the SBOM's own references
    #[arg(long, value_name = "FILE")]
    pub repo_map: Option<PathBuf>,
    /// Never use the network: registry answers from the cache only, repositories from the
    /// mirror folders and the cache only
    #[arg(long)]
    pub offline: bool,
    /// The registry and fetch configuration (TOML: [registries], [http], [cache], [git])
    /// [default: $XDG_CONFIG_HOME/aiprov/config.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ask the registries again even when the cached answer is still fresh
    #[arg(long)]
    pub refresh: bool,
    /// Repositories walked (and fetched) at the same time [default: the number of CPUs]
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// Only count commits committed on or after DATE (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    pub since: Option<i64>,
    /// Extra rule pack (TOML); adds rules or replaces built-in rules with the same id. Repeatable
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
}

const STDIN_LABEL: &str = "<stdin>";

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
  recorded, else the tag matching the version, else the default branch), walks that history once
  per distinct repository@revision, classifies every commit from its metadata, and writes the
  counts back as `aiprov:` properties (docs/properties.md; SPDX 2: annotations, SPDX 3:
  CdxPropertiesExtension). Nothing else in the document changes. Running it again replaces
  aiprov's additions.

Repositories:
  Bare mirrors laid out as DIR/<host>/<owner>/<name>.git: under each --mirror-dir, then under
  CACHE/mirrors. A repository found nowhere is cloned into CACHE/mirrors (commits only), unless
  --offline; a failed clone makes the component `repository-unavailable`, with the reason.
  Registry answers are cached in CACHE/registry (--refresh asks again; --offline uses only the
  cache). Registry base URLs, tokens, limits and git remotes: --config FILE (TOML), default
  $XDG_CONFIG_HOME/aiprov/config.toml when it exists. Per-component outcomes (every
  `aiprov:status`) are data, not errors.

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

A repo map (TOML) overrides the SBOM; keys are a purl without version or a bom-ref, values a
repository URL or a local path (relative to the map file):
  [repositories]
  \"pkg:pypi/aider-chat\" = \"https://github.com/Aider-AI/aider\"
  \"my-bom-ref\" = \"../repos/thing.git\"
";

/// Where a result goes: stdout; or a temporary file beside the destination, renamed into place
/// once everything succeeded (dropping it unpersisted deletes it); or, when the destination
/// exists and is not a regular file (`/dev/null`, a FIFO), that file itself: renaming over a
/// device would replace it.
enum Sink {
    Stdout,
    File {
        temp: tempfile::NamedTempFile,
        dest: PathBuf,
    },
    Special {
        file: std::fs::File,
        dest: PathBuf,
    },
}

impl Sink {
    fn create(dest: &str, what: &str) -> Result<Sink, Failure> {
        if dest == "-" {
            return Ok(Sink::Stdout);
        }
        let given = PathBuf::from(dest);
        let cannot = |e: std::io::Error| {
            Failure::runtime(
                anyhow!(e).context(format!("{}: cannot write the {what}", given.display())),
            )
        };
        match std::fs::metadata(&given) {
            Ok(m) if m.is_dir() => {
                return Err(Failure::runtime(anyhow!(
                    "{}: cannot write the {what}: it is a directory",
                    given.display()
                )))
            }
            Ok(m) if !m.is_file() => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&given)
                    .map_err(cannot)?;
                return Ok(Sink::Special { file, dest: given });
            }
            _ => {}
        }
        // Through a symbolic link, replace the file it points to, not the link.
        let dest = match std::fs::symlink_metadata(&given) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(&given).map_err(cannot)?,
            _ => given.clone(),
        };
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".aiprov-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .with_context(|| {
                format!(
                    "{}: cannot write the {what} (creating a temporary file in {})",
                    dest.display(),
                    dir.display()
                )
            })
            .map_err(Failure::runtime)?;
        Ok(Sink::File { temp, dest })
    }

    fn writer(&mut self) -> Box<dyn Write + '_> {
        match self {
            Sink::Stdout => Box::new(std::io::stdout().lock()),
            Sink::File { temp, .. } => Box::new(temp.as_file_mut()),
            Sink::Special { file, .. } => Box::new(file),
        }
    }

    fn label(&self) -> String {
        match self {
            Sink::Stdout => "stdout".into(),
            Sink::File { dest, .. } | Sink::Special { dest, .. } => dest.display().to_string(),
        }
    }

    /// Flush, then rename the temporary file into place, with the permissions of the file it
    /// replaces, or rw-r--r-- for a new file (like a file the shell would create; not the
    /// temporary file's rw-------).
    fn finish(self) -> Result<(), Failure> {
        match self {
            Sink::Stdout => std::io::stdout()
                .flush()
                .context("writing to stdout")
                .map_err(Failure::runtime),
            Sink::Special { mut file, dest } => file
                .flush()
                .with_context(|| format!("{}: cannot write", dest.display()))
                .map_err(Failure::runtime),
            Sink::File { temp, dest } => {
                let label = dest.display().to_string();
                temp.as_file()
                    .sync_all()
                    .with_context(|| format!("{label}: cannot write"))
                    .map_err(Failure::runtime)?;
                let permissions = match std::fs::metadata(&dest) {
                    Ok(m) => Some(m.permissions()),
                    #[cfg(unix)]
                    Err(_) => Some(std::os::unix::fs::PermissionsExt::from_mode(0o644)),
                    #[cfg(not(unix))]
                    Err(_) => None,
                };
                if let Some(p) = permissions {
                    let _ = std::fs::set_permissions(temp.path(), p);
                }
                temp.persist(&dest)
                    .map_err(|e| Failure::runtime(anyhow!("{label}: cannot write: {}", e.error)))?;
                Ok(())
            }
        }
    }
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    let started = Instant::now();

    // 1. Everything that can be bad input, before any file is created.
    let (label, bytes) = read_input(&args.input)?;
    let doc = sbom::read(
        &label,
        &bytes,
        &ReadOptions {
            strip_signature: args.strip_signature,
        },
    )
    .map_err(Failure::input)?;
    drop(bytes);
    if let Some(wanted) = &args.output_format {
        let to = parse_format(wanted, doc.format()).map_err(Failure::input)?;
        sbom::can_convert(doc.format(), to).map_err(|why| {
            Failure::input(anyhow!(
                "--output-format {}: cannot write {} as {to} without losing information: {why}",
                escape_for_terminal(wanted),
                doc.format()
            ))
        })?;
    }
    let pipeline = Pipeline::new(&args.sources)?;
    let policies = super::check::parse_policies(&args.fail_on)?;
    check_destinations(&args)?;
    let timestamp = timestamp()?;

    // 2. Destinations, so that an unwritable output fails before the walks.
    let mut output = Sink::create(&args.output, "output")?;
    let mut evidence = match &args.evidence {
        Some(e) => Some(Sink::create(e, "evidence file")?),
        None => None,
    };

    // 3. The pipeline.
    let evidence_label = evidence.as_ref().map(Sink::label).unwrap_or_default();
    let outcome = {
        let mut ev_writer = evidence
            .as_mut()
            .map(|s| std::io::BufWriter::with_capacity(256 * 1024, s.writer()));
        let outcome = pipeline
            .enrich(
                doc.inventory(),
                ev_writer.as_mut().map(|w| w as &mut dyn Write),
            )
            .and_then(|o| ev_writer.as_mut().map_or(Ok(()), Write::flush).map(|()| o))
            .with_context(|| format!("{evidence_label}: cannot write the evidence"))
            .map_err(Failure::runtime)?;
        outcome
    };
    let write_opts = WriteOptions {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        timestamp,
        strip_signature: args.strip_signature,
    };
    let sbom::Written {
        mut bytes,
        warnings,
    } = doc.write(&outcome.edits, &write_opts);
    // Every writer records aiprov as a tool, the time and a new version or namespace; only
    // CycloneDX JSON has more of the minimum elements aiprov can state for certain.
    if args.fill_min_elements && matches!(doc.format(), Format::CycloneDxJson { .. }) {
        let mut value: serde_json::Value = serde_json::from_slice(&bytes)
            .context("re-reading the enriched document")
            .map_err(Failure::runtime)?;
        crate::check::fill_min_elements(&mut value, env!("CARGO_PKG_VERSION"), timestamp);
        bytes = cyclonedx::to_bytes(&value);
    }
    let violations = crate::policy::evaluate(&policies, &outcome.components(doc.inventory()));
    drop(doc);

    // 4. Output, then rename into place.
    let output_label = output.label();
    output
        .writer()
        .write_all(&bytes)
        .with_context(|| format!("{output_label}: cannot write the output"))
        .map_err(Failure::runtime)?;
    output.finish()?;
    if let Some(e) = evidence {
        e.finish()?;
    }

    // 5. Tell the user.
    outcome.report(&warnings, started);
    super::check::report_violations(&violations);
    Ok(if violations.is_empty() {
        EXIT_OK
    } else {
        super::EXIT_POLICY
    })
}

/// `--output-format` as a [`Format`]: a name, optionally `@VERSION`; without a version, the
/// input's version when the family matches (so naming the input's own format is accepted),
/// else CycloneDX 1.6 / SPDX 2.3.
fn parse_format(text: &str, input: Format) -> anyhow::Result<Format> {
    let (name, version) = match text.split_once('@') {
        Some((n, v)) => (n, Some(v)),
        None => (text, None),
    };
    let minor_of = |major: &str, default: u32| -> anyhow::Result<u32> {
        match version {
            None => Ok(default),
            Some(v) => v
                .strip_prefix(&format!("{major}."))
                .and_then(|m| m.parse::<u32>().ok())
                .ok_or_else(|| {
                    anyhow!(
                        "--output-format {}: version {} is not {major}.N",
                        escape_for_terminal(text),
                        escape_for_terminal(v)
                    )
                }),
        }
    };
    // Without a version: the input's, within its family; else the newest aiprov writes.
    let (cdx_minor, spdx_minor) = match input {
        Format::CycloneDxJson { minor } | Format::CycloneDxXml { minor } => (minor, 3),
        Format::SpdxJson { minor } | Format::SpdxTagValue { minor } => (6, minor),
        Format::Spdx3JsonLd => (6, 3),
    };
    Ok(match name.to_ascii_lowercase().as_str() {
        "cyclonedx-json" | "cdx-json" => {
            Format::CycloneDxJson { minor: minor_of("1", cdx_minor)? }
        }
        "cyclonedx-xml" | "cdx-xml" => {
            Format::CycloneDxXml { minor: minor_of("1", cdx_minor)? }
        }
        "spdx-json" => Format::SpdxJson { minor: minor_of("2", spdx_minor)? },
        "spdx-tv" | "spdx-tag-value" | "spdx" => {
            Format::SpdxTagValue { minor: minor_of("2", spdx_minor)? }
        }
        "spdx3" | "spdx3-json" | "spdx-3" => match version {
            None | Some("3.0.1") => Format::Spdx3JsonLd,
            Some(v) => return Err(anyhow!("--output-format {}: SPDX 3 means 3.0.1, not {}", escape_for_terminal(text), escape_for_terminal(v))),
        },
        _ => {
            return Err(anyhow!(
                "--output-format {}: unknown format (cyclonedx-json, cyclonedx-xml, spdx-json, spdx-tv, spdx3)",
                escape_for_terminal(text)
            ))
        }
    })
}

/// Everything a run needs besides the document: the repo map, the rules, the registries, the
/// mirror cache and the walker threads. Built before any output exists (bad flags exit 2).
pub(super) struct Pipeline {
    mirror_roots: Vec<PathBuf>,
    repo_map: Option<RepoMap>,
    rules: RuleSet,
    registry: Option<Registry>,
    fetch: Option<FetchOptions>,
    pool: rayon::ThreadPool,
    offline: bool,
    since: Option<i64>,
}

/// What [`Pipeline::enrich`] produced.
pub(super) struct Outcome {
    /// The properties to write, keyed by the document's own locators.
    pub edits: Edits,
    tally: enrich::Tally,
    plan: enrich::Plan,
    /// Components analyzed as such (the document's described roots left out).
    subjects: usize,
    /// Described root packages skipped as the document's subject.
    roots: usize,
}

impl Pipeline {
    pub(super) fn new(args: &SourceArgs) -> Result<Pipeline, Failure> {
        let repo_map = match &args.repo_map {
            Some(path) => {
                let map_label = path.display().to_string();
                let text = std::fs::read_to_string(path)
                    .with_context(|| {
                        format!(
                            "{}: cannot read the repo map",
                            escape_for_terminal(&map_label)
                        )
                    })
                    .map_err(Failure::input)?;
                Some(RepoMap::from_toml(&map_label, &text).map_err(Failure::input)?)
            }
            None => None,
        };
        let rules = RuleSet::load(&args.rules).map_err(Failure::input)?;
        let config_path = args
            .config
            .clone()
            .or_else(|| FileConfig::default_path().filter(|p| p.is_file()));
        let config = match &config_path {
            Some(path) => {
                let config_label = path.display().to_string();
                let text = std::fs::read_to_string(path)
                    .with_context(|| {
                        format!(
                            "{}: cannot read the configuration",
                            escape_for_terminal(&config_label)
                        )
                    })
                    .map_err(Failure::input)?;
                FileConfig::from_toml(&config_label, &text)
                    .map_err(|e| Failure::input(anyhow!("{e}")))?
            }
            None => FileConfig::default(),
        };
        let cache_dir = args.cache_dir.clone().or_else(default_cache_dir);
        let mut mirror_roots = args.mirror_dirs.clone();
        if let Some(c) = &cache_dir {
            mirror_roots.push(c.join("mirrors"));
        }
        let cache_opts = CacheOptions {
            ttl: config.cache.ttl,
            offline: args.offline,
            refresh: args.refresh,
        };
        let cache = match &cache_dir {
            Some(dir) => Cache::new(dir, cache_opts),
            None => Cache::disabled(cache_opts),
        };
        let registry = Registry::new(config.registry.clone(), cache)
            .context("starting the registry client")
            .map_err(Failure::runtime)?;
        let fetch = cache_dir.as_ref().map(|dir| {
            let mut f = FetchOptions::from_config(dir, &config);
            f.offline = args.offline;
            f
        });
        let jobs = args
            .jobs
            .map(usize::from)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .thread_name(|i| format!("aiprov-walk-{i}"))
            .build()
            .context("starting the walker threads")
            .map_err(Failure::runtime)?;
        Ok(Pipeline {
            mirror_roots,
            repo_map,
            rules,
            registry: Some(registry),
            fetch,
            pool,
            offline: args.offline,
            since: args.since,
        })
    }

    /// Plan, walk and turn the results into edits for `inventory`'s document. The components an
    /// SPDX document DESCRIBES are its subject (like CycloneDX `metadata.component`) and are left
    /// out, unless the document describes every package it lists.
    pub(super) fn enrich(
        &self,
        full: &Inventory,
        evidence: Option<&mut dyn Write>,
    ) -> std::io::Result<Outcome> {
        let inventory = without_described_roots(full);
        let inventory = inventory.as_ref().unwrap_or(full);
        let opts = Options {
            mirror_roots: &self.mirror_roots,
            repo_map: self.repo_map.as_ref(),
            offline: self.offline,
            since: self.since,
            rules: &self.rules,
            registry: self.registry.as_ref(),
            fetch: self.fetch.as_ref(),
        };
        let plan = enrich::plan(inventory, &opts, &self.pool);
        let bar = progress_bar(plan.walks.len());
        let mut on_event = |e: Event<'_>| match e {
            Event::WalkDone { repository, .. } => {
                bar.set_message(escape_for_terminal(repository));
                bar.inc(1);
            }
        };
        let results = enrich::run(&plan, inventory, &opts, &self.pool, evidence, &mut on_event)?;
        bar.finish_and_clear();
        let (edits, tally) = enrich::edits(inventory, &plan, &results, self.since);
        Ok(Outcome {
            edits,
            tally,
            plan,
            subjects: inventory.components.len(),
            roots: full.components.len() - inventory.components.len(),
        })
    }
}

impl Outcome {
    /// Every component of the document with the properties this run gives it.
    pub(super) fn components(&self, full: &Inventory) -> Vec<crate::provenance::Component> {
        full.components
            .iter()
            .map(|c| {
                let props = self
                    .edits
                    .components
                    .get(&c.locator)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                crate::provenance::Component {
                    locator: c.locator.clone(),
                    bom_ref: c.bom_ref.clone(),
                    name: c.name.clone(),
                    group: c.group.clone(),
                    version: c.version.clone(),
                    purl: c.purl.clone(),
                    provenance: crate::provenance::Provenance::from_properties(
                        props.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                    ),
                }
            })
            .collect()
    }

    /// Warnings and the one-line summary, on stderr.
    pub(super) fn report(&self, warnings: &[String], started: Instant) {
        let mut err = std::io::stderr().lock();
        for w in warnings {
            let _ = writeln!(err, "aiprov: warning: {}", escape_for_terminal(w));
        }
        if self.roots > 0 {
            let _ = writeln!(
                err,
                "aiprov: {} described root package{} taken as the document's subject, not analyzed",
                self.roots,
                if self.roots == 1 { "" } else { "s" }
            );
        }
        let _ = writeln!(
            err,
            "aiprov: {}",
            summary_line(self.subjects, &self.tally, &self.plan, started.elapsed())
        );
    }
}

/// The inventory without the packages the document DESCRIBES (SPDX 2 `documentDescribes` and
/// `DESCRIBES` relationships from the document, SPDX 3 `describes` relationships), or `None`
/// when there is nothing to leave out, or when every package is described (a flat list of
/// packages, not a subject and its dependencies).
fn without_described_roots(inventory: &Inventory) -> Option<Inventory> {
    let roots: HashSet<&str> = inventory
        .relationships
        .iter()
        .filter(|r| r.kind.eq_ignore_ascii_case("DESCRIBES"))
        .map(|r| r.to.as_str())
        .collect();
    if roots.is_empty() {
        return None;
    }
    let keep: Vec<_> = inventory
        .components
        .iter()
        .filter(|c| !c.bom_ref.as_deref().is_some_and(|r| roots.contains(r)))
        .cloned()
        .collect();
    if keep.is_empty() || keep.len() == inventory.components.len() {
        return None;
    }
    Some(Inventory {
        components: keep,
        relationships: inventory.relationships.clone(),
    })
}

fn read_input(input: &str) -> Result<(String, Vec<u8>), Failure> {
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
    if args.input != "-" && args.output != "-" && same(&args.input, &args.output) {
        return Err(Failure::input(anyhow!(
            "{}: the output would overwrite the input; aiprov never writes its input (choose another -o)",
            escape_for_terminal(&args.output)
        )));
    }
    let mut reads: Vec<&Path> = args.sources.rules.iter().map(PathBuf::as_path).collect();
    reads.extend(args.sources.repo_map.as_deref());
    reads.extend(args.sources.config.as_deref());
    super::refuse_clobber("-o", Path::new(&args.output), &reads, &[])?;
    let mut dirs: Vec<PathBuf> = args.sources.mirror_dirs.clone();
    dirs.extend(args.sources.cache_dir.clone().or_else(default_cache_dir));
    let dirs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    super::guard::refuse_inside("-o", Path::new(&args.output), &dirs)?;
    if let Some(ev) = &args.evidence {
        super::refuse_clobber("--evidence", Path::new(ev), &reads, &[])?;
        super::guard::refuse_inside("--evidence", Path::new(ev), &dirs)?;
    }
    if let Some(ev) = &args.evidence {
        if ev == "-" && args.output == "-" {
            return Err(Failure::input(anyhow!(
                "--evidence - needs -o FILE: the SBOM already goes to stdout"
            )));
        }
        if (args.input != "-" && same(ev, &args.input)) || (ev != "-" && same(ev, &args.output)) {
            return Err(Failure::input(anyhow!(
                "{}: --evidence must name a file other than the input and the output",
                escape_for_terminal(ev)
            )));
        }
    }
    Ok(())
}

/// `$XDG_CACHE_HOME/aiprov` (when absolute), else `~/.cache/aiprov`.
pub(super) fn default_cache_dir() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
    {
        return Some(x.join("aiprov"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".cache/aiprov"))
}

/// Now, or `SOURCE_DATE_EPOCH` when set (reproducible builds).
fn timestamp() -> Result<time::OffsetDateTime, Failure> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) if !s.is_empty() => s
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|n| time::OffsetDateTime::from_unix_timestamp(n).ok())
            .ok_or_else(|| {
                Failure::input(anyhow!(
                    "SOURCE_DATE_EPOCH={}: not a Unix timestamp",
                    escape_for_terminal(&s)
                ))
            }),
        _ => Ok(time::OffsetDateTime::now_utc()),
    }
}

fn progress_bar(walks: usize) -> indicatif::ProgressBar {
    if walks == 0 || !std::io::stderr().is_terminal() {
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
