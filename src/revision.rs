//! The last resort of revision resolution: a component whose SBOM pins no commit, whose registry
//! recorded none and whose version matches no tag.
//!
//! Order (issue 11, `docs/decisions.md`): the registry's release time, then the last commit of
//! the default branch (first-parent chain of `HEAD`) committed at or before it
//! (`aiprov:revision:source` = `release-date`); else `revision-unresolved` with a reason naming
//! what was tried; the default branch itself only when the user asked for it
//! (`--fallback default-branch`, `aiprov:revision:source` = `default-branch`).
//!
//! Release times come from [`crate::registry::RegistryAnswer::released`]; offline they come from
//! the registry cache only, so an offline run with a cold cache knows no release time and tags
//! decide alone.

use gix::hash::ObjectId;

use crate::history::{self, Repo};

/// What to do when neither a pin, a tag nor a release time decides a component's revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fallback {
    /// `revision-unresolved`, with the reason (the default: a wrong release is a wrong answer).
    #[default]
    Unresolved,
    /// Walk the default branch (`HEAD`), and say so (`aiprov:revision:source` = `default-branch`).
    DefaultBranch,
}

impl Fallback {
    /// Parse `--fallback VALUE`: `none` or `default-branch`.
    pub fn parse(s: &str) -> Result<Fallback, String> {
        match s {
            "none" | "unresolved" => Ok(Fallback::Unresolved),
            "default-branch" => Ok(Fallback::DefaultBranch),
            _ => Err(format!(
                "unknown fallback {:?} (none, default-branch)",
                crate::text::bounded(s, 40)
            )),
        }
    }
}

/// How many first-parent commits [`last_commit_before`] reads at most: bounds the time spent on
/// a hostile or enormous history (the answer is then "not found").
pub const MAX_FIRST_PARENT_STEPS: usize = 1_000_000;

/// The newest commit on the first-parent chain of `HEAD` whose committer time is at or before
/// `at` (Unix seconds), with its committer time: the state of the default branch when a release
/// was published. `Ok(None)` when every commit on the chain is newer (the release predates the
/// history, or the chain is longer than [`MAX_FIRST_PARENT_STEPS`]).
pub fn last_commit_before(repo: &Repo, at: i64) -> Result<Option<(ObjectId, i64)>, String> {
    let head = repo.resolve(None).map_err(|e| match e {
        history::Error::Empty { .. } => "the repository has no commits".to_string(),
        e => e.to_string(),
    })?;
    let g = repo.gix();
    let mut id = head;
    for _ in 0..MAX_FIRST_PARENT_STEPS {
        let commit = g
            .find_commit(id)
            .map_err(|e| format!("cannot read commit {id}: {e}"))?;
        let time = commit
            .time()
            .map_err(|e| format!("cannot read commit {id}: {e}"))?
            .seconds;
        if time <= at {
            return Ok(Some((id, time)));
        }
        let parent = commit.parent_ids().next().map(|p| p.detach());
        match parent {
            Some(p) => id = p,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// Unix seconds as RFC 3339 UTC (`2025-06-01T12:00:00Z`); the number itself when out of
/// range. Also how `enrich` writes `aiprov:range` and `aiprov:summary:since`.
pub fn rfc3339(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| seconds.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_values() {
        assert_eq!(Fallback::parse("none"), Ok(Fallback::Unresolved));
        assert_eq!(
            Fallback::parse("default-branch"),
            Ok(Fallback::DefaultBranch)
        );
        assert!(Fallback::parse("head").is_err());
    }
}
