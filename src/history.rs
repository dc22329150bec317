//! Walking a repository's commits with gix, decoding each commit once.
//!
//! [`Repo::walk`] visits every commit reachable from a revision, newest committer date first (git log's
//! default order), and hands each one to a callback as a [`CommitMeta`] or, when an object is
//! missing or corrupt, as an [`Entry::Error`]; the walk goes on past such commits. git-ai notes
//! (`refs/notes/ai`, `../shared/docs/ai-signals.md` S7) are attached when that ref exists.
//! Repositories are opened isolated from the user's and system git configuration.

mod scrub;

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::path::{Path, PathBuf};

use gix::hash::ObjectId;
use gix::objs::Find as _;

/// Bytes of a commit message kept (and so examined by rules); longer messages are cut at a
/// character boundary. Bounds time and memory for hostile input.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Bytes of a commit object read: headers plus the start of the message. A larger object is read
/// only up to this size when it is stored loose (a zlib stream, inflated as far as needed); a
/// larger packed object is not read at all and becomes an [`Entry::Error`] (its parents are
/// then not walked). Bounds memory for hostile input: a 5 GiB message used to be read whole.
pub const MAX_COMMIT_OBJECT_BYTES: u64 = 1024 * 1024;
/// Bytes of a git-ai note kept.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;
/// Characters of a name or e-mail kept.
pub const MAX_IDENTITY_CHARS: usize = 256;
/// The notes ref git-ai writes.
pub const NOTES_REF: &str = "refs/notes/ai";

/// What failed before or during a walk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `path` is not a git repository (bare or not).
    #[error("{}: not a git repository", path.display())]
    Open {
        /// The path given.
        path: PathBuf,
        /// gix's reason.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The revision does not name a commit in the repository.
    #[error("{}: unknown revision `{rev}`", path.display())]
    Revision {
        /// The repository.
        path: PathBuf,
        /// The revision as given (bounded).
        rev: String,
        /// gix's reason.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The revision names an object that cannot be read: the object store is missing it or is
    /// corrupt (a runtime failure, unlike [`Error::Revision`]).
    #[error("{}: `{rev}` names an object that cannot be read (corrupt or incomplete object store)", path.display())]
    Unreadable {
        /// The repository.
        path: PathBuf,
        /// The revision as given (bounded).
        rev: String,
        /// gix's reason.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The repository has no commits yet (unborn `HEAD`).
    #[error("{}: the repository has no commits (HEAD is unborn)", path.display())]
    Empty {
        /// The repository.
        path: PathBuf,
    },
}

/// A person or bot as recorded in a commit header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Signature {
    /// Display name, trimmed and bounded to [`MAX_IDENTITY_CHARS`].
    pub name: String,
    /// E-mail as written between `<` and `>`, trimmed and bounded.
    pub email: String,
    /// When.
    pub time: Time,
}

/// A git timestamp: seconds since the Unix epoch and the author's or committer's UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Time {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub seconds: i64,
    /// Offset from UTC in seconds, east positive. A malformed zone in the commit reads as 0.
    pub offset: i32,
}

impl Time {
    /// RFC 3339 with the recorded offset, e.g. `2025-06-01T12:00:00+02:00`.
    pub fn to_rfc3339(&self) -> String {
        let offset =
            time::UtcOffset::from_whole_seconds(self.offset).unwrap_or(time::UtcOffset::UTC);
        let t = time::OffsetDateTime::from_unix_timestamp(self.seconds)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            .to_offset(offset);
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| self.seconds.to_string())
    }
}

/// One commit's metadata: everything the classifier may read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommitMeta {
    /// Full hex object id.
    pub id: String,
    /// Full hex ids of the parents, in order.
    pub parents: Vec<String>,
    /// The author header.
    pub author: Signature,
    /// The committer header.
    pub committer: Signature,
    /// The message (lossily decoded as UTF-8), bounded to [`MAX_MESSAGE_BYTES`].
    pub message: String,
    /// The git-ai note for this commit, if `refs/notes/ai` has one; bounded to [`MAX_NOTE_BYTES`].
    pub note: Option<String>,
    /// What was read leniently in the headers, in header order, empty for a well-formed commit:
    /// see [`Anomaly`].
    pub anomalies: Vec<Anomaly>,
}

/// A header git accepts but that is not well formed, read the way git reads it (issue 15):
/// the commit is kept, marked with each anomaly, and the walk goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Anomaly {
    /// The author or committer has no `<e-mail>` (git reads the name and e-mail as empty).
    Ident(Role),
    /// The time is not decimal seconds (`0x65`, missing): git reads the leading digits, if any,
    /// else 0.
    Time(Role),
    /// The zone is not `+HHMM`/`-HHMM` (`abc`): read as UTC.
    Zone(Role),
    /// The time lies outside RFC 3339 (before year 0 or after year 9999, with its offset):
    /// clamped to the nearest end of that range.
    Clamped(Role),
    /// The header is missing: read as an empty signature at time 0.
    Missing(Role),
}

