//! The app: what the screens share (session, catalog, status bar, overlays,
//! connection) and `update`, the only place the state changes. `update`
//! routes keys and answers to the screen on top; it does no I/O: what it
//! wants done comes back as [`Command`]s, and the answers come in again as
//! [`Msg`]s.

pub mod allowed;
pub mod cases;
pub mod catalog;
pub mod clocks;
pub mod feed;
pub mod intake;
pub mod move_form;
pub mod msg;
pub mod rpc;
pub mod screens;
pub mod stream;

use crate::config::Calendar;
use crate::keymap::{Action, Context, Key, Keymap};
use crate::messages::Lang;
use catalog::ClientCatalog;
use crossterm::event::{KeyEvent, KeyEventKind};
use desk137_domain::access::{Rpc, may_call};
use desk137_domain::clock::Millis;
use desk137_domain::model::Role;
use desk137_domain::sla::SlaPolicy;
use desk137_proto::convert::required;
use desk137_proto::v1 as pb;
pub use msg::{Command, ListKind, Msg, Open, Reply, Request, RpcError, Ticket, To};
use rpc::{Answer, Call};
use screens::{Ctx, DetailScreen, FeedbackScreen, IntakeScreen, QueueScreen, RequestIds, Screen};
use stream::{Serving, StreamEvent, StreamItem, StreamSpec, SubId};
use tui_input::InputRequest;

/// How often a lost server is tried again.
pub const PROBE_MS: Millis = 3_000;
/// How far the demo's key moves the simulated clock.
pub const ADVANCE_MS: Millis = 3_600_000;
/// The demo server's users, one per role, in the order the role key visits
/// them; each one's token is its name.
pub const DEMO_USERS: [&str; 5] = ["agent1", "dispatcher1", "unit1", "supervisor1", "admin1"];
/// The demo user who may move the simulated clock.
pub const DEMO_ADMIN: &str = "admin1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Connected,
    Disconnected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: String,
    pub role: Role,
    pub unit_id: String,
    pub demo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub tone: Tone,
    /// Says the server is unreachable: replaced once it answers again.
    pub about_connection: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Clear a form that has unsaved text.
    Discard,
    /// Quit with unsaved text in the form.
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help { scroll: u16 },
    Confirm(Confirm),
}

/// What the settings decide before the first screen.
#[derive(Debug, Clone)]
pub struct Settings {
    pub lang: Lang,
    pub calendar: Calendar,
    pub bidi: bool,
    pub keymap: Keymap,
    /// Makes this session's request ids unique among all clients.
    pub id_prefix: String,
}

#[derive(Debug)]
pub struct App {
    pub lang: Lang,
    pub calendar: Calendar,
    pub bidi: bool,
    pub keymap: Keymap,
    pub now_ms: Millis,
    pub size: (u16, u16),
    pub connection: Connection,
    /// What the server's health watch last said; `None` before it spoke.
    pub serving: Option<Serving>,
    pub session: Option<Session>,
    /// The server's service levels, from `WhoAmI`.
    pub sla: Option<SlaPolicy>,
    pub catalog: ClientCatalog,
    /// The screens, the one on top active; never empty.
    screens: Vec<Screen>,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    ids: RequestIds,
    next_probe_ms: Millis,
    /// Open a case by number: what is typed so far, while the box is open.
    pub finder: Option<tui_input::Input>,
    /// The server's clock less this machine's: a demo server on a
    /// simulated clock runs ahead, and the countdowns follow it.
    pub clock_offset_ms: Millis,
    /// The demo user signed in, when the demo lets the role change.
    pub demo_user: Option<String>,
    /// Signing in as another demo user: its status line ends once in.
    switching: bool,
    /// Raised by each change of demo user; see [`Ticket::epoch`].
    epoch: u64,
    /// Where the event feed stands.
    pub feed: feed::Feed,
}

impl Field {
    pub fn label(self, lang: Lang) -> &'static str {
        let l = lang.labels();
        match self {
            Field::Phone => l.phone,
            Field::Description => l.description,
            Field::Topic => l.topic,
            Field::Region => l.region,
            Field::Address => l.address,
            Field::Landmark => l.landmark,
        }
    }
}

