//! The catalog's one write path (`silkstream_catalog::write`), on both backends: every kind of
//! catalog write raises `catalog_version` (a refused one does not); a market or warehouse
//! change drops the rendered products of the instance that made it at once, and another
//! instance's once its version watch reads the new version; the commit hook tells each committed
//! write's version, and `apply_remote_version` drops what the version watch drops.
//!
//! No product read shows a market or a warehouse's name or kind today, so these tests change a
//! product's title behind the servers' back (a change no cache was told of) and watch for it to
//! appear: it appears only when the write dropped the cached rendering. The other writes' effect
//! on a cached read is in `catalog_cache.rs` (`every_catalog_change_is_in_the_next_read`); a
//! landed-cost rule's on the quote in `landed_cost.rs`.
//!
//! Each test that counts on a cache holding still starts a fresh instance after its set-up: an
//! instance's version watch only records the first version it reads, so the set-up's own writes
//! cannot drop that instance's cache later, at a moment the test does not choose.

use std::time::Duration;

use serde_json::{json, Value};
use silkstream_catalog::localize::View;
use silkstream_catalog::model::MarketBody;
use silkstream_catalog::CatalogStore;
use silkstream_e2e::{backend_tests, eventually, sample_product, spawn_app, Backend, TestApp};

backend_tests!(
    every_catalog_write_raises_the_version,
    a_market_or_warehouse_change_is_in_the_next_read_here,
    another_instance_sees_a_market_change_after_its_watch,
    the_commit_hook_tells_each_committed_version,
    writes_of_one_product_at_once_lose_nothing,
);

/// How long another instance may take to see a change: its version watch runs every 250 ms.
const WITHIN: Duration = Duration::from_secs(10);

/// The localized read a buyer's page makes.
fn read_path(product_id: i64) -> String {
    format!("/api/v1/products/{product_id}?locale=kk&currency=KZT")
}

async fn title(app: &TestApp, product_id: i64) -> String {
    let body = app
        .get(&read_path(product_id), &app.admin)
        .await
        .expect(200)
        .body;
    body["title"].as_str().expect("title").to_owned()
}

async fn version(app: &TestApp) -> i64 {
    app.scalar("SELECT version FROM catalog_version WHERE id = 1")
        .await
}

/// Changes the product's title in the database without telling any instance.
async fn retitle_behind_the_back(app: &TestApp, product_id: i64, title: &str) {
    let changed = app
        .execute(&format!(
            "UPDATE products SET title = '{title}' WHERE id = {product_id}"
        ))
        .await;
    assert_eq!(changed, 1);
}

fn market(warehouses: &[&str]) -> Value {
    json!({"name": "Kazakhstan", "currencies": ["KZT", "USD"], "locales": ["kk", "ru"],
           "warehouses": warehouses})
}

