//! The review record: `locales/<locale>/review.toml` says who read the locale's messages (a
//! native speaker or not) and when, with a hash of each message as it was read. The checker
//! ([`crate::check`]) lists, as notes that do not make a set unclean, the messages no review
//! covers and those changed since their review; `silkstream l10n review` appends a record.
//!
//! ```toml
//! [[review]]
//! by = "Aigerim S."
//! native = true
//! date = "2026-12-07"
//! [review.messages]
//! page-order = "5d1c0e9a44b6f2a1"   # message_hash of the message's source as read
//! ```
//!
//! A message's status comes from the latest review (by date, then by place in the file) that
//! lists it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::check::{Finding, Severity};

/// The file name of a review record in a locale directory.
pub const FILE_NAME: &str = "review.toml";

/// One reading of some of a locale's messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Who read them (a name, and what they are if not a native speaker).
    pub by: String,
    /// Whether the reader is a native speaker of the locale's language.
    pub native: bool,
    /// When, as `YYYY-MM-DD`.
    pub date: String,
    /// Message id → [`message_hash`] of the message as read.
    pub messages: BTreeMap<String, String>,
}

/// A locale's review file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewFile {
    /// The reviews, oldest first.
    #[serde(default)]
    pub review: Vec<Review>,
}

/// Parses a review file; the error text names what is wrong.
pub fn parse(text: &str) -> Result<ReviewFile, String> {
    let file: ReviewFile = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
    for review in &file.review {
        if !is_date(&review.date) {
            return Err(format!(
                "review by {:?}: date {:?} is not YYYY-MM-DD",
                review.by, review.date
            ));
        }
    }
    Ok(file)
}

/// The hash recorded for a message: SHA-256 of its source (the `id = …` line and its indented
/// continuation lines, trailing spaces cut), first 16 hex digits. Any edit of the message,
/// even of a variant, changes it.
pub fn message_hash(source: &str) -> String {
    let digest = Sha256::digest(source.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// How far a locale's messages are reviewed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewStatus {
    /// Messages whose latest review was by a native speaker and that have not changed since.
    pub native: usize,
    /// Messages whose latest review was by someone who is not a native speaker, unchanged since.
    pub non_native: usize,
    /// The reviews on record: who, native or not, when, how many messages.
    pub reviews: Vec<(String, bool, String, usize)>,
    /// One note per message no review covers, and per message changed since its review.
    pub notes: Vec<Finding>,
}

impl ReviewStatus {
    /// Messages no review covers.
    pub fn unreviewed(&self) -> impl Iterator<Item = &Finding> {
        self.notes.iter().filter(|n| n.text.starts_with(UNREVIEWED))
    }

    /// Messages changed since their review.
    pub fn changed(&self) -> impl Iterator<Item = &Finding> {
        self.notes.iter().filter(|n| n.text.starts_with(CHANGED))
    }
}

const UNREVIEWED: &str = "not reviewed";
const CHANGED: &str = "changed since";

/// What the review status needs of one message.
pub(crate) struct MessageSource<'a> {
    pub file: &'a str,
    pub line: usize,
    pub hash: &'a str,
}

/// The review status of one locale's messages.
pub(crate) fn status(
    file: Option<&ReviewFile>,
    messages: &BTreeMap<String, MessageSource<'_>>,
) -> ReviewStatus {
    let empty = ReviewFile::default();
    let file = file.unwrap_or(&empty);
    let mut status = ReviewStatus {
        reviews: file
            .review
            .iter()
            .map(|r| (r.by.clone(), r.native, r.date.clone(), r.messages.len()))
            .collect(),
        ..ReviewStatus::default()
    };
    // Latest first: by date, and the later of two records on one date.
    let mut order: Vec<&Review> = file.review.iter().collect();
    order.reverse();
    order.sort_by(|a, b| b.date.cmp(&a.date));
    for (id, message) in messages {
        let note = |text: String| Finding {
            severity: Severity::Note,
            file: message.file.to_owned(),
            line: message.line,
            message_id: Some(id.clone()),
            text,
        };
        match order
            .iter()
            .find_map(|r| r.messages.get(id).map(|h| (r, h)))
        {
            None => status.notes.push(note(UNREVIEWED.to_owned())),
            Some((review, hash)) if hash != message.hash => status.notes.push(note(format!(
                "{CHANGED} its review by {} on {}",
                review.by, review.date
            ))),
            Some((review, _)) if review.native => status.native += 1,
            Some(_) => status.non_native += 1,
        }
    }
    status
}

