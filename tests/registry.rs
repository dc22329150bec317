//! Registry lookups against a real HTTP server on 127.0.0.1 that this test starts, serving the
//! registries' answers from `testdata/registry/` — and misbehaving on purpose: 429 with
//! Retry-After, 500 then success, a read timeout, malformed JSON, an answer over the size cap, a
//! redirect loop. Every lookup ends in an answer with a status and a reason; none aborts the run.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use aiprov::inventory::Component;
use aiprov::registry::{
    AnswerStatus, Cache, CacheOptions, Registry, RegistryAnswer, RegistryConfig,
};

use crate::http_server;

use http_server::{fixture, json_file, ok, Reply, Server};

fn config(server: &Server) -> RegistryConfig {
    let b = &server.base;
    let mut cfg = RegistryConfig {
        crates_io: format!("{b}/crates"),
        crates_download: format!("{b}/static"),
        npm: format!("{b}/npm"),
        pypi: format!("{b}/pypi-host"),
        go_proxy: format!("{b}/goproxy"),
        go_vanity: Some(format!("{b}/vanity")),
        maven: format!("{b}/maven2"),
        deps_dev: format!("{b}/depsdev"),
        deps_dev_fallback: true,
        crate_commits: true,
        ..RegistryConfig::default()
    };
    let h = &mut cfg.http;
    h.read_timeout = Duration::from_millis(400);
    h.connect_timeout = Duration::from_millis(400);
    h.total_timeout = Duration::from_secs(5);
    h.max_body = 64 * 1024;
    h.retries = 2;
    h.backoff = Duration::from_millis(20);
    h.max_backoff = Duration::from_secs(2);
    cfg
}

fn registry(server: &Server, cache: Cache) -> Registry {
    Registry::new(config(server), cache).unwrap()
}

fn no_cache() -> Cache {
    Cache::disabled(CacheOptions::default())
}

fn comp(purl: &str) -> Component {
    Component {
        purl: Some(purl.to_string()),
        ..Default::default()
    }
}

fn repo(a: &RegistryAnswer) -> Option<String> {
    a.repository.as_ref().map(|r| r.to_string())
}

