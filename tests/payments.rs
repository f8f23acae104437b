//! Payments on both backends: a buyer's `POST /orders/{id}/pay` only starts a payment; the order
//! becomes paid on the provider's callback alone, signed with the provider's secret over the raw
//! body, within the timestamp window, once per provider transaction, for the order's amount and
//! currency (docs/payments.md). The sandbox provider signs its own callbacks.

use std::time::Duration;

use serde_json::{json, Value};
use silkstream_e2e::{
    backend_tests, callback_signature, eventually, order_body, spawn_app, spawn_app_with, unix_now,
    Backend, LiveSetup, TestApp, SANDBOX_SECRET,
};

backend_tests!(
    a_buyer_starts_a_payment_and_only_the_provider_completes_it,
    a_callback_without_a_good_signature_is_refused,
    a_stale_callback_is_refused,
    a_replayed_callback_answers_the_same_and_changes_nothing,
    an_amount_or_currency_mismatch_is_refused_and_recorded,
    money_for_a_cancelled_order_is_refused_and_kept_for_refund,
    money_after_the_payment_window_is_refused_and_kept_for_refund,
    eight_copies_of_a_callback_at_once_pay_once,
    without_a_provider_no_payment_starts,
    a_buyer_cannot_cancel_a_paid_order,
    cancelling_a_paid_order_records_the_refund,
    a_cancel_racing_a_payment_never_loses_the_money,
    a_mismatched_payment_is_refund_due_and_listed,
    every_signed_callback_is_recorded,
    the_sandbox_is_off_unless_switched_on,
    the_sandbox_checks_the_role_before_the_path,
);

/// A live session and a confirmed regular order of 2 units by a new buyer: the setup, the
/// buyer's token and the order id.
async fn confirmed_order(app: &TestApp) -> (LiveSetup, String, i64) {
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    let id = app
        .order(
            &buyer,
            live.session_id,
            "pay-1",
            &order_body(live.variant_id, 2, "KZT"),
        )
        .await
        .expect(201)
        .body["order"]["id"]
        .as_i64()
        .expect("order id");
    (live, buyer, id)
}

async fn order_status(app: &TestApp, id: i64) -> String {
    app.get(&format!("/api/v1/orders/{id}"), &app.admin)
        .await
        .expect(200)
        .body["status"]
        .as_str()
        .expect("status")
        .to_owned()
}

async fn paid_events(app: &TestApp, id: i64) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM events WHERE kind = 'order_paid' \
         AND payload LIKE '%\"order_id\":{id}%'"
    ))
    .await
}

async fn payment_status(app: &TestApp, payment_id: i64) -> String {
    for status in ["pending", "paid", "failed", "refund_due"] {
        let n = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM payments WHERE id = {payment_id} AND status = '{status}'"
            ))
            .await;
        if n == 1 {
            return status.to_owned();
        }
    }
    panic!("payment {payment_id} has no known status")
}

