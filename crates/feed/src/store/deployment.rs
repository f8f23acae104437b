//! The deployment's key (`deployment`, one row): a random name made by the first instance that
//! starts on a database and read by every later one. Instances that share a database share the
//! key, and so their channels and keys in Redis ([`crate::tasks::cluster`]); two deployments (or two
//! test databases) on one Redis never hear each other.

use super::FeedStore;
use crate::domain::error::Result;

impl FeedStore {
    /// The deployment's key, made on first use.
    pub async fn deployment_key(&self) -> Result<String> {
        let fresh = uuid::Uuid::new_v4().simple().to_string();
        sqlx::query(
            "INSERT INTO deployment (id, cluster_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&fresh)
        .execute(self.db.writer())
        .await?;
        let (key,): (String,) = sqlx::query_as("SELECT cluster_key FROM deployment WHERE id = 1")
            .fetch_one(self.db.reader())
            .await?;
        Ok(key)
    }
}
