//! GitHub's GraphQL API (`POST {api}/graphql`): the pull requests that brought commits in, their
//! reviews, who merged them and when, and their head commit's checks.
//!
//! Shapes (GitHub GraphQL reference, docs.github.com/en/graphql/reference/objects, found through
//! the search tool: `Commit.associatedPullRequests` → `PullRequestConnection`; `PullRequest`
//! `number`, `url`, `author { login }`, `mergedAt`, `mergedBy { login }`, `reviews` →
//! `PullRequestReviewConnection` with `pageInfo { hasNextPage endCursor }` and nodes
//! `{ author { login } state submittedAt }` (`PullRequestReviewState`: APPROVED,
//! CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING); the head commit's `statusCheckRollup
//! { contexts }`: `CheckRun { name conclusion }` and `StatusContext { context state }`. A bot
//! author has `__typename: "Bot"` and a login without the `[bot]` suffix; it is added here so
//! the attribution rule sees `[bot]`. A squash or rebase merge's landed commit is associated with
//! its pull request by GitHub, so the commit asked about is the one recorded as brought in.)
//!
//! Batching: one query asks for up to [`Options::batch`] commits, one alias `cN:
//! object(oid: "…")` per commit; the owner and name go in GraphQL variables, the commit ids are
//! validated hex. Reviews beyond the first 100 are paged with `reviews(after:)` on
//! `repository.pullRequest(number:)`.
//!
//! Limits: the token is read from the environment variable the caller names, sent only in the
//! `Authorization` header (marked sensitive) and never written to a message, the cache or an
//! output. `x-ratelimit-remaining: 0` stops every later request of the run (the commits left are
//! unknown); a secondary limit's `Retry-After` is waited out when it is short, and 5xx answers
//! are retried with backoff; a per-run request budget ends the lookups when spent. Answers are
//! cached per commit (registry cache): an answer whose requests are all merged never expires,
//! the others follow the cache TTL; offline, only the cache answers.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use serde_json::{json, Value};

use crate::registry::cache::Lookup as CacheLookup;
use crate::registry::{Cache, HttpConfig};
use crate::review::{data, Check, PullRequest, Review, ReviewState, Source};

/// How the client runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// API base: `https://api.github.com`, or `https://HOST/api` for GitHub Enterprise
    /// (`/graphql` is appended).
    pub api: String,
    /// The name of the environment variable holding the token (`GITHUB_TOKEN`).
    pub token_env: Option<String>,
    /// Commits per query.
    pub batch: usize,
    /// Requests this run may send at most (`--max-forge-requests`); `None` = no budget.
    pub max_requests: Option<u64>,
    /// Timeouts, body cap, retries and backoff.
    pub http: HttpConfig,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            api: "https://api.github.com".into(),
            token_env: Some("GITHUB_TOKEN".into()),
            batch: 50,
            max_requests: None,
            http: HttpConfig::default(),
        }
    }
}

/// Why commits were not looked up. Messages never hold the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// 401.
    #[error("GitHub refused the credentials (401){0}")]
    Unauthorized(String),
    /// The primary rate limit is spent (`x-ratelimit-remaining: 0`), or a secondary limit asked
    /// for a longer wait than allowed.
    #[error("GitHub rate limit reached{0}; the remaining commits were not looked up")]
    RateLimited(String),
    /// The repository does not exist or the token cannot see it (404, GraphQL `NOT_FOUND`).
    #[error("{0}: not found on GitHub (private, renamed or deleted)")]
    NotFound(String),
    /// `--max-forge-requests` is spent.
    #[error("the forge request budget ({0}) is spent; the remaining commits were not looked up")]
    Budget(u64),
    /// Offline and not in the cache.
    #[error("offline: not in the cache")]
    Offline,
    /// An answer that does not fit GraphQL's or GitHub's shape.
    #[error("GitHub answered something unexpected: {0}")]
    BadAnswer(String),
    /// Transport failures, timeouts, 5xx after retries.
    #[error("GitHub could not be reached: {0}")]
    Http(String),
}

