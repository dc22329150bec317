//! Issue 15, item 4: hosts taken from SBOM content or registry answers never reach loopback,
//! link-local, private, unique-local or multicast addresses — checked on the resolved address —
//! while the same server configured explicitly by the user is used as usual.

use std::time::Duration;

use aiprov::fetch::{ensure_mirror_url, FetchError, FetchOptions, Trust};
use aiprov::inventory::Component;
use aiprov::registry::{AnswerStatus, Cache, CacheOptions, Registry, RegistryConfig};

use crate::http_server;

use http_server::{ok, Reply, Server};

fn config(server: &Server) -> RegistryConfig {
    let b = &server.base;
    let mut cfg = RegistryConfig {
        crates_io: format!("{b}/crates"),
        crates_download: format!("{b}/static"),
        npm: format!("{b}/npm"),
        pypi: format!("{b}/pypi-host"),
        go_proxy: format!("{b}/goproxy"),
        go_vanity: None,
        maven: format!("{b}/maven2"),
        deps_dev: format!("{b}/depsdev"),
        deps_dev_fallback: false,
        crate_commits: false,
        ..RegistryConfig::default()
    };
    cfg.http.connect_timeout = Duration::from_millis(500);
    cfg.http.read_timeout = Duration::from_millis(500);
    cfg.http.retries = 0;
    cfg
}

fn comp(purl: &str) -> Component {
    Component {
        purl: Some(purl.to_string()),
        ..Default::default()
    }
}

#[test]
fn a_purl_host_on_a_loopback_or_link_local_address_is_never_contacted() {
    let s = Server::start();
    // The (configured) module proxy knows the modules but records no Origin, so the go-get
    // lookup goes to the module's own host.
    for m in [
        "127.0.0.1/x",
        "169.254.169.254/latest/meta-data",
        "10.0.0.1/x",
    ] {
        s.route(
            &format!("/goproxy/{m}/@v/v1.0.0.info"),
            vec![ok("application/json", r#"{"Version":"v1.0.0"}"#)],
        );
    }
    let r = Registry::new(config(&s), Cache::disabled(CacheOptions::default())).unwrap();
    for (purl, kind) in [
        ("pkg:golang/127.0.0.1/x@v1.0.0", "loopback"),
        (
            "pkg:golang/169.254.169.254/latest/meta-data@v1.0.0",
            "link-local",
        ),
        ("pkg:golang/10.0.0.1/x@v1.0.0", "private"),
    ] {
        let a = r.resolve(&comp(purl));
        let reason = a.reason.clone().unwrap_or_default();
        assert!(
            reason.contains("refused") && reason.contains(kind),
            "{purl}: {reason}"
        );
        assert_ne!(a.status, AnswerStatus::Found, "{purl}");
    }
}

#[test]
fn the_same_loopback_server_configured_by_the_user_is_asked() {
    let s = Server::start();
    let module = "example.test/x";
    s.route(
        &format!("/vanity/{module}?go-get=1"),
        vec![ok(
            "text/html",
            format!("<meta name=\"go-import\" content=\"{module} git https://github.com/o/x\">"),
        )],
    );
    let mut cfg = config(&s);
    cfg.go_vanity = Some(format!("{}/vanity", s.base));
    let r = Registry::new(cfg, Cache::disabled(CacheOptions::default())).unwrap();
    let a = r.resolve(&comp(&format!("pkg:golang/{module}@v1.0.0")));
    assert_eq!(
        a.repository.map(|u| u.to_string()).as_deref(),
        Some("https://github.com/o/x"),
        "{:?}",
        a.reason
    );
    assert_eq!(s.hits(&format!("/vanity/{module}?go-get=1")), 1);
}

#[test]
fn a_redirect_to_a_name_resolving_to_loopback_is_not_followed() {
    let s = Server::start();
    let port = s.base.rsplit(':').next().unwrap().to_string();
    // The configured registry (127.0.0.1) redirects to `localhost`, a host nobody configured,
    // which resolves to loopback: refused on the resolved address, never asked.
    s.route(
        "/npm/left-pad/1.3.0",
        vec![Reply::Full(
            302,
            vec![(
                "Location",
                format!("http://localhost:{port}/internal/left-pad"),
            )],
            Vec::new(),
        )],
    );
    s.route(
        "/internal/left-pad",
        vec![ok(
            "application/json",
            r#"{"repository":"https://github.com/o/left-pad"}"#,
        )],
    );
    let r = Registry::new(config(&s), Cache::disabled(CacheOptions::default())).unwrap();
    let a = r.resolve(&comp("pkg:npm/left-pad@1.3.0"));
    assert_eq!(s.hits("/npm/left-pad/1.3.0"), 1);
    assert_eq!(s.hits("/internal/left-pad"), 0, "{:?}", a.reason);
    let reason = a.reason.unwrap_or_default();
    assert!(
        reason.contains("refused") && reason.contains("loopback"),
        "{reason}"
    );
}

#[test]
fn git_never_clones_from_a_document_host_on_a_private_address() {
    let cache = tempfile::tempdir().unwrap();
    let opts = FetchOptions::new(cache.path());
    for url in [
        "https://127.0.0.1/o/r.git",
        "https://localhost/o/r.git",
        "git://169.254.169.254/o/r.git",
        "ssh://git@127.0.0.2/o/r.git",
    ] {
        match ensure_mirror_url(url, Trust::Document, &opts) {
            Err(FetchError::Refused { reason, .. }) => {
                assert!(reason.contains("address"), "{url}: {reason}")
            }
            other => panic!("{url}: {other:?}"),
        }
    }
    assert!(!cache.path().join("mirrors").exists());
}
