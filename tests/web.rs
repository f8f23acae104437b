//! The web pages the binary serves (`crates/server/src/web.rs`): every page and asset with its
//! type, digest and Content-Security-Policy, exactly the bytes of `crates/server/web/`; unknown
//! paths as the error envelope; no traversal; none of it in `/openapi.json`; the pages' messages
//! for every locale; the pages' money (`assets/money.js`, run under Node with the served
//! parameters) exactly as the server's `format_money`; compression (gzip, brotli) when the client
//! asks, never on a WebSocket upgrade. On both backends.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use reqwest::Method;
use silkstream_e2e::{backend_tests, spawn_app, Backend, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

backend_tests!(
    every_page_and_asset_is_served_as_on_disk,
    an_unchanged_file_answers_304,
    unknown_pages_and_assets_are_404_envelopes,
    traversal_never_reaches_a_file,
    pages_are_not_in_the_openapi_document,
    page_messages_cover_every_locale,
    an_unknown_locale_is_a_clear_404,
    pages_format_money_as_the_server_does,
    page_messages_carry_cldr_country_names,
    assets_and_json_are_compressed_when_asked,
    a_websocket_upgrade_is_never_compressed
);

/// The page URLs and the files they serve.
const PAGES: &[(&str, &str)] = &[
    ("/", "index.html"),
    ("/live/1", "live/index.html"),
    ("/live/9000000000", "live/index.html"),
    ("/console/host", "console/host.html"),
    ("/console/ops", "console/ops.html"),
    ("/console/customs", "console/customs.html"),
    ("/docs", "docs/index.html"),
];

/// The 16 locales of the design.
const LOCALES: &[&str] = &[
    "zh-CN", "en", "ru", "kk", "ky", "uz", "tt", "mn", "vi", "th", "id", "ms", "fil", "km", "lo",
    "my",
];

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/server/web")
}

/// Every file under `web/` that is served: all but the folder's README.md and dotfiles.
fn files_on_disk() -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("web dir readable") {
            let path = entry.expect("dir entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .expect("under root")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                if relative != "README.md" {
                    out.insert(relative);
                }
            }
        }
    }
    let root = web_dir();
    let mut out = BTreeSet::new();
    walk(&root, &root, &mut out);
    out
}

