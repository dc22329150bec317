//! Reading a git-ai authorship note (`refs/notes/ai`): which AI agents it attests lines to.
//!
//! Format (git-ai-project/git-ai `specs/git_ai_standard_v3.0.0.md` and
//! `src/authorship/authorship_log_serialization.rs`, schema `authorship/3.x`): an attestation
//! section of file-path lines, each followed by entries `  <key> <line-ranges>` (two spaces); a line
//! holding exactly `---`; then a JSON object with `schema_version`, `base_commit_sha`, `prompts`
//! (legacy AI records keyed by 16 hex digits, always present, often `{}`) and, in later 3.x
//! writers, `sessions` (AI records keyed `s_<14 hex>`; attestation keys may carry a `::t_<14 hex>`
//! trace suffix) and `humans` (known human authors keyed `h_<14 hex>`). Every AI record has
//! `agent_id: {tool, id, model}`.
//!
//! A note is AI evidence only when its attestation section gives at least one line to a key that
//! is not a human's (`h_…`) and whose record, when the note holds it, names no test preset
//! (`mock_ai`, git-ai's own test agent). An empty note, a note attesting only human lines and a
//! note whose only agent is `mock_ai` attest nothing. Notes are bounded (64 KiB) and may be cut
//! inside the JSON: then each key's `agent_id` is looked up by a bounded scan of the text.

use std::sync::OnceLock;

use regex::Regex;

/// git-ai test presets: lines attributed to them are not AI-written.
const TEST_PRESETS: &[&str] = &["mock_ai", "mock-ai"];

/// The catalog slug of a git-ai preset's tool name. Names from git-ai's presets
/// (`src/commands/checkpoint_agent/presets/*.rs`): `claude` is its Claude Code hook preset,
/// `continue-cli` Continue's CLI, `droid` Factory's Droid, `gemini` the Gemini CLI. Other names
/// become slugs as they are (`cursor`, `codex`, `github-copilot`, `amp`, `opencode`, …).
pub fn tool_slug(tool: &str) -> Option<String> {
    let t = tool.trim().to_ascii_lowercase();
    let mapped = match t.as_str() {
        "claude" | "claude-code" | "claude_code" => "claude-code",
        "continue-cli" | "continue" => "continue",
        "droid" | "factory-droid" => "factory-droid",
        "gemini" | "gemini-cli" => "gemini-cli",
        "copilot" | "github-copilot" => "github-copilot",
        "qwen" | "qwen-code" => "qwen-code",
        _ => return super::slug(&t),
    };
    Some(mapped.to_string())
}

/// The agents a git-ai note attests lines to, as catalog slugs, in first-seen order and without
/// repeats; `git-ai` for an AI key whose record the note does not hold or names no tool. Empty when
/// the note is not an authorship log or attests no AI line.
pub fn attested_agents(note: &str) -> Vec<String> {
    let Some((attestations, metadata)) = split(note) else {
        return Vec::new();
    };
    if !schema_re().is_match(metadata) {
        return Vec::new();
    }
    let keys = ai_keys(attestations);
    if keys.is_empty() {
        return Vec::new();
    }
    let json: Option<serde_json::Value> = serde_json::from_str(metadata).ok();
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        let tool = match &json {
            Some(v) => ["sessions", "prompts"]
                .iter()
                .find_map(|section| v.get(section)?.get(key))
                .map(|record| {
                    record
                        .get("agent_id")
                        .and_then(|a| a.get("tool"))
                        .and_then(|t| t.as_str())
                        .unwrap_or("")
                        .to_string()
                }),
            None => scan_tool(metadata, key),
        };
        let tool = tool.unwrap_or_default();
        if TEST_PRESETS.contains(&tool.trim().to_ascii_lowercase().as_str()) {
            continue;
        }
        let slug = tool_slug(&tool).unwrap_or_else(|| "git-ai".to_string());
        if !out.contains(&slug) {
            out.push(slug);
        }
    }
    out
}

/// The attestation section and the metadata text, split at the first line that is exactly `---`.
fn split(note: &str) -> Option<(&str, &str)> {
    let mut offset = 0;
    for line in note.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == "---" {
            return Some((&note[..offset], &note[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

fn schema_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#""schema_version"\s*:\s*"authorship/\d"#).expect("a valid pattern")
    })
}

/// Keys of attestation entries with at least one line that are AI keys: 7–16 hex digits (legacy
/// prompt hashes) or `s_<hex>` sessions, a `::…` trace suffix dropped. `h_` (human) and anything
/// else are not AI keys.
fn ai_keys(attestations: &str) -> Vec<&str> {
    let mut keys: Vec<&str> = Vec::new();
    for line in attestations.lines() {
        let Some(entry) = line.strip_prefix("  ") else {
            continue;
        };
        let Some((key, ranges)) = entry.trim_end().split_once(' ') else {
            continue;
        };
        let key = key.split("::").next().unwrap_or(key);
        let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
        let is_ai = match key.strip_prefix("s_") {
            Some(rest) => hex(rest),
            None => (7..=16).contains(&key.len()) && hex(key),
        };
        let has_lines = ranges.bytes().any(|b| b.is_ascii_digit());
        if is_ai && has_lines && !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// The `agent_id.tool` of the record `key` in metadata text that is not valid JSON (cut at the
/// note bound): the first `"agent_id": {…}` within 4 KiB after `"key": {`.
fn scan_tool(metadata: &str, key: &str) -> Option<String> {
    static AGENT: OnceLock<Regex> = OnceLock::new();
    static TOOL: OnceLock<Regex> = OnceLock::new();
    let agent = AGENT.get_or_init(|| {
        Regex::new(r#""agent_id"\s*:\s*\{([^{}]{0,1000})\}"#).expect("a valid pattern")
    });
    let tool = TOOL
        .get_or_init(|| Regex::new(r#""tool"\s*:\s*"([^"\\]{0,64})""#).expect("a valid pattern"));
    let needle = format!("\"{key}\"");
    let start = metadata.find(&needle)? + needle.len();
    let rest = metadata[start..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('{')?;
    let mut end = rest.len().min(4096);
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    let body = agent.captures(&rest[..end])?.get(1)?.as_str();
    Some(
        tool.captures(body)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_slugs() {
        assert_eq!(
            ai_keys("a.rs\n  h_0123456789abcd 1-3\n  s_0123456789abcd::t_0123456789abcd 4\n  abcdef0123456789 7,9-10\n  zz 1\n  0123456789abcdef \n"),
            vec!["s_0123456789abcd", "abcdef0123456789"]
        );
        assert_eq!(tool_slug("claude").as_deref(), Some("claude-code"));
        assert_eq!(tool_slug("continue-cli").as_deref(), Some("continue"));
        assert_eq!(tool_slug("Cursor").as_deref(), Some("cursor"));
        assert_eq!(tool_slug("  ").as_deref(), None);
    }

    #[test]
    fn a_cut_note_is_read_by_scanning() {
        let note = "a.rs\n  0123456789abcdef 1-9\n---\n{\n  \"schema_version\": \"authorship/3.0.0\",\n  \"prompts\": {\n    \"0123456789abcdef\": {\n      \"agent_id\": {\n        \"tool\": \"claude\",\n        \"id\": \"x\",\n        \"model\": \"claude-opus-4\"\n      },\n      \"messages\": [{\"type\": \"user\", \"text\": \"Add a";
        assert_eq!(attested_agents(note), vec!["claude-code"]);
    }
}
