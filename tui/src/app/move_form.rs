//! The small form every move of a case opens: the fields that move needs,
//! what was typed kept across any refusal, and a second question before a
//! move that cannot be undone. The queues and the case view share it.

use crate::app::catalog::ClientCatalog;
use crate::app::msg::{FieldFault, RpcError};
use crate::keymap::Context;
use crate::messages::Lang;
use desk137_domain::catalog::UnitKind;
use desk137_domain::clock::Millis;
use desk137_domain::jalali::parse_jalali;
use desk137_domain::move_case::{MoveInput, check_fields};
use desk137_domain::text::{ascii_digits, match_key};
use desk137_proto::v1 as pb;
use tui_input::{Input, InputRequest};

pub const CONTEXT: Context = "move";

/// One line of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoveField {
    Response,
    Promised,
    RejectKind,
    DuplicateOf,
    Unit,
    Topic,
    FollowUp,
    Note,
    DelayReason,
    Attachment,
}

impl MoveField {
    fn index(self) -> usize {
        self as usize
    }

    /// Chosen from a short list rather than typed.
    pub fn is_choice(self) -> bool {
        matches!(
            self,
            MoveField::Response | MoveField::RejectKind | MoveField::DelayReason
        )
    }

    /// The field a server refusal names, by its name in `MoveCaseRequest`.
    pub fn from_wire(name: &str) -> Option<MoveField> {
        Some(match name {
            "response" => MoveField::Response,
            "promised_ms" => MoveField::Promised,
            "reject_kind" => MoveField::RejectKind,
            "duplicate_of" => MoveField::DuplicateOf,
            "unit_id" => MoveField::Unit,
            "topic_id" => MoveField::Topic,
            "follow_up" => MoveField::FollowUp,
            "note" => MoveField::Note,
            "delay_reason" => MoveField::DelayReason,
            "attachment_ids" => MoveField::Attachment,
            _ => return None,
        })
    }
}

const RESPONSES: [pb::FirstResponse; 2] = [pb::FirstResponse::Done, pb::FirstResponse::NeedsTime];
const REJECT_KINDS: [pb::RejectKind; 3] = [
    pb::RejectKind::FalseReport,
    pb::RejectKind::NotMunicipal,
    pb::RejectKind::Duplicate,
];
/// Unspecified first: most moves are on time and give no reason.
const DELAY_REASONS: [pb::DelayReason; 6] = [
    pb::DelayReason::Unspecified,
    pb::DelayReason::NoAccess,
    pb::DelayReason::NeedsOtherOrg,
    pb::DelayReason::NeedsBudget,
    pb::DelayReason::Weather,
    pb::DelayReason::Other,
];

/// Why the form cannot be sent as it is, and where to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub field: Option<MoveField>,
    pub text: String,
}

/// Which case a move is for, as the screen read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub case_id: u64,
    pub number: String,
    /// The revision read: the server refuses a move made on an older one.
    pub revision: u64,
}

#[derive(Debug, Clone)]
pub struct MoveForm {
    pub target: Target,
    pub kind: pb::Move,
    inputs: [Input; 10],
    pub response: usize,
    pub reject_kind: usize,
    pub delay_reason: usize,
    pub focus: MoveField,
    /// The last refusal, here or on the server: shown under the form.
    pub mark: Option<Mark>,
    /// Kept across retries of the same move, so a lost answer never moves
    /// the case twice; renewed only when the form opens.
    pub request_id: String,
    pub sending: bool,
    /// Asking "are you sure" before a move that cannot be undone.
    pub confirming: bool,
    /// Attachment ids already known for the path typed (after an upload).
    pub attachment_ids: Vec<String>,
}

/// What a path completion found: the directory entries under what was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The text the completion was asked for; a stale answer is dropped.
    pub typed: String,
    /// Full candidate paths, directories ending in `/`.
    pub candidates: Vec<String>,
}

