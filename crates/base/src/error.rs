//! The common error type and the JSON error envelope every Silkstream crate answers with:
//! `{"error": {"code": "...", "message": "..."}}`. Handlers return [`Result`]; the status each
//! variant becomes is documented on the variant. Causes of a 500 are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400 `malformed_json`: the body is not JSON at all.
    #[error("{0}")]
    MalformedJson(String),
    /// 408 `body_timeout`: the body arrived too slowly (a gap longer than `body_read_timeout`,
    /// or below `min_body_bytes_per_second` after it) and was cut; the connection closes.
    #[error("the request body arrived too slowly (a gap over the body read timeout, or below the minimum rate); send it again")]
    BodyTimeout,
    /// 413 `too_large`: the body is over the size limit.
    #[error("request body is larger than the limit")]
    TooLarge,
    /// 415 `unsupported_media_type`: a JSON body without `Content-Type: application/json`.
    #[error("expected a request with Content-Type: application/json")]
    UnsupportedMediaType,
    /// 422 `invalid`: well-formed input whose content is wrong; names the field.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// 401 `unauthorized`: no token, or one that is unknown, expired or revoked.
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// 403 `forbidden`: the token's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `not_found`: no such thing (or a path that names none).
    #[error("{0} not found")]
    NotFound(String),
    /// 409 `conflict`: the thing exists already (unique field), or the state forbids the change.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 422 with its own code and what the client needs to fix it beside the message in the
    /// envelope (each key of `details` becomes a key of `error`), e.g. `claims_blocked` with
    /// `error.terms`: every blocked term and where it is.
    #[error("{message}")]
    Unprocessable {
        code: &'static str,
        message: String,
        details: serde_json::Map<String, serde_json::Value>,
    },
    /// 503 `database_unavailable`, with `Retry-After`: the database cannot be reached (a refused
    /// or broken connection, no connection within the pool's acquire timeout, a server shutting
    /// down or starting up). An outage, not a bug: the client retries (an order with the same
    /// Idempotency-Key, which makes the retry safe even when the commit got through). The
    /// cause, when there is one, is logged, never sent.
    #[error("the database is unavailable; retry shortly")]
    DatabaseUnavailable(#[source] Option<sqlx::Error>),
    /// 500 `internal`: a database failure; the whole cause chain is logged, never sent.
    #[error("database error")]
    Sqlx(#[source] sqlx::Error),
    /// 500 `internal`: any other failure; the cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound(what.into())
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict {
            code,
            message: message.into(),
        }
    }

    /// A 503 `database_unavailable` without a cause of its own: for a caller that saw
    /// [`Error::is_database_unavailable`] and answers several requests with it.
    pub fn database_unavailable() -> Self {
        Error::DatabaseUnavailable(None)
    }

    /// True when this is a database outage (503), not a failure of the request.
    pub fn is_database_unavailable(&self) -> bool {
        matches!(self, Error::DatabaseUnavailable(_))
    }

    /// A 500 whose cause is `cause`, kept as its [`source`](std::error::Error::source) (an
    /// error keeps its own chain; a message becomes one), logged with the response, never sent.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Internal(cause.into())
    }

    /// The cause chain of a 500, for the log: "database error: …: …".
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Error::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Error::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Invalid { .. } | Error::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Sqlx(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::MalformedJson(_) => "malformed_json",
            Error::BodyTimeout => "body_timeout",
            Error::TooLarge => "too_large",
            Error::UnsupportedMediaType => "unsupported_media_type",
            Error::Invalid { .. } => "invalid",
            Error::Unauthorized => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::Conflict { code, .. } | Error::Unprocessable { code, .. } => code,
            Error::DatabaseUnavailable(_) => "database_unavailable",
            Error::Sqlx(_) | Error::Internal(_) => "internal",
        }
    }
}

/// A database error is a 500 that keeps its cause, unless the database is out of reach
/// ([`unavailable`]: a 503). A missing row (`RowNotFound`, a `fetch_one` that found nothing)
/// is a 500 too: a route whose input can name a missing row reads it with `fetch_optional` and
/// answers its own 404. A constraint violation that a request can cause is mapped where it can
/// happen, by its kind and the column it concerns ([`violates`]), to the field and code it
/// means, so that no constraint or table name reaches a client.
impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if unavailable(&e) {
            return Error::DatabaseUnavailable(Some(e));
        }
        // A violation no call site mapped: still the client's conflict, never a 500, and
        // still without the constraint's name.
        if unique_violation(&e) {
            return Error::conflict("conflict", "already exists");
        }
        if foreign_key_violation(&e) {
            return Error::conflict("conflict", "refers to something that does not exist");
        }
        Error::Sqlx(e)
    }
}

/// True when `e` says the database is out of reach rather than that the statement failed: no
/// connection within the pool's acquire timeout (the server refuses connections or the pool is
/// exhausted), a connection that broke (I/O, TLS, a worker gone), a closed pool (shutdown), or
/// PostgreSQL's own word: a connection exception (class 08), the server shutting down or
/// starting up (57P01, 57P02, 57P03), too many connections (53300).
pub fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

