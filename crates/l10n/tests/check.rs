//! The translators' checker on the shipped locales and on broken copies in a temporary
//! directory: each kind of error names its file, line and message id.

use std::path::Path;

use silkstream_l10n::{check_dir, check_embedded, L10n, LoadError, Severity, SUPPORTED_LOCALES};

const EN: &str = "\
## reference
greeting = Hello { $name }
items = { $count ->
        [one] { $count } item
       *[other] { $count } items
    }
";

fn write(dir: &Path, locale: &str, name: &str, text: &str) {
    std::fs::create_dir_all(dir.join(locale)).expect("create a locale dir");
    std::fs::write(dir.join(locale).join(name), text).expect("write a locale file");
}

fn temp_with_en() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("create a temp dir");
    write(dir.path(), "en", "main.ftl", EN);
    dir
}

/// The embedded locales have no errors, no missing or obsolete messages and no plural gaps.
#[test]
fn shipped_locales_are_clean() {
    let report = check_embedded();
    assert!(report.is_clean(), "{report}");
    for locale in SUPPORTED_LOCALES {
        assert!(report.locale(locale).is_some(), "{locale} has files");
    }
}

/// The repository's locales directory, read from disk, is as clean as the embedded copy.
#[test]
fn locales_dir_is_clean() {
    let report = check_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../locales"));
    assert!(report.is_clean(), "{report}");
}

/// A syntax error is reported with its file, line and message id, and blocks loading.
#[test]
fn syntax_error_is_located() {
    let dir = temp_with_en();
    write(
        dir.path(),
        "ru",
        "main.ftl",
        "greeting = Привет { $name }\n\nitems = { $count \n",
    );
    let report = check_dir(dir.path());
    assert!(!report.is_ok());
    let ru = report.locale("ru").expect("ru is reported");
    let error = ru.errors.first().expect("one syntax error");
    assert!(error.file.ends_with("ru/main.ftl"), "{error}");
    assert_eq!(error.line, 3, "{error}");
    assert_eq!(error.message_id.as_deref(), Some("items"), "{error}");
    assert!(error.text.contains("syntax error"), "{error}");
    assert!(matches!(
        L10n::from_dir(dir.path()),
        Err(LoadError::Invalid(_))
    ));
}

/// A translation using other variables than English is an error at the message's line.
#[test]
fn variable_mismatch_is_located() {
    let dir = temp_with_en();
    write(
        dir.path(),
        "kk",
        "main.ftl",
        "# comment\ngreeting = Сәлем { $user }\nitems = { $count } дана\n",
    );
    let report = check_dir(dir.path());
    let kk = report.locale("kk").expect("kk is reported");
    assert_eq!(kk.errors.len(), 1, "{report}");
    let error = &kk.errors[0];
    assert_eq!(
        (error.line, error.message_id.as_deref()),
        (2, Some("greeting")),
        "{error}"
    );
    assert!(
        error.text.contains("$user") && error.text.contains("$name"),
        "{error}"
    );
    let line = report.to_string();
    assert!(
        line.contains("kk/main.ftl:2: error: greeting: variables"),
        "{line}"
    );
}

/// `[few]` in English is an error on the variant's own line; a Russian selector without
/// `few`/`many` is a missing-plural warning, which does not block loading.
#[test]
fn plural_variants_are_checked_per_locale() {
    let dir = tempfile::tempdir().expect("create a temp dir");
    write(
        dir.path(),
        "en",
        "main.ftl",
        "greeting = Hello { $name }\nitems = { $count ->\n        [one] { $count } item\n        [few] { $count } items\n       *[other] { $count } items\n    }\n",
    );
    let report = check_dir(dir.path());
    let en = report.locale("en").expect("en is reported");
    let error = en.errors.first().expect("a bogus variant error");
    assert_eq!(
        (error.line, error.message_id.as_deref()),
        (4, Some("items")),
        "{error}"
    );
    assert!(error.text.contains("[few]"), "{error}");

    let dir = temp_with_en();
    write(
        dir.path(),
        "ru",
        "main.ftl",
        "greeting = Привет { $name }\nitems = { $count ->\n        [one] { $count } товар\n       *[other] { $count } товара\n    }\n",
    );
    let report = check_dir(dir.path());
    assert!(report.is_ok(), "{report}");
    let ru = report.locale("ru").expect("ru is reported");
    let warning = ru
        .missing_plural_variants
        .first()
        .expect("a missing plural warning");
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(
        (warning.line, warning.message_id.as_deref()),
        (2, Some("items"))
    );
    assert!(
        warning.text.contains("few") && warning.text.contains("many"),
        "{warning}"
    );
    assert!(L10n::from_dir(dir.path()).is_ok());
}

/// Missing and obsolete messages are listed against English; unknown locale dirs are errors.
#[test]
fn missing_obsolete_and_unknown_locales() {
    let dir = temp_with_en();
    write(
        dir.path(),
        "vi",
        "main.ftl",
        "greeting = Xin chào { $name }\nold-thing = Cũ\n",
    );
    write(dir.path(), "de", "main.ftl", "greeting = Hallo { $name }\n");
    let report = check_dir(dir.path());
    let vi = report.locale("vi").expect("vi is reported");
    assert_eq!(vi.missing.len(), 1);
    assert_eq!(vi.missing[0].message_id.as_deref(), Some("items"));
    assert!(vi.missing[0].file.ends_with("en/main.ftl"));
    assert_eq!(vi.obsolete[0].message_id.as_deref(), Some("old-thing"));
    assert_eq!(vi.obsolete[0].line, 2);
    let de = report.locale("de").expect("de is reported");
    assert!(
        de.errors[0].text.contains("not a supported locale"),
        "{report}"
    );
    assert!(!report.is_ok());
}

/// A message defined twice in one locale is an error naming the second definition.
#[test]
fn duplicate_ids_are_errors() {
    let dir = temp_with_en();
    write(dir.path(), "th", "a.ftl", "greeting = สวัสดี { $name }\n");
    write(dir.path(), "th", "b.ftl", "\ngreeting = หวัดดี { $name }\n");
    let report = check_dir(dir.path());
    let th = report.locale("th").expect("th is reported");
    assert_eq!(th.errors[0].line, 2);
    assert!(th.errors[0].file.ends_with("th/b.ftl"));
    assert!(th.errors[0].text.contains("defined twice"));
}

/// A directory that does not exist is an error, not a panic.
#[test]
fn missing_directory_is_an_error() {
    let report = check_dir("/nonexistent/silkstream/locales");
    assert!(!report.is_ok());
    assert!(report.to_string().contains("cannot read"));
}
