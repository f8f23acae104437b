//! Prometheus metrics: requests by route and status, and a latency histogram by route. One
//! registry per app (not a global), so several apps in one test process keep separate counts.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// Database round trips made by requests, by route (`silkstream_base::db::count_round_trips`).
    db_queries: IntCounterVec,
    /// Redis: 1 usable, 0 down (degraded); registered at the first scrape that has Redis, so
    /// absent without it.
    redis_up: IntGauge,
    redis_registered: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Events this instance handed to its feeds, by how they reached it (read at each scrape).
    feed_events: IntGaugeVec,
    /// The order desk's batches, orders, attempts decided again (read at each scrape).
    desk_counts: IntGaugeVec,
    /// The order desk's time: waiting for sessions' rows, and in batch transactions.
    desk_seconds: GaugeVec,
}

/// What the feed reports at each scrape.
#[derive(Debug, Clone, Copy)]
pub struct FeedFigures {
    /// `Some(up)` when Redis is configured.
    pub redis_up: Option<bool>,
    /// Events dispatched from committed batches (this instance's and the bus's).
    pub from_commits: u64,
    /// Events dispatched after reading the log.
    pub from_log: u64,
    /// Batches that left a gap (the log was read).
    pub gaps: u64,
    /// Batches published to Redis, and received from it.
    pub published: u64,
    pub received: u64,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "silkstream_http_requests_total",
                "HTTP requests by route and status",
            ),
            &["method", "route", "status"],
        )
        .expect("metric definition is valid");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "silkstream_http_request_duration_seconds",
                "HTTP request latency by route",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route"],
        )
        .expect("metric definition is valid");
        let db_queries = IntCounterVec::new(
            Opts::new(
                "silkstream_db_queries_total",
                "Database round trips made by requests, by route: statements on a pool and \
                 transactions begun on the request's own task (the order desk's batch \
                 transactions run on the desk's task and are not counted here)",
            ),
            &["path"],
        )
        .expect("metric definition is valid");
        registry
            .register(Box::new(requests.clone()))
            .expect("metric registers once");
        registry
            .register(Box::new(db_queries.clone()))
            .expect("metric registers once");
        registry
            .register(Box::new(latency.clone()))
            .expect("metric registers once");
        let redis_up = IntGauge::new(
            "silkstream_redis_up",
            "1 when Redis is usable, 0 when it is down and this instance is degraded (feeds from \
             the database's log, counters per instance); absent without Redis",
        )
        .expect("metric definition is valid");
        let feed_events = IntGaugeVec::new(
            Opts::new(
                "silkstream_feed_events",
                "Feed events and batches by how they reached this instance: dispatched from \
                 committed batches, read from the log, gaps filled from the log, batches \
                 published to and received from Redis (totals since start)",
            ),
            &["via"],
        )
        .expect("metric definition is valid");
        registry
            .register(Box::new(feed_events.clone()))
            .expect("metric registers once");
        let desk_counts = IntGaugeVec::new(
            Opts::new(
                "silkstream_desk",
                "The order desk of this instance since start (flash sales and regular \
                 orders): batch transactions committed, batches handed to the instance that \
                 owns the sale's desk, orders decided in this instance's transactions, \
                 attempts decided again",
            ),
            &["count"],
        )
        .expect("metric definition is valid");
        let desk_seconds = GaugeVec::new(
            Opts::new(
                "silkstream_desk_seconds",
                "The order desk's time since start: beginning batches and waiting for the \
                 session's row (lock_wait; scaled out, the other instances' desks of a sale \
                 hold it in turn), and in batch transactions, the wait included (busy)",
            ),
            &["spent"],
        )
        .expect("metric definition is valid");
        registry
            .register(Box::new(desk_counts.clone()))
            .expect("metric registers once");
        registry
            .register(Box::new(desk_seconds.clone()))
            .expect("metric registers once");
        Self {
            registry,
            requests,
            latency,
            db_queries,
            redis_up,
            redis_registered: Default::default(),
            feed_events,
            desk_counts,
            desk_seconds,
        }
    }

    /// Sets the feed's figures before a scrape.
    pub fn set_feed(&self, f: FeedFigures) {
        if let Some(up) = f.redis_up {
            if !self
                .redis_registered
                .swap(true, std::sync::atomic::Ordering::AcqRel)
            {
                let _ = self.registry.register(Box::new(self.redis_up.clone()));
            }
            self.redis_up.set(i64::from(up));
        }
        let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        for (via, v) in [
            ("commits", f.from_commits),
            ("log", f.from_log),
            ("gaps", f.gaps),
            ("redis_published", f.published),
            ("redis_received", f.received),
        ] {
            self.feed_events.with_label_values(&[via]).set(as_i64(v));
        }
    }

    /// Sets the order desk's figures before a scrape.
    pub fn set_desk(&self, d: silkstream_feed::tasks::desk::DeskFigures) {
        let as_i64 = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        for (count, v) in [
            ("batches", d.batches),
            ("handed_over", d.handed_over),
            ("orders", d.orders),
            ("again", d.again),
        ] {
            self.desk_counts.with_label_values(&[count]).set(as_i64(v));
        }
        for (spent, us) in [("lock_wait", d.lock_wait_us), ("busy", d.busy_us)] {
            self.desk_seconds
                .with_label_values(&[spent])
                .set(us as f64 / 1e6);
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metrics.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The label of a request's method: one of the standard methods, else `other`, so that made-up
/// methods cannot grow the metrics without bound.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// Records each request under its route template (`/api/v1/products/{id}`), never the raw path,
/// so ids and tokens do not become label values; a path no route matches is `unmatched`, and a
/// method outside the standard ones `other`: the label values are bounded.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method()).to_owned();
    let start = Instant::now();
    let (response, round_trips) = silkstream_catalog::db::count_round_trips(next.run(req)).await;
    metrics
        .db_queries
        .with_label_values(&[&route])
        .inc_by(round_trips);
    metrics
        .latency
        .with_label_values(&[&method, &route])
        .observe(start.elapsed().as_secs_f64());
    metrics
        .requests
        .with_label_values(&[&method, &route, response.status().as_str()])
        .inc();
    response
}

/// `/metrics`: the counters, with the feed's figures read now.
pub async fn endpoint(
    State(metrics): State<Metrics>,
    State(feed): State<silkstream_feed::Feed>,
) -> impl IntoResponse {
    let (from_commits, from_log, gaps) = feed.fanout.stats();
    let (published, received) = feed.cluster.stats();
    metrics.set_feed(FeedFigures {
        redis_up: feed.cluster.configured().then(|| feed.cluster.up()),
        from_commits,
        from_log,
        gaps,
        published,
        received,
    });
    metrics.set_desk(feed.desk.figures());
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(),
    )
}
