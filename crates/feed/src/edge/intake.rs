//! Order intake: placing an order, for the HTTP route and the WebSocket feed alike. Checks the
//! request at the edge (quantity, currency, ship-to, key), finds the buyer, the session, the
//! variant and its price, and hands the order to the desk (a flash sale) or to the store's
//! regular path; every decision that must hold under concurrency (the key, the session's
//! state, the sale or stock, the limit) is made again inside their transaction. The answer is a
//! new order, the original order of a retried key, or a refusal in the buyer's language.

use sha2::{Digest, Sha256};
use silkstream_catalog::auth::Principal;
use silkstream_catalog::codes::{self, CountryCode, CurrencyCode};

use crate::domain::error::{Error, Refusal, Result};
use crate::domain::model::*;
use crate::edge::Feed;
use crate::store::{
    OrderRow, Orderer, PendingOrder, PerPerson, Placed, Written, MAX_ORDER_QUANTITY,
};

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

pub(crate) fn check_ship_to(s: &ShipTo) -> Result<ShipTo> {
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
    let country = CountryCode::parse("ship_to.country", &s.country)?
        .as_str()
        .to_owned();
    // Where the country has no postal codes (or does not use them), none is asked for.
    let postal_code = if s.postal_code.trim().is_empty() && !codes::postal_code_required(&country) {
        String::new()
    } else {
        codes::text("ship_to.postal_code", &s.postal_code, 16)?
    };
    Ok(ShipTo {
        name: silkstream_catalog::text::name("ship_to.name", &s.name, 100)?,
        phone,
        country,
        city: silkstream_catalog::text::name("ship_to.city", &s.city, 100)?,
        address: codes::text("ship_to.address", &s.address, 300)?,
        postal_code,
    })
}

/// The digest of what an order asks for, to tell a retry from a reuse of its key; an order's
/// orderer counts by their name and ID number's hash (an order without one digests as it
/// always did).
fn request_digest(
    session_id: i64,
    variant_id: i64,
    quantity: i64,
    currency: &str,
    ship_to: &str,
    orderer: Option<&Orderer>,
) -> String {
    let mut text = format!("{session_id}\n{variant_id}\n{quantity}\n{currency}\n{ship_to}");
    if let Some(o) = orderer {
        text.push_str(&format!("\n{}\n{}", o.name, o.id_hash));
    }
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Places an order for the HTTP route and the WebSocket feed alike: `replayed` tells a new
/// order (201 over HTTP) from the original answer to a retried key (200).
///
/// For a buyer this instance has seen, a flash-sale order makes no database round trip before
/// the desk: the token, the buyer, the session, the sale, the variant's facts and the keys this
/// instance answered come from memory ([`crate::store::cache`]), and the answer is built from what the
/// desk's batch wrote. Whatever intake refuses before the desk or the regular path has
/// decided, it first looks the key up in the database: a key that names an order is answered
/// with that order, as the authoritative path would.
pub async fn place(
    feed: &Feed,
    principal: &Principal,
    session_id: i64,
    key: String,
    body: NewOrder,
) -> Result<OrderPlaced> {
    if !(1..=MAX_ORDER_QUANTITY).contains(&body.quantity) {
        return Err(Error::invalid(
            "quantity",
            format!("must be between 1 and {MAX_ORDER_QUANTITY}"),
        ));
    }
    let currency = CurrencyCode::parse("currency", &body.currency)?;
    let ship_to = check_ship_to(&body.ship_to)?;
    let ship_to_json = serde_json::to_string(&ship_to).map_err(Error::internal)?;
    // The orderer of an order into a market whose limits count per person (CN): checked here,
    // kept only hashed and masked.
    let orderer = match crate::domain::identity::check(&ship_to.country, body.identity.as_ref())? {
        Some(checked) => Some(crate::domain::identity::orderer(
            &feed.store.identity_key().await?,
            &checked,
        )?),
        None => None,
    };
    let digest = request_digest(
        session_id,
        body.variant_id,
        body.quantity,
        currency.code(),
        &ship_to_json,
        orderer.as_ref(),
    );
    let Some(buyer) = feed.store.buyer_cached(principal.token_id).await? else {
        // A guest deleted by another instance's sweeper is still remembered here for up to the
        // token watch's period: their token is gone, so 401 as anywhere else.
        if !feed.store.token_live(principal.token_id).await? {
            return Err(silkstream_catalog::Error::Unauthorized.into());
        }
        return Err(Error::invalid(
            "buyer",
            "this buyer token has no buyer profile; create guest buyers with POST /api/v1/buyers",
        ));
    };
    if !feed.order_limit.allow(&principal.token_id).await {
        return Err(Error::RateLimited(format!(
            "at most {} orders per minute per buyer",
            feed.config.orders_per_buyer_per_minute
        )));
    }
    let caches = feed.store.caches();
    if let Some(order_id) = caches.key(principal.token_id, &key) {
        let existing = feed.store.order_row(order_id).await?;
        return replay(feed, principal, existing, &digest, &buyer.locale);
    }
    let order = Order {
        principal,
        session_id,
        key: &key,
        body: &body,
        currency,
        ship_to: &ship_to,
        ship_to_json: &ship_to_json,
        digest: &digest,
        buyer: &buyer,
        orderer: orderer.as_ref(),
    };
    let mut decided = false;
    match decide(feed, &order, &mut decided).await {
        Err(e) if !decided => {
            // Refused before the authoritative path: a key that names an order is answered
            // with it (that path reads the key before anything else).
            match feed.store.order_by_key(principal.token_id, &key).await? {
                Some(existing) => {
                    caches.put_key(principal.token_id, &key, existing.id);
                    replay(feed, principal, existing, &digest, &buyer.locale)
                }
                None => Err(e),
            }
        }
        other => other,
    }
}

/// One order's checked request, as [`decide`] takes it.
struct Order<'a> {
    principal: &'a Principal,
    session_id: i64,
    key: &'a str,
    body: &'a NewOrder,
    currency: CurrencyCode,
    ship_to: &'a ShipTo,
    ship_to_json: &'a str,
    digest: &'a str,
    buyer: &'a crate::store::BuyerRow,
    orderer: Option<&'a Orderer>,
}

