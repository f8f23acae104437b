//! The WebSocket feed end to end, on both backends, against the protocol of `docs/feed.md`:
//! every confirmed order of a 2,000-buyer flash sale (ordered over HTTP and over the socket)
//! reaches the host's feed once and in seq order, and buyers' feeds without anyone's full name
//! or address; resume with `since` / `since_id` without gap or duplicate; a client that never
//! reads is told to resync and closed without slowing anyone; bad messages get error messages;
//! refused upgrades are plain HTTP errors; snapshots, ticks, the shared idempotency key space,
//! connection limits, order rate limits, heartbeats, shutdown and the operators' filters.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use silkstream_e2e::ws::FeedClient;
use silkstream_e2e::{
    backend_tests, eventually, order_body, ship_to, spawn_app, spawn_app_with, Backend, LiveSetup,
    TestApp,
};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

backend_tests!(
    flash_sale_over_http_and_ws_reaches_every_feed_once_in_order,
    feeds_resume_after_a_disconnect_without_gap_or_duplicate,
    a_client_that_never_reads_is_told_to_resync_and_slows_nobody,
    bad_messages_get_error_messages_and_oversize_closes_with_1009,
    refused_upgrades_are_plain_http_errors,
    first_message_is_a_snapshot_and_ticks_carry_no_seq,
    an_order_on_the_socket_shares_its_key_with_http,
    connections_per_token_are_limited,
    orders_on_a_socket_are_rate_limited,
    heartbeats_keep_a_reader_and_idle_clients_are_closed,
    shutdown_closes_every_feed_with_1012,
    operators_feed_filters_by_market_and_host,
    order_lifecycle_events_are_cut_to_the_role,
    order_lines_speak_each_watchers_language,
    a_large_snapshot_and_a_large_message_pass_the_small_buffers,
);

/// How long any single expected message may take.
const T: Duration = Duration::from_secs(15);

fn session_feed(session_id: i64) -> String {
    format!("/api/v1/sessions/{session_id}/feed")
}

/// The session's event log through `GET /api/v1/sessions/{id}/events`, every page.
async fn logged_events(app: &TestApp, session_id: i64, token: &str) -> Vec<Value> {
    let mut events: Vec<Value> = Vec::new();
    let mut since = 0;
    loop {
        let page = app
            .get(
                &format!("/api/v1/sessions/{session_id}/events?since={since}&limit=1000"),
                token,
            )
            .await
            .expect(200)
            .body;
        let page = page.as_array().expect("events").clone();
        let Some(last) = page.last() else {
            return events;
        };
        since = last["seq"].as_i64().expect("seq");
        events.extend(page);
    }
}

/// The last seq handed out in the session.
async fn last_seq(app: &TestApp, session_id: i64) -> i64 {
    app.scalar(&format!(
        "SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = {session_id}"
    ))
    .await
}

/// The last global event id.
async fn last_id(app: &TestApp) -> i64 {
    app.scalar("SELECT COALESCE(MAX(id), 0) FROM events").await
}

/// The logged events among `messages` (those carrying a `seq`; the snapshot's is not an
/// event's).
fn logged(messages: &[Value]) -> Vec<&Value> {
    messages
        .iter()
        .filter(|m| m.get("seq").is_some() && m["type"] != "snapshot")
        .collect()
}

fn seqs_of(messages: &[&Value]) -> Vec<i64> {
    messages
        .iter()
        .map(|m| m["seq"].as_i64().expect("seq"))
        .collect()
}

/// Asserts that `seqs` is exactly `from..=to`, naming the first place it is not (without
/// printing thousands of numbers).
#[track_caller]
fn assert_run(seqs: &[i64], from: i64, to: i64, what: &str) {
    let expected: Vec<i64> = (from..=to).collect();
    if seqs != expected.as_slice() {
        let at = seqs
            .iter()
            .zip(&expected)
            .position(|(a, b)| a != b)
            .unwrap_or(seqs.len().min(expected.len()));
        let near = |v: &[i64]| v[at.saturating_sub(3)..(at + 4).min(v.len())].to_vec();
        panic!(
            "{what}: expected {from}..={to} ({} numbers), got {} numbers starting {:?}; first \
             difference at index {at}: got {:?}, expected {:?}",
            expected.len(),
            seqs.len(),
            &seqs[..seqs.len().min(3)],
            near(seqs),
            near(&expected),
        );
    }
}

/// Ticks never carry `seq` or `id`.
fn assert_ticks_unnumbered(messages: &[Value]) {
    for m in messages.iter().filter(|m| m["type"] == "tick") {
        assert!(
            m.get("seq").is_none() && m.get("id").is_none(),
            "a tick with a number: {m}"
        );
    }
}

/// Reads the snapshot every feed starts with.
async fn snapshot(client: &mut FeedClient) -> Value {
    let first = client.next_json(T).await;
    assert_eq!(first["type"], "snapshot", "the first message: {first}");
    first
}

/// `count` guest buyers, signed up over HTTP with at most 32 at once; their tokens and ids.
async fn buyers(app: &Arc<TestApp>, prefix: &str, count: usize) -> Vec<(String, i64)> {
    let gate = Arc::new(Semaphore::new(32));
    let mut signups = JoinSet::new();
    for i in 0..count {
        let (app, gate) = (app.clone(), gate.clone());
        let name = format!("{prefix}{i:04}");
        signups.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            (i, app.buyer(&name, "ru").await)
        });
    }
    let mut out = vec![(String::new(), 0); count];
    while let Some(done) = signups.join_next().await {
        let (i, buyer) = done.expect("signup task");
        out[i] = buyer;
    }
    out
}

/// `count` HTTP orders of one unit each, spread over `buyers`, `at_once` at a time; all confirmed.
async fn place_orders(
    app: &Arc<TestApp>,
    live: &LiveSetup,
    buyers: &[(String, i64)],
    tag: &str,
    count: usize,
    at_once: usize,
) {
    let gate = Arc::new(Semaphore::new(at_once));
    let mut orders = JoinSet::new();
    for i in 0..count {
        let (app, gate) = (app.clone(), gate.clone());
        let token = buyers[i % buyers.len()].0.clone();
        let (session, variant) = (live.session_id, live.variant_id);
        let key = format!("{tag}-{i}");
        orders.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            app.order(&token, session, &key, &order_body(variant, 1, "KZT"))
                .await
                .expect(201);
        });
    }
    while let Some(done) = orders.join_next().await {
        done.expect("order task");
    }
}

/// A flash sale with room for many orders per buyer (`units` units, limit 1,000).
async fn big_sale(app: &TestApp, live: &LiveSetup, units: i64) -> i64 {
    app.flash_sale(live, units, 1_000).await
}

// ---- 1. the flash sale on every feed --------------------------------------------------------

const BUYERS: usize = 2_000;
/// Buyers who order on their own feed socket (three one-unit orders each); the rest order over
/// HTTP.
const WS_BUYERS: usize = 200;
const UNITS: i64 = 500;
const LIMIT: i64 = 3;
/// Every buyer's display name starts with this: it must never reach a buyer's feed.
const NAME_PREFIX: &str = "Zarina";

/// One answer to an order, over either transport.
#[derive(Debug, Clone)]
struct Answer {
    buyer: usize,
    key: String,
    quantity: i64,
    via: &'static str,
    /// HTTP status; 0 for an answer on the socket.
    status: u16,
    /// `error.code`, empty for a confirmation.
    code: String,
    order_id: Option<i64>,
}

impl Answer {
    fn from_ws(buyer: usize, key: &str, result: &Value) -> Answer {
        assert_eq!(result["type"], "order_result");
        assert_eq!(result["client_order_id"], key);
        Answer {
            buyer,
            key: key.to_owned(),
            quantity: 1,
            via: "ws",
            status: 0,
            code: result["error"]["code"].as_str().unwrap_or("").to_owned(),
            order_id: result["order"]["id"].as_i64(),
        }
    }

    fn from_http(buyer: usize, key: &str, quantity: i64, reply: &silkstream_e2e::Reply) -> Answer {
        Answer {
            buyer,
            key: key.to_owned(),
            quantity,
            via: "http",
            status: reply.status.as_u16(),
            code: reply.code().to_owned(),
            order_id: reply.body["order"]["id"].as_i64(),
        }
    }

