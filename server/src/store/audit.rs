//! The audit log's storage: one record per entry in the `audit` tree, keyed
//! by its sequence (1, 2, 3, ... big-endian), written by the writer inside
//! the same transaction as what it records. Records are protobuf behind a
//! layout byte, as cases are.
//!
//! [`append`] writes an entry without its link; at the end of the same
//! transaction the writer calls [`seal`], which gives every entry after the
//! chain's head its hash ([`crate::audit_chain`]) and its `audit_index`
//! keys, so whoever appends needs neither the key nor the indexes. Entries
//! written before the chain existed hold no hash: the store seals them when
//! it is first opened by a build that chains, from the genesis link on.
//!
//! `audit_index` keys, each ending in the entry's sequence:
//! `c + case id`, `z + citizen id + 0`, `a + actor + 0`.

use super::{Result, Store, StoreError, codec, keys, records};
use crate::audit_chain::{ChainKey, HASH_BYTES, Head};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::staff::{StaffRecord, change_reason};
use prost::Message;
use sled::transaction::{TransactionalTree, UnabortableTransactionError};

/// The layout byte in front of every audit record.
pub const LAYOUT: u8 = 1;

/// The last sequence given, in the `counters` tree.
pub const SEQ_COUNTER: &[u8] = b"audit_seq";
/// The chain's head ([`Head`]), in the `counters` tree.
pub const HEAD_COUNTER: &[u8] = b"audit_head";

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
    /// The entry's own sequence, so an entry moved to another key says so.
    /// 0 in entries written before the chain.
    #[prost(uint64, tag = "9")]
    pub seq: u64,
    /// The chain's hash up to this entry; empty until sealed.
    #[prost(bytes = "vec", tag = "10")]
    pub hash: Vec<u8>,
}

