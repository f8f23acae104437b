//! The fan-out scenario (`silkstream-loadgen fanout`): one live session watched by V viewers
//! (guest buyers in mixed locales) and its host, while real orders arrive over HTTP at rising
//! rates. Each step measures deliveries/s offered and delivered and order-to-viewer latency
//! (the order's send time to the moment a viewer reads its `order_confirmed` event). The same
//! client then drives the two baselines, which broadcast what a publisher socket sends them:
//! the bare tokio-tungstenite server (`src/bin/bare-broadcast.rs`) and Node's `ws`
//! (`bench/node-ws/server.js`), with messages the size of Silkstream's buyer event.
//!
//! Matching events to orders: a buyer's `order_confirmed` carries the session's `seq` but no
//! order id (docs/feed.md); the host's carries both. So the sender keeps each order's id (from
//! the HTTP answer) with its send time, the host feed maps order id → seq, and viewers record
//! (seq, arrival); the three are joined after each step. Baseline messages carry their own key
//! in `seq`. A step's deliveries are collected `--drain-secs` (≥ 1 s) after its last send, so
//! anything still missing then was late anyway: the share within 1 s counts against every
//! delivery offered (orders sent × viewers connected), the percentiles are of those that arrived.
//! Then the client waits until late deliveries stop arriving (at most 30 s), so one step's
//! backlog does not spill into the next. Sustained rate: the highest step with ≥ 99.9% of its
//! offered deliveries within 1 s. Client (and, given their pids, servers') CPU per step comes
//! from `/proc/<pid>/stat`.
//!
//! Several instances of one deployment (`--viewer-server`, one or more): orders still go to
//! `--server` (instance A), and each viewer count is measured twice in the same run, viewers on
//! A itself (`silkstream`) and viewers spread over the viewer servers (`silkstream-cross`,
//! viewer `i` on `viewer_servers[i mod n]`), whom A's commits reach through Redis. The host
//! feed that maps order ids to seqs stays on A. The results then go under `fanout-cluster`,
//! with a table of p50/p99 at rest (the lowest step) and at 100/s for both.
//!
//! Client sockets are spread over loopback source addresses (127.0.0.2, 127.0.0.3…), each bound
//! before it connects: one address has ~28,000 ephemeral ports.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::report::{Latency, Line, Report, Series, Table};

/// Where the servers are; shared by `fanout` and `idle`.
#[derive(Debug, Clone, clap::Args)]
pub struct Targets {
    /// Silkstream's base URL (the global `--server`); `--baselines-only` leaves it out.
    #[arg(skip)]
    pub server: Option<String>,
    /// An admin token of that server (the global `--admin-token`).
    #[arg(skip)]
    pub admin_token: Option<String>,
    /// Silkstream's process id (the global `--server-pid`): its CPU use per step, its memory
    /// in `idle`.
    #[arg(skip)]
    pub server_pid: Option<u32>,
    /// Measure only the baselines (no Silkstream server).
    #[arg(long)]
    pub baselines_only: bool,
    /// The bare tokio-tungstenite broadcast server (`ws://127.0.0.1:18081`).
    #[arg(long)]
    pub bare: Option<String>,
    #[arg(long)]
    pub bare_pid: Option<u32>,
    /// The Node `ws` broadcast server (`ws://127.0.0.1:18082`).
    #[arg(long)]
    pub node: Option<String>,
    #[arg(long)]
    pub node_pid: Option<u32>,
    /// Loopback source addresses to spread client sockets over (127.0.0.2 onwards).
    #[arg(long, default_value_t = 8)]
    pub source_addrs: u8,
    /// WebSocket handshakes in flight at once while opening connections.
    #[arg(long, default_value_t = 128)]
    pub connect_concurrency: usize,
}

