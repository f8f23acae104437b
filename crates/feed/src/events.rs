//! The per-session event log. Every change a feed must show is appended by [`log_events!`]
//! inside the transaction that makes the change, so the change and its event commit together.
//!
//! Order of locks: every feed transaction first takes the session's row
//! ([`lock_session!`]: a no-op `UPDATE`), so the writers of one session queue there on
//! PostgreSQL, `seq` is handed out in commit order without gaps, and no two feed transactions
//! can deadlock on the rows they touch after it.

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
            for (i, (kind, payload)) in events.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO events (session_id, seq, kind, payload, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
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
