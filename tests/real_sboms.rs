//! Issue 14: SBOMs as people have them. Duplicate bom-refs are read with one warning each and
//! every object is written once.

use serde_json::Value;

use crate::common::{self, aiprov_with};

/// The subject repeated in `components`, and two workspace members sharing a bom-ref.
const DUPLICATES_JSON: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
"metadata":{"component":{"type":"application","name":"ws","version":"1.0.0","bom-ref":"pkg:npm/ws@1.0.0","purl":"pkg:npm/ws@1.0.0"}},
"components":[
 {"type":"library","name":"ws","version":"1.0.0","bom-ref":"pkg:npm/ws@1.0.0","purl":"pkg:npm/ws@1.0.0"},
 {"type":"library","name":"a","version":"1.0.0","bom-ref":"pkg:npm/a@1.0.0","purl":"pkg:npm/a@1.0.0"},
 {"type":"library","name":"a","version":"1.0.0","description":"workspace member","bom-ref":"pkg:npm/a@1.0.0","purl":"pkg:npm/a@1.0.0"}]}"#;

const DUPLICATES_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <metadata><component type="application" bom-ref="pkg:npm/ws@1.0.0"><name>ws</name><version>1.0.0</version><purl>pkg:npm/ws@1.0.0</purl></component></metadata>
  <components>
    <component type="library" bom-ref="pkg:npm/ws@1.0.0"><name>ws</name><version>1.0.0</version><purl>pkg:npm/ws@1.0.0</purl></component>
    <component type="library" bom-ref="pkg:npm/a@1.0.0"><name>a</name><version>1.0.0</version><purl>pkg:npm/a@1.0.0</purl></component>
    <component type="library" bom-ref="pkg:npm/a@1.0.0"><name>a</name><version>1.0.0</version><purl>pkg:npm/a@1.0.0</purl></component>
  </components>
</bom>
"#;

const EPOCH: (&str, &str) = ("SOURCE_DATE_EPOCH", "1767225600");

fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("aiprov: warning: "))
        .collect()
}

/// enrich, check and report accept the document, warn once per repeated bom-ref naming both
/// places, and enrich writes each object's properties exactly once.
#[test]
fn duplicate_bom_refs_json() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.json");
    std::fs::write(&input, DUPLICATES_JSON).unwrap();
    let out = dir.path().join("out.json");
    let i = input.to_str().unwrap();
    let r = aiprov_with(
        &["enrich", i, "--offline", "-o", out.to_str().unwrap()],
        None,
        &[EPOCH],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let label = i.to_string();
    assert_eq!(
        warnings(&r.stderr),
        [
            format!("aiprov: warning: {label}: duplicate bom-ref \"pkg:npm/ws@1.0.0\" at /metadata/component and /components/0 (each is written once, at its own place)"),
            format!("aiprov: warning: {label}: duplicate bom-ref \"pkg:npm/a@1.0.0\" at /components/1 and /components/2 (each is written once, at its own place)"),
        ]
    );
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    for c in v["components"].as_array().unwrap() {
        let statuses = c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["name"] == "aiprov:status")
            .count();
        assert_eq!(statuses, 1, "{c}");
    }
    assert!(v["metadata"]["component"].get("properties").is_none());
    let o = out.to_str().unwrap();
    for cmd in [vec!["check", i], vec!["check", o], vec!["report", o]] {
        let r = aiprov_with(&cmd, None, &[]);
        assert!(r.code == 0 || r.code == 1, "{cmd:?}: {}", r.stderr);
        assert_eq!(warnings(&r.stderr).len(), 2, "{cmd:?}: {}", r.stderr);
    }
}