/// Which signature an [`Anomaly`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The `author` header.
    Author,
    /// The `committer` header.
    Committer,
}

impl Anomaly {
    /// The stable name written in `aiprov commits` records (`anomalies`): `author.ident`,
    /// `committer.time`, `author.zone`, `author.clamped`, `committer.missing`, ….
    pub fn as_str(&self) -> &'static str {
        use Anomaly::*;
        use Role::*;
        match self {
            Ident(Author) => "author.ident",
            Ident(Committer) => "committer.ident",
            Time(Author) => "author.time",
            Time(Committer) => "committer.time",
            Zone(Author) => "author.zone",
            Zone(Committer) => "committer.zone",
            Clamped(Author) => "author.clamped",
            Clamped(Committer) => "committer.clamped",
            Missing(Author) => "author.missing",
            Missing(Committer) => "committer.missing",
        }
    }
}

impl CommitMeta {
    /// A merge has more than one parent.
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }
}

/// What the walk yields for each commit.
#[derive(Debug)]
pub enum Entry {
    /// A decoded commit.
    Commit(CommitMeta),
    /// A commit that could not be read (missing or corrupt object); its parents are not walked.
    Error {
        /// The commit id.
        id: String,
        /// What went wrong, one line.
        message: String,
    },
}

/// A commit as read from the object database, not yet decoded.
#[derive(Debug)]
pub enum RawEntry {
    /// The commit's object bytes and its git-ai note.
    Commit {
        /// The commit id.
        id: ObjectId,
        /// The raw commit object (headers, blank line, message).
        data: Vec<u8>,
        /// The git-ai note, bounded to [`MAX_NOTE_BYTES`].
        note: Option<String>,
    },
    /// A commit that could not be read; its parents are not walked.
    Error {
        /// The commit id.
        id: String,
        /// What went wrong, one line.
        message: String,
    },
}

impl RawEntry {
    /// Decode into a [`CommitMeta`]: lenient signatures (a malformed zone reads as UTC), the
    /// message lossily decoded as UTF-8 and bounded to [`MAX_MESSAGE_BYTES`].
    pub fn parse(self) -> Entry {
        let (id, data, note) = match self {
            RawEntry::Commit { id, data, note } => (id, data, note),
            RawEntry::Error { id, message } => return Entry::Error { id, message },
        };
        let commit = match split_commit(&data) {
            Ok(c) => c,
            Err(message) => {
                return Entry::Error {
                    id: id.to_string(),
                    message,
                }
            }
        };
        let mut anomalies = Vec::new();
        let author = signature(commit.author, Role::Author, &mut anomalies);
        let committer = signature(commit.committer, Role::Committer, &mut anomalies);
        Entry::Commit(CommitMeta {
            id: id.to_string(),
            parents: commit.parents.iter().map(|p| p.to_string()).collect(),
            author,
            committer,
            message: bounded_utf8(commit.message.into(), MAX_MESSAGE_BYTES),
            note,
            anomalies,
        })
    }
}

/// What to walk.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A revision (`HEAD` when `None`): branch, tag, commit id, or any rev-parse spec gix accepts.
    pub rev: Option<String>,
    /// Only commits whose committer time is at or after this (Unix seconds); their older
    /// ancestors are not walked (git log `--since`).
    pub since: Option<i64>,
}

/// A set of commit ids to leave out of a walk, see [`Repo::walk_raw_hiding`]. Keyed (SipHash):
/// ids come from the repository, which may choose them to collide in gix's prefix hash (a
/// `shallow` file of prefix-sharing ids took 40 minutes: issue 15).
pub type Hidden = std::collections::HashSet<ObjectId>;

/// Totals of one walk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Commits yielded as [`Entry::Commit`].
    pub commits: usize,
    /// Commits yielded as [`Entry::Error`].
    pub errors: usize,
    /// Whether the repository is shallow (history truncated).
    pub shallow: bool,
}

/// An opened repository, isolated from the user's git configuration.
pub struct Repo {
    repo: gix::Repository,
    path: PathBuf,
}

