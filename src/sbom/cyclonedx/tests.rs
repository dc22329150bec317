use super::*;
use serde_json::json;
use time::macros::datetime;

fn opts() -> WriteOptions {
    WriteOptions {
        tool_version: "0.1.0".into(),
        timestamp: datetime!(2026-09-01 12:00:00.123 UTC),
        strip_signature: false,
    }
}

fn doc(v: Value) -> Document {
    read("t.json", v.to_string().as_bytes()).unwrap()
}

fn err(bytes: &[u8]) -> String {
    read("dir/t.json", bytes).unwrap_err().to_string()
}

fn written(d: &Document, e: &Edits) -> Value {
    let w = write(d, e, &opts());
    serde_json::from_slice(&w.bytes).unwrap()
}

fn props(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn read_errors() {
    assert_eq!(
        err(b"{\"bomFormat\": \n  \"CycloneDX\",, }"),
        "dir/t.json: not valid JSON at line 2, column 15: key must be a string"
    );
    assert_eq!(
            err(b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"compo"),
            "dir/t.json: not valid JSON at line 1, column 55: EOF while parsing a string (truncated file?)"
        );
    assert_eq!(err(b""), "dir/t.json: not valid JSON at line 1, column 0: EOF while parsing a value (truncated file?)");
    assert_eq!(err(b"[]"), "dir/t.json: not a CycloneDX document (no \"bomFormat\": \"CycloneDX\"; the top level is not an object)");
    assert_eq!(err(b"{\"spdxVersion\":\"SPDX-2.3\"}"), "dir/t.json: not a CycloneDX document (no \"bomFormat\": \"CycloneDX\"; it looks like SPDX 2)");
    assert_eq!(
        err(b"{\"bomFormat\":\"cyclonedx\"}"),
        "dir/t.json: not a CycloneDX document (no \"bomFormat\": \"CycloneDX\")"
    );
    assert_eq!(
        err(b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"2.0\"}"),
        "dir/t.json: unsupported CycloneDX specVersion \"2.0\" (supported: 1.2 to 1.7)"
    );
    assert_eq!(
        err(b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.1\"}"),
        "dir/t.json: unsupported CycloneDX specVersion \"1.1\" (supported: 1.2 to 1.7)"
    );
    assert_eq!(
        err(b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.8\"}"),
        "dir/t.json: unsupported CycloneDX specVersion \"1.8\" (supported: 1.2 to 1.7)"
    );
    assert_eq!(
        err(b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":1.6}"),
        "dir/t.json: unsupported CycloneDX specVersion 1.6 (supported: 1.2 to 1.7)"
    );
    assert_eq!(
        err(b"{\"bomFormat\":\"CycloneDX\"}"),
        "dir/t.json: unsupported CycloneDX specVersion (missing) (supported: 1.2 to 1.7)"
    );
    assert_eq!(
        err(br#"{"bomFormat":"CycloneDX","specVersion":"1.6\u001b[2J"}"#),
        "dir/t.json: unsupported CycloneDX specVersion \"1.6\\u{1b}[2J\" (supported: 1.2 to 1.7)"
    );
    let long = format!(
        "{{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"{}\"}}",
        "9".repeat(5000)
    );
    assert!(err(long.as_bytes()).len() < 300);
    assert_eq!(
            err(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a"},{"type":"library","name":"b","components":[{"type":"library"}]}]}"#),
            "dir/t.json: component at /components/1/components/0 has no name"
        );
    assert_eq!(
        err(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":{"a":1}}"#),
        "dir/t.json: /components: expected an array of components"
    );
    assert_eq!(
        err(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[3]}"#),
        "dir/t.json: /components/0: expected a component object"
    );
    assert_eq!(
            err(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","signature":{"algorithm":"ES256","value":"x"}}"#),
            "dir/t.json: the document is signed (top-level \"signature\"); enriching it would invalidate the signature: pass --strip-signature to remove it and re-sign the output"
        );
    assert!(read("a\u{1b}b", b"[")
        .unwrap_err()
        .to_string()
        .starts_with("a\\u{1b}b: "));
}

#[test]
fn read_survives_hostile_sizes() {
    // 200 MB of whitespace: a clean EOF error, not a hang or a crash
    let blank = vec![b' '; 200 * 1024 * 1024];
    match read("big.json", &blank).unwrap_err() {
        Error::NotJson {
            line: 1, column, ..
        } => assert_eq!(column, 200 * 1024 * 1024),
        e => panic!("{e}"),
    }
    drop(blank);
    // deep nesting stops at serde_json's recursion limit
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        err(deep.as_bytes()),
        "dir/t.json: not valid JSON at line 1, column 128: recursion limit exceeded"
    );
    // a UTF-8 byte order mark is tolerated
    let d = read(
        "bom.json",
        b"\xEF\xBB\xBF{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\"}",
    )
    .unwrap();
    assert_eq!(d.spec_version, (1, 4));
}

#[test]
fn read_inventory() {
    let d = doc(json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": "gen", "version": "1"}]},
            "component": {"type": "application", "name": "app", "bom-ref": "app",
                "components": [{"type": "library", "name": "inner"}]}
        },
        "components": [
            {"type": "library", "bom-ref": "pkg:npm/a@1", "name": "a", "group": "@s", "version": "1", "purl": "pkg:npm/%40s/a@1",
             "components": [
                 {"type": "library", "name": "a1", "components": [{"type": "file", "name": "a1x"}]},
                 {"type": "library", "name": "a2"}
             ]},
            {"type": "library", "name": "b", "version": 7}
        ]
    }));
    assert_eq!(d.spec_version, (1, 6));
    assert!(!d.signed);
    let names: Vec<(&str, &str)> = d
        .inventory
        .components
        .iter()
        .map(|c| (c.locator.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("/components/0", "a"),
            ("/components/0/components/0", "a1"),
            ("/components/0/components/0/components/0", "a1x"),
            ("/components/0/components/1", "a2"),
            ("/components/1", "b"),
        ]
    );
    let a = &d.inventory.components[0];
    assert_eq!(a.bom_ref.as_deref(), Some("pkg:npm/a@1"));
    assert_eq!(a.group.as_deref(), Some("@s"));
    assert_eq!(a.version.as_deref(), Some("1"));
    assert_eq!(a.purl.as_deref(), Some("pkg:npm/%40s/a@1"));
    assert_eq!(d.inventory.components[4].version, None);
    for c in &d.inventory.components {
        assert_eq!(d.value.pointer(&c.locator).unwrap()["name"], json!(c.name));
    }
    let empty = doc(json!({"bomFormat": "CycloneDX", "specVersion": "1.2"}));
    assert_eq!(empty.inventory, Inventory::default());
}

fn refs_of(component: Value) -> Vec<(String, String)> {
    let d = doc(json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [component]}));
    d.inventory.components[0]
        .vcs_refs
        .iter()
        .map(|r| (r.origin.clone(), r.url.clone()))
        .collect()
}

