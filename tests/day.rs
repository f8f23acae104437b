//! Numbers an operator can sign (docs/reports.md), on both backends: every CNY figure at the
//! orders' own rates (a rate posted after a sale changes none of its figures), missing rates
//! flagged per report row, hosts grouped by id, one rounding rule, peak viewers that stop at
//! the end, an export that neutralises formulas, and sums that refuse to overflow.

use std::time::Duration;

use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, spawn_app, spawn_app_with, Backend, TestApp};

backend_tests!(
    a_rate_posted_after_the_sale_changes_nothing,
    half_a_fen_rounds_away_from_zero_and_empty_totals_have_two_digits,
    missing_rates_are_flagged_in_every_report_row,
    hosts_named_alike_are_two_report_rows,
    peak_viewers_stop_counting_at_the_end,
    the_export_neutralises_formulas,
    a_total_that_would_overflow_refuses_the_order,
);

const WITHIN: Duration = Duration::from_secs(10);

async fn end(app: &TestApp, host: &str, session_id: i64) -> Value {
    app.post(
        &format!("/api/v1/sessions/{session_id}/end"),
        host,
        &json!({}),
    )
    .await
    .expect(200)
    .body
}

async fn report(app: &TestApp, token: &str, group_by: &str, tz: &str) -> Value {
    app.get(
        &format!("/api/v1/reports/sales?group_by={group_by}&tz={tz}"),
        token,
    )
    .await
    .expect(200)
    .body
}

