//! The order desk: the hot path of a flash sale (design, "The hot path"). Each open sale gets one
//! writer task on this instance, spawned on its first order and kept in a map by sale id. Buyers'
//! orders queue on the writer's channel; the writer takes everything queued (up to
//! [`MAX_BATCH`]) while the previous batch commits — group commit without an added delay — and,
//! in ONE transaction:
//!
//! 1. locks the session's row (the lock every feed write takes first; see [`crate::events`]),
//! 2. reads the sale and the session, decides each order in turn against the units left and
//!    the buyer's units in this sale (a guarded upsert of `sale_buyers`, so the per-buyer limit
//!    holds across orders and across instances),
//! 3. inserts the accepted orders (`ON CONFLICT (buyer, key) DO NOTHING`: a key another
//!    instance used meanwhile becomes a replay, never an aborted batch) and their events,
//! 4. takes the batch's units with one conditional update
//!    (`… SET remaining = remaining - $n WHERE … AND remaining >= $n`); when it matches no row,
//!    another writer took units first: roll back, re-read, decide again,
//! 5. commits, and only then answers each buyer through a oneshot channel.
//!
//! No buyer is told "confirmed" before the commit; a failure answers every buyer of the batch
//! with a 500 and writes nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use silkstream_catalog::db::now_ms;
use silkstream_catalog::dispatch;
use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Refusal, Result};
use crate::events::count;
use crate::store::{order_event, FeedStore, PendingOrder, Placed};
use crate::{lock_session, log_events, read_totals, write_totals};

/// Most orders decided in one transaction.
pub const MAX_BATCH: usize = 256;
/// Orders that may wait for one sale's writer before buyers wait to enqueue.
const QUEUE: usize = 8192;
/// A writer with nothing to do for this long stops (the next order starts a new one).
const IDLE: Duration = Duration::from_secs(30);
/// Times a batch is decided again after another writer took units under it.
const ATTEMPTS: usize = 8;

struct Ticket {
    order: PendingOrder,
    reply: oneshot::Sender<Result<Placed>>,
}

struct Writer {
    generation: u64,
    queue: mpsc::Sender<Ticket>,
}

struct Inner {
    store: FeedStore,
    /// The running writers by sale id.
    writers: Mutex<HashMap<i64, Writer>>,
    /// Tells writers apart when one stops and another starts for the same sale.
    generation: std::sync::atomic::AtomicU64,
}

/// The group-commit writers of this instance's open flash sales.
#[derive(Clone)]
pub struct OrderDesk {
    inner: Arc<Inner>,
}

impl OrderDesk {
    pub fn new(store: FeedStore) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                writers: Mutex::new(HashMap::new()),
                generation: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    /// Hands a flash-sale order (its `sale_id` set) to the sale's writer and waits for the
    /// committed answer.
    pub async fn submit(&self, sale_id: i64, order: PendingOrder) -> Result<Placed> {
        let (reply, answer) = oneshot::channel();
        let mut ticket = Ticket { order, reply };
        for _ in 0..3 {
            let queue = self.writer(sale_id);
            match queue.send(ticket).await {
                Ok(()) => {
                    return answer
                        .await
                        .map_err(|_| Error::internal("the order desk stopped before answering"))?;
                }
                // The writer stopped (idle) between lookup and send: start another.
                Err(mpsc::error::SendError(t)) => ticket = t,
            }
        }
        Err(Error::internal("no order desk writer would take the order"))
    }

    fn writer(&self, sale_id: i64) -> mpsc::Sender<Ticket> {
        let mut writers = lock(&self.inner.writers);
        if let Some(w) = writers.get(&sale_id) {
            if !w.queue.is_closed() {
                return w.queue.clone();
            }
        }
        let (queue, rx) = mpsc::channel(QUEUE);
        let generation = self
            .inner
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        writers.insert(
            sale_id,
            Writer {
                generation,
                queue: queue.clone(),
            },
        );
        tokio::spawn(run_writer(self.inner.clone(), sale_id, generation, rx));
        queue
    }

