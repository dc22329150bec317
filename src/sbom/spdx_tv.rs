//! SPDX 2.2 / 2.3 tag-value: read packages into an [`Inventory`], write by inserting lines.
//!
//! The document is kept as its lines. The writer adds, in tag-value syntax, what the JSON writer
//! adds (see [`super::spdx_json`]): per enriched package an annotation
//!
//! ```text
//! Annotator: Tool: aiprov-0.1.0
//! AnnotationDate: 2026-09-01T12:00:00Z
//! AnnotationType: OTHER
//! SPDXREF: SPDXRef-Package-x
//! AnnotationComment: <text>aiprov:status=analyzed
//! aiprov:commits:total=3</text>
//! ```
//!
//! placed after the package's last field (before the next package, file, snippet or licence
//! section); the summary annotation (on the document's SPDXID), the `ExternalDocumentRef:
//! DocumentRef-aiprov-original <namespace> SHA1: <hex>` line and the `Relationship: SPDXRef-DOCUMENT
//! AMENDS DocumentRef-aiprov-original:SPDXRef-DOCUMENT` line in the document header; a `Creator:
//! Tool: aiprov-<version>` line after the last `Creator:`. The two fields aiprov owns are
//! replaced where they stand: `Created:` (the run time) and `DocumentNamespace:` (the new
//! namespace). Every other line is kept byte for byte, in order, with its own line ending; new
//! lines use the document's line ending. Re-enriching removes aiprov's previous lines first.
//!
//! A `</text>` inside a property value would end the comment early, so it is written as
//! `<\/text>`.

pub mod describe;

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{
    bounded, foreign_property_warnings, is_spdx_tool, properties_comment, spdx_tool, utc_seconds,
    utf8, Edits, Error, WriteOptions, Written, ECHO_LIMIT,
};
use crate::inventory::{Component, Hash, Inventory, Relationship};

use super::spdx_json::{new_namespace, ref_fields, sha1_hex, ORIGINAL_REF};

/// An SPDX 2 tag-value document as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document as read (UTF-8, byte order mark included when there was one).
    pub text: String,
    /// `SPDXVersion` minor: 2 or 3.
    pub minor: u32,
    /// Every package, in document order (locator = SPDXID), and the relationships.
    pub inventory: Inventory,
    /// SHA1 (lower-case hex) of the bytes as read.
    pub sha1: String,
    parsed: Parsed,
}

/// One `Tag: value` entry; a `<text>` value may span lines.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    tag: String,
    value: String,
    /// 0-based index of the first and last line the entry occupies.
    first: usize,
    last: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Parsed {
    /// Byte range of each line in `text`, its line ending included.
    lines: Vec<(usize, usize)>,
    entries: Vec<Entry>,
    /// Index (into `entries`) of each package's `PackageName` entry and its SPDXID.
    packages: Vec<(usize, String)>,
    /// Index of the first entry that starts a package, file, snippet or licence section.
    first_section: Option<usize>,
    doc_id: String,
}

const SECTION_TAGS: &[&str] = &["PackageName", "FileName", "SnippetSPDXID", "LicenseID"];
const ANNOTATION_TAGS: &[&str] = &[
    "AnnotationDate",
    "AnnotationType",
    "SPDXREF",
    "AnnotationComment",
];

/// Read an SPDX 2.2 / 2.3 tag-value document.
pub fn read(path_label: &str, bytes: &[u8]) -> Result<Document, Error> {
    let path = super::path_label(path_label);
    let minor = match super::detect::sniff(&path, bytes)? {
        super::detect::Sniffed::SpdxTagValue(minor) => minor,
        other => {
            return Err(Error::UnsupportedFormat {
                path,
                found: format!(
                    "{} (expected SPDX 2 tag-value)",
                    super::spdx_json::sniffed_name(&other)
                ),
            })
        }
    };
    let text = utf8(&path, bytes)?.to_string();
    let parsed = parse(&path, &text)?;
    let inventory = inventory(&path, &parsed)?;
    Ok(Document {
        minor,
        inventory,
        sha1: sha1_hex(bytes),
        parsed,
        text,
    })
}

fn tag_error(path: &str, line: usize, message: String) -> Error {
    Error::TagValue {
        path: path.to_string(),
        line: line + 1,
        message,
    }
}

