//! Counts the calls being served, so a shutdown waits for calls, not for
//! connections that merely stay open.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::Notify;

/// The number of calls in flight, shared by the layer and the shutdown.
#[derive(Debug, Clone, Default)]
pub struct InFlight {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    calls: AtomicUsize,
    idle: Notify,
}

impl InFlight {
    pub fn calls(&self) -> usize {
        self.inner.calls.load(Ordering::SeqCst)
    }

    /// Waits until no call is in flight, or `limit` passes; true if idle.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.inner.idle.notified();
                if self.calls() == 0 {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }

    fn enter(&self) -> Guard {
        self.inner.calls.fetch_add(1, Ordering::SeqCst);
        Guard(self.clone())
    }
}

/// One call; dropped when its response future completes or is cancelled.
struct Guard(InFlight);

impl Drop for Guard {
    fn drop(&mut self) {
        if self.0.inner.calls.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.inner.idle.notify_waiters();
        }
    }
}

impl<S> tower::Layer<S> for InFlight {
    type Service = Counted<S>;

    fn layer(&self, inner: S) -> Counted<S> {
        Counted {
            inner,
            in_flight: self.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Counted<S> {
    inner: S,
    in_flight: InFlight,
}

impl<S, R> tower::Service<R> for Counted<S>
where
    S: tower::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let guard = self.in_flight.enter();
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await;
            drop(guard);
            response
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_once_the_last_call_ends() {
        let counter = InFlight::default();
        assert!(counter.wait_idle(Duration::from_millis(1)).await);
        let a = counter.enter();
        let b = counter.enter();
        assert_eq!(counter.calls(), 2);
        assert!(!counter.wait_idle(Duration::from_millis(20)).await);
        drop(a);
        let waiter = {
            let counter = counter.clone();
            tokio::spawn(async move { counter.wait_idle(Duration::from_secs(5)).await })
        };
        tokio::task::yield_now().await;
        drop(b);
        assert!(waiter.await.unwrap());
        assert_eq!(counter.calls(), 0);
    }
}
