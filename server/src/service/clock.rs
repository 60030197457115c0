//! ClockService: moving the simulated clock of a demo or test server.

use super::{Context, Error};
use crate::domain::access::Rpc;
use crate::domain::clock::{HOUR_MS, SimClock};
use crate::domain::validate::{FieldError, Reason};
use crate::sla_worker::Waker;
use desk137_proto::v1::clock_service_server::ClockService;
use desk137_proto::v1::{AdvanceRequest, AdvanceResponse};
use tonic::{Request, Response, Status};

/// The farthest one call moves the clock.
pub const ADVANCE_MAX_MS: i64 = 366 * 24 * HOUR_MS;

#[derive(Debug, Clone)]
pub struct ClockApi {
    pub ctx: Context,
    /// `None` on the real clock.
    pub sim: Option<SimClock>,
    pub waker: Waker,
}

impl ClockApi {
    async fn advance(&self, request: Request<AdvanceRequest>) -> Result<AdvanceResponse, Error> {
        self.ctx.admit(&request, Rpc::Advance)?;
        let ms = request.into_inner().ms;
        if !(1..=ADVANCE_MAX_MS).contains(&ms) {
            return Err(FieldError::new(
                "ms",
                Reason::OutOfRange,
                format!("must be 1 to {ADVANCE_MAX_MS} (366 days)"),
            )
            .into());
        }
        let sim = self.sim.as_ref().ok_or_else(|| {
            Error::Precondition(
                "the server runs on the real clock; start it with --sim-clock to move time".into(),
            )
        })?;
        sim.advance(ms);
        // The reply waits for the worker, so what fell due is in the store.
        self.waker.catch_up().await;
        Ok(AdvanceResponse {
            now_ms: self.ctx.clock.now_ms(),
        })
    }
}

#[tonic::async_trait]
impl ClockService for ClockApi {
    async fn advance(
        &self,
        request: Request<AdvanceRequest>,
    ) -> Result<Response<AdvanceResponse>, Status> {
        Ok(Response::new(ClockApi::advance(self, request).await?))
    }
}
