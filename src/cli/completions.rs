//! `aiprov completions SHELL` and `aiprov man`: shell completion scripts (clap_complete) and the
//! roff man page (clap_mangen), both generated from the same clap definition as `--help`.

use clap::CommandFactory;

use super::{Cli, Failure, EXIT_OK};

/// Print a shell completion script on stdout
///
/// Examples:
///   aiprov completions bash > ~/.local/share/bash-completion/completions/aiprov
///   aiprov completions zsh > "${fpath[1]}/_aiprov"
///   aiprov completions fish > ~/.config/fish/completions/aiprov.fish
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Print a man page (roff) on stdout: aiprov(1), or aiprov-COMMAND(1) for one subcommand
///
/// A nested subcommand has its own page: aiprov man reviews export → aiprov-reviews-export(1).
///
/// Examples:
///   aiprov man > aiprov.1 && man ./aiprov.1
///   aiprov man enrich | gzip > /usr/local/share/man/man1/aiprov-enrich.1.gz
///   aiprov man reviews export > aiprov-reviews-export.1
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {
    /// The subcommand whose page to print (enrich, commits, check, report, evidence, scan,
    /// reviews export, …)
    command: Vec<String>,
}

pub(super) fn completions(args: CompletionsArgs) -> Result<u8, Failure> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "aiprov", &mut out);
    emit(&out)
}

pub(super) fn man(args: ManArgs) -> Result<u8, Failure> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut page = cmd;
    let mut path = vec!["aiprov".to_string()];
    for name in &args.command {
        let sub = page
            .get_subcommands()
            .find(|s| s.get_name() == name)
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = page.get_subcommands().map(|s| s.get_name()).collect();
                Failure::input(anyhow::anyhow!(
                    "man: unknown command `{}` (expected one of {})",
                    super::escape_for_terminal(name),
                    names.join(", ")
                ))
            })?;
        path.push(sub.get_name().to_string());
        let full = path.join("-");
        page = sub.name(full.clone()).bin_name(full);
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(Failure::runtime)?;
    emit(&out)
}

fn emit(bytes: &[u8]) -> Result<u8, Failure> {
    super::output::write_output(None, "output", bytes)?;
    Ok(EXIT_OK)
}
