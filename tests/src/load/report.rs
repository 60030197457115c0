//! The figures of a run, as a table for people or JSON for scripts.

use super::args::Profile;
use super::procstat::Usage;
use super::stats::RpcSummary;
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub memory_gib: f64,
}

impl Machine {
    /// This machine, from `/proc/cpuinfo` and `/proc/meminfo`.
    pub fn this() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Self {
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            cpu_model: cpuinfo
                .lines()
                .find_map(|l| {
                    l.strip_prefix("model name")?
                        .split_once(':')
                        .map(|(_, v)| v.trim().to_owned())
                })
                .unwrap_or_else(|| "unknown".into()),
            memory_gib: super::procstat::status_kib(&meminfo, "MemTotal").unwrap_or(0) as f64
                / 1024.0
                / 1024.0,
        }
    }
}

/// One run against one server.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub profile: Profile,
    pub agents: u32,
    pub think_ms: u64,
    /// Target calls per second of all agents; 0: no limit.
    pub rate: f64,
    pub measured_seconds: f64,
    pub server: String,
    /// Known when this driver started the server: whether it flushes.
    pub flush: Option<bool>,
    /// From starting the server process until its health said SERVING.
    pub start_to_serving_ms: Option<f64>,
    /// The newest case id when the run began.
    pub cases_before: u64,
    pub calls: u64,
    pub calls_per_second: f64,
    pub rpcs_per_second: f64,
    pub reads_per_second: f64,
    pub errors: u64,
    pub rpcs: Vec<RpcSummary>,
    pub server_usage: Option<Usage>,
    pub driver_usage: Option<Usage>,
    /// How busy all cores of the machine were over the run (100 = all).
    pub machine_busy_percent: Option<f64>,
    /// With --spawn: the size of the store directory after the run.
    pub store_bytes: Option<u64>,
    /// What a profile counted beside its latencies.
    pub notes: Vec<String>,
}

impl RunReport {
    pub fn rpc(&self, name: &str) -> Option<&RpcSummary> {
        self.rpcs.iter().find(|r| r.rpc == name)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub command: String,
    pub runs: Vec<RunReport>,
}

fn flush_label(flush: Option<bool>) -> &'static str {
    match flush {
        Some(true) => "durable (flush before ack)",
        Some(false) => "NOT durable (--no-flush)",
        None => "unknown",
    }
}

