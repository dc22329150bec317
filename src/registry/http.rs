//! The one HTTP client every registry lookup goes through, so the limits hold for all of them:
//! a User-Agent naming aiprov, connect and read timeouts, a cap on every answer's size, a
//! redirect limit, per-host concurrency and pacing, and retries with backoff on 429 / 5xx that
//! honour `Retry-After`.
//!
//! Every URL that reaches an error message has its `user:password@` removed. Tokens come from
//! environment variables named in the configuration, are sent only to their host, are marked
//! sensitive (never in `Debug` output) and are never part of an error.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, RETRY_AFTER};

use crate::resolve::redact_credentials;
use crate::text::{bounded, ECHO_LIMIT};

/// Limits and identity of the HTTP client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// Sent with every request; `aiprov/<version>` by default.
    pub user_agent: String,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Longest wait for any one read (or write) on a connection.
    pub read_timeout: Duration,
    /// Longest time for one whole request, body included.
    pub total_timeout: Duration,
    /// Largest answer read for metadata (JSON, POM, HTML), in bytes.
    pub max_body: u64,
    /// Largest download (a `.crate` file), in bytes.
    pub max_download: u64,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Retries after a 429, a 5xx or a failed connection (so at most `retries + 1` attempts).
    pub retries: u32,
    /// First backoff; doubled on every retry.
    pub backoff: Duration,
    /// Longest wait between attempts: a `Retry-After` above it ends the lookup instead.
    pub max_backoff: Duration,
    /// Requests in flight to one host at once.
    pub per_host_concurrency: usize,
    /// Least time between the starts of two requests to one host, by host; `*` for the rest.
    pub per_host_interval: BTreeMap<String, Duration>,
    /// Host → name of the environment variable holding a bearer token for it. Only the
    /// variable's name is configured; its value is read once, sent only to that host (over
    /// https, or to a loopback address) and never printed.
    pub tokens: BTreeMap<String, String>,
    /// `host:port` entries (lower-case, IPv6 without brackets) the user or the binary
    /// configured: they may resolve to loopback, private and link-local addresses. Every other host (derived from
    /// an SBOM or a registry answer) may not (issue 15; see [`super::addr`]).
    pub trusted_hosts: std::collections::BTreeSet<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            user_agent: format!("aiprov/{}", env!("CARGO_PKG_VERSION")),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(120),
            max_body: 16 << 20,
            max_download: 32 << 20,
            max_redirects: 5,
            retries: 3,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            per_host_concurrency: 4,
            // crates.io asks crawlers for at most one request per second.
            per_host_interval: BTreeMap::from([
                ("*".to_string(), Duration::ZERO),
                ("crates.io".to_string(), Duration::from_secs(1)),
            ]),
            tokens: BTreeMap::new(),
            trusted_hosts: std::collections::BTreeSet::new(),
        }
    }
}

/// Why a request gave no answer. URLs are credential-free.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// 404 or 410: the registry does not know this name or version.
    #[error("{url}: not found (HTTP {status})")]
    NotFound {
        /// The URL asked.
        url: String,
        /// 404 or 410.
        status: u16,
    },
    /// Any other non-success status (after the retries, for 429 and 5xx).
    #[error("{url}: HTTP {status}{after}")]
    Status {
        /// The URL asked.
        url: String,
        /// The last status.
        status: u16,
        /// ` after N attempts` when retried.
        after: String,
    },
    /// The server asked us to wait longer than [`HttpConfig::max_backoff`].
    #[error("{url}: HTTP {status} with Retry-After {secs} s, more than the {max} s aiprov waits")]
    RetryAfterTooLong {
        /// The URL asked.
        url: String,
        /// 429 or 503.
        status: u16,
        /// What the server asked for.
        secs: u64,
        /// Our limit.
        max: u64,
    },
    /// No connection, or a read that took too long.
    #[error("{url}: timed out ({what})")]
    Timeout {
        /// The URL asked.
        url: String,
        /// Which limit.
        what: String,
    },
    /// The connection could not be made.
    #[error("{url}: cannot connect: {message}")]
    Connect {
        /// The URL asked.
        url: String,
        /// Why.
        message: String,
    },
    /// The answer is larger than the cap.
    #[error("{url}: answer larger than {limit} bytes; not read")]
    TooLarge {
        /// The URL asked.
        url: String,
        /// The cap.
        limit: u64,
    },
    /// A redirect loop or too long a chain.
    #[error("{url}: too many redirects (more than {limit})")]
    Redirects {
        /// The URL asked.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The host is off limits: a document-derived host on a private address, or a redirect
    /// from https to http. Never retried.
    #[error("{url}: refused: {reason}")]
    Refused {
        /// The URL asked.
        url: String,
        /// Why.
        reason: String,
    },
    /// Anything else (bad URL, TLS, protocol).
    #[error("{url}: {message}")]
    Other {
        /// The URL asked.
        url: String,
        /// Why.
        message: String,
    },
}

