//! Crash safety: an acknowledged case or move survives SIGKILL, intact, and a
//! retry with the same `request_id` never makes a second case or a second
//! event.
//!
//! The real `desk137-server` runs as a child process on one temporary store.
//! Each cycle starts it, has several clients open cases concurrently (each
//! with a unique request id) and, as the region's unit, make moves on every
//! other case they opened (a note, the acknowledgement, another note), and
//! kills it with SIGKILL at a random moment; some cycles kill it while it is
//! still starting. After the restart every acknowledged case must read back
//! as it was acknowledged, with every acknowledged move on its timeline once;
//! each request that got no answer is retried with its same request id; each
//! acknowledged move, sent again, answers `replayed` and adds nothing; and the
//! cases written since the last check must hold every request id once.
//!
//! 30 cycles by default; `DESK137_CRASH_CYCLES=300` for more, and
//! `DESK137_CRASH_SEED=N` to repeat a run's kill moments.

use desk137_tests::load::spawn;
use desk137_tests::{Bearer, move_of, obstruction, pb, server_binary};
use pb::case_service_client::CaseServiceClient;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

type Client = CaseServiceClient<InterceptedService<Channel, Bearer>>;

const DEFAULT_CYCLES: u32 = 30;
const WRITERS: usize = 8;
/// Every this many cycles, one kills the server while it starts.
const STARTUP_KILL_EVERY: u32 = 5;
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// The writers open cases as an agent and move them as the unit the moved
/// cases are routed to.
const AGENT: &str = "agent1";
const UNIT: &str = "unit1";
/// What the unit does with each case it gets, in order.
const MOVES: [pb::Move; 3] = [pb::Move::Note, pb::Move::Acknowledge, pb::Move::Note];

/// A topic and region routed to the unit of [`UNIT`].
static UNIT_ROUTE: LazyLock<(String, u32)> = LazyLock::new(|| {
    let sample = obstruction("");
    (sample.topic_id, sample.region)
});

/// A move the server acknowledged: the request as sent and the revision of
/// the case it answered with.
#[derive(Clone)]
struct Moved {
    request: pb::MoveCaseRequest,
    revision: u64,
}

/// What the clients know, across every cycle.
#[derive(Default)]
struct Ledger {
    /// Request id → the case the server acknowledged.
    acked: HashMap<String, pb::Case>,
    /// Case id → the request id that opened it.
    opened_by: HashMap<u64, String>,
    /// Acknowledged since the last restart, not yet checked.
    unchecked: Vec<String>,
    /// Sent without an answer since the last restart: request id → request.
    unanswered: HashMap<String, pb::CreateCaseRequest>,
    /// Request ids seen on cases listed so far, and the newest id listed.
    listed: HashSet<String>,
    listed_up_to: u64,
    /// Case id → the moves acknowledged on it, in the order made.
    moves: HashMap<u64, Vec<Moved>>,
    /// Moves acknowledged since the last restart, not yet sent again.
    unchecked_moves: Vec<Moved>,
    /// Moves sent without an answer since the last restart.
    unanswered_moves: Vec<pb::MoveCaseRequest>,
    /// Case id → the request ids of moves whose retry found a newer revision:
    /// each may be on its case once, or not at all.
    maybe_moved: HashMap<u64, Vec<String>>,
    // The figures reported at the end.
    lost: Vec<String>,
    unanswered_total: u64,
    found_anyway: u64,
    made_on_retry: u64,
    duplicates: Vec<String>,
    moves_lost: Vec<String>,
    moves_unanswered_total: u64,
    moves_found_anyway: u64,
    moves_made_on_retry: u64,
    moves_stale_on_retry: u64,
    moves_replayed: u64,
    moves_doubled: Vec<String>,
    errors_before_kill: Vec<String>,
    startup_kills: u32,
    startup_kills_before_serving: u32,
}

impl Ledger {
    fn record_open(&mut self, case: pb::Case) -> anyhow::Result<()> {
        self.unchecked.push(case.request_id.clone());
        self.opened_by.insert(case.id, case.request_id.clone());
        anyhow::ensure!(
            self.acked.insert(case.request_id.clone(), case).is_none(),
            "a request id was acknowledged twice"
        );
        Ok(())
    }

