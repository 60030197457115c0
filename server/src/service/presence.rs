//! PresenceService: staff signing in and out, told on the feed.

use super::{Context, Error};
use crate::domain::access::Rpc;
use crate::store::feed::NewFeed;
use desk137_proto::v1::presence_service_server::PresenceService;
use desk137_proto::v1::{SignInRequest, SignInResponse, SignOutRequest, SignOutResponse};
use tonic::{Request, Response, Status};

#[derive(Debug, Clone)]
pub struct PresenceApi(pub Context);

impl PresenceApi {
    async fn record<T>(
        &self,
        request: &Request<T>,
        rpc: Rpc,
        signed_in: bool,
    ) -> Result<u64, Error> {
        let caller = self.0.admit(request, rpc)?;
        let record = NewFeed::presence(self.0.clock.now_ms(), &caller.name, caller.role, signed_in);
        Ok(self.0.store.append_feed(record).await?)
    }
}

#[tonic::async_trait]
impl PresenceService for PresenceApi {
    async fn sign_in(
        &self,
        request: Request<SignInRequest>,
    ) -> Result<Response<SignInResponse>, Status> {
        let seq = self.record(&request, Rpc::SignIn, true).await?;
        Ok(Response::new(SignInResponse { seq }))
    }

    async fn sign_out(
        &self,
        request: Request<SignOutRequest>,
    ) -> Result<Response<SignOutResponse>, Status> {
        let seq = self.record(&request, Rpc::SignOut, false).await?;
        Ok(Response::new(SignOutResponse { seq }))
    }
}
