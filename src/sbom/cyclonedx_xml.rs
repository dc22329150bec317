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
//! New elements use the namespace prefix of the element they go into and the document's
//! indentation. Re-enriching removes aiprov's previous properties and tool entry first.

pub mod describe;

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::{
    bounded, cyclonedx, foreign_property_warnings, line_column, utc_seconds, utf8, Edits, Error,
    ReadOptions, WriteOptions, Written, ECHO_LIMIT,
};
use crate::inventory::{Component, Hash, Inventory, Relationship};

/// Deepest element nesting accepted (CycloneDX documents stay far below it; the JSON reader's
/// limit is 128 arrays and objects).
pub const MAX_DEPTH: usize = 256;
const XMLDSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

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
    let mut seen: HashMap<String, String> = HashMap::new();
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
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(|x| err(before, x.to_string()))?;
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|x| err(before, format!("attribute {key}: {x}")))?
                        .into_owned();
                    if stack.is_empty() && key == "version" {
                        let raw: &[u8] = a.value.as_ref();
                        let start = raw.as_ptr() as usize - text.as_ptr() as usize;
                        if start <= text.len() {
                            version_attr = Some((start, raw.len()));
                        }
                    }
                    attrs.push((key, value));
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
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.decode().map_err(|x| err(before, x.to_string()))?;
                        match name.as_ref() {
                            "amp" => "&".into(),
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "apos" => "'".into(),
                            "quot" => "\"".into(),
                            other => {
                                return Err(err(
                                    before,
                                    format!(
                                        "entity &{}; is not defined (aiprov processes no DTD: only the five predefined entities and character references)",
                                        bounded(other, 60)
                                    ),
                                ))
                            }
                        }
                    }
                    Err(x) => return Err(err(before, x.to_string())),
                };
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
                if let Some(enc) = d.encoding() {
                    let enc = enc.map_err(|x| err(before, x.to_string()))?;
                    let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                    if enc != "utf-8" && enc != "utf8" {
                        return Err(err(
                            before,
                            format!(
                                "encoding \"{}\" is not supported (aiprov reads UTF-8 XML)",
                                bounded(&enc, 40)
                            ),
                        ));
                    }
                }
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
    seen: &mut HashMap<String, String>,
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
    seen: &mut HashMap<String, String>,
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
        if let Some(first) = seen.get(r) {
            return Err(Error::DuplicateBomRef {
                path: path.into(),
                bom_ref: bounded(r, ECHO_LIMIT),
                first: first.clone(),
                second: xpath,
            });
        }
        seen.insert(r.clone(), xpath.clone());
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

/// Text edits on the original: replace `start..end` with `text` (an insertion when equal).
#[derive(Default)]
struct Splice {
    ops: Vec<(usize, usize, String)>,
}

impl Splice {
    fn insert(&mut self, at: usize, text: String) {
        self.ops.push((at, at, text));
    }

    fn replace(&mut self, start: usize, end: usize, text: String) {
        self.ops.push((start, end, text));
    }

    fn render(mut self, text: &str) -> String {
        // stable: insertions at one offset keep the order they were made in
        self.ops.sort_by_key(|&(s, e, _)| (s, e));
        let mut out = String::with_capacity(text.len() + 4096);
        let mut cursor = 0;
        for (s, e, new) in self.ops {
            debug_assert!(s >= cursor, "overlapping edits");
            let s = s.max(cursor);
            out.push_str(&text[cursor..s]);
            out.push_str(&new);
            cursor = e.max(s);
        }
        out.push_str(&text[cursor..]);
        out
    }
}

fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn escape_attr(s: &str) -> String {
    escape_text(s)
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

/// Indentation: whether the document breaks lines between elements, its indent unit and its
/// line ending (`\r\n` documents get `\r\n` in what aiprov inserts).
struct Layout {
    pretty: bool,
    unit: String,
    eol: &'static str,
}

impl Layout {
    fn of(text: &str, tree: &Tree) -> Layout {
        let root = &tree.els[tree.root];
        let eol = if text[..root.start_end.max(root.inner_last)].contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let first = root.children.first().map(|&c| &tree.els[c]);
        match first {
            Some(c) => {
                let ws = &text[c.ws_before..c.start];
                match ws.rfind('\n') {
                    Some(i) => Layout {
                        pretty: true,
                        unit: ws[i + 1..].to_string(),
                        eol,
                    },
                    None => Layout {
                        pretty: false,
                        unit: String::new(),
                        eol,
                    },
                }
            }
            None => Layout {
                pretty: true,
                unit: "  ".into(),
                eol,
            },
        }
    }

    /// The separator before a new child of `el`: what precedes its existing first child (a
    /// line break and the children's indentation, or nothing when children are inline); for an
    /// element without children, one indent unit more than `el`'s own.
    fn child_sep(&self, text: &str, tree: &Tree, el: usize) -> String {
        if !self.pretty {
            return String::new();
        }
        if let Some(&c) = tree.els[el].children.first() {
            let ws = &text[tree.els[c].ws_before..tree.els[c].start];
            return match ws.rfind('\n') {
                Some(i) => format!("{}{}", self.eol, &ws[i + 1..]),
                None => String::new(),
            };
        }
        match self.own_sep(text, tree, el) {
            own if !own.is_empty() => format!("{own}{}", self.unit),
            _ if el == tree.root => format!("{}{}", self.eol, self.unit),
            _ => String::new(),
        }
    }

    /// The separator before `el` itself.
    fn own_sep(&self, text: &str, tree: &Tree, el: usize) -> String {
        if !self.pretty {
            return String::new();
        }
        let e = &tree.els[el];
        let ws = &text[e.ws_before..e.start];
        match ws.rfind('\n') {
            Some(i) => format!("{}{}", self.eol, &ws[i + 1..]),
            None if el == tree.root => self.eol.to_string(),
            None => String::new(),
        }
    }

    fn deeper(&self, sep: &str) -> String {
        if self.pretty && !sep.is_empty() {
            format!("{sep}{}", self.unit)
        } else {
            String::new()
        }
    }
}

/// `<{p}name attrs>` + children (each after `child_sep`) + `{sep}</{p}name>`.
fn element(
    p: &str,
    name: &str,
    attrs: &str,
    children: &[String],
    sep: &str,
    child_sep: &str,
) -> String {
    let mut out = format!("<{p}{name}{attrs}>");
    for c in children {
        out.push_str(child_sep);
        out.push_str(c);
    }
    out.push_str(sep);
    out.push_str(&format!("</{p}{name}>"));
    out
}

fn property_xml(p: &str, name: &str, value: &str) -> String {
    format!(
        "<{p}property name=\"{}\">{}</{p}property>",
        escape_attr(name),
        escape_text(value)
    )
}

struct Writer<'a> {
    text: &'a str,
    tree: &'a Tree,
    layout: Layout,
    splice: Splice,
}

