//! The web pages the binary serves itself: the buyer's live page, the host's studio console, the
//! operations dashboard and the API's own page, their scripts and styles, and the pages'
//! messages. Outside `/api` and not in `/openapi.json`: they are clients of the API, not part of
//! it. Every file is embedded at build time (`build.rs` includes `crates/server/web/`), so the
//! binary alone serves them; nothing is fetched at build or run time.
//!
//! URLs (also in `crates/server/web/README.md`):
//!
//! | URL | file under `web/` |
//! |---|---|
//! | `GET /` | `index.html`: the landing page, linking the consoles and `/docs` |
//! | `GET /live/{session}` (a session id, digits) | `live/index.html` |
//! | `GET /console/host` | `console/host.html` |
//! | `GET /console/ops` | `console/ops.html` |
//! | `GET /console/customs` | `console/customs.html` |
//! | `GET /docs` | `docs/index.html` |
//! | `GET /{dir}/{path}` for `dir` in `assets`, `live`, `console`, `docs` | `{dir}/{path}`, any file but `.html` |
//! | `GET /ui/l10n/{locale}` | the pages' messages (`page-*`, `console-*`) and money format in JSON, see [`messages`] |
//!
//! So a file's URL is its path under `web/`: `web/assets/api.js` is `/assets/api.js`,
//! `web/console/host.js` is `/console/host.js`. HTML is served only at its page's URL.
//! Unknown files answer 404 with the usual error envelope; a path is looked up as a whole in
//! the embedded table, so `..`, `.`, empty segments and backslashes never reach a file (they
//! are refused before the lookup anyway).
//!
//! Every answer carries an `ETag` (a digest of the bytes; `If-None-Match` gives 304) and
//! `Cache-Control: no-cache` (revalidate each time: the URLs carry no version).
//! HTML also carries a strict Content-Security-Policy ([`CSP`]): scripts, styles and
//! connections from this origin only, no inline script, no framing.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sha2::{Digest, Sha256};
use silkstream_catalog::error::error_response;
use silkstream_l10n::L10n;

use crate::app::AppState;

include!(concat!(env!("OUT_DIR"), "/web_files.rs"));

/// The Content-Security-Policy of every page. `connect-src 'self'` covers the page's own
/// origin over `ws:`/`wss:` as well (CSP Level 3), which is all the feed needs.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The message id prefixes the pages use: the buyer page's and the consoles'.
pub const PAGE_PREFIXES: &[&str] = &["page-", "console-"];

/// The top folders of `web/` whose files are served at their own path.
const ASSET_DIRS: &[&str] = &["assets", "live", "console", "docs"];

/// One embedded file, ready to serve.
struct WebFile {
    bytes: &'static [u8],
    content_type: &'static str,
    etag: HeaderValue,
}

/// The embedded files by their path under `web/`, with their types and digests (computed once).
fn files() -> &'static HashMap<&'static str, WebFile> {
    static FILES: OnceLock<HashMap<&'static str, WebFile>> = OnceLock::new();
    FILES.get_or_init(|| {
        WEB_FILES
            .iter()
            .map(|(path, bytes)| {
                let digest = hex::encode(&Sha256::digest(bytes)[..12]);
                let etag = HeaderValue::from_str(&format!("\"{digest}\""))
                    .expect("a hex digest in quotes is a valid header value");
                let file = WebFile {
                    bytes,
                    content_type: content_type(path),
                    etag,
                };
                (*path, file)
            })
            .collect()
    })
}

/// The paths of every embedded file (for tests and the docs).
pub fn embedded_paths() -> Vec<&'static str> {
    let mut paths: Vec<&'static str> = WEB_FILES.iter().map(|(path, _)| *path).collect();
    paths.sort_unstable();
    paths
}

/// The content type of a file by its extension.
pub fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" | "md" | "" => "text/plain; charset=utf-8",
        _ if !path.contains('.') => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The routes of the pages, their assets and messages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(landing_page))
        .route("/docs", get(docs_page))
        .route("/live/{*path}", get(live))
        .route("/console/{*path}", get(console))
        .route("/docs/{*path}", get(docs_asset))
        .route("/assets/{*path}", get(asset))
        .route("/ui/l10n/{locale}", get(messages))
}

