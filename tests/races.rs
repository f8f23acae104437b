//! The races an outside audit found on the live-sale paths (issue "One house for the live
//! sale", section 1). Each test runs on both backends; the races show on PostgreSQL (READ
//! COMMITTED, many writers), where SQLite's single writer hides them. Every guard they exercise
//! is decided inside the transaction that writes, under the session's lock.

use std::sync::Arc;

use serde_json::{json, Value};
use silkstream_e2e::{backend_tests, order_body, spawn_app_with, Backend, LiveSetup, TestApp};
use tokio::task::JoinSet;

backend_tests!(
    regular_orders_never_oversell_across_sessions,
    a_retried_key_gets_its_order_while_it_stands,
    a_retried_regular_key_gets_its_order_when_stock_ran_out,
    ending_while_others_restock_never_deadlocks,
    a_hostile_buyer_cannot_fail_other_buyers_batches,
    regular_orders_do_not_slip_into_a_running_sale,
    pin_and_showcase_after_the_end_are_refused,
    orders_confirmed_before_a_revocation_are_stamped_before_it,
    regular_orders_share_the_desks_transactions,
    regular_batches_crossing_variants_never_deadlock,
);

async fn app(backend: Backend) -> Arc<TestApp> {
    Arc::new(
        spawn_app_with(backend, |s| {
            s.buyer_signups_per_minute = 100_000;
            s.orders_per_buyer_per_minute = 100_000;
            s.db_max_connections = 24;
        })
        .await,
    )
}

/// A fresh buyer sends eight copies of one order (same key, same content) at once: every copy
/// is answered with the one order (201 once, 200 for the others), never with a refusal.
async fn eight_copies_name_one_order(app: &Arc<TestApp>, live: &LiveSetup, round: usize) {
    let token = buyers(app, 1).await.remove(0);
    let mut copies = JoinSet::new();
    for _ in 0..8 {
        let (app, token) = (app.clone(), token.clone());
        let (session, variant) = (live.session_id, live.variant_id);
        copies.spawn(async move {
            let reply = app
                .order(&token, session, "same-key", &order_body(variant, 1, "KZT"))
                .await;
            (reply.status.as_u16(), reply.body)
        });
    }
    let mut ids = std::collections::HashSet::new();
    let mut created = 0;
    while let Some(done) = copies.join_next().await {
        let (status, body) = done.expect("copy task");
        assert!(
            status == 201 || status == 200,
            "round {round}: a copy of a standing order got {status}: {body}"
        );
        created += usize::from(status == 201);
        ids.insert(body["order"]["id"].as_i64().expect("order id"));
    }
    assert_eq!(created, 1, "round {round}: one copy created the order");
    assert_eq!(ids.len(), 1, "round {round}: every copy names one order");
}

/// `n` guest buyers' tokens.
async fn buyers(app: &TestApp, n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(app.buyer(&format!("Buyer {i}"), "ru").await.0);
    }
    out
}

/// Units of a variant left in KHG-1.
async fn stock_left(app: &TestApp, variant_id: i64) -> i64 {
    app.scalar(&format!(
        "SELECT available FROM stock WHERE variant_id = {variant_id}"
    ))
    .await
}

