//! The `--fail-on EXPR` policy gate: a small expression language over each component's
//! `aiprov:` properties. An expression states what must *not* happen; every component for which
//! it holds is a [`Violation`], and the command exits 1.
//!
//! ```text
//! policy  = [ scope ":" ] metric op value
//! scope   = a purl glob starting with "pkg:"  ("*" any characters, "?" one character); it
//!           matches a component whose purl matches in full, or without its version,
//!           qualifiers and subpath ("pkg:npm/left-pad" matches "pkg:npm/left-pad@1.3.0")
//! metric  = ai-share | review-coverage                          (numbers from 0 to 1, or N%)
//!         | ai-commits | unreviewed-ai | review-unknown | commits
//!         | ai-agent | ai-assisted | automation | no-evidence    (commit counts)
//!         | tool                                                (the component's AI tools)
//!         | status                                              (aiprov:status)
//! op      = ">" | ">=" | "<" | "<=" | "=" | "!="                ("==" reads as "=")
//! value   = a number for numeric metrics; a slug glob for tool; a status word for status
//! ```
//!
//! Spaces around the operator are allowed. Examples: `ai-share>0.5`, `ai-share>50%`,
//! `unreviewed-ai>0`, `tool=devin`, `tool!=claude-code` (any tool other than claude-code),
//! `status!=analyzed`, `pkg:npm/*:ai-share>0.5`, `pkg:golang/github.com/acme/*:tool=*`.
//!
//! Evaluation: a numeric metric the component does not carry (it was not analyzed, so it has
//! no counts) is not evaluated: combine with `status!=analyzed` to fail on those.
//! `review-coverage` exists only for components with AI commits whose review is known: it is
//! (approved + trailer-reviewed) / (AI commits - review-unknown). `unreviewed-ai` counts the AI
//! commits known to be unreviewed; those not looked up are `review-unknown`, never counted as
//! either (documents enriched before these properties existed read as before). `tool=GLOB` holds when any of
//! the component's AI tools matches GLOB; `tool!=GLOB` when any of them does not (an allow
//! list). `status` compares `aiprov:status`; a component without one reads as `(none)`.

use std::fmt;

use serde::Serialize;

use crate::provenance::{Component, Provenance};

/// The statuses `aiprov enrich` writes.
pub const STATUSES: &[&str] = &[
    "analyzed",
    "no-repository",
    "repository-unavailable",
    "revision-unresolved",
    "error",
];

/// A metric of a component's provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// `aiprov:ai:share`.
    AiShare,
    /// AI commits with review evidence / AI commits.
    ReviewCoverage,
    /// ai-agent + ai-assisted commits.
    AiCommits,
    /// AI commits known to be unreviewed (merged without approval, or no request; no trailers).
    UnreviewedAi,
    /// AI commits without review evidence whose requests were not looked up.
    ReviewUnknown,
    /// Non-merge commits walked.
    Commits,
    /// ai-agent commits.
    AiAgent,
    /// ai-assisted commits.
    AiAssisted,
    /// automation commits.
    Automation,
    /// no-evidence commits.
    NoEvidence,
    /// The AI tools.
    Tool,
    /// `aiprov:status`.
    Status,
}

const METRICS: &[(&str, Metric)] = &[
    ("ai-share", Metric::AiShare),
    ("review-coverage", Metric::ReviewCoverage),
    ("ai-commits", Metric::AiCommits),
    ("unreviewed-ai", Metric::UnreviewedAi),
    ("review-unknown", Metric::ReviewUnknown),
    ("commits", Metric::Commits),
    ("ai-agent", Metric::AiAgent),
    ("ai-assisted", Metric::AiAssisted),
    ("automation", Metric::Automation),
    ("no-evidence", Metric::NoEvidence),
    ("tool", Metric::Tool),
    ("status", Metric::Status),
];

