//! CycloneDX JSON, spec versions 1.2 to 1.7: read into an [`Inventory`], write back in place.
//!
//! The document stays a [`serde_json::Value`] (with `preserve_order`, so key order survives);
//! [`apply`] changes only what aiprov owns:
//!
//! - on each enriched component, the `properties` whose name starts with `aiprov:` (replaced, so
//!   enrichment is idempotent);
//! - `metadata.properties` named `aiprov:…` (the run summary);
//! - aiprov's entry in `metadata.tools` (object form on 1.5+, the legacy array where the document
//!   uses it; replaced, never duplicated);
//! - `version` (+1), `metadata.timestamp`; and the top-level `signature` when asked to strip it.
//!
//! CycloneDX 1.2 has no `properties` anywhere: results are then not written into the document
//! and [`apply`] says so in a warning.

pub mod describe;
pub mod facts;

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{bounded, path_label, Error, ECHO_LIMIT};
use crate::inventory::{Component, Hash, Inventory, Relationship, VcsRef};

/// The property namespace aiprov owns.
pub const NAMESPACE: &str = "aiprov:";
/// aiprov's name in `metadata.tools`.
pub const TOOL_NAME: &str = "aiprov";
/// Oldest and newest supported `specVersion` minor (major is 1).
pub const SUPPORTED_MINOR: std::ops::RangeInclusive<u32> = 2..=7;

/// A CycloneDX JSON document as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The whole document, to be edited in place.
    pub value: Value,
    /// `specVersion` as (major, minor), e.g. (1, 6).
    pub spec_version: (u32, u32),
    /// Every component of `components`, recursively, in document order.
    pub inventory: Inventory,
    /// Whether the document carries a top-level `signature` (only readable with
    /// [`ReadOptions::strip_signature`]).
    pub signed: bool,
}

/// How to read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Accept a signed document (the caller will drop the signature when writing). Without it,
    /// a top-level `signature` is [`Error::Signed`].
    pub strip_signature: bool,
}

/// The properties to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edits {
    /// Per component, keyed by [`Component::locator`]: `(name, value)` properties, in order, all
    /// named `aiprov:…`.
    pub components: BTreeMap<String, Vec<(String, String)>>,
    /// Document-level properties (`aiprov:summary:…`), written to `metadata.properties`.
    pub summary: Vec<(String, String)>,
}

impl Edits {
    /// Append one property for the component at `locator`.
    pub fn component(&mut self, locator: &str, name: impl Into<String>, value: impl Into<String>) {
        self.components
            .entry(locator.to_string())
            .or_default()
            .push((name.into(), value.into()));
    }

    /// Append one document-level property.
    pub fn summary(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.summary.push((name.into(), value.into()));
    }
}

/// How to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// aiprov's version, for `metadata.tools`.
    pub tool_version: String,
    /// The new `metadata.timestamp` (written in UTC, whole seconds: `2026-09-01T12:00:00Z`).
    pub timestamp: OffsetDateTime,
    /// Remove the top-level `signature` (an edited document no longer matches it).
    pub strip_signature: bool,
}

/// The enriched document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Pretty-printed JSON (2-space indent), ending with a newline.
    pub bytes: Vec<u8>,
    /// Things the caller should tell the user (e.g. CycloneDX 1.2 cannot hold properties).
    pub warnings: Vec<String>,
}

/// Read a CycloneDX JSON document, refusing signed ones. See [`read_with`].
pub fn read(path_label: &str, bytes: &[u8]) -> Result<Document, Error> {
    read_with(path_label, bytes, &ReadOptions::default())
}

/// Read a CycloneDX JSON document (spec 1.2 to 1.7).
///
/// The inventory lists every entry of `components`, nested `components` included, in document
/// order, with [`Component::locator`] its JSON pointer (`/components/3/components/0`); the
/// document's subject (`metadata.component`) and `metadata.tools` are not in it. Each component's
/// [`VcsRef`]s, best first: the purl's `vcs_url` qualifier; a `pkg:github` / `pkg:gitlab` /
/// `pkg:bitbucket` purl; the purl's `download_url` qualifier when it is a forge repository;
/// `externalReferences[type=vcs]`; other external references that are a forge repository URL;
/// a `pkg:golang` module path on a forge.
pub fn read_with(path_label_: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
    let path = path_label(path_label_);
    let value = parse_json(&path, bytes)?;
    from_value(&path, value, opts)
}

