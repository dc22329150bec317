//! Revisions no tag decides (issue 11): the registry's release time picks the last commit of the
//! default branch at that time (`release-date`); without one the component is
//! `revision-unresolved`, unless `--fallback default-branch`. A loopback server plays PyPI
//! (tests/http_server); the repository is `testdata/diff/lib.fi` as a mirror:
//!
//! ```text
//!  main: c1 (1700000000) ── c2 ── c3 ── c4 (1700003000, v1.1.0) ── c5 (1700004000, v1.2.0)
//! ```

use std::path::Path;
use std::process::Command;

use crate::common::aiprov;
use crate::enrich_common::{prop, props};
use crate::http_server::{ok, Server};
use serde_json::json;

fn mirror(root: &Path) -> String {
    let repo = root.join("github.com/acme/lib.git");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    git(&["init", "-q", "--bare", repo.to_str().unwrap()]);
    let stream =
        std::fs::File::open(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/diff/lib.fi"))
            .unwrap();
    let status = Command::new("git")
        .args([
            "--git-dir",
            repo.to_str().unwrap(),
            "fast-import",
            "--quiet",
        ])
        .stdin(stream)
        .status()
        .unwrap();
    assert!(status.success());
    let g = repo.to_str().unwrap();
    git(&["--git-dir", g, "symbolic-ref", "HEAD", "refs/heads/main"]);
    git(&["--git-dir", g, "rev-parse", "v1.1.0^{commit}"])
}

fn pypi_release(name: &str, version: &str, uploads: &[&str]) -> String {
    let urls: Vec<_> = uploads
        .iter()
        .map(|t| json!({"filename": format!("{name}-{version}.tar.gz"), "upload_time_iso_8601": t}))
        .collect();
    json!({
        "info": {"name": name, "version": version,
                 "project_urls": {"Source": "https://github.com/acme/lib"}},
        "urls": urls
    })
    .to_string()
}

#[test]
fn release_time_picks_the_default_branch_commit_then_unresolved_then_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let mirrors = dir.path().join("mirrors");
    let at_v110 = mirror(&mirrors);
    let server = Server::start();
    // 1.1.5: no tag; published between c4 and c5 (two files: the earliest counts)
    server.route(
        "/pypi/pypi/acme-lib/1.1.5/json",
        vec![ok(
            "application/json",
            pypi_release(
                "acme-lib",
                "1.1.5",
                &["2023-11-14T23:20:00.123456Z", "2023-11-14T23:10:00.000000Z"],
            ),
        )],
    );
    // 0.0.1: no tag; published before the first commit
    server.route(
        "/pypi/pypi/acme-lib/0.0.1/json",
        vec![ok(
            "application/json",
            pypi_release("acme-lib", "0.0.1", &["2020-01-01T00:00:00Z"]),
        )],
    );
    let config = dir.path().join("aiprov.toml");
    std::fs::write(
        &config,
        format!(
            "[registries]\npypi = \"{0}/pypi\"\ndeps-dev = \"{0}/depsdev\"\n",
            server.base
        ),
    )
    .unwrap();
    let bom = dir.path().join("bom.json");
    let comp = |v: &str| {
        json!({"type": "library", "bom-ref": format!("acme-lib@{v}"), "name": "acme-lib", "version": v,
               "purl": format!("pkg:pypi/acme-lib@{v}")})
    };
    // names its repository itself, and its version has a tag: the registry is not asked
    let mut tagged = comp("1.1.0");
    tagged["externalReferences"] = json!([{"type": "vcs", "url": "https://github.com/acme/lib"}]);
    std::fs::write(
        &bom,
        json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
               "components": [comp("1.1.5"), comp("0.0.1"), tagged]})
        .to_string(),
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let run_with = |extra: &[&str]| {
        let mut args = vec![
            "enrich",
            bom.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--mirror-dir",
            mirrors.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let run = aiprov(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()
    };

    let doc = run_with(&[]);
    let p = props(&doc, "/components/0");
    assert_eq!(prop(&p, "aiprov:status"), Some("analyzed"), "{p:?}");
    assert_eq!(prop(&p, "aiprov:revision"), Some(at_v110.as_str()));
    assert_eq!(prop(&p, "aiprov:revision:source"), Some("release-date"));
    assert_eq!(
        prop(&p, "aiprov:revision:release-time"),
        Some("2023-11-14T23:10:00Z")
    );
    assert_eq!(prop(&p, "aiprov:commits:total"), Some("4"));

    let p = props(&doc, "/components/1");
    assert_eq!(
        prop(&p, "aiprov:status"),
        Some("revision-unresolved"),
        "{p:?}"
    );
    assert_eq!(
        // The mirror's path is the builder's file system: written `<local path>` (issue 14).
        prop(&p, "aiprov:status:reason").unwrap(),
        "no tag of <local path> matches version 0.0.1 (4 tags); no commit of the default branch precedes the release time 2020-01-01T00:00:00Z; not walked at the default branch (--fallback default-branch would)"
    );
    let p = props(&doc, "/components/2");
    assert_eq!(prop(&p, "aiprov:revision:source"), Some("tag"));
    assert_eq!(
        server.hits("/pypi/pypi/acme-lib/1.1.0/json"),
        0,
        "a tag decides first: no release time asked"
    );

    // offline, from the cache: the same answers
    let offline = run_with(&["--offline"]);
    assert_eq!(
        props(&offline, "/components/0"),
        props(&doc, "/components/0")
    );

    // the flag walks HEAD for the one no release time decides, and says so
    let flagged = run_with(&["--offline", "--fallback", "default-branch"]);
    let p = props(&flagged, "/components/1");
    assert_eq!(
        prop(&p, "aiprov:revision:source"),
        Some("default-branch"),
        "{p:?}"
    );
    assert_eq!(prop(&p, "aiprov:commits:total"), Some("5"));
    assert_eq!(
        props(&flagged, "/components/0"),
        props(&doc, "/components/0")
    );
}
