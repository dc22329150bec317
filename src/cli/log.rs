//! Verbosity, logging and colour for the whole command line: `-q/--quiet`, `-v/--verbose`
//! (repeatable), the `AIPROV_LOG` filter and `NO_COLOR`.
//!
//! Log records go to stderr through `tracing-subscriber`. The default level is `warn`; `-v`
//! shows `info` (what each stage did, with durations), `-vv` `debug` (every registry question,
//! every fetch), `-vvv` `trace`. `AIPROV_LOG` replaces that with a `tracing` filter directive
//! (`AIPROV_LOG=aiprov::fetch=debug`, `AIPROV_LOG=trace`); without it only aiprov's own records
//! are shown (not gix's or reqwest's). `-q` hides progress and the end-of-run summary; warnings
//! and errors still appear.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);

/// The flags every subcommand takes (`aiprov -v enrich …` and `aiprov enrich … -v` both work).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Verbosity {
    /// Print only warnings and errors on stderr: no progress, no summary
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Log what each stage does on stderr; -vv for every registry question and fetch, -vvv for
    /// everything (AIPROV_LOG=FILTER, a tracing filter directive, takes precedence)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Set the process-wide verbosity and install the stderr logger (once; later calls only change
/// the quiet flag). A bad `AIPROV_LOG` falls back to the level the flags ask for, with a warning.
pub fn init(v: &Verbosity) {
    QUIET.store(v.quiet, Ordering::Relaxed);
    let level = match (v.quiet, v.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let default = format!("aiprov={level}");
    let mut bad = None;
    let filter = match std::env::var("AIPROV_LOG") {
        Ok(s) if !s.trim().is_empty() => tracing_subscriber::EnvFilter::try_new(s.trim())
            .unwrap_or_else(|e| {
                bad = Some(e.to_string());
                tracing_subscriber::EnvFilter::new(&default)
            }),
        _ => tracing_subscriber::EnvFilter::new(&default),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color(&std::io::stderr()))
        .with_target(v.verbose >= 2)
        .without_time()
        .try_init();
    if let Some(e) = bad {
        say!(
            "aiprov: warning: AIPROV_LOG: {}; using {default}",
            super::escape_for_terminal(&e)
        );
    }
}

/// `-q` was given: no progress and no summary lines.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Whether to colour what goes to `stream`: a terminal, and `NO_COLOR` unset or empty
/// (<https://no-color.org>: "when present and not an empty string").
pub fn color(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether progress may be drawn on stderr: a terminal, and not `-q`.
pub fn progress() -> bool {
    !quiet() && std::io::stderr().is_terminal()
}
