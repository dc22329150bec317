//! Writing CycloneDX JSON: aiprov's properties, tool entry, version and timestamp, edited in
//! place in the document's own JSON (see the module documentation of [`super`]); and removing
//! them again.

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{Document, Edits, WriteOptions, Written, NAMESPACE, TOOL_NAME};
use crate::sbom::{bounded, ECHO_LIMIT};

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
    // C1 controls and bidi characters escaped (`\u202e`): crate::text::SafeJson.
    let mut out =
        crate::text::json_to_vec(value, true).expect("a serde_json::Value always serializes");
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
    let Some(root) = value.as_object_mut() else {
        warnings.push("the document is not a JSON object; nothing written".into());
        return warnings;
    };

    if spec_version < (1, 3) && (!edits.components.is_empty() || !edits.summary.is_empty()) {
        warnings.push(format!(
            "CycloneDX {}.{} defines no \"properties\": results are written as 1.3-style \
             \"properties\" arrays, which the {0}.{1} JSON schema accepts but {0}.{1} tools may \
             ignore; --output-format cyclonedx-json@1.6 makes them standard",
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
            if let Err(w) = set_properties(metadata, &edits.summary) {
                warnings.push(format!("metadata: {w}"));
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
            // Sized for its two entries: a growing map reserves four (issue 15: 200k
            // components' properties took 300 MB more).
            let mut p = Map::with_capacity(2);
            p.insert("name".into(), Value::String(n.clone()));
            p.insert("value".into(), Value::String(v.clone()));
            Value::Object(p)
        })
        .collect();
    match obj.get_mut("properties") {
        None if new.is_empty() => Ok(()),
        None => {
            crate::sbom::append_snug(obj, "properties", Value::Array(new));
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
