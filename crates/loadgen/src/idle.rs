//! The idle-connection scenario (`silkstream-loadgen idle`): resident memory per idle feed
//! connection. For each server it reads the process's `VmRSS` (`/proc/<pid>/status`), opens
//! connections in stages (1,000, 10,000, then as many as will open), holds them idle a few
//! seconds at each stage and reads `VmRSS` again: (RSS at the stage − RSS before any) ÷
//! connections, and from the second stage on also what each connection added since the stage
//! before ((RSS at the stage − RSS at the stage before) ÷ the connections opened between them):
//! the first figure carries what the first connections bring once (the server's caches and
//! pools filling, the allocator's first pages), the second does not. Connections stay open from
//! one stage to the next, so what the allocator keeps after a close never counts. Silkstream's viewers are guest buyers watching a live session
//! (eight connections per token, the server's default `feed_max_connections_per_token`); the
//! baselines' are plain WebSockets. The run needs the server's `max_websockets` and
//! `max_connections` raised (`SILKSTREAM_MAX_WEBSOCKETS`, `SILKSTREAM_MAX_CONNECTIONS`).

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use futures_util::StreamExt;
use serde_json::json;
use tokio::sync::Semaphore;

use crate::fanout::{http_client, open_viewer, source_addrs, Buyer, LiveSession, Targets};
use crate::report::{Report, Table};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub targets: Targets,
    /// Connection counts to measure at, rising; `max` opens until a connection fails.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,max")]
    pub counts: Vec<String>,
    /// Seconds the connections are held idle before memory is read.
    #[arg(long, default_value_t = 3)]
    pub hold_secs: u64,
    /// Upper bound for `max`; above the bench machine's open-file cap (20,000 per process, the
    /// client's and the server's alike), so that the cap is what stops it.
    #[arg(long, default_value_t = 40_000)]
    pub max_cap: usize,
}

/// Connections per guest token: the server's default `feed_max_connections_per_token`.
const PER_TOKEN: usize = 8;

