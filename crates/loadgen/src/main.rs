//! `silkstream-loadgen`: the benchmark suite's load generator (docs/BENCHMARKS.md). Each
//! subcommand runs one scenario against a running server and its baselines, prints a summary
//! table and writes a JSON file.

mod report;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "silkstream-loadgen",
    about = "Drives a running Silkstream server as buyers and viewers do"
)]
struct Cli {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    anyhow::bail!("no scenario yet")
}
