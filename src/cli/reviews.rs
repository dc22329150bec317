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
    /// request per AI commit, two more per merged merge request; no cache yet)
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

impl ForgeArgs {
    /// Look up the AI commits of `repos` (repository → commit ids) on GitHub and add what was
    /// answered to `index`; notes (errors, requests sent) go to stderr. Repositories on other
    /// hosts are left alone (their AI commits stay unknown).
    pub fn look_up(
        &self,
        repos: &[(String, Vec<String>)],
        cache: &crate::registry::Cache,
        index: &mut ReviewIndex,
    ) {
        use crate::forge::github::{Github, Options};
        use crate::review::Source;
        if !self.forge_reviews {
            return;
        }
        let host = self
            .github_host
            .clone()
            .map(|h| h.to_ascii_lowercase())
            .unwrap_or_else(|| forge_host(&self.github_api));
        let opts = Options {
            api: self.github_api.clone(),
            token_env: Some(self.github_token_env.clone()),
            max_requests: self.max_forge_requests,
            ..Options::default()
        };
        let github = match Github::new(opts, Some(cache)) {
            Ok(g) => g,
            Err(e) => {
                say!("aiprov: reviews: {}", escape_for_terminal(&e.to_string()));
                return;
            }
        };
        let (mut asked, mut answered) = (0usize, 0usize);
        // GitHub's GraphQL API answers nobody without a token: say so once instead of asking
        // (unless the cache can answer: offline runs need no token).
        let tokenless = !github.has_token() && !cache.opts.offline;
        for (repository, commits) in repos {
            let Some((url, _)) = crate::resolve::parse_repo_url(repository) else {
                continue;
            };
            if url.host != host || commits.is_empty() {
                continue;
            }
            if tokenless {
                asked += commits.len();
                continue;
            }
            let answer = github.lookup(repository, &url.owner, &url.name, commits);
            asked += commits.len();
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
                escape_for_terminal(&self.github_token_env),
                escape_for_terminal(&host)
            );
        } else if asked > 0 {
            say!(
                "aiprov: reviews: {answered} of {asked} AI commit(s) looked up on {} ({} request(s))",
                escape_for_terminal(&host),
                github.requests_sent()
            );
        }
        self.look_up_gitlab(repos, github.requests_sent(), cache, index);
    }

    /// The GitLab part of [`ForgeArgs::look_up`]: per AI commit, its merge requests; a failure
    /// leaves the commit unknown and ends the repository's lookups.
    fn look_up_gitlab(
        &self,
        repos: &[(String, Vec<String>)],
        sent: u64,
        cache: &crate::registry::Cache,
        index: &mut ReviewIndex,
    ) {
        use crate::forge::gitlab;
        use crate::registry::{Http, HttpConfig};
        use crate::review::Source;
        let host = self
            .gitlab_host
            .clone()
            .map(|h| h.to_ascii_lowercase())
            .unwrap_or_else(|| forge_host(&self.gitlab_api));
        let api_host = forge_host(&self.gitlab_api);
        let mut cfg = HttpConfig::default();
        cfg.tokens.insert(api_host, self.gitlab_token_env.clone());
        // The API base is the user's (flag or configuration), so its address is not filtered
        // like hosts that come from SBOM content (README, trust model).
        if let Some(entry) = crate::registry::addr::trusted_entry(&self.gitlab_api) {
            cfg.trusted_hosts.insert(entry);
        }
        let Ok(http) = Http::new(cfg) else { return };
        let mut requests = sent;
        let (mut asked, mut answered) = (0usize, 0usize);
        'repos: for (repository, commits) in repos {
            let Some((url, _)) = crate::resolve::parse_repo_url(repository) else {
                continue;
            };
            if url.host != host {
                continue;
            }
            let path = format!("{}/{}", url.owner, url.name);
            asked += commits.len();
            for c in commits {
                if self.max_forge_requests.is_some_and(|m| requests >= m) {
                    say!("aiprov: reviews: the forge request budget is spent; the remaining commits were not looked up");
                    break 'repos;
                }
                match gitlab::merge_requests_cached(
                    &http,
                    cache,
                    &self.gitlab_api,
                    repository,
                    &path,
                    c,
                ) {
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
                escape_for_terminal(&host)
            );
        }
    }
}

impl crate::pipeline::ReviewLookup for ForgeArgs {
    /// [`ForgeArgs::look_up`] with `[forges."HOST"]` applied where the flags are at their
    /// defaults.
    fn look_up(
        &self,
        forges: &std::collections::BTreeMap<String, crate::config::ForgeConfig>,
        repos: &[(String, Vec<String>)],
        cache: &crate::registry::Cache,
        index: &mut ReviewIndex,
    ) {
        let mut f = self.clone();
        f.apply_config(forges);
        ForgeArgs::look_up(&f, repos, cache, index);
    }
}

