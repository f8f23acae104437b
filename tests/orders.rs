//! Orders and flash sales over HTTP on both backends: cancellation and payment-window expiry
//! give units back to the running sale, idempotency keys, every refusal code with the buyer's
//! localized message, the order lifecycle, regular orders from stock, sales that end and return
//! their units, the session summary, the operators' report and CSV export, and the signup limit.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use silkstream_e2e::{
    backend_tests, eventually, order_body, spawn_app, spawn_app_with, Backend, LiveSetup, TestApp,
};

backend_tests!(
    cancellation_gives_units_back_to_the_running_sale,
    unpaid_orders_expire_and_their_units_sell_again,
    same_key_same_answer_other_content_refused,
    refusals_carry_their_code_and_the_buyers_message,
    order_lifecycle_summary_report_and_export,
    regular_order_takes_stock_and_cancel_returns_it,
    ended_sale_returns_units_to_stock,
    pause_resume_and_restock,
    guest_signups_are_rate_limited,
    ship_to_outside_the_sessions_markets_is_refused,
    an_order_records_the_market_it_ships_to,
    a_ship_to_needs_no_postal_code_where_the_country_uses_none,
    a_guest_sees_the_room_without_a_token_and_no_personal_data,
);

async fn sale_remaining(app: &TestApp, live: &LiveSetup, sale_id: i64) -> i64 {
    app.get(&format!("/api/v1/flash-sales/{sale_id}"), &live.host)
        .await
        .expect(200)
        .body["remaining"]
        .as_i64()
        .expect("remaining")
}

async fn stock(app: &TestApp, variant_id: i64) -> i64 {
    app.scalar(&format!(
        "SELECT available FROM stock WHERE variant_id = {variant_id}"
    ))
    .await
}

/// Units confirmed (orders not cancelled) + remaining in the sale + returned to stock =
/// allocated.
async fn assert_conserved(app: &TestApp, sale_id: i64) {
    let confirmed = app
        .scalar(&format!(
            "SELECT COALESCE(CAST(SUM(quantity) AS BIGINT), 0) FROM orders WHERE sale_id = {sale_id} \
             AND status <> 'cancelled'"
        ))
        .await;
    let (remaining, returned, allocated) = (
        app.scalar(&format!(
            "SELECT remaining FROM flash_sales WHERE id = {sale_id}"
        ))
        .await,
        app.scalar(&format!(
            "SELECT returned FROM flash_sales WHERE id = {sale_id}"
        ))
        .await,
        app.scalar(&format!(
            "SELECT allocated FROM flash_sales WHERE id = {sale_id}"
        ))
        .await,
    );
    assert_eq!(
        confirmed + remaining + returned,
        allocated,
        "confirmed {confirmed} + remaining {remaining} + returned {returned} = allocated"
    );
}