/// What a lookup gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answer {
    /// The requests holding the commits answered (one record per request, `commits` = the
    /// asked commits it holds).
    pub requests: Vec<PullRequest>,
    /// The commits answered (from the forge or the cache).
    pub answered: Vec<String>,
    /// Why the others were not: one error per failed batch.
    pub errors: Vec<Error>,
}

/// A GitHub GraphQL client for one run.
pub struct Github<'a> {
    opts: Options,
    client: reqwest::blocking::Client,
    token: Option<HeaderValue>,
    cache: Option<&'a Cache>,
    sent: AtomicU64,
    stopped: Mutex<Option<Error>>,
    offline: AtomicBool,
}

impl<'a> Github<'a> {
    /// A client; `cache` keeps answers (its `offline` option makes this client cache-only).
    pub fn new(opts: Options, cache: Option<&'a Cache>) -> Result<Github<'a>, Error> {
        let client = reqwest::blocking::Client::builder()
            .user_agent(opts.http.user_agent.clone())
            .connect_timeout(opts.http.connect_timeout)
            .timeout(opts.http.read_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Http(format!("cannot start the HTTP client: {e}")))?;
        let token = opts
            .token_env
            .as_deref()
            .and_then(|v| std::env::var(v).ok())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .and_then(|t| HeaderValue::from_str(&format!("bearer {t}")).ok())
            .map(|mut v| {
                v.set_sensitive(true);
                v
            });
        let offline = cache.is_some_and(|c| c.opts.offline);
        Ok(Github {
            opts,
            client,
            token,
            cache,
            sent: AtomicU64::new(0),
            stopped: Mutex::new(None),
            offline: AtomicBool::new(offline),
        })
    }

    /// Whether a token was found.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Requests sent so far.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// The requests holding each of `commits` (lower-case hex ids) in `repository`
    /// (`https://github.com/OWNER/NAME`): the cache first, then the API in batches.
    pub fn lookup(&self, repository: &str, owner: &str, name: &str, commits: &[String]) -> Answer {
        let mut answer = Answer::default();
        let mut ask: Vec<String> = Vec::new();
        for c in commits {
            if !(matches!(c.len(), 40 | 64) && c.bytes().all(|b| b.is_ascii_hexdigit())) {
                continue;
            }
            match self.cached(owner, name, c) {
                Some(rs) => {
                    merge_into(&mut answer.requests, rs);
                    answer.answered.push(c.clone());
                }
                None => ask.push(c.to_ascii_lowercase()),
            }
        }
        if ask.is_empty() {
            return answer;
        }
        if self.offline.load(Ordering::Relaxed) {
            answer.errors.push(Error::Offline);
            return answer;
        }
        for batch in ask.chunks(self.opts.batch.max(1)) {
            match self.batch(repository, owner, name, batch) {
                Ok(per_commit) => {
                    for (c, rs) in per_commit {
                        self.store(owner, name, &c, &rs);
                        merge_into(&mut answer.requests, rs);
                        answer.answered.push(c);
                    }
                }
                Err(e) => {
                    let stop = matches!(
                        e,
                        Error::RateLimited(_)
                            | Error::Budget(_)
                            | Error::Unauthorized(_)
                            | Error::NotFound(_)
                    );
                    answer.errors.push(e);
                    if stop {
                        break;
                    }
                }
            }
        }
        answer
    }

    fn cache_key(&self, owner: &str, name: &str, commit: &str) -> String {
        format!(
            "forge/github-graphql/v1/{}/{}/{}/{commit}",
            self.opts.api.trim_end_matches('/'),
            owner.to_ascii_lowercase(),
            name.to_ascii_lowercase()
        )
    }

    fn cached(&self, owner: &str, name: &str, commit: &str) -> Option<Vec<PullRequest>> {
        let cache = self.cache?;
        let (value, fresh) = match cache.get(&self.cache_key(owner, name, commit)) {
            CacheLookup::Fresh(v) => (v, true),
            CacheLookup::Stale(v) => (v, false),
            CacheLookup::Missing => return None,
        };
        // Answers about merged requests never change: they never go stale.
        let settled = value.get("settled").and_then(Value::as_bool) == Some(true);
        if !fresh && !settled {
            return None;
        }
        let lines = value.get("requests")?.as_array()?;
        let text: Vec<String> = lines.iter().map(Value::to_string).collect();
        let mut rs = data::parse("cache", &text.join("\n")).ok()?;
        for r in &mut rs {
            r.source = Source::Github;
        }
        Some(rs)
    }

    fn store(&self, owner: &str, name: &str, commit: &str, rs: &[PullRequest]) {
        let Some(cache) = self.cache else { return };
        let settled = !rs.is_empty() && rs.iter().all(|r| r.merged_at.is_some());
        let lines: Vec<Value> = rs
            .iter()
            .filter_map(|r| serde_json::from_str(&data::to_line(r)).ok())
            .collect();
        let _ = cache.put(
            &self.cache_key(owner, name, commit),
            &json!({"settled": settled, "requests": lines}),
        );
    }

    /// One query for `commits`; per commit, the requests holding it.
    fn batch(
        &self,
        repository: &str,
        owner: &str,
        name: &str,
        commits: &[String],
    ) -> Result<Vec<(String, Vec<PullRequest>)>, Error> {
        let mut q = String::from(
            "query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) {",
        );
        for (i, c) in commits.iter().enumerate() {
            q.push_str(&format!(
                " c{i}: object(oid: \"{c}\") {{ ... on Commit {{ associatedPullRequests(first: 10) {{ nodes {{ ...pr }} }} }} }}"
            ));
        }
        q.push_str(" } } ");
        q.push_str(PR_FRAGMENT);
        let data = self.post(
            repository,
            &json!({"query": q, "variables": {"owner": owner, "name": name}}),
        )?;
        let repo = data
            .get("repository")
            .filter(|r| r.is_object())
            .ok_or_else(|| Error::NotFound(crate::text::bounded(repository, 200)))?;
        let mut out = Vec::new();
        for (i, c) in commits.iter().enumerate() {
            let nodes = repo
                .get(format!("c{i}"))
                .and_then(|o| o.get("associatedPullRequests"))
                .and_then(|p| p.get("nodes"))
                .and_then(Value::as_array);
            let mut rs = Vec::new();
            // An unknown commit (`object: null`) has no requests.
            for n in nodes.into_iter().flatten() {
                let mut r = pull_request(repository, n, c)?;
                self.more_reviews(repository, owner, name, n, &mut r)?;
                rs.push(r);
            }
            out.push((c.clone(), rs));
        }
        Ok(out)
    }

    /// Page the reviews of `r` beyond the first page of node `n`.
    fn more_reviews(
        &self,
        repository: &str,
        owner: &str,
        name: &str,
        n: &Value,
        r: &mut PullRequest,
    ) -> Result<(), Error> {
        let mut page = n.get("reviews").cloned().unwrap_or(Value::Null);
        // At most 50 pages (5,000 reviews): bounded whatever the server says.
        for _ in 0..50 {
            let info = &page["pageInfo"];
            if info["hasNextPage"].as_bool() != Some(true) {
                return Ok(());
            }
            let Some(after) = info["endCursor"].as_str() else {
                return Ok(());
            };
            let q = "query($owner: String!, $name: String!, $number: Int!, $after: String!) { repository(owner: $owner, name: $name) { pullRequest(number: $number) { reviews(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { author { login __typename } state submittedAt } } } } }";
            let data = self.post(
                repository,
                &json!({"query": q, "variables": {"owner": owner, "name": name, "number": r.number, "after": after}}),
            )?;
            page = data["repository"]["pullRequest"]["reviews"].clone();
            r.reviews.extend(reviews(&page)?);
        }
        Ok(())
    }

    /// POST one GraphQL request; the `data` object of the answer.
    fn post(&self, repository: &str, body: &Value) -> Result<Value, Error> {
        if let Some(e) = self.stopped.lock().expect("not poisoned").clone() {
            return Err(e);
        }
        let url = format!("{}/graphql", self.opts.api.trim_end_matches('/'));
        let mut attempt = 0u32;
        loop {
            if let Some(max) = self.opts.max_requests {
                if self.sent.load(Ordering::Relaxed) >= max {
                    return Err(self.stop(Error::Budget(max)));
                }
            }
            self.sent.fetch_add(1, Ordering::Relaxed);
            let mut req = self
                .client
                .post(&url)
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
            if let Some(t) = &self.token {
                req = req.header(AUTHORIZATION, t.clone());
            }
            let resp = match req.send() {
                Ok(r) => r,
                Err(e) => {
                    let msg = if e.is_timeout() {
                        "timed out".to_string()
                    } else {
                        "connection failed".to_string()
                    };
                    if attempt < self.opts.http.retries && !e.is_timeout() {
                        attempt += 1;
                        std::thread::sleep(self.backoff(attempt));
                        continue;
                    }
                    return Err(Error::Http(msg));
                }
            };
            let status = resp.status().as_u16();
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let remaining = header("x-ratelimit-remaining");
            let reset = header("x-ratelimit-reset")
                .and_then(|r| r.parse::<u64>().ok())
                .map(|r| format!(" (resets at Unix time {r})"))
                .unwrap_or_default();
            let retry_after = header(RETRY_AFTER.as_str())
                .and_then(|v| crate::registry::http::parse_retry_after(&v));
            match status {
                200 => {
                    let bytes = read_capped(resp, self.opts.http.max_body)?;
                    let v: Value = serde_json::from_slice(&bytes)
                        .map_err(|e| Error::BadAnswer(format!("not JSON ({e})")))?;
                    if let Some(errors) = v.get("errors").and_then(Value::as_array) {
                        if errors.iter().any(|e| e["type"] == "NOT_FOUND") {
                            return Err(Error::NotFound(crate::text::bounded(repository, 200)));
                        }
                        if errors.iter().any(|e| e["type"] == "RATE_LIMITED") {
                            return Err(self.stop(Error::RateLimited(reset)));
                        }
                        if v.get("data").is_none_or(Value::is_null) {
                            let msg = errors
                                .first()
                                .and_then(|e| e["message"].as_str())
                                .unwrap_or("an error without a message");
                            return Err(Error::BadAnswer(crate::text::bounded(msg, 200)));
                        }
                    }
                    return v
                        .get("data")
                        .filter(|d| d.is_object())
                        .cloned()
                        .ok_or_else(|| Error::BadAnswer("no `data` object".into()));
                }
                401 => {
                    let which = match (&self.token, &self.opts.token_env) {
                        (Some(_), Some(var)) => format!(": check the token in ${var}"),
                        _ => ": set a token (token-env, e.g. GITHUB_TOKEN)".to_string(),
                    };
                    return Err(self.stop(Error::Unauthorized(which)));
                }
                404 => return Err(Error::NotFound(crate::text::bounded(repository, 200))),
                403 | 429 if remaining.as_deref() == Some("0") => {
                    return Err(self.stop(Error::RateLimited(reset)));
                }
                403 | 429 => {
                    // A secondary rate limit: wait when asked briefly, else stop.
                    let wait = retry_after.unwrap_or(Duration::from_secs(60));
                    if attempt < self.opts.http.retries && wait <= self.opts.http.max_backoff {
                        attempt += 1;
                        std::thread::sleep(wait);
                        continue;
                    }
                    return Err(self.stop(Error::RateLimited(format!(
                        " (secondary limit: retry after {}s)",
                        wait.as_secs()
                    ))));
                }
                500..=599 if attempt < self.opts.http.retries => {
                    attempt += 1;
                    std::thread::sleep(retry_after.unwrap_or_else(|| self.backoff(attempt)));
                    continue;
                }
                other => return Err(Error::Http(format!("HTTP {other}"))),
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        (self.opts.http.backoff * 2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.opts.http.max_backoff)
    }

    /// Remember `e` so that every later request fails the same way without being sent.
    fn stop(&self, e: Error) -> Error {
        *self.stopped.lock().expect("not poisoned") = Some(e.clone());
        e
    }
}

const PR_FRAGMENT: &str = "fragment pr on PullRequest { number url author { login __typename } mergedAt mergedBy { login __typename } reviews(first: 100) { pageInfo { hasNextPage endCursor } nodes { author { login __typename } state submittedAt } } commits(last: 1) { nodes { commit { statusCheckRollup { contexts(first: 100) { nodes { __typename ... on CheckRun { name conclusion } ... on StatusContext { context state } } } } } } } }";

fn read_capped(resp: reqwest::blocking::Response, cap: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let mut bytes = Vec::new();
    resp.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| Error::Http("the answer could not be read (timed out?)".into()))?;
    if bytes.len() as u64 > cap {
        return Err(Error::BadAnswer(format!("larger than {cap} bytes")));
    }
    Ok(bytes)
}

/// A login as the attribution rule wants it: a bot's with `[bot]`.
fn login(actor: &Value) -> Option<String> {
    let l = actor.get("login")?.as_str()?.trim();
    if l.is_empty() || l.len() > data::MAX_VALUE_CHARS || l.chars().any(char::is_control) {
        return None;
    }
    Some(
        if actor.get("__typename").and_then(Value::as_str) == Some("Bot") && !l.ends_with("[bot]") {
            format!("{l}[bot]")
        } else {
            l.to_string()
        },
    )
}

fn date(v: &Value) -> Result<Option<String>, Error> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if crate::review::seconds(s).is_some() => Ok(Some(s.clone())),
        other => Err(Error::BadAnswer(format!(
            "a date that is not RFC 3339: {}",
            crate::text::bounded(&other.to_string(), 60)
        ))),
    }
}

