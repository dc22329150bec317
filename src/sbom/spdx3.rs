//! SPDX 3.0.1 JSON-LD: read `software_Package` elements into an [`Inventory`], write in place.
//!
//! SPDX 3's Extension profile has a class made for CycloneDX-style name/value pairs,
//! `CdxPropertiesExtension`, so results use the same names as in CycloneDX:
//!
//! - each enriched package gets, in its `extension` list, one
//!   `{"type": "extension_CdxPropertiesExtension", "extension_cdxProperty": [{"type":
//!   "extension_CdxPropertyEntry", "extension_cdxPropName": "aiprov:status",
//!   "extension_cdxPropValue": "analyzed"}, …]}`;
//! - the run summary goes the same way on the `SpdxDocument` element;
//! - a `Tool` element named `aiprov-<version>` (spdxId `<SpdxDocument spdxId>/aiprov-tool`) is
//!   added to the graph and to the document's `element` list, and the document's `CreationInfo`
//!   gets `created` = the run time (UTC, whole seconds, as the schema requires) and the tool in
//!   `createdUsing`.
//!
//! Re-enriching removes aiprov's properties (and the extension objects and lists they leave
//! empty) and its tool entries first.

pub mod describe;
pub mod facts;

use serde_json::{Map, Value};

use super::{
    bounded, cyclonedx, foreign_property_warnings, utc_seconds, Edits, Error, WriteOptions,
    Written, ECHO_LIMIT,
};
use crate::inventory::{Component, Hash, Inventory, Relationship};

const EXT: &str = "extension_CdxPropertiesExtension";
const ENTRY: &str = "extension_CdxPropertyEntry";
const PROPS: &str = "extension_cdxProperty";
const PROP_NAME: &str = "extension_cdxPropName";
const PROP_VALUE: &str = "extension_cdxPropValue";
/// The last path segment of aiprov's `Tool` element's spdxId.
pub const TOOL_ID_SUFFIX: &str = "/aiprov-tool";

/// An SPDX 3.0.1 JSON-LD document as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The whole document, edited in place on write.
    pub value: Value,
    /// Every `software_Package` element, in graph order, and the relationships.
    pub inventory: Inventory,
}

/// Read an SPDX 3.0.1 JSON-LD document.
pub fn read(path_label: &str, bytes: &[u8]) -> Result<Document, Error> {
    let path = super::path_label(path_label);
    match super::detect::sniff(&path, bytes)? {
        super::detect::Sniffed::Spdx3(value) => from_value(&path, value),
        other => Err(Error::UnsupportedFormat {
            path,
            found: format!(
                "{} (expected SPDX 3.0.1 JSON-LD)",
                super::spdx_json::sniffed_name(&other)
            ),
        }),
    }
}

fn graph(value: &Value) -> Option<&Vec<Value>> {
    value.get("@graph").and_then(Value::as_array)
}

fn id_of(e: &Value) -> Option<&str> {
    e.get("spdxId")
        .or_else(|| e.get("@id"))
        .and_then(Value::as_str)
}

fn type_of(e: &Value) -> Option<&str> {
    e.get("type")
        .or_else(|| e.get("@type"))
        .and_then(Value::as_str)
}