async fn fetch(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("request reaches the server")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Each page at its URL and every other file at its own path answer 200 with the right type,
/// an ETag and `no-cache`, and exactly the bytes on disk; HTML carries the strict CSP; the
/// binary embeds every file of the folder and nothing else; every HTML file is a known page.
async fn every_page_and_asset_is_served_as_on_disk(backend: Backend) {
    let app = spawn_app(backend).await;
    let disk = files_on_disk();
    let embedded: BTreeSet<String> = silkstream_server::web::embedded_paths()
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        embedded, disk,
        "the binary embeds exactly crates/server/web/"
    );
    for file in [
        "assets/api.js",
        "assets/feed.js",
        "assets/l10n.js",
        "assets/ui.css",
    ] {
        assert!(disk.contains(file), "{file} is shipped");
    }
    let pages: BTreeSet<&str> = PAGES.iter().map(|(_, file)| *file).collect();
    for file in disk.iter().filter(|f| f.ends_with(".html")) {
        assert!(
            pages.contains(file.as_str()),
            "{file} is not a page of web.rs"
        );
    }
    for (url, file) in PAGES {
        let response = fetch(&app, url).await;
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(
            header(&response, "content-type"),
            "text/html; charset=utf-8",
            "{url}"
        );
        let csp = header(&response, "content-security-policy").to_owned();
        // The buyer page adds the media origins (none here) and the stream player's worker
        // (tests/streams.rs); every other page has the pages' policy.
        let expected = if url.starts_with("/live/") {
            silkstream_server::web::live_page_csp(&[])
                .to_str()
                .expect("ascii")
                .to_owned()
        } else {
            silkstream_server::web::CSP.to_owned()
        };
        assert_eq!(csp, expected, "{url}");
        assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self';"));
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(header(&response, "x-frame-options"), "DENY");
        assert_eq!(header(&response, "cache-control"), "no-cache");
        assert!(header(&response, "etag").starts_with('"'), "{url}");
        let body = response.bytes().await.expect("body");
        let expected = std::fs::read(web_dir().join(file)).expect("page on disk");
        assert_eq!(body.as_ref(), expected.as_slice(), "{url} is {file}");
        let html = String::from_utf8_lossy(&body);
        assert!(
            !html.contains("<script>") && !html.contains(" onclick="),
            "{file}: no inline script under this CSP"
        );
    }
    for file in disk.iter().filter(|f| !f.ends_with(".html")) {
        let url = format!("/{file}");
        let response = fetch(&app, &url).await;
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(
            header(&response, "content-type"),
            silkstream_server::web::content_type(file),
            "{url}"
        );
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert!(header(&response, "etag").starts_with('"'), "{url}");
        let body = response.bytes().await.expect("body");
        let expected = std::fs::read(web_dir().join(file)).expect("file on disk");
        assert_eq!(body.as_ref(), expected.as_slice(), "{url}");
    }
    let landing = fetch(&app, "/").await.text().await.expect("landing page");
    for link in [
        "href=\"/console/host\"",
        "href=\"/console/ops\"",
        "href=\"/docs\"",
        "/live/{session}",
    ] {
        assert!(landing.contains(link), "the landing page names {link}");
    }
    let js = fetch(&app, "/assets/api.js").await;
    assert_eq!(
        header(&js, "content-type"),
        "text/javascript; charset=utf-8"
    );
    let css = fetch(&app, "/assets/ui.css").await;
    assert_eq!(header(&css, "content-type"), "text/css; charset=utf-8");
}

/// A client that has the file (its ETag in `If-None-Match`) gets 304 and no body; a stale tag
/// gets the file.
async fn an_unchanged_file_answers_304(backend: Backend) {
    let app = spawn_app(backend).await;
    for url in ["/assets/feed.js", "/live/7"] {
        let first = fetch(&app, url).await;
        let etag = header(&first, "etag").to_owned();
        let again = app
            .client
            .get(format!("{}{url}", app.base))
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("request");
        assert_eq!(again.status(), 304, "{url}");
        assert_eq!(header(&again, "etag"), etag);
        assert!(again.bytes().await.expect("body").is_empty());
        let stale = app
            .client
            .get(format!("{}{url}", app.base))
            .header("if-none-match", "\"0000\"")
            .send()
            .await
            .expect("request");
        assert_eq!(stale.status(), 200, "{url}");
    }
}

/// Paths that name no page or file answer 404 with the API's JSON envelope: HTML only at its
/// page's URL, a session page only for a positive id.
async fn unknown_pages_and_assets_are_404_envelopes(backend: Backend) {
    let app = spawn_app(backend).await;
    for url in [
        "/assets/nope.js",
        "/assets/vendor",
        "/assets/vendor/",
        "/console/nope",
        "/console/host.html",
        "/live/index.html",
        "/live/abc",
        "/live/0",
        "/live/-3",
        "/live/1/extra",
        "/live/99999999999999999999",
        "/docs/index.html",
        "/docs/nope.css",
        "/index.html",
        "/ui/l10n",
    ] {
        let reply = app.request(Method::GET, url, None, None).await;
        assert_eq!(reply.status, 404, "{url}: {}", reply.text);
        assert_eq!(reply.code(), "not_found", "{url}: {}", reply.text);
        assert!(reply.body["error"]["message"].is_string(), "{url}");
    }
    let reply = app
        .request(Method::POST, "/assets/api.js", None, None)
        .await;
    assert_eq!(reply.status, 405, "{}", reply.text);
}

