//! The working queue of a dispatcher (the urgent board), a unit (its own
//! cases) or a supervisor (every open case, filtered): sorted by what is due
//! first, kept current by the feed, each case moved from its row.

use crate::app::cases::CaseList;
use crate::app::feed::News;
use crate::app::move_form::Completion;
use crate::app::msg::{Command, ListKind, Open, Reply, Request, To};
use crate::app::rpc::{Answer, Call};
use crate::app::screens::Ctx;
use crate::app::screens::moving::{self, Moving};
use crate::keymap::{Action, Context};
use desk137_domain::model::CaseStatus;
use desk137_domain::model::Role;
use desk137_proto::convert::WireEnum;
use desk137_proto::v1 as pb;
use tui_input::InputRequest;

pub const CONTEXT: Context = "queue";

/// The highest escalation level the filter steps through.
const MAX_LEVEL_FILTER: u32 = 4;

/// A supervisor's filters. State, unit and region go to the server; the
/// escalation level is applied to the rows that came.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: Option<CaseStatus>,
    pub unit_id: Option<String>,
    pub region: Option<u32>,
    /// At least this level.
    pub level: Option<u32>,
    /// Logged by this agent (a drill from the dashboard).
    pub created_by: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    pub fn admits(&self, c: &pb::Case) -> bool {
        self.level.is_none_or(|l| c.escalation_level >= l)
    }

    /// What the server applies of the filter, applied to a case a feed
    /// event brings.
    pub fn matches(&self, c: &pb::Case) -> bool {
        self.status.is_none_or(|s| c.status == s.to_wire())
            && self.unit_id.as_ref().is_none_or(|u| c.unit_id == *u)
            && self.region.is_none_or(|r| c.region == r)
            && self.created_by.as_ref().is_none_or(|u| c.created_by == *u)
    }

    pub fn apply(&self, req: &mut pb::ListCasesRequest) {
        if let Some(s) = self.status {
            req.status = s.to_wire();
        }
        if let Some(u) = &self.unit_id {
            req.unit_id = u.clone();
        }
        if let Some(r) = self.region {
            req.region = r;
        }
        if let Some(u) = &self.created_by {
            req.created_by = u.clone();
        }
    }
}

/// The next of `items` after `current`, then none again.
fn step<T: Clone + PartialEq>(items: &[T], current: &Option<T>) -> Option<T> {
    match current {
        None => items.first().cloned(),
        Some(c) => {
            let at = items.iter().position(|x| x == c)?;
            items.get(at + 1).cloned()
        }
    }
}

#[derive(Debug, Clone)]
pub struct QueueScreen {
    pub list: CaseList,
    pub moving: Moving,
    pub filter: Filter,
    /// Opened over another screen (a drill from the dashboard): going back
    /// closes it.
    pub over: bool,
}

impl QueueScreen {
    pub fn new(kind: ListKind) -> Self {
        Self {
            list: CaseList::new(kind, To::Queue),
            moving: Moving::default(),
            filter: Filter::default(),
            over: false,
        }
    }

    /// The open cases behind a dashboard row, over the dashboard.
    pub fn drilled(filter: Filter) -> Self {
        let mut q = Self::new(ListKind::AllOpen);
        q.filter = filter;
        q.over = true;
        q
    }

    /// The rows shown: what came, less what the level filter hides.
    pub fn visible(&self) -> Vec<&pb::Case> {
        self.list
            .rows
            .iter()
            .filter(|c| self.filter.admits(c))
            .collect()
    }

    fn selected(&self) -> Option<&pb::Case> {
        self.list
            .selected_case()
            .filter(|c| self.filter.admits(c))
            .or_else(|| self.visible().first().copied())
    }

    pub fn hints(&self, role: Role) -> Vec<Action> {
        if self.moving.is_open() {
            return vec![Action::NextField, Action::Save, Action::Back];
        }
        let mut out = vec![Action::Accept];
        out.extend(moving::offered(self.selected(), role));
        if self.list.kind == ListKind::AllOpen {
            out.extend([
                Action::FilterState,
                Action::FilterUnit,
                Action::FilterRegion,
                Action::FilterLevel,
            ]);
        }
        if matches!(role, Role::Supervisor | Role::Admin) {
            out.push(Action::OpenAudit);
        }
        out.extend([Action::Refresh, Action::Help]);
        out
    }

    pub fn request(&mut self, ctx: &Ctx, append: bool) -> Option<Command> {
        let mut cmd = self.list.request(ctx, append)?;
        if let Command::Send(Request {
            call: Call::ListCases(req),
            ..
        }) = &mut cmd
        {
            self.filter.apply(req);
        }
        Some(cmd)
    }