/// Every kind of catalog write moves the version other instances watch, a market's and a
/// warehouse's included; a write refused after its transaction began (a missing product or
/// variant, a taken SKU) leaves it where it was.
async fn every_catalog_write_raises_the_version(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    let product = app.create_product(&sample_product()).await;
    let pid = product["id"].as_i64().expect("product id");
    let vid = product["variants"][0]["id"].as_i64().expect("variant id");
    let merchant = product["merchant_id"].as_i64().expect("merchant id");
    let mut new_product = sample_product();
    new_product["variants"][0]["sku"] = json!("BEEF-BRISKET-2KG");
    new_product["variants"][1]["sku"] = json!("BEEF-STRIP-2KG");
    let rule = app
        .get(
            "/api/v1/landed-cost/rules/eaeu-personal-parcel-2020",
            &app.admin,
        )
        .await
        .expect(200)
        .body;
    let rule: serde_json::Map<String, Value> = rule
        .as_object()
        .expect("rule")
        .iter()
        .filter(|(k, _)| !["id", "origin", "updated_at"].contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();

    use reqwest::Method as M;
    let writes: Vec<(&str, M, String, Option<Value>, u16)> = vec![
        (
            "create a product",
            M::POST,
            "/api/v1/products".into(),
            Some(new_product),
            201,
        ),
        (
            "change a product",
            M::PATCH,
            format!("/api/v1/products/{pid}"),
            Some(json!({"weight_g": 1100})),
            200,
        ),
        (
            "archive a product",
            M::POST,
            format!("/api/v1/products/{pid}/archive"),
            Some(json!({})),
            200,
        ),
        (
            "restore a product",
            M::POST,
            format!("/api/v1/products/{pid}/restore"),
            Some(json!({})),
            200,
        ),
        (
            "add a variant",
            M::POST,
            format!("/api/v1/products/{pid}/variants"),
            Some(json!({"sku": "BEEF-RIB-1KG", "options": {"cut": "rib"},
                        "prices": {"KZT": 500000}})),
            201,
        ),
        (
            "change a variant",
            M::PATCH,
            format!("/api/v1/variants/{vid}"),
            Some(json!({"barcode": "4006381333948"})),
            200,
        ),
        (
            "set a price",
            M::PUT,
            format!("/api/v1/variants/{vid}/prices/USD"),
            Some(json!({"amount_minor": 1300})),
            200,
        ),
        (
            "remove a price",
            M::DELETE,
            format!("/api/v1/variants/{vid}/prices/USD"),
            None,
            200,
        ),
        (
            "set stock",
            M::PUT,
            format!("/api/v1/variants/{vid}/stock/KHG-1"),
            Some(json!({"available": 5})),
            200,
        ),
        (
            "archive a variant",
            M::POST,
            format!("/api/v1/variants/{vid}/archive"),
            Some(json!({})),
            200,
        ),
        (
            "put a rate",
            M::POST,
            "/api/v1/rates".into(),
            Some(json!({"currency": "USD", "rate": "7.1"})),
            201,
        ),
        (
            "add a warehouse",
            M::POST,
            "/api/v1/warehouses".into(),
            Some(
                json!({"code": "ALA-1", "name": "Almaty city warehouse", "country": "KZ",
                        "kind": "bonded"}),
            ),
            201,
        ),
        (
            "change a warehouse",
            M::PATCH,
            "/api/v1/warehouses/ALA-1".into(),
            Some(json!({"name": "Almaty warehouse 1"})),
            200,
        ),
        (
            "put a market",
            M::PUT,
            "/api/v1/markets/KZ".into(),
            Some(market(&["KHG-1", "ALA-1"])),
            200,
        ),
        (
            "put a translation",
            M::PUT,
            format!("/api/v1/products/{pid}/translations/kk"),
            Some(
                json!({"title": "Сиыр еті, төс еті 1 кг", "description": "Сиыр еті.",
                        "attributes": {}}),
            ),
            200,
        ),
        (
            "delete a translation",
            M::DELETE,
            format!("/api/v1/products/{pid}/translations/kk"),
            None,
            204,
        ),
        (
            "add a merchant",
            M::POST,
            "/api/v1/merchants".into(),
            Some(json!({"name": "Almaty Dairy LLP", "country": "KZ"})),
            201,
        ),
        (
            "rename a merchant",
            M::PATCH,
            format!("/api/v1/merchants/{merchant}"),
            Some(json!({"name": "Brest Meat Export JSC"})),
            200,
        ),
        (
            "add a credential",
            M::POST,
            format!("/api/v1/merchants/{merchant}/credentials"),
            Some(
                json!({"kind": "eaeu_food_declaration", "number": "EAEU-FOOD-1", "issuer": "test",
                        "valid_from": "2020-01-01", "valid_until": "2099-12-31",
                        "markets": ["KZ"]}),
            ),
            201,
        ),
        (
            "put a landed-cost rule",
            M::PUT,
            "/api/v1/landed-cost/rules/eaeu-personal-parcel-2020".into(),
            Some(Value::Object(rule)),
            200,
        ),
    ];
    for (what, method, path, body, status) in writes {
        let before = version(&app).await;
        let reply = app
            .request(method, &path, Some(&app.admin), body.as_ref())
            .await
            .expect(status);
        let after = version(&app).await;
        assert!(after > before, "{what}: the version stayed at {before}");
        if what == "add a credential" {
            let id = reply.body["id"].as_i64().expect("credential id");
            let before = version(&app).await;
            app.post(
                &format!("/api/v1/credentials/{id}/revoke"),
                &app.admin,
                &json!({}),
            )
            .await
            .expect(200);
            assert!(version(&app).await > before, "revoke a credential");
            // Revoked already: refused, nothing committed.
            let before = version(&app).await;
            app.post(
                &format!("/api/v1/credentials/{id}/revoke"),
                &app.admin,
                &json!({}),
            )
            .await
            .expect(409);
            assert_eq!(version(&app).await, before, "a refused revocation");
        }
    }

    // Refused inside the transaction: rolled back, the version did not move.
    let before = version(&app).await;
    app.post("/api/v1/products/999999/archive", &app.admin, &json!({}))
        .await
        .expect(404);
    app.request(
        reqwest::Method::DELETE,
        &format!("/api/v1/variants/{vid}/prices/THB"),
        Some(&app.admin),
        None,
    )
    .await
    .expect(404);
    app.patch(
        &format!("/api/v1/variants/{vid}"),
        &app.admin,
        &json!({"sku": "BEEF-RIB-1KG"}),
    )
    .await
    .expect(409);
    assert_eq!(
        version(&app).await,
        before,
        "refused writes moved the version"
    );
}

/// A market put and a warehouse added or changed drop the rendered products of the instance
/// that made the change, at its commit: its next read shows what the database holds.
async fn a_market_or_warehouse_change_is_in_the_next_read_here(backend: Backend) {
    let setup = spawn_app(backend).await;
    let live = setup.live_session(10, false).await;
    let pid = live.product_id;
    let app = setup.another_instance(|_| {}).await;

    let steps: Vec<(&str, reqwest::Method, &str, Value, u16)> = vec![
        (
            "a market put",
            reqwest::Method::PUT,
            "/api/v1/markets/KZ",
            market(&["KHG-1"]),
            200,
        ),
        (
            "a warehouse added",
            reqwest::Method::POST,
            "/api/v1/warehouses",
            json!({"code": "ALA-1", "name": "Almaty city warehouse", "country": "KZ",
                   "kind": "bonded"}),
            201,
        ),
        (
            "a warehouse changed",
            reqwest::Method::PATCH,
            "/api/v1/warehouses/ALA-1",
            json!({"name": "Almaty warehouse 1"}),
            200,
        ),
        (
            "the market put again",
            reqwest::Method::PUT,
            "/api/v1/markets/KZ",
            market(&["KHG-1", "ALA-1"]),
            200,
        ),
    ];
    for (i, (what, method, path, body, status)) in steps.into_iter().enumerate() {
        let cached = title(&app, pid).await;
        let unseen = format!("Beef brisket, batch {i}");
        retitle_behind_the_back(&app, pid, &unseen).await;
        assert_eq!(
            title(&app, pid).await,
            cached,
            "before {what}: the read comes from the cache"
        );
        app.request(method, path, Some(&app.admin), Some(&body))
            .await
            .expect(status);
        assert_eq!(
            title(&app, pid).await,
            unseen,
            "{what} left an older rendering in this instance's cache"
        );
    }
}

/// A market put on one instance reaches another instance's cache once its version watch reads
/// the version the put raised.
async fn another_instance_sees_a_market_change_after_its_watch(backend: Backend) {
    let a = spawn_app(backend).await;
    let live = a.live_session(10, false).await;
    let pid = live.product_id;
    let b = a.another_instance(|_| {}).await;
    let cached = title(&b, pid).await;
    retitle_behind_the_back(&a, pid, "Beef brisket, new batch").await;
    assert_eq!(title(&b, pid).await, cached, "B reads from its cache");

    a.put("/api/v1/markets/KZ", &a.admin, &market(&["KHG-1"]))
        .await
        .expect(200);
    eventually(WITHIN, "A's market change drops B's cache", || async {
        title(&b, pid).await == "Beef brisket, new batch"
    })
    .await;
}

/// The commit hook (`CatalogStore::subscribe_commits`) wakes with the version each committed
/// write raised, and stays silent for a refused one; `apply_remote_version` with a version
/// another instance committed drops this instance's rendered products, as its watch would.
async fn the_commit_hook_tells_each_committed_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, false).await;
    let pid = live.product_id;
    let l10n = silkstream_server::embedded_l10n().expect("locale files load");
    let here = CatalogStore::new(app.db.clone(), l10n.clone());
    let there = CatalogStore::new(app.db.clone(), l10n);
    let view = View::negotiate(Some("kk"), None, Some("KZT")).expect("a view");
    let mut commits = here.subscribe_commits();
    assert_eq!(
        *commits.borrow_and_update(),
        0,
        "nothing committed here yet"
    );

    let body = |names: &[&str]| MarketBody {
        name: "Kazakhstan".into(),
        currencies: vec!["KZT".into()],
        locales: vec!["kk".into(), "ru".into()],
        warehouses: names.iter().map(|n| (*n).to_owned()).collect(),
    };
    here.put_market("KZ", body(&["KHG-1"]))
        .await
        .expect("market put");
    assert!(commits.has_changed().expect("the store lives"));
    let committed = *commits.borrow_and_update();
    assert_eq!(
        committed,
        version(&app).await,
        "the hook tells the version raised"
    );

    // Refused (an unknown warehouse is caught before the write; an unknown variant's price
    // inside it): nobody is told.
    here.put_market("KZ", body(&["NOPE-1"]))
        .await
        .expect_err("an unknown warehouse");
    here.delete_price(999_999, "KZT")
        .await
        .expect_err("no such price");
    assert!(!commits.has_changed().expect("the store lives"));

    // Another instance caches the product, then hears of this instance's commit.
    there.apply_remote_version(committed);
    there
        .get_product_rendered(pid, &view)
        .await
        .expect("rendered");
    retitle_behind_the_back(&app, pid, "Beef brisket, unseen").await;
    let kept = there
        .get_product_rendered(pid, &view)
        .await
        .expect("cached");
    assert_ne!(kept.product.title, "Beef brisket, unseen", "from the cache");
    here.put_market("KZ", body(&["KHG-1"]))
        .await
        .expect("market put");
    let next = *commits.borrow_and_update();
    assert!(next > committed);
    assert!(there.apply_remote_version(next), "a moved version drops");
    let fresh = there.get_product_rendered(pid, &view).await.expect("read");
    assert_eq!(fresh.product.title, "Beef brisket, unseen");
    assert!(
        !there.apply_remote_version(next),
        "the same version again drops nothing"
    );
}

