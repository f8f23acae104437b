//! Fan-out of the event log to the feed connections of this instance.
//!
//! One tailer task per instance hands each event, in global id order, to the connections that
//! watch its session, or all sessions. Writers hand it the rows they just committed
//! ([`crate::store::commits`]), and so, scaled out, do the other instances through Redis
//! ([`crate::tasks::cluster`]); a batch that follows what was dispatched is handed out as it is, a gap
//! is filled by reading the log (`id > last`), and a short poll of the log is the safety net.
//! Because every event-writing transaction takes the single `event_clock` row before it logs
//! (and gets its ids from it), ids are handed out in commit order on both backends: when the
//! tailer has read up to id N, no event with an id ≤ N can still appear. So the log alone
//! decides what a connection sees and in which order; the tailer is only the fast path, and a
//! connection that resumes reads the log first and then drops anything it already sent.
//!
//! Each connection has a bounded [`Queue`]: empty and unallocated while the connection is idle,
//! grown on demand up to its capacity, and taken whole by the connection's writer, which writes
//! everything queued and flushes once. The tailer never waits for a connection: when a queue is
//! full the queue is closed as overflowed and the connection dropped from the registry; its
//! writer sends what was queued, then `{"type": "resync", "since": <last seq>}`, and closes, and
//! the client resumes with `since`. An event is encoded once per audience (role, locale,
//! currency) and the bytes are shared by every connection of that audience.
//!
//! The tailer also tells the catalog's read cache which products the events changed (a regular
//! order or a sale's carve-out moves stock), on every instance: see [`stock_moved`].

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use silkstream_catalog::cache::Changed;
use tokio::sync::{mpsc, watch, Notify};

use crate::domain::events::{Event, ReturnedTo};
use crate::store::commits::Arrival;
use crate::store::log::EventRow;

pub use crate::store::log::LoggedEvent;

use crate::domain::events::Audience;

/// Encodings are shared by connections with the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ViewKey {
    pub audience: Audience,
    pub locale: &'static str,
    pub currency: &'static str,
}

/// Turns a logged event into the JSON text one audience receives.
pub type Encoder = Arc<dyn Fn(&LoggedEvent, &ViewKey) -> String + Send + Sync>;

/// What a connection's queue carries.
#[derive(Debug, Clone)]
pub enum Frame {
    /// A logged event, already encoded for the connection's audience.
    Event {
        id: i64,
        seq: i64,
        session_id: i64,
        text: Utf8Bytes,
    },
    /// A passing tick (viewer count, countdown): no seq, not logged.
    Tick(Utf8Bytes),
    /// Several logged events of one session in one frame (a big room's chat, [`QUIET_CHAT_ROOM`]):
    /// `text` is `{"type": "batch", "events": [...]}` with `events` each as it would have come
    /// alone, in seq order; `events` are the same events one by one, for a connection that
    /// has sent some of them already (a resume).
    Batch {
        text: Utf8Bytes,
        events: Arc<[Batched]>,
    },
}

/// One event of a [`Frame::Batch`], encoded for the connection's audience.
#[derive(Debug, Clone)]
pub struct Batched {
    pub id: i64,
    pub seq: i64,
    pub text: Utf8Bytes,
}

/// Which sessions an all-rooms subscription wants.
#[derive(Debug, Clone, Default)]
pub struct AllFilter {
    pub market: Option<String>,
    pub host_token_id: Option<i64>,
}

impl AllFilter {
    pub fn matches(&self, e: &LoggedEvent) -> bool {
        self.market.as_ref().is_none_or(|m| e.markets.contains(m))
            && self.host_token_id.is_none_or(|h| e.host_token_id == h)
    }
}

/// Why a queue yields no more frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The connection fell behind: what it had queued is sent, then `resync`.
    Overflow,
    /// The fan-out stopped (shutdown).
    Stopped,
}

