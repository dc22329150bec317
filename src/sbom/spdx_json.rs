//! SPDX 2.2 / 2.3 JSON: read packages into an [`Inventory`], write back in place.
//!
//! SPDX 2 has no name/value extension (every object is closed), so results go into
//! annotations, as SPDX recommends for "extra information about one of the elements":
//!
//! - per enriched package, one annotation `{annotationType: OTHER, annotator: "Tool:
//!   aiprov-<version>", annotationDate, comment}` whose comment holds one `aiprov:name=value` per
//!   line (the CycloneDX property names), in `packages[].annotations`;
//! - the run summary as the same kind of annotation on the document (top-level `annotations`);
//! - `creationInfo.creators` gains `Tool: aiprov-<version>`, `creationInfo.created` becomes the
//!   run time;
//! - identity, after SPDX's own enrichment example (spdx-examples example14): the enriched
//!   document is a new document, so it gets a new `documentNamespace`, and it references the
//!   original through `externalDocumentRefs` (`DocumentRef-aiprov-original`, the original's
//!   namespace and the SHA1 of its bytes) plus a relationship `SPDXRef-DOCUMENT AMENDS
//!   DocumentRef-aiprov-original:SPDXRef-DOCUMENT`.
//!
//! Re-enriching an aiprov output replaces aiprov's annotations and creator, keeps the reference
//! to the first original (the document it amends is still that one) and derives a fresh
//! namespace. The new namespace is `<original namespace>/aiprov-<uuid>`, the UUID name-based
//! (SHA-1, version 5 layout) on the original's checksum, the run time, the tool version and the
//! properties written: distinct for distinct content, the same for the same run.

pub mod describe;
pub mod facts;

use serde_json::{Map, Value};

use super::{
    bounded, cyclonedx, foreign_property_warnings, is_spdx_tool, properties_comment, spdx_tool,
    utc_seconds, Edits, Error, WriteOptions, Written, ECHO_LIMIT,
};
use crate::inventory::{Component, Hash, Inventory, Relationship};

/// The `externalDocumentId` aiprov gives the original document.
pub const ORIGINAL_REF: &str = "DocumentRef-aiprov-original";

/// An SPDX 2 JSON document as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The whole document, edited in place on write.
    pub value: Value,
    /// `spdxVersion` minor: 2 or 3.
    pub minor: u32,
    /// Every package, in document order, and the relationships.
    pub inventory: Inventory,
    /// SHA1 (lower-case hex) of the bytes as read: the original's checksum on first enrichment.
    pub sha1: String,
}

/// Read an SPDX 2.2 / 2.3 JSON document.
pub fn read(path_label: &str, bytes: &[u8]) -> Result<Document, Error> {
    let path = super::path_label(path_label);
    match super::detect::sniff(&path, bytes)? {
        super::detect::Sniffed::SpdxJson(value, _) => from_value(&path, value, bytes),
        other => Err(Error::UnsupportedFormat {
            path,
            found: format!("{} (expected SPDX 2 JSON)", sniffed_name(&other)),
        }),
    }
}

pub(crate) fn sniffed_name(s: &super::detect::Sniffed) -> String {
    use super::detect::Sniffed::*;
    match s {
        CycloneDxJson(_) => "CycloneDX JSON".into(),
        SpdxJson(_, m) => format!("SPDX 2.{m} JSON"),
        Spdx3(_) => "SPDX 3.0.1 JSON-LD".into(),
        CycloneDxXml(m) => format!("CycloneDX 1.{m} XML"),
        SpdxTagValue(m) => format!("SPDX 2.{m} tag-value"),
    }
}

/// Hex SHA-1 of `bytes` (plain SHA-1, as every SPDX tool computes it).
pub(crate) fn sha1_hex(bytes: &[u8]) -> String {
    let digest = sha1dc::digest(bytes).unwrap_or_else(|collision| collision.digest());
    format!("{digest:x}")
}

