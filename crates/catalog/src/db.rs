//! The database handle shared by every crate: one enum over the two backends (SQLite embedded,
//! PostgreSQL scaled out) and the [`dispatch!`] macro that runs the same query text on either.
//! Queries use `$1` placeholders, which both backends accept, so each query is written once and
//! type-checked for both.
//!
//! SQLite allows one writer at a time; a write that starts as a read inside a deferred
//! transaction can fail with SQLITE_BUSY no matter the timeout. So the SQLite handle keeps a
//! separate single-connection pool for writes: writers queue in the application instead of
//! racing for the file lock. On PostgreSQL both handles are the same pool.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// A pool on one of the two backends.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$p` bound to the concrete pool of `$pool` (a [`Pool`]). The body is
/// compiled once per backend, so it must only use what both support.
#[macro_export]
macro_rules! dispatch {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

/// Which backend a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The system of record: a reader pool and a writer pool (the same on PostgreSQL).
#[derive(Clone, Debug)]
pub struct Db {
    read: Pool,
    write: Pool,
}

/// Tuning for [`Db::connect`].
#[derive(Clone, Debug)]
pub struct DbOptions {
    /// Connections for readers (and, on PostgreSQL, writers).
    pub max_connections: u32,
    /// How long to wait for a connection before failing a request.
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

impl Db {
    /// Connects to a `sqlite:` or `postgres:` URL. A SQLite file is created when missing.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Self, sqlx::Error> {
        if url.starts_with("sqlite:") {
            let connect = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let read = SqlitePoolOptions::new()
                .max_connections(options.max_connections.max(1))
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect.clone().read_only(false))
                .await?;
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await?;
            Ok(Self {
                read: Pool::Sqlite(read),
                write: Pool::Sqlite(write),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let connect = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections.max(2))
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await?;
            Ok(Self {
                read: Pool::Postgres(pool.clone()),
                write: Pool::Postgres(pool),
            })
        } else {
            Err(sqlx::Error::Configuration(
                "the database URL must start with sqlite: or postgres:".into(),
            ))
        }
    }

    pub fn backend(&self) -> Backend {
        match self.write {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The pool for reads.
    pub fn reader(&self) -> &Pool {
        &self.read
    }

    /// The pool for writes (a single connection on SQLite).
    pub fn writer(&self) -> &Pool {
        &self.write
    }

    /// Applies the migrations of this backend (`migrations/sqlite` or `migrations/postgres`).
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match &self.write {
            Pool::Sqlite(p) => sqlx::migrate!("../../migrations/sqlite").run(p).await,
            Pool::Postgres(p) => sqlx::migrate!("../../migrations/postgres").run(p).await,
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        dispatch!(&self.read, p => sqlx::query("SELECT 1").execute(p).await.is_ok())
    }

    /// Writes a consistent copy of a SQLite database to `path` while it serves (`VACUUM INTO`).
    pub async fn backup_sqlite(&self, path: &str) -> Result<(), sqlx::Error> {
        match &self.write {
            Pool::Sqlite(p) => {
                sqlx::query("VACUUM INTO $1").bind(path).execute(p).await?;
                Ok(())
            }
            Pool::Postgres(_) => Err(sqlx::Error::Configuration(
                "backup copies a SQLite database; for PostgreSQL use pg_dump".into(),
            )),
        }
    }

    pub async fn close(&self) {
        dispatch!(&self.write, p => p.close().await);
        dispatch!(&self.read, p => p.close().await);
    }
}

/// Milliseconds since the Unix epoch: how every timestamp is stored, on both backends.
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Formats a stored timestamp as RFC 3339 (UTC) for the API.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
