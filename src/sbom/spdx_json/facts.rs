//! The minimum-element facts of an SPDX 2.2 / 2.3 document, JSON or tag-value (read through
//! its JSON view).

use std::collections::HashMap;

use serde_json::Value;

use crate::inventory::Inventory;
use crate::sbom::facts::{
    array, created_fact, from_values, hash_facts, says_unknown, shorten, spdx_tool_version, text,
    ComponentFacts, DocumentFacts, Fact, Field, Tally,
};

/// Strip an SPDX 2 `Person: ` / `Organization: ` / `Tool: ` prefix: `(kind, rest)`.
fn spdx_agent(s: &str) -> Option<(&str, &str)> {
    let (kind, rest) = s.split_once(':')?;
    let kind = kind.trim();
    matches!(kind, "Person" | "Organization" | "Tool").then(|| (kind, rest.trim()))
}

/// CISA "Types of SBOM" keywords that SPDX 2 writes in `creationInfo.comment` (Annex L).
const SPDX_CONTEXT_WORDS: &[&str] = &[
    "design", "source", "build", "analyzed", "deployed", "runtime",
];

/// The neutral facts of an SPDX 2.2 / 2.3 document in its JSON shape (`value`; tag-value is
/// read through [`crate::sbom::spdx_tv::json_view`]) with the relationships of its inventory.
///
/// | field | stated by | declared unknown by |
/// |---|---|---|
/// | SBOM Author | a `creationInfo.creators` entry `Person: …` or `Organization: …` (a `Tool:` is a tool, not an author) | `Person: NOASSERTION`, `Organization: NOASSERTION` |
/// | SBOM Author Signature | nothing: SPDX 2 has no in-document signature (an external envelope, Annex L) | — |
/// | SBOM Data Format Name / Version | `spdxVersion` `SPDX-2.x` | — |
/// | SBOM Generation Context | a CISA SBOM type (Design, Source, Build, Analyzed, Deployed, Runtime) as a word in `creationInfo.comment` | — |
/// | SBOM Timestamp | `creationInfo.created`, RFC 3339 | — |
/// | SBOM Tool Name | a `Tool: …` creator | — |
/// | SBOM Tool Version | each tool's `-<version>` suffix (`Tool: name-1.2`) | — |
/// | SBOM Version | `documentNamespace` (Annex L's approximation) | — |
/// | Component Producer | `originator` (Annex L), else `supplier` | `NOASSERTION` |
/// | Component Name / Version | `name`, `versionInfo` | `NOASSERTION` |
/// | Component Identifiers | an `externalRefs` entry of type `purl`, `cpe22Type`, `cpe23Type`, `swid`, `swh`, `gitoid` or category `PACKAGE-MANAGER` / `PERSISTENT-ID` | — |
/// | Component Hash Value / Algorithm | `checksums[]` `checksumValue` / `algorithm` | — |
/// | Component License | `licenseConcluded`, `licenseDeclared` (`NONE` is a statement) | `NOASSERTION` |
/// | Component Dependency Relationship | a `DEPENDS_ON` / `CONTAINS` relationship from the package (to `NONE` for a declared leaf), or `DEPENDENCY_OF` (and its `BUILD_`, `DEV_`, `RUNTIME_`… variants) / `CONTAINED_BY` to it; link relationships (`DYNAMIC_LINK`, `STATIC_LINK`) are not counted, the mapping names only these | a `DEPENDS_ON` / `CONTAINS` to `NOASSERTION` |
///
/// The components are the packages, those the document `DESCRIBES` (its subject) first.
pub fn facts(value: &Value, inventory: &Inventory, format: &str) -> DocumentFacts {
    let info = value.get("creationInfo").cloned().unwrap_or(Value::Null);
    let document = document_facts(value, &info);
    let doc_id = text(value, "SPDXID").unwrap_or("SPDXRef-DOCUMENT");
    let (owned, described) = relationships(doc_id, inventory);
    let components = packages(value, &described)
        .into_iter()
        .map(|p| component_facts(p, &owned))
        .collect();
    DocumentFacts {
        format: format.to_string(),
        document,
        components,
    }
}