impl Metric {
    /// The metric's name in expressions.
    pub fn as_str(self) -> &'static str {
        METRICS
            .iter()
            .find(|(_, m)| *m == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    fn parse(s: &str) -> Option<Metric> {
        METRICS.iter().find(|(n, _)| *n == s).map(|(_, m)| *m)
    }

    fn is_ratio(self) -> bool {
        matches!(self, Metric::AiShare | Metric::ReviewCoverage)
    }

    fn is_numeric(self) -> bool {
        !matches!(self, Metric::Tool | Metric::Status)
    }

    fn number(self, p: &Provenance) -> Option<f64> {
        let n = |x: Option<u64>| x.map(|v| v as f64);
        match self {
            Metric::AiShare => p.share(),
            Metric::ReviewCoverage => p.review_coverage(),
            Metric::AiCommits => n(p.ai_commits()),
            Metric::UnreviewedAi => n(p.unreviewed_ai()),
            Metric::ReviewUnknown => n(p.review_unknown()),
            Metric::Commits => n(p.commits),
            Metric::AiAgent => n(p.ai_agent),
            Metric::AiAssisted => n(p.ai_assisted),
            Metric::Automation => n(p.automation),
            Metric::NoEvidence => n(p.no_evidence),
            Metric::Tool | Metric::Status => None,
        }
    }
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `=`
    Eq,
    /// `!=`
    Ne,
}

impl Op {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "=",
            Op::Ne => "!=",
        }
    }

    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Eq => a == b,
            Op::Ne => a != b,
        }
    }
}

/// The right-hand side.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// For numeric metrics (percentages already divided by 100).
    Number(f64),
    /// A glob (tool) or a word (status).
    Text(String),
}

/// One parsed `--fail-on` expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The expression as given, trimmed: the rule's name in output.
    pub text: String,
    /// The purl glob it is scoped to.
    pub scope: Option<String>,
    /// What it reads.
    pub metric: Metric,
    /// How it compares.
    pub op: Op,
    /// What it compares with.
    pub value: Operand,
}

/// Why an expression does not parse: the 1-based column (in characters) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--fail-on {}: column {column}: {message}", quote(expr))]
pub struct ParseError {
    /// The expression as given (bounded, control characters escaped).
    pub expr: String,
    /// 1-based column of the problem.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

fn quote(s: &str) -> String {
    format!("\"{s}\"")
}

const OPERATORS: &[(&str, Op)] = &[
    (">=", Op::Ge),
    ("<=", Op::Le),
    ("!=", Op::Ne),
    ("==", Op::Eq),
    (">", Op::Gt),
    ("<", Op::Lt),
    ("=", Op::Eq),
];

fn is_op_char(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '!')
}

