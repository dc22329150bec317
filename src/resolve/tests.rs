//! Unit tests of repository and revision resolution.

use super::*;
use crate::ident::{pep503, percent_decode};
use crate::inventory::VcsRef;

fn repo(s: &str) -> Option<(String, Option<String>)> {
    parse_repo_url(s).map(|(r, pin)| (r.to_string(), pin))
}

fn ok(s: &str) -> String {
    match repo(s) {
        Some((r, None)) => r,
        other => panic!("{s}: {other:?}"),
    }
}

const SHA: &str = "c887c803ac56deb5f91b617ef0486ca3fb98473b";

#[test]
fn repo_url_spellings_normalize() {
    let want = "https://github.com/Aider-AI/aider";
    for s in [
        "https://github.com/Aider-AI/aider",
        "https://github.com/Aider-AI/aider/",
        "https://github.com/Aider-AI/aider.git",
        "https://github.com/Aider-AI/aider.git/",
        "http://github.com/Aider-AI/aider",
        "HTTPS://GitHub.COM/Aider-AI/aider",
        "https://www.github.com/Aider-AI/aider",
        "git+https://github.com/Aider-AI/aider.git",
        "git://github.com/Aider-AI/aider.git",
        "git+ssh://git@github.com/Aider-AI/aider.git",
        "git+ssh://git@github.com:Aider-AI/aider.git",
        "ssh://git@github.com/Aider-AI/aider.git",
        "ssh://git@github.com:22/Aider-AI/aider.git",
        "git@github.com:Aider-AI/aider.git",
        "github.com/Aider-AI/aider",
        "github:Aider-AI/aider",
        "https://user:token@github.com/Aider-AI/aider.git",
        "https://github.com:443/Aider-AI/aider",
        "https://github.com/Aider-AI/aider#readme",
        "https://github.com/Aider-AI/aider?tab=readme",
        "https://github.com/Aider-AI/aider/tree/main",
        "https://github.com/Aider-AI/aider/tree/main/aider/coders",
        "https://github.com/Aider-AI/aider#v0.86.1",
        "https://github.com/Aider-AI/aider@v0.86.1",
    ] {
        assert_eq!(ok(s), want, "{s}");
    }
}

#[test]
fn repo_url_pins() {
    assert_eq!(
        repo(&format!(
            "git+ssh://git@github.com/CycloneDX/cyclonedx-javascript-library.git#{SHA}"
        )),
        Some((
            "https://github.com/CycloneDX/cyclonedx-javascript-library".into(),
            Some(SHA.into())
        ))
    );
    assert_eq!(
        repo(&format!(
            "git+https://github.com/o/n.git@{}",
            SHA.to_uppercase()
        )),
        Some(("https://github.com/o/n".into(), Some(SHA.into())))
    );
    assert_eq!(
        repo("https://github.com/o/n/tree/abc1234"),
        Some(("https://github.com/o/n".into(), Some("abc1234".into())))
    );
    assert_eq!(
        repo(&format!("https://github.com/o/n/commit/{SHA}")),
        Some(("https://github.com/o/n".into(), Some(SHA.into())))
    );
    assert_eq!(
        repo(&format!("https://codeberg.org/o/n/src/commit/{SHA}")),
        Some(("https://codeberg.org/o/n".into(), Some(SHA.into())))
    );
    assert_eq!(
        repo("https://codeberg.org/o/n/src/branch/abc1234"),
        Some(("https://codeberg.org/o/n".into(), None))
    );
    // not commit-like: no pin
    assert_eq!(
        repo("https://github.com/o/n#deadbeef"),
        Some(("https://github.com/o/n".into(), None))
    );
    assert_eq!(
        repo("https://github.com/o/n#1234567"),
        Some(("https://github.com/o/n".into(), None))
    );
    assert_eq!(
        repo("https://github.com/o/n#semver:^1.0"),
        Some(("https://github.com/o/n".into(), None))
    );
}

