//! What one connection's answers may hold.
//!
//! A client that sends calls and never reads the answers must not pin the
//! server's memory. Two things keep it within bounds:
//!
//! - Answers leave in small chunks. A unary answer is one body frame holding
//!   the whole message; the HTTP/2 layer takes a frame whole into its send
//!   buffer and, once the end of the stream is queued, no longer counts the
//!   stream against the connection's limit, though its bytes still wait for a
//!   window the client never opens. Cut into chunks, the body is asked for
//!   its next chunk only when the client makes room, so the answer is alive
//!   until the client has read it.
//! - Each connection may have [`MAX_ANSWERS`] answers alive at once; a call
//!   past that waits for a place before any work is done, and past
//!   [`MAX_WAITING`] waiting calls it is refused with RESOURCE_EXHAUSTED.
//!   HTTP/2's own stream limit is not enough: it applies only once the
//!   client acknowledges the server's settings, and a client that never does
//!   could open streams without end. A client that sends a burst of calls
//!   as it connects, before that acknowledgement, waits instead of failing.
//!
//! So a connection pins at most `MAX_ANSWERS` times the largest answer.

use crate::listener::ConnInfo;
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::codegen::http;

/// The largest data frame an answer is sent in: one HTTP/2 frame.
pub const CHUNK_BYTES: usize = 16 * 1024;
/// Answers one connection may have being sent at once, whatever the client
/// acknowledges of HTTP/2's settings.
pub const MAX_ANSWERS: usize = 32;
/// Calls of one connection that may wait for a place: a waiting call holds
/// only its request.
pub const MAX_WAITING: usize = 256;

/// The connection a request came on, plain or TLS.
pub fn conn_info(ext: &http::Extensions) -> Option<&ConnInfo> {
    ext.get::<ConnInfo>().or_else(|| {
        ext.get::<tonic::transport::server::TlsConnectInfo<ConnInfo>>()
            .map(|tls| tls.get_ref())
    })
}

#[derive(Debug, Clone, Copy, Default)]
pub struct AnswersLayer;

impl<S> tower::Layer<S> for AnswersLayer {
    type Service = Answers<S>;

    fn layer(&self, inner: S) -> Answers<S> {
        Answers { inner }
    }
}

#[derive(Debug, Clone)]
pub struct Answers<S> {
    inner: S,
}

/// The answer places of one connection.
#[derive(Debug)]
pub struct Places {
    free: Arc<Semaphore>,
    waiting: AtomicUsize,
}

impl Default for Places {
    fn default() -> Self {
        Self {
            free: Arc::new(Semaphore::new(MAX_ANSWERS)),
            waiting: AtomicUsize::new(0),
        }
    }
}

/// One answer's place; given back when the body is dropped: sent whole,
/// reset, or the connection gone.
type Place = OwnedSemaphorePermit;

impl Places {
    /// A place now, or once one is free; `None` when too many calls wait.
    async fn take(&self) -> Option<Place> {
        if let Ok(place) = self.free.clone().try_acquire_owned() {
            return Some(place);
        }
        let waiting = self
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_WAITING).then_some(n + 1)
            })
            .is_ok();
        if !waiting {
            return None;
        }
        let place = self.free.clone().acquire_owned().await.ok();
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        place
    }
}

impl<S, ReqBody, B> tower::Service<http::Request<ReqBody>> for Answers<S>
where
    S: tower::Service<http::Request<ReqBody>, Response = http::Response<B>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    S::Error: Send + 'static,
    B: Body + Send + 'static,
    B::Error: Send,
{
    type Response = http::Response<Chunked<B>>;
    type Error = S::Error;
    type Future = Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, S::Error>> + Send + 'static>,
    >;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        // A connection that did not come through the listener (a test's
        // in-memory one) has no places to keep.
        let places = conn_info(request.extensions()).map(|info| info.answers.clone());
        let Some(places) = places else {
            let future = self.inner.call(request);
            return Box::pin(async move { Ok(future.await?.map(|b| Chunked::new(b, None))) });
        };
        if let Ok(place) = places.free.clone().try_acquire_owned() {
            let future = self.inner.call(request);
            return Box::pin(
                async move { Ok(future.await?.map(|b| Chunked::new(b, Some(place)))) },
            );
        }
        // The inner service is ready now; calling it later, once a place is
        // free, keeps to the tower contract by calling a clone made ready
        // then.
        let mut inner = self.inner.clone();
        Box::pin(async move {
            let Some(place) = places.take().await else {
                return Ok(too_many());
            };
            std::future::poll_fn(|cx| inner.poll_ready(cx)).await?;
            Ok(inner
                .call(request)
                .await?
                .map(|b| Chunked::new(b, Some(place))))
        })
    }
}

