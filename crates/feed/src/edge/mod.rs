//! The feed's edge: the HTTP routes under `/api/v1` ([`routes`] and the domain routers it
//! merges), the WebSocket feeds ([`ws`]), order intake for both ([`intake`]) and the rate limits
//! ([`limit`]). [`Feed`] is what every handler gets: the store, the desk, the fan-out, the
//! cluster and the settings, built and started by [`Feed::start`].

pub mod chat;
pub mod customs;
pub mod gate;
pub mod intake;
pub mod limit;
pub mod mutual_trade;
pub mod payments;
pub mod reports;
pub mod routes;
pub mod ws;

use std::sync::Arc;
use std::time::Duration;

use silkstream_catalog::{CatalogStore, Db};
use silkstream_l10n::L10n;

use crate::domain::tokens::{BuyerTokens, TokenEnd};
use crate::store::FeedStore;
use crate::tasks::desk::OrderDesk;
use crate::tasks::{cluster, fanout, sweeper};

/// The knobs of the live-sale core (the server fills them from its settings).
#[derive(Clone, Debug)]
pub struct FeedConfig {
    /// How long a confirmed order may stay unpaid before it is cancelled and its units return.
    pub payment_window: Duration,
    /// Guest buyers one client address may create per minute (over the cluster with Redis,
    /// per instance without).
    pub buyer_signups_per_minute: u32,
    /// Orders one buyer may place per minute (over the cluster with Redis, per instance
    /// without).
    pub orders_per_buyer_per_minute: u32,
    /// Chat messages one buyer may write in one session per minute (counted in the database:
    /// over the cluster).
    pub chat_messages_per_minute: u32,
    /// Guest buyers all clients together may create per minute (over the cluster with Redis,
    /// per instance without).
    pub buyer_signups_per_minute_total: u32,
    /// How long a guest buyer who never orders keeps their token.
    pub guest_ttl: Duration,
    /// The proxies whose forwarded client address is believed.
    pub trusted_proxies: limit::TrustedProxies,
    /// How often the sweeper looks for sales to end and orders to expire.
    pub sweep_interval: Duration,
    /// The WebSocket feeds' knobs.
    pub ws: WsConfig,
    /// The payment providers and their secrets.
    pub payments: payments::PaymentsConfig,
    /// Redis between the instances ([`cluster`]), or none (one instance).
    pub cluster: cluster::Cluster,
    /// The key of the orderers' ID-number hashes ([`identity`]); without it, a key the
    /// deployment keeps in its database.
    pub identity_secret: Option<String>,
    /// Customs: the B2C threshold, the platform's registration, the waybill's weight tolerance.
    pub customs: crate::domain::customs::CustomsConfig,
    /// The origins the buyer page may load a session's HLS stream from.
    pub media_origins: crate::domain::stream::MediaOrigins,
}

/// The knobs of the WebSocket feeds (docs/feed.md, "Connection care").
#[derive(Clone, Debug)]
pub struct WsConfig {
    /// Messages a connection may have queued before it is told to resync and closed.
    pub queue_capacity: usize,
    /// How often the server pings a connection.
    pub ping_interval: Duration,
    /// A connection that sends nothing (not even a pong) for this long is closed; also the
    /// longest a single send may take.
    pub idle_timeout: Duration,
    /// Largest client message; a larger one closes the connection with 1009.
    pub max_message_bytes: usize,
    /// Orders per second one connection may place (bursts of twice that).
    pub orders_per_second: u32,
    /// Open feed connections per token.
    pub max_connections_per_token: u32,
    /// How often the fan-out also polls the log (for events other instances commit).
    pub poll_interval: Duration,
    /// How often each watched session gets a tick (viewers, countdown).
    pub tick_interval: Duration,
    /// How often the tokens of open connections are checked (a revoked or expired token's
    /// connections close within about this long, on every instance).
    pub token_check_interval: Duration,
}

impl Default for WsConfig {
    fn default() -> Self {
        Self {
            queue_capacity: 1024,
            ping_interval: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(60),
            max_message_bytes: 16 * 1024,
            orders_per_second: 5,
            max_connections_per_token: 8,
            poll_interval: Duration::from_millis(250),
            tick_interval: Duration::from_secs(1),
            token_check_interval: Duration::from_secs(1),
        }
    }
}

