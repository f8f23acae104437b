//! The end-to-end harness: [`spawn_app`] starts the real server on 127.0.0.1:0 over a fresh
//! database (a temp SQLite file, or a new PostgreSQL database), and [`backend_tests!`] runs each
//! test on both backends.
//!
//! PostgreSQL is found through `SILKSTREAM_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it does not answer, its tests are skipped
//! with one loud line — unless `SILKSTREAM_REQUIRE_BACKENDS=1` (set by CI), which makes a skip a
//! failure.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use silkstream_catalog::auth::Role;
use silkstream_catalog::Db;
use silkstream_server::tokens::TokenStore;
use silkstream_server::Settings;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use reqwest;
pub use serde_json;

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
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
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

/// The real server, running on 127.0.0.1 over a fresh database.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// An admin token.
    pub admin: String,
    pub db: Db,
    pub test_db: TestDb,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    let test_db = TestDb::new(&backend).await;
    let (db, base, shutdown, server) = start(&test_db.settings()).await;
    let admin = TokenStore::new(db.clone())
        .create("test admin", Role::Admin, None)
        .await
        .expect("create admin token")
        .token;
    TestApp {
        base,
        client: reqwest::Client::new(),
        admin,
        db,
        test_db,
        shutdown: Some(shutdown),
        server: Some(server),
    }
}

type Started = (
    Db,
    String,
    oneshot::Sender<()>,
    JoinHandle<std::io::Result<()>>,
);

async fn start(settings: &Settings) -> Started {
    // Warnings and errors (the causes of any 500) go to the test's captured output.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SILKSTREAM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_test_writer()
        .try_init();
    let db = silkstream_server::connect(settings)
        .await
        .expect("connect and migrate");
    let l10n = silkstream_server::load_l10n(settings).expect("locale files load");
    let router = silkstream_server::build(db.clone(), l10n, settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let base = format!("http://{}", listener.local_addr().expect("local addr"));
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(silkstream_server::run(listener, router, async move {
        let _ = rx.await;
    }));
    (db, base, tx, server)
}

/// A response: status and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The `error.code` of an error envelope.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(
            self.status.as_u16(),
            status,
            "expected {status}, got {} with body {}",
            self.status,
            self.text
        );
        self
    }
}

impl TestApp {
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("request reaches the server");
        let status = resp.status();
        let text = resp.text().await.expect("read body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, body, text }
    }

    /// Sends a raw body with the given content type (for malformed input).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.admin)
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let resp = req.send().await.expect("request reaches the server");
        let status = resp.status();
        let text = resp.text().await.expect("read body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, body, text }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.request(Method::PUT, path, Some(token), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.request(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// A new token of `role`, made through the admin API.
    pub async fn token(&self, role: &str) -> String {
        let reply = self
            .post(
                "/api/v1/tokens",
                &self.admin,
                &json!({"name": format!("test {role}"), "role": role}),
            )
            .await
            .expect(201);
        reply.body["token"]
            .as_str()
            .expect("token in response")
            .to_owned()
    }

    /// A warehouse in Khorgos, the KZ market it serves, and a KZT rate.
    pub async fn seed_basics(&self) {
        self.post(
            "/api/v1/warehouses",
            &self.admin,
            &json!({"code": "KHG-1", "name": "Khorgos border warehouse", "country": "CN", "kind": "border"}),
        )
        .await
        .expect(201);
        self.put(
            "/api/v1/markets/KZ",
            &self.admin,
            &json!({"name": "Kazakhstan", "currencies": ["KZT"], "locales": ["kk", "ru"], "warehouses": ["KHG-1"]}),
        )
        .await
        .expect(200);
        self.post(
            "/api/v1/rates",
            &self.admin,
            &json!({"currency": "KZT", "rate": "0.0142", "valid_from": "2026-01-01"}),
        )
        .await
        .expect(201);
    }

    /// Creates a product (admin) and returns its JSON.
    pub async fn create_product(&self, body: &Value) -> Value {
        self.post("/api/v1/products", &self.admin, body)
            .await
            .expect(201)
            .body
    }

    /// Stops the server and starts it again on the same database.
    pub async fn restart(&mut self) {
        self.stop().await;
        let (db, base, shutdown, server) = start(&self.test_db.settings()).await;
        self.db = db;
        self.base = base;
        self.shutdown = Some(shutdown);
        self.server = Some(server);
    }

    /// Graceful shutdown: signals the server and waits for it to finish.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.server.take() {
            let finished = tokio::time::timeout(Duration::from_secs(10), handle).await;
            assert!(finished.is_ok(), "server did not shut down within 10 s");
        }
        self.db.close().await;
    }

    /// Row counts of every catalog table, to prove a refused request wrote nothing.
    pub async fn table_counts(&self) -> Vec<(String, i64)> {
        let mut out = Vec::new();
        for table in [
            "products",
            "variants",
            "prices",
            "rates",
            "warehouses",
            "stock",
            "markets",
            "market_warehouses",
            "translations",
            "tokens",
        ] {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let (n,): (i64,) = silkstream_catalog::dispatch!(self.db.reader(), p => {
                sqlx::query_as(&sql).fetch_one(p).await.expect("count rows")
            });
            out.push((table.to_owned(), n));
        }
        out
    }
}

