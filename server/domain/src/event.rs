//! What happened to a case, as typed events: the timeline. Each event kind has
//! a stable code (its name on the wire and in stored records) and the payload
//! that kind needs; screens name kinds through their own message catalog.

use crate::clock::Millis;
use crate::clocks::ClockKind;
use crate::model::Role;
use crate::moves::{DelayReason, Move, RejectKind};
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
    /// The actor's role; `None` for [`SYSTEM`] and for events written
    /// before roles were recorded.
    pub role: Option<Role>,
    /// The move a person made, if the event records one.
    pub mv: Option<Move>,
    /// Files added with the step.
    pub attachment_ids: Vec<String>,
}

impl Event {
    pub fn new(at_ms: Millis, actor: &str, kind: EventKind, note: impl Into<String>) -> Self {
        Self {
            at_ms,
            actor: actor.into(),
            kind,
            note: note.into(),
            role: None,
            mv: None,
            attachment_ids: Vec::new(),
        }
    }

    /// The same event, recorded as `role`'s move `mv`.
    pub fn by(mut self, role: Role, mv: Move) -> Self {
        self.role = Some(role);
        self.mv = Some(mv);
        self
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
    Referred {
        unit_id: String,
    },
    /// The Operations Coordination Center follows the urgent case too.
    Coordination {
        unit_id: String,
    },
    /// The unit took the case.
    Acknowledged,
    /// The unit reported arrival on site.
    OnSite,
    /// First response: the work needs more time, until the promised date
    /// (0 in events written before dates were recorded).
    InProgress {
        promised_ms: Millis,
    },
    /// The unit reported the result.
    Resolved,
    /// The citizen was called back and scored the work, 1 to 5 (0 in
    /// events written before it was recorded).
    Feedback {
        satisfaction: u8,
    },
    /// The citizen asked for a correction.
    Reopened,
    /// The case was rejected; old events carry no kind.
    Rejected {
        reject_kind: Option<RejectKind>,
        duplicate_of: String,
    },
    /// Needs budget or a plan: open, clocks paused.
    Deferred,
    /// Sent to an external organisation.
    Transferred {
        unit_id: String,
    },
    /// Sent to another unit or topic; an unchanged side repeats itself.
    Rerouted {
        from_unit_id: String,
        unit_id: String,
        from_topic_id: String,
        topic_id: String,
    },
    /// A coordination center's staff member follows the case.
    FollowUp {
        user: String,
    },
    Note,
    /// The case rose to `level` of the ladder; `clock` is the late one, if
    /// the system escalated it, `None` when a person did.
    Escalated {
        level: u32,
        recipient: String,
        letter: String,
        clock: Option<ClockKind>,
        due_ms: Millis,
    },
    SlaWarning {
        clock: ClockKind,
        due_ms: Millis,
    },
    SlaBreached {
        clock: ClockKind,
        due_ms: Millis,
        delay_reason: Option<DelayReason>,
    },
    Closed,
    /// Back from deferred or transferred: the clocks run again.
    Resumed,
    /// The service levels changed and the clock's deadline with them.
    SlaChanged {
        clock: ClockKind,
        due_ms: Millis,
    },
    /// A file was added to the case: the event's `attachment_ids` name it,
    /// its note holds the file's name.
    Attachment,
    /// The citizen did not answer the call-back; `tries` so far.
    Unreachable {
        tries: u32,
    },
}

/// An event kind's payload laid flat, as stored records and the wire carry
/// it: empty or zero where a kind has no such part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts {
    pub unit_id: String,
    pub from_unit_id: String,
    pub from_topic_id: String,
    pub topic_id: String,
    pub clock: Option<ClockKind>,
    pub due_ms: Millis,
    pub level: u32,
    pub recipient: String,
    pub letter: String,
    pub delay_reason: Option<DelayReason>,
    pub reject_kind: Option<RejectKind>,
    pub duplicate_of: String,
    pub follow_up: String,
    pub promised_ms: Millis,
    /// Feedback: the satisfaction; unreachable: the tries so far.
    pub count: u32,
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
    Unreachable = 24,
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
            Self::InProgress { .. } => EventCode::InProgress,
            Self::Resolved => EventCode::Resolved,
            Self::Feedback { .. } => EventCode::Feedback,
            Self::Reopened => EventCode::Reopened,
            Self::Rejected { .. } => EventCode::Rejected,
            Self::Deferred => EventCode::Deferred,
            Self::Transferred { .. } => EventCode::Transferred,
            Self::Rerouted { .. } => EventCode::Rerouted,
            Self::FollowUp { .. } => EventCode::FollowUp,
            Self::Note => EventCode::Note,
            Self::Escalated { .. } => EventCode::Escalated,
            Self::SlaWarning { .. } => EventCode::SlaWarning,
            Self::SlaBreached { .. } => EventCode::SlaBreached,
            Self::Closed => EventCode::Closed,
            Self::Resumed => EventCode::Resumed,
            Self::SlaChanged { .. } => EventCode::SlaChanged,
            Self::Attachment => EventCode::Attachment,
            Self::Unreachable { .. } => EventCode::Unreachable,
        }
    }

    /// The unit a kind names, if any.
    pub fn unit_id(&self) -> Option<&str> {
        match self {
            Self::Referred { unit_id }
            | Self::Coordination { unit_id }
            | Self::Transferred { unit_id }
            | Self::Rerouted { unit_id, .. } => Some(unit_id),
            _ => None,
        }
    }

    /// The unit a step took the case from, if it took it from one.
    pub fn left_unit(&self) -> Option<&str> {
        match self {
            Self::Rerouted {
                from_unit_id,
                unit_id,
                ..
            } if from_unit_id != unit_id => Some(from_unit_id),
            _ => None,
        }
    }

    /// The payload laid flat.
    pub fn parts(&self) -> Parts {
        let mut p = Parts {
            unit_id: self.unit_id().unwrap_or_default().to_owned(),
            ..Parts::default()
        };
        match self {
            Self::InProgress { promised_ms } => p.promised_ms = *promised_ms,
            Self::Rejected {
                reject_kind,
                duplicate_of,
            } => {
                p.reject_kind = *reject_kind;
                p.duplicate_of = duplicate_of.clone();
            }
            Self::Rerouted {
                from_unit_id,
                from_topic_id,
                topic_id,
                ..
            } => {
                p.from_unit_id = from_unit_id.clone();
                p.from_topic_id = from_topic_id.clone();
                p.topic_id = topic_id.clone();
            }
            Self::FollowUp { user } => p.follow_up = user.clone(),
            Self::Feedback { satisfaction } => p.count = u32::from(*satisfaction),
            Self::Unreachable { tries } => p.count = *tries,
            Self::Escalated {
                level,
                recipient,
                letter,
                clock,
                due_ms,
            } => {
                p.level = *level;
                p.recipient = recipient.clone();
                p.letter = letter.clone();
                p.clock = *clock;
                p.due_ms = *due_ms;
            }
            Self::SlaWarning { clock, due_ms } | Self::SlaChanged { clock, due_ms } => {
                p.clock = Some(*clock);
                p.due_ms = *due_ms;
            }
            Self::SlaBreached {
                clock,
                due_ms,
                delay_reason,
            } => {
                p.clock = Some(*clock);
                p.due_ms = *due_ms;
                p.delay_reason = *delay_reason;
            }
            _ => {}
        }
        p
    }

    /// The kind of `code` with its payload, as a stored record or the wire
    /// carries them apart. `None` when the code needs a payload it lacks.
    pub fn from_parts(code: EventCode, p: &Parts) -> Option<Self> {
        let filled = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let unit = || filled(&p.unit_id);
        Some(match code {
            EventCode::Registered => Self::Registered,
            EventCode::Answered => Self::Answered,
            EventCode::Referred => Self::Referred { unit_id: unit()? },
            EventCode::Coordination => Self::Coordination { unit_id: unit()? },
            EventCode::Acknowledged => Self::Acknowledged,
            EventCode::OnSite => Self::OnSite,
            EventCode::InProgress => Self::InProgress {
                promised_ms: p.promised_ms,
            },
            EventCode::Resolved => Self::Resolved,
            EventCode::Feedback => Self::Feedback {
                satisfaction: u8::try_from(p.count.min(5)).unwrap_or(0),
            },
            EventCode::Unreachable => Self::Unreachable { tries: p.count },
            EventCode::Reopened => Self::Reopened,
            EventCode::Rejected => Self::Rejected {
                reject_kind: p.reject_kind,
                duplicate_of: p.duplicate_of.clone(),
            },
            EventCode::Deferred => Self::Deferred,
            EventCode::Transferred => Self::Transferred { unit_id: unit()? },
            EventCode::Rerouted => Self::Rerouted {
                from_unit_id: p.from_unit_id.clone(),
                unit_id: p.unit_id.clone(),
                from_topic_id: p.from_topic_id.clone(),
                topic_id: p.topic_id.clone(),
            },
            EventCode::FollowUp => Self::FollowUp {
                user: filled(&p.follow_up)?,
            },
            EventCode::Note => Self::Note,
            EventCode::Escalated => Self::Escalated {
                level: p.level,
                recipient: p.recipient.clone(),
                letter: p.letter.clone(),
                clock: p.clock,
                due_ms: p.due_ms,
            },
            EventCode::SlaWarning => Self::SlaWarning {
                clock: p.clock?,
                due_ms: p.due_ms,
            },
            EventCode::SlaBreached => Self::SlaBreached {
                clock: p.clock?,
                due_ms: p.due_ms,
                delay_reason: p.delay_reason,
            },
            EventCode::Closed => Self::Closed,
            EventCode::Resumed => Self::Resumed,
            EventCode::SlaChanged => Self::SlaChanged {
                clock: p.clock?,
                due_ms: p.due_ms,
            },
            EventCode::Attachment => Self::Attachment,
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
            let parts = Parts {
                unit_id: "r03-urban_services".into(),
                follow_up: "disp1".into(),
                clock: Some(ClockKind::OnSite),
                ..Parts::default()
            };
            if let Some(kind) = EventKind::from_parts(code, &parts) {
                assert_eq!(kind.code(), code);
                assert_eq!(EventKind::from_parts(code, &kind.parts()), Some(kind));
            }
        }
        assert_eq!(EventCode::from_number(0), None);
        assert_eq!(
            EventKind::from_parts(EventCode::Referred, &Parts::default()),
            None
        );
    }
}
