//! Every SBOM format through `aiprov::sbom::read` (seed: `cargo fuzz run sbom_read ../../shared/sboms`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = aiprov::sbom::read("fuzz", data, &Default::default());
});
