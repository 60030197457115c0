//! CitizenService: the «اصفهان من» portal, on behalf of a number it has
//! verified, reads that citizen's cases as the citizen should read them
//! ([`crate::domain::public`]) and makes their two moves: a correction and
//! feedback, through the same path as MoveCase and the call-back.
//!
//! The number comes with every request and finds the citizen through the
//! keyed index, never a scan; it goes into no log line and comes back in no
//! answer. A case that is not this number's answers exactly as a missing one.
//!
//! The portal's moves take no call-back lease: the lease only keeps two
//! agents from phoning the same citizen, and here the citizen is the one
//! speaking. If an agent records an outcome first, the portal's revision is
//! stale and it gets ABORTED; if the portal is first, the agent's is.

use super::cases::{LIST_BUDGET_BYTES, move_as};
use super::{Context, Error, convert};
use crate::domain::access::{Caller, Rpc};
use crate::domain::media;
use crate::domain::model::Case;
use crate::domain::move_case::NOTE_MAX;
use crate::domain::phone::normalize_phone;
use crate::domain::public;
use crate::domain::text::{forbidden_char, tidy, typed_key};
use crate::domain::validate::{FieldError, Reason, check_len};
use desk137_proto::convert::WireEnum;
use desk137_proto::v1 as pb;
use desk137_proto::v1::citizen_service_server::CitizenService;
use prost::Message;
use tonic::{Request, Response, Status};

pub const PAGE_SIZE_DEFAULT: usize = 20;
pub const PAGE_SIZE_MAX: usize = 100;

#[derive(Debug, Clone)]
pub struct PortalApi(pub Context);

/// The number the portal speaks for, normalised.
fn phone_of(raw: &str) -> Result<String, Error> {
    normalize_phone(raw).map_err(|e| FieldError::phone("phone", &e).into())
}

/// The citizen's words: plain text, trimmed, at most [`NOTE_MAX`] characters.
fn comment_of(raw: &str, required: bool) -> Result<String, Error> {
    if let Some(c) = forbidden_char(raw) {
        return Err(FieldError::new(
            "comment",
            Reason::BadCharacters,
            format!(
                "holds U+{:04X}, a control or direction-override character; send plain text",
                u32::from(c)
            ),
        )
        .into());
    }
    let comment = tidy(raw);
    check_len("comment", &comment, usize::from(required), NOTE_MAX)?;
    Ok(comment)
}

/// The id of the citizen who called from `phone`; `None` for a number never
/// heard, or erased.
fn citizen_of(ctx: &Context, phone: &str) -> Result<Option<String>, Error> {
    Ok(ctx
        .read_point(|s| s.citizen_by_phone(phone))?
        .filter(|c| !c.sealed.erased())
        .map(|c| c.citizen.id))
}

/// Whose case this is: the citizen's own, else no case at all.
fn owned(case: Option<Case>, citizen: Option<&str>) -> Result<Case, Error> {
    match (case, citizen) {
        (Some(case), Some(id)) if !id.is_empty() && case.citizen_id == id => Ok(case),
        _ => Err(Error::NoSuchCase),
    }
}

/// The case `case_id` if it is `phone`'s.
fn own_case(ctx: &Context, phone: &str, case_id: u64) -> Result<Case, Error> {
    if case_id == 0 {
        return Err(FieldError::required("case_id").into());
    }
    let citizen = citizen_of(ctx, phone)?;
    let case = ctx.read_point(|s| s.get_case(case_id))?;
    owned(case, citizen.as_deref())
}

