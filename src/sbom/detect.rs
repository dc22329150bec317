//! Which format a document is in, from its content alone (file names lie: `bom.json` may be
//! SPDX, `sbom.spdx` may be JSON).
//!
//! | first significant content | format |
//! |---|---|
//! | JSON with `"bomFormat": "CycloneDX"` | CycloneDX JSON (version from `specVersion`) |
//! | JSON with `"spdxVersion": "SPDX-2.2"` / `"SPDX-2.3"` | SPDX 2 JSON |
//! | JSON with an `@context` naming `spdx.org/rdf/3.0.1` | SPDX 3.0.1 JSON-LD |
//! | XML whose root is `bom` in `http://cyclonedx.org/schema/bom/1.N` | CycloneDX 1.N XML |
//! | `Tag: value` lines with `SPDXVersion: SPDX-2.x` | SPDX 2 tag-value |
//!
//! Everything else is [`Error::UnsupportedFormat`] naming what the content was recognized as:
//! SPDX RDF/XML, SPDX YAML, SPDX RDF Turtle, CycloneDX protobuf (binary or text format), SWID
//! tags, other XML or JSON, binary data. Text echoed from the input is bounded.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use serde_json::Value;

use super::{bounded, cyclonedx, line_column, path_label, utf8, Error, Format};

/// The CycloneDX XML namespace, without its version suffix.
pub(crate) const CDX_NS_PREFIX: &str = "http://cyclonedx.org/schema/bom/";
const SPDX3_CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";

/// The format of `bytes`. JSON is parsed whole (to look at its keys); XML is read up to its root
/// element; tag-value up to its `SPDXVersion` line.
pub fn detect(path_label_: &str, bytes: &[u8]) -> Result<Format, Error> {
    let path = path_label(path_label_);
    Ok(match sniff(&path, bytes)? {
        Sniffed::CycloneDxJson(value) => cyclonedx::from_value(
            &path,
            value,
            &cyclonedx::ReadOptions {
                strip_signature: true,
            },
        )
        .map(|d| Format::CycloneDxJson {
            minor: d.spec_version.1,
        })?,
        Sniffed::SpdxJson(_, minor) => Format::SpdxJson { minor },
        Sniffed::Spdx3(_) => Format::Spdx3JsonLd,
        Sniffed::CycloneDxXml(minor) => Format::CycloneDxXml { minor },
        Sniffed::SpdxTagValue(minor) => Format::SpdxTagValue { minor },
    })
}

/// What [`sniff`] found; JSON documents come with their parsed value so they are parsed once.
#[derive(Debug)]
pub(crate) enum Sniffed {
    /// `bomFormat` is `CycloneDX` (the reader checks `specVersion`).
    CycloneDxJson(Value),
    /// SPDX 2.minor JSON.
    SpdxJson(Value, u32),
    /// SPDX 3.0.1 JSON-LD.
    Spdx3(Value),
    /// CycloneDX 1.minor XML.
    CycloneDxXml(u32),
    /// SPDX 2.minor tag-value.
    SpdxTagValue(u32),
}

/// Detect the format; `path` is already a label.
pub(crate) fn sniff(path: &str, bytes: &[u8]) -> Result<Sniffed, Error> {
    let unsupported = |found: String| Error::UnsupportedFormat {
        path: path.to_string(),
        found,
    };
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(unsupported(
            "UTF-16 text (aiprov reads UTF-8; convert the file)".into(),
        ));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Some(first) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err(unsupported(if bytes.is_empty() {
            "an empty file".into()
        } else {
            "only white space".into()
        }));
    };
    if let Some(found) = protobuf(body) {
        return Err(unsupported(found));
    }
    match body[first] {
        b'{' | b'[' => sniff_json(path, cyclonedx::parse_json(path, bytes)?),
        b'<' => sniff_xml(path, bytes).map(Sniffed::CycloneDxXml),
        _ => sniff_text(path, bytes).map(Sniffed::SpdxTagValue),
    }
}

