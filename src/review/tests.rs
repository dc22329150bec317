//! The attribution rules, one test per rule, and the review-data parser.

use super::*;
use crate::history::Time;

const C1: &str = "1111111111111111111111111111111111111111";
const C2: &str = "2222222222222222222222222222222222222222";
const REPO: &str = "https://github.com/acme/widget";

fn sig(name: &str, email: &str) -> Signature {
    Signature {
        name: name.into(),
        email: email.into(),
        time: Time::default(),
    }
}

fn dev() -> Signature {
    sig("Dev One", "dev-1@example.invalid")
}

fn rev(author: &str, state: ReviewState, at: &str) -> Review {
    Review {
        author: author.into(),
        state,
        submitted_at: Some(at.into()),
    }
}

fn pr(number: u64, author: &str, reviews: Vec<Review>) -> PullRequest {
    PullRequest {
        repository: REPO.into(),
        number,
        url: format!("{REPO}/pull/{number}"),
        author: Some(author.into()),
        merged_at: Some("2026-04-29T14:30:00Z".into()),
        merged_by: Some("bob".into()),
        commits: vec![C1.into()],
        reviews,
        checks: vec![Check {
            name: "test".into(),
            conclusion: Some("success".into()),
        }],
        source: Source::ReviewData,
    }
}

fn rules() -> RuleSet {
    RuleSet::builtin().unwrap()
}

fn outcome(author: &Signature, prs: &[&PullRequest]) -> (Outcome, Vec<String>, Vec<String>) {
    let r = attribute(author, prs, &rules());
    let counted = r
        .pull_requests
        .iter()
        .flat_map(|p| p.approvals.iter().map(|a| a.reviewer.clone()))
        .collect();
    let ignored = r
        .pull_requests
        .iter()
        .flat_map(|p| {
            p.ignored_approvals
                .iter()
                .map(|a| format!("{}:{:?}", a.reviewer, a.reason))
        })
        .collect();
    (r.outcome, counted, ignored)
}

const T: &str = "2026-04-29T10:15:00Z";

#[test]
fn an_approval_by_another_human_counts() {
    let p = pr(1, "alice", vec![rev("carol", ReviewState::Approved, T)]);
    assert_eq!(
        outcome(&dev(), &[&p]),
        (Outcome::Approved, vec!["carol".into()], vec![])
    );
    let r = attribute(&dev(), &[&p], &rules());
    let e = &r.pull_requests[0];
    assert_eq!(
        (
            e.number,
            e.url.as_str(),
            e.merged_by.as_deref(),
            e.approvals[0].submitted_at.as_deref()
        ),
        (
            1,
            "https://github.com/acme/widget/pull/1",
            Some("bob"),
            Some(T)
        )
    );
    assert_eq!(e.checks[0].conclusion.as_deref(), Some("success"));
}

#[test]
fn the_request_author_approving_their_own_request_does_not_count() {
    let p = pr(2, "alice", vec![rev("Alice", ReviewState::Approved, T)]);
    assert_eq!(
        outcome(&dev(), &[&p]),
        (
            Outcome::MergedUnapproved,
            vec![],
            vec!["Alice:RequestAuthor".into()]
        )
    );
}

#[test]
fn the_commit_author_approving_does_not_count() {
    // By login in a GitHub no-reply address, by e-mail, and by a name written as the login.
    let by_noreply = sig("Dev One", "123+dev-1@users.noreply.github.com");
    let p = pr(3, "alice", vec![rev("dev-1", ReviewState::Approved, T)]);
    assert_eq!(
        outcome(&by_noreply, &[&p]).0,
        Outcome::MergedUnapproved,
        "{:?}",
        outcome(&by_noreply, &[&p])
    );
    let p = pr(
        3,
        "alice",
        vec![rev("dev-1@example.invalid", ReviewState::Approved, T)],
    );
    assert_eq!(
        outcome(&dev(), &[&p]).2,
        vec!["dev-1@example.invalid:CommitAuthor".to_string()]
    );
    let p = pr(3, "alice", vec![rev("carol", ReviewState::Approved, T)]);
    assert_eq!(
        outcome(&sig("carol", "c@example.invalid"), &[&p]).0,
        Outcome::MergedUnapproved
    );
}