impl AuditRecord {
    fn of(entry: &AuditEntry) -> Self {
        Self {
            at_ms: entry.at_ms,
            actor: entry.actor.clone(),
            role: records::role_number(entry.role),
            action: entry.action.number(),
            citizen_id: entry.citizen_id.clone(),
            case_id: entry.case_id,
            case_number: entry.case_number.clone(),
            reason: entry.reason.clone(),
            seq: 0,
            hash: Vec::new(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(1 + self.encoded_len());
        bytes.push(LAYOUT);
        // Encoding into a Vec only fails for lack of room, which a Vec makes.
        self.encode(&mut bytes).unwrap_or_default();
        bytes
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (&layout, body) = bytes.split_first().ok_or_else(|| corrupt("empty".into()))?;
        if layout != LAYOUT {
            return Err(corrupt(format!("layout {layout}")));
        }
        Self::decode(body).map_err(|e| corrupt(e.to_string()))
    }

    pub fn entry(&self) -> Result<AuditEntry> {
        Ok(AuditEntry {
            at_ms: self.at_ms,
            actor: self.actor.clone(),
            role: records::role_from(self.role).map_err(|e| corrupt(e.to_string()))?,
            action: AuditAction::from_number(self.action)
                .ok_or_else(|| corrupt(format!("action {}", self.action)))?,
            citizen_id: self.citizen_id.clone(),
            case_id: self.case_id,
            case_number: self.case_number.clone(),
            reason: self.reason.clone(),
        })
    }
}

fn corrupt(why: String) -> StoreError {
    StoreError::Corrupt(format!("an audit record: {why}"))
}

fn encode(entry: &AuditEntry) -> Vec<u8> {
    AuditRecord::of(entry).to_bytes()
}

pub fn decode(bytes: &[u8]) -> Result<AuditEntry> {
    AuditRecord::from_bytes(bytes)?.entry()
}

/// An entry as the log holds it: its sequence and chain hash with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub seq: u64,
    pub entry: AuditEntry,
    /// Empty for an entry not sealed yet.
    pub hash: Vec<u8>,
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

type TxOutcome<T> = std::result::Result<Result<T>, UnabortableTransactionError>;

fn head_in(counters: &TransactionalTree) -> TxOutcome<Head> {
    Ok(match counters.get(HEAD_COUNTER)? {
        Some(bytes) => codec::decode(&bytes).map_err(StoreError::from),
        None => Ok(Head::default()),
    })
}

/// Links every entry after the chain's head, writes its index keys and moves
/// the head, inside the writer's transaction (which reads its own writes).
/// Returns the new head, or `None` when nothing was appended.
pub(crate) fn seal(
    audit: &TransactionalTree,
    counters: &TransactionalTree,
    index: &TransactionalTree,
    key: &ChainKey,
) -> TxOutcome<Option<Head>> {
    let last: u64 = match counters.get(SEQ_COUNTER)? {
        Some(bytes) => match codec::decode(&bytes) {
            Ok(n) => n,
            Err(e) => return Ok(Err(e.into())),
        },
        None => return Ok(Ok(None)),
    };
    let mut head = match head_in(counters)? {
        Ok(head) => head,
        Err(e) => return Ok(Err(e)),
    };
    if head.seq >= last {
        return Ok(Ok(None));
    }
    for seq in head.seq + 1..=last {
        let Some(bytes) = audit.get(keys::id(seq))? else {
            return Ok(Err(corrupt(format!(
                "entry {seq} is missing before its seal"
            ))));
        };
        let (mut record, entry) =
            match AuditRecord::from_bytes(&bytes).and_then(|r| Ok((r.entry()?, r))) {
                Ok((entry, record)) => (record, entry),
                Err(e) => return Ok(Err(e)),
            };
        let hash = key.link(&head.hash, seq, &entry);
        record.seq = seq;
        record.hash = hash.to_vec();
        audit.insert(&keys::id(seq), record.to_bytes())?;
        for k in index_keys(seq, &entry) {
            index.insert(k, &[])?;
        }
        head = Head { seq, hash };
    }
    match codec::encode(&head) {
        Ok(bytes) => counters.insert(HEAD_COUNTER, bytes)?,
        Err(e) => return Ok(Err(e.into())),
    };
    Ok(Ok(Some(head)))
}

const BY_CASE: u8 = b'c';
const BY_CITIZEN: u8 = b'z';
const BY_ACTOR: u8 = b'a';

fn case_prefix(case_id: u64) -> Vec<u8> {
    let mut key = vec![BY_CASE];
    key.extend_from_slice(&case_id.to_be_bytes());
    key
}

fn text_prefix(tag: u8, text: &str) -> Vec<u8> {
    let mut key = vec![tag];
    key.extend_from_slice(&keys::text_prefix(text));
    key
}

fn index_keys(seq: u64, entry: &AuditEntry) -> Vec<Vec<u8>> {
    let mut prefixes = vec![text_prefix(BY_ACTOR, &entry.actor)];
    if entry.case_id != 0 {
        prefixes.push(case_prefix(entry.case_id));
    }
    if !entry.citizen_id.is_empty() {
        prefixes.push(text_prefix(BY_CITIZEN, &entry.citizen_id));
    }
    prefixes
        .into_iter()
        .map(|mut key| {
            key.extend_from_slice(&seq.to_be_bytes());
            key
        })
        .collect()
}

/// Which entries a reader asks for; `None` matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub case_id: Option<u64>,
    pub citizen_id: Option<String>,
    pub actor: Option<String>,
    /// Inclusive.
    pub from_ms: Option<i64>,
    /// Exclusive.
    pub to_ms: Option<i64>,
}

impl AuditFilter {
    fn matches(&self, entry: &AuditEntry) -> bool {
        self.case_id.is_none_or(|c| entry.case_id == c)
            && self
                .citizen_id
                .as_ref()
                .is_none_or(|c| &entry.citizen_id == c)
            && self.actor.as_ref().is_none_or(|a| &entry.actor == a)
            && self.from_ms.is_none_or(|t| entry.at_ms >= t)
            && self.to_ms.is_none_or(|t| entry.at_ms < t)
    }

    /// The index prefix that narrows the walk most, if any filter has one.
    fn index_prefix(&self) -> Option<Vec<u8>> {
        if let Some(case) = self.case_id {
            Some(case_prefix(case))
        } else if let Some(citizen) = &self.citizen_id {
            Some(text_prefix(BY_CITIZEN, citizen))
        } else {
            self.actor.as_ref().map(|a| text_prefix(BY_ACTOR, a))
        }
    }
}

/// A page of the log, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditPage {
    pub entries: Vec<Sealed>,
    /// Where the next page starts (below this sequence), if there may be more.
    pub next_before: Option<u64>,
}

