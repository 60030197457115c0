//! The one error type of the gRPC layer, and the one table that turns it into
//! a gRPC status.

use crate::auth::AuthError;
use crate::domain::access::Denied;
use crate::domain::lifecycle::OpenError;
use crate::domain::move_case::MoveError;
use crate::domain::moves::Refusal;
use crate::domain::validate::{FieldError, Reason};
use crate::store::StoreError;
use std::collections::HashMap;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

/// The `google.rpc.ErrorInfo` domain of every reason this server gives.
pub const ERROR_DOMAIN: &str = "desk137.v1";

/// The one answer for a case that is missing or hidden from the caller.
pub const NO_SUCH_CASE: &str = "no case has that id or number, or it is not one you may see";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request field is wrong: the message names it.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// No case has the id or number asked for, or none the caller may see:
    /// both get the same answer.
    #[error("{NO_SUCH_CASE}")]
    NoSuchCase,
    #[error(transparent)]
    Unauthenticated(#[from] AuthError),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("{0}")]
    Conflict(String),
    /// The catalog has no unit for a case; fixing the catalog fixes it.
    #[error("{0}")]
    Unroutable(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("a worker task failed: {0}")]
    Task(String),
    /// The case has no attachment with that id. Asked only once the case
    /// is known to be visible, so it tells nothing about other units' cases.
    #[error("{NO_SUCH_ATTACHMENT}")]
    NoSuchAttachment,
    /// A stored file no longer matches its checksum: it is not served.
    #[error("{DAMAGED_ATTACHMENT}")]
    DamagedAttachment,
    /// The client's own stream failed (it went away, or sent what does not
    /// decode): answered with the transport's status.
    #[error("{}", .0.message())]
    Stream(Status),
    /// The lifecycle's table refused the move.
    #[error(transparent)]
    Refusal(#[from] Refusal),
    /// The caller read an older revision of the case than it has now.
    #[error("revision: the case is at revision {current}; read it again and redo the move")]
    Stale { current: u64 },
    /// A change the store refused as the case is now.
    #[error("{0}")]
    Refused(String),
    /// The server runs on the real clock.
    #[error("{0}")]
    Precondition(String),
    /// A watcher fell behind the feed; it resumes after `last_seq`.
    #[error("the feed went on faster than this watcher read; resume after sequence {last_seq}")]
    CutOff { last_seq: u64 },
    /// The server is stopping; the watcher resumes after `last_seq` from
    /// the next one.
    #[error("the server is stopping; resume after sequence {last_seq}")]
    FeedClosed { last_seq: u64 },
}

impl From<MoveError> for Error {
    fn from(e: MoveError) -> Self {
        match e {
            MoveError::Field(e) => Self::Field(e),
            MoveError::Refused(r) => Self::Refusal(r),
            MoveError::Stale { current, .. } => Self::Stale { current },
        }
    }
}

pub const NO_SUCH_ATTACHMENT: &str = "this case has no attachment with that id";
pub const DAMAGED_ATTACHMENT: &str =
    "the attachment's stored content is damaged and is not served; ask for it to be uploaded again";

impl Error {
    pub fn field(field: &'static str, reason: Reason, detail: impl Into<String>) -> Self {
        Self::Field(FieldError::new(field, reason, detail))
    }
}

impl From<OpenError> for Error {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::Field(e) => Self::Field(e),
            OpenError::Unroutable(m) => Self::Unroutable(m),
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            // A move's conflict names nothing: the sender knows what they sent.
            StoreError::RequestIdConflict(id) if id.is_empty() => Self::Conflict(
                "request_id: was already used for another request; a retry must send the same fields".into(),
            ),
            StoreError::NotFound(_) => Self::NoSuchCase,
            StoreError::Refused(m) => Self::Refused(m),
            StoreError::Move(e) => e.into(),
            StoreError::RequestIdConflict(id) => Self::Conflict(format!(
                "request_id: {} was already used for a case with other content; a retry must send the same fields",
                crate::domain::text::quote(&id)
            )),
            e => Self::Store(e),
        }
    }
}

