//! Component → repository (and released commit) from the package registries.
//!
//! Input: a [`Component`] with a purl. Output: a [`RegistryAnswer`], always; a registry that is
//! down, slow, rate-limiting or answering garbage gives an answer with a reason, never an `Err`,
//! so a run over thousands of components completes.
//!
//! | purl type | asked | repository from | commit from |
//! |---|---|---|---|
//! | `cargo` | crates.io API | `version.repository`, else `crate.repository` | `.cargo_vcs_info.json` in the `.crate` ([`RegistryConfig::crate_commits`]) |
//! | `npm` | npm registry, per-version document | `repository` (`directory` kept) | `gitHead` |
//! | `pypi` | PyPI JSON API | `info.project_urls` (PEP 753 labels: source first, then homepage), `info.home_page` | — |
//! | `golang` | Go module proxy `.info`, the module path, `?go-get=1` | `Origin.URL`, a forge module path, the `go-import` meta tag | `Origin.Hash`, else the pseudo-version's (abbreviated) hash |
//! | `maven` | Maven Central POM, then parent POMs | `<scm>` `url` / `connection` / `developerConnection`, `<url>` | — |
//! | any of these, gem, nuget | deps.dev v3, when the above gave no repository | attestations, SLSA provenance, `relatedProjects[SOURCE_REPO]`, `links` | attestation / provenance commit |
//!
//! Answers (found or not) are cached ([`cache`]); transient failures are not. Offline, only the
//! cache answers. The network side is [`http`]: one client, shared limits.
//!
//! This module never clones anything and never prints.

pub mod addr;
pub mod cache;
pub mod http;
mod sources;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use cache::{Cache, CacheOptions, Lookup};
pub use http::{Http, HttpConfig, HttpError};
pub use sources::pseudo_version_commit;

use crate::inventory::Component;
use crate::resolve::{parse_repo_url, Purl, RepoUrl};
use crate::text::{bounded, ECHO_LIMIT};

/// Where each registry lives. Defaults are the public registries; tests, mirrors and proxies
/// point them elsewhere (config file `[registries]`, or flags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryConfig {
    /// crates.io API base (`{base}/api/v1/crates/{name}/{version}`).
    pub crates_io: String,
    /// `.crate` downloads (`{base}/{name}/{name}-{version}.crate`).
    pub crates_download: String,
    /// npm registry (`{base}/{name}/{version}`).
    pub npm: String,
    /// PyPI (`{base}/pypi/{project}/{version}/json`).
    pub pypi: String,
    /// Go module proxy (`{base}/{module}/@v/{version}.info`).
    pub go_proxy: String,
    /// Where `?go-get=1` lookups go: `None` asks `https://{module}` itself; `Some(base)` asks
    /// `{base}/{module}` (a test server or an internal proxy).
    pub go_vanity: Option<String>,
    /// Maven repository (`{base}/{group/path}/{artifact}/{version}/{artifact}-{version}.pom`).
    pub maven: String,
    /// deps.dev API (`{base}/v3/systems/{SYSTEM}/packages/{name}/versions/{version}`).
    pub deps_dev: String,
    /// Ask deps.dev when a registry gives no repository.
    pub deps_dev_fallback: bool,
    /// Download `.crate` files to read the released commit from `.cargo_vcs_info.json`.
    pub crate_commits: bool,
    /// The HTTP client's limits.
    pub http: HttpConfig,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        RegistryConfig {
            crates_io: "https://crates.io".into(),
            crates_download: "https://static.crates.io/crates".into(),
            npm: "https://registry.npmjs.org".into(),
            pypi: "https://pypi.org".into(),
            go_proxy: "https://proxy.golang.org".into(),
            go_vanity: None,
            maven: "https://repo1.maven.org/maven2".into(),
            deps_dev: "https://api.deps.dev".into(),
            deps_dev_fallback: true,
            crate_commits: false,
            http: HttpConfig::default(),
        }
    }
}

