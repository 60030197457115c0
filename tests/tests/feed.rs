//! The live feed over real gRPC: order, resume across restarts and SIGKILL,
//! resync, slow watchers cut off with bounded memory, and the access policy
//! on every event.

use desk137_server::app::ServerConfig;
use desk137_server::feed::FeedConfig;
use desk137_tests::load::procstat;
use desk137_tests::{Bearer, SIM_START_MS, Spawned, TestServer, obstruction, pb};
use pb::feed_service_client::FeedServiceClient;
use pb::watch_response::Item;
use std::net::SocketAddr;
use std::time::Duration;
use tonic::Streaming;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

type Feed = FeedServiceClient<InterceptedService<Channel, Bearer>>;

/// A feed client on a connection of its own: a watcher that stops reading
/// must not hold up another's flow-control window.
async fn feed(addr: SocketAddr, token: &str) -> anyhow::Result<Feed> {
    let channel = Endpoint::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    Ok(FeedServiceClient::with_interceptor(
        channel,
        Bearer::new(Some(token))?,
    ))
}

async fn watch(
    addr: SocketAddr,
    token: &str,
    after_seq: u64,
) -> anyhow::Result<Streaming<pb::WatchResponse>> {
    Ok(feed(addr, token)
        .await?
        .watch(pb::WatchRequest { after_seq })
        .await?
        .into_inner())
}

/// What a watcher read: the resync parts' cases and seq, then the events.
#[derive(Debug, Default)]
struct Seen {
    resync: Option<(u64, Vec<pb::Case>)>,
    events: Vec<pb::FeedEvent>,
    heartbeats: Vec<u64>,
    raw: Vec<Vec<u8>>,
}

/// Reads until `until` says enough, within a minute.
async fn read_until(
    stream: &mut Streaming<pb::WatchResponse>,
    seen: &mut Seen,
    until: impl Fn(&Seen) -> bool,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !until(seen) {
        let next = tokio::time::timeout_at(deadline, stream.message())
            .await
            .map_err(|_| {
                anyhow::anyhow!(
                    "nothing more within a minute: {} events up to {}, resync {:?}, heartbeats {:?}",
                    seen.events.len(),
                    last_seq(seen),
                    seen.resync.as_ref().map(|(seq, c)| (*seq, c.len())),
                    seen.heartbeats.last()
                )
            })??;
        let Some(answer) = next else {
            anyhow::bail!(
                "the stream ended after {:?}",
                seen.events.last().map(|e| e.seq)
            );
        };
        seen.raw.push(prost::Message::encode_to_vec(&answer));
        match answer.item {
            Some(Item::Event(e)) => seen.events.push(e),
            Some(Item::Resync(part)) => {
                let (_, cases) = seen.resync.get_or_insert((part.seq, Vec::new()));
                cases.extend(part.cases);
            }
            Some(Item::Heartbeat(h)) => seen.heartbeats.push(h.seq),
            None => anyhow::bail!("an empty answer"),
        }
    }
    Ok(())
}

fn last_seq(seen: &Seen) -> u64 {
    seen.events.last().map_or(0, |e| e.seq)
}

fn seqs(seen: &Seen) -> Vec<u64> {
    seen.events.iter().map(|e| e.seq).collect()
}

