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

const G: &str = "https://gitlab.com/acme/gadget";
const GP: &str = "/api/v4/projects/acme%2Fgadget";
/// The commits after v0.9.0 in `testdata/reviews/gadget.fi` (five of them AI commits).
const GADGET: [&str; 6] = [
    "913e6fb9080578fa3809ddb4ab432ba572cfafa5",
    "93164829044f893f1736e17f05f3f88b91c031e2",
    "45c1bcaa684910b1b5fc147aaafe80254df75205",
    "f556fb24d598fced8b4993fe1216da183e2e9122",
    "e68539d62008fd8f1ab7ac05720329bafed54b85",
    "57b7bcbce440641038734b0f7d65634435402cc2",
];

/// A GitLab for `acme/gadget` in the REST API's shapes: the first three commits each came in
/// through a merged merge request (1: approved by carol; 2: approved by a project bot only;
/// 3: approved by its author only), the others through none.
fn gadget_gitlab() -> Server {
    let server = Server::start();
    for (i, c) in GADGET.iter().enumerate() {
        let n = i + 1;
        let list = if n <= 3 {
            json!([{"iid": n, "web_url": format!("{G}/-/merge_requests/{n}"), "state": "merged",
                    "author": {"username": if n == 3 { "alice" } else { "dev-1" }},
                    "merged_at": format!("2026-02-02T0{n}:50:00.000Z"),
                    "merge_user": {"username": "bob"}}])
        } else {
            json!([])
        };
        server.route(
            &format!("{GP}/repository/commits/{c}/merge_requests"),
            vec![j(list)],
        );
    }
    for (n, who) in [(1, "carol"), (2, "project_7_bot_1a2b"), (3, "alice")] {
        server.route(
            &format!("{GP}/merge_requests/{n}/approvals"),
            vec![j(
                json!({"approved": true, "approved_by": [{"user": {"username": who}}]}),
            )],
        );
        server.route(
            &format!("{GP}/merge_requests/{n}/pipelines"),
            vec![j(json!([{"id": n, "status": "success"}]))],
        );
    }
    server
}

/// `aiprov ARGS` with its own HOME, the GitLab test token and a fixed clock.
fn aiprov(args: &[&str], home: &std::path::Path) -> (i32, String, String) {
    let mut cmd = crate::common::command();
    cmd.args(args)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("AIPROV_TEST_GITLAB_TOKEN", TOKEN)
        .env("SOURCE_DATE_EPOCH", "1767225600");
    let run = crate::common::run(cmd, None);
    (run.code, run.stdout, run.stderr)
}

