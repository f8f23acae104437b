//! Payments (docs/payments.md): an order becomes paid on its payment provider's word alone,
//! never on the buyer's (design invariant 8).
//!
//! - [`start`]: the buyer's `POST /api/v1/orders/{id}/pay` opens a payment (the same open one
//!   when repeated) and answers what a client needs to pay; it pays nothing.
//! - `POST /api/v1/payments/{provider}/callback` (no bearer token): the provider's callback,
//!   authenticated by `Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//!   "<t>.<raw body>" with the provider's secret>` ([`verify`]), refused outside the timestamp
//!   window, and settled once per provider transaction ([`FeedStore::settle`]): a repeat gets
//!   the same answer and changes nothing.
//! - The sandbox provider, on only when the server is told so (`payment_sandbox`, a development
//!   setting): `POST /api/v1/payments/sandbox/{id}/complete` or `/fail` (the session's host, an
//!   operator or an admin) makes the signed callback a provider would send and delivers it
//!   through the same verification.
//! - Every callback whose signature verifies is written to `payment_callback_log` with what
//!   became of it, and logged; money that did not pay an order is listed for operators
//!   (`GET /api/v1/payments/refunds`).
//!
//! Errors are [`crate::domain::error::Error`]; a settled callback's answer (its status and body) is
//! kept with the transaction.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRef, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use silkstream_catalog::auth::{Authorized, Principal, Role, RoleSet};
use silkstream_catalog::codes::CurrencyCode;
use silkstream_catalog::db::{now_ms, rfc3339};
use silkstream_catalog::error::{error_response, ErrorBody, ErrorDetail};
use silkstream_catalog::extract::{ApiJson, ApiPath, ApiQuery};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::error::{Error, Result};
use crate::edge::Feed;
use crate::store::payments::{
    Answer, LoggedCallback, Outcome, PaymentRow, RefundFilter, RefundReason, Reported, Settlement,
};

/// The sandbox provider's name: in the routes, and in `payments.provider`.
pub const SANDBOX: &str = "sandbox";

/// The header that carries a callback's signature.
pub const SIGNATURE_HEADER: &str = "payment-signature";

/// The payment providers this server takes callbacks from, and their secrets.
#[derive(Clone)]
pub struct PaymentsConfig {
    /// The sandbox provider's signing secret when the sandbox is switched on (the server sets it
    /// only under its explicit development setting); the sandbox (and with it payments) is off
    /// without one.
    pub sandbox_secret: Option<String>,
    /// How far a callback's signed timestamp may be from now, either way: a captured callback
    /// is refused once this has passed, and a repeat within it is settled once per transaction.
    pub signature_window: Duration,
}

impl Default for PaymentsConfig {
    fn default() -> Self {
        Self {
            sandbox_secret: None,
            signature_window: Duration::from_secs(300),
        }
    }
}

/// Secrets are never printed.
impl std::fmt::Debug for PaymentsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentsConfig")
            .field(
                "sandbox_secret",
                &self.sandbox_secret.as_ref().map(|_| "***"),
            )
            .field("signature_window", &self.signature_window)
            .finish()
    }
}

impl PaymentsConfig {
    /// The signing secret of `provider`, when it is configured.
    fn secret_of(&self, provider: &str) -> Option<&[u8]> {
        match provider {
            SANDBOX => self.sandbox_secret.as_deref().map(str::as_bytes),
            _ => None,
        }
    }

    /// The provider new payments go through.
    fn provider(&self) -> Option<&'static str> {
        self.sandbox_secret.as_ref().map(|_| SANDBOX)
    }

    /// Whether the sandbox provider is on (`/readyz` says so).
    pub fn sandbox_on(&self) -> bool {
        self.sandbox_secret.is_some()
    }
}

/// A payment of an order: what a client needs to pay it, and where it stands.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    pub id: i64,
    pub order_id: i64,
    /// The provider that takes the money, e.g. `sandbox`.
    pub provider: String,
    /// `pending` (waiting for the provider), `paid`, `failed`, or `refund_due` (the money came
    /// for an order that could no longer be paid).
    pub status: String,
    /// The order's total, which the provider must report.
    pub amount_minor: i64,
    pub currency: String,
    /// The provider's page where the buyer pays; none for the sandbox.
    pub pay_url: Option<String>,
    /// What happens next, for people.
    pub instructions: String,
    /// The provider's transaction, once it reported one.
    pub transaction_id: Option<String>,
    /// The order's payment deadline: money after it is refused and kept for refund.
    pub pay_by: String,
    pub created_at: String,
    pub completed_at: Option<String>,
}

