//! Tokens as the feed sees them: the port through which the server (which owns the `tokens`
//! table) creates guest buyers' tokens and tells which tokens have ended, and why a token ended.

use crate::domain::error::Result;

/// A boxed future that can cross threads (what a dyn-compatible async method returns).
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Creates the bearer token of a guest buyer. The server implements it with its token store, so
/// that buyer tokens are ordinary tokens (same digest, revocation and check on every request).
/// It also tells the feed which of its connections' tokens have ended.
pub trait BuyerTokens: Send + Sync {
    /// A new buyer token named `name`: its id and its secret.
    fn create_buyer_token<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<(i64, String)>>;

    /// Of the tokens `ids`, those that can no longer authenticate, each with why (one query).
    fn ended_tokens<'a>(&'a self, ids: &'a [i64]) -> BoxFuture<'a, Result<Vec<(i64, TokenEnd)>>>;
}

/// Why a token no longer authenticates: its open feeds close with 4401 and this reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenEnd {
    Revoked,
    Expired,
    /// The token's row is gone.
    Gone,
}

impl TokenEnd {
    /// The close frame's reason.
    pub fn reason(&self) -> &'static str {
        match self {
            TokenEnd::Revoked => "token revoked",
            TokenEnd::Expired => "token expired",
            TokenEnd::Gone => "token unknown",
        }
    }
}
