//! The one error type of the gRPC layer, and the one table that turns it into
//! a gRPC status.

use crate::auth::AuthError;
use crate::domain::lifecycle::OpenError;
use crate::domain::validate::{FieldError, Reason};
use crate::store::StoreError;
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request field is wrong: the message names it.
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error("{0}")]
    Conflict(String),
    /// The catalog has no unit for a case; fixing the catalog fixes it.
    #[error("{0}")]
    Unroutable(String),
    #[error(transparent)]
    Store(StoreError),
    #[error("a worker task failed: {0}")]
    Task(String),
}

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

impl From<AuthError> for Error {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Forbidden { .. } => Self::PermissionDenied(e.to_string()),
            AuthError::Missing | AuthError::Malformed | AuthError::Unknown => {
                Self::Unauthenticated(e.to_string())
            }
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::RequestIdConflict(id) => Self::Conflict(format!(
                "request_id: {id:?} was already used for a case with other content; a retry must send the same fields"
            )),
            e => Self::Store(e),
        }
    }
}

impl From<Error> for Status {
    fn from(e: Error) -> Self {
        match e {
            Error::Field(e) => Status::invalid_argument(e.to_string()),
            Error::NotFound(m) => Status::not_found(m),
            Error::Unauthenticated(m) => Status::unauthenticated(m),
            Error::PermissionDenied(m) => Status::permission_denied(m),
            Error::Conflict(m) => Status::already_exists(m),
            Error::Unroutable(m) => Status::failed_precondition(m),
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Code;

    #[test]
    fn the_table() {
        let field: Status = Error::field("phone", Reason::Required, "is empty").into();
        assert_eq!(
            (field.code(), field.message()),
            (Code::InvalidArgument, "phone: is empty")
        );
        let conflict: Status = Error::from(StoreError::RequestIdConflict("r-1".into())).into();
        assert_eq!(conflict.code(), Code::AlreadyExists);
        assert!(conflict.message().starts_with("request_id:"));
        let missing: Status = Error::from(AuthError::Missing).into();
        assert_eq!(missing.code(), Code::Unauthenticated);
        let forbidden: Status = Error::from(AuthError::Forbidden {
            role: "unit",
            rpc: "CreateCase",
        })
        .into();
        assert_eq!(forbidden.code(), Code::PermissionDenied);
        let store: Status = Error::from(StoreError::Corrupt("secret detail".into())).into();
        assert_eq!(store.code(), Code::Internal);
        assert!(!store.message().contains("secret"));
        assert_eq!(
            Status::from(Error::NotFound("x".into())).code(),
            Code::NotFound
        );
        assert_eq!(
            Status::from(Error::Unroutable("x".into())).code(),
            Code::FailedPrecondition
        );
    }
}
