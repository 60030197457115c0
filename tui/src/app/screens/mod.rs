//! The screens. Each owns its state, turns key actions and answers into
//! [`Command`]s without I/O, names its key tables and its key hints; `App`
//! routes to the one on top and keeps what they share ([`Ctx`]).

pub mod audit;
pub mod dashboard;
pub mod detail;
pub mod feedback;
pub mod intake;
pub mod moving;
pub mod queue;
pub mod record;
pub mod scorecards;

use crate::app::Confirm;
use crate::app::Session;
use crate::app::catalog::ClientCatalog;
use crate::app::move_form::Completion;
use crate::app::msg::{Command, Reply, To};
use crate::keymap::{Action, Context, EDIT, Keymap, LIST};
use crate::messages::Lang;
pub use audit::AuditScreen;
pub use dashboard::DashboardScreen;
use desk137_domain::clock::Millis;
use desk137_domain::sla::SlaPolicy;
pub use detail::DetailScreen;
pub use feedback::FeedbackScreen;
pub use intake::IntakeScreen;
pub use queue::QueueScreen;
pub use scorecards::ScorecardsScreen;
use tui_input::InputRequest;

/// The key tables of the screens, besides the shared ones.
pub const SCREEN_CONTEXTS: [Context; 8] = [
    intake::CONTEXT,
    queue::CONTEXT,
    detail::CONTEXT,
    audit::CONTEXT,
    crate::app::move_form::CONTEXT,
    dashboard::CONTEXT,
    scorecards::CONTEXT,
    feedback::CONTEXT,
];

/// Makes request ids unique among all clients: the session's prefix and a
/// counter.
#[derive(Debug, Clone)]
pub struct RequestIds {
    prefix: String,
    next: u64,
}

impl RequestIds {
    pub fn new(prefix: String) -> Self {
        Self { prefix, next: 1 }
    }

    pub fn next_id(&mut self) -> String {
        let id = format!("{}-{}", self.prefix, self.next);
        self.next += 1;
        id
    }
}

/// What every screen may read of the app, and the one thing it may change:
/// the request ids.
pub struct Ctx<'a> {
    pub lang: Lang,
    pub keymap: &'a Keymap,
    pub catalog: &'a ClientCatalog,
    pub session: &'a Session,
    /// The server's service levels, once it has said them.
    pub sla: Option<&'a SlaPolicy>,
    pub now_ms: Millis,
    /// The terminal's rows, for paging.
    pub rows: u16,
    pub ids: &'a mut RequestIds,
}

#[derive(Debug, Clone)]
pub enum Screen {
    /// Waiting to learn who the user is.
    Starting,
    Intake(Box<IntakeScreen>),
    Queue(Box<QueueScreen>),
    Detail(Box<DetailScreen>),
    Audit(Box<AuditScreen>),
    Dashboard(Box<DashboardScreen>),
    Scorecards(Box<ScorecardsScreen>),
    Feedback(Box<FeedbackScreen>),
}

impl Screen {
    /// Whose answers this screen takes.
    pub fn to(&self) -> Option<To> {
        match self {
            Screen::Starting => None,
            Screen::Intake(_) => Some(To::Intake),
            Screen::Queue(_) => Some(To::Queue),
            Screen::Detail(_) => Some(To::Detail),
            Screen::Audit(_) => Some(To::Audit),
            Screen::Dashboard(_) => Some(To::Dashboard),
            Screen::Scorecards(_) => Some(To::Scorecards),
            Screen::Feedback(_) => Some(To::Feedback),
        }
    }