/// A cancelled order's units go back to the running sale, and another buyer can buy them.
async fn cancellation_gives_units_back_to_the_running_sale(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let sale = app.flash_sale(&live, 2, 2).await;
    let (alice, _) = app.buyer("Aigerim", "kk").await;
    let (bob, _) = app.buyer("Bolat", "ru").await;
    let body = order_body(live.variant_id, 2, "KZT");
    let placed = app
        .order(&alice, live.session_id, "a-1", &body)
        .await
        .expect(201);
    assert_eq!(placed.body["remaining"], 0);
    let order_id = placed.body["order"]["id"].as_i64().expect("order id");
    let refused = app
        .order(
            &bob,
            live.session_id,
            "b-1",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(409);
    assert_eq!(refused.code(), "sold_out");

    let cancelled = app
        .post(
            &format!("/api/v1/orders/{order_id}/cancel"),
            &alice,
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(cancelled.body["cancel_reason"], "buyer");
    assert_eq!(sale_remaining(&app, &live, sale).await, 2);
    assert_conserved(&app, sale).await;
    // Cancelling twice changes nothing.
    app.post(
        &format!("/api/v1/orders/{order_id}/cancel"),
        &alice,
        &json!({}),
    )
    .await
    .expect(409);
    assert_eq!(sale_remaining(&app, &live, sale).await, 2);

    // Bob's retry with a new key now succeeds; his per-buyer limit counts from zero.
    let again = app
        .order(
            &bob,
            live.session_id,
            "b-2",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(201);
    assert_eq!(again.body["remaining"], 1);
    // Alice's cancelled units no longer count against her limit of 2.
    app.order(
        &alice,
        live.session_id,
        "a-2",
        &order_body(live.variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
    assert_conserved(&app, sale).await;
    let kinds = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM events WHERE session_id = {} AND kind = 'order_cancelled'",
            live.session_id
        ))
        .await;
    assert_eq!(kinds, 1, "the cancellation is logged once");
    assert_eq!(
        stock(&app, live.variant_id).await,
        8,
        "stock untouched by the sale's churn"
    );
}

/// An order unpaid past the payment window is cancelled by the sweeper; its units return to the
/// running sale and sell again. A paid order is left alone.
async fn unpaid_orders_expire_and_their_units_sell_again(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.payment_window_s = 2;
        s.sweep_interval_ms = 50;
    })
    .await;
    let live = app.live_session(10, true).await;
    let sale = app.flash_sale(&live, 2, 1).await;
    let (payer, _) = app.buyer("Dana", "ru").await;
    let (sleeper, _) = app.buyer("Ermek", "ru").await;
    let (late, _) = app.buyer("Farida", "ru").await;
    let body = order_body(live.variant_id, 1, "KZT");
    let paid = app
        .order(&payer, live.session_id, "p-1", &body)
        .await
        .expect(201)
        .body["order"]["id"]
        .as_i64()
        .expect("id");
    app.pay_through_sandbox(paid, &payer).await;
    let unpaid = app
        .order(&sleeper, live.session_id, "s-1", &body)
        .await
        .expect(201)
        .body["order"]["id"]
        .as_i64()
        .expect("id");
    assert_eq!(
        app.order(&late, live.session_id, "l-1", &body).await.code(),
        "sold_out"
    );

    eventually(
        Duration::from_secs(15),
        "the unpaid order expires",
        || async {
            app.get(&format!("/api/v1/orders/{unpaid}"), &sleeper)
                .await
                .body["status"]
                == "cancelled"
        },
    )
    .await;
    let expired = app
        .get(&format!("/api/v1/orders/{unpaid}"), &sleeper)
        .await
        .expect(200);
    assert_eq!(expired.body["cancel_reason"], "payment_expired");
    assert_eq!(sale_remaining(&app, &live, sale).await, 1);
    let still_paid = app
        .get(&format!("/api/v1/orders/{paid}"), &payer)
        .await
        .expect(200);
    assert_eq!(still_paid.body["status"], "paid");
    // Paying an expired order is refused.
    app.post(
        &format!("/api/v1/orders/{unpaid}/pay"),
        &sleeper,
        &json!({}),
    )
    .await
    .expect(409);
    // The returned unit sells again.
    app.order(&late, live.session_id, "l-2", &body)
        .await
        .expect(201);
    assert_eq!(sale_remaining(&app, &live, sale).await, 0);
    assert_conserved(&app, sale).await;
    let expiries = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM events WHERE session_id = {} AND kind = 'order_cancelled'",
            live.session_id
        ))
        .await;
    assert_eq!(expiries, 1, "the expiry ran once");
}