    fn record_move(&mut self, moved: Moved) {
        self.moves
            .entry(moved.request.case_id)
            .or_default()
            .push(moved.clone());
        self.unchecked_moves.push(moved);
    }

    fn moves_acked(&self) -> u64 {
        self.moves.values().map(|m| m.len() as u64).sum()
    }
}

/// Every other case is one the unit moves.
fn is_moved(n: u64) -> bool {
    n.is_multiple_of(2)
}

fn request(request_id: String, n: u64) -> pb::CreateCaseRequest {
    const TEXTS: [&str; 4] = [
        "وانت میوه‌فروش پیاده‌رو را بسته",
        "چراغ روشنایی کوچه خاموش است",
        "آب‌گرفتگی زیرگذر بعد از باران",
        "زمین جلوی خانه نشست کرده، خطرناک است",
    ];
    let (topic_id, region) = if is_moved(n) {
        UNIT_ROUTE.clone()
    } else {
        (format!("T{:03}", n % 20 + 1), (n % 15) as u32 + 1)
    };
    pb::CreateCaseRequest {
        request_id,
        channel: pb::Channel::Phone.into(),
        kind: pb::Kind::Unspecified.into(),
        urgency: if n.is_multiple_of(3) {
            pb::Urgency::Urgent.into()
        } else {
            pb::Urgency::Unspecified.into()
        },
        topic_id,
        description: format!("{} ({n})", TEXTS[(n % 4) as usize]),
        phone: format!("0913{:07}", n % 5000),
        region,
        address: "خیابان چهارباغ عباسی، کوچه ۱۲".into(),
        landmark: String::new(),
    }
}

/// The mark a move's note carries so its event can be told apart on the
/// timeline. Underscores, not dashes: a run of digits joined by dashes would
/// read as a phone number and be hidden.
fn mark(request_id: &str) -> String {
    format!("[{}]", request_id.replace('-', "_"))
}

/// Move `k` of [`MOVES`] on `case` as last read, the case `opened_by` that
/// request id (the unit never sees it).
fn unit_move(case: &pb::Case, opened_by: &str, k: usize) -> pb::MoveCaseRequest {
    let request_id = format!("{opened_by}-m{k}");
    let mut request = move_of(case, MOVES[k], &request_id);
    request.note = format!("پیگیری شد {}", mark(&request_id));
    request
}

async fn connect(addr: std::net::SocketAddr) -> anyhow::Result<Channel> {
    Ok(Endpoint::from_shared(format!("http://{addr}"))?
        .tcp_nodelay(true)
        .connect()
        .await?)
}

fn as_user(channel: &Channel, user: &str) -> anyhow::Result<Client> {
    Ok(CaseServiceClient::with_interceptor(
        channel.clone(),
        Bearer::new(Some(user))?,
    ))
}

/// What one writer did in one cycle.
#[derive(Default)]
struct Written {
    acked: Vec<pb::Case>,
    unanswered: Vec<pb::CreateCaseRequest>,
    moved: Vec<Moved>,
    unanswered_moves: Vec<pb::MoveCaseRequest>,
    errors: Vec<String>,
}

impl Written {
    /// A call that failed: expected once the server is killed, an error before.
    fn failed(&mut self, request_id: &str, status: &tonic::Status, killed: &AtomicBool) {
        if !killed.load(Ordering::SeqCst) {
            self.errors.push(format!(
                "{request_id}: {:?} {}",
                status.code(),
                status.message()
            ));
        }
    }
}

