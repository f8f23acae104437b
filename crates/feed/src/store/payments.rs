//! Payments' SQL (`payments`, `payment_callbacks`; docs/payments.md): opening a payment of an
//! order, and settling a provider's verified callback — once per provider transaction, on the
//! one write path of the order's session, the order made paid by [`super::orders::step_in`] so
//! that the `order_paid` event and the order's states are those of every other step.

use silkstream_catalog::db::Conn;
use tracing::instrument;

use super::orders::{step_in, Step};
use super::{FeedStore, OrderRow};
use crate::error::{Error, Result};
use crate::model::OrderStatus;

#[derive(sqlx::FromRow, Debug, Clone)]
pub(crate) struct PaymentRow {
    pub id: i64,
    pub order_id: i64,
    pub provider: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
    pub transaction_id: Option<String>,
    pub created_at: i64,
    pub completed_at: Option<i64>,
}

const PAYMENT_SELECT: &str = "SELECT id, order_id, provider, amount_minor, currency, status, \
     transaction_id, created_at, completed_at FROM payments";

/// A transaction a provider's callback reported, its signature verified.
#[derive(Debug, Clone)]
pub(crate) struct Reported<'a> {
    pub provider: &'a str,
    pub transaction_id: &'a str,
    pub payment_id: i64,
    /// `succeeded` (money taken) or not (`failed`).
    pub succeeded: bool,
    pub amount_minor: i64,
    pub currency: &'a str,
}

/// What became of a reported transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The order became paid.
    Paid,
    /// The provider reported a failed payment; the order is as it was.
    Failed,
    /// Amount or currency not the order's: refused, the order unpaid, the money to refund.
    Mismatch,
    /// Money for an order that can no longer be paid (cancelled, past its window, paid by
    /// another transaction): refused, recorded for refund.
    RefundDue,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Paid => "paid",
            Outcome::Failed => "failed",
            Outcome::Mismatch => "mismatch",
            Outcome::RefundDue => "refund_due",
        }
    }
}

/// A settled transaction, for the answer.
#[derive(Debug, Clone)]
pub(crate) struct Settlement {
    pub outcome: Outcome,
    /// The payment after the settlement.
    pub payment: PaymentRow,
    /// The order as it was read under the lock (before this settlement).
    pub order: OrderRow,
    /// The order's status after the settlement.
    pub order_status: String,
    /// Whether the order's payment window had passed.
    pub past_window: bool,
}

/// The answer to a callback: status and JSON body; kept with the transaction, and given again,
/// unchanged, to a repeat of the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: String,
}

impl FeedStore {
    /// A payment by id (404 when there is none).
    pub(crate) async fn payment_row(&self, id: i64) -> Result<PaymentRow> {
        let sql = format!("{PAYMENT_SELECT} WHERE id = $1");
        let row: Option<PaymentRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(self.db.reader())
            .await?;
        row.ok_or_else(|| Error::not_found(format!("payment {id}")))
    }

    /// The open (pending) payment of order `order_id`, or a new one through `provider` for the
    /// order's total, under the session's lock: repeated calls get the same open payment. 409
    /// unless the order is confirmed and within its payment window.
    #[instrument(skip_all, fields(order_id))]
    pub(crate) async fn open_payment(
        &self,
        order_id: i64,
        provider: &str,
    ) -> Result<(PaymentRow, OrderRow)> {
        let order = self.order_row(order_id).await?;
        let mut w = self.write(order.session_id).await?;
        let now = w.now;
        let (status, pay_by) = order_state(w.tx(), order_id).await?;
        if status != OrderStatus::Confirmed.as_str() || pay_by <= now {
            return Err(Error::conflict(
                "conflict",
                format!(
                    "order {order_id} is {status}; only an order that is confirmed and within \
                     its payment window can become paid"
                ),
            ));
        }
        let sql = format!("{PAYMENT_SELECT} WHERE order_id = $1 AND status = 'pending'");
        let open: Option<PaymentRow> = sqlx::query_as(&sql)
            .bind(order_id)
            .fetch_optional(w.tx())
            .await?;
        if let Some(open) = open {
            return Ok((open, order));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO payments (order_id, provider, amount_minor, currency, status, \
             created_at) VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id",
        )
        .bind(order_id)
        .bind(provider)
        .bind(order.total_minor)
        .bind(&order.currency)
        .bind(now)
        .fetch_one(w.tx())
        .await?;
        let payment = payment_in(w.tx(), id).await?;
        w.commit().await?;
        Ok((payment, order))
    }

