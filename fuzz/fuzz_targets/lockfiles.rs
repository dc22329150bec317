//! The lockfile readers: the first byte picks the file name, the rest is its content.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    const NAMES: [&str; 8] = [
        "Cargo.lock",
        "package-lock.json",
        "uv.lock",
        "poetry.lock",
        "go.sum",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lock",
    ];
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let dir = tempfile_dir();
    let p = dir.join(NAMES[pick as usize % NAMES.len()]);
    if std::fs::write(&p, body).is_ok() {
        let _ = aiprov::scan::scan(&p);
    }
});

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("aiprov-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&d);
    d
}
