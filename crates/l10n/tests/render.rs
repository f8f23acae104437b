//! Rendering through the embedded bundles: attribute lines, plurals, fallbacks, money in
//! messages, bidi isolation and sharing across threads.

use std::sync::Arc;

use silkstream_l10n::plural::{locale_categories, FLUENT_PLURAL_MISMATCH};
use silkstream_l10n::render::OrderOutcome;
use silkstream_l10n::{
    country_name, format_money, plural_category, Arg, Attributes, Countdown, L10n, Localized,
    MoneyOptions, RenderOptions, SUPPORTED_LOCALES,
};

fn l10n() -> L10n {
    L10n::embedded().expect("the shipped locales load")
}

fn texts(lines: &[Localized]) -> Vec<&str> {
    lines.iter().map(|l| l.text.as_str()).collect()
}

fn full_attributes() -> Attributes {
    Attributes {
        material: Some("silk".into()),
        flavour: Some("jasmine".into()),
        size: Some("XL".into()),
        storage: Some("dry place".into()),
        net_weight_g: Some(1500),
        volume_ml: Some(330),
        shelf_life_days: Some(180),
        origin_country: Some("cn".into()),
    }
}

/// English attribute lines come in the documented order with units and the country name.
#[test]
fn english_attribute_lines() {
    let lines = l10n().attribute_lines("en", &full_attributes());
    assert_eq!(
        texts(&lines),
        [
            "Material: silk",
            "Flavour: jasmine",
            "Size: XL",
            "Net weight: 1.5 kg",
            "Volume: 330 ml",
            "Shelf life: 6 months",
            "Storage: dry place",
            "Origin: China",
        ]
    );
    assert!(lines.iter().all(|l| l.locale == "en"));
}

/// Russian uses its decimal comma, plural forms of days and the Russian country name.
#[test]
fn russian_attribute_lines_and_plurals() {
    let l10n = l10n();
    let attributes = Attributes {
        net_weight_g: Some(1250),
        shelf_life_days: Some(21),
        origin_country: Some("KZ".into()),
        ..Default::default()
    };
    let lines = l10n.attribute_lines("ru", &attributes);
    assert_eq!(
        texts(&lines),
        [
            "Масса нетто: 1,25 кг",
            "Срок годности: 21 день",
            "Страна происхождения: Казахстан"
        ]
    );
    let days = |n| {
        l10n.attribute_lines(
            "ru",
            &Attributes {
                shelf_life_days: Some(n),
                ..Default::default()
            },
        )[0]
        .text
        .clone()
    };
    assert_eq!(days(3), "Срок годности: 3 дня");
    assert_eq!(days(11), "Срок годности: 11 дней");
    assert_eq!(days(90), "Срок годности: 3 месяца");
    assert_eq!(days(150), "Срок годности: 5 месяцев");
}

/// Empty attributes render no lines; an unknown country code is shown as the code.
#[test]
fn empty_attributes_and_unknown_country() {
    let l10n = l10n();
    assert!(l10n
        .attribute_lines("vi", &Attributes::default())
        .is_empty());
    let line = &l10n.attribute_lines(
        "vi",
        &Attributes {
            origin_country: Some("QQ".into()),
            ..Default::default()
        },
    )[0];
    assert_eq!(line.text, "Xuất xứ: QQ");
    assert_eq!(country_name("kk", "CN").text, "Қытай");
}

/// Every locale renders every attribute line from its own bundle (no fallback).
#[test]
fn every_locale_has_its_own_attribute_lines() {
    let l10n = l10n();
    for locale in SUPPORTED_LOCALES {
        let lines = l10n.attribute_lines(locale, &full_attributes());
        assert_eq!(lines.len(), 8, "{locale}");
        for line in &lines {
            assert_eq!(line.locale, *locale, "{locale}: {}", line.text);
            assert!(!line.text.contains('{'), "{locale}: {}", line.text);
        }
    }
}

/// Stock and countdown lines pick plural forms from the real count and the right unit.
#[test]
fn stock_and_countdown_lines() {
    let l10n = l10n();
    assert_eq!(l10n.stock_line("en", 3).text, "3 left");
    assert_eq!(l10n.stock_line("en", 1).text, "Only 1 left");
    assert_eq!(l10n.stock_line("en", 0).text, "Sold out");
    // "Осталось 5 товаров" read as five different products: units are counted in "шт.".
    assert_eq!(l10n.stock_line("ru", 2).text, "Осталось: 2 шт.");
    assert_eq!(l10n.stock_line("ru", 5).text, "Осталось: 5 шт.");
    assert_eq!(
        l10n.countdown("en", Countdown::Ends, 120).text,
        "Ends in 2 minutes"
    );
    assert_eq!(
        l10n.countdown("en", Countdown::Starts, 30).text,
        "Starts in 30 seconds"
    );
    assert_eq!(
        l10n.countdown("en", Countdown::Starts, 61).text,
        "Starts in 2 minutes"
    );
    assert_eq!(
        l10n.countdown("en", Countdown::Ends, 3600).text,
        "Ends in 1 hour"
    );
    assert_eq!(
        l10n.countdown("ru", Countdown::Ends, 300).text,
        "Закончится через 5 минут"
    );
    assert_eq!(
        l10n.countdown("zh-CN", Countdown::Starts, 30).text,
        "30 秒后开始"
    );
}

