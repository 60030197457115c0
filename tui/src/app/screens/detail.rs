//! One case with its whole timeline, opened from a list or by its number,
//! and moved from here.

use crate::app::Session;
use crate::app::feed::News;
use crate::app::intake::Loadable;
use crate::app::move_form::Completion;
use crate::app::msg::{Command, Reply, Request, To};
use crate::app::rpc::{Answer, Call};
use crate::app::screens::Ctx;
use crate::app::screens::moving::{self, Moving};
use crate::app::screens::record::{self, Record};
use crate::keymap::{Action, Context};
use desk137_domain::model::Role;
use desk137_domain::text::ascii_digits;
use desk137_proto::v1 as pb;
use tui_input::InputRequest;

pub const CONTEXT: Context = "detail";

/// How a case is asked for: by id from a list, by number when typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseKey {
    Id(u64),
    Number(String),
}

#[derive(Debug, Clone)]
pub struct DetailScreen {
    pub key: CaseKey,
    pub number: String,
    pub case: Loadable<pb::Case>,
    pub scroll: u16,
    pub moving: Moving,
    /// The citizen's record: its reason form while open.
    pub record: Record,
    /// The caller's number a unit asked for with consent: shown until the
    /// screen closes, never kept anywhere else.
    pub revealed: Option<String>,
    /// The feed said the case changed while a form was open: it is read
    /// again once the form closes, so the form keeps its revision.
    behind: bool,
    loading: bool,
}

impl DetailScreen {
    /// The screen, and the request for its case.
    pub fn open(id: u64, number: String) -> (Self, Command) {
        Self::with_key(CaseKey::Id(id), number)
    }

    /// A case by the number a person typed, in any digits.
    pub fn open_number(typed: &str) -> (Self, Command) {
        let number = ascii_digits(typed.trim());
        Self::with_key(CaseKey::Number(number.clone()), number)
    }

    fn with_key(key: CaseKey, number: String) -> (Self, Command) {
        let mut s = Self {
            key,
            number,
            case: Loadable::Loading,
            scroll: 0,
            moving: Moving::default(),
            record: Record::default(),
            revealed: None,
            behind: false,
            loading: false,
        };
        let get = s.get();
        (s, get)
    }

    /// The ticket's generation carries the id asked for (0 for a number),
    /// so an answer about another case is known for late.
    fn get(&mut self) -> Command {
        self.loading = true;
        let (generation, key) = match &self.key {
            CaseKey::Id(id) => (*id, pb::get_case_request::Key::Id(*id)),
            CaseKey::Number(n) => (0, pb::get_case_request::Key::Number(n.clone())),
        };
        Command::Send(Request::new(
            To::Detail,
            generation,
            Call::GetCase(pb::GetCaseRequest { key: Some(key) }),
        ))
    }

    pub fn loaded(&self) -> Option<&pb::Case> {
        match &self.case {
            Loadable::Loaded(c) => Some(c),
            _ => None,
        }
    }

    pub fn hints(&self, role: Role, session: Option<&Session>) -> Vec<Action> {
        if self.record.is_open() {
            return vec![Action::Save, Action::Back];
        }
        if self.moving.is_open() {
            return vec![Action::NextField, Action::Save, Action::Back];
        }
        let mut out = vec![Action::Back];
        out.extend(moving::offered(self.loaded(), role));
        if let Some(session) = session {
            out.extend(record::offered(self.loaded(), session));
        }
        out.extend([Action::Refresh, Action::Help]);
        out
    }

    pub fn act(&mut self, a: Action, ctx: &mut Ctx) -> Vec<Command> {
        if self.record.is_open() {
            return self.record.act(a, ctx);
        }
        if self.moving.is_open() {
            return self.moving.act(a, ctx, To::Detail);
        }
        let case = self.loaded().cloned();
        if let Some(out) = self.moving.open(a, case.as_ref(), ctx) {
            return out;
        }
        if let Some(out) = self.record.open(a, case.as_ref(), ctx) {
            return out;
        }
        let page = (ctx.rows.saturating_sub(8)).max(1);
        match a {
            Action::Back => return vec![Command::Close],
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
            Action::PageDown => self.scroll = self.scroll.saturating_add(page),
            Action::First => self.scroll = 0,
            Action::Last => self.scroll = u16::MAX,
            Action::Refresh => return self.refresh(ctx),
            _ => {}
        }
        Vec::new()
    }