fn reviews(page: &Value) -> Result<Vec<Review>, Error> {
    let mut out = Vec::new();
    for n in page["nodes"].as_array().into_iter().flatten() {
        let Some(author) = login(&n["author"]) else {
            continue; // a deleted account ("ghost"): nobody to credit
        };
        let state = n["state"]
            .as_str()
            .and_then(ReviewState::parse)
            .ok_or_else(|| Error::BadAnswer("a review without a known state".into()))?;
        out.push(Review {
            author,
            state,
            submitted_at: date(&n["submittedAt"])?,
        });
    }
    Ok(out)
}

fn pull_request(repository: &str, n: &Value, commit: &str) -> Result<PullRequest, Error> {
    let number = n["number"]
        .as_u64()
        .ok_or_else(|| Error::BadAnswer("a pull request without a number".into()))?;
    let url = n["url"]
        .as_str()
        .map(|u| crate::text::bounded(u, data::MAX_VALUE_CHARS))
        .unwrap_or_default();
    let mut checks = Vec::new();
    let contexts = &n["commits"]["nodes"][0]["commit"]["statusCheckRollup"]["contexts"]["nodes"];
    for c in contexts.as_array().into_iter().flatten() {
        let (name, conclusion) = match c["__typename"].as_str() {
            Some("StatusContext") => (c["context"].as_str(), c["state"].as_str()),
            _ => (c["name"].as_str(), c["conclusion"].as_str()),
        };
        if let Some(name) = name {
            checks.push(Check {
                name: crate::text::bounded(name, 200),
                conclusion: conclusion.map(|s| s.to_ascii_lowercase()),
            });
        }
    }
    Ok(PullRequest {
        repository: repository.to_string(),
        number,
        url,
        author: login(&n["author"]),
        merged_at: date(&n["mergedAt"])?,
        merged_by: login(&n["mergedBy"]),
        commits: vec![commit.to_string()],
        reviews: reviews(&n["reviews"])?,
        checks,
        source: Source::Github,
    })
}

/// Add `new` to `all`: one record per request number, commits united.
pub fn merge_into(all: &mut Vec<PullRequest>, new: Vec<PullRequest>) {
    for r in new {
        match all.iter_mut().find(|o| o.number == r.number) {
            Some(o) => {
                for c in r.commits {
                    if !o.commits.contains(&c) {
                        o.commits.push(c);
                    }
                }
            }
            None => all.push(r),
        }
    }
}