/// One client opening cases, and moving every other one as the unit, until
/// the server dies.
async fn writer(
    addr: std::net::SocketAddr,
    cycle: u32,
    index: usize,
    killed: Arc<AtomicBool>,
) -> anyhow::Result<Written> {
    let mut out = Written::default();
    let channel = match connect(addr).await {
        Ok(c) => c,
        // Killed before this client connected: it sent nothing.
        Err(_) if killed.load(Ordering::SeqCst) => return Ok(out),
        Err(e) => return Err(e),
    };
    let (mut agent, mut unit) = (as_user(&channel, AGENT)?, as_user(&channel, UNIT)?);
    'writing: for n in 0u64.. {
        if killed.load(Ordering::SeqCst) {
            break;
        }
        let req = request(format!("crash-{cycle}-{index}-{n}"), n);
        let mut case = match agent.create_case(req.clone()).await {
            Ok(response) => response
                .into_inner()
                .r#case
                .ok_or_else(|| anyhow::anyhow!("an acknowledgement without its case"))?,
            Err(status) => {
                out.failed(&req.request_id, &status, &killed);
                out.unanswered.push(req);
                break;
            }
        };
        out.acked.push(case.clone());
        if !is_moved(n) {
            continue;
        }
        for k in 0..MOVES.len() {
            if killed.load(Ordering::SeqCst) {
                break 'writing;
            }
            let request = unit_move(&case, &req.request_id, k);
            match unit.move_case(request.clone()).await {
                Ok(response) => {
                    let response = response.into_inner();
                    if response.replayed {
                        out.errors.push(format!(
                            "{}: replayed on its first send",
                            request.request_id
                        ));
                    }
                    case = response
                        .r#case
                        .ok_or_else(|| anyhow::anyhow!("a move answered without its case"))?;
                    out.moved.push(Moved {
                        request,
                        revision: case.revision,
                    });
                }
                Err(status) => {
                    out.failed(&request.request_id, &status, &killed);
                    out.unanswered_moves.push(request);
                    break 'writing;
                }
            }
        }
    }
    Ok(out)
}

fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// A case without what its moves change, to compare with it as opened.
fn head(case: &pb::Case) -> pb::Case {
    pb::Case {
        status: 0,
        revision: 0,
        events: Vec::new(),
        clocks: Vec::new(),
        escalation_level: 0,
        promised_ms: 0,
        follow_up: String::new(),
        attachments: Vec::new(),
        ..case.clone()
    }
}

/// What a read after a restart found wrong.
#[derive(Default)]
struct Findings {
    lost: Vec<String>,
    moves_lost: Vec<String>,
    moves_doubled: Vec<String>,
}

impl Findings {
    fn extend(&mut self, other: Findings) {
        self.lost.extend(other.lost);
        self.moves_lost.extend(other.moves_lost);
        self.moves_doubled.extend(other.moves_doubled);
    }
}

/// Where `case`, as read after a restart, differs from what the clients
/// know: opened as `opened`, with the moves in `moved` acknowledged and those
/// in `maybe` perhaps applied.
fn compare(case: &pb::Case, opened: &pb::Case, moved: &[Moved], maybe: &[String]) -> Findings {
    let mut found = Findings::default();
    // Read back by an agent opening the case, the number is whole; the
    // create's answer had it masked. The number is checked where it lives.
    let case = &pb::Case {
        phone: opened.phone.clone(),
        ..case.clone()
    };
    if moved.is_empty() && maybe.is_empty() {
        if case != opened {
            found.lost.push(format!(
                "{} changed: {opened:?} became {case:?}",
                opened.request_id
            ));
        }
        return found;
    }
    if head(case) != head(opened) || !case.events.starts_with(&opened.events) {
        found.lost.push(format!(
            "{} changed under its moves: {opened:?} became {case:?}",
            opened.request_id
        ));
    }
    let later = &case.events[opened.events.len().min(case.events.len())..];
    let on_timeline = |request_id: &str| {
        let mark = mark(request_id);
        later
            .iter()
            .filter(|e| e.note.contains(&mark))
            .collect::<Vec<_>>()
    };
    for m in moved {
        let events = on_timeline(&m.request.request_id);
        match events.as_slice() {
            [event] if event.r#move() == m.request.r#move() => {}
            [event] => found.moves_lost.push(format!(
                "{}: its event is a {:?}",
                m.request.request_id,
                event.r#move()
            )),
            [] => found
                .moves_lost
                .push(format!("{}: not on case {}", m.request.request_id, case.id)),
            _ => found.moves_doubled.push(format!(
                "{}: {} events on case {}",
                m.request.request_id,
                events.len(),
                case.id
            )),
        }
        if case.revision < m.revision {
            found.moves_lost.push(format!(
                "{}: case {} at revision {}, the move answered {}",
                m.request.request_id, case.id, case.revision, m.revision
            ));
        }
    }
    for request_id in maybe {
        let events = on_timeline(request_id);
        if events.len() > 1 {
            found.moves_doubled.push(format!(
                "{request_id}: {} events on case {}",
                events.len(),
                case.id
            ));
        }
    }
    // Every event since the case was opened is one of the moves sent on it.
    let sent: Vec<String> = moved
        .iter()
        .map(|m| mark(&m.request.request_id))
        .chain(maybe.iter().map(|id| mark(id)))
        .collect();
    for event in later {
        if !sent.iter().any(|mark| event.note.contains(mark)) {
            found
                .moves_doubled
                .push(format!("case {}: an event no one sent: {event:?}", case.id));
        }
    }
    found
}

