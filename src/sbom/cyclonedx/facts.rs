//! The minimum-element facts of a CycloneDX document, and the elements aiprov can fill.
//!
//! What counts, for CycloneDX (every rule is in the extractor, with the field it reads):
//!
//! | field | stated by | declared unknown by |
//! |---|---|---|
//! | SBOM Author | `metadata.authors[]` (name or e-mail), `metadata.manufacturer.name` (1.6+) | name `unknown` |
//! | SBOM Author Signature | top-level `signature`, top-level `externalReferences[type=digital-signature]` (present; not verified) | — |
//! | SBOM Data Format Name / Version | `bomFormat`, `specVersion` | — |
//! | SBOM Generation Context | `metadata.lifecycles[]` (phase or name) | — |
//! | SBOM Timestamp | `metadata.timestamp`, RFC 3339 | — |
//! | SBOM Tool Name | a named entry of `metadata.tools` (legacy array or `components`/`services`) | — |
//! | SBOM Tool Version | each named tool's `version` | version `unknown` |
//! | SBOM Version | `version`, an integer ≥ 1 (the schema's default of 1 is not a statement) | — |
//! | Component Producer | `manufacturer.name`, `supplier.name`, `authors[]`, `author`, `publisher` | `unknown`, `NOASSERTION` |
//! | Component Name | `name` | — |
//! | Component Version | `version` | `unknown` |
//! | Component Identifiers | `purl`, `cpe`, `swid.tagId`, `omniborId[]`, `swhid[]`, property `cdx:cisa:component-identifier` | — |
//! | Component Hash Value / Algorithm | `hashes[]`, or the `hashes[]` of an `externalReferences[type=distribution]` (the distributed artifact; cyclonedx-npm writes them there) | — |
//! | Component License | `licenses[]`, or `evidence.licenses[]` (cyclonedx-gomod writes them only there) | id or name `NOASSERTION`, `unknown` |
//! | Component Dependency Relationship | a `dependencies[]` entry whose `ref` is the component's bom-ref (a leaf's entry is empty) | listed in `compositions[aggregate=unknown].dependencies` and no `dependsOn` |
//!
//! Anywhere, the properties `cdx:cisa:unknown-information` and `cdx:cisa:withheld-information`
//! (in `metadata.properties` for document fields, a component's `properties` for its own) whose
//! value names the element declare it unknown, unless the field is stated. The components are
//! `metadata.component` (the subject) and every entry of `components`, nested ones included.

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::sbom::cyclonedx;
use crate::sbom::facts::{
    array, declared_unknown, declares, from_values, hash_facts, says_unknown, shorten, text,
    with_declaration, ComponentFacts, DocumentFacts, Fact, Field, Tally,
};

/// The neutral facts of a CycloneDX JSON document (as read by [`cyclonedx::read`]).
pub fn facts(doc: &cyclonedx::Document) -> DocumentFacts {
    let root = &doc.value;
    let (major, minor) = doc.spec_version;
    let metadata = root
        .get("metadata")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    let document = document_facts(root, &metadata, doc.spec_version);
    // Components: the subject first, then every entry of `components`.
    let deps = dependencies(root);
    let mut components = Vec::new();
    if let Some(subject) = metadata.get("component").filter(|c| c.is_object()) {
        components.push(component_facts(subject, &deps));
    }
    for c in &doc.inventory.components {
        if let Some(obj) = root.pointer(&c.locator) {
            components.push(component_facts(obj, &deps));
        }
    }

    DocumentFacts {
        format: format!("CycloneDX {major}.{minor}"),
        document,
        components,
    }
}

/// The document-level fields; `cdx:cisa:` declarations in `metadata.properties` cover what is
/// not stated.
fn document_facts(
    root: &Value,
    metadata: &Value,
    (major, minor): (u32, u32),
) -> Vec<(Field, Tally)> {
    let declared = declared_unknown(metadata);
    let mut document = Vec::new();
    let mut put = |field: Field, mut t: Tally| {
        if t.stated < t.total.max(1) && declares(&declared, field) {
            // A declaration covers whatever is not stated.
            t.total = t.total.max(1);
            t.unknown = t.total - t.stated;
            t.detail = if t.detail.is_empty() {
                "declared unknown in metadata.properties".into()
            } else {
                format!("{}; declared unknown in metadata.properties", t.detail)
            };
        }
        document.push((field, t));
    };

    put(Field::Author, author(metadata, (major, minor)));
    put(Field::Signature, signature(root));
    // Format
    put(
        Field::FormatName,
        Tally::one(Fact::Stated, "bomFormat CycloneDX"),
    );
    put(
        Field::FormatVersion,
        Tally::one(Fact::Stated, format!("specVersion {major}.{minor}")),
    );

    put(Field::GenerationContext, generation_context(metadata));
    put(Field::Timestamp, timestamp(metadata));
    let (name, versions) = tool_tallies(metadata);
    put(Field::ToolName, name);
    put(Field::ToolVersion, versions);
    put(Field::SbomVersion, sbom_version(root));
    document
}

