//! Case heads and timeline events as stored: protobuf messages (layout 2).
//!
//! Protobuf tolerates change in both directions: a reader skips the fields it
//! does not know and fills the ones a record lacks with their defaults. So a
//! field is added by giving it a new tag, never by renumbering; a tag once
//! used is never reused. Enums are stored as fixed numbers of their own
//! (the tables below, `CaseStatus::code`, `EventCode::number`), not as
//! positions, so adding a value or reordering a Rust enum changes nothing on
//! disk. Zero never names a value: it is what a missing field reads as.

use super::codec::{self, CodecError};
use super::legacy;
use crate::domain::clocks::{ClockKind, ClockLog, Clocks, Entry, Mark};
use crate::domain::event::{Event, EventCode, EventKind, Parts};
use crate::domain::feedback::{ClockTiming, FeedbackState};
use crate::domain::model::{Case, CaseStatus, Channel, Kind, Role, Urgency};
use crate::domain::moves::{DelayReason, Move, RejectKind};
use crate::domain::sla::Deadlines;
use prost::Message;

/// The layout byte in front of every case head and event written as protobuf.
pub const LAYOUT: u8 = 2;

#[derive(Clone, PartialEq, Message)]
pub struct CaseRecord {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(string, tag = "2")]
    pub number: String,
    #[prost(string, tag = "3")]
    pub request_id: String,
    #[prost(uint32, tag = "4")]
    pub channel: u32,
    #[prost(uint32, tag = "5")]
    pub kind: u32,
    #[prost(uint32, tag = "6")]
    pub urgency: u32,
    #[prost(string, tag = "7")]
    pub topic_id: String,
    #[prost(string, tag = "8")]
    pub description: String,
    #[prost(string, tag = "9")]
    pub phone: String,
    #[prost(uint32, tag = "10")]
    pub region: u32,
    #[prost(string, tag = "11")]
    pub address: String,
    #[prost(string, tag = "12")]
    pub landmark: String,
    #[prost(string, tag = "13")]
    pub unit_id: String,
    #[prost(bool, tag = "14")]
    pub coordination: bool,
    #[prost(uint32, tag = "15")]
    pub status: u32,
    #[prost(int64, tag = "16")]
    pub created_at_ms: i64,
    #[prost(string, tag = "17")]
    pub created_by: String,
    #[prost(message, optional, tag = "18")]
    pub deadlines: Option<DeadlinesRecord>,
    /// 0 in heads written before revisions were counted.
    #[prost(uint64, tag = "19")]
    pub revision: u64,
    #[prost(uint32, tag = "20")]
    pub escalation_level: u32,
    #[prost(int64, tag = "21")]
    pub promised_ms: i64,
    #[prost(string, tag = "22")]
    pub follow_up: String,
    /// [`reject_kind_number`]; 0: none.
    #[prost(uint32, tag = "23")]
    pub reject_kind: u32,
    #[prost(string, tag = "24")]
    pub duplicate_of: String,
    #[prost(string, tag = "25")]
    pub transferred_to: String,
    /// A [`CaseStatus::code`]; 0: none.
    #[prost(uint32, tag = "26")]
    pub resume_to: u32,
    #[prost(message, repeated, tag = "27")]
    pub clocks: Vec<ClockRecord>,
    /// [`delay_reason_number`]; 0: none.
    #[prost(uint32, tag = "28")]
    pub delay_reason: u32,
    #[prost(int64, tag = "29")]
    pub next_due_ms: i64,
    /// The caller's citizen record. Heads written before citizens existed
    /// hold `phone` instead, until the migration moves it out.
    #[prost(string, tag = "30")]
    pub citizen_id: String,
    /// Absent (false) in heads written before the Shahrban line.
    #[prost(bool, tag = "31")]
    pub shahrban: bool,
    /// Absent in heads written before the call-back.
    #[prost(message, optional, tag = "60")]
    pub feedback: Option<FeedbackRecord>,
}

