//! Revision accuracy on the real SBOM (`<shared>/sboms/real/aider-env.cdx.json`) against the
//! shared mirrors, offline with an empty registry cache (issue 11, "What it must show", item 2).
//!
//! Offline and with a cold cache, no registry release time is knowable (they come from the
//! registries' answers, cached only after an online run), so tags decide alone: every component
//! with a mirror is either at the tag matching its version or `revision-unresolved` with a reason
//! — never at the default branch unless `--fallback default-branch` asks for it.

use std::path::PathBuf;

use aiprov::classify::RuleSet;
use aiprov::enrich::{self, Options, Target};
use aiprov::registry::{Cache, CacheOptions, Registry, RegistryConfig};
use aiprov::revision::Fallback;

use crate::common;

/// (component, version, revision source, the tag that decided it / the start of the reason).
fn plan_table(fallback: Fallback) -> Vec<(String, String, String, String)> {
    let shared = common::shared();
    let mirrors = common::corpus_mirrors();
    let path = shared.join("sboms/real/aider-env.cdx.json");
    let bytes = std::fs::read(&path).unwrap();
    let doc = aiprov::sbom::read("aider-env", &bytes, &Default::default()).unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(
        cache_dir.path(),
        CacheOptions {
            offline: true,
            ..CacheOptions::default()
        },
    );
    let registry = Registry::new(RegistryConfig::default(), cache).unwrap();
    let rules = RuleSet::load(&[] as &[PathBuf]).unwrap();
    let roots: Vec<PathBuf> = vec![mirrors];
    let hosts = aiprov::resolve::ForgeHosts::default();
    let opts = Options {
        mirror_roots: &roots,
        repo_map: None,
        hosts: &hosts,
        offline: true,
        registry: Some(&registry),
        fetch: None,
        since: None,
        rules: &rules,
        fallback,
        reviews: None,
        review_all: false,
        progress: None,
        store: None,
        shard: None,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let inv = doc.inventory();
    let plan = enrich::plan(inv, &opts, &pool);
    let mut out = Vec::new();
    for (c, t) in inv.components.iter().zip(&plan.targets) {
        let version = c.version.clone().unwrap_or_default();
        let row = match t {
            Target::Walk {
                source,
                tag,
                released,
                ..
            } => (
                source.as_str().to_string(),
                tag.clone()
                    .or_else(|| released.map(aiprov::revision::rfc3339))
                    .unwrap_or_default(),
            ),
            Target::Skip { status, reason, .. } if status.as_str() == "revision-unresolved" => {
                (status.as_str().to_string(), reason.clone())
            }
            Target::Skip { .. } => continue,
        };
        out.push((c.name.clone(), version, row.0, row.1));
    }
    out
}

const TAGS: &[(&str, &str, &str)] = &[
    // (component, version, the tag that decided its revision)
    ("Jinja2", "3.1.6", "3.1.6"),
    ("aider-chat", "0.86.1", "v0.86.1"),
    ("aiohappyeyeballs", "2.6.1", "v2.6.1"),
    ("aiohttp", "3.12.15", "v3.12.15"),
    ("aiosignal", "1.4.0", "v1.4.0"),
    ("annotated-types", "0.7.0", "v0.7.0"),
    ("backoff", "2.2.1", "v2.2.1"),
    ("certifi", "2025.8.3", "2025.08.03"),
    ("diff-match-patch", "20241021", "v20241021"),
    ("gitdb", "4.0.12", "4.0.12"),
    ("httpcore", "1.0.9", "1.0.9"),
    ("httpx", "0.28.1", "0.28.1"),
    ("isoduration", "20.11.0", "20.11.0"),
    ("jiter", "0.10.0", "v0.10.0"),
    ("jsonschema", "4.25.0", "v4.25.0"),
    ("jsonschema-specifications", "2025.4.1", "v2025.4.1"),
    ("mccabe", "0.7.0", "0.7.0"),
    ("mdurl", "0.1.2", "0.1.2"),
    ("mixpanel", "4.10.1", "v4.10.1"),
    ("mslex", "1.3.0", "v1.3.0"),
    ("multidict", "6.6.3", "v6.6.3"),
    ("oslex", "0.1.3", "release/v0.1.3"),
    ("packageurl-python", "0.17.6", "v0.17.6"),
    ("pip-requirements-parser", "32.0.1", "v32.0.1"),
    ("propcache", "0.3.2", "v0.3.2"),
    ("referencing", "0.36.2", "v0.36.2"),
    ("rfc3339-validator", "0.1.4", "v0.1.4"),
    ("rfc3987-syntax", "1.1.0", "v1.1.0"),
    ("rich", "14.1.0", "v14.1.0"),
    ("shtab", "1.7.2", "v1.7.2"),
    ("smmap", "5.0.2", "v5.0.2"),
    ("sniffio", "1.3.1", "v1.3.1"),
    ("socksio", "1.0.0", "1.0.0"),
    ("tqdm", "4.67.1", "v4.67.1"),
    ("tree-sitter", "0.24.0", "v0.24.0"),
    ("typing-inspection", "0.4.1", "v0.4.1"),
    ("uritemplate", "4.2.0", "4.2.0"),
    ("urllib3", "2.5.0", "2.5.0"),
    ("yarl", "1.20.1", "v1.20.1"),
];

const UNRESOLVED: &[(&str, &str)] = &[
    ("cachetools", "5.5.2"),
    ("fqdn", "1.6.0"),
    ("jsonpointer", "3.12"),
    ("py-serializable", "2.2.0"),
    ("pydantic", "2.11.7"),
    ("pydantic_core", "2.33.2"),
    ("rfc3986-validator", "0.1.1"),
    ("tiktoken", "0.10.0"),
    ("tokenizers", "0.21.4"),
    ("webcolors", "25.10.0"),
];

#[test]
#[ignore = "needs ../shared"]
fn no_component_is_walked_at_the_default_branch_without_the_flag() {
    let _shared = common::shared();
    let table = plan_table(Fallback::Unresolved);
    let tagged: Vec<(&str, &str, &str)> = table
        .iter()
        .filter(|r| r.2 == "tag")
        .map(|r| (r.0.as_str(), r.1.as_str(), r.3.as_str()))
        .collect();
    assert_eq!(tagged, TAGS);
    let unresolved: Vec<(&str, &str)> = table
        .iter()
        .filter(|r| r.2 == "revision-unresolved")
        .map(|r| (r.0.as_str(), r.1.as_str()))
        .collect();
    assert_eq!(unresolved, UNRESOLVED);
    assert_eq!(table.len(), TAGS.len() + UNRESOLVED.len(), "{table:#?}");
    for (name, version, _, reason) in table.iter().filter(|r| r.2 == "revision-unresolved") {
        assert!(
            reason.contains(&format!("matches version {version} (")),
            "{name}: {reason}"
        );
        assert!(
            reason
                .contains("no release time: offline, and no cached registry answer for pkg:pypi/"),
            "{name}: {reason}"
        );
        assert!(
            reason.ends_with("not walked at the default branch (--fallback default-branch would)"),
            "{name}: {reason}"
        );
    }

    // asked for, the default branch is walked and labelled as such; tags still decide first
    let table = plan_table(Fallback::DefaultBranch);
    let at_head: Vec<(&str, &str)> = table
        .iter()
        .filter(|r| r.2 == "default-branch")
        .map(|r| (r.0.as_str(), r.1.as_str()))
        .collect();
    assert_eq!(at_head, UNRESOLVED);
    assert_eq!(table.iter().filter(|r| r.2 == "tag").count(), TAGS.len());
}