/// SBOM Author: `metadata.authors[]`, and `metadata.manufacturer` on 1.6+.
fn author(metadata: &Value, (major, minor): (u32, u32)) -> Tally {
    let mut names: Vec<&str> = Vec::new();
    for a in array(metadata, "authors") {
        names.extend(text(a, "name").or_else(|| text(a, "email")));
    }
    let mut where_ = "metadata.authors";
    if (major, minor) >= (1, 6) {
        if let Some(m) = metadata.get("manufacturer").and_then(|m| text(m, "name")) {
            if names.iter().all(|n| says_unknown(n)) {
                where_ = "metadata.manufacturer";
            }
            names.push(m);
        }
    }
    let fact = from_values(names.iter().copied());
    let detail = match fact {
        Fact::Stated => {
            let stated: Vec<&str> = names.iter().copied().filter(|n| !says_unknown(n)).collect();
            format!("{where_}: {}", shorten(&stated.join(", ")))
        }
        Fact::Unknown => "author named \"unknown\"".into(),
        Fact::Missing => "no metadata.authors or metadata.manufacturer".into(),
    };
    Tally::one(fact, detail)
}

/// SBOM Author Signature: an enveloped `signature` or a `digital-signature` reference.
fn signature(root: &Value) -> Tally {
    let detached = array(root, "externalReferences")
        .iter()
        .any(|r| text(r, "type") == Some("digital-signature") && text(r, "url").is_some());
    let (fact, detail) = if root.get("signature").is_some_and(Value::is_object) {
        (Fact::Stated, "enveloped signature present (not verified)")
    } else if detached {
        (
            Fact::Stated,
            "detached signature referenced (externalReferences digital-signature; not verified)",
        )
    } else {
        (Fact::Missing, "no signature or digital-signature reference")
    };
    Tally::one(fact, detail)
}

/// SBOM Generation Context: `metadata.lifecycles[]`.
fn generation_context(metadata: &Value) -> Tally {
    let phases: Vec<&str> = array(metadata, "lifecycles")
        .iter()
        .filter_map(|l| text(l, "phase").or_else(|| text(l, "name")))
        .collect();
    let (fact, detail) = if phases.is_empty() {
        (Fact::Missing, "no metadata.lifecycles".to_string())
    } else {
        (
            Fact::Stated,
            format!("metadata.lifecycles: {}", shorten(&phases.join(", "))),
        )
    };
    Tally::one(fact, detail)
}

/// SBOM Timestamp: `metadata.timestamp`, RFC 3339.
fn timestamp(metadata: &Value) -> Tally {
    let (fact, detail) = match metadata.get("timestamp") {
        None => (Fact::Missing, "no metadata.timestamp".to_string()),
        Some(Value::String(s)) if OffsetDateTime::parse(s, &Rfc3339).is_ok() => {
            (Fact::Stated, format!("metadata.timestamp {}", shorten(s)))
        }
        Some(other) => (
            Fact::Missing,
            format!(
                "metadata.timestamp is not RFC 3339: {}",
                shorten(&other.to_string())
            ),
        ),
    };
    Tally::one(fact, detail)
}

