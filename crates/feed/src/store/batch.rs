//! The order desk's batch transaction: the flash-sale hot path (design, "The hot path"). One
//! call decides and writes one batch of a sale's orders in ONE transaction on the one write
//! path ([`super::write`]):
//!
//! 1. lock the session (and read its state, then the clock);
//! 2. read every order's key in one query — a key that names a committed order is a replay,
//!    whatever the stock says now —, the rate table in force on the batch's UTC date, the
//!    session's running totals and the batch's buyers' units in this sale (once per batch);
//!    then, for each order in arrival order, its rate and CNY value and whether the totals can
//!    hold it (else `total_overflow`), the session's and the sale's state and time, the units
//!    left, and the buyer's units in this sale with the batch's earlier orders of the buyer
//!    (the per-buyer limit), all in memory;
//! 3. insert the accepted orders in (buyer, key) order, `ON CONFLICT DO NOTHING`, in one
//!    multi-row statement per power-of-two chunk (64 + 16 + …: a few distinct statements,
//!    prepared once): two sessions' batches that share keys queue on them instead of
//!    deadlocking; a key another transaction took meanwhile rolls the batch back to be decided
//!    again, when the key's order is visible;
//! 4. add each buyer's accepted units to `sale_buyers` with one guarded upsert (no count may
//!    pass the limit; its row count is read: a buyer held back means the counts moved under the
//!    batch, which is decided again), then take the batch's units with one conditional update
//!    of the sale ([`super::sales::take_from_sale`]); when it moves nothing, another writer
//!    took units first: roll back, decide again;
//! 5. log the events (appended in one statement) and commit.
//!
//! The qualification gate ([`super::gate`]) is asked in step 2, once per market of the batch.
//! Before step 2, the buyers of the batch whose orders a per-person cross-border rule decides
//! (CN, UZ) are locked in token-id order, then the persons (by ID number) of its orders into
//! China in id-hash order, and their earlier totals read ([`super::per_person`]); in step 2 each such order is quoted again with them, counting the
//! batch's earlier accepted orders of the buyer: over a limit it is refused
//! (`cross_border_limit`), else it is stored with that quote.
//!
//! Also before step 2, the batch's buyers' tokens are read (`FOR KEY SHARE` on PostgreSQL): an
//! order whose token was revoked, has expired or was deleted since an instance checked it from
//! memory ([`crate::store::cache`]) is refused (`Placed::Unauthorized`, 401) before its key is read
//! ([`Known`], which the regular batch, [`super::regular`], reads the same way).
//! So are the batch's variants that were archived (or whose product was): intake took the
//! variant's facts from memory, and an order of an archived variant is refused
//! (`Placed::Archived`, 422) after its key is read (a replay still answers its order).
//!
//! The caller answers the buyers only after the commit, from what the batch wrote
//! ([`super::Written`]), without reading the orders back.

use std::collections::{BTreeMap, HashMap};

use silkstream_catalog::db::Params;

use super::write::SessionWrite;
use super::{
    counted, insert_orders, keys_in_tx, log, order_event, value_order, FeedStore, NewOrderRow,
    PendingOrder, Placed, Valued, Written,
};
use crate::domain::error::{Error, Refusal, Result};
use crate::domain::model::{SaleState, SessionState};

/// What became of one order of a batch before the inserts; `A` is what an accepted order
/// carries to them (a sale's: its value and landed-cost quote; a regular order's also the
/// warehouse its units came from).
pub(super) enum Decision<A> {
    /// Answered already: a replay or a refusal.
    Final(Placed),
    /// Accepted: inserted in the second step.
    Accepted(A),
    /// A second copy of the accepted order at this index: its replay.
    CopyOf(usize),
}

/// What a desk writer decides: a flash sale's orders, or one session's regular orders (a
/// product on the showcase, no sale open: [`super::regular`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Line {
    Sale(i64),
    Regular { session_id: i64 },
}

impl Line {
    /// The sale, for a sale's line.
    pub(crate) fn sale(self) -> Option<i64> {
        match self {
            Line::Sale(id) => Some(id),
            Line::Regular { .. } => None,
        }
    }
}