impl Default for FeedConfig {
    fn default() -> Self {
        Self {
            payment_window: Duration::from_secs(900),
            buyer_signups_per_minute: 10,
            orders_per_buyer_per_minute: 60,
            chat_messages_per_minute: 10,
            buyer_signups_per_minute_total: 300,
            guest_ttl: Duration::from_secs(86_400),
            trusted_proxies: limit::TrustedProxies::default(),
            sweep_interval: Duration::from_secs(1),
            ws: WsConfig::default(),
            payments: payments::PaymentsConfig::default(),
            cluster: cluster::Cluster::none(),
            identity_secret: None,
            customs: crate::domain::customs::CustomsConfig::default(),
            media_origins: crate::domain::stream::MediaOrigins::default(),
        }
    }
}

/// Everything the feed's handlers need; a clone is one reference count (handlers get it by
/// `FromRef` on every request).
#[derive(Clone)]
pub struct Feed(Arc<FeedParts>);

impl std::ops::Deref for Feed {
    type Target = FeedParts;
    fn deref(&self) -> &FeedParts {
        &self.0
    }
}

/// What [`Feed`] holds; its background tasks stop when the last [`Feed`] is dropped.
pub struct FeedParts {
    /// Sessions, sales, orders and reports.
    pub store: FeedStore,
    /// The group-commit writers of the open flash sales.
    pub desk: OrderDesk,
    /// Buyer-facing messages (order confirmations and refusals) in the buyer's locale.
    pub l10n: Arc<L10n>,
    /// Issues guest buyers' tokens.
    pub tokens: Arc<dyn BuyerTokens>,
    /// Signups per client address.
    pub signup_limit: limit::Limit<String>,
    /// Signups of all clients together (one key).
    pub signup_ceiling: limit::Limit<&'static str>,
    /// Orders per buyer.
    pub order_limit: limit::Limit<i64>,
    /// Redis between the instances, or none.
    pub cluster: cluster::Cluster,
    /// The settings the feed was built with.
    pub config: FeedConfig,
    /// Hands committed events to this instance's feed connections.
    pub fanout: fanout::Fanout,
    /// Open feed connections per token.
    pub ws_slots: crate::tasks::slots::ConnectionSlots,
    /// Turned true on shutdown: every feed connection closes with 1012.
    pub closing: Arc<tokio::sync::watch::Sender<bool>>,
    /// What feed payloads are encoded with (message bundles, today's rates kept fresh by the
    /// ticker); shared by the fan-out and the connections catching up from the log.
    pub encoding: Arc<ws::Encoding>,
    /// Sent to (by [`Feed::shutdown`]) or dropped with the last clone of the state: stops the
    /// sweeper, the fan-out's tailer and the ticker.
    alive: Arc<tokio::sync::watch::Sender<()>>,
    /// The background tasks above, awaited by [`Feed::shutdown`].
    tasks: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Feed {
    /// Builds the feed and starts its sweeper, which runs until the last clone is dropped.
    /// Must be called inside a Tokio runtime.
    pub fn start(
        db: Db,
        catalog: CatalogStore,
        l10n: Arc<L10n>,
        tokens: Arc<dyn BuyerTokens>,
        config: FeedConfig,
    ) -> Self {
        let store = FeedStore::new(db.clone(), catalog, config.payment_window)
            .with_identity_secret(config.identity_secret.clone());
        let desk = OrderDesk::new(store.clone(), config.cluster.clone());
        let (alive, watch) = tokio::sync::watch::channel(());
        let sweeper = tokio::spawn(sweeper::run(
            store.clone(),
            config.sweep_interval,
            watch.clone(),
        ));
        let rates = Arc::new(std::sync::RwLock::new(
            silkstream_catalog::store::RateTable::default(),
        ));
        // The encoder needs the feed (l10n, rates) and the feed needs the fan-out: the encoder
        // gets the parts it uses.
        let encoding = Arc::new(ws::Encoding {
            l10n: l10n.clone(),
            rates: rates.clone(),
        });
        let shared = encoding.clone();
        let encoder: fanout::Encoder = Arc::new(move |e, key| ws::encode(&shared, e, key));
        let (fanout, tailer) = fanout::Fanout::start(
            store.clone(),
            encoder,
            config.ws.poll_interval,
            watch.clone(),
        );
        let ticker = tokio::spawn(ws::run_ticker(
            store.clone(),
            fanout.clone(),
            config.cluster.clone(),
            rates.clone(),
            config.ws.tick_interval,
            watch.clone(),
        ));
        // The catalog's read cache learns of other instances' catalog changes on the same clock
        // as the tailer learns of their events.
        let catalog_watch = tokio::spawn(silkstream_catalog::cache::run_version_watch(
            store.catalog().clone(),
            config.ws.poll_interval,
            watch.clone(),
        ));
        let ws_slots = crate::tasks::slots::ConnectionSlots::new(config.cluster.clone());
        let token_watch = tokio::spawn(crate::tasks::slots::run_token_watch(
            ws_slots.clone(),
            tokens.clone(),
            config.ws.token_check_interval,
            watch,
        ));
        // The token cache's refresh: revocations made elsewhere reach this instance's cache
        // within the token watch's period.
        let token_refresh = tokio::spawn(crate::tasks::tokens::run_token_refresh(
            store.caches().clone(),
            tokens.clone(),
            config.ws.token_check_interval,
            alive.subscribe(),
        ));
        let catalog = store.catalog().clone();
        let cluster = config.cluster.clone();
        let cluster_tasks = cluster.start(
            store.clone(),
            cluster::Listeners {
                commits: store.commits().clone(),
                slots: ws_slots.clone(),
                caches: store.caches().clone(),
                desk: desk.clone(),
                catalog_changed: Box::new(move |version| {
                    catalog.apply_remote_version(version);
                }),
            },
            alive.subscribe(),
        );
        let signup_limit =
            limit::Limit::new("signups", config.buyer_signups_per_minute, cluster.clone());
        let signup_ceiling = limit::Limit::new(
            "signups-total",
            config.buyer_signups_per_minute_total,
            cluster.clone(),
        );
        let order_limit = limit::Limit::new(
            "orders",
            config.orders_per_buyer_per_minute,
            cluster.clone(),
        );
        let limit_cleanup = tokio::spawn(limit::run_cleanup(
            vec![
                Arc::new(signup_limit.local().clone()) as Arc<dyn limit::Cleanup>,
                Arc::new(signup_ceiling.local().clone()),
                Arc::new(order_limit.local().clone()),
            ],
            alive.subscribe(),
        ));
        let (closing, _) = tokio::sync::watch::channel(false);
        let mut tasks = vec![
            sweeper,
            tailer,
            ticker,
            token_watch,
            token_refresh,
            catalog_watch,
            limit_cleanup,
        ];
        tasks.extend(cluster_tasks);
        Self(Arc::new(FeedParts {
            store,
            desk,
            l10n,
            tokens,
            signup_limit,
            signup_ceiling,
            order_limit,
            cluster,
            config,
            fanout,
            ws_slots,
            closing: Arc::new(closing),
            encoding,
            alive: Arc::new(alive),
            tasks: Arc::new(std::sync::Mutex::new(tasks)),
        }))
    }

    /// Stops the feed's background work and waits for it: the sweeper, the fan-out's tailer,
    /// the ticker, and every order desk writer (each answers the orders it holds first). Call
    /// after the HTTP server has finished its requests in flight.
    pub async fn shutdown(&self) {
        self.close_feeds();
        self.alive.send_replace(());
        let tasks: Vec<tokio::task::JoinHandle<()>> = match self.tasks.lock() {
            Ok(mut t) => t.drain(..).collect(),
            Err(poisoned) => poisoned.into_inner().drain(..).collect(),
        };
        for task in tasks {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "a feed task ended with a panic");
            }
        }
        self.desk.shutdown().await;
    }

    /// Closes the feed connections of `token_id` at once (4401 with `why`): this instance's
    /// here, every other instance's as soon as the wake-up reaches it through Redis; without
    /// Redis, their token watch finds it within `ws.token_check_interval`.
    pub fn end_connections(&self, token_id: i64, why: TokenEnd) {
        self.ws_slots.end(token_id, why);
        self.cluster.token_ended(token_id, why);
    }

    /// The viewers of `session_id`: over the cluster as of the last tick with Redis, this
    /// instance's feed connections without.
    pub fn viewers(&self, session_id: i64) -> usize {
        self.cluster
            .viewers_known(session_id)
            .unwrap_or_else(|| self.fanout.viewers(session_id))
    }

    /// The viewers of each of `sessions`, read now (over the cluster with Redis, this
    /// instance's without).
    pub async fn viewers_of(&self, sessions: &[i64]) -> std::collections::HashMap<i64, usize> {
        match self.cluster.viewers_of(sessions).await {
            Some(totals) => totals,
            None => sessions
                .iter()
                .map(|s| (*s, self.fanout.viewers(*s)))
                .collect(),
        }
    }

    /// Closes every feed connection with 1012 (service restart): call on shutdown, before the
    /// server stops accepting, so clients know to reconnect with `since`.
    pub fn close_feeds(&self) {
        self.closing.send_replace(true);
    }
}
