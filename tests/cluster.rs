//! Faults in the scaled-out deployment, with real processes: three `silkstream` instances on a
//! throwaway PostgreSQL and Redis (tests/support/cluster.rs), a flash sale sold through all
//! three, and feed clients on each. One fault per test, mid-sale: `kill -9` of an instance,
//! Redis stopped for 10 s, PostgreSQL restarted, a rolling restart of every instance; and the
//! same sale through nginx (deploy/nginx.conf). Each ends with the same checks
//! ([`Sale::assert_whole`]): sold + remaining = allocated, every acknowledged order in
//! PostgreSQL exactly once (and nothing else), every feed's seqs gapless 1..N after its
//! reconnections with `since`, and the viewer counts of the feeds' ticks equal to the number of
//! open feeds on every instance.
//!
//! PostgreSQL only (SQLite is the one-instance deployment). Needs `initdb`/`pg_ctl`,
//! `redis-server` and, for the nginx test, `nginx`; without them the tests are skipped loudly,
//! or fail with `SILKSTREAM_REQUIRE_BACKENDS=1`. The `silkstream` binary must be built
//! (`cargo build -p silkstream-server`; `cargo test --workspace` builds it).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use silkstream_e2e::{
    cluster_tools_or_skip, eventually, order_body, Cluster, ClusterSpec, LiveSetup, Nginx,
    ResumingFeed, TestApp,
};
use tokio::task::JoinSet;

/// Buyers in the sale, spread over the instances.
const BUYERS: usize = 24;
/// Units in the sale: more than every round of every test together orders, so that no order is
/// refused and every key is acknowledged.
const UNITS: i64 = 400;
/// The most one buyer orders in a test is about 15 units.
const PER_BUYER_LIMIT: i64 = 40;

/// The instances' settings for a sale: no per-address or per-buyer rate limit gets in the way
/// of buyers that all come from 127.0.0.1.
fn spec() -> ClusterSpec {
    ClusterSpec::default()
        .with("SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE", 100_000)
        .with("SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE_TOTAL", 100_000)
        .with("SILKSTREAM_ORDERS_PER_BUYER_PER_MINUTE", 100_000)
        .with("SILKSTREAM_DB_MAX_CONNECTIONS", 8)
}

/// An acknowledged order (a 201, or a replay's 200): the test's key, the buyer's token, the
/// order id the server answered with and its units.
#[derive(Clone, Debug)]
struct Ack {
    key: String,
    buyer: String,
    order_id: i64,
    quantity: i64,
}

/// An answer that was not an acknowledgement, kept to check its shape.
#[derive(Clone, Debug)]
#[allow(
    dead_code,
    reason = "every field is read through Debug, in failure messages"
)]
struct Failure {
    base: String,
    key: String,
    status: u16,
    code: String,
    retry_after: Option<String>,
    took: Duration,
}

/// A flash sale running on a cluster: the buyers, one handle per instance, the feeds and what
/// every order attempt answered.
struct Sale {
    cluster: Cluster,
    /// One handle per instance, in the cluster's order (shared with the order tasks).
    apps: Arc<Vec<TestApp>>,
    live: LiveSetup,
    sale_id: i64,
    /// Each buyer's token and the instance it orders through first.
    buyers: Vec<(String, usize)>,
    feeds: Vec<ResumingFeed>,
    acks: Arc<Mutex<Vec<Ack>>>,
    failures: Arc<Mutex<Vec<Failure>>>,
}

