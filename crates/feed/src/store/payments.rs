//! Payments' SQL (`payments`, `payment_callbacks`; docs/payments.md): opening a payment of an
//! order, and settling a provider's verified callback — once per provider transaction, on the
//! one write path of the order's session, the order made paid by [`super::orders::step_in`] so
//! that the `order_paid` event and the order's states are those of every other step.

use std::collections::BTreeMap;

use silkstream_catalog::auth::Principal;
use silkstream_catalog::db::{now_ms, Conn};
use tracing::instrument;

use super::orders::{step_in, Step};
use super::{FeedStore, OrderRow};
use crate::domain::error::{Error, Result};
use crate::domain::model::OrderStatus;

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
    /// the order became paid. 404 for a payment that is not the provider's. Money that does not
    /// pay the order (a mismatch, an order no longer payable) is recorded as owed (`refunds`)
    /// in the same transaction. With the answer, what became of the callback (the outcome, or
    /// `repeat` for a transaction settled before).
    #[instrument(skip_all, fields(payment_id = t.payment_id))]
    pub(crate) async fn settle(
        &self,
        t: &Reported<'_>,
        answer: impl FnOnce(&Settlement) -> Answer,
    ) -> Result<(Answer, &'static str)> {
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
            return Ok((kept, "repeat"));
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
            // The payment shows the money is owed (a later transaction with the right amount
            // may still pay the order; this one stays owed in `refunds`).
            keep_for_refund(w.tx(), t, payment.id, &order, RefundReason::Mismatch, now).await?;
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
            keep_for_refund(
                w.tx(),
                t,
                payment.id,
                &order,
                RefundReason::OrderNotPayable,
                now,
            )
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
                .map(|kept| (kept, "repeat"))
                .ok_or_else(|| Error::internal("a settled transaction vanished"));
        }
        w.commit().await?;
        Ok((given, settled.outcome.as_str()))
    }
}

/// Why money is owed back (`refunds.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefundReason {
    /// The provider reported an amount or currency that is not the order's.
    Mismatch,
    /// Money for an order that could no longer be paid.
    OrderNotPayable,
    /// A paid order cancelled by its host, an operator or an admin.
    OrderCancelled,
}

impl RefundReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundReason::Mismatch => "mismatch",
            RefundReason::OrderNotPayable => "order_not_payable",
            RefundReason::OrderCancelled => "order_cancelled",
        }
    }

    pub const ALL: [RefundReason; 3] = [
        RefundReason::Mismatch,
        RefundReason::OrderNotPayable,
        RefundReason::OrderCancelled,
    ];
}

/// Money owed back, as it is written: who decided it is the provider's callback or a person.
pub(crate) struct NewRefund<'a> {
    pub payment_id: Option<i64>,
    pub order: &'a OrderRow,
    pub provider: &'a str,
    pub transaction_id: Option<&'a str>,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub reason: RefundReason,
    pub decided_by: String,
    pub decided_by_token_id: Option<i64>,
}

/// A callback's money that pays no order (`reason`): its payment shows it is owed (unless another
/// transaction paid it already: that one keeps `paid`) and the money is recorded as owed back,
/// decided by the provider, in the callback's transaction.
async fn keep_for_refund(
    tx: &mut Conn,
    t: &Reported<'_>,
    payment_id: i64,
    order: &OrderRow,
    reason: RefundReason,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE payments SET status = 'refund_due', transaction_id = $1, \
         completed_at = $2 WHERE id = $3 AND status IN ('pending', 'failed')",
    )
    .bind(t.transaction_id)
    .bind(now)
    .bind(payment_id)
    .execute(&mut *tx)
    .await?;
    record_refund(
        tx,
        &NewRefund {
            payment_id: Some(payment_id),
            order,
            provider: t.provider,
            transaction_id: Some(t.transaction_id),
            amount_minor: t.amount_minor,
            currency: t.currency,
            reason,
            decided_by: format!("provider {}", t.provider),
            decided_by_token_id: None,
        },
        now,
    )
    .await
}