/// [`read`] on an already parsed value; `path` is a label, `bytes` what was parsed.
pub(crate) fn from_value(path: &str, value: Value, bytes: &[u8]) -> Result<Document, Error> {
    let root = value.as_object().ok_or_else(|| Error::Malformed {
        path: path.into(),
        pointer: String::new(),
        expected: "expected an SPDX document object".into(),
    })?;
    let minor = match root.get("spdxVersion").and_then(Value::as_str) {
        Some("SPDX-2.2") => 2,
        Some("SPDX-2.3") => 3,
        other => {
            return Err(Error::UnsupportedSpdxVersion {
                path: path.into(),
                found: other.map_or("(missing)".into(), |s| format!("\"{}\"", bounded(s, 60))),
            })
        }
    };
    let mut components = Vec::new();
    // SPDXID → the package's pointer; a map, not a list scanned per package (quadratic: issue 15).
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    match root.get("packages") {
        None => {}
        Some(Value::Array(list)) => {
            for (i, p) in list.iter().enumerate() {
                let pointer = format!("/packages/{i}");
                let c = package(path, p, &pointer)?;
                let id = c.bom_ref.clone().unwrap_or_default();
                if let Some(first) = seen.get(&id) {
                    return Err(Error::DuplicateSpdxId {
                        path: path.into(),
                        id: bounded(&id, ECHO_LIMIT),
                        first: first.clone(),
                        second: pointer,
                    });
                }
                seen.insert(id, pointer);
                components.push(c);
            }
        }
        Some(_) => {
            return Err(Error::Malformed {
                path: path.into(),
                pointer: "/packages".into(),
                expected: "expected an array of packages".into(),
            })
        }
    }
    let mut relationships = Vec::new();
    let doc_id = root
        .get("SPDXID")
        .and_then(Value::as_str)
        .unwrap_or("SPDXRef-DOCUMENT");
    for d in root
        .get("documentDescribes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        relationships.push(Relationship {
            from: doc_id.to_string(),
            kind: "DESCRIBES".into(),
            to: d.to_string(),
        });
    }
    for r in root
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let field = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
        if let (Some(from), Some(kind), Some(to)) = (
            field("spdxElementId"),
            field("relationshipType"),
            field("relatedSpdxElement"),
        ) {
            relationships.push(Relationship { from, kind, to });
        }
    }
    Ok(Document {
        minor,
        inventory: Inventory {
            components,
            relationships,
        },
        sha1: sha1_hex(bytes),
        value,
    })
}

/// `NOASSERTION` / `NONE` mean "not stated": no value.
fn stated(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty() && *s != "NOASSERTION" && *s != "NONE")
        .map(str::to_string)
}

/// Whether an SPDX `downloadLocation` uses the VCS syntax (`<vcs>+<transport>://…`, `git://…`).
pub(crate) fn is_vcs_location(s: &str) -> bool {
    ["git+", "hg+", "svn+", "bzr+", "git://"]
        .iter()
        .any(|p| s.starts_with(p))
}

