//! The feed's HTTP routes under `/api/v1`: guest buyers, sessions, flash sales, orders, the
//! event log and the operators' reports. Who may do what is checked in each handler (see
//! `docs/live-sale.md` for the matrix); errors are [`crate::error::Error`].

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use silkstream_catalog::auth::{Principal, Role};
use silkstream_catalog::codes::{self, CountryCode, CurrencyCode};
use silkstream_catalog::error::ErrorBody;
use silkstream_catalog::extract::{ApiJson, ApiPath, ApiQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Refusal, Result};
use crate::model::*;
use crate::store::{CancelBy, FeedStore, OrderRow, PendingOrder, Placed, MAX_ORDER_QUANTITY};
use crate::Feed;

/// The feed router; mounted by the server, which supplies the token check.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Feed: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(create_buyer))
        .routes(routes!(my_buyer))
        .routes(routes!(create_session))
        .routes(routes!(get_session))
        .routes(routes!(add_to_showcase))
        .routes(routes!(start_session))
        .routes(routes!(pin))
        .routes(routes!(unpin))
        .routes(routes!(end_session))
        .routes(routes!(session_events))
        .routes(routes!(create_sale))
        .routes(routes!(get_sale))
        .routes(routes!(pause_sale))
        .routes(routes!(resume_sale))
        .routes(routes!(restock_sale))
        .routes(routes!(place_order))
        .routes(routes!(list_orders))
        .routes(routes!(export_orders))
        .routes(routes!(get_order))
        .routes(routes!(pay_order))
        .routes(routes!(cancel_order))
        .routes(routes!(ship_order))
        .routes(routes!(deliver_order))
        .routes(routes!(sales_report))
}

const ANYONE: &[Role] = &[Role::Admin, Role::Host, Role::Buyer, Role::Operator];
const CONTROLLERS: &[Role] = &[Role::Host, Role::Operator];
const FULFILMENT: &[Role] = &[Role::Operator, Role::Admin];

/// The client's address (from the server's connection info), for per-address rate limits.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
        ))
    }
}

/// Creates a guest buyer and their token; no token needed. Rate-limited per client address.
#[utoipa::path(post, path = "/api/v1/buyers", tag = "feed", request_body = NewBuyer,
    responses((status = 201, body = BuyerCreated), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
async fn create_buyer(
    State(feed): State<Feed>,
    ClientAddr(addr): ClientAddr,
    ApiJson(body): ApiJson<NewBuyer>,
) -> Result<(StatusCode, ApiJson<BuyerCreated>)> {
    let body = FeedStore::check_buyer(&body)?;
    if !feed.signup_limit.allow(&addr) {
        return Err(Error::RateLimited(format!(
            "at most {} guest buyers per minute from one address",
            feed.config.buyer_signups_per_minute
        )));
    }
    let (token_id, token) = feed
        .tokens
        .create_buyer_token(&format!("guest {}", body.display_name))
        .await?;
    let buyer = feed.store.create_buyer(token_id, &body, &addr).await?;
    Ok((StatusCode::CREATED, ApiJson(BuyerCreated { token, buyer })))
}

/// The calling buyer's profile (buyer).
#[utoipa::path(get, path = "/api/v1/buyers/me", tag = "feed",
    responses((status = 200, body = Buyer), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn my_buyer(State(feed): State<Feed>, principal: Principal) -> Result<ApiJson<Buyer>> {
    principal.require(&[Role::Buyer])?;
    Ok(ApiJson(feed.store.get_buyer(principal.token_id).await?))
}

/// Opens a session, scheduled until its host starts it (host).
#[utoipa::path(post, path = "/api/v1/sessions", tag = "feed", request_body = NewSession,
    responses((status = 201, body = Session), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_session(
    State(feed): State<Feed>,
    principal: Principal,
    ApiJson(body): ApiJson<NewSession>,
) -> Result<(StatusCode, ApiJson<Session>)> {
    principal.require(&[Role::Host])?;
    let session = feed.store.create_session(&principal, body).await?;
    Ok((StatusCode::CREATED, ApiJson(session)))
}

/// A session: state, showcase, pinned product, sales, server time; its summary once ended.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "feed",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Session), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_session(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Session>> {
    principal.require(ANYONE)?;
    Ok(ApiJson(feed.store.session(id).await?))
}

/// Adds a product to the showcase (the session's host or an operator).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/showcase", tag = "feed",
    params(("id" = i64, Path, description = "session id")), request_body = ProductRef,
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_to_showcase(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ProductRef>,
) -> Result<ApiJson<Session>> {
    principal.require(CONTROLLERS)?;
    feed.store
        .add_to_showcase(&principal, id, body.product_id)
        .await?;
    Ok(ApiJson(feed.store.session(id).await?))
}

/// scheduled → live (the session's host or an operator).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/start", tag = "feed",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn start_session(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Session>> {
    principal.require(CONTROLLERS)?;
    feed.store.start(&principal, id).await?;
    Ok(ApiJson(feed.store.session(id).await?))
}

/// Pins a showcase product (the session's host or an operator).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/pin", tag = "feed",
    params(("id" = i64, Path, description = "session id")), request_body = ProductRef,
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn pin(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ProductRef>,
) -> Result<ApiJson<Session>> {
    principal.require(CONTROLLERS)?;
    feed.store
        .pin(&principal, id, Some(body.product_id))
        .await?;
    Ok(ApiJson(feed.store.session(id).await?))
}

/// Unpins the pinned product (the session's host or an operator).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/unpin", tag = "feed",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn unpin(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Session>> {
    principal.require(CONTROLLERS)?;
    feed.store.pin(&principal, id, None).await?;
    Ok(ApiJson(feed.store.session(id).await?))
}