impl Sale {
    /// Starts a cluster, a live session with a flash sale of [`UNITS`] units (set up through
    /// instance 0), [`BUYERS`] guest buyers signed up on every instance in turn, and six feeds
    /// (host, operator and four buyers), two opened on each instance, all with `since=0`.
    async fn start(spec: ClusterSpec) -> Sale {
        let cluster = Cluster::start(spec).await;
        let apps: Vec<TestApp> = (0..cluster.instances.len())
            .map(|i| cluster.app(i))
            .collect();
        let live = apps[0].live_session(UNITS + 100, true).await;
        let sale_id = apps[0].flash_sale(&live, UNITS, PER_BUYER_LIMIT).await;
        let mut buyers = Vec::new();
        for i in 0..BUYERS {
            let home = i % apps.len();
            let (token, _) = apps[home].buyer(&format!("Buyer {i:02}"), "ru").await;
            buyers.push((token, home));
        }
        let tokens = [
            ("host", live.host.clone()),
            ("operator", live.operator.clone()),
            ("buyer 0", buyers[0].0.clone()),
            ("buyer 1", buyers[1].0.clone()),
            ("buyer 2", buyers[2].0.clone()),
            ("buyer 3", buyers[3].0.clone()),
        ];
        let mut feeds = Vec::new();
        for (k, (name, token)) in tokens.iter().enumerate() {
            let handles = (0..cluster.instances.len())
                .map(|i| cluster.app(i))
                .collect();
            let home = k % apps.len();
            feeds.push(
                ResumingFeed::open(
                    &format!("{name}'s feed"),
                    handles,
                    home,
                    live.session_id,
                    token,
                )
                .await,
            );
        }
        Sale {
            cluster,
            apps: Arc::new(apps),
            live,
            sale_id,
            buyers,
            feeds,
            acks: Arc::new(Mutex::new(Vec::new())),
            failures: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Every buyer orders once (1 or 2 units, key `<round>-<buyer>`), all at once, each
    /// through its own instance first; the orders run on tasks of their own (await them with
    /// [`Orders::acknowledged`]) so that a fault can happen while they are in flight.
    fn round(&self, round: &str) -> Orders {
        let mut tasks = JoinSet::new();
        for (i, (token, home)) in self.buyers.iter().enumerate() {
            let key = format!("{round}-{i:02}");
            tasks.spawn(place(
                self.apps.clone(),
                *home,
                token.clone(),
                self.live.session_id,
                key,
                order_body(self.live.variant_id, 1 + (i as i64 % 2), "KZT"),
                self.acks.clone(),
                self.failures.clone(),
            ));
        }
        Orders { tasks }
    }

    /// One order of buyer `i` with key `key`, on a task of its own.
    fn one(&self, i: usize, key: String) -> Orders {
        let (token, home) = &self.buyers[i];
        let mut tasks = JoinSet::new();
        tasks.spawn(place(
            self.apps.clone(),
            *home,
            token.clone(),
            self.live.session_id,
            key,
            order_body(self.live.variant_id, 1, "KZT"),
            self.acks.clone(),
            self.failures.clone(),
        ));
        Orders { tasks }
    }

    /// The session's last seq in the log.
    async fn last_seq(&self) -> i64 {
        self.apps[0]
            .scalar(&format!(
                "SELECT COALESCE(MAX(seq), 0) FROM events WHERE session_id = {}",
                self.live.session_id
            ))
            .await
    }

    /// The answers that were neither 200 nor 201.
    fn failures(&self) -> Vec<Failure> {
        self.failures.lock().expect("failures").clone()
    }

    /// The checks every test ends with (see the module's header).
    async fn assert_whole(self) {
        let app = &self.apps[0];
        let acks = self.acks.lock().expect("acks").clone();

        // No answer was a 500; a 503 said why and when to come back.
        for f in self.failures() {
            assert!(
                f.status != 500,
                "an order got a 500 (a fault must never be a 500): {f:?}"
            );
            if f.status == 503 {
                assert!(
                    f.retry_after.is_some() && !f.code.is_empty(),
                    "a 503 without Retry-After or error code: {f:?}"
                );
            }
        }

        // sold + remaining = allocated.
        let (allocated, remaining, returned) = (
            app.scalar(&format!(
                "SELECT allocated FROM flash_sales WHERE id = {}",
                self.sale_id
            ))
            .await,
            app.scalar(&format!(
                "SELECT remaining FROM flash_sales WHERE id = {}",
                self.sale_id
            ))
            .await,
            app.scalar(&format!(
                "SELECT returned FROM flash_sales WHERE id = {}",
                self.sale_id
            ))
            .await,
        );
        let sold = app
            .scalar(&format!(
                "SELECT COALESCE(CAST(SUM(quantity) AS BIGINT), 0) FROM orders \
                 WHERE sale_id = {} AND status <> 'cancelled'",
                self.sale_id
            ))
            .await;
        assert_eq!(returned, 0, "no order was cancelled");
        assert_eq!(
            sold + remaining,
            allocated,
            "sold {sold} + remaining {remaining} = allocated {allocated}"
        );
        let acked_units: i64 = acks
            .iter()
            .map(|a| (a.order_id, a.quantity))
            .collect::<HashMap<_, _>>()
            .values()
            .sum();
        assert_eq!(
            sold, acked_units,
            "the units sold are the units acknowledged"
        );

        // Every acknowledged order in PostgreSQL exactly once, and no order nobody was told of.
        let rows = order_rows(app, self.live.session_id).await;
        let mut by_key: HashMap<(String, String), i64> = HashMap::new();
        for ack in &acks {
            let first = by_key
                .entry((ack.buyer.clone(), ack.key.clone()))
                .or_insert(ack.order_id);
            assert_eq!(
                *first, ack.order_id,
                "key {} was acknowledged as two orders",
                ack.key
            );
        }
        let acked: HashSet<i64> = by_key.values().copied().collect();
        assert_eq!(
            acked.len(),
            by_key.len(),
            "two keys acknowledged as one order"
        );
        let stored: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let stored_set: HashSet<i64> = stored.iter().copied().collect();
        assert_eq!(stored.len(), stored_set.len(), "an order stored twice");
        let mut missing: Vec<_> = acked.difference(&stored_set).collect();
        let mut unknown: Vec<_> = stored_set.difference(&acked).collect();
        missing.sort();
        unknown.sort();
        assert!(missing.is_empty(), "acknowledged, not stored: {missing:?}");
        assert!(
            unknown.is_empty(),
            "stored, never acknowledged: {unknown:?}"
        );

        // Every feed's seqs are 1..N, each once, after its reconnections.
        let last = self.last_seq().await;
        for feed in &self.feeds {
            eventually(
                Duration::from_secs(30),
                &format!("{} reaches seq {last}", feed.name),
                || async { feed.log().last_seq() >= last },
            )
            .await;
        }
        for feed in &self.feeds {
            let log = feed.log();
            assert_eq!(log.gave_up, None, "{} gave up", feed.name);
            let expected: Vec<i64> = (1..=last).collect();
            assert_eq!(
                log.seqs, expected,
                "{}: seqs are not 1..{last} (connections: {:?})",
                feed.name, log.connections
            );
        }

        // The ticks agree across instances on the number of open feeds.
        let open = i64::try_from(self.feeds.len()).expect("feeds");
        let asked = Instant::now();
        let feeds = &self.feeds;
        let mut seen: Vec<(String, Option<String>, Option<i64>)> = Vec::new();
        let converged = tokio::time::timeout(Duration::from_secs(30), async {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tick.tick().await;
                seen = feeds
                    .iter()
                    .map(|f| {
                        let log = f.log();
                        let viewers = log.last_tick.filter(|(_, at)| *at > asked).map(|(v, _)| v);
                        (f.name.clone(), log.connected_to, viewers)
                    })
                    .collect();
                if seen.iter().all(|(_, _, v)| *v == Some(open)) {
                    return;
                }
            }
        })
        .await;
        assert!(
            converged.is_ok(),
            "the ticks' viewers do not converge to the {open} open feeds within 30 s \
             (cluster-wide viewer counts need Redis: the lead's work): {seen:?}"
        );

        for feed in self.feeds {
            feed.close().await;
        }
    }
}

/// Orders on their own tasks.
struct Orders {
    tasks: JoinSet<()>,
}

impl Orders {
    /// Waits (at most 90 s) until every order of the round was acknowledged.
    async fn acknowledged(mut self) {
        let all = tokio::time::timeout(Duration::from_secs(90), async {
            while let Some(done) = self.tasks.join_next().await {
                done.expect("an order task panicked");
            }
        })
        .await;
        assert!(all.is_ok(), "orders not acknowledged within 90 s");
    }
}

/// Places one order until it is acknowledged (201, or 200 for a replay of the same key),
/// through instance `home` first: a connection that fails, or a 503, sends the same key to the
/// next instance, as a client behind a load balancer would retry. Every other answer is a test
/// failure, except that 503s are recorded for [`Sale::assert_whole`] to check. Bounded: 60 s.
#[allow(clippy::too_many_arguments)]
async fn place(
    apps: Arc<Vec<TestApp>>,
    home: usize,
    token: String,
    session_id: i64,
    key: String,
    body: Value,
    acks: Arc<Mutex<Vec<Ack>>>,
    failures: Arc<Mutex<Vec<Failure>>>,
) {
    let started = Instant::now();
    let mut retry = tokio::time::interval(Duration::from_millis(200));
    let mut at = home;
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "order {key} not acknowledged within 60 s: {:?}",
            failures.lock().expect("failures")
        );
        let app = &apps[at % apps.len()];
        at += 1;
        let sent = Instant::now();
        let answer = app
            .client
            .post(format!("{}/api/v1/sessions/{session_id}/orders", app.base))
            .bearer_auth(&token)
            .header("idempotency-key", &key)
            .timeout(Duration::from_secs(30))
            .json(&body)
            .send()
            .await;
        let response = match answer {
            Ok(r) => r,
            // Nothing listening, a reset, a cut connection: the next instance.
            Err(_) => {
                if at % apps.len() == home {
                    retry.tick().await;
                }
                continue;
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.unwrap_or_default();
        let reply: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status == 200 || status == 201 {
            let order = &reply["order"];
            acks.lock().expect("acks").push(Ack {
                key,
                buyer: token,
                order_id: order["id"]
                    .as_i64()
                    .unwrap_or_else(|| panic!("order id in {text}")),
                quantity: order["quantity"].as_i64().expect("quantity"),
            });
            return;
        }
        failures.lock().expect("failures").push(Failure {
            base: app.base.clone(),
            key: key.clone(),
            status,
            code: reply["error"]["code"].as_str().unwrap_or("").to_owned(),
            retry_after,
            took: sent.elapsed(),
        });
        assert!(
            status == 503 || status == 500,
            "order {key} on {}: {status} {text}",
            app.base
        );
        if at % apps.len() == home {
            retry.tick().await;
        }
    }
}

/// Every order of the session: id, buyer token id, key.
async fn order_rows(app: &TestApp, session_id: i64) -> Vec<(i64, i64, String)> {
    sqlx::query_as(&format!(
        "SELECT id, buyer_token_id, idempotency_key FROM orders WHERE session_id = {session_id}"
    ))
    .fetch_all(app.db.reader())
    .await
    .expect("read the orders")
}

/// `GET /readyz` of `base`: status and body.
async fn readyz(base: &str) -> (u16, Value) {
    probe(base, "/readyz").await
}

/// `GET path` of `base` (a health route): status and body.
async fn probe(base: &str, path: &str) -> (u16, Value) {
    match reqwest::Client::new()
        .get(format!("{base}{path}"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
    {
        Ok(r) => {
            let status = r.status().as_u16();
            (status, r.json().await.unwrap_or(Value::Null))
        }
        Err(e) => (0, json!({ "transport": e.to_string() })),
    }
}

/// `kill -9` of one instance of three while orders are in flight: its buyers' orders go to
/// another instance with the same keys, its feeds reconnect to another instance with `since`
/// and miss nothing, and the others never notice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_an_instance_mid_sale_loses_nothing() {
    if !cluster_tools_or_skip("kill_9_of_an_instance_mid_sale_loses_nothing", false) {
        return;
    }
    let mut sale = Sale::start(spec()).await;
    sale.round("a").acknowledged().await;

    let victim = 1;
    let victim_base = sale.cluster.instances[victim].base_url();
    let in_flight = sale.round("b");
    sale.cluster.instances[victim].kill9();
    in_flight.acknowledged().await;
    sale.round("c").acknowledged().await;

    // The feeds that were on the victim are on another instance now.
    for feed in &sale.feeds {
        let log = feed.log();
        if log.connections.first() == Some(&victim_base) {
            eventually(
                Duration::from_secs(20),
                &format!("{} reconnects elsewhere", feed.name),
                || async {
                    let log = feed.log();
                    log.connections.len() > 1
                        && log.connected_to.is_some()
                        && log.connected_to.as_deref() != Some(victim_base.as_str())
                },
            )
            .await;
        }
    }
    sale.assert_whole().await;
}

/// Redis stopped for 10 s mid-sale, then started again: orders keep confirming through every
/// instance meanwhile (first try, no retry), `/readyz` says `degraded` (and `/metrics`
/// `silkstream_redis_up 0`) on every instance while Redis is down and `ready` (1) again after,
/// without a restart, and the feeds catch up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_for_10_s_mid_sale_degrades_and_recovers() {
    if !cluster_tools_or_skip("redis_down_for_10_s_mid_sale_degrades_and_recovers", false) {
        return;
    }
    let mut sale = Sale::start(spec()).await;
    for base in sale.cluster.bases() {
        let (status, body) = readyz(&base).await;
        assert_eq!(
            (status, &body["status"]),
            (200, &json!("ready")),
            "{base}: {body}"
        );
    }
    sale.round("a").acknowledged().await;

    for base in sale.cluster.bases() {
        assert_eq!(
            redis_up(&base).await,
            Some(1),
            "{base}: silkstream_redis_up"
        );
    }
    sale.cluster.redis.as_mut().expect("redis").stop();
    let down = Instant::now();
    for base in sale.cluster.bases() {
        eventually(
            Duration::from_secs(10),
            &format!("{base}/readyz says degraded while Redis is down"),
            || async {
                let (status, body) = readyz(&base).await;
                status == 200 && body["status"] == "degraded"
            },
        )
        .await;
        assert_eq!(
            redis_up(&base).await,
            Some(0),
            "{base}: silkstream_redis_up"
        );
    }
    // Orders all through the outage: one per buyer per second, through its own instance.
    let mut pace = tokio::time::interval(Duration::from_secs(1));
    let mut n = 0;
    while down.elapsed() < Duration::from_secs(10) && n < 15 {
        pace.tick().await;
        let before = sale.failures().len();
        for i in (0..3).map(|k| (n * 3 + k) % BUYERS) {
            sale.one(i, format!("down-{n}-{i}")).acknowledged().await;
        }
        assert_eq!(
            sale.failures().len(),
            before,
            "orders failed while Redis was down: {:?}",
            sale.failures()
        );
        n += 1;
    }
    sale.cluster.redis.as_mut().expect("redis").start().await;
    for base in sale.cluster.bases() {
        eventually(
            Duration::from_secs(30),
            &format!("{base}/readyz says ready again once Redis is back"),
            || async {
                let (status, body) = readyz(&base).await;
                status == 200 && body["status"] == "ready"
            },
        )
        .await;
    }
    for base in sale.cluster.bases() {
        assert_eq!(
            redis_up(&base).await,
            Some(1),
            "{base}: silkstream_redis_up"
        );
    }
    sale.round("c").acknowledged().await;
    assert!(
        sale.failures().is_empty(),
        "orders failed: {:?}",
        sale.failures()
    );
    sale.assert_whole().await;
}

/// The `silkstream_redis_up` gauge of `base`'s `/metrics` (read from 127.0.0.1, which needs no
/// token); `None` when it is not there.
async fn redis_up(base: &str) -> Option<i64> {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .find(|l| l.starts_with("silkstream_redis_up"))
        .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|v| v as i64)
}

