//! One case opened from a list, with its timeline.

use crate::app::intake::Loadable;
use crate::app::msg::{Command, Reply, Request, To};
use crate::app::rpc::{Answer, Call};
use crate::app::screens::Ctx;
use crate::keymap::{Action, Context};
use desk137_proto::v1 as pb;

pub const CONTEXT: Context = "detail";

#[derive(Debug, Clone, PartialEq)]
pub struct DetailScreen {
    pub id: u64,
    pub number: String,
    pub case: Loadable<pb::Case>,
    pub scroll: u16,
}

impl DetailScreen {
    pub const HINTS: &'static [Action] =
        &[Action::Back, Action::Refresh, Action::Help, Action::Quit];

    /// The screen, and the request for its case.
    pub fn open(id: u64, number: String) -> (Self, Command) {
        let s = Self {
            id,
            number,
            case: Loadable::Loading,
            scroll: 0,
        };
        let get = s.get();
        (s, get)
    }

    fn get(&self) -> Command {
        Command::Send(Request::new(
            To::Detail,
            self.id,
            Call::GetCase(pb::GetCaseRequest {
                key: Some(pb::get_case_request::Key::Id(self.id)),
            }),
        ))
    }

    pub fn act(&mut self, a: Action, ctx: &mut Ctx) -> Vec<Command> {
        let page = (ctx.rows.saturating_sub(8)).max(1);
        match a {
            Action::Back => return vec![Command::Close],
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
            Action::PageDown => self.scroll = self.scroll.saturating_add(page),
            Action::First => self.scroll = 0,
            Action::Refresh => {
                self.case = Loadable::Loading;
                return vec![self.get()];
            }
            _ => {}
        }
        Vec::new()
    }

    pub fn reply(&mut self, r: Reply, _ctx: &mut Ctx) -> Vec<Command> {
        // The ticket carries the id asked for: another case's answer is late.
        if r.request.ticket.generation != self.id {
            return Vec::new();
        }
        if let Answer::GetCase(result) = r.answer {
            self.case = match result {
                Ok(c) if c.id == self.id => Loadable::Loaded(c),
                Ok(_) => return Vec::new(),
                Err(e) => Loadable::Failed(e.to_string()),
            };
        }
        Vec::new()
    }
}
