//! What the writer applies and what it reports: every change to the store is
//! a [`Mutation`], applied as read-modify-write inside its batch's one
//! transaction. New record kinds (citizens, audit entries) add a variant
//! here and a function that applies it in `writer`.

use super::{Created, Result};
use crate::domain::audit::AuditEntry;
use crate::domain::event::Event;
use crate::domain::lifecycle::Opened;
use crate::domain::media::Attachment;
use crate::domain::model::Case;
use std::sync::Arc;

/// A change to one case, worked out from its stored head and timeline.
///
/// sled may run a transaction more than once when it conflicts, so the
/// function must be pure: the same inputs give the same change, and it has
/// no side effects of its own. An `Err` refuses the change; nothing of it is
/// written and the rest of the batch goes on.
pub type CaseChangeFn = Box<dyn Fn(&Case, &[Event]) -> Result<CaseChange> + Send>;

/// The new head of a case and the events to append to its timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseChange {
    /// The whole new head. Its id, number and request id must stay as they
    /// were: they name the case.
    pub case: Case,
    pub events: Vec<Event>,
}

/// One job of the writer.
// A create carries the whole case; boxing it would only add an allocation
// to every write.
#[allow(clippy::large_enum_variant)]
pub enum Mutation {
    CreateCase(Opened),
    UpdateCase {
        id: u64,
        change: CaseChangeFn,
        /// A person's request, recorded in the same transaction so a retry
        /// gets the same answer instead of a second change.
        request: Option<RequestKey>,
    },
    /// A file's record on its case; the file is already on disk.
    AddAttachment(Attachment),
    /// Entries for the audit log on their own: a read that showed a number.
    /// A change that is audited writes its entries in its own job instead.
    Audit(Vec<AuditEntry>),
    /// A feed event of its own, not about a case: staff signing in or out.
    Feed(super::feed::NewFeed),
}

/// A request id and the content it was sent with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    /// [`super::keys::move_request`].
    pub key: Vec<u8>,
    /// The request's content, compared byte for byte on a retry.
    pub content: Vec<u8>,
}

impl std::fmt::Debug for Mutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::CreateCase(opened) => f
                .debug_struct("CreateCase")
                .field("request_id", &opened.case.request_id)
                .finish_non_exhaustive(),
            Self::UpdateCase { id, .. } => f
                .debug_struct("UpdateCase")
                .field("id", id)
                .finish_non_exhaustive(),
            Self::AddAttachment(a) => f
                .debug_struct("AddAttachment")
                .field("case_id", &a.case_id)
                .finish_non_exhaustive(),
            Self::Audit(entries) => f
                .debug_struct("Audit")
                .field("entries", &entries.len())
                .finish_non_exhaustive(),
            Self::Feed(record) => f
                .debug_struct("Feed")
                .field("kind", &record.kind)
                .finish_non_exhaustive(),
        }
    }
}

/// The outcome of an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated {
    /// The new head.
    pub case: Case,
    /// The events appended to the timeline, oldest first.
    pub appended: Vec<Event>,
    /// The request id had already made this change; nothing new was written
    /// and `case` is the case as it is now.
    pub replayed: bool,
}

/// What a job came to, as the writer answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Created(Created),
    Updated(Updated),
    Attached(super::attachments::Added),
    /// The audit entries' sequences.
    Audited(Vec<u64>),
    /// The feed event's sequence.
    Fed(u64),
}

/// One change a committed batch made, as the after-commit hook sees it.
// Lives one batch long, in one Vec: size matters less than plain fields.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Committed {
    /// A new case and its first events (sequence 0 on).
    CaseCreated { case: Case, events: Vec<Event> },
    /// A case's head before and after, and the events appended from
    /// sequence `first_seq` on.
    CaseUpdated {
        before: Case,
        after: Case,
        first_seq: u32,
        appended: Vec<Event>,
    },
}

impl Committed {
    pub fn case_id(&self) -> u64 {
        match self {
            Self::CaseCreated { case, .. } => case.id,
            Self::CaseUpdated { after, .. } => after.id,
        }
    }
}

/// Called by the writer thread after each batch is durable, with the batch's
/// changes in commit order; never for a failed job, a replayed create or a
/// batch whose flush failed. It runs on the writer thread before the batch
/// is acknowledged, so it must be quick and must not block: hand the changes
/// on (a channel, a broadcast) and return.
pub type CommitHook = Arc<dyn Fn(&[Committed]) + Send + Sync>;
