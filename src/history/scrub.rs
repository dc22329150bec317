//! Error text from gix, made safe to echo (issue 15, item 8): gix quotes the content it could
//! not parse (`input="…"`), which for a `HEAD` linked to `/etc/passwd` is that file. The
//! quoted content is replaced by its length, control characters are escaped, and the whole is
//! bounded.

/// Characters of gix error text kept.
pub const MAX_CHARS: usize = 300;

/// A gix error (with its causes) as one safe line.
#[derive(Debug)]
pub struct Scrubbed(pub String);

impl std::fmt::Display for Scrubbed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Scrubbed {}

/// Render `e` and its causes, scrubbed.
pub fn scrub(e: &(dyn std::error::Error + 'static)) -> Scrubbed {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !parts.last().is_some_and(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = c.source();
    }
    Scrubbed(scrub_text(&parts.join(": ")))
}

/// Replace every `input="…"` (Rust debug-quoted, `\"` escaped) by `input=<N bytes not shown>`,
/// escape control and bidi characters, bound to [`MAX_CHARS`].
pub fn scrub_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(4 * MAX_CHARS));
    let mut rest = s;
    while let Some(i) = rest.find("input=\"") {
        out.push_str(&rest[..i]);
        let body = &rest[i + 7..];
        let mut end = body.len();
        let mut escaped = false;
        for (j, c) in body.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = j;
                    break;
                }
                _ => escaped = false,
            }
        }
        out.push_str(&format!("input=<{end} bytes not shown>"));
        rest = body.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    let escaped: String = out
        .chars()
        .flat_map(|c| {
            let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
            if c.is_control() || bidi {
                c.escape_unicode().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    crate::text::bounded(&escaped, MAX_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_content_is_never_shown() {
        assert_eq!(
            scrub_text(r#"could not be decoded: content, input="root:x:0:0\n\"q\" \x1b[31m" tail"#),
            "could not be decoded: content, input=<26 bytes not shown> tail"
        );
        assert_eq!(scrub_text("a\u{1b}b\u{202e}c"), "a\\u{1b}b\\u{202e}c");
        assert_eq!(
            scrub_text("input=\"unterminated"),
            "input=<12 bytes not shown>"
        );
    }
}
