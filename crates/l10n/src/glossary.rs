//! The trade-term glossary: `locales/<locale>/glossary.toml` names, for each term of the live
//! sale (flash sale, host, sold out…), the word(s) a locale uses for it and the words that must
//! not stand for it. The checker ([`crate::check`]) reads every message whose English text names
//! the term and reports (warnings, so [`crate::CheckReport::is_clean`] fails) a translation that
//! uses an avoided word, or none of the locale's words.
//!
//! ```toml
//! # locales/en/glossary.toml: what marks an English message as using the term
//! [host]
//! use = ["host"]            # at the start of a word, any case
//! omit = []                 # messages (every locale) where another term stands for it
//!
//! # locales/vi/glossary.toml
//! [host]
//! use = ["người dẫn live"]  # one of these must appear (any case, anywhere)
//! avoid = ["người bán"]     # none of these may appear
//! omit = ["page-join-intro"] # messages of this locale that may leave the term out
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::check::{Finding, Severity};

/// One term of a locale's glossary.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// The words for the term: in English, what marks a message as naming it (matched at a
    /// word start); in another locale, one of them must appear in such a message.
    #[serde(default, rename = "use")]
    pub words: Vec<String>,
    /// Words that must not stand for the term (a markdown word for a live price, "the seller"
    /// for the host).
    #[serde(default)]
    pub avoid: Vec<String>,
    /// Message ids that may leave the term out (in English: for every locale).
    #[serde(default)]
    pub omit: Vec<String>,
    /// Why the words were chosen, for the next translator.
    #[serde(default)]
    pub note: Option<String>,
}

/// A locale's glossary: term name → term.
pub type Glossary = BTreeMap<String, Term>;

/// The file name of a glossary in a locale directory.
pub const FILE_NAME: &str = "glossary.toml";

/// Parses a glossary file; the error text names what is wrong.
pub fn parse(text: &str) -> Result<Glossary, String> {
    toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())
}

/// What the glossary check needs of one message.
pub(crate) struct MessageText<'a> {
    pub file: &'a str,
    pub line: usize,
    /// The message's literal text (placeables left out), every variant and attribute.
    pub text: &'a str,
}

/// Checks one locale's messages against its glossary and the English one.
pub(crate) fn check_locale(
    locale: &str,
    glossary_file: Option<&(String, Glossary)>,
    english: &(String, Glossary),
    english_messages: &BTreeMap<String, MessageText<'_>>,
    messages: &BTreeMap<String, MessageText<'_>>,
    out: &mut Vec<Finding>,
) {
    let (english_file, english_terms) = english;
    let warn = |file: &str, line: usize, id: Option<&str>, text: String| Finding {
        severity: Severity::Warning,
        file: file.to_owned(),
        line,
        message_id: id.map(str::to_owned),
        text,
    };
    let Some((file, terms)) = glossary_file else {
        if !english_terms.is_empty() {
            out.push(warn(
                english_file,
                0,
                None,
                format!(
                    "{locale} has no {FILE_NAME}: its words for the {} English terms are unchecked",
                    english_terms.len()
                ),
            ));
        }
        return;
    };
    for name in terms.keys().filter(|n| !english_terms.contains_key(*n)) {
        out.push(warn(
            file,
            0,
            None,
            format!("glossary term [{name}] is not in the English glossary"),
        ));
    }
    for (name, reference) in english_terms {
        let Some(term) = terms.get(name) else {
            out.push(warn(
                file,
                0,
                None,
                format!("glossary lacks the term [{name}]"),
            ));
            continue;
        };
        for id in term.omit.iter().filter(|id| !messages.contains_key(*id)) {
            out.push(warn(
                file,
                0,
                Some(id),
                format!("[{name}] omits a message that {locale} does not have"),
            ));
        }
        let omitted: BTreeSet<&str> = reference
            .omit
            .iter()
            .chain(&term.omit)
            .map(String::as_str)
            .collect();
        for (id, english_message) in english_messages {
            if omitted.contains(id.as_str())
                || !reference
                    .words
                    .iter()
                    .any(|w| contains_at_word_start(english_message.text, w))
            {
                continue;
            }
            let Some(message) = messages.get(id) else {
                continue;
            };
            let text = message.text.to_lowercase();
            for avoided in term
                .avoid
                .iter()
                .filter(|w| text.contains(&w.to_lowercase()))
            {
                out.push(warn(
                    message.file,
                    message.line,
                    Some(id),
                    format!(
                        "uses \"{avoided}\" for the glossary term [{name}]; {locale} says {}",
                        show(&term.words)
                    ),
                ));
            }
            if !term.words.is_empty()
                && !term.words.iter().any(|w| text.contains(&w.to_lowercase()))
            {
                out.push(warn(
                    message.file,
                    message.line,
                    Some(id),
                    format!(
                        "names the glossary term [{name}] in English but not with {locale}'s word {}",
                        show(&term.words)
                    ),
                ));
            }
        }
    }
}

/// Checks that the English glossary's `omit` lists name English messages.
pub(crate) fn check_english(
    english: &(String, Glossary),
    english_messages: &BTreeMap<String, MessageText<'_>>,
    out: &mut Vec<Finding>,
) {
    let (file, terms) = english;
    for (name, term) in terms {
        if term.words.is_empty() {
            out.push(Finding {
                severity: Severity::Warning,
                file: file.clone(),
                line: 0,
                message_id: None,
                text: format!("English glossary term [{name}] has no words to find it by"),
            });
        }
        for id in term
            .omit
            .iter()
            .filter(|id| !english_messages.contains_key(*id))
        {
            out.push(Finding {
                severity: Severity::Warning,
                file: file.clone(),
                line: 0,
                message_id: Some(id.clone()),
                text: format!("[{name}] omits a message English does not have"),
            });
        }
    }
}

fn show(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    format!("({})", quoted.join(" / "))
}

/// Whether `word` occurs in `text` (any case) where no letter or digit comes just before it:
/// "order" finds "Orders" but not "cross-border".
fn contains_at_word_start(text: &str, word: &str) -> bool {
    let text = text.to_lowercase();
    let word = word.to_lowercase();
    if word.is_empty() {
        return false;
    }
    text.match_indices(&word).any(|(at, _)| {
        text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::contains_at_word_start;

    /// English terms are found at word starts only, in any case.
    #[test]
    fn word_starts() {
        assert!(contains_at_word_start("Orders right now", "order"));
        assert!(contains_at_word_start("Paused by the host", "host"));
        assert!(!contains_at_word_start("a cross-border limit", "order"));
        assert!(!contains_at_word_start("ghosted", "host"));
        assert!(contains_at_word_start("Flash sale price", "flash sale"));
    }
}