/// Ends the session: running sales end and return their units; the answer carries the summary.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/end", tag = "feed",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn end_session(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Session>> {
    principal.require(CONTROLLERS)?;
    feed.store.end(&principal, id).await?;
    Ok(ApiJson(feed.store.session(id).await?))
}

/// The session's logged events after `since` (the session's host or an operator).
#[utoipa::path(get, path = "/api/v1/sessions/{id}/events", tag = "feed",
    params(("id" = i64, Path, description = "session id"), EventsQuery),
    responses((status = 200, body = Vec<Event>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn session_events(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<ApiJson<Vec<Event>>> {
    principal.require(CONTROLLERS)?;
    let since = q.since.unwrap_or(0);
    if since < 0 {
        return Err(Error::invalid("since", "must be 0 or more"));
    }
    let limit = q.limit.unwrap_or(500);
    if !(1..=1000).contains(&limit) {
        return Err(Error::invalid("limit", "must be between 1 and 1000"));
    }
    feed.store.controlled_session(&principal, id).await?;
    Ok(ApiJson(feed.store.events(id, since, limit).await?))
}

/// Starts a flash sale: units carved out of one warehouse's stock (the session's host or an
/// operator).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/flash-sales", tag = "feed",
    params(("id" = i64, Path, description = "session id")), request_body = NewFlashSale,
    responses((status = 201, body = FlashSale), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_sale(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewFlashSale>,
) -> Result<(StatusCode, ApiJson<FlashSale>)> {
    principal.require(CONTROLLERS)?;
    let sale = feed.store.create_sale(&principal, id, body).await?;
    Ok((StatusCode::CREATED, ApiJson(sale)))
}

/// A flash sale: units allocated, left, sold and returned; phase; prices.
#[utoipa::path(get, path = "/api/v1/flash-sales/{id}", tag = "feed",
    params(("id" = i64, Path, description = "flash sale id")),
    responses((status = 200, body = FlashSale), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_sale(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<FlashSale>> {
    principal.require(ANYONE)?;
    Ok(ApiJson(feed.store.sale(id).await?))
}

/// Pauses a running sale (the session's host or an operator).
#[utoipa::path(post, path = "/api/v1/flash-sales/{id}/pause", tag = "feed",
    params(("id" = i64, Path, description = "flash sale id")),
    responses((status = 200, body = FlashSale), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn pause_sale(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<FlashSale>> {
    principal.require(CONTROLLERS)?;
    Ok(ApiJson(feed.store.set_paused(&principal, id, true).await?))
}

/// Resumes a paused sale (the session's host or an operator).
#[utoipa::path(post, path = "/api/v1/flash-sales/{id}/resume", tag = "feed",
    params(("id" = i64, Path, description = "flash sale id")),
    responses((status = 200, body = FlashSale), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn resume_sale(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<FlashSale>> {
    principal.require(CONTROLLERS)?;
    Ok(ApiJson(feed.store.set_paused(&principal, id, false).await?))
}

/// Adds units from the sale's warehouse (the session's host or an operator).
#[utoipa::path(post, path = "/api/v1/flash-sales/{id}/restock", tag = "feed",
    params(("id" = i64, Path, description = "flash sale id")), request_body = Restock,
    responses((status = 200, body = FlashSale), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn restock_sale(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Restock>,
) -> Result<ApiJson<FlashSale>> {
    principal.require(CONTROLLERS)?;
    Ok(ApiJson(
        feed.store.restock(&principal, id, body.quantity).await?,
    ))
}

/// The buyer's `Idempotency-Key`: 1 to 100 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<String> {
    let value = headers
        .get("idempotency-key")
        .ok_or_else(|| Error::invalid("Idempotency-Key", "the header is required"))?;
    check_key("Idempotency-Key", value.to_str().unwrap_or_default())
}

/// An idempotency key (the HTTP header, or a WebSocket order's `client_order_id`: the same key
/// space): 1 to 100 visible ASCII characters.
pub(crate) fn check_key(field: &str, key: &str) -> Result<String> {
    if key.is_empty() || key.len() > 100 || !key.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(Error::invalid(
            field,
            "must be 1 to 100 visible ASCII characters",
        ));
    }
    Ok(key.to_owned())
}

fn check_ship_to(s: &ShipTo) -> Result<ShipTo> {
    let phone = codes::text("ship_to.phone", &s.phone, 32)?;
    if !phone
        .bytes()
        .all(|b| b.is_ascii_digit() || b" +-()".contains(&b))
        || phone.bytes().filter(u8::is_ascii_digit).count() < 5
    {
        return Err(Error::invalid(
            "ship_to.phone",
            "a phone number of digits, spaces, '+', '-', '(' and ')'",
        ));
    }
    Ok(ShipTo {
        name: codes::text("ship_to.name", &s.name, 100)?,
        phone,
        country: CountryCode::parse("ship_to.country", &s.country)?
            .as_str()
            .to_owned(),
        city: codes::text("ship_to.city", &s.city, 100)?,
        address: codes::text("ship_to.address", &s.address, 300)?,
        postal_code: codes::text("ship_to.postal_code", &s.postal_code, 16)?,
    })
}

/// The digest of what an order asks for, to tell a retry from a reuse of its key.
fn request_digest(
    session_id: i64,
    variant_id: i64,
    quantity: i64,
    currency: &str,
    ship_to: &str,
) -> String {
    let text = format!("{session_id}\n{variant_id}\n{quantity}\n{currency}\n{ship_to}");
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Places an order in a live session (buyer, with an `Idempotency-Key`). 201 with the new
/// order; 200 with the original order when the key was used before for the same content.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/orders", tag = "feed",
    params(("id" = i64, Path, description = "session id"),
        ("Idempotency-Key" = String, Header, description = "the buyer's key for this order")),
    request_body = NewOrder,
    responses((status = 201, body = OrderPlaced), (status = 200, body = OrderPlaced),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
async fn place_order(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(session_id): ApiPath<i64>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewOrder>,
) -> Result<(StatusCode, ApiJson<OrderPlaced>)> {
    principal.require(&[Role::Buyer])?;
    let key = idempotency_key(&headers)?;
    place(&feed, &principal, session_id, key, body).await
}

/// Places an order for the HTTP route and the WebSocket feed alike.
pub(crate) async fn place(
    feed: &Feed,
    principal: &Principal,
    session_id: i64,
    key: String,
    body: NewOrder,
) -> Result<(StatusCode, ApiJson<OrderPlaced>)> {
    if !(1..=MAX_ORDER_QUANTITY).contains(&body.quantity) {
        return Err(Error::invalid(
            "quantity",
            format!("must be between 1 and {MAX_ORDER_QUANTITY}"),
        ));
    }
    let currency = CurrencyCode::parse("currency", &body.currency)?;
    let ship_to = check_ship_to(&body.ship_to)?;
    let ship_to_json = serde_json::to_string(&ship_to).map_err(Error::internal)?;
    let digest = request_digest(
        session_id,
        body.variant_id,
        body.quantity,
        currency.code(),
        &ship_to_json,
    );
    let buyer = feed.store.buyer(principal.token_id).await?.ok_or_else(|| {
        Error::invalid(
            "buyer",
            "this buyer token has no buyer profile; create guest buyers with POST /api/v1/buyers",
        )
    })?;
    if !feed.order_limit.allow(&principal.token_id) {
        return Err(Error::RateLimited(format!(
            "at most {} orders per minute per buyer",
            feed.config.orders_per_buyer_per_minute
        )));
    }
    if let Some(existing) = feed.store.order_by_key(principal.token_id, &key).await? {
        return replay(feed, principal, existing, &digest, &buyer.locale);
    }
    let session = feed.store.session_row(session_id).await?;
    if session.state != "live" {
        // Decided again under the session's lock when written; this spares the queue.
        return Err(Error::Refused {
            refusal: Refusal::NotLive,
            localized: Some(
                feed.l10n
                    .order_message(&buyer.locale, &Refusal::NotLive.outcome()),
            ),
        });
    }
    if !session.markets().contains(&buyer.country) {
        return Err(Error::invalid(
            "buyer.country",
            format!("the session does not sell to {}", buyer.country),
        ));
    }
    let (product_id, customs_mode, archived) = feed
        .store
        .variant_facts(body.variant_id)
        .await?
        .ok_or_else(|| Error::invalid("variant_id", format!("no variant {}", body.variant_id)))?;
    if archived {
        return Err(Error::invalid("variant_id", "the variant is archived"));
    }
    let sale = feed.store.sale_for(session_id, body.variant_id).await?;
    let unit_price = match &sale {
        Some(s) => s.prices().get(currency.code()).copied(),
        None => {
            if !feed.store.in_showcase(session_id, product_id).await? {
                return Err(Error::invalid(
                    "variant_id",
                    "the product is not in this session's showcase",
                ));
            }
            feed.store
                .regular_price(body.variant_id, currency.code())
                .await?
        }
    }
    .ok_or_else(|| {
        Error::invalid(
            "currency",
            format!("this item has no price in {currency} in this session"),
        )
    })?;
    let pending = PendingOrder {
        session_id,
        sale_id: sale.as_ref().map(|s| s.id),
        buyer_token_id: principal.token_id,
        buyer_name: buyer.display_name.clone(),
        idempotency_key: key,
        digest: digest.clone(),
        variant_id: body.variant_id,
        product_id,
        quantity: body.quantity,
        currency: currency.code().to_owned(),
        unit_price_minor: unit_price,
        market: buyer.country.clone(),
        buyer_city: buyer.city.clone(),
        locale: buyer.locale.clone(),
        customs_mode,
        ship_to: ship_to_json,
    };
    let placed = match &sale {
        Some(s) => feed.desk.submit(s.id, pending).await?,
        None => feed.store.place_regular(&pending).await?,
    };
    match placed {
        Placed::Confirmed {
            order_id,
            remaining,
        } => {
            let row = feed.store.order_row(order_id).await?;
            let message = confirmation(feed, &buyer.locale, &row);
            Ok((
                StatusCode::CREATED,
                ApiJson(OrderPlaced {
                    order: row.view(principal),
                    remaining,
                    replayed: false,
                    message,
                }),
            ))
        }
        Placed::Duplicate { order_id } => {
            let row = feed.store.order_row(order_id).await?;
            replay(feed, principal, row, &digest, &buyer.locale)
        }
        Placed::Refused(refusal) => {
            if refusal == Refusal::SaleEnded {
                if let Some(s) = &sale {
                    // Return the units now rather than at the sweeper's next tick.
                    let _ = feed.store.end_sale(s.id, "time_up").await;
                }
            }
            Err(Error::Refused {
                refusal,
                localized: Some(feed.l10n.order_message(&buyer.locale, &refusal.outcome())),
            })
        }
    }
}

/// The answer to a retry: the original order (200), or 422 when the content differs.
fn replay(
    feed: &Feed,
    principal: &Principal,
    row: OrderRow,
    digest: &str,
    locale: &str,
) -> Result<(StatusCode, ApiJson<OrderPlaced>)> {
    if row.request_digest != digest {
        return Err(Error::IdempotencyMismatch);
    }
    let message = confirmation(feed, locale, &row);
    Ok((
        StatusCode::OK,
        ApiJson(OrderPlaced {
            order: row.view(principal),
            remaining: None,
            replayed: true,
            message,
        }),
    ))
}

fn confirmation(feed: &Feed, locale: &str, row: &OrderRow) -> silkstream_l10n::Localized {
    let total = silkstream_l10n::format_money(
        locale,
        &row.currency,
        row.total_minor,
        &silkstream_l10n::MoneyOptions::default(),
    )
    .unwrap_or_else(|_| {
        format!(
            "{} {}",
            crate::reports::major(row.total_minor, &row.currency),
            row.currency
        )
    });
    feed.l10n.order_message(
        locale,
        &silkstream_l10n::OrderOutcome::Confirmed {
            quantity: u32::try_from(row.quantity).unwrap_or(u32::MAX),
            total,
        },
    )
}

/// Orders the caller may see: a buyer's own (`?mine`), a host's sessions', all for operators
/// and admins; `?session_id=` narrows to one session.
#[utoipa::path(get, path = "/api/v1/orders", tag = "feed", params(OrdersQuery),
    responses((status = 200, body = OrderList), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_orders(
    State(feed): State<Feed>,
    principal: Principal,
    ApiQuery(q): ApiQuery<OrdersQuery>,
) -> Result<ApiJson<OrderList>> {
    principal.require(ANYONE)?;
    if q.session_id.is_some_and(|s| s < 1) {
        return Err(Error::invalid("session_id", "must be a session id"));
    }
    Ok(ApiJson(OrderList {
        items: feed.store.orders(&principal, &q).await?,
    }))
}

/// One order. A buyer reads only their own, a host only their sessions' (others: 404);
/// recipient details go to the buyer, the session's host and operators only.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "feed",
    params(("id" = i64, Path, description = "order id")),
    responses((status = 200, body = Order), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_order(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Order>> {
    principal.require(ANYONE)?;
    Ok(ApiJson(feed.store.order(&principal, id).await?))
}

/// confirmed → paid; stands in for the payment provider's callback (the order's buyer, an
/// operator or an admin).
#[utoipa::path(post, path = "/api/v1/orders/{id}/pay", tag = "feed",
    params(("id" = i64, Path, description = "order id")),
    responses((status = 200, body = Order), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn pay_order(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Order>> {
    principal.require(&[Role::Buyer, Role::Operator, Role::Admin])?;
    feed.store.order(&principal, id).await?;
    feed.store.advance(id, "paid", None).await?;
    Ok(ApiJson(feed.store.order(&principal, id).await?))
}

/// Cancels an order before it ships (its buyer or an operator); its units go back to the sale
/// while the sale runs, else to stock.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "feed",
    params(("id" = i64, Path, description = "order id")),
    responses((status = 200, body = Order), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn cancel_order(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Order>> {
    principal.require(&[Role::Buyer, Role::Operator])?;
    let order = feed.store.order(&principal, id).await?;
    let reason = principal.role.as_str();
    if !feed.store.cancel(id, CancelBy::Request, reason).await? {
        return Err(Error::conflict(
            "conflict",
            format!(
                "order {id} is {}; only a confirmed or paid order can be cancelled",
                order.status
            ),
        ));
    }
    Ok(ApiJson(feed.store.order(&principal, id).await?))
}

/// paid → shipped, with the carrier and tracking number (operator or admin).
#[utoipa::path(post, path = "/api/v1/orders/{id}/ship", tag = "feed",
    params(("id" = i64, Path, description = "order id")), request_body = Shipment,
    responses((status = 200, body = Order), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn ship_order(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Shipment>,
) -> Result<ApiJson<Order>> {
    principal.require(FULFILMENT)?;
    let shipment = Shipment {
        carrier: codes::text("carrier", &body.carrier, 100)?,
        tracking_number: codes::text("tracking_number", &body.tracking_number, 64)?,
    };
    feed.store.order(&principal, id).await?;
    feed.store.advance(id, "shipped", Some(&shipment)).await?;
    Ok(ApiJson(feed.store.order(&principal, id).await?))
}

/// shipped → delivered (operator or admin).
#[utoipa::path(post, path = "/api/v1/orders/{id}/deliver", tag = "feed",
    params(("id" = i64, Path, description = "order id")),
    responses((status = 200, body = Order), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn deliver_order(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Order>> {
    principal.require(FULFILMENT)?;
    feed.store.order(&principal, id).await?;
    feed.store.advance(id, "delivered", None).await?;
    Ok(ApiJson(feed.store.order(&principal, id).await?))
}

/// Every order as CSV (RFC 4180, UTF-8, header row) for fulfilment and customs (operator or
/// admin). Amounts are decimal strings in major units.
#[utoipa::path(get, path = "/api/v1/orders/export", tag = "feed",
    responses((status = 200, content_type = "text/csv", body = String)),
    security(("bearer" = [])))]
async fn export_orders(State(feed): State<Feed>, principal: Principal) -> Result<Response> {
    principal.require(FULFILMENT)?;
    let csv = crate::reports::export_csv(&feed.store).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"orders.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

/// Sales (orders not cancelled) grouped by session, host, market or day in a hub's time zone
/// (operator or admin).
#[utoipa::path(get, path = "/api/v1/reports/sales", tag = "feed", params(ReportQuery),
    responses((status = 200, body = SalesReport), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn sales_report(
    State(feed): State<Feed>,
    principal: Principal,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<ApiJson<SalesReport>> {
    principal.require(FULFILMENT)?;
    Ok(ApiJson(
        crate::reports::sales(&feed.store, &q.group_by, q.tz.as_deref()).await?,
    ))
}
