//! The customs routes under `/api/v1/customs` (operators and admins; docs/customs.md):
//! waybills, the pre-check, declaration batches and their states, each declaration's CEB303
//! message, the withdrawal list and the orders by mode; the three-document pre-check
//! ([`precheck`]). The rules (the mode of each order, the CEB303 message) are
//! `crate::domain::customs`; the SQL is `crate::store::customs`.

pub mod precheck;

use axum::extract::{FromRef, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use silkstream_catalog::auth::{Authorized, Principal, Role, RoleSet};
use silkstream_catalog::codes::CurrencyCode;
use silkstream_catalog::db::{now_ms, rfc3339};
use silkstream_catalog::error::ErrorBody;
use silkstream_catalog::extract::{ApiJson, ApiPath};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use self::precheck::Checked;
use crate::domain::customs::ceb303::{self, OrderLine, OrderMessage};
use crate::domain::error::{Error, Result};
use crate::edge::Feed;
use crate::store::customs::{Prepared, Scope, WaybillRow};

/// Operators and admins.
pub struct CustomsOfficers;
impl RoleSet for CustomsOfficers {
    const ROLES: &'static [Role] = &[Role::Operator, Role::Admin];
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Feed: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(put_waybill))
        .routes(routes!(get_precheck))
        .routes(routes!(list_batches, create_batch))
        .routes(routes!(get_batch))
        .routes(routes!(declare_batch))
        .routes(routes!(record_receipt))
        .routes(routes!(get_message))
        .routes(routes!(list_withdrawals))
        .routes(routes!(orders_by_mode))
}

/// The consignee on a waybill's label.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Consignee {
    pub name: String,
    pub phone: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub city: String,
    pub address: String,
}

/// An order's waybill as the carrier issued it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Waybill {
    /// 1 to 100 characters.
    pub carrier: String,
    /// 1 to 60 characters.
    pub tracking_number: String,
    /// The weighed parcel, grams (1 to 1,000,000).
    pub weight_g: i64,
    pub consignee: Consignee,
}

/// Records (or replaces) an order's waybill (operator, admin).
#[utoipa::path(put, path = "/api/v1/customs/waybills/{order_id}", tag = "customs",
    params(("order_id" = i64, Path, description = "order id")), request_body = Waybill,
    responses((status = 200, body = Waybill), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn put_waybill(
    State(feed): State<Feed>,
    Authorized(who, _): Authorized<CustomsOfficers>,
    ApiPath(order_id): ApiPath<i64>,
    ApiJson(body): ApiJson<Waybill>,
) -> Result<ApiJson<Waybill>> {
    use silkstream_catalog::text::line;
    let row = WaybillRow {
        order_id,
        carrier: line("carrier", &body.carrier, 100)?,
        tracking_number: line("tracking_number", &body.tracking_number, 60)?,
        weight_g: body.weight_g,
        consignee_name: line("consignee.name", &body.consignee.name, 200)?,
        consignee_phone: line("consignee.phone", &body.consignee.phone, 40)?,
        consignee_country: silkstream_catalog::codes::CountryCode::parse(
            "consignee.country",
            &body.consignee.country,
        )?
        .as_str()
        .to_owned(),
        consignee_city: line("consignee.city", &body.consignee.city, 100)?,
        consignee_address: line("consignee.address", &body.consignee.address, 300)?,
        updated_at: 0,
    };
    if !(1..=1_000_000).contains(&body.weight_g) {
        return Err(Error::invalid("weight_g", "must be 1 to 1,000,000 grams"));
    }
    if order_id < 1 {
        return Err(Error::not_found(format!("order {order_id}")));
    }
    feed.store.put_waybill(&row, &decider(&who)).await?;
    Ok(ApiJson(body))
}

fn decider(who: &Principal) -> String {
    format!("{} #{} {}", who.role.as_str(), who.token_id, who.name)
}

/// The pre-check: every paid retail parcel (9610) not declared yet that is not ready, with
/// every reason as a code, and how many are ready.
#[derive(Debug, Serialize, ToSchema)]
pub struct Precheck {
    /// Orders ready to declare.
    pub ready: usize,
    /// Orders not ready, each with its reasons.
    pub not_ready: Vec<Checked>,
}

/// The three-document pre-check of the orders that could be declared (operator, admin).
#[utoipa::path(get, path = "/api/v1/customs/precheck", tag = "customs",
    responses((status = 200, body = Precheck)), security(("bearer" = [])))]
