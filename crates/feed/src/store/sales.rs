//! Flash sales: the carve-out of stock, pause and resume, restock, the end and its return of
//! unsold units; reads of a sale.

use std::collections::BTreeMap;

use silkstream_catalog::auth::Principal;
use silkstream_catalog::codes::{self, CurrencyCode, MAX_STOCK};
use silkstream_catalog::db::{now_ms, placeholders, rfc3339};
use tracing::instrument;

use silkstream_catalog::{facts, stock};

use super::write::SessionWrite;
use super::*;
use crate::domain::error::{Error, Result};
use crate::domain::events::{Event, SaleEnded, SaleOpened, SaleRef, SaleRestocked};
use crate::domain::model::*;

impl FeedStore {
    // ---- flash sales ----------------------------------------------------------------------

    pub(crate) async fn sale_row(&self, id: i64) -> Result<SaleRow> {
        let sql = format!("{SALE_SELECT} WHERE f.id = $1");
        let row: Option<SaleRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(self.db.reader())
            .await?;
        row.ok_or_else(|| Error::not_found(format!("flash sale {id}")))
    }

    /// The latest sale of a variant in a session, if any.
    pub(crate) async fn sale_for(
        &self,
        session_id: i64,
        variant_id: i64,
    ) -> Result<Option<SaleRow>> {
        let sql = format!(
            "{SALE_SELECT} WHERE f.session_id = $1 AND f.variant_id = $2 ORDER BY f.id DESC LIMIT 1"
        );
        Ok(sqlx::query_as(&sql)
            .bind(session_id)
            .bind(variant_id)
            .fetch_optional(self.db.reader())
            .await?)
    }

    pub async fn sale(&self, id: i64) -> Result<FlashSale> {
        let row = self.sale_row(id).await?;
        if row.state != SaleState::Ended.as_str() && now_ms() >= row.ends_at {
            self.end_sale(id, "time_up").await?;
            return Ok(self.sale_row(id).await?.view(now_ms()));
        }
        Ok(row.view(now_ms()))
    }

