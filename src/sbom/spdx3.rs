//! SPDX 3.0.1 JSON-LD: read `software_Package` elements into an [`Inventory`], write in place.
//!
//! Results are **new elements**, never edits of the document's own (issue 14; the reasons are
//! in `docs/decisions.md`, "SPDX 3: aiprov's results are Annotation elements"):
//!
//! - a `CreationInfo` of aiprov's own, the blank node `_:creationinfo-aiprov` (`created` = the
//!   run time in UTC whole seconds, `createdBy` aiprov's `SoftwareAgent`, `createdUsing`
//!   aiprov's `Tool`); every element below uses it;
//! - a `SoftwareAgent` named `aiprov` (spdxId `<SpdxDocument spdxId>/aiprov-agent`) and a
//!   `Tool` named `aiprov-<version>` (spdxId `<SpdxDocument spdxId>/aiprov-tool`);
//! - per enriched package, one `Annotation` (spdxId `<SpdxDocument spdxId>/aiprov-annotation-N`,
//!   N the package's `@graph` index) with `annotationType` `other`, `subject` the package's
//!   spdxId, `statement` the `aiprov:name=value` lines (as in SPDX 2 annotations), and the same
//!   pairs as a `CdxPropertiesExtension` (`extension_cdxProperty` entries, the CycloneDX names);
//! - the run summary: the same kind of Annotation whose subject is the `SpdxDocument`
//!   (`…/aiprov-annotation-document`).
//!
//! The only change to an original element: the `SpdxDocument`'s `element` list (when it has
//! one) gains the ids of those new elements, since the document now contains them. Every
//! `CreationInfo` and package is left byte for byte as read.
//!
//! Re-enriching removes aiprov's own elements first (and, from documents written before issue
//! 14, aiprov's `CdxPropertiesExtension` entries on packages and its `createdUsing` entries).

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

/// The blank-node id of aiprov's own `CreationInfo`.
pub const CREATION_INFO_ID: &str = "_:creationinfo-aiprov";
/// The last path segment of aiprov's `SoftwareAgent` element's spdxId.
pub const AGENT_ID_SUFFIX: &str = "/aiprov-agent";
/// What every aiprov `Annotation` spdxId contains (followed by the subject's graph index or
/// `document`).
pub const ANNOTATION_ID_PART: &str = "/aiprov-annotation-";

/// Whether `e` is one of the elements [`apply`] adds (its CreationInfo, agent, tool,
/// annotations).
fn is_ours(e: &Value) -> bool {
    let id = id_of(e).unwrap_or("");
    match type_of(e) {
        Some("CreationInfo") => id == CREATION_INFO_ID,
        Some("Tool") => id.ends_with(TOOL_ID_SUFFIX),
        Some("SoftwareAgent") => id.ends_with(AGENT_ID_SUFFIX),
        Some("Annotation") => {
            id.contains(ANNOTATION_ID_PART)
                && e.get("creationInfo").and_then(Value::as_str) == Some(CREATION_INFO_ID)
        }
        _ => false,
    }
}

fn is_our_id(id: &str) -> bool {
    id.ends_with(TOOL_ID_SUFFIX) || id.ends_with(AGENT_ID_SUFFIX) || id.contains(ANNOTATION_ID_PART)
}

/// An aiprov `Annotation` about `subject`: the pairs as `statement` lines and as a
/// `CdxPropertiesExtension`.
fn annotation(id: String, subject: &str, props: &[(String, String)]) -> Value {
    let mut a = Map::new();
    a.insert("type".into(), Value::String("Annotation".into()));
    a.insert("spdxId".into(), Value::String(id));
    a.insert(
        "creationInfo".into(),
        Value::String(CREATION_INFO_ID.into()),
    );
    a.insert("annotationType".into(), Value::String("other".into()));
    a.insert("subject".into(), Value::String(subject.into()));
    a.insert(
        "statement".into(),
        Value::String(super::properties_comment(props)),
    );
    set_properties(&mut a, props).expect("a new annotation has no extension yet");
    Value::Object(a)
}

