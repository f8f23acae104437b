//! The application: state, the composed router (catalog, tokens, health, metrics, OpenAPI), the
//! token check, and `run(listener, shutdown)`, the server's entry point.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRef, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use silkstream_catalog::auth::{Admins, Authorized, Role};
use silkstream_catalog::error::{error_response, Error, ErrorBody, Result};
use silkstream_catalog::extract::{ApiJson, ApiPath};
use silkstream_catalog::{CatalogStore, Db};
use silkstream_feed::domain::stream::MediaOrigins;
use silkstream_feed::edge::payments::PaymentsConfig;
use silkstream_feed::tasks::cluster::Cluster;
use silkstream_feed::{BuyerTokens, Feed, FeedConfig, TokenEnd, WsConfig};
use silkstream_l10n::L10n;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::metrics::{self, Metrics};
use crate::settings::{MetricsAccess, Settings};
use crate::tokens::{NewToken, TokenInfo, TokenStore};

/// Shared by every handler; a clone is one reference count (axum clones the state for every
/// extractor and middleware of every request, and a clone per field made every request pay
/// dozens of atomic increments on cache lines both cores fight over).
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl std::ops::Deref for AppState {
    type Target = AppParts;
    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct AppParts {
    /// The system of record; `/readyz` pings it.
    pub db: Db,
    /// Catalog reads and writes.
    pub catalog: CatalogStore,
    /// Token checks on every `/api/v1` request.
    pub tokens: TokenStore,
    /// Request counts and latencies for `/metrics`.
    pub metrics: Metrics,
    /// Message bundles and money formatting, built once and shared.
    pub l10n: Arc<L10n>,
    /// The generated OpenAPI document as served at `/openapi.json`: serialised once at start.
    pub openapi_json: axum::body::Bytes,
    /// Live sessions, flash sales and orders (its sweeper runs while this state lives).
    pub feed: Feed,
    /// Who may read `/metrics` and `/openapi.json`.
    pub metrics_access: MetricsAccess,
    /// The buyer page's Content-Security-Policy: the pages' own with the media origins.
    pub live_page_csp: axum::http::HeaderValue,
}

impl FromRef<AppState> for Feed {
    fn from_ref(s: &AppState) -> Self {
        s.feed.clone()
    }
}

/// Guest buyers' tokens are ordinary tokens of the buyer role.
impl BuyerTokens for TokenStore {
    fn create_buyer_token<'a>(
        &'a self,
        name: &'a str,
    ) -> silkstream_feed::BoxFuture<'a, silkstream_feed::Result<(i64, String)>> {
        Box::pin(async move {
            let created = self.create(name, Role::Buyer, None).await?;
            Ok((created.info.id, created.token))
        })
    }

    fn ended_tokens<'a>(
        &'a self,
        ids: &'a [i64],
    ) -> silkstream_feed::BoxFuture<'a, silkstream_feed::Result<Vec<(i64, TokenEnd)>>> {
        Box::pin(async move { Ok(self.ended(ids).await?) })
    }
}

/// The `trusted_proxies` setting, parsed (`serve` refuses to start when it does not parse).
pub fn trusted_proxies(
    settings: &Settings,
) -> std::result::Result<silkstream_feed::edge::limit::TrustedProxies, String> {
    silkstream_feed::edge::limit::TrustedProxies::parse(
        &settings.trusted_proxies,
        settings.forwarded_header == crate::settings::ForwardedHeader::Forwarded,
    )
}

