//! The citizen's record from an open case: consent for the unit to see the
//! number (agents), the number itself with that consent (the case's unit),
//! the Shahrban mark and a false report's appeal (supervisors). Each asks a
//! reason in a small form; the access policy decides who is offered what,
//! the same one the server applies to refuse the rest.

use crate::app::msg::{Command, Request, RpcError, To};
use crate::app::rpc::{Answer, Call};
use crate::app::screens::Ctx;
use crate::app::{Session, Tone};
use crate::keymap::Action;
use desk137_domain::access::{Rpc, may_call};
use desk137_domain::model::Role;
use desk137_proto::v1 as pb;
use tui_input::{Input, InputRequest};

/// The longest reason sent; the server's own limit refuses longer ones.
const MAX_REASON_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Consent,
    Withdraw,
    Reveal,
    SetShahrban,
    ClearShahrban,
    ClearFalseReport,
}

/// The keys of the record, in the order the bar offers them.
pub const RECORD_ACTIONS: [Action; 5] = [
    Action::RecordConsent,
    Action::WithdrawConsent,
    Action::RevealPhone,
    Action::ToggleShahrban,
    Action::ClearFalseReport,
];

/// What `a` would do on `case` for `session`, if it is offered at all.
pub fn kind_of(a: Action, case: &pb::Case, session: &Session) -> Option<RecordKind> {
    let role = session.role;
    let may = |rpc| may_call(role, rpc);
    // Marks and consent are on a caller: a case without one (informational
    // by a walk-in, or an erased number) has none to change.
    let has_caller = !case.citizen_id.is_empty();
    let kind = match a {
        Action::RecordConsent if may(Rpc::RecordConsent) && has_caller && !case.phone_consent => {
            RecordKind::Consent
        }
        Action::WithdrawConsent if may(Rpc::WithdrawConsent) && case.phone_consent => {
            RecordKind::Withdraw
        }
        // Offered to the case's unit only while the citizen's consent for
        // this case stands; the server checks it again.
        Action::RevealPhone
            if may(Rpc::RevealPhone)
                && role == Role::Unit
                && case.phone_consent
                && case.unit_id == session.unit_id =>
        {
            RecordKind::Reveal
        }
        Action::ToggleShahrban if may(Rpc::SetShahrban) && has_caller => {
            if case.shahrban {
                RecordKind::ClearShahrban
            } else {
                RecordKind::SetShahrban
            }
        }
        Action::ClearFalseReport
            if may(Rpc::ClearFalseReport)
                && case.reject_kind == pb::RejectKind::FalseReport as i32 =>
        {
            RecordKind::ClearFalseReport
        }
        _ => return None,
    };
    Some(kind)
}

/// The record's keys offered on `case`.
pub fn offered(case: Option<&pb::Case>, session: &Session) -> Vec<Action> {
    let Some(case) = case else {
        return Vec::new();
    };
    RECORD_ACTIONS
        .iter()
        .copied()
        .filter(|a| kind_of(*a, case, session).is_some())
        .collect()
}

#[derive(Debug, Clone)]
pub struct RecordForm {
    pub kind: RecordKind,
    pub case_id: u64,
    pub number: String,
    pub reason: Input,
    /// Kept across retries after a lost answer, renewed after a refusal.
    pub request_id: String,
    pub sending: bool,
    /// The last refusal, under the form.
    pub mark: Option<String>,
}

/// What the server's answer means for the case view.
#[derive(Debug, Default)]
pub struct Answered {
    pub commands: Vec<Command>,
    /// The case as the change left it.
    pub case: Option<pb::Case>,
    /// The number the unit asked for.
    pub revealed: Option<String>,
    /// Read the case again.
    pub reload: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Record {
    pub form: Option<RecordForm>,
}

impl Record {
    pub fn is_open(&self) -> bool {
        self.form.is_some()
    }

    pub fn is_dirty(&self) -> bool {
        self.form
            .as_ref()
            .is_some_and(|f| !f.reason.value().trim().is_empty())
    }

    /// A record key on `case`: opens its form when offered. `None` when `a`
    /// is no record key.
    pub fn open(
        &mut self,
        a: Action,
        case: Option<&pb::Case>,
        ctx: &mut Ctx,
    ) -> Option<Vec<Command>> {
        if !RECORD_ACTIONS.contains(&a) {
            return None;
        }
        let lang = ctx.lang;
        let Some(case) = case else {
            return Some(vec![Command::Say(
                Tone::Warning,
                lang.no_case_selected().into(),
            )]);
        };
        let Some(kind) = kind_of(a, case, ctx.session) else {
            return Some(vec![Command::Say(
                Tone::Warning,
                lang.record_not_offered().into(),
            )]);
        };
        self.form = Some(RecordForm {
            kind,
            case_id: case.id,
            number: case.number.clone(),
            reason: Input::default(),
            request_id: ctx.ids.next_id(),
            sending: false,
            mark: None,
        });
        Some(vec![Command::Unsay])
    }

    /// A key while the form is open.
    pub fn act(&mut self, a: Action, ctx: &mut Ctx) -> Vec<Command> {
        let Some(form) = self.form.as_mut() else {
            return Vec::new();
        };
        if let Some(req) = crate::app::screens::intake::edit_request(a) {
            form.reason.handle(req);
            return Vec::new();
        }
        match a {
            Action::Back => {
                self.form = None;
                vec![Command::Unsay]
            }
            Action::Accept | Action::Save if !form.sending => {
                let reason = form.reason.value().trim().to_owned();
                if reason.is_empty() {
                    let text = ctx.lang.reason_required().to_owned();
                    form.mark = Some(text.clone());
                    return vec![Command::Say(Tone::Warning, text)];
                }
                if reason.chars().count() > MAX_REASON_CHARS {
                    let text = ctx.lang.reason_too_long(MAX_REASON_CHARS);
                    form.mark = Some(text.clone());
                    return vec![Command::Say(Tone::Warning, text)];
                }
                form.sending = true;
                form.mark = None;
                let call = request(form, reason);
                vec![
                    Command::Say(Tone::Info, ctx.lang.sending().into()),
                    Command::Send(Request::new(To::Detail, form.case_id, call)),
                ]
            }
            _ => Vec::new(),
        }
    }