/// What the form wants after a key.
#[derive(Debug, Clone, PartialEq)]
pub enum FormOutcome {
    Nothing,
    /// Closed without sending.
    Cancelled,
    Send(Box<pb::MoveCaseRequest>),
    /// List the directory entries that could complete this path.
    Complete(String),
    /// Upload this file first; the move follows with its id.
    Upload(String),
}

impl MoveForm {
    pub fn new(kind: pb::Move, target: Target, request_id: String) -> Self {
        let mut f = Self {
            target,
            kind,
            inputs: Default::default(),
            response: 0,
            reject_kind: 0,
            delay_reason: 0,
            focus: MoveField::Note,
            mark: None,
            request_id,
            sending: false,
            confirming: false,
            attachment_ids: Vec::new(),
        };
        f.focus = f.fields().first().copied().unwrap_or(MoveField::Note);
        f
    }

    /// The fields this move needs, in the order they are filled; a field
    /// that only one choice needs appears with it.
    pub fn fields(&self) -> Vec<MoveField> {
        use MoveField::*;
        let needs_time = RESPONSES[self.response] == pb::FirstResponse::NeedsTime;
        let duplicate = REJECT_KINDS[self.reject_kind] == pb::RejectKind::Duplicate;
        match self.kind {
            pb::Move::Respond if needs_time => vec![Response, Promised, Note, DelayReason],
            pb::Move::Respond => vec![Response, Note, DelayReason],
            pb::Move::Resolve => vec![Note, Attachment, DelayReason],
            pb::Move::Arrive => vec![Note, DelayReason],
            pb::Move::Defer => vec![Note, DelayReason],
            pb::Move::Reject if duplicate => vec![RejectKind, DuplicateOf, Note],
            pb::Move::Reject => vec![RejectKind, Note],
            pb::Move::Transfer => vec![Unit, Note],
            pb::Move::Reroute => vec![Unit, Topic, Note],
            pb::Move::AssignFollowUp => vec![FollowUp, Note],
            _ => vec![Note],
        }
    }

    /// A move that cannot be taken back asks once more before it is sent.
    pub fn needs_confirmation(&self) -> bool {
        matches!(
            self.kind,
            pb::Move::Reject | pb::Move::Close | pb::Move::Transfer
        )
    }

    pub fn value(&self, f: MoveField) -> &str {
        self.inputs[f.index()].value()
    }

    pub fn input(&self, f: MoveField) -> &Input {
        &self.inputs[f.index()]
    }

