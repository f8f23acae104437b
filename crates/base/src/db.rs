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
//!
//! An outage fails fast (PostgreSQL): a watch task keeps one connection of its own outside the
//! pools and pings on it every [`REACHABILITY_EVERY`]; when the ping fails and a new connection
//! cannot be made either, the database is marked unreachable and every statement or
//! transaction fails at once with `PoolClosed` (a 503 `database_unavailable`, see
//! `error.rs`) instead of waiting out the pool's acquire timeout while sqlx retries refused
//! connections; the first successful connection marks it reachable again, and the pool's
//! connections older than that moment (broken by a restart) are discarded instead of being
//! handed out once more. The watch has its own connection so that a pool busy under load is
//! never taken for a database that is down.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

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
    /// What the reachability watch (PostgreSQL) found.
    reach: Arc<Reachability>,
    /// A closed pool, handed out instead of `read` and `write` while the database is out of
    /// reach: its every use fails at once with `PoolClosed`.
    offline: AnyPool,
    /// Held by every handle; the watch ends when the last one is dropped.
    _handles: Arc<()>,
    /// The SQLite file, for a `sqlite:` URL that names one ([`sqlite_file`]).
    sqlite_file: Option<std::path::PathBuf>,
}

/// What the reachability watch found (see the module's header).
#[derive(Debug)]
struct Reachability {
    unreachable: AtomicBool,
    /// Milliseconds after `epoch` when the database was last found reachable after an outage
    /// (0: never); a pooled connection made before then is discarded when next handed out.
    recovered_ms: AtomicU64,
    epoch: Instant,
}

impl Reachability {
    fn new() -> Arc<Self> {
        Arc::new(Reachability {
            unreachable: AtomicBool::new(false),
            recovered_ms: AtomicU64::new(0),
            epoch: Instant::now(),
        })
    }

    /// True for a connection `age` old that was made before the last recovery.
    fn predates_recovery(&self, age: Duration) -> bool {
        let recovered = self.recovered_ms.load(Ordering::Relaxed);
        if recovered == 0 {
            return false;
        }
        let now = self.epoch.elapsed();
        let made = now.saturating_sub(age);
        made < Duration::from_millis(recovered)
    }
}

/// How often the reachability watch pings the database on its own connection.
pub const REACHABILITY_EVERY: Duration = Duration::from_millis(250);

/// How long the watch waits for a ping or a new connection before it calls the database
/// unreachable.
const REACHABILITY_TIMEOUT: Duration = Duration::from_secs(1);

/// Tuning for [`Db::connect`].
#[derive(Clone, Debug)]
pub struct DbOptions {
    /// Connections for readers (and, on PostgreSQL, writers).
    pub max_connections: u32,
    /// How long to wait for a connection before failing a request (503
    /// `database_unavailable`). Short: when the database is down, sqlx keeps trying to connect
    /// until this passes, and every request (and its client) would wait that long.
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(3),
        }
    }
}

/// How long a statement waits for a SQLite connection (the one writer, above all) before it
/// fails with 503 `database_unavailable`. [`DbOptions::acquire_timeout`] is short so that a
/// request fails fast while PostgreSQL is out of reach; a file is never out of reach, so on
/// SQLite that wait is only the queue of the statements ahead on the one writer, each a commit
/// paying an fsync (`synchronous = FULL`), and it ends when they commit. On a machine whose
/// disk and CPUs are busy (a CI run beside other builds: a load of 10 on 2 cores) an fsync takes
/// tens of milliseconds, and in the feed's flash-sale test (guest sign-ups, two commits each,
/// 32 at once; the desk's batches; the ticker's peak viewers) a request queued on the writer
/// longer than 3 s and failed with 503 although nothing was wrong.
/// 30 s is three times SQLite's own `busy_timeout` (how long a statement waits for another
/// process's lock, below) and still bounds a writer held by mistake: it fails and is logged
/// rather than hanging its request.
pub const SQLITE_QUEUE_WAIT: Duration = Duration::from_secs(30);

