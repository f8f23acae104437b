//! The catalog-read scenario: a buyer's localized product read (`GET
//! /api/v1/products/{id}?locale=kk&currency=KZT`) driven by a standard load tool, wrk (Debian's
//! `wrk`), beside `/healthz` and `/livez` (the liveness probe, which never touches the database)
//! as the server's own ceiling on this machine; requests/s, p50/p99 and the product's ratio to
//! each. The same read of a second, equal product with three pictures (whose URLs are then in
//! the answer) says whether pictures make the read slower (the two measured in turn, one, the
//! other, the other, one, and each pair added up); a served picture (`GET
//! /api/v1/images/{name}`, its `phone` size, no token: what a buyer's page loads) is measured
//! beside `/livez` too. The products, the pictures (drawn here) and the buyer are set up
//! through the API first; each read is checked once to be a 200 in the right locale before it
//! is measured. wrk's summary comes out as JSON through a small Lua `done` hook.

use std::process::Stdio;

use anyhow::{bail, Context};
use serde_json::{json, Value};

use crate::http::{Api, Target};
use crate::report::{Report, Table};
use crate::{fmt_ms, fmt_rate, setup, Common};

/// wrk's `done` hook: one JSON line, prefixed so that it is found among wrk's own output.
const WRK_JSON: &str = r#"
done = function(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%f}}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end
"#;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Open connections of the load tool.
    #[arg(long, default_value_t = 100)]
    pub connections: u32,
    /// wrk threads.
    #[arg(long, default_value_t = 2)]
    pub threads: u32,
    /// Seconds measured per target.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Seconds of reads before the measured run (not counted).
    #[arg(long, default_value_t = 2)]
    pub warmup: u64,
    /// The wrk binary.
    #[arg(long, default_value = "wrk")]
    pub wrk: String,
    #[arg(long, default_value = "kk")]
    pub locale: String,
    #[arg(long, default_value = "KZT")]
    pub currency: String,
    /// The server's backend, for the report: `sqlite` or `postgres`.
    #[arg(long, default_value = "sqlite")]
    pub backend: String,
}

/// What wrk measured on one URL.
struct Measured {
    what: String,
    requests: u64,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
    errors: Value,
    non_2xx: u64,
    /// Cores the server used during the run (with `--server-pid`).
    server_cores: Value,
}

impl Measured {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// Two runs of one target as one: requests and seconds added up, the percentiles the mean of
    /// the two runs', failures of either.
    fn merge(self, other: Measured) -> Measured {
        let errors = if other.non_2xx > 0 {
            other.errors
        } else {
            self.errors
        };
        Measured {
            what: self.what,
            requests: self.requests + other.requests,
            seconds: self.seconds + other.seconds,
            p50_ms: (self.p50_ms + other.p50_ms) / 2.0,
            p99_ms: (self.p99_ms + other.p99_ms) / 2.0,
            p999_ms: (self.p999_ms + other.p999_ms) / 2.0,
            errors,
            non_2xx: self.non_2xx + other.non_2xx,
            server_cores: self.server_cores,
        }
    }
}

