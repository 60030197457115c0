//! Synthetic cases for measuring the store at the size of years of Isfahan.
//!
//! `desk137-gen --cases N --data DIR` fills a store with cases spread
//! over Jalali years (more by day than by night), weighted towards the
//! frequent topics («سد معبر» first), over the 15 regions, from a pool of
//! citizens in which some call often, each with the timeline it would have
//! by the end of the span, each step made by the domain's own move. Cases are
//! written through the store's own writer, so every index, citizen record
//! (HMAC-keyed, sealed under the key file beside the store, as the server
//! keeps it), dashboard figure, scorecard tally and call-back entry is the one
//! a real `CreateCase` and its moves make; only the flush per case is left
//! out, and the store is flushed once at the end.
//!
//! The same seed gives the same cases. [`citizen_phone`] gives the phone of
//! any citizen of the pool, so a load run can ask for histories that exist.

use desk137_server::domain::access::Caller;
use desk137_server::domain::catalog::Catalog;
use desk137_server::domain::clock::{HOUR_MS, Millis};
use desk137_server::domain::feedback::CallBackPolicy;
use desk137_server::domain::lifecycle::{Opened, open_case};
use desk137_server::domain::model::{CaseStatus, Channel, Kind, NewCase, Role, Urgency};
use desk137_server::domain::move_case::{self, MoveInput, World};
use desk137_server::domain::moves::{DelayReason, FirstResponse, Move, RejectKind};
use desk137_server::domain::sla::SlaPolicy;
use desk137_server::domain::text::persian_digits;
use desk137_server::store::{Store, StoreError, StoreOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cell::Cell;
use std::collections::VecDeque;
use std::path::Path;
use std::time::{Duration, Instant};

const MINUTE_MS: Millis = 60_000;
const DAY_MS: Millis = 24 * HOUR_MS;
/// 1 Farvardin 1405, 00:00 in Tehran: the default end of the generated span.
pub const DEFAULT_END_MS: Millis = 1_774_038_600_000;
/// The most citizens [`citizen_phone`] can number without repeating a phone.
pub const MAX_CITIZENS: u64 = 10_000_000;
/// Cases queued to the writer at once.
const WINDOW: usize = 2048;
/// The share of calls that come from the frequent callers.
const FREQUENT_SHARE: f64 = 0.25;
/// The frequent callers are this share of the pool.
const FREQUENT_POOL: f64 = 0.02;

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("catalog: {0}")]
    Catalog(#[from] desk137_server::domain::catalog::CatalogError),
    #[error("{0}")]
    Invalid(String),
    #[error("the writer runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// What `desk137-gen` writes.
#[derive(Debug, Clone, clap::Args)]
pub struct GenArgs {
    /// How many cases to write.
    #[arg(long)]
    pub cases: u64,
    /// How many distinct citizens call.
    #[arg(long, default_value_t = 1_000_000)]
    pub citizens: u64,
    /// The same seed gives the same cases.
    #[arg(long, default_value_t = 137)]
    pub seed: u64,
    /// How many years the cases span, ending at Nowruz 1405.
    #[arg(long, default_value_t = 2)]
    pub years: u32,
    /// sled's page cache while writing, in MiB.
    #[arg(long, default_value_t = 256)]
    pub cache_mb: u64,
    /// The share of resolved cases 137 has not called back yet, whenever
    /// they were resolved: a backlog in the call-back queue.
    #[arg(long, default_value_t = 0.0)]
    pub uncalled: f64,
}

/// What a run wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenReport {
    pub cases: u64,
    pub urgent: u64,
    pub informational: u64,
    pub open: u64,
    /// Closed with the citizen's satisfaction: counted in a unit's score.
    pub scored: u64,
    /// Waiting for the call-back at the end of the span.
    pub call_backs: u64,
    pub events: u64,
    /// Cases whose id does not follow their time order; 0 when the writer
    /// kept the submission order, as it should.
    pub out_of_order: u64,
    pub first_id: u64,
    pub last_id: u64,
    pub elapsed: Duration,
}