/// How a lookup ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnswerStatus {
    /// A repository was found.
    Found,
    /// The registry knows the package but names no usable repository.
    NoRepository,
    /// The registry does not know the package or version.
    NotFound,
    /// No registry lookup exists for this kind of component (no purl, unknown purl type).
    Unsupported,
    /// Offline and nothing cached.
    Offline,
    /// The registry could not be asked or gave an unusable answer (timeout, 5xx after retries,
    /// malformed, too large). Not cached.
    Failed,
}

impl AnswerStatus {
    /// The `aiprov:status` a component gets when this is all there is: `no-repository` for a
    /// definite "no", `error` for a failed lookup. `None` for [`AnswerStatus::Found`].
    pub fn component_status(self) -> Option<&'static str> {
        match self {
            AnswerStatus::Found => None,
            AnswerStatus::Failed => Some("error"),
            _ => Some("no-repository"),
        }
    }
}

/// What the registries say about one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryAnswer {
    /// The source repository, canonical.
    pub repository: Option<RepoUrl>,
    /// The commit the release was built from, lower-case hex, when the registry recorded one.
    /// A Go pseudo-version gives only 12 digits (expand it in the repository).
    pub commit: Option<String>,
    /// The package's folder inside the repository (npm `repository.directory`, cargo
    /// `path_in_vcs`, a Go module's subdirectory), when known.
    pub directory: Option<String>,
    /// When the registry published the release, Unix seconds: crates.io the version's
    /// `created_at`, PyPI the earliest `upload_time_iso_8601` of the release's files, the Go
    /// proxy's `.info` `Time`. npm's per-version document carries no time (the packument's
    /// `time` map is not fetched), so npm releases have none.
    pub released: Option<i64>,
    /// Who answered: `registry:crates.io`, `registry:npm`, `registry:pypi`, `registry:go`,
    /// `registry:maven`, `registry:deps.dev`, or `registry` when none could.
    pub source: String,
    /// One line (bounded, credential-free) when there is no repository, or a note on a partial
    /// answer.
    pub reason: Option<String>,
    /// How the lookup ended.
    pub status: AnswerStatus,
    /// The answer came from the cache.
    pub cached: bool,
}

impl RegistryAnswer {
    fn none(status: AnswerStatus, source: &str, reason: String) -> RegistryAnswer {
        RegistryAnswer {
            repository: None,
            commit: None,
            directory: None,
            released: None,
            source: source.into(),
            reason: Some(bounded(&http::redact_in_text(&reason), 2 * ECHO_LIMIT)),
            status,
            cached: false,
        }
    }

    fn to_json(&self) -> Value {
        serde_json::json!({
            "repository": self.repository.as_ref().map(|r| r.to_string()),
            "commit": self.commit,
            "directory": self.directory,
            "released": self.released,
            "source": self.source,
            "reason": self.reason,
            "status": self.status,
        })
    }

    fn from_json(v: &Value) -> Option<RegistryAnswer> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let repository = match text("repository") {
            Some(u) => Some(parse_repo_url(&u)?.0),
            None => None,
        };
        Some(RegistryAnswer {
            repository,
            commit: text("commit"),
            directory: text("directory"),
            released: v.get("released").and_then(Value::as_i64),
            source: text("source")?,
            reason: text("reason"),
            status: serde_json::from_value(v.get("status")?.clone()).ok()?,
            cached: true,
        })
    }
}

/// The registries, their HTTP client and the answer cache. Share one per run (`&Registry` is
/// `Sync`; lookups from many threads respect the per-host limits together).
#[derive(Debug)]
pub struct Registry {
    cfg: RegistryConfig,
    http: Http,
    cache: Cache,
}

/// What one registry found before the deps.dev fallback.
#[derive(Debug, Default)]
struct Found {
    repository: Option<RepoUrl>,
    commit: Option<String>,
    directory: Option<String>,
    released: Option<i64>,
    /// Why there is no repository, or a note.
    note: Option<String>,
    /// Part of the lookup failed in a way that may go away (so the answer is not cached).
    transient: bool,
}

