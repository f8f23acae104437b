//! The flash-sale scenario: one hot SKU, N guest buyers ordering it as fast as `--connections`
//! keep-alive connections allow (closed loop, like wrk), over HTTP (`POST
//! /api/v1/sessions/{id}/orders` with an `Idempotency-Key`) or over the WebSocket feed (`order`
//! messages). Per step: confirmed orders/s, attempts/s, ack p50/p99/p99.9 over the measured
//! window (after the warm-up), refusals by code, and at the end the sale's own state read back
//! through the API: confirmed + remaining = allocated, or the run fails (an oversell, or an
//! acknowledged order the sale does not count).
//!
//! Several instances of one deployment (`--server` again, or a comma list; PostgreSQL): the
//! workers are spread over them (worker `w` on instance `w mod N`, so each buyer orders through
//! one instance), and each step is measured twice in the same run, every worker on the first
//! instance (one instance) and then spread over all of them, with the ratio of their confirmed
//! orders/s; the invariant is checked after each. `--rounds 2` measures each side twice in
//! the order one, all, all, one, so that a drift over the run does not favour either side. Its results go under `flash-<backend>-cluster`.
//!
//! The set-up (product, host, session, sale, sign-ups) is outside the measured window. The
//! server must allow the load: the bench raises the sign-up, per-buyer and WebSocket order rate
//! limits through settings (bench/run.sh) and the report says so; the sale's per-buyer limit is
//! the API's largest (1,000 units).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use hyper::Method;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::http::{refusal_code, Api, Conn, Target, REQUEST_TIMEOUT};
use crate::report::{Latency, Line, Report, Series, Table};
use crate::{cpu, fmt_ms, fmt_rate, progress_bar, setup, Common};

/// How orders reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// `POST /api/v1/sessions/{id}/orders`, one keep-alive connection per worker.
    Http,
    /// `order` messages on the session's feed, one WebSocket (one buyer) per worker.
    Ws,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Buyers per step (comma-separated); each step is a new sale on a new session.
    #[arg(long, value_delimiter = ',', default_value = "500,2000,10000")]
    pub buyers: Vec<usize>,
    /// Keep-alive connections (workers), each with one request in flight.
    #[arg(long, default_value_t = 200)]
    pub connections: usize,
    /// Seconds measured per step, after the warm-up.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds of load before the measured window (not counted).
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Units the sale allocates; a step that sells out keeps going and counts `sold_out`.
    #[arg(long, default_value_t = 2_000_000)]
    pub units: i64,
    /// Units per order.
    #[arg(long, default_value_t = 1)]
    pub quantity: i64,
    #[arg(long, value_enum, default_value_t = Transport::Http)]
    pub transport: Transport,
    /// The server's backend, for the report and the baseline ratio: `sqlite` or `postgres`.
    #[arg(long, default_value = "sqlite")]
    pub backend: String,
    /// Guest sign-ups in flight at once while setting up.
    #[arg(long, default_value_t = 32)]
    pub signup_parallel: usize,
    /// With several instances: how often each step is measured on one instance and on all of
    /// them, in turn (one, all, then all, one, …), so that a drift over the run (a growing
    /// table, a checkpoint, a neighbour's load) weighs on both sides alike; the ratio is of the
    /// orders/s over all rounds. 2 is the ABBA design.
    #[arg(long, default_value_t = 1)]
    pub rounds: usize,
}

/// What one worker saw.
#[derive(Default)]
struct Tally {
    /// In the measured window.
    attempts: u64,
    confirmed: u64,
    refusals: BTreeMap<String, u64>,
    ack: Latency,
    /// Over the whole run (warm-up and drain included), for the invariant.
    units_confirmed_total: i64,
    orders_confirmed_total: u64,
    /// Requests whose outcome the client never learnt (transport error, timeout).
    unknown_total: u64,
    errors: BTreeMap<String, u64>,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        self.attempts += o.attempts;
        self.confirmed += o.confirmed;
        for (k, v) in o.refusals {
            *self.refusals.entry(k).or_default() += v;
        }
        for (k, v) in o.errors {
            *self.errors.entry(k).or_default() += v;
        }
        self.ack.merge(&o.ack);
        self.units_confirmed_total += o.units_confirmed_total;
        self.orders_confirmed_total += o.orders_confirmed_total;
        self.unknown_total += o.unknown_total;
    }
}

/// The window every worker measures in, and the stop flag.
struct Clock {
    measure_from: Instant,
    measure_until: Instant,
    stop: AtomicBool,
    /// Confirmed orders so far (all phases), for the progress display.
    confirmed: AtomicU64,
}

impl Clock {
    fn measured(&self, t: Instant) -> bool {
        t >= self.measure_from && t < self.measure_until
    }
}

/// One attempt's outcome.
enum Outcome {
    Confirmed,
    Refused(String),
    Unknown(String),
}

