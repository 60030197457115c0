//! A case's service-level clocks. Each clock is a short log (started, met,
//! paused, resumed); its deadline is derived from the log and the policy in
//! force, so paused time extends it and a changed policy moves it.

use crate::clock::{HOUR_MS, Millis};
use crate::event::{Event, EventKind, SYSTEM};
use crate::model::{Case, Kind, Urgency};
use crate::sla::{Deadlines, Level, SlaPolicy};
use serde::{Deserialize, Serialize};

/// The clocks a case may run; the numbers are stored and never change meaning.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
#[repr(u8)]
pub enum ClockKind {
    FirstResponse = 1,
    OnSite = 2,
    Result = 3,
    Promised = 4,
}

impl ClockKind {
    pub fn all() -> impl Iterator<Item = ClockKind> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u32) -> Option<Self> {
        Self::all().find(|c| u32::from(c.number()) == n)
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One entry of a clock's log.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
#[repr(u8)]
pub enum Mark {
    Started = 1,
    Met = 2,
    Paused = 3,
    Resumed = 4,
}

impl Mark {
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u32) -> Option<Self> {
        <Self as strum::IntoEnumIterator>::iter().find(|m| u32::from(m.number()) == n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub at_ms: Millis,
    pub mark: Mark,
}

/// One clock: its log and what the system has already said about it, so
/// nothing is said twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockLog {
    pub kind: ClockKind,
    /// A deadline the unit set (the promised date); 0: the policy's allowance.
    pub fixed_due_ms: Millis,
    /// A result clock started by a reopen takes the reopen allowance.
    pub after_reopen: bool,
    pub entries: Vec<Entry>,
    pub warned: bool,
    pub breached: bool,
    /// Escalations this clock has caused: the breach, then each step.
    pub escalations: u32,
}

/// Every clock a case has run, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clocks(pub Vec<ClockLog>);

impl ClockLog {
    pub fn new(kind: ClockKind, at_ms: Millis) -> Self {
        Self {
            kind,
            fixed_due_ms: 0,
            after_reopen: false,
            entries: vec![Entry {
                at_ms,
                mark: Mark::Started,
            }],
            warned: false,
            breached: false,
            escalations: 0,
        }
    }

    pub fn started_at_ms(&self) -> Millis {
        self.entries.first().map_or(0, |e| e.at_ms)
    }

    pub fn met_at_ms(&self) -> Option<Millis> {
        self.entries
            .iter()
            .find(|e| e.mark == Mark::Met)
            .map(|e| e.at_ms)
    }

    pub fn is_paused(&self) -> bool {
        self.met_at_ms().is_none() && self.entries.last().is_some_and(|e| e.mark == Mark::Paused)
    }

    pub fn is_running(&self) -> bool {
        self.met_at_ms().is_none() && !self.is_paused()
    }

    /// Time spent paused, in finished pauses.
    fn paused_ms(&self) -> Millis {
        let mut total = 0;
        let mut since = None;
        for e in &self.entries {
            match e.mark {
                Mark::Paused => since = Some(e.at_ms),
                Mark::Resumed => {
                    if let Some(s) = since.take() {
                        total += (e.at_ms - s).max(0);
                    }
                }
                Mark::Started | Mark::Met => {}
            }
        }
        total
    }

    fn mark(&mut self, mark: Mark, at_ms: Millis) {
        self.entries.push(Entry { at_ms, mark });
    }
}

/// The allowances of one case under a policy: what [`Clocks`] needs to turn
/// logs into deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowances {
    pub first_response_ms: Millis,
    pub on_site_ms: Millis,
    pub result_ms: Millis,
    pub reopen_result_ms: Millis,
    /// The warning share, as `f64` bits so the type stays `Eq`.
    pub warn_share: u64,
    pub step_ms: Millis,
}

