//! `aiprov report`: a readable or uploadable report of an enriched SBOM.

use std::path::PathBuf;

use super::check::{parse_policies, read_input, report_violations};
use super::output::Sink;
use super::{Failure, EXIT_OK, EXIT_POLICY};
use crate::policy;
use crate::report;
use crate::sbom;

/// Report on an enriched SBOM as Markdown, HTML, SARIF or JSON
///
/// Reads every format aiprov writes: CycloneDX JSON and XML, SPDX 2.2 / 2.3 JSON and tag-value
/// (aiprov's annotations), SPDX 3.0.1 JSON-LD (its CdxPropertiesExtension entries).
/// Per component: AI share, tools, review coverage, first and last AI commit and status; the
/// components not analyzed with their reasons; totals.
///
/// Formats: markdown (default), html (one self-contained page with a chart of AI share per
/// component), sarif (SARIF 2.1.0: one result per --fail-on violation, located at the component
/// in the SBOM file, for code-scanning upload), json.
/// Several formats in one run: --format FORMAT=FILE, repeated (FILE `-` is stdout); a plain
/// --format FORMAT goes to -o (or stdout).
/// Exit codes: 0 done; 1 a --fail-on policy is violated (the report is still written; each
/// violation is listed on stderr); 2 bad input or a document without aiprov: properties;
/// 3 the output cannot be written.
///
/// Examples:
///   aiprov report enriched.cdx.json
///   aiprov report enriched.cdx.json --format html -o aiprov-report.html
///   aiprov report enriched.cdx.json --format sarif -o aiprov.sarif --fail-on 'unreviewed-ai>0'
///   aiprov report enriched.cdx.json --format markdown=report.md --format sarif=aiprov.sarif
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The enriched SBOM (`-` for stdin)
    input: PathBuf,
    /// markdown, html, sarif or json [default: markdown]; FORMAT=FILE writes that format to
    /// FILE. Repeatable
    #[arg(long, value_name = "FORMAT[=FILE]", value_parser = parse_format_arg)]
    format: Vec<(Format, Option<PathBuf>)>,
    /// Write the report here instead of stdout (the --format given without =FILE)
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// The configuration file; its [defaults] table gives fail-on [default:
    /// $XDG_CONFIG_HOME/aiprov/config.toml when it exists]
    #[arg(long, value_name = "FILE", env = "AIPROV_CONFIG")]
    config: Option<PathBuf>,
    /// Fail (exit 1) when EXPR holds for a component, e.g. ai-share>0.5, unreviewed-ai>0,
    /// tool=devin, status!=analyzed, pkg:npm/*:ai-share>0.5. Repeatable
    #[arg(long = "fail-on", value_name = "EXPR")]
    fail_on: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Markdown,
    Html,
    Sarif,
    Json,
}

/// `markdown` or `markdown=report.md`.
fn parse_format_arg(s: &str) -> Result<(Format, Option<PathBuf>), String> {
    use clap::ValueEnum as _;
    let (name, path) = match s.split_once('=') {
        Some((n, p)) if !p.is_empty() => (n, Some(PathBuf::from(p))),
        Some(_) => return Err("expected FORMAT=FILE with a file name after `=`".into()),
        None => (s, None),
    };
    let format = Format::from_str(name, true)
        .map_err(|_| "unknown format (expected markdown, html, sarif or json)".to_string())?;
    Ok((format, path))
}

/// Where each format goes: `--format F=FILE` pairs, plus the one plain `--format F` (or
/// markdown when none is given at all) to -o or stdout. Refuses two plain formats, two formats
/// on stdout, and any output that is the input, the configuration or another output (exit 2).
fn destinations(args: &Args) -> Result<Vec<(Format, String)>, Failure> {
    let plain: Vec<Format> = args
        .format
        .iter()
        .filter(|(_, p)| p.is_none())
        .map(|(f, _)| *f)
        .collect();
    if plain.len() > 1 {
        return Err(Failure::input(anyhow::anyhow!(
            "--format: give at most one format without =FILE (it goes to -o or stdout); write the others as FORMAT=FILE"
        )));
    }
    let to_output = args
        .output
        .as_ref()
        .map_or_else(|| "-".to_string(), |p| p.display().to_string());
    let mut out: Vec<(Format, String)> = Vec::new();
    if let Some(f) = plain.first() {
        out.push((*f, to_output));
    } else if args.format.is_empty() {
        out.push((Format::Markdown, to_output));
    } else if args.output.is_some() {
        return Err(Failure::input(anyhow::anyhow!(
            "-o: every --format names its own file; give one --format without =FILE for -o"
        )));
    }
    for (f, p) in &args.format {
        if let Some(p) = p {
            out.push((*f, p.display().to_string()));
        }
    }
    if out.iter().filter(|(_, d)| d == "-").count() > 1 {
        return Err(Failure::input(anyhow::anyhow!(
            "--format: only one format can go to stdout"
        )));
    }
    let mut reads: Vec<&std::path::Path> = vec![&args.input];
    reads.extend(args.config.as_deref());
    for (i, (_, dest)) in out.iter().enumerate() {
        let others: Vec<(&str, &std::path::Path)> = out[..i]
            .iter()
            .map(|(_, d)| ("another --format", std::path::Path::new(d.as_str())))
            .collect();
        super::refuse_clobber("--format", std::path::Path::new(dest), &reads, &others)?;
    }
    Ok(out)
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    let config = super::config::load(args.config.as_deref())?;
    let policies = parse_policies(&super::config::fail_on(&args.fail_on, &config))?;
    let destinations = destinations(&args)?;
    let (label, bytes) = read_input(&args.input)?;
    // Only read: a signature is accepted as it is (nothing is written back).
    let doc = sbom::read(
        &label,
        &bytes,
        &sbom::ReadOptions {
            strip_signature: true,
        },
    )?;
    super::warn_read(&doc);
    let components = report::components(&doc);
    let violations = policy::evaluate(&policies, &components);
    let mut r = report::build(&label, &doc, &components, violations).map_err(Failure::input)?;
    r.policies = policies.iter().map(|p| p.text.clone()).collect();
    // Every destination is opened before anything is written, so an unwritable one fails first
    // and leaves no other report half-made.
    let mut sinks = Vec::new();
    for (format, dest) in &destinations {
        sinks.push((*format, Sink::create(dest, "report")?));
    }
    for (format, sink) in sinks {
        let text = render(format, &r, &policies, &doc, &label, &bytes)?;
        sink.write_all_and_finish(text.as_bytes())?;
    }
    report_violations(&r.violations);
    Ok(if r.violations.is_empty() {
        EXIT_OK
    } else {
        EXIT_POLICY
    })
}

fn render(
    format: Format,
    r: &report::Report,
    policies: &[policy::Policy],
    doc: &sbom::Document,
    label: &str,
    bytes: &[u8],
) -> Result<String, Failure> {
    let text = match format {
        Format::Markdown => report::to_markdown(r),
        Format::Html => report::to_html(r),
        Format::Json => pretty(&report::to_json(r))?,
        Format::Sarif => {
            let source =
                String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
                    .into_owned();
            let uri = if label == "-" {
                "stdin".to_string()
            } else {
                report::path_uri(label)
            };
            pretty(&report::to_sarif_for(
                r,
                policies,
                doc,
                &source,
                &uri,
                env!("CARGO_PKG_VERSION"),
            ))?
        }
    };
    Ok(text)
}

fn pretty(v: &serde_json::Value) -> Result<String, Failure> {
    let mut s = crate::text::json_to_string(v, true).map_err(Failure::runtime)?;
    s.push('\n');
    Ok(s)
}