/// [`read`] on an already parsed value; `path` is a label.
pub(crate) fn from_value(path: &str, value: Value) -> Result<Document, Error> {
    let Some(items) = graph(&value) else {
        return Err(Error::Malformed {
            path: path.into(),
            pointer: "/@graph".into(),
            expected:
                "expected an array of elements (aiprov reads the @graph form of SPDX 3 JSON-LD)"
                    .into(),
        });
    };
    let names: std::collections::HashMap<&str, &str> = items
        .iter()
        .filter_map(|e| Some((id_of(e)?, e.get("name")?.as_str()?)))
        .collect();
    let agent = |v: Option<&Value>| -> Option<String> {
        let id = match v? {
            Value::String(s) => s.as_str(),
            Value::Array(list) => list.first()?.as_str()?,
            Value::Object(o) => return o.get("name").and_then(Value::as_str).map(str::to_string),
            _ => return None,
        };
        Some(names.get(id).copied().unwrap_or(id).to_string())
    };
    let mut components = Vec::new();
    let mut relationships = Vec::new();
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (i, e) in items.iter().enumerate() {
        let pointer = format!("/@graph/{i}");
        if let Some(id) = id_of(e) {
            if let Some(first) = seen.get(id) {
                return Err(Error::DuplicateSpdxId {
                    path: path.into(),
                    id: bounded(id, ECHO_LIMIT),
                    first: first.clone(),
                    second: pointer,
                });
            }
            seen.insert(id.to_string(), pointer.clone());
        }
        match type_of(e) {
            Some("software_Package") => {}
            Some("Relationship" | "LifecycleScopedRelationship") => {
                let from = e.get("from").and_then(Value::as_str);
                let kind = e.get("relationshipType").and_then(Value::as_str);
                if let (Some(from), Some(kind)) = (from, kind) {
                    for to in e.get("to").and_then(Value::as_array).into_iter().flatten() {
                        if let Some(to) = to.as_str() {
                            relationships.push(Relationship {
                                from: from.into(),
                                kind: kind.into(),
                                to: to.into(),
                            });
                        }
                    }
                }
                continue;
            }
            _ => continue,
        }
        let Some(name) = e.get("name").and_then(Value::as_str) else {
            return Err(Error::ComponentWithoutName {
                path: path.into(),
                pointer,
            });
        };
        let text = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
        let identifiers: Vec<(&str, &str)> = e
            .get("externalIdentifier")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|x| {
                        Some((
                            x.get("externalIdentifierType")?.as_str()?,
                            x.get("identifier")?.as_str()?,
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let find_id = |t: &str| {
            identifiers
                .iter()
                .find(|(ty, _)| *ty == t)
                .map(|(_, v)| v.to_string())
        };
        let purl = text("software_packageUrl").or_else(|| find_id("packageUrl"));
        let cpe = find_id("cpe23").or_else(|| find_id("cpe22"));
        let mut vcs = Vec::new();
        let mut other = Vec::new();
        if let Some(dl) = text("software_downloadLocation") {
            if super::spdx_json::is_vcs_location(&dl) {
                vcs.push((dl, "software_downloadLocation".to_string()));
            } else {
                other.push((dl, "software_downloadLocation".to_string()));
            }
        }
        for r in e
            .get("externalRef")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let ty = r
                .get("externalRefType")
                .and_then(Value::as_str)
                .unwrap_or("");
            for loc in r
                .get("locator")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(loc) = loc.as_str() {
                    let origin = format!("externalRef[{}]", bounded(ty, 64));
                    if ty == "vcs" {
                        vcs.push((loc.to_string(), origin));
                    } else {
                        other.push((loc.to_string(), origin));
                    }
                }
            }
        }
        if let Some(h) = text("software_homePage") {
            other.push((h, "software_homePage".to_string()));
        }
        let hashes = e
            .get("verifiedUsing")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter(|h| type_of(h) == Some("Hash"))
                    .filter_map(|h| {
                        Some(Hash {
                            algorithm: h.get("algorithm")?.as_str()?.to_string(),
                            value: h.get("hashValue")?.as_str()?.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        components.push(Component {
            locator: pointer,
            bom_ref: id_of(e).map(str::to_string),
            name: name.to_string(),
            group: None,
            version: text("software_packageVersion"),
            vcs_refs: super::vcs_refs(purl.as_deref(), &vcs, &other),
            purl,
            cpe,
            supplier: agent(e.get("suppliedBy")),
            originator: agent(e.get("originatedBy")),
            hashes,
        });
    }
    Ok(Document {
        inventory: Inventory {
            components,
            relationships,
        },
        value,
    })
}

/// Enrich a copy of `doc` and serialize it (2-space indent, trailing newline). See [`apply`].
pub fn write(doc: &Document, edits: &Edits, opts: &WriteOptions) -> Written {
    let mut value = doc.value.clone();
    let warnings = apply(&mut value, edits, opts);
    Written {
        bytes: cyclonedx::to_bytes(&value),
        warnings,
    }
}

fn is_our_prop(p: &Value) -> bool {
    p.get(PROP_NAME)
        .and_then(Value::as_str)
        .is_some_and(|n| n.starts_with(cyclonedx::NAMESPACE))
}

/// Replace the aiprov properties in `obj`'s `extension` list with `props`.
fn set_properties(obj: &mut Map<String, Value>, props: &[(String, String)]) -> Result<(), String> {
    let entries: Vec<Value> = props
        .iter()
        .filter(|(n, _)| n.starts_with(cyclonedx::NAMESPACE))
        .map(|(n, v)| {
            // Sized for its three entries (issue 15: memory).
            let mut p = Map::with_capacity(3);
            p.insert("type".into(), Value::String(ENTRY.into()));
            p.insert(PROP_NAME.into(), Value::String(n.clone()));
            p.insert(PROP_VALUE.into(), Value::String(v.clone()));
            Value::Object(p)
        })
        .collect();
    if !matches!(obj.get("extension"), None | Some(Value::Array(_))) {
        return Err("\"extension\" is not an array; left unchanged".into());
    }
    strip_extensions(obj);
    if entries.is_empty() {
        return Ok(());
    }
    let mut ext = Map::new();
    ext.insert("type".into(), Value::String(EXT.into()));
    ext.insert(PROPS.into(), Value::Array(entries));
    match obj
        .entry("extension")
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        Value::Array(list) => list.push(Value::Object(ext)),
        _ => unreachable!("checked above"),
    }
    Ok(())
}

/// Remove aiprov properties from every `CdxPropertiesExtension` of `obj`, and the extension
/// objects and list that this empties.
fn strip_extensions(obj: &mut Map<String, Value>) {
    let Some(Value::Array(list)) = obj.get_mut("extension") else {
        return;
    };
    list.retain_mut(|ext| {
        if type_of(ext) != Some(EXT) {
            return true;
        }
        let Some(Value::Array(props)) = ext.get_mut(PROPS) else {
            return true;
        };
        let n = props.len();
        props.retain(|p| !is_our_prop(p));
        !(props.is_empty() && n > 0)
    });
    if list.is_empty() {
        obj.shift_remove("extension");
    }
}

fn is_our_tool(e: &Value) -> bool {
    type_of(e) == Some("Tool") && id_of(e).is_some_and(|id| id.ends_with(TOOL_ID_SUFFIX))
}

/// Enrich `value` in place (see the module docs); returns warnings for the user.
pub fn apply(value: &mut Value, edits: &Edits, opts: &WriteOptions) -> Vec<String> {
    let mut warnings = foreign_property_warnings(edits);
    let created = utc_seconds(opts.timestamp);
    let Some(items) = value.get_mut("@graph").and_then(Value::as_array_mut) else {
        warnings.push("no @graph array; nothing written".into());
        return warnings;
    };
    for (locator, props) in &edits.components {
        let target = locator
            .strip_prefix("/@graph/")
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| items.get_mut(i))
            .filter(|e| type_of(e) == Some("software_Package"))
            .and_then(Value::as_object_mut);
        match target {
            Some(obj) => {
                if let Err(w) = set_properties(obj, props) {
                    warnings.push(format!("{locator}: {w}"));
                }
            }
            None => warnings.push(format!(
                "no software_Package at {}; its properties were not written",
                bounded(locator, ECHO_LIMIT)
            )),
        }
    }
    // the document, its creation info, the tool
    items.retain(|e| !is_our_tool(e));
    let Some(doc_index) = items
        .iter()
        .position(|e| type_of(e) == Some("SpdxDocument"))
    else {
        warnings
            .push("no SpdxDocument element: summary, tool and creation time not written".into());
        return warnings;
    };
    let doc_id = id_of(&items[doc_index])
        .unwrap_or("urn:aiprov:document")
        .to_string();
    let tool_id = format!("{doc_id}{TOOL_ID_SUFFIX}");
    let doc = items[doc_index]
        .as_object_mut()
        .expect("elements with a type are objects");
    if let Err(w) = set_properties(doc, &edits.summary) {
        warnings.push(format!("SpdxDocument: {w}"));
    }
    if let Some(Value::Array(elements)) = doc.get_mut("element") {
        elements.retain(|e| !e.as_str().is_some_and(|s| s.ends_with(TOOL_ID_SUFFIX)));
        elements.push(Value::String(tool_id.clone()));
    }
    let creation = doc.get("creationInfo").cloned();
    let mut tool = Map::new();
    tool.insert("type".into(), Value::String("Tool".into()));
    tool.insert("spdxId".into(), Value::String(tool_id.clone()));
    if let Some(ci) = &creation {
        tool.insert(
            "creationInfo".into(),
            match ci {
                Value::String(_) => ci.clone(),
                Value::Object(o) => o
                    .get("@id")
                    .cloned()
                    .unwrap_or_else(|| Value::Object(o.clone())),
                other => other.clone(),
            },
        );
    }
    tool.insert(
        "name".into(),
        Value::String(format!("{}-{}", cyclonedx::TOOL_NAME, opts.tool_version)),
    );
    let update = |ci: &mut Map<String, Value>| {
        ci.insert("created".into(), Value::String(created.clone()));
        match ci
            .entry("createdUsing")
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(list) => {
                list.retain(|t| !t.as_str().is_some_and(|s| s.ends_with(TOOL_ID_SUFFIX)));
                list.push(Value::String(tool_id.clone()));
                true
            }
            _ => false,
        }
    };
    let updated = match creation {
        Some(Value::String(ci_id)) => items
            .iter_mut()
            .find(|e| type_of(e) == Some("CreationInfo") && id_of(e) == Some(ci_id.as_str()))
            .and_then(Value::as_object_mut)
            .map(update),
        Some(Value::Object(_)) => items[doc_index]
            .get_mut("creationInfo")
            .and_then(Value::as_object_mut)
            .map(update),
        _ => None,
    };
    match updated {
        Some(true) => {}
        Some(false) => {
            warnings.push("\"createdUsing\" is not an array; the tool is not listed in it".into())
        }
        None => warnings.push(
            "the SpdxDocument's CreationInfo was not found; creation time not updated".into(),
        ),
    }
    items.push(Value::Object(tool));
    warnings
}

/// The aiprov properties in the document's `CdxPropertiesExtension`s (see
/// [`super::Document::aiprov_properties`]); the summary is the `SpdxDocument`'s.
pub fn aiprov_properties(doc: &Document) -> Edits {
    let ours = |e: &Value| -> Vec<(String, String)> {
        e.get("extension")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|x| type_of(x) == Some(EXT))
            .filter_map(|x| x.get(PROPS)?.as_array())
            .flatten()
            .filter(|p| is_our_prop(p))
            .filter_map(|p| {
                Some((
                    p.get(PROP_NAME)?.as_str()?.to_string(),
                    p.get(PROP_VALUE)?.as_str()?.to_string(),
                ))
            })
            .collect()
    };
    let mut e = Edits::default();
    for c in &doc.inventory.components {
        if let Some(el) = doc.value.pointer(&c.locator) {
            let list = ours(el);
            if !list.is_empty() {
                e.components.insert(c.locator.clone(), list);
            }
        }
    }
    if let Some(d) = graph(&doc.value)
        .into_iter()
        .flatten()
        .find(|x| type_of(x) == Some("SpdxDocument"))
    {
        e.summary = ours(d);
    }
    e
}

/// Remove everything [`apply`] adds except `created` (which it replaces): aiprov's
/// `CdxPropertiesExtension` entries on every element (and extensions left empty), its `Tool`
/// element and the references to it in `element` and `createdUsing` (and `extension` /
/// `createdUsing` lists that are empty: strip both documents before comparing them). For fidelity tests: `strip_aiprov(output)` equals `strip_aiprov(input)` once
/// `created` is restored.
pub fn strip_aiprov(value: &mut Value) {
    let Some(items) = value.get_mut("@graph").and_then(Value::as_array_mut) else {
        return;
    };
    items.retain(|e| !is_our_tool(e));
    for e in items.iter_mut().filter_map(Value::as_object_mut) {
        strip_extensions(e);
        let ours = |v: &Value| v.as_str().is_some_and(|s| s.ends_with(TOOL_ID_SUFFIX));
        if let Some(Value::Array(list)) = e.get_mut("element") {
            list.retain(|v| !ours(v));
        }
        if e.get("type").and_then(Value::as_str) == Some("CreationInfo") {
            strip_created_using(e);
        }
        if let Some(Value::Object(ci)) = e.get_mut("creationInfo") {
            strip_created_using(ci);
        }
    }
}

fn strip_created_using(ci: &mut Map<String, Value>) {
    if let Some(Value::Array(list)) = ci.get_mut("createdUsing") {
        list.retain(|v| !v.as_str().is_some_and(|s| s.ends_with(TOOL_ID_SUFFIX)));
        if list.is_empty() {
            ci.shift_remove("createdUsing");
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
            timestamp: datetime!(2026-09-01 12:00:00.75 +02:00),
            strip_signature: false,
        }
    }

    fn sample() -> Value {
        json!({
            "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
            "@graph": [
                {"type": "CreationInfo", "@id": "_:ci", "createdBy": ["urn:agent:j"], "specVersion": "3.0.1", "created": "2024-03-06T00:00:00Z"},
                {"type": "Organization", "spdxId": "urn:agent:j", "name": "J Corp", "creationInfo": "_:ci"},
                {"type": "SpdxDocument", "spdxId": "urn:doc:1", "creationInfo": "_:ci", "rootElement": ["urn:pkg:a"],
                 "element": ["urn:pkg:a", "urn:pkg:b", "urn:agent:j"], "profileConformance": ["core", "software"]},
                {"type": "software_Package", "spdxId": "urn:pkg:a", "creationInfo": "_:ci", "name": "a",
                 "software_packageVersion": "1.0", "software_downloadLocation": "git+https://github.com/o/a@v1.0",
                 "software_packageUrl": "pkg:npm/a@1.0", "suppliedBy": "urn:agent:j",
                 "externalIdentifier": [{"type": "ExternalIdentifier", "externalIdentifierType": "cpe23", "identifier": "cpe:2.3:a:o:a:1.0:*:*:*:*:*:*:*"}],
                 "verifiedUsing": [{"type": "Hash", "algorithm": "sha256", "hashValue": "ab"}],
                 "extension": [{"type": "extension_CdxPropertiesExtension", "extension_cdxProperty": [
                     {"type": "extension_CdxPropertyEntry", "extension_cdxPropName": "cdx:x", "extension_cdxPropValue": "1"}]}]},
                {"type": "software_Package", "spdxId": "urn:pkg:b", "creationInfo": "_:ci", "name": "b",
                 "externalIdentifier": [{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": "pkg:github/o/b@v2"}],
                 "externalRef": [{"type": "ExternalRef", "externalRefType": "vcs", "locator": ["https://example.org/b.git"]}]},
                {"type": "Relationship", "spdxId": "urn:rel:1", "creationInfo": "_:ci", "from": "urn:pkg:a", "relationshipType": "dependsOn", "to": ["urn:pkg:b"]}
            ]
        })
    }

    fn doc(v: &Value) -> Document {
        read("t.json", &serde_json::to_vec(v).unwrap()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn edits() -> Edits {
        let mut e = Edits::default();
        e.component("/@graph/3", "aiprov:status", "analyzed");
        e.component("/@graph/4", "aiprov:status", "no-repository");
        e.summary("aiprov:summary:components", "2");
        e
    }

    #[test]
    fn read_inventory() {
        let d = doc(&sample());
        let a = &d.inventory.components[0];
        assert_eq!(a.locator, "/@graph/3");
        assert_eq!(a.bom_ref.as_deref(), Some("urn:pkg:a"));
        assert_eq!(a.version.as_deref(), Some("1.0"));
        assert_eq!(a.purl.as_deref(), Some("pkg:npm/a@1.0"));
        assert_eq!(a.cpe.as_deref(), Some("cpe:2.3:a:o:a:1.0:*:*:*:*:*:*:*"));
        assert_eq!(a.supplier.as_deref(), Some("J Corp"));
        assert_eq!(
            a.hashes,
            [Hash {
                algorithm: "sha256".into(),
                value: "ab".into()
            }]
        );
        assert_eq!(a.vcs_refs[0].url, "git+https://github.com/o/a@v1.0");
        let b = &d.inventory.components[1];
        assert_eq!(b.purl.as_deref(), Some("pkg:github/o/b@v2"));
        let refs: Vec<(&str, &str)> = b
            .vcs_refs
            .iter()
            .map(|r| (r.origin.as_str(), r.url.as_str()))
            .collect();
        assert_eq!(
            refs,
            [
                ("purl:github", "https://github.com/o/b"),
                ("externalRef[vcs]", "https://example.org/b.git")
            ]
        );
        assert_eq!(
            d.inventory.relationships,
            [Relationship {
                from: "urn:pkg:a".into(),
                kind: "dependsOn".into(),
                to: "urn:pkg:b".into()
            }]
        );
    }

    #[test]
    fn write_extension_tool_creation_info() {
        let input = sample();
        let d = doc(&input);
        let w = write(&d, &edits(), &opts());
        assert!(w.warnings.is_empty(), "{:?}", w.warnings);
        let out: Value = serde_json::from_slice(&w.bytes).unwrap();
        let g = &out["@graph"];
        assert_eq!(
            g[3]["extension"],
            json!([
                {"type": "extension_CdxPropertiesExtension", "extension_cdxProperty": [
                    {"type": "extension_CdxPropertyEntry", "extension_cdxPropName": "cdx:x", "extension_cdxPropValue": "1"}]},
                {"type": "extension_CdxPropertiesExtension", "extension_cdxProperty": [
                    {"type": "extension_CdxPropertyEntry", "extension_cdxPropName": "aiprov:status", "extension_cdxPropValue": "analyzed"}]}
            ])
        );
        assert_eq!(
            g[2]["extension"][0]["extension_cdxProperty"][0]["extension_cdxPropName"],
            json!("aiprov:summary:components")
        );
        assert_eq!(g[0]["created"], json!("2026-09-01T10:00:00Z"));
        assert_eq!(g[0]["createdUsing"], json!(["urn:doc:1/aiprov-tool"]));
        assert_eq!(
            g[6],
            json!({"type": "Tool", "spdxId": "urn:doc:1/aiprov-tool", "creationInfo": "_:ci", "name": "aiprov-0.1.0"})
        );
        assert_eq!(
            g[2]["element"].as_array().unwrap().last(),
            Some(&json!("urn:doc:1/aiprov-tool"))
        );
        // fidelity
        let mut got = out.clone();
        strip_aiprov(&mut got);
        got["@graph"][0]["created"] = input["@graph"][0]["created"].clone();
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&input).unwrap()
        );
        // idempotence
        let d2 = doc(&out);
        assert_eq!(d2.inventory, d.inventory);
        let twice = write(&d2, &edits(), &opts());
        assert_eq!(twice.bytes, w.bytes);
        let mut fewer = Edits::default();
        fewer.component("/@graph/4", "aiprov:status", "analyzed");
        let v: Value = serde_json::from_slice(&write(&d2, &fewer, &opts()).bytes).unwrap();
        assert_eq!(
            v["@graph"][3]["extension"].as_array().unwrap().len(),
            2,
            "untouched"
        );
        assert_eq!(
            v["@graph"][4]["extension"][0]["extension_cdxProperty"],
            json!([{"type": "extension_CdxPropertyEntry", "extension_cdxPropName": "aiprov:status", "extension_cdxPropValue": "analyzed"}])
        );
        assert!(v["@graph"][2].get("extension").is_none());
        assert_eq!(v["@graph"].as_array().unwrap().len(), 7);
    }

    #[test]
    fn errors_and_warnings() {
        let err = |v: Value| {
            read("t.json", &serde_json::to_vec(&v).unwrap())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(
                json!({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [
                {"type": "software_Package", "spdxId": "urn:a", "name": "a"},
                {"type": "software_File", "spdxId": "urn:a", "name": "f"}]})
            ),
            "t.json: duplicate SPDX identifier \"urn:a\" at /@graph/0 and /@graph/1"
        );
        assert_eq!(
            err(
                json!({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [{"type": "software_Package", "spdxId": "urn:a"}]})
            ),
            "t.json: component at /@graph/0 has no name"
        );
        assert_eq!(
            err(json!({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "type": "software_Package"})),
            "t.json: /@graph: expected an array of elements (aiprov reads the @graph form of SPDX 3 JSON-LD)"
        );
        let d = doc(
            &json!({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [
            {"type": "software_Package", "spdxId": "urn:a", "name": "a", "extension": 3}]}),
        );
        let mut e = Edits::default();
        e.component("/@graph/0", "aiprov:status", "analyzed");
        e.component("/@graph/9", "aiprov:status", "analyzed");
        assert_eq!(
            write(&d, &e, &opts()).warnings,
            [
                "/@graph/0: \"extension\" is not an array; left unchanged",
                "no software_Package at /@graph/9; its properties were not written",
                "no SpdxDocument element: summary, tool and creation time not written",
            ]
        );
    }
}
