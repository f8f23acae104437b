//! **The owning store of `tokens`**: every statement that reads or writes the API tokens' table
//! is here, and whether a token can still authenticate is decided in one place
//! ([`TokenRow::state`], [`state`]). The server's `TokenStore` (secrets, digests, its memory of
//! checked tokens) and the feed (the order's transaction, guests deleted by the sweeper) call
//! these functions; those that must be atomic with the caller's own writes take its
//! connection. Errors are sqlx's (the callers wrap them in their crate's error).

use crate::db::{Conn, Db, Params};

/// A token's row: never its secret, only what is shown and checked.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Whether a token can still authenticate, and if not why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Live,
    Revoked,
    Expired,
}

/// **The one validity check of a token**: revoked first (a revoked token stays revoked
/// whatever its expiry), then expired at `now` (an expiry is the first instant it is refused).
pub fn state(expires_at: Option<i64>, revoked_at: Option<i64>, now: i64) -> TokenState {
    if revoked_at.is_some() {
        TokenState::Revoked
    } else if expires_at.is_some_and(|e| e <= now) {
        TokenState::Expired
    } else {
        TokenState::Live
    }
}

impl TokenRow {
    /// The token's state at `now` ([`state`]).
    pub fn state(&self, now: i64) -> TokenState {
        state(self.expires_at, self.revoked_at, now)
    }
}

const COLUMNS: &str = "id, name, role, created_at, expires_at, revoked_at";

/// Writes a new token (its secret's digest only); its id.
pub async fn insert(
    db: &Db,
    name: &str,
    role: &str,
    digest: &str,
    now: i64,
    expires_at: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO tokens (name, role, digest, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(role)
    .bind(digest)
    .bind(now)
    .bind(expires_at)
    .fetch_one(db.writer())
    .await?;
    Ok(id)
}

/// The token whose secret has this digest (hex SHA-256), live or not.
pub async fn by_digest(db: &Db, digest: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM tokens WHERE digest = $1"))
        .bind(digest)
        .fetch_optional(db.reader())
        .await
}

/// The token `id`, live or not.
pub async fn get(db: &Db, id: i64) -> Result<Option<TokenRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM tokens WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.reader())
        .await
}

/// Those of the tokens `ids` that exist, in one query by primary key.
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<TokenRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM tokens WHERE id IN ({})",
        Params::for_backend(db.backend()).list(ids.len())
    );
    let mut q = sqlx::query_as::<_, TokenRow>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db.reader()).await
}

/// One page of the tokens (`per_page` from `offset`, by id), of one role or all, and how many
/// there are in all.
pub async fn page(
    db: &Db,
    role: Option<&str>,
    offset: i64,
    per_page: i64,
) -> Result<(Vec<TokenRow>, i64), sqlx::Error> {
    let (total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM tokens WHERE ($1 IS NULL OR role = $1)")
            .bind(role)
            .fetch_one(db.reader())
            .await?;
    let rows: Vec<TokenRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM tokens WHERE ($1 IS NULL OR role = $1) \
         ORDER BY id LIMIT $2 OFFSET $3"
    ))
    .bind(role)
    .bind(per_page)
    .bind(offset)
    .fetch_all(db.reader())
    .await?;
    Ok((rows, total))
}

/// Every token, by id (the command line's `token list`).
pub async fn all(db: &Db) -> Result<Vec<TokenRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM tokens ORDER BY id"))
        .fetch_all(db.reader())
        .await
}

/// The role of token `id`, if it exists.
pub async fn role_of(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT role FROM tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    Ok(row.map(|(r,)| r))
}

/// Whether token `id` can still authenticate at `now` (not revoked, expired or deleted), read
/// from the database.
pub async fn is_live(db: &Db, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    Ok(get(db, id)
        .await?
        .is_some_and(|t| t.state(now) == TokenState::Live))
}

/// Revokes token `id` in its own transaction, stamped with the time once it holds the lock;
/// whether this call revoked it (false: already revoked, or no such token).
///
/// `revoked_at` is stamped inside the write, once it holds what orders hold: on SQLite the one
/// writer (an order confirmed before the revocation commits before this stamp), on PostgreSQL
/// the token's row `FOR UPDATE` (an order being placed holds it `FOR KEY SHARE`, [`live_among`],
/// until it commits). So no order confirmed before the revocation carries a later time, and
/// every order after it reads the revoked row.
pub async fn revoke(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    lock_for_update(&mut tx, id).await?;
    let done =
        sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(crate::db::now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    tx.commit().await?;
    Ok(done == 1)
}

/// Of the tokens `ids` (sorted, without repeats), those live at `now`, read in the caller's
/// transaction; on PostgreSQL their rows are held `FOR KEY SHARE` until it commits, so a
/// revocation or a guest's deletion waits for the order being placed (and the order then
/// carries a time before the revocation's).
pub async fn live_among(
    conn: &mut Conn,
    ids: &[i64],
    now: i64,
) -> Result<std::collections::HashSet<i64>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let lock = if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        " ORDER BY id FOR KEY SHARE"
    } else {
        ""
    };
    let list = Params::new(conn).list(ids.len());
    let sql = format!("SELECT id, expires_at, revoked_at FROM tokens WHERE id IN ({list}){lock}");
    let mut q = sqlx::query_as::<_, (i64, Option<i64>, Option<i64>)>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(&mut *conn)
        .await?
        .into_iter()
        .filter(|&(_, expires_at, revoked_at)| {
            state(expires_at, revoked_at, now) == TokenState::Live
        })
        .map(|(id, _, _)| id)
        .collect())
}

/// Locks token `id`'s row `FOR UPDATE` in the caller's transaction on PostgreSQL (waiting for
/// an order that holds it `FOR KEY SHARE`); nothing on SQLite, whose writer is alone.
pub async fn lock_for_update(conn: &mut Conn, id: i64) -> Result<(), sqlx::Error> {
    if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        sqlx::query("SELECT id FROM tokens WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Deletes buyer token `id` in the caller's transaction (a guest the sweeper deletes with its
/// profile); whether it was there.
pub async fn delete_buyer(conn: &mut Conn, id: i64) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM tokens WHERE id = $1 AND role = 'buyer'")
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            == 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A revoked token stays revoked past its expiry; an expiry is the first refused instant.
    #[test]
    fn revoked_before_expired_and_expiry_is_exclusive() {
        assert_eq!(state(Some(10), Some(5), 20), TokenState::Revoked);
        assert_eq!(state(Some(10), None, 10), TokenState::Expired);
        assert_eq!(state(Some(10), None, 9), TokenState::Live);
        assert_eq!(state(None, None, i64::MAX), TokenState::Live);
    }
}
