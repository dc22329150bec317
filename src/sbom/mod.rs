//! SBOM readers and writers, one interface for every format.
//!
//! [`read`] detects the format from the content (never from the file name, see [`detect`]) and
//! returns a [`Document`]: the parsed document, kept whole, plus the neutral
//! [`crate::inventory::Inventory`]. [`Document::write`] edits that same document in place and
//! serializes it in the input's format and version; it changes only what aiprov owns:
//!
//! | format | per component | document level |
//! |---|---|---|
//! | CycloneDX JSON / XML | `aiprov:` properties (1.2: 1.3-shaped in JSON, in aiprov's namespace in XML) | `metadata.tools` entry, `version` + 1, timestamp, `aiprov:summary:` properties |
//! | SPDX 2.2/2.3 JSON / tag-value | one annotation of type `OTHER` by `Tool: aiprov-<version>` per package | a document annotation, the `Tool: aiprov-<version>` creator, `created`, a new `documentNamespace` that amends the original (referenced with its SHA1) |
//! | SPDX 3.0.1 JSON-LD | an `Annotation` element per package | one about the `SpdxDocument`; aiprov's own `CreationInfo`, `Tool` and `SoftwareAgent`; the new ids in the document's `element` list |
//!
//! Re-enriching replaces aiprov's own additions, never duplicates them. Nothing else changes:
//! JSON formats keep key order, tag-value keeps every other line byte for byte, XML keeps every
//! other byte (the writer splices text into the original).
//!
//! ## One home per format
//!
//! Everything aiprov knows about a format lives in that format's module: reading, editing and
//! writing, the minimum-element facts `check` needs (`facts`), what a report says about the
//! document and where SARIF points in it (`describe`).
//!
//! | format | home | facts | report info, SARIF positions |
//! |---|---|---|---|
//! | CycloneDX JSON | [`cyclonedx`] (+ `write`, `tests`) | [`cyclonedx::facts`] | [`cyclonedx::describe`], [`describe::value_positions`] |
//! | CycloneDX XML | [`cyclonedx_xml`] (+ `write`, `view`, `tests`) | its JSON view, through [`cyclonedx::facts`] | [`cyclonedx_xml::describe`] |
//! | SPDX 2 JSON | [`spdx_json`] | [`spdx_json::facts`] | [`spdx_json::describe`], [`describe::value_positions`] |
//! | SPDX 2 tag-value | [`spdx_tv`] | its JSON view, through [`spdx_json::facts`] | [`spdx_tv::describe`] |
//! | SPDX 3.0.1 JSON-LD | [`spdx3`] | [`spdx3::facts`] | [`spdx3::describe`], [`describe::value_positions`] |
//!
//! The rest of the crate asks [`Document`] ([`Document::inventory`],
//! [`Document::aiprov_properties`], [`Document::write`], [`Document::facts`],
//! [`Document::info`], [`Document::positions`], [`Document::fill_min_elements`]) and
//! [`Format`] ([`Format::mime_type`], [`Format::parse_name`], [`can_convert`]), and never
//! matches on the format itself. The neutral types those answers use are in [`facts`] and
//! [`describe`].

pub mod cyclonedx;
pub mod cyclonedx_xml;
pub mod describe;
pub mod detect;
pub mod facts;
pub mod spdx3;
pub mod spdx_json;
pub mod spdx_tv;

use std::fmt;
use std::io::Write as _;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub use cyclonedx::{Edits, ReadOptions, WriteOptions, Written};

/// The `bom-ref`s met while reading a CycloneDX document (JSON or XML), and a warning for each
/// one met twice.
///
/// The CycloneDX JSON schema does not enforce `bom-ref` uniqueness (only the spec's prose asks
/// for it), and generators emit repeats: the subject repeated in `components`, an npm workspace
/// root and a package sharing a name. Each object keeps its own locator, so results are still
/// written exactly once per object; a repeat is warned about once, naming both places.
#[derive(Debug, Default)]
pub(crate) struct BomRefs {
    first: std::collections::HashMap<String, String>,
    warned: std::collections::HashSet<String>,
    /// One line per repeated bom-ref: `FILE: duplicate bom-ref "R" at FIRST and SECOND (…)`.
    pub(crate) warnings: Vec<String>,
}

impl BomRefs {
    /// Note `bom_ref` at `place` (a JSON pointer or XPath) in the file labelled `path`.
    pub(crate) fn note(&mut self, path: &str, bom_ref: &str, place: &str) {
        match self.first.get(bom_ref) {
            None => {
                self.first.insert(bom_ref.to_string(), place.to_string());
            }
            Some(first) => {
                if self.warned.insert(bom_ref.to_string()) {
                    self.warnings.push(format!(
                        "{path}: duplicate bom-ref \"{}\" at {first} and {place} (each is written once, at its own place)",
                        bounded(bom_ref, ECHO_LIMIT)
                    ));
                }
            }
        }
    }
}

/// Per format, remove what aiprov adds (for fidelity tests; each says what stays to restore).
pub use cyclonedx::strip_aiprov as strip_aiprov_cyclonedx_json;
pub use cyclonedx_xml::strip_aiprov as strip_aiprov_cyclonedx_xml;
pub use spdx3::strip_aiprov as strip_aiprov_spdx3;
pub use spdx_json::strip_aiprov as strip_aiprov_spdx_json;
pub use spdx_tv::strip_aiprov as strip_aiprov_spdx_tv;

use crate::ident::{looks_like_commit, parse_repo_url, Purl};
use crate::inventory::{Inventory, VcsRef};
use crate::text::line_breaks_to_spaces;
pub(crate) use crate::text::line_column;
// The text helpers used to live here; code written against these paths keeps compiling.
pub use crate::text::{bounded, path_label, ECHO_LIMIT};