#[test]
fn vcs_refs_in_priority_order() {
    let sha = "c887c803ac56deb5f91b617ef0486ca3fb98473b";
    let refs = refs_of(json!({
        "type": "library", "name": "x",
        "purl": format!("pkg:pypi/x@1.0?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fo%2Fx.git%40{sha}&download_url=git%2Bssh%3A%2F%2Fgit%40github.com%2Fo%2Fdl.git%23{sha}"),
        "externalReferences": [
            {"type": "website", "url": "https://github.com/o/site#readme"},
            {"type": "issue-tracker", "url": "https://github.com/o/x/issues"},
            {"type": "distribution", "url": "https://pypi.org/project/x"},
            {"type": "vcs", "url": "https://svn.example.org/x"},
            {"type": "documentation", "url": "https://gitlab.com/g/docs"},
            {"type": "vcs", "url": "git+https://github.com/o/x.git"},
            {"type": "website", "url": "https://github.com/o/site#readme"}
        ]
    }));
    assert_eq!(
        refs,
        pairs(&[
            (
                "purl:vcs_url",
                &format!("git+https://github.com/o/x.git@{sha}")
            ),
            (
                "purl:download_url",
                &format!("git+ssh://git@github.com/o/dl.git#{sha}")
            ),
            ("externalReferences[vcs]", "https://svn.example.org/x"),
            ("externalReferences[vcs]", "git+https://github.com/o/x.git"),
            (
                "externalReferences[website]",
                "https://github.com/o/site#readme"
            ),
            (
                "externalReferences[documentation]",
                "https://gitlab.com/g/docs"
            ),
        ])
    );
    assert_eq!(
        refs_of(
            json!({"type": "library", "name": "x", "purl": format!("pkg:github/Aider-AI/aider@{sha}")})
        ),
        pairs(&[(
            "purl:github",
            &format!("https://github.com/Aider-AI/aider@{sha}")
        )])
    );
    assert_eq!(
        refs_of(
            json!({"type": "library", "name": "x", "purl": "pkg:github/Aider-AI/aider@v0.86.1"})
        ),
        pairs(&[("purl:github", "https://github.com/Aider-AI/aider")])
    );
    assert_eq!(
        refs_of(json!({"type": "library", "name": "x", "purl": "pkg:gitlab/group/sub/proj@1.0"})),
        pairs(&[("purl:gitlab", "https://gitlab.com/group/sub/proj")])
    );
    assert_eq!(
        refs_of(json!({"type": "library", "name": "x", "purl": "pkg:bitbucket/o/n"})),
        pairs(&[("purl:bitbucket", "https://bitbucket.org/o/n")])
    );
    assert_eq!(
        refs_of(
            json!({"type": "library", "name": "x", "purl": "pkg:golang/github.com/o/r/v2@v2.1.0?type=module"})
        ),
        pairs(&[("purl:golang", "https://github.com/o/r/v2")])
    );
    assert_eq!(
        refs_of(
            json!({"type": "library", "name": "x", "purl": "pkg:golang/golang.org/x/net@v0.1.0"})
        ),
        vec![]
    );
    assert_eq!(
        refs_of(
            json!({"type": "library", "name": "x", "purl": "pkg:npm/x@1?download_url=https%3A%2F%2Fregistry.npmjs.org%2Fx.tgz",
                "externalReferences": [{"type": "website", "url": "https://x.dev"}, {"type": "vcs"}, {"url": "https://github.com/o/n"}]})
        ),
        vec![]
    );
}

