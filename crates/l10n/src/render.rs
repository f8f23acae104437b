//! The Fluent bundles of every supported locale, built once ([`L10n`], `Send + Sync`) and the
//! structured renderers the catalog and the live room call. Loading fails with [`LoadError`];
//! rendering never fails: a message missing everywhere renders as its id (logged).
//!
//! Every rendered text is a [`Localized`]: the text and the locale it came from, so an API can
//! say that a text fell back (kk → ru → en). Fallbacks are logged with `tracing::debug!`.
//! Money is formatted by [`crate::format_money`] and passed into Fluent as a string; plural
//! selection gets the real count as a Fluent number.

use std::borrow::Cow;
use std::path::Path;

use fixed_decimal::Decimal;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use unic_langid::LanguageIdentifier;

use crate::check::{check_sources, embedded_sources, read_dir, CheckReport, SourceFile};
use crate::cldr_data::COUNTRY_NAMES;
use crate::money::{format_decimal, format_money, MoneyError, MoneyOptions};
use crate::{fallback_chain, normalize_locale, DEFAULT_LOCALE, SUPPORTED_LOCALES};

include!(concat!(env!("OUT_DIR"), "/embedded_locales.rs"));

/// A rendered text and the locale it actually came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Localized {
    /// The text, ready to show.
    pub text: String,
    /// The locale whose bundle produced the text (differs from the asked one after a fallback).
    pub locale: &'static str,
}

/// Structured product attributes as the catalog stores them. Free-text values arrive already
/// translated by the caller; numbers are formatted here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributes {
    /// Material, free text.
    pub material: Option<String>,
    /// Flavour, free text.
    pub flavour: Option<String>,
    /// Size, free text (`"XL"`, `"20 × 30 cm"`).
    pub size: Option<String>,
    /// Storage conditions, free text.
    pub storage: Option<String>,
    /// Net weight in grams (shown in kg from 1000 g).
    pub net_weight_g: Option<u32>,
    /// Volume in millilitres (shown in litres from 1000 ml).
    pub volume_ml: Option<u32>,
    /// Shelf life in days (shown in months when a multiple of 30 of at least 60 days).
    pub shelf_life_days: Option<u32>,
    /// Country of origin, ISO 3166-1 alpha-2 (`"CN"`); shown by its CLDR name in the locale.
    pub origin_country: Option<String>,
}

/// A Fluent argument: text (already formatted, e.g. money) or a count (plural selection).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    /// Shown as is.
    Text(Cow<'a, str>),
    /// A number: shown with Latin digits and used for plural selection.
    Count(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(value: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(value))
    }
}

impl From<String> for Arg<'_> {
    fn from(value: String) -> Self {
        Arg::Text(Cow::Owned(value))
    }
}

impl From<i64> for Arg<'_> {
    fn from(value: i64) -> Self {
        Arg::Count(value)
    }
}

impl From<u32> for Arg<'_> {
    fn from(value: u32) -> Self {
        Arg::Count(i64::from(value))
    }
}

/// Rendering options fixed when the [`L10n`] is built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Wrap every placeable in FSI/PDI bidi isolation marks. Off for plain text (push
    /// notifications, logs); turn on for HTML where right-to-left text may meet arguments.
    pub bidi_isolation: bool,
}

/// Why locale files could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The files have errors (syntax, variables, plural variants); the report says where.
    #[error("locale files have errors:\n{0}")]
    Invalid(CheckReport),
    /// Fluent refused a resource the checker accepted (a bug in the checker).
    #[error("fluent refused {file}: {text}")]
    Bundle {
        /// The file.
        file: String,
        /// Fluent's complaint.
        text: String,
    },
}

/// Whether a countdown counts to the start or the end of a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Countdown {
    /// "starts in …"
    Starts,
    /// "ends in …"
    Ends,
}

/// What happened to an order, as told to the buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderOutcome {
    /// Confirmed: quantity and the total, already formatted with [`format_money`].
    Confirmed {
        /// Items ordered.
        quantity: u32,
        /// The formatted total.
        total: String,
    },
    /// Nothing left.
    SoldOut,
    /// The buyer hit the per-buyer limit.
    LimitReached {
        /// The limit per buyer.
        limit: u32,
    },
    /// The session is not live (ended or not started).
    NotLive,
    /// The flash sale has not started yet.
    NotStarted,
    /// The flash sale is over.
    SaleEnded,
    /// The host paused the sale.
    Paused,
    /// The quantity is zero, negative or absurd.
    InvalidQuantity,
}

