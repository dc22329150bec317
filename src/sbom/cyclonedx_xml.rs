//! CycloneDX XML, spec versions 1.2 to 1.7: read into an [`Inventory`], write by splicing.
//!
//! The reader walks quick-xml events once (no DTD processing: a `<!DOCTYPE>` is an error, so
//! is any entity other than the five predefined ones and character references; nesting is
//! limited to [`MAX_DEPTH`]) and records, for every element, where it starts and ends in the
//! text. The writer never re-serializes: it inserts and removes text at those offsets, so
//! namespaces and their prefixes, comments, processing instructions, attribute order and
//! quoting, CDATA sections, white space and foreign-namespace extension elements all stay as
//! they were. What it changes is what the JSON writer changes (see [`super::cyclonedx`]):
//!
//! - per enriched component, `<property name="aiprov:…">` entries: appended to the
//!   component's `<properties>`, or a new `<properties>` placed where the XSD sequence allows it
//!   (before `components`, `evidence`, `releaseNotes`, `modelCard`, `data`, `cryptoProperties`,
//!   `tags` and foreign elements, never after a nested `<components>`);
//! - the summary in `metadata/properties` (before `distributionConstraints`);
//! - aiprov in `metadata/tools`: `<components><component type="application">` on 1.5+, a
//!   legacy `<tool>` where the document uses that form or the spec has no other;
//! - the root's `version` attribute + 1 (added as `version="2"` when absent),
//!   `metadata/timestamp`; an enveloped XML signature is removed when asked.
//!
//! CycloneDX 1.2 has no `properties`; its XSD allows elements of other namespaces (`##other`,
//! lax) at the end of `component` and `metadata`, so there the same `<property>` list is written
//! in aiprov's own namespace [`PROPERTIES_NS`] (`<properties xmlns="…">`, declared on the
//! element itself; `schemas/cyclonedx-properties-1.xsd` defines it), after the CycloneDX
//! children.
//!
//! New elements use the namespace prefix of the element they go into and the document's
//! indentation. Re-enriching removes aiprov's previous properties and tool entry first.

pub mod describe;
mod view;
mod write;

pub use view::json_view;
pub use write::{strip_aiprov, upgrade, write};

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::{bounded, cyclonedx, line_column, utf8, Edits, Error, ReadOptions};
use crate::inventory::{Component, Hash, Inventory, Relationship};

/// Deepest element nesting accepted (CycloneDX documents stay far below it; the JSON reader's
/// limit is 128 arrays and objects).
pub const MAX_DEPTH: usize = 256;
const XMLDSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// aiprov's XML namespace for results in CycloneDX 1.2 documents (which define no
/// `properties`): `<properties xmlns="…"><property name="aiprov:…">value</property></properties>`,
/// the 1.3+ shape; XSD in `schemas/cyclonedx-properties-1.xsd`.
pub const PROPERTIES_NS: &str = "https://github.com/aiprov/aiprov/schemas/cyclonedx-properties/1";

const COMPONENT_AFTER_PROPERTIES: &[&str] = &[
    "components",
    "evidence",
    "releaseNotes",
    "modelCard",
    "data",
    "cryptoProperties",
    "tags",
];
const METADATA_AFTER_PROPERTIES: &[&str] = &["distributionConstraints"];
const METADATA_AFTER_TOOLS: &[&str] = &[
    "authors",
    "component",
    "manufacturer",
    "manufacture",
    "supplier",
    "licenses",
    "properties",
    "distributionConstraints",
];

/// A CycloneDX XML document as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document as read, without a byte order mark.
    pub text: String,
    /// Whether the input started with a UTF-8 byte order mark (written back).
    pub bom_mark: bool,
    /// Spec version from the root namespace, e.g. (1, 6).
    pub spec_version: (u32, u32),
    /// Every component of `components`, recursively, in document order.
    pub inventory: Inventory,
    /// Whether the root carries an enveloped XML signature (`<Signature>` in the xmldsig
    /// namespace); only readable with [`ReadOptions::strip_signature`].
    pub signed: bool,
    /// What the reader noticed without refusing the document (a repeated `bom-ref`).
    pub warnings: Vec<String>,
    tree: Tree,
    locators: HashMap<String, usize>,
}