/// Checks the session, the markets, the variant and the price, and hands the order to the desk
/// or the regular path; `decided` turns true once one of them has the order (its answer is
/// authoritative, key included).
async fn decide(feed: &Feed, r: &Order<'_>, decided: &mut bool) -> Result<OrderPlaced> {
    let (principal, session_id, body, currency, buyer) =
        (r.principal, r.session_id, r.body, r.currency, r.buyer);
    let caches = feed.store.caches();
    let session = feed.store.session_facts(session_id).await?;
    if session.state != SessionState::Live {
        // Decided again under the session's lock when written; this spares the queue.
        return Err(refused(feed, &buyer.locale, Refusal::NotLive));
    }
    let markets = &session.markets;
    if !markets.contains(&buyer.country) {
        return Err(Error::invalid(
            "buyer.country",
            format!("the session does not sell to {}", buyer.country),
        ));
    }
    // The order is sold into the market it ships to.
    if !markets.contains(&r.ship_to.country) {
        return Err(Error::Unprocessable {
            code: "ship_to_not_in_markets",
            message: format!(
                "ship_to.country: the session sells to {}, not to {}",
                markets.join(", "),
                r.ship_to.country
            ),
        });
    }
    let mut sale = feed
        .store
        .sale_for_cached(session_id, body.variant_id)
        .await?;
    // The variant's facts (archived, category, weight, customs mode, SKU) change in the
    // catalog on any instance. An order takes them from memory while the catalog cache has
    // heard of no change to the product (the desk's batch, a sale's or the regular one,
    // decides "archived" again in its transaction).
    let facts = feed
        .store
        .variant_facts_cached(body.variant_id)
        .await?
        .ok_or_else(|| Error::invalid("variant_id", format!("no variant {}", body.variant_id)))?;
    let (product_id, customs_mode) = (facts.product_id, facts.customs_mode.clone());
    if facts.archived {
        return Err(Error::invalid("variant_id", "the variant is archived"));
    }
    // A regular order that meets a sale opened meanwhile is decided again in the sale, and an
    // order sent to a sale that ended is decided again in the variant's latest sale (each at
    // most once: a sale cannot open twice under one order).
    let mut fresh_sale = false;
    for _ in 0..3 {
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
        let (landed_cost, per_person) = landed_cost(
            feed,
            principal,
            r.ship_to,
            currency,
            body,
            &facts,
            unit_price,
            r.orderer.is_some(),
        )
        .await?;
        let pending = PendingOrder {
            session_id,
            sale_id: sale.as_ref().map(|s| s.id),
            buyer_token_id: principal.token_id,
            buyer_name: buyer.display_name.clone(),
            idempotency_key: r.key.to_owned(),
            digest: r.digest.to_owned(),
            variant_id: body.variant_id,
            product_id,
            quantity: body.quantity,
            currency: currency.code().to_owned(),
            unit_price_minor: unit_price,
            market: r.ship_to.country.clone(),
            buyer_city: buyer.city.clone(),
            locale: buyer.locale.clone(),
            customs_mode: customs_mode.clone(),
            b2c_max_quantity: feed.config.customs.b2c_max_quantity,
            ship_to: r.ship_to_json.to_owned(),
            landed_cost: Some(landed_cost),
            per_person,
            orderer: r.orderer.cloned(),
        };
        *decided = true;
        let placed = match &sale {
            Some(s) => feed.desk.submit(s.id, pending.clone()).await?,
            None => feed.desk.submit_regular(pending.clone()).await?,
        };
        match placed {
            Placed::Confirmed {
                order_id,
                remaining,
                written,
            } => {
                caches.put_key(principal.token_id, r.key, order_id);
                // The desk's answer: the order as its batch wrote it, no re-read (the warehouse
                // is the sale's, or the one the regular batch names).
                let from_batch = match (&written, &sale) {
                    (Some(w), Some(s)) if w.warehouse_id == s.warehouse_id => {
                        Some((w, s.warehouse.as_str()))
                    }
                    (Some(w), None) => w.warehouse.as_deref().map(|code| (w, code)),
                    _ => None,
                };
                let row = match from_batch {
                    Some((w, code)) => as_written(
                        &pending,
                        order_id,
                        w,
                        &facts.sku,
                        code,
                        session.host_token_id,
                    ),
                    None => feed.store.order_row(order_id).await?,
                };
                let message = confirmation(feed, &buyer.locale, &row);
                return Ok(OrderPlaced {
                    order: row.view(principal),
                    remaining,
                    replayed: false,
                    message,
                });
            }
            Placed::Duplicate { order_id } => {
                caches.put_key(principal.token_id, r.key, order_id);
                let row = feed.store.order_row(order_id).await?;
                return replay(feed, principal, row, r.digest, &buyer.locale);
            }
            Placed::Refused(refusal) => {
                if refusal == Refusal::NotLive {
                    // The session ended (perhaps on another instance): read it again next time.
                    caches.forget_session(session_id);
                }
                if refusal == Refusal::SaleEnded {
                    if let Some(s) = &sale {
                        // Return the units now rather than at the sweeper's next tick.
                        if let Err(e) = feed.store.end_sale(s.id, "time_up").await {
                            tracing::warn!(sale_id = s.id, error = %e, "cannot end a sale");
                        }
                        // The sale came from memory: a newer one of the variant may have opened
                        // since (on any instance). Decide the order there.
                        caches.forget_sale(session_id, body.variant_id);
                        if !fresh_sale {
                            fresh_sale = true;
                            let latest = feed
                                .store
                                .sale_for_cached(session_id, body.variant_id)
                                .await?;
                            if latest.as_ref().is_some_and(|l| l.id != s.id) {
                                sale = latest;
                                continue;
                            }
                        }
                    }
                }
                return Err(refused(feed, &buyer.locale, refusal));
            }
            Placed::SaleOpen { sale_id } => {
                caches.forget_sale(session_id, body.variant_id);
                sale = Some(std::sync::Arc::new(feed.store.sale_row(sale_id).await?));
                fresh_sale = true;
            }
            Placed::Unauthorized => {
                caches.forget_token(principal.token_id);
                return Err(silkstream_catalog::Error::Unauthorized.into());
            }
            Placed::Archived => {
                return Err(Error::invalid("variant_id", "the variant is archived"));
            }
            Placed::OverLimit { code, message } => {
                return Err(silkstream_catalog::Error::conflict(code, message).into());
            }
        }
    }
    Err(Error::internal(
        "an order kept moving between the sale and stock",
    ))
}

