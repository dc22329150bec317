//! Progress on a terminal for the stages of `enrich` and `scan` that take time (registry lookups,
//! clones and fetches: counts and the current repository), and the end-of-run line that lists
//! failed clones by reason. Nothing is drawn when stderr is not a terminal or with `-q`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::enrich::PlanEvent;
use crate::sbom::bounded;

use super::escape_for_terminal;

/// Draws [`PlanEvent`]s as one progress bar per stage and remembers failed clones.
pub(super) struct PlanProgress {
    bar: indicatif::ProgressBar,
    draw: bool,
    failed: Mutex<Vec<String>>,
}

impl PlanProgress {
    pub(super) fn new() -> PlanProgress {
        PlanProgress {
            bar: indicatif::ProgressBar::hidden(),
            draw: super::log::progress(),
            failed: Mutex::new(Vec::new()),
        }
    }

    fn stage(&self, what: &str, total: usize) {
        if !self.draw || total == 0 {
            return;
        }
        let template = format!(
            "{{spinner}} {what} {{pos}}/{{len}} [{{bar:30}}] {{elapsed}} {{prefix}} {{wide_msg}}"
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.reset();
        self.bar.set_prefix("");
        self.bar.set_message("");
        self.bar.set_length(total as u64);
        self.bar
            .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        self.bar
            .enable_steady_tick(std::time::Duration::from_millis(200));
    }

    /// Handle one event (from any worker thread).
    pub(super) fn on(&self, event: PlanEvent<'_>) {
        match event {
            PlanEvent::LookupsStart { total } => self.stage("registry lookups", total),
            PlanEvent::LookupDone { component } => {
                self.bar
                    .set_message(escape_for_terminal(&bounded(component, 120)));
                self.bar.inc(1);
            }
            PlanEvent::FetchesStart { total } => self.stage("fetching repositories", total),
            PlanEvent::FetchStart { repository } => {
                self.bar
                    .set_message(escape_for_terminal(&bounded(repository, 120)));
            }
            PlanEvent::FetchDone { error, .. } => {
                if let Some(e) = error {
                    let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
                    failed.push(e.to_string());
                    let n = failed.len();
                    drop(failed);
                    self.bar.set_prefix(format!("{n} failed"));
                }
                self.bar.inc(1);
            }
        }
    }

    /// Clear the bar; return the end-of-run line for failed clones, if any:
    /// `3 clones or fetches failed: 2 not found, 1 timed out`.
    pub(super) fn finish(&self) -> Option<String> {
        self.bar.finish_and_clear();
        let failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
        failure_line(&failed)
    }
}

/// Group fetch errors (fetch::FetchError messages) by a coarse reason and count them.
pub(super) fn failure_line(errors: &[String]) -> Option<String> {
    if errors.is_empty() {
        return None;
    }
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for e in errors {
        *by.entry(reason_class(e)).or_default() += 1;
    }
    let mut counts: Vec<(&str, usize)> = by.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
    Some(format!(
        "{} clone{} or fetch{} failed: {} (each component's aiprov:status:reason says more)",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" },
        if errors.len() == 1 { "" } else { "es" },
        parts.join(", ")
    ))
}

/// A coarse, fixed reason for one fetch error message (never the message's own text, which
/// holds untrusted URLs and server output).
fn reason_class(message: &str) -> &'static str {
    // Only what git or aiprov said, not the URL in front (`…/connect-timeout: git clone …`).
    let said = message
        .find(": git ")
        .or_else(|| message.find(": "))
        .map_or(message, |i| &message[i..]);
    let m = said.to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| m.contains(n));
    // Not-found first: git repeats the path, which may hold any word (`connect-timeout.git`).
    if has(&[
        "not found",
        "no such repository",
        "does not exist",
        "does not appear to be a git repository",
        "error: 404",
    ]) {
        "not found"
    } else if has(&["took longer than", "timed out"]) {
        "timed out"
    } else if has(&["refused: "]) {
        "refused by aiprov (unsafe URL)"
    } else if has(&[
        "authentication",
        "could not read username",
        "error: 401",
        "error: 403",
        "permission denied",
        "terminal prompts disabled",
    ]) {
        "authentication required"
    } else if has(&[
        "could not resolve host",
        "name or service not known",
        "temporary failure in name resolution",
    ]) {
        "host not resolved"
    } else if has(&[
        "connection refused",
        "failed to connect",
        "couldn't connect",
        "network is unreachable",
    ]) {
        "connection failed"
    } else if has(&["--offline forbids"]) {
        "offline"
    } else {
        "other errors"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_grouped_by_reason_most_first() {
        let errors: Vec<String> = [
            "https://github.com/a/b: git clone failed: remote: Repository not found.",
            "https://github.com/a/c: git clone failed: fatal: could not read Username for 'https://github.com': terminal prompts disabled",
            "https://github.com/a/d: git clone took longer than 600 s; stopped",
            "https://github.com/a/e: git clone failed: remote: Repository not found.",
            "https://github.com/a/f: git clone failed: something odd",
            "git://127.0.0.1:1/github.com/x/connect-timeout.git: git clone failed: fatal: remote error: no such repository: /github.com/x/connect-timeout.git",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            failure_line(&errors).unwrap(),
            "6 clones or fetches failed: 3 not found, 1 authentication required, 1 other errors, 1 timed out (each component's aiprov:status:reason says more)"
        );
        assert_eq!(failure_line(&[]), None);
        assert_eq!(
            failure_line(&errors[..1]).unwrap(),
            "1 clone or fetch failed: 1 not found (each component's aiprov:status:reason says more)"
        );
    }
}
