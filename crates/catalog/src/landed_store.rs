//! The landed-cost rule table's SQL, its in-memory snapshot and the quote as the routes and the
//! order path ask for it. Errors are the catalog's [`Error`].
//!
//! **Loading the file.** At start ([`load_rule_file`]) every rule of
//! `data/landed-cost-rules.json` is written into `landed_cost_rules`: a rule not in the table is
//! inserted; a rule that came from the file (`origin = 'file'`) takes the file's text; a rule an
//! admin has edited through the API (`origin = 'admin'`) is left as the admin wrote it, and the
//! start logs that the file differs. Running it twice changes nothing.
//!
//! **The snapshot.** Quotes read the rules and the day's rates from a snapshot kept in memory,
//! refreshed when it is older than [`SNAPSHOT_TTL`], when the day changes, at once on this
//! instance when an admin edits a rule or a rate (on the catalog's write path, `crate::write`),
//! and on the others when they see the `catalog_version` that edit raised. The order path thus reads nothing for a quote
//! but, where a per-person rule applies, one query of the buyer's earlier totals.
//!
//! The buyer's earlier totals and country live in the feed's `orders` and `buyers`, which the
//! catalog does not read: the feed, which depends on the catalog, gives it a
//! [`BuyerHistory`] at start ([`CatalogStore::set_buyer_history`]). Without one (the catalog
//! alone) a buyer has no earlier orders and no profile country.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tracing::instrument;

use crate::codes::CurrencyCode;
use crate::db::{now_ms, rfc3339, Db};
use crate::error::{Error, Result};
use crate::landed::{self, Earlier, LandedQuote, QuoteInput, Rule, RuleBody};
use crate::store::{CatalogStore, RateTable};

/// How long a snapshot of rules and rates serves quotes before it is read again.
pub const SNAPSHOT_TTL: Duration = Duration::from_secs(10);

/// The rules and the day's rates quotes are computed from.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub rules: Arc<Vec<Rule>>,
    pub rates: Arc<RateTable>,
    day: time::Date,
    loaded: Instant,
}

/// The snapshot of this instance (shared by the clones of a [`CatalogStore`]).
#[derive(Debug, Default)]
pub struct LandedCache {
    snapshot: RwLock<Option<Snapshot>>,
}

impl LandedCache {
    /// Drops the snapshot: the next quote reads the table and the rates again.
    pub fn invalidate(&self) {
        if let Ok(mut s) = self.snapshot.write() {
            *s = None;
        }
    }

    fn fresh(&self, day: time::Date) -> Option<Snapshot> {
        let s = self.snapshot.read().ok()?;
        s.as_ref()
            .filter(|s| s.day == day && s.loaded.elapsed() < SNAPSHOT_TTL)
            .cloned()
    }

    fn store(&self, snapshot: Snapshot) {
        if let Ok(mut s) = self.snapshot.write() {
            *s = Some(snapshot);
        }
    }
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: String,
    spec: String,
    origin: String,
    updated_at: i64,
}

impl RuleRow {
    fn rule(self) -> Option<Rule> {
        match serde_json::from_str::<RuleBody>(&self.spec) {
            Ok(body) => Some(Rule {
                id: self.id,
                body,
                origin: self.origin,
                updated_at: rfc3339(self.updated_at),
            }),
            Err(e) => {
                tracing::warn!(rule = %self.id, error = %e, "a stored landed-cost rule does not parse");
                None
            }
        }
    }
}

