//! The agent's screen: the intake form, the caller's history beside it and
//! the agent's recent cases under it.

use crate::app::cases::CaseList;
use crate::app::intake::{Effect, Field, InformationalNotUrgent, Intake, LeaveWarning};
use crate::app::msg::{Command, FieldFault, ListKind, Reply, Request, RpcError, To};
use crate::app::rpc::{Answer, Call};
use crate::app::screens::Ctx;
use crate::app::{Confirm, Tone};
use crate::keymap::{Action, Context};
use desk137_domain::model::Urgency;
use desk137_proto::v1 as pb;
use tui_input::InputRequest;

pub const CONTEXT: Context = "intake";

/// How many earlier cases of a caller are fetched.
pub const HISTORY_LIMIT: u32 = 20;

#[derive(Debug, Clone)]
pub struct IntakeScreen {
    pub form: Intake,
    pub recent: CaseList,
}

pub fn edit_request(a: Action) -> Option<InputRequest> {
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

fn say(tone: Tone, text: impl Into<String>) -> Vec<Command> {
    vec![Command::Say(tone, text.into())]
}

fn effects_to_commands(effects: Vec<Effect>) -> Vec<Command> {
    effects
        .into_iter()
        .map(|e| match e {
            Effect::FetchHistory(phone) => Command::Send(Request::new(
                To::Intake,
                0,
                Call::CallerHistory(pb::CallerHistoryRequest {
                    phone,
                    limit: HISTORY_LIMIT,
                }),
            )),
        })
        .collect()
}

impl IntakeScreen {
    pub const HINTS: &'static [Action] = &[
        Action::NewCall,
        Action::NextField,
        Action::ToggleUrgent,
        Action::Save,
        Action::OpenNumber,
        Action::Help,
        Action::OpenFeedback,
        Action::Quit,
    ];

    pub fn new(ctx: &mut Ctx) -> Self {
        Self {
            form: Intake::new(ctx.ids.next_id()),
            recent: CaseList::new(ListKind::Recent, To::Intake),
        }
    }

    fn clear_form(&mut self, ctx: &mut Ctx) {
        self.form = Intake::new(ctx.ids.next_id());
    }

    /// The agent agreed to lose what was typed.
    pub fn discard(&mut self, ctx: &mut Ctx) -> Vec<Command> {
        self.clear_form(ctx);
        say(Tone::Info, ctx.lang.labels().cleared)
    }

    pub fn act(&mut self, a: Action, ctx: &mut Ctx) -> Vec<Command> {
        let lang = ctx.lang;
        if let Some(req) = edit_request(a) {
            return self.edit(req, ctx);
        }
        let form = &mut self.form;
        match a {
            Action::NewCall => {
                if form.saving {
                    say(Tone::Warning, lang.labels().wait_for_save)
                } else if form.is_dirty() {
                    vec![Command::Ask(Confirm::Discard)]
                } else {
                    self.clear_form(ctx);
                    vec![Command::Unsay]
                }
            }
            Action::Save => self.save(ctx),
            Action::ToggleUrgent => {
                if form.saving {
                    return say(Tone::Warning, lang.labels().wait_for_save);
                }
                match form.toggle_urgent(ctx.catalog) {
                    Ok(Urgency::Urgent) => say(Tone::Warning, lang.labels().urgent_on),
                    Ok(Urgency::Normal) => say(Tone::Info, lang.labels().urgent_off),
                    Err(InformationalNotUrgent) => {
                        say(Tone::Error, lang.labels().informational_not_urgent)
                    }
                }
            }
            Action::NextField => {
                let to = form.focus.next();
                self.focus(to, ctx)
            }
            Action::PrevField => {
                let to = form.focus.prev();
                self.focus(to, ctx)
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
                self.focus(to, ctx)
            }
            Action::Accept => {
                if form.saving || form.pick(ctx.catalog) {
                    return Vec::new();
                }
                if form.focus == Field::Landmark {
                    let hint = ctx
                        .keymap
                        .hint(&[CONTEXT, crate::keymap::EDIT], Action::Save)
                        .map(|k| format!("{k}: {}", Action::Save.help(lang)))
                        .unwrap_or_default();
                    return say(Tone::Info, hint);
                }
                let to = form.focus.next();
                self.focus(to, ctx)
            }
            Action::Back => {
                if form.suggestions.is_open() {
                    form.suggestions.close();
                    Vec::new()
                } else {
                    vec![Command::Unsay]
                }
            }
            Action::Refresh => self.recent.request(ctx, false).into_iter().collect(),
            _ => Vec::new(),
        }
    }

    fn focus(&mut self, to: Field, ctx: &mut Ctx) -> Vec<Command> {
        match self.form.focus_on(to, ctx.catalog) {
            Some(LeaveWarning::Phone(fault)) => say(
                Tone::Warning,
                ctx.lang
                    .bad_phone(&ctx.lang.reason(fault.reason, fault.limit)),
            ),
            None => Vec::new(),
        }
    }

    pub fn edit(&mut self, req: InputRequest, ctx: &mut Ctx) -> Vec<Command> {
        if self.form.saving {
            return say(Tone::Warning, ctx.lang.labels().wait_for_save);
        }
        effects_to_commands(self.form.edit(req, ctx.catalog))
    }

    pub fn paste(&mut self, text: &str, ctx: &mut Ctx) -> Vec<Command> {
        if self.form.saving {
            return say(Tone::Warning, ctx.lang.labels().wait_for_save);
        }
        effects_to_commands(self.form.paste(text, ctx.catalog))
    }

    fn save(&mut self, ctx: &mut Ctx) -> Vec<Command> {
        let lang = ctx.lang;
        if self.form.saving {
            return say(Tone::Warning, lang.labels().wait_for_save);
        }
        match self.form.request(ctx.catalog) {
            Ok(req) => {
                self.form.saving = true;
                vec![
                    Command::Say(Tone::Info, lang.labels().saving.to_owned()),
                    Command::Send(Request::new(To::Intake, 0, Call::CreateCase(req))),
                ]
            }
            Err(e) => self.refuse(Some(&FieldFault::from(&e)), "", ctx),
        }
    }

    /// A save the rules refused, here or on the server: say why in the
    /// screen's words and put the cursor where the fix is. `fallback` is
    /// the server's message, for a refusal that names no field.
    fn refuse(
        &mut self,
        fault: Option<&FieldFault>,
        fallback: &str,
        ctx: &mut Ctx,
    ) -> Vec<Command> {
        let lang = ctx.lang;
        let form = &mut self.form;
        let field = fault.and_then(|f| Field::from_error_name(&f.field));
        let text = match (fault, field) {
            (Some(_), Some(Field::Topic))
                if form.topic.is_none() && !form.value(Field::Topic).trim().is_empty() =>
            {
                lang.labels().pick_topic_first.to_owned()
            }
            (Some(f), _) => lang.refusal(f),
            (None, _) => fallback.to_owned(),
        };
        if let Some(f) = field {
            form.focus_on(f, ctx.catalog);
        }
        say(Tone::Error, lang.not_saved(&text))
    }

    /// Suggestions wanted before the catalog arrived appear once it has.
    pub fn catalog_changed(&mut self, ctx: &mut Ctx) {
        let f = self.form.focus;
        if matches!(f, Field::Topic | Field::Region) && !self.form.suggestions.is_open() {
            self.form.focus_on(f, ctx.catalog);
        }
    }

    pub fn reply(&mut self, r: Reply, ctx: &mut Ctx) -> Vec<Command> {
        let generation = r.request.ticket.generation;
        match (r.request.call, r.answer) {
            (Call::CallerHistory(req), Answer::CallerHistory(result)) => {
                self.form.history_arrived(&req.phone, result);
                Vec::new()
            }
            (Call::CreateCase(req), Answer::CreateCase(result)) => {
                self.created(&req.request_id, result, ctx)
            }
            (Call::ListCases(req), Answer::ListCases(result)) => {
                self.recent.arrived(generation, &req, result);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn created(
        &mut self,
        request_id: &str,
        result: Result<pb::CreateCaseResponse, RpcError>,
        ctx: &mut Ctx,
    ) -> Vec<Command> {
        let lang = ctx.lang;
        let ours = self.form.request_id == request_id;
        if ours {
            self.form.saving = false;
        }
        match result {
            Ok(resp) => {
                let Some(case) = resp.case else {
                    return say(Tone::Error, lang.not_saved("empty answer"));
                };
                let text = if resp.replayed {
                    lang.already_saved(&case.number)
                } else {
                    lang.saved(&case.number)
                };
                let recent = &mut self.recent;
                if !recent.rows.iter().any(|c| c.id == case.id) {
                    recent.rows.insert(0, case);
                    recent.selected = 0;
                }
                if ours {
                    self.clear_form(ctx);
                }
                let mut out = say(Tone::Success, text);
                out.extend(self.recent.request(ctx, false));
                out
            }
            Err(e) if e.is_connection() => {
                let hint = ctx
                    .keymap
                    .hint(&[CONTEXT, crate::keymap::EDIT], Action::Save)
                    .map(|k| k.to_string())
                    .unwrap_or_default();
                let text = format!(
                    "{} — {} {hint}",
                    lang.not_saved(lang.labels().no_connection),
                    lang.labels().retry_hint
                );
                vec![Command::Lost(text)]
            }
            Err(e) if e.code == tonic::Code::InvalidArgument => {
                self.refuse(e.fault.as_ref(), &e.message, ctx)
            }
            Err(e) => say(Tone::Error, lang.not_saved(&e.to_string())),
        }
    }
}
