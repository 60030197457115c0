//! Turns a validated request into the case to write: where it goes, what is
//! due when, and its first events. Pure: a load generator uses it too.

use super::Error;
use crate::domain::catalog::Catalog;
use crate::domain::clock::Millis;
use crate::domain::model::{Case, CaseEvent, CaseStatus, Kind, NewCase, Urgency};
use crate::domain::sla::SlaPolicy;

/// The actor of steps the system takes by rule rather than by a person.
pub const SYSTEM: &str = "system";

fn event(at_ms: Millis, actor: &str, action: &str, note: String) -> CaseEvent {
    CaseEvent {
        at_ms,
        actor: actor.into(),
        action: action.into(),
        note,
    }
}

/// The case `user` opens from `new` at `now`, complete but for its id and
/// number, which the store gives it.
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
) -> Result<Case, Error> {
    let topic = catalog
        .topic(&new.topic_id)
        .ok_or_else(|| Error::field("topic_id", format!("no topic has id {:?}", new.topic_id)))?;
    let mut events = vec![event(now, user, "registered", String::new())];
    let (status, unit_id, coordination) = match new.kind {
        Kind::Informational => {
            events.push(event(now, user, "answered", "answered on the call".into()));
            (CaseStatus::Closed, String::new(), false)
        }
        Kind::Executive => {
            let unit = catalog.route(topic, new.region).ok_or_else(|| {
                Error::Unroutable(format!(
                    "no unit serves topic {} in region {}; the catalog needs one",
                    topic.id, new.region
                ))
            })?;
            events.push(event(now, SYSTEM, "referred", unit.id.clone()));
            let coordination = new.urgency == Urgency::Urgent;
            if coordination {
                let occ = catalog.coordination_unit().ok_or_else(|| {
                    Error::Unroutable(
                        "the catalog has no Operations Coordination Center for urgent cases".into(),
                    )
                })?;
                events.push(event(now, SYSTEM, "coordination", occ.id.clone()));
            }
            (CaseStatus::Referred, unit.id.clone(), coordination)
        }
    };
    Ok(Case {
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
        events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::UnitKind;
    use crate::domain::clock::HOUR_MS;
    use crate::domain::model::Channel;

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
        assert_eq!(info.status, CaseStatus::Closed);
        assert_eq!(info.unit_id, "");
        let actions: Vec<&str> = info.events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["registered", "answered"]);

        let normal = open_case(
            new_case(&c, Kind::Executive, Urgency::Normal),
            &c,
            &sla,
            0,
            "agent1",
        )
        .unwrap();
        assert_eq!(normal.status, CaseStatus::Referred);
        assert!(!normal.coordination);
        assert_eq!(normal.deadlines.first_response_ms, 120 * HOUR_MS);
        assert_eq!(c.unit(&normal.unit_id).unwrap().region, 3);

        let urgent = open_case(
            new_case(&c, Kind::Executive, Urgency::Urgent),
            &c,
            &sla,
            10,
            "agent1",
        )
        .unwrap();
        assert!(urgent.coordination);
        let occ = urgent
            .events
            .iter()
            .find(|e| e.action == "coordination")
            .unwrap();
        assert_eq!(c.unit(&occ.note).unwrap().kind, UnitKind::Coordination);
        assert_eq!(urgent.deadlines.on_site_ms, 10 + 2 * HOUR_MS);
        assert_eq!(urgent.deadlines.result_ms, 10 + 24 * HOUR_MS);
        assert_eq!(urgent.created_by, "agent1");
    }
}
