//! Validation against the official CycloneDX JSON schemas, read in place from the shared folder
//! (`<shared>/schemas/cyclonedx/bom-<version>.schema.json`), offline.
//!
//! Include with `mod schema;` from an integration test.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Registry, Validator};
use serde_json::Value;

/// The schemas the bom schemas `$ref` by bare file name, registered under the URI that name
/// resolves to against the bom schemas' `$id` (`http://cyclonedx.org/schema/…`), which is also
/// each file's own `$id`.
const REFERENCED: &[&str] = &[
    "spdx.schema.json",
    "jsf-0.82.schema.json",
    "cryptography-defs.schema.json",
];
const BASE_URI: &str = "http://cyclonedx.org/schema/";

/// At most this many messages are returned for one document.
const MAX_ERRORS: usize = 20;

/// Validate a CycloneDX JSON document against the official schema for its `specVersion`
/// (1.2 to 1.7), with format checks on. `shared` is the shared data folder.
///
/// Errors are `"<instance path>: <message>"` lines (at most 20), or one line saying why the
/// document could not be validated at all (no or unknown `specVersion`, schema missing).
pub fn validate_cyclonedx(value: &Value, shared: &Path) -> Result<(), Vec<String>> {
    let version = match value.get("specVersion").and_then(Value::as_str) {
        Some(v) => v,
        None => return Err(vec!["no string specVersion".to_string()]),
    };
    let validator = validator_for(version, shared).map_err(|e| vec![e])?;
    errors(&validator, value)
}

/// At most `MAX_ERRORS` `"<instance path>: <message>"` lines, each message cut at 300 bytes.
pub fn errors(validator: &Validator, value: &Value) -> Result<(), Vec<String>> {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .take(MAX_ERRORS)
        .map(|e| {
            let mut msg = e.to_string();
            if msg.len() > 300 {
                let mut cut = 300;
                while !msg.is_char_boundary(cut) {
                    cut -= 1;
                }
                msg.truncate(cut);
                msg.push('…');
            }
            format!("{}: {msg}", e.instance_path())
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Compiled validators by spec version, shared by the tests of one process.
fn validator_for(version: &str, shared: &Path) -> Result<Arc<Validator>, String> {
    type Cache = Mutex<HashMap<(String, std::path::PathBuf), Arc<Validator>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (version.to_string(), shared.to_path_buf());
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(&key) {
        return Ok(v.clone());
    }
    if !matches!(version, "1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7") {
        return Err(format!("no CycloneDX schema for specVersion {version:?}"));
    }
    let dir = shared.join("schemas/cyclonedx");
    let load = |file: &str| -> Result<Value, String> {
        let path = dir.join(file);
        let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let bom = load(&format!("bom-{version}.schema.json"))?;
    let mut resources = Vec::new();
    for file in REFERENCED {
        resources.push((format!("{BASE_URI}{file}"), load(file)?));
    }
    let registry = Registry::new()
        .extend(resources)
        .and_then(|b| b.prepare())
        .map_err(|e| format!("registering the referenced CycloneDX schemas: {e}"))?;
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .with_registry(&registry)
        .offline()
        .should_validate_formats(true)
        .build(&bom)
        .map_err(|e| format!("compiling bom-{version}.schema.json: {e}"))?;
    let validator = Arc::new(validator);
    cache.lock().unwrap().insert(key, validator.clone());
    Ok(validator)
}
