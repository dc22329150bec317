//! Rule packs: TOML files of detection rules, validated and compiled into a [`RuleSet`].
//!
//! The format is described by `schemas/rule-pack.schema.json` and documented in `docs/rules.md`.
//! Packs shipped in `enrichers/` are embedded in the binary; `--rules FILE` adds packs whose rules
//! add to the built-in ones or replace a built-in rule with the same `id` (`enabled = false`
//! switches one off).

use std::collections::HashMap;
use std::path::Path;

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;

use super::{Confidence, RuleClass};
use crate::text::{line_column, one_line};

/// The rule packs compiled into the binary, as `(file name, TOML text)`.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    (
        "enrichers/anthropic.toml",
        include_str!("../../enrichers/anthropic.toml"),
    ),
    (
        "enrichers/github-copilot.toml",
        include_str!("../../enrichers/github-copilot.toml"),
    ),
    (
        "enrichers/cursor.toml",
        include_str!("../../enrichers/cursor.toml"),
    ),
    (
        "enrichers/openai-codex.toml",
        include_str!("../../enrichers/openai-codex.toml"),
    ),
    (
        "enrichers/aider.toml",
        include_str!("../../enrichers/aider.toml"),
    ),
    (
        "enrichers/devin.toml",
        include_str!("../../enrichers/devin.toml"),
    ),
    (
        "enrichers/google.toml",
        include_str!("../../enrichers/google.toml"),
    ),
    (
        "enrichers/openhands.toml",
        include_str!("../../enrichers/openhands.toml"),
    ),
    (
        "enrichers/other-agents.toml",
        include_str!("../../enrichers/other-agents.toml"),
    ),
    (
        "enrichers/sweep-agents.toml",
        include_str!("../../enrichers/sweep-agents.toml"),
    ),
    (
        "enrichers/ai-reviewers.toml",
        include_str!("../../enrichers/ai-reviewers.toml"),
    ),
    (
        "enrichers/disclosures.toml",
        include_str!("../../enrichers/disclosures.toml"),
    ),
    (
        "enrichers/automation.toml",
        include_str!("../../enrichers/automation.toml"),
    ),
    (
        "enrichers/review.toml",
        include_str!("../../enrichers/review.toml"),
    ),
];