    /// A new order (not a replay of a key used before).
    fn created(&self) -> bool {
        self.order_id.is_some() && (self.status == 201 || self.status == 0)
    }
}

/// A key sent on one transport, then again on the other.
#[derive(Debug)]
struct Retry {
    first: Answer,
    again: Answer,
    replayed: bool,
}

/// Fields of `order_confirmed` that only the session's host and operators may see.
const HOST_ONLY: [&str; 7] = [
    "order_id",
    "currency",
    "unit_price_minor",
    "total_minor",
    "price",
    "totals",
    "buyer_name",
];

/// Checks a buyer-facing feed: gapless seqs from its snapshot to `last`, every confirmed order's
/// event, and nobody's full name, phone or address anywhere in what it received.
fn assert_buyer_facing(
    who: &str,
    client: &FeedClient,
    snapshot_seq: i64,
    messages: &[Value],
    last: i64,
    confirmed_seqs: &[i64],
) {
    let events = logged(messages);
    assert_run(
        &seqs_of(&events),
        snapshot_seq + 1,
        last,
        "{who}: every logged event once, in seq order",
    );
    assert_ticks_unnumbered(messages);
    let orders: Vec<&&Value> = events
        .iter()
        .filter(|m| m["type"] == "order_confirmed")
        .collect();
    let seqs: Vec<i64> = orders
        .iter()
        .map(|m| m["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(
        seqs, confirmed_seqs,
        "{who}: the same order_confirmed events as the host",
    );
    for m in &orders {
        for field in HOST_ONLY {
            let present = if field == "buyer_name" {
                m["buyer"].get("name").is_some()
            } else {
                m.get(field).is_some()
            };
            assert!(!present, "{who}: {field} in a buyer-facing line: {m}");
        }
        assert!(m["buyer"].get("id").is_none(), "{who}: buyer.id: {m}");
        assert!(m["line"].is_string(), "{who}: a line: {m}");
        assert!(m["buyer"]["masked"].is_string(), "{who}: buyer.masked: {m}");
        assert!(m["remaining"].is_i64(), "{who}: remaining: {m}");
        assert!(m["quantity"].is_i64(), "{who}: quantity: {m}");
    }
    let to = ship_to();
    let secrets = [
        NAME_PREFIX,
        to["name"].as_str().expect("name"),
        to["phone"].as_str().expect("phone"),
        to["address"].as_str().expect("address"),
    ];
    assert!(!client.transcript.is_empty(), "{who}: a transcript");
    for raw in &client.transcript {
        // The raw text, and its JSON decoded again (in case of escapes).
        let decoded = serde_json::from_str::<Value>(raw)
            .expect("json")
            .to_string();
        for secret in secrets {
            assert!(
                !raw.contains(secret) && !decoded.contains(secret),
                "{who}: {secret:?} in {raw}"
            );
        }
    }
}

/// During a 2,000-buyer flash sale (500 units, limit 3; 200 buyers order on their feed socket,
/// 1,800 over HTTP; a share retry a key on the other transport and get the same order), the
/// host's feed shows every confirmed order exactly once, in seq order, with the buyer's name,
/// the price and running totals; buyers' and another host's feeds show every order too, but no
/// order id and nobody's full name, phone or address.
async fn flash_sale_over_http_and_ws_reaches_every_feed_once_in_order(backend: Backend) {
    let started = Instant::now();
    let app = Arc::new(
        spawn_app_with(backend, |s| {
            s.buyer_signups_per_minute = 100_000;
            s.db_max_connections = 16;
            s.feed_orders_per_second = 100;
        })
        .await,
    );
    let live = app.live_session(800, true).await;
    let sale_id = app.flash_sale(&live, UNITS, LIMIT).await;
    let buyers = Arc::new(buyers(&app, NAME_PREFIX, BUYERS).await);
    let names: HashMap<i64, String> = buyers
        .iter()
        .enumerate()
        .map(|(i, (_, id))| (*id, format!("{NAME_PREFIX}{i:04}")))
        .collect();
    let signed_up = started.elapsed();

    // The watchers connect through the sale: the host, another host, a buyer who only watches.
    let feed = session_feed(live.session_id);
    let mut host_feed = app.ws_connect(&feed, Some(&live.host)).await;
    let host_snapshot = snapshot(&mut host_feed).await;
    let other_host = app.token("host").await;
    let mut other_feed = app.ws_connect(&feed, Some(&other_host)).await;
    let other_snapshot = snapshot(&mut other_feed).await;
    let (watcher, _) = app.buyer("Watcher", "ru").await;
    let mut buyer_feed = app.ws_connect(&feed, Some(&watcher)).await;
    let buyer_snapshot = snapshot(&mut buyer_feed).await;
    let (host_feed, other_feed, buyer_feed) = (
        host_feed.watch("seq"),
        other_feed.watch("seq"),
        buyer_feed.watch("seq"),
    );

    // The socket buyers connect before the race, at most 32 at once.
    let gate = Arc::new(Semaphore::new(32));
    let mut connecting = JoinSet::new();
    for i in 0..WS_BUYERS {
        let (app, gate, buyers, feed) = (app.clone(), gate.clone(), buyers.clone(), feed.clone());
        connecting.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            let mut client = app.ws_connect(&feed, Some(&buyers[i].0)).await;
            snapshot(&mut client).await;
            (i, client)
        });
    }
    let mut sockets = Vec::new();
    while let Some(done) = connecting.join_next().await {
        sockets.push(done.expect("connect task"));
    }
    let connected = started.elapsed();

    // The race. Socket buyers go first: even ones place their first order over HTTP, odd ones
    // on the socket; every other one retries that first key on the other transport.
    let (session, variant) = (live.session_id, live.variant_id);
    let mut socket_buyers = JoinSet::new();
    for (i, mut client) in sockets {
        let (app, buyers) = (app.clone(), buyers.clone());
        socket_buyers.spawn(async move {
            let token = &buyers[i].0;
            let one = order_body(variant, 1, "KZT");
            let mut answers = Vec::new();
            let mut retries = Vec::new();
            let first_key = format!("w{i}-first");
            if i % 2 == 0 {
                let reply = app.order(token, session, &first_key, &one).await;
                let first = Answer::from_http(i, &first_key, 1, &reply);
                answers.push(first.clone());
                if i % 4 == 0 {
                    let result = client.order(&first_key, &one, T * 4).await;
                    let again = Answer::from_ws(i, &first_key, &result);
                    retries.push(Retry {
                        first,
                        again,
                        replayed: true,
                    });
                }
            } else {
                let result = client.order(&first_key, &one, T * 4).await;
                let first = Answer::from_ws(i, &first_key, &result);
                answers.push(first.clone());
                if i % 4 == 1 {
                    let reply = app.order(token, session, &first_key, &one).await;
                    let replayed = reply.body["replayed"] == true;
                    let again = Answer::from_http(i, &first_key, 1, &reply);
                    retries.push(Retry {
                        first,
                        again,
                        replayed,
                    });
                }
            }
            for n in 0..2 {
                let key = format!("w{i}-more-{n}");
                let result = client.order(&key, &one, T * 4).await;
                answers.push(Answer::from_ws(i, &key, &result));
            }
            client.close().await;
            (answers, retries)
        });
    }
    let gate = Arc::new(Semaphore::new(256));
    let mut http_buyers = JoinSet::new();
    let mut send = |buyer: usize, key: String, quantity: i64| {
        let (app, gate, buyers) = (app.clone(), gate.clone(), buyers.clone());
        http_buyers.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            let reply = app
                .order(
                    &buyers[buyer].0,
                    session,
                    &key,
                    &order_body(variant, quantity, "KZT"),
                )
                .await;
            Answer::from_http(buyer, &key, quantity, &reply)
        });
    };
    for i in WS_BUYERS..BUYERS {
        send(i, format!("h{i}"), 1 + (i as i64 % 3));
        if i % 7 == 0 {
            send(i, format!("h{i}-second"), 2);
        }
    }
    let mut answers = Vec::new();
    let mut retries = Vec::new();
    while let Some(done) = socket_buyers.join_next().await {
        let (a, r) = done.expect("socket buyer task");
        answers.extend(a);
        retries.extend(r);
    }
    while let Some(done) = http_buyers.join_next().await {
        answers.push(done.expect("http buyer task"));
    }
    let raced = started.elapsed() - connected;

    // Every answer is a confirmation or an honest refusal, on either transport.
    for a in &answers {
        let ok = a.created() || matches!(a.code.as_str(), "sold_out" | "limit_reached");
        assert!(ok, "unexpected answer {a:?}");
    }
    // A key retried on the other transport names the same order (or the same refusal).
    for r in &retries {
        assert_eq!(
            r.again.order_id, r.first.order_id,
            "same order on both transports: {r:?}"
        );
        if r.first.order_id.is_some() {
            assert!(r.replayed, "the retry is a replay: {r:?}");
            if r.again.via == "http" {
                assert_eq!(r.again.status, 200, "an HTTP replay answers 200: {r:?}");
            }
        } else {
            assert_eq!(r.again.code, r.first.code, "same refusal: {r:?}");
        }
    }
    for via in ["ws", "http"] {
        assert!(
            retries
                .iter()
                .any(|r| r.first.via == via && r.first.order_id.is_some()),
            "some order placed over {via} was retried on the other transport"
        );
    }
    // A key names one order at most, whichever transport answered.
    let mut by_key: HashMap<(usize, &str), HashSet<i64>> = HashMap::new();
    for a in answers.iter().chain(retries.iter().map(|r| &r.again)) {
        if let Some(id) = a.order_id {
            by_key.entry((a.buyer, &a.key)).or_default().insert(id);
        }
    }
    assert!(
        by_key.values().all(|ids| ids.len() == 1),
        "a key answered with two orders"
    );
    let created: HashMap<i64, &Answer> = answers
        .iter()
        .filter(|a| a.created())
        .map(|a| (a.order_id.expect("created"), a))
        .collect();
    assert_eq!(
        created.values().map(|a| a.quantity).sum::<i64>(),
        UNITS,
        "units confirmed over both transports"
    );
    assert!(
        created.values().any(|a| a.via == "ws") && created.values().any(|a| a.via == "http"),
        "orders confirmed on both transports"
    );

    // The database: the confirmed orders.
    let db_orders: HashSet<i64> = app
        .get(
            &format!("/api/v1/orders?session_id={}", live.session_id),
            &live.operator,
        )
        .await
        .expect(200)
        .body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|o| o["status"] == "confirmed")
        .map(|o| o["id"].as_i64().expect("order id"))
        .collect();
    let db_count = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM orders WHERE sale_id = {sale_id} AND status = 'confirmed'"
        ))
        .await;
    assert_eq!(db_orders.len() as i64, db_count);
    assert_eq!(
        db_orders,
        created.keys().copied().collect::<HashSet<_>>(),
        "the database holds the confirmed orders"
    );

    // The host's feed: every logged event once, in seq order, then every confirmed order.
    let last = last_seq(&app, live.session_id).await;
    let (_, host_messages) = host_feed.until(last, T * 2).await;
    let fed = started.elapsed() - connected - raced;
    let host_seq = host_snapshot["seq"].as_i64().expect("snapshot seq");
    let host_events = logged(&host_messages);
    assert_run(
        &seqs_of(&host_events),
        host_seq + 1,
        last,
        "the host's feed: seqs strictly increasing by 1 from the snapshot's",
    );
    assert_ticks_unnumbered(&host_messages);
    let log = logged_events(&app, live.session_id, &live.operator).await;
    let log_kinds: Vec<(i64, String)> = log
        .iter()
        .filter(|e| e["seq"].as_i64() > Some(host_seq))
        .map(|e| {
            (
                e["seq"].as_i64().expect("seq"),
                e["kind"].as_str().expect("kind").to_owned(),
            )
        })
        .collect();
    let fed_kinds: Vec<(i64, String)> = host_events
        .iter()
        .map(|m| {
            (
                m["seq"].as_i64().expect("seq"),
                m["type"].as_str().expect("type").to_owned(),
            )
        })
        .collect();
    assert_eq!(fed_kinds, log_kinds, "the host's feed is the log");
    let host_orders: Vec<&&Value> = host_events
        .iter()
        .filter(|m| m["type"] == "order_confirmed")
        .collect();
    let host_order_ids: Vec<i64> = host_orders
        .iter()
        .map(|m| m["order_id"].as_i64().expect("order_id on the host's line"))
        .collect();
    assert_eq!(
        host_orders.len() as i64,
        db_count,
        "one line per confirmed order",
    );
    assert_eq!(
        host_order_ids.iter().copied().collect::<HashSet<_>>(),
        db_orders,
        "the host's lines are the confirmed orders"
    );
    for m in &host_orders {
        assert_eq!(m["session_id"], live.session_id, "{m}");
        assert!(m["id"].is_i64(), "a global id: {m}");
        let buyer_id = m["buyer"]["id"]
            .as_i64()
            .expect("buyer.id on the host's line");
        assert_eq!(
            m["buyer"]["name"].as_str(),
            names.get(&buyer_id).map(String::as_str),
            "the buyer's name on the host's line: {m}"
        );
        assert_eq!(m["unit_price_minor"], 450000, "{m}");
        assert_eq!(m["currency"], "KZT", "{m}");
        assert!(
            m["price"].as_str().is_some_and(|p| !p.is_empty()),
            "a formatted price: {m}"
        );
        assert!(m["totals"]["units"].is_i64(), "running totals: {m}");
    }
    let final_totals = &host_orders.last().expect("an order line")["totals"];
    assert_eq!(final_totals["units"], UNITS, "final totals: {final_totals}");
    assert_eq!(
        final_totals["orders"], db_count,
        "final totals: {final_totals}"
    );
    assert!(
        final_totals["gmv"]
            .to_string()
            .contains(&(UNITS * 450000).to_string()),
        "GMV in minor units: {final_totals}"
    );
    assert!(final_totals["gmv_cny"].is_string(), "{final_totals}");
    let confirmed_seqs: Vec<i64> = host_orders
        .iter()
        .map(|m| m["seq"].as_i64().expect("seq"))
        .collect();

    // A buyer's feed and another host's: every order, masked, nobody's details.
    let (buyer_client, buyer_messages) = buyer_feed.until(last, T * 2).await;
    assert_buyer_facing(
        "buyer feed",
        &buyer_client,
        buyer_snapshot["seq"].as_i64().expect("seq"),
        &buyer_messages,
        last,
        &confirmed_seqs,
    );
    let (other_client, other_messages) = other_feed.until(last, T * 2).await;
    assert_buyer_facing(
        "another host's feed",
        &other_client,
        other_snapshot["seq"].as_i64().expect("seq"),
        &other_messages,
        last,
        &confirmed_seqs,
    );

    eprintln!(
        "feed flash sale: {BUYERS} buyers signed up in {signed_up:?}, {WS_BUYERS} sockets by \
         {connected:?}; {} orders decided in {raced:?} ({} confirmed, {} on sockets); the \
         feeds caught up {fed:?} later; {} events",
        answers.len(),
        created.len(),
        created.values().filter(|a| a.via == "ws").count(),
        host_events.len(),
    );
}

