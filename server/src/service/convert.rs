//! Between the wire types of desk137.v1 and the domain types. An enum value
//! the contract does not know is a field error, never a panic; UNSPECIFIED
//! becomes `None` so the domain picks its default.

use crate::domain::catalog::{Region, Topic, Unit, UnitKind};
use crate::domain::model::{Case, CaseEvent, CaseStatus, Channel, Kind, Role, Urgency};
use crate::domain::phone::mask_phone;
use crate::domain::validate::{CaseDraft, FieldError};
use crate::store::CaseFilter;
use desk137_proto::v1 as pb;

fn unknown(field: &'static str, value: i32) -> FieldError {
    FieldError {
        field,
        reason: format!("{value} is not a known value"),
    }
}

pub fn channel_from(field: &'static str, v: i32) -> Result<Option<Channel>, FieldError> {
    Ok(
        match pb::Channel::try_from(v).map_err(|_| unknown(field, v))? {
            pb::Channel::Unspecified => None,
            pb::Channel::Phone => Some(Channel::Phone),
            pb::Channel::App => Some(Channel::App),
            pb::Channel::Portal => Some(Channel::Portal),
            pb::Channel::Social => Some(Channel::Social),
        },
    )
}

pub fn kind_from(field: &'static str, v: i32) -> Result<Option<Kind>, FieldError> {
    Ok(
        match pb::Kind::try_from(v).map_err(|_| unknown(field, v))? {
            pb::Kind::Unspecified => None,
            pb::Kind::Informational => Some(Kind::Informational),
            pb::Kind::Executive => Some(Kind::Executive),
        },
    )
}

pub fn urgency_from(field: &'static str, v: i32) -> Result<Option<Urgency>, FieldError> {
    Ok(
        match pb::Urgency::try_from(v).map_err(|_| unknown(field, v))? {
            pb::Urgency::Unspecified => None,
            pb::Urgency::Normal => Some(Urgency::Normal),
            pb::Urgency::Urgent => Some(Urgency::Urgent),
        },
    )
}

pub fn status_from(field: &'static str, v: i32) -> Result<Option<CaseStatus>, FieldError> {
    Ok(
        match pb::CaseStatus::try_from(v).map_err(|_| unknown(field, v))? {
            pb::CaseStatus::Unspecified => None,
            pb::CaseStatus::Registered => Some(CaseStatus::Registered),
            pb::CaseStatus::Referred => Some(CaseStatus::Referred),
            pb::CaseStatus::Acknowledged => Some(CaseStatus::Acknowledged),
            pb::CaseStatus::OnSite => Some(CaseStatus::OnSite),
            pb::CaseStatus::InProgress => Some(CaseStatus::InProgress),
            pb::CaseStatus::Done => Some(CaseStatus::Done),
            pb::CaseStatus::Closed => Some(CaseStatus::Closed),
            pb::CaseStatus::Reopened => Some(CaseStatus::Reopened),
            pb::CaseStatus::FalseReport => Some(CaseStatus::FalseReport),
        },
    )
}

pub fn channel_to(c: Channel) -> pb::Channel {
    match c {
        Channel::Phone => pb::Channel::Phone,
        Channel::App => pb::Channel::App,
        Channel::Portal => pb::Channel::Portal,
        Channel::Social => pb::Channel::Social,
    }
}

pub fn kind_to(k: Kind) -> pb::Kind {
    match k {
        Kind::Informational => pb::Kind::Informational,
        Kind::Executive => pb::Kind::Executive,
    }
}

pub fn urgency_to(u: Urgency) -> pb::Urgency {
    match u {
        Urgency::Normal => pb::Urgency::Normal,
        Urgency::Urgent => pb::Urgency::Urgent,
    }
}

pub fn status_to(s: CaseStatus) -> pb::CaseStatus {
    match s {
        CaseStatus::Registered => pb::CaseStatus::Registered,
        CaseStatus::Referred => pb::CaseStatus::Referred,
        CaseStatus::Acknowledged => pb::CaseStatus::Acknowledged,
        CaseStatus::OnSite => pb::CaseStatus::OnSite,
        CaseStatus::InProgress => pb::CaseStatus::InProgress,
        CaseStatus::Done => pb::CaseStatus::Done,
        CaseStatus::Closed => pb::CaseStatus::Closed,
        CaseStatus::Reopened => pb::CaseStatus::Reopened,
        CaseStatus::FalseReport => pb::CaseStatus::FalseReport,
    }
}

pub fn role_to(r: Role) -> pb::Role {
    match r {
        Role::Agent => pb::Role::Agent,
        Role::Dispatcher => pb::Role::Dispatcher,
        Role::Unit => pb::Role::Unit,
        Role::Supervisor => pb::Role::Supervisor,
        Role::Admin => pb::Role::Admin,
    }
}

impl TryFrom<pb::CreateCaseRequest> for CaseDraft {
    type Error = FieldError;

