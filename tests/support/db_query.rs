//! Every SQL statement the harness sends, read straight from the pool behind the server's back
//! (to prove that a refused request wrote nothing). [`TestApp::table_counts`] and
//! [`TestApp::scalar`] are the only two helpers that touch the database layer's API
//! (`silkstream_catalog::dispatch!`); [`TestApp::feed_fingerprint`] is built on them.

use crate::app::TestApp;

impl TestApp {
    /// Row counts of every catalog table, to prove a refused request wrote nothing.
    pub async fn table_counts(&self) -> Vec<(String, i64)> {
        let mut out = Vec::new();
        for table in [
            "products",
            "variants",
            "prices",
            "rates",
            "warehouses",
            "stock",
            "markets",
            "market_warehouses",
            "translations",
            "tokens",
            "product_images",
            "image_blobs",
            "image_files",
        ] {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let (n,): (i64,) = sqlx::query_as(&sql)
                .fetch_one(self.db.reader())
                .await
                .expect("count rows");
            out.push((table.to_owned(), n));
        }
        out
    }

    /// Runs one statement behind the server's back (to place a test's orders at chosen times,
    /// move a token's expiry into the past, or plant rows older code let in); the rows it
    /// changed.
    pub async fn execute(&self, sql: &str) -> u64 {
        sqlx::query(sql)
            .execute(self.db.writer())
            .await
            .expect("statement")
            .rows_affected()
    }

    /// One integer from a query.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql)
            .fetch_one(self.db.reader())
            .await
            .expect("scalar query");
        n
    }

    /// A fingerprint of everything the feed and the catalog store: row counts of every table,
    /// stock and sale units, session states. Equal before and after means nothing was written.
    pub async fn feed_fingerprint(&self) -> Vec<(String, i64)> {
        let mut out = self.table_counts().await;
        for (name, sql) in [
            ("buyers", "SELECT COUNT(*) FROM buyers"),
            ("sessions", "SELECT COUNT(*) FROM sessions"),
            ("showcase", "SELECT COUNT(*) FROM showcase"),
            ("flash_sales", "SELECT COUNT(*) FROM flash_sales"),
            (
                "sale_buyers",
                "SELECT COALESCE(CAST(SUM(units) AS BIGINT), 0) FROM sale_buyers",
            ),
            ("orders", "SELECT COUNT(*) FROM orders"),
            ("payments", "SELECT COUNT(*) FROM payments"),
            (
                "payment callbacks",
                "SELECT COUNT(*) FROM payment_callbacks",
            ),
            ("refunds", "SELECT COUNT(*) FROM refunds"),
            ("events", "SELECT COUNT(*) FROM events"),
            ("chat messages", "SELECT COUNT(*) FROM chat_messages"),
            (
                "chat states",
                "SELECT COUNT(*) FROM chat_messages WHERE state <> 'shown'",
            ),
            ("chat mutes", "SELECT COUNT(*) FROM chat_mutes"),
            (
                "slow mode",
                "SELECT COALESCE(CAST(SUM(chat_slow_mode_s) AS BIGINT), 0) FROM sessions",
            ),
            (
                "stock units",
                "SELECT COALESCE(CAST(SUM(available) AS BIGINT), 0) FROM stock",
            ),
            (
                "sale units",
                "SELECT COALESCE(CAST(SUM(remaining + allocated) AS BIGINT), 0) FROM flash_sales",
            ),
            (
                "paused sales",
                "SELECT COUNT(*) FROM flash_sales WHERE state = 'paused'",
            ),
            (
                "live sessions",
                "SELECT COUNT(*) FROM sessions WHERE state = 'live'",
            ),
            (
                "pinned",
                "SELECT COUNT(*) FROM sessions WHERE pinned_product_id IS NOT NULL",
            ),
            (
                "order states",
                "SELECT COUNT(*) FROM orders WHERE status <> 'confirmed'",
            ),
        ] {
            out.push((name.to_owned(), self.scalar(sql).await));
        }
        out
    }
}
