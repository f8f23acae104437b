//! Merchants and their credentials, and the qualification gate's rules (docs/cross-border.md).
//!
//! A merchant is the seller of record of its products; a credential is a licence, registration
//! or declaration it holds: a kind, a number, an issuer, the days it is valid (both inclusive)
//! and the markets it covers. The rules are data: `data/regulated-categories.json` maps
//! category prefixes (codes of the category tree, `crate::categories`) to the credential kind
//! each market requires, maps HS chapters and headings to the category they count as (so that
//! a product is regulated by its HS code too, whatever category it was filed under), and names
//! the categories (insurance) that are never sold in a live room. [`qualification_in`] is the gate's one
//! decision, run by the feed inside the session's locked write transaction. Errors are
//! [`crate::Error`].

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Admins, Authorized, Principal, Role, RoleSet};
use crate::codes::{self, CountryCode};
use crate::db::{now_ms, rfc3339, Conn};
use crate::error::{unique_violation, Error, ErrorBody, Result};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::store::{today, CatalogStore};
use crate::validate::{date, format_date};

const RULES_JSON: &str = include_str!("../data/regulated-categories.json");

/// The law or notice a rule stands on.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RegulatedCategorySource)]
pub struct Source {
    pub title: String,
    pub url: String,
}

/// A product in `prefix` (or below it) sold into one of `markets` needs a credential of `kind`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RegulatedCategoryRule)]
pub struct Rule {
    pub prefix: String,
    pub markets: Vec<String>,
    pub kind: String,
    pub source: Source,
}

/// A product whose HS code starts with `hs` is, for the gate, also in `category`: so that a
/// regulated product filed under a harmless-looking category is still stopped.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HsPrefix {
    /// An HS chapter (2 digits), heading (4) or subheading (6).
    pub hs: String,
    /// The code of the category of the tree it counts as (`GET /api/v1/categories`).
    pub category: String,
    /// What the chapter or heading covers, in the nomenclature's words.
    pub covers: String,
    pub source: Source,
}

/// Products in `prefix` (or below it) are never sold in a live room.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotSellable {
    pub prefix: String,
    pub source: Source,
}

/// The file `data/regulated-categories.json`, as `GET /api/v1/regulated-categories` serves it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub about: String,
    /// HS prefixes and the category each counts as for the rules.
    pub hs_prefixes: Vec<HsPrefix>,
    pub rules: Vec<Rule>,
    pub not_sellable: Vec<NotSellable>,
}

/// The rules, parsed once; the file is checked by this crate's tests.
pub static RULES: LazyLock<Rules> = LazyLock::new(|| {
    serde_json::from_str(RULES_JSON).expect("data/regulated-categories.json is valid")
});

/// True when `category` is `prefix` or lies below it (`food` covers `food.meat`, not `foodstuff`).
fn under(category: &str, prefix: &str) -> bool {
    category == prefix
        || (category.starts_with(prefix) && category.as_bytes().get(prefix.len()) == Some(&b'.'))
}

/// A credential kind a product needs, and what made the rule apply.
#[derive(Debug, Clone)]
pub struct Requirement<'a> {
    pub kind: &'a str,
    /// `None` when the product's category is under the rule's prefix; otherwise the HS prefix
    /// that brought the rule in.
    pub by_hs: Option<&'a HsPrefix>,
}

impl Rules {
    /// The HS prefixes `hs_code` starts with.
    pub fn hs_matches<'a>(&'a self, hs_code: &'a str) -> impl Iterator<Item = &'a HsPrefix> + 'a {
        self.hs_prefixes
            .iter()
            .filter(move |h| hs_code.starts_with(h.hs.as_str()))
    }

    /// The kinds a product of `category` and `hs_code` needs to be sold into `market`, without
    /// repeats: a rule applies when the category is under its prefix, or when the HS code
    /// starts with a prefix that counts as a category under it.
    pub fn required<'a>(
        &'a self,
        category: &str,
        hs_code: &'a str,
        market: &str,
    ) -> Vec<Requirement<'a>> {
        let mut out: Vec<Requirement<'a>> = Vec::new();
        for r in &self.rules {
            if !r.markets.iter().any(|m| m == market) || out.iter().any(|q| q.kind == r.kind) {
                continue;
            }
            let by_hs = if under(category, &r.prefix) {
                None
            } else {
                match self
                    .hs_matches(hs_code)
                    .find(|h| under(&h.category, &r.prefix))
                {
                    Some(h) => Some(h),
                    None => continue,
                }
            };
            out.push(Requirement {
                kind: &r.kind,
                by_hs,
            });
        }
        out
    }

    /// The rule that keeps `category` out of live rooms, if any.
    pub fn not_sellable(&self, category: &str) -> Option<&NotSellable> {
        self.not_sellable
            .iter()
            .find(|n| under(category, &n.prefix))
    }

    /// Every credential kind some rule requires.
    pub fn kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = self.rules.iter().map(|r| r.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }
}

