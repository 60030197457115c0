//! SessionService: who the caller is, as the server sees them.

use super::{Context, Error};
use crate::domain::access::Rpc;
use desk137_proto::v1::session_service_server::SessionService;
use desk137_proto::v1::{WhoAmIRequest, WhoAmIResponse};
use tonic::{Request, Response, Status};

#[derive(Debug, Clone)]
pub struct SessionApi(pub Context);

impl SessionApi {
    fn who_am_i(&self, request: &Request<WhoAmIRequest>) -> Result<WhoAmIResponse, Error> {
        let caller = self.0.admit(request, Rpc::WhoAmI)?;
        Ok(WhoAmIResponse {
            user: caller.name,
            role: desk137_proto::convert::WireEnum::to_wire(caller.role),
            unit_id: caller.unit_id,
            demo: self.0.demo,
            server_time_ms: self.0.clock.now_ms(),
            sla: Some((&self.0.sla).into()),
        })
    }
}

#[tonic::async_trait]
impl SessionService for SessionApi {
    async fn who_am_i(
        &self,
        request: Request<WhoAmIRequest>,
    ) -> Result<Response<WhoAmIResponse>, Status> {
        Ok(Response::new(SessionApi::who_am_i(self, &request)?))
    }
}
