//! Minimum-elements check: does an SBOM carry the data fields of CISA 2026, the CISA 2025
//! draft or NTIA 2021 (`../shared/docs/sbom-mapping.md` §1–2)?
//!
//! Two steps, so that every SBOM format plugs in the same way:
//!
//! 1. a format's extractor turns the document into neutral [`DocumentFacts`]: for each
//!    document-level [`Field`] a [`Tally`], and for each component whether each component-level
//!    field is [`Fact::Stated`], [`Fact::Unknown`] (declared unknown or withheld) or
//!    [`Fact::Missing`]. [`facts`] picks the extractor for any [`crate::sbom::Document`]:
//!    [`cyclonedx_facts`] (CycloneDX JSON, and XML through its JSON view), [`spdx2_facts`]
//!    (SPDX 2 JSON and tag-value) and [`spdx3_facts`] (SPDX 3.0.1), each documenting what it
//!    reads (`NOASSERTION` → [`Fact::Unknown`]).
//! 2. [`check`] maps a [`Profile`]'s elements onto those fields and gives each element a
//!    [`Status`]: `pass` (every subject states it), `declared-unknown` (every subject states it
//!    or declares it unknown, at least one declares), `missing` (none states or declares it) or
//!    `partial` (some do, some miss it).
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

use serde::Serialize;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::inventory::Inventory;
use crate::sbom::{self, cyclonedx};

/// Bom-refs of failing components listed per element.
pub const MAX_EXAMPLES: usize = 5;

/// A set of minimum elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// CISA "2026 Minimum Elements for a Software Bill of Materials" (v2.1, 29 July 2026):
    /// 9 SBOM-level and 8 component-level data fields.
    Cisa2026,
    /// The CISA 2025 public-comment draft: 11 data fields.
    Cisa2025Draft,
    /// NTIA "The Minimum Elements For a SBOM" (2021): 7 data fields.
    Ntia2021,
}

impl Profile {
    /// Every profile, newest first.
    pub const ALL: [Profile; 3] = [Profile::Cisa2026, Profile::Cisa2025Draft, Profile::Ntia2021];

    /// The name used on the command line and in output (`cisa-2026`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Cisa2026 => "cisa-2026",
            Profile::Cisa2025Draft => "cisa-2025-draft",
            Profile::Ntia2021 => "ntia-2021",
        }
    }

    /// The profile named `s`.
    pub fn parse(s: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The profile's elements, in the order of its source document: (element name, field).
    pub fn elements(self) -> &'static [(&'static str, Field)] {
        use Field::*;
        match self {
            Profile::Cisa2026 => &[
                ("SBOM Author", Author),
                ("SBOM Author Signature", Signature),
                ("SBOM Data Format Name", FormatName),
                ("SBOM Data Format Version", FormatVersion),
                ("SBOM Generation Context", GenerationContext),
                ("SBOM Timestamp", Timestamp),
                ("SBOM Tool Name", ToolName),
                ("SBOM Tool Version", ToolVersion),
                ("SBOM Version", SbomVersion),
                ("Component Producer", Producer),
                ("Component Name", Name),
                ("Component Version", Version),
                ("Component Identifiers", Identifiers),
                ("Component Hash Value", HashValue),
                ("Component Hash Algorithm", HashAlgorithm),
                ("Component License", License),
                ("Component Dependency Relationship", Dependencies),
            ],
            Profile::Cisa2025Draft => &[
                ("SBOM Author", Author),
                ("Software Producer", Producer),
                ("Component Name", Name),
                ("Component Version", Version),
                ("Software Identifiers", Identifiers),
                ("Component Hash", HashValue),
                ("License", License),
                ("Dependency Relationship", Dependencies),
                ("Tool Name", ToolName),
                ("Timestamp", Timestamp),
                ("Generation Context", GenerationContext),
            ],
            Profile::Ntia2021 => &[
                ("Supplier Name", Producer),
                ("Component Name", Name),
                ("Version of the Component", Version),
                ("Other Unique Identifiers", Identifiers),
                ("Dependency Relationship", Dependencies),
                ("Author of SBOM Data", Author),
                ("Timestamp", Timestamp),
            ],
        }
    }
}

