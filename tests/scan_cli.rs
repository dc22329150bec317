//! `aiprov scan` end to end: this repository's own Cargo.lock and the fixtures under
//! `testdata/lockfiles/`, each checked against the official CycloneDX 1.6 schema, one component
//! per locked package with the right purl.

use crate::common;
use crate::schema;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn lockfiles(rel: &str) -> PathBuf {
    repo_root().join("testdata/lockfiles").join(rel)
}

/// Run `aiprov scan ARGS`; returns (exit code, stdout, stderr).
fn scan(args: &[&str]) -> (i32, String, String) {
    let args: Vec<&str> = ["scan"].iter().chain(args).copied().collect();
    let run = common::aiprov_with(&args, None, &[("SOURCE_DATE_EPOCH", "1767225600")]);
    (run.code, run.stdout, run.stderr)
}

/// Scan `path` with `--no-enrich`, check exit 0, an empty stderr unless `stderr_ok`, and the
/// schema; return the document.
fn scan_doc(path: &Path) -> Value {
    let (code, stdout, stderr) = scan(&[path.to_str().unwrap(), "--no-enrich"]);
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).expect("stdout is the SBOM");
    if let Some(shared) = common::shared_dir() {
        if let Err(errors) = schema::validate_cyclonedx(&doc, &shared) {
            panic!(
                "{} is not valid CycloneDX 1.6:\n{}",
                path.display(),
                errors.join("\n")
            );
        }
    }
    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(doc["metadata"]["timestamp"], "2026-01-01T00:00:00Z");
    assert_eq!(doc["metadata"]["tools"]["components"][0]["name"], "aiprov");
    doc
}

fn purls(doc: &Value) -> BTreeSet<String> {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["purl"].as_str().unwrap().to_string())
        .collect()
}

