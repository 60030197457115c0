//! Subscriptions: server-streaming calls the client task holds open and
//! turns into messages, and tries again after a break until unsubscribed.

/// Names one subscription, to close it and to know whose news arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubId(pub u64);

/// The subscription that watches the server's health.
pub const HEALTH: SubId = SubId(1);

/// The subscription to the server's event feed.
pub const FEED: SubId = SubId(2);

/// What to subscribe to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamSpec {
    /// `grpc.health.v1.Health/Watch` for the whole server (service "").
    Health,
    /// `FeedService.Watch` from after `after_seq`; the client task carries
    /// the last sequence it passed on into every reconnection.
    Feed { after_seq: u64 },
}

/// The server's own word on whether it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serving {
    Serving,
    NotServing,
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StreamItem {
    Health(Serving),
    /// Boxed: a resync part carries many cases.
    Feed(Box<desk137_proto::v1::WatchResponse>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    Item(StreamItem),
    /// The stream broke or could not open; it is tried again after `retry_ms`.
    Reconnecting {
        error: crate::app::msg::RpcError,
        attempt: u32,
        retry_ms: u64,
    },
    /// The server closed the stream; it is tried again after `retry_ms`.
    Ended {
        retry_ms: u64,
    },
}
