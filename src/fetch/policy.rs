//! What aiprov accepts in its own mirror cache before git runs there (issue 15, items 1 and 5).
//!
//! The cache is untrusted: it is shared, restored in CI and copied between machines, so anyone
//! may have edited it. git executes commands named in a repository's config (`core.sshCommand`,
//! `core.fsmonitor`, `core.gitProxy`, `credential.helper`, `remote.*.uploadpack`, hooks, …), so
//! before any git command runs in a mirror:
//!
//! - no entry on the way from the cache folder to the mirror, and none of the mirror's own
//!   entries git or aiprov reads or writes (`config`, `HEAD`, `hooks`, `objects`, `refs`,
//!   `packed-refs`, the fetch stamp), is a symbolic link;
//! - the config holds only the keys aiprov and `git clone --bare --filter` write (listed in
//!   [`ALLOWED`]), with the values they write; anything else is refused by name;
//! - `hooks/` holds nothing but git's `*.sample` files, and `objects/info/alternates` is absent.
//!
//! The config is listed by git itself (`git config --file CONFIG --null --list`, which never
//! follows includes and runs nothing), so no second parser can disagree with git's.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Keys (lower-case, `section.variable` or `section.subsection.variable` with the
/// subsection written `*`) aiprov or `git clone --bare --filter=tree:0` writes, with a check of
/// the value. `remote.*` subsections other than `origin` and `aiprov-notes` are allowed only
/// when they are the repository's own URL (git records a promisor remote under the URL when a
/// filtered fetch names the URL instead of a remote).
pub const ALLOWED: &[&str] = &[
    "core.repositoryformatversion",
    "core.filemode",
    "core.bare",
    "core.ignorecase",
    "core.precomposeunicode",
    "core.logallrefupdates",
    "core.symlinks",
    "extensions.partialclone",
    "extensions.objectformat",
    "remote.origin.url",
    "remote.origin.fetch",
    "remote.origin.promisor",
    "remote.origin.partialclonefilter",
    "remote.aiprov-notes.url",
    "remote.aiprov-notes.fetch",
    "remote.aiprov-notes.tagopt",
    "remote.<url>.promisor",
    "remote.<url>.partialclonefilter",
];

/// Refuse `path` when it, or any folder between `root` (exclusive, trusted: the user chose it)
/// and it, is a symbolic link. Missing entries are fine (they are created later).
pub fn no_symlink_on_the_way(root: &Path, path: &Path) -> Result<(), String> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut p = root.to_path_buf();
    for c in rel.components() {
        p.push(c);
        if let Ok(m) = std::fs::symlink_metadata(&p) {
            if m.file_type().is_symlink() {
                return Err(format!(
                    "{} is a symbolic link; the cache never follows links (remove it)",
                    shown(&p)
                ));
            }
        }
    }
    Ok(())
}

/// Refuse a mirror whose own entries are symbolic links, whose hooks are not samples, which
/// borrows objects from elsewhere, or whose config holds a key aiprov did not write. `url` is
/// the URL aiprov derives for it (the only one fetched from). `git` is the git program.
pub fn check_mirror(dir: &Path, url: &str, git: &Path) -> Result<(), String> {
    for name in [
        "config",
        "HEAD",
        "hooks",
        "objects",
        "refs",
        "packed-refs",
        "shallow",
        "info",
        super::STAMP,
        "objects/info",
        "objects/pack",
    ] {
        let p = dir.join(name);
        if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(format!(
                "{} is a symbolic link; the cache never follows links (remove the mirror)",
                shown(&p)
            ));
        }
    }
    if dir.join("objects/info/alternates").exists() {
        return Err(format!(
            "{}: objects/info/alternates borrows objects from outside the mirror; aiprov never writes it (remove the mirror)",
            shown(dir)
        ));
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("hooks")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".sample") {
                return Err(format!(
                    "{}: hooks/{} is a hook; a mirror aiprov made has none (remove it or the mirror)",
                    shown(dir),
                    crate::text::bounded(&name, 80)
                ));
            }
        }
    }
    for (key, value) in list_config(&dir.join("config"), git)? {
        check_key(&key, &value, url).map_err(|why| {
            format!(
                "{}: config key `{}` {why}; aiprov writes only its own keys, and a cached mirror may have been edited by anyone (remove the key or the mirror)",
                shown(dir),
                crate::text::bounded(&escape(&key), 120)
            )
        })?;
    }
    Ok(())
}

