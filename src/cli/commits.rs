//! `aiprov commits`: classify one repository's history.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use serde::Serialize;
use serde_json::json;

use super::{Failure, EXIT_OK, EXIT_RUNTIME};
use crate::aggregate::Counts;
use crate::classify::{self, Evidence, RuleSet, Verdict};
use crate::history::{CommitMeta, Entry, Options, RawEntry, Repo, Signature};

/// Classify every commit reachable from a revision, from its metadata alone
///
/// Each commit gets a class (ai-agent, ai-assisted, automation, no-evidence), a tool slug, a
/// confidence and the rules that decided it. Merges are walked and printed but not counted as
/// changes. Exit codes: 0 done; 2 bad input (not a repository, unknown revision, bad rule pack);
/// 3 some commits could not be read (each one printed as an error record).
///
/// Examples:
///   aiprov commits path/to/repo
///   aiprov commits mirrors/github.com/Aider-AI/aider.git --rev v0.86.1 --format summary
///   aiprov commits . --since 2025-01-01 --rules my-rules.toml | jq 'select(.class != "no-evidence")'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The repository: a work tree, its .git folder or a bare repository
    repo: PathBuf,
    /// Revision to walk from: branch, tag or commit [default: HEAD]
    #[arg(long, value_name = "REV")]
    rev: Option<String>,
    /// Only commits committed on or after DATE (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    since: Option<i64>,
    /// jsonl: one JSON object per commit; summary: one JSON object of counts over non-merge commits
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Extra rule pack (TOML); adds rules or replaces built-in rules with the same id. Repeatable
    #[arg(long = "rules", value_name = "FILE")]
    rules: Vec<PathBuf>,
    #[command(flatten)]
    reviews: super::reviews::ReviewDataArgs,
    /// Write the records here instead of stdout (`-` for stdout)
    #[arg(short = 'o', long = "output", value_name = "OUT", default_value = "-")]
    output: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Jsonl,
    Summary,
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    let repo = Repo::open(&args.repo).map_err(Failure::input)?;
    let opts = Options {
        rev: args.rev.clone(),
        since: args.since,
    };
    let tip = repo.resolve(opts.rev.as_deref()).map_err(Failure::from)?;
    let reads: Vec<&std::path::Path> = args.rules.iter().map(PathBuf::as_path).collect();
    super::refuse_clobber("-o", std::path::Path::new(&args.output), &reads, &[])?;
    let mut sink = super::output::Sink::create(&args.output, "output")?;
    let sink_label = sink.label();

    // Decode on one thread while this one compiles the rules, classifies and prints.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(WALK_QUEUE);
        let walker = scope.spawn(move || repo.walk_into(&opts, tx));
        let rules = RuleSet::load(&args.rules).map_err(Failure::from);
        let printed = rules.and_then(|rules| {
            let reviews = args.reviews.load()?;
            let mut w = sink.writer();
            print(
                &args,
                tip,
                &rules,
                reviews.as_ref(),
                rx,
                &mut w,
                &sink_label,
            )
        });
        // The receiver is gone by now, so the walker stops at its next send.
        let stats = walker
            .join()
            .expect("the walker thread does not panic")
            .map_err(Failure::from)?;
        let errors = printed?;
        sink.finish()?;
        if stats.shallow {
            say!(
                "aiprov: note: {} is a shallow clone: the walk stops at its shallow boundary",
                super::escape_for_terminal(&args.repo.display().to_string())
            );
        }
        if stats.errors > 0 || errors > 0 {
            say!(
                "aiprov: {} commit(s) could not be read; see the error records",
                stats.errors.max(errors as usize)
            );
            return Ok(EXIT_RUNTIME);
        }
        Ok(EXIT_OK)
    })
}

/// Commits buffered between the walker and the classifier (raw commits average well under
/// 1 KiB, so a few MiB at most), enough to keep the walker busy while the rules compile.
const WALK_QUEUE: usize = 4096;

