//! Money as integer minor units (ISO 4217) formatted per locale with CLDR data. Errors are
//! [`MoneyError`].
//!
//! Sources: number symbols, grouping and digits come from ICU4X (`icu_decimal`, CLDR 49); the
//! standard currency pattern of each locale, the currency symbols and CLDR fraction digits come
//! from `cldr_data.rs`, generated from babel 2.19.0 (CLDR 49) by
//! `tests/oracles/gen_cldr_tables.py`. Rules:
//! - Every ISO 4217 currency is formatted, not only the fifteen Silkstream prices in: symbols and
//!   CLDR digits of the others are in `cldr_data.rs` too (where they differ from the code and 2).
//! - ISO exponent: VND 0, every other supported currency 2, any other currency ISO 4217's
//!   ([`minor_unit_exponent`]).
//! - Shown fraction digits: CLDR's (VND, LAK, MMK, IDR: 0), except UZS and MNT shown with their
//!   CLDR cash digits, 0 ([`display_fraction_digits`]).
//! - Fewer digits shown than carried: round half to even on the absolute value, as babel does
//!   (UZS 2.50 → 2, 3.50 → 4); the sign comes from the amount before rounding.
//! - Latin digits unless [`MoneyOptions::native_digits`] asks for the locale's own (my, th, lo,
//!   km). CLDR currency spacing is not applied (babel does not apply it either).

use std::sync::OnceLock;

use fixed_decimal::{Decimal, SignedRoundingMode, UnsignedRoundingMode};
use icu_decimal::{DecimalFormatter, DecimalFormatterPreferences};
use icu_locale_core::Locale;

use crate::cldr_data::{CLDR_FRACTION_DIGITS, CURRENCY_PATTERNS, CURRENCY_SYMBOLS};
use crate::{normalize_locale, SUPPORTED_LOCALES};

/// Every currency Silkstream prices in, ISO 4217 codes.
pub const CURRENCIES: &[&str] = &[
    "CNY", "USD", "KZT", "KGS", "UZS", "RUB", "MNT", "VND", "THB", "IDR", "MYR", "PHP", "KHR",
    "LAK", "MMK",
];

/// Why an amount could not be formatted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The code is not an ISO 4217 currency with a minor unit (becomes a 422 at the API).
    #[error("unsupported currency {0:?}")]
    UnsupportedCurrency(String),
    /// The locale is not one of the supported locales (becomes a 422 at the API).
    #[error("unsupported locale {0:?}")]
    UnsupportedLocale(String),
}

/// How to format an amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MoneyOptions {
    /// Use the locale's native digits where it has them (Burmese ၁၂၃, Thai, Lao, Khmer) instead
    /// of Latin digits.
    pub native_digits: bool,
}

/// The ISO 4217 minor-unit exponent of a currency: 0 for VND, 2 for every other one
/// Silkstream prices in, and ISO 4217's for any other active currency (EUR 2, JPY 0, BHD 3);
/// `None` for a code that is not an ISO 4217 currency with a minor unit.
pub fn minor_unit_exponent(currency: &str) -> Option<u32> {
    match currency {
        "VND" => Some(0),
        c if CURRENCIES.contains(&c) => Some(2),
        c => iso_currency::Currency::from_code(c)
            .and_then(|c| c.exponent())
            .map(u32::from),
    }
}

/// Fraction digits shown for a currency: CLDR's default digits (2 where CLDR names none), except
/// UZS and MNT, shown with their CLDR cash digits (0).
pub fn display_fraction_digits(currency: &str) -> u32 {
    if matches!(currency, "UZS" | "MNT") {
        return 0;
    }
    CLDR_FRACTION_DIGITS
        .iter()
        .find(|(code, _)| *code == currency)
        .map_or(2, |(_, digits)| *digits)
}

/// The native numbering system of a locale, where CLDR has one other than Latin.
fn native_numbering(locale: &str) -> Option<&'static str> {
    match locale {
        "my" => Some("mymr"),
        "th" => Some("thai"),
        "lo" => Some("laoo"),
        "km" => Some("khmr"),
        _ => None,
    }
}

/// Decimal formatters per supported locale: (Latin digits, native digits if any).
pub(crate) struct NumberFormatters {
    latin: Vec<DecimalFormatter>,
    native: Vec<Option<DecimalFormatter>>,
}