/// Enrich `value` in place (see the module docs); returns warnings for the user.
///
/// Removes aiprov's earlier additions, then appends its `CreationInfo`, agent, tool and one
/// `Annotation` per component in `edits` (and one for the summary) to `@graph`; the original
/// elements are not touched except the `SpdxDocument`'s `element` list.
pub fn apply(value: &mut Value, edits: &Edits, opts: &WriteOptions) -> Vec<String> {
    let mut warnings = foreign_property_warnings(edits);
    let Some(items) = value.get_mut("@graph").and_then(Value::as_array_mut) else {
        warnings.push("no @graph array; nothing written".into());
        return warnings;
    };
    strip_graph(items);
    let doc_index = items
        .iter()
        .position(|e| type_of(e) == Some("SpdxDocument"));
    let doc_id = doc_index
        .and_then(|i| id_of(&items[i]))
        .unwrap_or("urn:aiprov:document")
        .to_string();
    let tool_id = format!("{doc_id}{TOOL_ID_SUFFIX}");
    let agent_id = format!("{doc_id}{AGENT_ID_SUFFIX}");
    let mut added: Vec<Value> = Vec::new();
    for (locator, props) in &edits.components {
        let target = locator
            .strip_prefix("/@graph/")
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| Some((i, items.get(i)?)))
            .filter(|(_, e)| type_of(e) == Some("software_Package"));
        match target {
            Some((i, e)) => match id_of(e) {
                Some(subject) => added.push(annotation(
                    format!("{doc_id}{ANNOTATION_ID_PART}{i}"),
                    subject,
                    props,
                )),
                None => warnings.push(format!(
                    "{locator}: the package has no spdxId for an Annotation's subject; its properties were not written"
                )),
            },
            None => warnings.push(format!(
                "no software_Package at {}; its properties were not written",
                bounded(locator, ECHO_LIMIT)
            )),
        }
    }
    match doc_index {
        Some(_) if !edits.summary.is_empty() => added.push(annotation(
            format!("{doc_id}{ANNOTATION_ID_PART}document"),
            &doc_id,
            &edits.summary,
        )),
        None if !edits.summary.is_empty() => {
            warnings.push("no SpdxDocument element: the summary was not written".into())
        }
        _ => {}
    }
    let mut creation = Map::new();
    creation.insert("type".into(), Value::String("CreationInfo".into()));
    creation.insert("@id".into(), Value::String(CREATION_INFO_ID.into()));
    creation.insert("specVersion".into(), Value::String("3.0.1".into()));
    creation.insert("created".into(), Value::String(utc_seconds(opts.timestamp)));
    creation.insert(
        "createdBy".into(),
        Value::Array(vec![Value::String(agent_id.clone())]),
    );
    creation.insert(
        "createdUsing".into(),
        Value::Array(vec![Value::String(tool_id.clone())]),
    );
    let element = |ty: &str, id: &str, name: String| {
        let mut m = Map::new();
        m.insert("type".into(), Value::String(ty.into()));
        m.insert("spdxId".into(), Value::String(id.into()));
        m.insert(
            "creationInfo".into(),
            Value::String(CREATION_INFO_ID.into()),
        );
        m.insert("name".into(), Value::String(name));
        Value::Object(m)
    };
    let mut ours = vec![
        Value::Object(creation),
        element("SoftwareAgent", &agent_id, cyclonedx::TOOL_NAME.into()),
        element(
            "Tool",
            &tool_id,
            format!("{}-{}", cyclonedx::TOOL_NAME, opts.tool_version),
        ),
    ];
    ours.append(&mut added);
    if let Some(Value::Array(elements)) = doc_index.and_then(|i| items[i].get_mut("element")) {
        elements.extend(
            ours.iter()
                .filter_map(id_of)
                .filter(|id| !id.starts_with("_:"))
                .map(|id| Value::String(id.into())),
        );
    }
    items.extend(ours);
    warnings
}

