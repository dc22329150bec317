//! aiprov: AI-provenance for SBOMs.
//!
//! Reads an SBOM or a lockfile, finds each component's source repository, walks its git history,
//! classifies every commit from its metadata (author, committer, message, trailers, git-ai notes)
//! with data-driven rule packs, and writes the same SBOM back with per-component `aiprov:`
//! properties plus an evidence file.
//!
//! The pipeline (`pipeline`), one module per stage; layers and invariants in `docs/ARCHITECTURE.md`:
//! `sbom` → `inventory` → `resolve` → `history` → `classify` → `aggregate` → `sbom` (write).
//!
//! The library API is unstable: it exists for aiprov's own binary and tests.

pub mod aggregate;
pub mod check;
pub mod classify;
pub mod cli;
pub mod config;
pub mod diff;
pub mod enrich;
pub mod evidence;
pub mod fetch;
pub mod forge;
pub mod history;
pub mod ident;
pub mod inventory;
pub mod pipeline;
pub mod policy;
pub mod props;
pub mod provenance;
pub mod registry;
pub mod report;
pub mod resolve;
pub mod results;
pub mod review;
pub mod revision;
pub mod sbom;
pub mod scan;
pub mod text;