/// The buyer feed line and order messages carry their arguments; money arrives formatted.
#[test]
fn feed_and_order_messages() {
    let l10n = l10n();
    assert_eq!(
        l10n.buyer_feed_line("en", "A***a", "Almaty", 2).text,
        "A***a from Almaty bought 2"
    );
    assert_eq!(
        l10n.buyer_feed_line("ru", "А***а", "Алматы", 2).text,
        "Покупка: А***а (Алматы), 2 шт."
    );
    assert_eq!(
        l10n.order_message(
            "ru",
            &OrderOutcome::Confirmed {
                quantity: 2,
                total: "1\u{a0}234,50\u{a0}₽".to_owned()
            }
        )
        .text,
        "Заказ подтверждён: 2 шт. на сумму 1\u{a0}234,50\u{a0}₽"
    );
    let total =
        format_money("kk", "KZT", 1_250_000, &MoneyOptions::default()).expect("kk KZT formats");
    let confirmed = l10n.order_message("kk", &OrderOutcome::Confirmed { quantity: 2, total });
    assert_eq!(
        confirmed.text,
        "Тапсырыс расталды: 2 дана, жалпы сомасы 12\u{a0}500,00\u{a0}₸"
    );
    assert_eq!(
        l10n.order_message("en", &OrderOutcome::LimitReached { limit: 3 })
            .text,
        "You have reached the limit of 3 per buyer."
    );
    for outcome in [
        OrderOutcome::SoldOut,
        OrderOutcome::NotLive,
        OrderOutcome::NotStarted,
        OrderOutcome::SaleEnded,
        OrderOutcome::Paused,
        OrderOutcome::InvalidQuantity,
    ] {
        for locale in SUPPORTED_LOCALES {
            let message = l10n.order_message(locale, &outcome);
            assert_eq!(message.locale, *locale, "{outcome:?}");
            assert!(!message.text.starts_with("order-"), "{locale} {outcome:?}");
        }
    }
}

/// A feed line without a city (older rows, blank or only spaces) is the city-less message in
/// every locale: no "from" before nothing, no doubled space, nothing that stands for a city.
#[test]
fn feed_line_without_a_city() {
    let l10n = l10n();
    assert_eq!(
        l10n.buyer_feed_line("en", "A***a", "", 2).text,
        "A***a bought 2"
    );
    assert_eq!(
        l10n.buyer_feed_line("ru", "А***а", "  ", 2).text,
        "Покупка: А***а, 2 шт."
    );
    for locale in SUPPORTED_LOCALES {
        let with = l10n.buyer_feed_line(locale, "A***a", "Qwxyz", 3);
        let without = l10n.buyer_feed_line(locale, "A***a", "", 3);
        assert_eq!(without.locale, *locale, "{locale}: no fallback");
        assert!(with.text.contains("Qwxyz"), "{locale}: {}", with.text);
        assert!(
            without.text.contains("A***a") && without.text.contains('3'),
            "{locale}: {}",
            without.text
        );
        assert!(
            !without.text.contains("  ") && !without.text.contains("()"),
            "{locale}: {}",
            without.text
        );
        // What the line with a city adds around the city ("from", "из г.", "мекен") is gone.
        let around = with.text.replace("Qwxyz", "");
        assert_ne!(around.trim(), without.text.trim(), "{locale}");
    }
}

/// The price line embeds the CLDR-formatted amount; an unknown currency is an error.
#[test]
fn price_line() {
    let l10n = l10n();
    assert_eq!(
        l10n.price_line("ru", "RUB", 123_450)
            .expect("RUB formats")
            .text,
        "Цена: 1\u{a0}234,50\u{a0}₽"
    );
    assert_eq!(
        l10n.price_line("vi", "VND", 250_000)
            .expect("VND formats")
            .text,
        "Giá: 250.000\u{a0}₫"
    );
    // Every ISO 4217 currency, not only the fifteen of the demo; a code that is none is refused.
    assert_eq!(
        l10n.price_line("ru", "EUR", 2_000)
            .expect("EUR formats")
            .text,
        "Цена: 20,00\u{a0}€"
    );
    assert!(l10n.price_line("en", "XYZ", 1).is_err());
}

