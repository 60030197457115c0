//! The audit log, for supervisors: who saw or changed what of a citizen's
//! confidential data, newest first, filtered by case number and staff
//! member, a page at a time. The server records each read.

use crate::app::intake::Loadable;
use crate::app::msg::{Command, Reply, Request, To};
use crate::app::rpc::{Answer, Call};
use crate::app::screens::intake::edit_request;
use crate::keymap::{Action, Context};
use desk137_proto::v1 as pb;
use tui_input::{Input, InputRequest};

pub const CONTEXT: Context = "audit";

/// Entries a page asks for: a screen's worth and some.
pub const PAGE: u32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Case,
    Staff,
}

#[derive(Debug, Clone)]
pub struct AuditScreen {
    pub case: Input,
    pub staff: Input,
    pub focus: Focus,
    pub entries: Loadable<Vec<pb::AuditEntry>>,
    pub selected: usize,
    /// The page shown, counted from 1.
    pub page: usize,
    /// The tokens of the pages before this one, to go back to.
    back: Vec<String>,
    current: String,
    next: String,
    generation: u64,
}

impl AuditScreen {
    pub const HINTS: [Action; 6] = [
        Action::NextField,
        Action::Accept,
        Action::PageDown,
        Action::PageUp,
        Action::Back,
        Action::Help,
    ];

    /// The screen, and the request for its first page.
    pub fn open() -> (Self, Command) {
        let mut s = Self {
            case: Input::default(),
            staff: Input::default(),
            focus: Focus::Case,
            entries: Loadable::Loading,
            selected: 0,
            page: 1,
            back: Vec::new(),
            current: String::new(),
            next: String::new(),
            generation: 0,
        };
        let first = s.fetch(String::new());
        (s, first)
    }

    pub fn has_next(&self) -> bool {
        !self.next.is_empty()
    }

    fn fetch(&mut self, token: String) -> Command {
        self.generation += 1;
        self.current = token.clone();
        Command::Send(Request::new(
            To::Audit,
            self.generation,
            Call::ListAudit(pb::ListAuditRequest {
                case_number: self.case.value().trim().to_owned(),
                actor: self.staff.value().trim().to_owned(),
                page_size: PAGE,
                page_token: token,
                ..Default::default()
            }),
        ))
    }

    fn focused(&mut self) -> &mut Input {
        match self.focus {
            Focus::Case => &mut self.case,
            Focus::Staff => &mut self.staff,
        }
    }

    fn rows(&self) -> usize {
        match &self.entries {
            Loadable::Loaded(e) => e.len(),
            _ => 0,
        }
    }

