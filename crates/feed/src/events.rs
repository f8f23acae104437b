//! The per-session event log. Every change a feed must show is appended by [`log_events!`]
//! inside the transaction that makes the change, so the change and its event commit together.
//!
//! Order of locks: every feed transaction first takes the session's row
//! ([`lock_session!`]: a no-op `UPDATE`), so the writers of one session queue there on
//! PostgreSQL, `seq` is handed out in commit order without gaps, and no two feed transactions
//! can deadlock on the rows they touch after it. Logging then takes the single `event_clock`
//! row, last, and draws the events' global ids from it: ids are gapless and increase in commit
//! order across sessions, which is what lets the fan-out tail the log by id (see `fanout`).
//! A transaction logs events of one session only, so the clock is never held while waiting for
//! a session's row.

/// `lock_session!(tx, session_id)`: takes the session's row lock for the rest of the
/// transaction; evaluates to the rows affected (0 when there is no such session).
#[macro_export]
macro_rules! lock_session {
    ($tx:expr, $session_id:expr) => {
        sqlx::query("UPDATE sessions SET next_seq = next_seq WHERE id = $1")
            .bind($session_id)
            .execute(&mut *$tx)
            .await?
            .rows_affected()
    };
}

/// `log_events!(tx, session_id, now, events)`: appends `events` (an iterator of
/// `(kind: &str, payload: serde_json::Value)`) with the next seqs of the session.
#[macro_export]
macro_rules! log_events {
    ($tx:expr, $session_id:expr, $now:expr, $events:expr) => {{
        let events: Vec<(&str, serde_json::Value)> = $events.into_iter().collect();
        if !events.is_empty() {
            let n = events.len() as i64;
            let (last,): (i64,) = sqlx::query_as(
                "UPDATE sessions SET next_seq = next_seq + $1 WHERE id = $2 RETURNING next_seq",
            )
            .bind(n)
            .bind($session_id)
            .fetch_one(&mut *$tx)
            .await?;
            // Taken last, after the session's row: ids in commit order across sessions.
            let (last_id,): (i64,) = sqlx::query_as(
                "UPDATE event_clock SET last_id = last_id + $1 WHERE id = 1 RETURNING last_id",
            )
            .bind(n)
            .fetch_one(&mut *$tx)
            .await?;
            for (i, (kind, payload)) in events.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO events (id, session_id, seq, kind, payload, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(last_id - n + 1 + i as i64)
                .bind($session_id)
                .bind(last - n + 1 + i as i64)
                .bind(*kind)
                .bind(payload.to_string())
                .bind($now)
                .execute(&mut *$tx)
                .await?;
            }
        }
    }};
}

/// A session's running totals per currency: (orders, units, GMV in minor units).
pub type Totals = std::collections::BTreeMap<String, (i64, i64, i64)>;

/// `read_totals!(tx, session_id)`: the session's totals as of this transaction (which holds the
/// session's row, so nobody else changes them until it ends).
#[macro_export]
macro_rules! read_totals {
    ($tx:expr, $session_id:expr) => {{
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT currency, orders, units, gmv_minor FROM session_totals WHERE session_id = $1",
        )
        .bind($session_id)
        .fetch_all(&mut *$tx)
        .await?;
        rows.into_iter()
            .map(|(c, o, u, g)| (c, (o, u, g)))
            .collect::<$crate::events::Totals>()
    }};
}

/// `write_totals!(tx, session_id, &totals, currencies)`: stores the totals of the currencies
/// this transaction changed.
#[macro_export]
macro_rules! write_totals {
    ($tx:expr, $session_id:expr, $totals:expr, $currencies:expr) => {
        for currency in $currencies {
            let (orders, units, gmv) = $totals.get(currency).copied().unwrap_or((0, 0, 0));
            sqlx::query(
                "INSERT INTO session_totals (session_id, currency, orders, units, gmv_minor) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id, currency) DO UPDATE \
                 SET orders = excluded.orders, units = excluded.units, \
                 gmv_minor = excluded.gmv_minor",
            )
            .bind($session_id)
            .bind(currency)
            .bind(orders)
            .bind(units)
            .bind(gmv)
            .execute(&mut *$tx)
            .await?;
        }
    };
}

/// Adds one order (or, with `sign = -1`, takes one away) to the totals.
pub fn count(totals: &mut Totals, currency: &str, quantity: i64, total_minor: i64, sign: i64) {
    let entry = totals.entry(currency.to_owned()).or_insert((0, 0, 0));
    entry.0 += sign;
    entry.1 += sign * quantity;
    entry.2 += sign * total_minor;
}

/// The totals as the host's feed shows them: all orders and units, GMV per currency.
pub fn totals_json(totals: &Totals) -> serde_json::Value {
    let orders: i64 = totals.values().map(|t| t.0).sum();
    let units: i64 = totals.values().map(|t| t.1).sum();
    let gmv: serde_json::Map<String, serde_json::Value> = totals
        .iter()
        .filter(|(_, t)| t.0 != 0 || t.2 != 0)
        .map(|(c, t)| (c.clone(), serde_json::json!(t.2)))
        .collect();
    serde_json::json!({"orders": orders, "units": units, "gmv": gmv})
}