impl Repo {
    /// Open a bare or non-bare repository at `path` (a work tree, its `.git`, or a bare folder).
    pub fn open(path: &Path) -> Result<Repo, Error> {
        let opts = gix::open::Options::isolated();
        let mut repo = gix::open_opts(path, opts).map_err(|e| Error::Open {
            path: path.to_path_buf(),
            source: Box::new(scrub::scrub(&e)),
        })?;
        // A HEAD that links elsewhere would be read as a reference and quoted back in errors:
        // never followed (issue 15, item 8).
        if std::fs::symlink_metadata(repo.git_dir().join("HEAD"))
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            return Err(Error::Open {
                path: path.to_path_buf(),
                source: Box::new(scrub::Scrubbed(
                    "HEAD is a symbolic link, which aiprov never follows".into(),
                )),
            });
        }
        // Every commit is read once: an object cache would only copy.
        repo.object_cache_size(0);
        Ok(Repo {
            repo,
            path: path.to_path_buf(),
        })
    }

    /// Resolve `rev` (or `HEAD`) to a commit id, peeling tags. A revision that names an object
    /// the store cannot read is [`Error::Unreadable`], not [`Error::Revision`].
    pub fn resolve(&self, rev: Option<&str>) -> Result<ObjectId, Error> {
        let spec = rev.unwrap_or("HEAD");
        let bounded: String = spec.chars().take(200).collect();
        let unreadable = |e: &(dyn std::error::Error + 'static)| Error::Unreadable {
            path: self.path.clone(),
            rev: bounded.clone(),
            source: Box::new(scrub::scrub(e)),
        };
        if rev.is_none() && self.repo.head().map(|h| h.is_unborn()).unwrap_or(false) {
            return Err(Error::Empty {
                path: self.path.clone(),
            });
        }
        // A name or full id that points at a commit is taken without reading the commit: peeling
        // reads the whole object, and a commit may be huge (issue 15). Tags and other specs go
        // through gix's rev-parse.
        if let Some(id) = self.direct_id(spec) {
            match gix::odb::Header::try_header(&self.repo.objects, &id) {
                Ok(Some(h)) if h.kind() == gix::objs::Kind::Commit => return Ok(id),
                Ok(Some(_)) => {}
                Ok(None) => {
                    let e = scrub::Scrubbed(format!("object {id} is not in the object store"));
                    return Err(unreadable(&e));
                }
                Err(e) => return Err(unreadable(&e)),
            }
        }
        let id = self
            .repo
            .rev_parse_single(spec)
            .map_err(|e| Error::Revision {
                path: self.path.clone(),
                rev: bounded.clone(),
                source: Box::new(scrub::scrub(&e)),
            })?;
        let object = id.object().map_err(|e| unreadable(&e))?;
        let commit = object.peel_to_commit().map_err(|e| Error::Revision {
            path: self.path.clone(),
            rev: bounded.clone(),
            source: Box::new(scrub::scrub(&e)),
        })?;
        Ok(commit.id)
    }

    /// The object id `spec` names directly, unpeeled: a full hex id, or a reference (symbolic
    /// ones followed) found by git's rules for short names.
    fn direct_id(&self, spec: &str) -> Option<ObjectId> {
        if let Ok(id) = ObjectId::from_hex(spec.as_bytes()) {
            return Some(id);
        }
        let mut r = self.repo.try_find_reference(spec).ok()??;
        for _ in 0..5 {
            if let Some(id) = r.target().try_id() {
                return Some(id.to_owned());
            }
            r = r.follow()?.ok()?;
        }
        None
    }

    /// Tag names (without `refs/tags/`) and the commit each one points at, peeled.
    pub fn tags(&self) -> Vec<(String, ObjectId)> {
        let mut out = Vec::new();
        let Ok(refs) = self.repo.references() else {
            return out;
        };
        let Ok(tags) = refs.tags() else { return out };
        for mut r in tags.flatten() {
            let name = r.name().shorten().to_string();
            if let Ok(id) = r.peel_to_commit() {
                out.push((name, id.id));
            }
        }
        out
    }

    /// The underlying gix repository.
    pub fn gix(&self) -> &gix::Repository {
        &self.repo
    }

    /// Walk every commit reachable from `opts.rev`, newest committer date first, calling `each`
    /// once per commit with its decoded metadata. The callback returns `false` to stop early.
    pub fn walk(
        &self,
        opts: &Options,
        mut each: impl FnMut(Entry) -> bool,
    ) -> Result<Stats, Error> {
        self.walk_raw(opts, |raw| each(raw.parse()))
    }

    /// [`Repo::walk`] without decoding messages and signatures: each commit arrives as its raw
    /// object bytes ([`RawEntry`]), to be decoded with [`RawEntry::parse`] (on another thread, so
    /// that reading objects and classifying overlap). Only the parent and committer headers are
    /// read here, to continue the walk in committer-date order.
    pub fn walk_raw(
        &self,
        opts: &Options,
        each: impl FnMut(RawEntry) -> bool,
    ) -> Result<Stats, Error> {
        self.walk_raw_hiding(opts, &Hidden::default(), each)
    }

    /// Ids of every commit reachable from `rev`, to hide from a walk (the `A` of `A..B`). A
    /// commit that cannot be read is included; its parents are not.
    pub fn reachable(&self, rev: &str) -> Result<Hidden, Error> {
        let mut ids = Hidden::default();
        self.walk_raw(
            &Options {
                rev: Some(rev.to_string()),
                since: None,
            },
            |e| {
                match e {
                    RawEntry::Commit { id, .. } => {
                        ids.insert(id);
                    }
                    RawEntry::Error { id, .. } => {
                        if let Ok(id) = ObjectId::from_hex(id.as_bytes()) {
                            ids.insert(id);
                        }
                    }
                }
                true
            },
        )?;
        Ok(ids)
    }

    /// [`Repo::walk_raw`] that neither yields nor walks past the commits in `hidden` (git's
    /// `^A`): with `hidden = reachable(A)` it visits exactly the commits of `A..B`, since every
    /// ancestor of a hidden commit is hidden too.
    pub fn walk_raw_hiding(
        &self,
        opts: &Options,
        hidden: &Hidden,
        mut each: impl FnMut(RawEntry) -> bool,
    ) -> Result<Stats, Error> {
        let tip = self.resolve(opts.rev.as_deref())?;
        let mut notes = self.notes();
        let mut stats = Stats {
            shallow: self.repo.is_shallow().unwrap_or(false),
            ..Stats::default()
        };
        // A shallow clone (CI checkouts) ends at its boundary commits: their parents are absent by
        // design, not missing objects.
        let boundary: Hidden = match stats.shallow {
            true => self
                .repo
                .shallow_commits()
                .ok()
                .flatten()
                .map(|c| c.iter().copied().collect())
                .unwrap_or_default(),
            false => Default::default(),
        };
        let mut seen = Hidden::default();
        let mut queue: BinaryHeap<Queued> = BinaryHeap::new();
        let mut order = 0u64;

        if hidden.contains(&tip) {
            return Ok(stats);
        }
        seen.insert(tip);
        match self.read(tip) {
            Ok(q) => queue.push(q),
            Err(message) => {
                stats.errors += 1;
                each(RawEntry::Error {
                    id: tip.to_string(),
                    message,
                });
                return Ok(stats);
            }
        }
        while let Some(q) = queue.pop() {
            if opts.since.is_some_and(|s| q.time < s) {
                continue;
            }
            let note = notes.as_mut().and_then(|n| n.get(q.id));
            stats.commits += 1;
            let parents = if boundary.contains(&q.id) {
                Vec::new()
            } else {
                q.parents.clone()
            };
            if !each(RawEntry::Commit {
                id: q.id,
                data: q.data,
                note,
            }) {
                break;
            }
            for pid in parents {
                if hidden.contains(&pid) || !seen.insert(pid) {
                    continue;
                }
                order += 1;
                match self.read(pid) {
                    Ok(mut pq) => {
                        pq.order = order;
                        queue.push(pq);
                    }
                    Err(message) => {
                        stats.errors += 1;
                        if !each(RawEntry::Error {
                            id: pid.to_string(),
                            message,
                        }) {
                            return Ok(stats);
                        }
                    }
                }
            }
        }
        Ok(stats)
    }

    /// One traversal from every tip in `tips` together (all revisions of a repository in a run):
    /// each commit any of their walks would read is read once, and each one some walk would
    /// yield (committer time at or after `since`) is handed to `each` once with its node index.
    /// Returns the parent graph for [`Traversal::replay`] and, per tip, its node index.
    pub fn traverse(
        &self,
        tips: &[ObjectId],
        since: Option<i64>,
        each: impl FnMut(usize, RawEntry),
    ) -> (Traversal, Vec<usize>) {
        let base = Traversal {
            since,
            ..Traversal::default()
        };
        self.traverse_from(base, tips, each)
    }

    /// [`Repo::traverse`] continuing `base` (an earlier traversal of this repository with the
    /// same `since`, see [`Traversal::from_nodes`]): commits already in it are neither read nor
    /// handed out again, so a new revision costs only the commits it adds. Its nodes keep their
    /// indices. Commits are immutable, so their parents and times are still right; the caller
    /// keeps what it derived from them (classifications) by node index.
    pub fn traverse_from(
        &self,
        base: Traversal,
        tips: &[ObjectId],
        mut each: impl FnMut(usize, RawEntry),
    ) -> (Traversal, Vec<usize>) {
        let since = base.since;
        let mut notes = self.notes();
        let boundary: Hidden = match self.repo.is_shallow().unwrap_or(false) {
            true => self
                .repo
                .shallow_commits()
                .ok()
                .flatten()
                .map(|c| c.iter().copied().collect())
                .unwrap_or_default(),
            false => Default::default(),
        };
        let mut t = base;
        t.read = 0;
        t.decoded = 0;
        let mut index: std::collections::HashMap<ObjectId, u32> = t
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id, i as u32))
            .collect();
        let mut stack: Vec<usize> = Vec::new();
        let mut node_of = |t: &mut Traversal, stack: &mut Vec<usize>, id: ObjectId| -> usize {
            *index.entry(id).or_insert_with(|| {
                t.nodes.push(Node {
                    id,
                    time: 0,
                    parents: Vec::new(),
                    error: None,
                });
                stack.push(t.nodes.len() - 1);
                (t.nodes.len() - 1) as u32
            }) as usize
        };
        let tip_nodes: Vec<usize> = tips
            .iter()
            .map(|id| node_of(&mut t, &mut stack, *id))
            .collect();
        while let Some(n) = stack.pop() {
            let id = t.nodes[n].id;
            t.read += 1;
            match self.read(id) {
                Err(message) => t.nodes[n].error = Some(message),
                Ok(q) => {
                    t.nodes[n].time = q.time;
                    if since.is_some_and(|s| q.time < s) {
                        continue;
                    }
                    if !boundary.contains(&id) {
                        let parents: Vec<u32> = q
                            .parents
                            .iter()
                            .map(|p| node_of(&mut t, &mut stack, *p) as u32)
                            .collect();
                        t.nodes[n].parents = parents;
                    }
                    let note = notes.as_mut().and_then(|r| r.get(id));
                    t.decoded += 1;
                    each(
                        n,
                        RawEntry::Commit {
                            id,
                            data: q.data,
                            note,
                        },
                    );
                }
            }
        }
        (t, tip_nodes)
    }

    /// Read one commit by revision (no walk).
    pub fn commit(&self, rev: &str) -> Result<CommitMeta, Error> {
        let id = self.resolve(Some(rev))?;
        let fail = |message: String| Error::Revision {
            path: self.path.clone(),
            rev: rev.chars().take(200).collect(),
            source: message.into(),
        };
        let q = self.read(id).map_err(fail)?;
        let note = self.notes().and_then(|mut n| n.get(id));
        match (RawEntry::Commit {
            id,
            data: q.data,
            note,
        })
        .parse()
        {
            Entry::Commit(c) => Ok(c),
            Entry::Error { message, .. } => Err(fail(message)),
        }
    }

    /// [`Repo::walk_raw`] on the calling thread, sending each entry into `tx` (a bounded channel
    /// keeps memory bounded); stops early when the receiver is dropped. Meant to run on its own
    /// thread while the receiver decodes and classifies.
    pub fn walk_into(
        &self,
        opts: &Options,
        tx: std::sync::mpsc::SyncSender<RawEntry>,
    ) -> Result<Stats, Error> {
        self.walk_raw(opts, |e| tx.send(e).is_ok())
    }

    /// The raw bytes of commit `id` (at most [`MAX_COMMIT_OBJECT_BYTES`], cut after the
    /// examined part of the message), with its parents and committer time for the walk.
    fn read(&self, id: ObjectId) -> Result<Queued, String> {
        let header = match gix::odb::Header::try_header(&self.repo.objects, &id) {
            Ok(Some(h)) => h,
            Ok(None) => return Err("object not found in the repository".into()),
            Err(e) => return Err(format!("cannot read object: {}", one_line(&e.to_string()))),
        };
        let kind = header.kind();
        if kind != gix::objs::Kind::Commit {
            return Err(format!("object is a {kind}, not a commit"));
        }
        let mut data = Vec::new();
        if header.size() > MAX_COMMIT_OBJECT_BYTES {
            data = match header {
                gix::odb::find::Header::Loose { .. } => self.read_loose_prefix(id)?,
                gix::odb::find::Header::Packed(_) => {
                    return Err(format!(
                        "commit object is {} bytes, more than the {MAX_COMMIT_OBJECT_BYTES} aiprov reads, and packed (only a loose object is read in part): not read",
                        header.size()
                    ))
                }
            };
        } else {
            match self.repo.objects.try_find(&id, &mut data) {
                Ok(Some(_)) => {}
                Ok(None) => return Err("object not found in the repository".into()),
                Err(e) => return Err(format!("cannot read object: {}", one_line(&e.to_string()))),
            }
        }
        let split = split_commit(&data)?;
        let parents = split.parents;
        let time = signature(split.committer, Role::Committer, &mut Vec::new())
            .time
            .seconds;
        let keep = split.message_start + MAX_MESSAGE_BYTES;
        if data.len() > keep {
            data.truncate(keep);
            data.shrink_to_fit();
        }
        Ok(Queued {
            time,
            order: 0,
            id,
            parents,
            data,
        })
    }

    /// The first [`MAX_COMMIT_OBJECT_BYTES`] of loose object `id`'s content, inflated no further.
    fn read_loose_prefix(&self, id: ObjectId) -> Result<Vec<u8>, String> {
        use std::io::Read as _;
        let hex = id.to_string();
        let path = self
            .repo
            .objects
            .store_ref()
            .path()
            .join(&hex[..2])
            .join(&hex[2..]);
        let fail = |e: std::io::Error| format!("cannot read object: {}", one_line(&e.to_string()));
        let file = std::fs::File::open(&path).map_err(fail)?;
        let mut inflated = Vec::new();
        // `commit SIZE\0` precedes the content: at most 32 bytes.
        flate2::read::ZlibDecoder::new(std::io::BufReader::new(file))
            .take(MAX_COMMIT_OBJECT_BYTES + 32)
            .read_to_end(&mut inflated)
            .map_err(fail)?;
        let nul = inflated
            .iter()
            .take(32)
            .position(|&b| b == 0)
            .filter(|_| inflated.starts_with(b"commit "))
            .ok_or("corrupt commit object: bad loose object header")?;
        inflated.drain(..=nul);
        inflated.truncate(MAX_COMMIT_OBJECT_BYTES as usize);
        Ok(inflated)
    }

    /// Whether the repository has git-ai notes (`refs/notes/ai`): they can change after a
    /// commit was classified, so nothing derived from them is kept across runs.
    pub fn has_notes(&self) -> bool {
        self.notes().is_some()
    }

    /// Whether the repository is shallow (its history truncated; a later fetch may deepen it).
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow().unwrap_or(false)
    }

    fn notes(&self) -> Option<NotesReader<'_>> {
        let exists = self
            .repo
            .try_find_reference(NOTES_REF)
            .ok()
            .flatten()
            .is_some();
        if !exists {
            return None;
        }
        let platform = self.repo.notes().ok()?.with_refs([NOTES_REF]).ok()?;
        Some(NotesReader { platform })
    }
}