/// A trailers-only gRPC answer: RESOURCE_EXHAUSTED, nothing else to send.
fn too_many<B: Body>() -> http::Response<Chunked<B>> {
    let mut response = http::Response::new(Chunked::empty());
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/grpc"),
    );
    headers.insert(
        "grpc-status",
        http::HeaderValue::from_static(RESOURCE_EXHAUSTED),
    );
    headers.insert(
        "grpc-message",
        http::HeaderValue::from_static("too many calls at once on one connection"),
    );
    response
}

const RESOURCE_EXHAUSTED: &str = "8";

/// A body whose data frames are at most [`CHUNK_BYTES`] long, holding its
/// connection's place while it lives.
///
/// An unread answer is held for as long as the client likes, so it is held
/// at its own size: a large frame is copied out of the encoder's buffer
/// (which grows by doubling), and the frame after it is read ahead so that a
/// unary answer's encoder, which keeps that buffer, is dropped at once.
pub struct Chunked<B: Body> {
    inner: Option<Pin<Box<B>>>,
    /// What is left of the last frame.
    rest: Bytes,
    /// The frame read ahead of `rest`.
    next: Option<Result<Frame<Bytes>, B::Error>>,
    _place: Option<Place>,
}

// No field is ever pinned in place: the inner body is boxed.
impl<B: Body> Unpin for Chunked<B> {}

impl<B: Body> Chunked<B> {
    fn new(inner: B, place: Option<Place>) -> Self {
        Self {
            inner: Some(Box::pin(inner)),
            rest: Bytes::new(),
            next: None,
            _place: place,
        }
    }

    fn empty() -> Self {
        Self {
            inner: None,
            rest: Bytes::new(),
            next: None,
            _place: None,
        }
    }
}

impl<B> Chunked<B>
where
    B: Body<Data = Bytes>,
{
    fn read_ahead(&mut self, cx: &mut Context<'_>) {
        let Some(inner) = self.inner.as_mut() else {
            return;
        };
        match inner.as_mut().poll_frame(cx) {
            Poll::Ready(Some(frame)) => {
                // Trailers are a body's last frame.
                if matches!(&frame, Ok(f) if f.is_trailers()) {
                    self.inner = None;
                }
                self.next = Some(frame);
            }
            Poll::Ready(None) => self.inner = None,
            Poll::Pending => {}
        }
    }
}

