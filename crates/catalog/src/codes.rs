//! Domain newtypes parsed at the edge: currency and country codes, locales, amounts of money and
//! quantities, slugs and barcodes. The core never sees unchecked values; every parse failure is
//! an [`Error::Invalid`] naming the field.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Largest price, in minor units, the catalog accepts (10^13: 100 billion major units, enough for
/// any retail price in VND or UZS while far below i64 overflow in totals).
pub const MAX_AMOUNT_MINOR: i64 = 10_000_000_000_000;
/// Largest stock level of one variant in one warehouse.
pub const MAX_STOCK: i64 = 1_000_000_000;

/// An ISO 4217 currency code (active, with a defined minor unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CurrencyCode(iso_currency::Currency);

impl CurrencyCode {
    pub fn parse(field: &str, code: &str) -> Result<Self> {
        let upper = code.trim();
        if upper.len() != 3 || !upper.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::invalid(
                field,
                format!("'{code}' is not an ISO 4217 currency code (three capital letters)"),
            ));
        }
        let currency = iso_currency::Currency::from_code(upper)
            .filter(|c| c.exponent().is_some())
            .ok_or_else(|| Error::invalid(field, format!("unknown currency code '{code}'")))?;
        Ok(Self(currency))
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// ISO 4217 minor-unit exponent (VND 0, KZT 2, ...).
    pub fn exponent(&self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(0))
    }

    /// Fraction digits shown to buyers (CLDR, with UZS and MNT at 0): never more than ISO's.
    pub fn shown_digits(&self) -> u32 {
        if silkstream_l10n::money::CURRENCIES.contains(&self.code()) {
            silkstream_l10n::display_fraction_digits(self.code()).min(self.exponent())
        } else {
            self.exponent()
        }
    }

    /// True when prices are shown with fewer digits than ISO's minor units (VND, LAK, MMK,
    /// IDR, UZS, MNT shown whole), so a price must be a multiple of the shown unit.
    pub fn is_shown_whole(&self) -> bool {
        self.shown_digits() == 0 && self.exponent() > 0
    }

    /// Checks a price in this currency: positive, not absurd, and whole units where the currency
    /// is shown without decimals.
    pub fn check_price(&self, field: &str, amount_minor: i64) -> Result<i64> {
        if amount_minor <= 0 {
            return Err(Error::invalid(field, "a price must be greater than zero"));
        }
        if amount_minor > MAX_AMOUNT_MINOR {
            return Err(Error::invalid(
                field,
                format!("a price may not exceed {MAX_AMOUNT_MINOR} minor units"),
            ));
        }
        if self.shown_digits() < self.exponent() {
            let unit = 10_i64.pow(self.exponent() - self.shown_digits());
            if amount_minor % unit != 0 {
                return Err(Error::invalid(
                    field,
                    format!(
                        "{} is shown without decimals: the amount must be a multiple of {unit} minor units",
                        self.code()
                    ),
                ));
            }
        }
        Ok(amount_minor)
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An ISO 3166-1 alpha-2 country code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(field: &str, code: &str) -> Result<Self> {
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::invalid(
                field,
                format!("'{code}' is not an ISO 3166-1 alpha-2 country code (two capital letters)"),
            ));
        }
        code.parse::<iso_currency::Country>()
            .map_err(|_| Error::invalid(field, format!("unknown country code '{code}'")))?;
        Ok(Self(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Countries where a delivery address needs no postal code: those with no postal code system,
/// after the region data of Google's libaddressinput (the address metadata behind Chrome's and
/// Android's address forms: regions with no `zip` pattern), and the markets where codes exist
/// but are little used and not needed for delivery: Cambodia, Laos and Myanmar (KH, LA, MM).
/// A ship-to to one of them may leave `postal_code` empty; everywhere else it is required.
/// Sorted (binary search). Documented with its source in docs/live-sale.md.
pub const POSTAL_CODE_OPTIONAL: &[&str] = &[
    "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI", "CK",
    "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "JM", "KH", "KI", "KM",
    "KN", "KP", "LA", "LY", "ML", "MM", "MO", "MR", "MW", "NR", "NU", "QA", "RW", "SB", "SC", "SL",
    "SR", "SS", "ST", "SY", "TD", "TF", "TG", "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW",
];

/// Whether a delivery address in `country` (ISO 3166-1 alpha-2) must carry a postal code.
pub fn postal_code_required(country: &str) -> bool {
    POSTAL_CODE_OPTIONAL.binary_search(&country).is_err()
}

/// One of the locales Silkstream speaks, normalised (`zh-Hans` → `zh-CN`).
pub fn parse_locale(field: &str, tag: &str) -> Result<&'static str> {
    silkstream_l10n::normalize_locale(tag).ok_or_else(|| {
        Error::invalid(
            field,
            format!(
                "unsupported locale '{tag}'; supported: {}",
                silkstream_l10n::SUPPORTED_LOCALES.join(", ")
            ),
        )
    })
}

/// A required text: trimmed, not empty, at most `max` characters, no control characters other
/// than newlines and tabs.
pub fn text(field: &str, value: &str, max: usize) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    let count = trimmed.chars().count();
    if count > max {
        return Err(Error::invalid(
            field,
            format!("is {count} characters long; at most {max} are allowed"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// A lowercase slug such as a category (`food.meat`): `[a-z0-9._-]`, 1 to `max` characters.
pub fn slug(field: &str, value: &str, max: usize) -> Result<String> {
    if value.is_empty()
        || value.len() > max
        || !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(Error::invalid(
            field,
            format!("must be 1 to {max} characters of a-z, 0-9, '.', '_' or '-'"),
        ));
    }
    Ok(value.to_owned())
}

/// An uppercase code such as a SKU or a warehouse code: `[A-Z0-9-]`, 1 to `max` characters.
pub fn upper_code(field: &str, value: &str, max: usize) -> Result<String> {
    if value.is_empty()
        || value.len() > max
        || !value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Error::invalid(
            field,
            format!("must be 1 to {max} characters of A-Z, 0-9 or '-'"),
        ));
    }
    Ok(value.to_owned())
}

/// A Harmonized System code: 6 to 10 digits.
pub fn hs_code(field: &str, value: &str) -> Result<String> {
    if !(6..=10).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(field, "an HS code is 6 to 10 digits"));
    }
    Ok(value.to_owned())
}

