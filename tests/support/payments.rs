//! Paying the way a payment provider does: [`callback_signature`] signs a callback body with a
//! provider's secret, [`TestApp::callback`] delivers one, and [`TestApp::pay_through_sandbox`]
//! pays an order as every test that needs a paid order does (the buyer starts a payment, the
//! sandbox provider confirms it with a signed callback).

use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::app::{Reply, TestApp};

/// The sandbox provider's secret in every test server ([`crate::TestDb::settings`]).
pub const SANDBOX_SECRET: &str = "test-sandbox-secret";

/// The `Payment-Signature` header of a callback `body` sent at `timestamp` (Unix seconds):
/// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>" with the provider's secret>`.
pub fn callback_signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Now, in Unix seconds.
pub fn unix_now() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(now.as_secs()).expect("seconds fit")
}

impl TestApp {
    /// `POST /api/v1/payments/{provider}/callback` with `body` as it is (no bearer token) and
    /// the signature header when given.
    pub async fn callback(&self, provider: &str, body: &str, signature: Option<&str>) -> Reply {
        let mut req = self
            .client
            .request(
                Method::POST,
                format!("{}/api/v1/payments/{provider}/callback", self.base),
            )
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(s) = signature {
            req = req.header("payment-signature", s);
        }
        let resp = req.send().await.expect("request reaches the server");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("read body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            text,
            headers,
        }
    }

    /// A sandbox callback for `payment` (a payment as `POST /orders/{id}/pay` answers it)
    /// reporting `status` with provider transaction `transaction_id`, for the payment's amount
    /// and currency unless `adjust` changes them: the body, to be signed and sent.
    pub fn callback_body(
        payment: &Value,
        transaction_id: &str,
        status: &str,
        adjust: impl FnOnce(&mut Value),
    ) -> String {
        let mut body = json!({
            "payment_id": payment["id"],
            "transaction_id": transaction_id,
            "status": status,
            "amount_minor": payment["amount_minor"],
            "currency": payment["currency"],
        });
        adjust(&mut body);
        body.to_string()
    }

    /// `body` signed now with the sandbox's secret and delivered to the sandbox's callback.
    pub async fn signed_callback(&self, body: &str) -> Reply {
        let signature = callback_signature(SANDBOX_SECRET, unix_now(), body);
        self.callback("sandbox", body, Some(&signature)).await
    }

    /// The buyer starts paying `order_id` (`POST /api/v1/orders/{id}/pay`): the payment.
    pub async fn start_payment(&self, order_id: i64, buyer: &str) -> Value {
        self.post(&format!("/api/v1/orders/{order_id}/pay"), buyer, &json!({}))
            .await
            .expect(200)
            .body
    }

    /// Pays `order_id` through the sandbox provider: its buyer starts a payment and the sandbox
    /// completes it (triggered by the admin), which delivers a signed callback. The sandbox's
    /// answer (200, the order paid).
    pub async fn pay_through_sandbox(&self, order_id: i64, buyer: &str) -> Reply {
        let payment = self.start_payment(order_id, buyer).await;
        let id = payment["id"].as_i64().expect("payment id");
        self.post(
            &format!("/api/v1/payments/sandbox/{id}/complete"),
            &self.admin,
            &json!({}),
        )
        .await
        .expect(200)
    }
}