#[derive(Clone, PartialEq, Message)]
pub struct FeedbackRecord {
    #[prost(int64, tag = "1")]
    pub resolved_at_ms: i64,
    #[prost(int64, tag = "2")]
    pub call_due_ms: i64,
    #[prost(uint32, tag = "3")]
    pub tries: u32,
    #[prost(uint32, tag = "4")]
    pub satisfaction: u32,
    #[prost(bool, tag = "5")]
    pub unreachable: bool,
    #[prost(uint32, tag = "6")]
    pub reopens: u32,
    #[prost(message, repeated, tag = "7")]
    pub timings: Vec<TimingRecord>,
}

#[derive(Clone, Copy, PartialEq, Message)]
pub struct TimingRecord {
    #[prost(uint32, tag = "1")]
    pub index: u32,
    /// [`ClockKind::number`].
    #[prost(uint32, tag = "2")]
    pub kind: u32,
    #[prost(int64, tag = "3")]
    pub allowance_ms: i64,
    #[prost(int64, tag = "4")]
    pub late_ms: i64,
}

impl From<&FeedbackState> for FeedbackRecord {
    fn from(f: &FeedbackState) -> Self {
        Self {
            resolved_at_ms: f.resolved_at_ms,
            call_due_ms: f.call_due_ms,
            tries: f.tries,
            satisfaction: u32::from(f.satisfaction),
            unreachable: f.unreachable,
            reopens: f.reopens,
            timings: f
                .timings
                .iter()
                .map(|t| TimingRecord {
                    index: t.index,
                    kind: u32::from(t.kind.number()),
                    allowance_ms: t.allowance_ms,
                    late_ms: t.late_ms,
                })
                .collect(),
        }
    }
}

impl TryFrom<FeedbackRecord> for FeedbackState {
    type Error = CodecError;

    fn try_from(r: FeedbackRecord) -> Result<Self, CodecError> {
        Ok(Self {
            resolved_at_ms: r.resolved_at_ms,
            call_due_ms: r.call_due_ms,
            tries: r.tries,
            satisfaction: u8::try_from(r.satisfaction)
                .ok()
                .filter(|s| *s <= 5)
                .ok_or_else(|| unknown("satisfaction", r.satisfaction))?,
            unreachable: r.unreachable,
            reopens: r.reopens,
            timings: r
                .timings
                .into_iter()
                .map(|t| {
                    Ok(ClockTiming {
                        index: t.index,
                        kind: clock_from(t.kind)?.ok_or_else(|| unknown("clock", t.kind))?,
                        allowance_ms: t.allowance_ms,
                        late_ms: t.late_ms,
                    })
                })
                .collect::<Result<_, CodecError>>()?,
        })
    }
}

#[derive(Clone, PartialEq, Message)]
pub struct ClockRecord {
    /// [`ClockKind::number`].
    #[prost(uint32, tag = "1")]
    pub kind: u32,
    #[prost(int64, tag = "2")]
    pub fixed_due_ms: i64,
    #[prost(bool, tag = "3")]
    pub after_reopen: bool,
    #[prost(message, repeated, tag = "4")]
    pub entries: Vec<ClockEntryRecord>,
    #[prost(bool, tag = "5")]
    pub warned: bool,
    #[prost(bool, tag = "6")]
    pub breached: bool,
    #[prost(uint32, tag = "7")]
    pub escalations: u32,
}

#[derive(Clone, Copy, PartialEq, Message)]
pub struct ClockEntryRecord {
    #[prost(int64, tag = "1")]
    pub at_ms: i64,
    /// [`Mark::number`].
    #[prost(uint32, tag = "2")]
    pub mark: u32,
}

