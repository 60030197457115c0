//! The agent's call-back screen: the queue hands the next case to call (the
//! agent never types a number), leased to this agent until an outcome is
//! recorded, the case is given back, or the lease runs out.

use crate::app::Tone;
use crate::app::feed::News;
use crate::app::intake::Loadable;
use crate::app::msg::{Command, Reply, Request, To};
use crate::app::rpc::{Answer, Call};
use crate::app::screens::Ctx;
use crate::app::screens::intake::edit_request;
use crate::keymap::{Action, Context};
use desk137_proto::v1 as pb;
use tui_input::{Input, InputRequest};

pub const CONTEXT: Context = "feedback";

/// With a comment open, the lease is renewed this long before it ends.
const RENEW_BEFORE_MS: i64 = 60_000;

/// What the agent heard on the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 1 to 5.
    Satisfaction(u32),
    Correction,
    Unreachable,
}

impl Outcome {
    fn of(a: Action) -> Option<Self> {
        Some(match a {
            Action::Rate1 => Outcome::Satisfaction(1),
            Action::Rate2 => Outcome::Satisfaction(2),
            Action::Rate3 => Outcome::Satisfaction(3),
            Action::Rate4 => Outcome::Satisfaction(4),
            Action::Rate5 => Outcome::Satisfaction(5),
            Action::AskCorrection => Outcome::Correction,
            Action::Unreachable => Outcome::Unreachable,
            _ => return None,
        })
    }

    fn wire(self) -> (pb::FeedbackOutcome, u32) {
        match self {
            Outcome::Satisfaction(n) => (pb::FeedbackOutcome::Satisfaction, n),
            Outcome::Correction => (pb::FeedbackOutcome::Correction, 0),
            Outcome::Unreachable => (pb::FeedbackOutcome::Unreachable, 0),
        }
    }

    /// A correction reopens the case to its unit: the unit works from the
    /// citizen's words, so they are required.
    pub fn needs_words(self) -> bool {
        self == Outcome::Correction
    }
}

/// The outcome being recorded and its comment.
#[derive(Debug, Clone)]
pub struct OutcomeForm {
    pub outcome: Outcome,
    pub comment: Input,
    pub sending: bool,
    /// Kept while the answer is unknown (lost on the way), so sending again
    /// cannot record the outcome twice.
    request_id: Option<String>,
}

/// The case the queue handed, and until when it is this agent's.
#[derive(Debug, Clone, PartialEq)]
pub struct Handed {
    pub case: pb::Case,
    pub lease_until_ms: i64,
}

#[derive(Debug, Clone)]
pub struct FeedbackScreen {
    /// `Loaded(None)`: nobody is due a call.
    pub queue: Loadable<Option<Handed>>,
    /// Cases due a call now, the one shown included.
    pub waiting: u32,
    /// The attachment Enter opens.
    pub selected: usize,
    pub scroll: u16,
    pub form: Option<OutcomeForm>,
    /// Raised by each ask of the queue; an older answer is dropped.
    generation: u64,
    asking: bool,
    /// The feed spoke while the queue was being asked: ask again after.
    behind: bool,
    /// The lease end last renewed at, so it is renewed once.
    renewed_for: i64,
}

impl FeedbackScreen {
    /// The screen, and the ask for its first case.
    pub fn open() -> (Self, Command) {
        let mut s = Self {
            queue: Loadable::Loading,
            waiting: 0,
            selected: 0,
            scroll: 0,
            form: None,
            generation: 0,
            asking: false,
            behind: false,
            renewed_for: 0,
        };
        let ask = s.ask();
        (s, ask)
    }

    fn ask(&mut self) -> Command {
        self.generation += 1;
        self.asking = true;
        Command::Send(Request::new(
            To::Feedback,
            self.generation,
            Call::NextCallBack(pb::NextCallBackRequest {}),
        ))
    }

    pub fn handed(&self) -> Option<&Handed> {
        match &self.queue {
            Loadable::Loaded(Some(h)) => Some(h),
            _ => None,
        }
    }

    pub fn case(&self) -> Option<&pb::Case> {
        self.handed().map(|h| &h.case)
    }

