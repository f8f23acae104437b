//! Waiting for something the server does on its own time: [`eventually`] polls a check on an
//! interval until it holds or a deadline passes, never a fixed sleep.

use std::time::Duration;

/// Polls `check` until it returns true, for at most `within`; panics with `what` otherwise.
/// Waits on an interval tick between polls, never a fixed sleep.
pub async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let polled = tokio::time::timeout(within, async {
        let mut tick = tokio::time::interval(Duration::from_millis(25));
        loop {
            tick.tick().await;
            if check().await {
                return;
            }
        }
    })
    .await;
    assert!(polled.is_ok(), "not within {within:?}: {what}");
}