/// The formats aiprov reads and writes, with their spec version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CycloneDX JSON, spec `1.minor` (1.2 to 1.7).
    CycloneDxJson {
        /// Spec minor version.
        minor: u32,
    },
    /// CycloneDX XML, spec `1.minor` (1.2 to 1.7), from the root element's namespace.
    CycloneDxXml {
        /// Spec minor version.
        minor: u32,
    },
    /// SPDX `2.minor` JSON (2.2 or 2.3).
    SpdxJson {
        /// Spec minor version.
        minor: u32,
    },
    /// SPDX `2.minor` tag-value (2.2 or 2.3).
    SpdxTagValue {
        /// Spec minor version.
        minor: u32,
    },
    /// SPDX 3.0.1 JSON-LD.
    Spdx3JsonLd,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::CycloneDxJson { minor } => write!(f, "CycloneDX 1.{minor} JSON"),
            Format::CycloneDxXml { minor } => write!(f, "CycloneDX 1.{minor} XML"),
            Format::SpdxJson { minor } => write!(f, "SPDX 2.{minor} JSON"),
            Format::SpdxTagValue { minor } => write!(f, "SPDX 2.{minor} tag-value"),
            Format::Spdx3JsonLd => write!(f, "SPDX 3.0.1 JSON-LD"),
        }
    }
}

impl Format {
    /// An output format named on the command line: `NAME` or `NAME@VERSION` (`cyclonedx-json`
    /// or `cdx-json`, `cyclonedx-xml` or `cdx-xml`, `spdx-json`, `spdx-tv` / `spdx-tag-value` /
    /// `spdx`, `spdx3` / `spdx3-json` / `spdx-3`; names are case-insensitive). Without a version:
    /// the input's version when the family matches (so naming the input's own format is
    /// accepted), else CycloneDX 1.6 / SPDX 2.3.
    pub fn parse_name(text: &str, input: Format) -> Result<Format, FormatNameError> {
        let (name, version) = match text.split_once('@') {
            Some((n, v)) => (n, Some(v)),
            None => (text, None),
        };
        let minor_of = |major: &'static str, default: u32| -> Result<u32, FormatNameError> {
            match version {
                None => Ok(default),
                Some(v) => v
                    .strip_prefix(&format!("{major}."))
                    .and_then(|m| m.parse::<u32>().ok())
                    .ok_or_else(|| FormatNameError::Version {
                        major,
                        version: v.to_string(),
                    }),
            }
        };
        // Without a version: the input's, within its family; else the newest aiprov writes.
        let (cdx_minor, spdx_minor) = match input {
            Format::CycloneDxJson { minor } | Format::CycloneDxXml { minor } => (minor, 3),
            Format::SpdxJson { minor } | Format::SpdxTagValue { minor } => (6, minor),
            Format::Spdx3JsonLd => (6, 3),
        };
        Ok(match name.to_ascii_lowercase().as_str() {
            "cyclonedx-json" | "cdx-json" => Format::CycloneDxJson {
                minor: minor_of("1", cdx_minor)?,
            },
            "cyclonedx-xml" | "cdx-xml" => Format::CycloneDxXml {
                minor: minor_of("1", cdx_minor)?,
            },
            "spdx-json" => Format::SpdxJson {
                minor: minor_of("2", spdx_minor)?,
            },
            "spdx-tv" | "spdx-tag-value" | "spdx" => Format::SpdxTagValue {
                minor: minor_of("2", spdx_minor)?,
            },
            "spdx3" | "spdx3-json" | "spdx-3" => match version {
                None | Some("3.0.1") => Format::Spdx3JsonLd,
                Some(v) => return Err(FormatNameError::Spdx3Version(v.to_string())),
            },
            _ => return Err(FormatNameError::Unknown),
        })
    }

    /// The format's media type, e.g. for SARIF `artifacts[].mimeType`.
    pub fn mime_type(self) -> &'static str {
        match self {
            Format::CycloneDxJson { .. } => "application/vnd.cyclonedx+json",
            Format::CycloneDxXml { .. } => "application/vnd.cyclonedx+xml",
            Format::SpdxJson { .. } => "application/spdx+json",
            Format::SpdxTagValue { .. } => "text/spdx",
            Format::Spdx3JsonLd => "application/ld+json",
        }
    }
}

/// Why [`Format::parse_name`] refused a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatNameError {
    /// `NAME@VERSION` whose version is not `MAJOR.N` (`major` is the family's: `1` or `2`).
    Version {
        /// The family's major version.
        major: &'static str,
        /// The version given, unescaped.
        version: String,
    },
    /// An SPDX 3 version other than `3.0.1`, unescaped.
    Spdx3Version(String),
    /// A name aiprov does not write.
    Unknown,
}

/// A document as read, in any supported format.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Document {
    /// CycloneDX JSON.
    CycloneDxJson(cyclonedx::Document),
    /// CycloneDX XML.
    CycloneDxXml(cyclonedx_xml::Document),
    /// SPDX 2.2 / 2.3 JSON.
    SpdxJson(spdx_json::Document),
    /// SPDX 2.2 / 2.3 tag-value.
    SpdxTagValue(spdx_tv::Document),
    /// SPDX 3.0.1 JSON-LD.
    Spdx3(spdx3::Document),
}

/// The most components (CycloneDX components, SPDX packages) aiprov reads from one document; a
/// document with more is refused with [`Error::Limit`] (exit 2) before any work is planned for
/// them. Memory grows by 2.5 to 6.5 KiB per component (issue 15's benchmark,
/// `benches/scale.sh`), so the limit keeps a run within a few GiB. Documented in the README's limits table.
pub const MAX_COMPONENTS: usize = 1_000_000;