/// Entries one page may look at before it answers what it found: a filter
/// without an index (time alone) or a rare match within a busy index then
/// costs a bounded walk per page, and the reader pages on.
pub const SCAN_BUDGET: usize = 20_000;

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

    /// The chain's head as last committed.
    pub fn audit_head(&self) -> Result<Head> {
        head_of(self.trees())
    }

    /// The entry of sequence `seq` with its hash, if there is one.
    pub fn audit_sealed(&self, seq: u64) -> Result<Option<Sealed>> {
        let Some(bytes) = self.trees().audit.get(keys::id(seq))? else {
            return Ok(None);
        };
        let record = AuditRecord::from_bytes(&bytes)?;
        Ok(Some(Sealed {
            seq,
            entry: record.entry()?,
            hash: record.hash,
        }))
    }

    /// The chain's head each time a batch that moved it is on disk.
    pub fn watch_audit_head(&self) -> tokio::sync::watch::Receiver<Head> {
        self.inner.audit_heads.subscribe()
    }

    /// The entries `filter` matches below sequence `before` (all when
    /// `None`), newest first, at most `limit`.
    pub fn audit_page(
        &self,
        filter: &AuditFilter,
        before: Option<u64>,
        limit: usize,
    ) -> Result<AuditPage> {
        let audit = &self.trees().audit;
        let below = before.unwrap_or(u64::MAX);
        let seqs: Box<dyn Iterator<Item = Result<u64>>> = match filter.index_prefix() {
            Some(prefix) => {
                let mut end = prefix.clone();
                end.extend_from_slice(&below.to_be_bytes());
                Box::new(
                    self.trees()
                        .audit_index
                        .range(prefix..end)
                        .rev()
                        .map(|item| {
                            let (key, _) = item?;
                            keys::id_suffix(&key).ok_or_else(|| {
                                corrupt("an index key does not end in a sequence".into())
                            })
                        }),
                )
            }
            None => Box::new(audit.range(..keys::id(below)).rev().map(|item| {
                let (key, _) = item?;
                keys::id_suffix(&key)
                    .ok_or_else(|| corrupt("an audit key is not a sequence".into()))
            })),
        };
        let mut page = AuditPage::default();
        for (looked, seq) in seqs.enumerate() {
            let seq = seq?;
            if page.entries.len() == limit || looked == SCAN_BUDGET {
                // Resume just above the one not taken: it may match.
                page.next_before = seq.checked_add(1);
                break;
            }
            let Some(bytes) = audit.get(keys::id(seq))? else {
                continue;
            };
            let record = AuditRecord::from_bytes(&bytes)?;
            let entry = record.entry()?;
            if filter.matches(&entry) {
                page.entries.push(Sealed {
                    seq,
                    entry,
                    hash: record.hash,
                });
            }
        }
        Ok(page)
    }

    /// Compares the users the server starts with against those the store
    /// last saw, and records each change (a first sighting included) in the
    /// audit log, in the transaction that remembers the new roles.
    pub async fn record_staff(&self, staff: Vec<StaffRecord>, at_ms: i64) -> Result<Vec<u64>> {
        let seen_names = self.staff_names()?;
        match self
            .submit(super::Mutation::SyncStaff {
                staff,
                seen_names,
                at_ms,
            })
            .await?
        {
            super::Applied::Audited(seqs) => Ok(seqs),
            _ => Err(StoreError::Corrupt(
                "the writer answered a staff check with something else".into(),
            )),
        }
    }
}

/// The `staff` tree's value: the role's stored number and the unit.
type StaffValue = (u32, String);