/// The answer to a provider's callback that was settled: 200 for a payment that paid the order
/// or failed (errors are the common envelope: 409 `order_not_payable`, 422 `payment_mismatch`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CallbackAnswer {
    pub payment_id: i64,
    pub order_id: i64,
    pub provider: String,
    pub transaction_id: String,
    /// `paid` or `failed`.
    pub outcome: String,
    /// The order's status after the callback.
    pub order_status: String,
}

/// A provider's callback body. Fields a provider adds are ignored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CallbackBody {
    /// The payment it pays (`Payment.id`).
    pub payment_id: i64,
    /// The provider's transaction id: settled once.
    pub transaction_id: String,
    /// `succeeded` or `failed`.
    pub status: String,
    pub amount_minor: i64,
    pub currency: String,
}

/// The payment routes (the buyer's `pay` stays in [`crate::edge::routes`]).
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Feed: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(provider_callback))
        .routes(routes!(list_refunds))
        .routes(routes!(sandbox_complete))
        .routes(routes!(sandbox_fail))
}

/// Opens a payment of order `order_id` for `principal` (who may see the order) through the
/// configured provider, or finds its open one.
pub async fn start(feed: &Feed, principal: &Principal, order_id: i64) -> Result<Payment> {
    feed.store.order(principal, order_id).await?;
    let Some(provider) = feed.config.payments.provider() else {
        return Err(Error::PaymentUnavailable(
            "no payment provider is configured (the sandbox needs payment_sandbox_secret)".into(),
        ));
    };
    let (payment, order) = feed.store.open_payment(order_id, provider).await?;
    Ok(view(&payment, order.pay_by))
}

fn view(p: &PaymentRow, pay_by: i64) -> Payment {
    Payment {
        id: p.id,
        order_id: p.order_id,
        provider: p.provider.clone(),
        status: p.status.clone(),
        amount_minor: p.amount_minor,
        currency: p.currency.clone(),
        pay_url: None,
        instructions: format!(
            "sandbox: no money moves; the session's host or an operator completes this \
             payment with POST /api/v1/payments/sandbox/{id}/complete (or /fail), which sends \
             the provider's signed callback",
            id = p.id
        ),
        transaction_id: p.transaction_id.clone(),
        pay_by: rfc3339(pay_by),
        created_at: rfc3339(p.created_at),
        completed_at: p.completed_at.map(rfc3339),
    }
}

/// A callback whose signature is refused: 401 with `code` (`bad_signature`,
/// `stale_signature`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureRefused {
    pub code: &'static str,
    pub message: String,
}

fn unauthorized(code: &'static str, message: impl Into<String>) -> SignatureRefused {
    SignatureRefused {
        code,
        message: message.into(),
    }
}

impl IntoResponse for SignatureRefused {
    fn into_response(self) -> Response {
        error_response(StatusCode::UNAUTHORIZED, self.code, self.message)
    }
}

/// The most `v1=` signatures one `Payment-Signature` may carry: two during a secret rotation,
/// with room to spare. More is refused (401 `bad_signature`) before any is compared.
pub const MAX_SIGNATURES: usize = 4;

/// Checks `Payment-Signature` over the raw `body` with `secret`: the HMAC first (401
/// `bad_signature`: computed once over the body, each of at most [`MAX_SIGNATURES`] `v1=`
/// values compared with it in constant time), then the signed time within `window` of `now_s`
/// (401 `stale_signature`).
pub fn verify(
    secret: &[u8],
    header: Option<&HeaderValue>,
    body: &[u8],
    now_s: i64,
    window: Duration,
) -> std::result::Result<(), SignatureRefused> {
    let shape = "expected Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>";
    let Some(text) = header.and_then(|h| h.to_str().ok()) else {
        return Err(unauthorized(
            "bad_signature",
            "the Payment-Signature header is required",
        ));
    };
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in text.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
                timestamp = Some(t);
            }
            Some(("v1", v)) => {
                if signatures.len() == MAX_SIGNATURES {
                    return Err(unauthorized(
                        "bad_signature",
                        format!("at most {MAX_SIGNATURES} v1= signatures are read"),
                    ));
                }
                signatures.push(v);
            }
            _ => {}
        }
    }
    let (Some(t), false) = (timestamp, signatures.is_empty()) else {
        return Err(unauthorized("bad_signature", shape));
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return Err(unauthorized("bad_signature", shape));
    };
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    // `CtOutput`'s equality is constant-time; only the length, which is public, is compared
    // before it.
    let expected = mac.finalize();
    let matches = signatures.iter().any(|v| {
        hex::decode(v).ok().is_some_and(|signature| {
            signature.len() == <Sha256 as sha2::Digest>::output_size()
                && hmac::digest::CtOutput::<Hmac<Sha256>>::new(
                    hmac::digest::generic_array::GenericArray::clone_from_slice(&signature),
                ) == expected
        })
    });
    if !matches {
        return Err(unauthorized(
            "bad_signature",
            "the signature does not match the body",
        ));
    }
    let window_s = i64::try_from(window.as_secs()).unwrap_or(i64::MAX);
    let fresh = t
        .parse::<i64>()
        .is_ok_and(|t| now_s.abs_diff(t) <= window_s.unsigned_abs());
    if !fresh {
        return Err(unauthorized(
            "stale_signature",
            format!("the callback was signed at {t}, more than {window_s} s from now"),
        ));
    }
    Ok(())
}