    pub fn contexts(&self) -> &'static [Context] {
        if self.form.is_some() {
            // Digits and letters type into the comment.
            &[crate::keymap::EDIT]
        } else {
            &[CONTEXT, crate::keymap::LIST]
        }
    }

    pub fn hints(&self) -> Vec<Action> {
        if self.form.is_some() {
            return vec![Action::Save, Action::Back];
        }
        let mut out = vec![Action::Back];
        if let Some(c) = self.case() {
            out.extend([Action::AskCorrection, Action::Unreachable]);
            if !c.attachments.is_empty() {
                out.push(Action::OpenAttachment);
            }
        }
        out.extend([Action::Refresh, Action::Help]);
        out
    }

    pub fn is_dirty(&self) -> bool {
        self.form
            .as_ref()
            .is_some_and(|f| !f.comment.value().trim().is_empty())
    }

    pub fn act(&mut self, a: Action, ctx: &mut Ctx) -> Vec<Command> {
        if self.form.is_some() {
            return self.form_act(a, ctx);
        }
        let attachments = self.case().map_or(0, |c| c.attachments.len());
        let page = ctx.rows.saturating_sub(8).max(1);
        match a {
            Action::Back => {
                let mut out: Vec<Command> = self.release().into_iter().collect();
                out.push(Command::Close);
                return out;
            }
            Action::Refresh => return vec![self.ask()],
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(attachments.saturating_sub(1));
            }
            Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
            Action::PageDown => self.scroll = self.scroll.saturating_add(page),
            Action::First => self.scroll = 0,
            Action::Last => self.scroll = u16::MAX,
            Action::Accept | Action::OpenAttachment => return self.open_attachment(ctx),
            _ => {
                if let (Some(outcome), Some(_)) = (Outcome::of(a), self.case()) {
                    self.form = Some(OutcomeForm {
                        outcome,
                        comment: Input::default(),
                        sending: false,
                        request_id: None,
                    });
                }
            }
        }
        Vec::new()
    }

    /// Gives the case shown back to the queue at once, so the next agent
    /// need not wait out the lease.
    pub fn release(&self) -> Option<Command> {
        self.case().map(|c| {
            Command::Send(Request::new(
                To::Feedback,
                0,
                Call::ReleaseCallBack(pb::ReleaseCallBackRequest { case_id: c.id }),
            ))
        })
    }

    fn open_attachment(&self, ctx: &Ctx) -> Vec<Command> {
        let Some(c) = self.case() else {
            return Vec::new();
        };
        let Some(a) = c.attachments.get(self.selected) else {
            return Vec::new();
        };
        vec![
            Command::Say(Tone::Info, ctx.lang.fb_opening(&a.name)),
            Command::OpenAttachment {
                to: To::Feedback,
                case_id: c.id,
                attachment: a.clone(),
            },
        ]
    }

    fn form_act(&mut self, a: Action, ctx: &mut Ctx) -> Vec<Command> {
        match a {
            Action::Save | Action::Accept => self.send(ctx),
            Action::Back => {
                self.form = None;
                Vec::new()
            }
            other => {
                if let (Some(req), Some(f)) = (edit_request(other), self.form.as_mut()) {
                    f.comment.handle(req);
                }
                Vec::new()
            }
        }
    }

    fn send(&mut self, ctx: &mut Ctx) -> Vec<Command> {
        let Some((case_id, revision)) = self.case().map(|c| (c.id, c.revision)) else {
            return Vec::new();
        };
        let Some(form) = self.form.as_mut() else {
            return Vec::new();
        };
        if form.sending {
            return vec![Command::Say(Tone::Info, ctx.lang.fb_sending().to_owned())];
        }
        if form.outcome.needs_words() && form.comment.value().trim().is_empty() {
            return vec![Command::Say(
                Tone::Warning,
                ctx.lang.fb_words_needed().to_owned(),
            )];
        }
        let request_id = form
            .request_id
            .get_or_insert_with(|| ctx.ids.next_id())
            .clone();
        let (outcome, satisfaction) = form.outcome.wire();
        form.sending = true;
        vec![
            Command::Say(Tone::Info, ctx.lang.fb_sending().to_owned()),
            Command::Send(Request::new(
                To::Feedback,
                case_id,
                Call::RecordFeedback(pb::RecordFeedbackRequest {
                    request_id,
                    case_id,
                    revision,
                    outcome: outcome.into(),
                    satisfaction,
                    // Stored as typed; the server normalises for matching.
                    note: form.comment.value().to_owned(),
                }),
            )),
        ]
    }

    pub fn edit(&mut self, req: InputRequest) -> Vec<Command> {
        if let Some(f) = self.form.as_mut() {
            f.comment.handle(req);
        }
        Vec::new()
    }

    pub fn paste(&mut self, text: &str) -> Vec<Command> {
        if let Some(f) = self.form.as_mut() {
            for c in text.chars().filter(|c| !c.is_control()) {
                f.comment.handle(InputRequest::InsertChar(c));
            }
        }
        Vec::new()
    }

    pub fn refresh(&mut self, _ctx: &Ctx) -> Vec<Command> {
        vec![self.ask()]
    }

    /// Asking the queue renews the lease, so it is asked on its own only
    /// while the agent is at work on the case: a comment field open as the
    /// lease runs out. A screen left alone lets its lease end, and the case
    /// goes to the next agent who asks.
    pub fn tick(&mut self, ctx: &Ctx) -> Vec<Command> {
        if self.asking {
            return Vec::new();
        }
        if std::mem::take(&mut self.behind) {
            return vec![self.ask()];
        }
        let until = match self.handed() {
            Some(h) if self.form.is_some() => h.lease_until_ms,
            _ => return Vec::new(),
        };
        if until - ctx.now_ms <= RENEW_BEFORE_MS && self.renewed_for != until {
            self.renewed_for = until;
            return vec![self.ask()];
        }
        Vec::new()
    }

    /// The feed. A change of the case shown reads it again; with no case
    /// shown, a case entering the call-back round is asked for. With a case
    /// held the count follows the events (asking would renew the lease of
    /// an agent who may have left); every answer of the queue sets it exact.
    pub fn feed(&mut self, news: &News, _ctx: &Ctx) -> Vec<Command> {
        let holding = self.case().map(|c| c.id);
        let ask = match news {
            News::Resynced { .. } => true,
            News::Event(e) => {
                let Some(c) = e.case.as_ref() else {
                    return Vec::new();
                };
                let kind = e
                    .event
                    .as_ref()
                    .and_then(|ev| pb::EventKind::try_from(ev.kind).ok())
                    .unwrap_or(pb::EventKind::Unspecified);
                let cb = c.call_back.unwrap_or_default();
                let enters = kind == pb::EventKind::Resolved && cb.due_ms > 0;
                let leaves = cb.resolved_at_ms > 0
                    && matches!(
                        kind,
                        pb::EventKind::Feedback
                            | pb::EventKind::Closed
                            | pb::EventKind::Reopened
                            | pb::EventKind::Unreachable
                    );
                match holding {
                    Some(id) if id == c.id => true,
                    Some(_) => {
                        if enters {
                            self.waiting = self.waiting.saturating_add(1);
                        } else if leaves {
                            // The case shown still waits.
                            self.waiting = self.waiting.saturating_sub(1).max(1);
                        }
                        false
                    }
                    None => enters || leaves,
                }
            }
        };
        if !ask {
            return Vec::new();
        }
        if self.asking {
            self.behind = true;
            return Vec::new();
        }
        vec![self.ask()]
    }

    /// The system's viewer was started on a downloaded file, or not.
    pub fn opened(&mut self, name: &str, result: Result<(), String>, ctx: &Ctx) -> Vec<Command> {
        vec![match result {
            Ok(()) => Command::Say(Tone::Success, ctx.lang.fb_opened(name)),
            Err(why) => Command::Say(Tone::Error, ctx.lang.fb_open_failed(name, &why)),
        }]
    }

    pub fn reply(&mut self, r: Reply, ctx: &mut Ctx) -> Vec<Command> {
        let generation = r.request.ticket.generation;
        match (r.request.call, r.answer) {
            (Call::NextCallBack(_), Answer::NextCallBack(res)) => {
                if generation != self.generation {
                    return Vec::new();
                }
                self.asking = false;
                let mut out = match res {
                    Ok(resp) => self.handed_now(resp, ctx),
                    Err(e) if e.is_connection() => Vec::new(),
                    Err(e) if matches!(self.queue, Loadable::Loaded(_)) => {
                        vec![Command::Say(
                            Tone::Error,
                            ctx.lang.fb_failed(&e.to_string()),
                        )]
                    }
                    Err(e) => {
                        self.queue = Loadable::Failed(ctx.lang.fb_failed(&e.to_string()));
                        Vec::new()
                    }
                };
                if std::mem::take(&mut self.behind) {
                    out.push(self.ask());
                }
                out
            }
            (Call::RecordFeedback(req), Answer::RecordFeedback(res)) => {
                self.recorded(&req, res, ctx)
            }
            _ => Vec::new(),
        }
    }

    fn handed_now(&mut self, resp: pb::NextCallBackResponse, ctx: &Ctx) -> Vec<Command> {
        self.waiting = resp.waiting;
        let before = self.case().map(|c| (c.id, c.number.clone()));
        let now = resp.r#case.map(|case| Handed {
            case,
            lease_until_ms: resp.lease_until_ms,
        });
        let mut out = Vec::new();
        let same = matches!((&before, &now), (Some((id, _)), Some(h)) if *id == h.case.id);
        if !same {
            self.selected = 0;
            self.scroll = 0;
            // The case the agent was on went elsewhere (closed or taken by
            // someone else): what was typed belonged to it.
            // An outcome of this agent's on the way moved it: its answer
            // says so in its own words.
            if let Some((_, number)) = before
                && !self.form.take().is_some_and(|f| f.sending)
            {
                out.push(Command::Say(
                    Tone::Warning,
                    ctx.lang.fb_moved_elsewhere(&number),
                ));
            }
        }
        if let Some(h) = &now {
            self.selected = self
                .selected
                .min(h.case.attachments.len().saturating_sub(1));
        }
        self.queue = Loadable::Loaded(now);
        out
    }

    fn recorded(
        &mut self,
        req: &pb::RecordFeedbackRequest,
        res: Result<pb::RecordFeedbackResponse, crate::app::RpcError>,
        ctx: &Ctx,
    ) -> Vec<Command> {
        let lang = ctx.lang;
        let ours = self
            .form
            .as_ref()
            .is_some_and(|f| f.request_id.as_deref() == Some(req.request_id.as_str()));
        if let Some(f) = self.form.as_mut().filter(|_| ours) {
            f.sending = false;
        }
        match res {
            Ok(resp) => {
                let case = resp.r#case.unwrap_or_default();
                let number = if case.number.is_empty() {
                    self.case().map(|c| c.number.clone()).unwrap_or_default()
                } else {
                    case.number.clone()
                };
                let text = match pb::FeedbackOutcome::try_from(req.outcome) {
                    Ok(pb::FeedbackOutcome::Satisfaction) => {
                        lang.fb_closed(&number, req.satisfaction)
                    }
                    Ok(pb::FeedbackOutcome::Correction) => lang.fb_reopened(&number),
                    _ if case.status == pb::CaseStatus::Closed as i32 => {
                        lang.fb_closed_unreachable(&number)
                    }
                    _ => lang.fb_again_later(&number),
                };
                if ours {
                    self.form = None;
                }
                // The next call follows on its own; nothing of the last
                // case stays to be mistaken for it.
                if self.case().is_some_and(|c| c.id == req.case_id) {
                    self.queue = Loadable::Loading;
                }
                vec![Command::Say(Tone::Success, text), self.ask()]
            }
            Err(e) => {
                if !e.is_connection()
                    && let Some(f) = self.form.as_mut().filter(|_| ours)
                {
                    // Refused, so not recorded: a new try is a new request.
                    f.request_id = None;
                }
                let (text, again) = match e.code {
                    _ if e.is_connection() => return Vec::new(),
                    tonic::Code::FailedPrecondition => (lang.fb_lease_lost().to_owned(), true),
                    tonic::Code::Aborted => (lang.fb_stale().to_owned(), true),
                    tonic::Code::NotFound => (lang.fb_not_recorded(&e.to_string()), true),
                    _ => {
                        let why = e
                            .fault
                            .as_ref()
                            .map_or_else(|| e.to_string(), |f| lang.refusal(f));
                        (lang.fb_not_recorded(&why), false)
                    }
                };
                let mut out = vec![Command::Say(Tone::Error, text)];
                if again {
                    out.push(self.ask());
                }
                out
            }
        }
    }
}