/// The longest line of an SPDX tag-value document aiprov reads, in bytes (1 MiB); a longer line
/// is refused with [`Error::Limit`] naming it (exit 2). A `<text>` value may still span many
/// lines; only each line is bounded.
pub const MAX_TAG_VALUE_LINE: usize = 1 << 20;

/// Read a document in any supported format, detected from its content (see [`detect`]).
///
/// `path_label` names the input in messages (`-` for stdin). `opts.strip_signature` accepts a
/// signed CycloneDX document (JSON `signature`, XML `<Signature>`); the other formats carry no
/// enveloped signature. A document over [`MAX_COMPONENTS`] is [`Error::Limit`].
pub fn read(path_label_: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
    let path = path_label(path_label_);
    let doc = read_unlimited(&path, bytes, opts)?;
    within_component_limit(&path, doc.inventory().components.len(), MAX_COMPONENTS)?;
    Ok(doc)
}

/// `n` components against `max` ([`MAX_COMPONENTS`] for [`read`]); `path` is a label.
fn within_component_limit(path: &str, n: usize, max: usize) -> Result<(), Error> {
    if n > max {
        return Err(Error::Limit {
            path: path.to_string(),
            message: format!(
                "{n} components, more than the {max} aiprov reads from one document (split the SBOM)"
            ),
        });
    }
    Ok(())
}

