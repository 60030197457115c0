//! The one place that converts between the wire types of desk137.v1 and the
//! domain types. A value the contract does not know is refused with a field
//! error naming where it came from; nothing is guessed. UNSPECIFIED is "not
//! given": [`optional`] reads it as `None`, [`required`] refuses it.

use crate::v1 as pb;
use desk137_domain::catalog::{Region, Topic, Unit, UnitKind};
use desk137_domain::clocks::{Allowances, ClockKind, Clocks, derive};
use desk137_domain::event::{Event, EventCode, EventKind, Parts};
use desk137_domain::model::{CaseStatus, Channel, Kind, Role, Urgency};
use desk137_domain::move_case::MoveInput;
use desk137_domain::moves::{DelayReason, FirstResponse, Move, RejectKind};
use desk137_domain::sla::SlaPolicy;
use desk137_domain::validate::{CaseDraft, FieldError};

/// A domain enum and its wire enum.
pub trait WireEnum: Sized + Copy {
    type Pb: TryFrom<i32> + Into<i32> + Copy;
    /// `None` for UNSPECIFIED.
    fn from_pb(pb: Self::Pb) -> Option<Self>;
    fn to_pb(self) -> Self::Pb;

    fn to_wire(self) -> i32 {
        self.to_pb().into()
    }
}

/// An enum field a client may leave unset.
pub fn optional<T: WireEnum>(field: &'static str, v: i32) -> Result<Option<T>, FieldError> {
    let pb = T::Pb::try_from(v).map_err(|_| FieldError::unknown_value(field, v))?;
    Ok(T::from_pb(pb))
}

/// An enum field that must hold a known, specified value.
pub fn required<T: WireEnum>(field: &'static str, v: i32) -> Result<T, FieldError> {
    optional(field, v)?.ok_or_else(|| FieldError::required(field))
}

macro_rules! wire_enum {
    ($domain:ty, $pb:ty { $($variant:ident),+ $(,)? }) => {
        impl WireEnum for $domain {
            type Pb = $pb;

            fn from_pb(pb: $pb) -> Option<Self> {
                match pb {
                    <$pb>::Unspecified => None,
                    $(<$pb>::$variant => Some(<$domain>::$variant),)+
                }
            }

            fn to_pb(self) -> $pb {
                match self {
                    $(<$domain>::$variant => <$pb>::$variant,)+
                }
            }
        }
    };
}

wire_enum!(
    Channel,
    pb::Channel {
        Phone,
        App,
        Portal,
        Social
    }
);
wire_enum!(
    Kind,
    pb::Kind {
        Informational,
        Executive
    }
);
wire_enum!(Urgency, pb::Urgency { Normal, Urgent });
wire_enum!(
    Role,
    pb::Role {
        Agent,
        Dispatcher,
        Unit,
        Supervisor,
        Admin,
        Portal
    }
);
wire_enum!(
    UnitKind,
    pb::UnitKind {
        Regional,
        External,
        Coordination
    }
);
wire_enum!(
    CaseStatus,
    pb::CaseStatus {
        Registered,
        Referred,
        Acknowledged,
        OnSite,
        InProgress,
        Resolved,
        Closed,
        Reopened,
        Rejected,
        AwaitingFeedback,
        Answered,
        Deferred,
        Transferred,
    }
);
wire_enum!(
    EventCode,
    pb::EventKind {
        Registered,
        Answered,
        Referred,
        Coordination,
        Acknowledged,
        OnSite,
        InProgress,
        Resolved,
        Feedback,
        Reopened,
        Rejected,
        Deferred,
        Transferred,
        Rerouted,
        FollowUp,
        Note,
        Escalated,
        SlaWarning,
        SlaBreached,
        Closed,
        Resumed,
        Attachment,
        SlaChanged,
        Unreachable,
    }
);