    pub fn choice_label(&self, f: MoveField, lang: Lang) -> &'static str {
        match f {
            MoveField::Response => lang.first_response(RESPONSES[self.response]),
            MoveField::RejectKind => lang.reject_kind(REJECT_KINDS[self.reject_kind]),
            MoveField::DelayReason => lang.delay_reason(DELAY_REASONS[self.delay_reason]),
            _ => "",
        }
    }

    /// Anything typed that closing would lose.
    pub fn is_dirty(&self) -> bool {
        self.inputs.iter().any(|i| !i.value().trim().is_empty())
    }

    fn step(&mut self, forward: bool) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let n = fields.len();
        let next = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        self.focus = fields[next];
    }

    fn cycle(&mut self, forward: bool) {
        let (at, n) = match self.focus {
            MoveField::Response => (&mut self.response, RESPONSES.len()),
            MoveField::RejectKind => (&mut self.reject_kind, REJECT_KINDS.len()),
            MoveField::DelayReason => (&mut self.delay_reason, DELAY_REASONS.len()),
            _ => return,
        };
        *at = if forward {
            (*at + 1) % n
        } else {
            (*at + n - 1) % n
        };
    }

    /// Tab: completes a path or a unit's name where there is something to
    /// complete, else goes to the next field.
    pub fn next_field(&mut self, catalog: &ClientCatalog, lang: Lang) -> FormOutcome {
        match self.focus {
            MoveField::Attachment if !self.value(MoveField::Attachment).is_empty() => {
                return FormOutcome::Complete(self.value(MoveField::Attachment).to_owned());
            }
            MoveField::Unit => {
                let typed = self.value(MoveField::Unit).to_owned();
                if !typed.trim().is_empty() && self.unit_id(catalog).is_none() {
                    let names = self.unit_names(catalog, lang, &typed);
                    if let Some(common) = common_prefix(&names).filter(|c| c.len() > typed.len()) {
                        self.set(MoveField::Unit, &common);
                        return FormOutcome::Nothing;
                    }
                }
            }
            _ => {}
        }
        self.step(true);
        FormOutcome::Nothing
    }

    /// Down: the next field, never completing.
    pub fn next_field_plain(&mut self) {
        self.step(true);
    }

    pub fn prev_field(&mut self) {
        self.step(false);
    }

    /// Enter: the next field, or send from the last one.
    pub fn accept(&mut self, catalog: &ClientCatalog, now_ms: Millis, lang: Lang) -> FormOutcome {
        if self.confirming {
            self.confirming = false;
            return self.send(catalog, now_ms, true, lang);
        }
        let fields = self.fields();
        if fields.last() == Some(&self.focus) {
            self.send(catalog, now_ms, false, lang)
        } else {
            self.step(true);
            FormOutcome::Nothing
        }
    }

    /// Esc: drops the question, or closes the form.
    pub fn back(&mut self) -> FormOutcome {
        if self.confirming {
            self.confirming = false;
            FormOutcome::Nothing
        } else {
            FormOutcome::Cancelled
        }
    }

    pub fn edit(&mut self, req: InputRequest) {
        if self.sending {
            return;
        }
        if self.focus.is_choice() {
            match req {
                InputRequest::GoToNextChar | InputRequest::InsertChar(' ') => self.cycle(true),
                InputRequest::GoToPrevChar => self.cycle(false),
                _ => {}
            }
            return;
        }
        let changed = self.inputs[self.focus.index()]
            .handle(req)
            .is_some_and(|c| c.value);
        if changed {
            self.confirming = false;
            if self.focus == MoveField::Attachment {
                self.attachment_ids.clear();
            }
        }
    }

    pub fn paste(&mut self, text: &str) {
        for c in text.chars() {
            self.edit(InputRequest::InsertChar(if c.is_control() {
                ' '
            } else {
                c
            }));
        }
    }

    fn set(&mut self, f: MoveField, text: &str) {
        self.inputs[f.index()] = Input::new(text.to_owned());
    }

    /// The directory listing for a completion arrived.
    pub fn completed(&mut self, c: &Completion) -> Option<String> {
        if self.value(MoveField::Attachment) != c.typed {
            return None;
        }
        let common = common_prefix(&c.candidates)?;
        if common.len() > c.typed.len() {
            self.set(MoveField::Attachment, &common);
            self.attachment_ids.clear();
        }
        // Several left: say which, the way a shell lists them.
        (c.candidates.len() > 1).then(|| {
            c.candidates
                .iter()
                .map(|p| p.rsplit_once('/').map_or(p.as_str(), |(_, n)| n))
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
                .join("  ")
        })
    }

    fn unit_names(&self, catalog: &ClientCatalog, lang: Lang, typed: &str) -> Vec<String> {
        let key = match_key(typed);
        self.unit_choices(catalog)
            .filter_map(|u| {
                let name = match lang {
                    Lang::Fa => &u.name_fa,
                    Lang::En => &u.name_en,
                };
                match_key(name).starts_with(&key).then(|| name.clone())
            })
            .collect()
    }

    fn unit_choices<'c>(
        &self,
        catalog: &'c ClientCatalog,
    ) -> impl Iterator<Item = &'c desk137_domain::catalog::Unit> {
        let external = self.kind == pb::Move::Transfer;
        catalog
            .units
            .iter()
            .filter(move |u| (u.kind == UnitKind::External) == external)
    }

    /// The unit typed: its id, or its name in either language.
    fn unit_id(&self, catalog: &ClientCatalog) -> Option<String> {
        let key = match_key(self.value(MoveField::Unit));
        if key.is_empty() {
            return None;
        }
        let mut hits = self.unit_choices(catalog).filter(|u| {
            u.id == key || match_key(&u.name_fa) == key || match_key(&u.name_en) == key
        });
        match (hits.next(), hits.next()) {
            (Some(u), None) => Some(u.id.clone()),
            _ => None,
        }
    }

    fn topic_id(&self, catalog: &ClientCatalog) -> Option<String> {
        let key = match_key(self.value(MoveField::Topic));
        catalog
            .topics
            .iter()
            .find(|t| t.id == key || match_key(&t.title_fa) == key || match_key(&t.title_en) == key)
            .map(|t| t.id.clone())
    }

    /// Checks what the client can and builds the request; `confirmed` says
    /// the user has answered the question of an irreversible move.
    pub fn send(
        &mut self,
        catalog: &ClientCatalog,
        now_ms: Millis,
        confirmed: bool,
        lang: Lang,
    ) -> FormOutcome {
        if self.sending {
            return FormOutcome::Nothing;
        }
        match self.request(catalog, now_ms) {
            Err(LocalFault::NotUploaded) if confirmed || !self.needs_confirmation() => {
                self.mark = None;
                self.sending = true;
                FormOutcome::Upload(self.value(MoveField::Attachment).trim().to_owned())
            }
            Ok(req) => {
                if self.needs_confirmation() && !confirmed {
                    self.confirming = true;
                    return FormOutcome::Nothing;
                }
                self.mark = None;
                self.sending = true;
                FormOutcome::Send(Box::new(req))
            }
            Err(fault) => {
                if let Some(f) = fault.field().filter(|f| self.fields().contains(f)) {
                    self.focus = f;
                }
                self.mark = Some(Mark::local(&fault, self.kind, lang));
                FormOutcome::Nothing
            }
        }
    }

    pub fn request(
        &self,
        catalog: &ClientCatalog,
        now_ms: Millis,
    ) -> Result<pb::MoveCaseRequest, LocalFault> {
        let fields = self.fields();
        let has = |f| fields.contains(&f);
        let text = |f| self.value(f).trim().to_owned();
        let mut req = pb::MoveCaseRequest {
            request_id: self.request_id.clone(),
            case_id: self.target.case_id,
            revision: self.target.revision,
            r#move: self.kind as i32,
            note: text(MoveField::Note),
            delay_reason: DELAY_REASONS[self.delay_reason] as i32,
            ..Default::default()
        };
        if has(MoveField::Response) {
            req.response = RESPONSES[self.response] as i32;
        }
        if has(MoveField::Promised) {
            let typed = text(MoveField::Promised);
            if !typed.is_empty() {
                let at = parse_jalali(&typed).ok_or(LocalFault::BadDate)?;
                if at <= now_ms {
                    return Err(LocalFault::PastDate);
                }
                req.promised_ms = at;
            }
        }
        if has(MoveField::RejectKind) {
            req.reject_kind = REJECT_KINDS[self.reject_kind] as i32;
        }
        if has(MoveField::DuplicateOf) {
            req.duplicate_of = ascii_digits(&text(MoveField::DuplicateOf));
        }
        if has(MoveField::Unit) && !text(MoveField::Unit).is_empty() {
            req.unit_id = self.unit_id(catalog).ok_or(LocalFault::UnknownUnit)?;
        }
        if has(MoveField::Topic) && !text(MoveField::Topic).is_empty() {
            req.topic_id = self.topic_id(catalog).ok_or(LocalFault::UnknownTopic)?;
        }
        if has(MoveField::FollowUp) {
            req.follow_up = text(MoveField::FollowUp);
        }
        if has(MoveField::Attachment) && !text(MoveField::Attachment).is_empty() {
            if self.attachment_ids.is_empty() {
                return Err(LocalFault::NotUploaded);
            }
            req.attachment_ids = self.attachment_ids.clone();
        }
        // What each move needs, by the rule the server applies to it.
        let input = MoveInput::try_from(req.clone())
            .map_err(|e| LocalFault::Field(FieldFault::from(&e)))?;
        check_fields(input).map_err(|e| LocalFault::Field(FieldFault::from(&e)))?;
        Ok(req)
    }

    /// The server refused: keep everything typed and say why, marking the
    /// field it named.
    pub fn refused(&mut self, e: &RpcError, lang: Lang) {
        self.sending = false;
        let fault = e.fault.as_ref();
        let field = fault.and_then(|f| MoveField::from_wire(&f.field));
        let text = match fault {
            Some(f) => lang.move_refusal(f, self.kind),
            None => e.to_string(),
        };
        if let Some(f) = field.filter(|f| self.fields().contains(f)) {
            self.focus = f;
        }
        self.mark = Some(Mark { field, text });
    }

    /// The upload of `path` answered. The id is kept only if the path is
    /// still the one typed; a refusal marks the field with the reason.
    pub fn uploaded(
        &mut self,
        path: &str,
        result: Result<pb::Attachment, RpcError>,
        lang: Lang,
    ) -> Option<pb::Attachment> {
        self.sending = false;
        if self.value(MoveField::Attachment).trim() != path {
            return None;
        }
        match result {
            Ok(a) => {
                self.attachment_ids = vec![a.id.clone()];
                Some(a)
            }
            Err(e) => {
                self.focus = MoveField::Attachment;
                let why = match &e.fault {
                    Some(f) => lang.move_refusal(f, self.kind),
                    None => e.to_string(),
                };
                self.mark = Some(Mark {
                    field: Some(MoveField::Attachment),
                    text: lang.upload_failed(&why),
                });
                None
            }
        }
    }

    /// The case changed under the form: take its new revision, keep the text.
    pub fn rebase(&mut self, revision: u64) {
        self.target.revision = revision;
    }
}