    pub fn edit(&mut self, req: InputRequest) {
        if let Some(f) = self.form.as_mut() {
            f.reason.handle(req);
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.form.as_mut() {
            for c in text.chars().filter(|c| !c.is_control()) {
                f.reason.handle(InputRequest::InsertChar(c));
            }
        }
    }

    /// The server answered a request of this screen's form; `None` when
    /// the answer is no record answer.
    pub fn answered(&mut self, call: &Call, answer: Answer, ctx: &mut Ctx) -> Option<Answered> {
        let lang = ctx.lang;
        let (ok, err): (Option<Answered>, Option<RpcError>) = match answer {
            Answer::RecordConsent(r) => split(r, |resp| Answered {
                commands: vec![Command::Say(Tone::Success, lang.consent_recorded().into())],
                case: resp.case,
                ..Default::default()
            }),
            Answer::WithdrawConsent(r) => split(r, |resp| Answered {
                commands: vec![Command::Say(Tone::Success, lang.consent_withdrawn().into())],
                case: resp.case,
                ..Default::default()
            }),
            Answer::RevealPhone(r) => split(r, |resp| Answered {
                commands: vec![Command::Say(Tone::Success, lang.number_revealed().into())],
                revealed: Some(resp.phone),
                ..Default::default()
            }),
            Answer::SetShahrban(r) => split(r, |resp| Answered {
                commands: vec![Command::Say(
                    Tone::Success,
                    lang.shahrban_changed(resp.shahrban).into(),
                )],
                reload: true,
                ..Default::default()
            }),
            Answer::ClearFalseReport(r) => split(r, |resp| Answered {
                commands: vec![Command::Say(
                    Tone::Success,
                    lang.false_report_cleared(resp.false_reports),
                )],
                reload: true,
                ..Default::default()
            }),
            _ => return None,
        };
        let request_id = request_id_of(call);
        // An answer for a form since closed or reopened touches no form.
        let ours = self
            .form
            .as_ref()
            .is_some_and(|f| request_id.is_none_or(|id| f.request_id == id));
        if let Some(done) = ok {
            if ours {
                self.form = None;
            }
            return Some(done);
        }
        let e = err?;
        let Some(form) = self.form.as_mut().filter(|_| ours) else {
            return Some(Answered {
                commands: vec![Command::Say(Tone::Error, e.to_string())],
                ..Default::default()
            });
        };
        form.sending = false;
        if e.is_connection() {
            form.mark = Some(lang.labels().no_connection.into());
            return Some(Answered {
                commands: vec![Command::Lost(format!(
                    "{} — {} Enter",
                    lang.labels().no_connection,
                    lang.labels().retry_hint
                ))],
                ..Default::default()
            });
        }
        // A refusal changed nothing: the next send is a new request.
        form.request_id = ctx.ids.next_id();
        let text = match (&e.fault, e.code) {
            (Some(f), _) => lang.refusal(f),
            (None, tonic::Code::NotFound) if form.kind == RecordKind::Reveal => {
                lang.no_number_to_reveal().into()
            }
            _ => e.to_string(),
        };
        form.mark = Some(text.clone());
        Some(Answered {
            commands: vec![Command::Say(Tone::Error, text)],
            // The case may have moved on under the form (consent already
            // given elsewhere): the view shows what holds now.
            reload: e.code == tonic::Code::FailedPrecondition,
            ..Default::default()
        })
    }
}

fn split<T>(
    r: Result<T, RpcError>,
    ok: impl FnOnce(T) -> Answered,
) -> (Option<Answered>, Option<RpcError>) {
    match r {
        Ok(v) => (Some(ok(v)), None),
        Err(e) => (None, Some(e)),
    }
}

fn request(form: &RecordForm, reason: String) -> Call {
    let (request_id, case_id) = (form.request_id.clone(), form.case_id);
    match form.kind {
        RecordKind::Consent => Call::RecordConsent(pb::RecordConsentRequest {
            request_id,
            case_id,
            reason,
        }),
        RecordKind::Withdraw => Call::WithdrawConsent(pb::WithdrawConsentRequest {
            request_id,
            case_id,
            reason,
        }),
        RecordKind::Reveal => Call::RevealPhone(pb::RevealPhoneRequest { case_id, reason }),
        RecordKind::SetShahrban | RecordKind::ClearShahrban => {
            Call::SetShahrban(pb::SetShahrbanRequest {
                request_id,
                case_id,
                on: form.kind == RecordKind::SetShahrban,
                reason,
            })
        }
        RecordKind::ClearFalseReport => Call::ClearFalseReport(pb::ClearFalseReportRequest {
            request_id,
            case_id,
            reason,
        }),
    }
}

/// The request id a record call carries; a reveal has none (it changes
/// nothing but the audit log).
fn request_id_of(call: &Call) -> Option<&str> {
    match call {
        Call::RecordConsent(r) => Some(&r.request_id),
        Call::WithdrawConsent(r) => Some(&r.request_id),
        Call::SetShahrban(r) => Some(&r.request_id),
        Call::ClearFalseReport(r) => Some(&r.request_id),
        _ => None,
    }
}
