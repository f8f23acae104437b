//! The sweeper: every `sweep_interval` it ends the flash sales whose time is up (their unsold
//! units go back to stock) and cancels confirmed orders unpaid past the payment window (their
//! units go back to the sale while it runs, else to stock). Every step is a conditional UPDATE
//! inside a transaction, so several instances sweeping at once do each thing exactly once.
//! It also deletes guest buyers who never ordered, with their tokens, once their time is up.
//! Reads also end due sales lazily, so nothing waits for the sweeper to be correct.

use std::time::Duration;

use tokio::sync::watch;

use crate::store::FeedStore;

/// Runs until the feed's last clone is dropped (`alive`'s sender).
pub async fn run(store: FeedStore, every: Duration, alive: watch::Receiver<()>) {
    let mut clock = crate::tasks::Every::new(every.max(Duration::from_millis(10)), alive);
    while clock.next().await {
        match store.end_due_sales(None).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(ended = n, "sweeper ended flash sales"),
            Err(e) => tracing::warn!(error = %e, "sweeper could not end due sales"),
        }
        match store.delete_idle_guests().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "sweeper deleted guests who never ordered"),
            Err(e) => tracing::warn!(error = %e, "sweeper could not delete idle guests"),
        }
        match store.expire_unpaid().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(cancelled = n, "sweeper cancelled unpaid orders"),
            Err(e) => tracing::warn!(error = %e, "sweeper could not expire unpaid orders"),
        }
    }
}
