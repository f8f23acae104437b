//! The catalog's API types: request bodies (parsed into checked values by `validate`) and
//! responses. Request bodies reject unknown fields; every response type has an OpenAPI schema.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::codes::{CustomsMode, WarehouseKind};

/// Structured product attributes. Text values are in the product's source language (and
/// translated per locale); numbers are in fixed units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attributes {
    /// e.g. "95% cotton, 5% elastane".
    #[serde(default)]
    pub material: Option<String>,
    /// e.g. "dark chocolate with hazelnuts".
    #[serde(default)]
    pub flavour: Option<String>,
    /// Free-text size, e.g. "M" or "30 × 20 × 10 cm".
    #[serde(default)]
    pub size: Option<String>,
    /// Storage conditions, e.g. "at −18 °C or below".
    #[serde(default)]
    pub storage: Option<String>,
    /// Net weight in grams.
    #[serde(default)]
    pub net_weight_g: Option<i64>,
    /// Volume in millilitres.
    #[serde(default)]
    pub volume_ml: Option<i64>,
    /// Shelf life in days.
    #[serde(default)]
    pub shelf_life_days: Option<i64>,
}

/// The text attributes of a translation (the numeric ones need no translating).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flavour: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`) in a PATCH.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// A new product, optionally with its variants.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    pub merchant: String,
    /// Lowercase dotted slug, e.g. `food.meat`.
    pub category: String,
    /// Harmonized System code, 6 to 10 digits.
    pub hs_code: String,
    /// ISO 3166-1 alpha-2.
    pub origin_country: String,
    /// Shipping weight in grams.
    pub weight_g: i64,
    /// `9610`, `9710`, `9810`, `1210`, or null for none.
    #[serde(default)]
    pub customs_mode: Option<CustomsMode>,
    /// Locale of `title`, `description` and text attributes, e.g. `ru`, `zh-CN`.
    pub source_locale: String,
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub attributes: Attributes,
    #[serde(default)]
    pub variants: Vec<NewVariant>,
    /// Insurance products only (and required for them): the `https://` link to the licensed
    /// insurer's own platform, where the product is sold; it is never sold in a live room.
    #[serde(default)]
    pub insurer_url: Option<String>,
}

/// Changes to a product; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    pub merchant: Option<String>,
    pub category: Option<String>,
    pub hs_code: Option<String>,
    pub origin_country: Option<String>,
    pub weight_g: Option<i64>,
    /// `null` clears the customs mode.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<CustomsMode>)]
    pub customs_mode: Option<Option<CustomsMode>>,
    pub source_locale: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub attributes: Option<Attributes>,
    /// `null` clears the insurer's link (insurance products must keep one).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub insurer_url: Option<Option<String>>,
}

/// A new variant (SKU).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVariant {
    /// Uppercase `A-Z0-9-`, unique.
    pub sku: String,
    /// Options such as `{"colour": "black", "size": "M"}`.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// GTIN (EAN-13 etc.) with a valid check digit.
    #[serde(default)]
    pub barcode: Option<String>,
    /// Prices in minor units per currency, e.g. `{"KZT": 1499000, "CNY": 8900}`.
    #[serde(default)]
    pub prices: BTreeMap<String, i64>,
}

/// Changes to a variant; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantPatch {
    pub sku: Option<String>,
    pub options: Option<BTreeMap<String, String>>,
    /// `null` clears the barcode.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub barcode: Option<Option<String>>,
}

/// Sets one price.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPrice {
    /// Integer minor units (ISO 4217) of the currency in the path.
    pub amount_minor: i64,
}

/// Sets the stock of a variant in a warehouse.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStock {
    /// Units available for sale.
    pub available: i64,
}

