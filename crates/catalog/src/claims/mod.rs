//! The claims filter: absolute and superlative claims (国家级, 最高级, 最佳 and their kin) in
//! the text that reaches buyers. The term lists are data (`data/claims/<language>.toml`, each
//! list with its source), read once; [`ClaimsFilter::screen`] finds their terms in texts, and
//! [`Screening`] turns what it found into the answer: 422 `claims_blocked` for a blocked term
//! (the evidence written, nothing else), `warnings` for a warned one. The evidence log is
//! [`store`], its routes [`routes`]. How matching works and why: `docs/cross-border.md`.
//!
//! Errors are [`crate::error::Error`].

pub mod routes;
pub mod store;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_security::skeleton;
use unicode_segmentation::UnicodeSegmentation;
use utoipa::ToSchema;

use crate::error::{Error, Result};

/// The term lists, one file per language, built into the binary.
const FILES: [(&str, &str); 7] = [
    ("zh.toml", include_str!("../../../../data/claims/zh.toml")),
    ("en.toml", include_str!("../../../../data/claims/en.toml")),
    ("ru.toml", include_str!("../../../../data/claims/ru.toml")),
    ("kk.toml", include_str!("../../../../data/claims/kk.toml")),
    ("vi.toml", include_str!("../../../../data/claims/vi.toml")),
    ("th.toml", include_str!("../../../../data/claims/th.toml")),
    ("id.toml", include_str!("../../../../data/claims/id.toml")),
];

/// Traditional Chinese to simplified, one character a line (OpenCC, Apache-2.0; the file says
/// where it comes from).
const TS_CHARACTERS: &str = include_str!("../../../../data/claims/opencc/TSCharacters.txt");

/// What a term does to a write: `block` refuses it, `warn` takes it with a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Block,
    Warn,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Block => "block",
            Severity::Warn => "warn",
        }
    }
}

/// How a language's text is cut for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Matching {
    /// Whole words: the text is cut into words (letters, digits, `#`, `%`) and a term matches
    /// whole words only (also read with separators between letters taken out, and with the
    /// language's suffixes after a term); a term ending in `*` matches any word that starts
    /// with it.
    Words,
    /// Substrings of the text with spaces and punctuation taken out: for scripts written
    /// without spaces between words (Chinese, Thai).
    Substring,
}

/// One list of a language's file: its terms, their severity and where they come from.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermGroup {
    pub severity: Severity,
    /// The law, notice or rule the list comes from.
    pub source: String,
    pub url: String,
    pub terms: Vec<String>,
}

/// A language's term lists, as its file has them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermFile {
    /// The language (the part of a locale before `-`): `zh`, `en`, `ru`…
    pub language: String,
    pub name: String,
    pub matching: Matching,
    /// Whether accents are taken off before matching (`é` matches `e`, `ё` matches `е`).
    pub fold_marks: bool,
    /// Ordinary words that hold a term and are no claim (最近 "recently" holds 最).
    pub exceptions: Vec<String>,
    /// Suffixes a word of the language may take without changing what it says: a term's last
    /// word matches with one of them after it (Indonesian -nya, -lah; Kazakh possessive and
    /// plural endings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suffixes: Vec<String>,
    /// Whether a term of two or more words also matches with some of its diacritics left out
    /// (never one added or changed): Vietnamese "tốt nhat" is "tốt nhất", "nhạt" stays apart
    /// from "nhất".
    #[serde(default)]
    pub marks_may_drop: bool,
    pub lists: Vec<TermGroup>,
}

/// A term ready to match: how the file spells it, and its words' keys for each way of reading
/// the text ([`Case`]).
#[derive(Debug, Clone)]
struct Term {
    shown: String,
    /// The keys of the term's words (for substrings, one key of the whole term), per [`Case`].
    keys: [Vec<String>; 2],
    /// A word term ending in `*`: its last word matches any word that starts with it.
    star: bool,
    severity: Severity,
}

/// A language's lists ready to match.
#[derive(Debug, Clone)]
struct Language {
    file: TermFile,
    terms: Vec<Term>,
    exceptions: Vec<Term>,
    /// The file's suffixes as keys, per [`Case`].
    suffixes: [Vec<String>; 2],
}

/// The term lists of every language, ready to match.
#[derive(Debug, Clone)]
pub struct ClaimsFilter {
    languages: Vec<Language>,
}

/// A text that reaches buyers: where it is (`field`, e.g. `title` or `attributes.material`),
/// its locale, and the text itself.
#[derive(Debug, Clone)]
pub struct Text {
    pub field: String,
    pub locale: String,
    pub text: String,
}

impl Text {
    pub fn new(
        field: impl Into<String>,
        locale: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Text {
            field: field.into(),
            locale: locale.into(),
            text: text.into(),
        }
    }
}

/// A term found in a text: the term as its list spells it, the list's language, its severity,
/// and where it was (field and locale).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimHit {
    pub term: String,
    /// The language of the list the term is on (`zh`, `en`, `ru`…).
    pub list: String,
    pub severity: Severity,
    pub field: String,
    pub locale: String,
    /// The text as it was written where the term was found: look-alike letters, separators,
    /// traditional forms and invisible characters included (`b.e.s.t` for `best`).
    #[serde(default)]
    pub found: String,
    /// Where `found` starts in the field's text, in characters (Unicode scalar values) from
    /// its start.
    #[serde(default)]
    pub at: usize,
}

/// A hit with the whole text it was found in, for the evidence log.
#[derive(Debug, Clone)]
pub struct Found {
    pub hit: ClaimHit,
    pub text: String,
}

