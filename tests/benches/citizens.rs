//! CallerHistory at scale, through the store: the keyed hash of the number,
//! its citizen record, the citizen's cases. The store is filled by
//! `desk137-gen` with `DESK137_BENCH_CASES` cases (default 200,000) among
//! `DESK137_BENCH_CITIZENS` callers (default 100,000), then every caller of a
//! sample is looked up once, and p50/p99 printed.
//!
//! `cargo bench -p desk137-tests --bench citizens`

use desk137_server::store::{Store, StoreOptions};
use desk137_tests::r#gen::{GenArgs, citizen_phone, generate};
use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn main() {
    let cases = env("DESK137_BENCH_CASES", 200_000);
    let citizens = env("DESK137_BENCH_CITIZENS", 100_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let began = Instant::now();
    let args = GenArgs {
        cases,
        citizens,
        seed: 137,
        years: 2,
        cache_mb: 64,
        uncalled: 0.0,
    };
    generate(dir.path(), &args, |_, _| {}).expect("the synthetic cases are written");
    println!(
        "filled {cases} cases of {citizens} callers in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    let store = Store::open(dir.path(), StoreOptions::default()).expect("the store opens");
    println!("{} citizen records", store.citizen_count());
    let mut times = Vec::new();
    for round in 0..2 {
        times.clear();
        for k in (0..citizens).step_by((citizens / 20_000).max(1) as usize) {
            let phone = citizen_phone(k);
            let t = Instant::now();
            let history = store.caller_history(&phone, 20).expect("the history reads");
            times.push(t.elapsed());
            std::hint::black_box(history);
        }
        times.sort_unstable();
        if round == 1 {
            println!(
                "caller_history over {} callers: p50 {:?}, p99 {:?}, max {:?}",
                times.len(),
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                times.last().copied().unwrap_or_default()
            );
        }
    }
    store.close().expect("the store closes");
}
