//! The catalog's read cache of rendered localized products (docs/feed.md, "The catalog's read
//! cache"), on both backends: once a product read is cached, every change to what it shows —
//! its fields, variants, prices, stock, translations, its merchant's name, the rate table — is in
//! the next read on the instance that made it; stock moved by orders, cancellations and flash
//! sales is in the reads once the fan-out has read the event; and a change made on one instance
//! reaches another instance's cache within its clock.

use std::time::Duration;

use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, eventually, order_body, spawn_app, Backend, TestApp};

backend_tests!(
    every_catalog_change_is_in_the_next_read,
    stock_moved_by_orders_and_sales_reaches_the_reads,
    a_change_on_one_instance_reaches_the_other,
    a_buyers_cached_read_makes_no_round_trip,
);

/// How long a change made elsewhere (an order's stock move, another instance's write) may take
/// to reach a read: the fan-out's and the version watch's clocks are 250 ms.
const WITHIN: Duration = Duration::from_secs(10);

/// The localized read a buyer's page makes.
fn read_path(product_id: i64) -> String {
    format!("/api/v1/products/{product_id}?locale=kk&currency=KZT")
}

async fn read(app: &TestApp, product_id: i64) -> Value {
    app.get(&read_path(product_id), &app.admin)
        .await
        .expect(200)
        .body
}

/// Reads twice, so that the second answer comes from the cache.
async fn read_cached(app: &TestApp, product_id: i64) -> Value {
    read(app, product_id).await;
    read(app, product_id).await
}