/// One element: where it is in the text, what it holds.
#[derive(Debug, Clone, PartialEq)]
struct El {
    local: String,
    /// In the document's CycloneDX namespace.
    cdx: bool,
    /// Resolved namespace URI ("" when none).
    ns: String,
    /// The qualified name's prefix with its colon (`bom:`), or "".
    prefix: String,
    attrs: Vec<(String, String)>,
    /// Byte offsets: `<` of the start tag, after its `>`; `<` of the end tag, after its `>`
    /// (for `<x/>`, `end_start == start_end == end`).
    start: usize,
    start_end: usize,
    end_start: usize,
    end: usize,
    /// Start of the white-space-only text right before the element (`start` when none).
    ws_before: usize,
    /// End of the last child node that is not white space (`start_end` when none).
    inner_last: usize,
    /// The element's direct text (text, CDATA and references, decoded).
    text: String,
    children: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Tree {
    els: Vec<El>,
    root: usize,
    /// Offset (into the text) of the root's `version` attribute value, its length.
    version_attr: Option<(usize, usize)>,
}

impl Tree {
    fn child(&self, parent: usize, local: &str) -> Option<usize> {
        self.els[parent]
            .children
            .iter()
            .copied()
            .find(|&c| self.els[c].cdx && self.els[c].local == local)
    }

    fn children<'a>(&'a self, parent: usize, local: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.els[parent]
            .children
            .iter()
            .copied()
            .filter(move |&c| self.els[c].cdx && self.els[c].local == local)
    }

    fn child_text(&self, parent: usize, local: &str) -> Option<String> {
        self.child(parent, local).map(|c| self.els[c].text.clone())
    }

