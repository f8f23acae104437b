//! The read cache of rendered localized products (`GET /api/v1/products/{id}` with a locale and
//! a currency): each (product, locale, currency) rendered once, its JSON body kept, until
//! something it shows changes (docs/feed.md, "The catalog's read cache").
//!
//! What invalidates an entry, and how each instance learns of it:
//! - the catalog's own writes (a product, its variants, prices, stock set by an admin,
//!   translations, a merchant's name, the rate table, markets, warehouses, landed-cost rules) go
//!   through the one write path (`crate::write`): it raises the one-row `catalog_version` in
//!   their transaction and, right after the commit, drops what they changed on this instance and
//!   tells the commit hook (`CatalogStore::subscribe_commits`) the new version. Every instance
//!   reads that row on a short clock ([`run_version_watch`]) and drops everything when it moved;
//!   a version pushed from another instance's hook does the same at once
//!   (`CatalogStore::apply_remote_version`). So a change is seen at once on the instance that
//!   made it and within the clock (or the push) on the others;
//! - stock moved by orders and flash sales (the feed's writes) is read back from the event log
//!   by the feed's tailer on every instance, which drops the products those events name
//!   (`silkstream_feed::tasks::fanout::stock_moved`);
//! - the rate in force is the day's: an entry rendered on another (UTC) day is not used.
//!
//! A read that misses takes a [`Ticket`] before it reads the database and may only store what
//! it read if nothing it covers was invalidated since: a render that raced with a change is
//! answered but never kept, so the cache cannot hold an answer older than the last change it
//! was told of.
//!
//! The entries are a `moka` cache bounded by [`MAX_ENTRIES`]: TinyLFU admission keeps the
//! entries read often (a sale's products) when a burst of one-off reads passes through a full
//! cache, instead of evicting an arbitrary entry for each. An index from each product to its
//! entries drops one product's views without looking at the others.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Bytes;

use crate::localize::View;
use crate::model::Product;

/// What a change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// One product's rendering (its fields, variants, prices, stock, translations).
    Product(i64),
    /// Anything (the rate table, a merchant's name, a change made on another instance).
    All,
}

/// Entries kept at most; past it, the least likely to be read again makes room (TinyLFU).
pub const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    product_id: i64,
    locale: &'static str,
    currency: &'static str,
}

/// A product rendered for one view, and its JSON body.
#[derive(Debug)]
pub struct Rendered {
    pub product: Product,
    /// `serde_json::to_vec(&product)`: what the route answers when nothing is added per reader.
    pub body: Bytes,
    /// The UTC day it was rendered on (the day whose rates converted its prices).
    day: time::Date,
}

/// Taken before a read of the database; see [`ProductCache::put`].
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

#[derive(Default)]
struct State {
    /// Counts invalidations; a ticket is its value when the read began.
    clock: u64,
    /// The clock at the last invalidation of everything.
    all_at: u64,
    /// The clock at each product's last invalidation (since the last of everything).
    product_at: HashMap<i64, u64>,
    /// Each product's keys that may be in `entries` (a superset: the cache evicts on its own;
    /// pruned against it when it grows past twice the cache).
    by_product: HashMap<i64, HashSet<Key>>,
    /// The keys in `by_product`.
    indexed: usize,
    /// The `catalog_version` last read by [`run_version_watch`].
    version: Option<i64>,
}

/// The cache of one instance, shared by every clone of its `CatalogStore`.
pub struct ProductCache {
    /// The tickets' clock and the index; held while an entry is stored or dropped, so that a
    /// put and an invalidation never interleave.
    state: Mutex<State>,
    entries: moka::sync::Cache<Key, Arc<Rendered>>,
}

impl Default for ProductCache {
    fn default() -> Self {
        Self::with_capacity(MAX_ENTRIES)
    }
}

impl std::fmt::Debug for ProductCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProductCache")
            .field("entries", &self.entries.entry_count())
            .finish()
    }
}

impl ProductCache {
    /// A cache of at most `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            state: Mutex::default(),
            entries: moka::sync::Cache::new(capacity as u64),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Each update below is complete before the lock is released: a poisoned lock is whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn key(product_id: i64, view: &View) -> Key {
        Key {
            product_id,
            locale: view.locale,
            currency: view.currency.code(),
        }
    }

