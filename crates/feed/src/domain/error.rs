//! The feed's error type. It answers in the common envelope
//! (`silkstream_catalog::error::error_response`); order refusals add the buyer's localized
//! message beside `error.code` (`error.localized`). The status of each variant is on the variant.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use silkstream_catalog::error::error_response;
use silkstream_l10n::Localized;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an order was refused: each becomes a 409 with this `error.code`. Serialized as its
/// code (with the limit or the credential's kind) between instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(into = "WireRefusal")]
pub enum Refusal {
    SoldOut,
    LimitReached {
        limit: i64,
    },
    NotLive,
    SaleNotStarted,
    SaleEnded,
    SalePaused,
    /// The order would take a total (the session's GMV in its currency or in CNY) past what
    /// a 64-bit sum holds.
    TotalOverflow,
    /// The product's merchant holds no valid credential of `kind` for the order's market
    /// (docs/cross-border.md).
    QualificationMissing {
        kind: &'static str,
    },
    /// The product is never sold in a live room (insurance).
    NotSellableHere,
}

/// A [`Refusal`] as another instance reads it.
#[derive(serde::Serialize, serde::Deserialize)]
struct WireRefusal {
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
}

impl From<Refusal> for WireRefusal {
    fn from(r: Refusal) -> Self {
        let (limit, kind) = match r {
            Refusal::LimitReached { limit } => (Some(limit), None),
            Refusal::QualificationMissing { kind } => (None, Some(kind.to_owned())),
            _ => (None, None),
        };
        Self {
            code: r.code().to_owned(),
            limit,
            kind,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Refusal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let wire = WireRefusal::deserialize(d)?;
        Refusal::try_from(wire).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<WireRefusal> for Refusal {
    type Error = String;

    fn try_from(w: WireRefusal) -> std::result::Result<Self, String> {
        Ok(match w.code.as_str() {
            "sold_out" => Refusal::SoldOut,
            "limit_reached" => Refusal::LimitReached {
                limit: w.limit.ok_or("limit_reached without its limit")?,
            },
            "not_live" => Refusal::NotLive,
            "sale_not_started" => Refusal::SaleNotStarted,
            "sale_ended" => Refusal::SaleEnded,
            "sale_paused" => Refusal::SalePaused,
            "total_overflow" => Refusal::TotalOverflow,
            "qualification_missing" => {
                let kind = w.kind.unwrap_or_default();
                Refusal::QualificationMissing {
                    kind: silkstream_catalog::merchants::RULES
                        .kinds()
                        .into_iter()
                        .find(|k| *k == kind)
                        .ok_or_else(|| format!("unknown credential kind {kind}"))?,
                }
            }
            "not_sellable_here" => Refusal::NotSellableHere,
            other => return Err(format!("unknown refusal {other}")),
        })
    }
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::SoldOut => "sold_out",
            Refusal::LimitReached { .. } => "limit_reached",
            Refusal::NotLive => "not_live",
            Refusal::SaleNotStarted => "sale_not_started",
            Refusal::SaleEnded => "sale_ended",
            Refusal::SalePaused => "sale_paused",
            Refusal::TotalOverflow => "total_overflow",
            Refusal::QualificationMissing { .. } => "qualification_missing",
            Refusal::NotSellableHere => "not_sellable_here",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Refusal::SoldOut => "not enough units left".into(),
            Refusal::LimitReached { limit } => {
                format!("the per-buyer limit of this sale is {limit} units")
            }
            Refusal::NotLive => "the session is not live".into(),
            Refusal::SaleNotStarted => "the flash sale has not started yet".into(),
            Refusal::SaleEnded => "the flash sale has ended".into(),
            Refusal::SalePaused => "the flash sale is paused".into(),
            Refusal::TotalOverflow => {
                "this order would take the session's GMV past the largest total that can be \
                 kept exactly; it was not placed"
                    .into()
            }
            Refusal::QualificationMissing { kind } => {
                format!("the product's merchant holds no valid {kind} credential for this market")
            }
            Refusal::NotSellableHere => "this product is sold only on the licensed insurer's \
                 own platform, never in a live room"
                .into(),
        }
    }

    /// The buyer's localized message for the refusal; `None` for one without a message of
    /// its own (the English `message` stands).
    pub fn outcome(&self) -> Option<silkstream_l10n::OrderOutcome> {
        use silkstream_l10n::OrderOutcome as O;
        Some(match self {
            Refusal::SoldOut => O::SoldOut,
            Refusal::LimitReached { limit } => O::LimitReached {
                limit: u32::try_from(*limit).unwrap_or(u32::MAX),
            },
            Refusal::NotLive => O::NotLive,
            Refusal::SaleNotStarted => O::NotStarted,
            Refusal::SaleEnded => O::SaleEnded,
            Refusal::SalePaused => O::Paused,
            Refusal::TotalOverflow
            | Refusal::QualificationMissing { .. }
            | Refusal::NotSellableHere => return None,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An error of the shared base (`silkstream_base::error::Error`, which the catalog
    /// re-exports): the database, validation, authorization; 400/401/403/404/409/413/415/422/
    /// 500/503 as documented there.
    #[error(transparent)]
    Base(#[from] silkstream_catalog::error::Error),
    /// 409 with the refusal's code (`sold_out`, `limit_reached`, `not_live`, `sale_not_started`,
    /// `sale_ended`, `sale_paused`, `total_overflow`, `qualification_missing`, `not_sellable_here`) and, when known, the buyer's localized message.
    #[error("{}", .refusal.message())]
    Refused {
        refusal: Refusal,
        localized: Option<Localized>,
    },
    /// 422 `idempotency_mismatch`: the key was used before with other content.
    #[error("this Idempotency-Key was used for an order with other content")]
    IdempotencyMismatch,
    /// 429 `rate_limited`: too many requests from this client or buyer; retry in a minute.
    #[error("{0}")]
    RateLimited(String),
    /// 403 `muted`: a moderator muted this buyer in the session's chat, until `until` (RFC
    /// 3339) or for the rest of the session; the message reached no one.
    #[error("{}", match .until {
        Some(t) => format!("you are muted in this room's chat until {t}; your message was not posted"),
        None => "you are muted in this room's chat for the rest of the session; your message \
                 was not posted".to_owned(),
    })]
    Muted { until: Option<String> },
    /// 429 with its own code (`slow_mode`, `rate_limited`) and `Retry-After` in seconds: a
    /// chat limit; the message was not posted.
    #[error("{message}")]
    Throttled {
        code: &'static str,
        message: String,
        retry_after_s: i64,
    },
    /// 422 `since_ahead`: a feed's `since` (or `since_id`) is beyond the log's last event, so
    /// the feed would never deliver one; resume from the snapshot's `seq` (or `id`) instead.
    #[error(
        "{field}: {given} is ahead of the last event ({last}); resume from a seq you received"
    )]
    SinceAhead {
        field: &'static str,
        given: i64,
        last: i64,
    },
    /// 422 with its own code: well-formed input the live sale cannot take, e.g.
    /// `ship_to_not_in_markets` (a destination outside the session's markets).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// 503 `payment_unavailable`: no payment provider is configured (docs/payments.md).
    #[error("{0}")]
    PaymentUnavailable(String),
    /// 503 `shutting_down` with `Retry-After: 1`: this instance is stopping and takes no more
    /// orders; the same order (same key) may be sent again, here after the restart or to
    /// another instance.
    #[error("this instance is shutting down; send the order again (same key) in a moment")]
    ShuttingDown,
    /// 503 `hand_over_late` with `Retry-After: 1`: an order another instance's desk handed over
    /// to this one was not taken up in the time that instance waits, so this desk wrote
    /// nothing of it and that instance decides it itself. An answer to that instance, never
    /// to a buyer's request.
    #[error("the order was handed over too late to be decided here; send it again (same key)")]
    HandOverLate,
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Base(silkstream_catalog::Error::invalid(field, message))
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Error::Base(silkstream_catalog::Error::not_found(what))
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Error::Base(silkstream_catalog::Error::conflict(code, message))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::Base(silkstream_catalog::Error::Forbidden(message.into()))
    }