/// A dated exchange rate: how many CNY one major unit of `currency` is worth from `valid_from`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRate {
    pub currency: String,
    /// Decimal string, e.g. `"0.0142"` (CNY per 1 KZT).
    pub rate: String,
    /// `YYYY-MM-DD`; defaults to today (UTC).
    #[serde(default)]
    pub valid_from: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Rate {
    pub currency: String,
    pub rate: String,
    pub valid_from: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWarehouse {
    /// Uppercase `A-Z0-9-`, e.g. `KHG-BORDER`.
    pub code: String,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub kind: WarehouseKind,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarehousePatch {
    pub name: Option<String>,
    pub kind: Option<WarehouseKind>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Warehouse {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub country: String,
    pub kind: WarehouseKind,
}

/// A market: a country, its currencies (the first is the default), its locales and the
/// warehouses that serve it. Created or replaced with PUT.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarketBody {
    pub name: String,
    pub currencies: Vec<String>,
    pub locales: Vec<String>,
    #[serde(default)]
    pub warehouses: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Market {
    pub country: String,
    pub name: String,
    pub currencies: Vec<String>,
    pub default_currency: String,
    pub locales: Vec<String>,
    pub warehouses: Vec<String>,
    /// Whether a delivery address in this country must carry a postal code (false where the
    /// country has none or does not use them: `codes::POSTAL_CODE_OPTIONAL`).
    #[serde(default = "yes")]
    pub postal_code_required: bool,
}

fn yes() -> bool {
    true
}

/// A translation of a product's text into one locale.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranslationBody {
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub attributes: TextAttributes,
    /// Alt text of the product's pictures in this locale, by picture id (`{"12": "…"}`);
    /// screened with the title.
    #[serde(default)]
    pub image_alts: crate::images::ImageAlts,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Translation {
    pub locale: String,
    pub title: String,
    pub description: String,
    pub attributes: TextAttributes,
    /// Alt text of the product's pictures in this locale, by picture id.
    pub image_alts: crate::images::ImageAlts,
    /// True when the product's source text changed after this translation was made.
    pub outdated: bool,
    pub updated_at: String,
}

/// Money: integer minor units (ISO 4217) and the currency code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Money {
    pub currency: String,
    pub amount_minor: i64,
}

/// A variant's price in the currency asked for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QuotedPrice {
    pub currency: String,
    pub amount_minor: i64,
    /// True when no price is set in this currency and it was converted with the rate table.
    pub converted: bool,
    /// The price it was converted from, when converted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converted_from: Option<Money>,
    /// The amount formatted for the response's locale with CLDR data, e.g. `6 299,00 ₸`
    /// (absent for currencies without locale data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
}

/// Why no price could be given in the currency asked for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PriceUnavailable {
    /// `no_price` (the variant has no price at all) or `no_rate` (no rate to convert with).
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StockLevel {
    pub warehouse: String,
    pub available: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Variant {
    pub id: i64,
    pub product_id: i64,
    pub sku: String,
    pub options: BTreeMap<String, String>,
    pub barcode: Option<String>,
    pub archived: bool,
    /// Every price set, in minor units.
    pub prices: Vec<Money>,
    pub stock: Vec<StockLevel>,
    /// With `?currency=`: the price in that currency (set or converted), or null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<Option<QuotedPrice>>,
    /// With `?currency=` and no price: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_unavailable: Option<PriceUnavailable>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TranslationStatus {
    pub locale: String,
    pub outdated: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Product {
    pub id: i64,
    pub merchant: String,
    /// The merchant's row (`GET /api/v1/merchants/{id}`): its credentials.
    pub merchant_id: i64,
    /// Insurance products only: the link to the licensed insurer's own platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insurer_url: Option<String>,
    pub category: String,
    pub hs_code: String,
    pub origin_country: String,
    pub weight_g: i64,
    pub customs_mode: Option<CustomsMode>,
    pub source_locale: String,
    pub title: String,
    pub description: String,
    pub attributes: Attributes,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
    pub variants: Vec<Variant>,
    pub translations: Vec<TranslationStatus>,
    /// The product's pictures in order (a variant's say which): each size's URL, alt text in
    /// the source locale and per translated locale.
    #[schema(value_type = Vec<crate::images::ProductImage>)]
    pub images: crate::images::ImageList,
    /// The product in the response's locale (`?locale=` or `Accept-Language`) with prices in
    /// its currency (`?currency=` or the locale's default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub localized: Option<crate::localize::LocalizedProduct>,
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Filters and paging of `GET /api/v1/products`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// 1-based page number (default 1).
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    pub per_page: Option<i64>,
    /// Only products stocked in a warehouse that serves this market (country code).
    pub market: Option<String>,
    /// Only products in this category or below it (`food` matches `food.meat`).
    pub category: Option<String>,
    /// Text in the title, in any of its languages, or in a variant's SKU (case-insensitive).
    pub q: Option<String>,
    /// Include archived products (default false).
    pub archived: Option<bool>,
    /// Quote each variant's price in this currency (default: the locale's default currency).
    pub currency: Option<String>,
    /// Render in this locale (wins over `Accept-Language`; default `en`).
    pub locale: Option<String>,
}

/// `?currency=` and `?locale=` on single-product and variant reads.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CurrencyQuery {
    /// Quote each variant's price in this currency (default: the locale's default currency).
    pub currency: Option<String>,
    /// Render in this locale (wins over `Accept-Language`; default `en`).
    pub locale: Option<String>,
    /// On a product read: the market whose landed cost the localized view carries (default:
    /// a buyer's own country; none for other roles).
    pub country: Option<String>,
}

/// `?on=YYYY-MM-DD` for the rates in force on a day.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RatesQuery {
    /// Day (UTC) the rates are asked for; default today.
    pub on: Option<String>,
}
