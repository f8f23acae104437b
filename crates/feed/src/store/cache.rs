//! What the order path holds in memory so that a flash-sale order from a buyer this instance has
//! seen costs no database round trip before the desk (docs/live-sale.md, "What the order path
//! keeps in memory"): tokens, buyer profiles, sessions, sales, variants' facts and the
//! idempotency keys this instance answered. Nothing here decides anything authoritative: the desk's batch and the
//! regular path decide the state, the units, the limits and the keys inside their transaction, so
//! a stale entry can only send an order to them (which decide it) or cause a refusal that they
//! would give too. Each map is a `moka` cache bounded by [`CAPACITY`] entries: when one is full,
//! TinyLFU admission keeps the entries read often (a sale's buyers, its session and variant)
//! and lets one-off entries make room, instead of emptying the map in the middle of a sale.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use moka::sync::Cache;
use silkstream_catalog::auth::Principal;

use silkstream_catalog::cache::Ticket;

use crate::domain::model::SessionState;
use crate::store::{BuyerRow, SaleRow, VariantFacts};

/// Most entries of each map.
pub const CAPACITY: usize = 200_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

fn cache<K, V>(capacity: usize) -> Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::new(capacity as u64)
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
pub struct TokenCache {
    by_digest: Cache<[u8; 32], CachedToken>,
    /// Token id → digest, for every token that may be in `by_digest` (a superset: the cache
    /// evicts on its own; pruned against it when it grows past twice the cache), so that a
    /// forget by id always finds the entry. Held while an entry is stored or forgotten.
    by_id: Mutex<HashMap<i64, [u8; 32]>>,
    /// Counts forgets: a check that read the database before a forget does not cache its
    /// (perhaps revoked) answer.
    forgets: AtomicU64,
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("tokens", &self.by_digest.entry_count())
            .finish()
    }
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
    /// A cache of at most `capacity` tokens.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            by_digest: cache(capacity),
            by_id: Mutex::default(),
            forgets: AtomicU64::new(0),
        }
    }

    /// The cached answer for a token's digest at `now` (ms since the epoch).
    pub fn get(&self, digest: &[u8; 32], now: i64) -> Cached {
        match self.by_digest.get(digest) {
            None => Cached::Unknown,
            Some(c) if c.expires_at.is_some_and(|e| e <= now) => {
                let mut ids = lock(&self.by_id);
                self.by_digest.invalidate(digest);
                ids.remove(&c.principal.token_id);
                Cached::Expired
            }
            Some(c) => Cached::Valid(c.principal),
        }
    }

    /// The cached answer for a token by its id (an open feed knows its token's id, not its
    /// secret): the same entry, refreshed and forgotten the same way, as an HTTP request's.
    pub fn get_by_id(&self, token_id: i64, now: i64) -> Cached {
        let digest = lock(&self.by_id).get(&token_id).copied();
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
        let mut ids = lock(&self.by_id);
        if self.forgets.load(Ordering::SeqCst) != stamp.0 {
            return;
        }
        ids.insert(principal.token_id, digest);
        self.by_digest.insert(
            digest,
            CachedToken {
                principal,
                expires_at,
            },
        );
        let capacity = self.by_digest.policy().max_capacity().unwrap_or(0) as usize;
        if ids.len() > 2 * capacity {
            self.by_digest.run_pending_tasks();
            ids.retain(|_, d| self.by_digest.contains_key(d));
        }
    }

    /// Drops a token (revoked, deleted or ended): its next request asks the database.
    pub fn forget(&self, token_id: i64) {
        let mut ids = lock(&self.by_id);
        self.forgets.fetch_add(1, Ordering::SeqCst);
        if let Some(d) = ids.remove(&token_id) {
            self.by_digest.invalidate(&d);
        }
    }

    /// The ids of the cached tokens (and perhaps of a few the cache has just evicted).
    pub fn ids(&self) -> Vec<i64> {
        lock(&self.by_id).keys().copied().collect()
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
pub struct Caches {
    /// Token digest → principal.
    pub tokens: TokenCache,
    /// Buyer profiles by token id (a profile never changes; it goes with its token).
    buyers: Cache<i64, Arc<BuyerRow>>,
    /// Live or ended sessions.
    sessions: Cache<i64, Arc<SessionFacts>>,
    /// (session, variant) → the latest sale of the variant in the session, or none.
    sales: Cache<(i64, i64), LatestSale>,
    /// Session → the variants of its entries in `sales` (a superset, pruned against it when
    /// it grows past twice the cache): a session's sales are dropped without looking at the
    /// others. Held while a sale is stored or a session forgotten.
    sales_by_session: Mutex<SaleIndex>,
    /// (buyer, key) → order id, for the keys this instance answered.
    keys: Cache<(i64, String), i64>,
    /// Variant id → its facts, with the catalog cache's ticket taken before they were read:
    /// used while the catalog cache says nothing of the product changed since
    /// ([`silkstream_catalog::cache::ProductCache::unchanged_since`]).
    facts: Cache<i64, (Arc<VariantFacts>, Ticket)>,
}

#[derive(Default)]
struct SaleIndex {
    variants: HashMap<i64, HashSet<i64>>,
    /// The (session, variant) pairs in `variants`.
    len: usize,
}

impl Default for Caches {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches")
            .field("tokens", &self.tokens)
            .field("buyers", &self.buyers.entry_count())
            .field("sessions", &self.sessions.entry_count())
            .field("sales", &self.sales.entry_count())
            .field("keys", &self.keys.entry_count())
            .field("facts", &self.facts.entry_count())
            .finish()
    }
}

