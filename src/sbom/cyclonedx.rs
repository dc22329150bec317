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
//! CycloneDX 1.2 defines no `properties`. Its JSON schema does not forbid other keys (no
//! `additionalProperties: false` on `bom`, `metadata` or `component`), so aiprov writes the same
//! 1.3-shaped `properties` arrays there, which the 1.2 schema accepts and an upgrade to 1.3+
//! (`--output-format cyclonedx-json@1.6`, [`upgrade`]) turns into standard properties without
//! any mapping; [`apply`] says so in a warning (docs/decisions.md, "CycloneDX 1.2").

pub mod describe;
pub mod facts;
mod upgrade;
mod write;

pub use upgrade::{iri_encoded, upgrade, UpgradeError, UPGRADE_TARGET_MAX};
pub use write::{apply, strip_aiprov, to_bytes, write};
pub(crate) use write::{format_timestamp, set_tool};

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::{bounded, path_label, Error, ECHO_LIMIT};
use crate::inventory::{Component, Hash, Inventory, Relationship, VcsRef};

/// The property namespace aiprov owns.
pub const NAMESPACE: &str = crate::props::NAMESPACE;
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
    /// What the reader noticed without refusing the document (a repeated `bom-ref`).
    pub warnings: Vec<String>,
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

    let mut seen = super::BomRefs::default();
    // The subject's bom-refs take part in the uniqueness warning, not in the inventory.
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
        warnings: seen.warnings,
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
    seen: &mut super::BomRefs,
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
    seen: &mut super::BomRefs,
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
        seen.note(path, r, &pointer);
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

#[cfg(test)]
mod tests;