fn formatter(tag: &str, numbering: &str) -> DecimalFormatter {
    let locale: Locale = format!("{tag}-u-nu-{numbering}")
        .parse()
        .expect("a supported locale with a numbering system is a valid BCP 47 tag");
    DecimalFormatter::try_new(
        DecimalFormatterPreferences::from(&locale),
        Default::default(),
    )
    .expect("ICU4X compiled data has decimal symbols for every supported locale")
}

pub(crate) fn number_formatters() -> &'static NumberFormatters {
    static FORMATTERS: OnceLock<NumberFormatters> = OnceLock::new();
    FORMATTERS.get_or_init(|| NumberFormatters {
        latin: SUPPORTED_LOCALES
            .iter()
            .map(|tag| formatter(tag, "latn"))
            .collect(),
        native: SUPPORTED_LOCALES
            .iter()
            .map(|tag| native_numbering(tag).map(|nu| formatter(tag, nu)))
            .collect(),
    })
}

fn locale_index(locale: &str) -> Result<(&'static str, usize), MoneyError> {
    let found =
        normalize_locale(locale).ok_or_else(|| MoneyError::UnsupportedLocale(locale.to_owned()))?;
    let index = SUPPORTED_LOCALES
        .iter()
        .position(|l| *l == found)
        .expect("normalize_locale returns a supported locale");
    Ok((found, index))
}

/// Formats a plain decimal (no currency) with the locale's separators and Latin digits, e.g.
/// `1,5` in Russian; used for weights and volumes.
pub(crate) fn format_decimal(locale: &str, value: &Decimal) -> String {
    let index = locale_index(locale).map_or(1, |(_, i)| i);
    number_formatters().latin[index].format_to_string(value)
}

/// Formats `minor_units` of `currency` for `locale` with the locale's standard CLDR currency
/// pattern and symbol, e.g. `format_money("ru", "RUB", 123450, &Default::default())` →
/// `"1 234,50 ₽"` (no-break spaces). See the module docs for digits and rounding.
pub fn format_money(
    locale: &str,
    currency: &str,
    minor_units: i64,
    opts: &MoneyOptions,
) -> Result<String, MoneyError> {
    let (tag, index) = locale_index(locale)?;
    let exponent = minor_unit_exponent(currency)
        .ok_or_else(|| MoneyError::UnsupportedCurrency(currency.to_owned()))?;
    let shown = display_fraction_digits(currency);
    let mut amount = Decimal::from(minor_units.unsigned_abs());
    amount.multiply_pow10(-(exponent as i16));
    amount.round_with_mode(
        -(shown as i16),
        SignedRoundingMode::Unsigned(UnsignedRoundingMode::HalfEven),
    );
    amount.pad_end(-(shown as i16));
    let formatters = number_formatters();
    let number_formatter = match (opts.native_digits, &formatters.native[index]) {
        (true, Some(native)) => native,
        _ => &formatters.latin[index],
    };
    let number = number_formatter.format_to_string(&amount);
    let pattern = CURRENCY_PATTERNS
        .iter()
        .find(|(l, _)| *l == tag)
        .map(|(_, p)| p)
        .expect("cldr_data has a currency pattern for every supported locale");
    let symbol = CURRENCY_SYMBOLS
        .iter()
        .find(|(l, _)| *l == tag)
        .and_then(|(_, symbols)| symbols.iter().find(|(c, _)| *c == currency))
        .map_or(currency, |(_, s)| s);
    let (prefix, suffix) = if minor_units < 0 {
        (pattern[2], pattern[3])
    } else {
        (pattern[0], pattern[1])
    };
    let mut out = String::with_capacity(prefix.len() + number.len() + suffix.len() + symbol.len());
    push_with_symbol(&mut out, prefix, symbol);
    out.push_str(&number);
    push_with_symbol(&mut out, suffix, symbol);
    Ok(out)
}

fn push_with_symbol(out: &mut String, affix: &str, symbol: &str) {
    for c in affix.chars() {
        if c == '¤' {
            out.push_str(symbol);
        } else {
            out.push(c);
        }
    }
}