impl Targets {
    /// Takes the server, its admin token and its pid from the options every scenario shares.
    pub fn take_common(&mut self, common: &crate::Common) {
        if !self.baselines_only {
            self.server = Some(common.server().to_owned());
            self.admin_token = common.admin_token.clone();
            self.server_pid = common.server_pid();
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub targets: Targets,
    /// Viewer counts, one run per count and server.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    pub viewers: Vec<usize>,
    /// Order (or publish) rates per second, one step each.
    #[arg(long, value_delimiter = ',', default_value = "1,5,20,50,100,200")]
    pub steps: Vec<u32>,
    /// Seconds each step sends for.
    #[arg(long, default_value_t = 5)]
    pub step_secs: u64,
    /// Seconds after a step's last send before its deliveries are counted (at least 1).
    #[arg(long, default_value_t = 2)]
    pub drain_secs: u64,
    /// Baseline message size in bytes; by default the mean size of the buyer `order_confirmed`
    /// events Silkstream sent in this run (or 400 without Silkstream).
    #[arg(long)]
    pub message_bytes: Option<usize>,
    /// Other instances of the same deployment (base URLs; again, or a comma list) to spread
    /// the viewers over, while orders go to `--server`: each viewer count is then measured with
    /// viewers on `--server` and with viewers on these (results under `fanout-cluster`).
    #[arg(long = "viewer-server", value_delimiter = ',')]
    pub viewer_servers: Vec<String>,
    /// Their process ids, so that the servers' CPU column adds up every instance.
    #[arg(long = "viewer-server-pid", value_delimiter = ',')]
    pub viewer_server_pids: Vec<u32>,
    /// Chat messages per second the room's buyers write during every step, over HTTP: one
    /// Silkstream run per rate at each viewer count (0: none; a rate above 0 is the run
    /// `silkstream-chat`), so that the orders' answers with and without chat are measured in
    /// the same run (docs/live-room.md).
    #[arg(long, value_delimiter = ',', default_value = "0")]
    pub chat_rates: Vec<u32>,
}

impl Args {
    /// Viewers on other instances than the one orders go to.
    fn cross(&self) -> bool {
        !self.viewer_servers.is_empty()
    }
}

/// Locales the viewers read in (buyers in Kazakhstan: Kazakh, Russian, English, Chinese, Uzbek,
/// Kyrgyz), so that each event is encoded for several locales as in a real room.
const LOCALES: [&str; 6] = ["kk", "ru", "en", "zh-CN", "uz", "ky"];
const NAMES: [&str; 6] = ["Aigerim", "Дмитрий", "Madina", "王芳", "Bekzod", "Айжан"];
const CITIES: [&str; 4] = ["Almaty", "Astana", "Shymkent", "Karaganda"];

/// The longest wait for a step's late deliveries to stop arriving before the next step.
const SETTLE_MAX: Duration = Duration::from_secs(30);

/// A deliveries' share within 1 s at or above this makes a step sustained.
const SUSTAINED: f64 = 0.999;

type Ws = WebSocketStream<TcpStream>;

pub async fn run(args: Args) -> anyhow::Result<Report> {
    let t = &args.targets;
    if args.drain_secs < 1 {
        bail!("--drain-secs must be at least 1 (deliveries within 1 s are what is counted)");
    }
    if args.steps.is_empty() || args.steps.contains(&0) {
        bail!("--steps needs rates above zero");
    }
    let http = http_client()?;
    let live = match (&t.server, &t.admin_token) {
        (Some(base), Some(admin)) => {
            let max = args.viewers.iter().copied().max().unwrap_or(0);
            eprintln!("fanout: setting up a live session and {max} guest buyers on {base}");
            let live = LiveSession::set_up(&http, base, admin).await?;
            let buyers = live.sign_up(&http, max, 0).await?;
            Some((live, buyers))
        }
        (Some(_), None) => bail!("--server needs --admin-token (or SILKSTREAM_ADMIN_TOKEN)"),
        _ => None,
    };
    // Where the viewers are: on the server orders go to, and (given) on the other instances.
    let own = live.as_ref().map(|(l, _)| vec![l.base.clone()]);
    let mut placements: Vec<(&'static str, &[String])> = Vec::new();
    if let Some(own) = &own {
        placements.push(("silkstream", own));
        if args.cross() {
            placements.push(("silkstream-cross", &args.viewer_servers));
        }
    } else if args.cross() {
        bail!("--viewer-server needs --server (with --admin-token): orders go there");
    }
    let mut runs: Vec<Run> = Vec::new();
    let mut message_bytes = args.message_bytes;
    for &v in &args.viewers {
        if let Some((live, buyers)) = &live {
            for (name, bases) in &placements {
                for &chat in &args.chat_rates {
                    let name = if chat == 0 { name } else { &"silkstream-chat" };
                    let kind = Kind::Silkstream(name, live, &buyers[..v], bases);
                    let r = run_server(&args, kind, v, chat, &http).await?;
                    if message_bytes.is_none() && r.event_bytes > 0 {
                        message_bytes = Some(r.event_bytes);
                    }
                    runs.push(r);
                }
            }
        }
        let size = message_bytes.unwrap_or(400);
        if let Some(url) = &t.bare {
            runs.push(
                run_server(
                    &args,
                    Kind::Baseline("bare", url, size, t.bare_pid),
                    v,
                    0,
                    &http,
                )
                .await?,
            );
        }
        if let Some(url) = &t.node {
            runs.push(
                run_server(
                    &args,
                    Kind::Baseline("node", url, size, t.node_pid),
                    v,
                    0,
                    &http,
                )
                .await?,
            );
        }
    }
    if runs.is_empty() {
        bail!("nothing to drive: give --server (with --admin-token), --bare or --node");
    }
    Ok(report(&args, &runs, message_bytes))
}

/// One server driven at one viewer count: its steps.
struct Run {
    server: &'static str,
    /// Instances the viewers were spread over.
    instances: usize,
    viewers: usize,
    /// Chat messages per second written during each step.
    chat_rate: u32,
    steps: Vec<Step>,
    /// Mean size of the buyer `order_confirmed` texts seen (Silkstream), else 0.
    event_bytes: usize,
    connect_secs: f64,
}

struct Step {
    rate: u32,
    attempted: u64,
    failed: u64,
    offered: u64,
    delivered: u64,
    within_1s: u64,
    latency: Latency,
    client_cpu: f64,
    server_cpu: Option<f64>,
    /// Every process of the machine (the database and Redis included), in cores.
    machine_cpu: Option<f64>,
    viewers_lost: usize,
    /// Order events received that match no order of this step (an earlier step's, late).
    unmatched: u64,
    /// Order events that arrived after the step's count, while waiting for the next step.
    late: u64,
    /// Orders of this step whose event the host feed showed (Silkstream) or publishes sent.
    matched_orders: usize,
    /// How long the orders took to be answered (request to 201; Silkstream).
    ack: Latency,
    /// The chat written during the step (a run with a chat rate).
    chat: Option<ChatStep>,
}

/// What the chat of one step came to.
struct ChatStep {
    sent: u64,
    failed: u64,
    /// Posting a message: request to 201.
    ack: Latency,
    /// Messages × viewers connected.
    offered: u64,
    delivered: u64,
    within_1s: u64,
    /// A message's post to each viewer reading it.
    latency: Latency,
}

impl Step {
    fn share_within(&self) -> f64 {
        if self.offered == 0 {
            0.0
        } else {
            self.within_1s as f64 / self.offered as f64
        }
    }
}

enum Kind<'a> {
    /// Name, the session orders go to, its viewers, the instances the viewers are spread over.
    Silkstream(&'static str, &'a LiveSession, &'a [Buyer], &'a [String]),
    /// Name, URL, message size, pid.
    Baseline(&'static str, &'a str, usize, Option<u32>),
}

/// What viewers record: (key, arrival in µs since the run's epoch), in shards to keep locks
/// short.
struct Deliveries {
    shards: Vec<Mutex<Vec<(u32, u32)>>>,
    /// Chat messages read: each one's post-to-read time in µs.
    chat: Vec<Mutex<Vec<u32>>>,
    lost: AtomicUsize,
    sizes: AtomicU64,
    sized: AtomicU64,
}

impl Deliveries {
    fn new() -> Self {
        Self {
            shards: (0..64).map(|_| Mutex::new(Vec::new())).collect(),
            chat: (0..64).map(|_| Mutex::new(Vec::new())).collect(),
            lost: AtomicUsize::new(0),
            sizes: AtomicU64::new(0),
            sized: AtomicU64::new(0),
        }
    }

    fn take(&self) -> Vec<(u32, u32)> {
        let mut all = Vec::new();
        for s in &self.shards {
            let mut g = s.lock().unwrap_or_else(|p| p.into_inner());
            all.append(&mut g);
        }
        all
    }

    fn take_chat(&self) -> Vec<u32> {
        let mut all = Vec::new();
        for s in &self.chat {
            let mut g = s.lock().unwrap_or_else(|p| p.into_inner());
            all.append(&mut g);
        }
        all
    }
}

fn micros_since(epoch: Instant) -> u32 {
    u32::try_from(epoch.elapsed().as_micros()).unwrap_or(u32::MAX)
}

async fn run_server(
    args: &Args,
    kind: Kind<'_>,
    viewers: usize,
    chat_rate: u32,
    http: &reqwest::Client,
) -> anyhow::Result<Run> {
    let t = &args.targets;
    // Every instance's CPU, added up.
    let (name, pids): (&'static str, Vec<u32>) = match &kind {
        Kind::Silkstream(name, ..) => (
            name,
            t.server_pid
                .into_iter()
                .chain(args.viewer_server_pids.iter().copied())
                .collect(),
        ),
        Kind::Baseline(name, _, _, pid) => (*name, pid.iter().copied().collect()),
    };
    eprintln!("fanout: {name}, opening {viewers} viewers");
    let epoch = Instant::now();
    let deliveries = Arc::new(Deliveries::new());
    let (stop_tx, stop_rx) = watch::channel(false);
    let sources = source_addrs(t.source_addrs);
    let gate = Arc::new(Semaphore::new(t.connect_concurrency.max(1)));
    // Each viewer reads from the moment it is open (answering pings: opening 10,000 takes a
    // while, and a silent socket is closed after the server's idle timeout).
    let (opened_tx, mut opened_rx) = tokio::sync::mpsc::unbounded_channel::<anyhow::Result<()>>();
    let mut readers = tokio::task::JoinSet::new();
    for i in 0..viewers {
        let (url, token, first_message) = match &kind {
            Kind::Silkstream(_, live, buyers, bases) => {
                let b = &buyers[i];
                let base = &bases[i % bases.len()];
                (
                    live.feed_url_at(base, Some(b.locale)),
                    Some(b.token.clone()),
                    true,
                )
            }
            Kind::Baseline(_, url, _, _) => {
                (format!("{}/", url.trim_end_matches('/')), None, false)
            }
        };
        let src = sources[i % sources.len()];
        let (gate, opened, d, stop) = (
            gate.clone(),
            opened_tx.clone(),
            deliveries.clone(),
            stop_rx.clone(),
        );
        readers.spawn(async move {
            let permit = gate.acquire_owned().await;
            let ws = open_viewer(&url, token.as_deref(), src, first_message).await;
            drop(permit);
            match ws {
                Ok(ws) => {
                    let _ = opened.send(Ok(()));
                    read_viewer(ws, d, i, epoch, stop).await;
                }
                Err(e) => {
                    let _ = opened.send(Err(e));
                }
            }
        });
    }
    for _ in 0..viewers {
        opened_rx
            .recv()
            .await
            .ok_or_else(|| anyhow!("viewer tasks ended early"))??;
    }
    let connect_secs = epoch.elapsed().as_secs_f64();
    eprintln!(
        "fanout: {name}, {viewers} viewers open in {connect_secs:.1} s ({} lost meanwhile)",
        deliveries.lost.load(Ordering::Relaxed)
    );

    // The host feed (Silkstream): order id → seq.
    let host_map: Arc<Mutex<HashMap<i64, u32>>> = Arc::default();
    if let Kind::Silkstream(_, live, ..) = &kind {
        let url = live.feed_url(None);
        let ws = open_viewer(&url, Some(&live.host), sources[0], true).await?;
        readers.spawn(read_host(
            ws,
            url,
            live.host.clone(),
            sources[0],
            host_map.clone(),
            stop_rx.clone(),
        ));
    }
    let mut publisher = match &kind {
        Kind::Baseline(_, url, _, _) => {
            let url = format!("{}/publish", url.trim_end_matches('/'));
            Some(open_viewer(&url, None, sources[0], false).await?)
        }
        Kind::Silkstream(..) => None,
    };

    let mut steps = Vec::new();
    let mut next_key: u32 = 0;
    let mut order_no: u64 = 0;
    for &rate in &args.steps {
        let connected = viewers - deliveries.lost.load(Ordering::Relaxed);
        let lost_before = deliveries.lost.load(Ordering::Relaxed);
        let cpu0 = cpu_ticks(None);
        let server_cpu0 = cpu_ticks_of(&pids);
        let machine0 = crate::cpu::machine_busy_seconds();
        let start = Instant::now();
        let total = u64::from(rate) * args.step_secs;
        let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        // key → send time (µs since epoch), known at once for baselines, after the join for
        // Silkstream.
        let mut sent: HashMap<u32, u32> = HashMap::new();
        // (order id, send time, answer time), µs since epoch.
        let orders: Arc<Mutex<Vec<(i64, u32, u32)>>> = Arc::default();
        let failed = Arc::new(AtomicU64::new(0));
        let mut in_flight = tokio::task::JoinSet::new();
        let chat_sender = match &kind {
            Kind::Silkstream(_, live, buyers, _) if chat_rate > 0 => {
                Some(tokio::spawn(send_chat(ChatLoad {
                    http: http.clone(),
                    url: format!("{}/api/v1/sessions/{}/chat", live.base, live.session_id),
                    tokens: buyers.iter().map(|b| b.token.clone()).collect(),
                    rate: chat_rate,
                    count: u64::from(chat_rate) * args.step_secs,
                    key: format!("lg-{}-{viewers}-{rate}", live.run_tag),
                    epoch,
                    drain: Duration::from_secs(args.drain_secs),
                })))
            }
            _ => None,
        };
        for _ in 0..total {
            ticker.tick().await;
            match &kind {
                Kind::Silkstream(_, live, buyers, _) => {
                    let buyer = &buyers[(order_no as usize) % buyers.len()];
                    // Unique across the viewer counts and placements of one run (they share
                    // the session and its buyers; a key reused would be answered as a replay,
                    // 200).
                    let key = format!("lg-{}-{name}-{viewers}-{order_no}", live.run_tag);
                    order_no += 1;
                    let (http, live_url, token) =
                        (http.clone(), live.orders_url(), buyer.token.clone());
                    let body = live.order_body();
                    let (orders, failed) = (orders.clone(), failed.clone());
                    // The send time is the tick's, so a busy client does not shorten latencies.
                    let at = micros_since(epoch);
                    in_flight.spawn(async move {
                        match place_order(&http, &live_url, &token, &key, &body).await {
                            Ok(id) => {
                                let acked = micros_since(epoch);
                                orders
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .push((id, at, acked))
                            }
                            Err(e) => {
                                if failed.fetch_add(1, Ordering::Relaxed) == 0 {
                                    eprintln!("fanout: an order failed: {e:#}");
                                }
                            }
                        }
                    });
                }
                Kind::Baseline(_, _, size, _) => {
                    let key = next_key;
                    next_key += 1;
                    let at = micros_since(epoch);
                    let ws = publisher.as_mut().ok_or_else(|| anyhow!("no publisher"))?;
                    ws.send(Message::text(baseline_message(key, *size)))
                        .await
                        .context("publishing to the baseline")?;
                    sent.insert(key, at);
                }
            }
        }
        let send_secs = start.elapsed().as_secs_f64();
        let drain_until = Instant::now() + Duration::from_secs(args.drain_secs);
        while tokio::time::timeout_at(drain_until.into(), in_flight.join_next())
            .await
            .ok()
            .flatten()
            .is_some()
        {}
        in_flight.abort_all();
        tokio::time::sleep_until(drain_until.into()).await;
        let chat_sent = match chat_sender {
            Some(task) => Some(task.await.context("the chat sender")?),
            None => None,
        };
        let cpu1 = cpu_ticks(None);
        let server_cpu1 = cpu_ticks_of(&pids);
        let machine1 = crate::cpu::machine_busy_seconds();
        let wall = start.elapsed().as_secs_f64();
        // Orders still unanswered at the end of the drain count as failed.
        let answered = orders.lock().unwrap_or_else(|p| p.into_inner()).len() as u64;
        let failed = match kind {
            Kind::Silkstream(..) => total - answered,
            Kind::Baseline(..) => failed.load(Ordering::Relaxed),
        };
        // How long the orders themselves took to be answered (request to 201): the part of
        // an order-to-viewer latency that is the order's own path, not the delivery.
        let mut ack = Latency::new();
        if matches!(kind, Kind::Silkstream(..)) {
            let map = host_map.lock().unwrap_or_else(|p| p.into_inner());
            for (id, at, acked) in orders.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                ack.record(Duration::from_micros(u64::from(acked.saturating_sub(*at))));
                if let Some(seq) = map.get(id) {
                    sent.insert(*seq, *at);
                }
            }
        }
        let mut latency = Latency::new();
        let (mut delivered, mut within_1s) = (0u64, 0u64);
        let taken = deliveries.take();
        let received = taken.len() as u64;
        for (key, at) in taken {
            if let Some(s) = sent.get(&key) {
                let d = Duration::from_micros(u64::from(at.saturating_sub(*s)));
                latency.record(d);
                delivered += 1;
                if d <= Duration::from_secs(1) {
                    within_1s += 1;
                }
            }
        }
        // Deliveries whose key names no order sent in this step (an order whose answer was
        // lost, or an event of an earlier step that arrived late).
        let unmatched = received - delivered;
        let chat_read = deliveries.take_chat();
        let chat = chat_sent.map(|(sent, failed, ack)| {
            let mut latency = Latency::new();
            let mut within_1s = 0;
            for us in &chat_read {
                latency.record(Duration::from_micros(u64::from(*us)));
                if *us <= 1_000_000 {
                    within_1s += 1;
                }
            }
            ChatStep {
                sent,
                failed,
                ack,
                offered: sent * connected as u64,
                delivered: chat_read.len() as u64,
                within_1s,
                latency,
            }
        });
        // Let what is still in flight arrive (and be discarded) before the next step, so that
        // one step's backlog does not count against the next: until every offered delivery
        // came, or nothing came for 2 s, or 30 s passed.
        let settle_until = Instant::now() + SETTLE_MAX;
        let missing = (total * connected as u64).saturating_sub(delivered);
        let (mut late, mut quiet) = (0u64, 0u32);
        while late < missing && quiet < 4 && Instant::now() < settle_until {
            tokio::time::sleep(Duration::from_millis(500)).await;
            deliveries.take_chat();
            let more = deliveries.take().len() as u64;
            late += more;
            quiet = if more == 0 { quiet + 1 } else { 0 };
        }
        let step = Step {
            late,
            unmatched,
            matched_orders: sent.len(),
            rate,
            attempted: total,
            failed,
            offered: total * connected as u64,
            delivered,
            within_1s,
            latency,
            client_cpu: cpu_share(cpu0, cpu1, wall),
            server_cpu: match (server_cpu0, server_cpu1) {
                (Some(a), Some(b)) => Some(cpu_share(Some(a), Some(b), wall)),
                _ => None,
            },
            machine_cpu: match (machine0, machine1) {
                (Some(a), Some(b)) if wall > 0.0 => Some((b - a).max(0.0) / wall),
                _ => None,
            },
            viewers_lost: deliveries.lost.load(Ordering::Relaxed) - lost_before,
            ack,
            chat,
        };
        eprintln!(
            "fanout: {name} v={viewers} {rate}/s: sent in {send_secs:.1} s, {} orders matched, delivered {}/{} ({:.3}% within 1 s; {} unmatched, {} after the count), p50 {:.1} ms, p99 {:.1} ms, client CPU {:.0}%{}",
            step.matched_orders,
            step.delivered,
            step.offered,
            step.share_within() * 100.0,
            step.unmatched,
            step.late,
            step.latency.ms(0.5),
            step.latency.ms(0.99),
            step.client_cpu * 100.0,
            if step.ack.count() > 0 {
                format!(
                    "; order answered p50 {:.1} ms, p99 {:.1} ms",
                    step.ack.ms(0.5),
                    step.ack.ms(0.99)
                )
            } else {
                String::new()
            }
        );
        if let Some(c) = &step.chat {
            eprintln!(
                "fanout: {name} v={viewers} {rate}/s: chat {}/{} posted (p99 {:.1} ms), read {}/{} ({:.3}% within 1 s), p50 {:.1} ms, p99 {:.1} ms",
                c.sent,
                c.sent + c.failed,
                c.ack.ms(0.99),
                c.delivered,
                c.offered,
                if c.offered == 0 { 0.0 } else { c.within_1s as f64 * 100.0 / c.offered as f64 },
                c.latency.ms(0.5),
                c.latency.ms(0.99),
            );
        }
        steps.push(step);
    }
    let _ = stop_tx.send(true);
    if let Some(mut ws) = publisher {
        let _ = ws.close(None).await;
    }
    while readers.join_next().await.is_some() {}
    let sized = deliveries.sized.load(Ordering::Relaxed);
    let event_bytes = deliveries
        .sizes
        .load(Ordering::Relaxed)
        .checked_div(sized)
        .unwrap_or(0) as usize;
    Ok(Run {
        server: name,
        instances: match &kind {
            Kind::Silkstream(_, _, _, bases) => bases.len(),
            Kind::Baseline(..) => 1,
        },
        viewers,
        chat_rate,
        steps,
        event_bytes,
        connect_secs,
    })
}

/// What the chat sender of one step needs.
struct ChatLoad {
    http: reqwest::Client,
    url: String,
    /// The room's buyers, who write in turn.
    tokens: Vec<String>,
    rate: u32,
    count: u64,
    /// What makes this step's keys unique.
    key: String,
    epoch: Instant,
    drain: Duration,
}

/// Writes `count` messages at `rate` a second, each buyer in turn; each text starts with its
/// send time (`t=` and the µs since the epoch in [`letters`]), which viewers read back. Returns messages posted,
/// failed, and the posts' answer times; a post unanswered `drain` after the last send counts
/// as failed.
async fn send_chat(load: ChatLoad) -> (u64, u64, Latency) {
    let posted: Arc<Mutex<Latency>> = Arc::new(Mutex::new(Latency::new()));
    let failed = Arc::new(AtomicU64::new(0));
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(load.rate)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut in_flight = tokio::task::JoinSet::new();
    for n in 0..load.count {
        ticker.tick().await;
        let at = micros_since(load.epoch);
        let token = load.tokens[(n as usize) % load.tokens.len().max(1)].clone();
        let body = json!({"client_message_id": format!("{}-{n}", load.key),
                          "text": format!("t={} Какой размер? Есть доставка в Алматы?", letters(at))});
        let (http, url, posted, failed) = (
            load.http.clone(),
            load.url.clone(),
            posted.clone(),
            failed.clone(),
        );
        in_flight.spawn(async move {
            let sent = Instant::now();
            let ok = match http.post(&url).bearer_auth(&token).json(&body).send().await {
                Ok(resp) => resp.status().as_u16() == 201,
                Err(_) => false,
            };
            if ok {
                posted
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .record(sent.elapsed());
            } else if failed.fetch_add(1, Ordering::Relaxed) == 0 {
                eprintln!("fanout: a chat message failed");
            }
        });
    }
    let until = Instant::now() + load.drain;
    while tokio::time::timeout_at(until.into(), in_flight.join_next())
        .await
        .ok()
        .flatten()
        .is_some()
    {}
    in_flight.abort_all();
    let ack = std::mem::take(&mut *posted.lock().unwrap_or_else(|p| p.into_inner()));
    let ok = ack.count();
    (ok, load.count - ok, ack)
}

/// A number written in the letters a–z (base 26, most significant first): a send time in a
/// chat message must not look like a phone number, which the server holds back for a
/// moderator (docs/live-room.md).
fn letters(mut n: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (n % 26) as u8);
        n /= 26;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The send times the chat messages of a text start with (`t=` and [`letters`]): one for a
/// `chat_message`, one per message of a `batch` (a big room's chat, docs/feed.md), none for
/// anything else; without parsing the events.
fn chat_sent_times(text: &str) -> Vec<u32> {
    let head = &text[..text.len().min(64)];
    if !head.contains("\"chat_message\"") && !head.contains("\"batch\"") {
        return Vec::new();
    }
    const MARK: &str = "\"text\":\"t=";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        rest = &rest[at + MARK.len()..];
        let end = rest
            .find(|c: char| !c.is_ascii_lowercase())
            .unwrap_or(rest.len());
        let t = rest[..end].bytes().try_fold(0u32, |n, b| {
            n.checked_mul(26)?.checked_add(u32::from(b - b'a'))
        });
        if let (Some(t), false) = (t, end == 0) {
            out.push(t);
        }
    }
    out
}

