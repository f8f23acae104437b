//! Per-person landed-cost rules inside the order's transaction (docs/cross-border.md, "Where
//! it is read"). China's CNY 5,000 / 26,000 limits and Uzbekistan's monthly USD 200 count the
//! buyer's earlier orders; read before the transaction, two orders of one buyer placed at the
//! same instant (in one session or in two, whose locks differ) would each see the other
//! missing. So the write that places such an order, after the session's lock:
//!
//! 1. locks the buyers' rows ([`lock_buyers`]: on PostgreSQL `FOR UPDATE`, in token-id order;
//!    SQLite runs one write transaction at a time), so that every transaction placing a
//!    per-person order of the buyer, whichever session it is in, waits for the others;
//! 2. reads their earlier totals once ([`Ledger::read`]: one query, after the lock, so under
//!    READ COMMITTED it sees every order the lock's previous holders committed);
//! 3. decides each order in order ([`Ledger::decide`]) and counts an accepted one for the next
//!    ([`Ledger::count`]): the quote stored with the order is the one decided here.

use std::collections::HashMap;
use std::sync::Arc;

use silkstream_catalog::codes::CurrencyCode;
use silkstream_catalog::db::{placeholders, Conn};
use silkstream_catalog::landed::{self, Earlier, QuoteInput, Rule};
use silkstream_catalog::store::RateTable;

use super::PendingOrder;
use crate::error::{Error, Result};

/// What deciding an order's per-person quote again in its transaction needs: the rule intake
/// chose (it counts per person) and the rates it was quoted with, from the same snapshot.
#[derive(Debug, Clone)]
pub struct PerPerson {
    pub rule: Rule,
    pub rates: Arc<RateTable>,
    pub category: String,
    pub weight_g: i64,
    pub day: time::Date,
}

/// The buyers of `orders` whose orders a per-person rule decides, sorted and without repeats.
pub(crate) fn buyers_of(orders: &[&PendingOrder]) -> Vec<i64> {
    let mut ids: Vec<i64> = orders
        .iter()
        .filter(|o| o.per_person.is_some())
        .map(|o| o.buyer_token_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Locks the rows of `buyers` (sorted) on PostgreSQL, in that order: the lock order's step 2
/// (`super::write`). Nothing on SQLite, whose writer is alone.
pub(crate) async fn lock_buyers(tx: &mut Conn, buyers: &[i64]) -> Result<()> {
    if buyers.is_empty() || !tx.backend_name().eq_ignore_ascii_case("postgresql") {
        return Ok(());
    }
    let list = placeholders(1, buyers.len());
    // ORDER BY under FOR UPDATE: PostgreSQL locks the rows as they come out of the sort.
    let sql = format!(
        "SELECT token_id FROM buyers WHERE token_id IN ({list}) ORDER BY token_id FOR UPDATE"
    );
    let mut q = sqlx::query_as::<_, (i64,)>(&sql);
    for b in buyers {
        q = q.bind(*b);
    }
    q.fetch_all(&mut *tx).await?;
    Ok(())
}

/// The earlier totals of the buyers of a write, per (buyer, market), counting the orders this
/// write accepted so far.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    earlier: HashMap<(i64, String), Earlier>,
}

impl Ledger {
    /// Reads the earlier totals (this month, this year, not cancelled) of the buyers of
    /// `orders` that a per-person rule decides, in one query; call it after [`lock_buyers`].
    pub(crate) async fn read(tx: &mut Conn, orders: &[&PendingOrder], now: i64) -> Result<Self> {
        let buyers = buyers_of(orders);
        let mut ledger = Ledger::default();
        if buyers.is_empty() {
            return Ok(ledger);
        }
        let (month, year) = silkstream_catalog::landed_store::period_starts(now);
        let sql = format!(
            "SELECT buyer_token_id, market, currency, \
             CAST(SUM(CASE WHEN created_at >= $1 THEN total_minor ELSE 0 END) AS BIGINT), \
             CAST(SUM(total_minor) AS BIGINT) \
             FROM orders WHERE buyer_token_id IN ({}) AND status <> 'cancelled' \
             AND created_at >= $2 GROUP BY buyer_token_id, market, currency \
             ORDER BY buyer_token_id, market, currency",
            placeholders(3, buyers.len())
        );
        let mut q = sqlx::query_as::<_, (i64, String, String, i64, i64)>(&sql)
            .bind(month)
            .bind(year);
        for b in &buyers {
            q = q.bind(*b);
        }
        for (buyer, market, currency, m, y) in q.fetch_all(&mut *tx).await? {
            let e = ledger.earlier.entry((buyer, market)).or_default();
            if m > 0 {
                e.month.push((currency.clone(), m));
            }
            e.year.push((currency, y));
        }
        Ok(ledger)
    }

    /// The order's landed-cost quote (as stored with it) given what the ledger holds, or the
    /// `cross_border_limit` refusal's message when it is over a limit. `None` for an order
    /// no per-person rule decides: its quote from intake stands.
    pub(crate) fn decide(&self, o: &PendingOrder) -> Result<Option<Result<String, String>>> {
        let Some(p) = &o.per_person else {
            return Ok(None);
        };
        let currency = CurrencyCode::parse("currency", &o.currency)?;
        let empty = Earlier::default();
        let earlier = self
            .earlier
            .get(&(o.buyer_token_id, o.market.clone()))
            .unwrap_or(&empty);
        let quote = landed::compute(
            Some(&p.rule),
            &QuoteInput {
                country: &o.market,
                category: &p.category,
                currency,
                quantity: o.quantity,
                goods_minor: o.unit_price_minor.saturating_mul(o.quantity),
                weight_g: p.weight_g.saturating_mul(o.quantity),
                day: p.day,
            },
            earlier,
            &p.rates,
        );
        if quote.limit_exceeded {
            let why = quote
                .warnings
                .iter()
                .find(|w| w.code == "cross_border_limit")
                .map(|w| w.message.clone())
                .unwrap_or_default();
            return Ok(Some(Err(why)));
        }
        Ok(Some(Ok(
            serde_json::to_string(&quote).map_err(Error::internal)?
        )))
    }

    /// Counts an accepted order toward its buyer's later orders in the same write.
    pub(crate) fn count(&mut self, o: &PendingOrder) {
        if o.per_person.is_none() {
            return;
        }
        let total = o.unit_price_minor.saturating_mul(o.quantity);
        let e = self
            .earlier
            .entry((o.buyer_token_id, o.market.clone()))
            .or_default();
        e.month.push((o.currency.clone(), total));
        e.year.push((o.currency.clone(), total));
    }
}
