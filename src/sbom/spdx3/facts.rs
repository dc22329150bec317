//! The minimum-element facts of an SPDX 3.0.1 JSON-LD document.

use std::collections::HashMap;

use serde_json::Value;

use crate::sbom::facts::{
    array, created_fact, from_values, hash_facts, says_unknown, shorten, spdx_tool_version, text,
    ComponentFacts, DocumentFacts, Fact, Field, Tally,
};

/// The neutral facts of an SPDX 3.0.1 JSON-LD document.
///
/// | field | stated by | declared unknown by |
/// |---|---|---|
/// | SBOM Author | the `CreationInfo`'s `createdBy` agents with a `name` | the `NoAssertionElement` individual |
/// | SBOM Author Signature | nothing in 3.0.1 core | — |
/// | SBOM Data Format Name / Version | an SPDX 3 `@context`; `CreationInfo.specVersion` | — |
/// | SBOM Generation Context | a `software_Sbom`'s `software_sbomType[]` | — |
/// | SBOM Timestamp | `CreationInfo.created`, RFC 3339 | — |
/// | SBOM Tool Name | the `createdUsing` `Tool` elements with a `name` | — |
/// | SBOM Tool Version | a `software_Package` of the tool's name with a `software_packageVersion` (a `Tool` has no version property), or a `name-<version>` tool name | — |
/// | SBOM Version | the `SpdxDocument`'s `spdxId` | — |
/// | Component Producer | `originatedBy`, `suppliedBy` | the `NoAssertionElement` individual |
/// | Component Name / Version | `name`, `software_packageVersion` | `NOASSERTION` |
/// | Component Identifiers | `software_packageUrl`, `externalIdentifier[]`, `software_contentIdentifier[]` | — |
/// | Component Hash Value / Algorithm | `verifiedUsing[]` `Hash` `hashValue` / `algorithm` | — |
/// | Component License | a `hasDeclaredLicense` / `hasConcludedLicense` relationship from the package | to `NoAssertionLicense` |
/// | Component Dependency Relationship | a `dependsOn` / `contains` relationship from the package (empty `to` with `completeness` `complete` for a leaf) | `completeness` `noAssertion` |
///
/// Every element sharing the document's `CreationInfo` counts; the components are the
/// `software_Package` elements, the `rootElement`s of the `software_Sbom` first.
pub fn facts(value: &Value, format: &str) -> DocumentFacts {
    let g = Graph {
        graph: array(value, "@graph"),
    };
    // The document's CreationInfo: the SpdxDocument's, else the first.
    let spdx_doc = g.graph.iter().find(|e| ty(e) == "SpdxDocument");
    let info = spdx_doc
        .and_then(|d| d.get("creationInfo"))
        .and_then(|c| match c {
            Value::String(id) => g.by_id(id),
            Value::Object(_) => Some(c),
            _ => None,
        })
        .or_else(|| g.graph.iter().find(|e| ty(e) == "CreationInfo"))
        .cloned()
        .unwrap_or(Value::Null);
    let document = document_facts(&g, value, &info, spdx_doc);
    let relationships = relationships(&g);
    let components = packages(&g)
        .into_iter()
        .map(|p| component_facts(&g, p, &relationships))
        .collect();
    DocumentFacts {
        format: format.to_string(),
        document,
        components,
    }
}

/// The `@graph` of a document, with lookups by id.
struct Graph<'a> {
    graph: &'a [Value],
}

impl<'a> Graph<'a> {
    /// The element whose `spdxId` (or `@id`) is `id`.
    fn by_id(&self, id: &str) -> Option<&'a Value> {
        self.graph
            .iter()
            .find(|e| text(e, "spdxId") == Some(id) || text(e, "@id") == Some(id))
    }

    /// The names of the agents `ids` (`NOASSERTION` for the `NoAssertionElement`, empty for an
    /// agent without a name).
    fn agents(&self, ids: Vec<String>) -> Vec<String> {
        ids.iter()
            .map(|id| {
                if is_no_assertion(id) {
                    "NOASSERTION".to_string()
                } else {
                    self.by_id(id)
                        .and_then(|a| text(a, "name"))
                        .unwrap_or("")
                        .to_string()
                }
            })
            .collect()
    }
}