/// [`facts`] with the packages given one at a time, by their index in `inventory.components`
/// (document order), instead of held in `head` (which has the document-level fields): SPDX 2
/// tag-value builds each package's JSON shape only while it is looked at, so `check` never holds
/// the JSON view of every package (issue 15: memory). Every package's SPDXID is its component's
/// `bom_ref` (the readers refuse repeats), so the order is [`facts`]'s: described packages first.
pub(crate) fn facts_each(
    head: &Value,
    inventory: &Inventory,
    format: &str,
    package: impl Fn(usize) -> Value,
) -> DocumentFacts {
    let info = head.get("creationInfo").cloned().unwrap_or(Value::Null);
    let document = document_facts(head, &info);
    let doc_id = text(head, "SPDXID").unwrap_or("SPDXRef-DOCUMENT");
    let (owned, described) = relationships(doc_id, inventory);
    let n = inventory.components.len();
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(n);
    for (i, c) in inventory.components.iter().enumerate() {
        if let Some(id) = c.bom_ref.as_deref() {
            by_id.entry(id).or_insert(i);
        }
    }
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for id in &described {
        if let Some(&i) = by_id.get(id) {
            if !std::mem::replace(&mut placed[i], true) {
                order.push(i);
            }
        }
    }
    order.extend((0..n).filter(|&i| !placed[i]));
    let components = order
        .into_iter()
        .map(|i| component_facts(&package(i), &owned))
        .collect();
    DocumentFacts {
        format: format.to_string(),
        document,
        components,
    }
}

/// The document-level fields, from `creationInfo` (`info`), `spdxVersion` and
/// `documentNamespace`.
fn document_facts(value: &Value, info: &Value) -> Vec<(Field, Tally)> {
    let creators: Vec<&str> = array(info, "creators")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut document = Vec::new();

    // SBOM Author
    let authors: Vec<&str> = creators
        .iter()
        .filter_map(|c| spdx_agent(c))
        .filter(|(k, _)| *k != "Tool")
        .map(|(_, n)| n)
        .collect();
    let fact = from_values(authors.iter().copied());
    let detail = match fact {
        Fact::Stated => format!(
            "creationInfo.creators: {}",
            shorten(
                &authors
                    .iter()
                    .copied()
                    .filter(|a| !says_unknown(a))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        ),
        Fact::Unknown => "creator NOASSERTION".into(),
        Fact::Missing => "no Person: or Organization: creator".into(),
    };
    document.push((Field::Author, Tally::one(fact, detail)));
    document.push((
        Field::Signature,
        Tally::one(Fact::Missing, "SPDX 2 has no in-document signature"),
    ));

    // Format
    let spdx_version = text(value, "spdxVersion").filter(|v| v.starts_with("SPDX-"));
    let (fact, detail) = match spdx_version {
        Some(v) => (Fact::Stated, format!("spdxVersion {v}")),
        None => (Fact::Missing, "no spdxVersion".to_string()),
    };
    document.push((Field::FormatName, Tally::one(fact, detail.clone())));
    document.push((Field::FormatVersion, Tally::one(fact, detail)));

    // Generation context
    let comment = text(info, "comment").unwrap_or("");
    let words: Vec<&str> = comment
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| SPDX_CONTEXT_WORDS.iter().any(|k| k.eq_ignore_ascii_case(w)))
        .collect();
    let (fact, detail) = if words.is_empty() {
        (
            Fact::Missing,
            "no SBOM type in creationInfo.comment".to_string(),
        )
    } else {
        (
            Fact::Stated,
            format!("creationInfo.comment: {}", shorten(&words.join(", "))),
        )
    };
    document.push((Field::GenerationContext, Tally::one(fact, detail)));

    // Timestamp
    let (fact, detail) = created_fact(info, "creationInfo");
    document.push((Field::Timestamp, Tally::one(fact, detail)));

    // Tools
    let tools: Vec<(&str, Option<&str>)> = creators
        .iter()
        .filter_map(|c| spdx_agent(c))
        .filter(|(k, n)| *k == "Tool" && !n.is_empty())
        .map(|(_, n)| spdx_tool_version(n))
        .collect();
    let detail = if tools.is_empty() {
        "no Tool: creator".to_string()
    } else {
        shorten(
            &tools
                .iter()
                .map(|(n, v)| v.map_or(n.to_string(), |v| format!("{n} {v}")))
                .collect::<Vec<_>>()
                .join(", "),
        )
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
    for (n, v) in &tools {
        versions.add(n, Fact::stated_if(v.is_some()));
    }
    document.push((Field::ToolVersion, versions));

    // SBOM Version
    let (fact, detail) = match text(value, "documentNamespace") {
        Some(ns) => (Fact::Stated, format!("documentNamespace {}", shorten(ns))),
        None => (Fact::Missing, "no documentNamespace".to_string()),
    };
    document.push((Field::SbomVersion, Tally::one(fact, detail)));

    document
}

/// What the relationships say about each element's dependencies (`DEPENDS_ON` / `CONTAINS`
/// from it, `…DEPENDENCY_OF` / `CONTAINED_BY` to it), and the elements the document `doc_id`
/// `DESCRIBES`, in order.
fn relationships<'a>(
    doc_id: &str,
    inventory: &'a Inventory,
) -> (HashMap<String, Fact>, Vec<&'a str>) {
    let mut described: Vec<&str> = Vec::new();
    // A set beside the ordered list: `contains` per relationship was quadratic (issue 15).
    let mut described_set: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let note = |id: &str, fact: Fact, deps: &mut HashMap<String, Fact>| {
        let e = deps.entry(id.to_string()).or_insert(fact);
        if fact == Fact::Stated {
            *e = Fact::Stated;
        }
    };
    let mut owned: HashMap<String, Fact> = HashMap::new();
    for r in &inventory.relationships {
        match r.kind.as_str() {
            "DEPENDS_ON" | "CONTAINS" => {
                let fact = if says_unknown(&r.to) {
                    Fact::Unknown
                } else {
                    Fact::Stated
                };
                note(&r.from, fact, &mut owned);
            }
            k if (k == "CONTAINED_BY" || k.ends_with("DEPENDENCY_OF"))
                && !says_unknown(&r.from)
                && r.from != "NONE" =>
            {
                note(&r.to, Fact::Stated, &mut owned);
            }
            "DESCRIBES" if r.from == doc_id && described_set.insert(r.to.as_str()) => {
                described.push(&r.to)
            }
            _ => {}
        }
    }

    (owned, described)
}

