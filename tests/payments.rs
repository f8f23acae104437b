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
    let app = spawn_app_with(backend, |s| s.payment_sandbox_secret = None).await;
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
