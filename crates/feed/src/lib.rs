//! Live sessions, showcase and pin, flash sales, order intake and the per-session event log
//! (the WebSocket feed that streams the log is a later issue). Errors are [`error::Error`];
//! every write that a feed must show logs its event in the same transaction ([`events`]).
//!
//! - [`store`]: sessions, flash sales, orders, reports — the same `$1` SQL on both backends.
//! - [`desk`]: the per-sale group-commit writer that takes flash-sale orders (the hot path).
//! - [`sweeper`]: ends sales that ran out of time and cancels orders unpaid past the window.
//! - [`routes`]: the HTTP routes under `/api/v1`.

pub use silkstream_catalog as catalog;

pub mod desk;
pub mod error;
pub mod events;
pub mod limit;
pub mod model;
pub mod reports;
pub mod routes;
pub mod store;
pub mod sweeper;

use std::sync::Arc;
use std::time::Duration;

use silkstream_catalog::{CatalogStore, Db};
use silkstream_l10n::L10n;

pub use desk::OrderDesk;
pub use error::{Error, Result};
pub use store::FeedStore;

/// The knobs of the live-sale core (the server fills them from its settings).
#[derive(Clone, Debug)]
pub struct FeedConfig {
    /// How long a confirmed order may stay unpaid before it is cancelled and its units return.
    pub payment_window: Duration,
    /// Guest buyers one client address may create per minute (per instance).
    pub buyer_signups_per_minute: u32,
    /// Orders one buyer may place per minute (per instance).
    pub orders_per_buyer_per_minute: u32,
    /// How often the sweeper looks for sales to end and orders to expire.
    pub sweep_interval: Duration,
}

impl Default for FeedConfig {
    fn default() -> Self {
        Self {
            payment_window: Duration::from_secs(900),
            buyer_signups_per_minute: 10,
            orders_per_buyer_per_minute: 60,
            sweep_interval: Duration::from_secs(1),
        }
    }
}

/// A boxed future that can cross threads (what a dyn-compatible async method returns).
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Creates the bearer token of a guest buyer. The server implements it with its token store, so
/// that buyer tokens are ordinary tokens (same digest, revocation and check on every request).
pub trait BuyerTokens: Send + Sync {
    /// A new buyer token named `name`: its id and its secret.
    fn create_buyer_token<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<(i64, String)>>;
}

/// Everything the feed's handlers need; cheap to clone.
#[derive(Clone)]
pub struct Feed {
    /// Sessions, sales, orders and reports.
    pub store: FeedStore,
    /// The group-commit writers of the open flash sales.
    pub desk: OrderDesk,
    /// Buyer-facing messages (order confirmations and refusals) in the buyer's locale.
    pub l10n: Arc<L10n>,
    /// Issues guest buyers' tokens.
    pub tokens: Arc<dyn BuyerTokens>,
    /// Signups per client address.
    pub signup_limit: limit::RateLimiter<String>,
    /// Orders per buyer.
    pub order_limit: limit::RateLimiter<i64>,
    /// The settings the feed was built with.
    pub config: FeedConfig,
    /// Dropped with the last clone of the state (when the server stops): stops the sweeper.
    _alive: Arc<tokio::sync::watch::Sender<()>>,
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
        let store = FeedStore::new(db.clone(), catalog, config.payment_window);
        let desk = OrderDesk::new(store.clone());
        let (alive, watch) = tokio::sync::watch::channel(());
        tokio::spawn(sweeper::run(store.clone(), config.sweep_interval, watch));
        Self {
            store,
            desk,
            l10n,
            tokens,
            signup_limit: limit::RateLimiter::new(config.buyer_signups_per_minute),
            order_limit: limit::RateLimiter::new(config.orders_per_buyer_per_minute),
            config,
            _alive: Arc::new(alive),
        }
    }
}