/// Writes the shipped rule file into the table (see the module's header for the rule).
pub async fn load_rule_file(db: &Db) -> Result<usize> {
    let rules = landed::file_rules(landed::RULE_FILE)?;
    let now = now_ms();
    let mut changed = 0;
    for r in rules {
        let spec = serde_json::to_string(&r.body).map_err(Error::internal)?;
        let inserted = sqlx::query(
            "INSERT INTO landed_cost_rules (id, spec, origin, created_at, updated_at) \
             VALUES ($1, $2, 'file', $3, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&r.id)
        .bind(&spec)
        .bind(now)
        .execute(db.writer())
        .await?
        .rows_affected();
        if inserted == 1 {
            changed += 1;
            continue;
        }
        let updated = sqlx::query(
            "UPDATE landed_cost_rules SET spec = $2, updated_at = $3 \
             WHERE id = $1 AND origin = 'file' AND spec <> $2",
        )
        .bind(&r.id)
        .bind(&spec)
        .bind(now)
        .execute(db.writer())
        .await?
        .rows_affected();
        if updated == 1 {
            changed += 1;
            continue;
        }
        let kept: Option<(String, String)> =
            sqlx::query_as("SELECT origin, spec FROM landed_cost_rules WHERE id = $1")
                .bind(&r.id)
                .fetch_optional(db.reader())
                .await?;
        if let Some((origin, stored)) = kept {
            if origin == "admin" && stored != spec {
                tracing::info!(
                    rule = %r.id,
                    "the rule file differs from a landed-cost rule an admin edited; the admin's is kept"
                );
            }
        }
    }
    Ok(changed)
}

/// The zone whose calendar a market's customs count months and years in: the capital's (one
/// zone per market: Kazakhstan has been on one offset since 2024-03-01). UTC for a country
/// not listed.
pub fn market_zone(country: &str) -> jiff::tz::TimeZone {
    let name = match country {
        "CN" => "Asia/Shanghai",
        "KZ" => "Asia/Almaty",
        "KG" => "Asia/Bishkek",
        "UZ" => "Asia/Tashkent",
        "RU" => "Europe/Moscow",
        "MN" => "Asia/Ulaanbaatar",
        "VN" => "Asia/Ho_Chi_Minh",
        "TH" => "Asia/Bangkok",
        "ID" => "Asia/Jakarta",
        "MY" => "Asia/Kuala_Lumpur",
        "PH" => "Asia/Manila",
        "KH" => "Asia/Phnom_Penh",
        "LA" => "Asia/Vientiane",
        "MM" => "Asia/Yangon",
        _ => "UTC",
    };
    jiff::tz::TimeZone::get(name).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// The start of the calendar month and year of `now` (ms) in `country`'s calendar
/// ([`market_zone`]), in ms: the periods of the per-person limits (also read by the feed's
/// per-person ledger). China's year of CNY 26,000 starts at midnight in Beijing, eight hours
/// before midnight UTC.
pub fn period_starts(now: i64, country: &str) -> (i64, i64) {
    let starts = || -> Option<(i64, i64)> {
        let local = jiff::Timestamp::from_millisecond(now)
            .ok()?
            .to_zoned(market_zone(country));
        let month = local.first_of_month().ok()?.start_of_day().ok()?;
        let year = local.first_of_year().ok()?.start_of_day().ok()?;
        Some((
            month.timestamp().as_millisecond(),
            year.timestamp().as_millisecond(),
        ))
    };
    starts().unwrap_or((0, 0))
}

/// What a variant's quote needs of it.
#[derive(sqlx::FromRow)]
struct VariantFacts {
    category: String,
    weight_g: i64,
}

/// A boxed future that may cross threads: what [`BuyerHistory`]'s methods return.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// What quotes need of buyers, whose tables (`buyers`, `orders`) another store owns: the
/// feed implements it through its own store and hands it to the catalog at start.
pub trait BuyerHistory: Send + Sync + std::fmt::Debug {
    /// The buyer token's orders to `country` not cancelled, summed per currency, this month
    /// and this year (in `country`'s calendar: [`period_starts`]) before `now`.
    fn earlier<'a>(
        &'a self,
        buyer_token_id: i64,
        country: &'a str,
        now: i64,
    ) -> BoxFuture<'a, Result<Earlier>>;

    /// The country of the token's buyer profile, if it has one.
    fn country(&self, buyer_token_id: i64) -> BoxFuture<'_, Result<Option<String>>>;
}

/// Most buyers' countries kept (the least likely to be read again make room: TinyLFU).
pub const BUYER_COUNTRIES: usize = 200_000;

/// Buyers' countries by token id, bounded by [`BUYER_COUNTRIES`].
pub struct BuyerCountries(moka::sync::Cache<i64, String>);

impl Default for BuyerCountries {
    fn default() -> Self {
        Self(moka::sync::Cache::new(BUYER_COUNTRIES as u64))
    }
}

impl std::fmt::Debug for BuyerCountries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuyerCountries")
            .field("entries", &self.0.entry_count())
            .finish()
    }
}