/// Six live sessions sell one variant with 5 units in stock, without a sale: 120 buyers order
/// one unit each at once. Exactly 5 are confirmed, and confirmed + left = 5.
async fn regular_orders_never_oversell_across_sessions(backend: Backend) {
    let app = app(backend).await;
    let live = app.live_session(5, true).await;
    let mut sessions = vec![live.session_id];
    for _ in 0..5 {
        sessions.push(
            app.open_session(&live.host, "Second room", live.product_id, true)
                .await,
        );
    }
    let tokens = buyers(&app, 120).await;
    let mut orders = JoinSet::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let (app, session, variant) = (app.clone(), sessions[i % 6], live.variant_id);
        orders.spawn(async move {
            let reply = app
                .order(
                    &token,
                    session,
                    &format!("k{i}"),
                    &order_body(variant, 1, "KZT"),
                )
                .await;
            (reply.status.as_u16(), reply.code().to_owned())
        });
    }
    let mut confirmed = 0;
    while let Some(done) = orders.join_next().await {
        let (status, code) = done.expect("order task");
        match (status, code.as_str()) {
            (201, _) => confirmed += 1,
            (409, "sold_out") => {}
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(confirmed, 5, "confirmed orders");
    assert_eq!(stock_left(&app, live.variant_id).await, 0);
    let in_db = app
        .scalar("SELECT COUNT(*) FROM orders WHERE status = 'confirmed'")
        .await;
    assert_eq!(in_db, 5, "orders in the database");
}

/// Eight copies of one order (same key, same content) arrive together, in 10 rounds with a
/// fresh buyer each, in a sale with a per-buyer limit of 1: every copy is answered with the one
/// order (201 once, 200 for the others), never with sold_out or limit_reached.
async fn a_retried_key_gets_its_order_while_it_stands(backend: Backend) {
    let app = app(backend).await;
    let live = app.live_session(100, true).await;
    app.flash_sale(&live, 50, 1).await;
    for round in 0..10 {
        eight_copies_name_one_order(&app, &live, round).await;
    }
}

/// The same on the regular path with the last unit: the order that took it is what every copy
/// of its key gets, not sold_out.
async fn a_retried_regular_key_gets_its_order_when_stock_ran_out(backend: Backend) {
    let app = app(backend).await;
    let live = app.live_session(10, true).await;
    for round in 0..10 {
        eight_copies_name_one_order(&app, &live, round).await;
    }
    assert_eq!(stock_left(&app, live.variant_id).await, 0);
}

/// A session with two running sales (two variants) ends while other sessions restock sales of
/// the same two variants from the same warehouse: no answer is a 500 (a deadlock), and every
/// unit is accounted for.
async fn ending_while_others_restock_never_deadlocks(backend: Backend) {
    let app = app(backend).await;
    let live = app.live_session(100_000, true).await;
    let strip = app.stock_second_variant(&live, 100_000).await;
    let sale = |session: i64, variant: i64| {
        let app = app.clone();
        let host = live.host.clone();
        async move {
            app.post(
                &format!("/api/v1/sessions/{session}/flash-sales"),
                &host,
                &json!({"variant_id": variant, "quantity": 10, "per_buyer_limit": 5,
                        "prices": {"KZT": 450000}, "countdown_s": 0, "duration_s": 600}),
            )
            .await
            .expect(201)
            .body["id"]
                .as_i64()
                .expect("sale id")
        }
    };
    // Restocking sessions: a sale of each variant in each of 3 other sessions.
    let mut restock_sales = Vec::new();
    for _ in 0..3 {
        let s = app
            .open_session(&live.host, "Second room", live.product_id, true)
            .await;
        restock_sales.push(sale(s, live.variant_id).await);
        restock_sales.push(sale(s, strip).await);
    }
    for round in 0..6 {
        let ending = app
            .open_session(&live.host, "Second room", live.product_id, true)
            .await;
        sale(ending, live.variant_id).await;
        sale(ending, strip).await;
        let mut work = JoinSet::new();
        {
            let (app, host) = (app.clone(), live.host.clone());
            work.spawn(async move {
                let r = app
                    .post(&format!("/api/v1/sessions/{ending}/end"), &host, &json!({}))
                    .await;
                ("end", r.status.as_u16(), r.text)
            });
        }
        for sale_id in &restock_sales {
            let (app, host, sale_id) = (app.clone(), live.host.clone(), *sale_id);
            work.spawn(async move {
                let r = app
                    .post(
                        &format!("/api/v1/flash-sales/{sale_id}/restock"),
                        &host,
                        &json!({"quantity": 1}),
                    )
                    .await;
                ("restock", r.status.as_u16(), r.text)
            });
        }
        while let Some(done) = work.join_next().await {
            let (what, status, text) = done.expect("task");
            assert_eq!(
                status, 200,
                "round {round}: {what} answered {status}: {text}"
            );
        }
    }
    // Units are conserved: stock + units held by sales + sold = what was put in.
    for variant in [live.variant_id, strip] {
        let held = app
            .scalar(&format!(
                "SELECT COALESCE(CAST(SUM(remaining) AS BIGINT), 0) FROM flash_sales \
                 WHERE variant_id = {variant}"
            ))
            .await;
        assert_eq!(
            stock_left(&app, variant).await + held,
            100_000,
            "variant {variant}: stock + units in sales"
        );
    }
}

/// One buyer sends keys K1 then K2 to session A's sale and K2 then K1 to session B's, again and
/// again, while 20 other buyers order in both sales: no answer to anyone is a 500, and every
/// other buyer's order is confirmed.
async fn a_hostile_buyer_cannot_fail_other_buyers_batches(backend: Backend) {
    let app = app(backend).await;
    let live = app.live_session(10_000, true).await;
    let a = live.session_id;
    let b = app
        .open_session(&live.host, "Second room", live.product_id, true)
        .await;
    for session in [a, b] {
        app.post(
            &format!("/api/v1/sessions/{session}/flash-sales"),
            &live.host,
            &json!({"variant_id": live.variant_id, "quantity": 1000, "per_buyer_limit": 1000,
                    "prices": {"KZT": 450000}, "countdown_s": 0, "duration_s": 600}),
        )
        .await
        .expect(201);
    }
    let hostile = buyers(&app, 1).await.remove(0);
    let others = buyers(&app, 20).await;
    let mut work = JoinSet::new();
    for round in 0..15 {
        for (session, keys) in [(a, [1, 2]), (b, [2, 1])] {
            for k in keys {
                let (app, token) = (app.clone(), hostile.clone());
                let variant = live.variant_id;
                work.spawn(async move {
                    let r = app
                        .order(
                            &token,
                            session,
                            &format!("h{round}-{k}"),
                            &order_body(variant, 1, "KZT"),
                        )
                        .await;
                    (true, r.status.as_u16(), r.text)
                });
            }
        }
        for (i, token) in others.iter().enumerate() {
            let (app, token) = (app.clone(), token.clone());
            let (session, variant) = (if i % 2 == 0 { a } else { b }, live.variant_id);
            work.spawn(async move {
                let r = app
                    .order(
                        &token,
                        session,
                        &format!("o{round}"),
                        &order_body(variant, 1, "KZT"),
                    )
                    .await;
                (false, r.status.as_u16(), r.text)
            });
        }
    }
    while let Some(done) = work.join_next().await {
        let (is_hostile, status, text) = done.expect("task");
        if is_hostile {
            assert!(status < 500, "the hostile buyer got {status}: {text}");
        } else {
            assert_eq!(status, 201, "another buyer got {status}: {text}");
        }
    }
}

/// While buyers keep placing regular orders, the host opens a limit-1 flash sale of the same
/// variant: no order is confirmed at the regular price after `sale_opened` in the log, and no
/// buyer holds more than the limit of the sale's units.
async fn regular_orders_do_not_slip_into_a_running_sale(backend: Backend) {
    let app = app(backend).await;
    let live = app.live_session(10_000, true).await;
    let tokens = buyers(&app, 40).await;
    let mut work = JoinSet::new();
    for (i, token) in tokens.iter().enumerate() {
        let (app, token) = (app.clone(), token.clone());
        let (session, variant) = (live.session_id, live.variant_id);
        work.spawn(async move {
            let mut answers = Vec::new();
            for k in 0..4 {
                let r = app
                    .order(
                        &token,
                        session,
                        &format!("b{i}-{k}"),
                        &order_body(variant, 1, "KZT"),
                    )
                    .await;
                answers.push((r.status.as_u16(), r.text));
            }
            answers
        });
    }
    let sale = app.flash_sale(&live, 1000, 1).await;
    while let Some(done) = work.join_next().await {
        for (status, text) in done.expect("task") {
            assert!(
                status == 201 || status == 409,
                "unexpected {status}: {text}"
            );
        }
    }
    let opened = app
        .scalar(&format!(
            "SELECT seq FROM events WHERE session_id = {} AND kind = 'sale_opened'",
            live.session_id
        ))
        .await;
    let slipped = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM events WHERE session_id = {} AND kind = 'order_confirmed' \
             AND seq > {opened} AND payload LIKE '%\"sale_id\":null%'",
            live.session_id
        ))
        .await;
    assert_eq!(slipped, 0, "regular orders confirmed after sale_opened");
    let over = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM (SELECT buyer_token_id FROM orders WHERE sale_id = {sale} \
             GROUP BY buyer_token_id HAVING SUM(quantity) > 1) t"
        ))
        .await;
    assert_eq!(over, 0, "a buyer got more than the sale's limit");
}