/// The pack format version this build reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Bytes of a pattern's source we accept; the compiled automaton is capped separately.
const MAX_PATTERN_LEN: usize = 4096;
/// Size limit for one compiled regex (the `regex` crate's `size_limit`), in bytes.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A rule pack that could not be loaded. Every variant names the file; rule-level problems name the
/// rule id and the field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("{path}: cannot read rule pack")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML (`line`:`column`, 1-based).
    #[error("{path}:{line}:{column}: not a valid TOML rule pack: {message}")]
    Toml {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the TOML parser said.
        message: String,
    },
    /// The pack header (outside `[[rule]]`) is wrong.
    #[error("{path}: pack field `{field}`: {message}")]
    Pack {
        /// The file.
        path: String,
        /// The offending top-level key.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// One rule is wrong.
    #[error("{path}: rule \"{rule}\": field `{field}`: {message}")]
    Rule {
        /// The file.
        path: String,
        /// The rule id (or `#N` when the rule has no usable id).
        rule: String,
        /// The offending field.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// Which part of a commit a rule reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// `author`: `Name <email>`.
    Author,
    /// `author.name`.
    AuthorName,
    /// `author.email`.
    AuthorEmail,
    /// `committer`: `Name <email>`.
    Committer,
    /// `committer.name`.
    CommitterName,
    /// `committer.email`.
    CommitterEmail,
    /// `subject`: the first line of the message.
    Subject,
    /// `line`: any message line outside quoted and fenced blocks, subject included.
    Line,
    /// `trailer:KEY`: the value of each trailer whose key equals KEY (ASCII case-insensitive).
    Trailer(String),
    /// `note`: the git-ai note (`refs/notes/ai`) attached to the commit.
    Note,
    /// `note.agent`: each agent the git-ai note attests AI-written lines to, as a catalog slug
    /// (see [`super::gitai::attested_agents`]); no value for empty, human-only and test-preset
    /// notes.
    NoteAgent,
    /// `merge-branch`: the head branch named by a merge commit's subject
    /// (`Merge pull request #N from OWNER/BRANCH`, `Merge branch 'BRANCH'`).
    MergeBranch,
}

impl Field {
    /// Parse the `field` string of a rule.
    pub fn parse(s: &str) -> Option<Field> {
        Some(match s {
            "author" => Field::Author,
            "author.name" => Field::AuthorName,
            "author.email" => Field::AuthorEmail,
            "committer" => Field::Committer,
            "committer.name" => Field::CommitterName,
            "committer.email" => Field::CommitterEmail,
            "subject" => Field::Subject,
            "line" => Field::Line,
            "note" => Field::Note,
            "note.agent" => Field::NoteAgent,
            "merge-branch" => Field::MergeBranch,
            _ => {
                let key = s.strip_prefix("trailer:")?;
                let ok = !key.is_empty()
                    && key.starts_with(|c: char| c.is_ascii_alphabetic())
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                if !ok {
                    return None;
                }
                Field::Trailer(key.to_ascii_lowercase())
            }
        })
    }

    /// The field's name as written in packs and evidence (`trailer:` keys lower-cased).
    pub fn name(&self) -> String {
        match self {
            Field::Author => "author".into(),
            Field::AuthorName => "author.name".into(),
            Field::AuthorEmail => "author.email".into(),
            Field::Committer => "committer".into(),
            Field::CommitterName => "committer.name".into(),
            Field::CommitterEmail => "committer.email".into(),
            Field::Subject => "subject".into(),
            Field::Line => "line".into(),
            Field::Trailer(k) => format!("trailer:{k}"),
            Field::Note => "note".into(),
            Field::NoteAgent => "note.agent".into(),
            Field::MergeBranch => "merge-branch".into(),
        }
    }
}

/// A rule's main pattern, compiled lazily.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    case_sensitive: bool,
    compiled: std::sync::OnceLock<Option<Regex>>,
}

impl Pattern {
    /// A pattern whose syntax and length are checked (cheap: no automaton is built); unless
    /// `lazy`, also compiled now, so that the size limit is checked too.
    fn checked(source: String, case_sensitive: bool, lazy: bool) -> Result<Pattern, String> {
        let compiled = std::sync::OnceLock::new();
        if lazy {
            check_syntax(&source, case_sensitive)?;
        } else {
            let _ = compiled.set(Some(compile(&source, case_sensitive)?));
        }
        Ok(Pattern {
            source,
            case_sensitive,
            compiled,
        })
    }

    /// The pattern as written in the pack.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The compiled regex, `None` only if it exceeds the size limit (then it never matches). A
    /// user pack's patterns are compiled at load and a built-in pattern over the limit fails
    /// the test suite, so this does not happen for loaded rules.
    pub fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| compile(&self.source, self.case_sensitive).ok())
            .as_ref()
    }
}

/// A field test: `field` must (or, in `unless`, must not) match `pattern`.
#[derive(Debug, Clone)]
pub struct Condition {
    /// What it reads.
    pub field: Field,
    /// The pattern (case-insensitive unless the rule says otherwise): syntax checked at load,
    /// compiled on first use like a rule's main pattern (a condition is only read once its rule's
    /// main pattern matched).
    pub pattern: Pattern,
}