/// The byte range of each line of `text` (its line ending included), refusing a line longer
/// than `max` bytes (its ending not counted) with [`Error::Limit`].
fn line_ranges(path: &str, text: &str, max: usize) -> Result<Vec<(usize, usize)>, Error> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    while start < bytes.len() {
        let end = memchr_newline(&bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
        let content = bytes[start..end]
            .strip_suffix(b"\n")
            .unwrap_or(&bytes[start..end]);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.len() > max {
            return Err(Error::Limit {
                path: path.to_string(),
                message: format!(
                    "line {}: {} bytes long, more than the {} bytes aiprov reads in one tag-value line",
                    lines.len() + 1,
                    content.len(),
                    max
                ),
            });
        }
        lines.push((start, end));
        start = end;
    }
    Ok(lines)
}

/// Index of the first `\n` in `bytes`.
fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

fn parse(path: &str, text: &str) -> Result<Parsed, Error> {
    let lines = line_ranges(path, text, super::MAX_TAG_VALUE_LINE)?;
    let content = |i: usize| -> &str {
        let (s, e) = lines[i];
        let l = &text[s..e];
        let l = l.strip_suffix('\n').unwrap_or(l);
        let l = l.strip_suffix('\r').unwrap_or(l);
        if i == 0 {
            l.strip_prefix('\u{feff}').unwrap_or(l)
        } else {
            l
        }
    };
    let mut entries = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = content(i);
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            i += 1;
            continue;
        }
        let Some((tag, rest)) = line.split_once(':').filter(|(tag, _)| {
            let tag = tag.trim();
            !tag.is_empty()
                && tag
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }) else {
            return Err(tag_error(
                path,
                i,
                format!("expected \"Tag: value\", found \"{}\"", bounded(line, 80)),
            ));
        };
        let tag = tag.trim().to_string();
        let rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<text>") {
            let first = i;
            let mut value = String::new();
            let mut piece = after;
            loop {
                if let Some(end) = piece.find("</text>") {
                    value.push_str(&piece[..end]);
                    break;
                }
                value.push_str(piece);
                i += 1;
                if i == lines.len() {
                    return Err(tag_error(
                        path,
                        first,
                        format!(
                            "{tag}: <text> is not closed by </text> before the end of the file"
                        ),
                    ));
                }
                value.push('\n');
                piece = content(i);
            }
            entries.push(Entry {
                tag,
                value,
                first,
                last: i,
            });
        } else {
            entries.push(Entry {
                tag,
                value: rest.trim_end().to_string(),
                first: i,
                last: i,
            });
        }
        i += 1;
    }
    let first_section = entries
        .iter()
        .position(|e| SECTION_TAGS.contains(&e.tag.as_str()));
    let header_end = first_section.unwrap_or(entries.len());
    let doc_id = entries[..header_end]
        .iter()
        .find(|e| e.tag == "SPDXID")
        .map_or("SPDXRef-DOCUMENT".to_string(), |e| e.value.clone());
    let mut packages = Vec::new();
    for (k, e) in entries.iter().enumerate() {
        if e.tag != "PackageName" {
            continue;
        }
        let id = entries[k + 1..]
            .iter()
            .take_while(|x| !SECTION_TAGS.contains(&x.tag.as_str()))
            .find(|x| x.tag == "SPDXID")
            .map(|x| x.value.clone());
        match id {
            Some(id) if !id.is_empty() => packages.push((k, id)),
            _ => {
                return Err(tag_error(
                    path,
                    e.first,
                    format!("package \"{}\" has no SPDXID", bounded(&e.value, 80)),
                ))
            }
        }
    }
    Ok(Parsed {
        lines,
        entries,
        packages,
        first_section,
        doc_id,
    })
}