/// Whether a character shows nothing and splits no word for a reader: every default-ignorable
/// code point (soft hyphen, zero-width space and joiners, word joiner and invisible operators,
/// the byte-order mark, variation selectors, Mongolian free variation selectors, Hangul
/// fillers, Khmer inherent vowels, tag characters…): Unicode's own class, the one the names'
/// and cities' checks use ([`crate::text::is_default_ignorable`]).
fn is_ignorable(c: char) -> bool {
    crate::text::is_default_ignorable(c)
}

/// Combining marks that no precomposed letter of the listed languages leaves behind after
/// NFKC: diacritics stacked on a letter (or on a Chinese character) to dodge a match.
fn is_stray_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c) || c == '#' || c == '%'
}

/// The traditional-to-simplified character table (OpenCC's `TSCharacters.txt`,
/// `data/claims/opencc/`), read once.
fn simplified() -> &'static HashMap<char, char> {
    static MAP: OnceLock<HashMap<char, char>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::new();
        for line in TS_CHARACTERS.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut parts = line.split('\t');
            let (Some(from), Some(to)) = (parts.next(), parts.next()) else {
                continue;
            };
            let mut from = from.chars();
            let mut to = to.split(' ').next().unwrap_or_default().chars();
            if let (Some(f), None, Some(t), None) = (from.next(), from.next(), to.next(), to.next())
            {
                map.insert(f, t);
            }
        }
        map
    })
}

/// Two ways of reading a text, both searched: lower case first and then the UTS #39 skeleton
/// (Cyrillic `у` in a Latin word, `Лyчший` with a Latin `y`), or the skeleton first, so that
/// capitals that look like Latin ones are read as those (`ВЕЅТ` in Cyrillic is `BEST`).
#[derive(Debug, Clone, Copy)]
enum Case {
    LowerFirst = 0,
    SkeletonFirst = 1,
}

const CASES: [Case; 2] = [Case::LowerFirst, Case::SkeletonFirst];

/// What a grapheme of the text is to the matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Letters, digits, marks, `#` or `%`.
    Word,
    /// White space: a boundary between words.
    Space,
    /// Punctuation and symbols: a boundary too, but taken out between letters for the
    /// "joined" reading (`b.e.s.t`, `ter-baik`).
    Punct,
}

/// A grapheme of the text with its key (the skeleton the matcher compares) and where it is in
/// the original text (bytes).
#[derive(Debug, Clone)]
struct Unit {
    key: String,
    kind: Kind,
    start: usize,
    end: usize,
}

/// The key of a grapheme's word characters: traditional Chinese made simplified, then the
/// UTS #39 skeleton (confusables), in lower case.
fn skeleton_key(word: &str, case: Case) -> String {
    let table = simplified();
    let simple: String = word
        .chars()
        .map(|c| table.get(&c).copied().unwrap_or(c))
        .collect();
    let key = skeleton(&simple).collect::<String>().to_lowercase();
    match case {
        Case::LowerFirst => key,
        Case::SkeletonFirst => skeleton(&key).collect::<String>().to_lowercase(),
    }
}

/// The text as the matcher reads it, one unit per grapheme (so that whatever a match covers
/// maps back onto what was written): NFKC (full-width letters become plain ones, `№` becomes
/// `No`), default-ignorable characters out (a grapheme of nothing else is dropped: it splits
/// no word), lower case ([`Case`]); with `fold_marks` every accent taken off, else only stray
/// combining marks; then the key ([`skeleton_key`]). A grapheme met again is read once.
fn units(text: &str, fold_marks: bool, case: Case) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut seen: HashMap<&str, Option<(String, Kind)>> = HashMap::new();
    for (start, g) in text.grapheme_indices(true) {
        let read = seen
            .entry(g)
            .or_insert_with(|| grapheme_key(g, fold_marks, case));
        if let Some((key, kind)) = read {
            out.push(Unit {
                key: key.clone(),
                kind: *kind,
                start,
                end: start + g.len(),
            });
        }
    }
    out
}

/// The key and kind of one grapheme ([`units`]); `None` for one that shows nothing.
fn grapheme_key(g: &str, fold_marks: bool, case: Case) -> Option<(String, Kind)> {
    let visible: String = g.nfkc().filter(|c| !is_ignorable(*c)).collect();
    if visible.is_empty() {
        return None;
    }
    let cased = match case {
        Case::LowerFirst => visible.to_lowercase(),
        Case::SkeletonFirst => visible.clone(),
    };
    let folded: String = if fold_marks {
        cased
            .nfkd()
            .filter(|c| !is_combining_mark(*c))
            .nfkc()
            .collect()
    } else {
        cased.nfkc().filter(|c| !is_stray_mark(*c)).collect()
    };
    let word: String = folded.chars().filter(|c| is_word_char(*c)).collect();
    let (key, kind) = if word.is_empty() {
        let kind = if visible.chars().any(char::is_whitespace) {
            Kind::Space
        } else {
            Kind::Punct
        };
        (String::new(), kind)
    } else {
        (skeleton_key(&word, case), Kind::Word)
    };
    Some((key, kind))
}

/// A word of the text: its key, where it is (bytes of the original), and how many graphemes
/// it has.
#[derive(Debug, Clone)]
struct Token {
    key: String,
    start: usize,
    end: usize,
    graphemes: usize,
}