/// The phone of citizen `k` (`k < MAX_CITIZENS`): distinct for every `k`,
/// mostly Isfahan's 0913 mobiles, digits scattered as real numbers are.
pub fn citizen_phone(k: u64) -> String {
    const PREFIXES: [&str; 10] = [
        "0913", "0913", "0913", "0913", "0913", "0913", "0912", "0935", "0990", "0937",
    ];
    // An odd multiplier not divisible by 5 is a bijection on 0..10^7.
    let digits = (k % MAX_CITIZENS)
        .wrapping_mul(7_919_111)
        .wrapping_add(1_234_567)
        % MAX_CITIZENS;
    let prefix = PREFIXES[(k % PREFIXES.len() as u64) as usize];
    format!("{prefix}{digits:07}")
}

/// The citizen index of the `i`th frequent caller of a pool of `citizens`:
/// frequent callers are spread over the pool, not its first numbers.
pub fn frequent_citizen(i: u64, citizens: u64) -> u64 {
    let pool = frequent_pool(citizens);
    (i % pool).wrapping_mul(citizens / pool) % citizens.max(1)
}

fn frequent_pool(citizens: u64) -> u64 {
    ((citizens as f64 * FREQUENT_POOL) as u64).max(1)
}

/// Share of calls in each hour of a Tehran day: quiet at night, busiest in
/// the working morning, a second wave in the evening.
const HOURLY: [f64; 24] = [
    1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 4.5, 6.0, 6.5, 6.5, 6.0, 5.5, 5.0, 5.0, 5.0, 5.5, 6.0,
    6.0, 5.0, 4.0, 3.0, 2.0,
];

const STREETS: [&str; 20] = [
    "خیابان چهارباغ عباسی",
    "خیابان حکیم نظامی",
    "خیابان کاوه",
    "خیابان جی",
    "خیابان بزرگمهر",
    "خیابان میر",
    "خیابان شمس‌آبادی",
    "خیابان احمدآباد",
    "خیابان رباط",
    "خیابان سجاد",
    "خیابان آتشگاه",
    "خیابان هزارجریب",
    "خیابان ملاصدرا",
    "خیابان کهندژ",
    "خیابان زینبیه",
    "بلوار کشاورز",
    "بلوار آئینه‌خانه",
    "خیابان توحید",
    "خیابان امام خمینی",
    "خیابان سروش",
];

const LANDMARKS: [&str; 10] = [
    "روبه‌روی مسجد",
    "کنار نانوایی",
    "نبش کوچه",
    "جنب داروخانه",
    "پشت مدرسه",
    "روبه‌روی پارک",
    "کنار ایستگاه اتوبوس",
    "جنب بانک",
    "نزدیک میدان",
    "روبه‌روی درمانگاه",
];

const ADDENDA: [&str; 8] = [
    "",
    "از دیروز",
    "چند روز است",
    "لطفاً رسیدگی کنید",
    "همسایه‌ها هم شاکی هستند",
    "بار دوم است که تماس می‌گیرم",
    "خطرناک است",
    "شب‌ها بدتر است",
];

/// A weighted choice by binary search over cumulative weights.
struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
}

impl<T> Weighted<T> {
    fn new(pairs: impl IntoIterator<Item = (T, f64)>) -> Option<Self> {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0.0;
        for (item, weight) in pairs {
            total += weight.max(0.0);
            items.push(item);
            cumulative.push(total);
        }
        (total > 0.0).then_some(Self { items, cumulative })
    }

    fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    /// The item at point `x` of `0..total`.
    fn at(&self, x: f64) -> &T {
        let i = self
            .cumulative
            .partition_point(|&c| c <= x)
            .min(self.items.len() - 1);
        &self.items[i]
    }

    fn pick(&self, rng: &mut StdRng) -> &T {
        self.at(rng.random::<f64>() * self.total())
    }
}

/// What a generator needs from the catalog, prepared once.
struct Plan<'a> {
    catalog: &'a Catalog,
    executive: Weighted<usize>,
    informational: Weighted<usize>,
    regions: Weighted<u32>,
    hours: Weighted<usize>,
    citizens: u64,
    agents: u32,
    uncalled: f64,
    /// How many calls went round the pool so far.
    next_caller: Cell<u64>,
}

