//! `--review-data FILE` (on `enrich`, `scan`, `commits`, `evidence`): reading the review-data
//! files into a [`ReviewIndex`].

use std::path::{Path, PathBuf};

use super::{escape_for_terminal, Failure};
use crate::review::{data, ReviewIndex};

/// The flag, shared by every command that takes it.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReviewDataArgs {
    /// Pull/merge requests as JSON Lines (schemas/review-data.schema.json), one request per
    /// line: which commits each brought in, its reviews, who merged it and when, its checks.
    /// The AI commits of a repository the file names get an outcome (approved,
    /// merged-unapproved, no-pull-request); those of other repositories stay unknown. Repeatable
    #[arg(long = "review-data", value_name = "FILE")]
    pub review_data: Vec<PathBuf>,
}

impl ReviewDataArgs {
    /// Read and index every file; `None` when none is given. A file that cannot be read or a
    /// line that does not fit is bad input (exit 2), naming the file and the line.
    pub fn load(&self) -> Result<Option<ReviewIndex>, Failure> {
        if self.review_data.is_empty() {
            return Ok(None);
        }
        let mut index = ReviewIndex::default();
        for path in &self.review_data {
            let label = path.display().to_string();
            let file = std::fs::File::open(path)
                .map_err(|e| {
                    anyhow::Error::from(e).context(format!(
                        "{}: cannot read the review data",
                        escape_for_terminal(&label)
                    ))
                })
                .map_err(Failure::input)?;
            let bytes = super::read_capped(file, &label)?;
            let text = String::from_utf8(bytes).map_err(|e| {
                Failure::input(anyhow::anyhow!(
                    "{}: not UTF-8 (byte {})",
                    escape_for_terminal(&label),
                    e.utf8_error().valid_up_to()
                ))
            })?;
            let requests = data::parse(&label, &text).map_err(|e| {
                Failure::input(anyhow::anyhow!("{}", escape_for_terminal(&e.to_string())))
            })?;
            for r in requests {
                // A file speaks for every commit of the repositories it names, whichever forge
                // its records were read from (their `source`).
                index.cover(&r.repository, r.source);
                index.add(r);
            }
        }
        Ok(Some(index))
    }

    /// The files, for the clobber checks.
    pub fn paths(&self) -> impl Iterator<Item = &std::path::Path> {
        self.review_data.iter().map(PathBuf::as_path)
    }
}

/// Looking up the AI commits' pull requests on GitHub during `enrich` and `scan`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ForgeArgs {
    /// Ask GitHub's GraphQL API which pull requests brought each AI commit of a github.com
    /// repository in, with their reviews, merger and checks (batched, 50 commits a query; the
    /// answers are cached, merged ones without expiry; --offline uses the cache only). Needs a
    /// token in the variable --github-token-env names
    #[arg(long = "forge-reviews")]
    pub forge_reviews: bool,
    /// Send at most N requests to the forge in this run; the AI commits left are `unknown`
    #[arg(long = "max-forge-requests", value_name = "N")]
    pub max_forge_requests: Option<u64>,
    /// The GitHub API base (GitHub Enterprise: https://HOST/api; its host's repositories are asked)
    #[arg(
        long = "github-api",
        value_name = "URL",
        default_value = "https://api.github.com"
    )]
    pub github_api: String,
    /// The environment variable holding the GitHub token (its name, never the token)
    #[arg(
        long = "github-token-env",
        value_name = "NAME",
        default_value = "GITHUB_TOKEN"
    )]
    pub github_token_env: String,
    /// The forge host whose repositories --github-api serves (as `[forges."HOST"] api = …`)
    /// [default: github.com for api.github.com, else the API's own host]
    #[arg(long = "github-host", value_name = "HOST")]
    pub github_host: Option<String>,
    /// The GitLab API base; its host's repositories are asked through the REST API (one
    /// request per AI commit, two more per merged merge request; answers cached like GitHub's)
    #[arg(
        long = "gitlab-api",
        value_name = "URL",
        default_value = "https://gitlab.com/api/v4"
    )]
    pub gitlab_api: String,
    /// The environment variable holding the GitLab token (its name, never the token)
    #[arg(
        long = "gitlab-token-env",
        value_name = "NAME",
        default_value = "GITLAB_TOKEN"
    )]
    pub gitlab_token_env: String,
    /// The forge host whose repositories --gitlab-api serves [default: the API's host]
    #[arg(long = "gitlab-host", value_name = "HOST")]
    pub gitlab_host: Option<String>,
}