/// The words of `units`, split at every space and punctuation mark (`joined = false`), or
/// with punctuation between letters taken out and runs of single letters joined
/// (`joined = true`: `b.e.s.t`, `Л-У-Ч-Ш-И-Й`, `ter-baik`, `b e s t`).
fn tokens(units: &[Unit], joined: bool) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut open = false;
    for u in units {
        match u.kind {
            Kind::Word => match out.last_mut() {
                Some(t) if open => {
                    t.key.push_str(&u.key);
                    t.end = u.end;
                    t.graphemes += 1;
                }
                _ => {
                    out.push(Token {
                        key: u.key.clone(),
                        start: u.start,
                        end: u.end,
                        graphemes: 1,
                    });
                    open = true;
                }
            },
            Kind::Punct => open = open && joined,
            Kind::Space => open = false,
        }
    }
    if !joined {
        return out;
    }
    // Runs of single letters, whatever separates them, are one word.
    let mut merged: Vec<Token> = Vec::new();
    let mut prev_single = false;
    for t in out {
        let single = t.graphemes == 1;
        match merged.last_mut() {
            Some(m) if single && prev_single => {
                m.key.push_str(&t.key);
                m.end = t.end;
            }
            _ => merged.push(t),
        }
        prev_single = single;
    }
    merged
}

/// A text read one way ([`Case`], with or without accents), cut every way the matcher looks at
/// it: its words split at every separator, its words joined across separators, and its letters
/// run together, each letter with the byte range of the grapheme it comes from.
struct Reading {
    split: Vec<Token>,
    joined: Vec<Token>,
    letters: Vec<(char, (usize, usize))>,
}

impl Reading {
    fn new(text: &str, fold_marks: bool, case: Case) -> Self {
        let units = units(text, fold_marks, case);
        let letters = units
            .iter()
            .filter(|u| u.kind == Kind::Word)
            .flat_map(|u| u.key.chars().map(move |c| (c, (u.start, u.end))))
            .collect();
        Reading {
            split: tokens(&units, false),
            joined: tokens(&units, true),
            letters,
        }
    }
}

/// The keys of a term's (or an affix's, or an exception's) words, as [`tokens`] cuts them.
fn word_keys(text: &str, fold_marks: bool, case: Case) -> Vec<String> {
    tokens(&units(text, fold_marks, case), false)
        .into_iter()
        .map(|t| t.key)
        .collect()
}

/// Vietnamese marks a writer may leave out: the five tones, the circumflex, the breve and the
/// horn.
fn is_droppable_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'
            | '\u{0301}'
            | '\u{0303}'
            | '\u{0309}'
            | '\u{0323}'
            | '\u{0302}'
            | '\u{0306}'
            | '\u{031B}'
    )
}

/// Whether `written` is `word` with some of its droppable marks left out (never one added or
/// changed): "nhat" and "nhât" are "nhất", "nhạt" is not.
fn marks_dropped(written: &str, word: &str) -> bool {
    fn letters(s: &str) -> Vec<(char, Vec<char>)> {
        let mut out: Vec<(char, Vec<char>)> = Vec::new();
        for c in s.nfd() {
            match out.last_mut() {
                Some((_, marks)) if is_combining_mark(c) => marks.push(c),
                _ => out.push((c, Vec::new())),
            }
        }
        out
    }
    let (w, t) = (letters(written), letters(word));
    w.len() == t.len()
        && w.iter().zip(&t).all(|((wb, wm), (tb, tm))| {
            let mut left = tm.clone();
            let kept = wm.iter().all(|m| match left.iter().position(|x| x == m) {
                Some(i) => {
                    left.remove(i);
                    true
                }
                None => false,
            });
            wb == tb && kept && left.iter().all(|m| is_droppable_mark(*m))
        })
}

impl Language {
    /// Whether the text's word `written` is the term's word `j`: the same key; for a term's
    /// last word ending in `*`, one that starts with it; for its last word, that word with one
    /// of the language's suffixes after it; for a phrase of several words in a language whose
    /// marks may drop, the word with marks left out.
    fn word_matches(&self, written: &str, term: &Term, j: usize, case: Case) -> bool {
        let words = &term.keys[case as usize];
        let word = &words[j];
        let last = j + 1 == words.len();
        let fits =
            |core: &str| core == word || (last && term.star && core.starts_with(word.as_str()));
        if fits(written) {
            return true;
        }
        if last
            && written.len() > word.len()
            && written.starts_with(word.as_str())
            && self.suffixes[case as usize]
                .iter()
                .filter_map(|s| written.strip_suffix(s.as_str()))
                .any(|core| !core.is_empty() && fits(core))
        {
            return true;
        }
        self.file.marks_may_drop
            && words.len() > 1
            && written.len() < word.len()
            && written.chars().next() == word.chars().next()
            && marks_dropped(written, word)
    }

    /// Where `term` occurs among `tokens`, as byte ranges of the original text.
    fn find_words(&self, tokens: &[Token], term: &Term, case: Case) -> Vec<(usize, usize)> {
        let n = term.keys[case as usize].len();
        if n == 0 || tokens.len() < n {
            return Vec::new();
        }
        (0..=tokens.len() - n)
            .filter(|&i| (0..n).all(|j| self.word_matches(&tokens[i + j].key, term, j, case)))
            .map(|i| (tokens[i].start, tokens[i + n - 1].end))
            .collect()
    }

    /// Where `term` occurs in the letters of the text run together, as byte ranges.
    fn find_substring(r: &Reading, term: &Term, case: Case) -> Vec<(usize, usize)> {
        let needle: Vec<char> = term.keys[case as usize].concat().chars().collect();
        let hay = &r.letters;
        if needle.is_empty() || hay.len() < needle.len() {
            return Vec::new();
        }
        (0..=hay.len() - needle.len())
            .filter(|&i| {
                hay[i].0 == needle[0]
                    && hay[i..i + needle.len()]
                        .iter()
                        .map(|(c, _)| *c)
                        .eq(needle.iter().copied())
            })
            .map(|i| (hay[i].1 .0, hay[i + needle.len() - 1].1 .1))
            .collect()
    }

    /// Every place `term` occurs in the text as `r` reads it, as byte ranges.
    fn find(&self, r: &Reading, term: &Term, case: Case) -> Vec<(usize, usize)> {
        match self.file.matching {
            Matching::Substring => Self::find_substring(r, term, case),
            Matching::Words => {
                let mut out = self.find_words(&r.split, term, case);
                out.extend(self.find_words(&r.joined, term, case));
                out
            }
        }
    }
}