/// A case as its citizen sees it.
fn public_case(ctx: &Context, c: &Case) -> Result<pb::PublicCase, Error> {
    let events = ctx.read_point(|s| s.timeline(c.id))?;
    let documents = ctx.read_point(|s| s.attachments(c.id))?;
    let expected = public::expected(c);
    let unit_fa = |id: &str| {
        ctx.catalog
            .unit(id)
            .map_or_else(String::new, |u| u.name_fa.clone())
    };
    Ok(pb::PublicCase {
        case_id: c.id,
        number: c.number.clone(),
        revision: c.revision,
        created_at_ms: c.created_at_ms,
        channel: c.channel.to_wire(),
        urgency: c.urgency.to_wire(),
        topic_id: c.topic_id.clone(),
        topic_fa: ctx
            .catalog
            .topic(&c.topic_id)
            .map_or_else(String::new, |t| t.title_fa.clone()),
        description: public::text(&c.description),
        address: public::text(&c.address),
        status: c.status.to_wire(),
        unit_fa: unit_fa(&c.unit_id),
        steps: public::steps(c, &events, &ctx.catalog)
            .into_iter()
            .map(|s| pb::PublicStep {
                at_ms: s.at_ms,
                kind: s.kind.code().to_wire(),
                status: s.status.to_wire(),
                title_fa: s.title_fa.to_owned(),
                title_en: s.title_en.to_owned(),
                text: s.text,
                unit_fa: s.unit_fa,
            })
            .collect(),
        documents: documents.iter().map(document).collect(),
        expected_first_response_ms: expected.first_response_ms,
        expected_on_site_ms: expected.on_site_ms,
        expected_result_ms: expected.result_ms,
        promised_ms: expected.promised_ms,
        feedback_open: public::feedback_open(c),
        satisfaction: u32::from(c.feedback.satisfaction),
    })
}

/// A file of the case as the citizen sees it: not who on the staff added it.
fn document(a: &media::Attachment) -> pb::Attachment {
    pb::Attachment {
        id: a.id(),
        name: public::text(&a.name),
        media_type: a.media_type.as_str().to_owned(),
        size: a.size,
        added_at_ms: a.added_at_ms,
        added_by: String::new(),
    }
}

impl PortalApi {
    async fn list(
        &self,
        request: Request<pb::ListMyCasesRequest>,
    ) -> Result<pb::ListMyCasesResponse, Error> {
        let ctx = &self.0;
        ctx.admit(&request, Rpc::ListMyCases)?;
        let r = request.into_inner();
        let phone = phone_of(&r.phone)?;
        let before = convert::page_before(&r.page_token)?;
        let size = match usize::try_from(r.page_size) {
            Ok(0) => PAGE_SIZE_DEFAULT,
            Ok(n) => n.min(PAGE_SIZE_MAX),
            Err(_) => PAGE_SIZE_MAX,
        };
        let Some(citizen) = citizen_of(ctx, &phone)? else {
            // A number that never called has no cases: not an error.
            return Ok(pb::ListMyCasesResponse::default());
        };
        let page = ctx
            .read(move |s| s.citizen_cases(&citizen, before, size))
            .await?;
        let mut cases = Vec::with_capacity(page.cases.len());
        let mut bytes = 0;
        let mut next_before = page.next_before;
        for c in &page.cases {
            let case = public_case(ctx, c)?;
            bytes += case.encoded_len();
            if bytes > LIST_BUDGET_BYTES && !cases.is_empty() {
                next_before = cases.last().map(|last: &pb::PublicCase| last.case_id);
                break;
            }
            cases.push(case);
        }
        Ok(pb::ListMyCasesResponse {
            cases,
            next_page_token: next_before.map(convert::page_token).unwrap_or_default(),
        })
    }

    async fn get(&self, request: Request<pb::GetMyCaseRequest>) -> Result<pb::PublicCase, Error> {
        let ctx = &self.0;
        ctx.admit(&request, Rpc::GetMyCase)?;
        let r = request.into_inner();
        let phone = phone_of(&r.phone)?;
        let key = r
            .key
            .ok_or_else(|| Error::field("key", Reason::Required, "give the case id or number"))?;
        let citizen = citizen_of(ctx, &phone)?;
        let found = match key {
            pb::get_my_case_request::Key::CaseId(id) => ctx.read_point(|s| s.get_case(id))?,
            pb::get_my_case_request::Key::Number(number) => {
                let number = typed_key(&number);
                ctx.read_point(|s| s.get_case_by_number(&number))?
            }
        };
        let case = owned(found, citizen.as_deref())?;
        public_case(ctx, &case)
    }

    async fn download(
        &self,
        request: Request<pb::DownloadMyDocumentRequest>,
    ) -> Result<super::attachments::DownloadStream, Error> {
        let ctx = &self.0;
        ctx.admit(&request, Rpc::DownloadMyDocument)?;
        let r = request.into_inner();
        let phone = phone_of(&r.phone)?;
        if r.case_id == 0 {
            return Err(FieldError::required("case_id").into());
        }
        let sha256 = media::parse_id("attachment_id", &r.attachment_id)?;
        let case = own_case(ctx, &phone, r.case_id)?;
        tracing::info!(number = %case.number, "document served to the portal");
        super::attachments::serve(ctx, &case, sha256, document).await
    }

