//! `aiprov report`: a readable or uploadable report of an enriched SBOM.

use std::path::PathBuf;

use super::check::{parse_policies, read_input, report_violations};
use super::output::write_output;
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
/// Exit codes: 0 done; 1 a --fail-on policy is violated (the report is still written; each
/// violation is listed on stderr); 2 bad input or a document without aiprov: properties;
/// 3 the output cannot be written.
///
/// Examples:
///   aiprov report enriched.cdx.json
///   aiprov report enriched.cdx.json --format html -o aiprov-report.html
///   aiprov report enriched.cdx.json --format sarif -o aiprov.sarif --fail-on 'unreviewed-ai>0'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The enriched SBOM (`-` for stdin)
    input: PathBuf,
    /// markdown, html, sarif or json
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// Write the report here instead of stdout
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
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

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    let policies = parse_policies(&args.fail_on)?;
    if let Some(out) = &args.output {
        super::refuse_clobber("-o", out, &[&args.input], &[])?;
    }
    let (label, bytes) = read_input(&args.input)?;
    let doc = sbom::read(&label, &bytes, &sbom::ReadOptions::default())?;
    super::warn_read(&doc);
    let components = report::components(&doc);
    let violations = policy::evaluate(&policies, &components);
    let r = report::build(&label, &doc, &components, violations).map_err(Failure::input)?;
    let text = match args.format {
        Format::Markdown => report::to_markdown(&r),
        Format::Html => report::to_html(&r),
        Format::Json => pretty(&report::to_json(&r))?,
        Format::Sarif => {
            let source =
                String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
                    .into_owned();
            let uri = if label == "-" {
                "stdin".to_string()
            } else {
                report::path_uri(&label)
            };
            pretty(&report::to_sarif_for(
                &r,
                &policies,
                &doc,
                &source,
                &uri,
                env!("CARGO_PKG_VERSION"),
            ))?
        }
    };
    write_output(args.output.as_deref(), "report", text.as_bytes())?;
    report_violations(&r.violations);
    Ok(if r.violations.is_empty() {
        EXIT_OK
    } else {
        EXIT_POLICY
    })
}

fn pretty(v: &serde_json::Value) -> Result<String, Failure> {
    let mut s = serde_json::to_string_pretty(v).map_err(Failure::runtime)?;
    s.push('\n');
    Ok(s)
}
