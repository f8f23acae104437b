//! The baseline the flash sale is measured against: the per-order transaction an ordinary shop
//! runs, one order per transaction, driven directly against the same database engines the
//! server uses (sqlx, as the server does), on scratch tables of its own:
//!
//! - PostgreSQL: `BEGIN; SELECT available … FOR UPDATE` on the one stock row, `UPDATE` it,
//!   `INSERT` the order, `COMMIT` (synchronous_commit as the server has it: on), at 10 and 50
//!   connections by default; in a scratch database it creates and drops.
//! - SQLite: WAL, `synchronous=FULL` (as the server), `BEGIN IMMEDIATE`, the same `SELECT`,
//!   `UPDATE`, `INSERT`, `COMMIT`, in a scratch file.
//!
//! Figures: transactions/s and p50/p99 of one transaction; at the end stock + orders = the
//! initial stock (the baseline must not oversell either).

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Executor, PgPool, Postgres, Sqlite, SqlitePool};

use crate::report::{Latency, Line, Report, Series, Table};
use crate::{fmt_ms, fmt_rate, progress_bar};

/// Units in the scratch stock row: more than any run can sell.
const STOCK: i64 = 1_000_000_000;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// PostgreSQL server (any database on it; the baseline creates and drops its own scratch
    /// database there). Leave empty to skip PostgreSQL.
    #[arg(long, env = "LOADGEN_POSTGRES_URL", default_value = "")]
    pub postgres_url: String,
    /// PostgreSQL connections per step (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "10,50")]
    pub pg_connections: Vec<u32>,
    /// SQLite connections per step (comma-separated); writers queue on the database's lock.
    #[arg(long, value_delimiter = ',', default_value = "1,4")]
    pub sqlite_connections: Vec<u32>,
    /// Skip SQLite.
    #[arg(long)]
    pub no_sqlite: bool,
    /// Directory of the scratch SQLite file (a fresh temporary directory inside it, removed
    /// after); by default the system's temporary directory. Put it on the disk the server's
    /// database is on: the fsync is the figure.
    #[arg(long)]
    pub sqlite_dir: Option<std::path::PathBuf>,
    /// Seconds measured per step, after the warm-up.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds of transactions before the measured window.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// Stop a step after this many measured transactions (the CI smoke uses 100).
    #[arg(long)]
    pub transactions: Option<u64>,
}

/// One step's result.
struct Run {
    backend: &'static str,
    connections: u32,
    tx: u64,
    seconds: f64,
    latency: Latency,
    check: String,
}

pub async fn run(args: Args) -> anyhow::Result<Report> {
    let mut runs = Vec::new();
    if !args.no_sqlite {
        let dir = match &args.sqlite_dir {
            Some(d) => tempfile::tempdir_in(d),
            None => tempfile::tempdir(),
        }
        .context("making the scratch SQLite directory")?;
        for &c in &args.sqlite_connections {
            runs.push(sqlite(&args, dir.path(), c).await?);
        }
    }
    if !args.postgres_url.is_empty() {
        for &c in &args.pg_connections {
            runs.push(postgres(&args, c).await?);
        }
    }
    if runs.is_empty() {
        anyhow::bail!("nothing to run: give --postgres-url, or leave out --no-sqlite");
    }
    Ok(report(&runs))
}

/// Drives `tx` on `connections` tasks for the warm-up and the measured window.
async fn drive<F, Fut>(
    args: &Args,
    label: &str,
    connections: u32,
    tx: F,
) -> anyhow::Result<(u64, f64, Latency)>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let tx = Arc::new(tx);
    let warmup = Duration::from_secs_f64(args.warmup.max(0.0));
    let window = Duration::from_secs_f64(args.duration.max(0.1));
    let start = Instant::now();
    let (from, until) = (start + warmup, start + warmup + window);
    let stop = Arc::new(AtomicBool::new(false));
    let measured = Arc::new(AtomicU64::new(0));
    let limit = args.transactions.unwrap_or(u64::MAX);
    let mut tasks = Vec::new();
    for w in 0..connections as usize {
        let (tx, stop, measured) = (tx.clone(), stop.clone(), measured.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Latency::new();
            let mut n = 0u64;
            let mut last = None;
            while !stop.load(Ordering::Relaxed) {
                let t0 = Instant::now();
                if t0 >= until {
                    break;
                }
                tx(w).await?;
                if t0 >= from {
                    lat.record(t0.elapsed());
                    n += 1;
                    last = Some(Instant::now());
                    if measured.fetch_add(1, Ordering::Relaxed) + 1 >= limit {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            }
            anyhow::Ok((n, lat, last))
        }));
    }
    let bar = progress_bar((warmup + window).as_millis() as u64, label);
    // Await the workers themselves; the progress bar is redrawn on a clock meanwhile.
    let mut workers = std::pin::pin!(futures_util::future::join_all(tasks));
    let mut redraw = tokio::time::interval(Duration::from_millis(100));
    let results = loop {
        tokio::select! {
            results = &mut workers => break results,
            _ = redraw.tick() => {
                bar.set_position(start.elapsed().as_millis() as u64);
                bar.set_message(format!("{} tx", measured.load(Ordering::Relaxed)));
            }
        }
    };
    bar.finish_and_clear();
    let mut total = 0;
    let mut latency = Latency::new();
    let mut end = from;
    for result in results {
        let (n, lat, last) = result??;
        total += n;
        latency.merge(&lat);
        if let Some(l) = last {
            end = end.max(l);
        }
    }
    // A run cut short by --transactions ends at its last transaction, not at the window's end.
    let seconds = if args.transactions.is_some() && end < until {
        end.duration_since(from).as_secs_f64().max(1e-6)
    } else {
        window.as_secs_f64()
    };
    Ok((total, seconds, latency))
}

