//! The configuration file (`aiprov.toml`): registry base URLs, HTTP limits, token variables,
//! cache TTL and git remotes. Every key is optional; unknown keys are errors.
//!
//! The settings types belong to the stages that use them ([`crate::registry::RegistryConfig`],
//! [`crate::registry::CacheOptions`], the git remotes of [`crate::fetch`]); this module is the one
//! reader of the file that fills them, so it sits above those stages and below the pipeline.
//!
//! ```toml
//! [registries]
//! crates-io = "https://crates.io"
//! crates-download = "https://static.crates.io/crates"
//! npm = "https://registry.npmjs.org"
//! pypi = "https://pypi.org"
//! go-proxy = "https://proxy.golang.org"
//! go-vanity = "https://goproxy.internal/vanity"   # default: ask https://<module>?go-get=1
//! maven = "https://repo1.maven.org/maven2"
//! deps-dev = "https://api.deps.dev"
//! deps-dev-fallback = true
//! crate-commits = false
//!
//! [http]
//! connect-timeout-ms = 10000
//! read-timeout-ms = 30000
//! total-timeout-ms = 120000
//! max-body-bytes = 16777216
//! max-download-bytes = 33554432
//! max-redirects = 5
//! retries = 3
//! backoff-ms = 500
//! max-backoff-ms = 60000
//! per-host-concurrency = 4
//! per-host-interval-ms = { "*" = 0, "crates.io" = 1000 }
//! tokens = { "npm.internal.example" = "NPM_TOKEN" }   # host = environment variable NAME
//!
//! [cache]
//! ttl-hours = 168
//!
//! [git]
//! timeout-secs = 600
//! remotes = { "github.com" = "https://git-mirror.internal/github.com" }
//!
//! [forges."github.com"]                 # review evidence (--forge-reviews)
//! api = "https://api.github.com"
//! token-env = "GITHUB_TOKEN"            # the variable's NAME; the token stays in the environment
//! [forges."gitlab.example.com"]         # a self-hosted forge: its repositories are fetched
//! kind = "gitlab"                       # github | gitlab | gitea (forgejo); default: gitlab
//!                                       # when the host or API says so, else github
//! api = "https://gitlab.example.com/api/v4"   # default by kind: github → https://HOST/api,
//!                                       # gitlab → https://HOST/api/v4, gitea → https://HOST/api/v1
//! token-env = "GITLAB_TOKEN"
//! git = "ssh://git@gitlab.example.com:2222"   # clone from BASE/<group path>/<name>.git
//!                                       # instead of https://HOST/…; same as [git] remotes
//! [defaults]                      # used when the flag is not given
//! profile = "ntia-2021"           # aiprov check --profile
//! fail-on = ["unreviewed-ai>0"]   # --fail-on of check, report, enrich and scan
//! mirror-dir = ["/srv/mirrors"]   # --mirror-dir of enrich and scan (relative: to this file)
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use crate::ident::{ForgeHosts, ForgeKind};
use crate::registry::{CacheOptions, RegistryConfig};
use crate::text::{bounded, ECHO_LIMIT};

/// Why a configuration file could not be used. Messages start with the file.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// What is wrong (with line and column when TOML says).
    pub message: String,
}

/// Everything the configuration file sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileConfig {
    /// Registry base URLs and HTTP limits.
    pub registry: RegistryConfig,
    /// Cache TTL (offline / refresh come from flags).
    pub cache: CacheOptions,
    /// Git remote bases by forge host (see `crate::fetch::FetchOptions::remotes`).
    pub git_remotes: BTreeMap<String, String>,
    /// Longest time one clone or fetch may take.
    pub git_timeout: Option<Duration>,
    /// Forge APIs for review evidence, by the host whose repositories they serve.
    pub forges: BTreeMap<String, ForgeConfig>,
    /// Flag defaults (`[defaults]`).
    pub defaults: Defaults,
}