/// Sends one raw HTTP/1.1 request line (no client normalises the path) and returns the
/// status and body.
async fn raw_get(app: &TestApp, target: &str) -> (u16, String) {
    let address = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let request = format!("GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("write request");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read answer");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

/// `..`, encoded `..`, backslashes and dot segments never reach a file, inside the folder or out
/// of it; the same file at its clean path is served.
async fn traversal_never_reaches_a_file(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, clean) = raw_get(&app, "/assets/api.js").await;
    assert_eq!(status, 200, "{clean}");
    for target in [
        "/assets/../Cargo.toml",
        "/assets/../../../Cargo.toml",
        "/assets/..%2f..%2f..%2fCargo.toml",
        "/assets/%2e%2e/%2e%2e/%2e%2e/Cargo.toml",
        "/assets/%2E%2E%2F%2E%2E%2F%2E%2E%2FCargo.toml",
        "/assets/vendor/../api.js",
        "/assets/./api.js",
        "/assets//api.js",
        "/assets/..%5c..%5cCargo.toml",
        "/assets/%5cetc%5cpasswd",
        "/live/..%2f..%2fsrc%2fweb.rs",
        "/console/..%2flive%2findex.html",
        "/docs/%2e%2e%2fassets%2fapi.js",
        "/assets/%00api.js",
    ] {
        let (status, answer) = raw_get(&app, target).await;
        assert!(
            status == 404 || status == 400,
            "{target}: status {status}: {answer}"
        );
        assert!(
            !answer.contains("[workspace]")
                && !answer.contains("[package]")
                && !answer.contains("export class Api"),
            "{target} served a file: {answer}"
        );
    }
}

/// The pages, assets and messages are clients of the API, not part of it.
async fn pages_are_not_in_the_openapi_document(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = app
        .request(Method::GET, "/openapi.json", None, None)
        .await
        .expect(200)
        .body;
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.keys().any(|p| p.starts_with("/api/v1/")));
    for path in paths.keys() {
        // By path segment: `/livez` (the liveness probe) is an API route, `/live/…` a page.
        for page in ["/live", "/console", "/docs", "/assets", "/ui"] {
            let under = path == page || path.starts_with(&format!("{page}/"));
            assert!(!under, "{path} is in /openapi.json");
        }
    }
}

/// The `page-` ids of the English file.
fn english_page_ids() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales/en/page.ftl");
    std::fs::read_to_string(path)
        .expect("locales/en/page.ftl")
        .lines()
        .filter(|l| l.starts_with("page-"))
        .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_owned()))
        .collect()
}

/// For every locale, `/ui/l10n/{locale}` has every `page-` message of English, each in the
/// locale itself (the buyer page is translated into all 16), as FTL the browser can parse: one
/// resource per supplying locale, each message defined once. A region tag is accepted.
async fn page_messages_cover_every_locale(backend: Backend) {
    let app = spawn_app(backend).await;
    let ids = english_page_ids();
    assert!(ids.len() > 50, "{ids:?}");
    for locale in LOCALES {
        let reply = app
            .request(Method::GET, &format!("/ui/l10n/{locale}"), None, None)
            .await
            .expect(200);
        let body = reply.body;
        assert_eq!(body["locale"], *locale);
        assert_eq!(body["chain"][0], *locale);
        let messages = body["messages"].as_object().expect("messages");
        let resources = body["resources"].as_array().expect("resources");
        for id in &ids {
            assert_eq!(
                messages.get(id).and_then(|v| v.as_str()),
                Some(*locale),
                "{locale}: {id} is not translated"
            );
            let definitions = resources
                .iter()
                .filter_map(|r| r["ftl"].as_str())
                .map(|ftl| {
                    ftl.lines()
                        .filter(|l| l.starts_with(&format!("{id} =")))
                        .count()
                })
                .sum::<usize>();
            assert_eq!(definitions, 1, "{locale}: {id} defined once");
        }
        assert!(messages
            .keys()
            .all(|id| id.starts_with("page-") || id.starts_with("console-")));
    }
    let ru = app
        .request(Method::GET, "/ui/l10n/ru", None, None)
        .await
        .expect(200)
        .body;
    let ftl = ru["resources"][0]["ftl"].as_str().expect("ftl");
    assert!(
        ftl.contains("[few]"),
        "Russian keeps its plural variants: {ftl}"
    );
    let kk = app
        .request(Method::GET, "/ui/l10n/kk-KZ", None, None)
        .await
        .expect(200)
        .body;
    assert_eq!(kk["locale"], "kk");
    assert_eq!(kk["chain"], serde_json::json!(["kk", "ru", "en"]));
}

