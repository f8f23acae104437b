//! What the order path holds in memory so that a flash-sale order from a buyer this instance has
//! seen costs no database round trip before the desk (docs/live-sale.md, "What the order path
//! keeps in memory"): tokens, buyer profiles, sessions, sales, variants' facts and the
//! idempotency keys this instance answered. Nothing here decides anything authoritative: the desk's batch and the
//! regular path decide the state, the units, the limits and the keys inside their transaction, so
//! a stale entry can only send an order to them (which decide it) or cause a refusal that they
//! would give too. Each map is bounded: when one is full it is emptied (entries are read again on
//! demand), which is always safe.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use silkstream_catalog::auth::Principal;

use silkstream_catalog::cache::Ticket;

use crate::model::SessionState;
use crate::store::{BuyerRow, SaleRow, VariantFacts};

/// Most entries of each map before it is emptied.
const CAPACITY: usize = 200_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

fn bounded<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, V>) {
    if map.len() >= CAPACITY {
        map.clear();
    }
}

/// A token this instance has checked: who it stands for and when it expires.
#[derive(Debug, Clone)]
struct CachedToken {
    principal: Principal,
    expires_at: Option<i64>,
}

/// Token digest → principal, with the token's expiry. A revocation on this instance removes the
/// token at once ([`TokenCache::forget`]); [`run_token_refresh`] asks the database about every
/// cached token each `token_check_interval` (the feed's token watch's period), so a revocation
/// or deletion made elsewhere (another instance, the command line) is seen within that bound;
/// an expired token is refused by its cached expiry itself.
#[derive(Debug, Default)]
pub struct TokenCache {
    inner: Mutex<Tokens>,
    /// Counts forgets: a check that read the database before a forget does not cache its
    /// (perhaps revoked) answer.
    forgets: AtomicU64,
}

#[derive(Debug, Default)]
struct Tokens {
    by_digest: HashMap<[u8; 32], CachedToken>,
    by_id: HashMap<i64, [u8; 32]>,
}

/// What [`TokenCache::get`] knows of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cached {
    /// Valid: the principal.
    Valid(Principal),
    /// Known but past its expiry (refused without asking the database).
    Expired,
    /// Not in the cache: ask the database.
    Unknown,
}

/// The moment a caller read the token's row, for [`TokenCache::put`].
#[derive(Debug, Clone, Copy)]
pub struct Stamp(u64);

impl TokenCache {
    /// The cached answer for a token's digest at `now` (ms since the epoch).
    pub fn get(&self, digest: &[u8; 32], now: i64) -> Cached {
        let mut t = lock(&self.inner);
        match t.by_digest.get(digest) {
            None => Cached::Unknown,
            Some(c) if c.expires_at.is_some_and(|e| e <= now) => {
                let id = c.principal.token_id;
                t.by_digest.remove(digest);
                t.by_id.remove(&id);
                Cached::Expired
            }
            Some(c) => Cached::Valid(c.principal.clone()),
        }
    }

    /// The cached answer for a token by its id (an open feed knows its token's id, not its
    /// secret): the same entry, refreshed and forgotten the same way, as an HTTP request's.
    pub fn get_by_id(&self, token_id: i64, now: i64) -> Cached {
        let digest = lock(&self.inner).by_id.get(&token_id).copied();
        match digest {
            Some(d) => self.get(&d, now),
            None => Cached::Unknown,
        }
    }

    /// Taken before reading a token's row from the database; given back to [`Self::put`].
    pub fn stamp(&self) -> Stamp {
        Stamp(self.forgets.load(Ordering::SeqCst))
    }

    /// Caches a valid token read at `stamp`, unless a token was forgotten since (its answer may
    /// predate a revocation).
    pub fn put(
        &self,
        stamp: Stamp,
        digest: [u8; 32],
        principal: Principal,
        expires_at: Option<i64>,
    ) {
        let mut t = lock(&self.inner);
        if self.forgets.load(Ordering::SeqCst) != stamp.0 {
            return;
        }
        if t.by_digest.len() >= CAPACITY {
            t.by_digest.clear();
            t.by_id.clear();
        }
        t.by_id.insert(principal.token_id, digest);
        t.by_digest.insert(
            digest,
            CachedToken {
                principal,
                expires_at,
            },
        );
    }

