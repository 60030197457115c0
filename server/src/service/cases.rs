//! CaseService: open a case, read one, list them, and a caller's history.

use super::citizens::{Dresser, REASON_GET_CASE, REASON_HISTORY, reveal_whole};
use super::{Context, Error, convert};
use crate::domain::access::{self, PhoneView, Rpc, View};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::lifecycle::open_case;
use crate::domain::move_case::{self, MoveInput, World, check_fields};
use crate::domain::phone::normalize_phone;
use crate::domain::text;
use crate::domain::validate::{CaseDraft, FieldError, Reason, validate};
use crate::store::{CaseChange, CaseFilter, RequestKey, StoreError, keys};
use desk137_proto::v1::case_service_server::CaseService;
use desk137_proto::v1::get_case_request::Key;
use desk137_proto::v1::{
    CallerHistoryRequest, CallerHistoryResponse, Case, CreateCaseRequest, CreateCaseResponse,
    GetCaseRequest, ListCasesRequest, ListCasesResponse, MoveCaseRequest, MoveCaseResponse,
};
use prost::Message;
use tonic::{Request, Response, Status};

pub const PAGE_SIZE_DEFAULT: usize = 50;
/// Larger requests get this many: a page is a screen, not an export.
pub const PAGE_SIZE_MAX: usize = 500;
/// A page stops short of its size once its cases pass this many bytes, so an
/// answer a client never reads pins at most this much (times the streams a
/// connection may open), whatever the timelines hold.
pub const LIST_BUDGET_BYTES: usize = 128 * 1024;
pub const HISTORY_DEFAULT: usize = 20;
pub const HISTORY_MAX: usize = 200;

/// `0` means the default; anything above the cap gets the cap.
fn bounded(requested: u32, default: usize, max: usize) -> usize {
    match usize::try_from(requested) {
        Ok(0) => default,
        Ok(n) => n.min(max),
        Err(_) => max,
    }
}

#[derive(Debug, Clone)]
pub struct CaseApi(pub Context);

impl CaseApi {
    async fn create(
        &self,
        request: Request<CreateCaseRequest>,
    ) -> Result<CreateCaseResponse, Error> {
        let ctx = &self.0;
        let caller = ctx.admit(&request, Rpc::CreateCase)?;
        let draft = CaseDraft::try_from(request.into_inner())?;
        let new = validate(&draft, &ctx.catalog)?;
        // The mark as it stands at registration; a new number carries none.
        let shahrban = !new.phone.is_empty()
            && ctx
                .read_point(|s| s.citizen_by_phone(&new.phone))?
                .is_some_and(|c| c.citizen.shahrban && c.citizen.erased_at_ms == 0);
        let mut opened = open_case(
            new,
            &ctx.catalog,
            &ctx.sla,
            ctx.clock.now_ms(),
            &caller.name,
        )?;
        if shahrban {
            opened = opened.for_shahrban(&ctx.sla);
        }
        let created = ctx.store.create_case(opened).await?;
        let c = &created.case;
        // The phone stays out of the log: it is the citizen's, not ours.
        tracing::info!(
            number = %c.number,
            topic = %c.topic_id,
            unit = %c.unit_id,
            urgent = c.coordination,
            by = %caller.name,
            replayed = created.replayed,
            "case registered"
        );
        let view = View::of(&caller, Rpc::CreateCase);
        let mut answer = convert::case_to(c, &created.events, &view, &ctx.sla);
        Dresser::new(ctx, &view).dress(c, &mut answer)?;
        Ok(CreateCaseResponse {
            r#case: Some(answer),
            replayed: created.replayed,
        })
    }

    async fn get(&self, request: Request<GetCaseRequest>) -> Result<Case, Error> {
        let ctx = &self.0;
        let caller = ctx.admit(&request, Rpc::GetCase)?;
        let key = request
            .into_inner()
            .key
            .ok_or_else(|| Error::field("key", Reason::Required, "give the case id or number"))?;
        let found = match key {
            Key::Id(id) => ctx.read_point(|s| s.get_case(id))?,
            Key::Number(number) => {
                // As the Persian screens show it, ۱۴۰۵-۰۰۰۰۰۱, or as typed.
                let number = text::typed_key(&number);
                ctx.read_point(|s| s.get_case_by_number(&number))?
            }
        };
        let case = found.ok_or(Error::NoSuchCase)?;
        access::check_case(&caller, &case, ctx.coordination_unit())?;
        let events = ctx.read_point(|s| s.timeline(case.id))?;
        let view = View::of(&caller, Rpc::GetCase);
        let mut answer = convert::case_to(&case, &events, &view, &ctx.sla);
        with_attachments(ctx, &mut answer, &view)?;
        Dresser::new(ctx, &view).dress(&case, &mut answer)?;
        if view.phone == PhoneView::Whole {
            answer.phone = reveal_whole(ctx, &caller, &case, REASON_GET_CASE)
                .await?
                .unwrap_or_default();
        }
        Ok(answer)
    }