/// What one attempt at a batch came to.
pub(crate) enum Attempt {
    /// Committed: one outcome per order, in order.
    Done(Vec<Placed>),
    /// The sale or a key changed under the batch: nothing written, decide again.
    Again,
}

impl FeedStore {
    /// Begins a batch's write on session `session_id`: its row lock first (see `write`); the
    /// desk measures how long that takes (`/metrics`: its wait for other writers of the
    /// session).
    pub(crate) async fn begin_batch(&self, session_id: i64) -> Result<SessionWrite<'_>> {
        self.write(session_id).await
    }

    /// Decides and writes one batch of `line`'s orders in `w`, begun on their session: a sale's
    /// here, regular orders in [`super::regular`]; committed when done, rolled back when it is
    /// to be decided again.
    pub(crate) async fn write_batch_in(
        &self,
        mut w: SessionWrite<'_>,
        line: Line,
        batch: &[&PendingOrder],
    ) -> Result<Attempt> {
        if batch.is_empty() {
            return Ok(Attempt::Done(Vec::new()));
        }
        let window = self.payment_window_ms();
        let outcome = match line {
            Line::Sale(sale_id) => decide(&mut w, sale_id, batch, window).await?,
            Line::Regular { .. } => super::regular::decide(&mut w, batch, window).await?,
        };
        match outcome {
            Attempt::Done(_) => w.commit().await?,
            Attempt::Again => drop(w),
        }
        Ok(outcome)
    }
}

