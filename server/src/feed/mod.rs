//! The live feed: every committed change, in commit order, to every watcher
//! allowed to see it.
//!
//! The writer gives each feed event its sequence and stores it in the same
//! transaction as the change ([`crate::store::feed`]). Once the batch is on
//! disk, the after-commit hook calls [`Hub::publish`], which reads the new
//! records and hands each to the bounded buffer of every watcher the access
//! policy lets see it, never waiting: a watcher whose buffer is full is cut
//! off and told where it stands. A watcher first subscribes, then replays
//! the history from its point up to where its subscription began, then
//! goes live, so nothing is missed and nothing comes twice ([`watch`]).

pub mod hub;
pub mod watch;

pub use hub::Hub;

use std::time::Duration;

/// How the feed behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedConfig {
    /// Sent when nothing else was for this long.
    pub heartbeat: Duration,
    /// Events one watcher may have waiting before it is cut off.
    pub buffer: usize,
    /// The history kept: at most this many events...
    pub keep_events: u64,
    /// ...and none older than this.
    pub keep_ms: i64,
}

pub const DEFAULT_KEEP_EVENTS: u64 = 1_000_000;
pub const DEFAULT_KEEP_MS: i64 = 24 * 3_600_000;

impl Default for FeedConfig {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(5),
            buffer: 1024,
            keep_events: DEFAULT_KEEP_EVENTS,
            keep_ms: DEFAULT_KEEP_MS,
        }
    }
}

/// The shortest pause between two trims: a busy feed trims in steps, not
/// after every batch.
const TRIM_PAUSE: Duration = Duration::from_millis(200);
/// How often the history is trimmed by age when nothing is published.
const TRIM_EVERY: Duration = Duration::from_secs(60);

/// Keeps the history within [`FeedConfig::keep_events`] and
/// [`FeedConfig::keep_ms`], after publishes and once a minute.
pub async fn trim_forever(
    hub: std::sync::Arc<Hub>,
    clock: crate::domain::clock::SharedClock,
    config: FeedConfig,
) {
    loop {
        let _ = tokio::time::timeout(TRIM_EVERY, hub.published_any.notified()).await;
        let Some(reader) = hub.reader().cloned() else {
            continue;
        };
        let oldest = clock.now_ms().saturating_sub(config.keep_ms);
        let keep = config.keep_events;
        match tokio::task::spawn_blocking(move || reader.trim(keep, oldest)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::debug!(removed = n, "trimmed the feed's history"),
            Ok(Err(e)) => tracing::error!(error = %e, "trimming the feed's history"),
            Err(e) => tracing::error!(error = %e, "the feed's trim task failed"),
        }
        tokio::time::sleep(TRIM_PAUSE).await;
    }
}
