//! The localized view of a product: its title, description and attribute lines in the buyer's
//! locale, each saying which locale it came from, and prices formatted with CLDR data.
//!
//! Product text falls back per text along the locale's chain (kk → ru → en), then to the
//! product's source language; a translation made from older source text is still shown but
//! flagged `outdated`. Attribute lines are rendered from Fluent templates in the asked locale
//! (falling back per message) with free-text values taken along the same chain.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use silkstream_l10n::{L10n, MoneyOptions};
use utoipa::ToSchema;

use crate::codes::CurrencyCode;
use crate::error::{Error, Result};
use crate::model::{Attributes, TextAttributes};

/// The locale and currency a response is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub locale: &'static str,
    pub currency: CurrencyCode,
}

impl View {
    /// Negotiates the view: `?locale=` (must be supported) wins over `Accept-Language`;
    /// `?currency=` wins over the locale's default currency (the first market listing it).
    pub fn negotiate(
        explicit_locale: Option<&str>,
        accept_language: Option<&str>,
        currency: Option<&str>,
    ) -> Result<View> {
        if let Some(tag) = explicit_locale {
            crate::codes::parse_locale("locale", tag)?;
        }
        let locale = silkstream_l10n::negotiate(explicit_locale, accept_language);
        let currency = match currency {
            Some(c) => CurrencyCode::parse("currency", c)?,
            None => CurrencyCode::parse("currency", silkstream_l10n::default_currency(locale))
                .map_err(|_| Error::internal("a locale's default currency is not ISO 4217"))?,
        };
        Ok(View { locale, currency })
    }
}

/// A text in the view's locale, or the locale it fell back to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LocalizedText {
    pub text: String,
    /// The locale the text is in.
    pub locale: String,
    /// True when `locale` is not the locale asked for.
    pub fallback: bool,
    /// True when the text is a translation made from older source text.
    pub outdated: bool,
}

/// One attribute line ("Салмағы: 1 кг").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttributeLine {
    /// `material`, `flavour`, `size`, `net_weight`, `volume`, `shelf_life`, `storage`, `origin`.
    pub attribute: String,
    pub text: String,
    /// The locale of the line's template.
    pub locale: String,
    /// For free-text attributes: the locale of the value (differs after a fallback).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_locale: Option<String>,
    /// True when the template or the value is not in the locale asked for.
    pub fallback: bool,
    /// True when the value comes from a translation made from older source text.
    pub outdated: bool,
}

/// The product as a buyer in `locale` sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LocalizedProduct {
    /// The negotiated locale.
    pub locale: String,
    /// The currency prices are quoted in (asked, or the locale's default).
    pub currency: String,
    pub title: LocalizedText,
    pub description: LocalizedText,
    pub attributes: Vec<AttributeLine>,
    /// With a market (`?country=`, else a buyer's own country): what a buyer there pays on top
    /// of each priced variant's price, for one unit, in the view's currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landed_cost: Option<Vec<VariantLandedCost>>,
}

/// One variant's landed-cost quote in the localized view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VariantLandedCost {
    pub variant_id: i64,
    pub quote: crate::landed::LandedQuote,
}

/// A stored translation as the localizer needs it.
pub struct TranslationText {
    pub title: String,
    pub description: String,
    pub attributes: TextAttributes,
    pub outdated: bool,
}

/// The source text of a product.
pub struct SourceText<'a> {
    pub locale: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub attributes: &'a Attributes,
    pub origin_country: &'a str,
}

/// Where along the chain a text was found.
struct Found<'a> {
    locale: &'a str,
    outdated: bool,
}

/// The first locale of the chain that has the text (the source language counts as having
/// everything it has), else the source language.
fn pick<'a, T>(
    view: &View,
    source: &'a SourceText<'a>,
    translations: &'a HashMap<String, TranslationText>,
    get: impl Fn(&'a TranslationText) -> Option<T>,
    source_value: Option<T>,
) -> Option<(T, Found<'a>)> {
    for locale in silkstream_l10n::fallback_chain(view.locale) {
        if *locale == source.locale {
            return source_value.map(|v| {
                (
                    v,
                    Found {
                        locale: source.locale,
                        outdated: false,
                    },
                )
            });
        }
        if let Some((key, t)) = translations.get_key_value(*locale) {
            if let Some(v) = get(t) {
                return Some((
                    v,
                    Found {
                        locale: key.as_str(),
                        outdated: t.outdated,
                    },
                ));
            }
        }
    }
    source_value.map(|v| {
        (
            v,
            Found {
                locale: source.locale,
                outdated: false,
            },
        )
    })
}

