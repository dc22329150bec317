use super::*;
use crate::sbom::WriteOptions;
use time::macros::datetime;

fn opts() -> WriteOptions {
    WriteOptions {
        tool_version: "0.1.0".into(),
        timestamp: datetime!(2026-09-01 12:00:00.5 UTC),
        strip_signature: false,
    }
}

fn doc(text: &str) -> Document {
    read("t.xml", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &[u8]) -> String {
    read("t.xml", text).unwrap_err().to_string()
}

fn written(d: &Document, e: &Edits) -> String {
    let w = write(d, e, &opts());
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);
    String::from_utf8(w.bytes).unwrap()
}

const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- generated -->
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" xmlns:x="urn:example:ext" serialNumber="urn:uuid:6b7f1c2e-3d4a-4b5c-8d9e-0f1a2b3c4d5e" version="3">
  <metadata>
    <timestamp>2020-01-01T00:00:00Z</timestamp>
    <tools>
      <components>
        <component type="application">
          <name>gen</name>
          <version>1</version>
        </component>
      </components>
    </tools>
  </metadata>
  <components>
    <component type="library" bom-ref="pkg:npm/a@1">
      <supplier><name>A Inc.</name></supplier>
      <group>@s</group>
      <name>a</name>
      <version>1.0</version>
      <hashes><hash alg="SHA-256">ab</hash></hashes>
      <cpe>cpe:2.3:a:a:a:1.0:*:*:*:*:*:*:*</cpe>
      <purl>pkg:npm/%40s/a@1.0</purl>
      <externalReferences>
        <reference type="vcs"><url>git+https://github.com/o/a.git</url></reference>
        <reference type="website"><url><![CDATA[https://github.com/o/site]]></url></reference>
      </externalReferences>
      <components>
        <component type="library">
          <name>a&amp;1</name>
          <?pi keep me?>
        </component>
      </components>
      <x:extra flag="1">kept</x:extra>
    </component>
    <component type="library" bom-ref="b">
      <name>b</name>
      <properties>
        <property name="cdx:npm:package:path">node_modules/b</property>
      </properties>
    </component>
  </components>
  <dependencies>
    <dependency ref="pkg:npm/a@1"><dependency ref="b"/></dependency>
  </dependencies>
</bom>
"#;

fn edits() -> Edits {
    let mut e = Edits::default();
    e.component("/bom/components/component[1]", "aiprov:status", "analyzed");
    e.component(
        "/bom/components/component[1]",
        "aiprov:repository",
        "https://github.com/o/a?x=<&>\"",
    );
    e.component(
        "/bom/components/component[1]/components/component[1]",
        "aiprov:status",
        "no-repository",
    );
    e.component("/bom/components/component[2]", "aiprov:status", "analyzed");
    e.summary("aiprov:summary:components", "3");
    e
}

#[test]
fn read_inventory() {
    let d = doc(SAMPLE);
    assert_eq!(d.spec_version, (1, 6));
    assert!(!d.signed);
    let c: Vec<(&str, &str)> = d
        .inventory
        .components
        .iter()
        .map(|c| (c.locator.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(
        c,
        [
            ("/bom/components/component[1]", "a"),
            (
                "/bom/components/component[1]/components/component[1]",
                "a&1"
            ),
            ("/bom/components/component[2]", "b"),
        ]
    );
    let a = &d.inventory.components[0];
    assert_eq!(a.bom_ref.as_deref(), Some("pkg:npm/a@1"));
    assert_eq!(a.group.as_deref(), Some("@s"));
    assert_eq!(a.version.as_deref(), Some("1.0"));
    assert_eq!(a.purl.as_deref(), Some("pkg:npm/%40s/a@1.0"));
    assert_eq!(a.cpe.as_deref(), Some("cpe:2.3:a:a:a:1.0:*:*:*:*:*:*:*"));
    assert_eq!(a.supplier.as_deref(), Some("A Inc."));
    assert_eq!(
        a.hashes,
        [Hash {
            algorithm: "SHA-256".into(),
            value: "ab".into()
        }]
    );
    let refs: Vec<(&str, &str)> = a
        .vcs_refs
        .iter()
        .map(|r| (r.origin.as_str(), r.url.as_str()))
        .collect();
    assert_eq!(
        refs,
        [
            ("externalReferences[vcs]", "git+https://github.com/o/a.git"),
            ("externalReferences[website]", "https://github.com/o/site"),
        ]
    );
    assert_eq!(
        d.inventory.relationships,
        [Relationship {
            from: "pkg:npm/a@1".into(),
            kind: "dependsOn".into(),
            to: "b".into()
        }]
    );
}

#[test]
fn write_splices_only_our_parts() {
    let d = doc(SAMPLE);
    let out = written(&d, &edits());
    let want = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- generated -->
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" xmlns:x="urn:example:ext" serialNumber="urn:uuid:6b7f1c2e-3d4a-4b5c-8d9e-0f1a2b3c4d5e" version="4">
  <metadata>
    <timestamp>2026-09-01T12:00:00Z</timestamp>
    <tools>
      <components>
        <component type="application">
          <name>gen</name>
          <version>1</version>
        </component>
        <component type="application">
          <name>aiprov</name>
          <version>0.1.0</version>
        </component>
      </components>
    </tools>
    <properties>
      <property name="aiprov:summary:components">3</property>
    </properties>
  </metadata>
  <components>
    <component type="library" bom-ref="pkg:npm/a@1">
      <supplier><name>A Inc.</name></supplier>
      <group>@s</group>
      <name>a</name>
      <version>1.0</version>
      <hashes><hash alg="SHA-256">ab</hash></hashes>
      <cpe>cpe:2.3:a:a:a:1.0:*:*:*:*:*:*:*</cpe>
      <purl>pkg:npm/%40s/a@1.0</purl>
      <externalReferences>
        <reference type="vcs"><url>git+https://github.com/o/a.git</url></reference>
        <reference type="website"><url><![CDATA[https://github.com/o/site]]></url></reference>
      </externalReferences>
      <properties>
        <property name="aiprov:status">analyzed</property>
        <property name="aiprov:repository">https://github.com/o/a?x=&lt;&amp;&gt;"</property>
      </properties>
      <components>
        <component type="library">
          <name>a&amp;1</name>
          <?pi keep me?>
          <properties>
            <property name="aiprov:status">no-repository</property>
          </properties>
        </component>
      </components>
      <x:extra flag="1">kept</x:extra>
    </component>
    <component type="library" bom-ref="b">
      <name>b</name>
      <properties>
        <property name="cdx:npm:package:path">node_modules/b</property>
        <property name="aiprov:status">analyzed</property>
      </properties>
    </component>
  </components>
  <dependencies>
    <dependency ref="pkg:npm/a@1"><dependency ref="b"/></dependency>
  </dependencies>
</bom>
"#;
    assert_eq!(out, want);
    // a CRLF document gets CRLF in what is inserted
    let crlf = written(&doc(&SAMPLE.replace('\n', "\r\n")), &edits());
    assert_eq!(crlf, want.replace('\n', "\r\n"));
    // idempotent: the second run changes only the version
    let d2 = doc(&out);
    assert_eq!(d2.inventory, d.inventory);
    let twice = written(&d2, &edits());
    assert_eq!(twice, out.replace("version=\"4\"", "version=\"5\""));
    // fewer results remove the older ones; a <properties> left empty goes
    let mut fewer = Edits::default();
    fewer.component("/bom/components/component[1]", "aiprov:status", "analyzed");
    fewer.component("/bom/components/component[2]", "aiprov:status", "analyzed");
    fewer.component(
        "/bom/components/component[1]/components/component[1]",
        "aiprov:x",
        "1",
    );
    let third = written(&d2, &fewer);
    assert_eq!(third.matches("<property name=\"aiprov:").count(), 3);
    assert!(!third.contains("aiprov:summary"));
    assert!(!third.contains("aiprov:repository"));
    // stripped, the output is the input but for version and timestamp
    let stripped = strip_aiprov("o", out.as_bytes()).unwrap();
    assert_eq!(
        stripped,
        SAMPLE
            .replace("version=\"3\"", "version=\"4\"")
            .replace("2020-01-01T00:00:00Z", "2026-09-01T12:00:00Z")
    );
}

#[test]
fn write_where_the_sequence_allows() {
    // no metadata, prefixed namespace, no version attribute, a component whose first
    // later-in-sequence child is <evidence>, and an empty <components/>
    let input = "<c:bom xmlns:c='http://cyclonedx.org/schema/bom/1.5'><c:components><c:component type='library'><c:name>a</c:name><c:evidence/></c:component><c:component type='library'><c:name>b</c:name><c:components/></c:component></c:components></c:bom>";
    let d = doc(input);
    let mut e = Edits::default();
    e.component("/bom/components/component[1]", "aiprov:status", "analyzed");
    e.component("/bom/components/component[2]", "aiprov:status", "analyzed");
    e.summary("aiprov:summary:components", "2");
    let out = written(&d, &e);
    assert_eq!(
        out,
        "<c:bom xmlns:c='http://cyclonedx.org/schema/bom/1.5' version=\"2\"><c:metadata><c:timestamp>2026-09-01T12:00:00Z</c:timestamp><c:tools><c:components><c:component type=\"application\"><c:name>aiprov</c:name><c:version>0.1.0</c:version></c:component></c:components></c:tools><c:properties><c:property name=\"aiprov:summary:components\">2</c:property></c:properties></c:metadata><c:components><c:component type='library'><c:name>a</c:name><c:properties><c:property name=\"aiprov:status\">analyzed</c:property></c:properties><c:evidence/></c:component><c:component type='library'><c:name>b</c:name><c:properties><c:property name=\"aiprov:status\">analyzed</c:property></c:properties><c:components/></c:component></c:components></c:bom>"
    );
    assert_eq!(
        written(&doc(&out), &e),
        out.replace("version=\"2\"", "version=\"3\"")
    );
}

#[test]
fn write_tools_forms() {
    let tools = |spec: &str, metadata: &str| {
        let input = format!(
            "<bom xmlns=\"http://cyclonedx.org/schema/bom/{spec}\" version=\"1\">\n  <metadata>{metadata}</metadata>\n</bom>\n"
        );
        let out = written(&doc(&input), &Edits::default());
        let start = out.find("<metadata>").unwrap() + "<metadata>".len();
        let end = out.find("</metadata>").unwrap();
        out[start..end].to_string()
    };
    // legacy array on 1.4 and older, and kept where a 1.5+ document uses it; inline stays inline
    assert_eq!(
        tools("1.4", "<tools><tool><vendor>v</vendor><name>x</name></tool></tools>"),
        "<timestamp>2026-09-01T12:00:00Z</timestamp><tools><tool><vendor>v</vendor><name>x</name></tool><tool><name>aiprov</name><version>0.1.0</version></tool></tools>"
    );
    assert_eq!(
        tools("1.6", "\n    <tools>\n      <tool><name>x</name></tool>\n    </tools>\n  "),
        "\n    <timestamp>2026-09-01T12:00:00Z</timestamp>\n    <tools>\n      <tool><name>x</name></tool>\n      <tool>\n        <name>aiprov</name>\n        <version>0.1.0</version>\n      </tool>\n    </tools>\n  "
    );
    // replaced in place, never duplicated
    assert_eq!(
        tools("1.3", "<tools><tool><name>aiprov</name><version>0.0.1</version></tool><tool><name>x</name></tool><tool><name>aiprov</name></tool></tools>"),
        "<timestamp>2026-09-01T12:00:00Z</timestamp><tools><tool><name>aiprov</name><version>0.1.0</version></tool><tool><name>x</name></tool></tools>"
    );
    // 1.5+: components form, before services; an aiprov entry keeps its bom-ref
    assert_eq!(
        tools("1.6", "<tools><services><service><name>s</name></service></services></tools><authors/>"),
        "<timestamp>2026-09-01T12:00:00Z</timestamp><tools><components><component type=\"application\"><name>aiprov</name><version>0.1.0</version></component></components><services><service><name>s</name></service></services></tools><authors/>"
    );
    assert_eq!(
        tools("1.7", "<tools><components><component type=\"application\" bom-ref=\"t\"><name>aiprov</name><version>0</version></component></components></tools>"),
        "<timestamp>2026-09-01T12:00:00Z</timestamp><tools><components><component type=\"application\" bom-ref=\"t\"><name>aiprov</name><version>0.1.0</version></component></components></tools>"
    );
    // no tools: after lifecycles, before authors
    assert_eq!(
        tools("1.5", "<lifecycles/><authors/>"),
        "<timestamp>2026-09-01T12:00:00Z</timestamp><lifecycles/><tools><components><component type=\"application\"><name>aiprov</name><version>0.1.0</version></component></components></tools><authors/>"
    );
}

#[test]
fn write_spec_1_2_version_and_signature() {
    let input = "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.2\" version=\"x\"><components><component type=\"library\"><name>a</name></component></components></bom>";
    let d = doc(input);
    let mut e = Edits::default();
    e.component("/bom/components/component[1]", "aiprov:status", "analyzed");
    e.component("/bom/components/component[9]", "aiprov:status", "analyzed");
    e.summary("aiprov:summary:components", "1");
    let w = write(&d, &e, &opts());
    assert_eq!(
        w.warnings,
        [
            "no component at /bom/components/component[9]; its properties were not written",
            "\"version\" is not a positive integer (\"x\"); left unchanged",
        ]
    );
    let out = String::from_utf8(w.bytes).unwrap();
    // 1.2 has no properties: the same list in aiprov's namespace, where `##other` is allowed
    assert_eq!(
        out,
        "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.2\" version=\"x\"><metadata><timestamp>2026-09-01T12:00:00Z</timestamp>\
         <tools><tool><name>aiprov</name><version>0.1.0</version></tool></tools>\
         <properties xmlns=\"https://github.com/aiprov/aiprov/schemas/cyclonedx-properties/1\"><property name=\"aiprov:summary:components\">1</property></properties>\
         </metadata><components><component type=\"library\"><name>a</name>\
         <properties xmlns=\"https://github.com/aiprov/aiprov/schemas/cyclonedx-properties/1\"><property name=\"aiprov:status\">analyzed</property></properties>\
         </component></components></bom>"
    );
    let again = doc(&out);
    let back = aiprov_properties(&again);
    assert_eq!(back.summary, e.summary);
    assert_eq!(
        back.components["/bom/components/component[1]"],
        e.components["/bom/components/component[1]"]
    );
    assert_eq!(
        write(&again, &e, &opts()).bytes,
        out.as_bytes(),
        "idempotent"
    );
    assert_eq!(strip_aiprov("t.xml", out.as_bytes()).unwrap(), "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.2\" version=\"x\"><metadata><timestamp>2026-09-01T12:00:00Z</timestamp></metadata><components><component type=\"library\"><name>a</name></component></components></bom>");
    // the signed case
    let signed = "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\" version=\"1\"><components/><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo/></Signature></bom>";
    assert_eq!(
        err(signed.as_bytes()),
        "t.xml: the document is signed (top-level \"signature\"); enriching it would invalidate the signature: pass --strip-signature to remove it and re-sign the output"
    );
    let d = read_with(
        "t.xml",
        signed.as_bytes(),
        &ReadOptions {
            strip_signature: true,
        },
    )
    .unwrap();
    assert!(d.signed);
    assert_eq!(
        write(&d, &Edits::default(), &opts()).warnings,
        ["the document's signature no longer matches its content"]
    );
    let mut o = opts();
    o.strip_signature = true;
    let out = String::from_utf8(write(&d, &Edits::default(), &o).bytes).unwrap();
    assert!(!out.contains("Signature"), "{out}");
    // a byte order mark survives
    let with_mark = format!("\u{feff}{input}");
    let d = doc(&with_mark);
    assert!(d.bom_mark);
    assert!(write(&d, &Edits::default(), &opts())
        .bytes
        .starts_with("\u{feff}<bom".as_bytes()));
}

#[test]
fn hostile_input_is_an_error_with_a_line() {
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n <!ENTITY lol9 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components><component type=\"library\"><name>&lol9;</name></component></components></bom>";
    let started = std::time::Instant::now();
    assert_eq!(
        err(laughs.as_bytes()),
        "t.xml: line 2, column 1: the document has a DTD (<!DOCTYPE …>): aiprov does not process DTDs or entity declarations; remove it"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE bom [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components><component type=\"library\"><name>&xxe;</name></component></components></bom>";
    assert!(err(external.as_bytes()).starts_with("t.xml: line 2, column 1: the document has a DTD"));
    // an entity without a DTD is an unknown one
    assert_eq!(
        err(b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components><component type=\"library\"><name>&xxe;</name></component></components></bom>"),
        "t.xml: line 2, column 45: entity &xxe; is not defined (aiprov processes no DTD: only the five predefined entities and character references)"
    );
    let deep = format!(
        "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n{}{}</bom>",
        "<x>".repeat(10_000),
        "</x>".repeat(10_000)
    );
    assert_eq!(
        err(deep.as_bytes()),
        format!(
            "t.xml: line 2, column {}: elements nested deeper than 256 levels",
            255 * 3 + 1
        )
    );
    assert_eq!(
        err(b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components>\n<component type=\"library\"><name>\xe9</name></component></components></bom>"),
        "t.xml: line 3, column 33: not valid UTF-8"
    );
    assert_eq!(
        err(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"/>"),
        "t.xml: line 1, column 1: encoding \"iso-8859-1\" is not supported (aiprov reads UTF-8 XML)"
    );
    assert_eq!(
        err(b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components>\n</bom>"),
        "t.xml: line 3, column 1: ill-formed document: expected `</components>`, but `</bom>` was found"
    );
    assert_eq!(
        err(b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components>"),
        "t.xml: line 1, column 50: <components> is not closed before the end of the file"
    );
    assert_eq!(
        err(b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><components><component type=\"library\"><version>1</version></component></components></bom>"),
        "t.xml: component at /bom/components/component[1] has no name"
    );
}

/// A repeated bom-ref is a warning naming both places, not a refusal.
#[test]
fn duplicate_bom_refs_are_warnings() {
    let d = read("t.xml", b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\"><metadata><component type=\"application\" bom-ref=\"r\"><name>app</name></component></metadata><components><component type=\"library\" bom-ref=\"r\"><name>a</name></component><component type=\"library\" bom-ref=\"r\"><name>b</name></component></components></bom>").unwrap();
    assert_eq!(
        d.warnings,
        ["t.xml: duplicate bom-ref \"r\" at /bom/metadata/component and /bom/components/component[1] (each is written once, at its own place)"]
    );
    assert_eq!(d.inventory.components.len(), 2);
}
