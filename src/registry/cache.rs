//! The on-disk cache of registry answers: one small JSON file per question, under
//! `CACHE/registry/v1/<ab>/<hash>.json`.
//!
//! Files, not SQLite: every write goes to a temporary file in the same folder and is renamed over
//! the old one, which is atomic, so readers see a whole old answer or a whole new one and two runs
//! writing the same entry at once cannot corrupt it (the last rename wins, both were complete).
//! No lock is needed, nothing is ever rewritten in place, and a damaged or foreign file reads as
//! a miss and is replaced. Each file repeats its key, so a hash collision also reads as a miss.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// How the cache is used in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheOptions {
    /// How long an answer stays fresh.
    pub ttl: Duration,
    /// Never touch the network: any cached answer is used, however old.
    pub offline: bool,
    /// Ignore the TTL: ask the registry again (unless offline) and store the new answer.
    pub refresh: bool,
}

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions {
            ttl: Duration::from_secs(7 * 24 * 3600),
            offline: false,
            refresh: false,
        }
    }
}

/// The registry-answer cache (or none, when `dir` is `None`: nothing is kept).
#[derive(Debug, Clone)]
pub struct Cache {
    dir: Option<PathBuf>,
    /// How it is used.
    pub opts: CacheOptions,
}

/// What the cache holds for a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// Within the TTL (or offline): use it.
    Fresh(Value),
    /// Older than the TTL, or `refresh` is on: ask again, fall back to it only if asking fails.
    Stale(Value),
    /// Nothing usable.
    Missing,
}

impl Cache {
    /// A cache under `cache_dir/registry/v1`.
    pub fn new(cache_dir: &Path, opts: CacheOptions) -> Cache {
        Cache {
            dir: Some(cache_dir.join("registry").join("v1")),
            opts,
        }
    }

    /// No cache: every lookup misses and nothing is written.
    pub fn disabled(opts: CacheOptions) -> Cache {
        Cache { dir: None, opts }
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let hex = key_hash(key);
        Some(dir.join(&hex[..2]).join(format!("{hex}.json")))
    }

    /// The entry for `key`.
    pub fn get(&self, key: &str) -> Lookup {
        let Some(path) = self.path(key) else {
            return Lookup::Missing;
        };
        let Ok(bytes) = std::fs::read(&path) else {
            return Lookup::Missing;
        };
        let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
            return Lookup::Missing;
        };
        if v.get("key").and_then(Value::as_str) != Some(key) {
            return Lookup::Missing;
        }
        let (Some(stored), Some(answer)) =
            (v.get("stored").and_then(Value::as_u64), v.get("answer"))
        else {
            return Lookup::Missing;
        };
        let age = now_secs().saturating_sub(stored);
        if self.opts.offline || (!self.opts.refresh && age < self.opts.ttl.as_secs()) {
            Lookup::Fresh(answer.clone())
        } else {
            Lookup::Stale(answer.clone())
        }
    }

    /// Store `answer` for `key` (atomically; errors are returned, callers may ignore them: a
    /// cache that cannot be written only costs a later lookup).
    pub fn put(&self, key: &str, answer: &Value) -> std::io::Result<()> {
        let Some(path) = self.path(key) else {
            return Ok(());
        };
        let dir = path.parent().expect("cache paths have a parent");
        std::fs::create_dir_all(dir)?;
        let body =
            serde_json::to_vec(&json!({ "key": key, "stored": now_secs(), "answer": answer }))
                .map_err(std::io::Error::other)?;
        let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
        std::io::Write::write_all(&mut tmp, &body)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Hex SHA-1 of the key (a file name, not a security boundary: the file repeats its key).
fn key_hash(key: &str) -> String {
    let mut h = gix::hash::hasher(gix::hash::Kind::Sha1);
    h.update(key.as_bytes());
    match h.try_finalize() {
        Ok(id) => id.to_string(),
        // A SHA-1 collision attack pattern in a cache key: fall back to a plain checksum.
        Err(_) => format!(
            "{:040x}",
            key.bytes()
                .fold(0u128, |a, b| a.wrapping_mul(131).wrapping_add(b as u128))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_offline_refresh() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::new(dir.path(), CacheOptions::default());
        assert_eq!(c.get("k"), Lookup::Missing);
        c.put("k", &json!({"a": 1})).unwrap();
        assert_eq!(c.get("k"), Lookup::Fresh(json!({"a": 1})));
        let expired = Cache::new(
            dir.path(),
            CacheOptions {
                ttl: Duration::ZERO,
                ..Default::default()
            },
        );
        assert_eq!(expired.get("k"), Lookup::Stale(json!({"a": 1})));
        let refresh = Cache::new(
            dir.path(),
            CacheOptions {
                refresh: true,
                ..Default::default()
            },
        );
        assert_eq!(refresh.get("k"), Lookup::Stale(json!({"a": 1})));
        let offline = Cache::new(
            dir.path(),
            CacheOptions {
                ttl: Duration::ZERO,
                offline: true,
                refresh: true,
            },
        );
        assert_eq!(offline.get("k"), Lookup::Fresh(json!({"a": 1})));
        assert_eq!(
            Cache::disabled(CacheOptions::default()).get("k"),
            Lookup::Missing
        );
    }

    #[test]
    fn damaged_or_foreign_files_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::new(dir.path(), CacheOptions::default());
        c.put("k", &json!(1)).unwrap();
        let path = c.path("k").unwrap();
        std::fs::write(&path, b"{\"key\": \"k\", \"stored\": 1").unwrap();
        assert_eq!(c.get("k"), Lookup::Missing);
        std::fs::write(
            &path,
            serde_json::to_vec(&json!({"key": "other", "stored": now_secs(), "answer": 2}))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(c.get("k"), Lookup::Missing);
        c.put("k", &json!(3)).unwrap();
        assert_eq!(c.get("k"), Lookup::Fresh(json!(3)));
    }

    #[test]
    fn concurrent_writers_leave_a_whole_entry() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::new(dir.path(), CacheOptions::default());
        let big = "x".repeat(200_000);
        std::thread::scope(|s| {
            for i in 0..4 {
                let (c, big) = (&c, &big);
                s.spawn(move || {
                    for j in 0..10 {
                        c.put("shared", &json!({"writer": i, "round": j, "pad": big}))
                            .unwrap();
                        match c.get("shared") {
                            Lookup::Fresh(v) => {
                                assert_eq!(v["pad"].as_str().unwrap().len(), 200_000)
                            }
                            other => panic!("{other:?}"),
                        }
                    }
                });
            }
        });
        let leftovers: Vec<_> = std::fs::read_dir(c.path("shared").unwrap().parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }
}
