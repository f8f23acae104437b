//! The token cache's refresh: the order path answers a cached token without the database
//! (`crate::store::cache`), so a background task asks the server which cached tokens ended.

use std::sync::Arc;
use std::time::Duration;

use crate::domain::tokens::BuyerTokens;
use crate::store::cache::Caches;
use crate::tasks::Every;

/// Every `every`, asks the database about the cached tokens (500 per query, by primary key, as
/// the token watch does) and forgets those that were revoked, expired or deleted. Runs until
/// `alive`'s sender is dropped.
pub async fn run_token_refresh(
    caches: Arc<Caches>,
    tokens: Arc<dyn BuyerTokens>,
    every: Duration,
    alive: tokio::sync::watch::Receiver<()>,
) {
    let mut clock = Every::new(every.max(Duration::from_millis(50)), alive);
    while clock.next().await {
        let ids = caches.tokens.ids();
        for chunk in ids.chunks(500) {
            match tokens.ended_tokens(chunk).await {
                Ok(ended) => {
                    for (id, _) in ended {
                        caches.forget_token(id);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "token cache: cannot check the tokens"),
            }
        }
    }
}
