//! What the agents do: each is a task with its own connection that makes
//! calls until the run ends. A call is what an agent does for one contact:
//!
//! - mixed: the caller's history, a new case (Persian text from the
//!   catalog's own words, 30% of executive cases urgent), the case read back,
//!   and one list (the agent's own cases, the unit's, or a status).
//! - read: a case by id, a caller's history and a list; no writes.
//! - get: one case by id, nothing else: the plain cost of a read RPC.
//! - scale: on a store made by `gen`, a history of one of its citizens, a
//!   case by id, and lists by unit and by status and the screens' queues (a
//!   unit's open cases, urgent open cases, all open cases).
//!
//! - history, dashboard, scorecards, callbacks, feed: one service each (see
//!   [`super::calls`]).
//!
//! Calls started in the warm-up are not recorded. With `--rate` the calls of
//! all agents are spread evenly in time; latency is timed per RPC from the
//! moment it is sent.

use super::args::{Args, Profile};
use super::calls::{self, Clients, Written};
use super::stats::Recorder;
use crate::r#gen::citizen_phone;
use anyhow::{Context as _, bail};
use desk137_proto::v1 as pb;
use desk137_proto::v1::case_service_client::CaseServiceClient;
use desk137_proto::v1::catalog_service_client::CatalogServiceClient;
use desk137_proto::v1::session_service_client::SessionServiceClient;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::Channel;
use tonic::{Request, Response, Status};

const ADDENDA: [&str; 6] = [
    "از صبح",
    "چند روز است",
    "لطفاً زودتر رسیدگی کنید",
    "همسایه‌ها هم شاکی هستند",
    "خطرناک است",
    "",
];

const STREETS: [&str; 8] = [
    "خیابان چهارباغ عباسی",
    "خیابان حکیم نظامی",
    "خیابان کاوه",
    "خیابان جی",
    "بلوار کشاورز",
    "خیابان آتشگاه",
    "خیابان سجاد",
    "خیابان هزارجریب",
];

/// An agent's own recent cases: one page of this many.
const RECENT_PAGE: u32 = 50;

/// Every status, for lists by status.
const STATUSES: [pb::CaseStatus; 9] = [
    pb::CaseStatus::Registered,
    pb::CaseStatus::Referred,
    pb::CaseStatus::Acknowledged,
    pb::CaseStatus::OnSite,
    pb::CaseStatus::InProgress,
    pb::CaseStatus::Resolved,
    pb::CaseStatus::Closed,
    pb::CaseStatus::Reopened,
    pb::CaseStatus::Rejected,
];

/// What every agent shares: the catalog, the clock of the run, counters.
#[derive(Debug)]
pub struct Shared {
    pub profile: Profile,
    pub token: MetadataValue<Ascii>,
    pub user: String,
    pub topics: Vec<pb::Topic>,
    /// Regional units, for lists by unit.
    pub units: Vec<String>,
    pub citizens: u64,
    pub page_size: u32,
    /// The newest case id when the run started: reads pick ids up to it.
    pub max_id: u64,
    pub think_ms: u64,
    pub rate: f64,
    pub max_calls: u64,
    /// A per-run prefix of request ids, so runs never replay each other.
    pub run_id: String,
    pub start: Instant,
    pub measure_from: Instant,
    pub end: Instant,
    /// Calls recorded so far, and their failed RPCs (for the progress bar).
    pub calls: AtomicU64,
    pub errors: AtomicU64,
    /// The next slot of the rate pacer.
    slots: AtomicU64,
    /// Each agent calls as its own user of a spawned server's users file
    /// ([`calls::load_agent`]) rather than as --token.
    pub agent_tokens: bool,
    /// Profile history: the share of numbers never heard.
    pub unknown_share: f64,
    /// Profile scorecards: the quarter asked for.
    pub quarter: String,
    /// Profile feed: the changes written in the measured window.
    pub written: Mutex<Vec<Written>>,
    /// Profile callbacks: the fewest and most cases seen waiting.
    pub waiting_min: AtomicU32,
    pub waiting_max: AtomicU32,
    /// Profile scorecards: the cases the quarter's cards counted, how many
    /// of them were scored, and the units.
    pub scorecard_cases: Mutex<(u64, u64, usize)>,
}

impl Shared {
    pub(crate) fn note_written(&self, written: Vec<Written>) {
        if let Ok(mut all) = self.written.lock() {
            all.extend(written);
        }
    }

