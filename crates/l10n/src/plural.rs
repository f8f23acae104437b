//! CLDR cardinal plural rules (ICU4X `icu_plurals`, CLDR 49) for the supported locales, with
//! full CLDR operands, so `"1.5"` and `"1.0"` are told apart from `"1"`. No error type: an
//! unknown locale uses English rules and an unparsable number is `other` (both logged).

use std::sync::OnceLock;

use fixed_decimal::Decimal;
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules, PluralRulesPreferences};

use crate::{normalize_locale, SUPPORTED_LOCALES};

/// Locales where Fluent's own plural rules (intl_pluralrules, CLDR 37), which pick the variant
/// of a `$count ->` selector at run time, disagree with CLDR 49 (ICU4X): Vietnamese gained
/// `one` (0 and 1) in recent CLDR. Plural selectors are refused there by the checker, so no
/// message can depend on the disagreement (Vietnamese does not inflect nouns for number anyway).
pub const FLUENT_PLURAL_MISMATCH: &[&str] = &["vi"];

/// One cardinal rule set per entry of [`SUPPORTED_LOCALES`], in that order.
fn rules() -> &'static [PluralRules] {
    static RULES: OnceLock<Vec<PluralRules>> = OnceLock::new();
    RULES.get_or_init(|| {
        SUPPORTED_LOCALES
            .iter()
            .map(|tag| {
                let locale: Locale = tag
                    .parse()
                    .expect("every supported locale is a valid BCP 47 tag");
                PluralRules::try_new_cardinal(PluralRulesPreferences::from(&locale))
                    .expect("ICU4X compiled data has cardinal rules (or root) for every locale")
            })
            .collect()
    })
}

/// The cardinal rules of a supported locale (English for anything else).
pub(crate) fn rules_for(locale: &str) -> &'static PluralRules {
    let found = normalize_locale(locale).unwrap_or_else(|| {
        tracing::debug!(locale, "plural rules: unsupported locale, using en");
        "en"
    });
    let index = SUPPORTED_LOCALES
        .iter()
        .position(|l| *l == found)
        .expect("normalize_locale returns a supported locale");
    &rules()[index]
}

/// The CLDR name of a plural category.
pub(crate) fn category_name(category: PluralCategory) -> &'static str {
    match category {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

/// The categories a locale distinguishes (always including `other`), by CLDR name.
pub fn locale_categories(locale: &str) -> Vec<&'static str> {
    rules_for(locale).categories().map(category_name).collect()
}

/// The CLDR cardinal plural category (`"zero"`, `"one"`, `"two"`, `"few"`, `"many"` or
/// `"other"`) of a number written as a plain decimal (`"21"`, `"1.5"`, `"-3"`), in `locale`.
/// Visible fraction digits count (`"1.0"` is `other` in English). An unparsable number is
/// `other`.
pub fn plural_category(locale: &str, number: &str) -> &'static str {
    match number.trim().parse::<Decimal>() {
        Ok(decimal) => category_name(rules_for(locale).category_for(&decimal)),
        Err(_) => {
            tracing::debug!(number, "plural_category: not a decimal number, using other");
            "other"
        }
    }
}

/// The CLDR cardinal plural category of a whole count in `locale`.
pub fn plural_category_of_count(locale: &str, count: u64) -> &'static str {
    category_name(rules_for(locale).category_for(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Russian distinguishes one/few/many for whole numbers and other for fractions.
    #[test]
    fn russian_categories() {
        assert_eq!(plural_category("ru", "1"), "one");
        assert_eq!(plural_category("ru", "3"), "few");
        assert_eq!(plural_category("ru", "5"), "many");
        assert_eq!(plural_category("ru", "11"), "many");
        assert_eq!(plural_category("ru", "21"), "one");
        assert_eq!(plural_category("ru", "1.5"), "other");
        assert_eq!(plural_category_of_count("ru", 22), "few");
    }

    /// English uses visible fraction digits: 1 is one, 1.0 and 1.5 are other.
    #[test]
    fn english_fraction_operands() {
        assert_eq!(plural_category("en", "1"), "one");
        assert_eq!(plural_category("en", "1.0"), "other");
        assert_eq!(plural_category("en", "1.5"), "other");
        assert_eq!(plural_category("en-GB", "1"), "one");
    }

    /// Garbage numbers are `other`; unknown locales use English rules.
    #[test]
    fn bad_input_is_other() {
        assert_eq!(plural_category("ru", "abc"), "other");
        assert_eq!(plural_category("xx", "1"), "one");
    }

    /// Each locale lists `other`; Russian lists one, few, many; Chinese only other.
    #[test]
    fn categories_per_locale() {
        assert_eq!(locale_categories("ru"), vec!["one", "few", "many", "other"]);
        assert_eq!(locale_categories("zh-CN"), vec!["other"]);
        for locale in SUPPORTED_LOCALES {
            assert!(locale_categories(locale).contains(&"other"), "{locale}");
        }
    }
}
