//! The WebSocket feeds (docs/feed.md): one session's feed for every role, and the operators'
//! feed of all sessions. A connection subscribes to the fan-out first, then sends its snapshot
//! and whatever the log holds after `since`, then live events — dropping anything it already
//! sent, by seq (or by global id on the operators' feed) — so a resume has no gap and no
//! duplicate even while events commit during the switch. Payloads are cut to the connection's
//! audience by [`encode`], once per (audience, locale, currency) and shared.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRef, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use silkstream_catalog::auth::{Authorized, Principal, Role};
use silkstream_catalog::db::{now_ms, rfc3339};
use silkstream_catalog::error::ErrorBody;
use silkstream_catalog::extract::{ApiPath, ApiQuery};
use silkstream_catalog::localize::View;
use silkstream_catalog::store::RateTable;
use tokio::sync::watch;
use tokio::task::JoinSet;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::error::{Error, Result};
use crate::domain::events::Audience;
use crate::domain::events::{Part, TotalsView};
use crate::domain::model::NewOrder;
use crate::domain::tokens::TokenEnd;
use crate::edge::limit::TokenBucket;
use crate::edge::Feed;
use crate::store::cache::Cached;
use crate::tasks::fanout::{self, AllFilter, Closed, Frame, LoggedEvent, Subscription, ViewKey};
use crate::tasks::slots::Slot;

/// Close codes.
const CLOSE_TOO_BIG: u16 = 1009;
/// A text frame that is not UTF-8 (RFC 6455 §7.4.1, invalid frame payload data).
const CLOSE_INVALID_DATA: u16 = 1007;
const CLOSE_RESTART: u16 = 1012;
const CLOSE_TRY_AGAIN: u16 = 1013;
const CLOSE_NORMAL: u16 = 1000;
const CLOSE_ERROR: u16 = 1011;
/// The token was revoked, has expired or is gone (like HTTP's 401; 4000–4999 are the
/// application's).
const CLOSE_TOKEN_ENDED: u16 = 4401;

/// Events read from the log per query while catching up.
const BACKLOG_PAGE: i64 = 500;

/// The WebSocket layer's read buffer per connection (tungstenite's default is 128 KiB, which
/// every idle viewer would hold): clients send pings and small order messages. A larger message
/// (up to `feed_max_message_bytes`) grows it for as long as it is read.
pub const READ_BUFFER_BYTES: usize = 1024;
/// Frames written are gathered up to this many bytes before they go to the socket; a batch is
/// flushed whole at its end (docs/feed.md, "Connection care").
pub const WRITE_BUFFER_BYTES: usize = 4096;
/// The most the write buffer may hold, beyond one batch: a bound for a client whose socket does
/// not drain, far above any one message (a snapshot of a large showcase included).
pub const MAX_WRITE_BUFFER_BYTES: usize = 64 * 1024 * 1024;

/// The feed routes; mounted by the server next to the rest of the feed.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Feed: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(session_feed))
        .routes(routes!(all_feed))
}

/// Query of `GET /api/v1/sessions/{id}/feed`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionFeedQuery {
    /// Resume after this seq: the log's events after it come first, then live ones.
    pub since: Option<i64>,
    /// Locale of buyer-facing lines (default: the buyer's, else `Accept-Language`, else en).
    pub locale: Option<String>,
    /// Currency prices are formatted in (default: the locale's).
    pub currency: Option<String>,
    /// The bearer token, for browsers that cannot set headers on a WebSocket.
    pub token: Option<String>,
}

/// Query of `GET /api/v1/feed`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AllFeedQuery {
    /// Resume after this global event id.
    pub since_id: Option<i64>,
    /// Only sessions selling to this market (country code).
    pub market: Option<String>,
    /// Only sessions of this host (the host's token id).
    pub host: Option<i64>,
    pub locale: Option<String>,
    pub currency: Option<String>,
    /// The bearer token, for browsers.
    pub token: Option<String>,
}

fn since_ok(field: &str, v: Option<i64>) -> Result<Option<i64>> {
    match v {
        Some(n) if n < 0 => Err(Error::invalid(field, "must be 0 or more")),
        other => Ok(other),
    }
}

/// The view key of a connection: its audience and the locale and currency it reads in.
async fn view_key(
    feed: &Feed,
    principal: &Principal,
    audience: Audience,
    headers: &HeaderMap,
    locale: Option<&str>,
    currency: Option<&str>,
) -> Result<ViewKey> {
    let mut explicit = locale.map(str::to_owned);
    if explicit.is_none() && principal.role == Role::Buyer {
        if let Some(b) = feed.store.buyer(principal.token_id).await? {
            explicit = Some(b.locale);
        }
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let view = View::negotiate(explicit.as_deref(), accept, currency)?;
    Ok(ViewKey {
        audience,
        locale: view.locale,
        currency: view.currency.code(),
    })
}

type Upgrade =
    std::result::Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>;

/// Checks the upgrade and takes one of the token's connection slots (429 when none is left);
/// the upgrade gets the message size limit.
async fn open(feed: &Feed, principal: &Principal, ws: Upgrade) -> Result<(WebSocketUpgrade, Slot)> {
    let ws =
        ws.map_err(|r| Error::invalid("upgrade", format!("a WebSocket upgrade is required: {r}")))?;
    let max = feed.config.ws.max_connections_per_token;
    let slot = feed
        .ws_slots
        .take_clustered(principal.token_id, max)
        .await
        .ok_or_else(|| {
            Error::RateLimited(format!("at most {max} open feed connections per token"))
        })?;
    let size = feed.config.ws.max_message_bytes;
    let ws = ws
        .max_message_size(size)
        .max_frame_size(size)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES);
    Ok((ws, slot))
}

