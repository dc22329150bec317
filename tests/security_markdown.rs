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
