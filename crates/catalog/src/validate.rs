//! Turns request bodies into checked values before anything is written. Every failure names the
//! field; nothing reaches the store unchecked.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::codes::{self, CountryCode, CurrencyCode, CustomsMode};
use crate::error::{Error, Result};
use crate::model::{
    Attributes, NewProduct, NewVariant, ProductPatch, TextAttributes, VariantPatch,
};

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 4000;
pub const MAX_NAME: usize = 200;
pub const MAX_ATTRIBUTE: usize = 200;
pub const MAX_SKU: usize = 64;
pub const MAX_CATEGORY: usize = 64;
pub const MAX_OPTIONS: usize = 10;
pub const MAX_VARIANTS: usize = 100;
pub const MAX_WEIGHT_G: i64 = 1_000_000;

/// A product whose every field has been checked.
#[derive(Debug, Clone)]
pub struct CheckedProduct {
    pub merchant: String,
    pub category: String,
    pub hs_code: String,
    pub origin_country: String,
    pub weight_g: i64,
    pub customs_mode: Option<CustomsMode>,
    pub source_locale: &'static str,
    pub title: String,
    pub description: String,
    pub attributes: Attributes,
}

impl CheckedProduct {
    /// Digest of the source text a translation is made from: title, description and the text
    /// attributes. A translation whose stored digest differs is outdated.
    pub fn source_digest(&self) -> String {
        source_digest(&self.title, &self.description, &self.attributes)
    }
}

pub fn source_digest(title: &str, description: &str, attributes: &Attributes) -> String {
    let text = TextAttributes {
        material: attributes.material.clone(),
        flavour: attributes.flavour.clone(),
        size: attributes.size.clone(),
        storage: attributes.storage.clone(),
    };
    let mut hasher = Sha256::new();
    hasher.update(title.as_bytes());
    hasher.update([0]);
    hasher.update(description.as_bytes());
    hasher.update([0]);
    hasher.update(serde_json::to_string(&text).unwrap_or_default().as_bytes());
    hex::encode(hasher.finalize())
}

#[derive(Debug, Clone)]
pub struct CheckedVariant {
    pub sku: String,
    pub options: BTreeMap<String, String>,
    pub barcode: Option<String>,
    pub prices: Vec<(CurrencyCode, i64)>,
}

fn weight(field: &str, grams: i64) -> Result<i64> {
    if !(1..=MAX_WEIGHT_G).contains(&grams) {
        return Err(Error::invalid(
            field,
            format!("must be between 1 and {MAX_WEIGHT_G} grams"),
        ));
    }
    Ok(grams)
}

fn optional_text(field: &str, value: &Option<String>, max: usize) -> Result<Option<String>> {
    value
        .as_deref()
        .map(|v| codes::text(field, v, max))
        .transpose()
}

/// The most pages a list may be asked for.
pub const MAX_PAGE: i64 = 1_000_000;

/// `?page=` and `?per_page=` of a list: 1-based, `per_page` defaulting to `default` and at most
/// `max`; 422 on the field that is out of range. Every paged list checks them here.
pub fn page(
    page: Option<i64>,
    per_page: Option<i64>,
    default: i64,
    max: i64,
) -> Result<(i64, i64)> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(default);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(Error::invalid(
            "page",
            format!("must be between 1 and {MAX_PAGE}"),
        ));
    }
    if !(1..=max).contains(&per_page) {
        return Err(Error::invalid(
            "per_page",
            format!("must be between 1 and {max}"),
        ));
    }
    Ok((page, per_page))
}

fn optional_amount(field: &str, value: Option<i64>, max: i64) -> Result<Option<i64>> {
    match value {
        Some(v) if !(1..=max).contains(&v) => Err(Error::invalid(
            field,
            format!("must be between 1 and {max}"),
        )),
        other => Ok(other),
    }
}

pub fn attributes(a: &Attributes) -> Result<Attributes> {
    Ok(Attributes {
        material: optional_text("attributes.material", &a.material, MAX_ATTRIBUTE)?,
        flavour: optional_text("attributes.flavour", &a.flavour, MAX_ATTRIBUTE)?,
        size: optional_text("attributes.size", &a.size, MAX_ATTRIBUTE)?,
        storage: optional_text("attributes.storage", &a.storage, MAX_ATTRIBUTE)?,
        net_weight_g: optional_amount("attributes.net_weight_g", a.net_weight_g, MAX_WEIGHT_G)?,
        volume_ml: optional_amount("attributes.volume_ml", a.volume_ml, 1_000_000)?,
        shelf_life_days: optional_amount("attributes.shelf_life_days", a.shelf_life_days, 36_500)?,
    })
}

pub fn text_attributes(a: &TextAttributes) -> Result<TextAttributes> {
    Ok(TextAttributes {
        material: optional_text("attributes.material", &a.material, MAX_ATTRIBUTE)?,
        flavour: optional_text("attributes.flavour", &a.flavour, MAX_ATTRIBUTE)?,
        size: optional_text("attributes.size", &a.size, MAX_ATTRIBUTE)?,
        storage: optional_text("attributes.storage", &a.storage, MAX_ATTRIBUTE)?,
    })
}

