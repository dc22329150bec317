//! The mirror cache: bare, commit-only clones under `CACHE/mirrors/<host>/<owner>/<name>.git`
//! (the same layout as `--mirror-dir`), fetched again on later runs.
//!
//! - **Commits only**: `git clone --bare --filter=tree:0` (git falls back to a full clone when the
//!   server does not allow filters); the history walk needs commits, never trees or blobs.
//! - **Refs**: branches, tags and `refs/notes/ai` (git-ai notes, fetched whole from a second,
//!   unfiltered remote: notes are trees and blobs, which a commit-only clone leaves out).
//! - **One clone per repository**: a file lock (`<name>.git.lock`, `flock`, released by the OS
//!   if the process dies) serializes every clone or fetch of one repository across threads and
//!   processes; a clone is made in a temporary folder beside the mirror and renamed into place
//!   only when complete, so a mirror that exists is whole.
//! - **Offline**: never runs git; answers from the mirrors already there.
//!
//! This uses the `git` program, not gix: gix cannot yet make partial (`--filter`) clones. Every
//! call has a fixed argument vector, `--` before the URL, `GIT_TERMINAL_PROMPT=0`, no stdin, a
//! timeout, and transports limited to https, ssh and git (`protocol.allow=never` plus
//! per-protocol `always`, and `GIT_ALLOW_PROTOCOL`): never `ext::`, never `fd::`, and `file://`
//! only for URLs the user wrote (repo map, configured remotes), never for one from an SBOM or a
//! registry.
//!
//! **The cache is untrusted** (issue 15): git runs with system and global config off
//! (`GIT_CONFIG_NOSYSTEM=1`, `GIT_CONFIG_GLOBAL=/dev/null`) and hooks off
//! (`core.hooksPath=/dev/null`); every fetch names the URL and the refspecs on the command line,
//! so the remotes recorded in a mirror's config are never used; a mirror whose config holds a
//! key aiprov did not write, a hook, alternates or a symbolic link is refused by name
//! ([`policy`]); temporary clones and lock files carry a `+`, which no repository name holds.
//! A host taken from a document must not resolve to a private address
//! ([`crate::registry::addr`]). Credentials for private forges come from `GIT_SSH_COMMAND` /
//! ssh-agent or a configured remote, not from the global git config.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::registry::http::redact_in_text;
use crate::resolve::{parse_repo_url, redact_credentials, ForgeHosts, RepoUrl, FORGES};
use crate::text::{bounded, ECHO_LIMIT};

pub mod policy;

/// The marker file whose modification time records the last successful fetch.
const STAMP: &str = "aiprov-fetched";
/// The unfiltered remote that brings `refs/notes/ai`.
const NOTES_REMOTE: &str = "aiprov-notes";
/// The refspecs fetched from the repository's URL (always named on the command line).
const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
/// The refspec of git-ai notes (fetched unfiltered; the glob makes a repository without notes
/// no error).
const NOTES_REFSPEC: &str = "+refs/notes/ai*:refs/notes/ai*";

/// Where a repository URL came from, which decides whether `file://` is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// Written by the user (repo map, configuration file): `file://` allowed.
    User,
    /// Taken from an SBOM, a lockfile or a registry answer: https, ssh and git only.
    Document,
}

/// How to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// The cache folder; mirrors live in `cache_dir/mirrors`.
    pub cache_dir: PathBuf,
    /// Never run git; use the mirrors already there.
    pub offline: bool,
    /// Forge host → base URL to clone from instead of `https://<host>` (a mirror, a test
    /// server): `github.com` → `git://127.0.0.1:9418/github.com` clones
    /// `git://127.0.0.1:9418/github.com/<owner>/<name>.git`. These come from the user's
    /// configuration, so they count as [`Trust::User`].
    pub remotes: BTreeMap<String, String>,
    /// Longest time one clone or fetch may take.
    pub timeout: Duration,
    /// A mirror fetched less than this long ago is not fetched again.
    pub fresh_for: Duration,
    /// The git program.
    pub git: PathBuf,
    /// Ask for a commit-only clone (`--filter=tree:0`).
    pub filter: bool,
    /// The hosts repositories are fetched from: the public forges and the configured
    /// `[forges."HOST"]` (plus any host of [`FetchOptions::remotes`]). A repository on another
    /// host, named by an SBOM, is refused ([`may_fetch`]).
    pub hosts: ForgeHosts,
}

