//! Health, readiness, metrics, the OpenAPI document and graceful shutdown, on both backends.

use reqwest::Method;
use silkstream_e2e::{backend_tests, order_body, sample_product, spawn_app, Backend};

backend_tests!(
    health_and_readiness,
    metrics_count_requests_by_route,
    metrics_count_the_order_desks_batches,
    openapi_describes_every_route,
    shutdown_is_graceful
);

/// `/healthz` and `/livez` say the process is up and `/readyz` that the database answers; with
/// the database out of reach (the server's pool closed: every query fails), `/readyz` says 503
/// `not_ready` while `/livez` (and `/healthz`) still answer 200: they never touch it.
async fn health_and_readiness(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/healthz", "/livez"] {
        let r = app.request(Method::GET, path, None, None).await.expect(200);
        assert_eq!(r.body["status"], "ok", "{path}");
    }
    let r = app
        .request(Method::GET, "/readyz", None, None)
        .await
        .expect(200);
    assert_eq!(r.body["status"], "ready");
    app.db.close().await;
    let r = app
        .request(Method::GET, "/readyz", None, None)
        .await
        .expect(503);
    assert_eq!(r.code(), "not_ready");
    for path in ["/livez", "/healthz"] {
        let r = app.request(Method::GET, path, None, None).await.expect(200);
        assert_eq!(
            r.body["status"], "ok",
            "{path} with the database out of reach"
        );
    }
}

/// `/metrics` counts requests by route template and status, with a latency histogram.
async fn metrics_count_requests_by_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_product(&sample_product()).await["id"]
        .as_i64()
        .expect("id");
    app.get(&format!("/api/v1/products/{id}"), &app.admin)
        .await
        .expect(200);
    app.get("/api/v1/products/999999", &app.admin)
        .await
        .expect(404);
    let text = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .expect(200)
        .text;
    assert!(
        text.contains(r#"silkstream_http_requests_total{method="GET",route="/api/v1/products/{id}",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/products/{id}",status="404"} 1"#),
        "{text}"
    );
    assert!(
        text.contains("silkstream_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(
        !text.contains("/api/v1/products/999999"),
        "raw paths are not labels"
    );
}

/// `/metrics` says what the order desk did: its batches, the orders in them, the
/// attempts decided again, and its time waiting for the session's row and in transactions.
async fn metrics_count_the_order_desks_batches(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(100, true).await;
    app.flash_sale(&live, 50, 20).await;
    let (buyer, _) = app.buyer("Dana", "ru").await;
    assert_eq!(app.metric("silkstream_desk", "count=\"batches\"").await, 0);
    let body = order_body(live.variant_id, 1, "KZT");
    // One at a time: each order is a batch of its own.
    for i in 0..3 {
        app.order(&buyer, live.session_id, &format!("desk-{i}"), &body)
            .await
            .expect(201);
    }
    assert_eq!(app.metric("silkstream_desk", "count=\"batches\"").await, 3);
    assert_eq!(app.metric("silkstream_desk", "count=\"orders\"").await, 3);
    assert_eq!(app.metric("silkstream_desk", "count=\"again\"").await, 0);
    let text = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .expect(200)
        .text;
    let seconds = |spent: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(&format!("silkstream_desk_seconds{{spent=\"{spent}\"}}")))
            .and_then(|l| l.rsplit(' ').next()?.parse().ok())
            .unwrap_or_else(|| panic!("no desk seconds {spent} in {text}"))
    };
    let (waited, busy) = (seconds("lock_wait"), seconds("busy"));
    assert!(
        waited > 0.0 && busy >= waited,
        "lock_wait {waited}, busy {busy}"
    );
}