/// Parse one expression (grammar in the module docs).
pub fn parse(input: &str) -> Result<Policy, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let err = |column: usize, message: String| ParseError {
        expr: crate::text::bounded(input, crate::text::ECHO_LIMIT),
        column,
        message: crate::text::bounded(&message, 2 * crate::text::ECHO_LIMIT),
    };
    let show =
        |a: usize, b: usize| crate::text::bounded(&chars[a..b].iter().collect::<String>(), 60);
    let skip_ws = |mut i: usize| {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        i
    };
    let start = skip_ws(0);
    let mut end = chars.len();
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    // From here on, white space is skipped only up to `end` (a metric followed by trailing
    // white space ran past it and panicked: issue 15).
    let skip_ws = |mut i: usize| {
        while i < end && chars[i].is_whitespace() {
            i += 1;
        }
        i
    };
    if start == end {
        return Err(err(
            1,
            "empty expression; expected METRIC OP VALUE, e.g. ai-share>0.5".into(),
        ));
    }

    // The scope: a purl glob ending at the last ':' that is followed by a metric and an operator.
    let mut at = start;
    let mut scope = None;
    if chars[start..end]
        .iter()
        .collect::<String>()
        .starts_with("pkg:")
    {
        let split = (start + 4..end)
            .rev()
            .filter(|&i| chars[i] == ':')
            .find(|&i| {
                let m = skip_ws(i + 1);
                let mut k = m;
                while k < end && !chars[k].is_whitespace() && !is_op_char(chars[k]) {
                    k += 1;
                }
                Metric::parse(&chars[m..k].iter().collect::<String>()).is_some()
                    && skip_ws(k) < end
                    && is_op_char(chars[skip_ws(k)])
            });
        match split {
            Some(i) => {
                let mut g_end = i;
                while g_end > start && chars[g_end - 1].is_whitespace() {
                    g_end -= 1;
                }
                let glob: String = chars[start..g_end].iter().collect();
                if glob.len() <= 4 {
                    return Err(err(
                        start + 5,
                        "the scope `pkg:` names no purl; expected e.g. pkg:npm/*".into(),
                    ));
                }
                if let Some(j) = (start..g_end).find(|&j| chars[j].is_whitespace()) {
                    return Err(err(j + 1, "a purl glob has no spaces".into()));
                }
                scope = Some(glob);
                at = i + 1;
            }
            None => {
                return Err(err(
                    end + 1,
                    format!(
                        "after the scope `{}` expected `:METRIC OP VALUE`, e.g. :ai-share>0.5",
                        show(start, end)
                    ),
                ))
            }
        }
    }

    // The metric.
    at = skip_ws(at);
    let m_start = at;
    while at < end && !chars[at].is_whitespace() && !is_op_char(chars[at]) {
        at += 1;
    }
    let word: String = chars[m_start..at].iter().collect();
    if word.is_empty() {
        return Err(err(
            m_start + 1,
            "expected a metric before the operator".into(),
        ));
    }
    let Some(metric) = Metric::parse(&word) else {
        let names: Vec<&str> = METRICS.iter().map(|(n, _)| *n).collect();
        let hint = if word.contains(':') {
            " (a scope is a purl glob starting with `pkg:`)"
        } else {
            ""
        };
        return Err(err(
            m_start + 1,
            format!(
                "unknown metric `{}`{hint}; expected one of {}",
                show(m_start, at),
                names.join(", ")
            ),
        ));
    };

    // The operator.
    at = skip_ws(at);
    let rest: String = chars[at..end].iter().collect();
    let Some(&(op_text, op)) = OPERATORS.iter().find(|(t, _)| rest.starts_with(t)) else {
        return Err(err(
            at + 1,
            format!("expected an operator (>, >=, <, <=, =, !=) after `{word}`"),
        ));
    };
    let op_col = at + 1;
    at += op_text.chars().count();
    if at < end && is_op_char(chars[at]) {
        return Err(err(
            op_col,
            format!("unknown operator `{}`", show(op_col - 1, at + 1)),
        ));
    }
    if !metric.is_numeric() && !matches!(op, Op::Eq | Op::Ne) {
        return Err(err(
            op_col,
            format!("`{word}` compares with = or != only, not {}", op.as_str()),
        ));
    }

    // The value.
    at = skip_ws(at);
    if at >= end {
        return Err(err(
            at + 1,
            format!("expected a value after `{}`", op.as_str()),
        ));
    }
    let v_start = at;
    if let Some(j) = (v_start..end).find(|&j| chars[j].is_whitespace()) {
        return Err(err(
            skip_ws(j) + 1,
            format!("unexpected `{}` after the value", show(skip_ws(j), end)),
        ));
    }
    let raw: String = chars[v_start..end].iter().collect();
    let value = if metric.is_numeric() {
        let (digits, percent) = match raw.strip_suffix('%') {
            Some(d) => (d, true),
            None => (raw.as_str(), false),
        };
        let n = digits.parse::<f64>().ok().filter(|n| {
            n.is_finite() && *n >= 0.0 && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        });
        let Some(mut n) = n else {
            return Err(err(
                v_start + 1,
                format!(
                    "`{}` is not a number (expected e.g. 0.5, 3 or 50%)",
                    show(v_start, end)
                ),
            ));
        };
        if percent {
            if !metric.is_ratio() {
                return Err(err(
                    v_start + 1,
                    format!(
                        "`{word}` is a count; a percentage applies to ai-share and review-coverage"
                    ),
                ));
            }
            n /= 100.0;
        }
        if metric.is_ratio() && n > 1.0 {
            return Err(err(
                v_start + 1,
                format!(
                    "`{word}` is a ratio from 0 to 1 (or 0% to 100%), not {}",
                    show(v_start, end)
                ),
            ));
        }
        Operand::Number(n)
    } else {
        if let Some(j) = (v_start..end).find(|&j| {
            !(chars[j].is_ascii_alphanumeric() || matches!(chars[j], '-' | '_' | '.' | '*' | '?'))
        }) {
            return Err(err(
                j + 1,
                format!(
                    "unexpected `{}` in the value (expected a slug, `*` and `?` allowed)",
                    chars[j]
                ),
            ));
        }
        if metric == Metric::Status
            && !raw.contains(['*', '?'])
            && !STATUSES.contains(&raw.as_str())
        {
            return Err(err(
                v_start + 1,
                format!(
                    "unknown status `{}`; expected one of {}",
                    show(v_start, end),
                    STATUSES.join(", ")
                ),
            ));
        }
        Operand::Text(raw)
    };
    Ok(Policy {
        text: chars[start..end].iter().collect(),
        scope,
        metric,
        op,
        value,
    })
}