impl FetchOptions {
    /// Defaults for a cache folder: online, 10 minutes per fetch, fetch again after 10 minutes.
    pub fn new(cache_dir: impl Into<PathBuf>) -> FetchOptions {
        FetchOptions {
            cache_dir: cache_dir.into(),
            offline: false,
            remotes: BTreeMap::new(),
            timeout: Duration::from_secs(600),
            fresh_for: Duration::from_secs(600),
            git: PathBuf::from("git"),
            filter: true,
            hosts: ForgeHosts::default(),
        }
    }

    /// Defaults for `cache_dir`, with the configuration file's `[git]` remotes and timeout.
    pub fn from_config(
        cache_dir: impl Into<PathBuf>,
        cfg: &crate::config::FileConfig,
    ) -> FetchOptions {
        let mut o = FetchOptions::new(cache_dir);
        o.remotes = cfg.git_remotes.clone();
        o.hosts = cfg.forge_hosts();
        if let Some(t) = cfg.git_timeout {
            o.timeout = t;
        }
        o
    }

    /// `cache_dir/mirrors`.
    pub fn mirrors_dir(&self) -> PathBuf {
        self.cache_dir.join("mirrors")
    }
}

/// What [`ensure_mirror`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new mirror was cloned.
    Cloned,
    /// An existing mirror was fetched.
    Fetched,
    /// An existing mirror was fetched recently enough ([`FetchOptions::fresh_for`]).
    Fresh,
    /// Offline: the existing mirror is used as it is.
    Offline,
}

/// A mirror ready to walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// The bare repository.
    pub path: PathBuf,
    /// What was done to it.
    pub action: Action,
}

/// Why no mirror is available. URLs are credential-free.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// Offline and not mirrored yet.
    #[error("{url}: not in the mirror cache and --offline forbids fetching")]
    Offline {
        /// The repository.
        url: String,
    },
    /// The URL is refused (transport, shape, credentials).
    #[error("{url}: refused: {reason}")]
    Refused {
        /// The URL, redacted and bounded.
        url: String,
        /// Why.
        reason: String,
    },
    /// git failed.
    #[error("{url}: git {action} failed: {message}")]
    Git {
        /// The repository.
        url: String,
        /// `clone` or `fetch`.
        action: &'static str,
        /// git's last error lines (redacted), or the exit status.
        message: String,
    },
    /// git took longer than [`FetchOptions::timeout`].
    #[error("{url}: git {action} took longer than {secs} s; stopped")]
    Timeout {
        /// The repository.
        url: String,
        /// `clone` or `fetch`.
        action: &'static str,
        /// The limit.
        secs: u64,
    },
    /// The cache folder could not be used.
    #[error("{}: {what}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What we were doing.
        what: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// The URL to clone `repo` from: a configured remote base, else `https://<host>/<owner>/<name>.git`.
/// Returns the URL and whether it came from the user's configuration.
pub fn remote_url(repo: &RepoUrl, opts: &FetchOptions) -> (String, Trust) {
    match opts.remotes.get(&repo.host) {
        Some(base) => (
            format!(
                "{}/{}/{}.git",
                base.trim_end_matches('/'),
                repo.owner,
                repo.name
            ),
            Trust::User,
        ),
        None => (
            format!("https://{}/{}/{}.git", repo.host, repo.owner, repo.name),
            Trust::Document,
        ),
    }
}

