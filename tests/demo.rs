//! The demo, on both backends: the tokens `serve --demo` prints are enough for the README's
//! live-sale tour — the demo buyer has a buyer profile and orders in the host's flash sale.

use serde_json::json;
use silkstream_catalog::auth::Role;
use silkstream_e2e::{backend_tests, order_body, spawn_app, Backend};

backend_tests!(the_demo_buyer_orders_in_the_live_sale);

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
