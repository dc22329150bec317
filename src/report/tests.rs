use super::*;

#[test]
fn positions_of_nested_values() {
    let text = "{\n  \"a\": [1, {\"b\": \"x/y\"}],\n  \"components\": [\n    {\"name\": \"é\"},\n      {\"name\": \"q\", \"components\": [ {\"name\": \"r\"} ]}\n  ],\n  \"k~/\": {}\n}\n";
    let wanted: HashSet<String> = [
        "/components/0",
        "/components/1",
        "/components/1/components/0",
        "/a/1/b",
        "/k~0~1",
        "/missing",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let p = value_positions(text, &wanted);
    assert_eq!(p.get("/components/0"), Some(&(4, 5)));
    assert_eq!(p.get("/components/1"), Some(&(5, 7)));
    assert_eq!(p.get("/components/1/components/0"), Some(&(5, 37)));
    assert_eq!(p.get("/a/1/b"), Some(&(2, 18)));
    assert_eq!(p.get("/k~0~1"), Some(&(7, 10)));
    assert_eq!(p.get("/missing"), None);
}

#[test]
fn html_escapes_names_and_caps_the_bars() {
    let mut components = Vec::new();
    for i in 0..150u64 {
        let name = if i == 0 {
            "<script>alert(1)</script>".to_string()
        } else {
            format!("c{i:03}")
        };
        let props = [
            ("aiprov:status".to_string(), "analyzed".to_string()),
            ("aiprov:commits:total".to_string(), "100".to_string()),
            ("aiprov:commits:ai-agent".to_string(), i.to_string()),
            ("aiprov:commits:ai-assisted".to_string(), "0".to_string()),
        ];
        components.push(Component {
            locator: format!("/components/{i}"),
            name,
            provenance: crate::provenance::Provenance::from_properties(
                props.iter().map(|(a, b)| (a.as_str(), b.as_str())),
            ),
            ..Component::default()
        });
    }
    let doc = sbom::read(
        "x.json",
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.6"}"#,
        &sbom::ReadOptions::default(),
    )
    .unwrap();
    let r = build("x.json", &doc, &components, Vec::new()).unwrap();
    let html = to_html(&r);
    assert!(!html.contains("<script"), "names are escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(html.matches("<rect class=\"bar\"").count(), MAX_BARS);
    assert!(html.contains("The 100 highest of 150 analyzed components; the table lists all."));
    // highest share first: c149 (149 of 100 commits caps the bar at the full width)
    assert_eq!(chart_rows(&r)[0].name, "c149");
    assert_eq!(chart_rows(&r)[99].name, "c050");
    assert!(html.contains(r#"<rect class="bar" x="280" y="31" width="400""#));
}

#[test]
fn verdict_rows_escape_the_violating_value() {
    let doc = sbom::read(
        "x.json",
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.6"}"#,
        &sbom::ReadOptions::default(),
    )
    .unwrap();
    let violation = crate::policy::Violation {
        component: "pkg:npm/x@1".into(),
        name: "x@1".into(),
        locator: "/components/0".into(),
        rule: "tool=devin".into(),
        // untrusted: the tool names come from the SBOM's aiprov:ai:tools
        value: "a`b|<img src=x>\\".into(),
    };
    let props = [
        ("aiprov:status", "analyzed"),
        ("aiprov:commits:total", "1"),
        ("aiprov:ai:tools", "devin"),
    ];
    let component = Component {
        locator: "/components/0".into(),
        name: "x".into(),
        version: Some("1".into()),
        provenance: crate::provenance::Provenance::from_properties(props),
        ..Component::default()
    };
    let r = build("x.json", &doc, &[component], vec![violation]).unwrap();
    let md = to_markdown(&r);
    assert!(
        md.contains("| x@1 | violates `tool=devin` (a\\`b\\|&lt;img src=x&gt;\\\\) |\n"),
        "{md}"
    );
    let html = to_html(&r);
    assert!(!html.contains("<img"), "{html}");
    assert!(
        html.contains("violates tool=devin (ab|&lt;img src=x&gt;\\)"),
        "{html}"
    );
}

#[test]
fn uris_are_percent_encoded() {
    assert_eq!(path_uri("sboms/my bom.cdx.json"), "sboms/my%20bom.cdx.json");
    assert_eq!(path_uri("a\\b.json"), "a/b.json");
    assert_eq!(path_uri("é.json"), "%C3%A9.json");
}

#[test]
fn unknown_reviews_need_attention_and_are_never_called_reviewed() {
    let doc = sbom::read(
        "x.json",
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.6"}"#,
        &sbom::ReadOptions::default(),
    )
    .unwrap();
    let component = |unknown: &'static str| Component {
        locator: "/components/0".into(),
        name: "x".into(),
        version: Some("1".into()),
        provenance: crate::provenance::Provenance::from_properties([
            ("aiprov:status", "analyzed"),
            ("aiprov:commits:total", "10"),
            ("aiprov:commits:ai-agent", "3"),
            ("aiprov:commits:ai-assisted", "0"),
            ("aiprov:review:ai-with-evidence", "0"),
            ("aiprov:review:ai-unknown", unknown),
        ]),
        ..Component::default()
    };
    let md = to_markdown(&build("x.json", &doc, &[component("3")], vec![]).unwrap());
    assert!(
        md.contains(
            "| x@1 | 3 of 3 AI commits not looked up for review (give --review-data or --forge-reviews) |\n"
        ),
        "{md}"
    );
    assert!(!md.contains("No component has AI commits"), "{md}");
    let md = to_markdown(&build("x.json", &doc, &[component("0")], vec![]).unwrap());
    assert!(!md.contains("not looked up for review"), "{md}");
}
