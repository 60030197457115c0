//! One watcher's stream: replay or resync, then live events and heartbeats.
//!
//! The order of steps is what keeps the stream whole. The watcher
//! subscribes first and learns the sequence `from` published at that
//! moment; every later event it may see reaches its buffer. It then replays
//! the history after its point up to `from`, and only then takes from the
//! buffer, so each event comes once. A point the history no longer reaches
//! (trimmed, or 0) gets a resync tagged with `from` instead.
//!
//! A resync reads the open cases while writes go on, then folds the
//! history's events over them up to the sequence it is tagged with, so it
//! shows the store as it stood at that sequence (see [`Watch::resync`]).

use super::FeedConfig;
use super::hub::{Hub, Subscription};
use crate::domain::access::{Caller, FeedSubject, View, feed_view, may_watch};
use crate::service::{Context, Error, convert};
use crate::store::feed::FeedRecord;
use desk137_proto::convert::{WireEnum, event_to_pb};
use desk137_proto::v1 as pb;
use std::sync::Arc;
use tokio::sync::mpsc;
use tonic::Status;

/// Records replayed per read of the history.
const REPLAY_STEP: usize = 512;
/// Cases per resync part.
const RESYNC_PART: usize = 200;
/// Reads of a resync before a history trimmed under it every time fails it.
const RESYNC_TRIES: usize = 3;
/// Answers queued for the client before the watcher waits for it to read.
pub const OUT_QUEUE: usize = 16;

pub type Item = Result<pb::WatchResponse, Status>;

/// Why a stream ended early.
enum Stop {
    /// The client went away.
    Gone,
    /// The buffer overflowed; everything up to `covered` was sent.
    Cut,
    /// The server is stopping.
    Closing,
    Failed(Error),
}

struct Watch {
    ctx: Context,
    caller: Caller,
    view: View,
    out: mpsc::Sender<Item>,
    sub: Subscription,
    /// Every event up to this sequence that the watcher may see was sent.
    covered: u64,
}

/// Starts a watcher's stream after `after_seq`.
pub fn start(
    ctx: Context,
    hub: &Arc<Hub>,
    config: FeedConfig,
    caller: Caller,
    after_seq: u64,
) -> mpsc::Receiver<Item> {
    let (out, rx) = mpsc::channel(OUT_QUEUE);
    let sub = hub.subscribe(caller.clone());
    let watch = Watch {
        view: feed_view(&caller),
        ctx,
        caller,
        out,
        sub,
        covered: after_seq,
    };
    tokio::spawn(watch.run(config, after_seq));
    rx
}

impl Watch {
    async fn run(mut self, config: FeedConfig, after_seq: u64) {
        let stop = match self.catch_up(after_seq).await {
            Ok(()) => self.live(&config).await,
            Err(stop) => stop,
        };
        let last_seq = self.covered;
        match stop {
            Stop::Gone => {}
            Stop::Cut => {
                // The buffer is freed now, not when the client reads again.
                let Self { out, sub, .. } = self;
                drop(sub);
                let _ = out.send(Err(Error::CutOff { last_seq }.into())).await;
            }
            Stop::Closing => {
                let _ = self
                    .out
                    .send(Err(Error::FeedClosed { last_seq }.into()))
                    .await;
            }
            Stop::Failed(e) => {
                let _ = self.out.send(Err(e.into())).await;
            }
        }
    }

    /// Sends one answer, unless the watcher is cut off meanwhile.
    async fn send(&mut self, item: pb::watch_response::Item) -> Result<(), Stop> {
        let answer = Ok(pb::WatchResponse { item: Some(item) });
        tokio::select! {
            biased;
            () = self.sub.cut.wait() => Err(Stop::Cut),
            sent = self.out.send(answer) => sent.map_err(|_| Stop::Gone),
        }
    }

    fn visible(&self, record: &FeedRecord) -> bool {
        may_watch(&self.caller, record.subject(), self.ctx.coordination_unit())
    }