/// The same in CycloneDX XML (XPaths name the places).
#[test]
fn duplicate_bom_refs_xml() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.xml");
    std::fs::write(&input, DUPLICATES_XML).unwrap();
    let out = dir.path().join("out.xml");
    let i = input.to_str().unwrap();
    let r = aiprov_with(
        &["enrich", i, "--offline", "-o", out.to_str().unwrap()],
        None,
        &[EPOCH],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        warnings(&r.stderr),
        [
            format!("aiprov: warning: {i}: duplicate bom-ref \"pkg:npm/ws@1.0.0\" at /bom/metadata/component and /bom/components/component[1] (each is written once, at its own place)"),
            format!("aiprov: warning: {i}: duplicate bom-ref \"pkg:npm/a@1.0.0\" at /bom/components/component[2] and /bom/components/component[3] (each is written once, at its own place)"),
        ]
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches("name=\"aiprov:status\"").count(), 3, "{text}");
    let o = out.to_str().unwrap();
    for cmd in [vec!["check", i], vec!["check", o], vec!["report", o]] {
        let r = aiprov_with(&cmd, None, &[]);
        assert!(r.code == 0 || r.code == 1, "{cmd:?}: {}", r.stderr);
        assert_eq!(warnings(&r.stderr).len(), 2, "{cmd:?}: {}", r.stderr);
    }
}