/// Why a review could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The locale is not one Silkstream speaks, or has no files in the directory.
    #[error("no locale files for {0:?} in the directory")]
    NoLocale(String),
    /// A message asked for is not in the locale's files.
    #[error("{locale} has no message {id:?}")]
    UnknownMessage {
        /// The locale.
        locale: String,
        /// The id asked for.
        id: String,
    },
    /// The date is not `YYYY-MM-DD`.
    #[error("date {0:?} is not YYYY-MM-DD")]
    Date(String),
    /// The existing review file does not parse.
    #[error("{file}: {text}")]
    Invalid {
        /// The review file.
        file: String,
        /// What is wrong.
        text: String,
    },
    /// Reading or writing failed.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Appends a review of `locale`'s messages (`ids`, or every message when empty) as they are now
/// in `dir/<locale>/*.ftl` to `dir/<locale>/review.toml`; returns how many were recorded.
pub fn record_review(
    dir: &Path,
    locale: &str,
    by: &str,
    native: bool,
    date: &str,
    ids: &[String],
) -> Result<usize, RecordError> {
    if !is_date(date) {
        return Err(RecordError::Date(date.to_owned()));
    }
    let sources = crate::check::read_dir(dir).map_err(|f| RecordError::Io {
        file: f.file.clone(),
        source: std::io::Error::other(f.text),
    })?;
    let hashes: BTreeMap<String, String> = sources
        .iter()
        .filter(|s| s.locale == locale && s.is_ftl())
        .flat_map(|s| crate::check::message_sources(&s.text))
        .map(|(id, _, source)| (id, message_hash(&source)))
        .collect();
    if hashes.is_empty() {
        return Err(RecordError::NoLocale(locale.to_owned()));
    }
    let messages: BTreeMap<String, String> = if ids.is_empty() {
        hashes
    } else {
        ids.iter()
            .map(|id| {
                hashes
                    .get(id)
                    .map(|h| (id.clone(), h.clone()))
                    .ok_or_else(|| RecordError::UnknownMessage {
                        locale: locale.to_owned(),
                        id: id.clone(),
                    })
            })
            .collect::<Result<_, _>>()?
    };
    let path = dir.join(locale).join(FILE_NAME);
    let shown = path.display().to_string();
    let mut file = match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text).map_err(|text| RecordError::Invalid {
            file: shown.clone(),
            text,
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ReviewFile::default(),
        Err(source) => {
            return Err(RecordError::Io {
                file: shown,
                source,
            })
        }
    };
    let count = messages.len();
    file.review.push(Review {
        by: by.to_owned(),
        native,
        date: date.to_owned(),
        messages,
    });
    let body = toml::to_string(&file).expect("a review file serializes");
    let text = format!("{HEADER}{body}");
    std::fs::write(&path, text).map_err(|source| RecordError::Io {
        file: shown,
        source,
    })?;
    Ok(count)
}

const HEADER: &str = "\
# Who read this locale's messages, and when: each review lists the messages read with a hash of
# each as it was read (docs/l10n.md, \"Review record\"). Append with
# `silkstream l10n review LOCALE --by NAME [--native] [IDS…]`; `silkstream l10n check` lists the
# messages no review covers and those changed since their review.

";

fn is_date(date: &str) -> bool {
    let bytes = date.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}