/// True for a category that may never be sold in a live room (insurance).
pub fn is_not_sellable(category: &str) -> bool {
    RULES.not_sellable(category).is_some()
}

/// The insurer's link a product of `category` keeps: required (an `https://` URL) for a
/// category never sold in a live room, refused for any other.
pub fn insurer_url(category: &str, url: Option<&str>) -> Result<Option<String>> {
    match (is_not_sellable(category), url) {
        (true, None) => Err(Error::invalid(
            "insurer_url",
            format!("products in {category} are sold only on the licensed insurer's platform: give its https:// link"),
        )),
        (true, Some(u)) => {
            let u = codes::text("insurer_url", u, 500)?;
            if !u.starts_with("https://") || u.len() <= "https://".len() || u.contains(char::is_whitespace) {
                return Err(Error::invalid("insurer_url", "must be an https:// link"));
            }
            Ok(Some(u))
        }
        (false, None) => Ok(None),
        (false, Some(_)) => Err(Error::invalid(
            "insurer_url",
            "only insurance products carry an insurer's link",
        )),
    }
}

// ---- API types ------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMerchant {
    /// Unique.
    pub name: String,
    /// ISO 3166-1 alpha-2 of the merchant's registration.
    pub country: String,
    /// The merchant's customs registration code at China Customs (10 characters, digits and
    /// upper-case letters): the `ebcCode` of its CEB303 declarations (docs/customs.md).
    #[serde(default)]
    pub customs_code: Option<String>,
    /// The name registered with that code: the `ebcName` of its declarations.
    #[serde(default)]
    pub customs_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MerchantPatch {
    pub name: Option<String>,
    pub country: Option<String>,
    /// Sets the customs registration code (10 characters, digits and upper-case letters).
    pub customs_code: Option<String>,
    /// Sets the name registered with the customs code.
    pub customs_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCredential {
    /// A kind named by a rule of `GET /api/v1/regulated-categories`, e.g. `eaeu_food_declaration`.
    pub kind: String,
    /// The licence's or registration's number.
    pub number: String,
    /// Who issued it.
    pub issuer: String,
    /// First day valid, `YYYY-MM-DD`.
    pub valid_from: String,
    /// Last day valid (inclusive), `YYYY-MM-DD`.
    pub valid_until: String,
    /// Markets it covers (country codes).
    pub markets: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Credential {
    pub id: i64,
    pub merchant_id: i64,
    pub merchant: String,
    pub kind: String,
    pub number: String,
    pub issuer: String,
    pub valid_from: String,
    pub valid_until: String,
    pub markets: Vec<String>,
    /// `valid`, `not_yet_valid`, `expired` or `revoked`, as of today (UTC).
    pub status: String,
    /// Days from today to `valid_until` (negative once expired).
    pub days_left: i64,
    pub revoked_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Merchant {
    pub id: i64,
    pub name: String,
    pub country: String,
    /// Customs registration code (10 characters), or null while it has none: its orders are
    /// then not ready to declare (`merchant_without_customs_code`).
    pub customs_code: Option<String>,
    /// The name registered with the customs code.
    pub customs_name: Option<String>,
    pub credentials: Vec<Credential>,
}

/// `?within_days=` of the expiring-credentials list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExpiringQuery {
    /// Credentials whose last valid day is within this many days from today, 0 to 366
    /// (default 30).
    pub within_days: Option<i64>,
}

// ---- rows -----------------------------------------------------------------------------------

type CredentialRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
);

const CREDENTIAL_SELECT: &str = "SELECT c.id, c.merchant_id, m.name, c.kind, c.number, c.issuer, \
     c.valid_from, c.valid_until, c.markets, c.revoked_at FROM merchant_credentials c \
     JOIN merchants m ON m.id = c.merchant_id";

fn credential(row: CredentialRow, day: time::Date) -> Credential {
    let (id, merchant_id, merchant, kind, number, issuer, from, until, markets, revoked) = row;
    let today = format_date(day);
    let status = if revoked.is_some() {
        "revoked"
    } else if today < from {
        "not_yet_valid"
    } else if today > until {
        "expired"
    } else {
        "valid"
    };
    let days_left = date("valid_until", &until)
        .map(|u| (u - day).whole_days())
        .unwrap_or(0);
    Credential {
        id,
        merchant_id,
        merchant,
        kind,
        number,
        issuer,
        valid_from: from,
        valid_until: until,
        markets: serde_json::from_str(&markets).unwrap_or_default(),
        status: status.to_owned(),
        days_left,
        revoked_at: revoked.map(rfc3339),
    }
}

/// The id of the merchant named `name`, made (in `country`) when there is none: how a product
/// given by merchant name finds its merchant.
pub async fn ensure_merchant(conn: &mut Conn, name: &str, country: &str, now: i64) -> Result<i64> {
    sqlx::query(
        "INSERT INTO merchants (name, country, created_at, updated_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(country)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM merchants WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await?;
    Ok(id)
}

/// ` FOR SHARE` on PostgreSQL, nothing on SQLite (which runs one write transaction at a time):
/// appended to a read whose rows a write transaction decides on, so that a change of them waits
/// for it to end.
pub fn for_share(conn: &Conn) -> &'static str {
    if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        " FOR SHARE"
    } else {
        ""
    }
}