#[derive(Clone, Copy, PartialEq, Message)]
pub struct DeadlinesRecord {
    #[prost(int64, tag = "1")]
    pub first_response_ms: i64,
    #[prost(int64, tag = "2")]
    pub on_site_ms: i64,
    #[prost(int64, tag = "3")]
    pub result_ms: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct EventRecord {
    #[prost(int64, tag = "1")]
    pub at_ms: i64,
    #[prost(string, tag = "2")]
    pub actor: String,
    /// [`EventCode::number`].
    #[prost(uint32, tag = "3")]
    pub code: u32,
    #[prost(string, tag = "4")]
    pub note: String,
    /// The payload of the kinds that name a unit.
    #[prost(string, tag = "5")]
    pub unit_id: String,
    /// [`role_number`]; 0 for the system and for older events.
    #[prost(uint32, tag = "6")]
    pub role: u32,
    /// [`move_number`]; 0: no move.
    #[prost(uint32, tag = "7")]
    pub mv: u32,
    #[prost(string, tag = "8")]
    pub from_unit_id: String,
    #[prost(string, tag = "9")]
    pub from_topic_id: String,
    #[prost(string, tag = "10")]
    pub topic_id: String,
    /// [`ClockKind::number`]; 0: none.
    #[prost(uint32, tag = "11")]
    pub clock: u32,
    #[prost(int64, tag = "12")]
    pub due_ms: i64,
    #[prost(uint32, tag = "13")]
    pub level: u32,
    #[prost(string, tag = "14")]
    pub recipient: String,
    #[prost(string, tag = "15")]
    pub letter: String,
    #[prost(uint32, tag = "16")]
    pub delay_reason: u32,
    #[prost(uint32, tag = "17")]
    pub reject_kind: u32,
    #[prost(string, tag = "18")]
    pub duplicate_of: String,
    #[prost(string, tag = "19")]
    pub follow_up: String,
    #[prost(int64, tag = "20")]
    pub promised_ms: i64,
    #[prost(string, repeated, tag = "21")]
    pub attachment_ids: Vec<String>,
    /// Feedback: the satisfaction; unreachable: the tries so far.
    #[prost(uint32, tag = "60")]
    pub count: u32,
}

/// Stored numbers of the lifecycle's enums: the contract's numbers, fixed
/// here so a reordered Rust enum changes nothing on disk. Append only.
const ROLES: [(Role, u32); 6] = [
    (Role::Agent, 1),
    (Role::Dispatcher, 2),
    (Role::Unit, 3),
    (Role::Supervisor, 4),
    (Role::Admin, 5),
    (Role::Portal, 6),
];
const MOVES: [(Move, u32); 16] = [
    (Move::Acknowledge, 1),
    (Move::Arrive, 2),
    (Move::Respond, 3),
    (Move::Resolve, 4),
    (Move::Defer, 5),
    (Move::Reject, 6),
    (Move::Transfer, 7),
    (Move::Reroute, 8),
    (Move::AssignFollowUp, 9),
    (Move::Note, 10),
    (Move::Escalate, 11),
    (Move::Reopen, 12),
    (Move::Close, 13),
    (Move::Resume, 14),
    (Move::Feedback, 15),
    (Move::Unreachable, 16),
];
const REJECT_KINDS: [(RejectKind, u32); 3] = [
    (RejectKind::FalseReport, 1),
    (RejectKind::NotMunicipal, 2),
    (RejectKind::Duplicate, 3),
];
const DELAY_REASONS: [(DelayReason, u32); 5] = [
    (DelayReason::NoAccess, 1),
    (DelayReason::NeedsOtherOrg, 2),
    (DelayReason::NeedsBudget, 3),
    (DelayReason::Weather, 4),
    (DelayReason::Other, 5),
];

pub(crate) fn role_number(role: Option<Role>) -> u32 {
    number_of(&ROLES, role)
}

pub(crate) fn role_from(n: u32) -> Result<Option<Role>, CodecError> {
    value_of(&ROLES, "role", n)
}

fn number_of<T: PartialEq + Copy>(table: &[(T, u32)], v: Option<T>) -> u32 {
    v.and_then(|v| table.iter().find(|(t, _)| *t == v).map(|(_, n)| *n))
        .unwrap_or(0)
}

/// 0 is `None`; a number this build does not know is an error.
fn value_of<T: Copy>(table: &[(T, u32)], what: &str, n: u32) -> Result<Option<T>, CodecError> {
    if n == 0 {
        return Ok(None);
    }
    table
        .iter()
        .find(|(_, m)| *m == n)
        .map(|(t, _)| Some(*t))
        .ok_or_else(|| unknown(what, n))
}

fn clock_from(n: u32) -> Result<Option<ClockKind>, CodecError> {
    if n == 0 {
        return Ok(None);
    }
    ClockKind::from_number(n)
        .map(Some)
        .ok_or_else(|| unknown("clock", n))
}

impl From<&ClockLog> for ClockRecord {
    fn from(c: &ClockLog) -> Self {
        Self {
            kind: u32::from(c.kind.number()),
            fixed_due_ms: c.fixed_due_ms,
            after_reopen: c.after_reopen,
            entries: c
                .entries
                .iter()
                .map(|e| ClockEntryRecord {
                    at_ms: e.at_ms,
                    mark: u32::from(e.mark.number()),
                })
                .collect(),
            warned: c.warned,
            breached: c.breached,
            escalations: c.escalations,
        }
    }
}

impl TryFrom<ClockRecord> for ClockLog {
    type Error = CodecError;

