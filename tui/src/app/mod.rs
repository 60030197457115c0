//! The model of every screen and `update`, the only place it changes. Update
//! does no I/O: what it wants done comes back as [`Command`]s, and the
//! answers come in again as [`Msg`]s.

pub mod cases;
pub mod catalog;
pub mod intake;
pub mod msg;

use crate::config::Calendar;
use crate::keymap::{Action, Context, Key, Keymap};
use crate::messages::Lang;
use cases::{CaseList, Detail, Queue};
use catalog::ClientCatalog;
use crossterm::event::{KeyEvent, KeyEventKind};
use desk137_domain::clock::Millis;
use desk137_domain::model::{Role, Urgency};
use desk137_proto::v1 as pb;
use intake::{Effect, Field, Intake, LeaveWarning, Loadable};
pub use msg::{Command, ListKind, Msg, Reply, Request, RpcError};
use tui_input::InputRequest;

/// How often a lost server is tried again.
pub const PROBE_MS: Millis = 3_000;
/// How often a read-only queue refreshes itself.
pub const QUEUE_REFRESH_MS: Millis = 30_000;

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

#[derive(Debug, Clone)]
pub enum Screen {
    /// Waiting to learn who the user is.
    Starting,
    Intake {
        form: Box<Intake>,
        recent: CaseList,
    },
    Queue(Box<Queue>),
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
    pub session: Option<Session>,
    pub catalog: ClientCatalog,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    id_prefix: String,
    next_id: u64,
    next_probe_ms: Millis,
}

fn role_from_pb(r: i32) -> Option<Role> {
    Some(match pb::Role::try_from(r).ok()? {
        pb::Role::Agent => Role::Agent,
        pb::Role::Dispatcher => Role::Dispatcher,
        pb::Role::Unit => Role::Unit,
        pb::Role::Supervisor => Role::Supervisor,
        pb::Role::Admin => Role::Admin,
        pb::Role::Unspecified => return None,
    })
}

fn edit_request(a: Action) -> Option<InputRequest> {
    Some(match a {
        Action::CharLeft => InputRequest::GoToPrevChar,
        Action::CharRight => InputRequest::GoToNextChar,
        Action::WordLeft => InputRequest::GoToPrevWord,
        Action::WordRight => InputRequest::GoToNextWord,
        Action::LineStart => InputRequest::GoToStart,
        Action::LineEnd => InputRequest::GoToEnd,
        Action::DeleteCharBack => InputRequest::DeletePrevChar,
        Action::DeleteCharForward => InputRequest::DeleteNextChar,
        Action::DeleteWordBack => InputRequest::DeletePrevWord,
        Action::DeleteWordForward => InputRequest::DeleteNextWord,
        Action::DeleteToStart => InputRequest::DeleteFromStart,
        Action::DeleteToEnd => InputRequest::DeleteTillEnd,
        Action::Yank => InputRequest::Yank,
        _ => return None,
    })
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
            session: None,
            catalog: ClientCatalog::default(),
            screen: Screen::Starting,
            overlay: None,
            status: None,
            id_prefix: settings.id_prefix,
            next_id: 1,
            next_probe_ms: now_ms + PROBE_MS,
        }
    }

    /// The calls that open a session.
    pub fn start(&mut self) -> Vec<Command> {
        [
            Request::WhoAmI,
            Request::ListTopics,
            Request::ListUnits,
            Request::ListRegions,
        ]
        .into_iter()
        .map(Command::Send)
        .collect()
    }

    fn new_request_id(&mut self) -> String {
        let id = format!("{}-{}", self.id_prefix, self.next_id);
        self.next_id += 1;
        id
    }

    /// The keymap table that applies now, besides [global].
    pub fn key_context(&self) -> Context {
        match (&self.screen, self.overlay) {
            (Screen::Intake { .. }, None) => Context::Edit,
            _ => Context::List,
        }
    }

    pub fn form(&self) -> Option<&Intake> {
        match &self.screen {
            Screen::Intake { form, .. } => Some(form),
            _ => None,
        }
    }

    fn is_dirty(&self) -> bool {
        self.form().is_some_and(Intake::is_dirty)
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

    fn user_and_unit(&self) -> (String, String) {
        self.session
            .as_ref()
            .map(|s| (s.user.clone(), s.unit_id.clone()))
            .unwrap_or_default()
    }

    fn list_request(&mut self, append: bool) -> Vec<Command> {
        let (user, unit) = self.user_and_unit();
        let now = self.now_ms;
        let list = match &mut self.screen {
            Screen::Intake { recent, .. } => recent,
            Screen::Queue(q) => &mut q.list,
            Screen::Starting => return Vec::new(),
        };
        list.request(&user, &unit, append, now)
            .map(Command::Send)
            .into_iter()
            .collect()
    }
}

