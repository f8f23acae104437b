//! Who is calling: the [`Principal`] the server's token check puts on each request, and the
//! [`Role`]s. Handlers take a `Principal` argument (401 when the request carries none) and call
//! [`Principal::require`] (403 for a wrong role). A route whose roles are fixed takes an
//! [`Authorized`] instead, placed before its other extractors: the role is then checked before
//! the path, the query or the body is read, so a caller of the wrong role gets 403, never the
//! body's 422 with its schema details.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages the catalog, rates and tokens.
    Admin,
    /// Runs live sessions.
    Host,
    /// Watches and orders.
    Buyer,
    /// Watches every room, exports orders.
    Operator,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Host, Role::Buyer, Role::Operator];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Host => "host",
            Role::Buyer => "buyer",
            Role::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The authenticated caller: the token's id, name and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub token_id: i64,
    pub name: String,
    pub role: Role,
}

impl Principal {
    /// Ok when the caller has one of `roles`, else 403 naming them.
    pub fn require(&self, roles: &[Role]) -> Result<(), Error> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(Role::as_str).collect();
            Err(Error::Forbidden(format!(
                "this needs the {} role; the token's role is {}",
                names.join(" or "),
                self.role
            )))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or(Error::Unauthorized)
    }
}

/// A fixed set of roles, as a type, for [`Authorized`].
pub trait RoleSet: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

/// The admin role only.
pub struct Admins;

impl RoleSet for Admins {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// The authenticated caller, already checked to have one of `R::ROLES` (401 without a token,
/// 403 with another role). As an extractor it runs before the ones after it in a handler's
/// arguments, so put it before `ApiPath`, `ApiQuery` and `ApiJson`.
pub struct Authorized<R: RoleSet>(pub Principal, pub std::marker::PhantomData<R>);

impl<S: Send + Sync, R: RoleSet> FromRequestParts<S> for Authorized<R> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        principal.require(R::ROLES)?;
        Ok(Authorized(principal, std::marker::PhantomData))
    }
}
