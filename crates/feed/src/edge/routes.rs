//! The feed's HTTP routes under `/api/v1`: guest buyers, sessions, flash sales, orders, the
//! event log and the operators' reports. Who may do what is checked in each handler (see
//! `docs/live-sale.md` for the matrix); errors are [`crate::domain::error::Error`].

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use silkstream_catalog::auth::{Authorized, Principal, Role, RoleSet};
use silkstream_catalog::claims::{self, Warned};
use silkstream_catalog::error::ErrorBody;
use silkstream_catalog::extract::{ApiJson, ApiPath, ApiQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::error::{Error, Result};
use crate::domain::model::*;
use crate::domain::stream::NewStream;
use crate::edge::Feed;
use crate::store::orders::Step;
use crate::store::{CancelBy, FeedStore};

/// The feed router; mounted by the server, which supplies the token check.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Feed: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(create_buyer))
        .routes(routes!(my_buyer))
        .routes(routes!(save_ship_to))
        .routes(routes!(create_session))
        .routes(routes!(list_sessions))
        .routes(routes!(get_session))
        .routes(routes!(session_room))
        .routes(routes!(add_to_showcase))
        .routes(routes!(start_session))
        .routes(routes!(pin))
        .routes(routes!(unpin))
        .routes(routes!(set_stream, clear_stream))
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
        .routes(routes!(refund_order))
        .routes(routes!(ship_order))
        .routes(routes!(deliver_order))
        .routes(routes!(sales_report))
        .merge(crate::edge::chat::router())
        .merge(crate::edge::payments::router())
        .merge(crate::edge::customs::router())
        .merge(crate::edge::mutual_trade::router())
}

const ANYONE: &[Role] = &[Role::Admin, Role::Host, Role::Buyer, Role::Operator];

/// The roles of each role-restricted route, as types for [`Authorized`] (checked before the
/// path, the query and the body are read).
pub struct Controllers;
impl RoleSet for Controllers {
    const ROLES: &'static [Role] = &[Role::Host, Role::Operator];
}
pub struct Fulfilment;
impl RoleSet for Fulfilment {
    const ROLES: &'static [Role] = &[Role::Operator, Role::Admin];
}
pub struct Buyers;
impl RoleSet for Buyers {
    const ROLES: &'static [Role] = &[Role::Buyer];
}
pub struct Hosts;
impl RoleSet for Hosts {
    const ROLES: &'static [Role] = &[Role::Host];
}
pub struct Cancellers;
impl RoleSet for Cancellers {
    const ROLES: &'static [Role] = &[Role::Buyer, Role::Operator];
}
pub struct Refunders;
impl RoleSet for Refunders {
    const ROLES: &'static [Role] = &[Role::Host, Role::Operator, Role::Admin];
}

/// The client's address, for per-address rate limits: the connection's peer, or the address a
/// trusted proxy forwarded (`trusted_proxies`, docs/security.md).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr
where
    Feed: FromRef<S>,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let feed = Feed::from_ref(state);
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(
                    || "unknown".to_owned(),
                    |c| {
                        feed.config
                            .trusted_proxies
                            .client(c.0.ip(), &parts.headers)
                            .to_string()
                    },
                ),
        ))
    }
}

/// Creates a guest buyer and their token; no token needed. Rate-limited per client address.
#[utoipa::path(post, path = "/api/v1/buyers", tag = "buyers", request_body = NewBuyer,
    responses((status = 201, body = BuyerCreated), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
async fn create_buyer(
    State(feed): State<Feed>,
    ClientAddr(addr): ClientAddr,
    ApiJson(body): ApiJson<NewBuyer>,
) -> Result<(StatusCode, ApiJson<BuyerCreated>)> {
    let body = FeedStore::check_buyer(&body)?;
    if !feed
        .signup_limit
        .allow(&crate::edge::limit::address_key(&addr))
        .await
    {
        return Err(Error::RateLimited(format!(
            "at most {} guest buyers per minute from one address",
            feed.config.buyer_signups_per_minute
        )));
    }
    if !feed.signup_ceiling.allow(&"all").await {
        return Err(Error::RateLimited(format!(
            "at most {} guest buyers per minute; try again in a minute",
            feed.config.buyer_signups_per_minute_total
        )));
    }
    let (token_id, token) = feed
        .tokens
        .create_buyer_token(&format!("guest {}", body.display_name))
        .await?;
    let buyer = feed
        .store
        .create_guest(token_id, &body, &addr, feed.config.guest_ttl)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(BuyerCreated { token, buyer })))
}