#[test]
fn repo_url_other_forges() {
    assert_eq!(
        ok("https://gitlab.com/gitlab-org/gitlab"),
        "https://gitlab.com/gitlab-org/gitlab"
    );
    let (r, _) = parse_repo_url("https://gitlab.com/group/sub/project.git").unwrap();
    assert_eq!(
        (r.owner.as_str(), r.name.as_str()),
        ("group/sub", "project")
    );
    assert_eq!(
        ok("https://gitlab.com/group/sub/project/-/tree/main"),
        "https://gitlab.com/group/sub/project"
    );
    assert_eq!(
        repo(&format!(
            "https://gitlab.com/group/sub/project/-/commit/{SHA}"
        )),
        Some((
            "https://gitlab.com/group/sub/project".into(),
            Some(SHA.into())
        ))
    );
    assert_eq!(
        ok("git@gitlab.com:group/sub/project.git"),
        "https://gitlab.com/group/sub/project"
    );
    assert_eq!(repo("https://gitlab.com/group/project/-/issues/3"), None);
    assert_eq!(repo("https://gitlab.com/group/project/issues"), None);
    assert_eq!(
        repo("https://gitlab.com/group/project/-/merge_requests/1"),
        None
    );
    assert_eq!(repo("https://gitlab.com/groups/foo"), None);
    assert_eq!(repo("https://gitlab.com/foo"), None);
    assert_eq!(
        ok("https://bitbucket.org/atlassian/python-bitbucket"),
        "https://bitbucket.org/atlassian/python-bitbucket"
    );
    assert_eq!(
        ok("https://bitbucket.org/o/n/src/master/"),
        "https://bitbucket.org/o/n"
    );
    assert_eq!(repo("https://bitbucket.org/o/n/issues"), None);
    assert_eq!(repo("https://bitbucket.org/o/n/pull-requests/4"), None);
    assert_eq!(
        ok("https://codeberg.org/forgejo/forgejo"),
        "https://codeberg.org/forgejo/forgejo"
    );
    assert_eq!(ok("bitbucket:o/n"), "https://bitbucket.org/o/n");
}

#[test]
fn repo_url_rejects_non_repositories() {
    for s in [
        "https://github.com/sponsors/someone",
        "https://github.com/orgs/pallets/repositories",
        "https://github.com/pallets/.github",
        "https://github.com/o/n/issues",
        "https://github.com/o/n/issues/12",
        "https://github.com/o/n/pull/3",
        "https://github.com/o/n/pulls",
        "https://github.com/o/n/blob/main/README.md",
        "https://github.com/o/n/wiki",
        "https://github.com/o/n/releases",
        "https://github.com/o/n/releases/tag/v1.0",
        "https://github.com/o/n/archive/refs/tags/v1.0.tar.gz",
        "https://github.com/o",
        "https://github.com/",
        "https://github.com",
        "https://pallets.github.io/jinja",
        "https://owner.github.io/",
        "https://gist.github.com/o/0123456789abcdef",
        "https://raw.githubusercontent.com/o/n/main/x",
        "https://pypi.org/project/aider-chat/",
        "https://git.example.com/o/n.git",
        "https://github.com.evil.example/o/n",
        "https://evil.example/github.com/o/n",
        "ftp://github.com/o/n",
        "file:///github.com/o/n",
        "https://github.com/../n",
        "https://github.com/o/..",
        "https://github.com/o/n%2e",
        "https://github.com/o/n\u{1b}[31m",
        "https://github.com/o/n two",
        "",
        "github.com",
        "git@github.com:o",
    ] {
        assert_eq!(repo(s), None, "{s}");
    }
}

#[test]
fn repo_url_go_subpaths_and_mirror_path() {
    assert_eq!(
        ok("https://github.com/GoogleCloudPlatform/opentelemetry-operations-go/exporter/trace"),
        "https://github.com/GoogleCloudPlatform/opentelemetry-operations-go"
    );
    assert_eq!(
        ok("https://github.com/Delta456/box-cli-maker/v2"),
        "https://github.com/Delta456/box-cli-maker"
    );
    let (r, _) = parse_repo_url("git@github.com:Aider-AI/aider.git").unwrap();
    assert_eq!(
        r.mirror_path(Path::new("/m")),
        PathBuf::from("/m/github.com/Aider-AI/aider.git")
    );
    assert_eq!(r.key(), "github.com/aider-ai/aider");
    let (r, _) = parse_repo_url("https://gitlab.com/a/b/c").unwrap();
    assert_eq!(
        r.mirror_path(Path::new("/m")),
        PathBuf::from("/m/gitlab.com/a/b/c.git")
    );
}