/// Pins, unpins and showcase additions race the end of the session: each is either done before
/// the end (200) or refused (409); nothing is logged after `session_ended`, and the ended
/// session has nothing pinned.
async fn pin_and_showcase_after_the_end_are_refused(backend: Backend) {
    let app = app(backend).await;
    let live = app.live_session(10, true).await;
    for round in 0..8 {
        let session = app
            .open_session(&live.host, "Second room", live.product_id, true)
            .await;
        let mut work = JoinSet::new();
        for k in 0..12 {
            let (app, host, product) = (app.clone(), live.host.clone(), live.product_id);
            work.spawn(async move {
                let path = if k % 2 == 0 { "pin" } else { "showcase" };
                let r = app
                    .post(
                        &format!("/api/v1/sessions/{session}/{path}"),
                        &host,
                        &json!({"product_id": product}),
                    )
                    .await;
                (r.status.as_u16(), r.text)
            });
        }
        {
            let (app, host) = (app.clone(), live.host.clone());
            work.spawn(async move {
                let r = app
                    .post(
                        &format!("/api/v1/sessions/{session}/end"),
                        &host,
                        &json!({}),
                    )
                    .await;
                (r.status.as_u16(), r.text)
            });
        }
        while let Some(done) = work.join_next().await {
            let (status, text) = done.expect("task");
            assert!(
                status == 200 || status == 409,
                "round {round}: unexpected {status}: {text}"
            );
        }
        let ended_seq = app
            .scalar(&format!(
                "SELECT seq FROM events WHERE session_id = {session} AND kind = 'session_ended'"
            ))
            .await;
        let after = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM events WHERE session_id = {session} AND seq > {ended_seq}"
            ))
            .await;
        assert_eq!(after, 0, "round {round}: events logged after the end");
        let pinned = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM sessions WHERE id = {session} \
                 AND pinned_product_id IS NOT NULL"
            ))
            .await;
        assert_eq!(
            pinned, 0,
            "round {round}: the ended session kept a pinned product"
        );
        let session_json: Value = app
            .get(&format!("/api/v1/sessions/{session}"), &live.host)
            .await
            .expect(200)
            .body;
        assert_eq!(session_json["state"], "ended");
    }
}

