//! `silkstream-loadgen`: the benchmark suite's load generator (docs/BENCHMARKS.md). Each
//! subcommand runs one scenario against a running server and its baselines, prints a summary
//! table, merges its results into the JSON file (`--out`, one key per scenario) and draws its
//! plots (`--plots DIR`). A scenario that finds a broken invariant (an oversell, a lost
//! acknowledged order) still writes its results, then exits with status 1.

mod catalog;
mod cpu;
mod dbbase;
mod export;
mod fanout;
mod flash;
mod http;
mod idle;
mod plot;
mod report;
mod setup;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use crate::report::{Report, Table};

#[derive(Debug, Parser)]
#[command(
    name = "silkstream-loadgen",
    about = "Drives a running Silkstream server as buyers and viewers do, beside baselines \
             measured in the same run; prints tables, writes JSON and SVG plots"
)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

/// Options every scenario takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// The server under test. The flash sale takes several instances of one deployment
    /// (`--server` again, or a comma list): its buyers are spread over them, and it measures
    /// the first alone beside all of them. Other scenarios drive the first.
    #[arg(
        long = "server",
        global = true,
        env = "LOADGEN_SERVER",
        value_delimiter = ',',
        default_value = "http://127.0.0.1:8080"
    )]
    pub servers: Vec<String>,
    /// An admin token of that server (`silkstream token create --role admin --name bench`),
    /// used to set up products, hosts and sessions through the API.
    #[arg(
        long,
        global = true,
        env = "LOADGEN_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// The results file: a JSON object with one key per scenario, merged into if it exists.
    #[arg(long, global = true, default_value = "results.json")]
    pub out: PathBuf,
    /// Draw each result's plots as SVG files into this directory.
    #[arg(long, global = true)]
    pub plots: Option<PathBuf>,
    /// The server's process id, to report the cores it used while measured beside the load
    /// generator's own (same machine only); several (again, or a comma list) for several
    /// instances, whose cores are added up.
    #[arg(
        long = "server-pid",
        global = true,
        env = "LOADGEN_SERVER_PID",
        value_delimiter = ','
    )]
    pub server_pids: Vec<u32>,
}

impl Common {
    /// The (first) server under test.
    pub fn server(&self) -> &str {
        self.servers
            .first()
            .map_or("http://127.0.0.1:8080", String::as_str)
    }

    /// The (first) server's process id.
    pub fn server_pid(&self) -> Option<u32> {
        self.server_pids.first().copied()
    }

    pub fn admin(&self) -> anyhow::Result<&str> {
        self.admin_token.as_deref().context(
            "this scenario sets up through the API: give --admin-token (or LOADGEN_ADMIN_TOKEN); \
             `silkstream token create --role admin --name bench` makes one",
        )
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Flash sale: N guest buyers on one hot SKU; confirmed orders/s, ack latency, the
    /// invariant confirmed + remaining = allocated.
    Flash(flash::Args),
    /// Localized product reads with wrk, beside /healthz and /livez.
    Catalog(catalog::Args),
    /// The per-order transaction baseline, straight against SQLite and PostgreSQL.
    Dbbase(dbbase::Args),
    /// N orders placed through the API, then exported: the export's rows/s and the server's
    /// resident memory before, during and after it (`--server-pid`).
    Export(export::Args),
    /// One session, V viewers, orders at rising rates; beside the bare and Node baselines.
    Fanout(fanout::Args),
    /// Resident memory per idle feed connection; beside the bare and Node baselines.
    Idle(idle::Args),
    /// Redraws the plots of every scenario in the results file (`--plots`, default docs/bench).
    Plot,
    /// Prints every table of the results file (as Markdown with `--markdown`).
    Summary {
        #[arg(long)]
        markdown: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let common = cli.common;
    let prior = read_results(&common.out)?;
    let report = match cli.command {
        Command::Flash(args) => flash::run(&common, args, &prior).await?,
        Command::Catalog(args) => catalog::run(&common, args).await?,
        Command::Dbbase(args) => dbbase::run(args).await?,
        Command::Export(args) => export::run(&common, args).await?,
        Command::Fanout(mut args) => {
            args.targets.take_common(&common);
            fanout::run(args).await?
        }
        Command::Idle(mut args) => {
            args.targets.take_common(&common);
            idle::run(args).await?
        }
        Command::Plot => {
            let dir = common
                .plots
                .clone()
                .unwrap_or_else(|| PathBuf::from("docs/bench"));
            return redraw(&prior, &dir);
        }
        Command::Summary { markdown } => {
            for (_, report) in prior.as_object().into_iter().flatten() {
                for table in report["tables"].as_array().into_iter().flatten() {
                    let table: Table = serde_json::from_value(table.clone())?;
                    println!("{}", render(&table, markdown));
                }
            }
            return Ok(());
        }
    };
    finish(&common, prior, report)
}

/// Prints the report's tables, merges it into the results file, draws its plots; fails when
/// the scenario recorded a failure.
fn finish(common: &Common, mut results: Value, report: Report) -> anyhow::Result<()> {
    for table in &report.tables {
        println!("{}", render(table, false));
    }
    if let Some(dir) = &common.plots {
        for series in &report.series {
            if let Some(path) = plot::draw(series, dir)? {
                println!("plot: {}", path.display());
            }
        }
    }
    let failure = report.data["failure"].as_str().map(str::to_owned);
    results[report.scenario.clone()] = serde_json::to_value(&report)?;
    write_results(&common.out, &results)?;
    println!(
        "results: {} (key \"{}\")",
        common.out.display(),
        report.scenario
    );
    if let Some(failure) = failure {
        bail!("{}: {failure}", report.scenario);
    }
    Ok(())
}

fn read_results(path: &Path) -> anyhow::Result<Value> {
    match std::fs::read(path) {
        Ok(raw) => {
            let v: Value = serde_json::from_slice(&raw)
                .with_context(|| format!("{} is not JSON; move it away", path.display()))?;
            if !v.is_object() {
                bail!("{} is not a JSON object of results", path.display());
            }
            Ok(v)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Object(Default::default())),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Writes through a temporary file in the same directory, so a crash never leaves half a file.
fn write_results(path: &Path, results: &Value) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer_pretty(&tmp, results)?;
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn redraw(results: &Value, dir: &Path) -> anyhow::Result<()> {
    let mut drawn = 0;
    for (_, report) in results.as_object().into_iter().flatten() {
        for series in report["series"].as_array().into_iter().flatten() {
            let series: report::Series = serde_json::from_value(series.clone())?;
            if let Some(path) = plot::draw(&series, dir)? {
                println!("plot: {}", path.display());
                drawn += 1;
            }
        }
    }
    println!("{drawn} plot(s) in {}", dir.display());
    Ok(())
}

/// A table as aligned text, or as Markdown.
fn render(table: &Table, markdown: bool) -> String {
    let mut widths: Vec<usize> = table.columns.iter().map(|c| c.chars().count()).collect();
    for row in &table.rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let w = widths.get(i).copied().unwrap_or(0);
                format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count())))
            })
            .collect();
        if markdown {
            format!("| {} |", padded.join(" | "))
        } else {
            format!("  {}", padded.join("  "))
        }
    };
    let mut out = if markdown {
        format!("**{}**\n\n", table.title)
    } else {
        format!("\n{}\n", table.title)
    };
    out.push_str(&line(&table.columns));
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&if markdown {
        format!("|-{}-|", rule.join("-|-"))
    } else {
        format!("  {}", rule.join("  "))
    });
    out.push('\n');
    for row in &table.rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}

