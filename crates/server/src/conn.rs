//! Serving connections with limits (docs/security.md, "Connections and slow clients"): hyper's
//! HTTP/1 server with a header-read timeout, a cap on open connections, and a cap on open
//! WebSocket feeds.
//!
//! - A client that takes longer than `header_read_timeout` to send a request's headers is
//!   closed (slowloris); a head (request line and headers) over 64 KiB gets 431.
//! - A request body that goes `body_read_timeout` without a byte, or falls below
//!   `min_body_bytes_per_second` after that grace, is cut (408 `body_timeout`) and its
//!   connection closed: a request whose body is still arriving is in flight, so idle eviction
//!   never reaches it. (tower-http's `RequestBodyTimeoutLayer` times only the gap, and cannot
//!   give back the unauthenticated share's place: docs/security.md.)
//! - Requests without a token (no `Authorization` header) whose bodies are still arriving hold
//!   at most `unauthenticated_share_percent` of `max_connections`; one more gets a 503 at once.
//! - At `max_connections`, a new connection closes the oldest idle one (no request in flight,
//!   not a WebSocket); when every connection is busy the new one gets a 503 at once. So a flood
//!   of idle sockets cannot keep real clients (or `/healthz`) out, and memory stays bounded.
//! - A WebSocket upgrade past `max_websockets` open feeds gets a 503 at once. An upgraded
//!   connection keeps its place (its socket is wrapped with it) until the feed closes.
//!
//! Shutdown: stop accepting, let each connection finish its request in flight (hyper's graceful
//! shutdown, told through a watch every connection task holds), and return when every connection
//! task has ended. hyper-util's `GracefulShutdown` is the same watch, but it takes only hyper's
//! plain HTTP/1 connection or its own `auto` one, not the upgradeable connection the feeds'
//! WebSocket upgrades need (its trait is sealed); and each task here also waits on its eviction.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use silkstream_catalog::error::{error_response, BodyTooSlow};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// The limits of [`serve`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Longest a client may take to send a request's headers.
    pub header_read_timeout: Duration,
    /// Open connections, WebSocket feeds included.
    pub max_connections: usize,
    /// Open WebSocket feeds.
    pub max_websockets: usize,
    /// Longest a request body may go without a byte, and the grace before the minimum rate.
    pub body_read_timeout: Duration,
    /// Least average rate of a body after the grace (0: none).
    pub min_body_bytes_per_second: u64,
    /// Percent of `max_connections` that requests without a token may hold while their
    /// bodies arrive.
    pub unauthenticated_share_percent: u8,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 8192,
            max_websockets: 4096,
            body_read_timeout: Duration::from_secs(10),
            min_body_bytes_per_second: 1024,
            unauthenticated_share_percent: 25,
        }
    }
}

/// How long a connection counts as active after it was accepted, read from or answered: at
/// the cap it is not the idle one evicted before then (a client whose request is in the socket
/// but not yet read is not pushed out by a burst of newer connections).
const QUIET: Duration = Duration::from_millis(200);

