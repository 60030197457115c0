//! The records of the domain, free of gRPC and storage concerns.

use crate::clock::Millis;
use serde::{Deserialize, Serialize};

/// How the citizen reached 137.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Default,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
pub enum Channel {
    #[default]
    Phone,
    App,
    Portal,
    Social,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
pub enum Kind {
    Informational,
    Executive,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
pub enum Urgency {
    Normal,
    Urgent,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    Agent,
    Dispatcher,
    Unit,
    Supervisor,
    Admin,
    /// The «اصفهان من» portal's service token: it speaks for citizens whose
    /// number it has verified, through CitizenService only.
    Portal,
}

impl Role {
    /// The role named as the users file and the logs name it: `agent`, `unit`, ...
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Where a case is in its life. The stored byte of each state is fixed: the
/// status index keys on it, and stored records hold it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
#[repr(u8)]
pub enum CaseStatus {
    Registered = 1,
    Referred = 2,
    Acknowledged = 3,
    OnSite = 4,
    InProgress = 5,
    Resolved = 6,
    Closed = 7,
    Reopened = 8,
    Rejected = 9,
    AwaitingFeedback = 10,
    Answered = 11,
    Deferred = 12,
    Transferred = 13,
}

impl CaseStatus {
    pub fn all() -> impl Iterator<Item = CaseStatus> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<Self> {
        Self::all().find(|s| s.code() == code)
    }

    /// The stable name clients and logs use: `referred`, `on_site`, ...
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Still in the work cycle: not closed, answered or rejected. A deferred
    /// or transferred case stays open and counts as unfinished.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed | Self::Answered | Self::Rejected)
    }
}

/// A validated request to open a case, ready to be routed and written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCase {
    pub request_id: String,
    pub channel: Channel,
    pub kind: Kind,
    pub urgency: Urgency,
    pub topic_id: String,
    pub description: String,
    /// Normalised: see [`crate::phone::normalize_phone`].
    pub phone: String,
    pub region: u32,
    pub address: String,
    pub landmark: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: u64,
    /// Jalali year and sequence within it: `1405-000123`.
    pub number: String,
    pub request_id: String,
    pub channel: Channel,
    pub kind: Kind,
    pub urgency: Urgency,
    pub topic_id: String,
    pub description: String,
    pub phone: String,
    pub region: u32,
    pub address: String,
    pub landmark: String,
    /// The executive unit; empty for an informational case.
    pub unit_id: String,
    /// Followed in parallel by the Operations Coordination Center.
    pub coordination: bool,
    pub status: CaseStatus,
    pub created_at_ms: Millis,
    pub created_by: String,
    pub deadlines: crate::sla::Deadlines,
    /// Raised by every accepted change; a move names the revision it read.
    pub revision: u64,
    /// 0: not escalated; 1 is the ladder's first step.
    pub escalation_level: u32,
    /// After "needs more time": the date the unit promised.
    pub promised_ms: Millis,
    /// The coordination center's staff member following an urgent case.
    pub follow_up: String,
    pub reject_kind: Option<crate::moves::RejectKind>,
    /// Rejected as a duplicate of the case with this number.
    pub duplicate_of: String,
    /// The external unit while the case is transferred.
    pub transferred_to: String,
    /// The state a deferred or transferred case goes back to when resumed.
    pub resume_to: Option<CaseStatus>,
    /// The service-level clocks, each as its log.
    pub clocks: crate::clocks::Clocks,
    /// Why the work is late, when the unit gave a reason.
    pub delay_reason: Option<crate::moves::DelayReason>,
    /// When the SLA worker must look at the case next; 0: nothing pending.
    pub next_due_ms: Millis,
    /// The caller's citizen record (random, opaque); empty when no number
    /// was given. The stored case holds this, never the number: `phone` is
    /// the number only on its way in, and as a viewer may see it on the way out.
    pub citizen_id: String,
    /// The caller carried the Shahrban mark when the case was registered:
    /// its first response is due sooner and it goes first in its queues.
    /// Fixed at registration, as its deadlines are.
    #[serde(default)]
    pub shahrban: bool,
    /// The call-back: queue, tries, satisfaction and how the clocks ended.
    #[serde(default)]
    pub feedback: crate::feedback::FeedbackState,
}

impl Case {
    /// The human number: the Jalali year and a six-digit sequence.
    pub fn format_number(year: i32, seq: u32) -> String {
        format!("{year}-{seq:06}")
    }

    /// The request content this case was made from: what a retry must repeat.
    pub fn request(&self) -> NewCase {
        NewCase {
            request_id: self.request_id.clone(),
            channel: self.channel,
            kind: self.kind,
            urgency: self.urgency,
            topic_id: self.topic_id.clone(),
            description: self.description.clone(),
            phone: self.phone.clone(),
            region: self.region,
            address: self.address.clone(),
            landmark: self.landmark.clone(),
        }
    }

    /// Whether this case was made from the same request content as `new`: a
    /// retry carries the same content, a reused key with other content is a
    /// client error.
    pub fn same_request(&self, new: &NewCase) -> bool {
        self.channel == new.channel
            && self.kind == new.kind
            && self.urgency == new.urgency
            && self.topic_id == new.topic_id
            && self.description == new.description
            && self.phone == new.phone
            && self.region == new.region
            && self.address == new.address
            && self.landmark == new.landmark
    }
}