/// `/openapi.json` lists every route the server answers, with its methods, and the schemas.
async fn openapi_describes_every_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = app
        .request(Method::GET, "/openapi.json", None, None)
        .await
        .expect(200)
        .body;
    let expected = [
        ("/api/v1/products", "get"),
        ("/api/v1/products", "post"),
        ("/api/v1/products/{id}", "get"),
        ("/api/v1/products/{id}", "patch"),
        ("/api/v1/products/{id}/archive", "post"),
        ("/api/v1/products/{id}/restore", "post"),
        ("/api/v1/products/{id}/variants", "post"),
        ("/api/v1/variants/{id}", "get"),
        ("/api/v1/variants/{id}", "patch"),
        ("/api/v1/variants/{id}/archive", "post"),
        ("/api/v1/variants/{id}/prices/{currency}", "put"),
        ("/api/v1/variants/{id}/prices/{currency}", "delete"),
        ("/api/v1/variants/{id}/stock/{warehouse}", "put"),
        ("/api/v1/rates", "get"),
        ("/api/v1/rates", "post"),
        ("/api/v1/rates/{currency}", "get"),
        ("/api/v1/warehouses", "get"),
        ("/api/v1/warehouses", "post"),
        ("/api/v1/warehouses/{code}", "get"),
        ("/api/v1/warehouses/{code}", "patch"),
        ("/api/v1/markets", "get"),
        ("/api/v1/markets/{country}", "get"),
        ("/api/v1/markets/{country}", "put"),
        ("/api/v1/products/{id}/translations", "get"),
        ("/api/v1/products/{id}/translations/{locale}", "get"),
        ("/api/v1/products/{id}/translations/{locale}", "put"),
        ("/api/v1/products/{id}/translations/{locale}", "delete"),
        ("/api/v1/products/{id}/images", "get"),
        ("/api/v1/products/{id}/images", "post"),
        ("/api/v1/products/{id}/images/{image_id}", "patch"),
        ("/api/v1/products/{id}/images/{image_id}", "delete"),
        ("/api/v1/products/{id}/images/order", "put"),
        ("/api/v1/images/{name}", "get"),
        ("/api/v1/tokens", "get"),
        ("/api/v1/tokens", "post"),
        ("/api/v1/tokens/{id}/revoke", "post"),
        ("/api/v1/sessions/{id}/feed", "get"),
        ("/api/v1/feed", "get"),
        ("/healthz", "get"),
        ("/livez", "get"),
        ("/readyz", "get"),
        // The feed (live sessions, flash sales, orders, reports).
        ("/api/v1/buyers", "post"),
        ("/api/v1/buyers/me", "get"),
        ("/api/v1/sessions", "get"),
        ("/api/v1/sessions", "post"),
        ("/api/v1/sessions/{id}", "get"),
        ("/api/v1/sessions/{id}/room", "get"),
        ("/api/v1/sessions/{id}/showcase", "post"),
        ("/api/v1/sessions/{id}/start", "post"),
        ("/api/v1/sessions/{id}/pin", "post"),
        ("/api/v1/sessions/{id}/unpin", "post"),
        ("/api/v1/sessions/{id}/stream", "put"),
        ("/api/v1/sessions/{id}/stream", "delete"),
        // The live room's chat (docs/live-room.md).
        ("/api/v1/sessions/{id}/chat", "post"),
        ("/api/v1/sessions/{id}/chat", "get"),
        ("/api/v1/sessions/{id}/chat/{message_id}", "delete"),
        ("/api/v1/sessions/{id}/chat/{message_id}/release", "post"),
        ("/api/v1/sessions/{id}/chat/mutes/{buyer_id}", "put"),
        ("/api/v1/sessions/{id}/chat/mutes/{buyer_id}", "delete"),
        ("/api/v1/sessions/{id}/chat/slow-mode", "put"),
        ("/api/v1/sessions/{id}/chat/keywords", "put"),
        ("/api/v1/buyers/me/ship-to", "put"),
        ("/api/v1/sessions/{id}/end", "post"),
        ("/api/v1/customs/waybills/{order_id}", "put"),
        ("/api/v1/customs/precheck", "get"),
        ("/api/v1/customs/batches", "post"),
        ("/api/v1/customs/batches", "get"),
        ("/api/v1/customs/batches/{id}", "get"),
        ("/api/v1/customs/batches/{id}/declare", "post"),
        ("/api/v1/customs/declarations/{order_id}/receipt", "post"),
        ("/api/v1/customs/declarations/{order_id}/message", "get"),
        ("/api/v1/customs/withdrawals", "get"),
        ("/api/v1/customs/orders-by-mode", "get"),
        ("/api/v1/mutual-trade/residents", "post"),
        ("/api/v1/mutual-trade/residents", "get"),
        ("/api/v1/mutual-trade/lots", "post"),
        ("/api/v1/mutual-trade/lots", "get"),
        (
            "/api/v1/mutual-trade/lots/{id}/products/{product_id}",
            "put",
        ),
        ("/api/v1/mutual-trade/allowance", "get"),
        ("/api/v1/sessions/{id}/events", "get"),
        ("/api/v1/sessions/{id}/flash-sales", "post"),
        ("/api/v1/sessions/{id}/orders", "post"),
        ("/api/v1/flash-sales/{id}", "get"),
        ("/api/v1/flash-sales/{id}/pause", "post"),
        ("/api/v1/flash-sales/{id}/resume", "post"),
        ("/api/v1/flash-sales/{id}/restock", "post"),
        ("/api/v1/orders", "get"),
        ("/api/v1/orders/export", "get"),
        ("/api/v1/orders/{id}", "get"),
        ("/api/v1/orders/{id}/pay", "post"),
        ("/api/v1/orders/{id}/cancel", "post"),
        ("/api/v1/orders/{id}/refund", "post"),
        ("/api/v1/orders/{id}/ship", "post"),
        ("/api/v1/orders/{id}/deliver", "post"),
        ("/api/v1/reports/sales", "get"),
        // Payments.
        ("/api/v1/payments/{provider}/callback", "post"),
        ("/api/v1/payments/sandbox/{id}/complete", "post"),
        ("/api/v1/payments/sandbox/{id}/fail", "post"),
        ("/api/v1/payments/refunds", "get"),
        // Cross-border rules: landed-cost quotes and the claims filter.
        ("/api/v1/landed-cost/rules", "get"),
        ("/api/v1/landed-cost/rules/{id}", "get"),
        ("/api/v1/landed-cost/rules/{id}", "put"),
        ("/api/v1/variants/{id}/landed-cost", "get"),
        ("/api/v1/claims/terms", "get"),
        ("/api/v1/claims/evidence", "get"),
        ("/api/v1/claims/evidence/export", "get"),
        // The qualification gate (docs/cross-border.md).
        ("/api/v1/merchants", "get"),
        ("/api/v1/merchants", "post"),
        ("/api/v1/merchants/{id}", "get"),
        ("/api/v1/merchants/{id}", "patch"),
        ("/api/v1/merchants/{id}/credentials", "post"),
        ("/api/v1/credentials/{id}/revoke", "post"),
        ("/api/v1/credentials/expiring", "get"),
        ("/api/v1/regulated-categories", "get"),
        // The category tree.
        ("/api/v1/categories", "get"),
        ("/api/v1/categories", "post"),
        ("/api/v1/categories/{code}", "get"),
        ("/api/v1/categories/{code}", "patch"),
        ("/api/v1/categories/{code}", "delete"),
        ("/api/v1/hosts/me/profile", "get"),
        ("/api/v1/hosts/me/profile", "put"),
        ("/api/v1/hosts/{id}/profile", "get"),
        ("/api/v1/hosts/{id}/verify", "post"),
        ("/api/v1/hosts/{id}/guardian-consent", "post"),
    ];
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is described"
        );
        // And the server really answers it (anything but a routing 404/405).
        let concrete = path
            .replace("{id}", "1")
            .replace("{provider}", "sandbox")
            .replace("{currency}", "KZT")
            .replace("{warehouse}", "X")
            .replace("{code}", "X")
            .replace("{country}", "KZ")
            .replace("{locale}", "kk")
            .replace("{order_id}", "1")
            .replace("{product_id}", "1")
            .replace("{image_id}", "1");
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let r = app
            .request(m, &concrete, Some(&app.admin), Some(&serde_json::json!({})))
            .await;
        assert_ne!(r.status.as_u16(), 405, "{method} {path} is routed");
        assert!(
            r.code() != "not_found"
                || r.text.contains("not found") && !r.text.contains("no such route"),
            "{method} {path} is routed: {}",
            r.text
        );
    }
    let documented: usize = paths
        .values()
        .map(|p| p.as_object().map_or(0, |o| o.len()))
        .sum();
    assert_eq!(
        documented,
        expected.len(),
        "no route is described that the test does not know"
    );
    for schema in [
        "Product",
        "NewProduct",
        "Variant",
        "Market",
        "ErrorBody",
        "Translation",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "schema {schema}"
        );
    }
}

