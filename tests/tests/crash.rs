//! Crash safety: an acknowledged case survives SIGKILL, intact, and a retry
//! with the same `request_id` never makes a second case.
//!
//! The real `desk137-server` runs as a child process on one temporary store.
//! Each cycle starts it, has several clients open cases concurrently (each
//! with a unique request id), and kills it with SIGKILL at a random moment;
//! some cycles kill it while it is still starting. After the restart every
//! acknowledged case must read back exactly as it was acknowledged; each
//! request that got no answer is retried with its same request id, and the
//! cases written since the last check must hold every request id once.
//!
//! 30 cycles by default; `DESK137_CRASH_CYCLES=300` for more, and
//! `DESK137_CRASH_SEED=N` to repeat a run's kill moments.

use desk137_tests::load::spawn;
use desk137_tests::{Bearer, pb, server_binary};
use pb::case_service_client::CaseServiceClient;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

type Client = CaseServiceClient<InterceptedService<Channel, Bearer>>;

const DEFAULT_CYCLES: u32 = 30;
const WRITERS: usize = 8;
/// Every this many cycles, one kills the server while it starts.
const STARTUP_KILL_EVERY: u32 = 5;
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// What the clients know, across every cycle.
#[derive(Default)]
struct Ledger {
    /// Request id → the case the server acknowledged.
    acked: HashMap<String, pb::Case>,
    /// Acknowledged since the last restart, not yet checked.
    unchecked: Vec<String>,
    /// Sent without an answer since the last restart: request id → request.
    unanswered: HashMap<String, pb::CreateCaseRequest>,
    /// Request ids seen on cases listed so far, and the newest id listed.
    listed: HashSet<String>,
    listed_up_to: u64,
    // The figures reported at the end.
    lost: Vec<String>,
    unanswered_total: u64,
    found_anyway: u64,
    made_on_retry: u64,
    duplicates: Vec<String>,
    errors_before_kill: Vec<String>,
    startup_kills: u32,
    startup_kills_before_serving: u32,
}

fn request(request_id: String, n: u64) -> pb::CreateCaseRequest {
    const TEXTS: [&str; 4] = [
        "وانت میوه‌فروش پیاده‌رو را بسته",
        "چراغ روشنایی کوچه خاموش است",
        "آب‌گرفتگی زیرگذر بعد از باران",
        "زمین جلوی خانه نشست کرده، خطرناک است",
    ];
    pb::CreateCaseRequest {
        request_id,
        channel: pb::Channel::Phone.into(),
        kind: pb::Kind::Unspecified.into(),
        urgency: if n.is_multiple_of(3) {
            pb::Urgency::Urgent.into()
        } else {
            pb::Urgency::Unspecified.into()
        },
        topic_id: format!("T{:03}", n % 20 + 1),
        description: format!("{} ({n})", TEXTS[(n % 4) as usize]),
        phone: format!("0913{:07}", n % 5000),
        region: (n % 15) as u32 + 1,
        address: "خیابان چهارباغ عباسی، کوچه ۱۲".into(),
        landmark: String::new(),
    }
}

async fn client(addr: std::net::SocketAddr) -> anyhow::Result<Client> {
    let channel = Endpoint::from_shared(format!("http://{addr}"))?
        .tcp_nodelay(true)
        .connect()
        .await?;
    Ok(CaseServiceClient::with_interceptor(
        channel,
        Bearer::new(Some("agent1"))?,
    ))
}

/// One client opening cases until the server dies. Returns what was
/// acknowledged and what was sent without an answer.
async fn writer(
    addr: std::net::SocketAddr,
    cycle: u32,
    index: usize,
    killed: Arc<AtomicBool>,
) -> anyhow::Result<(Vec<pb::Case>, Vec<pb::CreateCaseRequest>, Vec<String>)> {
    let (mut acked, mut unanswered, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    let mut c = match client(addr).await {
        Ok(c) => c,
        // Killed before this client connected: it sent nothing.
        Err(_) if killed.load(Ordering::SeqCst) => return Ok((acked, unanswered, errors)),
        Err(e) => return Err(e),
    };
    for n in 0u64.. {
        if killed.load(Ordering::SeqCst) {
            break;
        }
        let req = request(format!("crash-{cycle}-{index}-{n}"), n);
        match c.create_case(req.clone()).await {
            Ok(response) => {
                let case = response
                    .into_inner()
                    .r#case
                    .ok_or_else(|| anyhow::anyhow!("an acknowledgement without its case"))?;
                acked.push(case);
            }
            Err(status) => {
                if !killed.load(Ordering::SeqCst) {
                    errors.push(format!(
                        "{}: {:?} {}",
                        req.request_id,
                        status.code(),
                        status.message()
                    ));
                }
                unanswered.push(req);
                break;
            }
        }
    }
    Ok((acked, unanswered, errors))
}

fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// After a restart: every acknowledged case reads back unchanged; every
/// unanswered request is retried with its request id; the cases written
/// since the last check each have a request id never listed before.
async fn check(addr: std::net::SocketAddr, ledger: &mut Ledger) -> anyhow::Result<()> {
    let mut c = client(addr).await?;
    // Acknowledged: the same case, whole, under the same id and number.
    let unchecked = std::mem::take(&mut ledger.unchecked);
    let mut reads = Vec::new();
    for chunk in unchecked.chunks(unchecked.len().div_ceil(WRITERS).max(1)) {
        let mut c = c.clone();
        let wanted: Vec<pb::Case> = chunk.iter().map(|id| ledger.acked[id].clone()).collect();
        reads.push(tokio::spawn(async move {
            let mut lost = Vec::new();
            for case in wanted {
                let got = c
                    .get_case(pb::GetCaseRequest {
                        key: Some(pb::get_case_request::Key::Id(case.id)),
                    })
                    .await;
                match got {
                    Ok(got) if got.get_ref() == &case => {}
                    Ok(got) => lost.push(format!(
                        "{} changed: {:?} became {:?}",
                        case.request_id,
                        case,
                        got.into_inner()
                    )),
                    Err(status) => {
                        lost.push(format!("{} ({}): {status}", case.request_id, case.number))
                    }
                }
            }
            lost
        }));
    }
    for read in reads {
        ledger.lost.extend(read.await?);
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
            let (acked, unanswered, errors) = w.await??;
            for case in acked {
                ledger.unchecked.push(case.request_id.clone());
                anyhow::ensure!(
                    ledger.acked.insert(case.request_id.clone(), case).is_none(),
                    "a request id was acknowledged twice"
                );
            }
            ledger.unanswered_total += unanswered.len() as u64;
            ledger
                .unanswered
                .extend(unanswered.into_iter().map(|r| (r.request_id.clone(), r)));
            ledger.errors_before_kill.extend(errors);
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
    Ok(())
}