/// A buyer's token is revoked while eight streams of their regular orders and eight of other
/// buyers keep the writer busy: every order of theirs that was confirmed carries a time no
/// later than the revocation's `revoked_at` (the stamp is taken inside the write that revokes,
/// not before it waits for the writer), and every order after it is refused with 401.
async fn orders_confirmed_before_a_revocation_are_stamped_before_it(backend: Backend) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let app = app(backend).await;
    let live = app.live_session(1_000_000, true).await;
    let (target, target_id) = app.buyer("Target", "ru").await;
    let others = buyers(&app, 8).await;
    let confirmed = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut streams = JoinSet::new();
    for i in 0..16 {
        let (app, confirmed, stop) = (app.clone(), confirmed.clone(), stop.clone());
        let (token, mine) = if i < 8 {
            (target.clone(), true)
        } else {
            (others[i - 8].clone(), false)
        };
        let (session, variant) = (live.session_id, live.variant_id);
        streams.spawn(async move {
            for n in 0.. {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let reply = app
                    .order(
                        &token,
                        session,
                        &format!("s{i}-{n}"),
                        &order_body(variant, 1, "KZT"),
                    )
                    .await;
                match reply.status.as_u16() {
                    201 => {
                        if mine {
                            confirmed.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    401 if mine => return,
                    other => panic!("stream {i}: order {n} got {other}: {}", reply.text),
                }
            }
        });
    }
    silkstream_e2e::eventually(
        std::time::Duration::from_secs(60),
        "the buyer has orders confirmed",
        || async { confirmed.load(Ordering::SeqCst) >= 40 },
    )
    .await;
    app.post(
        &format!("/api/v1/tokens/{target_id}/revoke"),
        &app.admin,
        &json!({}),
    )
    .await
    .expect(200);
    // The buyer's streams end on their first 401; then the others stop.
    while streams.len() > 8 {
        if let Some(done) = streams.join_next().await {
            done.expect("stream");
        }
    }
    stop.store(true, Ordering::SeqCst);
    while let Some(done) = streams.join_next().await {
        done.expect("stream");
    }
    let revoked_at = app
        .scalar(&format!(
            "SELECT revoked_at FROM tokens WHERE id = {target_id}"
        ))
        .await;
    let latest = app
        .scalar(&format!(
            "SELECT MAX(created_at) FROM orders WHERE buyer_token_id = {target_id}"
        ))
        .await;
    assert!(
        latest <= revoked_at,
        "an order confirmed before the revocation carries a later time: {latest} > {revoked_at} \
         ({} ms)",
        latest - revoked_at
    );
}

/// An order desk of its own over the app's database (another instance's, as far as the
/// database can tell), on the store the server builds.
fn desk_on(app: &TestApp) -> silkstream_feed::OrderDesk {
    let l10n = silkstream_server::embedded_l10n().expect("locale files load");
    let catalog = silkstream_catalog::CatalogStore::new(app.db.clone(), l10n);
    let store = silkstream_feed::FeedStore::new(
        app.db.clone(),
        catalog,
        std::time::Duration::from_secs(900),
    );
    silkstream_feed::OrderDesk::new(store, silkstream_feed::tasks::cluster::Cluster::none())
}

/// A regular order of `variant` in `session` by the buyer whose token id is `buyer`, as intake
/// builds it.
fn pending(
    session: i64,
    live: &LiveSetup,
    variant: i64,
    buyer: i64,
    key: String,
) -> silkstream_feed::store::PendingOrder {
    silkstream_feed::store::PendingOrder {
        session_id: session,
        sale_id: None,
        buyer_token_id: buyer,
        buyer_name: "Aigerim Bekova".into(),
        idempotency_key: key,
        digest: "d".into(),
        variant_id: variant,
        product_id: live.product_id,
        quantity: 1,
        currency: "KZT".into(),
        unit_price_minor: 629_900,
        market: "KZ".into(),
        buyer_city: "Almaty".into(),
        locale: "ru".into(),
        customs_mode: None,
        b2c_max_quantity: 50,
        ship_to: order_body(variant, 1, "KZT")["ship_to"].to_string(),
        landed_cost: None,
        per_person: None,
        orderer: None,
    }
}

/// The token ids of `n` fresh guest buyers (a buyer's id is its token's).
async fn buyer_token_ids(app: &TestApp, n: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(app.buyer(&format!("Buyer {i}"), "ru").await.1);
    }
    ids
}