    /// Drops a token (revoked, deleted or ended): its next request asks the database.
    pub fn forget(&self, token_id: i64) {
        let mut t = lock(&self.inner);
        self.forgets.fetch_add(1, Ordering::SeqCst);
        if let Some(d) = t.by_id.remove(&token_id) {
            t.by_digest.remove(&d);
        }
    }

    /// The ids of the cached tokens.
    pub fn ids(&self) -> Vec<i64> {
        lock(&self.inner).by_id.keys().copied().collect()
    }
}

/// Every `every`, asks the database about the cached tokens (500 per query, by primary key, as
/// the token watch does) and forgets those that were revoked, expired or deleted. Runs until
/// `alive`'s sender is dropped.
pub async fn run_token_refresh(
    caches: Arc<Caches>,
    tokens: Arc<dyn crate::BuyerTokens>,
    every: Duration,
    alive: tokio::sync::watch::Receiver<()>,
) {
    let mut clock = crate::Every::new(every.max(Duration::from_millis(50)), alive);
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

/// What intake reads of a session: immutable facts, and the state when it can only move on
/// through the authoritative path (live, whose end the desk sees; ended, which is final).
#[derive(Debug, Clone)]
pub(crate) struct SessionFacts {
    pub host_token_id: i64,
    pub state: SessionState,
    pub markets: Vec<String>,
}

/// The latest sale of a variant in a session, or none.
type LatestSale = Option<Arc<SaleRow>>;

/// The order path's memory (see the module's docs).
#[derive(Debug, Default)]
pub struct Caches {
    /// Token digest → principal.
    pub tokens: TokenCache,
    /// Buyer profiles by token id (a profile never changes; it goes with its token).
    buyers: Mutex<HashMap<i64, Arc<BuyerRow>>>,
    /// Live or ended sessions.
    sessions: Mutex<HashMap<i64, Arc<SessionFacts>>>,
    /// (session, variant) → the latest sale of the variant in the session, or none.
    sales: Mutex<HashMap<(i64, i64), LatestSale>>,
    /// (buyer, key) → order id, for the keys this instance answered.
    keys: Mutex<HashMap<(i64, String), i64>>,
    /// Variant id → its facts, with the catalog cache's ticket taken before they were read:
    /// used while the catalog cache says nothing of the product changed since
    /// ([`silkstream_catalog::cache::ProductCache::unchanged_since`]).
    facts: Mutex<HashMap<i64, (Arc<VariantFacts>, Ticket)>>,
}

impl Caches {
    pub(crate) fn buyer(&self, token_id: i64) -> Option<Arc<BuyerRow>> {
        lock(&self.buyers).get(&token_id).cloned()
    }

    pub(crate) fn put_buyer(&self, row: Arc<BuyerRow>) {
        let mut m = lock(&self.buyers);
        bounded(&mut m);
        m.insert(row.token_id, row);
    }

    /// Forgets a token and its buyer profile (revoked, or a guest deleted).
    pub fn forget_token(&self, token_id: i64) {
        self.tokens.forget(token_id);
        lock(&self.buyers).remove(&token_id);
    }

    pub(crate) fn session(&self, id: i64) -> Option<Arc<SessionFacts>> {
        lock(&self.sessions).get(&id).cloned()
    }

    /// Keeps a session's facts when its state may be trusted from memory (live or ended).
    pub(crate) fn put_session(&self, id: i64, facts: Arc<SessionFacts>) {
        if matches!(facts.state, SessionState::Live | SessionState::Ended) {
            let mut m = lock(&self.sessions);
            bounded(&mut m);
            m.insert(id, facts);
        }
    }

    /// Forgets a session and its sales (its state changed, or an order found it changed).
    pub(crate) fn forget_session(&self, id: i64) {
        lock(&self.sessions).remove(&id);
        lock(&self.sales).retain(|(s, _), _| *s != id);
    }

    pub(crate) fn sale(&self, session_id: i64, variant_id: i64) -> Option<LatestSale> {
        lock(&self.sales).get(&(session_id, variant_id)).cloned()
    }

    pub(crate) fn put_sale(&self, session_id: i64, variant_id: i64, sale: LatestSale) {
        let mut m = lock(&self.sales);
        bounded(&mut m);
        m.insert((session_id, variant_id), sale);
    }

    /// Forgets the sale (or the absence of one) of a variant in a session.
    pub(crate) fn forget_sale(&self, session_id: i64, variant_id: i64) {
        lock(&self.sales).remove(&(session_id, variant_id));
    }

    /// The order a key names, when this instance answered it.
    pub(crate) fn key(&self, buyer: i64, key: &str) -> Option<i64> {
        lock(&self.keys).get(&(buyer, key.to_owned())).copied()
    }

    pub(crate) fn facts(&self, variant_id: i64) -> Option<(Arc<VariantFacts>, Ticket)> {
        lock(&self.facts).get(&variant_id).cloned()
    }

    pub(crate) fn put_facts(&self, variant_id: i64, facts: Arc<VariantFacts>, ticket: Ticket) {
        let mut m = lock(&self.facts);
        bounded(&mut m);
        m.insert(variant_id, (facts, ticket));
    }

    pub(crate) fn put_key(&self, buyer: i64, key: &str, order_id: i64) {
        let mut m = lock(&self.keys);
        bounded(&mut m);
        m.insert((buyer, key.to_owned()), order_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use silkstream_catalog::auth::Role;

    fn principal(id: i64) -> Principal {
        Principal {
            token_id: id,
            name: format!("t{id}"),
            role: Role::Buyer,
        }
    }

    #[test]
    fn an_expired_token_is_refused_by_its_cached_expiry() {
        let cache = TokenCache::default();
        let stamp = cache.stamp();
        cache.put(stamp, [1; 32], principal(1), Some(1_000));
        assert_eq!(cache.get(&[1; 32], 999), Cached::Valid(principal(1)));
        assert_eq!(cache.get(&[1; 32], 1_000), Cached::Expired);
        // Gone once expired: the next check asks the database.
        assert_eq!(cache.get(&[1; 32], 0), Cached::Unknown);
    }

    #[test]
    fn a_forgotten_token_is_unknown_and_a_read_from_before_is_not_cached() {
        let cache = TokenCache::default();
        cache.put(cache.stamp(), [2; 32], principal(2), None);
        assert_eq!(cache.get(&[2; 32], 0), Cached::Valid(principal(2)));
        let before = cache.stamp();
        cache.forget(2);
        assert_eq!(cache.get(&[2; 32], 0), Cached::Unknown);
        // A check that read the row before the revocation must not cache it again.
        cache.put(before, [2; 32], principal(2), None);
        assert_eq!(cache.get(&[2; 32], 0), Cached::Unknown);
        cache.put(cache.stamp(), [3; 32], principal(3), None);
        assert_eq!(cache.ids(), vec![3]);
    }

    #[test]
    fn only_live_or_ended_sessions_are_kept() {
        let caches = Caches::default();
        for (id, state) in [
            (1, SessionState::Scheduled),
            (2, SessionState::Live),
            (3, SessionState::Ended),
        ] {
            caches.put_session(
                id,
                Arc::new(SessionFacts {
                    host_token_id: 9,
                    state,
                    markets: vec!["KZ".into()],
                }),
            );
        }
        assert!(caches.session(1).is_none());
        assert!(caches.session(2).is_some());
        assert!(caches.session(3).is_some());
        caches.put_sale(2, 7, None);
        caches.forget_session(2);
        assert!(caches.session(2).is_none());
        assert!(caches.sale(2, 7).is_none());
    }
}