impl From<Error> for Status {
    fn from(e: Error) -> Self {
        match e {
            Error::Field(e) => field_status(&e),
            Error::NoSuchCase | Error::Denied(Denied::Case) => Status::not_found(NO_SUCH_CASE),
            Error::Unauthenticated(e) => Status::unauthenticated(e.to_string()),
            Error::Denied(e) => denied_status(&e),
            Error::Conflict(m) => Status::already_exists(m),
            Error::Unroutable(m) | Error::Refused(m) | Error::Precondition(m) => {
                Status::failed_precondition(m)
            }
            Error::Refusal(r) => refusal_status(&r),
            Error::Stale { current } => {
                let mut details = ErrorDetails::new();
                details.set_error_info(
                    "STALE_REVISION",
                    ERROR_DOMAIN,
                    HashMap::from([("revision".to_owned(), current.to_string())]),
                );
                Status::with_error_details(Code::Aborted, e_stale(current), details)
            }
            // The details stay in the log: they describe the server, not the request.
            Error::Store(e) => {
                tracing::error!(error = %e, "store error");
                Status::internal(
                    "internal storage error; a create may be retried with the same request_id",
                )
            }
            Error::Task(m) => {
                tracing::error!(error = %m, "worker task failed");
                Status::internal("internal error")
            }
            Error::NoSuchAttachment => Status::not_found(NO_SUCH_ATTACHMENT),
            // Logged where the damage was found, with what it was.
            Error::DamagedAttachment => Status::data_loss(DAMAGED_ATTACHMENT),
            Error::Stream(status) => status,
            Error::CutOff { last_seq } => {
                with_last_seq(Code::ResourceExhausted, "FEED_CUT_OFF", &e, last_seq)
            }
            Error::FeedClosed { last_seq } => {
                with_last_seq(Code::Unavailable, "FEED_CLOSED", &e, last_seq)
            }
        }
    }
}

/// The trailer that tells a watcher cut off where to resume.
pub const LAST_SEQ_TRAILER: &str = "desk137-last-seq";

/// A feed's end with the last sequence sent, in a trailer of its own and in
/// the `ErrorInfo`, so a client resumes without parsing the message.
fn with_last_seq(code: Code, reason: &str, e: &Error, last_seq: u64) -> Status {
    let mut details = ErrorDetails::new();
    details.set_error_info(
        reason,
        ERROR_DOMAIN,
        HashMap::from([("last_seq".to_owned(), last_seq.to_string())]),
    );
    let mut status = Status::with_error_details(code, e.to_string(), details);
    if let Ok(value) = last_seq.to_string().parse() {
        status.metadata_mut().insert(LAST_SEQ_TRAILER, value);
    }
    status
}

fn e_stale(current: u64) -> String {
    Error::Stale { current }.to_string()
}