impl HttpError {
    /// A failure that may go away on its own (so the answer is not cached).
    pub fn is_transient(&self) -> bool {
        !matches!(self, HttpError::NotFound { .. })
    }
}

/// A successful answer: status 2xx and the whole body (at most the cap).
#[derive(Debug, Clone)]
pub struct Body {
    /// The final URL after redirects, credential-free.
    pub url: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The shared HTTP client. Cheap to share across threads (`&Http` is `Sync`).
pub struct Http {
    cfg: HttpConfig,
    client: reqwest::blocking::Client,
    tokens: Vec<(String, HeaderValue)>,
    hosts: Mutex<HashMap<String, HostState>>,
    freed: Condvar,
    /// Hosts that could not be reached even after the retries, with why: later requests to them
    /// in this run fail at once, so a run without network ends quickly.
    down: Mutex<HashMap<String, String>>,
    /// Per requested URL, the host (`host[:port]`) of the last redirect target being followed,
    /// so that a connect failure after a redirect marks that host down, not the registry.
    redirected: Arc<Mutex<HashMap<String, String>>>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct HostState {
    active: usize,
    next_start: Instant,
}

/// A slot for one request to one host; frees itself when dropped.
struct Permit<'a> {
    http: &'a Http,
    host: String,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut hosts = self.http.hosts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(st) = hosts.get_mut(&self.host) {
            st.active = st.active.saturating_sub(1);
        }
        self.http.freed.notify_all();
    }
}