    /// The product rendered for `view` today, if it is kept.
    pub fn get(&self, product_id: i64, view: &View) -> Option<Arc<Rendered>> {
        let today = crate::store::today();
        self.entries
            .get(&Self::key(product_id, view))
            .filter(|r| r.day == today)
    }

    /// Take one before reading what [`ProductCache::put`] will store.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.lock().clock)
    }

    /// Renders `product`'s body and keeps it, unless the product (or everything) was
    /// invalidated after `ticket` was taken: then what was read may be older than the change,
    /// and it is answered but not kept.
    pub fn put(
        &self,
        ticket: Ticket,
        view: &View,
        product: Product,
        day: time::Date,
    ) -> serde_json::Result<Arc<Rendered>> {
        let body = Bytes::from(serde_json::to_vec(&product)?);
        let key = Self::key(product.id, view);
        let rendered = Arc::new(Rendered { product, body, day });
        let mut state = self.lock();
        if unchanged(&state, key.product_id, ticket) {
            if state
                .by_product
                .entry(key.product_id)
                .or_default()
                .insert(key.clone())
            {
                state.indexed += 1;
            }
            self.entries.insert(key, rendered.clone());
            if state.indexed > 2 * (self.entries.policy().max_capacity().unwrap_or(0) as usize) {
                self.prune(&mut state);
            }
        }
        Ok(rendered)
    }

    /// Drops from the index the keys the cache evicted.
    fn prune(&self, state: &mut State) {
        self.entries.run_pending_tasks();
        let entries = &self.entries;
        state.by_product.retain(|_, keys| {
            keys.retain(|k| entries.contains_key(k));
            !keys.is_empty()
        });
        state.indexed = state.by_product.values().map(HashSet::len).sum();
    }

    /// True when nothing that covers `product_id` (its fields, variants, prices, stock,
    /// translations, or everything) was invalidated after `ticket` was taken: what was read
    /// of the product since the ticket is still what the database holds, as far as this
    /// instance has been told. Other caches of catalog facts (the order path's variant facts)
    /// keep their entries with a ticket and ask this.
    pub fn unchanged_since(&self, product_id: i64, ticket: Ticket) -> bool {
        unchanged(&self.lock(), product_id, ticket)
    }

    /// Drops what `changed` covers (one product: its entries through the index, nothing
    /// else looked at); a render in flight that began before it is not kept.
    pub fn invalidate(&self, changed: Changed) {
        let mut state = self.lock();
        state.clock += 1;
        let now = state.clock;
        match changed {
            Changed::All => {
                state.all_at = now;
                state.product_at.clear();
                state.by_product.clear();
                state.indexed = 0;
                self.entries.invalidate_all();
            }
            Changed::Product(id) => {
                state.product_at.insert(id, now);
                if let Some(keys) = state.by_product.remove(&id) {
                    state.indexed -= keys.len();
                    for k in keys {
                        self.entries.invalidate(&k);
                    }
                }
            }
        }
    }

    /// Entries kept now.
    pub fn len(&self) -> usize {
        self.entries.run_pending_tasks();
        self.entries.entry_count() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records the `catalog_version` just read (or learned from another instance); drops
    /// everything when it moved past the last one known (the first reading only records it).
    /// A version older than the last one known is a reading that began before this instance's
    /// own commit recorded a newer one (`saw_own_commit`), or a notice overtaken by a reading:
    /// it changes nothing (applied, it would drop everything twice, going back and forth, and
    /// the order path would read the variants' facts and the landed-cost snapshot again).
    /// [`crate::CatalogStore::apply_remote_version`] also drops the landed-cost snapshot.
    pub fn saw_version(&self, version: i64) -> bool {
        let moved = {
            let mut state = self.lock();
            let moved = state.version.is_some_and(|v| version > v);
            if state.version.is_none_or(|v| version > v) {
                state.version = Some(version);
            }
            moved
        };
        if moved {
            self.invalidate(Changed::All);
        }
        moved
    }

    /// Records `version`, just committed by a write of this instance that has already dropped
    /// what it changed, when the last version seen was the one before it: nothing else
    /// changed in between, so the version watch need not drop everything when it reads it. A
    /// gap (another instance's write in between) is left to the watch.
    ///
    /// Before any reading, the own commit counts as the first reading (which only records): a
    /// reading that began before it and ends after it is then older, and changes nothing.
    pub(crate) fn saw_own_commit(&self, version: i64) {
        let mut state = self.lock();
        if state.version.is_none_or(|v| v == version - 1) {
            state.version = Some(version);
        }
    }
}

