//! Between the wire types of desk137.v1 and the domain types. An enum value
//! the contract does not know is a field error, never a panic; UNSPECIFIED
//! becomes `None` so the domain picks its default.

use crate::domain::access::View;
use crate::domain::clocks::Allowances;
use crate::domain::event::Event;
use crate::domain::model::Case;
use crate::domain::sla::SlaPolicy;
use crate::domain::validate::{FieldError, Reason};
use crate::store::CaseFilter;
use desk137_proto::convert::{WireEnum, event_to_pb, optional};
use desk137_proto::v1 as pb;

impl TryFrom<&pb::ListCasesRequest> for CaseFilter {
    type Error = FieldError;

    fn try_from(r: &pb::ListCasesRequest) -> Result<Self, FieldError> {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(CaseFilter {
            status: optional("status", r.status)?,
            unit_id: text(&r.unit_id),
            region: (r.region != 0).then_some(r.region),
            topic_id: text(&r.topic_id),
            urgency: optional("urgency", r.urgency)?,
            created_by: text(&r.created_by),
            open_only: r.open_only,
            coordination_only: false,
        })
    }
}

/// A case as the access policy's `view` lets its caller see it, with its
/// timeline when given.
/// `policy` turns the case's clock logs into the deadlines it shows.
pub fn case_to(c: &Case, events: &[Event], view: &View, policy: &SlaPolicy) -> pb::Case {
    let allowances = &Allowances::for_case(policy, c);
    pb::Case {
        id: c.id,
        number: c.number.clone(),
        request_id: view.request_id(c),
        channel: c.channel.to_wire(),
        kind: c.kind.to_wire(),
        urgency: c.urgency.to_wire(),
        topic_id: c.topic_id.clone(),
        description: view.text(&c.description),
        phone: view.phone.show(&c.phone),
        region: c.region,
        address: view.text(&c.address),
        landmark: view.text(&c.landmark),
        unit_id: c.unit_id.clone(),
        coordination: c.coordination,
        status: c.status.to_wire(),
        created_at_ms: c.created_at_ms,
        created_by: c.created_by.clone(),
        first_response_due_ms: c.deadlines.first_response_ms,
        on_site_due_ms: c.deadlines.on_site_ms,
        result_due_ms: c.deadlines.result_ms,
        events: events
            .iter()
            .map(|e| {
                let mut e = event_to_pb(e);
                e.note = view.text(&e.note);
                e
            })
            .collect(),
        revision: c.revision,
        escalation_level: c.escalation_level,
        promised_ms: c.promised_ms,
        follow_up: c.follow_up.clone(),
        clocks: desk137_proto::convert::clocks_to_pb(&c.clocks, allowances),
        reject_kind: c.reject_kind.map_or(0, WireEnum::to_wire),
        duplicate_of: c.duplicate_of.clone(),
        transferred_to: c.transferred_to.clone(),
        call_back: Some(call_back_to(c)),
        ..Default::default()
    }
}

/// The call-back's state, without the score: the feedback service adds it
/// with the settings it scores by.
pub fn call_back_to(c: &Case) -> pb::CallBack {
    let f = &c.feedback;
    pb::CallBack {
        resolved_at_ms: f.resolved_at_ms,
        due_ms: f.call_due_ms,
        tries: f.tries,
        satisfaction: u32::from(f.satisfaction),
        unreachable: f.unreachable,
        reopens: f.reopens,
        scored: false,
        score: 0.0,
    }
}

/// Page tokens are opaque to clients: a layout byte and the id the next page
/// starts below, in hex.
const TOKEN_LAYOUT: u8 = 1;

pub fn page_token(before: u64) -> String {
    let mut bytes = [0u8; 9];
    bytes[0] = TOKEN_LAYOUT;
    bytes[1..].copy_from_slice(&before.to_be_bytes());
    hex::encode(bytes)
}

/// `None` for an empty token: the first page.
pub fn page_before(token: &str) -> Result<Option<u64>, FieldError> {
    if token.is_empty() {
        return Ok(None);
    }
    let bad = || {
        FieldError::new(
            "page_token",
            Reason::BadPageToken,
            "is not a token this server gave; start again without one",
        )
    };
    let mut bytes = [0u8; 9];
    hex::decode_to_slice(token, &mut bytes).map_err(|_| bad())?;
    match bytes.split_first() {
        Some((&TOKEN_LAYOUT, id)) => {
            let id: [u8; 8] = id.try_into().map_err(|_| bad())?;
            Ok(Some(u64::from_be_bytes(id)))
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_name_their_field() {
        let req = pb::ListCasesRequest {
            urgency: 7,
            ..Default::default()
        };
        assert_eq!(CaseFilter::try_from(&req).unwrap_err().field, "urgency");
    }

    #[test]
    fn page_tokens_round_trip_and_junk_is_refused() {
        for id in [0, 1, 4096, u64::MAX] {
            assert_eq!(page_before(&page_token(id)), Ok(Some(id)));
        }
        // The layout of tokens already handed out.
        assert_eq!(page_token(4096), "010000000000001000");
        assert_eq!(page_before(""), Ok(None));
        for junk in [
            "x",
            "zz0000000000000001",
            "020000000000000001",
            "۱۲۳۴۵۶",
            "0100000000000000٠1",
            "01000000000000000001",
        ] {
            let err = page_before(junk).unwrap_err();
            assert_eq!(
                (err.field, err.reason),
                ("page_token", Reason::BadPageToken),
                "{junk}"
            );
        }
    }
}