/// The mirror of `repo` in the first of `mirror_dirs` that has it (read-only, e.g.
/// `--mirror-dir`), else in the cache; `None` when neither has one.
pub fn locate(repo: &RepoUrl, mirror_dirs: &[PathBuf], opts: &FetchOptions) -> Option<PathBuf> {
    mirror_dirs
        .iter()
        .map(|d| repo.mirror_path(d))
        .chain(std::iter::once(repo.mirror_path(&opts.mirrors_dir())))
        .find(|p| is_mirror(p))
}

/// Whether `repo` may be fetched: its host is a public forge, a configured `[forges."HOST"]`
/// or has a configured git remote. Any other host came from SBOM content the user never
/// vouched for: refused with the configuration key that allows it (issue 14).
pub fn may_fetch(repo: &RepoUrl, opts: &FetchOptions) -> Result<(), FetchError> {
    if opts.hosts.is_known(&repo.host) || opts.remotes.contains_key(&repo.host) {
        return Ok(());
    }
    Err(FetchError::Refused {
        url: bounded(&repo.to_string(), ECHO_LIMIT),
        reason: format!(
            "{host} is neither a public forge ({}) nor configured; add [forges.\"{host}\"] (kind = \"gitlab\", \"github\" or \"gitea\") to the configuration to fetch from it",
            FORGES.join(", "),
            host = bounded(&repo.host, ECHO_LIMIT)
        ),
    })
}

/// Make sure the cache holds an up-to-date mirror of `repo`: clone it when absent, fetch when
/// older than [`FetchOptions::fresh_for`]; offline, only look. A host [`may_fetch`] refuses is
/// never contacted; a configured host is trusted like a configured registry (its addresses are
/// not filtered), every other host from a document must not resolve to a private address.
pub fn ensure_mirror(repo: &RepoUrl, opts: &FetchOptions) -> Result<Mirror, FetchError> {
    may_fetch(repo, opts)?;
    let (url, trust) = remote_url(repo, opts);
    let dest = repo.mirror_path(&opts.mirrors_dir());
    let check_addr = trust == Trust::Document && !opts.hosts.is_configured(&repo.host);
    ensure_at(&url, trust, check_addr, &dest, opts)
}

/// [`ensure_mirror`] for a repository the user named (a `--repo-map` URL): fetched whatever
/// its host, and trusted like a configured host (its addresses are not filtered). The URL is
/// still `https://`, `ssh://` or `git://` only ([`check_url`]).
pub fn ensure_user_mirror(repo: &RepoUrl, opts: &FetchOptions) -> Result<Mirror, FetchError> {
    let (url, trust) = remote_url(repo, opts);
    let dest = repo.mirror_path(&opts.mirrors_dir());
    ensure_at(&url, trust, false, &dest, opts)
}

/// Like [`ensure_mirror`] for a URL that is not (or not only) a forge repository. The mirror goes
/// to `mirrors/<host>/<owner>/<name>.git` for a forge URL and `mirrors/<host>[_<port>]/<path>.git`
/// otherwise. `trust` says where the URL came from: `file://` needs [`Trust::User`].
pub fn ensure_mirror_url(
    url: &str,
    trust: Trust,
    opts: &FetchOptions,
) -> Result<Mirror, FetchError> {
    check_url(url, trust)?;
    let dest = match parse_repo_url(url) {
        Some((repo, _)) if !url.to_ascii_lowercase().starts_with("file:") => {
            repo.mirror_path(&opts.mirrors_dir())
        }
        _ => url_mirror_path(url, &opts.mirrors_dir())?,
    };
    ensure_at(url, trust, trust == Trust::Document, &dest, opts)
}

