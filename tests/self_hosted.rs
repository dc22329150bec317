//! Self-hosted forges (issue 14, must-show 2): a `vcs` reference on a host that is not one of
//! the public forges is a repository with its full group path; with `[forges."HOST"]`
//! configured (its `git` base pointing at a loopback `git daemon`) it is fetched and analyzed;
//! unconfigured, it is `repository-unavailable` with a reason naming the host and the key, and
//! nothing is fetched.
//!
//! The served history is `testdata/enrich-widget.fi` (see tests/enrich_fixture.rs): at tag
//! `v1.0.0` (c3) 3 commits: aider (ai-agent), Claude co-authored (ai-assisted, reviewed by
//! trailer), the initial commit (no evidence).

use crate::common::{self, aiprov};
use crate::enrich_common::{prop, props};
use crate::git_daemon::Daemon;
use crate::schema;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

const C3: &str = "12d8954fbbded65c5ef6da47bfe34e0e101ef515";
const C2: &str = "9b7772fe121453523282c71580a183e25a61ba57";
const HOST: &str = "gitlab.example.com";
const REPOSITORY: &str = "https://gitlab.example.com/group/sub/name";

struct Setup {
    dir: tempfile::TempDir,
    _daemon: Daemon,
    port: u16,
}

impl Setup {
    /// `served/gitlab.example.com/group/sub/name.git` behind a git daemon, and an SBOM whose
    /// one component names it scp-style.
    fn new() -> Setup {
        Setup::naming("git@gitlab.example.com:group/sub/name.git")
    }