    fn try_from(r: ClockRecord) -> Result<Self, CodecError> {
        Ok(Self {
            kind: clock_from(r.kind)?.ok_or_else(|| unknown("clock", 0))?,
            fixed_due_ms: r.fixed_due_ms,
            after_reopen: r.after_reopen,
            entries: r
                .entries
                .iter()
                .map(|e| {
                    Ok(Entry {
                        at_ms: e.at_ms,
                        mark: Mark::from_number(e.mark)
                            .ok_or_else(|| unknown("clock mark", e.mark))?,
                    })
                })
                .collect::<Result<_, CodecError>>()?,
            warned: r.warned,
            breached: r.breached,
            escalations: r.escalations,
        })
    }
}

/// The stored number of each channel. Append only.
pub fn channel_number(channel: Channel) -> u32 {
    match channel {
        Channel::Phone => 1,
        Channel::App => 2,
        Channel::Portal => 3,
        Channel::Social => 4,
    }
}

fn channel_from(n: u32) -> Option<Channel> {
    Some(match n {
        1 => Channel::Phone,
        2 => Channel::App,
        3 => Channel::Portal,
        4 => Channel::Social,
        _ => return None,
    })
}

/// The stored number of each kind. Append only.
pub fn kind_number(kind: Kind) -> u32 {
    match kind {
        Kind::Informational => 1,
        Kind::Executive => 2,
    }
}

fn kind_from(n: u32) -> Option<Kind> {
    Some(match n {
        1 => Kind::Informational,
        2 => Kind::Executive,
        _ => return None,
    })
}

/// The stored number of each urgency. Append only.
pub fn urgency_number(urgency: Urgency) -> u32 {
    match urgency {
        Urgency::Normal => 1,
        Urgency::Urgent => 2,
    }
}

fn urgency_from(n: u32) -> Option<Urgency> {
    Some(match n {
        1 => Urgency::Normal,
        2 => Urgency::Urgent,
        _ => return None,
    })
}

fn unknown(what: &str, n: u32) -> CodecError {
    CodecError::Value(format!(
        "{what} number {n} is unknown to this build (written by a newer one?)"
    ))
}

impl From<&Case> for CaseRecord {
    fn from(case: &Case) -> Self {
        Self {
            id: case.id,
            number: case.number.clone(),
            request_id: case.request_id.clone(),
            channel: channel_number(case.channel),
            kind: kind_number(case.kind),
            urgency: urgency_number(case.urgency),
            topic_id: case.topic_id.clone(),
            description: case.description.clone(),
            phone: case.phone.clone(),
            region: case.region,
            address: case.address.clone(),
            landmark: case.landmark.clone(),
            unit_id: case.unit_id.clone(),
            coordination: case.coordination,
            status: u32::from(case.status.code()),
            created_at_ms: case.created_at_ms,
            created_by: case.created_by.clone(),
            deadlines: Some(DeadlinesRecord {
                first_response_ms: case.deadlines.first_response_ms,
                on_site_ms: case.deadlines.on_site_ms,
                result_ms: case.deadlines.result_ms,
            }),
            revision: case.revision,
            escalation_level: case.escalation_level,
            promised_ms: case.promised_ms,
            follow_up: case.follow_up.clone(),
            reject_kind: number_of(&REJECT_KINDS, case.reject_kind),
            duplicate_of: case.duplicate_of.clone(),
            transferred_to: case.transferred_to.clone(),
            resume_to: case.resume_to.map_or(0, |s| u32::from(s.code())),
            clocks: case.clocks.0.iter().map(ClockRecord::from).collect(),
            delay_reason: number_of(&DELAY_REASONS, case.delay_reason),
            next_due_ms: case.next_due_ms,
            citizen_id: case.citizen_id.clone(),
            shahrban: case.shahrban,
            feedback: (case.feedback != FeedbackState::default())
                .then(|| FeedbackRecord::from(&case.feedback)),
        }
    }
}

impl TryFrom<CaseRecord> for Case {
    type Error = CodecError;