fn sample() -> Value {
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:6b7f1c2e-3d4a-4b5c-8d9e-0f1a2b3c4d5e",
        "version": 3,
        "metadata": {
            "timestamp": "2020-01-01T00:00:00Z",
            "tools": {"components": [{"type": "application", "name": "gen", "version": "1"}]},
            "properties": [{"name": "cdx:x", "value": "1"}, {"name": "aiprov:summary:old", "value": "9"}]
        },
        "components": [
            {"type": "library", "name": "a", "properties": [
                {"name": "aiprov:status", "value": "error"},
                {"name": "cdx:npm:package:path", "value": "node_modules/a"},
                {"name": "aiprov:commits:total", "value": "1"}
            ], "zzz": true},
            {"type": "library", "name": "b", "components": [{"type": "library", "name": "b1"}]}
        ],
        "dependencies": []
    })
}

fn sample_edits() -> Edits {
    let mut e = Edits::default();
    e.component("/components/0", "aiprov:status", "analyzed");
    e.component("/components/0", "aiprov:commits:total", "3");
    e.component(
        "/components/1/components/0",
        "aiprov:status",
        "no-repository",
    );
    e.component(
        "/components/1/components/0",
        "aiprov:status:reason",
        "no repository URL in the SBOM",
    );
    e.summary("aiprov:summary:components", "3");
    e
}