/// A data field, whatever a profile calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// Who made the SBOM data.
    Author,
    /// A signature by the SBOM author.
    Signature,
    /// The data format's name.
    FormatName,
    /// The data format's version.
    FormatVersion,
    /// The lifecycle phase the SBOM was made in.
    GenerationContext,
    /// When the SBOM data was last updated.
    Timestamp,
    /// The tools that made or amended the SBOM.
    ToolName,
    /// Each tool's version.
    ToolVersion,
    /// The SBOM document's version.
    SbomVersion,
    /// Who made the component (supplier, manufacturer, author).
    Producer,
    /// The component's name.
    Name,
    /// The component's version.
    Version,
    /// purl, CPE, SWID, OmniBOR, SWHID.
    Identifiers,
    /// A hash of the component's artifact.
    HashValue,
    /// The algorithm of that hash.
    HashAlgorithm,
    /// The component's license.
    License,
    /// The component's dependencies (or that it has none).
    Dependencies,
}

impl Field {
    /// Whether the field is about the document (else about each component).
    pub fn is_document(self) -> bool {
        matches!(
            self,
            Field::Author
                | Field::Signature
                | Field::FormatName
                | Field::FormatVersion
                | Field::GenerationContext
                | Field::Timestamp
                | Field::ToolName
                | Field::ToolVersion
                | Field::SbomVersion
        )
    }

    /// Every name a profile gives this field, for matching `cdx:cisa:unknown-information` values.
    fn names(self) -> impl Iterator<Item = &'static str> {
        Profile::ALL
            .into_iter()
            .flat_map(|p| p.elements().iter())
            .filter(move |(_, f)| *f == self)
            .map(|(n, _)| *n)
    }
}

/// One field of one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// The document states it.
    Stated,
    /// The document says it is unknown or withheld.
    Unknown,
    /// Nothing about it.
    Missing,
}

/// Counts for one field over its subjects (one document, its tools, or its components).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Subjects that state it.
    pub stated: usize,
    /// Subjects that declare it unknown.
    pub unknown: usize,
    /// All subjects.
    pub total: usize,
    /// Ids of the subjects that do not state it, in document order.
    pub failing: Vec<String>,
    /// One line on what was found (for document fields), e.g. `metadata.timestamp 2024-09-14T10:48:24Z`.
    pub detail: String,
}

impl Tally {
    fn one(fact: Fact, detail: impl Into<String>) -> Tally {
        let mut t = Tally {
            total: 1,
            detail: detail.into(),
            ..Tally::default()
        };
        match fact {
            Fact::Stated => t.stated = 1,
            Fact::Unknown => t.unknown = 1,
            Fact::Missing => {}
        }
        t
    }

    fn add(&mut self, id: &str, fact: Fact) {
        self.total += 1;
        match fact {
            Fact::Stated => self.stated += 1,
            Fact::Unknown => {
                self.unknown += 1;
                self.failing.push(id.to_string());
            }
            Fact::Missing => self.failing.push(id.to_string()),
        }
    }

    /// The element status these counts give.
    pub fn status(&self) -> Status {
        if self.total == 0 || (self.stated == 0 && self.unknown == 0) {
            Status::Missing
        } else if self.stated == self.total {
            Status::Pass
        } else if self.stated + self.unknown == self.total {
            Status::DeclaredUnknown
        } else {
            Status::Partial
        }
    }
}

/// The facts of one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentFacts {
    /// How to name it in output: its bom-ref, else its purl, else `name@version`.
    pub id: String,
    /// Each component-level field.
    pub facts: Vec<(Field, Fact)>,
}

/// What a format extractor found in one document: the neutral view the checker reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentFacts {
    /// The format, e.g. `CycloneDX 1.6`.
    pub format: String,
    /// Each document-level field.
    pub document: Vec<(Field, Tally)>,
    /// Every component, the document's subject first.
    pub components: Vec<ComponentFacts>,
}

impl DocumentFacts {
    /// The counts for `field`, over the document or its components.
    pub fn tally(&self, field: Field) -> Tally {
        if field.is_document() {
            return self
                .document
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
        }
        let mut t = Tally::default();
        for c in &self.components {
            let fact = c
                .facts
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, x)| *x)
                .unwrap_or(Fact::Missing);
            t.add(&c.id, fact);
        }
        t
    }
}