struct NotesReader<'repo> {
    platform: gix::note::Platform<'repo>,
}

impl NotesReader<'_> {
    fn get(&mut self, oid: ObjectId) -> Option<String> {
        let notes = self.platform.get(oid).ok()?;
        let note = notes.into_iter().next()?;
        Some(bounded_utf8(
            note.blob.data.as_slice().into(),
            MAX_NOTE_BYTES,
        ))
    }
}

/// One step of a walk replayed from a [`Traversal`]: what [`Repo::walk_raw`] would have handed
/// its callback, by node index ([`Traversal::id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A commit yielded (its metadata was handed out once by [`Repo::traverse`]).
    Commit(usize),
    /// A commit that could not be read ([`Traversal::error`] says why).
    Error(usize),
}

/// One commit of a [`Traversal`].
#[derive(Debug)]
struct Node {
    id: ObjectId,
    /// Committer time (Unix seconds); 0 when unread.
    time: i64,
    /// Node indices of the parents walked past this commit (none for a shallow boundary or a
    /// commit older than `since`).
    parents: Vec<u32>,
    /// Why the commit could not be read.
    error: Option<String>,
}

/// The in-memory parent graph of one shared traversal of a repository from several tips
/// ([`Repo::traverse`]): each commit read and handed out once; [`Traversal::replay`] then gives
/// each tip's walk, step for step as [`Repo::walk_raw`] would, without reading objects again.
#[derive(Debug, Default)]
pub struct Traversal {
    nodes: Vec<Node>,
    since: Option<i64>,
    /// Commits looked up in the object database (each once).
    pub read: usize,
    /// Commits handed to the callback (each once): the ones some tip's walk yields.
    pub decoded: usize,
}

