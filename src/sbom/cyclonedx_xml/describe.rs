//! What `check`, a report and SARIF need from a CycloneDX XML document: the CycloneDX facts
//! and information of its JSON shape ([`crate::sbom::cyclonedx_xml::json_view`]), and where
//! each component sits in the XML text.

use std::collections::{HashMap, HashSet};

use crate::sbom::cyclonedx_xml::{json_view, Document};
use crate::sbom::describe::DocumentInfo;
use crate::sbom::facts::DocumentFacts;
use crate::sbom::{cyclonedx, Format};

fn format(doc: &Document) -> String {
    Format::CycloneDxXml {
        minor: doc.spec_version.1,
    }
    .to_string()
}

/// The minimum-element facts, read from the JSON shape (so an XML document and its JSON twin
/// give the same statuses).
pub fn facts(doc: &Document) -> DocumentFacts {
    let view = json_view(doc);
    let opts = cyclonedx::ReadOptions {
        strip_signature: true,
    };
    let mut f = match cyclonedx::from_value("(xml)", view, &opts) {
        Ok(j) => cyclonedx::facts::facts(&j),
        // The view always has bomFormat and a valid specVersion; keep a result anyway.
        Err(_) => DocumentFacts::default(),
    };
    f.format = format(doc);
    f
}

/// The report's view, as [`cyclonedx::describe::info`] gives it for the JSON shape; the format
/// named `CycloneDX 1.N XML`.
pub fn info(doc: &Document, file: &str) -> DocumentInfo {
    cyclonedx::describe::info_of(&json_view(doc), file, format(doc))
}

/// The 1-based line and column of each component whose locator is in `wanted`: its `bom-ref`
/// attribute, else its first `<name>` element with that name.
pub fn positions(
    doc: &Document,
    source: &str,
    wanted: &HashSet<String>,
) -> HashMap<String, (usize, usize)> {
    let at = |off: usize| {
        let before = &source[..off];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        (line, source[start..off].chars().count() + 1)
    };
    let mut out = HashMap::new();
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    for c in doc
        .inventory
        .components
        .iter()
        .filter(|c| wanted.contains(&c.locator))
    {
        let found = c
            .bom_ref
            .as_deref()
            .and_then(|r| {
                let r = esc(r);
                [
                    format!("bom-ref=\"{}\"", r.replace('"', "&quot;")),
                    format!("bom-ref='{}'", r.replace('\'', "&apos;")),
                ]
                .iter()
                .find_map(|needle| source.find(needle.as_str()))
            })
            .or_else(|| source.find(&format!(">{}</", esc(&c.name))).map(|i| i + 1));
        if let Some(off) = found {
            out.insert(c.locator.clone(), at(off));
        }
    }
    out
}