/// A message missing in Kazakh falls back to Russian, then to English, and says so.
#[test]
fn fallback_reports_the_source_locale() {
    let dir = tempfile::tempdir().expect("create a temp dir");
    for (locale, text) in [
        ("en", "a = A in English\nb = B in English\n"),
        ("ru", "a = A по-русски\n"),
        ("kk", ""),
    ] {
        std::fs::create_dir_all(dir.path().join(locale)).expect("create a locale dir");
        std::fs::write(dir.path().join(locale).join("main.ftl"), text)
            .expect("write a locale file");
    }
    let l10n = L10n::from_dir(dir.path()).expect("a dir with warnings loads");
    assert_eq!(
        l10n.message("kk", "a", &[]),
        Localized {
            text: "A по-русски".into(),
            locale: "ru"
        }
    );
    assert_eq!(
        l10n.message("kk", "b", &[]),
        Localized {
            text: "B in English".into(),
            locale: "en"
        }
    );
    assert_eq!(
        l10n.message("vi", "a", &[]),
        Localized {
            text: "A in English".into(),
            locale: "en"
        }
    );
    assert_eq!(
        l10n.message("kk", "nope", &[]),
        Localized {
            text: "nope".into(),
            locale: "en"
        }
    );
}

/// Plain text has no bidi marks; the HTML option wraps arguments in FSI … PDI.
#[test]
fn bidi_isolation_is_optional() {
    let args = [("value", Arg::from("silk"))];
    let plain = l10n().message("en", "attr-material", &args);
    assert_eq!(plain.text, "Material: silk");
    let html = L10n::embedded_with(RenderOptions {
        bidi_isolation: true,
    })
    .expect("the shipped locales load");
    assert_eq!(
        html.message("en", "attr-material", &args).text,
        "Material: \u{2068}silk\u{2069}"
    );
}

/// Fluent's plural selection (its own CLDR 37 rules) agrees with ICU4X's CLDR 49 rules for
/// counts 0..=1000 in every locale, for the variants the checker lets a locale have.
#[test]
fn fluent_selection_agrees_with_cldr() {
    let dir = tempfile::tempdir().expect("create a temp dir");
    for locale in SUPPORTED_LOCALES {
        if FLUENT_PLURAL_MISMATCH.contains(locale) {
            std::fs::create_dir_all(dir.path().join(locale)).expect("create a locale dir");
            std::fs::write(
                dir.path().join(locale).join("probe.ftl"),
                "probe = { $n }\n",
            )
            .expect("write probe");
            continue;
        }
        let mut probe = String::from("probe = { $n ->\n");
        for category in locale_categories(locale) {
            let default = if category == "other" { "*" } else { " " };
            probe.push_str(&format!("   {default}[{category}] {category}\n"));
        }
        probe.push_str("}\n");
        std::fs::create_dir_all(dir.path().join(locale)).expect("create a locale dir");
        std::fs::write(dir.path().join(locale).join("probe.ftl"), probe).expect("write probe");
    }
    let report = silkstream_l10n::check_dir(dir.path());
    assert!(report.is_clean(), "{report}");
    let l10n = L10n::from_dir(dir.path()).expect("the probe set loads");
    for locale in SUPPORTED_LOCALES
        .iter()
        .filter(|l| !FLUENT_PLURAL_MISMATCH.contains(l))
    {
        for n in 0_u32..=1000 {
            let rendered = l10n.message(locale, "probe", &[("n", n.into())]);
            assert_eq!(
                rendered.text,
                plural_category(locale, &n.to_string()),
                "{locale} {n}"
            );
        }
    }
}

/// Vietnamese is the one known disagreement: CLDR 49 says `one` for 1, Fluent's rules say
/// `other`, so the checker refuses plural selectors in Vietnamese.
#[test]
fn vietnamese_plural_selectors_are_refused() {
    assert_eq!(FLUENT_PLURAL_MISMATCH, ["vi"]);
    assert_eq!(plural_category("vi", "1"), "one");
    let dir = tempfile::tempdir().expect("create a temp dir");
    for (locale, text) in [
        ("en", "n = { $n ->\n [one] one\n *[other] other\n}\n"),
        ("vi", "n = { $n ->\n [one] một\n *[other] nhiều\n}\n"),
    ] {
        std::fs::create_dir_all(dir.path().join(locale)).expect("create a locale dir");
        std::fs::write(dir.path().join(locale).join("main.ftl"), text)
            .expect("write a locale file");
    }
    let report = silkstream_l10n::check_dir(dir.path());
    let vi = report.locale("vi").expect("vi is reported");
    assert_eq!(vi.errors.len(), 1, "{report}");
    assert!(vi.errors[0].text.contains("not allowed in vi"), "{report}");
}

/// One `L10n` is shared by threads that render concurrently and get the same text.
#[test]
fn shared_across_threads() {
    let l10n = Arc::new(l10n());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let l10n = Arc::clone(&l10n);
            std::thread::spawn(move || l10n.countdown("ru", Countdown::Ends, 21 + i).text)
        })
        .collect();
    let lines: Vec<String> = handles
        .into_iter()
        .map(|h| h.join().expect("thread renders"))
        .collect();
    assert_eq!(
        lines,
        [
            "Закончится через 21 секунду",
            "Закончится через 22 секунды",
            "Закончится через 23 секунды",
            "Закончится через 24 секунды"
        ]
    );
}
