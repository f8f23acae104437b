//! Serving connections with limits (docs/security.md, "Connections and slow clients"): hyper's
//! HTTP/1 server with a header-read timeout, a cap on open connections, and a cap on open
//! WebSocket feeds.
//!
//! - A client that takes longer than `header_read_timeout` to send a request's headers is
//!   closed (slowloris).
//! - At `max_connections`, a new connection closes the oldest idle one (no request in flight,
//!   not a WebSocket); when every connection is busy the new one gets a 503 at once. So a flood
//!   of idle sockets cannot keep real clients (or `/healthz`) out, and memory stays bounded.
//! - A WebSocket upgrade past `max_websockets` open feeds gets a 503 at once. An upgraded
//!   connection keeps its place (its socket is wrapped with it) until the feed closes.
//!
//! Shutdown is axum's: stop accepting, let each connection finish its request in flight
//! (hyper's graceful shutdown), and return when every connection task has ended.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use silkstream_catalog::error::error_response;
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 8192,
            max_websockets: 4096,
        }
    }
}

/// One open connection.
#[derive(Default)]
struct ConnState {
    /// Requests in flight.
    busy: AtomicUsize,
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
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, BTreeMap<u64, Arc<ConnState>>)> {
        match self.open.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// A place for a new connection: free, or taken from the oldest idle connection (which is
    /// told to close); `None` when all `max` connections are busy.
    fn admit(self: &Arc<Self>, max: usize) -> Option<Slot> {
        let mut open = self.lock();
        if open.1.len() >= max.max(1) {
            let idle = open
                .1
                .iter()
                .find(|(_, c)| {
                    c.busy.load(Ordering::SeqCst) == 0 && !c.upgraded.load(Ordering::SeqCst)
                })
                .map(|(id, _)| *id)?;
            if let Some(evicted) = open.1.remove(&idle) {
                evicted.evict.notify_one();
            }
        }
        open.0 += 1;
        let id = open.0;
        let state = Arc::new(ConnState::default());
        open.1.insert(id, state.clone());
        Some(Slot {
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
        Pin::new(&mut self.io).poll_read(cx, buf)
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
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
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
    loop {
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
        let Some(slot) = registry.admit(limits.max_connections) else {
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
                    let websocket = is_websocket_upgrade(&req);
                    if websocket {
                        let open = registry.websockets.fetch_add(1, Ordering::SeqCst);
                        if open >= limits.max_websockets.max(1) {
                            registry.websockets.fetch_sub(1, Ordering::SeqCst);
                            return Ok::<_, std::convert::Infallible>(
                                error_response(
                                    StatusCode::SERVICE_UNAVAILABLE,
                                    "overloaded",
                                    "too many open feeds; try again soon",
                                )
                                .into_response(),
                            );
                        }
                    }
                    let mut req = req.map(axum::body::Body::new);
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