/// One session's feed (WebSocket). Every role may watch; the payloads are cut to the role.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/feed", tag = "feeds",
    params(("id" = i64, Path, description = "session id"), SessionFeedQuery),
    responses((status = 101, description = "switching to the WebSocket feed (docs/feed.md)"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
async fn session_feed(
    State(feed): State<Feed>,
    principal: Principal,
    headers: HeaderMap,
    ApiPath(session_id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SessionFeedQuery>,
    ws: Upgrade,
) -> Result<Response> {
    let since = since_ok("since", q.since)?;
    let session = feed.store.session_row(session_id).await?;
    if let Some(given) = since.filter(|s| *s > session.next_seq) {
        return Err(Error::SinceAhead {
            field: "since",
            given,
            last: session.next_seq,
        });
    }
    let audience = Audience::of(&principal, session.host_token_id);
    // The host's console speaks the session's language unless it asks for another.
    let locale = match (&q.locale, audience) {
        (Some(l), _) => Some(l.clone()),
        (None, Audience::Host) => Some(session.language.clone()),
        (None, _) => None,
    };
    let key = view_key(
        &feed,
        &principal,
        audience,
        &headers,
        locale.as_deref(),
        q.currency.as_deref(),
    )
    .await?;
    let (ws, slot) = open(&feed, &principal, ws).await?;
    Ok(ws.on_upgrade(move |socket| async move {
        let conn = Connection::new(feed, principal, key, socket, slot);
        conn.run_session(session_id, since).await;
    }))
}

/// The operators' feed of every session (WebSocket), filterable by market and host.
#[utoipa::path(get, path = "/api/v1/feed", tag = "feeds", params(AllFeedQuery),
    responses((status = 101, description = "switching to the WebSocket feed (docs/feed.md)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
async fn all_feed(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<crate::edge::routes::Fulfilment>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<AllFeedQuery>,
    ws: Upgrade,
) -> Result<Response> {
    let since_id = since_ok("since_id", q.since_id)?;
    if let Some(given) = since_id {
        let last = feed.store.last_event_id().await?;
        if given > last {
            return Err(Error::SinceAhead {
                field: "since_id",
                given,
                last,
            });
        }
    }
    let market = q
        .market
        .as_deref()
        .map(|m| silkstream_catalog::codes::CountryCode::parse("market", m))
        .transpose()?
        .map(|c| c.as_str().to_owned());
    if q.host.is_some_and(|h| h < 1) {
        return Err(Error::invalid("host", "a host's token id is 1 or more"));
    }
    let key = view_key(
        &feed,
        &principal,
        Audience::Operator,
        &headers,
        q.locale.as_deref(),
        q.currency.as_deref(),
    )
    .await?;
    let (ws, slot) = open(&feed, &principal, ws).await?;
    let filter = AllFilter {
        market,
        host_token_id: q.host,
    };
    Ok(ws.on_upgrade(move |socket| async move {
        let conn = Connection::new(feed, principal, key, socket, slot);
        conn.run_all(filter, since_id).await;
    }))
}

/// What the live loop does next.
enum Step {
    /// Nothing for the caller (a client message or a heartbeat was handled).
    Continue,
    /// Every frame that was queued, in order.
    Frames(VecDeque<Frame>),
    End(End),
}

/// True when a receive failed because the client's message is over the size limit
/// (tungstenite's capacity error: "Space limit exceeded: Message too long").
/// A text message that is not UTF-8 (tungstenite's `Utf8` error).
fn is_invalid_utf8(e: &axum::Error) -> bool {
    e.to_string().contains("UTF-8")
}

fn is_too_big(e: &axum::Error) -> bool {
    let text = e.to_string();
    text.contains("too long") || text.contains("Space limit") || text.contains("apacity")
}

/// The chat messages a session's snapshot carries (the newest).
const RECENT_CHAT: i64 = 50;

/// Why a connection loop ended.
enum End {
    /// The client closed or the socket failed: nothing more to send.
    Gone,
    /// Close with this code and reason.
    Close(u16, &'static str),
    /// The queue overflowed: send resync, then close.
    Overflow,
}

/// A message from the client.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    Order(Box<WsOrder>),
    Chat(Box<crate::domain::chat::NewChatMessage>),
    Ping,
}

/// `{"type": "order", …}`: the HTTP order body plus `client_order_id` (the idempotency key).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WsOrder {
    client_order_id: String,
    variant_id: i64,
    quantity: i64,
    currency: String,
    ship_to: crate::domain::model::ShipTo,
    #[serde(default)]
    identity: Option<crate::domain::model::Identity>,
}

struct Connection {
    feed: Feed,
    principal: Principal,
    key: ViewKey,
    /// One task reads and writes the socket: it waits on the client, the queue, the answers
    /// and the clocks at once, so a connection costs one task and no split halves.
    socket: WebSocket,
    slot: Slot,
    /// The orders placed on this socket and not yet answered, each a task of this connection
    /// (joined: their answers are written back in the loop, and the connection waits for them
    /// before it ends); made with the first order (most viewers never order, and an idle
    /// connection holds no set).
    in_flight: Option<JoinSet<String>>,
    orders: TokenBucket,
    last_heard: Instant,
    heartbeat: tokio::time::Interval,
    closing: watch::Receiver<bool>,
    /// The session of a session feed (orders are placed in it).
    session: Option<i64>,
}

impl Connection {
    fn new(feed: Feed, principal: Principal, key: ViewKey, socket: WebSocket, slot: Slot) -> Self {
        let orders = TokenBucket::new(feed.config.ws.orders_per_second);
        let closing = feed.closing.subscribe();
        let mut heartbeat = tokio::time::interval_at(
            tokio::time::Instant::now() + feed.config.ws.ping_interval,
            feed.config.ws.ping_interval,
        );
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self {
            heartbeat,
            session: None,
            feed,
            principal,
            key,
            socket,
            slot,
            in_flight: None,
            orders,
            last_heard: Instant::now(),
            closing,
        }
    }

    /// Sends one text frame, giving up on a client that does not take it in time.
    async fn send(&mut self, text: Utf8Bytes) -> bool {
        let timeout = self.feed.config.ws.idle_timeout;
        matches!(
            tokio::time::timeout(timeout, self.socket.send(Message::Text(text))).await,
            Ok(Ok(()))
        )
    }

    /// Writes several text frames and flushes once (one write to the socket for a batch that
    /// fits the write buffer), giving up on a client that does not take them in time.
    async fn send_all(&mut self, texts: Vec<Utf8Bytes>) -> bool {
        if texts.is_empty() {
            return true;
        }
        let timeout = self.feed.config.ws.idle_timeout;
        let socket = &mut self.socket;
        let write = async move {
            for text in texts {
                socket.feed(Message::Text(text)).await?;
            }
            socket.flush().await
        };
        matches!(tokio::time::timeout(timeout, write).await, Ok(Ok(())))
    }

    async fn send_json(&mut self, value: &Value) -> bool {
        self.send(Utf8Bytes::from(value.to_string())).await
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        // While the server shuts down, the pools close under connections that are still
        // reading the log: that failure is the restart, and the client must hear 1012 (reconnect
        // with since), not 1011.
        let (code, reason) = if code == CLOSE_ERROR && *self.closing.borrow() {
            (CLOSE_RESTART, "server restarting; reconnect with since")
        } else {
            (code, reason)
        };
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        let sent = tokio::time::timeout(
            self.feed.config.ws.idle_timeout,
            self.socket.send(Message::Close(Some(frame))),
        )
        .await;
        if !matches!(sent, Ok(Ok(()))) {
            return;
        }
        // Finish the closing handshake: read (and drop) what the client still sends until its
        // Close. Dropping a socket with unread data in it makes the kernel reset the connection,
        // and the client would lose the tail of what we sent (a resync, the Close itself).
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(Ok(message)) = self.socket.next().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }

    /// The encoded text of an event for this connection (catching up: not shared).
    fn encode(&self, e: &LoggedEvent) -> Utf8Bytes {
        Utf8Bytes::from(encode(&self.feed.encoding, e, &self.key))
    }

    async fn run_session(mut self, session_id: i64, since: Option<i64>) {
        self.feed.fanout.ready().await;
        let capacity = self.feed.config.ws.queue_capacity;
        let mut sub = self
            .feed
            .fanout
            .subscribe_session(session_id, self.key.clone(), capacity);
        let Ok(snapshot) = Box::pin(self.session_snapshot(session_id)).await else {
            self.close(CLOSE_ERROR, "snapshot failed").await;
            return;
        };
        let current = snapshot["seq"].as_i64().unwrap_or(0);
        let sent = self.send_json(&snapshot).await;
        // Not kept for the connection's life (a binding lives to the end of its scope).
        drop(snapshot);
        if !sent {
            return;
        }
        let mut last = since.unwrap_or(current);
        // Catch up from the log.
        loop {
            let Ok(batch) = Box::pin(self.feed.store.session_log_after(
                session_id,
                last,
                BACKLOG_PAGE,
            ))
            .await
            else {
                self.close(CLOSE_ERROR, "log read failed").await;
                return;
            };
            let Some(end) = batch.last().map(|e| e.seq) else {
                break;
            };
            for e in &batch {
                let text = self.encode(e);
                if !self.send(text).await {
                    return;
                }
            }
            last = end;
        }
        let end = 'live: loop {
            let frames = match self.next(&mut sub).await {
                Step::Continue => continue,
                Step::End(end) => break end,
                Step::Frames(frames) => frames,
            };
            // What this batch writes, in order; `last` moves as each event is taken in.
            let mut out = Vec::with_capacity(frames.len());
            for frame in frames {
                // Each frame's logged events, one by one (a batch that follows what was sent
                // goes out whole).
                let (one, many) = match frame {
                    Frame::Tick(text) => {
                        out.push(text);
                        continue;
                    }
                    Frame::Event { seq, text, .. } => (Some((seq, text)), None),
                    Frame::Batch { text, events } => {
                        let (Some(first), Some(end)) = (events.first(), events.last()) else {
                            continue;
                        };
                        if first.seq == last + 1 {
                            out.push(text);
                            last = end.seq;
                            continue;
                        }
                        (None, Some(events))
                    }
                };
                let count = many
                    .as_ref()
                    .map_or(usize::from(one.is_some()), |m| m.len());
                for i in 0..count {
                    let item = match (&one, &many) {
                        (Some((seq, text)), _) => Some((*seq, text.clone())),
                        (None, Some(m)) => m.get(i).map(|e| (e.seq, e.text.clone())),
                        (None, None) => None,
                    };
                    let Some((seq, text)) = item else {
                        continue;
                    };
                    if seq <= last {
                        continue;
                    }
                    if seq > last + 1 {
                        // Not expected (the tailer reads in commit order), but the log
                        // settles it: send what lies between.
                        let Ok(gap) = Box::pin(self.feed.store.session_log_after(
                            session_id,
                            last,
                            seq - last - 1,
                        ))
                        .await
                        else {
                            break 'live End::Close(CLOSE_ERROR, "log read failed");
                        };
                        for e in gap.iter().filter(|e| e.seq < seq) {
                            out.push(self.encode(e));
                        }
                    }
                    out.push(text);
                    last = seq;
                }
            }
            if !self.send_all(out).await {
                break End::Gone;
            }
        };
        self.settle_orders(!matches!(end, End::Gone)).await;
        self.finish(end, json!({"type": "resync", "since": last}))
            .await;
    }

    async fn run_all(mut self, filter: AllFilter, since_id: Option<i64>) {
        self.feed.fanout.ready().await;
        let capacity = self.feed.config.ws.queue_capacity;
        let mut sub = self
            .feed
            .fanout
            .subscribe_all(filter.clone(), self.key.clone(), capacity);
        let Ok(current) = Box::pin(self.feed.store.last_event_id()).await else {
            self.close(CLOSE_ERROR, "log read failed").await;
            return;
        };
        let Ok(sessions) = Box::pin(self.live_sessions(&filter)).await else {
            self.close(CLOSE_ERROR, "snapshot failed").await;
            return;
        };
        let snapshot = json!({
            "type": "snapshot",
            "id": current,
            "server_time": rfc3339(now_ms()),
            "sessions": sessions,
        });
        let sent = self.send_json(&snapshot).await;
        // Not kept for the connection's life (a binding lives to the end of its scope).
        drop(snapshot);
        if !sent {
            return;
        }
        let mut last = since_id.unwrap_or(current);
        loop {
            let Ok(batch) = Box::pin(self.feed.store.log_after(last, BACKLOG_PAGE)).await else {
                self.close(CLOSE_ERROR, "log read failed").await;
                return;
            };
            let Some(end) = batch.last().map(|e| e.id) else {
                break;
            };
            for e in batch.iter().filter(|e| filter.matches(e)) {
                let text = self.encode(e);
                if !self.send(text).await {
                    return;
                }
            }
            last = end;
        }
        let end = loop {
            let frames = match self.next(&mut sub).await {
                Step::Continue => continue,
                Step::End(end) => break end,
                Step::Frames(frames) => frames,
            };
            let mut out = Vec::with_capacity(frames.len());
            for frame in frames {
                if let Frame::Event { id, text, .. } = frame {
                    if id > last {
                        out.push(text);
                        last = id;
                    }
                }
            }
            if !self.send_all(out).await {
                break End::Gone;
            }
        };
        self.finish(end, json!({"type": "resync", "since_id": last}))
            .await;
    }

    /// Waits for the next thing to do: a queued frame (handed back), or a client message, an
    /// order's answer, a heartbeat or the shutdown (handled here).
    async fn next(&mut self, sub: &mut Subscription) -> Step {
        tokio::select! {
            frames = sub.queue.take() => match frames {
                Ok(frames) => Step::Frames(frames),
                Err(Closed::Overflow) => Step::End(End::Overflow),
                Err(Closed::Stopped) => Step::End(End::Close(CLOSE_RESTART, "feed stopped")),
            },
            message = self.socket.next() => {
                self.last_heard = Instant::now();
                match message {
                    Some(Ok(Message::Text(text))) => match Box::pin(self.on_text(text.as_str())).await {
                        Ok(()) => Step::Continue,
                        Err(end) => Step::End(end),
                    },
                    Some(Ok(Message::Binary(_))) => {
                        let e = error_message("invalid", "send JSON text messages");
                        match Box::pin(self.reply(&e)).await {
                            Ok(()) => Step::Continue,
                            Err(end) => Step::End(end),
                        }
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Step::Continue,
                    Some(Ok(Message::Close(_))) => {
                        // The WebSocket layer queued the echo of the client's Close when it read
                        // it; it is only written on the next write or flush, so flush it now:
                        // without it the client sees the connection reset (1006).
                        let timeout = self.feed.config.ws.idle_timeout;
                        let _ = tokio::time::timeout(timeout, self.socket.close()).await;
                        Step::End(End::Gone)
                    }
                    None => Step::End(End::Gone),
                    Some(Err(e)) => Step::End(if is_too_big(&e) {
                        End::Close(CLOSE_TOO_BIG, "message too big")
                    } else if is_invalid_utf8(&e) {
                        End::Close(CLOSE_INVALID_DATA, "text frame is not UTF-8")
                    } else {
                        End::Gone
                    }),
                }
            },
            Some(answer) = answer(&mut self.in_flight) => {
                if self.send(Utf8Bytes::from(answer)).await {
                    Step::Continue
                } else {
                    Step::End(End::Gone)
                }
            },
            _ = self.heartbeat.tick() => {
                if self.last_heard.elapsed() > self.feed.config.ws.idle_timeout {
                    return Step::End(End::Close(CLOSE_NORMAL, "idle timeout"));
                }
                let ping = tokio::time::timeout(
                    self.feed.config.ws.idle_timeout,
                    self.socket.send(Message::Ping(Default::default())),
                )
                .await;
                if matches!(ping, Ok(Ok(()))) {
                    Step::Continue
                } else {
                    Step::End(End::Gone)
                }
            },
            Ok(()) = self.slot.ended.changed() => {
                let why = *self.slot.ended.borrow_and_update();
                match why {
                    Some(why) => Step::End(End::Close(CLOSE_TOKEN_ENDED, why.reason())),
                    None => Step::Continue,
                }
            },
            _ = self.closing.changed() => {
                Step::End(End::Close(CLOSE_RESTART, "server restarting; reconnect with since"))
            },
        }
    }

    async fn finish(&mut self, end: End, resync: Value) {
        match end {
            End::Gone => {}
            End::Close(code, reason) => self.close(code, reason).await,
            End::Overflow => {
                if self.send_json(&resync).await {
                    self.close(CLOSE_TRY_AGAIN, "fell behind; resume with since")
                        .await;
                }
            }
        }
    }

    /// Handles one text message from the client.
    async fn on_text(&mut self, text: &str) -> std::result::Result<(), End> {
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let m = error_message("malformed_json", &format!("not JSON: {e}"));
                return self.reply(&m).await;
            }
        };
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        if !matches!(kind.as_str(), "order" | "chat" | "ping") {
            let m = error_message(
                "unknown_type",
                &format!("unknown message type '{kind}'; expected order, chat or ping"),
            );
            return self.reply(&m).await;
        }
        let key_field = if kind == "chat" {
            "client_message_id"
        } else {
            "client_order_id"
        };
        let client_key = value
            .get(key_field)
            .and_then(Value::as_str)
            .map(str::to_owned);
        match serde_json::from_value::<ClientMessage>(value) {
            Ok(ClientMessage::Ping) => {
                let pong = json!({"type": "pong", "server_time": rfc3339(now_ms())});
                self.reply(&pong).await
            }
            Ok(ClientMessage::Order(order)) => self.order(*order).await,
            Ok(ClientMessage::Chat(message)) => self.chat(*message).await,
            Err(e) => {
                let error = json!({"code": "invalid", "message": e.to_string()});
                let m = match client_key {
                    Some(id) if kind == "order" => {
                        json!({"type": "order_result", "client_order_id": id, "error": error})
                    }
                    Some(id) if kind == "chat" => {
                        json!({"type": "chat_result", "client_message_id": id, "error": error})
                    }
                    _ => json!({"type": "error", "error": error}),
                };
                self.reply(&m).await
            }
        }
    }

    async fn reply(&mut self, value: &Value) -> std::result::Result<(), End> {
        if self.send_json(value).await {
            Ok(())
        } else {
            Err(End::Gone)
        }
    }

    /// Places an order off the loop (the desk answers after its commit) as a task of this
    /// connection; a refusal decided here is written at once (never dropped: the client gets
    /// it, or the connection ends).
    async fn order(&mut self, order: WsOrder) -> std::result::Result<(), End> {
        let id = order.client_order_id.clone();
        let refusal = |code: &str, message: &str| {
            json!({"type": "order_result", "client_order_id": id,
                   "error": {"code": code, "message": message}})
        };
        if let Some((code, message)) = self.refusal().await {
            return self.reply(&refusal(code, &message)).await;
        }
        if self.principal.role != Role::Buyer {
            return self
                .reply(&refusal("forbidden", "only buyers place orders"))
                .await;
        }
        if !self.orders.take() {
            let message = format!(
                "at most {} orders per second on one connection",
                self.feed.config.ws.orders_per_second
            );
            return self.reply(&refusal("rate_limited", &message)).await;
        }
        let key = match crate::edge::intake::check_key("client_order_id", &order.client_order_id) {
            Ok(k) => k,
            Err(e) => return self.reply(&refusal(e.code(), &e.to_string())).await,
        };
        let Some(session_id) = self.session_id() else {
            return self
                .reply(&refusal("invalid", "orders are placed on a session's feed"))
                .await;
        };
        let feed = self.feed.clone();
        let principal = self.principal.clone();
        self.in_flight
            .get_or_insert_with(JoinSet::new)
            .spawn(async move {
                let body = NewOrder {
                    variant_id: order.variant_id,
                    quantity: order.quantity,
                    currency: order.currency,
                    ship_to: order.ship_to,
                    identity: order.identity,
                };
                let result =
                    crate::edge::intake::place(&feed, &principal, session_id, key, body).await;
                match result {
                    Ok(placed) => {
                        let mut out = serde_json::Map::new();
                        out.insert("type".into(), json!("order_result"));
                        out.insert("client_order_id".into(), json!(id));
                        if let Ok(Value::Object(body)) = serde_json::to_value(&placed) {
                            out.extend(body);
                        }
                        Value::Object(out).to_string()
                    }
                    Err(e) => {
                        let mut error = json!({"code": e.code(), "message": e.to_string()});
                        if let Error::Refused {
                            localized: Some(l), ..
                        } = &e
                        {
                            error["localized"] = json!(l);
                        }
                        json!({"type": "order_result", "client_order_id": id, "error": error})
                            .to_string()
                    }
                }
            });
        Ok(())
    }

    /// Why this connection may not act now: the instance is shutting down, or its token was
    /// revoked, has expired or is gone. Checked for each order and chat message as an HTTP
    /// request's token is, from the same cache (refreshed from the database every
    /// `token_check_interval`, and forgotten at once on a revocation, here or, through Redis,
    /// on another instance).
    async fn refusal(&mut self) -> Option<(&'static str, String)> {
        if *self.closing.borrow() {
            let e = Error::ShuttingDown;
            return Some((e.code(), e.to_string()));
        }
        let ended = *self.slot.ended.borrow();
        if let Some(why) = ended {
            return Some(("unauthorized", why.reason().to_owned()));
        }
        let now = now_ms();
        match self
            .feed
            .store
            .caches()
            .tokens
            .get_by_id(self.principal.token_id, now)
        {
            Cached::Valid(_) => None,
            Cached::Expired => {
                self.feed
                    .ws_slots
                    .end(self.principal.token_id, TokenEnd::Expired);
                Some(("unauthorized", TokenEnd::Expired.reason().to_owned()))
            }
            Cached::Unknown => {
                match Box::pin(self.feed.tokens.ended_tokens(&[self.principal.token_id])).await {
                    Ok(ended) if ended.is_empty() => None,
                    Ok(ended) => {
                        let why = ended.first().map_or(TokenEnd::Gone, |e| e.1);
                        self.feed.ws_slots.end(self.principal.token_id, why);
                        Some(("unauthorized", why.reason().to_owned()))
                    }
                    Err(e) => Some((e.code(), e.to_string())),
                }
            }
        }
    }

    /// Posts a chat message off the loop, as a task of this connection, through the HTTP
    /// route's path (`crate::edge::chat::post`); the answer is `chat_result`.
    async fn chat(
        &mut self,
        message: crate::domain::chat::NewChatMessage,
    ) -> std::result::Result<(), End> {
        let id = message.client_message_id.clone();
        let refusal = |code: &str, text: &str| {
            json!({"type": "chat_result", "client_message_id": id,
                   "error": {"code": code, "message": text}})
        };
        if let Some((code, text)) = self.refusal().await {
            return self.reply(&refusal(code, &text)).await;
        }
        // The connection's one budget of work it asks for (orders and messages alike), before
        // the room's own limits in the database.
        if !self.orders.take() {
            let text = format!(
                "at most {} orders and chat messages per second on one connection",
                self.feed.config.ws.orders_per_second
            );
            return self.reply(&refusal("rate_limited", &text)).await;
        }
        let Some(session_id) = self.session_id() else {
            return self
                .reply(&refusal(
                    "invalid",
                    "chat messages are written on a session's feed",
                ))
                .await;
        };
        let feed = self.feed.clone();
        let principal = self.principal.clone();
        self.in_flight
            .get_or_insert_with(JoinSet::new)
            .spawn(async move {
                match crate::edge::chat::post(&feed, &principal, session_id, message).await {
                    Ok(outcome) => {
                        let replay = outcome.posted.replay;
                        let mut out = json!({"type": "chat_result", "client_message_id": id,
                                             "replay": replay});
                        if let (Some(o), Ok(Value::Object(answer))) =
                            (out.as_object_mut(), serde_json::to_value(outcome.answer()))
                        {
                            o.extend(answer);
                        }
                        out.to_string()
                    }
                    Err(e) => json!({"type": "chat_result", "client_message_id": id,
                                     "error": e.envelope()})
                    .to_string(),
                }
            });
        Ok(())
    }

    /// Waits for the orders still in flight when the connection ends (bounded by the idle
    /// timeout), writing their answers while the socket is open (`send`), so that no order
    /// task outlives its connection.
    async fn settle_orders(&mut self, send: bool) {
        let Some(mut in_flight) = self.in_flight.take() else {
            return;
        };
        let within = self.feed.config.ws.idle_timeout;
        let settled = tokio::time::timeout(within, async {
            while let Some(done) = in_flight.join_next().await {
                match done {
                    Ok(text) if send => {
                        if !self.send(Utf8Bytes::from(text)).await {
                            return false;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "a feed order task failed"),
                }
            }
            true
        })
        .await;
        if settled.is_err() {
            tracing::warn!("feed orders still in flight at the connection's end were abandoned");
            in_flight.shutdown().await;
        }
    }

    fn session_id(&self) -> Option<i64> {
        self.session
    }

    async fn session_snapshot(&mut self, session_id: i64) -> Result<Value> {
        self.session = Some(session_id);
        let session = self.feed.store.session(session_id).await?;
        let sale = session.sale.as_ref().or(session.sales.last()).map(|s| {
            json!({"id": s.id, "state": s.state, "phase": s.phase, "allocated": s.allocated,
                   "sold": s.sold, "left": s.remaining, "per_buyer_limit": s.per_buyer_limit,
                   "prices": s.prices, "starts_at": s.starts_at, "ends_at": s.ends_at,
                   "variant_id": s.variant_id, "product_id": s.product_id})
        });
        let seq = session.last_seq;
        let session = session.project(self.key.audience);
        let mut session_json = serde_json::to_value(&session).map_err(Error::internal)?;
        // The public snapshot has no `summary` key at all (HTTP answers null).
        if self.key.audience == Audience::Public {
            if let Some(obj) = session_json.as_object_mut() {
                obj.remove("summary");
            }
        }
        // The chat so far: its last messages as this connection would have heard them, and
        // slow mode (docs/live-room.md).
        let recent = self
            .feed
            .store
            .recent_chat(session_id, seq, RECENT_CHAT)
            .await?;
        let recent: Vec<Value> = recent
            .iter()
            .filter_map(|e| serde_json::from_str(&encode(&self.feed.encoding, e, &self.key)).ok())
            .collect();
        let slow_mode_s = self.feed.store.slow_mode(session_id).await?;
        let own = self.feed.store.keywords(session_id).await?;
        let keywords = crate::store::chat::keywords_in_force(own.as_deref());
        Ok(json!({
            "type": "snapshot",
            "seq": seq,
            "server_time": rfc3339(now_ms()),
            "viewers": self.feed.viewers(session_id),
            "session": session_json,
            "sale": sale,
            "chat": {"slow_mode_s": slow_mode_s, "keywords": keywords, "recent": recent},
        }))
    }

    async fn live_sessions(&mut self, filter: &AllFilter) -> Result<Vec<Value>> {
        let rows = self.feed.store.live_sessions().await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, title, state, host, markets)| {
                let keep = filter.market.as_ref().is_none_or(|m| markets.contains(m))
                    && filter.host_token_id.is_none_or(|h| h == host);
                keep.then(|| {
                    json!({"id": id, "title": title, "state": state, "host": host,
                           "markets": markets})
                })
            })
            .collect())
    }
}

