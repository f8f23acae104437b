//! The glossary and the review record on the shipped locales and on planted copies in a
//! temporary directory: a translation that uses another word for a trade term is reported at
//! its line; unreviewed and changed-since-review messages are listed as notes.

use std::path::Path;

use silkstream_l10n::review::message_hash;
use silkstream_l10n::{check_dir, check_embedded, record_review, Severity, SUPPORTED_LOCALES};

const EN: &str = "\
sale-heading = Flash sale
sale-paused = Paused by the host
stock-left = { $count } left
";

const EN_GLOSSARY: &str = "\
[flash-sale]
use = [\"flash sale\"]

[host]
use = [\"host\"]
";

const RU_GLOSSARY: &str = "\
[flash-sale]
use = [\"флеш-продаж\"]
avoid = [\"распродаж\", \"скидк\"]

[host]
use = [\"ведущ\"]
avoid = [\"продав\"]
";

fn write(dir: &Path, locale: &str, name: &str, text: &str) {
    std::fs::create_dir_all(dir.join(locale)).expect("create a locale dir");
    std::fs::write(dir.join(locale).join(name), text).expect("write a locale file");
}

fn planted() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("create a temp dir");
    write(dir.path(), "en", "main.ftl", EN);
    write(dir.path(), "en", "glossary.toml", EN_GLOSSARY);
    write(dir.path(), "ru", "glossary.toml", RU_GLOSSARY);
    dir
}

/// A markdown word for the flash sale and "the seller" for the host are each reported at the
/// message's line, naming the term, the word and the locale's own word; the set still loads
/// (warnings), but is not clean.
#[test]
fn planted_violations_are_reported() {
    let dir = planted();
    write(
        dir.path(),
        "ru",
        "main.ftl",
        "sale-heading = Флеш-распродажа\n# the host\nsale-paused = Продавец приостановил продажу\nstock-left = Осталось: { $count } шт.\n",
    );
    let report = check_dir(dir.path());
    assert!(report.is_ok(), "{report}");
    assert!(!report.is_clean(), "{report}");
    let ru = report.locale("ru").expect("ru is reported");
    let found: Vec<(usize, Option<&str>, &str)> = ru
        .glossary
        .iter()
        .map(|f| (f.line, f.message_id.as_deref(), f.text.as_str()))
        .collect();
    assert_eq!(found.len(), 4, "{report}");
    let sale: Vec<_> = found
        .iter()
        .filter(|f| f.1 == Some("sale-heading"))
        .collect();
    assert!(
        sale.iter()
            .all(|f| f.0 == 1 && f.2.contains("[flash-sale]")),
        "{report}"
    );
    assert!(
        sale.iter().any(|f| f.2.contains("\"распродаж\"")),
        "{report}"
    );
    assert!(
        sale.iter().any(|f| f.2.contains("\"флеш-продаж\"")),
        "{report}"
    );
    let host: Vec<_> = found
        .iter()
        .filter(|f| f.1 == Some("sale-paused"))
        .collect();
    assert!(
        host.iter().all(|f| f.0 == 3 && f.2.contains("[host]")),
        "{report}"
    );
    assert!(host.iter().any(|f| f.2.contains("\"продав\"")), "{report}");
    assert!(ru.glossary.iter().all(|f| f.severity == Severity::Warning));
    let text = report.to_string();
    assert!(
        text.contains(
            "ru/main.ftl:3: warning: sale-paused: uses \"продав\" for the glossary term [host]"
        ),
        "{text}"
    );
}

/// The same messages with the glossary's words are clean; the English of a term is found at a
/// word start only ("ghost" is not the host).
#[test]
fn glossary_words_pass() {
    let dir = planted();
    write(
        dir.path(),
        "ru",
        "main.ftl",
        "sale-heading = Флеш-продажа\nsale-paused = Ведущий приостановил продажу\nstock-left = Осталось: { $count } шт.\n",
    );
    let report = check_dir(dir.path());
    assert!(report.is_clean(), "{report}");

    let dir = planted();
    write(
        dir.path(),
        "en",
        "main.ftl",
        &EN.replace("the host", "a ghost"),
    );
    write(
        dir.path(),
        "ru",
        "main.ftl",
        "sale-heading = Флеш-продажа\nsale-paused = Призрак\nstock-left = Осталось: { $count } шт.\n",
    );
    assert!(check_dir(dir.path()).is_clean());
}

/// A locale without a glossary, a glossary lacking a term, a term English does not know and a
/// glossary that does not parse are each reported; the broken one is an error.
#[test]
fn glossary_files_are_checked() {
    let dir = planted();
    write(
        dir.path(),
        "ru",
        "main.ftl",
        "sale-heading = Флеш-продажа\n",
    );
    write(dir.path(), "kk", "main.ftl", "sale-heading = Флеш-сату\n");
    write(
        dir.path(),
        "ru",
        "glossary.toml",
        "[flash-sale]\nuse = [\"флеш-продаж\"]\n[discount]\nuse = [\"скидка\"]\n",
    );
    let report = check_dir(dir.path());
    let ru = report.locale("ru").expect("ru");
    assert!(
        ru.glossary
            .iter()
            .any(|f| f.text.contains("lacks the term [host]")),
        "{report}"
    );
    assert!(
        ru.glossary
            .iter()
            .any(|f| f.text.contains("[discount] is not in the English glossary")),
        "{report}"
    );
    let kk = report.locale("kk").expect("kk");
    assert!(
        kk.glossary
            .iter()
            .any(|f| f.text.contains("has no glossary.toml")),
        "{report}"
    );
    write(
        dir.path(),
        "ru",
        "glossary.toml",
        "[flash-sale]\nuze = [\"x\"]\n",
    );
    let report = check_dir(dir.path());
    assert!(!report.is_ok(), "{report}");
    let error = &report.locale("ru").expect("ru").errors[0];
    assert!(error.file.ends_with("ru/glossary.toml"), "{error}");
}

/// The review record: a message read as it is now counts as reviewed (native or not), one
/// edited since is listed as changed, one no review lists as unreviewed; notes do not make the
/// set unclean. `record_review` writes what the checker reads.
#[test]
fn review_record_lists_unreviewed_and_changed() {
    let dir = tempfile::tempdir().expect("create a temp dir");
    write(dir.path(), "en", "main.ftl", EN);
    let ru = "sale-heading = Флеш-продажа\nsale-paused = Ведущий приостановил продажу\nstock-left = Осталось: { $count } шт.\n";
    write(dir.path(), "ru", "main.ftl", ru);
    let report = check_dir(dir.path());
    let status = &report.locale("ru").expect("ru").review;
    assert_eq!(status.unreviewed().count(), 3, "{report}");
    assert!(report.is_clean(), "notes are not findings: {report}");

    let recorded = record_review(
        dir.path(),
        "ru",
        "Engineer (not native)",
        false,
        "2026-12-01",
        &[],
    )
    .expect("record every message");
    assert_eq!(recorded, 3);
    record_review(
        dir.path(),
        "ru",
        "Native reader",
        true,
        "2026-12-05",
        &["sale-heading".to_owned()],
    )
    .expect("record one message");
    let report = check_dir(dir.path());
    let status = &report.locale("ru").expect("ru").review;
    assert_eq!((status.native, status.non_native), (1, 2));
    assert_eq!(status.reviews.len(), 2);
    assert!(status.notes.is_empty(), "{:?}", status.notes);

    // One message edited, one added: changed and unreviewed, each at its line.
    write(
        dir.path(),
        "ru",
        "main.ftl",
        &ru.replace("Осталось: { $count } шт.", "Ещё { $count } шт."),
    );
    let report = check_dir(dir.path());
    let status = &report.locale("ru").expect("ru").review;
    let changed: Vec<_> = status.changed().collect();
    assert_eq!(changed.len(), 1, "{report}");
    assert_eq!(changed[0].message_id.as_deref(), Some("stock-left"));
    assert_eq!(changed[0].line, 3);
    assert_eq!(changed[0].severity, Severity::Note);
    assert!(
        report
            .to_string()
            .contains("ru/main.ftl:3: note: stock-left: changed since its review by Engineer (not native) on 2026-12-01"),
        "{report}"
    );
    assert_eq!((status.native, status.non_native), (1, 1));

    write(dir.path(), "en", "extra.ftl", "sale-note = Note\n");
    write(dir.path(), "ru", "extra.ftl", "sale-note = Заметка\n");
    let report = check_dir(dir.path());
    let unreviewed: Vec<_> = report
        .locale("ru")
        .expect("ru")
        .review
        .unreviewed()
        .collect();
    assert_eq!(unreviewed.len(), 1, "{report}");
    assert_eq!(unreviewed[0].message_id.as_deref(), Some("sale-note"));
}

/// Recording refuses an unknown message and a bad date, and writes nothing.
#[test]
fn record_review_refuses_bad_input() {
    let dir = tempfile::tempdir().expect("create a temp dir");
    write(dir.path(), "ru", "main.ftl", "a = А\n");
    let unknown = record_review(
        dir.path(),
        "ru",
        "X",
        false,
        "2026-12-01",
        &["b".to_owned()],
    );
    assert!(unknown.is_err());
    assert!(record_review(dir.path(), "ru", "X", false, "1.12.2026", &[]).is_err());
    assert!(record_review(dir.path(), "kk", "X", false, "2026-12-01", &[]).is_err());
    assert!(!dir.path().join("ru/review.toml").exists());
}

/// The hash covers the whole message, variants included, and ignores trailing spaces.
#[test]
fn message_hash_is_stable() {
    assert_eq!(message_hash("a = b"), message_hash("a = b"));
    assert_ne!(message_hash("a = b"), message_hash("a = c"));
    assert_eq!(message_hash("a = b").len(), 16);
}

/// The shipped locales are clean with the glossary on (every locale has one, with every
/// English term), and every locale carries a review record that says whether its reader is a
/// native speaker.
#[test]
fn shipped_locales_have_glossary_and_review() {
    let report = check_embedded();
    assert!(report.is_clean(), "{report}");
    for locale in SUPPORTED_LOCALES {
        let l = report.locale(locale).expect("every locale is reported");
        assert!(l.glossary.is_empty(), "{locale}: {:?}", l.glossary);
        assert!(!l.review.reviews.is_empty(), "{locale} has a review record");
    }
    let disk = check_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../locales"));
    assert!(disk.is_clean(), "{disk}");
    assert_eq!(
        disk.review_notes().count(),
        report.review_notes().count(),
        "the files on disk are the embedded ones"
    );
}