    #[instrument(skip_all, fields(session_id))]
    pub async fn create_sale(
        &self,
        who: &Principal,
        session_id: i64,
        body: NewFlashSale,
    ) -> Result<FlashSale> {
        let session = self.controlled_session(who, session_id).await?;
        if session.state == SessionState::Ended.as_str() {
            return Err(Error::conflict("conflict", "the session has ended"));
        }
        let quantity = positive("quantity", body.quantity, MAX_STOCK)?;
        let limit = positive("per_buyer_limit", body.per_buyer_limit, MAX_ORDER_QUANTITY)?;
        let countdown = codes::quantity("countdown_s", body.countdown_s, MAX_COUNTDOWN_S)?;
        let duration = positive("duration_s", body.duration_s, MAX_DURATION_S)?;
        if body.prices.is_empty() || body.prices.len() > 16 {
            return Err(Error::invalid("prices", "give 1 to 16 prices"));
        }
        let mut prices = BTreeMap::new();
        for (currency, amount) in &body.prices {
            let field = format!("prices.{currency}");
            let code = CurrencyCode::parse(&field, currency)?;
            code.check_price(&field, *amount)?;
            prices.insert(code.code().to_owned(), *amount);
        }
        let variant = facts::variant_facts(&self.db, body.variant_id).await?;
        let (product_id, category) = match variant {
            None => {
                return Err(Error::invalid(
                    "variant_id",
                    format!("no variant {}", body.variant_id),
                ))
            }
            Some(v) if v.archived => {
                return Err(Error::invalid("variant_id", "the variant is archived"))
            }
            Some(v) => (v.product_id, v.category),
        };
        let markets = session.markets();
        self.check_sale_prices(&markets, &category, &prices).await?;
        // Warehouses that serve one of the session's markets, with their stock of the variant.
        let serving: Vec<(i64, String, i64)> = facts::serving_warehouses(&self.db, body.variant_id)
            .await?
            .into_iter()
            .filter(|s| markets.contains(&s.country))
            .map(|s| (s.warehouse_id, s.code, s.available))
            .collect();
        let warehouse_id = match &body.warehouse {
            Some(code) => {
                let code = codes::upper_code("warehouse", code, 32)?;
                serving
                    .iter()
                    .find(|(_, c, _)| *c == code)
                    .map(|(id, _, _)| *id)
                    .ok_or_else(|| {
                        Error::invalid(
                            "warehouse",
                            format!("{code} is not a warehouse serving the session's markets"),
                        )
                    })?
            }
            None => serving
                .iter()
                .find(|(_, _, available)| *available >= quantity)
                .or_else(|| serving.first())
                .map(|(id, _, _)| *id)
                .ok_or_else(|| {
                    Error::invalid("warehouse", "no warehouse serves the session's markets")
                })?,
        };
        let prices_json = serde_json::to_string(&prices).map_err(Error::internal)?;
        let mut w = self.write(session_id).await?;
        if w.session.state == SessionState::Ended {
            return Err(Error::conflict("conflict", "the session has ended"));
        }
        let now = w.now;
        super::gate::check_product_in(w.tx(), session_id, product_id, now).await?;
        // A control route of the session: its sales whose time is up end here, in this write,
        // before their units are counted (a read shows them ended but never ends them).
        let due: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM flash_sales WHERE session_id = $1 AND state <> 'ended' \
             AND ends_at <= $2 ORDER BY id",
        )
        .bind(session_id)
        .bind(now)
        .fetch_all(w.tx())
        .await?;
        for (due,) in due {
            end_sale_in(&mut w, due, "time_up").await?;
        }
        let starts_at = now + countdown * 1000;
        let ends_at = starts_at + duration * 1000;
        let running: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM flash_sales WHERE session_id = $1 AND variant_id = $2 \
             AND state <> 'ended' AND ends_at > $3",
        )
        .bind(session_id)
        .bind(body.variant_id)
        .bind(now)
        .fetch_optional(w.tx())
        .await?;
        if running.is_some() {
            return Err(Error::conflict(
                "conflict",
                "a flash sale of this variant is already running in the session",
            ));
        }
        if !stock::take(w.tx(), body.variant_id, warehouse_id, quantity, now)
            .await?
            .moved()
        {
            let available = stock::available(w.tx(), body.variant_id, warehouse_id).await?;
            return Err(Error::conflict(
                "insufficient_stock",
                format!(
                    "the warehouse has {available} units of this variant; asked for {quantity}"
                ),
            ));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO flash_sales (session_id, variant_id, warehouse_id, allocated, \
             remaining, per_buyer_limit, prices, state, starts_at, ends_at, created_at) \
             VALUES ($1, $2, $3, $4, $4, $5, $6, 'open', $7, $8, $9) RETURNING id",
        )
        .bind(session_id)
        .bind(body.variant_id)
        .bind(warehouse_id)
        .bind(quantity)
        .bind(limit)
        .bind(&prices_json)
        .bind(starts_at)
        .bind(ends_at)
        .bind(now)
        .fetch_one(w.tx())
        .await?;
        super::sessions::showcase_add(&mut w, product_id).await?;
        w.log(Event::SaleOpened(SaleOpened {
            sale_id: id,
            variant_id: body.variant_id,
            product_id,
            quantity,
            per_buyer_limit: limit,
            prices,
            starts_at: rfc3339(starts_at),
            ends_at: rfc3339(ends_at),
        }));
        w.commit().await?;
        // A variant that had no sale (or an ended one) here has this one now.
        self.caches.forget_sale(session_id, body.variant_id);
        self.sale(id).await
    }

    /// A sale for a market whose cross-border limits refuse orders (China's CNY 5,000 per
    /// order and 26,000 per person per year) must let every order of it be checked against
    /// them: each price's currency must convert into the limits' currency with today's rates,
    /// else 422 naming `prices.<currency>` (an order in it would be refused with 409
    /// `cross_border_limit_unknown`).
    async fn check_sale_prices(
        &self,
        markets: &[String],
        category: &str,
        prices: &BTreeMap<String, i64>,
    ) -> Result<()> {
        use silkstream_catalog::landed;
        let day = silkstream_catalog::store::today();
        let snapshot = self.catalog.landed_snapshot(day).await?;
        for market in markets {
            let Some(rule) = landed::rule_for(&snapshot.rules, market, category, day) else {
                continue;
            };
            for currency in prices.keys() {
                let code = CurrencyCode::parse(&format!("prices.{currency}"), currency)?;
                if !landed::limits_checkable(&rule.body, code, &snapshot.rates) {
                    return Err(Error::invalid(
                        format!("prices.{currency}"),
                        format!(
                            "the rate table has no rate converting {currency} into {} today: \
                             {market}'s cross-border limits (rule {}) could not be checked on an \
                             order in {currency}; price the sale in currencies with a rate",
                            rule.body.currency, rule.id
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The sale if `who` may control it (its session's host or an operator).
    pub(crate) async fn controlled_sale(&self, who: &Principal, id: i64) -> Result<SaleRow> {
        let sale = self.sale_row(id).await?;
        self.controlled_session(who, sale.session_id).await?;
        Ok(sale)
    }

    /// open → paused (`pause`) or paused → open.
    #[instrument(skip_all, fields(id))]
    pub async fn set_paused(&self, who: &Principal, id: i64, pause: bool) -> Result<FlashSale> {
        let sale = self.controlled_sale(who, id).await?;
        let (from, to) = if pause {
            ("open", "paused")
        } else {
            ("paused", "open")
        };
        let mut w = self.write(sale.session_id).await?;
        let now = w.now;
        let done = sqlx::query(
            "UPDATE flash_sales SET state = $1 WHERE id = $2 AND state = $3 AND ends_at > $4",
        )
        .bind(to)
        .bind(id)
        .bind(from)
        .bind(now)
        .execute(w.tx())
        .await?
        .rows_affected();
        if done == 0 {
            return Err(Error::conflict(
                "conflict",
                format!("only a sale that is {from} and has time left can be {to}"),
            ));
        }
        let sale = SaleRef { sale_id: id };
        w.log(if pause {
            Event::SalePaused(sale)
        } else {
            Event::SaleResumed(sale)
        });
        w.commit().await?;
        self.sale(id).await
    }

    /// Adds units from the sale's warehouse (never more than it has).
    #[instrument(skip_all, fields(id))]
    pub async fn restock(&self, who: &Principal, id: i64, quantity: i64) -> Result<FlashSale> {
        let quantity = positive("quantity", quantity, MAX_STOCK)?;
        let sale = self.controlled_sale(who, id).await?;
        let mut w = self.write(sale.session_id).await?;
        let now = w.now;
        let (state, ends_at): (String, i64) =
            sqlx::query_as("SELECT state, ends_at FROM flash_sales WHERE id = $1")
                .bind(id)
                .fetch_one(w.tx())
                .await?;
        if SaleState::parse(&state)? == SaleState::Ended || ends_at <= now {
            return Err(Error::conflict("conflict", "the sale has ended"));
        }
        if !stock::take(w.tx(), sale.variant_id, sale.warehouse_id, quantity, now)
            .await?
            .moved()
        {
            return Err(Error::conflict(
                "insufficient_stock",
                format!(
                    "the warehouse {} has fewer than {quantity} units",
                    sale.warehouse
                ),
            ));
        }
        let (remaining,): (i64,) = sqlx::query_as(
            "UPDATE flash_sales SET allocated = allocated + $1, \
             remaining = remaining + $1 WHERE id = $2 RETURNING remaining",
        )
        .bind(quantity)
        .bind(id)
        .fetch_one(w.tx())
        .await?;
        w.log(Event::SaleRestocked(SaleRestocked {
            sale_id: id,
            added: quantity,
            remaining,
        }));
        w.commit().await?;
        self.sale(id).await
    }

    /// Ends a sale and returns its unsold units to stock; a no-op when it has ended already, so
    /// any number of instances may race to do it.
    pub async fn end_sale(&self, id: i64, reason: &str) -> Result<bool> {
        let (session_id,): (i64,) =
            sqlx::query_as("SELECT session_id FROM flash_sales WHERE id = $1")
                .bind(id)
                .fetch_one(self.db.reader())
                .await?;
        let mut w = self.write(session_id).await?;
        let ended = end_sale_in(&mut w, id, reason).await?;
        w.commit().await?;
        Ok(ended)
    }

    /// Ends every sale whose time is up (of one session, or all); returns how many this call
    /// ended.
    pub async fn end_due_sales(&self, session: Option<i64>) -> Result<usize> {
        let now = now_ms();
        let due: Vec<(i64,)> = match session {
            Some(s) => {
                sqlx::query_as(
                    "SELECT id FROM flash_sales WHERE session_id = $1 AND state <> 'ended' \
                     AND ends_at <= $2 ORDER BY id",
                )
                .bind(s)
                .bind(now)
                .fetch_all(self.db.reader())
                .await?
            }
            None => sqlx::query_as(
                "SELECT id FROM flash_sales WHERE state <> 'ended' AND ends_at <= $1 ORDER BY id",
            )
            .bind(now)
            .fetch_all(self.db.reader())
            .await?,
        };
        let mut ended = 0;
        for (id,) in due {
            if self.end_sale(id, "time_up").await? {
                ended += 1;
            }
        }
        Ok(ended)
    }
}

/// Ends a sale of the write's session that has not ended and returns its remaining units to its
/// warehouse, with its event; true when this call ended it (false when it had ended already,
/// so running it twice changes nothing).
pub(crate) async fn end_sale_in(
    w: &mut SessionWrite<'_>,
    sale_id: i64,
    reason: &str,
) -> Result<bool> {
    let now = w.now;
    let row: Option<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT remaining, variant_id, warehouse_id, state FROM flash_sales WHERE id = $1 \
         AND session_id = $2",
    )
    .bind(sale_id)
    .bind(w.session.id)
    .fetch_optional(w.tx())
    .await?;
    let Some((remaining, variant_id, warehouse_id, state)) = row else {
        return Ok(false);
    };
    if SaleState::parse(&state)? == SaleState::Ended {
        return Ok(false);
    }
    let done = sqlx::query(
        "UPDATE flash_sales SET state = 'ended', remaining = 0, \
         returned = returned + $1, ended_at = $2 \
         WHERE id = $3 AND state <> 'ended' AND remaining = $1",
    )
    .bind(remaining)
    .bind(now)
    .bind(sale_id)
    .execute(w.tx())
    .await?
    .rows_affected();
    if done != 1 {
        return Err(Error::internal(
            "a sale changed under its session's lock while ending",
        ));
    }
    if remaining > 0
        && !stock::put_back(w.tx(), variant_id, warehouse_id, remaining, now)
            .await?
            .moved()
    {
        return Err(Error::internal(
            "a sale's warehouse has no stock row to return units to",
        ));
    }
    w.log(Event::SaleEnded(SaleEnded {
        sale_id,
        returned_to_stock: remaining,
        reason: reason.to_owned(),
    }));
    Ok(true)
}

/// Takes `n` units of a running sale for a batch of orders, only if it has them and is open;
/// the desk's one stock move.
pub(crate) async fn take_from_sale(
    tx: &mut silkstream_catalog::db::Conn,
    sale_id: i64,
    n: i64,
) -> Result<stock::Moved> {
    let rows = sqlx::query(
        "UPDATE flash_sales SET remaining = remaining - $1 WHERE id = $2 \
         AND remaining >= $1 AND state = 'open'",
    )
    .bind(n)
    .bind(sale_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(stock::Moved::from_rows(rows))
}

/// Gives a cancelled order's `n` units back to its sale while the sale runs: the units left
/// after, or `None` when the sale has ended (then they go to the warehouse, and the sale counts
/// them as returned).
pub(crate) async fn give_back_to_sale(
    w: &mut SessionWrite<'_>,
    sale_id: i64,
    n: i64,
) -> Result<Option<i64>> {
    let now = w.now;
    let back: Option<(i64,)> = sqlx::query_as(
        "UPDATE flash_sales SET remaining = remaining + $1 WHERE id = $2 \
         AND state <> 'ended' AND ends_at > $3 RETURNING remaining",
    )
    .bind(n)
    .bind(sale_id)
    .bind(now)
    .fetch_optional(w.tx())
    .await?;
    if back.is_none() {
        sqlx::query("UPDATE flash_sales SET returned = returned + $1 WHERE id = $2")
            .bind(n)
            .bind(sale_id)
            .execute(w.tx())
            .await?;
    }
    Ok(back.map(|(r,)| r))
}

/// An open sale as the ticker reads it: session, id, state, units left, start and end (ms).
pub type OpenSale = (i64, i64, String, i64, i64, i64);

impl FeedStore {
    /// The sales not ended of `sessions`, in id order (the latest last), in one query.
    pub(crate) async fn open_sales_of(&self, sessions: &[i64]) -> Result<Vec<OpenSale>> {
        if sessions.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT session_id, id, state, remaining, starts_at, ends_at FROM flash_sales \
             WHERE state <> 'ended' AND session_id IN ({}) ORDER BY id",
            placeholders(1, sessions.len())
        );
        let mut q = sqlx::query_as(&sql);
        for session_id in sessions {
            q = q.bind(*session_id);
        }
        Ok(q.fetch_all(self.db.reader()).await?)
    }
}