fn count(tally: &mut Tally, clock: &Clock, sent: Instant, outcome: Outcome, quantity: i64) {
    let measured = clock.measured(sent);
    if measured {
        tally.attempts += 1;
        tally.ack.record(sent.elapsed());
    }
    match outcome {
        Outcome::Confirmed => {
            tally.units_confirmed_total += quantity;
            tally.orders_confirmed_total += 1;
            clock.confirmed.fetch_add(1, Ordering::Relaxed);
            if measured {
                tally.confirmed += 1;
            }
        }
        Outcome::Refused(code) => {
            if measured {
                *tally.refusals.entry(code).or_default() += 1;
            }
        }
        Outcome::Unknown(why) => {
            tally.unknown_total += 1;
            *tally.errors.entry(why).or_default() += 1;
        }
    }
}

fn order_body(variant_id: i64, quantity: i64) -> Value {
    json!({"variant_id": variant_id, "quantity": quantity, "currency": setup::CURRENCY,
           "ship_to": {"name": "Aigerim Bekova", "phone": "+7 701 555 0101", "country": "KZ",
                       "city": "Almaty", "address": "Abay Ave 10, apt 5",
                       "postal_code": "050000"}})
}

/// What every HTTP worker of a step shares.
struct HttpLoad {
    /// The instances; worker `w` sends to `targets[w % len]`.
    targets: Vec<Target>,
    /// `/api/v1/sessions/{id}/orders`.
    path: String,
    /// The order, serialized once.
    body: Bytes,
    buyers: Arc<Vec<String>>,
    workers: usize,
    quantity: i64,
    /// Makes idempotency keys unique to the step.
    tag: String,
}

/// A worker over HTTP: orders from its buyers in turn (buyer `w`, `w + connections`, …), so
/// one buyer never has two orders in flight, as a person tapping "buy" does not.
async fn http_worker(load: Arc<HttpLoad>, clock: Arc<Clock>, worker: usize) -> Tally {
    let HttpLoad {
        targets,
        path,
        body,
        buyers,
        workers,
        quantity,
        tag,
    } = &*load;
    let (workers, quantity) = (*workers, *quantity);
    let mut conn = Conn::new(&targets[worker % targets.len()]);
    let mut tally = Tally::default();
    let mut n = 0usize;
    while !clock.stop.load(Ordering::Relaxed) {
        let buyer = &buyers[(worker + n * workers) % buyers.len()];
        let key = format!("{tag}-{worker}-{n}");
        n += 1;
        let sent = Instant::now();
        let outcome = match conn
            .send(
                Method::POST,
                path,
                Some(buyer),
                &[("idempotency-key", &key)],
                Some(body.clone()),
            )
            .await
        {
            Ok((status, _)) if status.as_u16() == 201 => Outcome::Confirmed,
            Ok((status, raw)) => Outcome::Refused(refusal_code(status, &raw)),
            Err(e) => Outcome::Unknown(short_error(&e)),
        };
        let unknown = matches!(outcome, Outcome::Unknown(_));
        count(&mut tally, &clock, sent, outcome, quantity);
        if unknown {
            // Do not spin on a server that is gone.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    tally
}

/// A worker over the WebSocket feed: one buyer's connection, one order in flight, every other
/// message (the feed's events) read and skipped.
async fn ws_worker(
    url: String,
    clock: Arc<Clock>,
    order: Value,
    worker: usize,
    quantity: i64,
    tag: String,
) -> Tally {
    let mut tally = Tally::default();
    let (mut ws, _) = match tokio_tungstenite::connect_async(&url).await {
        Ok(c) => c,
        Err(e) => {
            tally.unknown_total += 1;
            *tally.errors.entry(format!("ws connect: {e}")).or_default() += 1;
            return tally;
        }
    };
    let mut n = 0usize;
    'orders: while !clock.stop.load(Ordering::Relaxed) {
        let id = format!("{tag}-{worker}-{n}");
        n += 1;
        let mut msg = order.clone();
        msg["type"] = json!("order");
        msg["client_order_id"] = json!(id);
        let sent = Instant::now();
        if let Err(e) = ws.send(Message::text(msg.to_string())).await {
            count(
                &mut tally,
                &clock,
                sent,
                Outcome::Unknown(format!("ws send: {e}")),
                0,
            );
            break;
        }
        let deadline = tokio::time::sleep(REQUEST_TIMEOUT);
        tokio::pin!(deadline);
        let outcome = loop {
            let next = tokio::select! {
                m = ws.next() => m,
                _ = &mut deadline => break Outcome::Unknown("ws: no order_result in time".into()),
            };
            let text = match next {
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(Message::Close(f))) => {
                    break Outcome::Unknown(format!("ws closed: {f:?}"));
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => break Outcome::Unknown(format!("ws: {e}")),
                None => break Outcome::Unknown("ws: closed".into()),
            };
            // Cheap test first: most frames are other buyers' order_confirmed events.
            if !text.as_str().contains("\"order_result\"") {
                continue;
            }
            let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
                continue;
            };
            if v["type"] != "order_result" || v["client_order_id"] != json!(id) {
                continue;
            }
            break match v["error"]["code"].as_str() {
                Some(code) => Outcome::Refused(code.to_owned()),
                None if v["order"]["status"] == "confirmed" && v["replayed"] != true => {
                    Outcome::Confirmed
                }
                None => Outcome::Refused("unexpected_answer".into()),
            };
        };
        let gone = matches!(outcome, Outcome::Unknown(_));
        count(&mut tally, &clock, sent, outcome, quantity);
        if gone {
            break 'orders;
        }
    }
    let _ = ws.close(None).await;
    tally
}