/// Refuse URLs git must not see: other transports (`ext::`, `fd::`, `<helper>::`), options in
/// disguise (`--upload-pack=…`, `-oProxyCommand`), passwords, control characters; `file://`
/// unless the user wrote it; plain http.
pub fn check_url(url: &str, trust: Trust) -> Result<(), FetchError> {
    let refuse = |reason: &str| FetchError::Refused {
        url: bounded(&redact_credentials(url), ECHO_LIMIT),
        reason: reason.into(),
    };
    if url.is_empty() || url.len() > 2048 {
        return Err(refuse("empty or longer than 2048 bytes"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse("contains spaces or control characters"));
    }
    if url.starts_with('-') {
        return Err(refuse("looks like a command-line option"));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        if url.contains("::") {
            return Err(refuse(
                "remote-helper transports (<transport>::<address>, ext::, fd::) are never used",
            ));
        }
        return Err(refuse("not an https://, ssh:// or git:// URL"));
    };
    if scheme.contains("::") || scheme.contains(':') {
        return Err(refuse(
            "remote-helper transports (<transport>::<address>, ext::, fd::) are never used",
        ));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" | "ssh" | "git" => {}
        "file" if trust == Trust::User => {}
        "file" => return Err(refuse("file:// URLs are used only from the repo map or the configuration, never from an SBOM or a registry")),
        "http" => return Err(refuse("plain http is not used; use https")),
        _ => return Err(refuse("only https://, ssh:// and git:// URLs are fetched")),
    }
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        if userinfo.contains(':') {
            return Err(refuse(
                "a password in the URL is never used or stored; use a git credential helper",
            ));
        }
        if scheme != "ssh" {
            return Err(refuse("a user name in the URL is used only with ssh://"));
        }
    }
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('-') || (scheme != "file" && host.is_empty()) {
        return Err(refuse("not a valid host"));
    }
    Ok(())
}