/// An element's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every subject states it.
    Pass,
    /// No subject states or declares it.
    Missing,
    /// Every subject states it or declares it unknown; not a pass, not a miss.
    DeclaredUnknown,
    /// Some subjects state or declare it, others miss it.
    Partial,
}

impl Status {
    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Missing => "missing",
            Status::DeclaredUnknown => "declared-unknown",
            Status::Partial => "partial",
        }
    }
}

/// One element of a profile, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElementResult {
    /// The element's name in the profile (`SBOM Timestamp`, `Component Hash Value`, …).
    pub element: &'static str,
    /// `document` or `component`.
    pub scope: &'static str,
    /// The outcome.
    pub status: Status,
    /// Subjects that state it.
    pub passing: usize,
    /// All subjects (1 for most document fields, the tools for SBOM Tool Version).
    pub total: usize,
    /// Up to [`MAX_EXAMPLES`] ids of the subjects that do not state it.
    pub examples: Vec<String>,
    /// What was found, for document fields; empty otherwise.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// The check of one document against one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The profile's name.
    pub profile: &'static str,
    /// The document's format, e.g. `CycloneDX 1.6`.
    pub format: String,
    /// Each element, in the profile's order.
    pub elements: Vec<ElementResult>,
}

impl Report {
    /// Whether any element is missing (the check's exit code 1).
    pub fn has_missing(&self) -> bool {
        self.elements.iter().any(|e| e.status == Status::Missing)
    }
}

/// Check `facts` against `profile`.
pub fn check(facts: &DocumentFacts, profile: Profile) -> Report {
    let elements = profile
        .elements()
        .iter()
        .map(|(name, field)| {
            let t = facts.tally(*field);
            ElementResult {
                element: name,
                scope: if field.is_document() {
                    "document"
                } else {
                    "component"
                },
                status: t.status(),
                passing: t.stated,
                total: t.total,
                examples: t.failing.iter().take(MAX_EXAMPLES).cloned().collect(),
                detail: t.detail,
            }
        })
        .collect();
    Report {
        profile: profile.as_str(),
        format: facts.format.clone(),
        elements,
    }
}

// ---------------------------------------------------------------------------------------------
// CycloneDX JSON extraction

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `unknown`, `NOASSERTION` and friends: a value that says it is not known.
fn says_unknown(s: &str) -> bool {
    let s = s.trim();
    s.eq_ignore_ascii_case("unknown") || s.eq_ignore_ascii_case("noassertion")
}

/// The element names declared unknown or withheld by `cdx:cisa:` properties of `obj`.
fn declared_unknown(obj: &Value) -> Vec<String> {
    array(obj, "properties")
        .iter()
        .filter(|p| {
            matches!(
                p.get("name").and_then(Value::as_str),
                Some("cdx:cisa:unknown-information" | "cdx:cisa:withheld-information")
            )
        })
        .filter_map(|p| p.get("value").and_then(Value::as_str))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect()
}

fn declares(declared: &[String], field: Field) -> bool {
    field
        .names()
        .any(|n| declared.iter().any(|d| *d == n.to_ascii_lowercase()))
}

/// A fact from a list of candidate values: stated if any is a real value, unknown if the only
/// ones say `unknown`/`NOASSERTION`, missing if there are none.
fn from_values<'a>(values: impl IntoIterator<Item = &'a str>) -> Fact {
    let mut fact = Fact::Missing;
    for v in values {
        if says_unknown(v) {
            fact = Fact::Unknown;
        } else if !v.trim().is_empty() {
            return Fact::Stated;
        }
    }
    fact
}

/// Apply `cdx:cisa` declarations: they turn a missing field into a declared unknown.
fn with_declaration(fact: Fact, declared: &[String], field: Field) -> Fact {
    if fact == Fact::Missing && declares(declared, field) {
        Fact::Unknown
    } else {
        fact
    }
}