    fn try_from(r: CaseRecord) -> Result<Self, CodecError> {
        let status = u8::try_from(r.status)
            .ok()
            .and_then(CaseStatus::from_code)
            .ok_or_else(|| unknown("status", r.status))?;
        let deadlines = r.deadlines.unwrap_or_default();
        Ok(Case {
            id: r.id,
            number: r.number,
            request_id: r.request_id,
            channel: channel_from(r.channel).ok_or_else(|| unknown("channel", r.channel))?,
            kind: kind_from(r.kind).ok_or_else(|| unknown("kind", r.kind))?,
            urgency: urgency_from(r.urgency).ok_or_else(|| unknown("urgency", r.urgency))?,
            topic_id: r.topic_id,
            description: r.description,
            phone: r.phone,
            region: r.region,
            address: r.address,
            landmark: r.landmark,
            unit_id: r.unit_id,
            coordination: r.coordination,
            status,
            created_at_ms: r.created_at_ms,
            created_by: r.created_by,
            deadlines: Deadlines {
                first_response_ms: deadlines.first_response_ms,
                on_site_ms: deadlines.on_site_ms,
                result_ms: deadlines.result_ms,
            },
            revision: r.revision,
            escalation_level: r.escalation_level,
            promised_ms: r.promised_ms,
            follow_up: r.follow_up,
            reject_kind: value_of(&REJECT_KINDS, "reject kind", r.reject_kind)?,
            duplicate_of: r.duplicate_of,
            transferred_to: r.transferred_to,
            resume_to: match r.resume_to {
                0 => None,
                n => Some(
                    u8::try_from(n)
                        .ok()
                        .and_then(CaseStatus::from_code)
                        .ok_or_else(|| unknown("status", n))?,
                ),
            },
            clocks: Clocks(
                r.clocks
                    .into_iter()
                    .map(ClockLog::try_from)
                    .collect::<Result<_, _>>()?,
            ),
            delay_reason: value_of(&DELAY_REASONS, "delay reason", r.delay_reason)?,
            next_due_ms: r.next_due_ms,
            citizen_id: r.citizen_id,
            shahrban: r.shahrban,
            feedback: r
                .feedback
                .map(FeedbackState::try_from)
                .transpose()?
                .unwrap_or_default(),
        })
    }
}

impl From<&Event> for EventRecord {
    fn from(event: &Event) -> Self {
        let p = event.kind.parts();
        Self {
            at_ms: event.at_ms,
            actor: event.actor.clone(),
            code: u32::from(event.kind.code().number()),
            note: event.note.clone(),
            unit_id: p.unit_id,
            role: number_of(&ROLES, event.role),
            mv: number_of(&MOVES, event.mv),
            from_unit_id: p.from_unit_id,
            from_topic_id: p.from_topic_id,
            topic_id: p.topic_id,
            clock: p.clock.map_or(0, |c| u32::from(c.number())),
            due_ms: p.due_ms,
            level: p.level,
            recipient: p.recipient,
            letter: p.letter,
            delay_reason: number_of(&DELAY_REASONS, p.delay_reason),
            reject_kind: number_of(&REJECT_KINDS, p.reject_kind),
            duplicate_of: p.duplicate_of,
            follow_up: p.follow_up,
            promised_ms: p.promised_ms,
            attachment_ids: event.attachment_ids.clone(),
            count: p.count,
        }
    }
}

impl TryFrom<EventRecord> for Event {
    type Error = CodecError;