impl Allowances {
    pub fn of(policy: &SlaPolicy, kind: Kind, urgency: Urgency, topic_id: &str) -> Self {
        let (first, on_site, result) = policy.hours_for(kind, urgency, topic_id);
        let share = if policy.warn_share.is_finite() {
            policy.warn_share.clamp(0.0, 1.0)
        } else {
            0.75
        };
        Self {
            first_response_ms: first.max(0).saturating_mul(HOUR_MS),
            on_site_ms: on_site.max(0).saturating_mul(HOUR_MS),
            result_ms: result.max(0).saturating_mul(HOUR_MS),
            reopen_result_ms: policy.reopen_result_hours.max(0).saturating_mul(HOUR_MS),
            warn_share: share.to_bits(),
            step_ms: policy.re_escalation_ms(urgency),
        }
    }

    pub fn for_case(policy: &SlaPolicy, case: &Case) -> Self {
        let mut a = Self::of(policy, case.kind, case.urgency, &case.topic_id);
        a.first_response_ms = policy.first_response_ms(a.first_response_ms, case.shahrban);
        a
    }

    fn allowance(&self, clock: &ClockLog) -> Millis {
        match clock.kind {
            ClockKind::FirstResponse => self.first_response_ms,
            ClockKind::OnSite => self.on_site_ms,
            ClockKind::Result if clock.after_reopen => self.reopen_result_ms,
            ClockKind::Result => self.result_ms,
            ClockKind::Promised => (clock.fixed_due_ms - clock.started_at_ms()).max(0),
        }
    }
}

/// A clock's deadline and warning time as its log and the policy make them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Derived {
    pub due_ms: Millis,
    pub warn_at_ms: Millis,
    pub allowance_ms: Millis,
}

/// The deadline of `clock`, counting finished pauses. While it is paused its
/// deadline is not known (it moves with the pause); once met there is none.
pub fn derive(clock: &ClockLog, a: &Allowances) -> Option<Derived> {
    if !clock.is_running() {
        return None;
    }
    let allowance = a.allowance(clock);
    let start = clock.started_at_ms().saturating_add(clock.paused_ms());
    let share = f64::from_bits(a.warn_share);
    // Whole milliseconds: the rounding is below anything a person sees.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let warn_after = (allowance as f64 * share) as Millis;
    Some(Derived {
        due_ms: start.saturating_add(allowance),
        warn_at_ms: start.saturating_add(warn_after),
        allowance_ms: allowance,
    })
}

/// What the system says next about one clock, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Warn,
    Breach,
    Escalate,
}

fn next_step(clock: &ClockLog, a: &Allowances, level: u32, top: u32) -> Option<(Millis, Step)> {
    let d = derive(clock, a)?;
    if !clock.warned && !clock.breached && d.warn_at_ms < d.due_ms {
        return Some((d.warn_at_ms, Step::Warn));
    }
    if !clock.breached {
        return Some((d.due_ms, Step::Breach));
    }
    if level < top {
        let steps = Millis::from(clock.escalations.max(1));
        return Some((
            d.due_ms.saturating_add(a.step_ms.saturating_mul(steps)),
            Step::Escalate,
        ));
    }
    None
}

impl Clocks {
    pub fn start(&mut self, kind: ClockKind, at_ms: Millis) -> &mut ClockLog {
        self.0.push(ClockLog::new(kind, at_ms));
        let last = self.0.len() - 1;
        &mut self.0[last]
    }

    /// Meets the running or paused clocks of `kinds` (every kind if empty).
    pub fn meet(&mut self, kinds: &[ClockKind], at_ms: Millis) {
        for c in self.0.iter_mut() {
            if c.met_at_ms().is_none() && (kinds.is_empty() || kinds.contains(&c.kind)) {
                c.mark(Mark::Met, at_ms);
            }
        }
    }

    pub fn pause_all(&mut self, at_ms: Millis) {
        for c in self.0.iter_mut().filter(|c| c.is_running()) {
            c.mark(Mark::Paused, at_ms);
        }
    }

    pub fn resume_all(&mut self, at_ms: Millis) {
        for c in self.0.iter_mut().filter(|c| c.is_paused()) {
            c.mark(Mark::Resumed, at_ms);
        }
    }

    /// The latest clock of `kind`, if the case ever ran one.
    pub fn latest(&self, kind: ClockKind) -> Option<&ClockLog> {
        self.0.iter().rev().find(|c| c.kind == kind)
    }
}