    fn try_from(r: pb::CreateCaseRequest) -> Result<Self, FieldError> {
        Ok(CaseDraft {
            channel: channel_from("channel", r.channel)?,
            kind: kind_from("kind", r.kind)?,
            urgency: urgency_from("urgency", r.urgency)?,
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

impl TryFrom<&pb::ListCasesRequest> for CaseFilter {
    type Error = FieldError;

    fn try_from(r: &pb::ListCasesRequest) -> Result<Self, FieldError> {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(CaseFilter {
            status: status_from("status", r.status)?,
            unit_id: text(&r.unit_id),
            region: (r.region != 0).then_some(r.region),
            topic_id: text(&r.topic_id),
            urgency: urgency_from("urgency", r.urgency)?,
            created_by: text(&r.created_by),
            open_only: r.open_only,
            coordination_only: false,
        })
    }
}

/// The phone as `viewer` may see it: whole for agents and admins, masked for
/// dispatchers and supervisors, not at all for units.
pub fn phone_for(phone: &str, viewer: Role) -> String {
    if viewer.sees_phone() {
        phone.to_owned()
    } else if viewer == Role::Unit {
        String::new()
    } else {
        mask_phone(phone)
    }
}

fn event_to(e: &CaseEvent) -> pb::CaseEvent {
    pb::CaseEvent {
        at_ms: e.at_ms,
        actor: e.actor.clone(),
        action: e.action.clone(),
        note: e.note.clone(),
    }
}

pub fn case_to(c: &Case, viewer: Role) -> pb::Case {
    pb::Case {
        id: c.id,
        number: c.number.clone(),
        request_id: c.request_id.clone(),
        channel: channel_to(c.channel).into(),
        kind: kind_to(c.kind).into(),
        urgency: urgency_to(c.urgency).into(),
        topic_id: c.topic_id.clone(),
        description: c.description.clone(),
        phone: phone_for(&c.phone, viewer),
        region: c.region,
        address: c.address.clone(),
        landmark: c.landmark.clone(),
        unit_id: c.unit_id.clone(),
        coordination: c.coordination,
        status: status_to(c.status).into(),
        created_at_ms: c.created_at_ms,
        created_by: c.created_by.clone(),
        first_response_due_ms: c.deadlines.first_response_ms,
        on_site_due_ms: c.deadlines.on_site_ms,
        result_due_ms: c.deadlines.result_ms,
        events: c.events.iter().map(event_to).collect(),
    }
}

pub fn topic_to(t: &Topic, use_count: u64) -> pb::Topic {
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
        kind: kind_to(t.kind).into(),
        default_urgency: urgency_to(t.default_urgency).into(),
        use_count,
    }
}

pub fn region_to(r: &Region) -> pb::Region {
    pb::Region {
        number: r.number,
        name_fa: r.name_fa.clone(),
        name_en: r.name_en.clone(),
    }
}

pub fn unit_to(u: &Unit) -> pb::Unit {
    let kind = match u.kind {
        UnitKind::Regional => pb::UnitKind::Regional,
        UnitKind::External => pb::UnitKind::External,
        UnitKind::Coordination => pb::UnitKind::Coordination,
    };
    pb::Unit {
        id: u.id.clone(),
        name_fa: u.name_fa.clone(),
        name_en: u.name_en.clone(),
        kind: kind.into(),
        region: u.region,
        service_domain: u.service_domain.clone(),
    }
}

/// Page tokens are opaque to clients: a layout byte and the id the next page
/// starts below, in hex.
const TOKEN_LAYOUT: u8 = 1;

pub fn page_token(before: u64) -> String {
    std::iter::once(TOKEN_LAYOUT)
        .chain(before.to_be_bytes())
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `None` for an empty token: the first page.
pub fn page_before(token: &str) -> Result<Option<u64>, FieldError> {
    if token.is_empty() {
        return Ok(None);
    }
    let bad = || FieldError {
        field: "page_token",
        reason: "is not a token this server gave; start again without one".into(),
    };
    if token.len() != 18 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut bytes = [0u8; 9];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&token[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    if bytes[0] != TOKEN_LAYOUT {
        return Err(bad());
    }
    let mut id = [0u8; 8];
    id.copy_from_slice(&bytes[1..]);
    Ok(Some(u64::from_be_bytes(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_name_their_field() {
        assert_eq!(channel_from("channel", 0), Ok(None));
        assert_eq!(urgency_from("urgency", 2), Ok(Some(Urgency::Urgent)));
        assert_eq!(kind_from("kind", 9).unwrap_err().field, "kind");
        assert_eq!(status_from("status", -1).unwrap_err().field, "status");
        let req = pb::CreateCaseRequest {
            urgency: 7,
            ..Default::default()
        };
        assert_eq!(CaseDraft::try_from(req).unwrap_err().field, "urgency");
    }

    #[test]
    fn phones_by_role() {
        assert_eq!(phone_for("09131234567", Role::Agent), "09131234567");
        assert_eq!(phone_for("09131234567", Role::Admin), "09131234567");
        assert_eq!(phone_for("09131234567", Role::Supervisor), "0913***4567");
        assert_eq!(phone_for("09131234567", Role::Dispatcher), "0913***4567");
        assert_eq!(phone_for("09131234567", Role::Unit), "");
    }

    #[test]
    fn page_tokens_round_trip_and_junk_is_refused() {
        for id in [0, 1, 4096, u64::MAX] {
            assert_eq!(page_before(&page_token(id)), Ok(Some(id)));
        }
        assert_eq!(page_before(""), Ok(None));
        for junk in [
            "x",
            "zz0000000000000001",
            "020000000000000001",
            "۱۲۳۴۵۶",
            "0100000000000000٠1",
        ] {
            assert_eq!(page_before(junk).unwrap_err().field, "page_token", "{junk}");
        }
    }
}