/// A CycloneDX protobuf `Bom` starts with field 1 (`spec_version`, a string such as `1.6`).
fn protobuf(body: &[u8]) -> Option<String> {
    if body.len() < 5 || body[0] != 0x0A || !(3..=4).contains(&body[1]) {
        return None;
    }
    let version = std::str::from_utf8(body.get(2..2 + body[1] as usize)?).ok()?;
    let (major, minor) = version.split_once('.')?;
    if major == "1" && !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()) {
        Some(format!("CycloneDX protobuf (binary), spec {version}"))
    } else {
        None
    }
}

fn sniff_json(path: &str, value: Value) -> Result<Sniffed, Error> {
    let unsupported = |found: String| Error::UnsupportedFormat {
        path: path.to_string(),
        found,
    };
    let Some(root) = value.as_object() else {
        return Err(unsupported("JSON whose top level is not an object".into()));
    };
    if let Some(format) = root.get("bomFormat") {
        if format.as_str() == Some("CycloneDX") {
            return Ok(Sniffed::CycloneDxJson(value));
        }
        return Err(unsupported(format!(
            "JSON with \"bomFormat\": {}",
            bounded(&format.to_string(), 60)
        )));
    }
    if let Some(version) = root.get("spdxVersion") {
        return match version.as_str() {
            Some("SPDX-2.2") => Ok(Sniffed::SpdxJson(value, 2)),
            Some("SPDX-2.3") => Ok(Sniffed::SpdxJson(value, 3)),
            Some(s) => Err(Error::UnsupportedSpdxVersion {
                path: path.to_string(),
                found: format!("\"{}\"", bounded(s, 60)),
            }),
            None => Err(Error::UnsupportedSpdxVersion {
                path: path.to_string(),
                found: bounded(&version.to_string(), 60),
            }),
        };
    }
    if let Some(context) = root.get("@context") {
        let contexts: Vec<&str> = match context {
            Value::String(s) => vec![s.as_str()],
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if contexts.contains(&SPDX3_CONTEXT) {
            return Ok(Sniffed::Spdx3(value));
        }
        if let Some(other) = contexts.iter().find(|c| c.contains("spdx.org/rdf/")) {
            return Err(Error::UnsupportedSpdxVersion {
                path: path.to_string(),
                found: format!("3 with @context \"{}\"", bounded(other, 80)),
            });
        }
        return Err(unsupported(format!(
            "JSON-LD with @context {}",
            bounded(&context.to_string(), 80)
        )));
    }
    if root.contains_key("SoftwareIdentity") || root.contains_key("tagId") {
        return Err(unsupported("a SWID tag (JSON)".into()));
    }
    let keys: Vec<&str> = root.keys().take(5).map(String::as_str).collect();
    Err(unsupported(format!(
        "JSON that is neither CycloneDX (no \"bomFormat\": \"CycloneDX\") nor SPDX (no \
         \"spdxVersion\", no SPDX 3 @context); its first keys: {}",
        bounded(&keys.join(", "), 120)
    )))
}

/// The CycloneDX minor version of an XML document, from its root element's namespace.
fn sniff_xml(path: &str, bytes: &[u8]) -> Result<u32, Error> {
    let unsupported = |found: String| Error::UnsupportedFormat {
        path: path.to_string(),
        found,
    };
    let text = utf8(path, bytes)?;
    let text_body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = text.len() - text_body.len();
    let mut reader = NsReader::from_str(text_body);
    loop {
        let before = reader.buffer_position() as usize;
        let read = reader
            .read_resolved_event()
            .map(|(ns, event)| {
                let ns = match ns {
                    ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
                    _ => String::new(),
                };
                (ns, event)
            })
            .map_err(|e| e.to_string());
        let event = read.map_err(|e| {
            let at = offset + reader.error_position() as usize;
            let (line, column) = line_column(bytes, at);
            Error::Xml {
                path: path.to_string(),
                line,
                column,
                message: bounded(&e, 200),
            }
        })?;
        match event {
            (ns, Event::Start(e) | Event::Empty(e)) => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if local == "bom" {
                    if let Some(v) = ns.strip_prefix(CDX_NS_PREFIX) {
                        return match v.strip_prefix("1.").and_then(|m| m.parse::<u32>().ok()) {
                            Some(minor) if cyclonedx::SUPPORTED_MINOR.contains(&minor) => Ok(minor),
                            _ => Err(Error::UnsupportedSpecVersion {
                                path: path.to_string(),
                                found: format!("\"{}\" (XML namespace)", bounded(v, 40)),
                            }),
                        };
                    }
                }
                let found = if local == "RDF" && text_body.contains("spdx.org/rdf/terms") {
                    "SPDX RDF/XML".to_string()
                } else if local == "SoftwareIdentity" {
                    "a SWID tag (ISO/IEC 19770-2 XML)".to_string()
                } else if local == "bom" {
                    format!(
                        "XML with a <bom> root in namespace \"{}\" (CycloneDX XML needs {CDX_NS_PREFIX}1.N)",
                        bounded(&ns, 80)
                    )
                } else {
                    let (line, _) = line_column(bytes, offset + before);
                    format!(
                        "XML whose root element (line {line}) is <{}>{}",
                        bounded(&local, 60),
                        if ns.is_empty() {
                            String::new()
                        } else {
                            format!(" in namespace \"{}\"", bounded(&ns, 80))
                        }
                    )
                };
                return Err(unsupported(found));
            }
            (_, Event::Eof) => return Err(unsupported("XML without a root element".into())),
            (_, Event::Text(t)) if !t.iter().all(u8::is_ascii_whitespace) => {
                return Err(unsupported("text that starts like XML but is not".into()))
            }
            _ => {}
        }
    }
}

