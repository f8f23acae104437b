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

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
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
    /// whole words only; a term ending in `*` matches any word that starts with it.
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
    pub lists: Vec<TermGroup>,
}

/// A term ready to match: how the file spells it, and its normalized needle.
#[derive(Debug, Clone)]
struct Term {
    shown: String,
    needle: String,
    severity: Severity,
}

/// A language's lists ready to match.
#[derive(Debug, Clone)]
struct Language {
    file: TermFile,
    terms: Vec<Term>,
    exceptions: Vec<String>,
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
}

/// A hit with the whole text it was found in, for the evidence log.
#[derive(Debug, Clone)]
pub struct Found {
    pub hit: ClaimHit,
    pub text: String,
}

/// Characters that change nothing a buyer sees but could split a term: soft hyphen,
/// zero-width space and joiners, word joiner and invisible operators, the byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
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

/// The text as the matcher reads it: NFKC (full-width letters and digits become plain ones,
/// `№` becomes `No`), invisible characters out, lower case; with `fold` every accent taken off,
/// else only stray combining marks.
fn fold(text: &str, fold_marks: bool) -> String {
    let plain: String = text
        .nfkc()
        .filter(|c| !is_invisible(*c))
        .collect::<String>()
        .to_lowercase();
    if fold_marks {
        plain
            .nfkd()
            .filter(|c| !is_combining_mark(*c))
            .nfkc()
            .collect()
    } else {
        plain.nfkc().filter(|c| !is_stray_mark(*c)).collect()
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c) || c == '#' || c == '%'
}

/// The haystack of a text (or the needle of a term) for `matching`: for words, the words
/// joined by single spaces with a space at each end (so `" best "` matches whole words
/// only); for substrings, the letters, digits, marks, `#` and `%` run together.
fn haystack(text: &str, matching: Matching, fold_marks: bool) -> String {
    let folded = fold(text, fold_marks);
    match matching {
        Matching::Words => {
            let mut out = String::from(" ");
            for word in folded.split(|c: char| !is_word_char(c)) {
                if !word.is_empty() {
                    out.push_str(word);
                    out.push(' ');
                }
            }
            out
        }
        Matching::Substring => folded.chars().filter(|c| is_word_char(*c)).collect(),
    }
}

/// The needle of a term: a word term keeps its trailing space (whole words) unless it ends
/// in `*` (a word prefix).
fn needle(term: &str, matching: Matching, fold_marks: bool) -> String {
    match (matching, term.strip_suffix('*')) {
        (Matching::Words, Some(prefix)) => {
            let mut n = haystack(prefix, matching, fold_marks);
            n.pop();
            n
        }
        _ => haystack(term, matching, fold_marks),
    }
}

/// Every place `needle` occurs in `hay`, overlapping ones included, as byte ranges.
fn occurrences(hay: &str, needle: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if needle.trim().is_empty() {
        return out;
    }
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let start = from + i;
        out.push((start, start + needle.len()));
        // The next search starts one character on, so overlapping terms are found too.
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
        if from >= hay.len() {
            break;
        }
    }
    out
}

impl ClaimsFilter {
    /// Reads the term lists from their files' text (`(file name, text)`).
    pub fn from_files(files: &[(&str, &str)]) -> std::result::Result<Self, String> {
        let mut languages = Vec::new();
        for (name, text) in files {
            let file: TermFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            let mut terms: Vec<Term> = Vec::new();
            for group in &file.lists {
                for shown in &group.terms {
                    let n = needle(shown, file.matching, file.fold_marks);
                    if n.trim().is_empty() {
                        return Err(format!("{name}: the term {shown:?} has no letters"));
                    }
                    // "no. 1" and "no 1" are one needle: keep the first spelling.
                    if !terms.iter().any(|t| t.needle == n) {
                        terms.push(Term {
                            shown: shown.clone(),
                            needle: n,
                            severity: group.severity,
                        });
                    }
                }
            }
            let exceptions = file
                .exceptions
                .iter()
                .map(|x| haystack(x, file.matching, file.fold_marks))
                .collect();
            languages.push(Language {
                file,
                terms,
                exceptions,
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
    /// whatever locale the writer labels the text with). A term inside an exception of its
    /// language (最 in 最近) is no hit, nor is one inside a longer hit (最 in 最佳). Each term
    /// counts once per text.
    pub fn screen(&self, texts: &[Text]) -> Vec<Found> {
        let mut found = Vec::new();
        for text in texts {
            let language = text.locale.split('-').next().unwrap_or_default();
            for lang in &self.languages {
                let own = lang.file.language == language;
                let hay = haystack(&text.text, lang.file.matching, lang.file.fold_marks);
                let excepted: Vec<(usize, usize)> = lang
                    .exceptions
                    .iter()
                    .flat_map(|x| occurrences(&hay, x))
                    .collect();
                let mut hits: Vec<(usize, usize, &Term)> = Vec::new();
                for term in lang
                    .terms
                    .iter()
                    .filter(|t| own || t.severity == Severity::Block)
                {
                    for (s, e) in occurrences(&hay, &term.needle) {
                        let inside = |(xs, xe): &(usize, usize)| *xs <= s && e <= *xe;
                        if !excepted.iter().any(inside) {
                            hits.push((s, e, term));
                        }
                    }
                }
                let kept: Vec<&Term> = hits
                    .iter()
                    .filter(|(s, e, _)| {
                        !hits
                            .iter()
                            .any(|(os, oe, _)| *os <= *s && *e <= *oe && (oe - os) > (e - s))
                    })
                    .map(|(_, _, t)| *t)
                    .collect();
                for term in kept {
                    let hit = ClaimHit {
                        term: term.shown.clone(),
                        list: lang.file.language.clone(),
                        severity: term.severity,
                        field: text.field.clone(),
                        locale: text.locale.clone(),
                    };
                    if !found.iter().any(|f: &Found| f.hit == hit) {
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
            .map(|h| format!("{} in {} ({})", h.term, h.field, h.locale))
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