/// The same key with the same content answers the original order (200); with other content, 422
/// `idempotency_mismatch`; nothing is written by either.
async fn same_key_same_answer_other_content_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let sale = app.flash_sale(&live, 5, 3).await;
    let (buyer, _) = app.buyer("Gulnara", "ru").await;
    let body = order_body(live.variant_id, 2, "KZT");
    let first = app
        .order(&buyer, live.session_id, "same", &body)
        .await
        .expect(201);
    let before = app.feed_fingerprint().await;
    let again = app
        .order(&buyer, live.session_id, "same", &body)
        .await
        .expect(200);
    assert_eq!(again.body["order"]["id"], first.body["order"]["id"]);
    assert_eq!(again.body["replayed"], true);
    let other = app
        .order(
            &buyer,
            live.session_id,
            "same",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(422);
    assert_eq!(other.code(), "idempotency_mismatch");
    assert_eq!(
        app.feed_fingerprint().await,
        before,
        "a replay writes nothing"
    );
    // Keys are per buyer: another buyer may use the same key.
    let (other_buyer, _) = app.buyer("Halima", "ru").await;
    let theirs = app
        .order(&other_buyer, live.session_id, "same", &body)
        .await
        .expect(201);
    assert_ne!(theirs.body["order"]["id"], first.body["order"]["id"]);
    assert_eq!(sale_remaining(&app, &live, sale).await, 1);
}

/// not_live, sale_not_started, sale_paused, limit_reached, sold_out and sale_ended: each a 409
/// with its code and the message in the buyer's language; none writes anything.
async fn refusals_carry_their_code_and_the_buyers_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(50, false).await;
    let (buyer, _) = app.buyer("Ivan", "ru").await;
    let (english, _) = app.buyer("Jane", "en").await;
    let one = order_body(live.variant_id, 1, "KZT");
    let sale = app
        .post(
            &format!("/api/v1/sessions/{}/flash-sales", live.session_id),
            &live.host,
            &json!({"variant_id": live.variant_id, "quantity": 3, "per_buyer_limit": 2,
                    "prices": {"KZT": 450000}, "countdown_s": 3600, "duration_s": 600}),
        )
        .await
        .expect(201);
    let sale_id = sale.body["id"].as_i64().expect("sale id");
    assert_eq!(sale.body["phase"], "countdown");
    let before = app.feed_fingerprint().await;

    let r = app
        .order(&buyer, live.session_id, "k1", &one)
        .await
        .expect(409);
    assert_eq!(r.code(), "not_live");
    assert_eq!(r.body["error"]["localized"]["text"], "Эфир сейчас не идёт.");
    app.post(
        &format!("/api/v1/sessions/{}/start", live.session_id),
        &live.host,
        &json!({}),
    )
    .await
    .expect(200);
    let before_started = app.feed_fingerprint().await;
    let r = app
        .order(&buyer, live.session_id, "k2", &one)
        .await
        .expect(409);
    assert_eq!(r.code(), "sale_not_started");
    assert_eq!(r.body["error"]["localized"]["locale"], "ru");
    let r = app
        .order(&english, live.session_id, "k2", &one)
        .await
        .expect(409);
    assert_eq!(
        r.body["error"]["localized"]["text"],
        "The sale has not started yet."
    );
    assert_eq!(app.feed_fingerprint().await, before_started);
    assert_ne!(before, before_started, "starting is a change");

    // A sale that opens at once, to pause, limit and sell out.
    app.post(
        &format!("/api/v1/flash-sales/{sale_id}/pause"),
        &live.host,
        &json!({}),
    )
    .await
    .expect(200);
    // A second variant's sale opens at once, to limit and sell out.
    let strip = app.stock_second_variant(&live, 10).await;
    let open = app
        .post(
            &format!("/api/v1/sessions/{}/flash-sales", live.session_id),
            &live.host,
            &json!({"variant_id": strip, "quantity": 3, "per_buyer_limit": 2,
                    "prices": {"KZT": 990000, "CNY": 12900}, "countdown_s": 0, "duration_s": 600}),
        )
        .await
        .expect(201);
    let open_id = open.body["id"].as_i64().expect("id");
    let strip_one = order_body(strip, 1, "KZT");
    let r = app
        .order(
            &buyer,
            live.session_id,
            "k3",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(409);
    assert_eq!(r.code(), "sale_paused");
    app.order(&buyer, live.session_id, "k4", &order_body(strip, 2, "KZT"))
        .await
        .expect(201);
    let r = app
        .order(&buyer, live.session_id, "k5", &strip_one)
        .await
        .expect(409);
    assert_eq!(r.code(), "limit_reached");
    assert_eq!(
        r.body["error"]["localized"]["text"],
        "Достигнут лимит: не более 2 шт. на одного покупателя."
    );
    let r = app
        .order(
            &english,
            live.session_id,
            "k6",
            &order_body(strip, 2, "CNY"),
        )
        .await
        .expect(409);
    assert_eq!(r.code(), "sold_out");
    app.order(
        &english,
        live.session_id,
        "k7",
        &order_body(strip, 1, "CNY"),
    )
    .await
    .expect(201);
    let r = app
        .order(&english, live.session_id, "k8", &strip_one)
        .await
        .expect(409);
    assert_eq!(r.code(), "sold_out");

    // Ending the session ends both sales: the paused one gives its 3 units back to stock.
    let before_end = stock(&app, live.variant_id).await;
    app.post(
        &format!("/api/v1/sessions/{}/end", live.session_id),
        &live.operator,
        &json!({}),
    )
    .await
    .expect(200);
    assert_eq!(stock(&app, live.variant_id).await, before_end + 3);
    let r = app
        .order(&buyer, live.session_id, "k9", &strip_one)
        .await
        .expect(409);
    assert_eq!(r.code(), "not_live");
    assert_conserved(&app, sale_id).await;
    assert_conserved(&app, open_id).await;
}