    pub(crate) fn note_waiting(&self, waiting: u32) {
        self.waiting_min.fetch_min(waiting, Ordering::Relaxed);
        self.waiting_max.fetch_max(waiting, Ordering::Relaxed);
    }

    pub(crate) fn note_scorecard_cases(&self, cases: u64, scored: u64, units: usize) {
        if let Ok(mut seen) = self.scorecard_cases.lock() {
            *seen = (cases, scored, units);
        }
    }

    pub(crate) fn request<T>(&self, message: T) -> Request<T> {
        let mut request = Request::new(message);
        request
            .metadata_mut()
            .insert("authorization", self.token.clone());
        request.set_timeout(Duration::from_secs(30));
        request
    }
}

/// Connects to `url` (lazily: the first call connects).
pub fn channel(url: &str) -> anyhow::Result<Channel> {
    Ok(tonic::transport::Endpoint::from_shared(url.to_owned())
        .with_context(|| format!("{url:?} is not a server URL"))?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        .connect_lazy())
}

/// Checks the token, reads the catalog and the newest case id, and (profile
/// read) writes cases until there are `seed_cases`.
pub async fn prepare(args: &Args, url: &str) -> anyhow::Result<Shared> {
    let token: MetadataValue<Ascii> = format!("Bearer {}", args.token)
        .parse()
        .context("the token must be printable ASCII")?;
    let ch = channel(url)?;
    let mut shared = Shared {
        profile: args.profile,
        token,
        user: String::new(),
        topics: Vec::new(),
        units: Vec::new(),
        citizens: args.citizens,
        page_size: args.page_size,
        max_id: 0,
        think_ms: args.think_ms,
        rate: args.rate,
        max_calls: args.max_calls,
        run_id: format!("{:08x}", rand::rng().random::<u32>()),
        start: Instant::now(),
        measure_from: Instant::now(),
        end: Instant::now(),
        calls: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        slots: AtomicU64::new(0),
        agent_tokens: false,
        unknown_share: args.unknown_share,
        quarter: args.quarter.clone(),
        written: Mutex::new(Vec::new()),
        waiting_min: AtomicU32::new(u32::MAX),
        waiting_max: AtomicU32::new(0),
        scorecard_cases: Mutex::new((0, 0, 0)),
    };
    let who = SessionServiceClient::new(ch.clone())
        .who_am_i(shared.request(pb::WhoAmIRequest {}))
        .await
        .with_context(|| format!("asking {url} who token {:?} is", args.token))?
        .into_inner();
    if args.profile.supervises() {
        if who.role != pb::Role::Supervisor as i32 {
            bail!(
                "token {:?} is user {} who is not a supervisor: profile {:?} needs one (say --token supervisor1 on a --demo server)",
                args.token,
                who.user,
                args.profile
            );
        }
    } else if who.role != pb::Role::Agent as i32 {
        bail!(
            "token {:?} is user {} who is not an agent: CallerHistory and CreateCase need one (say --token agent1 on a --demo server)",
            args.token,
            who.user
        );
    }
    shared.user = who.user;
    let mut catalog = CatalogServiceClient::new(ch.clone());
    shared.topics = catalog
        .list_topics(shared.request(pb::ListTopicsRequest {}))
        .await
        .context("reading the topics")?
        .into_inner()
        .topics;
    if shared.topics.is_empty() {
        bail!("the server has no topics");
    }
    shared.units = catalog
        .list_units(shared.request(pb::ListUnitsRequest {}))
        .await
        .context("reading the units")?
        .into_inner()
        .units
        .into_iter()
        .filter(|u| u.kind == pb::UnitKind::Regional as i32)
        .map(|u| u.id)
        .collect();
    if shared.units.is_empty() {
        bail!("the server has no regional units");
    }
    let cases = CaseServiceClient::new(ch.clone());
    shared.max_id = newest_id(&shared, cases.clone()).await?;
    if matches!(args.profile, Profile::Read | Profile::Get) && shared.max_id < args.seed_cases {
        seed(&shared, cases.clone(), args.seed_cases - shared.max_id).await?;
        shared.max_id = newest_id(&shared, cases).await?;
    }
    if !matches!(
        args.profile,
        Profile::Mixed | Profile::Moves | Profile::Feed | Profile::Dashboard
    ) && shared.max_id == 0
    {
        bail!("the store has no cases to read: fill it with `desk137-gen` or use --profile mixed");
    }
    Ok(shared)
}

