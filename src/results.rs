//! The results store, `CACHE/results/v1/`: what finished walks found, so that a re-run (or the
//! assembling run of a sharded batch) skips them. Untrusted input like every cache: bounded
//! reads, no symbolic links followed, every entry checksummed and its key repeated inside.
//!
//! Layout (all names are lower-case hex, so no entry can be mistaken for a temporary file,
//! which starts with `.tmp-`):
//!
//! ```text
//! CACHE/results/v1/walk/<ab>/<sha256 of the key>      one walk's counts (+ the evidence digest)
//! CACHE/results/v1/group/<ab>/<sha256 of the key>     a repository's distinct-commit totals
//! CACHE/results/v1/revision/<ab>/<sha256 of the key>  how one component's revision was resolved
//! CACHE/results/v1/evidence/<ab>/<sha256 of the body> a walk's evidence lines (content-addressed)
//! ```
//!
//! Every file is `aiprov-results <version> <kind> <payload bytes> sha256:<hex of payload>\n`
//! followed by the payload, a JSON object `{"key": …, "value": …}` (evidence files: JSON Lines
//! of [`CommitEvidence`]). A file whose header, length, checksum, JSON or key does not match is
//! *corrupt*: it is reported (a `tracing` warning, "results store: entry … corrupt,
//! recomputed") and read as a miss, never trusted; the recomputed entry replaces it. Files are
//! written to a temporary name in the same folder and renamed into place, so readers see a
//! whole entry or none, concurrent writers of one key both write complete (equal) entries, and
//! two stores merged by copying (`cp -r`, a bucket sync) are one valid store: every entry is a
//! file of its own and equal keys hold equal values.
//!
//! A checksum detects damage, not a malicious writer: every value read must also be
//! [`Plausible`] (totals that add up, bounded counts and strings, slug tool names, an `sbom`
//! revision equal to its pin); one that is not is reported "… implausible (…), recomputed" and
//! handled like a corrupt one. Plausible is not proven: a forged entry within the bounds is
//! believed (README, "Trust model").
//!
//! Keys are JSON texts built by the callers ([`crate::enrich`]) from the canonical repository
//! URL, the resolved commit id, `--since`, and the rule set's digest
//! ([`crate::classify::RuleSet::digest`]): a rule change misses every walk entry, as it must.
//! Runs with review data or forge reviews do not use walk entries (their counts depend on
//! answers outside the key).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::aggregate::{Counts, ReviewCounts};
use crate::classify::{self, Class};
use crate::history::Time;

/// The format version in every header; a different one reads as a miss (not corrupt).
pub const FORMAT_VERSION: u32 = 1;
/// The largest keyed entry read (walk, group, revision), in bytes.
pub const MAX_ENTRY_BYTES: u64 = 16 << 20;
/// The largest evidence file read, in bytes.
pub const MAX_EVIDENCE_BYTES: u64 = 1 << 30;

/// The kinds of entries, each in its own folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One walk's totals ([`WalkEntry`]).
    Walk,
    /// The distinct-commit totals of one repository walked at a set of revisions.
    Group,
    /// How one component's revision was resolved (tag or release time → commit).
    Revision,
    /// A walk's evidence lines, addressed by the SHA-256 of their bytes.
    Evidence,
    /// A repository's traversal: its commit graph and each commit's classification
    /// ([`StoredGraph`]), addressed by the SHA-256 of its bytes.
    Graph,
    /// Per repository (and `--since`, rules digest), the graphs stored for it
    /// ([`IndexEntry`]): one file per graph in a folder named by the repository key's hash, so
    /// that stores merged by copying keep every one.
    Index,
}

impl Kind {
    /// The folder name, also written in the header.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Walk => "walk",
            Kind::Group => "group",
            Kind::Revision => "revision",
            Kind::Evidence => "evidence",
            Kind::Graph => "graph",
            Kind::Index => "index",
        }
    }
}

/// The store under one cache folder, with hit and miss counters for progress.
#[derive(Debug)]
pub struct Store {
    cache_dir: PathBuf,
    dir: PathBuf,
    hits: AtomicU64,
    misses: AtomicU64,
    corrupt: AtomicU64,
    /// `--refresh`: nothing is read, every result is written anew.
    write_only: bool,
}

/// Hits, misses and corrupt entries of the walk entries so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Walk entries found and used.
    pub hits: u64,
    /// Walk entries absent (or corrupt).
    pub misses: u64,
    /// Entries of any kind found corrupt and recomputed.
    pub corrupt: u64,
}