/// Why one registry lookup failed.
#[derive(Debug)]
enum LookupError {
    Http(HttpError),
    /// The answer is not in the registry's shape.
    Malformed {
        url: String,
        message: String,
    },
    /// The purl cannot be looked up (bad name, no version where one is needed).
    Invalid(String),
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LookupError::Http(e) => write!(f, "{e}"),
            LookupError::Malformed { url, message } => {
                write!(f, "{url}: malformed answer: {message}")
            }
            LookupError::Invalid(m) => write!(f, "{m}"),
        }
    }
}

impl LookupError {
    /// May go away on its own: not cached.
    fn is_transient(&self) -> bool {
        match self {
            LookupError::Http(e) => e.is_transient(),
            LookupError::Malformed { .. } => true,
            LookupError::Invalid(_) => false,
        }
    }
}

impl From<HttpError> for LookupError {
    fn from(e: HttpError) -> Self {
        LookupError::Http(e)
    }
}

impl Registry {
    /// Build the client. Fails only when the TLS backend cannot start.
    pub fn new(cfg: RegistryConfig, cache: Cache) -> Result<Registry, HttpError> {
        let mut http_cfg = cfg.http.clone();
        // The registries' hosts are chosen by the binary or the user's configuration: they may
        // live on private addresses. Hosts derived from documents may not (see `addr`).
        for base in [
            &cfg.crates_io,
            &cfg.crates_download,
            &cfg.npm,
            &cfg.pypi,
            &cfg.go_proxy,
            &cfg.maven,
            &cfg.deps_dev,
        ]
        .into_iter()
        .chain(cfg.go_vanity.as_ref())
        {
            if let Some(entry) = addr::trusted_entry(base) {
                http_cfg.trusted_hosts.insert(entry);
            }
        }
        let http = Http::new(http_cfg)?;
        Ok(Registry { cfg, http, cache })
    }

    /// The configuration in force.
    pub fn config(&self) -> &RegistryConfig {
        &self.cfg
    }

    /// Ask the registries for `c`'s repository and released commit: the cache first (fresh
    /// entries; any entry when offline), then the registry of its purl type, then deps.dev.
    pub fn resolve(&self, c: &Component) -> RegistryAnswer {
        let Some(raw) = c.purl.as_deref() else {
            return RegistryAnswer::none(
                AnswerStatus::Unsupported,
                "registry",
                "no purl to look up in a registry".into(),
            );
        };
        let Some(mut purl) = Purl::parse(raw) else {
            return RegistryAnswer::none(
                AnswerStatus::Unsupported,
                "registry",
                format!("purl {} is not valid", bounded(raw, ECHO_LIMIT)),
            );
        };
        if purl.version.is_none() {
            purl.version = c.version.clone().filter(|v| !v.is_empty());
        }
        let source = sources::source_name(&purl.ty);
        let key = format!(
            "{}|{}|{}|{}|{}",
            purl.ty.to_ascii_lowercase(),
            purl.namespace.as_deref().unwrap_or(""),
            purl.name,
            purl.version.as_deref().unwrap_or(""),
            if purl.ty == "cargo" && self.cfg.crate_commits {
                "crate"
            } else {
                ""
            }
        );
        let stale = match self.cache.get(&key) {
            Lookup::Fresh(v) => {
                if let Some(a) = RegistryAnswer::from_json(&v) {
                    return a;
                }
                None
            }
            Lookup::Stale(v) => RegistryAnswer::from_json(&v),
            Lookup::Missing => None,
        };
        if self.cache.opts.offline {
            return RegistryAnswer::none(
                AnswerStatus::Offline,
                source,
                format!(
                    "offline, and no cached registry answer for {}",
                    purl_label(&purl)
                ),
            );
        }
        let (answer, cacheable) = self.ask(&purl, source);
        if answer.status == AnswerStatus::Failed {
            // A stale answer beats none when the registry is down.
            if let Some(mut old) = stale {
                old.reason = Some(bounded(
                    &format!(
                        "{}; using the cached answer",
                        answer.reason.as_deref().unwrap_or("registry lookup failed")
                    ),
                    2 * ECHO_LIMIT,
                ));
                return old;
            }
            return answer;
        }
        if cacheable {
            let _ = self.cache.put(&key, &answer.to_json());
        }
        answer
    }