fn variant(product: &Value, id: i64) -> &Value {
    product["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("variant {id} in {product}"))
}

fn stock_in(product: &Value, variant_id: i64, warehouse: &str) -> i64 {
    variant(product, variant_id)["stock"]
        .as_array()
        .expect("stock")
        .iter()
        .find(|s| s["warehouse"] == warehouse)
        .and_then(|s| s["available"].as_i64())
        .unwrap_or(0)
}

fn price(product: &Value, variant_id: i64) -> Value {
    variant(product, variant_id)["price"].clone()
}

/// Each catalog write changes the next read of a product whose rendering was cached: a price
/// set and removed, stock set, a translation put and deleted, the product's fields, a variant
/// added, changed and archived, the rate that converts a price, the merchant's name.
async fn every_catalog_change_is_in_the_next_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, false).await;
    let (pid, brisket) = (live.product_id, live.variant_id);
    let before = read_cached(&app, pid).await;
    let strip = before["variants"][1]["id"]
        .as_i64()
        .expect("second variant");
    assert_eq!(price(&before, brisket)["amount_minor"], 629900);

    // A price.
    app.put(
        &format!("/api/v1/variants/{brisket}/prices/KZT"),
        &app.admin,
        &json!({"amount_minor": 700000}),
    )
    .await
    .expect(200);
    let p = read_cached(&app, pid).await;
    assert_eq!(price(&p, brisket)["amount_minor"], 700000, "{p}");
    assert_eq!(price(&p, brisket)["converted"], false);

    // The rate that converts the striploin's CNY price into tenge, valid from today.
    let converted = price(&p, strip)["amount_minor"]
        .as_i64()
        .expect("converted");
    app.post(
        "/api/v1/rates",
        &app.admin,
        &json!({"currency": "KZT", "rate": "0.0071"}),
    )
    .await
    .expect(201);
    let p = read_cached(&app, pid).await;
    let reconverted = price(&p, strip)["amount_minor"]
        .as_i64()
        .expect("converted");
    assert!(
        reconverted > converted * 19 / 10,
        "the new rate halves tenge's value, doubling the converted price: {converted} then {p}"
    );

    // A price removed: the brisket falls back to a conversion.
    app.request(
        reqwest::Method::DELETE,
        &format!("/api/v1/variants/{brisket}/prices/KZT"),
        Some(&app.admin),
        None,
    )
    .await
    .expect(200);
    let p = read_cached(&app, pid).await;
    assert_eq!(price(&p, brisket)["converted"], true, "{p}");

    // Stock set by an admin.
    app.put(
        &format!("/api/v1/variants/{brisket}/stock/KHG-1"),
        &app.admin,
        &json!({"available": 77}),
    )
    .await
    .expect(200);
    let p = read_cached(&app, pid).await;
    assert_eq!(stock_in(&p, brisket, "KHG-1"), 77);

    // A Kazakh translation, then its removal.
    app.put(
        &format!("/api/v1/products/{pid}/translations/kk"),
        &app.admin,
        &json!({"title": "Сиыр еті, төс еті 1 кг", "description": "Брест облысының сиыр еті.",
                "attributes": {"storage": "−18 °C-та сақтаңыз"}}),
    )
    .await
    .expect(200);
    let p = read_cached(&app, pid).await;
    assert_eq!(p["localized"]["title"]["text"], "Сиыр еті, төс еті 1 кг");
    assert_eq!(p["localized"]["title"]["locale"], "kk");
    app.request(
        reqwest::Method::DELETE,
        &format!("/api/v1/products/{pid}/translations/kk"),
        Some(&app.admin),
        None,
    )
    .await
    .expect(204);
    let p = read_cached(&app, pid).await;
    assert_ne!(p["localized"]["title"]["locale"], "kk", "{p}");

    // The product's own fields.
    app.patch(
        &format!("/api/v1/products/{pid}"),
        &app.admin,
        &json!({"title": "Говядина, грудинка 1 кг (новая партия)", "weight_g": 1100}),
    )
    .await
    .expect(200);
    let p = read_cached(&app, pid).await;
    assert_eq!(p["title"], "Говядина, грудинка 1 кг (новая партия)");
    assert_eq!(p["weight_g"], 1100);
    assert_eq!(
        p["localized"]["title"]["text"],
        "Говядина, грудинка 1 кг (новая партия)"
    );

    // A variant added, changed, archived.
    let added = app
        .post(
            &format!("/api/v1/products/{pid}/variants"),
            &app.admin,
            &json!({"sku": "BEEF-RIB-1KG", "options": {"cut": "rib"}, "prices": {"KZT": 500000}}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("variant id");
    let p = read_cached(&app, pid).await;
    assert_eq!(price(&p, added)["amount_minor"], 500000);
    app.patch(
        &format!("/api/v1/variants/{added}"),
        &app.admin,
        &json!({"sku": "BEEF-RIB-2KG"}),
    )
    .await
    .expect(200);
    let p = read_cached(&app, pid).await;
    assert_eq!(variant(&p, added)["sku"], "BEEF-RIB-2KG");
    app.post(
        &format!("/api/v1/variants/{added}/archive"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    let p = read_cached(&app, pid).await;
    assert_eq!(variant(&p, added)["archived"], true);

    // Archived and restored.
    app.post(
        &format!("/api/v1/products/{pid}/archive"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    assert_eq!(read_cached(&app, pid).await["archived"], true);
    app.post(
        &format!("/api/v1/products/{pid}/restore"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    assert_eq!(read_cached(&app, pid).await["archived"], false);

    // The merchant's name.
    let merchant_id = p["merchant_id"].as_i64().expect("merchant id");
    app.patch(
        &format!("/api/v1/merchants/{merchant_id}"),
        &app.admin,
        &json!({"name": "Brest Meat Export JSC"}),
    )
    .await
    .expect(200);
    assert_eq!(
        read_cached(&app, pid).await["merchant"],
        "Brest Meat Export JSC"
    );
}

/// Stock that orders and flash sales move (in the feed's transactions) reaches the cached
/// reads: a regular order takes a unit, its cancellation returns it, a flash sale carves its
/// units out of the warehouse.
async fn stock_moved_by_orders_and_sales_reaches_the_reads(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let (pid, brisket) = (live.product_id, live.variant_id);
    assert_eq!(
        stock_in(&read_cached(&app, pid).await, brisket, "KHG-1"),
        10
    );

    let (buyer, _) = app.buyer("Aigerim", "kk").await;
    let placed = app
        .order(
            &buyer,
            live.session_id,
            "cache-1",
            &order_body(brisket, 2, "KZT"),
        )
        .await
        .expect(201)
        .body;
    let order_id = placed["order"]["id"].as_i64().expect("order id");
    wait_for_stock(
        &app,
        pid,
        brisket,
        8,
        "the order's two units leave the read",
    )
    .await;

    app.post(
        &format!("/api/v1/orders/{order_id}/cancel"),
        &buyer,
        &json!({}),
    )
    .await
    .expect(200);
    wait_for_stock(&app, pid, brisket, 10, "the cancelled units come back").await;

    app.flash_sale(&live, 6, 2).await;
    wait_for_stock(
        &app,
        pid,
        brisket,
        4,
        "the sale's six units leave the warehouse",
    )
    .await;
}

/// Reads (each one a candidate for the cache) until the stock shows `expected`.
async fn wait_for_stock(app: &TestApp, pid: i64, variant_id: i64, expected: i64, what: &str) {
    eventually(WITHIN, what, || async {
        stock_in(&read(app, pid).await, variant_id, "KHG-1") == expected
    })
    .await;
    // And it stays so: the cache does not bring back an older answer.
    assert_eq!(
        stock_in(&read_cached(app, pid).await, variant_id, "KHG-1"),
        expected
    );
}

/// Two instances on one database: B caches a product; a price, a rate and stock changed on A,
/// and an order placed on A, reach B's reads within the clocks.
async fn a_change_on_one_instance_reaches_the_other(backend: Backend) {
    let a = spawn_app(backend).await;
    let b = a.another_instance(|_| {}).await;
    let live = a.live_session(10, true).await;
    let (pid, brisket) = (live.product_id, live.variant_id);
    let cached = read_cached(&b, pid).await;
    assert_eq!(price(&cached, brisket)["amount_minor"], 629900);

    a.put(
        &format!("/api/v1/variants/{brisket}/prices/KZT"),
        &a.admin,
        &json!({"amount_minor": 650000}),
    )
    .await
    .expect(200);
    eventually(WITHIN, "A's price reaches B's reads", || async {
        price(&read(&b, pid).await, brisket)["amount_minor"] == 650000
    })
    .await;

    a.put(
        &format!("/api/v1/variants/{brisket}/stock/KHG-1"),
        &a.admin,
        &json!({"available": 30}),
    )
    .await
    .expect(200);
    eventually(WITHIN, "A's stock reaches B's reads", || async {
        stock_in(&read(&b, pid).await, brisket, "KHG-1") == 30
    })
    .await;

    let (buyer, _) = a.buyer("Dana", "ru").await;
    a.order(
        &buyer,
        live.session_id,
        "two-1",
        &order_body(brisket, 3, "KZT"),
    )
    .await
    .expect(201);
    eventually(WITHIN, "an order on A reaches B's reads", || async {
        stock_in(&read(&b, pid).await, brisket, "KHG-1") == 27
    })
    .await;
    assert_eq!(stock_in(&read_cached(&b, pid).await, brisket, "KHG-1"), 27);
}

/// A buyer's page reads the product again and again: the answer comes from memory and still
/// carries the buyer's landed cost, and the buyer's country (which a profile never changes) is
/// read from the database once per token. Counted on the store itself
/// (`count_round_trips`, what `silkstream_db_queries_total` adds up): counted over HTTP, a
/// catalog notice of the test's own set-up arriving late would re-render the product and count
/// its reads too.
async fn a_buyers_cached_read_makes_no_round_trip(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, false).await;
    let (buyer, _) = app.buyer("Dana", "ru").await;
    let path = read_path(live.product_id);
    let first = app.get(&path, &buyer).await.expect(200).body;
    for _ in 0..5 {
        let again = app.get(&path, &buyer).await.expect(200).body;
        assert_eq!(again, first, "the same answer from memory");
    }
    assert!(
        first["localized"]["landed_cost"].is_object()
            || first["localized"]["landed_cost"].is_array(),
        "the buyer's landed cost is in the read: {first}"
    );

    let (token_id,): (i64,) = sqlx::query_as("SELECT token_id FROM buyers")
        .fetch_one(app.db.reader())
        .await
        .expect("the one buyer");
    let l10n = silkstream_server::embedded_l10n().expect("locale files load");
    let store = silkstream_catalog::CatalogStore::new(app.db.clone(), l10n);
    // The buyers' table is the feed's: its store gives the catalog the way to read it.
    let _feed =
        silkstream_feed::FeedStore::new(app.db.clone(), store.clone(), Duration::from_secs(900));
    let count = silkstream_catalog::db::count_round_trips;
    let (country, reads) = count(store.buyer_country(token_id)).await;
    assert_eq!(country.expect("country").as_deref(), Some("KZ"));
    assert_eq!(
        reads, 1,
        "the first read of a buyer's country asks the database"
    );
    let mut made = 0;
    for _ in 0..5 {
        let (again, reads) = count(store.buyer_country(token_id)).await;
        assert_eq!(again.expect("country").as_deref(), Some("KZ"));
        made += reads;
    }
    // One read of the buyer's country per read (the path before the map) would be 5.
    assert_eq!(
        made, 0,
        "database round trips for 5 reads of a known buyer's country"
    );
}