    pub fn refresh(&mut self, _ctx: &Ctx) -> Vec<Command> {
        self.behind = false;
        vec![self.get()]
    }

    pub fn edit(&mut self, req: InputRequest) -> Vec<Command> {
        if self.record.is_open() {
            self.record.edit(req);
        } else {
            self.moving.edit(req);
        }
        Vec::new()
    }

    pub fn paste(&mut self, text: &str) -> Vec<Command> {
        if self.record.is_open() {
            self.record.paste(text);
        } else {
            self.moving.paste(text);
        }
        Vec::new()
    }

    pub fn completed(&mut self, c: &Completion) -> Vec<Command> {
        self.moving.completed(c)
    }

    /// A change the feed announced while a form was open is read once the
    /// form has closed.
    pub fn tick(&mut self, ctx: &Ctx) -> Vec<Command> {
        if self.behind && !self.loading && !self.moving.is_open() && !self.record.is_open() {
            self.refresh(ctx)
        } else {
            Vec::new()
        }
    }

    /// The feed: a change of this case (made anywhere) is read at once,
    /// timeline and all; the event carries the case without it.
    pub fn feed(&mut self, news: &News, ctx: &Ctx) -> Vec<Command> {
        let ours = match news {
            News::Resynced { .. } => true,
            News::Event(e) => e.case.as_ref().is_some_and(|c| self.is_this(c)),
        };
        if !ours {
            return Vec::new();
        }
        if self.moving.is_open() || self.record.is_open() || self.loading {
            self.behind = true;
            return Vec::new();
        }
        self.refresh(ctx)
    }

    fn is_this(&self, c: &pb::Case) -> bool {
        match &self.key {
            CaseKey::Id(id) => c.id == *id,
            CaseKey::Number(n) => c.number == *n,
        }
    }

    pub fn reply(&mut self, r: Reply, ctx: &mut Ctx) -> Vec<Command> {
        let generation = r.request.ticket.generation;
        let asked_id = match self.key {
            CaseKey::Id(id) => id,
            CaseKey::Number(_) => 0,
        };
        match (r.request.call, r.answer) {
            (Call::GetCase(_), Answer::GetCase(result)) => {
                if generation != asked_id {
                    return Vec::new();
                }
                self.loading = false;
                match result {
                    Ok(c) if self.is_this(&c) => {
                        self.moving.case_read(&c);
                        // Found by number: from now on it is this id.
                        self.key = CaseKey::Id(c.id);
                        self.number = c.number.clone();
                        self.case = Loadable::Loaded(c);
                    }
                    Ok(_) => {}
                    // A read that fails leaves what was shown.
                    Err(e) if self.loaded().is_some() => {
                        return vec![Command::Say(crate::app::Tone::Error, e.to_string())];
                    }
                    Err(e) => self.case = Loadable::Failed(e.to_string()),
                }
                Vec::new()
            }
            (Call::MoveCase(req), Answer::MoveCase(result)) => {
                let done = self.moving.answered(&req, result, ctx);
                let mut out = done.commands;
                if let Some(case) = done.case.filter(|c| self.is_this(c)) {
                    self.case = Loadable::Loaded(case);
                }
                if done.reload.is_some() {
                    out.extend(self.refresh(ctx));
                }
                out
            }
            (call, answer) => {
                let Some(done) = self.record.answered(&call, answer, ctx) else {
                    return Vec::new();
                };
                let mut out = done.commands;
                if let Some(case) = done.case.filter(|c| self.is_this(c)) {
                    self.case = Loadable::Loaded(case);
                }
                if done.revealed.is_some() {
                    self.revealed = done.revealed;
                }
                if done.reload {
                    out.extend(self.refresh(ctx));
                }
                out
            }
        }
    }
}