#[test]
fn commit_like() {
    assert!(looks_like_commit(SHA));
    assert!(looks_like_commit("abc1234"));
    assert!(looks_like_commit(&"a1".repeat(32)));
    assert!(!looks_like_commit("abc123"));
    assert!(!looks_like_commit("1234567"));
    assert!(!looks_like_commit("deadbeef"));
    assert!(!looks_like_commit("v1.2.3"));
    assert!(!looks_like_commit(&"a1".repeat(33)));
    assert!(!looks_like_commit(
        "g887c803ac56deb5f91b617ef0486ca3fb98473b"
    ));
}

#[test]
fn redaction() {
    assert_eq!(
        redact_credentials("https://user:tok@github.com/o/n"),
        "https://github.com/o/n"
    );
    assert_eq!(
        redact_credentials("git+ssh://git@github.com/o/n"),
        "git+ssh://github.com/o/n"
    );
    assert_eq!(
        redact_credentials("https://github.com/o/n@abc"),
        "https://github.com/o/n@abc"
    );
    assert_eq!(
        redact_credentials("git@github.com:o/n"),
        "git@github.com:o/n"
    );
}

#[test]
fn purl_parsing() {
    let p =
        Purl::parse("pkg:npm/%40babel/core@7.24.7?download_url=git%2Bssh%3A%2F%2Fx#packages/core")
            .unwrap();
    assert_eq!(p.ty, "npm");
    assert_eq!(p.namespace.as_deref(), Some("@babel"));
    assert_eq!(p.name, "core");
    assert_eq!(p.version.as_deref(), Some("7.24.7"));
    assert_eq!(p.qualifier("download_url"), Some("git+ssh://x"));
    let p = Purl::parse("pkg:npm/@babel/core@7.24.7").unwrap();
    assert_eq!(
        (
            p.namespace.as_deref(),
            p.name.as_str(),
            p.version.as_deref()
        ),
        (Some("@babel"), "core", Some("7.24.7"))
    );
    let p = Purl::parse("pkg:golang/github.com/o/r/v2@v2.1.0?type=module").unwrap();
    assert_eq!(
        (p.namespace.as_deref(), p.name.as_str()),
        (Some("github.com/o/r"), "v2")
    );
    assert_eq!(p.short(), "pkg:golang/github.com/o/r/v2");
    let p = Purl::parse("pkg:pypi/Foo_Bar").unwrap();
    assert_eq!((p.name.as_str(), p.version.as_deref()), ("Foo_Bar", None));
    assert_eq!(p.match_key(), "pkg:pypi/foo-bar");
    assert_eq!(Purl::parse("pkg:pypi/"), None);
    assert_eq!(Purl::parse("npm/foo"), None);
    assert_eq!(pep503("Foo__Bar.baz-_-Qux"), "foo-bar-baz-qux");
    assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
}

fn comp(purl: Option<&str>, bom_ref: Option<&str>, refs: &[(&str, &str)]) -> Component {
    Component {
        locator: "/components/0".into(),
        bom_ref: bom_ref.map(Into::into),
        name: "x".into(),
        purl: purl.map(Into::into),
        vcs_refs: refs
            .iter()
            .map(|(u, o)| VcsRef {
                url: u.to_string(),
                origin: o.to_string(),
            })
            .collect(),
        ..Default::default()
    }
}

const MAP: &str = r#"
# overrides
[repositories]
"pkg:pypi/aider-chat" = "https://github.com/Aider-AI/aider"
"pkg:pypi/Foo_Bar" = "git@gitlab.com:g/foo-bar.git"
"pkg:npm/%40scope/pkg" = "../repos/pkg.git"
"my-bom-ref" = "/abs/repo"
"pkg:maven/org.Example/lib" = "file:///srv/lib"
"#;

