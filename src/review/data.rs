//! The review-data format (`--review-data FILE`, `aiprov reviews export`): JSON Lines, one
//! pull/merge request per line, schema `schemas/review-data.schema.json`:
//!
//! ```json
//! {"repository": "https://github.com/OWNER/NAME", "number": 12,
//!  "url": "https://github.com/OWNER/NAME/pull/12", "author": "alice",
//!  "merged_at": "2026-04-29T14:30:00Z", "merged_by": "bob",
//!  "commits": ["<40-hex id of each commit the request brought in, as landed>"],
//!  "reviews": [{"author": "carol", "state": "approved", "submitted_at": "2026-04-29T10:15:00Z"}],
//!  "checks": [{"name": "test", "conclusion": "success"}], "source": "github"}
//! ```
//!
//! Required: `repository`, `number`, `url`, `commits`. The optional `source` (`github` or
//! `gitlab`) says which forge the record was originally read from (`aiprov reviews export`
//! writes it); the record then counts under that name in `aiprov:review:source`, so that a file
//! read back offline gives the same document as the online run. Without it the record's source
//! is `review-data`. Unknown keys are ignored; blank lines
//! are skipped. Anything else that does not fit (bad JSON, a wrong type, a commit id that is not
//! 40 or 64 hex digits, a date that is not RFC 3339, an unknown review state, an over-long
//! value) is an [`Error`] naming the line and the field. Parsing is pure: the caller reads the
//! file.

use serde::{Deserialize, Serialize};

use super::{Check, PullRequest, Review, ReviewState, Source};

/// Longest line accepted (bytes): a request with ~100,000 commits.
pub const MAX_LINE_BYTES: usize = 8 << 20;
/// Longest login, URL, check name or conclusion accepted (characters).
pub const MAX_VALUE_CHARS: usize = 2048;

/// A line that does not fit the format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct Error {
    /// The file as given.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, naming the field (and the column for JSON syntax errors).
    pub message: String,
}

#[derive(Deserialize)]
struct RawRequest {
    repository: Option<serde_json::Value>,
    number: Option<serde_json::Value>,
    url: Option<serde_json::Value>,
    author: Option<serde_json::Value>,
    merged_at: Option<serde_json::Value>,
    merged_by: Option<serde_json::Value>,
    commits: Option<serde_json::Value>,
    reviews: Option<serde_json::Value>,
    checks: Option<serde_json::Value>,
    source: Option<serde_json::Value>,
}

/// One line as written by [`to_line`].
#[derive(Serialize)]
struct OutRequest<'a> {
    repository: &'a str,
    number: u64,
    url: &'a str,
    author: Option<&'a str>,
    merged_at: Option<&'a str>,
    merged_by: Option<&'a str>,
    commits: &'a [String],
    reviews: Vec<OutReview<'a>>,
    checks: &'a [Check],
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'static str>,
}

#[derive(Serialize)]
struct OutReview<'a> {
    author: &'a str,
    state: ReviewState,
    submitted_at: Option<&'a str>,
}

/// Parse the review data in `text` (the content of `file`); a request gets the forge its
/// `source` names ([`Source::Github`], [`Source::Gitlab`]), else [`Source::ReviewData`].
pub fn parse(file: &str, text: &str) -> Result<Vec<PullRequest>, Error> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let err = |message: String| Error {
            file: file.to_string(),
            line: i + 1,
            message,
        };
        if line.trim().is_empty() {
            continue;
        }
        if line.len() > MAX_LINE_BYTES {
            return Err(err(format!(
                "the line is longer than {MAX_LINE_BYTES} bytes"
            )));
        }
        let value: serde_json::Value = serde_json::from_str(line).map_err(|e| {
            err(format!(
                "column {}: not JSON: {}",
                e.column(),
                strip_position(&e.to_string())
            ))
        })?;
        if !value.is_object() {
            return Err(err(format!(
                "expected a JSON object (one request), not {}",
                shown(&value)
            )));
        }
        let raw: RawRequest =
            serde_json::from_value(value).map_err(|e| err(format!("not a request: {e}")))?;
        out.push(request(raw).map_err(err)?);
    }
    Ok(out)
}

fn strip_position(s: &str) -> &str {
    s.split(" at line ").next().unwrap_or(s)
}