/// One component for which a policy holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The component's bom-ref, else purl, else `name@version`.
    pub component: String,
    /// `group/name@version`.
    pub name: String,
    /// JSON pointer of the component in its document.
    pub locator: String,
    /// The policy expression.
    pub rule: String,
    /// The value that violated it (a number, the offending tools, a status).
    pub value: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.component, self.rule, self.value)
    }
}

/// Every (component, policy) pair for which the policy holds, by component then policy order.
pub fn evaluate(policies: &[Policy], components: &[Component]) -> Vec<Violation> {
    let mut out = Vec::new();
    for c in components {
        for p in policies {
            if let Some(value) = violated(p, c) {
                out.push(Violation {
                    component: c.id(),
                    name: c.label(),
                    locator: c.locator.clone(),
                    rule: p.text.clone(),
                    value,
                });
            }
        }
    }
    out
}

/// The offending value when `p` holds for `c`.
fn violated(p: &Policy, c: &Component) -> Option<String> {
    if let Some(scope) = &p.scope {
        let purl = c.purl.as_deref()?;
        if !scope_matches(scope, purl) {
            return None;
        }
    }
    let prov = &c.provenance;
    match (&p.value, p.metric) {
        (Operand::Number(limit), m) => {
            let v = m.number(prov)?;
            p.op.holds(v, *limit).then(|| format_number(v))
        }
        (Operand::Text(glob), Metric::Tool) => {
            let offending: Vec<&str> = prov
                .tools
                .keys()
                .map(String::as_str)
                .filter(|t| glob_matches(glob, t) == (p.op == Op::Eq))
                .collect();
            (!offending.is_empty()).then(|| offending.join(","))
        }
        (Operand::Text(glob), _) => {
            let status = prov.status.as_deref().unwrap_or("(none)");
            (glob_matches(glob, status) == (p.op == Op::Eq)).then(|| status.to_string())
        }
    }
}

/// A number as printed in violations: integers without a fraction, others with up to 4 decimals.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Whether `scope` matches the purl in full or without its version, qualifiers and subpath.
pub fn scope_matches(scope: &str, purl: &str) -> bool {
    if glob_matches(scope, purl) {
        return true;
    }
    let base = purl.split(['?', '#']).next().unwrap_or(purl);
    if glob_matches(scope, base) {
        return true;
    }
    let slash = base.rfind('/').unwrap_or(0);
    match base.rfind('@') {
        Some(i) if i > slash => glob_matches(scope, &base[..i]),
        _ => false,
    }
}

