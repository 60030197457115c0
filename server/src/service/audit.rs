//! AuditService: supervisors and admins read the audit log, newest first.
//! Every read is itself an entry, durable before the answer leaves; its
//! reason names what was asked. Reasons go out through the caller's view,
//! which masks any number typed into one, for every reader.

use super::{Context, Error, convert};
use crate::domain::access::{Rpc, View};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::validate::{FieldError, Reason};
use crate::store::audit::{AuditFilter, Sealed, hash_hex};
use desk137_proto::convert::WireEnum;
use desk137_proto::v1 as pb;
use desk137_proto::v1::audit_service_server::AuditService;
use tonic::{Request, Response, Status};

pub const PAGE_SIZE_DEFAULT: usize = 100;
pub const PAGE_SIZE_MAX: usize = 500;
/// Longer than any user name or citizen id this server gives.
pub const NAME_MAX_CHARS: usize = 128;

#[derive(Debug, Clone)]
pub struct AuditApi(pub Context);

fn name_filter(field: &'static str, value: &str) -> Result<Option<String>, FieldError> {
    let value = value.trim();
    if value.chars().count() > NAME_MAX_CHARS {
        return Err(FieldError::new(
            field,
            Reason::TooLong,
            format!("is longer than {NAME_MAX_CHARS} characters"),
        )
        .with_limit(NAME_MAX_CHARS));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(
            field,
            Reason::BadCharacters,
            "holds control characters",
        ));
    }
    Ok(Some(value.to_owned()).filter(|v| !v.is_empty()))
}

/// A case number as typed, in any digits; `None` when empty.
fn case_number(typed: &str) -> Result<Option<String>, FieldError> {
    let number = crate::domain::text::ascii_digits(typed.trim());
    if number.is_empty() {
        return Ok(None);
    }
    if number.chars().count() > 32 || !number.chars().all(|c| c.is_ascii_digit() || c == '-') {
        return Err(FieldError::new(
            "case_number",
            Reason::BadCharacters,
            "is not a case number (digits and a dash)",
        ));
    }
    Ok(Some(number))
}

/// The request's filters, checked.
pub fn filter_of(r: &pb::ListAuditRequest) -> Result<AuditFilter, FieldError> {
    if r.to_ms != 0 && r.to_ms <= r.from_ms {
        return Err(FieldError::new(
            "to_ms",
            Reason::OutOfRange,
            "must be after from_ms (or 0 for no end)",
        ));
    }
    Ok(AuditFilter {
        case_id: (r.case_id != 0).then_some(r.case_id),
        citizen_id: name_filter("citizen_id", &r.citizen_id)?,
        actor: name_filter("actor", &r.actor)?,
        from_ms: (r.from_ms != 0).then_some(r.from_ms),
        to_ms: (r.to_ms != 0).then_some(r.to_ms),
    })
}

/// What a read asked for, in the server's words, for its own entry.
fn describe(filter: &AuditFilter, before: Option<u64>) -> String {
    let mut parts = Vec::new();
    if let Some(case) = filter.case_id {
        parts.push(format!("case id {case}"));
    }
    if let Some(citizen) = &filter.citizen_id {
        parts.push(format!("citizen {citizen}"));
    }
    if let Some(actor) = &filter.actor {
        parts.push(format!("staff {actor}"));
    }
    if let Some(from) = filter.from_ms {
        parts.push(format!("from {from}"));
    }
    if let Some(to) = filter.to_ms {
        parts.push(format!("until {to}"));
    }
    if let Some(before) = before {
        parts.push(format!("before entry {before}"));
    }
    if parts.is_empty() {
        "read the audit log".into()
    } else {
        format!("read the audit log: {}", parts.join(", "))
    }
}

