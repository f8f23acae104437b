//! The translators' checker: parses every `<locale>/*.ftl`, compares each locale with the English
//! reference and checks plural variants against the locale's CLDR categories. Nothing here fails:
//! problems become [`Finding`]s in a [`CheckReport`].
//!
//! Errors (make [`CheckReport::is_ok`] false): a syntax error; a message whose variables differ
//! from English; a plural variant the locale does not have (`[few]` in English); a message id
//! defined twice in one locale; a directory that is not a supported locale; an unreadable file.
//! Warnings: a message missing in the locale (it falls back along the chain), an obsolete
//! message (not in English), a plural selector lacking a category the locale has (Fluent would
//! show the default variant, usually a wrong form). A selector counts as plural when it is a
//! variable whose variant keys are all CLDR category names or numbers. In the locales of
//! [`crate::plural::FLUENT_PLURAL_MISMATCH`] (vi) any plural selector is an error.
//!
//! Beside the FTL files a locale directory may hold `glossary.toml` (its words for the trade
//! terms, [`crate::glossary`]: a message using another word is a warning) and `review.toml` (who
//! read which messages, [`crate::review`]: unreviewed and changed-since-review messages are
//! notes, listed but not counted against [`CheckReport::is_clean`]). Either file failing to
//! parse is an error.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use fluent_syntax::ast;

use crate::glossary::{self, Glossary, MessageText};
use crate::plural::{locale_categories, FLUENT_PLURAL_MISMATCH};
use crate::review::{self, MessageSource, ReviewFile, ReviewStatus};
use crate::SUPPORTED_LOCALES;

/// Which locale files a check or a bundle is built from.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// The locale directory name (`ru`).
    pub locale: String,
    /// The path shown in findings (`locales/ru/live.ftl`).
    pub path: String,
    /// The file's text.
    pub text: String,
}

impl SourceFile {
    /// A Fluent file (the others are the locale's glossary and review record).
    pub(crate) fn is_ftl(&self) -> bool {
        self.path.ends_with(".ftl")
    }
}

/// Whether a file of a locale directory is one the checker reads.
fn is_locale_file(name: &str) -> bool {
    name.ends_with(".ftl") || name == glossary::FILE_NAME || name == review::FILE_NAME
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The locale set must not ship (or load) like this.
    Error,
    /// Works, but a buyer sees a fallback, a wrong plural form or another word for a term.
    Warning,
    /// For the record (a message not reviewed yet): never makes a set unclean.
    Note,
}

/// One problem, located by file, line (1-based; 0 when the whole file is concerned) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as `locales/<locale>/<name>.ftl` for the embedded set or the path on disk.
    pub file: String,
    /// The 1-based line (0 when no line applies).
    pub line: usize,
    /// The message the finding is about, when there is one.
    pub message_id: Option<String>,
    /// What is wrong, for a translator.
    pub text: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, "{}:{}: {severity}: ", self.file, self.line)?;
        if let Some(id) = &self.message_id {
            write!(f, "{id}: ")?;
        }
        f.write_str(&self.text)
    }
}

/// The findings of one locale.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocaleReport {
    /// The locale directory name.
    pub locale: String,
    /// Syntax errors, variable mismatches, impossible plural variants, duplicates.
    pub errors: Vec<Finding>,
    /// Messages English has and this locale lacks (located in the English file).
    pub missing: Vec<Finding>,
    /// Messages this locale has and English does not.
    pub obsolete: Vec<Finding>,
    /// Plural selectors lacking a category the locale has.
    pub missing_plural_variants: Vec<Finding>,
    /// Messages that use another word than the glossary's for a trade term, and problems of the
    /// glossary itself (a term missing, an unknown message omitted).
    pub glossary: Vec<Finding>,
    /// Who reviewed the messages; the unreviewed and changed ones as notes.
    pub review: ReviewStatus,
}

impl LocaleReport {
    fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.errors
            .iter()
            .chain(&self.missing)
            .chain(&self.obsolete)
            .chain(&self.missing_plural_variants)
            .chain(&self.glossary)
    }
}

/// The result of checking a locale set, per locale.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// One report per locale directory found, English first.
    pub locales: Vec<LocaleReport>,
}