    async fn list(&self, request: Request<ListCasesRequest>) -> Result<ListCasesResponse, Error> {
        let ctx = &self.0;
        let caller = ctx.admit(&request, Rpc::ListCases)?;
        let r = request.into_inner();
        let mut filter = CaseFilter::try_from(&r)?;
        let scope = access::list_scope(&caller, filter.unit_id.take(), ctx.coordination_unit());
        filter.unit_id = scope.unit_id;
        filter.coordination_only = scope.coordination_only;
        let before = convert::page_before(&r.page_token)?;
        let size = bounded(r.page_size, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX);
        let (page, timelines) = ctx
            .read(move |s| {
                let page = s.list_cases(&filter, before, size)?;
                let timelines = timelines(s, &page.cases)?;
                Ok((page, timelines))
            })
            .await?;
        let view = View::of(&caller, Rpc::ListCases);
        let mut dresser = Dresser::new(ctx, &view);
        let mut cases = Vec::with_capacity(page.cases.len());
        let mut bytes = 0;
        let mut next_before = page.next_before;
        for (c, events) in page.cases.iter().zip(&timelines) {
            let mut case = convert::case_to(c, events, &view, &ctx.sla);
            with_attachments(ctx, &mut case, &view)?;
            dresser.dress(c, &mut case)?;
            bytes += case.encoded_len();
            if bytes > LIST_BUDGET_BYTES && !cases.is_empty() {
                // The rest comes on the next page, from below the last case sent.
                next_before = cases.last().map(|last: &Case| last.id);
                break;
            }
            cases.push(case);
        }
        Ok(ListCasesResponse {
            cases,
            next_page_token: next_before.map(convert::page_token).unwrap_or_default(),
        })
    }

    async fn history(
        &self,
        request: Request<CallerHistoryRequest>,
    ) -> Result<CallerHistoryResponse, Error> {
        let ctx = &self.0;
        let caller = ctx.admit(&request, Rpc::CallerHistory)?;
        let r = request.into_inner();
        let phone = normalize_phone(&r.phone).map_err(|e| FieldError::phone("phone", &e))?;
        let limit = bounded(r.limit, HISTORY_DEFAULT, HISTORY_MAX);
        let typed = phone.clone();
        let (history, timelines) = ctx
            .read(move |s| {
                let history = s.caller_history(&typed, limit)?;
                let timelines = timelines(s, &history.cases)?;
                Ok((history, timelines))
            })
            .await?;
        let view = View::of(&caller, Rpc::CallerHistory);
        let Some(citizen) = &history.citizen else {
            // A number never heard, or erased: a new caller.
            return Ok(CallerHistoryResponse::default());
        };
        // The agent typed the number; showing it back beside the citizen's
        // history is a view of their record all the same, and is on record
        // before it is answered.
        ctx.store
            .audit(vec![AuditEntry {
                at_ms: ctx.clock.now_ms(),
                actor: caller.name.clone(),
                role: Some(caller.role),
                action: AuditAction::PhoneRevealed,
                citizen_id: citizen.citizen.id.clone(),
                case_id: 0,
                case_number: String::new(),
                reason: REASON_HISTORY.into(),
            }])
            .await?;
        let mut dresser = Dresser::new(ctx, &view);
        let mut cases = Vec::with_capacity(history.cases.len());
        for (c, events) in history.cases.iter().zip(&timelines) {
            let mut case = convert::case_to(c, events, &view, &ctx.sla);
            dresser.dress(c, &mut case)?;
            case.phone = phone.clone();
            cases.push(case);
        }
        Ok(CallerHistoryResponse {
            cases,
            total: u32::try_from(history.total).unwrap_or(u32::MAX),
            open: u32::try_from(history.open).unwrap_or(u32::MAX),
            citizen_id: citizen.citizen.id.clone(),
            shahrban: citizen.citizen.shahrban,
            false_reports: citizen.citizen.standing_false_reports(),
        })
    }
}

impl CaseApi {
    async fn mv(&self, request: Request<MoveCaseRequest>) -> Result<MoveCaseResponse, Error> {
        let ctx = &self.0;
        let caller = ctx.admit(&request, Rpc::MoveCase)?;
        move_as(ctx, &caller, request.into_inner()).await
    }
}