#[test]
fn ai_and_bot_approvals_are_recorded_but_never_count() {
    let p = pr(
        4,
        "alice",
        vec![
            rev("coderabbitai[bot]", ReviewState::Approved, T),
            rev(
                "copilot-pull-request-reviewer[bot]",
                ReviewState::Approved,
                T,
            ),
            rev("renovate[bot]", ReviewState::Approved, T),
        ],
    );
    let (o, counted, ignored) = outcome(&dev(), &[&p]);
    assert_eq!((o, counted.len()), (Outcome::MergedUnapproved, 0));
    assert_eq!(
        ignored,
        [
            "coderabbitai[bot]:AiOrBot",
            "copilot-pull-request-reviewer[bot]:AiOrBot",
            "renovate[bot]:AiOrBot"
        ]
    );
    // Rule-pack identities without the `[bot]` suffix: an AI agent's e-mail.
    assert!(is_ai_or_bot("noreply@anthropic.com", &rules()));
    assert!(is_ai_or_bot("devin-ai-integration[bot]", &rules()));
    for human in ["carol", "alice", "bob", "dev-1", "cursor-fan", "claude"] {
        assert!(!is_ai_or_bot(human, &rules()), "{human}");
    }
}

#[test]
fn dismissed_and_changes_requested_withdraw_an_approval() {
    let later = "2026-04-29T11:00:00Z";
    let p = pr(
        5,
        "alice",
        vec![
            rev("carol", ReviewState::Approved, T),
            rev("carol", ReviewState::ChangesRequested, later),
        ],
    );
    assert_eq!(
        outcome(&dev(), &[&p]),
        (
            Outcome::MergedUnapproved,
            vec![],
            vec!["carol:Withdrawn".into()]
        )
    );
    // A dismissed review is not an approval; a comment after an approval changes nothing.
    let p = pr(
        6,
        "alice",
        vec![
            rev("dave", ReviewState::Dismissed, T),
            rev("carol", ReviewState::Approved, T),
            rev("carol", ReviewState::Commented, later),
        ],
    );
    assert_eq!(
        outcome(&dev(), &[&p]),
        (Outcome::Approved, vec!["carol".into()], vec![])
    );
    // Changes requested, then approved: the approval stands.
    let p = pr(
        7,
        "alice",
        vec![
            rev("carol", ReviewState::ChangesRequested, T),
            rev("carol", ReviewState::Approved, later),
        ],
    );
    assert_eq!(outcome(&dev(), &[&p]).0, Outcome::Approved);
}

#[test]
fn an_approval_after_the_merge_does_not_count() {
    let p = pr(
        8,
        "alice",
        vec![rev("carol", ReviewState::Approved, "2026-04-30T00:00:00Z")],
    );
    assert_eq!(
        outcome(&dev(), &[&p]),
        (
            Outcome::MergedUnapproved,
            vec![],
            vec!["carol:AfterMerge".into()]
        )
    );
}

#[test]
fn a_commit_in_two_requests_is_approved_when_either_approves() {
    let unapproved = pr(9, "alice", vec![]);
    let approved = pr(10, "alice", vec![rev("carol", ReviewState::Approved, T)]);
    let r = attribute(&dev(), &[&unapproved, &approved], &rules());
    assert_eq!(r.outcome, Outcome::Approved);
    assert_eq!(
        r.pull_requests.iter().map(|p| p.number).collect::<Vec<_>>(),
        [9, 10]
    );
    assert_eq!(
        outcome(&dev(), &[&unapproved, &unapproved]).0,
        Outcome::MergedUnapproved
    );
}

#[test]
fn unmerged_requests_bring_nothing_in() {
    let mut open = pr(11, "alice", vec![rev("carol", ReviewState::Approved, T)]);
    open.merged_at = None;
    assert_eq!(
        attribute(&dev(), &[&open], &rules()),
        CommitReview {
            outcome: Outcome::NoPullRequest,
            pull_requests: vec![]
        }
    );
    assert_eq!(outcome(&dev(), &[]).0, Outcome::NoPullRequest);
}

#[test]
fn the_index_tells_uncovered_repositories_from_direct_pushes() {
    let mut p = pr(1, "alice", vec![rev("carol", ReviewState::Approved, T)]);
    p.repository = "https://GitHub.com/Acme/Widget.git".into();
    let index = ReviewIndex::new(vec![p.clone(), p]);
    assert_eq!(index.requests().len(), 1, "a repeated request is kept once");
    let meta = CommitMeta {
        id: C1.into(),
        author: dev(),
        ..CommitMeta::default()
    };
    let r = |repo: &str, c: &str| review(&meta, index.lookup(repo, c), &rules()).outcome;
    assert_eq!(r(REPO, C1), Outcome::Approved);
    assert_eq!(r("https://github.com/acme/widget/", C1), Outcome::Approved);
    assert_eq!(r(REPO, C2), Outcome::NoPullRequest);
    assert_eq!(r("https://github.com/acme/other", C1), Outcome::Unknown);
    assert_eq!(
        index.sources(REPO).into_iter().collect::<Vec<_>>(),
        [Source::ReviewData]
    );
    assert_eq!(
        review(&meta, index.lookup_any(C1), &rules()).outcome,
        Outcome::Approved
    );
    assert_eq!(
        review(&meta, ReviewIndex::default().lookup_any(C1), &rules()).outcome,
        Outcome::Unknown
    );
    assert_eq!(
        repo_key("git@gitlab.example.com:grp/sub/proj.git"),
        "gitlab.example.com:grp/sub/proj"
    );
    assert_eq!(
        repo_key("https://gitlab.com/grp/sub/proj"),
        "gitlab.com/grp/sub/proj"
    );
}

