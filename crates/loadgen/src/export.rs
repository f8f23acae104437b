//! The orders-export scenario: the server's memory while it streams a large CSV export. It
//! fills N orders through the real server (a flash sale of N units, guest buyers ordering one
//! unit at a time over `--connections` keep-alive connections, as the flash sale does, unmeasured
//! but timed), then exports every order (`GET /api/v1/orders/export`, as an admin) and reads
//! the body piece by piece as it arrives, dropping each, while it reads the server's resident memory (`VmRSS`
//! of `/proc/<pid>/status`, `--server-pid`): before the export, at every piece read during it, and
//! after it. The peak during is also read from `VmHWM` after resetting it
//! (`/proc/<pid>/clear_refs`, allowed for a process of the same user), so a peak between two
//! reads is not missed. A warm-up export first (`--warmups`) lets the pools and the allocator
//! settle, as a server that has exported before has.
//!
//! Figures: rows exported, CSV bytes, the export's rows/s and MiB/s, time to the first byte,
//! and the server's RSS before / peak during / after. The export streams a page of orders per
//! chunk (docs/reports.md), so the peak should grow by a small part of the CSV's size; the
//! run fails when the export is not every placed order once, in id order.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use hyper::Method;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::http::{refusal_code, Api, Conn, Target};
use crate::report::{Report, Table};
use crate::{fmt_rate, progress_bar, setup, Common};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Orders placed through the API before the export.
    #[arg(long, default_value_t = 100_000)]
    pub orders: usize,
    /// Keep-alive connections placing them, each with one order in flight.
    #[arg(long, default_value_t = 50)]
    pub connections: usize,
    /// Exports read (and dropped) before the measured one.
    #[arg(long, default_value_t = 1)]
    pub warmups: usize,
    /// The server's backend, for the report: `sqlite` or `postgres`.
    #[arg(long, default_value = "sqlite")]
    pub backend: String,
    /// Guest sign-ups in flight at once while setting up.
    #[arg(long, default_value_t = 32)]
    pub signup_parallel: usize,
}

/// The sale's per-buyer limit is the API's largest, 1,000 units; each buyer orders at most
/// this many, so that none reaches it.
const ORDERS_PER_BUYER: usize = 500;

pub async fn run(common: &Common, args: Args) -> anyhow::Result<Report> {
    let target = Target::parse(common.server())?;
    let api = Api::new(&target);
    api.check_server().await?;
    let admin = common.admin()?;
    let pid = common.server_pid().context(
        "the export scenario reads the server's memory: give --server-pid (or LOADGEN_SERVER_PID) \
         of the server on this machine",
    )?;
    rss_kib(pid, "VmRSS").with_context(|| format!("reading the memory of pid {pid}"))?;
    if args.orders == 0 || args.connections == 0 {
        bail!("--orders and --connections must be at least 1");
    }

    let fill_started = Instant::now();
    fill(&api, &target, admin, &args).await?;
    let fill_seconds = fill_started.elapsed().as_secs_f64();
    eprintln!(
        "export {}: {} orders placed in {fill_seconds:.1} s ({}/s)",
        args.backend,
        args.orders,
        fmt_rate(args.orders as f64 / fill_seconds)
    );

    let url = format!("{}/api/v1/orders/export", target.base);
    let client = reqwest::Client::new();
    for i in 0..args.warmups {
        let warm = export(
            &client,
            &url,
            admin,
            None,
            &format!("warm-up export {}", i + 1),
        )
        .await?;
        eprintln!(
            "export {}: warm-up {} rows in {:.1} s",
            args.backend, warm.rows, warm.seconds
        );
    }
    let before = rss_kib(pid, "VmRSS")?;
    // Resets VmHWM to the current RSS (proc(5), clear_refs "5"); where it is not allowed, the
    // peak is the highest of the samples.
    let hwm_reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
    let measured = export(&client, &url, admin, Some(pid), "measured export").await?;
    let hwm = if hwm_reset {
        rss_kib(pid, "VmHWM").ok()
    } else {
        None
    };
    let after = rss_kib(pid, "VmRSS")?;
    let peak = measured.peak_sample_kib.max(hwm.unwrap_or(0)).max(before);
    Ok(report(
        &args,
        fill_seconds,
        &measured,
        Memory {
            before,
            peak,
            after,
            peak_from: if hwm.is_some() {
                "VmHWM (reset before the export)"
            } else {
                "VmRSS at every body read"
            },
        },
    ))
}