/// The buyer's `pay` starts a payment (the same open one when repeated) and the order stays
/// confirmed; the buyer cannot complete it through the sandbox; the sandbox's signed callback
/// pays it, once, with one `order_paid` event; then `pay` is refused (409).
async fn a_buyer_starts_a_payment_and_only_the_provider_completes_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let (live, buyer, id) = confirmed_order(&app).await;

    let payment = app.start_payment(id, &buyer).await;
    assert_eq!(
        order_status(&app, id).await,
        "confirmed",
        "saying so does not pay: {payment}"
    );
    assert_eq!(paid_events(&app, id).await, 0);
    assert_eq!(payment["order_id"], id);
    assert_eq!(payment["provider"], "sandbox");
    assert_eq!(payment["status"], "pending");
    assert_eq!(payment["amount_minor"], 1_259_800);
    assert_eq!(payment["currency"], "KZT");
    assert!(
        payment["instructions"]
            .as_str()
            .is_some_and(|i| i.contains("/complete")),
        "{payment}"
    );
    let payment_id = payment["id"].as_i64().expect("payment id");
    let again = app.start_payment(id, &buyer).await;
    assert_eq!(again["id"], payment_id, "the same open attempt");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM payments").await, 1);

    // The buyer (or another host) cannot make the provider say so either.
    let complete = format!("/api/v1/payments/sandbox/{payment_id}/complete");
    app.post(&complete, &buyer, &json!({})).await.expect(403);
    let other_host = app.token("host").await;
    app.post(&complete, &other_host, &json!({}))
        .await
        .expect(403);
    assert_eq!(order_status(&app, id).await, "confirmed");

    // A failed payment leaves the order confirmed; paying again starts a new attempt.
    let failed = app
        .post(
            &format!("/api/v1/payments/sandbox/{payment_id}/fail"),
            &live.operator,
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(failed.body["outcome"], "failed", "{}", failed.text);
    assert_eq!(order_status(&app, id).await, "confirmed");
    assert_eq!(payment_status(&app, payment_id).await, "failed");
    let payment = app.start_payment(id, &buyer).await;
    let payment_id = payment["id"].as_i64().expect("payment id");
    assert_ne!(
        payment_id,
        again["id"].as_i64().expect("id"),
        "a new attempt"
    );

    // The session's host triggers the sandbox, which sends its signed callback.
    let complete = format!("/api/v1/payments/sandbox/{payment_id}/complete");
    let paid = app
        .post(&complete, &live.host, &json!({}))
        .await
        .expect(200);
    assert_eq!(paid.body["outcome"], "paid", "{}", paid.text);
    assert_eq!(paid.body["order_status"], "paid");
    assert_eq!(order_status(&app, id).await, "paid");
    assert_eq!(payment_status(&app, payment_id).await, "paid");
    assert_eq!(paid_events(&app, id).await, 1);
    let recorded = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM payments WHERE id = {payment_id} AND provider = 'sandbox' \
             AND transaction_id IS NOT NULL AND amount_minor = 1259800 AND currency = 'KZT' \
             AND completed_at IS NOT NULL"
        ))
        .await;
    assert_eq!(
        recorded, 1,
        "provider, transaction, amount, currency and time"
    );

    let refused = app
        .post(&format!("/api/v1/orders/{id}/pay"), &buyer, &json!({}))
        .await
        .expect(409);
    assert_eq!(refused.code(), "conflict");
}

/// No signature, a malformed one, the wrong secret, a body changed after signing: 401, and
/// nothing is recorded or paid. An unknown provider: 404.
async fn a_callback_without_a_good_signature_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, buyer, id) = confirmed_order(&app).await;
    let payment = app.start_payment(id, &buyer).await;
    let body = TestApp::callback_body(&payment, "tx-1", "succeeded", |_| {});
    let now = unix_now();
    let before = app.feed_fingerprint().await;

    let none = app.callback("sandbox", &body, None).await.expect(401);
    assert_eq!(none.code(), "bad_signature", "{}", none.text);
    for header in [
        "garbage".to_owned(),
        format!("t={now}"),
        format!("t=abc,v1={}", "00".repeat(32)),
        callback_signature("not-the-secret", now, &body),
        callback_signature(SANDBOX_SECRET, now, &body.replace("tx-1", "tx-2")),
    ] {
        let r = app
            .callback("sandbox", &body, Some(&header))
            .await
            .expect(401);
        assert_eq!(r.code(), "bad_signature", "{header}: {}", r.text);
    }
    // A bearer token is no signature.
    let with_token = app
        .request(
            reqwest::Method::POST,
            "/api/v1/payments/sandbox/callback",
            Some(&buyer),
            Some(&serde_json::from_str::<Value>(&body).expect("json")),
        )
        .await
        .expect(401);
    assert_eq!(with_token.code(), "bad_signature");
    let good = callback_signature(SANDBOX_SECRET, now, &body);
    app.callback("nopay", &body, Some(&good)).await.expect(404);

    assert_eq!(app.feed_fingerprint().await, before, "nothing written");
    assert_eq!(order_status(&app, id).await, "confirmed");
}

/// A callback signed too long ago (or too far ahead) is refused even with a good signature:
/// a captured callback cannot be sent again later.
async fn a_stale_callback_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, buyer, id) = confirmed_order(&app).await;
    let payment = app.start_payment(id, &buyer).await;
    let body = TestApp::callback_body(&payment, "tx-old", "succeeded", |_| {});
    let before = app.feed_fingerprint().await;
    for skew in [-600, 600] {
        let signature = callback_signature(SANDBOX_SECRET, unix_now() + skew, &body);
        let r = app
            .callback("sandbox", &body, Some(&signature))
            .await
            .expect(401);
        assert_eq!(r.code(), "stale_signature", "{}", r.text);
    }
    assert_eq!(app.feed_fingerprint().await, before, "nothing written");
    // Within the window it pays.
    let signature = callback_signature(SANDBOX_SECRET, unix_now() - 60, &body);
    app.callback("sandbox", &body, Some(&signature))
        .await
        .expect(200);
    assert_eq!(order_status(&app, id).await, "paid");
}