/// Issue 10, must-show 3 for GitLab: `aiprov reviews export` of a gitlab.com repository asks
/// GitLab's REST API (one request per AI commit, two more per merged merge request), writes lines
/// with `"source":"gitlab"`, and the file read back with `--review-data FILE --offline` gives
/// the SBOM (and evidence) of the online `--forge-reviews` run, byte for byte.
#[test]
fn export_from_gitlab_reads_back_as_the_online_run() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("mirrors/gitlab.com/acme/gadget.git");
    crate::common::import_fi("reviews/gadget.fi", &repo);
    let server = gadget_gitlab();
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let api = format!("{}/api/v4", server.base);
    let (repo_s, prs, cache) = (
        s(&repo),
        s(&dir.path().join("prs.jsonl")),
        s(&dir.path().join("cache")),
    );
    let (code, _, stderr) = aiprov(
        &[
            "reviews",
            "export",
            &repo_s,
            "--range",
            "v0.9.0..v1.0.0",
            "--repository",
            G,
            "--api",
            &api,
            "--token-env",
            "AIPROV_TEST_GITLAB_TOKEN",
            "-o",
            &prs,
            "--cache-dir",
            &cache,
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        format!("aiprov: 3 pull request(s) for 5 commit(s) of {G} written to {prs} (11 request(s) to GitLab)\n")
    );
    let text = std::fs::read_to_string(&prs).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(!text.contains(TOKEN));
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        first,
        json!({"repository": G, "number": 1, "url": format!("{G}/-/merge_requests/1"),
               "author": "dev-1", "merged_at": "2026-02-02T01:50:00.000Z", "merged_by": "bob",
               "commits": [GADGET[0]],
               "reviews": [{"author": "carol", "state": "approved", "submitted_at": null}],
               "checks": [{"name": "pipeline", "conclusion": "success"}], "source": "gitlab"})
    );
    let sent = server.log().len();
    assert_eq!(sent, 11, "5 commits + 2 × 3 merged merge requests");

    let bom = dir.path().join("bom.json");
    std::fs::write(
        &bom,
        json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
               "components": [{"type": "library", "name": "gadget", "version": "1.0.0",
                               "externalReferences": [{"type": "vcs", "url": G}]}]})
        .to_string(),
    )
    .unwrap();
    let (bom_s, mirrors) = (s(&bom), s(&dir.path().join("mirrors")));
    let enrich = |name: &str, extra: &[&str]| -> (String, String) {
        let (out, ev) = (
            s(&dir.path().join(format!("{name}.json"))),
            s(&dir.path().join(format!("{name}.jsonl"))),
        );
        let mut args = vec![
            "enrich",
            &bom_s,
            "-o",
            &out,
            "--evidence",
            &ev,
            "--mirror-dir",
            &mirrors,
        ];
        args.extend_from_slice(extra);
        let (code, _, stderr) = aiprov(&args, dir.path());
        assert_eq!(code, 0, "{stderr}");
        assert!(!stderr.contains(TOKEN));
        (
            std::fs::read_to_string(out).unwrap(),
            std::fs::read_to_string(ev).unwrap(),
        )
    };
    // A fresh cache for the online run, so it really asks.
    let online_cache = s(&dir.path().join("online-cache"));
    let online = enrich(
        "online",
        &[
            "--forge-reviews",
            "--gitlab-api",
            &api,
            "--gitlab-host",
            "gitlab.com",
            "--gitlab-token-env",
            "AIPROV_TEST_GITLAB_TOKEN",
            "--cache-dir",
            &online_cache,
        ],
    );
    assert_eq!(server.log().len(), sent + 11, "the online run asked GitLab");
    let offline = enrich(
        "from-file",
        &["--offline", "--review-data", &prs, "--cache-dir", &cache],
    );
    assert_eq!(server.log().len(), sent + 11);
    let doc: serde_json::Value = serde_json::from_str(&online.0).unwrap();
    let review: Vec<(String, String)> = doc["components"][0]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"].as_str().unwrap().starts_with("aiprov:review:"))
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("aiprov:review:ai-with-evidence", "2"),
        ("aiprov:review:ai-approved", "1"),
        ("aiprov:review:ai-trailer-reviewed", "1"),
        ("aiprov:review:ai-merged-unapproved", "2"),
        ("aiprov:review:ai-no-pull-request", "1"),
        ("aiprov:review:ai-unknown", "0"),
        ("aiprov:review:source", "trailers,gitlab"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(review, want);
    assert_eq!(offline.0, online.0, "the same SBOM, byte for byte");
    assert_eq!(offline.1, online.1, "the same evidence lines");
}

