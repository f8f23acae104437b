//! The order desk: the queueing half of a flash sale's hot path (design, "The hot path"), and of
//! every regular order. Each open sale, and each session's regular orders, get one writer task
//! on this instance, spawned on its first order and kept in a map by what it decides ([`Line`]).
//! Buyers' orders queue on the writer's channel; the writer takes everything queued (up to
//! [`MAX_BATCH`]) while the previous batch commits — group commit without an added delay — and
//! hands the batch to the store's batch transaction ([`crate::store::batch`] for a sale,
//! [`crate::store::regular`] for regular orders), which decides and writes it in ONE
//! transaction. Only after the commit does it answer each buyer through a
//! oneshot channel.
//!
//! Scaled out (Redis), one instance's desk decides a sale's batches: the one holding the sale's
//! lease ([`crate::tasks::cluster::Cluster::desk_owner`]). The other instances' writers hand their
//! batches to it over Redis and answer their buyers with its outcomes, so a hot sale's
//! transactions stay as large as one instance's instead of three desks taking turns on the
//! session's row; when the owner does not answer (dead, shutting down, Redis down), a writer
//! decides its batch itself, which the buyers' idempotency keys make safe (docs/scaling.md).
//!
//! No buyer is told "confirmed" before the commit; a batch that keeps failing answers every
//! buyer of it with a 500 and writes nothing. Writers stop on shutdown after answering what they
//! hold, and the desk waits for them ([`OrderDesk::shutdown`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use crate::domain::error::{Error, Result};
use crate::store::batch::{Attempt, Line};
use crate::store::{FeedStore, PendingOrder, Placed};
use crate::tasks::cluster::Cluster;

/// Most orders decided in one transaction.
pub const MAX_BATCH: usize = 256;
/// Orders that may wait for one sale's writer before buyers wait to enqueue.
const QUEUE: usize = 8192;
/// Batches one writer may have with the sale's desk owner at once (scaled out): a writer that
/// is not the owner sends each batch as soon as it has one instead of waiting for the owner's
/// answer to the last, so its buyers' orders join the owner's next transaction.
const HANDED_OVER_IN_FLIGHT: usize = 8;
/// A writer with nothing to do for this long stops (the next order starts a new one).
const IDLE: Duration = Duration::from_secs(30);
/// Times a batch is decided again after another writer took units under it.
const ATTEMPTS: usize = 8;
/// The first wait before a batch runs again after a deadlock or serialization failure; each
/// further failure doubles it, up to [`RETRY_CAP`].
const RETRY_BASE: Duration = Duration::from_millis(2);
/// The longest wait before a batch runs again (so a batch waits at most `ATTEMPTS` times this).
const RETRY_CAP: Duration = Duration::from_millis(64);

/// How long to wait before running a batch again after its `failures`-th deadlock or
/// serialization failure (1 for the first): exponential backoff with jitter, a random time
/// between half of `min(RETRY_CAP, RETRY_BASE * 2^(failures - 1))` and all of it. Run again at
/// once, the transactions that deadlocked would meet again in step; the jitter spreads them.
fn retry_backoff(failures: u32) -> Duration {
    let doubled = RETRY_BASE.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    let ceiling = doubled.min(RETRY_CAP);
    let floor = ceiling / 2;
    let ceiling_us = u64::try_from(ceiling.as_micros()).unwrap_or(u64::MAX);
    let floor_us = u64::try_from(floor.as_micros()).unwrap_or(u64::MAX);
    Duration::from_micros(rand::random_range(floor_us..=ceiling_us))
}

struct Ticket {
    order: PendingOrder,
    reply: oneshot::Sender<Result<Placed>>,
    /// Handed over by another instance's desk: decided here, never handed on, and only if this
    /// desk holds the session's row by this instant (that instance decides it after).
    handed_over: Option<Instant>,
}

