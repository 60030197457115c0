//! FeedbackService: the agents' call-back queue. The queue hands the next
//! case (the agent never types a number), leased so no two agents call the
//! same citizen at once; the outcome is a move of the lifecycle, made
//! through the same path as MoveCase.

use super::{Context, Error, convert};
use crate::domain::access::{Caller, Rpc, View};
use crate::domain::model::Case;
use crate::domain::score;
use crate::domain::validate::{FieldError, Reason};
use desk137_proto::v1 as pb;
use desk137_proto::v1::feedback_service_server::FeedbackService;
use tonic::{Request, Response, Status};

#[derive(Debug, Clone)]
pub struct FeedbackApi(pub Context);

/// A case as the call-back shows it: whole, with its timeline and files,
/// and its score under the server's settings.
pub(crate) fn answer(ctx: &Context, caller: &Caller, c: &Case) -> Result<pb::Case, Error> {
    let events = ctx.read_point(|s| s.timeline(c.id))?;
    let view = View::of(caller, Rpc::NextCallBack);
    let mut answer = convert::case_to(c, &events, &view, &ctx.sla);
    super::cases::with_attachments(ctx, &mut answer, &view)?;
    super::citizens::Dresser::new(ctx, &view).dress(c, &mut answer)?;
    if let Some(cb) = answer.call_back.as_mut() {
        let s = score::case_score(&score::input_of(c), &ctx.score);
        cb.scored = s.is_some();
        cb.score = s.map_or(0.0, |s| s * 100.0);
    }
    Ok(answer)
}

/// The move an outcome makes.
fn move_of(r: &pb::RecordFeedbackRequest) -> Result<pb::Move, FieldError> {
    let outcome: Option<pb::FeedbackOutcome> = pb::FeedbackOutcome::try_from(r.outcome)
        .map_err(|_| FieldError::unknown_value("outcome", r.outcome))
        .map(|o| (o != pb::FeedbackOutcome::Unspecified).then_some(o))?;
    Ok(
        match outcome.ok_or_else(|| FieldError::required("outcome"))? {
            pb::FeedbackOutcome::Satisfaction => pb::Move::Feedback,
            pb::FeedbackOutcome::Correction => pb::Move::Reopen,
            pb::FeedbackOutcome::Unreachable | pb::FeedbackOutcome::Unspecified => {
                pb::Move::Unreachable
            }
        },
    )
}

impl FeedbackApi {
    async fn next(
        &self,
        request: Request<pb::NextCallBackRequest>,
    ) -> Result<pb::NextCallBackResponse, Error> {
        let ctx = &self.0;
        let caller = ctx.admit(&request, Rpc::NextCallBack)?;
        let now = ctx.clock.now_ms();
        let handed = ctx
            .callbacks
            .next(&caller.name, now, ctx.callback.lease_ms())
            .map_err(Error::from)?;
        let Some(handed) = handed else {
            return Ok(pb::NextCallBackResponse::default());
        };
        let case = ctx
            .read_point(|s| s.get_case(handed.case_id))?
            .ok_or(Error::NoSuchCase)?;
        tracing::info!(number = %case.number, by = %caller.name, "call-back handed");
        let mut shown = answer(ctx, &caller, &case)?;
        if View::of(&caller, Rpc::NextCallBack).phone == crate::domain::access::PhoneView::Whole {
            // The agent is the one who calls: the number, once its view is on record.
            shown.phone = super::citizens::reveal_whole(
                ctx,
                &caller,
                &case,
                super::citizens::REASON_CALL_BACK,
            )
            .await?
            .unwrap_or_default();
        }
        Ok(pb::NextCallBackResponse {
            r#case: Some(shown),
            lease_until_ms: handed.until_ms,
            waiting: handed.waiting,
        })
    }

    async fn record(
        &self,
        request: Request<pb::RecordFeedbackRequest>,
    ) -> Result<pb::RecordFeedbackResponse, Error> {
        let ctx = &self.0;
        let caller = ctx.admit(&request, Rpc::RecordFeedback)?;
        let r = request.into_inner();
        let mv = move_of(&r)?;
        if mv == pb::Move::Feedback && !(1..=5).contains(&r.satisfaction) {
            return Err(if r.satisfaction == 0 {
                FieldError::required("satisfaction")
            } else {
                FieldError::new("satisfaction", Reason::OutOfRange, "must be 1 to 5")
            }
            .into());
        }
        let now = ctx.clock.now_ms();
        let case_id = r.case_id;
        // Without the lease the answer is the same for a case that does not
        // exist: nothing is told about cases this agent was not handed.
        if !ctx.callbacks.holds(&caller.name, case_id, now) {
            let replay = ctx.read_point(|s| s.get_case(case_id))?;
            if replay.is_none() {
                return Err(Error::NoSuchCase);
            }
            return Err(Error::Precondition(
                "the case is not handed to you now: ask for the next call-back".into(),
            ));
        }
        let moved = super::cases::move_as(
            ctx,
            &caller,
            pb::MoveCaseRequest {
                request_id: r.request_id,
                case_id,
                revision: r.revision,
                r#move: mv.into(),
                note: r.note,
                satisfaction: if mv == pb::Move::Feedback {
                    r.satisfaction
                } else {
                    0
                },
                ..Default::default()
            },
        )
        .await?;
        // The lease stays until it ends: a retry of this request still finds
        // it, and the next ask drops it, the case being no longer due.
        let case = ctx
            .read_point(|s| s.get_case(case_id))?
            .ok_or(Error::NoSuchCase)?;
        Ok(pb::RecordFeedbackResponse {
            r#case: Some(answer(ctx, &caller, &case)?),
            replayed: moved.replayed,
        })
    }

    async fn release(
        &self,
        request: Request<pb::ReleaseCallBackRequest>,
    ) -> Result<pb::ReleaseCallBackResponse, Error> {
        let ctx = &self.0;
        let caller = ctx.admit(&request, Rpc::ReleaseCallBack)?;
        ctx.callbacks
            .release(&caller.name, request.into_inner().case_id);
        Ok(pb::ReleaseCallBackResponse {})
    }
}

#[tonic::async_trait]
impl FeedbackService for FeedbackApi {
    async fn next_call_back(
        &self,
        request: Request<pb::NextCallBackRequest>,
    ) -> Result<Response<pb::NextCallBackResponse>, Status> {
        Ok(Response::new(self.next(request).await?))
    }

    async fn record_feedback(
        &self,
        request: Request<pb::RecordFeedbackRequest>,
    ) -> Result<Response<pb::RecordFeedbackResponse>, Status> {
        Ok(Response::new(self.record(request).await?))
    }

    async fn release_call_back(
        &self,
        request: Request<pb::ReleaseCallBackRequest>,
    ) -> Result<Response<pb::ReleaseCallBackResponse>, Status> {
        Ok(Response::new(self.release(request).await?))
    }
}