/// Text for a message: characters that show nothing written as `\u{…}`.
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if is_ignorable(c) || c.is_control() {
                format!("\\u{{{:04X}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl ClaimsFilter {
    /// Reads the term lists from their files' text (`(file name, text)`).
    pub fn from_files(files: &[(&str, &str)]) -> std::result::Result<Self, String> {
        let mut languages = Vec::new();
        for (name, text) in files {
            let file: TermFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            let fold = file.fold_marks;
            let prepare = |shown: &str, severity: Severity| {
                let star = match file.matching {
                    Matching::Words => shown.strip_suffix('*'),
                    Matching::Substring => None,
                };
                let body = star.unwrap_or(shown);
                let keys = CASES.map(|case| match file.matching {
                    Matching::Words => word_keys(body, fold, case),
                    Matching::Substring => vec![word_keys(body, fold, case).concat()],
                });
                Term {
                    shown: shown.to_owned(),
                    keys,
                    star: star.is_some(),
                    severity,
                }
            };
            let mut terms: Vec<Term> = Vec::new();
            for group in &file.lists {
                for shown in &group.terms {
                    let term = prepare(shown, group.severity);
                    if term.keys.iter().any(|k| k.concat().trim().is_empty()) {
                        return Err(format!("{name}: the term {shown:?} has no letters"));
                    }
                    // "no. 1" and "no 1" are one term: keep the first spelling.
                    if !terms
                        .iter()
                        .any(|t| t.keys == term.keys && t.star == term.star)
                    {
                        terms.push(term);
                    }
                }
            }
            let exceptions = file
                .exceptions
                .iter()
                .map(|x| prepare(x, Severity::Warn))
                .collect();
            let suffixes = CASES.map(|case| {
                file.suffixes
                    .iter()
                    .map(|a| word_keys(a, fold, case).concat())
                    .filter(|k| !k.is_empty())
                    .collect::<Vec<_>>()
            });
            languages.push(Language {
                file,
                terms,
                exceptions,
                suffixes,
            });
        }
        Ok(ClaimsFilter { languages })
    }

    /// The term lists as their files have them.
    pub fn files(&self) -> Vec<TermFile> {
        self.languages.iter().map(|l| l.file.clone()).collect()
    }

    /// Every term found in `texts`. A text is read against every list of its own language and
    /// against the `block` lists of every other language (a blocked claim stays blocked
    /// whatever locale the writer labels the text with). The text and the terms are compared
    /// on their skeletons ([`units`], [`skeleton_key`]), each read both ways ([`Case`]), and for
    /// alphabetic scripts both with every separator a boundary and with separators between
    /// letters taken out ([`tokens`]); whatever matched is reported as it was written, and
    /// where. A term inside an exception of its language (最 in 最近) is no hit, nor is one
    /// inside a longer hit (最 in 最佳). Each term counts once per text, at its first place.
    pub fn screen(&self, texts: &[Text]) -> Vec<Found> {
        let mut found: Vec<Found> = Vec::new();
        for text in texts {
            let language = text.locale.split('-').next().unwrap_or_default();
            let mut read: HashMap<(bool, usize), Reading> = HashMap::new();
            for lang in &self.languages {
                let own = lang.file.language == language;
                let fold = lang.file.fold_marks;
                for case in CASES {
                    read.entry((fold, case as usize))
                        .or_insert_with(|| Reading::new(&text.text, fold, case));
                }
                let reading = |case: Case| &read[&(fold, case as usize)];
                let excepted: Vec<(usize, usize)> = CASES
                    .iter()
                    .flat_map(|&case| {
                        lang.exceptions
                            .iter()
                            .flat_map(move |x| lang.find(reading(case), x, case))
                    })
                    .collect();
                let mut hits: Vec<(usize, usize, usize)> = Vec::new();
                for case in CASES {
                    for (k, term) in lang.terms.iter().enumerate() {
                        if !own && term.severity != Severity::Block {
                            continue;
                        }
                        for (s, e) in lang.find(reading(case), term, case) {
                            if !excepted.iter().any(|&(xs, xe)| xs <= s && e <= xe) {
                                hits.push((s, e, k));
                            }
                        }
                    }
                }
                // Each term once, at its first place not inside a longer hit; in list order.
                let mut first: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
                for &(s, e, k) in &hits {
                    let inside = hits
                        .iter()
                        .any(|&(os, oe, _)| os <= s && e <= oe && (oe - os) > (e - s));
                    if !inside {
                        let at = first.entry(k).or_insert((s, e));
                        if s < at.0 {
                            *at = (s, e);
                        }
                    }
                }
                for (k, (s, e)) in first {
                    let term = &lang.terms[k];
                    let hit = ClaimHit {
                        term: term.shown.clone(),
                        list: lang.file.language.clone(),
                        severity: term.severity,
                        field: text.field.clone(),
                        locale: text.locale.clone(),
                        found: text.text[s..e].to_owned(),
                        at: text.text[..s].chars().count(),
                    };
                    let same = |f: &Found| {
                        f.hit.term == hit.term
                            && f.hit.list == hit.list
                            && f.hit.severity == hit.severity
                            && f.hit.field == hit.field
                            && f.hit.locale == hit.locale
                    };
                    if !found.iter().any(same) {
                        found.push(Found {
                            hit,
                            text: text.text.clone(),
                        });
                    }
                }
            }
        }
        found
    }
}

/// The term lists built into the binary, read once.
pub fn filter() -> Result<&'static ClaimsFilter> {
    static FILTER: OnceLock<std::result::Result<ClaimsFilter, String>> = OnceLock::new();
    FILTER
        .get_or_init(|| ClaimsFilter::from_files(&FILES))
        .as_ref()
        .map_err(|e| Error::internal(format!("the claims term lists do not load: {e}")))
}