fn depends_on(doc: &Value, r: &str) -> Vec<String> {
    doc["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == r)
        .unwrap_or_else(|| panic!("no dependencies entry for {r}"))["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn component<'a>(doc: &'a Value, purl: &str) -> &'a Value {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["purl"] == purl)
        .unwrap()
}

#[test]
fn own_cargo_lock() {
    let lock: toml::Table =
        toml::from_str(&std::fs::read_to_string(repo_root().join("Cargo.lock")).unwrap()).unwrap();
    let packages = lock["package"].as_array().unwrap();
    let want: BTreeSet<String> = packages
        .iter()
        .filter(|p| p.get("source").is_some())
        // purl versions percent-encode `+` (build metadata: `0.11.1+wasi-snapshot-preview1`)
        .map(|p| {
            format!(
                "pkg:cargo/{}@{}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap().replace('+', "%2B")
            )
        })
        .collect();
    let cache = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = scan(&[
        repo_root().join("Cargo.lock").to_str().unwrap(),
        "--offline",
        "--cache-dir",
        cache.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    // Without --no-enrich the SBOM is enriched; offline with an empty cache, no crate has a
    // repository (the lockfile names none, and no registry answer is cached).
    let n = packages.len() - 1;
    assert!(
        stderr.lines().any(|l| l.starts_with(&format!(
            "aiprov: {n} components: {n} no-repository; 0 repositories walked in "
        ))),
        "{stderr}"
    );
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    if let Some(shared) = common::shared_dir() {
        schema::validate_cyclonedx(&doc, &shared).unwrap_or_else(|e| panic!("{}", e.join("\n")));
    }
    // One component per locked package; aiprov itself is the subject.
    assert_eq!(
        doc["components"].as_array().unwrap().len(),
        packages.len() - 1
    );
    assert_eq!(purls(&doc), want);
    assert_eq!(
        doc["metadata"]["component"]["purl"],
        format!("pkg:cargo/aiprov@{}", env!("CARGO_PKG_VERSION"))
    );
    let direct = depends_on(
        &doc,
        &format!("pkg:cargo/aiprov@{}", env!("CARGO_PKG_VERSION")),
    );
    let gix = packages
        .iter()
        .find(|p| p["name"].as_str() == Some("gix"))
        .unwrap();
    assert!(
        direct.contains(&format!(
            "pkg:cargo/gix@{}",
            gix["version"].as_str().unwrap()
        )),
        "{direct:?}"
    );
    // Checksums become SHA-256 hashes.
    let c = component(
        &doc,
        &format!("pkg:cargo/gix@{}", gix["version"].as_str().unwrap()),
    );
    assert_eq!(c["hashes"][0]["alg"], "SHA-256");
    assert_eq!(c["hashes"][0]["content"], gix["checksum"].as_str().unwrap());
    assert_eq!(
        doc["dependencies"].as_array().unwrap().len(),
        packages.len()
    );
}

#[test]
fn cargo_metadata_and_the_lockfile_alone_agree() {
    let dir = lockfiles("cargo");
    let doc = scan_doc(&dir);
    assert_eq!(
        purls(&doc),
        BTreeSet::from(["pkg:cargo/fixture-util@0.1.2".to_string()])
    );
    assert_eq!(
        doc["metadata"]["component"]["purl"],
        "pkg:cargo/fixture-app@0.3.0"
    );
    assert_eq!(
        depends_on(&doc, "pkg:cargo/fixture-app@0.3.0"),
        ["pkg:cargo/fixture-util@0.1.2"]
    );
    // Scanning never runs cargo (issue 15): the reader is the lockfile alone.
    let via_metadata = aiprov::scan::cargo::read(&dir.join("Cargo.lock")).unwrap();
    assert_eq!(via_metadata.kind, "Cargo.lock");
    assert!(
        via_metadata.warnings.is_empty(),
        "{:?}",
        via_metadata.warnings
    );
    let alone = aiprov::scan::cargo::read_lockfile_only(&dir.join("Cargo.lock")).unwrap();
    assert_eq!(alone.kind, "Cargo.lock");
    assert_eq!(
        (&via_metadata.root, &via_metadata.packages),
        (&alone.root, &alone.packages)
    );
}

#[test]
fn package_lock_v3() {
    let doc = scan_doc(&lockfiles("npm"));
    assert_eq!(
        purls(&doc),
        BTreeSet::from(
            [
                "pkg:npm/%40sindresorhus/is@4.6.0",
                "pkg:npm/debug@4.3.4",
                "pkg:npm/is-number@7.0.0",
                "pkg:npm/ms@2.1.2",
                "pkg:npm/ms@2.1.3"
            ]
            .map(String::from)
        )
    );
    assert_eq!(
        doc["metadata"]["component"]["purl"],
        "pkg:npm/lockfile-fixture@1.0.0"
    );
    // Node's resolution: debug finds its own nested ms 2.1.2, the project gets the top-level one.
    assert_eq!(
        depends_on(&doc, "pkg:npm/debug@4.3.4"),
        ["pkg:npm/ms@2.1.2"]
    );
    assert_eq!(
        depends_on(&doc, "pkg:npm/lockfile-fixture@1.0.0"),
        [
            "pkg:npm/%40sindresorhus/is@4.6.0",
            "pkg:npm/debug@4.3.4",
            "pkg:npm/is-number@7.0.0",
            "pkg:npm/ms@2.1.3"
        ]
    );
    let is = component(&doc, "pkg:npm/%40sindresorhus/is@4.6.0");
    assert_eq!(
        (is["group"].as_str(), is["name"].as_str()),
        (Some("@sindresorhus"), Some("is"))
    );
    let ms = component(&doc, "pkg:npm/ms@2.1.3");
    assert_eq!(ms["hashes"][0]["alg"], "SHA-512");
    assert_eq!(ms["hashes"][0]["content"], "e85973b9b4cb646dc9d9afcd542025784863ceae68c601f268253dc985ef70bb2fa1568726afece715c8ebf5d73fab73ed1f7100eb479d23bfb57b45dd645394");
}

#[test]
fn uv_lock() {
    let doc = scan_doc(&lockfiles("uv"));
    assert_eq!(
        purls(&doc),
        BTreeSet::from(
            [
                "pkg:pypi/certifi@2026.10.19.post1",
                "pkg:pypi/h11@0.14.0",
                "pkg:pypi/httpcore@1.0.5",
                "pkg:pypi/socksio@1.0.0"
            ]
            .map(String::from)
        )
    );
    assert_eq!(
        doc["metadata"]["component"]["purl"],
        "pkg:pypi/lockfile-fixture@0.1.0"
    );
    assert_eq!(
        depends_on(&doc, "pkg:pypi/lockfile-fixture@0.1.0"),
        ["pkg:pypi/httpcore@1.0.5", "pkg:pypi/socksio@1.0.0"]
    );
    assert_eq!(
        depends_on(&doc, "pkg:pypi/httpcore@1.0.5"),
        ["pkg:pypi/certifi@2026.10.19.post1", "pkg:pypi/h11@0.14.0"]
    );
    // The sdist's hash; certifi has wheels only, so no hash.
    assert_eq!(
        component(&doc, "pkg:pypi/socksio@1.0.0")["hashes"],
        serde_json::json!([{"alg": "SHA-256", "content": "f88beb3da5b5c38b9890469de67d0cb0f9d494b78b106ca1845f96c10b91c4ac"}])
    );
    assert!(component(&doc, "pkg:pypi/certifi@2026.10.19.post1")
        .get("hashes")
        .is_none());
}

#[test]
fn go_sum_with_go_mod() {
    let doc = scan_doc(&lockfiles("go"));
    let crypto = "pkg:golang/golang.org/x/crypto@v0.0.0-20211117183948-ae814b36b871";
    assert_eq!(purls(&doc), BTreeSet::from([crypto.to_string()]));
    assert_eq!(
        doc["metadata"]["component"]["purl"],
        "pkg:golang/briansmith.org/webpki-test-certs"
    );
    assert_eq!(
        depends_on(&doc, "pkg:golang/briansmith.org/webpki-test-certs"),
        [crypto]
    );
}

#[test]
fn output_file_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sbom.cdx.json");
    let (code, stdout, stderr) = scan(&[
        lockfiles("uv").to_str().unwrap(),
        "--no-enrich",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["components"].as_array().unwrap().len(), 4);
    // Same lockfile, same document (SOURCE_DATE_EPOCH fixes the time; the serial number is derived).
    let (_, again, _) = scan(&[lockfiles("uv").to_str().unwrap(), "--no-enrich"]);
    assert_eq!(serde_json::from_str::<Value>(&again).unwrap(), doc);

    let nothing = dir.path().join("empty");
    std::fs::create_dir(&nothing).unwrap();
    let (code, stdout, stderr) = scan(&[nothing.to_str().unwrap(), "--no-enrich"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.lines().count()),
        (2, "", 1),
        "{stderr}"
    );
    assert!(stderr.contains("no lockfile found"), "{stderr}");
    let (code, stdout, stderr) = scan(&[out.to_str().unwrap(), "--no-enrich"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(stderr.contains("not a lockfile aiprov reads"), "{stderr}");
    let bad = dir.path().join("package-lock.json");
    std::fs::write(
        &bad,
        r#"{"name": "old", "lockfileVersion": 1, "dependencies": {}}"#,
    )
    .unwrap();
    let (code, _, stderr) = scan(&[bad.to_str().unwrap(), "--no-enrich"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("lockfileVersion 1 (npm 6) is not read"),
        "{stderr}"
    );
}
