//! The call-back queue and the scorecards at scale: a quarter's scorecards
//! read from the kept tallies at two store sizes (the cost follows the
//! number of units, not of cases), and the next call-back handed to an
//! agent with 10,000 cases waiting and 40 agents holding leases.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use desk137_server::domain::catalog::Catalog;
use desk137_server::domain::lifecycle::open_case;
use desk137_server::domain::model::{CaseStatus, Channel, NewCase, Urgency};
use desk137_server::domain::quarter::Quarter;
use desk137_server::domain::sla::SlaPolicy;
use desk137_server::service::scorecards;
use desk137_server::store::callbacks::CallBacks;
use desk137_server::store::{Store, StoreOptions};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// 7 Azar 1405, autumn.
const T0: i64 = 1_795_860_000_000;
const SIZES: [u64; 2] = [10_000, 100_000];
const WAITING: u64 = 10_000;
const MINUTE: i64 = 60_000;

/// `count` executive cases of the quarter over every region, a third of
/// them resolved and scored, written through the writer from four threads.
fn fill(dir: &Path, count: u64, queued: bool) -> Store {
    let catalog = Catalog::default_catalog().expect("the default catalog");
    let store = Store::open(
        dir,
        StoreOptions {
            flush: false,
            ..StoreOptions::default()
        },
    )
    .expect("the store opens");
    let topic = catalog
        .topics
        .iter()
        .find(|t| t.title_fa == "سد معبر")
        .expect("the topic")
        .clone();
    std::thread::scope(|s| {
        for part in 0..4u64 {
            let (store, catalog, topic) = (store.clone(), &catalog, &topic);
            s.spawn(move || {
                for n in (part..count).step_by(4) {
                    let new = NewCase {
                        request_id: format!("b-{n}"),
                        channel: Channel::Phone,
                        kind: topic.kind,
                        urgency: if n % 10 == 0 {
                            Urgency::Urgent
                        } else {
                            Urgency::Normal
                        },
                        topic_id: topic.id.clone(),
                        description: "وانت پیاده‌رو را بسته".into(),
                        phone: "09131234567".into(),
                        region: u32::try_from(n % 15).unwrap_or(0) + 1,
                        address: "خیابان چهارباغ".into(),
                        landmark: String::new(),
                    };
                    let at = T0 + i64::try_from(n).unwrap_or(0) * 1_000;
                    let mut opened = open_case(new, catalog, &SlaPolicy::default(), at, "agent1")
                        .expect("opens");
                    if queued || n % 3 == 0 {
                        let f = &mut opened.case.feedback;
                        opened.case.status = CaseStatus::Resolved;
                        f.resolved_at_ms = at + 3_600_000;
                        f.call_due_ms = if queued { at } else { 0 };
                        if !queued {
                            opened.case.status = CaseStatus::Closed;
                            f.satisfaction = u8::try_from(n % 5).unwrap_or(0) + 1;
                        }
                    }
                    store.create_case_blocking(opened).expect("written");
                }
            });
        }
    });
    store
}

fn quarter_scorecards(c: &mut Criterion) {
    let catalog = Catalog::default_catalog().expect("the default catalog");
    let quarter = Quarter::of(T0);
    let mut group = c.benchmark_group("scorecards/quarter");
    let mut dirs = Vec::new();
    for count in SIZES {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = fill(dir.path(), count, false);
        let cards = scorecards::build(&store, &catalog, quarter).expect("reads");
        let total: u64 = cards.iter().map(|c| c.tally.cases).sum();
        assert_eq!(total, count);
        group.bench_with_input(BenchmarkId::from_parameter(count), &count, |b, _| {
            b.iter(|| black_box(scorecards::build(&store, &catalog, quarter).expect("reads")))
        });
        store.close().expect("closes");
        dirs.push(dir);
    }
    group.finish();
}

fn next_call_back(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = fill(dir.path(), WAITING, true);
    let queue = CallBacks::new(store.clone());
    let now = T0 + 3 * 3_600_000 * 24;
    // 40 agents on the line, each holding a case.
    for a in 0..40 {
        queue
            .next(&format!("agent{a}"), now, 10 * MINUTE)
            .expect("reads")
            .expect("a case");
    }
    // The figure asked for is a percentile: measured by hand, then criterion's mean.
    let mut times = Vec::with_capacity(20_000);
    for i in 0..20_000u32 {
        let agent = format!("caller{}", i % 200);
        let began = Instant::now();
        let handed = queue.next(&agent, now, 10 * MINUTE).expect("reads");
        times.push(began.elapsed());
        let handed = handed.expect("a case");
        queue.release(&agent, handed.case_id);
    }
    times.sort_unstable();
    let at = |p: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((times.len() as f64 * p) as usize).min(times.len() - 1);
        times[i]
    };
    println!(
        "callbacks/next with {WAITING} waiting, 40 leased: p50 {:?}, p99 {:?}, max {:?}",
        at(0.5),
        at(0.99),
        times[times.len() - 1]
    );
    c.bench_function("callbacks/next/10k_waiting_40_leased", |b| {
        let mut i = 0u32;
        b.iter(|| {
            i = i.wrapping_add(1);
            let agent = format!("bench{}", i % 200);
            let handed = queue.next(&agent, now, 10 * MINUTE).expect("reads");
            if let Some(h) = handed {
                queue.release(&agent, h.case_id);
            }
        })
    });
    store.close().expect("closes");
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = quarter_scorecards, next_call_back
}
criterion_main!(benches);
