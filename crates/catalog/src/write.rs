//! The one write path of the catalog: `CatalogStore::write` begins a transaction on the
//! writer; the caller works in it (`CatalogWrite::tx`) and records what it changed
//! (`CatalogWrite::changed`, `CatalogWrite::changed_variant`,
//! `CatalogWrite::landed_changed`); `CatalogWrite::commit` raises `catalog_version` in the
//! transaction, commits, drops what changed from this instance's caches, then tells the commit
//! hook ([`CatalogStore::subscribe_commits`]) the new version. Dropping a `CatalogWrite` without
//! committing rolls everything back and tells nobody. Every write of the catalog's tables goes
//! through here (the model is the feed's `FeedStore::write`), but for two that no cache reads:
//! the rule file's load at start (`landed_store::load_rule_file`, before the instance serves)
//! and the claims evidence log. Stock moved by the feed's orders and sales is written in the
//! feed's transactions and reaches the caches through its event log instead (`cache`'s header).
//!
//! Why every write raises the version, even one that changes nothing a rendered product shows:
//! the other instances learn of a change only from the version (read on their clock by
//! `cache::run_version_watch`, or pushed to them from the commit hook), and a moved version
//! cannot say what changed, so they drop everything. Raising it always keeps "a change is seen
//! everywhere" true of writes whose readers are added later. The instance that made the write
//! has dropped exactly what it changed; when the version it last saw was the one before, it
//! records its own (`ProductCache::saw_own_commit`) so that its watch does not drop everything
//! again on reading it.
//!
//! The version row is updated last, just before the commit, like the feed's event clock: on
//! PostgreSQL the row is held only for the commit, so catalog writes queue on it for no longer
//! than a commit. Errors are the catalog's [`Error`](crate::Error).

use tokio::sync::watch;

use crate::cache::Changed;
use crate::db::{Conn, Tx};
use crate::error::Result;
use crate::store::CatalogStore;

/// A write transaction on the catalog (see the module's docs).
#[must_use = "a catalog write that is not committed rolls back"]
pub(crate) struct CatalogWrite<'a> {
    store: &'a CatalogStore,
    tx: Tx,
    /// What rendered products the write changed; dropped from the cache after the commit.
    changed: Vec<Changed>,
    /// True when the write changed what landed-cost quotes read (rules, rates).
    landed: bool,
}

/// The commit hook's sending side, one per instance (shared by the clones of a
/// [`CatalogStore`]).
#[derive(Debug)]
pub(crate) struct Commits(watch::Sender<i64>);

impl Default for Commits {
    fn default() -> Self {
        Self(watch::Sender::new(0))
    }
}

impl Commits {
    /// Publishes `version` unless a later one was published already: two writes' commits can
    /// finish in either order, and a reader only needs the latest.
    fn publish(&self, version: i64) {
        self.0.send_if_modified(|latest| {
            let later = version > *latest;
            if later {
                *latest = version;
            }
            later
        });
    }
}

impl CatalogStore {
    /// Begins a write of the catalog (on SQLite, waits for the one writer connection).
    pub(crate) async fn write(&self) -> Result<CatalogWrite<'_>> {
        Ok(CatalogWrite {
            store: self,
            tx: self.db.begin().await?,
            changed: Vec::new(),
            landed: false,
        })
    }

    /// The commit hook: the latest `catalog_version` a catalog write committed on this
    /// instance (0 until one does). Every committed write raises it; `changed()` wakes on each
    /// (a reader that falls behind sees only the latest, which is all another instance needs:
    /// any moved version drops its whole cache). Publish it to the other instances, which hand
    /// it to [`CatalogStore::apply_remote_version`].
    pub fn subscribe_commits(&self) -> watch::Receiver<i64> {
        self.commits.0.subscribe()
    }

    /// What the version watch does with a `catalog_version` it read: when it differs from the
    /// last one this instance saw, drops every rendered product and the landed-cost snapshot
    /// (the first version seen is only recorded). True when it dropped them. For a version
    /// learned from another instance (its commit hook) as well as one read from the database.
    pub fn apply_remote_version(&self, version: i64) -> bool {
        let moved = self.cache().saw_version(version);
        if moved {
            self.landed.invalidate();
            // A picture deleted elsewhere: its files are gone from the shared store.
            self.images.forget_all();
        }
        moved
    }
}

impl CatalogWrite<'_> {
    /// The connection to run this transaction's statements on.
    pub fn tx(&mut self) -> &mut Conn {
        &mut self.tx
    }

    /// Records that the write changed what `changed` covers of the rendered products.
    pub fn changed(&mut self, changed: Changed) {
        if !self.changed.contains(&changed) {
            self.changed.push(changed);
        }
    }

    /// Records a change to a variant: its product's renderings (everything when the variant
    /// is not found), read in this transaction.
    pub async fn changed_variant(&mut self, variant_id: i64) -> Result<()> {
        let product: Option<(i64,)> =
            sqlx::query_as("SELECT product_id FROM variants WHERE id = $1")
                .bind(variant_id)
                .fetch_optional(&mut *self.tx)
                .await?;
        self.changed(product.map_or(Changed::All, |(id,)| Changed::Product(id)));
        Ok(())
    }

    /// Records that the write changed what landed-cost quotes read (a rule, a rate).
    pub fn landed_changed(&mut self) {
        self.landed = true;
    }

    /// Raises the catalog's version, commits, drops what changed from this instance's caches
    /// and tells the commit hook. Returns the version this write committed.
    pub async fn commit(mut self) -> Result<i64> {
        let (version,): (i64,) = sqlx::query_as(
            "UPDATE catalog_version SET version = version + 1 WHERE id = 1 RETURNING version",
        )
        .fetch_one(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        let store = self.store;
        if self.landed {
            store.landed.invalidate();
        }
        for changed in self.changed {
            store.cache().invalidate(changed);
        }
        store.cache().saw_own_commit(version);
        store.commits.publish(version);
        Ok(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hook keeps the latest version: one published late (an earlier commit finishing
    /// after a later one) neither lowers it nor wakes a reader.
    #[test]
    fn the_hook_keeps_the_latest_version() {
        let commits = Commits::default();
        let mut reader = commits.0.subscribe();
        commits.publish(5);
        assert!(reader.has_changed().expect("the sender lives"));
        assert_eq!(*reader.borrow_and_update(), 5);
        commits.publish(4);
        assert!(!reader.has_changed().expect("the sender lives"));
        assert_eq!(*reader.borrow(), 5);
        commits.publish(6);
        assert_eq!(*reader.borrow_and_update(), 6);
    }
}