/// The clocks an opened case starts with: arrival and result for an urgent
/// case, the first response for another executive one, none for information.
pub fn start_for_new(case: &mut Case) {
    if case.kind != Kind::Executive {
        return;
    }
    let at = case.created_at_ms;
    match case.urgency {
        Urgency::Urgent => {
            case.clocks.start(ClockKind::OnSite, at);
            case.clocks.start(ClockKind::Result, at);
        }
        Urgency::Normal => {
            case.clocks.start(ClockKind::FirstResponse, at);
        }
    }
}

/// Brings what a case shows of its clocks (its deadlines and the time the
/// SLA worker must look at it next) in line with its logs and `policy`.
/// Called after every change, so the deadline index follows the case.
pub fn refresh(case: &mut Case, policy: &SlaPolicy) {
    let a = Allowances::for_case(policy, case);
    let due = |kind| {
        case.clocks
            .latest(kind)
            .and_then(|c| derive(c, &a))
            .map_or(0, |d| d.due_ms)
    };
    case.deadlines = Deadlines {
        first_response_ms: due(ClockKind::FirstResponse),
        on_site_ms: due(ClockKind::OnSite),
        result_ms: due(ClockKind::Result),
    };
    case.next_due_ms = next_due(case, policy).unwrap_or(0);
}

/// When the system next has something to say about `case`: a warning, a
/// breach or a step up the ladder. `None` when nothing is pending.
pub fn next_due(case: &Case, policy: &SlaPolicy) -> Option<Millis> {
    if !case.status.is_open() {
        return None;
    }
    let a = Allowances::for_case(policy, case);
    let top = ladder_top(policy);
    case.clocks
        .0
        .iter()
        .filter_map(|c| next_step(c, &a, case.escalation_level, top))
        .map(|(at, _)| at)
        .min()
}

fn ladder_top(policy: &SlaPolicy) -> u32 {
    u32::try_from(policy.ladder.len()).unwrap_or(u32::MAX)
}

/// Everything that fell due on `case` up to `now`, in the order it fell due:
/// warnings, breaches and escalations, each an event by [`SYSTEM`] dated the
/// moment it fell due. The case's bookkeeping records each, so applying this
/// again to the result yields nothing: the worker may re-run it after a crash
/// without saying anything twice.
pub fn apply_due(case: &mut Case, policy: &SlaPolicy, now: Millis) -> Vec<Event> {
    let mut events = Vec::new();
    if !case.status.is_open() {
        return events;
    }
    let a = Allowances::for_case(policy, case);
    let top = ladder_top(policy);
    loop {
        let level = case.escalation_level;
        let next = case
            .clocks
            .0
            .iter()
            .enumerate()
            .filter_map(|(i, c)| next_step(c, &a, level, top).map(|(at, s)| (at, i, s)))
            .filter(|(at, _, _)| *at <= now)
            .min_by_key(|(at, i, _)| (*at, *i));
        let Some((at, i, step)) = next else {
            break;
        };
        let Some(d) = derive(&case.clocks.0[i], &a) else {
            break;
        };
        let kind = case.clocks.0[i].kind;
        match step {
            Step::Warn => {
                case.clocks.0[i].warned = true;
                events.push(Event::new(
                    at,
                    SYSTEM,
                    EventKind::SlaWarning {
                        clock: kind,
                        due_ms: d.due_ms,
                    },
                    "",
                ));
            }
            Step::Breach => {
                let c = &mut case.clocks.0[i];
                c.warned = true;
                c.breached = true;
                c.escalations = 1;
                events.push(Event::new(
                    at,
                    SYSTEM,
                    EventKind::SlaBreached {
                        clock: kind,
                        due_ms: d.due_ms,
                        delay_reason: case.delay_reason,
                    },
                    "",
                ));
                if let Some(e) = escalate(case, policy, Some(kind), d.due_ms, at, SYSTEM, "") {
                    events.push(e);
                }
            }
            Step::Escalate => {
                case.clocks.0[i].escalations += 1;
                if let Some(e) = escalate(case, policy, Some(kind), d.due_ms, at, SYSTEM, "") {
                    events.push(e);
                }
            }
        }
    }
    refresh(case, policy);
    events
}

