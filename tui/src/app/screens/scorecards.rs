//! The units' scorecards, for supervisors: one Jalali quarter at a time,
//! each unit's score, rank among the units of its service domain, change
//! since the quarter before, on-time shares, response and result times,
//! reopen rate and deferred share; ordered by any of them, and drilled into
//! the cases behind a unit's figures.

use crate::app::intake::Loadable;
use crate::app::msg::{Command, Open, Reply, Request, To};
use crate::app::rpc::{Answer, Call};
use crate::app::screens::Ctx;
use crate::keymap::{Action, Context};
use desk137_domain::quarter::Quarter;
use desk137_proto::v1 as pb;
use std::cmp::Ordering;

pub const CONTEXT: Context = "scorecards";

/// The cases a drill asks for: the server's default page.
pub const DRILL_LIMIT: u32 = 50;

/// The column the table is ordered by; the sort key steps through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardSort {
    /// As the server sends them: by service domain, best first.
    Rank,
    Score,
    Change,
    Cases,
    OnTime,
    FirstResponse,
    Result,
    Reopen,
    Deferred,
}

impl CardSort {
    pub const ALL: [CardSort; 9] = [
        CardSort::Rank,
        CardSort::Score,
        CardSort::Change,
        CardSort::Cases,
        CardSort::OnTime,
        CardSort::FirstResponse,
        CardSort::Result,
        CardSort::Reopen,
        CardSort::Deferred,
    ];

    fn next(self) -> Self {
        let at = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[(at + 1) % Self::ALL.len()]
    }
}

/// A unit's share of its clocks met in time, over all of them; `None`
/// when no clock was met yet.
pub fn on_time_share(card: &pb::UnitScorecard) -> Option<f64> {
    let (met, on_time) = card
        .on_time
        .iter()
        .fold((0u64, 0u64), |(m, o), c| (m + c.met, o + c.on_time));
    (met > 0).then(|| on_time as f64 / met as f64)
}

/// One clock's share met in time, `None` when none was met.
pub fn clock_share(card: &pb::UnitScorecard, clock: pb::SlaClock) -> Option<f64> {
    card.on_time
        .iter()
        .find(|c| c.clock == clock as i32)
        .filter(|c| c.met > 0)
        .map(|c| c.on_time as f64 / c.met as f64)
}