/// How a client formats money in one locale exactly as [`format_money`] does (Latin digits):
/// the number symbols and grouping of the locale's ICU4X formatter, its CLDR currency pattern
/// and, for every ISO 4217 currency with a minor unit, its symbol, exponent and shown digits.
/// Served to the pages beside their messages (`GET /ui/l10n/{locale}`, `money`).
///
/// The algorithm, for `minor` units of currency `c` (see `crates/server/web/assets/money.js`):
/// round `|minor|` / 10^`exponent` half to even to `digits` fraction digits; split the integer
/// digits into groups of `grouping[0]` from the right, then of `grouping[1]`, joined by `group`,
/// but only when there are at least `grouping[0] + min_grouping` of them (no grouping when
/// `grouping[0]` is 0); add `decimal` and the fraction digits when `digits` > 0; surround with
/// `negative` when `minor` < 0, else `positive` (prefix, suffix), each `¤` replaced by `symbol`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MoneyFormat {
    /// The locale, one of [`SUPPORTED_LOCALES`].
    pub locale: &'static str,
    /// The decimal separator.
    pub decimal: String,
    /// The grouping separator (empty when the locale does not group).
    pub group: String,
    /// Digits in the first group from the right, then in each further one (0: no grouping).
    pub grouping: [u32; 2],
    /// Grouping starts when the integer part has at least `grouping[0] + min_grouping` digits.
    pub min_grouping: u32,
    /// Prefix and suffix of a positive amount (or zero); `¤` stands for the symbol.
    pub positive: [&'static str; 2],
    /// Prefix and suffix of a negative amount (the minus sign included).
    pub negative: [&'static str; 2],
    /// Every ISO 4217 currency with a minor unit, by code.
    pub currencies: std::collections::BTreeMap<&'static str, CurrencyFormat>,
}

/// One currency in one locale, see [`MoneyFormat`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CurrencyFormat {
    /// The locale's CLDR symbol (the code where CLDR has none).
    pub symbol: &'static str,
    /// [`minor_unit_exponent`].
    pub exponent: u32,
    /// [`display_fraction_digits`].
    pub digits: u32,
}

/// Every ISO 4217 currency with a minor unit: every code [`minor_unit_exponent`] accepts.
fn known_currencies() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = CURRENCIES.to_vec();
    let letters = b'A'..=b'Z';
    for a in letters.clone() {
        for b in letters.clone() {
            for c in letters.clone() {
                let code = [a, b, c];
                let code = std::str::from_utf8(&code).expect("ASCII letters");
                if let Some(currency) = iso_currency::Currency::from_code(code) {
                    let code = currency.code();
                    if !out.contains(&code) && minor_unit_exponent(code).is_some() {
                        out.push(code);
                    }
                }
            }
        }
    }
    out
}

/// The number symbols of a Latin-digit formatter, read back from what it prints (ICU4X has no
/// accessor for them): (decimal, group, grouping, min_grouping).
fn number_symbols(formatter: &DecimalFormatter) -> (String, String, [u32; 2], u32) {
    let print = |text: &str| {
        let value: Decimal = text.parse().expect("a valid decimal literal");
        formatter.format_to_string(&value)
    };
    let half = print("0.5");
    let decimal = half
        .strip_prefix('0')
        .and_then(|s| s.strip_suffix('5'))
        .unwrap_or(".")
        .to_owned();
    let big = print("1234567890");
    let mut runs: Vec<(bool, String)> = Vec::new();
    for ch in big.chars() {
        let digit = ch.is_ascii_digit();
        match runs.last_mut() {
            Some((d, run)) if *d == digit => run.push(ch),
            _ => runs.push((digit, ch.to_string())),
        }
    }
    let groups: Vec<u32> = runs
        .iter()
        .filter(|(d, _)| *d)
        .map(|(_, r)| r.len() as u32)
        .collect();
    let group = runs
        .iter()
        .find(|(d, _)| !*d)
        .map(|(_, r)| r.clone())
        .unwrap_or_default();
    if group.is_empty() || groups.len() < 2 {
        return (decimal, String::new(), [0, 0], 1);
    }
    let primary = groups[groups.len() - 1];
    let secondary = if groups.len() > 2 {
        groups[groups.len() - 2]
    } else {
        primary
    };
    let min_grouping = (1..=4)
        .find(|extra| {
            print(&format!("1{}", "0".repeat((primary + extra - 1) as usize)))
                .contains(group.as_str())
        })
        .unwrap_or(1);
    (decimal, group, [primary, secondary], min_grouping)
}