impl CheckReport {
    /// No errors (warnings allowed): the set can be loaded.
    pub fn is_ok(&self) -> bool {
        self.locales.iter().all(|l| l.errors.is_empty())
    }

    /// No findings at all: what the shipped locales must be.
    pub fn is_clean(&self) -> bool {
        self.findings().next().is_none()
    }

    /// Every finding, locale by locale (review notes are apart: [`CheckReport::review_notes`]).
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.locales.iter().flat_map(LocaleReport::findings)
    }

    /// The review notes (unreviewed and changed-since-review messages), locale by locale.
    pub fn review_notes(&self) -> impl Iterator<Item = &Finding> {
        self.locales.iter().flat_map(|l| &l.review.notes)
    }

    /// The report of one locale, if its directory was found.
    pub fn locale(&self, locale: &str) -> Option<&LocaleReport> {
        self.locales.iter().find(|l| l.locale == locale)
    }

    fn entry(&mut self, locale: &str) -> &mut LocaleReport {
        if let Some(index) = self.locales.iter().position(|l| l.locale == locale) {
            return &mut self.locales[index];
        }
        self.locales.push(LocaleReport {
            locale: locale.to_owned(),
            ..LocaleReport::default()
        });
        self.locales.last_mut().expect("just pushed")
    }
}

impl fmt::Display for CheckReport {
    /// One line per finding, then per review note: `file:line: severity: message-id: text`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in self.findings().chain(self.review_notes()) {
            writeln!(f, "{finding}")?;
        }
        Ok(())
    }
}

/// Checks the locale files under `path` (`path/<locale>/*.ftl`), as a translator would before
/// sending them; see the module docs for what is an error.
pub fn check_dir(path: impl AsRef<Path>) -> CheckReport {
    match read_dir(path.as_ref()) {
        Ok(sources) => check_sources(&sources),
        Err(finding) => {
            let mut report = CheckReport::default();
            report.entry("en").errors.push(finding);
            report
        }
    }
}

/// Checks the locale files embedded in the binary.
pub fn check_embedded() -> CheckReport {
    check_sources(&embedded_sources())
}

pub(crate) fn embedded_sources() -> Vec<SourceFile> {
    crate::render::EMBEDDED
        .iter()
        .map(|(locale, name, text)| SourceFile {
            locale: (*locale).to_owned(),
            path: format!("locales/{locale}/{name}"),
            text: (*text).to_owned(),
        })
        .collect()
}

/// Reads `dir/<locale>/*.ftl`, sorted; an unreadable directory or file is a finding.
pub(crate) fn read_dir(dir: &Path) -> Result<Vec<SourceFile>, Finding> {
    let io_error = |path: &Path, e: std::io::Error| Finding {
        severity: Severity::Error,
        file: path.display().to_string(),
        line: 0,
        message_id: None,
        text: format!("cannot read: {e}"),
    };
    let mut locale_dirs: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io_error(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    locale_dirs.sort();
    let mut sources = Vec::new();
    for locale_dir in locale_dirs {
        let locale = locale_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut files: Vec<_> = std::fs::read_dir(&locale_dir)
            .map_err(|e| io_error(&locale_dir, e))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| is_locale_file(&n.to_string_lossy()))
            })
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|e| io_error(&file, e))?;
            sources.push(SourceFile {
                locale: locale.clone(),
                path: file.display().to_string(),
                text,
            });
        }
    }
    Ok(sources)
}

/// What the checker knows about one message.
#[derive(Debug)]
struct MessageInfo {
    file: String,
    line: usize,
    /// Variables used anywhere in the value or attributes.
    variables: BTreeSet<String>,
    /// Plural selectors: the variable and the category names used as keys.
    plural_selectors: Vec<(String, Vec<String>)>,
    /// The literal text of the value, variants and attributes (placeables left out).
    text: String,
    /// [`review::message_hash`] of the message's source.
    hash: String,
}

