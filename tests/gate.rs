//! The qualification gate (docs/cross-border.md), on both backends: a product whose merchant
//! lacks a valid credential for the session's market is refused from the showcase, the pin, a
//! flash sale and orders (409 `qualification_missing`, naming the kind); insurance is never
//! sold in a live room (409 `not_sellable_here`); a host who is unverified or under 16, or 16–17
//! without a guardian's consent, cannot start a session (409 `host_not_verified`); today's
//! products become merchants' rows when the migration runs; a product is regulated by its HS
//! code as well as by its category.

use serde_json::{json, Value};
use std::time::Duration;

use silkstream_e2e::{
    backend_tests, eventually, order_body, sample_product, spawn_app, Backend, TestApp, TestDb,
};

backend_tests!(
    the_gate_refuses_showcase_pin_and_sale_until_the_merchant_holds_the_credential,
    a_credential_counts_through_its_last_day_and_only_in_its_markets,
    a_revoked_credential_refuses_sale_and_regular_orders,
    insurance_is_never_sold_in_a_live_room,
    hosts_must_be_verified_and_at_least_16,
    merchants_credentials_and_their_expiry_through_the_api,
    two_revocations_of_one_credential_succeed_once,
    the_migration_gives_existing_products_their_merchants,
    the_demo_shows_the_gate_refusing_a_pin,
    a_revocation_waits_for_the_order_that_read_the_credential,
    a_night_cream_filed_under_another_category_is_stopped_by_its_hs_code,
);

