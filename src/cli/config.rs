//! The user's configuration file as the command line reads it: `--config FILE`, else
//! `AIPROV_CONFIG`, else `$XDG_CONFIG_HOME/aiprov/config.toml` when it exists; and the flag
//! defaults of its `[defaults]` table (`profile`, `fail-on`, `mirror-dir`).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{escape_for_terminal, Failure};
use crate::config::FileConfig;

/// Read the configuration: `explicit` (from `--config` or `AIPROV_CONFIG`, which clap merges),
/// else the default path when that file exists, else the built-in defaults. Relative
/// `[defaults] mirror-dir` entries are made relative to the file's folder. Errors are bad input
/// (exit 2) naming the file.
pub(super) fn load(explicit: Option<&Path>) -> Result<FileConfig, Failure> {
    let path = explicit
        .map(Path::to_path_buf)
        .or_else(|| FileConfig::default_path().filter(|p| p.is_file()));
    let Some(path) = path else {
        return Ok(FileConfig::default());
    };
    let label = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .with_context(|| {
            format!(
                "{}: cannot read the configuration",
                escape_for_terminal(&label)
            )
        })
        .map_err(Failure::input)?;
    let mut config =
        FileConfig::from_toml(&label, &text).map_err(|e| Failure::input(anyhow::anyhow!("{e}")))?;
    let base = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    for dir in &mut config.defaults.mirror_dirs {
        if dir.is_relative() {
            *dir = base.join(&*dir);
        }
    }
    if let Some(p) = &config.defaults.profile {
        if crate::check::Profile::parse(p).is_none() {
            return Err(Failure::input(anyhow::anyhow!(
                "{}: defaults.profile: unknown profile `{}`",
                escape_for_terminal(&label),
                escape_for_terminal(p)
            )));
        }
    }
    Ok(config)
}

/// The `--fail-on` expressions to use: the command line's when it gave any, else the
/// configuration's `[defaults] fail-on`.
pub(super) fn fail_on(given: &[String], config: &FileConfig) -> Vec<String> {
    if given.is_empty() {
        config.defaults.fail_on.clone()
    } else {
        given.to_vec()
    }
}
