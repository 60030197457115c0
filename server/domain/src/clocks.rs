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
        Self::of(policy, case.kind, case.urgency, &case.topic_id)
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
