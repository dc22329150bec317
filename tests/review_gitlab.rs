//! The GitLab REST client (`src/forge/gitlab.rs`) against the loopback server, in the shapes of
//! GitLab's REST API docs (commits → merge_requests, merge request approvals, merge request
//! pipelines): a commit in two merge requests (one open), self and bot approvals, 404 for a
//! private project, garbage JSON, and the token only in the Authorization header.

use std::collections::BTreeMap;

use crate::http_server::{ok, Reply, Server};
use aiprov::forge::gitlab::{merge_requests, Error};
use aiprov::registry::{Http, HttpConfig};
use aiprov::review::{attribute, Outcome, RuleSet};
use serde_json::json;

const REPO: &str = "https://gitlab.com/grp/sub/proj";
const SHA: &str = "1111111111111111111111111111111111111111";
const TOKEN: &str = "glpat-SECRETSECRETSECRET";

fn http(server: &Server) -> Http {
    let host = server
        .base
        .trim_start_matches("http://")
        .split(':')
        .next()
        .unwrap()
        .to_string();
    Http::new(HttpConfig {
        tokens: BTreeMap::from([(host, "AIPROV_TEST_GITLAB_TOKEN".to_string())]),
        // The loopback API is configured by the user, as `--gitlab-api` does in the CLI.
        trusted_hosts: aiprov::registry::addr::trusted_entry(&server.base)
            .into_iter()
            .collect(),
        retries: 0,
        ..HttpConfig::default()
    })
    .unwrap()
}

fn api(server: &Server) -> String {
    format!("{}/api/v4", server.base)
}

const P: &str = "/api/v4/projects/grp%2Fsub%2Fproj";

fn j(v: serde_json::Value) -> Reply {
    ok("application/json", v.to_string())
}