    fn try_from(r: EventRecord) -> Result<Self, CodecError> {
        let code = EventCode::from_number(r.code).ok_or_else(|| unknown("event code", r.code))?;
        let parts = Parts {
            unit_id: r.unit_id,
            from_unit_id: r.from_unit_id,
            from_topic_id: r.from_topic_id,
            topic_id: r.topic_id,
            clock: clock_from(r.clock)?,
            due_ms: r.due_ms,
            level: r.level,
            recipient: r.recipient,
            letter: r.letter,
            delay_reason: value_of(&DELAY_REASONS, "delay reason", r.delay_reason)?,
            reject_kind: value_of(&REJECT_KINDS, "reject kind", r.reject_kind)?,
            duplicate_of: r.duplicate_of,
            follow_up: r.follow_up,
            promised_ms: r.promised_ms,
            count: r.count,
        };
        let kind = EventKind::from_parts(code, &parts).ok_or_else(|| {
            CodecError::Value(format!("a {} event without its payload", code.as_str()))
        })?;
        Ok(Event {
            at_ms: r.at_ms,
            actor: r.actor,
            kind,
            note: r.note,
            role: value_of(&ROLES, "role", r.role)?,
            mv: value_of(&MOVES, "move", r.mv)?,
            attachment_ids: r.attachment_ids,
        })
    }
}

fn encode_message(message: &impl Message) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1 + message.encoded_len());
    bytes.push(LAYOUT);
    // Encoding into a Vec only fails for want of capacity, which a Vec grows.
    let _ = message.encode(&mut bytes);
    bytes
}

pub fn encode_case(case: &Case) -> Vec<u8> {
    encode_message(&CaseRecord::from(case))
}

pub fn encode_event(event: &Event) -> Vec<u8> {
    encode_message(&EventRecord::from(event))
}

/// A stored case head, whichever layout wrote it.
pub fn decode_case(bytes: &[u8]) -> Result<Case, CodecError> {
    match bytes.split_first() {
        None => Err(CodecError::Empty),
        Some((&LAYOUT, body)) => CaseRecord::decode(body)
            .map_err(|e| CodecError::Value(e.to_string()))?
            .try_into(),
        Some((&legacy::LAYOUT, body)) => Ok(legacy::decode_case(body)?.0),
        Some((&other, _)) => Err(CodecError::Version(other)),
    }
}

/// A case head of layout 1 with the timeline it embeds; `None` for any
/// other layout (its timeline is in the events tree).
pub fn decode_legacy_case(bytes: &[u8]) -> Result<Option<(Case, Vec<Event>)>, CodecError> {
    match bytes.split_first() {
        Some((&legacy::LAYOUT, body)) => legacy::decode_case(body).map(Some),
        Some(_) => Ok(None),
        None => Err(CodecError::Empty),
    }
}

/// One stored timeline event. Only layout 2 ever wrote events on their own.
pub fn decode_event(bytes: &[u8]) -> Result<Event, CodecError> {
    match bytes.split_first() {
        None => Err(CodecError::Empty),
        Some((&LAYOUT, body)) => EventRecord::decode(body)
            .map_err(|e| CodecError::Value(e.to_string()))?
            .try_into(),
        Some((&other, _)) => Err(CodecError::Version(other)),
    }
}

/// Whether a stored case head is of the current layout.
pub fn is_current(bytes: &[u8]) -> bool {
    bytes.first() == Some(&LAYOUT)
}

