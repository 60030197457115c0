//! The audit log's storage: one record per entry in the `audit` tree, keyed
//! by its sequence (1, 2, 3, ... big-endian), written by the writer inside
//! the same transaction as what it records. Records are protobuf behind a
//! layout byte, as cases are.

use super::{Result, Store, StoreError, codec, keys, records};
use crate::domain::audit::{AuditAction, AuditEntry};
use prost::Message;
use sled::transaction::{TransactionalTree, UnabortableTransactionError};

/// The layout byte in front of every audit record.
pub const LAYOUT: u8 = 1;

/// The last sequence given, in the `counters` tree.
pub const SEQ_COUNTER: &[u8] = b"audit_seq";

#[derive(Clone, PartialEq, Message)]
pub struct AuditRecord {
    #[prost(int64, tag = "1")]
    pub at_ms: i64,
    #[prost(string, tag = "2")]
    pub actor: String,
    /// The role's stored number; 0 for the system.
    #[prost(uint32, tag = "3")]
    pub role: u32,
    /// [`AuditAction::number`].
    #[prost(uint32, tag = "4")]
    pub action: u32,
    #[prost(string, tag = "5")]
    pub citizen_id: String,
    #[prost(uint64, tag = "6")]
    pub case_id: u64,
    #[prost(string, tag = "7")]
    pub case_number: String,
    #[prost(string, tag = "8")]
    pub reason: String,
}

fn encode(entry: &AuditEntry) -> Vec<u8> {
    let record = AuditRecord {
        at_ms: entry.at_ms,
        actor: entry.actor.clone(),
        role: records::role_number(entry.role),
        action: entry.action.number(),
        citizen_id: entry.citizen_id.clone(),
        case_id: entry.case_id,
        case_number: entry.case_number.clone(),
        reason: entry.reason.clone(),
    };
    let mut bytes = Vec::with_capacity(1 + record.encoded_len());
    bytes.push(LAYOUT);
    record.encode(&mut bytes).unwrap_or_default();
    bytes
}

pub fn decode(bytes: &[u8]) -> Result<AuditEntry> {
    let corrupt = |why: String| StoreError::Corrupt(format!("an audit record: {why}"));
    let (&layout, body) = bytes.split_first().ok_or_else(|| corrupt("empty".into()))?;
    if layout != LAYOUT {
        return Err(corrupt(format!("layout {layout}")));
    }
    let r = AuditRecord::decode(body).map_err(|e| corrupt(e.to_string()))?;
    Ok(AuditEntry {
        at_ms: r.at_ms,
        actor: r.actor,
        role: records::role_from(r.role).map_err(|e| corrupt(e.to_string()))?,
        action: AuditAction::from_number(r.action)
            .ok_or_else(|| corrupt(format!("action {}", r.action)))?,
        citizen_id: r.citizen_id,
        case_id: r.case_id,
        case_number: r.case_number,
        reason: r.reason,
    })
}

/// Appends `entries` in order inside the writer's transaction and returns
/// their sequences.
pub(crate) fn append(
    audit: &TransactionalTree,
    counters: &TransactionalTree,
    entries: &[AuditEntry],
) -> std::result::Result<Result<Vec<u64>>, UnabortableTransactionError> {
    let last: u64 = match counters.get(SEQ_COUNTER)? {
        Some(bytes) => match codec::decode(&bytes) {
            Ok(n) => n,
            Err(e) => return Ok(Err(e.into())),
        },
        None => 0,
    };
    let mut seqs = Vec::with_capacity(entries.len());
    for (seq, entry) in (last + 1..).zip(entries) {
        audit.insert(&keys::id(seq), encode(entry))?;
        seqs.push(seq);
    }
    let next = last + entries.len() as u64;
    match codec::encode(&next) {
        Ok(bytes) => counters.insert(SEQ_COUNTER, bytes)?,
        Err(e) => return Ok(Err(e.into())),
    };
    Ok(Ok(seqs))
}

impl Store {
    /// Writes `entries` to the audit log on their own (an audited read) and
    /// returns once they are durable, with their sequences.
    pub async fn audit(&self, entries: Vec<AuditEntry>) -> Result<Vec<u64>> {
        match self.submit(super::Mutation::Audit(entries)).await? {
            super::Applied::Audited(seqs) => Ok(seqs),
            _ => Err(StoreError::Corrupt(
                "the writer answered an audit with something else".into(),
            )),
        }
    }

    /// Entries from sequence `from` on, at most `limit`, oldest first.
    pub fn audit_entries(&self, from: u64, limit: usize) -> Result<Vec<(u64, AuditEntry)>> {
        let mut out = Vec::new();
        for item in self.trees().audit.range(keys::id(from)..).take(limit) {
            let (key, value) = item?;
            let seq = keys::id_suffix(&key)
                .ok_or_else(|| StoreError::Corrupt("an audit key is not a sequence".into()))?;
            out.push((seq, decode(&value)?));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::audit::{AuditAction, AuditEntry};
    use crate::domain::model::Role;
    use crate::store::test_support;

    fn entry(reason: &str) -> AuditEntry {
        AuditEntry {
            at_ms: 1_700_000_000_000,
            actor: "agent1".into(),
            role: Some(Role::Agent),
            action: AuditAction::PhoneRevealed,
            citizen_id: "c1".into(),
            case_id: 7,
            case_number: "1405-000007".into(),
            reason: reason.into(),
        }
    }

    #[tokio::test]
    async fn entries_are_numbered_in_order_and_read_back_after_a_reopen() {
        let (dir, store) = test_support::open();
        assert_eq!(
            store.audit(vec![entry("a"), entry("b")]).await.unwrap(),
            [1, 2]
        );
        assert_eq!(store.audit(vec![entry("c")]).await.unwrap(), [3]);
        store.close().unwrap();
        drop(store);
        let store = test_support::reopen(dir.path());
        let read = store.audit_entries(2, 10).unwrap();
        assert_eq!(read, [(2, entry("b")), (3, entry("c"))]);
        assert_eq!(store.audit(vec![entry("d")]).await.unwrap(), [4]);
    }
}