/// Why an entry could not be used.
enum Bad {
    Absent,
    Corrupt(String),
    /// Intact but claiming what no run of this binary writes ([`Plausible`]).
    Implausible(String),
}

impl Store {
    /// The store under `cache_dir/results/v1`.
    pub fn new(cache_dir: &Path) -> Store {
        Store {
            cache_dir: cache_dir.to_path_buf(),
            dir: cache_dir.join("results").join(format!("v{FORMAT_VERSION}")),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            corrupt: AtomicU64::new(0),
            write_only: false,
        }
    }

    /// The same store, written but never read (`--refresh`).
    pub fn write_only(mut self) -> Store {
        self.write_only = true;
        self
    }

    /// The counters so far.
    pub fn tally(&self) -> Tally {
        Tally {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            corrupt: self.corrupt.load(Ordering::Relaxed),
        }
    }

    fn path(&self, kind: Kind, hex: &str) -> PathBuf {
        self.dir.join(kind.as_str()).join(&hex[..2]).join(hex)
    }

    /// The value stored for `key`, or `None` (absent, another format version, or corrupt: a
    /// corrupt entry is reported as a warning). Walk lookups count as hits or misses.
    pub fn get<T: DeserializeOwned + Plausible>(&self, kind: Kind, key: &str) -> Option<T> {
        let hex = sha256_hex(key.as_bytes());
        let got = self
            .read(kind, &hex, MAX_ENTRY_BYTES)
            .and_then(|payload| unkey::<T>(key, &payload))
            .and_then(|v| match v.plausible(key) {
                Ok(()) => Ok(v),
                Err(why) => Err(Bad::Implausible(why)),
            });
        let counted = kind == Kind::Walk;
        match got {
            Ok(v) => {
                if counted {
                    self.hits.fetch_add(1, Ordering::Relaxed);
                }
                Some(v)
            }
            Err(bad) => {
                if counted {
                    self.misses.fetch_add(1, Ordering::Relaxed);
                }
                self.note(kind, &hex, bad);
                None
            }
        }
    }