async fn decide(
    w: &mut SessionWrite<'_>,
    sale_id: i64,
    batch: &[&PendingOrder],
    payment_window_ms: i64,
) -> Result<Attempt> {
    let session_id = w.session.id;
    let now = w.now;
    let pay_by = now.saturating_add(payment_window_ms);
    let (state, remaining, limit, starts_at, ends_at, warehouse_id): (
        String,
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = sqlx::query_as(
        "SELECT state, remaining, per_buyer_limit, starts_at, ends_at, warehouse_id \
         FROM flash_sales WHERE id = $1 AND session_id = $2",
    )
    .bind(sale_id)
    .bind(session_id)
    .fetch_optional(w.tx())
    .await?
    .ok_or_else(|| Error::internal(format!("sale {sale_id} is not in session {session_id}")))?;
    let state = SaleState::parse(&state)?;
    // The per-person buyers' rows, in token-id order, then their earlier totals (one query).
    super::per_person::lock_buyers(w.tx(), &super::per_person::buyers_of(batch)).await?;
    super::per_person::lock_persons(w.tx(), &super::per_person::persons_of(batch), now).await?;
    let mut ledger = super::per_person::Ledger::read(w.tx(), batch, now).await?;
    let known = Known::read(w.tx(), batch, now).await?;
    let mut left = remaining;
    let mut outcomes: Vec<Decision<(Valued, Option<String>)>> = Vec::with_capacity(batch.len());
    // Orders accepted so far in this batch, by key: a second copy in the same batch is a replay.
    let mut accepted: HashMap<(i64, &str), usize> = HashMap::new();
    // The rate table in force on the batch's date, once per batch, and the session's totals:
    // an order that would take a total past 64 bits is refused before anything of it is
    // written.
    let rates =
        silkstream_catalog::store::rate_table_in(w.tx(), silkstream_catalog::store::utc_date(now))
            .await?;
    let mut totals = log::read_totals(w.tx(), session_id).await?;
    let mut projected = totals.clone();
    let mut gate: HashMap<String, Option<Refusal>> = HashMap::new();
    // Each buyer's units in this sale so far (one query), and what this batch adds to them.
    let mut units = buyer_units(w.tx(), sale_id, batch).await?;
    let mut added: BTreeMap<i64, i64> = BTreeMap::new();
    for (i, o) in batch.iter().enumerate() {
        if let Some(early) = known.early(o, &accepted) {
            outcomes.push(early);
            continue;
        }
        let refusal = if w.session.state != SessionState::Live {
            Some(Refusal::NotLive)
        } else if state == SaleState::Ended || now >= ends_at {
            Some(Refusal::SaleEnded)
        } else if state == SaleState::Paused {
            Some(Refusal::SalePaused)
        } else if now < starts_at {
            Some(Refusal::SaleNotStarted)
        } else if o.quantity > left {
            Some(Refusal::SoldOut)
        } else if o.quantity > limit {
            Some(Refusal::LimitReached { limit })
        } else {
            None
        };
        // The qualification gate (docs/cross-border.md), once per market of the batch.
        let refusal = match (refusal, gate.get(&o.market)) {
            (Some(r), _) => Some(r),
            (None, Some(r)) => *r,
            (None, None) => {
                let r = super::gate::order_refusal_in(w.tx(), o.product_id, &o.market, now).await?;
                gate.insert(o.market.clone(), r);
                r
            }
        };
        if let Some(r) = refusal {
            outcomes.push(Decision::Final(Placed::Refused(r)));
            continue;
        }
        let landed_cost = match ledger.decide(o)? {
            None => o.landed_cost.clone(),
            Some(Ok(quote)) => Some(quote),
            Some(Err(refusal)) => {
                outcomes.push(Decision::Final(refusal));
                continue;
            }
        };
        let mut trial = projected.clone();
        let value = match value_order(&rates, o) {
            Ok(v) if log::count(&mut trial, counted(o, &v), 1).is_ok() => v,
            _ => {
                outcomes.push(Decision::Final(Placed::Refused(Refusal::TotalOverflow)));
                continue;
            }
        };
        // The per-buyer limit, against the buyers' units read under the session's lock and
        // this batch's accepted orders; written (and its guard checked) after the loop.
        let had = units.get(&o.buyer_token_id).copied().unwrap_or(0);
        if had.saturating_add(o.quantity) > limit {
            outcomes.push(Decision::Final(Placed::Refused(Refusal::LimitReached {
                limit,
            })));
            continue;
        }
        units.insert(o.buyer_token_id, had + o.quantity);
        *added.entry(o.buyer_token_id).or_insert(0) += o.quantity;
        left -= o.quantity;
        projected = trial;
        ledger.count(o);
        accepted.insert((o.buyer_token_id, o.idempotency_key.as_str()), i);
        outcomes.push(Decision::Accepted((value, landed_cost)));
    }
    let taken = remaining - left;
    let mut ids: HashMap<usize, i64> = HashMap::new();
    let mut modes = None;
    if taken > 0 {
        // Inserts in (buyer, key) order: the one order in which every transaction takes keys.
        let mut order: Vec<usize> = accepted.values().copied().collect();
        order.sort_by(|a, b| {
            (batch[*a].buyer_token_id, &batch[*a].idempotency_key)
                .cmp(&(batch[*b].buyer_token_id, &batch[*b].idempotency_key))
        });
        let mut rows = Vec::with_capacity(order.len());
        for &i in &order {
            let Decision::Accepted((value, landed_cost)) = &outcomes[i] else {
                return Err(Error::internal("an accepted order lost its decision"));
            };
            rows.push(NewOrderRow {
                order: batch[i],
                value,
                landed_cost: landed_cost.as_deref(),
            });
        }
        let kind = silkstream_catalog::customs::warehouse_kind_in(w.tx(), warehouse_id).await?;
        let written = insert_orders(w.tx(), &rows, warehouse_id, kind, now, pay_by).await?;
        modes = Some(kind);
        for &i in &order {
            let o = batch[i];
            match written.get(&(o.buyer_token_id, o.idempotency_key.clone())) {
                Some(&id) => {
                    ids.insert(i, id);
                }
                // Another transaction took the key meanwhile.
                None => return Ok(Attempt::Again),
            }
        }
        if !add_buyer_units(w.tx(), sale_id, &added, limit).await? {
            return Ok(Attempt::Again);
        }
        if !super::sales::take_from_sale(w.tx(), sale_id, taken)
            .await?
            .moved()
        {
            return Ok(Attempt::Again);
        }
    }
    // Events and answers in arrival order, each with the units left after it.
    let decided = |o: &PendingOrder| {
        modes.map(|kind| {
            crate::domain::customs::decide(
                kind,
                o.quantity,
                o.customs_mode.as_deref(),
                o.b2c_max_quantity,
            )
        })
    };
    let mut changed: Vec<String> = Vec::new();
    let mut after = remaining;
    let mut placed = Vec::with_capacity(batch.len());
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let o = batch[i];
        placed.push(match outcome {
            Decision::CopyOf(first) => Placed::Duplicate {
                order_id: inserted(&ids, first)?,
            },
            Decision::Final(p) => p,
            Decision::Accepted((value, landed_cost)) => {
                let order_id = inserted(&ids, i)?;
                after -= o.quantity;
                // Counted in the same order as when decided, so it fits.
                log::count(&mut totals, counted(o, &value), 1)
                    .map_err(|_| Error::internal("a decided order no longer fits the totals"))?;
                if !changed.contains(&o.currency) {
                    changed.push(o.currency.clone());
                }
                w.log(order_event(o, order_id, Some(after), &totals));
                Placed::Confirmed {
                    order_id,
                    remaining: Some(after),
                    // What the insert wrote: the buyer's answer is built from it.
                    written: Some(Box::new(Written {
                        created_at: now,
                        pay_by,
                        warehouse_id,
                        rate_cny: value.rate,
                        value_cny_fen: value.cny_fen,
                        landed_cost,
                        customs_mode: decided(o).map(|m| m.code.to_owned()),
                        customs_reason: decided(o).map(|m| m.reason.to_owned()),
                        warehouse: None,
                    })),
                }
            }
        });
    }
    if taken > 0 && after == 0 {
        w.log(crate::domain::events::Event::SaleSoldOut(
            crate::domain::events::SaleRef { sale_id },
        ));
    }
    log::write_totals(w.tx(), session_id, &totals, &changed).await?;
    Ok(Attempt::Done(placed))
}