async fn sqlite(args: &Args, dir: &std::path::Path, connections: u32) -> anyhow::Result<Run> {
    let path = dir.join(format!("baseline-{connections}.db"));
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(30));
    let pool = SqlitePoolOptions::new()
        .max_connections(connections)
        .min_connections(connections)
        .connect_with(options)
        .await
        .with_context(|| format!("opening the scratch SQLite file {}", path.display()))?;
    pool.execute(
        "CREATE TABLE stock (id INTEGER PRIMARY KEY, available INTEGER NOT NULL CHECK (available >= 0));
         CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, variant_id INTEGER NOT NULL,
             buyer_id INTEGER NOT NULL, quantity INTEGER NOT NULL, unit_price_minor INTEGER NOT NULL,
             currency TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);",
    )
    .await?;
    sqlx::query("INSERT INTO stock (id, available) VALUES (1, $1)")
        .bind(STOCK)
        .execute(&pool)
        .await?;
    let seq = Arc::new(AtomicU64::new(0));
    let p = pool.clone();
    let (tx, seconds, latency) = drive(
        args,
        &format!("SQLite per-order tx × {connections}"),
        connections,
        move |w| {
            let (p, seq) = (p.clone(), seq.clone());
            async move {
                let mut conn = p.acquire().await?;
                let n = seq.fetch_add(1, Ordering::Relaxed);
                sqlite_order(&mut conn, w, n).await
            }
        },
    )
    .await?;
    let check = check_sqlite(&pool).await?;
    pool.close().await;
    Ok(Run {
        backend: "sqlite",
        connections,
        tx,
        seconds,
        latency,
        check,
    })
}

async fn sqlite_order(
    conn: &mut PoolConnection<Sqlite>,
    worker: usize,
    n: u64,
) -> anyhow::Result<()> {
    conn.execute("BEGIN IMMEDIATE").await?;
    let result = async {
        let (available,): (i64,) = sqlx::query_as("SELECT available FROM stock WHERE id = 1")
            .fetch_one(&mut **conn)
            .await?;
        anyhow::ensure!(available >= 1, "the scratch stock ran out");
        sqlx::query("UPDATE stock SET available = available - 1 WHERE id = 1")
            .execute(&mut **conn)
            .await?;
        insert_order_sqlite(conn, worker, n).await
    }
    .await;
    match result {
        Ok(()) => {
            conn.execute("COMMIT").await?;
            Ok(())
        }
        Err(e) => {
            let _ = conn.execute("ROLLBACK").await;
            Err(e)
        }
    }
}

async fn insert_order_sqlite(
    conn: &mut PoolConnection<Sqlite>,
    worker: usize,
    n: u64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO orders (variant_id, buyer_id, quantity, unit_price_minor, currency, \
         idempotency_key, created_at) VALUES (1, $1, 1, 1999000, 'KZT', $2, $3)",
    )
    .bind(worker as i64)
    .bind(format!("k-{n}"))
    .bind(now_ms())
    .execute(&mut **conn)
    .await?;
    Ok(())
}

