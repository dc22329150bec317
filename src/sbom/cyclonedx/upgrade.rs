//! Upgrading a CycloneDX JSON document to a newer spec version without losing anything
//! (`--output-format cyclonedx-json@1.6`).
//!
//! Each step applies what that version renames or moves, read from the official JSON schemas
//! (`bom-1.N.schema.json`, compared definition by definition; the mapping is listed in
//! `docs/decisions.md`, "CycloneDX upgrades"):
//!
//! | step | what changes |
//! |---|---|
//! | 1.2 → 1.3 | nothing renamed or removed; 1.3 requires `licenses` to be either `license` entries or exactly one `expression` (1.2 allowed any mix): a mix is refused; 1.3 checks URLs (`url`, `endpoints`, issue `references`) as IRI references: characters no IRI may hold (space, `"<>\^`{|}`, controls, a `%` not followed by two hex digits) are percent-encoded, as RFC 3987 §3.1 maps an IRI to a URI, so the reference names the same resource |
//! | 1.3 → 1.4 | nothing renamed or removed |
//! | 1.4 → 1.5 | nothing renamed or removed (the legacy `metadata.tools` array stays valid) |
//! | 1.5 → 1.6 | `evidence.identity`, one object in 1.5, becomes a one-element array (1.6 keeps the object form only as deprecated) |
//! | every step | `specVersion`, and `$schema` when present (`http://cyclonedx.org/schema/bom-1.N.schema.json`) |
//!
//! Deprecated fields that 1.6 still accepts (`metadata.manufacture`, `component.author`, the
//! `metadata.tools` array, `component.modified`) stay where they are: moving them would change
//! what the document says (e.g. `author` is free text, `authors` are contacts).

use serde_json::Value;

use super::SUPPORTED_MINOR;

/// Why a document cannot be upgraded without losing or changing something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {why}")]
pub struct UpgradeError {
    /// JSON pointer of the value that cannot be carried over.
    pub pointer: String,
    /// What the newer version does not allow.
    pub why: String,
}

/// The newest spec minor aiprov upgrades to.
pub const UPGRADE_TARGET_MAX: u32 = 6;

/// Upgrade `value` (a CycloneDX 1.`from` JSON document) in place to 1.`to`, step by step.
/// `from < to <= 6`. Fails, leaving `value` partly changed, on the first value the newer
/// version cannot hold as it is.
pub fn upgrade(value: &mut Value, from: u32, to: u32) -> Result<(), UpgradeError> {
    assert!(
        SUPPORTED_MINOR.contains(&from) && from < to && to <= UPGRADE_TARGET_MAX,
        "upgrade 1.{from} -> 1.{to} is not a supported step"
    );
    for next in from + 1..=to {
        match next {
            3 => {
                each_license_list(value, "", &mut check_license_choice)?;
                encode_urls(value, false);
            }
            6 => each_component(value, "", &mut |c, _| wrap_identity(c)),
            _ => {}
        }
    }
    if let Some(root) = value.as_object_mut() {
        root.insert("specVersion".into(), Value::String(format!("1.{to}")));
        if root.contains_key("$schema") {
            root.insert(
                "$schema".into(),
                Value::String(format!(
                    "http://cyclonedx.org/schema/bom-1.{to}.schema.json"
                )),
            );
        }
    }
    Ok(())
}

/// Call `f` on every component object (top-level, nested, `metadata.component`, pedigree
/// ancestors/descendants/variants) with its JSON pointer.
fn each_component(value: &mut Value, at: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (k.as_str(), v) {
                    (
                        "components" | "ancestors" | "descendants" | "variants",
                        Value::Array(list),
                    ) => {
                        for (i, c) in list.iter_mut().enumerate() {
                            let p = format!("{here}/{i}");
                            f(c, &p);
                            each_component(c, &p, f);
                        }
                    }
                    ("component", c @ Value::Object(_)) => {
                        f(c, &here);
                        each_component(c, &here, f);
                    }
                    (_, v) => each_component(v, &here, f),
                }
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter_mut().enumerate() {
                each_component(v, &format!("{at}/{i}"), f);
            }
        }
        _ => {}
    }
}