/// The feed's knobs from the settings.
fn feed_config(settings: &Settings) -> FeedConfig {
    FeedConfig {
        payment_window: Duration::from_secs(settings.payment_window_s),
        buyer_signups_per_minute: settings.buyer_signups_per_minute,
        orders_per_buyer_per_minute: settings.orders_per_buyer_per_minute,
        chat_messages_per_minute: settings.chat_messages_per_minute,
        buyer_signups_per_minute_total: settings.buyer_signups_per_minute_total,
        guest_ttl: Duration::from_secs(settings.guest_token_ttl_s.max(1)),
        trusted_proxies: trusted_proxies(settings).unwrap_or_else(|e| {
            tracing::error!(error = %e, "trusted_proxies: none trusted");
            silkstream_feed::edge::limit::TrustedProxies::default()
        }),
        sweep_interval: Duration::from_millis(settings.sweep_interval_ms),
        ws: WsConfig {
            queue_capacity: settings.feed_queue_capacity.max(1),
            ping_interval: Duration::from_secs(settings.feed_ping_interval_s.max(1)),
            idle_timeout: Duration::from_secs(settings.feed_idle_timeout_s.max(1)),
            max_message_bytes: settings.feed_max_message_bytes.max(256),
            orders_per_second: settings.feed_orders_per_second.max(1),
            max_connections_per_token: settings.feed_max_connections_per_token.max(1),
            poll_interval: Duration::from_millis(settings.feed_poll_interval_ms.max(10)),
            token_check_interval: Duration::from_millis(settings.token_check_interval_ms.max(50)),
            ..WsConfig::default()
        },
        payments: PaymentsConfig {
            // The sandbox is on only under its explicit development setting; a secret alone
            // does not switch it on (`cli::decide_payment_sandbox` makes one when it is on).
            sandbox_secret: if settings.payment_sandbox {
                Some(
                    settings
                        .payment_sandbox_secret
                        .clone()
                        .unwrap_or_else(crate::cli::random_secret),
                )
            } else {
                None
            },
            signature_window: Duration::from_secs(settings.payment_signature_window_s.max(1)),
        },
        cluster: cluster(settings).unwrap_or_else(|e| {
            tracing::error!(error = %e, "redis_url: running without Redis");
            Cluster::none()
        }),
        identity_secret: settings.identity_secret.clone(),
        customs: silkstream_feed::domain::customs::CustomsConfig {
            b2c_max_quantity: settings.customs_b2c_max_quantity.max(1),
            ebp_code: settings.customs_ebp_code.clone(),
            ebp_name: settings.customs_ebp_name.clone(),
            weight_tolerance_pct: settings.customs_weight_tolerance_pct.clamp(0, 100),
        },
        media_origins: media_origins(settings).unwrap_or_else(|e| {
            tracing::error!(error = %e, "media_origins: none allowed");
            MediaOrigins::default()
        }),
    }
}

/// The `media_origins` setting, parsed (`serve` refuses to start when it does not parse).
pub fn media_origins(settings: &Settings) -> std::result::Result<MediaOrigins, String> {
    MediaOrigins::parse(&settings.media_origins)
}

/// The `redis_url` setting as the feed's link to Redis (`serve` refuses to start when it does
/// not parse); none without it.
pub fn cluster(settings: &Settings) -> std::result::Result<Cluster, String> {
    match settings.redis_url.as_deref() {
        Some(url) => Cluster::connect(url),
        None => Ok(Cluster::none()),
    }
}

impl FromRef<AppState> for CatalogStore {
    fn from_ref(s: &AppState) -> Self {
        s.catalog.clone()
    }
}

impl FromRef<AppState> for TokenStore {
    fn from_ref(s: &AppState) -> Self {
        s.tokens.clone()
    }
}

impl FromRef<AppState> for Arc<L10n> {
    fn from_ref(s: &AppState) -> Self {
        s.l10n.clone()
    }
}