/// Regular orders that reach the desk together are decided and committed together: 40 orders
/// handed over at once take a few transactions, not 40, and each is answered with its own
/// committed order (the session's room sees 40 order lines).
async fn regular_orders_share_the_desks_transactions(backend: Backend) {
    let app = app(backend).await;
    let live = app.live_session(100, true).await;
    let buyers = buyer_token_ids(&app, 40).await;
    let desk = desk_on(&app);
    let answers = futures_util::future::join_all(buyers.iter().enumerate().map(|(i, b)| {
        desk.submit_regular(pending(
            live.session_id,
            &live,
            live.variant_id,
            *b,
            format!("together-{i}"),
        ))
    }))
    .await;
    let mut ids = std::collections::HashSet::new();
    for answer in answers {
        match answer.expect("answered") {
            silkstream_feed::store::Placed::Confirmed { order_id, .. } => ids.insert(order_id),
            other => panic!("not confirmed: {other:?}"),
        };
    }
    assert_eq!(ids.len(), 40, "one order each");
    let figures = desk.figures();
    assert_eq!(figures.orders, 40, "{figures:?}");
    // Handed over within microseconds of each other, while the first transaction commits.
    assert!(
        figures.batches <= 10,
        "40 orders took {} transactions: {figures:?}",
        figures.batches
    );
    assert_eq!(stock_left(&app, live.variant_id).await, 60);
    let logged = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM events WHERE session_id = {} AND kind = 'order_confirmed'",
            live.session_id
        ))
        .await;
    assert_eq!(logged, 40, "order lines in the room's log");
    desk.shutdown().await;
}