/// A GTIN barcode (EAN-8, UPC-A, EAN-13, GTIN-14) with a correct GS1 check digit.
pub fn barcode(field: &str, value: &str) -> Result<String> {
    if ![8, 12, 13, 14].contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(
            field,
            "a barcode is a GTIN of 8, 12, 13 or 14 digits",
        ));
    }
    let digits: Vec<u32> = value.bytes().map(|b| u32::from(b - b'0')).collect();
    let (body, check) = digits.split_at(digits.len() - 1);
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    if (10 - sum % 10) % 10 != check[0] {
        return Err(Error::invalid(field, "the barcode's check digit is wrong"));
    }
    Ok(value.to_owned())
}

/// A count in `0..=max`.
pub fn quantity(field: &str, value: i64, max: i64) -> Result<i64> {
    if !(0..=max).contains(&value) {
        return Err(Error::invalid(
            field,
            format!("must be between 0 and {max}"),
        ));
    }
    Ok(value)
}

/// The customs mode a product ships under by default (China's cross-border e-commerce codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum CustomsMode {
    /// Cross-border B2C direct mail.
    #[serde(rename = "9610")]
    DirectMail9610,
    /// Cross-border B2B direct export.
    #[serde(rename = "9710")]
    B2bDirect9710,
    /// Cross-border B2B export to overseas warehouse.
    #[serde(rename = "9810")]
    OverseasWarehouse9810,
    /// Bonded e-commerce.
    #[serde(rename = "1210")]
    Bonded1210,
}

impl CustomsMode {
    pub fn as_str(&self) -> &'static str {
        match self {
            CustomsMode::DirectMail9610 => "9610",
            CustomsMode::B2bDirect9710 => "9710",
            CustomsMode::OverseasWarehouse9810 => "9810",
            CustomsMode::Bonded1210 => "1210",
        }
    }

    pub fn parse_stored(s: &str) -> Option<Self> {
        match s {
            "9610" => Some(Self::DirectMail9610),
            "9710" => Some(Self::B2bDirect9710),
            "9810" => Some(Self::OverseasWarehouse9810),
            "1210" => Some(Self::Bonded1210),
            _ => None,
        }
    }
}

/// Kind of a warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarehouseKind {
    /// At a border crossing (Pingxiang, Khorgos, Erenhot).
    Border,
    /// Abroad, close to the buyers (e.g. Almaty).
    Overseas,
    /// A bonded (customs-supervised) warehouse.
    Bonded,
}

impl WarehouseKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            WarehouseKind::Border => "border",
            WarehouseKind::Overseas => "overseas",
            WarehouseKind::Bonded => "bonded",
        }
    }

    pub fn parse_stored(s: &str) -> Self {
        match s {
            "overseas" => Self::Overseas,
            "bonded" => Self::Bonded,
            _ => Self::Border,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real EAN-13 and EAN-8 codes pass; a wrong check digit or length fails.
    #[test]
    fn barcodes_need_a_correct_check_digit() {
        assert!(barcode("b", "4006381333931").is_ok());
        assert!(barcode("b", "96385074").is_ok());
        assert!(barcode("b", "4006381333932").is_err());
        assert!(barcode("b", "40063813").is_err());
        assert!(barcode("b", "abc").is_err());
    }

    /// Currencies shown without decimals need whole units; others accept any positive amount.
    #[test]
    fn whole_unit_currencies_refuse_fractions() {
        let idr = CurrencyCode::parse("c", "IDR").expect("IDR is ISO 4217");
        assert!(idr.check_price("p", 1_500_000).is_ok());
        assert!(idr.check_price("p", 1_500_050).is_err());
        let vnd = CurrencyCode::parse("c", "VND").expect("VND is ISO 4217");
        assert_eq!(vnd.exponent(), 0);
        assert!(vnd.check_price("p", 1_234).is_ok());
        let kzt = CurrencyCode::parse("c", "KZT").expect("KZT is ISO 4217");
        assert!(kzt.check_price("p", 150_050).is_ok());
        assert!(kzt.check_price("p", 0).is_err());
        assert!(kzt.check_price("p", MAX_AMOUNT_MINOR + 1).is_err());
    }

    /// Unknown or lowercase codes are refused with the field named.
    #[test]
    fn codes_are_checked() {
        assert!(CurrencyCode::parse("c", "XYZ").is_err());
        assert!(CurrencyCode::parse("c", "kzt").is_err());
        assert!(CountryCode::parse("c", "KZ").is_ok());
        assert!(CountryCode::parse("c", "QQ").is_err());
        let err = CountryCode::parse("origin_country", "kz").expect_err("lowercase refused");
        assert!(err.to_string().starts_with("origin_country"));
    }

    /// Text is trimmed and limited by characters, not bytes.
    #[test]
    fn text_limits_count_characters() {
        assert_eq!(text("t", "  Шоколад ", 7).expect("7 chars"), "Шоколад");
        assert!(text("t", "Шоколад", 6).is_err());
        assert!(text("t", "   ", 6).is_err());
        assert!(text("t", "a\u{0}b", 6).is_err());
    }
}
