//! Request extractors that turn axum's rejections into the common error envelope, so malformed
//! JSON, wrong types, unknown fields and bad path or query parameters get a clear 4xx, never
//! axum's plain-text defaults.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{header, HeaderMap, StatusCode};

use crate::error::Error;

/// `Json<T>` whose rejections are [`Error`]s.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for ApiJson<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// `Path<T>` whose rejections are [`Error`]s (a path that names nothing parseable is a 404).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct ApiPath<T>(pub T);

/// `Query<T>` whose rejections are [`Error`]s (422 naming the parameter).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct ApiQuery<T>(pub T);

impl From<JsonRejection> for Error {
    fn from(r: JsonRejection) -> Self {
        if crate::error::body_too_slow(&r) {
            return Error::BodyTimeout;
        }
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Error::TooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::UnsupportedMediaType,
            StatusCode::UNPROCESSABLE_ENTITY => Error::invalid("body", r.body_text()),
            _ => Error::MalformedJson(r.body_text()),
        }
    }
}

impl From<PathRejection> for Error {
    fn from(r: PathRejection) -> Self {
        Error::not_found(format!("path ({})", r.body_text()))
    }
}

impl From<QueryRejection> for Error {
    fn from(r: QueryRejection) -> Self {
        Error::invalid("query", r.body_text())
    }
}

/// True when the request's `If-None-Match` lists `etag` (quoted, as sent in `ETag`) or `*`,
/// weak or strong (RFC 9110, 13.1.2): the answer is then 304 without a body.
pub fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}
