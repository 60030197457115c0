//! `desk137-gen`: fills a store with realistic synthetic cases, through the
//! store's own write path, for scale measurements. See `desk137-gen --help`.

use anyhow::Context as _;
use clap::Parser;
use desk137_tests::r#gen::{GenArgs, generate};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "desk137-gen",
    version,
    about = "Fill a desk137 store with synthetic cases"
)]
struct Cli {
    /// The store's directory (created if missing; cases are added to what is there).
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    #[command(flatten)]
    args: GenArgs,
}

fn main() -> anyhow::Result<()> {
    let Cli { data, args } = Cli::parse();
    eprintln!(
        "writing {} cases of {} citizens over {} years into {} (seed {})",
        args.cases,
        args.citizens,
        args.years,
        data.display(),
        args.seed
    );
    let report = generate(&data, &args, |done, elapsed| {
        let rate = done as f64 / elapsed.as_secs_f64().max(1e-9);
        eprintln!(
            "  {done:>10} cases  {:>7.1} s  {rate:>8.0} cases/s",
            elapsed.as_secs_f64()
        );
    })
    .with_context(|| format!("generating cases into {}", data.display()))?;
    let n = report.cases.max(1) as f64;
    println!(
        "{} cases (ids {}..={}) in {:.1} s: {:.0} cases/s; urgent {:.1}%, informational {:.1}%, open {:.1}%, {} scored, {} waiting for a call-back, {:.1} events a case, {} out of time order",
        report.cases,
        report.first_id,
        report.last_id,
        report.elapsed.as_secs_f64(),
        n / report.elapsed.as_secs_f64().max(1e-9),
        100.0 * report.urgent as f64 / n,
        100.0 * report.informational as f64 / n,
        100.0 * report.open as f64 / n,
        report.scored,
        report.call_backs,
        report.events as f64 / n,
        report.out_of_order
    );
    Ok(())
}