    /// Settles a verified callback's transaction once: under the order's session lock, a
    /// transaction seen before gets its kept answer and changes nothing; else the outcome is
    /// decided (failed; amount or currency mismatch; the order paid; or refund due), written
    /// with the answer `answer` makes of it, and committed with the `order_paid` event when
    /// the order became paid. 404 for a payment that is not the provider's.
    #[instrument(skip_all, fields(payment_id = t.payment_id))]
    pub(crate) async fn settle(
        &self,
        t: &Reported<'_>,
        answer: impl FnOnce(&Settlement) -> Answer,
    ) -> Result<Answer> {
        let payment = self.payment_row(t.payment_id).await?;
        if payment.provider != t.provider {
            return Err(Error::not_found(format!(
                "payment {} of {}",
                t.payment_id, t.provider
            )));
        }
        let order = self.order_row(payment.order_id).await?;
        let mut w = self.write(order.session_id).await?;
        let now = w.now;
        if let Some(kept) = kept_answer(w.tx(), t.provider, t.transaction_id).await? {
            return Ok(kept);
        }
        let (status, pay_by) = order_state(w.tx(), order.id).await?;
        let past_window = pay_by <= now;
        let outcome = if !t.succeeded {
            sqlx::query(
                "UPDATE payments SET status = 'failed', completed_at = $1 \
                 WHERE id = $2 AND status = 'pending'",
            )
            .bind(now)
            .bind(payment.id)
            .execute(w.tx())
            .await?;
            Outcome::Failed
        } else if t.amount_minor != order.total_minor || t.currency != order.currency {
            tracing::warn!(
                payment_id = payment.id,
                provider = t.provider,
                transaction_id = t.transaction_id,
                reported = %format!("{} {}", t.amount_minor, t.currency),
                expected = %format!("{} {}", order.total_minor, order.currency),
                "a payment's amount or currency is not its order's: refused, kept for refund"
            );
            Outcome::Mismatch
        } else if status == OrderStatus::Confirmed.as_str() && !past_window {
            step_in(&mut w, &order, Step::Pay).await?;
            sqlx::query(
                "UPDATE payments SET status = 'paid', transaction_id = $1, completed_at = $2 \
                 WHERE id = $3",
            )
            .bind(t.transaction_id)
            .bind(now)
            .bind(payment.id)
            .execute(w.tx())
            .await?;
            Outcome::Paid
        } else {
            tracing::warn!(
                payment_id = payment.id,
                order_id = order.id,
                order_status = %status,
                transaction_id = t.transaction_id,
                "money for an order that cannot be paid: refused, kept for refund"
            );
            // A payment already paid by another transaction keeps its status; the second
            // transaction is the one to refund (in `payment_callbacks`).
            sqlx::query(
                "UPDATE payments SET status = 'refund_due', transaction_id = $1, \
                 completed_at = $2 WHERE id = $3 AND status IN ('pending', 'failed')",
            )
            .bind(t.transaction_id)
            .bind(now)
            .bind(payment.id)
            .execute(w.tx())
            .await?;
            Outcome::RefundDue
        };
        let settled = Settlement {
            order_status: if outcome == Outcome::Paid {
                OrderStatus::Paid.as_str().to_owned()
            } else {
                status
            },
            payment: payment_in(w.tx(), payment.id).await?,
            order,
            past_window,
            outcome,
        };
        let given = answer(&settled);
        let inserted = sqlx::query(
            "INSERT INTO payment_callbacks (provider, transaction_id, payment_id, order_id, \
             status, amount_minor, currency, outcome, answer_status, answer, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (provider, transaction_id) DO NOTHING",
        )
        .bind(t.provider)
        .bind(t.transaction_id)
        .bind(settled.payment.id)
        .bind(settled.order.id)
        .bind(if t.succeeded { "succeeded" } else { "failed" })
        .bind(t.amount_minor)
        .bind(t.currency)
        .bind(settled.outcome.as_str())
        .bind(i64::from(given.status))
        .bind(&given.body)
        .bind(now)
        .execute(w.tx())
        .await?
        .rows_affected();
        if inserted != 1 {
            // The transaction was reported meanwhile for a payment of another session (whose
            // lock this one does not hold): that settlement stands; this one is dropped
            // (rolled back) and its answer given.
            drop(w);
            let mut conn = self.db.reader().acquire().await?;
            return kept_answer(&mut conn, t.provider, t.transaction_id)
                .await?
                .ok_or_else(|| Error::internal("a settled transaction vanished"));
        }
        w.commit().await?;
        Ok(given)
    }
}

/// An order's status and payment deadline, read in the transaction.
async fn order_state(tx: &mut Conn, order_id: i64) -> Result<(String, i64)> {
    Ok(
        sqlx::query_as("SELECT status, pay_by FROM orders WHERE id = $1")
            .bind(order_id)
            .fetch_one(&mut *tx)
            .await?,
    )
}

async fn payment_in(tx: &mut Conn, id: i64) -> Result<PaymentRow> {
    let sql = format!("{PAYMENT_SELECT} WHERE id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_one(&mut *tx).await?)
}

/// The answer kept for a provider's transaction, if it was settled before.
async fn kept_answer(
    tx: &mut Conn,
    provider: &str,
    transaction_id: &str,
) -> Result<Option<Answer>> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT answer_status, answer FROM payment_callbacks \
         WHERE provider = $1 AND transaction_id = $2",
    )
    .bind(provider)
    .bind(transaction_id)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.map(|(status, body)| Answer {
        status: u16::try_from(status).unwrap_or(500),
        body,
    }))
}
