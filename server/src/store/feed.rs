//! The feed's history: every feed event under its global sequence, written
//! by the writer in the transaction of the change it tells of, so the
//! sequence follows commit order and survives restarts. A record holds the
//! case's head as the change left it, without the caller's number, and the
//! timeline event, so a watcher that resumes gets each event as it was.
//! Old records are trimmed by age and count ([`Store::trim_feed`]).

use super::codec::{self, CodecError};
use super::{Result, StoreError, records};
use crate::domain::access::FeedSubject;
use crate::domain::event::Event;
use crate::domain::feed::FeedKind;
use crate::domain::model::{Case, Role};
use prost::Message;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

/// The last sequence given, in the counters tree.
pub const FEED_SEQ_COUNTER: &[u8] = b"feed_seq";

/// The layout byte in front of every stored feed record.
pub const LAYOUT: u8 = 1;

/// A feed event as stored and as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRecord {
    pub seq: u64,
    pub at_ms: i64,
    pub kind: FeedKind,
    /// The case after the change, its number cleared; `None` for staff.
    pub case: Option<Case>,
    pub event: Option<Event>,
    pub staff: String,
    pub staff_role: Option<Role>,
}

impl FeedRecord {
    /// What the event is about, for the access policy to judge per watcher.
    pub fn subject(&self) -> FeedSubject<'_> {
        match &self.case {
            Some(case) => FeedSubject::Case {
                case,
                left_unit: self.event.as_ref().and_then(|e| e.kind.left_unit()),
            },
            None => FeedSubject::Staff,
        }
    }
}

/// A feed event before the writer gives it its sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeed {
    pub at_ms: i64,
    pub kind: FeedKind,
    pub case: Option<Case>,
    pub event: Option<Event>,
    pub staff: String,
    pub staff_role: Option<Role>,
}

impl NewFeed {
    fn about(case: &Case, kind: FeedKind, event: Option<&Event>) -> Self {
        let mut case = case.clone();
        // The feed's history never holds a number, whoever reads it later.
        case.phone.clear();
        Self {
            at_ms: event.map_or(case.created_at_ms, |e| e.at_ms),
            kind,
            case: Some(case),
            event: event.cloned(),
            staff: String::new(),
            staff_role: None,
        }
    }

    /// A staff member signing in or out.
    pub fn presence(at_ms: i64, staff: &str, role: Role, signed_in: bool) -> Self {
        Self {
            at_ms,
            kind: if signed_in {
                FeedKind::StaffSignedIn
            } else {
                FeedKind::StaffSignedOut
            },
            case: None,
            event: None,
            staff: staff.to_owned(),
            staff_role: Some(role),
        }
    }
}

/// A new case is one event, carrying its first timeline entry.
pub fn for_create(case: &Case, events: &[Event]) -> Vec<NewFeed> {
    vec![NewFeed::about(case, FeedKind::CaseCreated, events.first())]
}

/// A change is one event per timeline entry it appended, each with the head
/// the change left; a change that appended none is one event without.
pub fn for_update(after: &Case, appended: &[Event]) -> Vec<NewFeed> {
    if appended.is_empty() {
        return vec![NewFeed::about(after, FeedKind::CaseMoved, None)];
    }
    appended
        .iter()
        .map(|e| NewFeed::about(after, FeedKind::of_step(e), Some(e)))
        .collect()
}

#[derive(Clone, PartialEq, Message)]
struct StoredFeed {
    #[prost(int64, tag = "1")]
    at_ms: i64,
    #[prost(uint32, tag = "2")]
    kind: u32,
    /// A case head as [`records::encode_case`] writes it.
    #[prost(bytes = "vec", tag = "3")]
    case: Vec<u8>,
    /// A timeline event as [`records::encode_event`] writes it.
    #[prost(bytes = "vec", tag = "4")]
    event: Vec<u8>,
    #[prost(string, tag = "5")]
    staff: String,
    #[prost(uint32, tag = "6")]
    staff_role: u32,
}

