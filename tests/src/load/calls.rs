//! The profiles that measure one service each: a caller's history, the
//! supervisors' dashboard and scorecards, the call-back queue, and the feed
//! as its watchers see it.

use super::stats::Recorder;
use super::workload::{Shared, moves_call_with, timed};
use crate::r#gen::{MAX_CITIZENS, citizen_phone};
use desk137_proto::v1 as pb;
use desk137_proto::v1::case_service_client::CaseServiceClient;
use desk137_proto::v1::dashboard_service_client::DashboardServiceClient;
use desk137_proto::v1::feed_service_client::FeedServiceClient;
use desk137_proto::v1::feedback_service_client::FeedbackServiceClient;
use desk137_proto::v1::scorecard_service_client::ScorecardServiceClient;
use pb::watch_response::Item;
use rand::Rng;
use rand::rngs::SmallRng;
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::Channel;

/// The clients one agent holds, all on its own connection.
#[derive(Debug, Clone)]
pub struct Clients {
    /// This agent's own token, when the run gave each agent one (profile
    /// callbacks with --spawn: a lease is per user).
    pub token: Option<MetadataValue<Ascii>>,
    pub cases: CaseServiceClient<Channel>,
    pub dashboard: DashboardServiceClient<Channel>,
    pub scorecards: ScorecardServiceClient<Channel>,
    pub feedback: FeedbackServiceClient<Channel>,
}

impl Clients {
    pub fn new(channel: Channel, token: Option<MetadataValue<Ascii>>) -> Self {
        Self {
            token,
            cases: CaseServiceClient::new(channel.clone()),
            dashboard: DashboardServiceClient::new(channel.clone()),
            scorecards: ScorecardServiceClient::new(channel.clone()),
            feedback: FeedbackServiceClient::new(channel),
        }
    }
}

impl Clients {
    fn request<T>(&self, shared: &Shared, message: T) -> tonic::Request<T> {
        let mut request = shared.request(message);
        if let Some(token) = &self.token {
            request
                .metadata_mut()
                .insert("authorization", token.clone());
        }
        request
    }
}

/// The token of agent `i` in the users file a spawned server gets for
/// profile callbacks.
pub fn load_agent(i: u32) -> String {
    format!("load-agent-{}", i + 1)
}

/// A users file of `n` agents, each with its name as its token.
pub fn users_file(n: u32) -> String {
    (0..n)
        .map(|i| {
            let name = load_agent(i);
            format!(
                "[[users]]\nname = \"{name}\"\nrole = \"agent\"\ntoken_sha256 = \"{}\"\n\n",
                desk137_server::auth::hash_token(&name)
            )
        })
        .collect()
}

/// A known citizen of `gen`'s pool, or (a `--unknown-share` of the calls) a
/// number of the numbering beyond the pool, which no case has.
pub async fn history(shared: &Shared, c: &mut Clients, rng: &mut SmallRng, rec: &mut Recorder) {
    let (name, k) = if rng.random::<f64>() < shared.unknown_share && shared.citizens < MAX_CITIZENS
    {
        (
            "CallerHistory/unknown",
            rng.random_range(shared.citizens..MAX_CITIZENS),
        )
    } else {
        ("CallerHistory/known", rng.random_range(0..shared.citizens))
    };
    let request = pb::CallerHistoryRequest {
        phone: citizen_phone(k),
        limit: 20,
    };
    timed(
        rec,
        shared,
        name,
        c.cases.caller_history(shared.request(request)),
    )
    .await;
}

pub async fn dashboard(shared: &Shared, c: &mut Clients, rec: &mut Recorder) {
    timed(
        rec,
        shared,
        "Snapshot",
        c.dashboard.snapshot(shared.request(pb::SnapshotRequest {})),
    )
    .await;
}

pub async fn scorecards(shared: &Shared, c: &mut Clients, rec: &mut Recorder) {
    let answer = timed(
        rec,
        shared,
        "Scorecards",
        c.scorecards
            .scorecards(shared.request(pb::ScorecardsRequest {
                quarter: shared.quarter.clone(),
            })),
    )
    .await;
    if let Some(answer) = answer {
        let cases: u64 = answer.units.iter().map(|u| u.cases).sum();
        let scored: u64 = answer.units.iter().map(|u| u.scored_cases).sum();
        shared.note_scorecard_cases(cases, scored, answer.units.len());
    }
}