/// The neutral facts of a CycloneDX JSON document (as read by [`cyclonedx::read`]).
pub fn cyclonedx_facts(doc: &cyclonedx::Document) -> DocumentFacts {
    let root = &doc.value;
    let (major, minor) = doc.spec_version;
    let metadata = root
        .get("metadata")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    let declared = declared_unknown(&metadata);
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

    // SBOM Author
    let mut names: Vec<&str> = Vec::new();
    for a in array(&metadata, "authors") {
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
    put(Field::Author, Tally::one(fact, detail));

    // SBOM Author Signature
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
    put(Field::Signature, Tally::one(fact, detail));

    // Format
    put(
        Field::FormatName,
        Tally::one(Fact::Stated, "bomFormat CycloneDX"),
    );
    put(
        Field::FormatVersion,
        Tally::one(Fact::Stated, format!("specVersion {major}.{minor}")),
    );

    // Generation context
    let phases: Vec<&str> = array(&metadata, "lifecycles")
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
    put(Field::GenerationContext, Tally::one(fact, detail));

    // Timestamp
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
    put(Field::Timestamp, Tally::one(fact, detail));

    // Tools
    let tools = tools(&metadata);
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
    put(
        Field::ToolName,
        Tally::one(
            fact,
            if named.is_empty() {
                "no named metadata.tools entry".to_string()
            } else {
                shorten(&detail)
            },
        ),
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
    put(Field::ToolVersion, versions);

    // SBOM Version
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
    put(Field::SbomVersion, Tally::one(fact, detail));

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

    let name = if text(c, "name").is_some() {
        Fact::Stated
    } else {
        Fact::Missing
    };
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

    let identifiers = {
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
        if text(c, "purl").is_some()
            || text(c, "cpe").is_some()
            || swid
            || listed("omniborId")
            || listed("swhid")
            || prop
        {
            Fact::Stated
        } else {
            Fact::Missing
        }
    };

    // Hashes: the component's own, or its distribution artifact's.
    let mut hashes: Vec<&Value> = array(c, "hashes").iter().collect();
    for r in array(c, "externalReferences") {
        if text(r, "type") == Some("distribution") {
            hashes.extend(array(r, "hashes"));
        }
    }
    let with_content: Vec<&&Value> = hashes
        .iter()
        .filter(|h| text(h, "content").is_some())
        .collect();
    let hash_value = if with_content.is_empty() {
        Fact::Missing
    } else {
        Fact::Stated
    };
    let hash_algorithm = if with_content.iter().any(|h| text(h, "alg").is_some()) {
        Fact::Stated
    } else {
        Fact::Missing
    };

    // Licenses, declared or found.
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
    let license = from_values(licenses);

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

// ---------------------------------------------------------------------------------------------
// Any format

/// The neutral facts of a document in any format [`crate::sbom::read`] reads.
///
/// CycloneDX XML is read through its JSON shape ([`crate::sbom::cyclonedx_xml::json_view`]), so
/// an XML document and its JSON twin give the same statuses; SPDX 2 tag-value through its SPDX 2
/// JSON shape ([`crate::sbom::spdx_tv::json_view`]).
pub fn facts(doc: &sbom::Document) -> DocumentFacts {
    match doc {
        sbom::Document::CycloneDxJson(d) => cyclonedx_facts(d),
        sbom::Document::CycloneDxXml(d) => {
            let view = crate::sbom::cyclonedx_xml::json_view(d);
            let opts = cyclonedx::ReadOptions {
                strip_signature: true,
            };
            let mut f = match cyclonedx::from_value("(xml)", view, &opts) {
                Ok(j) => cyclonedx_facts(&j),
                // The view always has bomFormat and a valid specVersion; keep a result anyway.
                Err(_) => DocumentFacts::default(),
            };
            f.format = doc.format().to_string();
            f
        }
        sbom::Document::SpdxJson(d) => {
            spdx2_facts(&d.value, &d.inventory, &doc.format().to_string())
        }
        sbom::Document::SpdxTagValue(d) => spdx2_facts(
            &crate::sbom::spdx_tv::json_view(d),
            &d.inventory,
            &doc.format().to_string(),
        ),
        sbom::Document::Spdx3(d) => spdx3_facts(&d.value, &doc.format().to_string()),
    }
}

/// Strip an SPDX 2 `Person: ` / `Organization: ` / `Tool: ` prefix: `(kind, rest)`.
fn spdx_agent(s: &str) -> Option<(&str, &str)> {
    let (kind, rest) = s.split_once(':')?;
    let kind = kind.trim();
    matches!(kind, "Person" | "Organization" | "Tool").then(|| (kind, rest.trim()))
}

/// Split an SPDX 2 `Tool: name-version` into name and version: the version is what follows the
/// last `-` when it starts with a digit (`spdx-maven-plugin` has none).
fn spdx_tool_version(s: &str) -> (&str, Option<&str>) {
    match s.rsplit_once('-') {
        Some((n, v)) if !n.is_empty() && v.starts_with(|c: char| c.is_ascii_digit()) => {
            (n, Some(v))
        }
        _ => (s, None),
    }
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
pub fn spdx2_facts(value: &Value, inventory: &Inventory, format: &str) -> DocumentFacts {
    let info = value.get("creationInfo").cloned().unwrap_or(Value::Null);
    let creators: Vec<&str> = array(&info, "creators")
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
    let comment = text(&info, "comment").unwrap_or("");
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
    let (fact, detail) = created_fact(&info, "creationInfo");
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
        versions.add(
            n,
            if v.is_some() {
                Fact::Stated
            } else {
                Fact::Missing
            },
        );
    }
    document.push((Field::ToolVersion, versions));

    // SBOM Version
    let (fact, detail) = match text(value, "documentNamespace") {
        Some(ns) => (Fact::Stated, format!("documentNamespace {}", shorten(ns))),
        None => (Fact::Missing, "no documentNamespace".to_string()),
    };
    document.push((Field::SbomVersion, Tally::one(fact, detail)));

    // Relationships: what each element says about its dependencies.
    let doc_id = text(value, "SPDXID").unwrap_or("SPDXRef-DOCUMENT");
    let mut described: Vec<&str> = Vec::new();
    let mut described_set: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let note = |id: &str, fact: Fact, deps: &mut std::collections::HashMap<String, Fact>| {
        let e = deps.entry(id.to_string()).or_insert(fact);
        if fact == Fact::Stated {
            *e = Fact::Stated;
        }
    };
    let mut owned: std::collections::HashMap<String, Fact> = std::collections::HashMap::new();
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

    let packages = array(value, "packages");
    let mut order: Vec<&Value> = Vec::new();
    let mut by_id: std::collections::HashMap<&str, Vec<&Value>> = std::collections::HashMap::new();
    for p in packages {
        if let Some(id) = text(p, "SPDXID") {
            by_id.entry(id).or_default().push(p);
        }
    }
    for id in &described {
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
    let components = order
        .into_iter()
        .map(|p| {
            let id = text(p, "SPDXID")
                .or_else(|| text(p, "name"))
                .unwrap_or("(unnamed)")
                .to_string();
            let agent = |k: &str| text(p, k).map(|v| spdx_agent(v).map_or(v, |(_, n)| n));
            let producer = match (agent("originator"), agent("supplier")) {
                (Some(o), _) if !says_unknown(o) => Fact::Stated,
                (o, s) => from_values(o.into_iter().chain(s)),
            };
            let name = if text(p, "name").is_some() {
                Fact::Stated
            } else {
                Fact::Missing
            };
            let version = from_values(text(p, "versionInfo"));
            let identifiers = if array(p, "externalRefs").iter().any(|r| {
                text(r, "referenceLocator").is_some()
                    && (matches!(
                        text(r, "referenceType"),
                        Some("purl" | "cpe22Type" | "cpe23Type" | "swid" | "swh" | "gitoid")
                    ) || matches!(
                        text(r, "referenceCategory"),
                        Some(
                            "PACKAGE-MANAGER"
                                | "PACKAGE_MANAGER"
                                | "PERSISTENT-ID"
                                | "PERSISTENT_ID"
                        )
                    ))
            }) {
                Fact::Stated
            } else {
                Fact::Missing
            };
            let sums: Vec<&Value> = array(p, "checksums")
                .iter()
                .filter(|c| text(c, "checksumValue").is_some())
                .collect();
            let hash_value = if sums.is_empty() {
                Fact::Missing
            } else {
                Fact::Stated
            };
            let hash_algorithm = if sums.iter().any(|c| text(c, "algorithm").is_some()) {
                Fact::Stated
            } else {
                Fact::Missing
            };
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
        })
        .collect();
    DocumentFacts {
        format: format.to_string(),
        document,
        components,
    }
}

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
pub fn spdx3_facts(value: &Value, format: &str) -> DocumentFacts {
    let graph = array(value, "@graph");
    let by_id = |id: &str| {
        graph
            .iter()
            .find(|e| text(e, "spdxId") == Some(id) || text(e, "@id") == Some(id))
    };
    let is_no_assertion =
        |id: &str| id.ends_with("/NoAssertionElement") || id.ends_with("/NoAssertionLicense");
    fn ty(e: &Value) -> &str {
        text(e, "type").or_else(|| text(e, "@type")).unwrap_or("")
    }
    let strs = |e: &Value, k: &str| -> Vec<String> {
        match e.get(k) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    };
    // The document's CreationInfo: the SpdxDocument's, else the first.
    let spdx_doc = graph.iter().find(|e| ty(e) == "SpdxDocument");
    let info = spdx_doc
        .and_then(|d| d.get("creationInfo"))
        .and_then(|c| match c {
            Value::String(id) => by_id(id),
            Value::Object(_) => Some(c),
            _ => None,
        })
        .or_else(|| graph.iter().find(|e| ty(e) == "CreationInfo"))
        .cloned()
        .unwrap_or(Value::Null);
    let agents = |ids: Vec<String>| -> Vec<String> {
        ids.iter()
            .map(|id| {
                if is_no_assertion(id) {
                    "NOASSERTION".to_string()
                } else {
                    by_id(id)
                        .and_then(|a| text(a, "name"))
                        .unwrap_or("")
                        .to_string()
                }
            })
            .collect()
    };
    let mut document = Vec::new();

    let authors = agents(strs(&info, "createdBy"));
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
    let (fact, detail) = match text(&info, "specVersion") {
        Some(v) => (Fact::Stated, format!("CreationInfo.specVersion {v}")),
        None => (Fact::Missing, "no CreationInfo.specVersion".to_string()),
    };
    document.push((Field::FormatVersion, Tally::one(fact, detail)));

    let types: Vec<String> = graph
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

    let (fact, detail) = created_fact(&info, "CreationInfo");
    document.push((Field::Timestamp, Tally::one(fact, detail)));

    let tools: Vec<String> = agents(strs(&info, "createdUsing"))
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
        let package = graph.iter().any(|e| {
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

    // Relationships from each element.
    let mut deps: std::collections::HashMap<String, Fact> = std::collections::HashMap::new();
    let mut licenses: std::collections::HashMap<String, Fact> = std::collections::HashMap::new();
    for r in graph.iter().filter(|e| ty(e) == "Relationship") {
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
                (&mut deps, fact)
            }
            "hasDeclaredLicense" | "hasConcludedLicense" => {
                let fact = if to.is_empty() {
                    continue;
                } else if to.iter().all(|t| is_no_assertion(t)) {
                    Fact::Unknown
                } else {
                    Fact::Stated
                };
                (&mut licenses, fact)
            }
            _ => continue,
        };
        let e = map.entry(from.to_string()).or_insert(fact);
        if fact == Fact::Stated {
            *e = Fact::Stated;
        }
    }

    let roots: Vec<String> = graph
        .iter()
        .filter(|e| ty(e) == "software_Sbom")
        .flat_map(|e| strs(e, "rootElement"))
        .collect();
    let packages: Vec<&Value> = graph
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
    let mut placed: std::collections::HashSet<*const Value> =
        order.iter().map(|q| *q as *const Value).collect();
    for p in &packages {
        if placed.insert(*p as *const Value) {
            order.push(p);
        }
    }
    let components = order
        .into_iter()
        .map(|p| {
            let id = text(p, "spdxId")
                .or_else(|| text(p, "name"))
                .unwrap_or("(unnamed)")
                .to_string();
            let producers = agents(
                strs(p, "originatedBy")
                    .into_iter()
                    .chain(strs(p, "suppliedBy"))
                    .collect(),
            );
            let producer = from_values(producers.iter().map(String::as_str));
            let name = if text(p, "name").is_some() {
                Fact::Stated
            } else {
                Fact::Missing
            };
            let version = from_values(text(p, "software_packageVersion"));
            let identifiers = if text(p, "software_packageUrl").is_some()
                || array(p, "externalIdentifier")
                    .iter()
                    .any(|x| text(x, "identifier").is_some())
                || array(p, "software_contentIdentifier")
                    .iter()
                    .any(|x| text(x, "software_contentIdentifierValue").is_some())
            {
                Fact::Stated
            } else {
                Fact::Missing
            };
            let hashes: Vec<&Value> = array(p, "verifiedUsing")
                .iter()
                .filter(|h| text(h, "hashValue").is_some())
                .collect();
            let hash_value = if hashes.is_empty() {
                Fact::Missing
            } else {
                Fact::Stated
            };
            let hash_algorithm = if hashes.iter().any(|h| text(h, "algorithm").is_some()) {
                Fact::Stated
            } else {
                Fact::Missing
            };
            let license = licenses.get(&id).copied().unwrap_or(Fact::Missing);
            let dependencies = deps.get(&id).copied().unwrap_or(Fact::Missing);
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
        })
        .collect();
    DocumentFacts {
        format: format.to_string(),
        document,
        components,
    }
}

/// The SBOM Timestamp fact of an SPDX creation-info object (`OBJECT.created`, RFC 3339); `object`
/// names it in the detail (`creationInfo` in SPDX 2, `CreationInfo` in SPDX 3).
fn created_fact(info: &Value, object: &str) -> (Fact, String) {
    match info.get("created") {
        None => (Fact::Missing, format!("no {object}.created")),
        Some(Value::String(s)) if OffsetDateTime::parse(s, &Rfc3339).is_ok() => {
            (Fact::Stated, format!("{object}.created {}", shorten(s)))
        }
        Some(other) => (
            Fact::Missing,
            format!(
                "{object}.created is not RFC 3339: {}",
                shorten(&other.to_string())
            ),
        ),
    }
}

fn shorten(s: &str) -> String {
    crate::sbom::bounded(s, 120)
}

// ---------------------------------------------------------------------------------------------
// Filling

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(v: Value) -> DocumentFacts {
        let d = cyclonedx::read("t.json", v.to_string().as_bytes()).unwrap();
        cyclonedx_facts(&d)
    }

    fn statuses(r: &Report) -> Vec<(&str, &str, usize, usize)> {
        r.elements
            .iter()
            .map(|e| (e.element, e.status.as_str(), e.passing, e.total))
            .collect()
    }

    #[test]
    fn profiles_have_the_documented_element_counts() {
        let count = |p: Profile, doc: bool| {
            p.elements()
                .iter()
                .filter(|(_, f)| f.is_document() == doc)
                .count()
        };
        assert_eq!(
            (
                count(Profile::Cisa2026, true),
                count(Profile::Cisa2026, false)
            ),
            (9, 8)
        );
        assert_eq!(Profile::Cisa2025Draft.elements().len(), 11);
        assert_eq!(Profile::Ntia2021.elements().len(), 7);
        for p in Profile::ALL {
            assert_eq!(Profile::parse(p.as_str()), Some(p));
        }
        assert_eq!(Profile::parse("cisa"), None);
    }

    #[test]
    fn declared_unknowns_are_neither_pass_nor_miss() {
        let doc = json!({
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 3,
            "metadata": {
                "timestamp": "2026-08-01T00:00:00Z",
                "authors": [{"name": "unknown"}],
                "tools": {"components": [{"type": "application", "name": "gen", "version": "unknown"}, {"type": "application", "name": "other", "version": "2"}]},
                "properties": [{"name": "cdx:cisa:unknown-information", "value": "SBOM Generation Context"}]
            },
            "components": [
                {"type": "library", "bom-ref": "a", "name": "a", "version": "unknown", "purl": "pkg:npm/a",
                 "supplier": {"name": "NOASSERTION"}, "licenses": [{"license": {"name": "NOASSERTION"}}],
                 "properties": [{"name": "cdx:cisa:withheld-information", "value": "Component Hash Value"}]},
                {"type": "library", "bom-ref": "b", "name": "b", "version": "1", "cpe": "cpe:2.3:a:b:b:1:*:*:*:*:*:*:*",
                 "manufacturer": {"name": "B Corp"}, "licenses": [{"expression": "MIT"}],
                 "hashes": [{"alg": "SHA-256", "content": "00"}]}
            ],
            "dependencies": [{"ref": "a", "dependsOn": []}],
            "compositions": [{"aggregate": "unknown", "dependencies": ["a", "b"]}]
        });
        let r = check(&facts(doc), Profile::Cisa2026);
        assert_eq!(
            statuses(&r),
            [
                ("SBOM Author", "declared-unknown", 0, 1),
                ("SBOM Author Signature", "missing", 0, 1),
                ("SBOM Data Format Name", "pass", 1, 1),
                ("SBOM Data Format Version", "pass", 1, 1),
                ("SBOM Generation Context", "declared-unknown", 0, 1),
                ("SBOM Timestamp", "pass", 1, 1),
                ("SBOM Tool Name", "pass", 1, 1),
                ("SBOM Tool Version", "declared-unknown", 1, 2),
                ("SBOM Version", "pass", 1, 1),
                ("Component Producer", "declared-unknown", 1, 2),
                ("Component Name", "pass", 2, 2),
                ("Component Version", "declared-unknown", 1, 2),
                ("Component Identifiers", "pass", 2, 2),
                // a withholds its hash, b states one
                ("Component Hash Value", "declared-unknown", 1, 2),
                // the declaration names the value only: the algorithm of a is missing
                ("Component Hash Algorithm", "partial", 1, 2),
                ("Component License", "declared-unknown", 1, 2),
                // a: empty dependsOn but declared unknown; b: no entry, declared unknown
                (
                    "Component Dependency Relationship",
                    "declared-unknown",
                    0,
                    2
                ),
            ]
        );
        assert_eq!(r.elements[7].examples, ["gen"]);
        assert_eq!(r.elements[14].examples, ["a"]);
        assert!(r.has_missing(), "the signature is missing");
    }

    #[test]
    fn timestamps_must_be_rfc3339_and_versions_integers() {
        let r = |v: Value| check(&facts(v), Profile::Ntia2021);
        let doc = json!({"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1, "metadata": {"timestamp": "yesterday"}});
        let t = r(doc)
            .elements
            .into_iter()
            .find(|e| e.element == "Timestamp")
            .unwrap();
        assert_eq!(
            (t.status, t.detail.as_str()),
            (
                Status::Missing,
                "metadata.timestamp is not RFC 3339: \"yesterday\""
            )
        );
        let doc = json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": "1"});
        let f = facts(doc);
        assert_eq!(f.tally(Field::SbomVersion).status(), Status::Missing);
        // no components at all: component elements are missing, not vacuously passing
        assert_eq!(f.tally(Field::Name), Tally::default());
        assert_eq!(f.tally(Field::Name).status(), Status::Missing);
    }

    #[test]
    fn fill_adds_only_what_aiprov_knows() {
        let ts = time::macros::datetime!(2026-09-01 12:00:00 UTC);
        let mut v = json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []});
        assert_eq!(
            fill_min_elements(&mut v, "0.1.0", ts),
            [
                "SBOM Tool Name",
                "SBOM Tool Version",
                "SBOM Timestamp",
                "SBOM Version"
            ]
        );
        assert_eq!(
            v,
            json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [],
                "metadata": {"tools": {"components": [{"type": "application", "name": "aiprov", "version": "0.1.0"}]},
                             "timestamp": "2026-09-01T12:00:00Z"},
                "version": 1})
        );
        let before = v.clone();
        assert!(
            fill_min_elements(&mut v, "0.2.0", ts).is_empty(),
            "idempotent; an existing entry is kept"
        );
        assert_eq!(v, before);
        // legacy tools array on 1.4, existing timestamp and version kept
        let mut v = json!({"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 7,
            "metadata": {"timestamp": "2020-01-01T00:00:00Z", "tools": [{"name": "x", "version": "1"}, {"name": "aiprov"}]}});
        assert_eq!(
            fill_min_elements(&mut v, "0.1.0", ts),
            ["SBOM Tool Version"]
        );
        assert_eq!(
            v["metadata"]["tools"],
            json!([{"name": "x", "version": "1"}, {"name": "aiprov", "version": "0.1.0"}])
        );
        assert_eq!(v["metadata"]["timestamp"], json!("2020-01-01T00:00:00Z"));
        assert_eq!(v["version"], json!(7));
        let r = check(&facts(v), Profile::Cisa2026);
        assert_eq!(r.elements[7].status, Status::Pass);
    }
}
