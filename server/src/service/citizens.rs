//! CitizenRecordService, and how every case answer gets its caller's
//! number, mask and marks: decrypted here only where the access policy says
//! so, and only once the view is on the audit log.

use super::{Context, Error};
use crate::domain::access::{self, Caller, PhoneView, Rpc, View};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::citizen::{Citizen, check_request};
use crate::domain::model::Case;
use crate::store::citizens::StoredCitizen;
use crate::store::{CitizenChange, CitizenJob, RequestKey, keys};
use desk137_proto::v1 as pb;
use desk137_proto::v1::citizen_record_service_server::CitizenRecordService;
use tonic::{Request, Response, Status};

/// Why a number was decrypted, as the audit log names it.
pub const REASON_HISTORY: &str = "caller history";
pub const REASON_GET_CASE: &str = "the agent opened the case";
pub const REASON_CALL_BACK: &str = "the agent calls the citizen back";

fn entry(
    caller: &Caller,
    action: AuditAction,
    case: &Case,
    at_ms: i64,
    reason: &str,
) -> AuditEntry {
    AuditEntry {
        at_ms,
        actor: caller.name.clone(),
        role: Some(caller.role),
        action,
        citizen_id: case.citizen_id.clone(),
        case_id: case.id,
        case_number: case.number.clone(),
        reason: reason.to_owned(),
    }
}

/// Fills the citizen fields of answers: the number as `view` allows, the
/// citizen's id and marks. Citizens are read once per answer.
pub(crate) struct Dresser<'a> {
    ctx: &'a Context,
    view: &'a View,
    seen: std::collections::HashMap<String, Option<StoredCitizen>>,
}

impl<'a> Dresser<'a> {
    pub fn new(ctx: &'a Context, view: &'a View) -> Self {
        Self {
            ctx,
            view,
            seen: std::collections::HashMap::new(),
        }
    }

    fn citizen(&mut self, id: &str) -> Result<Option<&StoredCitizen>, Error> {
        if !self.seen.contains_key(id) {
            let found = self.ctx.read_point(|s| s.citizen(id))?;
            self.seen.insert(id.to_owned(), found);
        }
        Ok(self.seen.get(id).and_then(Option::as_ref))
    }

    /// Dresses `answer` of `case`. A whole number is never put here: see
    /// [`reveal_whole`], which audits it first.
    pub fn dress(&mut self, case: &Case, answer: &mut pb::Case) -> Result<(), Error> {
        answer.phone = String::new();
        if case.citizen_id.is_empty() {
            return Ok(());
        }
        let (view, marks) = (self.view.phone, self.view.marks());
        let ctx = self.ctx;
        let Some(stored) = self.citizen(&case.citizen_id)? else {
            return Ok(());
        };
        if view == PhoneView::Masked {
            answer.phone = ctx.read_point(|s| s.open_mask(stored))?.unwrap_or_default();
        }
        // Whoever sees the case may know the citizen agreed for it: the
        // unit most of all, whose reveal key it unlocks.
        answer.phone_consent = stored.citizen.consented(case.id);
        if marks {
            answer.citizen_id = case.citizen_id.clone();
            answer.shahrban = stored.citizen.shahrban;
        }
        Ok(())
    }
}

/// The whole number of `case` for `caller`, after its view is durable on
/// the audit log; `None` for a case without a number, or an erased one.
pub(crate) async fn reveal_whole(
    ctx: &Context,
    caller: &Caller,
    case: &Case,
    reason: &str,
) -> Result<Option<String>, Error> {
    let Some(stored) = ctx.read_point(|s| s.citizen(&case.citizen_id))? else {
        return Ok(None);
    };
    let Some(number) = ctx.read_point(|s| s.open_number(&stored))? else {
        return Ok(None);
    };
    let at = ctx.clock.now_ms();
    ctx.store
        .audit(vec![entry(
            caller,
            AuditAction::PhoneRevealed,
            case,
            at,
            reason,
        )])
        .await?;
    Ok(Some(number))
}

#[derive(Debug, Clone)]
pub struct CitizenApi(pub Context);

/// Which change a request asks for.
#[derive(Debug, Clone, Copy)]
enum Change {
    Consent(bool),
    Shahrban(bool),
    ClearFalseReport,
    Erase,
}

