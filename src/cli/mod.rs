//! The command line: the only module that knows clap, terminals and exit codes.
//!
//! Exit codes (`../shared/docs/design.md`, "Interfaces"): 0 success; 1 a policy was violated;
//! 2 bad input or usage (clap uses 2 for usage errors too); 3 a runtime failure after valid input
//! (I/O, an unreadable repository object). A closed stdout (`aiprov … | head`) exits 0.

/// `eprintln!` that ignores a closed or broken stderr instead of panicking (a pipeline may close
/// it: `aiprov … 2>&1 | head -1`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod batch;
mod check;
mod clock;
mod commits;
mod completions;
mod config;
mod diff;
mod enrich;
mod evidence;
mod guard;
pub mod log;
mod output;
mod progress;
mod report;
mod reviews;
mod scan;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code when a `--fail-on` policy was violated.
pub const EXIT_POLICY: u8 = 1;
/// Exit code for bad input or usage.
pub const EXIT_INPUT: u8 = 2;
/// Exit code for a runtime failure after valid input.
pub const EXIT_RUNTIME: u8 = 3;

/// Which components of an SBOM contain AI-generated code, and was it reviewed?
///
/// aiprov classifies git commits from their metadata (AI agents as authors, AI co-author
/// trailers, vendor footers, `Assisted-by:` disclosures, known automation) with rule packs kept
/// as data, and writes the evidence back into SBOMs.
#[derive(Debug, Parser)]
#[command(name = "aiprov", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    verbosity: log::Verbosity,
}

#[derive(Debug, Subcommand)]
enum Command {
    // No doc comments here: they would replace each subcommand's own (long) help.
    Enrich(enrich::Args),
    Commits(commits::Args),
    Check(check::Args),
    Report(report::Args),
    Evidence(evidence::Args),
    Scan(scan::Args),
    Diff(diff::Args),
    Reviews(reviews::Args),
    Completions(completions::CompletionsArgs),
    Man(completions::ManArgs),
}

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// 2 for bad input, 3 for runtime failures.
    pub code: u8,
    /// What happened, with its causes.
    pub error: anyhow::Error,
}

impl Failure {
    /// Bad input or usage: exit 2.
    pub fn input(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code: EXIT_INPUT,
            error: error.into(),
        }
    }
    /// A runtime failure: exit 3.
    pub fn runtime(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code: EXIT_RUNTIME,
            error: error.into(),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::runtime(e)
    }
}

/// The exit code of each library error that has only one meaning, in one table: `?` on them in
/// a subcommand picks the code. Errors whose meaning depends on the call (a git error is bad
/// input when the user's path is no repository, a runtime failure when an object is unreadable)
/// stay explicit at the call site with [`Failure::input`] / [`Failure::runtime`].
macro_rules! exit_codes {
    ($($error:ty => $code:expr,)*) => {
        $(impl From<$error> for Failure {
            fn from(e: $error) -> Failure {
                Failure { code: $code, error: e.into() }
            }
        })*
    };
}

exit_codes! {
    crate::sbom::Error => EXIT_INPUT,
    crate::resolve::Error => EXIT_INPUT,
    crate::classify::pack::Error => EXIT_INPUT,
    crate::config::ConfigError => EXIT_INPUT,
    crate::policy::ParseError => EXIT_INPUT,
    crate::scan::Error => EXIT_INPUT,
}

/// A repository that cannot be opened or a revision it does not have is bad input (2); a revision
/// whose object the store cannot read is a runtime failure (3: a corrupt object store).
impl From<crate::history::Error> for Failure {
    fn from(e: crate::history::Error) -> Failure {
        match e {
            crate::history::Error::Unreadable { .. } => Failure::runtime(e),
            _ => Failure::input(e),
        }
    }
}

impl From<crate::pipeline::SetupError> for Failure {
    fn from(e: crate::pipeline::SetupError) -> Failure {
        match e {
            crate::pipeline::SetupError::Input(e) => Failure::input(e),
            crate::pipeline::SetupError::Runtime(e) => Failure::runtime(e),
        }
    }
}