    async fn event(&mut self, record: &FeedRecord) -> Result<(), Stop> {
        if record.seq <= self.covered {
            return Ok(());
        }
        if self.visible(record) {
            let event = feed_event(record, &self.view, &self.ctx);
            self.send(pb::watch_response::Item::Event(event)).await?;
        }
        self.covered = record.seq;
        Ok(())
    }

    /// The history after `after_seq` up to where the subscription began, or
    /// a resync when the history does not reach back to it.
    async fn catch_up(&mut self, after_seq: u64) -> Result<(), Stop> {
        let from = self.sub.from;
        if after_seq == 0 || after_seq > from {
            return self.resync(from).await;
        }
        let mut first = true;
        while self.covered < from {
            let after = self.covered;
            let records = self
                .ctx
                .read(move |store| store.feed_reader().after(after, REPLAY_STEP))
                .await
                .map_err(Stop::Failed)?;
            if first && records.first().is_none_or(|r| r.seq != after_seq + 1) {
                // Trimmed away: the events after the point are not all kept.
                return self.resync(from).await;
            }
            first = false;
            for record in records.iter().take_while(|r| r.seq <= from) {
                self.event(record).await?;
            }
            if records.len() < REPLAY_STEP {
                break;
            }
        }
        self.covered = self.covered.max(from);
        Ok(())
    }

    /// The open cases the watcher may see, consistent with one sequence,
    /// in parts tagged with it.
    ///
    /// The cases are read while writes go on, each somewhere after `from`.
    /// The feed's sequence `to` is then read: every change a read could have
    /// seen is at or below it. Folding the history's events in `(from, to]`
    /// over what was read (each carries its case as the change left it)
    /// brings every case they touched to its state at `to`; the others did
    /// not change in between. So the snapshot is the store as it stood at
    /// `to`, and the events after `to` follow.
    async fn resync(&mut self, from: u64) -> Result<(), Stop> {
        let mut from = from;
        for _ in 0..RESYNC_TRIES {
            match self.snapshot(from).await? {
                Some((to, cases)) => return self.send_resync(to, cases).await,
                // History trimmed while the cases were read: read again from
                // a point the history holds.
                None => {
                    from = self
                        .ctx
                        .read(|store| store.feed_reader().last_seq())
                        .await
                        .map_err(Stop::Failed)?
                }
            }
        }
        Err(Stop::Failed(Error::Task(
            "the feed's history was trimmed during every try of a resync".into(),
        )))
    }

    /// The cases at the sequence returned, or `None` when the history no
    /// longer holds every event after `from`.
    async fn snapshot(
        &mut self,
        from: u64,
    ) -> Result<Option<(u64, Vec<crate::domain::model::Case>)>, Stop> {
        let occ = self.ctx.coordination_unit().map(str::to_owned);
        let caller = self.caller.clone();
        let keep = move |c: &crate::domain::model::Case| {
            c.status.is_open() && may_watch(&caller, FeedSubject::case(c), occ.as_deref())
        };
        let ids = self
            .ctx
            .read(|store| store.open_case_ids())
            .await
            .map_err(Stop::Failed)?;
        let mut cases = std::collections::BTreeMap::new();
        for chunk in ids.chunks(RESYNC_PART) {
            let chunk = chunk.to_vec();
            let read = self
                .ctx
                .read(move |store| {
                    chunk
                        .iter()
                        .filter_map(|id| store.get_case(*id).transpose())
                        .collect::<Result<Vec<_>, _>>()
                })
                .await
                .map_err(Stop::Failed)?;
            cases.extend(read.into_iter().filter(&keep).map(|c| (c.id, c)));
        }
        let to = self
            .ctx
            .read(|store| store.feed_reader().last_seq())
            .await
            .map_err(Stop::Failed)?
            .max(from);
        let mut at = from;
        while at < to {
            let after = at;
            let records = self
                .ctx
                .read(move |store| store.feed_reader().after(after, REPLAY_STEP))
                .await
                .map_err(Stop::Failed)?;
            if records.first().is_none_or(|r| r.seq != at + 1) {
                return Ok(None);
            }
            for record in records.iter().take_while(|r| r.seq <= to) {
                at = record.seq;
                if let Some(case) = &record.case {
                    if keep(case) {
                        cases.insert(case.id, case.clone());
                    } else {
                        cases.remove(&case.id);
                    }
                }
            }
            if records.len() < REPLAY_STEP {
                break;
            }
        }
        Ok(Some((to, cases.into_values().collect())))
    }

