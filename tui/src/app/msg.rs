//! What flows into `update` and what comes out of it.

use crossterm::event::KeyEvent;
use desk137_domain::clock::Millis;
use desk137_proto::v1 as pb;

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// The clock moved; the header shows it and timers run on it.
    Tick(Millis),
    /// Boxed: answers are large and rare next to key presses.
    Reply(Box<Reply>),
}

/// A failed call, as much as the screen needs of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcError {
    pub code: tonic::Code,
    pub message: String,
}

impl RpcError {
    /// The server could not be reached, or the answer was lost on the way:
    /// whether the call took effect is unknown.
    pub fn is_connection(&self) -> bool {
        matches!(
            self.code,
            tonic::Code::Unavailable
                | tonic::Code::DeadlineExceeded
                | tonic::Code::Cancelled
                | tonic::Code::Unknown
        )
    }

    pub fn from_status(s: &tonic::Status) -> Self {
        Self {
            code: s.code(),
            message: s.message().to_owned(),
        }
    }
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code.description())
        } else {
            f.write_str(&self.message)
        }
    }
}

pub type RpcResult<T> = Result<T, RpcError>;

/// Which list a `ListCases` answer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// The agent's own recent cases, under the intake form.
    Recent,
    /// Open urgent cases, for the Operations Coordination Center.
    UrgentOpen,
    /// A unit's own open cases; the server keeps units to their own.
    UnitQueue,
    /// Every open case, for supervisors.
    AllOpen,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    WhoAmI,
    ListTopics,
    ListUnits,
    ListRegions,
    CallerHistory {
        phone: String,
    },
    CreateCase(pb::CreateCaseRequest),
    ListCases {
        list: ListKind,
        append: bool,
        request: pb::ListCasesRequest,
    },
    GetCase {
        id: u64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    WhoAmI(RpcResult<pb::WhoAmIResponse>),
    Topics(RpcResult<Vec<pb::Topic>>),
    Units(RpcResult<Vec<pb::Unit>>),
    Regions(RpcResult<Vec<pb::Region>>),
    CallerHistory {
        phone: String,
        result: RpcResult<pb::CallerHistoryResponse>,
    },
    Created {
        request_id: String,
        result: RpcResult<pb::CreateCaseResponse>,
    },
    Cases {
        list: ListKind,
        append: bool,
        result: RpcResult<pb::ListCasesResponse>,
    },
    Case(RpcResult<pb::Case>),
}

impl Msg {
    pub fn reply(r: Reply) -> Self {
        Msg::Reply(Box::new(r))
    }
}

impl Reply {
    pub fn error(&self) -> Option<&RpcError> {
        match self {
            Reply::WhoAmI(res) => res.as_ref().err(),
            Reply::Topics(res) => res.as_ref().err(),
            Reply::Units(res) => res.as_ref().err(),
            Reply::Regions(res) => res.as_ref().err(),
            Reply::CallerHistory { result, .. } => result.as_ref().err(),
            Reply::Created { result, .. } => result.as_ref().err(),
            Reply::Cases { result, .. } => result.as_ref().err(),
            Reply::Case(res) => res.as_ref().err(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Send(Request),
    Quit,
}