pub(crate) type Bundle = FluentBundle<FluentResource>;

/// Every locale's Fluent bundle, built once and shared across threads.
pub struct L10n {
    /// One bundle per entry of [`SUPPORTED_LOCALES`], in that order (possibly empty).
    bundles: Vec<Bundle>,
    /// The ids of English's messages, in file order: the reference set the pages' message
    /// endpoint walks ([`L10n::client_messages`]).
    pub(crate) english_ids: Vec<String>,
}

impl std::fmt::Debug for L10n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("L10n")
            .field("locales", &SUPPORTED_LOCALES)
            .finish_non_exhaustive()
    }
}

impl L10n {
    /// The locale files embedded in the binary, plain text (no bidi marks).
    pub fn embedded() -> Result<Self, LoadError> {
        Self::embedded_with(RenderOptions::default())
    }

    /// The embedded locale files with explicit options.
    pub fn embedded_with(options: RenderOptions) -> Result<Self, LoadError> {
        Self::from_sources(&embedded_sources(), options)
    }

    /// The locale files of a translator's directory (`path/<locale>/*.ftl`) instead of the
    /// embedded ones; refused when [`crate::check_dir`] finds errors (warnings are logged).
    pub fn from_dir(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        Self::from_dir_with(path, RenderOptions::default())
    }

    /// [`L10n::from_dir`] with explicit options.
    pub fn from_dir_with(
        path: impl AsRef<Path>,
        options: RenderOptions,
    ) -> Result<Self, LoadError> {
        let sources = read_dir(path.as_ref()).map_err(|finding| {
            LoadError::Invalid(CheckReport {
                locales: vec![crate::LocaleReport {
                    locale: DEFAULT_LOCALE.to_owned(),
                    errors: vec![finding],
                    ..Default::default()
                }],
            })
        })?;
        Self::from_sources(&sources, options)
    }

    fn from_sources(sources: &[SourceFile], options: RenderOptions) -> Result<Self, LoadError> {
        let report = check_sources(sources);
        if !report.is_ok() {
            return Err(LoadError::Invalid(report));
        }
        for finding in report.findings() {
            tracing::debug!(%finding, "locale file warning");
        }
        let mut bundles = Vec::with_capacity(SUPPORTED_LOCALES.len());
        let mut english_ids = Vec::new();
        for locale in SUPPORTED_LOCALES {
            let langid: LanguageIdentifier = locale
                .parse()
                .expect("every supported locale is a valid language identifier");
            let mut bundle = Bundle::new_concurrent(vec![langid]);
            bundle.set_use_isolating(options.bidi_isolation);
            for source in sources.iter().filter(|s| s.locale == *locale && s.is_ftl()) {
                let resource =
                    FluentResource::try_new(source.text.clone()).map_err(|(_, errors)| {
                        LoadError::Bundle {
                            file: source.path.clone(),
                            text: format!("{errors:?}"),
                        }
                    })?;
                if *locale == DEFAULT_LOCALE {
                    english_ids.extend(resource.entries().filter_map(|entry| match entry {
                        fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                        _ => None,
                    }));
                }
                bundle
                    .add_resource(resource)
                    .map_err(|errors| LoadError::Bundle {
                        file: source.path.clone(),
                        text: format!("{errors:?}"),
                    })?;
            }
            bundles.push(bundle);
        }
        Ok(Self {
            bundles,
            english_ids,
        })
    }

    pub(crate) fn bundle(&self, locale: &str) -> Option<&Bundle> {
        SUPPORTED_LOCALES
            .iter()
            .position(|l| *l == locale)
            .map(|i| &self.bundles[i])
    }

