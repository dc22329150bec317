//! Issue 15, item 3: `--fail-on` expressions that panicked (`'tool '`, a metric followed by
//! white space, a trailing U+0085) and a seeded grammar fuzz: `policy::parse` returns `Ok` or an
//! error with a column inside the expression, never panics.

use crate::common;

use aiprov::policy::parse;

#[test]
fn expressions_that_panicked_are_errors_with_a_column() {
    for expr in [
        "tool ",
        "tool\u{85}",
        "ai-share ",
        "ai-share\t",
        "pkg:npm/*:tool ",
        "pkg:npm/*:ai-share \u{2003}",
        "status\u{85}",
    ] {
        let e = parse(expr).unwrap_err();
        let chars = expr.chars().count();
        assert!(
            e.column >= 1 && e.column <= chars + 1,
            "{expr:?}: column {} of {chars}: {e}",
            e.column
        );
    }
    // A trailing U+0085 is white space like any other.
    assert_eq!(parse("ai-share>0.5\u{85}").unwrap().text, "ai-share>0.5");
}

#[test]
fn the_cli_exits_2_not_101() {
    let bom = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/example/bom.cdx.json");
    for cmd in ["check", "report"] {
        let out = common::command()
            .args([cmd, bom, "--fail-on", "tool "])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("--fail-on"));
    }
}

/// xorshift64*: a fixed seed, so a failure names the case that reproduces it.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

#[test]
fn grammar_fuzz_never_panics() {
    const TOKENS: &[&str] = &[
        "pkg:",
        "npm/",
        "*",
        "?",
        ":",
        "ai-share",
        "tool",
        "status",
        "unreviewed-ai",
        "review-coverage",
        "ai-commits",
        ">",
        ">=",
        "<",
        "<=",
        "=",
        "!=",
        "!",
        "0",
        "0.5",
        "1",
        "50%",
        "%",
        ".",
        "-",
        "claude-code",
        "analyzed",
        " ",
        "\t",
        "\u{85}",
        "\u{a0}",
        "\u{2028}",
        "\u{3000}",
        "é",
        "\u{202e}",
        "\0",
        "pkg:golang/k8s.io/*?type=module",
        "@",
        "/",
        "::",
        "1e9",
        "NaN",
        "inf",
        "-1",
    ];
    let mut rng = Rng(0x15_2026);
    let mut ok = 0usize;
    let n = 50_000;
    for _ in 0..n {
        let expr: String = if rng.next().is_multiple_of(2) {
            let len = 1 + rng.next() % 8;
            (0..len).map(|_| rng.pick(TOKENS)).collect()
        } else {
            // Shaped like the grammar, with white space and noise in random places.
            let ws = ["", "", " ", "\u{85}", "\t"];
            let mut e = String::new();
            if rng.next().is_multiple_of(3) {
                e.push_str(rng.pick(&["pkg:npm/*", "pkg:cargo/a?", "pkg:"]));
                e.push_str(rng.pick(&ws));
                e.push(':');
            }
            for part in [
                rng.pick(&[
                    "ai-share",
                    "tool",
                    "status",
                    "unreviewed-ai",
                    "review-coverage",
                ]),
                rng.pick(&ws),
                rng.pick(&[">", ">=", "=", "!=", "<", "=="]),
                rng.pick(&ws),
                rng.pick(&["0", "0.5", "50%", "claude-code", "analyzed", "2", "x y"]),
                rng.pick(&ws),
                rng.pick(&["", "", "", ")", "\u{202e}"]),
            ] {
                e.push_str(part);
            }
            e
        };
        match std::panic::catch_unwind(|| parse(&expr)) {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => assert!(
                e.column >= 1 && e.column <= expr.chars().count() + 1,
                "{expr:?}: column {}",
                e.column
            ),
            Err(_) => panic!("parse panicked on {expr:?}"),
        }
    }
    // The generator reaches valid expressions too, not only errors.
    assert!(ok > 100 && ok < n, "{ok} of {n} parsed");
}
