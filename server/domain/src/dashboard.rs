//! The supervisors' figures as running tallies. Each change of a case moves
//! them by what the case counted for before and what it counts for after,
//! so the store keeps them in the transaction that changes the case and a
//! snapshot reads a few records whatever the number of cases. A full
//! recount adds every case once: both go through [`Figures::count`] and
//! [`Day`]'s functions, so they cannot disagree.

use crate::clock::Millis;
use crate::clocks::{ClockKind, ClockLog};
use crate::event::{Event, EventKind};
use crate::jalali::to_jalali;
use crate::model::{Case, Urgency};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A unit's open work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitTally {
    pub open: u64,
    /// Open with a clock past its deadline and not yet met.
    pub overdue: u64,
    pub urgent_open: u64,
}

/// A region's open work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionTally {
    pub open: u64,
    pub overdue: u64,
}

/// What the open cases add up to. Only open cases count: a case that
/// closes takes itself out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Status code → open cases in it.
    pub by_status: BTreeMap<u8, u64>,
    pub urgent_open: u64,
    /// Urgent open cases with a warned clock that has not breached.
    pub urgent_warned: u64,
    /// Urgent open cases with a breached clock not yet met.
    pub urgent_breached: u64,
    pub units: BTreeMap<String, UnitTally>,
    pub regions: BTreeMap<u32, RegionTally>,
    /// Escalation level (1 on) → open cases at it.
    pub levels: BTreeMap<u32, u64>,
}

/// How a case stands against its clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lateness {
    OnTime,
    Warned,
    Breached,
}

fn unmet(clock: &ClockLog) -> bool {
    clock.met_at_ms().is_none()
}

/// The worst of the case's clocks that are still to be met.
pub fn lateness(case: &Case) -> Lateness {
    let pending = || case.clocks.0.iter().filter(|c| unmet(c));
    if pending().any(|c| c.breached) {
        Lateness::Breached
    } else if pending().any(|c| c.warned) {
        Lateness::Warned
    } else {
        Lateness::OnTime
    }
}

fn step(n: &mut u64, add: bool) {
    *n = if add {
        n.saturating_add(1)
    } else {
        n.saturating_sub(1)
    };
}

impl Figures {
    /// Adds `case` (`add`) or takes it away (`!add`). A closed case counts
    /// for nothing either way.
    pub fn count(&mut self, case: &Case, add: bool) {
        if !case.status.is_open() {
            return;
        }
        let late = lateness(case);
        let overdue = late == Lateness::Breached;
        let urgent = case.urgency == Urgency::Urgent;
        step(self.by_status.entry(case.status.code()).or_default(), add);
        if urgent {
            step(&mut self.urgent_open, add);
            match late {
                Lateness::Breached => step(&mut self.urgent_breached, add),
                Lateness::Warned => step(&mut self.urgent_warned, add),
                Lateness::OnTime => {}
            }
        }
        if !case.unit_id.is_empty() {
            let unit = self.units.entry(case.unit_id.clone()).or_default();
            step(&mut unit.open, add);
            if overdue {
                step(&mut unit.overdue, add);
            }
            if urgent {
                step(&mut unit.urgent_open, add);
            }
        }
        if case.region != 0 {
            let region = self.regions.entry(case.region).or_default();
            step(&mut region.open, add);
            if overdue {
                step(&mut region.overdue, add);
            }
        }
        if case.escalation_level > 0 {
            step(self.levels.entry(case.escalation_level).or_default(), add);
        }
        self.prune();
    }

    /// A change of a case: out goes what it was, in what it is.
    pub fn change(&mut self, before: &Case, after: &Case) {
        self.count(before, false);
        self.count(after, true);
    }

    /// Rows that fell to zero go, so the record holds only what is open.
    fn prune(&mut self) {
        self.by_status.retain(|_, n| *n > 0);
        self.units.retain(|_, u| *u != UnitTally::default());
        self.regions.retain(|_, r| *r != RegionTally::default());
        self.levels.retain(|_, n| *n > 0);
    }
}

/// One Tehran day's intake and breaches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Day {
    /// Cases created in each Tehran hour, 0 to 23.
    pub intake: [u32; 24],
    pub breaches: u64,
    /// Cases each user created.
    pub agents: BTreeMap<String, u64>,
}

/// A Tehran calendar day, as the key its tallies live under: Jalali year,
/// month and day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayKey {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl DayKey {
    pub fn of(ms: Millis) -> Self {
        let j = to_jalali(ms);
        Self {
            year: j.year,
            month: j.month,
            day: j.day,
        }
    }

    /// Sorts as the day does.
    pub fn bytes(self) -> [u8; 6] {
        let y = self.year.to_be_bytes();
        [y[0], y[1], y[2], y[3], self.month, self.day]
    }
}