#[test]
fn repo_map_lookup() {
    let map = RepoMap::from_toml("/etc/aiprov/map.toml", MAP).unwrap();
    assert_eq!(map.len(), 5);
    let gh = |s: &str| MapTarget::Url(parse_repo_url(s).unwrap().0);
    assert_eq!(
        map.lookup(&comp(Some("pkg:pypi/aider-chat@0.86.1"), None, &[])),
        Some(gh("https://github.com/Aider-AI/aider"))
    );
    assert_eq!(
        map.lookup(&comp(
            Some("pkg:pypi/Aider_Chat@0.86.1?extra=1#sub"),
            None,
            &[]
        )),
        Some(gh("https://github.com/Aider-AI/aider"))
    );
    assert_eq!(
        map.lookup(&comp(Some("pkg:pypi/foo.bar@1"), None, &[])),
        Some(gh("https://gitlab.com/g/foo-bar"))
    );
    assert_eq!(
        map.lookup(&comp(Some("pkg:PyPI/foo-bar"), None, &[])),
        Some(gh("https://gitlab.com/g/foo-bar"))
    );
    assert_eq!(
        map.lookup(&comp(Some("pkg:npm/%40scope/pkg@1.0.0"), None, &[])),
        Some(MapTarget::Path(PathBuf::from(
            "/etc/aiprov/../repos/pkg.git"
        )))
    );
    assert_eq!(
        map.lookup(&comp(Some("pkg:npm/pkg@1.0.0"), None, &[])),
        None
    );
    assert_eq!(
        map.lookup(&comp(Some("pkg:maven/org.example/LIB@2"), None, &[])),
        Some(MapTarget::Path("/srv/lib".into()))
    );
    assert_eq!(
        map.lookup(&comp(None, Some("my-bom-ref"), &[])),
        Some(MapTarget::Path("/abs/repo".into()))
    );
    assert_eq!(map.lookup(&comp(None, Some("My-Bom-Ref"), &[])), None);
    // bom-ref wins over purl
    assert_eq!(
        map.lookup_with_key(&comp(
            Some("pkg:pypi/aider-chat@1"),
            Some("my-bom-ref"),
            &[]
        ))
        .map(|(k, _)| k),
        Some("my-bom-ref")
    );
    assert_eq!(map.lookup(&comp(Some("pkg:pypi/aider@1"), None, &[])), None);
    assert_eq!(map.lookup(&comp(Some("not a purl"), None, &[])), None);
    // relative to the current folder when the label has no folder
    let m = RepoMap::from_toml("map.toml", "[repositories]\nx = \"repo\"\n").unwrap();
    assert_eq!(
        m.lookup(&comp(None, Some("x"), &[])),
        Some(MapTarget::Path("repo".into()))
    );
}

#[test]
fn repo_map_errors() {
    let err = |text: &str| {
        RepoMap::from_toml("maps/m.toml", text)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err("[repositories\n"),
        "maps/m.toml: not valid TOML at line 1, column 14: unclosed table, expected `]`"
    );
    assert_eq!(err(""), "maps/m.toml: no [repositories] table");
    assert_eq!(
        err("[repos]\n"),
        "maps/m.toml: unknown key \"repos\" (expected only a [repositories] table)"
    );
    assert_eq!(
        err("repositories = 3\n"),
        "maps/m.toml: \"repositories\" must be a table"
    );
    assert_eq!(err("[repositories]\nx = 3\n"), "maps/m.toml: [repositories] \"x\": expected a string (repository URL or path), found a integer");
    assert_eq!(
        err("[repositories]\n\"pkg:pypi/foo@1.0\" = \"https://github.com/o/n\"\n"),
        "maps/m.toml: [repositories] \"pkg:pypi/foo@1.0\": a repo map key matches every version: remove \"@1.0\""
    );
    assert_eq!(
        err("[repositories]\n\"pkg:pypi/foo_bar\" = \"https://github.com/o/n\"\n\"pkg:pypi/Foo.Bar\" = \"https://github.com/o/m\"\n"),
        "maps/m.toml: [repositories] \"pkg:pypi/foo_bar\": names the same package as \"pkg:pypi/Foo.Bar\""
    );
    assert_eq!(
        err("[repositories]\nx = \"https://u:secret@git.example.com/o/n.git\"\n"),
        "maps/m.toml: [repositories] \"x\": \"https://git.example.com/o/n.git\": no user:password in repository URLs (git asks ssh-agent or a credential helper)"
    );
    assert_eq!(
        err("[repositories]\nx = \"https://git.example.com/solo\"\n"),
        "maps/m.toml: [repositories] \"x\": \"https://git.example.com/solo\" is not a repository URL (https://, ssh://, git:// or git@HOST:PATH with at least OWNER/NAME) nor a local path"
    );
    assert_eq!(
        err(&format!("[repositories]\nx = \"https://github.com/o/n#{SHA}\"\n")),
        "maps/m.toml: [repositories] \"x\": the repo map names repositories, not revisions: remove the commit (#… / @…)"
    );
    assert_eq!(
        err("[repositories]\n\"pkg:\" = \"a\"\n"),
        "maps/m.toml: [repositories] \"pkg:\": not a valid purl (pkg:TYPE/[NAMESPACE/]NAME)"
    );
    assert_eq!(
        err("[repositories]\nx = \"\"\n"),
        "maps/m.toml: [repositories] \"x\": empty value"
    );
    assert_eq!(
        err("[repositories]\n\"a\\u001bb\" = 1\n"),
        "maps/m.toml: [repositories] \"a\\u{1b}b\": expected a string (repository URL or path), found a integer"
    );
    assert!(err("[repositories]\n\"a\u{1b}b\" = 1\n")
        .starts_with("maps/m.toml: not valid TOML at line 2, column 3: "));
}

