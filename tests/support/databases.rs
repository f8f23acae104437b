//! Where a test's data lives: [`Backend`] (SQLite or a reachable PostgreSQL), [`TestDb`] (a fresh
//! database per test: a temp SQLite file, or a PostgreSQL database created for the test and
//! dropped after it) and [`backend_tests!`](crate::backend_tests) (each test on both backends).

use std::time::Duration;

use silkstream_server::Settings;

/// Where a test's database lives.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres { admin_url: String },
}

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

impl Backend {
    /// The PostgreSQL backend if a server answers; else `None` after one loud line (or a panic
    /// when `SILKSTREAM_REQUIRE_BACKENDS=1`).
    pub async fn postgres_or_skip(test: &str) -> Option<Backend> {
        let url =
            std::env::var("SILKSTREAM_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG.into());
        let reachable = tokio::time::timeout(Duration::from_secs(5), async {
            use sqlx::Connection;
            sqlx::PgConnection::connect(&url).await
        })
        .await;
        match reachable {
            Ok(Ok(conn)) => {
                let _ = sqlx::Connection::close(conn).await;
                Some(Backend::Postgres { admin_url: url })
            }
            other => {
                let why = match other {
                    Ok(Err(e)) => e.to_string(),
                    _ => "timed out".to_owned(),
                };
                if std::env::var("SILKSTREAM_REQUIRE_BACKENDS").as_deref() == Ok("1") {
                    panic!("PostgreSQL is required (SILKSTREAM_REQUIRE_BACKENDS=1) but {url} does not answer: {why}");
                }
                eprintln!(
                    "!!! SKIPPED postgres::{test}: no PostgreSQL at {url} ({why}); set SILKSTREAM_TEST_DATABASE_URL"
                );
                None
            }
        }
    }
}

/// Runs each listed `async fn name(backend: Backend)` as `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = $crate::Backend::postgres_or_skip(stringify!($name)).await {
                        super::$name(backend).await
                    }
                }
            )*
        }
    };
}

/// A fresh, migrated database for one test; dropped (PostgreSQL) or deleted (SQLite) after.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    /// The temp dir holding a SQLite file; `None` for PostgreSQL or a handle that does not own
    /// the database ([`TestApp::another_instance`](crate::TestApp::another_instance)).
    pub(crate) _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL database to drop; `None` when this handle does not own one.
    pub(crate) pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: &Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite:{}", dir.path().join("silkstream.db").display());
                TestDb {
                    url,
                    backend: backend.clone(),
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres { admin_url } => {
                use sqlx::{Connection, Executor};
                let name = format!("silkstream_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(admin_url)
                    .await
                    .expect("connect to PostgreSQL");
                conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
                    .await
                    .expect("create test database");
                let _ = conn.close().await;
                TestDb {
                    url: with_database(admin_url, &name),
                    backend: backend.clone(),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    pub fn settings(&self) -> Settings {
        Settings {
            database_url: self.url.clone(),
            bind: "127.0.0.1:0".into(),
            db_max_connections: 8,
            // Tests that sign up hundreds of guests raise the per-address limit only; the
            // global ceiling has its own test (edge_hardening).
            buyer_signups_per_minute_total: 1_000_000,
            // Every test server pays through the sandbox, switched on explicitly as a
            // development server is (docs/payments.md); `payments` tests it off.
            payment_sandbox: true,
            payment_sandbox_secret: Some(crate::SANDBOX_SECRET.into()),
            ..Settings::default()
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (Some(name), Backend::Postgres { admin_url }) = (self.pg_name.take(), &self.backend)
        else {
            return;
        };
        let admin_url = admin_url.clone();
        // Drop runs inside the test's runtime; the cleanup gets a runtime of its own.
        let cleanup = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                use sqlx::{Connection, Executor};
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = conn
                        .execute(
                            format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str(),
                        )
                        .await;
                    let _ = conn.close().await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host_part = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

const DEFAULT_REDIS: &str = "redis://127.0.0.1:6379";

/// The Redis the scaled-out tests share (`SILKSTREAM_TEST_REDIS_URL`, default
/// `redis://127.0.0.1:6379`) if it answers a PING; else `None` after one loud line (or a panic
/// when `SILKSTREAM_REQUIRE_BACKENDS=1`). Tests on one Redis never hear each other: each test's
/// database names its own keys and channels (the deployment's key).
pub async fn redis_or_skip(test: &str) -> Option<String> {
    let url = std::env::var("SILKSTREAM_TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS.into());
    let ping = tokio::time::timeout(Duration::from_secs(5), async {
        let client = redis::Client::open(url.as_str())?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    })
    .await;
    match ping {
        Ok(Ok(_)) => Some(url),
        other => {
            let why = match other {
                Ok(Err(e)) => e.to_string(),
                _ => "timed out".to_owned(),
            };
            if std::env::var("SILKSTREAM_REQUIRE_BACKENDS").as_deref() == Ok("1") {
                panic!("Redis is required (SILKSTREAM_REQUIRE_BACKENDS=1) but {url} does not answer: {why}");
            }
            eprintln!("!!! SKIPPED redis::{test}: no Redis at {url} ({why}); set SILKSTREAM_TEST_REDIS_URL");
            None
        }
    }
}