/// A baseline's message: Silkstream's shape (`type`, `seq`) padded to `size` bytes.
fn baseline_message(key: u32, size: usize) -> String {
    let mut m = format!("{{\"type\":\"order_confirmed\",\"seq\":{key},\"pad\":\"");
    let fill = size.saturating_sub(m.len() + 2);
    m.extend(std::iter::repeat_n('x', fill));
    m.push_str("\"}");
    m
}

/// The `seq` of an `order_confirmed` text, without parsing the whole event.
fn order_seq(text: &str) -> Option<u32> {
    let head = &text[..text.len().min(64)];
    if !head.contains("\"order_confirmed\"") {
        return None;
    }
    let at = text.find("\"seq\":")? + 6;
    let digits: &str = text[at..].trim_start();
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

async fn read_viewer(
    mut ws: Ws,
    d: Arc<Deliveries>,
    index: usize,
    epoch: Instant,
    mut stop: watch::Receiver<bool>,
) {
    let shard = &d.shards[index % d.shards.len()];
    loop {
        tokio::select! {
            msg = ws.next() => match msg {
                Some(Ok(Message::Text(text))) => {
                    let at = micros_since(epoch);
                    let chat = chat_sent_times(&text);
                    if !chat.is_empty() {
                        d.chat[index % d.chat.len()]
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .extend(chat.into_iter().map(|sent| at.saturating_sub(sent)));
                    } else if let Some(seq) = order_seq(&text) {
                        shard.lock().unwrap_or_else(|p| p.into_inner()).push((seq, at));
                        if index < 32 {
                            d.sizes.fetch_add(text.len() as u64, Ordering::Relaxed);
                            d.sized.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    if !*stop.borrow() {
                        d.lost.fetch_add(1, Ordering::Relaxed);
                    }
                    return;
                }
                Some(Ok(_)) => {}
            },
            _ = stop.changed() => {
                let _ = ws.close(None).await;
                return;
            }
        }
    }
}

/// Reads the host's feed: order id → seq. A host feed that falls behind (1013) or drops is
/// reopened with `since`, as the console does, so that the map stays whole.
async fn read_host(
    mut ws: Ws,
    url: String,
    token: String,
    src: IpAddr,
    map: Arc<Mutex<HashMap<i64, u32>>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut last_seq: Option<u64> = None;
    loop {
        tokio::select! {
            msg = ws.next() => match msg {
                Some(Ok(Message::Text(text))) => {
                    let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                    if v["type"] != "snapshot" {
                        if let Some(seq) = v["seq"].as_u64() {
                            last_seq = Some(seq);
                        }
                    }
                    if v["type"] == "order_confirmed" {
                        if let (Some(id), Some(seq)) = (v["order_id"].as_i64(), v["seq"].as_u64()) {
                            let seq = u32::try_from(seq).unwrap_or(u32::MAX);
                            map.lock().unwrap_or_else(|p| p.into_inner()).insert(id, seq);
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    let resume = match last_seq {
                        Some(seq) => format!("{url}?since={seq}"),
                        None => url.clone(),
                    };
                    eprintln!("fanout: the host feed closed; reopening it");
                    match open_viewer(&resume, Some(&token), src, true).await {
                        Ok(again) => ws = again,
                        Err(e) => {
                            eprintln!("fanout: the host feed cannot reopen: {e:#}");
                            return;
                        }
                    }
                }
                Some(Ok(_)) => {}
            },
            _ = stop.changed() => {
                let _ = ws.close(None).await;
                return;
            }
        }
    }
}

/// 127.0.0.2 … 127.0.0.(n+1).
pub(crate) fn source_addrs(n: u8) -> Vec<IpAddr> {
    (0..n.max(1))
        .map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + i.min(250))))
        .collect()
}

/// A WebSocket client with small buffers (the client must not be the bound on memory).
fn client_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0)
}

