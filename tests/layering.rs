//! Layers only point down (`docs/ARCHITECTURE.md`): every `crate::<module>` path in `src/` names
//! a module on a strictly lower layer than the file's own module. A new module must be added to
//! [`LAYERS`]; an import that points up or sideways fails with the file, line and both modules.

use std::collections::BTreeMap;
use std::path::Path;

/// Top-level modules of the library, bottom first. A module may use only modules of lower
/// layers; modules on one layer do not know each other. Keep in step with docs/ARCHITECTURE.md.
const LAYERS: &[&[&str]] = &[
    &["text"],
    &["ident", "props"],
    &["inventory", "history"],
    &["sbom", "classify"],
    &["resolve", "revision"],
    &["review"],
    &["aggregate", "provenance"],
    &["registry", "check", "policy", "evidence", "scan"],
    &["config", "forge"],
    &["fetch", "report", "results"],
    &["enrich"],
    &["pipeline", "diff"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The modules a line of code names through `crate::x` or `use crate::{x, y::…}`. Comments
/// (including doc comments, whose links are not imports) are skipped by the caller.
fn crate_paths(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        let preceded_ok = rest[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$'));
        if preceded_ok {
            if let Some(group) = after.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push(name);
                    }
                }
            } else {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        }
        rest = after;
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn modules_only_import_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src/");
        let first = rel.components().next().expect("a path");
        let module = Path::new(first.as_os_str())
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            problems.push(format!(
                "src/{}: module `{module}` is not in the layer table of tests/layering.rs",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("source is UTF-8");
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for used in crate_paths(line) {
                *seen.entry(format!("{module} -> {used}")).or_default() += 1;
                if used == module {
                    continue;
                }
                match layer_of(&used) {
                    Some(l) if l < own => {}
                    Some(l) => problems.push(format!(
                        "src/{}:{}: `{module}` (layer {own}) uses `crate::{used}` (layer {l}): {}",
                        rel.display(),
                        n + 1,
                        if l == own { "same layer" } else { "upward" }
                    )),
                    None => problems.push(format!(
                        "src/{}:{}: `crate::{used}` is not a module in the layer table",
                        rel.display(),
                        n + 1
                    )),
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "imports that do not point down:\n{}",
        problems.join("\n")
    );
    // The scan found the imports it is meant to police (a broken scan would pass vacuously).
    assert!(seen.contains_key("sbom -> inventory"), "{seen:?}");
    assert!(seen.contains_key("cli -> sbom"), "{seen:?}");
    assert!(seen.contains_key("resolve -> ident"), "{seen:?}");
}

#[test]
fn the_scan_reads_paths_and_groups() {
    assert_eq!(crate_paths("use crate::sbom::{a, b};"), ["sbom"]);
    assert_eq!(
        crate_paths("use crate::{text::bounded, ident};"),
        ["text", "ident"]
    );
    assert_eq!(
        crate_paths("let x = crate::resolve::f(crate::text::g());"),
        ["resolve", "text"]
    );
    assert!(crate_paths("$crate::x; mycrate::y").is_empty());
}