/// Parse JSON bytes (a UTF-8 byte order mark is skipped); `path` is already a label.
pub(crate) fn parse_json(path: &str, bytes: &[u8]) -> Result<Value, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| not_json(path, &e))
}

/// [`read_with`] on an already parsed document; `path` is already a label.
pub(crate) fn from_value(path: &str, value: Value, opts: &ReadOptions) -> Result<Document, Error> {
    let path = path.to_string();
    let Some(root) = value.as_object() else {
        return Err(Error::NotCycloneDx {
            path,
            hint: "; the top level is not an object".into(),
        });
    };
    if root.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        let hint = if root.contains_key("spdxVersion") {
            "; it looks like SPDX 2"
        } else if root.contains_key("@context") || root.contains_key("@graph") {
            "; it looks like JSON-LD (SPDX 3?)"
        } else {
            ""
        };
        return Err(Error::NotCycloneDx {
            path,
            hint: hint.into(),
        });
    }
    let spec_version = match root.get("specVersion") {
        Some(Value::String(s)) => match parse_spec_version(s) {
            Some(v) => v,
            None => {
                return Err(Error::UnsupportedSpecVersion {
                    path,
                    found: format!("\"{}\"", bounded(s, ECHO_LIMIT)),
                })
            }
        },
        Some(other) => {
            return Err(Error::UnsupportedSpecVersion {
                path,
                found: bounded(&other.to_string(), ECHO_LIMIT),
            })
        }
        None => {
            return Err(Error::UnsupportedSpecVersion {
                path,
                found: "(missing)".into(),
            })
        }
    };
    let signed = root.contains_key("signature");
    if signed && !opts.strip_signature {
        return Err(Error::Signed { path });
    }

    let mut seen: HashMap<String, String> = HashMap::new();
    // The subject's bom-refs take part in the uniqueness check, not in the inventory.
    if let Some(subject) = root.get("metadata").and_then(|m| m.get("component")) {
        let mut ignored = Vec::new();
        walk_component(
            &path,
            subject,
            "/metadata/component".into(),
            &mut seen,
            &mut ignored,
        )?;
    }
    let mut components = Vec::new();
    if let Some(list) = root.get("components") {
        walk_list(&path, list, "/components", &mut seen, &mut components)?;
    }
    let relationships = dependencies(root.get("dependencies"));
    Ok(Document {
        spec_version,
        inventory: Inventory {
            components,
            relationships,
        },
        signed,
        value,
    })
}

/// `dependencies[]` as relationships: each `dependsOn` / `provides` entry, in document order.
fn dependencies(deps: Option<&Value>) -> Vec<Relationship> {
    let mut out = Vec::new();
    for dep in deps.and_then(Value::as_array).into_iter().flatten() {
        let Some(from) = dep.get("ref").and_then(Value::as_str) else {
            continue;
        };
        for kind in ["dependsOn", "provides"] {
            for to in dep
                .get(kind)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(to) = to.as_str() {
                    out.push(Relationship {
                        from: from.to_string(),
                        kind: kind.to_string(),
                        to: to.to_string(),
                    });
                }
            }
        }
    }
    out
}

fn not_json(path: &str, e: &serde_json::Error) -> Error {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let mut message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    if e.is_eof() {
        message = format!("{message} (truncated file?)");
    }
    Error::NotJson {
        path: path.to_string(),
        line: e.line(),
        column: e.column(),
        message: bounded(&message, ECHO_LIMIT),
    }
}

fn parse_spec_version(s: &str) -> Option<(u32, u32)> {
    let (major, minor) = s.split_once('.')?;
    let is_num = |x: &str| !x.is_empty() && x.len() <= 3 && x.bytes().all(|b| b.is_ascii_digit());
    if !is_num(major) || !is_num(minor) {
        return None;
    }
    let v = (major.parse().ok()?, minor.parse().ok()?);
    (v.0 == 1 && SUPPORTED_MINOR.contains(&v.1)).then_some(v)
}