fn short_error(e: &anyhow::Error) -> String {
    let mut s = format!("{e:#}");
    s.truncate(120);
    s
}

/// One step's figures, for the tables, the JSON and the plots.
struct Step {
    buyers: usize,
    /// Instances the workers were spread over.
    instances: usize,
    /// Which of `--rounds` (from 0).
    round: usize,
    /// Cores the load generator (and the server, given its pid) used while measured.
    cpu: Value,
    tally: Tally,
    seconds: f64,
    sale: Value,
    invariant_ok: bool,
    invariant: String,
    /// The order desks' figures over the step, summed over the instances (`/metrics`).
    desk: Value,
}

/// The order desk's figures of `/metrics` (`silkstream_desk`, `silkstream_desk_seconds`),
/// summed over `targets`: batches, orders, again, lock-wait and busy seconds.
async fn desk_figures(targets: &[Target]) -> anyhow::Result<[f64; 5]> {
    let mut sum = [0.0; 5];
    for t in targets {
        let text = Api::new(t).text("/metrics").await?;
        for line in text.lines() {
            let Some((name, value)) = line.rsplit_once(' ') else {
                continue;
            };
            let slot = match name {
                r#"silkstream_desk{count="batches"}"# => 0,
                r#"silkstream_desk{count="orders"}"# => 1,
                r#"silkstream_desk{count="again"}"# => 2,
                r#"silkstream_desk_seconds{spent="lock_wait"}"# => 3,
                r#"silkstream_desk_seconds{spent="busy"}"# => 4,
                _ => continue,
            };
            sum[slot] += value.parse::<f64>().unwrap_or(0.0);
        }
    }
    Ok(sum)
}

/// What the desks did between two readings of [`desk_figures`]: batches, orders per batch,
/// attempts decided again, and the share of their transactions' time spent waiting for the
/// session's row (taking turns with the other instances' desks).
fn desk_summary(before: [f64; 5], after: [f64; 5]) -> Value {
    let d: Vec<f64> = (0..5).map(|i| after[i] - before[i]).collect();
    json!({
        "batches": d[0],
        "orders": d[1],
        "again": d[2],
        "orders_per_batch": if d[0] > 0.0 { d[1] / d[0] } else { 0.0 },
        "lock_wait_share": if d[4] > 0.0 { d[3] / d[4] } else { 0.0 },
        "busy_ms_per_batch": if d[0] > 0.0 { d[4] * 1000.0 / d[0] } else { 0.0 },
    })
}

