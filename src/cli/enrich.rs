//! `aiprov enrich`: read a CycloneDX JSON SBOM, run the pipeline ([`crate::enrich`]), write the
//! enriched document (and the evidence file) through temporary files renamed into place.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, Context};

use super::{escape_for_terminal, Failure, EXIT_OK};
use crate::classify::RuleSet;
use crate::enrich::{self, Event, Options, Status};
use crate::resolve::RepoMap;
use crate::sbom::cyclonedx::{self, ReadOptions, WriteOptions};

/// Add AI-provenance properties to a CycloneDX JSON SBOM.
///
/// The long help (`--help`) is `LONG_HELP`, shown after the options: the one-line doc comment
/// of `Command::Enrich` is the subcommand's about text and replaces a struct-level long about.
#[derive(Debug, clap::Args)]
#[command(after_long_help = LONG_HELP)]
pub struct Args {
    /// The CycloneDX JSON SBOM to read (1.2 to 1.7); `-` for stdin
    input: String,
    /// Where to write the enriched SBOM; `-` for stdout
    #[arg(short, long, value_name = "OUTPUT", default_value = "-")]
    output: String,
    /// A folder of bare mirrors (DIR/<host>/<owner>/<name>.git), searched before the cache.
    /// Repeatable
    #[arg(long = "mirror-dir", value_name = "DIR")]
    mirror_dirs: Vec<PathBuf>,
    /// aiprov's cache; mirrors are looked up in DIR/mirrors/<host>/<owner>/<name>.git
    /// [default: $XDG_CACHE_HOME/aiprov or ~/.cache/aiprov]
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// TOML file mapping purls (without version) or bom-refs to repository URLs or local paths;
    /// it wins over the SBOM's own references
    #[arg(long, value_name = "FILE")]
    repo_map: Option<PathBuf>,
    /// Never use the network (fetching is not implemented yet: today this only changes the
    /// wording of `repository-unavailable` reasons and silences the note about it)
    #[arg(long)]
    offline: bool,
    /// Repositories walked at the same time [default: the number of CPUs]
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: Option<u16>,
    /// Only count commits committed on or after DATE (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    since: Option<i64>,
    /// Also write every AI and automation commit, with the rules that matched, as JSON Lines
    /// (schemas/evidence.schema.json); `-` for stdout when the SBOM goes to a file
    #[arg(long, value_name = "FILE")]
    evidence: Option<String>,
    /// Extra rule pack (TOML); adds rules or replaces built-in rules with the same id. Repeatable
    #[arg(long = "rules", value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// Accept a signed SBOM and drop its signature (any edit invalidates it; re-sign the output)
    #[arg(long)]
    strip_signature: bool,
    /// Fail (exit 1, after writing the output) when a component matches EXPR, e.g. 'ai-share>0.5',
    /// 'unreviewed-ai>0', 'tool=devin', 'status!=analyzed', 'pkg:npm/*:ai-share>0.5'. Repeatable;
    /// grammar in docs/audit.md
    #[arg(long = "fail-on", value_name = "EXPR")]
    fail_on: Vec<String>,
    /// Also fill the CISA minimum elements aiprov knows for certain: its own tool name and
    /// version, the timestamp and the SBOM version (never guesses anything else)
    #[arg(long = "fill-min-elements")]
    fill_min_elements: bool,
}

const STDIN_LABEL: &str = "<stdin>";

/// What `aiprov enrich --help` explains after the options.
const LONG_HELP: &str = "\
How it works:
  For every component, aiprov finds its source repository (from --repo-map, then the purl's
  vcs_url, pkg:github/gitlab/bitbucket purls, vcs external references, then website and other
  references that are a forge repository), looks for a local bare mirror of it, picks the
  revision (a commit the SBOM pins, else the tag matching the version, else the default
  branch), walks that history once per distinct repository@revision, classifies every commit
  from its metadata, and writes the counts back as `aiprov:` properties (docs/properties.md).
  Nothing else in the document changes, except `version` (+1), `metadata.timestamp` and
  aiprov's entry in `metadata.tools`. Running it again replaces aiprov's properties.

Repositories:
  Read from local mirrors only, laid out as DIR/<host>/<owner>/<name>.git: under each
  --mirror-dir, then under CACHE/mirrors. Fetching over the network is not implemented yet: a
  repository without a local mirror is `repository-unavailable`, with a reason naming where
  aiprov looked. Per-component outcomes (every `aiprov:status`) are data, not errors.

