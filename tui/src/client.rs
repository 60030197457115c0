//! The gRPC side: every request runs in its own task, so a slow answer never
//! holds the keyboard, and comes back to the event loop as a message.

use crate::app::msg::{Msg, Reply, Request, RpcError};
use desk137_proto::v1 as pb;
use desk137_proto::v1::case_service_client::CaseServiceClient;
use desk137_proto::v1::catalog_service_client::CatalogServiceClient;
use desk137_proto::v1::session_service_client::SessionServiceClient;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::{Channel, Endpoint};

/// A call that takes longer than this is reported as lost: the agent must
/// not wait on a dead line with a caller on the phone.
const CALL_TIMEOUT: Duration = Duration::from_secs(8);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the server address {0:?} is not a valid URL")]
    BadUrl(String),
    #[error("the token may hold only visible ASCII characters")]
    BadToken,
}

#[derive(Clone)]
pub struct Client {
    channel: Channel,
    auth: MetadataValue<Ascii>,
    replies: UnboundedSender<Msg>,
}

/// `host:port` becomes `http://host:port`.
pub fn normalize_url(server: &str) -> String {
    let s = server.trim();
    if s.contains("://") {
        s.to_owned()
    } else {
        format!("http://{s}")
    }
}

impl Client {
    /// Connects lazily: the first call dials, and a lost connection is
    /// dialled again by the next call. Must run inside the tokio runtime.
    pub fn new(
        server: &str,
        token: &str,
        replies: UnboundedSender<Msg>,
    ) -> Result<Self, ClientError> {
        let url = normalize_url(server);
        let endpoint = Endpoint::from_shared(url.clone())
            .map_err(|_| ClientError::BadUrl(url))?
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true);
        let auth = format!("Bearer {}", token.trim())
            .parse()
            .map_err(|_| ClientError::BadToken)?;
        Ok(Self {
            channel: endpoint.connect_lazy(),
            auth,
            replies,
        })
    }

    fn req<T>(&self, message: T) -> tonic::Request<T> {
        let mut r = tonic::Request::new(message);
        r.metadata_mut().insert("authorization", self.auth.clone());
        r.set_timeout(CALL_TIMEOUT);
        r
    }

    pub fn send(&self, request: Request) {
        let this = self.clone();
        tokio::spawn(async move {
            tracing::debug!(?request, "calling");
            let reply = this.call(request).await;
            if let Some(e) = reply.error() {
                tracing::warn!(code = ?e.code, message = %e.message, "call failed");
            }
            // The loop has ended when nobody listens: nothing to tell.
            let _ = this.replies.send(Msg::reply(reply));
        });
    }

    async fn call(&self, request: Request) -> Reply {
        let err = |s: tonic::Status| RpcError::from_status(&s);
        match request {
            Request::WhoAmI => {
                let mut c = SessionServiceClient::new(self.channel.clone());
                Reply::WhoAmI(
                    c.who_am_i(self.req(pb::WhoAmIRequest {}))
                        .await
                        .map(|r| r.into_inner())
                        .map_err(err),
                )
            }
            Request::ListTopics => {
                let mut c = CatalogServiceClient::new(self.channel.clone());
                Reply::Topics(
                    c.list_topics(self.req(pb::ListTopicsRequest {}))
                        .await
                        .map(|r| r.into_inner().topics)
                        .map_err(err),
                )
            }
            Request::ListUnits => {
                let mut c = CatalogServiceClient::new(self.channel.clone());
                Reply::Units(
                    c.list_units(self.req(pb::ListUnitsRequest {}))
                        .await
                        .map(|r| r.into_inner().units)
                        .map_err(err),
                )
            }
            Request::ListRegions => {
                let mut c = CatalogServiceClient::new(self.channel.clone());
                Reply::Regions(
                    c.list_regions(self.req(pb::ListRegionsRequest {}))
                        .await
                        .map(|r| r.into_inner().regions)
                        .map_err(err),
                )
            }
            Request::CallerHistory { phone } => {
                let mut c = CaseServiceClient::new(self.channel.clone());
                let result = c
                    .caller_history(self.req(pb::CallerHistoryRequest {
                        phone: phone.clone(),
                        limit: 20,
                    }))
                    .await
                    .map(|r| r.into_inner())
                    .map_err(err);
                Reply::CallerHistory { phone, result }
            }
            Request::CreateCase(req) => {
                let request_id = req.request_id.clone();
                let mut c = CaseServiceClient::new(self.channel.clone());
                let result = c
                    .create_case(self.req(req))
                    .await
                    .map(|r| r.into_inner())
                    .map_err(err);
                Reply::Created { request_id, result }
            }
            Request::ListCases {
                list,
                append,
                request,
            } => {
                let mut c = CaseServiceClient::new(self.channel.clone());
                let result = c
                    .list_cases(self.req(request))
                    .await
                    .map(|r| r.into_inner())
                    .map_err(err);
                Reply::Cases {
                    list,
                    append,
                    result,
                }
            }
            Request::GetCase { id } => {
                let mut c = CaseServiceClient::new(self.channel.clone());
                Reply::Case(
                    c.get_case(self.req(pb::GetCaseRequest {
                        key: Some(pb::get_case_request::Key::Id(id)),
                    }))
                    .await
                    .map(|r| r.into_inner())
                    .map_err(err),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_without_a_scheme_get_http() {
        assert_eq!(normalize_url("127.0.0.1:7137"), "http://127.0.0.1:7137");
        assert_eq!(
            normalize_url(" https://desk.example:443 "),
            "https://desk.example:443"
        );
    }
}
