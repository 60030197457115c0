//! The supervisors' live screen: the figures the server keeps (open cases by
//! state, urgent ones and their deadlines, breaches, intake per hour, the
//! backlog per unit and region, agents today, escalation levels), the alerts
//! as they happen, and a drill into any row.
//!
//! The figures come from `DashboardService.Snapshot` with the sequence they
//! are consistent with; feed events after it are applied at once where the
//! event says enough (a new case, the urgent list, alerts), and a fresh
//! snapshot, asked at most once a second while events come, settles the
//! counts an event cannot (a move's previous state). Events newer than that
//! snapshot are applied again on top of it, so nothing seen goes missing.

use crate::app::feed::News;
use crate::app::msg::{Command, Open, Reply, Request, To};
use crate::app::rpc::{Answer, Call};
use crate::app::screens::Ctx;
use crate::app::screens::queue::Filter;
use crate::app::{Tone, clocks};
use crate::keymap::{Action, Context};
use desk137_domain::clock::Millis;
use desk137_domain::jalali::to_jalali;
use desk137_domain::model::CaseStatus;
use desk137_proto::convert::required;
use desk137_proto::v1 as pb;
use std::collections::VecDeque;

pub const CONTEXT: Context = "dashboard";

/// The alerts kept, newest first.
pub const MAX_ALERTS: usize = 100;
/// Events kept to apply again on the next snapshot; past this the snapshot
/// alone is trusted (it is at most a second behind).
const MAX_PENDING: usize = 10_000;
/// Snapshots asked for while events come: at most one in this long.
pub const SNAPSHOT_EVERY_MS: Millis = 1_000;
/// The urgent cases kept, as the server sends them.
const MAX_URGENT: usize = 50;

/// The parts of the screen a selection can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Urgent,
    Units,
    Regions,
    Oldest,
    Agents,
    Levels,
    Alerts,
}

impl Panel {
    pub const ALL: [Panel; 7] = [
        Panel::Urgent,
        Panel::Units,
        Panel::Regions,
        Panel::Oldest,
        Panel::Agents,
        Panel::Levels,
        Panel::Alerts,
    ];

    fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// How the backlog tables are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BacklogSort {
    /// Most open cases first.
    Open,
    /// Most overdue first.
    Overdue,
    /// By unit name or region number.
    Name,
}