Exit codes:
  0 done, whatever the components' statuses; 2 bad input (not JSON, not CycloneDX 1.2-1.7,
  duplicate bom-refs, a component without a name, a signed document without
  --strip-signature, a bad repo map or rule pack); 3 the output could not be written. A failed
  run leaves no output file and never touches its input. SOURCE_DATE_EPOCH, when set, is used
  for metadata.timestamp (reproducible output).

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
    File { temp: tempfile::NamedTempFile, dest: PathBuf },
    Special { file: std::fs::File, dest: PathBuf },
}

impl Sink {
    fn create(dest: &str, what: &str) -> Result<Sink, Failure> {
        if dest == "-" {
            return Ok(Sink::Stdout);
        }
        let given = PathBuf::from(dest);
        let cannot = |e: std::io::Error| Failure::runtime(anyhow!(e).context(format!("{}: cannot write the {what}", given.display())));
        match std::fs::metadata(&given) {
            Ok(m) if m.is_dir() => {
                return Err(Failure::runtime(anyhow!("{}: cannot write the {what}: it is a directory", given.display())))
            }
            Ok(m) if !m.is_file() => {
                let file = std::fs::OpenOptions::new().write(true).open(&given).map_err(cannot)?;
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
            .with_context(|| format!("{}: cannot write the {what} (creating a temporary file in {})", dest.display(), dir.display()))
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
            Sink::Stdout => std::io::stdout().flush().context("writing to stdout").map_err(Failure::runtime),
            Sink::Special { mut file, dest } => {
                file.flush().with_context(|| format!("{}: cannot write", dest.display())).map_err(Failure::runtime)
            }
            Sink::File { temp, dest } => {
                let label = dest.display().to_string();
                temp.as_file().sync_all().with_context(|| format!("{label}: cannot write")).map_err(Failure::runtime)?;
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
                temp.persist(&dest).map_err(|e| Failure::runtime(anyhow!("{label}: cannot write: {}", e.error)))?;
                Ok(())
            }
        }
    }
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    let started = Instant::now();

    // 1. Everything that can be bad input, before any file is created.
    let (label, bytes) = read_input(&args.input)?;
    let doc = cyclonedx::read_with(&label, &bytes, &ReadOptions { strip_signature: args.strip_signature })
        .map_err(Failure::input)?;
    drop(bytes);
    let repo_map = match &args.repo_map {
        Some(path) => {
            let map_label = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the repo map", escape_for_terminal(&map_label)))
                .map_err(Failure::input)?;
            Some(RepoMap::from_toml(&map_label, &text).map_err(Failure::input)?)
        }
        None => None,
    };
    let rules = RuleSet::load(&args.rules).map_err(Failure::input)?;
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
    let mirror_roots = mirror_roots(&args);
    let jobs = args.jobs.map(usize::from).unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("aiprov-walk-{i}"))
        .build()
        .context("starting the walker threads")
        .map_err(Failure::runtime)?;
    let opts = Options {
        mirror_roots: &mirror_roots,
        repo_map: repo_map.as_ref(),
        offline: args.offline,
        since: args.since,
        rules: &rules,
    };
    // The document is edited in place (no copy of a possibly large tree).
    let cyclonedx::Document { value: mut document, spec_version, inventory, .. } = doc;
    let inventory = &inventory;
    let plan = enrich::plan(inventory, &opts, &pool);
    let bar = progress_bar(plan.walks.len());
    let evidence_label = evidence.as_ref().map(Sink::label).unwrap_or_default();
    let results = {
        let mut ev_writer = evidence.as_mut().map(|s| std::io::BufWriter::with_capacity(256 * 1024, s.writer()));
        let mut on_event = |e: Event<'_>| match e {
            Event::WalkDone { repository, .. } => {
                bar.set_message(escape_for_terminal(repository));
                bar.inc(1);
            }
        };
        let results = enrich::run(&plan, inventory, &opts, &pool, ev_writer.as_mut().map(|w| w as &mut dyn Write), &mut on_event)
            .and_then(|r| ev_writer.as_mut().map_or(Ok(()), Write::flush).map(|()| r))
            .with_context(|| format!("{evidence_label}: cannot write the evidence"))
            .map_err(Failure::runtime)?;
        results
    };
    bar.finish_and_clear();
    let (edits, tally) = enrich::edits(inventory, &plan, &results, args.since);
    let write_opts =
        WriteOptions { tool_version: env!("CARGO_PKG_VERSION").into(), timestamp, strip_signature: args.strip_signature };
    let warnings = cyclonedx::apply(&mut document, spec_version, &edits, &write_opts);
    if args.fill_min_elements {
        crate::check::fill_min_elements(&mut document, env!("CARGO_PKG_VERSION"), timestamp);
    }
    let violations = crate::policy::evaluate(&policies, &crate::provenance::components_of(&document, inventory));
    let bytes = cyclonedx::to_bytes(&document);
    drop(document);

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
    let mut err = std::io::stderr().lock();
    for w in &warnings {
        let _ = writeln!(err, "aiprov: warning: {}", escape_for_terminal(w));
    }
    let unavailable = tally.statuses.get(&Status::RepositoryUnavailable).copied().unwrap_or(0);
    if unavailable > 0 && !args.offline {
        let _ = writeln!(
            err,
            "aiprov: note: {} repositor{} not available locally; fetching over the network is not implemented yet: \
             put bare mirrors under --mirror-dir DIR as DIR/<host>/<owner>/<name>.git (or pass --offline)",
            tally.unavailable_repositories,
            if tally.unavailable_repositories == 1 { "y is" } else { "ies are" }
        );
    }
    let _ = writeln!(err, "aiprov: {}", summary_line(inventory.components.len(), &tally, &plan, started.elapsed()));
    drop(err);
    super::check::report_violations(&violations);
    Ok(if violations.is_empty() { EXIT_OK } else { super::EXIT_POLICY })
}