/// A complete product body with two variants (KZT and CNY prices), for tests to adjust.
pub fn sample_product() -> Value {
    json!({
        "merchant": "Brest Meat Export LLC",
        "category": "food.meat",
        "hs_code": "020230",
        "origin_country": "BY",
        "weight_g": 1050,
        "customs_mode": "1210",
        "source_locale": "ru",
        "title": "Говядина замороженная, грудинка 1 кг",
        "description": "Говядина из Брестской области, шоковая заморозка.",
        "attributes": {"storage": "Хранить при −18 °C", "net_weight_g": 1000, "shelf_life_days": 365},
        "variants": [
            {"sku": "BEEF-BRISKET-1KG", "options": {"cut": "brisket"}, "barcode": "4006381333931",
             "prices": {"CNY": 8900, "KZT": 629900}},
            {"sku": "BEEF-STRIP-1KG", "options": {"cut": "striploin"},
             "prices": {"CNY": 12900}}
        ]
    })
}

// ---- live sale helpers (feed) ---------------------------------------------------------------

/// Like [`spawn_app`], with the settings adjusted by `adjust` (payment window, rate limits…).
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let test_db = TestDb::new(&backend).await;
    let mut settings = test_db.settings();
    adjust(&mut settings);
    let (db, base, shutdown, server) = start(&settings).await;
    let admin = TokenStore::new(db.clone())
        .create("test admin", Role::Admin, None)
        .await
        .expect("create admin token")
        .token;
    TestApp {
        base,
        client: reqwest::Client::new(),
        admin,
        db,
        test_db,
        shutdown: Some(shutdown),
        server: Some(server),
    }
}

/// A shipping address in Almaty, for order bodies.
pub fn ship_to() -> Value {
    json!({"name": "Aigerim Bekova", "phone": "+7 701 555 0101", "country": "KZ",
           "city": "Almaty", "address": "Abay Ave 10, apt 5", "postal_code": "050000"})
}

/// An order body for `variant_id`.
pub fn order_body(variant_id: i64, quantity: i64, currency: &str) -> Value {
    json!({"variant_id": variant_id, "quantity": quantity, "currency": currency,
           "ship_to": ship_to()})
}

/// What [`TestApp::live_session`] set up.
#[derive(Debug, Clone)]
pub struct LiveSetup {
    pub host: String,
    pub operator: String,
    pub session_id: i64,
    pub product_id: i64,
    /// The brisket variant (KZT and CNY prices), stocked in KHG-1.
    pub variant_id: i64,
}

impl TestApp {
    /// A guest buyer (through `POST /api/v1/buyers`): their token and id.
    pub async fn buyer(&self, name: &str, locale: &str) -> (String, i64) {
        let reply = self
            .request(
                Method::POST,
                "/api/v1/buyers",
                None,
                Some(
                    &json!({"display_name": name, "country": "KZ", "city": "Almaty",
                             "locale": locale}),
                ),
            )
            .await
            .expect(201);
        (
            reply.body["token"].as_str().expect("token").to_owned(),
            reply.body["buyer"]["id"].as_i64().expect("buyer id"),
        )
    }