/// The same callback again (the provider retries, or someone replays it within the window)
/// answers exactly as the first time and changes nothing, even after the order moved on.
async fn a_replayed_callback_answers_the_same_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (live, buyer, id) = confirmed_order(&app).await;
    let payment = app.start_payment(id, &buyer).await;
    let body = TestApp::callback_body(&payment, "tx-replay", "succeeded", |_| {});
    let signature = callback_signature(SANDBOX_SECRET, unix_now(), &body);
    let first = app
        .callback("sandbox", &body, Some(&signature))
        .await
        .expect(200);
    assert_eq!(first.body["outcome"], "paid");
    app.post(
        &format!("/api/v1/orders/{id}/ship"),
        &live.operator,
        &json!({"carrier": "Kazpost", "tracking_number": "RR1KZ"}),
    )
    .await
    .expect(200);
    let before = app.feed_fingerprint().await;
    for _ in 0..3 {
        let again = app
            .callback("sandbox", &body, Some(&signature))
            .await
            .expect(200);
        assert_eq!(again.body, first.body, "the same answer");
    }
    assert_eq!(app.feed_fingerprint().await, before, "nothing written");
    assert_eq!(paid_events(&app, id).await, 1);
    assert_eq!(order_status(&app, id).await, "shipped");
}

/// A callback whose amount or currency is not the order's is refused (422
/// `payment_mismatch`), recorded for refund, and the order stays unpaid; the right payment
/// then pays it.
async fn an_amount_or_currency_mismatch_is_refused_and_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, buyer, id) = confirmed_order(&app).await;
    let payment = app.start_payment(id, &buyer).await;
    let short = TestApp::callback_body(&payment, "tx-short", "succeeded", |b| {
        b["amount_minor"] = json!(100);
    });
    let yuan = TestApp::callback_body(&payment, "tx-cny", "succeeded", |b| {
        b["currency"] = json!("CNY");
    });
    for body in [&short, &yuan] {
        let r = app.signed_callback(body).await.expect(422);
        assert_eq!(r.code(), "payment_mismatch", "{}", r.text);
        // Refused again, the same way, when retried.
        let again = app.signed_callback(body).await.expect(422);
        assert_eq!(again.body, r.body);
    }
    assert_eq!(order_status(&app, id).await, "confirmed");
    assert_eq!(paid_events(&app, id).await, 0);
    let recorded = app
        .scalar(
            "SELECT COUNT(*) FROM payment_callbacks WHERE outcome = 'mismatch' \
             AND ((transaction_id = 'tx-short' AND amount_minor = 100) \
               OR (transaction_id = 'tx-cny' AND currency = 'CNY'))",
        )
        .await;
    assert_eq!(
        recorded, 2,
        "both recorded, with what the provider reported"
    );

    let right = TestApp::callback_body(&payment, "tx-right", "succeeded", |_| {});
    app.signed_callback(&right).await.expect(200);
    assert_eq!(order_status(&app, id).await, "paid");
}

/// Money for an order cancelled meanwhile: 409 `order_not_payable`, the order stays cancelled,
/// no `order_paid`, and the payment is `refund_due` with the provider's transaction.
async fn money_for_a_cancelled_order_is_refused_and_kept_for_refund(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, buyer, id) = confirmed_order(&app).await;
    let payment = app.start_payment(id, &buyer).await;
    let payment_id = payment["id"].as_i64().expect("id");
    app.post(&format!("/api/v1/orders/{id}/cancel"), &buyer, &json!({}))
        .await
        .expect(200);
    let r = app
        .post(
            &format!("/api/v1/payments/sandbox/{payment_id}/complete"),
            &app.admin,
            &json!({}),
        )
        .await
        .expect(409);
    assert_eq!(r.code(), "order_not_payable", "{}", r.text);
    assert!(r.text.contains("refund"), "{}", r.text);
    assert_eq!(order_status(&app, id).await, "cancelled");
    assert_eq!(paid_events(&app, id).await, 0);
    assert_eq!(payment_status(&app, payment_id).await, "refund_due");
    let kept = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM payment_callbacks WHERE payment_id = {payment_id} \
             AND outcome = 'refund_due' AND amount_minor = 1259800"
        ))
        .await;
    assert_eq!(kept, 1);
}