/// SBOM Tool Name and Tool Version: the named `metadata.tools` entries.
fn tool_tallies(metadata: &Value) -> (Tally, Tally) {
    let tools = tools(metadata);
    let named: Vec<&(String, Option<String>)> =
        tools.iter().filter(|(n, _)| !n.is_empty()).collect();
    let detail = named
        .iter()
        .map(|(n, v)| match v {
            Some(v) => format!("{n} {v}"),
            None => n.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let fact = if named.is_empty() {
        Fact::Missing
    } else {
        Fact::Stated
    };
    let name = Tally::one(
        fact,
        if named.is_empty() {
            "no named metadata.tools entry".to_string()
        } else {
            shorten(&detail)
        },
    );
    let mut versions = Tally {
        detail: shorten(&detail),
        ..Tally::default()
    };
    for (n, v) in &named {
        versions.add(n, from_values(v.as_deref()));
    }
    if named.is_empty() {
        versions.detail = "no named metadata.tools entry".into();
    }
    (name, versions)
}

/// SBOM Version: `version`, an integer ≥ 1.
fn sbom_version(root: &Value) -> Tally {
    let serial = text(root, "serialNumber");
    let (fact, detail) = match root.get("version") {
        Some(v) if v.as_u64().is_some_and(|n| n >= 1) => (
            Fact::Stated,
            match serial {
                Some(s) => format!("version {v}, serialNumber {}", shorten(s)),
                None => format!("version {v}, no serialNumber"),
            },
        ),
        Some(v) => (
            Fact::Missing,
            format!("version is not an integer ≥ 1: {}", shorten(&v.to_string())),
        ),
        None => (Fact::Missing, "no version".to_string()),
    };
    Tally::one(fact, detail)
}

/// `(name, version)` of every `metadata.tools` entry, legacy array or object form.
fn tools(metadata: &Value) -> Vec<(String, Option<String>)> {
    let entry = |t: &Value| {
        (
            text(t, "name").unwrap_or("").to_string(),
            text(t, "version").map(str::to_string),
        )
    };
    match metadata.get("tools") {
        Some(Value::Array(list)) => list.iter().map(entry).collect(),
        Some(Value::Object(o)) => ["components", "services"]
            .iter()
            .flat_map(|k| {
                o.get(*k)
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
            })
            .map(entry)
            .collect(),
        _ => Vec::new(),
    }
}

/// What `dependencies` and `compositions` say about each bom-ref.
#[derive(Default)]
struct Dependencies {
    /// bom-ref → number of `dependsOn` entries (0 for a declared leaf).
    declared: std::collections::HashMap<String, usize>,
    /// bom-refs whose dependencies a composition declares unknown.
    unknown: std::collections::HashSet<String>,
}

fn dependencies(root: &Value) -> Dependencies {
    let mut d = Dependencies::default();
    for dep in array(root, "dependencies") {
        if let Some(r) = text(dep, "ref") {
            *d.declared.entry(r.to_string()).or_insert(0) += array(dep, "dependsOn").len();
        }
    }
    for comp in array(root, "compositions") {
        if text(comp, "aggregate") == Some("unknown") {
            for r in array(comp, "dependencies") {
                if let Some(r) = r.as_str() {
                    d.unknown.insert(r.to_string());
                }
            }
        }
    }
    d
}

fn component_facts(c: &Value, deps: &Dependencies) -> ComponentFacts {
    let declared = declared_unknown(c);
    let bom_ref = text(c, "bom-ref");
    let id = bom_ref
        .or_else(|| text(c, "purl"))
        .map(str::to_string)
        .unwrap_or_else(|| {
            let name = text(c, "name").unwrap_or("(unnamed)");
            match text(c, "version") {
                Some(v) => format!("{name}@{v}"),
                None => name.to_string(),
            }
        });

    // Producer
    let mut producers: Vec<&str> = Vec::new();
    producers.extend(c.get("manufacturer").and_then(|m| text(m, "name")));
    producers.extend(c.get("supplier").and_then(|m| text(m, "name")));
    for a in array(c, "authors") {
        producers.extend(text(a, "name").or_else(|| text(a, "email")));
    }
    producers.extend(text(c, "author"));
    producers.extend(text(c, "publisher"));
    let producer = from_values(producers);

    let name = Fact::stated_if(text(c, "name").is_some());
    let version = match text(c, "version") {
        Some(v) => from_values([v]),
        None if c
            .get("versionRange")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty()) =>
        {
            Fact::Stated
        }
        None => Fact::Missing,
    };

    let identifiers = identifiers(c);

    let (hash_value, hash_algorithm) = hashes(c);

    let license = license(c);

    let dependencies = match bom_ref {
        Some(r) => match deps.declared.get(r) {
            Some(n) if *n > 0 => Fact::Stated,
            _ if deps.unknown.contains(r) => Fact::Unknown,
            Some(_) => Fact::Stated,
            None => Fact::Missing,
        },
        None => Fact::Missing,
    };

    let facts = vec![
        (Field::Producer, producer),
        (Field::Name, name),
        (Field::Version, version),
        (Field::Identifiers, identifiers),
        (Field::HashValue, hash_value),
        (Field::HashAlgorithm, hash_algorithm),
        (Field::License, license),
        (Field::Dependencies, dependencies),
    ]
    .into_iter()
    .map(|(f, x)| (f, with_declaration(x, &declared, f)))
    .collect();
    ComponentFacts { id, facts }
}

/// Component Identifiers: `purl`, `cpe`, `swid.tagId`, `omniborId[]`, `swhid[]` or a
/// `cdx:cisa:component-identifier` property.
fn identifiers(c: &Value) -> Fact {
    let swid = c.get("swid").and_then(|s| text(s, "tagId")).is_some();
    let listed = |k: &str| {
        array(c, k)
            .iter()
            .any(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()))
    };
    let prop = array(c, "properties").iter().any(|p| {
        p.get("name").and_then(Value::as_str) == Some("cdx:cisa:component-identifier")
            && text(p, "value").is_some()
    });
    Fact::stated_if(
        text(c, "purl").is_some()
            || text(c, "cpe").is_some()
            || swid
            || listed("omniborId")
            || listed("swhid")
            || prop,
    )
}