/// `/ui/l10n/{locale}` carries every country's CLDR name in the locale (the buyer page's country
/// pickers show these, not the browser's data), along the fallback chain; and the server, not
/// the page, decides which locale a tag gets (`uz-Cyrl` is not `uz`, which is written in Latin).
async fn page_messages_carry_cldr_country_names(backend: Backend) {
    let app = spawn_app(backend).await;
    let get = |locale: &'static str| {
        let app = &app;
        async move {
            app.request(Method::GET, &format!("/ui/l10n/{locale}"), None, None)
                .await
                .expect(200)
                .body
        }
    };
    let kk = get("kk").await;
    assert_eq!(kk["countries"]["KZ"], "Қазақстан");
    assert_eq!(kk["countries"]["CN"], "Қытай");
    let my = get("my").await;
    assert_eq!(my["countries"]["KZ"], "ကာဇက်စတန်");
    for market in [
        "KZ", "KG", "UZ", "RU", "MN", "VN", "TH", "ID", "MY", "PH", "KH", "LA", "MM", "CN",
    ] {
        for body in [&kk, &my] {
            let name = body["countries"][market].as_str().unwrap_or("");
            assert!(!name.is_empty() && name != market, "{market}: {name:?}");
        }
    }
    let uz_cyrillic = get("uz-Cyrl").await;
    assert_ne!(uz_cyrillic["locale"], "uz", "uz-Cyrl is not Latin Uzbek");
    assert_eq!(
        uz_cyrillic["countries"]["KZ"],
        silkstream_l10n::country_name(uz_cyrillic["locale"].as_str().expect("locale"), "KZ").text
    );
}

/// A locale Silkstream does not speak is a 404 envelope that names the supported ones.
async fn an_unknown_locale_is_a_clear_404(backend: Backend) {
    let app = spawn_app(backend).await;
    for locale in ["xx", "de", "klingon", "%20"] {
        let reply = app
            .request(Method::GET, &format!("/ui/l10n/{locale}"), None, None)
            .await;
        assert_eq!(reply.status, 404, "{locale}: {}", reply.text);
        assert_eq!(reply.code(), "not_found");
        let message = reply.body["error"]["message"].as_str().unwrap_or("");
        assert!(
            message.contains("no such locale") && message.contains("zh-CN, en, ru"),
            "{message}"
        );
    }
}

/// The script Node runs: imports the served `money.js`, formats every case both ways (a locale
/// whose messages were loaded, and the L10n-like object) and prints the results as JSON.
const MONEY_RUNNER: &str = r#"
import { readFileSync } from "node:fs";
const [moduleUrl, casesPath] = process.argv.slice(-2);
const { formatMoney, rememberMoney } = await import(moduleUrl);
const { formats, cases } = JSON.parse(readFileSync(casesPath, "utf8"));
for (const [locale, money] of Object.entries(formats)) rememberMoney(locale, money);
const out = cases.map(([locale, currency, minor]) => [
  formatMoney(locale, currency, minor),
  formatMoney({ locale, money: formats[locale] }, currency, minor),
]);
process.stdout.write(JSON.stringify(out));
"#;

