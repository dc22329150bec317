//! The one clock of the command line: the time documents are stamped with.

use anyhow::anyhow;

use super::{escape_for_terminal, Failure};

/// Now, or `SOURCE_DATE_EPOCH` when set and not empty (reproducible builds,
/// <https://reproducible-builds.org/specs/source-date-epoch/>): whole seconds since the Unix
/// epoch. A value that is not a number or out of range is bad input (exit 2), for every
/// subcommand alike.
pub(super) fn now() -> Result<time::OffsetDateTime, Failure> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) if !s.is_empty() => s
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|n| time::OffsetDateTime::from_unix_timestamp(n).ok())
            .ok_or_else(|| {
                Failure::input(anyhow!(
                    "SOURCE_DATE_EPOCH={}: not a Unix timestamp",
                    escape_for_terminal(&s)
                ))
            }),
        _ => Ok(time::OffsetDateTime::now_utc()),
    }
}