    pub fn act(&mut self, a: Action) -> Vec<Command> {
        match a {
            Action::Back => return vec![Command::Close],
            Action::NextField | Action::PrevField => {
                self.focus = match self.focus {
                    Focus::Case => Focus::Staff,
                    Focus::Staff => Focus::Case,
                };
            }
            // The filters as typed, from the newest entry.
            Action::Accept => {
                self.back.clear();
                self.page = 1;
                self.selected = 0;
                return vec![self.fetch(String::new())];
            }
            Action::PageDown if self.has_next() => {
                self.back.push(self.current.clone());
                self.page += 1;
                self.selected = 0;
                let next = self.next.clone();
                return vec![self.fetch(next)];
            }
            Action::PageUp => {
                if let Some(token) = self.back.pop() {
                    self.page = self.page.saturating_sub(1).max(1);
                    self.selected = 0;
                    return vec![self.fetch(token)];
                }
            }
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.rows().saturating_sub(1));
            }
            Action::Refresh => {
                let token = self.current.clone();
                return vec![self.fetch(token)];
            }
            a => {
                if let Some(req) = edit_request(a) {
                    self.focused().handle(req);
                }
            }
        }
        Vec::new()
    }

    pub fn edit(&mut self, req: InputRequest) -> Vec<Command> {
        self.focused().handle(req);
        Vec::new()
    }

    pub fn paste(&mut self, text: &str) -> Vec<Command> {
        for c in text.chars().filter(|c| !c.is_control()) {
            self.focused().handle(InputRequest::InsertChar(c));
        }
        Vec::new()
    }

    pub fn reply(&mut self, r: Reply) -> Vec<Command> {
        if r.request.ticket.generation != self.generation {
            return Vec::new();
        }
        if let Answer::ListAudit(result) = r.answer {
            match result {
                Ok(page) => {
                    self.next = page.next_page_token;
                    self.entries = Loadable::Loaded(page.entries);
                }
                Err(e) => self.entries = Loadable::Failed(e.to_string()),
            }
        }
        Vec::new()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::app::msg::{Command, Msg, To};
    use crate::app::rpc::{Answer, Call};
    use crate::app::screens::Screen;
    use crate::app::tests::{NOW, answer, key, sent, session_as, settings, who};
    use crate::app::{App, update};
    use crate::messages::Lang;
    use crossterm::event::{KeyCode, KeyModifiers};
    use desk137_proto::v1 as pb;

    pub(crate) fn supervisor(lang: Lang) -> App {
        let mut app = App::new(settings(lang), NOW);
        app.catalog = crate::app::catalog::tests::shipped();
        session_as(&mut app, who("supervisor1", pb::Role::Supervisor, ""));
        app
    }

    pub(crate) fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
        update(app, key(code, KeyModifiers::NONE))
    }

    pub(crate) fn entry(seq: u64, minutes_ago: i64) -> pb::AuditEntry {
        pb::AuditEntry {
            seq,
            at_ms: NOW - minutes_ago * 60_000,
            actor: "agent1".into(),
            role: pb::Role::Agent as i32,
            action: pb::AuditAction::PhoneRevealed as i32,
            citizen_id: "c-7f3a".into(),
            case_id: 12,
            case_number: "1405-000012".into(),
            reason: "caller history on ****4567".into(),
            hash: "ab".repeat(32),
        }
    }

    fn asked(cmds: &[Command]) -> pb::ListAuditRequest {
        match &sent(cmds, "list_audit").call {
            Call::ListAudit(r) => r.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_supervisor_opens_the_log_filters_by_case_and_staff_and_pages() {
        let mut app = supervisor(Lang::Fa);
        let opened = press(&mut app, KeyCode::F(8));
        let first = sent(&opened, "list_audit").clone();
        assert_eq!(first.ticket.to, To::Audit);
        assert_eq!(
            asked(&opened),
            pb::ListAuditRequest {
                page_size: super::PAGE,
                ..Default::default()
            }
        );
        assert!(matches!(app.screen(), Screen::Audit(_)));
        answer(
            &mut app,
            &first,
            Answer::ListAudit(Ok(pb::ListAuditResponse {
                entries: vec![entry(3, 1), entry(2, 5)],
                next_page_token: "t2".into(),
            })),
        );
        // Filters typed in Persian digits go as typed; the server reads any digits.
        for c in "۱۴۰۵-۰۰۰۰۱۲".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        press(&mut app, KeyCode::Tab);
        for c in "agent1".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        let filtered = press(&mut app, KeyCode::Enter);
        let r = asked(&filtered);
        assert_eq!(
            (
                r.case_number.as_str(),
                r.actor.as_str(),
                r.page_token.as_str()
            ),
            ("۱۴۰۵-۰۰۰۰۱۲", "agent1", "")
        );
        // An answer to the first question, come late, is dropped.
        answer(
            &mut app,
            &first,
            Answer::ListAudit(Ok(pb::ListAuditResponse::default())),
        );
        let Screen::Audit(s) = app.screen() else {
            panic!("the audit screen")
        };
        assert!(matches!(&s.entries, crate::app::intake::Loadable::Loaded(e) if e.len() == 2));
        answer(
            &mut app,
            &sent(&filtered, "list_audit").clone(),
            Answer::ListAudit(Ok(pb::ListAuditResponse {
                entries: vec![entry(9, 2)],
                next_page_token: "older".into(),
            })),
        );
        let next = press(&mut app, KeyCode::PageDown);
        let r = asked(&next);
        assert_eq!(
            (r.page_token.as_str(), r.actor.as_str()),
            ("older", "agent1")
        );
        answer(
            &mut app,
            &sent(&next, "list_audit").clone(),
            Answer::ListAudit(Ok(pb::ListAuditResponse {
                entries: vec![entry(1, 30)],
                next_page_token: String::new(),
            })),
        );
        let Screen::Audit(s) = app.screen() else {
            panic!("the audit screen")
        };
        assert_eq!((s.page, s.has_next()), (2, false));
        // No older page: nothing asked.
        assert!(press(&mut app, KeyCode::PageDown).is_empty());
        let back = press(&mut app, KeyCode::PageUp);
        assert_eq!(asked(&back).page_token, "");
        // Esc goes back to the dashboard, which reads its figures again.
        let closed = press(&mut app, KeyCode::Esc);
        assert!(matches!(app.screen(), Screen::Dashboard(_)));
        sent(&closed, "snapshot");
    }

    #[test]
    fn the_log_is_not_offered_to_other_roles() {
        let mut app = App::new(settings(Lang::En), NOW);
        app.catalog = crate::app::catalog::tests::shipped();
        session_as(&mut app, who("dispatcher1", pb::Role::Dispatcher, ""));
        let cmds = press(&mut app, KeyCode::F(8));
        assert!(
            cmds.iter()
                .all(|c| !matches!(c, Command::Send(r) if r.call.name() == "list_audit"))
        );
        assert!(matches!(app.screen(), Screen::Queue(_)));
        assert!(!app.hints().contains(&crate::keymap::Action::OpenAudit));
        let sup = supervisor(Lang::En);
        assert!(sup.hints().contains(&crate::keymap::Action::OpenAudit));
        let _ = Msg::Tick(NOW);
    }
}