impl Change {
    fn action(self) -> AuditAction {
        match self {
            Self::Consent(true) => AuditAction::ConsentGiven,
            Self::Consent(false) => AuditAction::ConsentWithdrawn,
            Self::Shahrban(true) => AuditAction::ShahrbanSet,
            Self::Shahrban(false) => AuditAction::ShahrbanCleared,
            Self::ClearFalseReport => AuditAction::FalseReportCleared,
            Self::Erase => AuditAction::CitizenErased,
        }
    }

    /// The domain's rule for this change, pure.
    fn apply(
        self,
        citizen: &mut Citizen,
        case: &Case,
        at: i64,
        by: &str,
        reason: &str,
    ) -> Result<(), crate::domain::citizen::CitizenError> {
        match self {
            Self::Consent(given) => citizen.consent(case.id, given, at, by, reason),
            Self::Shahrban(on) => {
                citizen.shahrban = on;
                Ok(())
            }
            Self::ClearFalseReport => citizen.clear_false_report(case.id, at, by),
            Self::Erase => citizen.erase(at),
        }
    }
}

/// The writer's job for `change` to the citizen of `case_id` by `by`, with
/// its audit entry.
fn citizen_job(
    change: Change,
    case_id: u64,
    request: Option<RequestKey>,
    at: i64,
    by: Caller,
    reason: String,
) -> CitizenJob {
    CitizenJob {
        case_id,
        request,
        change: Box::new(move |case, stored| {
            let mut citizen = stored.citizen.clone();
            change.apply(&mut citizen, case, at, &by.name, &reason)?;
            Ok(CitizenChange {
                citizen,
                erase: matches!(change, Change::Erase),
                audit: vec![entry(&by, change.action(), case, at, &reason)],
            })
        }),
    }
}

/// Erases the number of the citizen of `case_id`, for `by`, whom the caller
/// has already admitted: the job EraseCitizen runs once the access policy
/// let it, run by `desk137-server citizen erase` on a stopped server.
/// Answers the citizen and how many cases (kept, without the number) name
/// them.
pub async fn erase(
    store: &crate::store::Store,
    case_id: u64,
    request: Option<RequestKey>,
    at: i64,
    by: Caller,
    reason: &str,
) -> Result<(crate::store::CitizenDone, usize), Error> {
    let (_, reason) = check_request("", reason, true)?;
    let done = store
        .change_citizen(citizen_job(Change::Erase, case_id, request, at, by, reason))
        .await?;
    let cases = store.citizen_case_count(&done.citizen.id)?;
    Ok((done, cases))
}

impl CitizenApi {
    /// Admits the caller, checks they may see the case, and applies `change`
    /// to its citizen with its audit entry, in one transaction.
    async fn change<T>(
        &self,
        request: Request<T>,
        rpc: Rpc,
        fields: impl FnOnce(&T) -> (u64, &str, &str),
        change: Change,
    ) -> Result<crate::store::CitizenDone, Error>
    where
        T: prost::Message,
    {
        let ctx = &self.0;
        let caller = ctx.admit(&request, rpc)?;
        let body = request.into_inner();
        let content = body.encode_to_vec();
        let (case_id, request_id, reason) = fields(&body);
        let (request_id, reason) = check_request(request_id, reason, true)?;
        let case = ctx
            .read_point(|s| s.get_case(case_id))?
            .ok_or(Error::NoSuchCase)?;
        access::check_case(&caller, &case, ctx.coordination_unit())?;
        let request = (!request_id.is_empty()).then(|| RequestKey {
            key: keys::move_request(&caller.name, &format!("citizen:{request_id}")),
            content,
        });
        let at = ctx.clock.now_ms();
        let job = citizen_job(change, case_id, request, at, caller.clone(), reason);
        let done = ctx.store.change_citizen(job).await?;
        tracing::info!(
            number = %done.case.number,
            action = change.action().as_str(),
            by = %caller.name,
            replayed = done.replayed,
            "citizen record changed"
        );
        Ok(done)
    }

    async fn answer_case(&self, caller: &Caller, case: &Case) -> Result<pb::Case, Error> {
        let ctx = &self.0;
        let events = ctx.read_point(|s| s.timeline(case.id))?;
        let view = View::of(caller, Rpc::RecordConsent);
        let mut answer = super::convert::case_to(case, &events, &view, &ctx.sla);
        Dresser::new(ctx, &view).dress(case, &mut answer)?;
        Ok(answer)
    }

