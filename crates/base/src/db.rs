//! The database handle shared by every crate: [`Db`], over SQLite (embedded) and PostgreSQL
//! (scaled out) through sqlx's `Any` driver, so that a transaction is an ordinary value
//! ([`Tx`]) that any `async fn` can take, and every query is written once with `$1` placeholders,
//! which both backends accept.
//!
//! Why `Any` (and not functions generic over `sqlx::Database`, or one store per backend): the
//! schema uses only BIGINT and TEXT, which `Any` carries without loss; generic functions would
//! need a dozen higher-ranked bounds on every store function, and a store per backend would
//! write every query twice. The cost is one conversion of each row into `Any`'s values, small
//! beside a round trip (docs/code-map.md has the measurement).
//!
//! SQLite allows one writer at a time; a write that starts as a read inside a deferred
//! transaction can fail with SQLITE_BUSY no matter the timeout. So the SQLite handle keeps a
//! separate single-connection pool for writes: writers queue in the application instead of
//! racing for the file lock. On PostgreSQL both handles are the same pool.
//!
//! Durability (design invariant 7): SQLite runs WAL with `synchronous=FULL`, so a commit is on
//! disk before it returns; PostgreSQL keeps its default `synchronous_commit = on`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

/// A transaction on either backend; `&mut *tx` is the connection queries run on.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A connection on either backend (what `&mut *tx` derefs to).
pub type Conn = sqlx::AnyConnection;

/// Which backend a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

tokio::task_local! {
    static ROUND_TRIPS: std::cell::Cell<u64>;
}

/// Counts one database round trip on the current task, inside [`count_round_trips`]: every
/// statement run on a pool ([`Db::reader`], [`Db::writer`]) and every transaction begun
/// ([`Db::begin`]; the statements inside a transaction are not counted one by one). Outside a
/// count it does nothing.
fn round_trip() {
    let _ = ROUND_TRIPS.try_with(|c| c.set(c.get().saturating_add(1)));
}

/// Runs `fut` and counts the database round trips it makes on this task (see [`round_trip`]);
/// work handed to another task (the order desk's writer) is not counted. The server counts
/// each request this way (`silkstream_db_queries_total{path}` on `/metrics`).
pub async fn count_round_trips<F: std::future::Future>(fut: F) -> (F::Output, u64) {
    ROUND_TRIPS
        .scope(std::cell::Cell::new(0), async move {
            let out = fut.await;
            let n = ROUND_TRIPS.try_with(std::cell::Cell::get).unwrap_or(0);
            (out, n)
        })
        .await
}

/// The system of record: a reader pool and a writer pool (the same on PostgreSQL).
#[derive(Clone, Debug)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
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

/// What every SQLite connection is set to when it opens.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

impl Db {
    /// Connects to a `sqlite:` or `postgres:` URL. A SQLite file is created when missing.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        if url.starts_with("sqlite:") {
            let connect =
                AnyConnectOptions::from_str(&sqlite_url(url))?.disable_statement_logging();
            let pool = |max: u32| {
                AnyPoolOptions::new()
                    .max_connections(max)
                    .acquire_timeout(options.acquire_timeout)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(SQLITE_PRAGMAS).await?;
                            Ok(())
                        })
                    })
                    .connect_with(connect.clone())
            };
            // The writer first: it creates the file and switches it to WAL.
            let write = pool(1).await?;
            let read = pool(options.max_connections.max(1)).await?;
            Ok(Self {
                read,
                write,
                backend: Backend::Sqlite,
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let connect = AnyConnectOptions::from_str(url)?.disable_statement_logging();
            let pool = AnyPoolOptions::new()
                .max_connections(options.max_connections.max(2))
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await?;
            Ok(Self {
                read: pool.clone(),
                write: pool,
                backend: Backend::Postgres,
            })
        } else {
            Err(sqlx::Error::Configuration(
                "the database URL must start with sqlite: or postgres:".into(),
            ))
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        round_trip();
        &self.read
    }

    /// The pool for writes (a single connection on SQLite).
    pub fn writer(&self) -> &AnyPool {
        round_trip();
        &self.write
    }

    /// Begins a write transaction (on SQLite, waits for the one writer connection).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        round_trip();
        self.write.begin().await
    }

    /// Applies the migrations of this backend (`migrations/sqlite` or `migrations/postgres`).
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("../../migrations/sqlite")
                    .run(&self.write)
                    .await
            }
            Backend::Postgres => {
                sqlx::migrate!("../../migrations/postgres")
                    .run(&self.write)
                    .await
            }
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }

    /// Writes a consistent copy of a SQLite database to `path` while it serves (`VACUUM INTO`).
    pub async fn backup_sqlite(&self, path: &str) -> Result<(), sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::query("VACUUM INTO $1")
                    .bind(path)
                    .execute(&self.write)
                    .await?;
                Ok(())
            }
            Backend::Postgres => Err(sqlx::Error::Configuration(
                "backup copies a SQLite database; for PostgreSQL use pg_dump".into(),
            )),
        }
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// `url` with `mode=rwc` (create the file when missing) unless it names a mode.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// `$from, $from+1, …` for `n` values: the placeholders of a list built at run time
/// (`… IN (…)`, a multi-row `VALUES`).
pub fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
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