impl Traversal {
    /// The commit id of node `n`.
    pub fn id(&self, n: usize) -> ObjectId {
        self.nodes[n].id
    }

    /// Why node `n` could not be read, if it could not.
    pub fn error(&self, n: usize) -> Option<&str> {
        self.nodes[n].error.as_deref()
    }

    /// Number of nodes (commits read or found unreadable).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the traversal holds no commit.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Whether some commit could not be read.
    pub fn has_errors(&self) -> bool {
        self.nodes.iter().any(|n| n.error.is_some())
    }

    /// The `since` the traversal was made with.
    pub fn since(&self) -> Option<i64> {
        self.since
    }

    /// Each node's commit id, committer time and parents (node indices), in node order: what
    /// [`Traversal::from_nodes`] takes back. `None` when a node could not be read.
    pub fn nodes(&self) -> Option<Vec<(ObjectId, i64, Vec<u32>)>> {
        self.nodes
            .iter()
            .map(|n| n.error.is_none().then(|| (n.id, n.time, n.parents.clone())))
            .collect()
    }

    /// A traversal made earlier with the same `since` (as [`Traversal::nodes`] gave it), to
    /// continue with [`Repo::traverse_from`]: its commits are not read again. `None` when a
    /// parent index is out of range or an id repeats (a damaged record).
    pub fn from_nodes(
        since: Option<i64>,
        nodes: Vec<(ObjectId, i64, Vec<u32>)>,
    ) -> Option<Traversal> {
        let n = nodes.len();
        let mut ids = Hidden::default();
        let mut out = Vec::with_capacity(n);
        for (id, time, parents) in nodes {
            if !ids.insert(id) || parents.iter().any(|p| *p as usize >= n) {
                return None;
            }
            out.push(Node {
                id,
                time,
                parents,
                error: None,
            });
        }
        Some(Traversal {
            nodes: out,
            since,
            read: 0,
            decoded: 0,
        })
    }