/// A commit used as a rule's example: what the rule must (or must not) match.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// `Name <email>`; default `Dev Example <dev@example.invalid>`.
    pub author: Option<String>,
    /// `Name <email>`; default: the author.
    pub committer: Option<String>,
    /// The full commit message; default `Update`.
    pub message: Option<String>,
    /// A git-ai note, if any.
    pub note: Option<String>,
    /// Whether the example commit is a merge (two parents).
    #[serde(default)]
    pub merge: bool,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id, `FAMILY.NAME` (e.g. `anthropic.co-author`).
    pub id: String,
    /// Where the rule came from: the pack file.
    pub pack: String,
    /// Whether the pack is built in (its field sets are then compiled on first use).
    builtin: bool,
    /// Catalog reference in `ai-signals.md` (e.g. `A1`), if any.
    pub signal: Option<String>,
    /// Stable tool slug (`claude-code`, `devin`, …); `None` for tool-neutral rules.
    pub tool: Option<String>,
    /// What a match means.
    pub class: RuleClass,
    /// How sure a match is.
    pub confidence: Confidence,
    /// The field the main pattern reads.
    pub field: Field,
    /// The main pattern: its syntax is checked at load, the automaton built on first use (most
    /// rules never match in a given repository; the per-field `RegexSet` does the searching).
    pub pattern: Pattern,
    /// Further conditions that must all hold.
    pub also: Vec<Condition>,
    /// Conditions none of which may hold.
    pub unless: Vec<Condition>,
    /// A supporting rule adds evidence only when another, non-supporting AI rule matched.
    pub supporting: bool,
    /// Whether the patterns are case-sensitive (default: not).
    pub case_sensitive: bool,
    /// Documentation or observed repository behind the rule.
    pub source: String,
    /// Commits the rule must match.
    pub examples: Vec<Example>,
    /// Commits the rule must not match.
    pub counter_examples: Vec<Example>,
}

/// The compiled, indexed rules the classifier runs.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub(crate) rules: Vec<Rule>,
    /// Per field, one `RegexSet` over the main patterns of the rules reading it.
    pub(crate) index: Vec<FieldSet>,
    /// `sha256:<hex>` over every pack's text in load order (see [`RuleSet::digest`]).
    pub(crate) digest: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    schema: u32,
    id: String,
    description: String,
    #[serde(default, rename = "rule")]
    rules: Vec<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    id: String,
    #[serde(default)]
    signal: Option<String>,
    #[serde(default)]
    tool: Option<String>,
    class: String,
    confidence: String,
    field: String,
    pattern: String,
    #[serde(default)]
    also: Vec<RawCondition>,
    #[serde(default)]
    unless: Vec<RawCondition>,
    #[serde(default)]
    supporting: bool,
    #[serde(default)]
    case_sensitive: bool,
    #[serde(default = "yes")]
    enabled: bool,
    source: String,
    #[serde(default)]
    example: Vec<Example>,
    #[serde(default)]
    counter_example: Vec<Example>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    field: String,
    pattern: String,
}

/// A parsed pack: its rules, plus the ids it switches off (`enabled = false`).
struct ParsedPack {
    rules: Vec<Rule>,
    disabled: Vec<String>,
}