/// Money that comes after the order's payment window (before the sweeper cancelled it) does not
/// pay it: the paid transition needs the window, as it always did.
async fn money_after_the_payment_window_is_refused_and_kept_for_refund(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.payment_window_s = 3;
        // The sweeper never comes round in this test: the order stays confirmed, past its
        // window.
        s.sweep_interval_ms = 3_600_000;
    })
    .await;
    let (_, buyer, id) = confirmed_order(&app).await;
    let payment = app.start_payment(id, &buyer).await;
    let payment_id = payment["id"].as_i64().expect("id");
    eventually(
        Duration::from_secs(10),
        "the payment window passes",
        || async {
            let now_ms = unix_now() * 1000;
            app.scalar(&format!(
                "SELECT COUNT(*) FROM orders WHERE id = {id} AND pay_by < {now_ms}"
            ))
            .await
                == 1
        },
    )
    .await;
    let body = TestApp::callback_body(&payment, "tx-late", "succeeded", |_| {});
    let r = app.signed_callback(&body).await.expect(409);
    assert_eq!(r.code(), "order_not_payable", "{}", r.text);
    assert_eq!(order_status(&app, id).await, "confirmed");
    assert_eq!(payment_status(&app, payment_id).await, "refund_due");
    assert_eq!(paid_events(&app, id).await, 0);
}

/// The same signed callback delivered 8 times at once: every delivery gets the same answer and
/// the order is paid once, with one `order_paid` event and one recorded transaction.
async fn eight_copies_of_a_callback_at_once_pay_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, buyer, id) = confirmed_order(&app).await;
    let payment = app.start_payment(id, &buyer).await;
    let body = TestApp::callback_body(&payment, "tx-8", "succeeded", |_| {});
    let signature = callback_signature(SANDBOX_SECRET, unix_now(), &body);
    for round in 0..5 {
        let copies = (0..8).map(|_| app.callback("sandbox", &body, Some(&signature)));
        let replies = futures_util::future::join_all(copies).await;
        for r in &replies {
            assert_eq!(r.status.as_u16(), 200, "round {round}: {}", r.text);
            assert_eq!(r.body, replies[0].body, "round {round}: one answer");
        }
    }
    assert_eq!(paid_events(&app, id).await, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM payment_callbacks").await,
        1
    );
    assert_eq!(order_status(&app, id).await, "paid");
}

/// Without a provider's secret (a production server not yet configured), a payment cannot
/// start (503 `payment_unavailable`) and the sandbox's callback route knows no such provider.
async fn without_a_provider_no_payment_starts(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.payment_sandbox = false;
        s.payment_sandbox_secret = None;
    })
    .await;
    let (_, buyer, id) = confirmed_order(&app).await;
    let r = app
        .post(&format!("/api/v1/orders/{id}/pay"), &buyer, &json!({}))
        .await
        .expect(503);
    assert_eq!(r.code(), "payment_unavailable", "{}", r.text);
    let body = json!({"payment_id": 1, "transaction_id": "x", "status": "succeeded",
        "amount_minor": 1, "currency": "KZT"})
    .to_string();
    let signature = callback_signature(SANDBOX_SECRET, unix_now(), &body);
    app.callback("sandbox", &body, Some(&signature))
        .await
        .expect(404);
    assert_eq!(order_status(&app, id).await, "confirmed");
}

