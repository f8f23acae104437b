//! The landed-cost routes under `/api/v1`: the rule table (read by anyone, edited by admins)
//! and the quote of a variant for a market (`docs/cross-border.md`). Errors are the catalog's.

use axum::extract::{FromRef, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Admins, Authorized, Principal, Role};
use crate::codes::{CountryCode, CurrencyCode};
use crate::error::{Error, ErrorBody, Result};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::landed::{LandedCostQuery, LandedQuote, Rule, RuleBody};
use crate::store::CatalogStore;

/// Most units one quote may be asked for (as many as one order may carry).
pub const MAX_QUOTE_QUANTITY: i64 = 1000;

const READERS: &[Role] = &[Role::Admin, Role::Host, Role::Buyer, Role::Operator];

/// The landed-cost router; mounted by the server beside the catalog's.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    CatalogStore: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_rules))
        .routes(routes!(get_rule, put_rule))
        .routes(routes!(variant_landed_cost))
}

/// Lists the landed-cost rules: markets, figures, source and effective dates.
#[utoipa::path(get, path = "/api/v1/landed-cost/rules", tag = "landed-cost",
    responses((status = 200, body = Vec<Rule>)), security(("bearer" = [])))]
async fn list_rules(
    State(store): State<CatalogStore>,
    principal: Principal,
) -> Result<ApiJson<Vec<Rule>>> {
    principal.require(READERS)?;
    Ok(ApiJson(store.landed_rules().await?))
}

/// Reads one landed-cost rule.
#[utoipa::path(get, path = "/api/v1/landed-cost/rules/{id}", tag = "landed-cost",
    params(("id" = String, Path, description = "rule id, e.g. eaeu-personal-parcel-2020")),
    responses((status = 200, body = Rule), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_rule(
    State(store): State<CatalogStore>,
    principal: Principal,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJson<Rule>> {
    principal.require(READERS)?;
    Ok(ApiJson(store.landed_rule(&id).await?))
}

/// Creates or replaces a landed-cost rule (admin). The rule becomes the admin's: the rule file
/// no longer changes it at start.
#[utoipa::path(put, path = "/api/v1/landed-cost/rules/{id}", tag = "landed-cost",
    params(("id" = String, Path, description = "rule id: a-z, 0-9, '.', '_' or '-'")),
    request_body = RuleBody,
    responses((status = 200, body = Rule), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn put_rule(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RuleBody>,
) -> Result<ApiJson<Rule>> {
    Ok(ApiJson(store.put_landed_rule(&id, body).await?))
}

/// Quotes what a buyer in `country` pays on top of the price for `quantity` units of the
/// variant, in `currency` (default: the market's first currency): duty, taxes and total in
/// integer minor units, rounded half up, with the rule in force today, its thresholds and
/// warnings. A buyer's own earlier orders to the market count toward per-person limits.
#[utoipa::path(get, path = "/api/v1/variants/{id}/landed-cost", tag = "landed-cost",
    params(("id" = i64, Path, description = "variant id"), LandedCostQuery),
    responses((status = 200, body = LandedQuote), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`no_price`: no price in the currency")),
    security(("bearer" = [])))]
async fn variant_landed_cost(
    State(store): State<CatalogStore>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<LandedCostQuery>,
) -> Result<ApiJson<LandedQuote>> {
    principal.require(READERS)?;
    let country = CountryCode::parse("country", &q.country)?;
    let quantity = q.quantity.unwrap_or(1);
    if !(1..=MAX_QUOTE_QUANTITY).contains(&quantity) {
        return Err(Error::invalid(
            "quantity",
            format!("must be between 1 and {MAX_QUOTE_QUANTITY}"),
        ));
    }
    let currency = match &q.currency {
        Some(c) => CurrencyCode::parse("currency", c)?,
        None => {
            let market = store
                .get_market(country.as_str())
                .await
                .map_err(|e| match e {
                    Error::NotFound(_) => Error::invalid(
                        "country",
                        format!("{} is not a market; name the currency", country.as_str()),
                    ),
                    other => other,
                })?;
            CurrencyCode::parse("currency", &market.default_currency)?
        }
    };
    let buyer = (principal.role == Role::Buyer).then_some(principal.token_id);
    Ok(ApiJson(
        store
            .variant_landed_cost(id, country.as_str(), quantity, currency, buyer)
            .await?,
    ))
}
