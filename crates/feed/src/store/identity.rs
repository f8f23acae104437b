//! The key of the orderers' ID-number hashes ([`crate::domain::identity`]): the `identity_secret`
//! setting when one is given (keep it out of the database: a copy of the database alone then
//! cannot test guessed numbers against the hashes), else a random key made by the first
//! instance that needs one and kept in `identity_key` (one row), which every instance of the
//! deployment reads. Read once per instance.

use super::FeedStore;
use crate::domain::error::Result;

impl FeedStore {
    /// The HMAC key of the orderers' ID numbers.
    pub(crate) async fn identity_key(&self) -> Result<Vec<u8>> {
        if let Some(secret) = &self.identity.secret {
            return Ok(secret.as_bytes().to_vec());
        }
        let key = self
            .identity
            .key
            .get_or_try_init(|| async {
                let fresh = format!(
                    "{}{}",
                    uuid::Uuid::new_v4().simple(),
                    uuid::Uuid::new_v4().simple()
                );
                sqlx::query(
                    "INSERT INTO identity_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&fresh)
                .execute(self.db.writer())
                .await?;
                let (key,): (String,) = sqlx::query_as("SELECT key FROM identity_key WHERE id = 1")
                    .fetch_one(self.db.writer())
                    .await?;
                Ok::<_, crate::domain::error::Error>(key.into_bytes())
            })
            .await?;
        Ok(key.clone())
    }
}

/// The identity key's source: the configured secret, or the database's key once read.
#[derive(Debug, Default)]
pub(crate) struct IdentityKey {
    pub secret: Option<String>,
    pub key: tokio::sync::OnceCell<Vec<u8>>,
}
