//! The order desk's batch transaction for regular orders (a product on the showcase, no flash
//! sale): the same group commit as a sale's ([`super::batch`]), so that a busy room's orders
//! share one transaction, one session lock and one commit instead of queueing on the session's
//! row one transaction each. One call decides and writes one batch of one session's orders in
//! ONE transaction on the one write path ([`super::write`]):
//!
//! 1. lock the session (and read its state, then the clock); the per-person buyers and persons
//!    of the batch (CN, UZ) and their earlier totals, as the sale's batch does; the buyers'
//!    tokens (`FOR KEY SHARE` on PostgreSQL) and the archived variants;
//! 2. read every order's key in one query (a key that names a committed order is a replay),
//!    the rate table in force on the batch's date and the session's running totals (once per
//!    batch); for each variant of the batch, whether a flash sale of it is open (then its
//!    orders belong to the sale, [`Placed::SaleOpen`], nothing written); for each product and
//!    market, the qualification gate;
//! 3. on PostgreSQL, lock the stock rows of the batch's variants in (variant, warehouse) order
//!    (the lock order's step 5: two sessions' batches that share variants queue instead of
//!    crossing); then, for each order in arrival order, decide it in memory (state, gate,
//!    per-person limits counting the batch's earlier orders, totals) and take its units from
//!    the first warehouse serving its market that has them (one conditional update per order,
//!    in arrival order: who came first gets the last unit; it returns the warehouse's kind and
//!    code);
//! 4. insert the accepted orders in (buyer, key) order, `ON CONFLICT DO NOTHING`, one
//!    multi-row statement per warehouse (power-of-two chunks); a key another transaction took
//!    meanwhile rolls the batch back to be decided again;
//! 5. log the events and the session's totals, and commit.
//!
//! The caller answers the buyers only after the commit, from what the batch wrote
//! ([`super::Written`], with the warehouse's code), without reading the orders back.

use std::collections::HashMap;

use silkstream_catalog::codes::WarehouseKind;
use silkstream_catalog::stock;

use super::batch::{distinct, inserted, Attempt, Decision, Known};
use super::write::SessionWrite;
use super::{
    counted, insert_orders, log, order_event, value_order, NewOrderRow, PendingOrder, Placed,
    Valued, Written,
};
use crate::domain::error::{Error, Refusal, Result};
use crate::domain::model::SessionState;

/// What an accepted regular order carries to the inserts: its value, the landed-cost quote it
/// is stored with and the warehouse its units were taken from.
type Accepted = (Valued, Option<String>, i64);