/// Call `f` on every `licenses` array in the document, with its JSON pointer.
fn each_license_list(
    value: &mut Value,
    at: &str,
    f: &mut dyn FnMut(&Value, &str) -> Result<(), UpgradeError>,
) -> Result<(), UpgradeError> {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                if k == "licenses" && v.is_array() {
                    f(v, &here)?;
                }
                each_license_list(v, &here, f)?;
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter_mut().enumerate() {
                each_license_list(v, &format!("{at}/{i}"), f)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// 1.3+ `licenseChoice`: only `{"license": …}` entries, or exactly one `{"expression": …}`.
fn check_license_choice(list: &Value, at: &str) -> Result<(), UpgradeError> {
    let items = list.as_array().map(Vec::as_slice).unwrap_or(&[]);
    let expressions = items
        .iter()
        .filter(|l| l.get("expression").is_some())
        .count();
    if expressions == 0 || (expressions == 1 && items.len() == 1) {
        return Ok(());
    }
    Err(UpgradeError {
        pointer: at.to_string(),
        why: format!(
            "{} licenses of which {expressions} are expressions; CycloneDX 1.3 and later allow \
             either licenses or exactly one expression, and combining them would change what \
             the document says",
            items.len()
        ),
    })
}

/// Percent-encode, in every string under a `url`, `endpoints` or `references` key (1.3's
/// IRI-reference fields), the characters no IRI reference may contain (see [`iri_encoded`]).
fn encode_urls(value: &mut Value, in_url: bool) {
    match value {
        Value::String(s) if in_url => {
            if let Some(e) = iri_encoded(s) {
                *s = e;
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|v| encode_urls(v, in_url)),
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                encode_urls(v, matches!(k.as_str(), "url" | "endpoints" | "references"));
            }
        }
        _ => {}
    }
}

/// `s` with the characters RFC 3987 (and RFC 3986) allow nowhere in an IRI reference
/// percent-encoded as UTF-8 bytes: controls, space, `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`,
/// `}`, and a `%` not followed by two hex digits. `None` when nothing needs encoding.
pub fn iri_encoded(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let bad = |i: usize, c: char| match c {
        '%' => {
            !(bytes.len() > i + 2
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit())
        }
        ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => true,
        c => c.is_control(),
    };
    if !s.char_indices().any(|(i, c)| bad(i, c)) {
        return None;
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        if bad(i, c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// 1.6: `evidence.identity` as an array (1.5's single object becomes its only element).
fn wrap_identity(component: &mut Value) {
    if let Some(identity) = component
        .get_mut("evidence")
        .and_then(|e| e.get_mut("identity"))
    {
        if identity.is_object() {
            let one = identity.take();
            *identity = Value::Array(vec![one]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn steps() {
        let mut v = json!({"$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json", "bomFormat": "CycloneDX", "specVersion": "1.5",
            "metadata": {"component": {"type": "library", "name": "m", "evidence": {"identity": {"field": "purl", "confidence": 1}}}},
            "components": [{"type": "library", "name": "a", "evidence": {"identity": {"field": "name"}},
                "components": [{"type": "library", "name": "b", "evidence": {"identity": [{"field": "hash"}]}}]}]});
        upgrade(&mut v, 5, 6).unwrap();
        assert_eq!(
            v,
            json!({"$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json", "bomFormat": "CycloneDX", "specVersion": "1.6",
                "metadata": {"component": {"type": "library", "name": "m", "evidence": {"identity": [{"field": "purl", "confidence": 1}]}}},
                "components": [{"type": "library", "name": "a", "evidence": {"identity": [{"field": "name"}]},
                    "components": [{"type": "library", "name": "b", "evidence": {"identity": [{"field": "hash"}]}}]}]})
        );
        // 1.2: no $schema is added; licenses are checked
        let mut v = json!({"bomFormat": "CycloneDX", "specVersion": "1.2", "components": [
            {"type": "library", "name": "a", "licenses": [{"license": {"id": "MIT"}}, {"license": {"name": "x"}}]},
            {"type": "library", "name": "b", "licenses": [{"expression": "MIT OR Apache-2.0"}]}]});
        let want = {
            let mut w = v.clone();
            w["specVersion"] = json!("1.6");
            w
        };
        upgrade(&mut v, 2, 6).unwrap();
        assert_eq!(v, want);
        let mut mixed = json!({"bomFormat": "CycloneDX", "specVersion": "1.2", "components": [
            {"type": "library", "name": "a", "components": [{"type": "library", "name": "b",
                "licenses": [{"license": {"id": "MIT"}}, {"expression": "BSD-3-Clause"}]}]}]});
        assert_eq!(
            upgrade(&mut mixed, 2, 6).unwrap_err().to_string(),
            "/components/0/components/0/licenses: 2 licenses of which 1 are expressions; CycloneDX 1.3 and later allow either licenses or exactly one expression, and combining them would change what the document says"
        );
        // 1.3 URLs are IRI references
        let mut v = json!({"bomFormat": "CycloneDX", "specVersion": "1.2", "components": [{"type": "library", "name": "a",
            "externalReferences": [{"type": "issue-tracker", "url": "https://github.com/o/${project.artifactId}/issues"},
                                   {"type": "website", "url": "https://example.org/a%20b/100%/é"}]}],
            "services": [{"name": "s", "endpoints": ["https://x/{id}"], "description": "{not a url}"}]});
        upgrade(&mut v, 2, 3).unwrap();
        assert_eq!(
            v["components"][0]["externalReferences"][0]["url"],
            json!("https://github.com/o/$%7Bproject.artifactId%7D/issues")
        );
        assert_eq!(
            v["components"][0]["externalReferences"][1]["url"],
            json!("https://example.org/a%20b/100%25/é")
        );
        assert_eq!(v["services"][0]["endpoints"], json!(["https://x/%7Bid%7D"]));
        assert_eq!(v["services"][0]["description"], json!("{not a url}"));
        assert_eq!(iri_encoded("https://example.org/ok?q=1#f"), None);
        // from 1.3 the check is not needed (the 1.3 schema already enforces it)
        let mut v = json!({"bomFormat": "CycloneDX", "specVersion": "1.4"});
        upgrade(&mut v, 4, 5).unwrap();
        assert_eq!(v, json!({"bomFormat": "CycloneDX", "specVersion": "1.5"}));
    }
}