/// Opens a WebSocket to `url` from `src` (bound before connecting), with `token` as a bearer;
/// when `first_message`, waits for the server's first message (Silkstream's snapshot: the
/// connection is subscribed from then on).
pub(crate) async fn open_viewer(
    url: &str,
    token: Option<&str>,
    src: IpAddr,
    first_message: bool,
) -> anyhow::Result<Ws> {
    // A server out of file descriptors leaves connections in its backlog, unanswered.
    tokio::time::timeout(
        OPEN_TIMEOUT,
        open_viewer_now(url, token, src, first_message),
    )
    .await
    .map_err(|_| {
        anyhow!(
            "no WebSocket from {url} within {} s",
            OPEN_TIMEOUT.as_secs()
        )
    })?
}

const OPEN_TIMEOUT: Duration = Duration::from_secs(30);

async fn open_viewer_now(
    url: &str,
    token: Option<&str>,
    src: IpAddr,
    first_message: bool,
) -> anyhow::Result<Ws> {
    let mut request = url.into_client_request().context("feed URL")?;
    if let Some(token) = token {
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}")).context("token")?,
        );
    }
    let host = request
        .uri()
        .host()
        .ok_or_else(|| anyhow!("no host in {url}"))?;
    let port = request.uri().port_u16().unwrap_or(80);
    let dest: SocketAddr = tokio::net::lookup_host((host, port))
        .await?
        .find(|a| a.is_ipv4())
        .ok_or_else(|| anyhow!("{host} has no IPv4 address"))?;
    let socket = TcpSocket::new_v4().context("socket (open-file limit?)")?;
    socket
        .bind(SocketAddr::new(src, 0))
        .with_context(|| format!("binding {src}"))?;
    let stream = socket
        .connect(dest)
        .await
        .with_context(|| format!("connecting {src} → {dest}"))?;
    stream.set_nodelay(true)?;
    let (mut ws, _) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(client_config()))
            .await
            .with_context(|| format!("WebSocket handshake with {url}"))?;
    if first_message {
        match ws.next().await {
            Some(Ok(Message::Text(_))) => {}
            other => bail!("expected a snapshot from {url}, got {other:?}"),
        }
    }
    Ok(ws)
}