impl Caches {
    /// Maps of at most `capacity` entries each.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            tokens: TokenCache::with_capacity(capacity),
            buyers: cache(capacity),
            sessions: cache(capacity),
            sales: cache(capacity),
            sales_by_session: Mutex::default(),
            keys: cache(capacity),
            facts: cache(capacity),
        }
    }

    pub(crate) fn buyer(&self, token_id: i64) -> Option<Arc<BuyerRow>> {
        self.buyers.get(&token_id)
    }

    pub(crate) fn put_buyer(&self, row: Arc<BuyerRow>) {
        self.buyers.insert(row.token_id, row);
    }

    /// Forgets a token and its buyer profile (revoked, or a guest deleted).
    pub fn forget_token(&self, token_id: i64) {
        self.tokens.forget(token_id);
        self.buyers.invalidate(&token_id);
    }

    pub(crate) fn session(&self, id: i64) -> Option<Arc<SessionFacts>> {
        self.sessions.get(&id)
    }

    /// Keeps a session's facts when its state may be trusted from memory (live or ended).
    pub(crate) fn put_session(&self, id: i64, facts: Arc<SessionFacts>) {
        if matches!(facts.state, SessionState::Live | SessionState::Ended) {
            self.sessions.insert(id, facts);
        }
    }

    /// Forgets a session and its sales (its state changed, or an order found it changed).
    pub(crate) fn forget_session(&self, id: i64) {
        self.sessions.invalidate(&id);
        let mut index = lock(&self.sales_by_session);
        if let Some(variants) = index.variants.remove(&id) {
            index.len -= variants.len();
            for v in variants {
                self.sales.invalidate(&(id, v));
            }
        }
    }

    pub(crate) fn sale(&self, session_id: i64, variant_id: i64) -> Option<LatestSale> {
        self.sales.get(&(session_id, variant_id))
    }

    pub(crate) fn put_sale(&self, session_id: i64, variant_id: i64, sale: LatestSale) {
        let mut index = lock(&self.sales_by_session);
        if index
            .variants
            .entry(session_id)
            .or_default()
            .insert(variant_id)
        {
            index.len += 1;
        }
        self.sales.insert((session_id, variant_id), sale);
        let capacity = self.sales.policy().max_capacity().unwrap_or(0) as usize;
        if index.len > 2 * capacity {
            self.sales.run_pending_tasks();
            let sales = &self.sales;
            index.variants.retain(|s, vs| {
                vs.retain(|v| sales.contains_key(&(*s, *v)));
                !vs.is_empty()
            });
            index.len = index.variants.values().map(HashSet::len).sum();
        }
    }

    /// Forgets the sale (or the absence of one) of a variant in a session.
    pub(crate) fn forget_sale(&self, session_id: i64, variant_id: i64) {
        self.sales.invalidate(&(session_id, variant_id));
    }

    /// The order a key names, when this instance answered it.
    pub(crate) fn key(&self, buyer: i64, key: &str) -> Option<i64> {
        self.keys.get(&(buyer, key.to_owned()))
    }

    pub(crate) fn facts(&self, variant_id: i64) -> Option<(Arc<VariantFacts>, Ticket)> {
        self.facts.get(&variant_id)
    }

    pub(crate) fn put_facts(&self, variant_id: i64, facts: Arc<VariantFacts>, ticket: Ticket) {
        self.facts.insert(variant_id, (facts, ticket));
    }

    pub(crate) fn put_key(&self, buyer: i64, key: &str, order_id: i64) {
        self.keys.insert((buyer, key.to_owned()), order_id);
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

    /// A flash sale's buyers keep being answered from memory while new buyers three times the
    /// cache's size pass through a full cache (the old map was emptied when full, and every
    /// buyer of the sale went back to the database at once).
    #[test]
    fn a_flash_sale_keeps_its_buyers_through_a_full_cache() {
        let capacity = 2_000;
        let caches = Caches::with_capacity(capacity);
        let buyer = |id: i64| {
            Arc::new(BuyerRow {
                token_id: id,
                display_name: "A".into(),
                country: "KZ".into(),
                city: "Almaty".into(),
                locale: "kk".into(),
                created_at: 0,
            })
        };
        let read = |id: i64| {
            if caches.buyer(id).is_some() {
                return true;
            }
            caches.put_buyer(buyer(id));
            false
        };
        for id in 10_000..10_000 + capacity as i64 {
            read(id);
        }
        let hot: Vec<i64> = (1..=50).collect();
        for _ in 0..5 {
            for id in &hot {
                read(*id);
            }
        }
        caches.buyers.run_pending_tasks();
        let (mut hits, mut reads) = (0, 0);
        for (i, id) in (100_000..100_000 + 3 * capacity as i64).enumerate() {
            read(id);
            if i % 20 == 0 {
                for id in &hot {
                    reads += 1;
                    hits += usize::from(read(*id));
                }
            }
        }
        assert!(
            hits * 100 >= reads * 95,
            "the sale's buyers hit {hits} times in {reads} reads"
        );
        caches.buyers.run_pending_tasks();
        assert!(caches.buyers.entry_count() <= capacity as u64);
    }

    /// A session's sales are forgotten through the index, the other sessions' stay; the
    /// index is pruned against the cache.
    #[test]
    fn a_forgotten_session_drops_its_sales_only() {
        let caches = Caches::with_capacity(100);
        for v in 0..10 {
            caches.put_sale(1, v, None);
            caches.put_sale(2, v, None);
        }
        caches.forget_session(1);
        assert!((0..10).all(|v| caches.sale(1, v).is_none()));
        assert!((0..10).all(|v| caches.sale(2, v).is_some()));
        for v in 0..1_000 {
            caches.put_sale(3, v, None);
        }
        assert!(lock(&caches.sales_by_session).len <= 200);
    }

    /// A token evicted and a token forgotten are both unknown; a forget by id finds any token
    /// the cache holds, however full it is.
    #[test]
    fn a_full_token_cache_still_forgets_by_id() {
        let cache = TokenCache::with_capacity(100);
        for id in 0..1_000u32 {
            let mut digest = [0; 32];
            digest[..4].copy_from_slice(&id.to_be_bytes());
            cache.put(cache.stamp(), digest, principal(i64::from(id)), None);
        }
        cache.by_digest.run_pending_tasks();
        let held: Vec<i64> = cache
            .ids()
            .into_iter()
            .filter(|id| matches!(cache.get_by_id(*id, 0), Cached::Valid(_)))
            .collect();
        assert!(!held.is_empty() && held.len() <= 100, "{}", held.len());
        for id in &held {
            cache.forget(*id);
            assert_eq!(cache.get_by_id(*id, 0), Cached::Unknown);
        }
        assert!(cache.ids().len() <= 200);
    }
}
