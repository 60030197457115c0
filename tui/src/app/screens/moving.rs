//! Moving a case from a screen: which key makes which move, which moves
//! are offered, the form while it is open, and the server's answer.

use crate::app::Tone;
use crate::app::move_form::{Completion, FormOutcome, Mark, MoveForm, Target};
use crate::app::msg::{Command, Request, RpcError, To};
use crate::app::rpc::Call;
use crate::app::screens::Ctx;
use crate::keymap::Action;
use desk137_domain::model::Role;
use desk137_proto::v1 as pb;
use tui_input::InputRequest;

/// The key actions that make moves, in the order the bar offers them.
pub const MOVE_ACTIONS: [(Action, pb::Move); 14] = [
    (Action::Acknowledge, pb::Move::Acknowledge),
    (Action::Arrive, pb::Move::Arrive),
    (Action::Respond, pb::Move::Respond),
    (Action::Resolve, pb::Move::Resolve),
    (Action::AssignFollowUp, pb::Move::AssignFollowUp),
    (Action::AddNote, pb::Move::Note),
    (Action::Reroute, pb::Move::Reroute),
    (Action::Escalate, pb::Move::Escalate),
    (Action::Reopen, pb::Move::Reopen),
    (Action::Defer, pb::Move::Defer),
    (Action::Reject, pb::Move::Reject),
    (Action::Transfer, pb::Move::Transfer),
    (Action::Resume, pb::Move::Resume),
    (Action::CloseCase, pb::Move::Close),
];

pub fn move_of(a: Action) -> Option<pb::Move> {
    MOVE_ACTIONS.iter().find(|(x, _)| *x == a).map(|(_, m)| *m)
}

/// The moves `role` may make on `case` now, by the domain's one table.
pub fn allowed(case: &pb::Case, role: Role) -> Vec<pb::Move> {
    crate::app::allowed::allowed_moves(case, role)
}

/// The key actions of the moves offered on `case`.
pub fn offered(case: Option<&pb::Case>, role: Role) -> Vec<Action> {
    let Some(case) = case else {
        return Vec::new();
    };
    let moves = allowed(case, role);
    MOVE_ACTIONS
        .iter()
        .filter(|(_, m)| moves.contains(m))
        .map(|(a, _)| *a)
        .collect()
}

/// What the server's answer to a move means for the screen.
#[derive(Debug, Default)]
pub struct Answered {
    pub commands: Vec<Command>,
    /// The case as the move left it.
    pub case: Option<pb::Case>,
    /// The case changed under the form: read it again.
    pub reload: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct Moving {
    pub form: Option<MoveForm>,
}

impl Moving {
    pub fn is_open(&self) -> bool {
        self.form.is_some()
    }

    /// A move key on `case`: opens its form if the move is offered.
    /// `None` when `a` is no move.
    pub fn open(
        &mut self,
        a: Action,
        case: Option<&pb::Case>,
        ctx: &mut Ctx,
    ) -> Option<Vec<Command>> {
        let kind = move_of(a)?;
        let lang = ctx.lang;
        let Some(case) = case else {
            return Some(vec![Command::Say(
                Tone::Warning,
                lang.no_case_selected().into(),
            )]);
        };
        if !allowed(case, ctx.session.role).contains(&kind) {
            return Some(vec![Command::Say(
                Tone::Warning,
                lang.move_not_offered(kind),
            )]);
        }
        let target = Target {
            case_id: case.id,
            number: case.number.clone(),
            revision: case.revision,
        };
        self.form = Some(MoveForm::new(kind, target, ctx.ids.next_id()));
        Some(vec![Command::Unsay])
    }

    /// A key while the form is open.
    pub fn act(&mut self, a: Action, ctx: &mut Ctx, to: To) -> Vec<Command> {
        let Some(form) = self.form.as_mut() else {
            return Vec::new();
        };
        if let Some(req) = crate::app::screens::intake::edit_request(a) {
            form.edit(req);
            return Vec::new();
        }
        let outcome = match a {
            Action::NextField => form.next_field(ctx.catalog, ctx.lang),
            Action::PrevField | Action::Up => {
                form.prev_field();
                FormOutcome::Nothing
            }
            Action::Down => {
                form.next_field_plain();
                FormOutcome::Nothing
            }
            Action::Accept => form.accept(ctx.catalog, ctx.now_ms, ctx.lang),
            Action::Save => form.send(ctx.catalog, ctx.now_ms, false, ctx.lang),
            Action::Back => form.back(),
            _ => FormOutcome::Nothing,
        };
        match outcome {
            FormOutcome::Nothing => Vec::new(),
            FormOutcome::Cancelled => {
                self.form = None;
                vec![Command::Unsay]
            }
            FormOutcome::Send(req) => vec![
                Command::Say(Tone::Info, ctx.lang.sending().into()),
                Command::Send(Request::new(to, req.case_id, Call::MoveCase(*req))),
            ],
            FormOutcome::Complete(typed) => vec![Command::CompletePath { to, typed }],
            FormOutcome::Upload(path) => vec![
                Command::Say(Tone::Info, ctx.lang.uploading(&path)),
                Command::Upload {
                    to,
                    case_id: form.target.case_id,
                    path,
                },
            ],
        }
    }