impl Ticket {
    /// A handed-over order whose time to be decided here ran out at `now`.
    fn late(&self, now: Instant) -> bool {
        self.handed_over.is_some_and(|by| now >= by)
    }
}

/// Whether any order of `batch` was handed over and its time ran out (the clock is read only
/// when the batch holds a handed-over order).
fn any_late(batch: &[Ticket]) -> bool {
    batch.iter().any(|t| t.handed_over.is_some()) && {
        let now = Instant::now();
        batch.iter().any(|t| t.late(now))
    }
}

struct Writer {
    generation: u64,
    queue: mpsc::Sender<Ticket>,
    /// Awaited on shutdown.
    task: tokio::task::JoinHandle<()>,
}

struct Inner {
    store: FeedStore,
    /// Redis between the instances: whose desk a sale's batches go to.
    cluster: Cluster,
    /// The running writers by what they decide.
    writers: Mutex<HashMap<Line, Writer>>,
    /// Tells writers apart when one stops and another starts for the same sale.
    generation: std::sync::atomic::AtomicU64,
    /// Set by [`OrderDesk::shutdown`]: no order is taken and no writer started after it (a
    /// writer started then would never be awaited).
    closed: std::sync::atomic::AtomicBool,
    /// What the writers did, for `/metrics`.
    tally: Tally,
}

/// The desk's running totals (atomics: every writer adds to them).
#[derive(Default)]
struct Tally {
    batches: AtomicU64,
    handed_over: AtomicU64,
    orders: AtomicU64,
    again: AtomicU64,
    lock_wait_us: AtomicU64,
    busy_us: AtomicU64,
}

/// What this instance's order desk did since it started (`/metrics`): how large its batches
/// are and how long they wait for the session's row, the figures that say whether several
/// instances' desks of one sale take turns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeskFigures {
    /// Batch transactions committed.
    pub batches: u64,
    /// Batches handed to the instance that owns the sale's desk, and answered by it.
    pub handed_over: u64,
    /// Orders decided in them.
    pub orders: u64,
    /// Attempts decided again (the sale or a key changed under them, or a retryable failure).
    pub again: u64,
    /// Time spent beginning a batch and waiting for the session's row, in µs.
    pub lock_wait_us: u64,
    /// Time spent in batch transactions, the wait included, in µs.
    pub busy_us: u64,
}

/// The group-commit writers of this instance's open flash sales.
#[derive(Clone)]
pub struct OrderDesk {
    inner: Arc<Inner>,
}