pub fn update(app: &mut App, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Key(ev) => app.key(ev),
        Msg::Paste(text) => app.paste(&text),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::Tick(now) => app.tick(now),
        Msg::Reply(r) => app.reply(*r),
    }
}

impl App {
    fn key(&mut self, ev: KeyEvent) -> Vec<Command> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let action = Key::from_event(&ev).and_then(|k| self.keymap.action(self.key_context(), k));
        if let Some(overlay) = self.overlay {
            return self.overlay_key(overlay, action);
        }
        match action {
            Some(a) => self.act(a),
            None => match Key::typed_char(&ev) {
                Some(c) => self.edit(InputRequest::InsertChar(c)),
                None => Vec::new(),
            },
        }
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
                        Confirm::Discard => {
                            self.clear_form();
                            self.say(Tone::Info, self.lang.labels().cleared);
                            Vec::new()
                        }
                        Confirm::Quit => vec![Command::Quit],
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
                    vec![Command::Quit]
                }
            }
            Action::Help => {
                self.overlay = Some(Overlay::Help { scroll: 0 });
                Vec::new()
            }
            _ => match self.screen {
                Screen::Intake { .. } => self.intake_act(a),
                Screen::Queue(_) => self.queue_act(a),
                Screen::Starting => Vec::new(),
            },
        }
    }

    fn clear_form(&mut self) {
        let id = self.new_request_id();
        if let Screen::Intake { form, .. } = &mut self.screen {
            **form = Intake::new(id);
        }
    }

    fn intake_act(&mut self, a: Action) -> Vec<Command> {
        let lang = self.lang;
        let Screen::Intake { form, .. } = &mut self.screen else {
            return Vec::new();
        };
        if let Some(req) = edit_request(a) {
            return self.edit(req);
        }
        match a {
            Action::NewCall => {
                if form.saving {
                    self.say(Tone::Warning, lang.labels().wait_for_save);
                } else if form.is_dirty() {
                    self.overlay = Some(Overlay::Confirm(Confirm::Discard));
                } else {
                    self.clear_form();
                    self.status = None;
                }
                Vec::new()
            }
            Action::Save => self.save(),
            Action::ToggleUrgent => {
                if form.saving {
                    self.say(Tone::Warning, lang.labels().wait_for_save);
                    return Vec::new();
                }
                match form.toggle_urgent(&self.catalog) {
                    Ok(Urgency::Urgent) => self.say(Tone::Warning, lang.labels().urgent_on),
                    Ok(Urgency::Normal) => self.say(Tone::Info, lang.labels().urgent_off),
                    Err(intake::InformationalNotUrgent) => {
                        self.say(Tone::Error, lang.labels().informational_not_urgent)
                    }
                }
                Vec::new()
            }
            Action::NextField => {
                let to = form.focus.next();
                self.focus(to)
            }
            Action::PrevField => {
                let to = form.focus.prev();
                self.focus(to)
            }
            Action::Down | Action::Up => {
                let down = a == Action::Down;
                if form.move_selection(down) {
                    return Vec::new();
                }
                let to = if down {
                    form.focus.next()
                } else {
                    form.focus.prev()
                };
                self.focus(to)
            }
            Action::Accept => {
                if form.saving {
                    return Vec::new();
                }
                if form.pick(&self.catalog) {
                    return Vec::new();
                }
                if form.focus == Field::Landmark {
                    let hint = self
                        .keymap
                        .hint(Context::Edit, Action::Save)
                        .map(|k| format!("{k}: {}", Action::Save.help(lang)))
                        .unwrap_or_default();
                    self.say(Tone::Info, hint);
                    return Vec::new();
                }
                let to = form.focus.next();
                self.focus(to)
            }
            Action::Back => {
                if form.suggestions.is_open() {
                    form.suggestions.close();
                } else {
                    self.status = None;
                }
                Vec::new()
            }
            Action::Refresh => self.list_request(false),
            _ => Vec::new(),
        }
    }

    fn focus(&mut self, to: Field) -> Vec<Command> {
        let lang = self.lang;
        let Screen::Intake { form, .. } = &mut self.screen else {
            return Vec::new();
        };
        if let Some(LeaveWarning::Phone(reason)) = form.focus_on(to, &self.catalog) {
            self.say(Tone::Warning, lang.bad_phone(&lang.reason(&reason)));
        }
        Vec::new()
    }

    fn edit(&mut self, req: InputRequest) -> Vec<Command> {
        let Screen::Intake { form, .. } = &mut self.screen else {
            return Vec::new();
        };
        if form.saving {
            self.say(Tone::Warning, self.lang.labels().wait_for_save);
            return Vec::new();
        }
        let effects = form.edit(req, &self.catalog);
        effects_to_commands(effects)
    }

    fn paste(&mut self, text: &str) -> Vec<Command> {
        if self.overlay.is_some() {
            return Vec::new();
        }
        let Screen::Intake { form, .. } = &mut self.screen else {
            return Vec::new();
        };
        if form.saving {
            self.say(Tone::Warning, self.lang.labels().wait_for_save);
            return Vec::new();
        }
        effects_to_commands(form.paste(text, &self.catalog))
    }

    fn save(&mut self) -> Vec<Command> {
        let lang = self.lang;
        let Screen::Intake { form, .. } = &mut self.screen else {
            return Vec::new();
        };
        if form.saving {
            self.say(Tone::Warning, lang.labels().wait_for_save);
            return Vec::new();
        }
        match form.request(&self.catalog) {
            Ok(req) => {
                form.saving = true;
                self.say(Tone::Info, lang.labels().saving);
                vec![Command::Send(Request::CreateCase(req))]
            }
            Err(e) => {
                self.refuse(e.field, &e.detail);
                Vec::new()
            }
        }
    }

    /// A save the rules refused: say why and put the cursor where the fix is.
    fn refuse(&mut self, field_name: &str, reason: &str) {
        let lang = self.lang;
        let Screen::Intake { form, .. } = &mut self.screen else {
            return;
        };
        let field = Field::from_error_name(field_name);
        let text = match field {
            Some(Field::Topic)
                if form.topic.is_none() && !form.value(Field::Topic).trim().is_empty() =>
            {
                lang.labels().pick_topic_first.to_owned()
            }
            Some(f) => format!("{}: {}", f.label(lang), lang.reason(reason)),
            None if field_name.is_empty() => reason.to_owned(),
            None => format!("{field_name}: {reason}"),
        };
        if let Some(f) = field {
            form.focus_on(f, &self.catalog);
        }
        self.say(Tone::Error, lang.not_saved(&text));
    }

    fn queue_act(&mut self, a: Action) -> Vec<Command> {
        let page = (self.size.1 as isize - 8).max(1);
        let Screen::Queue(q) = &mut self.screen else {
            return Vec::new();
        };
        if let Some(d) = &mut q.detail {
            match a {
                Action::Back => q.detail = None,
                Action::Up => d.scroll = d.scroll.saturating_sub(1),
                Action::Down => d.scroll = d.scroll.saturating_add(1),
                Action::PageUp => d.scroll = d.scroll.saturating_sub(page as u16),
                Action::PageDown => d.scroll = d.scroll.saturating_add(page as u16),
                Action::First => d.scroll = 0,
                Action::Refresh => {
                    d.case = Loadable::Loading;
                    return vec![Command::Send(Request::GetCase { id: d.id })];
                }
                _ => {}
            }
            return Vec::new();
        }
        let more = match a {
            Action::Up => q.list.move_by(-1),
            Action::Down => q.list.move_by(1),
            Action::PageUp => q.list.move_by(-page),
            Action::PageDown => q.list.move_by(page),
            Action::First => q.list.move_by(isize::MIN / 2),
            Action::Last => q.list.move_by(isize::MAX / 2),
            Action::Accept => {
                let Some(c) = q.list.selected_case() else {
                    return Vec::new();
                };
                q.detail = Some(Detail {
                    id: c.id,
                    number: c.number.clone(),
                    case: Loadable::Loading,
                    scroll: 0,
                });
                return vec![Command::Send(Request::GetCase { id: c.id })];
            }
            Action::Refresh => return self.list_request(false),
            Action::Back => {
                self.status = None;
                false
            }
            _ => false,
        };
        if more {
            self.list_request(true)
        } else {
            Vec::new()
        }
    }

    fn tick(&mut self, now: Millis) -> Vec<Command> {
        self.now_ms = now;
        let mut out = Vec::new();
        if self.connection == Connection::Disconnected && now >= self.next_probe_ms {
            self.next_probe_ms = now + PROBE_MS;
            out.push(Command::Send(Request::WhoAmI));
        }
        if let Screen::Queue(q) = &self.screen {
            let due = now - q.list.asked_ms >= QUEUE_REFRESH_MS;
            if due
                && q.detail.is_none()
                && !q.list.loading
                && self.connection == Connection::Connected
            {
                out.extend(self.list_request(false));
            }
        }
        out
    }

    fn reply(&mut self, r: Reply) -> Vec<Command> {
        // Any answer, a refusal too, proves the server is reachable again.
        let reached = r.error().is_none_or(|e| !e.is_connection());
        let mut out = Vec::new();
        if reached && self.connection != Connection::Connected {
            let was_lost = self.connection == Connection::Disconnected;
            self.connection = Connection::Connected;
            if was_lost {
                out.extend(self.reconnected());
            }
        }
        out.extend(match r {
            Reply::WhoAmI(res) => self.who_am_i(res),
            Reply::Topics(res) => self.catalog_part(res, ClientCatalog::set_topics),
            Reply::Units(res) => self.catalog_part(res, ClientCatalog::set_units),
            Reply::Regions(res) => self.catalog_part(res, ClientCatalog::set_regions),
            Reply::CallerHistory { phone, result } => {
                if let Err(e) = &result {
                    self.maybe_lost(e);
                }
                if let Screen::Intake { form, .. } = &mut self.screen {
                    form.history_arrived(&phone, result);
                }
                Vec::new()
            }
            Reply::Created { request_id, result } => self.created(&request_id, result),
            Reply::Cases {
                list,
                append,
                result,
            } => {
                if let Err(e) = &result {
                    self.maybe_lost(e);
                }
                let target = match &mut self.screen {
                    Screen::Intake { recent, .. } if list == ListKind::Recent => Some(recent),
                    Screen::Queue(q) if q.list.kind == list => Some(&mut q.list),
                    _ => None,
                };
                if let Some(l) = target {
                    l.arrived(append, result);
                }
                Vec::new()
            }
            Reply::Case(result) => {
                if let Err(e) = &result {
                    self.maybe_lost(e);
                }
                if let Screen::Queue(q) = &mut self.screen
                    && let Some(d) = &mut q.detail
                {
                    match result {
                        Ok(c) if c.id == d.id => d.case = Loadable::Loaded(c),
                        Ok(_) => {}
                        Err(e) => d.case = Loadable::Failed(e.to_string()),
                    }
                }
                Vec::new()
            }
        });
        out
    }

    fn maybe_lost(&mut self, e: &RpcError) {
        if e.is_connection() {
            self.lost_connection(self.lang.labels().no_connection.to_owned());
        }
    }

    /// The server answers again: fetch what was missed.
    fn reconnected(&mut self) -> Vec<Command> {
        if self.status.as_ref().is_some_and(|s| s.about_connection) {
            self.say(Tone::Success, self.lang.labels().reconnected);
        }
        let mut out = Vec::new();
        if self.session.is_some() {
            if !self.catalog.has_topics() {
                out.push(Command::Send(Request::ListTopics));
            }
            if !self.catalog.is_complete() {
                out.push(Command::Send(Request::ListUnits));
                out.push(Command::Send(Request::ListRegions));
            }
            out.extend(self.list_request(false));
        }
        out
    }

    fn catalog_part<T>(
        &mut self,
        res: Result<T, RpcError>,
        set: fn(&mut ClientCatalog, T),
    ) -> Vec<Command> {
        match res {
            Ok(v) => {
                set(&mut self.catalog, v);
                self.refresh_suggestions();
            }
            Err(e) if e.is_connection() => {
                self.lost_connection(self.lang.labels().no_connection.to_owned())
            }
            Err(e) => self.say(Tone::Error, self.lang.catalog_failed(&e.to_string())),
        }
        Vec::new()
    }

    /// Suggestions wanted before the catalog arrived appear once it has.
    fn refresh_suggestions(&mut self) {
        if let Screen::Intake { form, .. } = &mut self.screen {
            let f = form.focus;
            if matches!(f, Field::Topic | Field::Region) && !form.suggestions.is_open() {
                form.focus_on(f, &self.catalog);
            }
        }
    }

    fn who_am_i(&mut self, res: Result<pb::WhoAmIResponse, RpcError>) -> Vec<Command> {
        let who = match res {
            Ok(who) => who,
            Err(e) if e.is_connection() => {
                self.lost_connection(self.lang.labels().no_connection.to_owned());
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
        let role = role_from_pb(who.role);
        self.session = Some(Session {
            user: who.user,
            role: role.unwrap_or(Role::Supervisor),
            unit_id: who.unit_id,
            demo: who.demo,
        });
        self.screen = match role {
            Some(Role::Agent | Role::Admin) => {
                let id = self.new_request_id();
                Screen::Intake {
                    form: Box::new(Intake::new(id)),
                    recent: CaseList::new(ListKind::Recent),
                }
            }
            Some(Role::Dispatcher) => Screen::Queue(Box::new(Queue {
                list: CaseList::new(ListKind::UrgentOpen),
                detail: None,
            })),
            Some(Role::Unit) => Screen::Queue(Box::new(Queue {
                list: CaseList::new(ListKind::UnitQueue),
                detail: None,
            })),
            // An unknown role sees only what every reader may: the open list.
            Some(Role::Supervisor) | None => Screen::Queue(Box::new(Queue {
                list: CaseList::new(ListKind::AllOpen),
                detail: None,
            })),
        };
        self.list_request(false)
    }

    fn created(
        &mut self,
        request_id: &str,
        result: Result<pb::CreateCaseResponse, RpcError>,
    ) -> Vec<Command> {
        let lang = self.lang;
        let Screen::Intake { form, recent } = &mut self.screen else {
            return Vec::new();
        };
        let ours = form.request_id == request_id;
        if ours {
            form.saving = false;
        }
        match result {
            Ok(resp) => {
                let Some(case) = resp.case else {
                    self.say(Tone::Error, lang.not_saved("empty answer"));
                    return Vec::new();
                };
                let text = if resp.replayed {
                    lang.already_saved(&case.number)
                } else {
                    lang.saved(&case.number)
                };
                if !recent.rows.iter().any(|c| c.id == case.id) {
                    recent.rows.insert(0, case);
                    recent.selected = 0;
                }
                if ours {
                    self.clear_form();
                }
                self.say(Tone::Success, text);
                self.list_request(false)
            }
            Err(e) if e.is_connection() => {
                let hint = self
                    .keymap
                    .hint(Context::Edit, Action::Save)
                    .map(|k| k.to_string())
                    .unwrap_or_default();
                let text = format!(
                    "{} — {} {hint}",
                    lang.not_saved(lang.labels().no_connection),
                    lang.labels().retry_hint
                );
                self.lost_connection(text);
                Vec::new()
            }
            Err(e) if e.code == tonic::Code::InvalidArgument => {
                let (field, reason) = e
                    .message
                    .split_once(": ")
                    .unwrap_or(("", e.message.as_str()));
                self.refuse(field.trim(), reason.trim());
                Vec::new()
            }
            Err(e) => {
                self.say(Tone::Error, lang.not_saved(&e.to_string()));
                Vec::new()
            }
        }
    }
}

fn effects_to_commands(effects: Vec<Effect>) -> Vec<Command> {
    effects
        .into_iter()
        .map(|e| match e {
            Effect::FetchHistory(phone) => Command::Send(Request::CallerHistory { phone }),
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests;