fn read_input(input: &str) -> Result<(String, Vec<u8>), Failure> {
    let mut bytes = Vec::new();
    if input == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).context("reading stdin").map_err(Failure::input)?;
        return Ok((STDIN_LABEL.into(), bytes));
    }
    let mut f = std::fs::File::open(input)
        .with_context(|| format!("{}: cannot read the SBOM", escape_for_terminal(input)))
        .map_err(Failure::input)?;
    f.read_to_end(&mut bytes)
        .with_context(|| format!("{}: cannot read the SBOM", escape_for_terminal(input)))
        .map_err(Failure::input)?;
    Ok((input.to_string(), bytes))
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
    if let Some(ev) = &args.evidence {
        if ev == "-" && args.output == "-" {
            return Err(Failure::input(anyhow!("--evidence - needs -o FILE: the SBOM already goes to stdout")));
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

/// `--mirror-dir`s, then the cache's `mirrors` folder.
fn mirror_roots(args: &Args) -> Vec<PathBuf> {
    let mut roots = args.mirror_dirs.clone();
    let cache = args.cache_dir.clone().or_else(default_cache_dir);
    if let Some(c) = cache {
        roots.push(c.join("mirrors"));
    }
    roots
}

/// `$XDG_CACHE_HOME/aiprov` (when absolute), else `~/.cache/aiprov`.
fn default_cache_dir() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).filter(|p| p.is_absolute()) {
        return Some(x.join("aiprov"));
    }
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".cache/aiprov"))
}

/// Now, or `SOURCE_DATE_EPOCH` when set (reproducible builds).
fn timestamp() -> Result<time::OffsetDateTime, Failure> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) if !s.is_empty() => s
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|n| time::OffsetDateTime::from_unix_timestamp(n).ok())
            .ok_or_else(|| Failure::input(anyhow!("SOURCE_DATE_EPOCH={}: not a Unix timestamp", escape_for_terminal(&s)))),
        _ => Ok(time::OffsetDateTime::now_utc()),
    }
}

fn progress_bar(walks: usize) -> indicatif::ProgressBar {
    if walks == 0 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(walks as u64), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} walking {pos}/{len} [{bar:30}] {elapsed} {wide_msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// `48 components: 41 analyzed, 7 repository-unavailable; 12 repositories walked in 3.2 s`.
fn summary_line(components: usize, tally: &enrich::Tally, plan: &enrich::Plan, elapsed: std::time::Duration) -> String {
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