/// Classify and print every entry; returns the number of error records.
fn print(
    args: &Args,
    tip: gix::hash::ObjectId,
    rules: &RuleSet,
    reviews: Option<&crate::review::ReviewIndex>,
    rx: std::sync::mpsc::Receiver<RawEntry>,
    dest: &mut dyn Write,
    label: &str,
) -> Result<u64, Failure> {
    let mut out = BufWriter::with_capacity(64 * 1024, dest);
    let writing = || format!("writing to {}", super::escape_for_terminal(label));
    let mut counts = Counts::new();
    for entry in rx {
        match entry.parse() {
            Entry::Commit(meta) => {
                let verdict = classify::classify(&meta, rules);
                // With review data, the AI commits get their review outcome (the data is taken
                // to speak for this repository, as in `aiprov evidence`).
                let review = match reviews {
                    Some(index) if verdict.class.is_ai() && !meta.is_merge() => Some(
                        crate::review::review(&meta, index.lookup_any(&meta.id), rules),
                    ),
                    _ => None,
                };
                counts.add_reviewed(
                    &meta,
                    &verdict,
                    review
                        .as_ref()
                        .map_or(crate::review::Outcome::Unknown, |r| r.outcome),
                );
                if args.format == Format::Jsonl {
                    let mut record = commit_record(&meta, &verdict);
                    if let Some(r) = &review {
                        record.review_outcome = Some(r.outcome.as_str());
                        record.pull_requests = Some(&r.pull_requests);
                    }
                    write_line(&mut out, &record, label)?;
                }
            }
            Entry::Error { id, message } => {
                counts.errors += 1;
                let error = ErrorRecord {
                    id: &id,
                    error: &message,
                };
                write_line(&mut out, &error, label)?;
            }
        }
    }
    if args.format == Format::Summary {
        let summary = json!({
            "repository": args.repo.display().to_string(),
            "revision": tip.to_string(),
            "commits": counts.commits,
            "merges": counts.merges,
            "classes": counts.classes,
            "tools": counts.tools,
            "ai_with_review": counts.ai_with_review,
            "ai_first": counts.ai_first.map(|t| t.to_rfc3339()),
            "ai_last": counts.ai_last.map(|t| t.to_rfc3339()),
            "errors": counts.errors,
        });
        let mut summary = summary;
        if reviews.is_some() {
            let r = &counts.review;
            summary["review"] = json!({
                "ai_approved": r.approved,
                "ai_merged_unapproved": r.merged_unapproved,
                "ai_no_pull_request": r.no_pull_request,
                "ai_unknown": r.unknown,
            });
        }
        crate::text::json_to_writer(&mut out, &summary, true)
            .map_err(std::io::Error::from)
            .with_context(writing)
            .map_err(Failure::runtime)?;
        out.write_all(b"\n")
            .with_context(writing)
            .map_err(Failure::runtime)?;
    }
    out.flush()
        .with_context(writing)
        .map_err(Failure::runtime)?;
    Ok(counts.errors)
}

/// `record` as one JSON line on `out` (`label` names it in errors).
fn write_line(out: &mut impl Write, record: &impl Serialize, label: &str) -> Result<(), Failure> {
    crate::text::json_to_writer(&mut *out, record, false)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .with_context(|| format!("writing to {}", super::escape_for_terminal(label)))
        .map_err(Failure::runtime)
}

/// An author or committer in a [`CommitRecord`].
#[derive(Debug, Serialize)]
pub struct SignatureRecord<'a> {
    /// The name as the commit spells it (bounded by the reader).
    pub name: &'a str,
    /// The e-mail address as the commit spells it.
    pub email: &'a str,
    /// RFC 3339 with the signature's own offset.
    pub time: String,
}

impl<'a> SignatureRecord<'a> {
    fn new(s: &'a Signature) -> SignatureRecord<'a> {
        SignatureRecord {
            name: &s.name,
            email: &s.email,
            time: s.time.to_rfc3339(),
        }
    }
}

/// One JSON Lines record of `aiprov commits` (fields serialize in this order; `tool` and
/// `confidence` are `null` when absent).
#[derive(Debug, Serialize)]
pub struct CommitRecord<'a> {
    /// Full hex commit id.
    pub id: &'a str,
    /// More than one parent.
    pub merge: bool,
    /// Parent ids.
    pub parents: &'a [String],
    /// The author.
    pub author: SignatureRecord<'a>,
    /// The committer.
    pub committer: SignatureRecord<'a>,
    /// The message's first line, bounded.
    pub subject: String,
    /// The verdict's class.
    pub class: &'static str,
    /// The AI tool's slug, when the verdict names one.
    pub tool: Option<&'a str>,
    /// `high`, `medium` or `low`.
    pub confidence: Option<&'static str>,
    /// Header irregularities read leniently, as git reads them (`author.zone`, `committer.ident`,
    /// `author.clamped`, …: [`crate::history::Anomaly::as_str`]); absent for a well-formed commit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub anomalies: Vec<&'static str>,
    /// What matched.
    pub evidence: &'a [Evidence],
    /// Review evidence.
    pub review: &'a [Evidence],
    /// With `--review-data`, AI commits only: the review outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_outcome: Option<&'static str>,
    /// With `--review-data`, AI commits only: the merged requests that brought the commit in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_requests: Option<&'a [crate::review::RequestEvidence]>,
}

/// An unreadable commit in `aiprov commits` output.
#[derive(Debug, Serialize)]
struct ErrorRecord<'a> {
    id: &'a str,
    error: &'a str,
}

/// One JSON Lines record of `aiprov commits`.
pub fn commit_record<'a>(meta: &'a CommitMeta, v: &'a Verdict) -> CommitRecord<'a> {
    CommitRecord {
        id: &meta.id,
        merge: meta.is_merge(),
        parents: &meta.parents,
        author: SignatureRecord::new(&meta.author),
        committer: SignatureRecord::new(&meta.committer),
        subject: classify::bound(meta.message.lines().next().unwrap_or("")),
        class: v.class.as_str(),
        tool: v.tool.as_deref(),
        confidence: v.confidence.map(|c| c.as_str()),
        anomalies: meta.anomalies.iter().map(|a| a.as_str()).collect(),
        evidence: &v.evidence,
        review: &v.review,
        review_outcome: None,
        pull_requests: None,
    }
}
