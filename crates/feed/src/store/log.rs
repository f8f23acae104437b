//! The per-session event log: appending (only through [`super::write::SessionWrite::commit`]),
//! reading it back (the events route, the fan-out's tailer, a resuming connection), and the
//! session's running totals that `order_*` events carry.
//!
//! Seqs come from the session's row (`sessions.next_seq`), which the writing transaction holds
//! from its first statement, so seqs are gapless and in commit order per session. Global ids come
//! from the single `event_clock` row, taken last, just before the commit: ids increase in commit
//! order across sessions, which is what lets the fan-out tail the log by id, and the clock is
//! held only for the last statements of a transaction that waits on nothing else.

use silkstream_catalog::db::{Conn, Params};

use crate::domain::error::Result;
use crate::domain::events::Event;
pub use crate::domain::totals::{count, Counted, Overflow, Total, Totals};

/// One logged event with what the fan-out filters on.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    pub id: i64,
    pub session_id: i64,
    pub seq: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    /// The payload read as its typed event, once per read of the log (every audience's
    /// encoding uses it); `None` for a row that does not parse (logged as a warning).
    pub event: Option<Event>,
    pub created_at: i64,
    /// The token id of the session's host.
    pub host_token_id: i64,
    /// The session's markets (country codes).
    pub markets: Vec<String>,
}

/// A logged event as stored: what the log's reads return and what a commit hands to the
/// fan-out (and, scaled out, publishes to the other instances through Redis), so that every
/// path turns the same row into a [`LoggedEvent`].
#[derive(sqlx::FromRow, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EventRow {
    pub id: i64,
    pub session_id: i64,
    pub seq: i64,
    pub kind: String,
    pub payload: String,
    pub created_at: i64,
    pub host_token_id: i64,
    pub markets: String,
}

impl From<EventRow> for LoggedEvent {
    fn from(r: EventRow) -> Self {
        let payload = serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null);
        // Cleaned on the way out (names and cities written before they were checked), and the
        // payload every audience gets is the cleaned event's.
        let event = match Event::parse(&r.kind, &payload) {
            Ok(event) => Some(event.cleaned()),
            Err(error) => {
                tracing::warn!(%error, id = r.id, session_id = r.session_id,
                    "a logged event does not parse; only operators get its payload");
                None
            }
        };
        let payload = event.as_ref().map_or(payload, Event::payload);
        LoggedEvent {
            id: r.id,
            session_id: r.session_id,
            seq: r.seq,
            kind: r.kind,
            payload,
            event,
            created_at: r.created_at,
            host_token_id: r.host_token_id,
            markets: serde_json::from_str(&r.markets).unwrap_or_default(),
        }
    }
}

/// Events written by one INSERT (6 bound values each).
const EVENTS_PER_INSERT: usize = 500;

const EVENT_COLUMNS: &str = "e.id, e.session_id, e.seq, e.kind, e.payload, e.created_at, \
     s.host_token_id, s.markets";

/// The session a write logs events for: what the fan-out filters on.
#[derive(Debug, Clone)]
pub(super) struct LogSession {
    pub id: i64,
    pub host_token_id: i64,
    /// The session's markets as stored (a JSON array of country codes).
    pub markets: String,
}

/// Appends `events` (kind, JSON payload) to the session's log with its next seqs and the next
/// global ids, and returns the rows as written (ids and seqs ascending). Called by
/// `SessionWrite::commit` only, as the last work of the transaction.
pub(super) async fn append(
    tx: &mut Conn,
    session: &LogSession,
    now: i64,
    events: Vec<(&'static str, String)>,
) -> Result<Vec<EventRow>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let session_id = session.id;
    let n = events.len() as i64;
    // The session's seqs, then the global ids: the clock's row is taken last, after the
    // session's row and every other row, so ids are handed out in commit order.
    let (last, last_id): (i64, i64) = if tx.backend_name().eq_ignore_ascii_case("postgresql") {
        // One round trip: the session's row is this transaction's already (its first lock),
        // so the clock's is the only one the statement can wait for.
        sqlx::query_as(
            "WITH s AS (UPDATE sessions SET next_seq = next_seq + $1 WHERE id = $2 \
             RETURNING next_seq) \
             UPDATE event_clock SET last_id = last_id + $1 WHERE id = 1 \
             RETURNING (SELECT next_seq FROM s), last_id",
        )
        .bind(n)
        .bind(session_id)
        .fetch_one(&mut *tx)
        .await?
    } else {
        let (last,): (i64,) = sqlx::query_as(
            "UPDATE sessions SET next_seq = next_seq + $1 WHERE id = $2 RETURNING next_seq",
        )
        .bind(n)
        .bind(session_id)
        .fetch_one(&mut *tx)
        .await?;
        let (last_id,): (i64,) = sqlx::query_as(
            "UPDATE event_clock SET last_id = last_id + $1 WHERE id = 1 RETURNING last_id",
        )
        .bind(n)
        .fetch_one(&mut *tx)
        .await?;
        (last, last_id)
    };
    // One INSERT for all of them (a batch of orders logs hundreds), in chunks that stay under
    // both backends' limit on bound values.
    let first_id = last_id - n + 1;
    let first_seq = last - n + 1;
    for (chunk_no, chunk) in events.chunks(EVENTS_PER_INSERT).enumerate() {
        let mut params = Params::new(tx);
        let rows: Vec<String> = (0..chunk.len())
            .map(|_| format!("({})", params.list(6)))
            .collect();
        let sql = format!(
            "INSERT INTO events (id, session_id, seq, kind, payload, created_at) VALUES {}",
            rows.join(", ")
        );
        let mut insert = sqlx::query(&sql);
        for (i, (kind, payload)) in chunk.iter().enumerate() {
            let offset = (chunk_no * EVENTS_PER_INSERT + i) as i64;
            insert = insert
                .bind(first_id + offset)
                .bind(session_id)
                .bind(first_seq + offset)
                .bind(*kind)
                .bind(payload)
                .bind(now);
        }
        insert.execute(&mut *tx).await?;
    }
    Ok(events
        .into_iter()
        .enumerate()
        .map(|(i, (kind, payload))| EventRow {
            id: first_id + i as i64,
            session_id,
            seq: first_seq + i as i64,
            kind: kind.to_owned(),
            payload,
            created_at: now,
            host_token_id: session.host_token_id,
            markets: session.markets.clone(),
        })
        .collect())
}

