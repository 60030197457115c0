//! The call-back queue: which case an agent calls next.
//!
//! The queue is an index of case heads (urgency class + due time + id, see
//! [`key`]), so it moves in the same transaction as the move that puts a
//! case in or takes it out. Leases are held in memory: a lease only keeps
//! two agents from calling the same citizen at once, and a restart that
//! drops them at worst hands a case again, where the revision the agent
//! records against still refuses a second outcome.

use super::{Result, Store, keys};
use crate::domain::clock::Millis;
use crate::domain::model::{Case, CaseStatus};
use std::collections::HashMap;
use std::sync::Mutex;

/// `class (see [`crate::domain::feedback::queue_class`]) + due (i64 BE) + id`.
pub fn key(case: &Case) -> Option<[u8; 17]> {
    let queued = case.feedback.call_due_ms > 0
        && matches!(
            case.status,
            CaseStatus::Resolved | CaseStatus::AwaitingFeedback
        );
    queued.then(|| {
        key_of(
            crate::domain::feedback::queue_class(case),
            case.feedback.call_due_ms,
            case.id,
        )
    })
}

fn key_of(class: u8, due: Millis, id: u64) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = class;
    k[1..9].copy_from_slice(&due.max(0).to_be_bytes());
    k[9..].copy_from_slice(&id.to_be_bytes());
    k
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Lease {
    agent: String,
    until_ms: Millis,
}

/// A case handed to an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handed {
    pub case_id: u64,
    pub until_ms: Millis,
    /// Cases due a call now, this one included (counted up to [`COUNT_MAX`]).
    pub waiting: u32,
}

pub const COUNT_MAX: u32 = 1_000;

/// The queue with its leases. One per server.
#[derive(Debug)]
pub struct CallBacks {
    store: Store,
    leases: Mutex<HashMap<u64, Lease>>,
}

impl CallBacks {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            leases: Mutex::new(HashMap::new()),
        }
    }

    fn queued(&self, id: u64, now: Millis) -> Result<bool> {
        Ok(self
            .store
            .get_case(id)?
            .and_then(|c| key(&c))
            .is_some_and(|k| {
                let due = i64::from_be_bytes(k[1..9].try_into().unwrap_or_default());
                due <= now
            }))
    }

    /// The next case `agent` should call, leased to them until `now +
    /// lease_ms`: the one they already hold, if it still waits, else the
    /// earliest due, urgent first and Shahrban first within an urgency, that
    /// no one else holds. `None` when no case is due.
    pub fn next(&self, agent: &str, now: Millis, lease_ms: Millis) -> Result<Option<Handed>> {
        let until_ms = now.saturating_add(lease_ms);
        let chosen = {
            // One lock over the choice and the lease: two agents asking at
            // once are served one after the other. It walks the queue only
            // to the first case no one holds, so it is held briefly.
            let mut leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
            leases.retain(|_, l| l.until_ms > now);
            let held: Option<u64> = leases
                .iter()
                .find(|(_, l)| l.agent == agent)
                .map(|(id, _)| *id);
            let mut chosen = None;
            if let Some(id) = held {
                if self.queued(id, now)? {
                    chosen = Some(id);
                } else {
                    leases.remove(&id);
                }
            }
            if chosen.is_none() {
                chosen = self.first_free(now, &leases)?;
            }
            if let Some(case_id) = chosen {
                leases.insert(
                    case_id,
                    Lease {
                        agent: agent.to_owned(),
                        until_ms,
                    },
                );
            }
            chosen
        };
        let Some(case_id) = chosen else {
            return Ok(None);
        };
        // Counted outside the lock: a count a moment old is as good to the
        // agent, and no one waits on it.
        let waiting = self.waiting(now)?.max(1);
        Ok(Some(Handed {
            case_id,
            until_ms,
            waiting,
        }))
    }

    /// The queue's entries due by `now`, urgent first and Shahrban first
    /// within an urgency, then by due time.
    fn due(&self, now: Millis) -> impl Iterator<Item = Result<u64>> + '_ {
        let tree = &self.store.trees().by_call_back;
        crate::domain::feedback::queue_order()
            .into_iter()
            .flat_map(move |class| {
                let end = key_of(class, now, u64::MAX);
                tree.range([class].as_slice()..=end.as_slice())
                    .filter_map(|entry| match entry {
                        Ok((k, _)) => keys::id_suffix(&k).map(Ok),
                        Err(e) => Some(Err(e.into())),
                    })
            })
    }

    fn first_free(&self, now: Millis, leases: &HashMap<u64, Lease>) -> Result<Option<u64>> {
        for id in self.due(now) {
            let id = id?;
            if !leases.contains_key(&id) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Cases due a call by `now`, counted up to [`COUNT_MAX`].
    pub fn waiting(&self, now: Millis) -> Result<u32> {
        let mut n = 0u32;
        for id in self.due(now).take(COUNT_MAX as usize) {
            id?;
            n += 1;
        }
        Ok(n)
    }

    /// Whether `agent` holds a live lease on the case.
    pub fn holds(&self, agent: &str, case_id: u64, now: Millis) -> bool {
        let leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        leases
            .get(&case_id)
            .is_some_and(|l| l.agent == agent && l.until_ms > now)
    }

    /// Ends `agent`'s lease on the case, if they hold it.
    pub fn release(&self, agent: &str, case_id: u64) {
        let mut leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        if leases.get(&case_id).is_some_and(|l| l.agent == agent) {
            leases.remove(&case_id);
        }
    }
}