impl FromRef<AppState> for Metrics {
    fn from_ref(s: &AppState) -> Self {
        s.metrics.clone()
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Silkstream", description = "Cross-border livestream selling: catalog, live sessions, orders and feeds."),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody)),
    // One tag per domain, in the order `/docs` lists them.
    tags(
        (name = "catalog", description = "Products and their variants, prices and stock"),
        (name = "images", description = "Product and variant pictures: upload, order, alt text, the served files"),
        (name = "translations", description = "Product text per locale"),
        (name = "categories", description = "The closed category tree"),
        (name = "rates", description = "The dated exchange-rate table (currency to CNY)"),
        (name = "warehouses", description = "Warehouses and the markets they serve"),
        (name = "markets", description = "Markets: currencies and languages per country"),
        (name = "landed-cost", description = "Landed-cost rules and quotes"),
        (name = "claims", description = "The claims filter's evidence log"),
        (name = "merchants", description = "Merchants, their credentials and the qualification gate"),
        (name = "hosts", description = "Hosts' profiles"),
        (name = "buyers", description = "Guest buyers' sign-up and profile"),
        (name = "sessions", description = "Live sessions: showcase, pin, start, end, the event log"),
        (name = "chat", description = "The live room's chat and its moderation: messages, held-back messages, deletion, mutes, slow mode"),
        (name = "flash-sales", description = "Flash sales in a live session"),
        (name = "orders", description = "Placing orders and their steps (cancel, ship, deliver)"),
        (name = "payments", description = "Paying an order, the provider's callback, refunds"),
        (name = "reports", description = "Operators' sales reports and the orders export"),
        (name = "customs", description = "After the sale: each order's customs mode, the three-document pre-check, CEB303 batches, the mutual-trade ledger"),
        (name = "feeds", description = "The WebSocket feeds of a session and of every room"),
        (name = "tokens", description = "API tokens"),
        (name = "operations", description = "Health and readiness"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes with their OpenAPI description.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(silkstream_catalog::routes::router())
        .merge(silkstream_catalog::landed_routes::router())
        .merge(silkstream_feed::edge::routes::router())
        .merge(silkstream_feed::edge::ws::router())
        .merge(silkstream_catalog::merchants::router())
        .merge(silkstream_feed::edge::gate::router())
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(healthz))
        .routes(routes!(livez))
        .routes(routes!(readyz))
}

/// The API router and the OpenAPI document of every route, with the common refusals.
fn api_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut openapi) = api().split_for_parts();
    crate::openapi::document_refusals(&mut openapi);
    (router, openapi)
}

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_parts().1
}

/// The composed application: its router, and the feed, whose connections [`run`] closes on
/// shutdown.
pub struct App {
    pub router: Router,
    pub feed: Feed,
    /// Header-read timeout and connection caps ([`crate::conn`]).
    pub limits: crate::conn::Limits,
}