/// What [`encode`] needs: the message bundles and today's rates.
pub struct Encoding {
    pub l10n: Arc<silkstream_l10n::L10n>,
    pub rates: Arc<std::sync::RwLock<RateTable>>,
}

/// Every `every`, each session watched on this instance gets a tick (viewers, the sale's
/// countdown and units left), and its peak viewers are kept; the rates are refreshed each
/// minute. With Redis, this instance's viewers are reported and the tick carries the
/// cluster's. Runs until `alive`'s sender is dropped.
pub async fn run_ticker(
    store: crate::store::FeedStore,
    fanout: fanout::Fanout,
    cluster: crate::tasks::cluster::Cluster,
    rates: Arc<std::sync::RwLock<RateTable>>,
    every: Duration,
    alive: watch::Receiver<()>,
) {
    let mut clock = crate::tasks::Every::new(every.max(Duration::from_millis(50)), alive);
    let mut peaks: HashMap<i64, usize> = HashMap::new();
    let mut rates_at: Option<Instant> = None;
    while clock.next().await {
        if rates_at.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
            if let Ok(table) = store
                .catalog()
                .rate_table(silkstream_catalog::store::today())
                .await
            {
                if let Ok(mut r) = rates.write() {
                    *r = table;
                }
                rates_at = Some(Instant::now());
            }
        }
        let watched = fanout.watched_sessions();
        let cluster_viewers = cluster.report_viewers(&watched).await;
        peaks.retain(|id, _| watched.iter().any(|(w, _)| w == id));
        if watched.is_empty() {
            continue;
        }
        // The open sales of every watched session in one query.
        let ids: Vec<i64> = watched.iter().map(|(id, _)| *id).collect();
        let open = store.open_sales_of(&ids).await;
        let open = match open {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "ticker: cannot read the open sales");
                Vec::new()
            }
        };
        let latest: HashMap<i64, (i64, String, i64, i64, i64)> = open
            .into_iter()
            .map(|(session, id, state, left, starts, ends)| {
                (session, (id, state, left, starts, ends))
            })
            .collect();
        let now = now_ms();
        for (session_id, local) in watched {
            let viewers = cluster_viewers
                .as_ref()
                .and_then(|c| c.get(&session_id).copied())
                .unwrap_or(local);
            let sale = latest
                .get(&session_id)
                .map(|(id, state, left, starts_at, ends_at)| {
                    json!({"id": id, "state": state, "left": left,
                       "starts_in_ms": (starts_at - now).max(0),
                       "ends_in_ms": (ends_at - now).max(0)})
                });
            let text = json!({"type": "tick", "server_time": rfc3339(now), "viewers": viewers,
                              "sale": sale});
            fanout.tick(session_id, &text.to_string());
            let peak = peaks.entry(session_id).or_insert(0);
            if viewers > *peak {
                *peak = viewers;
                let v = i64::try_from(viewers).unwrap_or(i64::MAX);
                if let Err(e) = store.raise_peak_viewers(session_id, v).await {
                    tracing::warn!(error = %e, session_id, "ticker: cannot store peak viewers");
                }
            }
        }
    }
}