fn entry_to(sealed: &Sealed, view: &View) -> pb::AuditEntry {
    let e = &sealed.entry;
    pb::AuditEntry {
        seq: sealed.seq,
        at_ms: e.at_ms,
        actor: e.actor.clone(),
        role: e.role.map_or(0, WireEnum::to_wire),
        action: e.action.number() as i32,
        citizen_id: e.citizen_id.clone(),
        case_id: e.case_id,
        case_number: e.case_number.clone(),
        reason: view.audit_text(&e.reason),
        hash: hash_hex(&sealed.hash),
    }
}

impl AuditApi {
    async fn list(
        &self,
        request: Request<pb::ListAuditRequest>,
    ) -> Result<pb::ListAuditResponse, Error> {
        let ctx = &self.0;
        let caller = ctx.admit(&request, Rpc::ListAudit)?;
        let r = request.into_inner();
        let mut filter = filter_of(&r)?;
        let before = convert::page_before(&r.page_token)?;
        let number = case_number(&r.case_number)?;
        let size = match usize::try_from(r.page_size) {
            Ok(0) => PAGE_SIZE_DEFAULT,
            Ok(n) => n.min(PAGE_SIZE_MAX),
            Err(_) => PAGE_SIZE_MAX,
        };
        ctx.store
            .audit(vec![AuditEntry {
                at_ms: ctx.clock.now_ms(),
                actor: caller.name.clone(),
                role: Some(caller.role),
                action: AuditAction::AuditRead,
                citizen_id: String::new(),
                case_id: 0,
                case_number: String::new(),
                reason: match &number {
                    Some(n) => format!("{}; case {n}", describe(&filter, before)),
                    None => describe(&filter, before),
                },
            }])
            .await?;
        let page = ctx
            .read(move |s| {
                if let Some(number) = number {
                    // A number no case has, or one that is not the case_id
                    // asked, matches no entry.
                    let id = s.get_case_by_number(&number)?.map_or(u64::MAX, |c| c.id);
                    if filter.case_id.is_some_and(|asked| asked != id) {
                        return Ok(Default::default());
                    }
                    filter.case_id = Some(id);
                }
                s.audit_page(&filter, before, size)
            })
            .await?;
        let view = View::of(&caller, Rpc::ListAudit);
        Ok(pb::ListAuditResponse {
            entries: page.entries.iter().map(|e| entry_to(e, &view)).collect(),
            next_page_token: page
                .next_before
                .map(convert::page_token)
                .unwrap_or_default(),
        })
    }
}

#[tonic::async_trait]
impl AuditService for AuditApi {
    async fn list_audit(
        &self,
        request: Request<pb::ListAuditRequest>,
    ) -> Result<Response<pb::ListAuditResponse>, Status> {
        Ok(Response::new(self.list(request).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked_and_named() {
        let ok = filter_of(&pb::ListAuditRequest {
            case_id: 4,
            actor: " agent1 ".into(),
            from_ms: 10,
            to_ms: 20,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.case_id, Some(4));
        assert_eq!(ok.actor.as_deref(), Some("agent1"));
        assert_eq!(ok.citizen_id, None);
        let backwards = filter_of(&pb::ListAuditRequest {
            from_ms: 20,
            to_ms: 10,
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            (backwards.field, backwards.reason),
            ("to_ms", Reason::OutOfRange)
        );
        let long = filter_of(&pb::ListAuditRequest {
            actor: "a".repeat(NAME_MAX_CHARS + 1),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!((long.field, long.reason), ("actor", Reason::TooLong));
        let control = filter_of(&pb::ListAuditRequest {
            citizen_id: "c\u{0}1".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(control.field, "citizen_id");
    }

    #[test]
    fn a_read_names_what_it_asked() {
        let filter = AuditFilter {
            case_id: Some(9),
            actor: Some("agent1".into()),
            ..Default::default()
        };
        assert_eq!(
            describe(&filter, Some(40)),
            "read the audit log: case id 9, staff agent1, before entry 40"
        );
        assert_eq!(
            describe(&AuditFilter::default(), None),
            "read the audit log"
        );
    }
}