/// [`Store::record_staff`] inside the writer's transaction.
pub(crate) fn sync_staff(
    staff_tree: &TransactionalTree,
    audit: &TransactionalTree,
    counters: &TransactionalTree,
    staff: &[StaffRecord],
    seen_names: &[String],
    at_ms: i64,
) -> TxOutcome<Vec<u64>> {
    let mut entries = Vec::new();
    let read = |name: &str| -> TxOutcome<Option<StaffRecord>> {
        let Some(bytes) = staff_tree.get(name.as_bytes())? else {
            return Ok(Ok(None));
        };
        Ok(codec::decode::<StaffValue>(&bytes)
            .map_err(StoreError::from)
            .and_then(|(role, unit_id)| {
                let role = records::role_from(role)
                    .map_err(StoreError::from)?
                    .ok_or_else(|| corrupt(format!("staff {name}: no role")))?;
                Ok(Some(StaffRecord {
                    name: name.to_owned(),
                    role,
                    unit_id,
                }))
            }))
    };
    let mut note = |seen: Option<&StaffRecord>, now: Option<&StaffRecord>| {
        if let Some(reason) = change_reason(seen, now) {
            entries.push(AuditEntry {
                at_ms,
                actor: crate::domain::event::SYSTEM.into(),
                role: None,
                action: AuditAction::RoleChanged,
                citizen_id: String::new(),
                case_id: 0,
                case_number: String::new(),
                reason,
            });
        }
    };
    for member in staff {
        let seen = match read(&member.name)? {
            Ok(seen) => seen,
            Err(e) => return Ok(Err(e)),
        };
        note(seen.as_ref(), Some(member));
        let value = match codec::encode(&(records::role_number(Some(member.role)), &member.unit_id))
        {
            Ok(v) => v,
            Err(e) => return Ok(Err(e.into())),
        };
        staff_tree.insert(member.name.as_bytes(), value)?;
    }
    for name in seen_names {
        if staff.iter().any(|m| &m.name == name) {
            continue;
        }
        let seen = match read(name)? {
            Ok(seen) => seen,
            Err(e) => return Ok(Err(e)),
        };
        note(seen.as_ref(), None);
        staff_tree.remove(name.as_bytes())?;
    }
    append(audit, counters, &entries)
}

/// Seals what is not sealed yet, at open, before the writer starts: a
/// batch of no jobs, whose transaction runs the seal alone.
pub(crate) fn seal_pending(db: &sled::Db, trees: &super::Trees) -> Result<()> {
    use sled::Transactional as _;
    if !trees.chain().is_keyed() {
        // A tool opened the store without the server's keys: entries from
        // before the chain wait for the server, so they are chained with
        // the key `audit verify` checks them with.
        return Ok(());
    }
    use sled::transaction::{ConflictableTransactionError, TransactionError};
    let before = head_of(trees)?;
    let sealed = (&trees.audit, &trees.counters, &trees.audit_index).transaction(
        |(audit, counters, index)| {
            seal(audit, counters, index, &trees.chain())?
                .map_err(ConflictableTransactionError::Abort)
        },
    );
    match sealed {
        Ok(_) => {}
        Err(TransactionError::Abort(e)) => return Err(e),
        Err(TransactionError::Storage(e)) => return Err(e.into()),
    }
    let after = head_of(trees)?;
    if after != before {
        db.flush()?;
        tracing::info!(
            from = before.seq + 1,
            to = after.seq,
            "chained audit entries written before the chain"
        );
    }
    Ok(())
}

/// The chain's head as last committed.
pub(crate) fn head_of(trees: &super::Trees) -> Result<Head> {
    Ok(match trees.counters.get(HEAD_COUNTER)? {
        Some(bytes) => codec::decode(&bytes)?,
        None => Head::default(),
    })
}

impl Store {
    /// Every name the `staff` tree holds, for [`sync_staff`] to notice users
    /// gone from the users file (a transaction cannot iterate).
    pub(crate) fn staff_names(&self) -> Result<Vec<String>> {
        self.trees()
            .staff
            .iter()
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?).into_owned()))
            .collect()
    }
}

