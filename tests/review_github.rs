//! The GitHub GraphQL client (`src/forge/github.rs`) against a loopback server that answers in
//! GitHub's shapes (GitHub GraphQL reference: `Commit.associatedPullRequests`, `PullRequest`,
//! `PullRequestReview`, `StatusCheckRollup`; errors as `{"errors": [{"type": "NOT_FOUND", …}]}`;
//! rate limits as `x-ratelimit-remaining` / `x-ratelimit-reset` and `Retry-After`).
//! Batching, review pagination, a commit in two requests, self and bot approvals, 401, 403 with
//! the limit spent, a secondary limit, 404 and NOT_FOUND, garbage JSON, a slow server, the
//! budget, the cache (settled answers never expire; offline is cache-only), and the token never
//! leaving the Authorization header. The last test is the benchmark of issue 10: requests per
//! AI commit on 1,000 commits, and the second run's count.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common;
use aiprov::forge::github::{Error, Github, Options};
use aiprov::registry::{Cache, CacheOptions};
use aiprov::review::{attribute, Outcome, RuleSet};
use serde_json::{json, Value};

const REPO: &str = "https://github.com/acme/gadget";
const TOKEN: &str = "ghp_SECRETSECRETSECRET0123456789";

/// A reply: status, headers, body, delay.
#[derive(Clone)]
struct Reply(u16, Vec<(&'static str, String)>, Vec<u8>, Duration);

type Handler = Arc<dyn Fn(&Value, usize) -> Reply + Send + Sync>;

/// (body, authorization header) of every request.
type Log = Arc<Mutex<Vec<(Value, Option<String>)>>>;

struct Server {
    base: String,
    /// (body, authorization header) of every request.
    log: Log,
}

impl Server {
    fn start(handler: Handler) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log: Log = Arc::default();
        let l = log.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (l, h) = (l.clone(), handler.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(conn.try_clone().unwrap());
                    let mut line = String::new();
                    let (mut len, mut auth) = (0usize, None);
                    reader.read_line(&mut line).unwrap();
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
                            break;
                        }
                        let (k, v) = h.split_once(':').unwrap();
                        let v = v.trim().to_string();
                        match k.to_ascii_lowercase().as_str() {
                            "content-length" => len = v.parse().unwrap(),
                            "authorization" => auth = Some(v),
                            _ => {}
                        }
                    }
                    let mut body = vec![0; len];
                    reader.read_exact(&mut body).unwrap();
                    let body: Value = serde_json::from_slice(&body).unwrap();
                    let n = {
                        let mut log = l.lock().unwrap();
                        log.push((body.clone(), auth));
                        log.len()
                    };
                    let Reply(status, headers, text, delay) = h(&body, n);
                    std::thread::sleep(delay);
                    let mut conn = conn;
                    let mut head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                        text.len()
                    );
                    for (k, v) in headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = conn.write_all(head.as_bytes());
                    let _ = conn.write_all(&text);
                });
            }
        });
        Server { base, log }
    }

    fn requests(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

fn ok(v: Value) -> Reply {
    Reply(200, vec![], v.to_string().into_bytes(), Duration::ZERO)
}

fn sha(i: usize) -> String {
    format!("{i:040x}")
}

/// The `cN: object(oid: "…")` aliases of a batched query, in order.
fn asked(body: &Value) -> Vec<(String, String)> {
    let q = body["query"].as_str().unwrap();
    let mut out = Vec::new();
    for part in q.split(" c").skip(1) {
        if let Some((alias, rest)) = part.split_once(": object(oid: \"") {
            out.push((format!("c{alias}"), rest[..40].to_string()));
        }
    }
    out
}

fn review(login: &str, typename: &str, state: &str, at: &str) -> Value {
    json!({"author": {"login": login, "__typename": typename}, "state": state, "submittedAt": at})
}

fn pr(number: u64, author: &str, reviews: Vec<Value>, next: Option<&str>) -> Value {
    json!({
        "number": number, "url": format!("{REPO}/pull/{number}"),
        "author": {"login": author, "__typename": "User"},
        "mergedAt": "2026-02-02T05:00:00Z", "mergedBy": {"login": "bob", "__typename": "User"},
        "reviews": {"pageInfo": {"hasNextPage": next.is_some(), "endCursor": next}, "nodes": reviews},
        "commits": {"nodes": [{"commit": {"statusCheckRollup": {"contexts": {"nodes": [
            {"__typename": "CheckRun", "name": "test", "conclusion": "SUCCESS"},
            {"__typename": "StatusContext", "context": "ci/lint", "state": "FAILURE"}
        ]}}}}]}
    })
}

/// Answers every batched query from `world` (commit → its pull requests).
fn graph(world: HashMap<String, Vec<Value>>) -> Handler {
    Arc::new(move |body, _| {
        let mut repo = serde_json::Map::new();
        for (alias, c) in asked(body) {
            let nodes = world.get(&c).cloned().unwrap_or_default();
            repo.insert(alias, json!({"associatedPullRequests": {"nodes": nodes}}));
        }
        ok(json!({"data": {"repository": repo}}))
    })
}

fn opts(server: &Server) -> Options {
    let mut o = Options {
        api: server.base.clone(),
        token_env: Some("AIPROV_TEST_GITHUB_TOKEN".into()),
        ..Options::default()
    };
    o.http.read_timeout = Duration::from_secs(2);
    o.http.backoff = Duration::from_millis(10);
    o
}

fn lookup(g: &Github<'_>, commits: &[String]) -> aiprov::forge::github::Answer {
    g.lookup(REPO, "acme", "gadget", commits)
}

fn outcome(a: &aiprov::forge::github::Answer, c: &str) -> Outcome {
    let rules = RuleSet::builtin().unwrap();
    let rs: Vec<&aiprov::review::PullRequest> = a
        .requests
        .iter()
        .filter(|r| r.commits.iter().any(|x| x == c))
        .collect();
    let author = aiprov::history::Signature {
        name: "Dev One".into(),
        email: "dev-1@example.invalid".into(),
        time: Default::default(),
    };
    attribute(&author, &rs, &rules).outcome
}

#[test]
fn batches_pages_reviews_and_applies_the_rules() {
    std::env::set_var("AIPROV_TEST_GITHUB_TOKEN", TOKEN);
    let t = "2026-02-02T04:00:00Z";
    let mut world: HashMap<String, Vec<Value>> = HashMap::new();
    world.insert(
        sha(1),
        vec![pr(
            1,
            "alice",
            vec![review("carol", "User", "APPROVED", t)],
            None,
        )],
    );
    // PR #2: only the author and a bot (GraphQL gives the bot's login without "[bot]") approve.
    world.insert(
        sha(2),
        vec![pr(
            2,
            "alice",
            vec![
                review("alice", "User", "APPROVED", t),
                review("coderabbitai", "Bot", "APPROVED", t),
            ],
            None,
        )],
    );
    // PR #3: the approval is on the second page of reviews.
    world.insert(
        sha(3),
        vec![pr(
            3,
            "alice",
            vec![review("dave", "User", "COMMENTED", t)],
            Some("CUR1"),
        )],
    );
    // A commit in two requests: an unapproved one and an approved one.
    world.insert(
        sha(4),
        vec![
            pr(4, "alice", vec![], None),
            pr(
                5,
                "alice",
                vec![review("carol", "User", "APPROVED", t)],
                None,
            ),
        ],
    );
    let base = graph(world);
    let handler: Handler = Arc::new(move |body, n| {
        if body["query"]
            .as_str()
            .unwrap()
            .contains("pullRequest(number: $number)")
        {
            assert_eq!(body["variables"]["number"], 3);
            assert_eq!(body["variables"]["after"], "CUR1");
            return ok(json!({"data": {"repository": {"pullRequest": {"reviews": {
                "pageInfo": {"hasNextPage": false, "endCursor": null},
                "nodes": [review("erin", "User", "APPROVED", "2026-02-02T04:30:00Z")]}}}}}));
        }
        base(body, n)
    });
    let server = Server::start(handler);
    let mut o = opts(&server);
    o.batch = 2;
    let g = Github::new(o, None).unwrap();
    let commits: Vec<String> = (1..=5).map(sha).collect();
    let a = lookup(&g, &commits);
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(a.answered.len(), 5);
    // 3 batches of ≤ 2 commits, plus one page of reviews.
    assert_eq!(server.requests(), 4);
    let log = server.log.lock().unwrap().clone();
    assert_eq!(
        asked(&log[0].0)
            .into_iter()
            .map(|(a, _)| a)
            .collect::<Vec<_>>(),
        ["c0", "c1"]
    );
    assert_eq!(
        log[0].0["variables"],
        json!({"owner": "acme", "name": "gadget"})
    );
    assert!(log
        .iter()
        .all(|(_, auth)| auth.as_deref() == Some(&*format!("bearer {TOKEN}"))));
    assert_eq!(
        [1, 2, 3, 4, 5].map(|i| outcome(&a, &sha(i))),
        [
            Outcome::Approved,
            Outcome::MergedUnapproved,
            Outcome::Approved,
            Outcome::Approved,
            Outcome::NoPullRequest
        ]
    );
    let two = a.requests.iter().find(|r| r.number == 2).unwrap();
    assert_eq!(two.reviews[1].author, "coderabbitai[bot]");
    assert_eq!(
        two.checks
            .iter()
            .map(|c| (c.name.as_str(), c.conclusion.as_deref()))
            .collect::<Vec<_>>(),
        [("test", Some("success")), ("ci/lint", Some("failure"))]
    );
    assert_eq!(
        a.requests
            .iter()
            .find(|r| r.number == 3)
            .unwrap()
            .reviews
            .len(),
        2
    );
}

fn failing(reply: Reply) -> (Server, Error) {
    let server = Server::start(Arc::new(move |_, _| reply.clone()));
    let g = Github::new(opts(&server), None).unwrap();
    let a = lookup(&g, &[sha(1), sha(2)]);
    assert!(a.answered.is_empty());
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
    (server, a.errors[0].clone())
}

#[test]
fn failures_are_named_and_never_show_the_token() {
    std::env::set_var("AIPROV_TEST_GITHUB_TOKEN", TOKEN);
    let (s, e) = failing(Reply(
        401,
        vec![],
        b"{\"message\":\"Bad credentials\"}".to_vec(),
        Duration::ZERO,
    ));
    assert_eq!(
        e.to_string(),
        "GitHub refused the credentials (401): check the token in $AIPROV_TEST_GITHUB_TOKEN"
    );
    assert_eq!(s.requests(), 1);
    // After a 401 the client sends nothing more.
    let s2 = Server::start(Arc::new(|_, _| {
        Reply(401, vec![], b"{}".to_vec(), Duration::ZERO)
    }));
    let g = Github::new(opts(&s2), None).unwrap();
    let _ = lookup(&g, &[sha(1)]);
    let again = lookup(&g, &[sha(2)]);
    assert!(matches!(again.errors[..], [Error::Unauthorized(_)]));
    assert_eq!(s2.requests(), 1);

    let (s, e) = failing(Reply(
        403,
        vec![
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", "1767225600".into()),
        ],
        b"{}".to_vec(),
        Duration::ZERO,
    ));
    assert_eq!(
        e.to_string(),
        "GitHub rate limit reached (resets at Unix time 1767225600); the remaining commits were not looked up"
    );
    assert_eq!(s.requests(), 1, "no retry once the limit is spent");

    let (s, e) = failing(Reply(404, vec![], b"{}".to_vec(), Duration::ZERO));
    assert_eq!(e, Error::NotFound(REPO.into()));
    assert_eq!(s.requests(), 1);
    let (_, e) = failing(ok(
        json!({"data": {"repository": null}, "errors": [{"type": "NOT_FOUND", "message": "Could not resolve to a Repository"}]}),
    ));
    assert_eq!(e, Error::NotFound(REPO.into()));

    let (_, e) = failing(Reply(
        200,
        vec![],
        b"<html>not json".to_vec(),
        Duration::ZERO,
    ));
    assert!(matches!(e, Error::BadAnswer(_)), "{e:?}");
    let (_, e) = failing(ok(
        json!({"data": {"repository": {"c0": {"associatedPullRequests": {"nodes": [{"number": "x"}]}}}}}),
    ));
    assert_eq!(
        e,
        Error::BadAnswer("a pull request without a number".into())
    );

    let (_, e) = failing(Reply(200, vec![], b"{}".to_vec(), Duration::from_secs(4)));
    assert_eq!(e, Error::Http("timed out".into()));

    for e in [
        Error::Unauthorized(String::new()),
        Error::RateLimited(String::new()),
        Error::Http("x".into()),
    ] {
        assert!(!e.to_string().contains(TOKEN));
    }
}

#[test]
fn a_secondary_limit_is_waited_out() {
    std::env::set_var("AIPROV_TEST_GITHUB_TOKEN", TOKEN);
    let world = graph(HashMap::from([(
        sha(1),
        vec![pr(1, "alice", vec![], None)],
    )]));
    let server = Server::start(Arc::new(move |body, n| {
        if n == 1 {
            Reply(
                403,
                vec![("Retry-After", "1".into())],
                b"{\"message\":\"secondary rate limit\"}".to_vec(),
                Duration::ZERO,
            )
        } else {
            world(body, n)
        }
    }));
    let g = Github::new(opts(&server), None).unwrap();
    let started = std::time::Instant::now();
    let a = lookup(&g, &[sha(1)]);
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!((server.requests(), a.requests.len()), (2, 1));
    assert!(started.elapsed() >= Duration::from_secs(1));
    // A long Retry-After ends the lookups instead.
    let server = Server::start(Arc::new(|_, _| {
        Reply(
            429,
            vec![("Retry-After", "3600".into())],
            b"{}".to_vec(),
            Duration::ZERO,
        )
    }));
    let g = Github::new(opts(&server), None).unwrap();
    let a = lookup(&g, &[sha(1)]);
    assert_eq!(
        a.errors,
        [Error::RateLimited(
            " (secondary limit: retry after 3600s)".into()
        )]
    );
}

#[test]
fn the_cache_answers_settled_requests_and_never_holds_the_token() {
    std::env::set_var("AIPROV_TEST_GITHUB_TOKEN", TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let t = "2026-02-02T04:00:00Z";
    let world = HashMap::from([
        (
            sha(1),
            vec![pr(
                1,
                "alice",
                vec![review("carol", "User", "APPROVED", t)],
                None,
            )],
        ),
        (sha(2), vec![]),
    ]);
    let server = Server::start(graph(world));
    let cache = Cache::new(dir.path(), CacheOptions::default());
    let g = Github::new(opts(&server), Some(&cache)).unwrap();
    let first = lookup(&g, &[sha(1), sha(2)]);
    assert_eq!(server.requests(), 1);
    let again = Github::new(opts(&server), Some(&cache)).unwrap();
    let second = lookup(&again, &[sha(1), sha(2)]);
    assert_eq!(
        (server.requests(), again.requests_sent()),
        (1, 0),
        "all from the cache"
    );
    assert_eq!(first.requests, second.requests);
    // Stale entries: the merged answer stays, the empty one is asked again.
    let stale = Cache::new(
        dir.path(),
        CacheOptions {
            ttl: Duration::ZERO,
            ..CacheOptions::default()
        },
    );
    let g = Github::new(opts(&server), Some(&stale)).unwrap();
    let a = lookup(&g, &[sha(1), sha(2)]);
    assert_eq!(a.answered.len(), 2);
    assert_eq!(server.requests(), 2);
    assert_eq!(asked(&server.log.lock().unwrap()[1].0).len(), 1);
    // Offline: cache only.
    let offline = Cache::new(
        dir.path(),
        CacheOptions {
            offline: true,
            ..CacheOptions::default()
        },
    );
    let g = Github::new(opts(&server), Some(&offline)).unwrap();
    let a = lookup(&g, &[sha(1), sha(3)]);
    assert_eq!(
        (a.answered.clone(), a.errors.clone()),
        (vec![sha(1)], vec![Error::Offline])
    );
    assert_eq!(server.requests(), 2);
    // The token is in no cache file.
    for entry in walk(dir.path()) {
        let text = std::fs::read_to_string(&entry).unwrap();
        assert!(!text.contains(TOKEN), "{}", entry.display());
        assert!(!text.contains("SECRET"));
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_budget_stops_the_lookups() {
    std::env::set_var("AIPROV_TEST_GITHUB_TOKEN", TOKEN);
    let server = Server::start(graph(HashMap::new()));
    let mut o = opts(&server);
    o.batch = 2;
    o.max_requests = Some(1);
    let g = Github::new(o, None).unwrap();
    let a = lookup(&g, &(1..=5).map(sha).collect::<Vec<_>>());
    assert_eq!(a.answered, [sha(1), sha(2)]);
    assert_eq!(a.errors, [Error::Budget(1)]);
    assert_eq!(server.requests(), 1);
}

/// Regression check for issue 10's benchmark (the benchmark itself is `benches/reviews.sh`,
/// end to end through `aiprov reviews export`): requests per AI commit on 1,000 commits
/// (≤ 0.05), and the second run's requests (0).
#[test]
fn benchmark_requests_per_ai_commit() {
    std::env::set_var("AIPROV_TEST_GITHUB_TOKEN", TOKEN);
    let t = "2026-02-02T04:00:00Z";
    let world: HashMap<String, Vec<Value>> = (0..1000)
        .map(|i| {
            (
                sha(i),
                vec![pr(
                    i as u64 / 3,
                    "alice",
                    vec![review("carol", "User", "APPROVED", t)],
                    None,
                )],
            )
        })
        .collect();
    let server = Server::start(graph(world));
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path(), CacheOptions::default());
    let commits: Vec<String> = (0..1000).map(sha).collect();
    let g = Github::new(opts(&server), Some(&cache)).unwrap();
    let a = lookup(&g, &commits);
    assert_eq!(a.answered.len(), 1000);
    let per_commit = g.requests_sent() as f64 / 1000.0;
    let g2 = Github::new(opts(&server), Some(&cache)).unwrap();
    let b = lookup(&g2, &commits);
    assert_eq!(b.answered.len(), 1000);
    println!(
        "benchmark: {} requests for 1000 AI commits = {per_commit:.3} per AI commit (goal <= 0.05); second run: {} requests (goal 0)",
        g.requests_sent(),
        g2.requests_sent()
    );
    assert!(per_commit <= 0.05, "{per_commit}");
    assert_eq!(g2.requests_sent(), 0);
    assert_eq!(a.requests.len(), 334);
}

const A1: &str = "913e6fb9080578fa3809ddb4ab432ba572cfafa5";
const A2: &str = "93164829044f893f1736e17f05f3f88b91c031e2";
const A3: &str = "45c1bcaa684910b1b5fc147aaafe80254df75205";

/// `aiprov ARGS` through [`common::command`], with its own `HOME` and cache (the forge answers
/// are cached there) and the test token in `AIPROV_TEST_GITHUB_TOKEN`.
fn aiprov(args: &[&str], home: &std::path::Path) -> (i32, String, String) {
    let mut cmd = common::command();
    cmd.args(args)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("AIPROV_TEST_GITHUB_TOKEN", TOKEN)
        // A fixed clock, so two runs' documents can be compared byte for byte.
        .env("SOURCE_DATE_EPOCH", "1767225600");
    let run = common::run(cmd, None);
    (run.code, run.stdout, run.stderr)
}

/// `aiprov reviews export` against the loopback server writes review data that, read back with
/// `--review-data`, gives what the hand-written `testdata/reviews/gadget.jsonl` gives.
#[test]
fn export_writes_review_data_that_reads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("gadget.git");
    common::import_fi("reviews/gadget.fi", &repo);
    let t = "2026-02-02T02:40:00Z";
    let mut p1 = pr(
        1,
        "dev-1",
        vec![review("carol", "User", "APPROVED", t)],
        None,
    );
    p1["mergedAt"] = json!("2026-02-02T02:50:00Z");
    let mut p2 = pr(
        2,
        "devin-ai-integration",
        vec![
            review("carol", "User", "COMMENTED", t),
            review("coderabbitai", "Bot", "APPROVED", t),
        ],
        None,
    );
    p2["author"]["__typename"] = json!("Bot");
    let p3 = pr(
        3,
        "alice",
        vec![review("alice", "User", "APPROVED", t)],
        None,
    );
    let world = HashMap::from([
        (A1.to_string(), vec![p1]),
        (A2.to_string(), vec![p2]),
        (A3.to_string(), vec![p3]),
    ]);
    let server = Server::start(graph(world));
    let out = dir.path().join("prs.jsonl");
    let (repo_s, out_s, cache) = (
        repo.to_str().unwrap().to_string(),
        out.to_str().unwrap().to_string(),
        dir.path().join("cache").to_str().unwrap().to_string(),
    );
    let export = |extra: &[&str]| {
        let mut args = vec![
            "reviews",
            "export",
            &repo_s,
            "--range",
            "v0.9.0..v1.0.0",
            "--repository",
            REPO,
            "--api",
            &server.base,
            "--token-env",
            "AIPROV_TEST_GITHUB_TOKEN",
            "-o",
            &out_s,
        ];
        if !extra.contains(&"--cache-dir") {
            args.extend_from_slice(&["--cache-dir", &cache]);
        }
        args.extend_from_slice(extra);
        aiprov(&args, dir.path())
    };
    let (code, _, stderr) = export(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        format!("aiprov: 3 pull request(s) for 5 commit(s) of {REPO} written to {out_s} (1 request(s) to GitHub)\n")
    );
    assert_eq!(server.requests(), 1, "5 AI commits in one query");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains(TOKEN) && !stderr.contains(TOKEN));
    assert_eq!(text.lines().count(), 3);
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["commits"], json!([A1]));

    let evidence = |data: &str| {
        let (code, stdout, stderr) = aiprov(
            &[
                "evidence",
                &repo_s,
                "--range",
                "v0.9.0..v1.0.0",
                "--review-data",
                data,
            ],
            dir.path(),
        );
        assert_eq!(code, 0, "{stderr}");
        let v: Value = serde_json::from_str(&stdout).unwrap();
        (
            v["metrics"]["review"].clone(),
            v["ai_without_review_evidence"].clone(),
        )
    };
    let shipped =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/reviews/gadget.jsonl");
    let exported = evidence(&out_s);
    let mut want = evidence(shipped.to_str().unwrap());
    // The hand-written file has no `source`: its records count as `review-data`; the exported
    // one names the forge its records came from.
    assert_eq!(want.0["source"], json!("trailers,review-data"));
    want.0["source"] = json!("trailers,github");
    assert_eq!(exported, want);
    assert_eq!(exported.0["ai_approved"], 1);

    // Offline, from the cache: the same file, no request.
    std::fs::remove_file(&out).unwrap();
    let (code, _, stderr) = export(&["--offline"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    assert_eq!(server.requests(), 1);
    // Offline with an empty cache: nothing is written, exit 3.
    std::fs::remove_file(&out).unwrap();
    let empty = dir.path().join("empty-cache");
    let (code, _, stderr) = export(&["--offline", "--cache-dir", empty.to_str().unwrap()]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        stderr,
        "aiprov: offline: not in the cache\naiprov: 5 of 5 commit(s) were not looked up; nothing written\n"
    );
    assert!(!out.exists());
}

/// `aiprov enrich --forge-reviews` asks the loopback "GitHub" about the AI commits only, in one
/// query; a second run is answered from the cache; and the file `aiprov reviews export` writes,
/// read back with `--review-data FILE --offline`, gives the same enriched SBOM, byte for byte
/// (issue 10, must-show 3; `aiprov:review:source` is `trailers,github` both ways, since the
/// exported lines record their `source`), and the same evidence lines.
#[test]
fn enrich_looks_up_ai_commits_online_and_matches_the_exported_file() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("mirrors/github.com/acme/gadget.git");
    common::import_fi("reviews/gadget.fi", &repo);
    let t = "2026-02-02T02:40:00Z";
    let world = HashMap::from([
        (
            A1.to_string(),
            vec![pr(
                1,
                "dev-1",
                vec![review("carol", "User", "APPROVED", t)],
                None,
            )],
        ),
        (
            A2.to_string(),
            vec![pr(
                2,
                "dev-2",
                vec![review("coderabbitai", "Bot", "APPROVED", t)],
                None,
            )],
        ),
        (
            A3.to_string(),
            vec![pr(
                3,
                "alice",
                vec![review("alice", "User", "APPROVED", t)],
                None,
            )],
        ),
    ]);
    let server = Server::start(graph(world));
    let bom = dir.path().join("bom.json");
    std::fs::write(
        &bom,
        json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
               "components": [{"type": "library", "name": "gadget", "version": "1.0.0",
                               "purl": "pkg:github/acme/gadget@1.0.0"}]})
        .to_string(),
    )
    .unwrap();
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let (bom_s, mirrors, cache) = (
        s(&bom),
        s(&dir.path().join("mirrors")),
        s(&dir.path().join("cache")),
    );
    let review_props = |out: &str| -> Vec<(String, String)> {
        let v: Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
        v["components"][0]["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["value"].as_str().unwrap().to_string(),
                )
            })
            .filter(|(n, _)| n.starts_with("aiprov:review:"))
            .collect()
    };
    let online = s(&dir.path().join("online.json"));
    let enrich = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "enrich",
            &bom_s,
            "-o",
            out,
            "--mirror-dir",
            &mirrors,
            "--cache-dir",
            &cache,
        ];
        args.extend_from_slice(extra);
        let (code, _, stderr) = aiprov(&args, dir.path());
        assert_eq!(code, 0, "{stderr}");
        assert!(!stderr.contains(TOKEN));
        stderr
    };
    let forge = [
        "--forge-reviews",
        "--github-api",
        &server.base,
        "--github-token-env",
        "AIPROV_TEST_GITHUB_TOKEN",
    ];
    // Without a token nothing is asked, and the note says why.
    let stderr = enrich(
        &online,
        &[
            "--forge-reviews",
            "--github-api",
            &server.base,
            "--github-host",
            "github.com",
            "--github-token-env",
            "AIPROV_TEST_NO_SUCH_TOKEN",
        ],
    );
    assert!(
        stderr.contains("aiprov: reviews: no token in $AIPROV_TEST_NO_SUCH_TOKEN: GitHub's GraphQL API needs one; the 5 AI commit(s) of github.com repositories were not looked up (unknown)\n"),
        "{stderr}"
    );
    assert_eq!(server.requests(), 0);
    assert_eq!(
        review_props(&online)[5],
        ("aiprov:review:ai-unknown".into(), "4".into())
    );
    // The loopback API's host is 127.0.0.1: without --github-host it serves no github.com
    // repository, so nothing is asked and the AI commits stay unknown.
    enrich(&online, &forge);
    assert_eq!(server.requests(), 0);
    assert_eq!(
        review_props(&online)[5],
        ("aiprov:review:ai-unknown".into(), "4".into())
    );

    let mut with_host = forge.to_vec();
    with_host.extend_from_slice(&["--github-host", "github.com"]);
    let stderr = enrich(&online, &with_host);
    assert_eq!(server.requests(), 1, "5 AI commits, one query");
    assert!(
        stderr.contains(
            "aiprov: reviews: 5 of 5 AI commit(s) looked up on github.com (1 request(s))"
        ),
        "{stderr}"
    );
    let asked_ids: Vec<String> = asked(&server.log.lock().unwrap()[0].0)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert_eq!(asked_ids.len(), 5, "only the AI commits");
    let got = review_props(&online);
    let want: Vec<(String, String)> = [
        ("aiprov:review:ai-with-evidence", "2"),
        ("aiprov:review:ai-approved", "1"),
        ("aiprov:review:ai-trailer-reviewed", "1"),
        ("aiprov:review:ai-merged-unapproved", "2"),
        ("aiprov:review:ai-no-pull-request", "1"),
        ("aiprov:review:ai-unknown", "0"),
        ("aiprov:review:source", "trailers,github"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);

    // Again, offline: all from the cache, no request.
    let again = s(&dir.path().join("again.json"));
    let mut offline = with_host.clone();
    offline.push("--offline");
    enrich(&again, &offline);
    assert_eq!(server.requests(), 1);
    assert_eq!(review_props(&again), want);

    // The exported file, read back offline, gives the same counts.
    let prs = s(&dir.path().join("prs.jsonl"));
    let (code, _, stderr) = aiprov(
        &[
            "reviews",
            "export",
            &s(&repo),
            "--range",
            "v0.9.0..v1.0.0",
            "--repository",
            REPO,
            "--api",
            &server.base,
            "--token-env",
            "AIPROV_TEST_GITHUB_TOKEN",
            "-o",
            &prs,
            "--cache-dir",
            &cache,
            "--offline",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read_to_string(&prs)
        .unwrap()
        .lines()
        .all(|l| l.ends_with(",\"source\":\"github\"}")));
    let from_file = s(&dir.path().join("from-file.json"));
    let (ev_online, ev_file) = (
        s(&dir.path().join("online.jsonl")),
        s(&dir.path().join("from-file.jsonl")),
    );
    let mut with_evidence = with_host.clone();
    with_evidence.extend_from_slice(&["--evidence", &ev_online]);
    enrich(&online, &with_evidence);
    assert_eq!(server.requests(), 1, "the cache answers");
    enrich(
        &from_file,
        &["--offline", "--review-data", &prs, "--evidence", &ev_file],
    );
    assert_eq!(review_props(&from_file), want);
    assert_eq!(
        std::fs::read_to_string(&from_file).unwrap(),
        std::fs::read_to_string(&online).unwrap(),
        "the exported file gives the online run's document, byte for byte"
    );
    assert_eq!(
        std::fs::read_to_string(&ev_file).unwrap(),
        std::fs::read_to_string(&ev_online).unwrap()
    );
    for f in [&online, &again, &from_file, &prs] {
        assert!(!std::fs::read_to_string(f).unwrap().contains(TOKEN));
    }
}

/// Squash and rebase merges: the landed commit is not among the pull request's own commits.
/// GitHub associates the landed commit with its pull request: `Commit.associatedPullRequests`
/// is "the merged Pull Request that introduced the commit to the repository" (GitHub GraphQL
/// reference, docs.github.com/en/graphql/reference/objects#commit; the REST twin is "List pull
/// requests associated with a commit", docs.github.com/en/rest/commits/commits). So the
/// loopback answers for the landed ids, while the request's `commits` (its head) name other
/// ids that are not in the history; attribution must come from the landed commit's answer.
#[test]
fn squash_and_rebase_merges_attribute_the_landed_commits() {
    std::env::set_var("AIPROV_TEST_GITHUB_TOKEN", TOKEN);
    let t = "2026-02-02T04:00:00Z";
    let (squashed, rebased1, rebased2) = (sha(0x100), sha(0x101), sha(0x102));
    let with_head = |mut p: Value, head: &str| {
        // The request's own (head) commit: not the landed one.
        p["commits"]["nodes"][0]["commit"]["oid"] = json!(head);
        p
    };
    let squash_pr = with_head(
        pr(
            20,
            "alice",
            vec![review("carol", "User", "APPROVED", t)],
            None,
        ),
        &sha(0x900),
    );
    let rebase_pr = with_head(
        pr(
            21,
            "alice",
            vec![review("dave", "User", "APPROVED", t)],
            None,
        ),
        &sha(0x901),
    );
    let world = HashMap::from([
        (squashed.clone(), vec![squash_pr]),
        (rebased1.clone(), vec![rebase_pr.clone()]),
        (rebased2.clone(), vec![rebase_pr]),
    ]);
    let server = Server::start(graph(world));
    let g = Github::new(opts(&server), None).unwrap();
    let landed = vec![squashed.clone(), rebased1.clone(), rebased2.clone()];
    let a = lookup(&g, &landed);
    assert_eq!(a.errors, []);
    assert_eq!(server.requests(), 1, "one batch");
    let records: Vec<(u64, Vec<String>)> = a
        .requests
        .iter()
        .map(|r| (r.number, r.commits.clone()))
        .collect();
    assert_eq!(
        records,
        [
            (20, vec![squashed.clone()]),
            (21, vec![rebased1.clone(), rebased2.clone()])
        ],
        "the landed ids, never the request's own head"
    );
    for c in &landed {
        assert_eq!(outcome(&a, c), Outcome::Approved, "{c}");
    }
    // Through the index the pipeline uses: the head ids are not known, the landed ones are.
    let mut index = aiprov::review::ReviewIndex::new(a.requests.clone());
    index.cover_commits(REPO, aiprov::review::Source::Github, landed.clone());
    assert!(matches!(
        index.lookup(REPO, &rebased2),
        aiprov::review::Lookup::Requests(rs) if rs.len() == 1 && rs[0].number == 21
    ));
    assert_eq!(
        index.lookup(REPO, &sha(0x900)),
        aiprov::review::Lookup::NotCovered
    );
}