/// What a write is, for the evidence log: who wrote, what they did and to what.
#[derive(Debug, Clone)]
pub struct Act<'a> {
    pub by: &'a crate::auth::Principal,
    /// `product.create`, `product.update`, `translation.put`, `session.create`,
    /// `session.showcase`, `session.pin`.
    pub operation: &'static str,
    /// `product` or `session`.
    pub subject_kind: &'static str,
    /// `None` for a create (until it has made its row).
    pub subject_id: Option<i64>,
}

/// The outcome of screening a write's texts: refuse it, or take it with these warnings.
#[derive(Debug, Clone, Default)]
pub struct Screening {
    pub found: Vec<Found>,
}

impl Screening {
    /// Screens `texts` with the built-in lists.
    pub fn of(texts: &[Text]) -> Result<Self> {
        Ok(Screening {
            found: filter()?.screen(texts),
        })
    }

    pub fn blocked(&self) -> bool {
        self.found.iter().any(|f| f.hit.severity == Severity::Block)
    }

    /// The hits an accepted write answers with (`warnings`).
    pub fn warnings(&self) -> Vec<ClaimHit> {
        self.found.iter().map(|f| f.hit.clone()).collect()
    }

    /// The 422 `claims_blocked` refusal: the message names each blocked term and where it is;
    /// `error.terms` lists them (and `error.warnings` the warned ones of the same write).
    pub fn refusal(&self) -> Error {
        let (blocked, warned): (Vec<ClaimHit>, Vec<ClaimHit>) = self
            .found
            .iter()
            .map(|f| f.hit.clone())
            .partition(|h| h.severity == Severity::Block);
        let named: Vec<String> = blocked
            .iter()
            .map(|h| {
                format!(
                    "{} in {} ({}) at character {}, written \"{}\"",
                    h.term,
                    h.field,
                    h.locale,
                    h.at,
                    shown(&h.found)
                )
            })
            .collect();
        let mut details = serde_json::Map::new();
        details.insert(
            "terms".into(),
            serde_json::to_value(&blocked).unwrap_or_default(),
        );
        details.insert(
            "warnings".into(),
            serde_json::to_value(&warned).unwrap_or_default(),
        );
        Error::Unprocessable {
            code: "claims_blocked",
            message: format!(
                "the text makes claims the advertising rules forbid: {}; nothing was changed",
                named.join(", ")
            ),
            details,
        }
    }
}

/// An answer with the claims filter's warnings beside its own fields (an empty list when
/// nothing was found).
#[derive(Debug, Clone, Serialize)]
pub struct Warned<T> {
    #[serde(flatten)]
    pub inner: T,
    pub warnings: Vec<ClaimHit>,
}

/// The text attributes of a product or a translation, each as a [`Text`] of `locale`.
pub(crate) fn attribute_texts(
    out: &mut Vec<Text>,
    locale: &str,
    material: &Option<String>,
    flavour: &Option<String>,
    size: &Option<String>,
    storage: &Option<String>,
) {
    for (field, value) in [
        ("attributes.material", material),
        ("attributes.flavour", flavour),
        ("attributes.size", size),
        ("attributes.storage", storage),
    ] {
        if let Some(v) = value {
            out.push(Text::new(field, locale, v.clone()));
        }
    }
}

/// The texts of a checked product: title, description and text attributes in its source
/// language.
pub fn product_texts(p: &crate::validate::CheckedProduct) -> Vec<Text> {
    let locale = p.source_locale;
    let mut out = vec![
        Text::new("title", locale, p.title.clone()),
        Text::new("description", locale, p.description.clone()),
    ];
    let a = &p.attributes;
    attribute_texts(
        &mut out,
        locale,
        &a.material,
        &a.flavour,
        &a.size,
        &a.storage,
    );
    out
}

/// The texts a product patch changes, each checked as the store will check it, in `locale`
/// (the patch's source language, else the product's).
pub fn patch_texts(patch: &crate::model::ProductPatch, locale: &str) -> Result<Vec<Text>> {
    use crate::validate::{MAX_DESCRIPTION, MAX_TITLE};
    let mut out = Vec::new();
    if let Some(t) = &patch.title {
        out.push(Text::new(
            "title",
            locale,
            crate::codes::text("title", t, MAX_TITLE)?,
        ));
    }
    if let Some(d) = &patch.description {
        let d = crate::codes::text("description", d, MAX_DESCRIPTION)?;
        out.push(Text::new("description", locale, d));
    }
    if let Some(a) = &patch.attributes {
        let a = crate::validate::attributes(a)?;
        attribute_texts(
            &mut out,
            locale,
            &a.material,
            &a.flavour,
            &a.size,
            &a.storage,
        );
    }
    Ok(out)
}

/// The texts of a translation, checked as the store will check them.
pub fn translation_texts(locale: &str, body: &crate::model::TranslationBody) -> Result<Vec<Text>> {
    use crate::validate::{MAX_DESCRIPTION, MAX_TITLE};
    let locale = crate::codes::parse_locale("locale", locale)?;
    let mut out = vec![
        Text::new(
            "title",
            locale,
            crate::codes::text("title", &body.title, MAX_TITLE)?,
        ),
        Text::new(
            "description",
            locale,
            crate::codes::text("description", &body.description, MAX_DESCRIPTION)?,
        ),
    ];
    let a = crate::validate::text_attributes(&body.attributes)?;
    attribute_texts(
        &mut out,
        locale,
        &a.material,
        &a.flavour,
        &a.size,
        &a.storage,
    );
    for (id, alt) in crate::images::check_alts(&body.image_alts)? {
        out.push(Text::new(format!("image_alts.{id}"), locale, alt));
    }
    Ok(out)
}