const CATEGORY_NAMES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// Checks a set of locale files; English is the reference.
pub(crate) fn check_sources(sources: &[SourceFile]) -> CheckReport {
    let mut report = CheckReport::default();
    report.entry("en");
    let mut messages: BTreeMap<String, BTreeMap<String, MessageInfo>> = BTreeMap::new();
    let mut glossaries: BTreeMap<String, (String, Glossary)> = BTreeMap::new();
    let mut reviews: BTreeMap<String, ReviewFile> = BTreeMap::new();
    for source in sources {
        let locale_report = report.entry(&source.locale);
        if !SUPPORTED_LOCALES.contains(&source.locale.as_str()) {
            locale_report.errors.push(Finding {
                severity: Severity::Error,
                file: source.path.clone(),
                line: 0,
                message_id: None,
                text: format!("{:?} is not a supported locale directory", source.locale),
            });
            continue;
        }
        if !source.is_ftl() {
            let parsed = if source.path.ends_with(glossary::FILE_NAME) {
                glossary::parse(&source.text).map(|g| {
                    drop(glossaries.insert(source.locale.clone(), (source.path.clone(), g)))
                })
            } else {
                review::parse(&source.text).map(|r| drop(reviews.insert(source.locale.clone(), r)))
            };
            if let Err(text) = parsed {
                locale_report.errors.push(Finding {
                    severity: Severity::Error,
                    file: source.path.clone(),
                    line: 0,
                    message_id: None,
                    text,
                });
            }
            continue;
        }
        let lines = message_lines(&source.text);
        let hashes: BTreeMap<String, String> = message_sources(&source.text)
            .into_iter()
            .map(|(id, _, text)| (id, review::message_hash(&text)))
            .collect();
        let resource = match fluent_syntax::parser::parse(source.text.as_str()) {
            Ok(resource) => resource,
            Err((resource, errors)) => {
                for error in errors {
                    // Located at the start of the broken entry (what a translator looks for),
                    // with the parser's own position in the text when it differs.
                    let start = error
                        .slice
                        .as_ref()
                        .map_or(error.pos.start, |s| s.start)
                        .min(source.text.len());
                    let skipped = source.text[start..].len()
                        - source.text[start..].trim_start_matches(['\n', '\r']).len();
                    let line = line_of(&source.text, start + skipped);
                    let stopped = line_of(&source.text, error.pos.start);
                    let at = if stopped == line {
                        String::new()
                    } else {
                        format!(" (parser stopped at line {stopped})")
                    };
                    locale_report.errors.push(Finding {
                        severity: Severity::Error,
                        file: source.path.clone(),
                        line,
                        message_id: leading_id(&source.text[start..]),
                        text: format!("syntax error: {error}{at}"),
                    });
                }
                resource
            }
        };
        let locale_messages = messages.entry(source.locale.clone()).or_default();
        for entry in &resource.body {
            let ast::Entry::Message(message) = entry else {
                continue;
            };
            let id = message.id.name.to_owned();
            let line = lines.get(id.as_str()).copied().unwrap_or(0);
            let mut info = MessageInfo {
                file: source.path.clone(),
                line,
                variables: BTreeSet::new(),
                plural_selectors: Vec::new(),
                text: String::new(),
                hash: hashes.get(&id).cloned().unwrap_or_default(),
            };
            if let Some(value) = &message.value {
                walk_pattern(value, &mut info);
            }
            for attribute in &message.attributes {
                walk_pattern(&attribute.value, &mut info);
            }
            if let Some(first) = locale_messages.get(&id) {
                locale_report.errors.push(Finding {
                    severity: Severity::Error,
                    file: source.path.clone(),
                    line,
                    message_id: Some(id.clone()),
                    text: format!("defined twice (first at {}:{})", first.file, first.line),
                });
                continue;
            }
            check_plurals(&source.locale, &id, &info, &source.text, locale_report);
            locale_messages.insert(id, info);
        }
    }
    let empty = BTreeMap::new();
    let english = messages.get("en").unwrap_or(&empty);
    for (locale, locale_messages) in &messages {
        if locale == "en" {
            continue;
        }
        let locale_report = report.entry(locale);
        for (id, info) in locale_messages {
            match english.get(id) {
                None => locale_report.obsolete.push(Finding {
                    severity: Severity::Warning,
                    file: info.file.clone(),
                    line: info.line,
                    message_id: Some(id.clone()),
                    text: "obsolete: not in the English reference".to_owned(),
                }),
                Some(reference) if reference.variables != info.variables => {
                    locale_report.errors.push(Finding {
                        severity: Severity::Error,
                        file: info.file.clone(),
                        line: info.line,
                        message_id: Some(id.clone()),
                        text: format!(
                            "variables {} differ from English {} ({}:{})",
                            show_vars(&info.variables),
                            show_vars(&reference.variables),
                            reference.file,
                            reference.line
                        ),
                    })
                }
                Some(_) => {}
            }
        }
        for (id, reference) in english {
            if !locale_messages.contains_key(id) {
                locale_report.missing.push(Finding {
                    severity: Severity::Warning,
                    file: reference.file.clone(),
                    line: reference.line,
                    message_id: Some(id.clone()),
                    text: format!(
                        "missing in {locale} (falls back along {:?})",
                        crate::fallback_chain(locale)
                    ),
                });
            }
        }
    }
    let english_texts = texts(english);
    if let Some(english_glossary) = glossaries.get("en") {
        glossary::check_english(
            english_glossary,
            &english_texts,
            &mut report.entry("en").glossary,
        );
        for (locale, locale_messages) in &messages {
            if locale == "en" {
                continue;
            }
            glossary::check_locale(
                locale,
                glossaries.get(locale),
                english_glossary,
                &english_texts,
                &texts(locale_messages),
                &mut report.entry(locale).glossary,
            );
        }
    }
    for (locale, locale_messages) in &messages {
        let sources: BTreeMap<String, MessageSource<'_>> = locale_messages
            .iter()
            .map(|(id, info)| {
                let source = MessageSource {
                    file: info.file.as_str(),
                    line: info.line,
                    hash: info.hash.as_str(),
                };
                (id.clone(), source)
            })
            .collect();
        report.entry(locale).review = review::status(reviews.get(locale), &sources);
    }
    // English first, then the design's order, then anything unknown.
    report.locales.sort_by_key(|l| {
        SUPPORTED_LOCALES
            .iter()
            .position(|s| *s == l.locale)
            .unwrap_or(usize::MAX)
    });
    report
}