/// The SPDX minor version of a tag-value document, or what the text is instead.
fn sniff_text(path: &str, bytes: &[u8]) -> Result<u32, Error> {
    let unsupported = |found: String| Error::UnsupportedFormat {
        path: path.to_string(),
        found,
    };
    let sample = &bytes[..bytes.len().min(512)];
    let printable = sample
        .iter()
        .filter(|&&b| b >= 0x80 || b.is_ascii_graphic() || b.is_ascii_whitespace())
        .count();
    if sample.contains(&0) || printable * 10 < sample.len() * 9 {
        return Err(unsupported("binary data (not UTF-8 text)".into()));
    }
    // Recognize from the first 64 KiB only; invalid UTF-8 further on is the reader's to report.
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let head = match std::str::from_utf8(head) {
        Ok(s) => s,
        // cut in the middle of a character at the 64 KiB mark, or a bad byte further on
        Err(e) if e.valid_up_to() > 0 || e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).expect("valid up to valid_up_to")
        }
        Err(_) => "",
    };
    let head = head.strip_prefix('\u{feff}').unwrap_or(head);
    let mut first_line = None;
    for (number, line) in head.lines().take(400).enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        first_line.get_or_insert((number + 1, t));
        if let Some(v) = t.strip_prefix("SPDXVersion:") {
            return match v.trim() {
                "SPDX-2.2" => Ok(2),
                "SPDX-2.3" => Ok(3),
                other => Err(Error::UnsupportedSpdxVersion {
                    path: path.to_string(),
                    found: format!("\"{}\"", bounded(other, 60)),
                }),
            };
        }
        for (key, found) in [
            ("spdxVersion:", "SPDX YAML"),
            ("bomFormat:", "CycloneDX YAML"),
            ("spec_version:", "CycloneDX protobuf text format"),
            ("@prefix spdx:", "SPDX RDF (Turtle)"),
        ] {
            if t.starts_with(key) {
                return Err(unsupported(found.into()));
            }
        }
        if t.starts_with("@prefix") && head.contains("spdx.org/rdf/") {
            return Err(unsupported("SPDX RDF (Turtle)".into()));
        }
    }
    if bytes.is_empty() {
        return Err(unsupported("an empty file".into()));
    }
    if head.is_empty() {
        // not decodable from the start: say where
        utf8(path, bytes)?;
    }
    // The file's content is never echoed (issue 15: an input may be a link to any file the
    // user can read): its size, where its first line is, how long it is and what kind of
    // character starts it.
    match first_line {
        Some((n, l)) if looks_like_tag(l) => Err(unsupported(format!(
            "tag-value text without an \"SPDXVersion:\" line ({} bytes; line {n}, the first, is a \"Tag: value\" line of {} characters)",
            bytes.len(),
            l.chars().count()
        ))),
        Some((n, l)) => Err(unsupported(format!(
            "text, not an SBOM ({} bytes; line {n}, the first that is not blank or a comment, has {} characters and starts with {})",
            bytes.len(),
            l.chars().count(),
            character_class(l.chars().next().unwrap_or(' '))
        ))),
        None => Err(unsupported("only comments and white space".into())),
    }
}

