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
    spawn_app_with(backend, |_| {}).await
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
    let app = silkstream_server::build(db.clone(), l10n, settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let base = format!("http://{}", listener.local_addr().expect("local addr"));
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(silkstream_server::run(listener, app, async move {
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
            let (n,): (i64,) = {
                let p = self.db.reader();
                sqlx::query_as(&sql).fetch_one(p).await.expect("count rows")
            };
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
    launch(test_db, adjust).await
}

/// Starts a server on `test_db` with adjusted settings and gives it an admin token.
async fn launch(test_db: TestDb, adjust: impl FnOnce(&mut Settings)) -> TestApp {
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

impl TestApp {
    /// A second server on the same database (another stateless instance behind the same load
    /// balancer), with its own admin token. The database stays owned by `self`.
    pub async fn another_instance(&self, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let test_db = TestDb {
            url: self.test_db.url.clone(),
            backend: self.test_db.backend.clone(),
            _dir: None,
            pg_name: None,
        };
        launch(test_db, adjust).await
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
        let (n,): (i64,) = {
            let p = self.db.reader();
            sqlx::query_as(sql)
                .fetch_one(p)
                .await
                .expect("scalar query")
        };
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

// ---- WebSocket feed helpers -----------------------------------------------------------------

/// Feed clients over real WebSockets: [`TestApp::ws_connect`] (token in the `Authorization`
/// header), [`TestApp::ws_try_connect`] (to see a refused upgrade) and
/// [`TestApp::ws_connect_slow`] (a small TCP receive buffer, for a client that falls behind).
pub mod ws {
    use std::time::Duration;

    use futures_util::{SinkExt, StreamExt};
    use serde_json::Value;
    use tokio::net::{TcpSocket, TcpStream};
    use tokio::sync::watch;
    use tokio::task::JoinHandle;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::{header, HeaderValue};
    use tokio_tungstenite::tungstenite::{Error as WsError, Message};
    use tokio_tungstenite::WebSocketStream;

    use super::TestApp;

    /// An upgrade the server refused: its plain HTTP status and body (the error envelope).
    #[derive(Debug)]
    pub struct Refusal {
        pub status: u16,
        pub body: Value,
    }

    impl Refusal {
        /// The `error.code` of the envelope.
        pub fn code(&self) -> &str {
            self.body["error"]["code"].as_str().unwrap_or("")
        }
    }

    /// How a feed connection ended: the text messages still unread, the close code (`None`
    /// when the server hung up without a close frame) and the error that ended the reading,
    /// if one did.
    #[derive(Debug)]
    pub struct Ending {
        pub messages: Vec<Value>,
        pub code: Option<u16>,
        pub error: Option<String>,
    }

    /// One feed connection. Every text message read is also kept, raw, in `transcript`.
    pub struct FeedClient {
        socket: WebSocketStream<TcpStream>,
        /// The path it was opened on, for failure messages.
        pub path: String,
        /// Every text message read so far, as the server sent it.
        pub transcript: Vec<String>,
    }

    impl TestApp {
        /// Opens a feed at `path` (with its query string); panics when the upgrade is refused.
        pub async fn ws_connect(&self, path: &str, token: Option<&str>) -> FeedClient {
            match self.ws_try_connect(path, token).await {
                Ok(client) => client,
                Err(refusal) => panic!("upgrade of {path} refused: {refusal:?}"),
            }
        }

        /// Opens a feed at `path`, or returns the server's plain HTTP refusal.
        pub async fn ws_try_connect(
            &self,
            path: &str,
            token: Option<&str>,
        ) -> Result<FeedClient, Refusal> {
            let stream = TcpStream::connect(self.authority())
                .await
                .expect("connect to the server");
            self.handshake(stream, path, token).await
        }

        /// Opens a feed over a TCP connection with a `recv_buffer`-byte receive buffer, so that
        /// a client that does not read backs up the server's writes quickly.
        pub async fn ws_connect_slow(
            &self,
            path: &str,
            token: Option<&str>,
            recv_buffer: u32,
        ) -> FeedClient {
            let socket = TcpSocket::new_v4().expect("tcp socket");
            socket
                .set_recv_buffer_size(recv_buffer)
                .expect("set the receive buffer size");
            let addr = self.authority().parse().expect("socket address");
            let stream = socket.connect(addr).await.expect("connect to the server");
            match self.handshake(stream, path, token).await {
                Ok(client) => client,
                Err(refusal) => panic!("upgrade of {path} refused: {refusal:?}"),
            }
        }

        /// `127.0.0.1:port` of the server.
        fn authority(&self) -> String {
            self.base.trim_start_matches("http://").to_owned()
        }

        async fn handshake(
            &self,
            stream: TcpStream,
            path: &str,
            token: Option<&str>,
        ) -> Result<FeedClient, Refusal> {
            let mut request = format!("ws://{}{path}", self.authority())
                .into_client_request()
                .expect("a WebSocket request");
            if let Some(token) = token {
                request.headers_mut().insert(
                    header::AUTHORIZATION,
                    HeaderValue::from_str(&format!("Bearer {token}")).expect("header value"),
                );
            }
            let handshake = tokio::time::timeout(
                Duration::from_secs(10),
                tokio_tungstenite::client_async(request, stream),
            )
            .await
            .unwrap_or_else(|_| panic!("the upgrade of {path} is not answered within 10 s"));
            match handshake {
                Ok((socket, _)) => Ok(FeedClient {
                    socket,
                    path: path.to_owned(),
                    transcript: Vec::new(),
                }),
                Err(WsError::Http(response)) => {
                    let body = response
                        .body()
                        .as_deref()
                        .and_then(|b| serde_json::from_slice(b).ok())
                        .unwrap_or(Value::Null);
                    Err(Refusal {
                        status: response.status().as_u16(),
                        body,
                    })
                }
                Err(e) => panic!("upgrade of {path} failed: {e}"),
            }
        }
    }

    impl FeedClient {
        /// The next WebSocket message of any kind (`None` once the connection is gone), or
        /// `Err(())` when nothing arrives `within`.
        pub async fn next_message(&mut self, within: Duration) -> Result<Option<Message>, ()> {
            match tokio::time::timeout(within, self.socket.next()).await {
                Err(_) => Err(()),
                Ok(None) | Ok(Some(Err(_))) => Ok(None),
                Ok(Some(Ok(message))) => Ok(Some(message)),
            }
        }

        /// The next text message as JSON (WebSocket pings and pongs skipped); panics on a close,
        /// a binary frame, text that is not JSON, or nothing `within`.
        pub async fn next_json(&mut self, within: Duration) -> Value {
            let deadline = tokio::time::Instant::now() + within;
            loop {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                let message = match self.next_message(left).await {
                    Err(()) => panic!("{}: no message within {within:?}", self.path),
                    Ok(None) => panic!("{}: the connection ended", self.path),
                    Ok(Some(message)) => message,
                };
                match message {
                    Message::Text(text) => {
                        let text = text.as_str().to_owned();
                        let value = serde_json::from_str(&text).unwrap_or_else(|e| {
                            panic!(
                                "{}: a text message that is not JSON ({e}): {text}",
                                self.path
                            )
                        });
                        self.transcript.push(text);
                        return value;
                    }
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                    Message::Binary(b) => panic!("{}: a binary message: {b:?}", self.path),
                    Message::Close(frame) => panic!("{}: closed: {frame:?}", self.path),
                }
            }
        }

        /// The next message that is not a `tick`.
        pub async fn next_event(&mut self, within: Duration) -> Value {
            let deadline = tokio::time::Instant::now() + within;
            loop {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                let message = self.next_json(left).await;
                if message["type"] != "tick" {
                    return message;
                }
            }
        }

        /// The next message of type `kind`, skipping any other.
        pub async fn next_of_type(&mut self, kind: &str, within: Duration) -> Value {
            self.collect_until(within, |m| m["type"] == kind)
                .await
                .pop()
                .expect("the message that ended the collection")
        }

        /// Every message up to and including the first for which `stop` is true; panics when
        /// none is within `within`.
        pub async fn collect_until(
            &mut self,
            within: Duration,
            mut stop: impl FnMut(&Value) -> bool,
        ) -> Vec<Value> {
            let deadline = tokio::time::Instant::now() + within;
            let mut out = Vec::new();
            loop {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                let message = self.next_json(left).await;
                let done = stop(&message);
                out.push(message);
                if done {
                    return out;
                }
            }
        }

        /// Every logged event (a message with a `seq`, not the snapshot) up to and including
        /// seq `last`; ticks and other messages skipped.
        pub async fn events_through_seq(&mut self, last: i64, within: Duration) -> Vec<Value> {
            let logged = |m: &Value| m.get("seq").is_some() && m["type"] != "snapshot";
            self.collect_until(within, |m| logged(m) && m["seq"].as_i64() >= Some(last))
                .await
                .into_iter()
                .filter(logged)
                .collect()
        }

        /// Sends a JSON text message.
        pub async fn send_json(&mut self, message: &Value) {
            self.send_text(message.to_string()).await;
        }

        /// Sends a text message as is (for malformed input).
        pub async fn send_text(&mut self, text: String) {
            self.socket
                .send(Message::text(text))
                .await
                .unwrap_or_else(|e| panic!("{}: send failed: {e}", self.path));
        }

        /// Places an order on the socket and returns its `order_result` (other messages that
        /// arrive meanwhile are read and dropped).
        pub async fn order(&mut self, key: &str, body: &Value, within: Duration) -> Value {
            let mut message = body.clone();
            message["type"] = "order".into();
            message["client_order_id"] = key.into();
            self.send_json(&message).await;
            self.collect_until(within, |m| {
                m["type"] == "order_result" && m["client_order_id"] == key
            })
            .await
            .pop()
            .expect("the order_result")
        }

        /// Reads to the end of the connection: the text messages not yet read and the close
        /// code. Panics when the connection is still open after `within`.
        pub async fn read_to_close(&mut self, within: Duration) -> Ending {
            let deadline = tokio::time::Instant::now() + within;
            let mut ending = Ending {
                messages: Vec::new(),
                code: None,
                error: None,
            };
            let mut closed = false;
            loop {
                let mut left = deadline.saturating_duration_since(tokio::time::Instant::now());
                if closed {
                    // After the close frame the server should hang up; it need not wait for us.
                    left = left.min(Duration::from_secs(2));
                }
                match tokio::time::timeout(left, self.socket.next()).await {
                    Err(_) if closed => return ending,
                    Err(_) => panic!(
                        "{}: still open after {within:?}; read {} messages",
                        self.path,
                        ending.messages.len()
                    ),
                    Ok(None) => return ending,
                    Ok(Some(Err(e))) => {
                        ending.error = Some(e.to_string());
                        return ending;
                    }
                    Ok(Some(Ok(Message::Text(text)))) => {
                        let text = text.as_str().to_owned();
                        ending
                            .messages
                            .push(serde_json::from_str(&text).unwrap_or(Value::Null));
                        self.transcript.push(text);
                    }
                    Ok(Some(Ok(Message::Close(frame)))) => {
                        ending.code = frame.map(|f| u16::from(f.code));
                        closed = true;
                    }
                    Ok(Some(Ok(_))) => {}
                }
            }
        }

        /// Closes the connection politely.
        pub async fn close(mut self) {
            let _ = self.socket.close(None).await;
        }

        /// Keeps reading on a task of its own (so the server never finds this client slow)
        /// until [`Watcher::until`] names the last event to wait for; `key` is the field that
        /// orders the feed's events: `"seq"` on a session's feed, `"id"` on the operators'.
        pub fn watch(mut self, key: &'static str) -> Watcher {
            let (last, mut wanted) = watch::channel(None::<i64>);
            let task = tokio::spawn(async move {
                let mut got = Vec::new();
                let mut seen = i64::MIN;
                loop {
                    if matches!(*wanted.borrow(), Some(last) if seen >= last) {
                        return (self, got);
                    }
                    tokio::select! {
                        message = self.next_json(Duration::from_secs(300)) => {
                            if let Some(n) = message[key].as_i64() {
                                if message["type"] != "snapshot" {
                                    seen = n;
                                }
                            }
                            got.push(message);
                        }
                        changed = wanted.changed() => {
                            if changed.is_err() {
                                return (self, got);
                            }
                        }
                    }
                }
            });
            Watcher { last, task }
        }
    }

    /// A feed client reading on its own task; see [`FeedClient::watch`].
    pub struct Watcher {
        last: watch::Sender<Option<i64>>,
        task: JoinHandle<(FeedClient, Vec<Value>)>,
    }

    impl Watcher {
        /// Every message read, once the event numbered `last` has arrived (panics when it has
        /// not `within`), and the client, to go on reading.
        pub async fn until(self, last: i64, within: Duration) -> (FeedClient, Vec<Value>) {
            self.last.send_replace(Some(last));
            match tokio::time::timeout(within, self.task).await {
                Ok(done) => done.expect("the watcher's task"),
                Err(_) => panic!("event {last} did not arrive within {within:?}"),
            }
        }
    }
}