    /// Renders message `id` in `locale`, falling back along [`fallback_chain`] message by
    /// message. A message missing in every locale of the chain renders as its id.
    pub fn message(&self, locale: &str, id: &str, args: &[(&str, Arg<'_>)]) -> Localized {
        let chain = fallback_chain(locale);
        let fluent_args = (!args.is_empty()).then(|| {
            let mut fluent_args = FluentArgs::with_capacity(args.len());
            for (name, value) in args {
                match value {
                    Arg::Text(text) => fluent_args.set(*name, FluentValue::from(text.as_ref())),
                    Arg::Count(count) => fluent_args.set(*name, FluentValue::from(*count)),
                }
            }
            fluent_args
        });
        for candidate in chain {
            let Some(bundle) = self.bundle(candidate) else {
                continue;
            };
            let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            if *candidate != chain[0] {
                tracing::debug!(
                    requested = locale,
                    used = *candidate,
                    id,
                    "message fell back"
                );
            }
            let mut errors = Vec::new();
            let text = bundle
                .format_pattern(pattern, fluent_args.as_ref(), &mut errors)
                .into_owned();
            if !errors.is_empty() {
                tracing::warn!(
                    locale = *candidate,
                    id,
                    ?errors,
                    "message formatted with errors"
                );
            }
            return Localized {
                text,
                locale: candidate,
            };
        }
        tracing::warn!(locale, id, "message missing in every locale of the chain");
        Localized {
            text: id.to_owned(),
            locale: DEFAULT_LOCALE,
        }
    }

    /// One line per attribute present, in a fixed order: material, flavour, size, net weight,
    /// volume, shelf life, storage, origin.
    pub fn attribute_lines(&self, locale: &str, attributes: &Attributes) -> Vec<Localized> {
        let mut lines = Vec::with_capacity(8);
        if let Some(value) = &attributes.material {
            lines.push(self.message(locale, "attr-material", &[("value", value.as_str().into())]));
        }
        if let Some(value) = &attributes.flavour {
            lines.push(self.message(locale, "attr-flavour", &[("value", value.as_str().into())]));
        }
        if let Some(value) = &attributes.size {
            lines.push(self.message(locale, "attr-size", &[("value", value.as_str().into())]));
        }
        if let Some(grams) = attributes.net_weight_g {
            lines.push(if grams >= 1000 {
                self.message(
                    locale,
                    "attr-net-weight-kg",
                    &[("kg", self.thousandths(locale, grams).into())],
                )
            } else {
                self.message(locale, "attr-net-weight-g", &[("grams", grams.into())])
            });
        }
        if let Some(ml) = attributes.volume_ml {
            lines.push(if ml >= 1000 {
                self.message(
                    locale,
                    "attr-volume-l",
                    &[("litres", self.thousandths(locale, ml).into())],
                )
            } else {
                self.message(locale, "attr-volume-ml", &[("ml", ml.into())])
            });
        }
        if let Some(days) = attributes.shelf_life_days {
            lines.push(if days >= 60 && days % 30 == 0 {
                self.message(
                    locale,
                    "attr-shelf-life-months",
                    &[("months", (days / 30).into())],
                )
            } else {
                self.message(locale, "attr-shelf-life-days", &[("days", days.into())])
            });
        }
        if let Some(value) = &attributes.storage {
            lines.push(self.message(locale, "attr-storage", &[("value", value.as_str().into())]));
        }
        if let Some(code) = &attributes.origin_country {
            let country = country_name(locale, code);
            lines.push(self.message(locale, "attr-origin", &[("country", country.text.into())]));
        }
        lines
    }

    /// `value / 1000` with the locale's decimal separator and at most three decimals (`1,25`).
    fn thousandths(&self, locale: &str, value: u32) -> String {
        let mut decimal = Decimal::from(value);
        decimal.multiply_pow10(-3);
        decimal.trim_end();
        format_decimal(locale, &decimal)
    }

    /// The price line, e.g. "Price: $12.50", with the amount formatted by [`format_money`].
    pub fn price_line(
        &self,
        locale: &str,
        currency: &str,
        minor_units: i64,
    ) -> Result<Localized, MoneyError> {
        let price = format_money(
            normalized(locale),
            currency,
            minor_units,
            &MoneyOptions::default(),
        )?;
        Ok(self.message(locale, "price-line", &[("price", price.into())]))
    }

    /// The stock line: "3 left", or "Sold out" at zero.
    pub fn stock_line(&self, locale: &str, left: u32) -> Localized {
        if left == 0 {
            self.message(locale, "stock-sold-out", &[])
        } else {
            self.message(locale, "stock-left", &[("count", left.into())])
        }
    }

    /// "Starts in 30 seconds" / "Ends in 2 minutes": seconds under a minute, minutes (rounded
    /// up) under an hour, hours (rounded up) beyond.
    pub fn countdown(&self, locale: &str, kind: Countdown, seconds: u64) -> Localized {
        let prefix = match kind {
            Countdown::Starts => "countdown-starts",
            Countdown::Ends => "countdown-ends",
        };
        let (unit, count) = if seconds < 60 {
            ("seconds", seconds)
        } else if seconds < 3600 {
            ("minutes", seconds.div_ceil(60))
        } else {
            ("hours", seconds.div_ceil(3600))
        };
        let id = format!("{prefix}-{unit}");
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        self.message(locale, &id, &[("count", count.into())])
    }

    /// The live feed line: "A***a from Almaty bought 2". The buyer name arrives masked, the
    /// city already in the viewer's language. Without a city (blank: older rows, or a buyer
    /// who gave none) the line is `feed-bought-no-city`, "A***a bought 2", so that no "from"
    /// is left hanging before nothing.
    pub fn buyer_feed_line(
        &self,
        locale: &str,
        masked_buyer: &str,
        city: &str,
        quantity: u32,
    ) -> Localized {
        let city = city.trim();
        if city.is_empty() {
            return self.message(
                locale,
                "feed-bought-no-city",
                &[("buyer", masked_buyer.into()), ("count", quantity.into())],
            );
        }
        self.message(
            locale,
            "feed-bought",
            &[
                ("buyer", masked_buyer.into()),
                ("city", city.into()),
                ("count", quantity.into()),
            ],
        )
    }

    /// The message a buyer gets about an order.
    pub fn order_message(&self, locale: &str, outcome: &OrderOutcome) -> Localized {
        match outcome {
            OrderOutcome::Confirmed { quantity, total } => self.message(
                locale,
                "order-confirmed",
                &[
                    ("count", (*quantity).into()),
                    ("total", total.as_str().into()),
                ],
            ),
            OrderOutcome::SoldOut => self.message(locale, "order-sold-out", &[]),
            OrderOutcome::LimitReached { limit } => {
                self.message(locale, "order-limit-reached", &[("limit", (*limit).into())])
            }
            OrderOutcome::NotLive => self.message(locale, "order-not-live", &[]),
            OrderOutcome::NotStarted => self.message(locale, "order-not-started", &[]),
            OrderOutcome::SaleEnded => self.message(locale, "order-sale-ended", &[]),
            OrderOutcome::Paused => self.message(locale, "order-paused", &[]),
            OrderOutcome::InvalidQuantity => self.message(locale, "order-invalid-quantity", &[]),
        }
    }
}

/// The supported locale of a tag, or English.
fn normalized(locale: &str) -> &'static str {
    normalize_locale(locale).unwrap_or(DEFAULT_LOCALE)
}

/// Every country CLDR names, by code, in `locale` (each along the fallback chain, as
/// [`country_name`]): what the pages show in their country pickers.
pub fn country_names(locale: &str) -> std::collections::BTreeMap<&'static str, String> {
    let codes = COUNTRY_NAMES
        .iter()
        .find(|(l, _)| *l == DEFAULT_LOCALE)
        .map(|(_, names)| *names)
        .unwrap_or_default();
    codes
        .iter()
        .map(|(code, _)| (*code, country_name(locale, code).text))
        .collect()
}

/// The CLDR name of a country (ISO 3166-1 alpha-2, any case) in `locale`, following the
/// fallback chain; the upper-cased code itself (locale `en`) when CLDR has no name for it.
pub fn country_name(locale: &str, code: &str) -> Localized {
    let code = code.trim().to_ascii_uppercase();
    for candidate in fallback_chain(locale) {
        let names = COUNTRY_NAMES
            .iter()
            .find(|(l, _)| l == candidate)
            .map(|(_, names)| *names);
        if let Some(Ok(index)) =
            names.map(|names| names.binary_search_by(|(c, _)| (*c).cmp(code.as_str())))
        {
            let names = names.expect("found an index in it");
            return Localized {
                text: names[index].1.to_owned(),
                locale: candidate,
            };
        }
    }
    Localized {
        text: code,
        locale: DEFAULT_LOCALE,
    }
}
