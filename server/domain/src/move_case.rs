//! A move applied to a case: the request's fields checked for the move, the
//! table asked, and the new head, its clocks and its timeline event worked
//! out. Pure, so the store's writer may run it again inside a retried
//! transaction and get the same change.

use crate::access::Caller;
use crate::catalog::{Catalog, UnitKind};
use crate::clock::{HOUR_MS, Millis};
use crate::clocks::{self, ClockKind};
use crate::event::{Event, EventKind};
use crate::feedback::{self, CallBackPolicy};
use crate::model::Case;
use crate::moves::{self, DelayReason, FirstResponse, Move, Refusal, RejectKind};
use crate::sla::SlaPolicy;
use crate::text::{forbidden_char, quote, tidy, typed_key};
use crate::validate::{FieldError, REQUEST_ID_MAX, Reason, check_len};

pub const NOTE_MAX: usize = 2000;
/// A unit may promise at most this far ahead.
pub const PROMISE_MAX_MS: Millis = 365 * 24 * HOUR_MS;
pub const ATTACHMENTS_MAX: usize = 20;

/// A move as the caller asked for it, its fields in domain types. What each
/// move needs is checked by [`check_fields`] and [`apply`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoveInput {
    pub request_id: String,
    pub mv: Option<Move>,
    pub revision: u64,
    pub note: String,
    pub unit_id: String,
    pub topic_id: String,
    pub response: Option<FirstResponse>,
    pub promised_ms: Millis,
    pub reject_kind: Option<RejectKind>,
    /// A case number, in any digits.
    pub duplicate_of: String,
    pub follow_up: String,
    pub delay_reason: Option<DelayReason>,
    pub attachment_ids: Vec<String>,
    /// Feedback: 1 to 5.
    pub satisfaction: u8,
}

/// Why a move was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The caller read an older revision than the case has now.
    #[error("the case has changed: it is at revision {current}, the move was made on {given}")]
    Stale { current: u64, given: u64 },
}

fn need_note(mv: Move) -> bool {
    !matches!(
        mv,
        Move::Acknowledge
            | Move::Arrive
            | Move::Transfer
            | Move::Reroute
            | Move::AssignFollowUp
            | Move::Resume
            | Move::Respond
            | Move::Feedback
            | Move::Unreachable
    )
}

/// Checks what can be checked without the case: the request id, the note's
/// length and characters, and that each move has its fields. Returns the
/// input tidied (the note trimmed, the duplicate's number in ASCII digits).
pub fn check_fields(mut input: MoveInput) -> Result<(Move, MoveInput), FieldError> {
    let request_id = input.request_id.trim().to_owned();
    check_len("request_id", &request_id, 1, REQUEST_ID_MAX)?;
    if !request_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
    {
        return Err(FieldError::new(
            "request_id",
            Reason::BadCharacters,
            "may hold only ASCII letters, digits and - _ . :",
        ));
    }
    input.request_id = request_id;
    let mv = input.mv.ok_or_else(|| FieldError::required("move"))?;
    for (field, text) in [
        ("note", &input.note),
        ("unit_id", &input.unit_id),
        ("topic_id", &input.topic_id),
        ("duplicate_of", &input.duplicate_of),
        ("follow_up", &input.follow_up),
    ] {
        if let Some(c) = forbidden_char(text) {
            return Err(FieldError::new(
                field,
                Reason::BadCharacters,
                format!(
                    "holds U+{:04X}, a control or direction-override character; type plain text",
                    u32::from(c)
                ),
            ));
        }
    }
    input.note = tidy(&input.note);
    let min = usize::from(
        need_note(mv) || (mv == Move::Respond && input.response == Some(FirstResponse::Done)),
    );
    check_len("note", &input.note, min, NOTE_MAX)?;
    input.unit_id = input.unit_id.trim().to_owned();
    input.topic_id = input.topic_id.trim().to_owned();
    input.follow_up = input.follow_up.trim().to_owned();
    input.duplicate_of = typed_key(&input.duplicate_of);
    if input.attachment_ids.len() > ATTACHMENTS_MAX {
        return Err(FieldError::new(
            "attachment_ids",
            Reason::TooLong,
            format!("at most {ATTACHMENTS_MAX} attachments a move"),
        )
        .with_limit(ATTACHMENTS_MAX));
    }
    for id in &input.attachment_ids {
        if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(FieldError::new(
                "attachment_ids",
                Reason::BadCharacters,
                format!("{} is not an attachment id", quote(id)),
            ));
        }
    }
    match mv {
        Move::Respond => {
            let response = input
                .response
                .ok_or_else(|| FieldError::required("response"))?;
            if response == FirstResponse::NeedsTime && input.promised_ms == 0 {
                return Err(FieldError::required("promised_ms"));
            }
        }
        Move::Reject => {
            let kind = input
                .reject_kind
                .ok_or_else(|| FieldError::required("reject_kind"))?;
            if kind == RejectKind::Duplicate && input.duplicate_of.is_empty() {
                return Err(FieldError::required("duplicate_of"));
            }
        }
        Move::Transfer if input.unit_id.is_empty() => {
            return Err(FieldError::required("unit_id"));
        }
        Move::Reroute if input.unit_id.is_empty() && input.topic_id.is_empty() => {
            return Err(FieldError::new(
                "unit_id",
                Reason::Required,
                "give the new unit_id, the new topic_id, or both",
            ));
        }
        Move::AssignFollowUp if input.follow_up.is_empty() => {
            return Err(FieldError::required("follow_up"));
        }
        Move::Feedback if input.satisfaction == 0 => {
            return Err(FieldError::required("satisfaction"));
        }
        Move::Feedback if input.satisfaction > 5 => {
            return Err(FieldError::new(
                "satisfaction",
                Reason::OutOfRange,
                "must be 1 to 5",
            ));
        }
        _ => {}
    }
    Ok((mv, input))
}