/// A paid order (the buyer starts a payment, the admin completes it through the sandbox): the
/// setup, the buyer, the order id and the payment id.
async fn paid_order(app: &TestApp) -> (LiveSetup, String, i64, i64) {
    let (live, buyer, id) = confirmed_order(app).await;
    let payment = app.start_payment(id, &buyer).await;
    let payment_id = payment["id"].as_i64().expect("payment id");
    app.post(
        &format!("/api/v1/payments/sandbox/{payment_id}/complete"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    (live, buyer, id, payment_id)
}

async fn stock_of(app: &TestApp, variant_id: i64) -> i64 {
    app.scalar(&format!(
        "SELECT CAST(COALESCE(SUM(available), 0) AS BIGINT) FROM stock WHERE variant_id = {variant_id}"
    ))
    .await
}

/// The money owed back, as operators list it (`GET /api/v1/payments/refunds`).
async fn refunds(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/api/v1/payments/refunds{query}"), &app.admin)
        .await
        .expect(200)
        .body
}

/// A buyer cannot cancel an order they paid for (the money would be recorded nowhere): 409
/// `order_paid`, and nothing changes: the order and its payment stay paid, the units stay sold.
async fn a_buyer_cannot_cancel_a_paid_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let (live, buyer, id, payment_id) = paid_order(&app).await;
    let stock = stock_of(&app, live.variant_id).await;
    let before = app.feed_fingerprint().await;
    let r = app
        .post(&format!("/api/v1/orders/{id}/cancel"), &buyer, &json!({}))
        .await
        .expect(409);
    assert_eq!(r.code(), "order_paid", "{}", r.text);
    assert!(r.text.contains("refund"), "{}", r.text);
    assert_eq!(app.feed_fingerprint().await, before, "nothing written");
    assert_eq!(order_status(&app, id).await, "paid");
    assert_eq!(payment_status(&app, payment_id).await, "paid");
    assert_eq!(stock_of(&app, live.variant_id).await, stock);
    // The buyer still cancels an unpaid order.
    let (buyer2, _) = app.buyer("Dana", "ru").await;
    let unpaid = app
        .order(
            &buyer2,
            live.session_id,
            "pay-2",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(201)
        .body["order"]["id"]
        .as_i64()
        .expect("order id");
    app.post(
        &format!("/api/v1/orders/{unpaid}/cancel"),
        &buyer2,
        &json!({}),
    )
    .await
    .expect(200);
}

/// An operator's cancel of a paid order, or the refund route (the session's host, an operator
/// or an admin; never a buyer): the order is cancelled, its units return, the payment is
/// `refund_due`, and the money owed is listed with who decided it; the export shows it and
/// the sales report no longer counts the order.
async fn cancelling_a_paid_order_records_the_refund(backend: Backend) {
    let app = spawn_app(backend).await;
    let (live, buyer, id, payment_id) = paid_order(&app).await;
    let stock = stock_of(&app, live.variant_id).await;
    let cancelled = app
        .post(
            &format!("/api/v1/orders/{id}/cancel"),
            &live.operator,
            &json!({}),
        )
        .await
        .expect(200);
    assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.text);
    assert_eq!(payment_status(&app, payment_id).await, "refund_due");
    assert_eq!(
        stock_of(&app, live.variant_id).await,
        stock + 2,
        "units back"
    );
    let owed = refunds(&app, "").await;
    assert_eq!(owed["total"], 1, "{owed}");
    assert_eq!(owed["page"], 1, "{owed}");
    let item = &owed["items"][0];
    assert_eq!(item["order_id"], id, "{item}");
    assert_eq!(item["payment_id"], payment_id, "{item}");
    assert_eq!(item["reason"], "order_cancelled", "{item}");
    assert_eq!(item["amount_minor"], 1_259_800, "{item}");
    assert_eq!(item["currency"], "KZT", "{item}");
    assert_eq!(item["payment_status"], "refund_due", "{item}");
    assert!(item["transaction_id"].is_string(), "{item}");
    assert!(
        item["decided_by"]
            .as_str()
            .is_some_and(|d| d.contains("operator")),
        "{item}"
    );

    // The refund route: a buyer may not, another host may not, the session's host may.
    let (_, other_buyer, second, second_payment) = {
        let (buyer2, _) = app.buyer("Dana", "ru").await;
        let second = app
            .order(
                &buyer2,
                live.session_id,
                "pay-2",
                &order_body(live.variant_id, 1, "KZT"),
            )
            .await
            .expect(201)
            .body["order"]["id"]
            .as_i64()
            .expect("order id");
        let payment = app.start_payment(second, &buyer2).await;
        let pid = payment["id"].as_i64().expect("id");
        app.post(
            &format!("/api/v1/payments/sandbox/{pid}/complete"),
            &live.host,
            &json!({}),
        )
        .await
        .expect(200);
        (live.session_id, buyer2, second, pid)
    };
    let refund = format!("/api/v1/orders/{second}/refund");
    app.post(&refund, &other_buyer, &json!({}))
        .await
        .expect(403);
    app.post(&refund, &buyer, &json!({})).await.expect(403);
    let other_host = app.token("host").await;
    app.post(&refund, &other_host, &json!({})).await.expect(404);
    let refunded = app.post(&refund, &live.host, &json!({})).await.expect(200);
    assert_eq!(refunded.body["status"], "cancelled", "{}", refunded.text);
    assert_eq!(payment_status(&app, second_payment).await, "refund_due");
    let again = app.post(&refund, &live.host, &json!({})).await.expect(409);
    assert_eq!(again.code(), "conflict", "{}", again.text);
    // A confirmed (unpaid) order has nothing to refund.
    let (buyer3, _) = app.buyer("Erlan", "ru").await;
    let unpaid = app
        .order(
            &buyer3,
            live.session_id,
            "pay-3",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(201)
        .body["order"]["id"]
        .as_i64()
        .expect("order id");
    let r = app
        .post(
            &format!("/api/v1/orders/{unpaid}/refund"),
            &live.operator,
            &json!({}),
        )
        .await
        .expect(409);
    assert_eq!(r.code(), "conflict", "{}", r.text);
    assert_eq!(order_status(&app, unpaid).await, "confirmed");

    let owed = refunds(&app, &format!("?order_id={second}")).await;
    assert_eq!(owed["total"], 1, "{owed}");
    assert_eq!(owed["items"][0]["amount_minor"], 629_900, "{owed}");
    assert!(
        owed["items"][0]["decided_by"]
            .as_str()
            .is_some_and(|d| d.contains("host")),
        "{owed}"
    );
    assert_eq!(refunds(&app, "").await["total"], 2);

    // The export says what is owed; the sales report counts neither order.
    let csv = app
        .get("/api/v1/orders/export", &app.admin)
        .await
        .expect(200)
        .text;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    // Counted from the end of the line: these columns are the last ones, after cells that
    // may hold quoted commas.
    let col = |name: &str| {
        header.len()
            - header
                .iter()
                .position(|h| *h == name)
                .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    let (refund_col, by_col, pay_col) = (
        col("refund_due"),
        col("refund_decided_by"),
        col("payment_status"),
    );
    let row: Vec<&str> = lines
        .find(|l| l.starts_with(&format!("{id},")))
        .expect("the order's row")
        .split(',')
        .collect();
    let cell = |from_end: usize| row[row.len() - from_end];
    assert_eq!(cell(refund_col), "12598.00", "{row:?}");
    assert_eq!(cell(pay_col), "refund_due", "{row:?}");
    assert!(cell(by_col).contains("operator"), "{row:?}");
    let report = app
        .get("/api/v1/reports/sales?group_by=session", &app.admin)
        .await
        .expect(200)
        .body;
    let orders: i64 = report["rows"]
        .as_array()
        .map(|rows| rows.iter().map(|r| r["orders"].as_i64().unwrap_or(0)).sum())
        .unwrap_or(0);
    assert_eq!(orders, 1, "only the unpaid order counts: {report}");
    assert_eq!(
        report["refunds_due"],
        json!([{"currency": "KZT", "amount_minor": 1_259_800 + 629_900}]),
        "{report}"
    );
}

/// A cancel racing the provider's callback, on the session's lock: either the order is paid
/// (and the buyer's cancel refused) or it is cancelled and the money is recorded as owed;
/// never a cancelled order whose payment is paid with nothing owed.
async fn a_cancel_racing_a_payment_never_loses_the_money(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(100, true).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    for round in 0..12 {
        let id = app
            .order(
                &buyer,
                live.session_id,
                &format!("race-{round}"),
                &order_body(live.variant_id, 1, "KZT"),
            )
            .await
            .expect(201)
            .body["order"]["id"]
            .as_i64()
            .expect("order id");
        let payment = app.start_payment(id, &buyer).await;
        let payment_id = payment["id"].as_i64().expect("id");
        let canceller = if round % 2 == 0 {
            &buyer
        } else {
            &live.operator
        };
        let cancel_path = format!("/api/v1/orders/{id}/cancel");
        let complete_path = format!("/api/v1/payments/sandbox/{payment_id}/complete");
        let empty = json!({});
        let (cancel, complete) = tokio::join!(
            app.post(&cancel_path, canceller, &empty),
            app.post(&complete_path, &app.admin, &empty),
        );
        let status = order_status(&app, id).await;
        let paid = payment_status(&app, payment_id).await;
        let owed = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM refunds WHERE order_id = {id}"
            ))
            .await;
        match status.as_str() {
            "paid" => {
                assert_eq!(
                    cancel.status.as_u16(),
                    409,
                    "round {round}: {}",
                    cancel.text
                );
                assert_eq!(cancel.code(), "order_paid", "round {round}");
                assert_eq!(paid, "paid", "round {round}");
                assert_eq!(owed, 0, "round {round}");
            }
            "cancelled" => {
                assert_eq!(
                    cancel.status.as_u16(),
                    200,
                    "round {round}: {}",
                    cancel.text
                );
                assert_eq!(paid, "refund_due", "round {round}: {}", complete.text);
                assert_eq!(owed, 1, "round {round}: the money is owed, once");
            }
            other => panic!("round {round}: order {id} is {other}"),
        }
    }
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM orders o JOIN payments p ON p.order_id = o.id \
             WHERE o.status = 'cancelled' AND p.status = 'paid'"
        )
        .await,
        0,
        "no cancelled order keeps a paid payment"
    );
}