fn request(raw: RawRequest) -> Result<PullRequest, String> {
    let repository = text(raw.repository.as_ref(), "repository")?
        .ok_or("`repository` is missing (a repository URL)")?;
    let number = match &raw.number {
        Some(v) => v
            .as_u64()
            .ok_or_else(|| format!("`number` must be a non-negative integer, not {}", shown(v)))?,
        None => return Err("`number` is missing".into()),
    };
    let url = text(raw.url.as_ref(), "url")?.ok_or("`url` is missing")?;
    let author = text(raw.author.as_ref(), "author")?;
    let merged_at = date(raw.merged_at.as_ref(), "merged_at")?;
    let merged_by = text(raw.merged_by.as_ref(), "merged_by")?;
    let commits = match &raw.commits {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let s = c.as_str().unwrap_or("");
                let ok = matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit());
                if ok {
                    Ok(s.to_ascii_lowercase())
                } else {
                    Err(format!(
                        "`commits/{k}` must be a full commit id (40 or 64 hex digits), not {}",
                        shown(c)
                    ))
                }
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(v) => return Err(format!("`commits` must be an array, not {}", shown(v))),
        None => return Err("`commits` is missing (the ids of the commits it brought in)".into()),
    };
    let reviews = match &raw.reviews {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(k, r)| {
                let field = |name: &str| format!("reviews/{k}/{name}");
                let author = text(r.get("author"), &field("author"))?
                    .ok_or_else(|| format!("`{}` is missing", field("author")))?;
                let state = r.get("state").and_then(|s| s.as_str()).ok_or_else(|| {
                    format!("`{}` is missing or not a string", field("state"))
                })?;
                let state = ReviewState::parse(state).ok_or_else(|| {
                    format!(
                        "`{}`: {} is not one of approved, changes_requested, commented, dismissed, pending",
                        field("state"),
                        shown(&serde_json::Value::String(state.into()))
                    )
                })?;
                let submitted_at = date(r.get("submitted_at"), &field("submitted_at"))?;
                Ok(Review {
                    author,
                    state,
                    submitted_at,
                })
            })
            .collect::<Result<Vec<_>, String>>()?,
        Some(v) => return Err(format!("`reviews` must be an array, not {}", shown(v))),
    };
    let checks = match &raw.checks {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let name = text(c.get("name"), &format!("checks/{k}/name"))?
                    .ok_or_else(|| format!("`checks/{k}/name` is missing"))?;
                let conclusion = text(c.get("conclusion"), &format!("checks/{k}/conclusion"))?
                    .map(|s| s.to_ascii_lowercase());
                Ok(Check { name, conclusion })
            })
            .collect::<Result<Vec<_>, String>>()?,
        Some(v) => return Err(format!("`checks` must be an array, not {}", shown(v))),
    };
    let source = match &raw.source {
        None | Some(serde_json::Value::Null) => Source::ReviewData,
        Some(serde_json::Value::String(s)) if s == "github" => Source::Github,
        Some(serde_json::Value::String(s)) if s == "gitlab" => Source::Gitlab,
        Some(v) => {
            return Err(format!(
                "`source`: {} is not one of github, gitlab",
                shown(v)
            ))
        }
    };
    Ok(PullRequest {
        repository,
        number,
        url,
        author,
        merged_at,
        merged_by,
        commits,
        reviews,
        checks,
        source,
    })
}

/// A JSON value shown in a message: bounded and escaped.
fn shown(v: &serde_json::Value) -> String {
    crate::text::bounded(&v.to_string(), 80)
}

/// An optional string field: absent or `null` → `None`; a non-string or an over-long one is an
/// error.
fn text(v: Option<&serde_json::Value>, field: &str) -> Result<Option<String>, String> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => {
            if s.chars().count() > MAX_VALUE_CHARS {
                return Err(format!(
                    "`{field}` is longer than {MAX_VALUE_CHARS} characters"
                ));
            }
            if s.chars().any(char::is_control) {
                return Err(format!("`{field}` holds a control character"));
            }
            Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
        }
        Some(other) => Err(format!("`{field}` must be a string, not {}", shown(other))),
    }
}

fn date(v: Option<&serde_json::Value>, field: &str) -> Result<Option<String>, String> {
    let s = text(v, field)?;
    if let Some(d) = &s {
        if super::seconds(d).is_none() {
            return Err(format!(
                "`{field}`: {} is not an RFC 3339 date-time (e.g. 2026-04-29T14:30:00Z)",
                shown(&serde_json::Value::String(d.clone()))
            ));
        }
    }
    Ok(s)
}

/// One request as a review-data line (no trailing newline); `source` is written for a record
/// read from a forge (`github`, `gitlab`), left out otherwise.
pub fn to_line(r: &PullRequest) -> String {
    let out = OutRequest {
        repository: &r.repository,
        number: r.number,
        url: &r.url,
        author: r.author.as_deref(),
        merged_at: r.merged_at.as_deref(),
        merged_by: r.merged_by.as_deref(),
        commits: &r.commits,
        reviews: r
            .reviews
            .iter()
            .map(|x| OutReview {
                author: &x.author,
                state: x.state,
                submitted_at: x.submitted_at.as_deref(),
            })
            .collect(),
        checks: &r.checks,
        source: match r.source {
            Source::Github | Source::Gitlab => Some(r.source.as_str()),
            Source::Trailers | Source::ReviewData => None,
        },
    };
    serde_json::to_string(&out).expect("serializing plain data")
}