/// What the gate says of a product sold into a market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Qualification {
    /// Nothing missing.
    Qualified,
    /// The category is never sold in a live room (insurance).
    NotSellable { category: String },
    /// The merchant holds no valid credential of `kind` covering `market`.
    Missing {
        kind: String,
        market: String,
        merchant: String,
        /// What made the rule apply: the category, or the HS code (and what its prefix covers).
        because: String,
    },
}

/// The gate's decision for `product_id` sold into `market` on `day`, read on `conn` (the
/// caller's transaction). On PostgreSQL the credentials it relies on are read `FOR SHARE`: a
/// revocation or change of one of them waits until the caller's transaction ends, so nothing
/// the caller commits was decided on a credential revoked before the commit. (SQLite runs one
/// write transaction at a time, so a revocation cannot commit inside the caller's.)
pub async fn qualification_in(
    conn: &mut Conn,
    product_id: i64,
    market: &str,
    day: time::Date,
) -> Result<Qualification> {
    let row: Option<(String, String, Option<i64>, String)> = sqlx::query_as(
        "SELECT category, hs_code, merchant_id, merchant FROM products WHERE id = $1",
    )
    .bind(product_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((category, hs_code, merchant_id, merchant)) = row else {
        return Err(Error::not_found(format!("product {product_id}")));
    };
    if is_not_sellable(&category) {
        return Ok(Qualification::NotSellable { category });
    }
    let required = RULES.required(&category, &hs_code, market);
    if required.is_empty() {
        return Ok(Qualification::Qualified);
    }
    let share = for_share(conn);
    let sql = format!(
        "SELECT kind, markets FROM merchant_credentials WHERE merchant_id = $1 \
         AND revoked_at IS NULL AND valid_from <= $2 AND valid_until >= $2 ORDER BY id{share}"
    );
    let held: Vec<(String, String)> = sqlx::query_as(&sql)
        .bind(merchant_id.unwrap_or(0))
        .bind(format_date(day))
        .fetch_all(&mut *conn)
        .await?;
    for need in required {
        let covered = held.iter().any(|(k, markets)| {
            k == need.kind
                && serde_json::from_str::<Vec<String>>(markets)
                    .unwrap_or_default()
                    .iter()
                    .any(|m| m == market)
        });
        if !covered {
            let because = match need.by_hs {
                None => format!("its category {category}"),
                Some(h) => format!(
                    "its HS code {hs_code} ({} {}: {}), whatever its category {category}",
                    match h.hs.len() {
                        2 => "chapter",
                        4 => "heading",
                        _ => "subheading",
                    },
                    h.hs,
                    h.category
                ),
            };
            return Ok(Qualification::Missing {
                kind: need.kind.to_owned(),
                market: market.to_owned(),
                merchant,
                because,
            });
        }
    }
    Ok(Qualification::Qualified)
}

impl Qualification {
    /// `Err` with the 409 of a refused product: `not_sellable_here` or `qualification_missing`.
    pub fn into_result(self) -> Result<()> {
        match self {
            Qualification::Qualified => Ok(()),
            Qualification::NotSellable { category } => Err(Error::conflict(
                "not_sellable_here",
                format!(
                    "products in {category} are never sold in a live room; the product carries \
                     a link to the licensed insurer's own platform instead"
                ),
            )),
            Qualification::Missing {
                kind,
                market,
                merchant,
                because,
            } => Err(Error::conflict(
                "qualification_missing",
                format!(
                    "{merchant} holds no valid {kind} credential covering {market}, required by \
                     {because}; add one with POST /api/v1/merchants/{{id}}/credentials"
                ),
            )),
        }
    }
}

// ---- store ----------------------------------------------------------------------------------

fn check_name(value: &str) -> Result<String> {
    crate::text::line("name", value, 200)
}

/// A customs registration code: exactly 10 ASCII digits or upper-case letters (the
/// 10-character code China Customs gives a registered firm; CEB303's `ebcCode` is 10 long).
pub fn check_customs_code(value: &str) -> Result<String> {
    let v = value.trim();
    if v.len() != 10
        || !v
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return Err(Error::invalid(
            "customs_code",
            "a customs registration code is 10 digits or upper-case letters",
        ));
    }
    Ok(v.to_owned())
}