/// The tallies one change adds to days: the day a case was created gains
/// it in its hour and for its creator; the day a breach fell due gains the
/// breach.
pub fn day_changes(created: Option<&Case>, appended: &[Event]) -> Vec<(DayKey, DayChange)> {
    let mut out = Vec::new();
    if let Some(case) = created {
        out.push((
            DayKey::of(case.created_at_ms),
            DayChange::Intake {
                hour: to_jalali(case.created_at_ms).hour,
                user: case.created_by.clone(),
            },
        ));
    }
    for event in appended {
        if matches!(event.kind, EventKind::SlaBreached { .. }) {
            out.push((DayKey::of(event.at_ms), DayChange::Breach));
        }
    }
    out
}

/// One change to a day's tallies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayChange {
    Intake { hour: u8, user: String },
    Breach,
}

impl Day {
    pub fn apply(&mut self, change: &DayChange) {
        match change {
            DayChange::Intake { hour, user } => {
                if let Some(n) = self.intake.get_mut(usize::from(*hour)) {
                    *n = n.saturating_add(1);
                }
                step(self.agents.entry(user.clone()).or_default(), true);
            }
            DayChange::Breach => step(&mut self.breaches, true),
        }
    }
}

/// The deadline an urgent open case races now: arrival until the unit is on
/// site, then the result. `None` for a case with neither running.
pub fn urgent_deadline(case: &Case) -> Option<Millis> {
    if case.urgency != Urgency::Urgent || !case.status.is_open() {
        return None;
    }
    let running = |kind| case.clocks.latest(kind).is_some_and(ClockLog::is_running);
    [
        (ClockKind::OnSite, case.deadlines.on_site_ms),
        (ClockKind::Result, case.deadlines.result_ms),
    ]
    .into_iter()
    .filter(|(kind, due)| *due > 0 && running(*kind))
    .map(|(_, due)| due)
    .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clocks::{ClockLog, Clocks};
    use crate::model::{CaseStatus, Channel, Kind};

    fn case(status: CaseStatus, urgency: Urgency, unit: &str) -> Case {
        Case {
            id: 1,
            number: "1405-000001".into(),
            request_id: "r".into(),
            channel: Channel::Phone,
            kind: Kind::Executive,
            urgency,
            topic_id: "T1".into(),
            description: String::new(),
            phone: String::new(),
            region: 3,
            address: String::new(),
            landmark: String::new(),
            unit_id: unit.into(),
            coordination: false,
            status,
            created_at_ms: 1_795_860_000_000,
            created_by: "agent1".into(),
            deadlines: Default::default(),
            revision: 0,
            escalation_level: 0,
            promised_ms: 0,
            follow_up: String::new(),
            reject_kind: None,
            duplicate_of: String::new(),
            transferred_to: String::new(),
            resume_to: None,
            clocks: Default::default(),
            delay_reason: None,
            next_due_ms: 0,
            citizen_id: String::new(),
            shahrban: false,
            feedback: Default::default(),
        }
    }

    #[test]
    fn a_case_counts_while_open_and_leaves_no_row_behind() {
        let mut f = Figures::default();
        let mut c = case(CaseStatus::Referred, Urgency::Urgent, "r03");
        let mut clock = ClockLog::new(ClockKind::OnSite, 0);
        clock.breached = true;
        c.clocks = Clocks(vec![clock]);
        c.escalation_level = 2;
        f.count(&c, true);
        assert_eq!(f.by_status.get(&CaseStatus::Referred.code()), Some(&1));
        assert_eq!(
            (f.urgent_open, f.urgent_breached, f.urgent_warned),
            (1, 1, 0)
        );
        assert_eq!(
            f.units.get("r03"),
            Some(&UnitTally {
                open: 1,
                overdue: 1,
                urgent_open: 1
            })
        );
        assert_eq!(f.regions.get(&3).map(|r| r.overdue), Some(1));
        assert_eq!(f.levels.get(&2), Some(&1));
        let mut closed = c.clone();
        closed.status = CaseStatus::Closed;
        f.change(&c, &closed);
        assert_eq!(f, Figures::default());
    }

    #[test]
    fn a_met_clock_no_longer_makes_a_case_late() {
        let mut c = case(CaseStatus::OnSite, Urgency::Urgent, "r03");
        let mut clock = ClockLog::new(ClockKind::OnSite, 0);
        clock.breached = true;
        c.clocks = Clocks(vec![clock]);
        c.clocks.meet(&[ClockKind::OnSite], 10);
        assert_eq!(lateness(&c), Lateness::OnTime);
    }

    #[test]
    fn days_are_tehran_days() {
        // 2026-11-28 20:40 UTC is 00:10 on 8 Azar in Tehran.
        let at = 1_795_898_400_000;
        let mut c = case(CaseStatus::Referred, Urgency::Normal, "r03");
        c.created_at_ms = at;
        let changes = day_changes(Some(&c), &[]);
        let (key, change) = &changes[0];
        assert_eq!((key.month, key.day), (9, 8));
        let mut day = Day::default();
        day.apply(change);
        assert_eq!(day.intake[0], 1);
        assert_eq!(day.agents.get("agent1"), Some(&1));
    }
}