pub async fn run(args: Args) -> anyhow::Result<Report> {
    let t = &args.targets;
    let mut stages: Vec<Option<usize>> = Vec::new();
    for c in &args.counts {
        if c == "max" {
            stages.push(None);
        } else {
            let n: usize = c
                .parse()
                .with_context(|| format!("--counts: {c} is not a number or max"))?;
            stages.push(Some(n));
        }
    }
    let http = http_client()?;
    let mut results = Vec::new();
    if let Some(base) = &t.server {
        let admin = t
            .admin_token
            .as_deref()
            .ok_or_else(|| anyhow!("--server needs --admin-token (or SILKSTREAM_ADMIN_TOKEN)"))?;
        let pid = t
            .server_pid
            .ok_or_else(|| anyhow!("--server needs --server-pid"))?;
        let live = LiveSession::set_up(&http, base, admin).await?;
        results.push(
            measure(
                "silkstream",
                pid,
                &stages,
                &args,
                Target::Silkstream(&live, &http),
            )
            .await?,
        );
    }
    if let Some(url) = &t.bare {
        let pid = t
            .bare_pid
            .ok_or_else(|| anyhow!("--bare needs --bare-pid"))?;
        results.push(measure("bare", pid, &stages, &args, Target::Plain(url)).await?);
    }
    if let Some(url) = &t.node {
        let pid = t
            .node_pid
            .ok_or_else(|| anyhow!("--node needs --node-pid"))?;
        results.push(measure("node", pid, &stages, &args, Target::Plain(url)).await?);
    }
    if results.is_empty() {
        bail!("nothing to measure: give --server, --bare or --node (each with its pid)");
    }
    let mut rows = Vec::new();
    for r in &results {
        for s in &r.stages {
            rows.push(vec![
                r.server.to_owned(),
                s.connections.to_string(),
                format!("{:.1}", s.rss_kib as f64 / 1024.0),
                format!("{:.2}", s.kib_per_connection),
                s.kib_per_added
                    .map_or_else(|| "—".into(), |k| format!("{k:.2}")),
            ]);
        }
    }
    let bounds: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            vec![
                r.server.to_owned(),
                r.bound.clone().unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    Ok(Report {
        scenario: "idle".into(),
        tables: vec![
            Table {
                title: format!(
                    "idle feed connections: resident memory (VmRSS) after {} s idle",
                    args.hold_secs
                ),
                columns: vec![
                    "server".into(),
                    "connections".into(),
                    "RSS MiB".into(),
                    "KiB per connection".into(),
                    "KiB per connection added since the stage before".into(),
                ],
                rows,
            },
            Table {
                title: "idle: what stopped the last stage".into(),
                columns: vec!["server".into(), "bound".into()],
                rows: bounds,
            },
        ],
        data: json!({
            "hold_secs": args.hold_secs,
            "source_addrs": t.source_addrs,
            "servers": results.iter().map(|r| json!({
                "server": r.server,
                "rss_before_kib": r.before_kib,
                "bound": r.bound,
                "stages": r.stages.iter().map(|s| json!({
                    "connections": s.connections,
                    "rss_kib": s.rss_kib,
                    "kib_per_connection": s.kib_per_connection,
                    "kib_per_added": s.kib_per_added,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }),
        series: Vec::new(),
    })
}

enum Target<'a> {
    Silkstream(&'a LiveSession, &'a reqwest::Client),
    Plain(&'a str),
}

struct Measured {
    server: &'static str,
    before_kib: u64,
    stages: Vec<Stage>,
    /// Why `max` stopped where it did.
    bound: Option<String>,
}

struct Stage {
    connections: usize,
    rss_kib: u64,
    kib_per_connection: f64,
    /// (RSS − the stage before's) ÷ the connections opened since it; none at the first stage.
    kib_per_added: Option<f64>,
}

/// What each connection opened between two stages added to the RSS (`None` for the first stage,
/// or when no connection was opened since).
fn per_added(before: Option<&Stage>, connections: usize, rss_kib: u64) -> Option<f64> {
    let before = before?;
    let added = connections
        .checked_sub(before.connections)
        .filter(|&n| n > 0)?;
    Some(rss_kib.saturating_sub(before.rss_kib) as f64 / added as f64)
}

/// `VmRSS` of `pid` in KiB.
fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow!("no VmRSS in /proc/{pid}/status"))
}

async fn measure(
    server: &'static str,
    pid: u32,
    stages: &[Option<usize>],
    args: &Args,
    target: Target<'_>,
) -> anyhow::Result<Measured> {
    let sources = source_addrs(args.targets.source_addrs);
    let hold = Duration::from_secs(args.hold_secs);
    tokio::time::sleep(hold).await;
    let before_kib = rss_kib(pid)?;
    eprintln!("idle: {server} (pid {pid}) at {before_kib} KiB before any connection");
    // Each connection's reader answers the server's pings (so the idle timeout never closes
    // it) and drops the ticks.
    let mut readers = tokio::task::JoinSet::new();
    let mut open = 0usize;
    let mut buyers: Vec<Buyer> = Vec::new();
    let mut measured = Vec::new();
    let mut bound = None;
    for stage in stages {
        let want = stage.unwrap_or(args.max_cap);
        if want <= open {
            continue;
        }
        if let Target::Silkstream(live, http) = &target {
            let tokens = want.div_ceil(PER_TOKEN);
            if tokens > buyers.len() {
                let more = live
                    .sign_up(http, tokens - buyers.len(), buyers.len())
                    .await?;
                buyers.extend(more);
            }
        }
        let started = Instant::now();
        let gate = std::sync::Arc::new(Semaphore::new(args.targets.connect_concurrency.max(1)));
        let mut opening = tokio::task::JoinSet::new();
        for i in open..want {
            let (url, token, first) = match &target {
                Target::Silkstream(live, _) => {
                    let b = &buyers[i / PER_TOKEN];
                    (live.feed_url(Some(b.locale)), Some(b.token.clone()), true)
                }
                Target::Plain(url) => (format!("{}/", url.trim_end_matches('/')), None, false),
            };
            let src = sources[i % sources.len()];
            let gate = gate.clone();
            opening.spawn(async move {
                let _permit = gate.acquire_owned().await?;
                open_viewer(&url, token.as_deref(), src, first).await
            });
        }
        let mut failure = None;
        while let Some(joined) = opening.join_next().await {
            match joined.context("connection task")? {
                Ok(mut ws) => {
                    open += 1;
                    readers.spawn(async move { while let Some(Ok(_)) = ws.next().await {} });
                }
                Err(e) => {
                    if failure.is_none() {
                        failure = Some(format!("{e:#}"));
                    }
                }
            }
        }
        if let Some(f) = &failure {
            if stage.is_some() {
                bail!("{server}: only {} of {want} connections opened: {f}", open);
            }
            bound = Some(format!("{} connections, then: {f}", open));
        } else if stage.is_none() {
            bound = Some(format!("--max-cap {want} reached"));
        }
        eprintln!(
            "idle: {server}: {} connections open in {:.1} s; holding {} s",
            open,
            started.elapsed().as_secs_f64(),
            args.hold_secs
        );
        tokio::time::sleep(hold).await;
        let rss = rss_kib(pid)?;
        let n = open.max(1);
        let kib_per_added = per_added(measured.last(), open, rss);
        measured.push(Stage {
            connections: open,
            rss_kib: rss,
            kib_per_connection: rss.saturating_sub(before_kib) as f64 / n as f64,
            kib_per_added,
        });
        eprintln!(
            "idle: {server}: {} connections, {rss} KiB, {:.2} KiB each",
            open,
            rss.saturating_sub(before_kib) as f64 / n as f64
        );
        if failure.is_some() {
            break;
        }
    }
    readers.abort_all();
    while readers.join_next().await.is_some() {}
    Ok(Measured {
        server,
        before_kib,
        stages: measured,
        bound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_stage_after_the_first_counts_what_its_new_connections_added() {
        let first = Stage {
            connections: 1_000,
            rss_kib: 80_000,
            kib_per_connection: 24.0,
            kib_per_added: None,
        };
        assert_eq!(per_added(None, 1_000, 80_000), None);
        // 9,000 more connections, 72,000 KiB more: 8 KiB each.
        assert_eq!(per_added(Some(&first), 10_000, 152_000), Some(8.0));
        // No connection opened since (a stage that failed at once): nothing to divide by.
        assert_eq!(per_added(Some(&first), 1_000, 81_000), None);
        // The RSS fell (the allocator gave pages back): 0, not a negative size.
        assert_eq!(per_added(Some(&first), 2_000, 70_000), Some(0.0));
    }
}