fn inventory(path: &str, p: &Parsed) -> Result<Inventory, Error> {
    let mut components = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (k, id) in &p.packages {
        let name_entry = &p.entries[*k];
        if let Some(first) = seen.get(id.as_str()) {
            return Err(Error::DuplicateSpdxId {
                path: path.into(),
                id: bounded(id, ECHO_LIMIT),
                first: format!("line {}", first + 1),
                second: format!("line {}", name_entry.first + 1),
            });
        }
        seen.insert(id, name_entry.first);
        if name_entry.value.is_empty() {
            return Err(Error::ComponentWithoutName {
                path: path.into(),
                pointer: id.clone(),
            });
        }
        let block: Vec<&Entry> = p.entries[k + 1..]
            .iter()
            .take_while(|x| !SECTION_TAGS.contains(&x.tag.as_str()))
            .collect();
        let field = |tag: &str| {
            block
                .iter()
                .find(|e| e.tag == tag)
                .map(|e| e.value.as_str())
        };
        let refs: Vec<(&str, &str)> = block
            .iter()
            .filter(|e| e.tag == "ExternalRef")
            .filter_map(|e| {
                let mut parts = e.value.split_whitespace();
                let _category = parts.next()?;
                Some((parts.next()?, parts.next()?))
            })
            .collect();
        let hashes = block
            .iter()
            .filter(|e| e.tag == "PackageChecksum")
            .filter_map(|e| {
                let (alg, value) = e.value.split_once(':')?;
                Some(Hash {
                    algorithm: alg.trim().to_string(),
                    value: value.trim().to_string(),
                })
            })
            .collect();
        let (purl, cpe, vcs, other) = ref_fields(
            &refs,
            field("PackageDownloadLocation"),
            field("PackageHomePage"),
        );
        let stated = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|s| !s.is_empty() && *s != "NOASSERTION" && *s != "NONE")
                .map(str::to_string)
        };
        components.push(Component {
            locator: id.clone(),
            bom_ref: Some(id.clone()),
            name: name_entry.value.clone(),
            group: None,
            version: field("PackageVersion").map(str::to_string),
            vcs_refs: super::vcs_refs(purl.as_deref(), &vcs, &other),
            purl,
            cpe,
            supplier: stated(field("PackageSupplier")),
            originator: stated(field("PackageOriginator")),
            hashes,
        });
    }
    let mut relationships = Vec::new();
    for e in p.entries.iter().filter(|e| e.tag == "Relationship") {
        let mut parts = e.value.split_whitespace();
        if let (Some(from), Some(kind), Some(to)) = (parts.next(), parts.next(), parts.next()) {
            relationships.push(Relationship {
                from: from.into(),
                kind: kind.into(),
                to: to.into(),
            });
        }
    }
    Ok(Inventory {
        components,
        relationships,
    })
}

/// The document-level fields and packages in the shape of SPDX 2 JSON, for readers that look at
/// fields aiprov does not edit (the minimum-elements check): `spdxVersion`, `SPDXID`,
/// `documentNamespace`, `creationInfo` (`creators`, `created`, `comment`) and per package
/// `SPDXID`, `name`, `versionInfo`, `supplier`, `originator`, `checksums`, `externalRefs`,
/// `licenseConcluded`, `licenseDeclared`. Relationships are in the inventory.
pub fn json_view(doc: &Document) -> serde_json::Value {
    let mut out = json_head(doc);
    let packages = (0..doc.parsed.packages.len())
        .map(|i| json_package(doc, i))
        .collect();
    out.insert("packages".into(), serde_json::Value::Array(packages));
    serde_json::Value::Object(out)
}

/// The document-level part of [`json_view`] (everything but `packages`).
pub(crate) fn json_head(doc: &Document) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::{Map, Value};
    let p = &doc.parsed;
    let head = &p.entries[..p.first_section.unwrap_or(p.entries.len())];
    let first = |tag: &str| {
        head.iter()
            .find(|e| e.tag == tag)
            .map(|e| Value::from(e.value.as_str()))
    };
    let mut out = Map::new();
    for (tag, key) in [
        ("SPDXVersion", "spdxVersion"),
        ("SPDXID", "SPDXID"),
        ("DocumentName", "name"),
        ("DocumentNamespace", "documentNamespace"),
    ] {
        if let Some(v) = first(tag) {
            out.insert(key.into(), v);
        }
    }
    let mut info = Map::new();
    let creators: Vec<Value> = head
        .iter()
        .filter(|e| e.tag == "Creator")
        .map(|e| Value::from(e.value.as_str()))
        .collect();
    if !creators.is_empty() {
        info.insert("creators".into(), Value::Array(creators));
    }
    if let Some(v) = first("Created") {
        info.insert("created".into(), v);
    }
    if let Some(v) = first("CreatorComment") {
        info.insert("comment".into(), v);
    }
    if !info.is_empty() {
        out.insert("creationInfo".into(), Value::Object(info));
    }
    out
}