/// The next answer of an order placed on the socket; pending while none is in flight.
async fn answer(in_flight: &mut Option<JoinSet<String>>) -> Option<String> {
    match in_flight {
        Some(set) if !set.is_empty() => match set.join_next().await? {
            Ok(text) => Some(text),
            Err(e) => {
                tracing::error!(error = %e, "a feed order task failed");
                None
            }
        },
        _ => std::future::pending().await,
    }
}

fn error_message(code: &str, message: &str) -> Value {
    json!({"type": "error", "error": {"code": code, "message": message}})
}

/// The text of a logged event for one audience (docs/feed.md): buyers get masked order lines
/// in their locale and no order ids, names or prices of others; the session's host and
/// operators get everything, with running totals and GMV in CNY. What each audience gets of each
/// kind is [`Event::project`]; an event that does not parse (a corrupt row, or a kind of a newer
/// build) goes to operators as logged and to everyone else without its payload.
pub fn encode(feed: &Encoding, e: &LoggedEvent, key: &ViewKey) -> String {
    let mut out = Map::new();
    out.insert("type".into(), Value::from(e.kind.as_str()));
    out.insert("seq".into(), Value::from(e.seq));
    out.insert("id".into(), Value::from(e.id));
    out.insert("session_id".into(), Value::from(e.session_id));
    out.insert("at".into(), Value::from(rfc3339(e.created_at)));
    let Some(event) = &e.event else {
        // A row that does not parse (warned when read): operators get it raw, others the header.
        if key.audience == Audience::Operator {
            if let Some(obj) = e.payload.as_object() {
                out.extend(obj.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        return Value::Object(out).to_string();
    };
    for part in event.project(key.audience).parts {
        match part {
            Part::Fields(fields) => out.extend(fields),
            Part::Line {
                masked,
                city,
                quantity,
            } => {
                let quantity = u32::try_from(quantity).unwrap_or(0);
                let line = feed
                    .l10n
                    .buyer_feed_line(key.locale, masked, city, quantity);
                out.insert("line".into(), Value::from(line.text));
            }
            Part::Price {
                currency,
                total_minor,
            } => {
                if let Ok(price) = silkstream_l10n::format_money(
                    key.locale,
                    currency,
                    total_minor,
                    &silkstream_l10n::MoneyOptions::default(),
                ) {
                    out.insert("price".into(), Value::from(price));
                }
            }
            Part::Totals(totals) => {
                out.insert("totals".into(), totals_value(feed, totals));
            }
        }
    }
    Value::Object(out).to_string()
}

/// The running totals with GMV converted to CNY (and the currencies without a rate, if any).
fn totals_value(feed: &Encoding, totals: &TotalsView) -> Value {
    let mut out = Map::new();
    out.insert("orders".into(), Value::from(totals.orders));
    out.insert("units".into(), Value::from(totals.units));
    let gmv: Map<String, Value> = totals
        .gmv
        .iter()
        .map(|(c, a)| (c.clone(), Value::from(*a)))
        .collect();
    out.insert("gmv".into(), Value::Object(gmv));
    // The sum of the orders' stored CNY values, written with the totals: the same figure as the
    // summary's at every moment. Only events logged before orders carried their rate fall back
    // to the rate table the ticker keeps.
    let (cny, missing) = match totals.gmv_cny_fen {
        Some(fen) => (
            silkstream_catalog::store::cny_text(i128::from(fen)),
            totals.missing_rates.clone(),
        ),
        None => {
            let amounts = totals.gmv.iter().map(|(c, a)| (c.as_str(), *a));
            match feed.rates.read() {
                Ok(rates) => rates.total_in_cny(amounts),
                Err(poisoned) => poisoned.into_inner().total_in_cny(amounts),
            }
        }
    };
    out.insert("gmv_cny".into(), Value::from(cny));
    if !missing.is_empty() {
        out.insert("gmv_cny_missing".into(), Value::from(missing));
    }
    Value::Object(out)
}