/// What kind of character `c` is, for a message that must not echo the file: `a letter`,
/// `a digit`, an ASCII punctuation character itself (`"<"`: one inert character), `a non-ASCII
/// character`, `a control character`.
fn character_class(c: char) -> String {
    match c {
        c if c.is_ascii_alphabetic() => "a letter".into(),
        c if c.is_ascii_digit() => "a digit".into(),
        c if c.is_ascii_punctuation() => format!("\"{c}\""),
        c if c.is_control() => "a control character".into(),
        _ => "a non-ASCII character".into(),
    }
}

fn looks_like_tag(line: &str) -> bool {
    line.split_once(':').is_some_and(|(tag, _)| {
        !tag.is_empty()
            && tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(bytes: &[u8]) -> Format {
        detect("t", bytes).unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(bytes: &[u8]) -> String {
        detect("t", bytes).unwrap_err().to_string()
    }

    #[test]
    fn each_supported_format() {
        assert_eq!(
            ok(br#"{"bomFormat":"CycloneDX","specVersion":"1.6"}"#),
            Format::CycloneDxJson { minor: 6 }
        );
        assert_eq!(
            ok(b"\xEF\xBB\xBF {\"components\":[],\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.2\"}"),
            Format::CycloneDxJson { minor: 2 }
        );
        for minor in 2..=7 {
            let xml = format!(
                "<?xml version=\"1.0\"?>\n<!-- c -->\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.{minor}\" version=\"1\"/>"
            );
            assert_eq!(ok(xml.as_bytes()), Format::CycloneDxXml { minor });
        }
        assert_eq!(
            ok(b"<c:bom xmlns:c='http://cyclonedx.org/schema/bom/1.5'><c:components/></c:bom>"),
            Format::CycloneDxXml { minor: 5 }
        );
        assert_eq!(
            ok(br#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT"}"#),
            Format::SpdxJson { minor: 3 }
        );
        assert_eq!(
            ok(br#"{"SPDXID":"SPDXRef-DOCUMENT","spdxVersion":"SPDX-2.2"}"#),
            Format::SpdxJson { minor: 2 }
        );
        assert_eq!(
            ok(b"## comment\n\nSPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n"),
            Format::SpdxTagValue { minor: 3 }
        );
        assert_eq!(
            ok(b"DataLicense: CC0-1.0\r\nSPDXVersion: SPDX-2.2\r\n"),
            Format::SpdxTagValue { minor: 2 }
        );
        assert_eq!(
            ok(br#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[]}"#),
            Format::Spdx3JsonLd
        );
        assert_eq!(
            ok(br#"{"@context":["https://spdx.org/rdf/3.0.1/spdx-context.jsonld"],"@graph":[]}"#),
            Format::Spdx3JsonLd
        );
    }

    #[test]
    fn display_names() {
        assert_eq!(
            Format::SpdxTagValue { minor: 3 }.to_string(),
            "SPDX 2.3 tag-value"
        );
        assert_eq!(Format::SpdxJson { minor: 2 }.to_string(), "SPDX 2.2 JSON");
        assert_eq!(
            Format::CycloneDxXml { minor: 5 }.to_string(),
            "CycloneDX 1.5 XML"
        );
        assert_eq!(
            Format::CycloneDxJson { minor: 7 }.to_string(),
            "CycloneDX 1.7 JSON"
        );
        assert_eq!(Format::Spdx3JsonLd.to_string(), "SPDX 3.0.1 JSON-LD");
    }

    const SUFFIX: &str = " (aiprov reads CycloneDX 1.2 to 1.7 JSON and XML, SPDX 2.2 and 2.3 JSON and tag-value, SPDX 3.0.1 JSON-LD)";

    fn unsupported(bytes: &[u8]) -> String {
        let e = err(bytes);
        let found = e
            .strip_prefix("t: unsupported format: ")
            .unwrap_or_else(|| panic!("{e}"));
        found
            .strip_suffix(SUFFIX)
            .unwrap_or_else(|| panic!("{e}"))
            .to_string()
    }

    #[test]
    fn each_unsupported_format_is_named() {
        assert_eq!(
            unsupported(b"<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:spdx=\"http://spdx.org/rdf/terms#\"><spdx:SpdxDocument/></rdf:RDF>"),
            "SPDX RDF/XML"
        );
        assert_eq!(
            unsupported(b"spdxVersion: SPDX-2.3\ndataLicense: CC0-1.0\n"),
            "SPDX YAML"
        );
        assert_eq!(
            unsupported(b"---\nspdxVersion: \"SPDX-2.2\"\n"),
            "SPDX YAML"
        );
        assert_eq!(
            unsupported(b"@prefix spdx: <http://spdx.org/rdf/terms#> .\n"),
            "SPDX RDF (Turtle)"
        );
        assert_eq!(
            unsupported(
                b"\x0a\x031.6\x12\x2durn:uuid:3e671687-395b-41f5-a30f-a58921a69b79\x18\x01"
            ),
            "CycloneDX protobuf (binary), spec 1.6"
        );
        assert_eq!(
            unsupported(b"# proto-file: schema/bom-1.6.proto\nspec_version: \"1.6\"\nversion: 1\n"),
            "CycloneDX protobuf text format"
        );
        assert_eq!(
            unsupported(b"<SoftwareIdentity xmlns=\"http://standards.iso.org/iso/19770/-2/2015/schema.xsd\" name=\"x\" tagId=\"y\"/>"),
            "a SWID tag (ISO/IEC 19770-2 XML)"
        );
        assert_eq!(
            unsupported(b"<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><x/></project>"),
            "XML whose root element (line 1) is <project> in namespace \"http://maven.apache.org/POM/4.0.0\""
        );
        assert_eq!(
            unsupported(br#"{"name":"x","version":"1.0.0","dependencies":{}}"#),
            "JSON that is neither CycloneDX (no \"bomFormat\": \"CycloneDX\") nor SPDX (no \"spdxVersion\", no SPDX 3 @context); its first keys: name, version, dependencies"
        );
        assert_eq!(
            unsupported(b"[1,2]"),
            "JSON whose top level is not an object"
        );
        assert_eq!(
            unsupported(br#"{"bomFormat":"SPDX"}"#),
            "JSON with \"bomFormat\": \"SPDX\""
        );
        assert_eq!(
            unsupported(br#"{"@context":"https://schema.org","@type":"SoftwareApplication"}"#),
            "JSON-LD with @context \"https://schema.org\""
        );
        assert_eq!(unsupported(b""), "an empty file");
        assert_eq!(unsupported(b" \n\t"), "only white space");
        assert_eq!(
            unsupported(b"\xFF\xFE<\x00b\x00"),
            "UTF-16 text (aiprov reads UTF-8; convert the file)"
        );
        assert_eq!(
            unsupported(b"hello world, this is not an SBOM\n"),
            "text, not an SBOM (33 bytes; line 1, the first that is not blank or a comment, has 32 characters and starts with a letter)"
        );
        assert_eq!(
            unsupported(b"\n# c\n<x secret>\n"),
            "text, not an SBOM (16 bytes; line 3, the first that is not blank or a comment, has 10 characters and starts with \"<\")"
        );
        assert_eq!(
            unsupported("é secret".as_bytes()),
            "text, not an SBOM (9 bytes; line 1, the first that is not blank or a comment, has 8 characters and starts with a non-ASCII character)"
        );
        assert_eq!(
            unsupported(b"DocumentName: x\nDataLicense: CC0-1.0\n"),
            "tag-value text without an \"SPDXVersion:\" line (37 bytes; line 1, the first, is a \"Tag: value\" line of 15 characters)"
        );
    }

    #[test]
    fn version_errors() {
        assert_eq!(
            err(b"<bom xmlns=\"http://cyclonedx.org/schema/bom/2.0\"/>"),
            "t: unsupported CycloneDX specVersion \"2.0\" (XML namespace) (supported: 1.2 to 1.7)"
        );
        assert_eq!(
            err(b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.1\"/>"),
            "t: unsupported CycloneDX specVersion \"1.1\" (XML namespace) (supported: 1.2 to 1.7)"
        );
        assert_eq!(
            err(br#"{"bomFormat":"CycloneDX","specVersion":"1.9"}"#),
            "t: unsupported CycloneDX specVersion \"1.9\" (supported: 1.2 to 1.7)"
        );
        assert_eq!(
            err(br#"{"spdxVersion":"SPDX-2.1"}"#),
            "t: unsupported SPDX version \"SPDX-2.1\" (supported: SPDX-2.2, SPDX-2.3, SPDX 3.0.1)"
        );
        assert_eq!(
            err(b"SPDXVersion: SPDX-1.2\n"),
            "t: unsupported SPDX version \"SPDX-1.2\" (supported: SPDX-2.2, SPDX-2.3, SPDX 3.0.1)"
        );
        assert_eq!(
            err(br#"{"@context":"https://spdx.org/rdf/3.0.0/spdx-context.jsonld"}"#),
            "t: unsupported SPDX version 3 with @context \"https://spdx.org/rdf/3.0.0/spdx-context.jsonld\" (supported: SPDX-2.2, SPDX-2.3, SPDX 3.0.1)"
        );
    }

    #[test]
    fn garbage_and_hostile_input() {
        // random bytes: a clear error, never a panic
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in [1usize, 2, 7, 100, 4096] {
            for _ in 0..50 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        (state >> 24) as u8
                    })
                    .collect();
                if let Err(e) = detect("t", &bytes) {
                    assert!(e.to_string().starts_with("t: "), "{e}");
                }
            }
        }
        assert_eq!(
            unsupported(&[0x00, 0x01, 0x02, 0xff, 0xfe, 0x80, 0x81, 0x82, 0x83, 0x90]),
            "binary data (not UTF-8 text)"
        );
        // untrusted text described, never echoed
        let long = format!("\u{1b}[2J{}", "x".repeat(10_000));
        let e = err(long.as_bytes());
        assert!(e.len() < 400, "{}", e.len());
        assert!(
            !e.contains("[2J") && !e.contains("xxx"),
            "never echoed: {e}"
        );
        assert!(
            e.contains("10004 characters and starts with a control character"),
            "{e}"
        );
        // malformed XML before the root: line and column
        assert_eq!(
            err(b"<?xml version=\"1.0\"?>\n<!-- unterminated"),
            "t: line 2, column 1: syntax error: comment not closed: `-->` not found before end of input"
        );
        // invalid UTF-8 in XML: the line
        assert_eq!(
            err(b"<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<x>\xff</x></bom>"),
            "t: line 3, column 4: not valid UTF-8"
        );
    }
}