async fn export(app: &TestApp, token: &str) -> String {
    let resp = app
        .client
        .get(format!("{}/api/v1/orders/export", app.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("export");
    assert_eq!(resp.status().as_u16(), 200);
    resp.text().await.expect("csv")
}

/// A sale's summary, report rows and CNY stay as they were when a new rate is posted for
/// today, after the sale.
async fn a_rate_posted_after_the_sale_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    // 2 × 6299.00 KZT at 0.0142 = 178.8916 CNY → 178.89.
    app.order(
        &buyer,
        live.session_id,
        "k1",
        &silkstream_e2e::order_body(live.variant_id, 2, "KZT"),
    )
    .await
    .expect(201);
    let summary = end(&app, &live.host, live.session_id).await["summary"].clone();
    assert_eq!(summary["gmv_cny"], "178.89", "{summary}");
    let before = report(&app, &live.operator, "session", "UTC").await;
    assert_eq!(before["rows"][0]["gmv_cny"], "178.89", "{before}");

    let today = summary_day(&app, &live.operator).await;
    app.post(
        "/api/v1/rates",
        &app.admin,
        &json!({"currency": "KZT", "rate": "0.0150", "valid_from": today}),
    )
    .await
    .expect(201);
    let after = app
        .get(&format!("/api/v1/sessions/{}", live.session_id), &live.host)
        .await
        .expect(200)
        .body;
    assert_eq!(after["summary"]["gmv_cny"], "178.89", "{after}");
    for group in ["session", "host", "market", "day"] {
        let r = report(&app, &live.operator, group, "UTC").await;
        assert_eq!(r["rows"][0]["gmv_cny"], "178.89", "{group}: {r}");
    }
}

/// Today's date in UTC, as the day report has it.
async fn summary_day(app: &TestApp, operator: &str) -> String {
    let r = report(app, operator, "day", "UTC").await;
    r["rows"][0]["key"].as_str().expect("a day").to_owned()
}

/// 75.00 KZT at 0.0142 is 1.065 CNY: one rule (half away from zero) gives 1.07 everywhere; an
/// empty total is "0.00".
async fn half_a_fen_rounds_away_from_zero_and_empty_totals_have_two_digits(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    let mut body = silkstream_e2e::sample_product();
    body["variants"][0]["prices"] = json!({"CNY": 8900, "KZT": 7500});
    let product = app.create_product(&body).await;
    let product_id = product["id"].as_i64().expect("product");
    let variant_id = product["variants"][0]["id"].as_i64().expect("variant");
    app.put(
        &format!("/api/v1/variants/{variant_id}/stock/KHG-1"),
        &app.admin,
        &json!({"available": 10}),
    )
    .await
    .expect(200);
    let host = app.token("host").await;
    let operator = app.token("operator").await;
    let empty = app.open_session(&host, "nothing sold", product_id, true).await;
    let summary = end(&app, &host, empty).await["summary"].clone();
    assert_eq!(summary["gmv_cny"], "0.00", "{summary}");

    let session = app.open_session(&host, "half a fen", product_id, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    app.order(
        &buyer,
        session,
        "k1",
        &silkstream_e2e::order_body(variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
    let summary = end(&app, &host, session).await["summary"].clone();
    assert_eq!(summary["gmv_cny"], "1.07", "{summary}");
    let r = report(&app, &operator, "market", "UTC").await;
    assert_eq!(r["rows"][0]["gmv_cny"], "1.07", "{r}");
}

/// An order in a currency without a rate is named in its report row's `missing_rates`.
async fn missing_rates_are_flagged_in_every_report_row(backend: Backend) {
    let app = spawn_app(backend).await;
    app.seed_basics().await;
    // KZT has a rate (seed_basics); USD has none.
    app.put(
        "/api/v1/markets/KZ",
        &app.admin,
        &json!({"name": "Kazakhstan", "currencies": ["KZT", "USD"], "locales": ["kk", "ru"],
                "warehouses": ["KHG-1"]}),
    )
    .await
    .expect(200);
    let mut body = silkstream_e2e::sample_product();
    body["variants"][0]["prices"] = json!({"CNY": 8900, "KZT": 629900, "USD": 1250});
    let product = app.create_product(&body).await;
    let product_id = product["id"].as_i64().expect("product");
    let variant_id = product["variants"][0]["id"].as_i64().expect("variant");
    app.put(
        &format!("/api/v1/variants/{variant_id}/stock/KHG-1"),
        &app.admin,
        &json!({"available": 10}),
    )
    .await
    .expect(200);
    let host = app.token("host").await;
    let operator = app.token("operator").await;
    let session = app.open_session(&host, "dollars", product_id, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    app.order(
        &buyer,
        session,
        "k1",
        &silkstream_e2e::order_body(variant_id, 1, "USD"),
    )
    .await
    .expect(201);
    app.order(
        &buyer,
        session,
        "k2",
        &silkstream_e2e::order_body(variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
    for group in ["session", "host", "market", "day"] {
        let r = report(&app, &operator, group, "Asia/Almaty").await;
        let row = &r["rows"][0];
        assert_eq!(row["missing_rates"], json!(["USD"]), "{group}: {r}");
        // 6299.00 KZT at 0.0142 = 89.4458 → 89.45; the dollars are left out, and said to be.
        assert_eq!(row["gmv_cny"], "89.45", "{group}: {r}");
    }
}

/// Two hosts with the same name are two rows of the host report, keyed by id, named beside.
async fn hosts_named_alike_are_two_report_rows(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let other = app.token("host").await;
    let second = app
        .open_session(&other, "same name", live.product_id, true)
        .await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    for (i, session) in [live.session_id, second].into_iter().enumerate() {
        app.order(
            &buyer,
            session,
            &format!("k{i}"),
            &silkstream_e2e::order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(201);
    }
    let r = report(&app, &live.operator, "host", "UTC").await;
    let rows = r["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{r}");
    for row in rows {
        assert_eq!(row["orders"], 1, "{r}");
        assert_eq!(row["name"], "test host", "{r}");
        assert!(row["key"].as_str().is_some_and(|k| k.parse::<i64>().is_ok()), "{r}");
    }
    assert_ne!(rows[0]["key"], rows[1]["key"], "{r}");
}

/// A buyer who opens an ended session's feed does not raise its peak viewers.
async fn peak_viewers_stop_counting_at_the_end(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    end(&app, &live.host, live.session_id).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    let path = format!("/api/v1/sessions/{}/feed", live.session_id);
    let mut feed = app.ws_connect(&path, Some(&buyer)).await;
    // Two ticks: the ticker has finished the round of the first one (which would store the peak).
    feed.next_of_type("tick", WITHIN).await;
    feed.next_of_type("tick", WITHIN).await;
    let session = app
        .get(&format!("/api/v1/sessions/{}", live.session_id), &live.host)
        .await
        .expect(200)
        .body;
    assert_eq!(session["summary"]["peak_viewers"], 0, "{session}");
}

/// Cells a spreadsheet would read as formulas are prefixed with a quote and quoted (OWASP).
async fn the_export_neutralises_formulas(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    let payloads = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "@SUM(A1:A2)",
        "+1+1",
        "-2+3",
    ];
    for (i, tracking) in payloads.iter().enumerate() {
        let id = app
            .order(
                &buyer,
                live.session_id,
                &format!("k{i}"),
                &silkstream_e2e::order_body(live.variant_id, 1, "KZT"),
            )
            .await
            .expect(201)
            .body["order"]["id"]
            .as_i64()
            .expect("order id");
        app.post(&format!("/api/v1/orders/{id}/pay"), &buyer, &json!({}))
            .await
            .expect(200);
        app.post(
            &format!("/api/v1/orders/{id}/ship"),
            &live.operator,
            &json!({"carrier": *tracking, "tracking_number": *tracking}),
        )
        .await
        .expect(200);
    }
    let csv = export(&app, &live.operator).await;
    for tracking in payloads {
        let neutral = format!("\"'{}\"", tracking.replace('"', "\"\""));
        assert!(csv.contains(&neutral), "{tracking} not neutralised in:\n{csv}");
        for line in csv.split("\r\n") {
            for cell in line.split(',') {
                assert!(
                    !cell.starts_with(['=', '@', '+']),
                    "a live formula cell {cell:?} in:\n{csv}"
                );
            }
        }
    }
}

/// Orders at the largest price and quantity: the one that would take the session's GMV past
/// what a total can hold is refused with a clear code, and every figure stays exact.
async fn a_total_that_would_overflow_refuses_the_order(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.orders_per_buyer_per_minute = 100_000).await;
    app.seed_basics().await;
    let max: i64 = 10_000_000_000_000;
    let mut body = silkstream_e2e::sample_product();
    body["variants"][0]["prices"] = json!({"CNY": 8900, "KZT": max});
    let product = app.create_product(&body).await;
    let product_id = product["id"].as_i64().expect("product");
    let variant_id = product["variants"][0]["id"].as_i64().expect("variant");
    app.put(
        &format!("/api/v1/variants/{variant_id}/stock/KHG-1"),
        &app.admin,
        &json!({"available": 1_000_000}),
    )
    .await
    .expect(200);
    let host = app.token("host").await;
    let operator = app.token("operator").await;
    let session = app.open_session(&host, "the largest", product_id, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    // Each order is 10^16 minor units; i64 holds 922 of them.
    let per_order = max * 1000;
    let fits = i64::MAX / per_order;
    let mut confirmed = 0_i64;
    let mut refused = None;
    for i in 0..=fits {
        let reply = app
            .order(
                &buyer,
                session,
                &format!("k{i}"),
                &silkstream_e2e::order_body(variant_id, 1000, "KZT"),
            )
            .await;
        match reply.status.as_u16() {
            201 => confirmed += 1,
            _ => {
                refused = Some(reply);
                break;
            }
        }
    }
    assert_eq!(confirmed, fits);
    let refused = refused.expect("the order past the limit is refused");
    assert!(
        [409, 422].contains(&refused.status.as_u16()),
        "{}",
        refused.text
    );
    assert_eq!(refused.code(), "total_overflow", "{}", refused.text);
    // The same on the flash-sale path (the desk's batch): refused, its units still in the sale.
    let sale = app
        .post(
            &format!("/api/v1/sessions/{session}/flash-sales"),
            &host,
            &json!({"variant_id": variant_id, "quantity": 1000, "per_buyer_limit": 1000,
                    "prices": {"KZT": max}, "countdown_s": 0, "duration_s": 600}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("sale id");
    let flash = app
        .order(
            &buyer,
            session,
            "flash",
            &silkstream_e2e::order_body(variant_id, 1000, "KZT"),
        )
        .await
        .expect(409);
    assert_eq!(flash.code(), "total_overflow", "{}", flash.text);
    let remaining = app
        .get(&format!("/api/v1/flash-sales/{sale}"), &host)
        .await
        .expect(200)
        .body["remaining"]
        .clone();
    assert_eq!(remaining, 1000);
    let summary = end(&app, &host, session).await["summary"].clone();
    assert_eq!(
        summary["gmv"],
        json!([{"currency": "KZT", "amount_minor": per_order * fits}]),
        "{summary}"
    );
    let r = report(&app, &operator, "session", "UTC").await;
    assert_eq!(r["rows"][0]["gmv"][0]["amount_minor"], per_order * fits, "{r}");
    let stock = app
        .scalar(&format!(
            "SELECT available FROM stock WHERE variant_id = {variant_id}"
        ))
        .await;
    assert_eq!(stock, 1_000_000 - 1000 * fits - 1000);
}