/// True when `e` is a unique-constraint violation (the caller knows which field it means).
pub fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// True when `e` is a foreign-key violation.
pub fn foreign_key_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_foreign_key_violation())
}

/// The kinds of constraint a statement can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    Unique,
    ForeignKey,
}

/// True when `e` broke a `kind` constraint on `table`'s `column`: on PostgreSQL by the
/// constraint's name (`{table}_{column}_key`, `{table}_{column}_fkey`, the names PostgreSQL gives
/// a column's `UNIQUE` and `REFERENCES`); on SQLite by the `table.column` its message names for a
/// unique one. SQLite names no column of a foreign key: there any foreign-key violation matches,
/// so a caller asks about a foreign key only for a statement with one.
pub fn violates(e: &sqlx::Error, kind: Constraint, table: &str, column: &str) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    let (of_kind, suffix) = match kind {
        Constraint::Unique => (db.is_unique_violation(), "key"),
        Constraint::ForeignKey => (db.is_foreign_key_violation(), "fkey"),
    };
    if !of_kind {
        return false;
    }
    match db.constraint() {
        Some(name) => name == format!("{table}_{column}_{suffix}"),
        None => match kind {
            Constraint::Unique => db
                .message()
                .split([':', ','])
                .any(|part| part.trim() == format!("{table}.{column}")),
            Constraint::ForeignKey => true,
        },
    }
}

/// True when `e` is PostgreSQL's "deadlock detected" or "could not serialize access": the
/// transaction did nothing and may be run again.
pub fn retryable(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db)
        if matches!(db.code().as_deref(), Some("40P01") | Some("40001")))
}

/// Why the server cut a request body: it went longer than `body_read_timeout` without a byte, or
/// fell below `min_body_bytes_per_second` after that grace (the server's paced body returns it;
/// the extractors answer it with 408 [`Error::BodyTimeout`]).
#[derive(Debug, thiserror::Error)]
#[error("the request body arrived too slowly (timeout or below the minimum rate)")]
pub struct BodyTooSlow;

/// True when `error` or one of its causes is [`BodyTooSlow`] (axum wraps a body's error in its
/// rejections).
pub fn body_too_slow(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if e.downcast_ref::<BodyTooSlow>().is_some() {
            return true;
        }
        next = e.source();
    }
    false
}

/// Seconds a client is told to wait (`Retry-After`) after a 503 `database_unavailable`: a
/// restart or a fail-over of PostgreSQL takes seconds.
pub const RETRY_AFTER_UNAVAILABLE: &str = "2";

/// The body of every error response.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid`, `not_found`, `sold_out`.
    pub code: String,
    /// Human-readable explanation; for `invalid`, starts with the field name.
    pub message: String,
}

/// Builds an error response in the common envelope. Used by every crate's `IntoResponse`.
pub fn error_response(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message: message.into(),
        },
    };
    (status, Json(body)).into_response()
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Unprocessable {
            code,
            message,
            details,
        } = self
        {
            let mut error = serde_json::Map::new();
            error.insert("code".into(), code.into());
            error.insert("message".into(), message.into());
            error.extend(details);
            let body = serde_json::json!({ "error": error });
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
        }
        let status = self.status();
        let message = match &self {
            Error::Sqlx(_) | Error::Internal(_) => {
                tracing::error!(cause = %self.chain(), "internal error");
                "internal error".to_owned()
            }
            Error::DatabaseUnavailable(_) => {
                tracing::warn!(cause = %self.chain(), "database unavailable");
                self.to_string()
            }
            other => other.to_string(),
        };
        let mut response = error_response(status, self.code(), message);
        if self.is_database_unavailable() {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(RETRY_AFTER_UNAVAILABLE),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database out of reach is a 503 `database_unavailable` with `Retry-After` in the
    /// envelope; a statement that failed on a live database stays a 500.
    #[test]
    fn an_unreachable_database_is_a_503_with_retry_after() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        for e in [sqlx::Error::PoolTimedOut, sqlx::Error::Io(refused)] {
            let response = Error::from(e).into_response();
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(
                response.headers().get(axum::http::header::RETRY_AFTER),
                Some(&axum::http::HeaderValue::from_static(
                    RETRY_AFTER_UNAVAILABLE
                ))
            );
        }
        assert_eq!(
            Error::from(sqlx::Error::PoolTimedOut).code(),
            "database_unavailable"
        );
        let broken = Error::from(sqlx::Error::Protocol("bad message".into()));
        assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    /// A missing row no route mapped is the server's fault (500 `internal`), never a client's
    /// 404 "row not found".
    #[test]
    fn a_missing_row_is_internal() {
        let e = Error::from(sqlx::Error::RowNotFound);
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.code(), "internal");
    }

    /// `internal` keeps an error's own chain as its source, for the log.
    #[test]
    fn internal_keeps_the_cause_as_source() {
        let cause = serde_json::from_str::<i64>("x").expect_err("not a number");
        let text = cause.to_string();
        let e = Error::internal(cause);
        let source = std::error::Error::source(&e).expect("a source");
        assert_eq!(source.to_string(), text);
        assert!(source.downcast_ref::<serde_json::Error>().is_some());
    }
}