    /// The basics, the sample product with `stock` units of its first variant in KHG-1, and a
    /// host's session for KZ with the product in the showcase; started when `live`.
    pub async fn live_session(&self, stock: i64, live: bool) -> LiveSetup {
        self.seed_basics().await;
        let product = self.create_product(&sample_product()).await;
        let product_id = product["id"].as_i64().expect("product id");
        let variant_id = product["variants"][0]["id"].as_i64().expect("variant id");
        self.put(
            &format!("/api/v1/variants/{variant_id}/stock/KHG-1"),
            &self.admin,
            &json!({"available": stock}),
        )
        .await
        .expect(200);
        let host = self.token("host").await;
        let operator = self.token("operator").await;
        let session_id = self
            .post(
                "/api/v1/sessions",
                &host,
                &json!({"title": "Khorgos beef night", "language": "ru", "markets": ["KZ"]}),
            )
            .await
            .expect(201)
            .body["id"]
            .as_i64()
            .expect("session id");
        self.post(
            &format!("/api/v1/sessions/{session_id}/showcase"),
            &host,
            &json!({"product_id": product_id}),
        )
        .await
        .expect(200);
        if live {
            self.post(
                &format!("/api/v1/sessions/{session_id}/start"),
                &host,
                &json!({}),
            )
            .await
            .expect(200);
        }
        LiveSetup {
            host,
            operator,
            session_id,
            product_id,
            variant_id,
        }
    }

    /// A flash sale of `quantity` units in the session, open now, priced in KZT; its id.
    pub async fn flash_sale(&self, live: &LiveSetup, quantity: i64, limit: i64) -> i64 {
        self.post(
            &format!("/api/v1/sessions/{}/flash-sales", live.session_id),
            &live.host,
            &json!({"variant_id": live.variant_id, "quantity": quantity,
                    "per_buyer_limit": limit, "prices": {"KZT": 450000},
                    "countdown_s": 0, "duration_s": 600}),
        )
        .await
        .expect(201)
        .body["id"]
            .as_i64()
            .expect("sale id")
    }

    /// `POST /api/v1/sessions/{id}/orders` with an Idempotency-Key.
    pub async fn order(&self, token: &str, session_id: i64, key: &str, body: &Value) -> Reply {
        let resp = self
            .client
            .post(format!("{}/api/v1/sessions/{session_id}/orders", self.base))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
            .expect("request reaches the server");
        let status = resp.status();
        let text = resp.text().await.expect("read body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, body, text }
    }

    /// One integer from a query.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let (n,): (i64,) = silkstream_catalog::dispatch!(self.db.reader(), p => {
            sqlx::query_as(sql).fetch_one(p).await.expect("scalar query")
        });
        n
    }

    /// A fingerprint of everything the feed and the catalog store: row counts of every table,
    /// stock and sale units, session states. Equal before and after means nothing was written.
    pub async fn feed_fingerprint(&self) -> Vec<(String, i64)> {
        let mut out = self.table_counts().await;
        for (name, sql) in [
            ("buyers", "SELECT COUNT(*) FROM buyers"),
            ("sessions", "SELECT COUNT(*) FROM sessions"),
            ("showcase", "SELECT COUNT(*) FROM showcase"),
            ("flash_sales", "SELECT COUNT(*) FROM flash_sales"),
            (
                "sale_buyers",
                "SELECT COALESCE(CAST(SUM(units) AS BIGINT), 0) FROM sale_buyers",
            ),
            ("orders", "SELECT COUNT(*) FROM orders"),
            ("events", "SELECT COUNT(*) FROM events"),
            (
                "stock units",
                "SELECT COALESCE(CAST(SUM(available) AS BIGINT), 0) FROM stock",
            ),
            (
                "sale units",
                "SELECT COALESCE(CAST(SUM(remaining + allocated) AS BIGINT), 0) FROM flash_sales",
            ),
            (
                "paused sales",
                "SELECT COUNT(*) FROM flash_sales WHERE state = 'paused'",
            ),
            (
                "live sessions",
                "SELECT COUNT(*) FROM sessions WHERE state = 'live'",
            ),
            (
                "pinned",
                "SELECT COUNT(*) FROM sessions WHERE pinned_product_id IS NOT NULL",
            ),
            (
                "order states",
                "SELECT COUNT(*) FROM orders WHERE status <> 'confirmed'",
            ),
        ] {
            out.push((name.to_owned(), self.scalar(sql).await));
        }
        out
    }
}

/// Polls `check` until it returns true, for at most `within`; panics with `what` otherwise.
/// Waits on an interval tick between polls, never a fixed sleep.
pub async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let polled = tokio::time::timeout(within, async {
        let mut tick = tokio::time::interval(Duration::from_millis(25));
        loop {
            tick.tick().await;
            if check().await {
                return;
            }
        }
    })
    .await;
    assert!(polled.is_ok(), "not within {within:?}: {what}");
}