    /// The form's file reached the server: the move goes with its id.
    pub fn uploaded(
        &mut self,
        path: &str,
        result: Result<pb::Attachment, RpcError>,
        ctx: &mut Ctx,
        to: To,
    ) -> Vec<Command> {
        let Some(form) = self.form.as_mut() else {
            return Vec::new();
        };
        match form.uploaded(path, result, ctx.lang) {
            Some(attachment) => {
                let out = vec![Command::Say(
                    Tone::Info,
                    ctx.lang.uploaded(&attachment.name),
                )];
                out.into_iter()
                    .chain(self.act(Action::Save, ctx, to))
                    .collect()
            }
            None => {
                let text = form
                    .mark
                    .as_ref()
                    .map(|m| m.text.clone())
                    .unwrap_or_default();
                vec![Command::Say(Tone::Error, text)]
            }
        }
    }

    pub fn edit(&mut self, req: InputRequest) {
        if let Some(f) = self.form.as_mut() {
            f.edit(req);
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.form.as_mut() {
            f.paste(text);
        }
    }

    pub fn completed(&mut self, c: &Completion) -> Vec<Command> {
        let Some(f) = self.form.as_mut() else {
            return Vec::new();
        };
        f.completed(c)
            .map(|list| Command::Say(Tone::Info, list))
            .into_iter()
            .collect()
    }

    /// The server answered a move sent from this screen.
    pub fn answered(
        &mut self,
        req: &pb::MoveCaseRequest,
        result: Result<pb::MoveCaseResponse, RpcError>,
        ctx: &mut Ctx,
    ) -> Answered {
        let lang = ctx.lang;
        // An answer for a form since closed or reopened still says what
        // became of the case, but touches no form.
        let ours = self
            .form
            .as_ref()
            .is_some_and(|f| f.request_id == req.request_id);
        let kind = pb::Move::try_from(req.r#move).unwrap_or(pb::Move::Unspecified);
        match result {
            Ok(resp) => {
                if ours {
                    self.form = None;
                }
                let Some(case) = resp.case else {
                    return Answered::default();
                };
                Answered {
                    commands: vec![Command::Say(
                        Tone::Success,
                        lang.moved(&case.number, kind, resp.replayed),
                    )],
                    case: Some(case),
                    reload: None,
                }
            }
            Err(e) if !ours => Answered {
                commands: vec![Command::Say(Tone::Error, e.to_string())],
                ..Default::default()
            },
            Err(e) => {
                let Some(form) = self.form.as_mut() else {
                    return Answered::default();
                };
                form.sending = false;
                // A refusal moved nothing: the next send is a new move and
                // takes a new key. Only a lost answer keeps it, so that its
                // retry can never move the case twice.
                if !e.is_connection() {
                    form.request_id = ctx.ids.next_id();
                }
                let number = form.target.number.clone();
                match e.code {
                    _ if e.is_connection() => {
                        form.mark = Some(Mark {
                            field: None,
                            text: lang.labels().no_connection.into(),
                        });
                        Answered {
                            commands: vec![Command::Lost(format!(
                                "{} — {} Enter",
                                lang.labels().no_connection,
                                lang.labels().retry_hint
                            ))],
                            ..Default::default()
                        }
                    }
                    tonic::Code::Aborted => {
                        let text = lang.stale_case(&number);
                        form.mark = Some(Mark {
                            field: None,
                            text: text.clone(),
                        });
                        Answered {
                            commands: vec![Command::Say(Tone::Warning, text)],
                            case: None,
                            reload: Some(req.case_id),
                        }
                    }
                    tonic::Code::FailedPrecondition => {
                        let text = lang.move_not_allowed(&e.message);
                        form.mark = Some(Mark {
                            field: None,
                            text: text.clone(),
                        });
                        Answered {
                            commands: vec![Command::Say(Tone::Error, text)],
                            // The state moved on: the screen shows the new one.
                            reload: Some(req.case_id),
                            ..Default::default()
                        }
                    }
                    _ => {
                        form.refused(&e, lang);
                        let text = form
                            .mark
                            .as_ref()
                            .map(|m| m.text.clone())
                            .unwrap_or_default();
                        Answered {
                            commands: vec![Command::Say(Tone::Error, text)],
                            ..Default::default()
                        }
                    }
                }
            }
        }
    }

    /// The case was read again: an open form on it moves on to its revision.
    pub fn case_read(&mut self, case: &pb::Case) {
        if let Some(f) = self.form.as_mut().filter(|f| f.target.case_id == case.id) {
            f.rebase(case.revision);
        }
    }
}