#[test]
fn resolution_order() {
    let c = comp(
        Some("pkg:pypi/aider-chat@0.86.1"),
        None,
        &[
            (
                "https://pypi.org/project/aider-chat",
                "externalReferences[vcs]",
            ),
            (
                "https://github.com/Aider-AI/aider",
                "externalReferences[website]",
            ),
            (
                &format!("git+https://github.com/aider-ai/aider.git#{SHA}"),
                "externalReferences[distribution]",
            ),
        ],
    );
    let want_repo = parse_repo_url("https://github.com/Aider-AI/aider")
        .unwrap()
        .0;
    assert_eq!(
        resolve_repository(&c, None),
        Resolution::Url {
            repo: want_repo.clone(),
            pinned_commit: Some(SHA.into()),
            source: Source::Sbom {
                origin: "externalReferences[website]".into()
            }
        }
    );
    let map = RepoMap::from_toml(
        "m.toml",
        "[repositories]\n\"pkg:pypi/aider-chat\" = \"https://github.com/fork/aider\"\n",
    )
    .unwrap();
    assert_eq!(
        resolve_repository(&c, Some(&map)),
        Resolution::Url {
            repo: parse_repo_url("https://github.com/fork/aider").unwrap().0,
            pinned_commit: None,
            source: Source::RepoMap {
                key: "pkg:pypi/aider-chat".into()
            }
        }
    );
    let map = RepoMap::from_toml(
        "m.toml",
        "[repositories]\n\"pkg:pypi/aider-chat\" = \"https://github.com/AIDER-AI/aider\"\n",
    )
    .unwrap();
    assert!(
        matches!(resolve_repository(&c, Some(&map)), Resolution::Url { pinned_commit: Some(ref p), .. } if p == SHA)
    );
    let map = RepoMap::from_toml(
        "/m/m.toml",
        "[repositories]\n\"pkg:pypi/aider-chat\" = \"src/aider\"\n",
    )
    .unwrap();
    assert_eq!(
        resolve_repository(&c, Some(&map)),
        Resolution::Path {
            path: "/m/src/aider".into(),
            pinned_commit: Some(SHA.into()),
            source: Source::RepoMap {
                key: "pkg:pypi/aider-chat".into()
            }
        }
    );
    // a map that does not match falls through to the SBOM
    let other =
        RepoMap::from_toml("m.toml", "[repositories]\n\"pkg:pypi/other\" = \"x\"\n").unwrap();
    assert!(matches!(
        resolve_repository(&c, Some(&other)),
        Resolution::Url {
            source: Source::Sbom { .. },
            ..
        }
    ));
    assert_eq!(
        Source::RepoMap { key: "k".into() }.to_string(),
        "repo map entry \"k\""
    );
    assert_eq!(
        Source::Sbom {
            origin: "purl:vcs_url".into()
        }
        .to_string(),
        "SBOM purl:vcs_url"
    );
}

#[test]
fn resolution_reasons() {
    assert_eq!(
        resolve_repository(&comp(Some("pkg:pypi/x@1.0?a=b"), None, &[]), None),
        Resolution::None { reason: "no repository URL in the SBOM (purl pkg:pypi/x has no vcs_url; no vcs external reference)".into() }
    );
    assert_eq!(
        resolve_repository(&comp(None, None, &[]), None),
        Resolution::None {
            reason: "no repository URL in the SBOM (no purl; no vcs external reference)".into()
        }
    );
    assert_eq!(
        resolve_repository(
            &comp(None, None, &[("https://me:pw@svn.example.org/repo\u{1b}[2J", "externalReferences[vcs]"), ("x", "y")]),
            None
        ),
        Resolution::None {
            reason: "no supported repository URL in the SBOM: externalReferences[vcs] https://svn.example.org/repo\\u{1b}[2J is not a git repository URL (and 1 more)".into()
        }
    );
}

