//! The catalog over HTTP on both backends: create, read, update, archive, lists and filters,
//! prices in other currencies (set, converted, or null with the reason), translations and their
//! outdated flag, warehouses, stock, markets, rates, the demo catalog, and persistence across a
//! restart.

use serde_json::json;
use silkstream_e2e::{backend_tests, sample_product, spawn_app, Backend};

backend_tests!(
    product_round_trip,
    price_in_another_currency,
    translations_track_their_source,
    patch_and_archive,
    list_filters_and_pages,
    markets_warehouses_and_stock,
    rates_are_dated,
    demo_catalog_loads_once,
    data_survives_a_restart,
    constraint_violations_say_which_constraint,
);

/// A broken constraint is answered for what it is, on both backends: a variant for a product
/// that does not exist (the insert's foreign key) is the product's 404, not "SKU already
/// exists"; a taken SKU or warehouse code is a 409 naming it; nothing is written.
async fn constraint_violations_say_which_constraint(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_product(&sample_product()).await;
    let id = created["id"].as_i64().expect("id");
    let missing = app
        .post(
            "/api/v1/products/999999/variants",
            &app.admin,
            &json!({"sku": "NEW-SKU-1", "options": {}}),
        )
        .await
        .expect(404)
        .body;
    assert_eq!(missing["error"]["code"], "not_found", "{missing}");
    assert!(
        missing["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("product 999999")),
        "{missing}"
    );
    // The SKU was not taken by the refused insert.
    app.post(
        &format!("/api/v1/products/{id}/variants"),
        &app.admin,
        &json!({"sku": "NEW-SKU-1", "options": {}}),
    )
    .await
    .expect(201);
    let taken = app
        .post(
            &format!("/api/v1/products/{id}/variants"),
            &app.admin,
            &json!({"sku": "BEEF-BRISKET-1KG", "options": {}}),
        )
        .await
        .expect(409)
        .body;
    assert_eq!(taken["error"]["code"], "conflict", "{taken}");
    assert!(
        taken["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("SKU BEEF-BRISKET-1KG already exists")),
        "{taken}"
    );
    let warehouse = json!({"code": "ALA-9", "name": "Almaty", "country": "KZ", "kind": "overseas"});
    app.post("/api/v1/warehouses", &app.admin, &warehouse)
        .await
        .expect(201);
    let twice = app
        .post("/api/v1/warehouses", &app.admin, &warehouse)
        .await
        .expect(409)
        .body;
    assert!(
        twice["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("warehouse ALA-9 already exists")),
        "{twice}"
    );
}

/// A product created with variants and prices reads back with every field.
async fn product_round_trip(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_product(&sample_product()).await;
    let id = created["id"].as_i64().expect("id");
    let read = app
        .get(&format!("/api/v1/products/{id}"), &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(read["title"], "Говядина замороженная, грудинка 1 кг");
    assert_eq!(read["customs_mode"], "1210");
    assert_eq!(read["origin_country"], "BY");
    assert_eq!(read["attributes"]["net_weight_g"], 1000);
    assert_eq!(read["variants"].as_array().expect("variants").len(), 2);
    let brisket = &read["variants"][0];
    assert_eq!(brisket["sku"], "BEEF-BRISKET-1KG");
    assert_eq!(brisket["options"]["cut"], "brisket");
    assert_eq!(brisket["barcode"], "4006381333931");
    assert!(brisket["prices"]
        .as_array()
        .expect("prices")
        .contains(&json!({"currency": "KZT", "amount_minor": 629900})));

    // A variant added later, then its price set and removed.
    let v = app
        .post(
            &format!("/api/v1/products/{id}/variants"),
            &app.admin,
            &json!({"sku": "BEEF-RIB-1KG", "options": {"cut": "rib"}}),
        )
        .await
        .expect(201)
        .body;
    let vid = v["id"].as_i64().expect("variant id");
    let v = app
        .put(
            &format!("/api/v1/variants/{vid}/prices/VND"),
            &app.admin,
            &json!({"amount_minor": 329900}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        v["prices"],
        json!([{"currency": "VND", "amount_minor": 329900}])
    );
    let v = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/variants/{vid}/prices/VND"),
            Some(&app.admin),
            None,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(v["prices"], json!([]));
}

/// `?currency=` gives the set price, else a converted one marked `converted`, else null with the
/// reason — never an error.
async fn price_in_another_currency(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    let id = app.create_product(&sample_product()).await["id"]
        .as_i64()
        .expect("id");
    let buyer = app.token("buyer").await;

    let p = app
        .get(&format!("/api/v1/products/{id}?currency=KZT"), &buyer)
        .await
        .expect(200)
        .body;
    // Set price.
    assert_eq!(
        p["variants"][0]["price"],
        json!({"currency": "KZT", "amount_minor": 629900, "converted": false, "formatted": "KZT6,299.00"})
    );
    // Converted from 129.00 CNY at 0.0142 CNY/KZT = 9084.51 KZT.
    assert_eq!(p["variants"][1]["price"]["amount_minor"], 908451);
    assert_eq!(p["variants"][1]["price"]["converted"], true);
    assert_eq!(
        p["variants"][1]["price"]["converted_from"],
        json!({"currency": "CNY", "amount_minor": 12900})
    );

    // No THB rate: null with a reason.
    let p = app
        .get(&format!("/api/v1/products/{id}?currency=THB"), &buyer)
        .await
        .expect(200)
        .body;
    assert_eq!(p["variants"][1]["price"], serde_json::Value::Null);
    assert_eq!(p["variants"][1]["price_unavailable"]["code"], "no_rate");

    // A variant without any price.
    let vid = app
        .post(
            &format!("/api/v1/products/{id}/variants"),
            &app.admin,
            &json!({"sku": "NO-PRICE"}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("id");
    let v = app
        .get(&format!("/api/v1/variants/{vid}?currency=KZT"), &buyer)
        .await
        .expect(200)
        .body;
    assert_eq!(v["price"], serde_json::Value::Null);
    assert_eq!(v["price_unavailable"]["code"], "no_price");

    // An unknown currency is a clear 422, not a null price.
    let r = app
        .get(&format!("/api/v1/products/{id}?currency=XYZ"), &buyer)
        .await
        .expect(422);
    assert_eq!(r.code(), "invalid");
}

/// A translation is stored with the digest of its source; changing the source marks it
/// outdated, and translating again clears the flag.
async fn translations_track_their_source(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_product(&sample_product()).await["id"]
        .as_i64()
        .expect("id");
    let path = format!("/api/v1/products/{id}/translations/kk");
    let t = app
        .put(&path, &app.admin, &json!({"title": "Мұздатылған сиыр еті, 1 кг", "description": "Брест облысының сиыр еті.", "attributes": {"storage": "−18 °C-та сақтаңыз"}}))
        .await
        .expect(200)
        .body;
    assert_eq!(t["outdated"], false);
    assert_eq!(t["locale"], "kk");

    // A change outside the source text: still current.
    app.patch(
        &format!("/api/v1/products/{id}"),
        &app.admin,
        &json!({"weight_g": 1100}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(&path, &app.admin).await.expect(200).body["outdated"],
        false
    );

    // The source text changes: outdated, in the translation and in the product's summary.
    app.patch(
        &format!("/api/v1/products/{id}"),
        &app.admin,
        &json!({"title": "Говядина замороженная, грудинка 1,2 кг"}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(&path, &app.admin).await.expect(200).body["outdated"],
        true
    );
    let p = app
        .get(&format!("/api/v1/products/{id}"), &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(
        p["translations"],
        json!([{"locale": "kk", "outdated": true}])
    );

    // Translated again: current.
    app.put(&path, &app.admin, &json!({"title": "Мұздатылған сиыр еті, 1,2 кг", "description": "Брест облысының сиыр еті."}))
        .await
        .expect(200);
    assert_eq!(
        app.get(&path, &app.admin).await.expect(200).body["outdated"],
        false
    );

    // The source language itself is not a translation; an alias tag is normalised.
    app.put(
        &format!("/api/v1/products/{id}/translations/ru"),
        &app.admin,
        &json!({"title": "x", "description": "y"}),
    )
    .await
    .expect(422);
    let zh = app
        .put(
            &format!("/api/v1/products/{id}/translations/zh-Hans"),
            &app.admin,
            &json!({"title": "冷冻牛肉", "description": "白俄罗斯牛肉"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(zh["locale"], "zh-CN");
    let list = app
        .get(&format!("/api/v1/products/{id}/translations"), &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(list.as_array().expect("list").len(), 2);
    app.request(reqwest::Method::DELETE, &path, Some(&app.admin), None)
        .await
        .expect(204);
    app.get(&path, &app.admin).await.expect(404);
}

/// PATCH changes only the fields given (null clears the customs mode); archiving hides a
/// product from lists but keeps it readable; restoring brings it back.
async fn patch_and_archive(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_product(&sample_product()).await["id"]
        .as_i64()
        .expect("id");
    let p = app
        .patch(
            &format!("/api/v1/products/{id}"),
            &app.admin,
            &json!({"customs_mode": null, "category": "food.frozen"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(p["customs_mode"], serde_json::Value::Null);
    assert_eq!(p["category"], "food.frozen");
    assert_eq!(p["merchant"], "Brest Meat Export LLC");

    let vid = p["variants"][0]["id"].as_i64().expect("variant id");
    let v = app
        .patch(
            &format!("/api/v1/variants/{vid}"),
            &app.admin,
            &json!({"barcode": null, "options": {"cut": "brisket", "grade": "A"}}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(v["barcode"], serde_json::Value::Null);
    assert_eq!(v["options"]["grade"], "A");
    app.post(
        &format!("/api/v1/variants/{vid}/archive"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get(&format!("/api/v1/variants/{vid}"), &app.admin)
            .await
            .expect(200)
            .body["archived"],
        true
    );

    app.post(
        &format!("/api/v1/products/{id}/archive"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    let list = app
        .get("/api/v1/products", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(list["total"], 0);
    let with_archived = app
        .get("/api/v1/products?archived=true", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(with_archived["total"], 1);
    assert_eq!(
        app.get(&format!("/api/v1/products/{id}"), &app.admin)
            .await
            .expect(200)
            .body["archived"],
        true
    );
    app.post(
        &format!("/api/v1/products/{id}/restore"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    assert_eq!(
        app.get("/api/v1/products", &app.admin)
            .await
            .expect(200)
            .body["total"],
        1
    );
}

/// Lists page through results and filter by category (and sub-categories), by title text in any
/// stored language, case-insensitively, and by market (stock in a warehouse serving it).
async fn list_filters_and_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    for i in 0..23 {
        let mut body = sample_product();
        body["title"] = json!(format!("Товар номер {i}"));
        body["category"] = json!(if i % 2 == 0 { "food.meat" } else { "apparel" });
        body["variants"] = json!([{"sku": format!("SKU-{i}"), "prices": {"CNY": 100 + i}}]);
        app.create_product(&body).await;
    }
    let p1 = app
        .get("/api/v1/products?per_page=10", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(p1["total"], 23);
    assert_eq!(p1["items"].as_array().expect("items").len(), 10);
    let p3 = app
        .get("/api/v1/products?per_page=10&page=3", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(p3["items"].as_array().expect("items").len(), 3);
    let ids: Vec<i64> = [&p1, &p3]
        .iter()
        .flat_map(|p| {
            p["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].as_i64().expect("id"))
        })
        .collect();
    let mut dedup = ids.clone();
    dedup.dedup();
    assert_eq!(ids, dedup, "pages do not overlap");

    let food = app
        .get("/api/v1/products?category=food&per_page=100", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(food["total"], 12);
    let exact = app
        .get("/api/v1/products?category=food.meat", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(exact["total"], 12);
    let none = app
        .get("/api/v1/products?category=foo", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(none["total"], 0);

    // Cyrillic, upper case, with a LIKE wildcard that must be taken literally.
    let q = app.get("/api/v1/products?q=%D0%A2%D0%9E%D0%92%D0%90%D0%A0%20%D0%BD%D0%BE%D0%BC%D0%B5%D1%80%201", &app.admin).await.expect(200).body;
    // "ТОВАР номер 1" matches 1 and 10..19.
    assert_eq!(q["total"], 11);
    let wild = app
        .get("/api/v1/products?q=%25", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(wild["total"], 0);

    // A translated title is searchable too.
    let first = p1["items"][0]["id"].as_i64().expect("id");
    app.put(
        &format!("/api/v1/products/{first}/translations/en"),
        &app.admin,
        &json!({"title": "Frozen beef", "description": "Beef."}),
    )
    .await
    .expect(200);
    let en = app
        .get("/api/v1/products?q=frozen%20BEEF", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(en["total"], 1);

    // A variant's SKU finds its product (any case); `_` in the query is taken literally.
    let sku = app
        .get("/api/v1/products?q=sku-17", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(sku["total"], 1, "{sku}");
    assert_eq!(sku["items"][0]["variants"][0]["sku"], "SKU-17");
    let literal = app
        .get("/api/v1/products?q=sku_1", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(literal["total"], 0);

    // Market: only products with stock in a warehouse serving KZ.
    let kz = app
        .get("/api/v1/products?market=KZ", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(kz["total"], 0);
    let vid = p1["items"][1]["variants"][0]["id"]
        .as_i64()
        .expect("variant id");
    app.put(
        &format!("/api/v1/variants/{vid}/stock/KHG-1"),
        &app.admin,
        &json!({"available": 5}),
    )
    .await
    .expect(200);
    let kz = app
        .get("/api/v1/products?market=KZ&currency=KZT", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(kz["total"], 1);
    assert_eq!(kz["items"][0]["variants"][0]["price"]["converted"], true);
    let vn = app
        .get("/api/v1/products?market=VN", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(vn["total"], 0);
}

/// Warehouses, stock per variant per warehouse, and markets whose first currency is the default
/// and whose warehouse list is replaced on PUT.
async fn markets_warehouses_and_stock(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    app.post(
        "/api/v1/warehouses",
        &app.admin,
        &json!({"code": "ALA-1", "name": "Almaty", "country": "KZ", "kind": "overseas"}),
    )
    .await
    .expect(201);
    let m = app
        .put("/api/v1/markets/KH", &app.admin, &json!({"name": "Cambodia", "currencies": ["KHR", "USD"], "locales": ["km"], "warehouses": ["KHG-1", "ALA-1"]}))
        .await
        .expect(200)
        .body;
    assert_eq!(m["default_currency"], "KHR");
    assert_eq!(m["warehouses"], json!(["ALA-1", "KHG-1"]));
    let m = app
        .put("/api/v1/markets/KH", &app.admin, &json!({"name": "Cambodia", "currencies": ["KHR", "USD"], "locales": ["km"], "warehouses": ["ALA-1"]}))
        .await
        .expect(200)
        .body;
    assert_eq!(m["warehouses"], json!(["ALA-1"]));
    let markets = app
        .get("/api/v1/markets", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(markets.as_array().expect("markets").len(), 2);
    app.get("/api/v1/markets/MN", &app.admin).await.expect(404);

    let w = app
        .patch(
            "/api/v1/warehouses/ALA-1",
            &app.admin,
            &json!({"kind": "bonded"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(w["kind"], "bonded");
    assert_eq!(
        app.get("/api/v1/warehouses", &app.admin)
            .await
            .expect(200)
            .body
            .as_array()
            .expect("list")
            .len(),
        2
    );

    let id = app.create_product(&sample_product()).await["id"]
        .as_i64()
        .expect("id");
    let p = app
        .get(&format!("/api/v1/products/{id}"), &app.admin)
        .await
        .expect(200)
        .body;
    let vid = p["variants"][0]["id"].as_i64().expect("variant id");
    app.put(
        &format!("/api/v1/variants/{vid}/stock/KHG-1"),
        &app.admin,
        &json!({"available": 800}),
    )
    .await
    .expect(200);
    let v = app
        .put(
            &format!("/api/v1/variants/{vid}/stock/ALA-1"),
            &app.admin,
            &json!({"available": 40}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        v["stock"],
        json!([{"warehouse": "ALA-1", "available": 40}, {"warehouse": "KHG-1", "available": 800}])
    );
    let v = app
        .put(
            &format!("/api/v1/variants/{vid}/stock/KHG-1"),
            &app.admin,
            &json!({"available": 0}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(v["stock"][1], json!({"warehouse": "KHG-1", "available": 0}));
}

/// The rate in force on a day is the latest dated on or before it, and conversion uses today's.
async fn rates_are_dated(backend: Backend) {
    let app = spawn_app(backend).await;
    for (rate, day) in [
        ("0.0140", "2026-01-01"),
        ("0.0150", "2026-06-01"),
        ("0.0200", "2099-01-01"),
    ] {
        app.post(
            "/api/v1/rates",
            &app.admin,
            &json!({"currency": "KZT", "rate": rate, "valid_from": day}),
        )
        .await
        .expect(201);
    }
    let on = |day: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/api/v1/rates?on={day}"), &app.admin)
                .await
                .expect(200)
                .body
        }
    };
    assert_eq!(
        on("2026-03-15").await,
        json!([{"currency": "KZT", "rate": "0.014", "valid_from": "2026-01-01"}])
    );
    assert_eq!(on("2026-06-01").await[0]["rate"], "0.015");
    assert_eq!(on("2025-12-31").await, json!([]));
    let history = app
        .get("/api/v1/rates/KZT", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(history.as_array().expect("history").len(), 3);
    assert_eq!(history[0]["valid_from"], "2099-01-01");

    // Conversion today uses 0.015 (the 2099 rate is not yet in force): 129 CNY = 8600.00 KZT.
    let id = app.create_product(&sample_product()).await["id"]
        .as_i64()
        .expect("id");
    let p = app
        .get(&format!("/api/v1/products/{id}?currency=KZT"), &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(p["variants"][1]["price"]["amount_minor"], 860000);

    // Correcting a day's rate replaces it.
    app.post(
        "/api/v1/rates",
        &app.admin,
        &json!({"currency": "KZT", "rate": "0.0129", "valid_from": "2026-06-01"}),
    )
    .await
    .expect(201);
    assert_eq!(on("2026-07-01").await[0]["rate"], "0.0129");
}

/// The demo catalog loads into an empty catalog only, with the 14 markets, the border
/// warehouses, prices in the market currencies and a converted THB price where none is set.
async fn demo_catalog_loads_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let report = silkstream_server::demo::load(&app.db)
        .await
        .expect("demo loads");
    assert!(report.loaded);
    assert!(report.products >= 10, "{report:?}");
    let again = silkstream_server::demo::load(&app.db)
        .await
        .expect("second load is a no-op");
    assert!(!again.loaded);

    let markets = app
        .get("/api/v1/markets", &app.admin)
        .await
        .expect(200)
        .body;
    let countries: Vec<&str> = markets
        .as_array()
        .expect("markets")
        .iter()
        .map(|m| m["country"].as_str().expect("country"))
        .collect();
    assert_eq!(
        countries,
        ["KZ", "KG", "UZ", "RU", "MN", "VN", "TH", "ID", "MY", "PH", "KH", "LA", "MM", "CN"]
    );
    let codes: Vec<String> = app
        .get("/api/v1/warehouses", &app.admin)
        .await
        .expect(200)
        .body
        .as_array()
        .expect("warehouses")
        .iter()
        .map(|w| w["name"].as_str().expect("name").to_lowercase())
        .collect();
    for place in ["pingxiang", "khorgos", "erenhot", "almaty"] {
        assert!(
            codes.iter().any(|c| c.contains(place)),
            "a warehouse in {place}: {codes:?}"
        );
    }
    let all = app
        .get("/api/v1/products?per_page=100&currency=THB", &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(all["total"].as_i64(), Some(report.products as i64));
    let converted = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .flat_map(|p| p["variants"].as_array().expect("variants").iter())
        .filter(|v| v["price"]["converted"] == true)
        .count();
    assert!(
        converted >= 1,
        "some demo variant has no THB price and shows a converted one"
    );
    let flash = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .flat_map(|p| p["variants"].as_array().expect("variants").iter())
        .any(|v| {
            v["stock"]
                .as_array()
                .expect("stock")
                .iter()
                .any(|s| s["available"].as_i64() >= Some(500))
        });
    assert!(flash, "enough stock for a flash sale");
    let kz = app
        .get("/api/v1/products?market=KZ", &app.admin)
        .await
        .expect(200)
        .body;
    assert!(kz["total"].as_i64() >= Some(1));
}

/// A token and a product created before a restart are still there after it.
async fn data_survives_a_restart(backend: Backend) {
    let mut app = spawn_app(backend).await;
    let host = app.token("host").await;
    let id = app.create_product(&sample_product()).await["id"]
        .as_i64()
        .expect("id");
    app.restart().await;
    let p = app
        .get(&format!("/api/v1/products/{id}"), &host)
        .await
        .expect(200)
        .body;
    assert_eq!(p["variants"][0]["sku"], "BEEF-BRISKET-1KG");
    app.get("/api/v1/products", &app.admin).await.expect(200);
}
