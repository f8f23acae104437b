//! The HTTP side of the load generator: the server's address ([`Target`]), one keep-alive
//! HTTP/1.1 connection per task ([`Conn`], over hyper, reconnecting after a close), and the
//! set-up client ([`Api`]) that speaks JSON to the API with a token. A load task owns its
//! `Conn`, so `--connections 200` is exactly 200 sockets, as with wrk.

use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

/// How long one request may take before it counts as failed (the outcome is then unknown).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The server under test: `http://HOST:PORT` (plain HTTP only, as the bench runs it).
#[derive(Debug, Clone)]
pub struct Target {
    /// `http://127.0.0.1:8080`, without a trailing slash.
    pub base: String,
    /// `127.0.0.1:8080`: where to connect, and the `Host` header.
    pub authority: String,
}

impl Target {
    pub fn parse(server: &str) -> anyhow::Result<Self> {
        let base = server.trim_end_matches('/');
        let Some(authority) = base.strip_prefix("http://") else {
            bail!("--server {server}: give a plain http:// URL, e.g. http://127.0.0.1:8080");
        };
        if authority.is_empty() || authority.contains('/') {
            bail!("--server {server}: give the server's root, e.g. http://127.0.0.1:8080");
        }
        Ok(Self {
            base: base.to_owned(),
            authority: authority.to_owned(),
        })
    }

    /// `ws://HOST:PORT`.
    pub fn ws_base(&self) -> String {
        format!("ws://{}", self.authority)
    }
}

/// One keep-alive HTTP/1.1 connection; after a transport error the next request reconnects.
pub struct Conn {
    target: Target,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Conn {
    pub fn new(target: &Target) -> Self {
        Self {
            target: target.clone(),
            sender: None,
        }
    }

    async fn sender(&mut self) -> anyhow::Result<&mut SendRequest<Full<Bytes>>> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream =
                tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&self.target.authority))
                    .await
                    .map_err(|_| anyhow!("connecting to {} timed out", self.target.base))?
                    .with_context(|| format!("no server answers at {}", self.target.base))?;
            stream.set_nodelay(true)?;
            let (sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                // Ends when the server closes the connection or the sender is dropped; an error
                // here shows up on the next request as a closed sender.
                let _ = connection.await;
            });
            self.sender = Some(sender);
        }
        self.sender.as_mut().ok_or_else(|| anyhow!("no connection"))
    }

    /// Sends one request and reads the whole answer. `body` is JSON when given.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        extra: &[(&'static str, &str)],
        body: Option<Bytes>,
    ) -> anyhow::Result<(StatusCode, Bytes)> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, &self.target.authority);
        if let Some(token) = token {
            req = req.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        for (name, value) in extra {
            req = req.header(*name, *value);
        }
        let typed = extra
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !typed {
            req = req.header(CONTENT_TYPE, "application/json");
        }
        let req = req.body(Full::new(body.unwrap_or_default()))?;
        let result = tokio::time::timeout(REQUEST_TIMEOUT, async {
            let sender = self.sender().await?;
            sender.ready().await?;
            let resp = sender.send_request(req).await?;
            let status = resp.status();
            let bytes = resp.into_body().collect().await?.to_bytes();
            anyhow::Ok((status, bytes))
        })
        .await
        .map_err(|_| anyhow!("no answer within {REQUEST_TIMEOUT:?}"))
        .and_then(|r| r);
        if result.is_err() {
            // The connection's state is unknown: start a fresh one next time.
            self.sender = None;
        }
        result
    }
}

/// An answer of the API: its status and JSON body (`null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    what: String,
}

impl Reply {
    /// The body when the status is `want`; otherwise an error naming the request and the answer.
    pub fn expect(self, want: u16) -> anyhow::Result<Value> {
        if self.status.as_u16() == want {
            Ok(self.body)
        } else {
            bail!(
                "{}: expected {want}, got {}: {}",
                self.what,
                self.status,
                self.body
            )
        }
    }
}

/// The set-up client: JSON requests one at a time over one connection.
pub struct Api {
    pub target: Target,
    conn: tokio::sync::Mutex<Conn>,
}

impl Api {
    pub fn new(target: &Target) -> Self {
        Self {
            target: target.clone(),
            conn: tokio::sync::Mutex::new(Conn::new(target)),
        }
    }

    /// Checks that a Silkstream server answers `/healthz`; a clear error otherwise.
    pub async fn check_server(&self) -> anyhow::Result<()> {
        let reply = self
            .call(Method::GET, "/healthz", None, None)
            .await
            .with_context(|| {
                format!(
                    "the server at {} is not there: start it first (bench/run.sh does) or pass \
                     --server",
                    self.target.base
                )
            })?;
        if reply.status != StatusCode::OK || reply.body["status"] != "ok" {
            bail!(
                "{}/healthz answered {} {}: is this a Silkstream server?",
                self.target.base,
                reply.status,
                reply.body
            );
        }
        Ok(())
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<Reply> {
        let what = format!("{method} {path}");
        let bytes = body.map(|b| Bytes::from(b.to_string()));
        let (status, raw) = self
            .conn
            .lock()
            .await
            .send(method, path, token, &[], bytes)
            .await
            .with_context(|| what.clone())?;
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Ok(Reply { status, body, what })
    }

    /// The body of a GET with no token as text (`/metrics`); an error unless it answers 200.
    pub async fn text(&self, path: &str) -> anyhow::Result<String> {
        let (status, raw) = self
            .conn
            .lock()
            .await
            .send(Method::GET, path, None, &[], None)
            .await
            .with_context(|| format!("GET {path}"))?;
        if status != StatusCode::OK {
            bail!("GET {path}: expected 200, got {status}");
        }
        Ok(String::from_utf8_lossy(&raw).into_owned())
    }

    pub async fn get(&self, path: &str, token: &str) -> anyhow::Result<Reply> {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> anyhow::Result<Reply> {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// A picture uploaded to a product (`multipart/form-data`, one `file` part); the answer.
    pub async fn upload_picture(
        &self,
        product_id: i64,
        token: &str,
        jpeg: &[u8],
    ) -> anyhow::Result<Reply> {
        let boundary = "loadgen-picture-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n\
             Content-Type: image/jpeg\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(jpeg);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let path = format!("/api/v1/products/{product_id}/images");
        let (status, raw) = self
            .conn
            .lock()
            .await
            .send(
                Method::POST,
                &path,
                Some(token),
                &[("content-type", &content_type)],
                Some(Bytes::from(body)),
            )
            .await
            .with_context(|| format!("POST {path}"))?;
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            body,
            what: format!("POST {path}"),
        })
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> anyhow::Result<Reply> {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }
}

/// The `error.code` of a refusal's body, or `http_<status>` when it has none.
pub fn refusal_code(status: StatusCode, body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("http_{}", status.as_u16()))
}
