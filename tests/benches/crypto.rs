//! What confidentiality costs a create: the crypto the writer does for each
//! new case (the keyed hash of the number that finds its citizen, and for a
//! caller never heard the citizen id, a key of its own, wrapped, and the
//! number and its mask sealed), against the durable create it is part of,
//! 64 at once as at saturation, where the writer's group commit shares one
//! flush and the per-case work is what limits throughput.
//!
//! The creates come in two mixes of the same cases: every call from a new
//! number (the dearest case: a citizen record each time) and, as the real
//! center sees, mostly callers already known. A third run creates the same
//! cases with no number (a social-media case may have none): no hash, no
//! seal and no citizen record at all, an upper bound of what the number's
//! protection costs a create, records included.
//!
//! `cargo bench -p desk137-tests --bench crypto`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use desk137_server::crypto;
use desk137_server::domain::catalog::Catalog;
use desk137_server::domain::clock::{Clock, SystemClock};
use desk137_server::domain::lifecycle::{Opened, open_case};
use desk137_server::domain::model::{Channel, Kind, NewCase, Urgency};
use desk137_server::domain::sla::SlaPolicy;
use desk137_server::secrets::Secrets;
use desk137_server::store::{Store, StoreOptions};
use desk137_tests::r#gen::citizen_phone;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CONCURRENT: usize = 64;
/// Known callers: a pool this big is called over and over.
const KNOWN: u64 = 5_000;

static NEXT: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Callers {
    /// Every case from a number never heard.
    New,
    /// Every case from one of `KNOWN` callers, after the first round.
    Known,
    /// No number at all.
    None,
}

impl Callers {
    fn name(self) -> &'static str {
        match self {
            Self::New => "new_caller",
            Self::Known => "known_caller",
            Self::None => "no_number",
        }
    }
}

fn draft(catalog: &Catalog, callers: Callers) -> Opened {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let topic = &catalog.topics[(n % 40) as usize];
    let phone = match callers {
        // Far beyond any pool the known callers come from.
        Callers::New => citizen_phone(1_000_000 + n % 9_000_000),
        Callers::Known => citizen_phone(n % KNOWN),
        Callers::None => String::new(),
    };
    let new = NewCase {
        request_id: format!("crypto-{n}"),
        channel: if phone.is_empty() {
            Channel::Social
        } else {
            Channel::Phone
        },
        kind: topic.kind,
        urgency: if topic.kind == Kind::Executive && n.is_multiple_of(3) {
            Urgency::Urgent
        } else {
            Urgency::Normal
        },
        topic_id: topic.id.clone(),
        description: "وانت میوه‌فروش پیاده‌رو را بسته، از صبح".into(),
        phone,
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

/// The crypto of one create, alone: what `citizens::find_or_create` does
/// besides reading and writing its two trees.
fn per_create_crypto(c: &mut Criterion) {
    let secrets = Secrets::ephemeral().expect("keys");
    let mut group = c.benchmark_group("crypto/per_create");
    group.throughput(Throughput::Elements(1));
    let mut n = 0u64;
    group.bench_function("known_caller (hmac of the number)", |b| {
        b.iter(|| {
            n += 1;
            black_box(crypto::phone_index(&secrets, &citizen_phone(n % KNOWN)))
        })
    });
    group.bench_function(
        "new_caller (hmac, citizen id, key made and wrapped, number and mask sealed)",
        |b| {
            b.iter(|| {
                n += 1;
                let phone = citizen_phone(n % 9_000_000);
                let index = crypto::phone_index(&secrets, &phone);
                let id = crypto::new_citizen_id().expect("an id");
                let sealed = crypto::seal(&secrets, &id, &phone).expect("sealed");
                black_box((index, sealed))
            })
        },
    );
    // What the phone's formatting alone costs, to take out of the above.
    group.bench_function("the number formatted, no crypto", |b| {
        b.iter(|| {
            n += 1;
            black_box(citizen_phone(n % KNOWN))
        })
    });
    group.finish();
}

/// Durable creates, 64 at once, in the three mixes of callers.
fn durable_creates(c: &mut Criterion) {
    let catalog = Catalog::default_catalog().expect("the default catalog");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a runtime");
    let mut group = c.benchmark_group("crypto/durable_create_64_at_once");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(CONCURRENT as u64));
    for callers in [Callers::New, Callers::Known, Callers::None] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Store::open(dir.path(), StoreOptions::default()).expect("the store opens");
        if callers == Callers::Known {
            // Every known caller has their citizen record before measuring.
            for k in 0..KNOWN {
                let mut case = draft(&catalog, Callers::Known);
                case.case.phone = citizen_phone(k);
                store.create_case_blocking(case).expect("written");
            }
        }
        group.bench_function(BenchmarkId::from_parameter(callers.name()), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let drafts: Vec<Opened> =
                        (0..CONCURRENT).map(|_| draft(&catalog, callers)).collect();
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
        });
        store.close().expect("the store closes");
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = per_create_crypto, durable_creates
}
criterion_main!(benches);