    /// Like [`Setup::new`], the SBOM's `vcs` reference spelled `url`.
    fn naming(url: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let served = dir.path().join("served");
        let repo = served.join(HOST).join("group/sub/name.git");
        std::fs::create_dir_all(repo.parent().unwrap()).unwrap();
        common::import_fi("enrich-widget.fi", &repo);
        let daemon = Daemon::start(&served);
        let bom = json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "version": 1,
            "components": [{"type": "library", "bom-ref": "c1", "name": "widget", "version": "1.0.0",
                "externalReferences": [{"type": "vcs", "url": url}]}]
        });
        std::fs::write(dir.path().join("bom.json"), bom.to_string()).unwrap();
        let port = daemon.port;
        Setup {
            dir,
            _daemon: daemon,
            port,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `aiprov enrich bom.json --config CONFIG --cache-dir cache -o OUT`, exit 0; the output.
    fn enrich(&self, config: &str, out: &str) -> (Value, String) {
        std::fs::write(self.path("aiprov.toml"), config).unwrap();
        let p = |n: &str| self.path(n).to_str().unwrap().to_string();
        let run = aiprov(&[
            "enrich",
            &p("bom.json"),
            "--config",
            &p("aiprov.toml"),
            "--cache-dir",
            &p("cache"),
            "-o",
            &p(out),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let doc = serde_json::from_slice(&std::fs::read(self.path(out)).unwrap()).unwrap();
        (doc, run.stderr)
    }

    fn configured(&self) -> String {
        format!(
            "[forges.\"{HOST}\"]\nkind = \"gitlab\"\ngit = \"git://127.0.0.1:{}/{HOST}\"\n",
            self.port
        )
    }
}

fn mirror(cache: &Path) -> PathBuf {
    cache.join("mirrors").join(HOST).join("group/sub/name.git")
}

#[test]
fn a_configured_self_hosted_gitlab_is_fetched_with_its_subgroups() {
    let s = Setup::new();
    let (doc, _) = s.enrich(&s.configured(), "out.json");
    assert!(
        mirror(&s.path("cache")).join("HEAD").is_file(),
        "cloned into the cache under the full group path"
    );
    let p = props(&doc, "/components/0");
    let want: Vec<(String, String)> = [
        ("aiprov:status", "analyzed"),
        ("aiprov:repository", REPOSITORY),
        ("aiprov:revision", C3),
        ("aiprov:revision:source", "tag"),
        ("aiprov:range", C3),
        ("aiprov:commits:total", "3"),
        ("aiprov:commits:ai-agent", "1"),
        ("aiprov:commits:ai-assisted", "1"),
        ("aiprov:commits:automation", "0"),
        ("aiprov:commits:no-evidence", "1"),
        ("aiprov:ai:share", "0.6667"),
        ("aiprov:ai:tools", "aider,claude-code"),
        ("aiprov:ai:tool:aider", "1"),
        ("aiprov:ai:tool:claude-code", "1"),
        ("aiprov:ai:first", "2023-11-15T00:30:00+02:00"),
        ("aiprov:ai:last", "2023-11-14T17:46:40-05:00"),
        ("aiprov:review:ai-with-evidence", "1"),
        ("aiprov:review:ai-approved", "0"),
        ("aiprov:review:ai-trailer-reviewed", "1"),
        ("aiprov:review:ai-merged-unapproved", "0"),
        ("aiprov:review:ai-no-pull-request", "0"),
        ("aiprov:review:ai-unknown", "1"),
        ("aiprov:review:source", "trailers"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(p, want);

    // The same repository spelled as a GitLab web URL with a route: the same walk, exactly.
    let web = Setup::naming("https://gitlab.example.com/group/sub/name/-/tree/main");
    let (doc, _) = web.enrich(&web.configured(), "out.json");
    assert_eq!(props(&doc, "/components/0"), want);
}

#[test]
fn an_unconfigured_self_hosted_host_is_named_but_never_fetched() {
    let s = Setup::new();
    // The daemon serves the repository, but nothing tells aiprov the host may be asked.
    let (doc, _) = s.enrich("", "out.json");
    let p = props(&doc, "/components/0");
    assert_eq!(
        p,
        vec![
            ("aiprov:status".to_string(), "repository-unavailable".to_string()),
            (
                "aiprov:status:reason".to_string(),
                "https://gitlab.example.com/group/sub/name: refused: gitlab.example.com is neither a public forge \
                 (github.com, gitlab.com, bitbucket.org, codeberg.org) nor configured; add [forges.\"gitlab.example.com\"] \
                 (kind = \"gitlab\", \"github\" or \"gitea\") to the configuration to fetch from it"
                    .to_string()
            ),
            ("aiprov:repository".to_string(), REPOSITORY.to_string()),
        ]
    );
    assert!(
        !s.path("cache/mirrors").join(HOST).exists(),
        "nothing was cloned or even prepared for the host"
    );
    assert_eq!(prop(&p, "aiprov:repository"), Some(REPOSITORY));
}

#[test]
#[ignore = "needs ../shared"]
fn self_hosted_outputs_validate() {
    let shared = common::shared();
    // scp-style `git@host:path` is no URI, so a document holding it is invalid already: the
    // ssh:// spelling of the same repository.
    let s = Setup::naming("ssh://git@gitlab.example.com/group/sub/name.git");
    for (config, out) in [(s.configured(), "a.json"), (String::new(), "b.json")] {
        let (doc, _) = s.enrich(&config, out);
        schema::validate_cyclonedx(&doc, &shared).unwrap_or_else(|e| panic!("{}", e.join("\n")));
    }
}

/// Issue 14, local paths: without `--include-local-paths` reasons name the mirror folder, the
/// cache and repo-map paths by placeholder (each place once, even when the mirror folder is
/// the cache's own) and stderr names the real paths once; with it, they are written as they
/// are.
#[test]
fn local_paths_by_placeholder_unless_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = std::fs::canonicalize(tmp.path()).unwrap();
    let d = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let repo = dir.join("checkout");
    std::fs::create_dir(&repo).unwrap();
    common::git(&repo, &["init", "-q", "-b", "main"]);
    common::git(
        &repo,
        &[
            "-c",
            "user.name=A",
            "-c",
            "user.email=a@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "one",
        ],
    );
    std::fs::write(
        dir.join("repos.toml"),
        "[repositories]\n\"pkg:npm/local\" = \"checkout\"\n\"pkg:npm/gone\" = \"missing\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("bom.json"),
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
 {"type":"library","name":"local","version":"1.0.0","bom-ref":"l","purl":"pkg:npm/local@1.0.0"},
 {"type":"library","name":"gone","version":"1.0.0","bom-ref":"g","purl":"pkg:npm/gone@1.0.0"},
 {"type":"library","name":"r","version":"1.0.0","bom-ref":"r","purl":"pkg:github/o/r@1.0.0"}]}"#,
    )
    .unwrap();
    std::fs::create_dir(dir.join("mirrors")).unwrap();
    let run = |mirror_dir: &str, extra: &[&str]| {
        let (bom, map, cache, out) = (d("bom.json"), d("repos.toml"), d("cache"), d("out.json"));
        let mut args = vec![
            "enrich",
            &bom,
            "--offline",
            "--fallback",
            "default-branch",
            "--repo-map",
            &map,
            "--mirror-dir",
            mirror_dir,
            "--cache-dir",
            &cache,
            "-o",
            &out,
        ];
        args.extend_from_slice(extra);
        let r = aiprov(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let reasons: Vec<Option<String>> = (0..3)
            .map(|i| {
                prop(
                    &props(&doc, &format!("/components/{i}")),
                    "aiprov:status:reason",
                )
                .map(str::to_string)
            })
            .collect();
        let local_repo =
            prop(&props(&doc, "/components/0"), "aiprov:repository").map(str::to_string);
        (reasons, local_repo, r.stderr)
    };

    let (reasons, local_repo, stderr) = run(&d("mirrors"), &[]);
    assert_eq!(
        reasons,
        [
            None,
            Some("repo map entry \"pkg:npm/gone\" names <local path>, which does not exist".into()),
            Some(
                "no local mirror of https://github.com/o/r (from SBOM purl:github): looked in \
                  <mirror-dir>/github.com/o/r.git, <cache>/github.com/o/r.git (offline)"
                    .into()
            ),
        ]
    );
    assert_eq!(local_repo, None);
    let line = format!(
        "aiprov: local paths are not written into the SBOM (--include-local-paths writes them): \
         <local path> is {}; <local path> is {}; <cache> is {}/mirrors; <mirror-dir> is {}\n",
        d("checkout"),
        d("missing"),
        d("cache"),
        d("mirrors"),
    );
    assert_eq!(stderr.matches(&line).count(), 1, "{stderr}");

    // The mirror folder is the cache's own: named once.
    let (reasons, _, _) = run(&d("cache/mirrors"), &[]);
    assert_eq!(
        reasons[2].as_deref(),
        Some("no local mirror of https://github.com/o/r (from SBOM purl:github): looked in <cache>/github.com/o/r.git (offline)")
    );

    let (reasons, local_repo, stderr) = run(&d("mirrors"), &["--include-local-paths"]);
    assert_eq!(
        reasons,
        [
            None,
            Some(format!(
                "repo map entry \"pkg:npm/gone\" names {}, which does not exist",
                d("missing")
            )),
            Some(format!(
                "no local mirror of https://github.com/o/r (from SBOM purl:github): looked in \
                 {}/github.com/o/r.git, {}/github.com/o/r.git (offline)",
                d("mirrors"),
                d("cache/mirrors")
            )),
        ]
    );
    assert_eq!(local_repo, Some(d("checkout")));
    assert!(!stderr.contains("local paths are not written"), "{stderr}");
}

/// Issue 10 on self-hosted forges: `--forge-reviews` asks a configured host of kind gitlab
/// through GitLab's REST client at its `api`, and one of kind github (GitHub Enterprise)
/// through the GraphQL client at `{api}/graphql`, each with its own token variable.
#[test]
fn reviews_of_configured_self_hosted_forges() {
    use crate::http_server::{ok, Server};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = |n: &str| dir.join(n).to_str().unwrap().to_string();
    common::import_fi(
        "enrich-widget.fi",
        &dir.join("mirrors/gitlab.example.com/group/sub/name.git"),
    );
    common::import_fi(
        "enrich-widget.fi",
        &dir.join("mirrors/ghe.example.com/acme/gadget.git"),
    );
    let server = Server::start();
    let p = "/api/v4/projects/group%2Fsub%2Fname";
    let gl = "https://gitlab.example.com/group/sub/name";
    server.route(
        &format!("{p}/repository/commits/{C3}/merge_requests"),
        vec![ok(
            "application/json",
            json!([{"iid": 7, "web_url": format!("{gl}/-/merge_requests/7"), "state": "merged",
                    "author": {"username": "alice"}, "merged_at": "2026-02-02T05:00:00.000Z",
                    "merged_by": {"username": "bob"}}])
            .to_string(),
        )],
    );
    server.route(
        &format!("{p}/merge_requests/7/approvals"),
        vec![ok(
            "application/json",
            json!({"approved": true, "approved_by": [{"user": {"username": "carol"}}]}).to_string(),
        )],
    );
    server.route(
        &format!("{p}/merge_requests/7/pipelines"),
        vec![ok("application/json", "[]")],
    );
    // The other AI commit (trailer-reviewed) came in without a merge request.
    server.route(
        &format!("{p}/repository/commits/{C2}/merge_requests"),
        vec![ok("application/json", "[]")],
    );
    // GitHub Enterprise: no pull request brought the AI commit in.
    server.route(
        "/api/graphql",
        vec![ok(
            "application/json",
            json!({"data": {"repository": {"c0": {"associatedPullRequests": {"nodes": []}},
                                            "c1": {"associatedPullRequests": {"nodes": []}}}}})
            .to_string(),
        )],
    );
    std::fs::write(
        dir.join("aiprov.toml"),
        format!(
            "[forges.\"gitlab.example.com\"]\nkind = \"gitlab\"\napi = \"{b}/api/v4\"\ntoken-env = \"AIPROV_TEST_GL_TOKEN\"\n\
             [forges.\"ghe.example.com\"]\nkind = \"github\"\napi = \"{b}/api\"\ntoken-env = \"AIPROV_TEST_GHE_TOKEN\"\n",
            b = server.base
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("bom.json"),
        json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [
            {"type": "library", "bom-ref": "a", "name": "widget", "version": "1.0.0",
             "externalReferences": [{"type": "vcs", "url": "git@gitlab.example.com:group/sub/name.git"}]},
            {"type": "library", "bom-ref": "b", "name": "widget", "version": "1.0.0",
             "externalReferences": [{"type": "vcs", "url": "https://ghe.example.com/acme/gadget"}]}]})
        .to_string(),
    )
    .unwrap();
    let (bom, config, mirrors, cache, out) = (
        d("bom.json"),
        d("aiprov.toml"),
        d("mirrors"),
        d("cache"),
        d("out.json"),
    );
    let run = crate::common::aiprov_with(
        &[
            "enrich",
            &bom,
            "--config",
            &config,
            "--mirror-dir",
            &mirrors,
            "--cache-dir",
            &cache,
            "--forge-reviews",
            "-o",
            &out,
        ],
        None,
        &[
            ("AIPROV_TEST_GL_TOKEN", "glpat-SECRET-GL"),
            ("AIPROV_TEST_GHE_TOKEN", "ghp_SECRET_GHE"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let review = |i: usize| -> Vec<(String, String)> {
        props(&doc, &format!("/components/{i}"))
            .into_iter()
            .filter(|(n, _)| n.starts_with("aiprov:review:"))
            .collect()
    };
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    // GitLab: the aider commit approved by carol in !7, the Claude one trailer-reviewed.
    assert_eq!(
        review(0),
        pairs(&[
            ("aiprov:review:ai-with-evidence", "2"),
            ("aiprov:review:ai-approved", "1"),
            ("aiprov:review:ai-trailer-reviewed", "1"),
            ("aiprov:review:ai-merged-unapproved", "0"),
            ("aiprov:review:ai-no-pull-request", "0"),
            ("aiprov:review:ai-unknown", "0"),
            ("aiprov:review:source", "trailers,gitlab"),
        ])
    );
    // GitHub Enterprise: no pull request for the aider commit.
    assert_eq!(
        review(1),
        pairs(&[
            ("aiprov:review:ai-with-evidence", "1"),
            ("aiprov:review:ai-approved", "0"),
            ("aiprov:review:ai-trailer-reviewed", "1"),
            ("aiprov:review:ai-merged-unapproved", "0"),
            ("aiprov:review:ai-no-pull-request", "1"),
            ("aiprov:review:ai-unknown", "0"),
            ("aiprov:review:source", "trailers,github"),
        ])
    );
    // Each client at its own base, with its own token; the tokens never reach stderr.
    let log: Vec<(String, Option<String>)> = server
        .log()
        .into_iter()
        .map(|(path, _, auth)| (path, auth))
        .collect();
    let gl_auth = Some("Bearer glpat-SECRET-GL".to_string());
    assert_eq!(
        log,
        [
            (
                "/api/graphql".to_string(),
                Some("bearer ghp_SECRET_GHE".to_string())
            ),
            (
                format!("{p}/repository/commits/{C3}/merge_requests"),
                gl_auth.clone()
            ),
            (format!("{p}/merge_requests/7/approvals"), gl_auth.clone()),
            (format!("{p}/merge_requests/7/pipelines"), gl_auth.clone()),
            (
                format!("{p}/repository/commits/{C2}/merge_requests"),
                gl_auth.clone()
            ),
        ]
    );
    assert!(
        run.stderr.contains(
            "aiprov: reviews: 2 of 2 AI commit(s) looked up on ghe.example.com (1 request(s))\n"
        ) && run
            .stderr
            .contains("aiprov: reviews: 2 of 2 AI commit(s) looked up on gitlab.example.com\n"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("SECRET"));
}

/// A repo-map URL on any host is the user's word: accepted (no exit 2) and fetched without
/// `[forges."HOST"]` (here the host does not resolve, so the clone fails; the reason is git's,
/// not the refusal a host from an SBOM gets).
#[test]
fn a_repo_map_url_on_any_host_is_fetched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = |n: &str| dir.join(n).to_str().unwrap().to_string();
    std::fs::write(
        dir.join("repos.toml"),
        "[repositories]\n\"c1\" = \"git@git.example.invalid:group/sub/name.git\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("bom.json"),
        json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
               "components": [{"type": "library", "bom-ref": "c1", "name": "n", "version": "1.0.0"}]})
        .to_string(),
    )
    .unwrap();
    std::fs::write(dir.join("aiprov.toml"), "").unwrap();
    let (bom, map, config, cache, out) = (
        d("bom.json"),
        d("repos.toml"),
        d("aiprov.toml"),
        d("cache"),
        d("out.json"),
    );
    let r = aiprov(&[
        "enrich",
        &bom,
        "--repo-map",
        &map,
        "--config",
        &config,
        "--cache-dir",
        &cache,
        "-o",
        &out,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let p = props(&doc, "/components/0");
    assert_eq!(prop(&p, "aiprov:status"), Some("repository-unavailable"));
    assert_eq!(
        prop(&p, "aiprov:repository"),
        Some("https://git.example.invalid/group/sub/name")
    );
    let reason = prop(&p, "aiprov:status:reason").unwrap();
    assert!(
        reason.starts_with("https://git.example.invalid/group/sub/name.git: git clone failed: "),
        "{reason}"
    );
}