impl CatalogStore {
    /// Every rule of the table, by id.
    pub async fn landed_rules(&self) -> Result<Vec<Rule>> {
        let rows: Vec<RuleRow> = sqlx::query_as(
            "SELECT id, spec, origin, updated_at FROM landed_cost_rules ORDER BY id",
        )
        .fetch_all(self.db.reader())
        .await?;
        Ok(rows.into_iter().filter_map(RuleRow::rule).collect())
    }

    /// One rule (404 when none has this id).
    pub async fn landed_rule(&self, id: &str) -> Result<Rule> {
        let row: Option<RuleRow> = sqlx::query_as(
            "SELECT id, spec, origin, updated_at FROM landed_cost_rules WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.db.reader())
        .await?;
        row.and_then(RuleRow::rule)
            .ok_or_else(|| Error::not_found(format!("landed-cost rule {id}")))
    }

    /// Creates or replaces a rule (admin): it becomes the admin's, and the file no longer
    /// changes it.
    #[instrument(skip_all, fields(id))]
    pub async fn put_landed_rule(&self, id: &str, body: RuleBody) -> Result<Rule> {
        landed::check_id(id)?;
        landed::check(&body)?;
        let spec = serde_json::to_string(&body).map_err(Error::internal)?;
        let now = now_ms();
        let mut w = self.write().await?;
        sqlx::query(
            "INSERT INTO landed_cost_rules (id, spec, origin, created_at, updated_at) \
             VALUES ($1, $2, 'admin', $3, $3) \
             ON CONFLICT (id) DO UPDATE SET spec = excluded.spec, origin = 'admin', \
             updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(&spec)
        .bind(now)
        .execute(w.tx())
        .await?;
        // Quotes are added to a copy of the rendering per reader: only the snapshot changed.
        w.landed_changed();
        w.commit().await?;
        self.landed_rule(id).await
    }

    /// The rules and the rates of `day`, from the snapshot or read afresh.
    pub async fn landed_snapshot(&self, day: time::Date) -> Result<Snapshot> {
        if let Some(s) = self.landed.fresh(day) {
            return Ok(s);
        }
        let snapshot = Snapshot {
            rules: Arc::new(self.landed_rules().await?),
            rates: Arc::new(self.rate_table(day).await?),
            day,
            loaded: Instant::now(),
        };
        self.landed.store(snapshot.clone());
        Ok(snapshot)
    }

    /// Gives the catalog the buyers' history (the feed's, at start); a second call changes
    /// nothing.
    pub fn set_buyer_history(&self, history: Arc<dyn BuyerHistory>) {
        let _ = self.buyer_history.set(history);
    }

    /// The buyer's earlier totals to `country` before `now` ([`BuyerHistory::earlier`]); none
    /// without a history.
    async fn buyer_earlier(&self, buyer_token_id: i64, country: &str, now: i64) -> Result<Earlier> {
        match self.buyer_history.get() {
            Some(h) => h.earlier(buyer_token_id, country, now).await,
            None => Ok(Earlier::default()),
        }
    }

    /// The buyer profile's country of a token, if it has one: read once per token and kept (a
    /// profile never changes once written; it is deleted only with its token, which then no
    /// longer authenticates). Bounded by [`BUYER_COUNTRIES`] entries.
    pub async fn buyer_country(&self, token_id: i64) -> Result<Option<String>> {
        if let Some(country) = self.buyer_countries.0.get(&token_id) {
            return Ok(Some(country));
        }
        let country = match self.buyer_history.get() {
            Some(h) => h.country(token_id).await?,
            None => None,
        };
        if let Some(c) = &country {
            self.buyer_countries.0.insert(token_id, c.clone());
        }
        Ok(country)
    }

    /// A quote for `input`; `buyer` (a token id) makes the buyer's earlier orders count where
    /// the rule counts per person.
    pub async fn landed_quote(
        &self,
        input: &QuoteInput<'_>,
        buyer: Option<i64>,
    ) -> Result<LandedQuote> {
        let snapshot = self.landed_snapshot(input.day).await?;
        let rule = landed::rule_for(&snapshot.rules, input.country, input.category, input.day);
        let earlier = match (rule, buyer) {
            (Some(r), Some(token)) if !r.body.periods().is_empty() => {
                self.buyer_earlier(token, input.country, now_ms()).await?
            }
            _ => Earlier::default(),
        };
        Ok(landed::compute(rule, input, &earlier, &snapshot.rates))
    }

    /// The localized view's quotes: one unit of each variant priced in `currency`, for
    /// `country` (the rules, rates and the buyer's earlier totals read once).
    pub async fn product_landed_costs(
        &self,
        product: &crate::model::Product,
        country: &str,
        currency: CurrencyCode,
        buyer: Option<i64>,
    ) -> Result<Vec<crate::localize::VariantLandedCost>> {
        let day = crate::store::today();
        let snapshot = self.landed_snapshot(day).await?;
        let rule = landed::rule_for(&snapshot.rules, country, &product.category, day);
        let earlier = match (rule, buyer) {
            (Some(r), Some(token)) if !r.body.periods().is_empty() => {
                self.buyer_earlier(token, country, now_ms()).await?
            }
            _ => Earlier::default(),
        };
        Ok(product
            .variants
            .iter()
            .filter_map(|v| {
                let price = v.price.as_ref()?.as_ref()?;
                let input = QuoteInput {
                    country,
                    category: &product.category,
                    currency,
                    quantity: 1,
                    goods_minor: price.amount_minor,
                    weight_g: product.weight_g,
                    day,
                };
                Some(crate::localize::VariantLandedCost {
                    variant_id: v.id,
                    quote: landed::compute(rule, &input, &earlier, &snapshot.rates),
                })
            })
            .collect())
    }

    /// `GET /api/v1/variants/{id}/landed-cost`: the variant's price in `currency` (set, or
    /// converted with the rate table) × `quantity`, quoted for `country`.
    pub async fn variant_landed_cost(
        &self,
        variant_id: i64,
        country: &str,
        quantity: i64,
        currency: CurrencyCode,
        buyer: Option<i64>,
    ) -> Result<LandedQuote> {
        let facts: Option<VariantFacts> = sqlx::query_as(
            "SELECT p.category, p.weight_g FROM variants v JOIN products p ON p.id = v.product_id \
             WHERE v.id = $1",
        )
        .bind(variant_id)
        .fetch_optional(self.db.reader())
        .await?;
        let facts = facts.ok_or_else(|| Error::not_found(format!("variant {variant_id}")))?;
        let day = crate::store::today();
        let variant = self
            .get_variant(
                variant_id,
                Some(&crate::localize::View {
                    locale: "en",
                    currency,
                }),
            )
            .await?;
        let Some(Some(price)) = variant.price else {
            return Err(Error::conflict(
                "no_price",
                format!(
                    "variant {variant_id} has no price in {currency} and none converts into it"
                ),
            ));
        };
        let goods = price
            .amount_minor
            .checked_mul(quantity)
            .filter(|g| *g <= crate::codes::MAX_AMOUNT_MINOR)
            .ok_or_else(|| Error::invalid("quantity", "the order's value is too large"))?;
        self.landed_quote(
            &QuoteInput {
                country,
                category: &facts.category,
                currency,
                quantity,
                goods_minor: goods,
                weight_g: facts.weight_g.saturating_mul(quantity),
                day,
            },
            buyer,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>()
            .expect("a timestamp")
            .as_millisecond()
    }

    /// The per-person periods start at midnight in the market's calendar: 18:30 UTC on
    /// 31 December is New Year's Day in Beijing (UTC+8), so China's new year (and month) has
    /// begun; in Almaty (UTC+5) it is still the old year.
    #[test]
    fn periods_start_in_the_markets_calendar() {
        let now = ms("2026-12-31T18:30:00Z");
        let new_year_in_beijing = ms("2026-12-31T16:00:00Z");
        assert_eq!(
            period_starts(now, "CN"),
            (new_year_in_beijing, new_year_in_beijing)
        );
        assert_eq!(
            period_starts(now, "KZ"),
            (ms("2026-11-30T19:00:00Z"), ms("2025-12-31T19:00:00Z"))
        );
        // Before 2024-03-01 Almaty was UTC+6.
        assert_eq!(
            period_starts(ms("2024-02-10T00:00:00Z"), "KZ").0,
            ms("2024-01-31T18:00:00Z")
        );
        assert_eq!(
            period_starts(now, "ZZ"),
            (ms("2026-12-01T00:00:00Z"), ms("2026-01-01T00:00:00Z"))
        );
    }
}