#[test]
fn write_replaces_our_properties_only() {
    let d = doc(sample());
    let out = written(&d, &sample_edits());
    assert_eq!(
        props(&out["components"][0]["properties"]),
        pairs(&[
            ("cdx:npm:package:path", "node_modules/a"),
            ("aiprov:status", "analyzed"),
            ("aiprov:commits:total", "3")
        ])
    );
    // created where absent, at the end of the object
    let b1 = &out["components"][1]["components"][0];
    assert_eq!(
        props(&b1["properties"]),
        pairs(&[
            ("aiprov:status", "no-repository"),
            ("aiprov:status:reason", "no repository URL in the SBOM")
        ])
    );
    assert_eq!(
        b1.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["type", "name", "properties"]
    );
    // a component without edits is untouched
    assert!(out["components"][1].get("properties").is_none());
    assert_eq!(
        props(&out["metadata"]["properties"]),
        pairs(&[("cdx:x", "1"), ("aiprov:summary:components", "3")])
    );
    assert_eq!(out["version"], json!(4));
    assert_eq!(
        out["serialNumber"],
        json!("urn:uuid:6b7f1c2e-3d4a-4b5c-8d9e-0f1a2b3c4d5e")
    );
    assert_eq!(out["metadata"]["timestamp"], json!("2026-09-01T12:00:00Z"));
    assert_eq!(
        out["metadata"]["tools"],
        json!({"components": [
            {"type": "application", "name": "gen", "version": "1"},
            {"type": "application", "name": "aiprov", "version": "0.1.0"}
        ]})
    );
    // untouched parts keep their key order
    assert_eq!(
        out["components"][0]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["type", "name", "properties", "zzz"]
    );
    assert_eq!(
        out.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "bomFormat",
            "specVersion",
            "serialNumber",
            "version",
            "metadata",
            "components",
            "dependencies"
        ]
    );
}

#[test]
fn write_is_idempotent() {
    let d = doc(sample());
    let once = write(&d, &sample_edits(), &opts());
    let d2 = read("t.json", &once.bytes).unwrap();
    let twice = write(&d2, &sample_edits(), &opts());
    let mut a: Value = serde_json::from_slice(&once.bytes).unwrap();
    let b: Value = serde_json::from_slice(&twice.bytes).unwrap();
    assert_eq!(b["version"], json!(5));
    a["version"] = json!(5);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    // a run with fewer results removes the older ones
    let mut fewer = Edits::default();
    fewer.component("/components/0", "aiprov:status", "analyzed");
    let third: Value = serde_json::from_slice(&write(&d2, &fewer, &opts()).bytes).unwrap();
    assert_eq!(
        props(&third["components"][0]["properties"]),
        pairs(&[
            ("cdx:npm:package:path", "node_modules/a"),
            ("aiprov:status", "analyzed")
        ])
    );
    assert!(
        third["components"][1]["components"][0]
            .get("properties")
            .is_some(),
        "components without edits keep theirs"
    );
    assert_eq!(
        props(&third["metadata"]["properties"]),
        pairs(&[("cdx:x", "1")])
    );
}

#[test]
fn write_fidelity_via_strip() {
    let input = sample();
    let d = doc(input.clone());
    let mut out = written(&d, &sample_edits());
    strip_aiprov(&mut out);
    out["version"] = input["version"].clone();
    out["metadata"]["timestamp"] = input["metadata"]["timestamp"].clone();
    let mut want = input;
    strip_aiprov(&mut want);
    assert_eq!(
        serde_json::to_string(&out).unwrap(),
        serde_json::to_string(&want).unwrap()
    );
}

