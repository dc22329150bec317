//! The `aiprov` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    aiprov::cli::run(aiprov::cli::Cli::parse())
}
