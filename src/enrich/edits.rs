//! Stage 3: the results as `aiprov:` property edits for the document ([`Edits`], [`Tally`]).

use super::*;

/// What [`edits`] counted, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Components per status (every status present, zero included).
    pub statuses: BTreeMap<Status, usize>,
    /// Analyzed components with at least one AI commit.
    pub components_with_ai: usize,
    /// Distinct repositories for which no local copy was found (`repository-unavailable`).
    pub unavailable_repositories: usize,
}

/// `since` as written in `aiprov:range` and `aiprov:summary:since`: RFC 3339, UTC.
pub fn format_since(since: i64) -> String {
    crate::revision::rfc3339(since)
}

/// The properties to write: per component (`docs/properties.md`) and for the document
/// (`aiprov:summary:*`).
pub fn edits(
    inventory: &Inventory,
    plan: &Plan,
    results: &Results,
    since: Option<i64>,
) -> (Edits, Tally) {
    let mut e = Edits::default();
    let mut tally = Tally {
        statuses: Status::ALL.iter().map(|s| (*s, 0)).collect(),
        ..Tally::default()
    };
    let mut unavailable: HashSet<&str> = HashSet::new();
    for (c, target) in inventory.components.iter().zip(&plan.targets) {
        let loc = c.locator.as_str();
        match target {
            Target::Skip {
                status,
                reason,
                repository,
                found_by,
            } => {
                *tally.statuses.entry(*status).or_insert(0) += 1;
                if *status == Status::RepositoryUnavailable {
                    if let Some(r) = repository {
                        unavailable.insert(r);
                    }
                }
                e.component(loc, props::STATUS, status.as_str());
                e.component(loc, props::STATUS_REASON, plan.scrub(reason));
                if let Some(r) = repository.as_deref().filter(|r| !plan.is_local(r)) {
                    e.component(loc, props::REPOSITORY, resolve::redact_credentials(r));
                }
                if let Some(f) = found_by {
                    e.component(loc, props::REPOSITORY_SOURCE, f.as_str());
                }
            }
            Target::Walk {
                walk,
                repository,
                source,
                found_by,
                released,
                note,
                ..
            } => {
                let w = &plan.walks[*walk];
                let outcome = &results.walks[*walk];
                let status = if outcome.failure.is_some() {
                    Status::Error
                } else {
                    Status::Analyzed
                };
                *tally.statuses.entry(status).or_insert(0) += 1;
                e.component(loc, props::STATUS, status.as_str());
                if let Some(reason) = outcome.failure.as_ref().or(note.as_ref()) {
                    e.component(loc, props::STATUS_REASON, plan.scrub(reason));
                }
                if !plan.is_local(repository) {
                    e.component(
                        loc,
                        props::REPOSITORY,
                        resolve::redact_credentials(repository),
                    );
                }
                if let Some(f) = found_by {
                    e.component(loc, props::REPOSITORY_SOURCE, f.as_str());
                }
                e.component(loc, props::REVISION, w.revision.to_string());
                e.component(loc, props::REVISION_SOURCE, source.as_str());
                if let Some(t) = released {
                    e.component(loc, props::REVISION_RELEASE_TIME, format_since(*t));
                }
                let range = match since {
                    Some(s) => format!("{}..{}", format_since(s), w.revision),
                    None => w.revision.to_string(),
                };
                e.component(loc, props::RANGE, range);
                if outcome.failure.is_none() {
                    if outcome.counts.ai() > 0 {
                        tally.components_with_ai += 1;
                    }
                    for (name, value) in outcome.counts.properties(props::NAMESPACE) {
                        e.component(loc, name, value);
                    }
                }
            }
        }
    }
    tally.unavailable_repositories = unavailable.len();

    e.summary(
        format!("{SUMMARY_PREFIX}components"),
        inventory.components.len().to_string(),
    );
    for (status, n) in &tally.statuses {
        e.summary(
            format!("{SUMMARY_PREFIX}status:{}", status.as_str()),
            n.to_string(),
        );
    }
    e.summary(
        format!("{SUMMARY_PREFIX}components:ai"),
        tally.components_with_ai.to_string(),
    );
    e.summary(
        format!("{SUMMARY_PREFIX}repositories"),
        plan.repositories().to_string(),
    );
    e.summary(
        format!("{SUMMARY_PREFIX}walks"),
        plan.walks.len().to_string(),
    );
    if let Some(s) = since {
        e.summary(format!("{SUMMARY_PREFIX}since"), format_since(s));
    }
    for (name, value) in results.summary.properties(SUMMARY_PREFIX) {
        e.summary(name, value);
    }
    (e, tally)
}
