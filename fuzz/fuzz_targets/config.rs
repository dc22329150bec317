//! The configuration file (`aiprov.toml`).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = aiprov::config::FileConfig::from_toml("fuzz", s);
    }
});