/// `builtin`: the pack is one of [`BUILTIN_PACKS`], whose patterns the test suite compiles (see
/// [`RuleSet::compile_all`]); a user pack's patterns are compiled here, so that a pattern over the
/// size limit is reported at load like any other pack error.
fn parse_pack(path: &str, text: &str, builtin: bool) -> Result<ParsedPack, Error> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        Error::Toml {
            path: path.into(),
            line,
            column,
            message: e.message().to_string(),
        }
    })?;
    let raw: RawPack = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| {
            let message = e.message().to_string();
            let field = field_from_serde(&message).unwrap_or("(pack)").to_string();
            Error::Pack {
                path: path.into(),
                field,
                message,
            }
        })?;
    if raw.schema != SCHEMA_VERSION {
        return Err(Error::Pack {
            path: path.into(),
            field: "schema".into(),
            message: format!(
                "version {} is not supported (this build reads {SCHEMA_VERSION})",
                raw.schema
            ),
        });
    }
    let _ = (&raw.id, &raw.description);
    let mut rules = Vec::new();
    let mut disabled = Vec::new();
    for (n, table) in raw.rules.into_iter().enumerate() {
        let label = table
            .get("id")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{}", n + 1));
        let rule_err = |field: &str, message: String| Error::Rule {
            path: path.into(),
            rule: label.clone(),
            field: field.into(),
            message,
        };
        let r: RawRule = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| {
                let message = e.message().to_string();
                let field = field_from_serde(&message).unwrap_or("(rule)").to_string();
                rule_err(&field, message)
            })?;
        if !valid_id(&r.id) {
            return Err(rule_err(
                "id",
                "expected lower-case `family.name` (letters, digits, `-`, `.`)".into(),
            ));
        }
        if !r.enabled {
            disabled.push(r.id);
            continue;
        }
        let class = match r.class.as_str() {
            "ai-agent" => RuleClass::AiAgent,
            "ai-assisted" => RuleClass::AiAssisted,
            "automation" => RuleClass::Automation,
            "review" => RuleClass::Review,
            other => {
                return Err(rule_err(
                    "class",
                    format!("`{other}` is not one of ai-agent, ai-assisted, automation, review"),
                ))
            }
        };
        let confidence = match r.confidence.as_str() {
            "high" => Confidence::High,
            "medium" => Confidence::Medium,
            "low" => Confidence::Low,
            other => {
                return Err(rule_err(
                    "confidence",
                    format!("`{other}` is not one of high, medium, low"),
                ))
            }
        };
        if let Some(tool) = &r.tool {
            if !valid_slug(tool) {
                return Err(rule_err(
                    "tool",
                    format!("`{tool}` is not a slug (lower-case letters, digits, `-`)"),
                ));
            }
        }
        if r.source.trim().is_empty() {
            return Err(rule_err(
                "source",
                "must name the documentation or repository behind the rule".into(),
            ));
        }
        if r.example.is_empty() {
            return Err(rule_err(
                "example",
                "at least one example the rule matches is required".into(),
            ));
        }
        if r.counter_example.is_empty() {
            return Err(rule_err(
                "counter-example",
                "at least one example the rule must not match is required".into(),
            ));
        }
        let field = Field::parse(&r.field).ok_or_else(|| {
            rule_err(
                "field",
                format!("`{}` is not a field (author, author.name, author.email, committer…, subject, line, trailer:KEY, note, note.agent, merge-branch)", r.field),
            )
        })?;
        let pattern = Pattern::checked(r.pattern, r.case_sensitive, builtin)
            .map_err(|m| rule_err("pattern", m))?;
        let conds = |raw: Vec<RawCondition>, name: &str| -> Result<Vec<Condition>, Error> {
            raw.into_iter()
                .map(|c| {
                    let field = Field::parse(&c.field).ok_or_else(|| {
                        rule_err(
                            &format!("{name}.field"),
                            format!("`{}` is not a field", c.field),
                        )
                    })?;
                    let pattern = Pattern::checked(c.pattern, r.case_sensitive, builtin)
                        .map_err(|m| rule_err(&format!("{name}.pattern"), m))?;
                    Ok(Condition { field, pattern })
                })
                .collect()
        };
        let also = conds(r.also, "also")?;
        let unless = conds(r.unless, "unless")?;
        rules.push(Rule {
            id: r.id,
            pack: path.to_string(),
            builtin,
            signal: r.signal,
            tool: r.tool,
            class,
            confidence,
            field,
            pattern,
            also,
            unless,
            supporting: r.supporting,
            case_sensitive: r.case_sensitive,
            source: r.source,
            examples: r.example,
            counter_examples: r.counter_example,
        });
    }
    Ok(ParsedPack { rules, disabled })
}

fn compile(pattern: &str, case_sensitive: bool) -> Result<Regex, String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!(
            "pattern is {} bytes, more than the {MAX_PATTERN_LEN} allowed",
            pattern.len()
        ));
    }
    RegexBuilder::new(pattern)
        .case_insensitive(!case_sensitive)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            format!(
                "not a valid regular expression: {}",
                one_line(&e.to_string())
            )
        })
}