/// `mirrors/<host>[_<port>]/<segments>.git` for a non-forge URL, with every segment checked.
fn url_mirror_path(url: &str, mirrors: &Path) -> Result<PathBuf, FetchError> {
    let refuse = |reason: &str| FetchError::Refused {
        url: bounded(&redact_credentials(url), ECHO_LIMIT),
        reason: reason.into(),
    };
    let (_, rest) = url.split_once("://").ok_or_else(|| refuse("not a URL"))?;
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_ascii_lowercase();
    let host = if host.is_empty() {
        "localhost".to_string()
    } else {
        host.replace(':', "_")
    };
    let mut segs: Vec<String> = vec![host];
    segs.extend(
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    );
    if segs.len() < 2 {
        return Err(refuse("no repository path"));
    }
    let ok = |s: &str| {
        s != "."
            && s != ".."
            && !s.is_empty()
            && s.len() <= 100
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    if !segs.iter().all(|s| ok(s)) {
        return Err(refuse("the path has segments that cannot be a folder name"));
    }
    let last = segs.pop().expect("at least two segments");
    let last = last.strip_suffix(".git").unwrap_or(&last).to_string();
    let mut p = mirrors.to_path_buf();
    for s in segs {
        p.push(s);
    }
    p.push(format!("{last}.git"));
    Ok(p)
}

/// A complete mirror: renamed into place only after a successful clone.
fn is_mirror(p: &Path) -> bool {
    p.join("HEAD").is_file() && p.join("objects").is_dir()
}

fn io<'a>(path: &'a Path, what: &'static str) -> impl FnOnce(std::io::Error) -> FetchError + 'a {
    move |source| FetchError::Io {
        path: path.to_path_buf(),
        what,
        source,
    }
}

fn ensure_at(
    url: &str,
    trust: Trust,
    check_addr: bool,
    dest: &Path,
    opts: &FetchOptions,
) -> Result<Mirror, FetchError> {
    check_url(url, trust)?;
    let shown = bounded(&redact_credentials(url), ECHO_LIMIT);
    if opts.offline {
        return if is_mirror(dest) {
            Ok(Mirror {
                path: dest.to_path_buf(),
                action: Action::Offline,
            })
        } else {
            Err(FetchError::Offline { url: shown })
        };
    }
    let refuse = |reason: String| FetchError::Refused {
        url: shown.clone(),
        reason,
    };
    // The cache is untrusted (issue 15): no symbolic link on the way to the mirror, its lock or
    // its temporary clone, and hosts from documents never on private addresses.
    let lock_path = policy::lock_for(dest);
    policy::no_symlink_on_the_way(&opts.cache_dir, dest).map_err(&refuse)?;
    policy::no_symlink_on_the_way(&opts.cache_dir, &lock_path).map_err(&refuse)?;
    if check_addr {
        crate::registry::addr::check_git_url(url).map_err(&refuse)?;
    }
    let parent = dest.parent().expect("mirror paths have a parent");
    std::fs::create_dir_all(parent).map_err(io(parent, "creating the mirror folder"))?;
    policy::no_symlink_on_the_way(&opts.cache_dir, dest).map_err(&refuse)?;
    let lock = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&lock_path)
            .map_err(|e| {
                if std::fs::symlink_metadata(&lock_path).is_ok_and(|m| m.file_type().is_symlink()) {
                    refuse(format!(
                        "{} is a symbolic link; the cache never follows links (remove it)",
                        lock_path.display()
                    ))
                } else {
                    io(&lock_path, "opening the lock file")(e)
                }
            })?
    };
    lock.lock().map_err(io(&lock_path, "locking the mirror"))?;
    // From here on, this process alone works on `dest`.
    let git = Git {
        opts,
        url: &shown,
        trust,
    };
    let action = if is_mirror(dest) {
        policy::check_mirror(dest, url, &opts.git).map_err(&refuse)?;
        if fetched_within(dest, opts.fresh_for) {
            Action::Fresh
        } else {
            fetch_into(&git, url, dest, opts)?;
            Action::Fetched
        }
    } else {
        // Leftovers of a clone that was killed: nobody else can be using them while we hold the
        // lock. Their names hold a `+`, which no repository name can (issue 15, item 6).
        let prefix = policy::temporary_prefix(dest);
        if let Ok(entries) = std::fs::read_dir(parent) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let tmp = policy::temporary_for(dest);
        let result = clone_into(&git, url, &tmp, opts);
        if let Err(e) = result {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, dest).map_err(io(dest, "moving the new mirror into place"))?;
        Action::Cloned
    };
    if matches!(action, Action::Cloned | Action::Fetched) {
        let stamp = dest.join(STAMP);
        let _ = std::fs::remove_file(&stamp);
        std::fs::write(&stamp, b"").map_err(io(dest, "recording the fetch time"))?;
    }
    drop(lock);
    Ok(Mirror {
        path: dest.to_path_buf(),
        action,
    })
}

fn clone_into(git: &Git<'_>, url: &str, tmp: &Path, opts: &FetchOptions) -> Result<(), FetchError> {
    let tmp_s = tmp.display().to_string();
    // `--template=` leaves out git's sample hooks: a mirror aiprov makes has no hooks folder.
    let mut args: Vec<&str> = vec!["clone", "--bare", "--quiet", "--no-local", "--template="];
    if opts.filter {
        args.push("--filter=tree:0");
    }
    args.extend(["--", url, &tmp_s]);
    git.run("clone", &args)?;
    let gd = format!("--git-dir={tmp_s}");
    let set = |k: &str, v: &str| git.run("clone", &[&gd, "config", k, v]);
    // A bare clone sets no fetch refspec: record the refs we keep, so the mirror stays usable
    // by plain git (aiprov itself always names URL and refspecs on the command line).
    git.run(
        "clone",
        &[
            &gd,
            "config",
            "--replace-all",
            "remote.origin.fetch",
            REFSPECS[0],
        ],
    )?;
    git.run(
        "clone",
        &[&gd, "config", "--add", "remote.origin.fetch", REFSPECS[1]],
    )?;
    // Notes live in trees, which a commit-only clone leaves out (and gix does not fetch lazily):
    // a second, unfiltered fetch of the same URL brings refs/notes/ai whole.
    set(&format!("remote.{NOTES_REMOTE}.url"), url)?;
    set(&format!("remote.{NOTES_REMOTE}.fetch"), NOTES_REFSPEC)?;
    set(&format!("remote.{NOTES_REMOTE}.tagOpt"), "--no-tags")?;
    fetch_into(git, url, tmp, opts)
}