impl Http {
    /// Build the client. Fails only when the TLS backend cannot start.
    pub fn new(cfg: HttpConfig) -> Result<Http, HttpError> {
        let trusted = std::sync::Arc::new(cfg.trusted_hosts.clone());
        let redirected: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        let seen = redirected.clone();
        // Where each request was sent on to: a failure there marks that host, not the first.
        let note = move |first: &reqwest::Url, next: &reqwest::Url| {
            seen.lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(first.as_str().to_string(), host_key_of(next));
        };
        let client = reqwest::blocking::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.read_timeout)
            .dns_resolver(std::sync::Arc::new(super::addr::GuardedResolver {
                trusted: trusted.clone(),
            }))
            .redirect(super::addr::redirect_policy(
                cfg.max_redirects,
                trusted,
                note,
            ))
            .build()
            .map_err(|e| HttpError::Other {
                url: String::new(),
                message: format!("cannot start the HTTP client: {}", chain(&e)),
            })?;
        let mut tokens = Vec::new();
        for (host, var) in &cfg.tokens {
            if let Some(token) = std::env::var(var).ok().filter(|t| !t.trim().is_empty()) {
                if let Ok(mut v) = HeaderValue::from_str(&format!("Bearer {}", token.trim())) {
                    v.set_sensitive(true);
                    tokens.push((host.to_ascii_lowercase(), v));
                }
            }
        }
        Ok(Http {
            cfg,
            client,
            tokens,
            hosts: Mutex::new(HashMap::new()),
            down: Mutex::new(HashMap::new()),
            redirected,
            freed: Condvar::new(),
        })
    }

    /// The limits in force.
    pub fn config(&self) -> &HttpConfig {
        &self.cfg
    }

    /// GET `url` and read the body, at most [`HttpConfig::max_body`] bytes.
    pub fn get(&self, url: &str, accept: &str) -> Result<Body, HttpError> {
        self.get_capped(url, accept, self.cfg.max_body)
    }

    /// GET `url` and read the body, at most `cap` bytes.
    pub fn get_capped(&self, url: &str, accept: &str, cap: u64) -> Result<Body, HttpError> {
        let shown = bounded(&redact_credentials(url), 2 * ECHO_LIMIT);
        let parsed = reqwest::Url::parse(url).map_err(|e| HttpError::Other {
            url: shown.clone(),
            message: format!("not a valid URL: {e}"),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(HttpError::Other {
                url: shown,
                message: "only http and https URLs are fetched".into(),
            });
        }
        if let Err(r) = super::addr::check_url_host(&parsed, &self.cfg.trusted_hosts) {
            return Err(HttpError::Refused {
                url: shown,
                reason: r.0,
            });
        }
        let host = parsed.host_str().unwrap_or("").to_ascii_lowercase();
        let host_key = match parsed.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        let token = self
            .tokens
            .iter()
            .find(|(h, _)| *h == host)
            .filter(|_| parsed.scheme() == "https" || is_loopback(&host))
            .map(|(_, v)| v.clone());
        if let Some(why) = self
            .down
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&host_key)
        {
            return Err(HttpError::Connect {
                url: shown,
                message: format!("{why} (earlier in this run; not tried again)"),
            });
        }
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            let permit = self.acquire(&host_key, &host);
            let mut req = self.client.get(parsed.clone()).header(ACCEPT, accept);
            if let Some(t) = &token {
                req = req.header(AUTHORIZATION, t.clone());
            }
            let resp = match req.send() {
                Ok(r) => r,
                Err(e) => {
                    drop(permit);
                    let err = self.classify(&shown, &e);
                    if let HttpError::Connect { message, .. } = &err {
                        if attempt < self.cfg.retries {
                            std::thread::sleep(self.backoff(attempt));
                            attempt += 1;
                            continue;
                        }
                        // The host that could not be reached: after a redirect, the target's,
                        // so one bad redirect does not mark the registry itself down (issue 14).
                        let failed = self
                            .redirected
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .remove(parsed.as_str())
                            .unwrap_or_else(|| host_key.clone());
                        self.down
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(failed, message.clone());
                    }
                    return Err(err);
                }
            };
            let status = resp.status().as_u16();
            if (200..300).contains(&status) {
                let final_url = bounded(&redact_credentials(resp.url().as_str()), 2 * ECHO_LIMIT);
                let bytes = self.read_body(resp, &shown, cap, started)?;
                drop(permit);
                return Ok(Body {
                    url: final_url,
                    bytes,
                });
            }
            let retry_after = resp
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            drop(resp);
            drop(permit);
            if status == 404 || status == 410 {
                return Err(HttpError::NotFound { url: shown, status });
            }
            let retryable = status == 429 || (500..600).contains(&status) && status != 501;
            if !retryable || attempt >= self.cfg.retries {
                let after = if attempt > 0 {
                    format!(" after {} attempts", attempt + 1)
                } else {
                    String::new()
                };
                return Err(HttpError::Status {
                    url: shown,
                    status,
                    after,
                });
            }
            let wait = match retry_after {
                Some(d) if d > self.cfg.max_backoff => {
                    return Err(HttpError::RetryAfterTooLong {
                        url: shown,
                        status,
                        secs: d.as_secs(),
                        max: self.cfg.max_backoff.as_secs(),
                    })
                }
                Some(d) => d,
                None => self.backoff(attempt),
            };
            if started.elapsed() + wait > self.cfg.total_timeout {
                return Err(HttpError::Timeout {
                    url: shown,
                    what: format!(
                        "retrying after HTTP {status} would pass the {} s limit",
                        self.cfg.total_timeout.as_secs()
                    ),
                });
            }
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.cfg
            .backoff
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.cfg.max_backoff)
    }

    fn read_body(
        &self,
        resp: reqwest::blocking::Response,
        shown: &str,
        cap: u64,
        started: Instant,
    ) -> Result<Vec<u8>, HttpError> {
        if resp.content_length().is_some_and(|n| n > cap) {
            return Err(HttpError::TooLarge {
                url: shown.into(),
                limit: cap,
            });
        }
        let mut bytes = Vec::new();
        let mut reader = resp.take(cap + 1);
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    let timed_out = e.kind() == std::io::ErrorKind::TimedOut
                        || std::error::Error::source(&e)
                            .and_then(|s| s.downcast_ref::<reqwest::Error>())
                            .is_some_and(reqwest::Error::is_timeout)
                        || e.to_string().contains("timed out");
                    return Err(if timed_out {
                        HttpError::Timeout {
                            url: shown.into(),
                            what: format!("no data for {} ms", self.cfg.read_timeout.as_millis()),
                        }
                    } else {
                        HttpError::Other {
                            url: shown.into(),
                            message: format!(
                                "reading the answer: {}",
                                bounded(&e.to_string(), ECHO_LIMIT)
                            ),
                        }
                    });
                }
            };
            bytes.extend_from_slice(&buf[..n]);
            if bytes.len() as u64 > cap {
                return Err(HttpError::TooLarge {
                    url: shown.into(),
                    limit: cap,
                });
            }
            if started.elapsed() > self.cfg.total_timeout {
                return Err(HttpError::Timeout {
                    url: shown.into(),
                    what: format!("longer than {} s in all", self.cfg.total_timeout.as_secs()),
                });
            }
        }
        Ok(bytes)
    }

    fn classify(&self, shown: &str, e: &reqwest::Error) -> HttpError {
        if let Some(r) = super::addr::refusal_in(e) {
            HttpError::Refused {
                url: shown.into(),
                reason: bounded(&r.0, 2 * ECHO_LIMIT),
            }
        } else if e.is_redirect() {
            HttpError::Redirects {
                url: shown.into(),
                limit: self.cfg.max_redirects,
            }
        } else if e.is_timeout() {
            let what = if e.is_connect() {
                format!(
                    "no connection within {} ms",
                    self.cfg.connect_timeout.as_millis()
                )
            } else {
                format!("no answer within {} ms", self.cfg.read_timeout.as_millis())
            };
            HttpError::Timeout {
                url: shown.into(),
                what,
            }
        } else if e.is_connect() {
            HttpError::Connect {
                url: shown.into(),
                message: chain(e),
            }
        } else {
            HttpError::Other {
                url: shown.into(),
                message: chain(e),
            }
        }
    }

    /// Wait for a free slot on `host_key` and for its pacing interval.
    fn acquire(&self, host_key: &str, host: &str) -> Permit<'_> {
        let interval = self
            .cfg
            .per_host_interval
            .get(host)
            .or_else(|| self.cfg.per_host_interval.get("*"))
            .copied()
            .unwrap_or_default();
        let limit = self.cfg.per_host_concurrency.max(1);
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            let st = hosts.entry(host_key.to_string()).or_insert(HostState {
                active: 0,
                next_start: now,
            });
            if st.active < limit {
                st.active += 1;
                let start = st.next_start.max(now);
                st.next_start = start + interval;
                drop(hosts);
                let wait = start.saturating_duration_since(Instant::now());
                if !wait.is_zero() {
                    std::thread::sleep(wait);
                }
                return Permit {
                    http: self,
                    host: host_key.to_string(),
                };
            }
            hosts = self.freed.wait(hosts).unwrap_or_else(|e| e.into_inner());
        }
    }
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1")
}

