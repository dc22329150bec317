//! Writing CycloneDX XML by splicing text into the original at the offsets the reader recorded
//! (see the module documentation of [`super`]), and removing what aiprov added.

use super::{
    properties_list, read_with, Document, Tree, COMPONENT_AFTER_PROPERTIES,
    METADATA_AFTER_PROPERTIES, METADATA_AFTER_TOOLS, PROPERTIES_NS, XMLDSIG_NS,
};
use crate::sbom::{
    bounded, cyclonedx, foreign_property_warnings, utc_seconds, Edits, Error, ReadOptions,
    WriteOptions, Written, ECHO_LIMIT,
};

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
    /// New `<properties>` go in [`PROPERTIES_NS`] after the CycloneDX children (spec 1.2).
    foreign_properties: bool,
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
        match properties_list(tree, owner) {
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
            None if self.foreign_properties => {
                let unit = self.layout.unit.clone();
                // `##other` comes last in 1.2's sequences: after every CycloneDX child
                self.insert_child(owner, &[], |sep| {
                    let inner = if sep.is_empty() {
                        String::new()
                    } else {
                        format!("{sep}{unit}")
                    };
                    let items: Vec<String> =
                        props.iter().map(|(n, v)| property_xml("", n, v)).collect();
                    let attrs = format!(" xmlns=\"{PROPERTIES_NS}\"");
                    element("", "properties", &attrs, &items, sep, &inner)
                });
            }
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
    let foreign_properties = doc.spec_version < (1, 3);
    let mut w = Writer {
        text,
        tree,
        layout: Layout::of(text, tree),
        splice: Splice::default(),
        foreign_properties,
    };
    for (locator, props) in &edits.components {
        match doc.locators.get(locator) {
            Some(&el) => w.set_properties(el, props, COMPONENT_AFTER_PROPERTIES),
            None => warnings.push(format!(
                "no component at {}; its properties were not written",
                bounded(locator, ECHO_LIMIT)
            )),
        }
    }
    let root = tree.root;
    let timestamp = utc_seconds(opts.timestamp);
    let tool = Tool {
        pfx: tree.els[root].prefix.clone(),
        version: &opts.tool_version,
        pretty: w.layout.pretty,
        unit: w.layout.unit.clone(),
        modern: doc.spec_version >= (1, 5),
    };
    match tree.child(root, "metadata") {
        Some(m) => {
            w.set_timestamp(m, &timestamp);
            w.set_tool(m, &tool);
            w.set_properties(m, &edits.summary, METADATA_AFTER_PROPERTIES);
        }
        None => w.add_metadata(&tool, &timestamp, &edits.summary),
    }
    w.bump_version(&mut warnings);
    w.signature(opts.strip_signature, &mut warnings);
    let mut out = w.splice.render(text);
    if doc.bom_mark {
        out.insert(0, '\u{feff}');
    }
    Written {
        bytes: out.into_bytes(),
        warnings,
    }
}

/// aiprov's own entry in `metadata/tools`, in the root's namespace prefix and the document's
/// indentation: a `<component type="application">` on 1.5+ (`modern`), else a legacy `<tool>`.
struct Tool<'a> {
    pfx: String,
    version: &'a str,
    pretty: bool,
    unit: String,
    modern: bool,
}

impl Tool<'_> {
    /// The separator one level below `sep` (empty in a document without line breaks).
    fn deeper(&self, sep: &str) -> String {
        if self.pretty && !sep.is_empty() {
            format!("{sep}{}", self.unit)
        } else {
            String::new()
        }
    }

    fn component(&self, sep: &str, bom_ref: Option<&str>) -> String {
        let pfx = &self.pfx;
        let inner = self.deeper(sep);
        let attrs = match bom_ref {
            Some(r) => format!(" type=\"application\" bom-ref=\"{}\"", escape_attr(r)),
            None => " type=\"application\"".to_string(),
        };
        element(
            pfx,
            "component",
            &attrs,
            &[
                format!("<{pfx}name>{}</{pfx}name>", cyclonedx::TOOL_NAME),
                format!("<{pfx}version>{}</{pfx}version>", escape_text(self.version)),
            ],
            sep,
            &inner,
        )
    }

    fn legacy(&self, sep: &str) -> String {
        let pfx = &self.pfx;
        let inner = self.deeper(sep);
        element(
            pfx,
            "tool",
            "",
            &[
                format!("<{pfx}name>{}</{pfx}name>", cyclonedx::TOOL_NAME),
                format!("<{pfx}version>{}</{pfx}version>", escape_text(self.version)),
            ],
            sep,
            &inner,
        )
    }
}