pub fn key(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

fn encode(record: &NewFeed) -> Vec<u8> {
    let stored = StoredFeed {
        at_ms: record.at_ms,
        kind: record.kind.number().into(),
        case: record
            .case
            .as_ref()
            .map(records::encode_case)
            .unwrap_or_default(),
        event: record
            .event
            .as_ref()
            .map(records::encode_event)
            .unwrap_or_default(),
        staff: record.staff.clone(),
        staff_role: records::role_number(record.staff_role),
    };
    let mut bytes = Vec::with_capacity(1 + stored.encoded_len());
    bytes.push(LAYOUT);
    // Encoding into a Vec only fails for want of capacity, which a Vec grows.
    let _ = stored.encode(&mut bytes);
    bytes
}

pub fn decode(key: &[u8], bytes: &[u8]) -> Result<FeedRecord, CodecError> {
    let seq = <[u8; 8]>::try_from(key)
        .map(u64::from_be_bytes)
        .map_err(|_| CodecError::Value("a feed key is not a sequence".into()))?;
    let body = match bytes.split_first() {
        None => return Err(CodecError::Empty),
        Some((&LAYOUT, body)) => body,
        Some((&other, _)) => return Err(CodecError::Version(other)),
    };
    let stored = StoredFeed::decode(body).map_err(|e| CodecError::Value(e.to_string()))?;
    let kind = FeedKind::from_number(stored.kind)
        .ok_or_else(|| CodecError::Value(format!("feed kind {}", stored.kind)))?;
    let case = if stored.case.is_empty() {
        None
    } else {
        Some(records::decode_case(&stored.case)?)
    };
    let event = if stored.event.is_empty() {
        None
    } else {
        Some(records::decode_event(&stored.event)?)
    };
    Ok(FeedRecord {
        seq,
        at_ms: stored.at_ms,
        kind,
        case,
        event,
        staff: stored.staff,
        staff_role: records::role_from(stored.staff_role)?,
    })
}

fn abort(e: impl Into<StoreError>) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e.into())
}

/// Gives `new` the next sequences and writes them, inside the writer's
/// transaction. Returns the last sequence given.
pub(crate) fn append(
    feed: &TransactionalTree,
    counters: &TransactionalTree,
    new: &[NewFeed],
) -> std::result::Result<u64, ConflictableTransactionError<StoreError>> {
    let mut seq: u64 = match counters.get(FEED_SEQ_COUNTER)? {
        Some(bytes) => codec::decode(&bytes).map_err(abort)?,
        None => 0,
    };
    for record in new {
        seq += 1;
        feed.insert(&key(seq), encode(record))?;
    }
    counters.insert(FEED_SEQ_COUNTER, codec::encode(&seq).map_err(abort)?)?;
    Ok(seq)
}

/// Reads the feed's history; cheap to clone.
#[derive(Debug, Clone)]
pub struct FeedReader {
    feed: sled::Tree,
    counters: sled::Tree,
}

impl FeedReader {
    /// The records after `after`, oldest first, at most `limit`.
    pub fn after(&self, after: u64, limit: usize) -> Result<Vec<FeedRecord>> {
        let start = key(after.saturating_add(1));
        let mut out = Vec::new();
        if after == u64::MAX {
            return Ok(out);
        }
        for entry in self.feed.range(start..).take(limit) {
            let (k, v) = entry?;
            out.push(decode(&k, &v)?);
        }
        Ok(out)
    }

    /// The last sequence given (committed; durable once its batch flushed).
    pub fn last_seq(&self) -> Result<u64> {
        Ok(match self.counters.get(FEED_SEQ_COUNTER)? {
            Some(bytes) => codec::decode(&bytes)?,
            None => 0,
        })
    }

    /// The oldest sequence still kept.
    pub fn first_seq(&self) -> Result<Option<u64>> {
        Ok(self
            .feed
            .first()?
            .and_then(|(k, _)| <[u8; 8]>::try_from(&k[..]).ok().map(u64::from_be_bytes)))
    }

