//! The catalog's HTTP routes under `/api/v1`. Reads need any valid token; writes need the admin
//! role. Every route is described in the OpenAPI document through `utoipa`.

use axum::extract::{FromRef, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Admins, Authorized, Principal, Role};
use crate::claims::{self, Warned};
use crate::error::{ErrorBody, Result};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::localize::View;
use crate::model::*;
use crate::store::{today, CatalogStore};
use crate::validate;

/// The catalog router; mounted by the server, which supplies the token check.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    CatalogStore: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(get_product, update_product))
        .routes(routes!(archive_product))
        .routes(routes!(restore_product))
        .routes(routes!(create_variant))
        .routes(routes!(get_variant, update_variant))
        .routes(routes!(archive_variant))
        .routes(routes!(set_price, delete_price))
        .routes(routes!(set_stock))
        .routes(routes!(list_rates, put_rate))
        .routes(routes!(rate_history))
        .routes(routes!(list_warehouses, create_warehouse))
        .routes(routes!(get_warehouse, update_warehouse))
        .routes(routes!(list_markets))
        .routes(routes!(get_market, put_market))
        .routes(routes!(list_translations))
        .routes(routes!(
            get_translation,
            put_translation,
            delete_translation
        ))
        .merge(crate::claims::routes::router())
        .merge(crate::categories::router())
        .merge(crate::images::routes::router())
}

/// The view of a read: `?locale=` or `Accept-Language`, and `?currency=` or the locale's
/// default currency.
fn view(headers: &HeaderMap, locale: Option<&str>, currency: Option<&str>) -> Result<View> {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    View::negotiate(locale, accept, currency)
}

/// A JSON body with `Content-Language` set to the view's locale.
fn localized<T: serde::Serialize>(view: &View, body: T) -> Response {
    ([(header::CONTENT_LANGUAGE, view.locale)], axum::Json(body)).into_response()
}

const READERS: &[Role] = &[Role::Admin, Role::Host, Role::Buyer, Role::Operator];