pub fn product(p: &NewProduct) -> Result<(CheckedProduct, Vec<CheckedVariant>)> {
    let checked = CheckedProduct {
        merchant: codes::text("merchant", &p.merchant, MAX_NAME)?,
        category: codes::slug("category", &p.category, MAX_CATEGORY)?,
        hs_code: codes::hs_code("hs_code", &p.hs_code)?,
        origin_country: CountryCode::parse("origin_country", &p.origin_country)?
            .as_str()
            .to_owned(),
        weight_g: weight("weight_g", p.weight_g)?,
        customs_mode: p.customs_mode,
        source_locale: codes::parse_locale("source_locale", &p.source_locale)?,
        title: codes::text("title", &p.title, MAX_TITLE)?,
        description: codes::text("description", &p.description, MAX_DESCRIPTION)?,
        attributes: attributes(&p.attributes)?,
    };
    if p.variants.len() > MAX_VARIANTS {
        return Err(Error::invalid(
            "variants",
            format!("at most {MAX_VARIANTS} variants per product"),
        ));
    }
    let mut variants = Vec::with_capacity(p.variants.len());
    for (i, v) in p.variants.iter().enumerate() {
        let checked_variant = variant(&format!("variants[{i}]."), v)?;
        if variants
            .iter()
            .any(|other: &CheckedVariant| other.sku == checked_variant.sku)
        {
            return Err(Error::invalid(
                format!("variants[{i}].sku"),
                "appears twice in this product",
            ));
        }
        variants.push(checked_variant);
    }
    Ok((checked, variants))
}

/// Applies a patch to the current product and checks the result as a whole.
pub fn patched_product(current: CheckedProduct, patch: &ProductPatch) -> Result<CheckedProduct> {
    Ok(CheckedProduct {
        merchant: match &patch.merchant {
            Some(v) => codes::text("merchant", v, MAX_NAME)?,
            None => current.merchant,
        },
        category: match &patch.category {
            Some(v) => codes::slug("category", v, MAX_CATEGORY)?,
            None => current.category,
        },
        hs_code: match &patch.hs_code {
            Some(v) => codes::hs_code("hs_code", v)?,
            None => current.hs_code,
        },
        origin_country: match &patch.origin_country {
            Some(v) => CountryCode::parse("origin_country", v)?.as_str().to_owned(),
            None => current.origin_country,
        },
        weight_g: match patch.weight_g {
            Some(v) => weight("weight_g", v)?,
            None => current.weight_g,
        },
        customs_mode: match patch.customs_mode {
            Some(v) => v,
            None => current.customs_mode,
        },
        source_locale: match &patch.source_locale {
            Some(v) => codes::parse_locale("source_locale", v)?,
            None => current.source_locale,
        },
        title: match &patch.title {
            Some(v) => codes::text("title", v, MAX_TITLE)?,
            None => current.title,
        },
        description: match &patch.description {
            Some(v) => codes::text("description", v, MAX_DESCRIPTION)?,
            None => current.description,
        },
        attributes: match &patch.attributes {
            Some(v) => attributes(v)?,
            None => current.attributes,
        },
    })
}

pub fn options(
    field: &str,
    options: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    if options.len() > MAX_OPTIONS {
        return Err(Error::invalid(
            field,
            format!("at most {MAX_OPTIONS} options"),
        ));
    }
    let mut out = BTreeMap::new();
    for (k, v) in options {
        let key = codes::slug(&format!("{field}.{k}"), k, 32)?;
        let value = codes::text(&format!("{field}.{k}"), v, 64)?;
        out.insert(key, value);
    }
    Ok(out)
}

pub fn variant(prefix: &str, v: &NewVariant) -> Result<CheckedVariant> {
    let mut prices = Vec::with_capacity(v.prices.len());
    for (code, amount) in &v.prices {
        let field = format!("{prefix}prices.{code}");
        let currency = CurrencyCode::parse(&field, code)?;
        prices.push((currency, currency.check_price(&field, *amount)?));
    }
    Ok(CheckedVariant {
        sku: codes::upper_code(&format!("{prefix}sku"), &v.sku, MAX_SKU)?,
        options: options(&format!("{prefix}options"), &v.options)?,
        barcode: v
            .barcode
            .as_deref()
            .map(|b| codes::barcode(&format!("{prefix}barcode"), b))
            .transpose()?,
        prices,
    })
}

/// A variant patch whose fields have been checked; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CheckedVariantPatch {
    pub sku: Option<String>,
    pub options: Option<BTreeMap<String, String>>,
    /// `Some(None)` clears the barcode.
    pub barcode: Option<Option<String>>,
}

/// Checks the fields of a variant patch (sku, options, barcode) one by one.
pub fn variant_patch(patch: &VariantPatch) -> Result<CheckedVariantPatch> {
    Ok(CheckedVariantPatch {
        sku: patch
            .sku
            .as_deref()
            .map(|s| codes::upper_code("sku", s, MAX_SKU))
            .transpose()?,
        options: patch
            .options
            .as_ref()
            .map(|o| options("options", o))
            .transpose()?,
        barcode: match &patch.barcode {
            None => None,
            Some(None) => Some(None),
            Some(Some(b)) => Some(Some(codes::barcode("barcode", b)?)),
        },
    })
}

/// Parses a `YYYY-MM-DD` day.
pub fn date(field: &str, value: &str) -> Result<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &format)
        .map_err(|_| Error::invalid(field, format!("'{value}' is not a date (YYYY-MM-DD)")))
}

pub fn format_date(d: time::Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&format).unwrap_or_default()
}

/// Parses a positive decimal exchange rate (CNY per one major unit), e.g. `"0.0142"`.
pub fn rate(field: &str, value: &str) -> Result<rust_decimal::Decimal> {
    use std::str::FromStr;
    let d = rust_decimal::Decimal::from_str(value.trim())
        .map_err(|_| Error::invalid(field, format!("'{value}' is not a decimal number")))?;
    if d <= rust_decimal::Decimal::ZERO || d > rust_decimal::Decimal::from(1_000_000) {
        return Err(Error::invalid(
            field,
            "a rate must be greater than 0 and at most 1000000",
        ));
    }
    Ok(d.normalize())
}
