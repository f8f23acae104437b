//! The one write path of the feed: [`FeedStore::write`] begins a transaction and locks the
//! session; the caller works in it and logs events with [`SessionWrite::log`];
//! [`SessionWrite::commit`] appends the events, commits and hands them to the fan-out. Dropping a
//! `SessionWrite` without committing rolls everything back. A screened write's warned claims
//! evidence is written in the same transaction ([`SessionWrite::record_claims`]). Every feed write that changes a
//! session, its sales, its orders or stock for them goes through here.
//!
//! ## Lock order (PostgreSQL, READ COMMITTED)
//! Every transaction takes row locks in this order, so that no two can wait on each other:
//! 1. the session's row (`lock`: the first statement), which serialises the writers of one
//!    session and hands out its seqs;
//! 2. where a per-person cross-border rule decides an order (CN, UZ), the buyers' rows
//!    (`buyers … FOR UPDATE`, in token-id order, all in one statement; [`super::per_person`]),
//!    right after 1 and before anything else: writers of two sessions placing orders of one
//!    buyer hold only their own session's lock when they queue here, and every multi-buyer
//!    lock is taken in the same order, so no cycle closes. Nothing else locks these rows (a
//!    profile change is one statement holding nothing else; orders reference `tokens`, not
//!    `buyers`). Then, for orders into China, which count per person (the orderer's ID
//!    number), the persons' rows of `cross_border_persons` (one upsert, in id-hash order):
//!    the same reasoning holds, nothing else touches them;
//! 3. rows of that session only: its sales, `sale_buyers`, `session_totals`, new orders
//!    (inserted in (buyer, key) order, so that two sessions' inserts of the same keys queue
//!    instead of crossing);
//!    The desk's batch takes `FOR KEY SHARE` on its buyers' `tokens` rows after 2 (the lock the
//!    orders' foreign key takes anyway, taken before its inserts; [`super::batch`]): only
//!    deleting a token waits on it (the guest sweeper, holding only that buyer's row, which 2
//!    takes first where it applies); a revocation updates a non-key column and does not wait;
//! 4. (any time after 1) on PostgreSQL, `FOR SHARE` on the merchant's credentials and the
//!    host's profile the qualification gate decides on ([`super::gate`]): shared locks never
//!    wait on each other, and a revocation or profile change holds no other lock while it waits
//!    for the write, so these close no cycle;
//! 5. `stock` rows, in (variant, warehouse) order ([`silkstream_catalog::stock`]), which other
//!    sessions and the catalog's admin routes also take, each holding at most these;
//! 6. the `event_clock` row, last, in `commit`, by a transaction that then waits on nothing.
//!
//! Every state check that decides a write reads the state inside this transaction, after the
//! lock: `session` is the row as locked, and `now` is read after the lock was granted, so a
//! writer that waited cannot act on a moment that has passed.

use silkstream_catalog::db::{now_ms, Conn, Tx};

use super::FeedStore;
use crate::domain::error::{Error, Result};
use crate::domain::events::Event;
use crate::domain::model::SessionState;

/// The session's row as the write transaction locked it.
#[derive(Debug, Clone)]
pub(crate) struct LockedSession {
    pub id: i64,
    pub state: SessionState,
    pub pinned_product_id: Option<i64>,
}

/// A write transaction on one session (see the module's docs).
pub(crate) struct SessionWrite<'a> {
    store: &'a FeedStore,
    tx: Tx,
    /// The session as locked.
    pub session: LockedSession,
    /// The time of this write, read after the lock.
    pub now: i64,
    events: Vec<(&'static str, String)>,
    /// The session's last logged seq when it was locked: the events this write logs get the
    /// next ones, in the order they are logged.
    last_seq: i64,
    /// What the log and the fan-out need of the session.
    log_session: super::log::LogSession,
}

impl FeedStore {
    /// Begins a write on session `id`: takes its row lock first (404 when there is none).
    pub(crate) async fn write(&self, id: i64) -> Result<SessionWrite<'_>> {
        let mut tx = self.db.begin().await?;
        let row: Option<(String, Option<i64>, i64, String, i64)> = sqlx::query_as(
            "UPDATE sessions SET next_seq = next_seq WHERE id = $1 \
             RETURNING state, pinned_product_id, host_token_id, markets, next_seq",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let (state, pinned_product_id, host_token_id, markets, last_seq) =
            row.ok_or_else(|| Error::not_found(format!("session {id}")))?;
        Ok(SessionWrite {
            store: self,
            tx,
            session: LockedSession {
                id,
                state: SessionState::parse(&state)?,
                pinned_product_id,
            },
            now: now_ms(),
            events: Vec::new(),
            last_seq,
            log_session: super::log::LogSession {
                id,
                host_token_id,
                markets,
            },
        })
    }
}

impl SessionWrite<'_> {
    /// The connection to run this transaction's statements on.
    pub fn tx(&mut self) -> &mut Conn {
        &mut self.tx
    }

    /// Logs an event of this session; it is appended when the write commits.
    pub fn log(&mut self, event: Event) {
        self.events
            .push((event.kind(), event.payload().to_string()));
    }

    /// The seq the next event this write logs will have.
    pub fn next_seq(&self) -> i64 {
        self.last_seq + self.events.len() as i64 + 1
    }

    /// Logs an event of this session and returns the seq it will have once committed (the
    /// session's row is this transaction's, so nothing else takes a seq in between).
    pub fn log_seq(&mut self, event: Event) -> i64 {
        self.log(event);
        self.last_seq + self.events.len() as i64
    }

    /// Writes a screened write's warned claims hits into the evidence log in this transaction,
    /// under the session's id (`None`: nothing to write), so that they commit with the write.
    pub async fn record_claims(
        &mut self,
        pending: Option<&silkstream_catalog::claims::Pending<'_>>,
    ) -> Result<()> {
        let id = self.session.id;
        silkstream_catalog::claims::write_pending(pending, &mut self.tx, id).await?;
        Ok(())
    }

    /// Appends the logged events, commits, and hands the rows written to the fan-out (which
    /// also publishes them to the other instances when scaled out) when there were any.
    pub async fn commit(mut self) -> Result<()> {
        let events = std::mem::take(&mut self.events);
        let rows = super::log::append(&mut self.tx, &self.log_session, self.now, events).await?;
        self.tx.commit().await?;
        if !rows.is_empty() {
            self.store.committed(rows);
        }
        Ok(())
    }
}
