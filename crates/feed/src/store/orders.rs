//! Orders outside the desk: the regular path, payment, shipping, delivery, cancellation and
//! expiry, and the reads of orders and of the event log for the routes.

use silkstream_catalog::auth::{Principal, Role};
use silkstream_catalog::db::{now_ms, rfc3339};
use tracing::instrument;

use silkstream_catalog::stock;

use super::write::SessionWrite;
use super::*;
use crate::domain::error::{Error, Result};
use crate::domain::model::*;

/// A step of an order's life after its confirmation.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// confirmed → paid (within the payment window).
    Pay,
    /// paid → shipped, with the carrier and tracking number.
    Ship(&'a Shipment),
    /// shipped → delivered.
    Deliver,
}

impl FeedStore {
    // ---- orders ---------------------------------------------------------------------------

    pub(crate) async fn order_row(&self, id: i64) -> Result<OrderRow> {
        let sql = format!("SELECT {ORDER_ROW_COLUMNS} FROM {ORDER_ROW_FROM} WHERE o.id = $1");
        let row: Option<OrderRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(self.db.reader())
            .await?;
        row.ok_or_else(|| Error::not_found(format!("order {id}")))
    }

    /// The order a buyer's key names, if any.
    pub(crate) async fn order_by_key(&self, buyer: i64, key: &str) -> Result<Option<OrderRow>> {
        let sql = format!("SELECT {ORDER_ROW_COLUMNS} FROM {ORDER_ROW_FROM} WHERE o.buyer_token_id = $1 AND o.idempotency_key = $2");
        Ok(sqlx::query_as(&sql)
            .bind(buyer)
            .bind(key)
            .fetch_optional(self.db.reader())
            .await?)
    }

    /// An order as `who` may see it; 404 for an order that is not theirs to see.
    pub async fn order(&self, who: &Principal, id: i64) -> Result<Order> {
        let row = self.order_row(id).await?;
        if !row.visible_to(who) {
            return Err(Error::not_found(format!("order {id}")));
        }
        Ok(row.view(who))
    }

    /// Orders `who` may see: a buyer's own, a host's sessions', everything for operators and
    /// admins; optionally of one session. Newest first, at most 1000.
    pub async fn orders(&self, who: &Principal, q: &OrdersQuery) -> Result<Vec<Order>> {
        let (filter, arg) = match who.role {
            Role::Buyer => ("o.buyer_token_id = $1", who.token_id),
            Role::Host => ("s.host_token_id = $1", who.token_id),
            Role::Operator | Role::Admin => ("$1 = $1", 0),
        };
        let sql = format!(
            "SELECT {ORDER_ROW_COLUMNS} FROM {ORDER_ROW_FROM} WHERE {filter} AND ($2 = 0 OR o.session_id = $2) \
             ORDER BY o.id DESC LIMIT 1000"
        );
        let session = q.session_id.unwrap_or(0);
        let rows: Vec<OrderRow> = sqlx::query_as(&sql)
            .bind(arg)
            .bind(session)
            .fetch_all(self.db.reader())
            .await?;
        Ok(rows.iter().map(|r| r.view(who)).collect())
    }

