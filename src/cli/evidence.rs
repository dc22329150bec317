//! `aiprov evidence`: SOC 2 CC8.1 change records for a release range of one's own repository.

use std::path::{Path, PathBuf};

use super::output::write_output;
use super::{Failure, EXIT_OK, EXIT_POLICY, EXIT_RUNTIME};
use crate::classify::RuleSet;
use crate::evidence::{self, Range};
use crate::history::Repo;

/// Change evidence (SOC 2 CC8.1) for the commits of a release range
///
/// One change record per non-merge commit reachable from B and not from A, with the class and
/// tool `aiprov commits` gives it, its author and committer, the AI agent and model its
/// trailers state, who asked for it where stated, its reviewers (review trailers; the author
/// of the pull-request merge that brought it in), review date, approval and testing trailers;
/// then metrics: AI commits, AI commits with review evidence, human review coverage.
/// Exit codes: 0 done; 1 --require-review and an AI commit lacks review evidence (each one is
/// named on stderr); 2 bad input (not a repository, unknown revision, bad range or rule pack);
/// 3 some commits could not be read or an output could not be written.
///
/// Examples:
///   aiprov evidence . --range v1.2.0..v1.3.0 --format markdown
///   aiprov evidence . --range v1.2.0..HEAD --require-review --attestation cc8.1.cdx.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The repository: a work tree, its .git folder or a bare repository
    repo: PathBuf,
    /// The release range A..B: commits reachable from B and not from A (`A..` means A..HEAD)
    #[arg(long, value_name = "A..B", value_parser = Range::parse)]
    range: Range,
    /// json: {repository, range, metrics, records, …}; markdown: tables for a reviewer
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Exit 1 when any AI commit in the range has no review evidence: neither review trailers
    /// (Reviewed-by:, Acked-by:, …) nor, with --review-data, an approval that counts on a merged
    /// pull request that brought it in
    #[arg(long)]
    require_review: bool,
    #[command(flatten)]
    reviews: super::reviews::ReviewDataArgs,
    /// Also write a CycloneDX 1.6 attestation (CDXA) mapping the records onto SOC 2 CC8.1
    #[arg(long, value_name = "OUT")]
    attestation: Option<PathBuf>,
    /// Write the records here instead of stdout
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// Extra rule pack (TOML); adds rules or replaces built-in rules with the same id. Repeatable
    #[arg(long = "rules", value_name = "FILE")]
    rules: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    Markdown,
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    let now = super::clock::now()?;
    let mut reads: Vec<&Path> = args.rules.iter().map(PathBuf::as_path).collect();
    reads.extend(args.reviews.paths());
    if let Some(out) = &args.output {
        super::refuse_clobber("-o", out, &reads, &[])?;
    }
    if let Some(att) = &args.attestation {
        let others: Vec<(&str, &Path)> = args
            .output
            .as_deref()
            .map(|o| ("-o", o))
            .into_iter()
            .collect();
        super::refuse_clobber("--attestation", att, &reads, &others)?;
    }
    let repo = Repo::open(&args.repo).map_err(Failure::input)?;
    // The git folder is read whole (refs, objects, config): nothing is written inside it.
    let git_dirs = [repo.gix().git_dir(), repo.gix().common_dir()];
    for (flag, dest) in [("-o", &args.output), ("--attestation", &args.attestation)] {
        if let Some(d) = dest {
            super::guard::refuse_inside(flag, d, &git_dirs)?;
        }
    }
    let rules = RuleSet::load(&args.rules)?;
    let reviews = args.reviews.load()?;
    let label = args.repo.display().to_string();
    let e = evidence::collect_with_reviews(&repo, &label, &args.range, &rules, reviews.as_ref())
        .map_err(Failure::from)?;

    let text = match args.format {
        Format::Json => {
            let mut s = crate::text::json_to_string(&e, true).map_err(Failure::runtime)?;
            s.push('\n');
            s
        }
        Format::Markdown => {
            use time::format_description::well_known::Rfc3339;
            let stamp = evidence::Stamp {
                generated: now
                    .replace_nanosecond(0)
                    .ok()
                    .and_then(|t| t.format(&Rfc3339).ok())
                    .unwrap_or_default(),
                tool_version: env!("CARGO_PKG_VERSION").into(),
                rules_digest: rules.digest().to_string(),
            };
            evidence::to_markdown(&e, &stamp)
        }
    };
    write_output(args.output.as_deref(), "output", text.as_bytes())?;
    if let Some(path) = &args.attestation {
        let name = target_name(&args.repo);
        let cdxa = evidence::attestation(&e, &name, env!("CARGO_PKG_VERSION"), now);
        let mut s = crate::text::json_to_string(&cdxa, true).map_err(Failure::runtime)?;
        s.push('\n');
        write_output(Some(path), "attestation", s.as_bytes())?;
    }

    if !e.errors.is_empty() {
        say!(
            "aiprov: {} commit(s) could not be read; see \"errors\"",
            e.errors.len()
        );
        return Ok(EXIT_RUNTIME);
    }
    if args.require_review && !e.ai_without_review_evidence.is_empty() {
        for r in e.records.iter().filter(|r| r.is_ai() && !r.reviewed) {
            let outcome = match (r.review_outcome, r.pull_requests.first()) {
                (Some(o), Some(p)) => format!("; {o}: {}", crate::text::bounded(&p.url, 200)),
                (Some(o), None) => format!("; {o}"),
                _ => String::new(),
            };
            say!(
                "aiprov: AI commit without review evidence: {} {} ({}, {}{})",
                &r.commit[..12],
                crate::text::bounded(&r.subject, 100),
                r.class,
                r.tool.as_deref().unwrap_or("unspecified"),
                outcome
            );
        }
        // The same rule as `unreviewed-ai` / `review-unknown`: the unknown ones are named apart,
        // never as unreviewed (they fail the requirement because they are not known reviewed).
        let unknown = e
            .records
            .iter()
            .filter(|r| {
                r.is_ai() && !r.reviewed && r.review_outcome.unwrap_or("unknown") == "unknown"
            })
            .count();
        let unknown = if unknown > 0 {
            format!(" ({unknown} of them unknown: not looked up)")
        } else {
            String::new()
        };
        say!(
            "aiprov: --require-review: {} of {} AI commit(s) in {} have no review evidence{unknown}",
            e.ai_without_review_evidence.len(),
            e.metrics.ai_commits,
            crate::text::bounded(&e.range, 200)
        );
        return Ok(EXIT_POLICY);
    }
    Ok(EXIT_OK)
}

/// The repository's name for the attestation's target: the folder name without `.git`.
fn target_name(path: &std::path::Path) -> String {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut name = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "repository".into());
    if name == ".git" {
        if let Some(parent) = canonical.parent().and_then(|p| p.file_name()) {
            name = parent.to_string_lossy().into_owned();
        }
    }
    name.strip_suffix(".git")
        .map(str::to_string)
        .unwrap_or(name)
}