/// The order row as the desk's batch inserted it: the pending order, what the batch wrote
/// (time, payment deadline, warehouse, CNY value, landed-cost quote), the variant's SKU read
/// for this order, the sale's warehouse code and the session's host (neither changes).
fn as_written(
    o: &PendingOrder,
    order_id: i64,
    w: &Written,
    sku: &str,
    warehouse: &str,
    host_token_id: i64,
) -> OrderRow {
    OrderRow {
        id: order_id,
        session_id: o.session_id,
        sale_id: o.sale_id,
        buyer_token_id: o.buyer_token_id,
        request_digest: o.digest.clone(),
        variant_id: o.variant_id,
        product_id: o.product_id,
        sku: sku.to_owned(),
        warehouse: warehouse.to_owned(),
        warehouse_id: w.warehouse_id,
        quantity: o.quantity,
        currency: o.currency.clone(),
        unit_price_minor: o.unit_price_minor,
        total_minor: o.unit_price_minor.saturating_mul(o.quantity),
        market: o.market.clone(),
        buyer_city: o.buyer_city.clone(),
        locale: o.locale.clone(),
        customs_mode: w.customs_mode.clone(),
        customs_reason: w.customs_reason.clone(),
        ship_to: o.ship_to.clone(),
        status: OrderStatus::Confirmed.as_str().to_owned(),
        pay_by: w.pay_by,
        paid_at: None,
        shipped_at: None,
        delivered_at: None,
        cancelled_at: None,
        cancel_reason: None,
        carrier: None,
        tracking_number: None,
        created_at: w.created_at,
        host_token_id,
        rate_cny: w.rate_cny.clone(),
        value_cny_fen: w.value_cny_fen,
        landed_cost: w.landed_cost.clone(),
        orderer_name: o.orderer.as_ref().map(|p| p.name.clone()),
        orderer_id_masked: o.orderer.as_ref().map(|p| p.id_masked.clone()),
    }
}