/// Builds the state and the router for a connected, migrated database, and starts the feed's
/// background tasks (sweeper, fan-out, ticker; inside the Tokio runtime), which stop when the
/// router and the feed are dropped.
/// Fails only when the pictures' folder cannot be made.
pub fn build(db: Db, l10n: Arc<L10n>, settings: &Settings) -> anyhow::Result<App> {
    let (api_router, openapi) = api_parts();
    let catalog =
        CatalogStore::new(db.clone(), l10n.clone()).with_images(crate::image_store(settings, &db)?);
    // What a crash between a picture's files and its transaction left in the folder store.
    let sweeping = catalog.clone();
    tokio::spawn(async move {
        match sweeping.images().sweep(sweeping.db()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "removed picture files no picture names"),
            Err(e) => tracing::warn!(error = %e.chain(), "cannot sweep the pictures' folder"),
        }
    });
    let feed = Feed::start(
        db.clone(),
        catalog.clone(),
        l10n.clone(),
        Arc::new(TokenStore::new(db.clone())),
        feed_config(settings),
    );
    // The token check shares the feed's memory: the feed refreshes it (revocations elsewhere)
    // and forgets the guests it deletes.
    let tokens = TokenStore::with_cache(db.clone(), feed.store.caches().clone());
    let state = AppState(Arc::new(AppParts {
        catalog,
        l10n,
        tokens,
        feed: feed.clone(),
        metrics: Metrics::new(),
        openapi_json: axum::body::Bytes::from(
            serde_json::to_vec(&openapi).expect("the OpenAPI document is plain data"),
        ),
        db,
        metrics_access: settings.metrics_access,
        live_page_csp: crate::web::live_page_csp(feed.config.media_origins.origins()),
    }));
    let router = api_router
        // The pages and their assets: outside /api, not in /openapi.json (crate::web).
        .merge(crate::web::router())
        .route(
            "/openapi.json",
            get(openapi_json).route_layer(middleware::from_fn_with_state(
                state.clone(),
                operations_access,
            )),
        )
        .route(
            "/metrics",
            get(metrics::endpoint).route_layer(middleware::from_fn_with_state(
                state.clone(),
                operations_access,
            )),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // The path only: a query string may carry a token (`?token=` on feeds).
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
        }))
        // Pages, assets and JSON go out compressed when the client asks for gzip or brotli
        // (docs/security.md, "Compression"); never a WebSocket upgrade, an event stream or an
        // image, nor a body under 32 bytes.
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Precise(COMPRESSION_QUALITY))
                .compress_when(DefaultPredicate::new().and(not_an_upgrade)),
        )
        .layer(middleware::map_response(weak_etag_when_encoded))
        .with_state(state);
    let limits = crate::conn::Limits {
        header_read_timeout: Duration::from_millis(settings.header_read_timeout_ms.max(1)),
        max_connections: settings.max_connections.max(1),
        max_websockets: settings.max_websockets.max(1),
        body_read_timeout: Duration::from_millis(settings.body_read_timeout_ms.max(1)),
        min_body_bytes_per_second: settings.min_body_bytes_per_second,
        unauthenticated_share_percent: settings
            .unauthenticated_connection_share_percent
            .clamp(1, 100),
    };
    Ok(App {
        router,
        feed,
        limits,
    })
}

/// The compression level, for gzip and brotli alike: brotli's default (11) takes seconds of
/// CPU for the 1.7 MB Swagger UI bundle on every request; 4 compresses it to about a fifth in
/// milliseconds (docs/security.md, "Compression").
const COMPRESSION_QUALITY: i32 = 4;

/// A `101 Switching Protocols` answer (a WebSocket upgrade) is never compressed: its socket
/// belongs to the feed from then on.
fn not_an_upgrade(
    status: StatusCode,
    _: axum::http::Version,
    _: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    status != StatusCode::SWITCHING_PROTOCOLS
}

