//! `desk137-load`: drives a desk137 server over gRPC as a room of agents
//! would, and reports throughput, latency per RPC (p50, p99, p999), errors,
//! and the server's CPU and memory. See `desk137-load --help`.
//!
//! One command reproduces a figure: `--spawn` starts the server binary that
//! sits next to this one on a free loopback port, measures it, and stops it.

use anyhow::Context as _;
use clap::Parser as _;
use desk137_tests::load;
use indicatif::{ProgressBar, ProgressStyle};
use load::args::{Args, Profile};
use load::report::{Machine, Report, RunReport, table};
use load::stats::Recorder;
use load::{calls, procstat, spawn, workload};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::time::Instant;

/// How long a spawned server may take to open its store and serve.
const START_TIMEOUT: Duration = Duration::from_secs(600);

fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(e) = args.check() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_all(&args)) {
        Ok(report) => {
            if args.json {
                match serde_json::to_string_pretty(&report) {
                    Ok(json) => println!("{json}"),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            } else {
                print!("{}", table(&report));
            }
            if report.runs.iter().any(|r| r.errors > 0) {
                eprintln!("some calls failed: see the errors column");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_all(args: &Args) -> anyhow::Result<Report> {
    let mut runs = Vec::new();
    if args.spawn {
        let server = spawn::server_binary()?;
        for flush in args.flush_runs() {
            let temp = tempfile::Builder::new().prefix("desk137-load-").tempdir()?;
            let data = args
                .data
                .clone()
                .unwrap_or_else(|| temp.path().join("store"));
            let log = temp.path().join("server.log");
            let mut extra: Vec<String> = Vec::new();
            if !flush {
                extra.push("--no-flush".into());
            }
            // A call-back lease is per user: each agent is one of its own.
            let own_agents = args.profile == Profile::Callbacks;
            if own_agents {
                let users = temp.path().join("users.toml");
                std::fs::write(&users, calls::users_file(args.agents))?;
                extra.extend(["--users".into(), users.display().to_string()]);
            }
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            let launched = Instant::now();
            let mut child = spawn::KillOnDrop(spawn::start(&server, &data, &extra, &log)?);
            let addr = spawn::wait_serving(&mut child.0, &log, START_TIMEOUT).await?;
            let start_to_serving = launched.elapsed();
            let mut run = run_one(
                args,
                &format!("http://{addr}"),
                Some(child.0.id()),
                own_agents,
            )
            .await?;
            spawn::stop(&mut child.0, Duration::from_secs(60)).context("stopping the server")?;
            run.flush = Some(flush);
            run.start_to_serving_ms = Some(start_to_serving.as_secs_f64() * 1000.0);
            run.store_bytes = Some(dir_bytes(&data));
            runs.push(run);
        }
    } else {
        runs.push(run_one(args, &args.server, args.server_pid, false).await?);
    }
    Ok(Report {
        machine: Machine::this(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        runs,
    })
}

async fn run_one(
    args: &Args,
    url: &str,
    server_pid: Option<u32>,
    agent_tokens: bool,
) -> anyhow::Result<RunReport> {
    let mut shared = workload::prepare(args, url).await?;
    shared.agent_tokens = agent_tokens;
    let cases_before = shared.max_id;
    workload::set_clock(&mut shared, args.warmup, args.duration);
    let shared = Arc::new(shared);

    // Profile feed: the watchers subscribe before the writers start, and
    // read on a little after they stop, for the last events.
    let mut watchers = Vec::new();
    if args.profile == Profile::Feed {
        let token = format!("Bearer {}", args.watch_token)
            .parse()
            .context("the watch token must be printable ASCII")?;
        let until = shared.end + calls::FEED_GRACE;
        for _ in 0..args.watchers {
            let channel = workload::channel(url)?;
            watchers.push(tokio::spawn(calls::watcher(
                channel,
                Clone::clone(&token),
                until,
            )));
        }
    }

    let mut agents = Vec::new();
    for i in 0..args.agents {
        let channel = workload::channel(url)?;
        agents.push(tokio::spawn(workload::agent(shared.clone(), channel, i)));
    }

    // CPU and memory over exactly the measured window.
    let (measure_from, end) = (shared.measure_from, shared.end);
    let sampler = tokio::spawn(async move {
        tokio::time::sleep_until(measure_from).await;
        let me = std::process::id();
        let before = (server_pid.map(procstat::sample), procstat::sample(me));
        let machine_before = procstat::machine_ticks();
        tokio::time::sleep_until(end).await;
        let after = (server_pid.map(procstat::sample), procstat::sample(me));
        let machine = machine_before
            .zip(procstat::machine_ticks())
            .map(|(b, a)| procstat::machine_busy_percent(b, a));
        (before, after, machine)
    });

    let bar = progress_bar(args);
    let ticker = {
        let (shared, bar) = (shared.clone(), bar.clone());
        tokio::spawn(async move {
            loop {
                let now = Instant::now();
                bar.set_position(now.duration_since(shared.start).as_secs());
                let calls = shared.calls.load(Ordering::Relaxed);
                let measured = now
                    .saturating_duration_since(shared.measure_from)
                    .as_secs_f64();
                bar.set_message(if measured > 0.0 {
                    format!(
                        "{calls} calls, {:.0}/s, {} errors",
                        calls as f64 / measured,
                        shared.errors.load(Ordering::Relaxed)
                    )
                } else {
                    "warming up".to_owned()
                });
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };

    let mut recorder = Recorder::default();
    for agent in agents {
        recorder.merge(agent.await.context("an agent task failed")?);
    }
    let (before, after, machine_busy_percent) =
        sampler.await.context("the sampling task failed")?;
    let mut notes = Vec::new();
    if args.profile == Profile::Feed {
        let mut receipts = Vec::new();
        for w in watchers {
            receipts.push(w.await.context("a watcher task failed")??);
        }
        let written = shared.written.lock().map(|w| w.clone()).unwrap_or_default();
        let (missed, early) = calls::feed_latencies(&written, &receipts, &mut recorder);
        notes.push(format!(
            "{} watchers, {} changes written in the window, {} receipts timed; {missed} receipts missing; {early} received before the writer had its answer (timed 0 from it)",
            receipts.len(),
            written.len(),
            receipts.iter().map(Vec::len).sum::<usize>(),
        ));
    }
    if args.profile == Profile::Callbacks {
        notes.push(format!(
            "cases due a call back, as NextCallBack counted them (at most {}): {} to {}",
            desk137_server::store::callbacks::COUNT_MAX,
            shared.waiting_min.load(Ordering::Relaxed),
            shared.waiting_max.load(Ordering::Relaxed)
        ));
    }
    if args.profile == Profile::Scorecards {
        let (cases, scored, units) = shared
            .scorecard_cases
            .lock()
            .map(|s| *s)
            .unwrap_or_default();
        notes.push(format!(
            "quarter {}: {cases} cases on the scorecards of {units} units, {scored} of them scored",
            args.quarter,
        ));
    }
    ticker.abort();
    bar.finish_and_clear();

    let usage = |b: Option<Result<procstat::Sample, procstat::ProcError>>,
                 a: Option<Result<procstat::Sample, procstat::ProcError>>|
     -> anyhow::Result<Option<procstat::Usage>> {
        match (b, a) {
            (Some(b), Some(a)) => Ok(Some(procstat::usage(&b?, &a?))),
            _ => Ok(None),
        }
    };
    let server_usage = usage(before.0, after.0).context("sampling the server process")?;
    let driver_usage = usage(Some(before.1), Some(after.1)).context("sampling this process")?;

    let rpcs = recorder.summarize(args.duration);
    let seconds = args.duration.as_secs_f64();
    // The feed's receipts are timed beside the RPCs, not counted as RPCs.
    let is_rpc = |r: &&load::stats::RpcSummary| !r.rpc.starts_with("Feed/");
    let ok: u64 = rpcs.iter().filter(is_rpc).map(|r| r.ok).sum();
    let reads: u64 = rpcs
        .iter()
        .filter(is_rpc)
        .filter(|r| {
            !matches!(
                r.rpc.as_str(),
                "CreateCase" | "MoveCase" | "RecordFeedback" | "ReleaseCallBack"
            )
        })
        .map(|r| r.ok)
        .sum();
    let calls = shared.calls.load(Ordering::Relaxed);
    Ok(RunReport {
        profile: args.profile,
        agents: args.agents,
        think_ms: args.think_ms,
        rate: args.rate,
        measured_seconds: seconds,
        server: url.to_owned(),
        flush: None,
        start_to_serving_ms: None,
        cases_before,
        calls,
        calls_per_second: calls as f64 / seconds,
        rpcs_per_second: ok as f64 / seconds,
        reads_per_second: reads as f64 / seconds,
        errors: rpcs.iter().map(|r| r.errors).sum(),
        rpcs,
        server_usage,
        driver_usage,
        machine_busy_percent,
        store_bytes: None,
        notes,
    })
}

fn progress_bar(args: &Args) -> ProgressBar {
    if args.json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new((args.warmup + args.duration).as_secs());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} s  {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// The bytes of every file under `dir` (what `du -sb` counts).
fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            Ok(_) => e.metadata().map_or(0, |m| m.len()),
            Err(_) => 0,
        })
        .sum()
}