/// `[forges."HOST"]`: a forge host the user vouches for. Its repositories named in SBOMs are
/// fetched (a host neither public nor configured is `repository-unavailable`), its URLs read
/// with its [`ForgeKind`], and its pull/merge requests asked through `api`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeConfig {
    /// API base (`https://api.github.com`, `https://HOST/api`, `https://HOST/api/v4`); when the
    /// file leaves it out, the kind's default on the host ([`default_api`]).
    pub api: String,
    /// The name of the environment variable holding the token.
    pub token_env: Option<String>,
    /// `true` for GitLab's REST API, `false` otherwise (kept for the review clients; the same
    /// as `kind == ForgeKind::Gitlab`).
    pub gitlab: bool,
    /// The forge software (`kind = …`).
    pub kind: ForgeKind,
    /// The git base URL to clone this host's repositories from (`git = …`), when not
    /// `https://HOST`.
    pub git: Option<String>,
}

/// The API base a forge of `kind` on `host` serves when the configuration names none:
/// github.com → `https://api.github.com`; GitHub Enterprise Server → `https://HOST/api`
/// (GraphQL at `/api/graphql`, REST at `/api/v3`: GitHub Enterprise Server docs, "About the
/// GraphQL API" / "REST API endpoints"); GitLab → `https://HOST/api/v4` (GitLab REST API docs);
/// Gitea/Forgejo → `https://HOST/api/v1` (Gitea API docs).
pub fn default_api(host: &str, kind: ForgeKind) -> String {
    match kind {
        ForgeKind::Github if host == "github.com" => "https://api.github.com".into(),
        ForgeKind::Github => format!("https://{host}/api"),
        ForgeKind::Gitlab => format!("https://{host}/api/v4"),
        ForgeKind::Gitea => format!("https://{host}/api/v1"),
        ForgeKind::Bitbucket => "https://api.bitbucket.org/2.0".into(),
        ForgeKind::Other => format!("https://{host}"),
    }
}

impl FileConfig {
    /// The hosts a run reads and fetches repositories on: the public forges plus every
    /// `[forges."HOST"]`.
    pub fn forge_hosts(&self) -> ForgeHosts {
        ForgeHosts::new(self.forges.iter().map(|(h, f)| (h.clone(), f.kind)))
    }
}