/// A compressed representation is not byte-for-byte the one its strong ETag names: its ETag
/// becomes weak (`W/"…"`), as nginx does; `If-None-Match` compares weakly (crate::web).
async fn weak_etag_when_encoded(mut response: Response) -> Response {
    if response.headers().contains_key(header::CONTENT_ENCODING) {
        let weak = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .filter(|tag| !tag.starts_with("W/"))
            .and_then(|tag| header::HeaderValue::from_str(&format!("W/{tag}")).ok());
        if let Some(weak) = weak {
            response.headers_mut().insert(header::ETAG, weak);
        }
    }
    response
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets requests in flight finish.
pub async fn run(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let feed = app.feed;
    let closing = feed.clone();
    // WebSocket connections outlive the HTTP server's graceful shutdown: tell them first, so
    // every feed client gets a 1012 close and reconnects with `since`.
    let shutdown = async move {
        shutdown.await;
        closing.close_feeds();
    };
    // Each request carries its connection's info (per-address rate limits); slow clients and
    // connection floods meet the limits of `crate::conn`.
    crate::conn::serve(listener, app.router, app.limits, shutdown).await?;
    // Requests in flight have finished: stop the background work and wait for it.
    feed.shutdown().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled: a signal that comes while the server is still starting (loading the
/// demo, printing its tokens) stops it cleanly once it runs, instead of killing the process.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (mut interrupt, mut terminate) = signals;
            let interrupt = async {
                match interrupt.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let terminate = async {
                match terminate.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = interrupt => {},
                () = terminate => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}

/// Checks `Authorization: Bearer …` (or `?token=` on a WebSocket upgrade, for browsers; on any
/// other request a `?token=` is refused with 401). A request with a bad
/// token is refused here with 401; one without a token goes on without a [`Principal`], and any
/// handler that needs one answers 401 itself.
async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let header_token = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let query_token = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("token=").map(str::to_owned))
    });
    // A token in the query string ends up in proxy logs and browser history: it is taken only
    // where a browser cannot set a header, on a WebSocket upgrade, and refused anywhere else.
    if query_token.is_some() && !is_websocket_upgrade(&req) {
        return silkstream_catalog::error::error_response(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a token in the query string (?token=) is accepted only on a WebSocket upgrade; \
             send it in the Authorization header",
        );
    }
    let token = match header_token {
        Some(value) => match value.strip_prefix("Bearer ") {
            Some(t) => Some(t.trim().to_owned()),
            None => return Error::Unauthorized.into_response(),
        },
        None => query_token,
    };
    if let Some(token) = token {
        match state.tokens.authenticate(&token).await {
            Ok(Some(principal)) => {
                req.extensions_mut().insert(principal);
            }
            Ok(None) => return Error::Unauthorized.into_response(),
            Err(e) => return e.into_response(),
        }
    }
    next.run(req).await
}

/// A WebSocket upgrade: HTTP/1.1 `GET` with `Upgrade: websocket` and `Connection: upgrade`
/// (RFC 6455), or HTTP/2's extended `CONNECT` (RFC 8441).
fn is_websocket_upgrade(req: &Request) -> bool {
    let headers = req.headers();
    let has = |name: header::HeaderName, token: &str| {
        headers.get_all(name).iter().any(|v| {
            v.to_str().is_ok_and(|v| {
                v.split(',')
                    .any(|part| part.trim().eq_ignore_ascii_case(token))
            })
        })
    };
    let http1 = req.method() == axum::http::Method::GET
        && has(header::UPGRADE, "websocket")
        && has(header::CONNECTION, "upgrade");
    // HTTP/2 has no Upgrade header: its extended CONNECT is the upgrade (the feed's
    // WebSocket extractor checks the `:protocol`).
    http1 || req.method() == axum::http::Method::CONNECT
}

/// Who may read `/metrics` and `/openapi.json` (the `metrics_access` setting): anyone, this
/// host's clients (the client address after trusted proxies), or an operator or admin token.
async fn operations_access(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let local = req
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .is_some_and(|c| {
            state
                .feed
                .config
                .trusted_proxies
                .client(c.0.ip(), req.headers())
                .is_loopback()
        });
    let allowed = match state.metrics_access {
        MetricsAccess::Open => true,
        MetricsAccess::Loopback if local => true,
        MetricsAccess::Loopback | MetricsAccess::Token => {
            let role = req
                .extensions()
                .get::<silkstream_catalog::auth::Principal>()
                .map(|p| p.role);
            match role {
                None => return Error::Unauthorized.into_response(),
                Some(role) => matches!(role, Role::Operator | Role::Admin),
            }
        }
    };
    if !allowed {
        return Error::Forbidden("an operator or admin token reads this".into()).into_response();
    }
    next.run(req).await
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error",
    )
}

async fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, "not_found", "no such route")
}

async fn method_not_allowed() -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}

async fn openapi_json(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_json.clone(),
    )
}

/// Process liveness (`ok`), or readiness: `ready`, or `degraded` when the database answers but
/// the configured Redis does not (the instance keeps serving: feeds from the database's log,
/// counters per instance).
#[derive(serde::Serialize, ToSchema)]
struct Health {
    status: &'static str,
    /// Redis: `up`, `down`, or absent when none is configured (`/readyz` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    redis: Option<&'static str>,
    /// The sandbox payment provider: `on` (development only: no money moves) or `off`
    /// (`/readyz` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_sandbox: Option<&'static str>,
}