pub(crate) fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(512)
        .build()?)
}

/// A guest buyer: token and locale.
#[derive(Debug, Clone)]
pub(crate) struct Buyer {
    pub token: String,
    pub locale: &'static str,
}

/// A live session set up through the API: a product in its own warehouse with plenty of stock,
/// a verified host, the session started with the product pinned.
pub(crate) struct LiveSession {
    pub base: String,
    pub host: String,
    pub session_id: i64,
    pub variant_id: i64,
    /// Makes this run's idempotency keys, SKU and codes unique on a reused database.
    pub run_tag: String,
}

impl LiveSession {
    pub(crate) async fn set_up(
        http: &reqwest::Client,
        base: &str,
        admin: &str,
    ) -> anyhow::Result<Self> {
        let base = base.trim_end_matches('/').to_owned();
        let api = format!("{base}/api/v1");
        let run_tag = format!(
            "{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0)
        );
        let call = |method: reqwest::Method, path: String, token: Option<String>, body: Value| {
            let http = http.clone();
            let url = format!("{api}{path}");
            async move {
                let mut req = http.request(method, &url).json(&body);
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                let resp = req.send().await.with_context(|| url.clone())?;
                let status = resp.status().as_u16();
                let body: Value = resp.json().await.unwrap_or(Value::Null);
                anyhow::Ok((status, body))
            }
        };
        let admin_t = Some(admin.to_owned());
        use reqwest::Method;
        let expect = |what: &str, (status, body): (u16, Value), ok: &[u16]| {
            if ok.contains(&status) {
                Ok(body)
            } else {
                Err(anyhow!("{what}: {status} {body}"))
            }
        };
        let warehouse =
            format!("LG-{}", &run_tag[run_tag.len().saturating_sub(6)..]).to_uppercase();
        expect(
            "warehouse",
            call(Method::POST, "/warehouses".into(), admin_t.clone(),
                json!({"code": warehouse, "name": "Load test border warehouse", "country": "CN", "kind": "border"})).await?,
            &[201],
        )?;
        // Keep whatever the KZ market already has (a demo database), adding the warehouse.
        let (status, market) = call(
            Method::GET,
            "/markets/KZ".into(),
            admin_t.clone(),
            Value::Null,
        )
        .await?;
        let mut warehouses = vec![Value::from(warehouse.clone())];
        let (mut currencies, mut locales) = (vec![json!("KZT")], vec![json!("kk"), json!("ru")]);
        if status == 200 {
            warehouses.extend(market["warehouses"].as_array().cloned().unwrap_or_default());
            currencies = market["currencies"]
                .as_array()
                .cloned()
                .unwrap_or(currencies);
            locales = market["locales"].as_array().cloned().unwrap_or(locales);
        }
        expect(
            "market KZ",
            call(Method::PUT, "/markets/KZ".into(), admin_t.clone(),
                json!({"name": "Kazakhstan", "currencies": currencies, "locales": locales, "warehouses": warehouses})).await?,
            &[200, 201],
        )?;
        // A rate may already be there (a demo database): any answer but a server error will do.
        let (status, body) = call(
            Method::POST,
            "/rates".into(),
            admin_t.clone(),
            json!({"currency": "KZT", "rate": "0.0142", "valid_from": "2026-01-01"}),
        )
        .await?;
        if status >= 500 {
            bail!("rate: {status} {body}");
        }
        let product = expect(
            "product",
            call(Method::POST, "/products".into(), admin_t.clone(), json!({
                "merchant": "Erenhot Cashmere Co.", "category": "textiles.cashmere", "hs_code": "610910",
                "origin_country": "MN", "weight_g": 250, "customs_mode": "9610", "source_locale": "en",
                "title": "Cashmere scarf", "description": "Pure Mongolian cashmere, 180 x 30 cm.",
                "attributes": {"material": "100% cashmere"},
                "variants": [{"sku": format!("LG-SCARF-{run_tag}").to_uppercase(), "options": {"colour": "grey"},
                              "prices": {"CNY": 3990, "KZT": 150000}}]
            })).await?,
            &[201],
        )?;
        let product_id = product["id"]
            .as_i64()
            .ok_or_else(|| anyhow!("product id in {product}"))?;
        let variant_id = product["variants"][0]["id"]
            .as_i64()
            .ok_or_else(|| anyhow!("variant id in {product}"))?;
        expect(
            "stock",
            call(
                Method::PUT,
                format!("/variants/{variant_id}/stock/{warehouse}"),
                admin_t.clone(),
                json!({"available": 100_000_000}),
            )
            .await?,
            &[200],
        )?;
        let host = expect(
            "host token",
            call(
                Method::POST,
                "/tokens".into(),
                admin_t.clone(),
                json!({"name": format!("loadgen host {run_tag}"), "role": "host"}),
            )
            .await?,
            &[201],
        )?;
        let host_token = host["token"]
            .as_str()
            .ok_or_else(|| anyhow!("host token"))?
            .to_owned();
        let host_id = host["id"].as_i64().ok_or_else(|| anyhow!("host id"))?;
        let host_t = Some(host_token.clone());
        expect(
            "host profile",
            call(
                Method::PUT,
                "/hosts/me/profile".into(),
                host_t.clone(),
                json!({"legal_name": "Load Test Host", "birth_date": "1990-05-17"}),
            )
            .await?,
            &[200],
        )?;
        expect(
            "host verify",
            call(
                Method::POST,
                format!("/hosts/{host_id}/verify"),
                admin_t.clone(),
                json!({}),
            )
            .await?,
            &[200],
        )?;
        let session = expect(
            "session",
            call(
                Method::POST,
                "/sessions".into(),
                host_t.clone(),
                json!({"title": "Load test: cashmere night", "language": "ru", "markets": ["KZ"]}),
            )
            .await?,
            &[201],
        )?;
        let session_id = session["id"]
            .as_i64()
            .ok_or_else(|| anyhow!("session id"))?;
        for (what, path, body) in [
            ("showcase", "showcase", json!({"product_id": product_id})),
            ("start", "start", json!({})),
            ("pin", "pin", json!({"product_id": product_id})),
        ] {
            expect(
                what,
                call(
                    Method::POST,
                    format!("/sessions/{session_id}/{path}"),
                    host_t.clone(),
                    body,
                )
                .await?,
                &[200],
            )?;
        }
        Ok(Self {
            base,
            host: host_token,
            session_id,
            variant_id,
            run_tag,
        })
    }

