//! Bad input on both backends: every case gets a clear 4xx in the error envelope, and no table
//! changes. The same cases are listed in docs/bad-input.md with the status each gets.

use reqwest::Method;
use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, sample_product, spawn_app, Backend, TestApp};

backend_tests!(
    bad_input_is_refused_and_changes_nothing,
    unknown_routes_and_methods
);

/// One refused request.
struct Case {
    what: &'static str,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
}

fn json_case(
    what: &'static str,
    method: Method,
    path: &str,
    body: Value,
    status: u16,
    code: &'static str,
) -> Case {
    Case {
        what,
        method,
        path: path.to_owned(),
        content_type: Some("application/json"),
        body: serde_json::to_vec(&body).expect("serialize"),
        status,
        code,
    }
}

fn product_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut p = sample_product();
    edit(&mut p);
    p
}

fn cases(pid: i64, vid: i64) -> Vec<Case> {
    let products = "/api/v1/products";
    let post = Method::POST;
    let mut c = vec![
        Case {
            what: "malformed JSON",
            method: post.clone(),
            path: products.into(),
            content_type: Some("application/json"),
            body: b"{\"merchant\": ".to_vec(),
            status: 400,
            code: "malformed_json",
        },
        Case {
            what: "JSON without a JSON content type",
            method: post.clone(),
            path: products.into(),
            content_type: Some("text/plain"),
            body: serde_json::to_vec(&sample_product()).expect("json"),
            status: 415,
            code: "unsupported_media_type",
        },
        Case {
            what: "body over the 64 KiB limit",
            method: post.clone(),
            path: products.into(),
            content_type: Some("application/json"),
            body: serde_json::to_vec(&product_with(|p| {
                p["description"] = json!("x".repeat(70_000))
            }))
            .expect("json"),
            status: 413,
            code: "too_large",
        },
        json_case(
            "unknown field",
            post.clone(),
            products,
            product_with(|p| p["colour"] = json!("red")),
            422,
            "invalid",
        ),
        json_case(
            "missing required field",
            post.clone(),
            products,
            product_with(|p| {
                p.as_object_mut().expect("object").remove("title");
            }),
            422,
            "invalid",
        ),
        json_case(
            "wrong type",
            post.clone(),
            products,
            product_with(|p| p["weight_g"] = json!("heavy")),
            422,
            "invalid",
        ),
        json_case(
            "negative weight",
            post.clone(),
            products,
            product_with(|p| p["weight_g"] = json!(-5)),
            422,
            "invalid",
        ),
        json_case(
            "absurd weight",
            post.clone(),
            products,
            product_with(|p| p["weight_g"] = json!(1_000_000_000_000_i64)),
            422,
            "invalid",
        ),
        Case {
            what: "number beyond 64 bits",
            method: post.clone(),
            path: products.into(),
            content_type: Some("application/json"),
            body: serde_json::to_string(&sample_product())
                .expect("json")
                .replace("629900", "99999999999999999999999")
                .into_bytes(),
            status: 422,
            code: "invalid",
        },
        json_case(
            "negative price",
            post.clone(),
            products,
            product_with(|p| p["variants"][0]["prices"]["KZT"] = json!(-100)),
            422,
            "invalid",
        ),
        json_case(
            "zero price",
            post.clone(),
            products,
            product_with(|p| p["variants"][0]["prices"]["KZT"] = json!(0)),
            422,
            "invalid",
        ),
        json_case(
            "absurd price",
            post.clone(),
            products,
            product_with(|p| p["variants"][0]["prices"]["KZT"] = json!(1_000_000_000_000_000_i64)),
            422,
            "invalid",
        ),
        json_case(
            "fractional units in a currency shown whole (IDR)",
            post.clone(),
            products,
            product_with(|p| p["variants"][0]["prices"]["IDR"] = json!(2_099_050)),
            422,
            "invalid",
        ),
        json_case(
            "unknown currency code",
            post.clone(),
            products,
            product_with(|p| p["variants"][0]["prices"]["XYZ"] = json!(100)),
            422,
            "invalid",
        ),
        json_case(
            "lowercase currency code",
            post.clone(),
            products,
            product_with(|p| p["variants"][0]["prices"]["kzt"] = json!(100)),
            422,
            "invalid",
        ),
        json_case(
            "unknown country code",
            post.clone(),
            products,
            product_with(|p| p["origin_country"] = json!("QQ")),
            422,
            "invalid",
        ),
        json_case(
            "unknown customs mode",
            post.clone(),
            products,
            product_with(|p| p["customs_mode"] = json!("1234")),
            422,
            "invalid",
        ),
        json_case(
            "unsupported locale",
            post.clone(),
            products,
            product_with(|p| p["source_locale"] = json!("xx")),
            422,
            "invalid",
        ),
        json_case(
            "over-long title",
            post.clone(),
            products,
            product_with(|p| p["title"] = json!("Я".repeat(201))),
            422,
            "invalid",
        ),
        json_case(
            "empty title",
            post.clone(),
            products,
            product_with(|p| p["title"] = json!("   ")),
            422,
            "invalid",
        ),
        json_case(
            "control characters",
            post.clone(),
            products,
            product_with(|p| p["merchant"] = json!("a\u{0007}b")),
            422,
            "invalid",
        ),
        json_case(
            "bad HS code",
            post.clone(),
            products,
            product_with(|p| p["hs_code"] = json!("12ab")),
            422,
            "invalid",
        ),
        json_case(
            "bad category slug",
            post.clone(),
            products,
            product_with(|p| p["category"] = json!("Food Meat")),
            422,
            "invalid",
        ),
        json_case(
            "category outside the tree",
            post.clone(),
            products,
            product_with(|p| p["category"] = json!("cosmetics.skincare")),
            422,
            "invalid",
        ),
        json_case(
            "barcode with a wrong check digit",
            post.clone(),
            products,
            product_with(|p| p["variants"][0]["barcode"] = json!("4006381333932")),
            422,
            "invalid",
        ),
        json_case(
            "bad SKU",
            post.clone(),
            products,
            product_with(|p| p["variants"][0]["sku"] = json!("beef 1kg")),
            422,
            "invalid",
        ),
        json_case(
            "duplicate SKU in one request",
            post.clone(),
            products,
            product_with(|p| p["variants"][1]["sku"] = json!("BEEF-BRISKET-1KG")),
            422,
            "invalid",
        ),
        json_case(
            "SKU that exists already",
            post.clone(),
            products,
            product_with(|p| p["variants"] = json!([{"sku": "EXISTING-SKU"}])),
            409,
            "conflict",
        ),
        json_case(
            "absurd attribute number",
            post.clone(),
            products,
            product_with(|p| p["attributes"]["shelf_life_days"] = json!(10_000_000)),
            422,
            "invalid",
        ),
        json_case(
            "unknown attribute",
            post.clone(),
            products,
            product_with(|p| p["attributes"]["colour"] = json!("red")),
            422,
            "invalid",
        ),
        json_case(
            "patch with a wrong type",
            Method::PATCH,
            &format!("/api/v1/products/{pid}"),
            json!({"title": 5}),
            422,
            "invalid",
        ),
        json_case(
            "patch of an unknown product",
            Method::PATCH,
            "/api/v1/products/999999",
            json!({"title": "x"}),
            404,
            "not_found",
        ),
        json_case(
            "price of an unknown variant",
            Method::PUT,
            "/api/v1/variants/999999/prices/KZT",
            json!({"amount_minor": 100}),
            404,
            "not_found",
        ),
        json_case(
            "price in an unknown currency",
            Method::PUT,
            &format!("/api/v1/variants/{vid}/prices/ABC"),
            json!({"amount_minor": 100}),
            422,
            "invalid",
        ),
        json_case(
            "negative stock",
            Method::PUT,
            &format!("/api/v1/variants/{vid}/stock/KHG-1"),
            json!({"available": -1}),
            422,
            "invalid",
        ),
        json_case(
            "absurd stock",
            Method::PUT,
            &format!("/api/v1/variants/{vid}/stock/KHG-1"),
            json!({"available": 10_000_000_000_i64}),
            422,
            "invalid",
        ),
        json_case(
            "stock in an unknown warehouse",
            Method::PUT,
            &format!("/api/v1/variants/{vid}/stock/NOWHERE"),
            json!({"available": 1}),
            404,
            "not_found",
        ),
        json_case(
            "rate that is not a number",
            post.clone(),
            "/api/v1/rates",
            json!({"currency": "KZT", "rate": "abc"}),
            422,
            "invalid",
        ),
        json_case(
            "negative rate",
            post.clone(),
            "/api/v1/rates",
            json!({"currency": "KZT", "rate": "-0.01"}),
            422,
            "invalid",
        ),
        json_case(
            "rate given as a float",
            post.clone(),
            "/api/v1/rates",
            json!({"currency": "KZT", "rate": 0.0142}),
            422,
            "invalid",
        ),
        json_case(
            "rate for CNY itself",
            post.clone(),
            "/api/v1/rates",
            json!({"currency": "CNY", "rate": "1"}),
            422,
            "invalid",
        ),
        json_case(
            "impossible date",
            post.clone(),
            "/api/v1/rates",
            json!({"currency": "KZT", "rate": "0.01", "valid_from": "2026-02-30"}),
            422,
            "invalid",
        ),
        json_case(
            "warehouse kind unknown",
            post.clone(),
            "/api/v1/warehouses",
            json!({"code": "X-1", "name": "X", "country": "CN", "kind": "cave"}),
            422,
            "invalid",
        ),
        json_case(
            "warehouse code exists",
            post.clone(),
            "/api/v1/warehouses",
            json!({"code": "KHG-1", "name": "X", "country": "CN", "kind": "border"}),
            409,
            "conflict",
        ),
        json_case(
            "market with an unknown warehouse",
            Method::PUT,
            "/api/v1/markets/KG",
            json!({"name": "Kyrgyzstan", "currencies": ["KGS"], "locales": ["ky"], "warehouses": ["NOWHERE"]}),
            422,
            "invalid",
        ),
        json_case(
            "market without currencies",
            Method::PUT,
            "/api/v1/markets/KG",
            json!({"name": "Kyrgyzstan", "currencies": [], "locales": ["ky"]}),
            422,
            "invalid",
        ),
        json_case(
            "market for an unknown country",
            Method::PUT,
            "/api/v1/markets/ZZ",
            json!({"name": "Nowhere", "currencies": ["USD"], "locales": ["en"]}),
            422,
            "invalid",
        ),
        json_case(
            "translation into an unsupported locale",
            Method::PUT,
            &format!("/api/v1/products/{pid}/translations/xx"),
            json!({"title": "x", "description": "y"}),
            422,
            "invalid",
        ),
        json_case(
            "translation of an unknown product",
            Method::PUT,
            "/api/v1/products/999999/translations/kk",
            json!({"title": "x", "description": "y"}),
            404,
            "not_found",
        ),
        json_case(
            "token with an unknown role",
            post.clone(),
            "/api/v1/tokens",
            json!({"name": "x", "role": "root"}),
            422,
            "invalid",
        ),
        json_case(
            "token with an absurd expiry",
            post.clone(),
            "/api/v1/tokens",
            json!({"name": "x", "role": "host", "expires_in_days": 1_000_000}),
            422,
            "invalid",
        ),
    ];
    for (what, path, status, code) in [
        (
            "unknown product id",
            "/api/v1/products/999999".to_owned(),
            404,
            "not_found",
        ),
        (
            "non-numeric product id",
            "/api/v1/products/abc".to_owned(),
            404,
            "not_found",
        ),
        (
            "id beyond 64 bits",
            "/api/v1/products/99999999999999999999999".to_owned(),
            404,
            "not_found",
        ),
        (
            "page size over 100",
            "/api/v1/products?per_page=1000".to_owned(),
            422,
            "invalid",
        ),
        (
            "page that is not a number",
            "/api/v1/products?page=abc".to_owned(),
            422,
            "invalid",
        ),
        (
            "unknown query parameter",
            "/api/v1/products?colour=red".to_owned(),
            422,
            "invalid",
        ),
        (
            "unknown currency in ?currency=",
            format!("/api/v1/products/{pid}?currency=XYZ"),
            422,
            "invalid",
        ),
        (
            "unknown market filter",
            "/api/v1/products?market=QQ".to_owned(),
            422,
            "invalid",
        ),
        (
            "bad date in ?on=",
            "/api/v1/rates?on=yesterday".to_owned(),
            422,
            "invalid",
        ),
    ] {
        c.push(Case {
            what,
            method: Method::GET,
            path,
            content_type: None,
            body: Vec::new(),
            status,
            code,
        });
    }
    c
}