impl ForgeArgs {
    /// Take `[forges."HOST"]` from the configuration file for what the flags leave at their
    /// defaults (flags win).
    pub fn apply_config(
        &mut self,
        forges: &std::collections::BTreeMap<String, crate::config::ForgeConfig>,
    ) {
        for (host, f) in forges {
            if f.gitlab {
                if self.gitlab_api == "https://gitlab.com/api/v4" && self.gitlab_host.is_none() {
                    self.gitlab_api = f.api.clone();
                    self.gitlab_host = Some(host.clone());
                    if let Some(t) = &f.token_env {
                        if self.gitlab_token_env == "GITLAB_TOKEN" {
                            self.gitlab_token_env = t.clone();
                        }
                    }
                }
            } else if self.github_api == "https://api.github.com" && self.github_host.is_none() {
                self.github_api = f.api.clone();
                self.github_host = Some(host.clone());
                if let Some(t) = &f.token_env {
                    if self.github_token_env == "GITHUB_TOKEN" {
                        self.github_token_env = t.clone();
                    }
                }
            }
        }
    }
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

/// Write review data (JSON Lines, schemas/review-data.schema.json) for the AI commits of a range,
/// from GitHub's GraphQL API
///
/// Walks A..B of the local repository, classifies each commit, and asks GitHub, in batches of 50
/// commits a query, for the pull requests that brought the AI commits in (every commit with
/// --reviews all): number, URL, author, merged at and by, reviews, head-commit checks. The file
/// feeds --review-data on an air-gapped machine. The token comes from the environment variable
/// --token-env names and is never written anywhere. When any commit cannot be looked up (no
/// access, rate limit, budget, offline cache miss), nothing is written and the exit code is 3:
/// a partial file would make the commits it leaves out read as direct pushes.
/// Exit codes: 0 written; 2 bad input; 3 a lookup failed or the file could not be written.
///
/// Examples:
///   GITHUB_TOKEN=… aiprov reviews export . --range v1.2.0..v1.3.0 -o prs.jsonl
///   aiprov reviews export mirror.git --range v1..v2 --repository https://github.com/o/n -o prs.jsonl
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
    /// The repository on GitHub [default: the repository's remote.origin.url]
    #[arg(long, value_name = "URL")]
    repository: Option<String>,
    /// The GitHub API base (GitHub Enterprise: https://HOST/api)
    #[arg(long, value_name = "URL", default_value = "https://api.github.com")]
    api: String,
    /// The environment variable holding the token (its name, never the token)
    #[arg(long, value_name = "NAME", default_value = "GITHUB_TOKEN")]
    token_env: String,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Which {
    Ai,
    All,
}

pub(super) fn run(args: Args) -> Result<u8, Failure> {
    match args.command {
        ReviewsCommand::Export(a) => export(a),
    }
}

fn export(args: ExportArgs) -> Result<u8, Failure> {
    use crate::forge::github::{Github, Options};
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
                    "{}: no remote.origin.url; name the GitHub repository with --repository URL",
                    escape_for_terminal(&args.repo.display().to_string())
                ))
            })?,
    };
    let (repo_url, _) = crate::resolve::parse_repo_url(&url).ok_or_else(|| {
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
    let cache_dir = args
        .cache_dir
        .clone()
        .or_else(crate::config::default_cache_dir);
    let cache_opts = CacheOptions {
        offline: args.offline,
        ..CacheOptions::default()
    };
    let cache = match &cache_dir {
        Some(d) => Cache::new(d, cache_opts),
        None => Cache::disabled(cache_opts),
    };
    let opts = Options {
        api: args.api.clone(),
        token_env: Some(args.token_env.clone()),
        max_requests: args.max_forge_requests,
        ..Options::default()
    };
    let github = Github::new(opts, Some(&cache)).map_err(Failure::runtime)?;
    let repository = repo_url.to_string();
    let answer = github.lookup(&repository, &repo_url.owner, &repo_url.name, &commits);
    if !answer.errors.is_empty() {
        for err in &answer.errors {
            say!("aiprov: {}", escape_for_terminal(&err.to_string()));
        }
        say!(
            "aiprov: {} of {} commit(s) were not looked up; nothing written",
            commits.len() - answer.answered.len(),
            commits.len()
        );
        return Ok(super::EXIT_RUNTIME);
    }
    let mut requests = answer.requests.clone();
    requests.sort_by_key(|r| r.number);
    let mut text = String::new();
    for r in &requests {
        text.push_str(&data::to_line(r));
        text.push('\n');
    }
    super::output::write_output(Some(&args.output), "review data", text.as_bytes())?;
    say!(
        "aiprov: {} pull request(s) for {} commit(s) of {} written to {} ({} request(s) to GitHub)",
        answer.requests.len(),
        commits.len(),
        escape_for_terminal(&repository),
        escape_for_terminal(&args.output.display().to_string()),
        github.requests_sent()
    );
    Ok(super::EXIT_OK)
}
