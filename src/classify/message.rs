//! Splitting a commit message into its subject, the lines rules may read, and its trailers.
//!
//! Which lines are trailers (see `docs/rules.md` and `../shared/docs/ai-signals.md` §1, T9, T15):
//! a trailer is a `Key: value` line at column 0 in a paragraph after the subject that holds only
//! trailer-shaped lines, outside quoted (`>`) and fenced (```` ``` ````) blocks. Unlike
//! `git interpret-trailers`, every such paragraph counts, not only the last one: GitHub squash
//! merges put a `---------` line before the `Co-authored-by:` block and DCO bots append a
//! `Signed-off-by:` paragraph after it. Unlike a plain grep, a trailer quoted in a revert or written
//! inside a prose paragraph does not count.
//!
//! Lines that may stand in a trailer paragraph besides `Key: value` (git's `trailer.separators`
//! and footer conventions): continuation lines (indented, following a trailer), bare URLs
//! (`https://claude.ai/code/session_…`), `(cherry picked from commit <hex>)`, and GitHub closing
//! references such as `Fixes #123`.

use std::borrow::Cow;

/// A commit message, split once and read by every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMessage<'a> {
    /// The first line, trimmed of trailing white space.
    pub subject: &'a str,
    /// Every line (subject included) outside quoted and fenced blocks, in order.
    pub lines: Vec<&'a str>,
    /// Trailers in message order, continuation lines joined with a single space.
    pub trailers: Vec<Trailer<'a>>,
}

/// One `Key: value` trailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer<'a> {
    /// The key as written (compare case-insensitively).
    pub key: &'a str,
    /// The value, trimmed.
    pub value: Cow<'a, str>,
}

/// Split `message` (already bounded by the caller) into subject, readable lines and trailers.
pub fn parse(message: &str) -> ParsedMessage<'_> {
    let mut all = message.lines();
    let subject = all.next().unwrap_or("").trim_end();
    let body: Vec<&str> = all.collect();
    // A body indented as a whole (a tool that indents what it quotes or wraps) is read dedented.
    let indent = common_indent(&body);
    let mut lines = vec![subject];
    let mut trailers = Vec::new();

    // Paragraph state. The first paragraph holds the subject; its other lines are a trailer block
    // only when every one of them is trailer-shaped (trailers written directly under the subject).
    let mut in_fence = false;
    let mut para: Vec<&str> = Vec::new();
    let mut para_ok = true;

    for raw in body {
        let line = raw.strip_prefix(indent).unwrap_or(raw).trim_end();
        let fence = is_fence(line);
        if in_fence {
            if fence {
                in_fence = false;
            }
            continue;
        }
        if fence {
            flush(&mut para, false, &mut trailers);
            para_ok = true;
            in_fence = true;
            continue;
        }
        if line.trim().is_empty() {
            flush(&mut para, para_ok, &mut trailers);
            para_ok = true;
            continue;
        }
        if is_quoted(line) {
            // A quoted line makes its paragraph something other than a trailer block.
            para_ok = false;
            para.push(line);
            continue;
        }
        lines.push(line);
        if para_ok && line.starts_with("* ") && para.iter().any(|l| is_trailer_line(l)) {
            // A squash message's next `* commit` entry right under a co-author block: the block
            // so far is complete; the entry starts a paragraph of its own.
            flush(&mut para, true, &mut trailers);
            para_ok = false;
            para.push(line);
            continue;
        }
        if para_ok {
            let continuation = !para.is_empty() && line.starts_with([' ', '\t']);
            if !(continuation
                || is_trailer_shaped(line).is_some()
                || is_footer_shaped(line)
                || is_vendor_footer(line))
            {
                para_ok = false;
            }
        }
        para.push(line);
    }
    flush(&mut para, para_ok, &mut trailers);
    ParsedMessage {
        subject,
        lines,
        trailers,
    }
}

/// The leading white space every non-blank line of `body` shares (empty when one has none).
fn common_indent<'a>(body: &[&'a str]) -> &'a str {
    let mut common: Option<&'a str> = None;
    for line in body.iter().filter(|l| !l.trim().is_empty()) {
        let ws = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        common = Some(match common {
            None => ws,
            Some(c) => {
                let n = c
                    .bytes()
                    .zip(ws.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                &c[..n]
            }
        });
        if common == Some("") {
            break;
        }
    }
    common.unwrap_or("")
}

/// A `Key: value` line at column 0 (not a continuation, footer or URL).
fn is_trailer_line(line: &str) -> bool {
    !line.starts_with([' ', '\t']) && is_trailer_shaped(line).is_some()
}

