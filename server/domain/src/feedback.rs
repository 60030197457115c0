//! The call-back: after a unit reports the result of an executive case, 137
//! calls the citizen and records what they say. What the call-back needs to
//! know about a case travels on its head, so the queue and the scorecards are
//! functions of the head alone and a recount of the store gives the figures
//! the server kept.

use crate::clock::Millis;
use crate::clocks::{Allowances, ClockKind, derive};
use crate::model::{Case, CaseStatus, Kind};
use serde::{Deserialize, Serialize};

/// How the call-back queue behaves; a config file may change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallBackPolicy {
    /// An unreachable citizen is called again after this many minutes.
    pub retry_minutes: i64,
    /// After this many unreachable calls the case closes as unreachable.
    pub max_tries: u32,
    /// A case handed to an agent is theirs for this many minutes; then
    /// another agent may get it.
    pub lease_minutes: i64,
}

impl Default for CallBackPolicy {
    fn default() -> Self {
        Self {
            retry_minutes: 4 * 60,
            max_tries: 3,
            lease_minutes: 10,
        }
    }
}

impl CallBackPolicy {
    pub fn retry_ms(&self) -> Millis {
        self.retry_minutes.clamp(1, 30 * 24 * 60) * 60_000
    }

    pub fn lease_ms(&self) -> Millis {
        self.lease_minutes.clamp(1, 24 * 60) * 60_000
    }

    pub fn max_tries(&self) -> u32 {
        self.max_tries.clamp(1, 20)
    }
}

/// How one service-level clock ended: by how much it was late, against
/// what allowance. Written when the clock is met, with the policy then in
/// force, so later policy changes do not rewrite a unit's past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockTiming {
    /// Its position in the case's clock log.
    pub index: u32,
    pub kind: ClockKind,
    pub allowance_ms: Millis,
    /// 0 when met in time.
    pub late_ms: Millis,
}

/// What the call-back knows of a case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackState {
    /// When the unit last reported the result; 0: never.
    pub resolved_at_ms: Millis,
    /// When the case is next to be called; 0: not in the call-back queue.
    pub call_due_ms: Millis,
    /// Unreachable calls in this round.
    pub tries: u32,
    /// 1 to 5 once the citizen gave it; 0: not given.
    pub satisfaction: u8,
    /// Closed after the last unreachable try.
    pub unreachable: bool,
    /// Corrections the citizen asked for.
    pub reopens: u32,
    /// How each met clock ended.
    pub timings: Vec<ClockTiming>,
}

impl FeedbackState {
    /// Waiting for a call now or later.
    pub fn queued(&self) -> bool {
        self.call_due_ms > 0
    }
}

/// Whether a case that has just been resolved waits for a call from 137: an
/// executive case whose result came from its unit. A transferred case's
/// feedback belongs to the other organisation.
pub fn enters_queue(before: &Case, after: &Case) -> bool {
    after.kind == Kind::Executive
        && after.status == CaseStatus::Resolved
        && before.status != CaseStatus::Transferred
}

/// Writes down how each clock that `after` has met and `before` had not was
/// met: its lateness, against the deadline `before` ran to under `a`.
pub fn record_timings(before: &Case, after: &mut Case, a: &Allowances) {
    for (i, clock) in after.clocks.0.iter().enumerate() {
        let Ok(index) = u32::try_from(i) else { break };
        let Some(met) = clock.met_at_ms() else {
            continue;
        };
        if after.feedback.timings.iter().any(|t| t.index == index) {
            continue;
        }
        // A clock met while paused (a deferred case rejected) was not late.
        let derived = before.clocks.0.get(i).and_then(|c| derive(c, a));
        let (allowance_ms, late_ms) = match derived {
            Some(d) => (d.allowance_ms, (met - d.due_ms).max(0)),
            None => (0, 0),
        };
        after.feedback.timings.push(ClockTiming {
            index,
            kind: clock.kind,
            allowance_ms,
            late_ms,
        });
    }
}

/// How late the case was, as a share of the allowance of its latest clock:
/// the worst of its clocks. 0 when every clock was met in time.
pub fn late_share(state: &FeedbackState) -> f64 {
    state
        .timings
        .iter()
        .filter(|t| t.allowance_ms > 0)
        .map(|t| {
            #[allow(clippy::cast_precision_loss)]
            let share = t.late_ms as f64 / t.allowance_ms as f64;
            share
        })
        .fold(0.0, f64::max)
}

/// The first response's time: arrival on site for an urgent case, the first
/// response for another; `None` until it came.
pub fn first_response_ms(case: &Case) -> Option<Millis> {
    case.clocks
        .0
        .iter()
        .filter(|c| matches!(c.kind, ClockKind::FirstResponse | ClockKind::OnSite))
        .find_map(|c| c.met_at_ms())
        .map(|at| (at - case.created_at_ms).max(0))
}

/// From registration to the result the unit reported last.
pub fn result_ms(case: &Case) -> Option<Millis> {
    (case.feedback.resolved_at_ms > 0)
        .then(|| (case.feedback.resolved_at_ms - case.created_at_ms).max(0))
}

/// The class a queued case is kept under. 0 and 1 are the urgent and the
/// other cases as stores before the Shahrban line wrote them; a Shahrban
/// case takes 2 or 3, so no key written before changes meaning. The order
/// the classes are served in is [`queue_order`]'s, not their numbers'.
pub fn queue_class(case: &Case) -> u8 {
    class_of(case.urgency == crate::model::Urgency::Urgent, case.shahrban)
}

fn class_of(urgent: bool, shahrban: bool) -> u8 {
    match (urgent, shahrban) {
        (true, false) => 0,
        (false, false) => 1,
        (true, true) => 2,
        (false, true) => 3,
    }
}

/// The classes of the call-back queue in the order they are served:
/// [`crate::citizen::queue_rank`]'s, urgent first and Shahrban first within
/// an urgency.
pub fn queue_order() -> [u8; 4] {
    let mut all = [(false, false), (false, true), (true, false), (true, true)];
    all.sort_by_key(|&(urgent, shahrban)| crate::citizen::queue_rank(urgent, shahrban));
    all.map(|(urgent, shahrban)| class_of(urgent, shahrban))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_serves_urgent_then_shahrban_first_and_old_classes_keep_their_meaning() {
        assert_eq!(queue_order(), [2, 0, 3, 1]);
        assert_eq!(class_of(true, false), 0);
        assert_eq!(class_of(false, false), 1);
    }
}