    /// `count` guest buyers (`POST /api/v1/buyers`) in mixed locales, numbered from `first`.
    /// The server's sign-up limits must allow them (`SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE`,
    /// `SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE_TOTAL`).
    pub(crate) async fn sign_up(
        &self,
        http: &reqwest::Client,
        count: usize,
        first: usize,
    ) -> anyhow::Result<Vec<Buyer>> {
        let url = format!("{}/api/v1/buyers", self.base);
        let gate = Arc::new(Semaphore::new(32));
        let mut tasks = tokio::task::JoinSet::new();
        for i in first..first + count {
            let (http, url, gate) = (http.clone(), url.clone(), gate.clone());
            tasks.spawn(async move {
                let _permit = gate.acquire_owned().await?;
                let locale = LOCALES[i % LOCALES.len()];
                let body = json!({"display_name": format!("{} {i}", NAMES[i % NAMES.len()]),
                                  "country": "KZ", "city": CITIES[i % CITIES.len()], "locale": locale});
                let resp = http.post(&url).json(&body).send().await?;
                let status = resp.status();
                let body: Value = resp.json().await.unwrap_or(Value::Null);
                if status.as_u16() != 201 {
                    bail!("guest sign-up: {status} {body} (raise SILKSTREAM_BUYER_SIGNUPS_PER_MINUTE and _TOTAL)");
                }
                let token = body["token"].as_str().ok_or_else(|| anyhow!("token in {body}"))?;
                anyhow::Ok((i, Buyer { token: token.to_owned(), locale }))
            });
        }
        let mut buyers = Vec::with_capacity(count);
        while let Some(joined) = tasks.join_next().await {
            buyers.push(joined??);
        }
        buyers.sort_by_key(|(i, _)| *i);
        Ok(buyers.into_iter().map(|(_, b)| b).collect())
    }

    /// The session's feed URL, in `locale` when given.
    pub(crate) fn feed_url(&self, locale: Option<&str>) -> String {
        self.feed_url_at(&self.base, locale)
    }

    /// The session's feed URL on the instance at `base` (any instance of the deployment).
    pub(crate) fn feed_url_at(&self, base: &str, locale: Option<&str>) -> String {
        let ws = base.trim_end_matches('/').replacen("http", "ws", 1);
        match locale {
            Some(l) => format!("{ws}/api/v1/sessions/{}/feed?locale={l}", self.session_id),
            None => format!("{ws}/api/v1/sessions/{}/feed", self.session_id),
        }
    }

    fn orders_url(&self) -> String {
        format!("{}/api/v1/sessions/{}/orders", self.base, self.session_id)
    }

    fn order_body(&self) -> Value {
        json!({"variant_id": self.variant_id, "quantity": 1, "currency": "KZT",
               "ship_to": {"name": "Aigerim Bekova", "phone": "+7 701 555 0101", "country": "KZ",
                           "city": "Almaty", "address": "Abay Ave 10, apt 5", "postal_code": "050000"}})
    }
}

/// Places one order; its id.
async fn place_order(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> anyhow::Result<i64> {
    let resp = http
        .post(url)
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await?;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if status.as_u16() != 201 {
        bail!("order: {status} {body}");
    }
    body["order"]["id"]
        .as_i64()
        .ok_or_else(|| anyhow!("order id in {body}"))
}

/// The CPU ticks of several processes added up; `None` when one cannot be read, or none given.
fn cpu_ticks_of(pids: &[u32]) -> Option<u64> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().map(|p| cpu_ticks(Some(*p))).sum()
}

/// User + system CPU ticks (1/100 s, Linux's USER_HZ) of this process or of `pid`.
pub(crate) fn cpu_ticks(pid: Option<u32>) -> Option<u64> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which may hold spaces): state is the first, utime the
    // 12th, stime the 13th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// CPU used between two readings, as a share of one core.
fn cpu_share(a: Option<u64>, b: Option<u64>, wall_secs: f64) -> f64 {
    match (a, b) {
        (Some(a), Some(b)) if wall_secs > 0.0 => (b.saturating_sub(a)) as f64 / 100.0 / wall_secs,
        _ => 0.0,
    }
}

/// The highest rate whose step delivered at least 99.9% within 1 s.
fn sustained(run: &Run) -> Option<u32> {
    run.steps
        .iter()
        .filter(|s| s.share_within() >= SUSTAINED)
        .map(|s| s.rate)
        .max()
}

fn fmt_ratio(a: Option<u32>, b: Option<u32>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0 => format!("{:.2}×", f64::from(a) / f64::from(b)),
        (Some(_), None) => "∞ (baseline sustains no step)".into(),
        _ => "—".into(),
    }
}