impl Writer<'_> {
    fn is_ours(&self, el: usize) -> bool {
        self.tree.els[el].local == "property"
            && self
                .tree
                .attr(el, "name")
                .is_some_and(|n| n.starts_with(cyclonedx::NAMESPACE))
    }

    fn remove(&mut self, el: usize) {
        let e = &self.tree.els[el];
        self.splice.replace(e.ws_before, e.end, String::new());
    }

    /// Insert `new` (an element) as a child of `parent`, before its first child that is
    /// foreign or named in `before`, else at the end.
    fn insert_child(&mut self, parent: usize, before: &[&str], build: impl FnOnce(&str) -> String) {
        let tree = self.tree;
        let anchor = tree.els[parent]
            .children
            .iter()
            .copied()
            .find(|&c| !tree.els[c].cdx || before.contains(&tree.els[c].local.as_str()));
        let sep = self.layout.child_sep(self.text, tree, parent);
        let new = build(&sep);
        let p = &tree.els[parent];
        if p.start_end == p.end {
            // <x/>: becomes <x>…</x>
            let open = self.text[p.start..p.end].trim_end_matches("/>").trim_end();
            let close_sep = self.layout.own_sep(self.text, tree, parent);
            self.splice.replace(
                p.start,
                p.end,
                format!("{open}>{sep}{new}{close_sep}</{}{}>", p.prefix, p.local),
            );
            return;
        }
        match anchor {
            Some(a) => {
                let a = &tree.els[a];
                let ws = self.text[a.ws_before..a.start].to_string();
                let ws = if ws.is_empty() { sep } else { ws };
                self.splice.insert(a.start, format!("{new}{ws}"));
            }
            None => self.splice.insert(p.inner_last, format!("{sep}{new}")),
        }
    }

    /// Replace aiprov's properties in `owner` (a component or `metadata`) with `props`.
    fn set_properties(&mut self, owner: usize, props: &[(String, String)], before: &[&str]) {
        let tree = self.tree;
        let props: Vec<&(String, String)> = props
            .iter()
            .filter(|(n, _)| n.starts_with(cyclonedx::NAMESPACE))
            .collect();
        let pfx = tree.els[owner].prefix.clone();
        match tree.child(owner, "properties") {
            Some(list) => {
                let children: Vec<usize> = tree.els[list].children.clone();
                let ours: Vec<usize> = children
                    .iter()
                    .copied()
                    .filter(|&c| self.is_ours(c))
                    .collect();
                let kept: Vec<usize> = children
                    .iter()
                    .copied()
                    .filter(|&c| !self.is_ours(c))
                    .collect();
                if kept.is_empty() && props.is_empty() && !ours.is_empty() {
                    self.remove(list);
                    return;
                }
                for &c in &ours {
                    self.remove(c);
                }
                if props.is_empty() {
                    return;
                }
                let sep = self.layout.child_sep(self.text, tree, list);
                let lp = tree.els[list].prefix.clone();
                let new: String = props
                    .iter()
                    .map(|(n, v)| format!("{sep}{}", property_xml(&lp, n, v)))
                    .collect();
                let l = &tree.els[list];
                if l.start_end == l.end {
                    let own = self.layout.own_sep(self.text, tree, list);
                    self.splice.replace(
                        l.start,
                        l.end,
                        format!("<{lp}properties>{new}{own}</{lp}properties>"),
                    );
                } else {
                    let at = kept.last().map_or(l.start_end, |&k| tree.els[k].end);
                    self.splice.insert(at, new);
                }
            }
            None if props.is_empty() => {}
            None => {
                let unit = self.layout.unit.clone();
                self.insert_child(owner, before, |sep| {
                    let inner = if sep.is_empty() {
                        String::new()
                    } else {
                        format!("{sep}{unit}")
                    };
                    let items: Vec<String> = props
                        .iter()
                        .map(|(n, v)| property_xml(&pfx, n, v))
                        .collect();
                    element(&pfx, "properties", "", &items, sep, &inner)
                });
            }
        }
    }
}

fn tool_name_is_ours(tree: &Tree, el: usize) -> bool {
    tree.child_text(el, "name").as_deref().map(str::trim) == Some(cyclonedx::TOOL_NAME)
}

