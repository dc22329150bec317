//! Issue 15, item 9: reading and checking an SPDX 2 JSON SBOM is linear in its packages (a
//! list scanned once per package made 200k packages take 35 s). Work is counted in time on
//! two sizes: four times the packages must cost well under sixteen times the time.

use std::time::Instant;

use aiprov::sbom;

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
