//! `silkstream-loadgen`: the benchmark suite's load generator (docs/BENCHMARKS.md). Each
//! subcommand runs one scenario against a running server and its baselines, prints a summary
//! table and writes a JSON file.

mod fanout;
mod idle;
mod report;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "silkstream-loadgen",
    about = "Drives a running Silkstream server as buyers and viewers do"
)]
struct Cli {
    /// Where to write the scenario's JSON results.
    #[arg(long, global = true)]
    out: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// One session, V viewers, orders at rising rates; beside the bare and Node baselines.
    Fanout(fanout::Args),
    /// Resident memory per idle feed connection; beside the bare and Node baselines.
    Idle(idle::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let report = match cli.command {
        Command::Fanout(args) => fanout::run(args).await?,
        Command::Idle(args) => idle::run(args).await?,
    };
    for table in &report.tables {
        println!("\n{}\n{}", table.title, table.columns.join(" | "));
        for row in &table.rows {
            println!("{}", row.join(" | "));
        }
    }
    if let Some(out) = cli.out {
        std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    }
    Ok(())
}