#[test]
fn merge_requests_approvals_and_pipelines() {
    std::env::set_var("AIPROV_TEST_GITLAB_TOKEN", TOKEN);
    let server = Server::start();
    server.route(
        &format!("{P}/repository/commits/{SHA}/merge_requests"),
        vec![j(json!([
            {"iid": 7, "web_url": format!("{REPO}/-/merge_requests/7"), "state": "merged",
             "author": {"username": "alice"}, "merged_at": "2026-02-02T05:00:00.000Z",
             "merge_user": {"username": "bob"}, "merged_by": {"username": "bob"}},
            {"iid": 9, "web_url": format!("{REPO}/-/merge_requests/9"), "state": "opened",
             "author": {"username": "dave"}, "merged_at": null}
        ]))],
    );
    server.route(
        &format!("{P}/merge_requests/7/approvals"),
        vec![j(json!({"approved": true, "approved_by": [
            {"user": {"username": "alice"}},
            {"user": {"username": "project_12_bot_3f2a"}},
            {"user": {"username": "carol"}}
        ]}))],
    );
    server.route(
        &format!("{P}/merge_requests/7/pipelines"),
        vec![j(
            json!([{"id": 2, "status": "success"}, {"id": 1, "status": "failed"}]),
        )],
    );
    let h = http(&server);
    let rs = merge_requests(&h, &api(&server), REPO, "grp/sub/proj", SHA).unwrap();
    assert_eq!(rs.len(), 2);
    let seven = &rs[0];
    assert_eq!(
        (
            seven.number,
            seven.url.as_str(),
            seven.author.as_deref(),
            seven.merged_by.as_deref(),
            seven.merged_at.as_deref()
        ),
        (
            7,
            "https://gitlab.com/grp/sub/proj/-/merge_requests/7",
            Some("alice"),
            Some("bob"),
            Some("2026-02-02T05:00:00.000Z")
        )
    );
    assert_eq!(
        seven
            .reviews
            .iter()
            .map(|r| r.author.as_str())
            .collect::<Vec<_>>(),
        ["alice", "project_12_bot_3f2a[bot]", "carol"]
    );
    assert_eq!(seven.checks[0].conclusion.as_deref(), Some("success"));
    assert_eq!(rs[1].merged_at, None);
    assert_eq!(
        server.hits(&format!("{P}/merge_requests/9/approvals")),
        0,
        "unmerged: not completed"
    );
    let author = aiprov::history::Signature {
        name: "Dev One".into(),
        email: "dev-1@example.invalid".into(),
        time: Default::default(),
    };
    let rules = RuleSet::builtin().unwrap();
    let refs: Vec<_> = rs.iter().collect();
    let r = attribute(&author, &refs, &rules);
    assert_eq!(r.outcome, Outcome::Approved);
    assert_eq!(r.pull_requests[0].approvals.len(), 1, "only carol counts");
    assert_eq!(r.pull_requests[0].ignored_approvals.len(), 2);
    // Without carol: the author and the bot do not count.
    let mut only = rs[0].clone();
    only.reviews.pop();
    assert_eq!(
        attribute(&author, &[&only], &rules).outcome,
        Outcome::MergedUnapproved
    );
    for (_, _, auth) in server.log() {
        assert_eq!(auth.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    }
}

#[test]
fn failures_are_named_without_the_token() {
    std::env::set_var("AIPROV_TEST_GITLAB_TOKEN", TOKEN);
    let server = Server::start();
    let h = http(&server);
    // No route: the server answers 404 (a private project looks the same).
    let e = merge_requests(&h, &api(&server), REPO, "grp/sub/proj", SHA).unwrap_err();
    assert!(matches!(&e, Error::Http(m) if m.contains("404")), "{e}");
    assert!(!e.to_string().contains(TOKEN));
    server.route(
        &format!("{P}/repository/commits/{SHA}/merge_requests"),
        vec![ok("application/json", "<html>")],
    );
    let e = merge_requests(&h, &api(&server), REPO, "grp/sub/proj", SHA).unwrap_err();
    assert!(matches!(e, Error::BadAnswer(_)), "{e}");
    assert!(merge_requests(&h, &api(&server), REPO, "grp/sub/proj", "../x").is_err());
}

#[test]
fn merged_answers_are_cached_without_expiry() {
    use aiprov::forge::gitlab::merge_requests_cached;
    use aiprov::registry::{Cache, CacheOptions};
    std::env::set_var("AIPROV_TEST_GITLAB_TOKEN", TOKEN);
    let server = Server::start();
    let list = format!("{P}/repository/commits/{SHA}/merge_requests");
    server.route(
        &list,
        vec![j(
            json!([{"iid": 7, "web_url": "u", "author": {"username": "alice"},
                        "merged_at": "2026-02-02T05:00:00Z", "merge_user": {"username": "bob"}}]),
        )],
    );
    server.route(
        &format!("{P}/merge_requests/7/approvals"),
        vec![j(json!({"approved_by": [{"user": {"username": "carol"}}]}))],
    );
    server.route(
        &format!("{P}/merge_requests/7/pipelines"),
        vec![j(json!([]))],
    );
    let dir = tempfile::tempdir().unwrap();
    let h = http(&server);
    let expired = Cache::new(
        dir.path(),
        CacheOptions {
            ttl: std::time::Duration::ZERO,
            ..CacheOptions::default()
        },
    );
    let (first, cached) =
        merge_requests_cached(&h, &expired, &api(&server), REPO, "grp/sub/proj", SHA).unwrap();
    assert!(!cached);
    let (second, cached) =
        merge_requests_cached(&h, &expired, &api(&server), REPO, "grp/sub/proj", SHA).unwrap();
    assert!(cached, "a merged answer never expires");
    assert_eq!(first, second);
    assert_eq!(server.hits(&list), 1);
    let offline = Cache::new(
        dir.path(),
        CacheOptions {
            offline: true,
            ..CacheOptions::default()
        },
    );
    let other = "2222222222222222222222222222222222222222";
    let e = merge_requests_cached(&h, &offline, &api(&server), REPO, "grp/sub/proj", other)
        .unwrap_err();
    assert_eq!(e, Error::Http("offline: not in the cache".into()));
    assert_eq!(server.log().len(), 3);
}