fn package(path: &str, p: &Value, pointer: &str) -> Result<Component, Error> {
    let Some(obj) = p.as_object() else {
        return Err(Error::Malformed {
            path: path.into(),
            pointer: pointer.into(),
            expected: "expected a package object".into(),
        });
    };
    let text = |k: &str| obj.get(k).and_then(Value::as_str);
    let Some(id) = text("SPDXID") else {
        return Err(Error::Malformed {
            path: path.into(),
            pointer: pointer.into(),
            expected: "package without a string \"SPDXID\"".into(),
        });
    };
    let Some(name) = text("name") else {
        return Err(Error::ComponentWithoutName {
            path: path.into(),
            pointer: pointer.into(),
        });
    };
    let refs: Vec<(&str, &str)> = obj
        .get("externalRefs")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|r| {
                    Some((
                        r.get("referenceType")?.as_str()?,
                        r.get("referenceLocator")?.as_str()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let hashes = obj
        .get("checksums")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|c| {
                    Some(Hash {
                        algorithm: c.get("algorithm")?.as_str()?.to_string(),
                        value: c.get("checksumValue")?.as_str()?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let (purl, cpe, vcs, other) = ref_fields(&refs, text("downloadLocation"), text("homepage"));
    Ok(Component {
        locator: pointer.into(),
        bom_ref: Some(id.to_string()),
        name: name.to_string(),
        group: None,
        version: text("versionInfo").map(str::to_string),
        vcs_refs: super::vcs_refs(purl.as_deref(), &vcs, &other),
        purl,
        cpe,
        supplier: stated(text("supplier")),
        originator: stated(text("originator")),
        hashes,
    })
}

/// Inventory fields shared by the SPDX 2 readers: from `(referenceType, locator)` external refs,
/// `downloadLocation` and `homepage`, the purl, the CPE, and the VCS / other URL candidates.
#[allow(clippy::type_complexity)]
pub(crate) fn ref_fields(
    refs: &[(&str, &str)],
    download: Option<&str>,
    homepage: Option<&str>,
) -> (
    Option<String>,
    Option<String>,
    Vec<(String, String)>,
    Vec<(String, String)>,
) {
    let purl = refs
        .iter()
        .find(|(t, _)| *t == "purl")
        .map(|(_, l)| l.to_string());
    let cpe = refs
        .iter()
        .find(|(t, _)| *t == "cpe23Type")
        .or_else(|| refs.iter().find(|(t, _)| *t == "cpe22Type"))
        .map(|(_, l)| l.to_string());
    let mut vcs = Vec::new();
    let mut other = Vec::new();
    if let Some(dl) = stated(download) {
        if is_vcs_location(&dl) {
            vcs.push((dl, "downloadLocation".to_string()));
        } else {
            other.push((dl, "downloadLocation".to_string()));
        }
    }
    for (t, l) in refs {
        if *t == "vcs" {
            vcs.push((l.to_string(), "externalRefs[vcs]".to_string()));
        } else if *t != "purl" && !t.starts_with("cpe") {
            other.push((l.to_string(), format!("externalRefs[{}]", bounded(t, 64))));
        }
    }
    if let Some(h) = stated(homepage) {
        other.push((h, "homepage".to_string()));
    }
    (purl, cpe, vcs, other)
}

/// Enrich a copy of `doc` and serialize it (2-space indent, trailing newline). See [`apply`].
pub fn write(doc: &Document, edits: &Edits, opts: &WriteOptions) -> Written {
    let mut value = doc.value.clone();
    let warnings = apply(&mut value, &doc.sha1, edits, opts);
    Written {
        bytes: cyclonedx::to_bytes(&value),
        warnings,
    }
}

/// Enrich `value` in place (see the module docs); `original_sha1` is the SHA1 of the document
/// as read. Returns warnings for the user.
pub fn apply(
    value: &mut Value,
    original_sha1: &str,
    edits: &Edits,
    opts: &WriteOptions,
) -> Vec<String> {
    let mut warnings = foreign_property_warnings(edits);
    let Some(root) = value.as_object_mut() else {
        warnings.push("the document is not a JSON object; nothing written".into());
        return warnings;
    };
    let date = utc_seconds(opts.timestamp);
    let tool = spdx_tool(&opts.tool_version);
    let doc_id = root
        .get("SPDXID")
        .and_then(Value::as_str)
        .unwrap_or("SPDXRef-DOCUMENT")
        .to_string();

    for (locator, props) in &edits.components {
        match root
            .get_mut("packages")
            .and_then(|p| p.pointer_mut(locator.strip_prefix("/packages").unwrap_or("/x/x")))
            .and_then(Value::as_object_mut)
        {
            Some(pkg) => {
                if let Err(w) = set_annotation(pkg, props, &tool, &date) {
                    warnings.push(format!("{locator}: {w}"));
                }
            }
            None => warnings.push(format!(
                "no package at {}; its properties were not written",
                bounded(locator, ECHO_LIMIT)
            )),
        }
    }
    if let Err(w) = set_annotation(root, &edits.summary, &tool, &date) {
        warnings.push(format!("document: {w}"));
    }

    // creationInfo
    if !root.contains_key("creationInfo") {
        root.insert("creationInfo".into(), Value::Object(Map::new()));
    }
    match root.get_mut("creationInfo") {
        Some(Value::Object(ci)) => {
            match ci.get_mut("creators") {
                Some(Value::Array(list)) => {
                    list.retain(|c| !c.as_str().is_some_and(is_spdx_tool));
                    list.push(Value::String(tool.clone()));
                }
                None => {
                    ci.insert(
                        "creators".into(),
                        Value::Array(vec![Value::String(tool.clone())]),
                    );
                }
                Some(_) => warnings.push(
                    "\"creationInfo.creators\" is not an array; aiprov not added to the creators"
                        .into(),
                ),
            }
            ci.insert("created".into(), Value::String(date.clone()));
        }
        _ => warnings
            .push("\"creationInfo\" is not an object; creators and created not written".into()),
    }

    // identity: new namespace, amending the original
    let ours = root
        .get("externalDocumentRefs")
        .and_then(Value::as_array)
        .and_then(|l| {
            l.iter()
                .find(|r| r.get("externalDocumentId").and_then(Value::as_str) == Some(ORIGINAL_REF))
        })
        .map(|r| {
            (
                r.get("spdxDocument")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                r.pointer("/checksum/checksumValue")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            )
        });
    let (original_ns, original_sha1) = match ours {
        Some((Some(ns), Some(sum))) => (ns, sum),
        Some(_) => {
            warnings.push(format!(
                "\"{ORIGINAL_REF}\" has no spdxDocument or checksum; document identity left unchanged"
            ));
            return warnings;
        }
        None => match root.get("documentNamespace").and_then(Value::as_str) {
            Some(ns) => {
                let ns = ns.to_string();
                let mut r = Map::new();
                r.insert(
                    "externalDocumentId".into(),
                    Value::String(ORIGINAL_REF.into()),
                );
                let mut sum = Map::new();
                sum.insert("algorithm".into(), Value::String("SHA1".into()));
                sum.insert("checksumValue".into(), Value::String(original_sha1.into()));
                r.insert("checksum".into(), Value::Object(sum));
                r.insert("spdxDocument".into(), Value::String(ns.clone()));
                match root
                    .entry("externalDocumentRefs")
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(list) => list.push(Value::Object(r)),
                    _ => {
                        warnings.push(
                            "\"externalDocumentRefs\" is not an array; document identity left unchanged"
                                .into(),
                        );
                        return warnings;
                    }
                }
                (ns, original_sha1.to_string())
            }
            None => {
                warnings.push(
                    "no \"documentNamespace\": the enriched document keeps its identity and does not reference its original"
                        .into(),
                );
                return warnings;
            }
        },
    };
    root.insert(
        "documentNamespace".into(),
        Value::String(new_namespace(
            &original_ns,
            &original_sha1,
            &date,
            edits,
            opts,
        )),
    );
    let amends = amends_relationship(&doc_id);
    match root
        .entry("relationships")
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        Value::Array(list) => {
            list.retain(|r| !is_our_relationship(r));
            list.push(amends);
        }
        _ => warnings.push(
            "\"relationships\" is not an array; the AMENDS relationship was not written".into(),
        ),
    }
    warnings
}

fn amends_relationship(doc_id: &str) -> Value {
    let mut r = Map::new();
    r.insert("spdxElementId".into(), Value::String(doc_id.into()));
    r.insert("relationshipType".into(), Value::String("AMENDS".into()));
    r.insert(
        "relatedSpdxElement".into(),
        Value::String(format!("{ORIGINAL_REF}:{doc_id}")),
    );
    r.insert(
        "comment".into(),
        Value::String("aiprov added AI-provenance annotations to the original document".into()),
    );
    Value::Object(r)
}

fn is_our_relationship(r: &Value) -> bool {
    r.get("relationshipType").and_then(Value::as_str) == Some("AMENDS")
        && r.get("relatedSpdxElement")
            .and_then(Value::as_str)
            .is_some_and(|t| t.starts_with(&format!("{ORIGINAL_REF}:")))
}

/// `<original>/aiprov-<uuid>`: see the module docs.
pub(crate) fn new_namespace(
    original_ns: &str,
    original_sha1: &str,
    date: &str,
    edits: &Edits,
    opts: &WriteOptions,
) -> String {
    // The name hashed is the header, then per component `locator` + `\tname=value`… + `\n`,
    // then the summary's `\tname=value`…: fed to the hasher in chunks of about 64 KiB instead
    // of built whole (it is as large as every edit together: ~100 MB at 200k packages).
    const CHUNK: usize = 1 << 16;
    let mut hasher = sha1dc::Hasher::new();
    let mut name = format!(
        "{original_ns}\n{original_sha1}\n{date}\n{}\n",
        opts.tool_version
    );
    let feed = |name: &mut String, hasher: &mut sha1dc::Hasher| {
        if name.len() >= CHUNK {
            hasher.update(name.as_bytes());
            name.clear();
        }
    };
    for (locator, props) in &edits.components {
        name.push_str(locator);
        for (n, v) in props {
            push_property(&mut name, n, v);
        }
        name.push('\n');
        feed(&mut name, &mut hasher);
    }
    for (n, v) in &edits.summary {
        push_property(&mut name, n, v);
        feed(&mut name, &mut hasher);
    }
    hasher.update(name.as_bytes());
    let mut b = hasher.finalize().unwrap_or_else(|c| c.digest()).to_bytes();
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b[..16].iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}/aiprov-{}-{}-{}-{}-{}",
        original_ns.trim_end_matches('/'),
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Append `\t{n}={v}` to `name` (no temporary string per property).
fn push_property(name: &mut String, n: &str, v: &str) {
    name.push('\t');
    name.push_str(n);
    name.push('=');
    name.push_str(v);
}

fn is_our_annotation(a: &Value) -> bool {
    a.get("annotator")
        .and_then(Value::as_str)
        .is_some_and(is_spdx_tool)
}

/// Replace aiprov's annotation on `obj` (a package or the document) with one holding `props`.
fn set_annotation(
    obj: &mut Map<String, Value>,
    props: &[(String, String)],
    tool: &str,
    date: &str,
) -> Result<(), String> {
    let comment = properties_comment(props);
    let new = (!comment.is_empty()).then(|| {
        // Exactly four entries: a map grown one insert at a time reserves more (issue 15: one
        // annotation per package, 200k packages).
        let mut a = Map::with_capacity(4);
        a.insert("annotationType".into(), Value::String("OTHER".into()));
        a.insert("annotator".into(), Value::String(tool.into()));
        a.insert("annotationDate".into(), Value::String(date.into()));
        a.insert("comment".into(), Value::String(comment));
        Value::Object(a)
    });
    match obj.get_mut("annotations") {
        None => {
            if let Some(a) = new {
                super::append_snug(obj, "annotations", Value::Array(vec![a]));
            }
            Ok(())
        }
        Some(Value::Array(list)) => {
            let before = list.len();
            list.retain(|a| !is_our_annotation(a));
            let removed = list.len() < before;
            list.extend(new);
            if list.is_empty() && removed {
                obj.shift_remove("annotations");
            }
            Ok(())
        }
        Some(_) => Err("\"annotations\" is not an array; left unchanged".into()),
    }
}

/// The aiprov properties in the document's aiprov annotations (see
/// [`super::Document::aiprov_properties`]).
pub fn aiprov_properties(doc: &Document) -> Edits {
    let ours = |v: Option<&Value>| -> Vec<(String, String)> {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|a| is_our_annotation(a))
            .filter_map(|a| a.get("comment")?.as_str())
            .flat_map(super::parse_properties_comment)
            .collect()
    };
    let mut e = Edits::default();
    for c in &doc.inventory.components {
        let list = ours(doc.value.pointer(&format!("{}/annotations", c.locator)));
        if !list.is_empty() {
            e.components.insert(c.locator.clone(), list);
        }
    }
    e.summary = ours(doc.value.get("annotations"));
    e
}

/// Remove everything [`apply`] adds except `created` and `documentNamespace` (which it
/// replaces): aiprov's annotations on packages and on the document, its creator, its
/// `externalDocumentRefs` entry and AMENDS relationship, and those arrays when they are left
/// empty (or were: the output cannot tell an array aiprov created from one that was empty, so
/// strip both documents before comparing them). For fidelity tests: `strip_aiprov(output)` equals `strip_aiprov(input)` once `created`
/// and `documentNamespace` are restored.
pub fn strip_aiprov(value: &mut Value) {
    let Some(root) = value.as_object_mut() else {
        return;
    };
    fn strip_list(obj: &mut Map<String, Value>, key: &str, ours: impl Fn(&Value) -> bool) {
        if let Some(Value::Array(list)) = obj.get_mut(key) {
            list.retain(|v| !ours(v));
            if list.is_empty() {
                obj.shift_remove(key);
            }
        }
    }
    if let Some(Value::Array(packages)) = root.get_mut("packages") {
        for p in packages.iter_mut().filter_map(Value::as_object_mut) {
            strip_list(p, "annotations", is_our_annotation);
        }
    }
    strip_list(root, "annotations", is_our_annotation);
    strip_list(root, "externalDocumentRefs", |r| {
        r.get("externalDocumentId").and_then(Value::as_str) == Some(ORIGINAL_REF)
    });
    strip_list(root, "relationships", is_our_relationship);
    if let Some(Value::Object(ci)) = root.get_mut("creationInfo") {
        if let Some(Value::Array(list)) = ci.get_mut("creators") {
            list.retain(|c| !c.as_str().is_some_and(is_spdx_tool));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    fn opts() -> WriteOptions {
        WriteOptions {
            tool_version: "0.1.0".into(),
            timestamp: datetime!(2026-09-01 12:00:00.5 UTC),
            strip_signature: false,
        }
    }

    fn sample() -> Value {
        json!({
            "spdxVersion": "SPDX-2.3",
            "dataLicense": "CC0-1.0",
            "SPDXID": "SPDXRef-DOCUMENT",
            "name": "app",
            "documentNamespace": "https://example.org/app-1/",
            "creationInfo": {"created": "2020-01-01T00:00:00Z", "creators": ["Tool: gen-1"]},
            "packages": [
                {"SPDXID": "SPDXRef-a", "name": "a", "versionInfo": "1.0",
                 "downloadLocation": "git+https://github.com/o/a.git@v1.0",
                 "supplier": "Organization: A Inc.", "originator": "NOASSERTION",
                 "checksums": [{"algorithm": "SHA256", "checksumValue": "ab"}],
                 "externalRefs": [
                     {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/a@1.0"},
                     {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:a:a:1.0:*:*:*:*:*:*:*"}
                 ],
                 "annotations": [{"annotationType": "REVIEW", "annotator": "Person: R", "annotationDate": "2021-01-01T00:00:00Z", "comment": "ok"}]},
                {"SPDXID": "SPDXRef-b", "name": "b", "downloadLocation": "NOASSERTION",
                 "homepage": "https://github.com/o/b"}
            ],
            "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-a"}]
        })
    }

    fn doc(v: &Value) -> Document {
        let bytes = serde_json::to_vec(v).unwrap();
        read("t.json", &bytes).unwrap()
    }

    fn edits() -> Edits {
        let mut e = Edits::default();
        e.component("/packages/0", "aiprov:status", "analyzed");
        e.component("/packages/0", "aiprov:commits:total", "3");
        e.component("/packages/1", "aiprov:status", "no-repository");
        e.component("/packages/1", "aiprov:status:reason", "line one\nline two");
        e.summary("aiprov:summary:components", "2");
        e
    }

    #[test]
    fn read_inventory() {
        let d = doc(&sample());
        assert_eq!(d.minor, 3);
        let a = &d.inventory.components[0];
        assert_eq!(a.locator, "/packages/0");
        assert_eq!(a.bom_ref.as_deref(), Some("SPDXRef-a"));
        assert_eq!(a.version.as_deref(), Some("1.0"));
        assert_eq!(a.purl.as_deref(), Some("pkg:npm/a@1.0"));
        assert_eq!(a.cpe.as_deref(), Some("cpe:2.3:a:a:a:1.0:*:*:*:*:*:*:*"));
        assert_eq!(a.supplier.as_deref(), Some("Organization: A Inc."));
        assert_eq!(a.originator, None);
        assert_eq!(
            a.hashes,
            [Hash {
                algorithm: "SHA256".into(),
                value: "ab".into()
            }]
        );
        assert_eq!(a.vcs_refs.len(), 1);
        assert_eq!(a.vcs_refs[0].url, "git+https://github.com/o/a.git@v1.0");
        assert_eq!(a.vcs_refs[0].origin, "downloadLocation");
        let b = &d.inventory.components[1];
        assert_eq!(b.vcs_refs[0].url, "https://github.com/o/b");
        assert_eq!(b.vcs_refs[0].origin, "homepage");
        assert_eq!(
            d.inventory.relationships,
            [Relationship {
                from: "SPDXRef-DOCUMENT".into(),
                kind: "DESCRIBES".into(),
                to: "SPDXRef-a".into()
            }]
        );
    }

    #[test]
    fn read_errors() {
        let err = |v: Value| {
            read("t.json", &serde_json::to_vec(&v).unwrap())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(
                json!({"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a", "name": "a"}, {"SPDXID": "SPDXRef-a", "name": "b"}]})
            ),
            "t.json: duplicate SPDX identifier \"SPDXRef-a\" at /packages/0 and /packages/1"
        );
        assert_eq!(
            err(json!({"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a"}]})),
            "t.json: component at /packages/0 has no name"
        );
        assert_eq!(
            err(json!({"spdxVersion": "SPDX-2.3", "packages": {}})),
            "t.json: /packages: expected an array of packages"
        );
        assert_eq!(
            err(json!({"spdxVersion": "SPDX-2.3", "packages": [{"name": "a"}]})),
            "t.json: /packages/0: package without a string \"SPDXID\""
        );
        assert_eq!(
            err(json!({"bomFormat": "CycloneDX", "specVersion": "1.6"})),
            "t.json: unsupported format: CycloneDX JSON (expected SPDX 2 JSON) (aiprov reads CycloneDX 1.2 to 1.7 JSON and XML, SPDX 2.2 and 2.3 JSON and tag-value, SPDX 3.0.1 JSON-LD)"
        );
    }

    #[test]
    fn write_annotations_creators_identity() {
        let input = sample();
        let d = doc(&input);
        let w = write(&d, &edits(), &opts());
        assert!(w.warnings.is_empty(), "{:?}", w.warnings);
        let out: Value = serde_json::from_slice(&w.bytes).unwrap();
        assert_eq!(
            out["packages"][0]["annotations"],
            json!([
                {"annotationType": "REVIEW", "annotator": "Person: R", "annotationDate": "2021-01-01T00:00:00Z", "comment": "ok"},
                {"annotationType": "OTHER", "annotator": "Tool: aiprov-0.1.0", "annotationDate": "2026-09-01T12:00:00Z",
                 "comment": "aiprov:status=analyzed\naiprov:commits:total=3"}
            ])
        );
        assert_eq!(
            out["packages"][1]["annotations"][0]["comment"],
            json!("aiprov:status=no-repository\naiprov:status:reason=line one line two")
        );
        assert_eq!(
            out["annotations"],
            json!([{"annotationType": "OTHER", "annotator": "Tool: aiprov-0.1.0", "annotationDate": "2026-09-01T12:00:00Z", "comment": "aiprov:summary:components=2"}])
        );
        assert_eq!(
            out["creationInfo"],
            json!({"created": "2026-09-01T12:00:00Z", "creators": ["Tool: gen-1", "Tool: aiprov-0.1.0"]})
        );
        assert_eq!(
            out["externalDocumentRefs"],
            json!([{"externalDocumentId": "DocumentRef-aiprov-original",
                    "checksum": {"algorithm": "SHA1", "checksumValue": d.sha1},
                    "spdxDocument": "https://example.org/app-1/"}])
        );
        let ns = out["documentNamespace"].as_str().unwrap();
        let uuid = ns
            .strip_prefix("https://example.org/app-1/aiprov-")
            .unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "5", "version-5 layout: {uuid}");
        assert_eq!(
            out["relationships"][1],
            json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "AMENDS",
                   "relatedSpdxElement": "DocumentRef-aiprov-original:SPDXRef-DOCUMENT",
                   "comment": "aiprov added AI-provenance annotations to the original document"})
        );
        // the checksum is of the bytes read
        assert_eq!(d.sha1, sha1_hex(&serde_json::to_vec(&input).unwrap()));
        assert_eq!(
            sha1_hex(b"hello world"),
            "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"
        );

        // fidelity: minus our additions, with created and namespace restored, it is the input
        let mut got = out.clone();
        strip_aiprov(&mut got);
        got["creationInfo"]["created"] = input["creationInfo"]["created"].clone();
        got["documentNamespace"] = input["documentNamespace"].clone();
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&input).unwrap()
        );
    }

    #[test]
    fn write_is_idempotent() {
        let d = doc(&sample());
        let once = write(&d, &edits(), &opts());
        let d2 = read("t.json", &once.bytes).unwrap();
        assert_eq!(d2.inventory.components, d.inventory.components);
        assert_eq!(
            d2.inventory.relationships.last(),
            Some(&Relationship {
                from: "SPDXRef-DOCUMENT".into(),
                kind: "AMENDS".into(),
                to: "DocumentRef-aiprov-original:SPDXRef-DOCUMENT".into()
            })
        );
        let twice = write(&d2, &edits(), &opts());
        assert_eq!(
            String::from_utf8(twice.bytes.clone()).unwrap(),
            String::from_utf8(once.bytes.clone()).unwrap()
        );
        // another run time: another namespace, same original
        let mut later = opts();
        later.timestamp = datetime!(2026-09-02 00:00:00 UTC);
        let third: Value = serde_json::from_slice(&write(&d2, &edits(), &later).bytes).unwrap();
        let first: Value = serde_json::from_slice(&once.bytes).unwrap();
        assert_ne!(third["documentNamespace"], first["documentNamespace"]);
        assert_eq!(third["externalDocumentRefs"], first["externalDocumentRefs"]);
        assert_eq!(third["relationships"].as_array().unwrap().len(), 2);
        // fewer results remove the older annotations
        let mut fewer = Edits::default();
        fewer.component("/packages/1", "aiprov:status", "analyzed");
        let v: Value = serde_json::from_slice(&write(&d2, &fewer, &opts()).bytes).unwrap();
        assert_eq!(
            v["packages"][0]["annotations"].as_array().unwrap().len(),
            2,
            "untouched"
        );
        assert_eq!(
            v["packages"][1]["annotations"],
            json!([{"annotationType": "OTHER", "annotator": "Tool: aiprov-0.1.0", "annotationDate": "2026-09-01T12:00:00Z", "comment": "aiprov:status=analyzed"}])
        );
        assert!(
            v.get("annotations").is_none(),
            "no summary: the old one is removed"
        );
    }

    #[test]
    fn write_warnings() {
        let mut v = sample();
        v.as_object_mut().unwrap().shift_remove("documentNamespace");
        v["packages"][1]["annotations"] = json!("x");
        let d = doc(&v);
        let mut e = edits();
        e.component("/packages/7", "aiprov:status", "analyzed");
        e.component("/packages/0", "other:x", "1");
        let w = write(&d, &e, &opts());
        assert_eq!(
            w.warnings,
            [
                "property \"other:x\" is outside the aiprov: namespace; not written",
                "/packages/1: \"annotations\" is not an array; left unchanged",
                "no package at /packages/7; its properties were not written",
                "no \"documentNamespace\": the enriched document keeps its identity and does not reference its original",
            ]
        );
    }

    /// The namespace is hashed in chunks (issue 15: memory): the same UUID as the SHA-1 of the
    /// whole name built at once, with edits spanning several 64 KiB chunks and a summary.
    #[test]
    fn namespace_hashed_in_chunks_is_the_hash_of_the_whole_name() {
        let mut e = edits();
        for i in 0..5_000 {
            e.component(&format!("/packages/{i}"), "aiprov:status", "analyzed");
            e.component(
                &format!("/packages/{i}"),
                "aiprov:commits:total",
                i.to_string(),
            );
        }
        e.summary
            .push(("aiprov:summary:components".into(), "5000".into()));
        let (ns, sum, date) = ("https://example.com/d", "ab12", "2026-09-01T12:00:00Z");
        let mut whole = format!("{ns}\n{sum}\n{date}\n0.1.0\n");
        for (locator, props) in &e.components {
            whole.push_str(locator);
            for (n, v) in props {
                whole.push_str(&format!("\t{n}={v}"));
            }
            whole.push('\n');
        }
        for (n, v) in &e.summary {
            whole.push_str(&format!("\t{n}={v}"));
        }
        assert!(whole.len() > 3 << 16, "several chunks: {}", whole.len());
        let hex = sha1dc::digest(whole.as_bytes()).unwrap().to_string();
        let got = new_namespace(ns, sum, date, &e, &opts());
        let uuid = got.strip_prefix("https://example.com/d/aiprov-").unwrap();
        assert_eq!(uuid.len(), 36);
        // The UUID is the first 16 bytes with the version (5) and variant bits set.
        let expected_tail: String = hex[20..32].to_string();
        assert_eq!(&uuid[..8], &hex[..8]);
        assert_eq!(&uuid[9..13], &hex[8..12]);
        assert_eq!(&uuid[14..15], "5");
        assert_eq!(&uuid[15..18], &hex[13..16]);
        assert_eq!(&uuid[24..], expected_tail);
    }
}
