//! What flows into `update` and what comes out of it.

use crate::app::Tone;
use crate::app::rpc::{Answer, Call};
use crate::app::stream::{StreamEvent, StreamSpec, SubId};
use crossterm::event::KeyEvent;
use desk137_domain::clock::Millis;
use desk137_domain::validate::{FieldError, Reason};
use tonic_types::StatusExt;

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// The clock moved; the header shows it and timers run on it.
    Tick(Millis),
    /// Boxed: answers are large and rare next to key presses.
    Reply(Box<Reply>),
    /// News from a subscription a [`Command::Subscribe`] opened.
    Stream {
        id: SubId,
        event: StreamEvent,
    },
    /// The file at `path` was uploaded to the case a form of `to` moves.
    Uploaded {
        to: To,
        path: String,
        result: Result<desk137_proto::v1::Attachment, RpcError>,
    },
    /// The entries that may complete a path typed into a form of `to`.
    Completed {
        to: To,
        completion: crate::app::move_form::Completion,
    },
    /// An attachment asked for by `to` was downloaded and handed to the
    /// system's viewer, or could not be; the error in words.
    Opened {
        to: To,
        name: String,
        result: Result<(), String>,
    },
}

/// The field a server refused and why, as the stable code it sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFault {
    /// The field's name on the wire (`description`, `topic_id`, ...).
    pub field: String,
    pub reason: Reason,
    /// The limit broken, 0 where none applies.
    pub limit: u32,
}

impl From<&FieldError> for FieldFault {
    fn from(e: &FieldError) -> Self {
        Self {
            field: e.field.to_owned(),
            reason: e.reason,
            limit: e.limit,
        }
    }
}

/// A failed call, as much as the screen needs of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcError {
    pub code: tonic::Code,
    /// For the log and for refusals the client has no words of its own for.
    pub message: String,
    /// Set when the server named a refused field with a reason code.
    pub fault: Option<FieldFault>,
}

/// The `google.rpc.ErrorInfo` domain of desk137's reason codes.
pub const ERROR_DOMAIN: &str = "desk137.v1";

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
            fault: fault_of(s),
        }
    }
}

/// The refused field from the status details: the reason code from
/// `ErrorInfo` (ours only, by its domain), the field from its metadata or
/// else from the first `BadRequest` violation. A code this client does not
/// know leaves no fault: the message is shown as sent.
fn fault_of(s: &tonic::Status) -> Option<FieldFault> {
    let details = s.get_error_details();
    let info = details.error_info().filter(|i| i.domain == ERROR_DOMAIN)?;
    let reason: Reason = info.reason.parse().ok()?;
    let field = info.metadata.get("field").cloned().or_else(|| {
        details
            .bad_request()
            .and_then(|b| b.field_violations.first())
            .map(|v| v.field.clone())
    })?;
    let limit = info
        .metadata
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    Some(FieldFault {
        field,
        reason,
        limit,
    })
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

/// Who asked: the app itself or one of its screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    App,
    Intake,
    Queue,
    Detail,
    Audit,
    Dashboard,
    Scorecards,
    Feedback,
}

/// Goes out with a request and comes back with its answer, so the answer
/// finds who asked and can tell whether it still answers the current
/// question: a list bumps its generation on each refresh, and an answer of
/// an older generation is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    pub to: To,
    pub generation: u64,
    /// The sign-in it was asked under: after the demo's role key, an answer
    /// meant for the user before is dropped, whatever screen it names.
    pub epoch: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub ticket: Ticket,
    pub call: Call,
}

impl Request {
    pub fn new(to: To, generation: u64, call: Call) -> Self {
        Self {
            ticket: Ticket {
                to,
                generation,
                epoch: 0,
            },
            call,
        }
    }
}

/// An answer with the request it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub request: Request,
    pub answer: Answer,
}

impl Reply {
    pub fn error(&self) -> Option<&RpcError> {
        self.answer.error()
    }
}

impl Msg {
    pub fn reply(request: Request, answer: Answer) -> Self {
        Msg::Reply(Box::new(Reply { request, answer }))
    }
}

/// A screen to open over the current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Open {
    Detail {
        id: u64,
        number: String,
    },
    /// A case by the number a person typed.
    Number(String),
    /// The audit log (supervisors).
    Audit,
    /// The open cases behind a row of the dashboard, filtered to them.
    Cases(crate::app::screens::queue::Filter),
    /// The units' scorecards (supervisors).
    Scorecards,
    /// The agent's call-back queue.
    Feedback,
}

/// What `update` asks for. The first four leave the app (the event loop runs
/// them); the others are a screen's requests to the app, settled inside
/// `update` and never seen outside it.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Send(Request),
    Subscribe {
        id: SubId,
        stream: StreamSpec,
    },
    Unsubscribe {
        id: SubId,
    },
    Quit,
    /// List the directory entries that complete `typed` (a path) and
    /// answer with [`Msg::Completed`].
    CompletePath {
        to: To,
        typed: String,
    },
    /// Upload the file at `path` to `case_id`, answered by [`Msg::Uploaded`].
    Upload {
        to: To,
        case_id: u64,
        path: String,
    },
    /// Download an attachment of `case_id` to a file of its own and open it
    /// with the system's viewer, answered by [`Msg::Opened`].
    OpenAttachment {
        to: To,
        case_id: u64,
        attachment: desk137_proto::v1::Attachment,
    },
    /// Demo only: speak as another demo user from now on.
    SwitchUser(String),
    /// Demo only: one request as another demo user (the admin, to move the
    /// simulated clock), whoever is signed in.
    SendAs {
        user: String,
        request: Request,
    },
    /// Put a message on the status bar.
    Say(Tone, String),
    /// Clear the status bar.
    Unsay,
    /// The server is out of reach; say this until it answers again.
    Lost(String),
    Open(Open),
    /// Close the screen on top and go back to the one under it.
    Close,
    Ask(crate::app::Confirm),
}

impl Command {
    /// Whether the event loop runs it, rather than `update` itself.
    pub fn is_outside(&self) -> bool {
        matches!(
            self,
            Command::Send(_)
                | Command::Subscribe { .. }
                | Command::Unsubscribe { .. }
                | Command::Quit
                | Command::CompletePath { .. }
                | Command::Upload { .. }
                | Command::OpenAttachment { .. }
                | Command::SwitchUser(_)
                | Command::SendAs { .. }
        )
    }
}