pub fn table(report: &Report) -> String {
    let mut out = String::new();
    for run in &report.runs {
        let _ = writeln!(
            out,
            "\nprofile {:?}, {} agents, {}, {}, {:.0} s measured; server {} {}",
            run.profile,
            run.agents,
            if run.think_ms == 0 {
                "no think time".to_owned()
            } else {
                format!("think {} ms", run.think_ms)
            },
            if run.rate == 0.0 {
                "no rate limit".to_owned()
            } else {
                format!("{} calls/s target", run.rate)
            },
            run.measured_seconds,
            run.server,
            flush_label(run.flush),
        );
        let _ = writeln!(
            out,
            "{:<20} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "rpc", "ok", "errors", "per s", "p50 ms", "p99 ms", "p999 ms", "max ms"
        );
        for r in &run.rpcs {
            let _ = writeln!(
                out,
                "{:<20} {:>9} {:>7} {:>9.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                r.rpc, r.ok, r.errors, r.per_second, r.p50_ms, r.p99_ms, r.p999_ms, r.max_ms
            );
        }
        let _ = writeln!(
            out,
            "calls {} ({:.1}/s); RPCs {:.1}/s, of which reads {:.1}/s; errors {}",
            run.calls, run.calls_per_second, run.rpcs_per_second, run.reads_per_second, run.errors
        );
        for r in run.rpcs.iter().filter(|r| r.errors > 0) {
            let _ = writeln!(
                out,
                "  {} errors, e.g. {}",
                r.rpc,
                r.error_samples.join(" | ")
            );
        }
        if let Some(u) = &run.server_usage {
            let _ = writeln!(
                out,
                "server: CPU {:.0}% of one core ({:.1} s), RSS {:.1} MiB before, {:.1} MiB after, peak {:.1} MiB",
                u.cpu_percent, u.cpu_seconds, u.rss_before_mib, u.rss_after_mib, u.peak_rss_mib
            );
        }
        if let Some(ms) = run.start_to_serving_ms {
            let _ = writeln!(
                out,
                "server: started serving {ms:.0} ms after launch, on a store of {} cases",
                run.cases_before
            );
        }
        if let Some(bytes) = run.store_bytes {
            let _ = writeln!(
                out,
                "store: {:.1} MiB on disk after the run",
                bytes as f64 / 1024.0 / 1024.0
            );
        }
        if let Some(u) = &run.driver_usage {
            let _ = writeln!(
                out,
                "this driver: CPU {:.0}% of one core, RSS {:.1} MiB",
                u.cpu_percent, u.rss_after_mib
            );
        }
        if let Some(busy) = run.machine_busy_percent {
            let _ = writeln!(out, "machine: all cores {busy:.0}% busy during the run");
        }
        for note in &run.notes {
            let _ = writeln!(out, "{note}");
        }
    }
    if let [durable, fast] = &report.runs[..]
        && durable.flush == Some(true)
        && fast.flush == Some(false)
        && let (Some(d), Some(f)) = (durable.rpc("CreateCase"), fast.rpc("CreateCase"))
    {
        let _ = writeln!(
            out,
            "\nwhat the flush costs: CreateCase p50 {:.2} vs {:.2} ms, p99 {:.2} vs {:.2} ms; {:.1} vs {:.1} creates/s (durable vs not)",
            d.p50_ms, f.p50_ms, d.p99_ms, f.p99_ms, d.per_second, f.per_second
        );
    }
    let m = &report.machine;
    let _ = writeln!(
        out,
        "\nmachine: {} CPUs, {}, {:.1} GiB; server and driver on the same machine",
        m.cpus, m.cpu_model, m.memory_gib
    );
    let _ = writeln!(out, "command: {}", report.command);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(flush: bool, p99: f64) -> RunReport {
        RunReport {
            profile: Profile::Mixed,
            agents: 40,
            think_ms: 0,
            rate: 0.0,
            measured_seconds: 10.0,
            server: "http://127.0.0.1:1".into(),
            flush: Some(flush),
            start_to_serving_ms: Some(50.0),
            cases_before: 0,
            calls: 100,
            calls_per_second: 10.0,
            rpcs_per_second: 40.0,
            reads_per_second: 30.0,
            errors: 0,
            rpcs: vec![RpcSummary {
                rpc: "CreateCase".into(),
                ok: 100,
                errors: 0,
                per_second: 10.0,
                p50_ms: 1.0,
                p99_ms: p99,
                p999_ms: p99,
                max_ms: p99,
                error_samples: Vec::new(),
            }],
            server_usage: None,
            driver_usage: None,
            machine_busy_percent: None,
            store_bytes: None,
            notes: vec!["a note".into()],
        }
    }

    #[test]
    fn the_table_has_every_rpc_and_the_flush_comparison() {
        let report = Report {
            machine: Machine::this(),
            command: "desk137-load --spawn --flush both".into(),
            runs: vec![run(true, 7.5), run(false, 1.25)],
        };
        let text = table(&report);
        assert!(text.contains("CreateCase"), "{text}");
        assert!(text.contains("p99 7.50 vs 1.25 ms"), "{text}");
        assert!(text.contains("NOT durable"), "{text}");
        assert!(text.contains("a note"), "{text}");
        let json: serde_json::Value = serde_json::to_value(&report).unwrap();
        assert_eq!(json["runs"][0]["rpcs"][0]["p99_ms"], 7.5);
        assert_eq!(json["runs"][1]["flush"], false);
    }
}
