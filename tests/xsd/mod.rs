//! CycloneDX XML validation against the official XSDs with `xmllint`, offline (an XML catalog
//! maps the SPDX import to the shared `spdx.xsd`). Shared by tests/sbom_formats.rs and
//! tests/enrich_formats.rs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `xmllint`, or `None` (skip) when it is missing outside CI; under `CI=true` a missing
/// xmllint fails the test with the install command.
pub fn xmllint() -> Option<&'static str> {
    let found = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("xmllint");
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "xmllint is missing: the CycloneDX XML outputs cannot be checked against the XSDs \
             (install it with `apt-get install -y libxml2-utils`; .ci/run does)"
        );
    }
    eprintln!("skipping XSD validation: xmllint not found (apt-get install libxml2-utils)");
    None
}

/// An XML catalog (in a temporary file) mapping the XSDs' import of
/// `http://cyclonedx.org/schema/spdx` to the shared `spdx.xsd`, so xmllint runs offline.
pub fn xml_catalog(shared: &Path) -> tempfile::NamedTempFile {
    let catalog = tempfile::NamedTempFile::new().unwrap();
    let spdx = format!(
        "file://{}",
        shared.join("schemas/cyclonedx/spdx.xsd").display()
    );
    std::fs::write(
        catalog.path(),
        format!(
            "<?xml version=\"1.0\"?>\n<catalog xmlns=\"urn:oasis:names:tc:entity:xmlns:xml:catalog\">\n  \
             <uri name=\"http://cyclonedx.org/schema/spdx\" uri=\"{spdx}\"/>\n  \
             <system systemId=\"http://cyclonedx.org/schema/spdx\" uri=\"{spdx}\"/>\n</catalog>\n"
        ),
    )
    .unwrap();
    catalog
}

/// Validate XML files against `bom-<version>.xsd`, offline: an XML catalog written to a
/// temporary file maps the XSDs' import of `http://cyclonedx.org/schema/spdx` to the shared
/// `spdx.xsd`. Returns `(file, xmllint's complaint)` for every file that does not validate.
pub fn xsd_validate(
    xmllint: &str,
    shared: &Path,
    version: &str,
    files: &[PathBuf],
) -> Vec<(PathBuf, String)> {
    let schemas = shared.join("schemas/cyclonedx");
    let catalog = xml_catalog(shared);
    let mut failures = Vec::new();
    for chunk in files.chunks(200) {
        let out = Command::new(xmllint)
            .env("XML_CATALOG_FILES", catalog.path())
            .arg("--nonet")
            .arg("--noout")
            .arg("--schema")
            .arg(schemas.join(format!("bom-{version}.xsd")))
            .args(chunk)
            .output()
            .expect("running xmllint");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for f in chunk {
            let name = f.display().to_string();
            if !stderr.lines().any(|l| l == format!("{name} validates")) {
                let complaint: Vec<&str> = stderr
                    .lines()
                    .filter(|l| l.starts_with(&name))
                    .take(5)
                    .collect();
                failures.push((f.clone(), complaint.join("\n    ")));
            }
        }
    }
    failures
}

/// Like [`xsd_validate`], and also validate aiprov's elements in CycloneDX 1.2 documents
/// against `schemas/cyclonedx-properties-1.xsd`: a wrapper schema (in a temporary folder)
/// imports both `bom-<version>.xsd` and aiprov's XSD, so the 1.2 XSD's lax `##other` wildcard
/// finds a declaration and checks the elements strictly.
pub fn xsd_validate_with_aiprov(
    xmllint: &str,
    shared: &Path,
    version: &str,
    files: &[PathBuf],
) -> Vec<(PathBuf, String)> {
    let dir = tempfile::tempdir().unwrap();
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/cyclonedx-properties-1.xsd");
    let bom = shared.join(format!("schemas/cyclonedx/bom-{version}.xsd"));
    let wrapper = format!(
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n  \
         <xs:import namespace=\"http://cyclonedx.org/schema/bom/{version}\" schemaLocation=\"file://{}\"/>\n  \
         <xs:import namespace=\"https://github.com/aiprov/aiprov/schemas/cyclonedx-properties/1\" schemaLocation=\"file://{}\"/>\n\
         </xs:schema>\n",
        bom.display(),
        ours.display()
    );
    let schemas = dir.path().join("schemas/cyclonedx");
    std::fs::create_dir_all(&schemas).unwrap();
    std::fs::write(schemas.join(format!("bom-{version}.xsd")), wrapper).unwrap();
    // the wrapper stands in for bom-<version>.xsd; the catalog still maps spdx.xsd to shared
    let catalog = xml_catalog(shared);
    let mut failures = Vec::new();
    for chunk in files.chunks(200) {
        let out = Command::new(xmllint)
            .env("XML_CATALOG_FILES", catalog.path())
            .arg("--nonet")
            .arg("--noout")
            .arg("--schema")
            .arg(schemas.join(format!("bom-{version}.xsd")))
            .args(chunk)
            .output()
            .expect("running xmllint");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for f in chunk {
            let name = f.display().to_string();
            if !stderr.lines().any(|l| l == format!("{name} validates")) {
                let complaint: Vec<&str> = stderr
                    .lines()
                    .filter(|l| l.starts_with(&name))
                    .take(5)
                    .collect();
                failures.push((f.clone(), complaint.join("\n    ")));
            }
        }
    }
    failures
}