    /// Record that graph `entry.graph` holds a traversal of the repository named by
    /// `repo_key`: `index/<ab>/<sha256(repo_key)>/<graph digest>`.
    pub fn put_index(&self, repo_key: &str, entry: &IndexEntry) -> std::io::Result<()> {
        #[derive(Serialize)]
        struct Keyed<'a, T> {
            key: &'a str,
            value: &'a T,
        }
        if !is_digest(&entry.graph) {
            return Err(std::io::Error::other("not a SHA-256 digest"));
        }
        let payload = serde_json::to_vec(&Keyed {
            key: repo_key,
            value: entry,
        })
        .map_err(std::io::Error::other)?;
        let hex = sha256_hex(repo_key.as_bytes());
        let path = self.path(Kind::Index, &hex).join(&entry.graph);
        self.write_at(Kind::Index, &path, &payload)
    }

    /// The graphs recorded for `repo_key` ([`Store::put_index`]), sound entries only (a
    /// corrupt one is reported and left out); at most 256, in file-name order.
    pub fn index(&self, repo_key: &str) -> Vec<IndexEntry> {
        let hex = sha256_hex(repo_key.as_bytes());
        let dir = self.path(Kind::Index, &hex);
        let Ok(rd) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = rd
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| is_digest(n))
            .collect();
        names.sort();
        names.truncate(256);
        let mut out = Vec::new();
        for name in names {
            let got = self
                .read_at(Kind::Index, &dir.join(&name), MAX_ENTRY_BYTES)
                .and_then(|payload| unkey::<IndexEntry>(repo_key, &payload))
                .and_then(|e| match e.graph == name {
                    true => Ok(e),
                    false => Err(Bad::Corrupt("its graph differs from its name".into())),
                })
                .and_then(|e| match e.nodes <= MAX_COUNT {
                    true => Ok(e),
                    false => Err(Bad::Implausible("node count out of bounds".into())),
                });
            match got {
                Ok(e) => out.push(e),
                Err(bad) => self.note(Kind::Index, &format!("{hex}/{name}"), bad),
            }
        }
        out
    }

    /// Store `value` for `key` (atomically). Errors may be ignored: an entry that cannot be
    /// written only costs a later walk.
    pub fn put<T: Serialize>(&self, kind: Kind, key: &str, value: &T) -> std::io::Result<()> {
        #[derive(Serialize)]
        struct Keyed<'a, T> {
            key: &'a str,
            value: &'a T,
        }
        let payload = serde_json::to_vec(&Keyed { key, value }).map_err(std::io::Error::other)?;
        self.write(kind, &sha256_hex(key.as_bytes()), &payload)
    }

    /// The bytes stored under their own SHA-256 `digest` (hex), checked.
    pub fn get_blob(&self, kind: Kind, digest: &str) -> Option<Vec<u8>> {
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            self.note(kind, digest, Bad::Corrupt("not a SHA-256 digest".into()));
            return None;
        }
        match self.read(kind, digest, MAX_EVIDENCE_BYTES) {
            Ok(bytes) if sha256_hex(&bytes) == digest => Some(bytes),
            Ok(_) => {
                self.note(
                    kind,
                    digest,
                    Bad::Corrupt("content differs from its name".into()),
                );
                None
            }
            Err(bad) => {
                self.note(kind, digest, bad);
                None
            }
        }
    }

    /// Store `bytes` under their SHA-256; returns the digest (hex).
    pub fn put_blob(&self, kind: Kind, bytes: &[u8]) -> std::io::Result<String> {
        // Written even when present: a damaged copy is replaced.
        let hex = sha256_hex(bytes);
        self.write(kind, &hex, bytes)?;
        Ok(hex)
    }

    fn note(&self, kind: Kind, hex: &str, bad: Bad) {
        let (what, why) = match bad {
            Bad::Absent => return,
            Bad::Corrupt(why) => ("corrupt", why),
            Bad::Implausible(why) => ("implausible", why),
        };
        self.corrupt.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(
            "results store: entry {}/{} {} ({}), recomputed",
            kind.as_str(),
            crate::text::one_line_cut(hex, 64),
            what,
            crate::text::one_line_cut(&why, 200)
        );
    }

    /// A walk's evidence lines ([`Kind::Evidence`] blob `digest`), when the blob is intact,
    /// holds exactly `lines` lines, each [`CommitEvidence::plausible`], and no class has more
    /// lines than `counts` gives it; otherwise `None` (reported as corrupt or implausible).
    pub fn get_evidence(
        &self,
        digest: &str,
        lines: u64,
        counts: &StoredCounts,
    ) -> Option<Vec<CommitEvidence>> {
        let blob = self.get_blob(Kind::Evidence, digest)?;
        let parsed = (|| {
            let mut commits = Vec::new();
            for line in blob.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let e = serde_json::from_slice::<CommitEvidence>(line)
                    .map_err(|e| Bad::Corrupt(format!("unparseable line: {e}")))?;
                e.plausible().map_err(Bad::Implausible)?;
                commits.push(e);
            }
            if commits.len() as u64 != lines {
                return Err(Bad::Implausible(format!(
                    "{} lines where its walk entry says {lines}",
                    commits.len()
                )));
            }
            for (class, n) in &counts.classes {
                let have = commits.iter().filter(|c| &c.class == class).count() as u64;
                if have > *n {
                    return Err(Bad::Implausible(format!(
                        "{have} {class} lines for {n} {class} commits"
                    )));
                }
            }
            Ok(commits)
        })();
        match parsed {
            Ok(c) => Some(c),
            Err(bad) => {
                self.note(Kind::Evidence, digest, bad);
                None
            }
        }
    }

    /// A stored traversal ([`Kind::Graph`] blob `digest`), when intact and
    /// [`StoredGraph::plausible`]; otherwise `None` (reported).
    pub fn get_graph(&self, digest: &str) -> Option<StoredGraph> {
        let blob = self.get_blob(Kind::Graph, digest)?;
        let parsed = serde_json::from_slice::<StoredGraph>(&blob)
            .map_err(|e| Bad::Corrupt(format!("unparseable payload: {e}")))
            .and_then(|g| g.plausible().map(|()| g).map_err(Bad::Implausible));
        match parsed {
            Ok(g) => Some(g),
            Err(bad) => {
                self.note(Kind::Graph, digest, bad);
                None
            }
        }
    }

    fn read(&self, kind: Kind, hex: &str, max: u64) -> Result<Vec<u8>, Bad> {
        self.read_at(kind, &self.path(kind, hex), max)
    }

    fn read_at(&self, kind: Kind, path: &Path, max: u64) -> Result<Vec<u8>, Bad> {
        if self.write_only {
            return Err(Bad::Absent);
        }
        let path = path.to_path_buf();
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_file() => {}
            Ok(_) => return Err(Bad::Corrupt("not a regular file".into())),
            Err(_) => return Err(Bad::Absent),
        }
        if self.linked_on_the_way(&path) {
            return Err(Bad::Corrupt(
                "a folder on its path is a symbolic link".into(),
            ));
        }
        let mut f = open_nofollow(&path).map_err(|e| Bad::Corrupt(format!("unreadable: {e}")))?;
        let mut bytes = Vec::new();
        let header_max = 200u64;
        (&mut f)
            .take(max + header_max + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Bad::Corrupt(format!("unreadable: {e}")))?;
        let nl = bytes
            .iter()
            .take(header_max as usize)
            .position(|b| *b == b'\n')
            .ok_or_else(|| Bad::Corrupt("no header".into()))?;
        let header = String::from_utf8(bytes[..nl].to_vec())
            .map_err(|_| Bad::Corrupt("header is not text".into()))?;
        let parts: Vec<&str> = header.split(' ').collect();
        let [magic, version, k, len, sum] = parts.as_slice() else {
            return Err(Bad::Corrupt("malformed header".into()));
        };
        if *magic != "aiprov-results" || *k != kind.as_str() {
            return Err(Bad::Corrupt("malformed header".into()));
        }
        if *version != FORMAT_VERSION.to_string() {
            return Err(Bad::Absent);
        }
        let len: u64 = len
            .parse()
            .map_err(|_| Bad::Corrupt("malformed header".into()))?;
        let payload = bytes.split_off(nl + 1);
        if len > max || payload.len() as u64 != len {
            return Err(Bad::Corrupt(format!(
                "{} payload bytes, the header says {len}",
                payload.len()
            )));
        }
        if sum.strip_prefix("sha256:") != Some(sha256_hex(&payload).as_str()) {
            return Err(Bad::Corrupt("checksum mismatch".into()));
        }
        Ok(payload)
    }

    fn linked_on_the_way(&self, path: &Path) -> bool {
        let rel = path.strip_prefix(&self.cache_dir).unwrap_or(path);
        let mut p = self.cache_dir.clone();
        rel.components().any(|c| {
            p.push(c);
            std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink())
        })
    }

    fn write(&self, kind: Kind, hex: &str, payload: &[u8]) -> std::io::Result<()> {
        self.write_at(kind, &self.path(kind, hex), payload)
    }

    fn write_at(&self, kind: Kind, path: &Path, payload: &[u8]) -> std::io::Result<()> {
        let path = path.to_path_buf();
        let dir = path.parent().expect("entry paths have a parent");
        std::fs::create_dir_all(dir)?;
        if self.linked_on_the_way(&path) {
            return Err(std::io::Error::other(
                "a folder of the results store is a symbolic link; not written",
            ));
        }
        let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
        let header = format!(
            "aiprov-results {FORMAT_VERSION} {} {} sha256:{}\n",
            kind.as_str(),
            payload.len(),
            sha256_hex(payload)
        );
        std::io::Write::write_all(&mut tmp, header.as_bytes())?;
        std::io::Write::write_all(&mut tmp, payload)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// The value of a keyed payload whose key must be `key`.
fn unkey<T: DeserializeOwned>(key: &str, payload: &[u8]) -> Result<T, Bad> {
    #[derive(Deserialize)]
    struct Keyed<T> {
        key: String,
        value: T,
    }
    let keyed: Keyed<T> = serde_json::from_slice(payload)
        .map_err(|e| Bad::Corrupt(format!("unparseable payload: {e}")))?;
    if keyed.key != key {
        return Err(Bad::Corrupt("its key differs from its name".into()));
    }
    Ok(keyed.value)
}

/// The largest count, node number or evidence line number a stored entry may claim: far above
/// any real repository (the Linux kernel has ~1.3 million commits), far below overflow when
/// summed over any number of walks a run can hold.
pub const MAX_COUNT: u64 = 1_000_000_000;
/// The longest string of an evidence line a stored entry may hold, in bytes.
pub const MAX_FIELD_BYTES: usize = 4096;
/// The most evidence items (rules, evidence, review) one stored evidence line may hold.
pub const MAX_ITEMS: usize = 256;
/// Unix seconds bounds of stored times (years 1900 to 9999) and of UTC offsets (±26 hours).
const TIME_RANGE: std::ops::RangeInclusive<i64> = -2_208_988_800..=253_402_300_799;
const OFFSET_RANGE: std::ops::RangeInclusive<i32> = -93_600..=93_600;

/// What a stored value may claim, checked after its checksum and key: a value that fails is
/// treated exactly like a corrupt entry (reported "implausible", recomputed, never used).
/// These checks bound what a forged entry can claim; they cannot prove it true (see the
/// README's "Trust model").
pub trait Plausible {
    /// `Err(why)` when the value, stored under `key`, cannot have been written by a run.
    fn plausible(&self, key: &str) -> Result<(), String>;
}

/// A tool slug as [`classify::slug`] makes them: `[a-z0-9-]`, 1 to 64 bytes.
fn is_slug(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `s` is bounded and free of control and bidirectional formatting characters.
fn clean_text(s: &str, max: usize) -> Result<(), String> {
    if s.len() > max {
        return Err(format!("a string of {} bytes", s.len()));
    }
    if let Some(c) = s.chars().find(|c| {
        c.is_control() || matches!(*c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }) {
        return Err(format!("a string holds U+{:04X}", c as u32));
    }
    Ok(())
}

fn time_ok((seconds, offset): (i64, i32)) -> bool {
    TIME_RANGE.contains(&seconds) && OFFSET_RANGE.contains(&offset)
}

fn is_digest(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One graph recorded for a repository ([`Store::put_index`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// SHA-256 (hex) of the [`Kind::Graph`] blob.
    pub graph: String,
    /// Its number of commits: the largest is continued.
    pub nodes: u64,
}

/// A repository's traversal as stored ([`Kind::Graph`]): per commit, its id, committer time,
/// parents (indices into `nodes`) and, when it was decoded, its classification. Valid for the
/// `--since` and rules digest of its index key: commits are immutable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredGraph {
    /// The commits, in traversal node order.
    pub nodes: Vec<StoredNode>,
}

/// One commit of a [`StoredGraph`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredNode {
    /// Full hex id.
    pub id: String,
    /// Committer time, Unix seconds.
    pub time: i64,
    /// Parent node indices (none past `--since` or a shallow boundary).
    pub parents: Vec<u32>,
    /// Its classification, when the commit was decoded (not for one older than `--since`).
    pub commit: Option<StoredCommit>,
}

/// What a decoded commit adds to every walk that reaches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCommit {
    /// A merge (more than one parent): counted as a merge only.
    pub merge: bool,
    /// The verdict's class name.
    pub class: String,
    /// The verdict's tool slug.
    pub tool: Option<String>,
    /// Whether the commit carries review trailers.
    pub trailers: bool,
    /// Author time: Unix seconds and UTC offset in seconds.
    pub author_time: (i64, i32),
    /// Its evidence line's per-commit part (non-merge commits classed other than no-evidence).
    pub evidence: Option<CommitEvidence>,
}

impl StoredCommit {
    /// Its class known, its tool a slug, its time in range, its evidence plausible.
    fn plausible(&self) -> Result<(), String> {
        self.class().ok_or("an unknown class")?;
        if let Some(t) = &self.tool {
            if !is_slug(t) {
                return Err("a tool that is not a slug".into());
            }
        }
        if !time_ok(self.author_time) {
            return Err("an author time out of range".into());
        }
        if let Some(e) = &self.evidence {
            e.plausible()?;
            if e.class != self.class {
                return Err("evidence of another class".into());
            }
        }
        Ok(())
    }

    /// The class, `None` when the name is unknown (a corrupt or foreign entry).
    pub fn class(&self) -> Option<Class> {
        Class::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == self.class)
    }
}

fn open_nofollow(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW);
    }
    o.open(path)
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The shard (0 ≤ shard < `n`) a repository belongs to: the first 8 bytes of the SHA-256 of its
/// canonical URL (as [`crate::resolve::RepoUrl`] prints it, e.g. `https://github.com/o/n`; a
/// repo-map path as written), read as a big-endian `u64`, modulo `n`. Stable across platforms
/// and versions: deploy manifests depend on it.
pub fn shard_of(repository: &str, n: u32) -> u32 {
    let d = Sha256::digest(repository.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    (u64::from_be_bytes(first) % u64::from(n.max(1))) as u32
}

impl StoredGraph {
    /// Bounded node count, parent indices in range, every decoded commit plausible.
    pub fn plausible(&self) -> Result<(), String> {
        let n = self.nodes.len() as u64;
        if n > MAX_COUNT {
            return Err("too many nodes".into());
        }
        for node in &self.nodes {
            if !(node.id.len() == 40 || node.id.len() == 64)
                || !node.id.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return Err("a node id that is not a commit id".into());
            }
            if node.parents.iter().any(|p| u64::from(*p) >= n) {
                return Err("a parent index out of range".into());
            }
            if let Some(c) = &node.commit {
                c.plausible()?;
            }
        }
        Ok(())
    }
}

