//! Several stateless instances on one PostgreSQL database (the scaled-out deployment): a flash
//! sale sold through two instances at once never oversells and holds every per-buyer limit, and
//! a feed on one instance shows the orders the other one took. SQLite is the one-instance
//! deployment, so this runs on PostgreSQL only.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use serde_json::Value;
use silkstream_e2e::{order_body, spawn_app_with, Backend};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const BUYERS: usize = 400;
const UNITS: i64 = 200;
const LIMIT: i64 = 3;

fn generous(s: &mut silkstream_server::Settings) {
    s.buyer_signups_per_minute = 100_000;
    s.orders_per_buyer_per_minute = 100_000;
}

/// Two instances sell one flash sale of 200 units to 400 buyers ordering 1–3 units each, half
/// through each instance, with retries of the same key on the other instance: exactly 200 units
/// confirmed, none left, no buyer over the limit, one order per key; a host watching on the
/// second instance sees every confirmed order once, in seq order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_sell_one_sale_without_overselling() {
    let Some(backend) =
        Backend::postgres_or_skip("two_instances_sell_one_sale_without_overselling").await
    else {
        return;
    };
    let a = Arc::new(spawn_app_with(backend, generous).await);
    let b = Arc::new(a.another_instance(generous).await);
    let live = a.live_session(UNITS + 50, true).await;
    a.flash_sale(&live, UNITS, LIMIT).await;

    let mut host = b
        .ws_connect(
            &format!("/api/v1/sessions/{}/feed", live.session_id),
            Some(&live.host),
        )
        .await;
    let first = host.next_json(Duration::from_secs(15)).await;
    assert_eq!(first["type"], "snapshot", "{first}");
    let from_seq = first["seq"].as_i64().expect("seq");
    let host = host.watch("seq");

    // Buyers sign up on either instance.
    let gate = Arc::new(Semaphore::new(32));
    let mut signups = JoinSet::new();
    for i in 0..BUYERS {
        let app = if i % 2 == 0 { a.clone() } else { b.clone() };
        let gate = gate.clone();
        signups.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            app.buyer(&format!("Buyer {i:04}"), "ru").await.0
        });
    }
    let mut tokens = Vec::new();
    while let Some(t) = signups.join_next().await {
        tokens.push(t.expect("signup"));
    }

    // Orders: each buyer orders 1–3 units on one instance; every fifth retries the same key on
    // the other instance, and every seventh tries a second order.
    let gate = Arc::new(Semaphore::new(64));
    let mut orders = JoinSet::new();
    for (i, token) in tokens.iter().enumerate() {
        let (first_app, other_app) = if i % 2 == 0 {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        let (token, gate, session, variant) = (
            token.clone(),
            gate.clone(),
            live.session_id,
            live.variant_id,
        );
        orders.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            let quantity = (i % 3) as i64 + 1;
            let key = format!("k-{i}");
            let body = order_body(variant, quantity, "KZT");
            let mut replies = vec![(
                key.clone(),
                first_app.order(&token, session, &key, &body).await,
            )];
            if i % 5 == 0 {
                replies.push((
                    key.clone(),
                    other_app.order(&token, session, &key, &body).await,
                ));
            }
            if i % 7 == 0 {
                let key2 = format!("k-{i}-2");
                replies.push((
                    key2.clone(),
                    other_app.order(&token, session, &key2, &body).await,
                ));
            }
            replies
                .into_iter()
                .map(|(k, r)| (k, r.status.as_u16(), r.body))
                .collect::<Vec<(String, u16, Value)>>()
        });
    }
    let mut by_key: HashMap<String, i64> = HashMap::new();
    let mut refused: Vec<String> = Vec::new();
    while let Some(done) = orders.join_next().await {
        for (key, status, body) in done.expect("order task") {
            match status {
                200 | 201 => {
                    let id = body["order"]["id"].as_i64().expect("order id");
                    if let Some(previous) = by_key.insert(key.clone(), id) {
                        assert_eq!(previous, id, "key {key} answered with two orders");
                    }
                }
                409 => {
                    let code = body["error"]["code"].as_str().unwrap_or("");
                    assert!(
                        code == "sold_out" || code == "limit_reached",
                        "refusal {code}: {body}"
                    );
                    refused.push(key.clone());
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
    }

    // A copy of a key whose order stands (on either instance) gets that order, never a refusal.
    for key in &refused {
        assert!(
            !by_key.contains_key(key),
            "a copy of key {key} was refused while its order stands"
        );
    }
    let confirmed_units = a
        .scalar(&format!(
            "SELECT COALESCE(CAST(SUM(quantity) AS BIGINT), 0) FROM orders WHERE session_id = {} \
             AND status <> 'cancelled'",
            live.session_id
        ))
        .await;
    let remaining = a
        .scalar(&format!(
            "SELECT remaining FROM flash_sales WHERE session_id = {}",
            live.session_id
        ))
        .await;
    assert_eq!(confirmed_units, UNITS, "every unit sold once");
    assert_eq!(remaining, 0);
    let over_limit = a
        .scalar(&format!(
            "SELECT COUNT(*) FROM (SELECT buyer_token_id FROM orders WHERE session_id = {} \
             GROUP BY buyer_token_id HAVING SUM(quantity) > {LIMIT}) x",
            live.session_id
        ))
        .await;
    assert_eq!(over_limit, 0, "no buyer over the per-buyer limit");
    let orders_in_db = a
        .scalar(&format!(
            "SELECT COUNT(*) FROM orders WHERE session_id = {}",
            live.session_id
        ))
        .await;
    assert_eq!(
        orders_in_db as usize,
        by_key.len(),
        "one order per confirmed key"
    );

    // The host on instance B saw every event through the last seq, once and in order.
    let last = a
        .scalar(&format!(
            "SELECT MAX(seq) FROM events WHERE session_id = {}",
            live.session_id
        ))
        .await;
    let (_, messages) = host.until(last, Duration::from_secs(30)).await;
    let seqs: Vec<i64> = messages.iter().filter_map(|m| m["seq"].as_i64()).collect();
    let expected: Vec<i64> = (from_seq + 1..=last).collect();
    assert_eq!(
        seqs, expected,
        "every event once, in order, on the other instance"
    );
    let confirmed_on_feed = messages
        .iter()
        .filter(|m| m["type"] == "order_confirmed")
        .count();
    assert_eq!(confirmed_on_feed, by_key.len());
}

/// A token revoked through one instance loses its sockets on the other within a second or two
/// (close 4401, reason "token revoked"): a buyer's session feed and an operator's feed on B; the
/// admin revokes both on A; the order the buyer sends on its socket on B right after the
/// revocation is refused, never confirmed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_on_one_instance_closes_feeds_on_the_other() {
    let Some(backend) =
        Backend::postgres_or_skip("a_revocation_on_one_instance_closes_feeds_on_the_other").await
    else {
        return;
    };
    let a = spawn_app_with(backend, generous).await;
    let b = a.another_instance(generous).await;
    let live = a.live_session(10, true).await;
    let (buyer, buyer_id) = a.buyer("Dana", "ru").await;
    let operator = a
        .post(
            "/api/v1/tokens",
            &a.admin,
            &json!({"name": "night operator", "role": "operator"}),
        )
        .await
        .expect(201)
        .body;
    let within = Duration::from_secs(15);
    let mut buyer_feed = b
        .ws_connect(
            &format!("/api/v1/sessions/{}/feed", live.session_id),
            Some(&buyer),
        )
        .await;
    let mut ops_feed = b
        .ws_connect(
            "/api/v1/feed",
            Some(operator["token"].as_str().expect("token")),
        )
        .await;
    assert_eq!(buyer_feed.next_json(within).await["type"], "snapshot");
    assert_eq!(ops_feed.next_json(within).await["type"], "snapshot");

    for id in [buyer_id, operator["id"].as_i64().expect("id")] {
        a.post(&format!("/api/v1/tokens/{id}/revoke"), &a.admin, &json!({}))
            .await
            .expect(200);
    }
    let mut message = order_body(live.variant_id, 1, "KZT");
    message["type"] = "order".into();
    message["client_order_id"] = "after-revoke".into();
    buyer_feed.send_text(message.to_string()).await;

    let close_within = Duration::from_secs(4);
    let ending = buyer_feed.read_to_close(close_within).await;
    assert_eq!(ending.code, Some(4401), "the buyer's feed on B: {ending:?}");
    assert_eq!(
        ending.reason.as_deref(),
        Some("token revoked"),
        "{ending:?}"
    );
    for m in &ending.messages {
        if m["type"] == "order_result" {
            assert_eq!(m["error"]["code"], "unauthorized", "refused: {m}");
        }
    }
    let ending = ops_feed.read_to_close(close_within).await;
    assert_eq!(
        ending.code,
        Some(4401),
        "the operator's feed on B: {ending:?}"
    );
    let orders = a
        .scalar(&format!(
            "SELECT COUNT(*) FROM orders WHERE buyer_token_id = {buyer_id}"
        ))
        .await;
    assert_eq!(orders, 0, "no order confirmed after the revocation");
}

/// Tokens are checked from memory once an instance has seen them (docs/security.md): a token
/// revoked through A is refused on A's very next HTTP order; on B, which had it in memory, a
/// flash-sale order is refused at once too (the desk's batch reads the buyers' tokens), and any
/// other request within the token refresh's period (about a second; awaited, never slept).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_refused_at_once_here_and_soon_on_the_other_instance() {
    let Some(backend) = Backend::postgres_or_skip(
        "a_revoked_token_is_refused_at_once_here_and_soon_on_the_other_instance",
    )
    .await
    else {
        return;
    };
    let a = spawn_app_with(backend, generous).await;
    let b = a.another_instance(generous).await;
    let live = a.live_session(100, true).await;
    a.flash_sale(&live, 50, 50).await;
    let (buyer, buyer_id) = a.buyer("Dana", "ru").await;
    // A second buyer who only reads on B: B's token refresh is what refuses them.
    let (reader, reader_id) = a.buyer("Erlan", "ru").await;
    let body = order_body(live.variant_id, 1, "KZT");
    // Both instances check the tokens once and remember them.
    a.order(&buyer, live.session_id, "on-a", &body)
        .await
        .expect(201);
    b.order(&buyer, live.session_id, "on-b", &body)
        .await
        .expect(201);
    b.get("/api/v1/orders?mine=true", &reader).await.expect(200);

    for id in [buyer_id, reader_id] {
        a.post(&format!("/api/v1/tokens/{id}/revoke"), &a.admin, &json!({}))
            .await
            .expect(200);
    }
    let on_a = a.order(&buyer, live.session_id, "after-on-a", &body).await;
    assert_eq!(on_a.status.as_u16(), 401, "at once on A: {}", on_a.text);
    let on_b = b.order(&buyer, live.session_id, "after-on-b", &body).await;
    assert_eq!(on_b.status.as_u16(), 401, "at once on B: {}", on_b.text);
    assert_eq!(on_b.code(), "unauthorized");

    silkstream_e2e::eventually(
        Duration::from_secs(10),
        "B refuses the revoked token on every route",
        || async {
            b.get("/api/v1/orders?mine=true", &reader)
                .await
                .status
                .as_u16()
                == 401
        },
    )
    .await;
    let after = a
        .scalar(&format!(
            "SELECT COUNT(*) FROM orders WHERE buyer_token_id = {buyer_id} \
             AND idempotency_key IN ('after-on-a', 'after-on-b')"
        ))
        .await;
    assert_eq!(after, 0, "no order after the revocation");
}