    pub fn act(&mut self, a: Action, ctx: &mut Ctx) -> Vec<Command> {
        if self.moving.is_open() {
            return self.moving.act(a, ctx, To::Queue);
        }
        let case = self.selected().cloned();
        if let Some(out) = self.moving.open(a, case.as_ref(), ctx) {
            return out;
        }
        let page = (ctx.rows as isize - 8).max(1);
        let more = match a {
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::First => self.move_by(isize::MIN / 2),
            Action::Last => self.move_by(isize::MAX / 2),
            Action::Accept => {
                return case
                    .map(|c| {
                        Command::Open(Open::Detail {
                            id: c.id,
                            number: c.number.clone(),
                        })
                    })
                    .into_iter()
                    .collect();
            }
            Action::Refresh => return self.request(ctx, false).into_iter().collect(),
            Action::Back if self.over => return vec![Command::Close],
            Action::Back => return vec![Command::Unsay],
            Action::FilterState
            | Action::FilterUnit
            | Action::FilterRegion
            | Action::FilterLevel
            | Action::ClearFilters
                if self.list.kind == ListKind::AllOpen =>
            {
                self.change_filter(a, ctx);
                return self.request(ctx, false).into_iter().collect();
            }
            _ => false,
        };
        if more {
            self.request(ctx, true).into_iter().collect()
        } else {
            Vec::new()
        }
    }

    /// Moves the selection among the visible rows.
    fn move_by(&mut self, delta: isize) -> bool {
        let ids: Vec<u64> = self.visible().iter().map(|c| c.id).collect();
        if ids.is_empty() {
            return false;
        }
        let current = self.list.selected_case().map(|c| c.id);
        let at = ids.iter().position(|id| Some(*id) == current).unwrap_or(0);
        let last = ids.len() - 1;
        let to = at.saturating_add_signed(delta).min(last);
        if let Some(i) = self.list.rows.iter().position(|c| c.id == ids[to]) {
            self.list.selected = i;
        }
        to == last && self.list.next_page.is_some() && !self.list.loading
    }

    fn change_filter(&mut self, a: Action, ctx: &Ctx) {
        let f = &mut self.filter;
        match a {
            Action::FilterState => {
                let open: Vec<CaseStatus> = CaseStatus::all().filter(|s| s.is_open()).collect();
                f.status = step(&open, &f.status);
            }
            Action::FilterRegion => {
                let regions: Vec<u32> = ctx.catalog.regions.iter().map(|r| r.number).collect();
                f.region = step(&regions, &f.region);
                // A unit of another region would leave the list empty.
                f.unit_id = None;
            }
            Action::FilterUnit => {
                let units: Vec<String> = ctx
                    .catalog
                    .units
                    .iter()
                    .filter(|u| f.region.is_none_or(|r| u.region == r))
                    .map(|u| u.id.clone())
                    .collect();
                f.unit_id = step(&units, &f.unit_id);
            }
            Action::FilterLevel => {
                let levels: Vec<u32> = (1..=MAX_LEVEL_FILTER).collect();
                f.level = step(&levels, &f.level);
            }
            _ => *f = Filter::default(),
        }
        self.list.selected = 0;
    }

    pub fn edit(&mut self, req: InputRequest) -> Vec<Command> {
        self.moving.edit(req);
        Vec::new()
    }

    pub fn paste(&mut self, text: &str) -> Vec<Command> {
        self.moving.paste(text);
        Vec::new()
    }

    pub fn completed(&mut self, c: &Completion) -> Vec<Command> {
        self.moving.completed(c)
    }

    pub fn reply(&mut self, r: Reply, ctx: &mut Ctx) -> Vec<Command> {
        match (r.request.call, r.answer) {
            (Call::ListCases(req), Answer::ListCases(result)) => {
                let first = self.list.rows.is_empty();
                self.list.arrived(r.request.ticket.generation, &req, result);
                self.sort();
                // A list seen for the first time starts at what is due first.
                if first {
                    self.list.selected = 0;
                }
                Vec::new()
            }
            (Call::MoveCase(req), Answer::MoveCase(result)) => {
                let done = self.moving.answered(&req, result, ctx);
                let mut out = done.commands;
                if let Some(case) = done.case {
                    self.replace(case);
                    out.extend(self.request(ctx, false));
                }
                if let Some(id) = done.reload {
                    out.push(get(id));
                }
                out
            }
            (Call::GetCase(_), Answer::GetCase(Ok(case))) => {
                self.moving.case_read(&case);
                self.replace(case);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// A case read or moved takes its row's place at once, before the list
    /// comes again.
    fn replace(&mut self, case: pb::Case) {
        if let Some(row) = self.list.rows.iter_mut().find(|c| c.id == case.id) {
            *row = case;
        }
        self.sort();
    }

    /// Urgent and Shahrban first, then what is due first, the same case
    /// kept selected.
    fn sort(&mut self) {
        if self.list.kind == ListKind::Recent {
            return;
        }
        let selected = self.list.selected_case().map(|c| c.id);
        crate::app::cases::queue_order(&mut self.list.rows);
        if let Some(i) = selected.and_then(|id| self.list.rows.iter().position(|c| c.id == id)) {
            self.list.selected = i;
        }
    }

    /// The feed says what changed: the row follows it, joins the list or
    /// leaves it; after a resync the list is read again.
    pub fn feed(&mut self, news: &News, ctx: &mut Ctx) -> Vec<Command> {
        match news {
            News::Resynced { .. } => self.request(ctx, false).into_iter().collect(),
            News::Event(e) => {
                let Some(case) = e.case.as_ref() else {
                    return Vec::new();
                };
                let belongs = self.list.admits(case, ctx) && self.filter.matches(case);
                self.list.apply(case, e.event.as_ref(), belongs);
                self.sort();
                Vec::new()
            }
        }
    }
}

fn get(id: u64) -> Command {
    Command::Send(Request::new(
        To::Queue,
        id,
        Call::GetCase(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(id)),
        }),
    ))
}