/// One walk's totals as stored ([`Counts`] with owned names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCounts {
    commits: u64,
    merges: u64,
    classes: Vec<(String, u64)>,
    tools: Vec<(String, u64)>,
    ai_with_review: u64,
    review: [u64; 5],
    ai_first: Option<(i64, i32)>,
    ai_last: Option<(i64, i32)>,
    errors: u64,
}

impl StoredCounts {
    /// `counts` as stored. Review sources are not kept: runs that have any do not use the store.
    pub fn new(counts: &Counts) -> StoredCounts {
        let r = &counts.review;
        StoredCounts {
            commits: counts.commits,
            merges: counts.merges,
            classes: counts
                .classes
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            tools: counts.tools.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            ai_with_review: counts.ai_with_review,
            review: [
                r.approved,
                r.trailers_only,
                r.merged_unapproved,
                r.no_pull_request,
                r.unknown,
            ],
            ai_first: counts.ai_first.map(|t| (t.seconds, t.offset)),
            ai_last: counts.ai_last.map(|t| (t.seconds, t.offset)),
            errors: counts.errors,
        }
    }

    /// Whether these totals can be a walk's: every count ≤ [`MAX_COUNT`]; known classes, each
    /// once, summing to `commits`; AI-with-review and every tool count within the AI count,
    /// the review buckets summing to it; tools are slugs; AI dates in range, present exactly
    /// when there are AI commits, first ≤ last.
    pub fn check(&self) -> Result<(), String> {
        let all = [self.commits, self.merges, self.ai_with_review, self.errors]
            .into_iter()
            .chain(self.classes.iter().map(|(_, n)| *n))
            .chain(self.tools.iter().map(|(_, n)| *n))
            .chain(self.review);
        for n in all {
            if n > MAX_COUNT {
                return Err(format!("a count of {n}"));
            }
        }
        let mut seen = Vec::new();
        let (mut sum, mut ai) = (0u64, 0u64);
        for (name, n) in &self.classes {
            let class = Class::ALL
                .iter()
                .find(|c| c.as_str() == name)
                .ok_or("an unknown class")?;
            if seen.contains(class) {
                return Err("a class twice".into());
            }
            seen.push(*class);
            sum += n;
            if class.is_ai() {
                ai += n;
            }
        }
        if sum != self.commits {
            return Err(format!("classes sum to {sum} of {} commits", self.commits));
        }
        if self.ai_with_review > ai {
            return Err("more AI commits with review than AI commits".into());
        }
        if self.review.iter().sum::<u64>() != ai {
            return Err("review outcomes do not sum to the AI commits".into());
        }
        if self.tools.iter().map(|(_, n)| n).sum::<u64>() != ai {
            return Err("tool counts do not sum to the AI commits".into());
        }
        let mut names = std::collections::BTreeSet::new();
        for (t, n) in &self.tools {
            if !is_slug(t) {
                return Err(format!(
                    "a tool name that is not a slug ({} bytes)",
                    t.len()
                ));
            }
            if !names.insert(t) || *n > ai {
                return Err("a tool counted twice or beyond the AI commits".into());
            }
        }
        match (self.ai_first, self.ai_last) {
            (None, None) if ai == 0 => {}
            (Some(f), Some(l)) if ai > 0 && time_ok(f) && time_ok(l) && f.0 <= l.0 => {}
            _ => return Err("AI dates out of range or inconsistent".into()),
        }
        Ok(())
    }