/// confirmed → paid → shipped → delivered; the summary, the report and the CSV export show it.
async fn order_lifecycle_summary_report_and_export(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(20, true).await;
    app.flash_sale(&live, 5, 3).await;
    let (buyer, _) = app.buyer("Kairat", "kk").await;
    let placed = app
        .order(
            &buyer,
            live.session_id,
            "life",
            &order_body(live.variant_id, 2, "KZT"),
        )
        .await
        .expect(201);
    let order = &placed.body["order"];
    let id = order["id"].as_i64().expect("id");
    assert_eq!(order["status"], "confirmed");
    assert_eq!(order["unit_price_minor"], 450000);
    assert_eq!(order["total_minor"], 900000);
    assert_eq!(order["market"], "KZ");
    // The product's default is 1210, but its units leave an ordinary (border) warehouse: the
    // order crosses as a retail parcel.
    assert_eq!(order["customs_mode"], "9610");
    assert_eq!(order["customs_reason"], "retail_parcel");
    assert_eq!(order["warehouse"], "KHG-1");
    assert_eq!(order["ship_to"]["city"], "Almaty");
    assert_eq!(placed.body["message"]["locale"], "kk");
    assert!(
        placed.body["message"]["text"]
            .as_str()
            .expect("message")
            .contains("9\u{a0}000,00"),
        "{}",
        placed.body["message"]
    );

    app.post(
        &format!("/api/v1/orders/{id}/ship"),
        &live.operator,
        &json!({"carrier": "Kazpost", "tracking_number": "RR123456789KZ"}),
    )
    .await
    .expect(409);
    app.pay_through_sandbox(id, &buyer).await;
    let shipped = app
        .post(
            &format!("/api/v1/orders/{id}/ship"),
            &live.operator,
            &json!({"carrier": "Kazpost", "tracking_number": "RR123456789KZ"}),
        )
        .await
        .expect(200);
    assert_eq!(shipped.body["status"], "shipped");
    app.post(&format!("/api/v1/orders/{id}/cancel"), &buyer, &json!({}))
        .await
        .expect(409);
    app.post(
        &format!("/api/v1/orders/{id}/deliver"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    let mine = app.get("/api/v1/orders?mine", &buyer).await.expect(200);
    assert_eq!(mine.body["items"][0]["status"], "delivered");

    let ended = app
        .post(
            &format!("/api/v1/sessions/{}/end", live.session_id),
            &live.host,
            &json!({}),
        )
        .await
        .expect(200)
        .body;
    let summary = &ended["summary"];
    assert_eq!(summary["orders"], 1);
    assert_eq!(summary["units"], 2);
    assert_eq!(
        summary["gmv"],
        json!([{"currency": "KZT", "amount_minor": 900000}])
    );
    // 9000.00 KZT at 0.0142 CNY per tenge.
    assert_eq!(summary["gmv_cny"], "127.80");
    assert_eq!(summary["top_products"][0]["product_id"], live.product_id);
    assert_eq!(summary["peak_viewers"], 0);

    let report = app
        .get(
            "/api/v1/reports/sales?group_by=market&tz=Asia/Almaty",
            &live.operator,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(report["rows"][0]["key"], "KZ");
    assert_eq!(report["rows"][0]["units"], 2);
    assert_eq!(report["rows"][0]["gmv_cny"], "127.80");
    for group in ["session", "host", "day"] {
        let r = app
            .get(
                &format!("/api/v1/reports/sales?group_by={group}&tz=Asia/Shanghai"),
                &app.admin,
            )
            .await
            .expect(200)
            .body;
        assert_eq!(r["rows"].as_array().expect("rows").len(), 1, "{group}: {r}");
    }

    let resp = app
        .client
        .get(format!("{}/api/v1/orders/export", app.base))
        .bearer_auth(&live.operator)
        .send()
        .await
        .expect("export");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .expect("content type")
        .starts_with("text/csv"));
    let csv = resp.text().await.expect("csv");
    let lines: Vec<&str> = csv.split("\r\n").collect();
    // The sixteen columns of old in their places, then the ones for fulfilment and customs.
    assert_eq!(
        lines[0],
        "order_id,created_at,session_id,host,buyer_country,buyer_city,sku,hs_code,quantity,\
         unit_price,total,currency,customs_mode,warehouse,status,tracking_number,host_id,\
         buyer_id,buyer_name,ship_to_name,ship_to_phone,ship_to_country,ship_to_city,\
         ship_to_address,ship_to_postal_code,paid_at,shipped_at,delivered_at,cancelled_at,\
         cancel_reason,carrier,rate_cny,value_cny,payment_status,refund_due,refund_decided_by,orderer_name,orderer_id,\
         customs_reason,mutual_trade_lot"
    );
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(row[0], id.to_string());
    assert_eq!(
        &row[3..16],
        [
            "test host",
            "KZ",
            "Almaty",
            "BEEF-BRISKET-1KG",
            "020230",
            "2",
            "4500.00",
            "9000.00",
            "KZT",
            "9610",
            "KHG-1",
            "delivered",
            "RR123456789KZ"
        ]
    );
    assert_eq!(lines[2], "", "the file ends with CRLF");
}

/// Without a flash sale, an order takes the variant's own price and stock; cancelling it puts
/// the units back in stock.
async fn regular_order_takes_stock_and_cancel_returns_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(4, true).await;
    let (buyer, _) = app.buyer("Laura", "ru").await;
    let placed = app
        .order(
            &buyer,
            live.session_id,
            "r-1",
            &order_body(live.variant_id, 3, "KZT"),
        )
        .await
        .expect(201);
    assert_eq!(placed.body["order"]["unit_price_minor"], 629900);
    assert_eq!(placed.body["order"]["sale_id"], json!(null));
    assert_eq!(stock(&app, live.variant_id).await, 1);
    let r = app
        .order(
            &buyer,
            live.session_id,
            "r-2",
            &order_body(live.variant_id, 2, "KZT"),
        )
        .await
        .expect(409);
    assert_eq!(r.code(), "sold_out");
    let id = placed.body["order"]["id"].as_i64().expect("id");
    app.post(
        &format!("/api/v1/orders/{id}/cancel"),
        &live.operator,
        &json!({}),
    )
    .await
    .expect(200);
    assert_eq!(stock(&app, live.variant_id).await, 4);
}

/// A sale whose time is up ends (lazily on read, or by the sweeper) and returns its unsold units
/// to stock; an order then gets `sale_ended`; a cancellation afterwards goes to stock too.
async fn ended_sale_returns_units_to_stock(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.sweep_interval_ms = 50).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Madina", "ru").await;
    let sale = app
        .post(
            &format!("/api/v1/sessions/{}/flash-sales", live.session_id),
            &live.host,
            &json!({"variant_id": live.variant_id, "quantity": 6, "per_buyer_limit": 5,
                    "prices": {"KZT": 450000}, "countdown_s": 0, "duration_s": 2}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("id");
    assert_eq!(stock(&app, live.variant_id).await, 4);
    let placed = app
        .order(
            &buyer,
            live.session_id,
            "e-1",
            &order_body(live.variant_id, 2, "KZT"),
        )
        .await
        .expect(201);
    let id = placed.body["order"]["id"].as_i64().expect("id");
    eventually(
        Duration::from_secs(15),
        "the sale ends and returns 4 units",
        || async { stock(&app, live.variant_id).await == 8 },
    )
    .await;
    let r = app
        .order(
            &buyer,
            live.session_id,
            "e-2",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(409);
    assert_eq!(r.code(), "sale_ended");
    app.post(&format!("/api/v1/orders/{id}/cancel"), &buyer, &json!({}))
        .await
        .expect(200);
    assert_eq!(
        stock(&app, live.variant_id).await,
        10,
        "after the end, to stock"
    );
    assert_eq!(sale_remaining(&app, &live, sale).await, 0);
    assert_conserved(&app, sale).await;
    let ends = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM events WHERE session_id = {} AND kind = 'sale_ended'",
            live.session_id
        ))
        .await;
    assert_eq!(ends, 1, "the sale ended once");
}

/// Pause and resume flip the phase; restock carves more units out of stock, never more than
/// there are.
async fn pause_resume_and_restock(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let sale = app.flash_sale(&live, 4, 2).await;
    let path = |what: &str| format!("/api/v1/flash-sales/{sale}/{what}");
    let paused = app
        .post(&path("pause"), &live.host, &json!({}))
        .await
        .expect(200);
    assert_eq!(paused.body["phase"], "paused");
    app.post(&path("pause"), &live.host, &json!({}))
        .await
        .expect(409);
    let resumed = app
        .post(&path("resume"), &live.operator, &json!({}))
        .await
        .expect(200);
    assert_eq!(resumed.body["phase"], "running");
    let restocked = app
        .post(&path("restock"), &live.host, &json!({"quantity": 5}))
        .await
        .expect(200);
    assert_eq!(restocked.body["allocated"], 9);
    assert_eq!(restocked.body["remaining"], 9);
    assert_eq!(stock(&app, live.variant_id).await, 1);
    let r = app
        .post(&path("restock"), &live.host, &json!({"quantity": 2}))
        .await
        .expect(409);
    assert_eq!(r.code(), "insufficient_stock");
    let kinds: Vec<String> = app
        .get(
            &format!("/api/v1/sessions/{}/events", live.session_id),
            &live.host,
        )
        .await
        .expect(200)
        .body
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "showcase_added",
            "session_started",
            "sale_opened",
            "sale_paused",
            "sale_resumed",
            "sale_restocked"
        ]
    );
}

