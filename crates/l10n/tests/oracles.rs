//! Compares money formatting and plural categories with the golden JSON written by babel
//! (`tests/oracles/make_golden.py`, babel 2.19.0, CLDR 49 — the CLDR release of ICU4X 2.4).
//! The comparison is exact; known differences would be listed in `EXCEPTIONS` with their CLDR
//! reference (there are none today).

use serde_json::Value;
use silkstream_l10n::{format_money, plural_category, MoneyOptions, CURRENCIES, SUPPORTED_LOCALES};

/// Cases where ICU4X and babel legitimately differ: (locale, currency, minor units, why).
const EXCEPTIONS: &[(&str, &str, i64, &str)] = &[];

fn golden(name: &str) -> Value {
    let path = format!("{}/../../tests/oracles/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the golden file is committed");
    serde_json::from_str(&text).expect("the golden file is JSON")
}

fn cases(doc: &Value) -> &Vec<Value> {
    doc["cases"]
        .as_array()
        .expect("golden files have a cases array")
}

/// Every locale × currency × amount formats exactly as babel does.
#[test]
fn money_matches_babel() {
    let doc = golden("money.json");
    let mut mismatches = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for case in cases(&doc) {
        let locale = case["locale"].as_str().expect("locale is a string");
        let currency = case["currency"].as_str().expect("currency is a string");
        let minor = case["minor_units"]
            .as_i64()
            .expect("minor_units is an integer");
        let expected = case["expected"].as_str().expect("expected is a string");
        seen.insert((locale.to_owned(), currency.to_owned()));
        if EXCEPTIONS
            .iter()
            .any(|(l, c, m, _)| *l == locale && *c == currency && *m == minor)
        {
            continue;
        }
        let actual = format_money(locale, currency, minor, &MoneyOptions::default())
            .expect("supported locale and currency");
        if actual != expected {
            mismatches.push(format!(
                "{locale} {currency} {minor}: ours {actual:?}, babel {expected:?}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(
        seen.len(),
        SUPPORTED_LOCALES.len() * CURRENCIES.len(),
        "golden covers every locale × currency"
    );
}

/// Every other currency CLDR knows that is an ISO 4217 currency formats in every locale as babel
/// formats it (`money_iso.json`: 20 and -1234567 major units).
#[test]
fn every_iso_currency_matches_babel() {
    let doc = golden("money_iso.json");
    let locales = doc["locales"].as_object().expect("locales");
    assert_eq!(locales.len(), SUPPORTED_LOCALES.len());
    let mut mismatches = Vec::new();
    let mut checked = std::collections::BTreeSet::new();
    for (locale, currencies) in locales {
        for (currency, expected) in currencies.as_object().expect("currencies") {
            // CLDR also knows withdrawn currencies; ISO 4217's current list is what we format.
            let Some(exponent) = silkstream_l10n::minor_unit_exponent(currency) else {
                continue;
            };
            checked.insert(currency.clone());
            let unit = 10_i64.pow(exponent);
            for (major, expected) in [20, -1_234_567].into_iter().zip(
                expected
                    .as_array()
                    .expect("two amounts")
                    .iter()
                    .map(|e| e.as_str().expect("text")),
            ) {
                let actual = format_money(locale, currency, major * unit, &MoneyOptions::default())
                    .expect("an ISO 4217 currency formats");
                if actual != expected {
                    mismatches.push(format!(
                        "{locale} {currency} {major}: ours {actual:?}, babel {expected:?}"
                    ));
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    for common in [
        "EUR", "GBP", "JPY", "CHF", "INR", "TRY", "AED", "KRW", "BHD", "KWD",
    ] {
        assert!(checked.contains(common), "{common} is covered");
    }
    assert!(
        checked.len() > 140,
        "{} ISO currencies checked",
        checked.len()
    );
}

/// Every locale gives the same plural category as babel for integers and decimals.
#[test]
fn plurals_match_babel() {
    let doc = golden("plurals.json");
    let mut mismatches = Vec::new();
    for case in cases(&doc) {
        let locale = case["locale"].as_str().expect("locale is a string");
        let number = case["number"].as_str().expect("number is a string");
        let expected = case["expected"].as_str().expect("expected is a string");
        let actual = plural_category(locale, number);
        if actual != expected {
            mismatches.push(format!(
                "{locale} {number}: ours {actual}, babel {expected}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(cases(&doc).len(), SUPPORTED_LOCALES.len() * 12);
}
