//! Which moves the screens offer on a case: the domain's lifecycle table
//! decides, the same table the server applies to refuse the rest.

use desk137_domain::model::{Case, CaseStatus, Channel, Kind, Role, Urgency};
use desk137_domain::moves::{self, Move};
use desk137_proto::convert::required;
use desk137_proto::v1 as pb;

/// The parts of a case the table reads, from what the server sent; `None`
/// when the case holds a value this client does not know, which then
/// offers no move rather than a guessed one.
fn head(c: &pb::Case) -> Option<Case> {
    let status: CaseStatus = required("status", c.status).ok()?;
    Some(Case {
        id: c.id,
        number: c.number.clone(),
        request_id: String::new(),
        channel: required("channel", c.channel).unwrap_or(Channel::Phone),
        kind: required::<Kind>("kind", c.kind).ok()?,
        urgency: required::<Urgency>("urgency", c.urgency).ok()?,
        topic_id: c.topic_id.clone(),
        description: String::new(),
        phone: String::new(),
        region: c.region,
        address: String::new(),
        landmark: String::new(),
        unit_id: c.unit_id.clone(),
        coordination: c.coordination,
        status,
        created_at_ms: c.created_at_ms,
        created_by: c.created_by.clone(),
        deadlines: Default::default(),
        revision: c.revision,
        escalation_level: c.escalation_level,
        promised_ms: c.promised_ms,
        follow_up: c.follow_up.clone(),
        reject_kind: None,
        duplicate_of: c.duplicate_of.clone(),
        transferred_to: c.transferred_to.clone(),
        // The contract does not say where a paused case goes back to; any
        // state lets the table answer whether it may be resumed at all,
        // and the server resumes it where it was.
        resume_to: matches!(status, CaseStatus::Deferred | CaseStatus::Transferred)
            .then_some(CaseStatus::Acknowledged),
        clocks: Default::default(),
        delay_reason: None,
        next_due_ms: 0,
        citizen_id: String::new(),
        shahrban: c.shahrban,
        feedback: Default::default(),
    })
}

/// The wire's name of a domain move: `MOVE_` and its name in capitals.
pub fn to_pb(m: Move) -> Option<pb::Move> {
    pb::Move::from_str_name(&format!("MOVE_{}", m.as_str().to_ascii_uppercase()))
}

/// The moves `role` may make on `case` now.
pub fn allowed_moves(case: &pb::Case, role: Role) -> Vec<pb::Move> {
    let Some(head) = head(case) else {
        return Vec::new();
    };
    moves::allowed_moves(&head, role)
        .into_iter()
        .filter_map(to_pb)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_move_has_its_wire_name() {
        for m in Move::all() {
            let pb = to_pb(m).unwrap_or_else(|| panic!("{m:?}"));
            assert_ne!(pb, pb::Move::Unspecified);
        }
    }

    fn case(status: pb::CaseStatus, urgency: pb::Urgency) -> pb::Case {
        pb::Case {
            id: 1,
            status: status as i32,
            urgency: urgency as i32,
            kind: pb::Kind::Executive as i32,
            channel: pb::Channel::Phone as i32,
            ..Default::default()
        }
    }

    #[test]
    fn the_offer_follows_the_domain_table_for_state_and_role() {
        let referred = case(pb::CaseStatus::Referred, pb::Urgency::Urgent);
        let unit = allowed_moves(&referred, Role::Unit);
        assert!(unit.contains(&pb::Move::Acknowledge), "{unit:?}");
        assert!(!unit.contains(&pb::Move::Reopen), "{unit:?}");
        let agent = allowed_moves(&referred, Role::Agent);
        assert!(!agent.contains(&pb::Move::Acknowledge), "{agent:?}");
        assert!(agent.contains(&pb::Move::Note), "{agent:?}");
        // Whatever the table says, the screen offers exactly that.
        let head = head(&referred).unwrap();
        for role in [Role::Agent, Role::Dispatcher, Role::Unit, Role::Supervisor] {
            let want: Vec<_> = moves::allowed_moves(&head, role)
                .into_iter()
                .filter_map(to_pb)
                .collect();
            assert_eq!(allowed_moves(&referred, role), want, "{role:?}");
        }
        // A state this client cannot read offers nothing.
        let odd = pb::Case {
            status: 99,
            ..referred
        };
        assert!(allowed_moves(&odd, Role::Unit).is_empty());
    }
}