/// The session's totals as of this transaction (which holds the session's row, so nobody else
/// changes them until it ends).
pub(super) async fn read_totals(tx: &mut Conn, session_id: i64) -> Result<Totals> {
    type Row = (String, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT currency, orders, units, gmv_minor, gmv_cny_fen, unrated FROM session_totals \
         WHERE session_id = $1",
    )
    .bind(session_id)
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(c, orders, units, gmv_minor, cny_fen, unrated)| {
            (
                c,
                Total {
                    orders,
                    units,
                    gmv_minor,
                    cny_fen,
                    unrated,
                },
            )
        })
        .collect())
}

/// Stores the totals of the currencies this transaction changed.
pub(super) async fn write_totals(
    tx: &mut Conn,
    session_id: i64,
    totals: &Totals,
    currencies: &[String],
) -> Result<()> {
    for currency in currencies {
        let t = totals.get(currency).copied().unwrap_or_default();
        sqlx::query(
            "INSERT INTO session_totals (session_id, currency, orders, units, gmv_minor, \
             gmv_cny_fen, unrated) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (session_id, currency) DO UPDATE \
             SET orders = excluded.orders, units = excluded.units, \
             gmv_minor = excluded.gmv_minor, gmv_cny_fen = excluded.gmv_cny_fen, \
             unrated = excluded.unrated",
        )
        .bind(session_id)
        .bind(currency)
        .bind(t.orders)
        .bind(t.units)
        .bind(t.gmv_minor)
        .bind(t.cny_fen)
        .bind(t.unrated)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Counts one order (`sign = 1`) or takes one away (`-1`) in the session's stored totals; the
/// totals after, for its event. A count that would overflow is [`Overflow`], written nowhere.
pub(super) async fn count_one(
    tx: &mut Conn,
    session_id: i64,
    order: Counted<'_>,
    sign: i64,
) -> Result<std::result::Result<Totals, Overflow>> {
    let mut totals = read_totals(tx, session_id).await?;
    if let Err(o) = count(&mut totals, order, sign) {
        return Ok(Err(o));
    }
    write_totals(tx, session_id, &totals, &[order.currency.to_owned()]).await?;
    Ok(Ok(totals))
}

impl super::FeedStore {
    /// Events of one session after `seq`, in order, at most `limit`.
    pub async fn session_log_after(
        &self,
        session_id: i64,
        seq: i64,
        limit: i64,
    ) -> Result<Vec<LoggedEvent>, sqlx::Error> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e JOIN sessions s ON s.id = e.session_id \
             WHERE e.session_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3"
        );
        let rows: Vec<EventRow> = sqlx::query_as(&sql)
            .bind(session_id)
            .bind(seq)
            .bind(limit)
            .fetch_all(self.db.reader())
            .await?;
        Ok(rows.into_iter().map(LoggedEvent::from).collect())
    }

    /// The logged `chat_message` events of the session's last `limit` shown messages up to seq
    /// `up_to` (what a snapshot shows of the chat so far), in seq order.
    pub(crate) async fn recent_chat(
        &self,
        session_id: i64,
        up_to: i64,
        limit: i64,
    ) -> Result<Vec<LoggedEvent>, sqlx::Error> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e JOIN sessions s ON s.id = e.session_id \
             WHERE e.session_id = $1 AND e.seq IN (SELECT c.seq FROM chat_messages c \
             WHERE c.session_id = $1 AND c.state = 'shown' AND c.seq <= $2 \
             ORDER BY c.id DESC LIMIT $3) ORDER BY e.seq"
        );
        let rows: Vec<EventRow> = sqlx::query_as(&sql)
            .bind(session_id)
            .bind(up_to)
            .bind(limit)
            .fetch_all(self.db.reader())
            .await?;
        Ok(rows.into_iter().map(LoggedEvent::from).collect())
    }

    /// Events of every session after global id `id`, in order, at most `limit`.
    pub async fn log_after(&self, id: i64, limit: i64) -> Result<Vec<LoggedEvent>, sqlx::Error> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e JOIN sessions s ON s.id = e.session_id \
             WHERE e.id > $1 ORDER BY e.id LIMIT $2"
        );
        let rows: Vec<EventRow> = sqlx::query_as(&sql)
            .bind(id)
            .bind(limit)
            .fetch_all(self.db.reader())
            .await?;
        Ok(rows.into_iter().map(LoggedEvent::from).collect())
    }

    /// The highest global event id (0 for an empty log).
    pub async fn last_event_id(&self) -> Result<i64, sqlx::Error> {
        let (id,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM events")
            .fetch_one(self.db.reader())
            .await?;
        Ok(id.unwrap_or(0))
    }
}
