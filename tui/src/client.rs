//! The gRPC side: every request runs in its own task, so a slow answer never
//! holds the keyboard, and comes back to the event loop as a message.
//! Subscriptions run in tasks of their own until closed.

use crate::app::msg::{Msg, Request, RpcError};
use crate::app::rpc::Prepare;
use crate::app::stream::{Serving, StreamEvent, StreamItem, StreamSpec, SubId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

/// A call that takes longer than this is reported as lost: the agent must
/// not wait on a dead line with a caller on the phone.
const CALL_TIMEOUT: Duration = Duration::from_secs(8);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// A broken stream is tried again after this, doubling up to the maximum.
const RETRY_FIRST_MS: u64 = 500;
const RETRY_MAX_MS: u64 = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the server address {0:?} is not a valid URL")]
    BadUrl(String),
    #[error("the token may hold only visible ASCII characters")]
    BadToken,
    #[error("TLS: {0}")]
    Tls(String),
}

#[derive(Clone)]
pub struct Client {
    channel: Channel,
    /// Shared by every clone, so a demo's change of user reaches them all.
    auth: Arc<Mutex<MetadataValue<Ascii>>>,
    replies: UnboundedSender<Msg>,
    streams: Arc<Mutex<Streams>>,
    /// The viewer attachments are opened with, the file's path appended.
    opener: Arc<Vec<String>>,
}

/// The open subscriptions. Each opening gets a number of its own, so that a
/// task closed (or replaced) while it was about to speak stays silent.
#[derive(Default)]
struct Streams {
    open: HashMap<SubId, (u64, AbortHandle)>,
    opened: u64,
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

fn bearer(token: &str) -> Result<MetadataValue<Ascii>, ClientError> {
    format!("Bearer {}", token.trim())
        .parse()
        .map_err(|_| ClientError::BadToken)
}

/// One opening of a subscription.
#[derive(Debug, Clone, Copy)]
struct Sub {
    id: SubId,
    opening: u64,
}

/// An upload carries a whole file: it gets longer than a unary call.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(120);

struct Upload<'a>(&'a MetadataValue<Ascii>);

impl Prepare for Upload<'_> {
    fn prepare<T>(&self, message: T) -> tonic::Request<T> {
        let mut r = tonic::Request::new(message);
        r.metadata_mut().insert("authorization", self.0.clone());
        r.set_timeout(UPLOAD_TIMEOUT);
        r
    }
}

/// A unary call's credentials and time limit.
struct Unary<'a>(&'a MetadataValue<Ascii>);