    /// The answer, and whether it may be cached (nothing in it came from a transient failure).
    fn ask(&self, purl: &Purl, source: &str) -> (RegistryAnswer, bool) {
        let primary = sources::lookup(self, purl);
        let mut failed = false;
        let mut not_found = false;
        let mut reasons = Vec::new();
        match primary {
            Some(Ok(found)) if found.repository.is_some() => {
                let cacheable = !found.transient;
                return (self.answer(found, source), cacheable);
            }
            Some(Ok(found)) => reasons.push(format!(
                "{source}: {}",
                found.note.unwrap_or_else(|| "no repository URL".into())
            )),
            Some(Err(e)) => {
                match &e {
                    LookupError::Http(HttpError::NotFound { .. }) => not_found = true,
                    LookupError::Invalid(_) => not_found = true,
                    _ => failed = true,
                }
                reasons.push(format!("{source}: {e}"));
            }
            None => reasons.push(format!(
                "no registry lookup for purl type \"{}\"",
                bounded(&purl.ty, 40)
            )),
        }
        let unsupported = reasons.len() == 1 && reasons[0].starts_with("no registry lookup");
        let mut transient = false;
        if self.cfg.deps_dev_fallback {
            match sources::deps_dev(self, purl) {
                Some(Ok(found)) if found.repository.is_some() => {
                    let cacheable = !found.transient && !failed;
                    let mut a = self.answer(found, "registry:deps.dev");
                    a.reason = Some(bounded(
                        &http::redact_in_text(&reasons.join("; ")),
                        2 * ECHO_LIMIT,
                    ));
                    return (a, cacheable);
                }
                Some(Ok(found)) => reasons.push(format!(
                    "registry:deps.dev: {}",
                    found.note.unwrap_or_else(|| "no source repository".into())
                )),
                Some(Err(e)) => {
                    transient = e.is_transient();
                    if transient && unsupported {
                        failed = true;
                    }
                    reasons.push(format!("registry:deps.dev: {e}"));
                }
                None => {}
            }
        }
        let status = if failed {
            AnswerStatus::Failed
        } else if unsupported {
            AnswerStatus::Unsupported
        } else if not_found {
            AnswerStatus::NotFound
        } else {
            AnswerStatus::NoRepository
        };
        let answer = RegistryAnswer::none(
            status,
            if unsupported { "registry" } else { source },
            reasons.join("; "),
        );
        (answer, !failed && !transient)
    }

    fn answer(&self, found: Found, source: &str) -> RegistryAnswer {
        RegistryAnswer {
            repository: found.repository,
            commit: found.commit,
            directory: found.directory,
            released: found.released,
            source: source.into(),
            reason: found
                .note
                .map(|n| bounded(&http::redact_in_text(&n), 2 * ECHO_LIMIT)),
            status: AnswerStatus::Found,
            cached: false,
        }
    }

    fn get_json(&self, url: &str) -> Result<(String, Value), LookupError> {
        let body = self.http.get(url, "application/json")?;
        parse_json(&body.url, &body.bytes).map(|v| (body.url, v))
    }
}

fn parse_json(url: &str, bytes: &[u8]) -> Result<Value, LookupError> {
    serde_json::from_slice(bytes).map_err(|e| LookupError::Malformed {
        url: url.into(),
        message: format!("not JSON ({e})"),
    })
}

fn purl_label(p: &Purl) -> String {
    let mut s = p.short();
    if let Some(v) = &p.version {
        s.push('@');
        s.push_str(v);
    }
    bounded(&s, ECHO_LIMIT)
}
