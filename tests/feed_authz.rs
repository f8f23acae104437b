//! The feed's authorization matrix on both backends: every role (none, admin, the session's
//! host, another host, the order's buyer, another buyer, operator) against every feed action.
//! Refused calls are tried first and must change nothing; then an allowed role succeeds.
//! A host acting on another host's session gets 403; a buyer (or another host) reading an order
//! that is not theirs gets 404; recipient details reach only the buyer, the host and operators.

use reqwest::Method;
use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, order_body, spawn_app, Backend, TestApp};

backend_tests!(every_role_against_every_feed_action);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Nobody,
    Admin,
    Host,
    OtherHost,
    Buyer,
    OtherBuyer,
    Operator,
}

use Who::*;

const EVERYONE: [Who; 7] = [Nobody, Admin, Host, OtherHost, Buyer, OtherBuyer, Operator];

struct Tokens {
    admin: String,
    host: String,
    other_host: String,
    buyer: String,
    other_buyer: String,
    operator: String,
}

impl Tokens {
    fn of(&self, who: Who) -> Option<&str> {
        match who {
            Nobody => None,
            Admin => Some(&self.admin),
            Host => Some(&self.host),
            OtherHost => Some(&self.other_host),
            Buyer => Some(&self.buyer),
            OtherBuyer => Some(&self.other_buyer),
            Operator => Some(&self.operator),
        }
    }
}

/// Tries `who` on an action and checks the status (and, for refusals, that nothing changed).
async fn attempt(
    app: &TestApp,
    tokens: &Tokens,
    who: Who,
    method: Method,
    path: &str,
    body: Option<&Value>,
    status: u16,
) -> Value {
    let before = app.feed_fingerprint().await;
    let reply = app
        .request(method.clone(), path, tokens.of(who), body)
        .await;
    assert_eq!(
        reply.status.as_u16(),
        status,
        "{who:?} {method} {path}: expected {status}, got {} {}",
        reply.status,
        reply.text
    );
    if status >= 400 {
        assert_eq!(
            app.feed_fingerprint().await,
            before,
            "{who:?} {method} {path} wrote"
        );
    }
    reply.body
}

/// `refused` get their status; then `allowed` succeeds with `ok`.
#[allow(clippy::too_many_arguments)]
async fn action(
    app: &TestApp,
    tokens: &Tokens,
    method: Method,
    path: &str,
    body: Option<&Value>,
    refused: &[(Who, u16)],
    allowed: Who,
    ok: u16,
) -> Value {
    for (who, status) in refused {
        attempt(app, tokens, *who, method.clone(), path, body, *status).await;
    }
    attempt(app, tokens, allowed, method, path, body, ok).await
}

/// Everyone but the session's host and operators: 401 without a token, else 403.
fn not_controllers() -> Vec<(Who, u16)> {
    vec![
        (Nobody, 401),
        (Admin, 403),
        (OtherHost, 403),
        (Buyer, 403),
        (OtherBuyer, 403),
    ]
}