/// `[defaults]`: values for flags the command line leaves out. A flag given on the command line
/// replaces the default entirely (for the repeatable ones too).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Defaults {
    /// `aiprov check --profile`, as written (the command line validates it).
    pub profile: Option<String>,
    /// `--fail-on` expressions, as written.
    pub fail_on: Vec<String>,
    /// `--mirror-dir` folders, as written (relative ones are relative to the configuration file).
    pub mirror_dirs: Vec<std::path::PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    registries: RawRegistries,
    #[serde(default)]
    http: RawHttp,
    #[serde(default)]
    cache: RawCache,
    #[serde(default)]
    git: RawGit,
    #[serde(default)]
    forges: BTreeMap<String, RawForge>,
    #[serde(default)]
    defaults: RawDefaults,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawForge {
    api: Option<String>,
    token_env: Option<String>,
    kind: Option<String>,
    git: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawDefaults {
    profile: Option<String>,
    fail_on: Option<Vec<String>>,
    mirror_dir: Option<Vec<std::path::PathBuf>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRegistries {
    crates_io: Option<String>,
    crates_download: Option<String>,
    npm: Option<String>,
    pypi: Option<String>,
    go_proxy: Option<String>,
    go_vanity: Option<String>,
    maven: Option<String>,
    deps_dev: Option<String>,
    deps_dev_fallback: Option<bool>,
    crate_commits: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawHttp {
    connect_timeout_ms: Option<u64>,
    read_timeout_ms: Option<u64>,
    total_timeout_ms: Option<u64>,
    max_body_bytes: Option<u64>,
    max_download_bytes: Option<u64>,
    max_redirects: Option<usize>,
    retries: Option<u32>,
    backoff_ms: Option<u64>,
    max_backoff_ms: Option<u64>,
    per_host_concurrency: Option<usize>,
    per_host_interval_ms: Option<BTreeMap<String, u64>>,
    tokens: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCache {
    ttl_hours: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawGit {
    timeout_secs: Option<u64>,
    remotes: Option<BTreeMap<String, String>>,
}

impl FileConfig {
    /// Parse a configuration file; `path_label` names it in messages.
    pub fn from_toml(path_label: &str, text: &str) -> Result<FileConfig, ConfigError> {
        let err = |message: String| ConfigError {
            path: crate::text::path_label(path_label),
            message,
        };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|sp| {
                let (line, col) = crate::text::line_column(text.as_bytes(), sp.start);
                format!("line {line}, column {col}: ")
            });
            err(format!(
                "{}{}",
                at.unwrap_or_default(),
                bounded(e.message().trim(), 600)
            ))
        })?;
        // Every problem of the file, not only the first, in file order of the sections.
        let mut cfg = FileConfig::default();
        let mut problems = Vec::new();
        apply_registries(raw.registries, &mut cfg.registry, &mut problems);
        apply_http(raw.http, &mut cfg.registry.http, &mut problems);
        cfg.defaults = Defaults {
            profile: raw.defaults.profile,
            fail_on: raw.defaults.fail_on.unwrap_or_default(),
            mirror_dirs: raw.defaults.mirror_dir.unwrap_or_default(),
        };
        if let Some(hours) = raw.cache.ttl_hours {
            cfg.cache.ttl = Duration::from_secs(hours.saturating_mul(3600));
        }
        apply_git(raw.git, &mut cfg, &mut problems);
        apply_forges(raw.forges, &mut cfg, &mut problems);
        if problems.is_empty() {
            Ok(cfg)
        } else {
            Err(err(problems.join("; ")))
        }
    }

    /// The default location: `$XDG_CONFIG_HOME/aiprov/config.toml`, else
    /// `$HOME/.config/aiprov/config.toml`.
    pub fn default_path() -> Option<std::path::PathBuf> {
        xdg_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("config.toml"))
    }
}

/// `[registries]` into `reg`; a bad base URL is a problem, the rest is taken.
fn apply_registries(r: RawRegistries, reg: &mut RegistryConfig, problems: &mut Vec<String>) {
    let mut url = |key: &str, v: Option<String>, into: &mut String| {
        if let Some(v) = v {
            match check_base(key, &v) {
                Ok(()) => *into = v,
                Err(e) => problems.push(e),
            }
        }
    };
    url("registries.crates-io", r.crates_io, &mut reg.crates_io);
    url(
        "registries.crates-download",
        r.crates_download,
        &mut reg.crates_download,
    );
    url("registries.npm", r.npm, &mut reg.npm);
    url("registries.pypi", r.pypi, &mut reg.pypi);
    url("registries.go-proxy", r.go_proxy, &mut reg.go_proxy);
    url("registries.maven", r.maven, &mut reg.maven);
    url("registries.deps-dev", r.deps_dev, &mut reg.deps_dev);
    if let Some(v) = r.go_vanity {
        match check_base("registries.go-vanity", &v) {
            Ok(()) => reg.go_vanity = Some(v),
            Err(e) => problems.push(e),
        }
    }
    if let Some(b) = r.deps_dev_fallback {
        reg.deps_dev_fallback = b;
    }
    if let Some(b) = r.crate_commits {
        reg.crate_commits = b;
    }
}

/// `[http]` into `hc`.
fn apply_http(h: RawHttp, hc: &mut crate::registry::HttpConfig, problems: &mut Vec<String>) {
    let ms = Duration::from_millis;
    if let Some(v) = h.connect_timeout_ms {
        hc.connect_timeout = ms(v)
    }
    if let Some(v) = h.read_timeout_ms {
        hc.read_timeout = ms(v)
    }
    if let Some(v) = h.total_timeout_ms {
        hc.total_timeout = ms(v)
    }
    if let Some(v) = h.max_body_bytes {
        hc.max_body = v
    }
    if let Some(v) = h.max_download_bytes {
        hc.max_download = v
    }
    if let Some(v) = h.max_redirects {
        hc.max_redirects = v
    }
    if let Some(v) = h.retries {
        hc.retries = v.min(10)
    }
    if let Some(v) = h.backoff_ms {
        hc.backoff = ms(v)
    }
    if let Some(v) = h.max_backoff_ms {
        hc.max_backoff = ms(v)
    }
    match h.per_host_concurrency {
        Some(0) => problems.push("http.per-host-concurrency must be at least 1".into()),
        Some(v) => hc.per_host_concurrency = v,
        None => {}
    }
    for (host, v) in h.per_host_interval_ms.unwrap_or_default() {
        hc.per_host_interval
            .insert(host.to_ascii_lowercase(), ms(v));
    }
    for (host, var) in h.tokens.unwrap_or_default() {
        let ok = !var.is_empty() && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if ok {
            hc.tokens.insert(host.to_ascii_lowercase(), var);
        } else {
            problems.push(format!(
                "http.tokens.\"{}\": give the NAME of an environment variable (letters, digits, _), never the token itself",
                bounded(&host, ECHO_LIMIT)
            ));
        }
    }
}

/// `[git]` into `cfg`.
fn apply_git(g: RawGit, cfg: &mut FileConfig, problems: &mut Vec<String>) {
    if let Some(s) = g.timeout_secs {
        cfg.git_timeout = Some(Duration::from_secs(s));
    }
    for (host, base) in g.remotes.unwrap_or_default() {
        if matches!(
            scheme(&base).as_deref(),
            Some("https" | "ssh" | "git" | "file")
        ) {
            cfg.git_remotes.insert(host.to_ascii_lowercase(), base);
        } else {
            problems.push(format!(
                "git.remotes.\"{}\": expected an https://, ssh://, git:// or file:// base URL",
                bounded(&host, ECHO_LIMIT)
            ));
        }
    }
}

/// `[forges."HOST"]` into `cfg.forges`: `api` is an http(s) base (default: [`default_api`]);
/// `token-env` names a variable (never holds a token); `kind` is `github`, `gitlab` or `gitea`
/// (`forgejo`), else guessed from the host or an `/api/v4` base (gitlab), else github; `git` is
/// an https://, ssh:// or git:// base. The host must be a host name. Every problem of an entry
/// is reported, and a bad entry is left out.
fn apply_forges(
    forges: BTreeMap<String, RawForge>,
    cfg: &mut FileConfig,
    problems: &mut Vec<String>,
) {
    for (host, f) in forges {
        let shown = bounded(&host, ECHO_LIMIT);
        let before = problems.len();
        let lower = host.to_ascii_lowercase();
        if lower.is_empty()
            || !lower
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
        {
            problems.push(format!(
                "forges.\"{shown}\": expected a host name (letters, digits, - and .), no scheme, port or path"
            ));
        }
        if let Some(api) = &f.api {
            if let Err(e) = check_base(&format!("forges.\"{shown}\".api"), api) {
                problems.push(e);
            }
        }
        if let Some(var) = &f.token_env {
            let ok = !var.is_empty() && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !ok {
                problems.push(format!(
                    "forges.\"{shown}\".token-env: give the NAME of an environment variable (letters, digits, _), never the token itself"
                ));
            }
        }
        let kind = match f.kind.as_deref() {
            Some(k) => match ForgeKind::parse(k) {
                Some(k) => k,
                None => {
                    problems.push(format!(
                        "forges.\"{shown}\".kind: expected github, gitlab or gitea"
                    ));
                    ForgeKind::Other
                }
            },
            None if lower.contains("gitlab")
                || f.api.as_deref().is_some_and(|a| a.contains("/api/v4")) =>
            {
                ForgeKind::Gitlab
            }
            None => ForgeKind::of_public(&lower).unwrap_or(ForgeKind::Github),
        };
        if let Some(git) = &f.git {
            let authority = git
                .split_once("://")
                .map_or("", |(_, r)| r.split('/').next().unwrap_or(""));
            let password = authority
                .rsplit_once('@')
                .is_some_and(|(user, _)| user.contains(':'));
            let ok = matches!(scheme(git).as_deref(), Some("https" | "ssh" | "git"))
                && !git.contains(char::is_whitespace)
                && !password;
            if !ok {
                problems.push(format!(
                    "forges.\"{shown}\".git: expected an https://, ssh:// or git:// base URL without a password"
                ));
            }
        }
        if problems.len() > before {
            continue;
        }
        let api = f.api.unwrap_or_else(|| default_api(&lower, kind));
        if let Some(git) = &f.git {
            cfg.git_remotes.entry(lower.clone()).or_insert(git.clone());
        }
        cfg.forges.insert(
            lower,
            ForgeConfig {
                api,
                token_env: f.token_env,
                gitlab: kind == ForgeKind::Gitlab,
                kind,
                git: f.git,
            },
        );
    }
}

fn scheme(u: &str) -> Option<String> {
    u.split_once("://").map(|(s, _)| s.to_ascii_lowercase())
}

fn check_base(key: &str, v: &str) -> Result<(), String> {
    match scheme(v).as_deref() {
        Some("http" | "https") if !v.contains(char::is_whitespace) => {
            if crate::resolve::redact_credentials(v) != v {
                return Err(format!("{key}: no user:password in URLs (use http.tokens)"));
            }
            Ok(())
        }
        _ => Err(format!(
            "{key}: expected an http:// or https:// base URL, found \"{}\"",
            bounded(&crate::resolve::redact_credentials(v), ECHO_LIMIT)
        )),
    }
}

/// The default cache folder: `$XDG_CACHE_HOME/aiprov` (when absolute), else
/// `$HOME/.cache/aiprov`; `None` without either.
pub fn default_cache_dir() -> Option<std::path::PathBuf> {
    xdg_dir("XDG_CACHE_HOME", ".cache")
}

/// aiprov's folder of an XDG base directory (<https://specifications.freedesktop.org/basedir-spec/latest/>):
/// `$VAR/aiprov` when `VAR` is an absolute path, else `$HOME/<fallback>/aiprov`. The one place
/// aiprov picks its per-user folders (configuration, cache).
fn xdg_dir(var: &str, fallback: &str) -> Option<std::path::PathBuf> {
    use std::path::{Path, PathBuf};
    if let Some(x) = std::env::var_os(var).filter(|x| Path::new(x).is_absolute()) {
        return Some(PathBuf::from(x).join("aiprov"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(fallback).join("aiprov"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forges_name_an_api_and_a_variable_never_a_token() {
        let cfg = FileConfig::from_toml(
            "c.toml",
            "[forges.\"github.com\"]\napi = \"https://api.github.com\"\ntoken-env = \"GITHUB_TOKEN\"\n[forges.\"git.example.com\"]\napi = \"https://git.example.com/api/v4\"\n",
        )
        .unwrap();
        assert_eq!(
            cfg.forges["github.com"],
            ForgeConfig {
                api: "https://api.github.com".into(),
                token_env: Some("GITHUB_TOKEN".into()),
                gitlab: false,
                kind: ForgeKind::Github,
                git: None,
            }
        );
        assert!(cfg.forges["git.example.com"].gitlab);
        let e = FileConfig::from_toml(
            "c.toml",
            "[forges.\"github.com\"]\napi = \"https://api.github.com\"\ntoken-env = \"ghp_abc-def\"\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(e, "c.toml: forges.\"github.com\".token-env: give the NAME of an environment variable (letters, digits, _), never the token itself");
        let e = FileConfig::from_toml(
            "c.toml",
            "[forges.x]\napi = \"https://x\"\nkind = \"svn\"\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "c.toml: forges.\"x\".kind: expected github, gitlab or gitea"
        );
    }

    /// Issue 14: a self-hosted forge needs only its kind; the API defaults by kind, `git` sets
    /// where its repositories are cloned from, and every problem is reported at once.
    #[test]
    fn self_hosted_forges() {
        let cfg = FileConfig::from_toml(
            "c.toml",
            "[forges.\"GHE.example.com\"]\nkind = \"github\"\n\
             [forges.\"gitlab.example.com\"]\ngit = \"ssh://git@gitlab.example.com:2222\"\n\
             [forges.\"forgejo.example.org\"]\nkind = \"forgejo\"\n",
        )
        .unwrap();
        let ghe = &cfg.forges["ghe.example.com"];
        assert_eq!(
            (ghe.kind, ghe.api.as_str(), ghe.gitlab),
            (ForgeKind::Github, "https://ghe.example.com/api", false)
        );
        let gl = &cfg.forges["gitlab.example.com"];
        assert_eq!(
            (gl.kind, gl.api.as_str(), gl.gitlab),
            (ForgeKind::Gitlab, "https://gitlab.example.com/api/v4", true)
        );
        assert_eq!(
            cfg.git_remotes["gitlab.example.com"],
            "ssh://git@gitlab.example.com:2222"
        );
        assert_eq!(
            cfg.forges["forgejo.example.org"].api,
            "https://forgejo.example.org/api/v1"
        );
        let hosts = cfg.forge_hosts();
        assert_eq!(hosts.kind("forgejo.example.org"), Some(ForgeKind::Gitea));
        assert!(hosts.is_configured("ghe.example.com") && !hosts.is_configured("github.com"));
        assert!(hosts.is_known("codeberg.org") && !hosts.is_known("git.example.net"));
        let e = FileConfig::from_toml(
            "c.toml",
            "[forges.\"https://h.example/x\"]\nkind = \"svn\"\ngit = \"ext::sh\"\napi = \"ftp://h\"\n",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "c.toml: forges.\"https://h.example/x\": expected a host name (letters, digits, - and .), no scheme, port or path; \
             forges.\"https://h.example/x\".api: expected an http:// or https:// base URL, found \"ftp://h\"; \
             forges.\"https://h.example/x\".kind: expected github, gitlab or gitea; \
             forges.\"https://h.example/x\".git: expected an https://, ssh:// or git:// base URL without a password"
        );
    }

    #[test]
    fn parses_every_section() {
        let c = FileConfig::from_toml(
            "a.toml",
            r#"
[registries]
npm = "http://127.0.0.1:9/npm"
deps-dev-fallback = false
crate-commits = true
[http]
retries = 1
per-host-interval-ms = { "crates.io" = 2000 }
tokens = { "npm.example" = "NPM_TOKEN" }
[cache]
ttl-hours = 2
[git]
timeout-secs = 30
remotes = { "github.com" = "git://127.0.0.1:9418/github.com" }
"#,
        )
        .unwrap();
        assert_eq!(c.registry.npm, "http://127.0.0.1:9/npm");
        assert!(!c.registry.deps_dev_fallback && c.registry.crate_commits);
        assert_eq!(c.registry.http.retries, 1);
        assert_eq!(
            c.registry.http.per_host_interval["crates.io"],
            Duration::from_secs(2)
        );
        assert_eq!(c.registry.http.tokens["npm.example"], "NPM_TOKEN");
        assert_eq!(c.cache.ttl, Duration::from_secs(7200));
        assert_eq!(c.git_timeout, Some(Duration::from_secs(30)));
        assert_eq!(
            c.git_remotes["github.com"],
            "git://127.0.0.1:9418/github.com"
        );
        assert_eq!(
            FileConfig::from_toml("e.toml", "").unwrap(),
            FileConfig::default()
        );
    }

    #[test]
    fn errors_name_the_file_and_never_echo_secrets() {
        let e = |t: &str| FileConfig::from_toml("c.toml", t).unwrap_err().to_string();
        assert!(
            e("[registries]\nnpmjs = \"x\"\n")
                .starts_with("c.toml: line 2, column 1: unknown field `npmjs`"),
            "{}",
            e("[registries]\nnpmjs = \"x\"\n")
        );
        assert_eq!(
            e("[registries]\nnpm = \"https://me:s3cret@npm.example\"\n"),
            "c.toml: registries.npm: no user:password in URLs (use http.tokens)"
        );
        assert_eq!(
            e("[registries]\npypi = \"ftp://me:s3cret@x\"\n"),
            "c.toml: registries.pypi: expected an http:// or https:// base URL, found \"ftp://x\""
        );
        assert!(
            e("[http]\ntokens = { \"h\" = \"ghp_abc-def\" }\n").contains("never the token itself")
        );
        assert!(!e("[http]\ntokens = { \"h\" = \"ghp_abc-def\" }\n").contains("ghp_abc-def"));
        assert!(
            e("[git]\nremotes = { \"github.com\" = \"ext::sh -c x\" }\n")
                .contains("expected an https://")
        );
    }

    #[test]
    fn every_problem_of_the_file_at_once() {
        let text = "[registries]\nnpm = \"ftp://x\"\npypi = \"https://pypi.example\"\n\
                    [http]\nper-host-concurrency = 0\n\
                    [git]\nremotes = { \"h\" = \"ext::x\" }\n";
        let e = FileConfig::from_toml("c.toml", text)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "c.toml: registries.npm: expected an http:// or https:// base URL, found \"ftp://x\"; \
             http.per-host-concurrency must be at least 1; \
             git.remotes.\"h\": expected an https://, ssh://, git:// or file:// base URL"
        );
    }
}
