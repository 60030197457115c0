//! The SLA worker at scale: finding the next deadline among 1,000,000 open
//! cases' index entries, and the start-up catch-up of 10,000 overdue ones
//! (warning, breach and first escalation each, through the writer, durable).

use criterion::{Criterion, criterion_group, criterion_main};
use desk137_server::domain::catalog::Catalog;
use desk137_server::domain::clock::HOUR_MS;
use desk137_server::domain::lifecycle::open_case;
use desk137_server::domain::model::{Channel, NewCase, Urgency};
use desk137_server::domain::sla::SlaPolicy;
use desk137_server::sla_worker;
use desk137_server::store::{Store, StoreOptions, keys};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const INDEXED: u64 = 1_000_000;
const OVERDUE: u64 = 10_000;
const T0: i64 = 1_795_860_000_000;

/// A store whose deadline index holds `INDEXED` entries, spread over a week.
fn million_entries(dir: &Path) -> Store {
    {
        let db = sled::open(dir).expect("sled opens");
        let tree = db.open_tree("by_due").expect("the index tree");
        let mut batch = sled::Batch::default();
        for id in 1..=INDEXED {
            let due = T0 + i64::try_from((id * 7_919) % (7 * 24 * 3_600_000)).unwrap_or(0);
            batch.insert(keys::due_id(due, id).to_vec(), &[]);
            if id % 100_000 == 0 {
                tree.apply_batch(std::mem::take(&mut batch))
                    .expect("a batch");
            }
        }
        db.flush().expect("flushed");
    }
    Store::open(dir, StoreOptions::default()).expect("the store opens")
}

fn next_deadline(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = million_entries(dir.path());
    c.bench_function("sla/next_due/1M_entries", |b| {
        b.iter(|| black_box(store.next_due().expect("reads")))
    });
    store.close().expect("closes");
}

/// A store of `OVERDUE` urgent cases opened at T0, written without the flush
/// (the fill is not what is measured), then closed.
fn overdue_store(dir: &Path) {
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
        .find(|t| t.title_fa == "خطر سقوط اشیا")
        .expect("the topic");
    for n in 0..OVERDUE {
        let new = NewCase {
            request_id: format!("overdue-{n}"),
            channel: Channel::Phone,
            kind: topic.kind,
            urgency: Urgency::Urgent,
            topic_id: topic.id.clone(),
            description: "نمای ساختمان در حال ریزش است".into(),
            phone: "09131234567".into(),
            region: u32::try_from(n % 15).unwrap_or(0) + 1,
            address: "خیابان چهارباغ عباسی".into(),
            landmark: String::new(),
        };
        let opened = open_case(new, &catalog, &SlaPolicy::default(), T0, "agent1").expect("opens");
        store.create_case_blocking(opened).expect("written");
    }
    store.close().expect("closes");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("reads") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copies");
        }
    }
}

fn catch_up(c: &mut Criterion) {
    let template = tempfile::tempdir().expect("a temporary directory");
    overdue_store(template.path());
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let policy = SlaPolicy::default();
    let mut group = c.benchmark_group("sla/catch_up");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function("10k_overdue_urgent", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().expect("a temporary directory");
                copy_dir(template.path(), dir.path());
                let store = Store::open(dir.path(), StoreOptions::default()).expect("opens");
                let began = Instant::now();
                let applied = runtime
                    .block_on(sla_worker::catch_up(&store, &policy, T0 + 2 * HOUR_MS))
                    .expect("applies");
                total += began.elapsed();
                assert_eq!(applied, usize::try_from(OVERDUE).unwrap_or(0));
                store.close().expect("closes");
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, next_deadline, catch_up);
criterion_main!(benches);