/// Every role against every feed route.
async fn every_role_against_every_feed_action(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(100, false).await;
    let (buyer, _) = app.buyer("Aruzhan", "kk").await;
    let (other_buyer, _) = app.buyer("Baurzhan", "ru").await;
    let t = Tokens {
        admin: app.admin.clone(),
        host: live.host.clone(),
        other_host: app.token("host").await,
        buyer,
        other_buyer,
        operator: live.operator.clone(),
    };
    let sid = live.session_id;
    let s = |rest: &str| format!("/api/v1/sessions/{sid}{rest}");
    let post = Method::POST;
    let get = Method::GET;
    let empty = json!({});

    // Sessions: only hosts create; anyone with a token reads.
    let new_session = json!({"title": "Night market", "language": "kk", "markets": ["KZ"]});
    action(
        &app,
        &t,
        post.clone(),
        "/api/v1/sessions",
        Some(&new_session),
        &[(Nobody, 401), (Admin, 403), (Buyer, 403), (Operator, 403)],
        OtherHost,
        201,
    )
    .await;
    for who in EVERYONE.into_iter().filter(|w| *w != Nobody) {
        attempt(&app, &t, who, get.clone(), &s(""), None, 200).await;
    }
    attempt(&app, &t, Nobody, get.clone(), &s(""), None, 401).await;

    // Controlling a session: its host or an operator, never another host.
    let product = json!({"product_id": live.product_id});
    action(
        &app,
        &t,
        post.clone(),
        &s("/showcase"),
        Some(&product),
        &not_controllers(),
        Operator,
        200,
    )
    .await;
    action(
        &app,
        &t,
        post.clone(),
        &s("/start"),
        Some(&empty),
        &not_controllers(),
        Host,
        200,
    )
    .await;
    action(
        &app,
        &t,
        post.clone(),
        &s("/pin"),
        Some(&product),
        &not_controllers(),
        Operator,
        200,
    )
    .await;
    action(
        &app,
        &t,
        post.clone(),
        &s("/unpin"),
        Some(&empty),
        &not_controllers(),
        Host,
        200,
    )
    .await;
    let sale_body = json!({"variant_id": live.variant_id, "quantity": 10, "per_buyer_limit": 5,
        "prices": {"KZT": 450000}, "countdown_s": 0, "duration_s": 600});
    let sale = action(
        &app,
        &t,
        post.clone(),
        &s("/flash-sales"),
        Some(&sale_body),
        &not_controllers(),
        Host,
        201,
    )
    .await;
    let sale_id = sale["id"].as_i64().expect("sale id");
    let f = |rest: &str| format!("/api/v1/flash-sales/{sale_id}{rest}");
    action(
        &app,
        &t,
        post.clone(),
        &f("/pause"),
        Some(&empty),
        &not_controllers(),
        Operator,
        200,
    )
    .await;
    action(
        &app,
        &t,
        post.clone(),
        &f("/resume"),
        Some(&empty),
        &not_controllers(),
        Host,
        200,
    )
    .await;
    action(
        &app,
        &t,
        post.clone(),
        &f("/restock"),
        Some(&json!({"quantity": 1})),
        &not_controllers(),
        Operator,
        200,
    )
    .await;
    for who in EVERYONE.into_iter().filter(|w| *w != Nobody) {
        attempt(&app, &t, who, get.clone(), &f(""), None, 200).await;
    }
    action(
        &app,
        &t,
        get.clone(),
        &s("/events"),
        None,
        &not_controllers(),
        Host,
        200,
    )
    .await;
    attempt(&app, &t, Operator, get.clone(), &s("/events"), None, 200).await;

    // Ordering: buyers only.
    for (who, status) in [
        (Nobody, 401),
        (Admin, 403),
        (Host, 403),
        (OtherHost, 403),
        (Operator, 403),
    ] {
        let before = app.feed_fingerprint().await;
        let r = match t.of(who) {
            Some(token) => {
                app.order(token, sid, "authz", &order_body(live.variant_id, 1, "KZT"))
                    .await
            }
            None => {
                app.request(
                    post.clone(),
                    &s("/orders"),
                    None,
                    Some(&order_body(live.variant_id, 1, "KZT")),
                )
                .await
            }
        };
        assert_eq!(r.status.as_u16(), status, "{who:?} ordering: {}", r.text);
        assert_eq!(app.feed_fingerprint().await, before);
    }
    let order = app
        .order(
            &t.buyer,
            sid,
            "authz",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(201)
        .body["order"]
        .clone();
    let id = order["id"].as_i64().expect("order id");
    let spare = app
        .order(
            &t.buyer,
            sid,
            "authz-2",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(201)
        .body["order"]["id"]
        .as_i64()
        .expect("order id");
    let o = |rest: &str| format!("/api/v1/orders/{id}{rest}");

    // Reading an order: others' orders are 404; ship_to only for buyer, host, operator.
    attempt(&app, &t, Nobody, get.clone(), &o(""), None, 401).await;
    attempt(&app, &t, OtherBuyer, get.clone(), &o(""), None, 404).await;
    attempt(&app, &t, OtherHost, get.clone(), &o(""), None, 404).await;
    for who in [Buyer, Host, Operator] {
        let seen = attempt(&app, &t, who, get.clone(), &o(""), None, 200).await;
        assert_eq!(
            seen["ship_to"]["phone"], "+7 701 555 0101",
            "{who:?} sees the recipient"
        );
    }
    let seen = attempt(&app, &t, Admin, get.clone(), &o(""), None, 200).await;
    assert!(
        seen.get("ship_to").is_none(),
        "an admin does not see the recipient: {seen}"
    );

    // Lists: each sees only theirs.
    for (who, count) in [
        (Buyer, 2),
        (OtherBuyer, 0),
        (Host, 2),
        (OtherHost, 0),
        (Operator, 2),
        (Admin, 2),
    ] {
        let list = attempt(&app, &t, who, get.clone(), "/api/v1/orders?mine", None, 200).await;
        assert_eq!(
            list["items"].as_array().expect("items").len(),
            count,
            "{who:?}"
        );
    }
    attempt(&app, &t, Nobody, get.clone(), "/api/v1/orders", None, 401).await;

    // The order's life: pay (its buyer), ship and deliver (operator or admin), cancel (buyer).
    action(
        &app,
        &t,
        post.clone(),
        &o("/pay"),
        Some(&empty),
        &[
            (Nobody, 401),
            (Host, 403),
            (OtherHost, 403),
            (OtherBuyer, 404),
        ],
        Buyer,
        200,
    )
    .await;
    let shipment = json!({"carrier": "Kazpost", "tracking_number": "RR1KZ"});
    action(
        &app,
        &t,
        post.clone(),
        &o("/ship"),
        Some(&shipment),
        &[
            (Nobody, 401),
            (Host, 403),
            (OtherHost, 403),
            (Buyer, 403),
            (OtherBuyer, 403),
        ],
        Operator,
        200,
    )
    .await;
    action(
        &app,
        &t,
        post.clone(),
        &o("/deliver"),
        Some(&empty),
        &[
            (Nobody, 401),
            (Host, 403),
            (OtherHost, 403),
            (Buyer, 403),
            (OtherBuyer, 403),
        ],
        Admin,
        200,
    )
    .await;
    let cancel = format!("/api/v1/orders/{spare}/cancel");
    action(
        &app,
        &t,
        post.clone(),
        &cancel,
        Some(&empty),
        &[
            (Nobody, 401),
            (Admin, 403),
            (Host, 403),
            (OtherHost, 403),
            (OtherBuyer, 404),
        ],
        Buyer,
        200,
    )
    .await;

    // Operators' views.
    let fulfilment_refused = [
        (Nobody, 401),
        (Host, 403),
        (OtherHost, 403),
        (Buyer, 403),
        (OtherBuyer, 403),
    ];
    action(
        &app,
        &t,
        get.clone(),
        "/api/v1/orders/export",
        None,
        &fulfilment_refused,
        Operator,
        200,
    )
    .await;
    attempt(
        &app,
        &t,
        Admin,
        get.clone(),
        "/api/v1/orders/export",
        None,
        200,
    )
    .await;
    action(
        &app,
        &t,
        get.clone(),
        "/api/v1/reports/sales?group_by=host",
        None,
        &fulfilment_refused,
        Admin,
        200,
    )
    .await;
    attempt(
        &app,
        &t,
        Operator,
        get.clone(),
        "/api/v1/reports/sales?group_by=day&tz=Asia/Almaty",
        None,
        200,
    )
    .await;

    // Buyer profile.
    action(
        &app,
        &t,
        get.clone(),
        "/api/v1/buyers/me",
        None,
        &[(Nobody, 401), (Admin, 403), (Host, 403), (Operator, 403)],
        Buyer,
        200,
    )
    .await;

    // Ending: another host cannot; an operator can.
    action(
        &app,
        &t,
        post.clone(),
        &s("/end"),
        Some(&empty),
        &not_controllers(),
        Operator,
        200,
    )
    .await;
}