fn read_unlimited(path: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Document, Error> {
    let path = path.to_string();
    match detect::sniff(&path, bytes)? {
        detect::Sniffed::CycloneDxJson(value) => {
            cyclonedx::from_value(&path, value, opts).map(Document::CycloneDxJson)
        }
        detect::Sniffed::SpdxJson(value, _) => {
            spdx_json::from_value(&path, value, bytes).map(Document::SpdxJson)
        }
        detect::Sniffed::Spdx3(value) => spdx3::from_value(&path, value).map(Document::Spdx3),
        detect::Sniffed::CycloneDxXml(_) => {
            cyclonedx_xml::read_with(&path, bytes, opts).map(Document::CycloneDxXml)
        }
        detect::Sniffed::SpdxTagValue(_) => spdx_tv::read(&path, bytes).map(Document::SpdxTagValue),
    }
}

impl Document {
    /// The document's format and spec version.
    pub fn format(&self) -> Format {
        match self {
            Document::CycloneDxJson(d) => Format::CycloneDxJson {
                minor: d.spec_version.1,
            },
            Document::CycloneDxXml(d) => Format::CycloneDxXml {
                minor: d.spec_version.1,
            },
            Document::SpdxJson(d) => Format::SpdxJson { minor: d.minor },
            Document::SpdxTagValue(d) => Format::SpdxTagValue { minor: d.minor },
            Document::Spdx3(_) => Format::Spdx3JsonLd,
        }
    }

    /// What the reader noticed without refusing the document, one line each, for the user's
    /// terminal (escape before printing): today a repeated CycloneDX `bom-ref`.
    pub fn read_warnings(&self) -> &[String] {
        match self {
            Document::CycloneDxJson(d) => &d.warnings,
            Document::CycloneDxXml(d) => &d.warnings,
            Document::SpdxJson(_) | Document::SpdxTagValue(_) | Document::Spdx3(_) => &[],
        }
    }

    /// The components (and relationships) the document describes.
    pub fn inventory(&self) -> &Inventory {
        match self {
            Document::CycloneDxJson(d) => &d.inventory,
            Document::CycloneDxXml(d) => &d.inventory,
            Document::SpdxJson(d) => &d.inventory,
            Document::SpdxTagValue(d) => &d.inventory,
            Document::Spdx3(d) => &d.inventory,
        }
    }

    /// The aiprov properties the document already holds (from an earlier run), keyed like
    /// [`Edits`]: per component locator (components without any are left out) and the summary.
    /// Reads CycloneDX properties, SPDX 2 annotations by `Tool: aiprov-…` and SPDX 3 aiprov
    /// `Annotation` elements alike.
    pub fn aiprov_properties(&self) -> Edits {
        match self {
            Document::CycloneDxJson(d) => {
                let props = |v: Option<&serde_json::Value>| -> Vec<(String, String)> {
                    v.and_then(serde_json::Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|p| {
                            Some((
                                p.get("name")?.as_str()?.to_string(),
                                p.get("value")?.as_str()?.to_string(),
                            ))
                        })
                        .filter(|(n, _)| n.starts_with(cyclonedx::NAMESPACE))
                        .collect()
                };
                let mut e = Edits::default();
                for c in &d.inventory.components {
                    let list = props(d.value.pointer(&format!("{}/properties", c.locator)));
                    if !list.is_empty() {
                        e.components.insert(c.locator.clone(), list);
                    }
                }
                e.summary = props(d.value.pointer("/metadata/properties"));
                e
            }
            Document::CycloneDxXml(d) => cyclonedx_xml::aiprov_properties(d),
            Document::SpdxJson(d) => spdx_json::aiprov_properties(d),
            Document::SpdxTagValue(d) => spdx_tv::aiprov_properties(d),
            Document::Spdx3(d) => spdx3::aiprov_properties(d),
        }
    }

    /// The neutral minimum-element facts of the document, for [`crate::check`]: each format
    /// home extracts them from its own shape (CycloneDX XML through its JSON view, SPDX 2
    /// tag-value through its SPDX 2 JSON shape, so twins give the same statuses).
    pub fn facts(&self) -> facts::DocumentFacts {
        match self {
            Document::CycloneDxJson(d) => cyclonedx::facts::facts(d),
            Document::CycloneDxXml(d) => cyclonedx_xml::describe::facts(d),
            Document::SpdxJson(d) => {
                spdx_json::facts::facts(&d.value, &d.inventory, &self.format().to_string())
            }
            Document::SpdxTagValue(d) => spdx_tv::describe::facts(d),
            Document::Spdx3(d) => spdx3::facts::facts(&d.value, &self.format().to_string()),
        }
    }

    /// What a report says about the document itself (see [`describe::DocumentInfo`]); `file`
    /// names it as given on the command line.
    pub fn info(&self, file: &str) -> describe::DocumentInfo {
        match self {
            Document::CycloneDxJson(d) => cyclonedx::describe::info(d, file),
            Document::CycloneDxXml(d) => cyclonedx_xml::describe::info(d, file),
            Document::SpdxJson(d) => spdx_json::describe::info(d, file),
            Document::SpdxTagValue(d) => spdx_tv::describe::info(d, file),
            Document::Spdx3(d) => spdx3::describe::info(d, file),
        }
    }

    /// Where each component whose locator is in `wanted` starts in `source` (the document's
    /// text), 1-based line and column in characters, for SARIF. JSON formats (CycloneDX JSON,
    /// SPDX 2 JSON, SPDX 3), whose locators are JSON Pointers: the start of the component's
    /// object. CycloneDX XML: its `bom-ref` attribute, else its first `<name>` element with
    /// that name. SPDX 2 tag-value: its `SPDXID:` line. Components not found are absent.
    pub fn positions(
        &self,
        source: &str,
        wanted: &std::collections::HashSet<String>,
    ) -> std::collections::HashMap<String, (usize, usize)> {
        match self {
            Document::CycloneDxJson(_) | Document::SpdxJson(_) | Document::Spdx3(_) => {
                describe::value_positions(source, wanted)
            }
            Document::CycloneDxXml(d) => cyclonedx_xml::describe::positions(d, source, wanted),
            Document::SpdxTagValue(_) => spdx_tv::describe::positions(source, wanted),
        }
    }

    /// Add to `written` (this document as [`Document::write`] wrote it) the minimum elements
    /// aiprov knows for certain and that are still missing (see
    /// [`cyclonedx::facts::fill_min_elements`]). Every writer already records aiprov as a tool,
    /// the time and a new version or namespace; only CycloneDX JSON has more that aiprov can
    /// state, so the other formats come back unchanged. Fails only when `written` is not JSON.
    pub fn fill_min_elements(
        &self,
        written: Vec<u8>,
        tool_version: &str,
        timestamp: OffsetDateTime,
    ) -> Result<Vec<u8>, serde_json::Error> {
        match self {
            Document::CycloneDxJson(_) => {
                let mut value: serde_json::Value = serde_json::from_slice(&written)?;
                cyclonedx::facts::fill_min_elements(&mut value, tool_version, timestamp);
                Ok(cyclonedx::to_bytes(&value))
            }
            _ => Ok(written),
        }
    }

    /// The document upgraded to `to`, a newer CycloneDX version of the same encoding (see
    /// [`can_convert`]): JSON through [`cyclonedx::upgrade`], XML through
    /// [`cyclonedx_xml::upgrade`]. Components keep their locators, so edits computed on the
    /// original apply to the result. `Ok(None)` when `to` is the document's own format.
    ///
    /// Errors: the conversion is not an upgrade (the [`can_convert`] message), or a value the
    /// newer version cannot hold as it is (its JSON pointer or XPath and why).
    pub fn upgrade(&self, to: Format) -> Result<Option<Document>, String> {
        if to == self.format() {
            return Ok(None);
        }
        can_convert(self.format(), to)?;
        let label = "the upgraded document";
        match (self, to) {
            (Document::CycloneDxJson(d), Format::CycloneDxJson { minor }) => {
                let mut value = d.value.clone();
                cyclonedx::upgrade(&mut value, d.spec_version.1, minor)
                    .map_err(|e| e.to_string())?;
                let opts = ReadOptions {
                    strip_signature: d.signed,
                };
                cyclonedx::from_value(label, value, &opts)
                    .map(|d| Some(Document::CycloneDxJson(d)))
                    .map_err(|e| e.to_string())
            }
            (Document::CycloneDxXml(d), Format::CycloneDxXml { minor }) => {
                cyclonedx_xml::upgrade(d, minor)
                    .map(|d| Some(Document::CycloneDxXml(d)))
                    .map_err(|e| e.to_string())
            }
            _ => unreachable!("can_convert accepts only CycloneDX upgrades"),
        }
    }

    /// [`Document::write`] without the copy, serialized straight into `out`: the JSON formats
    /// are edited in place in the document's own [`serde_json::Value`] and written from it
    /// through a buffer, so the peak memory is one parsed document, not two documents plus the
    /// output bytes (issue 15: a 60 MB CycloneDX document took 1.7 GB). With
    /// `fill_min_elements`, a CycloneDX JSON document also gets
    /// [`cyclonedx::facts::fill_min_elements`] applied before it is serialized (the same result
    /// as [`Document::fill_min_elements`] on the written bytes, without parsing them again);
    /// other formats ignore it, as [`Document::fill_min_elements`] does. The bytes are the same
    /// as [`Document::write`]'s; returns its warnings. Errors are `out`'s.
    pub fn write_into(
        self,
        edits: &Edits,
        opts: &WriteOptions,
        fill_min_elements: bool,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<Vec<String>> {
        // The inventory is not needed to apply the edits: it is dropped first, so that it and
        // the edited document are never held together (SPDX 2 JSON at 200k packages: ~150 MB).
        let (value, warnings) = match self {
            Document::CycloneDxJson(mut d) => {
                drop(std::mem::take(&mut d.inventory));
                let warnings = cyclonedx::apply(&mut d.value, d.spec_version, edits, opts);
                if fill_min_elements {
                    cyclonedx::facts::fill_min_elements(
                        &mut d.value,
                        &opts.tool_version,
                        opts.timestamp,
                    );
                }
                (d.value, warnings)
            }
            Document::SpdxJson(mut d) => {
                drop(std::mem::take(&mut d.inventory));
                let warnings = spdx_json::apply(&mut d.value, &d.sha1, edits, opts);
                (d.value, warnings)
            }
            Document::Spdx3(mut d) => {
                drop(std::mem::take(&mut d.inventory));
                let warnings = spdx3::apply(&mut d.value, edits, opts);
                (d.value, warnings)
            }
            other => {
                let written = other.write(edits, opts);
                out.write_all(&written.bytes)?;
                return Ok(written.warnings);
            }
        };
        // As `cyclonedx::to_bytes`: 2-space indent, trailing newline, C1 controls and bidi
        // characters escaped (`text::SafeJson`, issue 15).
        let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
        crate::text::json_to_writer(&mut w, &value, true).map_err(std::io::Error::from)?;
        w.write_all(b"\n")?;
        w.flush()?;
        Ok(warnings)
    }

    /// [`Document::write_into`] a byte vector.
    pub fn into_written(
        self,
        edits: &Edits,
        opts: &WriteOptions,
        fill_min_elements: bool,
    ) -> Written {
        let mut bytes = Vec::new();
        let warnings = self
            .write_into(edits, opts, fill_min_elements, &mut bytes)
            .expect("writing into a Vec<u8> does not fail");
        Written { bytes, warnings }
    }

    /// Enrich a copy of the document with `edits` (keyed by [`crate::inventory::Component::locator`])
    /// and serialize it in the input's format and spec version.
    pub fn write(&self, edits: &Edits, opts: &WriteOptions) -> Written {
        match self {
            Document::CycloneDxJson(d) => cyclonedx::write(d, edits, opts),
            Document::CycloneDxXml(d) => cyclonedx_xml::write(d, edits, opts),
            Document::SpdxJson(d) => spdx_json::write(d, edits, opts),
            Document::SpdxTagValue(d) => spdx_tv::write(d, edits, opts),
            Document::Spdx3(d) => spdx3::write(d, edits, opts),
        }
    }
}

/// Whether aiprov can write a document read as `from` in format `to` without losing anything.
///
/// Accepted: `from == to` (aiprov edits the document it read, so every field, comment and
/// extension survives), and a CycloneDX document to a newer version of the same encoding up to
/// 1.6 ([`Document::upgrade`] applies each version step's renames and moves). Any other
/// conversion would rebuild the document through a model that cannot hold all of it. The error
/// says what would be lost.
pub fn can_convert(from: Format, to: Format) -> Result<(), String> {
    use Format::*;
    if from == to {
        return Ok(());
    }
    if let (CycloneDxJson { minor: a }, CycloneDxJson { minor: b })
    | (CycloneDxXml { minor: a }, CycloneDxXml { minor: b }) = (from, to)
    {
        if a < b && b <= cyclonedx::UPGRADE_TARGET_MAX {
            return Ok(());
        }
    }
    let why = match (from, to) {
        (CycloneDxJson { minor: a }, CycloneDxJson { minor: b })
        | (CycloneDxXml { minor: a }, CycloneDxXml { minor: b }) => {
            if b < a {
                format!("CycloneDX 1.{b} lacks fields that 1.{a} defines")
            } else {
                format!(
                    "aiprov upgrades CycloneDX documents up to 1.{}; re-generate it with a 1.{b} \
                     generator",
                    cyclonedx::UPGRADE_TARGET_MAX
                )
            }
        }
        (CycloneDxJson { .. }, CycloneDxXml { .. })
        | (CycloneDxXml { .. }, CycloneDxJson { .. }) => {
            "CycloneDX JSON and XML do not hold the same things (XML comments, processing \
             instructions and foreign-namespace extension elements have no JSON form; JSON \
             number spellings and unknown keys have no XML form)"
                .to_string()
        }
        (SpdxJson { .. }, SpdxTagValue { .. }) | (SpdxTagValue { .. }, SpdxJson { .. }) => {
            "SPDX JSON and tag-value do not hold the same things (tag-value comments and line \
             layout, JSON key order and fields outside the tag-value grammar)"
                .to_string()
        }
        (SpdxJson { minor: a }, SpdxJson { minor: b })
        | (SpdxTagValue { minor: a }, SpdxTagValue { minor: b }) => {
            format!("SPDX 2.{a} and 2.{b} define different fields")
        }
        (CycloneDxJson { .. } | CycloneDxXml { .. }, _) => {
            "CycloneDX properties, services, dependencies with bom-refs, compositions, \
             vulnerabilities and formulation have no exact SPDX equivalent"
                .to_string()
        }
        (_, CycloneDxJson { .. } | CycloneDxXml { .. }) => {
            "SPDX files, snippets, licensing details, annotations and relationship types have no \
             exact CycloneDX equivalent"
                .to_string()
        }
        (Spdx3JsonLd, _) | (_, Spdx3JsonLd) => {
            "SPDX 3 is a different model (elements, profiles, CreationInfo) from SPDX 2; the \
             mapping between them is not one to one"
                .to_string()
        }
    };
    Err(format!(
        "cannot convert {from} to {to} without losing information: {why}; aiprov writes the \
         input's format"
    ))
}

/// Repository references of one component, best first, without repeats: the purl's `vcs_url`
/// qualifier; a `pkg:github` / `pkg:gitlab` / `pkg:bitbucket` purl; the purl's `download_url`
/// qualifier when it is a forge repository; then `vcs` (the format's own VCS fields, all
/// kept); then `other` (URLs kept only when they are a forge repository); then a `pkg:golang`
/// module path on a forge. Each pair is `(url, origin)`.
pub(crate) fn vcs_refs(
    purl: Option<&str>,
    vcs: &[(String, String)],
    other: &[(String, String)],
) -> Vec<VcsRef> {
    let mut refs: Vec<VcsRef> = Vec::new();
    let mut push = |url: String, origin: String| {
        if !url.is_empty() && !refs.iter().any(|r| r.url == url) {
            refs.push(VcsRef { url, origin });
        }
    };
    let purl = purl.and_then(Purl::parse);
    if let Some(p) = &purl {
        if let Some(vcs) = p.qualifier("vcs_url") {
            push(vcs.to_string(), "purl:vcs_url".into());
        }
        let forge = match p.ty.as_str() {
            "github" => Some("github.com"),
            "gitlab" => Some("gitlab.com"),
            "bitbucket" => Some("bitbucket.org"),
            _ => None,
        };
        if let (Some(host), Some(ns)) = (forge, &p.namespace) {
            let mut url = format!("https://{host}/{ns}/{}", p.name);
            if let Some(v) = p.version.as_deref().filter(|v| looks_like_commit(v)) {
                url = format!("{url}@{v}");
            }
            push(url, format!("purl:{}", p.ty));
        }
        if let Some(dl) = p
            .qualifier("download_url")
            .filter(|u| parse_repo_url(u).is_some())
        {
            push(dl.to_string(), "purl:download_url".into());
        }
    }
    for (url, origin) in vcs {
        push(url.clone(), origin.clone());
    }
    for (url, origin) in other {
        if parse_repo_url(url).is_some() {
            push(url.clone(), origin.clone());
        }
    }
    if let Some(p) = &purl {
        if p.ty == "golang" {
            if let Some(ns) = &p.namespace {
                let url = format!("https://{ns}/{}", p.name);
                if parse_repo_url(&url).is_some() {
                    push(url, "purl:golang".into());
                }
            }
        }
    }
    refs
}

/// Append `key` to `obj` (which lacks it) without the map's doubling: the object is rebuilt
/// with room for exactly one more entry. Writers add one key (`properties`, `annotations`) to
/// each of up to 1,000,000 component objects, and a map grown by one insert reserves twice its
/// entries (issue 15: 200k components took 300 MB more).
pub(crate) fn append_snug(
    obj: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    value: serde_json::Value,
) {
    let old = std::mem::take(obj);
    let mut new = serde_json::Map::with_capacity(old.len() + 1);
    new.extend(old);
    new.insert(key.to_string(), value);
    *obj = new;
}

/// `t` in UTC, whole seconds, RFC 3339 with `Z` (`2026-09-01T12:00:00Z`): the form every format
/// accepts (SPDX 2 and 3 require it).
pub(crate) fn utc_seconds(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("0 is a valid nanosecond");
    t.format(&Rfc3339)
        .expect("a UTC time with whole seconds formats as RFC 3339")
}

/// `bytes` as UTF-8 (a byte order mark is not skipped), or [`Error::InvalidUtf8`] with the line.
pub(crate) fn utf8<'a>(path: &str, bytes: &'a [u8]) -> Result<&'a str, Error> {
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(bytes, e.valid_up_to());
        Error::InvalidUtf8 {
            path: path.to_string(),
            line,
            column,
        }
    })
}