/// Writes of one product at once, each rewriting what it read: two PATCHes of different fields,
/// and a PATCH of the title beside a translation's PUT and DELETE (each writes the search text
/// from the title it read). Every write reads the product's row under its lock in its own
/// transaction, so none writes back what another has just changed: both fields land, and the
/// title filter finds the product by its new title. The race shows on PostgreSQL (READ
/// COMMITTED, several writers); SQLite's one writer runs them one after the other.
async fn writes_of_one_product_at_once_lose_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    let product = app.create_product(&sample_product()).await;
    let pid = product["id"].as_i64().expect("product id");
    let path = format!("/api/v1/products/{pid}");
    let translation = format!("/api/v1/products/{pid}/translations/kk");
    for round in 0..12 {
        let title = format!("Frozen brisket, round {round}");
        let weight = 1_000 + round;
        let title_body = json!({ "title": title });
        let weight_body = json!({ "weight_g": weight });
        let (a, b) = tokio::join!(
            app.patch(&path, &app.admin, &title_body),
            app.patch(&path, &app.admin, &weight_body)
        );
        assert_eq!(
            (a.status.as_u16(), b.status.as_u16()),
            (200, 200),
            "{} / {}",
            a.text,
            b.text
        );
        let read = app.get(&path, &app.admin).await.expect(200).body;
        assert_eq!(
            read["title"],
            title.as_str(),
            "round {round}: the title kept"
        );
        assert_eq!(read["weight_g"], weight, "round {round}: the weight kept");

        // The title again, beside a translation being put (or deleted): the search text holds
        // the new title whichever committed last.
        let retitled = format!("Frozen striploin, round {round}");
        let retitle = json!({ "title": retitled });
        let kk = json!({"title": format!("Сиыр еті {round}"), "description": "Сиыр еті.",
                        "attributes": {}});
        let put_or_delete = async {
            if round % 2 == 0 {
                app.put(&translation, &app.admin, &kk).await.status
            } else {
                app.request(
                    reqwest::Method::DELETE,
                    &translation,
                    Some(&app.admin),
                    None,
                )
                .await
                .status
            }
        };
        let (patched, translated) =
            tokio::join!(app.patch(&path, &app.admin, &retitle), put_or_delete);
        assert_eq!(patched.status, 200, "{}", patched.text);
        assert!(
            translated == 200 || translated == 204,
            "round {round}: {translated}"
        );
        let q = format!("/api/v1/products?q=striploin,%20round%20{round}");
        let found = app.get(&q, &app.admin).await.expect(200).body;
        let ids: Vec<i64> = found["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|p| p["id"].as_i64())
            .collect();
        assert_eq!(ids, [pid], "round {round}: found by the title it has now");
    }
}
