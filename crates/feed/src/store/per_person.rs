//! Per-person landed-cost rules inside the order's transaction (docs/cross-border.md, "Where
//! it is read"). China's CNY 5,000 / 26,000 limits and Uzbekistan's monthly USD 200 count the
//! buyer's earlier orders; read before the transaction, two orders of one buyer placed at the
//! same instant (in one session or in two, whose locks differ) would each see the other
//! missing. So the write that places such an order, after the session's lock:
//!
//! 1. locks the buyers' rows ([`lock_buyers`]: on PostgreSQL `FOR UPDATE`, in token-id order;
//!    SQLite runs one write transaction at a time), so that every transaction placing a
//!    per-person order of the buyer, whichever session it is in, waits for the others;
//!    an order into China counts per **person** instead (the orderer's ID number, whatever
//!    token or session orders): its person's row in `cross_border_persons` is upserted, which
//!    locks it, in id-hash order after the buyers ([`lock_persons`]);
//! 2. reads their earlier totals once ([`Ledger::read`]: one query per kind, after the lock,
//!    so under READ COMMITTED it sees every order the lock's previous holders committed; a
//!    person's total also counts their token's orders from before orderers were recorded);
//! 3. decides each order in order ([`Ledger::decide`]) and counts an accepted one for the next
//!    ([`Ledger::count`]): the quote stored with the order is the one decided here.

use std::collections::HashMap;
use std::sync::Arc;

use silkstream_catalog::codes::CurrencyCode;
use silkstream_catalog::db::{placeholders, Conn};
use silkstream_catalog::landed::{self, Earlier, QuoteInput, Rule};
use silkstream_catalog::landed_store::{BoxFuture, BuyerHistory};
use silkstream_catalog::store::RateTable;

use super::{PendingOrder, Placed};
use crate::domain::error::{Error, Result};

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

/// Whose earlier orders a per-person rule counts for an order: the orderer's (by their ID
/// number's hash) for an order that names one (CN), else the buyer token's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Who {
    Token(i64),
    Person(String),
}

fn who(o: &PendingOrder) -> Who {
    match &o.orderer {
        Some(p) => Who::Person(p.id_hash.clone()),
        None => Who::Token(o.buyer_token_id),
    }
}