/// `/live/{session}`: the buyer's page for a session id; any other name is a file of `live/`.
/// Its CSP is [`live_page_csp`]'s, made when the server started.
async fn live(
    State(state): State<AppState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    let is_session = !path.is_empty()
        && path.len() <= 18
        && path.bytes().all(|b| b.is_ascii_digit())
        && path.parse::<i64>().is_ok_and(|id| id > 0);
    if is_session {
        return page("live/index.html", &headers, &state.live_page_csp);
    }
    serve_asset("live", &path, &headers)
}

/// The buyer page's Content-Security-Policy, made once when the server starts (the media
/// origins are a setting): [`CSP`] with `origins` added to `connect-src` (the player fetches the
/// playlist and its segments) and to a `media-src 'self' blob:` (the video element, and the
/// player's MediaSource), and the player's worker from this origin (`worker-src 'self'`).
pub fn live_page_csp(origins: &[String]) -> HeaderValue {
    let extra: String = origins.iter().map(|o| format!(" {o}")).collect();
    let mut directives: Vec<String> = CSP
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            if d.starts_with("connect-src ") {
                format!("{d}{extra}")
            } else {
                d.to_owned()
            }
        })
        .collect();
    directives.push(format!("media-src 'self' blob:{extra}"));
    directives.push("worker-src 'self'".to_owned());
    // The origins are ASCII serializations of parsed URLs: always a valid header value.
    HeaderValue::from_str(&directives.join("; ")).unwrap_or(HeaderValue::from_static(CSP))
}

/// [`CSP`] as a header value, for every page but the buyer's.
fn pages_csp() -> &'static HeaderValue {
    static VALUE: HeaderValue = HeaderValue::from_static(CSP);
    &VALUE
}

/// `/console/host`, `/console/ops`, `/console/customs`, and the files of `console/`.
async fn console(Path(path): Path<String>, headers: HeaderMap) -> Response {
    match path.as_str() {
        "host" => page("console/host.html", &headers, pages_csp()),
        "ops" => page("console/ops.html", &headers, pages_csp()),
        "customs" => page("console/customs.html", &headers, pages_csp()),
        _ => serve_asset("console", &path, &headers),
    }
}

/// `/`: the landing page (links to the consoles and `/docs`; buyers come by a show's link).
async fn landing_page(headers: HeaderMap) -> Response {
    page("index.html", &headers, pages_csp())
}

/// `/docs`: the API's own page.
async fn docs_page(headers: HeaderMap) -> Response {
    page("docs/index.html", &headers, pages_csp())
}

async fn docs_asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve_asset("docs", &path, &headers)
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve_asset("assets", &path, &headers)
}

/// A page: its HTML with the page headers (`csp`), or 404 when the page is not built yet.
fn page(path: &str, headers: &HeaderMap, csp: &HeaderValue) -> Response {
    match files().get(path) {
        Some(file) => respond(file, headers, Some(csp)),
        None => not_found(),
    }
}

/// A file of `dir` by its path below it: never HTML (pages have their own URLs), never a path
/// with `..`, `.`, empty segments, backslashes or control characters.
fn serve_asset(dir: &str, path: &str, headers: &HeaderMap) -> Response {
    debug_assert!(ASSET_DIRS.contains(&dir));
    if !is_clean_path(path) || path.to_ascii_lowercase().ends_with(".html") {
        return not_found();
    }
    match files().get(format!("{dir}/{path}").as_str()) {
        Some(file) => respond(file, headers, None),
        None => not_found(),
    }
}

/// A relative path of plain segments only.
fn is_clean_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 512
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
        && !path.chars().any(|c| c == '\\' || c.is_control())
}

/// A file with its headers; a page (`csp`) also with its Content-Security-Policy and the
/// framing and referrer headers.
fn respond(file: &WebFile, request: &HeaderMap, csp: Option<&HeaderValue>) -> Response {
    let matches =
        silkstream_catalog::extract::if_none_match(request, file.etag.to_str().unwrap_or_default());
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = file.bytes.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(file.content_type),
        );
        response
    };
    let out = response.headers_mut();
    out.insert(header::ETAG, file.etag.clone());
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(csp) = csp {
        out.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
        out.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        out.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    response
}

fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, "not_found", "no such page or asset")
}

/// The answer of `GET /ui/l10n/{locale}`: the messages, and how to format money.
#[derive(serde::Serialize)]
struct PageMessages {
    #[serde(flatten)]
    messages: silkstream_l10n::ClientMessages,
    money: &'static silkstream_l10n::MoneyFormat,
    /// Every country's CLDR name in the locale, by ISO 3166-1 alpha-2 code: the pages' country
    /// pickers show these, not the browser's `Intl.DisplayNames` (whose data varies by browser).
    countries: std::collections::BTreeMap<&'static str, String>,
}

/// `GET /ui/l10n/{locale}`: the pages' messages in a locale (any tag the API accepts:
/// `kk`, `ru-KZ`, `zh-Hans`), each along the locale's fallback chain, as
/// [`silkstream_l10n::ClientMessages`]: `{"locale", "chain", "messages": {id: locale it came
/// from}, "resources": [{"locale", "ftl"}]}`, plus `money`: the locale's
/// [`silkstream_l10n::MoneyFormat`], with which `web/assets/money.js` formats money exactly as
/// the server does, and `countries`: `{code: CLDR name}` in the locale. The page builds one Fluent bundle per resource
/// (`web/assets/l10n.js`). An unknown locale is 404 `not_found` naming the supported ones.
async fn messages(State(l10n): State<Arc<L10n>>, Path(locale): Path<String>) -> Response {
    let found = l10n
        .client_messages(&locale, PAGE_PREFIXES)
        .zip(silkstream_l10n::money_format(&locale));
    match found {
        Some((messages, money)) => {
            let countries = silkstream_l10n::country_names(messages.locale);
            let mut response = Json(PageMessages {
                messages,
                money,
                countries,
            })
            .into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        None => error_response(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "no such locale: {}; the pages speak {}",
                locale.chars().take(40).collect::<String>(),
                silkstream_l10n::SUPPORTED_LOCALES.join(", ")
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Traversal, dot segments, empty segments and backslashes are refused before any lookup.
    /// The buyer page's policy is the pages' with the media origins for media and connections
    /// only, and the player's worker from this origin.
    #[test]
    fn the_live_page_csp_names_the_origins_for_media_and_connections_only() {
        let origins = [
            "https://media.example.com".to_owned(),
            "http://10.0.0.5:8088".to_owned(),
        ];
        let csp = live_page_csp(&origins);
        let csp = csp.to_str().expect("ascii");
        let directives: Vec<&str> = csp.split("; ").collect();
        let pages: Vec<&str> = CSP.split(';').map(str::trim).collect();
        assert_eq!(directives.len(), pages.len() + 2, "{csp}");
        for (live, page) in directives.iter().zip(&pages) {
            if page.starts_with("connect-src ") {
                assert_eq!(
                    *live,
                    format!("{page} https://media.example.com http://10.0.0.5:8088")
                );
            } else {
                assert_eq!(live, page);
            }
        }
        assert_eq!(
            directives[pages.len()..],
            [
                "media-src 'self' blob: https://media.example.com http://10.0.0.5:8088",
                "worker-src 'self'"
            ]
        );
        let none = live_page_csp(&[]);
        assert_eq!(
            none.to_str().expect("ascii"),
            format!("{CSP}; media-src 'self' blob:; worker-src 'self'")
        );
    }

    #[test]
    fn only_plain_relative_paths_pass() {
        for good in ["api.js", "vendor/fluent-bundle/index.js"] {
            assert!(is_clean_path(good), "{good}");
        }
        for bad in [
            "",
            "../Cargo.toml",
            "a/../../b",
            "./api.js",
            "a//b",
            "a\\..\\b",
            "/etc/passwd",
            "a\0b",
        ] {
            assert!(!is_clean_path(bad), "{bad:?}");
        }
    }

    /// Types of the files the pages use.
    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("a/b.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("x.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("v/LICENSE"), "text/plain; charset=utf-8");
        assert_eq!(content_type("i.svg"), "image/svg+xml");
        assert_eq!(content_type("blob.bin"), "application/octet-stream");
    }
}