#[test]
fn write_minimal_document() {
    let input = json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library", "name": "a"}]});
    let d = doc(input.clone());
    let mut e = Edits::default();
    e.component("/components/0", "aiprov:status", "analyzed");
    let w = write(&d, &e, &opts());
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);
    let text = String::from_utf8(w.bytes).unwrap();
    assert_eq!(
        text,
        r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.5",
  "components": [
    {
      "type": "library",
      "name": "a",
      "properties": [
        {
          "name": "aiprov:status",
          "value": "analyzed"
        }
      ]
    }
  ],
  "metadata": {
    "timestamp": "2026-09-01T12:00:00Z",
    "tools": {
      "components": [
        {
          "type": "application",
          "name": "aiprov",
          "version": "0.1.0"
        }
      ]
    }
  },
  "version": 2
}
"#
    );
    let mut out: Value = serde_json::from_str(&text).unwrap();
    strip_aiprov(&mut out);
    out.as_object_mut().unwrap().shift_remove("version");
    out["metadata"]
        .as_object_mut()
        .unwrap()
        .shift_remove("timestamp");
    assert_eq!(out["metadata"], json!({}));
    out.as_object_mut().unwrap().shift_remove("metadata");
    assert_eq!(out, input);
}

#[test]
fn write_tools_forms() {
    let tools = |spec: &str, tools: Option<Value>| {
        let mut v = json!({"bomFormat": "CycloneDX", "specVersion": spec, "metadata": {}});
        if let Some(t) = tools {
            v["metadata"]["tools"] = t;
        }
        written(&doc(v), &Edits::default())["metadata"]["tools"].clone()
    };
    assert_eq!(
        tools("1.4", None),
        json!([{"name": "aiprov", "version": "0.1.0"}])
    );
    assert_eq!(
        tools("1.2", None),
        json!([{"name": "aiprov", "version": "0.1.0"}])
    );
    assert_eq!(
        tools("1.5", None),
        json!({"components": [{"type": "application", "name": "aiprov", "version": "0.1.0"}]})
    );
    assert_eq!(
        tools("1.7", None),
        json!({"components": [{"type": "application", "name": "aiprov", "version": "0.1.0"}]})
    );
    // legacy array kept on 1.5+
    assert_eq!(
        tools(
            "1.5",
            Some(json!([{"vendor": "CycloneDX", "name": "cyclonedx-gomod", "version": "1"}]))
        ),
        json!([{"vendor": "CycloneDX", "name": "cyclonedx-gomod", "version": "1"}, {"name": "aiprov", "version": "0.1.0"}])
    );
    // replaced, in place, never duplicated
    assert_eq!(
        tools(
            "1.4",
            Some(
                json!([{"name": "aiprov", "version": "0.0.1"}, {"name": "x"}, {"name": "aiprov"}])
            )
        ),
        json!([{"name": "aiprov", "version": "0.1.0"}, {"name": "x"}])
    );
    assert_eq!(
        tools(
            "1.6",
            Some(json!({"components": [
                {"type": "application", "bom-ref": "tool:aiprov", "name": "aiprov", "version": "0.0.1", "externalReferences": []},
                {"type": "application", "name": "y"}
            ], "services": []}))
        ),
        json!({"components": [
                {"type": "application", "bom-ref": "tool:aiprov", "name": "aiprov", "version": "0.1.0"},
                {"type": "application", "name": "y"}
            ], "services": []})
    );
    assert_eq!(
        tools("1.6", Some(json!({"services": [{"name": "s"}]}))),
        json!({"services": [{"name": "s"}], "components": [{"type": "application", "name": "aiprov", "version": "0.1.0"}]})
    );
}