use intake::Field;

/// The first screen of each role.
fn home_screen(role: Role, ctx: &mut Ctx) -> Screen {
    match role {
        Role::Agent | Role::Admin => Screen::Intake(Box::new(IntakeScreen::new(ctx))),
        Role::Dispatcher => Screen::Queue(Box::new(QueueScreen::new(ListKind::UrgentOpen))),
        Role::Unit => Screen::Queue(Box::new(QueueScreen::new(ListKind::UnitQueue))),
        Role::Supervisor => Screen::Dashboard(Box::default()),
        // The portal's token has no staff screen: `who_am_i` refuses it
        // before a home screen is asked for, so this stays the start.
        Role::Portal => Screen::Starting,
    }
}

impl App {
    pub fn new(settings: Settings, now_ms: Millis) -> Self {
        Self {
            lang: settings.lang,
            calendar: settings.calendar,
            bidi: settings.bidi,
            keymap: settings.keymap,
            now_ms,
            size: (80, 24),
            connection: Connection::Connecting,
            serving: None,
            session: None,
            sla: None,
            catalog: ClientCatalog::default(),
            screens: vec![Screen::Starting],
            overlay: None,
            status: None,
            ids: RequestIds::new(settings.id_prefix),
            next_probe_ms: now_ms + PROBE_MS,
            finder: None,
            clock_offset_ms: 0,
            demo_user: None,
            switching: false,
            epoch: 0,
            feed: feed::Feed::default(),
        }
    }

    /// The calls that open a session.
    pub fn start(&mut self) -> Vec<Command> {
        [
            Call::WhoAmI(pb::WhoAmIRequest {}),
            Call::ListTopics(pb::ListTopicsRequest {}),
            Call::ListUnits(pb::ListUnitsRequest {}),
            Call::ListRegions(pb::ListRegionsRequest {}),
        ]
        .into_iter()
        .map(|c| Command::Send(Request::new(To::App, 0, c)))
        .collect()
    }

    /// The screen on top, the one keys go to.
    pub fn screen(&self) -> &Screen {
        self.screens.last().unwrap_or(&Screen::Starting)
    }

    pub fn screen_mut(&mut self) -> &mut Screen {
        if self.screens.is_empty() {
            self.screens.push(Screen::Starting);
        }
        let top = self.screens.len() - 1;
        &mut self.screens[top]
    }

    /// The screens from the bottom up.
    pub fn screens(&self) -> &[Screen] {
        &self.screens
    }

