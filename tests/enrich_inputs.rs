//! `aiprov enrich` on every CycloneDX JSON document at hand (issue 3, items 2 to 5): the shared
//! SBOMs and the specification's valid test documents 1.4 to 1.7, enriched offline with no
//! mirrors (every status is then data); then bad input, and where output goes.

use crate::common::{self, aiprov, aiprov_with, Run};
use crate::enrich_common;
use crate::schema;

use std::path::{Path, PathBuf};

use enrich_common::{listing, prop, props};
use serde_json::Value;

fn spec_valid_files(shared: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for v in ["1.4", "1.5", "1.6", "1.7"] {
        let dir = shared.join("spec-tests/cyclonedx").join(v);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("valid-") && name.ends_with(".json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn json_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Enrich one document twice (the second time from stdin); check validity, fidelity,
/// idempotence and that every component got a status. Returns the number of components.
fn check_document(path: &Path, shared: &Path, mirrors: &Path) -> Result<usize, String> {
    let label = path.display().to_string();
    let bytes = std::fs::read(path).unwrap();
    let input: Value = serde_json::from_slice(&bytes).unwrap();
    let signed = input.get("signature").is_some();
    let mut args = vec![
        "enrich",
        label.as_str(),
        "--offline",
        "--mirror-dir",
        mirrors.to_str().unwrap(),
    ];
    if signed {
        let refused = aiprov(&args);
        if refused.code != 2 || !refused.stderr.contains("--strip-signature") {
            return Err(format!(
                "{label}: a signed document must be refused without --strip-signature: {}",
                refused.stderr
            ));
        }
        args.push("--strip-signature");
    }
    let run = aiprov(&args);
    if run.code != 0 {
        return Err(format!("{label}: exit {}: {}", run.code, run.stderr));
    }
    let output = run.json();
    let spec = input["specVersion"].as_str().unwrap();
    if let (Ok(()), Err(errors)) = (
        schema::validate_cyclonedx(&input, shared),
        schema::validate_cyclonedx(&output, shared),
    ) {
        return Err(format!(
            "{label}: the output does not validate:\n  {}",
            errors.join("\n  ")
        ));
    }
    enrich_common::assert_fidelity(&label, &input, &output);
    let doc =
        aiprov::sbom::cyclonedx::read(&label, run.stdout.as_bytes()).map_err(|e| e.to_string())?;
    {
        for c in &doc.inventory.components {
            let p = props(&output, &c.locator);
            let status = prop(&p, "aiprov:status")
                .ok_or_else(|| format!("{label}: {} has no aiprov:status", c.locator))?;
            if status == "analyzed" || prop(&p, "aiprov:status:reason").is_none() {
                return Err(format!("{label}: {}: {p:?}", c.locator));
            }
        }
        let summary = props(&output, "/metadata");
        let n = doc.inventory.components.len().to_string();
        if prop(&summary, "aiprov:summary:components") != Some(n.as_str()) {
            return Err(format!("{label}: summary {summary:?}"));
        }
    }
    if spec == "1.2"
        && !run
            .stderr
            .contains("CycloneDX 1.2 defines no \"properties\"")
    {
        return Err(format!("{label}: no warning about 1.2: {}", run.stderr));
    }
    // again, from stdin: only version and timestamp change
    let again = aiprov_with(
        &[
            "enrich",
            "-",
            "--offline",
            "--mirror-dir",
            mirrors.to_str().unwrap(),
        ],
        Some(run.stdout.as_bytes()),
        &[],
    );
    if again.code != 0 {
        return Err(format!(
            "{label} (second run): exit {}: {}",
            again.code, again.stderr
        ));
    }
    let again = again.json();
    if again["version"] != output["version"].as_u64().unwrap() + 1 {
        return Err(format!(
            "{label}: version {} after {}",
            again["version"], output["version"]
        ));
    }
    enrich_common::assert_same_but_version_and_time(&label, &output, &again);
    Ok(doc.inventory.components.len())
}

/// Items 2, 3 and 4 on every CycloneDX JSON document in `<shared>/sboms` and every valid spec
/// test document 1.4–1.7.
#[test]
#[ignore = "needs ../shared"]
fn every_cyclonedx_json_enriches_validates_and_keeps_fidelity() {
    let shared = common::shared();
    let mut files = spec_valid_files(&shared);
    let spec_tests = files.len();
    json_files_under(&shared.join("sboms"), &mut files);
    files.retain(|p| {
        let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX")
    });
    assert!(spec_tests > 150, "{spec_tests}");
    assert!(files.len() >= spec_tests + 9, "{}", files.len());
    for must in [
        "real/aider-env.cdx.json",
        "cdx16-npm-juice-shop.cdx.json",
        "cdx15-gomod-minikube-v1.23.1.cdx.json",
    ] {
        assert!(files.iter().any(|p| p.ends_with(must)), "{must}");
    }
    let mirrors = tempfile::tempdir().unwrap();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 4);
    let results: Vec<Result<usize, String>> = std::thread::scope(|s| {
        let chunks: Vec<Vec<PathBuf>> = (0..threads)
            .map(|t| files.iter().skip(t).step_by(threads).cloned().collect())
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let (shared, mirrors) = (&shared, mirrors.path());
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|p| check_document(p, shared, mirrors))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let problems: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let components: usize = results.iter().map(|r| *r.as_ref().unwrap()).sum();
    assert!(components > 2000, "{components}");
}

/// minikube's SBOM (1.5) uses the legacy `metadata.tools` array: aiprov joins it.
#[test]
#[ignore = "needs ../shared"]
fn legacy_tools_array_is_kept() {
    let shared = common::shared();
    let path = shared.join("sboms/cdx15-gomod-minikube-v1.23.1.cdx.json");
    let run = aiprov(&["enrich", path.to_str().unwrap(), "--offline"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.json();
    let tools = out["metadata"]["tools"].as_array().expect("still an array");
    assert_eq!(
        tools.last().unwrap(),
        &serde_json::json!({"name": "aiprov", "version": env!("CARGO_PKG_VERSION")})
    );
}

struct Case {
    name: &'static str,
    input: Vec<u8>,
    extra_files: Vec<(&'static str, &'static str)>,
    extra_args: Vec<&'static str>,
    message: String,
}

fn bad_cases(shared: Option<&Path>) -> Vec<Case> {
    let sbom = |components: &str| {
        format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":{components}}}"#
        )
    };
    let mut cases = vec![
        Case {
            name: "not JSON",
            input: b"{\n  \"bomFormat\": \"CycloneDX\",,\n}".to_vec(),
            extra_files: vec![],
            extra_args: vec![],
            message: "in.json: not valid JSON at line 2, column 28: key must be a string".into(),
        },
        Case {
            name: "JSON, not an SBOM",
            input: br#"{"name": "x", "packages": []}"#.to_vec(),
            extra_files: vec![],
            extra_args: vec![],
            message: "in.json: unsupported format: JSON that is neither CycloneDX".into(),
        },
        Case {
            name: "unsupported specVersion",
            input: br#"{"bomFormat":"CycloneDX","specVersion":"1.1","components":[]}"#.to_vec(),
            extra_files: vec![],
            extra_args: vec![],
            message: "in.json: unsupported CycloneDX specVersion \"1.1\" (supported: 1.2 to 1.7)".into(),
        },
        Case {
            name: "whitespace only",
            input: vec![b'\n'; 5000],
            extra_files: vec![],
            extra_args: vec![],
            message: "in.json: unsupported format: only white space".into(),
        },
        Case {
            name: "component without a name",
            input: sbom(r#"[{"type":"library","name":"a"},{"type":"library","bom-ref":"x","version":"1"}]"#).into_bytes(),
            extra_files: vec![],
            extra_args: vec![],
            message: "in.json: component at /components/1 has no name".into(),
        },
        Case {
            name: "signed",
            input: br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[],"signature":{"algorithm":"ES256","value":"eA"}}"#.to_vec(),
            extra_files: vec![],
            extra_args: vec![],
            message: "in.json: the document is signed (top-level \"signature\"); enriching it would invalidate the signature: pass --strip-signature".into(),
        },
        Case {
            name: "bad repo map",
            input: sbom("[]").into_bytes(),
            extra_files: vec![("repos.toml", "[repositories]\n\"pkg:npm/a@1.0.0\" = \"https://github.com/a/a\"\n")],
            extra_args: vec!["--repo-map", "repos.toml"],
            message: "repos.toml: [repositories] \"pkg:npm/a@1.0.0\": a repo map key matches every version: remove \"@1.0.0\"".into(),
        },
        Case {
            name: "repo map not TOML",
            input: sbom("[]").into_bytes(),
            extra_files: vec![("repos.toml", "[repositories\n")],
            extra_args: vec!["--repo-map", "repos.toml"],
            message: "repos.toml: not valid TOML at line 1, column ".into(),
        },
        Case {
            name: "bad rule pack",
            input: sbom("[]").into_bytes(),
            extra_files: vec![("rules.toml", "x\n")],
            extra_args: vec!["--rules", "rules.toml"],
            message: "rules.toml:1:2: not a valid TOML rule pack".into(),
        },
        Case {
            name: "output over the input",
            input: sbom("[]").into_bytes(),
            extra_files: vec![],
            extra_args: vec!["-o", "./in.json"],
            message: "./in.json: the output would overwrite the input".into(),
        },
        Case {
            name: "bad --since",
            input: sbom("[]").into_bytes(),
            extra_files: vec![],
            extra_args: vec!["--since", "yesterday"],
            message: "`yesterday` is not a date".into(),
        },
        Case {
            name: "--jobs 0",
            input: sbom("[]").into_bytes(),
            extra_files: vec![],
            extra_args: vec!["--jobs", "0"],
            message: "invalid value '0' for '--jobs <N>'".into(),
        },
    ];
    if let Some(shared) = shared {
        let real = std::fs::read(shared.join("sboms/real/aider-env.cdx.json")).unwrap();
        let cut = real.len() / 2;
        let text = std::str::from_utf8(&real[..cut]).unwrap();
        let line = text.matches('\n').count() + 1;
        cases.push(Case {
            name: "truncated",
            input: real[..cut].to_vec(),
            extra_files: vec![],
            extra_args: vec![],
            message: format!("in.json: not valid JSON at line {line}, column"),
        });
    }
    cases
}

/// Item 5: exit 2, a message naming the file and the position or bom-ref, no output file, the
/// input unchanged.
#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let shared = common::shared_dir();
    for case in bad_cases(shared.as_deref()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("in.json"), &case.input).unwrap();
        for (name, text) in &case.extra_files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let before = listing(dir.path());
        let mut cmd = common::command();
        cmd.current_dir(dir.path())
            .args(["enrich", "in.json", "--offline", "--evidence", "ev.jsonl"])
            .args(if case.extra_args.contains(&"-o") {
                vec![]
            } else {
                vec!["-o", "out.json"]
            })
            .args(&case.extra_args)
            .env("HOME", common::isolated_home());
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", case.name);
        assert!(
            stderr.contains(&case.message),
            "{}: expected {:?} in\n{stderr}",
            case.name,
            case.message
        );
        let clap_error = case
            .extra_args
            .iter()
            .any(|a| *a == "--since" || *a == "--jobs");
        assert!(
            stderr.starts_with(if clap_error { "error: " } else { "aiprov: " }),
            "{}: {stderr}",
            case.name
        );
        assert!(out.stdout.is_empty(), "{}", case.name);
        assert_eq!(
            listing(dir.path()),
            before,
            "{}: no output or temporary file is left",
            case.name
        );
        assert_eq!(
            std::fs::read(dir.path().join("in.json")).unwrap(),
            case.input,
            "{}: input unchanged",
            case.name
        );
    }
}

/// The same through stdin (`-`), including 200 MB of whitespace.
#[test]
fn bad_input_on_stdin_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let run = |input: &[u8]| -> Run {
        aiprov_with(
            &["enrich", "-", "--offline", "-o", out.to_str().unwrap()],
            Some(input),
            &[],
        )
    };
    let r = run(b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "aiprov: <stdin>: not valid JSON at line 1, column 64: EOF while parsing a list (truncated file?)\n"
    );
    let whitespace = vec![b' '; 200 * 1024 * 1024];
    let r = run(&whitespace);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "aiprov: <stdin>: unsupported format: only white space (aiprov reads CycloneDX 1.2 to 1.7 JSON and XML, \
         SPDX 2.2 and 2.3 JSON and tag-value, SPDX 3.0.1 JSON-LD)\n"
    );
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    let missing = aiprov(&["enrich", dir.path().join("nope.json").to_str().unwrap()]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("nope.json: cannot read the SBOM: "),
        "{}",
        missing.stderr
    );
}

