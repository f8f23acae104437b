//! Open feed connections per token: the per-token cap (over the cluster with Redis) and how a
//! token's connections learn that it ended, on this instance ([`ConnectionSlots::end`]) and
//! from the database ([`run_token_watch`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::domain::tokens::{BuyerTokens, TokenEnd};
use crate::tasks::cluster::Cluster;
use crate::tasks::Every;

/// Open connections per token, with a guard that gives the slot back; also how a token's
/// connections learn that it ended (revoked, expired, gone): [`ConnectionSlots::end`]. With
/// Redis the cap holds over the cluster: a slot is taken here and then in Redis
/// ([`Cluster::take_slot`]).
#[derive(Clone, Default)]
pub struct ConnectionSlots {
    open: Arc<Mutex<HashMap<i64, TokenSlots>>>,
    cluster: Cluster,
}

/// One token's open connections on this instance and the channel that ends them.
struct TokenSlots {
    count: u32,
    ended: watch::Sender<Option<TokenEnd>>,
}

/// Holds one connection slot of a token until dropped.
pub struct Slot {
    slots: ConnectionSlots,
    token_id: i64,
    /// The cluster's mirror of this instance's slots counted it.
    clustered: bool,
    /// Redis counted it too (and is told when it is given back).
    in_redis: bool,
    /// Becomes `Some` when the token ends: the connection closes with 4401.
    pub(crate) ended: watch::Receiver<Option<TokenEnd>>,
}

impl ConnectionSlots {
    /// No connection open; the cap over the cluster when `cluster` has Redis.
    pub fn new(cluster: Cluster) -> Self {
        Self {
            open: Arc::default(),
            cluster,
        }
    }

    /// Takes a slot on this instance, then over the cluster when Redis is usable.
    pub(crate) async fn take_clustered(&self, token_id: i64, max: u32) -> Option<Slot> {
        let mut slot = self.take(token_id, max)?;
        self.cluster.slot_opened(token_id);
        slot.clustered = true;
        match self.cluster.take_slot(token_id, max).await {
            Some(true) => slot.in_redis = true,
            // The other instances hold the rest; this instance's slot goes back with `slot`.
            Some(false) => return None,
            None => {}
        }
        Some(slot)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, TokenSlots>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self, token_id: i64, max: u32) -> Option<Slot> {
        let mut open = self.lock();
        let entry = open.entry(token_id).or_insert_with(|| TokenSlots {
            count: 0,
            ended: watch::channel(None).0,
        });
        if entry.count >= max {
            return None;
        }
        entry.count += 1;
        Some(Slot {
            slots: self.clone(),
            token_id,
            clustered: false,
            in_redis: false,
            ended: entry.ended.subscribe(),
        })
    }

    /// The tokens with an open connection on this instance.
    pub fn tokens(&self) -> Vec<i64> {
        self.lock().keys().copied().collect()
    }

    /// Closes every open connection of `token_id` on this instance with 4401 and `why`.
    pub fn end(&self, token_id: i64, why: TokenEnd) {
        if let Some(entry) = self.lock().get(&token_id) {
            entry.ended.send_replace(Some(why));
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if self.clustered {
            self.slots.cluster.slot_closed(self.token_id, self.in_redis);
        }
        let mut open = self.slots.lock();
        if let Some(entry) = open.get_mut(&self.token_id) {
            entry.count = entry.count.saturating_sub(1);
            if entry.count == 0 {
                open.remove(&self.token_id);
            }
        }
    }
}

/// Every `every`, checks the tokens of this instance's open feed connections against the
/// database, in one query per 500 tokens, and ends the connections of every token that was
/// revoked, has expired or is gone (docs/feed.md, "Close codes"). Instances share only the
/// database, so this is how a revocation made on another instance reaches this one's sockets;
/// the instance that revokes also ends its own at once. Runs until `alive`'s sender is dropped.
pub async fn run_token_watch(
    slots: ConnectionSlots,
    tokens: Arc<dyn BuyerTokens>,
    every: Duration,
    alive: watch::Receiver<()>,
) {
    let mut clock = Every::new(every.max(Duration::from_millis(50)), alive);
    while clock.next().await {
        let open = slots.tokens();
        for chunk in open.chunks(500) {
            match tokens.ended_tokens(chunk).await {
                Ok(ended) => {
                    for (id, why) in ended {
                        slots.end(id, why);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "token watch: cannot check the tokens"),
            }
        }
    }
}