fn small(n: Option<i64>) -> Option<u32> {
    n.and_then(|v| u32::try_from(v).ok())
}

/// Renders the localized view of one product.
pub fn product(
    l10n: &L10n,
    view: &View,
    source: &SourceText<'_>,
    translations: &HashMap<String, TranslationText>,
) -> LocalizedProduct {
    let text = |value: String, found: &Found<'_>| LocalizedText {
        text: value,
        fallback: found.locale != view.locale,
        locale: found.locale.to_owned(),
        outdated: found.outdated,
    };
    let (title, found) = pick(
        view,
        source,
        translations,
        |t| Some(t.title.clone()),
        Some(source.title.to_owned()),
    )
    .unwrap_or_else(|| {
        (
            source.title.to_owned(),
            Found {
                locale: source.locale,
                outdated: false,
            },
        )
    });
    let title = text(title, &found);
    let (description, found) = pick(
        view,
        source,
        translations,
        |t| Some(t.description.clone()),
        Some(source.description.to_owned()),
    )
    .unwrap_or_else(|| {
        (
            source.description.to_owned(),
            Found {
                locale: source.locale,
                outdated: false,
            },
        )
    });
    let description = text(description, &found);

    let a = source.attributes;
    let mut lines = Vec::new();
    let mut line = |name: &str, attrs: silkstream_l10n::Attributes, value: Option<&Found<'_>>| {
        for l in l10n.attribute_lines(view.locale, &attrs) {
            let value_locale = value.map(|f| f.locale.to_owned());
            lines.push(AttributeLine {
                attribute: name.to_owned(),
                fallback: l.locale != view.locale || value.is_some_and(|f| f.locale != view.locale),
                outdated: value.is_some_and(|f| f.outdated),
                text: l.text,
                locale: l.locale.to_owned(),
                value_locale,
            });
        }
    };
    type Getter = fn(&TextAttributes) -> Option<String>;
    let text_attributes: [(&str, Option<&String>, Getter); 3] = [
        ("material", a.material.as_ref(), |t| t.material.clone()),
        ("flavour", a.flavour.as_ref(), |t| t.flavour.clone()),
        ("size", a.size.as_ref(), |t| t.size.clone()),
    ];
    for (name, source_value, get) in text_attributes {
        if let Some((value, found)) = pick(
            view,
            source,
            translations,
            |t| get(&t.attributes),
            source_value.cloned(),
        ) {
            let mut attrs = silkstream_l10n::Attributes::default();
            match name {
                "material" => attrs.material = Some(value),
                "flavour" => attrs.flavour = Some(value),
                _ => attrs.size = Some(value),
            }
            line(name, attrs, Some(&found));
        }
    }
    line(
        "net_weight",
        silkstream_l10n::Attributes {
            net_weight_g: small(a.net_weight_g),
            ..Default::default()
        },
        None,
    );
    line(
        "volume",
        silkstream_l10n::Attributes {
            volume_ml: small(a.volume_ml),
            ..Default::default()
        },
        None,
    );
    line(
        "shelf_life",
        silkstream_l10n::Attributes {
            shelf_life_days: small(a.shelf_life_days),
            ..Default::default()
        },
        None,
    );
    if let Some((value, found)) = pick(
        view,
        source,
        translations,
        |t| t.attributes.storage.clone(),
        a.storage.clone(),
    ) {
        line(
            "storage",
            silkstream_l10n::Attributes {
                storage: Some(value),
                ..Default::default()
            },
            Some(&found),
        );
    }
    line(
        "origin",
        silkstream_l10n::Attributes {
            origin_country: Some(source.origin_country.to_owned()),
            ..Default::default()
        },
        None,
    );

    LocalizedProduct {
        locale: view.locale.to_owned(),
        currency: view.currency.code().to_owned(),
        title,
        description,
        attributes: lines,
        landed_cost: None,
    }
}

/// `amount_minor` of `currency` formatted for `locale`, or `None` for a currency the l10n
/// crate has no CLDR data for.
pub fn money(locale: &str, currency: &str, amount_minor: i64) -> Option<String> {
    silkstream_l10n::format_money(locale, currency, amount_minor, &MoneyOptions::default()).ok()
}