async fn get_precheck(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
) -> Result<ApiJson<Precheck>> {
    let checks = precheck::check(&feed, None).await?;
    let (ready, not_ready): (Vec<Checked>, Vec<Checked>) = checks
        .checked
        .into_iter()
        .partition(|c| c.reasons.is_empty());
    Ok(ApiJson(Precheck {
        ready: ready.len(),
        not_ready,
    }))
}

/// Which orders a new batch is for: one day in a time zone, or one live session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBatch {
    /// `YYYY-MM-DD`: the orders confirmed that day in `utc_offset`'s time.
    pub day: Option<String>,
    /// `+08:00` (default) or another offset from UTC, `±HH:MM`.
    pub utc_offset: Option<String>,
    /// Or: the orders of this live session.
    pub session_id: Option<i64>,
}

/// A batch of declarations.
#[derive(Debug, Serialize, ToSchema)]
pub struct Batch {
    pub id: i64,
    /// `day` or `session`.
    pub scope: String,
    pub day: Option<String>,
    pub utc_offset: Option<String>,
    pub session_id: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    /// Declarations by state.
    pub pending: i64,
    pub declared: i64,
    pub accepted: i64,
    pub rejected: i64,
}

/// What creating a batch did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedBatch {
    pub batch: Batch,
    /// The orders declared in it.
    pub orders: Vec<i64>,
    /// The orders of its scope left out, with their reasons.
    pub left_out: Vec<Checked>,
}

fn scope_of(body: &NewBatch) -> Result<(Scope, Option<(String, String)>)> {
    match (&body.day, body.session_id) {
        (Some(day), None) => {
            let date = time::Date::parse(
                day,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| Error::invalid("day", "must be a date, YYYY-MM-DD"))?;
            let offset_text = body.utc_offset.clone().unwrap_or_else(|| "+08:00".into());
            let offset = time::UtcOffset::parse(
                &offset_text,
                time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]"),
            )
            .map_err(|_| Error::invalid("utc_offset", "must be an offset from UTC, ±HH:MM"))?;
            let from = date.midnight().assume_offset(offset).unix_timestamp() * 1000;
            Ok((
                Scope::Day {
                    from,
                    to: from + 86_400_000,
                },
                Some((day.clone(), offset_text)),
            ))
        }
        (None, Some(id)) if body.utc_offset.is_none() => {
            if id < 1 {
                return Err(Error::invalid("session_id", "must be a session id"));
            }
            Ok((Scope::Session(id), None))
        }
        _ => Err(Error::invalid(
            "day",
            "give either day (and perhaps utc_offset) or session_id",
        )),
    }
}