/// Enrich a copy of `doc` and serialize it (see the module docs).
pub fn write(doc: &Document, edits: &Edits, opts: &WriteOptions) -> Written {
    let mut warnings = foreign_property_warnings(edits);
    let tree = &doc.tree;
    let text = doc.text.as_str();
    let has_properties = doc.spec_version >= (1, 3);
    if !has_properties && (!edits.components.is_empty() || !edits.summary.is_empty()) {
        warnings.push(format!(
            "CycloneDX {}.{} has no \"properties\": per-component and summary results are not written \
             into the document (see the evidence file and summary report)",
            doc.spec_version.0, doc.spec_version.1
        ));
    }
    let mut w = Writer {
        text,
        tree,
        layout: Layout::of(text, tree),
        splice: Splice::default(),
    };
    if has_properties {
        for (locator, props) in &edits.components {
            match doc.locators.get(locator) {
                Some(&el) => w.set_properties(el, props, COMPONENT_AFTER_PROPERTIES),
                None => warnings.push(format!(
                    "no component at {}; its properties were not written",
                    bounded(locator, ECHO_LIMIT)
                )),
            }
        }
    }
    let root = tree.root;
    let pfx = tree.els[root].prefix.clone();
    let timestamp = utc_seconds(opts.timestamp);
    let modern = doc.spec_version >= (1, 5);
    let (pretty, unit) = (w.layout.pretty, w.layout.unit.clone());
    let deeper = move |sep: &str| {
        if pretty && !sep.is_empty() {
            format!("{sep}{unit}")
        } else {
            String::new()
        }
    };
    let tool_component = |sep: &str, bom_ref: Option<&str>| {
        let inner = deeper(sep);
        let attrs = match bom_ref {
            Some(r) => format!(" type=\"application\" bom-ref=\"{}\"", escape_attr(r)),
            None => " type=\"application\"".to_string(),
        };
        element(
            &pfx,
            "component",
            &attrs,
            &[
                format!("<{pfx}name>{}</{pfx}name>", cyclonedx::TOOL_NAME),
                format!(
                    "<{pfx}version>{}</{pfx}version>",
                    escape_text(&opts.tool_version)
                ),
            ],
            sep,
            &inner,
        )
    };
    let legacy_tool = |sep: &str| {
        let inner = deeper(sep);
        element(
            &pfx,
            "tool",
            "",
            &[
                format!("<{pfx}name>{}</{pfx}name>", cyclonedx::TOOL_NAME),
                format!(
                    "<{pfx}version>{}</{pfx}version>",
                    escape_text(&opts.tool_version)
                ),
            ],
            sep,
            &inner,
        )
    };
    match tree.child(root, "metadata") {
        Some(m) => {
            // timestamp
            match tree.child(m, "timestamp") {
                Some(t) if tree.els[t].start_end != tree.els[t].end => {
                    let t = &tree.els[t];
                    w.splice
                        .replace(t.start_end, t.end_start, timestamp.clone());
                }
                Some(t) => {
                    let t = &tree.els[t];
                    let p = &t.prefix;
                    w.splice.replace(
                        t.start,
                        t.end,
                        format!("<{p}timestamp>{timestamp}</{p}timestamp>"),
                    );
                }
                None => {
                    let sep = w.layout.child_sep(text, tree, m);
                    let mp = tree.els[m].prefix.clone();
                    let new = format!("<{mp}timestamp>{timestamp}</{mp}timestamp>");
                    match tree.els[m].children.first() {
                        Some(&c) => {
                            let c = &tree.els[c];
                            let ws = text[c.ws_before..c.start].to_string();
                            w.splice.insert(
                                c.start,
                                format!("{new}{}", if ws.is_empty() { sep } else { ws }),
                            );
                        }
                        None => w.insert_child(m, &[], |_| new),
                    }
                }
            }
            // tools
            match tree.child(m, "tools") {
                Some(t) => {
                    let legacy_entries: Vec<usize> = tree.children(t, "tool").collect();
                    match tree.child(t, "components") {
                        Some(c) => {
                            let ours: Vec<usize> = tree
                                .children(c, "component")
                                .filter(|&x| tool_name_is_ours(tree, x))
                                .collect();
                            match ours.first() {
                                Some(&first) => {
                                    let sep = w.layout.own_sep(text, tree, first);
                                    let r = tree.attr(first, "bom-ref").map(str::to_string);
                                    let new = tool_component(&sep, r.as_deref());
                                    let e = &tree.els[first];
                                    w.splice.replace(e.start, e.end, new);
                                    for &x in &ours[1..] {
                                        w.remove(x);
                                    }
                                }
                                None => w.insert_child(c, &[], |sep| tool_component(sep, None)),
                            }
                        }
                        None if !legacy_entries.is_empty() || !modern => {
                            let ours: Vec<usize> = legacy_entries
                                .iter()
                                .copied()
                                .filter(|&x| tool_name_is_ours(tree, x))
                                .collect();
                            match ours.first() {
                                Some(&first) => {
                                    let sep = w.layout.own_sep(text, tree, first);
                                    let e = &tree.els[first];
                                    w.splice.replace(e.start, e.end, legacy_tool(&sep));
                                    for &x in &ours[1..] {
                                        w.remove(x);
                                    }
                                }
                                None => w.insert_child(t, &[], legacy_tool),
                            }
                        }
                        None => {
                            let tp = tree.els[t].prefix.clone();
                            let build = |sep: &str| {
                                let inner = deeper(sep);
                                element(
                                    &tp,
                                    "components",
                                    "",
                                    &[tool_component(&inner, None)],
                                    sep,
                                    &inner,
                                )
                            };
                            let sep = w.layout.child_sep(text, tree, t);
                            let new = build(&sep);
                            w.insert_child(t, &["services"], |_| new);
                        }
                    }
                }
                None => {
                    let sep = w.layout.child_sep(text, tree, m);
                    let inner = w.layout.deeper(&sep);
                    let new = if modern {
                        let inner2 = w.layout.deeper(&inner);
                        let comps = element(
                            &pfx,
                            "components",
                            "",
                            &[tool_component(&inner2, None)],
                            &inner,
                            &inner2,
                        );
                        element(&pfx, "tools", "", &[comps], &sep, &inner)
                    } else {
                        element(&pfx, "tools", "", &[legacy_tool(&inner)], &sep, &inner)
                    };
                    w.insert_child(m, METADATA_AFTER_TOOLS, |_| new);
                }
            }
            if has_properties {
                w.set_properties(m, &edits.summary, METADATA_AFTER_PROPERTIES);
            }
        }
        None => {
            let sep = w.layout.child_sep(text, tree, root);
            let inner = w.layout.deeper(&sep);
            let inner2 = w.layout.deeper(&inner);
            let mut children = vec![format!("<{pfx}timestamp>{timestamp}</{pfx}timestamp>")];
            children.push(if modern {
                let inner3 = w.layout.deeper(&inner2);
                let comps = element(
                    &pfx,
                    "components",
                    "",
                    &[tool_component(&inner3, None)],
                    &inner2,
                    &inner3,
                );
                element(&pfx, "tools", "", &[comps], &inner, &inner2)
            } else {
                element(&pfx, "tools", "", &[legacy_tool(&inner2)], &inner, &inner2)
            });
            let summary: Vec<String> = edits
                .summary
                .iter()
                .filter(|(n, _)| n.starts_with(cyclonedx::NAMESPACE))
                .map(|(n, v)| property_xml(&pfx, n, v))
                .collect();
            if has_properties && !summary.is_empty() {
                children.push(element(&pfx, "properties", "", &summary, &inner, &inner2));
            }
            let new = element(&pfx, "metadata", "", &children, &sep, &inner);
            // metadata is the first child of bom
            let r = &tree.els[root];
            match r.children.first() {
                Some(&c) if r.start_end != r.end => {
                    let c = &tree.els[c];
                    let ws = text[c.ws_before..c.start].to_string();
                    w.splice.insert(
                        c.start,
                        format!("{new}{}", if ws.is_empty() { sep } else { ws }),
                    );
                }
                _ => w.insert_child(root, &[], |_| new),
            }
        }
    }
    // version
    let version = tree.attr(root, "version");
    match (version, tree.version_attr) {
        (Some(v), Some((at, len))) => match v.trim().parse::<u64>() {
            Ok(n) => w
                .splice
                .replace(at, at + len, n.saturating_add(1).to_string()),
            Err(_) => warnings.push(format!(
                "\"version\" is not a positive integer (\"{}\"); left unchanged",
                bounded(v, 40)
            )),
        },
        _ => {
            let r = &tree.els[root];
            let tag = &text[r.start..r.start_end];
            let at = r.start_end - if tag.ends_with("/>") { 2 } else { 1 };
            w.splice.insert(at, " version=\"2\"".into());
        }
    }
    // signature
    for &c in &tree.els[root].children {
        if tree.els[c].local == "Signature" && tree.els[c].ns == XMLDSIG_NS {
            if opts.strip_signature {
                w.remove(c);
            } else {
                warnings.push("the document's signature no longer matches its content".into());
            }
        }
    }
    let mut out = w.splice.render(text);
    if doc.bom_mark {
        out.insert(0, '\u{feff}');
    }
    Written {
        bytes: out.into_bytes(),
        warnings,
    }
}