/// The landed-cost quote of an order, computed before the desk from what intake has read (the
/// rules and rates come from the catalog's snapshot; a per-person rule reads the buyer's
/// earlier totals once), as the JSON stored with the order. An order over a `refuse` limit
/// (China's CNY 5,000 per order, 26,000 per year) is refused: 409 `cross_border_limit`; one
/// whose limits cannot be checked (no rate converts its currency into the limits'), 409
/// `cross_border_limit_unknown`. Where the rule counts per person, this is a fast refusal
/// only: the quote is decided again inside the order's transaction with the buyer's (or the
/// person's) row locked, from the returned [`PerPerson`] (the same rule and rates). An order
/// that names its orderer (`by_person`) counts the person's earlier orders only there.
#[allow(clippy::too_many_arguments)]
async fn landed_cost(
    feed: &Feed,
    principal: &Principal,
    ship_to: &ShipTo,
    currency: CurrencyCode,
    body: &NewOrder,
    facts: &crate::store::VariantFacts,
    unit_price: i64,
    by_person: bool,
) -> Result<(String, Option<PerPerson>)> {
    use silkstream_catalog::landed;
    let catalog = feed.store.catalog();
    let day = silkstream_catalog::store::today();
    let input = landed::QuoteInput {
        country: &ship_to.country,
        category: &facts.category,
        currency,
        quantity: body.quantity,
        goods_minor: unit_price.saturating_mul(body.quantity),
        weight_g: facts.weight_g.saturating_mul(body.quantity),
        day,
    };
    let snapshot = catalog.landed_snapshot(day).await?;
    let rule = landed::rule_for(&snapshot.rules, &ship_to.country, &facts.category, day);
    let (earlier, per_person) = match rule {
        Some(r) if !r.body.periods().is_empty() => (
            if by_person {
                landed::Earlier::default()
            } else {
                feed.store
                    .buyer_earlier(
                        principal.token_id,
                        &ship_to.country,
                        silkstream_catalog::db::now_ms(),
                    )
                    .await?
            },
            Some(PerPerson {
                rule: r.clone(),
                rates: snapshot.rates.clone(),
                category: facts.category.clone(),
                weight_g: facts.weight_g,
                day,
            }),
        ),
        _ => (landed::Earlier::default(), None),
    };
    let quote = landed::compute(rule, &input, &earlier, &snapshot.rates);
    if let Some(Placed::OverLimit { code, message }) =
        crate::store::per_person::limit_refusal(&quote)
    {
        return Err(silkstream_catalog::Error::conflict(code, message).into());
    }
    let json = serde_json::to_string(&quote).map_err(Error::internal)?;
    Ok((json, per_person))
}

/// A refusal with the buyer's message in their language.
fn refused(feed: &Feed, locale: &str, refusal: Refusal) -> Error {
    Error::Refused {
        refusal,
        localized: refusal
            .outcome()
            .map(|outcome| feed.l10n.order_message(locale, &outcome)),
    }
}

/// The answer to a retry: the original order (200), or 422 when the content differs.
fn replay(
    feed: &Feed,
    principal: &Principal,
    row: OrderRow,
    digest: &str,
    locale: &str,
) -> Result<OrderPlaced> {
    if row.request_digest != digest {
        return Err(Error::IdempotencyMismatch);
    }
    let message = confirmation(feed, locale, &row);
    Ok(OrderPlaced {
        order: row.view(principal),
        remaining: None,
        replayed: true,
        message,
    })
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
            crate::edge::reports::major(row.total_minor, &row.currency),
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