/// Creates a declaration batch (operator, admin): every paid retail parcel (9610) of the day
/// or session that passes the pre-check and is in no batch yet, each with its CEB303 message;
/// the others are listed with their reasons. 409 `nothing_to_declare` when none is ready.
#[utoipa::path(post, path = "/api/v1/customs/batches", tag = "customs", request_body = NewBatch,
    responses((status = 201, body = CreatedBatch), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_batch(
    State(feed): State<Feed>,
    Authorized(who, _): Authorized<CustomsOfficers>,
    ApiJson(body): ApiJson<NewBatch>,
) -> Result<(StatusCode, ApiJson<CreatedBatch>)> {
    let (scope, day) = scope_of(&body)?;
    let checks = precheck::check(&feed, Some(scope)).await?;
    let cfg = &feed.config.customs;
    let now = now_ms();
    let mut prepared = Vec::new();
    let mut left_out = Vec::new();
    for (c, o) in checks.checked.into_iter().zip(checks.orders.iter()) {
        if !c.reasons.is_empty() {
            left_out.push(c);
            continue;
        }
        // Ready means every part below is present: a miss here is a bug, reported as such.
        let g = checks
            .goods
            .get(&o.variant_id)
            .ok_or_else(|| Error::internal("a ready order lost its goods"))?;
        let exponent = CurrencyCode::parse("currency", &o.currency)?.exponent();
        let (price, total) = ceb303::cny_amounts(
            o.unit_price_minor,
            exponent,
            o.rate_cny.as_deref().unwrap_or_default(),
            o.value_cny_fen.unwrap_or_default(),
        )
        .ok_or_else(|| Error::internal("a ready order's CNY amounts do not compute"))?;
        let guid = uuid::Uuid::new_v4().to_string().to_uppercase();
        let message = OrderMessage {
            guid: guid.clone(),
            app_time: ceb303::app_time(now),
            order_no: format!("SS{}", o.id),
            ebp_code: cfg.ebp_code.clone().unwrap_or_default(),
            ebp_name: ceb303::cut(&cfg.ebp_name.clone().unwrap_or_default(), 100),
            ebc_code: g.merchant_customs_code.clone().unwrap_or_default(),
            ebc_name: ceb303::cut(&g.merchant_customs_name.clone().unwrap_or_default(), 100),
            goods_value: total,
            freight: rust_decimal::Decimal::ZERO,
            note: None,
            lines: vec![OrderLine {
                gnum: 1,
                item_no: ceb303::cut(&g.sku, 30),
                item_name: ceb303::cut(g.title_zh.as_deref().unwrap_or_default(), 250),
                item_describe: g
                    .description_zh
                    .as_deref()
                    .map(|d| ceb303::cut(d.trim(), 1000))
                    .filter(|d| !d.is_empty()),
                bar_code: g.barcode.clone().filter(|b| !b.is_empty() && b.len() <= 50),
                unit: ceb303::unit_of(&g.category),
                qty: o.quantity,
                price,
                total_price: total,
                note: None,
            }],
        };
        prepared.push(Prepared {
            order_id: o.id,
            guid,
            message: message.to_xml(),
        });
    }
    if prepared.is_empty() {
        return Err(Error::conflict(
            "nothing_to_declare",
            format!(
                "no order of this scope is ready to declare ({} left out by the pre-check)",
                left_out.len()
            ),
        ));
    }
    let scope_name = if day.is_some() { "day" } else { "session" };
    let session_id = match scope {
        Scope::Session(id) => Some(id),
        Scope::Day { .. } => None,
    };
    let Some((batch_id, orders)) = feed
        .store
        .create_batch(
            scope_name,
            day.as_ref().map(|(d, o)| (d.as_str(), o.as_str())),
            session_id,
            (&decider(&who), who.token_id),
            &prepared,
        )
        .await?
    else {
        return Err(Error::conflict(
            "nothing_to_declare",
            "every ready order of this scope was declared by another batch meanwhile",
        ));
    };
    let batch = feed
        .store
        .batches()
        .await?
        .into_iter()
        .find(|b| b.id == batch_id)
        .map(batch_view)
        .ok_or_else(|| Error::internal("a new batch is missing"))?;
    Ok((
        StatusCode::CREATED,
        ApiJson(CreatedBatch {
            batch,
            orders,
            left_out,
        }),
    ))
}

fn batch_view(b: crate::store::customs::BatchRow) -> Batch {
    Batch {
        id: b.id,
        scope: b.scope,
        day: b.day,
        utc_offset: b.utc_offset,
        session_id: b.session_id,
        created_by: b.created_by,
        created_at: rfc3339(b.created_at),
        pending: b.pending,
        declared: b.declared,
        accepted: b.accepted,
        rejected: b.rejected,
    }
}

/// The latest 200 batches, newest first (operator, admin).
#[utoipa::path(get, path = "/api/v1/customs/batches", tag = "customs",
    responses((status = 200, body = Vec<Batch>)), security(("bearer" = [])))]
async fn list_batches(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
) -> Result<ApiJson<Vec<Batch>>> {
    Ok(ApiJson(
        feed.store
            .batches()
            .await?
            .into_iter()
            .map(batch_view)
            .collect(),
    ))
}

/// One order's declaration.
#[derive(Debug, Serialize, ToSchema)]
pub struct Declaration {
    pub order_id: i64,
    pub batch_id: i64,
    pub guid: String,
    /// `pending`, `declared`, `accepted` or `rejected`.
    pub state: String,
    /// The receipt's message, as an operator recorded it.
    pub receipt: Option<String>,
    pub declared_at: Option<String>,
    pub receipt_at: Option<String>,
    pub created_at: String,
}

