//! FeedService: the live feed, see [`crate::feed`].

use super::Context;
use crate::domain::access::Rpc;
use crate::feed::{FeedConfig, Hub, watch};
use desk137_proto::v1::WatchRequest;
use desk137_proto::v1::feed_service_server::FeedService;
use std::sync::Arc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

#[derive(Debug, Clone)]
pub struct FeedApi {
    pub ctx: Context,
    pub hub: Arc<Hub>,
    pub config: FeedConfig,
}

#[tonic::async_trait]
impl FeedService for FeedApi {
    type WatchStream = ReceiverStream<watch::Item>;

    async fn watch(
        &self,
        request: Request<WatchRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let caller = self.ctx.admit(&request, Rpc::Watch)?;
        let after_seq = request.get_ref().after_seq;
        let rx = watch::start(
            self.ctx.clone(),
            &self.hub,
            self.config.clone(),
            caller,
            after_seq,
        );
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}
