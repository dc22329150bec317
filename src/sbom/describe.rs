//! What a report says about a document and where SARIF points in it, in neutral types: the
//! [`DocumentInfo`] every format home fills ([`crate::sbom::Document::info`]) and the
//! positions of JSON values by pointer ([`value_positions`], shared by the JSON formats; see
//! [`crate::sbom::Document::positions`]).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

/// The document the report is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentInfo {
    /// The file as given on the command line (`-` for stdin).
    pub file: String,
    /// `metadata.component` as `name@version`, when present.
    pub subject: Option<String>,
    /// `CycloneDX 1.6`.
    pub format: String,
    /// `serialNumber`.
    pub serial_number: Option<String>,
    /// `version`.
    pub version: Option<u64>,
    /// `metadata.timestamp`.
    pub timestamp: Option<String>,
}

/// `NAME@VERSION` of an object from its `name` and `version` keys (`NAME` alone without a version).
pub(crate) fn name_at(c: &Value, name: &str, version: &str) -> Option<String> {
    let n = c.get(name).and_then(Value::as_str)?;
    Some(match c.get(version).and_then(Value::as_str) {
        Some(ver) => format!("{n}@{ver}"),
        None => n.to_string(),
    })
}

/// The 1-based line and column (in characters) where the JSON value at each pointer of
/// `wanted` starts in `text`. Pointers not found are absent.
pub fn value_positions(text: &str, wanted: &HashSet<String>) -> HashMap<String, (usize, usize)> {
    let mut offsets: Vec<(String, usize)> = Vec::new();
    if !wanted.is_empty() {
        let mut scan = Scan {
            s: text.as_bytes(),
            i: 0,
        };
        if text.starts_with('\u{feff}') {
            scan.i = 3;
        }
        let mut ptr = String::new();
        scan.value(&mut ptr, wanted, &mut offsets);
    }
    let mut out = HashMap::new();
    for (ptr, off) in offsets {
        let before = &text[..off.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = text[line_start..off].chars().count() + 1;
        out.insert(ptr, (line, column));
    }
    out
}

struct Scan<'a> {
    s: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Skip a string at `i` (on its opening quote); returns its raw contents.
    fn string(&mut self) -> String {
        let start = self.i;
        self.i += 1;
        while self.i < self.s.len() {
            match self.s[self.i] {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    break;
                }
                _ => self.i += 1,
            }
        }
        let raw = &self.s[start..self.i.min(self.s.len())];
        serde_json::from_slice::<String>(raw).unwrap_or_default()
    }

    fn value(
        &mut self,
        ptr: &mut String,
        wanted: &HashSet<String>,
        out: &mut Vec<(String, usize)>,
    ) {
        self.ws();
        if wanted.contains(ptr.as_str()) {
            out.push((ptr.clone(), self.i));
        }
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                loop {
                    self.ws();
                    match self.peek() {
                        Some(b'"') => {}
                        Some(b'}') | None => {
                            self.i += 1;
                            return;
                        }
                        Some(_) => {
                            self.i += 1;
                            continue;
                        }
                    }
                    let key = self.string();
                    self.ws();
                    if self.peek() == Some(b':') {
                        self.i += 1;
                    }
                    let len = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&key.replace('~', "~0").replace('/', "~1"));
                    self.value(ptr, wanted, out);
                    ptr.truncate(len);
                    self.ws();
                    if self.peek() == Some(b',') {
                        self.i += 1;
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut index = 0usize;
                loop {
                    self.ws();
                    match self.peek() {
                        Some(b']') | None => {
                            self.i += 1;
                            return;
                        }
                        _ => {}
                    }
                    let len = ptr.len();
                    let _ = write!(ptr, "/{index}");
                    self.value(ptr, wanted, out);
                    ptr.truncate(len);
                    index += 1;
                    self.ws();
                    if self.peek() == Some(b',') {
                        self.i += 1;
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while self.i < self.s.len()
                    && !matches!(
                        self.s[self.i],
                        b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'
                    )
                {
                    self.i += 1;
                }
            }
            None => {}
        }
    }
}