/// Money whose amount or currency is not the order's makes the payment `refund_due`; operators
/// list what is owed with filters, a page at a time; nobody else may read the list.
async fn a_mismatched_payment_is_refund_due_and_listed(backend: Backend) {
    let app = spawn_app(backend).await;
    let (live, buyer, id) = confirmed_order(&app).await;
    let payment = app.start_payment(id, &buyer).await;
    let payment_id = payment["id"].as_i64().expect("id");
    let short = TestApp::callback_body(&payment, "tx-short", "succeeded", |b| {
        b["amount_minor"] = json!(100);
    });
    app.signed_callback(&short).await.expect(422);
    assert_eq!(payment_status(&app, payment_id).await, "refund_due");
    assert_eq!(order_status(&app, id).await, "confirmed");
    let yuan = TestApp::callback_body(&payment, "tx-cny", "succeeded", |b| {
        b["currency"] = json!("CNY");
    });
    app.signed_callback(&yuan).await.expect(422);

    let owed = refunds(&app, "?reason=mismatch").await;
    assert_eq!(owed["total"], 2, "{owed}");
    let short_row = owed["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["transaction_id"] == "tx-short"))
        .expect("tx-short listed");
    assert_eq!(short_row["amount_minor"], 100, "{short_row}");
    assert_eq!(short_row["currency"], "KZT");
    assert_eq!(short_row["order_id"], id);
    assert_eq!(short_row["session_id"], live.session_id);
    assert!(short_row["decided_by"]
        .as_str()
        .is_some_and(|d| d.contains("sandbox")));
    let page = refunds(&app, "?reason=mismatch&per_page=1&page=2").await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
    assert_eq!(
        (
            page["page"].as_i64(),
            page["per_page"].as_i64(),
            page["total"].as_i64()
        ),
        (Some(2), Some(1), Some(2))
    );
    assert_eq!(refunds(&app, "?reason=order_not_payable").await["total"], 0);
    assert_eq!(
        refunds(&app, &format!("?session_id={}", live.session_id)).await["total"],
        2
    );
    for bad in ["?reason=nope", "?per_page=0", "?page=0", "?order_id=abc"] {
        let r = app
            .get(&format!("/api/v1/payments/refunds{bad}"), &app.admin)
            .await
            .expect(422);
        assert_eq!(r.code(), "invalid", "{bad}: {}", r.text);
    }
    app.get("/api/v1/payments/refunds", &buyer)
        .await
        .expect(403);
    app.get("/api/v1/payments/refunds", &live.host)
        .await
        .expect(403);
    app.get("/api/v1/payments/refunds", &live.operator)
        .await
        .expect(200);
    // The right money still pays the order; the mismatched money stays owed.
    let right = TestApp::callback_body(&payment, "tx-right", "succeeded", |_| {});
    app.signed_callback(&right).await.expect(200);
    assert_eq!(order_status(&app, id).await, "paid");
    assert_eq!(refunds(&app, "?reason=mismatch").await["total"], 2);
}

/// Every correctly signed callback leaves a row, whatever its fate: a currency or status the
/// contract does not know, an over-long transaction id, an unknown payment (422 or 404, and
/// nothing paid), as well as the ones that settle.
async fn every_signed_callback_is_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, buyer, id) = confirmed_order(&app).await;
    let payment = app.start_payment(id, &buyer).await;
    let cases = [
        (
            TestApp::callback_body(&payment, "tx-lower", "succeeded", |b| {
                b["currency"] = json!("kzt");
            }),
            422,
        ),
        (
            TestApp::callback_body(&payment, "tx-shout", "SUCCEEDED", |_| {}),
            422,
        ),
        (
            TestApp::callback_body(&payment, &"x".repeat(300), "succeeded", |_| {}),
            422,
        ),
        (
            TestApp::callback_body(&payment, "tx-nobody", "succeeded", |b| {
                b["payment_id"] = json!(987_654);
            }),
            404,
        ),
        ("not json at all".to_owned(), 422),
    ];
    for (n, (body, status)) in cases.iter().enumerate() {
        app.signed_callback(body).await.expect(*status);
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM payment_callback_log WHERE outcome = 'refused'")
                .await,
            i64::try_from(n + 1).expect("small"),
            "case {n} recorded: {body}"
        );
    }
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM payment_callback_log WHERE outcome = 'refused' \
             AND answer_status = 404 AND payment_id = 987654 AND transaction_id = 'tx-nobody'"
        )
        .await,
        1
    );
    assert_eq!(order_status(&app, id).await, "confirmed");
    // Unsigned callbacks are not recorded (anyone could fill the table); settled ones are.
    app.callback("sandbox", &cases[0].0, None).await.expect(401);
    let good = TestApp::callback_body(&payment, "tx-good", "succeeded", |_| {});
    app.signed_callback(&good).await.expect(200);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM payment_callback_log")
            .await,
        6
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM payment_callback_log WHERE outcome = 'paid'")
            .await,
        1
    );
}

