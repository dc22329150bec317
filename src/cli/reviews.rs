//! `--review-data FILE` (on `enrich`, `scan`, `commits`, `evidence`): reading the review-data
//! files into a [`ReviewIndex`].

use std::path::PathBuf;

use super::{escape_for_terminal, Failure};
use crate::review::{data, ReviewIndex};

/// The flag, shared by every command that takes it.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReviewDataArgs {
    /// Pull/merge requests as JSON Lines (schemas/review-data.schema.json), one request per
    /// line: which commits each brought in, its reviews, who merged it and when, its checks.
    /// The AI commits of a repository the file names get an outcome (approved,
    /// merged-unapproved, no-pull-request); those of other repositories stay unknown. Repeatable
    #[arg(long = "review-data", value_name = "FILE")]
    pub review_data: Vec<PathBuf>,
}

impl ReviewDataArgs {
    /// Read and index every file; `None` when none is given. A file that cannot be read or a
    /// line that does not fit is bad input (exit 2), naming the file and the line.
    pub fn load(&self) -> Result<Option<ReviewIndex>, Failure> {
        if self.review_data.is_empty() {
            return Ok(None);
        }
        let mut index = ReviewIndex::default();
        for path in &self.review_data {
            let label = path.display().to_string();
            let file = std::fs::File::open(path)
                .map_err(|e| {
                    anyhow::Error::from(e).context(format!(
                        "{}: cannot read the review data",
                        escape_for_terminal(&label)
                    ))
                })
                .map_err(Failure::input)?;
            let bytes = super::read_capped(file, &label)?;
            let text = String::from_utf8(bytes).map_err(|e| {
                Failure::input(anyhow::anyhow!(
                    "{}: not UTF-8 (byte {})",
                    escape_for_terminal(&label),
                    e.utf8_error().valid_up_to()
                ))
            })?;
            let requests = data::parse(&label, &text).map_err(|e| {
                Failure::input(anyhow::anyhow!("{}", escape_for_terminal(&e.to_string())))
            })?;
            for r in requests {
                index.add(r);
            }
        }
        Ok(Some(index))
    }

    /// The files, for the clobber checks.
    pub fn paths(&self) -> impl Iterator<Item = &std::path::Path> {
        self.review_data.iter().map(PathBuf::as_path)
    }
}