/// What a batch reads of its orders before deciding any of them, one query each.
pub(super) struct Known {
    /// The buyers whose tokens still authenticate (not revoked, expired or deleted): a token
    /// checked from an instance's memory is decided again here, so a revocation stops orders at
    /// once on every instance, and an order of a deleted guest is refused instead of failing
    /// the batch on the orders' foreign key.
    authentic: std::collections::HashSet<i64>,
    /// The variants archived since intake checked them (from memory).
    archived: std::collections::HashSet<i64>,
    /// The orders the batch's keys name already: (buyer, key) → order id.
    keys: HashMap<(i64, String), i64>,
}

impl Known {
    /// Reads the batch's tokens (`FOR KEY SHARE` on PostgreSQL), archived variants and keys.
    pub(super) async fn read(
        tx: &mut silkstream_catalog::db::Conn,
        batch: &[&PendingOrder],
        now: i64,
    ) -> Result<Self> {
        let authentic = live_tokens(tx, batch, now).await?;
        let archived = archived_variants(tx, batch).await?;
        let keys: Vec<(i64, &str)> = batch
            .iter()
            .map(|o| (o.buyer_token_id, o.idempotency_key.as_str()))
            .collect();
        let keys = keys_in_tx(tx, &keys).await?;
        Ok(Self {
            authentic,
            archived,
            keys,
        })
    }

    /// In this order: a token that no longer authenticates (401), a key that names a committed
    /// order (its replay, whatever the stock or the sale says now), a second copy of an order
    /// the batch accepted (`accepted`: key → index), an archived variant (422); `None` when the
    /// order is to be decided.
    pub(super) fn early<A>(
        &self,
        o: &PendingOrder,
        accepted: &HashMap<(i64, &str), usize>,
    ) -> Option<Decision<A>> {
        if !self.authentic.contains(&o.buyer_token_id) {
            return Some(Decision::Final(Placed::Unauthorized));
        }
        if let Some(&order_id) = self
            .keys
            .get(&(o.buyer_token_id, o.idempotency_key.clone()))
        {
            return Some(Decision::Final(Placed::Duplicate { order_id }));
        }
        if let Some(&first) = accepted.get(&(o.buyer_token_id, o.idempotency_key.as_str())) {
            return Some(Decision::CopyOf(first));
        }
        if self.archived.contains(&o.variant_id) {
            return Some(Decision::Final(Placed::Archived));
        }
        None
    }
}

