//! Landed-cost quotes: what a buyer in a market pays on top of the price, from a dated rule
//! table (`data/landed-cost-rules.json`, loaded into the database at start; see
//! `docs/cross-border.md`). This module holds the rule's shape, its checks and the computation;
//! `landed_store` holds the table's SQL, the cache and the buyer's earlier totals. Errors are
//! the catalog's [`Error`].
//!
//! A quote converts the goods' value into the rule's currency through the rate table (rounded
//! half up to its minor unit), computes duty and taxes there, and converts each back into the
//! asked currency, rounded half up to the unit the currency is shown in.

use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::codes::{CountryCode, CurrencyCode};
use crate::error::{Error, Result};
use crate::store::RateTable;
use crate::validate;

/// The rule file shipped with the binary.
pub const RULE_FILE: &str = include_str!("../../../data/landed-cost-rules.json");

/// The law or notice a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The act, decision or notice, with its number and date.
    pub law: String,
    /// Where to read it.
    pub url: String,
}

/// What a quote's figures rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Nothing to pay on top of the price.
    Exempt,
    /// Duty and taxes computed from the rule.
    Computed,
    /// Duty and taxes are due on delivery and not computed here (they depend on what the rule
    /// table does not hold, e.g. the HS tariff).
    PayableOnDelivery,
    /// The law is unknown or not encoded: no figure is guessed.
    Unknown,
}

/// Over which orders of one buyer a value is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// This order alone.
    Order,
    /// The buyer's orders to the market in the same calendar month (UTC).
    Month,
    /// The buyer's orders to the market in the same calendar year (UTC).
    Year,
}

/// One band of the goods' value: up to `up_to_minor` (inclusive; null for no upper end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub up_to_minor: Option<i64>,
    pub basis: Basis,
    /// Percent of the value, as a decimal string (`"7.5"`).
    pub duty_rate: String,
    /// Percent of the value (plus the duty when `tax_on_duty`).
    pub tax_rate: String,
    pub tax_on_duty: bool,
}

/// How a rule computes duty and taxes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Method {
    /// A duty-free allowance of value (and weight) per `period`; the part of this order over
    /// it pays `rate_over_value` percent, but not less than `min_per_kg_over_minor` per kg
    /// over the weight limit.
    Allowance {
        period: Period,
        value_limit_minor: i64,
        weight_limit_g: Option<i64>,
        rate_over_value: String,
        min_per_kg_over_minor: Option<i64>,
    },
    /// Bands of the order's value, each with its duty and tax rates or its basis.
    Bands { bands: Vec<Band> },
    /// The law is unknown: the quote's basis is `unknown`.
    Unknown,
}

/// A value no buyer may pass: an order over it is refused with 409 `cross_border_limit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub period: Period,
    pub limit_minor: i64,
}

/// A rule as the file and the API carry it (`id` is in the path of a PUT).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    pub title: String,
    /// ISO 3166-1 alpha-2 codes of the markets it applies to.
    pub markets: Vec<String>,
    /// Category prefixes it applies to (`food` matches `food.meat`); empty for every category.
    #[serde(default)]
    pub categories: Vec<String>,
    /// What it applies to, in words.
    pub applies_to: String,
    /// The currency of its amounts.
    pub currency: String,
    pub method: Method,
    #[serde(default)]
    pub limits: Vec<Limit>,
    pub source: Source,
    /// `YYYY-MM-DD`, first day in force.
    pub effective_from: String,
    /// `YYYY-MM-DD`, last day in force (inclusive); null while in force.
    pub effective_until: Option<String>,
    /// Uncertainties and what is not encoded.
    #[serde(default)]
    pub note: Option<String>,
}

/// A rule in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRule {
    pub id: String,
    #[serde(flatten)]
    pub body: RuleBody,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[allow(dead_code)]
    about: String,
    rules: Vec<FileRule>,
}

/// A rule as the table holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    #[serde(flatten)]
    pub body: RuleBody,
    /// `file` (from `data/landed-cost-rules.json`, updated from it at start) or `admin` (edited
    /// through the API: the file no longer changes it).
    pub origin: String,
    pub updated_at: String,
}

