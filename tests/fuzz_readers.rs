//! Issue 15, item 11: a mutation fuzzer on stable Rust, through the library's readers.
//!
//! Seeds are read in place: every SBOM under `$AIPROV_SHARED/sboms` and `$AIPROV_SHARED/examples`
//! (never copied into the repository), this repository's lockfile fixtures and rule packs, the
//! configuration example and a set of `--fail-on` expressions. Each execution picks a seed,
//! applies 1–8 mutations (bit flips, byte insertions and deletions, chunk duplication,
//! truncation, dictionary tokens: braces, quotes, huge numbers, U+0085, bidi overrides, NUL)
//! and hands the result to the reader, under `catch_unwind`. A panic is a failure: the input is
//! written to `target/fuzz-crashes/` and named in the message (then it becomes a regression
//! test).
//!
//! Time-bounded: `AIPROV_FUZZ_SECS` seconds (default 5; `.ci/run` runs 60), seed
//! `AIPROV_FUZZ_SEED` (default: fixed, so a run reproduces). Prints executions per target.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const DICT: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"\n",
    b"\r\n",
    b"\0",
    b"\\u0000",
    b"\\ud800",
    b"1e99999",
    b"-0",
    b"18446744073709551616",
    b"null",
    b"true",
    b"[[[[[[[[",
    b"<",
    b">",
    b"</",
    b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    b"&a;",
    b"\xc2\x85",
    b"\xe2\x80\xae",
    b"\xff\xfe",
    b"pkg:",
    b"pkg:npm/",
    b"@",
    b"%",
    b"%zz",
    b"SPDXRef-",
    b"PackageName: ",
    b"Relationship: ",
    b"<text>",
    b"</text>",
    b"[[package]]",
    b"version = ",
    b"\"\"\"",
    b"'''",
    b"=",
    b"==",
    b">=",
    b"ai-share",
    b"tool",
    b" ",
    b"\t",
    b"https://",
    b"file:///",
    b"ext::",
    b"../",
    b"h1:",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let len = v.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(len + 1);
                v.insert(i, rng.next() as u8);
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(16.min(len - i));
                v.drain(i..i + n);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(64.min(len - i));
                let chunk = v[i..i + n].to_vec();
                let at = rng.below(len + 1);
                v.splice(at..at, chunk);
            }
            4 if len > 0 => v.truncate(rng.below(len)),
            _ => {
                let tok = DICT[rng.below(DICT.len())];
                let at = rng.below(len + 1);
                v.splice(at..at, tok.iter().copied());
            }
        }
    }
    v
}

/// Feeds one input to a reader; the path is a scratch folder.
type Feed = Box<dyn Fn(&[u8], &Path)>;

/// One reader under test: a name, its seeds, and a function that feeds it bytes.
struct Target {
    name: &'static str,
    seeds: Vec<Vec<u8>>,
    run: Feed,
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else if std::fs::metadata(&p).is_ok_and(|m| m.len() <= 4 << 20) {
            out.push(p);
        }
    }
}