/// Writes money owed back in the write's transaction (it commits with what caused it).
pub(crate) async fn record_refund(tx: &mut Conn, r: &NewRefund<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO refunds (payment_id, order_id, session_id, provider, transaction_id, \
         amount_minor, currency, reason, decided_by, decided_by_token_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(r.payment_id)
    .bind(r.order.id)
    .bind(r.order.session_id)
    .bind(r.provider)
    .bind(r.transaction_id)
    .bind(r.amount_minor)
    .bind(r.currency)
    .bind(r.reason.as_str())
    .bind(&r.decided_by)
    .bind(r.decided_by_token_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A row of the refunds list.
#[derive(sqlx::FromRow, Debug, Clone)]
pub(crate) struct RefundRow {
    pub id: i64,
    pub payment_id: Option<i64>,
    pub payment_status: Option<String>,
    pub order_id: i64,
    pub session_id: i64,
    pub provider: String,
    pub transaction_id: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub reason: String,
    pub decided_by: String,
    pub decided_by_token_id: Option<i64>,
    pub created_at: i64,
}

/// The filters of the refunds list; `None` is any.
#[derive(Debug, Default)]
pub(crate) struct RefundFilter<'a> {
    pub reason: Option<&'a str>,
    pub provider: Option<&'a str>,
    pub order_id: Option<i64>,
    pub session_id: Option<i64>,
}

/// A paid order cancelled by `who` (its host, an operator or an admin), in the cancel's
/// transaction: the payment that paid it becomes `refund_due` and the money owed is recorded
/// with who decided it (an order paid before payments existed: its total, provider `none`).
pub(crate) async fn refund_paid_order(
    tx: &mut Conn,
    order: &OrderRow,
    who: &Principal,
    now: i64,
) -> Result<()> {
    let sql = format!(
        "{PAYMENT_SELECT} WHERE order_id = $1 AND status = 'paid' ORDER BY id DESC LIMIT 1"
    );
    let paid: Option<PaymentRow> = sqlx::query_as(&sql)
        .bind(order.id)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(p) = &paid {
        sqlx::query("UPDATE payments SET status = 'refund_due' WHERE id = $1")
            .bind(p.id)
            .execute(&mut *tx)
            .await?;
    }
    let refund = NewRefund {
        payment_id: paid.as_ref().map(|p| p.id),
        order,
        provider: paid.as_ref().map_or("none", |p| p.provider.as_str()),
        transaction_id: paid.as_ref().and_then(|p| p.transaction_id.as_deref()),
        amount_minor: paid.as_ref().map_or(order.total_minor, |p| p.amount_minor),
        currency: paid
            .as_ref()
            .map_or(order.currency.as_str(), |p| p.currency.as_str()),
        reason: RefundReason::OrderCancelled,
        decided_by: format!("{} #{} {}", who.role.as_str(), who.token_id, who.name),
        decided_by_token_id: Some(who.token_id),
    };
    tracing::warn!(
        order_id = order.id,
        payment_id = refund.payment_id,
        amount_minor = refund.amount_minor,
        currency = refund.currency,
        decided_by = %refund.decided_by,
        "a paid order cancelled: its money is owed back (refund_due)"
    );
    record_refund(tx, &refund, now).await
}

impl FeedStore {
    /// Money owed back, newest first, a page at a time, and how many match.
    pub(crate) async fn refunds_page(
        &self,
        f: &RefundFilter<'_>,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<RefundRow>, i64)> {
        const WHERE: &str = "WHERE ($1 = '' OR r.reason = $1) AND ($2 = '' OR r.provider = $2) \
             AND ($3 = 0 OR r.order_id = $3) AND ($4 = 0 OR r.session_id = $4)";
        let sql = format!(
            "SELECT r.id, r.payment_id, p.status AS payment_status, r.order_id, r.session_id, \
             r.provider, r.transaction_id, r.amount_minor, r.currency, r.reason, r.decided_by, \
             r.decided_by_token_id, r.created_at FROM refunds r \
             LEFT JOIN payments p ON p.id = r.payment_id {WHERE} \
             ORDER BY r.id DESC LIMIT $5 OFFSET $6"
        );
        let rows: Vec<RefundRow> = sqlx::query_as(&sql)
            .bind(f.reason.unwrap_or(""))
            .bind(f.provider.unwrap_or(""))
            .bind(f.order_id.unwrap_or(0))
            .bind(f.session_id.unwrap_or(0))
            .bind(per_page)
            .bind((page - 1).saturating_mul(per_page))
            .fetch_all(self.db.reader())
            .await?;
        let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM refunds r {WHERE}"))
            .bind(f.reason.unwrap_or(""))
            .bind(f.provider.unwrap_or(""))
            .bind(f.order_id.unwrap_or(0))
            .bind(f.session_id.unwrap_or(0))
            .fetch_one(self.db.reader())
            .await?;
        Ok((rows, total))
    }

    /// Every amount owed back, summed per currency (in 128 bits; 409 `total_overflow` for a sum
    /// past 64 bits).
    pub(crate) async fn refunds_due(&self) -> Result<BTreeMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT currency, amount_minor FROM refunds")
            .fetch_all(self.db.reader())
            .await?;
        let mut sums: BTreeMap<String, i128> = BTreeMap::new();
        for (currency, amount) in rows {
            *sums.entry(currency).or_default() += i128::from(amount);
        }
        super::narrow(sums)
    }

    /// Records a callback whose signature verified, whatever became of it
    /// (`payment_callback_log`). A log: a failure to write it is logged, never the caller's.
    pub(crate) async fn log_callback(&self, c: &LoggedCallback<'_>) {
        let body = String::from_utf8_lossy(&c.body[..c.body.len().min(4096)]).into_owned();
        let written = sqlx::query(
            "INSERT INTO payment_callback_log (provider, received_at, outcome, answer_status, \
             code, payment_id, transaction_id, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(c.provider)
        .bind(now_ms())
        .bind(c.outcome)
        .bind(i64::from(c.answer_status))
        .bind(c.code)
        .bind(c.payment_id)
        .bind(c.transaction_id)
        .bind(body)
        .execute(self.db.writer())
        .await;
        if let Err(e) = written {
            tracing::error!(provider = c.provider, outcome = c.outcome, error = %e,
                "a signed payment callback could not be written to payment_callback_log");
        }
    }
}

/// A verified callback, for [`FeedStore::log_callback`].
#[derive(Debug)]
pub(crate) struct LoggedCallback<'a> {
    pub provider: &'a str,
    /// `paid`, `failed`, `mismatch`, `refund_due`, `repeat` or `refused`.
    pub outcome: &'a str,
    pub answer_status: u16,
    /// The error code of a refused callback.
    pub code: Option<&'a str>,
    pub payment_id: Option<i64>,
    pub transaction_id: Option<&'a str>,
    pub body: &'a [u8],
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

/// The provider's word on an order's payment, as the customs pre-check reads it: the
/// transaction that paid it (`payment_callbacks`, outcome `paid`) and the payer the provider
/// named in that callback's body (`payer`, when it sent one; `payment_callback_log`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidCallback {
    pub order_id: i64,
    pub provider: String,
    pub transaction_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub payer: Option<String>,
    pub received_at: i64,
}

impl FeedStore {
    /// The paying transaction of each of `order_ids` that has one (the latest, should a
    /// provider ever report two).
    pub(crate) async fn paid_callbacks(&self, order_ids: &[i64]) -> Result<Vec<PaidCallback>> {
        if order_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = order_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        type Row = (i64, String, String, i64, String, i64, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT c.order_id, c.provider, c.transaction_id, c.amount_minor, c.currency, \
             c.received_at, (SELECT l.body FROM payment_callback_log l \
             WHERE l.provider = c.provider AND l.transaction_id = c.transaction_id \
             AND l.outcome = 'paid' ORDER BY l.id LIMIT 1) AS body \
             FROM payment_callbacks c WHERE c.outcome = 'paid' AND c.order_id IN ({list}) \
             ORDER BY c.id"
        ))
        .fetch_all(self.db.reader())
        .await?;
        let mut out: Vec<PaidCallback> = Vec::with_capacity(rows.len());
        for (order_id, provider, transaction_id, amount_minor, currency, received_at, body) in rows
        {
            let payer = body
                .and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok())
                .and_then(|v| v.get("payer").and_then(|p| p.as_str()).map(str::to_owned));
            out.retain(|p| p.order_id != order_id);
            out.push(PaidCallback {
                order_id,
                provider,
                transaction_id,
                amount_minor,
                currency,
                payer,
                received_at,
            });
        }
        Ok(out)
    }
}
