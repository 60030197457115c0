//! What happened to a case, as typed events: the timeline. Each event kind has
//! a stable code (its name on the wire and in stored records) and the payload
//! that kind needs; screens name kinds through their own message catalog.

use crate::clock::Millis;
use serde::{Deserialize, Serialize};

/// The actor of steps the system takes by rule rather than by a person.
pub const SYSTEM: &str = "system";

/// One entry of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at_ms: Millis,
    /// A user name, or [`SYSTEM`].
    pub actor: String,
    pub kind: EventKind,
    /// Free text the actor gave with the step; may be empty.
    pub note: String,
}

impl Event {
    pub fn new(at_ms: Millis, actor: &str, kind: EventKind, note: impl Into<String>) -> Self {
        Self {
            at_ms,
            actor: actor.into(),
            kind,
            note: note.into(),
        }
    }
}

/// What kind of step an event records, with its payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// An agent opened the case.
    Registered,
    /// An informational case was answered on the call.
    Answered,
    /// The case went to an executive unit.
    Referred { unit_id: String },
    /// The Operations Coordination Center follows the urgent case too.
    Coordination { unit_id: String },
    /// The unit took the case.
    Acknowledged,
    /// The unit reported arrival on site.
    OnSite,
    /// First response: the work needs more time.
    InProgress,
    /// The unit reported the result.
    Resolved,
    /// The citizen was called back and scored the work.
    Feedback,
    /// The citizen asked for a correction.
    Reopened,
    /// The case was rejected.
    Rejected,
}

/// The stable code of an [`EventKind`]: the number stored records hold and the
/// name (`referred`, `on_site`, ...) the wire and the logs use. A code never
/// changes meaning once written; new kinds take new numbers.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
#[repr(u8)]
pub enum EventCode {
    Registered = 1,
    Answered = 2,
    Referred = 3,
    Coordination = 4,
    Acknowledged = 5,
    OnSite = 6,
    InProgress = 7,
    Resolved = 8,
    Feedback = 9,
    Reopened = 10,
    Rejected = 11,
    Deferred = 12,
    Transferred = 13,
    Rerouted = 14,
    FollowUp = 15,
    Note = 16,
    Escalated = 17,
    SlaWarning = 18,
    SlaBreached = 19,
    Closed = 20,
    Resumed = 21,
    Attachment = 22,
    SlaChanged = 23,
}

impl EventCode {
    pub fn all() -> impl Iterator<Item = EventCode> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u32) -> Option<Self> {
        Self::all().find(|c| u32::from(c.number()) == n)
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl EventKind {
    pub fn code(&self) -> EventCode {
        match self {
            Self::Registered => EventCode::Registered,
            Self::Answered => EventCode::Answered,
            Self::Referred { .. } => EventCode::Referred,
            Self::Coordination { .. } => EventCode::Coordination,
            Self::Acknowledged => EventCode::Acknowledged,
            Self::OnSite => EventCode::OnSite,
            Self::InProgress => EventCode::InProgress,
            Self::Resolved => EventCode::Resolved,
            Self::Feedback => EventCode::Feedback,
            Self::Reopened => EventCode::Reopened,
            Self::Rejected => EventCode::Rejected,
        }
    }

    /// The unit a kind names, if any.
    pub fn unit_id(&self) -> Option<&str> {
        match self {
            Self::Referred { unit_id } | Self::Coordination { unit_id } => Some(unit_id),
            _ => None,
        }
    }

    /// The kind of `code` with its payload, as a stored record or the wire
    /// carries them apart. `None` when the code needs a payload it lacks.
    pub fn from_parts(code: EventCode, unit_id: &str) -> Option<Self> {
        let unit = || (!unit_id.is_empty()).then(|| unit_id.to_owned());
        Some(match code {
            EventCode::Registered => Self::Registered,
            EventCode::Answered => Self::Answered,
            EventCode::Referred => Self::Referred { unit_id: unit()? },
            EventCode::Coordination => Self::Coordination { unit_id: unit()? },
            EventCode::Acknowledged => Self::Acknowledged,
            EventCode::OnSite => Self::OnSite,
            EventCode::InProgress => Self::InProgress,
            EventCode::Resolved => Self::Resolved,
            EventCode::Feedback => Self::Feedback,
            EventCode::Reopened => Self::Reopened,
            EventCode::Rejected => Self::Rejected,
            // The lifecycle's moves give these kinds their payloads.
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_round_trip() {
        let names: Vec<(u8, &str)> = EventCode::all().map(|c| (c.number(), c.as_str())).collect();
        assert_eq!(names[0], (1, "registered"));
        assert_eq!(names[5], (6, "on_site"));
        assert_eq!(names[10], (11, "rejected"));
        for code in EventCode::all() {
            assert_eq!(EventCode::from_number(code.number().into()), Some(code));
            assert_eq!(code.as_str().parse::<EventCode>(), Ok(code));
            if let Some(kind) = EventKind::from_parts(code, "r03-urban_services") {
                assert_eq!(kind.code(), code);
            }
        }
        assert_eq!(EventCode::from_number(0), None);
        assert_eq!(EventKind::from_parts(EventCode::Referred, ""), None);
    }
}
