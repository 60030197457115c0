//! CPU time and memory of a process, read from `/proc/PID/stat` and
//! `/proc/PID/status` (Linux).

use serde::Serialize;
use std::time::Instant;

/// The kernel reports CPU time in USER_HZ ticks, 100 a second on every
/// architecture Linux runs desk137 on (x86-64, ARM64, RISC-V).
const TICKS_PER_SECOND: f64 = 100.0;

#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub at: Instant,
    /// User plus system CPU time, in ticks.
    pub cpu_ticks: u64,
    /// Resident memory now.
    pub rss_kib: u64,
    /// The most resident memory the process ever had (VmHWM).
    pub peak_rss_kib: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ProcError {
    #[error("reading /proc/{pid}: {source}")]
    Read {
        pid: u32,
        #[source]
        source: std::io::Error,
    },
    #[error("/proc/{0}/stat has no CPU times where expected")]
    Stat(u32),
}

/// A sample of process `pid` now.
pub fn sample(pid: u32) -> Result<Sample, ProcError> {
    let read = |file: &str| {
        std::fs::read_to_string(format!("/proc/{pid}/{file}"))
            .map_err(|source| ProcError::Read { pid, source })
    };
    let at = Instant::now();
    let cpu_ticks = cpu_ticks(&read("stat")?).ok_or(ProcError::Stat(pid))?;
    let status = read("status")?;
    Ok(Sample {
        at,
        cpu_ticks,
        rss_kib: status_kib(&status, "VmRSS").unwrap_or(0),
        peak_rss_kib: status_kib(&status, "VmHWM").unwrap_or(0),
    })
}

/// utime + stime from the text of `/proc/PID/stat`. The command name in
/// brackets may hold spaces, so fields are counted after its closing `)`:
/// there `state` is the first, utime the 12th and stime the 13th.
pub fn cpu_ticks(stat: &str) -> Option<u64> {
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// A `kB` line of `/proc/PID/status`, such as `VmRSS:   123456 kB`.
pub fn status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// CPU ticks of the whole machine: (busy, total), from the first line of
/// `/proc/stat` (busy is all but idle and iowait).
pub fn machine_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .map(|t| t.parse().ok())
        .collect::<Option<_>>()?;
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3)? + ticks.get(4)?;
    Some((total.saturating_sub(idle), total))
}

/// How busy every core of the machine was between two [`machine_ticks`],
/// 100 = all of them all the time.
pub fn machine_busy_percent(before: (u64, u64), after: (u64, u64)) -> f64 {
    let busy = after.0.saturating_sub(before.0) as f64;
    let total = after.1.saturating_sub(before.1) as f64;
    if total > 0.0 {
        100.0 * busy / total
    } else {
        0.0
    }
}

/// What a process used between two samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Usage {
    /// CPU over the interval, 100 = one core busy the whole time.
    pub cpu_percent: f64,
    pub cpu_seconds: f64,
    pub rss_before_mib: f64,
    pub rss_after_mib: f64,
    pub peak_rss_mib: f64,
}

pub fn usage(before: &Sample, after: &Sample) -> Usage {
    let cpu_seconds = after.cpu_ticks.saturating_sub(before.cpu_ticks) as f64 / TICKS_PER_SECOND;
    let wall = after.at.duration_since(before.at).as_secs_f64().max(1e-9);
    let mib = |kib: u64| kib as f64 / 1024.0;
    Usage {
        cpu_percent: 100.0 * cpu_seconds / wall,
        cpu_seconds,
        rss_before_mib: mib(before.rss_kib),
        rss_after_mib: mib(after.rss_kib),
        peak_rss_mib: mib(after.peak_rss_kib.max(before.peak_rss_kib)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn parses_stat_with_a_name_that_has_spaces_and_brackets() {
        let stat =
            "4242 (desk 137) (x)) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 75 0 0 20 0 9 0 123 0 0";
        assert_eq!(cpu_ticks(stat), Some(325));
        assert_eq!(cpu_ticks("4242 (short"), None);
    }

    #[test]
    fn parses_status_lines() {
        let status = "Name:\tdesk137-server\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
        assert_eq!(status_kib(status, "VmRSS"), Some(102_400));
        assert_eq!(status_kib(status, "VmHWM"), Some(204_800));
        assert_eq!(status_kib(status, "VmSwap"), None);
    }

    #[test]
    fn the_machine_is_sampled() {
        let before = machine_ticks().unwrap();
        let after = machine_ticks().unwrap();
        assert!(after.1 >= before.1 && after.0 >= before.0);
        assert_eq!(machine_busy_percent((10, 100), (60, 200)), 50.0);
        assert_eq!(machine_busy_percent((10, 100), (10, 100)), 0.0);
    }

    #[test]
    fn this_process_can_be_sampled() {
        let before = sample(std::process::id()).unwrap();
        let mut x = 0u64;
        let spin = Instant::now();
        while spin.elapsed() < Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let after = sample(std::process::id()).unwrap();
        let u = usage(&before, &after);
        assert!(u.rss_after_mib > 0.0 && u.peak_rss_mib >= u.rss_after_mib);
        assert!(u.cpu_percent >= 0.0 && u.cpu_seconds < 10.0, "{u:?}");
    }
}