// ---- 2. resume ------------------------------------------------------------------------------

/// A buyer's feed opened with `since=0` and the operators' feed, disconnected mid-sale and
/// reconnected with `since` / `since_id` while orders keep committing, together receive every
/// event of the log exactly once, in order.
async fn feeds_resume_after_a_disconnect_without_gap_or_duplicate(backend: Backend) {
    let app = Arc::new(
        spawn_app_with(backend, |s| {
            s.buyer_signups_per_minute = 1_000;
            s.orders_per_buyer_per_minute = 100_000;
        })
        .await,
    );
    let live = app.live_session(1_000, true).await;
    big_sale(&app, &live, 600).await;
    let buyers = buyers(&app, "Resumer", 8).await;
    let (watcher, _) = app.buyer("Watcher", "kk").await;
    let feed = session_feed(live.session_id);

    let mut buyer_first = app
        .ws_connect(&format!("{feed}?since=0"), Some(&watcher))
        .await;
    snapshot(&mut buyer_first).await;
    let mut ops_first = app.ws_connect("/api/v1/feed", Some(&live.operator)).await;
    let ops_snapshot = snapshot(&mut ops_first).await;
    let ops_start = ops_snapshot["id"].as_i64().expect("snapshot id");

    // Phase one; then each client reads part of it and hangs up without a goodbye.
    place_orders(&app, &live, &buyers, "one", 60, 8).await;
    let mid_seq = last_seq(&app, live.session_id).await - 25;
    let buyer_part1 = buyer_first.events_through_seq(mid_seq, T).await;
    drop(buyer_first);
    let mid_id = last_id(&app).await - 30;
    let ops_part1: Vec<Value> = ops_first
        .collect_until(T, |m| {
            m["id"].as_i64() >= Some(mid_id) && m["type"] != "snapshot"
        })
        .await
        .into_iter()
        .filter(|m| m.get("seq").is_some())
        .collect();
    drop(ops_first);

    // Phase two commits while the clients reconnect.
    let phase_two = {
        let (app, live, buyers) = (app.clone(), live.clone(), buyers.clone());
        tokio::spawn(async move { place_orders(&app, &live, &buyers, "two", 150, 8).await })
    };
    let buyer_seen = buyer_part1.last().expect("events before the hang-up")["seq"]
        .as_i64()
        .expect("seq");
    let mut buyer_again = app
        .ws_connect(&format!("{feed}?since={buyer_seen}"), Some(&watcher))
        .await;
    snapshot(&mut buyer_again).await;
    let buyer_again = buyer_again.watch("seq");
    let ops_seen = ops_part1.last().expect("events before the hang-up")["id"]
        .as_i64()
        .expect("id");
    let mut ops_again = app
        .ws_connect(
            &format!("/api/v1/feed?since_id={ops_seen}"),
            Some(&live.operator),
        )
        .await;
    snapshot(&mut ops_again).await;
    let ops_again = ops_again.watch("id");
    phase_two.await.expect("phase two");

    // The buyer's two connections together: the whole log, once each, in order.
    let log = logged_events(&app, live.session_id, &live.operator).await;
    let last = log.last().expect("events")["seq"].as_i64().expect("seq");
    assert!(buyer_seen < last - 100, "the hang-up was mid-sale");
    let (_, buyer_part2) = buyer_again.until(last, T * 2).await;
    let mut buyer_seqs: Vec<i64> = buyer_part1
        .iter()
        .map(|m| m["seq"].as_i64().expect("seq"))
        .collect();
    let buyer_part2 = logged(&buyer_part2);
    buyer_seqs.extend(seqs_of(&buyer_part2));
    assert_run(
        &buyer_seqs,
        1,
        last,
        "buyer feed: no gap, no duplicate across the reconnect",
    );
    let kinds: Vec<&str> = buyer_part1
        .iter()
        .chain(buyer_part2.iter().copied())
        .map(|m| m["type"].as_str().expect("type"))
        .collect();
    let log_kinds: Vec<&str> = log
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, log_kinds, "buyer feed: the log's kinds");

    // The operators' two connections: every global id after the snapshot, once, in order.
    let last_global = log.last().expect("events")["id"].as_i64().expect("id");
    let (_, ops_part2) = ops_again.until(last_global, T * 2).await;
    let ops_ids: Vec<i64> = ops_part1
        .iter()
        .chain(logged(&ops_part2))
        .map(|m| m["id"].as_i64().expect("id"))
        .collect();
    let log_ids: Vec<i64> = log
        .iter()
        .map(|e| e["id"].as_i64().expect("id"))
        .filter(|id| *id > ops_start)
        .collect();
    assert_eq!(
        ops_ids, log_ids,
        "operators' feed: no gap, no duplicate across the reconnect",
    );
    for m in ops_part1.iter().chain(logged(&ops_part2)) {
        assert_eq!(m["session_id"], live.session_id, "{m}");
    }
}