    /// Back to [`Counts`]; `None` when a class name is unknown (a corrupt or foreign entry).
    pub fn counts(&self) -> Option<Counts> {
        let mut classes = std::collections::BTreeMap::new();
        for (name, n) in &self.classes {
            let class = Class::ALL.iter().find(|c| c.as_str() == name)?;
            classes.insert(class.as_str(), *n);
        }
        let time = |t: Option<(i64, i32)>| t.map(|(seconds, offset)| Time { seconds, offset });
        let [approved, trailers_only, merged_unapproved, no_pull_request, unknown] = self.review;
        Some(Counts {
            commits: self.commits,
            merges: self.merges,
            classes,
            tools: self.tools.iter().cloned().collect(),
            ai_with_review: self.ai_with_review,
            review: ReviewCounts {
                approved,
                trailers_only,
                merged_unapproved,
                no_pull_request,
                unknown,
                sources: Default::default(),
            },
            // Walk entries are used only without `--reviews all` (enrich::run's usable_store).
            all_review: None,
            ai_first: time(self.ai_first),
            ai_last: time(self.ai_last),
            errors: self.errors,
        })
    }
}

/// A finished walk as stored under [`Kind::Walk`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkEntry {
    /// Its totals.
    pub counts: StoredCounts,
    /// How many evidence lines it has.
    pub evidence_lines: u64,
    /// The SHA-256 (hex) of its evidence file ([`Kind::Evidence`]), JSON Lines of
    /// [`CommitEvidence`].
    pub evidence: String,
}