fn walk_list(
    path: &str,
    list: &Value,
    pointer: &str,
    seen: &mut HashMap<String, String>,
    out: &mut Vec<Component>,
) -> Result<(), Error> {
    let Some(items) = list.as_array() else {
        return Err(Error::Malformed {
            path: path.into(),
            pointer: pointer.into(),
            expected: "expected an array of components".into(),
        });
    };
    for (i, item) in items.iter().enumerate() {
        walk_component(path, item, format!("{pointer}/{i}"), seen, out)?;
    }
    Ok(())
}

fn walk_component(
    path: &str,
    item: &Value,
    pointer: String,
    seen: &mut HashMap<String, String>,
    out: &mut Vec<Component>,
) -> Result<(), Error> {
    let Some(obj) = item.as_object() else {
        return Err(Error::Malformed {
            path: path.into(),
            pointer,
            expected: "expected a component object".into(),
        });
    };
    let Some(name) = obj.get("name").and_then(Value::as_str) else {
        return Err(Error::ComponentWithoutName {
            path: path.into(),
            pointer,
        });
    };
    let bom_ref = obj
        .get("bom-ref")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(r) = &bom_ref {
        if let Some(first) = seen.get(r) {
            return Err(Error::DuplicateBomRef {
                path: path.into(),
                bom_ref: bounded(r, ECHO_LIMIT),
                first: first.clone(),
                second: pointer,
            });
        }
        seen.insert(r.clone(), pointer.clone());
    }
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
    let purl = text("purl");
    let named = |k: &str| {
        obj.get(k)
            .and_then(|o| o.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let hashes = obj
        .get("hashes")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|h| {
                    Some(Hash {
                        algorithm: h.get("alg")?.as_str()?.to_string(),
                        value: h.get("content")?.as_str()?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    out.push(Component {
        locator: pointer.clone(),
        bom_ref,
        name: name.to_string(),
        group: text("group"),
        version: text("version"),
        vcs_refs: vcs_refs(obj, purl.as_deref()),
        purl,
        cpe: text("cpe"),
        supplier: named("supplier"),
        originator: named("manufacturer").or_else(|| text("author")),
        hashes,
    });
    if let Some(children) = obj.get("components") {
        walk_list(path, children, &format!("{pointer}/components"), seen, out)?;
    }
    Ok(())
}

/// Repository references of one component, best first, without repeats: see
/// [`super::vcs_refs`]; `externalReferences[type=vcs]` are VCS references, the other
/// external references count when they are a forge repository URL.
fn vcs_refs(obj: &Map<String, Value>, purl: Option<&str>) -> Vec<VcsRef> {
    let ext: Vec<(&str, &str)> = obj
        .get("externalReferences")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|r| Some((r.get("type")?.as_str()?, r.get("url")?.as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    external_reference_refs(purl, &ext)
}

/// [`super::vcs_refs`] for CycloneDX `externalReferences` given as `(type, url)` pairs (shared
/// with the XML reader).
pub(crate) fn external_reference_refs(purl: Option<&str>, ext: &[(&str, &str)]) -> Vec<VcsRef> {
    let vcs: Vec<(String, String)> = ext
        .iter()
        .filter(|(ty, _)| *ty == "vcs")
        .map(|(_, url)| (url.to_string(), "externalReferences[vcs]".to_string()))
        .collect();
    let other: Vec<(String, String)> = ext
        .iter()
        .filter(|(ty, _)| *ty != "vcs")
        .map(|(ty, url)| {
            (
                url.to_string(),
                format!("externalReferences[{}]", bounded(ty, 64)),
            )
        })
        .collect();
    super::vcs_refs(purl, &vcs, &other)
}

/// Enrich a copy of `doc` and serialize it. See [`apply`].
pub fn write(doc: &Document, edits: &Edits, opts: &WriteOptions) -> Written {
    let mut value = doc.value.clone();
    let warnings = apply(&mut value, doc.spec_version, edits, opts);
    Written {
        bytes: to_bytes(&value),
        warnings,
    }
}

/// Serialize like most generators do: 2-space indent, trailing newline.
pub fn to_bytes(value: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).expect("a serde_json::Value always serializes");
    out.push(b'\n');
    out
}

/// Enrich `value` in place; returns warnings for the user.
///
/// On each component named in `edits` (by locator) and on `metadata.properties`: every existing
/// property named `aiprov:…` is removed and ours are appended (a `properties` array is created
/// at the end of the object when absent). aiprov's `metadata.tools` entry is replaced or added,
/// `version` is incremented (absent counts as 1), `metadata.timestamp` is set (`metadata` is
/// created at the end of the document when absent). Nothing else changes.
pub fn apply(
    value: &mut Value,
    spec_version: (u32, u32),
    edits: &Edits,
    opts: &WriteOptions,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let has_properties = spec_version >= (1, 3);
    let Some(root) = value.as_object_mut() else {
        warnings.push("the document is not a JSON object; nothing written".into());
        return warnings;
    };

    if !has_properties && (!edits.components.is_empty() || !edits.summary.is_empty()) {
        warnings.push(format!(
            "CycloneDX {}.{} has no \"properties\": per-component and summary results are not written \
             into the document (see the evidence file and summary report)",
            spec_version.0, spec_version.1
        ));
    }
    let mut foreign: Vec<&str> = Vec::new();
    for (name, _) in edits.components.values().flatten().chain(&edits.summary) {
        if !name.starts_with(NAMESPACE) && !foreign.contains(&name.as_str()) {
            foreign.push(name);
        }
    }
    for name in &foreign {
        warnings.push(format!(
            "property \"{}\" is outside the {NAMESPACE} namespace; not written",
            bounded(name, ECHO_LIMIT)
        ));
    }

    if has_properties {
        for (locator, props) in &edits.components {
            match pointer_object(root, locator) {
                Some(obj) => {
                    if let Err(w) = set_properties(obj, props) {
                        warnings.push(format!("{locator}: {w}"));
                    }
                }
                None => warnings.push(format!(
                    "no component at {}; its properties were not written",
                    bounded(locator, ECHO_LIMIT)
                )),
            }
        }
    }

    // metadata
    if !root.contains_key("metadata") {
        root.insert("metadata".into(), Value::Object(Map::new()));
    }
    match root.get_mut("metadata") {
        Some(Value::Object(metadata)) => {
            let ts = format_timestamp(opts.timestamp);
            metadata.insert("timestamp".into(), Value::String(ts));
            if let Err(w) = set_tool(metadata, spec_version, &opts.tool_version) {
                warnings.push(w);
            }
            if has_properties {
                if let Err(w) = set_properties(metadata, &edits.summary) {
                    warnings.push(format!("metadata: {w}"));
                }
            }
        }
        _ => warnings
            .push("\"metadata\" is not an object; timestamp, tool and summary not written".into()),
    }

    // version
    match root.get("version") {
        None => {
            root.insert("version".into(), Value::from(2u64));
        }
        Some(v) => match v.as_u64() {
            Some(n) => {
                root.insert("version".into(), Value::from(n.saturating_add(1)));
            }
            None => warnings.push(format!(
                "\"version\" is not a positive integer ({}); left unchanged",
                bounded(&v.to_string(), 40)
            )),
        },
    }

    if root.contains_key("signature") {
        if opts.strip_signature {
            root.shift_remove("signature");
        } else {
            warnings.push("the document's signature no longer matches its content".into());
        }
    }
    warnings
}

/// The object at an RFC 6901 pointer below `root` (array indices and plain keys).
fn pointer_object<'a>(
    root: &'a mut Map<String, Value>,
    pointer: &str,
) -> Option<&'a mut Map<String, Value>> {
    let rest = pointer.strip_prefix('/')?;
    let (first, tail) = match rest.split_once('/') {
        Some((f, t)) => (f, Some(t)),
        None => (rest, None),
    };
    let first = first.replace("~1", "/").replace("~0", "~");
    let child = root.get_mut(&first)?;
    let child = match tail {
        Some(t) => child.pointer_mut(&format!("/{t}"))?,
        None => child,
    };
    child.as_object_mut()
}

/// `t` in UTC, whole seconds, RFC 3339 (`2026-09-01T12:00:00Z`).
pub(crate) fn format_timestamp(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("0 is a valid nanosecond");
    t.format(&Rfc3339)
        .expect("a UTC time with whole seconds formats as RFC 3339")
}

fn is_ours(p: &Value) -> bool {
    p.get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.starts_with(NAMESPACE))
}

/// Replace the `aiprov:` properties of `obj` with `props` (those in the namespace).
fn set_properties(obj: &mut Map<String, Value>, props: &[(String, String)]) -> Result<(), String> {
    let new: Vec<Value> = props
        .iter()
        .filter(|(n, _)| n.starts_with(NAMESPACE))
        .map(|(n, v)| {
            let mut p = Map::new();
            p.insert("name".into(), Value::String(n.clone()));
            p.insert("value".into(), Value::String(v.clone()));
            Value::Object(p)
        })
        .collect();
    match obj.get_mut("properties") {
        None if new.is_empty() => Ok(()),
        None => {
            obj.insert("properties".into(), Value::Array(new));
            Ok(())
        }
        Some(Value::Array(list)) => {
            let before = list.len();
            list.retain(|p| !is_ours(p));
            let removed = list.len() < before;
            list.extend(new);
            if list.is_empty() && removed {
                obj.shift_remove("properties");
            }
            Ok(())
        }
        Some(_) => Err("\"properties\" is not an array; left unchanged".into()),
    }
}

fn is_our_tool(t: &Value) -> bool {
    t.get("name").and_then(Value::as_str) == Some(TOOL_NAME)
}

/// Add or replace aiprov in `metadata.tools` (object form on 1.5+, the legacy array where the
/// document uses it). Also used by `check::fill_min_elements`.
pub(crate) fn set_tool(
    metadata: &mut Map<String, Value>,
    spec_version: (u32, u32),
    version: &str,
) -> Result<(), String> {
    let legacy = || {
        let mut t = Map::new();
        t.insert("name".into(), Value::String(TOOL_NAME.into()));
        t.insert("version".into(), Value::String(version.into()));
        Value::Object(t)
    };
    let component = |bom_ref: Option<Value>| {
        let mut t = Map::new();
        t.insert("type".into(), Value::String("application".into()));
        if let Some(r) = bom_ref {
            t.insert("bom-ref".into(), r);
        }
        t.insert("name".into(), Value::String(TOOL_NAME.into()));
        t.insert("version".into(), Value::String(version.into()));
        Value::Object(t)
    };
    if !metadata.contains_key("tools") {
        let tools = if spec_version >= (1, 5) {
            let mut o = Map::new();
            o.insert("components".into(), Value::Array(vec![component(None)]));
            Value::Object(o)
        } else {
            Value::Array(vec![legacy()])
        };
        metadata.insert("tools".into(), tools);
        return Ok(());
    }
    match metadata.get_mut("tools") {
        Some(Value::Array(list)) => {
            replace_or_push(list, legacy());
            Ok(())
        }
        Some(Value::Object(tools)) => {
            if !tools.contains_key("components") {
                tools.insert("components".into(), Value::Array(Vec::new()));
            }
            match tools.get_mut("components") {
                Some(Value::Array(list)) => {
                    let bom_ref = list
                        .iter()
                        .find(|t| is_our_tool(t))
                        .and_then(|t| t.get("bom-ref").cloned());
                    replace_or_push(list, component(bom_ref));
                    Ok(())
                }
                _ => Err(
                    "\"metadata.tools.components\" is not an array; aiprov not added to the tools"
                        .into(),
                ),
            }
        }
        _ => Err(
            "\"metadata.tools\" is neither an array nor an object; aiprov not added to the tools"
                .into(),
        ),
    }
}

/// Put `entry` where the first aiprov entry was (dropping any others), or at the end.
fn replace_or_push(list: &mut Vec<Value>, entry: Value) {
    match list.iter().position(is_our_tool) {
        Some(i) => {
            list[i] = entry;
            let mut k = 0;
            list.retain(|t| {
                k += 1;
                k - 1 == i || !is_our_tool(t)
            });
        }
        None => list.push(entry),
    }
}

/// Remove everything [`apply`] adds except `version` and `metadata.timestamp`: `aiprov:`
/// properties on every component (nested ones included) and in `metadata.properties`, aiprov's
/// `metadata.tools` entry, and the containers left empty by those removals. For fidelity tests:
/// `strip_aiprov(output)` equals `strip_aiprov(input)` once `version` and the timestamp are
/// restored.
pub fn strip_aiprov(value: &mut Value) {
    let Some(root) = value.as_object_mut() else {
        return;
    };
    if let Some(list) = root.get_mut("components").and_then(Value::as_array_mut) {
        strip_components(list);
    }
    let Some(metadata) = root.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    strip_properties(metadata);
    let mut drop_tools = false;
    match metadata.get_mut("tools") {
        Some(Value::Array(list)) => drop_tools = strip_tools(list),
        Some(Value::Object(tools)) => {
            if let Some(Value::Array(list)) = tools.get_mut("components") {
                if strip_tools(list) {
                    tools.shift_remove("components");
                }
            }
            drop_tools = tools.is_empty();
        }
        _ => {}
    }
    if drop_tools {
        metadata.shift_remove("tools");
    }
}

/// Remove aiprov tool entries; true when that emptied the list.
fn strip_tools(list: &mut Vec<Value>) -> bool {
    let before = list.len();
    list.retain(|t| !is_our_tool(t));
    list.is_empty() && before > 0
}

fn strip_components(list: &mut [Value]) {
    for c in list {
        if let Some(obj) = c.as_object_mut() {
            strip_properties(obj);
            if let Some(children) = obj.get_mut("components").and_then(Value::as_array_mut) {
                strip_components(children);
            }
        }
    }
}

fn strip_properties(obj: &mut Map<String, Value>) {
    if let Some(Value::Array(list)) = obj.get_mut("properties") {
        let before = list.len();
        list.retain(|p| !is_ours(p));
        if list.is_empty() && before > 0 {
            obj.shift_remove("properties");
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
            err(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","bom-ref":"r"},{"type":"library","name":"b","components":[{"type":"library","name":"c","bom-ref":"r"}]}]}"#),
            "dir/t.json: duplicate bom-ref \"r\" at /components/0 and /components/1/components/0"
        );
        assert_eq!(
            err(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"application","name":"app","bom-ref":"r"}},"components":[{"type":"library","name":"a","bom-ref":"r"}]}"#),
            "dir/t.json: duplicate bom-ref \"r\" at /metadata/component and /components/0"
        );
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
        let d =
            doc(json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [component]}));
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
            refs_of(
                json!({"type": "library", "name": "x", "purl": "pkg:gitlab/group/sub/proj@1.0"})
            ),
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
        let o = out(
            json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {"authors": []}}),
        );
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
    fn write_spec_1_2_has_no_properties() {
        let d = doc(
            json!({"bomFormat": "CycloneDX", "specVersion": "1.2", "version": 1, "components": [{"type": "library", "name": "a"}]}),
        );
        let mut e = Edits::default();
        e.component("/components/0", "aiprov:status", "analyzed");
        e.summary("aiprov:summary:components", "1");
        let w = write(&d, &e, &opts());
        assert_eq!(
            w.warnings,
            ["CycloneDX 1.2 has no \"properties\": per-component and summary results are not written into the document (see the evidence file and summary report)"]
        );
        let v: Value = serde_json::from_slice(&w.bytes).unwrap();
        assert!(v["components"][0].get("properties").is_none());
        assert!(v["metadata"].get("properties").is_none());
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
                compact.contains(
                    "[1e+2,1.50,12345678901234567890,123456789012345678901234567890,-0,1.0]"
                ),
                "{compact}"
            );
        } else {
            // Without `arbitrary_precision`, values survive but spellings may not (see report).
            assert!(
                compact
                    .contains("[100.0,1.5,12345678901234567890,1.2345678901234568e+29,-0.0,1.0]"),
                "{compact}"
            );
        }
    }
}
