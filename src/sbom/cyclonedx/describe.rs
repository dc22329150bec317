//! What a report says about a CycloneDX document (JSON, and XML through its JSON view).

use serde_json::Value;

use crate::sbom::cyclonedx::Document;
use crate::sbom::describe::{name_at, DocumentInfo};

/// The report's view of a CycloneDX JSON document: its subject `metadata.component`, identity
/// `serialNumber`, `version` and `metadata.timestamp`; the format named `CycloneDX 1.N`.
pub fn info(doc: &Document, file: &str) -> DocumentInfo {
    info_of(
        &doc.value,
        file,
        format!("CycloneDX {}.{}", doc.spec_version.0, doc.spec_version.1),
    )
}

/// [`info`] for a CycloneDX document in its JSON shape `v`, its format named `format`.
pub(crate) fn info_of(v: &Value, file: &str, format: String) -> DocumentInfo {
    DocumentInfo {
        file: file.to_string(),
        subject: v
            .pointer("/metadata/component")
            .and_then(|c| name_at(c, "name", "version")),
        format,
        serial_number: v
            .get("serialNumber")
            .and_then(Value::as_str)
            .map(str::to_string),
        version: v.get("version").and_then(Value::as_u64),
        timestamp: v
            .pointer("/metadata/timestamp")
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}
