//! Validation against the official SPDX JSON schemas, read in place from the shared folder
//! (`<shared>/schemas/spdx/spdx-2.3-schema.json`, `spdx-3.0.1-json-schema.json`), offline.
//!
//! Include with `mod spdx_schema;` from an integration test.
#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::Validator;
use serde_json::Value;

/// Validate an SPDX 2.2 / 2.3 JSON document against the SPDX 2.3 schema (2.3 is a superset of
/// 2.2 for everything the 2.2 examples use), with format checks on.
pub fn validate_spdx2(value: &Value, shared: &Path) -> Result<(), Vec<String>> {
    validate(value, shared, "spdx-2.3-schema.json")
}

/// Validate an SPDX 3.0.1 JSON-LD document against the SPDX 3.0.1 JSON schema.
pub fn validate_spdx3(value: &Value, shared: &Path) -> Result<(), Vec<String>> {
    validate(value, shared, "spdx-3.0.1-json-schema.json")
}

fn validate(value: &Value, shared: &Path, file: &str) -> Result<(), Vec<String>> {
    let validator = validator_for(file, shared).map_err(|e| vec![e])?;
    // Every test binary that declares this module declares `mod schema;` too.
    super::schema::errors(&validator, value)
}

/// Compiled validators by schema file, shared by the tests of one process.
fn validator_for(file: &str, shared: &Path) -> Result<Arc<Validator>, String> {
    type Cache = Mutex<Vec<(String, Arc<Validator>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some((_, v)) = cache.lock().unwrap().iter().find(|(f, _)| f == file) {
        return Ok(v.clone());
    }
    let path = shared.join("schemas/spdx").join(file);
    let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let schema: Value =
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let validator = jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| format!("compiling {file}: {e}"))?;
    let validator = Arc::new(validator);
    cache
        .lock()
        .unwrap()
        .push((file.to_string(), validator.clone()));
    Ok(validator)
}