/// The name registered with a customs code (CEB303's `ebcName`: at most 100 characters).
fn check_customs_name(value: &str) -> Result<String> {
    crate::text::line("customs_name", value, 100)
}

type MerchantRow = (i64, String, String, Option<String>, Option<String>);

impl CatalogStore {
    async fn merchant_row(&self, id: i64) -> Result<MerchantRow> {
        sqlx::query_as(
            "SELECT id, name, country, customs_code, customs_name FROM merchants WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.db().reader())
        .await?
        .ok_or_else(|| Error::not_found(format!("merchant {id}")))
    }

    async fn credentials_where(&self, filter: &str, arg: i64) -> Result<Vec<Credential>> {
        let sql = format!("{CREDENTIAL_SELECT} WHERE {filter} ORDER BY c.valid_until, c.id");
        let rows: Vec<CredentialRow> = sqlx::query_as(&sql)
            .bind(arg)
            .fetch_all(self.db().reader())
            .await?;
        let day = today();
        Ok(rows.into_iter().map(|r| credential(r, day)).collect())
    }

    #[instrument(skip_all, fields(id))]
    pub async fn merchant(&self, id: i64) -> Result<Merchant> {
        let (id, name, country, customs_code, customs_name) = self.merchant_row(id).await?;
        Ok(Merchant {
            id,
            name,
            country,
            customs_code,
            customs_name,
            credentials: self.credentials_where("c.merchant_id = $1", id).await?,
        })
    }

    #[instrument(skip_all)]
    pub async fn list_merchants(&self) -> Result<Vec<Merchant>> {
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM merchants ORDER BY name")
            .fetch_all(self.db().reader())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id,) in rows {
            out.push(self.merchant(id).await?);
        }
        Ok(out)
    }