    /// Moves an order one step along confirmed → paid → shipped → delivered.
    #[instrument(skip_all, fields(id))]
    pub async fn advance(&self, id: i64, step: Step<'_>) -> Result<()> {
        let row = self.order_row(id).await?;
        let mut w = self.write(row.session_id).await?;
        step_in(&mut w, &row, step).await?;
        w.commit().await
    }
    /// Cancels an order and gives its units back: to its sale while the sale runs, else to the
    /// warehouse's stock. Decided on the order's state read under the session's lock, so a
    /// cancel and a payment callback (which takes the same lock) are one after the other: a
    /// buyer's cancel of an order that is paid by then is 409 `order_paid`; a staff cancel (or
    /// refund) of a paid order records the money owed in the same transaction (the payment
    /// `refund_due`, a `refunds` row with who decided it). `Ok(false)`: the order is not in a
    /// state this canceller may cancel (nothing written).
    #[instrument(skip_all, fields(id))]
    pub async fn cancel(&self, id: i64, by: CancelBy<'_>, reason: &str) -> Result<bool> {
        let row = self.order_row(id).await?;
        let mut w = self.write(row.session_id).await?;
        let now = w.now;
        let (status, pay_by): (String, i64) =
            sqlx::query_as("SELECT status, pay_by FROM orders WHERE id = $1")
                .bind(id)
                .fetch_one(w.tx())
                .await?;
        let confirmed = status == OrderStatus::Confirmed.as_str();
        let paid = status == OrderStatus::Paid.as_str();
        let allowed = match by {
            CancelBy::Buyer if paid => {
                return Err(Error::conflict(
                    "order_paid",
                    format!(
                        "order {id} is paid: a buyer cancels only unpaid orders; the session's \
                         host or an operator cancels a paid order with its refund \
                         (POST /api/v1/orders/{id}/refund)"
                    ),
                ));
            }
            CancelBy::Buyer => confirmed,
            CancelBy::Staff(_) => confirmed || paid,
            CancelBy::Refund(_) => paid,
            CancelBy::PaymentExpired => confirmed && pay_by <= now,
        };
        if !allowed {
            return Ok(false);
        }
        let done = sqlx::query(
            "UPDATE orders SET status = 'cancelled', cancelled_at = $1, cancel_reason = $2 \
             WHERE id = $3 AND status = $4",
        )
        .bind(now)
        .bind(reason)
        .bind(id)
        .bind(&status)
        .execute(w.tx())
        .await?
        .rows_affected();
        if done != 1 {
            return Ok(false);
        }
        if paid {
            let (CancelBy::Staff(who) | CancelBy::Refund(who)) = by else {
                return Err(Error::internal("a paid order cancelled without a decider"));
            };
            super::payments::refund_paid_order(w.tx(), &row, who, now).await?;
        }
        let mut remaining: Option<i64> = None;
        if let Some(sale_id) = row.sale_id {
            sqlx::query(
                "UPDATE sale_buyers SET units = units - $1 WHERE sale_id = $2 \
                 AND buyer_token_id = $3 AND units >= $1",
            )
            .bind(row.quantity)
            .bind(sale_id)
            .bind(row.buyer_token_id)
            .execute(w.tx())
            .await?;
            remaining = super::sales::give_back_to_sale(&mut w, sale_id, row.quantity).await?;
        }
        let to_stock = remaining.is_none();
        if to_stock
            && !stock::put_back(w.tx(), row.variant_id, row.warehouse_id, row.quantity, now)
                .await?
                .moved()
        {
            return Err(Error::internal(
                "an order's warehouse has no stock row to return units to",
            ));
        }
        let totals = log::count_one(
            w.tx(),
            row.session_id,
            log::Counted {
                currency: &row.currency,
                quantity: row.quantity,
                total_minor: row.total_minor,
                cny_fen: row.value_cny_fen,
            },
            -1,
        )
        .await?
        .map_err(|_| Error::internal("taking an order out of its totals overflowed"))?;
        w.log(ev::Event::OrderCancelled(ev::OrderCancelled {
            order_id: id,
            sale_id: row.sale_id,
            quantity: row.quantity,
            reason: reason.to_owned(),
            returned_to: if to_stock {
                ev::ReturnedTo::Stock
            } else {
                ev::ReturnedTo::Sale
            },
            remaining,
            currency: row.currency.clone(),
            total_minor: row.total_minor,
            totals: ev::TotalsView::of(&totals),
        }));
        if w.session.state == SessionState::Ended {
            // The summary given at the end has changed: its host and operators hear of it.
            w.log(ev::Event::SummaryChanged(ev::SummaryChanged {
                order_id: id,
                reason: reason.to_owned(),
                totals: ev::TotalsView::of(&totals),
            }));
        }
        w.commit().await?;
        Ok(true)
    }