/// PostgreSQL restarted mid-sale: while it is down every instance answers at once (within 5 s)
/// with 503 `database_unavailable` and a `Retry-After` header, orders included, never a 500
/// and never a hang; `/readyz` says 503 `not_ready` while `/livez` says 200 `ok` (a load
/// balancer's liveness probe keeps every instance alive); once it is back every instance serves
/// again without a restart, the orders retried with their keys are confirmed once each, and the
/// feeds catch up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restart_mid_sale_fails_fast_and_recovers() {
    if !cluster_tools_or_skip("postgres_restart_mid_sale_fails_fast_and_recovers", false) {
        return;
    }
    let sale = Sale::start(spec()).await;
    sale.round("a").acknowledged().await;

    sale.cluster.postgres.stop().await;
    for (i, app) in sale.apps.iter().enumerate() {
        let (status, body) = readyz(&app.base).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (503, Some("not_ready")),
            "{}: {body}",
            app.base
        );
        let (status, body) = probe(&app.base, "/livez").await;
        assert_eq!(
            (status, body["status"].as_str()),
            (200, Some("ok")),
            "{}/livez while PostgreSQL is down: {body}",
            app.base
        );
        // A request that must write (a guest signs up), and an order of a known buyer (whose
        // token, profile, session and sale this instance holds in memory).
        let started = Instant::now();
        let signup = app
            .client
            .post(format!("{}/api/v1/buyers", app.base))
            .json(
                &json!({"display_name": "Late Guest", "country": "KZ", "city": "Almaty",
                          "locale": "ru"}),
            )
            .send()
            .await
            .expect("the instance answers");
        assert_unavailable(signup, started, "POST /api/v1/buyers").await;
        let (token, _) = &sale.buyers[i];
        let started = Instant::now();
        let order = app
            .client
            .post(format!(
                "{}/api/v1/sessions/{}/orders",
                app.base, sale.live.session_id
            ))
            .bearer_auth(token)
            .header("idempotency-key", format!("outage-{i}"))
            .json(&order_body(sale.live.variant_id, 1, "KZT"))
            .send()
            .await
            .expect("the instance answers");
        assert_unavailable(order, started, "POST /api/v1/sessions/{id}/orders").await;
    }
    // Orders sent during the outage are retried (same keys) until it ends.
    let retried = sale.round("outage");
    sale.cluster.postgres.start().await;
    retried.acknowledged().await;
    for f in sale.failures() {
        assert!(
            f.status == 503 && f.code == "database_unavailable",
            "during the outage: {f:?}"
        );
        assert!(
            f.took < Duration::from_secs(5),
            "a 503 took {:?} (fail fast): {f:?}",
            f.took
        );
    }
    for app in sale.apps.iter() {
        eventually(
            Duration::from_secs(30),
            &format!("{}/readyz says ready again", app.base),
            || async { readyz(&app.base).await.0 == 200 },
        )
        .await;
    }
    // The harness's own pool (the checks below read through it) has seen it come back too.
    eventually(
        Duration::from_secs(10),
        "the harness's pool finds PostgreSQL again",
        || async { sale.apps[0].db.reachable() },
    )
    .await;
    sale.round("c").acknowledged().await;
    sale.assert_whole().await;
}