/// Parse (not compile) a pattern, for the error message of a bad rule.
fn check_syntax(pattern: &str, case_sensitive: bool) -> Result<(), String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!(
            "pattern is {} bytes, more than the {MAX_PATTERN_LEN} allowed",
            pattern.len()
        ));
    }
    regex_syntax::ParserBuilder::new()
        .case_insensitive(!case_sensitive)
        .build()
        .parse(pattern)
        .map(|_| ())
        .map_err(|e| {
            format!(
                "not a valid regular expression: {}",
                one_line(&e.to_string())
            )
        })
}

fn valid_id(id: &str) -> bool {
    id.contains('.')
        && id.len() <= 100
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// serde's messages name the field in backticks: "missing field `class`", "unknown field `patern`".
fn field_from_serde(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    line_column(text.as_bytes(), offset)
}

impl RuleSet {
    /// The built-in packs only.
    pub fn builtin() -> Result<RuleSet, Error> {
        RuleSet::from_sources(&[])
    }

    /// The built-in packs, then each extra pack file in order (later files win on equal ids).
    pub fn load(extra: &[impl AsRef<Path>]) -> Result<RuleSet, Error> {
        let mut sources = Vec::new();
        for p in extra {
            let p = p.as_ref();
            let text = std::fs::read_to_string(p).map_err(|source| Error::Read {
                path: p.display().to_string(),
                source,
            })?;
            sources.push((p.display().to_string(), text));
        }
        RuleSet::from_sources(&sources)
    }

    /// The rule set's digest, `sha256:<64 hex digits>`: SHA-256 over each pack's TOML text in
    /// load order (built-in packs, then `--rules` files), each preceded by its length in bytes
    /// as 8 little-endian bytes. Names and paths do not count, so the same rules give the same
    /// digest wherever they are read from; any edit to a pack changes it.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The built-in packs plus `(label, TOML text)` packs layered on top, in order.
    pub fn from_sources(extra: &[(String, String)]) -> Result<RuleSet, Error> {
        let digest = {
            use sha2::Digest as _;
            let mut h = sha2::Sha256::new();
            for text in BUILTIN_PACKS
                .iter()
                .map(|(_, t)| *t)
                .chain(extra.iter().map(|(_, t)| t.as_str()))
            {
                h.update((text.len() as u64).to_le_bytes());
                h.update(text.as_bytes());
            }
            let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
            format!("sha256:{hex}")
        };
        let mut rules: Vec<Rule> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let builtin = BUILTIN_PACKS
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string(), true));
        let extra = extra.iter().map(|(p, t)| (p.clone(), t.clone(), false));
        for (path, text, is_builtin) in builtin.chain(extra) {
            let parsed = parse_pack(&path, &text, is_builtin)?;
            for id in parsed.disabled {
                if let Some(i) = seen.remove(&id) {
                    rules[i].id.clear(); // tombstone, dropped below
                }
            }
            for rule in parsed.rules {
                match seen.get(&rule.id) {
                    Some(&i) if is_builtin => {
                        return Err(Error::Rule {
                            path,
                            rule: rule.id,
                            field: "id".into(),
                            message: format!("duplicate id (also in {})", rules[i].pack),
                        })
                    }
                    Some(&i) => rules[i] = rule,
                    None => {
                        seen.insert(rule.id.clone(), rules.len());
                        rules.push(rule);
                    }
                }
            }
        }
        rules.retain(|r| !r.id.is_empty());
        let mut set = RuleSet::index(rules)?;
        set.digest = digest;
        Ok(set)
    }

    fn index(rules: Vec<Rule>) -> Result<RuleSet, Error> {
        let mut groups: Vec<(Field, Vec<usize>)> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            match groups.iter_mut().find(|(f, _)| *f == r.field) {
                Some((_, v)) => v.push(i),
                None => groups.push((r.field.clone(), vec![i])),
            }
        }
        let mut index = Vec::new();
        for (field, members) in groups {
            let patterns: Vec<String> = members.iter().map(|&i| with_flags(&rules[i])).collect();
            let set = std::sync::OnceLock::new();
            if members.iter().any(|&i| !rules[i].builtin) {
                let built = build_set(&patterns).map_err(|e| {
                    // Blame the rule whose pattern is too large on its own; else the last one
                    // loaded for this field (user packs load after the built-in ones).
                    let culprit = members.iter().map(|&i| &rules[i]).find_map(|r| {
                        compile(r.pattern.as_str(), r.case_sensitive)
                            .err()
                            .map(|m| (r, m))
                    });
                    let (r, message) = culprit.unwrap_or_else(|| {
                        let r = &rules[*members.last().expect("a field group has members")];
                        let m = format!(
                            "the patterns of field `{}` are too large together: {}",
                            field.name(),
                            one_line(&e.to_string())
                        );
                        (r, m)
                    });
                    Error::Rule {
                        path: r.pack.clone(),
                        rule: r.id.clone(),
                        field: "pattern".into(),
                        message,
                    }
                })?;
                let _ = set.set(Some(built));
            }
            index.push(FieldSet {
                field,
                members,
                patterns,
                set,
            });
        }
        Ok(RuleSet {
            rules,
            index,
            digest: String::new(),
        })
    }

    /// Build every field set and every rule's patterns now, returning the first failure as a
    /// rule error (what loading reports for a user pack). The built-in packs build theirs on
    /// first use; the test suite calls this so that a built-in pattern over the size limit
    /// fails there instead of silently never matching.
    pub fn compile_all(&self) -> Result<(), Error> {
        let fail = |r: &Rule, field: &str, message: String| Error::Rule {
            path: r.pack.clone(),
            rule: r.id.clone(),
            field: field.into(),
            message,
        };
        for s in &self.index {
            if let Err(e) = build_set(&s.patterns) {
                let r = &self.rules[*s.members.last().expect("a field set has members")];
                return Err(fail(r, "pattern", one_line(&e.to_string())));
            }
        }
        for r in &self.rules {
            compile(r.pattern.as_str(), r.case_sensitive).map_err(|m| fail(r, "pattern", m))?;
            for (name, conds) in [("also", &r.also), ("unless", &r.unless)] {
                for c in conds {
                    compile(c.pattern.as_str(), r.case_sensitive)
                        .map_err(|m| fail(r, &format!("{name}.pattern"), m))?;
                }
            }
        }
        Ok(())
    }

    /// All rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// The main patterns of the rules reading one field, searched together as one `RegexSet`. The set