// ---- 3. a client that never reads -----------------------------------------------------------

/// Orders in the flood; with the wide buyers below each order's line to an operator is about
/// 1.5 KB, so the flood is some 6 MB: more than the kernel's socket buffers on both ends of a
/// loopback connection can hold (Linux grows a sender's buffer up to `tcp_wmem`'s 4 MB).
const FLOOD: usize = 4_000;
/// A queue far smaller than the flood, yet roomy enough for the bursts a reading client gets
/// when a whole batch of orders commits at once.
const SMALL_QUEUE: usize = 256;

/// A buyer whose name and city are as long as allowed, in 4-byte characters, so that every
/// line about their orders is long.
async fn wide_buyer(app: &TestApp, i: usize) -> (String, i64) {
    let reply = app
        .request(
            reqwest::Method::POST,
            "/api/v1/buyers",
            None,
            Some(
                &json!({"display_name": format!("{i:04}{}", "\u{10330}".repeat(56)),
                         "country": "KZ", "city": "\u{10330}".repeat(100), "locale": "ru"}),
            ),
        )
        .await
        .expect(201);
    (
        reply.body["token"].as_str().expect("token").to_owned(),
        reply.body["buyer"]["id"].as_i64().expect("buyer id"),
    )
}

/// An operator's session feed that never reads (a 4 KiB TCP receive buffer) does not delay the
/// host's feed: the host receives all of a flood of orders while it stalls; the stalled client's
/// last message is `resync` with the last seq it was sent, then a 1013 close, and it resumes
/// from there without a gap. Pings come every second and, like any client, it answers them as
/// soon as it reads again.
async fn a_client_that_never_reads_is_told_to_resync_and_slows_nobody(backend: Backend) {
    let app = Arc::new(
        spawn_app_with(backend, |s| {
            s.feed_queue_capacity = SMALL_QUEUE;
            s.feed_ping_interval_s = 1;
            // The stalled client is to be ended by its full queue, not by the idle timer: on a
            // loaded machine the flood takes longer than the default minute of silence, and the
            // idle close (or a ping blocked on the full socket for that long) came first.
            s.feed_idle_timeout_s = 600;
            s.buyer_signups_per_minute = 1_000;
            s.orders_per_buyer_per_minute = 100_000;
            s.db_max_connections = 16;
        })
        .await,
    );
    let live = app.live_session(FLOOD as i64, true).await;
    big_sale(&app, &live, FLOOD as i64).await;
    let mut buyers = Vec::new();
    for i in 0..20 {
        buyers.push(wide_buyer(&app, i).await);
    }
    let feed = session_feed(live.session_id);

    let mut host = app.ws_connect(&feed, Some(&live.host)).await;
    let host_snapshot = snapshot(&mut host).await;
    let host = host.watch("seq");
    let mut slow = app.ws_connect_slow(&feed, Some(&live.operator), 4096).await;

    let started = Instant::now();
    place_orders(&app, &live, &buyers, "flood", FLOOD, 32).await;
    let flooded = started.elapsed();
    let last = last_seq(&app, live.session_id).await;
    let (_, host_messages) = host.until(last, T).await;
    let host_took = started.elapsed();
    let host_seq = host_snapshot["seq"].as_i64().expect("seq");
    assert_run(
        &seqs_of(&logged(&host_messages)),
        host_seq + 1,
        last,
        "the host's feed got every event while the slow client stalled",
    );
    assert!(
        !host_messages.iter().any(|m| m["type"] == "resync"),
        "the host was not told to resync"
    );

    // Now the slow client reads: what it was sent, then resync, then 1013.
    let ending = slow.read_to_close(T * 4).await;
    let messages = &ending.messages;
    assert_eq!(
        messages.first().map(|m| &m["type"]),
        Some(&json!("snapshot")),
    );
    let mut sent = messages[0]["seq"].as_i64().expect("snapshot seq");
    let events = logged(messages);
    assert_run(
        &seqs_of(&events),
        sent + 1,
        sent + events.len() as i64,
        "what the slow client got is gapless",
    );
    if let Some(e) = events.last() {
        sent = e["seq"].as_i64().expect("seq");
    }
    let resync = messages.last().expect("messages");
    assert_eq!(
        resync["type"],
        "resync",
        "the last message (of {}) is {} seq {} (the log ends at {last}); close code {:?}, \
         error {:?}",
        messages.len(),
        resync["type"],
        resync["seq"],
        ending.code,
        ending.error
    );
    assert_eq!(
        resync["since"], sent,
        "resync names the last seq it was sent: {resync}",
    );
    assert!(
        sent < last,
        "the slow client fell behind (got through {sent} of {last})"
    );
    assert_eq!(
        ending.code,
        Some(1013),
        "closed with 1013 (try again later)"
    );

    // It resumes where it was told to.
    let mut again = app
        .ws_connect(&format!("{feed}?since={sent}"), Some(&live.operator))
        .await;
    snapshot(&mut again).await;
    let rest = again.events_through_seq(last, T).await;
    assert_run(
        &seqs_of(&rest.iter().collect::<Vec<_>>()),
        sent + 1,
        last,
        "the resumed feed picks up after `since`",
    );
    eprintln!(
        "slow client: {FLOOD} orders in {flooded:?}; the host's feed had all {last} events \
         {host_took:?} after the flood began; the slow client got through seq {sent}"
    );
}