impl BacklogSort {
    fn next(self) -> Self {
        match self {
            BacklogSort::Open => BacklogSort::Overdue,
            BacklogSort::Overdue => BacklogSort::Name,
            BacklogSort::Name => BacklogSort::Open,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertKind {
    Breach(pb::SlaClock),
    Escalation { level: u32, recipient: String },
}

/// A breach or an escalation, as it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub seq: u64,
    pub at_ms: Millis,
    pub kind: AlertKind,
    pub case_id: u64,
    pub number: String,
}

#[derive(Debug, Clone)]
pub struct DashboardScreen {
    pub board: Option<pb::Dashboard>,
    pub error: Option<String>,
    pub loading: bool,
    /// An event came that the figures shown do not all include.
    pub stale: bool,
    asked_ms: Millis,
    generation: u64,
    /// Events after the last snapshot's sequence, oldest first.
    pending: Vec<pb::FeedEvent>,
    pub alerts: VecDeque<Alert>,
    pub focus: Panel,
    selected: [usize; 7],
    pub sort: BacklogSort,
}

impl Default for DashboardScreen {
    fn default() -> Self {
        Self::new()
    }
}

impl DashboardScreen {
    pub const HINTS: [Action; 8] = [
        Action::NextField,
        Action::Accept,
        Action::Sort,
        Action::OpenCases,
        Action::OpenScorecards,
        Action::OpenAudit,
        Action::Help,
        Action::Refresh,
    ];

    pub fn new() -> Self {
        Self {
            board: None,
            error: None,
            loading: false,
            stale: false,
            asked_ms: 0,
            generation: 0,
            pending: Vec::new(),
            alerts: VecDeque::new(),
            focus: Panel::Urgent,
            selected: [0; 7],
            sort: BacklogSort::Open,
        }
    }

    pub fn selected(&self, p: Panel) -> usize {
        self.selected[p.index()]
    }

    /// Asks for the figures again.
    pub fn refresh(&mut self, ctx: &Ctx) -> Vec<Command> {
        self.generation += 1;
        self.loading = true;
        self.stale = false;
        self.asked_ms = ctx.now_ms;
        vec![Command::Send(Request::new(
            To::Dashboard,
            self.generation,
            Call::Snapshot(pb::SnapshotRequest {}),
        ))]
    }

    /// The backlog per unit, in the chosen order.
    pub fn units(&self, ctx_name: impl Fn(&str) -> String) -> Vec<pb::UnitBacklog> {
        let mut rows: Vec<pb::UnitBacklog> = self
            .board
            .as_ref()
            .map(|b| b.units.iter().filter(|u| u.open > 0).cloned().collect())
            .unwrap_or_default();
        match self.sort {
            BacklogSort::Open => {
                rows.sort_by(|a, b| b.open.cmp(&a.open).then(a.unit_id.cmp(&b.unit_id)))
            }
            BacklogSort::Overdue => rows.sort_by(|a, b| {
                b.overdue
                    .cmp(&a.overdue)
                    .then(b.open.cmp(&a.open))
                    .then(a.unit_id.cmp(&b.unit_id))
            }),
            BacklogSort::Name => {
                rows.sort_by_cached_key(|u| (ctx_name(&u.unit_id), u.unit_id.clone()))
            }
        }
        rows
    }

    /// The backlog per region, in the chosen order.
    pub fn regions(&self) -> Vec<pb::RegionBacklog> {
        let mut rows: Vec<pb::RegionBacklog> = self
            .board
            .as_ref()
            .map(|b| b.regions.iter().filter(|r| r.open > 0).cloned().collect())
            .unwrap_or_default();
        match self.sort {
            BacklogSort::Open => {
                rows.sort_by(|a, b| b.open.cmp(&a.open).then(a.region.cmp(&b.region)))
            }
            BacklogSort::Overdue => rows.sort_by(|a, b| {
                b.overdue
                    .cmp(&a.overdue)
                    .then(b.open.cmp(&a.open))
                    .then(a.region.cmp(&b.region))
            }),
            BacklogSort::Name => rows.sort_by_key(|r| r.region),
        }
        rows
    }

    /// Agents today, most cases first.
    pub fn agents(&self) -> Vec<pb::AgentCount> {
        let mut rows = self
            .board
            .as_ref()
            .map(|b| b.agents_today.clone())
            .unwrap_or_default();
        rows.sort_by(|a, b| b.logged.cmp(&a.logged).then(a.user.cmp(&b.user)));
        rows
    }

    /// Escalation levels with open cases, lowest first.
    pub fn levels(&self) -> Vec<pb::LevelCount> {
        let mut rows: Vec<pb::LevelCount> = self
            .board
            .as_ref()
            .map(|b| {
                b.escalations
                    .iter()
                    .filter(|l| l.open > 0 && l.level > 0)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        rows.sort_by_key(|l| l.level);
        rows
    }

    fn rows_in(&self, p: Panel, ctx: &Ctx) -> usize {
        let b = self.board.as_ref();
        match p {
            Panel::Urgent => b.map_or(0, |b| b.urgent_in_progress.len()),
            Panel::Oldest => b.map_or(0, |b| b.oldest_waiting.len()),
            Panel::Units => self.units(|id| unit_name(ctx, id)).len(),
            Panel::Regions => self.regions().len(),
            Panel::Agents => self.agents().len(),
            Panel::Levels => self.levels().len(),
            Panel::Alerts => self.alerts.len(),
        }
    }

    pub fn act(&mut self, a: Action, ctx: &mut Ctx) -> Vec<Command> {
        let at = self.focus.index();
        match a {
            Action::NextField => self.focus = Panel::ALL[(at + 1) % Panel::ALL.len()],
            Action::PrevField => {
                self.focus = Panel::ALL[(at + Panel::ALL.len() - 1) % Panel::ALL.len()]
            }
            Action::Up => self.selected[at] = self.selected[at].saturating_sub(1),
            Action::Down => {
                let last = self.rows_in(self.focus, ctx).saturating_sub(1);
                self.selected[at] = (self.selected[at] + 1).min(last);
            }
            Action::First => self.selected[at] = 0,
            Action::Last => self.selected[at] = self.rows_in(self.focus, ctx).saturating_sub(1),
            Action::Sort => {
                self.sort = self.sort.next();
                self.selected[Panel::Units.index()] = 0;
                self.selected[Panel::Regions.index()] = 0;
            }
            Action::Refresh => return self.refresh(ctx),
            Action::Accept => return self.drill(ctx),
            Action::OpenCases => return vec![Command::Open(Open::Cases(Filter::default()))],
            Action::OpenScorecards => return vec![Command::Open(Open::Scorecards)],
            Action::Back => return vec![Command::Unsay],
            _ => {}
        }
        Vec::new()
    }

    /// The cases behind the selected row: a list filtered to them, or the
    /// case itself.
    fn drill(&self, ctx: &Ctx) -> Vec<Command> {
        let at = self.selected(self.focus);
        let open = |c: &pb::Case| {
            vec![Command::Open(Open::Detail {
                id: c.id,
                number: c.number.clone(),
            })]
        };
        let list = |f: Filter| vec![Command::Open(Open::Cases(f))];
        let Some(b) = self.board.as_ref() else {
            return Vec::new();
        };
        match self.focus {
            Panel::Urgent => b.urgent_in_progress.get(at).map(open).unwrap_or_default(),
            Panel::Oldest => b.oldest_waiting.get(at).map(open).unwrap_or_default(),
            Panel::Alerts => self
                .alerts
                .get(at)
                .map(|a| {
                    vec![Command::Open(Open::Detail {
                        id: a.case_id,
                        number: a.number.clone(),
                    })]
                })
                .unwrap_or_default(),
            Panel::Units => self
                .units(|id| unit_name(ctx, id))
                .get(at)
                .map(|u| {
                    list(Filter {
                        unit_id: Some(u.unit_id.clone()),
                        ..Filter::default()
                    })
                })
                .unwrap_or_default(),
            Panel::Regions => self
                .regions()
                .get(at)
                .map(|r| {
                    list(Filter {
                        region: Some(r.region),
                        ..Filter::default()
                    })
                })
                .unwrap_or_default(),
            Panel::Agents => self
                .agents()
                .get(at)
                .map(|a| {
                    list(Filter {
                        created_by: Some(a.user.clone()),
                        ..Filter::default()
                    })
                })
                .unwrap_or_default(),
            Panel::Levels => self
                .levels()
                .get(at)
                .map(|l| {
                    list(Filter {
                        level: Some(l.level),
                        ..Filter::default()
                    })
                })
                .unwrap_or_default(),
        }
    }

    pub fn reply(&mut self, r: Reply, ctx: &mut Ctx) -> Vec<Command> {
        let (Call::Snapshot(_), Answer::Snapshot(result)) = (r.request.call, r.answer) else {
            return Vec::new();
        };
        if r.request.ticket.generation != self.generation {
            return Vec::new();
        }
        self.loading = false;
        match result {
            Ok(board) => {
                self.error = None;
                let seq = board.seq;
                self.board = Some(board);
                self.pending.retain(|e| e.seq > seq);
                let again = std::mem::take(&mut self.pending);
                for e in &again {
                    self.apply(e, ctx.now_ms);
                }
                // What those events changed of the counts comes with the
                // next snapshot.
                self.stale = !again.is_empty();
                self.pending = again;
                self.clamp(ctx);
                Vec::new()
            }
            Err(e) if e.is_connection() => Vec::new(),
            Err(e) => {
                self.error = Some(e.to_string());
                vec![Command::Say(Tone::Error, e.to_string())]
            }
        }
    }

    /// A feed event, or a resync.
    pub fn feed(&mut self, news: &News, ctx: &mut Ctx) -> Vec<Command> {
        match news {
            News::Resynced { .. } => self.refresh(ctx),
            News::Event(e) => {
                let covered = self.board.as_ref().is_some_and(|b| e.seq <= b.seq);
                if covered {
                    return Vec::new();
                }
                self.alert(e);
                self.apply(e, ctx.now_ms);
                if self.pending.len() < MAX_PENDING {
                    self.pending.push((**e).clone());
                }
                self.stale = true;
                self.clamp(ctx);
                Vec::new()
            }
        }
    }

    /// The second hand: a snapshot when events made the figures stale.
    pub fn tick(&mut self, ctx: &mut Ctx) -> Vec<Command> {
        if self.stale && !self.loading && ctx.now_ms - self.asked_ms >= SNAPSHOT_EVERY_MS {
            self.refresh(ctx)
        } else {
            Vec::new()
        }
    }

    fn alert(&mut self, e: &pb::FeedEvent) {
        let Some(c) = e.case.as_ref() else {
            return;
        };
        let ev = e.event.clone().unwrap_or_default();
        let kind = match pb::FeedKind::try_from(e.kind) {
            Ok(pb::FeedKind::SlaBreach) => {
                AlertKind::Breach(pb::SlaClock::try_from(ev.clock).unwrap_or_default())
            }
            Ok(pb::FeedKind::Escalation) => AlertKind::Escalation {
                level: ev.level,
                recipient: ev.recipient.clone(),
            },
            _ => return,
        };
        self.alerts.push_front(Alert {
            seq: e.seq,
            at_ms: if ev.at_ms > 0 { ev.at_ms } else { e.at_ms },
            kind,
            case_id: c.id,
            number: c.number.clone(),
        });
        self.alerts.truncate(MAX_ALERTS);
    }

    /// What an event says for certain, applied to the figures shown.
    fn apply(&mut self, e: &pb::FeedEvent, now_ms: Millis) {
        let Some(b) = self.board.as_mut() else {
            return;
        };
        let Some(c) = e.case.as_ref() else {
            return;
        };
        let kind = pb::FeedKind::try_from(e.kind).unwrap_or_default();
        let status: Option<CaseStatus> = required("status", c.status).ok();
        let open = status.is_some_and(|s| s.is_open());
        let urgent = c.urgency == pb::Urgency::Urgent as i32;
        let today = same_day(e.at_ms, b.at_ms.max(now_ms));
        match kind {
            pb::FeedKind::CaseCreated => {
                if today {
                    let hour = usize::from(to_jalali(e.at_ms).hour);
                    if b.intake_per_hour.len() < 24 {
                        b.intake_per_hour.resize(24, 0);
                    }
                    if let Some(h) = b.intake_per_hour.get_mut(hour) {
                        *h += 1;
                    }
                    match b.agents_today.iter_mut().find(|a| a.user == c.created_by) {
                        Some(a) => a.logged += 1,
                        None => b.agents_today.push(pb::AgentCount {
                            user: c.created_by.clone(),
                            logged: 1,
                        }),
                    }
                }
                if open {
                    bump_status(b, c.status);
                    if urgent {
                        b.urgent_open += 1;
                    }
                    if !c.unit_id.is_empty() {
                        match b.units.iter_mut().find(|u| u.unit_id == c.unit_id) {
                            Some(u) => {
                                u.open += 1;
                                u.urgent_open += u64::from(urgent);
                            }
                            None => b.units.push(pb::UnitBacklog {
                                unit_id: c.unit_id.clone(),
                                open: 1,
                                overdue: 0,
                                urgent_open: u64::from(urgent),
                            }),
                        }
                    }
                    if c.region > 0 {
                        match b.regions.iter_mut().find(|r| r.region == c.region) {
                            Some(r) => r.open += 1,
                            None => b.regions.push(pb::RegionBacklog {
                                region: c.region,
                                open: 1,
                                overdue: 0,
                            }),
                        }
                    }
                }
            }
            pb::FeedKind::SlaBreach if today => b.breaches_today += 1,
            _ => {}
        }
        // The lists of cases: the case as it is now takes its place, or
        // leaves once it is no longer open.
        let mut case = c.clone();
        case.events.clear();
        upsert(&mut b.urgent_in_progress, &case, open && urgent, true);
        b.urgent_in_progress.truncate(MAX_URGENT);
        let waiting = b.oldest_waiting.iter().any(|w| w.id == case.id);
        upsert(&mut b.oldest_waiting, &case, open && waiting, false);
    }

    /// Keeps each selection on a row that is there.
    fn clamp(&mut self, ctx: &Ctx) {
        for p in Panel::ALL {
            let last = self.rows_in(p, ctx).saturating_sub(1);
            let s = &mut self.selected[p.index()];
            *s = (*s).min(last);
        }
    }
}

fn bump_status(b: &mut pb::Dashboard, status: i32) {
    match b.open_by_status.iter_mut().find(|s| s.status == status) {
        Some(s) => s.count += 1,
        None => b.open_by_status.push(pb::StatusCount { status, count: 1 }),
    }
}

/// `case` in `rows` where it belongs: replaced, added (kept by deadline
/// when `by_due`) or removed.
fn upsert(rows: &mut Vec<pb::Case>, case: &pb::Case, belongs: bool, by_due: bool) {
    let at = rows.iter().position(|r| r.id == case.id);
    match (at, belongs) {
        (Some(i), true) => rows[i] = case.clone(),
        (None, true) => rows.push(case.clone()),
        (Some(i), false) => {
            rows.remove(i);
        }
        (None, false) => {}
    }
    if by_due {
        clocks::by_due(rows);
    }
}

/// The same Tehran day.
fn same_day(a: Millis, b: Millis) -> bool {
    let (x, y) = (to_jalali(a), to_jalali(b));
    (x.year, x.month, x.day) == (y.year, y.month, y.day)
}

fn unit_name(ctx: &Ctx, id: &str) -> String {
    ctx.catalog
        .unit(id)
        .map(|u| match ctx.lang {
            crate::messages::Lang::Fa => u.name_fa.clone(),
            crate::messages::Lang::En => u.name_en.clone(),
        })
        .unwrap_or_else(|| id.to_owned())
}