    /// Cancels every confirmed order unpaid past its window; returns how many this call did.
    pub async fn expire_unpaid(&self) -> Result<usize> {
        let due: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM orders WHERE status = 'confirmed' AND pay_by <= $1 ORDER BY id \
             LIMIT 1000",
        )
        .bind(now_ms())
        .fetch_all(self.db.reader())
        .await?;
        let mut n = 0;
        for (id,) in due {
            if self
                .cancel(id, CancelBy::PaymentExpired, "payment_expired")
                .await?
            {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The product, customs mode, archived flag, category and weight of a variant.
    pub(crate) async fn variant_facts(&self, variant_id: i64) -> Result<Option<VariantFacts>> {
        Ok(silkstream_catalog::facts::variant_facts(&self.db, variant_id).await?)
    }

    /// A variant's facts for a flash-sale order: from memory while the catalog cache has heard
    /// of no change to its product since they were read (a change made here drops them at its
    /// commit; one made elsewhere within the catalog's version clock), else read and kept.
    /// Whether the variant is archived is decided again inside the desk's batch
    /// ([`super::batch`]), so a stale copy cannot sell an archived variant; the rest (SKU,
    /// customs mode, category, weight) feeds the answer and the landed-cost quote.
    pub(crate) async fn variant_facts_cached(
        &self,
        variant_id: i64,
    ) -> Result<Option<Arc<VariantFacts>>> {
        let products = self.catalog.cache();
        if let Some((facts, ticket)) = self.caches.facts(variant_id) {
            if products.unchanged_since(facts.product_id, ticket) {
                return Ok(Some(facts));
            }
        }
        let ticket = products.ticket();
        let Some(facts) = self.variant_facts(variant_id).await? else {
            return Ok(None);
        };
        let facts = Arc::new(facts);
        self.caches.put_facts(variant_id, facts.clone(), ticket);
        Ok(Some(facts))
    }

    /// The variant's set price in a currency.
    pub(crate) async fn regular_price(
        &self,
        variant_id: i64,
        currency: &str,
    ) -> Result<Option<i64>> {
        Ok(silkstream_catalog::facts::set_price(&self.db, variant_id, currency).await?)
    }

    pub(crate) async fn in_showcase(&self, session_id: i64, product_id: i64) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT product_id FROM showcase WHERE session_id = $1 AND product_id = $2",
        )
        .bind(session_id)
        .bind(product_id)
        .fetch_optional(self.db.reader())
        .await?;
        Ok(row.is_some())
    }

    // ---- events ---------------------------------------------------------------------------

    pub async fn events(&self, session_id: i64, since: i64, limit: i64) -> Result<Vec<Event>> {
        let events = self.session_log_after(session_id, since, limit).await?;
        Ok(events
            .into_iter()
            .map(|e| Event {
                id: e.id,
                session_id: e.session_id,
                seq: e.seq,
                kind: e.kind,
                payload: e.payload,
                created_at: rfc3339(e.created_at),
            })
            .collect())
    }
}

/// Moves `row`'s order one step inside the write `w` (its session's) and logs the step's event:
/// the one place an order becomes paid, shipped or delivered. 409 when the order is not where
/// the step starts (the conditional UPDATE matched no row).
pub(crate) async fn step_in(
    w: &mut SessionWrite<'_>,
    row: &OrderRow,
    step: Step<'_>,
) -> Result<()> {
    let id = row.id;
    let (sql, from, to) = match step {
        Step::Pay => (
            "UPDATE orders SET status = 'paid', paid_at = $1 WHERE id = $2 \
             AND status = 'confirmed' AND pay_by > $1",
            "confirmed and within its payment window",
            OrderStatus::Paid,
        ),
        Step::Ship(_) => (
            "UPDATE orders SET status = 'shipped', shipped_at = $1, carrier = $3, \
             tracking_number = $4 WHERE id = $2 AND status = 'paid'",
            "paid",
            OrderStatus::Shipped,
        ),
        Step::Deliver => (
            "UPDATE orders SET status = 'delivered', delivered_at = $1 WHERE id = $2 \
             AND status = 'shipped'",
            "shipped",
            OrderStatus::Delivered,
        ),
    };
    let now = w.now;
    let mut q = sqlx::query(sql).bind(now).bind(id);
    if let Step::Ship(s) = step {
        q = q.bind(&s.carrier).bind(&s.tracking_number);
    }
    let done = q.execute(w.tx()).await?.rows_affected();
    if done == 0 {
        let (status,): (String,) = sqlx::query_as("SELECT status FROM orders WHERE id = $1")
            .bind(id)
            .fetch_one(w.tx())
            .await?;
        return Err(Error::conflict(
            "conflict",
            format!("order {id} is {status}; only an order that is {from} can become {to}"),
        ));
    }
    let order = ev::OrderStep {
        order_id: id,
        sale_id: row.sale_id,
    };
    w.log(match step {
        Step::Pay => ev::Event::OrderPaid(order),
        Step::Ship(s) => ev::Event::OrderShipped(ev::OrderShipped {
            order_id: id,
            sale_id: row.sale_id,
            carrier: s.carrier.clone(),
            tracking_number: s.tracking_number.clone(),
        }),
        Step::Deliver => ev::Event::OrderDelivered(order),
    });
    Ok(())
}