/// Decides one batch of regular orders of `w`'s session (see the module's docs); the caller,
/// [`super::FeedStore::write_batch_in`], commits it.
pub(super) async fn decide(
    w: &mut SessionWrite<'_>,
    batch: &[&PendingOrder],
    payment_window_ms: i64,
) -> Result<Attempt> {
    let session_id = w.session.id;
    let now = w.now;
    let pay_by = now.saturating_add(payment_window_ms);
    super::per_person::lock_buyers(w.tx(), &super::per_person::buyers_of(batch)).await?;
    super::per_person::lock_persons(w.tx(), &super::per_person::persons_of(batch), now).await?;
    let known = Known::read(w.tx(), batch, now).await?;
    let variants = distinct(batch, |o| o.variant_id);
    let sales = open_sales(w.tx(), session_id, &variants, now).await?;
    let mut ledger = super::per_person::Ledger::read(w.tx(), batch, now).await?;
    let rates =
        silkstream_catalog::store::rate_table_in(w.tx(), silkstream_catalog::store::utc_date(now))
            .await?;
    let mut totals = log::read_totals(w.tx(), session_id).await?;
    let mut projected = totals.clone();
    if variants.len() > 1 {
        stock::lock_variants(w.tx(), &variants).await?;
    }
    let mut gate: HashMap<(i64, &str), Option<Refusal>> = HashMap::new();
    // Each warehouse the batch took units from: its kind (the orders' customs mode is decided
    // by it) and code (the answer), as the take returned them.
    let mut warehouses: HashMap<i64, (WarehouseKind, String)> = HashMap::new();
    let mut accepted: HashMap<(i64, &str), usize> = HashMap::new();
    let mut outcomes: Vec<Decision<Accepted>> = Vec::with_capacity(batch.len());
    for (i, o) in batch.iter().enumerate() {
        if let Some(early) = known.early(o, &accepted) {
            outcomes.push(early);
            continue;
        }
        if w.session.state != SessionState::Live {
            outcomes.push(Decision::Final(Placed::Refused(Refusal::NotLive)));
            continue;
        }
        if let Some(&sale_id) = sales.get(&o.variant_id) {
            outcomes.push(Decision::Final(Placed::SaleOpen { sale_id }));
            continue;
        }
        // The qualification gate (docs/cross-border.md), once per product and market.
        let refusal = match gate.get(&(o.product_id, o.market.as_str())) {
            Some(r) => *r,
            None => {
                let r = super::gate::order_refusal_in(w.tx(), o.product_id, &o.market, now).await?;
                gate.insert((o.product_id, o.market.as_str()), r);
                r
            }
        };
        if let Some(r) = refusal {
            outcomes.push(Decision::Final(Placed::Refused(r)));
            continue;
        }
        let mut trial = projected.clone();
        let value = match value_order(&rates, o) {
            Ok(v) if log::count(&mut trial, counted(o, &v), 1).is_ok() => v,
            _ => {
                outcomes.push(Decision::Final(Placed::Refused(Refusal::TotalOverflow)));
                continue;
            }
        };
        let landed_cost = match ledger.decide(o)? {
            None => o.landed_cost.clone(),
            Some(Ok(quote)) => Some(quote),
            Some(Err(refusal)) => {
                outcomes.push(Decision::Final(refusal));
                continue;
            }
        };
        // Last, the units: nothing after this may refuse the order (the take stays written).
        let Some(taken) =
            stock::take_for_market(w.tx(), o.variant_id, &o.market, o.quantity, now).await?
        else {
            outcomes.push(Decision::Final(Placed::Refused(Refusal::SoldOut)));
            continue;
        };
        let warehouse_id = taken.warehouse_id;
        warehouses
            .entry(warehouse_id)
            .or_insert((taken.kind, taken.code));
        projected = trial;
        ledger.count(o);
        accepted.insert((o.buyer_token_id, o.idempotency_key.as_str()), i);
        outcomes.push(Decision::Accepted((value, landed_cost, warehouse_id)));
    }
    // Inserts in (buyer, key) order, one statement per warehouse: the one order in which
    // every transaction takes keys.
    let mut order: Vec<usize> = accepted.values().copied().collect();
    order.sort_by(|a, b| {
        (batch[*a].buyer_token_id, &batch[*a].idempotency_key)
            .cmp(&(batch[*b].buyer_token_id, &batch[*b].idempotency_key))
    });
    // The accepted orders' indices by warehouse, each in (buyer, key) order.
    let mut by_warehouse: Vec<(i64, Vec<usize>)> = Vec::new();
    for &i in &order {
        let Decision::Accepted((_, _, warehouse_id)) = &outcomes[i] else {
            continue;
        };
        match by_warehouse.iter_mut().find(|(id, _)| id == warehouse_id) {
            Some((_, indices)) => indices.push(i),
            None => by_warehouse.push((*warehouse_id, vec![i])),
        }
    }
    let mut ids: HashMap<usize, i64> = HashMap::new();
    for (warehouse_id, indices) in &by_warehouse {
        let kind = warehouses
            .get(warehouse_id)
            .map(|(kind, _)| *kind)
            .ok_or_else(|| Error::internal("a warehouse the batch took from was not read"))?;
        let rows: Vec<NewOrderRow<'_>> = indices
            .iter()
            .filter_map(|&i| match &outcomes[i] {
                Decision::Accepted((value, landed_cost, _)) => Some(NewOrderRow {
                    order: batch[i],
                    value,
                    landed_cost: landed_cost.as_deref(),
                }),
                _ => None,
            })
            .collect();
        let written = insert_orders(w.tx(), &rows, *warehouse_id, kind, now, pay_by).await?;
        for &i in indices {
            let o = batch[i];
            // A key another transaction took meanwhile: decide again, when its order is
            // visible.
            let Some(&id) = written.get(&(o.buyer_token_id, o.idempotency_key.clone())) else {
                return Ok(Attempt::Again);
            };
            ids.insert(i, id);
        }
    }
    // Events and answers in arrival order.
    let mut changed: Vec<String> = Vec::new();
    let mut placed = Vec::with_capacity(batch.len());
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let o = batch[i];
        placed.push(match outcome {
            Decision::CopyOf(first) => Placed::Duplicate {
                order_id: inserted(&ids, first)?,
            },
            Decision::Final(p) => p,
            Decision::Accepted((value, landed_cost, warehouse_id)) => {
                let order_id = inserted(&ids, i)?;
                let (kind, code) = warehouses
                    .get(&warehouse_id)
                    .ok_or_else(|| Error::internal("an accepted order lost its warehouse"))?;
                let mode = crate::domain::customs::decide(
                    *kind,
                    o.quantity,
                    o.customs_mode.as_deref(),
                    o.b2c_max_quantity,
                );
                // Counted in the same order as when decided, so it fits.
                log::count(&mut totals, counted(o, &value), 1)
                    .map_err(|_| Error::internal("a decided order no longer fits the totals"))?;
                if !changed.contains(&o.currency) {
                    changed.push(o.currency.clone());
                }
                w.log(order_event(o, order_id, None, &totals));
                Placed::Confirmed {
                    order_id,
                    remaining: None,
                    // What the insert wrote: the buyer's answer is built from it.
                    written: Some(Box::new(Written {
                        created_at: now,
                        pay_by,
                        warehouse_id,
                        rate_cny: value.rate,
                        value_cny_fen: value.cny_fen,
                        landed_cost,
                        customs_mode: Some(mode.code.to_owned()),
                        customs_reason: Some(mode.reason.to_owned()),
                        warehouse: Some(code.clone()),
                    })),
                }
            }
        });
    }
    if !changed.is_empty() {
        log::write_totals(w.tx(), session_id, &totals, &changed).await?;
    }
    Ok(Attempt::Done(placed))
}

/// Of `variants`, those with a flash sale open in the session at `now`: variant → the newest
/// such sale, in one query.
async fn open_sales(
    tx: &mut silkstream_catalog::db::Conn,
    session_id: i64,
    variants: &[i64],
    now: i64,
) -> Result<HashMap<i64, i64>> {
    let mut params = silkstream_catalog::db::Params::new(tx);
    let session = params.one();
    let at = params.one();
    let list = params.list(variants.len());
    let sql = format!(
        "SELECT variant_id, MAX(id) FROM flash_sales WHERE session_id = {session} \
         AND state <> 'ended' AND ends_at > {at} AND variant_id IN ({list}) GROUP BY variant_id"
    );
    let mut q = sqlx::query_as::<_, (i64, i64)>(&sql)
        .bind(session_id)
        .bind(now);
    for v in variants {
        q = q.bind(*v);
    }
    Ok(q.fetch_all(&mut *tx).await?.into_iter().collect())
}