impl<'a> Plan<'a> {
    fn new(catalog: &'a Catalog, citizens: u64, uncalled: f64) -> Result<Self, GenError> {
        // Topics in catalog order are roughly in order of frequency: a Zipf
        // law over that order puts «سد معبر» first.
        let zipf = |kind: Kind| {
            Weighted::new(
                catalog
                    .topics
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.kind == kind)
                    .enumerate()
                    .map(|(rank, (i, _))| (i, 1.0 / (rank as f64 + 1.0).powf(0.9))),
            )
        };
        let executive = zipf(Kind::Executive)
            .ok_or_else(|| GenError::Invalid("the catalog has no executive topic".into()))?;
        let informational = zipf(Kind::Informational)
            .ok_or_else(|| GenError::Invalid("the catalog has no informational topic".into()))?;
        // Central and larger regions call more.
        let regions = Weighted::new(
            catalog
                .regions
                .iter()
                .map(|r| (r.number, 1.0 + ((r.number * 7) % 5) as f64 * 0.3)),
        )
        .ok_or_else(|| GenError::Invalid("the catalog has no region".into()))?;
        let hours = Weighted::new(HOURLY.iter().enumerate().map(|(h, &w)| (h, w)))
            .ok_or_else(|| GenError::Invalid("no hourly weights".into()))?;
        Ok(Self {
            catalog,
            executive,
            informational,
            regions,
            hours,
            citizens,
            agents: 40,
            uncalled,
            next_caller: Cell::new(0),
        })
    }

    /// The time of case `i` of `n` spread over `days` from `start_ms`: an
    /// even share per day, placed in the day by the hourly weights. Grows
    /// with `i`, so ids follow time.
    fn time(&self, i: u64, n: u64, days: u64, start_ms: Millis) -> Millis {
        let x = (i as f64 + 0.5) * days as f64 / n as f64;
        let day = x.floor();
        let within = (x - day) * self.hours.total();
        let hour = *self.hours.at(within);
        let before: f64 = HOURLY[..hour].iter().sum();
        let into_hour = ((within - before) / HOURLY[hour]).clamp(0.0, 1.0);
        start_ms
            + day as Millis * DAY_MS
            + hour as Millis * HOUR_MS
            + (into_hour * HOUR_MS as f64) as Millis
    }

    /// The other callers go round the pool in order, so a store with more
    /// such calls than citizens has every citizen of the pool (a load run
    /// that asks for any citizen's history finds one), and their phones are
    /// scattered by [`citizen_phone`] all the same.
    fn caller(&self, rng: &mut StdRng) -> u64 {
        if rng.random::<f64>() < FREQUENT_SHARE {
            frequent_citizen(
                rng.random_range(0..frequent_pool(self.citizens)),
                self.citizens,
            )
        } else {
            let n = self.next_caller.get();
            self.next_caller.set(n + 1);
            n % self.citizens
        }
    }

    /// One case as an agent would have opened it at `at`, its life up to `end`.
    fn case(
        &self,
        rng: &mut StdRng,
        seed: u64,
        i: u64,
        at: Millis,
        end: Millis,
    ) -> Result<Opened, GenError> {
        let informational = rng.random::<f64>() < 0.25;
        let topic_index = *if informational {
            self.informational.pick(rng)
        } else {
            self.executive.pick(rng)
        };
        let topic = &self.catalog.topics[topic_index];
        let urgency = if topic.kind == Kind::Executive
            && (topic.default_urgency == Urgency::Urgent || rng.random::<f64>() < 0.12)
        {
            Urgency::Urgent
        } else {
            Urgency::Normal
        };
        let channel = match rng.random_range(0..100) {
            0..75 => Channel::Phone,
            75..85 => Channel::App,
            85..93 => Channel::Portal,
            _ => Channel::Social,
        };
        let phone = if channel == Channel::Social && rng.random::<bool>() {
            String::new()
        } else {
            citizen_phone(self.caller(rng))
        };
        let synonym = if topic.synonyms_fa.is_empty() {
            topic.title_fa.as_str()
        } else {
            topic.synonyms_fa[rng.random_range(0..topic.synonyms_fa.len())].as_str()
        };
        let addendum = ADDENDA[rng.random_range(0..ADDENDA.len())];
        let description = if addendum.is_empty() {
            synonym.to_owned()
        } else {
            format!("{synonym}، {addendum}")
        };
        let address = persian_digits(&format!(
            "{}، کوچه {}، پلاک {}",
            STREETS[rng.random_range(0..STREETS.len())],
            rng.random_range(1..60),
            rng.random_range(1..200)
        ));
        let landmark = if rng.random::<f64>() < 0.4 {
            LANDMARKS[rng.random_range(0..LANDMARKS.len())].to_owned()
        } else {
            String::new()
        };
        let agent = format!("agent{}", rng.random_range(1..=self.agents));
        let new = NewCase {
            request_id: format!("gen-{seed}-{i}"),
            channel,
            kind: topic.kind,
            urgency,
            topic_id: topic.id.clone(),
            description,
            phone,
            region: *self.regions.pick(rng),
            address,
            landmark,
        };
        let mut case = open_case(new, self.catalog, &SlaPolicy::default(), at, &agent)
            .map_err(|e| GenError::Invalid(e.to_string()))?;
        if case.case.kind == Kind::Executive {
            let end = if self.uncalled > 0.0 && rng.random::<f64>() < self.uncalled {
                Life::UntilCallBack(end)
            } else {
                Life::Until(end)
            };
            live(rng, &mut case, self.catalog, end, &agent);
        }
        Ok(case)
    }
}