/// The calling buyer's profile (buyer).
#[utoipa::path(get, path = "/api/v1/buyers/me", tag = "buyers",
    responses((status = 200, body = Buyer), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn my_buyer(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Buyers>,
) -> Result<ApiJson<Buyer>> {
    Ok(ApiJson(feed.store.get_buyer(principal.token_id).await?))
}

/// Saves where and in which currency the calling buyer's comment orders are placed (buyer):
/// the address is checked as an order's is, and must be in a country some market delivers to;
/// the currency is a currency code (whether a session prices it is the order's to say, as for
/// the button: 422 `invalid` otherwise).
/// A comment order of a buyer who saved none is refused with `ship_to_missing`
/// (docs/live-room.md).
#[utoipa::path(put, path = "/api/v1/buyers/me/ship-to", tag = "buyers",
    request_body = SavedShipTo,
    responses((status = 200, body = Buyer), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn save_ship_to(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Buyers>,
    ApiJson(body): ApiJson<SavedShipTo>,
) -> Result<ApiJson<Buyer>> {
    let ship_to = crate::edge::intake::check_ship_to(&body.ship_to)?;
    let currency = silkstream_catalog::codes::CurrencyCode::parse("currency", &body.currency)?;
    match feed.store.catalog().get_market(&ship_to.country).await {
        Ok(_) => {}
        Err(silkstream_catalog::Error::NotFound(_)) => {
            return Err(Error::invalid(
                "ship_to.country",
                format!("no market delivers to {}", ship_to.country),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    feed.store
        .save_ship_to(principal.token_id, &ship_to, currency.code())
        .await?;
    Ok(ApiJson(feed.store.get_buyer(principal.token_id).await?))
}

/// Opens a session, scheduled until its host starts it (host). Its title passes the claims
/// filter: a blocked term is 422 `claims_blocked`; warned terms are in `warnings`.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = NewSession,
    responses((status = 201, body = Session), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_session(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Hosts>,
    ApiJson(body): ApiJson<NewSession>,
) -> Result<(StatusCode, ApiJson<Warned<Session>>)> {
    let texts = claims::session_title_texts(&body.title, &body.language)?;
    let act = session_act(&principal, "session.create", None);
    let screening = claims::gate(feed.store.catalog(), &act, &texts).await?;
    let session = feed
        .store
        .create_session(&principal, body, Some(&screening.pending(&act)))
        .await?;
    let warnings = screening.warnings();
    Ok((
        StatusCode::CREATED,
        ApiJson(Warned {
            inner: session,
            warnings,
        }),
    ))
}

/// Sessions, newest first (at most 500): a host's own, everyone's for operators and admins;
/// `?state=` narrows to `scheduled`, `live` or `ended`. `viewers` counts the feed connections
/// watching each (over every instance with Redis; the consoles' lists and the operators' room
/// table).
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions", params(SessionsQuery),
    responses((status = 200, body = SessionList), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_sessions(
    State(feed): State<Feed>,
    principal: Principal,
    ApiQuery(q): ApiQuery<SessionsQuery>,
) -> Result<ApiJson<SessionList>> {
    principal.require(&[Role::Host, Role::Operator, Role::Admin])?;
    let state = match q.state.as_deref() {
        None => None,
        Some("scheduled") => Some(crate::domain::model::SessionState::Scheduled),
        Some("live") => Some(crate::domain::model::SessionState::Live),
        Some("ended") => Some(crate::domain::model::SessionState::Ended),
        Some(_) => {
            return Err(Error::invalid(
                "state",
                "must be one of scheduled, live, ended",
            ))
        }
    };
    let host = (principal.role == Role::Host).then_some(principal.token_id);
    let rows = feed.store.list_sessions(host, state).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let viewers = feed.viewers_of(&ids).await;
    let items = rows
        .into_iter()
        .map(|row| SessionListItem {
            stream: row.stream(),
            viewers: i64::try_from(viewers.get(&row.id).copied().unwrap_or(0)).unwrap_or(i64::MAX),
            markets: row.markets(),
            id: row.id,
            host: Host {
                id: row.host_token_id,
                name: row.host_name,
            },
            title: row.title,
            language: row.language,
            state: row.state,
            scheduled_at: row.scheduled_at.map(silkstream_catalog::db::rfc3339),
            started_at: row.started_at.map(silkstream_catalog::db::rfc3339),
            ended_at: row.ended_at.map(silkstream_catalog::db::rfc3339),
            pinned_product_id: row.pinned_product_id,
            last_seq: row.next_seq,
            peak_viewers: row.peak_viewers,
        })
        .collect();
    Ok(ApiJson(SessionList { items }))
}

/// What a host does to a session, for the claims evidence log.
fn session_act<'a>(
    by: &'a Principal,
    operation: &'static str,
    session_id: Option<i64>,
) -> claims::Act<'a> {
    claims::Act {
        by,
        operation,
        subject_kind: "session",
        subject_id: session_id,
    }
}

/// The claims filter on a product a host puts before buyers (showcase, pin): its texts in
/// every locale. A blocked term refuses (evidence written, nothing else); the rest comes back
/// to go into the write (`Screening::pending`), which writes its evidence in its transaction.
async fn screen_product(
    feed: &Feed,
    act: &claims::Act<'_>,
    session_id: i64,
    product_id: i64,
) -> Result<claims::Screening> {
    feed.store.controlled_session(act.by, session_id).await?;
    let texts = feed.store.catalog().product_claim_texts(product_id).await?;
    Ok(claims::gate(feed.store.catalog(), act, &texts).await?)
}

/// A session: state, showcase, pinned product, sales, server time; once ended, its summary
/// (for the session's host, operators and admins; `null` for buyers and other hosts).
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Session), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_session(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Session>> {
    principal.require(ANYONE)?;
    let session = feed.store.session(id).await?;
    let audience = crate::domain::events::Audience::of(&principal, session.host.id);
    Ok(ApiJson(session.project(audience)))
}

/// The room of a session as anyone may see it, with no token: what a guest sees before
/// joining. The session as buyers see it (state, pinned product, current sale with its prices,
/// sold and left, server time, last seq), the pinned product in `?locale=` (else
/// `Accept-Language`) priced in `?currency=` (else the locale's default), and the session's
/// markets (currencies, whether a postal code is needed). No personal data: no buyer, no
/// order, no ship-to.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/room", tag = "sessions",
    params(("id" = i64, Path, description = "session id"), RoomQuery),
    responses((status = 200, body = Room), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn session_room(
    State(feed): State<Feed>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<RoomQuery>,
) -> Result<ApiJson<Room>> {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let view = silkstream_catalog::localize::View::negotiate(
        q.locale.as_deref(),
        accept,
        q.currency.as_deref(),
    )?;
    let session = feed
        .store
        .session(id)
        .await?
        .project(crate::domain::events::Audience::Public);
    let catalog = feed.store.catalog();
    let product = match session.pinned_product_id {
        Some(pinned) => Some(
            catalog
                .get_product_rendered(pinned, &view)
                .await?
                .product
                .clone(),
        ),
        None => None,
    };
    let markets = catalog
        .list_markets()
        .await?
        .into_iter()
        .filter(|m| session.markets.contains(&m.country))
        .collect();
    Ok(ApiJson(Room {
        session,
        product,
        markets,
    }))
}

/// Adds a product to the showcase (the session's host or an operator). The product's texts
/// pass the claims filter (422 `claims_blocked`, or `warnings`).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/showcase", tag = "sessions",
    params(("id" = i64, Path, description = "session id")), request_body = ProductRef,
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn add_to_showcase(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ProductRef>,
) -> Result<ApiJson<Warned<Session>>> {
    let act = session_act(&principal, "session.showcase", Some(id));
    let screening = screen_product(&feed, &act, id, body.product_id).await?;
    feed.store
        .add_to_showcase(
            &principal,
            id,
            body.product_id,
            Some(&screening.pending(&act)),
        )
        .await?;
    let warnings = screening.warnings();
    Ok(ApiJson(Warned {
        inner: feed.store.session(id).await?,
        warnings,
    }))
}

/// scheduled → live (the session's host or an operator).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/start", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn start_session(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Session>> {
    feed.store.start(&principal, id).await?;
    Ok(ApiJson(feed.store.session(id).await?))
}

/// Pins a showcase product (the session's host or an operator). The product's texts pass the
/// claims filter (422 `claims_blocked`, or `warnings`).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/pin", tag = "sessions",
    params(("id" = i64, Path, description = "session id")), request_body = ProductRef,
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn pin(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ProductRef>,
) -> Result<ApiJson<Warned<Session>>> {
    let act = session_act(&principal, "session.pin", Some(id));
    let screening = screen_product(&feed, &act, id, body.product_id).await?;
    feed.store
        .pin(
            &principal,
            id,
            Some(body.product_id),
            Some(&screening.pending(&act)),
        )
        .await?;
    let warnings = screening.warnings();
    Ok(ApiJson(Warned {
        inner: feed.store.session(id).await?,
        warnings,
    }))
}

/// Unpins the pinned product (the session's host or an operator).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/unpin", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn unpin(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Session>> {
    feed.store.pin(&principal, id, None, None).await?;
    Ok(ApiJson(feed.store.session(id).await?))
}

/// Sets the stream the buyer page plays (`hls`: a playlist from one of the deployment's
/// `media_origins`) or links (`link`: an https page on the platform the show streams on), in
/// place of any stream set before (the session's host or an operator; not once it has ended).
/// Buyers' feeds get `stream_set`.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/stream", tag = "sessions",
    params(("id" = i64, Path, description = "session id")), request_body = NewStream,
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody,
            description = "`invalid` (kind, url), or `stream_origin_not_allowed`: an HLS URL \
                outside the deployment's media origins")),
    security(("bearer" = [])))]
async fn set_stream(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewStream>,
) -> Result<ApiJson<Session>> {
    feed.store
        .set_stream(&principal, id, Some((&body, &feed.config.media_origins)))
        .await?;
    Ok(ApiJson(feed.store.session(id).await?))
}

/// Takes the stream off the buyer page (the session's host or an operator); 409 when none is
/// set. Buyers' feeds get `stream_cleared`.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}/stream", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn clear_stream(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Session>> {
    feed.store.set_stream(&principal, id, None).await?;
    Ok(ApiJson(feed.store.session(id).await?))
}