#[test]
fn crates_io_repository_and_released_commit() {
    let s = Server::start();
    s.route(
        "/crates/api/v1/crates/itoa/1.0.19",
        vec![json_file("crates.io/itoa-1.0.19.json")],
    );
    s.route(
        "/static/itoa/itoa-1.0.19.crate",
        vec![ok(
            "application/x-tar",
            std::fs::read(fixture("crates.io/itoa-1.0.19.crate")).unwrap(),
        )],
    );
    s.route(
        "/crates/api/v1/crates/adler2/2.0.1",
        vec![json_file("crates.io/adler2-2.0.1.json")],
    );
    s.route(
        "/crates/api/v1/crates/adler2",
        vec![json_file("crates.io/adler2.json")],
    );
    let r = registry(&s, no_cache());
    let a = r.resolve(&comp("pkg:cargo/itoa@1.0.19"));
    assert_eq!(a.status, AnswerStatus::Found, "{a:?}");
    assert_eq!(repo(&a).as_deref(), Some("https://github.com/dtolnay/itoa"));
    assert_eq!(
        a.commit.as_deref(),
        Some("9339ca99a43c550b5ee36e2afe524d1c90413461")
    );
    assert_eq!(a.source, "registry:crates.io");
    assert_eq!(a.reason, None);
    assert_eq!(a.released, None, "the answer has no created_at");
    // No repository on the version: the crate's own record has it. No .crate served: the
    // commit stays unknown, with a note, and the repository still counts.
    let a = r.resolve(&comp("pkg:cargo/adler2@2.0.1"));
    assert_eq!(
        repo(&a).as_deref(),
        Some("https://github.com/oyvindln/adler2")
    );
    assert_eq!(a.commit, None);
    assert_eq!(
        a.reason.as_deref(),
        Some(format!("released commit unknown: {}/static/adler2/adler2-2.0.1.crate: not found (HTTP 404)", s.base).as_str())
    );
    assert!(s
        .log()
        .iter()
        .all(|(_, ua, _)| ua == concat!("aiprov/", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn npm_repository_directory_and_git_head() {
    let s = Server::start();
    s.route("/npm/debug/4.3.4", vec![json_file("npm/debug-4.3.4.json")]);
    s.route("/npm/vite/5.2.11", vec![json_file("npm/vite-5.2.11.json")]);
    s.route(
        "/npm/@sindresorhus%2Fis/4.6.0",
        vec![json_file("npm/is-4.6.0.json")],
    );
    s.route("/npm/ms/2.1.3", vec![json_file("npm/ms-2.1.3.json")]);
    let r = registry(&s, no_cache());
    let a = r.resolve(&comp("pkg:npm/debug@4.3.4"));
    assert_eq!(
        (a.status, repo(&a).as_deref(), a.commit.as_deref()),
        (
            AnswerStatus::Found,
            Some("https://github.com/debug-js/debug"),
            None
        )
    );
    assert_eq!(a.source, "registry:npm");
    let a = r.resolve(&comp("pkg:npm/vite@5.2.11"));
    assert_eq!(repo(&a).as_deref(), Some("https://github.com/vitejs/vite"));
    assert_eq!(a.directory.as_deref(), Some("packages/vite"));
    let a = r.resolve(&comp("pkg:npm/%40sindresorhus/is@4.6.0"));
    assert_eq!(
        repo(&a).as_deref(),
        Some("https://github.com/sindresorhus/is")
    );
    let a = r.resolve(&comp("pkg:npm/ms@2.1.3"));
    assert_eq!(repo(&a).as_deref(), Some("https://github.com/vercel/ms"));
    assert_eq!(
        a.commit.as_deref(),
        Some("1304f150b38027e0818cc122106b5c7322d68d0c")
    );
}

#[test]
fn pypi_project_urls_by_pep753_label_then_home_page() {
    let s = Server::start();
    s.route(
        "/pypi-host/pypi/httpcore/1.0.5/json",
        vec![json_file("pypi/httpcore-1.0.5.json")],
    );
    s.route(
        "/pypi-host/pypi/socksio/1.0.0/json",
        vec![json_file("pypi/socksio-1.0.0.json")],
    );
    let r = registry(&s, no_cache());
    // "Source" wins over "Homepage" (which is not a repository anyway).
    let a = r.resolve(&comp("pkg:pypi/httpcore@1.0.5"));
    assert_eq!(
        (a.status, repo(&a).as_deref()),
        (
            AnswerStatus::Found,
            Some("https://github.com/encode/httpcore")
        )
    );
    assert_eq!(a.source, "registry:pypi");
    let a = r.resolve(&comp("pkg:pypi/socksio@1.0.0"));
    assert_eq!(
        repo(&a).as_deref(),
        Some("https://github.com/sethmlarson/socksio")
    );
}

#[test]
fn go_origin_vanity_and_pseudo_versions() {
    let s = Server::start();
    s.route(
        "/goproxy/github.com/pmezard/go-difflib/@v/v1.0.0.info",
        vec![json_file("go/go-difflib-v1.0.0.info")],
    );
    s.route(
        "/goproxy/go.uber.org/zap/@v/v1.27.0.info",
        vec![json_file("go/zap-v1.27.0.info")],
    );
    s.route(
        "/vanity/go.uber.org/zap?go-get=1",
        vec![ok(
            "text/html",
            std::fs::read(fixture("go/go.uber.org-zap.html")).unwrap(),
        )],
    );
    s.route(
        "/goproxy/golang.org/x/crypto/@v/v0.0.0-20211117183948-ae814b36b871.info",
        vec![json_file(
            "go/crypto-v0.0.0-20211117183948-ae814b36b871.info",
        )],
    );
    s.route(
        "/vanity/golang.org/x/crypto?go-get=1",
        vec![ok(
            "text/html",
            std::fs::read(fixture("go/golang.org-x-crypto.html")).unwrap(),
        )],
    );
    let mut cfg = config(&s);
    cfg.deps_dev_fallback = false;
    let r = Registry::new(cfg, no_cache()).unwrap();
    let a = r.resolve(&comp("pkg:golang/github.com/pmezard/go-difflib@v1.0.0"));
    assert_eq!(
        repo(&a).as_deref(),
        Some("https://github.com/pmezard/go-difflib")
    );
    assert_eq!(
        a.commit.as_deref(),
        Some("792786c7400a136282c1664665ae0a8db921c6c2")
    );
    assert_eq!(a.source, "registry:go");
    // No Origin recorded: the vanity page names the repository.
    let a = r.resolve(&comp("pkg:golang/go.uber.org/zap@v1.27.0"));
    assert_eq!(
        (a.status, repo(&a).as_deref(), a.commit.as_deref()),
        (
            AnswerStatus::Found,
            Some("https://github.com/uber-go/zap"),
            None
        )
    );
    // the proxy's Time is the release time (revisions no tag decides: release-date)
    assert_eq!(a.released, Some(1_708_462_506), "2024-02-20T20:55:06Z");
    // A module on a forge needs no lookup for the repository (a sub-module keeps its folder);
    // a pseudo-version gives the (abbreviated) commit when the proxy recorded no Origin.
    let a = r.resolve(&comp(
        "pkg:golang/github.com/GoogleCloudPlatform/opentelemetry-operations-go/exporter/trace",
    ));
    assert_eq!(
        repo(&a).as_deref(),
        Some("https://github.com/GoogleCloudPlatform/opentelemetry-operations-go")
    );
    assert_eq!(a.directory.as_deref(), Some("exporter/trace"));
    s.route(
        "/goproxy/github.com/!burnt!sushi/toml/@v/v0.0.0-20160110105554-792786c7400a.info",
        vec![ok(
            "application/json",
            r#"{"Version":"v0.0.0-20160110105554-792786c7400a","Time":"2016-01-10T10:55:54Z"}"#,
        )],
    );
    let a = r.resolve(&comp(
        "pkg:golang/github.com/BurntSushi/toml@v0.0.0-20160110105554-792786c7400a",
    ));
    assert_eq!(
        (repo(&a).as_deref(), a.commit.as_deref()),
        (
            Some("https://github.com/BurntSushi/toml"),
            Some("792786c7400a")
        )
    );
    // The proxy does not know a lower-cased module path (purls lower-case them): the forge path
    // still names the repository.
    let a = r.resolve(&comp("pkg:golang/github.com/burntsushi/toml@v1.4.0"));
    assert_eq!(
        (a.status, repo(&a).as_deref()),
        (
            AnswerStatus::Found,
            Some("https://github.com/burntsushi/toml")
        )
    );
    // Nobody knows it: not found.
    let a = r.resolve(&comp("pkg:golang/example.org/nothing@v1.0.0"));
    assert_eq!(a.status, AnswerStatus::NotFound, "{a:?}");
    assert_eq!(
        a.reason,
        Some(format!(
            "registry:go: {}/goproxy/example.org/nothing/@v/v1.0.0.info: not found (HTTP 404)",
            s.base
        ))
    );
    // golang.org/x/crypto lives on go.googlesource.com: no supported forge.
    let a = r.resolve(&comp(
        "pkg:golang/golang.org/x/crypto@v0.0.0-20211117183948-ae814b36b871",
    ));
    assert_eq!(a.status, AnswerStatus::NoRepository);
    assert_eq!(
        a.reason.as_deref(),
        Some("registry:go: the proxy recorded no Origin; go-import https://go.googlesource.com/crypto is not a repository on github.com, gitlab.com, bitbucket.org, codeberg.org")
    );
}

#[test]
fn maven_scm_and_parent_inheritance() {
    let s = Server::start();
    s.route(
        "/maven2/com/google/guava/guava/33.0.0-jre/guava-33.0.0-jre.pom",
        vec![ok(
            "text/xml",
            std::fs::read(fixture("maven/guava-33.0.0-jre.pom")).unwrap(),
        )],
    );
    s.route(
        "/maven2/com/google/guava/failureaccess/1.0.2/failureaccess-1.0.2.pom",
        vec![ok(
            "text/xml",
            std::fs::read(fixture("maven/failureaccess-1.0.2.pom")).unwrap(),
        )],
    );
    s.route(
        "/maven2/com/google/guava/guava-parent/26.0-android/guava-parent-26.0-android.pom",
        vec![ok(
            "text/xml",
            std::fs::read(fixture("maven/guava-parent-26.0-android.pom")).unwrap(),
        )],
    );
    let r = registry(&s, no_cache());
    let a = r.resolve(&comp("pkg:maven/com.google.guava/guava@33.0.0-jre"));
    assert_eq!(
        (a.status, repo(&a).as_deref(), a.source.as_str()),
        (
            AnswerStatus::Found,
            Some("https://github.com/google/guava"),
            "registry:maven"
        )
    );
    // failureaccess has no <scm> and no <url>: its parent's <scm> names the repository.
    let a = r.resolve(&comp("pkg:maven/com.google.guava/failureaccess@1.0.2"));
    assert_eq!(repo(&a).as_deref(), Some("https://github.com/google/guava"));
    assert_eq!(
        s.hits("/maven2/com/google/guava/guava-parent/26.0-android/guava-parent-26.0-android.pom"),
        1
    );
}

#[test]
fn deps_dev_is_the_fallback() {
    let s = Server::start();
    s.route(
        "/depsdev/v3/systems/RUBYGEMS/packages/rails/versions/7.1.3",
        vec![json_file("deps.dev/rails-7.1.3.json")],
    );
    s.route(
        "/depsdev/v3/systems/NPM/packages/left-pad/versions/1.3.0",
        vec![ok("application/json", r#"{"versionKey":{"system":"NPM","name":"left-pad","version":"1.3.0"},"links":[{"label":"SOURCE_REPO","url":"git+https://github.com/stevemao/left-pad.git"}],"relatedProjects":[{"projectKey":{"id":"github.com/stevemao/left-pad"},"relationProvenance":"UNVERIFIED_METADATA","relationType":"SOURCE_REPO"}]}"#)],
    );
    let r = registry(&s, no_cache());
    // gem has no registry of its own here: deps.dev answers.
    let a = r.resolve(&comp("pkg:gem/rails@7.1.3"));
    assert_eq!(
        (a.status, repo(&a).as_deref(), a.source.as_str()),
        (
            AnswerStatus::Found,
            Some("https://github.com/rails/rails"),
            "registry:deps.dev"
        )
    );
    // npm does not know it (404): deps.dev does, and the reason says what npm said.
    let a = r.resolve(&comp("pkg:npm/left-pad@1.3.0"));
    assert_eq!(
        (a.status, repo(&a).as_deref()),
        (
            AnswerStatus::Found,
            Some("https://github.com/stevemao/left-pad")
        )
    );
    assert_eq!(
        a.reason,
        Some(format!(
            "registry:npm: {}/npm/left-pad/1.3.0: not found (HTTP 404)",
            s.base
        ))
    );
    // Neither knows it.
    let a = r.resolve(&comp("pkg:npm/no-such-package-x@1.0.0"));
    assert_eq!(a.status, AnswerStatus::NotFound);
    assert_eq!(a.status.component_status(), Some("no-repository"));
    assert_eq!(
        a.reason,
        Some(format!(
            "registry:npm: {b}/npm/no-such-package-x/1.0.0: not found (HTTP 404); registry:deps.dev: {b}/depsdev/v3/systems/NPM/packages/no-such-package-x/versions/1.0.0: not found (HTTP 404)",
            b = s.base
        ))
    );
    let a = r.resolve(&comp("pkg:generic/thing@1"));
    assert_eq!(
        (a.status, a.reason.as_deref()),
        (
            AnswerStatus::Unsupported,
            Some("no registry lookup for purl type \"generic\"")
        )
    );
}

/// Every misbehaviour at once, resolved concurrently as one run: each component ends with the
/// right status and reason, and the run completes.
#[test]
fn misbehaving_registry_ends_each_lookup_with_a_reason() {
    let s = Server::start();
    let debug = std::fs::read(fixture("npm/debug-4.3.4.json")).unwrap();
    let retry = |secs: &str| {
        Reply::Full(
            429,
            vec![("Retry-After", secs.to_string())],
            b"slow down".to_vec(),
        )
    };
    s.route(
        "/npm/rate-limited/1.0.0",
        vec![retry("1"), ok("application/json", debug.clone())],
    );
    s.route("/npm/rate-limited-long/1.0.0", vec![retry("3600")]);
    s.route(
        "/npm/flaky/1.0.0",
        vec![
            Reply::Full(500, vec![], b"oops".to_vec()),
            ok("application/json", debug.clone()),
        ],
    );
    s.route(
        "/npm/down/1.0.0",
        vec![Reply::Full(503, vec![], b"down".to_vec())],
    );
    s.route(
        "/npm/hangs/1.0.0",
        vec![Reply::Stall(Duration::from_secs(3))],
    );
    s.route(
        "/npm/garbled/1.0.0",
        vec![ok(
            "application/json",
            &b"{\"name\": \"garbled\", \"repository\": "[..],
        )],
    );
    s.route("/npm/huge/1.0.0", vec![Reply::Endless]);
    s.route(
        "/npm/loop/1.0.0",
        vec![Reply::Full(
            302,
            vec![("Location", "/npm/loop/1.0.0".into())],
            vec![],
        )],
    );
    let mut cfg = config(&s);
    cfg.deps_dev_fallback = false;
    let r = Registry::new(cfg, no_cache()).unwrap();
    let names = [
        "rate-limited",
        "rate-limited-long",
        "flaky",
        "down",
        "hangs",
        "garbled",
        "huge",
        "loop",
    ];
    let started = Instant::now();
    let answers: Vec<RegistryAnswer> = std::thread::scope(|sc| {
        let handles: Vec<_> = names
            .iter()
            .map(|n| {
                let r = &r;
                sc.spawn(move || r.resolve(&comp(&format!("pkg:npm/{n}@1.0.0"))))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let b = &s.base;
    let got: Vec<(AnswerStatus, Option<String>, Option<String>)> = answers
        .iter()
        .map(|a| (a.status, repo(a), a.reason.clone()))
        .collect();
    let failed = |reason: String| {
        (
            AnswerStatus::Failed,
            None,
            Some(format!("registry:npm: {reason}")),
        )
    };
    assert_eq!(
        got,
        vec![
            (AnswerStatus::Found, Some("https://github.com/debug-js/debug".to_string()), None),
            failed(format!("{b}/npm/rate-limited-long/1.0.0: HTTP 429 with Retry-After 3600 s, more than the 2 s aiprov waits")),
            (AnswerStatus::Found, Some("https://github.com/debug-js/debug".to_string()), None),
            failed(format!("{b}/npm/down/1.0.0: HTTP 503 after 3 attempts")),
            failed(format!("{b}/npm/hangs/1.0.0: timed out (no answer within 400 ms)")),
            failed(format!("{b}/npm/garbled/1.0.0: malformed answer: not JSON (EOF while parsing a value at line 1 column 34)")),
            failed(format!("{b}/npm/huge/1.0.0: answer larger than 65536 bytes; not read")),
            failed(format!("{b}/npm/loop/1.0.0: too many redirects (more than 5)")),
        ]
    );
    assert_eq!(answers[4].status.component_status(), Some("error"));
    assert_eq!(
        (
            s.hits("/npm/rate-limited/1.0.0"),
            s.hits("/npm/flaky/1.0.0"),
            s.hits("/npm/down/1.0.0")
        ),
        (2, 2, 3)
    );
    assert_eq!(
        s.hits("/npm/loop/1.0.0"),
        6,
        "the first request and 5 redirects"
    );
}

#[test]
fn cache_offline_refresh_and_concurrency_limit() {
    let s = Server::start();
    s.route(
        "/npm/debug/4.3.4",
        vec![Reply::Slow(
            Duration::from_millis(150),
            Box::new(json_file("npm/debug-4.3.4.json")),
        )],
    );
    s.route(
        "/npm/ms/2.1.3",
        vec![Reply::Slow(
            Duration::from_millis(150),
            Box::new(json_file("npm/ms-2.1.3.json")),
        )],
    );
    s.route(
        "/npm/vite/5.2.11",
        vec![Reply::Slow(
            Duration::from_millis(150),
            Box::new(json_file("npm/vite-5.2.11.json")),
        )],
    );
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&s);
    cfg.http.per_host_concurrency = 1;
    cfg.deps_dev_fallback = false;
    let r = Registry::new(cfg.clone(), Cache::new(dir.path(), CacheOptions::default())).unwrap();
    let purls = [
        "pkg:npm/debug@4.3.4",
        "pkg:npm/ms@2.1.3",
        "pkg:npm/vite@5.2.11",
        "pkg:npm/absent@1.0.0",
    ];
    let first: Vec<RegistryAnswer> = std::thread::scope(|sc| {
        let hs: Vec<_> = purls
            .iter()
            .map(|p| {
                let r = &r;
                sc.spawn(move || r.resolve(&comp(p)))
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        s.max_in_flight.load(Ordering::SeqCst),
        1,
        "one request at a time to one host"
    );
    assert_eq!(s.in_flight.load(Ordering::SeqCst), 0);
    assert!(first.iter().all(|a| !a.cached));
    assert_eq!(first[3].status, AnswerStatus::NotFound);
    let requests = s.log().len();
    // Offline: the same answers from the cache (found and not found alike), no request.
    let offline = Registry::new(
        cfg.clone(),
        Cache::new(
            dir.path(),
            CacheOptions {
                offline: true,
                ..Default::default()
            },
        ),
    )
    .unwrap();
    for (p, before) in purls.iter().zip(&first) {
        let a = offline.resolve(&comp(p));
        assert!(a.cached, "{p}");
        assert_eq!(
            (a.status, &a.repository, &a.commit, &a.reason),
            (
                before.status,
                &before.repository,
                &before.commit,
                &before.reason
            )
        );
    }
    assert_eq!(s.log().len(), requests, "offline never touches the network");
    // Failures that may go away are not cached: offline, there is nothing for them.
    s.route(
        "/npm/broken/1.0.0",
        vec![Reply::Full(502, vec![], b"bad gateway".to_vec())],
    );
    assert_eq!(
        r.resolve(&comp("pkg:npm/broken@1.0.0")).status,
        AnswerStatus::Failed
    );
    assert_eq!(
        offline.resolve(&comp("pkg:npm/broken@1.0.0")).status,
        AnswerStatus::Offline
    );
    let requests = s.log().len();
    let a = offline.resolve(&comp("pkg:npm/never-asked@1.0.0"));
    assert_eq!(
        (a.status, a.reason.as_deref()),
        (
            AnswerStatus::Offline,
            Some("offline, and no cached registry answer for pkg:npm/never-asked@1.0.0")
        )
    );
    assert_eq!(a.status.component_status(), Some("no-repository"));
    assert_eq!(s.log().len(), requests, "offline never touches the network");
    // Within the TTL the cache answers; --refresh asks again.
    assert!(r.resolve(&comp(purls[0])).cached);
    assert_eq!(s.log().len(), requests);
    let refresh = Registry::new(
        cfg,
        Cache::new(
            dir.path(),
            CacheOptions {
                refresh: true,
                ..Default::default()
            },
        ),
    )
    .unwrap();
    assert!(!refresh.resolve(&comp(purls[0])).cached);
    assert_eq!(s.log().len(), requests + 1);
}

#[test]
fn tokens_go_only_to_their_host_and_credentials_never_reach_a_message() {
    let s = Server::start();
    s.route("/npm/debug/4.3.4", vec![json_file("npm/debug-4.3.4.json")]);
    // This variable is read only by this test's Registry.
    std::env::set_var("AIPROV_TEST_REGISTRY_TOKEN", "tok-3f9a1c");
    let mut cfg = config(&s);
    cfg.http
        .tokens
        .insert("127.0.0.1".into(), "AIPROV_TEST_REGISTRY_TOKEN".into());
    cfg.deps_dev_fallback = false;
    let r = Registry::new(cfg.clone(), no_cache()).unwrap();
    assert_eq!(
        repo(&r.resolve(&comp("pkg:npm/debug@4.3.4"))).as_deref(),
        Some("https://github.com/debug-js/debug")
    );
    assert_eq!(
        s.log().last().unwrap().2.as_deref(),
        Some("Bearer tok-3f9a1c")
    );
    assert!(!format!("{r:?}").contains("tok-3f9a1c"));
    // A base URL with user:password: the request is made, no message shows the password.
    let host = s.base.trim_start_matches("http://");
    cfg.npm = format!("http://deploy:hunter2@{host}/npm");
    cfg.http.tokens.clear();
    let r = Registry::new(cfg, no_cache()).unwrap();
    let a = r.resolve(&comp("pkg:npm/absent@1.0.0"));
    assert_eq!(
        a.reason,
        Some(format!(
            "registry:npm: http://{host}/npm/absent/1.0.0: not found (HTTP 404)"
        ))
    );
    assert!(!format!("{a:?}").contains("hunter2"));
}

#[test]
fn hostile_answers_and_names() {
    let s = Server::start();
    // A registry answer naming a huge list of repository URLs is cut at the size cap.
    let mut huge = String::from("{\"name\":\"many\",\"repository\":[");
    while huge.len() < 200_000 {
        huge.push_str("\"https://github.com/o/r\",");
    }
    huge.push_str("\"x\"]}");
    s.route("/npm/many/1.0.0", vec![ok("application/json", huge)]);
    let mut cfg = config(&s);
    cfg.deps_dev_fallback = false;
    let r = Registry::new(cfg, no_cache()).unwrap();
    let a = r.resolve(&comp("pkg:npm/many@1.0.0"));
    assert_eq!(
        a.reason,
        Some(format!(
            "registry:npm: {}/npm/many/1.0.0: answer larger than 65536 bytes; not read",
            s.base
        ))
    );
    // Path traversal in a purl name never leaves the registry's path, and is not even asked.
    let before = s.log().len();
    for p in [
        "pkg:npm/..@1.0.0",
        "pkg:cargo/..%2F..%2Fetc@1",
        "pkg:golang/example.org/../../etc@v1.0.0",
        "pkg:maven/../x@1",
    ] {
        let a = r.resolve(&comp(p));
        assert_eq!(a.status, AnswerStatus::NotFound, "{p}: {a:?}");
        assert!(
            a.reason.as_deref().unwrap().contains("not a valid"),
            "{p}: {a:?}"
        );
    }
    assert_eq!(s.log().len(), before);
}

#[test]
fn requests_to_one_host_are_paced() {
    let s = Server::start();
    let mut cfg = config(&s);
    cfg.deps_dev_fallback = false;
    cfg.http
        .per_host_interval
        .insert("127.0.0.1".into(), Duration::from_millis(150));
    let r = Registry::new(cfg, no_cache()).unwrap();
    let started = Instant::now();
    for n in ["a", "b", "c"] {
        assert_eq!(
            r.resolve(&comp(&format!("pkg:npm/{n}@1.0.0"))).status,
            AnswerStatus::NotFound
        );
    }
    // Three request starts, 150 ms apart at least.
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_unreachable_registry_is_tried_once_per_run() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = RegistryConfig {
        npm: format!("http://127.0.0.1:{port}/npm"),
        deps_dev_fallback: false,
        http: aiprov::registry::HttpConfig {
            retries: 1,
            backoff: Duration::from_millis(10),
            ..Default::default()
        },
        ..RegistryConfig::default()
    };
    let r = Registry::new(cfg, no_cache()).unwrap();
    let a = r.resolve(&comp("pkg:npm/debug@4.3.4"));
    assert_eq!(a.status, AnswerStatus::Failed);
    let first = a.reason.unwrap();
    assert!(
        first.starts_with(&format!(
            "registry:npm: http://127.0.0.1:{port}/npm/debug/4.3.4: cannot connect: "
        )),
        "{first}"
    );
    let started = Instant::now();
    let b = r.resolve(&comp("pkg:npm/ms@2.1.3"));
    assert!(started.elapsed() < Duration::from_millis(50));
    assert!(b
        .reason
        .unwrap()
        .ends_with("(earlier in this run; not tried again)"));
}
