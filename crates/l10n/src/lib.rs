//! Locales Silkstream speaks, language negotiation, Fluent message bundles and CLDR money
//! formatting. Pure library: no database, no I/O beyond the embedded locale files (and a
//! translator's directory when asked for with [`L10n::from_dir`]).
//!
//! - [`negotiate`], [`normalize_locale`], [`fallback_chain`], [`default_currency`]: which locale
//!   and currency a buyer gets (this module).
//! - [`L10n`]: the Fluent bundles, built once and shared; renders [`Localized`] text that says
//!   which locale it actually came from ([`render`]).
//! - [`check_dir`] / [`check_embedded`]: the translator's checker ([`check`]), with the
//!   trade-term glossary ([`glossary`]) and the review record ([`review`]).
//! - [`format_money`]: integer minor units to CLDR currency text, errors are [`MoneyError`]
//!   ([`money`]).
//! - [`plural_category`]: CLDR plural rules through ICU4X ([`plural`]).
//!
//! Decisions (uz-Cyrl, zh-TW, money rounding) are written down in `docs/l10n.md`.

pub mod check;
mod cldr_data;
pub mod client;
pub mod glossary;
pub mod money;
pub mod plural;
pub mod render;
pub mod review;

pub use check::{check_dir, check_embedded, CheckReport, Finding, LocaleReport, Severity};
pub use client::{ClientMessages, ClientResource};
pub use money::{
    display_fraction_digits, format_money, minor_unit_exponent, money_format, CurrencyFormat,
    MoneyError, MoneyFormat, MoneyOptions, CURRENCIES,
};
pub use plural::plural_category;
pub use render::{
    country_name, country_names, Arg, Attributes, Countdown, L10n, LoadError, Localized,
    OrderOutcome, RenderOptions,
};
pub use review::{record_review, RecordError, ReviewStatus};

/// Every locale a buyer or host can use, in the order of the design.
pub const SUPPORTED_LOCALES: &[&str] = &[
    "zh-CN", "en", "ru", "kk", "ky", "uz", "tt", "mn", "vi", "th", "id", "ms", "fil", "km", "lo",
    "my",
];

/// The locale used when nothing else matches, and the last link of every fallback chain.
pub const DEFAULT_LOCALE: &str = "en";

/// Normalises a language tag to one of [`SUPPORTED_LOCALES`], or `None` when Silkstream does not
/// speak it. Case-insensitive, `_` accepted for `-`; accepts the common aliases (`tl` → `fil`,
/// `in` → `id`, `zh-Hans` → `zh-CN`, `uz-Latn` → `uz`). Decisions: Uzbek in Cyrillic
/// (`uz-Cyrl`) → `ru` (our `uz` is Latin script; Russian is the Cyrillic language its readers
/// share and the first link of the `uz` chain); Traditional Chinese (`zh-TW`, `zh-HK`, `zh-MO`,
/// `zh-Hant`) → `zh-CN` (readable for most, and closer than English for a Chinese host's show).
/// Unknown trailing subtags are dropped one by one (`ru-KZ` → `ru`, `kk-Cyrl-KZ` → `kk`).
pub fn normalize_locale(tag: &str) -> Option<&'static str> {
    let mut tag = tag.trim().replace('_', "-").to_ascii_lowercase();
    loop {
        if let Some(found) = exact_locale(&tag) {
            return Some(found);
        }
        match tag.rfind('-') {
            Some(cut) => tag.truncate(cut),
            None => return None,
        }
    }
}

/// The supported locale a whole (lower-case) tag names, without dropping subtags.
fn exact_locale(tag: &str) -> Option<&'static str> {
    let canonical = match tag {
        "tl" | "fil-ph" | "tl-ph" => "fil",
        "in" | "id-id" => "id",
        "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" | "zh-sg" | "zh-hans-sg" => "zh-CN",
        "zh-tw" | "zh-hk" | "zh-mo" | "zh-hant" | "zh-hant-tw" | "zh-hant-hk" | "zh-hant-mo" => {
            "zh-CN"
        }
        "uz-latn" | "uz-latn-uz" | "uz-uz" => "uz",
        "uz-cyrl" | "uz-cyrl-uz" => "ru",
        "mn-cyrl" | "mn-mn" | "mn-cyrl-mn" => "mn",
        "my-mm" | "my-mymr" => "my",
        other => other,
    };
    SUPPORTED_LOCALES
        .iter()
        .find(|l| l.eq_ignore_ascii_case(canonical))
        .copied()
}