impl OrderDesk {
    pub fn new(store: FeedStore, cluster: Cluster) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                cluster,
                writers: Mutex::new(HashMap::new()),
                generation: AtomicU64::new(0),
                closed: std::sync::atomic::AtomicBool::new(false),
                tally: Tally::default(),
            }),
        }
    }

    /// Hands a flash-sale order (its `sale_id` set) to the sale's writer and waits for the
    /// committed answer; 503 `shutting_down` once the desk was shut down.
    pub async fn submit(&self, sale_id: i64, order: PendingOrder) -> Result<Placed> {
        self.submit_to(Line::Sale(sale_id), order).await
    }

    /// Hands a regular order (no sale) to its session's writer and waits for the committed
    /// answer ([`Placed::SaleOpen`] when a sale of its variant is open: the caller places it
    /// there); 503 `shutting_down` once the desk was shut down.
    pub async fn submit_regular(&self, order: PendingOrder) -> Result<Placed> {
        let line = Line::Regular {
            session_id: order.session_id,
        };
        self.submit_to(line, order).await
    }

    async fn submit_to(&self, line: Line, order: PendingOrder) -> Result<Placed> {
        let (reply, answer) = oneshot::channel();
        self.enqueue(
            line,
            Ticket {
                order,
                reply,
                handed_over: None,
            },
        )
        .await?;
        answer
            .await
            .map_err(|_| Error::internal("the order desk stopped before answering"))?
    }

    /// Decides a batch another instance's desk handed over (this instance owns the sale's
    /// desk): its orders join this desk's queue, and the answers come back in order; a failure
    /// of any is the batch's (its code), and the other instance decides the batch itself.
    pub(crate) async fn submit_handed_over(
        &self,
        sale_id: i64,
        orders: Vec<PendingOrder>,
        decide_by: Instant,
    ) -> std::result::Result<Vec<Placed>, String> {
        let mut answers = Vec::with_capacity(orders.len());
        for order in orders {
            let (reply, answer) = oneshot::channel();
            let ticket = Ticket {
                order,
                reply,
                handed_over: Some(decide_by),
            };
            self.enqueue(Line::Sale(sale_id), ticket)
                .await
                .map_err(|e| e.code().to_owned())?;
            answers.push(answer);
        }
        let mut placed = Vec::with_capacity(answers.len());
        for answer in answers {
            match answer.await {
                Ok(Ok(p)) => placed.push(p),
                Ok(Err(e)) => return Err(e.code().to_owned()),
                Err(_) => return Err("internal".to_owned()),
            }
        }
        Ok(placed)
    }

    /// Puts a ticket on the line's writer's queue; 503 `shutting_down` once the desk was shut
    /// down.
    async fn enqueue(&self, line: Line, mut ticket: Ticket) -> Result<()> {
        for _ in 0..3 {
            let Some(queue) = self.writer(line) else {
                return Err(Error::ShuttingDown);
            };
            match queue.send(ticket).await {
                Ok(()) => return Ok(()),
                // The writer stopped (idle) between lookup and send: start another.
                Err(mpsc::error::SendError(t)) => ticket = t,
            }
        }
        Err(Error::internal("no order desk writer would take the order"))
    }

    /// The line's writer's queue, started if needed; none once the desk is shut down. The
    /// flag is read under the writers' lock, which `shutdown` takes after setting it, so no
    /// writer can start after `shutdown` drained the map.
    fn writer(&self, line: Line) -> Option<mpsc::Sender<Ticket>> {
        let mut writers = lock(&self.inner.writers);
        if self.inner.closed.load(Ordering::Acquire) {
            return None;
        }
        if let Some(w) = writers.get(&line) {
            if !w.queue.is_closed() {
                return Some(w.queue.clone());
            }
        }
        let (queue, rx) = mpsc::channel(QUEUE);
        let generation = self.inner.generation.fetch_add(1, Ordering::Relaxed);
        let task = tokio::spawn(run_writer(self.inner.clone(), line, generation, rx));
        writers.insert(
            line,
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
        self.inner.closed.store(true, Ordering::Release);
        let writers: Vec<Writer> = lock(&self.inner.writers).drain().map(|(_, w)| w).collect();
        for w in writers {
            drop(w.queue);
            if let Err(e) = w.task.await {
                tracing::error!(error = %e, "an order desk writer ended with a panic");
            }
        }
    }

    /// What the desk did since it started.
    pub fn figures(&self) -> DeskFigures {
        let t = &self.inner.tally;
        DeskFigures {
            batches: t.batches.load(Ordering::Relaxed),
            handed_over: t.handed_over.load(Ordering::Relaxed),
            orders: t.orders.load(Ordering::Relaxed),
            again: t.again.load(Ordering::Relaxed),
            lock_wait_us: t.lock_wait_us.load(Ordering::Relaxed),
            busy_us: t.busy_us.load(Ordering::Relaxed),
        }
    }

    /// Sales and sessions with a writer on this instance (for metrics and tests).
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
    line: Line,
    generation: u64,
    mut rx: mpsc::Receiver<Ticket>,
) {
    // Batches handed to the sale's desk owner and not yet answered; joined before the writer
    // ends.
    let mut handed: tokio::task::JoinSet<()> = tokio::task::JoinSet::new();
    loop {
        let first = match tokio::time::timeout(IDLE, rx.recv()).await {
            Ok(Some(t)) => t,
            Ok(None) => break,
            Err(_) => {
                // Idle: leave the map and close the queue under the map's lock, so a buyer
                // either got our queue before (and its ticket is drained below) or gets a new
                // writer.
                {
                    let mut writers = lock(&inner.writers);
                    if writers
                        .get(&line)
                        .is_some_and(|w| w.generation == generation)
                    {
                        writers.remove(&line);
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
                    let owner = owner_elsewhere(&inner.cluster, line, &batch).await;
                    decide(&inner, line, owner, batch).await;
                }
                break;
            }
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(t) => batch.push(t),
                Err(_) => break,
            }
        }
        match owner_elsewhere(&inner.cluster, line, &batch).await {
            // Another instance decides: send it now, and go on collecting.
            Some(owner) => {
                while handed.len() >= HANDED_OVER_IN_FLIGHT {
                    handed.join_next().await;
                }
                let inner = inner.clone();
                handed.spawn(async move { decide(&inner, line, Some(owner), batch).await });
            }
            // This instance decides: one transaction at a time.
            None => decide(&inner, line, None, batch).await,
        }
    }
    while handed.join_next().await.is_some() {}
}