/// Remove aiprov's elements from `items`, the ids of them from every `element` and
/// `createdUsing` list, and (documents written before issue 14) its `CdxPropertiesExtension`
/// entries. Lists left empty by this are removed.
fn strip_graph(items: &mut Vec<Value>) {
    items.retain(|e| !is_ours(e));
    let ours = |v: &Value| v.as_str().is_some_and(is_our_id);
    for e in items.iter_mut().filter_map(Value::as_object_mut) {
        strip_extensions(e);
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

/// The aiprov properties of the document (see [`super::Document::aiprov_properties`]): from
/// aiprov's `Annotation`s (their `CdxPropertiesExtension`, else their `statement` lines), keyed
/// by the subject package's locator, the summary from the one about the `SpdxDocument`; from
/// documents written before issue 14, the `CdxPropertiesExtension`s on the elements themselves.
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
    let items: &[Value] = graph(&doc.value).map(Vec::as_slice).unwrap_or(&[]);
    let doc_id = items
        .iter()
        .find(|x| type_of(x) == Some("SpdxDocument"))
        .and_then(|d| id_of(d));
    let mut by_subject: std::collections::HashMap<&str, Vec<(String, String)>> =
        std::collections::HashMap::new();
    for a in items
        .iter()
        .filter(|a| type_of(a) == Some("Annotation") && is_ours(a))
    {
        let Some(subject) = a.get("subject").and_then(Value::as_str) else {
            continue;
        };
        let mut props = ours(a);
        if props.is_empty() {
            props = super::parse_properties_comment(
                a.get("statement").and_then(Value::as_str).unwrap_or(""),
            );
        }
        by_subject.entry(subject).or_default().extend(props);
    }
    let mut e = Edits::default();
    for c in &doc.inventory.components {
        let mut list = c
            .bom_ref
            .as_deref()
            .and_then(|id| by_subject.get(id).cloned())
            .unwrap_or_default();
        if list.is_empty() {
            list = doc.value.pointer(&c.locator).map(ours).unwrap_or_default();
        }
        if !list.is_empty() {
            e.components.insert(c.locator.clone(), list);
        }
    }
    e.summary = doc_id
        .and_then(|id| by_subject.get(id).cloned())
        .filter(|l| !l.is_empty())
        .or_else(|| {
            items
                .iter()
                .find(|x| type_of(x) == Some("SpdxDocument"))
                .map(ours)
        })
        .unwrap_or_default();
    e
}

/// Remove everything [`apply`] adds: aiprov's `CreationInfo`, agent, tool and annotations,
/// their ids in `element` lists, and (documents written before issue 14) aiprov's
/// `CdxPropertiesExtension` entries and `createdUsing` entries, with the lists this empties.
/// For fidelity tests: `strip_aiprov(output)` equals `strip_aiprov(input)`, and equals the
/// input itself when the input never went through aiprov.
pub fn strip_aiprov(value: &mut Value) {
    if let Some(items) = value.get_mut("@graph").and_then(Value::as_array_mut) {
        strip_graph(items);
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
    fn write_annotations_with_own_creation_info() {
        let input = sample();
        let d = doc(&input);
        let w = write(&d, &edits(), &opts());
        assert!(w.warnings.is_empty(), "{:?}", w.warnings);
        let out: Value = serde_json::from_slice(&w.bytes).unwrap();
        let g = out["@graph"].as_array().unwrap();
        // every original element is unchanged but the document's element list
        for i in [0, 1, 3, 4, 5] {
            assert_eq!(g[i], input["@graph"][i], "element {i}");
        }
        let mut doc_el = input["@graph"][2].clone();
        for id in [
            "urn:doc:1/aiprov-agent",
            "urn:doc:1/aiprov-tool",
            "urn:doc:1/aiprov-annotation-3",
            "urn:doc:1/aiprov-annotation-4",
            "urn:doc:1/aiprov-annotation-document",
        ] {
            doc_el["element"].as_array_mut().unwrap().push(json!(id));
        }
        assert_eq!(g[2], doc_el);
        let prop = |n: &str, v: &str| json!({"type": "extension_CdxPropertyEntry", "extension_cdxPropName": n, "extension_cdxPropValue": v});
        let ext = |n: &str, v: &str| json!([{"type": "extension_CdxPropertiesExtension", "extension_cdxProperty": [prop(n, v)]}]);
        assert_eq!(
            &g[6..],
            &[
                json!({"type": "CreationInfo", "@id": "_:creationinfo-aiprov", "specVersion": "3.0.1",
                       "created": "2026-09-01T10:00:00Z", "createdBy": ["urn:doc:1/aiprov-agent"],
                       "createdUsing": ["urn:doc:1/aiprov-tool"]}),
                json!({"type": "SoftwareAgent", "spdxId": "urn:doc:1/aiprov-agent", "creationInfo": "_:creationinfo-aiprov", "name": "aiprov"}),
                json!({"type": "Tool", "spdxId": "urn:doc:1/aiprov-tool", "creationInfo": "_:creationinfo-aiprov", "name": "aiprov-0.1.0"}),
                json!({"type": "Annotation", "spdxId": "urn:doc:1/aiprov-annotation-3", "creationInfo": "_:creationinfo-aiprov",
                       "annotationType": "other", "subject": "urn:pkg:a", "statement": "aiprov:status=analyzed",
                       "extension": ext("aiprov:status", "analyzed")}),
                json!({"type": "Annotation", "spdxId": "urn:doc:1/aiprov-annotation-4", "creationInfo": "_:creationinfo-aiprov",
                       "annotationType": "other", "subject": "urn:pkg:b", "statement": "aiprov:status=no-repository",
                       "extension": ext("aiprov:status", "no-repository")}),
                json!({"type": "Annotation", "spdxId": "urn:doc:1/aiprov-annotation-document", "creationInfo": "_:creationinfo-aiprov",
                       "annotationType": "other", "subject": "urn:doc:1", "statement": "aiprov:summary:components=2",
                       "extension": ext("aiprov:summary:components", "2")}),
            ]
        );
        // read back
        let d2 = doc(&out);
        assert_eq!(d2.inventory, d.inventory);
        let back = aiprov_properties(&d2);
        assert_eq!(back.components, edits().components);
        assert_eq!(back.summary, edits().summary);
        // fidelity: stripped, the output is the input
        let mut got = out.clone();
        strip_aiprov(&mut got);
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&input).unwrap()
        );
        // idempotence, and fewer edits leave no stale annotation
        let twice = write(&d2, &edits(), &opts());
        assert_eq!(twice.bytes, w.bytes);
        let mut fewer = Edits::default();
        fewer.component("/@graph/4", "aiprov:status", "analyzed");
        let v: Value = serde_json::from_slice(&write(&d2, &fewer, &opts()).bytes).unwrap();
        let g = v["@graph"].as_array().unwrap();
        assert_eq!(g.len(), 10);
        assert_eq!(g[9]["subject"], json!("urn:pkg:b"));
        assert_eq!(
            g[3], input["@graph"][3],
            "package a keeps its own extension only"
        );
    }

    #[test]
    fn reads_and_replaces_pre_issue_14_output() {
        // aiprov before issue 14: extension on the package, tool in the shared CreationInfo
        let mut old = sample();
        old["@graph"][0]["createdUsing"] = json!(["urn:doc:1/aiprov-tool"]);
        old["@graph"][4]["extension"] = ext_old("aiprov:status", "analyzed");
        old["@graph"][2]["extension"] = ext_old("aiprov:summary:components", "1");
        old["@graph"][2]["element"]
            .as_array_mut()
            .unwrap()
            .push(json!("urn:doc:1/aiprov-tool"));
        old["@graph"].as_array_mut().unwrap().push(
            json!({"type": "Tool", "spdxId": "urn:doc:1/aiprov-tool", "creationInfo": "_:ci", "name": "aiprov-0.0.9"}),
        );
        let d = doc(&old);
        let e = aiprov_properties(&d);
        assert_eq!(
            e.components["/@graph/4"],
            [("aiprov:status".to_string(), "analyzed".to_string())]
        );
        assert_eq!(
            e.summary,
            [("aiprov:summary:components".to_string(), "1".to_string())]
        );
        let out: Value = serde_json::from_slice(&write(&d, &edits(), &opts()).bytes).unwrap();
        let fresh: Value =
            serde_json::from_slice(&write(&doc(&sample()), &edits(), &opts()).bytes).unwrap();
        assert_eq!(out, fresh);
    }

    fn ext_old(n: &str, v: &str) -> Value {
        json!([{"type": "extension_CdxPropertiesExtension", "extension_cdxProperty": [
            {"type": "extension_CdxPropertyEntry", "extension_cdxPropName": n, "extension_cdxPropValue": v}]}])
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
            ["no software_Package at /@graph/9; its properties were not written"]
        );
    }
}
