//! Minimum-elements check: does an SBOM carry the data fields of CISA 2026, the CISA 2025
//! draft or NTIA 2021 (`../shared/docs/sbom-mapping.md` §1–2)?
//!
//! Two steps, so that every SBOM format plugs in the same way:
//!
//! 1. the document's format home turns it into neutral [`DocumentFacts`]
//!    ([`crate::sbom::Document::facts`]): for each document-level [`Field`] a [`Tally`], and for
//!    each component whether each component-level field is [`Fact::Stated`], [`Fact::Unknown`]
//!    (declared unknown or withheld) or [`Fact::Missing`]. The extractors live with their
//!    formats (`sbom::cyclonedx::facts` for CycloneDX JSON, and XML through its JSON view;
//!    `sbom::spdx_json::facts` for SPDX 2 JSON and tag-value; `sbom::spdx3::facts` for SPDX
//!    3.0.1), each with a table of what it reads (`NOASSERTION` → [`Fact::Unknown`]); the
//!    neutral types are in [`crate::sbom::facts`].
//! 2. [`check`] maps a [`Profile`]'s elements onto those fields and gives each element a
//!    [`Status`]: `pass` (every subject states it), `declared-unknown` (every subject states it
//!    or declares it unknown, at least one declares), `missing` (none states or declares it) or
//!    `partial` (some do, some miss it).

use serde::Serialize;

use crate::sbom;
pub use crate::sbom::facts::{ComponentFacts, DocumentFacts, Fact, Field, Profile, Tally};

/// Bom-refs of failing components listed per element.
pub const MAX_EXAMPLES: usize = 5;

impl Tally {
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
    /// The user waived it (`check --waive ELEMENT`): not checked, never a miss.
    Waived,
    /// The document's format has no place for it (an SBOM author signature in SPDX 2 or
    /// SPDX 3.0.1): not a miss, since no document of that format could pass.
    NotApplicable,
}

impl Status {
    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Missing => "missing",
            Status::DeclaredUnknown => "declared-unknown",
            Status::Partial => "partial",
            Status::Waived => "waived",
            Status::NotApplicable => "not-applicable",
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

/// Check `facts` against `profile`. See [`check_with`].
pub fn check(facts: &DocumentFacts, profile: Profile) -> Report {
    check_with(facts, profile, &[])
}

/// Whether a document in `format` (as [`DocumentFacts::format`] names it) can carry `field`
/// at all. SPDX 2.2/2.3 (spec clause 6, Document Creation Information) and SPDX 3.0.1
/// (`SpdxDocument`, `CreationInfo`) have no field for a signature over the document, so
/// `SBOM Author Signature` is `not-applicable` there; everything else has a place in every
/// format aiprov reads.
pub fn format_carries(format: &str, field: Field) -> bool {
    !(field == Field::Signature && format.starts_with("SPDX"))
}

/// The profile's element named `name`, compared case-insensitively (for `--waive`).
pub fn element_named(profile: Profile, name: &str) -> Option<&'static str> {
    profile
        .elements()
        .iter()
        .map(|(n, _)| *n)
        .find(|n| n.eq_ignore_ascii_case(name.trim()))
}

/// Check `facts` against `profile`; the elements named in `waived` (exact profile names, see
/// [`element_named`]) are [`Status::Waived`], those the format cannot carry
/// ([`format_carries`]) [`Status::NotApplicable`].
pub fn check_with(facts: &DocumentFacts, profile: Profile, waived: &[&str]) -> Report {
    let elements = profile
        .elements()
        .iter()
        .map(|(name, field)| {
            let t = facts.tally(*field);
            let status = if waived.contains(name) {
                Status::Waived
            } else if !format_carries(&facts.format, *field) {
                Status::NotApplicable
            } else {
                t.status()
            };
            ElementResult {
                element: name,
                scope: if field.is_document() {
                    "document"
                } else {
                    "component"
                },
                status,
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

/// The neutral facts of a document in any format [`crate::sbom::read`] reads (see
/// [`crate::sbom::Document::facts`]).
pub fn facts(doc: &sbom::Document) -> DocumentFacts {
    doc.facts()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sbom::cyclonedx::{self, facts::fill_min_elements};
    use serde_json::{json, Value};

    fn facts(v: Value) -> DocumentFacts {
        let d = cyclonedx::read("t.json", v.to_string().as_bytes()).unwrap();
        cyclonedx::facts::facts(&d)
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
