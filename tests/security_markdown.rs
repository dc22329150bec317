//! Issue 15, item 10: component names inject links and images into the Markdown report the
//! Action posts; terminal text carries bidi overrides. Both are escaped.

use crate::common;

#[test]
fn component_names_cannot_inject_markdown() {
    let d = tempfile::tempdir().unwrap();
    let bom = d.path().join("bom.json");
    let name =
        "![x](https://evil.example/p.png) [click](https://evil.example) *b* _i_ #h\n# Heading";
    let doc = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [{"type": "library", "name": name, "version": "1.0.0",
                        "purl": "pkg:npm/x@1.0.0",
                        "properties": [{"name": "aiprov:status", "value": "analyzed"},
                                       {"name": "aiprov:ai-commits", "value": "1"},
                                       {"name": "aiprov:commits", "value": "2"},
                                       {"name": "aiprov:ai-tools", "value": "[t](https://evil.example)"}]}]
    });
    std::fs::write(&bom, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = common::command()
        .args(["report", bom.to_str().unwrap(), "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(md.contains("x"), "{md}");
    assert!(
        !md.replace("\\](", "").contains("](") && !md.contains("!["),
        "a link or image survived: {md}"
    );
    assert!(md.contains("\\!\\[x\\]"), "{md}");
    assert!(!md.contains("\n# Heading"), "a heading was injected: {md}");
    assert!(!md.contains(" *b* "), "emphasis survived: {md}");
}

#[test]
fn terminal_text_escapes_bidi_overrides_and_c1_controls() {
    let s = aiprov::cli::escape_for_terminal("a\u{202e}b\u{2066}c\u{85}d\u{9b}e");
    assert!(
        !s.contains(['\u{202e}', '\u{2066}', '\u{85}', '\u{9b}']),
        "{s:?}"
    );
}

/// The characters of issue 15 item 10 that serde_json writes raw: C1 controls, bidi
/// overrides/isolates/marks.
const HOSTILE: [char; 10] = [
    '\u{85}', '\u{9b}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200e}', '\u{200f}',
    '\u{61c}', '\u{2028}',
];

fn assert_escaped_json(what: &str, bytes: &[u8], must_hold: &str) {
    let text = std::str::from_utf8(bytes).unwrap();
    let raw: Vec<char> = text.chars().filter(|c| HOSTILE.contains(c)).collect();
    assert!(raw.is_empty(), "{what} carries {raw:?} raw: {text}");
    assert!(text.contains(must_hold), "{what} lacks {must_hold}: {text}");
    let _: serde_json::Value = serde_json::from_str(text).unwrap();
}

/// JSON that aiprov writes (enriched SBOM, evidence lines, report JSON and SARIF, diff JSON and
/// SARIF) carries C1 controls and bidi characters escaped as `\u…`, meaning the same.
#[test]
fn json_outputs_escape_c1_controls_and_bidi_characters() {
    let d = tempfile::tempdir().unwrap();
    let name =
        "evil\u{202e}gnp.exe\u{2066}x\u{2069}\u{85}y\u{9b}z\u{200e}\u{200f}\u{61c}\u{202a}\u{2028}";
    let component = |props: bool| {
        let mut c = serde_json::json!({"type": "library", "bom-ref": "c", "name": name,
                     "version": "1.0.0", "purl": "pkg:npm/x@1.0.0"});
        if props {
            c["properties"] = serde_json::json!([{"name": "aiprov:status", "value": "analyzed"},
                           {"name": "aiprov:commits:total", "value": "2"},
                           {"name": "aiprov:commits:ai-agent", "value": "1"},
                           {"name": "aiprov:ai:share", "value": "0.5000"}]);
        }
        c
    };
    let doc = |c: serde_json::Value| {
        serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                           "components": [c]})
    };
    let enriched = d.path().join("enriched.json");
    std::fs::write(
        &enriched,
        serde_json::to_vec(&doc(component(true))).unwrap(),
    )
    .unwrap();
    let plain = d.path().join("plain.json");
    std::fs::write(&plain, serde_json::to_vec(&doc(component(false))).unwrap()).unwrap();
    let empty = d.path().join("empty.json");
    std::fs::write(
        &empty,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}"#,
    )
    .unwrap();
    let at = |f: &str| d.path().join(f).to_str().unwrap().to_string();

    let run = common::aiprov(&[
        "report",
        enriched.to_str().unwrap(),
        "--format",
        &format!("sarif={}", at("r.sarif")),
        "--format",
        &format!("json={}", at("r.json")),
        "--fail-on",
        "ai-commits>0",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_escaped_json(
        "report SARIF",
        &std::fs::read(at("r.sarif")).unwrap(),
        "\\u202e",
    );
    assert_escaped_json(
        "report JSON",
        &std::fs::read(at("r.json")).unwrap(),
        "\\u202e",
    );

    let run = common::aiprov(&[
        "enrich",
        plain.to_str().unwrap(),
        "--offline",
        "-o",
        &at("e.json"),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_escaped_json(
        "enriched SBOM",
        &std::fs::read(at("e.json")).unwrap(),
        "\\u0085",
    );

    for (format, file) in [("json", "d.json"), ("sarif", "d.sarif")] {
        let run = common::aiprov(&[
            "diff",
            empty.to_str().unwrap(),
            enriched.to_str().unwrap(),
            "--offline",
            "--format",
            format,
            "-o",
            &at(file),
        ]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        let bytes = std::fs::read(at(file)).unwrap();
        let must = if format == "json" { "\\u2066" } else { "" };
        assert_escaped_json(&format!("diff {format}"), &bytes, must);
    }
}

/// `aiprov diff --format markdown` (the pull-request comment): component names and versions
/// cannot inject links, images, emphasis or mentions, and 5,000 added components still make a
/// comment GitHub accepts (at most 65,536 characters), ending in a line that says how many were
/// left out.
#[test]
fn diff_markdown_is_inert_and_fits_a_comment() {
    let d = tempfile::tempdir().unwrap();
    let empty = d.path().join("old.json");
    std::fs::write(
        &empty,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}"#,
    )
    .unwrap();
    let mut components = vec![serde_json::json!({
        "type": "library", "bom-ref": "evil",
        "name": "![x](https://evil.example/p.png) [click](https://evil.example) *b* _i_ @org/team <b>|",
        "version": "1.0.0 `x` \\ @v"})];
    for i in 0..5000 {
        components.push(
            serde_json::json!({"type": "library", "bom-ref": format!("c{i}"),
            "name": format!("component-{i}-{}", "n".repeat(100)), "version": "1.0.0"}),
        );
    }
    let new = d.path().join("new.json");
    std::fs::write(
        &new,
        serde_json::to_vec(
            &serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.6",
            "version": 1, "components": components}),
        )
        .unwrap(),
    )
    .unwrap();
    let run = common::aiprov(&[
        "diff",
        empty.to_str().unwrap(),
        new.to_str().unwrap(),
        "--offline",
        "--format",
        "markdown",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = &run.stdout;
    assert!(md.chars().count() <= 65_536, "{}", md.chars().count());
    assert!(
        md.contains(
            "- \\!\\[x\\](https://evil.example/p.png) \\[click\\](https://evil.example) \\*b\\* \\_i\\_ @&#8203;org/team &lt;b&gt;\\| (added 1.0.0 \\`x\\` \\\\ @&#8203;v): no-repository"
        ),
        "{}",
        &md[..md.len().min(3000)]
    );
    let shown = md.matches("- component-").count();
    assert!(shown > 100 && shown < 5000, "{shown}");
    assert!(
        md.contains(&format!(
            "… {} more, left out to fit a pull-request comment (GitHub takes at most 65,536 characters); see the full report: `aiprov diff --format json`.",
            5000 - shown
        )),
        "{}",
        &md[md.len().saturating_sub(3000)..]
    );
    assert!(md.trim_end().ends_with("</sub>"));
}
