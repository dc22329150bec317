//! The neutral list of components an SBOM (or lockfile) describes, whatever its format.
//!
//! Readers in [`crate::sbom`] produce an [`Inventory`]; [`crate::resolve`] maps each
//! [`Component`] to a repository and revision; writers in [`crate::sbom`] put the resulting
//! properties back at [`Component::locator`].

/// Every component of one document, in document order (nested components included).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// The components to analyze. The document's subject (`metadata.component`) and its
    /// `metadata.tools` are not in this list. SPDX has no separate subject slot: every package
    /// (SPDX 2 `packages[]`, SPDX 3 `software_Package` elements) is a component, the described
    /// ones included.
    pub components: Vec<Component>,
    /// The relationships between elements, in document order, as the document states them
    /// (CycloneDX `dependencies`, SPDX 2 `relationships` and `documentDescribes`, SPDX 3
    /// `Relationship` elements).
    pub relationships: Vec<Relationship>,
}

/// One edge between two elements of a document, identified as the document identifies them
/// (CycloneDX `bom-ref`, SPDX 2 `SPDXID` or `DocumentRef-x:SPDXRef-y`, SPDX 3 `spdxId`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relationship {
    /// The element the relationship starts from (SPDX `spdxElementId` / `from`, CycloneDX
    /// `dependencies[].ref`).
    pub from: String,
    /// The type as written: `DEPENDS_ON`, `CONTAINS` (SPDX 2), `dependsOn`, `contains` (SPDX 3);
    /// CycloneDX `dependsOn` and `provides` entries are `dependsOn` and `provides`.
    pub kind: String,
    /// The element it points to (`NONE` and `NOASSERTION` kept as written).
    pub to: String,
}

/// A checksum of the component's artifact, as written in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hash {
    /// The algorithm as the format names it (`SHA-256` in CycloneDX, `SHA256` in SPDX 2,
    /// `sha256` in SPDX 3).
    pub algorithm: String,
    /// The value (hex in every format aiprov reads).
    pub value: String,
}

/// One component, as read from the document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Component {
    /// Where the component sits in its document, so a writer can find it again. Per format:
    ///
    /// - CycloneDX JSON: RFC 6901 JSON Pointer of the component (`/components/3/components/0`);
    /// - SPDX 2 JSON: JSON Pointer of the package (`/packages/3`);
    /// - SPDX 3 JSON-LD: JSON Pointer of the `software_Package` element (`/@graph/7`);
    /// - SPDX 2 tag-value: the package's `SPDXID` (unique in a valid document);
    /// - CycloneDX XML: an XPath of local names with 1-based positions among same-named
    ///   siblings, namespace prefixes left out (`/bom/components/component[4]/components/component[1]`).
    pub locator: String,
    /// CycloneDX `bom-ref` or SPDX `SPDXID`, when the document gives one.
    pub bom_ref: Option<String>,
    /// Component name (CycloneDX `name`, with `group` kept separately).
    pub name: String,
    /// CycloneDX `group` (Maven groupId, npm scope), when present.
    pub group: Option<String>,
    /// Version string as written in the document.
    pub version: Option<String>,
    /// Package URL as written in the document (not normalized).
    pub purl: Option<String>,
    /// Repository references found in the document, best first, each with where it came from.
    pub vcs_refs: Vec<VcsRef>,
    /// CPE 2.3 (or 2.2) name as written: CycloneDX `cpe`, SPDX 2 `externalRefs` of type
    /// `cpe23Type` / `cpe22Type`, SPDX 3 `externalIdentifier` of type `cpe23` / `cpe22`.
    pub cpe: Option<String>,
    /// Who supplies the component, as written: CycloneDX `supplier.name`, SPDX 2 `supplier`
    /// (`Organization: X`, `NOASSERTION` left out), SPDX 3 `suppliedBy` (the agent's name).
    pub supplier: Option<String>,
    /// Who originally made it: CycloneDX `manufacturer.name` (else the legacy `author`), SPDX 2
    /// `originator`, SPDX 3 `originatedBy` (the first agent's name).
    pub originator: Option<String>,
    /// Checksums of the artifact: CycloneDX `hashes`, SPDX 2 `checksums`, SPDX 3 `verifiedUsing`.
    pub hashes: Vec<Hash>,
}

/// A repository reference found in the document itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VcsRef {
    /// The URL as written (may carry `git+`, `#<sha>`, `@<sha>`, credentials; redact before output).
    pub url: String,
    /// Which field it came from, e.g. `purl:vcs_url`, `purl:github`, `externalReferences[vcs]`,
    /// `externalReferences[website]`, `downloadLocation`.
    pub origin: String,
}