/// Package `i` (in document order, as in the inventory) in the shape of [`json_view`]: built
/// one at a time, so `check` never holds the JSON view of every package (issue 15: memory).
pub(crate) fn json_package(doc: &Document, i: usize) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    let p = &doc.parsed;
    let (k, id) = &p.packages[i];
    let block = p.entries[k + 1..]
        .iter()
        .take_while(|x| !SECTION_TAGS.contains(&x.tag.as_str()));
    let mut m = Map::new();
    m.insert("SPDXID".into(), Value::from(id.as_str()));
    m.insert("name".into(), Value::from(p.entries[*k].value.as_str()));
    for (tag, key) in [
        ("PackageVersion", "versionInfo"),
        ("PackageSupplier", "supplier"),
        ("PackageOriginator", "originator"),
        ("PackageLicenseConcluded", "licenseConcluded"),
        ("PackageLicenseDeclared", "licenseDeclared"),
    ] {
        if let Some(e) = block.clone().find(|e| e.tag == tag) {
            m.insert(key.into(), Value::from(e.value.as_str()));
        }
    }
    let checksums: Vec<Value> = block
        .clone()
        .filter(|e| e.tag == "PackageChecksum")
        .filter_map(|e| {
            let (alg, value) = e.value.split_once(':')?;
            Some(json!({"algorithm": alg.trim(), "checksumValue": value.trim()}))
        })
        .collect();
    if !checksums.is_empty() {
        m.insert("checksums".into(), Value::Array(checksums));
    }
    let refs: Vec<Value> = block
        .filter(|e| e.tag == "ExternalRef")
        .filter_map(|e| {
            let mut parts = e.value.split_whitespace();
            Some(json!({"referenceCategory": parts.next()?, "referenceType": parts.next()?, "referenceLocator": parts.next()?}))
        })
        .collect();
    if !refs.is_empty() {
        m.insert("externalRefs".into(), Value::Array(refs));
    }
    Value::Object(m)
}

/// Which entries aiprov wrote (to be replaced): its creator, its annotations (the `Annotator`
/// entry and the annotation fields right after it), its `ExternalDocumentRef` and AMENDS
/// relationship. Returns a flag per entry.
fn ours(entries: &[Entry]) -> Vec<bool> {
    let mut flags = vec![false; entries.len()];
    let mut k = 0;
    while k < entries.len() {
        let e = &entries[k];
        match e.tag.as_str() {
            "Creator" if is_spdx_tool(&e.value) => flags[k] = true,
            "Annotator" if is_spdx_tool(&e.value) => {
                flags[k] = true;
                let mut seen: Vec<&str> = Vec::new();
                while k + 1 < entries.len()
                    && ANNOTATION_TAGS.contains(&entries[k + 1].tag.as_str())
                    && !seen.contains(&entries[k + 1].tag.as_str())
                {
                    k += 1;
                    seen.push(&entries[k].tag);
                    flags[k] = true;
                }
            }
            "ExternalDocumentRef" if is_our_external_ref(&e.value) => flags[k] = true,
            "Relationship" if is_our_relationship(&e.value) => flags[k] = true,
            _ => {}
        }
        k += 1;
    }
    flags
}

fn is_our_external_ref(value: &str) -> bool {
    value.split_whitespace().next() == Some(ORIGINAL_REF)
}

fn is_our_relationship(value: &str) -> bool {
    let parts: Vec<&str> = value.split_whitespace().collect();
    parts.len() >= 3 && parts[1] == "AMENDS" && parts[2].starts_with(&format!("{ORIGINAL_REF}:"))
}

/// Lines to remove, replace (first line of an entry) and insert (after a line index).
#[derive(Default)]
struct Splice {
    remove: HashSet<usize>,
    replace: HashMap<usize, String>,
    insert_after: BTreeMap<usize, Vec<String>>,
}

impl Splice {
    fn remove_entry(&mut self, e: &Entry) {
        self.remove.extend(e.first..=e.last);
    }

    fn replace_entry(&mut self, e: &Entry, line: String) {
        self.remove.extend(e.first + 1..=e.last);
        self.replace.insert(e.first, line);
    }