/// Milliseconds since the process's first connection (a clock for `last_active`).
fn clock_ms() -> u64 {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let epoch = EPOCH.get_or_init(std::time::Instant::now);
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// One open connection.
#[derive(Default)]
struct ConnState {
    /// Requests in flight.
    busy: AtomicUsize,
    /// When it was accepted, last read from, or last finished a request ([`clock_ms`]).
    last_active: AtomicU64,
    /// Upgraded to a WebSocket (counted in `websockets` until its socket closes).
    upgraded: AtomicBool,
    /// Told to close (it was the oldest idle one at the cap).
    evict: Notify,
}

#[derive(Default)]
struct Registry {
    /// Open connections by age (ids increase).
    open: Mutex<(u64, BTreeMap<u64, Arc<ConnState>>)>,
    /// Open (and being opened) WebSocket feeds.
    websockets: AtomicUsize,
    /// Requests without a token whose bodies are still arriving.
    unauthenticated: AtomicUsize,
    /// Told when a connection gives its place back.
    freed: Notify,
}

/// What [`Registry::admit`] decided for a new connection.
enum Admission {
    /// Its place.
    Admitted(Slot),
    /// Every idle connection has been active within [`QUIET`]: the first of them goes quiet
    /// after this long (unless a place is given back before).
    Wait(Duration),
    /// Every connection is busy: refuse it.
    Full,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, BTreeMap<u64, Arc<ConnState>>)> {
        match self.open.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// A place for a new connection: free, or taken from the oldest idle connection (no
    /// request in flight, not a WebSocket, quiet for [`QUIET`]; it is told to close);
    /// [`Admission::Wait`] when only connections active within [`QUIET`] are idle,
    /// [`Admission::Full`] when all `max` connections are busy.
    fn admit(self: &Arc<Self>, max: usize) -> Admission {
        let mut open = self.lock();
        if open.1.len() >= max.max(1) {
            let now = clock_ms();
            let quiet = u64::try_from(QUIET.as_millis()).unwrap_or(u64::MAX);
            // The soonest an idle but recently active connection goes quiet, in ms.
            let mut soonest: Option<u64> = None;
            let idle = open
                .1
                .iter()
                .find(|(_, c)| {
                    if c.busy.load(Ordering::SeqCst) != 0 || c.upgraded.load(Ordering::SeqCst) {
                        return false;
                    }
                    let since = now.saturating_sub(c.last_active.load(Ordering::SeqCst));
                    if since < quiet {
                        let left = quiet - since;
                        soonest = Some(soonest.map_or(left, |s| s.min(left)));
                        return false;
                    }
                    true
                })
                .map(|(id, _)| *id);
            match idle {
                Some(id) => {
                    if let Some(evicted) = open.1.remove(&id) {
                        evicted.evict.notify_one();
                    }
                }
                None => {
                    return match soonest {
                        Some(ms) => Admission::Wait(Duration::from_millis(ms.max(1))),
                        None => Admission::Full,
                    }
                }
            }
        }
        open.0 += 1;
        let id = open.0;
        let state = Arc::new(ConnState::default());
        state.last_active.store(clock_ms(), Ordering::SeqCst);
        open.1.insert(id, state.clone());
        Admission::Admitted(Slot {
            id,
            state,
            registry: self.clone(),
        })
    }
}

/// A connection's place; given back when its socket closes (for a WebSocket, when the feed
/// ends).
struct Slot {
    id: u64,
    state: Arc<ConnState>,
    registry: Arc<Registry>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry.lock().1.remove(&self.id);
        if self.state.upgraded.load(Ordering::SeqCst) {
            self.registry.websockets.fetch_sub(1, Ordering::SeqCst);
        }
        self.registry.freed.notify_waiters();
    }
}

/// The socket with its place: an upgraded WebSocket takes both along.
struct Tracked {
    io: TcpStream,
    _slot: Slot,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let read = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            self._slot
                .state
                .last_active
                .store(clock_ms(), Ordering::SeqCst);
        }
        read
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// A request in flight on a connection (the connection is not idle while it lives).
struct Busy(Arc<ConnState>);