/// The messages of one locale as the glossary check reads them.
fn texts(locale_messages: &BTreeMap<String, MessageInfo>) -> BTreeMap<String, MessageText<'_>> {
    locale_messages
        .iter()
        .map(|(id, info)| {
            let text = MessageText {
                file: info.file.as_str(),
                line: info.line,
                text: info.text.as_str(),
            };
            (id.clone(), text)
        })
        .collect()
}

fn check_plurals(
    locale: &str,
    id: &str,
    info: &MessageInfo,
    text: &str,
    report: &mut LocaleReport,
) {
    let categories = locale_categories(locale);
    for (variable, keys) in &info.plural_selectors {
        if FLUENT_PLURAL_MISMATCH.contains(&locale) {
            report.errors.push(Finding {
                severity: Severity::Error,
                file: info.file.clone(),
                line: info.line,
                message_id: Some(id.to_owned()),
                text: format!("plural selector on ${variable}: not allowed in {locale}, where Fluent's plural rules disagree with CLDR; write one form"),
            });
            continue;
        }
        for key in keys {
            if !categories.contains(&key.as_str()) {
                report.errors.push(Finding {
                    severity: Severity::Error,
                    file: info.file.clone(),
                    line: variant_line(text, info.line, key),
                    message_id: Some(id.to_owned()),
                    text: format!("plural variant [{key}] on ${variable} does not exist in {locale} (CLDR categories: {})", categories.join(", ")),
                });
            }
        }
        let missing: Vec<&str> = categories
            .iter()
            .copied()
            .filter(|c| !keys.iter().any(|k| k == c))
            .collect();
        if !missing.is_empty() {
            report.missing_plural_variants.push(Finding {
                severity: Severity::Warning,
                file: info.file.clone(),
                line: info.line,
                message_id: Some(id.to_owned()),
                text: format!(
                    "selector on ${variable} lacks plural variant(s) {} of {locale}",
                    missing.join(", ")
                ),
            });
        }
    }
}

fn show_vars(vars: &BTreeSet<String>) -> String {
    let shown: Vec<String> = vars.iter().map(|v| format!("${v}")).collect();
    format!("{{{}}}", shown.join(", "))
}

