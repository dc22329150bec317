//! What `check`, a report and SARIF need from an SPDX 2 tag-value document: the SPDX 2 facts
//! and information of its JSON shape ([`crate::sbom::spdx_tv::json_view`]), and the `SPDXID:`
//! line of each package.

use std::collections::{HashMap, HashSet};

use crate::sbom::describe::DocumentInfo;
use crate::sbom::facts::DocumentFacts;
use crate::sbom::spdx_tv::{json_head, json_package, json_view, Document};
use crate::sbom::{spdx_json, Format};

fn format(doc: &Document) -> String {
    Format::SpdxTagValue { minor: doc.minor }.to_string()
}

/// The minimum-element facts, read from the SPDX 2 JSON shape (so a tag-value document and its
/// JSON twin give the same statuses).
pub fn facts(doc: &Document) -> DocumentFacts {
    let head = serde_json::Value::Object(json_head(doc));
    spdx_json::facts::facts_each(&head, &doc.inventory, &format(doc), |i| {
        json_package(doc, i)
    })
}

/// The report's view, as [`spdx_json::describe::info`] gives it for the JSON shape.
pub fn info(doc: &Document, file: &str) -> DocumentInfo {
    spdx_json::describe::info_of(&json_view(doc), &doc.inventory, file, format(doc))
}

/// The 1-based line and column of the first `SPDXID:` line naming each SPDXID in `wanted`.
///
/// One pass over the lines (counting the lines before each hit from the start was quadratic
/// in the packages: issue 15).
pub fn positions(source: &str, wanted: &HashSet<String>) -> HashMap<String, (usize, usize)> {
    let mut out = HashMap::new();
    for (n, line) in source.split_inclusive('\n').enumerate() {
        if let Some((tag, value)) = line.split_once(':') {
            let id = value.trim();
            if tag.trim() == "SPDXID" && wanted.contains(id) && !out.contains_key(id) {
                let indent = line.len() - line.trim_start().len();
                out.insert(id.to_string(), (n + 1, line[..indent].chars().count() + 1));
            }
        }
    }
    out
}