// ---- 4. bad messages ------------------------------------------------------------------------

/// Asserts the connection is still usable: a ping gets a pong.
async fn assert_usable(client: &mut FeedClient) {
    client.send_json(&json!({"type": "ping"})).await;
    let pong = client.next_of_type("pong", T).await;
    assert_eq!(pong["type"], "pong", "{pong}");
    assert!(pong["server_time"].is_string(), "{pong}");
}

/// Malformed JSON, an unknown type and orders with bad content each get an error message (and
/// change nothing); the connection stays usable and can still order; a message over
/// `feed_max_message_bytes` closes with 1009; another client keeps receiving events throughout.
async fn bad_messages_get_error_messages_and_oversize_closes_with_1009(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.feed_max_message_bytes = 1024).await;
    let live = app.live_session(20, true).await;
    app.flash_sale(&live, 10, 3).await;
    let (buyer, _) = app.buyer("Timur", "ru").await;
    let (other, _) = app.buyer("Saule", "ru").await;
    let feed = session_feed(live.session_id);
    let mut bystander = app.ws_connect(&feed, Some(&live.host)).await;
    snapshot(&mut bystander).await;
    let mut client = app.ws_connect(&feed, Some(&buyer)).await;
    snapshot(&mut client).await;
    let before = app.feed_fingerprint().await;

    for (text, code) in [
        ("{\"type\": \"order\", ".to_owned(), "malformed_json"),
        ("not json at all".to_owned(), "malformed_json"),
        (json!({"type": "dance"}).to_string(), "unknown_type"),
    ] {
        client.send_text(text.clone()).await;
        let reply = client.next_event(T).await;
        assert_eq!(reply["type"], "error", "{text}: {reply}");
        assert_eq!(reply["error"]["code"], code, "{text}: {reply}");
        assert!(reply["error"]["message"].is_string(), "{reply}");
        assert_usable(&mut client).await;
    }
    let mut no_ship_to = order_body(live.variant_id, 1, "KZT");
    no_ship_to
        .as_object_mut()
        .expect("object")
        .remove("ship_to");
    for (key, body) in [
        ("bad-quantity", order_body(live.variant_id, 0, "KZT")),
        ("bad-currency", order_body(live.variant_id, 1, "kzt!")),
        ("bad-ship-to", no_ship_to),
        (
            "bad-variant",
            json!({"variant_id": "seven", "quantity": 1, "currency": "KZT", "ship_to": ship_to()}),
        ),
    ] {
        let mut message = body.clone();
        message["type"] = "order".into();
        message["client_order_id"] = key.into();
        client.send_json(&message).await;
        let reply = client.next_event(T).await;
        let ok = match reply["type"].as_str() {
            Some("order_result") => {
                reply["client_order_id"] == key && reply["error"]["code"] == "invalid"
            }
            Some("error") => reply["error"]["code"] == "invalid",
            _ => false,
        };
        assert!(ok, "{key}: an `invalid` answer, got {reply}");
        assert!(reply.get("order").is_none(), "{key}: {reply}");
        assert_usable(&mut client).await;
    }
    assert_eq!(
        app.feed_fingerprint().await,
        before,
        "bad messages wrote nothing"
    );

    // Still usable for a real order; the bystander sees it.
    let placed = client
        .order("good-1", &order_body(live.variant_id, 1, "KZT"), T)
        .await;
    let order_id = placed["order"]["id"].as_i64().expect("a confirmed order");
    let line = bystander.next_of_type("order_confirmed", T).await;
    assert_eq!(line["order_id"], order_id);

    // Oversize: closed with 1009.
    let big = json!({"type": "ping", "pad": "x".repeat(2048)}).to_string();
    client.send_text(big).await;
    let ending = client.read_to_close(T).await;
    assert_eq!(
        ending.code,
        Some(1009),
        "an oversized message closes with 1009"
    );

    // Everyone else is served on.
    let reply = app
        .order(
            &other,
            live.session_id,
            "after",
            &order_body(live.variant_id, 1, "KZT"),
        )
        .await
        .expect(201);
    let line = bystander.next_of_type("order_confirmed", T).await;
    assert_eq!(line["order_id"], reply.body["order"]["id"]);
    assert_usable(&mut bystander).await;
}

// ---- 5. refused upgrades --------------------------------------------------------------------

/// Upgrades are refused before any WebSocket, as plain HTTP with the error envelope: no or a bad
/// token 401, a buyer's or a host's token on the operators' feed 403, an unknown session 404,
/// bad `since`, `since_id`, `locale`, `currency`, `market`, `host` 422; `?token=` works in place
/// of the header.
async fn refused_upgrades_are_plain_http_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Ulan", "ru").await;
    let feed = session_feed(live.session_id);
    let cases: Vec<(String, Option<&str>, u16, &str)> = vec![
        (feed.clone(), None, 401, "unauthorized"),
        (feed.clone(), Some("ss_not_a_token"), 401, "unauthorized"),
        (
            format!("{feed}?token=ss_not_a_token"),
            None,
            401,
            "unauthorized",
        ),
        ("/api/v1/feed".into(), None, 401, "unauthorized"),
        ("/api/v1/feed".into(), Some(&buyer), 403, "forbidden"),
        ("/api/v1/feed".into(), Some(&live.host), 403, "forbidden"),
        (
            format!("/api/v1/feed?token={buyer}"),
            None,
            403,
            "forbidden",
        ),
        (session_feed(999_999), Some(&buyer), 404, "not_found"),
        (
            "/api/v1/sessions/abc/feed".into(),
            Some(&buyer),
            404,
            "not_found",
        ),
        (format!("{feed}?since=abc"), Some(&buyer), 422, "invalid"),
        (format!("{feed}?since=-1"), Some(&buyer), 422, "invalid"),
        (
            format!("{feed}?locale=xx-nope"),
            Some(&buyer),
            422,
            "invalid",
        ),
        (format!("{feed}?currency=12"), Some(&buyer), 422, "invalid"),
        (
            "/api/v1/feed?since_id=abc".into(),
            Some(&live.operator),
            422,
            "invalid",
        ),
        (
            "/api/v1/feed?market=Kazakhstan".into(),
            Some(&live.operator),
            422,
            "invalid",
        ),
        (
            "/api/v1/feed?host=abc".into(),
            Some(&live.operator),
            422,
            "invalid",
        ),
    ];
    for (path, token, status, code) in cases {
        match app.ws_try_connect(&path, token).await {
            Ok(_) => panic!("{path} with {token:?}: upgraded, expected {status}"),
            Err(refusal) => {
                assert_eq!(refusal.status, status, "{path} with {token:?}: {refusal:?}");
                assert_eq!(refusal.code(), code, "{path} with {token:?}: {refusal:?}");
                assert!(
                    refusal.body["error"]["message"].is_string(),
                    "{path}: the error envelope: {refusal:?}"
                );
            }
        }
    }
    // A browser's way: the token in the query.
    let mut by_query = app.ws_connect(&format!("{feed}?token={buyer}"), None).await;
    let first = snapshot(&mut by_query).await;
    assert_eq!(first["session"]["id"], live.session_id);
    let mut ops_by_query = app
        .ws_connect(&format!("/api/v1/feed?token={}", live.operator), None)
        .await;
    snapshot(&mut ops_by_query).await;
    // A host may watch another host's session (as a buyer sees it).
    let other_host = app.token("host").await;
    let mut other = app.ws_connect(&feed, Some(&other_host)).await;
    snapshot(&mut other).await;
}