    async fn send_resync(
        &mut self,
        to: u64,
        cases: Vec<crate::domain::model::Case>,
    ) -> Result<(), Stop> {
        let mut parts = cases.chunks(RESYNC_PART).peekable();
        if parts.peek().is_none() {
            let part = pb::Resync {
                seq: to,
                cases: Vec::new(),
                last: true,
            };
            self.send(pb::watch_response::Item::Resync(part)).await?;
        }
        while let Some(chunk) = parts.next() {
            let part = pb::Resync {
                seq: to,
                cases: chunk
                    .iter()
                    .map(|c| convert::case_to(c, &[], &self.view, &self.ctx.sla))
                    .collect(),
                last: parts.peek().is_none(),
            };
            self.send(pb::watch_response::Item::Resync(part)).await?;
        }
        // The events up to `to` are in the snapshot; those still in the
        // subscription's buffer are passed over.
        self.covered = to;
        Ok(())
    }

    async fn live(&mut self, config: &FeedConfig) -> Stop {
        loop {
            let next = tokio::select! {
                biased;
                () = self.sub.cut.wait() => return Stop::Cut,
                next = tokio::time::timeout(config.heartbeat, self.sub.rx.recv()) => next,
            };
            let step = match next {
                Ok(Some(record)) => self.event(&record).await,
                // The hub let go of the watcher: the server stops, or it overflowed.
                Ok(None) if self.sub.hub().is_closed() => return Stop::Closing,
                Ok(None) => return Stop::Cut,
                Err(_) => self.heartbeat().await,
            };
            if let Err(stop) = step {
                return stop;
            }
        }
    }

    async fn heartbeat(&mut self) -> Result<(), Stop> {
        // Claims a sequence only when nothing for this watcher is pending.
        let seq = self
            .sub
            .drained_seq()
            .unwrap_or(self.covered)
            .max(self.covered);
        self.covered = seq;
        let beat = pb::Heartbeat {
            seq,
            at_ms: self.ctx.clock.now_ms(),
        };
        self.send(pb::watch_response::Item::Heartbeat(beat)).await
    }
}

/// A stored feed record as this watcher's view shows it.
pub fn feed_event(record: &FeedRecord, view: &View, ctx: &Context) -> pb::FeedEvent {
    pb::FeedEvent {
        seq: record.seq,
        at_ms: record.at_ms,
        kind: feed_kind(record.kind),
        case: record
            .case
            .as_ref()
            .map(|c| convert::case_to(c, &[], view, &ctx.sla)),
        event: record.event.as_ref().map(|e| {
            let mut e = event_to_pb(e);
            e.note = view.text(&e.note);
            e
        }),
        staff: record.staff.clone(),
        staff_role: record.staff_role.map_or(0, WireEnum::to_wire),
    }
}

fn feed_kind(kind: crate::domain::feed::FeedKind) -> i32 {
    use crate::domain::feed::FeedKind as K;
    let wire = match kind {
        K::CaseCreated => pb::FeedKind::CaseCreated,
        K::CaseMoved => pb::FeedKind::CaseMoved,
        K::SlaWarning => pb::FeedKind::SlaWarning,
        K::SlaBreach => pb::FeedKind::SlaBreach,
        K::Escalation => pb::FeedKind::Escalation,
        K::AttachmentAdded => pb::FeedKind::AttachmentAdded,
        K::StaffSignedIn => pb::FeedKind::StaffSignedIn,
        K::StaffSignedOut => pb::FeedKind::StaffSignedOut,
    };
    wire as i32
}