/// is built on first use: most fields (`trailer:KEY`, `note`, `merge-branch`) have no value in most
/// commits, and building every set at start-up was most of the fixed cost of a run (issue 13). A
/// set with a rule from a user pack is built at load, so its errors are load errors; the built-in
/// sets are built by the test suite ([`RuleSet::compile_all`]).
#[derive(Debug, Clone)]
pub(crate) struct FieldSet {
    /// The field.
    pub(crate) field: Field,
    /// The rule index of each set member.
    pub(crate) members: Vec<usize>,
    /// Each member's pattern with its case flag inline.
    patterns: Vec<String>,
    /// The set, once built; `None` if it failed (only possible for built-in sets, which the
    /// test suite builds, see above): then no rule of this field matches.
    set: std::sync::OnceLock<Option<RegexSet>>,
}

impl FieldSet {
    /// Whether the set has been built (by use, or at load for a user pack).
    #[cfg(test)]
    pub(crate) fn is_built(&self) -> bool {
        self.set.get().is_some()
    }

    /// The compiled set, built on first call.
    pub(crate) fn set(&self) -> Option<&RegexSet> {
        self.set
            .get_or_init(|| build_set(&self.patterns).ok())
            .as_ref()
    }
}

fn build_set(patterns: &[String]) -> Result<RegexSet, regex::Error> {
    RegexSetBuilder::new(patterns)
        .size_limit(REGEX_SIZE_LIMIT * patterns.len())
        .build()
}

/// The pattern with its case flag inline, as a member of a `RegexSet`.
fn with_flags(rule: &Rule) -> String {
    if rule.case_sensitive {
        rule.pattern.as_str().to_string()
    } else {
        format!("(?i:{})", rule.pattern.as_str())
    }
}