impl Plausible for StoredCounts {
    fn plausible(&self, _key: &str) -> Result<(), String> {
        self.check()
    }
}

impl Plausible for WalkEntry {
    fn plausible(&self, _key: &str) -> Result<(), String> {
        self.counts.check()?;
        if self.evidence_lines > self.counts.commits {
            return Err("more evidence lines than commits".into());
        }
        if !is_digest(&self.evidence) {
            return Err("an evidence name that is not a digest".into());
        }
        Ok(())
    }
}

impl CommitEvidence {
    /// A commit id, an RFC 3339 date, a known non-`no-evidence` class, a slug tool only on
    /// AI lines, and every string bounded ([`MAX_FIELD_BYTES`], [`MAX_ITEMS`] per list) and
    /// free of control and bidirectional formatting characters.
    pub fn plausible(&self) -> Result<(), String> {
        if self.commit.len() != 40 && self.commit.len() != 64
            || !self.commit.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err("a commit that is not a commit id".into());
        }
        time::OffsetDateTime::parse(&self.date, &time::format_description::well_known::Rfc3339)
            .map_err(|_| "a date that is not RFC 3339")?;
        let class = Class::ALL
            .iter()
            .find(|c| c.as_str() == self.class)
            .ok_or("an unknown class")?;
        if matches!(class, Class::NoEvidence) {
            return Err("a no-evidence line".into());
        }
        if let Some(t) = &self.tool {
            if !is_slug(t) {
                return Err("a tool that is not a slug".into());
            }
        }
        if self.rules.len() > MAX_ITEMS
            || self.evidence.len() > MAX_ITEMS
            || self.review.len() > MAX_ITEMS
        {
            return Err("too many items".into());
        }
        // Every string of the line, however nested (evidence items, pull requests).
        let value = serde_json::to_value(self).map_err(|e| e.to_string())?;
        let mut stack = vec![&value];
        let mut strings = 0usize;
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::String(s) => {
                    strings += 1;
                    clean_text(s, MAX_FIELD_BYTES)?;
                }
                serde_json::Value::Array(a) => stack.extend(a),
                serde_json::Value::Object(o) => {
                    for (k, v) in o {
                        clean_text(k, MAX_FIELD_BYTES)?;
                        stack.push(v);
                    }
                }
                _ => {}
            }
            if strings > 16 * MAX_ITEMS {
                return Err("too many strings".into());
            }
        }
        Ok(())
    }
}