/// How much of a case's life is written.
#[derive(Debug, Clone, Copy)]
enum Life {
    /// Every step up to this time.
    Until(Millis),
    /// The same, but none of 137's call-back: the case waits for its call.
    UntilCallBack(Millis),
}

/// One step of a case's life: who makes which move at `at`.
struct Step {
    at: Millis,
    role: Role,
    mv: Move,
    input: MoveInput,
}

/// Walks an executive case through the unit's work and the call-back,
/// keeping the steps that happened before `end`. Each step goes through the
/// domain's own move (`move_case::apply`), so the head carries the clocks,
/// the call-back state and the score a served case would have, and the
/// store's dashboard, scorecard and call-back counters count it as the
/// server's would.
fn live(rng: &mut StdRng, opened: &mut Opened, catalog: &Catalog, life: Life, agent: &str) {
    let unit = opened.case.unit_id.clone();
    let urgent = opened.case.urgency == Urgency::Urgent;
    let mut t = opened.case.created_at_ms;
    let mut steps: Vec<Step> = Vec::new();
    let mut step = |at: Millis, role: Role, mv: Move, input: MoveInput| {
        steps.push(Step {
            at,
            role,
            mv,
            input,
        });
    };
    let note = |s: &str| MoveInput {
        note: s.to_owned(),
        ..MoveInput::default()
    };
    t += if urgent {
        rng.random_range(5..30) * MINUTE_MS
    } else {
        rng.random_range(30..24 * 60) * MINUTE_MS
    };
    step(t, Role::Unit, Move::Acknowledge, MoveInput::default());
    if rng.random::<f64>() < 0.03 {
        t += rng.random_range(1..48) * HOUR_MS;
        step(
            t,
            Role::Unit,
            Move::Reject,
            MoveInput {
                reject_kind: Some(RejectKind::FalseReport),
                ..note("گزارش واقعی نبود")
            },
        );
    } else {
        let stuck = rng.random::<f64>() < 0.05;
        if urgent {
            t += rng.random_range(20..130) * MINUTE_MS;
            step(t, Role::Unit, Move::Arrive, MoveInput::default());
        }
        let needs_time = stuck || rng.random::<f64>() < 0.25;
        t += rng.random_range(2..if urgent { 20 } else { 110 }) * HOUR_MS;
        if needs_time && !urgent {
            step(
                t,
                Role::Unit,
                Move::Respond,
                MoveInput {
                    response: Some(FirstResponse::NeedsTime),
                    promised_ms: t + 48 * HOUR_MS,
                    delay_reason: Some(DelayReason::NeedsBudget),
                    ..note("نیاز به زمان بیشتر")
                },
            );
            t += rng.random_range(1..100) * HOUR_MS;
        }
        if !stuck {
            if urgent || needs_time {
                step(t, Role::Unit, Move::Resolve, MoveInput::default());
            } else {
                step(
                    t,
                    Role::Unit,
                    Move::Respond,
                    MoveInput {
                        response: Some(FirstResponse::Done),
                        ..MoveInput::default()
                    },
                );
            }
            t += rng.random_range(12..96) * HOUR_MS;
            if rng.random::<f64>() < 0.1 {
                step(t, Role::Agent, Move::Unreachable, MoveInput::default());
                t += rng.random_range(4..24) * HOUR_MS;
            }
            let score = rng.random_range(1..=5u8);
            step(
                t,
                Role::Agent,
                Move::Feedback,
                MoveInput {
                    satisfaction: score,
                    ..note(&persian_digits(&format!("رضایت {score} از ۵")))
                },
            );
            if score <= 2 && rng.random::<f64>() < 0.3 {
                t += rng.random_range(24..240) * HOUR_MS;
                step(
                    t,
                    Role::Agent,
                    Move::Reopen,
                    note("شهروند درخواست اصلاح کرد"),
                );
                t += rng.random_range(24..120) * HOUR_MS;
                step(t, Role::Unit, Move::Resolve, MoveInput::default());
                t += rng.random_range(12..72) * HOUR_MS;
                step(
                    t,
                    Role::Agent,
                    Move::Feedback,
                    MoveInput {
                        satisfaction: rng.random_range(1..=5u8),
                        ..MoveInput::default()
                    },
                );
            }
        }
    }
    let policy = SlaPolicy::default();
    let callback = CallBackPolicy::default();
    for Step {
        at,
        role,
        mv,
        mut input,
    } in steps.into_iter().take_while(|s| match life {
        Life::Until(end) => s.at <= end,
        Life::UntilCallBack(end) => s.at <= end && s.role != Role::Agent,
    }) {
        let caller = Caller {
            name: if role == Role::Unit {
                unit.clone()
            } else {
                agent.to_owned()
            },
            role,
            unit_id: if role == Role::Unit {
                unit.clone()
            } else {
                String::new()
            },
        };
        let world = World {
            catalog,
            policy: &policy,
            now: at,
            duplicate_id: None,
            follow_up_is_dispatcher: false,
            callback: &callback,
        };
        input.revision = opened.case.revision;
        // A step the table refuses (none should) ends the life there: what
        // was applied is still a case the server could have.
        match move_case::apply(&opened.case, &caller, mv, &input, &world) {
            Ok((case, events)) => {
                opened.case = case;
                opened.events.extend(events);
            }
            Err(_) => break,
        }
    }
}