/// The title of a new session, in the host's language, checked as the feed will check it.
pub fn session_title_texts(title: &str, language: &str) -> Result<Vec<Text>> {
    let title = crate::text::line("title", title, 200)?;
    let language = crate::codes::parse_locale("language", language)?;
    Ok(vec![Text::new("title", language, title)])
}

/// Screens a write's texts before it is made. A blocked term writes the evidence (in a
/// transaction of its own, with nothing else) and refuses the write with 422
/// `claims_blocked`; otherwise the screening comes back, and its [`Screening::pending`] goes
/// into the store function that makes the write, which writes the warned hits inside the
/// write's own transaction ([`Pending::write_in`]): the write and its evidence commit together
/// or not at all.
pub async fn gate(
    store: &crate::store::CatalogStore,
    act: &Act<'_>,
    texts: &[Text],
) -> Result<Screening> {
    let screening = Screening::of(texts)?;
    if screening.blocked() {
        store
            .record_claims(act, &screening.found, store::Outcome::Blocked)
            .await?;
        return Err(screening.refusal());
    }
    Ok(screening)
}

/// The warned hits of a screened write and who makes it: handed to the store function that
/// makes the write, which writes them into the evidence log in the write's own transaction.
#[derive(Debug, Clone, Copy)]
pub struct Pending<'a> {
    act: &'a Act<'a>,
    found: &'a [Found],
}

impl Screening {
    /// The evidence this (unblocked) screening leaves for the write `act` describes.
    pub fn pending<'a>(&'a self, act: &'a Act<'a>) -> Pending<'a> {
        Pending {
            act,
            found: &self.found,
        }
    }
}

impl Pending<'_> {
    /// Writes the warned hits into the evidence log under `subject_id`, in `tx` (the write's
    /// own transaction). Nothing when there were no hits.
    pub async fn write_in(&self, tx: &mut crate::db::Conn, subject_id: i64) -> Result<()> {
        if self.found.is_empty() {
            return Ok(());
        }
        let act = Act {
            subject_id: Some(subject_id),
            ..self.act.clone()
        };
        store::record_in(tx, &act, self.found, store::Outcome::Warned).await
    }
}

