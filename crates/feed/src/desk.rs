//! The order desk: the queueing half of a flash sale's hot path (design, "The hot path"). Each
//! open sale gets one writer task on this instance, spawned on its first order and kept in a map
//! by sale id. Buyers' orders queue on the writer's channel; the writer takes everything queued
//! (up to [`MAX_BATCH`]) while the previous batch commits — group commit without an added delay —
//! and hands the batch to the store's batch transaction ([`crate::store::batch`]), which decides
//! and writes it in ONE transaction. Only after the commit does it answer each buyer through a
//! oneshot channel.
//!
//! No buyer is told "confirmed" before the commit; a batch that keeps failing answers every
//! buyer of it with a 500 and writes nothing. Writers stop on shutdown after answering what they
//! hold, and the desk waits for them ([`OrderDesk::shutdown`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};
use crate::store::batch::Attempt;
use crate::store::{FeedStore, PendingOrder, Placed};

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
    /// Awaited on shutdown.
    task: tokio::task::JoinHandle<()>,
}

struct Inner {
    store: FeedStore,
    /// The running writers by sale id.
    writers: Mutex<HashMap<i64, Writer>>,
    /// Tells writers apart when one stops and another starts for the same sale.
    generation: std::sync::atomic::AtomicU64,
    /// Set by [`OrderDesk::shutdown`]: no order is taken and no writer started after it (a
    /// writer started then would never be awaited).
    closed: std::sync::atomic::AtomicBool,
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
                closed: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    /// Hands a flash-sale order (its `sale_id` set) to the sale's writer and waits for the
    /// committed answer; 503 `shutting_down` once the desk was shut down.
    pub async fn submit(&self, sale_id: i64, order: PendingOrder) -> Result<Placed> {
        let (reply, answer) = oneshot::channel();
        let mut ticket = Ticket { order, reply };
        for _ in 0..3 {
            let Some(queue) = self.writer(sale_id) else {
                return Err(Error::ShuttingDown);
            };
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

    /// The sale's writer's queue, started if needed; none once the desk is shut down. The
    /// flag is read under the writers' lock, which `shutdown` takes after setting it, so no
    /// writer can start after `shutdown` drained the map.
    fn writer(&self, sale_id: i64) -> Option<mpsc::Sender<Ticket>> {
        let mut writers = lock(&self.inner.writers);
        if self.inner.closed.load(std::sync::atomic::Ordering::Acquire) {
            return None;
        }
        if let Some(w) = writers.get(&sale_id) {
            if !w.queue.is_closed() {
                return Some(w.queue.clone());
            }
        }
        let (queue, rx) = mpsc::channel(QUEUE);
        let generation = self
            .inner
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let task = tokio::spawn(run_writer(self.inner.clone(), sale_id, generation, rx));
        writers.insert(
            sale_id,
            Writer {
                generation,
                queue: queue.clone(),
                task,
            },
        );
        Some(queue)
    }

    /// Stops every writer and waits for it: each answers what its queue holds (the map's
    /// senders are dropped, so its queue ends once buyers in flight have pushed), then ends.
    pub async fn shutdown(&self) {
        self.inner
            .closed
            .store(true, std::sync::atomic::Ordering::Release);
        let writers: Vec<Writer> = lock(&self.inner.writers).drain().map(|(_, w)| w).collect();
        for w in writers {
            drop(w.queue);
            if let Err(e) = w.task.await {
                tracing::error!(error = %e, "an order desk writer ended with a panic");
            }
        }
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
                // `recv` (not `try_recv`): a buyer who took a permit before the close may still
                // be pushing; `recv` returns None only once every permit is back.
                let mut rest = Vec::new();
                while let Some(t) = rx.recv().await {
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
            // An outage is a 503 for every buyer of the batch (they retry with their keys),
            // any other failure a 500.
            let unavailable = matches!(&e, Error::Catalog(c) if c.is_database_unavailable());
            for t in batch {
                let _ = t.reply.send(Err(if unavailable {
                    silkstream_catalog::Error::database_unavailable().into()
                } else {
                    Error::internal("the order could not be written")
                }));
            }
        }
    }
}

/// Writes one batch, deciding it again while the sale or a key changes under it, and running
/// it again after a deadlock or serialization failure (which wrote nothing): no input of one
/// buyer may fail another buyer's order.
async fn write_batch(
    store: &FeedStore,
    sale_id: i64,
    batch: &[&PendingOrder],
) -> Result<Vec<Placed>> {
    for _ in 0..ATTEMPTS {
        match store.write_batch(sale_id, batch).await {
            Ok(Attempt::Done(outcomes)) => return Ok(outcomes),
            Ok(Attempt::Again) => {
                tracing::debug!(sale_id, "the sale changed under the batch; deciding again");
            }
            Err(Error::Catalog(silkstream_catalog::Error::Sqlx(e)))
                if silkstream_catalog::error::retryable(&e) =>
            {
                tracing::warn!(sale_id, error = %e, "order batch rolled back; running it again");
            }
            Err(e) => return Err(e),
        }
    }
    Err(Error::internal(
        "the sale kept changing under the order desk",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Once the desk is shut down, an order is refused with 503 `shutting_down` and no writer
    /// starts (one started then would never be awaited).
    #[tokio::test]
    async fn a_shut_desk_takes_no_order_and_starts_no_writer() {
        let desk = OrderDesk::new(FeedStore::in_memory().await);
        desk.shutdown().await;
        let order = PendingOrder {
            session_id: 1,
            sale_id: Some(1),
            buyer_token_id: 1,
            buyer_name: "A".into(),
            idempotency_key: "k".into(),
            digest: "d".into(),
            variant_id: 1,
            product_id: 1,
            quantity: 1,
            currency: "KZT".into(),
            unit_price_minor: 100,
            market: "KZ".into(),
            buyer_city: "Almaty".into(),
            locale: "kk".into(),
            customs_mode: None,
            ship_to: "{}".into(),
            landed_cost: None,
            per_person: None,
            orderer: None,
        };
        let refused = desk.submit(1, order).await.err().map(|e| e.code());
        assert_eq!(refused, Some("shutting_down"));
        assert_eq!(desk.writers(), 0, "a writer started after shutdown");
    }
}