#[test]
fn write_version_and_timestamp() {
    let out = |v: Value| written(&doc(v), &Edits::default());
    let o = out(
        json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "metadata": {"timestamp": "x", "authors": []}}),
    );
    assert_eq!(o["version"], json!(2));
    assert_eq!(
        o["metadata"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["timestamp", "authors", "tools"]
    );
    let o =
        out(json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {"authors": []}}));
    assert_eq!(o["version"], json!(2));
    assert_eq!(
        o["metadata"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["authors", "timestamp", "tools"]
    );
    let mut o2 = opts();
    o2.timestamp = datetime!(2026-03-01 01:30:00.999 +02:00);
    let w = write(
        &doc(json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": "one"})),
        &Edits::default(),
        &o2,
    );
    let v: Value = serde_json::from_slice(&w.bytes).unwrap();
    assert_eq!(v["metadata"]["timestamp"], json!("2026-02-28T23:30:00Z"));
    assert_eq!(v["version"], json!("one"));
    assert_eq!(
        w.warnings,
        ["\"version\" is not a positive integer (\"one\"); left unchanged"]
    );
}

#[test]
fn write_spec_1_2_properties_as_in_1_3() {
    let d = doc(
        json!({"bomFormat": "CycloneDX", "specVersion": "1.2", "version": 1, "components": [{"type": "library", "name": "a"}]}),
    );
    let mut e = Edits::default();
    e.component("/components/0", "aiprov:status", "analyzed");
    e.summary("aiprov:summary:components", "1");
    let w = write(&d, &e, &opts());
    assert_eq!(
        w.warnings,
        ["CycloneDX 1.2 defines no \"properties\": results are written as 1.3-style \"properties\" arrays, which the 1.2 JSON schema accepts but 1.2 tools may ignore; --output-format cyclonedx-json@1.6 makes them standard"]
    );
    let v: Value = serde_json::from_slice(&w.bytes).unwrap();
    assert_eq!(
        v["components"][0]["properties"],
        json!([{"name": "aiprov:status", "value": "analyzed"}])
    );
    assert_eq!(
        v["metadata"]["properties"],
        json!([{"name": "aiprov:summary:components", "value": "1"}])
    );
    assert_eq!(
        v["metadata"]["tools"],
        json!([{"name": "aiprov", "version": "0.1.0"}])
    );
    assert_eq!(v["version"], json!(2));
    // 1.3 has properties
    let d = doc(
        json!({"bomFormat": "CycloneDX", "specVersion": "1.3", "components": [{"type": "library", "name": "a"}]}),
    );
    let w = write(&d, &e, &opts());
    assert!(w.warnings.is_empty());
    let v: Value = serde_json::from_slice(&w.bytes).unwrap();
    assert_eq!(
        props(&v["components"][0]["properties"]),
        pairs(&[("aiprov:status", "analyzed")])
    );
    assert_eq!(
        props(&v["metadata"]["properties"]),
        pairs(&[("aiprov:summary:components", "1")])
    );
}

#[test]
fn write_warnings_and_signature() {
    let signed = json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "signature": {"algorithm": "ES256", "value": "x"}, "components": [{"type": "library", "name": "a", "properties": 5}]});
    let d = read_with(
        "s.json",
        signed.to_string().as_bytes(),
        &ReadOptions {
            strip_signature: true,
        },
    )
    .unwrap();
    assert!(d.signed);
    let mut e = Edits::default();
    e.component("/components/0", "aiprov:status", "analyzed");
    e.component("/components/0", "cdx:not-ours", "x");
    e.component("/components/9", "aiprov:status", "analyzed");
    let w = write(&d, &e, &opts());
    assert_eq!(
        w.warnings,
        [
            "property \"cdx:not-ours\" is outside the aiprov: namespace; not written",
            "/components/0: \"properties\" is not an array; left unchanged",
            "no component at /components/9; its properties were not written",
            "the document's signature no longer matches its content",
        ]
    );
    let mut o = opts();
    o.strip_signature = true;
    let w = write(&d, &Edits::default(), &o);
    assert!(w.warnings.is_empty());
    let v: Value = serde_json::from_slice(&w.bytes).unwrap();
    assert!(v.get("signature").is_none());
}

