//! A case's life: how a validated request becomes a case, and (as the moves of
//! the lifecycle arrive) which step may follow which, for whom. Every rule of
//! a case's states lives here, so the server, the TUI and the generators of
//! test data agree.

use crate::catalog::Catalog;
use crate::clock::Millis;
use crate::event::{Event, EventKind, SYSTEM};
use crate::model::{Case, CaseStatus, Kind, NewCase, Urgency};
use crate::sla::SlaPolicy;
use crate::validate::{FieldError, Reason};

/// A new case and its first events, ready for the store, which gives the case
/// its id and number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub case: Case,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Field(#[from] FieldError),
    /// The catalog has no unit for the case; fixing the catalog fixes it.
    #[error("{0}")]
    Unroutable(String),
}

/// The case `user` opens from `new` at `now`, complete but for its id and
/// number.
///
/// An informational case is answered on the call and closed at once. An
/// executive case is referred to the unit [`Catalog::route`] picks; an urgent
/// one is also followed by the Operations Coordination Center from the same
/// moment.
pub fn open_case(
    new: NewCase,
    catalog: &Catalog,
    sla: &SlaPolicy,
    now: Millis,
    user: &str,
) -> Result<Opened, OpenError> {
    let topic = catalog.topic(&new.topic_id).ok_or_else(|| {
        FieldError::new(
            "topic_id",
            Reason::UnknownTopic,
            format!("no topic has id {}", crate::text::quote(&new.topic_id)),
        )
    })?;
    let mut events = vec![Event::new(now, user, EventKind::Registered, "")];
    let (status, unit_id, coordination) = match new.kind {
        Kind::Informational => {
            events.push(Event::new(
                now,
                user,
                EventKind::Answered,
                "answered on the call",
            ));
            (CaseStatus::Closed, String::new(), false)
        }
        Kind::Executive => {
            let unit = catalog.route(topic, new.region).ok_or_else(|| {
                OpenError::Unroutable(format!(
                    "no unit serves topic {} in region {}; the catalog needs one",
                    topic.id, new.region
                ))
            })?;
            events.push(Event::new(
                now,
                SYSTEM,
                EventKind::Referred {
                    unit_id: unit.id.clone(),
                },
                "",
            ));
            let coordination = new.urgency == Urgency::Urgent;
            if coordination {
                let occ = catalog.coordination_unit().ok_or_else(|| {
                    OpenError::Unroutable(
                        "the catalog has no Operations Coordination Center for urgent cases".into(),
                    )
                })?;
                events.push(Event::new(
                    now,
                    SYSTEM,
                    EventKind::Coordination {
                        unit_id: occ.id.clone(),
                    },
                    "",
                ));
            }
            (CaseStatus::Referred, unit.id.clone(), coordination)
        }
    };
    let mut case = Case {
        id: 0,
        number: String::new(),
        deadlines: sla.deadlines(new.kind, new.urgency, now),
        request_id: new.request_id,
        channel: new.channel,
        kind: new.kind,
        urgency: new.urgency,
        topic_id: new.topic_id,
        description: new.description,
        phone: new.phone,
        region: new.region,
        address: new.address,
        landmark: new.landmark,
        unit_id,
        coordination,
        status,
        created_at_ms: now,
        created_by: user.into(),
        revision: 1,
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
    crate::clocks::start_for_new(&mut case);
    crate::clocks::refresh(&mut case, sla);
    Ok(Opened { case, events })
}

impl Opened {
    /// The case as a caller carrying the Shahrban mark registers it: the
    /// mark goes on the case, and its clocks are derived again under the
    /// shorter first response.
    pub fn for_shahrban(mut self, sla: &SlaPolicy) -> Self {
        self.case.shahrban = true;
        crate::clocks::refresh(&mut self.case, sla);
        self
    }
}

/// The case once `user` has added the file `attachment_id` (named `name`)
/// to it at `now`: a new revision and an event naming the file. `None` when
/// the timeline already names that file, so adding it again, or finishing an
/// addition that a crash cut short, records it once.
pub fn attachment_added(
    case: &Case,
    events: &[Event],
    attachment_id: &str,
    name: &str,
    user: &str,
    role: crate::model::Role,
    now: Millis,
) -> Option<(Case, Event)> {
    let named = events.iter().any(|e| {
        e.kind == EventKind::Attachment && e.attachment_ids.iter().any(|id| id == attachment_id)
    });
    if named {
        return None;
    }
    let mut next = case.clone();
    next.revision = case.revision + 1;
    let mut event = Event::new(now, user, EventKind::Attachment, name);
    event.role = Some(role);
    event.attachment_ids = vec![attachment_id.to_owned()];
    Some((next, event))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::UnitKind;
    use crate::clock::HOUR_MS;
    use crate::event::EventCode;
    use crate::model::Channel;

    fn new_case(catalog: &Catalog, kind: Kind, urgency: Urgency) -> NewCase {
        let topic = catalog.topics.iter().find(|t| t.kind == kind).unwrap();
        NewCase {
            request_id: "r".into(),
            channel: Channel::Phone,
            kind,
            urgency,
            topic_id: topic.id.clone(),
            description: "شرح".into(),
            phone: "09131234567".into(),
            region: 3,
            address: "خیابان".into(),
            landmark: String::new(),
        }
    }

    fn codes(events: &[Event]) -> Vec<EventCode> {
        events.iter().map(|e| e.kind.code()).collect()
    }

    #[test]
    fn a_file_is_recorded_once_on_the_timeline() {
        let c = Catalog::default_catalog().unwrap();
        let opened = open_case(
            new_case(&c, Kind::Executive, Urgency::Normal),
            &c,
            &SlaPolicy::default(),
            0,
            "agent1",
        )
        .unwrap();
        let role = crate::model::Role::Unit;
        let (case, event) = attachment_added(
            &opened.case,
            &opened.events,
            "ab",
            "عکس.jpg",
            "unit1",
            role,
            7,
        )
        .unwrap();
        assert_eq!(case.revision, opened.case.revision + 1);
        assert_eq!(event.kind.code(), EventCode::Attachment);
        assert_eq!(event.attachment_ids, ["ab"]);
        assert_eq!(event.note, "عکس.jpg");
        let mut events = opened.events.clone();
        events.push(event);
        assert_eq!(
            attachment_added(&case, &events, "ab", "عکس.jpg", "unit1", role, 8),
            None
        );
        assert!(attachment_added(&case, &events, "cd", "سند.pdf", "unit1", role, 8).is_some());
    }

    #[test]
    fn each_kind_goes_its_way() {
        let c = Catalog::default_catalog().unwrap();
        let sla = SlaPolicy::default();
        let info = open_case(
            new_case(&c, Kind::Informational, Urgency::Normal),
            &c,
            &sla,
            0,
            "agent1",
        )
        .unwrap();
        assert_eq!(info.case.status, CaseStatus::Closed);
        assert_eq!(info.case.unit_id, "");
        assert_eq!(
            codes(&info.events),
            [EventCode::Registered, EventCode::Answered]
        );

        let normal = open_case(
            new_case(&c, Kind::Executive, Urgency::Normal),
            &c,
            &sla,
            0,
            "agent1",
        )
        .unwrap();
        assert_eq!(normal.case.status, CaseStatus::Referred);
        assert!(!normal.case.coordination);
        assert_eq!(normal.case.deadlines.first_response_ms, 120 * HOUR_MS);
        assert_eq!(c.unit(&normal.case.unit_id).unwrap().region, 3);
        assert_eq!(
            normal.events[1].kind,
            EventKind::Referred {
                unit_id: normal.case.unit_id.clone()
            }
        );

        let urgent = open_case(
            new_case(&c, Kind::Executive, Urgency::Urgent),
            &c,
            &sla,
            10,
            "agent1",
        )
        .unwrap();
        assert!(urgent.case.coordination);
        let occ = urgent
            .events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::Coordination { unit_id } => Some(unit_id),
                _ => None,
            })
            .unwrap();
        assert_eq!(c.unit(occ).unwrap().kind, UnitKind::Coordination);
        assert_eq!(urgent.case.deadlines.on_site_ms, 10 + 2 * HOUR_MS);
        assert_eq!(urgent.case.deadlines.result_ms, 10 + 24 * HOUR_MS);
        assert_eq!(urgent.case.created_by, "agent1");
    }
}