/// A move the table refuses: FAILED_PRECONDITION naming the state and the
/// moves it allows, or PERMISSION_DENIED for a role that never makes it;
/// the state and moves go in an `ErrorInfo` too, for clients to word.
fn refusal_status(r: &Refusal) -> Status {
    let (code, metadata) = match r {
        Refusal::Role { role, mv } => (
            Code::PermissionDenied,
            HashMap::from([
                ("role".to_owned(), role.as_str().to_owned()),
                ("move".to_owned(), mv.as_str().to_owned()),
            ]),
        ),
        Refusal::State {
            status,
            mv,
            allowed,
        } => (
            Code::FailedPrecondition,
            HashMap::from([
                ("state".to_owned(), status.as_str().to_owned()),
                ("move".to_owned(), mv.as_str().to_owned()),
                (
                    "allowed".to_owned(),
                    allowed
                        .iter()
                        .map(|m| m.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                ),
            ]),
        ),
    };
    let mut details = ErrorDetails::new();
    details.set_error_info(r.code(), ERROR_DOMAIN, metadata);
    Status::with_error_details(code, r.to_string(), details)
}

/// INVALID_ARGUMENT with the field and its reason as details, so a client
/// shows its own words; the message stays `field: detail` for people who
/// read raw statuses.
fn field_status(e: &FieldError) -> Status {
    let mut metadata = HashMap::from([("field".to_owned(), e.field.to_owned())]);
    if e.limit > 0 {
        metadata.insert("limit".to_owned(), e.limit.to_string());
    }
    let mut details = ErrorDetails::new();
    details
        .set_bad_request(vec![FieldViolation {
            field: e.field.to_owned(),
            description: e.detail.clone(),
            reason: e.reason.as_str().to_owned(),
            localized_message: None,
        }])
        .set_error_info(e.reason.as_str(), ERROR_DOMAIN, metadata);
    Status::with_error_details(Code::InvalidArgument, e.to_string(), details)
}

/// PERMISSION_DENIED with the refusal's code as an `ErrorInfo`, and what it
/// was about (the role and call, or the case's number) as metadata.
fn denied_status(e: &Denied) -> Status {
    let metadata = match e {
        Denied::Call { role, rpc } => HashMap::from([
            ("role".to_owned(), role.as_str().to_owned()),
            ("rpc".to_owned(), rpc.name().to_owned()),
        ]),
        Denied::Case => HashMap::new(),
    };
    let mut details = ErrorDetails::new();
    details.set_error_info(e.code(), ERROR_DOMAIN, metadata);
    Status::with_error_details(Code::PermissionDenied, e.to_string(), details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::Rpc;
    use crate::domain::model::Role;

    #[test]
    fn the_table() {
        let conflict: Status = Error::from(StoreError::RequestIdConflict("r-1".into())).into();
        assert_eq!(conflict.code(), Code::AlreadyExists);
        assert!(conflict.message().starts_with("request_id:"));
        let missing: Status = Error::from(AuthError::Missing).into();
        assert_eq!(missing.code(), Code::Unauthenticated);
        let forbidden: Status = Error::from(Denied::Call {
            role: Role::Unit,
            rpc: Rpc::CreateCase,
        })
        .into();
        assert_eq!(
            (forbidden.code(), forbidden.message()),
            (Code::PermissionDenied, "role unit may not call CreateCase")
        );
        let info = forbidden
            .get_details_error_info()
            .expect("ErrorInfo details");
        assert_eq!(
            (info.domain.as_str(), info.reason.as_str()),
            (ERROR_DOMAIN, "CALL_NOT_ALLOWED")
        );
        assert_eq!(
            info.metadata.get("rpc").map(String::as_str),
            Some("CreateCase")
        );
        let other_unit: Status = Error::from(Denied::Case).into();
        let missing: Status = Error::NoSuchCase.into();
        assert_eq!(
            (
                other_unit.code(),
                other_unit.message(),
                other_unit.details()
            ),
            (missing.code(), missing.message(), missing.details())
        );
        assert_eq!(missing.code(), Code::NotFound);
        let store: Status = Error::from(StoreError::Corrupt("secret detail".into())).into();
        assert_eq!(store.code(), Code::Internal);
        assert!(!store.message().contains("secret"));
        let task: Status = Error::Task("panicked at src/x.rs".into()).into();
        assert_eq!(
            (task.code(), task.message()),
            (Code::Internal, "internal error")
        );
        assert_eq!(
            Status::from(Error::Unroutable("x".into())).code(),
            Code::FailedPrecondition
        );
        assert_eq!(Status::from(Error::NoSuchAttachment).code(), Code::NotFound);
        let damaged = Status::from(Error::DamagedAttachment);
        assert_eq!(
            (damaged.code(), damaged.message()),
            (Code::DataLoss, DAMAGED_ATTACHMENT)
        );
        let files: Status = Error::from(StoreError::Files(std::io::Error::other(
            "/srv/desk137/attachments/ab: disk full",
        )))
        .into();
        assert_eq!(files.code(), Code::Internal);
        assert!(!files.message().contains("/srv"));
        let gone = Status::from(Error::Stream(Status::cancelled("the client went away")));
        assert_eq!(gone.code(), Code::Cancelled);
    }

    #[test]
    fn a_field_error_carries_the_field_and_its_reason() {
        let e = FieldError::new("landmark", Reason::TooLong, "is too long: 201 characters")
            .with_limit(200);
        let status: Status = Error::from(e).into();
        assert_eq!(
            (status.code(), status.message()),
            (
                Code::InvalidArgument,
                "landmark: is too long: 201 characters"
            )
        );
        let bad = status
            .get_details_bad_request()
            .expect("BadRequest details");
        let [violation] = bad.field_violations.as_slice() else {
            panic!("one violation expected, got {bad:?}");
        };
        assert_eq!(
            (
                violation.field.as_str(),
                violation.reason.as_str(),
                violation.description.as_str()
            ),
            ("landmark", "TOO_LONG", "is too long: 201 characters")
        );
        let info = status.get_details_error_info().expect("ErrorInfo details");
        assert_eq!(
            (info.domain.as_str(), info.reason.as_str()),
            (ERROR_DOMAIN, "TOO_LONG")
        );
        assert_eq!(
            info.metadata.get("field").map(String::as_str),
            Some("landmark")
        );
        assert_eq!(info.metadata.get("limit").map(String::as_str), Some("200"));

        let required: Status = Error::field("phone", Reason::Required, "is empty").into();
        let info = required
            .get_details_error_info()
            .expect("ErrorInfo details");
        assert_eq!(info.reason, "REQUIRED");
        assert!(!info.metadata.contains_key("limit"), "no limit was broken");
    }
}
