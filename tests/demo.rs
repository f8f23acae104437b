//! The demo, on both backends: the tokens `serve --demo` prints are enough for the README's
//! live-sale tour — the demo buyer has a buyer profile and orders in the host's flash sale.

use serde_json::json;
use silkstream_catalog::auth::Role;
use silkstream_e2e::{backend_tests, order_body, spawn_app, Backend};

backend_tests!(
    the_demo_buyer_orders_in_the_live_sale,
    the_demo_prints_its_pages_on_the_listen_address
);

/// With the demo catalog and the demo tokens, the host opens a session for Kazakhstan and a
/// flash sale of the brisket, and the demo buyer (a profile in Almaty, reading Russian) orders
/// two: confirmed at the sale price, with the message in Russian.
async fn the_demo_buyer_orders_in_the_live_sale(backend: Backend) {
    let app = spawn_app(backend).await;
    let report = silkstream_server::demo::load(&app.db)
        .await
        .expect("demo catalog");
    assert!(report.loaded, "an empty catalog takes the demo");
    let tokens = silkstream_server::demo::tokens(&app.db)
        .await
        .expect("demo tokens");
    let token = |role: Role| {
        tokens
            .iter()
            .find(|t| t.info.role == role)
            .map(|t| t.token.clone())
            .unwrap_or_else(|| panic!("a demo {role} token"))
    };
    let (host, buyer) = (token(Role::Host), token(Role::Buyer));

    let me = app.get("/api/v1/buyers/me", &buyer).await.expect(200).body;
    assert_eq!(
        (&me["country"], &me["city"], &me["locale"]),
        (&json!("KZ"), &json!("Almaty"), &json!("ru")),
        "{me}"
    );

    // The README's live sale: the brisket is product 1, variant 1, stocked in KHG-BORDER.
    let product = app.get("/api/v1/products/1", &buyer).await.expect(200).body;
    let variant_id = product["variants"][0]["id"].as_i64().expect("variant id");
    let session_id = app
        .post(
            "/api/v1/sessions",
            &host,
            &json!({"title": "Khorgos beef night", "language": "ru", "markets": ["KZ"]}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("session id");
    app.post(
        &format!("/api/v1/sessions/{session_id}/start"),
        &host,
        &json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/sessions/{session_id}/flash-sales"),
        &host,
        &json!({"variant_id": variant_id, "quantity": 100, "per_buyer_limit": 2,
                "prices": {"KZT": 499000}, "countdown_s": 0, "duration_s": 900,
                "warehouse": "KHG-BORDER"}),
    )
    .await
    .expect(201);

    let placed = app
        .order(
            &buyer,
            session_id,
            "demo-0001",
            &order_body(variant_id, 2, "KZT"),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(placed["order"]["status"], "confirmed", "{placed}");
    assert_eq!(placed["order"]["unit_price_minor"], 499000, "{placed}");
    assert_eq!(placed["message"]["locale"], "ru", "{placed}");
}

/// `serve --demo` prints, beside its tokens and the requests to try, the URL of each page on the
/// address it listens on, and each URL opens that page: the studio console, the buyer's live page
/// of a session the demo host started, the operations dashboard and /docs. A second start on the
/// same catalog makes no token but still points to the pages.
async fn the_demo_prints_its_pages_on_the_listen_address(backend: Backend) {
    let app = spawn_app(backend).await;
    let text = silkstream_server::demo::announce(&app.db, &app.base)
        .await
        .expect("the demo loads");
    let lines: Vec<&str> = text.lines().collect();

    // The lines printed before the pages were added are all still there, as they were (scripts
    // parse the token lines).
    assert!(
        lines[0].starts_with("demo catalog loaded: ")
            && lines[1] == "demo tokens (valid 30 days; shown only now):",
        "{text}"
    );
    let mut host = String::new();
    for (i, role) in ["admin", "host", "buyer", "operator"].iter().enumerate() {
        let line = lines[2 + i];
        let token = line
            .strip_prefix(&format!("  {role:<9} "))
            .unwrap_or_else(|| panic!("the {role} token line: {line:?} in {text}"));
        assert!(token.starts_with("ss_") && !token.contains(' '), "{line:?}");
        if *role == "host" {
            host = token.to_owned();
        }
    }
    assert!(
        lines[6].starts_with("the demo buyer is Aizhan from Almaty, KZ"),
        "{text}"
    );
    assert_eq!(lines[7], "try:", "{text}");
    assert_eq!(
        lines[12],
        format!("  curl -s {}/openapi.json", app.base),
        "{text}"
    );

    // Then the pages, each line ending its URL on the real address.
    let pages = page_urls(&text, &app.base);
    let session = app
        .post(
            "/api/v1/sessions",
            &host,
            &json!({"title": "Pages", "language": "kk", "markets": ["KZ", "VN"]}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("session id");
    for path in [
        "/console/host",
        "/live/<session-id>",
        "/console/ops",
        "/docs",
    ] {
        let url = pages
            .iter()
            .find(|u| u.ends_with(path))
            .unwrap_or_else(|| panic!("no page line for {path} in {text}"));
        let url = url.replace("<session-id>", &session.to_string());
        let resp = app.client.get(&url).send().await.expect("the page answers");
        let (status, kind) = (resp.status(), resp.headers().get("content-type").cloned());
        let body = resp.text().await.expect("the page's body");
        assert_eq!(status, 200, "{url}: {body}");
        assert!(
            kind.is_some_and(|k| k.to_str().is_ok_and(|k| k.starts_with("text/html"))),
            "{url} is not HTML"
        );
        assert!(body.contains("<html"), "{url}: {body}");
    }

    let again = silkstream_server::demo::announce(&app.db, &app.base)
        .await
        .expect("a second start");
    assert!(again.starts_with("the catalog is not empty"), "{again}");
    assert!(!again.contains("ss_"), "no token is shown again: {again}");
    assert_eq!(page_urls(&again, &app.base), pages, "{again}");
}

/// The URLs of the page lines: those under "open in a browser:", each the word that starts with
/// `base`.
fn page_urls(text: &str, base: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| *l != "open in a browser:")
        .skip(1)
        .map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with(base))
                .unwrap_or_else(|| panic!("a page line without a URL on {base}: {l:?}"))
                .to_owned()
        })
        .collect()
}