async fn newest_id(shared: &Shared, mut cases: CaseServiceClient<Channel>) -> anyhow::Result<u64> {
    let page = cases
        .list_cases(shared.request(pb::ListCasesRequest {
            page_size: 1,
            ..Default::default()
        }))
        .await
        .context("reading the newest case")?
        .into_inner();
    Ok(page.cases.first().map_or(0, |c| c.id))
}

/// Writes `n` cases, 16 at a time, before a read run.
async fn seed(shared: &Shared, cases: CaseServiceClient<Channel>, n: u64) -> anyhow::Result<()> {
    let mut rng = SmallRng::seed_from_u64(n);
    let mut next = 0u64;
    while next < n {
        let batch: Vec<_> = (next..(next + 16).min(n))
            .map(|i| {
                let mut client = cases.clone();
                let request = shared.request(new_case(shared, &mut rng, &format!("seed-{i}")));
                tokio::spawn(async move { client.create_case(request).await })
            })
            .collect();
        for task in batch {
            task.await
                .context("a seeding task")?
                .context("seeding a case")?;
        }
        next += 16;
    }
    Ok(())
}

/// A new case as an agent types it.
fn new_case(shared: &Shared, rng: &mut SmallRng, key: &str) -> pb::CreateCaseRequest {
    // «سد معبر», the catalog's first topic, is the most frequent by far.
    let topic = if rng.random::<f64>() < 0.3 {
        &shared.topics[0]
    } else {
        &shared.topics[rng.random_range(0..shared.topics.len())]
    };
    let executive = topic.kind == pb::Kind::Executive as i32;
    let urgency = if executive && rng.random::<f64>() < 0.3 {
        pb::Urgency::Urgent
    } else {
        pb::Urgency::Normal
    };
    let said = if topic.synonyms_fa.is_empty() {
        topic.title_fa.clone()
    } else {
        topic.synonyms_fa[rng.random_range(0..topic.synonyms_fa.len())].clone()
    };
    let addendum = ADDENDA[rng.random_range(0..ADDENDA.len())];
    pb::CreateCaseRequest {
        request_id: format!("load-{}-{key}", shared.run_id),
        channel: pb::Channel::Phone as i32,
        kind: topic.kind,
        urgency: urgency as i32,
        topic_id: topic.id.clone(),
        description: if addendum.is_empty() {
            said
        } else {
            format!("{said}، {addendum}")
        },
        phone: citizen_phone(rng.random_range(0..shared.citizens)),
        region: rng.random_range(1..=15),
        address: format!(
            "{}، کوچه {}",
            STREETS[rng.random_range(0..STREETS.len())],
            rng.random_range(1..60)
        ),
        landmark: String::new(),
    }
}