/// One forge API the review lookup asks: the host whose repositories it serves, its base and
/// the token variable; GitHub's GraphQL client or GitLab's REST client by `gitlab`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeTarget {
    /// The repositories' host (lower-case).
    pub host: String,
    /// The API base.
    pub api: String,
    /// The environment variable holding the token (its name).
    pub token_env: String,
    /// GitLab's REST API (`true`) or GitHub's GraphQL API (`false`).
    pub gitlab: bool,
}

impl ForgeArgs {
    /// The forge APIs to ask, one per host: every `[forges."HOST"]` of kind github (GitHub's
    /// GraphQL client on its `api`: GitHub Enterprise `https://HOST/api` → `/api/graphql`) or
    /// gitlab (GitLab's REST client on its `api`), then the flags' GitHub and GitLab APIs. On a
    /// host both name, a flag given on the command line wins; a flag at its default gives way to
    /// the configuration. Hosts of another kind (gitea) have no review client and are left out.
    pub fn targets(
        &self,
        forges: &std::collections::BTreeMap<String, crate::config::ForgeConfig>,
    ) -> Vec<ForgeTarget> {
        use crate::resolve::ForgeKind;
        let mut out: Vec<ForgeTarget> = Vec::new();
        let github_flag = ForgeTarget {
            host: self
                .github_host
                .clone()
                .map(|h| h.to_ascii_lowercase())
                .unwrap_or_else(|| forge_host(&self.github_api)),
            api: self.github_api.clone(),
            token_env: self.github_token_env.clone(),
            gitlab: false,
        };
        let gitlab_flag = ForgeTarget {
            host: self
                .gitlab_host
                .clone()
                .map(|h| h.to_ascii_lowercase())
                .unwrap_or_else(|| forge_host(&self.gitlab_api)),
            api: self.gitlab_api.clone(),
            token_env: self.gitlab_token_env.clone(),
            gitlab: true,
        };
        let github_given =
            self.github_api != "https://api.github.com" || self.github_host.is_some();
        let gitlab_given =
            self.gitlab_api != "https://gitlab.com/api/v4" || self.gitlab_host.is_some();
        for (host, f) in forges {
            let gitlab = match f.kind {
                ForgeKind::Github => false,
                ForgeKind::Gitlab => true,
                _ => continue,
            };
            let flag_wins = if gitlab {
                gitlab_given && gitlab_flag.host == *host
            } else {
                github_given && github_flag.host == *host
            };
            if flag_wins {
                continue;
            }
            let default_env = if gitlab {
                &self.gitlab_token_env
            } else {
                &self.github_token_env
            };
            out.push(ForgeTarget {
                host: host.clone(),
                api: f.api.clone(),
                token_env: f.token_env.clone().unwrap_or_else(|| default_env.clone()),
                gitlab,
            });
        }
        for flag in [github_flag, gitlab_flag] {
            if !out.iter().any(|t| t.host == flag.host) {
                out.push(flag);
            }
        }
        out
    }

    /// Look up the AI commits of `repos` (repository → commit ids) on each forge of
    /// [`ForgeArgs::targets`] and add what was answered to `index`; notes (errors, requests
    /// sent) go to stderr. Repositories on other hosts are left alone (their AI commits stay
    /// unknown). `--max-forge-requests` bounds the requests of all forges together.
    pub fn look_up(
        &self,
        forges: &std::collections::BTreeMap<String, crate::config::ForgeConfig>,
        repos: &[(String, Vec<String>)],
        cache: &crate::registry::Cache,
        index: &mut ReviewIndex,
    ) {
        if !self.forge_reviews {
            return;
        }
        let hosts =
            crate::resolve::ForgeHosts::new(forges.iter().map(|(h, f)| (h.clone(), f.kind)));
        // Each repository as the forge reads it (any host: a self-hosted one is configured).
        let parsed: Vec<(&String, crate::resolve::RepoUrl, &Vec<String>)> = repos
            .iter()
            .filter_map(|(r, c)| {
                crate::resolve::parse_vcs_url(r, &hosts).map(|(url, _)| (r, url, c))
            })
            .collect();
        let mut sent = 0u64;
        for t in self.targets(forges) {
            let mine: Vec<(&String, &crate::resolve::RepoUrl, &Vec<String>)> = parsed
                .iter()
                .filter(|(_, url, c)| url.host == t.host && !c.is_empty())
                .map(|(r, url, c)| (*r, url, *c))
                .collect();
            if mine.is_empty() {
                continue;
            }
            sent += if t.gitlab {
                self.look_up_gitlab(&t, &mine, sent, cache, index)
            } else {
                self.look_up_github(&t, &mine, sent, cache, index)
            };
        }
    }