/// The OpenAPI schema of [`Rule`]: the body's properties with `id`, `origin` and `updated_at`
/// beside them, in one object. A derived schema would be `allOf` of the body (which refuses
/// unknown properties, for PUTs and the file) and the three fields, which no rule can satisfy.
impl utoipa::PartialSchema for Rule {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{Object, Schema, Type};
        use utoipa::openapi::RefOr;
        let RefOr::T(Schema::Object(mut rule)) = <RuleBody as utoipa::PartialSchema>::schema()
        else {
            return <RuleBody as utoipa::PartialSchema>::schema();
        };
        rule.additional_properties = None;
        rule.description = Some("A rule as the table holds it.".into());
        for (name, description) in [
            ("id", "The rule's id (`eaeu-personal-parcel-2020`)."),
            (
                "origin",
                "`file` (from `data/landed-cost-rules.json`, updated from it at start) or \
                 `admin` (edited through the API: the file no longer changes it).",
            ),
            ("updated_at", "When it was last written (RFC 3339)."),
        ] {
            let mut field = Object::with_type(Type::String);
            field.description = Some(description.into());
            rule.properties.insert(name.into(), field.into());
            rule.required.push(name.into());
        }
        RefOr::T(Schema::Object(rule))
    }
}

impl ToSchema for Rule {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <RuleBody as ToSchema>::schemas(schemas);
    }
}

/// Parses and checks the rule file.
pub fn file_rules(text: &str) -> Result<Vec<FileRule>> {
    let file: RuleFile = serde_json::from_str(text)
        .map_err(|e| Error::invalid("landed-cost-rules.json", e.to_string()))?;
    let mut seen = std::collections::HashSet::new();
    for r in &file.rules {
        check_id(&r.id)?;
        if !seen.insert(r.id.clone()) {
            return Err(Error::invalid(
                "id",
                format!("rule {} is listed twice", r.id),
            ));
        }
        check(&r.body)?;
    }
    Ok(file.rules)
}

/// A rule id: a lowercase slug.
pub fn check_id(id: &str) -> Result<()> {
    crate::codes::slug("id", id, 64).map(|_| ())
}

fn percent(field: &str, value: &str) -> Result<Decimal> {
    let d = Decimal::from_str(value.trim())
        .map_err(|_| Error::invalid(field, format!("'{value}' is not a decimal percentage")))?;
    if d < Decimal::ZERO || d > Decimal::ONE_HUNDRED {
        return Err(Error::invalid(field, "must be between 0 and 100"));
    }
    Ok(d)
}

fn amount(field: &str, value: i64) -> Result<()> {
    if !(0..=crate::codes::MAX_AMOUNT_MINOR).contains(&value) {
        return Err(Error::invalid(
            field,
            format!("must be between 0 and {}", crate::codes::MAX_AMOUNT_MINOR),
        ));
    }
    Ok(())
}

/// Checks a rule: codes, dates, rates, bands in rising order with an open last band.
pub fn check(r: &RuleBody) -> Result<()> {
    crate::codes::text("title", &r.title, 200)?;
    crate::codes::text("applies_to", &r.applies_to, 500)?;
    if r.markets.is_empty() {
        return Err(Error::invalid("markets", "name at least one market"));
    }
    for (i, m) in r.markets.iter().enumerate() {
        CountryCode::parse(&format!("markets[{i}]"), m)?;
    }
    for (i, c) in r.categories.iter().enumerate() {
        crate::codes::slug(&format!("categories[{i}]"), c, validate::MAX_CATEGORY)?;
    }
    CurrencyCode::parse("currency", &r.currency)?;
    crate::codes::text("source.law", &r.source.law, 1000)?;
    let url = crate::codes::text("source.url", &r.source.url, 500)?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(Error::invalid("source.url", "must be an http(s) link"));
    }
    let from = validate::date("effective_from", &r.effective_from)?;
    if let Some(until) = &r.effective_until {
        if validate::date("effective_until", until)? < from {
            return Err(Error::invalid(
                "effective_until",
                "must not be before effective_from",
            ));
        }
    }
    if let Some(note) = &r.note {
        crate::codes::text("note", note, 2000)?;
    }
    match &r.method {
        Method::Allowance {
            value_limit_minor,
            weight_limit_g,
            rate_over_value,
            min_per_kg_over_minor,
            ..
        } => {
            amount("method.value_limit_minor", *value_limit_minor)?;
            if let Some(w) = weight_limit_g {
                amount("method.weight_limit_g", *w)?;
            }
            percent("method.rate_over_value", rate_over_value)?;
            if let Some(m) = min_per_kg_over_minor {
                amount("method.min_per_kg_over_minor", *m)?;
            }
        }
        Method::Bands { bands } => {
            if bands.is_empty() {
                return Err(Error::invalid("method.bands", "name at least one band"));
            }
            let mut last: Option<i64> = None;
            for (i, b) in bands.iter().enumerate() {
                percent(&format!("method.bands[{i}].duty_rate"), &b.duty_rate)?;
                percent(&format!("method.bands[{i}].tax_rate"), &b.tax_rate)?;
                let is_last = i + 1 == bands.len();
                match b.up_to_minor {
                    Some(up) => {
                        amount(&format!("method.bands[{i}].up_to_minor"), up)?;
                        if last.is_some_and(|l| up <= l) {
                            return Err(Error::invalid(
                                format!("method.bands[{i}].up_to_minor"),
                                "bands must rise",
                            ));
                        }
                        if is_last {
                            return Err(Error::invalid(
                                format!("method.bands[{i}].up_to_minor"),
                                "the last band must be open (null)",
                            ));
                        }
                        last = Some(up);
                    }
                    None if !is_last => {
                        return Err(Error::invalid(
                            format!("method.bands[{i}].up_to_minor"),
                            "only the last band may be open (null)",
                        ));
                    }
                    None => {}
                }
            }
        }
        Method::Unknown => {}
    }
    for (i, l) in r.limits.iter().enumerate() {
        amount(&format!("limits[{i}].limit_minor"), l.limit_minor)?;
    }
    Ok(())
}