async fn setup(app: &TestApp) -> (i64, i64) {
    app.seed_basics().await;
    let p = app.create_product(&sample_product()).await;
    app.create_product(&product_with(|p| {
        p["variants"] = json!([{"sku": "EXISTING-SKU"}])
    }))
    .await;
    (
        p["id"].as_i64().expect("id"),
        p["variants"][0]["id"].as_i64().expect("variant id"),
    )
}

/// Each bad request gets its documented status and code in the envelope, and no row anywhere
/// changes.
async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (pid, vid) = setup(&app).await;
    let before = app.table_counts().await;
    let product_before = app
        .get(&format!("/api/v1/products/{pid}"), &app.admin)
        .await
        .expect(200)
        .body;
    let mut failures = Vec::new();
    for case in cases(pid, vid) {
        let reply = app
            .raw(
                case.method.clone(),
                &case.path,
                case.content_type,
                case.body,
            )
            .await;
        let message_ok = reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty());
        if reply.status.as_u16() != case.status || reply.code() != case.code || !message_ok {
            failures.push(format!(
                "{} ({} {}): expected {} {}, got {} {}",
                case.what, case.method, case.path, case.status, case.code, reply.status, reply.text
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        app.table_counts().await,
        before,
        "a refused request changed a table"
    );
    let product_after = app
        .get(&format!("/api/v1/products/{pid}"), &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(product_before, product_after);
}

/// Unknown routes are a JSON 404 and wrong methods a JSON 405.
async fn unknown_routes_and_methods(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app
        .get("/api/v1/nothing-here", &app.admin)
        .await
        .expect(404);
    assert_eq!(r.code(), "not_found");
    let r = app
        .request(Method::DELETE, "/api/v1/products", Some(&app.admin), None)
        .await
        .expect(405);
    assert_eq!(r.code(), "method_not_allowed");
}