wire_enum!(
    Move,
    pb::Move {
        Acknowledge,
        Arrive,
        Respond,
        Resolve,
        Defer,
        Reject,
        Transfer,
        Reroute,
        AssignFollowUp,
        Note,
        Escalate,
        Reopen,
        Close,
        Resume,
        Feedback,
        Unreachable,
    }
);
wire_enum!(
    RejectKind,
    pb::RejectKind {
        FalseReport,
        NotMunicipal,
        Duplicate,
    }
);
wire_enum!(
    DelayReason,
    pb::DelayReason {
        NoAccess,
        NeedsOtherOrg,
        NeedsBudget,
        Weather,
        Other,
    }
);
wire_enum!(FirstResponse, pb::FirstResponse { Done, NeedsTime });
wire_enum!(
    ClockKind,
    pb::SlaClock {
        FirstResponse,
        OnSite,
        Result,
        Promised,
    }
);

fn wire_of<T: WireEnum>(v: Option<T>) -> i32 {
    v.map_or(0, WireEnum::to_wire)
}

pub fn event_to_pb(e: &Event) -> pb::CaseEvent {
    let code = e.kind.code();
    let p = e.kind.parts();
    // Clients written before `unit_id` read the unit of a referral from the
    // note, so a step without a note of its own carries it there too.
    let note = if e.note.is_empty() {
        p.unit_id.clone()
    } else {
        e.note.clone()
    };
    pb::CaseEvent {
        at_ms: e.at_ms,
        actor: e.actor.clone(),
        action: code.as_str().to_owned(),
        note,
        kind: code.to_wire(),
        unit_id: p.unit_id,
        role: wire_of(e.role),
        r#move: wire_of(e.mv),
        from_unit_id: p.from_unit_id,
        from_topic_id: p.from_topic_id,
        topic_id: p.topic_id,
        clock: wire_of(p.clock),
        due_ms: p.due_ms,
        level: p.level,
        recipient: p.recipient,
        letter: p.letter,
        delay_reason: wire_of(p.delay_reason),
        reject_kind: wire_of(p.reject_kind),
        duplicate_of: p.duplicate_of,
        follow_up: p.follow_up,
        promised_ms: p.promised_ms,
        attachment_ids: e.attachment_ids.clone(),
        satisfaction: if code == EventCode::Feedback {
            p.count
        } else {
            0
        },
        tries: if code == EventCode::Unreachable {
            p.count
        } else {
            0
        },
    }
}

