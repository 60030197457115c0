//! Layout 1 of a case, frozen: version byte 1, then postcard of the case as
//! the first builds stored it, with its timeline embedded and each event's
//! step a free string.
//!
//! postcard encodes by position (fields in order, enum variants by index),
//! so these copies must never change: they are what is on disk, not the
//! domain of today. Stores of that layout are rewritten at open
//! ([`super::migrate`]); this decoder stays for any head not yet rewritten.

use super::codec::CodecError;
use crate::domain::event::{Event, EventKind};
use crate::domain::model::{Case, CaseStatus, Channel, Kind, Urgency};
use crate::domain::sla::Deadlines;
use serde::{Deserialize, Serialize};

pub const LAYOUT: u8 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OldChannel {
    Phone,
    App,
    Portal,
    Social,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OldKind {
    Informational,
    Executive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OldUrgency {
    Normal,
    Urgent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OldStatus {
    Registered,
    Referred,
    Acknowledged,
    OnSite,
    InProgress,
    Done,
    Closed,
    Reopened,
    FalseReport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldDeadlines {
    pub first_response_ms: i64,
    pub on_site_ms: i64,
    pub result_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldEvent {
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldCase {
    pub id: u64,
    pub number: String,
    pub request_id: String,
    pub channel: OldChannel,
    pub kind: OldKind,
    pub urgency: OldUrgency,
    pub topic_id: String,
    pub description: String,
    pub phone: String,
    pub region: u32,
    pub address: String,
    pub landmark: String,
    pub unit_id: String,
    pub coordination: bool,
    pub status: OldStatus,
    pub created_at_ms: i64,
    pub created_by: String,
    pub deadlines: OldDeadlines,
    pub events: Vec<OldEvent>,
}

/// A layout-1 body (after the version byte) as today's case and timeline.
pub fn decode_case(body: &[u8]) -> Result<(Case, Vec<Event>), CodecError> {
    let old: OldCase =
        postcard::from_bytes(body).map_err(|e| CodecError::Postcard(e.to_string()))?;
    old.into_domain()
}

impl OldCase {
    pub fn into_domain(self) -> Result<(Case, Vec<Event>), CodecError> {
        let events = self
            .events
            .into_iter()
            .map(|e| e.into_domain(self.id))
            .collect::<Result<Vec<_>, _>>()?;
        let case = Case {
            id: self.id,
            number: self.number,
            request_id: self.request_id,
            channel: match self.channel {
                OldChannel::Phone => Channel::Phone,
                OldChannel::App => Channel::App,
                OldChannel::Portal => Channel::Portal,
                OldChannel::Social => Channel::Social,
            },
            kind: match self.kind {
                OldKind::Informational => Kind::Informational,
                OldKind::Executive => Kind::Executive,
            },
            urgency: match self.urgency {
                OldUrgency::Normal => Urgency::Normal,
                OldUrgency::Urgent => Urgency::Urgent,
            },
            topic_id: self.topic_id,
            description: self.description,
            phone: self.phone,
            region: self.region,
            address: self.address,
            landmark: self.landmark,
            unit_id: self.unit_id,
            coordination: self.coordination,
            status: match self.status {
                OldStatus::Registered => CaseStatus::Registered,
                OldStatus::Referred => CaseStatus::Referred,
                OldStatus::Acknowledged => CaseStatus::Acknowledged,
                OldStatus::OnSite => CaseStatus::OnSite,
                OldStatus::InProgress => CaseStatus::InProgress,
                OldStatus::Done => CaseStatus::Resolved,
                OldStatus::Closed => CaseStatus::Closed,
                OldStatus::Reopened => CaseStatus::Reopened,
                OldStatus::FalseReport => CaseStatus::Rejected,
            },
            created_at_ms: self.created_at_ms,
            created_by: self.created_by,
            deadlines: Deadlines {
                first_response_ms: self.deadlines.first_response_ms,
                on_site_ms: self.deadlines.on_site_ms,
                result_ms: self.deadlines.result_ms,
            },
            revision: 0,
            escalation_level: 0,
            promised_ms: 0,
            follow_up: String::new(),
            reject_kind: None,
            duplicate_of: String::new(),
            transferred_to: String::new(),
            resume_to: None,
            clocks: Default::default(),
            delay_reason: None,
            next_due_ms: 0,
            citizen_id: String::new(),
            shahrban: false,
            feedback: Default::default(),
        };
        Ok((case, events))
    }
}

impl OldEvent {
    /// The old steps by name. `referred` and `coordination` kept the unit
    /// in the note; it moves into the kind and the note is left empty, as
    /// today's intake writes them.
    fn into_domain(self, case_id: u64) -> Result<Event, CodecError> {
        let mut note = self.note;
        let kind = match self.action.as_str() {
            "registered" => EventKind::Registered,
            "answered" => EventKind::Answered,
            "referred" | "coordination" => {
                if note.is_empty() {
                    return Err(CodecError::Value(format!(
                        "case {case_id}: a {} step without its unit",
                        self.action
                    )));
                }
                let unit_id = std::mem::take(&mut note);
                if self.action == "referred" {
                    EventKind::Referred { unit_id }
                } else {
                    EventKind::Coordination { unit_id }
                }
            }
            "acknowledged" => EventKind::Acknowledged,
            "on_site" => EventKind::OnSite,
            "in_progress" => EventKind::InProgress { promised_ms: 0 },
            "done" => EventKind::Resolved,
            "feedback" => EventKind::Feedback { satisfaction: 0 },
            "reopened" => EventKind::Reopened,
            "false_report" => EventKind::Rejected {
                reject_kind: Some(crate::domain::moves::RejectKind::FalseReport),
                duplicate_of: String::new(),
            },
            other => {
                // The step name is code-made, never user text: safe to show.
                return Err(CodecError::Value(format!(
                    "case {case_id}: unknown step {other:?}"
                )));
            }
        };
        Ok(Event::new(self.at_ms, &self.actor, kind, note))
    }
}

/// A layout-1 value, as the first builds wrote it: for tests that make old
/// stores.
#[cfg(test)]
pub fn encode_case(old: &OldCase) -> Vec<u8> {
    postcard::to_extend(old, vec![LAYOUT]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old_event(action: &str, note: &str) -> OldEvent {
        OldEvent {
            at_ms: 10,
            actor: "agent1".into(),
            action: action.into(),
            note: note.into(),
        }
    }

    #[test]
    fn every_old_step_maps_to_its_kind() {
        for (action, note, kind, kept) in [
            ("registered", "", EventKind::Registered, ""),
            (
                "answered",
                "answered on the call",
                EventKind::Answered,
                "answered on the call",
            ),
            (
                "referred",
                "r03-urban_services",
                EventKind::Referred {
                    unit_id: "r03-urban_services".into(),
                },
                "",
            ),
            (
                "coordination",
                "occ",
                EventKind::Coordination {
                    unit_id: "occ".into(),
                },
                "",
            ),
            ("acknowledged", "", EventKind::Acknowledged, ""),
            ("on_site", "", EventKind::OnSite, ""),
            (
                "in_progress",
                "نیاز به زمان بیشتر",
                EventKind::InProgress { promised_ms: 0 },
                "نیاز به زمان بیشتر",
            ),
            ("done", "", EventKind::Resolved, ""),
            (
                "feedback",
                "رضایت ۴ از ۵",
                EventKind::Feedback { satisfaction: 0 },
                "رضایت ۴ از ۵",
            ),
            ("reopened", "", EventKind::Reopened, ""),
            (
                "false_report",
                "",
                EventKind::Rejected {
                    reject_kind: Some(crate::domain::moves::RejectKind::FalseReport),
                    duplicate_of: String::new(),
                },
                "",
            ),
        ] {
            let event = old_event(action, note).into_domain(1).unwrap();
            assert_eq!((event.kind, event.note.as_str()), (kind, kept), "{action}");
        }
        assert!(old_event("escalated", "").into_domain(1).is_err());
        assert!(old_event("referred", "").into_domain(1).is_err());
    }
}