pub async fn run(common: &Common, args: Args) -> anyhow::Result<Report> {
    let target = Target::parse(common.server())?;
    let api = Api::new(&target);
    api.check_server().await?;
    let admin = common.admin()?;
    check_wrk(&args.wrk).await?;
    let tag = setup::run_tag();
    setup::basics(&api, admin).await?;
    let (product_id, _) = setup::product(&api, admin, &tag, 1000).await?;
    let buyer = setup::guest_buyers(&target, 0, 1, 1, |_| {})
        .await?
        .pop()
        .context("a buyer")?;
    let path = format!(
        "/api/v1/products/{product_id}?locale={}&currency={}",
        args.locale, args.currency
    );
    let read = api.get(&path, &buyer).await?.expect(200)?;
    if read["localized"]["locale"] != json!(args.locale) {
        bail!(
            "GET {path} did not answer in {}: {}",
            args.locale,
            read["localized"]
        );
    }
    // The same product with three pictures.
    let (pictured_id, _) = setup::product(&api, admin, &format!("{tag}-P"), 1000).await?;
    let mut picture_url = String::new();
    for seed in 0..3u8 {
        let image = api
            .upload_picture(pictured_id, admin, &picture(seed))
            .await?
            .expect(201)?;
        if seed == 0 {
            picture_url = image["urls"]["phone"]
                .as_str()
                .context("the picture's phone URL")?
                .to_owned();
        }
    }
    let pictured_path = format!(
        "/api/v1/products/{pictured_id}?locale={}&currency={}",
        args.locale, args.currency
    );
    let pictured = api.get(&pictured_path, &buyer).await?.expect(200)?;
    if pictured["images"].as_array().map(Vec::len) != Some(3) {
        bail!(
            "GET {pictured_path} did not carry its 3 pictures: {}",
            pictured["images"]
        );
    }
    let pictured_url = format!("{}{pictured_path}", target.base);
    let image_url = format!("{}{picture_url}", target.base);
    let product_url = format!("{}{path}", target.base);
    let health_url = format!("{}/healthz", target.base);
    let live_url = format!("{}/livez", target.base);
    if args.warmup > 0 {
        wrk(
            &args,
            None,
            &product_url,
            Some(&buyer),
            args.warmup,
            "warm-up",
        )
        .await?;
    }
    // The two reads in turn, one, the other, the other, one: a machine whose speed drifts over
    // the run weighs on both alike (one 10 s run moves by ±10 % on a 2-core machine).
    let plain = |what| {
        wrk(
            &args,
            common.server_pid(),
            &product_url,
            Some(&buyer),
            args.duration,
            what,
        )
    };
    let pictured = |what| {
        wrk(
            &args,
            common.server_pid(),
            &pictured_url,
            Some(&buyer),
            args.duration,
            what,
        )
    };
    let first = plain("localized product read").await?;
    let with_pictures = pictured("… with 3 pictures").await?;
    let with_pictures = with_pictures.merge(pictured("… with 3 pictures").await?);
    let product = first.merge(plain("localized product read").await?);
    let image = wrk(
        &args,
        common.server_pid(),
        &image_url,
        None,
        args.duration,
        "a picture (phone size)",
    )
    .await?;
    let health = wrk(
        &args,
        common.server_pid(),
        &health_url,
        None,
        args.duration,
        "/healthz",
    )
    .await?;
    let live = wrk(
        &args,
        common.server_pid(),
        &live_url,
        None,
        args.duration,
        "/livez",
    )
    .await?;
    Ok(report(
        &args,
        &path,
        &Reads {
            product,
            with_pictures,
            image,
            health,
            live,
        },
    ))
}

