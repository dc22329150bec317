//! What a report says about an SPDX 3.0.1 JSON-LD document.

use serde_json::Value;

use crate::sbom::describe::{name_at, DocumentInfo};
use crate::sbom::spdx3::Document;
use crate::sbom::Format;

/// The report's view of an SPDX 3 document: its subject (the first root element of a
/// `software_Sbom`), identity (the `SpdxDocument`'s `spdxId`) and the `created` of the
/// document's `CreationInfo`.
pub fn info(doc: &Document, file: &str) -> DocumentInfo {
    let graph = doc
        .value
        .get("@graph")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let ty = |e: &Value, t: &str| e.get("type").and_then(Value::as_str) == Some(t);
    let spdx_doc = graph.iter().find(|e| ty(e, "SpdxDocument"));
    let root = graph
        .iter()
        .filter(|e| ty(e, "software_Sbom"))
        .filter_map(|e| e.get("rootElement")?.as_array()?.first()?.as_str())
        .next();
    let subject = root.and_then(|id| {
        graph
            .iter()
            .find(|e| e.get("spdxId").and_then(Value::as_str) == Some(id))
    });
    let info = spdx_doc
        .and_then(|d| d.get("creationInfo"))
        .and_then(|c| match c {
            Value::String(id) => graph
                .iter()
                .find(|e| e.get("@id").and_then(Value::as_str) == Some(id.as_str())),
            other => Some(other),
        });
    DocumentInfo {
        file: file.to_string(),
        subject: subject.and_then(|p| name_at(p, "name", "software_packageVersion")),
        format: Format::Spdx3JsonLd.to_string(),
        serial_number: spdx_doc
            .and_then(|d| d.get("spdxId"))
            .and_then(Value::as_str)
            .map(str::to_string),
        version: None,
        timestamp: info
            .and_then(|i| i.get("created"))
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}