fn walk_pattern(pattern: &ast::Pattern<&str>, info: &mut MessageInfo) {
    for element in &pattern.elements {
        match element {
            ast::PatternElement::TextElement { value } => info.text.push_str(value),
            ast::PatternElement::Placeable { expression } => {
                // A placeable separates words: "{ $count } left" is " left", not "left".
                info.text.push(' ');
                walk_expression(expression, info);
                info.text.push(' ');
            }
        }
    }
    info.text.push('\n');
}

fn walk_expression(expression: &ast::Expression<&str>, info: &mut MessageInfo) {
    match expression {
        ast::Expression::Inline(inline) => walk_inline(inline, info),
        ast::Expression::Select { selector, variants } => {
            walk_inline(selector, info);
            let mut names = Vec::new();
            let mut all_plural = true;
            for variant in variants {
                if let ast::VariantKey::Identifier { name } = &variant.key {
                    all_plural &= CATEGORY_NAMES.contains(name);
                    names.push((*name).to_owned());
                }
                walk_pattern(&variant.value, info);
            }
            if let (true, Some(variable)) = (all_plural, selector_variable(selector)) {
                info.plural_selectors.push((variable, names));
            }
        }
    }
}

/// The variable a selector selects on: `$n` or `NUMBER($n, …)`.
fn selector_variable(selector: &ast::InlineExpression<&str>) -> Option<String> {
    match selector {
        ast::InlineExpression::VariableReference { id } => Some(id.name.to_owned()),
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            match arguments.positional.first() {
                Some(ast::InlineExpression::VariableReference { id }) => Some(id.name.to_owned()),
                _ => None,
            }
        }
        _ => None,
    }
}

fn walk_inline(inline: &ast::InlineExpression<&str>, info: &mut MessageInfo) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            info.variables.insert(id.name.to_owned());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            walk_arguments(arguments, info)
        }
        ast::InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => walk_arguments(arguments, info),
        ast::InlineExpression::Placeable { expression } => walk_expression(expression, info),
        _ => {}
    }
}

fn walk_arguments(arguments: &ast::CallArguments<&str>, info: &mut MessageInfo) {
    for positional in &arguments.positional {
        walk_inline(positional, info);
    }
    for named in &arguments.named {
        walk_inline(&named.value, info);
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The message id a chunk of source starts with (`id =`), if it does.
fn leading_id(text: &str) -> Option<String> {
    let text = text.trim_start_matches(['\n', '\r']);
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(text.len());
    let (id, rest) = text.split_at(end);
    let starts_well = id.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    (starts_well && rest.trim_start_matches(' ').starts_with('=')).then(|| id.to_owned())
}

/// Each message's id, first line and source: the `id =` line and the indented lines that
/// continue it, trailing spaces cut (what [`review::message_hash`] hashes).
pub(crate) fn message_sources(text: &str) -> Vec<(String, usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (start, id) in message_lines(text)
        .into_iter()
        .map(|(id, line)| (line - 1, id))
    {
        let mut source = vec![lines[start].trim_end()];
        source.extend(
            lines[start + 1..]
                .iter()
                .take_while(|l| l.starts_with([' ', '\t']))
                .map(|l| l.trim_end()),
        );
        out.push((id.to_owned(), start + 1, source.join("\n")));
    }
    out
}

/// The line on which each message (`id =` at the start of a line) begins.
fn message_lines(text: &str) -> BTreeMap<&str, usize> {
    let mut lines = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(line.len());
        let (id, rest) = line.split_at(end);
        if id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && rest.trim_start_matches(' ').starts_with('=')
        {
            lines.entry(id).or_insert(index + 1);
        }
    }
    lines
}

/// The line of a variant `[key]` within the message starting at `message_line` (or that line).
fn variant_line(text: &str, message_line: usize, key: &str) -> usize {
    let needle = format!("[{key}]");
    text.lines()
        .enumerate()
        .skip(message_line.saturating_sub(1))
        .take_while(|(index, line)| *index + 1 == message_line || !message_starts(line))
        .find(|(_, line)| line.contains(&needle))
        .map_or(message_line, |(index, _)| index + 1)
}

fn message_starts(line: &str) -> bool {
    line.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '-')
}