/// A PostgreSQL connection idle this long is pinged before it is handed out.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(30);

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
                    .acquire_timeout(options.acquire_timeout.max(SQLITE_QUEUE_WAIT))
                    // A connection to a file does not drop: no ping on acquire (sqlx's default
                    // costs a hop to the connection's worker thread on every query).
                    .test_before_acquire(false)
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
            // A file is always reachable: no watch.
            Ok(Self {
                read,
                write,
                backend: Backend::Sqlite,
                reach: Reachability::new(),
                offline: offline_pool(&connect).await,
                _handles: Arc::new(()),
                sqlite_file: sqlite_file(url),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let connect = AnyConnectOptions::from_str(url)?.disable_statement_logging();
            let reach = Reachability::new();
            let hook_reach = reach.clone();
            let pool = AnyPoolOptions::new()
                .max_connections(options.max_connections.max(2))
                .acquire_timeout(options.acquire_timeout)
                // sqlx pings every connection it hands out by default: a network round trip
                // per query. Ping only one that sat idle long enough for the server or a
                // middlebox to have dropped it; a busy connection that broke fails its query.
                .test_before_acquire(false)
                .before_acquire(move |conn, meta| {
                    // Made before the database came back from an outage: broken by it, most
                    // likely; a new one is made instead.
                    let stale = hook_reach.predates_recovery(meta.age);
                    Box::pin(async move {
                        if stale {
                            return Ok(false);
                        }
                        if meta.idle_for >= PING_WHEN_IDLE_FOR {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(connect.clone())
                .await?;
            let handles = Arc::new(());
            tokio::spawn(watch_reachability(
                reach.clone(),
                Arc::downgrade(&handles),
                pool.clone(),
                connect.clone(),
            ));
            Ok(Self {
                read: pool.clone(),
                write: pool,
                backend: Backend::Postgres,
                reach,
                offline: offline_pool(&connect).await,
                _handles: handles,
                sqlite_file: None,
            })
        } else {
            Err(sqlx::Error::Configuration(
                "the database URL must start with sqlite: or postgres:".into(),
            ))
        }
    }

    /// The file of a SQLite database (None for PostgreSQL and an in-memory SQLite).
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        self.sqlite_file.as_deref()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// False while the reachability watch finds the database out of reach (PostgreSQL): every
    /// use of [`Db::reader`], [`Db::writer`] and [`Db::begin`] then fails at once.
    pub fn reachable(&self) -> bool {
        !self.reach.unreachable.load(Ordering::Relaxed)
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        round_trip();
        if self.reachable() {
            &self.read
        } else {
            &self.offline
        }
    }

    /// The pool for writes (a single connection on SQLite).
    pub fn writer(&self) -> &AnyPool {
        round_trip();
        if self.reachable() {
            &self.write
        } else {
            &self.offline
        }
    }

    /// Begins a write transaction (on SQLite, waits for the one writer connection).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        round_trip();
        if self.reachable() {
            self.write.begin().await
        } else {
            self.offline.begin().await
        }
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

    /// True when the database answers a trivial query (false at once while it is known to be
    /// out of reach).
    pub async fn ping(&self) -> bool {
        self.reachable() && sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
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

/// A pool that is closed before anyone uses it: every acquire fails at once with `PoolClosed`.
async fn offline_pool(connect: &AnyConnectOptions) -> AnyPool {
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect_lazy_with(connect.clone());
    pool.close().await;
    pool
}

/// The reachability watch (PostgreSQL, see the module's header): pings on a connection of its
/// own every [`REACHABILITY_EVERY`], connects again when the ping fails, and marks the database
/// unreachable while neither works. Ends when every [`Db`] handle is gone or the pool is closed.
async fn watch_reachability(
    reach: Arc<Reachability>,
    handles: Weak<()>,
    pool: AnyPool,
    connect: AnyConnectOptions,
) {
    let mut conn: Option<sqlx::AnyConnection> = None;
    let mut tick = tokio::time::interval(REACHABILITY_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if handles.strong_count() == 0 || pool.is_closed() {
            return;
        }
        let had_conn = conn.is_some();
        let pinged = match conn.as_mut() {
            Some(c) => matches!(
                tokio::time::timeout(REACHABILITY_TIMEOUT, c.ping()).await,
                Ok(Ok(()))
            ),
            None => false,
        };
        if !pinged {
            conn = match tokio::time::timeout(
                REACHABILITY_TIMEOUT,
                sqlx::AnyConnection::connect_with(&connect),
            )
            .await
            {
                Ok(Ok(c)) => Some(c),
                _ => None,
            };
        }
        let reachable = pinged || conn.is_some();
        let was_unreachable = reach.unreachable.swap(!reachable, Ordering::Relaxed);
        // The watch's own connection broke and a new one works at once: the server restarted
        // (or dropped its connections) between two pings, faster than an outage is seen. The
        // pool's connections from before are broken the same way: discard them too.
        let restarted = had_conn && !pinged && reachable;
        if (was_unreachable && reachable) || restarted {
            let now = u64::try_from(reach.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
            reach.recovered_ms.store(now.max(1), Ordering::Relaxed);
            tracing::info!("the database is reachable again");
        } else if !was_unreachable && !reachable {
            tracing::warn!(
                "the database is out of reach: requests that need it answer 503 at once until \
                 it is back"
            );
        }
    }
}

/// The file a `sqlite:` URL names, if it names one (not PostgreSQL, not `:memory:`).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| std::path::PathBuf::from(path))
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

/// ` FOR UPDATE` on PostgreSQL, nothing on SQLite (its one writer connection is alone, so a read
/// in a write transaction already sees no other write until it commits): appended to a read in
/// a write's transaction whose row the write rewrites from what it read.
pub fn for_update(conn: &Conn) -> &'static str {
    if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        " FOR UPDATE"
    } else {
        ""
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

/// The placeholders of a statement built at run time (a multi-row `VALUES`, an `… IN (…)`),
/// handed out in the order the values are bound: `$1, $2, …` on PostgreSQL, bare `?` on SQLite.
/// A statement takes all its placeholders from one `Params`, and binds its values in the order
/// of the text.
///
/// Why not `$n` on SQLite too: for every `$n` of a statement sqlx asks SQLite for the
/// parameter's name, a scan of the statement's list of names, so binding a statement of `p`
/// numbered parameters costs p²/2 steps — most of a 100-order batch's time went there (a
/// 2,000-value insert: 2 million steps). Bare `?` have no names: binding is linear.
#[derive(Debug)]
pub struct Params {
    numbered: bool,
    next: usize,
}

impl Params {
    /// Placeholders for a statement run on `conn`'s backend.
    pub fn new(conn: &Conn) -> Self {
        Self::for_backend(if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        })
    }

    /// Placeholders for a statement run on `backend`.
    pub fn for_backend(backend: Backend) -> Self {
        Self {
            numbered: backend == Backend::Postgres,
            next: 1,
        }
    }

    /// The next placeholder.
    pub fn one(&mut self) -> String {
        let i = self.next;
        self.next += 1;
        if self.numbered {
            format!("${i}")
        } else {
            "?".to_owned()
        }
    }

    /// The next `n` placeholders, comma-separated.
    pub fn list(&mut self, n: usize) -> String {
        (0..n).map(|_| self.one()).collect::<Vec<_>>().join(", ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_numbered_on_postgres_and_bare_on_sqlite() {
        let mut pg = Params::for_backend(Backend::Postgres);
        assert_eq!(pg.list(3), "$1, $2, $3");
        assert_eq!(pg.one(), "$4");
        let mut lite = Params::for_backend(Backend::Sqlite);
        assert_eq!(lite.list(3), "?, ?, ?");
        assert_eq!(lite.one(), "?");
    }

    /// A statement of thousands of bare `?` binds every value where the text puts it.
    #[tokio::test]
    async fn a_wide_sqlite_statement_binds_in_text_order() {
        let dir = std::env::temp_dir().join(format!("silkstream-params-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite:{}", dir.join("p.db").display());
        let db = Db::connect(&url, &DbOptions::default())
            .await
            .expect("connect");
        sqlx::query("CREATE TABLE t (a BIGINT, b TEXT, c BIGINT)")
            .execute(db.writer())
            .await
            .expect("create");
        let mut conn = db.writer().acquire().await.expect("acquire");
        let mut params = Params::new(&conn);
        let rows = 1000;
        let values = (0..rows)
            .map(|_| format!("({})", params.list(3)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("INSERT INTO t (a, b, c) VALUES {values}");
        let mut q = sqlx::query(&sql);
        for i in 0..rows {
            q = q.bind(i as i64).bind(format!("row {i}")).bind(-(i as i64));
        }
        assert_eq!(
            q.execute(&mut *conn).await.expect("insert").rows_affected(),
            rows as u64
        );
        let back: Vec<(i64, String, i64)> = sqlx::query_as("SELECT a, b, c FROM t ORDER BY a")
            .fetch_all(&mut *conn)
            .await
            .expect("read");
        assert_eq!(back.len(), rows);
        for (i, (a, b, c)) in back.into_iter().enumerate() {
            assert_eq!(
                (a, b.as_str(), c),
                (i as i64, format!("row {i}").as_str(), -(i as i64))
            );
        }
        drop(conn);
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