/// Raises `case` one level up the ladder and says so; `None` at the top.
pub fn escalate(
    case: &mut Case,
    policy: &SlaPolicy,
    clock: Option<ClockKind>,
    due_ms: Millis,
    at: Millis,
    actor: &str,
    note: &str,
) -> Option<Event> {
    let index = usize::try_from(case.escalation_level).ok()?;
    let level = policy.ladder.get(index)?;
    case.escalation_level += 1;
    let letter = render_letter(&level.letter, case, level, clock, due_ms);
    Some(Event::new(
        at,
        actor,
        EventKind::Escalated {
            level: case.escalation_level,
            recipient: level.recipient.clone(),
            letter,
            clock,
            due_ms,
        },
        note,
    ))
}

/// The clock's name in the center's letters.
pub fn clock_name_fa(kind: ClockKind) -> &'static str {
    match kind {
        ClockKind::FirstResponse => "پاسخ اولیه",
        ClockKind::OnSite => "حضور در محل",
        ClockKind::Result => "اعلام نتیجه",
        ClockKind::Promised => "موعد تعهدشده",
    }
}

fn render_letter(
    template: &str,
    case: &Case,
    level: &Level,
    clock: Option<ClockKind>,
    due_ms: Millis,
) -> String {
    if template.is_empty() {
        return String::new();
    }
    let due = if due_ms > 0 {
        crate::jalali::format_fa(due_ms)
    } else {
        String::new()
    };
    template
        .replace("{number}", &crate::text::persian_digits(&case.number))
        .replace("{clock}", clock.map_or("پیگیری", clock_name_fa))
        .replace("{due}", &due)
        .replace(
            "{level}",
            &crate::text::persian_digits(&case.escalation_level.to_string()),
        )
        .replace("{recipient}", &level.recipient)
}