impl Busy {
    fn new(state: &Arc<ConnState>) -> Self {
        state.busy.fetch_add(1, Ordering::SeqCst);
        Busy(state.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.last_active.store(clock_ms(), Ordering::SeqCst);
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A place among the requests without a token whose bodies are still arriving; given back
/// when the body has arrived, failed or was dropped.
struct Unauthenticated(Arc<Registry>);

impl Unauthenticated {
    /// A place, unless `max` are taken.
    fn take(registry: &Arc<Registry>, max: usize) -> Option<Self> {
        let taken = registry.unauthenticated.fetch_add(1, Ordering::SeqCst);
        if taken >= max {
            registry.unauthenticated.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Unauthenticated(registry.clone()))
    }
}

impl Drop for Unauthenticated {
    fn drop(&mut self) {
        self.0.unauthenticated.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A request body with a read timeout and a minimum rate: no gap between its bytes longer
/// than `timeout`, and after the first `timeout` at least `min_rate` bytes a second on average
/// (each byte buys `1/min_rate` s). Past either, the body fails ([`BodyTooSlow`]): the handler
/// answers 408 `body_timeout` and hyper closes the connection, as the body was not read to its
/// end.
struct PacedBody {
    inner: hyper::body::Incoming,
    started: tokio::time::Instant,
    received: u64,
    timeout: Duration,
    min_rate: u64,
    deadline: Pin<Box<tokio::time::Sleep>>,
    failed: bool,
    unauthenticated: Option<Unauthenticated>,
}

impl PacedBody {
    fn new(
        inner: hyper::body::Incoming,
        limits: &Limits,
        unauthenticated: Option<Unauthenticated>,
    ) -> Self {
        let started = tokio::time::Instant::now();
        Self {
            inner,
            started,
            received: 0,
            timeout: limits.body_read_timeout,
            min_rate: limits.min_body_bytes_per_second,
            deadline: Box::pin(tokio::time::sleep_until(started + limits.body_read_timeout)),
            failed: false,
            unauthenticated,
        }
    }

    /// The next deadline after a frame: the gap's, or the rate's when it comes first.
    fn next_deadline(&self) -> tokio::time::Instant {
        let gap = tokio::time::Instant::now() + self.timeout;
        if self.min_rate == 0 {
            return gap;
        }
        let earned = Duration::from_secs_f64(self.received as f64 / self.min_rate as f64);
        gap.min(self.started + self.timeout + earned)
    }
}

impl hyper::body::Body for PacedBody {
    type Data = hyper::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        if self.failed {
            return Poll::Ready(None);
        }
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received = this.received.saturating_add(data.len() as u64);
                }
                if this.inner.is_end_stream() {
                    this.unauthenticated = None;
                } else {
                    let next = this.next_deadline();
                    this.deadline.as_mut().reset(next);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.unauthenticated = None;
                Poll::Ready(Some(Err(e.into())))
            }
            Poll::Ready(None) => {
                this.unauthenticated = None;
                Poll::Ready(None)
            }
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.failed = true;
                    this.unauthenticated = None;
                    Poll::Ready(Some(Err(BodyTooSlow.into())))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// The documented bound on a request head (request line and headers).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The bytes of `req`'s head as sent: request line, each header line, the blank line.
fn head_len(req: &hyper::Request<hyper::body::Incoming>) -> usize {
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().to_string().len(), |p| p.as_str().len());
    let line = req.method().as_str().len() + 1 + target + 1 + "HTTP/1.1\r\n".len();
    let headers: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + 2 + value.len() + 2)
        .sum();
    line + headers + 2
}

/// A request that waits for its body and carries no token (no `Authorization` header). A
/// request with one has its token checked before anything reads its body (a bad token is a
/// 401 and the body is never waited for).
fn unauthenticated_body(req: &hyper::Request<hyper::body::Incoming>) -> bool {
    use hyper::body::Body as _;
    !req.body().is_end_stream() && !req.headers().contains_key(header::AUTHORIZATION)
}

/// A refusal that closes the connection after it is written.
fn closing(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

fn is_websocket_upgrade(req: &hyper::Request<hyper::body::Incoming>) -> bool {
    req.headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// What a refused connection is told before it is closed.
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
content-length: 87\r\nretry-after: 1\r\nconnection: close\r\n\r\n\
{\"error\":{\"code\":\"overloaded\",\"message\":\"too many open connections; try again soon\"}}";

/// Serves `router` on `listener` within `limits` until `shutdown` resolves; then lets each
/// connection finish its request in flight and returns once every connection task has ended.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let registry = Arc::new(Registry::default());
    // Every connection task holds a receiver; `closing_tx.closed()` waits for them all.
    let (closing_tx, closing_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(64 * 1024);
    'accept: loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "accept error");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = loop {
            // Registered before `admit` looks, so a place given back meanwhile is not missed.
            let freed = registry.freed.notified();
            match registry.admit(limits.max_connections) {
                Admission::Admitted(slot) => break Some(slot),
                Admission::Full => break None,
                // The connections that could go were active a moment ago (their requests may
                // be in their sockets, unread): wait for a place, or until the first of them
                // goes quiet. Newer connections wait in the listen backlog meanwhile.
                Admission::Wait(quiet_in) => {
                    tokio::select! {
                        () = freed => {}
                        () = tokio::time::sleep(quiet_in) => {}
                        () = &mut shutdown => break 'accept,
                    }
                }
            }
        };
        let Some(slot) = slot else {
            tokio::spawn(async move {
                let mut stream = stream;
                let _ =
                    tokio::time::timeout(Duration::from_secs(1), stream.write_all(REFUSAL)).await;
            });
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = slot.state.clone();
        let io = TokioIo::new(Tracked {
            io: stream,
            _slot: slot,
        });
        let service = {
            let router = router.clone();
            let state = state.clone();
            let registry = registry.clone();
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let router = router.clone();
                let state = state.clone();
                let registry = registry.clone();
                async move {
                    let _busy = Busy::new(&state);
                    if head_len(&req) > MAX_HEAD_BYTES {
                        return Ok::<_, std::convert::Infallible>(closing(error_response(
                            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                            "header_too_large",
                            "the request line and headers exceed 64 KiB",
                        )));
                    }
                    let unauthenticated = if unauthenticated_body(&req) {
                        let max = (limits.max_connections.max(1)
                            * usize::from(limits.unauthenticated_share_percent.clamp(1, 100)))
                        .div_ceil(100);
                        match Unauthenticated::take(&registry, max) {
                            Some(place) => Some(place),
                            None => {
                                return Ok(closing(error_response(
                                    StatusCode::SERVICE_UNAVAILABLE,
                                    "overloaded",
                                    "too many requests without a token are sending their \
                                     bodies; try again soon",
                                )));
                            }
                        }
                    } else {
                        None
                    };
                    let websocket = is_websocket_upgrade(&req);
                    if websocket {
                        let open = registry.websockets.fetch_add(1, Ordering::SeqCst);
                        if open >= limits.max_websockets.max(1) {
                            registry.websockets.fetch_sub(1, Ordering::SeqCst);
                            return Ok(error_response(
                                StatusCode::SERVICE_UNAVAILABLE,
                                "overloaded",
                                "too many open feeds; try again soon",
                            )
                            .into_response());
                        }
                    }
                    let mut req = req.map(|body| {
                        axum::body::Body::new(PacedBody::new(body, &limits, unauthenticated))
                    });
                    req.extensions_mut().insert(ConnectInfo(peer));
                    let response = match router.oneshot(req).await {
                        Ok(r) => r,
                        Err(never) => match never {},
                    };
                    if websocket {
                        if response.status() == StatusCode::SWITCHING_PROTOCOLS {
                            // Counted until the upgraded socket closes (`Slot::drop`).
                            state.upgraded.store(true, Ordering::SeqCst);
                        } else {
                            registry.websockets.fetch_sub(1, Ordering::SeqCst);
                        }
                    }
                    Ok(response)
                }
            })
        };
        let connection = builder.serve_connection(io, service).with_upgrades();
        let mut closing = closing_rx.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let mut shutting_down = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                        break;
                    }
                    () = state.evict.notified() => break,
                    changed = closing.changed(), if !shutting_down => {
                        shutting_down = true;
                        if changed.is_ok() {
                            connection.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
            drop(closing);
        });
    }
    drop(listener);
    closing_tx.send_replace(true);
    drop(closing_rx);
    closing_tx.closed().await;
    Ok(())
}
