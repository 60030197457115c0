//! The gRPC services of desk137.v1: thin adapters that admit the caller
//! ([`Context::admit`], the access policy), convert the request
//! ([`convert`]), apply the domain rules and the store, and convert back
//! through the caller's view. Every failure is an [`Error`], mapped to a
//! status in one place.

pub mod attachments;
pub mod audit;
pub mod cases;
pub mod catalog;
pub mod citizens;
pub mod clock;
pub mod convert;
pub mod dashboard;
pub mod error;
pub mod feed;
pub mod feedback;
pub mod keys;
pub mod portal;
pub mod presence;
pub mod scorecards;
pub mod session;

pub use attachments::AttachmentApi;
pub use audit::AuditApi;
pub use cases::CaseApi;
pub use catalog::CatalogApi;
pub use citizens::CitizenApi;
pub use clock::ClockApi;
pub use dashboard::DashboardApi;
pub use error::Error;
pub use feed::FeedApi;
pub use feedback::FeedbackApi;
pub use keys::KeyApi;
pub use portal::PortalApi;
pub use presence::PresenceApi;
pub use scorecards::ScorecardApi;
pub use session::SessionApi;

use crate::auth::{AuthError, Users};
use crate::domain::access::{self, Caller, Rpc};
use crate::domain::catalog::Catalog;
use crate::domain::clock::SharedClock;
use crate::domain::sla::SlaPolicy;
use crate::store::{Store, StoreError};
use std::sync::Arc;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct Context {
    pub store: Store,
    pub catalog: Arc<Catalog>,
    pub users: Arc<Users>,
    pub clock: SharedClock,
    pub sla: SlaPolicy,
    pub demo: bool,
    /// The rotation of the server's wrapping keys.
    pub keys: Arc<crate::store::citizens::KeyRotation>,
    /// Places for scans on the blocking pool ([`READS_AT_ONCE`]).
    pub readers: Arc<tokio::sync::Semaphore>,
    pub callback: crate::domain::feedback::CallBackPolicy,
    pub score: crate::domain::score::ScoreConfig,
    /// The call-back queue's leases.
    pub callbacks: Arc<crate::store::callbacks::CallBacks>,
}

/// Scans running at once. A scan holds its page in memory while it runs; the
/// blocking pool would run hundreds side by side, so a burst of large pages
/// (or a client that sends many and reads nothing) would pin hundreds of
/// pages. The rest wait here holding only their request. The machine has few
/// cores; eight keeps the disk busy while others decode.
pub const READS_AT_ONCE: usize = 8;

impl Context {
    /// The caller of `request`, if the access policy lets them make `rpc`.
    /// Every handler calls this first.
    pub fn admit<T>(&self, request: &tonic::Request<T>, rpc: Rpc) -> Result<Caller, Error> {
        let mut headers = request.metadata().get_all("authorization").iter();
        let header = match (headers.next(), headers.next()) {
            (Some(v), None) => Some(v.to_str().map_err(|_| AuthError::Malformed)?),
            (None, _) => None,
            // Two credentials: which one counts would be a guess; refuse both.
            (Some(_), Some(_)) => return Err(AuthError::Malformed.into()),
        };
        let caller = self.users.authenticate(header)?;
        Ok(access::admit(caller, rpc)?)
    }

    /// The coordination center's unit id, which the policy needs to tell
    /// what its staff follow.
    pub fn coordination_unit(&self) -> Option<&str> {
        self.catalog.coordination_unit().map(|u| u.id.as_str())
    }

    /// Runs a point read (one key: a case by id or number) on the calling
    /// task. It takes microseconds from sled's cache; handing it to the
    /// blocking pool would cost more than the read itself.
    pub fn read_point<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, Error> {
        f(&self.store).map_err(Error::from)
    }

    /// Runs a store read off the async runtime: a scan may touch the disk.
    pub async fn read<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let place = self
            .readers
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Error::Task(e.to_string()))?;
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let _place = place;
            f(&store)
        })
        .await
        .map_err(|e| Error::Task(e.to_string()))?
        .map_err(Error::from)
    }
}
