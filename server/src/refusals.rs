//! Every refused call leaves a trace, and a peer that keeps failing to
//! authenticate is slowed down. One layer in front of every service sees each
//! answer's status: it logs refusals with the peer's address, the call and the
//! code (never the request's content), answers undecodable requests as the
//! client's fault, and holds back the answers to a peer that has failed to
//! authenticate too often.

use crate::domain::clock::{Millis, SharedClock};
use crate::listener::ConnInfo;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tonic::Code;
use tonic::codegen::http;

/// Failed authentications a peer may make in [`WINDOW_MS`] before its
/// answers are held back.
pub const FREE_FAILURES: u32 = 5;
/// The window over which failures count.
pub const WINDOW_MS: Millis = 60_000;
/// The longest one answer is held back.
pub const MAX_DELAY: Duration = Duration::from_secs(5);
/// Peers remembered at most; past it the oldest windows are forgotten.
const MAX_PEERS: usize = 10_000;

/// Failed authentications by peer address.
#[derive(Debug, Clone)]
pub struct Refusals {
    clock: SharedClock,
    failures: Arc<Mutex<HashMap<IpAddr, Window>>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start_ms: Millis,
    failures: u32,
}

impl Refusals {
    pub fn new(clock: SharedClock) -> Self {
        Self {
            clock,
            failures: Arc::default(),
        }
    }

    /// Counts a failed authentication of `peer`; how long to hold its answer.
    pub fn failed(&self, peer: IpAddr) -> Duration {
        let now = self.clock.now_ms();
        let Ok(mut failures) = self.failures.lock() else {
            return Duration::ZERO;
        };
        if failures.len() >= MAX_PEERS && !failures.contains_key(&peer) {
            failures.retain(|_, w| now - w.start_ms < WINDOW_MS);
            if failures.len() >= MAX_PEERS {
                failures.clear();
            }
        }
        let window = failures.entry(peer).or_insert(Window {
            start_ms: now,
            failures: 0,
        });
        if now - window.start_ms >= WINDOW_MS {
            *window = Window {
                start_ms: now,
                failures: 0,
            };
        }
        window.failures = window.failures.saturating_add(1);
        let over = window.failures.saturating_sub(FREE_FAILURES);
        Duration::from_secs(u64::from(over)).min(MAX_DELAY)
    }
}

impl<S> tower::Layer<S> for Refusals {
    type Service = Watched<S>;

    fn layer(&self, inner: S) -> Watched<S> {
        Watched {
            inner,
            refusals: self.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Watched<S> {
    inner: S,
    refusals: Refusals,
}

fn peer_of<B>(request: &http::Request<B>) -> Option<SocketAddr> {
    let ext = request.extensions();
    crate::answers::conn_info(ext).and_then(ConnInfo::remote_addr)
}

/// The status of an answer that carries it in its headers (every refusal).
fn code_of<B>(response: &http::Response<B>) -> Option<Code> {
    let value = response.headers().get("grpc-status")?;
    let n: i32 = value.to_str().ok()?.parse().ok()?;
    Some(Code::from_i32(n))
}

/// tonic answers a request whose message does not decode as INTERNAL; it is
/// the client's fault, so it goes out as INVALID_ARGUMENT.
fn undecodable<B>(response: &http::Response<B>) -> bool {
    response
        .headers()
        .get("grpc-message")
        .and_then(|m| m.to_str().ok())
        .is_some_and(|m| m.starts_with("failed%20to%20decode") || m.starts_with("failed to decode"))
}

impl<S, B, R> tower::Service<http::Request<B>> for Watched<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: Send,
    R: Send,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let peer = peer_of(&request);
        // A refcounted clone: the path is read only if the call is refused.
        let uri = request.uri().clone();
        let refusals = self.refusals.clone();
        let future = self.inner.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            let mut code = code_of(&response);
            if code == Some(Code::Internal) && undecodable(&response) {
                response.headers_mut().insert(
                    "grpc-status",
                    http::HeaderValue::from(Code::InvalidArgument as i32),
                );
                code = Some(Code::InvalidArgument);
            }
            let rpc = uri.path();
            let peer_text = || peer.map_or_else(|| "unknown".to_owned(), |p| p.to_string());
            match code {
                Some(Code::Unauthenticated) => {
                    let delay = peer.map_or(Duration::ZERO, |p| refusals.failed(p.ip()));
                    tracing::warn!(peer = %peer_text(), %rpc, code = "UNAUTHENTICATED", held_ms = delay.as_millis() as u64, "refused");
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                }
                Some(
                    c @ (Code::PermissionDenied
                    | Code::NotFound
                    | Code::AlreadyExists
                    | Code::InvalidArgument
                    | Code::ResourceExhausted),
                ) => {
                    tracing::warn!(peer = %peer_text(), %rpc, code = ?c, "refused");
                }
                _ => {}
            }
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clock::SimClock;

    #[test]
    fn a_peer_that_keeps_failing_is_held_back_more_each_time_up_to_a_cap() {
        let clock = SimClock::at(0);
        let refusals = Refusals::new(Arc::new(clock.clone()));
        let peer: IpAddr = "127.0.0.9".parse().unwrap();
        let other: IpAddr = "127.0.0.10".parse().unwrap();
        for _ in 0..FREE_FAILURES {
            assert_eq!(refusals.failed(peer), Duration::ZERO);
        }
        assert_eq!(refusals.failed(peer), Duration::from_secs(1));
        assert_eq!(refusals.failed(peer), Duration::from_secs(2));
        for _ in 0..10 {
            refusals.failed(peer);
        }
        assert_eq!(refusals.failed(peer), MAX_DELAY);
        // Others are not slowed by one peer's failures.
        assert_eq!(refusals.failed(other), Duration::ZERO);
        // A new window forgives.
        clock.advance(WINDOW_MS);
        assert_eq!(refusals.failed(peer), Duration::ZERO);
    }
}