/// A sandbox secret alone does not switch the sandbox on: without the explicit development
/// setting no payment starts, no host can mark an order paid, and a callback signed with the
/// secret pays nothing. `/readyz` says whether the sandbox is on.
async fn the_sandbox_is_off_unless_switched_on(backend: Backend) {
    let on = spawn_app(backend.clone()).await;
    let ready = on.get("/readyz", &on.admin).await.expect(200);
    assert_eq!(ready.body["payment_sandbox"], "on", "{}", ready.text);
    drop(on);

    let app = spawn_app_with(backend, |s| {
        s.payment_sandbox = false;
        s.payment_sandbox_secret = Some(SANDBOX_SECRET.into());
    })
    .await;
    let ready = app.get("/readyz", &app.admin).await.expect(200);
    assert_eq!(ready.body["payment_sandbox"], "off", "{}", ready.text);
    let (live, buyer, id) = confirmed_order(&app).await;
    let r = app
        .post(&format!("/api/v1/orders/{id}/pay"), &buyer, &json!({}))
        .await
        .expect(503);
    assert_eq!(r.code(), "payment_unavailable");
    // A payment row from when the sandbox was on cannot be completed now.
    app.post(
        "/api/v1/payments/sandbox/1/complete",
        &live.host,
        &json!({}),
    )
    .await
    .expect(404);
    let body = json!({"payment_id": 1, "transaction_id": "forged", "status": "succeeded",
        "amount_minor": 1_259_800, "currency": "KZT"})
    .to_string();
    app.signed_callback(&body).await.expect(404);
    assert_eq!(order_status(&app, id).await, "confirmed");
}

/// The sandbox's routes check the caller's role before reading the path: a buyer gets 403
/// whatever the id.
async fn the_sandbox_checks_the_role_before_the_path(backend: Backend) {
    let app = spawn_app(backend).await;
    let (buyer, _) = app.buyer("Aigerim", "ru").await;
    for path in [
        "/api/v1/payments/sandbox/abc/complete",
        "/api/v1/payments/sandbox/abc/fail",
        "/api/v1/payments/sandbox/999999/complete",
    ] {
        let r = app.post(path, &buyer, &json!({})).await.expect(403);
        assert_eq!(r.code(), "forbidden", "{path}: {}", r.text);
    }
    // The path is read after the role: an admin's bad id is the path's 404.
    app.post(
        "/api/v1/payments/sandbox/abc/complete",
        &app.admin,
        &json!({}),
    )
    .await
    .expect(404);
}