/// The next case to call, then, as an agent would: a satisfaction (four in
/// ten), unreachable (one in ten), or a release for later (the rest), so the
/// queue drains slowly enough to stay many thousands long.
pub async fn callback(
    shared: &Shared,
    c: &mut Clients,
    rng: &mut SmallRng,
    rec: &mut Recorder,
    key: &str,
) {
    let Some(handed) = timed(
        rec,
        shared,
        "NextCallBack",
        c.feedback
            .next_call_back(c.request(shared, pb::NextCallBackRequest {})),
    )
    .await
    else {
        return;
    };
    shared.note_waiting(handed.waiting);
    let Some(case) = handed.r#case else { return };
    let roll = rng.random_range(0..10);
    if roll < 5 {
        timed(
            rec,
            shared,
            "ReleaseCallBack",
            c.feedback.release_call_back(
                c.request(shared, pb::ReleaseCallBackRequest { case_id: case.id }),
            ),
        )
        .await;
        return;
    }
    let (outcome, satisfaction, note) = if roll < 9 {
        (
            pb::FeedbackOutcome::Satisfaction,
            rng.random_range(1..=5),
            "از رسیدگی راضی بود",
        )
    } else {
        (pb::FeedbackOutcome::Unreachable, 0, "")
    };
    timed(
        rec,
        shared,
        "RecordFeedback",
        c.feedback.record_feedback(c.request(
            shared,
            pb::RecordFeedbackRequest {
                request_id: format!("load-{}-{key}", shared.run_id),
                case_id: case.id,
                revision: case.revision,
                outcome: outcome as i32,
                satisfaction,
                note: note.into(),
            },
        )),
    )
    .await;
}

/// A change a writer made: the case and the revision it left, when the
/// call started and when its answer came.
#[derive(Debug, Clone, Copy)]
pub struct Written {
    pub case_id: u64,
    pub revision: u64,
    pub sent: Instant,
    pub answered: Instant,
}

/// Profile feed: a create and one move, each answer noted for the watchers'
/// receipts to be timed against.
pub async fn feed_writer(
    shared: &Shared,
    c: &mut Clients,
    rng: &mut SmallRng,
    rec: &mut Recorder,
    key: &str,
    measured: bool,
) {
    let mut written = Vec::with_capacity(2);
    moves_call_with(shared, &mut c.cases, rng, rec, key, 1, |case, sent| {
        written.push(Written {
            case_id: case.id,
            revision: case.revision,
            sent,
            answered: Instant::now(),
        });
    })
    .await;
    if measured {
        shared.note_written(written);
    }
}

/// What one watcher received: the case and revision of each case event,
/// and when.
pub type Receipts = Vec<(u64, u64, Instant)>;

/// One watcher: a Watch stream from the sequence the dashboard stands at,
/// read until `until`. Case events only; heartbeats are passed over.
pub async fn watcher(
    channel: Channel,
    token: MetadataValue<Ascii>,
    until: Instant,
) -> anyhow::Result<Receipts> {
    fn request<T>(token: &MetadataValue<Ascii>, m: T) -> tonic::Request<T> {
        let mut r = tonic::Request::new(m);
        r.metadata_mut().insert("authorization", token.clone());
        r
    }
    let seq = DashboardServiceClient::new(channel.clone())
        .snapshot(request(&token, pb::SnapshotRequest {}))
        .await?
        .into_inner()
        .seq;
    let mut stream = FeedServiceClient::new(channel)
        .watch(request(&token, pb::WatchRequest { after_seq: seq }))
        .await?
        .into_inner();
    let mut receipts = Receipts::new();
    loop {
        let next = match tokio::time::timeout_at(until, stream.message()).await {
            Err(_) => break,
            Ok(next) => next?,
        };
        let Some(answer) = next else { break };
        if let Some(Item::Event(event)) = answer.item
            && let Some(case) = event.r#case
        {
            receipts.push((case.id, case.revision, Instant::now()));
        }
    }
    Ok(receipts)
}

/// Times every receipt of a written change: from its answer and from its
/// call's start. A receipt before the writer had its answer counts as 0
/// from the answer (the event left with the acknowledgement). Also returns
/// how many written changes some watcher never received.
pub fn feed_latencies(
    written: &[Written],
    receipts: &[Receipts],
    rec: &mut Recorder,
) -> (u64, u64) {
    let by_change: HashMap<(u64, u64), &Written> = written
        .iter()
        .map(|w| ((w.case_id, w.revision), w))
        .collect();
    let mut missed = 0u64;
    let mut early = 0u64;
    for watcher in receipts {
        let mut seen = 0usize;
        for (case_id, revision, at) in watcher {
            let Some(w) = by_change.get(&(*case_id, *revision)) else {
                continue;
            };
            seen += 1;
            if *at < w.answered {
                early += 1;
            }
            rec.series("Feed/from-answer")
                .ok(at.saturating_duration_since(w.answered));
            rec.series("Feed/from-start")
                .ok(at.saturating_duration_since(w.sent));
        }
        missed += (written.len() - seen.min(written.len())) as u64;
    }
    (missed, early)
}

/// How long the watchers keep reading after the writers stop: events of the
/// last changes are still on their way.
pub const FEED_GRACE: Duration = Duration::from_secs(2);