/// Fetch branches, tags (commit-only when [`FetchOptions::filter`]) and notes into the mirror
/// at `dir`, naming the URL and the refspecs on the command line: whatever remotes the mirror's
/// config names are never used.
fn fetch_into(git: &Git<'_>, url: &str, dir: &Path, opts: &FetchOptions) -> Result<(), FetchError> {
    let gd = format!("--git-dir={}", dir.display());
    let mut args: Vec<&str> = vec![&gd, "fetch", "--prune", "--quiet", "--no-tags"];
    if opts.filter {
        args.push("--filter=tree:0");
    }
    args.extend(["--", url, REFSPECS[0], REFSPECS[1]]);
    git.run("fetch", &args)?;
    git.run(
        "fetch",
        &[
            &gd,
            "fetch",
            "--prune",
            "--quiet",
            "--no-tags",
            // git remembers the filter under the URL: notes must come whole.
            "--no-filter",
            "--",
            url,
            NOTES_REFSPEC,
        ],
    )
}

fn fetched_within(dest: &Path, window: Duration) -> bool {
    if window.is_zero() {
        return false;
    }
    std::fs::metadata(dest.join(STAMP))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age < window)
}

struct Git<'a> {
    opts: &'a FetchOptions,
    url: &'a str,
    trust: Trust,
}