/// One connection's queue of frames. It holds no memory while empty (an idle viewer costs a
/// few words here, not a pre-sized buffer), grows as frames arrive up to `capacity`, and is taken
/// whole by the connection's writer ([`Queue::take`]).
pub struct Queue {
    state: Mutex<QueueState>,
    /// Woken on every push and on close; one waiter (the connection's writer), so a wake-up that
    /// comes while it is busy is kept as a permit.
    ready: Notify,
    capacity: usize,
}

#[derive(Default)]
struct QueueState {
    frames: VecDeque<Frame>,
    closed: Option<Closed>,
}

/// What a push into a queue did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pushed {
    Queued,
    Full,
    Closed,
}

impl Queue {
    fn new(capacity: usize) -> Self {
        Queue {
            state: Mutex::new(QueueState::default()),
            ready: Notify::new(),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        // Every update is a single push, take or flag: a poisoned lock is still consistent.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn push(&self, frame: Frame) -> Pushed {
        let mut state = self.lock();
        if state.closed.is_some() {
            return Pushed::Closed;
        }
        if state.frames.len() >= self.capacity {
            return Pushed::Full;
        }
        state.frames.push_back(frame);
        drop(state);
        self.ready.notify_one();
        Pushed::Queued
    }

    /// No more frames after those queued; the writer learns `why` once it has taken them.
    fn close(&self, why: Closed) {
        let mut state = self.lock();
        if state.closed.is_none() {
            state.closed = Some(why);
        }
        drop(state);
        self.ready.notify_one();
    }

    /// Waits until frames are queued and takes all of them (the queue is left empty, without
    /// its allocation), or says why none will come once everything queued was taken.
    /// Cancel-safe: nothing is taken unless it is returned.
    pub async fn take(&self) -> Result<VecDeque<Frame>, Closed> {
        loop {
            {
                let mut state = self.lock();
                if !state.frames.is_empty() {
                    return Ok(std::mem::take(&mut state.frames));
                }
                if let Some(why) = state.closed {
                    return Err(why);
                }
            }
            self.ready.notified().await;
        }
    }
}

struct Subscriber {
    id: u64,
    key: ViewKey,
    queue: Arc<Queue>,
}

#[derive(Default)]
struct Registry {
    sessions: HashMap<i64, Room>,
    all: Vec<(AllFilter, Subscriber)>,
}

/// One session's connections on this instance, and how many of them read each encoding: the
/// tailer encodes an event once per key, before it takes the registry's lock.
#[derive(Default)]
struct Room {
    subs: Vec<Subscriber>,
    keys: HashMap<ViewKey, usize>,
    /// A big room's chat waiting to go out in one frame per connection ([`QUIET_CHAT_ROOM`]),
    /// in seq order, and since when the oldest waits.
    pending: Vec<Pending>,
    pending_since: Option<std::time::Instant>,
}

/// A chat event a big room holds until its next frame: its encodings so far (a key that
/// joins later is encoded at the flush).
struct Pending {
    event: LoggedEvent,
    texts: HashMap<ViewKey, Utf8Bytes>,
}

/// A room with more connections than this on one instance gets its chat in batches: the
/// tailer holds each chat event (encoded once per audience) and hands every connection one
/// frame with all of them (`{"type": "batch", "events": [...]}`, docs/feed.md) just before
/// the next thing the room's connections get anyway: the room's tick (about once a second),
/// an event that is not chat, or, when neither came for [`CHAT_FLUSH`], on its own. A busy
/// chat then costs a viewer one frame a second riding the tick's write, not one frame and one
/// wake-up per message: 50 messages a second to 10,000 viewers are 10,000 frames a second,
/// not 500,000 (docs/live-room.md). Smaller rooms hear each message at once.
pub const QUIET_CHAT_ROOM: usize = 256;

/// The longest a big room's chat waits for a wake-up before it is flushed on its own.
pub const CHAT_FLUSH: Duration = Duration::from_secs(1);

/// How often the tailer looks for chat that waited [`CHAT_FLUSH`].
const CHAT_CHECK: Duration = Duration::from_millis(250);

/// Queues `frame` on `sub`; a full queue is closed as overflowed. Whether `sub` stays.
fn offer_frame(sub: &Subscriber, frame: Frame) -> bool {
    match sub.queue.push(frame) {
        Pushed::Queued => true,
        Pushed::Full => {
            sub.queue.close(Closed::Overflow);
            false
        }
        Pushed::Closed => false,
    }
}

/// Whether an event is the room's chat (batched in big rooms).
fn is_chat(event: &LoggedEvent) -> bool {
    event.kind.starts_with("chat_")
}

impl Room {
    fn add(&mut self, sub: Subscriber) {
        *self.keys.entry(sub.key.clone()).or_insert(0) += 1;
        self.subs.push(sub);
    }