/// Higher first; figures a unit lacks go last.
fn desc(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => b.partial_cmp(&a).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Shorter first; 0 (none yet) goes last.
fn quicker(a: i64, b: i64) -> Ordering {
    let key = |v: i64| if v > 0 { v } else { i64::MAX };
    key(a).cmp(&key(b))
}

/// The cases behind one unit's figures.
#[derive(Debug, Clone)]
pub struct Drill {
    pub unit_id: String,
    pub cases: Loadable<Vec<pb::Case>>,
    pub selected: usize,
}

#[derive(Debug, Clone)]
pub struct ScorecardsScreen {
    /// The quarter shown; `None` until the server names the current one.
    pub quarter: Option<Quarter>,
    pub cards: Loadable<Vec<pb::UnitScorecard>>,
    pub sort: CardSort,
    pub selected: usize,
    pub drill: Option<Drill>,
    generation: u64,
}

impl Default for ScorecardsScreen {
    fn default() -> Self {
        Self {
            quarter: None,
            cards: Loadable::Loading,
            sort: CardSort::Rank,
            selected: 0,
            drill: None,
            generation: 0,
        }
    }
}

impl ScorecardsScreen {
    pub const HINTS: [Action; 7] = [
        Action::Accept,
        Action::Sort,
        Action::PrevQuarter,
        Action::NextQuarter,
        Action::Back,
        Action::Refresh,
        Action::Help,
    ];

    pub const DRILL_HINTS: [Action; 4] =
        [Action::Accept, Action::Back, Action::Refresh, Action::Help];

    pub fn hints(&self) -> Vec<Action> {
        if self.drill.is_some() {
            Self::DRILL_HINTS.to_vec()
        } else {
            Self::HINTS.to_vec()
        }
    }

    /// The units in the chosen order.
    pub fn rows(&self) -> Vec<&pb::UnitScorecard> {
        let Loadable::Loaded(cards) = &self.cards else {
            return Vec::new();
        };
        let mut rows: Vec<&pb::UnitScorecard> = cards.iter().collect();
        let scored = |c: &pb::UnitScorecard| c.scored.then_some(c.score);
        match self.sort {
            CardSort::Rank => {}
            CardSort::Score => rows.sort_by(|a, b| desc(scored(a), scored(b))),
            CardSort::Change => rows.sort_by(|a, b| {
                desc(
                    a.has_change.then_some(a.change),
                    b.has_change.then_some(b.change),
                )
            }),
            CardSort::Cases => rows.sort_by_key(|c| std::cmp::Reverse(c.cases)),
            CardSort::OnTime => rows.sort_by(|a, b| desc(on_time_share(a), on_time_share(b))),
            CardSort::FirstResponse => {
                rows.sort_by(|a, b| quicker(a.first_response_mean_ms, b.first_response_mean_ms))
            }
            CardSort::Result => rows.sort_by(|a, b| quicker(a.result_mean_ms, b.result_mean_ms)),
            // The fewest corrections and deferrals first: those are the good ones.
            CardSort::Reopen => rows.sort_by(|a, b| desc(Some(b.reopen_rate), Some(a.reopen_rate))),
            CardSort::Deferred => {
                rows.sort_by(|a, b| desc(Some(b.deferred_share), Some(a.deferred_share)))
            }
        }
        rows
    }

    pub fn selected_card(&self) -> Option<&pb::UnitScorecard> {
        self.rows().get(self.selected).copied()
    }

    fn fetch(&mut self) -> Command {
        self.generation += 1;
        Command::Send(Request::new(
            To::Scorecards,
            self.generation,
            Call::Scorecards(pb::ScorecardsRequest {
                quarter: self.quarter.map(|q| q.to_string()).unwrap_or_default(),
            }),
        ))
    }

    fn fetch_cases(&mut self) -> Option<Command> {
        let unit_id = self.drill.as_ref()?.unit_id.clone();
        self.generation += 1;
        Some(Command::Send(Request::new(
            To::Scorecards,
            self.generation,
            Call::ScorecardCases(pb::ScorecardCasesRequest {
                quarter: self.quarter.map(|q| q.to_string()).unwrap_or_default(),
                unit_id,
                limit: DRILL_LIMIT,
            }),
        )))
    }

    /// What is shown, read again: the table, and the drill when open.
    pub fn refresh(&mut self, _ctx: &Ctx) -> Vec<Command> {
        if self.drill.is_some() {
            return self.fetch_cases().into_iter().collect();
        }
        vec![self.fetch()]
    }

    /// Another quarter: the one before or after the one shown.
    fn step_quarter(&mut self, ctx: &Ctx, forward: bool) -> Vec<Command> {
        let shown = self.quarter.unwrap_or_else(|| Quarter::of(ctx.now_ms));
        let to = if forward {
            shown.next()
        } else {
            shown.previous()
        };
        // The future has no figures yet.
        if forward && to > Quarter::of(ctx.now_ms) {
            return Vec::new();
        }
        self.quarter = Some(to);
        self.cards = Loadable::Loading;
        self.selected = 0;
        vec![self.fetch()]
    }

    pub fn act(&mut self, a: Action, ctx: &mut Ctx) -> Vec<Command> {
        if let Some(drill) = self.drill.as_mut() {
            let len = match &drill.cases {
                Loadable::Loaded(c) => c.len(),
                _ => 0,
            };
            match a {
                Action::Back => {
                    self.drill = None;
                    return vec![Command::Unsay];
                }
                Action::Up => drill.selected = drill.selected.saturating_sub(1),
                Action::Down => drill.selected = (drill.selected + 1).min(len.saturating_sub(1)),
                Action::First => drill.selected = 0,
                Action::Last => drill.selected = len.saturating_sub(1),
                Action::Accept => {
                    if let Loadable::Loaded(cases) = &drill.cases
                        && let Some(c) = cases.get(drill.selected)
                    {
                        return vec![Command::Open(Open::Detail {
                            id: c.id,
                            number: c.number.clone(),
                        })];
                    }
                }
                Action::Refresh => return self.refresh(ctx),
                _ => {}
            }
            return Vec::new();
        }
        let len = self.rows().len();
        match a {
            Action::Back => return vec![Command::Close],
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(len.saturating_sub(1)),
            Action::First => self.selected = 0,
            Action::Last => self.selected = len.saturating_sub(1),
            Action::Sort => {
                self.sort = self.sort.next();
                self.selected = 0;
            }
            Action::PrevQuarter => return self.step_quarter(ctx, false),
            Action::NextQuarter => return self.step_quarter(ctx, true),
            Action::Refresh => return vec![self.fetch()],
            Action::Accept => {
                let Some(unit_id) = self.selected_card().map(|c| c.unit_id.clone()) else {
                    return Vec::new();
                };
                self.drill = Some(Drill {
                    unit_id,
                    cases: Loadable::Loading,
                    selected: 0,
                });
                return self.fetch_cases().into_iter().collect();
            }
            _ => {}
        }
        Vec::new()
    }

    pub fn reply(&mut self, r: Reply) -> Vec<Command> {
        if r.request.ticket.generation != self.generation {
            return Vec::new();
        }
        match r.answer {
            Answer::Scorecards(Ok(resp)) => {
                if let Some(q) = Quarter::parse(&resp.quarter) {
                    self.quarter = Some(q);
                }
                self.cards = Loadable::Loaded(resp.units);
                self.selected = self.selected.min(self.rows().len().saturating_sub(1));
            }
            Answer::Scorecards(Err(e)) => self.cards = Loadable::Failed(e.to_string()),
            Answer::ScorecardCases(result) => {
                if let Some(drill) = self.drill.as_mut() {
                    match result {
                        Ok(resp) => {
                            drill.selected = drill.selected.min(resp.cases.len().saturating_sub(1));
                            drill.cases = Loadable::Loaded(resp.cases);
                        }
                        Err(e) => drill.cases = Loadable::Failed(e.to_string()),
                    }
                }
            }
            _ => {}
        }
        Vec::new()
    }
}
