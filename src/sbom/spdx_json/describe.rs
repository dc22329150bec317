//! What a report says about an SPDX 2 document (JSON, and tag-value through its JSON view).

use serde_json::Value;

use crate::inventory::Inventory;
use crate::sbom::describe::{name_at, DocumentInfo};
use crate::sbom::spdx_json::Document;
use crate::sbom::Format;

/// The report's view of an SPDX 2 JSON document: its subject (the first package the document
/// `DESCRIBES`), identity `documentNamespace` and `creationInfo.created`.
pub fn info(doc: &Document, file: &str) -> DocumentInfo {
    let format = Format::SpdxJson { minor: doc.minor }.to_string();
    info_of(&doc.value, &doc.inventory, file, format)
}

/// [`info`] for an SPDX 2 document in its JSON shape `v` with its inventory, its format named
/// `format`.
pub(crate) fn info_of(
    v: &Value,
    inventory: &Inventory,
    file: &str,
    format: String,
) -> DocumentInfo {
    let doc_id = v
        .get("SPDXID")
        .and_then(Value::as_str)
        .unwrap_or("SPDXRef-DOCUMENT");
    let packages = v
        .get("packages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    // the first described element that is a package (a document may describe files too)
    let subject = inventory
        .relationships
        .iter()
        .filter(|r| r.kind == "DESCRIBES" && r.from == doc_id)
        .find_map(|r| {
            packages
                .iter()
                .find(|p| p.get("SPDXID").and_then(Value::as_str) == Some(r.to.as_str()))
        });
    DocumentInfo {
        file: file.to_string(),
        subject: subject.and_then(|p| name_at(p, "name", "versionInfo")),
        format,
        serial_number: v
            .get("documentNamespace")
            .and_then(Value::as_str)
            .map(str::to_string),
        version: None,
        timestamp: v
            .pointer("/creationInfo/created")
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}