    /// Keeps the connections `keep` says to keep, and the counts of their keys.
    fn retain(&mut self, mut keep: impl FnMut(&Subscriber) -> bool) {
        let keys = &mut self.keys;
        self.subs.retain(|sub| {
            let kept = keep(sub);
            if !kept {
                if let Some(n) = keys.get_mut(&sub.key) {
                    *n -= 1;
                    if *n == 0 {
                        keys.remove(&sub.key);
                    }
                }
            }
            kept
        });
    }
}

struct Inner {
    store: crate::store::FeedStore,
    encoder: Encoder,
    registry: Mutex<Registry>,
    next_id: AtomicU64,
    /// The last global id handed to subscribers.
    last_id: AtomicI64,
    /// True once the tailer has found the end of the log.
    ready: watch::Receiver<bool>,
    /// Counts for `/metrics`: how events reached this instance.
    stats: Stats,
}

/// How the dispatched events reached this instance.
#[derive(Default)]
struct Stats {
    /// Taken from committed batches (this instance's, or the bus's), without reading the log.
    from_commits: AtomicU64,
    /// Read from the log (woken, polled, or after a gap).
    from_log: AtomicU64,
    /// Batches that did not follow what was dispatched (the log was read instead).
    gaps: AtomicU64,
}

/// The next arrival, or never when the tailer has no queue of arrivals.
async fn next_arrival(arrivals: &mut Option<mpsc::Receiver<Arrival>>) -> Option<Arrival> {
    match arrivals {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// The fan-out of this instance; cheap to clone.
#[derive(Clone)]
pub struct Fanout {
    inner: Arc<Inner>,
}

/// A connection's end: its queue. Dropping it unsubscribes.
pub struct Subscription {
    pub queue: Arc<Queue>,
    id: u64,
    session_id: Option<i64>,
    fanout: Fanout,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.fanout.unsubscribe(self.id, self.session_id);
    }
}

impl Fanout {
    /// Starts the tailer. It first finds the end of the log (connections wait for that with
    /// [`Fanout::ready`] before they subscribe, so nothing committed meanwhile is missed), then
    /// takes the batches commits hand it ([`crate::store::commits`]: this instance's, and the
    /// other instances' through the bus), reads the log when woken, when a batch does not
    /// follow what it dispatched, and on every `poll`, until `alive`'s sender is dropped.
    pub fn start(
        store: crate::store::FeedStore,
        encoder: Encoder,
        poll: Duration,
        mut alive: watch::Receiver<()>,
    ) -> (Fanout, tokio::task::JoinHandle<()>) {
        let (ready_tx, ready) = watch::channel(false);
        let (mut arrivals, wake) = match store.commits().attach_tailer() {
            Some((rx, wake)) => (Some(rx), wake),
            None => (None, store.commits().wake()),
        };
        let fanout = Fanout::new(store, encoder, ready);
        let tailer = fanout.clone();
        let handle = tokio::spawn(async move {
            loop {
                match tailer.inner.store.last_event_id().await {
                    Ok(last) => {
                        tailer.inner.last_id.store(last, Ordering::Release);
                        let _ = ready_tx.send(true);
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read the end of the event log; retrying");
                        let retry = tokio::time::timeout(
                            poll.max(Duration::from_millis(100)),
                            alive.changed(),
                        )
                        .await;
                        if retry.is_ok() {
                            return;
                        }
                    }
                }
            }
            let mut tick = tokio::time::interval(poll);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut chat = tokio::time::interval(CHAT_CHECK);
            chat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let read = tokio::select! {
                    () = wake.notified() => tailer.drain().await,
                    Some(arrival) = next_arrival(&mut arrivals) => tailer.apply(arrival).await,
                    _ = tick.tick() => tailer.drain().await,
                    _ = chat.tick() => {
                        tailer.flush_chat(CHAT_FLUSH);
                        Ok(())
                    }
                    // A send (shutdown) or a dropped sender (the feed is gone): stop.
                    _ = alive.changed() => break,
                };
                if let Err(e) = read {
                    tracing::warn!(error = %e, "reading the event log failed; retrying");
                }
            }
            // Stopping: close every subscriber's queue so their connections end.
            let mut registry = tailer.lock();
            for sub in registry.sessions.values().flat_map(|room| &room.subs) {
                sub.queue.close(Closed::Stopped);
            }
            for (_, sub) in &registry.all {
                sub.queue.close(Closed::Stopped);
            }
            registry.sessions.clear();
            registry.all.clear();
        });
        (fanout, handle)
    }

    /// A fan-out with no connection yet, its tailer not started.
    fn new(store: crate::store::FeedStore, encoder: Encoder, ready: watch::Receiver<bool>) -> Self {
        Fanout {
            inner: Arc::new(Inner {
                store,
                encoder,
                registry: Mutex::new(Registry::default()),
                next_id: AtomicU64::new(1),
                last_id: AtomicI64::new(0),
                ready,
                stats: Stats::default(),
            }),
        }
    }

    /// Resolves once the tailer knows where the log ends.
    pub async fn ready(&self) {
        let mut ready = self.inner.ready.clone();
        let _ = ready.wait_for(|r| *r).await;
    }

    /// How the events dispatched so far reached this instance.
    pub fn stats(&self) -> (u64, u64, u64) {
        let s = &self.inner.stats;
        (
            s.from_commits.load(Ordering::Relaxed),
            s.from_log.load(Ordering::Relaxed),
            s.gaps.load(Ordering::Relaxed),
        )
    }

    /// Connections watching a session now (its viewer count on this instance).
    pub fn viewers(&self, session_id: i64) -> usize {
        self.lock()
            .sessions
            .get(&session_id)
            .map_or(0, |room| room.subs.len())
    }

    /// Sessions with at least one connection on this instance.
    pub fn watched_sessions(&self) -> Vec<(i64, usize)> {
        self.lock()
            .sessions
            .iter()
            .map(|(id, room)| (*id, room.subs.len()))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        // A panic while holding the lock cannot leave the registry inconsistent (every update
        // is a single push or retain), so a poisoned lock is still usable.
        self.inner
            .registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn new_subscriber(&self, key: ViewKey, capacity: usize) -> Subscriber {
        Subscriber {
            id: self.inner.next_id.fetch_add(1, Ordering::Relaxed),
            key,
            queue: Arc::new(Queue::new(capacity)),
        }
    }

    /// Subscribes to one session's live events. Subscribe first, then read the log: whatever
    /// commits in between arrives twice and is dropped by seq, never lost.
    pub fn subscribe_session(
        &self,
        session_id: i64,
        key: ViewKey,
        capacity: usize,
    ) -> Subscription {
        let sub = self.new_subscriber(key, capacity);
        let (id, queue) = (sub.id, sub.queue.clone());
        self.lock().sessions.entry(session_id).or_default().add(sub);
        Subscription {
            queue,
            id,
            session_id: Some(session_id),
            fanout: self.clone(),
        }
    }

    /// Subscribes to every session's live events that match `filter`.
    pub fn subscribe_all(&self, filter: AllFilter, key: ViewKey, capacity: usize) -> Subscription {
        let sub = self.new_subscriber(key, capacity);
        let (id, queue) = (sub.id, sub.queue.clone());
        self.lock().all.push((filter, sub));
        Subscription {
            queue,
            id,
            session_id: None,
            fanout: self.clone(),
        }
    }

    fn unsubscribe(&self, id: u64, session_id: Option<i64>) {
        let mut registry = self.lock();
        match session_id {
            Some(s) => {
                if let Some(room) = registry.sessions.get_mut(&s) {
                    room.retain(|sub| sub.id != id);
                    if room.subs.is_empty() {
                        registry.sessions.remove(&s);
                    }
                }
            }
            None => registry.all.retain(|(_, sub)| sub.id != id),
        }
    }

    /// Sends a tick to every connection of a session (dropping it where the queue is full:
    /// a tick is worth nothing late).
    pub fn tick(&self, session_id: i64, text: &str) {
        let bytes = Utf8Bytes::from(text.to_owned());
        let mut registry = self.lock();
        if let Some(room) = registry.sessions.get_mut(&session_id) {
            // The chat held for the room goes out just before the tick (one more frame in the
            // same write).
            self.flush_room(room);
            for sub in &room.subs {
                let _ = sub.queue.push(Frame::Tick(bytes.clone()));
            }
        }
    }

    /// Reads everything after the last dispatched id and hands it out.
    async fn drain(&self) -> Result<(), sqlx::Error> {
        loop {
            let after = self.inner.last_id.load(Ordering::Acquire);
            let batch = self.inner.store.log_after(after, 500).await?;
            let Some(last) = batch.last().map(|e| e.id) else {
                return Ok(());
            };
            for event in &batch {
                self.hand_out(event);
            }
            self.inner
                .stats
                .from_log
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            self.inner.last_id.store(last, Ordering::Release);
        }
    }

    /// Hands out a committed batch without reading the log when it follows what was dispatched
    /// (global ids are gapless and in commit order: `store::log`); drops what was dispatched
    /// already; reads the log when the batch leaves a gap (a batch of another instance that
    /// arrived before an earlier one, or one the bus lost).
    async fn apply(&self, arrival: Arrival) -> Result<(), sqlx::Error> {
        let batch = match arrival {
            Arrival::Events(batch) => batch,
            Arrival::Resync => return self.drain().await,
        };
        let last = self.inner.last_id.load(Ordering::Acquire);
        let fresh: Vec<&EventRow> = batch.iter().filter(|r| r.id > last).collect();
        let Some(newest) = fresh.last().map(|r| r.id) else {
            return Ok(());
        };
        let follows = fresh.iter().zip(last + 1..).all(|(r, want)| r.id == want);
        if !follows {
            self.inner.stats.gaps.fetch_add(1, Ordering::Relaxed);
            return self.drain().await;
        }
        for row in &fresh {
            self.hand_out(&LoggedEvent::from((*row).clone()));
        }
        self.inner
            .stats
            .from_commits
            .fetch_add(fresh.len() as u64, Ordering::Relaxed);
        self.inner.last_id.store(newest, Ordering::Release);
        Ok(())
    }

    /// One event to the catalog's read cache (what its stock change makes stale) and to the
    /// connections that watch it.
    fn hand_out(&self, event: &LoggedEvent) {
        if let Some(changed) = stock_moved(event) {
            self.inner.store.catalog().cache().invalidate(changed);
        }
        self.dispatch(event);
    }

    /// Queues `event` on every connection that watches it. It is encoded once per audience
    /// (view key) before the registry's lock is taken, so the lock is held only to push shared
    /// bytes; a key that appeared meanwhile (a connection that subscribed in between) is
    /// encoded under the lock.
    fn dispatch(&self, event: &LoggedEvent) {
        let keys: Vec<ViewKey> = {
            let registry = self.lock();
            let room = registry
                .sessions
                .get(&event.session_id)
                .into_iter()
                .flat_map(|room| room.keys.keys());
            let all = registry
                .all
                .iter()
                .filter(|(filter, _)| filter.matches(event))
                .map(|(_, sub)| &sub.key);
            let mut keys: Vec<ViewKey> = Vec::new();
            for key in room.chain(all) {
                if !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
            keys
        };
        if keys.is_empty() {
            return;
        }
        let mut encoded: HashMap<ViewKey, Utf8Bytes> = keys
            .into_iter()
            .map(|key| {
                let text = Utf8Bytes::from((self.inner.encoder)(event, &key));
                (key, text)
            })
            .collect();
        let mut encode = |key: &ViewKey| {
            encoded
                .entry(key.clone())
                .or_insert_with(|| Utf8Bytes::from((self.inner.encoder)(event, key)))
                .clone()
        };
        let offer = |sub: &Subscriber, text: Utf8Bytes| -> bool {
            let frame = Frame::Event {
                id: event.id,
                seq: event.seq,
                session_id: event.session_id,
                text,
            };
            offer_frame(sub, frame)
        };
        let mut registry = self.lock();
        if let Some(room) = registry.sessions.get_mut(&event.session_id) {
            if is_chat(event) && room.subs.len() > QUIET_CHAT_ROOM {
                // Held for the room's next frame, encoded once per key of its connections.
                let texts = room
                    .keys
                    .keys()
                    .map(|key| (key.clone(), encode(key)))
                    .collect();
                room.pending.push(Pending {
                    event: event.clone(),
                    texts,
                });
                room.pending_since
                    .get_or_insert_with(std::time::Instant::now);
            } else {
                // Anything else goes after the chat held before it.
                self.flush_room(room);
                room.retain(|sub| {
                    let text = encode(&sub.key);
                    offer(sub, text)
                });
            }
            if room.subs.is_empty() {
                registry.sessions.remove(&event.session_id);
            }
        }
        registry.all.retain(|(filter, sub)| {
            if !filter.matches(event) {
                return true;
            }
            let text = encode(&sub.key);
            offer(sub, text)
        });
    }

    /// Hands every connection of `room` the chat it holds, as one [`Frame::Batch`] per
    /// connection (built once per key), and forgets it.
    fn flush_room(&self, room: &mut Room) {
        if room.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut room.pending);
        room.pending_since = None;
        let mut batches: HashMap<ViewKey, (Utf8Bytes, Arc<[Batched]>)> = HashMap::new();
        for key in room.keys.keys() {
            let events: Arc<[Batched]> =
                pending
                    .iter()
                    .map(|p| Batched {
                        id: p.event.id,
                        seq: p.event.seq,
                        text: p.texts.get(key).cloned().unwrap_or_else(|| {
                            Utf8Bytes::from((self.inner.encoder)(&p.event, key))
                        }),
                    })
                    .collect();
            let mut text = String::from("{\"type\":\"batch\",\"events\":[");
            for (i, e) in events.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                text.push_str(e.text.as_str());
            }
            text.push_str("]}");
            batches.insert(key.clone(), (Utf8Bytes::from(text), events));
        }
        room.retain(|sub| match batches.get(&sub.key) {
            Some((text, events)) => offer_frame(
                sub,
                Frame::Batch {
                    text: text.clone(),
                    events: events.clone(),
                },
            ),
            None => true,
        });
    }

    /// Hands out the chat of every big room whose chat has waited `older_than` or longer.
    fn flush_chat(&self, older_than: Duration) {
        let mut registry = self.lock();
        let due = |room: &&mut Room| {
            room.pending_since
                .is_some_and(|t| t.elapsed() >= older_than)
        };
        let rooms: Vec<&mut Room> = registry.sessions.values_mut().filter(due).collect();
        for room in rooms {
            self.flush_room(room);
        }
    }
}

/// What a logged event changed of what the catalog's product reads show (docs/feed.md, "The
/// catalog's read cache"): the stock a regular order, a cancellation or a sale's carve-out,
/// restock and end moved. A flash-sale order takes units of its sale, not of a warehouse, so it
/// changes nothing there. Exhaustive, so that a new kind of event has to decide.
pub fn stock_moved(e: &LoggedEvent) -> Option<Changed> {
    // A row that does not parse (a kind of a newer build): assume it moved anything.
    let Some(event) = &e.event else {
        return Some(Changed::All);
    };
    match event {
        Event::SaleOpened(s) => Some(Changed::Product(s.product_id)),
        Event::OrderConfirmed(o) => o
            .sale_id
            .is_none()
            .then_some(Changed::Product(o.product_id)),
        // These name the sale or order, not the product: everything is read again.
        Event::SaleRestocked(_) | Event::SaleEnded(_) | Event::SummaryChanged(_) => {
            Some(Changed::All)
        }
        Event::OrderCancelled(c) => (c.returned_to == ReturnedTo::Stock).then_some(Changed::All),
        Event::ShowcaseAdded(_)
        | Event::SessionStarted(_)
        | Event::SessionEnded(_)
        | Event::ProductPinned(_)
        | Event::ProductUnpinned(_)
        | Event::StreamSet(_)
        | Event::StreamCleared(_)
        | Event::SalePaused(_)
        | Event::SaleResumed(_)
        | Event::SaleSoldOut(_)
        | Event::OrderPaid(_)
        | Event::OrderShipped(_)
        | Event::OrderDelivered(_)
        | Event::ChatMessage(_)
        | Event::ChatHeld(_)
        | Event::ChatDeleted(_)
        | Event::ChatMuted(_)
        | Event::ChatUnmuted(_)
        | Event::ChatSlowMode(_)
        | Event::ChatOrdered(_)
        | Event::ChatKeywords(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: i64, session_id: i64) -> LoggedEvent {
        LoggedEvent::from(event_row(id, session_id))
    }

    fn chat_event(id: i64, session_id: i64) -> LoggedEvent {
        LoggedEvent::from(EventRow {
            kind: "chat_deleted".into(),
            payload: "{\"message_id\":1}".into(),
            ..event_row(id, session_id)
        })
    }

    fn event_row(id: i64, session_id: i64) -> EventRow {
        EventRow {
            id,
            session_id,
            seq: id,
            kind: "session_started".into(),
            payload: "{}".into(),
            created_at: 0,
            host_token_id: 1,
            markets: "[\"KZ\"]".into(),
        }
    }

    /// What a queue holds now, as seqs: an event's, a batch's (its events'), `0` for a tick.
    fn queued(queue: &Queue) -> Vec<Vec<i64>> {
        let mut state = queue.lock();
        std::mem::take(&mut state.frames)
            .into_iter()
            .map(|f| match f {
                Frame::Event { seq, .. } => vec![seq],
                Frame::Batch { events, text } => {
                    let v: serde_json::Value =
                        serde_json::from_str(text.as_str()).expect("a batch is JSON");
                    assert_eq!(v["type"], "batch");
                    assert_eq!(v["events"].as_array().map(Vec::len), Some(events.len()));
                    events.iter().map(|e| e.seq).collect()
                }
                Frame::Tick(_) => vec![0],
            })
            .collect()
    }

    /// In a big room chat is held and handed out as one batch per connection just before the
    /// room's next frame (an event that is not chat, a tick) or when it waited long enough,
    /// in seq order; a small room hears each chat message at once.
    #[tokio::test]
    async fn big_rooms_get_their_chat_in_batches_in_order() {
        let store = crate::store::FeedStore::in_memory().await;
        let encoder: Encoder = Arc::new(|e, _| format!("{{\"id\":{}}}", e.id));
        let fanout = Fanout::new(store, encoder, watch::channel(true).1);
        let big: Vec<Subscription> = (0..=QUIET_CHAT_ROOM)
            .map(|i| fanout.subscribe_session(7, key(if i % 2 == 0 { "kk" } else { "ru" }), 8))
            .collect();
        let small = fanout.subscribe_session(8, key("kk"), 8);
        let (first, last) = (&big[0].queue, &big[QUIET_CHAT_ROOM].queue);

        fanout.dispatch(&chat_event(1, 7));
        fanout.dispatch(&chat_event(2, 7));
        assert!(
            queued(first).is_empty(),
            "chat went out at once in a big room"
        );
        fanout.flush_chat(Duration::from_secs(60));
        assert!(
            queued(first).is_empty(),
            "chat flushed before it waited long enough"
        );
        fanout.flush_chat(Duration::ZERO);
        assert_eq!(queued(first), [vec![1, 2]]);
        assert_eq!(queued(last), [vec![1, 2]]);

        // Held chat, then an order: the batch first, then the order.
        fanout.dispatch(&chat_event(3, 7));
        fanout.dispatch(&event(4, 7));
        assert_eq!(queued(first), [vec![3], vec![4]]);
        assert_eq!(queued(last), [vec![3], vec![4]]);
        fanout.flush_chat(Duration::ZERO);
        assert!(queued(first).is_empty(), "nothing is held after the order");

        // The tick carries the chat held before it.
        fanout.dispatch(&chat_event(5, 7));
        fanout.dispatch(&chat_event(6, 7));
        fanout.tick(7, "{}");
        assert_eq!(queued(last), [vec![5, 6], vec![0]]);

        fanout.dispatch(&chat_event(7, 8));
        assert_eq!(
            queued(&small.queue),
            [vec![7]],
            "a small room hears chat at once"
        );
    }

    fn key(locale: &'static str) -> ViewKey {
        ViewKey {
            audience: Audience::Public,
            locale,
            currency: "KZT",
        }
    }

    /// Each audience's text is encoded once per event and outside the registry's lock: an
    /// encoder that reads the registry (here: the viewer count) does not deadlock, and 3
    /// connections in 2 locales cost 2 encodings.
    #[tokio::test]
    async fn events_are_encoded_once_per_key_outside_the_lock() {
        let store = crate::store::FeedStore::in_memory().await;
        let this: Arc<std::sync::OnceLock<Fanout>> = Arc::default();
        let encodings = Arc::new(AtomicU64::new(0));
        let (seen, count) = (this.clone(), encodings.clone());
        let encoder: Encoder = Arc::new(move |e, key| {
            count.fetch_add(1, Ordering::Relaxed);
            let viewers = seen.get().map_or(0, |f| f.viewers(e.session_id));
            format!("{}:{}:{viewers}", e.id, key.locale)
        });
        let fanout = Fanout::new(store, encoder, watch::channel(true).1);
        let _ = this.set(fanout.clone());
        let subs: Vec<Subscription> = ["kk", "ru", "kk"]
            .into_iter()
            .map(|l| fanout.subscribe_session(7, key(l), 8))
            .collect();
        let (done_tx, done) = tokio::sync::oneshot::channel();
        {
            let fanout = fanout.clone();
            std::thread::spawn(move || {
                fanout.dispatch(&event(1, 7));
                let _ = done_tx.send(());
            });
        }
        let done = tokio::time::timeout(Duration::from_secs(5), done).await;
        assert!(
            matches!(done, Ok(Ok(()))),
            "dispatch deadlocked or panicked: it encoded under the lock"
        );
        assert_eq!(encodings.load(Ordering::Relaxed), 2, "one encoding per key");
        for (sub, locale) in subs.iter().zip(["kk", "ru", "kk"]) {
            let frames = sub.queue.take().await.expect("a frame");
            match &frames[0] {
                Frame::Event { text, .. } => assert_eq!(text.as_str(), format!("1:{locale}:3")),
                other => panic!("{other:?}"),
            }
        }
    }
}