    async fn consent(
        &self,
        request: Request<pb::RecordConsentRequest>,
        given: bool,
    ) -> Result<pb::Case, Error> {
        let rpc = if given {
            Rpc::RecordConsent
        } else {
            Rpc::WithdrawConsent
        };
        let caller = self.0.admit(&request, rpc)?;
        let done = self
            .change(
                request,
                rpc,
                |r| (r.case_id, r.request_id.as_str(), r.reason.as_str()),
                Change::Consent(given),
            )
            .await?;
        self.answer_case(&caller, &done.case).await
    }

    async fn reveal(&self, request: Request<pb::RevealPhoneRequest>) -> Result<String, Error> {
        let ctx = &self.0;
        let caller = ctx.admit(&request, Rpc::RevealPhone)?;
        let r = request.into_inner();
        let (_, reason) = check_request("", &r.reason, true)?;
        let case = ctx
            .read_point(|s| s.get_case(r.case_id))?
            .ok_or(Error::NoSuchCase)?;
        let stored = ctx.read_point(|s| s.citizen(&case.citizen_id))?;
        let consented = stored
            .as_ref()
            .is_some_and(|c| c.citizen.consented(case.id));
        access::may_reveal(&caller, &case, consented, ctx.coordination_unit())?;
        // No number (none given, or erased): as a case without consent.
        let number = reveal_whole(ctx, &caller, &case, &reason)
            .await?
            .ok_or(Error::NoSuchCase)?;
        tracing::info!(number = %case.number, by = %caller.name, "number revealed");
        Ok(number)
    }
}

#[tonic::async_trait]
impl CitizenRecordService for CitizenApi {
    async fn record_consent(
        &self,
        request: Request<pb::RecordConsentRequest>,
    ) -> Result<Response<pb::RecordConsentResponse>, Status> {
        let case = self.consent(request, true).await?;
        Ok(Response::new(pb::RecordConsentResponse {
            r#case: Some(case),
        }))
    }

    async fn withdraw_consent(
        &self,
        request: Request<pb::WithdrawConsentRequest>,
    ) -> Result<Response<pb::WithdrawConsentResponse>, Status> {
        // The same fields as a consent: one path for both.
        let (metadata, extensions, r) = request.into_parts();
        let as_consent = pb::RecordConsentRequest {
            request_id: r.request_id,
            case_id: r.case_id,
            reason: r.reason,
        };
        let request = Request::from_parts(metadata, extensions, as_consent);
        let case = self.consent(request, false).await?;
        Ok(Response::new(pb::WithdrawConsentResponse {
            r#case: Some(case),
        }))
    }

    async fn reveal_phone(
        &self,
        request: Request<pb::RevealPhoneRequest>,
    ) -> Result<Response<pb::RevealPhoneResponse>, Status> {
        let phone = self.reveal(request).await?;
        Ok(Response::new(pb::RevealPhoneResponse { phone }))
    }

    async fn set_shahrban(
        &self,
        request: Request<pb::SetShahrbanRequest>,
    ) -> Result<Response<pb::SetShahrbanResponse>, Status> {
        let on = request.get_ref().on;
        let done = self
            .change(
                request,
                Rpc::SetShahrban,
                |r| (r.case_id, r.request_id.as_str(), r.reason.as_str()),
                Change::Shahrban(on),
            )
            .await?;
        Ok(Response::new(pb::SetShahrbanResponse {
            shahrban: done.citizen.shahrban,
        }))
    }

    async fn clear_false_report(
        &self,
        request: Request<pb::ClearFalseReportRequest>,
    ) -> Result<Response<pb::ClearFalseReportResponse>, Status> {
        let done = self
            .change(
                request,
                Rpc::ClearFalseReport,
                |r| (r.case_id, r.request_id.as_str(), r.reason.as_str()),
                Change::ClearFalseReport,
            )
            .await?;
        Ok(Response::new(pb::ClearFalseReportResponse {
            false_reports: done.citizen.standing_false_reports(),
        }))
    }

    async fn erase_citizen(
        &self,
        request: Request<pb::EraseCitizenRequest>,
    ) -> Result<Response<pb::EraseCitizenResponse>, Status> {
        let done = self
            .change(
                request,
                Rpc::EraseCitizen,
                |r| (r.case_id, r.request_id.as_str(), r.reason.as_str()),
                Change::Erase,
            )
            .await?;
        let cases = self
            .0
            .read_point(|s| s.citizen_case_count(&done.citizen.id))
            .map_err(Status::from)?;
        Ok(Response::new(pb::EraseCitizenResponse {
            citizen_id: done.citizen.id,
            cases: u32::try_from(cases).unwrap_or(u32::MAX),
        }))
    }
}