/// Asserts a 503 `database_unavailable` in the error envelope with `Retry-After`, answered
/// within 5 s of `started`.
async fn assert_unavailable(response: reqwest::Response, started: Instant, what: &str) {
    let took = started.elapsed();
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").cloned();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("database_unavailable")),
        "{what} with PostgreSQL down: {status} {body}"
    );
    assert!(
        body["error"]["message"].is_string(),
        "{what}: the envelope has a message: {body}"
    );
    assert!(retry_after.is_some(), "{what}: 503 without Retry-After");
    assert!(
        took < Duration::from_secs(5),
        "{what} took {took:?} with PostgreSQL down (fail fast)"
    );
}

/// A rolling restart of all three instances (SIGTERM, wait for the graceful end, start on the
/// same port, one at a time) while buyers order: every order is acknowledged once, every feed
/// closed with 1012 reconnects with `since` and misses nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_restart_mid_sale_loses_nothing() {
    if !cluster_tools_or_skip("rolling_restart_mid_sale_loses_nothing", false) {
        return;
    }
    let mut sale = Sale::start(spec()).await;
    sale.round("a").acknowledged().await;
    for i in 0..sale.cluster.instances.len() {
        let pid = sale.cluster.instances[i].pid();
        let in_flight = sale.round(&format!("r{i}"));
        sale.cluster.instances[i].restart().await;
        in_flight.acknowledged().await;
        assert_ne!(
            sale.cluster.instances[i].pid(),
            pid,
            "instance {i} restarted"
        );
    }
    sale.round("c").acknowledged().await;
    assert!(
        sale.failures().is_empty(),
        "orders failed during the rolling restart: {:?}",
        sale.failures()
    );
    for feed in &sale.feeds {
        assert!(
            feed.log().connections.len() >= 2,
            "{} was never moved: {:?}",
            feed.name,
            feed.log().connections
        );
    }
    sale.assert_whole().await;
}