/// Places `args.orders` orders of one unit through the API: a product with that stock, a
/// verified host's live session, a flash sale of every unit, guest buyers, and
/// `args.connections` workers taking the next order number until all are placed.
async fn fill(api: &Api, target: &Target, admin: &str, args: &Args) -> anyhow::Result<()> {
    let tag = setup::run_tag();
    setup::basics(api, admin).await?;
    let units = i64::try_from(args.orders).context("--orders")?;
    let (product_id, variant_id) = setup::product(api, admin, &tag, units).await?;
    let host = setup::host(api, admin, &tag).await?;
    let session_id = setup::live_session(api, &host, &tag, product_id).await?;
    api.post(
        &format!("/api/v1/sessions/{session_id}/flash-sales"),
        &host,
        &json!({"variant_id": variant_id, "quantity": units, "per_buyer_limit": 1000,
                "prices": {setup::CURRENCY: 1999000}, "countdown_s": 0, "duration_s": 3600,
                "warehouse": setup::WAREHOUSE}),
    )
    .await?
    .expect(201)?;
    // At least one buyer per connection, so that no buyer has two orders in flight.
    let buyers = args
        .orders
        .div_ceil(ORDERS_PER_BUYER)
        .max(args.connections)
        .min(args.orders);
    let bar = progress_bar(buyers as u64, "signing up buyers");
    let b = bar.clone();
    let buyers = setup::guest_buyers(target, 0, buyers, args.signup_parallel, move |d| {
        b.set_position(d as u64)
    })
    .await?;
    bar.finish_and_clear();

    let body = Bytes::from(
        json!({"variant_id": variant_id, "quantity": 1, "currency": setup::CURRENCY,
               "ship_to": {"name": "Aigerim Bekova", "phone": "+7 701 555 0101",
                           "country": "KZ", "city": "Almaty", "address": "Abay Ave 10, apt 5",
                           "postal_code": "050000"}})
        .to_string(),
    );
    let path = format!("/api/v1/sessions/{session_id}/orders");
    let next = Arc::new(AtomicUsize::new(0));
    let buyers = Arc::new(buyers);
    let bar = progress_bar(args.orders as u64, "placing orders");
    let mut tasks = Vec::new();
    for _ in 0..args.connections.min(args.orders) {
        let (next, buyers, body, path, bar) = (
            next.clone(),
            buyers.clone(),
            body.clone(),
            path.clone(),
            bar.clone(),
        );
        let (mut conn, total, tag) = (Conn::new(target), args.orders, tag.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return anyhow::Ok(());
                }
                let buyer = &buyers[i % buyers.len()];
                let key = format!("export-{tag}-{i}");
                // A lost answer is retried with the same key: the server answers it once.
                let mut tries = 0;
                loop {
                    tries += 1;
                    match conn
                        .send(
                            Method::POST,
                            &path,
                            Some(buyer),
                            &[("idempotency-key", &key)],
                            Some(body.clone()),
                        )
                        .await
                    {
                        Ok((status, _)) if status.is_success() => break,
                        Ok((status, raw)) => bail!(
                            "order {i}: {status} {} ({})",
                            refusal_code(status, &raw),
                            String::from_utf8_lossy(&raw)
                        ),
                        Err(e) if tries < 3 => {
                            eprintln!("order {i}: {e:#}; retrying with its key");
                        }
                        Err(e) => return Err(e.context(format!("order {i}"))),
                    }
                }
                bar.inc(1);
            }
        }));
    }
    for task in tasks {
        task.await.context("an order worker")??;
    }
    bar.finish_and_clear();
    Ok(())
}

/// What one export read.
struct Exported {
    rows: u64,
    bytes: u64,
    /// Pieces of the body as the client's reads returned them (not the server's chunks: a
    /// read may end inside one).
    reads: u64,
    seconds: f64,
    first_byte_ms: f64,
    /// The highest `VmRSS` read at a body read (0 without a pid).
    peak_sample_kib: u64,
    /// The first problem with the rows (an id out of order, a row without an id), if any.
    disorder: Option<String>,
}

