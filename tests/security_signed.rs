//! Issue 15, item 10: `check` and `report` refused signed SBOMs and pointed at a flag they do
//! not have (`--strip-signature`). They only read: the signature is not their business.

use crate::common;

#[test]
fn check_and_report_read_signed_sboms() {
    let d = tempfile::tempdir().unwrap();
    let src: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/enriched/release.cdx.json"
    );
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(src).unwrap()).unwrap();
    let unsigned = d.path().join("unsigned.json");
    std::fs::write(&unsigned, serde_json::to_vec(&doc).unwrap()).unwrap();
    doc["signature"] = serde_json::json!({"algorithm": "ES256", "value": "c2lnbmF0dXJl"});
    let signed = d.path().join("signed.json");
    std::fs::write(&signed, serde_json::to_vec(&doc).unwrap()).unwrap();
    let plain = |cmd: &str, f: &str| {
        let out = common::command().args([cmd, f]).output().unwrap();
        (out.status.code(), out.stdout)
    };
    for cmd in ["check", "report"] {
        let (code, out) = plain(cmd, signed.to_str().unwrap());
        let (want_code, _) = plain(cmd, unsigned.to_str().unwrap());
        // `check` may judge a signed document differently (a signature is evidence some
        // profiles count); what matters is that it reads it: never 2 (bad input).
        assert!(
            matches!(code, Some(0 | 1)),
            "{cmd} on a signed SBOM: {code:?}"
        );
        if cmd == "report" {
            assert_eq!(code, want_code, "{cmd} on a signed SBOM");
        }
        assert!(!out.is_empty(), "{cmd}");
    }
}