    /// The GitHub part of [`ForgeArgs::look_up`] for one target; returns the requests sent.
    fn look_up_github(
        &self,
        t: &ForgeTarget,
        repos: &[(&String, &crate::resolve::RepoUrl, &Vec<String>)],
        sent: u64,
        cache: &crate::registry::Cache,
        index: &mut ReviewIndex,
    ) -> u64 {
        use crate::forge::github::{Github, Options};
        use crate::review::Source;
        let opts = Options {
            api: t.api.clone(),
            token_env: Some(t.token_env.clone()),
            max_requests: self.max_forge_requests.map(|m| m.saturating_sub(sent)),
            ..Options::default()
        };
        let github = match Github::new(opts, Some(cache)) {
            Ok(g) => g,
            Err(e) => {
                say!("aiprov: reviews: {}", escape_for_terminal(&e.to_string()));
                return 0;
            }
        };
        let (mut asked, mut answered) = (0usize, 0usize);
        // GitHub's GraphQL API answers nobody without a token: say so once instead of asking
        // (unless the cache can answer: offline runs need no token).
        let tokenless = !github.has_token() && !cache.opts.offline;
        for (repository, url, commits) in repos {
            asked += commits.len();
            if tokenless {
                continue;
            }
            let answer = github.lookup(repository, &url.owner, &url.name, commits);
            answered += answer.answered.len();
            for e in &answer.errors {
                say!(
                    "aiprov: reviews: {}: {}",
                    escape_for_terminal(repository),
                    escape_for_terminal(&e.to_string())
                );
            }
            for r in answer.requests {
                index.add(r);
            }
            index.cover_commits(repository, Source::Github, answer.answered);
        }
        if tokenless && asked > 0 {
            say!(
                "aiprov: reviews: no token in ${}: GitHub's GraphQL API needs one; the {asked} AI commit(s) of {} repositories were not looked up (unknown)",
                escape_for_terminal(&t.token_env),
                escape_for_terminal(&t.host)
            );
        } else if asked > 0 {
            say!(
                "aiprov: reviews: {answered} of {asked} AI commit(s) looked up on {} ({} request(s))",
                escape_for_terminal(&t.host),
                github.requests_sent()
            );
        }
        github.requests_sent()
    }

    /// The GitLab part of [`ForgeArgs::look_up`] for one target: per AI commit, its merge
    /// requests; a failure leaves the commit unknown and ends the repository's lookups. Returns
    /// the requests sent.
    fn look_up_gitlab(
        &self,
        t: &ForgeTarget,
        repos: &[(&String, &crate::resolve::RepoUrl, &Vec<String>)],
        sent: u64,
        cache: &crate::registry::Cache,
        index: &mut ReviewIndex,
    ) -> u64 {
        use crate::forge::gitlab;
        use crate::review::Source;
        let Some(http) = gitlab_http(&t.api, &t.token_env) else {
            return 0;
        };
        let mut requests = sent;
        let (mut asked, mut answered) = (0usize, 0usize);
        'repos: for (repository, url, commits) in repos {
            let path = format!("{}/{}", url.owner, url.name);
            asked += commits.len();
            for c in commits.iter() {
                if self.max_forge_requests.is_some_and(|m| requests >= m) {
                    say!("aiprov: reviews: the forge request budget is spent; the remaining commits were not looked up");
                    break 'repos;
                }
                match gitlab::merge_requests_cached(&http, cache, &t.api, repository, &path, c) {
                    Ok((rs, from_cache)) => {
                        if !from_cache {
                            requests +=
                                1 + 2 * rs.iter().filter(|r| r.merged_at.is_some()).count() as u64;
                        }
                        for r in rs {
                            index.add(r);
                        }
                        index.cover_commits(repository, Source::Gitlab, [c.clone()]);
                        answered += 1;
                    }
                    Err(e) => {
                        requests += 1;
                        say!(
                            "aiprov: reviews: {}: {}",
                            escape_for_terminal(repository),
                            escape_for_terminal(&e.to_string())
                        );
                        continue 'repos;
                    }
                }
            }
        }
        if asked > 0 {
            say!(
                "aiprov: reviews: {answered} of {asked} AI commit(s) looked up on {}",
                escape_for_terminal(&t.host)
            );
        }
        requests - sent
    }
}