fn tags(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn m<'a>(name: &str, version: &str, t: &'a [String]) -> Option<&'a str> {
    match_version_tag(name, version, t)
}

#[test]
fn tag_conventions_in_order() {
    let all = tags(&[
        "release-1.2.3",
        "foo/v1.2.3",
        "foo_v1.2.3",
        "foo@1.2.3",
        "foo-1.2.3",
        "foo-v1.2.3",
        "1.2.3",
        "v1.2.3",
    ]);
    let mut t = all.clone();
    for want in [
        "v1.2.3",
        "1.2.3",
        "foo-v1.2.3",
        "foo-1.2.3",
        "foo@1.2.3",
        "foo_v1.2.3",
        "foo/v1.2.3",
        "release-1.2.3",
    ] {
        assert_eq!(m("foo", "1.2.3", &t), Some(want), "{t:?}");
        if want == "foo/v1.2.3" {
            // NAME / SUBDIR must fit the name; `release-` fits any
            assert_eq!(m("bar", "1.2.3", &t), Some("release-1.2.3"));
        }
        t.retain(|x| x != want);
    }
    assert_eq!(m("foo", "1.2.3", &t), None);
    // subdir tag fits when the module path ends with it
    let t = tags(&["exporter/trace/v0.16.0", "exporter/metric/v0.16.0"]);
    assert_eq!(
        m(
            "github.com/GoogleCloudPlatform/opentelemetry-operations-go/exporter/trace",
            "v0.16.0",
            &t
        ),
        Some("exporter/trace/v0.16.0")
    );
    assert_eq!(m("github.com/o/r", "v0.16.0", &t), None);
    assert_eq!(
        m("foo", "1.2.3", &tags(&["packages/foo/v1.2.3"])),
        Some("packages/foo/v1.2.3")
    );
    assert_eq!(
        m("foo", "1.2.3", &tags(&["refs/tags/v1.2.3"])),
        Some("refs/tags/v1.2.3")
    );
    assert_eq!(
        m("foo", "1.2.3", &tags(&["release/v1.2.3"])),
        Some("release/v1.2.3")
    );
    assert_eq!(m("foo", "1.2.3", &tags(&["V1.2.3"])), Some("V1.2.3"));
}

#[test]
fn tag_name_forms() {
    assert_eq!(
        m("Foo_Bar", "2.0.1", &tags(&["foo-bar-v2.0.1"])),
        Some("foo-bar-v2.0.1")
    );
    assert_eq!(
        m("foo.bar", "2.0.1", &tags(&["FOO_BAR-2.0.1"])),
        Some("FOO_BAR-2.0.1")
    );
    assert_eq!(
        m(
            "@babel/core",
            "7.24.7",
            &tags(&["@babel/core@7.24.7", "@babel/parser@7.24.7"])
        ),
        Some("@babel/core@7.24.7")
    );
    assert_eq!(
        m("core", "7.24.7", &tags(&["@babel/core@7.24.7"])),
        Some("@babel/core@7.24.7")
    );
    assert_eq!(
        m("@babel/core", "7.24.7", &tags(&["core-v7.24.7"])),
        Some("core-v7.24.7")
    );
    assert_eq!(
        m("@babel/core", "7.24.7", &tags(&["@other/core@7.24.7"])),
        None
    );
    assert_eq!(
        m(
            "github.com/o/box-cli-maker/v2",
            "v2.2.2",
            &tags(&["box-cli-maker-v2.2.2"])
        ),
        Some("box-cli-maker-v2.2.2")
    );
    assert_eq!(
        m(
            "aider-chat",
            "0.86.1",
            &tags(&["aider-chat-v0.86.1", "v0.86.10"])
        ),
        Some("aider-chat-v0.86.1")
    );
}

