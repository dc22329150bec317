//! Issue 15, item 9: reading and checking an SPDX 2 JSON SBOM is linear in its packages (a
//! list scanned once per package made 200k packages take 35 s). Work is counted in time on
//! two sizes: four times the packages must cost well under sixteen times the time.

use std::time::Instant;

use aiprov::sbom;

use crate::common;

fn spdx(n: usize) -> Vec<u8> {
    let packages: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "SPDXID": format!("SPDXRef-Package-{i}"),
                "name": format!("pkg-{i}"),
                "versionInfo": "1.0.0",
                "downloadLocation": "NOASSERTION",
                "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                  "referenceLocator": format!("pkg:npm/pkg-{i}@1.0.0")}]
            })
        })
        .collect();
    let rels: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                               "relatedSpdxElement": format!("SPDXRef-Package-{i}")})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
        "name": "gen", "documentNamespace": "https://example.com/gen",
        "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: gen"]},
        "packages": packages, "relationships": rels
    }))
    .unwrap()
}

fn seconds(n: usize) -> f64 {
    let bytes = spdx(n);
    let t = Instant::now();
    let doc = sbom::read("gen.spdx.json", &bytes, &Default::default()).unwrap();
    let facts = aiprov::check::facts(&doc);
    let report = aiprov::check::check(&facts, aiprov::check::Profile::Cisa2026);
    std::hint::black_box(report);
    t.elapsed().as_secs_f64()
}

#[test]
fn spdx2_json_read_and_check_are_linear() {
    let _warm = seconds(500);
    let small = seconds(4_000);
    let large = seconds(16_000);
    // Linear: about 4x. Quadratic (before the fix): about 16x and more. Shared CI machines are
    // noisy, so the bound sits in between.
    assert!(
        large < 9.0 * small.max(0.02),
        "4x the packages took {:.1}x the time ({small:.3} s → {large:.3} s)",
        large / small
    );
}

/// `Document::into_written` (the document edited in place, never copied: issue 15, memory)
/// writes exactly the bytes `Document::write` (on a copy) writes, in every format, also with
/// edits on a component and the summary.
#[test]
fn writing_in_place_gives_the_same_bytes_as_writing_a_copy() {
    use time::macros::datetime;
    let inputs: [(&str, &[u8]); 5] = [
        (
            "cdx.json",
            br#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":3,"components":[{"type":"library","name":"a","purl":"pkg:npm/a@1"}]}"#,
        ),
        (
            "cdx.xml",
            b"<bom xmlns='http://cyclonedx.org/schema/bom/1.6'><components><component type='library'><name>a</name></component></components></bom>",
        ),
        (
            "spdx.json",
            br#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","documentNamespace":"https://e.org/d","packages":[{"SPDXID":"SPDXRef-a","name":"a"}]}"#,
        ),
        (
            "tv.spdx",
            b"SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\nDocumentNamespace: https://e.org/d\n\nPackageName: a\nSPDXID: SPDXRef-a\n",
        ),
        (
            "spdx3.json",
            br#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[{"type":"software_Package","spdxId":"urn:a","name":"a"}]}"#,
        ),
    ];
    let opts = sbom::WriteOptions {
        tool_version: "0.1.0".into(),
        timestamp: datetime!(2026-09-01 12:00:00 UTC),
        strip_signature: false,
    };
    for (label, bytes) in inputs {
        let doc = sbom::read(label, bytes, &Default::default()).unwrap();
        let mut edits = sbom::Edits::default();
        let locator = doc.inventory().components[0].locator.clone();
        edits.component(&locator, "aiprov:status", "analyzed");
        edits.summary("aiprov:summary:components", "1");
        let copy = doc.write(&edits, &opts);
        let filled = doc
            .fill_min_elements(copy.bytes.clone(), "0.1.0", opts.timestamp)
            .unwrap();
        let in_place = doc.clone().into_written(&edits, &opts, false);
        assert_eq!(
            String::from_utf8(in_place.bytes).unwrap(),
            String::from_utf8(copy.bytes).unwrap(),
            "{label}"
        );
        assert_eq!(in_place.warnings, copy.warnings, "{label}");
        // --fill-min-elements: applied before serializing, the same as re-reading the output.
        let in_place = doc.into_written(&edits, &opts, true);
        assert_eq!(
            String::from_utf8(in_place.bytes).unwrap(),
            String::from_utf8(filled).unwrap(),
            "{label} with fill_min_elements"
        );
    }
}