impl crate::pipeline::ReviewLookup for ForgeArgs {
    /// [`ForgeArgs::look_up`]: every configured forge of kind github or gitlab, and the flags'.
    fn look_up(
        &self,
        forges: &std::collections::BTreeMap<String, crate::config::ForgeConfig>,
        repos: &[(String, Vec<String>)],
        cache: &crate::registry::Cache,
        index: &mut ReviewIndex,
    ) {
        ForgeArgs::look_up(self, forges, repos, cache, index);
    }
}

/// The HTTP client for the GitLab API at `api`: the token from the variable `token_env`, sent
/// to the API's host only; the API's address is trusted (it is the user's flag or
/// configuration, so it is not filtered like hosts that come from SBOM content: README, trust
/// model). `None` when the client cannot be built.
fn gitlab_http(api: &str, token_env: &str) -> Option<crate::registry::Http> {
    use crate::registry::{Http, HttpConfig};
    let mut cfg = HttpConfig::default();
    cfg.tokens.insert(forge_host(api), token_env.to_string());
    if let Some(entry) = crate::registry::addr::trusted_entry(api) {
        cfg.trusted_hosts.insert(entry);
    }
    Http::new(cfg).ok()
}

/// The host whose repositories an API base serves: `github.com` for `api.github.com`, else the
/// API's own host (GitHub Enterprise: `https://HOST/api`).
fn forge_host(api: &str) -> String {
    let rest = api.split_once("://").map(|(_, r)| r).unwrap_or(api);
    let host = rest
        .split(['/', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if host == "api.github.com" {
        "github.com".into()
    } else {
        host
    }
}

/// Pull-request review data: `aiprov reviews export`
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ReviewsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ReviewsCommand {
    Export(ExportArgs),
}

/// Write review data (JSON Lines) for the AI commits of a range, from GitHub or GitLab
///
/// The format is schemas/review-data.schema.json; GitHub is asked through its GraphQL API,
/// GitLab through its REST API.
///
/// Walks A..B of the local repository, classifies each commit, and asks the forge for the
/// pull/merge requests that brought the AI commits in (every commit with --reviews all):
/// number, URL, author, merged at and by, reviews or approvals, checks or pipeline. GitHub is
/// asked in batches of 50 commits a query; GitLab once per commit, twice more per merged merge
/// request. Each line records the forge it came from ("source"), so the file read back with
/// --review-data --offline gives the same enriched SBOM as the online run. The file feeds
/// --review-data on an air-gapped machine. The token comes from the environment variable
/// --token-env names and is never written anywhere. When any commit cannot be looked up (no
/// access, rate limit, budget, offline cache miss), nothing is written and the exit code is 3:
/// a partial file would make the commits it leaves out read as direct pushes.
/// Exit codes: 0 written; 2 bad input; 3 a lookup failed or the file could not be written.
///
/// Examples:
///   GITHUB_TOKEN=… aiprov reviews export . --range v1.2.0..v1.3.0 -o prs.jsonl
///   aiprov reviews export mirror.git --range v1..v2 --repository https://github.com/o/n -o prs.jsonl
///   GITLAB_TOKEN=… aiprov reviews export . --range v1..v2 --repository https://gitlab.com/g/p -o prs.jsonl
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ExportArgs {
    /// The repository: a work tree, its .git folder or a bare repository
    repo: PathBuf,
    /// The range A..B: commits reachable from B and not from A
    #[arg(long, value_name = "A..B", value_parser = crate::evidence::Range::parse)]
    range: crate::evidence::Range,
    /// Where to write the review data
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// The repository on the forge [default: the repository's remote.origin.url]
    #[arg(long, value_name = "URL")]
    repository: Option<String>,
    /// Which forge's API to ask [default: gitlab for gitlab.com repositories, else github]
    #[arg(long, value_enum, value_name = "KIND")]
    forge: Option<ForgeKind>,
    /// The API base [default: https://api.github.com; https://gitlab.com/api/v4 for GitLab]
    /// (GitHub Enterprise: https://HOST/api; self-managed GitLab: https://HOST/api/v4)
    #[arg(long, value_name = "URL")]
    api: Option<String>,
    /// The environment variable holding the token (its name, never the token)
    /// [default: GITHUB_TOKEN; GITLAB_TOKEN for GitLab]
    #[arg(long, value_name = "NAME")]
    token_env: Option<String>,
    /// Send at most N requests to the forge
    #[arg(long = "max-forge-requests", value_name = "N")]
    max_forge_requests: Option<u64>,
    /// Which commits to look up: the AI commits, or every commit
    #[arg(long, value_enum, default_value_t = Which::Ai)]
    reviews: Which,
    /// aiprov's cache (forge answers under DIR/registry) [default: $XDG_CACHE_HOME/aiprov]
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Answer from the cache only
    #[arg(long)]
    offline: bool,
    /// Extra rule pack (TOML). Repeatable
    #[arg(long = "rules", value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// The configuration file: a `[forges."HOST"]` table gives the repository host's kind, API
    /// base and token variable when the flags do not [default: $XDG_CONFIG_HOME/aiprov/config.toml
    /// when it exists]
    #[arg(long, value_name = "FILE", env = "AIPROV_CONFIG")]
    config: Option<PathBuf>,
}

/// Which commits a review lookup asks about (`--reviews`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// The AI commits only.
    #[default]
    Ai,
    /// Every commit of the range (review-coverage metrics of the whole dependency).
    All,
}

/// The kind of forge API (`--forge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ForgeKind {
    /// GitHub's GraphQL API.
    Github,
    /// GitLab's REST API.
    Gitlab,
}