// ---- 6. the rest of the protocol ------------------------------------------------------------

/// The first message is a snapshot current to the session's last seq, with the server time,
/// the session, the sale's sold and left counts and times, and viewers; ticks follow about once
/// a second with the sale's `left` and the viewer count, and no `seq` or `id`. The operators'
/// feed starts with a snapshot of the live sessions and the last global id.
async fn first_message_is_a_snapshot_and_ticks_carry_no_seq(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(30, true).await;
    let sale_id = app.flash_sale(&live, 20, 3).await;
    let (buyer, _) = app.buyer("Vera", "ru").await;
    let (second, _) = app.buyer("Yerlan", "kk").await;
    app.order(
        &buyer,
        live.session_id,
        "s-1",
        &order_body(live.variant_id, 2, "KZT"),
    )
    .await
    .expect(201);
    let session = app
        .get(&format!("/api/v1/sessions/{}", live.session_id), &buyer)
        .await
        .expect(200)
        .body;
    let feed = session_feed(live.session_id);

    let mut client = app.ws_connect(&feed, Some(&buyer)).await;
    let snap = snapshot(&mut client).await;
    assert_eq!(snap["seq"], session["last_seq"], "{snap}");
    assert_eq!(snap["seq"], last_seq(&app, live.session_id).await, "{snap}");
    assert!(
        snap["server_time"]
            .as_str()
            .is_some_and(|t| t.starts_with("20") && t.ends_with('Z')),
        "server_time: {snap}"
    );
    assert_eq!(snap["session"]["id"], live.session_id, "{snap}");
    assert_eq!(snap["session"]["state"], "live", "{snap}");
    assert!(snap["viewers"].is_u64(), "viewers: {snap}");
    let sale = &snap["sale"];
    assert_eq!(sale["id"], sale_id, "{snap}");
    assert_eq!(sale["state"], "open", "{snap}");
    assert_eq!(sale["allocated"], 20, "{snap}");
    assert_eq!(sale["sold"], 2, "{snap}");
    assert_eq!(sale["left"], 18, "{snap}");
    assert_eq!(sale["per_buyer_limit"], 3, "{snap}");
    assert_eq!(sale["prices"]["KZT"], 450000, "{snap}");
    assert!(
        sale["starts_at"].is_string() && sale["ends_at"].is_string(),
        "{snap}"
    );

    let tick = client.next_of_type("tick", T).await;
    assert!(
        tick.get("seq").is_none() && tick.get("id").is_none(),
        "{tick}"
    );
    assert!(tick["server_time"].is_string(), "{tick}");
    assert_eq!(tick["sale"]["id"], sale_id, "{tick}");
    assert_eq!(tick["sale"]["left"], 18, "{tick}");
    assert_eq!(tick["sale"]["starts_in_ms"], 0, "{tick}");
    assert!(tick["sale"]["ends_in_ms"].as_i64() > Some(0), "{tick}");

    // A second viewer shows in the ticks; an order moves `left` and arrives as an event.
    let mut second_client = app.ws_connect(&feed, Some(&second)).await;
    snapshot(&mut second_client).await;
    client
        .collect_until(T, |m| m["type"] == "tick" && m["viewers"] == 2)
        .await;
    app.order(
        &second,
        live.session_id,
        "s-2",
        &order_body(live.variant_id, 1, "KZT"),
    )
    .await
    .expect(201);
    let line = client.next_of_type("order_confirmed", T).await;
    assert_eq!(
        line["seq"],
        snap["seq"].as_i64().expect("seq") + 1,
        "{line}"
    );
    assert_eq!(line["remaining"], 17, "{line}");
    let messages = client
        .collect_until(T, |m| m["type"] == "tick" && m["sale"]["left"] == 17)
        .await;
    assert_ticks_unnumbered(&messages);

    // The operators' feed.
    let mut ops = app.ws_connect("/api/v1/feed", Some(&live.operator)).await;
    let ops_snap = snapshot(&mut ops).await;
    assert_eq!(ops_snap["id"], last_id(&app).await, "{ops_snap}");
    assert!(ops_snap["server_time"].is_string(), "{ops_snap}");
    let sessions = ops_snap["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 1, "{ops_snap}");
    assert_eq!(sessions[0]["id"], live.session_id, "{ops_snap}");
    assert_eq!(sessions[0]["state"], "live", "{ops_snap}");
    assert_eq!(sessions[0]["markets"], json!(["KZ"]), "{ops_snap}");
    assert_eq!(sessions[0]["title"], "Khorgos beef night", "{ops_snap}");
}

/// An order on the socket with `client_order_id` K, then over HTTP with `Idempotency-Key: K`,
/// is one order (and the other way round); K with other content is `idempotency_mismatch`;
/// refusals carry the HTTP route's codes (`limit_reached`; `forbidden` for a host).
async fn an_order_on_the_socket_shares_its_key_with_http(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(20, true).await;
    app.flash_sale(&live, 10, 3).await;
    let (buyer, buyer_id) = app.buyer("Walentina", "ru").await;
    let feed = session_feed(live.session_id);
    let mut client = app.ws_connect(&feed, Some(&buyer)).await;
    snapshot(&mut client).await;
    let one = order_body(live.variant_id, 1, "KZT");

    let on_socket = client.order("k-1", &one, T).await;
    assert!(on_socket.get("error").is_none(), "{on_socket}");
    let order = &on_socket["order"];
    let id = order["id"].as_i64().expect("order id");
    assert_eq!(order["quantity"], 1, "{on_socket}");
    assert_eq!(order["status"], "confirmed", "{on_socket}");
    assert_eq!(order["unit_price_minor"], 450000, "{on_socket}");
    let over_http = app
        .order(&buyer, live.session_id, "k-1", &one)
        .await
        .expect(200);
    assert_eq!(over_http.body["order"]["id"], id);
    assert_eq!(over_http.body["replayed"], true);

    let over_http = app
        .order(&buyer, live.session_id, "k-2", &one)
        .await
        .expect(201);
    let second = client.order("k-2", &one, T).await;
    assert_eq!(
        second["order"]["id"], over_http.body["order"]["id"],
        "{second}"
    );

    let mismatch = client
        .order("k-1", &order_body(live.variant_id, 2, "KZT"), T)
        .await;
    assert_eq!(
        mismatch["error"]["code"], "idempotency_mismatch",
        "{mismatch}"
    );
    assert!(mismatch.get("order").is_none(), "{mismatch}");
    let limit = client
        .order("k-3", &order_body(live.variant_id, 2, "KZT"), T)
        .await;
    assert_eq!(limit["error"]["code"], "limit_reached", "{limit}");
    assert!(limit["error"]["message"].is_string(), "{limit}");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM orders WHERE buyer_token_id = {buyer_id}"
        ))
        .await,
        2,
        "two orders for four messages and two requests"
    );

    let mut host = app.ws_connect(&feed, Some(&live.host)).await;
    snapshot(&mut host).await;
    let refused = host.order("h-1", &one, T).await;
    assert_eq!(refused["error"]["code"], "forbidden", "{refused}");
}

/// More than `feed_max_connections_per_token` open feeds for one token: the next upgrade is 429
/// `rate_limited`; other tokens are unaffected; closing one frees its place.
async fn connections_per_token_are_limited(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.feed_max_connections_per_token = 2).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Xenia", "ru").await;
    let (other, _) = app.buyer("Yulia", "ru").await;
    let feed = session_feed(live.session_id);
    let mut first = app.ws_connect(&feed, Some(&buyer)).await;
    snapshot(&mut first).await;
    let mut second = app.ws_connect(&feed, Some(&buyer)).await;
    snapshot(&mut second).await;
    match app.ws_try_connect(&feed, Some(&buyer)).await {
        Ok(_) => panic!("a third connection for one token was upgraded"),
        Err(refusal) => {
            assert_eq!(refusal.status, 429, "{refusal:?}");
            assert_eq!(refusal.code(), "rate_limited", "{refusal:?}");
        }
    }
    // The operators' feed counts for the token too.
    let mut ops = Vec::new();
    for _ in 0..2 {
        let mut c = app.ws_connect("/api/v1/feed", Some(&live.operator)).await;
        snapshot(&mut c).await;
        ops.push(c);
    }
    let refusal = app
        .ws_try_connect("/api/v1/feed", Some(&live.operator))
        .await
        .err()
        .expect("a third operators' feed is refused");
    assert_eq!(refusal.status, 429, "{refusal:?}");
    let mut theirs = app.ws_connect(&feed, Some(&other)).await;
    snapshot(&mut theirs).await;
    first.close().await;
    eventually(T, "a closed connection frees its place", || async {
        app.ws_try_connect(&feed, Some(&buyer)).await.is_ok()
    })
    .await;
    assert_usable(&mut second).await;
}