/// Two sessions sell the same two variants; each instance's desk takes batches that hold both,
/// in opposite orders (one room orders the brisket first, the other the striploin). The stock
/// rows are locked in (variant, warehouse) order before any is taken, so the batches queue
/// instead of deadlocking: no batch is decided again, and every order is confirmed.
async fn regular_batches_crossing_variants_never_deadlock(backend: Backend) {
    let app = app(backend).await;
    let live = app.live_session(1_000, true).await;
    let second = app.stock_second_variant(&live, 1_000).await;
    let other = app
        .open_session(&live.host, "Second room", live.product_id, true)
        .await;
    let buyers = buyer_token_ids(&app, 8).await;
    let (one, two) = (desk_on(&app), desk_on(&app));
    for round in 0..20 {
        let (a, b) = tokio::join!(
            crossing_batch(
                &one,
                &live,
                live.session_id,
                &buyers,
                [live.variant_id, second],
                round
            ),
            crossing_batch(
                &two,
                &live,
                other,
                &buyers,
                [second, live.variant_id],
                round
            )
        );
        for answer in a.into_iter().chain(b) {
            assert!(
                matches!(answer, Ok(silkstream_feed::store::Placed::Confirmed { .. })),
                "round {round}: {answer:?}"
            );
        }
    }
    let (f1, f2) = (one.figures(), two.figures());
    assert_eq!(f1.orders + f2.orders, 320);
    assert_eq!(
        (f1.again, f2.again),
        (0, 0),
        "batches were decided again (a deadlock between the rooms): {f1:?} {f2:?}"
    );
    assert_eq!(stock_left(&app, live.variant_id).await, 840);
    assert_eq!(stock_left(&app, second).await, 840);
    one.shutdown().await;
    two.shutdown().await;
}

/// One order per buyer in `session` at once, alternating the two variants of `order`.
async fn crossing_batch(
    desk: &silkstream_feed::OrderDesk,
    live: &LiveSetup,
    session: i64,
    buyers: &[i64],
    order: [i64; 2],
    round: usize,
) -> Vec<silkstream_feed::Result<silkstream_feed::store::Placed>> {
    futures_util::future::join_all(buyers.iter().enumerate().map(|(i, b)| {
        let key = format!("x-{session}-{round}-{i}");
        desk.submit_regular(pending(session, live, order[i % 2], *b, key))
    }))
    .await
}