impl Git<'_> {
    fn run(&self, action: &'static str, args: &[&str]) -> Result<(), FetchError> {
        let protocols = if self.trust == Trust::User {
            "https:ssh:git:file"
        } else {
            "https:ssh:git"
        };
        let mut cmd = Command::new(&self.opts.git);
        cmd.args([
            "-c",
            "protocol.allow=never",
            "-c",
            "protocol.https.allow=always",
            "-c",
            "protocol.ssh.allow=always",
            "-c",
            "protocol.git.allow=always",
        ]);
        if self.trust == Trust::User {
            cmd.args(["-c", "protocol.file.allow=always"]);
        }
        cmd.args(["-c", "core.askPass=", "-c", "credential.interactive=never"]);
        // No hook runs, whatever a mirror holds (the mirror check refuses hooks as well).
        cmd.args(["-c", "core.hooksPath=/dev/null"]);
        cmd.args(args);
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            "GIT_COMMON_DIR",
            "GIT_NAMESPACE",
            "GIT_CONFIG_PARAMETERS",
            "GIT_CONFIG_COUNT",
            "GIT_ASKPASS",
            "SSH_ASKPASS",
        ] {
            cmd.env_remove(var);
        }
        // System and global config off (issue 15): only the flags above and the mirror's own
        // config, which `policy::check_mirror` reads first, apply.
        cmd.env_remove("GIT_CONFIG")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ALLOW_PROTOCOL", protocols)
            .env("GCM_INTERACTIVE", "never");
        if std::env::var_os("GIT_SSH_COMMAND").is_none() && std::env::var_os("GIT_SSH").is_none() {
            cmd.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| FetchError::Git {
            url: self.url.into(),
            action,
            message: format!("cannot run {}: {e}", self.opts.git.display()),
        })?;
        let mut stderr = child.stderr.take().expect("piped");
        let reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut buf);
            // Drain the rest so git never blocks on a full pipe.
            let _ = std::io::copy(&mut stderr, &mut std::io::sink());
            buf
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if started.elapsed() > self.opts.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let _ = reader.join();
                    return Err(FetchError::Timeout {
                        url: self.url.into(),
                        action,
                        secs: self.opts.timeout.as_secs(),
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => {
                    return Err(FetchError::Git {
                        url: self.url.into(),
                        action,
                        message: format!("waiting for git: {e}"),
                    })
                }
            }
        };
        let err = reader.join().unwrap_or_default();
        if status.success() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&err);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("warning: filtering not recognized"))
            .collect();
        let tail = lines[lines.len().saturating_sub(2)..].join(" / ");
        let message = if tail.is_empty() {
            format!("exit status {status}")
        } else {
            tail
        };
        Err(FetchError::Git {
            url: self.url.into(),
            action,
            message: bounded(&redact_in_text(&message), 2 * ECHO_LIMIT),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str, trust: Trust) -> String {
        match check_url(url, trust) {
            Err(FetchError::Refused { reason, .. }) => reason,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn hostile_urls_are_refused_before_git_runs() {
        assert!(refused("--upload-pack=touch /tmp/x", Trust::User).contains("spaces"));
        assert!(refused("--upload-pack=touch%20/tmp/x", Trust::User).contains("option"));
        assert!(refused("ext::sh -c touch% /tmp/x", Trust::User).contains("spaces"));
        assert!(refused("ext::sh%20-c%20touch", Trust::User).contains("remote-helper"));
        assert!(refused("fd::3", Trust::User).contains("remote-helper"));
        assert!(refused("file:///etc", Trust::Document).contains("file://"));
        assert!(check_url("file:///srv/repos/x.git", Trust::User).is_ok());
        assert!(refused("http://github.com/o/r", Trust::Document).contains("https"));
        assert!(refused("ssh://-oProxyCommand=touch/x", Trust::Document).contains("host"));
        assert!(refused("https://git@github.com/o/r", Trust::Document).contains("ssh://"));
        assert!(check_url("ssh://git@github.com/o/r.git", Trust::Document).is_ok());
        assert!(check_url("https://github.com/o/r.git", Trust::Document).is_ok());
        let e = check_url("https://user:tok3n@github.com/o/r", Trust::Document)
            .unwrap_err()
            .to_string();
        assert!(!e.contains("tok3n") && !e.contains("user"), "{e}");
        assert_eq!(e, "https://github.com/o/r: refused: a password in the URL is never used or stored; use a git credential helper");
    }

    #[test]
    fn refused_urls_have_no_side_effect() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("x");
        let opts = FetchOptions::new(dir.path().join("cache"));
        for url in [
            format!("--upload-pack=touch {}", marker.display()),
            format!("ext::sh -c touch% {}", marker.display()),
            format!("ext::sh%20-c%20touch%20{}", marker.display()),
            "file:///etc".to_string(),
            "https://user:token@example.com/x".to_string(),
        ] {
            let e = ensure_mirror_url(&url, Trust::Document, &opts).unwrap_err();
            assert!(matches!(e, FetchError::Refused { .. }), "{url}: {e}");
            assert!(!e.to_string().contains("token"));
        }
        assert!(!marker.exists());
        assert!(!dir.path().join("cache").exists(), "nothing was created");
    }

    #[test]
    fn mirror_paths() {
        let m = Path::new("/c/mirrors");
        assert_eq!(
            url_mirror_path("git://127.0.0.1:9418/a/b.git", m).unwrap(),
            Path::new("/c/mirrors/127.0.0.1_9418/a/b.git")
        );
        assert_eq!(
            url_mirror_path("file:///srv/r", m).unwrap(),
            Path::new("/c/mirrors/localhost/srv/r.git")
        );
        assert!(url_mirror_path("https://h/../x", m).is_err());
        assert!(url_mirror_path("https://h", m).is_err());
        let repo = parse_repo_url("https://github.com/Owner/Name").unwrap().0;
        let mut o = FetchOptions::new("/c");
        assert_eq!(
            remote_url(&repo, &o),
            ("https://github.com/Owner/Name.git".into(), Trust::Document)
        );
        o.remotes
            .insert("github.com".into(), "git://127.0.0.1:1/github.com/".into());
        assert_eq!(
            remote_url(&repo, &o),
            (
                "git://127.0.0.1:1/github.com/Owner/Name.git".into(),
                Trust::User
            )
        );
    }
}