/// Orders on one connection beyond `feed_orders_per_second` (bursts of twice that) are answered
/// `rate_limited` and write nothing.
async fn orders_on_a_socket_are_rate_limited(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.feed_orders_per_second = 1).await;
    let live = app.live_session(20, true).await;
    app.flash_sale(&live, 20, 20).await;
    let (buyer, _) = app.buyer("Zhanna", "ru").await;
    let mut client = app
        .ws_connect(&session_feed(live.session_id), Some(&buyer))
        .await;
    snapshot(&mut client).await;
    for n in 0..6 {
        let mut message = order_body(live.variant_id, 1, "KZT");
        message["type"] = "order".into();
        message["client_order_id"] = format!("burst-{n}").into();
        client.send_json(&message).await;
    }
    let mut results = HashMap::new();
    while results.len() < 6 {
        let m = client.next_of_type("order_result", T).await;
        results.insert(
            m["client_order_id"]
                .as_str()
                .expect("client_order_id")
                .to_owned(),
            m,
        );
    }
    let confirmed = results.values().filter(|m| m["order"].is_object()).count();
    let limited = results
        .values()
        .filter(|m| m["error"]["code"] == "rate_limited")
        .count();
    assert_eq!(confirmed + limited, 6, "{results:?}");
    assert!(
        (2..=3).contains(&confirmed),
        "a burst of 2 (and maybe one refill): {results:?}"
    );
    assert_eq!(results["burst-0"]["order"]["status"], "confirmed");
    assert_eq!(results["burst-1"]["order"]["status"], "confirmed");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM orders").await,
        confirmed as i64,
        "refused orders wrote nothing"
    );
    assert_usable(&mut client).await;
}

/// With a 1 s ping interval and a 3 s idle timeout, a client that reads (and so answers pings)
/// sees WebSocket pings and stays connected; a client that never answers is closed.
async fn heartbeats_keep_a_reader_and_idle_clients_are_closed(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.feed_ping_interval_s = 1;
        s.feed_idle_timeout_s = 3;
    })
    .await;
    let live = app.live_session(10, true).await;
    let (quiet, _) = app.buyer("Quiet", "ru").await;
    let (reader, _) = app.buyer("Reader", "ru").await;
    let feed = session_feed(live.session_id);
    let mut silent = app.ws_connect(&feed, Some(&quiet)).await;
    let mut active = app.ws_connect(&feed, Some(&reader)).await;
    snapshot(&mut active).await;

    // Read for a while (six ticks, over five seconds): pings arrive, the connection stays.
    let mut pings = 0;
    let mut ticks = 0;
    while ticks < 6 {
        match active.next_message(T).await {
            Err(()) => panic!("nothing from the server for {T:?}"),
            Ok(None) => panic!("a reading client was closed after {ticks} ticks"),
            Ok(Some(tokio_tungstenite::tungstenite::Message::Ping(_))) => pings += 1,
            Ok(Some(tokio_tungstenite::tungstenite::Message::Text(t))) => {
                let m: Value = serde_json::from_str(t.as_str()).expect("json");
                if m["type"] == "tick" {
                    ticks += 1;
                }
            }
            Ok(Some(tokio_tungstenite::tungstenite::Message::Close(f))) => {
                panic!("a reading client was closed: {f:?}")
            }
            Ok(Some(_)) => {}
        }
    }
    assert!(
        pings >= 2,
        "WebSocket pings about once a second, got {pings}"
    );
    assert_usable(&mut active).await;
    // The silent one was closed meanwhile: reading it finds the end at once.
    let ending = silent.read_to_close(Duration::from_secs(2)).await;
    assert!(
        ending
            .messages
            .first()
            .is_some_and(|m| m["type"] == "snapshot"),
        "{ending:?}"
    );
}

/// Shutting the server down closes every feed (buyers', the host's, the operators') with 1012.
async fn shutdown_closes_every_feed_with_1012(backend: Backend) {
    let mut app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let (buyer, _) = app.buyer("Aliya", "ru").await;
    let feed = session_feed(live.session_id);
    let mut clients = Vec::new();
    for (path, token) in [
        (feed.as_str(), buyer.as_str()),
        (feed.as_str(), live.host.as_str()),
        ("/api/v1/feed", live.operator.as_str()),
    ] {
        let mut c = app.ws_connect(path, Some(token)).await;
        snapshot(&mut c).await;
        clients.push(c);
    }
    let [mut a, mut b, mut c] = <[FeedClient; 3]>::try_from(clients).ok().expect("three");
    let (_, a, b, c) = tokio::join!(
        app.stop(),
        a.read_to_close(T),
        b.read_to_close(T),
        c.read_to_close(T)
    );
    for (who, ending) in [("buyer", a), ("host", b), ("operator", c)] {
        assert_eq!(ending.code, Some(1012), "{who}: {ending:?}");
    }
}

