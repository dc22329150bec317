//! Text made safe and small: the bottom layer every other module may use.
//!
//! Untrusted text (SBOM fields, commit messages, registry answers, file names) never reaches a
//! terminal, a Markdown/HTML report or a one-line property unescaped and unbounded; these are the
//! only helpers that do that, so there is one behaviour to audit. Knows nothing of SBOMs, git or
//! HTTP.

/// Default bound, in characters, for text echoed from an untrusted document.
pub const ECHO_LIMIT: usize = 200;

/// `text` made safe to print on a terminal or write on one line: at most `max` characters (then
/// `…`), with control characters (C0, DEL, C1) and bidirectional/format controls escaped as
/// `\n`, `\t`, `\u{1b}`, … so a document cannot inject terminal escape sequences or fake lines.
pub fn bounded(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Control characters, and the Unicode format characters that reorder or hide text.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' // zero-width spaces, LRM/RLM
            | '\u{061c}' // Arabic letter mark
            | '\u{2028}' | '\u{2029}' // line / paragraph separators
            | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{feff}')
}

/// A file label for messages: control characters escaped, not shortened.
pub fn path_label(path: &str) -> String {
    bounded(path, usize::MAX)
}

/// Replace control characters (ESC and friends from untrusted text) before a message reaches a
/// terminal. Newlines and carriage returns become spaces (every message is one line, whatever a
/// file name or an SBOM field holds); tabs stay; other controls and the bidi/invisible format
/// characters of [`is_unsafe_char`] become U+FFFD (issue 15).
pub fn escape_for_terminal(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' => ' ',
            '\t' => c,
            // C0/C1 controls and bidi overrides (which reorder what a reader sees).
            c if is_unsafe_char(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Every run of whitespace (line breaks included) as one space, no leading or trailing space.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`one_line`], then at most `max` characters, cut without a mark (for identities and subjects
/// whose length is bounded by a format, not for messages to a reader: those use [`bounded`]).
pub fn one_line_cut(s: &str, max: usize) -> String {
    one_line(s).chars().take(max).collect()
}

/// Line breaks (`\r`, `\n`) as spaces, every other character kept: for a value written as one
/// line of a format (an SPDX 2 annotation comment) where other whitespace is data.
pub fn line_breaks_to_spaces(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// 1-based line and column (in characters) of byte `offset` in `text` (clamped to its length).
/// Invalid UTF-8 before the offset counts one character per replacement.
pub fn line_column(text: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

/// Untrusted text as one inert Markdown table cell of at most `max` characters ([`bounded`]):
/// every character Markdown gives a meaning (links, images, emphasis, headings, code, HTML,
/// tables) escaped, line breaks as spaces, other controls and the bidi/invisible characters of
/// [`is_unsafe_char`] as U+FFFD (issue 15).
///
/// An `@` that could start a GitHub mention (first, or after a character that is not a letter
/// or digit: `@acme/widget`) is written `@&#8203;` (a zero-width space after it, as Dependabot
/// does), so a posted comment notifies nobody; `widget@1.0` stays as it is.
pub fn markdown_cell(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in bounded(s, max).chars() {
        let after = previous.replace(c);
        match c {
            '@' if !after.is_some_and(char::is_alphanumeric) => out.push_str("@&#8203;"),
            // `[`, `]` and `!` suffice to break links and images; `(` `)` stay readable.
            '\\' | '|' | '`' | '[' | ']' | '!' | '*' | '_' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_unsafe_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A `serde_json` [`Formatter`](serde_json::ser::Formatter) around `F` (compact or pretty) that
/// also writes the characters of [`is_unsafe_char`] serde_json leaves raw as `\uXXXX` escapes:
/// C1 controls (U+0080–U+009F), bidi embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069), marks (U+200E/F, U+061C), zero-width and line/paragraph separators. The
/// JSON means the same (RFC 8259 §7); a viewer or a diff of the file cannot be reordered by
/// untrusted text (issue 15). Every JSON document aiprov writes goes through [`json_to_vec`],
/// [`json_to_string`] or [`json_to_writer`].
pub struct SafeJson<F>(pub F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for SafeJson<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe_char(c) {
                self.0.write_string_fragment(writer, &fragment[start..i])?;
                // Every such character is in the Basic Multilingual Plane: one \u escape.
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        self.0.write_string_fragment(writer, &fragment[start..])
    }
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `value` as JSON into `writer` through [`SafeJson`]: 2-space indented when `pretty`, else
/// compact (one line). Errors are the serializer's or the writer's.
pub fn json_to_writer<W: std::io::Write, T: serde::Serialize + ?Sized>(
    writer: W,
    value: &T,
    pretty: bool,
) -> serde_json::Result<()> {
    if pretty {
        let f = SafeJson(serde_json::ser::PrettyFormatter::new());
        value.serialize(&mut serde_json::Serializer::with_formatter(writer, f))
    } else {
        let f = SafeJson(serde_json::ser::CompactFormatter);
        value.serialize(&mut serde_json::Serializer::with_formatter(writer, f))
    }
}

/// [`json_to_writer`] into bytes.
pub fn json_to_vec<T: serde::Serialize + ?Sized>(
    value: &T,
    pretty: bool,
) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::new();
    json_to_writer(&mut out, value, pretty)?;
    Ok(out)
}

/// [`json_to_writer`] into a string.
pub fn json_to_string<T: serde::Serialize + ?Sized>(
    value: &T,
    pretty: bool,
) -> serde_json::Result<String> {
    let bytes = json_to_vec(value, pretty)?;
    Ok(String::from_utf8(bytes).expect("serde_json writes UTF-8"))
}

/// Already serialized JSON `text` with the characters of [`is_unsafe_char`] that are not
/// escaped yet written as `\uXXXX` ([`SafeJson`] for text a lower layer serialized). Outside
/// strings JSON has none of them (RFC 8259 §2 allows four white-space characters), so the
/// replacement never changes what the JSON means.
pub fn escape_json_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_char(c) && !matches!(c, '\n' | '\r' | '\t') {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_escapes_controls_and_truncates() {
        assert_eq!(bounded("plain", 10), "plain");
        assert_eq!(bounded("a\u{1b}[31mred", 50), "a\\u{1b}[31mred");
        assert_eq!(bounded("line1\nline2\r\t", 50), "line1\\nline2\\r\\t");
        assert_eq!(bounded("\u{9b}2J", 50), "\\u{9b}2J");
        assert_eq!(bounded("abc\u{202e}def", 50), "abc\\u{202e}def");
        assert_eq!(bounded("abcdef", 3), "abc…");
        assert_eq!(bounded("abc", 3), "abc");
        assert_eq!(
            bounded(&"x".repeat(1000), ECHO_LIMIT).chars().count(),
            ECHO_LIMIT + 1
        );
        assert_eq!(bounded("héllo wörld", 5), "héllo…");
    }

    #[test]
    fn one_line_variants() {
        assert_eq!(one_line("  a\n\tb  c\r\n"), "a b c");
        assert_eq!(one_line_cut("a\nbcdef", 4), "a bc");
        assert_eq!(line_breaks_to_spaces("a\r\nb\tc"), "a  b\tc");
        assert_eq!(escape_for_terminal("a\nb\u{1b}[0m\tc"), "a b\u{FFFD}[0m\tc");
    }

    #[test]
    fn json_escapes_c1_and_bidi_and_means_the_same() {
        let v = serde_json::json!({"n\u{202e}k": ["a\u{85}b\u{9b}c\u{202a}\u{2066}\u{2069}\u{200e}\u{200f}\u{61c}d\u{1b}é"]});
        let compact = json_to_string(&v, false).unwrap();
        assert_eq!(
            compact,
            r#"{"n\u202ek":["a\u0085b\u009bc\u202a\u2066\u2069\u200e\u200f\u061cd\u001bé"]}"#
        );
        let pretty = json_to_string(&v, true).unwrap();
        assert_eq!(
            pretty,
            format!(
                "{{\n  \"n\\u202ek\": [\n    {}\n  ]\n}}",
                &compact[compact.find('[').unwrap() + 1..compact.len() - 2]
            )
        );
        for text in [&compact, &pretty] {
            assert_eq!(serde_json::from_str::<serde_json::Value>(text).unwrap(), v);
        }
        let raw = serde_json::to_string(&v).unwrap();
        assert_eq!(escape_json_text(&raw), compact);
        assert_eq!(escape_json_text("{\n\t\"a\": 1\r\n}"), "{\n\t\"a\": 1\r\n}");
    }

    #[test]
    fn line_columns() {
        assert_eq!(line_column(b"abc", 0), (1, 1));
        assert_eq!(line_column(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é\nxé".as_bytes(), 6), (2, 3));
        assert_eq!(line_column(b"ab", 99), (1, 3));
    }

    #[test]
    fn markdown_cells_are_inert_and_terminal_text_drops_bidi() {
        assert_eq!(
            markdown_cell("[x](javascript:a) <b>*_#~!&|`\u{202e}\n", 200),
            "\\[x\\](javascript:a) &lt;b&gt;\\*\\_\\#\\~\\!&amp;\\|\\`\\\\u{202e}\\\\n"
        );
        assert_eq!(
            markdown_cell("@acme/widget@2.0 (@x)", 200),
            "@&#8203;acme/widget@2.0 (@&#8203;x)"
        );
        assert_eq!(
            escape_for_terminal("a\u{202e}b\u{61c}c\u{9b}d\ne"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d e"
        );
    }
}
