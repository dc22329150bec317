//! GitLab's REST API (gitlab.com and self-managed, API v4): the merge requests that brought
//! commits in, their approvals and pipelines.
//!
//! Endpoints and shapes (GitLab REST API docs, docs.gitlab.com/api/: "Commits API → List merge
//! requests associated with a commit", "Merge request approvals API → Get configuration for a
//! single merge request", "Merge requests API → List merge request pipelines"):
//!
//! - `GET /projects/:id/repository/commits/:sha/merge_requests` → `[{iid, web_url, author
//!   {username}, merged_at, merged_by {username}, merge_user {username}, state}]`;
//! - `GET /projects/:id/merge_requests/:iid/approvals` → `{approved_by: [{user {username}}]}`
//!   (GitLab gives no time per approval: `submitted_at` stays empty, so the after-merge rule
//!   cannot apply);
//! - `GET /projects/:id/merge_requests/:iid/pipelines` → `[{id, status}]`, newest first: the
//!   newest becomes one check named `pipeline`.
//!
//! `:id` is the URL-encoded project path (`group%2Fsub%2Fproject`). Requests go through the
//! registry's HTTP client ([`crate::registry::Http`]): its timeouts, size caps, retries,
//! `Retry-After` handling, per-host pacing and tokens (a `Bearer` token per host, from the
//! environment variable the configuration names). A project bot (`project_N_bot…`,
//! `group_N_bot…`) gets the `[bot]` suffix so the attribution rule sees it.

use serde_json::{json, Value};

use crate::registry::{Cache, Http, HttpError, Lookup};
use crate::review::{data, Check, PullRequest, Review, ReviewState, Source};

/// Why a commit's merge requests are not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The HTTP client gave no answer (404 for a private project, 401, 429 after retries, …).
    #[error("GitLab: {0}")]
    Http(String),
    /// An answer that does not fit the API's shape.
    #[error("GitLab answered something unexpected: {0}")]
    BadAnswer(String),
}

impl From<HttpError> for Error {
    fn from(e: HttpError) -> Error {
        Error::Http(e.to_string())
    }
}

/// The merge requests holding `commit` in the project `path` (`group/sub/project`) of the
/// GitLab at `api` (`https://gitlab.com/api/v4`), with approvals and the newest pipeline; only
/// merged ones are completed (approvals and pipelines are asked for those only).
pub fn merge_requests(
    http: &Http,
    api: &str,
    repository: &str,
    path: &str,
    commit: &str,
) -> Result<Vec<PullRequest>, Error> {
    if !(matches!(commit.len(), 40 | 64) && commit.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(Error::BadAnswer("not a commit id".into()));
    }
    let project = encode(path);
    let base = api.trim_end_matches('/');
    let list = json(
        http,
        &format!("{base}/projects/{project}/repository/commits/{commit}/merge_requests"),
    )?;
    let mut out = Vec::new();
    for mr in list
        .as_array()
        .ok_or_else(|| Error::BadAnswer("not a list".into()))?
    {
        let iid = mr["iid"]
            .as_u64()
            .ok_or_else(|| Error::BadAnswer("a merge request without an iid".into()))?;
        let merged_at = match &mr["merged_at"] {
            Value::String(s) if crate::review::seconds(s).is_some() => Some(s.clone()),
            Value::Null => None,
            _ => return Err(Error::BadAnswer("merged_at is not RFC 3339".into())),
        };
        let mut reviews = Vec::new();
        let mut checks = Vec::new();
        if merged_at.is_some() {
            let approvals = json(
                http,
                &format!("{base}/projects/{project}/merge_requests/{iid}/approvals"),
            )?;
            for a in approvals["approved_by"].as_array().into_iter().flatten() {
                if let Some(login) = username(&a["user"]) {
                    reviews.push(Review {
                        author: login,
                        state: ReviewState::Approved,
                        submitted_at: None,
                    });
                }
            }
            let pipelines = json(
                http,
                &format!("{base}/projects/{project}/merge_requests/{iid}/pipelines"),
            )?;
            if let Some(status) = pipelines[0]["status"].as_str() {
                checks.push(Check {
                    name: "pipeline".into(),
                    conclusion: Some(crate::text::bounded(status, 40).to_ascii_lowercase()),
                });
            }
        }
        out.push(PullRequest {
            repository: repository.to_string(),
            number: iid,
            url: mr["web_url"]
                .as_str()
                .map(|u| crate::text::bounded(u, data::MAX_VALUE_CHARS))
                .unwrap_or_default(),
            author: username(&mr["author"]),
            merged_at,
            merged_by: username(&mr["merge_user"]).or_else(|| username(&mr["merged_by"])),
            commits: vec![commit.to_ascii_lowercase()],
            reviews,
            checks,
            source: Source::Gitlab,
        });
    }
    Ok(out)
}