impl Prepare for Unary<'_> {
    fn prepare<T>(&self, message: T) -> tonic::Request<T> {
        let mut r = tonic::Request::new(message);
        r.metadata_mut().insert("authorization", self.0.clone());
        r.set_timeout(CALL_TIMEOUT);
        r
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
        Self::with_ca(server, token, None, replies)
    }

    /// Like [`Client::new`]; an `https://` server is reached over TLS and
    /// trusted if its certificate chains to `ca` (PEM) or, without one, to
    /// the system's roots. The token then never crosses the network in clear.
    pub fn with_ca(
        server: &str,
        token: &str,
        ca: Option<&[u8]>,
        replies: UnboundedSender<Msg>,
    ) -> Result<Self, ClientError> {
        let url = normalize_url(server);
        let mut endpoint = Endpoint::from_shared(url.clone())
            .map_err(|_| ClientError::BadUrl(url.clone()))?
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true);
        if url.starts_with("https://") {
            let tls = match ca {
                Some(pem) => ClientTlsConfig::new().ca_certificate(Certificate::from_pem(pem)),
                None => ClientTlsConfig::new().with_native_roots(),
            };
            endpoint = endpoint
                .tls_config(tls)
                .map_err(|e| ClientError::Tls(e.to_string()))?;
        } else if ca.is_some() {
            return Err(ClientError::Tls(format!(
                "a CA is given but {url} is not https://"
            )));
        }
        let auth = bearer(token)?;
        Ok(Self {
            channel: endpoint.connect_lazy(),
            auth: Arc::new(Mutex::new(auth)),
            replies,
            streams: Arc::default(),
            opener: Arc::new(crate::download::default_opener()),
        })
    }

    fn auth(&self) -> MetadataValue<Ascii> {
        self.auth
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Speaks as another user from the next call on (the demo's role key).
    pub fn set_token(&self, token: &str) -> Result<(), ClientError> {
        let auth = bearer(token)?;
        *self.auth.lock().unwrap_or_else(PoisonError::into_inner) = auth;
        Ok(())
    }

    /// One call, waited for here rather than answered as a message: the
    /// sign-out at exit, when the loop has stopped listening.
    pub async fn call(&self, call: crate::app::rpc::Call) -> crate::app::rpc::Answer {
        call.invoke(self.channel.clone(), &Unary(&self.auth()))
            .await
    }

    pub fn send(&self, request: Request) {
        self.send_with(request, self.auth());
    }

    /// Uploads the file at `path` to case `case_id`; the answer comes back
    /// to `to` as [`Msg::Uploaded`].
    pub fn upload(&self, to: crate::app::msg::To, case_id: u64, path: String) {
        let this = self.clone();
        let auth = self.auth();
        tokio::spawn(async move {
            let result =
                crate::upload::upload(this.channel.clone(), &Upload(&auth), case_id, &path).await;
            if let Err(e) = &result {
                tracing::warn!(code = ?e.code, message = %e.message, "upload failed");
            }
            let _ = this.replies.send(Msg::Uploaded { to, path, result });
        });
    }

    /// Attachments open with `opener` (a program and its first arguments)
    /// rather than the platform's viewer.
    pub fn with_opener(mut self, opener: Vec<String>) -> Self {
        self.opener = Arc::new(opener);
        self
    }

    /// Downloads an attachment and opens it with the viewer; the outcome
    /// comes back to `to` as [`Msg::Opened`].
    pub fn open_attachment(
        &self,
        to: crate::app::msg::To,
        case_id: u64,
        attachment: desk137_proto::v1::Attachment,
    ) {
        let this = self.clone();
        let auth = self.auth();
        tokio::spawn(async move {
            let how = Upload(&auth);
            let result =
                match crate::download::download(this.channel.clone(), &how, case_id, &attachment)
                    .await
                {
                    Ok(path) => crate::download::open_with(&this.opener, &path).await,
                    Err(e) => Err(e),
                };
            if let Err(e) = &result {
                tracing::warn!(error = %e, "opening an attachment failed");
            }
            let name = attachment.name;
            let _ = this.replies.send(Msg::Opened { to, name, result });
        });
    }

    /// One call as another user, whoever is signed in.
    pub fn send_as(&self, token: &str, request: Request) -> Result<(), ClientError> {
        self.send_with(request, bearer(token)?);
        Ok(())
    }

    fn send_with(&self, request: Request, auth: MetadataValue<Ascii>) {
        let this = self.clone();
        tokio::spawn(async move {
            let name = request.call.name();
            tracing::debug!(call = name, "calling");
            let answer = request
                .call
                .clone()
                .invoke(this.channel.clone(), &Unary(&auth))
                .await;
            if let Some(e) = answer.error() {
                tracing::warn!(call = name, code = ?e.code, message = %e.message, "call failed");
            }
            // The loop has ended when nobody listens: nothing to tell.
            let _ = this.replies.send(Msg::reply(request, answer));
        });
    }

    /// Opens a subscription; one already open under `id` is closed first.
    pub fn subscribe(&self, id: SubId, stream: StreamSpec) {
        let mut streams = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        streams.opened += 1;
        let sub = Sub {
            id,
            opening: streams.opened,
        };
        let this = self.clone();
        let task = tokio::spawn(async move {
            match stream {
                StreamSpec::Health => this.watch_health(sub).await,
                StreamSpec::Feed { after_seq } => this.watch_feed(sub, after_seq).await,
            }
        });
        if let Some((_, old)) = streams.open.insert(id, (sub.opening, task.abort_handle())) {
            old.abort();
        }
    }

    pub fn unsubscribe(&self, id: SubId) {
        let open = self
            .streams
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .open
            .remove(&id);
        if let Some((_, task)) = open {
            task.abort();
        }
    }

    /// Delivers news of `sub` while it is still open; false once it is not
    /// (or nobody listens), which ends its task. The lock is held while
    /// sending, so nothing arrives after [`Client::unsubscribe`] returns.
    fn tell(&self, sub: Sub, event: StreamEvent) -> bool {
        let streams = self.streams.lock().unwrap_or_else(PoisonError::into_inner);
        let open = streams
            .open
            .get(&sub.id)
            .is_some_and(|(opening, _)| *opening == sub.opening);
        open && self.replies.send(Msg::Stream { id: sub.id, event }).is_ok()
    }

    /// Watches the server's health until unsubscribed, opening the stream
    /// again after every break.
    async fn watch_health(&self, id: Sub) {
        let mut attempt = 0u32;
        loop {
            let retry_ms = (RETRY_FIRST_MS << attempt.min(4)).min(RETRY_MAX_MS);
            match self.health_stream(id).await {
                Ok(()) => {
                    attempt = 0;
                    if !self.tell(id, StreamEvent::Ended { retry_ms }) {
                        return;
                    }
                }
                Err(error) => {
                    attempt = attempt.saturating_add(1);
                    tracing::debug!(code = ?error.code, attempt, "health watch broke");
                    let event = StreamEvent::Reconnecting {
                        error,
                        attempt,
                        retry_ms,
                    };
                    if !self.tell(id, event) {
                        return;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(retry_ms)).await;
        }
    }

    /// One health stream, until it ends (`Ok`) or breaks.
    async fn health_stream(&self, id: Sub) -> Result<(), RpcError> {
        let err = |s: tonic::Status| RpcError::from_status(&s);
        let mut grpc = tonic::client::Grpc::new(self.channel.clone());
        grpc.ready().await.map_err(|e| RpcError {
            code: tonic::Code::Unavailable,
            message: e.to_string(),
            fault: None,
        })?;
        let mut req = tonic::Request::new(health::HealthCheckRequest {
            service: String::new(),
        });
        req.metadata_mut().insert("authorization", self.auth());
        let path = tonic::codegen::http::uri::PathAndQuery::from_static(health::WATCH);
        let codec = tonic_prost::ProstCodec::<
            health::HealthCheckRequest,
            health::HealthCheckResponse,
        >::default();
        let mut stream = grpc
            .server_streaming(req, path, codec)
            .await
            .map_err(err)?
            .into_inner();
        while let Some(item) = stream.message().await.map_err(err)? {
            let serving = health::serving(item.status);
            if !self.tell(id, StreamEvent::Item(StreamItem::Health(serving))) {
                return Ok(());
            }
            // A server that says it is going waits for open calls before it
            // closes; letting go of the watch lets it close at once.
            if serving == Serving::NotServing {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// The trailer a feed cut off for not keeping up names its last sequence in.
const LAST_SEQ_TRAILER: &str = "desk137-last-seq";

impl Client {
    /// Watches the feed until unsubscribed. Every reconnection resumes after
    /// the last sequence passed on, so the screens get no gap and no repeat;
    /// a stream silent past the heartbeats is dropped and opened again.
    async fn watch_feed(&self, id: Sub, after_seq: u64) {
        let mut after = after_seq;
        let mut attempt = 0u32;
        loop {
            let (result, live) = self.feed_stream(id, &mut after).await;
            if live {
                attempt = 0;
            }
            let retry_ms = (RETRY_FIRST_MS << attempt.min(4)).min(RETRY_MAX_MS);
            let event = match result {
                Ok(()) => StreamEvent::Ended { retry_ms },
                Err(error) => {
                    attempt = attempt.saturating_add(1);
                    tracing::debug!(code = ?error.code, attempt, after, "feed broke");
                    StreamEvent::Reconnecting {
                        error,
                        attempt,
                        retry_ms,
                    }
                }
            };
            if !self.tell(id, event) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(retry_ms)).await;
        }
    }

    /// One feed stream, until it ends (`Ok`) or breaks; `after` follows the
    /// items passed on. The flag says whether anything arrived.
    async fn feed_stream(&self, id: Sub, after: &mut u64) -> (Result<(), RpcError>, bool) {
        use desk137_proto::v1::feed_service_client::FeedServiceClient;
        use desk137_proto::v1::watch_response::Item;
        let mut req = tonic::Request::new(desk137_proto::v1::WatchRequest { after_seq: *after });
        req.metadata_mut().insert("authorization", self.auth());
        let mut stream = match FeedServiceClient::new(self.channel.clone())
            .watch(req)
            .await
        {
            Ok(r) => r.into_inner(),
            Err(s) => return (Err(RpcError::from_status(&s)), false),
        };
        let silence = Duration::from_millis(crate::app::feed::SILENCE_MS as u64);
        let mut live = false;
        loop {
            let next = match tokio::time::timeout(silence, stream.message()).await {
                Ok(next) => next,
                Err(_) => {
                    let e = RpcError {
                        code: tonic::Code::Unavailable,
                        message: "the feed fell silent".into(),
                        fault: None,
                    };
                    return (Err(e), live);
                }
            };
            match next {
                Ok(Some(item)) => {
                    live = true;
                    match &item.item {
                        Some(Item::Event(e)) => *after = (*after).max(e.seq),
                        Some(Item::Resync(r)) if r.last => *after = r.seq,
                        _ => {}
                    }
                    let event = StreamEvent::Item(StreamItem::Feed(Box::new(item)));
                    if !self.tell(id, event) {
                        return (Ok(()), live);
                    }
                }
                Ok(None) => return (Ok(()), live),
                Err(s) => {
                    // Cut off for not keeping up: the server names the last
                    // sequence it sent, which is the last one passed on.
                    if let Some(seq) = s
                        .metadata()
                        .get(LAST_SEQ_TRAILER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                    {
                        tracing::info!(seq, after = *after, "feed cut off");
                    }
                    return (Err(RpcError::from_status(&s)), live);
                }
            }
        }
    }
}

/// The two messages of `grpc.health.v1` this client needs, declared here so
/// that the client carries no server-side health crate.
mod health {
    use crate::app::stream::Serving;

    pub const WATCH: &str = "/grpc.health.v1.Health/Watch";

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct HealthCheckRequest {
        #[prost(string, tag = "1")]
        pub service: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct HealthCheckResponse {
        /// UNKNOWN = 0, SERVING = 1, NOT_SERVING = 2, SERVICE_UNKNOWN = 3.
        #[prost(int32, tag = "1")]
        pub status: i32,
    }

    pub fn serving(status: i32) -> Serving {
        match status {
            1 => Serving::Serving,
            2 => Serving::NotServing,
            _ => Serving::Unknown,
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