    /// The key tables that apply, the most particular first; [global] comes
    /// after them all.
    pub fn contexts(&self) -> &'static [Context] {
        match self {
            Screen::Starting => &[LIST],
            Screen::Intake(_) => &[intake::CONTEXT, EDIT],
            Screen::Queue(s) if s.moving.is_open() => &[crate::app::move_form::CONTEXT, EDIT],
            Screen::Detail(s) if s.moving.is_open() || s.record.is_open() => {
                &[crate::app::move_form::CONTEXT, EDIT]
            }
            Screen::Queue(_) => &[queue::CONTEXT, LIST],
            Screen::Detail(_) => &[detail::CONTEXT, LIST],
            Screen::Audit(_) => &[audit::CONTEXT, EDIT],
            Screen::Dashboard(_) => &[dashboard::CONTEXT, LIST],
            Screen::Scorecards(_) => &[scorecards::CONTEXT, LIST],
            Screen::Feedback(s) => s.contexts(),
        }
    }

    /// The actions the bottom bar names, in order.
    pub fn hints(&self, session: Option<&Session>) -> Vec<Action> {
        let role = session.map(|s| s.role);
        match (self, role) {
            (Screen::Intake(_), _) => IntakeScreen::HINTS.to_vec(),
            (Screen::Queue(s), Some(role)) => s.hints(role),
            (Screen::Detail(s), Some(role)) => s.hints(role, session),
            (Screen::Audit(_), _) => AuditScreen::HINTS.to_vec(),
            (Screen::Dashboard(_), _) => DashboardScreen::HINTS.to_vec(),
            (Screen::Scorecards(s), _) => s.hints(),
            (Screen::Feedback(s), _) => s.hints(),
            _ => vec![Action::Help, Action::Quit],
        }
    }

    pub fn act(&mut self, a: Action, ctx: &mut Ctx) -> Vec<Command> {
        match self {
            Screen::Starting => Vec::new(),
            Screen::Intake(s) => s.act(a, ctx),
            Screen::Queue(s) => s.act(a, ctx),
            Screen::Detail(s) => s.act(a, ctx),
            Screen::Audit(s) => s.act(a),
            Screen::Dashboard(s) => s.act(a, ctx),
            Screen::Scorecards(s) => s.act(a, ctx),
            Screen::Feedback(s) => s.act(a, ctx),
        }
    }

    /// Text typed or pasted; only text fields take it.
    pub fn edit(&mut self, req: InputRequest, ctx: &mut Ctx) -> Vec<Command> {
        match self {
            Screen::Intake(s) => s.edit(req, ctx),
            Screen::Queue(s) => s.edit(req),
            Screen::Detail(s) => s.edit(req),
            Screen::Audit(s) => s.edit(req),
            Screen::Feedback(s) => s.edit(req),
            Screen::Starting | Screen::Dashboard(_) | Screen::Scorecards(_) => Vec::new(),
        }
    }

    pub fn paste(&mut self, text: &str, ctx: &mut Ctx) -> Vec<Command> {
        match self {
            Screen::Intake(s) => s.paste(text, ctx),
            Screen::Queue(s) => s.paste(text),
            Screen::Detail(s) => s.paste(text),
            Screen::Audit(s) => s.paste(text),
            Screen::Feedback(s) => s.paste(text),
            Screen::Starting | Screen::Dashboard(_) | Screen::Scorecards(_) => Vec::new(),
        }
    }

    /// A file of an open move form was uploaded (or refused).
    pub fn uploaded(
        &mut self,
        path: &str,
        result: Result<desk137_proto::v1::Attachment, crate::app::msg::RpcError>,
        ctx: &mut Ctx,
    ) -> Vec<Command> {
        match self {
            Screen::Queue(s) => s.moving.uploaded(path, result, ctx, To::Queue),
            Screen::Detail(s) => s.moving.uploaded(path, result, ctx, To::Detail),
            _ => Vec::new(),
        }
    }

    /// The directory entries that complete a path being typed.
    pub fn completed(&mut self, c: &Completion) -> Vec<Command> {
        match self {
            Screen::Queue(s) => s.completed(c),
            Screen::Detail(s) => s.completed(c),
            _ => Vec::new(),
        }
    }

    pub fn reply(&mut self, r: Reply, ctx: &mut Ctx) -> Vec<Command> {
        match self {
            Screen::Starting => Vec::new(),
            Screen::Intake(s) => s.reply(r, ctx),
            Screen::Queue(s) => s.reply(r, ctx),
            Screen::Detail(s) => s.reply(r, ctx),
            Screen::Audit(s) => s.reply(r),
            Screen::Dashboard(s) => s.reply(r, ctx),
            Screen::Scorecards(s) => s.reply(r),
            Screen::Feedback(s) => s.reply(r, ctx),
        }
    }

    /// The clock moved; `connected` says whether timers may call out.
    pub fn tick(&mut self, ctx: &mut Ctx, connected: bool) -> Vec<Command> {
        match self {
            Screen::Detail(s) if connected => s.tick(ctx),
            Screen::Dashboard(s) if connected => s.tick(ctx),
            Screen::Feedback(s) if connected => s.tick(ctx),
            _ => Vec::new(),
        }
    }

    /// Fetch again what the screen shows: on opening, and after a lost
    /// connection came back.
    pub fn refresh(&mut self, ctx: &mut Ctx) -> Vec<Command> {
        match self {
            Screen::Starting => Vec::new(),
            Screen::Intake(s) => s.recent.request(ctx, false).into_iter().collect(),
            Screen::Queue(s) => s.request(ctx, false).into_iter().collect(),
            Screen::Detail(s) => s.refresh(ctx),
            Screen::Audit(s) => s.act(Action::Refresh),
            Screen::Dashboard(s) => s.refresh(ctx),
            Screen::Scorecards(s) => s.refresh(ctx),
            Screen::Feedback(s) => s.refresh(ctx),
        }
    }

    /// News from the feed; every screen of the stack takes it, so a list
    /// under an open case is current when it is back on top.
    pub fn feed(&mut self, news: &crate::app::feed::News, ctx: &mut Ctx) -> Vec<Command> {
        use crate::app::feed::News;
        match self {
            Screen::Starting => Vec::new(),
            Screen::Intake(s) => match news {
                News::Resynced { .. } => s.recent.request(ctx, false).into_iter().collect(),
                News::Event(e) => {
                    if let Some(case) = e.case.as_ref() {
                        let belongs = s.recent.admits(case, ctx);
                        s.recent.apply(case, e.event.as_ref(), belongs);
                    }
                    Vec::new()
                }
            },
            Screen::Queue(s) => s.feed(news, ctx),
            Screen::Detail(s) => s.feed(news, ctx),
            Screen::Dashboard(s) => s.feed(news, ctx),
            Screen::Feedback(s) => s.feed(news, ctx),
            Screen::Audit(_) | Screen::Scorecards(_) => Vec::new(),
        }
    }

    /// A file asked for was downloaded and handed to the viewer, or not.
    pub fn opened(
        &mut self,
        name: &str,
        result: Result<(), String>,
        ctx: &mut Ctx,
    ) -> Vec<Command> {
        match self {
            Screen::Feedback(s) => s.opened(name, result, ctx),
            _ => Vec::new(),
        }
    }

    /// The catalog grew: suggestions wanted before it came may appear now.
    pub fn catalog_changed(&mut self, ctx: &mut Ctx) {
        if let Screen::Intake(s) = self {
            s.catalog_changed(ctx);
        }
    }

    /// The request that gives back a call-back this screen holds.
    pub fn release(&self) -> Option<Command> {
        match self {
            Screen::Feedback(s) => s.release(),
            _ => None,
        }
    }

    /// Something typed that leaving would lose.
    pub fn is_dirty(&self) -> bool {
        match self {
            Screen::Intake(s) => s.form.is_dirty(),
            Screen::Queue(s) => s.moving.form.as_ref().is_some_and(|f| f.is_dirty()),
            Screen::Detail(s) => {
                s.moving.form.as_ref().is_some_and(|f| f.is_dirty()) || s.record.is_dirty()
            }
            Screen::Feedback(s) => s.is_dirty(),
            Screen::Audit(_) | Screen::Starting | Screen::Dashboard(_) | Screen::Scorecards(_) => {
                false
            }
        }
    }

    /// The user said yes to a question this screen asked.
    pub fn confirmed(&mut self, what: Confirm, ctx: &mut Ctx) -> Vec<Command> {
        match (self, what) {
            (Screen::Intake(s), Confirm::Discard) => s.discard(ctx),
            _ => Vec::new(),
        }
    }
}