fn unchanged(state: &State, product_id: i64, ticket: Ticket) -> bool {
    state.all_at <= ticket.0
        && state
            .product_at
            .get(&product_id)
            .is_none_or(|at| *at <= ticket.0)
}

/// Every `every`, reads the catalog's version and, when another instance (or this one) changed
/// the catalog since the last reading, drops this instance's rendered products and its
/// landed-cost snapshot. Runs until `alive`'s sender is dropped or sends.
pub async fn run_version_watch(
    store: crate::CatalogStore,
    every: Duration,
    mut alive: tokio::sync::watch::Receiver<()>,
) {
    let mut clock = tokio::time::interval(every.max(Duration::from_millis(10)));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = clock.tick() => {}
            _ = alive.changed() => return,
        }
        match store.catalog_version().await {
            Ok(version) => {
                store.apply_remote_version(version);
            }
            Err(e) => tracing::warn!(error = %e, "catalog cache: cannot read the catalog version"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CurrencyCode;

    fn view() -> View {
        View::negotiate(Some("kk"), None, Some("KZT")).expect("a supported view")
    }

    fn product(id: i64, title: &str) -> Product {
        serde_json::from_value(serde_json::json!({
            "id": id, "merchant": "m", "merchant_id": 1, "category": "c", "hs_code": "610910",
            "origin_country": "CN", "weight_g": 1, "source_locale": "en", "title": title,
            "description": "", "attributes": {}, "archived": false,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "variants": [], "translations": [], "images": []
        }))
        .expect("a product")
    }

    /// A render that began before an invalidation of its product is answered but not kept.
    #[test]
    fn a_render_older_than_a_change_is_not_kept() {
        let cache = ProductCache::default();
        let v = view();
        let ticket = cache.ticket();
        cache.invalidate(Changed::Product(7));
        let day = crate::store::today();
        let answered = cache.put(ticket, &v, product(7, "old"), day).expect("put");
        assert_eq!(answered.product.title, "old");
        assert!(cache.get(7, &v).is_none(), "a stale render was kept");
        // Another product's render with the same ticket is kept.
        cache
            .put(ticket, &v, product(8, "eight"), day)
            .expect("put");
        assert!(cache.get(8, &v).is_some());
        // After everything is invalidated, no render from before is kept.
        let ticket = cache.ticket();
        cache.invalidate(Changed::All);
        assert!(cache.get(8, &v).is_none());
        cache.put(ticket, &v, product(9, "nine"), day).expect("put");
        assert!(cache.get(9, &v).is_none());
    }

    /// Entries are per view, dropped per product, and not used on another day.
    #[test]
    fn entries_are_per_view_product_and_day() {
        let cache = ProductCache::default();
        let kzt = view();
        let rub = View {
            currency: CurrencyCode::parse("currency", "RUB").expect("RUB"),
            ..kzt
        };
        let day = crate::store::today();
        cache
            .put(cache.ticket(), &kzt, product(1, "a"), day)
            .expect("put");
        assert!(cache.get(1, &kzt).is_some());
        assert!(cache.get(1, &rub).is_none());
        cache
            .put(cache.ticket(), &rub, product(1, "a"), day)
            .expect("put");
        cache
            .put(cache.ticket(), &kzt, product(2, "b"), day)
            .expect("put");
        cache.invalidate(Changed::Product(1));
        assert!(cache.get(1, &kzt).is_none() && cache.get(1, &rub).is_none());
        assert!(cache.get(2, &kzt).is_some());
        let yesterday = day.previous_day().expect("a day");
        cache
            .put(cache.ticket(), &kzt, product(3, "c"), yesterday)
            .expect("put");
        assert!(cache.get(3, &kzt).is_none(), "yesterday's render was used");
    }

    /// This instance's own commit, right after the version it last saw, is recorded without
    /// dropping anything; after a gap the next reading drops everything.
    #[test]
    fn an_own_commit_next_to_the_last_version_drops_nothing() {
        let cache = ProductCache::default();
        let v = view();
        let day = crate::store::today();
        cache.saw_own_commit(3);
        assert!(!cache.saw_version(3), "the first reading only records");
        cache
            .put(cache.ticket(), &v, product(1, "a"), day)
            .expect("put");
        cache.saw_own_commit(4);
        assert!(
            !cache.saw_version(4),
            "the watch reads this instance's own commit"
        );
        assert!(cache.get(1, &v).is_some());
        cache.saw_own_commit(6);
        assert!(cache.saw_version(6), "version 5 was another instance's");
        assert!(cache.get(1, &v).is_none());
    }

    /// A reading that began before this instance's own commit, applied after it, is older than
    /// the version known: nothing is dropped, then or at the next reading of the same version.
    #[test]
    fn a_stale_reading_after_an_own_commit_drops_nothing() {
        let cache = ProductCache::default();
        let v = view();
        let day = crate::store::today();
        assert!(!cache.saw_version(3), "the first reading only records");
        cache.saw_own_commit(4);
        cache
            .put(cache.ticket(), &v, product(1, "a"), day)
            .expect("put");
        assert!(!cache.saw_version(3), "a reading from before the commit");
        assert!(!cache.saw_version(4), "the commit's own version");
        // The same before any reading: the own commit is the first.
        let fresh = ProductCache::default();
        fresh.saw_own_commit(7);
        assert!(!fresh.saw_version(6), "a reading from before the commit");
        assert!(!fresh.saw_version(7));
        assert!(fresh.saw_version(8));
        assert!(cache.get(1, &v).is_some(), "nothing was dropped");
        assert!(cache.saw_version(5), "another instance's commit");
        assert!(cache.get(1, &v).is_none());
    }

    /// A version read that differs from the last one drops everything; the first only records.
    #[test]
    fn a_moved_version_drops_everything() {
        let cache = ProductCache::default();
        let v = view();
        let day = crate::store::today();
        assert!(!cache.saw_version(3));
        cache
            .put(cache.ticket(), &v, product(1, "a"), day)
            .expect("put");
        assert!(!cache.saw_version(3));
        assert!(cache.get(1, &v).is_some());
        assert!(cache.saw_version(4));
        assert!(cache.get(1, &v).is_none());
    }

    /// A flash sale's products, read all the time, keep hitting while a burst of one-off reads
    /// three times the cache's size passes through it (a crawler, a sale's page opened in
    /// every language): nothing clears the cache, and the frequent entries are not the ones
    /// that make room.
    #[test]
    fn a_burst_of_one_off_reads_keeps_the_sales_products() {
        let capacity = 1_000;
        let cache = ProductCache::with_capacity(capacity);
        let v = view();
        let day = crate::store::today();
        let hot: Vec<i64> = (1..=20).collect();
        let read = |id: i64| {
            if cache.get(id, &v).is_some() {
                return true;
            }
            cache
                .put(cache.ticket(), &v, product(id, "p"), day)
                .expect("put");
            false
        };
        // The cache full of yesterday's browsing, and the sale's products read a few times.
        for id in 1_000..1_000 + capacity as i64 {
            read(id);
        }
        for _ in 0..5 {
            for id in &hot {
                read(*id);
            }
        }
        cache.entries.run_pending_tasks();
        let (mut hits, mut reads) = (0, 0);
        for (i, id) in (100_000..100_000 + 3 * capacity as i64).enumerate() {
            read(id);
            if i % 10 == 0 {
                for id in &hot {
                    reads += 1;
                    hits += usize::from(read(*id));
                }
            }
        }
        assert!(
            hits * 100 >= reads * 95,
            "the sale's products hit {hits} times in {reads} reads"
        );
        assert!(cache.len() <= capacity, "{} entries", cache.len());
        let indexed = cache.lock().indexed;
        assert!(indexed <= 2 * capacity, "the index holds {indexed} keys");
        // One product dropped through the index; the others stay.
        cache.invalidate(Changed::Product(hot[0]));
        assert!(cache.get(hot[0], &v).is_none());
        assert!(cache.get(hot[1], &v).is_some());
    }
}