impl RuleBody {
    /// True when the rule is in force on `day` for `country` and `category`.
    pub fn applies(&self, country: &str, category: &str, day: time::Date) -> bool {
        let from = validate::date("effective_from", &self.effective_from).ok();
        let until = self
            .effective_until
            .as_deref()
            .map(|u| validate::date("effective_until", u).ok());
        self.markets.iter().any(|m| m == country)
            && (self.categories.is_empty()
                || self.categories.iter().any(|c| {
                    category == c
                        || category
                            .strip_prefix(c.as_str())
                            .is_some_and(|rest| rest.starts_with('.'))
                }))
            && from.is_some_and(|f| f <= day)
            && match until {
                None => true,
                Some(Some(u)) => day <= u,
                Some(None) => false,
            }
    }

    /// The per-person periods whose earlier orders the rule needs.
    pub fn periods(&self) -> Vec<Period> {
        let mut out = Vec::new();
        if let Method::Allowance { period, .. } = &self.method {
            out.push(*period);
        }
        out.extend(self.limits.iter().map(|l| l.period));
        out.retain(|p| *p != Period::Order);
        out
    }

    fn specificity(&self) -> usize {
        self.categories.iter().map(String::len).max().unwrap_or(0)
    }
}

/// The rule in force for a market and category on a day: the most specific category, then the
/// latest `effective_from`.
pub fn rule_for<'a>(
    rules: &'a [Rule],
    country: &str,
    category: &str,
    day: time::Date,
) -> Option<&'a Rule> {
    rules
        .iter()
        .filter(|r| r.body.applies(country, category, day))
        .max_by(|a, b| {
            (a.body.specificity(), &a.body.effective_from, &b.id).cmp(&(
                b.body.specificity(),
                &b.body.effective_from,
                &a.id,
            ))
        })
}

/// The rule a quote used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RuleRef {
    pub id: String,
    pub title: String,
    pub source: Source,
    pub effective_from: String,
    pub effective_until: Option<String>,
}

/// One threshold of the rule and how much of it is used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Threshold {
    /// `value` (in `unit`, a currency, minor units) or `weight` (`unit` `g`).
    pub kind: String,
    pub period: Period,
    pub unit: String,
    pub limit: i64,
    /// What this order uses of it.
    pub this_order: i64,
    /// What the buyer's earlier orders in the period used (0 for `order`).
    pub earlier: i64,
    /// True when `earlier + this_order` is over `limit`.
    pub crossed: bool,
    /// `duty_free` (over it, duty is due), `band` (over it, the next band applies) or
    /// `refuse` (over it, the order is refused).
    pub effect: String,
}

/// Something the buyer should know about a quote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Warning {
    /// `no_rule`, `rule_unknown`, `no_rate`, `payable_on_delivery`, `cross_border_limit`,
    /// `cross_border_limit_unknown`, `no_price`.
    pub code: String,
    pub message: String,
}