/// What a client needs to format money in `locale` (any tag [`normalize_locale`] accepts)
/// exactly as [`format_money`] does with Latin digits; `None` for a locale Silkstream does not
/// speak. Built once per locale.
pub fn money_format(locale: &str) -> Option<&'static MoneyFormat> {
    static FORMATS: OnceLock<Vec<MoneyFormat>> = OnceLock::new();
    let (_, index) = locale_index(locale).ok()?;
    let formats = FORMATS.get_or_init(|| {
        let currencies = known_currencies();
        SUPPORTED_LOCALES
            .iter()
            .enumerate()
            .map(|(i, tag)| {
                let (decimal, group, grouping, min_grouping) =
                    number_symbols(&number_formatters().latin[i]);
                let pattern = CURRENCY_PATTERNS
                    .iter()
                    .find(|(l, _)| l == tag)
                    .map(|(_, p)| p)
                    .expect("cldr_data has a currency pattern for every supported locale");
                let symbols = CURRENCY_SYMBOLS
                    .iter()
                    .find(|(l, _)| l == tag)
                    .map_or(&[][..], |(_, s)| *s);
                let currencies = currencies
                    .iter()
                    .filter_map(|code| {
                        let exponent = minor_unit_exponent(code)?;
                        let symbol = symbols
                            .iter()
                            .find(|(c, _)| c == code)
                            .map_or(*code, |(_, s)| *s);
                        Some((
                            *code,
                            CurrencyFormat {
                                symbol,
                                exponent,
                                digits: display_fraction_digits(code),
                            },
                        ))
                    })
                    .collect();
                MoneyFormat {
                    locale: tag,
                    decimal,
                    group,
                    grouping,
                    min_grouping,
                    positive: [pattern[0], pattern[1]],
                    negative: [pattern[2], pattern[3]],
                    currencies,
                }
            })
            .collect()
    });
    formats.get(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// VND has no minor unit; the other supported currencies have two; any other ISO 4217
    /// currency has its own; unknown codes none.
    #[test]
    fn iso_exponents() {
        assert_eq!(minor_unit_exponent("VND"), Some(0));
        assert_eq!(minor_unit_exponent("IDR"), Some(2));
        assert_eq!(minor_unit_exponent("UZS"), Some(2));
        assert_eq!(minor_unit_exponent("EUR"), Some(2));
        assert_eq!(minor_unit_exponent("JPY"), Some(0));
        assert_eq!(minor_unit_exponent("BHD"), Some(3));
        assert_eq!(minor_unit_exponent("XYZ"), None);
        assert_eq!(minor_unit_exponent("eur"), None);
    }

    /// Currencies beyond the fifteen, as CLDR (babel 2.19.0, CLDR 49) formats them: "20.00 EUR"
    /// in a Russian message becomes "20,00 €".
    #[test]
    fn every_iso_currency_is_localised() {
        let opts = MoneyOptions::default();
        for (locale, currency, minor, expected) in [
            ("ru", "EUR", 2_000, "20,00\u{a0}€"),
            ("en", "EUR", 2_000, "€20.00"),
            ("kk", "EUR", 2_000, "20,00\u{a0}€"),
            ("vi", "EUR", 2_000, "20,00\u{a0}€"),
            ("zh-CN", "GBP", 2_000, "£20.00"),
            ("en", "JPY", 2_000, "¥2,000"),
            ("ru", "JPY", 2_000, "2\u{a0}000\u{a0}¥"),
            ("en", "BHD", 20_000, "BHD20.000"),
            ("ru", "TRY", -123_456, "-1\u{a0}234,56\u{a0}TRY"),
        ] {
            assert_eq!(
                format_money(locale, currency, minor, &opts).as_deref(),
                Ok(expected),
                "{locale} {currency} {minor}"
            );
        }
    }

    /// VND, LAK, MMK, IDR, UZS and MNT are shown without decimals; the rest with two.
    #[test]
    fn shown_fraction_digits() {
        for c in ["VND", "LAK", "MMK", "IDR", "UZS", "MNT"] {
            assert_eq!(display_fraction_digits(c), 0, "{c}");
        }
        for c in [
            "CNY", "USD", "KZT", "KGS", "RUB", "THB", "MYR", "PHP", "KHR",
        ] {
            assert_eq!(display_fraction_digits(c), 2, "{c}");
        }
    }

    /// Dropped minor units round half to even: 2.50 UZS → 2, 3.50 UZS → 4, negatives symmetric.
    #[test]
    fn rounds_half_even() {
        let opts = MoneyOptions::default();
        assert_eq!(format_money("en", "UZS", 250, &opts).as_deref(), Ok("UZS2"));
        assert_eq!(format_money("en", "UZS", 350, &opts).as_deref(), Ok("UZS4"));
        assert_eq!(format_money("en", "UZS", 351, &opts).as_deref(), Ok("UZS4"));
        assert_eq!(
            format_money("en", "UZS", -250, &opts).as_deref(),
            Ok("-UZS2")
        );
    }

    /// Burmese uses Latin digits by default and Myanmar digits on request.
    #[test]
    fn burmese_native_digits_are_optional() {
        let latin =
            format_money("my", "MMK", 123_400, &MoneyOptions::default()).expect("my MMK formats");
        assert_eq!(latin, "1,234\u{a0}K");
        let native = format_money(
            "my",
            "MMK",
            123_400,
            &MoneyOptions {
                native_digits: true,
            },
        )
        .expect("my MMK formats");
        assert_eq!(native, "၁,၂၃၄\u{a0}K");
    }

    /// The documented client algorithm of [`MoneyFormat`], in Rust.
    fn apply(format: &MoneyFormat, currency: &str, minor: i64) -> String {
        let c = &format.currencies[currency];
        let mut abs = u128::from(minor.unsigned_abs());
        if c.digits >= c.exponent {
            abs *= 10u128.pow(c.digits - c.exponent);
        } else {
            let div = 10u128.pow(c.exponent - c.digits);
            let (q, r) = (abs / div, abs % div);
            abs = if 2 * r > div || (2 * r == div && q % 2 == 1) {
                q + 1
            } else {
                q
            };
        }
        let digits = format!("{abs:0>width$}", width = c.digits as usize + 1);
        let (int, frac) = digits.split_at(digits.len() - c.digits as usize);
        let [primary, secondary] = format.grouping.map(|g| g as usize);
        let mut int = int.to_owned();
        if primary > 0 && int.len() >= primary + format.min_grouping as usize {
            let mut parts = vec![int.split_off(int.len() - primary)];
            while int.len() > secondary {
                parts.push(int.split_off(int.len() - secondary));
            }
            parts.push(int);
            parts.reverse();
            int = parts.join(&format.group);
        }
        let number = if frac.is_empty() {
            int
        } else {
            format!("{int}{}{frac}", format.decimal)
        };
        let [prefix, suffix] = if minor < 0 {
            format.negative
        } else {
            format.positive
        };
        format!(
            "{}{number}{}",
            prefix.replace('¤', c.symbol),
            suffix.replace('¤', c.symbol)
        )
    }

    /// The served parameters are enough to reproduce `format_money` in every locale, for every
    /// currency it knows and amounts around grouping and rounding boundaries.
    #[test]
    fn money_format_reproduces_format_money() {
        let opts = MoneyOptions::default();
        let amounts = [
            0,
            1,
            5,
            50,
            99,
            100,
            150,
            250,
            350,
            999,
            1_000,
            12_345,
            99_999,
            123_456,
            1_234_567,
            123_456_789,
            9_999_999_999,
            -1,
            -50,
            -99,
            -250,
            -123_456_789,
        ];
        for locale in SUPPORTED_LOCALES {
            let format = money_format(locale).expect("a supported locale");
            assert_eq!(format.locale, *locale);
            assert!(format.currencies.len() > 150, "{}", format.currencies.len());
            for currency in format.currencies.keys() {
                for minor in amounts {
                    let expected =
                        format_money(locale, currency, minor, &opts).expect("a known currency");
                    assert_eq!(
                        apply(format, currency, minor),
                        expected,
                        "{locale} {currency} {minor}"
                    );
                }
            }
        }
        assert_eq!(money_format("kk-KZ").map(|f| f.locale), Some("kk"));
        assert!(money_format("de").is_none());
        let kk = money_format("kk").expect("kk");
        assert_eq!(kk.currencies["KZT"].symbol, "₸");
        assert_eq!(kk.currencies["BHD"].exponent, 3);
        assert_eq!(kk.currencies["JPY"].digits, 0);
    }

    /// Unknown currencies and locales are errors, not guesses.
    #[test]
    fn refuses_unknown_codes() {
        let opts = MoneyOptions::default();
        assert_eq!(
            format_money("en", "XYZ", 1, &opts),
            Err(MoneyError::UnsupportedCurrency("XYZ".into()))
        );
        assert_eq!(
            format_money("de", "USD", 1, &opts),
            Err(MoneyError::UnsupportedLocale("de".into()))
        );
    }
}
