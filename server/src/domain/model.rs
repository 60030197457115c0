//! The records of the domain, free of gRPC and storage concerns.

use crate::domain::clock::Millis;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Channel {
    #[default]
    Phone,
    App,
    Portal,
    Social,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    Informational,
    Executive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Urgency {
    Normal,
    Urgent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Agent,
    Dispatcher,
    Unit,
    Supervisor,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "agent" => Self::Agent,
            "dispatcher" => Self::Dispatcher,
            "unit" => Self::Unit,
            "supervisor" => Self::Supervisor,
            "admin" => Self::Admin,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Dispatcher => "dispatcher",
            Self::Unit => "unit",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    /// Whether this role may see a citizen's whole phone number. Units never
    /// see it; the rest see it masked.
    pub fn sees_phone(self) -> bool {
        matches!(self, Self::Agent | Self::Admin)
    }
}

/// Where a case is in its life. The stored byte of each state is fixed: the
/// status index keys on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum CaseStatus {
    Registered = 1,
    Referred = 2,
    Acknowledged = 3,
    OnSite = 4,
    InProgress = 5,
    Done = 6,
    Closed = 7,
    Reopened = 8,
    FalseReport = 9,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 9] = [
        Self::Registered,
        Self::Referred,
        Self::Acknowledged,
        Self::OnSite,
        Self::InProgress,
        Self::Done,
        Self::Closed,
        Self::Reopened,
        Self::FalseReport,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Still in the work cycle: neither closed nor dismissed as false.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed | Self::FalseReport)
    }

    pub fn label_fa(self) -> &'static str {
        match self {
            Self::Registered => "ثبت‌شده",
            Self::Referred => "ارجاع‌شده",
            Self::Acknowledged => "پذیرفته",
            Self::OnSite => "در محل",
            Self::InProgress => "در حال انجام",
            Self::Done => "انجام‌شده",
            Self::Closed => "بسته",
            Self::Reopened => "بازگشایی",
            Self::FalseReport => "گزارش کذب",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Referred => "referred",
            Self::Acknowledged => "acknowledged",
            Self::OnSite => "on site",
            Self::InProgress => "in progress",
            Self::Done => "done",
            Self::Closed => "closed",
            Self::Reopened => "reopened",
            Self::FalseReport => "false report",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub at_ms: Millis,
    pub actor: String,
    pub action: String,
    pub note: String,
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
    /// Normalised: see [`crate::domain::phone::normalize_phone`].
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
    pub deadlines: crate::domain::sla::Deadlines,
    pub events: Vec<CaseEvent>,
}

impl Case {
    /// The human number: the Jalali year and a six-digit sequence.
    pub fn format_number(year: i32, seq: u32) -> String {
        format!("{year}-{seq:06}")
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
