//! Latencies per RPC, kept whole (one `u32` of microseconds per call) and
//! sorted once at the end: exact percentiles without a histogram's buckets.
//! Each agent keeps its own [`Recorder`]; they are merged after the run.

use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// Error messages kept per RPC, to show what went wrong without a flood.
const ERROR_SAMPLES: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct Series {
    micros: Vec<u32>,
    errors: u64,
    error_samples: Vec<String>,
}

impl Series {
    pub fn ok(&mut self, latency: Duration) {
        self.micros
            .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
    }

    pub fn error(&mut self, message: String) {
        self.errors += 1;
        if self.error_samples.len() < ERROR_SAMPLES && !self.error_samples.contains(&message) {
            self.error_samples.push(message);
        }
    }

    fn merge(&mut self, other: Series) {
        self.micros.extend(other.micros);
        self.errors += other.errors;
        for m in other.error_samples {
            if self.error_samples.len() < ERROR_SAMPLES && !self.error_samples.contains(&m) {
                self.error_samples.push(m);
            }
        }
    }
}

/// The latencies of every RPC kind, by name (`CreateCase`, `ListCases/unit`, ...).
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    series: BTreeMap<&'static str, Series>,
}

impl Recorder {
    pub fn series(&mut self, name: &'static str) -> &mut Series {
        self.series.entry(name).or_default()
    }

    pub fn merge(&mut self, other: Recorder) {
        for (name, s) in other.series {
            self.series.entry(name).or_default().merge(s);
        }
    }

    /// The summary of each RPC over a run of `elapsed`.
    pub fn summarize(self, elapsed: Duration) -> Vec<RpcSummary> {
        self.series
            .into_iter()
            .map(|(name, s)| RpcSummary::of(name.to_owned(), s, elapsed))
            .collect()
    }
}

/// One RPC's figures. Latencies in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RpcSummary {
    pub rpc: String,
    pub ok: u64,
    pub errors: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub error_samples: Vec<String>,
}

impl RpcSummary {
    fn of(rpc: String, mut s: Series, elapsed: Duration) -> Self {
        s.micros.sort_unstable();
        let ms = |us: u32| f64::from(us) / 1000.0;
        Self {
            rpc,
            ok: s.micros.len() as u64,
            errors: s.errors,
            per_second: s.micros.len() as f64 / elapsed.as_secs_f64().max(1e-9),
            p50_ms: ms(percentile(&s.micros, 0.50)),
            p99_ms: ms(percentile(&s.micros, 0.99)),
            p999_ms: ms(percentile(&s.micros, 0.999)),
            max_ms: ms(s.micros.last().copied().unwrap_or(0)),
            error_samples: s.error_samples,
        }
    }
}

/// The nearest-rank percentile `p` (0..=1) of sorted values; 0 when empty.
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u32> = (1..=1000).collect();
        assert_eq!(percentile(&v, 0.5), 500);
        assert_eq!(percentile(&v, 0.99), 990);
        assert_eq!(percentile(&v, 0.999), 999);
        assert_eq!(percentile(&v, 1.0), 1000);
        assert_eq!(percentile(&[7], 0.999), 7);
        assert_eq!(percentile(&[], 0.5), 0);
    }

    #[test]
    fn recorders_merge_and_summarize() {
        let mut a = Recorder::default();
        let mut b = Recorder::default();
        for us in 1..=100u64 {
            a.series("GetCase").ok(Duration::from_micros(us * 10));
        }
        b.series("GetCase").error("unavailable".into());
        b.series("GetCase").error("unavailable".into());
        b.series("CreateCase").ok(Duration::from_millis(3));
        a.merge(b);
        let s = a.summarize(Duration::from_secs(2));
        assert_eq!(s.len(), 2);
        let get = s.iter().find(|r| r.rpc == "GetCase").unwrap();
        assert_eq!((get.ok, get.errors), (100, 2));
        assert_eq!(get.error_samples, ["unavailable"]);
        assert_eq!(get.per_second, 50.0);
        assert_eq!((get.p50_ms, get.p99_ms, get.max_ms), (0.5, 0.99, 1.0));
        assert_eq!(
            s.iter().find(|r| r.rpc == "CreateCase").unwrap().p50_ms,
            3.0
        );
    }
}