/// The one place that picks the forge API for a repository host: the flag when given, else
/// `gitlab` for gitlab.com and `github` for every other host.
fn forge_kind(host: &str, flag: Option<ForgeKind>) -> ForgeKind {
    match flag {
        Some(k) => k,
        None if host.eq_ignore_ascii_case("gitlab.com") => ForgeKind::Gitlab,
        None => ForgeKind::Github,
    }
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    match args.command {
        ReviewsCommand::Export(a) => export(a),
    }
}

/// What one forge answered for the commits of an export.
struct Exported {
    requests: Vec<crate::review::PullRequest>,
    /// One message per failure; nothing is written when there is any.
    errors: Vec<String>,
    /// Commits not looked up.
    missed: usize,
    /// Requests sent to the forge.
    sent: u64,
}

fn export(args: ExportArgs) -> Result<u8, Failure> {
    use crate::registry::{Cache, CacheOptions};
    let reads: Vec<&std::path::Path> = args.rules.iter().map(PathBuf::as_path).collect();
    super::refuse_clobber("-o", &args.output, &reads, &[])?;
    let repo = crate::history::Repo::open(&args.repo).map_err(Failure::input)?;
    // Nothing is written inside what the run reads: the git folder, the answer cache.
    let cache_root = args
        .cache_dir
        .clone()
        .or_else(crate::config::default_cache_dir);
    let mut inside: Vec<&Path> = vec![repo.gix().git_dir(), repo.gix().common_dir()];
    inside.extend(cache_root.as_deref());
    super::guard::refuse_inside("-o", &args.output, &inside)?;
    let rules = crate::classify::RuleSet::load(&args.rules).map_err(Failure::input)?;
    let url = match &args.repository {
        Some(u) => u.clone(),
        None => repo
            .gix()
            .config_snapshot()
            .string("remote.origin.url")
            .map(|s| s.to_string())
            .ok_or_else(|| {
                Failure::input(anyhow::anyhow!(
                    "{}: no remote.origin.url; name the forge repository with --repository URL",
                    escape_for_terminal(&args.repo.display().to_string())
                ))
            })?,
    };
    let config = super::config::load(args.config.as_deref())?;
    let (repo_url, _) =
        crate::ident::parse_vcs_url(&url, &config.forge_hosts()).ok_or_else(|| {
            Failure::input(anyhow::anyhow!(
                "{}: not a forge repository URL",
                escape_for_terminal(&url)
            ))
        })?;
    let label = args.repo.display().to_string();
    let e = crate::evidence::collect(&repo, &label, &args.range, &rules).map_err(Failure::from)?;
    let commits: Vec<String> = e
        .records
        .iter()
        .filter(|r| args.reviews == Which::All || r.is_ai())
        .map(|r| r.commit.clone())
        .collect();
    let cache_opts = CacheOptions {
        offline: args.offline,
        ..CacheOptions::default()
    };
    let cache = match &cache_root {
        Some(d) => Cache::new(d, cache_opts),
        None => Cache::disabled(cache_opts),
    };
    let repository = repo_url.to_string();
    // The flags first, then the host's `[forges."HOST"]` table, then the public defaults.
    let configured = config.forges.get(&repo_url.host);
    let kind = match (args.forge, configured.map(|f| f.kind)) {
        (Some(k), _) => k,
        (None, Some(crate::ident::ForgeKind::Github)) => ForgeKind::Github,
        (None, Some(crate::ident::ForgeKind::Gitlab)) => ForgeKind::Gitlab,
        (None, Some(other)) => {
            return Err(Failure::input(anyhow::anyhow!(
                "{}: aiprov has no review client for {other:?} forges (GitHub and GitLab only); \
                 give --forge github|gitlab if the host serves one of those APIs",
                escape_for_terminal(&repo_url.host)
            )))
        }
        (None, None) => forge_kind(&repo_url.host, None),
    };
    let mut args = args;
    if let Some(f) = configured {
        args.api.get_or_insert_with(|| f.api.clone());
        if let Some(t) = &f.token_env {
            args.token_env.get_or_insert_with(|| t.clone());
        }
    }
    let got = match kind {
        ForgeKind::Github => export_github(&args, &cache, &repository, &repo_url, &commits)?,
        ForgeKind::Gitlab => export_gitlab(&args, &cache, &repository, &repo_url, &commits),
    };
    let forge = match kind {
        ForgeKind::Github => "GitHub",
        ForgeKind::Gitlab => "GitLab",
    };
    if !got.errors.is_empty() {
        for err in &got.errors {
            say!("aiprov: {}", escape_for_terminal(err));
        }
        say!(
            "aiprov: {} of {} commit(s) were not looked up; nothing written",
            got.missed,
            commits.len()
        );
        return Ok(super::EXIT_RUNTIME);
    }
    let mut requests = got.requests;
    requests.sort_by_key(|r| r.number);
    let mut text = String::new();
    for r in &requests {
        // review::data serializes plainly; C1 and bidi characters escaped here (SafeJson).
        text.push_str(&crate::text::escape_json_text(&data::to_line(r)));
        text.push('\n');
    }
    super::output::write_output(Some(&args.output), "review data", text.as_bytes())?;
    say!(
        "aiprov: {} pull request(s) for {} commit(s) of {} written to {} ({} request(s) to {forge})",
        requests.len(),
        commits.len(),
        escape_for_terminal(&repository),
        escape_for_terminal(&args.output.display().to_string()),
        got.sent
    );
    Ok(super::EXIT_OK)
}

