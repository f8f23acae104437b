//! API tokens: random 256-bit values shown once and stored only as SHA-256 digests. A fast hash
//! is right here: the tokens are random, so there is nothing to brute-force, and a slow password
//! hash would tax every request. Tokens can expire and be revoked. A buyer token made outside
//! the HTTP sign-up (the command line, the demo) comes with its buyer profile: [`create_buyer`].

use std::sync::Arc;

use base64::Engine;
use rand::{RngCore, TryRngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use silkstream_catalog::auth::{Principal, Role};
use silkstream_catalog::db::{now_ms, rfc3339, Db};
use silkstream_catalog::error::{Error, Result};
use silkstream_feed::domain::model::{Buyer, NewBuyer};
use silkstream_feed::{FeedStore, TokenEnd};
use tracing::instrument;
use utoipa::ToSchema;

/// Longest a token may live.
pub const MAX_EXPIRY_DAYS: i64 = 3650;

/// A token as listed: never the secret itself.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked: bool,
}

/// A token just created: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    /// The bearer token. Store it now: it cannot be shown again.
    pub token: String,
}

use silkstream_catalog::tokens::{self as table, TokenRow, TokenState};

fn info(row: TokenRow) -> TokenInfo {
    TokenInfo {
        id: row.id,
        role: Role::parse(&row.role).unwrap_or(Role::Buyer),
        name: row.name,
        created_at: rfc3339(row.created_at),
        expires_at: row.expires_at.map(rfc3339),
        revoked: row.revoked_at.is_some(),
    }
}

pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn generate() -> String {
    let mut bytes = [0u8; 32];
    // The OS's generator; a failure of it panics, as no token may come from a weaker one.
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut bytes);
    format!(
        "ss_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

#[derive(Clone, Debug)]
pub struct TokenStore {
    db: Db,
    /// Tokens this instance has checked ([`silkstream_feed::store::cache::TokenCache`]): a revocation
    /// here forgets the token at once; the feed's token refresh forgets those revoked, expired
    /// or deleted elsewhere within its period.
    cache: Arc<silkstream_feed::store::cache::Caches>,
}

impl TokenStore {
    /// A token store with a memory of its own (the command line, the demo, tests' setup).
    pub fn new(db: Db) -> Self {
        Self::with_cache(db, Arc::default())
    }

    /// A token store sharing the feed's memory (the server: the feed refreshes it and forgets
    /// the guests it deletes).
    pub fn with_cache(db: Db, cache: Arc<silkstream_feed::store::cache::Caches>) -> Self {
        Self { db, cache }
    }

    #[instrument(skip_all, fields(role = %role))]
    pub async fn create(
        &self,
        name: &str,
        role: Role,
        expires_in_days: Option<i64>,
    ) -> Result<NewToken> {
        let name = silkstream_catalog::text::line("name", name, 100)?;
        if let Some(days) = expires_in_days {
            if !(1..=MAX_EXPIRY_DAYS).contains(&days) {
                return Err(Error::invalid(
                    "expires_in_days",
                    format!("must be between 1 and {MAX_EXPIRY_DAYS}"),
                ));
            }
        }
        let token = generate();
        let now = now_ms();
        let expires_at = expires_in_days.map(|d| now + d * 86_400_000);
        let id = table::insert(
            &self.db,
            &name,
            role.as_str(),
            &digest(&token),
            now,
            expires_at,
        )
        .await?;
        Ok(NewToken {
            info: TokenInfo {
                id,
                name,
                role,
                created_at: rfc3339(now),
                expires_at: expires_at.map(rfc3339),
                revoked: false,
            },
            token,
        })
    }

    /// The principal a token stands for, if it is known, unexpired and not revoked.
    /// A token this instance has checked is answered from memory (its cached expiry still
    /// applies); any other is read from the database and, when valid, remembered.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>> {
        use silkstream_feed::store::cache::Cached;
        if token.len() > 200 {
            return Ok(None);
        }
        let raw: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        match self.cache.tokens.get(&raw, now_ms()) {
            Cached::Valid(principal) => return Ok(Some(principal)),
            Cached::Expired => return Ok(None),
            Cached::Unknown => {}
        }
        let stamp = self.cache.tokens.stamp();
        let Some(row) = table::by_digest(&self.db, &hex::encode(raw)).await? else {
            return Ok(None);
        };
        if row.state(now_ms()) != TokenState::Live {
            return Ok(None);
        }
        let (id, name, role, expires_at) = (row.id, row.name, row.role, row.expires_at);
        let principal = Role::parse(&role).map(|role| Principal {
            token_id: id,
            name,
            role,
        });
        if let Some(p) = &principal {
            self.cache.tokens.put(stamp, raw, p.clone(), expires_at);
        }
        Ok(principal)
    }

    /// Of the tokens `ids`, those that can no longer authenticate (revoked, expired, or gone),
    /// in one query by primary key: the feed's token watch asks this about its open
    /// connections' tokens every second.
    pub async fn ended(&self, ids: &[i64]) -> Result<Vec<(i64, TokenEnd)>> {
        let rows = table::by_ids(&self.db, ids).await?;
        let now = now_ms();
        let mut ended: Vec<(i64, TokenEnd)> = rows
            .iter()
            .filter_map(|row| match row.state(now) {
                TokenState::Revoked => Some((row.id, TokenEnd::Revoked)),
                TokenState::Expired => Some((row.id, TokenEnd::Expired)),
                TokenState::Live => None,
            })
            .collect();
        let found: std::collections::HashSet<i64> = rows.iter().map(|r| r.id).collect();
        ended.extend(
            ids.iter()
                .filter(|id| !found.contains(id))
                .map(|id| (*id, TokenEnd::Gone)),
        );
        Ok(ended)
    }

    #[instrument(skip_all, fields(id))]
    pub async fn revoke(&self, id: i64) -> Result<TokenInfo> {
        // Forgotten before and after the write: no check that read the row before the revocation
        // commits can cache it (the cache's stamps), and none is left cached after.
        self.cache.forget_token(id);
        // Stamped inside the write once it holds what orders hold (`tokens::revoke`).
        let done = table::revoke(&self.db, id).await?;
        self.cache.forget_token(id);
        let info = self.get(id).await?;
        if !done && !info.revoked {
            return Err(Error::not_found(format!("token {id}")));
        }
        Ok(info)
    }

    pub async fn get(&self, id: i64) -> Result<TokenInfo> {
        table::get(&self.db, id)
            .await?
            .map(info)
            .ok_or_else(|| Error::not_found(format!("token {id}")))
    }

    /// One page of the tokens (`per_page` from `(page - 1) * per_page`, by id), of one role or
    /// all, and how many there are in all.
    pub async fn page(
        &self,
        role: Option<Role>,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<TokenInfo>, i64)> {
        let (rows, total) = table::page(
            &self.db,
            role.map(|r| r.as_str()),
            (page - 1).saturating_mul(per_page),
            per_page,
        )
        .await?;
        Ok((rows.into_iter().map(info).collect(), total))
    }

    /// Every token (the command line's `token list`).
    pub async fn list(&self) -> Result<Vec<TokenInfo>> {
        Ok(table::all(&self.db).await?.into_iter().map(info).collect())
    }
}

/// A buyer token with its buyer profile (market, city, language): without one a buyer cannot
/// order. The profile is checked like the HTTP sign-up's (`POST /api/v1/buyers`) before the
/// token is made, and written through the same store call; `client_addr` records where the
/// buyer came from (`cli`, `demo`).
pub async fn create_buyer(
    db: &Db,
    name: &str,
    expires_in_days: Option<i64>,
    profile: &NewBuyer,
    client_addr: &str,
) -> anyhow::Result<(NewToken, Buyer)> {
    let profile = FeedStore::check_buyer(profile)
        .map_err(|e| anyhow::anyhow!("invalid buyer profile: {e}"))?;
    let tokens = TokenStore::new(db.clone());
    let token = tokens
        .create(name, Role::Buyer, expires_in_days)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match silkstream_feed::store::sessions::create_buyer(db, token.info.id, &profile, client_addr)
        .await
    {
        Ok(buyer) => Ok((token, buyer)),
        Err(e) => {
            // A buyer token without a profile could never order: take it back.
            let _ = tokens.revoke(token.info.id).await;
            Err(anyhow::anyhow!("cannot write the buyer profile: {e}"))
        }
    }
}