impl<B> Body for Chunked<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.get_mut();
        if !this.rest.is_empty() {
            let n = this.rest.len().min(CHUNK_BYTES);
            return Poll::Ready(Some(Ok(Frame::data(this.rest.split_to(n)))));
        }
        let frame = match this.next.take() {
            Some(frame) => frame,
            None => {
                let Some(inner) = this.inner.as_mut() else {
                    return Poll::Ready(None);
                };
                match inner.as_mut().poll_frame(cx) {
                    Poll::Ready(Some(frame)) => frame,
                    Poll::Ready(None) => {
                        this.inner = None;
                        return Poll::Ready(None);
                    }
                    Poll::Pending => return Poll::Pending,
                }
            }
        };
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => return Poll::Ready(Some(Err(e))),
        };
        if frame.is_trailers() {
            this.inner = None;
            return Poll::Ready(Some(Ok(frame)));
        }
        match frame.into_data() {
            Ok(mut data) => {
                if data.len() > CHUNK_BYTES {
                    data = Bytes::copy_from_slice(&data);
                    this.rest = data.split_off(CHUNK_BYTES);
                    if this.next.is_none() {
                        this.read_ahead(cx);
                    }
                }
                Poll::Ready(Some(Ok(Frame::data(data))))
            }
            Err(frame) => Poll::Ready(Some(Ok(frame))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty()
            && self.next.is_none()
            && self.inner.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        let rest = self.rest.len() as u64;
        let Some(inner) = &self.inner else {
            if self.next.is_some() {
                let mut hint = SizeHint::new();
                hint.set_lower(rest);
                return hint;
            }
            return SizeHint::with_exact(rest);
        };
        let inner = inner.size_hint();
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower() + rest);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + rest);
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    /// A body of the given frames, then trailers.
    struct Frames(Vec<Frame<Bytes>>);

    impl Body for Frames {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            let frames = &mut self.get_mut().0;
            Poll::Ready((!frames.is_empty()).then(|| Ok(frames.remove(0))))
        }

        fn is_end_stream(&self) -> bool {
            self.0.is_empty()
        }
    }

    fn collect(body: Chunked<Frames>) -> (Vec<usize>, Vec<u8>, bool) {
        let mut body = Box::pin(body);
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let (mut sizes, mut bytes, mut trailers) = (Vec::new(), Vec::new(), false);
        while let Poll::Ready(Some(Ok(frame))) = body.as_mut().poll_frame(&mut cx) {
            match frame.into_data() {
                Ok(data) => {
                    sizes.push(data.len());
                    bytes.extend_from_slice(&data);
                }
                Err(frame) => trailers = frame.is_trailers(),
            }
        }
        assert!(body.is_end_stream());
        (sizes, bytes, trailers)
    }

    #[test]
    fn a_large_frame_leaves_in_chunks_and_the_trailers_follow() {
        let message: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
        let body = Chunked::new(
            Frames(vec![
                Frame::data(Bytes::from(message.clone())),
                Frame::data(Bytes::from_static(b"tail")),
                Frame::trailers(http::HeaderMap::new()),
            ]),
            None,
        );
        let (sizes, bytes, trailers) = collect(body);
        assert_eq!(
            sizes,
            [CHUNK_BYTES, CHUNK_BYTES, 40_000 - 2 * CHUNK_BYTES, 4]
        );
        assert_eq!(&bytes[..40_000], &message[..]);
        assert_eq!(&bytes[40_000..], b"tail");
        assert!(trailers);
    }

    #[test]
    fn an_unread_answer_lets_go_of_its_encoder_after_the_first_chunk() {
        let body = Chunked::new(
            Frames(vec![
                Frame::data(Bytes::from(vec![7u8; 3 * CHUNK_BYTES])),
                Frame::trailers(http::HeaderMap::new()),
            ]),
            None,
        );
        let mut body = Box::pin(body);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let first = body.as_mut().poll_frame(&mut cx);
        assert!(matches!(first, Poll::Ready(Some(Ok(ref f))) if f.is_data()));
        // The trailers were read ahead and the inner body dropped, while
        // two chunks still wait for the client.
        assert!(body.inner.is_none());
        assert_eq!(body.rest.len(), 2 * CHUNK_BYTES);
        assert!(
            body.next
                .as_ref()
                .is_some_and(|f| f.as_ref().is_ok_and(|f| f.is_trailers()))
        );
    }

    #[tokio::test]
    async fn a_connection_keeps_its_places_and_gives_them_back() {
        let places = Places::default();
        let mut taken = Vec::new();
        for _ in 0..MAX_ANSWERS {
            taken.push(places.take().await.unwrap());
        }
        // Past the limit a call waits, and gets the place given back.
        let places = Arc::new(places);
        let waiter = {
            let places = places.clone();
            tokio::spawn(async move { places.take().await.is_some() })
        };
        tokio::task::yield_now().await;
        assert_eq!(places.waiting.load(Ordering::Acquire), 1);
        taken.pop();
        assert!(waiter.await.unwrap());
        // Past the waiting limit a call is turned away.
        taken.push(places.take().await.unwrap());
        places.waiting.store(MAX_WAITING, Ordering::Release);
        assert!(places.take().await.is_none());
    }
}