/// Reads the whole export piece by piece, keeping only the current line's tail: counts rows
/// and bytes, checks the order ids rise, and (given `pid`) reads the server's `VmRSS` at
/// every piece.
async fn export(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    pid: Option<u32>,
    what: &str,
) -> anyhow::Result<Exported> {
    let bar = progress_bar(0, what);
    let started = Instant::now();
    let mut resp = client
        .get(url)
        .bearer_auth(token)
        .timeout(Duration::from_secs(3600))
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    if !resp.status().is_success() {
        bail!(
            "GET {url}: {} {}",
            resp.status(),
            resp.text().await.unwrap_or_default()
        );
    }
    let mut out = Exported {
        rows: 0,
        bytes: 0,
        reads: 0,
        seconds: 0.0,
        first_byte_ms: 0.0,
        peak_sample_kib: 0,
        disorder: None,
    };
    let mut tail: Vec<u8> = Vec::new();
    let mut header_seen = false;
    let mut last_id = 0i64;
    while let Some(chunk) = resp
        .chunk()
        .await
        .with_context(|| format!("reading {url} (a broken download)"))?
    {
        if out.reads == 0 {
            out.first_byte_ms = started.elapsed().as_secs_f64() * 1000.0;
        }
        out.reads += 1;
        out.bytes += chunk.len() as u64;
        if let Some(pid) = pid {
            out.peak_sample_kib = out.peak_sample_kib.max(rss_kib(pid, "VmRSS")?);
        }
        let mut rest: &[u8] = &chunk;
        while let Some(end) = rest.iter().position(|b| *b == b'\n') {
            let line = if tail.is_empty() {
                &rest[..end]
            } else {
                tail.extend_from_slice(&rest[..end]);
                &tail[..]
            };
            if header_seen {
                out.rows += 1;
                let id = line
                    .split(|b| *b == b',')
                    .next()
                    .and_then(|f| std::str::from_utf8(f).ok())
                    .and_then(|f| f.parse::<i64>().ok());
                match id {
                    Some(id) if id > last_id => last_id = id,
                    _ if out.disorder.is_some() => {}
                    Some(id) => {
                        out.disorder = Some(format!("order {id} came after order {last_id}"))
                    }
                    None => {
                        out.disorder = Some(format!(
                            "row {} has no order id: {}",
                            out.rows,
                            String::from_utf8_lossy(line)
                        ))
                    }
                }
            } else {
                header_seen = true;
            }
            tail.clear();
            rest = &rest[end + 1..];
        }
        tail.extend_from_slice(rest);
        bar.set_message(format!("{} rows", out.rows));
    }
    out.seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if !tail.is_empty() {
        out.disorder
            .get_or_insert_with(|| "the CSV does not end with a line end".into());
    }
    Ok(out)
}

/// A `/proc/<pid>/status` figure (`VmRSS`, `VmHWM`) in KiB.
fn rss_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status (is the server on this machine?)"))?;
    parse_status(&status, field).with_context(|| format!("no {field} in /proc/{pid}/status"))
}