/// The packages, those in `described` first.
fn packages<'a>(value: &'a Value, described: &[&str]) -> Vec<&'a Value> {
    let packages = array(value, "packages");
    let mut order: Vec<&Value> = Vec::new();
    let mut by_id: HashMap<&str, Vec<&Value>> = HashMap::new();
    for p in packages {
        if let Some(id) = text(p, "SPDXID") {
            by_id.entry(id).or_default().push(p);
        }
    }
    for id in described {
        order.extend(by_id.get(id).into_iter().flatten().copied());
    }
    // A set of the packages already placed: a linear scan of `order` per package was
    // quadratic (200k packages took 35 s; issue 15).
    let mut placed: std::collections::HashSet<*const Value> =
        order.iter().map(|q| *q as *const Value).collect();
    for p in packages {
        if placed.insert(p as *const Value) {
            order.push(p);
        }
    }
    order
}

fn component_facts(p: &Value, owned: &HashMap<String, Fact>) -> ComponentFacts {
    let id = text(p, "SPDXID")
        .or_else(|| text(p, "name"))
        .unwrap_or("(unnamed)")
        .to_string();
    let agent = |k: &str| text(p, k).map(|v| spdx_agent(v).map_or(v, |(_, n)| n));
    let producer = match (agent("originator"), agent("supplier")) {
        (Some(o), _) if !says_unknown(o) => Fact::Stated,
        (o, s) => from_values(o.into_iter().chain(s)),
    };
    let name = Fact::stated_if(text(p, "name").is_some());
    let version = from_values(text(p, "versionInfo"));
    let identifiers = Fact::stated_if(array(p, "externalRefs").iter().any(|r| {
        text(r, "referenceLocator").is_some()
            && (matches!(
                text(r, "referenceType"),
                Some("purl" | "cpe22Type" | "cpe23Type" | "swid" | "swh" | "gitoid")
            ) || matches!(
                text(r, "referenceCategory"),
                Some("PACKAGE-MANAGER" | "PACKAGE_MANAGER" | "PERSISTENT-ID" | "PERSISTENT_ID")
            ))
    }));
    let (hash_value, hash_algorithm) =
        hash_facts(array(p, "checksums"), "checksumValue", "algorithm");
    let license = from_values(
        ["licenseConcluded", "licenseDeclared"]
            .iter()
            .filter_map(|k| text(p, k)),
    );
    let dependencies = owned.get(id.as_str()).copied().unwrap_or(Fact::Missing);
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