/// `Payment-Signature` for `body` signed at `t` with `secret` (what the sandbox sends).
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> Result<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(Error::internal)?;
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!(
        "t={t},v1={}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

fn now_s() -> i64 {
    now_ms() / 1000
}

/// Receives a callback of `provider`: verifies it, reads it, settles it once.
pub async fn receive(feed: &Feed, provider: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let Some(secret) = feed.config.payments.secret_of(provider) else {
        return Error::not_found(format!("payment provider {provider}")).into_response();
    };
    if let Err(refused) = verify(
        secret,
        headers.get(SIGNATURE_HEADER),
        body,
        now_s(),
        feed.config.payments.signature_window,
    ) {
        tracing::warn!(provider, code = refused.code, "a payment callback refused");
        return refused.into_response();
    }
    // What can be read of the body, for the record whatever its fate.
    let read: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let payment_id = read
        .as_ref()
        .and_then(|v| v.get("payment_id"))
        .and_then(serde_json::Value::as_i64);
    let transaction_id = read
        .as_ref()
        .and_then(|v| v.get("transaction_id"))
        .and_then(serde_json::Value::as_str)
        .map(|t| t.chars().take(256).collect::<String>());
    let mut logged = LoggedCallback {
        provider,
        outcome: "refused",
        answer_status: 0,
        code: None,
        payment_id,
        transaction_id: transaction_id.as_deref(),
        body,
    };
    let response = match settle(feed, provider, body).await {
        Ok((answer, outcome)) => {
            logged.outcome = outcome;
            logged.answer_status = answer.status;
            tracing::info!(
                provider,
                outcome,
                status = answer.status,
                payment_id,
                transaction_id = transaction_id.as_deref(),
                "a signed payment callback"
            );
            let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
            (
                status,
                [(header::CONTENT_TYPE, "application/json")],
                answer.body,
            )
                .into_response()
        }
        Err(e) => {
            let code = e.code();
            let message = e.to_string();
            let response = e.into_response();
            logged.code = Some(code);
            logged.answer_status = response.status().as_u16();
            tracing::warn!(
                provider,
                code,
                status = logged.answer_status,
                payment_id,
                transaction_id = transaction_id.as_deref(),
                error = %message,
                "a signed payment callback refused: recorded in payment_callback_log"
            );
            response
        }
    };
    feed.store.log_callback(&logged).await;
    response
}

async fn settle(feed: &Feed, provider: &str, body: &[u8]) -> Result<(Answer, &'static str)> {
    let cb: CallbackBody = serde_json::from_slice(body)
        .map_err(|e| Error::invalid("body", format!("not a payment callback: {e}")))?;
    let t = &cb.transaction_id;
    if t.is_empty() || t.len() > 128 || !t.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(Error::invalid(
            "transaction_id",
            "must be 1 to 128 visible ASCII characters",
        ));
    }
    let succeeded = match cb.status.as_str() {
        "succeeded" => true,
        "failed" => false,
        _ => return Err(Error::invalid("status", "must be succeeded or failed")),
    };
    let currency = CurrencyCode::parse("currency", &cb.currency)?;
    if cb.amount_minor < 0 {
        return Err(Error::invalid("amount_minor", "must not be negative"));
    }
    let reported = Reported {
        provider,
        transaction_id: t,
        payment_id: cb.payment_id,
        succeeded,
        amount_minor: cb.amount_minor,
        currency: currency.code(),
    };
    feed.store.settle(&reported, |s| answer(&reported, s)).await
}

