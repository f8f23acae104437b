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