pub async fn run(common: &Common, args: Args, prior: &Value) -> anyhow::Result<Report> {
    let targets = common
        .servers
        .iter()
        .map(|s| Target::parse(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if targets.is_empty() {
        anyhow::bail!("--server: give at least one");
    }
    for t in &targets {
        Api::new(t).check_server().await?;
    }
    let api = Api::new(&targets[0]);
    let admin = common.admin()?;
    if args.connections == 0 || args.buyers.contains(&0) {
        anyhow::bail!("--connections and every --buyers step must be at least 1");
    }
    if args.quantity < 1 {
        anyhow::bail!("--quantity must be at least 1");
    }
    if args.rounds == 0 || (args.rounds > 1 && targets.len() < 2) {
        anyhow::bail!("--rounds is at least 1, and above 1 only with several --server");
    }
    if targets.len() > 1 && args.backend == "sqlite" {
        eprintln!(
            "warning: {} instances on SQLite: a scaled-out deployment runs on PostgreSQL",
            targets.len()
        );
    }
    // One instance, then (given several) all of them, per step.
    let mut spreads = vec![1];
    if targets.len() > 1 {
        spreads.push(targets.len());
    }
    setup::basics(&api, admin).await?;
    let mut buyers: Vec<String> = Vec::new();
    let mut steps = Vec::new();
    for &n in &args.buyers {
        if buyers.len() < n {
            let have = buyers.len();
            let bar = progress_bar((n - have) as u64, &format!("signing up buyers ({n})"));
            let b = bar.clone();
            let more = setup::guest_buyers(
                &targets[0],
                have,
                n - have,
                args.signup_parallel,
                move |d| b.set_position(d as u64),
            )
            .await?;
            bar.finish_and_clear();
            buyers.extend(more);
        }
        for round in 0..args.rounds {
            // Odd rounds go the other way round: one, all, then all, one.
            let order: Vec<usize> = if round % 2 == 0 {
                spreads.clone()
            } else {
                spreads.iter().rev().copied().collect()
            };
            for spread in order {
                let mut step = run_step(
                    &api,
                    &targets[..spread],
                    admin,
                    &args,
                    &buyers[..n],
                    &common.server_pids,
                )
                .await?;
                step.round = round;
                eprintln!(
                    "flash {} {:>6} buyers on {spread} instance(s){}: {} confirmed orders/s, ack p99 {}, {}",
                    args.backend,
                    n,
                    if args.rounds > 1 { format!(", round {}", round + 1) } else { String::new() },
                    fmt_rate(step.tally.confirmed as f64 / step.seconds),
                    fmt_ms(step.tally.ack.ms(0.99)),
                    step.invariant
                );
                steps.push(step);
            }
        }
    }
    Ok(report(&args, &steps, prior))
}

/// One step: a new sale on a new session, set up through the first instance, ordered from
/// through `targets` (worker `w` on `targets[w % len]`); `server_pids` are every instance's,
/// for their cores.
async fn run_step(
    api: &Api,
    targets: &[Target],
    admin: &str,
    args: &Args,
    buyers: &[String],
    server_pids: &[u32],
) -> anyhow::Result<Step> {
    let tag = setup::run_tag();
    let (product_id, variant_id) = setup::product(api, admin, &tag, args.units).await?;
    let host = setup::host(api, admin, &tag).await?;
    let session_id = setup::live_session(api, &host, &tag, product_id).await?;
    let sale = api
        .post(
            &format!("/api/v1/sessions/{session_id}/flash-sales"),
            &host,
            &json!({"variant_id": variant_id, "quantity": args.units, "per_buyer_limit": 1000,
                    "prices": {setup::CURRENCY: 1999000}, "countdown_s": 0, "duration_s": 3600,
                    "warehouse": setup::WAREHOUSE}),
        )
        .await?
        .expect(201)?;
    let sale_id = sale["id"].as_i64().context("sale id")?;

    let warmup = Duration::from_secs_f64(args.warmup.max(0.0));
    let measured = Duration::from_secs_f64(args.duration.max(0.1));
    let start = Instant::now();
    let clock = Arc::new(Clock {
        measure_from: start + warmup,
        measure_until: start + warmup + measured,
        stop: AtomicBool::new(false),
        confirmed: AtomicU64::new(0),
    });
    let body = order_body(variant_id, args.quantity);
    let buyers = Arc::new(buyers.to_vec());
    let http_load = Arc::new(HttpLoad {
        targets: targets.to_vec(),
        path: format!("/api/v1/sessions/{session_id}/orders"),
        body: Bytes::from(body.to_string()),
        buyers: buyers.clone(),
        workers: args.connections,
        quantity: args.quantity,
        tag: format!("{tag}-{}", buyers.len()),
    });
    let mut tasks = Vec::new();
    for w in 0..args.connections {
        let clock = clock.clone();
        let tag = format!("{tag}-{}", buyers.len());
        match args.transport {
            Transport::Http => tasks.push(tokio::spawn(http_worker(http_load.clone(), clock, w))),
            Transport::Ws => {
                let buyer = &buyers[w % buyers.len()];
                let url = format!(
                    "{}/api/v1/sessions/{session_id}/feed?token={buyer}",
                    targets[w % targets.len()].ws_base()
                );
                tasks.push(tokio::spawn(ws_worker(
                    url,
                    clock,
                    body.clone(),
                    w,
                    args.quantity,
                    tag,
                )))
            }
        }
    }

    let total = warmup + measured;
    let bar = progress_bar(
        total.as_millis() as u64,
        &format!(
            "flash {} buyers, {} instance(s)",
            buyers.len(),
            targets.len()
        ),
    );
    let mut last = (start, 0u64);
    let mut cpu_from: Option<cpu::Sample> = None;
    let mut desk_from: Option<[f64; 5]> = None;
    let mut cpu = Value::Null;
    loop {
        let now = Instant::now();
        // CPU use over the measured window: sampled at the first tick inside it and at its end
        // (each sample carries its own time, so a late tick does not skew the figure).
        if cpu_from.is_none() && now >= clock.measure_from {
            cpu_from = Some(cpu::Sample::now(server_pids));
            desk_from = desk_figures(targets).await.ok();
        }
        if now >= clock.measure_until {
            if let Some(from) = cpu_from {
                cpu = from.cores_since(server_pids);
            }
            break;
        }
        let next = (now + Duration::from_millis(100))
            .min(clock.measure_until)
            .max(now);
        tokio::time::sleep_until(next.into()).await;
        let now = Instant::now();
        if now.duration_since(last.0) >= Duration::from_millis(250) {
            let done = clock.confirmed.load(Ordering::Relaxed);
            let rate = (done - last.1) as f64 / now.duration_since(last.0).as_secs_f64();
            last = (now, done);
            bar.set_message(format!("{done} confirmed, {} orders/s", fmt_rate(rate)));
        }
        bar.set_position(start.elapsed().as_millis() as u64);
    }
    let desk = match (desk_from, desk_figures(targets).await) {
        (Some(from), Ok(to)) => desk_summary(from, to),
        _ => Value::Null,
    };
    clock.stop.store(true, Ordering::Relaxed);
    bar.finish_and_clear();
    let mut tally = Tally::default();
    for t in tasks {
        tally.merge(t.await?);
    }

    // The sale's own account, read back through the API.
    let sale = api
        .get(&format!("/api/v1/flash-sales/{sale_id}"), &host)
        .await?
        .expect(200)?;
    let (ok, invariant) = check_invariant(&sale, &tally, args.quantity);
    // End the session so that the next step starts on a quiet server; its unsold units go back.
    if let Err(e) = api
        .post(
            &format!("/api/v1/sessions/{session_id}/end"),
            &host,
            &json!({}),
        )
        .await
        .and_then(|r| r.expect(200))
    {
        eprintln!("warning: ending bench session {session_id}: {e:#}");
    }
    Ok(Step {
        buyers: buyers.len(),
        instances: targets.len(),
        round: 0,
        cpu,
        tally,
        seconds: measured.as_secs_f64(),
        sale,
        invariant_ok: ok,
        invariant,
        desk,
    })
}

/// confirmed + remaining = allocated, from the sale's own figures and the client's count:
/// the sale's `sold` plus `remaining` is its `allocated`, it never sold more than it had, and
/// every order the client saw confirmed is counted in `sold` (an acknowledged order the sale
/// lost would be a lie to a buyer). Orders whose answer was lost may be in `sold` or not.
fn check_invariant(sale: &Value, tally: &Tally, quantity: i64) -> (bool, String) {
    let allocated = sale["allocated"].as_i64().unwrap_or(-1);
    let remaining = sale["remaining"].as_i64().unwrap_or(-1);
    let sold = sale["sold"].as_i64().unwrap_or(-1);
    let confirmed = tally.units_confirmed_total;
    let unknown = tally.unknown_total as i64 * quantity;
    let mut problems = Vec::new();
    if remaining < 0 || sold < 0 || allocated < 0 {
        problems.push(format!(
            "the sale's figures are missing or negative: {sale}"
        ));
    }
    if sold + remaining != allocated {
        problems.push(format!(
            "sold {sold} + remaining {remaining} != allocated {allocated}"
        ));
    }
    if confirmed > allocated {
        problems.push(format!(
            "OVERSELL: {confirmed} units confirmed to buyers, {allocated} allocated"
        ));
    }
    if confirmed > sold {
        problems.push(format!(
            "{confirmed} units confirmed to buyers but the sale counts {sold} sold"
        ));
    }
    if sold > confirmed + unknown {
        problems.push(format!(
            "the sale counts {sold} sold, buyers were told of {confirmed} (+{unknown} unknown)"
        ));
    }
    if problems.is_empty() {
        let text = if unknown == 0 {
            format!("ok: confirmed {confirmed} + remaining {remaining} = allocated {allocated}")
        } else {
            format!(
                "ok: confirmed {confirmed} (+{} of {unknown} unanswered) + remaining {remaining} \
                 = allocated {allocated}",
                sold - confirmed
            )
        };
        (true, text)
    } else {
        (false, format!("FAILED: {}", problems.join("; ")))
    }
}

/// The per-order transaction baseline measured earlier in this run (`dbbase`), if any: its
/// label and transactions/s.
fn baselines(prior: &Value, backend: &str) -> Vec<(String, f64)> {
    let Some(runs) = prior["dbbase"]["data"]["runs"].as_array() else {
        return Vec::new();
    };
    runs.iter()
        .filter(|r| r["backend"] == backend)
        .filter_map(|r| {
            Some((
                format!(
                    "{} × {}",
                    r["backend"].as_str()?,
                    r["connections"].as_u64()?
                ),
                r["tx_per_s"].as_f64()?,
            ))
        })
        .collect()
}

/// A core count from the JSON, or `?` when unknown.
fn cores(v: &Value) -> String {
    v.as_f64().map_or("?".to_owned(), |c| format!("{c:.2}"))
}

fn report(args: &Args, steps: &[Step], prior: &Value) -> Report {
    let instances = steps.iter().map(|s| s.instances).max().unwrap_or(1);
    let cluster = instances > 1;
    // Over several instances the comparison is one instance, measured in the same run; the
    // per-order baseline in the file may be from another run (bench/cluster.sh runs alone).
    let base = if cluster {
        Vec::new()
    } else {
        baselines(prior, &args.backend)
    };
    let mut columns: Vec<String> = [
        "buyers",
        "instances",
        "confirmed orders/s",
        "attempts/s",
        "ack p50",
        "ack p99",
        "ack p99.9",
        "refusals",
        "invariant",
        "desk: orders/batch, lock wait",
        if cluster {
            "cores: loadgen / instances / machine"
        } else {
            "cores: loadgen / server"
        },
    ]
    .iter()
    .filter(|c| cluster || **c != "instances")
    .map(|s| s.to_string())
    .collect();
    let rounds = args.rounds > 1;
    if rounds {
        columns.insert(2, "round".into());
    }
    for (label, _) in &base {
        columns.push(format!("÷ baseline {label}"));
    }
    let mut rows = Vec::new();
    let mut data_steps = Vec::new();
    let mut failures = Vec::new();
    for s in steps {
        let t = &s.tally;
        let confirmed_s = t.confirmed as f64 / s.seconds;
        let attempts_s = t.attempts as f64 / s.seconds;
        let refusals = if t.refusals.is_empty() {
            "none".to_owned()
        } else {
            t.refusals
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut row = vec![s.buyers.to_string()];
        if cluster {
            row.push(s.instances.to_string());
        }
        if rounds {
            row.push((s.round + 1).to_string());
        }
        row.extend([
            fmt_rate(confirmed_s),
            fmt_rate(attempts_s),
            fmt_ms(t.ack.ms(0.50)),
            fmt_ms(t.ack.ms(0.99)),
            fmt_ms(t.ack.ms(0.999)),
            refusals,
            if s.invariant_ok { "ok" } else { "FAILED" }.to_owned(),
            match (
                s.desk["orders_per_batch"].as_f64(),
                s.desk["lock_wait_share"].as_f64(),
            ) {
                (Some(b), Some(w)) => format!("{b:.0}, {:.0}%", w * 100.0),
                _ => "?".to_owned(),
            },
            if cluster {
                format!(
                    "{} / {} / {}",
                    cores(&s.cpu["loadgen_cores"]),
                    cores(&s.cpu["server_cores"]),
                    cores(&s.cpu["machine_busy_cores"])
                )
            } else {
                format!(
                    "{} / {}",
                    cores(&s.cpu["loadgen_cores"]),
                    cores(&s.cpu["server_cores"])
                )
            },
        ]);
        let mut ratios = serde_json::Map::new();
        for (label, tx) in &base {
            let r = confirmed_s / tx;
            row.push(format!("{r:.2}×"));
            ratios.insert(label.clone(), json!(r));
        }
        rows.push(row);
        if !s.invariant_ok {
            failures.push(format!(
                "{} buyers on {} instance(s): {}",
                s.buyers, s.instances, s.invariant
            ));
        }
        data_steps.push(json!({
            "buyers": s.buyers,
            "instances": s.instances,
            "round": s.round + 1,
            "seconds": s.seconds,
            "confirmed_orders": t.confirmed,
            "confirmed_per_s": confirmed_s,
            "attempts": t.attempts,
            "attempts_per_s": attempts_s,
            "ack": t.ack.summary(),
            "refusals": t.refusals,
            "transport_errors": t.errors,
            "orders_confirmed_total": t.orders_confirmed_total,
            "units_confirmed_total": t.units_confirmed_total,
            "unanswered_total": t.unknown_total,
            "sale": {"allocated": s.sale["allocated"], "remaining": s.sale["remaining"],
                     "sold": s.sale["sold"], "returned": s.sale["returned"],
                     "phase": s.sale["phase"]},
            "cpu": s.cpu,
            "invariant_ok": s.invariant_ok,
            "invariant": s.invariant,
            "desk": s.desk,
            "ratio_to_baseline": ratios,
        }));
    }
    // Without several instances every step is on one, and the lines are as they always were.
    let on = |spread: usize| steps.iter().filter(move |s| s.instances == spread);
    let suffix = |spread: usize| match (cluster, spread) {
        (false, _) => String::new(),
        (true, 1) => " (1 instance)".to_owned(),
        (true, n) => format!(" ({n} instances)"),
    };
    let spreads: Vec<usize> = if cluster { vec![1, instances] } else { vec![1] };
    // The buyers steps, in the order run (each once, whatever the rounds).
    let mut sizes: Vec<usize> = Vec::new();
    for s in steps {
        if !sizes.contains(&s.buyers) {
            sizes.push(s.buyers);
        }
    }
    // A figure per buyers step on `spread` instances, the mean over the rounds.
    let points = |spread: usize, f: &dyn Fn(&Step) -> f64| -> Vec<(f64, f64)> {
        sizes
            .iter()
            .filter_map(|&b| {
                let v: Vec<f64> = on(spread).filter(|s| s.buyers == b).map(f).collect();
                (!v.is_empty()).then(|| (b as f64, v.iter().sum::<f64>() / v.len() as f64))
            })
            .collect()
    };
    let pct = |q: f64, name: &str| -> Vec<Line> {
        spreads
            .iter()
            .map(|&spread| Line {
                name: format!("{name}{}", suffix(spread)),
                points: points(spread, &|s| s.tally.ack.ms(q)),
            })
            .collect()
    };
    // One instance beside all of them, step by step: the ratio of confirmed orders/s.
    let mut ratio_rows = Vec::new();
    let mut ratios = Vec::new();
    if cluster {
        // Orders/s over every round of a side: confirmed orders over measured seconds.
        let rate = |spread: usize, buyers: usize, round: Option<usize>| -> Option<f64> {
            let (mut n, mut secs) = (0.0, 0.0);
            for s in on(spread).filter(|s| s.buyers == buyers && round.is_none_or(|r| s.round == r))
            {
                n += s.tally.confirmed as f64;
                secs += s.seconds;
            }
            (secs > 0.0).then_some(n / secs)
        };
        let ratio_of = |a: f64, b: f64| if a > 0.0 { b / a } else { f64::NAN };
        for &buyers in &sizes {
            let (Some(a), Some(b)) = (rate(1, buyers, None), rate(instances, buyers, None)) else {
                continue;
            };
            let ratio = ratio_of(a, b);
            let per_round: Vec<f64> = (0..args.rounds)
                .filter_map(|r| {
                    Some(ratio_of(
                        rate(1, buyers, Some(r))?,
                        rate(instances, buyers, Some(r))?,
                    ))
                })
                .collect();
            let mut row = vec![
                buyers.to_string(),
                fmt_rate(a),
                fmt_rate(b),
                format!("{ratio:.2}×"),
            ];
            if rounds {
                row.push(
                    per_round
                        .iter()
                        .map(|r| format!("{r:.2}×"))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            row.push(if ratio >= 0.9 { "met" } else { "missed" }.to_owned());
            ratio_rows.push(row);
            ratios.push(json!({"buyers": buyers, "one_instance_per_s": a,
                               "all_instances_per_s": b, "ratio": ratio,
                               "rounds": args.rounds, "ratio_per_round": per_round}));
        }
    }
    let name = match args.transport {
        Transport::Http => format!("flash-{}", args.backend),
        Transport::Ws => format!("flash-{}-ws", args.backend),
    } + if cluster { "-cluster" } else { "" };
    let mut data = json!({
        "backend": args.backend,
        "transport": format!("{:?}", args.transport).to_lowercase(),
        "connections": args.connections,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "units_allocated": args.units,
        "quantity_per_order": args.quantity,
        "per_buyer_limit": 1000,
        "limits_raised": "the bench raises buyer_signups_per_minute(_total), \
                          orders_per_buyer_per_minute and feed_orders_per_second through \
                          SILKSTREAM_* settings (bench/run.sh)",
        "baselines": base.iter().map(|(l, v)| json!({"label": l, "tx_per_s": v})).collect::<Vec<_>>(),
        "instances": instances,
        "steps": data_steps,
    });
    if cluster {
        data["one_vs_all"] = json!(ratios);
    }
    if !failures.is_empty() {
        data["failure"] = json!(failures.join("; "));
    }
    let mut notes = vec![vec![format!(
        "{} transport, {} connections, {} s measured after {} s warm-up, {} unit(s) per order; \
         limits raised by settings (see data.limits_raised)",
        data["transport"].as_str().unwrap_or_default(),
        args.connections,
        args.duration,
        args.warmup,
        args.quantity
    )]];
    if base.is_empty() && !cluster {
        notes.push(vec![
            "no per-order baseline in the results file: run `dbbase` first into the same --out"
                .into(),
        ]);
    }
    if cluster {
        notes.push(vec![format!(
            "each step on both sides: every worker on the first instance, and worker w on \
             instance w mod {instances}{}; instances' cores added up; machine = every process \
             (the database and Redis included) of {} cores",
            if rounds {
                format!(
                    "; {} rounds, in turn one then all, all then one, the ratio over all of them",
                    args.rounds
                )
            } else {
                ", one then all".to_owned()
            },
            steps
                .first()
                .and_then(|s| s.cpu["machine_cores"].as_u64())
                .unwrap_or(0)
        )]);
    }
    let mut tables = vec![Table {
        title: format!(
            "Flash sale on {} ({}){}",
            args.backend,
            data["transport"].as_str().unwrap_or_default(),
            if cluster {
                format!(", one instance beside {instances}")
            } else {
                String::new()
            }
        ),
        columns,
        rows,
    }];
    if cluster {
        tables.push(Table {
            title: format!(
                "Flash sale on {}: {instances} instances ÷ one instance, confirmed orders/s \
                 (target ≥ 0.9×)",
                args.backend
            ),
            columns: [
                "buyers",
                "1 instance",
                &format!("{instances} instances"),
                "ratio",
                "each round",
                "≥ 0.9×",
            ]
            .iter()
            .filter(|c| rounds || **c != "each round")
            .map(|c| c.to_string())
            .collect(),
            rows: ratio_rows,
        });
    }
    Report {
        scenario: name.clone(),
        tables: tables
            .into_iter()
            .chain([Table {
                title: format!(
                    "Flash sale on {} ({}): invariant and set-up",
                    args.backend,
                    data["transport"].as_str().unwrap_or_default()
                ),
                columns: vec!["buyers".into(), "check at the end".into()],
                rows: steps
                    .iter()
                    .map(|s| {
                        let who = if rounds {
                            format!("{} on {}, round {}", s.buyers, s.instances, s.round + 1)
                        } else if cluster {
                            format!("{} on {}", s.buyers, s.instances)
                        } else {
                            s.buyers.to_string()
                        };
                        vec![who, s.invariant.clone()]
                    })
                    .chain(notes.into_iter().map(|n| vec!["note".into(), n[0].clone()]))
                    .collect(),
            }])
            .collect(),
        data,
        series: vec![
            Series {
                name: format!("{name}-ack-latency"),
                title: format!("Flash sale ack latency, {}", args.backend),
                x_label: "buyers".into(),
                y_label: "ack latency (ms)".into(),
                lines: [pct(0.5, "p50"), pct(0.99, "p99"), pct(0.999, "p99.9")].concat(),
            },
            Series {
                name: format!("{name}-throughput"),
                title: format!("Flash sale confirmed orders/s, {}", args.backend),
                x_label: "buyers".into(),
                y_label: "orders/s".into(),
                lines: {
                    let mut lines: Vec<Line> = spreads
                        .iter()
                        .map(|&spread| Line {
                            name: format!("confirmed orders/s{}", suffix(spread)),
                            points: points(spread, &|s| s.tally.confirmed as f64 / s.seconds),
                        })
                        .collect();
                    for (label, tx) in &base {
                        lines.push(Line {
                            name: format!("baseline {label} tx/s"),
                            points: sizes.iter().map(|&b| (b as f64, *tx)).collect(),
                        });
                    }
                    lines
                },
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(allocated: i64, sold: i64, remaining: i64) -> Value {
        json!({"allocated": allocated, "sold": sold, "remaining": remaining})
    }

    fn tally(confirmed_units: i64, unknown: u64) -> Tally {
        Tally {
            units_confirmed_total: confirmed_units,
            unknown_total: unknown,
            ..Tally::default()
        }
    }

    fn step(buyers: usize, instances: usize, round: usize, confirmed: u64) -> Step {
        Step {
            buyers,
            instances,
            round,
            cpu: json!({}),
            tally: Tally {
                confirmed,
                ..Tally::default()
            },
            seconds: 10.0,
            sale: json!({}),
            invariant_ok: true,
            invariant: "ok".into(),
            desk: json!({}),
        }
    }

    /// Over two rounds (one, all, all, one) the ratio is of the rates over both rounds, and
    /// each round's own ratio is reported beside it.
    #[test]
    fn rounds_weigh_both_sides_alike() {
        let args = Args {
            buyers: vec![500],
            connections: 200,
            duration: 10.0,
            warmup: 2.0,
            units: 1000,
            quantity: 1,
            transport: Transport::Http,
            backend: "postgres".into(),
            signup_parallel: 32,
            rounds: 2,
        };
        // One instance got slower over the run (1,000 then 820 orders in 10 s); three
        // instances made 900 in both rounds.
        let steps = [
            step(500, 1, 0, 1000),
            step(500, 3, 0, 900),
            step(500, 3, 1, 900),
            step(500, 1, 1, 820),
        ];
        let r = report(&args, &steps, &json!({}));
        let one = &r.data["one_vs_all"][0];
        let num = |v: &Value| v.as_f64().expect("a number");
        assert!((num(&one["one_instance_per_s"]) - 91.0).abs() < 1e-9);
        assert!((num(&one["all_instances_per_s"]) - 90.0).abs() < 1e-9);
        assert!((num(&one["ratio"]) - 90.0 / 91.0).abs() < 1e-9);
        let per_round = one["ratio_per_round"].as_array().expect("a list");
        assert!((num(&per_round[0]) - 0.9).abs() < 1e-9);
        assert!((num(&per_round[1]) - 90.0 / 82.0).abs() < 1e-9);
        assert_eq!(
            r.tables[1].rows,
            vec![vec!["500", "91", "90", "0.99×", "0.90×, 1.10×", "met"]]
        );
        // The main table says which round each row is.
        assert_eq!(r.tables[0].columns[2], "round");
        assert_eq!(r.tables[0].rows[3][2], "2");
        // The plotted throughput is one point per side, the mean of its rounds.
        let lines = &r.series[1].lines;
        assert_eq!(lines[0].points, vec![(500.0, 91.0)]);
        assert_eq!(lines[1].points, vec![(500.0, 90.0)]);
    }

    /// A sale whose figures add up, with every order answered, passes.
    #[test]
    fn balanced_sale_passes() {
        let (ok, text) = check_invariant(&sale(200, 200, 0), &tally(200, 0), 1);
        assert!(ok, "{text}");
        assert!(
            text.contains("confirmed 200 + remaining 0 = allocated 200"),
            "{text}"
        );
    }

    /// More units confirmed to buyers than the sale allocated is an oversell, even when the
    /// sale's own figures add up.
    #[test]
    fn oversell_fails() {
        let (ok, text) = check_invariant(&sale(200, 200, 0), &tally(201, 0), 1);
        assert!(!ok);
        assert!(text.contains("OVERSELL"), "{text}");
    }

    /// Sold plus remaining that is not the allocation fails.
    #[test]
    fn units_that_do_not_add_up_fail() {
        let (ok, text) = check_invariant(&sale(200, 150, 60), &tally(150, 0), 1);
        assert!(!ok);
        assert!(text.contains("!= allocated 200"), "{text}");
    }

    /// An order the buyer was told is confirmed but the sale does not count is a failure.
    #[test]
    fn acknowledged_order_missing_from_the_sale_fails() {
        let (ok, text) = check_invariant(&sale(200, 99, 101), &tally(100, 0), 1);
        assert!(!ok);
        assert!(
            text.contains("confirmed to buyers but the sale counts 99"),
            "{text}"
        );
    }

    /// Orders whose answers were lost may have been confirmed: sold may exceed what buyers were
    /// told by at most that many units.
    #[test]
    fn unanswered_orders_bound_the_difference() {
        let (ok, text) = check_invariant(&sale(200, 102, 98), &tally(100, 2), 1);
        assert!(ok, "{text}");
        let (ok, _) = check_invariant(&sale(200, 103, 97), &tally(100, 2), 1);
        assert!(!ok);
    }
}