/// The answer kept for a settled transaction.
fn answer(t: &Reported<'_>, s: &Settlement) -> Answer {
    let envelope = |status: StatusCode, code: &str, message: String| Answer {
        status: status.as_u16(),
        body: serde_json::to_string(&ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
            },
        })
        .unwrap_or_default(),
    };
    let order = &s.order;
    match s.outcome {
        Outcome::Paid | Outcome::Failed => Answer {
            status: StatusCode::OK.as_u16(),
            body: serde_json::to_string(&CallbackAnswer {
                payment_id: s.payment.id,
                order_id: order.id,
                provider: t.provider.to_owned(),
                transaction_id: t.transaction_id.to_owned(),
                outcome: s.outcome.as_str().to_owned(),
                order_status: s.order_status.clone(),
            })
            .unwrap_or_default(),
        },
        Outcome::Mismatch => envelope(
            StatusCode::UNPROCESSABLE_ENTITY,
            "payment_mismatch",
            format!(
                "transaction {} reports {} {}, but order {} is {} {}: the order stays unpaid \
                 and the transaction is recorded for refund",
                t.transaction_id,
                t.amount_minor,
                t.currency,
                order.id,
                order.total_minor,
                order.currency
            ),
        ),
        Outcome::RefundDue => envelope(
            StatusCode::CONFLICT,
            "order_not_payable",
            format!(
                "order {} is {}{}: transaction {} does not pay it and is recorded for refund",
                order.id,
                s.order_status,
                if s.past_window && s.order_status == "confirmed" {
                    " and past its payment window"
                } else {
                    ""
                },
                t.transaction_id
            ),
        ),
    }
}