/// A repo map over 32 MiB is refused before it is parsed: exit 2, a message naming the file
/// and the limit (a 157 MB map aborted on memory: issue 15).
#[test]
fn a_repo_map_over_the_limit_exits_2_naming_the_file_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let bom = dir.path().join("bom.json");
    std::fs::write(
        &bom,
        br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a"}]}"#,
    )
    .unwrap();
    let map = dir.path().join("map.toml");
    // A valid map padded with a comment to one byte over the limit.
    let mut text = b"[repositories]\n#".to_vec();
    text.resize(aiprov::resolve::MAX_REPO_MAP_BYTES + 1, b'x');
    std::fs::write(&map, &text).unwrap();
    let (bom, map) = (bom.to_str().unwrap(), map.to_str().unwrap());
    let out = dir.path().join("out.json");
    let cache = dir.path().join("cache");
    let r = common::aiprov(&[
        "enrich",
        bom,
        "--offline",
        "--cache-dir",
        cache.to_str().unwrap(),
        "--repo-map",
        map,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "aiprov: {map}: larger than the 32 MiB aiprov reads from a repo map (split the map, or \
             map only the components this SBOM holds)\n"
        )
    );
    assert!(!out.exists());
    // One byte less is read (and is a valid, empty map).
    text.truncate(aiprov::resolve::MAX_REPO_MAP_BYTES);
    std::fs::write(map, &text).unwrap();
    let r = common::aiprov(&[
        "enrich",
        bom,
        "--offline",
        "--cache-dir",
        cache.to_str().unwrap(),
        "--repo-map",
        map,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A tag-value line over 1 MiB is refused: exit 2, the file, the line and the limit.
#[test]
fn a_tag_value_line_over_the_limit_exits_2_naming_the_line_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.spdx");
    let mut text = b"SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\nPackageName: ".to_vec();
    let start = text.len() - "PackageName: ".len();
    text.resize(start + sbom::MAX_TAG_VALUE_LINE + 1, b'a');
    text.extend_from_slice(b"\r\nSPDXID: SPDXRef-a\n");
    std::fs::write(&path, &text).unwrap();
    let label = path.to_str().unwrap();
    let r = common::aiprov(&["check", label]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "aiprov: {label}: line 3: 1048577 bytes long, more than the 1048576 bytes aiprov \
             reads in one tag-value line\n"
        )
    );
    // Exactly at the limit (the line ending not counted) is read.
    text.drain(start..start + 1);
    std::fs::write(&path, &text).unwrap();
    let r = common::aiprov(&["check", label, "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.json()["format"], "SPDX 2.3 tag-value");
}

fn tag_value(n: usize) -> Vec<u8> {
    let mut s = String::from(
        "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: gen\n\
         DocumentNamespace: https://example.com/gen\nCreator: Tool: gen\nCreated: 2026-01-01T00:00:00Z\n\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "PackageName: pkg-{i}\nSPDXID: SPDXRef-Package-{i}\nPackageVersion: 1.0.0\n\
             PackageDownloadLocation: NOASSERTION\nExternalRef: PACKAGE-MANAGER purl pkg:npm/pkg-{i}@1.0.0\n\
             Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-{i}\n\n"
        ));
    }
    s.into_bytes()
}

fn tag_value_seconds(n: usize) -> f64 {
    let bytes = tag_value(n);
    let t = Instant::now();
    let doc = sbom::read("gen.spdx", &bytes, &Default::default()).unwrap();
    let facts = aiprov::check::facts(&doc);
    assert_eq!(facts.components.len(), n);
    let report = aiprov::check::check(&facts, aiprov::check::Profile::Cisa2026);
    std::hint::black_box(report);
    t.elapsed().as_secs_f64()
}

/// Issue 15: tag-value `check` was superlinear; read and check are linear (same bound as the
/// SPDX 2 JSON test above: four times the packages, well under sixteen times the time).
#[test]
fn spdx2_tag_value_read_and_check_are_linear() {
    let _warm = tag_value_seconds(500);
    let small = tag_value_seconds(4_000);
    let large = tag_value_seconds(16_000);
    assert!(
        large < 9.0 * small.max(0.02),
        "4x the packages took {:.1}x the time ({small:.3} s → {large:.3} s)",
        large / small
    );
}