/// The per-commit part of an evidence line (`schemas/evidence.schema.json` without the walk's
/// `components`, `pointers`, `repository` and `revision`), in the schema's field order; the
/// same for every walk that reaches the commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitEvidence {
    /// The commit, full hex id.
    pub commit: String,
    /// Author date, RFC 3339 with the author's offset.
    pub date: String,
    /// The verdict's class (`ai-agent`, `ai-assisted`, `automation`).
    pub class: String,
    /// The AI tool's slug, when the verdict names one.
    pub tool: Option<String>,
    /// `high`, `medium` or `low`.
    pub confidence: Option<String>,
    /// Ids of the rules that matched (evidence, then review), each once.
    pub rules: Vec<String>,
    /// What matched, rule by rule.
    pub evidence: Vec<classify::Evidence>,
    /// Review evidence.
    pub review: Vec<classify::Evidence>,
    /// AI commits only: the review outcome.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub review_outcome: Option<String>,
    /// AI commits only: the merged pull/merge requests that brought the commit in (as
    /// [`crate::review::RequestEvidence`] serializes).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pull_requests: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct V {
        n: u32,
    }

    impl Plausible for V {
        fn plausible(&self, _key: &str) -> Result<(), String> {
            match self.n < 1000 {
                true => Ok(()),
                false => Err("n too large".into()),
            }
        }
    }

    fn counts() -> StoredCounts {
        let mut c = Counts::default();
        let t = Time {
            seconds: 1_700_000_000,
            offset: 0,
        };
        c.add_change(Class::AiAgent, Some("devin"), false, t);
        c.add_change(Class::NoEvidence, None, false, t);
        StoredCounts::new(&c)
    }

    #[test]
    fn implausible_values_are_noted_and_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::new(dir.path());
        s.put(Kind::Walk, "k", &V { n: 5000 }).unwrap();
        assert_eq!(s.get::<V>(Kind::Walk, "k"), None);
        assert_eq!(s.tally().corrupt, 1);
    }

    #[test]
    fn stored_counts_must_add_up() {
        let good = counts();
        assert_eq!(good.check(), Ok(()));
        let mut c = good.clone();
        c.commits = 3;
        assert_eq!(c.check(), Err("classes sum to 2 of 3 commits".into()));
        let mut c = good.clone();
        c.tools = vec![("devin\u{202e}".into(), 1)];
        assert!(c.check().unwrap_err().contains("not a slug"));
        let mut c = good.clone();
        c.tools = vec![("devin".into(), 2)];
        assert!(c.check().is_err());
        let mut c = good.clone();
        c.ai_with_review = 2;
        assert!(c.check().is_err());
        let mut c = good.clone();
        c.errors = u64::MAX;
        assert_eq!(c.check(), Err(format!("a count of {}", u64::MAX)));
        let mut c = good;
        c.ai_first = Some((i64::MAX, 0));
        assert!(c.check().is_err());
    }

    #[test]
    fn entries_round_trip_and_damage_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::new(dir.path());
        assert_eq!(s.get::<V>(Kind::Walk, "k"), None);
        s.put(Kind::Walk, "k", &V { n: 7 }).unwrap();
        assert_eq!(s.get::<V>(Kind::Walk, "k"), Some(V { n: 7 }));
        let path = s.path(Kind::Walk, &sha256_hex(b"k"));
        let good = std::fs::read(&path).unwrap();
        // Truncated.
        std::fs::write(&path, &good[..good.len() - 3]).unwrap();
        assert_eq!(s.get::<V>(Kind::Walk, "k"), None);
        // One byte flipped in the payload.
        let mut flipped = good.clone();
        let last = flipped.len() - 2;
        flipped[last] ^= 0x01;
        std::fs::write(&path, &flipped).unwrap();
        assert_eq!(s.get::<V>(Kind::Walk, "k"), None);
        // Another key's entry under this name.
        s.put(Kind::Walk, "other", &V { n: 1 }).unwrap();
        std::fs::copy(s.path(Kind::Walk, &sha256_hex(b"other")), &path).unwrap();
        assert_eq!(s.get::<V>(Kind::Walk, "k"), None);
        assert_eq!(
            s.tally(),
            Tally {
                hits: 1,
                misses: 4,
                corrupt: 3
            }
        );
        let blob = s.put_blob(Kind::Evidence, b"line\n").unwrap();
        assert_eq!(s.get_blob(Kind::Evidence, &blob).unwrap(), b"line\n");
        assert_eq!(s.get_blob(Kind::Evidence, "../../etc"), None);
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::new(dir.path());
        s.put(Kind::Walk, "k", &V { n: 7 }).unwrap();
        let path = s.path(Kind::Walk, &sha256_hex(b"k"));
        let target = dir.path().join("elsewhere");
        std::fs::rename(&path, &target).unwrap();
        std::os::unix::fs::symlink(&target, &path).unwrap();
        assert_eq!(s.get::<V>(Kind::Walk, "k"), None);
    }

    #[test]
    fn shards_are_stable() {
        // Fixed values (python3: int.from_bytes(sha256(url).digest()[:8], "big") % n): deploy
        // manifests and running shards depend on them.
        assert_eq!(shard_of("https://github.com/acme/widget", 4), 2);
        assert_eq!(shard_of("https://github.com/Aider-AI/aider", 1000), 690);
        let spread: std::collections::BTreeSet<u32> = (0..64)
            .map(|i| shard_of(&format!("https://github.com/o/r{i}"), 4))
            .collect();
        assert_eq!(spread.len(), 4);
        assert_eq!(shard_of("x", 1), 0);
    }
}