/// Writes `pending`'s evidence in `tx` when there is any (`None`: a write made without the
/// filter, e.g. the demo data).
pub async fn write_pending(
    pending: Option<&Pending<'_>>,
    tx: &mut crate::db::Conn,
    subject_id: i64,
) -> Result<()> {
    match pending {
        Some(p) => p.write_in(tx, subject_id).await,
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(locale: &str, text: &str) -> Vec<(String, Severity)> {
        let f = filter().expect("the term lists load");
        f.screen(&[Text::new("title", locale, text)])
            .into_iter()
            .map(|f| (f.hit.term, f.hit.severity))
            .collect()
    }

    fn terms(locale: &str, text: &str) -> Vec<String> {
        hits(locale, text).into_iter().map(|(t, _)| t).collect()
    }

    /// Every list file parses, every list names its source and link, and every language of
    /// the issue has a block list and a warn list.
    #[test]
    fn every_file_loads_with_its_sources() {
        let f = filter().expect("the term lists load");
        let files = f.files();
        for lang in ["zh", "en", "ru", "kk", "vi", "th", "id"] {
            let file = files
                .iter()
                .find(|x| x.language == lang)
                .unwrap_or_else(|| panic!("no {lang} list"));
            for sev in [Severity::Block, Severity::Warn] {
                assert!(
                    file.lists.iter().any(|g| g.severity == sev),
                    "{lang} has no {sev:?} list"
                );
            }
            for g in &file.lists {
                assert!(!g.source.trim().is_empty() && g.url.starts_with("https://"));
            }
        }
    }

    /// The three terms of art. 9(3) block; the platforms' wider terms warn; 最 inside 最佳 is
    /// one hit (the block), not two.
    #[test]
    fn chinese_terms_block_and_warn() {
        assert_eq!(
            hits("zh-CN", "国家级品质"),
            [("国家级".into(), Severity::Block)]
        );
        assert_eq!(
            hits("zh-CN", "最高级牛肉"),
            [("最高级".into(), Severity::Block)]
        );
        assert_eq!(
            hits("zh-CN", "最佳口感"),
            [("最佳".into(), Severity::Block)]
        );
        assert_eq!(hits("zh-CN", "销量第一"), [("第一".into(), Severity::Warn)]);
        assert_eq!(
            hits("zh-CN", "最受欢迎的蜂蜜"),
            [("最".into(), Severity::Warn)]
        );
        assert_eq!(
            hits("zh-CN", "唯一首选"),
            [
                ("唯一".into(), Severity::Warn),
                ("首选".into(), Severity::Warn)
            ]
        );
    }

    /// Ordinary words that hold a term are not caught.
    #[test]
    fn exceptions_are_not_caught() {
        assert!(terms("zh-CN", "最近到货，每人最多3件，最后一批").is_empty());
        assert!(terms("zh-CN", "第一次购买").is_empty());
        assert!(terms("en", "Best before 2027-03; first aid kit").is_empty());
        assert!(terms("th", "ในที่สุดก็มาถึง").is_empty());
        assert!(terms("vi", "Giao hàng sớm nhất, ít nhất 2 hộp").is_empty());
        assert!(terms("id", "Dikirim paling lambat 2 hari").is_empty());
        assert!(terms("kk", "Ең аз тапсырыс 2 дана").is_empty());
        assert!(terms("kk", "Үздіксіз суық тізбекте жеткізіледі").is_empty());
        assert!(terms("ru", "Аптечка первой помощи").is_empty());
        // Whole words only: "bestow" is not "best", "самовывоз" is not "самый".
        assert!(terms("en", "We bestow a gift").is_empty());
        assert!(terms("ru", "Самовывоз из Хоргоса").is_empty());
    }

    /// Full-width letters, case, zero-width spaces and stacked accents do not slip through.
    #[test]
    fn normalization_tricks_are_caught() {
        assert_eq!(terms("en", "ＢＥＳＴ honey"), ["best"]);
        assert_eq!(terms("en", "B\u{200B}est honey"), ["best"]);
        assert_eq!(terms("en", "Be\u{0301}st honey"), ["best"]);
        assert_eq!(terms("zh-CN", "最\u{200B}佳"), ["最佳"]);
        assert_eq!(terms("zh-CN", "国 家 级"), ["国家级"]);
        assert_eq!(terms("zh-CN", "最\u{0301}佳"), ["最佳"]);
        assert_eq!(terms("ru", "ЛУЧШИЙ мёд"), ["лучший"]);
        assert_eq!(terms("en", "№1 in Almaty"), ["№1"]);
        assert_eq!(terms("en", "No. 1 in Almaty"), ["no 1"]);
    }

    /// The other languages' terms, each in its own language.
    #[test]
    fn each_language_blocks_and_warns() {
        assert_eq!(
            hits("ru", "Самый вкусный мёд"),
            [("самый".into(), Severity::Warn)]
        );
        assert_eq!(
            hits("ru", "Наилучшее качество"),
            [("наилучш*".into(), Severity::Block)]
        );
        assert_eq!(
            hits("kk", "Ең жақсы бал"),
            [("ең жақсы".into(), Severity::Block)]
        );
        assert_eq!(hits("kk", "Ең дәмді бал"), [("ең".into(), Severity::Warn)]);
        assert_eq!(
            hits("vi", "Mật ong tốt nhất"),
            [("tốt nhất".into(), Severity::Block)]
        );
        assert_eq!(
            hits("vi", "Mật ong số 1"),
            [("số 1".into(), Severity::Warn)]
        );
        // "nhạt" (bland) is not "nhất" (most): Vietnamese keeps its diacritics.
        assert!(terms("vi", "Vị nhạt").is_empty());
        assert_eq!(hits("th", "น้ำผึ้งดีที่สุด"), [("ดีที่สุด".into(), Severity::Block)]);
        assert_eq!(hits("th", "หวานที่สุด"), [("ที่สุด".into(), Severity::Warn)]);
        assert_eq!(
            hits("id", "Madu terbaik"),
            [("terbaik".into(), Severity::Block)]
        );
        assert_eq!(
            hits("id", "Madu paling manis"),
            [("paling".into(), Severity::Warn)]
        );
        assert_eq!(
            hits("en", "The best honey"),
            [("best".into(), Severity::Block)]
        );
        assert_eq!(
            hits("en", "Number one honey"),
            [("number one".into(), Severity::Warn)]
        );
    }

    /// A blocked term is blocked whatever the text's locale says; a warned one only in its own
    /// language (English "top" is no claim in an English "tank top").
    #[test]
    fn block_lists_apply_across_locales() {
        assert_eq!(hits("ru", "最佳 мёд"), [("最佳".into(), Severity::Block)]);
        assert_eq!(
            hits("kk", "Лучший мёд"),
            [("лучший".into(), Severity::Block)]
        );
        assert!(terms("en", "Cotton tank top").is_empty());
        assert_eq!(terms("id", "Kaos top"), ["top"]);
    }

    /// Finding 4: variation selectors, fillers and other default-ignorable characters inside a
    /// term are taken out before matching.
    #[test]
    fn ignorables_inside_a_term_are_caught() {
        for t in [
            "最\u{FE00}佳",
            "最\u{E0100}佳",
            "最\u{180B}佳",
            "最\u{3164}佳",
            "最\u{115F}佳",
            "最\u{2800}佳",
        ] {
            assert_eq!(
                hits("zh-CN", t),
                [("最佳".into(), Severity::Block)],
                "{t:?}"
            );
        }
        assert_eq!(terms("zh-CN", "国家\u{FFA0}级"), ["国家级"]);
        assert_eq!(terms("en", "be\u{FE0F}st honey"), ["best"]);
        assert_eq!(terms("en", "be\u{E0020}st honey"), ["best"]);
    }

    /// Default-ignorable characters no hand-written list of the filter ever named (the Khmer
    /// inherent vowels, the combining grapheme joiner, a musical formatting character, a
    /// reserved default-ignorable code point) are taken out too: the class is Unicode's.
    #[test]
    fn every_default_ignorable_is_caught() {
        for t in [
            "最\u{17B4}佳",
            "最\u{17B5}佳",
            "最\u{034F}佳",
            "最\u{1D173}佳",
            "最\u{E0FFF}佳",
        ] {
            assert_eq!(terms("zh-CN", t), ["最佳"], "{t:?}");
        }
        assert_eq!(terms("en", "be\u{17B4}st honey"), ["best"]);
    }

    /// Finding 4: traditional forms match the simplified lists.
    #[test]
    fn traditional_forms_are_caught() {
        assert_eq!(
            hits("zh-TW", "國家級果園"),
            [("国家级".into(), Severity::Block)]
        );
        assert_eq!(
            hits("zh-CN", "最高級牛肉"),
            [("最高级".into(), Severity::Block)]
        );
        assert_eq!(
            hits("zh-HK", "極品紅棗"),
            [("极品".into(), Severity::Block)]
        );
        assert_eq!(hits("zh-TW", "銷量第一"), [("第一".into(), Severity::Warn)]);
        // Exceptions hold in traditional forms too.
        assert!(terms("zh-TW", "最近到貨，每人最多3件，最後一批").is_empty());
    }

    /// Finding 4: letters of another script that look the same (UTS #39 confusables), in
    /// lower and upper case.
    #[test]
    fn lookalike_letters_are_caught() {
        assert_eq!(terms("en", "b\u{0435}st honey"), ["best"]);
        assert_eq!(
            terms("ru", "\u{041B}y\u{0447}\u{0448}\u{0438}\u{0439} мёд"),
            ["лучший"]
        );
        assert_eq!(terms("id", "Madu terb\u{0430}ik"), ["terbaik"]);
        // Upper-case Cyrillic and Latin look-alikes, and digits for letters.
        assert_eq!(
            terms("en", "\u{0412}\u{0415}\u{0405}\u{0422} honey"),
            ["best"]
        );
        assert_eq!(terms("id", "Madu t0p"), ["top"]);
        // Across locales: a Cyrillic-spelt "best" in a Russian text is still blocked.
        assert_eq!(
            hits("ru", "b\u{0435}st мёд"),
            [("best".into(), Severity::Block)]
        );
    }

    /// Finding 4: separators between letters, the languages' affixes and a dropped Vietnamese
    /// diacritic.
    #[test]
    fn separators_affixes_and_dropped_marks_are_caught() {
        assert_eq!(terms("en", "The b.e.s.t honey"), ["best"]);
        assert_eq!(terms("en", "The b e s t honey"), ["best"]);
        assert_eq!(terms("en", "The b_e-s·t honey"), ["best"]);
        assert_eq!(terms("ru", "Л-У-Ч-Ш-И-Й мёд"), ["лучший"]);
        assert_eq!(terms("id", "Madu ter-baik"), ["terbaik"]);
        assert_eq!(terms("id", "Madu terbaiknya"), ["terbaik"]);
        assert_eq!(terms("id", "Madu ini yang terbaiklah"), ["terbaik"]);
        assert_eq!(terms("kk", "Ең жақсысы осы бал"), ["ең жақсы"]);
        assert_eq!(terms("vi", "Mật ong tốt nhat"), ["tốt nhất"]);
        assert_eq!(terms("vi", "Mật ong tôt nhất"), ["tốt nhất"]);
        assert_eq!(terms("vi", "Mật ong cao cap nhat"), ["cao cấp nhất"]);
    }

    /// A hit found on the skeleton names the term as its list spells it, and what was written
    /// and where (in characters from the start of the field).
    #[test]
    fn a_skeleton_hit_says_what_was_written_and_where() {
        let f = filter().expect("the term lists load");
        let found = f.screen(&[Text::new("title", "en", "The b.e.s.t honey")]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].hit.term, "best");
        assert_eq!(found[0].hit.found, "b.e.s.t");
        assert_eq!(found[0].hit.at, 4);
        let found = f.screen(&[Text::new("title", "zh-CN", "新疆最\u{FE00}佳红枣")]);
        assert_eq!(found[0].hit.term, "最佳");
        assert_eq!(found[0].hit.found, "最\u{FE00}佳");
        assert_eq!(found[0].hit.at, 2);
        let s = Screening { found };
        assert!(
            s.refusal().to_string().contains("最佳 in title (zh-CN)"),
            "{}",
            s.refusal()
        );
    }

    /// Ordinary text in each language stays clean under skeleton matching: confusable letters
    /// of a language's own alphabet, hyphenated words, single-letter words, suffixes that
    /// happen to follow a term's letters, and Vietnamese minimal pairs.
    #[test]
    fn ordinary_text_stays_clean() {
        let ordinary = [
            (
                "zh-CN",
                "新疆红枣，产地直发，最近到货，每人最多3件，最后一批",
            ),
            ("zh-TW", "新疆紅棗，產地直發，最近到貨，第一次購買"),
            ("en", "Modern farm honey, 500 g jar, best before 2027-03"),
            ("en", "First-aid kit, rn model, size L; a tank top"),
            ("en", "BEST WISHES from Almaty"),
            (
                "ru",
                "Самовывоз из Нур-Султана; мёд и в сотах, и в банках, с доставкой к вам",
            ),
            (
                "ru",
                "АПТЕЧКА ПЕРВОЙ ПОМОЩИ, вкусный гречишный мёд, нет сахара",
            ),
            (
                "kk",
                "Ең аз тапсырыс 2 дана, үздіксіз суық тізбекте жеткізіледі",
            ),
            ("kk", "Бал ені 10 см, біріншіден сапасы жақсы, жаксы бағасы"),
            (
                "vi",
                "Giao hàng sớm nhất, ít nhất 2 hộp; vị nhạt, hàng dầu ăn",
            ),
            ("vi", "Giao hang som nhat, it nhat 2 hop; vi nhat, dau an"),
            ("th", "ในที่สุดก็มาถึง น้ำผึ้งป่าแท้ ส่งฟรีทั่วประเทศ"),
            (
                "id",
                "Dikirim paling lambat 2 hari; tanya stok dulu, harganya murah",
            ),
            ("id", "Madu hutan asli, rasanya manis, bisa COD"),
        ];
        for (locale, text) in ordinary {
            assert_eq!(hits(locale, text), Vec::new(), "{locale}: {text}");
        }
    }

    /// The refusal names every blocked term and where it is.
    #[test]
    fn the_refusal_names_terms_and_places() {
        let s = Screening::of(&[
            Text::new("title", "zh-CN", "最佳蜂蜜"),
            Text::new("attributes.flavour", "zh-CN", "第一口"),
        ])
        .expect("screen");
        assert!(s.blocked());
        let e = s.refusal();
        assert_eq!(e.code(), "claims_blocked");
        assert_eq!(e.status().as_u16(), 422);
        assert!(e.to_string().contains("最佳 in title (zh-CN)"), "{e}");
    }
}