/// Picks the locale of a response: an explicit choice (`?locale=`) wins when Silkstream speaks
/// it; otherwise the `Accept-Language` ranges in order of q-value (ties keep header order,
/// `q=0` and `*` are skipped, malformed q-values count as 0); otherwise [`DEFAULT_LOCALE`].
pub fn negotiate(explicit: Option<&str>, accept_language: Option<&str>) -> &'static str {
    if let Some(found) = explicit.and_then(normalize_locale) {
        return found;
    }
    let Some(header) = accept_language else {
        return DEFAULT_LOCALE;
    };
    let mut ranges: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let tag = parts.next()?.trim();
            let mut q = 1.0_f32;
            for param in parts {
                if let Some(value) = param
                    .trim()
                    .strip_prefix("q=")
                    .or_else(|| param.trim().strip_prefix("Q="))
                {
                    q = value
                        .trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))
                        .unwrap_or(0.0);
                }
            }
            (q > 0.0 && !tag.is_empty() && tag != "*").then_some((q, tag))
        })
        .collect();
    // A stable sort keeps the header's order among equal q-values.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranges
        .into_iter()
        .find_map(|(_, tag)| normalize_locale(tag))
        .unwrap_or(DEFAULT_LOCALE)
}

/// The locales a message is looked up in, in order, starting with `locale` itself: kk, ky, uz,
/// tt and mn → ru → en; every other locale → en. An unsupported locale gets `["en"]`.
pub fn fallback_chain(locale: &str) -> &'static [&'static str] {
    match normalize_locale(locale) {
        Some("kk") => &["kk", "ru", "en"],
        Some("ky") => &["ky", "ru", "en"],
        Some("uz") => &["uz", "ru", "en"],
        Some("tt") => &["tt", "ru", "en"],
        Some("mn") => &["mn", "ru", "en"],
        Some("zh-CN") => &["zh-CN", "en"],
        Some("ru") => &["ru", "en"],
        Some("vi") => &["vi", "en"],
        Some("th") => &["th", "en"],
        Some("id") => &["id", "en"],
        Some("ms") => &["ms", "en"],
        Some("fil") => &["fil", "en"],
        Some("km") => &["km", "en"],
        Some("lo") => &["lo", "en"],
        Some("my") => &["my", "en"],
        _ => &["en"],
    }
}

/// Markets in the order of the design: (country, currency, locales spoken there).
pub const MARKETS: &[(&str, &str, &[&str])] = &[
    ("KZ", "KZT", &["kk", "ru"]),
    ("KG", "KGS", &["ky", "ru"]),
    ("UZ", "UZS", &["uz", "ru"]),
    ("RU", "RUB", &["ru", "tt"]),
    ("MN", "MNT", &["mn"]),
    ("VN", "VND", &["vi"]),
    ("TH", "THB", &["th"]),
    ("ID", "IDR", &["id"]),
    ("MY", "MYR", &["ms", "en"]),
    ("PH", "PHP", &["fil", "en"]),
    ("KH", "KHR", &["km"]),
    ("LA", "LAK", &["lo"]),
    ("MM", "MMK", &["my"]),
    ("CN", "CNY", &["zh-CN"]),
];

