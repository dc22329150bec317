//! Classifying one commit from its metadata: a pure function of a [`CommitMeta`] and a
//! [`RuleSet`], no I/O.
//!
//! Every rule whose field matches contributes evidence; the verdict's class comes from the
//! strongest of them (`../shared/docs/ai-signals.md` §7, precision first):
//! AI rules (ai-agent, ai-assisted) beat automation, whatever their confidence, because an AI
//! trailer on a bot's commit (a backport carrying the original's `Co-authored-by: Claude`)
//! attributes content; among AI rules a higher confidence wins, then ai-agent over ai-assisted.
//! Review rules never set the class: they fill [`Verdict::review`].

pub mod gitai;
pub mod message;
pub mod pack;

use serde::{Deserialize, Serialize};

pub use pack::{Field, Rule, RuleSet};

use crate::history::{CommitMeta, Signature, MAX_MESSAGE_BYTES, MAX_NOTE_BYTES};

/// Characters of matched text kept in an evidence item.
pub const MAX_EXCERPT_CHARS: usize = 160;

/// The class of a commit (`../shared/docs/design.md`, "Classification").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// An AI agent is the git author.
    AiAgent,
    /// A human author, with an AI tool attributed by trailer, footer, session link or disclosure.
    AiAssisted,
    /// A non-AI bot.
    Automation,
    /// Nothing marks it. Not "human": markers are often stripped or disabled.
    NoEvidence,
}

impl Class {
    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::AiAgent => "ai-agent",
            Class::AiAssisted => "ai-assisted",
            Class::Automation => "automation",
            Class::NoEvidence => "no-evidence",
        }
    }

    /// Whether the class means AI wrote some of it.
    pub fn is_ai(self) -> bool {
        matches!(self, Class::AiAgent | Class::AiAssisted)
    }

    /// All classes, in report order.
    pub const ALL: [Class; 4] = [
        Class::AiAgent,
        Class::AiAssisted,
        Class::Automation,
        Class::NoEvidence,
    ];
}

/// What a rule's match means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleClass {
    /// Sets class ai-agent.
    AiAgent,
    /// Sets class ai-assisted.
    AiAssisted,
    /// Sets class automation.
    Automation,
    /// Adds review evidence; never sets the class.
    Review,
}

impl RuleClass {
    fn class(self) -> Option<Class> {
        match self {
            RuleClass::AiAgent => Some(Class::AiAgent),
            RuleClass::AiAssisted => Some(Class::AiAssisted),
            RuleClass::Automation => Some(Class::Automation),
            RuleClass::Review => None,
        }
    }
}

/// How sure a rule, and so a verdict, is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Weak or tool-inserted signals that are known to misfire.
    Low,
    /// Conventions and identities that are right most of the time.
    Medium,
    /// Exact identities and vendor-written markers.
    High,
}

impl Confidence {
    /// The lower-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One matched rule: which, on what, and an excerpt of the matched text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The rule id.
    pub rule: String,
    /// The field it read (`author.email`, `trailer:co-authored-by`, `line`, …).
    pub field: String,
    /// The matched value or line, bounded to [`MAX_EXCERPT_CHARS`] characters.
    pub text: String,
}

/// The classification of one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The class.
    pub class: Class,
    /// Tool slug of the deciding rule (or of another AI rule when the deciding one is
    /// tool-neutral); `None` for automation without a named bot and for no-evidence.
    pub tool: Option<String>,
    /// Confidence of the deciding rule; `None` for no-evidence.
    pub confidence: Option<Confidence>,
    /// Matched class rules, strongest first.
    pub evidence: Vec<Evidence>,
    /// Matched review rules, in rule order.
    pub review: Vec<Evidence>,
}

/// The values of each field of one commit, computed once.
struct Fields<'a> {
    meta: &'a CommitMeta,
    parsed: message::ParsedMessage<'a>,
    author: String,
    committer: String,
    merge_branch: Option<&'a str>,
    note_agents: Vec<String>,
}

