//! `aiprov enrich` and `aiprov scan` with the network on, against servers this test starts on
//! loopback: an HTTP registry (tests/http_server) answering npm for a component whose SBOM entry
//! names no repository, and `git daemon` (tests/git_daemon) serving a corpus replica. The
//! configuration file points the registries and the git remote at them; nothing leaves the
//! machine. Then the same run `--offline` from the cache, and `aiprov scan` enriched offline.

use crate::common::{self, aiprov, aiprov_with};
use crate::enrich_common;
use crate::git_daemon;
use crate::http_server;
use crate::schema;

use std::path::Path;

use enrich_common::{commits_summary, expected_counts, prop, props};
use git_daemon::{git, serve_replica, Daemon};
use http_server::{ok, Server};
use serde_json::{json, Value};

/// A CycloneDX 1.6 SBOM with one npm component that names no repository.
fn sbom(purl: &str, name: &str, version: &str) -> String {
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [{"type": "library", "bom-ref": "c1", "name": name, "version": version, "purl": purl}]
    })
    .to_string()
}

fn write_config(path: &Path, registry_base: &str, git_port: u16) {
    std::fs::write(
        path,
        format!(
            "[registries]\nnpm = \"{registry_base}/npm\"\ndeps-dev = \"{registry_base}/depsdev\"\n\
             [git.remotes]\n\"github.com\" = \"git://127.0.0.1:{git_port}/github.com\"\n"
        ),
    )
    .unwrap();
}

/// The component's properties without the ones that depend on nothing but the run.
fn component_props(out: &Path) -> Vec<(String, String)> {
    let doc: Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    props(&doc, "/components/0")
}