/// What B remembers of a variant's sale never prices an order wrongly: B remembers "no sale",
/// a sale opens through A, and B's next order is placed in it at the sale's price; that sale's
/// time runs out, another opens through A at another price, and B's next order (B remembers the
/// ended one) is placed in the new one at its price.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_opened_on_another_instance_prices_the_next_order() {
    let Some(backend) =
        Backend::postgres_or_skip("a_sale_opened_on_another_instance_prices_the_next_order").await
    else {
        return;
    };
    let a = spawn_app_with(backend, generous).await;
    let b = a.another_instance(generous).await;
    let live = a.live_session(100, true).await;
    let (buyer, _) = a.buyer("Dana", "ru").await;
    let body = order_body(live.variant_id, 1, "KZT");
    let regular = b
        .order(&buyer, live.session_id, "regular", &body)
        .await
        .expect(201);
    assert!(
        regular.body["order"]["sale_id"].is_null(),
        "{}",
        regular.text
    );

    let open = |price: i64, duration_s: i64| {
        let (a, live) = (&a, &live);
        async move {
            a.post(
                &format!("/api/v1/sessions/{}/flash-sales", live.session_id),
                &live.host,
                &json!({"variant_id": live.variant_id, "quantity": 20, "per_buyer_limit": 10,
                        "prices": {"KZT": price}, "countdown_s": 0, "duration_s": duration_s}),
            )
            .await
            .expect(201)
            .body["id"]
                .as_i64()
                .expect("sale id")
        }
    };
    let first = open(450_000, 5).await;
    let in_first = b
        .order(&buyer, live.session_id, "in-first", &body)
        .await
        .expect(201);
    assert_eq!(
        in_first.body["order"]["sale_id"], first,
        "{}",
        in_first.text
    );
    assert_eq!(in_first.body["order"]["unit_price_minor"], 450_000);

    silkstream_e2e::eventually(Duration::from_secs(30), "the first sale ends", || async {
        a.get(&format!("/api/v1/flash-sales/{first}"), &live.host)
            .await
            .body["phase"]
            == "ended"
    })
    .await;
    let second = open(300_000, 600).await;
    let in_second = b
        .order(&buyer, live.session_id, "in-second", &body)
        .await
        .expect(201);
    assert_eq!(
        in_second.body["order"]["sale_id"], second,
        "{}",
        in_second.text
    );
    assert_eq!(in_second.body["order"]["unit_price_minor"], 300_000);
}