/// The at-rest step (the lowest rate) and the 100/s step (the highest below it when the run has
/// none), for the cross-instance table.
fn rest_and_busy(steps: &[u32]) -> (Option<u32>, Option<u32>) {
    let rest = steps.iter().copied().min();
    let busy = steps
        .iter()
        .copied()
        .filter(|r| *r <= CROSS_BUSY_RATE)
        .max()
        .filter(|b| Some(*b) != rest);
    (rest, busy)
}

/// The issue's order rate and latency target for viewers on other instances.
const CROSS_BUSY_RATE: u32 = 100;
const CROSS_P99_TARGET_MS: f64 = 50.0;

/// Viewers on the order's instance beside viewers on the others: p50/p99 at rest and at
/// 100/s, against the target (p99 ≤ 50 ms).
fn cross_table(args: &Args, v: usize, here: &[&Run]) -> Table {
    let (rest, busy) = rest_and_busy(&args.steps);
    let mut rows = Vec::new();
    for r in here.iter().filter(|r| r.server.starts_with("silkstream")) {
        for (label, rate) in [("at rest", rest), ("busy", busy)] {
            let Some(s) = rate.and_then(|rate| r.steps.iter().find(|s| s.rate == rate)) else {
                continue;
            };
            let p99 = s.latency.ms(0.99);
            rows.push(vec![
                if r.server == "silkstream" {
                    "the order's instance (A)".to_owned()
                } else {
                    format!("{} other instance(s)", r.instances)
                },
                format!("{label}, {}/s", s.rate),
                format!("{:.1}", s.latency.ms(0.5)),
                format!("{p99:.1}"),
                format!("{:.3}", s.share_within() * 100.0),
                if s.latency.count() == 0 {
                    "—".into()
                } else if p99 <= CROSS_P99_TARGET_MS {
                    "met".into()
                } else {
                    "missed".into()
                },
            ]);
        }
    }
    Table {
        title: format!(
            "fan-out over instances, {v} viewers: orders on A, order-to-viewer latency with \
             viewers on A and on the other instances (target p99 ≤ {CROSS_P99_TARGET_MS} ms)"
        ),
        columns: [
            "viewers on",
            "step",
            "p50 ms",
            "p99 ms",
            "≤ 1 s %",
            "p99 target",
        ]
        .iter()
        .map(|c| (*c).to_owned())
        .collect(),
        rows,
    }
}

fn report(args: &Args, runs: &[Run], message_bytes: Option<usize>) -> Report {
    // Its own key, so that a run over instances does not replace the one-instance fan-out.
    let prefix = if args.chat_rates.iter().any(|c| *c > 0) {
        "fanout-chat"
    } else if args.cross() {
        "fanout-cluster"
    } else {
        "fanout"
    };
    let mut tables = Vec::new();
    let mut series = Vec::new();
    let mut data_runs = Vec::new();
    for &v in &args.viewers {
        let here: Vec<&Run> = runs.iter().filter(|r| r.viewers == v).collect();
        let mut rows = Vec::new();
        for r in &here {
            for s in &r.steps {
                rows.push(vec![
                    r.server.to_owned(),
                    s.rate.to_string(),
                    format!("{}/{}", s.attempted - s.failed, s.attempted),
                    format!("{:.0}", s.offered as f64 / args.step_secs as f64),
                    format!("{:.0}", s.delivered as f64 / args.step_secs as f64),
                    format!("{:.3}", s.share_within() * 100.0),
                    format!("{:.1}", s.latency.ms(0.5)),
                    format!("{:.1}", s.latency.ms(0.99)),
                    format!("{:.0}", s.client_cpu * 100.0),
                    s.server_cpu
                        .map(|c| format!("{:.0}", c * 100.0))
                        .unwrap_or_else(|| "—".into()),
                    s.machine_cpu
                        .map(|c| format!("{:.0}", c * 100.0))
                        .unwrap_or_else(|| "—".into()),
                    s.viewers_lost.to_string(),
                ]);
            }
        }
        tables.push(Table {
            title: format!("{prefix}, {v} viewers ({} s per step; latency from the order's or publish's send to each viewer, of the deliveries that arrived; ≤ 1 s % of all offered; CPU % of one core{})", args.step_secs,
                if args.cross() { "; server CPU adds up every instance; machine = every process" } else { "" }),
            columns: ["server", "rate/s", "sent ok", "deliveries/s offered", "delivered/s",
                      "≤ 1 s %", "p50 ms", "p99 ms", "client CPU %", "server CPU %", "machine CPU %", "viewers lost"]
                .iter().map(|c| (*c).to_owned()).collect(),
            rows,
        });
        let find = |name: &str| here.iter().find(|r| r.server == name);
        let sustained_of = |name: &str| find(name).and_then(|r| sustained(r));
        let p99_at = |name: &str, rate: u32| {
            find(name)
                .and_then(|r| r.steps.iter().find(|s| s.rate == rate))
                .map(|s| s.latency.ms(0.99))
        };
        let silk = sustained_of("silkstream");
        let mut summary = Vec::new();
        for r in &here {
            let mine = sustained(r);
            summary.push(vec![
                r.server.to_owned(),
                mine.map(|m| m.to_string()).unwrap_or_else(|| "none".into()),
                if r.server == "silkstream" {
                    "—".into()
                } else {
                    fmt_ratio(silk, mine)
                },
            ]);
        }
        let ratio_100 = match (p99_at("silkstream", 100), p99_at("bare", 100)) {
            (Some(a), Some(b)) if b > 0.0 => Some(a / b),
            _ => None,
        };
        if let Some(x) = ratio_100 {
            summary.push(vec![
                "p99 at 100/s: silkstream ÷ bare".into(),
                format!("{x:.2}×"),
                "target ≤ 2×".into(),
            ]);
        }
        tables.push(Table {
            title: format!(
                "{prefix}, {v} viewers: sustained rate (highest step with ≥ 99.9% within 1 s)"
            ),
            columns: vec![
                "server".into(),
                "sustained orders/s".into(),
                "silkstream ÷ this".into(),
            ],
            rows: summary,
        });
        let mut lines = Vec::new();
        for r in &here {
            for (q, label) in [(0.99, "p99"), (0.5, "p50")] {
                lines.push(Line {
                    name: format!("{} {label}", r.server),
                    points: r
                        .steps
                        .iter()
                        .filter(|s| s.latency.count() > 0)
                        .map(|s| (f64::from(s.rate), s.latency.ms(q)))
                        .collect(),
                });
            }
        }
        if args.cross() {
            tables.push(cross_table(args, v, &here));
        }
        if here.iter().any(|r| r.chat_rate > 0) {
            tables.push(chat_table(args, v, &here));
        }
        series.push(Series {
            name: format!("{prefix}-latency-{v}"),
            title: if args.cross() {
                format!("Fan-out over instances, {v} viewers: order-to-viewer latency against rate")
            } else {
                format!("Fan-out, {v} viewers: order-to-viewer latency against rate")
            },
            x_label: "orders (publishes) per second".into(),
            y_label: "latency, ms".into(),
            lines,
        });
        for r in &here {
            let mut all = Latency::new();
            for s in &r.steps {
                all.merge(&s.latency);
            }
            data_runs.push(json!({
                "server": r.server,
                "instances": r.instances,
                "viewers": r.viewers,
                "chat_rate": r.chat_rate,
                "connect_secs": r.connect_secs,
                "sustained_rate": sustained(r),
                "latency_all_steps": all.summary(),
                "steps": r.steps.iter().map(|s| json!({
                    "rate": s.rate,
                    "attempted": s.attempted,
                    "failed": s.failed,
                    "deliveries_offered": s.offered,
                    "deliveries_delivered": s.delivered,
                    "deliveries_within_1s": s.within_1s,
                    "offered_per_s": s.offered as f64 / args.step_secs as f64,
                    "delivered_per_s": s.delivered as f64 / args.step_secs as f64,
                    "share_within_1s": s.share_within(),
                    "latency": s.latency.summary(),
                    "client_cpu_cores": s.client_cpu,
                    "server_cpu_cores": s.server_cpu,
                    "machine_cpu_cores": s.machine_cpu,
                    "viewers_lost": s.viewers_lost,
                    "deliveries_unmatched": s.unmatched,
                    "deliveries_after_count": s.late,
                    "orders_matched": s.matched_orders,
                    "order_ack": s.ack.summary(),
                    "chat": s.chat.as_ref().map(|c| json!({
                        "sent": c.sent,
                        "failed": c.failed,
                        "post_ack": c.ack.summary(),
                        "deliveries_offered": c.offered,
                        "deliveries_delivered": c.delivered,
                        "deliveries_within_1s": c.within_1s,
                        "latency": c.latency.summary(),
                    })),
                })).collect::<Vec<_>>(),
            }));
        }
    }
    Report {
        scenario: prefix.into(),
        tables,
        data: json!({
            "viewer_servers": args.viewer_servers.len(),
            "step_secs": args.step_secs,
            "drain_secs": args.drain_secs,
            "message_bytes": message_bytes,
            "source_addrs": args.targets.source_addrs,
            "runs": data_runs,
        }),
        series,
    }
}