/// [`merge_requests`] through `cache`: an answer whose merge requests are all merged never
/// expires (it cannot change), the others follow the cache's TTL; offline, a miss is an error
/// and nothing is sent. The boolean says whether the answer came from the cache.
pub fn merge_requests_cached(
    http: &Http,
    cache: &Cache,
    api: &str,
    repository: &str,
    path: &str,
    commit: &str,
) -> Result<(Vec<PullRequest>, bool), Error> {
    let key = format!(
        "forge/gitlab-rest/v1/{}/{}/{}",
        api.trim_end_matches('/'),
        path.to_ascii_lowercase(),
        commit.to_ascii_lowercase()
    );
    let (value, fresh) = match cache.get(&key) {
        Lookup::Fresh(v) => (Some(v), true),
        Lookup::Stale(v) => (Some(v), false),
        Lookup::Missing => (None, false),
    };
    if let Some(v) = value {
        let settled = v.get("settled").and_then(Value::as_bool) == Some(true);
        if fresh || settled {
            let lines: Vec<String> = v["requests"]
                .as_array()
                .into_iter()
                .flatten()
                .map(Value::to_string)
                .collect();
            if let Ok(mut rs) = data::parse("cache", &lines.join("\n")) {
                for r in &mut rs {
                    r.source = Source::Gitlab;
                }
                return Ok((rs, true));
            }
        }
    }
    if cache.opts.offline {
        return Err(Error::Http("offline: not in the cache".into()));
    }
    let rs = merge_requests(http, api, repository, path, commit)?;
    let settled = !rs.is_empty() && rs.iter().all(|r| r.merged_at.is_some());
    let lines: Vec<Value> = rs
        .iter()
        .filter_map(|r| serde_json::from_str(&data::to_line(r)).ok())
        .collect();
    let _ = cache.put(&key, &json!({"settled": settled, "requests": lines}));
    Ok((rs, false))
}

fn json(http: &Http, url: &str) -> Result<Value, Error> {
    let body = http.get(url, "application/json")?;
    serde_json::from_slice(&body.bytes).map_err(|e| Error::BadAnswer(format!("not JSON ({e})")))
}

/// A user's username; a project or group bot's gets `[bot]`.
fn username(user: &Value) -> Option<String> {
    let u = user.get("username")?.as_str()?.trim();
    if u.is_empty() || u.len() > data::MAX_VALUE_CHARS || u.chars().any(char::is_control) {
        return None;
    }
    let bot = user.get("bot").and_then(Value::as_bool) == Some(true) || is_bot_username(u);
    Some(if bot && !u.ends_with("[bot]") {
        format!("{u}[bot]")
    } else {
        u.to_string()
    })
}

/// `project_123_bot…` / `group_45_bot…`: GitLab's project and group access-token bots.
fn is_bot_username(u: &str) -> bool {
    ["project_", "group_"].iter().any(|p| {
        u.strip_prefix(p).is_some_and(|rest| {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            digits > 0 && rest[digits..].starts_with("_bot")
        })
    })
}

/// Percent-encode a project path for `:id`.
fn encode(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