/// The aiprov properties in the document (see [`super::Document::aiprov_properties`]).
pub fn aiprov_properties(doc: &Document) -> Edits {
    let tree = &doc.tree;
    let ours = |owner: usize| -> Vec<(String, String)> {
        tree.child(owner, "properties")
            .map(|list| {
                tree.children(list, "property")
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

/// Remove aiprov's properties (and `<properties>` elements left empty by that) and its tool
/// entry (and the `<components>` / `<tools>` it leaves empty) from a CycloneDX XML document;
/// `version` and the timestamp stay. For fidelity tests.
pub fn strip_aiprov(path_label: &str, bytes: &[u8]) -> Result<String, Error> {
    let doc = read_with(
        path_label,
        bytes,
        &ReadOptions {
            strip_signature: true,
        },
    )?;
    let tree = &doc.tree;
    let mut w = Writer {
        text: &doc.text,
        tree,
        layout: Layout::of(&doc.text, tree),
        splice: Splice::default(),
    };
    for (i, el) in tree.els.iter().enumerate() {
        if el.cdx && el.local == "properties" {
            let ours: Vec<usize> = el
                .children
                .iter()
                .copied()
                .filter(|&c| w.is_ours(c))
                .collect();
            if ours.is_empty() {
                continue;
            }
            if ours.len() == el.children.len() {
                w.remove(i);
            } else {
                for c in ours {
                    w.remove(c);
                }
            }
        }
    }
    if let Some(t) = tree
        .child(tree.root, "metadata")
        .and_then(|m| tree.child(m, "tools"))
    {
        let legacy: Vec<usize> = tree.children(t, "tool").collect();
        let ours_legacy: Vec<usize> = legacy
            .iter()
            .copied()
            .filter(|&x| tool_name_is_ours(tree, x))
            .collect();
        let comps = tree.child(t, "components");
        let ours_comp: Vec<usize> = comps
            .map(|c| {
                tree.children(c, "component")
                    .filter(|&x| tool_name_is_ours(tree, x))
                    .collect()
            })
            .unwrap_or_default();
        let comps_emptied = comps.is_some_and(|c| {
            !ours_comp.is_empty() && tree.els[c].children.len() == ours_comp.len()
        });
        let remaining = tree.els[t].children.len() - ours_legacy.len() - usize::from(comps_emptied);
        if remaining == 0 && (!ours_legacy.is_empty() || comps_emptied) {
            w.remove(t);
        } else {
            for x in ours_legacy {
                w.remove(x);
            }
            if comps_emptied {
                w.remove(comps.expect("emptied components exist"));
            } else {
                for x in ours_comp {
                    w.remove(x);
                }
            }
        }
    }
    let mut out = w.splice.render(&doc.text);
    if doc.bom_mark {
        out.insert(0, '\u{feff}');
    }
    Ok(out)
}

/// The document in the shape of CycloneDX JSON, for readers that look at fields aiprov does not
/// edit (the minimum-elements check): root `version` and `serialNumber`, `metadata` (timestamp,
/// authors, manufacturer, lifecycles, tools in both forms, component, properties), every
/// component with its identifiers, suppliers, hashes, licenses (also under `evidence`),
/// external references and properties, `dependencies` (`ref` + `dependsOn`), `compositions`
/// (`aggregate`, `dependencies`), `externalReferences`, and an empty `signature` object when the
/// root carries an enveloped XML signature. Elements outside the CycloneDX namespace are left out.
pub fn json_view(doc: &Document) -> serde_json::Value {
    use serde_json::{Map, Value};
    let t = &doc.tree;
    let root = t.root;
    let mut out = Map::new();
    out.insert("bomFormat".into(), Value::from("CycloneDX"));
    out.insert(
        "specVersion".into(),
        Value::from(format!("{}.{}", doc.spec_version.0, doc.spec_version.1)),
    );
    if let Some(v) = t.attr(root, "version") {
        let v = v.trim();
        out.insert(
            "version".into(),
            v.parse::<u64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(v)),
        );
    }
    if let Some(s) = t.attr(root, "serialNumber") {
        out.insert("serialNumber".into(), Value::from(s));
    }
    if doc.signed {
        out.insert("signature".into(), Value::Object(Map::new()));
    }
    for &c in &t.els[root].children {
        if !t.els[c].cdx {
            continue;
        }
        let local = t.els[c].local.as_str();
        let v = match local {
            "metadata" => view_object(t, c),
            "components" => view_list(t, c),
            "externalReferences" => view_list(t, c),
            "dependencies" => Value::Array(
                t.children(c, "dependency")
                    .map(|d| {
                        let on: Vec<Value> = t
                            .children(d, "dependency")
                            .filter_map(|x| t.attr(x, "ref").map(Value::from))
                            .collect();
                        let mut m = Map::new();
                        if let Some(r) = t.attr(d, "ref") {
                            m.insert("ref".into(), Value::from(r));
                        }
                        m.insert("dependsOn".into(), Value::Array(on));
                        Value::Object(m)
                    })
                    .collect(),
            ),
            "compositions" => Value::Array(
                t.children(c, "composition")
                    .map(|k| {
                        let mut m = Map::new();
                        if let Some(a) = t.child_text(k, "aggregate") {
                            m.insert("aggregate".into(), Value::from(a.trim()));
                        }
                        for (list, item) in
                            [("assemblies", "assembly"), ("dependencies", "dependency")]
                        {
                            if let Some(l) = t.child(k, list) {
                                let refs: Vec<Value> = t
                                    .children(l, item)
                                    .filter_map(|x| t.attr(x, "ref").map(Value::from))
                                    .collect();
                                m.insert(list.into(), Value::Array(refs));
                            }
                        }
                        Value::Object(m)
                    })
                    .collect(),
            ),
            _ => continue,
        };
        out.insert(local.to_string(), v);
    }
    Value::Object(out)
}

/// Lists whose items are child elements (`<hashes><hash/>…</hashes>` → `[…]`).
const VIEW_LISTS: &[&str] = &[
    "components",
    "services",
    "authors",
    "hashes",
    "properties",
    "externalReferences",
    "lifecycles",
    "licenses",
];

/// Elements that repeat directly in their parent (`<omniborId>` → `"omniborId": […]`).
const VIEW_REPEATED: &[&str] = &["omniborId", "swhid"];

fn view_list(t: &Tree, el: usize) -> serde_json::Value {
    use serde_json::{Map, Value};
    let list = t.els[el].children.iter().copied().filter(|&c| t.els[c].cdx);
    Value::Array(
        list.map(|c| match t.els[c].local.as_str() {
            // `<licenses><license>…</license><expression>…</expression></licenses>`
            "license" if t.els[el].local == "licenses" => {
                let mut m = Map::new();
                m.insert("license".into(), view_object(t, c));
                Value::Object(m)
            }
            "expression" => {
                let mut m = Map::new();
                m.insert("expression".into(), Value::from(t.els[c].text.trim()));
                Value::Object(m)
            }
            _ => view_object(t, c),
        })
        .collect(),
    )
}

fn view_object(t: &Tree, el: usize) -> serde_json::Value {
    use serde_json::{Map, Value};
    let e = &t.els[el];
    let mut m = Map::new();
    for (k, v) in &e.attrs {
        if !k.contains(':') && k != "xmlns" {
            m.insert(k.clone(), Value::from(v.as_str()));
        }
    }
    let kids: Vec<usize> = e
        .children
        .iter()
        .copied()
        .filter(|&c| t.els[c].cdx)
        .collect();
    if kids.is_empty() && m.is_empty() {
        return Value::from(e.text.trim());
    }
    // The element's own text: a hash's `content`, a property's `value`.
    let own = e.text.trim();
    if !own.is_empty() {
        let key = match e.local.as_str() {
            "hash" => "content",
            _ => "value",
        };
        m.insert(key.into(), Value::from(own));
    }
    for c in kids {
        let local = t.els[c].local.clone();
        if e.local == "tools" && local == "tool" {
            // legacy tools: the list itself is `metadata.tools`
            continue;
        }
        let v = if VIEW_LISTS.contains(&local.as_str()) {
            view_list(t, c)
        } else if VIEW_REPEATED.contains(&local.as_str()) {
            let mut list = match m.remove(&local) {
                Some(Value::Array(a)) => a,
                _ => Vec::new(),
            };
            list.push(Value::from(t.els[c].text.trim()));
            Value::Array(list)
        } else if local == "tools" && t.child(c, "tool").is_some() {
            view_list(t, c)
        } else {
            view_object(t, c)
        };
        m.insert(local, v);
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests;