fn minimal() -> &'static [u8] {
    br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a"}]}"#
}

/// Output that cannot be written is a runtime failure (exit 3) that leaves nothing behind.
#[test]
fn unwritable_output_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.json"), minimal()).unwrap();
    let input = dir.path().join("in.json");
    let out = dir.path().join("no/such/dir/out.json");
    let r = aiprov(&[
        "enrich",
        input.to_str().unwrap(),
        "--offline",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("out.json: cannot write the output"),
        "{}",
        r.stderr
    );
    let r = aiprov(&[
        "enrich",
        input.to_str().unwrap(),
        "--offline",
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("it is a directory"), "{}", r.stderr);
    assert_eq!(listing(dir.path()), ["in.json"]);
}

/// An existing output is replaced whole; a symbolic link keeps pointing at the new content;
/// a FIFO (like /dev/null) is written to, not replaced by a file.
#[test]
fn output_replaces_files_follows_links_and_writes_into_fifos() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.json");
    std::fs::write(&input, minimal()).unwrap();
    let out = dir.path().join("out.json");
    std::fs::write(&out, "old content, longer than what replaces it? no matter").unwrap();
    let r = aiprov(&[
        "enrich",
        input.to_str().unwrap(),
        "--offline",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        prop(&props(&v, "/components/0"), "aiprov:status"),
        Some("no-repository")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt};
        let fresh = dir.path().join("fresh.json");
        let r = aiprov(&[
            "enrich",
            input.to_str().unwrap(),
            "--offline",
            "-o",
            fresh.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o644,
            "a new file: rw-r--r--"
        );
        std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o600)).unwrap();
        let r = aiprov(&[
            "enrich",
            input.to_str().unwrap(),
            "--offline",
            "-o",
            fresh.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o600,
            "a replaced file keeps its mode"
        );
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&out, &link).unwrap();
        let r = aiprov(&[
            "enrich",
            out.to_str().unwrap(),
            "--offline",
            "-o",
            link.to_str().unwrap(),
        ]);
        assert_eq!(
            r.code, 2,
            "writing through a link to the input is writing the input: {}",
            r.stderr
        );
        let target = dir.path().join("target.json");
        std::fs::write(&target, "").unwrap();
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let r = aiprov(&[
            "enrich",
            input.to_str().unwrap(),
            "--offline",
            "-o",
            link.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        let linked: Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
        assert_eq!(linked["components"][0]["name"], "a");

        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(&fifo).unwrap())
        };
        let r = aiprov(&[
            "enrich",
            input.to_str().unwrap(),
            "--offline",
            "-o",
            fifo.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let bytes = reader.join().unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["version"], 2);
        assert!(
            std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
            "still a FIFO"
        );
    }
    let mut names = listing(dir.path());
    names.retain(|n| n.starts_with(".aiprov-"));
    assert!(names.is_empty(), "temporary files left: {names:?}");
}

/// `--help` teaches: examples and the repo map format.
#[test]
fn help_has_examples() {
    let r = aiprov(&["enrich", "--help"]);
    assert_eq!(r.code, 0);
    let text = r.stdout;
    for needle in [
        "aiprov enrich bom.json -o bom.enriched.json --mirror-dir mirrors --offline",
        "[repositories]",
        "DIR/<host>/<owner>/<name>.git",
        "--strip-signature",
        "--evidence <FILE>",
        "Exit codes:\n  0 done",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from\n{text}");
    }
}