    /// The walk from tip `tip` (a node index returned by [`Repo::traverse`]): the same steps in
    /// the same order as [`Repo::walk_raw`] with the traversal's `since` (newest committer time
    /// first, ties in discovery order; an unreadable commit reported when discovered).
    pub fn replay(&self, tip: usize) -> Vec<Step> {
        let mut out = Vec::new();
        if self.nodes[tip].error.is_some() {
            out.push(Step::Error(tip));
            return out;
        }
        let mut seen = vec![false; self.nodes.len()];
        let mut queue: BinaryHeap<Replayed> = BinaryHeap::new();
        let mut order = 0u64;
        seen[tip] = true;
        queue.push(Replayed {
            time: self.nodes[tip].time,
            order: 0,
            node: tip,
        });
        while let Some(q) = queue.pop() {
            if self.since.is_some_and(|s| q.time < s) {
                continue;
            }
            out.push(Step::Commit(q.node));
            for &p in &self.nodes[q.node].parents {
                let p = p as usize;
                if seen[p] {
                    continue;
                }
                seen[p] = true;
                order += 1;
                match self.nodes[p].error {
                    Some(_) => out.push(Step::Error(p)),
                    None => queue.push(Replayed {
                        time: self.nodes[p].time,
                        order,
                        node: p,
                    }),
                }
            }
        }
        out
    }
}