async fn check_sqlite(pool: &SqlitePool) -> anyhow::Result<String> {
    let (available,): (i64,) = sqlx::query_as("SELECT available FROM stock WHERE id = 1")
        .fetch_one(pool)
        .await?;
    let (orders,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders")
        .fetch_one(pool)
        .await?;
    stock_check(available, orders)
}

fn stock_check(available: i64, orders: i64) -> anyhow::Result<String> {
    anyhow::ensure!(
        available + orders == STOCK,
        "baseline broke its own invariant: stock {available} + orders {orders} != {STOCK}"
    );
    Ok(format!("ok: stock + {orders} orders = initial stock"))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

async fn postgres(args: &Args, connections: u32) -> anyhow::Result<Run> {
    let server = PgConnectOptions::from_str(&args.postgres_url)
        .with_context(|| "--postgres-url does not parse".to_string())?;
    let scratch = format!("silkstream_baseline_{}_{connections}", std::process::id());
    let mut admin = server
        .clone()
        .connect()
        .await
        .context("connecting to PostgreSQL for the baseline (--postgres-url)")?;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {scratch}").as_str())
        .await?;
    admin
        .execute(format!("CREATE DATABASE {scratch}").as_str())
        .await
        .context("creating the baseline's scratch database")?;
    let result = postgres_in(args, server.clone().database(&scratch), connections).await;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)").as_str())
        .await?;
    let _ = admin.close().await;
    result
}

async fn postgres_in(
    args: &Args,
    options: PgConnectOptions,
    connections: u32,
) -> anyhow::Result<Run> {
    let pool = PgPoolOptions::new()
        .max_connections(connections)
        .min_connections(connections)
        .connect_with(options)
        .await?;
    pool.execute(
        "CREATE TABLE stock (id BIGINT PRIMARY KEY, available BIGINT NOT NULL CHECK (available >= 0));
         CREATE TABLE orders (id BIGSERIAL PRIMARY KEY, variant_id BIGINT NOT NULL,
             buyer_id BIGINT NOT NULL, quantity BIGINT NOT NULL, unit_price_minor BIGINT NOT NULL,
             currency TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL);",
    )
    .await?;
    sqlx::query("INSERT INTO stock (id, available) VALUES (1, $1)")
        .bind(STOCK)
        .execute(&pool)
        .await?;
    let seq = Arc::new(AtomicU64::new(0));
    let p = pool.clone();
    let (tx, seconds, latency) = drive(
        args,
        &format!("PostgreSQL per-order tx × {connections}"),
        connections,
        move |w| {
            let (p, seq) = (p.clone(), seq.clone());
            async move {
                let mut conn = p.acquire().await?;
                let n = seq.fetch_add(1, Ordering::Relaxed);
                pg_order(&mut conn, w, n).await
            }
        },
    )
    .await?;
    let check = check_pg(&pool).await?;
    pool.close().await;
    Ok(Run {
        backend: "postgres",
        connections,
        tx,
        seconds,
        latency,
        check,
    })
}

async fn pg_order(
    conn: &mut PoolConnection<Postgres>,
    worker: usize,
    n: u64,
) -> anyhow::Result<()> {
    let mut tx = conn.begin().await?;
    let (available,): (i64,) =
        sqlx::query_as("SELECT available FROM stock WHERE id = 1 FOR UPDATE")
            .fetch_one(&mut *tx)
            .await?;
    anyhow::ensure!(available >= 1, "the scratch stock ran out");
    sqlx::query("UPDATE stock SET available = available - 1 WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO orders (variant_id, buyer_id, quantity, unit_price_minor, currency, \
         idempotency_key, created_at) VALUES (1, $1, 1, 1999000, 'KZT', $2, $3)",
    )
    .bind(worker as i64)
    .bind(format!("k-{n}"))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn check_pg(pool: &PgPool) -> anyhow::Result<String> {
    let (available,): (i64,) = sqlx::query_as("SELECT available FROM stock WHERE id = 1")
        .fetch_one(pool)
        .await?;
    let (orders,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders")
        .fetch_one(pool)
        .await?;
    stock_check(available, orders)
}

fn report(runs: &[Run]) -> Report {
    let rows = runs
        .iter()
        .map(|r| {
            vec![
                r.backend.to_owned(),
                r.connections.to_string(),
                fmt_rate(r.tx as f64 / r.seconds),
                fmt_ms(r.latency.ms(0.50)),
                fmt_ms(r.latency.ms(0.99)),
                r.tx.to_string(),
                r.check.clone(),
            ]
        })
        .collect();
    let data_runs: Vec<_> = runs
        .iter()
        .map(|r| {
            json!({
                "backend": r.backend,
                "connections": r.connections,
                "transactions": r.tx,
                "seconds": r.seconds,
                "tx_per_s": r.tx as f64 / r.seconds,
                "latency": r.latency.summary(),
                "check": r.check,
            })
        })
        .collect();
    let line = |backend: &str| Line {
        name: format!("{backend} tx/s"),
        points: runs
            .iter()
            .filter(|r| r.backend == backend)
            .map(|r| (r.connections as f64, r.tx as f64 / r.seconds))
            .collect(),
    };
    Report {
        scenario: "dbbase".into(),
        tables: vec![Table {
            title: "Per-order transaction baseline (SELECT … FOR UPDATE / BEGIN IMMEDIATE, UPDATE, INSERT, COMMIT)".into(),
            columns: ["backend", "connections", "tx/s", "p50", "p99", "transactions", "check"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows,
        }],
        data: json!({
            "transaction": "stock row read (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite), UPDATE stock, INSERT order, COMMIT",
            "sqlite": "WAL, synchronous=FULL, scratch file",
            "postgres": "synchronous_commit as the server's default (on), scratch database",
            "runs": data_runs,
        }),
        series: vec![Series {
            name: "dbbase-throughput".into(),
            title: "Per-order transaction baseline".into(),
            x_label: "connections".into(),
            y_label: "transactions/s".into(),
            lines: vec![line("sqlite"), line("postgres")]
                .into_iter()
                .filter(|l| !l.points.is_empty())
                .collect(),
        }],
    }
}