impl<'a> Fields<'a> {
    fn new(meta: &'a CommitMeta) -> Fields<'a> {
        let parsed = message::parse(bounded(&meta.message, MAX_MESSAGE_BYTES));
        let merge_branch = if meta.is_merge() {
            merge_branch(parsed.subject)
        } else {
            None
        };
        let note_agents = meta
            .note
            .as_deref()
            .map(|n| gitai::attested_agents(bounded(n, MAX_NOTE_BYTES)))
            .unwrap_or_default();
        Fields {
            meta,
            parsed,
            note_agents,
            author: identity(&meta.author),
            committer: identity(&meta.committer),
            merge_branch,
        }
    }

    /// Call `f` with each value of `field` until it returns `true`.
    fn each(&self, field: &Field, mut f: impl FnMut(&str) -> bool) {
        let single = |v: &str, f: &mut dyn FnMut(&str) -> bool| {
            f(v);
        };
        match field {
            Field::Author => single(&self.author, &mut f),
            Field::AuthorName => single(&self.meta.author.name, &mut f),
            Field::AuthorEmail => single(&self.meta.author.email, &mut f),
            Field::Committer => single(&self.committer, &mut f),
            Field::CommitterName => single(&self.meta.committer.name, &mut f),
            Field::CommitterEmail => single(&self.meta.committer.email, &mut f),
            Field::Subject => single(self.parsed.subject, &mut f),
            Field::Line => {
                for l in &self.parsed.lines {
                    if f(l) {
                        break;
                    }
                }
            }
            Field::Trailer(key) => {
                for t in &self.parsed.trailers {
                    if t.key.eq_ignore_ascii_case(key) && f(&t.value) {
                        break;
                    }
                }
            }
            Field::Note => {
                if let Some(n) = &self.meta.note {
                    single(bounded(n, MAX_NOTE_BYTES), &mut f)
                }
            }
            Field::NoteAgent => {
                for a in &self.note_agents {
                    if f(a) {
                        break;
                    }
                }
            }
            Field::MergeBranch => {
                if let Some(b) = self.merge_branch {
                    single(b, &mut f)
                }
            }
        }
    }

    /// The first value of `field` that `regex` matches: its excerpt and, when the pattern has a
    /// named group `tool`, that group as a slug.
    fn first_match(&self, field: &Field, regex: &regex::Regex) -> Option<(String, Option<String>)> {
        let mut found = None;
        self.each(field, |v| match regex.captures(v) {
            Some(caps) => {
                let tool = caps.name("tool").and_then(|m| slug(m.as_str()));
                found = Some((excerpt(field, v, regex), tool));
                true
            }
            None => false,
        });
        found
    }
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn bounded(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn identity(s: &Signature) -> String {
    format!("{} <{}>", s.name, s.email)
}

/// The head branch a merge subject names (GitHub, `git merge`), bounded.
pub fn merge_branch(subject: &str) -> Option<&str> {
    let branch = if let Some(rest) = subject.strip_prefix("Merge pull request #") {
        // `Merge pull request #12 from owner/branch`
        let (_, from) = rest.split_once(" from ")?;
        let from = from.split_whitespace().next()?;
        from.split_once('/').map(|(_, b)| b)?
    } else if let Some(rest) = subject.strip_prefix("Merge branch '") {
        rest.split_once('\'')?.0
    } else if let Some(rest) = subject.strip_prefix("Merge remote-tracking branch '") {
        let name = rest.split_once('\'')?.0;
        name.split_once('/').map(|(_, b)| b).unwrap_or(name)
    } else {
        return None;
    };
    (!branch.is_empty() && branch.len() <= 255).then_some(branch)
}

fn excerpt(field: &Field, value: &str, regex: &regex::Regex) -> String {
    let text = match field {
        // For a line or a note, keep the neighbourhood of the match.
        Field::Line | Field::Note => match regex.find(value) {
            Some(m) if value.chars().count() > MAX_EXCERPT_CHARS => {
                let start = value[..m.start()]
                    .char_indices()
                    .rev()
                    .nth(40)
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                &value[start..]
            }
            _ => value,
        },
        _ => value,
    };
    bound(text.trim())
}

/// A tool slug from captured text: lower-case, `[bot]` and a GitHub numeric id dropped, other
/// characters outside `[a-z0-9-]` turned into `-`, at most 64 characters.
pub fn slug(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches("[bot]");
    let raw = raw
        .split_once('+')
        .filter(|(id, _)| id.bytes().all(|b| b.is_ascii_digit()))
        .map(|(_, s)| s)
        .unwrap_or(raw);
    let mut out = String::new();
    for c in raw.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '-'
        };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
        if out.len() >= 64 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    (!out.is_empty()).then_some(out)
}

/// Bound untrusted text for output: at most [`MAX_EXCERPT_CHARS`] characters, control characters
/// replaced by U+FFFD (JSON output escapes the rest).
pub fn bound(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(MAX_EXCERPT_CHARS)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if text.chars().nth(MAX_EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// Classify one commit. Pure: the same inputs always give the same verdict.
pub fn classify(meta: &CommitMeta, rules: &RuleSet) -> Verdict {
    let fields = Fields::new(meta);
    // (rule index, excerpt, captured tool) of every rule whose main pattern, `also` and `unless` conditions hold.
    let mut hits: Vec<(usize, String, Option<String>)> = Vec::new();
    for fs in &rules.index {
        let (field, members) = (&fs.field, &fs.members);
        let mut matched: Vec<usize> = Vec::new();
        fields.each(field, |v| {
            let Some(set) = fs.set() else { return true };
            for m in set.matches(v).iter() {
                if !matched.contains(&m) {
                    matched.push(m);
                }
            }
            matched.len() == members.len()
        });
        for m in matched {
            let i = members[m];
            let rule = &rules.rules[i];
            let Some(regex) = rule.pattern.regex() else {
                continue;
            };
            let Some((text, tool)) = fields.first_match(field, regex) else {
                continue;
            };
            let also = rule.also.iter().all(|c| {
                c.pattern
                    .regex()
                    .is_some_and(|re| fields.first_match(&c.field, re).is_some())
            });
            let unless = rule.unless.iter().any(|c| {
                c.pattern
                    .regex()
                    .is_none_or(|re| fields.first_match(&c.field, re).is_some())
            });
            if also && !unless {
                hits.push((i, text, tool));
            }
        }
    }
    hits.sort_by_key(|(i, _, _)| *i);

    let strength = |r: &Rule| {
        let class = r.class.class();
        (
            class.is_some_and(Class::is_ai),
            r.confidence,
            matches!(class, Some(Class::AiAgent)),
        )
    };
    let has_primary_ai = hits.iter().any(|(i, _, _)| {
        let r = &rules.rules[*i];
        !r.supporting && r.class.class().is_some_and(Class::is_ai)
    });
    let mut evidence_rules: Vec<(&Rule, String, Option<String>)> = Vec::new();
    let mut review = Vec::new();
    for (i, text, tool) in hits {
        let r = &rules.rules[i];
        match r.class {
            RuleClass::Review => review.push(Evidence {
                rule: r.id.clone(),
                field: r.field.name(),
                text,
            }),
            _ if r.supporting && !has_primary_ai => {}
            _ => evidence_rules.push((r, text, tool.or_else(|| r.tool.clone()))),
        }
    }
    // Strongest first; stable, so rule order breaks ties.
    evidence_rules.sort_by_key(|(r, _, _)| std::cmp::Reverse(strength(r)));

    let Some((best, _, best_tool)) = evidence_rules.iter().find(|(r, _, _)| !r.supporting) else {
        return Verdict {
            class: Class::NoEvidence,
            tool: None,
            confidence: None,
            evidence: Vec::new(),
            review,
        };
    };
    let class = best
        .class
        .class()
        .expect("review rules are not in evidence");
    let tool = best_tool.clone().or_else(|| {
        evidence_rules
            .iter()
            .filter(|(r, _, _)| r.class.class() == Some(class))
            .find_map(|(_, _, t)| t.clone())
    });
    let confidence = Some(best.confidence);
    let evidence = evidence_rules
        .into_iter()
        .map(|(r, text, _)| Evidence {
            rule: r.id.clone(),
            field: r.field.name(),
            text,
        })
        .collect();
    Verdict {
        class,
        tool,
        confidence,
        evidence,
        review,
    }
}

#[cfg(test)]
mod tests;
