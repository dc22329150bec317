//! The forge clients of the review stage: they fill [`crate::review::PullRequest`] records
//! from a forge's API, over the registry's HTTP client ([`crate::registry::Http`]: timeouts,
//! size caps, retries, tokens by host) and its answer cache.
//!
//! Split from [`crate::review`] so that the review attribution stays pure and below
//! `aggregate`, while the HTTP clients sit above `registry`.
//!
//! - [`github`]: GitHub's GraphQL API, batched and paged, rate-limit aware, cached.
//! - [`gitlab`]: GitLab's REST API (merge requests of a commit, approvals, pipelines), cached.

pub mod github;
pub mod gitlab;