/// A progress bar on stderr (hidden when stderr is not a terminal); a spinner when `len` is 0.
pub fn progress_bar(len: u64, message: &str) -> ProgressBar {
    let bar = if len == 0 {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::new(len)
    };
    let template = if len == 0 {
        "{spinner} {prefix} {msg} {elapsed}"
    } else {
        "{spinner} {prefix} [{bar:30}] {elapsed}/{duration} {msg}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// `12,345/s`-style figure: a rate with thousands separators.
pub fn fmt_rate(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    let digits = (v.round() as u64).to_string();
    let head = digits.len() - (digits.len() - 1) / 3 * 3;
    let mut out = digits[..head].to_owned();
    for group in digits.as_bytes()[head..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(group).unwrap_or_default());
    }
    out
}

/// Milliseconds with sensible precision.
pub fn fmt_ms(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Line, Series};

    fn report(scenario: &str, figure: f64) -> Report {
        Report {
            scenario: scenario.into(),
            tables: vec![Table {
                title: "t".into(),
                columns: vec!["a".into()],
                rows: vec![vec![figure.to_string()]],
            }],
            data: serde_json::json!({"figure": figure}),
            series: vec![Series {
                name: scenario.into(),
                title: "t".into(),
                x_label: "x".into(),
                y_label: "y".into(),
                lines: vec![Line {
                    name: "l".into(),
                    points: vec![(1.0, figure), (2.0, figure)],
                }],
            }],
        }
    }

    /// Each scenario's results go under its own key: a later run replaces its own key and keeps
    /// the others, and a recorded failure fails the command after the file is written.
    #[test]
    fn results_merge_by_scenario_and_failures_exit_non_zero() {
        let dir = tempfile::tempdir().expect("temp dir");
        let common = Common {
            servers: vec!["http://127.0.0.1:1".into()],
            admin_token: None,
            out: dir.path().join("results.json"),
            plots: Some(dir.path().join("plots")),
            server_pids: Vec::new(),
        };
        finish(
            &common,
            read_results(&common.out).expect("empty"),
            report("a", 1.0),
        )
        .expect("a");
        let prior = read_results(&common.out).expect("read");
        finish(&common, prior, report("b", 2.0)).expect("b");
        let prior = read_results(&common.out).expect("read");
        let mut failed = report("a", 3.0);
        failed.data["failure"] = serde_json::json!("oversold");
        let err = finish(&common, prior, failed).expect_err("a failure is an error");
        assert!(err.to_string().contains("oversold"), "{err}");
        let results = read_results(&common.out).expect("read");
        assert_eq!(results["a"]["data"]["figure"], 3.0);
        assert_eq!(results["b"]["data"]["figure"], 2.0);
        assert!(dir.path().join("plots/a.svg").exists());
    }

    /// A results file that is not JSON is refused rather than overwritten.
    #[test]
    fn a_results_file_that_is_not_json_is_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("results.json");
        std::fs::write(&path, "not json").expect("write");
        assert!(read_results(&path).is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "not json");
    }

    /// Rates get thousands separators; tables line up and render as Markdown.
    #[test]
    fn figures_and_tables_format() {
        assert_eq!(fmt_rate(12345.4), "12,345");
        assert_eq!(fmt_rate(999.6), "1,000");
        assert_eq!(fmt_rate(7.0), "7");
        assert_eq!(fmt_rate(100000.0), "100,000");
        assert_eq!(fmt_rate(1234567.0), "1,234,567");
        assert_eq!(fmt_ms(0.5), "0.50 ms");
        assert_eq!(fmt_ms(420.2), "420 ms");
        let table = Table {
            title: "T".into(),
            columns: vec!["buyers".into(), "p99".into()],
            rows: vec![vec!["2000".into(), "41 ms".into()]],
        };
        let md = render(&table, true);
        assert!(md.contains("| buyers | p99   |"), "{md}");
        assert!(md.contains("| 2000   | 41 ms |"), "{md}");
    }
}