/// The frontier order of a walk and of its replay: newest committer time first (a max-heap on
/// `time`), then discovery order (`order`, earlier first), as git log orders ties. One
/// definition for both entry types, so a replay cannot drift from the walk it copies.
macro_rules! frontier_order {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == Ordering::Equal
            }
        }
        impl Eq for $t {}
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $t {
            fn cmp(&self, other: &Self) -> Ordering {
                self.time
                    .cmp(&other.time)
                    .then_with(|| other.order.cmp(&self.order))
            }
        }
    };
}

/// Frontier entry of a replay, ordered like [`Queued`].
struct Replayed {
    time: i64,
    order: u64,
    node: usize,
}

frontier_order!(Replayed);

/// Frontier entry: newest committer time first, then discovery order (stable like git log).
struct Queued {
    time: i64,
    order: u64,
    id: ObjectId,
    parents: Vec<ObjectId>,
    data: Vec<u8>,
}

frontier_order!(Queued);

/// A commit object split into what aiprov reads.
struct RawCommit<'a> {
    parents: Vec<ObjectId>,
    author: Option<&'a [u8]>,
    committer: Option<&'a [u8]>,
    message: &'a [u8],
    /// Offset of the message in the object.
    message_start: usize,
}

/// Split a commit object into headers and message, leniently: headers other than `parent`,
/// `author` and `committer` are skipped (continuation lines included), the first of each
/// signature counts, and a missing signature is left to [`signature`]. Only a `parent` that is
/// not an object id is an error (git cannot walk it either).
fn split_commit(data: &[u8]) -> Result<RawCommit<'_>, String> {
    let mut raw = RawCommit {
        parents: Vec::new(),
        author: None,
        committer: None,
        message: &[],
        message_start: data.len(),
    };
    let mut pos = 0;
    while pos < data.len() {
        let end = data[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |n| pos + n);
        let line = &data[pos..end];
        pos = (end + 1).min(data.len());
        if line.is_empty() {
            raw.message_start = pos;
            break;
        }
        if let Some(hex) = line.strip_prefix(b"parent ") {
            let id = ObjectId::from_hex(hex)
                .map_err(|_| "corrupt commit object: a parent is not an object id".to_string())?;
            raw.parents.push(id);
        } else if let Some(v) = line.strip_prefix(b"author ") {
            raw.author.get_or_insert(v);
        } else if let Some(v) = line.strip_prefix(b"committer ") {
            raw.committer.get_or_insert(v);
        }
    }
    raw.message = &data[raw.message_start..];
    Ok(raw)
}

/// First second of year 0 and last second of year 9999 (RFC 3339's range), Unix seconds.
const RFC3339_MIN: i64 = -62_167_219_200;
const RFC3339_MAX: i64 = 253_402_300_799;

/// Read a signature header as git does (`split_ident_line` in git's `ident.c`): the name before
/// `<`, the e-mail up to the next `>`, the time after the last `>`. Whatever git accepts is
/// read and each irregularity pushed to `anomalies` ([`Anomaly`]); nothing is an error.
fn signature(raw: Option<&[u8]>, role: Role, anomalies: &mut Vec<Anomaly>) -> Signature {
    let Some(raw) = raw else {
        anomalies.push(Anomaly::Missing(role));
        return Signature::default();
    };
    let text = |b: &[u8]| bounded_chars(String::from_utf8_lossy(b).trim());
    let lt = raw.iter().position(|&b| b == b'<');
    let gt = lt.and_then(|lt| raw[lt..].iter().position(|&b| b == b'>').map(|n| lt + n));
    let (Some(lt), Some(gt)) = (lt, gt) else {
        // git reads no ident at all: empty name and e-mail, no date.
        anomalies.push(Anomaly::Ident(role));
        return Signature::default();
    };
    let last_gt = raw.iter().rposition(|&b| b == b'>').unwrap_or(gt);
    Signature {
        name: text(&raw[..lt]),
        email: text(&raw[lt + 1..gt]),
        time: parse_time(&raw[last_gt + 1..], role, anomalies),
    }
}

