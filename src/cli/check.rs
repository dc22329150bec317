//! `aiprov check`: the minimum-elements check of one SBOM, and the `--fail-on` policy gate.
//! Also the input/output helpers `report` and `evidence` share.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::json;

use super::{Failure, EXIT_OK, EXIT_POLICY};
use crate::check::{self, Profile, Report, Status};
use crate::policy::{self, Policy, Violation};
use crate::provenance;
use crate::sbom::{self, cyclonedx};

/// Check an SBOM against a minimum-elements profile (CISA 2026, CISA 2025 draft, NTIA 2021)
///
/// Each element is `pass` (every subject states it), `declared-unknown` (stated or declared
/// unknown, e.g. `cdx:cisa:unknown-information`, compositions `unknown`), `partial` (some
/// components miss it) or `missing`. Reads CycloneDX JSON and XML (1.2 to 1.7), SPDX 2.2 / 2.3
/// JSON and tag-value (`NOASSERTION` is a declared unknown) and SPDX 3.0.1 JSON-LD.
/// Exit codes: 0 no element missing; 1 an element is missing or a --fail-on policy is violated
/// (each violation is listed on stderr); 2 bad input.
///
/// Examples:
///   aiprov check bom.cdx.json
///   aiprov check bom.cdx.json --profile ntia-2021 --format json
///   aiprov check enriched.cdx.json --fail-on 'unreviewed-ai>0' --fail-on 'pkg:npm/*:ai-share>0.5'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The SBOM (`-` for stdin)
    input: PathBuf,
    /// cisa-2026 (17 fields), cisa-2025-draft (11), ntia-2021 (7) [default: the configuration's
    /// defaults.profile, else cisa-2026]
    #[arg(long, value_name = "PROFILE", value_parser = parse_profile)]
    profile: Option<Profile>,
    /// table: one line per element; json: {"profile", "format", "elements": [...]}
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Fail (exit 1) when EXPR holds for a component, e.g. ai-share>0.5, unreviewed-ai>0,
    /// tool=devin, status!=analyzed, pkg:npm/*:ai-share>0.5. Repeatable
    #[arg(long = "fail-on", value_name = "EXPR")]
    fail_on: Vec<String>,
    /// Write the result here instead of stdout (`-` for stdout)
    #[arg(short = 'o', long = "output", value_name = "OUT", default_value = "-")]
    output: String,
    /// The configuration file; its [defaults] table gives profile and fail-on [default:
    /// $XDG_CONFIG_HOME/aiprov/config.toml when it exists]
    #[arg(long, value_name = "FILE", env = "AIPROV_CONFIG")]
    config: Option<PathBuf>,
    /// Do not hold ELEMENT against the document (a profile element name, e.g. "SBOM Author
    /// Signature"; case-insensitive); it is listed as waived. Repeatable
    #[arg(long = "waive", value_name = "ELEMENT")]
    waive: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Table,
    Json,
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.as_str()).collect();
        format!("unknown profile (expected {})", names.join(", "))
    })
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    let config = super::config::load(args.config.as_deref())?;
    let policies = parse_policies(&super::config::fail_on(&args.fail_on, &config))?;
    let profile = match (args.profile, &config.defaults.profile) {
        (Some(p), _) => p,
        (None, Some(name)) => Profile::parse(name).unwrap_or(Profile::Cisa2026),
        (None, None) => Profile::Cisa2026,
    };
    let mut reads: Vec<&Path> = vec![&args.input];
    reads.extend(args.config.as_deref());
    super::refuse_clobber("-o", Path::new(&args.output), &reads, &[])?;
    let (label, bytes) = read_input(&args.input)?;
    // Only read: a signature is accepted as it is (nothing is written back).
    let doc = sbom::read(
        &label,
        &bytes,
        &cyclonedx::ReadOptions {
            strip_signature: true,
        },
    )?;
    drop(bytes);
    super::warn_read(&doc);
    let facts = check::facts(&doc);
    let mut waived = Vec::new();
    for w in &args.waive {
        match check::element_named(profile, w) {
            Some(name) => waived.push(name),
            None => {
                let names: Vec<&str> = profile.elements().iter().map(|(n, _)| *n).collect();
                return Err(Failure::input(anyhow::anyhow!(
                    "--waive {}: not an element of {} (one of: {})",
                    crate::text::escape_for_terminal(w),
                    profile.as_str(),
                    names.join(", ")
                )));
            }
        }
    }
    let report = check::check_with(&facts, profile, &waived);
    // Without a policy there is nothing to evaluate: no copy of every component's provenance.
    let violations = if policies.is_empty() {
        Vec::new()
    } else {
        policy::evaluate(&policies, &provenance::components(&doc))
    };
    drop(doc);

    let out = match args.format {
        Format::Json => {
            let mut v = serde_json::to_value(&report).map_err(Failure::runtime)?;
            v["file"] = json!(label);
            if !policies.is_empty() {
                v["violations"] = serde_json::to_value(&violations).map_err(Failure::runtime)?;
            }
            let mut s = crate::text::json_to_string(&v, true).map_err(Failure::runtime)?;
            s.push('\n');
            s
        }
        Format::Table => table(&label, &report),
    };
    super::output::write_output(Some(Path::new(&args.output)), "result", out.as_bytes())?;
    let missing: Vec<&str> = report
        .elements
        .iter()
        .filter(|e| e.status == Status::Missing)
        .map(|e| e.element)
        .collect();
    if !missing.is_empty() {
        say!(
            "aiprov: {} element(s) missing for {}: {}",
            missing.len(),
            report.profile,
            missing.join(", ")
        );
    }
    let missing = !missing.is_empty();
    report_violations(&violations);
    Ok(if missing || !violations.is_empty() {
        EXIT_POLICY
    } else {
        EXIT_OK
    })
}