fn targets(shared: Option<&Path>) -> Vec<Target> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sboms = Vec::new();
    if let Some(s) = shared {
        files_under(&s.join("sboms"), &mut sboms);
        files_under(&s.join("examples"), &mut sboms);
    }
    files_under(&here.join("testdata/example"), &mut sboms);
    let sbom_seeds: Vec<Vec<u8>> = sboms.iter().filter_map(|p| std::fs::read(p).ok()).collect();

    let mut out = vec![Target {
        name: "sbom::read",
        seeds: sbom_seeds,
        run: Box::new(|b, _| {
            let _ = aiprov::sbom::read("fuzz", b, &Default::default());
        }),
    }];
    for (file, dir) in [
        ("Cargo.lock", "lockfiles/cargo"),
        ("package-lock.json", "lockfiles/npm"),
        ("uv.lock", "lockfiles/uv"),
        ("go.sum", "lockfiles/go"),
        ("yarn.lock", "scan/yarn-classic-workspace"),
        ("yarn.lock", "scan/yarn-berry-workspace"),
        ("pnpm-lock.yaml", "scan/pnpm-workspace"),
        ("pnpm-lock.yaml", "scan/pnpm8-workspace"),
        ("bun.lock", "scan/bun-workspace"),
    ] {
        let seed = std::fs::read(here.join("testdata").join(dir).join(file)).unwrap();
        out.push(Target {
            name: file,
            seeds: vec![seed],
            run: Box::new(move |b, tmp| {
                let p = tmp.join(file);
                std::fs::write(&p, b).unwrap();
                let _ = aiprov::scan::scan(&p);
            }),
        });
    }
    let packs: Vec<Vec<u8>> = std::fs::read_dir(here.join("enrichers"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect();
    out.push(Target {
        name: "rule pack",
        seeds: packs,
        run: Box::new(|b, tmp| {
            let p = tmp.join("rules.toml");
            std::fs::write(&p, b).unwrap();
            let _ = aiprov::classify::RuleSet::load(&[p]);
        }),
    });
    out.push(Target {
        name: "aiprov.toml",
        seeds: vec![CONFIG.as_bytes().to_vec()],
        run: Box::new(|b, _| {
            let _ = aiprov::config::FileConfig::from_toml("fuzz", &String::from_utf8_lossy(b));
        }),
    });
    out.push(Target {
        name: "--fail-on",
        seeds: [
            "ai-share>0.5",
            "pkg:npm/*:unreviewed-ai>=2",
            "tool=claude-code",
            "status!=analyzed",
            "review-coverage<50%",
            "pkg:golang/k8s.io/*?type=module:ai-share>0",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
        run: Box::new(|b, _| {
            let _ = aiprov::policy::parse(&String::from_utf8_lossy(b));
        }),
    });
    out
}

const CONFIG: &str = r#"[registries]
crates-io = "https://crates.io"
npm = "https://registry.npmjs.org"
go-vanity = "https://goproxy.internal/vanity"
deps-dev-fallback = true
[http]
connect-timeout-ms = 10000
max-redirects = 5
per-host-interval-ms = { "*" = 0, "crates.io" = 1000 }
tokens = { "npm.internal.example" = "NPM_TOKEN" }
[cache]
ttl-hours = 168
[git]
timeout-secs = 600
remotes = { "github.com" = "https://git-mirror.internal/github.com" }
"#;

#[test]
fn fuzz_the_readers_for_a_bounded_time() {
    let secs: u64 = std::env::var("AIPROV_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let seed: u64 = std::env::var("AIPROV_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x1515_2026);
    let shared = std::env::var_os("AIPROV_SHARED").map(PathBuf::from);
    let targets = targets(shared.as_deref());
    let tmp = tempfile::tempdir().unwrap();
    let crashes_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-crashes");
    let mut rng = Rng(seed | 1);
    let mut runs = vec![0usize; targets.len()];
    let mut crashes: Vec<String> = Vec::new();
    // Panics are expected to be caught here; keep their messages short.
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline && crashes.len() < 10 {
        let t = rng.below(targets.len());
        let target = &targets[t];
        if target.seeds.is_empty() {
            continue;
        }
        let seed_bytes = &target.seeds[rng.below(target.seeds.len())];
        let input = mutate(&mut rng, seed_bytes);
        runs[t] += 1;
        if catch_unwind(AssertUnwindSafe(|| (target.run)(&input, tmp.path()))).is_err() {
            std::fs::create_dir_all(&crashes_dir).unwrap();
            let p = crashes_dir.join(format!(
                "{}-{}.bin",
                target.name.replace(['/', ':', ' '], "_"),
                crashes.len()
            ));
            std::fs::write(&p, &input).unwrap();
            crashes.push(format!("{}: {}", target.name, p.display()));
        }
    }
    std::panic::set_hook(quiet);
    let total: usize = runs.iter().sum();
    for (t, n) in targets.iter().zip(&runs) {
        eprintln!(
            "fuzz: {:<18} {n:>7} executions ({} seeds)",
            t.name,
            t.seeds.len()
        );
    }
    eprintln!(
        "fuzz: {total} executions in {secs} s, seed {seed}, {} crashes",
        crashes.len()
    );
    assert!(crashes.is_empty(), "panics on: {crashes:#?}");
    assert!(total > 0 && runs.iter().all(|n| *n > 0), "{runs:?}");
}