/// A payment provider's callback (no bearer token): signed with the provider's secret
/// (`Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`), within the
/// signature window, settled once per transaction id (a repeat gets the same answer).
#[utoipa::path(post, path = "/api/v1/payments/{provider}/callback", tag = "payments",
    params(("provider" = String, Path, description = "the provider, e.g. sandbox"),
        ("Payment-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256>")),
    request_body = CallbackBody,
    responses((status = 200, body = CallbackAnswer), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn provider_callback(
    State(feed): State<Feed>,
    ApiPath(provider): ApiPath<String>,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Response {
    match body {
        Ok(body) => receive(&feed, &provider, &headers, &body).await,
        Err(e) if silkstream_catalog::error::body_too_slow(&e) => {
            silkstream_catalog::Error::BodyTimeout.into_response()
        }
        Err(e) => error_response(e.status(), "bad_request", e.body_text()),
    }
}

/// The sandbox completes a payment: sends its signed `succeeded` callback (the session's host,
/// an operator or an admin; never the buyer).
#[utoipa::path(post, path = "/api/v1/payments/sandbox/{id}/complete", tag = "payments",
    params(("id" = i64, Path, description = "payment id")),
    responses((status = 200, body = CallbackAnswer), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn sandbox_complete(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<SandboxTriggers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    sandbox(&feed, &principal, id, true).await
}

/// The sandbox fails a payment: sends its signed `failed` callback (the session's host, an
/// operator or an admin); the order stays confirmed and can be paid again.
#[utoipa::path(post, path = "/api/v1/payments/sandbox/{id}/fail", tag = "payments",
    params(("id" = i64, Path, description = "payment id")),
    responses((status = 200, body = CallbackAnswer), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
async fn sandbox_fail(
    State(feed): State<Feed>,
    Authorized(principal, _): Authorized<SandboxTriggers>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    sandbox(&feed, &principal, id, false).await
}

/// Money owed back to a buyer: a transaction whose amount or currency was not its order's, money
/// for an order that could no longer be paid, or a paid order cancelled by its host, an operator
/// or an admin. Refunding happens at the provider; this is the list operators work from.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Refund {
    pub id: i64,
    /// The payment the money came through (none for an order paid before payments existed).
    pub payment_id: Option<i64>,
    /// That payment's status now (`refund_due`, or `paid` when a later transaction paid it).
    pub payment_status: Option<String>,
    pub order_id: i64,
    pub session_id: i64,
    pub provider: String,
    /// The provider's transaction whose money is owed.
    pub transaction_id: Option<String>,
    /// What is owed, in minor units of `currency` (what the provider reported taking).
    pub amount_minor: i64,
    pub currency: String,
    /// `mismatch`, `order_not_payable` or `order_cancelled`.
    pub reason: String,
    /// Who decided it: `provider <name>` (its callback) or `<role> #<token id> <name>`.
    pub decided_by: String,
    pub decided_by_token_id: Option<i64>,
    pub created_at: String,
}

/// The filters and page of the refunds list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RefundsQuery {
    /// Only this reason: `mismatch`, `order_not_payable` or `order_cancelled`.
    pub reason: Option<String>,
    /// Only this provider's, e.g. `sandbox`.
    pub provider: Option<String>,
    /// Only this order's.
    pub order_id: Option<i64>,
    /// Only this session's orders'.
    pub session_id: Option<i64>,
    /// 1-based page number (default 1).
    pub page: Option<i64>,
    /// Rows per page, 1 to 500 (default 100).
    pub per_page: Option<i64>,
}

/// Operators and admins.
pub struct RefundReaders;
impl RoleSet for RefundReaders {
    const ROLES: &'static [Role] = &[Role::Operator, Role::Admin];
}

/// Who may trigger the sandbox: the session's host (checked on the order), operators, admins.
pub struct SandboxTriggers;
impl RoleSet for SandboxTriggers {
    const ROLES: &'static [Role] = &[Role::Host, Role::Operator, Role::Admin];
}

/// Money owed back (operator or admin), newest first, in the envelope of every list (`items`,
/// `page`, `per_page`, `total`); filter by reason, provider, order or session.
#[utoipa::path(get, path = "/api/v1/payments/refunds", tag = "payments", params(RefundsQuery),
    responses((status = 200, body = silkstream_catalog::model::Page<Refund>),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_refunds(
    State(feed): State<Feed>,
    _: Authorized<RefundReaders>,
    ApiQuery(q): ApiQuery<RefundsQuery>,
) -> Result<ApiJson<silkstream_catalog::model::Page<Refund>>> {
    let (page, per_page) = silkstream_catalog::validate::page(q.page, q.per_page, 100, 500)?;
    if let Some(reason) = q.reason.as_deref() {
        if !RefundReason::ALL.iter().any(|r| r.as_str() == reason) {
            return Err(Error::invalid(
                "reason",
                "must be mismatch, order_not_payable or order_cancelled",
            ));
        }
    }
    if q.order_id.is_some_and(|id| id < 1) {
        return Err(Error::invalid("order_id", "must be an order id"));
    }
    if q.session_id.is_some_and(|id| id < 1) {
        return Err(Error::invalid("session_id", "must be a session id"));
    }
    if q.provider
        .as_deref()
        .is_some_and(|p| p.is_empty() || p.len() > 64)
    {
        return Err(Error::invalid("provider", "must be 1 to 64 characters"));
    }
    let filter = RefundFilter {
        reason: q.reason.as_deref(),
        provider: q.provider.as_deref(),
        order_id: q.order_id,
        session_id: q.session_id,
    };
    let (rows, total) = feed.store.refunds_page(&filter, page, per_page).await?;
    Ok(ApiJson(silkstream_catalog::model::Page {
        items: rows
            .into_iter()
            .map(|r| Refund {
                id: r.id,
                payment_id: r.payment_id,
                payment_status: r.payment_status,
                order_id: r.order_id,
                session_id: r.session_id,
                provider: r.provider,
                transaction_id: r.transaction_id,
                amount_minor: r.amount_minor,
                currency: r.currency,
                reason: r.reason,
                decided_by: r.decided_by,
                decided_by_token_id: r.decided_by_token_id,
                created_at: rfc3339(r.created_at),
            })
            .collect(),
        page,
        per_page,
        total,
    }))
}

/// Makes the sandbox's signed callback for payment `id` and delivers it through [`receive`].
async fn sandbox(feed: &Feed, principal: &Principal, id: i64, succeeded: bool) -> Result<Response> {
    principal.require(&[Role::Host, Role::Operator, Role::Admin])?;
    let Some(secret) = feed.config.payments.secret_of(SANDBOX) else {
        return Err(Error::not_found(format!("payment provider {SANDBOX}")));
    };
    let payment = feed.store.payment_row(id).await?;
    if payment.provider != SANDBOX {
        return Err(Error::not_found(format!("sandbox payment {id}")));
    }
    let order = feed.store.order_row(payment.order_id).await?;
    if principal.role == Role::Host && order.host_token_id != principal.token_id {
        return Err(Error::forbidden(
            "a host completes only the payments of their own sessions' orders",
        ));
    }
    if payment.status != "pending" {
        return Err(Error::conflict(
            "conflict",
            format!(
                "payment {id} is {}; the sandbox completes only pending payments",
                payment.status
            ),
        ));
    }
    let status = if succeeded { "succeeded" } else { "failed" };
    let body = serde_json::to_vec(&CallbackBody {
        payment_id: id,
        transaction_id: format!("sbx_{id}_{status}"),
        status: status.to_owned(),
        amount_minor: payment.amount_minor,
        currency: payment.currency.clone(),
    })
    .map_err(Error::internal)?;
    let signature = sign(secret, now_s(), &body)?;
    let mut headers = HeaderMap::new();
    headers.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_str(&signature).map_err(Error::internal)?,
    );
    Ok(receive(feed, SANDBOX, &headers, &body).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"s3cret";
    const WINDOW: Duration = Duration::from_secs(300);

    fn check(header: &str, body: &[u8], now: i64) -> std::result::Result<(), &'static str> {
        let value = HeaderValue::from_str(header).expect("header");
        verify(SECRET, Some(&value), body, now, WINDOW).map_err(|r| r.code)
    }

    /// What `sign` makes, `verify` takes, within the window either way and not beyond it.
    #[test]
    fn signed_within_the_window_verifies() {
        let body = br#"{"payment_id":1}"#;
        let signed = sign(SECRET, 1_000_000, body).expect("sign");
        assert_eq!(check(&signed, body, 1_000_000), Ok(()));
        assert_eq!(check(&signed, body, 1_000_300), Ok(()));
        assert_eq!(check(&signed, body, 999_700), Ok(()));
        assert_eq!(check(&signed, body, 1_000_301), Err("stale_signature"));
        assert_eq!(check(&signed, body, 999_699), Err("stale_signature"));
    }

    /// Another body, another secret, another time in the header, no signature at all: refused.
    #[test]
    fn anything_else_is_a_bad_signature() {
        let body = br#"{"payment_id":1}"#;
        let signed = sign(SECRET, 1_000_000, body).expect("sign");
        assert_eq!(
            check(&signed, br#"{"payment_id":2}"#, 1_000_000),
            Err("bad_signature")
        );
        let other = sign(b"other", 1_000_000, body).expect("sign");
        assert_eq!(check(&other, body, 1_000_000), Err("bad_signature"));
        let moved = signed.replace("t=1000000", "t=1000001");
        assert_eq!(check(&moved, body, 1_000_000), Err("bad_signature"));
        for header in ["", "t=1000000", "v1=00", "t=-5,v1=00", "garbage"] {
            assert_eq!(
                check(header, body, 1_000_000),
                Err("bad_signature"),
                "{header}"
            );
        }
        assert_eq!(
            verify(SECRET, None, body, 1_000_000, WINDOW).map_err(|r| r.code),
            Err("bad_signature")
        );
    }

    /// During a secret rotation a provider may send two signatures: one good one is enough.
    #[test]
    fn one_good_signature_of_several_is_enough() {
        let body = b"{}";
        let good = sign(SECRET, 42, body).expect("sign");
        let v1 = good.split_once("v1=").expect("v1").1;
        let header = format!("t=42,v1={},v1={v1}", "ab".repeat(32));
        assert_eq!(check(&header, body, 42), Ok(()));
    }

    /// A header may carry at most `MAX_SIGNATURES` signatures: with the good one among four it
    /// verifies; with one more, even the good one is refused before anything is compared.
    #[test]
    fn more_signatures_than_the_cap_are_refused() {
        let body = b"{}";
        let good = sign(SECRET, 42, body).expect("sign");
        let v1 = good.split_once("v1=").expect("v1").1;
        let wrong = |n: usize| -> String {
            (0..n)
                .map(|i| format!(",v1={}", format!("{i:02x}").repeat(32)))
                .collect()
        };
        let at_cap = format!("t=42{},v1={v1}", wrong(MAX_SIGNATURES - 1));
        assert_eq!(check(&at_cap, body, 42), Ok(()));
        let over = format!("t=42{},v1={v1}", wrong(MAX_SIGNATURES));
        assert_eq!(check(&over, body, 42), Err("bad_signature"));
        let value = HeaderValue::from_str(&over).expect("header");
        let refused = verify(SECRET, Some(&value), body, 42, WINDOW).expect_err("over the cap");
        assert!(refused.message.contains("at most 4"), "{}", refused.message);
    }
}