#[test]
fn strip_aiprov_removes_only_ours() {
    let mut v = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "metadata": {"tools": [{"name": "aiprov"}, {"name": "other"}], "properties": [{"name": "aiprov:summary:x", "value": "1"}]},
        "components": [{"name": "a", "properties": [{"name": "internal:aiprov:x", "value": "1"}, {"name": "aiprov:status", "value": "analyzed"}],
            "components": [{"name": "b", "properties": [{"name": "aiprov:status", "value": "analyzed"}]}]},
            {"name": "c", "properties": []}]
    });
    strip_aiprov(&mut v);
    assert_eq!(
        v,
        json!({
            "bomFormat": "CycloneDX", "specVersion": "1.6",
            "metadata": {"tools": [{"name": "other"}]},
            "components": [{"name": "a", "properties": [{"name": "internal:aiprov:x", "value": "1"}], "components": [{"name": "b"}]},
                {"name": "c", "properties": []}]
        })
    );
    let mut v = json!({"metadata": {"tools": {"components": [{"name": "aiprov"}]}}});
    strip_aiprov(&mut v);
    assert_eq!(v, json!({"metadata": {}}));
    let mut v =
        json!({"metadata": {"tools": {"components": [{"name": "aiprov"}], "services": []}}});
    strip_aiprov(&mut v);
    assert_eq!(v, json!({"metadata": {"tools": {"services": []}}}));
}

/// Whether serde_json keeps number spellings (its `arbitrary_precision` feature).
fn numbers_verbatim() -> bool {
    let text = serde_json::from_str::<Value>("1.50").unwrap().to_string();
    text == "1.50"
}

#[test]
fn number_spelling() {
    let input = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","x-numbers":[1e2,1.50,12345678901234567890,123456789012345678901234567890,-0,1.0]}]}"#;
    let d = read("n.json", input).unwrap();
    let text = String::from_utf8(write(&d, &Edits::default(), &opts()).bytes).unwrap();
    let compact: String = text.split_whitespace().collect();
    if numbers_verbatim() {
        // serde_json re-spells only the exponent sign (`1e2` → `1e+2`, same value)
        assert!(
            compact
                .contains("[1e+2,1.50,12345678901234567890,123456789012345678901234567890,-0,1.0]"),
            "{compact}"
        );
    } else {
        // Without `arbitrary_precision`, values survive but spellings may not (see report).
        assert!(
            compact.contains("[100.0,1.5,12345678901234567890,1.2345678901234568e+29,-0.0,1.0]"),
            "{compact}"
        );
    }
}

/// A repeated bom-ref is read (the JSON schema allows it), warned about once per bom-ref with
/// both places, and every object keeps its own locator.
#[test]
fn duplicate_bom_refs_are_warnings() {
    let read = |b: &[u8]| read("dir/t.json", b).unwrap();
    let d = read(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","bom-ref":"r"},{"type":"library","name":"b","components":[{"type":"library","name":"c","bom-ref":"r"},{"type":"library","name":"d","bom-ref":"r"}]}]}"#);
    assert_eq!(
        d.warnings,
        ["dir/t.json: duplicate bom-ref \"r\" at /components/0 and /components/1/components/0 (each is written once, at its own place)"]
    );
    let locators: Vec<&str> = d
        .inventory
        .components
        .iter()
        .map(|c| c.locator.as_str())
        .collect();
    assert_eq!(
        locators,
        [
            "/components/0",
            "/components/1",
            "/components/1/components/0",
            "/components/1/components/1"
        ]
    );
    let d = read(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"application","name":"app","bom-ref":"r"}},"components":[{"type":"library","name":"a","bom-ref":"r"}]}"#);
    assert_eq!(
        d.warnings,
        ["dir/t.json: duplicate bom-ref \"r\" at /metadata/component and /components/0 (each is written once, at its own place)"]
    );
    assert_eq!(d.inventory.components.len(), 1);
    let d = read(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","bom-ref":"r"},{"type":"library","name":"b","bom-ref":"s"}]}"#);
    assert!(d.warnings.is_empty());
}