/// Of the batch's buyers, those whose tokens can still authenticate at `now`, in one query; on
/// PostgreSQL `FOR KEY SHARE` keeps their rows until the commit (the lock the orders' foreign
/// key takes anyway, taken before the inserts: a revocation, an update of `revoked_at`, does
/// not wait on it; the guest sweeper's delete does, holding only the buyer's row, which the
/// lock order's step 2 takes earlier when it applies).
async fn live_tokens(
    tx: &mut silkstream_catalog::db::Conn,
    batch: &[&PendingOrder],
    now: i64,
) -> Result<std::collections::HashSet<i64>> {
    let ids = distinct(batch, |o| o.buyer_token_id);
    Ok(silkstream_catalog::tokens::live_among(tx, &ids, now).await?)
}

/// Of the batch's variants, those archived (or whose product is), in one query of the
/// catalog's (`facts::archived_among`) in the batch's transaction.
async fn archived_variants(
    tx: &mut silkstream_catalog::db::Conn,
    batch: &[&PendingOrder],
) -> Result<std::collections::HashSet<i64>> {
    let ids = distinct(batch, |o| o.variant_id);
    Ok(silkstream_catalog::facts::archived_among(tx, &ids).await?)
}

/// Each of the batch's buyers' units in the sale so far, in one query (under the session's
/// lock, which every writer of `sale_buyers` holds: the batch's own guard in
/// [`add_buyer_units`] checks it all the same).
async fn buyer_units(
    tx: &mut silkstream_catalog::db::Conn,
    sale_id: i64,
    batch: &[&PendingOrder],
) -> Result<HashMap<i64, i64>> {
    let ids = distinct(batch, |o| o.buyer_token_id);
    let mut params = Params::new(tx);
    let sale = params.one();
    let list = params.list(ids.len());
    let sql = format!(
        "SELECT buyer_token_id, units FROM sale_buyers WHERE sale_id = {sale} \
         AND buyer_token_id IN ({list})"
    );
    let mut q = sqlx::query_as::<_, (i64, i64)>(&sql).bind(sale_id);
    for id in &ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(&mut *tx).await?.into_iter().collect())
}

/// Adds the batch's accepted units to each buyer's count in the sale, in one guarded upsert per
/// power-of-two chunk: a count that would pass `limit` is not written. True when every buyer's
/// row was written; false when the guard held one back (the counts changed under the batch:
/// the caller decides it again).
async fn add_buyer_units(
    tx: &mut silkstream_catalog::db::Conn,
    sale_id: i64,
    added: &BTreeMap<i64, i64>,
    limit: i64,
) -> Result<bool> {
    let all: Vec<(i64, i64)> = added.iter().map(|(b, u)| (*b, *u)).collect();
    let mut rest = all.as_slice();
    while !rest.is_empty() {
        let n = 1usize << (usize::BITS - 1 - rest.len().leading_zeros());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        let mut params = Params::new(tx);
        let values = (0..n)
            .map(|_| format!("({})", params.list(3)))
            .collect::<Vec<_>>()
            .join(", ");
        let limit_param = params.one();
        let sql = format!(
            "INSERT INTO sale_buyers (sale_id, buyer_token_id, units) VALUES {values} \
             ON CONFLICT (sale_id, buyer_token_id) DO UPDATE \
             SET units = sale_buyers.units + excluded.units \
             WHERE sale_buyers.units + excluded.units <= {limit_param}"
        );
        let mut q = sqlx::query(&sql);
        for (buyer, units) in chunk {
            q = q.bind(sale_id).bind(*buyer).bind(*units);
        }
        let q = q.bind(limit);
        if q.execute(&mut *tx).await?.rows_affected() != n as u64 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The distinct values of `field` among the batch's orders, ascending.
pub(super) fn distinct(batch: &[&PendingOrder], field: impl Fn(&PendingOrder) -> i64) -> Vec<i64> {
    let mut ids: Vec<i64> = batch.iter().map(|o| field(o)).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The id the order at `i` was inserted with.
pub(super) fn inserted(ids: &HashMap<usize, i64>, i: usize) -> Result<i64> {
    ids.get(&i)
        .copied()
        .ok_or_else(|| Error::internal("an accepted order was not inserted"))
}
