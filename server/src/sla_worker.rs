//! The SLA worker: applies warnings, breaches and escalations as they fall
//! due. It reads the deadline index (earliest first), never the cases at
//! large; sleeps until the next entry; wakes early when a write brings a
//! nearer one (the writer's after-commit hook nudges it) or the simulated
//! clock moves. Every change goes through the store's writer and is worked
//! out again from the case inside the transaction, so a re-run after a
//! crash says nothing twice.

use crate::domain::clock::SharedClock;
use crate::domain::clocks;
use crate::domain::sla::SlaPolicy;
use crate::store::{CaseChange, Committed, Store, StoreError};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Entries taken from the index per pass.
const PASS: usize = 256;
/// On the real clock the worker looks again at least this often, so a clock
/// set forward by the system is noticed.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Wakes the worker; with a reply, answers once everything due is applied.
#[derive(Debug, Clone)]
pub struct Waker(mpsc::UnboundedSender<Option<oneshot::Sender<()>>>);

impl Waker {
    /// For the after-commit hook: cheap, never blocks.
    pub fn nudge(&self) {
        let _ = self.0.send(None);
    }

    /// Wakes the worker and waits until it has applied everything due now.
    pub async fn catch_up(&self) {
        let (tx, rx) = oneshot::channel();
        if self.0.send(Some(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// The hook's test: a committed change that moved a case's next due
    /// time may bring it nearer than what the worker sleeps towards.
    pub fn on_commit(&self, batch: &[Committed]) {
        let nearer = batch.iter().any(|c| match c {
            Committed::CaseCreated { case, .. } => case.next_due_ms > 0,
            Committed::CaseUpdated { before, after, .. } => {
                after.next_due_ms > 0 && after.next_due_ms != before.next_due_ms
            }
        });
        if nearer {
            self.nudge();
        }
    }
}

/// The waker and the receiving end the worker takes at spawn.
pub fn channel() -> (Waker, mpsc::UnboundedReceiver<Option<oneshot::Sender<()>>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Waker(tx), rx)
}

/// Applies what is due on case `id` at `now`; `Ok(false)` when nothing was.
pub async fn apply_case(
    store: &Store,
    policy: &SlaPolicy,
    id: u64,
    now: i64,
) -> Result<bool, StoreError> {
    let policy = policy.clone();
    let result = store
        .update_case(id, move |case, _| {
            let mut next = case.clone();
            let events = clocks::apply_due(&mut next, &policy, now);
            if events.is_empty() && next.next_due_ms == case.next_due_ms {
                return Err(StoreError::Refused("nothing due".into()));
            }
            next.revision = case.revision + 1;
            Ok(CaseChange { case: next, events })
        })
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(StoreError::Refused(_) | StoreError::NotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Applies every index entry due at or before `now`, earliest first. A pass's
/// cases go to the writer together, so they share its group commits; each
/// case's own events are in the order they fell due.
pub async fn catch_up(store: &Store, policy: &SlaPolicy, now: i64) -> Result<usize, StoreError> {
    let mut applied = 0;
    let mut seen = std::collections::HashSet::new();
    loop {
        let due = store.due_until(now, PASS)?;
        // An entry that applying leaves in place would be met forever.
        let fresh: Vec<_> = due.into_iter().filter(|e| seen.insert(*e)).collect();
        if fresh.is_empty() {
            return Ok(applied);
        }
        let mut pass = tokio::task::JoinSet::new();
        for (_, id) in fresh {
            let (store, policy) = (store.clone(), policy.clone());
            pass.spawn(async move { apply_case(&store, &policy, id, now).await });
        }
        while let Some(joined) = pass.join_next().await {
            match joined {
                Ok(Ok(true)) => applied += 1,
                Ok(Ok(false)) => {}
                Ok(Err(e)) => return Err(e),
                Err(e) => return Err(StoreError::Refused(format!("an SLA task failed: {e}"))),
            }
        }
    }
}

/// Runs until the waker's every sender is gone.
pub async fn run(
    store: Store,
    policy: SlaPolicy,
    clock: SharedClock,
    simulated: bool,
    mut wake: mpsc::UnboundedReceiver<Option<oneshot::Sender<()>>>,
) {
    let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
    loop {
        let now = clock.now_ms();
        match catch_up(&store, &policy, now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(applied = n, "service levels applied"),
            Err(e) => tracing::error!(error = %e, "the SLA worker could not apply what is due"),
        }
        for reply in waiting.drain(..) {
            let _ = reply.send(());
        }
        let sleep = match store.next_due() {
            _ if simulated => None,
            Ok(Some((due, _))) => {
                Some(Duration::from_millis(u64::try_from(due - now).unwrap_or(0)).min(MAX_SLEEP))
            }
            Ok(None) | Err(_) => Some(MAX_SLEEP),
        };
        let woken = match sleep {
            Some(d) => tokio::select! {
                w = wake.recv() => w,
                () = tokio::time::sleep(d) => Some(None),
            },
            None => wake.recv().await,
        };
        match woken {
            Some(reply) => waiting.extend(reply),
            None => return,
        }
        // Whatever else queued up meanwhile is answered by the same pass.
        while let Ok(reply) = wake.try_recv() {
            waiting.extend(reply);
        }
    }
}

/// Once at start: if the service levels differ from those the store last
/// ran with, every open case's clocks are worked out again, each changed
/// deadline with an `sla_changed` event. On the first start of a store
/// written before cases kept clocks, its open cases get the clocks they
/// would have started with. The only passes over all open cases.
pub async fn recompute_if_changed(
    store: &Store,
    policy: &SlaPolicy,
    now: i64,
) -> Result<usize, StoreError> {
    const META: &str = "sla_policy";
    let encoded = crate::store::codec::encode(policy)?;
    let old = match store.meta(META)? {
        Some(bytes) if bytes == encoded => return Ok(0),
        Some(bytes) => crate::store::codec::decode::<SlaPolicy>(&bytes).ok(),
        None => {
            let started = start_missing_clocks(store, policy).await?;
            store.set_meta(META, &encoded)?;
            return Ok(started);
        }
    };
    let mut changed = 0;
    if let Some(old) = old {
        for id in store.open_case_ids()? {
            let (old, new) = (old.clone(), policy.clone());
            let result = store
                .update_case(id, move |case, _| {
                    let mut next = case.clone();
                    let events = clocks::recompute(&mut next, &old, &new, now);
                    if events.is_empty() && next == *case {
                        return Err(StoreError::Refused("unchanged".into()));
                    }
                    next.revision = case.revision + 1;
                    Ok(CaseChange { case: next, events })
                })
                .await;
            match result {
                Ok(_) => changed += 1,
                Err(StoreError::Refused(_) | StoreError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        tracing::info!(
            cases = changed,
            "service levels changed: open cases recomputed"
        );
    }
    store.set_meta(META, &encoded)?;
    Ok(changed)
}

/// Open cases without clocks (written before cases kept them) get the ones
/// their kind starts with, from their registration; what already fell due
/// is then applied by the catch-up like anything else.
async fn start_missing_clocks(store: &Store, policy: &SlaPolicy) -> Result<usize, StoreError> {
    let mut started = 0;
    for id in store.open_case_ids()? {
        let policy = policy.clone();
        let result = store
            .update_case(id, move |case, _| {
                if !case.clocks.0.is_empty() {
                    return Err(StoreError::Refused("has clocks".into()));
                }
                let mut next = case.clone();
                clocks::start_for_new(&mut next);
                if next.clocks.0.is_empty() {
                    return Err(StoreError::Refused("runs no clock".into()));
                }
                clocks::refresh(&mut next, &policy);
                next.revision = case.revision + 1;
                Ok(CaseChange {
                    case: next,
                    events: Vec::new(),
                })
            })
            .await;
        match result {
            Ok(_) => started += 1,
            Err(StoreError::Refused(_) | StoreError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    if started > 0 {
        tracing::info!(
            cases = started,
            "clocks started for cases written before clocks"
        );
    }
    Ok(started)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clock::HOUR_MS;
    use crate::domain::event::EventCode;
    use crate::store::test_support::{case, open};

    #[tokio::test]
    async fn old_cases_get_their_clocks_once_and_a_changed_policy_moves_them() {
        let (_dir, store) = open();
        // As a build before clocks wrote it.
        let mut old = case("r", "09131234567", "r03-urban_services", 0);
        old.case.clocks = Default::default();
        old.case.next_due_ms = 0;
        let id = store.create_case(old).await.unwrap().case.id;
        let policy = SlaPolicy::default();
        assert_eq!(recompute_if_changed(&store, &policy, 0).await.unwrap(), 1);
        let c = store.get_case(id).unwrap().unwrap();
        assert_eq!(c.deadlines.first_response_ms, 120 * HOUR_MS);
        assert_eq!(c.next_due_ms, 90 * HOUR_MS);
        assert_eq!(store.next_due().unwrap(), Some((90 * HOUR_MS, id)));
        // The same policy again: nothing to do.
        assert_eq!(recompute_if_changed(&store, &policy, 0).await.unwrap(), 0);
        let shorter = SlaPolicy {
            first_response_hours: 96,
            ..SlaPolicy::default()
        };
        assert_eq!(recompute_if_changed(&store, &shorter, 5).await.unwrap(), 1);
        let c = store.get_case(id).unwrap().unwrap();
        assert_eq!(c.deadlines.first_response_ms, 96 * HOUR_MS);
        let events = store.timeline(id).unwrap();
        assert_eq!(events.last().unwrap().kind.code(), EventCode::SlaChanged);
        // Catching up at hour 100 warns and breaches once; again, nothing.
        assert_eq!(catch_up(&store, &shorter, 100 * HOUR_MS).await.unwrap(), 1);
        assert_eq!(catch_up(&store, &shorter, 100 * HOUR_MS).await.unwrap(), 0);
        let codes: Vec<EventCode> = store
            .timeline(id)
            .unwrap()
            .iter()
            .map(|e| e.kind.code())
            .collect();
        assert_eq!(
            codes[codes.len() - 3..],
            [
                EventCode::SlaWarning,
                EventCode::SlaBreached,
                EventCode::Escalated
            ]
        );
    }
}
