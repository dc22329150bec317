//! SBOM readers and writers.
//!
//! Every format is edited in place: a reader parses the document into a tree it keeps (for
//! CycloneDX JSON a [`serde_json::Value`]) plus the neutral [`crate::inventory::Inventory`], and the
//! writer changes only what aiprov owns (its `aiprov:` properties, its `metadata.tools` entry,
//! `version`, `metadata.timestamp`) on that same tree.

pub mod cyclonedx;

/// Why a document could not be read.
///
/// Every message starts with the file it is about. Text taken from the document (a bom-ref, a
/// `specVersion`) is shortened and has its control characters escaped, see [`bounded`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not JSON (or are truncated).
    #[error("{path}: not valid JSON at line {line}, column {column}: {message}")]
    NotJson {
        /// The file (or `-` for stdin).
        path: String,
        /// 1-based line of the syntax error.
        line: usize,
        /// 1-based column of the syntax error.
        column: usize,
        /// What the JSON parser expected.
        message: String,
    },
    /// JSON, but not a CycloneDX document.
    #[error("{path}: not a CycloneDX document (no \"bomFormat\": \"CycloneDX\"{hint})")]
    NotCycloneDx {
        /// The file.
        path: String,
        /// Extra words when we recognize what it is instead (e.g. `; it looks like SPDX`).
        hint: String,
    },
    /// A CycloneDX version aiprov does not read.
    #[error("{path}: unsupported CycloneDX specVersion {found} (supported: 1.2 to 1.7)")]
    UnsupportedSpecVersion {
        /// The file.
        path: String,
        /// The `specVersion` as found (bounded, quoted when it was a string).
        found: String,
    },
    /// Two components share a `bom-ref`, so results could not be attributed unambiguously.
    #[error("{path}: duplicate bom-ref \"{bom_ref}\" at {first} and {second}")]
    DuplicateBomRef {
        /// The file.
        path: String,
        /// The repeated bom-ref (bounded).
        bom_ref: String,
        /// JSON pointer of the first component carrying it.
        first: String,
        /// JSON pointer of the second one.
        second: String,
    },
    /// A component has no (string) `name`, which CycloneDX requires.
    #[error("{path}: component at {pointer} has no name")]
    ComponentWithoutName {
        /// The file.
        path: String,
        /// JSON pointer of the component.
        pointer: String,
    },
    /// Part of the document does not have the shape CycloneDX requires (e.g. `components` is not
    /// an array).
    #[error("{path}: {pointer}: {expected}")]
    Malformed {
        /// The file.
        path: String,
        /// JSON pointer of the offending value.
        pointer: String,
        /// What was expected there.
        expected: String,
    },
    /// The document carries an enveloped signature, which any edit invalidates.
    #[error(
        "{path}: the document is signed (top-level \"signature\"); enriching it would invalidate \
         the signature: pass --strip-signature to remove it and re-sign the output"
    )]
    Signed {
        /// The file.
        path: String,
    },
}

/// Default bound for text echoed from an untrusted document.
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
fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' // zero-width spaces, LRM/RLM
            | '\u{2028}' | '\u{2029}' // line / paragraph separators
            | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{feff}')
}

/// A file label for messages: control characters escaped, not shortened.
pub(crate) fn path_label(path: &str) -> String {
    bounded(path, usize::MAX)
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
    fn messages_start_with_the_path() {
        let errors = [
            Error::NotJson {
                path: "a.json".into(),
                line: 3,
                column: 7,
                message: "EOF while parsing".into(),
            },
            Error::NotCycloneDx {
                path: "a.json".into(),
                hint: String::new(),
            },
            Error::UnsupportedSpecVersion {
                path: "a.json".into(),
                found: "\"2.0\"".into(),
            },
            Error::DuplicateBomRef {
                path: "a.json".into(),
                bom_ref: "x".into(),
                first: "/components/0".into(),
                second: "/components/1".into(),
            },
            Error::ComponentWithoutName {
                path: "a.json".into(),
                pointer: "/components/2".into(),
            },
            Error::Malformed {
                path: "a.json".into(),
                pointer: "/components".into(),
                expected: "expected an array".into(),
            },
            Error::Signed {
                path: "a.json".into(),
            },
        ];
        for e in errors {
            assert!(e.to_string().starts_with("a.json: "), "{e}");
        }
        assert_eq!(
            Error::NotJson {
                path: "a.json".into(),
                line: 3,
                column: 7,
                message: "EOF while parsing".into()
            }
            .to_string(),
            "a.json: not valid JSON at line 3, column 7: EOF while parsing"
        );
        assert_eq!(
            Error::DuplicateBomRef {
                path: "a.json".into(),
                bom_ref: "x".into(),
                first: "/components/0".into(),
                second: "/components/1".into(),
            }
            .to_string(),
            "a.json: duplicate bom-ref \"x\" at /components/0 and /components/1"
        );
    }
}