/// What [`apply`] needs besides the case and the move: the world it checks
/// the move's references against.
#[derive(Debug, Clone, Copy)]
pub struct World<'a> {
    pub catalog: &'a Catalog,
    pub policy: &'a SlaPolicy,
    pub now: Millis,
    /// The id of the case `duplicate_of` names, if one has that number.
    pub duplicate_id: Option<u64>,
    /// Whether `follow_up` names a dispatcher.
    pub follow_up_is_dispatcher: bool,
    pub callback: &'a CallBackPolicy,
}

/// The case after `mv` and the event that records it. The revision is
/// checked first, so a stale caller learns that before anything else; then
/// the table; then the move's references.
pub fn apply(
    case: &Case,
    caller: &Caller,
    mv: Move,
    input: &MoveInput,
    world: &World<'_>,
) -> Result<(Case, Vec<Event>), MoveError> {
    if input.revision != case.revision {
        return Err(MoveError::Stale {
            current: case.revision,
            given: input.revision,
        });
    }
    let mut next = moves::check(case, caller.role, mv)?;
    let now = world.now;
    let mut c = case.clone();
    if input.delay_reason.is_some() {
        c.delay_reason = input.delay_reason;
    }
    let kind = match mv {
        Move::Acknowledge => EventKind::Acknowledged,
        Move::Arrive => {
            c.clocks.meet(&[ClockKind::OnSite], now);
            EventKind::OnSite
        }
        Move::Respond => {
            let response = input
                .response
                .ok_or_else(|| FieldError::required("response"))?;
            next = moves::respond_state(response);
            c.clocks.meet(&[ClockKind::FirstResponse], now);
            match response {
                FirstResponse::Done => {
                    c.clocks.meet(&[], now);
                    EventKind::Resolved
                }
                FirstResponse::NeedsTime => {
                    if input.promised_ms <= now || input.promised_ms > now + PROMISE_MAX_MS {
                        return Err(FieldError::new(
                            "promised_ms",
                            Reason::OutOfRange,
                            "must be later than now and at most 365 days ahead",
                        )
                        .into());
                    }
                    c.promised_ms = input.promised_ms;
                    c.clocks.start(ClockKind::Promised, now).fixed_due_ms = input.promised_ms;
                    EventKind::InProgress {
                        promised_ms: input.promised_ms,
                    }
                }
            }
        }
        Move::Resolve => {
            c.clocks.meet(&[], now);
            c.transferred_to.clear();
            EventKind::Resolved
        }
        Move::Defer => {
            c.resume_to = Some(case.status);
            c.clocks.pause_all(now);
            EventKind::Deferred
        }
        Move::Reject => {
            let reject_kind = input
                .reject_kind
                .ok_or_else(|| FieldError::required("reject_kind"))?;
            if reject_kind == RejectKind::Duplicate {
                match world.duplicate_id {
                    Some(id) if id != case.id => {}
                    Some(_) => {
                        return Err(FieldError::new(
                            "duplicate_of",
                            Reason::UnknownCase,
                            "names this case itself",
                        )
                        .into());
                    }
                    None => {
                        return Err(FieldError::new(
                            "duplicate_of",
                            Reason::UnknownCase,
                            format!("no case has number {}", quote(&input.duplicate_of)),
                        )
                        .into());
                    }
                }
                c.duplicate_of = input.duplicate_of.clone();
            }
            c.reject_kind = Some(reject_kind);
            c.clocks.meet(&[], now);
            EventKind::Rejected {
                reject_kind: Some(reject_kind),
                duplicate_of: c.duplicate_of.clone(),
            }
        }
        Move::Transfer => {
            unit_of_kind(world.catalog, "unit_id", &input.unit_id, UnitKind::External)?;
            c.resume_to = Some(case.status);
            c.transferred_to = input.unit_id.clone();
            c.clocks.pause_all(now);
            EventKind::Transferred {
                unit_id: input.unit_id.clone(),
            }
        }
        Move::Resume => {
            c.resume_to = None;
            c.transferred_to.clear();
            c.clocks.resume_all(now);
            EventKind::Resumed
        }
        Move::Reroute => reroute(&mut c, input, world)?,
        Move::AssignFollowUp => {
            if !world.follow_up_is_dispatcher {
                return Err(FieldError::new(
                    "follow_up",
                    Reason::UnknownUser,
                    format!("no dispatcher is named {}", quote(&input.follow_up)),
                )
                .into());
            }
            c.follow_up = input.follow_up.clone();
            EventKind::FollowUp {
                user: input.follow_up.clone(),
            }
        }
        Move::Note => EventKind::Note,
        Move::Escalate => {
            let due = c.next_due_ms;
            match clocks::escalate(
                &mut c,
                world.policy,
                None,
                due,
                now,
                &caller.name,
                &input.note,
            ) {
                Some(event) => event.kind,
                None => {
                    return Err(Refusal::State {
                        status: case.status,
                        mv,
                        allowed: moves::allowed_moves(case, caller.role)
                            .into_iter()
                            .filter(|m| *m != Move::Escalate)
                            .collect(),
                    }
                    .into());
                }
            }
        }
        Move::Reopen => {
            c.clocks.start(ClockKind::Result, now).after_reopen = true;
            c.feedback.reopens += 1;
            c.feedback.tries = 0;
            c.feedback.satisfaction = 0;
            c.feedback.unreachable = false;
            EventKind::Reopened
        }
        Move::Close => {
            c.clocks.meet(&[], now);
            EventKind::Closed
        }
        Move::Feedback => {
            c.feedback.satisfaction = input.satisfaction;
            EventKind::Feedback {
                satisfaction: input.satisfaction,
            }
        }
        Move::Unreachable => {
            c.feedback.tries += 1;
            next = moves::unreachable_state(c.feedback.tries, world.callback.max_tries());
            c.feedback.unreachable = next == crate::model::CaseStatus::Closed;
            EventKind::Unreachable {
                tries: c.feedback.tries,
            }
        }
    };
    c.status = next;
    c.revision = case.revision + 1;
    feedback::record_timings(
        case,
        &mut c,
        &clocks::Allowances::for_case(world.policy, case),
    );
    if matches!(kind, EventKind::Resolved) {
        c.feedback.resolved_at_ms = now;
        c.feedback.tries = 0;
    }
    c.feedback.call_due_ms = match kind {
        EventKind::Resolved if feedback::enters_queue(case, &c) => now,
        EventKind::Unreachable { .. } if next != crate::model::CaseStatus::Closed => {
            now.saturating_add(world.callback.retry_ms())
        }
        _ if matches!(
            c.status,
            crate::model::CaseStatus::Resolved | crate::model::CaseStatus::AwaitingFeedback
        ) =>
        {
            case.feedback.call_due_ms
        }
        _ => 0,
    };
    clocks::refresh(&mut c, world.policy);
    let mut event = Event::new(now, &caller.name, kind, input.note.clone()).by(caller.role, mv);
    event.attachment_ids = input.attachment_ids.clone();
    Ok((c, vec![event]))
}