/// A vendor's generated-with footer (`🤖 Generated with [Claude Code](…)`, `💘 Generated with
/// Crush`), which these tools write directly above their co-author trailer: at most six leading
/// symbols, `Generated with `, a short name or link, nothing more.
fn is_vendor_footer(line: &str) -> bool {
    let l = line.trim();
    let start = l
        .char_indices()
        .find(|(_, c)| c.is_alphanumeric() || *c == '[')
        .map(|(i, _)| i)
        .unwrap_or(l.len());
    if l[..start].chars().count() > 6 {
        return false;
    }
    match l[start..].strip_prefix("Generated with ") {
        Some(rest) => !rest.is_empty() && rest.len() <= 100 && !rest.ends_with(['.', ',', ':']),
        None => false,
    }
}

fn flush<'a>(para: &mut Vec<&'a str>, ok: bool, trailers: &mut Vec<Trailer<'a>>) {
    if ok && !para.is_empty() {
        collect_trailers(para, trailers);
    }
    para.clear();
}

fn collect_trailers<'a>(para: &[&'a str], out: &mut Vec<Trailer<'a>>) {
    let mut current: Option<Trailer<'a>> = None;
    for &line in para {
        if line.starts_with([' ', '\t']) {
            if let Some(t) = current.as_mut() {
                let joined = format!("{} {}", t.value, line.trim());
                t.value = Cow::Owned(joined);
            }
            continue;
        }
        if let Some(t) = current.take() {
            out.push(t);
        }
        if let Some((key, value)) = is_trailer_shaped(line) {
            current = Some(Trailer {
                key,
                value: Cow::Borrowed(value),
            });
        }
    }
    if let Some(t) = current {
        out.push(t);
    }
}

/// `Key: value` at column 0: a key of letters, digits and `-` starting with a letter, a colon, and
/// a non-empty value that does not begin with `//` (so `https://…` is a URL, not key `https`).
fn is_trailer_shaped(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let key = &line[..colon];
    let mut chars = key.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '-') || key.len() > 64 {
        return None;
    }
    let value = line[colon + 1..].trim();
    if value.is_empty() || value.starts_with("//") {
        return None;
    }
    Some((key, value))
}

/// Footer lines git or forges put among trailers without a `Key: value` shape.
fn is_footer_shaped(line: &str) -> bool {
    let l = line.trim();
    if l.starts_with("https://") || l.starts_with("http://") {
        return !l.contains(char::is_whitespace);
    }
    if let Some(rest) = l.strip_prefix("(cherry picked from commit ") {
        return rest.ends_with(')');
    }
    // `Fixes #123`, `Closes owner/repo#4`: one word, a space, a reference.
    match l.split_once(' ') {
        Some((word, reference)) => {
            word.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
                && !word.is_empty()
                && !reference.contains(char::is_whitespace)
                && reference.contains('#')
                && reference
                    .rsplit('#')
                    .next()
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        }
        None => false,
    }
}

fn is_fence(line: &str) -> bool {
    let l = line.trim_start_matches(' ');
    line.len() - l.len() <= 3 && (l.starts_with("```") || l.starts_with("~~~"))
}

fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(m: &str) -> Vec<(String, String)> {
        parse(m)
            .trailers
            .iter()
            .map(|t| (t.key.to_string(), t.value.to_string()))
            .collect()
    }

    #[test]
    fn squash_separator_and_dco_paragraph() {
        let m = "Fix (#12)\n\n* one\n* two\n\n---------\n\nCo-authored-by: A <a@x>\nCo-authored-by: B <b@x>\n\nSigned-off-by: C <c@x>\n";
        assert_eq!(
            keys(m),
            vec![
                ("Co-authored-by".into(), "A <a@x>".into()),
                ("Co-authored-by".into(), "B <b@x>".into()),
                ("Signed-off-by".into(), "C <c@x>".into()),
            ]
        );
    }

    #[test]
    fn prose_quoted_indented_and_fenced_trailers_do_not_count() {
        let m = "Doc\n\nWe now add a line like\nCo-authored-by: Claude <noreply@anthropic.com>\nto every commit.\n\n> Co-authored-by: Claude <noreply@anthropic.com>\n\n    Co-authored-by: Claude <noreply@anthropic.com>\n\n```\nCo-authored-by: Claude <noreply@anthropic.com>\n```\n";
        assert_eq!(keys(m), vec![]);
        let p = parse(m);
        assert!(!p.lines.iter().any(|l| l.starts_with('>')));
        assert!(p
            .lines
            .contains(&"    Co-authored-by: Claude <noreply@anthropic.com>"));
        assert!(
            !p.lines
                .contains(&"Co-authored-by: Claude <noreply@anthropic.com>")
                || p.lines
                    .iter()
                    .filter(|l| l.starts_with("Co-authored"))
                    .count()
                    == 1
        );
    }

    #[test]
    fn subject_is_never_a_trailer_and_footers_may_mix() {
        assert_eq!(keys("Co-authored-by: X <x@y>"), vec![]);
        let m = "[PR #1 backport] x\n\nCo-authored-by: A <a@x>\nCo-authored-by: Claude <noreply@anthropic.com>\nFixes #12561\n";
        assert_eq!(keys(m).len(), 2);
        let m = "x\n\nAmp-Thread-ID: https://ampcode.com/threads/T-1\nhttps://claude.ai/code/session_01ab\n(cherry picked from commit abc123)\n";
        assert_eq!(
            keys(m),
            vec![(
                "Amp-Thread-ID".into(),
                "https://ampcode.com/threads/T-1".into()
            )]
        );
    }

    #[test]
    fn continuation_lines_join() {
        let m = "x\n\nAssisted-by: Claude:claude-3-opus\n  coccinelle sparse\n";
        assert_eq!(
            keys(m),
            vec![(
                "Assisted-by".into(),
                "Claude:claude-3-opus coccinelle sparse".into()
            )]
        );
    }

    #[test]
    fn pseudo_trailer_lines_are_trailer_shaped_but_urls_are_not_keys() {
        let m = "x\n\nmacos: fix the thing\n";
        assert_eq!(keys(m), vec![("macos".into(), "fix the thing".into())]);
        assert_eq!(keys("x\n\nhttps://example.com/a\n"), vec![]);
    }

    #[test]
    fn trailers_directly_under_the_subject_count_only_without_prose() {
        assert_eq!(
            keys("Subject\nCo-authored-by: X <x@y>"),
            vec![("Co-authored-by".into(), "X <x@y>".into())]
        );
        let m = "Fix\nCo-authored-by: Claude <noreply@anthropic.com>\nSigned-off-by: D <d@x>\n\nMore text.\n";
        assert_eq!(keys(m).len(), 2);
        // A trailer between two prose lines of the first paragraph is prose.
        let m = "Docs: our commits end with a line like\nCo-authored-by: Claude <noreply@anthropic.com>\nwhen Claude helped.\n";
        assert_eq!(keys(m), vec![]);
    }

    #[test]
    fn a_vendor_footer_directly_above_the_trailer_keeps_the_paragraph() {
        let m = "Add tests\n\nBody.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\nCo-Authored-By: Claude <noreply@anthropic.com>\n";
        assert_eq!(
            keys(m),
            vec![(
                "Co-Authored-By".into(),
                "Claude <noreply@anthropic.com>".into()
            )]
        );
        // Prose that mentions a generator is not a footer.
        let m = "x\n\nGenerated with care, by hand, over many evenings of work and reading.\nCo-authored-by: A <a@x>\nand a friend.\n";
        assert_eq!(keys(m), vec![]);
        assert!(!is_vendor_footer("Generated with protoc:"));
        assert!(is_vendor_footer("💘 Generated with Crush"));
    }

    #[test]
    fn a_squash_entry_after_a_co_author_block_ends_the_block() {
        let m = "Feature (#7)\n\n* Add parser\n\nCo-authored-by: Claude <noreply@anthropic.com>\n* Fix review comments\nMore words about it\n\n* Tidy\n";
        assert_eq!(
            keys(m),
            vec![(
                "Co-authored-by".into(),
                "Claude <noreply@anthropic.com>".into()
            )]
        );
        let p = parse(m);
        assert!(p.lines.contains(&"* Fix review comments"));
        // Without a trailer before it, a bullet is prose as before.
        assert_eq!(keys("x\n\n* one\n* two: three\n"), vec![]);
    }

    #[test]
    fn a_body_indented_as_a_whole_is_dedented() {
        let m = "Add viewer\n\n    Built a viewer.\n\n    🤖 Generated with [Claude Code](https://claude.ai/code)\n\n    Co-Authored-By: Claude <noreply@anthropic.com>\n      continued\n";
        assert_eq!(
            keys(m),
            vec![(
                "Co-Authored-By".into(),
                "Claude <noreply@anthropic.com> continued".into()
            )]
        );
        assert!(parse(m)
            .lines
            .contains(&"🤖 Generated with [Claude Code](https://claude.ai/code)"));
        // Tabs too; a lone blank line with less indentation does not stop it.
        assert_eq!(keys("x\n\t\n\tSigned-off-by: A <a@x>\n").len(), 1);
        // A revert quoting an indented trailer under unindented text: no dedent, no trailer.
        let m = "Revert \"Add viewer\"\n\nThis reverts commit abc.\n\n    Co-authored-by: Claude <noreply@anthropic.com>\n";
        assert_eq!(keys(m), vec![]);
        assert_eq!(common_indent(&["  a", "", "    b", "  c"]), "  ");
        assert_eq!(common_indent(&["  a", "b"]), "");
    }
}
