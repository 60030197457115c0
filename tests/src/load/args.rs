//! The command line of `desk137-load`.

use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// Drives a desk137 server over gRPC as a room of agents would, and reports
/// throughput, latency per RPC, errors and the server's CPU and memory.
///
/// Traffic goes only to loopback; the run stops by itself after --duration
/// or --max-calls.
#[derive(Debug, Clone, Parser)]
#[command(name = "desk137-load", version)]
pub struct Args {
    /// The server: an http:// URL on loopback (127.0.0.0/8, localhost, [::1]).
    #[arg(long, default_value = "http://127.0.0.1:7137")]
    pub server: String,
    /// How long to measure, after the warm-up: 30s, 2m, 500ms.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Calls made before measuring starts, to fill caches and connections.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub warmup: Duration,
    /// Agents working at once; each has its own connection.
    #[arg(long, default_value_t = 40)]
    pub agents: u32,
    /// Target calls per second of all agents together; 0: as fast as they
    /// can, to find saturation.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Mean think time of an agent between two calls, in ms (exponentially
    /// distributed); 0: none.
    #[arg(long, default_value_t = 0)]
    pub think_ms: u64,
    /// What a call does: mixed (history, create, get, list), read (the same
    /// reads, no writes), get (one GetCase), scale (history, get and lists
    /// on a store made by `gen`), moves, history (one CallerHistory),
    /// dashboard (one Snapshot), scorecards (one quarter's), callbacks (the
    /// next call-back and its outcome) or feed (creates and moves while
    /// --watchers watch the feed).
    #[arg(long, value_enum, default_value_t = Profile::Mixed)]
    pub profile: Profile,
    /// The bearer token the agents use (an agent's: CallerHistory is theirs;
    /// a supervisor's for the dashboard and scorecards profiles).
    #[arg(long, default_value = "agent1")]
    pub token: String,
    /// Profile feed: how many FeedService.Watch streams are held open.
    #[arg(long, default_value_t = 40)]
    pub watchers: u32,
    /// Profile feed: the bearer token of the watchers (a supervisor sees
    /// every case's events).
    #[arg(long, default_value = "supervisor1")]
    pub watch_token: String,
    /// Profile history: the share of calls from numbers never heard.
    #[arg(long, default_value_t = 0.1)]
    pub unknown_share: f64,
    /// Profile scorecards: the Jalali quarter asked for, `1404-3`.
    #[arg(long, default_value = "1404-3")]
    pub quarter: String,
    /// The server's process id, to report its CPU and memory.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Start `desk137-server --demo` (the binary next to this one) on a free
    /// loopback port, measure it, and stop it. --server is then ignored.
    #[arg(long)]
    pub spawn: bool,
    /// With --spawn: on (durable, as served), off (--no-flush), or both, one
    /// after the other, to show what the flush costs.
    #[arg(long, value_enum, default_value_t = FlushMode::On)]
    pub flush: FlushMode,
    /// With --spawn: the same as --flush off.
    #[arg(long)]
    pub no_flush: bool,
    /// With --spawn: serve this store (say, one made by `desk137-gen`)
    /// instead of a new temporary one.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Callers are drawn from this many citizens (the numbering of `gen`):
    /// the fewer, the more history each has.
    #[arg(long, default_value_t = 10_000)]
    pub citizens: u64,
    /// Profile read: cases created first when the store has fewer.
    #[arg(long, default_value_t = 2_000)]
    pub seed_cases: u64,
    /// Cases per ListCases page, as the queue screens ask (an agent's own
    /// recent cases are always 50, as that screen asks).
    #[arg(long, default_value_t = 100)]
    pub page_size: u32,
    /// Stop after this many calls even if --duration has not passed.
    #[arg(long, default_value_t = 5_000_000)]
    pub max_calls: u64,
    /// Print JSON instead of a table (and no progress bar).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Mixed,
    Read,
    Get,
    Scale,
    /// Opens a case, then moves it: two notes, each on the revision the
    /// last answer gave, durable like a create.
    Moves,
    /// One CallerHistory, of a known citizen or (--unknown-share) a number
    /// never heard.
    History,
    /// One DashboardService.Snapshot.
    Dashboard,
    /// One quarter's ScorecardService.Scorecards.
    Scorecards,
    /// NextCallBack, then the outcome: satisfaction, unreachable, or a release.
    Callbacks,
    /// A create and a move per call while --watchers watch the feed: the
    /// time from the answer (and from the call's start) to each watcher's
    /// receipt of the change's event.
    Feed,
}