impl Writer<'_> {
    /// Set `metadata/timestamp` (filled in, replaced when empty, or added first).
    fn set_timestamp(&mut self, m: usize, timestamp: &str) {
        let (text, tree) = (self.text, self.tree);
        match tree.child(m, "timestamp") {
            Some(t) if tree.els[t].start_end != tree.els[t].end => {
                let t = &tree.els[t];
                self.splice
                    .replace(t.start_end, t.end_start, timestamp.to_string());
            }
            Some(t) => {
                let t = &tree.els[t];
                let p = &t.prefix;
                self.splice.replace(
                    t.start,
                    t.end,
                    format!("<{p}timestamp>{timestamp}</{p}timestamp>"),
                );
            }
            None => {
                let sep = self.layout.child_sep(text, tree, m);
                let mp = tree.els[m].prefix.clone();
                let new = format!("<{mp}timestamp>{timestamp}</{mp}timestamp>");
                match tree.els[m].children.first() {
                    Some(&c) => {
                        let c = &tree.els[c];
                        let ws = text[c.ws_before..c.start].to_string();
                        self.splice.insert(
                            c.start,
                            format!("{new}{}", if ws.is_empty() { sep } else { ws }),
                        );
                    }
                    None => self.insert_child(m, &[], |_| new),
                }
            }
        }
    }

    /// Put aiprov's entry into `metadata/tools` (replacing an earlier one, removing repeats),
    /// in the form the document already uses.
    fn set_tool(&mut self, m: usize, tool: &Tool) {
        let (text, tree) = (self.text, self.tree);
        let Some(t) = tree.child(m, "tools") else {
            let sep = self.layout.child_sep(text, tree, m);
            let inner = self.layout.deeper(&sep);
            let pfx = &tool.pfx;
            let new = if tool.modern {
                let inner2 = self.layout.deeper(&inner);
                let comps = element(
                    pfx,
                    "components",
                    "",
                    &[tool.component(&inner2, None)],
                    &inner,
                    &inner2,
                );
                element(pfx, "tools", "", &[comps], &sep, &inner)
            } else {
                element(pfx, "tools", "", &[tool.legacy(&inner)], &sep, &inner)
            };
            self.insert_child(m, METADATA_AFTER_TOOLS, |_| new);
            return;
        };
        let legacy_entries: Vec<usize> = tree.children(t, "tool").collect();
        match tree.child(t, "components") {
            Some(c) => {
                let ours: Vec<usize> = tree
                    .children(c, "component")
                    .filter(|&x| tool_name_is_ours(tree, x))
                    .collect();
                match ours.first() {
                    Some(&first) => {
                        let sep = self.layout.own_sep(text, tree, first);
                        let r = tree.attr(first, "bom-ref").map(str::to_string);
                        let new = tool.component(&sep, r.as_deref());
                        let e = &tree.els[first];
                        self.splice.replace(e.start, e.end, new);
                        for &x in &ours[1..] {
                            self.remove(x);
                        }
                    }
                    None => self.insert_child(c, &[], |sep| tool.component(sep, None)),
                }
            }
            None if !legacy_entries.is_empty() || !tool.modern => {
                let ours: Vec<usize> = legacy_entries
                    .iter()
                    .copied()
                    .filter(|&x| tool_name_is_ours(tree, x))
                    .collect();
                match ours.first() {
                    Some(&first) => {
                        let sep = self.layout.own_sep(text, tree, first);
                        let e = &tree.els[first];
                        self.splice.replace(e.start, e.end, tool.legacy(&sep));
                        for &x in &ours[1..] {
                            self.remove(x);
                        }
                    }
                    None => self.insert_child(t, &[], |sep| tool.legacy(sep)),
                }
            }
            None => {
                let tp = tree.els[t].prefix.clone();
                let build = |sep: &str| {
                    let inner = tool.deeper(sep);
                    element(
                        &tp,
                        "components",
                        "",
                        &[tool.component(&inner, None)],
                        sep,
                        &inner,
                    )
                };
                let sep = self.layout.child_sep(text, tree, t);
                let new = build(&sep);
                self.insert_child(t, &["services"], |_| new);
            }
        }
    }

    /// A new `<metadata>` as the root's first child: the timestamp, aiprov's tool entry and the
    /// `aiprov:` entries of `summary` (empty when the spec has no properties).
    fn add_metadata(&mut self, tool: &Tool, timestamp: &str, summary: &[(String, String)]) {
        let (text, tree) = (self.text, self.tree);
        let root = tree.root;
        let pfx = &tool.pfx;
        let sep = self.layout.child_sep(text, tree, root);
        let inner = self.layout.deeper(&sep);
        let inner2 = self.layout.deeper(&inner);
        let mut children = vec![format!("<{pfx}timestamp>{timestamp}</{pfx}timestamp>")];
        children.push(if tool.modern {
            let inner3 = self.layout.deeper(&inner2);
            let comps = element(
                pfx,
                "components",
                "",
                &[tool.component(&inner3, None)],
                &inner2,
                &inner3,
            );
            element(pfx, "tools", "", &[comps], &inner, &inner2)
        } else {
            element(pfx, "tools", "", &[tool.legacy(&inner2)], &inner, &inner2)
        });
        let (list_pfx, attrs) = if self.foreign_properties {
            ("", format!(" xmlns=\"{PROPERTIES_NS}\""))
        } else {
            (pfx.as_str(), String::new())
        };
        let summary: Vec<String> = summary
            .iter()
            .filter(|(n, _)| n.starts_with(cyclonedx::NAMESPACE))
            .map(|(n, v)| property_xml(list_pfx, n, v))
            .collect();
        if !summary.is_empty() {
            children.push(element(
                list_pfx,
                "properties",
                &attrs,
                &summary,
                &inner,
                &inner2,
            ));
        }
        let new = element(pfx, "metadata", "", &children, &sep, &inner);
        // metadata is the first child of bom
        let r = &tree.els[root];
        match r.children.first() {
            Some(&c) if r.start_end != r.end => {
                let c = &tree.els[c];
                let ws = text[c.ws_before..c.start].to_string();
                self.splice.insert(
                    c.start,
                    format!("{new}{}", if ws.is_empty() { sep } else { ws }),
                );
            }
            _ => self.insert_child(root, &[], |_| new),
        }
    }

    /// The root's `version` attribute + 1, or `version="2"` when it has none.
    fn bump_version(&mut self, warnings: &mut Vec<String>) {
        let (text, tree) = (self.text, self.tree);
        let root = tree.root;
        let version = tree.attr(root, "version");
        match (version, tree.version_attr) {
            (Some(v), Some((at, len))) => match v.trim().parse::<u64>() {
                Ok(n) => self
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
                self.splice.insert(at, " version=\"2\"".into());
            }
        }
    }

    /// An enveloped XML signature: removed when `strip`, else a warning that it broke.
    fn signature(&mut self, strip: bool, warnings: &mut Vec<String>) {
        let tree = self.tree;
        for &c in &tree.els[tree.root].children {
            if tree.els[c].local == "Signature" && tree.els[c].ns == XMLDSIG_NS {
                if strip {
                    self.remove(c);
                } else {
                    warnings.push("the document's signature no longer matches its content".into());
                }
            }
        }
    }
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
        foreign_properties: false,
    };
    for (i, el) in tree.els.iter().enumerate() {
        if (el.cdx || el.ns == PROPERTIES_NS) && el.local == "properties" {
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

/// The document upgraded to CycloneDX 1.`to` XML (`doc`'s version < `to` <= 6), by splicing
/// like the writer, re-read.
///
/// What changes (docs/decisions.md, "CycloneDX upgrades"): the CycloneDX namespace URI
/// `http://cyclonedx.org/schema/bom/1.N` in every start tag that declares it (and in
/// `xsi:schemaLocation`, with `bom-1.N.xsd`); from a 1.2 document, aiprov's own
/// [`PROPERTIES_NS`] results are removed (the enrichment that follows writes them as standard
/// 1.3+ `<properties>`). The XML forms of the elements 1.3–1.6 rename or deprecate are the same
/// (1.6's several `<identity>` elements include 1.5's one), so nothing else moves. Errors only
/// if the result does not read back (it always should).
pub fn upgrade(doc: &Document, to: u32) -> Result<Document, Error> {
    let (text, tree) = (doc.text.as_str(), &doc.tree);
    let from = doc.spec_version.1;
    let mut w = Writer {
        text,
        tree,
        layout: Layout::of(text, tree),
        splice: Splice::default(),
        foreign_properties: false,
    };
    let old_ns = format!("http://cyclonedx.org/schema/bom/1.{from}");
    let new_ns = format!("http://cyclonedx.org/schema/bom/1.{to}");
    let old_xsd = format!("bom-1.{from}.xsd");
    let new_xsd = format!("bom-1.{to}.xsd");
    let bounded_by = |s: &str, at: usize, len: usize| {
        let before = s[..at].chars().next_back();
        let after = s[at + len..].chars().next();
        let edge = |c: Option<char>| c.is_some_and(|c| c == '"' || c == '\'' || c.is_whitespace());
        edge(before) && edge(after)
    };
    for (i, el) in tree.els.iter().enumerate() {
        if el.ns == PROPERTIES_NS && el.local == "properties" && to >= 3 {
            w.remove(i);
            continue;
        }
        let tag = &text[el.start..el.start_end];
        for (needle, replacement) in [(&old_ns, &new_ns), (&old_xsd, &new_xsd)] {
            for (at, _) in tag.match_indices(needle.as_str()) {
                let edge_ok = if needle == &old_xsd {
                    // a file name at the end of a location: `…/bom-1.2.xsd"`
                    tag[at + needle.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c == '"' || c == '\'' || c.is_whitespace())
                } else {
                    bounded_by(tag, at, needle.len())
                };
                if edge_ok {
                    w.splice.replace(
                        el.start + at,
                        el.start + at + needle.len(),
                        replacement.clone(),
                    );
                }
            }
        }
    }
    let mut out = w.splice.render(text);
    if doc.bom_mark {
        out.insert(0, '\u{feff}');
    }
    read_with(
        "the upgraded document",
        out.as_bytes(),
        &ReadOptions {
            strip_signature: doc.signed,
        },
    )
}