/// Component Hash Value and Algorithm: the component's own `hashes[]`, or its distribution
/// artifact's.
fn hashes(c: &Value) -> (Fact, Fact) {
    let mut hashes: Vec<&Value> = array(c, "hashes").iter().collect();
    for r in array(c, "externalReferences") {
        if text(r, "type") == Some("distribution") {
            hashes.extend(array(r, "hashes"));
        }
    }
    hash_facts(hashes, "content", "alg")
}

/// Component License: `licenses[]`, or `evidence.licenses[]`.
fn license(c: &Value) -> Fact {
    let mut licenses: Vec<&str> = Vec::new();
    let evidence = c.get("evidence").cloned().unwrap_or(Value::Null);
    for l in array(c, "licenses")
        .iter()
        .chain(array(&evidence, "licenses"))
    {
        if let Some(e) = text(l, "expression") {
            licenses.push(e);
        }
        if let Some(lic) = l.get("license") {
            licenses.extend(
                text(lic, "id")
                    .or_else(|| text(lic, "name"))
                    .or_else(|| text(lic, "url")),
            );
        }
    }
    from_values(licenses)
}

/// Fill, in a CycloneDX JSON document, the minimum elements aiprov knows for certain and that
/// are not there yet: its own entry in `metadata.tools` (SBOM Tool Name and Version), the
/// `metadata.timestamp` (SBOM Timestamp) and `version` 1 (SBOM Version: the schema's default,
/// now stated). Nothing else is guessed: not the author, the generation context, a license or a
/// supplier. Returns the CISA 2026 names of the elements filled, in that order; a document that
/// has them all is left unchanged.
pub fn fill_min_elements(
    doc: &mut Value,
    tool_version: &str,
    timestamp: OffsetDateTime,
) -> Vec<&'static str> {
    let mut filled = Vec::new();
    let Some(root) = doc.as_object_mut() else {
        return filled;
    };
    let spec = root
        .get("specVersion")
        .and_then(Value::as_str)
        .and_then(|s| s.split_once('.'))
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
        .unwrap_or((1, 6));
    if !root.contains_key("metadata") {
        root.insert("metadata".into(), Value::Object(Map::new()));
    }
    if let Some(Value::Object(metadata)) = root.get_mut("metadata") {
        let ours = tools(&Value::Object(metadata.clone()))
            .into_iter()
            .find(|(n, _)| n == cyclonedx::TOOL_NAME);
        match ours {
            Some((_, Some(_))) => {}
            Some((_, None)) => {
                if cyclonedx::set_tool(metadata, spec, tool_version).is_ok() {
                    filled.push("SBOM Tool Version");
                }
            }
            None => {
                if cyclonedx::set_tool(metadata, spec, tool_version).is_ok() {
                    filled.push("SBOM Tool Name");
                    filled.push("SBOM Tool Version");
                }
            }
        }
        if !metadata.contains_key("timestamp") {
            metadata.insert(
                "timestamp".into(),
                Value::String(cyclonedx::format_timestamp(timestamp)),
            );
            filled.push("SBOM Timestamp");
        }
    }
    if !root.contains_key("version") {
        root.insert("version".into(), Value::from(1u64));
        filled.push("SBOM Version");
    }
    filled
}