/// Liveness: the process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        redis: None,
        payment_sandbox: None,
    })
}

/// Liveness for a load balancer's or an orchestrator's probe: 200 `ok` whenever the process
/// serves HTTP, without touching the database or Redis, so that a database outage (which
/// `/readyz` reports) never gets a healthy instance killed or every instance pulled at once.
#[utoipa::path(get, path = "/livez", tag = "operations", responses((status = 200, body = Health)))]
async fn livez() -> Json<Health> {
    Json(Health {
        status: "ok",
        redis: None,
        payment_sandbox: None,
    })
}

/// Readiness: the database answers (200 `ready`, or `degraded` while a configured Redis is
/// down: the instance still serves everything from the database).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
async fn readyz(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(Duration::from_secs(2), state.db.ping()).await;
    if matches!(ping, Ok(true)) {
        let cluster = &state.feed.cluster;
        let redis = cluster
            .configured()
            .then(|| if cluster.up() { "up" } else { "down" });
        let status = if redis == Some("down") {
            "degraded"
        } else {
            "ready"
        };
        let payment_sandbox = Some(if state.feed.config.payments.sandbox_on() {
            "on"
        } else {
            "off"
        });
        Json(Health {
            status,
            redis,
            payment_sandbox,
        })
        .into_response()
    } else {
        error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "the database does not answer",
        )
    }
}

/// A new token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateToken {
    name: String,
    role: Role,
    /// Days until it expires; never when absent.
    #[serde(default)]
    expires_in_days: Option<i64>,
}

/// Creates a token (admin). Its secret is in this response only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = CreateToken,
    responses((status = 201, body = NewToken), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_token(
    State(tokens): State<TokenStore>,
    _: Authorized<Admins>,
    ApiJson(body): ApiJson<CreateToken>,
) -> Result<(StatusCode, ApiJson<NewToken>)> {
    let created = tokens
        .create(&body.name, body.role, body.expires_in_days)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(created)))
}

/// `?page=`, `?per_page=` and `?role=` of the token list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct TokensQuery {
    /// 1-based page number (default 1).
    page: Option<i64>,
    /// Tokens per page, 1 to 500 (default 100).
    per_page: Option<i64>,
    /// Only tokens of this role (`buyer` lists the guests).
    role: Option<Role>,
}

/// Lists tokens by id, a page at a time, without their secrets (admin), in the envelope of
/// every list (`items`, `page`, `per_page`, `total`).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(TokensQuery),
    responses((status = 200, body = silkstream_catalog::model::Page<TokenInfo>),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_tokens(
    State(tokens): State<TokenStore>,
    _: Authorized<Admins>,
    silkstream_catalog::extract::ApiQuery(q): silkstream_catalog::extract::ApiQuery<TokensQuery>,
) -> Result<ApiJson<silkstream_catalog::model::Page<TokenInfo>>> {
    let (page, per_page) = silkstream_catalog::validate::page(q.page, q.per_page, 100, 500)?;
    let (items, total) = tokens.page(q.role, page, per_page).await?;
    Ok(ApiJson(silkstream_catalog::model::Page {
        items,
        page,
        per_page,
        total,
    }))
}

/// Revokes a token (admin); it is refused from the next request on, and its open feed
/// connections close (4401) at once on this instance and within about a second on the others.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "tokens",
    params(("id" = i64, Path, description = "token id")),
    responses((status = 200, body = TokenInfo), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn revoke_token(
    State(tokens): State<TokenStore>,
    State(feed): State<Feed>,
    _: Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<TokenInfo>> {
    let info = tokens.revoke(id).await?;
    feed.end_connections(id, TokenEnd::Revoked);
    Ok(ApiJson(info))
}
