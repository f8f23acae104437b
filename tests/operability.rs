//! Health, readiness, metrics, the OpenAPI document and graceful shutdown, on both backends.

use reqwest::Method;
use silkstream_e2e::{backend_tests, sample_product, spawn_app, Backend};

backend_tests!(
    health_and_readiness,
    metrics_count_requests_by_route,
    openapi_describes_every_route,
    shutdown_is_graceful
);

/// `/healthz` says the process is up and `/readyz` that the database answers.
async fn health_and_readiness(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .request(Method::GET, "/healthz", None, None)
        .await
        .expect(200);
    assert_eq!(r.body["status"], "ok");
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
        ("/api/v1/tokens", "get"),
        ("/api/v1/tokens", "post"),
        ("/api/v1/tokens/{id}/revoke", "post"),
        ("/api/v1/sessions/{id}/feed", "get"),
        ("/api/v1/feed", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        // The feed (live sessions, flash sales, orders, reports).
        ("/api/v1/buyers", "post"),
        ("/api/v1/buyers/me", "get"),
        ("/api/v1/sessions", "post"),
        ("/api/v1/sessions/{id}", "get"),
        ("/api/v1/sessions/{id}/showcase", "post"),
        ("/api/v1/sessions/{id}/start", "post"),
        ("/api/v1/sessions/{id}/pin", "post"),
        ("/api/v1/sessions/{id}/unpin", "post"),
        ("/api/v1/sessions/{id}/end", "post"),
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
        ("/api/v1/orders/{id}/ship", "post"),
        ("/api/v1/orders/{id}/deliver", "post"),
        ("/api/v1/reports/sales", "get"),
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
            .replace("{currency}", "KZT")
            .replace("{warehouse}", "X")
            .replace("{code}", "X")
            .replace("{country}", "KZ")
            .replace("{locale}", "kk");
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