    /// Sales with a writer on this instance (for metrics and tests).
    pub fn writers(&self) -> usize {
        lock(&self.inner.writers).len()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

async fn run_writer(
    inner: Arc<Inner>,
    sale_id: i64,
    generation: u64,
    mut rx: mpsc::Receiver<Ticket>,
) {
    loop {
        let first = match tokio::time::timeout(IDLE, rx.recv()).await {
            Ok(Some(t)) => t,
            Ok(None) => return,
            Err(_) => {
                // Idle: leave the map and close the queue under the map's lock, so a buyer
                // either got our queue before (and its ticket is drained below) or gets a new
                // writer.
                {
                    let mut writers = lock(&inner.writers);
                    if writers
                        .get(&sale_id)
                        .is_some_and(|w| w.generation == generation)
                    {
                        writers.remove(&sale_id);
                    }
                    rx.close();
                }
                let mut rest = Vec::new();
                while let Ok(t) = rx.try_recv() {
                    rest.push(t);
                }
                while !rest.is_empty() {
                    let batch: Vec<Ticket> = rest.drain(..rest.len().min(MAX_BATCH)).collect();
                    decide(&inner.store, sale_id, batch).await;
                }
                return;
            }
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(t) => batch.push(t),
                Err(_) => break,
            }
        }
        decide(&inner.store, sale_id, batch).await;
    }
}

/// Decides and writes one batch, then answers every buyer in it.
async fn decide(store: &FeedStore, sale_id: i64, batch: Vec<Ticket>) {
    let orders: Vec<&PendingOrder> = batch.iter().map(|t| &t.order).collect();
    let result = write_batch(store, sale_id, &orders).await;
    match result {
        Ok(outcomes) => {
            for (t, o) in batch.into_iter().zip(outcomes) {
                let _ = t.reply.send(Ok(o));
            }
        }
        Err(e) => {
            tracing::error!(sale_id, error = %e, "order batch failed; nothing was written");
            for t in batch {
                let _ = t
                    .reply
                    .send(Err(Error::internal("the order could not be written")));
            }
        }
    }
}

async fn write_batch(
    store: &FeedStore,
    sale_id: i64,
    batch: &[&PendingOrder],
) -> Result<Vec<Placed>> {
    let Some(first) = batch.first() else {
        return Ok(Vec::new());
    };
    let session_id = first.session_id;
    for _ in 0..ATTEMPTS {
        let now = now_ms();
        let pay_by = now.saturating_add(store.payment_window_ms());
        let committed: Option<Vec<Placed>> = dispatch!(store.db().writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, session_id);
            let (session_state,): (String,) =
                sqlx::query_as("SELECT state FROM sessions WHERE id = $1")
                    .bind(session_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let (state, remaining, limit, starts_at, ends_at, warehouse_id): (String, i64, i64, i64, i64, i64) =
                sqlx::query_as(
                    "SELECT state, remaining, per_buyer_limit, starts_at, ends_at, warehouse_id \
                     FROM flash_sales WHERE id = $1",
                )
                .bind(sale_id)
                .fetch_one(&mut *tx)
                .await?;
            let mut totals = read_totals!(tx, session_id);
            let mut counted: Vec<String> = Vec::new();
            let mut left = remaining;
            let mut outcomes: Vec<Placed> = Vec::with_capacity(batch.len());
            let mut events: Vec<(&str, serde_json::Value)> = Vec::new();
            let mut accepted_keys: HashMap<(i64, &str), i64> = HashMap::new();
            for o in batch {
                let refusal = if session_state != "live" {
                    Some(Refusal::NotLive)
                } else if state == "ended" || now >= ends_at {
                    Some(Refusal::SaleEnded)
                } else if state == "paused" {
                    Some(Refusal::SalePaused)
                } else if now < starts_at {
                    Some(Refusal::SaleNotStarted)
                } else {
                    None
                };
                if let Some(r) = refusal {
                    outcomes.push(Placed::Refused(r));
                    continue;
                }
                if let Some(order_id) = accepted_keys.get(&(o.buyer_token_id, o.idempotency_key.as_str())) {
                    outcomes.push(Placed::Duplicate { order_id: *order_id });
                    continue;
                }
                if o.quantity > left {
                    outcomes.push(Placed::Refused(Refusal::SoldOut));
                    continue;
                }
                if o.quantity > limit {
                    outcomes.push(Placed::Refused(Refusal::LimitReached { limit }));
                    continue;
                }
                let within_limit = sqlx::query(
                    "INSERT INTO sale_buyers (sale_id, buyer_token_id, units) VALUES ($1, $2, $3) \
                     ON CONFLICT (sale_id, buyer_token_id) DO UPDATE \
                     SET units = sale_buyers.units + excluded.units \
                     WHERE sale_buyers.units + excluded.units <= $4",
                )
                .bind(sale_id)
                .bind(o.buyer_token_id)
                .bind(o.quantity)
                .bind(limit)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if within_limit == 0 {
                    outcomes.push(Placed::Refused(Refusal::LimitReached { limit }));
                    continue;
                }
                let inserted: Option<(i64,)> = crate::insert_order!(tx, o, warehouse_id, now, pay_by)
                    .fetch_optional(&mut *tx)
                    .await?;
                match inserted {
                    None => {
                        // The key was used meanwhile (by another instance): a replay.
                        sqlx::query(
                            "UPDATE sale_buyers SET units = units - $1 WHERE sale_id = $2 \
                             AND buyer_token_id = $3",
                        )
                        .bind(o.quantity)
                        .bind(sale_id)
                        .bind(o.buyer_token_id)
                        .execute(&mut *tx)
                        .await?;
                        let (order_id,): (i64,) = sqlx::query_as(
                            "SELECT id FROM orders WHERE buyer_token_id = $1 AND idempotency_key = $2",
                        )
                        .bind(o.buyer_token_id)
                        .bind(&o.idempotency_key)
                        .fetch_one(&mut *tx)
                        .await?;
                        outcomes.push(Placed::Duplicate { order_id });
                    }
                    Some((order_id,)) => {
                        left -= o.quantity;
                        accepted_keys.insert((o.buyer_token_id, o.idempotency_key.as_str()), order_id);
                        count(&mut totals, &o.currency, o.quantity, o.unit_price_minor * o.quantity, 1);
                        if !counted.contains(&o.currency) {
                            counted.push(o.currency.clone());
                        }
                        events.push(("order_confirmed", order_event(o, order_id, Some(left), &totals)));
                        outcomes.push(Placed::Confirmed {
                            order_id,
                            remaining: Some(left),
                        });
                    }
                }
            }
            let taken = remaining - left;
            let mut ok = true;
            if taken > 0 {
                let done = sqlx::query(
                    "UPDATE flash_sales SET remaining = remaining - $1 WHERE id = $2 \
                     AND remaining >= $1 AND state = 'open'",
                )
                .bind(taken)
                .bind(sale_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done == 0 {
                    ok = false;
                } else {
                    if left == 0 {
                        events.push(("sale_sold_out", serde_json::json!({"sale_id": sale_id})));
                    }
                    write_totals!(tx, session_id, totals, &counted);
                    log_events!(tx, session_id, now, events);
                }
            }
            if ok {
                tx.commit().await?;
                store.committed();
                Some(outcomes)
            } else {
                tx.rollback().await?;
                None
            }
        });
        if let Some(outcomes) = committed {
            return Ok(outcomes);
        }
        tracing::debug!(sale_id, "the sale changed under the batch; deciding again");
    }
    Err(Error::internal(
        "the sale kept changing under the order desk",
    ))
}