    #[instrument(skip_all)]
    pub async fn create_merchant(&self, body: NewMerchant) -> Result<Merchant> {
        let name = check_name(&body.name)?;
        let country = CountryCode::parse("country", &body.country)?;
        let customs_code = body
            .customs_code
            .as_deref()
            .map(check_customs_code)
            .transpose()?;
        let customs_name = body
            .customs_name
            .as_deref()
            .map(check_customs_name)
            .transpose()?;
        let now = now_ms();
        let mut w = self.write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO merchants (name, country, created_at, updated_at, customs_code, \
             customs_name) VALUES ($1, $2, $3, $3, $4, $5) RETURNING id",
        )
        .bind(&name)
        .bind(country.as_str())
        .bind(now)
        .bind(customs_code)
        .bind(customs_name)
        .fetch_one(w.tx())
        .await
        .map_err(|e| name_taken(e, &name))?;
        // A new merchant has no products yet: nothing rendered changed.
        w.commit().await?;
        self.merchant(id).await
    }

    /// Renames a merchant (its products' `merchant` follows) or changes its country.
    #[instrument(skip_all, fields(id))]
    pub async fn update_merchant(&self, id: i64, patch: MerchantPatch) -> Result<Merchant> {
        let (_, name, country, customs_code, customs_name) = self.merchant_row(id).await?;
        let customs_code = match &patch.customs_code {
            Some(c) => Some(check_customs_code(c)?),
            None => customs_code,
        };
        let customs_name = match &patch.customs_name {
            Some(c) => Some(check_customs_name(c)?),
            None => customs_name,
        };
        let name = match &patch.name {
            Some(n) => check_name(n)?,
            None => name,
        };
        let country = match &patch.country {
            Some(c) => CountryCode::parse("country", c)?.as_str().to_owned(),
            None => country,
        };
        let mut w = self.write().await?;
        sqlx::query(
            "UPDATE merchants SET name = $1, country = $2, updated_at = $3, customs_code = $5, \
             customs_name = $6 WHERE id = $4",
        )
        .bind(&name)
        .bind(&country)
        .bind(now_ms())
        .bind(id)
        .bind(&customs_code)
        .bind(&customs_name)
        .execute(w.tx())
        .await
        .map_err(|e| name_taken(e, &name))?;
        sqlx::query("UPDATE products SET merchant = $1 WHERE merchant_id = $2")
            .bind(&name)
            .bind(id)
            .execute(w.tx())
            .await?;
        w.changed(crate::cache::Changed::All);
        w.commit().await?;
        self.merchant(id).await
    }

    #[instrument(skip_all, fields(merchant_id))]
    pub async fn add_credential(
        &self,
        merchant_id: i64,
        body: NewCredential,
    ) -> Result<Credential> {
        self.merchant_row(merchant_id).await?;
        let kind = body.kind.trim();
        if !RULES.kinds().contains(&kind) {
            return Err(Error::invalid(
                "kind",
                format!(
                    "'{kind}' is not a kind any rule requires; see GET /api/v1/regulated-categories"
                ),
            ));
        }
        let number = codes::text("number", &body.number, 100)?;
        let issuer = codes::text("issuer", &body.issuer, 200)?;
        let from = date("valid_from", &body.valid_from)?;
        let until = date("valid_until", &body.valid_until)?;
        if until < from {
            return Err(Error::invalid("valid_until", "is before valid_from"));
        }
        if body.markets.is_empty() || body.markets.len() > 14 {
            return Err(Error::invalid("markets", "give 1 to 14 markets"));
        }
        let mut markets: Vec<String> = Vec::new();
        for (i, m) in body.markets.iter().enumerate() {
            let c = CountryCode::parse(&format!("markets[{i}]"), m)?
                .as_str()
                .to_owned();
            if markets.contains(&c) {
                return Err(Error::invalid(format!("markets[{i}]"), "appears twice"));
            }
            markets.push(c);
        }
        let now = now_ms();
        let mut w = self.write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO merchant_credentials (merchant_id, kind, number, issuer, valid_from, \
             valid_until, markets, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(merchant_id)
        .bind(kind)
        .bind(&number)
        .bind(&issuer)
        .bind(format_date(from))
        .bind(format_date(until))
        .bind(serde_json::to_string(&markets).map_err(Error::internal)?)
        .bind(now)
        .fetch_one(w.tx())
        .await?;
        // No rendered product shows a credential (the gate reads them in its own transaction).
        w.commit().await?;
        self.credential(id).await
    }

    pub async fn credential(&self, id: i64) -> Result<Credential> {
        self.credentials_where("c.id = $1", id)
            .await?
            .pop()
            .ok_or_else(|| Error::not_found(format!("credential {id}")))
    }

    /// Revokes a credential: the gate stops counting it at once (see [`qualification_in`]).
    #[instrument(skip_all, fields(id))]
    pub async fn revoke_credential(&self, id: i64) -> Result<Credential> {
        let mut w = self.write().await?;
        let done = sqlx::query(
            "UPDATE merchant_credentials SET revoked_at = $1, updated_at = $1 \
             WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .execute(w.tx())
        .await?
        .rows_affected();
        if done == 1 {
            // Nothing rendered shows a credential (see `add_credential`).
            w.commit().await?;
        } else {
            // Nothing changed: rolled back, nobody told.
            drop(w);
        }
        let c = self.credential(id).await?;
        if done == 0 {
            return Err(Error::conflict(
                "conflict",
                format!("credential {id} is revoked already"),
            ));
        }
        Ok(c)
    }

    /// Unrevoked credentials whose last valid day is from today to `within_days` days ahead,
    /// soonest first.
    #[instrument(skip_all)]
    pub async fn expiring_credentials(&self, within_days: i64) -> Result<Vec<Credential>> {
        let day = today();
        let last = day
            .checked_add(time::Duration::days(within_days))
            .unwrap_or(day);
        let sql = format!(
            "{CREDENTIAL_SELECT} WHERE c.revoked_at IS NULL AND c.valid_until >= $1 \
             AND c.valid_until <= $2 ORDER BY c.valid_until, c.id"
        );
        let rows: Vec<CredentialRow> = sqlx::query_as(&sql)
            .bind(format_date(day))
            .bind(format_date(last))
            .fetch_all(self.db().reader())
            .await?;
        Ok(rows.into_iter().map(|r| credential(r, day)).collect())
    }
}

fn name_taken(e: sqlx::Error, name: &str) -> Error {
    if unique_violation(&e) {
        Error::conflict(
            "conflict",
            format!("name: a merchant named '{name}' exists"),
        )
    } else {
        e.into()
    }
}

// ---- routes ---------------------------------------------------------------------------------

/// Operators and admins: who watches credentials expire.
pub struct Overseers;

impl RoleSet for Overseers {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Operator];
}

