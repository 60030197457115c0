//! The store on its own, without gRPC: writing a case (durable, as served,
//! and without the flush, to show what the flush costs; one writer alone and
//! 64 at once, where the group commit shares one flush), and the reads an
//! agent's screen makes on a store of 20,000 synthetic cases.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use desk137_server::domain::catalog::Catalog;
use desk137_server::domain::clock::{Clock, SystemClock};
use desk137_server::domain::lifecycle::{Opened, open_case};
use desk137_server::domain::model::{CaseStatus, Channel, Kind, NewCase, Urgency};
use desk137_server::domain::sla::SlaPolicy;
use desk137_server::store::{CaseFilter, Store, StoreOptions};
use desk137_tests::r#gen::{GenArgs, citizen_phone, generate};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const PREFILLED: u64 = 20_000;
const CITIZENS: u64 = 5_000;
const CONCURRENT: usize = 64;

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A case as the intake makes it for a new call, with a fresh request id.
fn draft(catalog: &Catalog) -> Opened {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let topic = &catalog.topics[(n % 40) as usize];
    let new = NewCase {
        request_id: format!("bench-{n}"),
        channel: Channel::Phone,
        kind: topic.kind,
        urgency: if topic.kind == Kind::Executive && n.is_multiple_of(3) {
            Urgency::Urgent
        } else {
            Urgency::Normal
        },
        topic_id: topic.id.clone(),
        description: "وانت میوه‌فروش پیاده‌رو را بسته، از صبح".into(),
        phone: citizen_phone(n % CITIZENS),
        region: (n % 15) as u32 + 1,
        address: "خیابان چهارباغ عباسی، کوچه ۱۲".into(),
        landmark: "روبه‌روی مسجد".into(),
    };
    open_case(
        new,
        catalog,
        &SlaPolicy::default(),
        SystemClock.now_ms(),
        "agent1",
    )
    .expect("a catalog topic opens a case")
}

fn open(flush: bool) -> (tempfile::TempDir, Store, Catalog) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(
        dir.path(),
        StoreOptions {
            flush,
            ..StoreOptions::default()
        },
    )
    .expect("the store opens");
    (
        dir,
        store,
        Catalog::default_catalog().expect("the default catalog"),
    )
}

fn create(c: &mut Criterion) {
    let mut group = c.benchmark_group("store/create");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    for flush in [true, false] {
        let name = if flush { "durable" } else { "no_flush" };
        let (_dir, store, catalog) = open(flush);
        group.throughput(Throughput::Elements(1));
        group.bench_function(BenchmarkId::new("one_writer", name), |b| {
            b.iter(|| {
                store
                    .create_case_blocking(draft(&catalog))
                    .expect("the case is written")
            })
        });

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .expect("a runtime");
        group.throughput(Throughput::Elements(CONCURRENT as u64));
        group.bench_function(
            BenchmarkId::new(format!("{CONCURRENT}_writers"), name),
            |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let drafts: Vec<Opened> =
                            (0..CONCURRENT).map(|_| draft(&catalog)).collect();
                        let began = Instant::now();
                        runtime.block_on(async {
                            let tasks: Vec<_> = drafts
                                .into_iter()
                                .map(|case| {
                                    let store = store.clone();
                                    tokio::spawn(async move { store.create_case(case).await })
                                })
                                .collect();
                            for task in tasks {
                                task.await
                                    .expect("the task runs")
                                    .expect("the case is written");
                            }
                        });
                        total += began.elapsed();
                    }
                    total
                })
            },
        );
        store.close().expect("the store closes");
    }
    group.finish();
}

fn read(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let args = GenArgs {
        cases: PREFILLED,
        citizens: CITIZENS,
        seed: 137,
        years: 2,
        cache_mb: 64,
        uncalled: 0.0,
    };
    generate(dir.path(), &args, |_, _| {}).expect("the synthetic cases are written");
    let store = Store::open(dir.path(), StoreOptions::default()).expect("the store opens");
    let units: Vec<String> = Catalog::default_catalog()
        .expect("the default catalog")
        .units
        .into_iter()
        .map(|u| u.id)
        .filter(|id| id.ends_with("urban_services"))
        .collect();

    let mut group = c.benchmark_group(format!("store/read_of_{PREFILLED}"));
    group.throughput(Throughput::Elements(1));
    let mut n = 0u64;
    group.bench_function("get_case", |b| {
        b.iter(|| {
            n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let id = n % PREFILLED + 1;
            black_box(
                store
                    .get_case(id)
                    .expect("a read")
                    .expect("the case exists"),
            )
        })
    });
    group.bench_function("caller_history", |b| {
        b.iter(|| {
            n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            black_box(
                store
                    .caller_history(&citizen_phone(n % CITIZENS), 20)
                    .expect("a read"),
            )
        })
    });
    for (name, filter) in [
        (
            "list_by_unit",
            Box::new(|i: u64| CaseFilter {
                unit_id: Some(units[i as usize % units.len()].clone()),
                ..CaseFilter::default()
            }) as Box<dyn Fn(u64) -> CaseFilter>,
        ),
        (
            "list_by_unit_open",
            Box::new(|i: u64| CaseFilter {
                unit_id: Some(units[i as usize % units.len()].clone()),
                open_only: true,
                ..CaseFilter::default()
            }),
        ),
        (
            "list_by_status",
            Box::new(|i: u64| CaseFilter {
                status: Some(
                    [
                        CaseStatus::Referred,
                        CaseStatus::Closed,
                        CaseStatus::InProgress,
                    ][i as usize % 3],
                ),
                ..CaseFilter::default()
            }),
        ),
    ] {
        let mut i = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                i += 1;
                black_box(store.list_cases(&filter(i), None, 50).expect("a read"))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, create, read);
criterion_main!(benches);