/// The room's chat beside the same orders without it, at one viewer count: the orders' answer
/// times (request to 201) with and without chat, step by step, and what the chat itself did.
fn chat_table(args: &Args, v: usize, here: &[&Run]) -> Table {
    let plain = here
        .iter()
        .find(|r| r.server == "silkstream" && r.chat_rate == 0);
    let mut rows = Vec::new();
    for r in here.iter().filter(|r| r.server.starts_with("silkstream")) {
        for s in &r.steps {
            let without = plain
                .and_then(|p| p.steps.iter().find(|q| q.rate == s.rate))
                .filter(|_| r.chat_rate > 0)
                .map(|q| q.ack.ms(0.99));
            let chat = s.chat.as_ref();
            let share = |c: &ChatStep| {
                if c.offered == 0 {
                    0.0
                } else {
                    c.within_1s as f64 * 100.0 / c.offered as f64
                }
            };
            rows.push(vec![
                r.server.to_owned(),
                r.chat_rate.to_string(),
                s.rate.to_string(),
                format!("{:.1}", s.ack.ms(0.5)),
                format!("{:.1}", s.ack.ms(0.99)),
                match without {
                    Some(w) if w > 0.0 => format!("{:.2}×", s.ack.ms(0.99) / w),
                    _ => "—".into(),
                },
                format!("{:.1}", s.latency.ms(0.99)),
                chat.map_or("—".into(), |c| {
                    format!("{}/{}", c.sent, c.sent + c.failed)
                }),
                chat.map_or("—".into(), |c| {
                    format!("{:.0}", c.delivered as f64 / args.step_secs as f64)
                }),
                chat.map_or("—".into(), |c| format!("{:.3}", share(c))),
                chat.map_or("—".into(), |c| format!("{:.1}", c.latency.ms(0.99))),
                s.server_cpu
                    .map(|c| format!("{:.0}", c * 100.0))
                    .unwrap_or_else(|| "—".into()),
            ]);
        }
    }
    Table {
        title: format!(
            "chat, {v} viewers: the orders' answers (request to 201) with the room's chat and \
             without it (target: p99 with 50 messages/s within 1.2×), and the chat's own \
             deliveries ({} s per step)",
            args.step_secs
        ),
        columns: [
            "server",
            "chat/s",
            "orders/s",
            "order answer p50 ms",
            "order answer p99 ms",
            "p99 ÷ without chat",
            "order to viewer p99 ms",
            "chat posted",
            "chat read/s",
            "chat ≤ 1 s %",
            "chat p99 ms",
            "server CPU %",
        ]
        .iter()
        .map(|c| (*c).to_owned())
        .collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chat reader finds the send time at the head of a chat message's text only.
    #[test]
    fn reads_the_send_time_of_chat_messages_only() {
        let m = format!(
            r#"{{"type":"chat_message","seq":9,"id":3,"session_id":1,"at":"x","message_id":4,"sender":{{"role":"buyer"}},"locale":"ru","text":"t={} Какой размер?"}}"#,
            letters(123_456)
        );
        assert_eq!(chat_sent_times(&m), [123_456]);
        let other = m.replace(&letters(123_456), &letters(9));
        let batch = format!(r#"{{"type":"batch","events":[{m},{other}]}}"#);
        assert_eq!(chat_sent_times(&batch), [123_456, 9]);
        assert_eq!(letters(0), "a");
        assert!(!letters(u32::MAX).bytes().any(|b| b.is_ascii_digit()));
        assert!(chat_sent_times(r#"{"type":"order_confirmed","seq":42,"text":"t=f"}"#).is_empty());
        assert!(chat_sent_times(
            r#"{"type":"chat_message","seq":1,"deleted":true,"message_id":4}"#
        )
        .is_empty());
    }

    /// The fast seq reader finds Silkstream's and the baselines' seq, and skips other kinds.
    #[test]
    fn reads_the_seq_of_order_events_only() {
        assert_eq!(
            order_seq(r#"{"type":"order_confirmed","seq":42,"id":7,"session_id":1}"#),
            Some(42)
        );
        assert_eq!(order_seq(r#"{"type":"tick","server_time":"x"}"#), None);
        assert_eq!(order_seq(r#"{"type":"snapshot","seq":41}"#), None);
        let m = baseline_message(9, 300);
        assert_eq!(m.len(), 300);
        assert_eq!(order_seq(&m), Some(9));
        assert!(serde_json::from_str::<Value>(&m).is_ok());
    }

    fn step(rate: u32, offered: u64, within_1s: u64) -> Step {
        Step {
            rate,
            attempted: 1,
            failed: 0,
            offered,
            delivered: within_1s,
            within_1s,
            latency: Latency::new(),
            client_cpu: 0.0,
            server_cpu: None,
            machine_cpu: None,
            viewers_lost: 0,
            unmatched: 0,
            late: 0,
            matched_orders: 1,
            ack: Latency::new(),
            chat: None,
        }
    }

    /// The sustained rate is the highest step with at least 99.9% of its offered deliveries
    /// within 1 s, even past a step that missed; none when no step made it.
    #[test]
    fn sustained_is_the_highest_step_at_999_per_mille() {
        let run = |steps| Run {
            server: "x",
            instances: 1,
            viewers: 1000,
            chat_rate: 0,
            steps,
            event_bytes: 0,
            connect_secs: 0.0,
        };
        let r = run(vec![
            step(1, 1000, 1000),
            step(5, 5000, 4995),
            step(20, 20000, 19979),
            step(50, 50000, 50000),
        ]);
        assert_eq!(sustained(&r), Some(50));
        let r = run(vec![step(1, 1000, 1000), step(5, 5000, 4994)]);
        assert_eq!(sustained(&r), Some(1));
        let r = run(vec![step(1, 1000, 0)]);
        assert_eq!(sustained(&r), None);
        assert_eq!(fmt_ratio(Some(20), Some(10)), "2.00×");
    }

    /// At rest is the lowest step; busy is 100/s, or the highest step below it.
    #[test]
    fn cross_instance_steps() {
        assert_eq!(rest_and_busy(&[1, 20, 50, 100]), (Some(1), Some(100)));
        assert_eq!(rest_and_busy(&[1, 100, 200]), (Some(1), Some(100)));
        assert_eq!(rest_and_busy(&[1, 5]), (Some(1), Some(5)));
        assert_eq!(rest_and_busy(&[1]), (Some(1), None));
    }

    /// This process's CPU ticks are readable (the client's CPU column depends on it).
    #[test]
    fn reads_own_cpu_ticks() {
        assert!(cpu_ticks(None).is_some());
    }
}