#[test]
#[ignore = "needs ../shared"]
fn registry_answer_and_git_daemon_fetch_then_offline_from_the_cache() {
    let shared = common::shared();
    let served = tempfile::tempdir().unwrap();
    let replica = serve_replica(&shared, served.path(), "PyCQA", "mccabe", true);
    let released = git(&replica, &["rev-parse", "0.6.1^{commit}"]);
    let daemon = Daemon::start(served.path());
    let server = Server::start();
    let npm_path = "/npm/mccabe-js/1.0.0";
    server.route(
        npm_path,
        vec![ok(
            "application/json",
            json!({
                "name": "mccabe-js",
                "version": "1.0.0",
                "repository": {"type": "git", "url": "git+https://github.com/PyCQA/mccabe.git"},
                "gitHead": released,
            })
            .to_string(),
        )],
    );

    let dir = tempfile::tempdir().unwrap();
    let (bom, config, cache) = (
        dir.path().join("bom.json"),
        dir.path().join("aiprov.toml"),
        dir.path().join("cache"),
    );
    std::fs::write(&bom, sbom("pkg:npm/mccabe-js@1.0.0", "mccabe-js", "1.0.0")).unwrap();
    write_config(&config, &server.base, daemon.port);
    let (out1, out2) = (dir.path().join("out1.json"), dir.path().join("out2.json"));
    let base_args = |out: &Path| -> Vec<String> {
        [
            "enrich",
            bom.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]
        .map(str::to_string)
        .to_vec()
    };

    // Online: the registry names the repository and the commit, git daemon serves it.
    let args = base_args(&out1);
    let run = aiprov(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(server.hits(npm_path), 1, "{:?}", server.log());
    let mirror = cache.join("mirrors/github.com/PyCQA/mccabe.git");
    assert!(mirror.is_dir(), "the repository was cloned into the cache");
    let p = component_props(&out1);
    assert_eq!(prop(&p, "aiprov:status"), Some("analyzed"), "{p:?}");
    assert_eq!(
        prop(&p, "aiprov:repository"),
        Some("https://github.com/PyCQA/mccabe")
    );
    assert_eq!(prop(&p, "aiprov:repository:source"), Some("registry:npm"));
    assert_eq!(prop(&p, "aiprov:revision"), Some(released.as_str()));
    assert_eq!(prop(&p, "aiprov:revision:source"), Some("registry"));
    // Counts equal `aiprov commits` on the replica at that commit.
    let summary = commits_summary(&replica, Some(&released));
    let counts: Vec<(String, String)> = p
        .iter()
        .filter(|(n, _)| {
            n.starts_with("aiprov:commits:")
                || n.starts_with("aiprov:ai:")
                || n.starts_with("aiprov:review:")
        })
        .cloned()
        .collect();
    assert_eq!(counts, expected_counts(&summary));

    // Offline, with both servers gone: the same answer from the registry cache and the mirror.
    drop(daemon);
    let mut args = base_args(&out2);
    args.push("--offline".into());
    let run = aiprov(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(server.hits(npm_path), 1, "offline asks no registry");
    assert_eq!(component_props(&out2), p);
}

#[test]
#[ignore = "needs ../shared"]
fn a_registry_commit_absent_from_the_repository_falls_back_to_the_version_tag() {
    let shared = common::shared();
    let served = tempfile::tempdir().unwrap();
    let replica = serve_replica(&shared, served.path(), "PyCQA", "mccabe", true);
    let tagged = git(&replica, &["rev-parse", "0.7.0^{commit}"]);
    let daemon = Daemon::start(served.path());
    let server = Server::start();
    server.route(
        "/npm/mccabe/0.7.0",
        vec![ok(
            "application/json",
            json!({
                "name": "mccabe",
                "version": "0.7.0",
                "repository": "github:PyCQA/mccabe",
                "gitHead": "0123456789abcdef0123456789abcdef01234567",
            })
            .to_string(),
        )],
    );
    let dir = tempfile::tempdir().unwrap();
    let (bom, config, out) = (
        dir.path().join("bom.json"),
        dir.path().join("aiprov.toml"),
        dir.path().join("out.json"),
    );
    std::fs::write(&bom, sbom("pkg:npm/mccabe@0.7.0", "mccabe", "0.7.0")).unwrap();
    write_config(&config, &server.base, daemon.port);
    let cache = dir.path().join("cache");
    let run = aiprov(&[
        "enrich",
        bom.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--cache-dir",
        cache.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let p = component_props(&out);
    assert_eq!(prop(&p, "aiprov:status"), Some("analyzed"), "{p:?}");
    assert_eq!(prop(&p, "aiprov:revision"), Some(tagged.as_str()));
    assert_eq!(prop(&p, "aiprov:revision:source"), Some("tag"));
}

#[test]
#[ignore = "needs ../shared"]
fn scan_enriches_by_default_offline_against_a_mirror_dir() {
    let shared = common::shared();
    let mirrors = common::corpus_mirrors();
    let _ = shared;
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("repos.toml");
    std::fs::write(
        &map,
        "[repositories]\n\"pkg:npm/is-number\" = \"https://github.com/PyCQA/mccabe\"\n",
    )
    .unwrap();
    let lockfile =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lockfiles/npm/package-lock.json");
    let cache = dir.path().join("cache");
    let run = aiprov_with(
        &[
            "scan",
            lockfile.to_str().unwrap(),
            "--offline",
            "--mirror-dir",
            mirrors.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
            "--repo-map",
            map.to_str().unwrap(),
            // mccabe has no tag 7.0.0 (the version of is-number): count its default branch
            "--fallback",
            "default-branch",
        ],
        None,
        &[("SOURCE_DATE_EPOCH", "1767225600")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    if let Some(shared) = common::shared_dir() {
        schema::validate_cyclonedx(&doc, &shared).unwrap_or_else(|e| panic!("{}", e.join("\n")));
    }
    let comps = doc["components"].as_array().unwrap();
    let i = comps
        .iter()
        .position(|c| c["name"] == "is-number")
        .expect("is-number is locked");
    let p = props(&doc, &format!("/components/{i}"));
    assert_eq!(prop(&p, "aiprov:status"), Some("analyzed"), "{p:?}");
    let revision = prop(&p, "aiprov:revision").unwrap();
    let summary = commits_summary(&mirrors.join("github.com/PyCQA/mccabe.git"), Some(revision));
    let counts: Vec<(String, String)> = p
        .iter()
        .filter(|(n, _)| {
            n.starts_with("aiprov:commits:")
                || n.starts_with("aiprov:ai:")
                || n.starts_with("aiprov:review:")
        })
        .cloned()
        .collect();
    assert_eq!(counts, expected_counts(&summary));
    // Every other locked package: offline, no cached registry answer, no repository.
    for (j, _) in comps.iter().enumerate().filter(|(j, _)| *j != i) {
        let p = props(&doc, &format!("/components/{j}"));
        assert_eq!(prop(&p, "aiprov:status"), Some("no-repository"), "{p:?}");
    }
    let s = props(&doc, "/metadata");
    assert_eq!(prop(&s, "aiprov:summary:status:analyzed"), Some("1"));
    assert!(run.stderr.contains("1 analyzed"), "{}", run.stderr);
    // --no-enrich: the component list only.
    let bare = aiprov(&["scan", lockfile.to_str().unwrap(), "--no-enrich"]);
    assert_eq!(bare.code, 0, "{}", bare.stderr);
    assert!(props(&bare.json(), &format!("/components/{i}")).is_empty());
}

#[test]
#[ignore = "needs ../shared"]
fn a_go_pseudo_version_hash_is_expanded_in_the_fetched_mirror() {
    let shared = common::shared();
    let served = tempfile::tempdir().unwrap();
    let replica = serve_replica(&shared, served.path(), "PyCQA", "mccabe", true);
    let commit = git(&replica, &["rev-parse", "0.6.1^{commit}"]);
    let daemon = Daemon::start(served.path());
    let server = Server::start(); // no route: nothing here is asked, the purl names the repository
    let dir = tempfile::tempdir().unwrap();
    let (bom, config, out) = (
        dir.path().join("bom.json"),
        dir.path().join("aiprov.toml"),
        dir.path().join("out.json"),
    );
    let version = format!("v0.0.0-20170101000000-{}", &commit[..12]);
    let purl = format!("pkg:golang/github.com/PyCQA/mccabe@{version}");
    std::fs::write(&bom, sbom(&purl, "github.com/PyCQA/mccabe", &version)).unwrap();
    std::fs::write(
        &config,
        format!(
            "[registries]\ngo-proxy = \"{b}/goproxy\"\ngo-vanity = \"{b}/vanity\"\ndeps-dev = \"{b}/depsdev\"\n\
             [git.remotes]\n\"github.com\" = \"git://127.0.0.1:{p}/github.com\"\n",
            b = server.base,
            p = daemon.port
        ),
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let run = aiprov(&[
        "enrich",
        bom.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--cache-dir",
        cache.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let p = component_props(&out);
    assert_eq!(
        prop(&p, "aiprov:status"),
        Some("analyzed"),
        "{p:?}\n{}",
        run.stderr
    );
    assert_eq!(
        prop(&p, "aiprov:revision"),
        Some(commit.as_str()),
        "the 12-digit hash, expanded: {p:?}"
    );
    // The module system's record of the commit (design.md counts it with the registries' commits);
    // the repository itself comes from the purl's module path, so no registry is named for it.
    assert_eq!(prop(&p, "aiprov:revision:source"), Some("registry"));
    assert_eq!(prop(&p, "aiprov:repository:source"), None);
}