#[test]
fn tag_version_normalization() {
    assert_eq!(
        m("x", "1.2.3rc1", &tags(&["v1.2.3-rc.1"])),
        Some("v1.2.3-rc.1")
    );
    assert_eq!(
        m("x", "1.2.3-rc.1", &tags(&["v1.2.3rc1"])),
        Some("v1.2.3rc1")
    );
    assert_eq!(
        m("x", "1.2.3rc1", &tags(&["v1.2.3-rc.1", "v1.2.3rc1"])),
        Some("v1.2.3rc1")
    );
    assert_eq!(
        m("x", "2.0.0b2", &tags(&["2.0.0-beta.2"])),
        Some("2.0.0-beta.2")
    );
    assert_eq!(
        m("x", "2.0.0a1", &tags(&["v2.0.0-alpha1"])),
        Some("v2.0.0-alpha1")
    );
    assert_eq!(m("x", "1.0.post1", &tags(&["v1.0-1"])), Some("v1.0-1"));
    assert_eq!(m("x", "1.0.dev3", &tags(&["v1.0.dev3"])), Some("v1.0.dev3"));
    assert_eq!(
        m(
            "x",
            "1.0.0-next.5",
            &tags(&["v1.0.0-next.5", "v1.0.0-next.50"])
        ),
        Some("v1.0.0-next.5")
    );
    assert_eq!(
        m("x", "v2.0.0+incompatible", &tags(&["v2.0.0"])),
        Some("v2.0.0")
    );
    assert_eq!(m("x", "V3.1", &tags(&["v3.1"])), Some("v3.1"));
    assert_eq!(
        m("x", "3.1.4+local.1", &tags(&["v3.1.4+local-1"])),
        Some("v3.1.4+local-1")
    );
    assert_eq!(m("x", "1.02", &tags(&["v1.2"])), Some("v1.2"));
    // 1.0 vs 1.0.0 only when unambiguous
    assert_eq!(m("x", "1.0", &tags(&["v1.0.0"])), Some("v1.0.0"));
    assert_eq!(m("x", "1.0.0", &tags(&["1.0"])), Some("1.0"));
    assert_eq!(m("x", "1.0", &tags(&["v1.0.0", "v1.0"])), Some("v1.0"));
    assert_eq!(m("x", "1.0", &tags(&["1.0.0", "v1.0.0"])), Some("v1.0.0"));
    assert_eq!(m("x", "1.0", &tags(&["v1.0.0", "v1.0.0.0"])), None);
    assert_eq!(m("x", "1.0.0", &tags(&["v1"])), None);
    assert_eq!(m("x", "1", &tags(&["v1.0"])), None);
    // unparsable versions: exact spelling only
    assert_eq!(m("x", "latest", &tags(&["latest", "v1.0"])), Some("latest"));
    assert_eq!(m("x", "nightly", &tags(&["nightly-2024"])), None);
}

#[test]
fn tag_negatives() {
    assert_eq!(
        m(
            "x",
            "1.2.3",
            &tags(&[
                "v1.2.30",
                "1.2.30",
                "v11.2.3",
                "11.2.3",
                "v1.2.3.1",
                "v1.2.3-rc1",
                "v1.2.3.post1",
                "v1.2.3.dev0"
            ])
        ),
        None
    );
    assert_eq!(
        m(
            "x",
            "1.2.3",
            &tags(&["v21.2.3", "x-v21.2.3", "x-1.2.30", "x1.2.3", "v1.2.3x"])
        ),
        None
    );
    assert_eq!(
        m(
            "foo",
            "1.2.3",
            &tags(&[
                "bar-v1.2.3",
                "foobar-1.2.3",
                "foo-bar-1.2.3",
                "bar/v1.2.3",
                "foo-bar@1.2.3"
            ])
        ),
        None
    );
    assert_eq!(
        m("foo-bar", "1.2.3", &tags(&["bar-1.2.3", "foo-1.2.3"])),
        None
    );
    assert_eq!(
        m(
            "foo",
            "1.2.3-rc1",
            &tags(&["v1.2.3", "v1.2.3-rc2", "v1.2.3-beta1"])
        ),
        None
    );
    assert_eq!(m("foo", "1.2.3", &tags(&[])), None);
    assert_eq!(m("foo", "", &tags(&["v1.0"])), None);
    assert_eq!(m("foo", "1.2.3", &tags(&["release-candidate-1.2.3"])), None);
    assert_eq!(
        m(
            "foo",
            "0.0.0-20210101120000-abcdef123456",
            &tags(&["v0.0.0"])
        ),
        None
    );
}