    /// Removes the oldest records while they are more than the last `keep`
    /// or older than `older_than_ms`; returns how many went. A watcher that asks for a trimmed point gets a
    /// resync, so this never makes a gap anyone is not told of.
    pub fn trim(&self, keep: u64, older_than_ms: i64) -> Result<u64> {
        let last = self.last_seq()?;
        let floor = last.saturating_sub(keep);
        let mut removed = 0;
        for entry in self.feed.iter() {
            let (k, v) = entry?;
            let record = decode(&k, &v)?;
            if record.seq > floor && record.at_ms >= older_than_ms {
                break;
            }
            self.feed.remove(&k)?;
            removed += 1;
        }
        Ok(removed)
    }
}

impl super::Store {
    pub fn feed_reader(&self) -> FeedReader {
        FeedReader {
            feed: self.trees().feed.clone(),
            counters: self.trees().counters.clone(),
        }
    }

    /// Writes one feed event of its own (a staff member signing in or out)
    /// and returns its sequence once it is on disk.
    pub async fn append_feed(&self, record: NewFeed) -> Result<u64> {
        match self.submit(super::Mutation::Feed(record)).await? {
            super::Applied::Fed(seq) => Ok(seq),
            _ => Err(StoreError::Corrupt(
                "the writer answered a feed event with something else".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{case, open};
    use super::*;
    use crate::domain::event::EventKind;

    #[test]
    fn records_keep_their_sequence_in_commit_order_and_no_number() {
        let (_dir, store) = open();
        let made = store
            .create_case_blocking(case("a", "09131234567", "u", 1_795_860_000_000))
            .unwrap();
        store
            .update_case_blocking(made.case.id, |c, _| {
                let mut next = c.clone();
                next.revision += 1;
                Ok(super::super::CaseChange {
                    case: next,
                    events: vec![
                        Event::new(1, "unit1", EventKind::Acknowledged, ""),
                        Event::new(2, "unit1", EventKind::Attachment, ""),
                    ],
                })
            })
            .unwrap();
        let reader = store.feed_reader();
        let all = reader.after(0, 10).unwrap();
        let kinds: Vec<(u64, FeedKind)> = all.iter().map(|r| (r.seq, r.kind)).collect();
        assert_eq!(
            kinds,
            [
                (1, FeedKind::CaseCreated),
                (2, FeedKind::CaseMoved),
                (3, FeedKind::AttachmentAdded)
            ]
        );
        assert!(
            all.iter()
                .all(|r| r.case.as_ref().unwrap().phone.is_empty())
        );
        assert_eq!(reader.last_seq().unwrap(), 3);
        assert_eq!(reader.after(2, 10).unwrap()[0].seq, 3);
        for entry in store.trees().feed.iter() {
            let (_, v) = entry.unwrap();
            let text = String::from_utf8_lossy(&v);
            assert!(!text.contains("09131234567"));
        }
        // The oldest go first, by count.
        assert_eq!(reader.trim(1, i64::MIN).unwrap(), 2);
        assert_eq!(reader.first_seq().unwrap(), Some(3));
        // And by age.
        assert_eq!(reader.trim(10, i64::MAX).unwrap(), 1);
        assert_eq!(reader.first_seq().unwrap(), None);
        assert_eq!(reader.last_seq().unwrap(), 3);
    }

    #[test]
    fn a_record_of_a_later_build_still_reads() {
        let new = NewFeed::presence(5, "supervisor1", Role::Supervisor, true);
        let mut bytes = encode(&new);
        // A field this build does not know: tag 15, varint 1.
        bytes.extend([15 << 3, 1]);
        let read = decode(&key(9), &bytes).unwrap();
        assert_eq!(
            (read.seq, read.kind, read.staff.as_str(), read.staff_role),
            (
                9,
                FeedKind::StaffSignedIn,
                "supervisor1",
                Some(Role::Supervisor)
            )
        );
        assert!(decode(&key(9), &[7, 1]).is_err());
        assert!(decode(&[1, 2], &bytes).is_err());
    }
}