impl Profile {
    /// Whether the agents call as a supervisor rather than an agent.
    pub fn supervises(self) -> bool {
        matches!(self, Self::Dashboard | Self::Scorecards)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlushMode {
    On,
    Off,
    Both,
}

impl Args {
    /// Checks what clap cannot: bounds, and that the target is loopback.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=2000).contains(&self.agents) {
            return Err("--agents must be 1 to 2000".into());
        }
        if self.duration.is_zero() || self.duration > Duration::from_secs(3600) {
            return Err("--duration must be more than 0 and at most 1h".into());
        }
        if self.warmup > Duration::from_secs(600) {
            return Err("--warmup must be at most 10m".into());
        }
        if !self.rate.is_finite() || self.rate < 0.0 {
            return Err("--rate must be 0 or a positive number".into());
        }
        if self.citizens == 0 || self.citizens > crate::r#gen::MAX_CITIZENS {
            return Err(format!(
                "--citizens must be 1 to {}",
                crate::r#gen::MAX_CITIZENS
            ));
        }
        if !(1..=500).contains(&self.page_size) {
            return Err("--page-size must be 1 to 500".into());
        }
        if !(0.0..=1.0).contains(&self.unknown_share) {
            return Err("--unknown-share must be 0 to 1".into());
        }
        if self.watchers > 2000 {
            return Err("--watchers must be at most 2000".into());
        }
        if self.max_calls == 0 {
            return Err("--max-calls must be at least 1".into());
        }
        if (self.no_flush || self.flush != FlushMode::On || self.data.is_some()) && !self.spawn {
            return Err("--flush, --no-flush and --data go with --spawn".into());
        }
        if !self.spawn {
            check_loopback(&self.server)?;
        }
        Ok(())
    }

    /// The flush settings to run with, in order.
    pub fn flush_runs(&self) -> Vec<bool> {
        match (self.no_flush, self.flush) {
            (true, _) | (false, FlushMode::Off) => vec![false],
            (false, FlushMode::On) => vec![true],
            (false, FlushMode::Both) => vec![true, false],
        }
    }
}

/// `http://` and a loopback host, or why not.
pub fn check_loopback(url: &str) -> Result<(), String> {
    let uri: tonic::codegen::http::Uri = url
        .parse()
        .map_err(|e| format!("--server {url:?} is not a URL: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!("--server {url:?} must start with http://"));
    }
    let host = uri.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(format!(
            "--server {url:?}: this load driver sends traffic only to loopback (127.0.0.0/8, localhost, [::1])"
        ))
    }
}

/// `30s`, `2m`, `500ms`, `1h`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: f64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 30s, 2m or 500ms"))?;
    let seconds = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("{s:?}: the unit must be ms, s, m or h")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("{s:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn only_loopback_is_a_target() {
        for ok in [
            "http://127.0.0.1:7137",
            "http://127.9.9.9:1",
            "http://localhost:7137",
            "http://[::1]:7137",
        ] {
            assert_eq!(check_loopback(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://10.0.0.5:7137",
            "http://192.168.1.2:7137",
            "http://example.org:7137",
            "https://127.0.0.1:7137",
            "127.0.0.1:7137",
            "not a url",
        ] {
            assert!(check_loopback(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_flush_runs() {
        let args = |extra: &[&str]| {
            Args::try_parse_from(["desk137-load", "--spawn"].iter().chain(extra)).unwrap()
        };
        assert_eq!(args(&[]).flush_runs(), [true]);
        assert_eq!(args(&["--no-flush"]).flush_runs(), [false]);
        assert_eq!(args(&["--flush", "both"]).flush_runs(), [true, false]);
        assert!(args(&["--agents", "0"]).check().is_err());
        assert!(args(&[]).check().is_ok());
        let remote =
            Args::try_parse_from(["desk137-load", "--server", "http://10.1.2.3:7137"]).unwrap();
        assert!(remote.check().is_err());
        let flush_without_spawn = Args::try_parse_from(["desk137-load", "--no-flush"]).unwrap();
        assert!(flush_without_spawn.check().is_err());
    }
}