/// A landed-cost quote: every amount in integer minor units of `currency`, rounded half up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LandedQuote {
    /// The market (ISO 3166-1 alpha-2).
    pub country: String,
    pub currency: String,
    pub quantity: i64,
    /// The day (UTC) whose rules and rates were used.
    pub on: String,
    pub goods_minor: i64,
    pub duty_minor: i64,
    pub taxes_minor: i64,
    /// Goods plus duty plus taxes.
    pub total_minor: i64,
    pub basis: Basis,
    /// Null when no rule covers the market.
    pub rule: Option<RuleRef>,
    pub thresholds: Vec<Threshold>,
    pub warnings: Vec<Warning>,
    /// True when a `refuse` threshold is crossed: an order would be refused with 409
    /// `cross_border_limit`.
    pub limit_exceeded: bool,
    /// True when the rule has `refuse` limits that cannot be checked (the rate table cannot
    /// convert the order's currency, or an earlier order's, into the limits' currency): an
    /// order would be refused with 409 `cross_border_limit_unknown`. Absent (false) in quotes
    /// stored before it was recorded.
    #[serde(default)]
    pub limit_unknown: bool,
}

/// What a quote is asked for.
#[derive(Debug, Clone)]
pub struct QuoteInput<'a> {
    pub country: &'a str,
    pub category: &'a str,
    pub currency: CurrencyCode,
    pub quantity: i64,
    /// The goods' value (unit price × quantity) in `currency`.
    pub goods_minor: i64,
    /// The shipment's weight (product weight × quantity).
    pub weight_g: i64,
    pub day: time::Date,
}

/// The buyer's earlier orders to the market, per currency (minor units), in this month and
/// this year.
#[derive(Debug, Clone, Default)]
pub struct Earlier {
    pub month: Vec<(String, i64)>,
    pub year: Vec<(String, i64)>,
}

/// Query of `GET /api/v1/variants/{id}/landed-cost`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LandedCostQuery {
    /// The buyer's market (ISO 3166-1 alpha-2).
    pub country: String,
    /// Units (default 1).
    pub quantity: Option<i64>,
    /// The currency of the quote (default: the market's first currency).
    pub currency: Option<String>,
}

fn half_up(d: Decimal, digits: u32) -> Decimal {
    d.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero)
}

/// `minor` of `from` in major units of `to`, unrounded; `None` without a rate.
fn convert_exact(
    rates: &RateTable,
    minor: i64,
    from: CurrencyCode,
    to: CurrencyCode,
) -> Option<Decimal> {
    let major = Decimal::new(minor, from.exponent());
    if from == to {
        return Some(major);
    }
    let f = rates.cny_per_unit(from.code())?;
    let t = rates.cny_per_unit(to.code())?;
    major.checked_mul(f)?.checked_div(t)
}

/// Major units to integer minor units of `c`, rounded half up to the unit `c` is shown in.
fn to_minor_shown(major: Decimal, c: CurrencyCode) -> Option<i64> {
    let rounded = half_up(major, c.shown_digits());
    rounded
        .checked_mul(Decimal::from(10_i64.pow(c.exponent())))?
        .to_i64()
}

/// Major units to integer minor units of `c`, rounded half up to the minor unit.
fn to_minor(major: Decimal, c: CurrencyCode) -> Option<i64> {
    half_up(major, c.exponent())
        .checked_mul(Decimal::from(10_i64.pow(c.exponent())))?
        .to_i64()
}

fn warning(code: &str, message: impl Into<String>) -> Warning {
    Warning {
        code: code.to_owned(),
        message: message.into(),
    }
}

/// The `cross_border_limit_unknown` warning: `rule`'s limits cannot be checked for want of a
/// rate of `currency` into the limits' currency.
fn unknown_limit(rule: &RuleBody, currency: &str) -> Warning {
    let limits: Vec<String> = rule
        .limits
        .iter()
        .map(|l| {
            let per = match l.period {
                Period::Order => "per order",
                Period::Month => "per person per month",
                Period::Year => "per person per year",
            };
            let digits = CurrencyCode::parse("currency", &rule.currency)
                .map(|c| c.exponent())
                .unwrap_or(2);
            format!(
                "{} {} {per}",
                Decimal::new(l.limit_minor, digits),
                rule.currency
            )
        })
        .collect();
    warning(
        "cross_border_limit_unknown",
        format!(
            "the limits of {} cannot be checked: the rate table cannot convert {currency} \
             into {}: the order would be refused",
            limits.join(" and "),
            rule.currency
        ),
    )
}

