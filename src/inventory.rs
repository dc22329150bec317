//! The neutral list of components an SBOM (or lockfile) describes, whatever its format.
//!
//! Readers in [`crate::sbom`] produce an [`Inventory`]; [`crate::resolve`] maps each
//! [`Component`] to a repository and revision; writers in [`crate::sbom`] put the resulting
//! properties back at [`Component::locator`].

/// Every component of one document, in document order (nested components included).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// The components to analyze. The document's subject (`metadata.component`) and its
    /// `metadata.tools` are not in this list.
    pub components: Vec<Component>,
}

/// One component, as read from the document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Component {
    /// Where the component sits in its document, so a writer can find it again: for JSON formats an
    /// RFC 6901 JSON Pointer (e.g. `/components/3/components/0`).
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