fn is_no_assertion(id: &str) -> bool {
    id.ends_with("/NoAssertionElement") || id.ends_with("/NoAssertionLicense")
}

fn ty(e: &Value) -> &str {
    text(e, "type").or_else(|| text(e, "@type")).unwrap_or("")
}

/// The string or strings under `k`.
fn strs(e: &Value, k: &str) -> Vec<String> {
    match e.get(k) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// The document-level fields, from the document's `CreationInfo` (`info`), its `@context`, its
/// `software_Sbom` elements and its `SpdxDocument`.
fn document_facts(
    g: &Graph,
    value: &Value,
    info: &Value,
    spdx_doc: Option<&Value>,
) -> Vec<(Field, Tally)> {
    let mut document = Vec::new();

    let authors = g.agents(strs(info, "createdBy"));
    let fact = from_values(authors.iter().map(String::as_str));
    let detail = match fact {
        Fact::Stated => format!(
            "CreationInfo.createdBy: {}",
            shorten(
                &authors
                    .iter()
                    .filter(|a| !says_unknown(a) && !a.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        ),
        Fact::Unknown => "createdBy NoAssertionElement".into(),
        Fact::Missing => "no named CreationInfo.createdBy agent".into(),
    };
    document.push((Field::Author, Tally::one(fact, detail)));
    document.push((
        Field::Signature,
        Tally::one(Fact::Missing, "SPDX 3.0.1 has no in-document signature"),
    ));

    let context = match value.get("@context") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let (fact, detail) = if context.contains("spdx.org/rdf/3") {
        (Fact::Stated, format!("@context {}", shorten(&context)))
    } else {
        (Fact::Missing, "no SPDX 3 @context".to_string())
    };
    document.push((Field::FormatName, Tally::one(fact, detail)));
    let (fact, detail) = match text(info, "specVersion") {
        Some(v) => (Fact::Stated, format!("CreationInfo.specVersion {v}")),
        None => (Fact::Missing, "no CreationInfo.specVersion".to_string()),
    };
    document.push((Field::FormatVersion, Tally::one(fact, detail)));

    let types: Vec<String> = g
        .graph
        .iter()
        .filter(|e| ty(e) == "software_Sbom")
        .flat_map(|e| strs(e, "software_sbomType"))
        .collect();
    let (fact, detail) = if types.is_empty() {
        (
            Fact::Missing,
            "no software_Sbom.software_sbomType".to_string(),
        )
    } else {
        (
            Fact::Stated,
            format!("software_sbomType: {}", shorten(&types.join(", "))),
        )
    };
    document.push((Field::GenerationContext, Tally::one(fact, detail)));

    let (fact, detail) = created_fact(info, "CreationInfo");
    document.push((Field::Timestamp, Tally::one(fact, detail)));

    let tools: Vec<String> = g
        .agents(strs(info, "createdUsing"))
        .into_iter()
        .filter(|n| !n.is_empty() && !says_unknown(n))
        .collect();
    let detail = if tools.is_empty() {
        "no named CreationInfo.createdUsing tool".to_string()
    } else {
        shorten(&tools.join(", "))
    };
    let fact = if tools.is_empty() {
        Fact::Missing
    } else {
        Fact::Stated
    };
    document.push((Field::ToolName, Tally::one(fact, detail.clone())));
    let mut versions = Tally {
        detail,
        ..Tally::default()
    };
    for n in &tools {
        let package = g.graph.iter().any(|e| {
            ty(e) == "software_Package"
                && text(e, "name") == Some(n.as_str())
                && text(e, "software_packageVersion").is_some()
        });
        let stated = package || spdx_tool_version(n).1.is_some();
        versions.add(n, if stated { Fact::Stated } else { Fact::Missing });
    }
    document.push((Field::ToolVersion, versions));

    let (fact, detail) = match spdx_doc.and_then(|d| text(d, "spdxId")) {
        Some(id) => (Fact::Stated, format!("SpdxDocument {}", shorten(id))),
        None => (Fact::Missing, "no SpdxDocument spdxId".to_string()),
    };
    document.push((Field::SbomVersion, Tally::one(fact, detail)));

    document
}

/// What the `Relationship` elements say about each element: its dependencies and its license.
#[derive(Default)]
struct Relationships {
    deps: HashMap<String, Fact>,
    licenses: HashMap<String, Fact>,
}

fn relationships(g: &Graph) -> Relationships {
    // Relationships from each element.
    let mut out = Relationships::default();
    for r in g.graph.iter().filter(|e| ty(e) == "Relationship") {
        let (Some(from), Some(kind)) = (text(r, "from"), text(r, "relationshipType")) else {
            continue;
        };
        let to = strs(r, "to");
        let completeness = text(r, "completeness");
        let (map, fact) = match kind {
            "dependsOn" | "contains" => {
                let fact = if completeness == Some("noAssertion")
                    || to.iter().all(|t| is_no_assertion(t)) && !to.is_empty()
                {
                    Fact::Unknown
                } else if !to.is_empty() || completeness == Some("complete") {
                    Fact::Stated
                } else {
                    continue;
                };
                (&mut out.deps, fact)
            }
            "hasDeclaredLicense" | "hasConcludedLicense" => {
                let fact = if to.is_empty() {
                    continue;
                } else if to.iter().all(|t| is_no_assertion(t)) {
                    Fact::Unknown
                } else {
                    Fact::Stated
                };
                (&mut out.licenses, fact)
            }
            _ => continue,
        };
        let e = map.entry(from.to_string()).or_insert(fact);
        if fact == Fact::Stated {
            *e = Fact::Stated;
        }
    }

    out
}

/// The `software_Package` elements, the `rootElement`s of the `software_Sbom`s first.
fn packages<'a>(g: &Graph<'a>) -> Vec<&'a Value> {
    let roots: Vec<String> = g
        .graph
        .iter()
        .filter(|e| ty(e) == "software_Sbom")
        .flat_map(|e| strs(e, "rootElement"))
        .collect();
    let packages: Vec<&Value> = g
        .graph
        .iter()
        .filter(|e| ty(e) == "software_Package")
        .collect();
    let mut order: Vec<&Value> = Vec::new();
    for id in &roots {
        order.extend(
            packages
                .iter()
                .copied()
                .filter(|p| text(p, "spdxId") == Some(id.as_str())),
        );
    }
    // A set of the packages already placed, not a scan of `order` per package (issue 15).
    let mut placed: std::collections::HashSet<*const Value> =
        order.iter().map(|q| *q as *const Value).collect();
    for p in &packages {
        if placed.insert(*p as *const Value) {
            order.push(p);
        }
    }
    order
}

fn component_facts(g: &Graph, p: &Value, rel: &Relationships) -> ComponentFacts {
    let id = text(p, "spdxId")
        .or_else(|| text(p, "name"))
        .unwrap_or("(unnamed)")
        .to_string();
    let producers = g.agents(
        strs(p, "originatedBy")
            .into_iter()
            .chain(strs(p, "suppliedBy"))
            .collect(),
    );
    let producer = from_values(producers.iter().map(String::as_str));
    let name = Fact::stated_if(text(p, "name").is_some());
    let version = from_values(text(p, "software_packageVersion"));
    let identifiers = Fact::stated_if(
        text(p, "software_packageUrl").is_some()
            || array(p, "externalIdentifier")
                .iter()
                .any(|x| text(x, "identifier").is_some())
            || array(p, "software_contentIdentifier")
                .iter()
                .any(|x| text(x, "software_contentIdentifierValue").is_some()),
    );
    let (hash_value, hash_algorithm) =
        hash_facts(array(p, "verifiedUsing"), "hashValue", "algorithm");
    let license = rel.licenses.get(&id).copied().unwrap_or(Fact::Missing);
    let dependencies = rel.deps.get(&id).copied().unwrap_or(Fact::Missing);
    ComponentFacts {
        id,
        facts: vec![
            (Field::Producer, producer),
            (Field::Name, name),
            (Field::Version, version),
            (Field::Identifiers, identifiers),
            (Field::HashValue, hash_value),
            (Field::HashAlgorithm, hash_algorithm),
            (Field::License, license),
            (Field::Dependencies, dependencies),
        ],
    }
}