pub fn event_from_pb(e: &pb::CaseEvent) -> Result<Event, FieldError> {
    let code: EventCode = required("events.kind", e.kind)?;
    let parts = Parts {
        unit_id: e.unit_id.clone(),
        from_unit_id: e.from_unit_id.clone(),
        from_topic_id: e.from_topic_id.clone(),
        topic_id: e.topic_id.clone(),
        clock: optional("events.clock", e.clock)?,
        due_ms: e.due_ms,
        level: e.level,
        recipient: e.recipient.clone(),
        letter: e.letter.clone(),
        delay_reason: optional("events.delay_reason", e.delay_reason)?,
        reject_kind: optional("events.reject_kind", e.reject_kind)?,
        duplicate_of: e.duplicate_of.clone(),
        follow_up: e.follow_up.clone(),
        promised_ms: e.promised_ms,
        count: e.satisfaction.max(e.tries),
    };
    let kind = EventKind::from_parts(code, &parts)
        .ok_or_else(|| FieldError::required("events.unit_id"))?;
    let note = if !e.unit_id.is_empty() && e.note == e.unit_id {
        String::new()
    } else {
        e.note.clone()
    };
    let mut event = Event::new(e.at_ms, &e.actor, kind, note);
    event.role = optional("events.role", e.role)?;
    event.mv = optional("events.move", e.r#move)?;
    event.attachment_ids = e.attachment_ids.clone();
    Ok(event)
}

/// A case's clocks as the wire shows them.
pub fn clocks_to_pb(clocks: &Clocks, a: &Allowances) -> Vec<pb::CaseClock> {
    clocks
        .0
        .iter()
        .map(|c| pb::CaseClock {
            clock: c.kind.to_wire(),
            started_at_ms: c.started_at_ms(),
            due_ms: derive(c, a).map_or(0, |d| d.due_ms),
            met_at_ms: c.met_at_ms().unwrap_or(0),
            paused: c.is_paused(),
            warned: c.warned,
            breached: c.breached,
        })
        .collect()
}

impl TryFrom<pb::MoveCaseRequest> for MoveInput {
    type Error = FieldError;

    fn try_from(r: pb::MoveCaseRequest) -> Result<Self, FieldError> {
        Ok(MoveInput {
            mv: optional("move", r.r#move)?,
            response: optional("response", r.response)?,
            reject_kind: optional("reject_kind", r.reject_kind)?,
            delay_reason: optional("delay_reason", r.delay_reason)?,
            request_id: r.request_id,
            revision: r.revision,
            note: r.note,
            unit_id: r.unit_id,
            topic_id: r.topic_id,
            promised_ms: r.promised_ms,
            duplicate_of: r.duplicate_of,
            follow_up: r.follow_up,
            attachment_ids: r.attachment_ids,
            satisfaction: u8::try_from(r.satisfaction).unwrap_or(u8::MAX),
        })
    }
}

impl TryFrom<pb::CreateCaseRequest> for CaseDraft {
    type Error = FieldError;

    fn try_from(r: pb::CreateCaseRequest) -> Result<Self, FieldError> {
        Ok(CaseDraft {
            channel: optional("channel", r.channel)?,
            kind: optional("kind", r.kind)?,
            urgency: optional("urgency", r.urgency)?,
            request_id: r.request_id,
            topic_id: r.topic_id,
            description: r.description,
            phone: r.phone,
            region: r.region,
            address: r.address,
            landmark: r.landmark,
        })
    }
}

impl From<&SlaPolicy> for pb::SlaPolicy {
    fn from(p: &SlaPolicy) -> Self {
        pb::SlaPolicy {
            first_response_hours: p.first_response_hours,
            on_site_hours: p.on_site_hours,
            result_hours: p.result_hours,
            shahrban_first_response_factor: p.shahrban_factor(),
        }
    }
}

/// The server's policy; hours that are not positive are refused by name.
impl TryFrom<&pb::SlaPolicy> for SlaPolicy {
    type Error = FieldError;

    fn try_from(p: &pb::SlaPolicy) -> Result<Self, FieldError> {
        let hours = |field: &'static str, h: i64| {
            if h > 0 {
                Ok(h)
            } else {
                Err(FieldError::required(field))
            }
        };
        Ok(SlaPolicy {
            first_response_hours: hours("sla.first_response_hours", p.first_response_hours)?,
            on_site_hours: hours("sla.on_site_hours", p.on_site_hours)?,
            result_hours: hours("sla.result_hours", p.result_hours)?,
            // A server that names no factor shortens nothing.
            shahrban_first_response_factor: if p.shahrban_first_response_factor == 0.0 {
                1.0
            } else {
                p.shahrban_first_response_factor
            },
            ..SlaPolicy::default()
        })
    }
}

pub fn topic_to_pb(t: &Topic, use_count: u64) -> pb::Topic {
    pb::Topic {
        id: t.id.clone(),
        category_fa: t.category_fa.clone(),
        category_en: t.category_en.clone(),
        title_fa: t.title_fa.clone(),
        title_en: t.title_en.clone(),
        synonyms_fa: t.synonyms_fa.clone(),
        synonyms_en: t.synonyms_en.clone(),
        keywords: t.keywords.clone(),
        service_domain: t.service_domain.clone(),
        kind: t.kind.to_wire(),
        default_urgency: t.default_urgency.to_wire(),
        use_count,
    }
}

impl TryFrom<pb::Topic> for Topic {
    type Error = FieldError;

    fn try_from(t: pb::Topic) -> Result<Self, FieldError> {
        Ok(Topic {
            kind: required("topics.kind", t.kind)?,
            default_urgency: required("topics.default_urgency", t.default_urgency)?,
            id: t.id,
            category_fa: t.category_fa,
            category_en: t.category_en,
            title_fa: t.title_fa,
            title_en: t.title_en,
            synonyms_fa: t.synonyms_fa,
            synonyms_en: t.synonyms_en,
            keywords: t.keywords,
            service_domain: t.service_domain,
        })
    }
}

pub fn region_to_pb(r: &Region) -> pb::Region {
    pb::Region {
        number: r.number,
        name_fa: r.name_fa.clone(),
        name_en: r.name_en.clone(),
    }
}

impl From<pb::Region> for Region {
    fn from(r: pb::Region) -> Self {
        Region {
            number: r.number,
            name_fa: r.name_fa,
            name_en: r.name_en,
        }
    }
}

pub fn unit_to_pb(u: &Unit) -> pb::Unit {
    pb::Unit {
        id: u.id.clone(),
        name_fa: u.name_fa.clone(),
        name_en: u.name_en.clone(),
        kind: u.kind.to_wire(),
        region: u.region,
        service_domain: u.service_domain.clone(),
    }
}

impl TryFrom<pb::Unit> for Unit {
    type Error = FieldError;

    fn try_from(u: pb::Unit) -> Result<Self, FieldError> {
        Ok(Unit {
            kind: required("units.kind", u.kind)?,
            id: u.id,
            name_fa: u.name_fa,
            name_en: u.name_en,
            region: u.region,
            service_domain: u.service_domain,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use desk137_domain::validate::Reason;

    #[test]
    fn unset_is_none_and_unknown_is_refused_with_its_field() {
        assert_eq!(optional::<Channel>("channel", 0), Ok(None));
        assert_eq!(optional("urgency", 2), Ok(Some(Urgency::Urgent)));
        let unknown = optional::<Kind>("kind", 9).unwrap_err();
        assert_eq!(
            (unknown.field, unknown.reason),
            ("kind", Reason::UnknownValue)
        );
        assert_eq!(
            required::<Role>("role", 0).unwrap_err().reason,
            Reason::Required
        );
        assert_eq!(
            optional::<CaseStatus>("status", -1).unwrap_err().field,
            "status"
        );
    }

    #[test]
    fn a_create_request_names_its_bad_enum() {
        let req = pb::CreateCaseRequest {
            urgency: 7,
            ..Default::default()
        };
        assert_eq!(CaseDraft::try_from(req).unwrap_err().field, "urgency");
    }

    #[test]
    fn every_domain_value_round_trips() {
        use desk137_domain::model::Role;
        for s in CaseStatus::all() {
            assert_eq!(required::<CaseStatus>("s", s.to_wire()), Ok(s));
            // The wire numbers are the stored bytes.
            assert_eq!(s.to_wire(), i32::from(s.code()));
        }
        for c in EventCode::all() {
            assert_eq!(required::<EventCode>("e", c.to_wire()), Ok(c));
            assert_eq!(c.to_wire(), i32::from(c.number()));
            let parts = Parts {
                unit_id: "u1".into(),
                follow_up: "disp1".into(),
                clock: Some(ClockKind::OnSite),
                due_ms: 9,
                delay_reason: Some(DelayReason::NeedsBudget),
                ..Parts::default()
            };
            let Some(kind) = EventKind::from_parts(c, &parts) else {
                continue;
            };
            for note in ["", "n"] {
                let event =
                    Event::new(5, "agent1", kind.clone(), note).by(Role::Unit, Move::Reroute);
                assert_eq!(event_from_pb(&event_to_pb(&event)), Ok(event));
            }
        }
        for r in [
            Role::Agent,
            Role::Dispatcher,
            Role::Unit,
            Role::Supervisor,
            Role::Admin,
        ] {
            assert_eq!(required::<Role>("r", r.to_wire()), Ok(r));
        }
    }
}