/// Re-derives `case`'s deadlines under `policy` after the policy changed,
/// with one `sla_changed` event for each running clock whose deadline moved.
pub fn recompute(case: &mut Case, old: &SlaPolicy, new: &SlaPolicy, now: Millis) -> Vec<Event> {
    let before = Allowances::for_case(old, case);
    let after = Allowances::for_case(new, case);
    let events = case
        .clocks
        .0
        .iter()
        .filter_map(|c| {
            let (b, a) = (derive(c, &before)?, derive(c, &after)?);
            (b.due_ms != a.due_ms).then(|| {
                Event::new(
                    now,
                    SYSTEM,
                    EventKind::SlaChanged {
                        clock: c.kind,
                        due_ms: a.due_ms,
                    },
                    format!(
                        "{} h → {} h",
                        b.allowance_ms / HOUR_MS,
                        a.allowance_ms / HOUR_MS
                    ),
                )
            })
        })
        .collect();
    refresh(case, new);
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CaseStatus;

    const H: Millis = HOUR_MS;

    fn case(urgency: Urgency) -> Case {
        let mut c = crate::moves::tests::case(CaseStatus::Referred, urgency);
        c.created_at_ms = 0;
        start_for_new(&mut c);
        refresh(&mut c, &SlaPolicy::default());
        c
    }

    fn codes(events: &[Event]) -> Vec<(crate::event::EventCode, Millis)> {
        events.iter().map(|e| (e.kind.code(), e.at_ms)).collect()
    }

    #[test]
    fn an_urgent_case_is_warned_breached_and_climbs_once_an_hour() {
        use crate::event::EventCode::*;
        let p = SlaPolicy::default();
        let mut c = case(Urgency::Urgent);
        assert_eq!(c.deadlines.on_site_ms, 2 * H);
        assert_eq!(c.next_due_ms, 3 * H / 2);
        assert!(apply_due(&mut c, &p, 3 * H / 2 - 1).is_empty());
        let events = apply_due(&mut c, &p, 4 * H);
        assert_eq!(
            codes(&events),
            [
                (SlaWarning, 3 * H / 2),
                (SlaBreached, 2 * H),
                (Escalated, 2 * H),
                (Escalated, 3 * H),
                (Escalated, 4 * H)
            ]
        );
        assert_eq!(c.escalation_level, 3);
        // Applied again at the same moment: nothing more.
        assert!(apply_due(&mut c, &p, 4 * H).is_empty());
        assert_eq!(c.next_due_ms, 5 * H);
        let events = apply_due(&mut c, &p, 100 * H);
        // The top of the ladder, then the result clock's own warning and breach.
        assert_eq!(
            codes(&events),
            [
                (Escalated, 5 * H),
                (SlaWarning, 18 * H),
                (SlaBreached, 24 * H)
            ]
        );
        assert_eq!(c.escalation_level, 4);
        assert_eq!(c.next_due_ms, 0, "nothing left to say");
    }

    #[test]
    fn a_pause_moves_the_deadline_by_its_length() {
        let p = SlaPolicy::default();
        let mut c = case(Urgency::Normal);
        c.clocks.pause_all(10 * H);
        refresh(&mut c, &p);
        assert_eq!(c.next_due_ms, 0, "a paused clock is not due");
        assert!(apply_due(&mut c, &p, 500 * H).is_empty());
        c.clocks.resume_all(40 * H);
        refresh(&mut c, &p);
        assert_eq!(c.deadlines.first_response_ms, 150 * H);
        assert_eq!(c.next_due_ms, 120 * H);
        c.clocks.meet(&[ClockKind::FirstResponse], 41 * H);
        refresh(&mut c, &p);
        assert_eq!((c.deadlines.first_response_ms, c.next_due_ms), (0, 0));
    }

    #[test]
    fn a_topic_override_wins_and_a_changed_policy_says_so() {
        let mut c = case(Urgency::Normal);
        let old = SlaPolicy::default();
        let new = SlaPolicy {
            overrides: vec![
                crate::sla::Override {
                    urgency: Some(Urgency::Normal),
                    first_response_hours: Some(96),
                    ..Default::default()
                },
                crate::sla::Override {
                    topic_id: Some(c.topic_id.clone()),
                    first_response_hours: Some(48),
                    ..Default::default()
                },
            ],
            ..SlaPolicy::default()
        };
        assert_eq!(
            new.hours_for(Kind::Executive, Urgency::Normal, "other").0,
            96
        );
        let events = recompute(&mut c, &old, &new, 5);
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0].kind,
            EventKind::SlaChanged {
                clock: ClockKind::FirstResponse,
                due_ms: 48 * H
            }
        );
        assert_eq!(events[0].note, "120 h → 48 h");
        assert_eq!(c.deadlines.first_response_ms, 48 * H);
        assert!(recompute(&mut c, &new, &new, 6).is_empty());
    }

    #[test]
    fn whatever_the_steps_nothing_is_said_twice() {
        // Applying at every hour or once at the end gives the same timeline.
        let p = SlaPolicy::default();
        for urgency in [Urgency::Urgent, Urgency::Normal] {
            let mut stepped = case(urgency);
            let mut all = Vec::new();
            for hour in 0..=300 {
                all.extend(apply_due(&mut stepped, &p, hour * H));
            }
            let mut once = case(urgency);
            assert_eq!(apply_due(&mut once, &p, 300 * H), all);
            assert_eq!(once, stepped);
        }
    }

    #[test]
    fn a_letter_is_rendered_in_persian() {
        let mut c = case(Urgency::Urgent);
        c.number = "1405-000012".into();
        let events = apply_due(&mut c, &SlaPolicy::default(), 2 * H);
        let EventKind::Escalated {
            letter, recipient, ..
        } = &events[2].kind
        else {
            panic!("{events:?}")
        };
        assert_eq!(recipient, "رئیس واحد");
        assert!(letter.contains("۱۴۰۵-۰۰۰۰۱۲"), "{letter}");
        assert!(letter.contains("حضور در محل"), "{letter}");
        assert!(!letter.contains('{'), "{letter}");
    }
}