#[test]
fn review_data_lines_parse_in_the_issue_s_shape() {
    let text = format!(
        "{{\"repository\": \"{REPO}\", \"number\": 12, \"url\": \"{REPO}/pull/12\", \"author\": \"alice\", \"merged_at\": \"2026-04-29T14:30:00Z\", \"merged_by\": \"bob\", \"commits\": [\"{}\"], \"reviews\": [{{\"author\": \"carol\", \"state\": \"approved\", \"submitted_at\": \"2026-04-29T10:15:00Z\"}}], \"checks\": [{{\"name\": \"test\", \"conclusion\": \"success\"}}], \"extra\": {{\"ignored\": true}}}}\n\n{{\"repository\": \"{REPO}\", \"number\": 13, \"url\": \"u\", \"commits\": []}}\n",
        C1.to_ascii_uppercase()
    );
    let got = data::parse("r.jsonl", &text).unwrap();
    assert_eq!(got.len(), 2);
    let mut want = pr(12, "alice", vec![rev("carol", ReviewState::Approved, T)]);
    want.url = format!("{REPO}/pull/12");
    assert_eq!(got[0], want);
    assert_eq!(
        (
            got[1].author.clone(),
            got[1].merged_at.clone(),
            got[1].reviews.len()
        ),
        (None, None, 0)
    );
    // Round trip through the writer.
    let again = data::parse("x", &data::to_line(&got[0])).unwrap();
    assert_eq!(again, vec![want]);
}

#[test]
fn malformed_review_data_names_file_line_and_field() {
    let ok =
        format!("{{\"repository\": \"{REPO}\", \"number\": 1, \"url\": \"u\", \"commits\": []}}");
    let cases = [
        ("{\"repository\": ", "r.jsonl:2: column 15: not JSON: EOF while parsing a value"),
        ("[1]", "r.jsonl:2: expected a JSON object (one request), not [1]"),
        ("{\"number\": 1, \"url\": \"u\", \"commits\": []}", "r.jsonl:2: `repository` is missing (a repository URL)"),
        (&format!("{{\"repository\": \"{REPO}\", \"number\": -1, \"url\": \"u\", \"commits\": []}}"), "r.jsonl:2: `number` must be a non-negative integer, not -1"),
        (&format!("{{\"repository\": \"{REPO}\", \"number\": 1, \"url\": \"u\", \"commits\": [\"abc\"]}}"), "r.jsonl:2: `commits/0` must be a full commit id (40 or 64 hex digits), not \"abc\""),
        (&format!("{{\"repository\": \"{REPO}\", \"number\": 1, \"url\": \"u\", \"commits\": [], \"merged_at\": \"yesterday\"}}"), "r.jsonl:2: `merged_at`: \"yesterday\" is not an RFC 3339 date-time (e.g. 2026-04-29T14:30:00Z)"),
        (&format!("{{\"repository\": \"{REPO}\", \"number\": 1, \"url\": \"u\", \"commits\": [], \"reviews\": [{{\"author\": \"c\", \"state\": \"lgtm\"}}]}}"), "r.jsonl:2: `reviews/0/state`: \"lgtm\" is not one of approved, changes_requested, commented, dismissed, pending"),
        (&format!("{{\"repository\": \"{REPO}\", \"number\": 1, \"url\": \"u\"}}"), "r.jsonl:2: `commits` is missing (the ids of the commits it brought in)"),
        (&format!("{{\"repository\": \"{REPO}\", \"number\": 1, \"url\": \"u\", \"commits\": [], \"author\": 7}}"), "r.jsonl:2: `author` must be a string, not 7"),
    ];
    for (bad, want) in cases {
        let text = format!("{ok}\n{bad}\n");
        assert_eq!(
            data::parse("r.jsonl", &text).unwrap_err().to_string(),
            want,
            "{bad}"
        );
    }
}