/// Times one RPC into `rec` under `name`; the response if it succeeded.
pub(crate) async fn timed<T>(
    rec: &mut Recorder,
    shared: &Shared,
    name: &'static str,
    call: impl Future<Output = Result<Response<T>, Status>>,
) -> Option<T> {
    let began = Instant::now();
    match call.await {
        Ok(response) => {
            rec.series(name).ok(began.elapsed());
            Some(response.into_inner())
        }
        Err(status) => {
            rec.series(name)
                .error(format!("{:?}: {}", status.code(), status.message()));
            shared.errors.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

fn list_by(
    shared: &Shared,
    name: &'static str,
    filter: pb::ListCasesRequest,
) -> (&'static str, pb::ListCasesRequest) {
    (
        name,
        pb::ListCasesRequest {
            page_size: if name == "ListCases/creator" {
                RECENT_PAGE
            } else {
                shared.page_size
            },
            ..filter
        },
    )
}

/// One agent: calls until the run ends. Returns what it recorded.
pub async fn agent(shared: Arc<Shared>, channel: Channel, index: u32) -> Recorder {
    let token = shared
        .agent_tokens
        .then(|| format!("Bearer {}", calls::load_agent(index)).parse().ok())
        .flatten();
    let mut clients = Clients::new(channel, token);
    let mut client = clients.cases.clone();
    let mut rng = SmallRng::seed_from_u64(u64::from(index) ^ 0x137);
    let mut recorded = Recorder::default();
    let mut warmup = Recorder::default();
    let mut n = 0u64;
    loop {
        if shared.rate > 0.0 {
            let slot = shared.slots.fetch_add(1, Ordering::Relaxed);
            let due = shared.start + Duration::from_secs_f64(slot as f64 / shared.rate);
            if due >= shared.end {
                break;
            }
            tokio::time::sleep_until(due).await;
        }
        let now = Instant::now();
        if now >= shared.end || shared.calls.load(Ordering::Relaxed) >= shared.max_calls {
            break;
        }
        let rec = if now >= shared.measure_from {
            &mut recorded
        } else {
            &mut warmup
        };
        let key = format!("{index}-{n}");
        match shared.profile {
            Profile::Mixed => mixed_call(&shared, &mut client, &mut rng, rec, &key, n).await,
            Profile::Moves => moves_call(&shared, &mut client, &mut rng, rec, &key).await,
            Profile::Read => read_call(&shared, &mut client, &mut rng, rec, n).await,
            Profile::Scale => scale_call(&shared, &mut client, &mut rng, rec).await,
            Profile::History => calls::history(&shared, &mut clients, &mut rng, rec).await,
            Profile::Dashboard => calls::dashboard(&shared, &mut clients, rec).await,
            Profile::Scorecards => calls::scorecards(&shared, &mut clients, rec).await,
            Profile::Callbacks => calls::callback(&shared, &mut clients, &mut rng, rec, &key).await,
            Profile::Feed => {
                let measured = now >= shared.measure_from;
                calls::feed_writer(&shared, &mut clients, &mut rng, rec, &key, measured).await;
            }
            Profile::Get => {
                let get = pb::GetCaseRequest {
                    key: Some(pb::get_case_request::Key::Id(
                        rng.random_range(1..=shared.max_id),
                    )),
                };
                timed(
                    rec,
                    &shared,
                    "GetCase",
                    client.get_case(shared.request(get)),
                )
                .await;
            }
        }
        if now >= shared.measure_from {
            shared.calls.fetch_add(1, Ordering::Relaxed);
        }
        n += 1;
        if shared.think_ms > 0 {
            // Exponential think time with the given mean.
            let u: f64 = rng.random_range(f64::EPSILON..1.0);
            let think = -u.ln() * shared.think_ms as f64;
            tokio::time::sleep(Duration::from_secs_f64(think.min(3_600_000.0) / 1000.0)).await;
        }
    }
    recorded
}

async fn mixed_call(
    shared: &Shared,
    client: &mut CaseServiceClient<Channel>,
    rng: &mut SmallRng,
    rec: &mut Recorder,
    key: &str,
    n: u64,
) {
    let new = new_case(shared, rng, key);
    let history = pb::CallerHistoryRequest {
        phone: new.phone.clone(),
        limit: 20,
    };
    timed(
        rec,
        shared,
        "CallerHistory",
        client.caller_history(shared.request(history)),
    )
    .await;
    let created = timed(
        rec,
        shared,
        "CreateCase",
        client.create_case(shared.request(new)),
    )
    .await
    .and_then(|r| r.r#case);
    let Some(case) = created else { return };
    let get = pb::GetCaseRequest {
        key: Some(pb::get_case_request::Key::Id(case.id)),
    };
    timed(rec, shared, "GetCase", client.get_case(shared.request(get))).await;
    let (name, list) = match n % 3 {
        0 => list_by(
            shared,
            "ListCases/creator",
            pb::ListCasesRequest {
                created_by: shared.user.clone(),
                ..Default::default()
            },
        ),
        1 if !case.unit_id.is_empty() => list_by(
            shared,
            "ListCases/unit",
            pb::ListCasesRequest {
                unit_id: case.unit_id.clone(),
                ..Default::default()
            },
        ),
        _ => list_by(
            shared,
            "ListCases/status",
            pb::ListCasesRequest {
                status: pb::CaseStatus::Referred as i32,
                ..Default::default()
            },
        ),
    };
    timed(rec, shared, name, client.list_cases(shared.request(list))).await;
}

async fn moves_call(
    shared: &Shared,
    client: &mut CaseServiceClient<Channel>,
    rng: &mut SmallRng,
    rec: &mut Recorder,
    key: &str,
) {
    moves_call_with(shared, client, rng, rec, key, 2, |_, _| {}).await;
}

/// A create and then `moves` notes, each on the revision the last answer
/// gave; `answered` hears of each answer's case with when its call began.
pub(crate) async fn moves_call_with(
    shared: &Shared,
    client: &mut CaseServiceClient<Channel>,
    rng: &mut SmallRng,
    rec: &mut Recorder,
    key: &str,
    moves: u32,
    mut answered: impl FnMut(&pb::Case, Instant),
) {
    let new = new_case(shared, rng, key);
    let sent = Instant::now();
    let created = timed(
        rec,
        shared,
        "CreateCase",
        client.create_case(shared.request(new)),
    )
    .await
    .and_then(|r| r.r#case);
    let Some(mut case) = created else { return };
    answered(&case, sent);
    for step in 0..moves {
        let note = pb::MoveCaseRequest {
            request_id: format!("{key}-m{step}"),
            case_id: case.id,
            revision: case.revision,
            r#move: pb::Move::Note as i32,
            note: "با شهروند تماس گرفته شد".into(),
            ..Default::default()
        };
        let sent = Instant::now();
        let moved = timed(
            rec,
            shared,
            "MoveCase",
            client.move_case(shared.request(note)),
        )
        .await
        .and_then(|r| r.r#case);
        match moved {
            Some(next) => {
                answered(&next, sent);
                case = next;
            }
            None => return,
        }
    }
}

async fn read_call(
    shared: &Shared,
    client: &mut CaseServiceClient<Channel>,
    rng: &mut SmallRng,
    rec: &mut Recorder,
    n: u64,
) {
    let get = pb::GetCaseRequest {
        key: Some(pb::get_case_request::Key::Id(
            rng.random_range(1..=shared.max_id),
        )),
    };
    timed(rec, shared, "GetCase", client.get_case(shared.request(get))).await;
    let history = pb::CallerHistoryRequest {
        phone: citizen_phone(rng.random_range(0..shared.citizens)),
        limit: 20,
    };
    timed(
        rec,
        shared,
        "CallerHistory",
        client.caller_history(shared.request(history)),
    )
    .await;
    let (name, list) = match n % 3 {
        0 => list_by(
            shared,
            "ListCases/creator",
            pb::ListCasesRequest {
                created_by: shared.user.clone(),
                ..Default::default()
            },
        ),
        1 => list_by(
            shared,
            "ListCases/unit",
            pb::ListCasesRequest {
                unit_id: shared.units[rng.random_range(0..shared.units.len())].clone(),
                ..Default::default()
            },
        ),
        _ => list_by(
            shared,
            "ListCases/status",
            pb::ListCasesRequest {
                status: pb::CaseStatus::Referred as i32,
                ..Default::default()
            },
        ),
    };
    timed(rec, shared, name, client.list_cases(shared.request(list))).await;
}

async fn scale_call(
    shared: &Shared,
    client: &mut CaseServiceClient<Channel>,
    rng: &mut SmallRng,
    rec: &mut Recorder,
) {
    let history = pb::CallerHistoryRequest {
        phone: citizen_phone(rng.random_range(0..shared.citizens)),
        limit: 20,
    };
    timed(
        rec,
        shared,
        "CallerHistory",
        client.caller_history(shared.request(history)),
    )
    .await;
    let get = pb::GetCaseRequest {
        key: Some(pb::get_case_request::Key::Id(
            rng.random_range(1..=shared.max_id),
        )),
    };
    timed(rec, shared, "GetCase", client.get_case(shared.request(get))).await;
    let unit = shared.units[rng.random_range(0..shared.units.len())].clone();
    let lists = [
        list_by(
            shared,
            "ListCases/unit",
            pb::ListCasesRequest {
                unit_id: unit.clone(),
                ..Default::default()
            },
        ),
        list_by(
            shared,
            "ListCases/status",
            pb::ListCasesRequest {
                status: STATUSES[rng.random_range(0..STATUSES.len())] as i32,
                ..Default::default()
            },
        ),
        // The queues of the screens: a unit's open cases, the urgent open
        // cases the coordination center follows, every open case.
        list_by(
            shared,
            "ListCases/unit+open",
            pb::ListCasesRequest {
                unit_id: unit,
                open_only: true,
                ..Default::default()
            },
        ),
        list_by(
            shared,
            "ListCases/urgent+open",
            pb::ListCasesRequest {
                urgency: pb::Urgency::Urgent as i32,
                open_only: true,
                ..Default::default()
            },
        ),
        list_by(
            shared,
            "ListCases/open",
            pb::ListCasesRequest {
                open_only: true,
                ..Default::default()
            },
        ),
    ];
    for (name, list) in lists {
        timed(rec, shared, name, client.list_cases(shared.request(list))).await;
    }
}

/// Sets the run's clock: warm-up from now, then the measured window.
pub fn set_clock(shared: &mut Shared, warmup: Duration, duration: Duration) {
    shared.start = Instant::now();
    shared.measure_from = shared.start + warmup;
    shared.end = shared.measure_from + duration;
}