/// More guest signups from one address than the limit per minute get 429 `rate_limited`, and
/// write nothing.
async fn guest_signups_are_rate_limited(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.buyer_signups_per_minute = 3).await;
    for i in 0..3 {
        app.buyer(&format!("Nurlan {i}"), "ru").await;
    }
    let before = app.feed_fingerprint().await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/buyers",
            None,
            Some(&json!({"display_name": "Olzhas", "country": "KZ", "city": "Almaty", "locale": "ru"})),
        )
        .await
        .expect(429);
    assert_eq!(r.code(), "rate_limited");
    assert_eq!(app.feed_fingerprint().await, before);
}

/// A buyer in a KZ session cannot ship to the US: 422 `ship_to_not_in_markets`, on the regular
/// path and in a flash sale, and nothing is written.
async fn ship_to_outside_the_sessions_markets_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    let mut body = order_body(live.variant_id, 1, "KZT");
    body["ship_to"]["country"] = json!("US");
    let before = app.feed_fingerprint().await;
    let r = app
        .order(&buyer, live.session_id, "us-1", &body)
        .await
        .expect(422);
    assert_eq!(r.code(), "ship_to_not_in_markets", "{}", r.text);
    assert!(r.text.contains("US") && r.text.contains("KZ"), "{}", r.text);
    assert_eq!(app.feed_fingerprint().await, before, "nothing written");

    app.flash_sale(&live, 5, 2).await;
    let before = app.feed_fingerprint().await;
    let r = app
        .order(&buyer, live.session_id, "us-2", &body)
        .await
        .expect(422);
    assert_eq!(r.code(), "ship_to_not_in_markets", "{}", r.text);
    assert_eq!(app.feed_fingerprint().await, before, "nothing written");
    // Shipped inside the market, the same order is taken.
    app.order(
        &buyer,
        live.session_id,
        "kz-1",
        &order_body(live.variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
}

/// In a session for KZ and KG, a buyer from KZ who ships to KG buys into the KG market: the
/// order records the market it is sold into, the ship-to country.
async fn an_order_records_the_market_it_ships_to(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, false).await;
    app.put(
        "/api/v1/markets/KG",
        &app.admin,
        &json!({"name": "Kyrgyzstan", "currencies": ["KGS"], "locales": ["ky", "ru"],
                "warehouses": ["KHG-1"]}),
    )
    .await
    .expect(200);
    let session = app
        .post(
            "/api/v1/sessions",
            &live.host,
            &json!({"title": "Two markets", "language": "ru", "markets": ["KZ", "KG"]}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("session id");
    app.post(
        &format!("/api/v1/sessions/{session}/showcase"),
        &live.host,
        &json!({"product_id": live.product_id}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/sessions/{session}/start"),
        &live.host,
        &json!({}),
    )
    .await
    .expect(200);
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    let mut to_bishkek = order_body(live.variant_id, 1, "KZT");
    to_bishkek["ship_to"]["country"] = json!("KG");
    to_bishkek["ship_to"]["city"] = json!("Bishkek");
    let placed = app
        .order(&buyer, session, "kg-1", &to_bishkek)
        .await
        .expect(201);
    assert_eq!(placed.body["order"]["market"], "KG", "{}", placed.text);
    let placed = app
        .order(
            &buyer,
            session,
            "kz-1",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(201);
    assert_eq!(placed.body["order"]["market"], "KZ");
    let kg = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM orders WHERE session_id = {session} AND market = 'KG'"
        ))
        .await;
    assert_eq!(kg, 1);
}

/// A ship-to to Myanmar (postal codes little used) may leave the postal code out or empty: the
/// order is taken and keeps it empty; one to Kazakhstan without it is refused, 422 naming
/// `ship_to.postal_code`, with nothing written. `/markets` says which markets need one.
async fn a_ship_to_needs_no_postal_code_where_the_country_uses_none(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, false).await;
    app.put(
        "/api/v1/markets/MM",
        &app.admin,
        &json!({"name": "Myanmar", "currencies": ["MMK"], "locales": ["my"],
                "warehouses": ["KHG-1"]}),
    )
    .await
    .expect(200);
    let markets = app.get("/api/v1/markets", &live.host).await.expect(200);
    let required = |country: &str| {
        markets
            .body
            .as_array()
            .expect("markets")
            .iter()
            .find(|m| m["country"] == country)
            .map(|m| m["postal_code_required"].clone())
    };
    assert_eq!(required("MM"), Some(json!(false)), "{}", markets.text);
    assert_eq!(required("KZ"), Some(json!(true)), "{}", markets.text);
    let session = app
        .post(
            "/api/v1/sessions",
            &live.host,
            &json!({"title": "Two markets", "language": "ru", "markets": ["KZ", "MM"]}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("session id");
    app.post(
        &format!("/api/v1/sessions/{session}/showcase"),
        &live.host,
        &json!({"product_id": live.product_id}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/sessions/{session}/start"),
        &live.host,
        &json!({}),
    )
    .await
    .expect(200);
    let (buyer, _) = app.buyer("Aigerim", "ru").await;

    let mut to_kazakhstan = order_body(live.variant_id, 1, "KZT");
    to_kazakhstan["ship_to"]["postal_code"] = json!("  ");
    let before = app.feed_fingerprint().await;
    let r = app
        .order(&buyer, session, "kz-no-postal", &to_kazakhstan)
        .await
        .expect(422);
    assert_eq!(r.code(), "invalid", "{}", r.text);
    assert!(r.text.contains("ship_to.postal_code"), "{}", r.text);
    assert_eq!(app.feed_fingerprint().await, before, "nothing written");

    for (key, postal) in [("mm-none", None), ("mm-empty", Some(""))] {
        let mut to_yangon = order_body(live.variant_id, 1, "KZT");
        to_yangon["ship_to"]["country"] = json!("MM");
        to_yangon["ship_to"]["city"] = json!("Yangon");
        match postal {
            Some(p) => to_yangon["ship_to"]["postal_code"] = json!(p),
            None => {
                to_yangon["ship_to"]
                    .as_object_mut()
                    .expect("ship_to")
                    .remove("postal_code");
            }
        }
        let placed = app
            .order(&buyer, session, key, &to_yangon)
            .await
            .expect(201);
        assert_eq!(placed.body["order"]["market"], "MM", "{}", placed.text);
        assert_eq!(
            placed.body["order"]["ship_to"]["postal_code"], "",
            "{}",
            placed.text
        );
    }
}

/// Before joining, a guest reads the room with no token: the session as buyers see it (the
/// pinned product's id, the sale with its KZT price, sold and left), the pinned product in
/// Kazakh priced in KZT, the session's markets; nothing of who ordered or where to. The
/// session's own read still needs a token; an unknown session is 404.
async fn a_guest_sees_the_room_without_a_token_and_no_personal_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    app.post(
        &format!("/api/v1/sessions/{}/pin", live.session_id),
        &live.host,
        &json!({"product_id": live.product_id}),
    )
    .await
    .expect(200);
    app.flash_sale(&live, 5, 2).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    app.order(
        &buyer,
        live.session_id,
        "room-1",
        &order_body(live.variant_id, 2, "KZT"),
    )
    .await
    .expect(201);

    let path = format!(
        "/api/v1/sessions/{}/room?locale=kk&currency=KZT",
        live.session_id
    );
    let room = app
        .request(Method::GET, &path, None, None)
        .await
        .expect(200);
    let body = &room.body;
    assert_eq!(body["session"]["id"], live.session_id, "{}", room.text);
    assert_eq!(body["session"]["pinned_product_id"], live.product_id);
    assert_eq!(body["session"]["sale"]["prices"]["KZT"], 450000);
    assert_eq!(body["session"]["sale"]["sold"], 2);
    assert_eq!(body["session"]["sale"]["remaining"], 3);
    assert_eq!(body["product"]["id"], live.product_id);
    assert_eq!(
        body["product"]["localized"]["title"]["locale"]
            .as_str()
            .map(|l| !l.is_empty()),
        Some(true)
    );
    assert_eq!(
        body["product"]["variants"][0]["price"]["currency"], "KZT",
        "{}",
        room.text
    );
    assert_eq!(body["markets"][0]["country"], "KZ");
    assert_eq!(body["markets"][0]["postal_code_required"], true);
    for private in ["Aigerim", "+7 701", "Abay Ave", "050000", "ship_to"] {
        assert!(
            !room.text.contains(private),
            "{private} in the public room: {}",
            room.text
        );
    }

    app.request(
        Method::GET,
        &format!("/api/v1/sessions/{}", live.session_id),
        None,
        None,
    )
    .await
    .expect(401);
    app.request(Method::GET, "/api/v1/sessions/999999/room", None, None)
        .await
        .expect(404);
    app.request(
        Method::GET,
        &format!("/api/v1/sessions/{}/room?locale=xx", live.session_id),
        None,
        None,
    )
    .await
    .expect(422);
}