/// `SECONDS ZONE` after an ident. Seconds: the leading decimal digits, as git's commit-date
/// reader takes them (0 if none; a sign, hex or trailing junk is marked); zone: `±HHMM`, else
/// UTC (marked). The time is clamped to what RFC 3339 can write with its offset (marked).
fn parse_time(raw: &[u8], role: Role, anomalies: &mut Vec<Anomaly>) -> Time {
    let raw = String::from_utf8_lossy(raw);
    let mut parts = raw.split_ascii_whitespace();
    let field = parts.next().unwrap_or("");
    let (negative, digits) = match field.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, field),
    };
    let lead = digits.bytes().take_while(u8::is_ascii_digit).count();
    if negative || lead == 0 || lead != digits.len() {
        anomalies.push(Anomaly::Time(role));
    }
    let magnitude = digits[..lead].bytes().fold(0i64, |n, d| {
        n.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    let seconds = if negative { -magnitude } else { magnitude };
    let offset = parts.next().and_then(|z| {
        let (sign, digits) = match z.as_bytes().first()? {
            b'+' => (1, &z[1..]),
            b'-' => (-1, &z[1..]),
            _ => return None,
        };
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let h: i32 = digits[..2].parse().ok()?;
        let m: i32 = digits[2..].parse().ok()?;
        (h < 24 && m < 60).then_some(sign * (h * 3600 + m * 60))
    });
    let offset = offset.unwrap_or_else(|| {
        anomalies.push(Anomaly::Zone(role));
        0
    });
    let off = i64::from(offset);
    let clamped = seconds.clamp(
        RFC3339_MIN.max(RFC3339_MIN - off),
        RFC3339_MAX.min(RFC3339_MAX - off),
    );
    if clamped != seconds {
        anomalies.push(Anomaly::Clamped(role));
    }
    Time {
        seconds: clamped,
        offset,
    }
}

fn bounded_chars(s: &str) -> String {
    s.chars().take(MAX_IDENTITY_CHARS).collect()
}

fn bounded_utf8(bytes: &gix::bstr::BStr, max: usize) -> String {
    let bytes: &[u8] = bytes.as_ref();
    let cut = &bytes[..bytes.len().min(max)];
    let s = String::from_utf8_lossy(cut);
    // A cut inside a multi-byte character leaves one U+FFFD at the end: harmless.
    s.into_owned()
}

fn one_line(s: &str) -> String {
    crate::text::one_line_cut(s, 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(raw: &str) -> (Time, Vec<&'static str>) {
        let mut a = Vec::new();
        let t = parse_time(raw.as_bytes(), Role::Author, &mut a);
        (t, a.iter().map(Anomaly::as_str).collect())
    }

    #[test]
    fn times_read_as_git_reads_them_and_marked() {
        let t = |seconds, offset| Time { seconds, offset };
        assert_eq!(time(" 1700000000 +0130"), (t(1700000000, 5400), vec![]));
        assert_eq!(time("1700000000 -0800"), (t(1700000000, -28800), vec![]));
        assert_eq!(
            time("1700000000 +51800"),
            (t(1700000000, 0), vec!["author.zone"])
        );
        assert_eq!(
            time("1700000000 abc"),
            (t(1700000000, 0), vec!["author.zone"])
        );
        assert_eq!(time("0x65 +0000"), (t(0, 0), vec!["author.time"]));
        assert_eq!(
            time("garbage"),
            (t(0, 0), vec!["author.time", "author.zone"])
        );
        assert_eq!(time("-100 +0000"), (t(-100, 0), vec!["author.time"]));
        assert_eq!(
            time("99999999999999999999999 +0000"),
            (t(RFC3339_MAX, 0), vec!["author.clamped"])
        );
        assert_eq!(
            time("253402300000 +0200"),
            (t(RFC3339_MAX - 7200, 7200), vec!["author.clamped"])
        );
        assert_eq!(
            time("-99999999999 -0100"),
            (
                t(RFC3339_MIN + 3600, -3600),
                vec!["author.time", "author.clamped"]
            )
        );
        assert_eq!(t(RFC3339_MAX, 0).to_rfc3339(), "9999-12-31T23:59:59Z");
        assert_eq!(
            t(RFC3339_MAX - 7200, 7200).to_rfc3339(),
            "9999-12-31T23:59:59+02:00"
        );
        assert_eq!(
            t(RFC3339_MIN + 3600, -3600).to_rfc3339(),
            "0000-01-01T00:00:00-01:00"
        );
        assert_eq!(t(0, 3600).to_rfc3339(), "1970-01-01T01:00:00+01:00");
    }

    #[test]
    fn idents_read_as_git_reads_them_and_marked() {
        let sig = |raw: &str| {
            let mut a = Vec::new();
            let s = signature(Some(raw.as_bytes()), Role::Committer, &mut a);
            (
                s.name,
                s.email,
                s.time.seconds,
                a.iter().map(Anomaly::as_str).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            sig("Name <> 5 +0000"),
            ("Name".into(), "".into(), 5, vec![])
        );
        assert_eq!(
            sig("No Brackets 5 +0000"),
            ("".into(), "".into(), 0, vec!["committer.ident"])
        );
        assert_eq!(
            sig("A <a@x> <b@y> 7 +0000"),
            ("A".into(), "a@x".into(), 7, vec![])
        );
        let mut a = Vec::new();
        assert_eq!(signature(None, Role::Author, &mut a), Signature::default());
        assert_eq!(a, vec![Anomaly::Missing(Role::Author)]);
    }
}