fn export_github(
    args: &ExportArgs,
    cache: &crate::registry::Cache,
    repository: &str,
    url: &crate::ident::RepoUrl,
    commits: &[String],
) -> Result<Exported, Failure> {
    use crate::forge::github::{Github, Options};
    let opts = Options {
        api: args
            .api
            .clone()
            .unwrap_or_else(|| "https://api.github.com".into()),
        token_env: Some(
            args.token_env
                .clone()
                .unwrap_or_else(|| "GITHUB_TOKEN".into()),
        ),
        max_requests: args.max_forge_requests,
        ..Options::default()
    };
    let github = Github::new(opts, Some(cache)).map_err(Failure::runtime)?;
    let answer = github.lookup(repository, &url.owner, &url.name, commits);
    Ok(Exported {
        missed: commits.len() - answer.answered.len(),
        errors: answer.errors.iter().map(ToString::to_string).collect(),
        requests: answer.requests,
        sent: github.requests_sent(),
    })
}

/// GitLab: one lookup per commit (cached as in `enrich`); the first failure ends the export
/// (nothing is written then), as does the request budget.
fn export_gitlab(
    args: &ExportArgs,
    cache: &crate::registry::Cache,
    repository: &str,
    url: &crate::ident::RepoUrl,
    commits: &[String],
) -> Exported {
    use crate::forge::gitlab;
    let api = args
        .api
        .clone()
        .unwrap_or_else(|| "https://gitlab.com/api/v4".into());
    let token_env = args
        .token_env
        .clone()
        .unwrap_or_else(|| "GITLAB_TOKEN".into());
    let mut out = Exported {
        requests: Vec::new(),
        errors: Vec::new(),
        missed: 0,
        sent: 0,
    };
    let Some(http) = gitlab_http(&api, &token_env) else {
        out.errors
            .push("GitLab: the HTTP client could not be built".into());
        out.missed = commits.len();
        return out;
    };
    let path = format!("{}/{}", url.owner, url.name);
    for (i, c) in commits.iter().enumerate() {
        if let Some(m) = args.max_forge_requests.filter(|m| out.sent >= *m) {
            out.errors.push(format!(
                "the forge request budget ({m}) is spent; the remaining commits were not looked up"
            ));
            out.missed = commits.len() - i;
            break;
        }
        match gitlab::merge_requests_cached(&http, cache, &api, repository, &path, c) {
            Ok((rs, from_cache)) => {
                if !from_cache {
                    out.sent += 1 + 2 * rs.iter().filter(|r| r.merged_at.is_some()).count() as u64;
                }
                crate::forge::github::merge_into(&mut out.requests, rs);
            }
            Err(e) => {
                out.sent += 1;
                out.errors.push(e.to_string());
                out.missed = commits.len() - i;
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each configured github/gitlab host gets its own client at its own API; a flag given on
    /// the command line wins on its host, a flag at its default gives way; gitea has no client.
    #[test]
    fn one_target_per_configured_host() {
        let cfg = crate::config::FileConfig::from_toml(
            "c.toml",
            "[forges.\"ghe.example.com\"]\nkind = \"github\"\ntoken-env = \"GHE_TOKEN\"\n\
             [forges.\"gitlab.example.com\"]\nkind = \"gitlab\"\n\
             [forges.\"github.com\"]\napi = \"https://gh-proxy.example.com\"\n\
             [forges.\"gitea.example.com\"]\nkind = \"gitea\"\n",
        )
        .unwrap();
        let t = |host: &str, api: &str, env: &str, gitlab: bool| ForgeTarget {
            host: host.into(),
            api: api.into(),
            token_env: env.into(),
            gitlab,
        };
        let defaults = ForgeArgs {
            forge_reviews: true,
            github_api: "https://api.github.com".into(),
            github_token_env: "GITHUB_TOKEN".into(),
            gitlab_api: "https://gitlab.com/api/v4".into(),
            gitlab_token_env: "GITLAB_TOKEN".into(),
            ..ForgeArgs::default()
        };
        assert_eq!(
            defaults.targets(&cfg.forges),
            [
                t(
                    "ghe.example.com",
                    "https://ghe.example.com/api",
                    "GHE_TOKEN",
                    false
                ),
                t(
                    "github.com",
                    "https://gh-proxy.example.com",
                    "GITHUB_TOKEN",
                    false
                ),
                t(
                    "gitlab.example.com",
                    "https://gitlab.example.com/api/v4",
                    "GITLAB_TOKEN",
                    true
                ),
                t(
                    "gitlab.com",
                    "https://gitlab.com/api/v4",
                    "GITLAB_TOKEN",
                    true
                ),
            ]
        );
        let flags = ForgeArgs {
            github_api: "https://api.example.net".into(),
            github_host: Some("github.com".into()),
            ..defaults
        };
        let targets = flags.targets(&cfg.forges);
        let want = t(
            "github.com",
            "https://api.example.net",
            "GITHUB_TOKEN",
            false,
        );
        assert_eq!(
            targets
                .iter()
                .filter(|t| t.host == "github.com")
                .collect::<Vec<_>>(),
            [&want],
            "the flag wins on its host"
        );
        assert_eq!(targets.len(), 4);
    }
}