/// Ends the session: running sales end and return their units; the answer carries the summary.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/end", tag = "sessions",
    params(("id" = i64, Path, description = "session id")),
    responses((status = 200, body = Session), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn end_session(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Session>> {
    feed.store.end(&principal, id).await?;
    Ok(ApiJson(feed.store.session(id).await?))
}

/// The session's logged events after `since` (the session's host or an operator).
#[utoipa::path(get, path = "/api/v1/sessions/{id}/events", tag = "sessions",
    params(("id" = i64, Path, description = "session id"), EventsQuery),
    responses((status = 200, body = Vec<Event>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn session_events(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<ApiJson<Vec<Event>>> {
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
/// operator). For a market whose cross-border limits refuse orders (China's), every price's
/// currency must convert into the limits' currency with today's rates (422 naming
/// `prices.<currency>` otherwise).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/flash-sales", tag = "flash-sales",
    params(("id" = i64, Path, description = "session id")), request_body = NewFlashSale,
    responses((status = 201, body = FlashSale), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`invalid`, naming the field; \
            `prices.<currency>` for a currency without a rate into a market with limits")),
    security(("bearer" = [])))]
async fn create_sale(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewFlashSale>,
) -> Result<(StatusCode, ApiJson<FlashSale>)> {
    let sale = feed.store.create_sale(&principal, id, body).await?;
    Ok((StatusCode::CREATED, ApiJson(sale)))
}

/// A flash sale: units allocated, left, sold and returned; phase; prices.
#[utoipa::path(get, path = "/api/v1/flash-sales/{id}", tag = "flash-sales",
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
#[utoipa::path(post, path = "/api/v1/flash-sales/{id}/pause", tag = "flash-sales",
    params(("id" = i64, Path, description = "flash sale id")),
    responses((status = 200, body = FlashSale), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn pause_sale(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<FlashSale>> {
    Ok(ApiJson(feed.store.set_paused(&principal, id, true).await?))
}

/// Resumes a paused sale (the session's host or an operator).
#[utoipa::path(post, path = "/api/v1/flash-sales/{id}/resume", tag = "flash-sales",
    params(("id" = i64, Path, description = "flash sale id")),
    responses((status = 200, body = FlashSale), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn resume_sale(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<FlashSale>> {
    Ok(ApiJson(feed.store.set_paused(&principal, id, false).await?))
}

/// Adds units from the sale's warehouse (the session's host or an operator).
#[utoipa::path(post, path = "/api/v1/flash-sales/{id}/restock", tag = "flash-sales",
    params(("id" = i64, Path, description = "flash sale id")), request_body = Restock,
    responses((status = 200, body = FlashSale), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn restock_sale(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Controllers>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Restock>,
) -> Result<ApiJson<FlashSale>> {
    Ok(ApiJson(
        feed.store.restock(&principal, id, body.quantity).await?,
    ))
}

/// The buyer's `Idempotency-Key`: 1 to 100 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<String> {
    let value = headers
        .get("idempotency-key")
        .ok_or_else(|| Error::invalid("Idempotency-Key", "the header is required"))?;
    crate::edge::intake::check_key("Idempotency-Key", value.to_str().unwrap_or_default())
}

/// Places an order in a live session (buyer, with an `Idempotency-Key`). 201 with the new
/// order; 200 with the original order when the key was used before for the same content. An
/// order into China names its orderer (`identity`: real name and resident ID number), whose
/// CNY 5,000 per order and 26,000 per year count per person.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/orders", tag = "orders",
    params(("id" = i64, Path, description = "session id"),
        ("Idempotency-Key" = String, Header, description = "the buyer's key for this order")),
    request_body = NewOrder,
    responses((status = 201, body = OrderPlaced), (status = 200, body = OrderPlaced),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "a refusal: `sold_out`, `limit_reached`, \
            `cross_border_limit` (over China's limits), `cross_border_limit_unknown` (a limit \
            that cannot be checked: no rate for the order's currency), …"),
        (status = 422, body = ErrorBody, description = "`invalid` naming the field (`identity`, \
            `identity.name`, `identity.id_number` for an order into CN), \
            `idempotency_mismatch`, `ship_to_not_in_markets`"),
        (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
async fn place_order(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Buyers>,
    ApiPath(session_id): ApiPath<i64>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewOrder>,
) -> Result<(StatusCode, ApiJson<OrderPlaced>)> {
    let key = idempotency_key(&headers)?;
    let placed = crate::edge::intake::place(&feed, &principal, session_id, key, body).await?;
    let status = if placed.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, ApiJson(placed)))
}

/// Orders the caller may see: a buyer's own (`?mine`), a host's sessions', all for operators
/// and admins; `?session_id=` narrows to one session.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(OrdersQuery),
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
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
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

/// Starts paying an order (its buyer, an operator or an admin): opens a payment through the
/// provider, or answers the open one, with what a client needs to pay. It does not pay: the
/// order becomes paid on the provider's signed callback (docs/payments.md).
#[utoipa::path(post, path = "/api/v1/orders/{id}/pay", tag = "payments",
    params(("id" = i64, Path, description = "order id")),
    responses((status = 200, body = crate::edge::payments::Payment), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
async fn pay_order(
    State(feed): State<Feed>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<crate::edge::payments::Payment>> {
    principal.require(&[Role::Buyer, Role::Operator, Role::Admin])?;
    Ok(ApiJson(
        crate::edge::payments::start(&feed, &principal, id).await?,
    ))
}

/// Cancels an order before it ships; its units go back to the sale while the sale runs, else to
/// stock. Its buyer cancels an unpaid order (a paid one: 409 `order_paid`, ask for a refund); an
/// operator cancels an unpaid order, or a paid one with its refund recorded: the payment
/// becomes `refund_due` and the money owed is listed with who decided it (docs/payments.md).
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders",
    params(("id" = i64, Path, description = "order id")),
    responses((status = 200, body = Order), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn cancel_order(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Cancellers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Order>> {
    feed.store.order(&principal, id).await?;
    let by = if principal.role == Role::Buyer {
        CancelBy::Buyer
    } else {
        CancelBy::Staff(&principal)
    };
    if !feed.store.cancel(id, by, principal.role.as_str()).await? {
        let order = feed.store.order(&principal, id).await?;
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

/// Cancels a paid order (not yet shipped) and records its refund: the session's host, an
/// operator or an admin. The payment becomes `refund_due`, the money owed is listed with who
/// decided it (`GET /api/v1/payments/refunds`), the units go back. 409 for an order that is not
/// paid.
#[utoipa::path(post, path = "/api/v1/orders/{id}/refund", tag = "payments",
    params(("id" = i64, Path, description = "order id")),
    responses((status = 200, body = Order), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn refund_order(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Refunders>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Order>> {
    feed.store.order(&principal, id).await?;
    if !feed
        .store
        .cancel(id, CancelBy::Refund(&principal), principal.role.as_str())
        .await?
    {
        let order = feed.store.order(&principal, id).await?;
        return Err(Error::conflict(
            "conflict",
            format!(
                "order {id} is {}; only a paid order (not yet shipped) is refunded",
                order.status
            ),
        ));
    }
    Ok(ApiJson(feed.store.order(&principal, id).await?))
}

/// paid → shipped, with the carrier and tracking number (operator or admin).
#[utoipa::path(post, path = "/api/v1/orders/{id}/ship", tag = "orders",
    params(("id" = i64, Path, description = "order id")), request_body = Shipment,
    responses((status = 200, body = Order), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn ship_order(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Fulfilment>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Shipment>,
) -> Result<ApiJson<Order>> {
    let shipment = Shipment {
        carrier: silkstream_catalog::text::line("carrier", &body.carrier, 100)?,
        tracking_number: silkstream_catalog::text::line(
            "tracking_number",
            &body.tracking_number,
            64,
        )?,
    };
    feed.store.order(&principal, id).await?;
    feed.store.advance(id, Step::Ship(&shipment)).await?;
    Ok(ApiJson(feed.store.order(&principal, id).await?))
}

/// shipped → delivered (operator or admin).
#[utoipa::path(post, path = "/api/v1/orders/{id}/deliver", tag = "orders",
    params(("id" = i64, Path, description = "order id")),
    responses((status = 200, body = Order), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn deliver_order(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<Fulfilment>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Order>> {
    feed.store.order(&principal, id).await?;
    feed.store.advance(id, Step::Deliver).await?;
    Ok(ApiJson(feed.store.order(&principal, id).await?))
}

/// Every order as CSV (RFC 4180, UTF-8, header row) for fulfilment and customs (operator or
/// admin). Amounts are decimal strings in major units.
#[utoipa::path(get, path = "/api/v1/orders/export", tag = "reports",
    responses((status = 200, content_type = "text/csv", body = String)),
    security(("bearer" = [])))]
async fn export_orders(State(feed): State<Feed>, _: Authorized<Fulfilment>) -> Result<Response> {
    // Streamed a page of orders at a time (constant memory for any number of orders).
    let csv =
        axum::body::Body::from_stream(crate::edge::reports::export_csv(feed.store.clone()).await?);
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

/// Sales (orders not cancelled) grouped by session, host, market or day in any IANA time zone
/// (operator or admin).
#[utoipa::path(get, path = "/api/v1/reports/sales", tag = "reports", params(ReportQuery),
    responses((status = 200, body = SalesReport), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn sales_report(
    State(feed): State<Feed>,
    _: Authorized<Fulfilment>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<ApiJson<SalesReport>> {
    Ok(ApiJson(
        crate::edge::reports::sales(&feed.store, &q.group_by, q.tz.as_deref()).await?,
    ))
}