/// Run a parsed command line and return the process exit code. Errors are printed on stderr as
/// one line, `aiprov: <what>: <cause>…`.
pub fn run(cli: Cli) -> ExitCode {
    log::init(&cli.verbosity);
    let result = match cli.command {
        Command::Enrich(args) => enrich::run(args),
        Command::Commits(args) => commits::run(args),
        Command::Check(args) => check::run(args),
        Command::Report(args) => report::run(args),
        Command::Evidence(args) => evidence::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Reviews(args) => reviews::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) if is_broken_pipe(&f.error) => ExitCode::SUCCESS,
        Err(f) => {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(
                err,
                "aiprov: {}",
                escape_for_terminal(&format!("{:#}", f.error))
            );
            ExitCode::from(f.code)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

pub use crate::text::escape_for_terminal;

/// The most bytes aiprov reads from one input file or stdin (SBOMs of a million components are
/// well under it); more is refused rather than read until memory runs out (`/dev/zero`).
pub const MAX_INPUT_BYTES: u64 = 2 << 30;

/// Read all of `reader` (the file or stdin named `label`), refusing more than
/// [`MAX_INPUT_BYTES`]. Errors are bad input (exit 2).
pub(crate) fn read_capped(reader: impl std::io::Read, label: &str) -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            Failure::input(
                anyhow::Error::from(e)
                    .context(format!("{}: cannot read", escape_for_terminal(label))),
            )
        })?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Failure::input(anyhow::anyhow!(
            "{}: larger than the {} GiB aiprov reads from one input",
            escape_for_terminal(label),
            MAX_INPUT_BYTES >> 30
        )));
    }
    Ok(bytes)
}

/// Refuse to write `dest` (a path, or `-` for stdout) when it is the same file as one this run
/// reads (`reads`: the input, a repo map, rule packs, a config file, a lockfile) or another
/// output of the same run (`others`). aiprov never overwrites what it reads. Exit 2.
pub(crate) fn refuse_clobber(
    flag: &str,
    dest: &Path,
    reads: &[&Path],
    others: &[(&str, &Path)],
) -> Result<(), Failure> {
    if dest == Path::new("-") {
        return Ok(());
    }
    let same = |other: &Path| {
        if other == Path::new("-") {
            return false;
        }
        match (std::fs::canonicalize(dest), std::fs::canonicalize(other)) {
            (Ok(a), Ok(b)) => a == b,
            _ => dest == other,
        }
    };
    if let Some(r) = reads.iter().find(|r| same(r)) {
        return Err(Failure::input(anyhow::anyhow!(
            "{}: {flag} would overwrite {}, which this run reads; aiprov never writes what it reads",
            escape_for_terminal(&dest.display().to_string()),
            escape_for_terminal(&r.display().to_string())
        )));
    }
    if let Some((other_flag, _)) = others.iter().find(|(_, o)| same(o)) {
        return Err(Failure::input(anyhow::anyhow!(
            "{}: {flag} and {other_flag} name the same file",
            escape_for_terminal(&dest.display().to_string())
        )));
    }
    Ok(())
}

/// Parse a `--since` date: `YYYY-MM-DD` (midnight UTC) or RFC 3339. Returns Unix seconds.
pub fn parse_date(s: &str) -> Result<i64, String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| {
            format!(
                "`{}` is not a date (expected YYYY-MM-DD or RFC 3339)",
                escape_for_terminal(s)
            )
        })
}

/// Print what the SBOM reader noticed without refusing the document (one `aiprov: warning:` line
/// each, escaped), before anything else is said about it.
pub(crate) fn warn_read(doc: &crate::sbom::Document) {
    let mut err = std::io::stderr().lock();
    for w in doc.read_warnings() {
        let _ = writeln!(
            err,
            "aiprov: warning: {}",
            crate::text::escape_for_terminal(w)
        );
    }
}