    fn render(&self, text: &str, lines: &[(usize, usize)], eol: &str) -> String {
        let mut out = String::with_capacity(text.len() + 4096);
        for (i, &(s, e)) in lines.iter().enumerate() {
            let line = &text[s..e];
            if let Some(new) = self.replace.get(&i) {
                let ending = &line[line.trim_end_matches(['\r', '\n']).len()..];
                out.push_str(new);
                out.push_str(if ending.is_empty() { "" } else { ending });
            } else if !self.remove.contains(&i) {
                out.push_str(line);
            }
            if let Some(new) = self.insert_after.get(&i) {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push_str(eol);
                }
                for l in new {
                    out.push_str(l);
                    out.push_str(eol);
                }
            }
        }
        out
    }
}

fn annotation_lines(
    id: &str,
    props: &[(String, String)],
    tool: &str,
    date: &str,
    eol: &str,
) -> Vec<String> {
    let comment = properties_comment(props);
    if comment.is_empty() {
        return Vec::new();
    }
    let comment = comment.replace("</text>", "<\\/text>").replace('\n', eol);
    vec![
        format!("Annotator: {tool}"),
        format!("AnnotationDate: {date}"),
        "AnnotationType: OTHER".to_string(),
        format!("SPDXREF: {id}"),
        format!("AnnotationComment: <text>{comment}</text>"),
    ]
}

/// Enrich a copy of `doc` and serialize it (see the module docs).
pub fn write(doc: &Document, edits: &Edits, opts: &WriteOptions) -> Written {
    let mut warnings = foreign_property_warnings(edits);
    let p = &doc.parsed;
    let eol = match p.lines.first() {
        Some(&(s, e)) if doc.text[s..e].ends_with("\r\n") => "\r\n",
        _ => "\n",
    };
    let date = utc_seconds(opts.timestamp);
    let tool = spdx_tool(&opts.tool_version);
    let flags = ours(&p.entries);
    let mut splice = Splice::default();
    let header_end = p.first_section.unwrap_or(p.entries.len());

    // aiprov's previous lines go, except its reference to the original, which stays (the
    // document still amends that original)
    let mut original: Option<(String, String)> = None;
    for (k, e) in p.entries.iter().enumerate() {
        if !flags[k] {
            continue;
        }
        if e.tag == "ExternalDocumentRef" && original.is_none() {
            let parts: Vec<&str> = e.value.split_whitespace().collect();
            if let [_, ns, "SHA1:", sum, ..] = parts.as_slice() {
                original = Some((ns.to_string(), sum.to_string()));
                continue;
            }
        }
        splice.remove_entry(e);
    }
    // the last kept entry of a range of entries: where insertions go
    let last_kept = |from: usize, to: usize| -> Option<usize> {
        (from..to)
            .rev()
            .find(|&k| !flags[k])
            .map(|k| p.entries[k].last)
    };
    let header_last = last_kept(0, header_end).unwrap_or(0);

    // per-package annotations
    let mut known: HashSet<&str> = HashSet::new();
    for (k, id) in &p.packages {
        known.insert(id);
        let Some(props) = edits.components.get(id) else {
            continue;
        };
        let end = p.entries[k + 1..]
            .iter()
            .position(|x| SECTION_TAGS.contains(&x.tag.as_str()))
            .map_or(p.entries.len(), |d| k + 1 + d);
        let at = last_kept(*k, end).unwrap_or(p.entries[*k].last);
        splice
            .insert_after
            .entry(at)
            .or_default()
            .extend(annotation_lines(id, props, &tool, &date, eol));
    }
    for locator in edits.components.keys() {
        if !known.contains(locator.as_str()) {
            warnings.push(format!(
                "no package with SPDXID {}; its properties were not written",
                bounded(locator, ECHO_LIMIT)
            ));
        }
    }

    // header: creator, created, namespace, reference to the original, AMENDS, summary
    let header: Vec<(usize, &Entry)> = p.entries[..header_end]
        .iter()
        .enumerate()
        .filter(|(k, _)| !flags[*k])
        .collect();
    let find = |tag: &str| {
        header
            .iter()
            .rev()
            .find(|(_, e)| e.tag == tag)
            .map(|(_, e)| *e)
    };
    let creator_at = find("Creator")
        .or_else(|| find("Created"))
        .map_or(header_last, |e| e.last);
    splice
        .insert_after
        .entry(creator_at)
        .or_default()
        .push(format!("Creator: {tool}"));
    match find("Created") {
        Some(e) => splice.replace_entry(e, format!("Created: {date}")),
        None => splice
            .insert_after
            .entry(creator_at)
            .or_default()
            .push(format!("Created: {date}")),
    }
    let namespace = find("DocumentNamespace");
    let identity = match (&original, namespace) {
        (Some((ns, sum)), Some(e)) => Some((ns.clone(), sum.clone(), e, false)),
        (None, Some(e)) => Some((e.value.clone(), doc.sha1.clone(), e, true)),
        (_, None) => {
            warnings.push(
                "no \"DocumentNamespace\": the enriched document keeps its identity and does not reference its original"
                    .into(),
            );
            None
        }
    };
    let mut header_lines = Vec::new();
    if let Some((ns, sum, ns_entry, add_ref)) = identity {
        splice.replace_entry(
            ns_entry,
            format!(
                "DocumentNamespace: {}",
                new_namespace(&ns, &sum, &date, edits, opts)
            ),
        );
        if add_ref {
            let at = find("ExternalDocumentRef").map_or(ns_entry.last, |e| e.last);
            splice.insert_after.entry(at).or_default().push(format!(
                "ExternalDocumentRef: {ORIGINAL_REF} {ns} SHA1: {sum}"
            ));
        }
        header_lines.push(format!(
            "Relationship: {} AMENDS {ORIGINAL_REF}:{}",
            p.doc_id, p.doc_id
        ));
    }
    header_lines.extend(annotation_lines(
        &p.doc_id,
        &edits.summary,
        &tool,
        &date,
        eol,
    ));
    if !header_lines.is_empty() {
        splice
            .insert_after
            .entry(header_last)
            .or_default()
            .extend(header_lines);
    }
    Written {
        bytes: splice.render(&doc.text, &p.lines, eol).into_bytes(),
        warnings,
    }
}