/// `*` matches any run of characters (also `/`), `?` one character; everything else itself.
pub fn glob_matches(glob: &str, text: &str) -> bool {
    let g: Vec<char> = glob.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut gi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if gi < g.len() && (g[gi] == '?' || g[gi] == t[ti]) {
            gi += 1;
            ti += 1;
        } else if gi < g.len() && g[gi] == '*' {
            star = Some(gi);
            mark = ti;
            gi += 1;
        } else if let Some(s) = star {
            gi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    g[gi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comp(purl: &str, props: &[(&str, &str)]) -> Component {
        Component {
            locator: "/components/0".into(),
            bom_ref: Some(purl.into()),
            name: "x".into(),
            purl: Some(purl.into()),
            provenance: Provenance::from_properties(props.iter().copied()),
            ..Component::default()
        }
    }

    fn holds(expr: &str, c: &Component) -> Option<String> {
        let p = parse(expr).unwrap_or_else(|e| panic!("{e}"));
        violated(&p, c)
    }

    fn analyzed() -> Component {
        comp(
            "pkg:npm/%40acme/widget@2.0.0?vcs_url=git%2Bhttps%3A%2F%2Fexample.invalid%2Fw.git",
            &[
                ("aiprov:status", "analyzed"),
                ("aiprov:commits:total", "20"),
                ("aiprov:commits:ai-agent", "8"),
                ("aiprov:commits:ai-assisted", "4"),
                ("aiprov:commits:automation", "2"),
                ("aiprov:commits:no-evidence", "6"),
                ("aiprov:ai:share", "0.6000"),
                ("aiprov:ai:tools", "claude-code,devin"),
                ("aiprov:ai:tool:claude-code", "4"),
                ("aiprov:ai:tool:devin", "8"),
                ("aiprov:review:ai-with-evidence", "3"),
            ],
        )
    }

    #[test]
    fn every_operator_on_numbers() {
        let c = analyzed();
        for (expr, want) in [
            ("ai-share>0.5", Some("0.6")),
            ("ai-share>0.6", None),
            ("ai-share>=0.6", Some("0.6")),
            ("ai-share<0.7", Some("0.6")),
            ("ai-share<0.6", None),
            ("ai-share<=0.6", Some("0.6")),
            ("ai-share=0.6", Some("0.6")),
            ("ai-share==0.6", Some("0.6")),
            ("ai-share!=0.6", None),
            ("ai-share != 0.5", Some("0.6")),
            ("ai-share>50%", Some("0.6")),
            ("unreviewed-ai>0", Some("9")),
            ("unreviewed-ai>9", None),
            ("ai-commits>=12", Some("12")),
            ("review-coverage<0.5", Some("0.25")),
            ("commits>19", Some("20")),
            ("ai-agent>7", Some("8")),
            ("ai-assisted=4", Some("4")),
            ("automation>1", Some("2")),
            ("no-evidence<7", Some("6")),
        ] {
            assert_eq!(holds(expr, &c).as_deref(), want, "{expr}");
        }
    }

    #[test]
    fn tools_status_and_missing_values() {
        let c = analyzed();
        assert_eq!(holds("tool=devin", &c).as_deref(), Some("devin"));
        assert_eq!(holds("tool=cursor", &c), None);
        assert_eq!(holds("tool=*", &c).as_deref(), Some("claude-code,devin"));
        assert_eq!(
            holds("tool!=claude-code", &c).as_deref(),
            Some("devin"),
            "allow list: devin is not allowed"
        );
        assert_eq!(holds("tool!=*", &c), None);
        assert_eq!(holds("status!=analyzed", &c), None);
        assert_eq!(holds("status=analyzed", &c).as_deref(), Some("analyzed"));
        let unresolved = comp(
            "pkg:npm/left-pad@1.3.0",
            &[("aiprov:status", "no-repository")],
        );
        assert_eq!(
            holds("status!=analyzed", &unresolved).as_deref(),
            Some("no-repository")
        );
        assert_eq!(
            holds("status=no-*", &unresolved).as_deref(),
            Some("no-repository")
        );
        // numbers it does not carry are not evaluated
        assert_eq!(holds("ai-share>=0", &unresolved), None);
        assert_eq!(holds("unreviewed-ai>=0", &unresolved), None);
        assert_eq!(holds("tool=*", &unresolved), None);
        let bare = comp("pkg:npm/plain@1.0.0", &[]);
        assert_eq!(holds("status!=analyzed", &bare).as_deref(), Some("(none)"));
        // review coverage only exists with AI commits
        let human = comp(
            "pkg:npm/h@1",
            &[
                ("aiprov:status", "analyzed"),
                ("aiprov:commits:total", "3"),
                ("aiprov:commits:ai-agent", "0"),
                ("aiprov:commits:ai-assisted", "0"),
            ],
        );
        assert_eq!(holds("review-coverage<1", &human), None);
        assert_eq!(holds("ai-share>=0", &human).as_deref(), Some("0"));
    }

    #[test]
    fn scopes_are_purl_globs() {
        let c = analyzed();
        assert_eq!(holds("pkg:npm/*:ai-share>0.5", &c).as_deref(), Some("0.6"));
        assert_eq!(
            holds("pkg:npm/%40acme/*:tool=devin", &c).as_deref(),
            Some("devin")
        );
        assert_eq!(
            holds("pkg:npm/%40acme/widget:ai-share>0.5", &c).as_deref(),
            Some("0.6"),
            "without version and qualifiers"
        );
        assert_eq!(
            holds("pkg:npm/%40acme/widget@2.0.0:ai-share>0.5", &c).as_deref(),
            Some("0.6")
        );
        assert_eq!(holds("pkg:npm/%40acme/widget@1.*:ai-share>0.5", &c), None);
        assert_eq!(holds("pkg:cargo/*:ai-share>0.5", &c), None);
        assert_eq!(holds("pkg:npm/w?dget:ai-share>0.5", &c), None);
        assert_eq!(
            holds("pkg:*:status = analyzed", &c).as_deref(),
            Some("analyzed")
        );
        // a colon inside the glob (qualifiers) is fine: the split is at the last one before the metric
        let p = parse("pkg:golang/k8s.io/*?type=module:ai-share>0").unwrap();
        assert_eq!(p.scope.as_deref(), Some("pkg:golang/k8s.io/*?type=module"));
        let mut no_purl = analyzed();
        no_purl.purl = None;
        assert_eq!(
            holds("pkg:*:ai-share>0", &no_purl),
            None,
            "a scoped policy skips components without purl"
        );
        assert_eq!(holds("ai-share>0", &no_purl).as_deref(), Some("0.6"));
        assert!(glob_matches("a*b*c", "aXbYbZc"));
        assert!(!glob_matches("a*b", "aXbY"));
        assert!(glob_matches("*", ""));
    }

    #[test]
    fn parse_errors_name_the_column() {
        let e = |s: &str| {
            let e = parse(s).unwrap_err();
            (e.column, e.message)
        };
        assert_eq!(
            e(""),
            (
                1,
                "empty expression; expected METRIC OP VALUE, e.g. ai-share>0.5".into()
            )
        );
        assert_eq!(
            e("ai-shar>0.5"),
            (1, "unknown metric `ai-shar`; expected one of ai-share, review-coverage, ai-commits, unreviewed-ai, review-unknown, commits, ai-agent, ai-assisted, automation, no-evidence, tool, status".into())
        );
        assert_eq!(
            e("ai-share 0.5"),
            (
                10,
                "expected an operator (>, >=, <, <=, =, !=) after `ai-share`".into()
            )
        );
        assert_eq!(e("ai-share>"), (10, "expected a value after `>`".into()));
        assert_eq!(
            e("ai-share>abc"),
            (
                10,
                "`abc` is not a number (expected e.g. 0.5, 3 or 50%)".into()
            )
        );
        assert_eq!(
            e("ai-share>1.5"),
            (
                10,
                "`ai-share` is a ratio from 0 to 1 (or 0% to 100%), not 1.5".into()
            )
        );
        assert_eq!(
            e("ai-share>-1"),
            (
                10,
                "`-1` is not a number (expected e.g. 0.5, 3 or 50%)".into()
            )
        );
        assert_eq!(
            e("commits>5%"),
            (
                9,
                "`commits` is a count; a percentage applies to ai-share and review-coverage".into()
            )
        );
        assert_eq!(e("ai-share=>0.5"), (9, "unknown operator `=>`".into()));
        assert_eq!(
            e("tool>devin"),
            (5, "`tool` compares with = or != only, not >".into())
        );
        assert_eq!(e("status!=analysed"), (9, "unknown status `analysed`; expected one of analyzed, no-repository, repository-unavailable, revision-unresolved, error".into()));
        assert_eq!(
            e("tool=dev in"),
            (10, "unexpected `in` after the value".into())
        );
        assert_eq!(
            e("tool=dev/in"),
            (
                9,
                "unexpected `/` in the value (expected a slug, `*` and `?` allowed)".into()
            )
        );
        assert_eq!(
            e("pkg:npm/*"),
            (
                10,
                "after the scope `pkg:npm/*` expected `:METRIC OP VALUE`, e.g. :ai-share>0.5"
                    .into()
            )
        );
        assert_eq!(e("pkg:npm/*:share>1"), (18, "after the scope `pkg:npm/*:share>1` expected `:METRIC OP VALUE`, e.g. :ai-share>0.5".into()));
        assert_eq!(e("npm/*:ai-share>0.5").0, 1);
        assert!(e("npm/*:ai-share>0.5")
            .1
            .contains("(a scope is a purl glob starting with `pkg:`)"));
        assert_eq!(
            e(">0.5"),
            (1, "expected a metric before the operator".into())
        );
        assert_eq!(
            e("  ai-share > x"),
            (
                14,
                "`x` is not a number (expected e.g. 0.5, 3 or 50%)".into()
            )
        );
        assert_eq!(
            parse("ai-share 0.5").unwrap_err().to_string(),
            "--fail-on \"ai-share 0.5\": column 10: expected an operator (>, >=, <, <=, =, !=) after `ai-share`"
        );
        let p = parse("  pkg:npm/* : unreviewed-ai >= 2 ").unwrap();
        assert_eq!(
            (p.text.as_str(), p.scope.as_deref(), p.metric, p.op, p.value),
            (
                "pkg:npm/* : unreviewed-ai >= 2",
                Some("pkg:npm/*"),
                Metric::UnreviewedAi,
                Op::Ge,
                Operand::Number(2.0)
            )
        );
    }

    #[test]
    fn evaluate_lists_every_violation_in_order() {
        let a = analyzed();
        let b = comp(
            "pkg:npm/left-pad@1.3.0",
            &[("aiprov:status", "no-repository")],
        );
        let policies: Vec<Policy> = ["ai-share>0.5", "status!=analyzed", "tool=devin"]
            .iter()
            .map(|s| parse(s).unwrap())
            .collect();
        let v = evaluate(&policies, &[a, b]);
        let got: Vec<String> = v.iter().map(|v| v.to_string()).collect();
        assert_eq!(
            got,
            [
                "pkg:npm/%40acme/widget@2.0.0?vcs_url=git%2Bhttps%3A%2F%2Fexample.invalid%2Fw.git: ai-share>0.5: 0.6",
                "pkg:npm/%40acme/widget@2.0.0?vcs_url=git%2Bhttps%3A%2F%2Fexample.invalid%2Fw.git: tool=devin: devin",
                "pkg:npm/left-pad@1.3.0: status!=analyzed: no-repository",
            ]
        );
    }
}