/// After a restart: each unanswered move is retried with its request id;
/// each move acknowledged since the last check, sent again, answers
/// `replayed`; every acknowledged case reads back as opened, with its
/// acknowledged moves on its timeline once; every unanswered create is
/// retried with its request id; the cases written since the last check each
/// have a request id never listed before.
async fn check(addr: std::net::SocketAddr, ledger: &mut Ledger) -> anyhow::Result<()> {
    let channel = connect(addr).await?;
    let (mut c, mut unit) = (as_user(&channel, AGENT)?, as_user(&channel, UNIT)?);
    // Unanswered moves: perhaps applied, perhaps not; the retry says which.
    let mut touched: HashSet<u64> = HashSet::new();
    for request in std::mem::take(&mut ledger.unanswered_moves) {
        touched.insert(request.case_id);
        match unit.move_case(request.clone()).await {
            Ok(response) => {
                let response = response.into_inner();
                let case = response
                    .r#case
                    .ok_or_else(|| anyhow::anyhow!("a retried move answered without its case"))?;
                if response.replayed {
                    ledger.moves_found_anyway += 1;
                } else {
                    ledger.moves_made_on_retry += 1;
                }
                ledger.record_move(Moved {
                    request,
                    revision: case.revision,
                });
            }
            // The case moved on since the revision it names: the timeline
            // read below says whether this move is on it, once at most.
            Err(status) if status.code() == tonic::Code::Aborted => {
                ledger.moves_stale_on_retry += 1;
                ledger
                    .maybe_moved
                    .entry(request.case_id)
                    .or_default()
                    .push(request.request_id);
            }
            Err(status) => anyhow::bail!("retrying {}: {status}", request.request_id),
        }
    }
    // Acknowledged moves: the same request again moves nothing.
    let unchecked_moves = std::mem::take(&mut ledger.unchecked_moves);
    let mut replays = Vec::new();
    for chunk in unchecked_moves.chunks(unchecked_moves.len().div_ceil(WRITERS).max(1)) {
        let mut unit = unit.clone();
        let chunk = chunk.to_vec();
        replays.push(tokio::spawn(async move {
            let mut doubled = Vec::new();
            for m in chunk {
                match unit.move_case(m.request.clone()).await {
                    Ok(response) if response.get_ref().replayed => {}
                    Ok(_) => doubled.push(format!("{}: moved again", m.request.request_id)),
                    Err(status) => doubled.push(format!(
                        "{}: its replay answered {status}",
                        m.request.request_id
                    )),
                }
            }
            doubled
        }));
    }
    for replay in replays {
        ledger.moves_doubled.extend(replay.await?);
    }
    ledger.moves_replayed += unchecked_moves.len() as u64;
    touched.extend(unchecked_moves.iter().map(|m| m.request.case_id));
    // Acknowledged: the same case, under the same id and number, with its
    // moves.
    let unchecked = std::mem::take(&mut ledger.unchecked);
    touched.extend(unchecked.iter().map(|id| ledger.acked[id].id));
    let mut wanted: Vec<(pb::Case, Vec<Moved>, Vec<String>)> = Vec::new();
    for id in touched {
        let opened = ledger
            .opened_by
            .get(&id)
            .and_then(|request_id| ledger.acked.get(request_id))
            .ok_or_else(|| anyhow::anyhow!("case {id} was moved but never opened"))?;
        wanted.push((
            opened.clone(),
            ledger.moves.get(&id).cloned().unwrap_or_default(),
            ledger.maybe_moved.get(&id).cloned().unwrap_or_default(),
        ));
    }
    let mut reads = Vec::new();
    for chunk in wanted.chunks(wanted.len().div_ceil(WRITERS).max(1)) {
        let mut c = c.clone();
        let chunk = chunk.to_vec();
        reads.push(tokio::spawn(async move {
            let mut found = Findings::default();
            for (opened, moved, maybe) in chunk {
                let got = c
                    .get_case(pb::GetCaseRequest {
                        key: Some(pb::get_case_request::Key::Id(opened.id)),
                    })
                    .await;
                match got {
                    Ok(got) => found.extend(compare(got.get_ref(), &opened, &moved, &maybe)),
                    Err(status) => found.lost.push(format!(
                        "{} ({}): {status}",
                        opened.request_id, opened.number
                    )),
                }
            }
            found
        }));
    }
    for read in reads {
        let found = read.await?;
        ledger.lost.extend(found.lost);
        ledger.moves_lost.extend(found.moves_lost);
        ledger.moves_doubled.extend(found.moves_doubled);
    }
    // Unanswered: retried as a client would, with the same request id.
    for (request_id, req) in std::mem::take(&mut ledger.unanswered) {
        let response = c.create_case(req).await?.into_inner();
        let case = response
            .r#case
            .ok_or_else(|| anyhow::anyhow!("a retry answered without its case"))?;
        anyhow::ensure!(
            case.request_id == request_id,
            "a retry came back with another request id"
        );
        if response.replayed {
            ledger.found_anyway += 1;
        } else {
            ledger.made_on_retry += 1;
        }
        ledger.opened_by.insert(case.id, request_id.clone());
        ledger.acked.insert(request_id, case);
    }
    // Duplicates: list what was written since the last check, newest first.
    let mut page_token = String::new();
    let mut newest = ledger.listed_up_to;
    'pages: loop {
        let page = c
            .list_cases(pb::ListCasesRequest {
                page_size: 500,
                page_token,
                ..Default::default()
            })
            .await?
            .into_inner();
        for case in &page.cases {
            if case.id <= ledger.listed_up_to {
                break 'pages;
            }
            newest = newest.max(case.id);
            if !ledger.listed.insert(case.request_id.clone()) {
                ledger
                    .duplicates
                    .push(format!("{} (case {})", case.request_id, case.number));
            }
        }
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    ledger.listed_up_to = newest;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_cases_survive_sigkill_and_retries_never_duplicate() -> anyhow::Result<()> {
    let cycles: u32 = match std::env::var("DESK137_CRASH_CYCLES") {
        Ok(v) => v.parse()?,
        Err(_) => DEFAULT_CYCLES,
    };
    let seed: u64 = match std::env::var("DESK137_CRASH_SEED") {
        Ok(v) => v.parse()?,
        Err(_) => rand::rng().random(),
    };
    println!("crash test: {cycles} cycles, seed {seed} (DESK137_CRASH_SEED to repeat)");
    let mut rng = StdRng::seed_from_u64(seed);
    let server = server_binary()?;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("store");
    let mut ledger = Ledger::default();
    let began = Instant::now();

    for cycle in 0..=cycles {
        let log = dir.path().join(format!("server-{cycle}.log"));
        let mut child = spawn::KillOnDrop(spawn::start(&server, &data, &[], &log)?);
        let last = cycle == cycles;
        if !last && cycle % STARTUP_KILL_EVERY == STARTUP_KILL_EVERY - 1 {
            // Killed while opening the store, or just as it begins to serve.
            // Every other one early, while the store opens; the others
            // later, around the moment the server begins to serve.
            let delay = if ledger.startup_kills.is_multiple_of(2) {
                rng.random_range(0..25)
            } else {
                rng.random_range(25..200)
            };
            tokio::time::sleep(Duration::from_millis(delay)).await;
            child.0.kill()?;
            child.0.wait()?;
            ledger.startup_kills += 1;
            let log_text = std::fs::read_to_string(&log).unwrap_or_default();
            if spawn::serving_addr(&log_text).is_none() {
                ledger.startup_kills_before_serving += 1;
            }
            continue;
        }
        let addr = match spawn::wait_serving(&mut child.0, &log, START_TIMEOUT).await {
            Ok(addr) => addr,
            Err(e) => anyhow::bail!(
                "cycle {cycle}: the server did not come back: {e}\n{}",
                log_tail(&log)
            ),
        };
        check(addr, &mut ledger).await.map_err(|e| {
            anyhow::anyhow!(
                "cycle {cycle}: checking after the restart: {e:#}\n{}",
                log_tail(&log)
            )
        })?;
        if last {
            spawn::stop(&mut child.0, Duration::from_secs(30))?;
            break;
        }

        let killed = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|i| tokio::spawn(writer(addr, cycle, i, killed.clone())))
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.random_range(20..400))).await;
        killed.store(true, Ordering::SeqCst);
        child.0.kill()?; // SIGKILL
        child.0.wait()?;
        for w in writers {
            let written = w.await??;
            for case in written.acked {
                ledger.record_open(case)?;
            }
            ledger.unanswered_total += written.unanswered.len() as u64;
            ledger.unanswered.extend(
                written
                    .unanswered
                    .into_iter()
                    .map(|r| (r.request_id.clone(), r)),
            );
            for moved in written.moved {
                ledger.record_move(moved);
            }
            ledger.moves_unanswered_total += written.unanswered_moves.len() as u64;
            ledger.unanswered_moves.extend(written.unanswered_moves);
            ledger.errors_before_kill.extend(written.errors);
        }
    }

    // Every case ever acknowledged, listed exactly once.
    let missing: Vec<&String> = ledger
        .acked
        .keys()
        .filter(|id| !ledger.listed.contains(*id))
        .collect();
    println!(
        "crash test: {cycles} cycles in {:.1} s ({} killed while starting, {} of them before serving); \
         {} cases acknowledged, {} lost; {} sent without an answer: {} found after the restart, \
         {} made on retry; {} duplicates",
        began.elapsed().as_secs_f64(),
        ledger.startup_kills,
        ledger.startup_kills_before_serving,
        ledger.acked.len() as u64 - ledger.found_anyway - ledger.made_on_retry,
        ledger.lost.len(),
        ledger.unanswered_total,
        ledger.found_anyway,
        ledger.made_on_retry,
        ledger.duplicates.len(),
    );
    let moves_retried = ledger.moves_found_anyway + ledger.moves_made_on_retry;
    println!(
        "crash test: {} moves acknowledged, {} lost; {} sent without an answer: {} found after \
         the restart, {} made on retry, {} stale on retry; {} sent again, {} moved twice",
        ledger.moves_acked() - moves_retried,
        ledger.moves_lost.len(),
        ledger.moves_unanswered_total,
        ledger.moves_found_anyway,
        ledger.moves_made_on_retry,
        ledger.moves_stale_on_retry,
        ledger.moves_replayed,
        ledger.moves_doubled.len(),
    );
    assert!(
        ledger.lost.is_empty(),
        "acknowledged but lost or changed: {:#?}",
        ledger.lost
    );
    assert!(
        ledger.duplicates.is_empty(),
        "duplicated: {:#?}",
        ledger.duplicates
    );
    assert!(
        ledger.moves_lost.is_empty(),
        "moves acknowledged but lost: {:#?}",
        ledger.moves_lost
    );
    assert!(
        ledger.moves_doubled.is_empty(),
        "moves made twice: {:#?}",
        ledger.moves_doubled
    );
    assert!(
        missing.is_empty(),
        "acknowledged but never listed: {missing:?}"
    );
    assert_eq!(
        ledger.listed.len(),
        ledger.acked.len(),
        "cases listed vs request ids known"
    );
    assert!(
        ledger.errors_before_kill.is_empty(),
        "calls failed while the server was up: {:#?}",
        ledger.errors_before_kill
    );
    assert!(
        ledger.acked.len() > cycles as usize,
        "too few cases written to test anything"
    );
    assert!(
        ledger.moves_acked() > cycles as u64,
        "too few moves made to test anything"
    );
    Ok(())
}