    fn attr(&self, el: usize, name: &str) -> Option<&str> {
        self.els[el]
            .attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Read a CycloneDX XML document, refusing signed ones. See [`read_with`].
pub fn read(path_label: &str, bytes: &[u8]) -> Result<Document, Error> {
    read_with(path_label, bytes, &ReadOptions::default())
}

/// Read a CycloneDX XML document (spec 1.2 to 1.7, from the root element's namespace).
///
/// The inventory lists every `component` of `bom/components`, nested `components` included, in
/// document order, with [`Component::locator`] an XPath such as
/// `/bom/components/component[2]/components/component[1]`; `metadata/component` is not in it.
pub fn read_with(path_label_: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
    let path = super::path_label(path_label_);
    let minor = match super::detect::sniff(&path, bytes)? {
        super::detect::Sniffed::CycloneDxXml(minor) => minor,
        other => {
            return Err(Error::UnsupportedFormat {
                path,
                found: format!(
                    "{} (expected CycloneDX XML)",
                    super::spdx_json::sniffed_name(&other)
                ),
            })
        }
    };
    let full = utf8(&path, bytes)?;
    let text = full.strip_prefix('\u{feff}').unwrap_or(full);
    let bom_mark = text.len() != full.len();
    let offset = full.len() - text.len();
    let tree = parse(&path, text, bytes, offset)?;
    let root = tree.root;
    let signed = tree.els[root]
        .children
        .iter()
        .any(|&c| tree.els[c].local == "Signature" && tree.els[c].ns == XMLDSIG_NS);
    if signed && !opts.strip_signature {
        return Err(Error::Signed { path });
    }
    let mut seen = super::BomRefs::default();
    let mut locators = HashMap::new();
    let mut components = Vec::new();
    if let Some(subject) = tree
        .child(root, "metadata")
        .and_then(|m| tree.child(m, "component"))
    {
        let mut ignored = Vec::new();
        let mut ignored_locators = HashMap::new();
        walk_component(
            &path,
            &tree,
            subject,
            "/bom/metadata/component".into(),
            &mut seen,
            &mut ignored,
            &mut ignored_locators,
        )?;
    }
    if let Some(list) = tree.child(root, "components") {
        walk_list(
            &path,
            &tree,
            list,
            "/bom/components",
            &mut seen,
            &mut components,
            &mut locators,
        )?;
    }
    let mut relationships = Vec::new();
    if let Some(deps) = tree.child(root, "dependencies") {
        for d in tree.children(deps, "dependency") {
            let Some(from) = tree.attr(d, "ref") else {
                continue;
            };
            for &c in &tree.els[d].children {
                let kind = match tree.els[c].local.as_str() {
                    "dependency" => "dependsOn",
                    "provides" => "provides",
                    _ => continue,
                };
                if let Some(to) = tree.attr(c, "ref") {
                    relationships.push(Relationship {
                        from: from.into(),
                        kind: kind.into(),
                        to: to.into(),
                    });
                }
            }
        }
    }
    Ok(Document {
        text: text.to_string(),
        bom_mark,
        spec_version: (1, minor),
        inventory: Inventory {
            components,
            relationships,
        },
        signed,
        warnings: seen.warnings,
        tree,
        locators,
    })
}

fn xml_error(path: &str, bytes: &[u8], at: usize, message: String) -> Error {
    let (line, column) = line_column(bytes, at);
    Error::Xml {
        path: path.to_string(),
        line,
        column,
        message: bounded(&message, 200),
    }
}

/// Build the element tree; `offset` is where `text` starts in `bytes` (for positions).
fn parse(path: &str, text: &str, bytes: &[u8], offset: usize) -> Result<Tree, Error> {
    let err = |at: usize, message: String| xml_error(path, bytes, offset + at, message);
    let mut reader = NsReader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut els: Vec<El> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut root: Option<usize> = None;
    let mut version_attr = None;
    // white space seen since the last node, where it started
    let mut pending_ws: Option<usize> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let read = reader
            .read_resolved_event()
            .map(|(ns, event)| (owned_ns(ns), event))
            .map_err(|e| e.to_string());
        let (ns, event) = match read {
            Ok(x) => x,
            Err(e) => return Err(err(reader.error_position() as usize, e)),
        };
        let after = reader.buffer_position() as usize;
        let ns = match ns {
            Ok(ns) => ns,
            Err(prefix) => {
                return Err(err(
                    before,
                    format!("unknown namespace prefix \"{}\"", bounded(&prefix, 60)),
                ))
            }
        };
        let mut node_is_ws = false;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if stack.len() >= MAX_DEPTH {
                    return Err(err(
                        before,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                if stack.is_empty() && root.is_some() {
                    return Err(err(before, "a second root element".into()));
                }
                let qname = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let prefix = qname
                    .strip_suffix(&local)
                    .filter(|p| p.ends_with(':'))
                    .unwrap_or("")
                    .to_string();
                let (attrs, version) =
                    attributes(e, text, stack.is_empty()).map_err(|m| err(before, m))?;
                if version.is_some() {
                    version_attr = version;
                }
                let index = els.len();
                let cdx = root.is_none_or(|r| els[r].ns == ns);
                els.push(El {
                    local,
                    cdx,
                    ns,
                    prefix,
                    attrs,
                    start: before,
                    start_end: after,
                    end_start: after,
                    end: after,
                    ws_before: pending_ws.unwrap_or(before),
                    inner_last: after,
                    text: String::new(),
                    children: Vec::new(),
                });
                if let Some(&parent) = stack.last() {
                    els[parent].children.push(index);
                } else {
                    root = Some(index);
                }
                if !empty {
                    stack.push(index);
                }
            }
            Event::End(_) => {
                let Some(index) = stack.pop() else {
                    return Err(err(before, "an end tag without a start tag".into()));
                };
                els[index].end_start = before;
                els[index].end = after;
            }
            Event::Text(ref t) => {
                let raw = t.decode().map_err(|x| err(before, x.to_string()))?;
                if raw.chars().all(|c| c.is_ascii_whitespace()) {
                    node_is_ws = true;
                    if pending_ws.is_none() {
                        pending_ws = Some(before);
                    }
                }
                if let Some(&top) = stack.last() {
                    els[top].text.push_str(&raw.replace("\r\n", "\n"));
                } else if !node_is_ws {
                    return Err(err(before, "text outside the root element".into()));
                }
            }
            Event::CData(ref t) => {
                let raw = t.decode().map_err(|x| err(before, x.to_string()))?;
                if let Some(&top) = stack.last() {
                    els[top].text.push_str(&raw.replace("\r\n", "\n"));
                }
            }
            Event::GeneralRef(ref r) => {
                let c = reference_text(r).map_err(|m| err(before, m))?;
                if let Some(&top) = stack.last() {
                    els[top].text.push_str(&c);
                }
            }
            Event::DocType(_) => {
                return Err(err(
                    before,
                    "the document has a DTD (<!DOCTYPE …>): aiprov does not process DTDs or entity declarations; remove it".into(),
                ))
            }
            Event::Decl(ref d) => {
                check_encoding(d).map_err(|m| err(before, m))?;
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
        if !node_is_ws {
            pending_ws = None;
            // the last node inside the innermost open element (a child that just ended counts)
            if let Some(&top) = stack.last() {
                if els[top].start_end <= before {
                    els[top].inner_last = after;
                }
            }
        }
    }
    if let Some(&open) = stack.last() {
        return Err(err(
            els[open].start,
            format!(
                "<{}> is not closed before the end of the file",
                bounded(&els[open].local, 60)
            ),
        ));
    }
    let root = root.ok_or_else(|| err(0, "no root element".into()))?;
    Ok(Tree {
        els,
        root,
        version_attr,
    })
}
/// An element's attributes, `(qualified name, normalized value)` in document order.
type Attributes = Vec<(String, String)>;

/// The attributes of a start tag, normalized, in order; for the root element (`is_root`) also
/// where the raw value of its `version` attribute sits in `text` (offset, length). Errors are
/// messages for the tag's position.
fn attributes(
    e: &quick_xml::events::BytesStart<'_>,
    text: &str,
    is_root: bool,
) -> Result<(Attributes, Option<(usize, usize)>), String> {
    let mut attrs = Vec::new();
    let mut version_attr = None;
    for a in e.attributes() {
        let a = a.map_err(|x| x.to_string())?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|x| format!("attribute {key}: {x}"))?
            .into_owned();
        if is_root && key == "version" {
            let raw: &[u8] = a.value.as_ref();
            let start = raw.as_ptr() as usize - text.as_ptr() as usize;
            if start <= text.len() {
                version_attr = Some((start, raw.len()));
            }
        }
        attrs.push((key, value));
    }
    Ok((attrs, version_attr))
}

/// The text of a character reference or one of the five predefined entities; any other entity
/// is an error (no DTD is processed).
fn reference_text(r: &quick_xml::events::BytesRef<'_>) -> Result<String, String> {
    Ok(match r.resolve_char_ref() {
        Ok(Some(c)) => c.to_string(),
        Ok(None) => {
            let name = r.decode().map_err(|x| x.to_string())?;
            match name.as_ref() {
                "amp" => "&".into(),
                "lt" => "<".into(),
                "gt" => ">".into(),
                "apos" => "'".into(),
                "quot" => "\"".into(),
                other => {
                    return Err(format!(
                        "entity &{}; is not defined (aiprov processes no DTD: only the five predefined entities and character references)",
                        bounded(other, 60)
                    ))
                }
            }
        }
        Err(x) => return Err(x.to_string()),
    })
}

/// Accept only a UTF-8 (or absent) `encoding` in the XML declaration.
fn check_encoding(d: &quick_xml::events::BytesDecl<'_>) -> Result<(), String> {
    if let Some(enc) = d.encoding() {
        let enc = enc.map_err(|x| x.to_string())?;
        let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
        if enc != "utf-8" && enc != "utf8" {
            return Err(format!(
                "encoding \"{}\" is not supported (aiprov reads UTF-8 XML)",
                bounded(&enc, 40)
            ));
        }
    }
    Ok(())
}

/// The resolved namespace URI ("" when unbound), or the unknown prefix.
fn owned_ns(ns: ResolveResult<'_>) -> Result<String, String> {
    match ns {
        ResolveResult::Bound(n) => Ok(String::from_utf8_lossy(n.as_ref()).into_owned()),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(p) => Err(String::from_utf8_lossy(&p).into_owned()),
    }
}

fn walk_list(
    path: &str,
    tree: &Tree,
    list: usize,
    xpath: &str,
    seen: &mut super::BomRefs,
    out: &mut Vec<Component>,
    locators: &mut HashMap<String, usize>,
) -> Result<(), Error> {
    for (i, c) in tree.children(list, "component").enumerate() {
        walk_component(
            path,
            tree,
            c,
            format!("{xpath}/component[{}]", i + 1),
            seen,
            out,
            locators,
        )?;
    }
    Ok(())
}

fn walk_component(
    path: &str,
    tree: &Tree,
    el: usize,
    xpath: String,
    seen: &mut super::BomRefs,
    out: &mut Vec<Component>,
    locators: &mut HashMap<String, usize>,
) -> Result<(), Error> {
    let Some(name) = tree.child_text(el, "name") else {
        return Err(Error::ComponentWithoutName {
            path: path.into(),
            pointer: xpath,
        });
    };
    let bom_ref = tree.attr(el, "bom-ref").map(str::to_string);
    if let Some(r) = &bom_ref {
        seen.note(path, r, &xpath);
    }
    let purl = tree.child_text(el, "purl");
    let ext: Vec<(String, String)> = tree
        .child(el, "externalReferences")
        .map(|refs| {
            tree.children(refs, "reference")
                .filter_map(|r| {
                    Some((
                        tree.attr(r, "type")?.to_string(),
                        tree.child_text(r, "url")?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let ext: Vec<(&str, &str)> = ext.iter().map(|(t, u)| (t.as_str(), u.as_str())).collect();
    let hashes = tree
        .child(el, "hashes")
        .map(|h| {
            tree.children(h, "hash")
                .filter_map(|x| {
                    Some(Hash {
                        algorithm: tree.attr(x, "alg")?.to_string(),
                        value: tree.els[x].text.trim().to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let named = |local: &str| {
        tree.child(el, local)
            .and_then(|s| tree.child_text(s, "name"))
    };
    locators.insert(xpath.clone(), el);
    out.push(Component {
        locator: xpath.clone(),
        bom_ref,
        name,
        group: tree.child_text(el, "group"),
        version: tree.child_text(el, "version"),
        vcs_refs: cyclonedx::external_reference_refs(purl.as_deref(), &ext),
        purl,
        cpe: tree.child_text(el, "cpe"),
        supplier: named("supplier"),
        originator: named("manufacturer").or_else(|| tree.child_text(el, "author")),
        hashes,
    });
    if let Some(children) = tree.child(el, "components") {
        walk_list(
            path,
            tree,
            children,
            &format!("{xpath}/components"),
            seen,
            out,
            locators,
        )?;
    }
    Ok(())
}

/// The `properties` child of `owner`: CycloneDX's own, else one in [`PROPERTIES_NS`] (1.2).
fn properties_list(tree: &Tree, owner: usize) -> Option<usize> {
    tree.child(owner, "properties").or_else(|| {
        tree.els[owner]
            .children
            .iter()
            .copied()
            .find(|&c| tree.els[c].local == "properties" && tree.els[c].ns == PROPERTIES_NS)
    })
}

/// The aiprov properties in the document (see [`super::Document::aiprov_properties`]).
pub fn aiprov_properties(doc: &Document) -> Edits {
    let tree = &doc.tree;
    let ours = |owner: usize| -> Vec<(String, String)> {
        properties_list(tree, owner)
            .map(|list| {
                tree.els[list]
                    .children
                    .iter()
                    .copied()
                    .filter(|&p| tree.els[p].local == "property")
                    .filter_map(|p| {
                        let name = tree.attr(p, "name")?;
                        name.starts_with(cyclonedx::NAMESPACE)
                            .then(|| (name.to_string(), tree.els[p].text.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut e = Edits::default();
    for c in &doc.inventory.components {
        if let Some(&el) = doc.locators.get(&c.locator) {
            let list = ours(el);
            if !list.is_empty() {
                e.components.insert(c.locator.clone(), list);
            }
        }
    }
    if let Some(m) = tree.child(tree.root, "metadata") {
        e.summary = ours(m);
    }
    e
}

#[cfg(test)]
mod tests;