async fn create(addr: SocketAddr, n: usize, prefix: &str) -> anyhow::Result<Vec<pb::Case>> {
    let agent = desk137_tests::Clients::connect(addr, Some("agent1")).await?;
    let mut made = Vec::new();
    // A connection keeps 32 answers and 256 waiting calls; more at once are
    // refused, so the calls go in rounds a well-behaved client would send.
    let ids: Vec<usize> = (0..n).collect();
    for round in ids.chunks(200) {
        let tasks: Vec<_> = round
            .iter()
            .map(|i| {
                let mut cases = agent.cases.clone();
                let id = format!("{prefix}-{i}");
                tokio::spawn(async move { cases.create_case(obstruction(&id)).await })
            })
            .collect();
        for task in tasks {
            made.extend(task.await??.into_inner().r#case);
        }
    }
    Ok(made)
}

fn with_feed(feed: FeedConfig) -> ServerConfig {
    ServerConfig {
        demo: true,
        feed,
        ..ServerConfig::default()
    }
}

fn short_heartbeat() -> FeedConfig {
    FeedConfig {
        heartbeat: Duration::from_millis(200),
        ..FeedConfig::default()
    }
}

#[tokio::test]
async fn two_watchers_see_the_same_events_in_the_same_order() -> anyhow::Result<()> {
    let server = TestServer::start(with_feed(short_heartbeat())).await?;
    let mut a = watch(server.addr, "supervisor1", 0).await?;
    let mut b = watch(server.addr, "supervisor1", 0).await?;
    let (mut seen_a, mut seen_b) = (Seen::default(), Seen::default());
    // A new store: an empty resync at sequence 0 first.
    read_until(&mut a, &mut seen_a, |s| s.resync.is_some()).await?;
    read_until(&mut b, &mut seen_b, |s| s.resync.is_some()).await?;
    assert_eq!(
        seen_a.resync.as_ref().map(|(seq, c)| (*seq, c.len())),
        Some((0, 0))
    );

    let made = create(server.addr, 40, "two").await?;
    let mut unit = desk137_tests::Clients::connect(server.addr, Some("unit1")).await?;
    for case in made.iter().take(10) {
        unit.cases
            .move_case(desk137_tests::move_of(
                case,
                pb::Move::Acknowledge,
                &format!("ack-{}", case.id),
            ))
            .await?;
    }
    let mut presence = pb::presence_service_client::PresenceServiceClient::with_interceptor(
        server.channel().await?,
        Bearer::new(Some("dispatcher1"))?,
    );
    let signed_in = presence
        .sign_in(pb::SignInRequest {})
        .await?
        .into_inner()
        .seq;
    assert_eq!(signed_in, 51);

    read_until(&mut a, &mut seen_a, |s| last_seq(s) >= 51).await?;
    read_until(&mut b, &mut seen_b, |s| last_seq(s) >= 51).await?;
    assert_eq!(seqs(&seen_a), (1..=51).collect::<Vec<u64>>());
    assert_eq!(seen_a.events, seen_b.events);
    let kinds = |k: pb::FeedKind| seen_a.events.iter().filter(|e| e.kind() == k).count();
    assert_eq!(kinds(pb::FeedKind::CaseCreated), 40);
    assert_eq!(kinds(pb::FeedKind::CaseMoved), 10);
    let last = seen_a.events.last().unwrap();
    assert_eq!(
        (last.kind(), last.staff.as_str(), last.staff_role()),
        (
            pb::FeedKind::StaffSignedIn,
            "dispatcher1",
            pb::Role::Dispatcher
        )
    );
    // Each move's event carries the case as it left it.
    let moved = seen_a
        .events
        .iter()
        .find(|e| e.kind() == pb::FeedKind::CaseMoved)
        .unwrap();
    assert_eq!(
        moved.case.as_ref().unwrap().status(),
        pb::CaseStatus::Acknowledged
    );
    assert_eq!(
        moved.event.as_ref().unwrap().kind(),
        pb::EventKind::Acknowledged
    );
    // Then quiet: heartbeats with where the feed stands.
    seen_a.heartbeats.clear();
    read_until(&mut a, &mut seen_a, |s| !s.heartbeats.is_empty()).await?;
    assert_eq!(seen_a.heartbeats[0], 51);
    server.shutdown().await
}

#[tokio::test]
async fn a_watcher_resumes_after_a_restart_without_gap_or_duplicate() -> anyhow::Result<()> {
    let mut server = TestServer::start(with_feed(short_heartbeat())).await?;
    let mut w = watch(server.addr, "supervisor1", 0).await?;
    let mut seen = Seen::default();
    create(server.addr, 10, "before").await?;
    read_until(&mut w, &mut seen, |s| last_seq(s) >= 10).await?;
    server.restart().await?;
    // The stopping server ends the stream saying where to resume.
    let end = loop {
        match w.message().await {
            Ok(Some(_)) => {}
            Ok(None) => anyhow::bail!("the stream ended without a status"),
            Err(status) => break status,
        }
    };
    assert_eq!(end.code(), tonic::Code::Unavailable);
    assert_eq!(
        end.metadata()
            .get("desk137-last-seq")
            .and_then(|v| v.to_str().ok()),
        Some("10")
    );
    create(server.addr, 5, "after").await?;
    let mut w = watch(server.addr, "supervisor1", 10).await?;
    let mut resumed = Seen::default();
    read_until(&mut w, &mut resumed, |s| last_seq(s) >= 15).await?;
    assert!(resumed.resync.is_none());
    assert_eq!(seqs(&resumed), (11..=15).collect::<Vec<u64>>());
    server.shutdown().await
}

#[tokio::test]
async fn a_watcher_resumes_after_sigkill_without_gap_or_duplicate() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let server = Spawned::start(&data, SIM_START_MS)?;
    let mut w = watch(server.addr, "supervisor1", 0).await?;
    let mut seen = Seen::default();
    create(server.addr, 20, "k").await?;
    // The watcher has read only part of what was acknowledged.
    read_until(&mut w, &mut seen, |s| last_seq(s) >= 7).await?;
    let point = last_seq(&seen);
    server.kill()?;
    drop(w);

    let server = Spawned::start(&data, SIM_START_MS)?;
    create(server.addr, 5, "k2").await?;
    let mut w = watch(server.addr, "supervisor1", point).await?;
    let mut resumed = Seen::default();
    read_until(&mut w, &mut resumed, |s| last_seq(s) >= 25).await?;
    assert!(resumed.resync.is_none());
    assert_eq!(seqs(&resumed), ((point + 1)..=25).collect::<Vec<u64>>());
    // Every acknowledged case is in the feed exactly once.
    let mut ids: Vec<u64> = seen.events[..point as usize]
        .iter()
        .chain(&resumed.events)
        .map(|e| e.case.as_ref().unwrap().id)
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=25).collect::<Vec<u64>>());
    Ok(())
}