fn day(offset: i64) -> String {
    let d = time::OffsetDateTime::now_utc().date() + time::Duration::days(offset);
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// The day `years` years before today (the 28th for a 29 February that year lacks).
fn years_ago(years: i32) -> String {
    let today = time::OffsetDateTime::now_utc().date();
    let d = today
        .replace_year(today.year() - years)
        .or_else(|_| {
            today
                .replace_day(28)
                .and_then(|t| t.replace_year(today.year() - years))
        })
        .expect("a day");
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

fn credential(kind: &str, from: &str, until: &str, markets: &[&str]) -> Value {
    json!({"kind": kind, "number": "ЕАЭС N RU Д-BY.РА01.В.12345", "issuer": "FSA accredited body",
           "valid_from": from, "valid_until": until, "markets": markets})
}

/// The basics, the sample product (food.meat from Brest Meat Export LLC) with no credentials,
/// stock in KHG-1, a verified host and their scheduled KZ session: (host, session, product,
/// merchant id).
async fn unqualified_setup(app: &TestApp) -> (String, i64, i64, i64) {
    app.seed_basics().await;
    let product = app.create_unqualified_product(&sample_product()).await;
    let product_id = product["id"].as_i64().expect("product id");
    let variant_id = product["variants"][0]["id"].as_i64().expect("variant id");
    app.put(
        &format!("/api/v1/variants/{variant_id}/stock/KHG-1"),
        &app.admin,
        &json!({"available": 50}),
    )
    .await
    .expect(200);
    let host = app.token("host").await;
    let session = app
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
    (
        host,
        session,
        product_id,
        product["merchant_id"].as_i64().expect("merchant_id"),
    )
}

async fn showcase(app: &TestApp, host: &str, session: i64, product: i64) -> silkstream_e2e::Reply {
    app.post(
        &format!("/api/v1/sessions/{session}/showcase"),
        host,
        &json!({"product_id": product}),
    )
    .await
}

async fn add_credential(app: &TestApp, merchant: i64, body: &Value) -> Value {
    app.post(
        &format!("/api/v1/merchants/{merchant}/credentials"),
        &app.admin,
        body,
    )
    .await
    .expect(201)
    .body
}

#[track_caller]
fn refused(reply: silkstream_e2e::Reply, code: &str, needle: &str) {
    let reply = reply.expect(409);
    assert_eq!(reply.code(), code, "{}", reply.text);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains(needle),
        "the refusal names {needle}: {}",
        reply.text
    );
}

/// Without the EAEU food declaration, the beef cannot enter the KZ showcase (409 naming the
/// kind, nothing logged); with it, it enters and is pinned; once revoked, the pin and a flash
/// sale are refused.
async fn the_gate_refuses_showcase_pin_and_sale_until_the_merchant_holds_the_credential(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (host, session, product, merchant) = unqualified_setup(&app).await;
    let before = app
        .get(&format!("/api/v1/sessions/{session}"), &host)
        .await
        .expect(200)
        .body;
    refused(
        showcase(&app, &host, session, product).await,
        "qualification_missing",
        "eaeu_food_declaration",
    );
    let after = app
        .get(&format!("/api/v1/sessions/{session}"), &host)
        .await
        .expect(200)
        .body;
    assert_eq!(
        after["last_seq"], before["last_seq"],
        "a refusal logs nothing"
    );
    assert_eq!(after["showcase"], json!([]));

    let held = add_credential(
        &app,
        merchant,
        &credential(
            "eaeu_food_declaration",
            "2025-01-01",
            "2029-12-31",
            &["KZ", "KG", "RU"],
        ),
    )
    .await;
    assert_eq!(held["status"], "valid", "{held}");
    showcase(&app, &host, session, product).await.expect(200);
    app.post(
        &format!("/api/v1/sessions/{session}/pin"),
        &host,
        &json!({"product_id": product}),
    )
    .await
    .expect(200);

    app.post(
        &format!("/api/v1/credentials/{}/revoke", held["id"]),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    refused(
        app.post(
            &format!("/api/v1/sessions/{session}/pin"),
            &host,
            &json!({"product_id": product}),
        )
        .await,
        "qualification_missing",
        "eaeu_food_declaration",
    );
    let variant = app
        .get(&format!("/api/v1/products/{product}"), &app.admin)
        .await
        .expect(200)
        .body["variants"][0]["id"]
        .as_i64()
        .expect("variant");
    refused(
        app.post(
            &format!("/api/v1/sessions/{session}/flash-sales"),
            &host,
            &json!({"variant_id": variant, "quantity": 5, "per_buyer_limit": 1,
                    "prices": {"KZT": 450000}, "countdown_s": 0, "duration_s": 600}),
        )
        .await,
        "qualification_missing",
        "eaeu_food_declaration",
    );
    let stock = app
        .get(&format!("/api/v1/variants/{variant}"), &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(
        stock["stock"][0]["available"], 50,
        "a refused sale takes no stock: {stock}"
    );
}

/// A credential valid until yesterday does not count; one valid until today does; one valid
/// from tomorrow does not yet; one for RU only does not cover KZ.
async fn a_credential_counts_through_its_last_day_and_only_in_its_markets(backend: Backend) {
    let app = spawn_app(backend).await;
    let (host, session, product, merchant) = unqualified_setup(&app).await;
    let kind = "eaeu_food_declaration";
    let cases: [(&str, String, String, &[&str], bool); 4] = [
        ("valid until yesterday", day(-400), day(-1), &["KZ"], false),
        ("valid from tomorrow", day(1), day(400), &["KZ"], false),
        (
            "market not covered",
            day(-10),
            day(400),
            &["RU", "KG"],
            false,
        ),
        ("valid until today", day(-400), day(0), &["KZ"], true),
    ];
    for (case, from, until, markets, passes) in cases {
        let c = add_credential(&app, merchant, &credential(kind, &from, &until, markets)).await;
        let reply = showcase(&app, &host, session, product).await;
        if passes {
            assert_eq!(reply.status.as_u16(), 200, "{case}: {}", reply.text);
            assert_eq!(c["status"], "valid", "{case}: {c}");
            assert_eq!(c["days_left"], 0, "{case}: {c}");
        } else {
            assert_eq!(reply.status.as_u16(), 409, "{case}: {}", reply.text);
            assert_eq!(reply.code(), "qualification_missing", "{case}");
        }
    }
}

/// A flash sale opened while the merchant was qualified, then the credential revoked: the
/// sale's orders are refused (409 `qualification_missing`, and the same on the WebSocket), and
/// so is a regular order of the other variant; no order is written and the sale keeps its
/// units.
async fn a_revoked_credential_refuses_sale_and_regular_orders(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(20, true).await;
    let sale = app.flash_sale(&live, 10, 2).await;
    let strip = app.stock_second_variant(&live, 5).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    // The qualified merchant orders fine.
    app.order(
        &buyer,
        live.session_id,
        "k-ok",
        &order_body(live.variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
    let merchant = app
        .get(&format!("/api/v1/products/{}", live.product_id), &app.admin)
        .await
        .expect(200)
        .body["merchant_id"]
        .as_i64()
        .expect("merchant");
    let creds = app
        .get(&format!("/api/v1/merchants/{merchant}"), &app.admin)
        .await
        .expect(200)
        .body;
    let food = creds["credentials"]
        .as_array()
        .expect("credentials")
        .iter()
        .find(|c| c["kind"] == "eaeu_food_declaration")
        .expect("the support gave the declaration")["id"]
        .clone();
    app.post(
        &format!("/api/v1/credentials/{food}/revoke"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    refused(
        app.order(
            &buyer,
            live.session_id,
            "k-sale",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await,
        "qualification_missing",
        "eaeu_food_declaration",
    );
    refused(
        app.order(
            &buyer,
            live.session_id,
            "k-regular",
            &order_body(strip, 1, "CNY"),
        )
        .await,
        "qualification_missing",
        "eaeu_food_declaration",
    );
    // The WebSocket order goes through the same intake: the same refusal.
    let mut socket = app
        .ws_connect(
            &format!("/api/v1/sessions/{}/feed", live.session_id),
            Some(&buyer),
        )
        .await;
    let result = socket
        .order(
            "k-ws",
            &order_body(live.variant_id, 1, "KZT"),
            std::time::Duration::from_secs(10),
        )
        .await;
    assert_eq!(result["error"]["code"], "qualification_missing", "{result}");
    socket.close().await;
    let sale = app
        .get(&format!("/api/v1/flash-sales/{sale}"), &live.host)
        .await
        .expect(200)
        .body;
    assert_eq!(
        sale["remaining"], 9,
        "only the first order took a unit: {sale}"
    );
    let orders = app.get("/api/v1/orders", &buyer).await.expect(200).body;
    assert_eq!(
        orders["items"].as_array().map(Vec::len),
        Some(1),
        "{orders}"
    );
}

/// An insurance product needs the insurer's https link (422 without), is refused from the
/// showcase with 409 `not_sellable_here`, and a product moved into insurance after it entered
/// the showcase is refused from orders the same way.
async fn insurance_is_never_sold_in_a_live_room(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(20, true).await;
    let mut body = sample_product();
    body["category"] = json!("insurance.travel");
    body["variants"] = json!([{"sku": "TRAVEL-7D", "prices": {"KZT": 500000}}]);
    let r = app
        .post("/api/v1/products", &app.admin, &body)
        .await
        .expect(422);
    assert!(r.text.contains("insurer_url"), "{}", r.text);
    body["insurer_url"] = json!("https://insurer.example/travel");
    let insurance = app.create_product(&body).await;
    assert_eq!(insurance["insurer_url"], "https://insurer.example/travel");
    refused(
        showcase(
            &app,
            &live.host,
            live.session_id,
            insurance["id"].as_i64().expect("id"),
        )
        .await,
        "not_sellable_here",
        "insurer",
    );
    // A link on a product that is not insurance is refused.
    let mut beef = sample_product();
    beef["insurer_url"] = json!("https://insurer.example/");
    app.post("/api/v1/products", &app.admin, &beef)
        .await
        .expect(422);

    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    app.patch(
        &format!("/api/v1/products/{}", live.product_id),
        &app.admin,
        &json!({"category": "insurance.cargo", "insurer_url": "https://insurer.example/cargo"}),
    )
    .await
    .expect(200);
    refused(
        app.order(
            &buyer,
            live.session_id,
            "k-ins",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await,
        "not_sellable_here",
        "insurer",
    );
}

async fn start(app: &TestApp, host: &str) -> silkstream_e2e::Reply {
    let session = app
        .post(
            "/api/v1/sessions",
            host,
            &json!({"title": "Evening", "language": "ru", "markets": ["KZ"]}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("session id");
    app.post(
        &format!("/api/v1/sessions/{session}/start"),
        host,
        &json!({}),
    )
    .await
}

/// No profile, an unverified profile, a verified 15-year-old, a verified host who turns 16
/// today without and then with a guardian's consent, a 17-year-old without consent: each
/// refused or let through as the rules say; a change of details withdraws the verification.
async fn hosts_must_be_verified_and_at_least_16(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    let (host, id) = app.unverified_token("Aru", "host").await;
    refused(start(&app, &host).await, "host_not_verified", "profile");
    app.put(
        "/api/v1/hosts/me/profile",
        &host,
        &json!({"legal_name": "Aruzhan Sarsenova", "birth_date": years_ago(30)}),
    )
    .await
    .expect(200);
    refused(start(&app, &host).await, "host_not_verified", "verified");
    let operator = app.token("operator").await;
    let p = app
        .post(&format!("/api/v1/hosts/{id}/verify"), &operator, &json!({}))
        .await
        .expect(200)
        .body;
    assert_eq!(
        (p["verified"].as_bool(), p["may_go_live"].as_bool()),
        (Some(true), Some(true)),
        "{p}"
    );
    start(&app, &host).await.expect(200);
    // Another host cannot verify anyone.
    app.post(&format!("/api/v1/hosts/{id}/verify"), &host, &json!({}))
        .await
        .expect(403);

    // Changing the birth date withdraws the verification.
    let p = app
        .put(
            "/api/v1/hosts/me/profile",
            &host,
            &json!({"legal_name": "Aruzhan Sarsenova", "birth_date": years_ago(15)}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(p["verified"], false, "{p}");
    app.post(&format!("/api/v1/hosts/{id}/verify"), &operator, &json!({}))
        .await
        .expect(200);
    refused(start(&app, &host).await, "host_not_verified", "at least 16");

    // Exactly 16 today: verified, still needs the guardian's consent.
    let (teen, teen_id) = app.unverified_token("Timur", "host").await;
    let p = app.verify_host(&teen, teen_id, &years_ago(16)).await;
    assert_eq!(p["age"], 16, "{p}");
    refused(start(&app, &teen).await, "host_not_verified", "guardian");
    app.post(
        &format!("/api/v1/hosts/{teen_id}/guardian-consent"),
        &operator,
        &json!({"reference": "consent form 2026/114, signed by the mother"}),
    )
    .await
    .expect(200);
    start(&app, &teen).await.expect(200);

    // 17 without consent is refused; consent is not taken for an adult.
    let (older, older_id) = app.unverified_token("Dana", "host").await;
    let p = app.verify_host(&older, older_id, &years_ago(18)).await;
    assert_eq!(p["age"], 18, "{p}");
    app.post(
        &format!("/api/v1/hosts/{older_id}/guardian-consent"),
        &operator,
        &json!({"reference": "not needed"}),
    )
    .await
    .expect(422);
    let (seventeen, seventeen_id) = app.unverified_token("Erlan", "host").await;
    app.verify_host(&seventeen, seventeen_id, &day_before(&years_ago(17)))
        .await;
    refused(
        start(&app, &seventeen).await,
        "host_not_verified",
        "guardian",
    );
    // A birth date in the future is bad input.
    app.put(
        "/api/v1/hosts/me/profile",
        &seventeen,
        &json!({"legal_name": "Erlan", "birth_date": day(1)}),
    )
    .await
    .expect(422);
}

fn day_before(date: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(date, &format).expect("date") - time::Duration::days(1);
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Merchants are made, renamed (their products' `merchant` follows) and read by the roles
/// allowed; a credential of an unknown kind or with its days reversed is refused; the expiring
/// list shows what ends within the days asked for, soonest first, and not what is revoked or
/// already expired.
async fn merchants_credentials_and_their_expiry_through_the_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let (host, _, product, merchant) = unqualified_setup(&app).await;
    let operator = app.token("operator").await;
    app.get("/api/v1/merchants", &host).await.expect(403);
    app.post(
        "/api/v1/merchants",
        &operator,
        &json!({"name": "X", "country": "KZ"}),
    )
    .await
    .expect(403);
    let m = app
        .post(
            "/api/v1/merchants",
            &app.admin,
            &json!({"name": "Guangzhou Huayan Cosmetics", "country": "CN"}),
        )
        .await
        .expect(201)
        .body;
    app.post(
        "/api/v1/merchants",
        &app.admin,
        &json!({"name": "Guangzhou Huayan Cosmetics", "country": "CN"}),
    )
    .await
    .expect(409);
    app.post(
        "/api/v1/merchants",
        &app.admin,
        &json!({"name": "Y", "country": "XX"}),
    )
    .await
    .expect(422);
    let mid = m["id"].as_i64().expect("id");
    for bad in [
        credential("no_such_kind", "2025-01-01", "2026-01-01", &["KZ"]),
        credential(
            "eaeu_cosmetics_declaration",
            "2026-01-01",
            "2025-01-01",
            &["KZ"],
        ),
        credential(
            "eaeu_cosmetics_declaration",
            "2025-01-01",
            "2026-13-01",
            &["KZ"],
        ),
        credential(
            "eaeu_cosmetics_declaration",
            "2025-01-01",
            "2026-01-01",
            &[],
        ),
    ] {
        app.post(
            &format!("/api/v1/merchants/{mid}/credentials"),
            &app.admin,
            &bad,
        )
        .await
        .expect(422);
    }
    app.post(
        "/api/v1/merchants/999999/credentials",
        &app.admin,
        &credential(
            "eaeu_cosmetics_declaration",
            "2025-01-01",
            "2026-01-01",
            &["KZ"],
        ),
    )
    .await
    .expect(404);
    let soon = add_credential(
        &app,
        mid,
        &credential("vn_cosmetic_notification", &day(-100), &day(10), &["VN"]),
    )
    .await;
    let sooner = add_credential(
        &app,
        mid,
        &credential("th_fda_cosmetic_notification", &day(-100), &day(3), &["TH"]),
    )
    .await;
    add_credential(
        &app,
        mid,
        &credential("cn_nmpa_cosmetics_filing", &day(-100), &day(90), &["CN"]),
    )
    .await;
    add_credential(
        &app,
        mid,
        &credential(
            "my_npra_cosmetic_notification",
            &day(-100),
            &day(-1),
            &["MY"],
        ),
    )
    .await;
    let revoked = add_credential(
        &app,
        mid,
        &credential("ph_fda_cosmetic_notification", &day(-100), &day(5), &["PH"]),
    )
    .await;
    app.post(
        &format!("/api/v1/credentials/{}/revoke", revoked["id"]),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    let expiring = app
        .get("/api/v1/credentials/expiring?within_days=30", &operator)
        .await
        .expect(200)
        .body;
    let ids: Vec<&Value> = expiring
        .as_array()
        .expect("list")
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(ids, vec![&sooner["id"], &soon["id"]], "{expiring}");
    assert_eq!(expiring[0]["days_left"], 3);
    app.get("/api/v1/credentials/expiring?within_days=400", &host)
        .await
        .expect(403);
    app.get("/api/v1/credentials/expiring?within_days=-1", &operator)
        .await
        .expect(422);

    let renamed = app
        .patch(
            &format!("/api/v1/merchants/{merchant}"),
            &app.admin,
            &json!({"name": "Brest Meat Export OJSC"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(renamed["name"], "Brest Meat Export OJSC");
    let p = app
        .get(&format!("/api/v1/products/{product}"), &host)
        .await
        .expect(200)
        .body;
    assert_eq!(
        (&p["merchant"], &p["merchant_id"]),
        (&json!("Brest Meat Export OJSC"), &json!(merchant))
    );
    let rules = app
        .get("/api/v1/regulated-categories", &host)
        .await
        .expect(200)
        .body;
    assert!(rules["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .all(|r| r["source"]["url"].is_string()));
}

/// Two admins revoke the same credential at once: one is told it is revoked, the other 409.
async fn two_revocations_of_one_credential_succeed_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, _, _, merchant) = unqualified_setup(&app).await;
    let c = add_credential(
        &app,
        merchant,
        &credential("eaeu_food_declaration", "2025-01-01", "2029-12-31", &["KZ"]),
    )
    .await;
    let path = format!("/api/v1/credentials/{}/revoke", c["id"]);
    let empty = json!({});
    let (a, b) = tokio::join!(
        app.post(&path, &app.admin, &empty),
        app.post(&path, &app.admin, &empty)
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.text, b.text);
}

/// A database with products of two merchants made before the gate: the migration makes one
/// merchant per distinct name (in its first product's country), and every product answers
/// with its `merchant` and `merchant_id`.
async fn the_migration_gives_existing_products_their_merchants(backend: Backend) {
    let db = TestDb::new(&backend).await;
    sqlx::any::install_default_drivers();
    let url = match backend {
        Backend::Sqlite => format!("{}?mode=rwc", db.url),
        _ => db.url.clone(),
    };
    let pool = sqlx::AnyPool::connect(&url).await.expect("connect");
    let mut before = if matches!(backend, Backend::Sqlite) {
        sqlx::migrate!("../migrations/sqlite")
    } else {
        sqlx::migrate!("../migrations/postgres")
    };
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 20261202000013)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before
        .run(&pool)
        .await
        .expect("the migrations before the gate");
    for (merchant, country) in [
        ("Brest Meat Export LLC", "BY"),
        ("Saryarka Dairy LLP", "KZ"),
        ("Brest Meat Export LLC", "RU"),
    ] {
        sqlx::query(
            "INSERT INTO products (merchant, category, hs_code, origin_country, weight_g, \
             source_locale, title, description, attributes, search_text, source_digest, \
             created_at, updated_at) VALUES ($1, 'food.meat', '020230', $2, 1000, 'ru', 't', \
             'd', '{}', 't', 'x', 1, 1)",
        )
        .bind(merchant)
        .bind(country)
        .execute(&pool)
        .await
        .expect("an old product");
    }
    pool.close().await;
    let app = silkstream_e2e::spawn_app_on(db).await;
    let merchants = app
        .get("/api/v1/merchants", &app.admin)
        .await
        .expect(200)
        .body;
    let names: Vec<(&Value, &Value)> = merchants
        .as_array()
        .expect("merchants")
        .iter()
        .map(|m| (&m["name"], &m["country"]))
        .collect();
    assert_eq!(
        names,
        vec![
            (&json!("Brest Meat Export LLC"), &json!("BY")),
            (&json!("Saryarka Dairy LLP"), &json!("KZ"))
        ]
    );
    let brest = merchants[0]["id"].clone();
    for (id, merchant, merchant_id) in [
        (1, "Brest Meat Export LLC", &brest),
        (2, "Saryarka Dairy LLP", &merchants[1]["id"]),
        (3, "Brest Meat Export LLC", &brest),
    ] {
        let p = app
            .get(&format!("/api/v1/products/{id}"), &app.admin)
            .await
            .expect(200)
            .body;
        assert_eq!(
            (&p["merchant"], &p["merchant_id"]),
            (&json!(merchant), merchant_id),
            "{p}"
        );
    }
    // A new product of a known merchant joins its row; a new name makes a new one.
    let p = app.create_unqualified_product(&sample_product()).await;
    assert_eq!(p["merchant_id"], brest);
}

/// The README's tour of the gate on the demo data: the demo host is verified and goes live;
/// the Guangzhou lipstick (product 8) is refused from a Kazakh showcase for want of the EAEU
/// cosmetics declaration, enters a Vietnamese one on its notification, and once that is revoked
/// its pin is refused.
async fn the_demo_shows_the_gate_refusing_a_pin(backend: Backend) {
    let app = spawn_app(backend).await;
    silkstream_server::demo::load(&app.db)
        .await
        .expect("demo catalog");
    let tokens = silkstream_server::demo::tokens(&app.db)
        .await
        .expect("demo tokens");
    let host = tokens
        .iter()
        .find(|t| t.info.role == silkstream_catalog::auth::Role::Host)
        .expect("a demo host")
        .token
        .clone();
    let profile = app
        .get("/api/v1/hosts/me/profile", &host)
        .await
        .expect(200)
        .body;
    assert_eq!(profile["may_go_live"], true, "{profile}");
    let lipstick = app.get("/api/v1/products/8", &host).await.expect(200).body;
    assert_eq!(lipstick["merchant"], "Guangzhou Huayan Cosmetics Co., Ltd.");
    let open = |markets: Value, language: &'static str| {
        let app = &app;
        let host = host.clone();
        async move {
            app.post(
                "/api/v1/sessions",
                &host,
                &json!({"title": "Beauty hour", "language": language, "markets": markets}),
            )
            .await
            .expect(201)
            .body["id"]
                .as_i64()
                .expect("session id")
        }
    };
    let kz = open(json!(["KZ"]), "ru").await;
    app.post(&format!("/api/v1/sessions/{kz}/start"), &host, &json!({}))
        .await
        .expect(200);
    refused(
        showcase(&app, &host, kz, 8).await,
        "qualification_missing",
        "eaeu_cosmetics_declaration",
    );
    let vn = open(json!(["VN"]), "vi").await;
    showcase(&app, &host, vn, 8).await.expect(200);
    let merchant = app
        .get(
            &format!("/api/v1/merchants/{}", lipstick["merchant_id"]),
            &app.admin,
        )
        .await
        .expect(200)
        .body;
    let notification = merchant["credentials"]
        .as_array()
        .expect("credentials")
        .iter()
        .find(|c| c["kind"] == "vn_cosmetic_notification")
        .expect("the Vietnamese notification")["id"]
        .clone();
    app.post(
        &format!("/api/v1/credentials/{notification}/revoke"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    refused(
        app.post(
            &format!("/api/v1/sessions/{vn}/pin"),
            &host,
            &json!({"product_id": 8}),
        )
        .await,
        "qualification_missing",
        "vn_cosmetic_notification",
    );
}

/// How many statements of this database wait on a row lock, their text starting with `prefix`.
async fn waiting_on_a_lock(app: &TestApp, prefix: &str) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND wait_event_type = 'Lock' AND query LIKE '{prefix}%'"
    ))
    .await
}

/// The gate against a revocation, on PostgreSQL: a regular order has read the merchant's
/// credential in its transaction and waits on the stock row (held by another writer); a
/// revocation of that credential then waits for the order (the gate read it `FOR SHARE`), so the
/// admin is told "revoked" only after the order decided on the credential has committed; the
/// next order is refused. On SQLite one write transaction runs at a time, so the two cannot
/// interleave: the same orders and revocation run one after the other.
async fn a_revocation_waits_for_the_order_that_read_the_credential(backend: Backend) {
    let postgres = matches!(backend, Backend::Postgres { .. });
    let app = std::sync::Arc::new(spawn_app(backend).await);
    let live = app.live_session(20, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    let merchant = app
        .get(&format!("/api/v1/products/{}", live.product_id), &app.admin)
        .await
        .expect(200)
        .body["merchant_id"]
        .as_i64()
        .expect("merchant");
    let food = app
        .get(&format!("/api/v1/merchants/{merchant}"), &app.admin)
        .await
        .expect(200)
        .body["credentials"]
        .as_array()
        .expect("credentials")
        .iter()
        .find(|c| c["kind"] == "eaeu_food_declaration")
        .expect("the declaration")["id"]
        .clone();
    let revoke_path = format!("/api/v1/credentials/{food}/revoke");
    let first = order_body(live.variant_id, 1, "KZT");
    if postgres {
        use sqlx::Connection;
        let mut blocker = sqlx::PgConnection::connect(&app.test_db.url)
            .await
            .expect("a second connection");
        let mut held = blocker.begin().await.expect("begin");
        sqlx::query("UPDATE stock SET available = available WHERE variant_id = $1")
            .bind(live.variant_id)
            .execute(&mut *held)
            .await
            .expect("hold the stock row");
        let order = tokio::spawn({
            let (app, buyer, first) = (app.clone(), buyer.clone(), first.clone());
            async move { app.order(&buyer, live.session_id, "k-race", &first).await }
        });
        eventually(
            Duration::from_secs(10),
            "the order waits on the stock row",
            || {
                let app = app.clone();
                async move { waiting_on_a_lock(&app, "UPDATE stock").await >= 1 }
            },
        )
        .await;
        let revoke = tokio::spawn({
            let (app, path) = (app.clone(), revoke_path.clone());
            async move { app.post(&path, &app.admin, &json!({})).await }
        });
        eventually(
            Duration::from_secs(10),
            "the revocation waits on the credential the open order read",
            || {
                let answered = revoke.is_finished();
                let app = app.clone();
                async move {
                    assert!(
                        !answered,
                        "the revocation was answered while an order that read the credential \
                         was still open"
                    );
                    waiting_on_a_lock(&app, "UPDATE merchant_credentials").await >= 1
                }
            },
        )
        .await;
        held.rollback().await.expect("release the stock row");
        order.await.expect("the order task").expect(201);
        revoke.await.expect("the revocation task").expect(200);
    } else {
        app.order(&buyer, live.session_id, "k-race", &first)
            .await
            .expect(201);
        app.post(&revoke_path, &app.admin, &json!({}))
            .await
            .expect(200);
    }
    refused(
        app.order(&buyer, live.session_id, "k-after", &first).await,
        "qualification_missing",
        "eaeu_food_declaration",
    );
}

/// The review's case: a night cream (HS 330499, heading 3304: skin-care preparations) filed
/// under `appliances.personal_care` by a merchant holding no licence is refused from a Kazakh
/// showcase exactly as the same cream filed under `beauty.skincare` is (409
/// `qualification_missing`, the EAEU cosmetics declaration), the refusal saying that the HS
/// code required it; with the declaration it is shown and pinned, and once the declaration is
/// revoked the pin is refused.
async fn a_night_cream_filed_under_another_category_is_stopped_by_its_hs_code(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    let cream = |sku: &str, category: &str| {
        json!({
            "merchant": "Yiwu Glow Trading Co., Ltd.", "category": category, "hs_code": "330499",
            "origin_country": "CN", "weight_g": 120, "source_locale": "en",
            "title": "Night cream with ceramides, 50 ml", "description": "A rich night cream.",
            "variants": [{"sku": sku, "prices": {"KZT": 890000}}]
        })
    };
    let mislabelled = app
        .create_unqualified_product(&cream("NIGHT-CREAM-50", "appliances.personal_care"))
        .await;
    let labelled = app
        .create_unqualified_product(&cream("NIGHT-CREAM-50-B", "beauty.skincare"))
        .await;
    let host = app.token("host").await;
    let session = app
        .post(
            "/api/v1/sessions",
            &host,
            &json!({"title": "Glow night", "language": "ru", "markets": ["KZ"]}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("session id");
    let id = |p: &Value| p["id"].as_i64().expect("product id");

    let as_beauty = showcase(&app, &host, session, id(&labelled))
        .await
        .expect(409);
    let by_hs = showcase(&app, &host, session, id(&mislabelled)).await;
    let by_hs = by_hs.expect(409);
    assert_eq!(
        (by_hs.code(), as_beauty.code()),
        ("qualification_missing", "qualification_missing")
    );
    let message = by_hs.body["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("eaeu_cosmetics_declaration")
            && message.contains("KZ")
            && message.contains("HS code 330499"),
        "{message}"
    );
    assert!(as_beauty.text.contains("eaeu_cosmetics_declaration"));
    let shown = app
        .get(&format!("/api/v1/sessions/{session}"), &host)
        .await
        .expect(200)
        .body;
    assert_eq!(shown["showcase"], json!([]));

    let held = add_credential(
        &app,
        mislabelled["merchant_id"].as_i64().expect("merchant_id"),
        &credential(
            "eaeu_cosmetics_declaration",
            "2025-01-01",
            "2029-12-31",
            &["KZ", "KG", "RU"],
        ),
    )
    .await;
    showcase(&app, &host, session, id(&mislabelled))
        .await
        .expect(200);
    let pin_path = format!("/api/v1/sessions/{session}/pin");
    let pin_body = json!({"product_id": id(&mislabelled)});
    app.post(&pin_path, &host, &pin_body).await.expect(200);
    app.post(
        &format!("/api/v1/credentials/{}/revoke", held["id"]),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    refused(
        app.post(&pin_path, &host, &pin_body).await,
        "qualification_missing",
        "HS code 330499",
    );
}