// Counters and catalog rows stay in the scalar layout of `codec`; a case
// head must never be mistaken for one.
const _: () = assert!(LAYOUT != codec::VERSION);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::case;

    /// The case record as a later build might have it: one field more.
    #[derive(Clone, PartialEq, Message)]
    struct CaseRecordNext {
        #[prost(uint64, tag = "1")]
        id: u64,
        #[prost(string, tag = "2")]
        number: String,
        #[prost(string, tag = "3")]
        request_id: String,
        #[prost(uint32, tag = "4")]
        channel: u32,
        #[prost(uint32, tag = "5")]
        kind: u32,
        #[prost(uint32, tag = "6")]
        urgency: u32,
        #[prost(string, tag = "7")]
        topic_id: String,
        #[prost(string, tag = "8")]
        description: String,
        #[prost(string, tag = "9")]
        phone: String,
        #[prost(uint32, tag = "10")]
        region: u32,
        #[prost(string, tag = "11")]
        address: String,
        #[prost(string, tag = "12")]
        landmark: String,
        #[prost(string, tag = "13")]
        unit_id: String,
        #[prost(bool, tag = "14")]
        coordination: bool,
        #[prost(uint32, tag = "15")]
        status: u32,
        #[prost(int64, tag = "16")]
        created_at_ms: i64,
        #[prost(string, tag = "17")]
        created_by: String,
        #[prost(message, optional, tag = "18")]
        deadlines: Option<DeadlinesRecord>,
        /// The new field.
        #[prost(string, tag = "99")]
        citizen_ref: String,
    }

    fn sample() -> Case {
        let mut c = case("r1", "09131234567", "r03-urban_services", 1_795_860_000_000).case;
        c.id = 7;
        c.number = "1405-000007".into();
        c.deadlines.first_response_ms = 1_795_860_000_000 + 3_600_000;
        c
    }

    #[test]
    fn a_head_and_an_event_round_trip_in_layout_2() {
        let c = sample();
        let bytes = encode_case(&c);
        assert_eq!(bytes[0], LAYOUT);
        assert_eq!(decode_case(&bytes), Ok(c.clone()));
        let parts = Parts {
            unit_id: "occ".into(),
            follow_up: "disp1".into(),
            clock: Some(ClockKind::Result),
            due_ms: 77,
            level: 2,
            reject_kind: Some(RejectKind::Duplicate),
            delay_reason: Some(DelayReason::NoAccess),
            ..Parts::default()
        };
        for kind in EventCode::all().filter_map(|code| EventKind::from_parts(code, &parts)) {
            let mut event = Event::new(5, "agent1", kind, "یادداشت").by(Role::Unit, Move::Resolve);
            event.attachment_ids = vec!["ab".repeat(32)];
            assert_eq!(decode_event(&encode_event(&event)), Ok(event));
        }
        let mut lived = c.clone();
        lived.revision = 4;
        lived.escalation_level = 2;
        lived.reject_kind = Some(RejectKind::FalseReport);
        lived.resume_to = Some(CaseStatus::Acknowledged);
        lived.delay_reason = Some(DelayReason::Weather);
        lived.clocks.start(ClockKind::Promised, 10).fixed_due_ms = 99;
        lived.clocks.pause_all(20);
        lived.next_due_ms = 1234;
        assert_eq!(decode_case(&encode_case(&lived)), Ok(lived));
    }

    #[test]
    fn old_bytes_read_with_a_new_field_and_new_bytes_with_the_old_type() {
        let c = sample();
        // Today's bytes, read by the later type: the new field is empty.
        let today = encode_case(&c);
        let next = CaseRecordNext::decode(&today[1..]).unwrap();
        assert_eq!(next.citizen_ref, "");
        assert_eq!((next.id, next.phone.as_str()), (7, "09131234567"));
        assert_eq!(next.deadlines, CaseRecord::from(&c).deadlines);

        // The later type's bytes, read by today's code: the field is skipped.
        let mut later = vec![LAYOUT];
        CaseRecordNext {
            citizen_ref: "citizen-42".into(),
            ..next
        }
        .encode(&mut later)
        .unwrap();
        assert_ne!(later, today);
        assert_eq!(decode_case(&later), Ok(c));
    }

    #[test]
    fn an_enum_value_from_a_later_build_is_an_error_not_a_guess() {
        let mut record = CaseRecord::from(&sample());
        record.channel = 9;
        let bytes = encode_message(&record);
        // The record itself still reads; only its unknown channel is refused.
        assert_eq!(CaseRecord::decode(&bytes[1..]).unwrap().channel, 9);
        assert!(matches!(decode_case(&bytes), Err(CodecError::Value(m)) if m.contains("channel")));
        let event = EventRecord {
            code: 200,
            ..EventRecord::default()
        };
        assert!(matches!(
            decode_event(&encode_message(&event)),
            Err(CodecError::Value(_))
        ));
        let referred = EventRecord {
            code: u32::from(EventCode::Referred.number()),
            ..EventRecord::default()
        };
        assert!(decode_event(&encode_message(&referred)).is_err());
    }

    #[test]
    fn broken_bytes_are_an_error_not_a_panic() {
        assert_eq!(decode_case(&[]), Err(CodecError::Empty));
        assert_eq!(decode_case(&[9, 1, 2]), Err(CodecError::Version(9)));
        assert!(decode_case(&[LAYOUT, 0xff, 0xff, 0xff]).is_err());
        assert!(decode_case(&[legacy::LAYOUT, 0xff]).is_err());
        assert!(decode_event(&[legacy::LAYOUT, 0]).is_err());
        assert_eq!(decode_legacy_case(&encode_case(&sample())), Ok(None));
    }
}
