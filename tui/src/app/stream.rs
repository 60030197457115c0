//! Subscriptions: server-streaming calls the client task holds open and
//! turns into messages, and tries again after a break until unsubscribed.

/// Names one subscription, to close it and to know whose news arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubId(pub u64);

/// The subscription that watches the server's health.
pub const HEALTH: SubId = SubId(1);

/// What to subscribe to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamSpec {
    /// `grpc.health.v1.Health/Watch` for the whole server (service "").
    Health,
}

/// The server's own word on whether it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serving {
    Serving,
    NotServing,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamItem {
    Health(Serving),
}

#[derive(Debug, Clone, PartialEq, Eq)]
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