    /// The key tables that apply now, besides [global].
    pub fn key_contexts(&self) -> &'static [Context] {
        match self.overlay {
            Some(_) => &[crate::keymap::LIST],
            None if self.finder.is_some() => &[crate::keymap::EDIT],
            None => self.screen().contexts(),
        }
    }

    /// The actions the bottom bar names now.
    pub fn hints(&self) -> Vec<Action> {
        match self.overlay {
            Some(Overlay::Help { .. }) => vec![Action::Back, Action::Quit],
            Some(Overlay::Confirm(_)) => vec![Action::Accept, Action::Back],
            None if self.finder.is_some() => vec![Action::Accept, Action::Back],
            None => {
                let mut out = self.screen().hints(self.session.as_ref());
                if self.session.as_ref().is_some_and(|s| s.demo) {
                    out.extend([Action::SwitchRole, Action::AdvanceClock]);
                }
                out.push(Action::Quit);
                out.dedup();
                out
            }
        }
    }

    pub fn form(&self) -> Option<&intake::Intake> {
        match self.screen() {
            Screen::Intake(s) => Some(&s.form),
            _ => None,
        }
    }

    /// The call-backs held on the screens, given back to the queue so the
    /// next agent need not wait out the lease.
    fn releases(&self) -> Vec<Command> {
        self.screens.iter().filter_map(Screen::release).collect()
    }

    /// Quitting: the leases go back first; the loop sends them before it ends.
    fn leaving(&self) -> Vec<Command> {
        let mut out = self.releases();
        out.push(Command::Quit);
        out
    }

    fn is_dirty(&self) -> bool {
        self.screens.iter().any(Screen::is_dirty)
    }

    fn say(&mut self, tone: Tone, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            tone,
            about_connection: false,
        });
    }

    fn lost_connection(&mut self, text: String) {
        if self.connection != Connection::Disconnected {
            self.next_probe_ms = self.now_ms + PROBE_MS;
        }
        self.connection = Connection::Disconnected;
        self.status = Some(Status {
            text,
            tone: Tone::Error,
            about_connection: true,
        });
    }

    /// Runs `f` on screen `at` with what the screens share, then settles
    /// the commands it gave.
    fn with_screen(
        &mut self,
        at: usize,
        f: impl FnOnce(&mut Screen, &mut Ctx) -> Vec<Command>,
    ) -> Vec<Command> {
        let Some(session) = self.session.clone() else {
            return Vec::new();
        };
        let Some(screen) = self.screens.get_mut(at) else {
            return Vec::new();
        };
        let mut ctx = Ctx {
            lang: self.lang,
            keymap: &self.keymap,
            catalog: &self.catalog,
            session: &session,
            sla: self.sla.as_ref(),
            now_ms: self.now_ms,
            rows: self.size.1,
            ids: &mut self.ids,
        };
        let out = f(screen, &mut ctx);
        self.settle(out)
    }

    fn on_top(&mut self, f: impl FnOnce(&mut Screen, &mut Ctx) -> Vec<Command>) -> Vec<Command> {
        self.with_screen(self.screens.len().saturating_sub(1), f)
    }

    /// Does what a screen asked of the app; returns what goes outside.
    fn settle(&mut self, commands: Vec<Command>) -> Vec<Command> {
        let mut out = Vec::new();
        for c in commands {
            match c {
                Command::Say(tone, text) => self.say(tone, text),
                Command::Unsay => self.status = None,
                Command::Lost(text) => self.lost_connection(text),
                Command::Ask(what) => self.overlay = Some(Overlay::Confirm(what)),
                Command::Open(Open::Audit) => {
                    let (screen, first) = screens::AuditScreen::open();
                    self.screens.push(Screen::Audit(Box::new(screen)));
                    out.push(first);
                }
                Command::Open(Open::Scorecards) => {
                    self.screens.push(Screen::Scorecards(Box::default()));
                    out.extend(self.on_top(Screen::refresh));
                }
                Command::Open(how) => {
                    let (screen, get) = match how {
                        Open::Detail { id, number } => DetailScreen::open(id, number),
                        Open::Number(typed) => DetailScreen::open_number(&typed),
                        Open::Audit | Open::Scorecards => continue,
                        Open::Feedback => {
                            let (screen, first) = FeedbackScreen::open();
                            self.screens.push(Screen::Feedback(Box::new(screen)));
                            out.push(first);
                            continue;
                        }
                        Open::Cases(filter) => {
                            self.screens
                                .push(Screen::Queue(Box::new(QueueScreen::drilled(filter))));
                            out.extend(self.on_top(Screen::refresh));
                            continue;
                        }
                    };
                    self.screens.push(Screen::Detail(Box::new(screen)));
                    out.push(get);
                }
                Command::Close => {
                    if self.screens.len() > 1 {
                        self.screens.pop();
                        // What was done on the case shows on the list under it.
                        out.extend(self.on_top(Screen::refresh));
                    }
                }
                outside => out.push(outside),
            }
        }
        out
    }
}

pub fn update(app: &mut App, msg: Msg) -> Vec<Command> {
    let mut out = route(app, msg);
    // Whatever goes out carries the sign-in it belongs to.
    for c in &mut out {
        if let Command::Send(r) | Command::SendAs { request: r, .. } = c {
            r.ticket.epoch = app.epoch;
        }
    }
    out
}

fn route(app: &mut App, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Key(ev) => app.key(ev),
        Msg::Paste(text) => app.paste(&text),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::Tick(now) => app.tick(now),
        Msg::Reply(r) => app.reply(*r),
        Msg::Stream { id, event } => app.stream(id, event),
        Msg::Uploaded { to, path, result } => {
            match app.screens.iter().rposition(|s| s.to() == Some(to)) {
                Some(at) => app.with_screen(at, |s, ctx| s.uploaded(&path, result, ctx)),
                None => Vec::new(),
            }
        }
        Msg::Opened { to, name, result } => {
            match app.screens.iter().rposition(|s| s.to() == Some(to)) {
                Some(at) => app.with_screen(at, |s, ctx| s.opened(&name, result, ctx)),
                None => Vec::new(),
            }
        }
        Msg::Completed { to, completion } => {
            match app.screens.iter().rposition(|s| s.to() == Some(to)) {
                Some(at) => app.with_screen(at, |s, _| s.completed(&completion)),
                None => Vec::new(),
            }
        }
    }
}