fn table(label: &str, r: &Report) -> String {
    let mut s = format!(
        "{} minimum elements: {} ({})\n\n",
        r.profile,
        crate::text::bounded(label, 200),
        r.format
    );
    s.push_str(&format!(
        "{:<34} {:<9} {:<16} {:>11}  {}\n",
        "ELEMENT", "SCOPE", "STATUS", "PASSING", "FOUND / FAILING"
    ));
    for e in &r.elements {
        let note = if e.examples.is_empty() || e.scope == "document" && !e.detail.is_empty() {
            e.detail.clone()
        } else {
            let more = if e.total - e.passing > e.examples.len() {
                ", …"
            } else {
                ""
            };
            format!(
                "e.g. {}{more}",
                e.examples
                    .iter()
                    .map(|x| crate::text::bounded(x, 80))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        s.push_str(&format!(
            "{:<34} {:<9} {:<16} {:>11}  {}\n",
            e.element,
            e.scope,
            e.status.as_str(),
            format!("{}/{}", e.passing, e.total),
            note
        ));
    }
    let count = |st: Status| r.elements.iter().filter(|e| e.status == st).count();
    s.push_str(&format!(
        "\n{} elements: {} pass, {} declared-unknown, {} partial, {} missing",
        r.elements.len(),
        count(Status::Pass),
        count(Status::DeclaredUnknown),
        count(Status::Partial),
        count(Status::Missing)
    ));
    // Only when present, so that reports without them read as before.
    for (st, what) in [
        (Status::Waived, "waived"),
        (Status::NotApplicable, "not-applicable"),
    ] {
        if count(st) > 0 {
            s.push_str(&format!(", {} {what}", count(st)));
        }
    }
    s.push('\n');
    s
}

/// Parse every `--fail-on` expression; the first bad one is an input error (exit 2).
pub(super) fn parse_policies(exprs: &[String]) -> Result<Vec<Policy>, Failure> {
    exprs
        .iter()
        .map(|e| policy::parse(e).map_err(Failure::from))
        .collect()
}

/// List each violation on stderr, then their number.
pub(super) fn report_violations(violations: &[Violation]) {
    if violations.is_empty() {
        return;
    }
    let mut err = std::io::stderr().lock();
    for v in violations {
        let _ = writeln!(
            err,
            "aiprov: policy violated: {}",
            crate::text::bounded(&v.to_string(), 400)
        );
    }
    let _ = writeln!(err, "aiprov: {} policy violation(s)", violations.len());
}

/// Read a file, or stdin for `-`; returns a label for messages and the bytes.
pub(super) fn read_input(path: &Path) -> Result<(String, Vec<u8>), Failure> {
    if path.as_os_str() == "-" {
        return Ok((
            "-".into(),
            super::read_capped(std::io::stdin().lock(), "-")?,
        ));
    }
    let label = path.display().to_string();
    let f = std::fs::File::open(path)
        .with_context(|| format!("{}: cannot read", crate::text::bounded(&label, usize::MAX)))
        .map_err(Failure::input)?;
    let bytes = super::read_capped(f, &label)?;
    Ok((label, bytes))
}
