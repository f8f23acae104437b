//! The feed's background work: the group-commit order desk ([`desk`]), the fan-out of
//! committed events to this instance's connections ([`fanout`]), the link between instances
//! through Redis ([`cluster`]), the per-token connection slots it keeps cluster-wide
//! ([`slots`]), the sweeper ([`sweeper`]) and the token cache's refresh ([`tokens`]). Each runs
//! until the feed stops ([`Every`]).

pub mod cluster;
pub mod desk;
pub mod fanout;
pub mod slots;
pub mod sweeper;
pub mod tokens;

use std::time::Duration;

/// A background task's clock: ticks every `every` until `alive`'s sender is dropped (the feed
/// stops), missed ticks delayed rather than bunched.
pub(crate) struct Every {
    tick: tokio::time::Interval,
    alive: tokio::sync::watch::Receiver<()>,
}

impl Every {
    pub(crate) fn new(every: Duration, alive: tokio::sync::watch::Receiver<()>) -> Self {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self { tick, alive }
    }

    /// Waits for the next tick; false once the feed has stopped.
    pub(crate) async fn next(&mut self) -> bool {
        tokio::select! {
            _ = self.tick.tick() => true,
            // A send (shutdown) or a dropped sender (the feed is gone): stop.
            _ = self.alive.changed() => false,
        }
    }
}
