//! Feed clients over real WebSockets: [`TestApp::ws_connect`] (token in the `Authorization`
//! header), [`TestApp::ws_try_connect`] (to see a refused upgrade),
//! [`TestApp::ws_connect_slow`] (a small TCP receive buffer, for a client that falls behind) and
//! [`TestApp::ws_connect_if_up`] (never panics: for clients that reconnect elsewhere).

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

use crate::app::TestApp;

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
    /// The close frame's reason, when there was a frame.
    pub reason: Option<String>,
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

    /// Opens a feed at `path` if the server is up and takes it: any failure (nothing listening,
    /// a refused or broken upgrade, no answer within 10 s) is an `Err` saying what happened,
    /// never a panic. For clients that reconnect to whichever instance is up.
    pub async fn ws_connect_if_up(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> Result<FeedClient, String> {
        let stream =
            tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(self.authority()))
                .await
                .map_err(|_| format!("{}: the connection is not accepted within 5 s", self.base))?
                .map_err(|e| format!("{}: {e}", self.base))?;
        match self.try_handshake(stream, path, token).await {
            Ok(client) => Ok(client),
            Err(Upgrade::Refused(refusal)) => {
                Err(format!("{}{path}: refused: {refusal:?}", self.base))
            }
            Err(Upgrade::Failed(why)) => Err(format!("{}{path}: {why}", self.base)),
        }
    }

    async fn handshake(
        &self,
        stream: TcpStream,
        path: &str,
        token: Option<&str>,
    ) -> Result<FeedClient, Refusal> {
        match self.try_handshake(stream, path, token).await {
            Ok(client) => Ok(client),
            Err(Upgrade::Refused(refusal)) => Err(refusal),
            Err(Upgrade::Failed(why)) => panic!("upgrade of {path} failed: {why}"),
        }
    }

    async fn try_handshake(
        &self,
        stream: TcpStream,
        path: &str,
        token: Option<&str>,
    ) -> Result<FeedClient, Upgrade> {
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
        .map_err(|_| Upgrade::Failed("the upgrade is not answered within 10 s".into()))?;
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
                Err(Upgrade::Refused(Refusal {
                    status: response.status().as_u16(),
                    body,
                }))
            }
            Err(e) => Err(Upgrade::Failed(e.to_string())),
        }
    }
}

/// Why an upgrade did not give a feed.
enum Upgrade {
    /// The server answered with plain HTTP.
    Refused(Refusal),
    /// The connection broke or the answer was not an upgrade.
    Failed(String),
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

    /// The next text message as JSON, or `None` once the connection has ended (a close frame,
    /// an error, the end of the stream) or when nothing arrives `within`: for a client that
    /// reconnects instead of failing.
    pub async fn next_json_or_end(&mut self, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_message(left).await {
                Ok(Some(Message::Text(text))) => {
                    let text = text.as_str().to_owned();
                    let value = serde_json::from_str(&text).unwrap_or_else(|e| {
                        panic!(
                            "{}: a text message that is not JSON ({e}): {text}",
                            self.path
                        )
                    });
                    self.transcript.push(text);
                    return Some(value);
                }
                Ok(Some(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                Ok(Some(Message::Binary(b))) => panic!("{}: a binary message: {b:?}", self.path),
                Ok(Some(Message::Close(_)) | None) | Err(()) => return None,
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
            reason: None,
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
                    ending.reason = frame.as_ref().map(|f| f.reason.as_str().to_owned());
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