/// Regular orders race their guests' expiry (docs/security.md, "Guest sign-ups"): A sweeps every
/// 10 ms with a one-second guest lifetime, B remembers the 200 guests' tokens (its token watch
/// runs every second) and takes one regular order from each as their lifetime ends. Each order
/// is 201 (the guest ordered in time and keeps their token) or 401 (the guest was deleted
/// first), never a 409 on the orders' foreign key; afterwards every guest either has their
/// order, profile and token, or none of the three.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regular_orders_racing_guest_expiry_are_placed_or_refused_401() {
    const GUESTS: usize = 200;
    let Some(backend) =
        Backend::postgres_or_skip("regular_orders_racing_guest_expiry_are_placed_or_refused_401")
            .await
    else {
        return;
    };
    let a = spawn_app_with(backend, |s| {
        generous(s);
        s.guest_token_ttl_s = 1;
        s.sweep_interval_ms = 10;
    })
    .await;
    let b = Arc::new(
        a.another_instance(|s| {
            generous(s);
            // B's sweeper stays out of it: A deletes, B takes the orders.
            s.sweep_interval_ms = 3_600_000;
        })
        .await,
    );
    let live = a.live_session(10_000, true).await;
    let body = order_body(live.variant_id, 1, "KZT");
    let mut orders = JoinSet::new();
    let mut ids = Vec::new();
    for i in 0..GUESTS {
        let (token, id) = a.buyer(&format!("Guest {i:03}"), "ru").await;
        ids.push(id);
        // B checks the token once and remembers it.
        b.get("/api/v1/buyers/me", &token).await.expect(200);
        let (b, body, session) = (b.clone(), body.clone(), live.session_id);
        orders.spawn(async move {
            // Ordered as the guest's lifetime runs out: A deletes them any moment now.
            let signed_up = std::time::Instant::now();
            let mut tick = tokio::time::interval(Duration::from_millis(5));
            while signed_up.elapsed() < Duration::from_millis(950) {
                tick.tick().await;
            }
            let reply = b.order(&token, session, "race", &body).await;
            (id, reply.status.as_u16(), reply.text)
        });
    }
    let (mut placed, mut refused) = (0, 0);
    while let Some(done) = orders.join_next().await {
        let (id, status, text) = done.expect("order task");
        match status {
            201 => placed += 1,
            401 => refused += 1,
            other => panic!("guest {id}: the order racing the expiry got {other}: {text}"),
        }
    }
    println!("{placed} placed, {refused} refused");
    for id in ids {
        let order = a
            .scalar(&format!(
                "SELECT COUNT(*) FROM orders WHERE buyer_token_id = {id}"
            ))
            .await;
        let buyer = a
            .scalar(&format!(
                "SELECT COUNT(*) FROM buyers WHERE token_id = {id}"
            ))
            .await;
        let token = a
            .scalar(&format!("SELECT COUNT(*) FROM tokens WHERE id = {id}"))
            .await;
        assert!(
            (order, buyer, token) == (1, 1, 1) || (order, buyer, token) == (0, 0, 0),
            "guest {id}: {order} orders, {buyer} profiles, {token} tokens"
        );
    }
}