/// A move by an admitted caller: MoveCase, and the call-back's outcomes.
pub(crate) async fn move_as(
    ctx: &super::Context,
    caller: &crate::domain::access::Caller,
    r: MoveCaseRequest,
) -> Result<MoveCaseResponse, Error> {
    {
        let caller = caller.clone();
        // What a retry must repeat, byte for byte.
        let content = prost::Message::encode_to_vec(&r);
        let case_id = r.case_id;
        let (mv, input) = check_fields(MoveInput::try_from(r)?)?;
        let occ = ctx.coordination_unit().map(str::to_owned);
        let case = ctx
            .read_point(|s| s.get_case(case_id))?
            .ok_or(Error::NoSuchCase)?;
        access::check_move(&caller, &case, occ.as_deref(), mv)?;
        // Files are only ever added to a case, so one checked now is there
        // when the move is applied.
        if !input.attachment_ids.is_empty() {
            let on_case: std::collections::HashSet<String> = ctx
                .read_point(|s| s.attachments(case_id))?
                .iter()
                .map(|a| a.id())
                .collect();
            if let Some(missing) = input
                .attachment_ids
                .iter()
                .find(|id| !on_case.contains(*id))
            {
                return Err(Error::field(
                    "attachment_ids",
                    Reason::UnknownAttachment,
                    format!("{} is no file uploaded to this case", text::quote(missing)),
                ));
            }
        }
        // A duplicate the caller may not see counts as no case at all.
        let duplicate_id = if input.duplicate_of.is_empty() {
            None
        } else {
            ctx.read_point(|s| s.get_case_by_number(&input.duplicate_of))?
                .filter(|d| access::may_see(&caller, d, occ.as_deref()))
                .map(|d| d.id)
        };
        let follow_up_is_dispatcher =
            ctx.users.role_of(&input.follow_up) == Some(crate::domain::model::Role::Dispatcher);
        let request_key = RequestKey {
            key: keys::move_request(&caller.name, &input.request_id),
            content,
        };
        let (catalog, policy, now) = (ctx.catalog.clone(), ctx.sla.clone(), ctx.clock.now_ms());
        let callback = ctx.callback.clone();
        let mover = caller.clone();
        let updated = ctx
            .store
            .update_case_as(
                case_id,
                Some(request_key),
                Some(caller.role),
                move |case, _| {
                    // The case may have moved to another unit since it was read.
                    access::check_move(&mover, case, occ.as_deref(), mv)
                        .map_err(|_| StoreError::NotFound(case.id))?;
                    let world = World {
                        catalog: &catalog,
                        policy: &policy,
                        now,
                        duplicate_id,
                        follow_up_is_dispatcher,
                        callback: &callback,
                    };
                    let (case, events) = move_case::apply(case, &mover, mv, &input, &world)?;
                    Ok(CaseChange { case, events })
                },
            )
            .await?;
        let c = &updated.case;
        tracing::info!(
            number = %c.number,
            mv = mv.as_str(),
            status = c.status.as_str(),
            revision = c.revision,
            by = %caller.name,
            replayed = updated.replayed,
            "case moved"
        );
        let events = ctx.read_point(|s| s.timeline(c.id))?;
        let view = View::of(&caller, Rpc::MoveCase);
        let mut answer = convert::case_to(c, &events, &view, &ctx.sla);
        with_attachments(ctx, &mut answer, &view)?;
        Dresser::new(ctx, &view).dress(c, &mut answer)?;
        Ok(MoveCaseResponse {
            r#case: Some(answer),
            replayed: updated.replayed,
        })
    }
}

/// The files of a case, as its answer lists them to a caller who sees it
/// through `view`.
pub(crate) fn with_attachments(
    ctx: &super::Context,
    case: &mut Case,
    view: &View,
) -> Result<(), Error> {
    case.attachments = ctx
        .read_point(|s| s.attachments(case.id))?
        .iter()
        .map(|a| super::attachments::to_wire(a, view))
        .collect();
    Ok(())
}

/// The timelines of `cases`, in order: a list answers with each case whole,
/// as it did when the timeline lived inside the case.
fn timelines(
    store: &crate::store::Store,
    cases: &[crate::domain::model::Case],
) -> Result<Vec<Vec<crate::domain::event::Event>>, crate::store::StoreError> {
    cases.iter().map(|c| store.timeline(c.id)).collect()
}

#[tonic::async_trait]
impl CaseService for CaseApi {
    async fn create_case(
        &self,
        request: Request<CreateCaseRequest>,
    ) -> Result<Response<CreateCaseResponse>, Status> {
        Ok(Response::new(self.create(request).await?))
    }

    async fn get_case(&self, request: Request<GetCaseRequest>) -> Result<Response<Case>, Status> {
        Ok(Response::new(self.get(request).await?))
    }

    async fn list_cases(
        &self,
        request: Request<ListCasesRequest>,
    ) -> Result<Response<ListCasesResponse>, Status> {
        Ok(Response::new(self.list(request).await?))
    }

    async fn caller_history(
        &self,
        request: Request<CallerHistoryRequest>,
    ) -> Result<Response<CallerHistoryResponse>, Status> {
        Ok(Response::new(self.history(request).await?))
    }

    async fn move_case(
        &self,
        request: Request<MoveCaseRequest>,
    ) -> Result<Response<MoveCaseResponse>, Status> {
        Ok(Response::new(self.mv(request).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_default_and_clamp() {
        assert_eq!(bounded(0, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX), 50);
        assert_eq!(bounded(7, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX), 7);
        assert_eq!(bounded(10_000, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX), 500);
        assert_eq!(bounded(u32::MAX, HISTORY_DEFAULT, HISTORY_MAX), 200);
    }
}