#[tokio::test]
async fn a_point_older_than_the_history_gets_a_resync() -> anyhow::Result<()> {
    let server = TestServer::start(with_feed(FeedConfig {
        keep_events: 5,
        ..short_heartbeat()
    }))
    .await?;
    let made = create(server.addr, 20, "old").await?;
    // The trim runs after the publish; wait until it has.
    let (mut w, mut seen) = loop {
        let mut w = watch(server.addr, "supervisor1", 1).await?;
        let mut seen = Seen::default();
        read_until(&mut w, &mut seen, |s| {
            s.resync.is_some() || !s.events.is_empty()
        })
        .await?;
        if seen.resync.is_some() {
            break (w, seen);
        }
        assert_eq!(
            seen.events[0].seq, 2,
            "a replay starts right after the point"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // The last part ends the resync; nothing before it is an event.
    read_until(&mut w, &mut seen, |s| {
        s.raw.last().is_some_and(|r| {
            matches!(
                prost::Message::decode(r.as_slice()),
                Ok(pb::WatchResponse {
                    item: Some(Item::Resync(pb::Resync { last: true, .. }))
                })
            )
        })
    })
    .await?;
    let (seq, cases) = seen.resync.clone().unwrap();
    assert_eq!(seq, 20);
    assert!(seen.events.is_empty());
    let mut ids: Vec<u64> = cases.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    let mut want: Vec<u64> = made.iter().map(|c| c.id).collect();
    want.sort_unstable();
    assert_eq!(ids, want);
    assert!(
        cases
            .iter()
            .all(|c| c.events.is_empty() && c.phone.is_empty())
    );
    // And the events after the snapshot follow.
    create(server.addr, 1, "new").await?;
    read_until(&mut w, &mut seen, |s| !s.events.is_empty()).await?;
    assert_eq!(seqs(&seen), [21]);
    server.shutdown().await
}

/// Reads a whole resync, then `more` sequences of events after it.
async fn resync_then_events(
    stream: &mut Streaming<pb::WatchResponse>,
    more: u64,
) -> anyhow::Result<Seen> {
    let mut seen = Seen::default();
    read_until(stream, &mut seen, |s| {
        s.raw.last().is_some_and(|r| {
            matches!(
                prost::Message::decode(r.as_slice()),
                Ok(pb::WatchResponse {
                    item: Some(Item::Resync(pb::Resync { last: true, .. }))
                })
            )
        })
    })
    .await?;
    let until_seq = seen.resync.as_ref().map_or(0, |(seq, _)| *seq) + more;
    read_until(stream, &mut seen, |s| {
        last_seq(s) >= until_seq || s.heartbeats.iter().any(|h| *h >= until_seq)
    })
    .await?;
    Ok(seen)
}

#[tokio::test]
async fn a_resync_taken_while_writes_go_on_is_the_store_at_its_sequence() -> anyhow::Result<()> {
    let server = TestServer::start(with_feed(short_heartbeat())).await?;
    let made = create(server.addr, 1_000, "busy").await?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Writers note cases without pause while watchers resync.
    let mut writers = Vec::new();
    for w in 0..4 {
        let clients = desk137_tests::Clients::connect(server.addr, Some("dispatcher1")).await?;
        let ids: Vec<u64> = made.iter().skip(w).step_by(4).map(|c| c.id).collect();
        let stop = stop.clone();
        writers.push(tokio::spawn(async move {
            let mut cases = clients.cases.clone();
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for &id in &ids {
                    let case = cases
                        .get_case(pb::GetCaseRequest {
                            key: Some(pb::get_case_request::Key::Id(id)),
                        })
                        .await?
                        .into_inner();
                    n += 1;
                    cases
                        .move_case(pb::MoveCaseRequest {
                            request_id: format!("busy-note-{w}-{n}"),
                            case_id: id,
                            revision: case.revision,
                            r#move: pb::Move::Note.into(),
                            note: format!("یادداشت {n}"),
                            ..Default::default()
                        })
                        .await?;
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                }
            }
            anyhow::Ok(n)
        }));
    }
    for _ in 0..5 {
        let mut w = watch(server.addr, "supervisor1", 0).await?;
        // Whatever the resync shows, the events after it are newer.
        let seen = resync_then_events(&mut w, 200).await?;
        let (seq, cases) = seen.resync.clone().unwrap_or_default();
        assert_eq!(cases.len(), made.len(), "every open case, once");
        let revisions: std::collections::HashMap<u64, u64> =
            cases.iter().map(|c| (c.id, c.revision)).collect();
        assert!(seen.events.iter().all(|e| e.seq > seq));
        for e in &seen.events {
            let case = e.case.as_ref().ok_or_else(|| anyhow::anyhow!("no case"))?;
            let held = revisions.get(&case.id).copied().unwrap_or(0);
            assert!(
                case.revision > held,
                "event {} brings case {} at revision {}, the resync at {seq} already showed {held}",
                e.seq,
                case.id,
                case.revision
            );
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut notes = 0;
    for w in writers {
        notes += w.await??;
    }
    assert!(notes > 0);
    server.shutdown().await
}

/// Every way the test number can be written: ASCII, Persian and Arabic-Indic
/// digits, the ten digits after the 0 and the last seven alone.
fn phone_forms() -> Vec<String> {
    let ascii = ["9131234567", "1234567"];
    let mut forms = Vec::new();
    for digits in ascii {
        forms.push(digits.to_owned());
        for zero in ['۰', '٠'] {
            forms.push(
                digits
                    .chars()
                    .map(|c| char::from_u32(zero as u32 + c.to_digit(10).unwrap()).unwrap())
                    .collect(),
            );
        }
    }
    forms
}

#[tokio::test]
async fn a_unit_sees_only_its_own_cases_and_no_event_carries_a_number() -> anyhow::Result<()> {
    let server = TestServer::start(with_feed(short_heartbeat())).await?;
    let mut unit = watch(server.addr, "unit1", 0).await?;
    let mut agent = watch(server.addr, "agent1", 0).await?;
    let mut supervisor = watch(server.addr, "supervisor1", 0).await?;
    let clients = desk137_tests::Clients::connect(server.addr, Some("agent1")).await?;
    let mut made = Vec::new();
    for (i, region) in [3, 5, 3, 7, 5, 3].into_iter().enumerate() {
        let mut request = obstruction(&format!("p-{i}"));
        request.region = region;
        request.description = format!("تماس با ۰۹۱۳۱۲۳۴۵۶۷ یا 0913-123-4567 ({i})");
        made.extend(
            clients
                .cases
                .clone()
                .create_case(request)
                .await?
                .into_inner()
                .r#case,
        );
    }
    let own: Vec<u64> = made
        .iter()
        .filter(|c| c.unit_id == desk137_server::auth::DEMO_UNIT)
        .map(|c| c.id)
        .collect();
    assert_eq!(own.len(), 3);
    let (mut su, mut sa, mut ss) = (Seen::default(), Seen::default(), Seen::default());
    read_until(&mut supervisor, &mut ss, |s| last_seq(s) >= 6).await?;
    read_until(&mut agent, &mut sa, |s| last_seq(s) >= 6).await?;
    read_until(&mut unit, &mut su, |s| s.events.len() >= 3).await?;
    // A heartbeat shows the unit has been told of everything up to 6.
    read_until(&mut unit, &mut su, |s| s.heartbeats.contains(&6)).await?;
    assert_eq!(
        su.events
            .iter()
            .map(|e| e.case.as_ref().unwrap().id)
            .collect::<Vec<_>>(),
        own
    );
    assert_eq!(sa.events.len(), 6);
    for seen in [&su, &sa, &ss] {
        for raw in &seen.raw {
            let text = String::from_utf8_lossy(raw);
            for form in phone_forms() {
                assert!(!text.contains(&form), "{form} in an answer");
            }
        }
        assert!(
            seen.events
                .iter()
                .all(|e| e.case.as_ref().unwrap().phone.is_empty())
        );
    }
    // The masking leaves the text readable.
    assert!(
        sa.events[0]
            .case
            .as_ref()
            .unwrap()
            .description
            .starts_with("تماس با")
    );
    server.shutdown().await
}

#[tokio::test]
async fn a_unit_hears_that_a_case_was_rerouted_away_and_nothing_after() -> anyhow::Result<()> {
    let server = TestServer::start(with_feed(short_heartbeat())).await?;
    let mut unit = watch(server.addr, "unit1", 0).await?;
    let mut su = Seen::default();
    read_until(&mut unit, &mut su, |s| s.resync.is_some()).await?;
    let made = create(server.addr, 1, "away").await?;
    let case = made.first().ok_or_else(|| anyhow::anyhow!("no case"))?;
    assert_eq!(case.unit_id, desk137_server::auth::DEMO_UNIT);
    let dispatcher = desk137_tests::Clients::connect(server.addr, Some("dispatcher1")).await?;
    let moved = dispatcher
        .cases
        .clone()
        .move_case(pb::MoveCaseRequest {
            request_id: "away-reroute".into(),
            case_id: case.id,
            revision: case.revision,
            r#move: pb::Move::Reroute.into(),
            unit_id: "r05-urban_services".into(),
            note: "منطقه ۵ است".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .r#case
        .ok_or_else(|| anyhow::anyhow!("no case"))?;
    dispatcher
        .cases
        .clone()
        .move_case(pb::MoveCaseRequest {
            request_id: "away-note".into(),
            case_id: case.id,
            revision: moved.revision,
            r#move: pb::Move::Note.into(),
            note: "پیگیری شد".into(),
            ..Default::default()
        })
        .await?;
    // Created (1), re-routed (2), the note (3): a heartbeat at 3 says the
    // unit was told all it may hear.
    read_until(&mut unit, &mut su, |s| s.heartbeats.contains(&3)).await?;
    let kinds: Vec<_> = su
        .events
        .iter()
        .map(|e| (e.seq, e.event.as_ref().map(|ev| ev.kind)))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (1, Some(pb::EventKind::Registered as i32)),
            (2, Some(pb::EventKind::Rerouted as i32)),
        ],
        "the unit hears of the case and of its leaving, not of what follows"
    );
    let left = su.events[1]
        .case
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no case"))?;
    assert_eq!(left.unit_id, "r05-urban_services");
    server.shutdown().await
}

#[tokio::test]
async fn a_watcher_that_stops_reading_is_cut_off_with_memory_bounded_and_others_get_everything()
-> anyhow::Result<()> {
    const EVENTS: u64 = 100_000;
    let dir = tempfile::tempdir()?;
    let server = Spawned::start(&dir.path().join("data"), SIM_START_MS)?;
    let pid = server.pid();
    let addr = server.addr;
    // Warm up: the store's cache and the runtime's pools reach their size.
    create(addr, 2_000, "warm").await?;
    let base = 2_000u64;
    let mut slow = watch(addr, "supervisor1", base).await?;
    let mut slow_seen = Seen::default();
    let keeping_up: Vec<_> = (0..3)
        .map(|_| {
            tokio::spawn(async move {
                let mut w = watch(addr, "supervisor1", base).await?;
                let mut next = base + 1;
                let deadline = tokio::time::Instant::now() + Duration::from_secs(600);
                // Only the sequence is kept: the test's own memory stays small.
                while next <= base + EVENTS {
                    match tokio::time::timeout_at(deadline, w.message()).await?? {
                        Some(pb::WatchResponse {
                            item: Some(Item::Event(e)),
                        }) => {
                            anyhow::ensure!(e.seq == next, "expected {next}, got {}", e.seq);
                            next += 1;
                        }
                        Some(_) => {}
                        None => anyhow::bail!("the stream ended at {next}"),
                    }
                }
                Ok::<u64, anyhow::Error>(next - 1)
            })
        })
        .collect();
    let rss_before = procstat::sample(pid)?.rss_kib;
    let mut max_rss = rss_before;
    let writers = tokio::spawn(async move {
        for round in 0..(EVENTS / 2_000) {
            create(addr, 2_000, &format!("load{round}")).await?;
        }
        Ok::<(), anyhow::Error>(())
    });
    while !writers.is_finished() {
        max_rss = max_rss.max(procstat::sample(pid)?.rss_kib);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    writers.await??;
    for task in keeping_up {
        assert_eq!(task.await??, base + EVENTS);
    }
    max_rss = max_rss.max(procstat::sample(pid)?.rss_kib);
    // Now the slow one reads: what was queued for it, then the status.
    let status = loop {
        match tokio::time::timeout(Duration::from_secs(60), slow.message()).await? {
            Ok(Some(answer)) => {
                if let Some(Item::Event(e)) = answer.item {
                    slow_seen.events.push(e);
                }
            }
            Ok(None) => anyhow::bail!("the slow stream ended without a status"),
            Err(status) => break status,
        }
    };
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    let trailer: u64 = status
        .metadata()
        .get("desk137-last-seq")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("the last sequence in a trailer");
    // It was sent exactly what it read, in order, and the trailer says where that ended.
    assert_eq!(
        seqs(&slow_seen),
        ((base + 1)..=trailer).collect::<Vec<u64>>()
    );
    assert!(trailer < base + EVENTS / 2, "cut off at {trailer}");
    let details = tonic_types::StatusExt::get_error_details(&status);
    let info = details.error_info().expect("an ErrorInfo");
    assert_eq!(info.metadata.get("last_seq"), Some(&trailer.to_string()));
    // It resumes from there and gets the rest.
    let mut resumed = watch(addr, "supervisor1", trailer).await?;
    let mut rest = Seen::default();
    read_until(&mut resumed, &mut rest, |s| last_seq(s) >= base + EVENTS).await?;
    assert_eq!(rest.events.first().map(|e| e.seq), Some(trailer + 1));
    assert_eq!(rest.events.len() as u64, base + EVENTS - trailer);
    let grown_mib = max_rss.saturating_sub(rss_before) / 1024;
    eprintln!("rss before {rss_before} KiB, at most {max_rss} KiB: grew {grown_mib} MiB");
    // Holding every event for it would be well over 200 MiB; the store's
    // cache alone may grow by its 64 MiB cap.
    assert!(grown_mib < 150, "the server grew by {grown_mib} MiB");
    Ok(())
}