/// Through nginx (deploy/nginx.conf, three upstreams, no sticky sessions): buyers sign up and
/// order through it, a host's feed opened through it receives every order, the requests are
/// spread over every instance, and the per-address sign-up limit counts the address a client
/// connects to nginx from (X-Forwarded-For, nginx trusted as 127.0.0.1), not nginx's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_nginx_orders_reach_the_feed_and_limits_count_the_client() {
    if !cluster_tools_or_skip(
        "through_nginx_orders_reach_the_feed_and_limits_count_the_client",
        true,
    ) {
        return;
    }
    const SIGNUPS_PER_ADDRESS: usize = 3;
    let cluster = Cluster::start(
        ClusterSpec::default()
            .with("SILKSTREAM_TRUSTED_PROXIES", "127.0.0.1")
            .with("SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE", SIGNUPS_PER_ADDRESS)
            .with("SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE_TOTAL", 100_000),
    )
    .await;
    let nginx = Nginx::start(&cluster).await;
    let lb = cluster.app_at(nginx.base_url());
    let live = lb.live_session(UNITS, true).await;
    lb.flash_sale(&live, 100, 5).await;

    let mut host = lb
        .ws_connect(
            &format!("/api/v1/sessions/{}/feed?since=0", live.session_id),
            Some(&live.host),
        )
        .await;
    let first = host.next_json(Duration::from_secs(15)).await;
    assert_eq!(first["type"], "snapshot", "{first}");
    let host = host.watch("seq");

    // Six buyers, each from an address of its own (127.0.0.10…), sign up and order twice.
    let mut order_ids = Vec::new();
    for b in 0..6u8 {
        let from = client_from(IpAddr::from([127, 0, 0, 10 + b]));
        let mut buyer = cluster.app_at(nginx.base_url());
        buyer.client = from;
        let (token, _) = buyer.buyer(&format!("Buyer {b}"), "ru").await;
        for k in 0..2 {
            let reply = buyer
                .order(
                    &token,
                    live.session_id,
                    &format!("n-{b}-{k}"),
                    &order_body(live.variant_id, 1, "KZT"),
                )
                .await
                .expect(201);
            order_ids.push(reply.body["order"]["id"].as_i64().expect("order id"));
        }
    }
    let last = lb
        .scalar(&format!(
            "SELECT MAX(seq) FROM events WHERE session_id = {}",
            live.session_id
        ))
        .await;
    let (_, got) = host.until(last, Duration::from_secs(20)).await;
    let mut confirmed: Vec<i64> = got
        .iter()
        .filter(|m| m["type"] == "order_confirmed")
        .map(|m| m["order_id"].as_i64().expect("the host sees order ids"))
        .collect();
    confirmed.sort();
    order_ids.sort();
    assert_eq!(confirmed, order_ids, "the host's feed through nginx");
    let seqs: Vec<i64> = got
        .iter()
        .filter(|m| m["type"] != "snapshot")
        .filter_map(|m| m["seq"].as_i64())
        .collect();
    assert_eq!(seqs, (1..=last).collect::<Vec<_>>(), "seqs through nginx");

    // No sticky sessions: every instance answered some of it.
    let access = nginx.access_log();
    for instance in &cluster.instances {
        let upstream = format!("upstream=127.0.0.1:{}", instance.port());
        assert!(
            access.contains(&upstream),
            "instance {} never answered through nginx:\n{access}",
            instance.index
        );
    }

    // One address signs up until refused: the limit is per address (per instance, or
    // cluster-wide with Redis), so at most limit × instances get through, and the refusal is
    // 429. Another address still signs up: nginx's own address is not what is counted.
    let mut crowded = cluster.app_at(nginx.base_url());
    crowded.client = client_from(IpAddr::from([127, 0, 0, 50]));
    let most = SIGNUPS_PER_ADDRESS * cluster.instances.len();
    let mut accepted = 0;
    let mut refused = None;
    for n in 0..=most {
        let reply = crowded
            .request(
                reqwest::Method::POST,
                "/api/v1/buyers",
                None,
                Some(
                    &json!({"display_name": format!("Crowd {n}"), "country": "KZ",
                             "city": "Almaty", "locale": "ru"}),
                ),
            )
            .await;
        match reply.status.as_u16() {
            201 => accepted += 1,
            429 => {
                assert_eq!(reply.code(), "rate_limited", "{}", reply.text);
                refused = Some(n);
                break;
            }
            other => panic!("sign-up through nginx: {other} {}", reply.text),
        }
    }
    assert!(
        refused.is_some(),
        "{} sign-ups from one address were all accepted (limit {SIGNUPS_PER_ADDRESS} per \
         address per instance)",
        most + 1
    );
    assert!(
        accepted >= SIGNUPS_PER_ADDRESS,
        "only {accepted} sign-ups before the first 429"
    );
    let mut other = cluster.app_at(nginx.base_url());
    other.client = client_from(IpAddr::from([127, 0, 0, 51]));
    other.buyer("Someone else", "ru").await;
}

/// A client whose connections come from `ip` (any 127.x address is this host's).
fn client_from(ip: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip)
        .build()
        .expect("a client bound to a loopback address")
}