/// Decides and writes one batch (or has the sale's desk owner decide it), then answers every
/// buyer in it.
async fn decide(inner: &Inner, line: Line, owner: Option<String>, mut batch: Vec<Ticket>) {
    let (store, cluster, tally) = (&inner.store, &inner.cluster, &inner.tally);
    let result = loop {
        // Handed-over orders whose time ran out are not decided here: the instance that handed
        // them over decides them itself.
        if any_late(&batch) {
            let now = Instant::now();
            let (late, on_time): (Vec<Ticket>, Vec<Ticket>) =
                batch.into_iter().partition(|t| t.late(now));
            for t in late {
                let _ = t.reply.send(Err(Error::HandOverLate));
            }
            batch = on_time;
            if batch.is_empty() {
                return;
            }
        }
        match write_batch(store, cluster, tally, line, owner.as_deref(), &batch).await {
            // One ran out while the batch waited for the session's row: nothing was written.
            Ok(None) => continue,
            Ok(Some(outcomes)) => break Ok(outcomes),
            Err(e) => break Err(e),
        }
    };
    match result {
        Ok(outcomes) => {
            for (t, o) in batch.into_iter().zip(outcomes) {
                let _ = t.reply.send(Ok(o));
            }
        }
        Err(e) => {
            tracing::error!(?line, error = %e, "order batch failed; nothing was written");
            // An outage is a 503 for every buyer of the batch (they retry with their keys),
            // any other failure a 500.
            let unavailable = matches!(&e, Error::Base(c) if c.is_database_unavailable());
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
/// buyer may fail another buyer's order. Scaled out, the batch goes to the sale's desk owner
/// `owner` first ([`hand_over`]), and is decided here only if the owner does not answer.
/// `None` when a handed-over order's time ran out before the batch held the session's row:
/// nothing was written, and the caller decides the batch again without it.
async fn write_batch(
    store: &FeedStore,
    cluster: &Cluster,
    tally: &Tally,
    line: Line,
    owner: Option<&str>,
    batch: &[Ticket],
) -> Result<Option<Vec<Placed>>> {
    let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    let session_id = batch
        .first()
        .map(|t| t.order.session_id)
        .ok_or_else(|| Error::internal("an empty batch"))?;
    if let Some(placed) = match (owner, line.sale()) {
        (Some(owner), Some(sale_id)) => hand_over(cluster, owner, sale_id, batch).await,
        _ => None,
    } {
        tally.handed_over.fetch_add(1, Ordering::Relaxed);
        return Ok(Some(placed));
    }
    let mut failures = 0u32;
    for _ in 0..ATTEMPTS {
        let began = std::time::Instant::now();
        let attempt = match store.begin_batch(session_id).await {
            Ok(w) => {
                tally
                    .lock_wait_us
                    .fetch_add(micros(began.elapsed()), Ordering::Relaxed);
                // The row is held from here to the commit: a handed-over order still on time
                // now is written before its sender's own transaction can read its key.
                if any_late(batch) {
                    drop(w);
                    return Ok(None);
                }
                let orders: Vec<&PendingOrder> = batch.iter().map(|t| &t.order).collect();
                store.write_batch_in(w, line, &orders).await
            }
            Err(e) => Err(e),
        };
        tally
            .busy_us
            .fetch_add(micros(began.elapsed()), Ordering::Relaxed);
        match attempt {
            Ok(Attempt::Done(outcomes)) => {
                tally.batches.fetch_add(1, Ordering::Relaxed);
                tally
                    .orders
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                return Ok(Some(outcomes));
            }
            Ok(Attempt::Again) => {
                tally.again.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    ?line,
                    "stock or a key changed under the batch; deciding again"
                );
            }
            Err(Error::Base(silkstream_catalog::Error::Sqlx(e)))
                if silkstream_catalog::error::retryable(&e) =>
            {
                tally.again.fetch_add(1, Ordering::Relaxed);
                failures += 1;
                let wait = retry_backoff(failures);
                tracing::warn!(?line, error = %e, ?wait, "order batch rolled back; running it again");
                tokio::time::sleep(wait).await;
            }
            Err(e) => return Err(e),
        }
    }
    Err(Error::internal(
        "the sale or its stock kept changing under the order desk",
    ))
}

/// Scaled out, a sale's batches are decided by one instance's desk (the owner, named by a
/// lease in Redis that its batches renew), so that its transactions are as large as one
/// instance's instead of three desks taking turns on the session's row (docs/scaling.md).
/// The owner when that is another instance and `batch` may be handed to it; `None` when this
/// instance decides it: no Redis, this instance owns the sale (the call renews its lease), the
/// batch was handed over itself or holds an order a per-person rule decides, or the batch is
/// of regular orders.
async fn owner_elsewhere(cluster: &Cluster, line: Line, batch: &[Ticket]) -> Option<String> {
    let sale_id = line.sale()?;
    if !cluster.configured()
        || batch
            .iter()
            .any(|t| t.handed_over.is_some() || t.order.per_person.is_some())
    {
        return None;
    }
    cluster.desk_owner(sale_id).await
}

/// Hands `batch` to `owner`'s desk and answers with its outcomes; `None` when the owner did not
/// answer (gone, shutting down, Redis down: the buyers' keys make deciding here safe whatever
/// the owner did).
async fn hand_over(
    cluster: &Cluster,
    owner: &str,
    sale_id: i64,
    batch: &[Ticket],
) -> Option<Vec<Placed>> {
    let orders: Vec<&PendingOrder> = batch.iter().map(|t| &t.order).collect();
    match cluster.hand_over(owner, sale_id, &orders).await? {
        Ok(placed) if placed.len() == batch.len() => Some(placed),
        Ok(_) => {
            tracing::warn!(
                sale_id,
                "the desk's owner answered a batch with a wrong count"
            );
            None
        }
        Err(code) => {
            tracing::debug!(sale_id, code, "the desk's owner did not decide a batch");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After a deadlock the batch waits a random time within a window that doubles with each
    /// failure and stops at the cap: never at once in step with the other transaction, never
    /// unbounded.
    #[test]
    fn the_retry_after_a_deadlock_backs_off_with_jitter_within_bounds() {
        for failures in 1..=12u32 {
            let ceiling = (RETRY_BASE * 2u32.pow((failures - 1).min(16))).min(RETRY_CAP);
            let waits: Vec<Duration> = (0..200).map(|_| retry_backoff(failures)).collect();
            for wait in &waits {
                assert!(
                    *wait >= ceiling / 2 && *wait <= ceiling,
                    "failure {failures}: {wait:?} outside {:?}..={ceiling:?}",
                    ceiling / 2
                );
            }
            let distinct: std::collections::BTreeSet<_> = waits.iter().collect();
            assert!(
                distinct.len() > 10,
                "failure {failures}: the waits are not spread ({} distinct of 200)",
                distinct.len()
            );
        }
        assert_eq!(
            (1..=ATTEMPTS as u32)
                .map(|n| (RETRY_BASE * 2u32.pow(n - 1)).min(RETRY_CAP))
                .max(),
            Some(RETRY_CAP),
            "the cap is reached within the attempts"
        );
        assert!(retry_backoff(u32::MAX) <= RETRY_CAP);
    }

    /// What one instance's desk answers another's reads back as the same outcomes.
    #[test]
    fn outcomes_cross_between_instances_unchanged() {
        use crate::domain::error::Refusal;
        use crate::store::Written;
        let kind = silkstream_catalog::merchants::RULES.kinds()[0];
        let outcomes = vec![
            Placed::Confirmed {
                order_id: 7,
                remaining: Some(3),
                written: Some(Box::new(Written {
                    created_at: 1,
                    pay_by: 2,
                    warehouse_id: 3,
                    rate_cny: Some("0.0152".into()),
                    value_cny_fen: Some(684),
                    landed_cost: None,
                    customs_mode: Some("9610".into()),
                    customs_reason: Some("retail_parcel".into()),
                    warehouse: Some("KHG-1".into()),
                })),
            },
            Placed::Duplicate { order_id: 7 },
            Placed::Refused(Refusal::LimitReached { limit: 2 }),
            Placed::Refused(Refusal::QualificationMissing { kind }),
            Placed::Refused(Refusal::SoldOut),
            Placed::Unauthorized,
            Placed::OverLimit {
                code: "cross_border_limit",
                message: "CNY 26,000 a year".into(),
            },
            Placed::Archived,
        ];
        let wire = serde_json::to_string(&outcomes).expect("encodes");
        let back: Vec<Placed> = serde_json::from_str(&wire).expect("decodes");
        assert_eq!(back, outcomes);
        for unknown in [
            r#"[{"Refused":{"code":"no_such_refusal"}}]"#,
            r#"[{"OverLimit":{"code":"no_such_limit","message":"m"}}]"#,
        ] {
            assert!(
                serde_json::from_str::<Vec<Placed>>(unknown).is_err(),
                "{unknown}"
            );
        }
    }

    /// A handed-over order whose time ran out before the desk took it up is answered
    /// `hand_over_late` and not decided: no transaction begins for it (the instance that
    /// handed it over decides it itself, and may have answered its buyer already).
    #[tokio::test]
    async fn a_late_handed_over_order_is_not_decided() {
        let desk = OrderDesk::new(FeedStore::in_memory().await, Cluster::none());
        let late = Instant::now();
        let answer = desk.submit_handed_over(1, vec![order()], late).await;
        assert_eq!(answer, Err("hand_over_late".to_owned()));
        let figures = desk.figures();
        assert_eq!(
            (figures.batches, figures.again, figures.busy_us),
            (0, 0, 0),
            "a transaction began for a late order"
        );
        desk.shutdown().await;
    }

    fn order() -> PendingOrder {
        PendingOrder {
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
            b2c_max_quantity: 50,
            ship_to: "{}".into(),
            landed_cost: None,
            per_person: None,
            orderer: None,
        }
    }

    /// Once the desk is shut down, an order is refused with 503 `shutting_down` and no writer
    /// starts (one started then would never be awaited).
    #[tokio::test]
    async fn a_shut_desk_takes_no_order_and_starts_no_writer() {
        let desk = OrderDesk::new(FeedStore::in_memory().await, Cluster::none());
        desk.shutdown().await;
        let refused = desk.submit(1, order()).await.err().map(|e| e.code());
        assert_eq!(refused, Some("shutting_down"));
        assert_eq!(desk.writers(), 0, "a writer started after shutdown");
    }
}