/// A refusal found before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalFault {
    /// The domain's rule for the move's fields refused it.
    Field(FieldFault),
    BadDate,
    PastDate,
    UnknownUnit,
    UnknownTopic,
    NotUploaded,
}

impl LocalFault {
    pub fn field(&self) -> Option<MoveField> {
        Some(match self {
            LocalFault::Field(f) => return MoveField::from_wire(&f.field),
            LocalFault::BadDate | LocalFault::PastDate => MoveField::Promised,
            LocalFault::UnknownUnit => MoveField::Unit,
            LocalFault::UnknownTopic => MoveField::Topic,
            LocalFault::NotUploaded => MoveField::Attachment,
        })
    }
}

impl Mark {
    fn local(f: &LocalFault, m: pb::Move, lang: Lang) -> Self {
        Mark {
            field: f.field(),
            text: lang.local_fault(f, m),
        }
    }
}

/// The longest common start of `items`, cut at a character boundary.
fn common_prefix(items: &[String]) -> Option<String> {
    let first = items.first()?;
    let mut end = first.len();
    for s in &items[1..] {
        end = first
            .char_indices()
            .zip(s.chars())
            .find(|((_, a), b)| a != b)
            .map_or(end.min(s.len()), |((i, _), _)| i.min(end));
    }
    Some(first[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix_stops_at_the_first_difference() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(common_prefix(&v(&["abc", "abd"])), Some("ab".into()));
        assert_eq!(
            common_prefix(&v(&["خدمات شهری ۳", "خدمات شهری ۵"])),
            Some("خدمات شهری ".into())
        );
        assert_eq!(common_prefix(&v(&["a"])), Some("a".into()));
        assert_eq!(common_prefix(&v(&["ab", "a"])), Some("a".into()));
        assert_eq!(common_prefix(&[]), None);
    }
}