/// The enriched JSON validates against the official JSON schema; the XML adds no XSD error.
#[test]
#[ignore = "needs ../shared"]
fn duplicate_bom_ref_outputs_are_schema_valid() {
    let shared = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.json");
    std::fs::write(&input, DUPLICATES_JSON).unwrap();
    let out = dir.path().join("out.json");
    let r = aiprov_with(
        &[
            "enrich",
            input.to_str().unwrap(),
            "--offline",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
        &[EPOCH],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    crate::schema::validate_cyclonedx(&v, &shared).unwrap();
    let input = dir.path().join("in.xml");
    std::fs::write(&input, DUPLICATES_XML).unwrap();
    let out = dir.path().join("out.xml");
    let r = aiprov_with(
        &[
            "enrich",
            input.to_str().unwrap(),
            "--offline",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
        &[EPOCH],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The XSD (unlike the JSON schema) makes bom-refs unique, so the input itself is invalid
    // there: the output must carry exactly the input's two complaints and no new one.
    let xmllint = crate::xsd::xmllint().expect("xmllint");
    for file in [input, out] {
        let failures = crate::xsd::xsd_validate(xmllint, &shared, "1.6", &[file]);
        assert_eq!(failures.len(), 1);
        let errors: Vec<&str> = failures[0]
            .1
            .lines()
            .filter(|l| l.contains("validity error"))
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors
                .iter()
                .all(|e| e.contains("Duplicate key-sequence") && e.contains("bom-ref")),
            "{errors:?}"
        );
    }
}

/// Issue 14: an outage or a garbage answer makes the component `error` with the reason;
/// `no-repository` is only for a registry that answered and named none; a redirect to an
/// unreachable host does not mark the registry itself down for the rest of the run.
#[test]
fn registry_failures_are_errors_with_their_reason() {
    use crate::http_server::{ok, Reply, Server};
    let s = Server::start();
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    s.route(
        "/npm/aredirect/1.0.0",
        vec![Reply::Full(
            302,
            vec![("Location", format!("http://127.0.0.1:{dead}/x"))],
            vec![],
        )],
    );
    s.route(
        "/npm/bafter/1.0.0",
        vec![ok(
            "application/json",
            r#"{"name":"bafter","version":"1.0.0","repository":{"type":"git","url":"git+https://github.com/o/bafter.git"}}"#,
        )],
    );
    s.route(
        "/npm/cdown/1.0.0",
        vec![Reply::Full(503, vec![], b"down".to_vec())],
    );
    s.route(
        "/npm/dgarbled/1.0.0",
        vec![ok("application/json", "{\"name\": ")],
    );
    s.route(
        "/npm/enorepo/1.0.0",
        vec![ok(
            "application/json",
            r#"{"name":"enorepo","version":"1.0.0"}"#,
        )],
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("aiprov.toml");
    std::fs::write(
        &config,
        format!(
            "[registries]\nnpm = \"{}/npm\"\ndeps-dev-fallback = false\n[http]\nretries = 0\n\
             [git.remotes]\n\"github.com\" = \"git://127.0.0.1:{dead}/github.com\"\n",
            s.base
        ),
    )
    .unwrap();
    let names = ["aredirect", "bafter", "cdown", "dgarbled", "enorepo"];
    let components: Vec<Value> = names
        .iter()
        .map(|n| serde_json::json!({"type":"library","name":n,"version":"1.0.0","bom-ref":n,"purl":format!("pkg:npm/{n}@1.0.0")}))
        .collect();
    let bom = dir.path().join("bom.json");
    std::fs::write(
        &bom,
        serde_json::json!({"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":components}).to_string(),
    )
    .unwrap();
    let out = dir.path().join("out.json");
    let r = aiprov_with(
        &[
            "enrich",
            bom.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--cache-dir",
            dir.path().join("cache").to_str().unwrap(),
            "--jobs",
            "1",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let got: Vec<(String, String)> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let p = |k: &str| {
                c["properties"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["name"] == k)
                    .map(|p| p["value"].as_str().unwrap().to_string())
                    .unwrap_or_default()
            };
            (p("aiprov:status"), p("aiprov:status:reason"))
        })
        .collect();
    let b = &s.base;
    assert_eq!(got[0].0, "error", "{got:?}");
    // The redirect goes to a loopback port nobody configured: the address guard (issue 15)
    // refuses it before connecting. Either way only this component is `error`; the registry is
    // not marked down (the next component resolves).
    assert!(
        got[0]
            .1
            .contains(&format!("registry:npm: {b}/npm/aredirect/1.0.0: refused")),
        "{got:?}"
    );
    assert_eq!(got[1].0, "repository-unavailable", "{got:?}");
    assert_eq!(got[2].0, "error", "{got:?}");
    assert!(
        got[2]
            .1
            .contains(&format!("registry:npm: {b}/npm/cdown/1.0.0: HTTP 503")),
        "{got:?}"
    );
    assert_eq!(got[3].0, "error", "{got:?}");
    assert!(got[3].1.contains("malformed answer: not JSON"), "{got:?}");
    assert_eq!(got[4].0, "no-repository", "{got:?}");
    assert!(got[4].1.contains("registry:npm"), "{got:?}");
    assert!(
        got.iter()
            .all(|(_, r)| !r.contains("registry:npm: registry:npm")),
        "{got:?}"
    );
}

/// Issue 14: the builder's file system never reaches the SBOM or the HTML report: a repo-map
/// path, the mirror folder and the cache are neither `aiprov:repository` nor in a reason.
#[test]
fn local_paths_never_leak_into_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap().to_string();
    let repo = dir.path().join("checkout");
    std::fs::create_dir(&repo).unwrap();
    common::git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("f"), "x").unwrap();
    common::git(&repo, &["add", "f"]);
    common::git(
        &repo,
        &[
            "-c",
            "user.name=A",
            "-c",
            "user.email=a@example.com",
            "commit",
            "-q",
            "-m",
            "one",
        ],
    );
    std::fs::write(
        dir.path().join("repos.toml"),
        "[repositories]\n\"pkg:npm/local\" = \"checkout\"\n\"pkg:npm/gone\" = \"missing\"\n",
    )
    .unwrap();
    let bom = dir.path().join("bom.json");
    std::fs::write(
        &bom,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
 {"type":"library","name":"local","version":"1.0.0","bom-ref":"l","purl":"pkg:npm/local@1.0.0"},
 {"type":"library","name":"gone","version":"1.0.0","bom-ref":"g","purl":"pkg:npm/gone@1.0.0"},
 {"type":"library","name":"r","version":"1.0.0","bom-ref":"r","purl":"pkg:github/o/r@1.0.0"}]}"#,
    )
    .unwrap();
    let mirrors = dir.path().join("mirrors");
    std::fs::create_dir(&mirrors).unwrap();
    let out = dir.path().join("out.json");
    let r = aiprov_with(
        &[
            "enrich",
            bom.to_str().unwrap(),
            "--offline",
            // The fixture's version has no tag: walk its default branch, as asked (issue 11).
            "--fallback",
            "default-branch",
            "--repo-map",
            dir.path().join("repos.toml").to_str().unwrap(),
            "--mirror-dir",
            mirrors.to_str().unwrap(),
            "--cache-dir",
            dir.path().join("cache").to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        None,
        &[EPOCH],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains(&root), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let statuses: Vec<&str> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["properties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "aiprov:status")
                .unwrap()["value"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        statuses,
        [
            "analyzed",
            "repository-unavailable",
            "repository-unavailable"
        ]
    );
    // The forge repository keeps its canonical URL.
    assert!(
        text.contains("\"value\": \"https://github.com/o/r\""),
        "{text}"
    );
    let html = aiprov_with(
        &["report", out.to_str().unwrap(), "--format", "html"],
        None,
        &[],
    );
    assert_eq!(html.code, 0, "{}", html.stderr);
    // The report names its input as the user gave it; no other local path.
    let o = out.to_str().unwrap();
    assert!(
        !html.stdout.replace(o, "").contains(&root),
        "{}",
        html.stdout
    );
    let md = aiprov_with(&["report", o], None, &[]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(!md.stdout.replace(o, "").contains(&root), "{}", md.stdout);
}

/// Issue 14: `check --waive ELEMENT` (repeatable, case-insensitive) lists the element as
/// waived and never as missing; SPDX cannot carry an SBOM author signature, so that element is
/// `not-applicable` there, not a miss. An unknown element name is a usage error.
#[test]
fn check_waivers_and_not_applicable() {
    let dir = tempfile::tempdir().unwrap();
    let cdx = dir.path().join("bom.json");
    std::fs::write(
        &cdx,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"a","version":"1","bom-ref":"a","purl":"pkg:npm/a@1"}]}"#,
    )
    .unwrap();
    let spdx = dir.path().join("bom.spdx.json");
    std::fs::write(
        &spdx,
        r#"{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"d","documentNamespace":"https://example.com/d","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: t-1"]},"packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1","downloadLocation":"NOASSERTION"}]}"#,
    )
    .unwrap();
    let status_of = |v: &Value, element: &str| -> String {
        v["elements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["element"] == element)
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let c = cdx.to_str().unwrap();
    let r = aiprov_with(&["check", c, "--format", "json"], None, &[]);
    assert_eq!(r.code, 1);
    assert_eq!(status_of(&r.json(), "SBOM Author Signature"), "missing");
    let r = aiprov_with(
        &[
            "check",
            c,
            "--format",
            "json",
            "--waive",
            "sbom author signature",
            "--waive",
            "Component Hash Value",
        ],
        None,
        &[],
    );
    let v = r.json();
    assert_eq!(status_of(&v, "SBOM Author Signature"), "waived");
    assert_eq!(status_of(&v, "Component Hash Value"), "waived");
    assert!(!r.stderr.contains("Signature"), "{}", r.stderr);
    let r = aiprov_with(&["check", c, "--waive", "SBOM Author Signature"], None, &[]);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("SBOM Author Signature")
                && l.split_whitespace().any(|w| w == "waived")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(", 1 waived\n"), "{}", r.stdout);
    let r = aiprov_with(&["check", c, "--waive", "Signature"], None, &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("aiprov: --waive Signature: not an element of cisa-2026 (one of: SBOM Author, SBOM Author Signature,"),
        "{}",
        r.stderr
    );
    let r = aiprov_with(
        &["check", spdx.to_str().unwrap(), "--format", "json"],
        None,
        &[],
    );
    let v = r.json();
    assert_eq!(status_of(&v, "SBOM Author Signature"), "not-applicable");
    assert!(!r.stderr.contains("Signature"), "{}", r.stderr);
}
