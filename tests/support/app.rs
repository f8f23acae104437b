//! The server under test: [`spawn_app`] / [`spawn_app_with`] start it on 127.0.0.1:0 over a fresh
//! [`TestDb`], [`TestApp::another_instance`] starts a second one on the same database, and the
//! request helpers ([`TestApp::request`], [`TestApp::get`], [`TestApp::order`]…) answer with a
//! [`Reply`].

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use silkstream_catalog::auth::Role;
use silkstream_catalog::Db;
use silkstream_server::tokens::TokenStore;
use silkstream_server::Settings;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::databases::{Backend, TestDb};

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

/// Like [`spawn_app`], with the settings adjusted by `adjust` (payment window, rate limits…).
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let test_db = TestDb::new(&backend).await;
    launch(test_db, adjust).await
}

/// Starts the server on a database made (and perhaps filled) beforehand.
pub async fn spawn_app_on(test_db: TestDb) -> TestApp {
    launch(test_db, |_| {}).await
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
    let app = silkstream_server::build(db.clone(), l10n, settings).expect("build the app");
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
    pub headers: reqwest::header::HeaderMap,
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
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("read body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            text,
            headers,
        }
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
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("read body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            text,
            headers,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), None).await
    }

    /// The sum of a metric's samples whose labels contain `labels` (`/metrics`, Prometheus
    /// text).
    pub async fn metric(&self, name: &str, labels: &str) -> u64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("metrics text");
        text.lines()
            .filter(|l| l.starts_with(&format!("{name}{{")) && l.contains(labels))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .map(|v| v as u64)
            .sum()
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

    /// A new token of `role`, made through the admin API; a host is an adult whose real name
    /// an operator verified ([`TestApp::verify_host`]), so that they may start sessions.
    pub async fn token(&self, role: &str) -> String {
        self.named_token(&format!("test {role}"), role).await
    }

    /// Like [`TestApp::token`], with the token's name.
    pub async fn named_token(&self, name: &str, role: &str) -> String {
        let (token, id) = self.unverified_token(name, role).await;
        if role == "host" {
            self.verify_host(&token, id, "1990-05-17").await;
        }
        token
    }

    /// A new token of `role` and its id, with no host profile: a host made so cannot start a
    /// session.
    pub async fn unverified_token(&self, name: &str, role: &str) -> (String, i64) {
        let reply = self
            .post(
                "/api/v1/tokens",
                &self.admin,
                &json!({"name": name, "role": role}),
            )
            .await
            .expect(201);
        (
            reply.body["token"]
                .as_str()
                .expect("token in response")
                .to_owned(),
            reply.body["id"].as_i64().expect("token id in response"),
        )
    }

    /// Host `id` (token `token`) gives a profile born on `birth_date`, and the admin verifies
    /// their real name; the profile's JSON.
    pub async fn verify_host(&self, token: &str, id: i64, birth_date: &str) -> Value {
        self.put(
            "/api/v1/hosts/me/profile",
            token,
            &json!({"legal_name": "Test Host", "birth_date": birth_date}),
        )
        .await
        .expect(200);
        self.post(
            &format!("/api/v1/hosts/{id}/verify"),
            &self.admin,
            &json!({}),
        )
        .await
        .expect(200)
        .body
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
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("read body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            text,
            headers,
        }
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

    /// A handle on a server this process did not start (an instance of a
    /// [`Cluster`](crate::Cluster), or the load balancer in front of them) at `base`, with an
    /// admin token and a pool on its database: every request helper and fixture works on it.
    /// It owns neither the server nor the database.
    pub(crate) fn remote(base: String, admin: String, db: Db, database_url: String) -> TestApp {
        TestApp {
            base,
            client: reqwest::Client::new(),
            admin,
            db,
            test_db: TestDb {
                url: database_url.clone(),
                backend: Backend::Postgres {
                    admin_url: database_url,
                },
                _dir: None,
                pg_name: None,
            },
            shutdown: None,
            server: None,
        }
    }

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
