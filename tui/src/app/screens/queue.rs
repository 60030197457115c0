//! The read-only queue of a dispatcher, a unit or a supervisor: a list of
//! cases that refreshes itself and opens one.

use crate::app::QUEUE_REFRESH_MS;
use crate::app::cases::CaseList;
use crate::app::msg::{Command, ListKind, Open, Reply, To};
use crate::app::rpc::{Answer, Call};
use crate::app::screens::Ctx;
use crate::keymap::{Action, Context};

pub const CONTEXT: Context = "queue";

#[derive(Debug, Clone, PartialEq)]
pub struct QueueScreen {
    pub list: CaseList,
}

impl QueueScreen {
    pub const HINTS: &'static [Action] =
        &[Action::Accept, Action::Refresh, Action::Help, Action::Quit];

    pub fn new(kind: ListKind) -> Self {
        Self {
            list: CaseList::new(kind, To::Queue),
        }
    }

    pub fn act(&mut self, a: Action, ctx: &mut Ctx) -> Vec<Command> {
        let page = (ctx.rows as isize - 8).max(1);
        let more = match a {
            Action::Up => self.list.move_by(-1),
            Action::Down => self.list.move_by(1),
            Action::PageUp => self.list.move_by(-page),
            Action::PageDown => self.list.move_by(page),
            Action::First => self.list.move_by(isize::MIN / 2),
            Action::Last => self.list.move_by(isize::MAX / 2),
            Action::Accept => {
                return self
                    .list
                    .selected_case()
                    .map(|c| {
                        Command::Open(Open::Detail {
                            id: c.id,
                            number: c.number.clone(),
                        })
                    })
                    .into_iter()
                    .collect();
            }
            Action::Refresh => return self.list.request(ctx, false).into_iter().collect(),
            Action::Back => return vec![Command::Unsay],
            _ => false,
        };
        if more {
            self.list.request(ctx, true).into_iter().collect()
        } else {
            Vec::new()
        }
    }

    pub fn reply(&mut self, r: Reply, _ctx: &mut Ctx) -> Vec<Command> {
        if let (Call::ListCases(req), Answer::ListCases(result)) = (&r.request.call, r.answer) {
            self.list.arrived(r.request.ticket.generation, req, result);
        }
        Vec::new()
    }

    /// A queue left open refreshes itself.
    pub fn tick(&mut self, ctx: &mut Ctx) -> Vec<Command> {
        let due = ctx.now_ms - self.list.asked_ms >= QUEUE_REFRESH_MS;
        if due && !self.list.loading {
            self.list.request(ctx, false).into_iter().collect()
        } else {
            Vec::new()
        }
    }
}