/// A shutdown lets the server finish and stop; afterwards it no longer answers.
async fn shutdown_is_graceful(backend: Backend) {
    let mut app = spawn_app(backend).await;
    app.get("/api/v1/products", &app.admin).await.expect(200);
    let base = app.base.clone();
    app.stop().await;
    assert!(reqwest::get(format!("{base}/healthz")).await.is_err());
}

/// On PostgreSQL: a shutdown that begins while a flash-sale order and a regular order wait on
/// their session's lock (held by another connection) lets both finish: each buyer gets 201, and
/// both orders are in the database; then the server stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_orders_in_flight() {
    use sqlx::Connection;
    use std::time::Duration;
    let Some(backend) = Backend::postgres_or_skip("shutdown_finishes_orders_in_flight").await
    else {
        return;
    };
    let mut app = spawn_app(backend).await;
    let live = app.live_session(100, true).await;
    let strip = app.stock_second_variant(&live, 10).await;
    app.put(
        &format!("/api/v1/variants/{strip}/prices/KZT"),
        &app.admin,
        &serde_json::json!({"amount_minor": 500000}),
    )
    .await
    .expect(200);
    app.flash_sale(&live, 10, 5).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;

    // Hold the session's lock from another connection.
    let mut holder = sqlx::PgConnection::connect(&app.test_db.url)
        .await
        .expect("connect");
    sqlx::query("BEGIN")
        .execute(&mut holder)
        .await
        .expect("begin");
    sqlx::query("UPDATE sessions SET next_seq = next_seq WHERE id = $1")
        .bind(live.session_id)
        .execute(&mut holder)
        .await
        .expect("lock the session");

    let mut orders = Vec::new();
    for (key, variant) in [("sale", live.variant_id), ("regular", strip)] {
        let (client, base, token) = (app.client.clone(), app.base.clone(), buyer.clone());
        let session = live.session_id;
        orders.push(tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/sessions/{session}/orders"))
                .bearer_auth(token)
                .header("idempotency-key", key)
                .json(&silkstream_e2e::order_body(variant, 1, "KZT"))
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    // Both orders are in flight: their transactions wait on the lock.
    let app_ref = &app;
    silkstream_e2e::eventually(
        Duration::from_secs(10),
        "two orders wait on the lock",
        || async move {
            app_ref
                .scalar(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND wait_event_type = 'Lock'",
                )
                .await
                == 2
        },
    )
    .await;

    // Shut down, then let the orders through: both finish before the server stops.
    let release = async {
        sqlx::query("COMMIT")
            .execute(&mut holder)
            .await
            .expect("commit");
    };
    tokio::join!(app.stop(), release);
    for order in orders {
        let status = order
            .await
            .expect("order task")
            .expect("an answer, not a reset");
        assert_eq!(status, 201, "an order in flight at shutdown was confirmed");
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders WHERE status = 'confirmed'")
        .fetch_one(&mut holder)
        .await
        .expect("count orders");
    assert_eq!(n, 2, "both orders are in the database");
}