    /// A move of the citizen's, made as the portal through MoveCase's path.
    async fn citizen_move(
        &self,
        caller: &Caller,
        phone: &str,
        m: pb::MoveCaseRequest,
    ) -> Result<(pb::PublicCase, bool), Error> {
        let ctx = &self.0;
        let case = own_case(ctx, phone, m.case_id)?;
        let moved = move_as(ctx, caller, m).await?;
        let case = ctx
            .read_point(|s| s.get_case(case.id))?
            .ok_or(Error::NoSuchCase)?;
        Ok((public_case(ctx, &case)?, moved.replayed))
    }

    async fn correction(
        &self,
        request: Request<pb::RequestCorrectionRequest>,
    ) -> Result<pb::RequestCorrectionResponse, Error> {
        let caller = self.0.admit(&request, Rpc::RequestCorrection)?;
        let r = request.into_inner();
        let phone = phone_of(&r.phone)?;
        if r.case_id == 0 {
            return Err(FieldError::required("case_id").into());
        }
        let comment = comment_of(&r.comment, true)?;
        let (case, replayed) = self
            .citizen_move(
                &caller,
                &phone,
                pb::MoveCaseRequest {
                    request_id: r.request_id,
                    case_id: r.case_id,
                    revision: r.revision,
                    r#move: pb::Move::Reopen.into(),
                    note: comment,
                    ..Default::default()
                },
            )
            .await?;
        Ok(pb::RequestCorrectionResponse {
            r#case: Some(case),
            replayed,
        })
    }

    async fn feedback(
        &self,
        request: Request<pb::GiveFeedbackRequest>,
    ) -> Result<pb::GiveFeedbackResponse, Error> {
        let caller = self.0.admit(&request, Rpc::GiveFeedback)?;
        let r = request.into_inner();
        let phone = phone_of(&r.phone)?;
        if r.case_id == 0 {
            return Err(FieldError::required("case_id").into());
        }
        if !(1..=5).contains(&r.satisfaction) {
            return Err(if r.satisfaction == 0 {
                FieldError::required("satisfaction")
            } else {
                FieldError::new("satisfaction", Reason::OutOfRange, "must be 1 to 5")
            }
            .into());
        }
        let comment = comment_of(&r.comment, false)?;
        let (case, replayed) = self
            .citizen_move(
                &caller,
                &phone,
                pb::MoveCaseRequest {
                    request_id: r.request_id,
                    case_id: r.case_id,
                    revision: r.revision,
                    r#move: pb::Move::Feedback.into(),
                    note: comment,
                    satisfaction: r.satisfaction,
                    ..Default::default()
                },
            )
            .await?;
        Ok(pb::GiveFeedbackResponse {
            r#case: Some(case),
            replayed,
        })
    }
}

#[tonic::async_trait]
impl CitizenService for PortalApi {
    async fn list_my_cases(
        &self,
        request: Request<pb::ListMyCasesRequest>,
    ) -> Result<Response<pb::ListMyCasesResponse>, Status> {
        Ok(Response::new(self.list(request).await?))
    }

    async fn get_my_case(
        &self,
        request: Request<pb::GetMyCaseRequest>,
    ) -> Result<Response<pb::PublicCase>, Status> {
        Ok(Response::new(self.get(request).await?))
    }

    type DownloadMyDocumentStream = super::attachments::DownloadStream;

    async fn download_my_document(
        &self,
        request: Request<pb::DownloadMyDocumentRequest>,
    ) -> Result<Response<Self::DownloadMyDocumentStream>, Status> {
        Ok(Response::new(self.download(request).await?))
    }

    async fn request_correction(
        &self,
        request: Request<pb::RequestCorrectionRequest>,
    ) -> Result<Response<pb::RequestCorrectionResponse>, Status> {
        Ok(Response::new(self.correction(request).await?))
    }

    async fn give_feedback(
        &self,
        request: Request<pb::GiveFeedbackRequest>,
    ) -> Result<Response<pb::GiveFeedbackResponse>, Status> {
        Ok(Response::new(self.feedback(request).await?))
    }
}