/// Lists products, paginated, filterable by market, category and title text.
#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", params(ProductQuery),
    responses((status = 200, body = Page<Product>), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_products(
    State(store): State<CatalogStore>,
    principal: Principal,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ProductQuery>,
) -> Result<Response> {
    principal.require(READERS)?;
    let view = view(&headers, q.locale.as_deref(), q.currency.as_deref())?;
    Ok(localized(
        &view,
        store.list_products(&q, Some(&view)).await?,
    ))
}

/// Creates a product, optionally with variants and their prices (admin). Its texts pass the
/// claims filter: a blocked term is 422 `claims_blocked`; warned terms are in `warnings`.
#[utoipa::path(post, path = "/api/v1/products", tag = "catalog", request_body = NewProduct,
    responses((status = 201, body = Product), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_product(
    State(store): State<CatalogStore>,
    Authorized(by, _): Authorized<Admins>,
    ApiJson(body): ApiJson<NewProduct>,
) -> Result<(StatusCode, ApiJson<Warned<Product>>)> {
    let act = claims::Act {
        by: &by,
        operation: "product.create",
        subject_kind: "product",
        subject_id: None,
    };
    let (checked, _) = validate::product(&body)?;
    let screening = claims::gate(&store, &act, &claims::product_texts(&checked)).await?;
    let product = store
        .create_product_screened(body, Some(&screening.pending(&act)))
        .await?;
    let warnings = screening.warnings();
    Ok((
        StatusCode::CREATED,
        ApiJson(Warned {
            inner: product,
            warnings,
        }),
    ))
}

/// Reads a product in the negotiated locale (`?locale=`, else `Accept-Language`): its text and
/// attribute lines, each saying the locale it came from, and each variant's price in
/// `?currency=` (else the locale's default currency): set, converted, or null with the reason.
#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "catalog",
    params(("id" = i64, Path, description = "product id"), CurrencyQuery),
    responses((status = 200, body = Product), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_product(
    State(store): State<CatalogStore>,
    principal: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<CurrencyQuery>,
) -> Result<Response> {
    principal.require(READERS)?;
    let view = view(&headers, q.locale.as_deref(), q.currency.as_deref())?;
    let country = match &q.country {
        Some(c) => Some(
            crate::codes::CountryCode::parse("country", c)?
                .as_str()
                .to_owned(),
        ),
        None if principal.role == Role::Buyer => store.buyer_country(principal.token_id).await?,
        None => None,
    };
    // Rendered once per (product, locale, currency) and kept until it changes; what depends on
    // the reader (landed costs for a country and a buyer) is added to a copy.
    let rendered = store.get_product_rendered(id, &view).await?;
    let Some(country) = country else {
        return Ok((
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CONTENT_LANGUAGE, view.locale),
            ],
            rendered.body.clone(),
        )
            .into_response());
    };
    let mut product = rendered.product.clone();
    let buyer = (principal.role == Role::Buyer).then_some(principal.token_id);
    let quotes = store
        .product_landed_costs(&product, &country, view.currency, buyer)
        .await?;
    if let Some(l) = product.localized.as_mut() {
        l.landed_cost = Some(quotes);
    }
    Ok(localized(&view, product))
}

/// Changes a product (admin). Changing the title, description or text attributes marks the
/// existing translations outdated. The texts it changes pass the claims filter (see
/// `POST /api/v1/products`).
#[utoipa::path(patch, path = "/api/v1/products/{id}", tag = "catalog",
    params(("id" = i64, Path, description = "product id")), request_body = ProductPatch,
    responses((status = 200, body = Product), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_product(
    State(store): State<CatalogStore>,
    Authorized(by, _): Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<ProductPatch>,
) -> Result<ApiJson<Warned<Product>>> {
    let current = store.get_product(id, None).await?;
    let locale = match &patch.source_locale {
        Some(l) => crate::codes::parse_locale("source_locale", l)?,
        None => current.source_locale.as_str(),
    };
    let act = claims::Act {
        by: &by,
        operation: "product.update",
        subject_kind: "product",
        subject_id: Some(id),
    };
    let texts = claims::patch_texts(&patch, locale)?;
    let screening = claims::gate(&store, &act, &texts).await?;
    let product = store
        .update_product_screened(id, patch, Some(&screening.pending(&act)))
        .await?;
    let warnings = screening.warnings();
    Ok(ApiJson(Warned {
        inner: product,
        warnings,
    }))
}

/// Archives a product: it leaves the lists but stays readable (admin).
#[utoipa::path(post, path = "/api/v1/products/{id}/archive", tag = "catalog",
    params(("id" = i64, Path, description = "product id")),
    responses((status = 200, body = Product), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn archive_product(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Product>> {
    Ok(ApiJson(store.set_product_archived(id, true).await?))
}

/// Brings an archived product back (admin).
#[utoipa::path(post, path = "/api/v1/products/{id}/restore", tag = "catalog",
    params(("id" = i64, Path, description = "product id")),
    responses((status = 200, body = Product), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn restore_product(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Product>> {
    Ok(ApiJson(store.set_product_archived(id, false).await?))
}

/// Adds a variant (SKU) to a product (admin).
#[utoipa::path(post, path = "/api/v1/products/{id}/variants", tag = "catalog",
    params(("id" = i64, Path, description = "product id")), request_body = NewVariant,
    responses((status = 201, body = Variant), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_variant(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewVariant>,
) -> Result<(StatusCode, ApiJson<Variant>)> {
    Ok((
        StatusCode::CREATED,
        ApiJson(store.create_variant(id, body).await?),
    ))
}

/// Reads a variant with its price in `?currency=` (else the locale's default currency).
#[utoipa::path(get, path = "/api/v1/variants/{id}", tag = "catalog",
    params(("id" = i64, Path, description = "variant id"), CurrencyQuery),
    responses((status = 200, body = Variant), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_variant(
    State(store): State<CatalogStore>,
    principal: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<CurrencyQuery>,
) -> Result<Response> {
    principal.require(READERS)?;
    let view = view(&headers, q.locale.as_deref(), q.currency.as_deref())?;
    Ok(localized(&view, store.get_variant(id, Some(&view)).await?))
}

/// Changes a variant's SKU, options or barcode (admin).
#[utoipa::path(patch, path = "/api/v1/variants/{id}", tag = "catalog",
    params(("id" = i64, Path, description = "variant id")), request_body = VariantPatch,
    responses((status = 200, body = Variant), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_variant(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<VariantPatch>,
) -> Result<ApiJson<Variant>> {
    Ok(ApiJson(store.update_variant(id, patch).await?))
}

/// Archives a variant (admin).
#[utoipa::path(post, path = "/api/v1/variants/{id}/archive", tag = "catalog",
    params(("id" = i64, Path, description = "variant id")),
    responses((status = 200, body = Variant), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn archive_variant(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Variant>> {
    Ok(ApiJson(store.set_variant_archived(id, true).await?))
}

/// Sets a variant's price in one currency, in minor units (admin). Currencies shown without
/// decimals (VND, LAK, MMK, IDR, UZS, MNT) take whole units only.
#[utoipa::path(put, path = "/api/v1/variants/{id}/prices/{currency}", tag = "catalog",
    params(("id" = i64, Path, description = "variant id"),
        ("currency" = String, Path, description = "ISO 4217 code")),
    request_body = SetPrice,
    responses((status = 200, body = Variant), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_price(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    ApiJson(body): ApiJson<SetPrice>,
) -> Result<ApiJson<Variant>> {
    Ok(ApiJson(
        store.set_price(id, &code, body.amount_minor).await?,
    ))
}

/// Removes a variant's price in one currency (admin).
#[utoipa::path(delete, path = "/api/v1/variants/{id}/prices/{currency}", tag = "catalog",
    params(("id" = i64, Path, description = "variant id"),
        ("currency" = String, Path, description = "ISO 4217 code")),
    responses((status = 200, body = Variant), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn delete_price(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> Result<ApiJson<Variant>> {
    Ok(ApiJson(store.delete_price(id, &code).await?))
}

/// Sets the units of a variant available in a warehouse (admin).
#[utoipa::path(put, path = "/api/v1/variants/{id}/stock/{warehouse}", tag = "catalog",
    params(("id" = i64, Path, description = "variant id"),
        ("warehouse" = String, Path, description = "warehouse code")),
    request_body = SetStock,
    responses((status = 200, body = Variant), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn set_stock(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath((id, warehouse)): ApiPath<(i64, String)>,
    ApiJson(body): ApiJson<SetStock>,
) -> Result<ApiJson<Variant>> {
    Ok(ApiJson(
        store.set_stock(id, &warehouse, body.available).await?,
    ))
}

/// The rate of each currency in force on a day (default today): CNY per one major unit.
#[utoipa::path(get, path = "/api/v1/rates", tag = "rates", params(RatesQuery),
    responses((status = 200, body = Vec<Rate>), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_rates(
    State(store): State<CatalogStore>,
    principal: Principal,
    ApiQuery(q): ApiQuery<RatesQuery>,
) -> Result<ApiJson<Vec<Rate>>> {
    principal.require(READERS)?;
    let day = match &q.on {
        Some(d) => validate::date("on", d)?,
        None => today(),
    };
    Ok(ApiJson(store.rates_on(day).await?))
}

/// Adds (or corrects) the rate of a currency from a day on (admin).
#[utoipa::path(post, path = "/api/v1/rates", tag = "rates", request_body = NewRate,
    responses((status = 201, body = Rate), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn put_rate(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiJson(body): ApiJson<NewRate>,
) -> Result<(StatusCode, ApiJson<Rate>)> {
    Ok((StatusCode::CREATED, ApiJson(store.put_rate(body).await?)))
}

/// Every dated rate of one currency, newest first.
#[utoipa::path(get, path = "/api/v1/rates/{currency}", tag = "rates",
    params(("currency" = String, Path, description = "ISO 4217 code")),
    responses((status = 200, body = Vec<Rate>), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn rate_history(
    State(store): State<CatalogStore>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
) -> Result<ApiJson<Vec<Rate>>> {
    principal.require(READERS)?;
    Ok(ApiJson(store.rate_history(&code).await?))
}

/// Lists warehouses.
#[utoipa::path(get, path = "/api/v1/warehouses", tag = "warehouses",
    responses((status = 200, body = Vec<Warehouse>)), security(("bearer" = [])))]
async fn list_warehouses(
    State(store): State<CatalogStore>,
    principal: Principal,
) -> Result<ApiJson<Vec<Warehouse>>> {
    principal.require(READERS)?;
    Ok(ApiJson(store.list_warehouses().await?))
}

/// Creates a warehouse (admin).
#[utoipa::path(post, path = "/api/v1/warehouses", tag = "warehouses", request_body = NewWarehouse,
    responses((status = 201, body = Warehouse), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_warehouse(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiJson(body): ApiJson<NewWarehouse>,
) -> Result<(StatusCode, ApiJson<Warehouse>)> {
    Ok((
        StatusCode::CREATED,
        ApiJson(store.create_warehouse(body).await?),
    ))
}

/// Reads a warehouse by code.
#[utoipa::path(get, path = "/api/v1/warehouses/{code}", tag = "warehouses",
    params(("code" = String, Path, description = "warehouse code")),
    responses((status = 200, body = Warehouse), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_warehouse(
    State(store): State<CatalogStore>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
) -> Result<ApiJson<Warehouse>> {
    principal.require(READERS)?;
    Ok(ApiJson(store.get_warehouse(&code).await?))
}

/// Renames a warehouse or changes its kind (admin).
#[utoipa::path(patch, path = "/api/v1/warehouses/{code}", tag = "warehouses",
    params(("code" = String, Path, description = "warehouse code")),
    request_body = WarehousePatch,
    responses((status = 200, body = Warehouse), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_warehouse(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(code): ApiPath<String>,
    ApiJson(patch): ApiJson<WarehousePatch>,
) -> Result<ApiJson<Warehouse>> {
    Ok(ApiJson(store.update_warehouse(&code, patch).await?))
}

/// Lists markets.
#[utoipa::path(get, path = "/api/v1/markets", tag = "markets",
    responses((status = 200, body = Vec<Market>)), security(("bearer" = [])))]
async fn list_markets(
    State(store): State<CatalogStore>,
    principal: Principal,
) -> Result<ApiJson<Vec<Market>>> {
    principal.require(READERS)?;
    Ok(ApiJson(store.list_markets().await?))
}

/// Reads a market by country code.
#[utoipa::path(get, path = "/api/v1/markets/{country}", tag = "markets",
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2")),
    responses((status = 200, body = Market), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_market(
    State(store): State<CatalogStore>,
    principal: Principal,
    ApiPath(country): ApiPath<String>,
) -> Result<ApiJson<Market>> {
    principal.require(READERS)?;
    Ok(ApiJson(store.get_market(&country).await?))
}

/// Creates or replaces a market (admin).
#[utoipa::path(put, path = "/api/v1/markets/{country}", tag = "markets",
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2")),
    request_body = MarketBody,
    responses((status = 200, body = Market), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn put_market(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(country): ApiPath<String>,
    ApiJson(body): ApiJson<MarketBody>,
) -> Result<ApiJson<Market>> {
    Ok(ApiJson(store.put_market(&country, body).await?))
}

/// Lists a product's translations, each saying whether it is outdated.
#[utoipa::path(get, path = "/api/v1/products/{id}/translations", tag = "translations",
    params(("id" = i64, Path, description = "product id")),
    responses((status = 200, body = Vec<Translation>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_translations(
    State(store): State<CatalogStore>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Vec<Translation>>> {
    principal.require(READERS)?;
    Ok(ApiJson(store.list_translations(id).await?))
}

/// Reads one translation; `outdated` is true when the source text changed since it was made.
#[utoipa::path(get, path = "/api/v1/products/{id}/translations/{locale}", tag = "translations",
    params(("id" = i64, Path, description = "product id"),
        ("locale" = String, Path, description = "locale, e.g. kk")),
    responses((status = 200, body = Translation), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_translation(
    State(store): State<CatalogStore>,
    principal: Principal,
    ApiPath((id, locale)): ApiPath<(i64, String)>,
) -> Result<ApiJson<Translation>> {
    principal.require(READERS)?;
    Ok(ApiJson(store.get_translation(id, &locale).await?))
}

/// Creates or replaces a translation, recording the digest of the source it was made from
/// (admin). Its texts pass the claims filter (see `POST /api/v1/products`).
#[utoipa::path(put, path = "/api/v1/products/{id}/translations/{locale}", tag = "translations",
    params(("id" = i64, Path, description = "product id"),
        ("locale" = String, Path, description = "locale, e.g. kk")),
    request_body = TranslationBody,
    responses((status = 200, body = Translation), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn put_translation(
    State(store): State<CatalogStore>,
    Authorized(by, _): Authorized<Admins>,
    ApiPath((id, locale)): ApiPath<(i64, String)>,
    ApiJson(body): ApiJson<TranslationBody>,
) -> Result<ApiJson<Warned<Translation>>> {
    let texts = claims::translation_texts(&locale, &body)?;
    store.get_product(id, None).await?;
    let act = claims::Act {
        by: &by,
        operation: "translation.put",
        subject_kind: "product",
        subject_id: Some(id),
    };
    let screening = claims::gate(&store, &act, &texts).await?;
    let translation = store
        .put_translation_screened(id, &locale, body, Some(&screening.pending(&act)))
        .await?;
    let warnings = screening.warnings();
    Ok(ApiJson(Warned {
        inner: translation,
        warnings,
    }))
}

/// Deletes a translation (admin).
#[utoipa::path(delete, path = "/api/v1/products/{id}/translations/{locale}", tag = "translations",
    params(("id" = i64, Path, description = "product id"),
        ("locale" = String, Path, description = "locale, e.g. kk")),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn delete_translation(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath((id, locale)): ApiPath<(i64, String)>,
) -> Result<StatusCode> {
    store.delete_translation(id, &locale).await?;
    Ok(StatusCode::NO_CONTENT)
}