/// The annotator / creator string aiprov writes into SPDX 2 documents.
pub(crate) fn spdx_tool(version: &str) -> String {
    format!("Tool: {}-{version}", cyclonedx::TOOL_NAME)
}

/// Whether an SPDX 2 annotator or creator is aiprov (any version).
pub(crate) fn is_spdx_tool(s: &str) -> bool {
    s.trim()
        .strip_prefix("Tool:")
        .is_some_and(|t| t.trim_start().starts_with("aiprov-"))
}

/// The `aiprov:name=value` lines of an SPDX 2 annotation comment. Only names in the aiprov
/// namespace are written; line breaks in values become spaces (one property per line).
pub(crate) fn properties_comment(props: &[(String, String)]) -> String {
    props
        .iter()
        .filter(|(n, _)| n.starts_with(cyclonedx::NAMESPACE))
        .map(|(n, v)| format!("{}={}", line_breaks_to_spaces(n), line_breaks_to_spaces(v)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `aiprov:` name/value pairs of an SPDX 2 annotation comment written by
/// [`properties_comment`].
pub(crate) fn parse_properties_comment(comment: &str) -> Vec<(String, String)> {
    comment
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(n, _)| n.starts_with(cyclonedx::NAMESPACE))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Warnings shared by the writers: properties outside the aiprov namespace are not written.
pub(crate) fn foreign_property_warnings(edits: &Edits) -> Vec<String> {
    let mut foreign: Vec<&str> = Vec::new();
    for (name, _) in edits.components.values().flatten().chain(&edits.summary) {
        if !name.starts_with(cyclonedx::NAMESPACE) && !foreign.contains(&name.as_str()) {
            foreign.push(name);
        }
    }
    foreign
        .iter()
        .map(|name| {
            format!(
                "property \"{}\" is outside the {} namespace; not written",
                bounded(name, ECHO_LIMIT),
                cyclonedx::NAMESPACE
            )
        })
        .collect()
}

/// Why a document could not be read.
///
/// Every message starts with the file it is about. Text taken from the document (a bom-ref, a
/// `specVersion`) is shortened and has its control characters escaped, see [`bounded`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not JSON (or are truncated).
    #[error("{path}: not valid JSON at line {line}, column {column}: {message}")]
    NotJson {
        /// The file (or `-` for stdin).
        path: String,
        /// 1-based line of the syntax error.
        line: usize,
        /// 1-based column of the syntax error.
        column: usize,
        /// What the JSON parser expected.
        message: String,
    },
    /// JSON, but not a CycloneDX document.
    #[error("{path}: not a CycloneDX document (no \"bomFormat\": \"CycloneDX\"{hint})")]
    NotCycloneDx {
        /// The file.
        path: String,
        /// Extra words when we recognize what it is instead (e.g. `; it looks like SPDX`).
        hint: String,
    },
    /// A CycloneDX version aiprov does not read.
    #[error("{path}: unsupported CycloneDX specVersion {found} (supported: 1.2 to 1.7)")]
    UnsupportedSpecVersion {
        /// The file.
        path: String,
        /// The `specVersion` as found (bounded, quoted when it was a string).
        found: String,
    },
    /// A component has no (string) `name`, which CycloneDX requires.
    #[error("{path}: component at {pointer} has no name")]
    ComponentWithoutName {
        /// The file.
        path: String,
        /// JSON pointer of the component.
        pointer: String,
    },
    /// Part of the document does not have the shape CycloneDX requires (e.g. `components` is not
    /// an array).
    #[error("{path}: {pointer}: {expected}")]
    Malformed {
        /// The file.
        path: String,
        /// JSON pointer of the offending value.
        pointer: String,
        /// What was expected there.
        expected: String,
    },
    /// The content is not one of the formats aiprov reads.
    #[error(
        "{path}: unsupported format: {found} (aiprov reads CycloneDX 1.2 to 1.7 JSON and XML, \
         SPDX 2.2 and 2.3 JSON and tag-value, SPDX 3.0.1 JSON-LD)"
    )]
    UnsupportedFormat {
        /// The file.
        path: String,
        /// What the content was recognized as (bounded), e.g. `SPDX RDF/XML`.
        found: String,
    },
    /// An SPDX version aiprov does not read.
    #[error(
        "{path}: unsupported SPDX version {found} (supported: SPDX-2.2, SPDX-2.3, SPDX 3.0.1)"
    )]
    UnsupportedSpdxVersion {
        /// The file.
        path: String,
        /// The version as found (bounded, quoted when it was a string).
        found: String,
    },
    /// The bytes are not UTF-8 (every text format aiprov reads is UTF-8).
    #[error("{path}: line {line}, column {column}: not valid UTF-8")]
    InvalidUtf8 {
        /// The file.
        path: String,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based column (in characters) of the first invalid byte.
        column: usize,
    },
    /// Not well-formed XML, or XML aiprov refuses to process (a DTD, an entity it does not
    /// know, nesting beyond the limit, an encoding other than UTF-8).
    #[error("{path}: line {line}, column {column}: {message}")]
    Xml {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong (bounded).
        message: String,
    },
    /// SPDX tag-value syntax error (a line that is not `Tag: value`, an unterminated `<text>`).
    #[error("{path}: line {line}: {message}")]
    TagValue {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong (bounded).
        message: String,
    },
    /// Two SPDX elements share an `SPDXID` / `spdxId`.
    #[error("{path}: duplicate SPDX identifier \"{id}\" at {first} and {second}")]
    DuplicateSpdxId {
        /// The file.
        path: String,
        /// The repeated identifier (bounded).
        id: String,
        /// Locator of the first element carrying it.
        first: String,
        /// Locator of the second one.
        second: String,
    },
    /// The document is over one of aiprov's documented limits ([`MAX_COMPONENTS`],
    /// [`MAX_TAG_VALUE_LINE`]); `message` says which, and where.
    #[error("{path}: {message}")]
    Limit {
        /// The file.
        path: String,
        /// Which limit, with the value found.
        message: String,
    },
    /// The document carries an enveloped signature, which any edit invalidates.
    #[error(
        "{path}: the document is signed (top-level \"signature\"); enriching it would invalidate \
         the signature: pass --strip-signature to remove it and re-sign the output"
    )]
    Signed {
        /// The file.
        path: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_start_with_the_path() {
        let errors = [
            Error::NotJson {
                path: "a.json".into(),
                line: 3,
                column: 7,
                message: "EOF while parsing".into(),
            },
            Error::NotCycloneDx {
                path: "a.json".into(),
                hint: String::new(),
            },
            Error::UnsupportedSpecVersion {
                path: "a.json".into(),
                found: "\"2.0\"".into(),
            },
            Error::ComponentWithoutName {
                path: "a.json".into(),
                pointer: "/components/2".into(),
            },
            Error::Malformed {
                path: "a.json".into(),
                pointer: "/components".into(),
                expected: "expected an array".into(),
            },
            Error::Signed {
                path: "a.json".into(),
            },
            Error::Limit {
                path: "a.json".into(),
                message: "x".into(),
            },
            Error::UnsupportedFormat {
                path: "a.json".into(),
                found: "SPDX YAML".into(),
            },
            Error::UnsupportedSpdxVersion {
                path: "a.json".into(),
                found: "\"SPDX-2.1\"".into(),
            },
            Error::InvalidUtf8 {
                path: "a.json".into(),
                line: 1,
                column: 2,
            },
            Error::Xml {
                path: "a.json".into(),
                line: 1,
                column: 2,
                message: "x".into(),
            },
            Error::TagValue {
                path: "a.json".into(),
                line: 1,
                message: "x".into(),
            },
            Error::DuplicateSpdxId {
                path: "a.json".into(),
                id: "x".into(),
                first: "/packages/0".into(),
                second: "/packages/1".into(),
            },
        ];
        for e in errors {
            assert!(e.to_string().starts_with("a.json: "), "{e}");
        }
        assert_eq!(
            Error::NotJson {
                path: "a.json".into(),
                line: 3,
                column: 7,
                message: "EOF while parsing".into()
            }
            .to_string(),
            "a.json: not valid JSON at line 3, column 7: EOF while parsing"
        );
    }

    #[test]
    fn read_dispatches_on_content() {
        let o = ReadOptions::default();
        let cases: [(&[u8], Format, usize); 5] = [
            (
                br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"a"}]}"#,
                Format::CycloneDxJson { minor: 5 },
                1,
            ),
            (
                b"<bom xmlns='http://cyclonedx.org/schema/bom/1.4'><components><component type='library'><name>a</name></component><component type='library'><name>b</name></component></components></bom>",
                Format::CycloneDxXml { minor: 4 },
                2,
            ),
            (
                br#"{"spdxVersion":"SPDX-2.2","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-a","name":"a"}]}"#,
                Format::SpdxJson { minor: 2 },
                1,
            ),
            (
                b"SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\n\nPackageName: a\nSPDXID: SPDXRef-a\n",
                Format::SpdxTagValue { minor: 3 },
                1,
            ),
            (
                br#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[{"type":"software_Package","spdxId":"urn:a","name":"a"}]}"#,
                Format::Spdx3JsonLd,
                1,
            ),
        ];
        for (bytes, format, n) in cases {
            let d = read("in", bytes, &o).unwrap_or_else(|e| panic!("{format}: {e}"));
            assert_eq!(d.format(), format);
            assert_eq!(detect::detect("in", bytes).unwrap(), format);
            assert_eq!(d.inventory().components.len(), n, "{format}");
            assert_eq!(d.inventory().components[0].name, "a", "{format}");
            // written in the same format
            let w = d.write(
                &Edits::default(),
                &WriteOptions {
                    tool_version: "0.1.0".into(),
                    timestamp: OffsetDateTime::UNIX_EPOCH,
                    strip_signature: false,
                },
            );
            let again = read("out", &w.bytes, &o).unwrap();
            assert_eq!(again.format(), format);
        }
        assert_eq!(
            read("in", b"spdxVersion: SPDX-2.3\n", &o).unwrap_err().to_string(),
            "in: unsupported format: SPDX YAML (aiprov reads CycloneDX 1.2 to 1.7 JSON and XML, SPDX 2.2 and 2.3 JSON and tag-value, SPDX 3.0.1 JSON-LD)"
        );
    }

    #[test]
    fn only_identity_conversions() {
        use Format::*;
        let all = [
            CycloneDxJson { minor: 6 },
            CycloneDxJson { minor: 5 },
            CycloneDxXml { minor: 6 },
            SpdxJson { minor: 3 },
            SpdxJson { minor: 2 },
            SpdxTagValue { minor: 3 },
            Spdx3JsonLd,
        ];
        for from in all {
            for to in all {
                let r = can_convert(from, to);
                if from == to
                    || (from, to) == (CycloneDxJson { minor: 5 }, CycloneDxJson { minor: 6 })
                {
                    assert_eq!(r, Ok(()));
                } else {
                    let e = r.unwrap_err();
                    assert!(
                        e.starts_with(&format!(
                            "cannot convert {from} to {to} without losing information: "
                        )),
                        "{e}"
                    );
                    assert!(e.ends_with("; aiprov writes the input's format"), "{e}");
                }
            }
        }
        assert_eq!(
            can_convert(CycloneDxJson { minor: 6 }, CycloneDxXml { minor: 6 }).unwrap_err(),
            "cannot convert CycloneDX 1.6 JSON to CycloneDX 1.6 XML without losing information: CycloneDX JSON and XML do not hold the same things (XML comments, processing instructions and foreign-namespace extension elements have no JSON form; JSON number spellings and unknown keys have no XML form); aiprov writes the input's format"
        );
        assert_eq!(
            can_convert(CycloneDxXml { minor: 2 }, CycloneDxXml { minor: 6 }),
            Ok(())
        );
        assert_eq!(
            can_convert(CycloneDxJson { minor: 3 }, CycloneDxJson { minor: 4 }),
            Ok(())
        );
        assert_eq!(
            can_convert(CycloneDxJson { minor: 5 }, CycloneDxJson { minor: 7 }).unwrap_err(),
            "cannot convert CycloneDX 1.5 JSON to CycloneDX 1.7 JSON without losing information: aiprov upgrades CycloneDX documents up to 1.6; re-generate it with a 1.7 generator; aiprov writes the input's format"
        );
        assert_eq!(
            can_convert(CycloneDxJson { minor: 6 }, CycloneDxJson { minor: 5 }).unwrap_err(),
            "cannot convert CycloneDX 1.6 JSON to CycloneDX 1.5 JSON without losing information: CycloneDX 1.5 lacks fields that 1.6 defines; aiprov writes the input's format"
        );
    }

    #[test]
    fn the_component_limit_ends_in_a_message() {
        assert!(within_component_limit("big.json", 3, 3).is_ok());
        assert_eq!(
            within_component_limit("big.json", 4, 3)
                .unwrap_err()
                .to_string(),
            "big.json: 4 components, more than the 3 aiprov reads from one document (split the SBOM)"
        );
    }

    #[test]
    fn line_columns() {
        assert_eq!(line_column(b"ab\ncd\nef", 0), (1, 1));
        assert_eq!(line_column(b"ab\ncd\nef", 4), (2, 2));
        assert_eq!(line_column("é\nxé€y".as_bytes(), 8), (2, 4));
        assert_eq!(line_column(b"ab", 99), (1, 3));
    }
}