/// The money the pages show is the server's, in every locale: the served `/assets/money.js`
/// (re-exported by `l10n.js` as `formatMoney`) applied under Node to the `money` of
/// `/ui/l10n/{locale}` gives exactly `format_money`'s text for currencies of 0, 2 and 3 digits,
/// dropped digits (UZS, MNT: half to even), grouping, negatives and amounts beyond 2^53.
/// Needs `node` (20 or newer) on the PATH, like the browser test.
async fn pages_format_money_as_the_server_does(backend: Backend) {
    let app = spawn_app(backend).await;
    let script = fetch(&app, "/assets/money.js").await;
    assert_eq!(script.status(), 200);
    let script = script.text().await.expect("money.js body");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("money.mjs"), script).expect("write money.mjs");
    std::fs::write(dir.path().join("runner.mjs"), MONEY_RUNNER).expect("write runner.mjs");

    let mut currencies: Vec<&str> = silkstream_l10n::CURRENCIES.to_vec();
    currencies.extend(["JPY", "BHD", "KWD", "EUR", "GBP", "TRY"]);
    let amounts: &[i64] = &[
        0,
        1,
        5,
        49,
        50,
        99,
        100,
        150,
        250,
        350,
        999,
        1_000,
        12_345,
        123_456,
        1_234_567,
        123_456_789,
        -1,
        -50,
        -250,
        -123_456_789,
        9_007_199_254_740_993,
    ];
    let mut formats = serde_json::Map::new();
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for locale in LOCALES {
        let body = app
            .request(Method::GET, &format!("/ui/l10n/{locale}"), None, None)
            .await
            .expect(200)
            .body;
        let money = body["money"].clone();
        assert_eq!(money["locale"], *locale);
        formats.insert((*locale).to_owned(), money);
        for currency in &currencies {
            for &minor in amounts {
                let text = silkstream_l10n::format_money(
                    locale,
                    currency,
                    minor,
                    &silkstream_l10n::MoneyOptions::default(),
                )
                .expect("the server formats it");
                // Beyond 2^53 a page holds the amount as a string or BigInt, never a Number.
                let minor_json = if minor.unsigned_abs() > 1 << 53 {
                    serde_json::json!(minor.to_string())
                } else {
                    serde_json::json!(minor)
                };
                cases.push(serde_json::json!([locale, currency, minor_json]));
                expected.push((*locale, *currency, minor, text));
            }
        }
    }
    let cases_path = dir.path().join("cases.json");
    std::fs::write(
        &cases_path,
        serde_json::json!({ "formats": formats, "cases": cases }).to_string(),
    )
    .expect("write cases");
    let module_url = format!("file://{}", dir.path().join("money.mjs").display());
    let output = std::process::Command::new("node")
        .arg(dir.path().join("runner.mjs"))
        .arg(&module_url)
        .arg(&cases_path)
        .output()
        .expect("node (20 or newer) is needed on the PATH to run the pages' money.js");
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let actual: Vec<[String; 2]> =
        serde_json::from_slice(&output.stdout).expect("node prints a JSON array of pairs");
    assert_eq!(actual.len(), expected.len());
    let mut wrong = Vec::new();
    for ((locale, currency, minor, text), [by_locale, by_object]) in expected.iter().zip(&actual) {
        if by_locale != text || by_object != text {
            wrong.push(format!(
                "{locale} {currency} {minor}: server {text:?}, page {by_locale:?} / {by_object:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} differ:\n{}",
        wrong.len(),
        expected.len(),
        wrong.join("\n")
    );
    // The Kazakh buyer page's price, as the brief's example has it.
    let kk = expected
        .iter()
        .zip(&actual)
        .find(|((l, c, m, _), _)| *l == "kk" && *c == "KZT" && *m == 123_456_789)
        .expect("a kk KZT case");
    assert_eq!(kk.1[0], "1\u{a0}234\u{a0}567,89\u{a0}₸");
}

/// The vendored Swagger UI bundle (1.7 MB) goes out compressed to a client that accepts brotli
/// or gzip, and decompresses to the file on disk; a client that accepts neither gets it plain.
/// A compressed answer says `Vary: accept-encoding` and carries a weak ETag (`If-None-Match`
/// with it still answers 304). JSON (`/openapi.json`) is compressed too.
async fn assets_and_json_are_compressed_when_asked(backend: Backend) {
    use std::io::Read;
    let app = spawn_app(backend).await;
    let url = "/docs/vendor/swagger-ui/swagger-ui-bundle.js";
    let disk = std::fs::read(web_dir().join("docs/vendor/swagger-ui/swagger-ui-bundle.js"))
        .expect("the bundle on disk");
    assert!(disk.len() > 1_000_000, "the bundle is {} bytes", disk.len());
    let get = |path: &'static str, accept: Option<&'static str>| {
        let mut request = app.client.get(format!("{}{path}", app.base));
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        async move { request.send().await.expect("request reaches the server") }
    };

    let plain = get(url, None).await;
    assert_eq!(plain.status(), 200);
    assert_eq!(header(&plain, "content-encoding"), "");
    let strong = header(&plain, "etag").to_owned();
    assert!(strong.starts_with('"'), "plain ETag {strong}");
    assert_eq!(plain.bytes().await.expect("body").as_ref(), disk.as_slice());

    for (accept, encoding) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let response = get(url, Some(accept)).await;
        assert_eq!(response.status(), 200, "{accept}");
        assert_eq!(header(&response, "content-encoding"), encoding, "{accept}");
        assert!(
            header(&response, "vary")
                .to_ascii_lowercase()
                .contains("accept-encoding"),
            "{accept}: vary {}",
            header(&response, "vary")
        );
        assert_eq!(header(&response, "etag"), format!("W/{strong}"), "{accept}");
        let sent = response.bytes().await.expect("body");
        assert!(
            sent.len() * 3 < disk.len(),
            "{accept}: {} bytes sent for {}",
            sent.len(),
            disk.len()
        );
        let mut decoded = Vec::new();
        match encoding {
            "br" => {
                brotli_decompressor::Decompressor::new(sent.as_ref(), 4096)
                    .read_to_end(&mut decoded)
                    .expect("brotli decodes");
            }
            _ => {
                flate2::read::GzDecoder::new(sent.as_ref())
                    .read_to_end(&mut decoded)
                    .expect("gzip decodes");
            }
        }
        assert!(
            decoded == disk,
            "{accept}: the decoded bundle differs from the file"
        );
    }

    // The weak tag a compressed answer carried still names the file.
    let again = app
        .client
        .get(format!("{}{url}", app.base))
        .header("accept-encoding", "gzip")
        .header("if-none-match", format!("W/{strong}"))
        .send()
        .await
        .expect("request");
    assert_eq!(again.status(), 304);

    let json = get("/openapi.json", Some("gzip")).await;
    assert_eq!(json.status(), 200);
    assert_eq!(header(&json, "content-type"), "application/json");
    assert_eq!(header(&json, "content-encoding"), "gzip");
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(json.bytes().await.expect("body").as_ref())
        .read_to_string(&mut decoded)
        .expect("gzip decodes");
    let doc: serde_json::Value = serde_json::from_str(&decoded).expect("the document is JSON");
    assert!(doc["paths"]["/api/v1/products"].is_object());
}

/// A WebSocket upgrade from a client that accepts gzip and brotli is answered 101 with no
/// Content-Encoding: the socket is the feed's, frame by frame, never a compressed body.
async fn a_websocket_upgrade_is_never_compressed(backend: Backend) {
    let app = spawn_app(backend).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let request = format!(
        "GET /api/v1/feed HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\nAccept-Encoding: gzip, br\r\n\
         Authorization: Bearer {}\r\n\r\n",
        app.admin
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("write request");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut byte))
            .await
            .expect("the answer's head within 10 s")
            .expect("read");
        assert_eq!(
            n,
            1,
            "closed before the head ended: {}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(!head.contains("content-encoding"), "{head}");
}