/// The hash of an entry as the wire shows it.
pub fn hash_hex(hash: &[u8]) -> String {
    debug_assert!(hash.is_empty() || hash.len() == HASH_BYTES);
    hex::encode(hash)
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

    fn keyed() -> crate::audit_chain::ChainKey {
        crate::audit_chain::ChainKey::new(&crate::secrets::Key([5; 32]))
    }

    fn keyed_secrets() -> std::sync::Arc<crate::secrets::Secrets> {
        let mut secrets = crate::secrets::Secrets::ephemeral().unwrap();
        secrets.audit = crate::secrets::Key([5; 32]);
        std::sync::Arc::new(secrets)
    }

    #[tokio::test]
    async fn entries_from_before_the_chain_are_chained_at_open_and_indexed() {
        use crate::store::{Store, StoreOptions, audit::*, codec, keys};
        let dir = tempfile::tempdir().unwrap();
        {
            // A store as the build before the chain left it: records of
            // layout 1 without sequence or hash, and a counter.
            let db = sled::open(dir.path()).unwrap();
            let audit = db.open_tree("audit").unwrap();
            for (seq, e) in [(1u64, entry("a")), (2, entry("b"))] {
                let mut r = AuditRecord::from_bytes(&super::encode(&e)).unwrap();
                r.seq = 0;
                audit.insert(keys::id(seq), r.to_bytes()).unwrap();
            }
            db.open_tree("counters")
                .unwrap()
                .insert(SEQ_COUNTER, codec::encode(&2u64).unwrap())
                .unwrap();
            db.flush().unwrap();
        }
        let store = loop {
            match Store::open_keyed(dir.path(), StoreOptions::default(), None, keyed_secrets()) {
                Err(crate::store::StoreError::Sled(sled::Error::Io(e)))
                    if e.to_string().contains("could not acquire lock") =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other.unwrap(),
            }
        };
        let head = store.audit_head().unwrap();
        assert_eq!(head.seq, 2);
        let first = store.audit_sealed(1).unwrap().unwrap();
        let link = keyed().link(&crate::audit_chain::GENESIS, 1, &first.entry);
        assert_eq!(first.hash, link.to_vec());
        assert_eq!(
            store.audit_sealed(2).unwrap().unwrap().hash,
            head.hash.to_vec()
        );
        // Then new entries link on, and the indexes hold the old ones too.
        let mut other = entry("c");
        other.case_id = 9;
        other.actor = "agent2".into();
        assert_eq!(store.audit(vec![other]).await.unwrap(), [3]);
        let by_case = store
            .audit_page(
                &AuditFilter {
                    case_id: Some(7),
                    ..Default::default()
                },
                None,
                10,
            )
            .unwrap();
        let seqs: Vec<u64> = by_case.entries.iter().map(|s| s.seq).collect();
        assert_eq!((seqs, by_case.next_before), (vec![2, 1], None));
        let page = store
            .audit_page(
                &AuditFilter {
                    actor: Some("agent1".into()),
                    ..Default::default()
                },
                None,
                1,
            )
            .unwrap();
        assert_eq!(page.entries[0].seq, 2);
        let rest = store
            .audit_page(
                &AuditFilter {
                    actor: Some("agent1".into()),
                    ..Default::default()
                },
                page.next_before,
                1,
            )
            .unwrap();
        assert_eq!(rest.entries[0].seq, 1);
        store.close().unwrap();
    }

    #[tokio::test]
    async fn staff_changes_are_recorded_once_each() {
        use crate::domain::staff::StaffRecord;
        let (_dir, store) = test_support::open();
        let agent = |role: Role| StaffRecord {
            name: "ali".into(),
            role,
            unit_id: String::new(),
        };
        assert_eq!(
            store
                .record_staff(vec![agent(Role::Agent)], 1)
                .await
                .unwrap(),
            [1]
        );
        assert!(
            store
                .record_staff(vec![agent(Role::Agent)], 2)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .record_staff(vec![agent(Role::Supervisor)], 3)
                .await
                .unwrap(),
            [2]
        );
        assert_eq!(store.record_staff(Vec::new(), 4).await.unwrap(), [3]);
        let reasons: Vec<String> = store
            .audit_entries(1, 10)
            .unwrap()
            .into_iter()
            .map(|(_, e)| {
                assert_eq!(
                    (e.action, e.actor.as_str()),
                    (AuditAction::RoleChanged, "system")
                );
                e.reason
            })
            .collect();
        assert_eq!(
            reasons,
            [
                "user ali: first seen with role agent",
                "user ali: role agent became role supervisor",
                "user ali: no longer in the users file (had role supervisor)",
            ]
        );
        assert!(store.staff_names().unwrap().is_empty());
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