/// The buyers of `orders` whose orders a per-person rule decides by token, sorted and without
/// repeats.
pub(crate) fn buyers_of(orders: &[&PendingOrder]) -> Vec<i64> {
    let mut ids: Vec<i64> = orders
        .iter()
        .filter(|o| o.per_person.is_some() && o.orderer.is_none())
        .map(|o| o.buyer_token_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The persons (ID-number hashes) of `orders` whose orders a per-person rule decides, sorted
/// and without repeats.
pub(crate) fn persons_of(orders: &[&PendingOrder]) -> Vec<String> {
    let mut ids: Vec<String> = orders
        .iter()
        .filter(|o| o.per_person.is_some())
        .filter_map(|o| o.orderer.as_ref().map(|p| p.id_hash.clone()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Locks the rows of `persons` (sorted) in `cross_border_persons`, in that order, creating
/// those not there yet: one upsert, whose `DO UPDATE` locks an existing row and whose insert
/// holds a new one until the commit (a second transaction inserting it waits, then updates
/// and locks it). The lock order's step 2, after the buyers' rows (`super::write`).
pub(crate) async fn lock_persons(tx: &mut Conn, persons: &[String], now: i64) -> Result<()> {
    if persons.is_empty() {
        return Ok(());
    }
    let mut params = silkstream_catalog::db::Params::new(tx);
    let values: Vec<String> = persons
        .iter()
        .map(|_| format!("({})", params.list(2)))
        .collect();
    let sql = format!(
        "INSERT INTO cross_border_persons (id_hash, created_at) VALUES {} \
         ON CONFLICT (id_hash) DO UPDATE SET id_hash = excluded.id_hash",
        values.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for p in persons {
        q = q.bind(p.as_str()).bind(now);
    }
    q.execute(&mut *tx).await?;
    Ok(())
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
    earlier: HashMap<(Who, String), Earlier>,
    /// The orders that name no orderer (placed before orderers were recorded) of the tokens
    /// that place orders counted per person: they count for the person ordering on the token.
    unnamed: HashMap<(i64, String), Earlier>,
}

impl Ledger {
    /// Reads the earlier totals (this month, this year, not cancelled) of the buyers and
    /// persons of `orders` that a per-person rule decides, in one query each per market (the
    /// month and the year are the market's calendar: `period_starts`; [`earlier_totals`]);
    /// call it after [`lock_buyers`] and [`lock_persons`].
    pub(crate) async fn read(tx: &mut Conn, orders: &[&PendingOrder], now: i64) -> Result<Self> {
        let mut ledger = Ledger::default();
        let mut markets: Vec<&str> = orders
            .iter()
            .filter(|o| o.per_person.is_some())
            .map(|o| o.market.as_str())
            .collect();
        markets.sort_unstable();
        markets.dedup();
        for market in markets {
            let of: Vec<&PendingOrder> = orders
                .iter()
                .filter(|o| o.market == market)
                .copied()
                .collect();
            ledger.read_market(tx, &of, market, now).await?;
        }
        Ok(ledger)
    }

    /// [`Ledger::read`] for the orders of one market.
    async fn read_market(
        &mut self,
        tx: &mut Conn,
        orders: &[&PendingOrder],
        market: &str,
        now: i64,
    ) -> Result<()> {
        let ledger = self;
        let persons = persons_of(orders);
        ledger
            .earlier
            .extend(earlier_totals(tx, Counted::Persons(&persons), market, now).await?);
        let mut named: Vec<i64> = orders
            .iter()
            .filter(|o| o.per_person.is_some() && o.orderer.is_some())
            .map(|o| o.buyer_token_id)
            .collect();
        named.sort_unstable();
        named.dedup();
        for ((who, market), earlier) in
            earlier_totals(tx, Counted::UnnamedOfTokens(&named), market, now).await?
        {
            if let Who::Token(buyer) = who {
                ledger.unnamed.insert((buyer, market), earlier);
            }
        }
        let buyers = buyers_of(orders);
        ledger
            .earlier
            .extend(earlier_totals(tx, Counted::Tokens(&buyers), market, now).await?);
        Ok(())
    }

    /// The order's landed-cost quote (as stored with it) given what the ledger holds, or the
    /// refusal (`cross_border_limit` over a limit, `cross_border_limit_unknown` when a limit
    /// cannot be checked). `None` for an order no per-person rule decides: its quote from
    /// intake stands.
    pub(crate) fn decide(&self, o: &PendingOrder) -> Result<Option<Result<String, Placed>>> {
        let Some(p) = &o.per_person else {
            return Ok(None);
        };
        let currency = CurrencyCode::parse("currency", &o.currency)?;
        let empty = Earlier::default();
        let mut earlier = self
            .earlier
            .get(&(who(o), o.market.clone()))
            .unwrap_or(&empty)
            .clone();
        if o.orderer.is_some() {
            // The token's orders from before orderers were recorded count for its person too.
            if let Some(u) = self.unnamed.get(&(o.buyer_token_id, o.market.clone())) {
                earlier.month.extend(u.month.iter().cloned());
                earlier.year.extend(u.year.iter().cloned());
            }
        }
        let earlier = &earlier;
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
        if let Some(refusal) = limit_refusal(&quote) {
            return Ok(Some(Err(refusal)));
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
        let e = self.earlier.entry((who(o), o.market.clone())).or_default();
        e.month.push((o.currency.clone(), total));
        e.year.push((o.currency.clone(), total));
    }
}

/// Whose earlier orders [`earlier_totals`] sums.
pub(crate) enum Counted<'a> {
    /// Every order of these buyer tokens.
    Tokens(&'a [i64]),
    /// The orders of these buyer tokens that name no orderer (placed before orderers were
    /// recorded): they count for the person ordering on the token.
    UnnamedOfTokens(&'a [i64]),
    /// Every order naming one of these persons (ID-number hashes) as its orderer.
    Persons(&'a [String]),
}

/// **The one computation of earlier totals**: the orders of `counted` not cancelled, summed
/// per (buyer or person, market, currency) this month and this year (UTC) before `now`, in one
/// query. The order's transaction reads them after its locks ([`Ledger::read`]); the catalog's
/// quotes through [`FeedBuyers`] (its `BuyerHistory`).
pub(crate) async fn earlier_totals(
    conn: &mut Conn,
    counted: Counted<'_>,
    market: &str,
    now: i64,
) -> Result<HashMap<(Who, String), Earlier>> {
    let (key, filter, n) = match &counted {
        Counted::Tokens(ids) => ("buyer_token_id", "buyer_token_id", ids.len()),
        Counted::UnnamedOfTokens(ids) => (
            "buyer_token_id",
            "orderer_id_hash IS NULL AND buyer_token_id",
            ids.len(),
        ),
        Counted::Persons(ids) => ("orderer_id_hash", "orderer_id_hash", ids.len()),
    };
    let mut totals: HashMap<(Who, String), Earlier> = HashMap::new();
    if n == 0 {
        return Ok(totals);
    }
    // This month and this year in the market's calendar.
    let (month, year) = silkstream_catalog::landed_store::period_starts(now, market);
    // The key is read as text whatever its column's type, so one row type serves every kind.
    let sql = format!(
        "SELECT CAST({key} AS TEXT), market, currency, \
         CAST(SUM(CASE WHEN created_at >= $1 THEN total_minor ELSE 0 END) AS BIGINT), \
         CAST(SUM(total_minor) AS BIGINT) \
         FROM orders WHERE {filter} IN ({}) AND status <> 'cancelled' AND created_at >= $2 \
         AND market = $3 GROUP BY {key}, market, currency ORDER BY {key}, market, currency",
        placeholders(4, n)
    );
    let mut q = sqlx::query_as::<_, (String, String, String, i64, i64)>(&sql)
        .bind(month)
        .bind(year)
        .bind(market);
    match counted {
        Counted::Tokens(ids) | Counted::UnnamedOfTokens(ids) => {
            for id in ids {
                q = q.bind(*id);
            }
        }
        Counted::Persons(ids) => {
            for id in ids {
                q = q.bind(id.as_str());
            }
        }
    }
    let person = matches!(counted, Counted::Persons(_));
    for (who, market, currency, m, y) in q.fetch_all(&mut *conn).await? {
        let who = if person {
            Who::Person(who)
        } else {
            Who::Token(
                who.parse()
                    .map_err(|_| Error::internal(format!("a buyer token id read as {who:?}")))?,
            )
        };
        let e = totals.entry((who, market)).or_default();
        if m > 0 {
            e.month.push((currency.clone(), m));
        }
        e.year.push((currency, y));
    }
    Ok(totals)
}

/// The earlier totals of one buyer token's orders to `market` (the catalog's quotes and
/// intake's fast refusal): [`earlier_totals`] of the one token.
pub(crate) async fn buyer_earlier(
    conn: &mut Conn,
    buyer_token_id: i64,
    market: &str,
    now: i64,
) -> Result<Earlier> {
    let mut totals = earlier_totals(conn, Counted::Tokens(&[buyer_token_id]), market, now).await?;
    Ok(totals
        .remove(&(Who::Token(buyer_token_id), market.to_owned()))
        .unwrap_or_default())
}

/// The catalog's view of the buyers (`silkstream_catalog::landed_store::BuyerHistory`): their
/// earlier totals and profile countries, read by the store that owns `orders` and `buyers`.
#[derive(Debug, Clone)]
pub struct FeedBuyers {
    pub(crate) db: silkstream_catalog::Db,
}

impl BuyerHistory for FeedBuyers {
    fn earlier<'a>(
        &'a self,
        buyer_token_id: i64,
        country: &'a str,
        now: i64,
    ) -> BoxFuture<'a, silkstream_catalog::Result<Earlier>> {
        Box::pin(async move {
            let mut conn = self.db.reader().acquire().await?;
            buyer_earlier(&mut conn, buyer_token_id, country, now)
                .await
                .map_err(|e| match e {
                    Error::Base(e) => e,
                    other => silkstream_catalog::Error::internal(other),
                })
        })
    }

    fn country(
        &self,
        buyer_token_id: i64,
    ) -> BoxFuture<'_, silkstream_catalog::Result<Option<String>>> {
        Box::pin(async move {
            let row: Option<(String,)> =
                sqlx::query_as("SELECT country FROM buyers WHERE token_id = $1")
                    .bind(buyer_token_id)
                    .fetch_optional(self.db.reader())
                    .await?;
            Ok(row.map(|(c,)| c))
        })
    }
}

/// The refusal of an order whose quote is over a `refuse` limit ([`Placed::OverLimit`], 409
/// `cross_border_limit`) or cannot be checked against one (409 `cross_border_limit_unknown`),
/// with the quote's warning as the message; `None` for a quote within its limits.
pub(crate) fn limit_refusal(quote: &landed::LandedQuote) -> Option<Placed> {
    let (code, why) = if quote.limit_unknown {
        ("cross_border_limit_unknown", "cross_border_limit_unknown")
    } else if quote.limit_exceeded {
        ("cross_border_limit", "cross_border_limit")
    } else {
        return None;
    };
    let message = quote
        .warnings
        .iter()
        .find(|w| w.code == why)
        .map(|w| w.message.clone())
        .unwrap_or_default();
    Some(Placed::OverLimit { code, message })
}