impl App {
    fn key(&mut self, ev: KeyEvent) -> Vec<Command> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let action = Key::from_event(&ev).and_then(|k| self.keymap.action(self.key_contexts(), k));
        if let Some(overlay) = self.overlay {
            return self.overlay_key(overlay, action);
        }
        if self.finder.is_some() {
            return self.finder_key(action, Key::typed_char(&ev));
        }
        match action {
            Some(a) => self.act(a),
            None => match Key::typed_char(&ev) {
                Some(c) => self.on_top(|s, ctx| s.edit(InputRequest::InsertChar(c), ctx)),
                None => Vec::new(),
            },
        }
    }

    fn paste(&mut self, text: &str) -> Vec<Command> {
        if self.overlay.is_some() {
            return Vec::new();
        }
        if let Some(f) = self.finder.as_mut() {
            for c in text.chars().filter(|c| !c.is_control()) {
                f.handle(InputRequest::InsertChar(c));
            }
            return Vec::new();
        }
        self.on_top(|s, ctx| s.paste(text, ctx))
    }

    fn overlay_key(&mut self, overlay: Overlay, action: Option<Action>) -> Vec<Command> {
        match overlay {
            Overlay::Help { scroll } => {
                let scroll = match action {
                    Some(Action::Help | Action::Back) => {
                        self.overlay = None;
                        return Vec::new();
                    }
                    Some(Action::Quit) => {
                        self.overlay = None;
                        return self.act(Action::Quit);
                    }
                    Some(Action::Up) => scroll.saturating_sub(1),
                    Some(Action::Down) => scroll.saturating_add(1),
                    Some(Action::PageUp) => scroll.saturating_sub(10),
                    Some(Action::PageDown) => scroll.saturating_add(10),
                    Some(Action::First) => 0,
                    Some(Action::Last) => u16::MAX,
                    _ => scroll,
                };
                self.overlay = Some(Overlay::Help { scroll });
                Vec::new()
            }
            Overlay::Confirm(what) => {
                let yes = matches!(
                    (what, action),
                    (_, Some(Action::Accept))
                        | (Confirm::Discard, Some(Action::NewCall))
                        | (Confirm::Quit, Some(Action::Quit))
                );
                if yes {
                    self.overlay = None;
                    return match what {
                        Confirm::Quit => self.leaving(),
                        other => self.on_top(|s, ctx| s.confirmed(other, ctx)),
                    };
                }
                if action == Some(Action::Back) {
                    self.overlay = None;
                    self.say(Tone::Info, self.lang.labels().kept);
                }
                Vec::new()
            }
        }
    }

    fn act(&mut self, a: Action) -> Vec<Command> {
        match a {
            Action::Quit => {
                if self.is_dirty() {
                    self.overlay = Some(Overlay::Confirm(Confirm::Quit));
                    Vec::new()
                } else {
                    self.leaving()
                }
            }
            Action::Help => {
                self.overlay = Some(Overlay::Help { scroll: 0 });
                Vec::new()
            }
            Action::OpenNumber if self.session.is_some() => {
                self.finder = Some(tui_input::Input::default());
                Vec::new()
            }
            // The policy's rule, ahead of the server's: the log is for
            // those who answer for the center.
            Action::OpenAudit
                if self
                    .session
                    .as_ref()
                    .is_some_and(|s| matches!(s.role, Role::Supervisor | Role::Admin)) =>
            {
                self.settle(vec![Command::Open(Open::Audit)])
            }
            Action::OpenFeedback if !matches!(self.screen(), Screen::Feedback(_)) => {
                let role = self.session.as_ref().map(|s| s.role);
                // The policy's rule, ahead of the server's.
                if role.is_some_and(|r| may_call(r, Rpc::NextCallBack)) {
                    self.settle(vec![Command::Open(Open::Feedback)])
                } else {
                    self.say(Tone::Warning, self.lang.fb_not_for_role());
                    Vec::new()
                }
            }
            Action::SwitchRole => self.switch_role(),
            Action::AdvanceClock => self.advance_clock(),
            _ => self.on_top(|s, ctx| s.act(a, ctx)),
        }
    }

    /// A key while the case-number box is open.
    fn finder_key(&mut self, action: Option<Action>, typed: Option<char>) -> Vec<Command> {
        let Some(input) = self.finder.as_mut() else {
            return Vec::new();
        };
        match action {
            Some(Action::Back) => self.finder = None,
            Some(Action::Quit) => {
                self.finder = None;
                return self.act(Action::Quit);
            }
            Some(Action::Accept) => {
                let typed = input.value().trim().to_owned();
                if typed.is_empty() {
                    return Vec::new();
                }
                self.finder = None;
                return self.settle(vec![Command::Open(Open::Number(typed))]);
            }
            Some(a) => {
                if let Some(req) = screens::intake::edit_request(a) {
                    input.handle(req);
                }
            }
            None => {
                if let Some(c) = typed {
                    input.handle(InputRequest::InsertChar(c));
                }
            }
        }
        Vec::new()
    }

    fn is_demo(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.demo) && self.demo_user.is_some()
    }

    /// Demo only: sign in as the next demo user and start that role's screens.
    fn switch_role(&mut self) -> Vec<Command> {
        if !self.is_demo() {
            self.say(Tone::Warning, self.lang.demo_only());
            return Vec::new();
        }
        // Signing in again would lose what is typed: it is never dropped
        // without asking, so the role waits until the form is sent or cleared.
        if self.is_dirty() {
            self.say(Tone::Warning, self.lang.switch_blocked());
            return Vec::new();
        }
        // Given back while still signed in as the one who holds it.
        let released = self.releases();
        let current = self.demo_user.clone().unwrap_or_default();
        let at = DEMO_USERS.iter().position(|u| *u == current).unwrap_or(0);
        let next = DEMO_USERS[(at + 1) % DEMO_USERS.len()].to_owned();
        self.demo_user = Some(next.clone());
        self.session = None;
        self.screens = vec![Screen::Starting];
        self.say(Tone::Info, self.lang.switching_to(&next));
        self.switching = true;
        self.epoch += 1;
        // The next user's view of the feed is another one: from the start.
        self.feed.reset();
        let mut out = released;
        out.push(Command::SwitchUser(next));
        out.extend(self.start());
        out
    }

    /// Demo only: the simulated clock one step on, asked as the demo admin.
    fn advance_clock(&mut self) -> Vec<Command> {
        if !self.is_demo() {
            self.say(Tone::Warning, self.lang.demo_only());
            return Vec::new();
        }
        vec![Command::SendAs {
            user: DEMO_ADMIN.to_owned(),
            request: Request::new(
                To::App,
                0,
                Call::Advance(pb::AdvanceRequest { ms: ADVANCE_MS }),
            ),
        }]
    }

    fn tick(&mut self, now: Millis) -> Vec<Command> {
        // The feed's silence is measured on this machine's clock: the demo's
        // clock key moves the server's time, not the stream's.
        self.feed.tick(now);
        let now = now + self.clock_offset_ms;
        self.now_ms = now;
        let mut out = Vec::new();
        if self.connection == Connection::Disconnected && now >= self.next_probe_ms {
            self.next_probe_ms = now + PROBE_MS;
            out.push(Command::Send(Request::new(
                To::App,
                0,
                Call::WhoAmI(pb::WhoAmIRequest {}),
            )));
        }
        let connected = self.connection == Connection::Connected;
        out.extend(self.on_top(|s, ctx| s.tick(ctx, connected)));
        out
    }

    /// The server answers: mark it reached (or lost), then hand the answer
    /// to whoever asked.
    fn reached(&mut self, ok: bool) -> Vec<Command> {
        if !ok || self.connection == Connection::Connected {
            return Vec::new();
        }
        let was_lost = self.connection == Connection::Disconnected;
        self.connection = Connection::Connected;
        if was_lost {
            self.reconnected()
        } else {
            Vec::new()
        }
    }

    fn reply(&mut self, r: Reply) -> Vec<Command> {
        if r.request.ticket.epoch != self.epoch {
            return Vec::new();
        }
        // Any answer, a refusal too, proves the server is reachable again.
        let lost = r.error().is_some_and(RpcError::is_connection);
        let mut out = self.reached(!lost);
        if lost {
            self.lost_connection(self.lang.labels().no_connection.to_owned());
        }
        match r.request.ticket.to {
            To::App => out.extend(self.app_reply(r)),
            to => {
                // The screen that asked, wherever it is in the stack: a list
                // under an open case still takes its pages.
                if let Some(at) = self.screens.iter().rposition(|s| s.to() == Some(to)) {
                    out.extend(self.with_screen(at, |s, ctx| s.reply(r, ctx)));
                }
            }
        }
        out
    }

    fn app_reply(&mut self, r: Reply) -> Vec<Command> {
        match r.answer {
            Answer::WhoAmI(res) => self.who_am_i(res),
            Answer::ListTopics(res) => {
                self.catalog_part(res.map(|r| r.topics), ClientCatalog::set_topics)
            }
            Answer::ListUnits(res) => {
                self.catalog_part(res.map(|r| r.units), ClientCatalog::set_units)
            }
            Answer::ListRegions(res) => {
                self.catalog_part(res.map(|r| r.regions), ClientCatalog::set_regions)
            }
            Answer::Advance(res) => match res {
                Ok(r) => {
                    self.follow_server_clock(r.now_ms);
                    let when = crate::timefmt::datetime(r.now_ms, self.calendar, self.lang);
                    self.say(Tone::Success, self.lang.clock_moved(&when));
                    self.on_top(Screen::refresh)
                }
                Err(e) => {
                    self.say(Tone::Error, self.lang.clock_not_moved(&e.to_string()));
                    Vec::new()
                }
            },
            _ => Vec::new(),
        }
    }

    fn stream(&mut self, id: SubId, event: StreamEvent) -> Vec<Command> {
        if id == stream::FEED {
            return self.feed_news(event);
        }
        if id != stream::HEALTH {
            return Vec::new();
        }
        match event {
            StreamEvent::Item(StreamItem::Health(serving)) => {
                self.serving = Some(serving);
                self.reached(true)
            }
            StreamEvent::Item(StreamItem::Feed(_)) => Vec::new(),
            StreamEvent::Reconnecting { error, .. } => {
                self.serving = None;
                // A save that failed has said more than this; keep its words.
                if error.is_connection() && self.connection != Connection::Disconnected {
                    self.lost_connection(self.lang.labels().no_connection.to_owned());
                }
                Vec::new()
            }
            StreamEvent::Ended { .. } => Vec::new(),
        }
    }

    /// An item of the feed, or its break: the feed's state follows, and
    /// every screen of the stack takes the news.
    fn feed_news(&mut self, event: StreamEvent) -> Vec<Command> {
        if self.session.is_none() {
            return Vec::new();
        }
        match event {
            StreamEvent::Item(StreamItem::Feed(item)) => {
                let local = self.now_ms - self.clock_offset_ms;
                let Some(news) = self.feed.item(*item, local) else {
                    return Vec::new();
                };
                let mut out = self.reached(true);
                for at in 0..self.screens.len() {
                    out.extend(self.with_screen(at, |s, ctx| s.feed(&news, ctx)));
                }
                out
            }
            StreamEvent::Item(StreamItem::Health(_)) => Vec::new(),
            StreamEvent::Reconnecting { error, .. } => {
                tracing::debug!(code = ?error.code, "the feed reconnects");
                self.feed.broke();
                Vec::new()
            }
            StreamEvent::Ended { .. } => {
                self.feed.broke();
                Vec::new()
            }
        }
    }

    /// The countdowns run on the demo server's (simulated) time.
    fn follow_server_clock(&mut self, server_ms: Millis) {
        if server_ms > 0 {
            let local = self.now_ms - self.clock_offset_ms;
            self.clock_offset_ms = server_ms - local;
            self.now_ms = server_ms;
        }
    }

    /// The server answers again: fetch what was missed.
    fn reconnected(&mut self) -> Vec<Command> {
        if self.status.as_ref().is_some_and(|s| s.about_connection) {
            self.say(Tone::Success, self.lang.labels().reconnected);
        }
        let mut out = Vec::new();
        if self.session.is_some() {
            let ask = |c| Command::Send(Request::new(To::App, 0, c));
            if !self.catalog.has_topics() {
                out.push(ask(Call::ListTopics(pb::ListTopicsRequest {})));
            }
            if !self.catalog.is_complete() {
                out.push(ask(Call::ListUnits(pb::ListUnitsRequest {})));
                out.push(ask(Call::ListRegions(pb::ListRegionsRequest {})));
            }
            out.extend(self.on_top(Screen::refresh));
        }
        out
    }

    fn catalog_part<T>(
        &mut self,
        res: Result<T, RpcError>,
        set: fn(&mut ClientCatalog, T) -> usize,
    ) -> Vec<Command> {
        match res {
            Ok(v) => {
                let skipped = set(&mut self.catalog, v);
                if skipped > 0 {
                    self.say(Tone::Warning, self.lang.catalog_skipped(skipped));
                }
                self.on_top(|s, ctx| {
                    s.catalog_changed(ctx);
                    Vec::new()
                })
            }
            Err(e) if e.is_connection() => Vec::new(),
            Err(e) => {
                self.say(Tone::Error, self.lang.catalog_failed(&e.to_string()));
                Vec::new()
            }
        }
    }

    fn who_am_i(&mut self, res: Result<pb::WhoAmIResponse, RpcError>) -> Vec<Command> {
        let who = match res {
            Ok(who) => who,
            Err(e) if e.is_connection() => return Vec::new(),
            // Every member of staff may ask who they are; a token refused
            // that is the portal's, which speaks for citizens elsewhere.
            Err(e) if e.code == tonic::Code::PermissionDenied => {
                self.say(Tone::Error, self.lang.no_staff_screen().to_owned());
                return Vec::new();
            }
            Err(e) => {
                self.say(Tone::Error, self.lang.no_access(&e.to_string()));
                return Vec::new();
            }
        };
        if self.session.is_some() {
            return Vec::new();
        }
        // A role this client does not know opens no screen: guessing one
        // could show a person what they may not see.
        let role: Role = match required("role", who.role) {
            Ok(r) => r,
            Err(e) => {
                let why = self.lang.refusal(&msg::FieldFault::from(&e));
                self.say(Tone::Error, self.lang.no_access(&why));
                return Vec::new();
            }
        };
        if role == Role::Portal {
            self.say(Tone::Error, self.lang.no_staff_screen().to_owned());
            return Vec::new();
        }
        self.sla = match who.sla.as_ref().map(SlaPolicy::try_from).transpose() {
            Ok(sla) => sla,
            Err(e) => {
                tracing::warn!(error = %e, "the server's service levels are unreadable");
                None
            }
        };
        if who.demo && self.demo_user.is_some() {
            self.follow_server_clock(who.server_time_ms);
        }
        if std::mem::take(&mut self.switching) {
            self.status = None;
        }
        self.session = Some(Session {
            user: who.user,
            role,
            unit_id: who.unit_id,
            demo: who.demo,
        });
        let local = self.now_ms - self.clock_offset_ms;
        let after_seq = self.feed.open(local);
        let mut out = vec![
            Command::Subscribe {
                id: stream::HEALTH,
                stream: StreamSpec::Health,
            },
            Command::Subscribe {
                id: stream::FEED,
                stream: StreamSpec::Feed { after_seq },
            },
            Command::Send(Request::new(To::App, 0, Call::SignIn(pb::SignInRequest {}))),
        ];
        let home = self.on_top(|s, ctx| {
            *s = home_screen(role, ctx);
            s.refresh(ctx)
        });
        out.extend(home);
        out
    }
}

#[cfg(test)]
mod dashboard_tests;
#[cfg(test)]
mod feedback_tests;
#[cfg(test)]
mod move_tests;
#[cfg(test)]
mod scorecard_tests;
#[cfg(test)]
pub(crate) mod tests;