fn check_key(key: &str, value: &str, url: &str) -> Result<(), &'static str> {
    let lower = key.to_ascii_lowercase();
    let boolean = |v: &str| matches!(v.to_ascii_lowercase().as_str(), "true" | "false");
    let ok = match lower.as_str() {
        "core.repositoryformatversion" => matches!(value, "0" | "1"),
        "core.filemode"
        | "core.bare"
        | "core.ignorecase"
        | "core.precomposeunicode"
        | "core.logallrefupdates"
        | "core.symlinks" => boolean(value),
        "extensions.partialclone" => value == "origin" || value == url,
        "extensions.objectformat" => matches!(value, "sha1" | "sha256"),
        "remote.origin.url" | "remote.aiprov-notes.url" => true, // never used: fetches name the URL
        "remote.origin.fetch" => matches!(
            value,
            "+refs/heads/*:refs/heads/*" | "+refs/tags/*:refs/tags/*"
        ),
        "remote.aiprov-notes.fetch" => value == "+refs/notes/ai*:refs/notes/ai*",
        "remote.aiprov-notes.tagopt" => value == "--no-tags",
        "remote.origin.promisor" => boolean(value),
        "remote.origin.partialclonefilter" => value == "tree:0",
        _ => {
            // remote.<url>.promisor / .partialclonefilter for the repository's own URL.
            let Some(rest) = key.strip_prefix("remote.") else {
                return Err("is not one aiprov writes");
            };
            let Some((sub, var)) = rest.rsplit_once('.') else {
                return Err("is not one aiprov writes");
            };
            if sub != url {
                return Err("is not one aiprov writes");
            }
            match var.to_ascii_lowercase().as_str() {
                "promisor" => boolean(value),
                "partialclonefilter" => value == "tree:0",
                _ => return Err("is not one aiprov writes"),
            }
        }
    };
    if ok {
        Ok(())
    } else {
        Err("has a value aiprov never writes")
    }
}

/// `(key, value)` pairs of one config file, as git reads it, without includes.
fn list_config(config: &Path, git: &Path) -> Result<Vec<(String, String)>, String> {
    let out = Command::new(git)
        .arg("config")
        .arg("--file")
        .arg(config)
        .args(["--no-includes", "--null", "--list"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_CONFIG")
        .env_remove("GIT_CONFIG_PARAMETERS")
        .env_remove("GIT_CONFIG_COUNT")
        .env_remove("GIT_DIR")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", git.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{}: git cannot read this config file (remove the mirror)",
            shown(config)
        ));
    }
    let mut pairs = Vec::new();
    for entry in out.stdout.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let text = String::from_utf8_lossy(entry);
        let (k, v) = text.split_once('\n').unwrap_or((&text, ""));
        pairs.push((k.to_string(), v.to_string()));
    }
    Ok(pairs)
}

fn shown(p: &Path) -> String {
    crate::text::bounded(
        &escape(&p.display().to_string()),
        2 * crate::sbom::ECHO_LIMIT,
    )
}

fn escape(s: &str) -> String {
    s.chars().flat_map(char::escape_debug).collect()
}

/// The temporary folder a clone is made in before it is renamed to `dest`: beside it, with a
/// `+` no repository name can hold (names are `[A-Za-z0-9._-]`), so it never collides with, or
/// gets cleaned up as, another repository's mirror.
pub fn temporary_for(dest: &Path) -> PathBuf {
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    dest.with_file_name(format!("{name}+tmp-{}", std::process::id()))
}

/// The prefix shared by every temporary folder of `dest` (leftovers of killed clones).
pub fn temporary_prefix(dest: &Path) -> String {
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    format!("{name}+tmp-")
}

/// The lock file of `dest`, with a `+` no repository name can hold.
pub fn lock_for(dest: &Path) -> PathBuf {
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    dest.with_file_name(format!("{name}+lock"))
}