/// The aiprov properties in the document's aiprov annotations, by the SPDXID they annotate
/// (see [`super::Document::aiprov_properties`]); those on the document's SPDXID are the summary.
pub fn aiprov_properties(doc: &Document) -> Edits {
    let p = &doc.parsed;
    let flags = ours(&p.entries);
    let mut e = Edits::default();
    let mut k = 0;
    while k < p.entries.len() {
        if !(flags[k] && p.entries[k].tag == "Annotator") {
            k += 1;
            continue;
        }
        let mut target = None;
        let mut comment = String::new();
        k += 1;
        while k < p.entries.len()
            && flags[k]
            && ANNOTATION_TAGS.contains(&p.entries[k].tag.as_str())
        {
            match p.entries[k].tag.as_str() {
                "SPDXREF" => target = Some(p.entries[k].value.clone()),
                "AnnotationComment" => comment = p.entries[k].value.replace("<\\/text>", "</text>"),
                _ => {}
            }
            k += 1;
        }
        let props = super::parse_properties_comment(&comment);
        match target {
            Some(t) if t == p.doc_id => e.summary.extend(props),
            Some(t) if !props.is_empty() => e.components.entry(t).or_default().extend(props),
            _ => {}
        }
    }
    e
}

/// Remove every line aiprov adds (its creator, annotations, reference to the original and
/// AMENDS relationship); `Created:` and `DocumentNamespace:`, which it replaces, stay as they
/// are. For fidelity tests: `strip_aiprov(output)` equals `strip_aiprov(input)` once those two
/// lines are restored.
pub fn strip_aiprov(path_label: &str, text: &str) -> Result<String, Error> {
    let path = super::path_label(path_label);
    let p = parse(&path, text)?;
    let flags = ours(&p.entries);
    let mut splice = Splice::default();
    for (k, e) in p.entries.iter().enumerate() {
        if flags[k] {
            splice.remove_entry(e);
        }
    }
    Ok(splice.render(text, &p.lines, "\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn opts() -> WriteOptions {
        WriteOptions {
            tool_version: "0.1.0".into(),
            timestamp: datetime!(2026-09-01 12:00:00 UTC),
            strip_signature: false,
        }
    }

    const SAMPLE: &str = "SPDXVersion: SPDX-2.3\n\
DataLicense: CC0-1.0\n\
SPDXID: SPDXRef-DOCUMENT\n\
DocumentName: app\n\
DocumentNamespace: https://example.org/app\n\
Creator: Person: Jane\n\
Creator: Tool: gen-1\n\
Created: 2020-01-01T00:00:00Z\n\
\n\
##### a package\n\
\n\
PackageName: a\n\
SPDXID: SPDXRef-a\n\
PackageVersion: 1.0\n\
PackageSupplier: Organization: A Inc.\n\
PackageDownloadLocation: git+https://github.com/o/a.git@v1.0\n\
PackageChecksum: SHA1: 85ed0817af83a24ad8da68c2b5094de69833983c\n\
ExternalRef: PACKAGE-MANAGER purl pkg:npm/a@1.0\n\
ExternalRef: SECURITY cpe23Type cpe:2.3:a:a:a:1.0:*:*:*:*:*:*:*\n\
PackageComment: <text>two\n\
lines</text>\n\
\n\
Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-a\n\
\n\
##### another\n\
PackageName: b\n\
SPDXID: SPDXRef-b\n\
PackageDownloadLocation: NOASSERTION\n\
\n\
LicenseID: LicenseRef-x\n\
ExtractedText: <text>PackageName: not a package\n\
</text>\n";

    fn doc(text: &str) -> Document {
        read("t.spdx", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn edits() -> Edits {
        let mut e = Edits::default();
        e.component("SPDXRef-a", "aiprov:status", "analyzed");
        e.component("SPDXRef-a", "aiprov:commits:total", "3");
        e.component("SPDXRef-b", "aiprov:status", "no-repository");
        e.component("SPDXRef-b", "aiprov:status:reason", "a </text> b");
        e.summary("aiprov:summary:components", "2");
        e
    }

    #[test]
    fn read_inventory() {
        let d = doc(SAMPLE);
        assert_eq!(d.minor, 3);
        let names: Vec<(&str, &str)> = d
            .inventory
            .components
            .iter()
            .map(|c| (c.locator.as_str(), c.name.as_str()))
            .collect();
        assert_eq!(names, [("SPDXRef-a", "a"), ("SPDXRef-b", "b")]);
        let a = &d.inventory.components[0];
        assert_eq!(a.version.as_deref(), Some("1.0"));
        assert_eq!(a.purl.as_deref(), Some("pkg:npm/a@1.0"));
        assert_eq!(a.cpe.as_deref(), Some("cpe:2.3:a:a:a:1.0:*:*:*:*:*:*:*"));
        assert_eq!(a.supplier.as_deref(), Some("Organization: A Inc."));
        assert_eq!(a.hashes[0].algorithm, "SHA1");
        assert_eq!(
            a.hashes[0].value,
            "85ed0817af83a24ad8da68c2b5094de69833983c"
        );
        assert_eq!(a.vcs_refs[0].url, "git+https://github.com/o/a.git@v1.0");
        assert_eq!(a.vcs_refs[0].origin, "downloadLocation");
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
    fn read_errors_name_the_line() {
        let err = |t: &str| read("t.spdx", t.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            err("SPDXVersion: SPDX-2.3\nDocumentComment: <text>never\nclosed\n"),
            "t.spdx: line 2: DocumentComment: <text> is not closed by </text> before the end of the file"
        );
        assert_eq!(
            err("SPDXVersion: SPDX-2.3\nthis is not a tag\n"),
            "t.spdx: line 2: expected \"Tag: value\", found \"this is not a tag\""
        );
        assert_eq!(
            err("SPDXVersion: SPDX-2.3\n\nPackageName: a\nPackageVersion: 1\n"),
            "t.spdx: line 3: package \"a\" has no SPDXID"
        );
        assert_eq!(
            err("SPDXVersion: SPDX-2.3\nPackageName: a\nSPDXID: SPDXRef-a\nPackageName: b\nSPDXID: SPDXRef-a\n"),
            "t.spdx: duplicate SPDX identifier \"SPDXRef-a\" at line 2 and line 4"
        );
        assert_eq!(
            read("t.spdx", b"SPDXVersion: SPDX-2.3\nDocumentName: \xff\n")
                .unwrap_err()
                .to_string(),
            "t.spdx: line 2, column 15: not valid UTF-8"
        );
    }

    #[test]
    fn write_inserts_lines_and_keeps_every_other() {
        let d = doc(SAMPLE);
        let w = write(&d, &edits(), &opts());
        assert!(w.warnings.is_empty(), "{:?}", w.warnings);
        let out = String::from_utf8(w.bytes).unwrap();
        let ns = out
            .lines()
            .find_map(|l| l.strip_prefix("DocumentNamespace: "))
            .unwrap();
        assert!(ns.starts_with("https://example.org/app/aiprov-"), "{ns}");
        let want = format!(
            "SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: app
DocumentNamespace: {ns}
ExternalDocumentRef: DocumentRef-aiprov-original https://example.org/app SHA1: {sha1}
Creator: Person: Jane
Creator: Tool: gen-1
Creator: Tool: aiprov-0.1.0
Created: 2026-09-01T12:00:00Z
Relationship: SPDXRef-DOCUMENT AMENDS DocumentRef-aiprov-original:SPDXRef-DOCUMENT
Annotator: Tool: aiprov-0.1.0
AnnotationDate: 2026-09-01T12:00:00Z
AnnotationType: OTHER
SPDXREF: SPDXRef-DOCUMENT
AnnotationComment: <text>aiprov:summary:components=2</text>

##### a package

PackageName: a
SPDXID: SPDXRef-a
PackageVersion: 1.0
PackageSupplier: Organization: A Inc.
PackageDownloadLocation: git+https://github.com/o/a.git@v1.0
PackageChecksum: SHA1: 85ed0817af83a24ad8da68c2b5094de69833983c
ExternalRef: PACKAGE-MANAGER purl pkg:npm/a@1.0
ExternalRef: SECURITY cpe23Type cpe:2.3:a:a:a:1.0:*:*:*:*:*:*:*
PackageComment: <text>two
lines</text>

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-a
Annotator: Tool: aiprov-0.1.0
AnnotationDate: 2026-09-01T12:00:00Z
AnnotationType: OTHER
SPDXREF: SPDXRef-a
AnnotationComment: <text>aiprov:status=analyzed
aiprov:commits:total=3</text>

##### another
PackageName: b
SPDXID: SPDXRef-b
PackageDownloadLocation: NOASSERTION
Annotator: Tool: aiprov-0.1.0
AnnotationDate: 2026-09-01T12:00:00Z
AnnotationType: OTHER
SPDXREF: SPDXRef-b
AnnotationComment: <text>aiprov:status=no-repository
aiprov:status:reason=a <\\/text> b</text>

LicenseID: LicenseRef-x
ExtractedText: <text>PackageName: not a package
</text>
",
            sha1 = d.sha1
        );
        assert_eq!(out, want);
        // the output reads back with the same inventory, and the values survive
        let again = doc(&out);
        assert_eq!(again.inventory.components, d.inventory.components);
        // stripped, with the two owned lines restored, it is the input
        let stripped = strip_aiprov("o", &out).unwrap();
        let restored: String = stripped
            .split_inclusive('\n')
            .map(|l| {
                if l.starts_with("Created:") {
                    "Created: 2020-01-01T00:00:00Z\n".to_string()
                } else if l.starts_with("DocumentNamespace:") {
                    "DocumentNamespace: https://example.org/app\n".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect();
        assert_eq!(restored, SAMPLE);
    }

    #[test]
    fn write_is_idempotent_and_keeps_crlf() {
        let crlf = SAMPLE.replace('\n', "\r\n");
        let crlf = crlf.trim_end_matches("\r\n"); // and no final line ending
        let d = doc(crlf);
        let once = write(&d, &edits(), &opts());
        let text = String::from_utf8(once.bytes.clone()).unwrap();
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "only CRLF line endings"
        );
        let d2 = doc(&text);
        let twice = write(&d2, &edits(), &opts());
        assert_eq!(String::from_utf8(twice.bytes).unwrap(), text);
        // fewer results remove the older annotations
        let mut fewer = Edits::default();
        fewer.component("SPDXRef-b", "aiprov:status", "analyzed");
        let third = String::from_utf8(write(&d2, &fewer, &opts()).bytes).unwrap();
        assert_eq!(third.matches("Annotator: Tool: aiprov-").count(), 1);
        assert_eq!(
            third
                .matches("ExternalDocumentRef: DocumentRef-aiprov-original")
                .count(),
            1
        );
        assert_eq!(third.matches("AMENDS").count(), 1);
        assert_eq!(third.matches("Creator: Tool: aiprov-").count(), 1);
        let mut unknown = Edits::default();
        unknown.component("SPDXRef-zz", "aiprov:status", "analyzed");
        assert_eq!(
            write(&d, &unknown, &opts()).warnings,
            ["no package with SPDXID SPDXRef-zz; its properties were not written"]
        );
    }
}