/// A photo-like JPEG of 1,200 × 900 pixels, different for each seed.
fn picture(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(1200, 900, |x, y| {
        image::Rgb([(x / 5) as u8 ^ seed, (y / 4) as u8, seed.wrapping_mul(71)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .map(|()| out.into_inner())
        .unwrap_or_default()
}

/// What was measured, each on its own URL.
struct Reads {
    product: Measured,
    with_pictures: Measured,
    image: Measured,
    health: Measured,
    live: Measured,
}

async fn check_wrk(wrk: &str) -> anyhow::Result<()> {
    let out = tokio::process::Command::new(wrk)
        .arg("--version")
        .output()
        .await
        .with_context(|| {
            format!("cannot run {wrk}: install it (`apt-get install -y wrk`) or pass --wrk PATH")
        })?;
    // wrk --version prints its banner and exits 1.
    let text = String::from_utf8_lossy(&out.stdout);
    if !text.contains("wrk") {
        bail!("{wrk} --version does not look like wrk: {text}");
    }
    Ok(())
}

async fn wrk(
    args: &Args,
    server_pid: Option<u32>,
    url: &str,
    token: Option<&str>,
    seconds: u64,
    what: &str,
) -> anyhow::Result<Measured> {
    let script = tempfile::Builder::new()
        .prefix("loadgen-wrk-")
        .suffix(".lua")
        .tempfile()?;
    std::fs::write(script.path(), WRK_JSON)?;
    let mut cmd = tokio::process::Command::new(&args.wrk);
    cmd.arg("-t")
        .arg(args.threads.max(1).to_string())
        .arg("-c")
        .arg(args.connections.max(args.threads).to_string())
        .arg("-d")
        .arg(format!("{}s", seconds.max(1)))
        .arg("--timeout")
        .arg("10s")
        .arg("-s")
        .arg(script.path());
    if let Some(token) = token {
        cmd.arg("-H").arg(format!("Authorization: Bearer {token}"));
    }
    cmd.arg(url).stdin(Stdio::null());
    let bar = crate::progress_bar(0, &format!("wrk {what} ({seconds} s)"));
    let cpu = crate::cpu::Sample::now(server_pid.as_slice());
    let out = cmd.output().await.context("running wrk")?;
    let server_cores = cpu.cores_since(server_pid.as_slice())["server_cores"].clone();
    bar.finish_and_clear();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "wrk failed on {url}: {}{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("WRKJSON "))
        .with_context(|| format!("wrk printed no summary: {stdout}"))?;
    let v: Value = serde_json::from_str(line).context("wrk's summary")?;
    let us = |k: &str| v["latency_us"][k].as_f64().unwrap_or(0.0) / 1000.0;
    Ok(Measured {
        what: what.to_owned(),
        requests: v["requests"].as_u64().unwrap_or(0),
        seconds: v["duration_us"].as_f64().unwrap_or(1.0) / 1e6,
        p50_ms: us("p50"),
        p99_ms: us("p99"),
        p999_ms: us("p999"),
        non_2xx: v["errors"]["status"].as_u64().unwrap_or(0),
        errors: v["errors"].clone(),
        server_cores,
    })
}

/// The table and the JSON: the product read beside `/healthz` and `/livez`, with the product's
/// ratio to each (in the table's title and under `ratio_to_healthz`, `ratio_to_livez`).
fn report(args: &Args, path: &str, reads: &Reads) -> Report {
    let Reads {
        product,
        with_pictures,
        image,
        health,
        live,
    } = reads;
    let ratio = product.rate() / health.rate();
    let ratio_live = product.rate() / live.rate();
    let ratio_pictures = with_pictures.rate() / product.rate();
    let ratio_image = image.rate() / live.rate();
    let row = |m: &Measured| {
        vec![
            m.what.clone(),
            fmt_rate(m.rate()),
            fmt_ms(m.p50_ms),
            fmt_ms(m.p99_ms),
            fmt_ms(m.p999_ms),
            m.non_2xx.to_string(),
        ]
    };
    let one = |m: &Measured| {
        json!({"requests": m.requests, "seconds": m.seconds, "req_per_s": m.rate(),
               "p50_ms": m.p50_ms, "p99_ms": m.p99_ms, "p999_ms": m.p999_ms,
               "errors": m.errors, "server_cores": m.server_cores})
    };
    let mut data = json!({
        "backend": args.backend,
        "tool": "wrk",
        "connections": args.connections,
        "threads": args.threads,
        "duration_s": args.duration,
        "path": path,
        "product": one(product),
        "healthz": one(health),
        "ratio_to_healthz": ratio,
        "livez": one(live),
        "ratio_to_livez": ratio_live,
        "product_with_pictures": one(with_pictures),
        "ratio_pictures_to_plain": ratio_pictures,
        "image": one(image),
        "image_ratio_to_livez": ratio_image,
    });
    if product.non_2xx > 0 || product.requests == 0 {
        data["failure"] = json!(format!(
            "{} of {} product reads were not 2xx",
            product.non_2xx, product.requests
        ));
    } else if with_pictures.non_2xx > 0 || with_pictures.requests == 0 {
        data["failure"] = json!(format!(
            "{} of {} reads of the product with pictures were not 2xx",
            with_pictures.non_2xx, with_pictures.requests
        ));
    } else if image.non_2xx > 0 || image.requests == 0 {
        data["failure"] = json!(format!(
            "{} of {} picture requests were not 2xx",
            image.non_2xx, image.requests
        ));
    } else if live.non_2xx > 0 || live.requests == 0 {
        data["failure"] = json!(format!(
            "{} of {} /livez reads were not 2xx (a server without /livez?)",
            live.non_2xx, live.requests
        ));
    }
    let name = format!("catalog-{}", args.backend);
    Report {
        scenario: name.clone(),
        tables: vec![Table {
            title: format!(
                "Catalog read on {} (wrk, {} connections, {} s; product ÷ /healthz = {ratio:.2}, \
                 ÷ /livez = {ratio_live:.2}; with pictures ÷ without = {ratio_pictures:.2}; \
                 a picture ÷ /livez = {ratio_image:.2})",
                args.backend, args.connections, args.duration
            ),
            columns: ["target", "req/s", "p50", "p99", "p99.9", "non-2xx"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows: vec![
                row(product),
                row(with_pictures),
                row(health),
                row(live),
                row(image),
            ],
        }],
        data,
        // One point per target: the table says it all; plots are for curves.
        series: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(what: &str, requests: u64, non_2xx: u64) -> Measured {
        Measured {
            what: what.into(),
            requests,
            seconds: 10.0,
            p50_ms: 1.0,
            p99_ms: 2.0,
            p999_ms: 3.0,
            errors: json!({}),
            non_2xx,
            server_cores: Value::Null,
        }
    }

    fn args() -> Args {
        Args {
            connections: 100,
            threads: 2,
            duration: 10,
            warmup: 2,
            wrk: "wrk".into(),
            locale: "kk".into(),
            currency: "KZT".into(),
            backend: "sqlite".into(),
        }
    }

    /// The table (what `summary` prints) has the product, `/healthz` and `/livez` rows and both
    /// ratios in its title; the JSON has both ratios.
    #[test]
    fn the_catalog_table_puts_the_product_beside_healthz_and_livez() {
        let report = report(
            &args(),
            "/api/v1/products/1?locale=kk&currency=KZT",
            &Reads {
                product: measured("localized product read", 200_000, 0),
                with_pictures: measured("… with 3 pictures", 190_000, 0),
                image: measured("a picture (phone size)", 300_000, 0),
                health: measured("/healthz", 250_000, 0),
                live: measured("/livez", 400_000, 0),
            },
        );
        assert_eq!(report.data["ratio_to_healthz"], 0.8);
        assert_eq!(report.data["ratio_to_livez"], 0.5);
        assert_eq!(report.data["livez"]["req_per_s"], 40_000.0);
        assert_eq!(report.data["ratio_pictures_to_plain"], 0.95);
        assert_eq!(report.data["image_ratio_to_livez"], 0.75);
        assert!(report.data.get("failure").is_none(), "{}", report.data);
        let table: Table =
            serde_json::from_value(serde_json::to_value(&report.tables[0]).expect("json"))
                .expect("the table as the results file keeps it");
        let md = crate::render(&table, true);
        assert!(
            md.contains("product ÷ /healthz = 0.80, ÷ /livez = 0.50"),
            "{md}"
        );
        assert!(md.contains("| /livez "), "{md}");
        assert!(md.contains("| 40,000 "), "{md}");
        let targets: Vec<&str> = table.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            targets,
            [
                "localized product read",
                "… with 3 pictures",
                "/healthz",
                "/livez",
                "a picture (phone size)"
            ]
        );
        assert!(md.contains("with pictures ÷ without = 0.95"), "{md}");
    }

    /// A server that does not answer `/livez` with 2xx fails the scenario.
    #[test]
    fn a_livez_that_is_not_2xx_fails_the_run() {
        let report = report(
            &args(),
            "/p",
            &Reads {
                product: measured("localized product read", 100, 0),
                with_pictures: measured("… with 3 pictures", 100, 0),
                image: measured("a picture (phone size)", 100, 0),
                health: measured("/healthz", 100, 0),
                live: measured("/livez", 100, 100),
            },
        );
        assert!(
            report.data["failure"]
                .as_str()
                .is_some_and(|f| f.contains("/livez")),
            "{}",
            report.data
        );
    }
}