/// The operators' feed filtered by `market=KZ` gets the KZ session's events only, `market=VN`
/// the VN session's, `host=<token id>` that host's; unfiltered gets both in global id order.
async fn operators_feed_filters_by_market_and_host(backend: Backend) {
    let app = spawn_app(backend).await;
    let kz = app.live_session(10, true).await;
    app.put(
        "/api/v1/markets/VN",
        &app.admin,
        &json!({"name": "Vietnam", "currencies": ["VND"], "locales": ["vi"], "warehouses": ["KHG-1"]}),
    )
    .await
    .expect(200);
    let host_b = app
        .post(
            "/api/v1/tokens",
            &app.admin,
            &json!({"name": "Pingxiang host", "role": "host"}),
        )
        .await
        .expect(201)
        .body;
    let (host_b_token, host_b_id) = (
        host_b["token"].as_str().expect("token").to_owned(),
        host_b["id"].as_i64().expect("id"),
    );
    app.verify_host(&host_b_token, host_b_id, "1990-05-17")
        .await;
    let vn = app
        .post(
            "/api/v1/sessions",
            &host_b_token,
            &json!({"title": "Pingxiang beef hour", "language": "vi", "markets": ["VN"]}),
        )
        .await
        .expect(201)
        .body["id"]
        .as_i64()
        .expect("session id");
    app.post(
        &format!("/api/v1/sessions/{vn}/showcase"),
        &host_b_token,
        &json!({"product_id": kz.product_id}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/sessions/{vn}/start"),
        &host_b_token,
        &json!({}),
    )
    .await
    .expect(200);

    let mut feeds = Vec::new();
    for query in [
        "?market=KZ",
        "?market=VN",
        &format!("?host={host_b_id}"),
        "",
    ] {
        let mut c = app
            .ws_connect(&format!("/api/v1/feed{query}"), Some(&kz.operator))
            .await;
        let snap = snapshot(&mut c).await;
        let ids: Vec<i64> = snap["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .map(|s| s["id"].as_i64().expect("id"))
            .collect();
        feeds.push((query.to_owned(), c, ids));
    }
    assert_eq!(feeds[0].2, [kz.session_id], "market=KZ snapshot");
    assert_eq!(feeds[1].2, [vn], "market=VN snapshot");
    assert_eq!(feeds[2].2, [vn], "host snapshot");
    assert_eq!(
        feeds[3].2.iter().copied().collect::<HashSet<_>>(),
        HashSet::from([kz.session_id, vn]),
        "unfiltered snapshot"
    );

    // KZ, VN, KZ, VN: each filtered feed reads to its session's last event and must not have
    // seen the other's in between.
    let mut marks = Vec::new();
    for (session, token, action) in [
        (kz.session_id, &kz.host, "pin"),
        (vn, &host_b_token, "pin"),
        (kz.session_id, &kz.host, "unpin"),
        (vn, &host_b_token, "unpin"),
    ] {
        let body = if action == "pin" {
            json!({"product_id": kz.product_id})
        } else {
            json!({})
        };
        app.post(
            &format!("/api/v1/sessions/{session}/{action}"),
            token,
            &body,
        )
        .await
        .expect(200);
        marks.push((
            session,
            app.scalar(&format!(
                "SELECT MAX(id) FROM events WHERE session_id = {session}"
            ))
            .await,
        ));
    }
    for (query, client, _) in &mut feeds {
        let wanted: Vec<(i64, i64)> = match query.as_str() {
            "?market=KZ" => marks
                .iter()
                .copied()
                .filter(|m| m.0 == kz.session_id)
                .collect(),
            "" => marks.clone(),
            _ => marks.iter().copied().filter(|m| m.0 == vn).collect(),
        };
        let last = wanted.last().expect("marks").1;
        let got: Vec<(i64, i64)> = client
            .collect_until(T, |m| {
                m["id"].as_i64() == Some(last) && m["type"] != "snapshot"
            })
            .await
            .iter()
            .filter(|m| m.get("seq").is_some())
            .map(|m| {
                (
                    m["session_id"].as_i64().expect("session_id"),
                    m["id"].as_i64().expect("id"),
                )
            })
            .collect();
        assert_eq!(got, wanted, "operators' feed{query}");
    }
}

/// `order_paid`, `order_shipped`, `order_delivered` and `order_cancelled` reach a buyer's feed
/// as the kind, `sale_id` and `remaining` only; the host's feed gets the order id, the carrier
/// and tracking number on `order_shipped`, and totals on `order_cancelled`.
async fn order_lifecycle_events_are_cut_to_the_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(20, true).await;
    let sale_id = app.flash_sale(&live, 10, 3).await;
    let (buyer, _) = app.buyer("Kamila", "ru").await;
    let (watcher, _) = app.buyer("Watcher", "ru").await;
    let feed = session_feed(live.session_id);
    let mut host = app.ws_connect(&feed, Some(&live.host)).await;
    snapshot(&mut host).await;
    let mut public = app.ws_connect(&feed, Some(&watcher)).await;
    snapshot(&mut public).await;

    let body = order_body(live.variant_id, 1, "KZT");
    let shipped = app
        .order(&buyer, live.session_id, "life-1", &body)
        .await
        .expect(201)
        .body["order"]["id"]
        .as_i64()
        .expect("id");
    let cancelled = app
        .order(&buyer, live.session_id, "life-2", &body)
        .await
        .expect(201)
        .body["order"]["id"]
        .as_i64()
        .expect("id");
    app.pay_through_sandbox(shipped, &buyer).await;
    app.post(
        &format!("/api/v1/orders/{shipped}/ship"),
        &live.operator,
        &json!({"carrier": "Kazpost", "tracking_number": "RR123456789KZ"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/orders/{shipped}/deliver"),
        &live.operator,
        &json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/orders/{cancelled}/cancel"),
        &buyer,
        &json!({}),
    )
    .await
    .expect(200);
    let last = last_seq(&app, live.session_id).await;

    let kinds = [
        "order_paid",
        "order_shipped",
        "order_delivered",
        "order_cancelled",
    ];
    let host_events = host.events_through_seq(last, T).await;
    for kind in kinds {
        let e = host_events
            .iter()
            .find(|e| e["type"] == kind)
            .unwrap_or_else(|| panic!("{kind} on the host's feed"));
        assert!(e["order_id"].is_i64(), "{e}");
    }
    let ship = host_events
        .iter()
        .find(|e| e["type"] == "order_shipped")
        .expect("order_shipped");
    assert_eq!(ship["order_id"], shipped, "{ship}");
    assert_eq!(ship["carrier"], "Kazpost", "{ship}");
    assert_eq!(ship["tracking_number"], "RR123456789KZ", "{ship}");
    let cancel = host_events
        .iter()
        .find(|e| e["type"] == "order_cancelled")
        .expect("order_cancelled");
    assert_eq!(cancel["order_id"], cancelled, "{cancel}");
    assert_eq!(cancel["totals"]["units"], 1, "{cancel}");
    let public_events = public.events_through_seq(last, T).await;
    let allowed: HashSet<&str> = [
        "type",
        "seq",
        "id",
        "session_id",
        "at",
        "sale_id",
        "remaining",
    ]
    .into_iter()
    .collect();
    for kind in kinds {
        let e = public_events
            .iter()
            .find(|e| e["type"] == kind)
            .unwrap_or_else(|| panic!("{kind} on a buyer's feed"));
        assert_eq!(e["sale_id"], sale_id, "{e}");
        let extra: Vec<&String> = e
            .as_object()
            .expect("object")
            .keys()
            .filter(|k| !allowed.contains(k.as_str()))
            .collect();
        assert!(
            extra.is_empty(),
            "{kind} on a buyer's feed carries {extra:?}: {e}"
        );
    }
}

/// Each watcher reads order lines in its own language: a buyer in their profile's locale, the
/// host in the session's language (Russian here), and anyone in `?locale=` when given.
async fn order_lines_speak_each_watchers_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(30, true).await;
    app.flash_sale(&live, 20, 3).await;
    let (kazakh, _) = app.buyer("Aruzhan", "kk").await;
    let feed = session_feed(live.session_id);
    let mut host = app.ws_connect(&feed, Some(&live.host)).await;
    snapshot(&mut host).await;
    let mut host_en = app
        .ws_connect(&format!("{feed}?locale=en"), Some(&live.host))
        .await;
    snapshot(&mut host_en).await;
    let mut buyer = app.ws_connect(&feed, Some(&kazakh)).await;
    snapshot(&mut buyer).await;
    app.order(
        &kazakh,
        live.session_id,
        "lang-1",
        &order_body(live.variant_id, 2, "KZT"),
    )
    .await
    .expect(201);
    let line = |m: &Value| m["line"].as_str().expect("a line").to_owned();
    let ru = line(&host.next_of_type("order_confirmed", T).await);
    let en = line(&host_en.next_of_type("order_confirmed", T).await);
    let kk = line(&buyer.next_of_type("order_confirmed", T).await);
    assert!(ru.starts_with("Покупка"), "the host reads Russian: {ru}");
    assert!(en.contains("bought"), "?locale=en: {en}");
    assert!(
        kk.contains("сатып алды") && !kk.contains("Покупка") && !kk.contains("bought"),
        "the buyer reads Kazakh: {kk}"
    );
    assert!(kk.contains("A***n"), "masked in every language: {kk}");
}

/// The WebSocket buffers are small (docs/feed.md, "Connection care"), and messages larger than
/// them still pass whole: an operator's snapshot of a hundred live sessions (several times the
/// write buffer) arrives as one message that parses, with every session; a client message near
/// the size limit (many times the read buffer) is read and answered, and the socket stays
/// usable.
async fn a_large_snapshot_and_a_large_message_pass_the_small_buffers(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = app.live_session(10, true).await;
    let long_title =
        "Khorgos night market: beef, cashmere, tea and honey from the border ".repeat(2);
    for i in 0..100 {
        app.open_session(
            &live.host,
            &format!("{long_title}#{i}"),
            live.product_id,
            true,
        )
        .await;
    }
    let mut feed = app.ws_connect("/api/v1/feed", Some(&live.operator)).await;
    let snapshot = feed.next_json(T).await;
    assert_eq!(snapshot["type"], "snapshot");
    let sessions = snapshot["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 101, "every live session is in the snapshot");
    assert!(sessions
        .iter()
        .any(|s| s["title"] == format!("{long_title}#99")));
    let raw = feed.transcript.last().expect("the snapshot's text").len();
    assert!(
        raw > 16 * 1024,
        "the snapshot is larger than the buffers: {raw} bytes"
    );

    // A ping padded to about 15 KiB (the limit is 16 KiB): read whole and answered.
    let padded = json!({"type": "ping", "pad": "x".repeat(15 * 1024)});
    feed.send_json(&padded).await;
    let answer = feed.next_json(T).await;
    assert!(
        answer["type"] == "pong" || answer["type"] == "error",
        "an answer to the padded message: {answer}"
    );
    feed.send_json(&json!({"type": "ping"})).await;
    assert_eq!(feed.next_of_type("pong", T).await["type"], "pong");
}