/// An error and its causes on one line, without the URL (which callers print redacted).
fn chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(c) = cur {
        parts.push(c.to_string());
        cur = c.source();
    }
    if parts.is_empty() {
        parts.push(reqwest_kind(e).to_string());
    }
    bounded(&redact_in_text(&parts.join(": ")), ECHO_LIMIT)
}

fn reqwest_kind(e: &reqwest::Error) -> &'static str {
    if e.is_body() {
        "error reading the body"
    } else if e.is_decode() {
        "error decoding the body"
    } else if e.is_request() {
        "error sending the request"
    } else {
        "HTTP error"
    }
}

/// Remove `user:password@` from every URL inside free text.
pub fn redact_in_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (before, after) = rest.split_at(i + 3);
        out.push_str(before);
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')'))
            .unwrap_or(after.len());
        let authority_end = after[..end].find(['/', '?', '#']).unwrap_or(end);
        match after[..authority_end].rfind('@') {
            Some(at) => out.push_str(&after[at + 1..end]),
            None => out.push_str(&after[..end]),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// `Retry-After`: delay-seconds or an HTTP-date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    // IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept
    // (RFC 9110, section 5.6.7).
    let at = httpdate::parse_http_date(v).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// `host[:port]` of a URL, lower-case: the key of per-host state.
fn host_key_of(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let later = time::OffsetDateTime::now_utc() + time::Duration::seconds(120);
        let fmt = time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        let d = parse_retry_after(&later.format(&fmt).unwrap()).unwrap();
        assert!((118..=120).contains(&d.as_secs()), "{d:?}");
        assert_eq!(parse_retry_after("soon"), None);
        // The two obsolete forms of RFC 9110 (section 5.6.7), in the past: no wait.
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:37 1994"),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn redacts_urls_inside_text() {
        assert_eq!(
            redact_in_text("failed for https://user:tok@example.com/x and git://a@b/c, ok"),
            "failed for https://example.com/x and git://b/c, ok"
        );
        assert_eq!(redact_in_text("no url here"), "no url here");
    }
}