/// True when every `refuse` limit of `rule` can be checked for an order priced in `currency`
/// with `rates`: the rule has no limits, or the rate table converts `currency` into the
/// limits' currency. A flash sale for a market with limits may only be priced in such
/// currencies.
pub fn limits_checkable(rule: &RuleBody, currency: CurrencyCode, rates: &RateTable) -> bool {
    if rule.limits.is_empty() {
        return true;
    }
    CurrencyCode::parse("currency", &rule.currency)
        .ok()
        .and_then(|rc| convert_exact(rates, 1, currency, rc))
        .is_some()
}

/// Computes a quote. Pure: the rules, the rates and the buyer's earlier totals come in.
pub fn compute(
    rule: Option<&Rule>,
    input: &QuoteInput<'_>,
    earlier: &Earlier,
    rates: &RateTable,
) -> LandedQuote {
    let mut q = LandedQuote {
        country: input.country.to_owned(),
        currency: input.currency.code().to_owned(),
        quantity: input.quantity,
        on: validate::format_date(input.day),
        goods_minor: input.goods_minor,
        duty_minor: 0,
        taxes_minor: 0,
        total_minor: input.goods_minor,
        basis: Basis::Unknown,
        rule: None,
        thresholds: Vec::new(),
        warnings: Vec::new(),
        limit_exceeded: false,
        limit_unknown: false,
    };
    let Some(rule) = rule else {
        q.warnings.push(warning(
            "no_rule",
            format!(
                "no landed-cost rule covers {} on {}: duties and taxes may be due on delivery",
                input.country, q.on
            ),
        ));
        return q;
    };
    let r = &rule.body;
    q.rule = Some(RuleRef {
        id: rule.id.clone(),
        title: r.title.clone(),
        source: r.source.clone(),
        effective_from: r.effective_from.clone(),
        effective_until: r.effective_until.clone(),
    });
    if r.method == Method::Unknown {
        q.warnings.push(warning(
            "rule_unknown",
            r.note
                .clone()
                .unwrap_or_else(|| "the law is unknown: no figure is guessed".to_owned()),
        ));
        return q;
    }
    let Ok(rc) = CurrencyCode::parse("currency", &r.currency) else {
        q.limit_unknown = !r.limits.is_empty();
        return q;
    };
    // The value in the rule's currency, rounded half up to its minor unit: thresholds compare
    // and figures compute on this.
    let Some(value) =
        convert_exact(rates, input.goods_minor, input.currency, rc).and_then(|d| to_minor(d, rc))
    else {
        q.warnings.push(warning(
            "no_rate",
            format!(
                "the rate table cannot convert {} into {}: no figure is computed",
                input.currency.code(),
                r.currency
            ),
        ));
        if !r.limits.is_empty() {
            // A limit that cannot be checked is not passed: the order is refused.
            q.limit_unknown = true;
            q.warnings.push(unknown_limit(r, input.currency.code()));
        }
        return q;
    };
    let earlier_in = |sums: &[(String, i64)], q: &mut LandedQuote| -> i64 {
        let mut total = 0_i64;
        for (cur, minor) in sums {
            let converted = CurrencyCode::parse("currency", cur)
                .ok()
                .and_then(|c| convert_exact(rates, *minor, c, rc))
                .and_then(|d| to_minor(d, rc));
            match converted {
                Some(v) => total = total.saturating_add(v),
                None => q.warnings.push(warning(
                    "no_rate",
                    format!(
                        "earlier orders in {cur} are left out: no rate into {}",
                        r.currency
                    ),
                )),
            }
        }
        total
    };
    let earlier_for = |p: Period, q: &mut LandedQuote| -> i64 {
        match p {
            Period::Order => 0,
            Period::Month => earlier_in(&earlier.month, q),
            Period::Year => earlier_in(&earlier.year, q),
        }
    };
    let pct = |s: &str| Decimal::from_str(s.trim()).unwrap_or_default() / Decimal::ONE_HUNDRED;
    let value_major = Decimal::new(value, rc.exponent());
    let (duty, tax, basis) = match &r.method {
        Method::Allowance {
            period,
            value_limit_minor,
            weight_limit_g,
            rate_over_value,
            min_per_kg_over_minor,
        } => {
            let before = earlier_for(*period, &mut q);
            let used = before.saturating_add(value);
            let over = (used - value_limit_minor).clamp(0, value);
            q.thresholds.push(Threshold {
                kind: "value".into(),
                period: *period,
                unit: r.currency.clone(),
                limit: *value_limit_minor,
                this_order: value,
                earlier: before,
                crossed: used > *value_limit_minor,
                effect: "duty_free".into(),
            });
            let by_value = Decimal::new(over, rc.exponent()) * pct(rate_over_value);
            let mut by_weight = Decimal::ZERO;
            if let Some(w) = weight_limit_g {
                let over_g = (input.weight_g - w).max(0);
                q.thresholds.push(Threshold {
                    kind: "weight".into(),
                    period: Period::Order,
                    unit: "g".into(),
                    limit: *w,
                    this_order: input.weight_g,
                    earlier: 0,
                    crossed: input.weight_g > *w,
                    effect: "duty_free".into(),
                });
                if let Some(per_kg) = min_per_kg_over_minor {
                    by_weight = Decimal::new(*per_kg, rc.exponent()) * Decimal::from(over_g)
                        / Decimal::from(1000);
                }
            }
            let duty = by_value.max(by_weight);
            let basis = if duty > Decimal::ZERO {
                Basis::Computed
            } else {
                Basis::Exempt
            };
            (duty, Decimal::ZERO, basis)
        }
        Method::Bands { bands } => {
            for b in bands {
                if let Some(up) = b.up_to_minor {
                    q.thresholds.push(Threshold {
                        kind: "value".into(),
                        period: Period::Order,
                        unit: r.currency.clone(),
                        limit: up,
                        this_order: value,
                        earlier: 0,
                        crossed: value > up,
                        effect: "band".into(),
                    });
                }
            }
            let band = bands
                .iter()
                .find(|b| b.up_to_minor.is_none_or(|up| value <= up))
                .or(bands.last());
            match band {
                Some(b) if b.basis == Basis::Computed => {
                    let duty = value_major * pct(&b.duty_rate);
                    let base = if b.tax_on_duty {
                        value_major + duty
                    } else {
                        value_major
                    };
                    (duty, base * pct(&b.tax_rate), Basis::Computed)
                }
                Some(b) => (Decimal::ZERO, Decimal::ZERO, b.basis),
                None => (Decimal::ZERO, Decimal::ZERO, Basis::Unknown),
            }
        }
        Method::Unknown => (Decimal::ZERO, Decimal::ZERO, Basis::Unknown),
    };
    for l in &r.limits {
        let warned = q.warnings.len();
        let before = earlier_for(l.period, &mut q);
        if q.warnings[warned..].iter().any(|w| w.code == "no_rate") && !q.limit_unknown {
            // Earlier orders left out for want of a rate: the limit cannot be checked.
            q.limit_unknown = true;
            let missing: Vec<&str> = earlier
                .year
                .iter()
                .map(|(c, _)| c.as_str())
                .filter(|c| {
                    CurrencyCode::parse("currency", c)
                        .ok()
                        .and_then(|c| convert_exact(rates, 1, c, rc))
                        .is_none()
                })
                .collect();
            q.warnings.push(unknown_limit(r, &missing.join(", ")));
        }
        let used = before.saturating_add(value);
        let crossed = used > l.limit_minor;
        q.thresholds.push(Threshold {
            kind: "value".into(),
            period: l.period,
            unit: r.currency.clone(),
            limit: l.limit_minor,
            this_order: value,
            earlier: before,
            crossed,
            effect: "refuse".into(),
        });
        if crossed {
            q.limit_exceeded = true;
            let per = match l.period {
                Period::Order => "per order".to_owned(),
                Period::Month => "per person per month".to_owned(),
                Period::Year => "per person per year".to_owned(),
            };
            q.warnings.push(warning(
                "cross_border_limit",
                format!(
                    "{} {} {per} would be passed ({} {} used with this order): the order would be \
                     refused",
                    Decimal::new(l.limit_minor, rc.exponent()),
                    r.currency,
                    Decimal::new(used, rc.exponent()),
                    r.currency
                ),
            ));
        }
    }
    // Back into the asked currency, each figure rounded half up.
    let back = |major: Decimal| -> Option<i64> {
        if major.is_zero() {
            return Some(0);
        }
        let in_quote = if rc == input.currency {
            major
        } else {
            let f = rates.cny_per_unit(rc.code())?;
            let t = rates.cny_per_unit(input.currency.code())?;
            major.checked_mul(f)?.checked_div(t)?
        };
        to_minor_shown(in_quote, input.currency)
    };
    match (back(duty), back(tax)) {
        (Some(d), Some(t)) => {
            q.duty_minor = d;
            q.taxes_minor = t;
            q.total_minor = input.goods_minor.saturating_add(d).saturating_add(t);
            q.basis = basis;
        }
        _ => {
            q.warnings.push(warning(
                "no_rate",
                format!("the rate table cannot convert {} back", r.currency),
            ));
            return q;
        }
    }
    if basis == Basis::PayableOnDelivery {
        q.warnings.push(warning(
            "payable_on_delivery",
            format!(
                "duties and taxes are payable on delivery and not computed here: {}",
                r.note.clone().unwrap_or_else(|| r.applies_to.clone())
            ),
        ));
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rule_file_parses_and_passes_its_checks() {
        let rules = file_rules(RULE_FILE).expect("rule file");
        assert!(rules.len() >= 8, "{} rules", rules.len());
        for country in [
            "RU", "KZ", "KG", "UZ", "VN", "TH", "ID", "MY", "PH", "CN", "MN",
        ] {
            assert!(
                rules
                    .iter()
                    .any(|r| r.body.markets.iter().any(|m| m == country)),
                "no rule for {country}"
            );
        }
    }

    /// China's limits cannot be checked for a currency the rate table cannot convert into
    /// CNY, nor with earlier orders in one: the quote says so and is not "within the limits".
    #[test]
    fn limits_without_a_rate_are_unknown_not_passed() {
        let rules = file_rules(RULE_FILE).expect("rule file");
        let cn = rules
            .iter()
            .find(|r| r.id == "cn-cbec-retail-import-2019")
            .expect("the CN rule");
        let rule = Rule {
            id: cn.id.clone(),
            body: cn.body.clone(),
            origin: "file".into(),
            updated_at: String::new(),
        };
        let rates = RateTable::default();
        let day = validate::date("d", "2026-12-07").expect("date");
        let currency = |c: &str| CurrencyCode::parse("currency", c).expect("currency");
        let input = |c: &str, goods_minor: i64| QuoteInput {
            country: "CN",
            category: "food.dairy",
            currency: currency(c),
            quantity: 11,
            goods_minor,
            weight_g: 100,
            day,
        };
        let gbp = compute(
            Some(&rule),
            &input("GBP", 55_000),
            &Earlier::default(),
            &rates,
        );
        assert!(gbp.limit_unknown && !gbp.limit_exceeded, "{gbp:?}");
        assert!(gbp
            .warnings
            .iter()
            .any(|w| w.code == "cross_border_limit_unknown" && w.message.contains("GBP")));
        assert!(!limits_checkable(&rule.body, currency("GBP"), &rates));
        assert!(limits_checkable(&rule.body, currency("CNY"), &rates));
        // In CNY, but with earlier orders of the year in GBP: unknown too.
        let earlier = Earlier {
            month: Vec::new(),
            year: vec![("GBP".into(), 100_000)],
        };
        let cny = compute(Some(&rule), &input("CNY", 100_000), &earlier, &rates);
        assert!(cny.limit_unknown, "{cny:?}");
        let plain = compute(
            Some(&rule),
            &input("CNY", 100_000),
            &Earlier::default(),
            &rates,
        );
        assert!(!plain.limit_unknown && !plain.limit_exceeded, "{plain:?}");
    }

    #[test]
    fn a_rule_applies_between_its_dates_and_to_its_category_prefixes() {
        let mut body = file_rules(RULE_FILE).expect("rule file")[0].body.clone();
        body.categories = vec!["food".into()];
        body.effective_until = Some("2026-12-31".into());
        let day = |s: &str| validate::date("d", s).expect("date");
        assert!(body.applies("KZ", "food.meat", day("2026-12-31")));
        assert!(!body.applies("KZ", "food.meat", day("2027-01-01")));
        assert!(!body.applies("KZ", "foodstuff", day("2026-06-01")));
        assert!(!body.applies("KZ", "food.meat", day("2019-12-31")));
        assert!(!body.applies("UZ", "food.meat", day("2026-06-01")));
    }
}
