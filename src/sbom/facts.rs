//! The neutral facts of the minimum-elements check (`../shared/docs/sbom-mapping.md` §1–2):
//! the profiles and their elements, the data [`Field`]s they name, and what a document states
//! about each ([`DocumentFacts`]). Every format home extracts them from its own shape
//! ([`crate::sbom::Document::facts`]); [`crate::check`] maps a profile onto them. The helpers
//! below are the rules the extractors share (`unknown` / `NOASSERTION`, `cdx:cisa:`
//! declarations, RFC 3339 creation times).

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

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

impl Fact {
    /// `Stated` when the document states the field, else `Missing` (fields with no way to
    /// say "unknown").
    pub(crate) fn stated_if(stated: bool) -> Fact {
        if stated {
            Fact::Stated
        } else {
            Fact::Missing
        }
    }
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
    pub(crate) fn one(fact: Fact, detail: impl Into<String>) -> Tally {
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

    pub(crate) fn add(&mut self, id: &str, fact: Fact) {
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

// ---------------------------------------------------------------------------------------------
// Shared extraction rules

pub(crate) fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

pub(crate) fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// `unknown`, `NOASSERTION` and friends: a value that says it is not known.
pub(crate) fn says_unknown(s: &str) -> bool {
    let s = s.trim();
    s.eq_ignore_ascii_case("unknown") || s.eq_ignore_ascii_case("noassertion")
}

/// The element names declared unknown or withheld by `cdx:cisa:` properties of `obj`.
pub(crate) fn declared_unknown(obj: &Value) -> Vec<String> {
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

pub(crate) fn declares(declared: &[String], field: Field) -> bool {
    field
        .names()
        .any(|n| declared.iter().any(|d| *d == n.to_ascii_lowercase()))
}

/// A fact from a list of candidate values: stated if any is a real value, unknown if the only
/// ones say `unknown`/`NOASSERTION`, missing if there are none.
/// Component Hash value and algorithm from a list of hash objects: the value is stated when one
/// has a `value_key`, the algorithm when one of those also has an `alg_key`.
pub(crate) fn hash_facts<'a>(
    hashes: impl IntoIterator<Item = &'a Value>,
    value_key: &str,
    alg_key: &str,
) -> (Fact, Fact) {
    let with_value: Vec<&Value> = hashes
        .into_iter()
        .filter(|h| text(h, value_key).is_some())
        .collect();
    (
        Fact::stated_if(!with_value.is_empty()),
        Fact::stated_if(with_value.iter().any(|h| text(h, alg_key).is_some())),
    )
}

pub(crate) fn from_values<'a>(values: impl IntoIterator<Item = &'a str>) -> Fact {
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
pub(crate) fn with_declaration(fact: Fact, declared: &[String], field: Field) -> Fact {
    if fact == Fact::Missing && declares(declared, field) {
        Fact::Unknown
    } else {
        fact
    }
}

/// Split an SPDX 2 `Tool: name-version` into name and version: the version is what follows the
/// last `-` when it starts with a digit (`spdx-maven-plugin` has none).
pub(crate) fn spdx_tool_version(s: &str) -> (&str, Option<&str>) {
    match s.rsplit_once('-') {
        Some((n, v)) if !n.is_empty() && v.starts_with(|c: char| c.is_ascii_digit()) => {
            (n, Some(v))
        }
        _ => (s, None),
    }
}

/// The SBOM Timestamp fact of an SPDX creation-info object (`OBJECT.created`, RFC 3339); `object`
/// names it in the detail (`creationInfo` in SPDX 2, `CreationInfo` in SPDX 3).
pub(crate) fn created_fact(info: &Value, object: &str) -> (Fact, String) {
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

pub(crate) fn shorten(s: &str) -> String {
    super::bounded(s, 120)
}