/// A batch's declarations (operator, admin).
#[utoipa::path(get, path = "/api/v1/customs/batches/{id}", tag = "customs",
    params(("id" = i64, Path, description = "batch id")),
    responses((status = 200, body = Vec<Declaration>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_batch(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Vec<Declaration>>> {
    Ok(ApiJson(
        feed.store
            .batch_declarations(id)
            .await?
            .into_iter()
            .map(|d| Declaration {
                order_id: d.order_id,
                batch_id: d.batch_id,
                guid: d.guid,
                state: d.state,
                receipt: d.receipt,
                declared_at: d.declared_at.map(rfc3339),
                receipt_at: d.receipt_at.map(rfc3339),
                created_at: rfc3339(d.created_at),
            })
            .collect(),
    ))
}

/// How many declarations moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct Moved {
    pub declared: u64,
}

/// Marks a batch's pending declarations declared: handed to the firm that signs and
/// transmits them (operator, admin).
#[utoipa::path(post, path = "/api/v1/customs/batches/{id}/declare", tag = "customs",
    params(("id" = i64, Path, description = "batch id")),
    responses((status = 200, body = Moved), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn declare_batch(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Moved>> {
    Ok(ApiJson(Moved {
        declared: feed.store.declare_batch(id).await?,
    }))
}

/// The single window's receipt of a declaration, as an operator records it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// `accepted` or `rejected`.
    pub state: String,
    /// The receipt's message (1 to 1,000 characters).
    pub message: String,
}

/// Records a declared order's receipt (operator, admin); 409 unless it is `declared`.
#[utoipa::path(post, path = "/api/v1/customs/declarations/{order_id}/receipt", tag = "customs",
    params(("order_id" = i64, Path, description = "order id")), request_body = Receipt,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn record_receipt(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
    ApiPath(order_id): ApiPath<i64>,
    ApiJson(body): ApiJson<Receipt>,
) -> Result<StatusCode> {
    if body.state != "accepted" && body.state != "rejected" {
        return Err(Error::invalid("state", "must be accepted or rejected"));
    }
    let message = silkstream_catalog::text::line("message", &body.message, 1000)?;
    feed.store
        .record_receipt(order_id, &body.state, &message)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A declaration's CEB303 message, as it was generated (operator, admin).
#[utoipa::path(get, path = "/api/v1/customs/declarations/{order_id}/message", tag = "customs",
    params(("order_id" = i64, Path, description = "order id")),
    responses((status = 200, content_type = "application/xml", body = String),
        (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_message(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
    ApiPath(order_id): ApiPath<i64>,
) -> Result<Response> {
    let xml = feed.store.declaration_message(order_id).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

/// A declared order cancelled or refunded since.
#[derive(Debug, Serialize, ToSchema)]
pub struct Withdrawal {
    pub order_id: i64,
    pub batch_id: i64,
    pub guid: String,
    /// The declaration's state.
    pub state: String,
    pub order_status: String,
    pub cancel_reason: Option<String>,
    /// The latest refund's reason (`order_cancelled`, …) when money is owed back.
    pub refund_reason: Option<String>,
}

/// Declarations to withdraw: their order was cancelled or refunded after it was put in a
/// batch (operator, admin).
#[utoipa::path(get, path = "/api/v1/customs/withdrawals", tag = "customs",
    responses((status = 200, body = Vec<Withdrawal>)), security(("bearer" = [])))]
async fn list_withdrawals(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
) -> Result<ApiJson<Vec<Withdrawal>>> {
    Ok(ApiJson(
        feed.store
            .withdrawals()
            .await?
            .into_iter()
            .map(|w| Withdrawal {
                order_id: w.order_id,
                batch_id: w.batch_id,
                guid: w.guid,
                state: w.state,
                order_status: w.order_status,
                cancel_reason: w.cancel_reason,
                refund_reason: w.refund_reason,
            })
            .collect(),
    ))
}

/// Orders (not cancelled) of one customs mode.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModeCount {
    /// `9610`, `9710`, `9810`, `1210`, or empty for orders without one.
    pub customs_mode: String,
    pub orders: i64,
}

/// Orders not cancelled, counted by customs mode (operator, admin).
#[utoipa::path(get, path = "/api/v1/customs/orders-by-mode", tag = "customs",
    responses((status = 200, body = Vec<ModeCount>)), security(("bearer" = [])))]
async fn orders_by_mode(
    State(feed): State<Feed>,
    _: Authorized<CustomsOfficers>,
) -> Result<ApiJson<Vec<ModeCount>>> {
    Ok(ApiJson(
        feed.store
            .orders_by_mode()
            .await?
            .into_iter()
            .map(|(customs_mode, orders)| ModeCount {
                customs_mode,
                orders,
            })
            .collect(),
    ))
}