/// The currency a buyer in `locale` sees by default: the currency of the first market (in the
/// design's order) that lists the locale (`kk` and `ru` → KZT, `tt` → RUB), and USD for `en` and
/// for tags Silkstream does not speak.
pub fn default_currency(locale: &str) -> &'static str {
    match normalize_locale(locale) {
        None | Some("en") => "USD",
        Some(found) => MARKETS
            .iter()
            .find(|(_, _, locales)| locales.contains(&found))
            .map_or("USD", |(_, currency, _)| currency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Aliases and case variants land on the canonical tag; unknown tags are refused.
    #[test]
    fn normalizes_aliases() {
        assert_eq!(normalize_locale("ZH-hans"), Some("zh-CN"));
        assert_eq!(normalize_locale("tl"), Some("fil"));
        assert_eq!(normalize_locale("in"), Some("id"));
        assert_eq!(normalize_locale("uz-Latn"), Some("uz"));
        assert_eq!(normalize_locale("kk"), Some("kk"));
        assert_eq!(normalize_locale("xx"), None);
    }

    /// Region and script subtags fall away; the documented script decisions hold.
    #[test]
    fn normalizes_subtags_and_script_decisions() {
        assert_eq!(normalize_locale("ru-KZ"), Some("ru"));
        assert_eq!(normalize_locale("kk_Cyrl_KZ"), Some("kk"));
        assert_eq!(normalize_locale("uz-Cyrl"), Some("ru"));
        assert_eq!(normalize_locale("uz-Cyrl-UZ"), Some("ru"));
        assert_eq!(normalize_locale("uz-Latn-UZ"), Some("uz"));
        assert_eq!(normalize_locale("zh-TW"), Some("zh-CN"));
        assert_eq!(normalize_locale("zh-Hant-HK"), Some("zh-CN"));
        assert_eq!(normalize_locale("fil-PH"), Some("fil"));
        assert_eq!(normalize_locale("en-GB"), Some("en"));
        assert_eq!(normalize_locale(""), None);
        assert_eq!(normalize_locale("de-DE"), None);
    }

    /// An explicit `?locale=` beats Accept-Language; an unknown explicit value is ignored.
    #[test]
    fn explicit_locale_wins() {
        assert_eq!(negotiate(Some("kk"), Some("ru;q=1.0")), "kk");
        assert_eq!(negotiate(Some("klingon"), Some("vi")), "vi");
        assert_eq!(negotiate(None, None), "en");
        assert_eq!(negotiate(Some("tl"), None), "fil");
    }

    /// Accept-Language ranges are taken by q-value, skipping unsupported and q=0 ranges.
    #[test]
    fn accept_language_uses_q_values() {
        assert_eq!(
            negotiate(None, Some("de-DE,de;q=0.9,ru;q=0.8,en;q=0.7")),
            "ru"
        );
        assert_eq!(negotiate(None, Some("en;q=0.5, kk-KZ;q=0.9")), "kk");
        assert_eq!(negotiate(None, Some("ru;q=0, vi")), "vi");
        assert_eq!(negotiate(None, Some("th, lo")), "th");
        assert_eq!(negotiate(None, Some("*, fr;q=0.9")), "en");
        assert_eq!(negotiate(None, Some("ru;q=abc, my")), "my");
        assert_eq!(
            negotiate(None, Some("in-ID;q=0.8, zh-Hans-CN;q=0.9")),
            "zh-CN"
        );
        assert_eq!(negotiate(None, Some("")), "en");
    }

    /// Central Asian locales and Mongolian fall back through Russian; the rest go to English.
    #[test]
    fn fallback_chains_follow_the_design() {
        for locale in ["kk", "ky", "uz", "tt", "mn"] {
            assert_eq!(fallback_chain(locale), &[locale, "ru", "en"]);
        }
        for locale in [
            "zh-CN", "ru", "vi", "th", "id", "ms", "fil", "km", "lo", "my",
        ] {
            assert_eq!(fallback_chain(locale), &[locale, "en"]);
        }
        assert_eq!(fallback_chain("en"), &["en"]);
        assert_eq!(fallback_chain("xx"), &["en"]);
    }

    /// The default currency is that of the first market listing the locale; USD for English.
    #[test]
    fn default_currency_follows_market_order() {
        let expected = [
            ("kk", "KZT"),
            ("ru", "KZT"),
            ("ky", "KGS"),
            ("uz", "UZS"),
            ("tt", "RUB"),
            ("mn", "MNT"),
            ("vi", "VND"),
            ("th", "THB"),
            ("id", "IDR"),
            ("ms", "MYR"),
            ("fil", "PHP"),
            ("km", "KHR"),
            ("lo", "LAK"),
            ("my", "MMK"),
            ("zh-CN", "CNY"),
            ("en", "USD"),
            ("xx", "USD"),
        ];
        for (locale, currency) in expected {
            assert_eq!(default_currency(locale), currency, "{locale}");
        }
    }
}