    /// A 500 whose cause is kept as its source (`silkstream_catalog::Error::internal`).
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Base(silkstream_catalog::Error::internal(cause))
    }

    pub fn refused(refusal: Refusal) -> Self {
        Error::Refused {
            refusal,
            localized: None,
        }
    }

    /// The error envelope's inside, `{"code", "message"}`, with what a client needs to act
    /// on a chat refusal without reading the message: `until` (RFC 3339, or null for the rest
    /// of the session) for `muted`, `retry_after_s` for `slow_mode` and `rate_limited`; the
    /// same over HTTP and in the socket's `chat_result`.
    pub fn envelope(&self) -> serde_json::Value {
        let mut e = serde_json::json!({"code": self.code(), "message": self.to_string()});
        match self {
            Error::Muted { until } => e["until"] = serde_json::json!(until),
            Error::Throttled { retry_after_s, .. } => {
                e["retry_after_s"] = serde_json::json!((*retry_after_s).max(1))
            }
            _ => {}
        }
        e
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Base(e) => e.code(),
            Error::Refused { refusal, .. } => refusal.code(),
            Error::IdempotencyMismatch => "idempotency_mismatch",
            Error::RateLimited(_) => "rate_limited",
            Error::Muted { .. } => "muted",
            Error::Throttled { code, .. } => code,
            Error::SinceAhead { .. } => "since_ahead",
            Error::PaymentUnavailable(_) => "payment_unavailable",
            Error::ShuttingDown => "shutting_down",
            Error::HandOverLate => "hand_over_late",
            Error::Unprocessable { code, .. } => code,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Base(e.into())
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Error::Base(e) => e.into_response(),
            Error::Refused { refusal, localized } => {
                let body = serde_json::json!({
                    "error": {
                        "code": refusal.code(),
                        "message": refusal.message(),
                        "localized": localized,
                    }
                });
                (StatusCode::CONFLICT, Json(body)).into_response()
            }
            Error::IdempotencyMismatch => error_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_mismatch",
                self.to_string(),
            ),
            Error::SinceAhead { .. } => error_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                "since_ahead",
                self.to_string(),
            ),
            Error::Unprocessable { code, message } => {
                error_response(StatusCode::UNPROCESSABLE_ENTITY, code, message)
            }
            Error::PaymentUnavailable(m) => {
                error_response(StatusCode::SERVICE_UNAVAILABLE, "payment_unavailable", m)
            }
            Error::ShuttingDown | Error::HandOverLate => {
                let mut r = error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    self.code(),
                    self.to_string(),
                );
                r.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static("1"),
                );
                r
            }
            Error::Muted { .. } => {
                let body = serde_json::json!({"error": self.envelope()});
                (StatusCode::FORBIDDEN, Json(body)).into_response()
            }
            Error::Throttled { retry_after_s, .. } => {
                let body = serde_json::json!({"error": self.envelope()});
                let mut r = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
                r.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(retry_after_s.max(1)),
                );
                r
            }
            Error::RateLimited(m) => {
                let mut r = error_response(StatusCode::TOO_MANY_REQUESTS, "rate_limited", m);
                r.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static("60"),
                );
                r
            }
        }
    }
}