/// Issue 14: a `vcs` reference names a repository whatever its host; the full group path is
/// kept; the configured kind decides how the path splits; web pages are not repositories.
#[test]
fn vcs_urls_on_any_host() {
    let none = ForgeHosts::default();
    let any = |s: &str, hosts: &ForgeHosts| {
        parse_vcs_url(s, hosts)
            .map(|(r, pin)| (r.host.clone(), r.owner.clone(), r.name.clone(), pin))
    };
    let full = Some((
        "gitlab.example.com".to_string(),
        "group/sub".to_string(),
        "name".to_string(),
        None,
    ));
    for s in [
        "git@gitlab.example.com:group/sub/name.git",
        "ssh://git@gitlab.example.com/group/sub/name.git",
        "ssh://git@gitlab.example.com:2222/group/sub/name.git",
        "git+ssh://git@gitlab.example.com/group/sub/name.git",
        "https://gitlab.example.com/group/sub/name",
        "https://gitlab.example.com/group/sub/name.git",
        "git+https://GitLab.Example.com/group/sub/name.git",
        "https://gitlab.example.com/group/sub/name/-/tree/main",
        "https://gitlab.example.com/group/sub/name/tree/main",
        "git://gitlab.example.com/group/sub/name.git",
    ] {
        assert_eq!(any(s, &none), full, "{s}");
    }
    assert_eq!(
        any(&format!("git+https://git.example.com/a/b.git#{SHA}"), &none),
        Some((
            "git.example.com".into(),
            "a".into(),
            "b".into(),
            Some(SHA.into())
        ))
    );
    // GitHub Enterprise configured as github: OWNER/NAME, the rest is a page of it.
    let ghe = ForgeHosts::new([("GHE.example.com".to_string(), ForgeKind::Github)]);
    assert_eq!(
        any("https://ghe.example.com/o/n/tree/main/docs", &ghe),
        Some(("ghe.example.com".into(), "o".into(), "n".into(), None))
    );
    assert!(any("https://ghe.example.com/o/n/issues/3", &ghe).is_none());
    // Scheme-less on an unknown host is a Go module path, not a repository; one segment is
    // no OWNER/NAME; registries' project pages are no git hosts.
    assert!(any("git.example.com/a/b", &none).is_none());
    assert!(any("https://git.example.com/solo", &none).is_none());
    assert!(any("https://pypi.org/project/aider-chat", &none).is_none());
    assert!(any("https://www.npmjs.com/package/left-pad", &none).is_none());
    assert!(any("https://host_with_underscore.example/a/b", &none).is_none());
    assert!(any("file:///srv/git/a/b.git", &none).is_none());
    // The public forges read as before, and parse_repo_url still knows only them.
    assert_eq!(
        any("https://github.com/o/n/tree/main", &none),
        Some(("github.com".into(), "o".into(), "n".into(), None))
    );
    assert!(parse_repo_url("git@gitlab.example.com:group/sub/name.git").is_none());
}

#[test]
fn known_hosts_win_over_unknown_ones_and_git_urls_over_pages() {
    let c = comp(
        None,
        None,
        &[
            (
                "https://docs.example.com/guide/intro",
                "externalReferences[vcs]",
            ),
            (
                "git@git.example.com:team/tool.git",
                "externalReferences[vcs]",
            ),
            ("https://github.com/o/tool", "externalReferences[website]"),
        ],
    );
    let url = |r: Resolution| match r {
        Resolution::Url { repo, source, .. } => (repo.to_string(), source.to_string()),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        url(resolve_repository_on(&c, None, &ForgeHosts::default())),
        (
            "https://github.com/o/tool".into(),
            "SBOM externalReferences[website]".into()
        )
    );
    let c2 = comp(
        None,
        None,
        &c.vcs_refs[..2]
            .iter()
            .map(|r| (r.url.as_str(), r.origin.as_str()))
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        url(resolve_repository_on(&c2, None, &ForgeHosts::default())),
        (
            "https://git.example.com/team/tool".into(),
            "SBOM externalReferences[vcs]".into()
        )
    );
    let docs = ForgeHosts::new([("docs.example.com".to_string(), ForgeKind::Gitea)]);
    assert_eq!(
        url(resolve_repository_on(&c2, None, &docs)).0,
        "https://docs.example.com/guide/intro",
        "a configured host is known"
    );
    // The repo map takes any host.
    let map = RepoMap::from_toml(
        "m.toml",
        "[repositories]\nx = \"git@git.example.com:team/sub/tool.git\"\n",
    )
    .unwrap();
    assert_eq!(
        map.lookup(&comp(None, Some("x"), &[])),
        Some(MapTarget::Url(
            parse_vcs_url(
                "https://git.example.com/team/sub/tool",
                &ForgeHosts::default()
            )
            .unwrap()
            .0
        ))
    );
}