fn parse_status(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The server's resident memory around the measured export, in KiB.
struct Memory {
    before: u64,
    peak: u64,
    after: u64,
    peak_from: &'static str,
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn report(args: &Args, fill_seconds: f64, e: &Exported, m: Memory) -> Report {
    let rows_per_s = e.rows as f64 / e.seconds.max(1e-9);
    let csv_mib = e.bytes as f64 / 1_048_576.0;
    let grown_kib = m.peak.saturating_sub(m.before);
    let mut data = json!({
        "backend": args.backend,
        "orders_placed": args.orders,
        "connections": args.connections,
        "fill_seconds": fill_seconds,
        "fill_orders_per_s": args.orders as f64 / fill_seconds.max(1e-9),
        "rows": e.rows,
        "bytes": e.bytes,
        "body_reads": e.reads,
        "seconds": e.seconds,
        "first_byte_ms": e.first_byte_ms,
        "rows_per_s": rows_per_s,
        "mib_per_s": csv_mib / e.seconds.max(1e-9),
        "rss_kib": {"before": m.before, "peak": m.peak, "after": m.after},
        "peak_from": m.peak_from,
        "peak_growth_share_of_csv": if e.bytes > 0 {
            Value::from(grown_kib as f64 * 1024.0 / e.bytes as f64)
        } else {
            Value::Null
        },
    });
    if let Some(d) = &e.disorder {
        data["failure"] = json!(format!("the export's rows are not in id order: {d}"));
    } else if e.rows < args.orders as u64 {
        data["failure"] = json!(format!(
            "the export has {} rows for {} orders placed",
            e.rows, args.orders
        ));
    }
    let name = format!("export-{}", args.backend);
    Report {
        scenario: name,
        tables: vec![Table {
            title: format!(
                "Orders export on {} ({} orders placed through the API; the server's resident \
                 memory, peak from {})",
                args.backend,
                fmt_rate(args.orders as f64),
                m.peak_from
            ),
            columns: [
                "rows",
                "CSV",
                "body reads",
                "time",
                "rows/s",
                "RSS before",
                "peak during",
                "after",
                "peak − before",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: vec![vec![
                fmt_rate(e.rows as f64),
                format!("{csv_mib:.1} MiB"),
                fmt_rate(e.reads as f64),
                format!("{:.2} s", e.seconds),
                fmt_rate(rows_per_s),
                mib(m.before),
                mib(m.peak),
                mib(m.after),
                mib(grown_kib),
            ]],
        }],
        data,
        series: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/proc/<pid>/status` lines parse to KiB; this process has a resident size.
    #[test]
    fn status_figures_parse() {
        let status = "Name:\tsilkstream\nVmHWM:\t  81234 kB\nVmRSS:\t   78002 kB\n";
        assert_eq!(parse_status(status, "VmRSS"), Some(78002));
        assert_eq!(parse_status(status, "VmHWM"), Some(81234));
        assert_eq!(parse_status(status, "VmSwap"), None);
        assert!(rss_kib(std::process::id(), "VmRSS").expect("own RSS") > 0);
    }

    fn exported(rows: u64, disorder: Option<&str>) -> Exported {
        Exported {
            rows,
            bytes: 10 * 1_048_576,
            reads: 201,
            seconds: 2.0,
            first_byte_ms: 3.0,
            peak_sample_kib: 0,
            disorder: disorder.map(str::to_owned),
        }
    }

    fn args(orders: usize) -> Args {
        Args {
            orders,
            connections: 10,
            warmups: 1,
            backend: "sqlite".into(),
            signup_parallel: 4,
        }
    }

    fn memory() -> Memory {
        Memory {
            before: 80 * 1024,
            peak: 82 * 1024,
            after: 81 * 1024,
            peak_from: "VmHWM (reset before the export)",
        }
    }

    /// The table has the export's rows/s and the memory before, at its peak and after; a run
    /// whose export misses orders, or has them out of order, fails.
    #[test]
    fn the_report_shows_memory_and_rate_and_fails_on_a_short_export() {
        let ok = report(&args(100_000), 20.0, &exported(100_000, None), memory());
        assert!(ok.data.get("failure").is_none(), "{}", ok.data);
        assert_eq!(ok.scenario, "export-sqlite");
        assert_eq!(ok.data["rows_per_s"], 50_000.0);
        assert_eq!(ok.data["peak_growth_share_of_csv"], 0.2);
        assert_eq!(
            ok.tables[0].rows,
            [[
                "100,000", "10.0 MiB", "201", "2.00 s", "50,000", "80.0 MiB", "82.0 MiB",
                "81.0 MiB", "2.0 MiB"
            ]]
        );
        let short = report(&args(100_000), 20.0, &exported(99_500, None), memory());
        assert!(short.data["failure"].as_str().is_some(), "{}", short.data);
        let disordered = report(
            &args(10),
            1.0,
            &exported(10, Some("order 3 came after order 4")),
            memory(),
        );
        assert!(disordered.data["failure"].as_str().is_some());
    }
}