/// Squash and rebase merges on GitLab: the landed commit is not among the merge request's own
/// commits. `GET /projects/:id/repository/commits/:sha/merge_requests` ("List merge requests
/// associated with a commit", docs.gitlab.com/api/commits/) is asked with the landed id; its
/// answer is the merge request in the shape of the merge requests API
/// (docs.gitlab.com/api/merge_requests/: `sha` = the head, `squash_commit_sha`,
/// `merge_commit_sha`, `squash`). Attribution comes from the landed commit's answer; a rebase's
/// two landed commits end up in one request record.
#[test]
fn squash_and_rebase_merges_attribute_the_landed_commits() {
    use aiprov::review::{Lookup, ReviewIndex, Source};
    std::env::set_var("AIPROV_TEST_GITLAB_TOKEN", TOKEN);
    let server = Server::start();
    let (squashed, rebased1, rebased2) = ("a".repeat(40), "b".repeat(40), "c".repeat(40));
    let (head_squash, head_rebase) = ("d".repeat(40), "e".repeat(40));
    server.route(
        &format!("{P}/repository/commits/{squashed}/merge_requests"),
        vec![j(
            json!([{"iid": 30, "web_url": format!("{REPO}/-/merge_requests/30"),
            "state": "merged", "author": {"username": "alice"},
            "merged_at": "2026-02-02T05:00:00Z", "merge_user": {"username": "bob"},
            "sha": head_squash, "squash": true, "squash_commit_sha": squashed,
            "merge_commit_sha": null}]),
        )],
    );
    let rebase_mr = json!([{"iid": 31, "web_url": format!("{REPO}/-/merge_requests/31"),
        "state": "merged", "author": {"username": "alice"},
        "merged_at": "2026-02-02T06:00:00Z", "merge_user": {"username": "bob"},
        "sha": head_rebase, "squash": false, "squash_commit_sha": null,
        "merge_commit_sha": null}]);
    for c in [&rebased1, &rebased2] {
        server.route(
            &format!("{P}/repository/commits/{c}/merge_requests"),
            vec![j(rebase_mr.clone())],
        );
    }
    for n in [30, 31] {
        server.route(
            &format!("{P}/merge_requests/{n}/approvals"),
            vec![j(json!({"approved_by": [{"user": {"username": "carol"}}]}))],
        );
        server.route(
            &format!("{P}/merge_requests/{n}/pipelines"),
            vec![j(json!([]))],
        );
    }
    let h = http(&server);
    let mut index = ReviewIndex::default();
    let landed = [squashed.clone(), rebased1.clone(), rebased2.clone()];
    for c in &landed {
        let rs = merge_requests(&h, &api(&server), REPO, "grp/sub/proj", c).unwrap();
        assert_eq!(rs.len(), 1);
        assert_eq!(
            rs[0].commits,
            std::slice::from_ref(c),
            "the landed id, not the head"
        );
        for r in rs {
            index.add(r);
        }
    }
    index.cover_commits(REPO, Source::Gitlab, landed.iter().cloned());
    let records: Vec<(u64, Vec<String>)> = index
        .requests()
        .iter()
        .map(|r| (r.number, r.commits.clone()))
        .collect();
    assert_eq!(
        records,
        [
            (30, vec![squashed.clone()]),
            (31, vec![rebased1.clone(), rebased2.clone()])
        ]
    );
    let rules = RuleSet::builtin().unwrap();
    let author = aiprov::history::Signature {
        name: "Dev One".into(),
        email: "dev-1@example.invalid".into(),
        time: Default::default(),
    };
    for c in &landed {
        let Lookup::Requests(rs) = index.lookup(REPO, c) else {
            panic!("{c} not covered")
        };
        assert_eq!(
            attribute(&author, &rs, &rules).outcome,
            Outcome::Approved,
            "{c}"
        );
    }
    assert_eq!(index.lookup(REPO, &head_squash), Lookup::NotCovered);
    assert_eq!(index.lookup(REPO, &head_rebase), Lookup::NotCovered);
}

/// `reviews export` for a repository on a self-managed GitLab takes the host's kind, API base
/// and token variable from its `[forges."HOST"]` table when no flag names them (issue 10,
/// "gitlab.com and self-managed"; issue 14, configured hosts).
#[test]
fn export_from_a_configured_self_managed_gitlab() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("gadget.git");
    crate::common::import_fi("reviews/gadget.fi", &repo);
    let server = gadget_gitlab();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[forges.\"gitlab.example.com\"]\nkind = \"gitlab\"\napi = \"{}/api/v4\"\n\
             token-env = \"AIPROV_TEST_GITLAB_TOKEN\"\n",
            server.base
        ),
    )
    .unwrap();
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let prs = s(&dir.path().join("prs.jsonl"));
    let self_managed = "https://gitlab.example.com/acme/gadget";
    let args = |config: &str| {
        vec![
            "reviews".to_string(),
            "export".into(),
            s(&repo),
            "--range".into(),
            "v0.9.0..v1.0.0".into(),
            "--repository".into(),
            "git@gitlab.example.com:acme/gadget.git".into(),
            "-o".into(),
            prs.clone(),
            "--cache-dir".into(),
            s(&dir.path().join("cache")),
            "--config".into(),
            config.into(),
        ]
    };
    let a = args(&s(&config));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, _, stderr) = aiprov(&a, dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        format!("aiprov: 3 pull request(s) for 5 commit(s) of {self_managed} written to {prs} (11 request(s) to GitLab)\n")
    );
    assert_eq!(server.log().len(), 11);
    let text = std::fs::read_to_string(&prs).unwrap();
    assert!(!text.contains(TOKEN));
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["repository"], self_managed);
        assert_eq!(v["source"], "gitlab");
    }

    // A host configured as a forge aiprov has no review client for: refused, naming it.
    let gitea = dir.path().join("gitea.toml");
    std::fs::write(
        &gitea,
        "[forges.\"gitlab.example.com\"]\nkind = \"gitea\"\n",
    )
    .unwrap();
    let a = args(&s(&gitea));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, _, stderr) = aiprov(&a, dir.path());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("gitlab.example.com: aiprov has no review client for Gitea forges"),
        "{stderr}"
    );
}