fn unit_of_kind(
    catalog: &Catalog,
    field: &'static str,
    id: &str,
    kind: UnitKind,
) -> Result<(), FieldError> {
    let unit = catalog.unit(id).ok_or_else(|| {
        FieldError::new(
            field,
            Reason::UnknownUnit,
            format!("no unit has id {}", quote(id)),
        )
    })?;
    if unit.kind != kind {
        let wanted = match kind {
            UnitKind::External => "an external organisation",
            UnitKind::Regional => "a regional executive unit",
            UnitKind::Coordination => "the coordination center",
        };
        return Err(FieldError::new(
            field,
            Reason::WrongUnitKind,
            format!("{} is not {wanted}", quote(id)),
        ));
    }
    Ok(())
}

/// Another unit, another topic, or both; a topic alone re-routes the case to
/// the unit the catalog gives that topic in the case's region.
fn reroute(c: &mut Case, input: &MoveInput, world: &World<'_>) -> Result<EventKind, MoveError> {
    let (from_unit, from_topic) = (c.unit_id.clone(), c.topic_id.clone());
    if !input.topic_id.is_empty() {
        let topic = world.catalog.topic(&input.topic_id).ok_or_else(|| {
            FieldError::new(
                "topic_id",
                Reason::UnknownTopic,
                format!("no topic has id {}", quote(&input.topic_id)),
            )
        })?;
        if topic.kind != c.kind {
            return Err(FieldError::new(
                "topic_id",
                Reason::WrongUnitKind,
                "the new topic is of another kind than the case",
            )
            .into());
        }
        c.topic_id = topic.id.clone();
        if input.unit_id.is_empty() {
            let unit = world.catalog.route(topic, c.region).ok_or_else(|| {
                FieldError::new(
                    "topic_id",
                    Reason::UnknownUnit,
                    "no unit serves this topic in the case's region",
                )
            })?;
            c.unit_id = unit.id.clone();
        }
    }
    if !input.unit_id.is_empty() {
        unit_of_kind(world.catalog, "unit_id", &input.unit_id, UnitKind::Regional)?;
        c.unit_id = input.unit_id.clone();
    }
    if (c.unit_id == from_unit) && (c.topic_id == from_topic) {
        let field = if input.unit_id.is_empty() {
            "topic_id"
        } else {
            "unit_id"
        };
        return Err(FieldError::new(field, Reason::Unchanged, "the case is already there").into());
    }
    Ok(EventKind::Rerouted {
        from_unit_id: from_unit,
        unit_id: c.unit_id.clone(),
        from_topic_id: from_topic,
        topic_id: c.topic_id.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clocks::ClockLog;
    use crate::model::{CaseStatus, Role, Urgency};

    fn caller(role: Role) -> Caller {
        Caller {
            name: "someone".into(),
            role,
            unit_id: "r03-urban_services".into(),
        }
    }

    fn input(mv: Move, note: &str) -> MoveInput {
        MoveInput {
            request_id: "r-1".into(),
            mv: Some(mv),
            revision: 1,
            note: note.into(),
            ..MoveInput::default()
        }
    }

    fn run(case: &Case, role: Role, input: MoveInput) -> Result<(Case, Vec<Event>), MoveError> {
        let catalog = Catalog::default_catalog().unwrap();
        let policy = SlaPolicy::default();
        let (mv, input) = check_fields(input)?;
        let world = World {
            catalog: &catalog,
            policy: &policy,
            now: 10 * HOUR_MS,
            duplicate_id: Some(2),
            follow_up_is_dispatcher: true,
            callback: &CallBackPolicy::default(),
        };
        apply(case, &caller(role), mv, &input, &world)
    }

    fn referred() -> Case {
        let mut c = crate::moves::tests::case(CaseStatus::Referred, Urgency::Normal);
        clocks::start_for_new(&mut c);
        c
    }

    fn field(r: Result<(Case, Vec<Event>), MoveError>) -> &'static str {
        match r {
            Err(MoveError::Field(f)) => f.field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_move_names_its_missing_field() {
        let c = referred();
        assert_eq!(field(run(&c, Role::Unit, input(Move::Defer, " "))), "note");
        assert_eq!(
            field(run(&c, Role::Unit, input(Move::Respond, ""))),
            "response"
        );
        let mut later = input(Move::Respond, "");
        later.response = Some(FirstResponse::NeedsTime);
        assert_eq!(field(run(&c, Role::Unit, later.clone())), "promised_ms");
        later.promised_ms = 10 * HOUR_MS + PROMISE_MAX_MS + 1;
        assert_eq!(field(run(&c, Role::Unit, later)), "promised_ms");
        let mut dup = input(Move::Reject, "تکراری");
        dup.reject_kind = Some(RejectKind::Duplicate);
        assert_eq!(field(run(&c, Role::Unit, dup.clone())), "duplicate_of");
        dup.duplicate_of = "۱۴۰۵-۰۰۰۰۰۱".into();
        // The world's duplicate is case 2, not this one (1): accepted.
        let (rejected, events) = run(&c, Role::Unit, dup).unwrap();
        assert_eq!(rejected.duplicate_of, "1405-000001");
        assert_eq!(rejected.status, CaseStatus::Rejected);
        assert!(rejected.clocks.0.iter().all(|k| k.met_at_ms().is_some()));
        assert_eq!(events[0].mv, Some(Move::Reject));
        let mut bidi = input(Move::Note, "a\u{202e}b");
        assert_eq!(field(run(&c, Role::Agent, bidi.clone())), "note");
        bidi.note = "x".repeat(NOTE_MAX + 1);
        assert_eq!(field(run(&c, Role::Agent, bidi)), "note");
    }

    #[test]
    fn a_stale_revision_is_told_before_anything_else() {
        let c = referred();
        let mut old = input(Move::Arrive, "");
        old.revision = 0;
        assert_eq!(
            run(&c, Role::Agent, old),
            Err(MoveError::Stale {
                current: 1,
                given: 0
            })
        );
    }

    #[test]
    fn reroute_and_transfer_check_their_units() {
        let c = referred();
        let mut same = input(Move::Reroute, "");
        same.unit_id = c.unit_id.clone();
        assert_eq!(field(run(&c, Role::Dispatcher, same)), "unit_id");
        let mut to = input(Move::Reroute, "");
        to.unit_id = "r05-urban_services".into();
        let (moved, events) = run(&c, Role::Dispatcher, to).unwrap();
        assert_eq!(moved.unit_id, "r05-urban_services");
        assert_eq!(moved.revision, 2);
        assert_eq!(
            events[0].kind,
            EventKind::Rerouted {
                from_unit_id: "r03-urban_services".into(),
                unit_id: "r05-urban_services".into(),
                from_topic_id: c.topic_id.clone(),
                topic_id: c.topic_id.clone(),
            }
        );
        let catalog = Catalog::default_catalog().unwrap();
        let external = catalog
            .units
            .iter()
            .find(|u| u.kind == UnitKind::External)
            .unwrap();
        let mut transfer = input(Move::Transfer, "");
        transfer.unit_id = external.id.clone();
        let (away, _) = run(&c, Role::Dispatcher, transfer).unwrap();
        assert_eq!(away.status, CaseStatus::Transferred);
        assert_eq!(away.resume_to, Some(CaseStatus::Referred));
        assert!(away.clocks.0.iter().all(ClockLog::is_paused));
        assert_eq!(away.next_due_ms, 0);
        let mut back = input(Move::Resume, "");
        back.revision = 2;
        let (resumed, _) = run(&away, Role::Unit, back).unwrap();
        assert_eq!(resumed.status, CaseStatus::Referred);
        assert!(resumed.clocks.0.iter().all(ClockLog::is_running));
    }
}