const READERS: &[Role] = &[Role::Admin, Role::Host, Role::Buyer, Role::Operator];

/// The merchants' and the gate's routes; mounted with the catalog's.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    CatalogStore: axum::extract::FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_merchants, create_merchant))
        .routes(routes!(get_merchant, update_merchant))
        .routes(routes!(add_credential))
        .routes(routes!(revoke_credential))
        .routes(routes!(expiring_credentials))
        .routes(routes!(regulated_categories))
}

/// Lists merchants with their credentials (admin, operator).
#[utoipa::path(get, path = "/api/v1/merchants", tag = "merchants",
    responses((status = 200, body = Vec<Merchant>)), security(("bearer" = [])))]
async fn list_merchants(
    State(store): State<CatalogStore>,
    _: Authorized<Overseers>,
) -> Result<ApiJson<Vec<Merchant>>> {
    Ok(ApiJson(store.list_merchants().await?))
}

/// Creates a merchant (admin).
#[utoipa::path(post, path = "/api/v1/merchants", tag = "merchants", request_body = NewMerchant,
    responses((status = 201, body = Merchant), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_merchant(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiJson(body): ApiJson<NewMerchant>,
) -> Result<(StatusCode, ApiJson<Merchant>)> {
    Ok((
        StatusCode::CREATED,
        ApiJson(store.create_merchant(body).await?),
    ))
}

/// Reads a merchant with its credentials, each with its status today (admin, operator).
#[utoipa::path(get, path = "/api/v1/merchants/{id}", tag = "merchants",
    params(("id" = i64, Path, description = "merchant id")),
    responses((status = 200, body = Merchant), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_merchant(
    State(store): State<CatalogStore>,
    _: Authorized<Overseers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Merchant>> {
    Ok(ApiJson(store.merchant(id).await?))
}

/// Renames a merchant, changes its country or sets its customs registration (admin).
#[utoipa::path(patch, path = "/api/v1/merchants/{id}", tag = "merchants",
    params(("id" = i64, Path, description = "merchant id")), request_body = MerchantPatch,
    responses((status = 200, body = Merchant), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_merchant(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<MerchantPatch>,
) -> Result<ApiJson<Merchant>> {
    Ok(ApiJson(store.update_merchant(id, patch).await?))
}

/// Adds a credential to a merchant (admin).
#[utoipa::path(post, path = "/api/v1/merchants/{id}/credentials", tag = "merchants",
    params(("id" = i64, Path, description = "merchant id")), request_body = NewCredential,
    responses((status = 201, body = Credential), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_credential(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewCredential>,
) -> Result<(StatusCode, ApiJson<Credential>)> {
    Ok((
        StatusCode::CREATED,
        ApiJson(store.add_credential(id, body).await?),
    ))
}

/// Revokes a credential; it is kept, with the time (admin).
#[utoipa::path(post, path = "/api/v1/credentials/{id}/revoke", tag = "merchants",
    params(("id" = i64, Path, description = "credential id")),
    responses((status = 200, body = Credential), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn revoke_credential(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Credential>> {
    Ok(ApiJson(store.revoke_credential(id).await?))
}

/// Credentials that stop being valid within `within_days` days (default 30), soonest first:
/// what operators renew before the gate starts refusing (admin, operator).
#[utoipa::path(get, path = "/api/v1/credentials/expiring", tag = "merchants",
    params(ExpiringQuery),
    responses((status = 200, body = Vec<Credential>), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn expiring_credentials(
    State(store): State<CatalogStore>,
    _: Authorized<Overseers>,
    ApiQuery(q): ApiQuery<ExpiringQuery>,
) -> Result<ApiJson<Vec<Credential>>> {
    let days = q.within_days.unwrap_or(30);
    if !(0..=366).contains(&days) {
        return Err(Error::invalid("within_days", "must be between 0 and 366"));
    }
    Ok(ApiJson(store.expiring_credentials(days).await?))
}

/// The gate's rules: which credential kind each market requires for each category prefix,
/// and the categories never sold in a live room, each with its source (any role).
#[utoipa::path(get, path = "/api/v1/regulated-categories", tag = "merchants",
    responses((status = 200, body = Rules)), security(("bearer" = [])))]
async fn regulated_categories(principal: Principal) -> Result<ApiJson<Rules>> {
    principal.require(READERS)?;
    Ok(ApiJson(RULES.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds<'a>(category: &str, hs_code: &'a str, market: &str) -> Vec<&'a str> {
        RULES
            .required(category, hs_code, market)
            .into_iter()
            .map(|r| r.kind)
            .collect()
    }

    /// The shipped file parses, and a prefix covers its children but not a longer word.
    #[test]
    fn rules_parse_and_prefixes_match_on_dots() {
        assert!(!RULES.rules.is_empty());
        assert_eq!(
            kinds("food.meat", "020230", "KZ"),
            vec!["eaeu_food_declaration"]
        );
        assert_eq!(
            kinds("food.infant_formula", "190110", "KZ"),
            vec!["eaeu_food_declaration", "eaeu_state_registration"]
        );
        assert!(kinds("foodstuff", "610910", "KZ").is_empty());
        assert!(kinds("apparel.outerwear", "620140", "KZ").is_empty());
        assert!(kinds("food.meat", "020230", "MN").is_empty());
        assert!(is_not_sellable("insurance.travel"));
        assert!(!is_not_sellable("insurances"));
        for r in &RULES.rules {
            for m in &r.markets {
                CountryCode::parse("market", m).expect("rule markets are country codes");
            }
            assert!(
                r.source.url.starts_with("http"),
                "{} has a source link",
                r.kind
            );
        }
    }

    /// An HS prefix brings in the rules of the category it counts as: a night cream (3304)
    /// filed under home decor needs the cosmetics declaration in Kazakhstan, and says why;
    /// infant formula by its subheading needs both food credentials; a T-shirt needs nothing.
    #[test]
    fn the_hs_code_brings_in_the_rules_of_its_category() {
        let cream = RULES.required("home.decor", "330499", "KZ");
        assert_eq!(
            cream.iter().map(|r| r.kind).collect::<Vec<_>>(),
            vec!["eaeu_cosmetics_declaration"]
        );
        assert_eq!(cream[0].by_hs.map(|h| h.hs.as_str()), Some("3304"));
        assert_eq!(
            kinds("beauty.skincare", "330499", "KZ"),
            kinds("home", "3304990000", "KZ")
        );
        assert!(RULES.required("beauty.skincare", "330499", "KZ")[0]
            .by_hs
            .is_none());
        assert_eq!(
            kinds("baby.care", "190110", "RU"),
            vec!["eaeu_food_declaration", "eaeu_state_registration"]
        );
        assert!(kinds("apparel", "610910", "KZ").is_empty());
        assert!(kinds("apparel", "330499", "MN").is_empty());
        for h in &RULES.hs_prefixes {
            assert!(
                matches!(h.hs.len(), 2 | 4 | 6) && h.hs.bytes().all(|b| b.is_ascii_digit()),
                "{} is an HS chapter, heading or subheading",
                h.hs
            );
            assert!(
                RULES.rules.iter().any(|r| under(&h.category, &r.prefix)),
                "{} counts as {}, which some rule regulates",
                h.hs,
                h.category
            );
            assert!(h.source.url.starts_with("http"), "{} has a source", h.hs);
        }
    }
}