/// Writes `args.cases` cases into the store in directory `data` (created if
/// missing; the cases are added to what is there), calling
/// `progress(written, elapsed)` now and then. Builds its own runtime: call
/// it from a plain thread, not from inside an async runtime.
pub fn generate(
    data: &Path,
    args: &GenArgs,
    mut progress: impl FnMut(u64, Duration),
) -> Result<GenReport, GenError> {
    if args.citizens == 0 || args.citizens > MAX_CITIZENS {
        return Err(GenError::Invalid(format!(
            "--citizens must be 1 to {MAX_CITIZENS}"
        )));
    }
    if args.years == 0 || args.years > 50 {
        return Err(GenError::Invalid("--years must be 1 to 50".into()));
    }
    if !(0.0..=1.0).contains(&args.uncalled) {
        return Err(GenError::Invalid("--uncalled must be 0 to 1".into()));
    }
    if args.cases == 0 {
        return Err(GenError::Invalid("--cases must be at least 1".into()));
    }
    let store = Store::open(
        data,
        StoreOptions {
            cache_capacity_bytes: args.cache_mb.saturating_mul(1024 * 1024),
            flush: false,
            ..StoreOptions::default()
        },
    )?;
    let catalog = match store.load_catalog()? {
        Some(catalog) => catalog,
        None => {
            let catalog = Catalog::default_catalog()?;
            store.save_catalog(&catalog)?;
            catalog
        }
    };
    let plan = Plan::new(&catalog, args.citizens, args.uncalled)?;
    let days = (f64::from(args.years) * 365.2425).round() as u64;
    let start_ms = DEFAULT_END_MS - days as Millis * DAY_MS;
    let mut rng = StdRng::seed_from_u64(args.seed);
    let began = Instant::now();
    let mut report = GenReport::default();

    // One thread feeds the store's writer in order: a current-thread runtime
    // polls spawned tasks in the order they were spawned, so the writer
    // receives the cases in time order and their ids follow time.
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let outcome: Result<(), GenError> = runtime.block_on(async {
        let mut pending = VecDeque::with_capacity(WINDOW);
        let mut last_id = 0u64;
        let mut settle = |report: &mut GenReport, created: desk137_server::store::Created| {
            let case = &created.case;
            if report.first_id == 0 {
                report.first_id = case.id;
            }
            if case.id <= last_id {
                report.out_of_order += 1;
            }
            last_id = last_id.max(case.id);
            report.last_id = last_id;
            report.cases += 1;
            report.urgent += u64::from(case.urgency == Urgency::Urgent);
            report.informational += u64::from(case.kind == Kind::Informational);
            report.open += u64::from(case.status.is_open());
            report.scored +=
                u64::from(case.status == CaseStatus::Closed && case.feedback.satisfaction > 0);
            report.call_backs += u64::from(
                case.feedback.call_due_ms > 0
                    && matches!(
                        case.status,
                        CaseStatus::Resolved | CaseStatus::AwaitingFeedback
                    ),
            );
            report.events += created.events.len() as u64;
        };
        for i in 0..args.cases {
            let at = plan.time(i, args.cases, days, start_ms);
            let case = plan.case(&mut rng, args.seed, i, at, DEFAULT_END_MS)?;
            let store = store.clone();
            pending.push_back(tokio::spawn(async move { store.create_case(case).await }));
            if pending.len() >= WINDOW
                && let Some(task) = pending.pop_front()
            {
                let created = task.await.map_err(|e| GenError::Invalid(e.to_string()))??;
                settle(&mut report, created);
                if report.cases % 100_000 == 0 {
                    progress(report.cases, began.elapsed());
                }
            }
        }
        while let Some(task) = pending.pop_front() {
            let created = task.await.map_err(|e| GenError::Invalid(e.to_string()))??;
            settle(&mut report, created);
        }
        Ok(())
    });
    outcome?;
    store.close()?;
    report.elapsed = began.elapsed();
    progress(report.cases, report.elapsed);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use desk137_server::store::CaseFilter;
    use std::collections::HashSet;

    #[test]
    fn phones_are_distinct_and_valid() {
        let mut seen = HashSet::new();
        for k in (0..200_000).chain(MAX_CITIZENS - 1000..MAX_CITIZENS) {
            let phone = citizen_phone(k);
            assert_eq!(
                desk137_server::domain::phone::normalize_phone(&phone).as_deref(),
                Ok(phone.as_str())
            );
            assert!(seen.insert(phone), "citizen {k}");
        }
        assert!(frequent_citizen(5, 1_000_000) < 1_000_000);
    }

    #[test]
    fn uncalled_cases_wait_in_the_call_back_queue() {
        let dir = tempfile::tempdir().unwrap();
        let args = GenArgs {
            cases: 400,
            citizens: 100,
            seed: 3,
            years: 1,
            cache_mb: 16,
            uncalled: 1.0,
        };
        let report = generate(dir.path(), &args, |_, _| {}).unwrap();
        assert_eq!(report.scored, 0, "{report:?}");
        assert!(report.call_backs > 150, "{report:?}");
    }

    #[test]
    fn times_grow_and_keep_to_the_span() {
        let catalog = Catalog::default_catalog().unwrap();
        let plan = Plan::new(&catalog, 1000, 0.0).unwrap();
        let start = DEFAULT_END_MS - 730 * DAY_MS;
        let times: Vec<Millis> = (0..10_000)
            .map(|i| plan.time(i, 10_000, 730, start))
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(times[0] >= start && *times.last().unwrap() < DEFAULT_END_MS);
        // More calls at 10:00 than at 03:00 Tehran time (UTC+3:30).
        let hour = |t: Millis| ((t - start).rem_euclid(DAY_MS) / HOUR_MS) as usize;
        let at = |h| times.iter().filter(|&&t| hour(t) == h).count();
        assert!(at(10) > 5 * at(3), "{} vs {}", at(10), at(3));
    }

    #[test]
    fn a_small_store_is_complete_indexed_and_the_same_for_the_same_seed() {
        let generate_into = |dir: &std::path::Path| {
            let args = GenArgs {
                cases: 3000,
                citizens: 500,
                seed: 7,
                years: 2,
                cache_mb: 16,
                uncalled: 0.0,
            };
            generate(dir, &args, |_, _| {}).unwrap()
        };
        let a = tempfile::tempdir().unwrap();
        let report = generate_into(a.path());
        assert_eq!(
            (
                report.cases,
                report.first_id,
                report.last_id,
                report.out_of_order
            ),
            (3000, 1, 3000, 0)
        );
        assert!(report.urgent > 0 && report.urgent < 1000, "{report:?}");
        assert!(
            report.informational > 300 && report.informational < 1200,
            "{report:?}"
        );
        assert!(report.open > 0 && report.open < 1500, "{report:?}");
        // The lives went through the domain's moves: scored cases, with
        // their scorecard tallies.
        assert!(report.scored > 500, "{report:?}");

        let store = Store::open(a.path(), StoreOptions::default()).unwrap();
        assert_eq!(store.case_count(), 3000);
        let catalog = store.load_catalog().unwrap().unwrap();
        let busiest = store
            .topic_usage()
            .unwrap()
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .unwrap();
        assert_eq!(catalog.topic(&busiest.0).unwrap().title_fa, "سد معبر");
        let first = store.get_case(1).unwrap().unwrap();
        let last = store.get_case(3000).unwrap().unwrap();
        assert!(first.created_at_ms < last.created_at_ms);
        let quarter = desk137_server::domain::quarter::Quarter::of(last.created_at_ms);
        let cards = desk137_server::service::scorecards::build(&store, &catalog, quarter).unwrap();
        assert!(
            cards.iter().map(|c| c.tally.scored).sum::<u64>() > 0,
            "no scored case on the scorecards of {quarter:?}"
        );
        let timeline = store.timeline(first.id).unwrap();
        assert!(timeline.len() >= 2 && timeline.iter().all(|e| e.at_ms >= first.created_at_ms));
        let years: HashSet<&str> = [&first, &last].iter().map(|c| &c.number[..4]).collect();
        assert_eq!(years.len(), 2, "{} {}", first.number, last.number);

        // The store holds no number: find the first case's caller among the
        // citizens the generator numbers.
        let with_caller = (1..=3000)
            .map(|id| store.get_case(id).unwrap().unwrap())
            .find(|c| !c.citizen_id.is_empty())
            .unwrap();
        let found = (0..MAX_CITIZENS).take(100_000).any(|k| {
            let history = store.caller_history(&citizen_phone(k), 200).unwrap();
            history.cases.iter().any(|c| c.id == with_caller.id)
        });
        assert!(found, "no citizen's history holds case {}", with_caller.id);
        let unit = store
            .list_cases(
                &CaseFilter {
                    unit_id: Some(last.unit_id.clone()),
                    ..CaseFilter::default()
                },
                None,
                10,
            )
            .unwrap();
        if !last.unit_id.is_empty() {
            assert_eq!(unit.cases.first().map(|c| c.id), Some(last.id));
        }
        let referred = store
            .list_cases(
                &CaseFilter {
                    status: Some(CaseStatus::Closed),
                    ..CaseFilter::default()
                },
                None,
                5,
            )
            .unwrap();
        assert_eq!(referred.cases.len(), 5);
        let b = tempfile::tempdir().unwrap();
        let same = generate_into(b.path());
        assert_eq!(
            GenReport {
                elapsed: report.elapsed,
                ..same
            },
            report
        );
        let again = Store::open(b.path(), StoreOptions::default()).unwrap();
        // Citizen ids are random, never derived from the number: all else
        // is the same.
        let anonymous = |c: Option<desk137_server::domain::model::Case>| {
            c.map(|c| desk137_server::domain::model::Case {
                citizen_id: String::new(),
                ..c
            })
        };
        for id in [1, 1500, 3000] {
            assert_eq!(
                anonymous(store.get_case(id).unwrap()),
                anonymous(again.get_case(id).unwrap())
            );
        }
    }
}
