//! Cases, their indexes and the catalog on disk, in sled.
//!
//! One tree per record kind or index (see [`Trees`]); keys are big-endian
//! ([`keys`]). Case heads and events are protobuf behind a layout byte
//! ([`records`]), which survives added fields; older layouts keep a decoder
//! ([`legacy`]) and are rewritten once at open ([`migrate`]). Counters and
//! catalog rows are a version byte and postcard ([`codec`]). A case's
//! timeline is its own tree, keyed by case and sequence, so a change appends
//! events and rewrites only the small head.
//!
//! Every change goes through one writer thread ([`writer`]) as a
//! [`Mutation`]: it applies the queued jobs in order, read-modify-write in
//! one transaction per batch, so idempotency checks, number sequences and
//! updates never race, then flushes once for the whole batch, calls the
//! after-commit hook, and answers. A change is acknowledged only once it is
//! on disk. Which index entries a case has is decided once ([`index`]).
//! Reads go straight to sled from the caller's thread.
//!
//! The store knows nothing of gRPC: a load generator or a crash test can drive
//! it through [`Store::create_case_blocking`], [`Store::get_case`],
//! [`Store::list_cases`] and [`Store::caller_history`].

pub mod attachments;
pub mod audit;
pub mod callbacks;
pub mod citizens;
pub mod codec;
pub mod dashboard;
pub mod feed;
pub mod index;
pub mod keys;
pub mod records;

mod catalog;
mod legacy;
mod migrate;
mod mutation;
mod query;
mod scorecards;
mod writer;

pub use catalog::ImportOutcome;
pub use mutation::{
    Applied, CaseChange, CaseChangeFn, CitizenChange, CitizenChangeFn, CitizenDone, CitizenJob,
    CommitHook, Committed, Mutation, RequestKey, Updated,
};
pub use query::{CallerHistory, CaseFilter, CasePage};

use crate::domain::catalog::CatalogError;
use crate::domain::event::Event;
use crate::domain::lifecycle::Opened;
use crate::domain::model::Case;
use codec::CodecError;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Default cap of sled's page cache.
pub const DEFAULT_CACHE_CAPACITY_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Sled(#[from] sled::Error),
    #[error("a stored record is unreadable: {0}")]
    Corrupt(String),
    /// The request id already made a case from other content.
    #[error("request_id {0:?} was already used for a case with other content")]
    RequestIdConflict(String),
    #[error("the case numbers of year {0} are exhausted")]
    SequenceExhausted(i32),
    #[error("the store is closed")]
    Closed,
    #[error("no case has id {0}")]
    NotFound(u64),
    /// The attachments directory.
    #[error("attachment files: {0}")]
    Files(#[from] std::io::Error),
    /// A change refused to apply to the case as it is; nothing was written.
    #[error("the change was refused: {0}")]
    Refused(String),
    #[error("catalog: {0}")]
    Catalog(#[from] CatalogError),
    /// The move a change function worked out was refused; nothing was written.
    #[error(transparent)]
    Move(#[from] crate::domain::move_case::MoveError),
    /// A sealed number does not open, or a key is missing.
    #[error("citizen data: {0}")]
    Crypto(#[from] crate::crypto::CryptoError),
    /// A change to a citizen refused by the domain; nothing was written.
    #[error(transparent)]
    Citizen(#[from] crate::domain::citizen::CitizenError),
    #[error("the server's keys: {0}")]
    Secrets(String),
}

impl From<CodecError> for StoreError {
    fn from(e: CodecError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy)]
pub struct StoreOptions {
    /// Cap of sled's page cache in bytes.
    pub cache_capacity_bytes: u64,
    /// Flush before acknowledging a write. Only a benchmark comparison turns
    /// this off: without it an acknowledged case can be lost in a crash.
    pub flush: bool,
    /// The score settings the scorecard tallies are kept under.
    pub score: crate::domain::score::ScoreConfig,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            cache_capacity_bytes: DEFAULT_CACHE_CAPACITY_BYTES,
            flush: true,
            score: crate::domain::score::ScoreConfig::default(),
        }
    }
}

/// The outcome of a create request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub case: Case,
    /// The case's timeline, oldest first.
    pub events: Vec<Event>,
    /// The request id had already made this case; nothing new was written.
    pub replayed: bool,
}

/// Every tree of the store, opened once.
#[derive(Debug, Clone)]
pub(crate) struct Trees {
    /// id → Case
    pub cases: sled::Tree,
    /// id + sequence (u32) → Event: a case's timeline, oldest first
    pub events: sled::Tree,
    /// case number → id
    pub numbers: sled::Tree,
    /// request id → id
    pub request_ids: sled::Tree,
    /// Every tree a writer job may write, in the order its transaction
    /// view holds them (see `writer::Tx`).
    pub write_set: Vec<sled::Tree>,
    /// phone + 0 + id → (): only in a store written before citizens
    /// existed, until the migration empties it.
    pub by_phone: sled::Tree,
    /// citizen id + 0 + id → (): a citizen's cases
    pub by_citizen: sled::Tree,
    /// citizen id → CitizenRecord: see [`citizens`]
    pub citizens: sled::Tree,
    /// HMAC of the number → citizen id
    pub citizen_phones: sled::Tree,
    /// The keys that seal citizens' numbers and key their index.
    pub secrets: crate::secrets::SharedSecrets,
    /// unit id + 0 + id → ()
    pub by_unit: sled::Tree,
    /// status code + id → ()
    pub by_status: sled::Tree,
    /// unit id + 0 + status code + id → ()
    pub by_unit_status: sled::Tree,
    /// user name + 0 + id → ()
    pub by_creator: sled::Tree,
    /// next due time + id → (): see [`keys::due_id`]
    pub by_due: sled::Tree,
    /// counter name → u64 or u32
    pub counters: sled::Tree,
    /// topic id → u64
    pub topic_usage: sled::Tree,
    /// position → Topic
    pub topics: sled::Tree,
    /// position → Region
    pub regions: sled::Tree,
    /// position → Unit
    pub units: sled::Tree,
    /// case id + SHA-256 → Attachment
    pub attachments: sled::Tree,
    /// sequence → AuditEntry: the audit log, see [`audit`]
    pub audit: sled::Tree,
    /// the audit log by case, citizen and actor, see [`audit`]
    pub audit_index: sled::Tree,
    /// user name → role and unit as last seen, see [`audit::sync_staff`]
    pub staff: sled::Tree,
    /// feed sequence → feed record: the feed's history, see [`feed`]
    pub feed: sled::Tree,
    /// the supervisors' figures, see [`dashboard`]
    pub dashboard: sled::Tree,
    /// quarter + unit id → Tally: see [`scorecards`]
    pub scorecards: sled::Tree,
    /// class + call due + id → (): the call-back queue, see [`callbacks`]
    pub by_call_back: sled::Tree,
    /// The settings the tallies in `scorecards` are kept under.
    pub score: crate::domain::score::ScoreConfig,
}

impl Trees {
    /// The key the writer chains audit entries with: the server's audit key.
    pub fn chain(&self) -> crate::audit_chain::ChainKey {
        crate::audit_chain::ChainKey::new(&self.secrets.get().audit)
    }

    fn open(db: &sled::Db, secrets: Arc<crate::secrets::Secrets>) -> Result<Self> {
        let mut trees = Self {
            write_set: Vec::new(),
            secrets: crate::secrets::SharedSecrets::new(secrets),
            by_citizen: db.open_tree("by_citizen")?,
            citizens: db.open_tree("citizens")?,
            citizen_phones: db.open_tree("citizen_phones")?,
            cases: db.open_tree("cases")?,
            events: db.open_tree("events")?,
            numbers: db.open_tree("numbers")?,
            request_ids: db.open_tree("request_ids")?,
            by_phone: db.open_tree("by_phone")?,
            by_unit: db.open_tree("by_unit")?,
            by_status: db.open_tree("by_status")?,
            by_unit_status: db.open_tree("by_unit_status")?,
            by_creator: db.open_tree("by_creator")?,
            by_due: db.open_tree("by_due")?,
            counters: db.open_tree("counters")?,
            topic_usage: db.open_tree("topic_usage")?,
            topics: db.open_tree("topics")?,
            regions: db.open_tree("regions")?,
            units: db.open_tree("units")?,
            attachments: db.open_tree("attachments")?,
            audit: db.open_tree("audit")?,
            audit_index: db.open_tree("audit_index")?,
            staff: db.open_tree("staff")?,
            feed: db.open_tree("feed")?,
            dashboard: db.open_tree("dashboard")?,
            scorecards: db.open_tree("scorecards")?,
            by_call_back: db.open_tree("by_call_back")?,
            score: crate::domain::score::ScoreConfig::default(),
        };
        let mut write_set = vec![
            trees.cases.clone(),
            trees.events.clone(),
            trees.numbers.clone(),
            trees.request_ids.clone(),
            trees.counters.clone(),
            trees.topic_usage.clone(),
            trees.attachments.clone(),
            trees.audit.clone(),
            trees.audit_index.clone(),
            trees.staff.clone(),
            trees.citizens.clone(),
            trees.citizen_phones.clone(),
            trees.feed.clone(),
            trees.dashboard.clone(),
            trees.scorecards.clone(),
        ];
        debug_assert_eq!(write_set.len(), writer::FIXED_WRITE_TREES);
        write_set.extend(index::Index::all().map(|i| i.tree(&trees).clone()));
        trees.write_set = write_set;
        Ok(trees)
    }
}

/// The store. Cheap to clone; every clone shares one database and one writer.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    db: sled::Db,
    trees: Trees,
    writer: Mutex<Option<writer::Handle>>,
    files: attachments::files::Files,
    audit_heads: writer::AuditHeads,
}

impl Store {
    /// Opens (or creates) the store in directory `path` and starts its writer
    /// thread. Fails if another process has the directory open. A store of
    /// an older layout is brought up to date first.
    pub fn open(path: &Path, options: StoreOptions) -> Result<Self> {
        Self::open_with(path, options, None)
    }

    /// [`Store::open`] with an after-commit hook: the writer calls it after
    /// each batch is on disk, with what the batch changed, in commit order
    /// (see [`CommitHook`]).
    pub fn open_with(path: &Path, options: StoreOptions, hook: Option<CommitHook>) -> Result<Self> {
        let secrets =
            crate::secrets::Secrets::load_or_create(&crate::secrets::Secrets::default_path(path))
                .map_err(|e| StoreError::Secrets(e.to_string()))?;
        Self::open_keyed(path, options, hook, Arc::new(secrets))
    }

    /// [`Store::open_with`] with the server's keys given: a key file kept
    /// elsewhere than beside the store, or a demo's keys in memory.
    pub fn open_keyed(
        path: &Path,
        options: StoreOptions,
        hook: Option<CommitHook>,
        secrets: Arc<crate::secrets::Secrets>,
    ) -> Result<Self> {
        let flush = if options.flush {
            writer::Flush::Disk
        } else {
            writer::Flush::Off
        };
        Self::open_inner(path, options, flush, hook, secrets)
    }

    fn open_inner(
        path: &Path,
        options: StoreOptions,
        flush: writer::Flush,
        hook: Option<CommitHook>,
        secrets: Arc<crate::secrets::Secrets>,
    ) -> Result<Self> {
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(options.cache_capacity_bytes)
            .open()?;
        let mut trees = Trees::open(&db, secrets)?;
        trees.score = options.score.sane();
        migrate::migrate(&db, &trees)?;
        migrate::move_phones_out(&db, &trees, migrate::PHONE_BATCH, None)?;
        // Entries from before the chain (or a batch whose seal never ran)
        // are chained before anything new is appended.
        audit::seal_pending(&db, &trees)?;
        let audit_heads = tokio::sync::watch::Sender::new(audit::head_of(&trees)?);
        scorecards::recount_once(&db, &trees, &trees.score, scorecards::RECOUNT_BATCH, None)?;
        index::build_once(
            &db,
            &trees,
            index::Index::UnitStatus,
            keys::UNIT_STATUS_INDEX_BUILT,
        )?;
        dashboard::build_once(&db, &trees)?;
        // After sled's lock is taken: the files' cleanup must not run under
        // a server that has the store open.
        let files = attachments::files::Files::open(&path.join("attachments"))?;
        let writer =
            writer::Handle::spawn(db.clone(), trees.clone(), flush, hook, audit_heads.clone())?;
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                trees,
                writer: Mutex::new(Some(writer)),
                files,
                audit_heads,
            }),
        })
    }

    pub(crate) fn trees(&self) -> &Trees {
        &self.inner.trees
    }

    /// The keys of the moment: a rotation may swap them while the store
    /// serves.
    pub fn secrets(&self) -> Arc<crate::secrets::Secrets> {
        self.inner.trees.secrets.get()
    }

    /// Makes `secrets` the keys every reader and the writer use from now on.
    pub fn set_secrets(&self, secrets: Arc<crate::secrets::Secrets>) {
        self.inner.trees.secrets.set(secrets);
    }

    fn writer_sender(&self) -> Result<writer::Sender> {
        let guard = self.inner.writer.lock().map_err(|_| StoreError::Closed)?;
        guard.as_ref().map(|w| w.sender()).ok_or(StoreError::Closed)
    }

    async fn submit(&self, mutation: Mutation) -> Result<Applied> {
        let (job, reply) = writer::Job::new(mutation);
        self.writer_sender()?
            .send(job)
            .await
            .map_err(|_| StoreError::Closed)?;
        reply.await.map_err(|_| StoreError::Closed)?
    }

    fn submit_blocking(&self, mutation: Mutation) -> Result<Applied> {
        let (job, reply) = writer::Job::new(mutation);
        self.writer_sender()?
            .blocking_send(job)
            .map_err(|_| StoreError::Closed)?;
        reply.blocking_recv().map_err(|_| StoreError::Closed)?
    }

    /// Writes a new case, or finds the one its request id already made.
    ///
    /// `case` is complete but for `id` and `number`, which the writer gives it:
    /// the next id, and the next number in the Jalali year of `created_at_ms`.
    /// The case and its indexes are on disk when this returns `Ok` (unless the
    /// store was opened with `flush: false`). A request id that already made a
    /// case from the same content returns that case with `replayed`; from other
    /// content, [`StoreError::RequestIdConflict`].
    pub async fn create_case(&self, case: Opened) -> Result<Created> {
        created(self.submit(Mutation::CreateCase(case)).await?)
    }

    /// [`Store::create_case`] for code outside an async runtime (a load
    /// generator, a crash test). Must not be called from inside one.
    pub fn create_case_blocking(&self, case: Opened) -> Result<Created> {
        created(self.submit_blocking(Mutation::CreateCase(case))?)
    }

    /// Changes case `id`: the writer reads its head and timeline inside the
    /// batch's transaction, `change` works out the new head and the events to
    /// append, and the index entries move from the old head's to the new
    /// one's in the same transaction. Returns the new head and the appended
    /// events once they are on disk. A missing case is
    /// [`StoreError::NotFound`]; an `Err` from `change` comes back as is,
    /// with nothing written. `change` may run more than once (see
    /// [`CaseChangeFn`]).
    pub async fn update_case<F>(&self, id: u64, change: F) -> Result<Updated>
    where
        F: Fn(&Case, &[Event]) -> Result<CaseChange> + Send + 'static,
    {
        self.update_case_once(id, None, change).await
    }

    /// [`Store::update_case`] for a person's request: with `request`, the
    /// request id is recorded in the same transaction, and a retry with the
    /// same content answers the case as it is with `replayed` and changes
    /// nothing; with other content, [`StoreError::RequestIdConflict`].
    pub async fn update_case_once<F>(
        &self,
        id: u64,
        request: Option<RequestKey>,
        change: F,
    ) -> Result<Updated>
    where
        F: Fn(&Case, &[Event]) -> Result<CaseChange> + Send + 'static,
    {
        self.update_case_as(id, request, None, change).await
    }

    /// [`Store::update_case_once`] by a person of `role`, named in the audit
    /// entries the change earns (a false-report mark on the citizen).
    pub async fn update_case_as<F>(
        &self,
        id: u64,
        request: Option<RequestKey>,
        role: Option<crate::domain::model::Role>,
        change: F,
    ) -> Result<Updated>
    where
        F: Fn(&Case, &[Event]) -> Result<CaseChange> + Send + 'static,
    {
        let change: CaseChangeFn = Box::new(change);
        updated(
            self.submit(Mutation::UpdateCase {
                id,
                change,
                request,
                role,
            })
            .await?,
        )
    }

    /// Changes the citizen of a case through the writer, with the audit
    /// entries the change carries, in one transaction. A case without a
    /// citizen is [`StoreError::NotFound`], as a missing case is.
    pub async fn change_citizen(&self, job: CitizenJob) -> Result<CitizenDone> {
        match self.submit(Mutation::Citizen(job)).await? {
            Applied::Citizen(done) => Ok(done),
            _ => Err(StoreError::Corrupt(
                "the writer answered a citizen change with something else".into(),
            )),
        }
    }

    /// Re-wraps the keys of these citizens under the current wrapping key.
    pub fn rewrap_blocking(&self, ids: Vec<String>) -> Result<u64> {
        match self.submit_blocking(Mutation::Rewrap(ids))? {
            Applied::Rewrapped(n) => Ok(n),
            _ => Err(StoreError::Corrupt(
                "the writer answered a rewrap with something else".into(),
            )),
        }
    }

    /// Audit entries written on their own, for code outside a runtime.
    pub fn audit_blocking(
        &self,
        entries: Vec<crate::domain::audit::AuditEntry>,
    ) -> Result<Vec<u64>> {
        match self.submit_blocking(Mutation::Audit(entries))? {
            Applied::Audited(seqs) => Ok(seqs),
            _ => Err(StoreError::Corrupt(
                "the writer answered an audit with something else".into(),
            )),
        }
    }

    /// The earliest entry of the deadline index: when the SLA worker must
    /// wake next, and for which case.
    pub fn next_due(&self) -> Result<Option<(i64, u64)>> {
        Ok(match self.trees().by_due.first()? {
            Some((key, _)) => keys::due_of(&key).zip(keys::id_suffix(&key)),
            None => None,
        })
    }

    /// The entries of the deadline index due at or before `now`, earliest
    /// first, at most `limit` of them.
    pub fn due_until(&self, now: i64, limit: usize) -> Result<Vec<(i64, u64)>> {
        let end = keys::due_id(now, u64::MAX);
        let mut due = Vec::new();
        for entry in self.trees().by_due.range(..=end.as_slice()).take(limit) {
            let (key, _) = entry?;
            if let Some(pair) = keys::due_of(&key).zip(keys::id_suffix(&key)) {
                due.push(pair);
            }
        }
        Ok(due)
    }

    /// The ids of every open case, for the one start-up pass that recomputes
    /// clocks after the service levels changed.
    pub fn open_case_ids(&self) -> Result<Vec<u64>> {
        let mut ids = Vec::new();
        for status in crate::domain::model::CaseStatus::all().filter(|s| s.is_open()) {
            for entry in self
                .trees()
                .by_status
                .scan_prefix(keys::status_prefix(status))
            {
                let (key, _) = entry?;
                ids.extend(keys::id_suffix(&key));
            }
        }
        Ok(ids)
    }

    /// A value of the store's meta (the counters tree), by name.
    pub fn meta(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .trees()
            .counters
            .get(format!("meta:{name}"))?
            .map(|v| v.to_vec()))
    }

    /// Sets a meta value and makes it durable.
    pub fn set_meta(&self, name: &str, value: &[u8]) -> Result<()> {
        self.trees()
            .counters
            .insert(format!("meta:{name}"), value)?;
        self.inner.db.flush()?;
        Ok(())
    }

    /// [`Store::update_case`] for code outside an async runtime.
    pub fn update_case_blocking<F>(&self, id: u64, change: F) -> Result<Updated>
    where
        F: Fn(&Case, &[Event]) -> Result<CaseChange> + Send + 'static,
    {
        let change: CaseChangeFn = Box::new(change);
        updated(self.submit_blocking(Mutation::UpdateCase {
            id,
            change,
            request: None,
            role: None,
        })?)
    }

    /// The case with this id.
    pub fn get_case(&self, id: u64) -> Result<Option<Case>> {
        match self.trees().cases.get(keys::id(id))? {
            Some(bytes) => Ok(Some(records::decode_case(&bytes)?)),
            None => Ok(None),
        }
    }

    /// The timeline of the case with this id, oldest first.
    pub fn timeline(&self, id: u64) -> Result<Vec<Event>> {
        let events = self
            .trees()
            .events
            .scan_prefix(keys::id(id))
            .map(|entry| {
                let (_, value) = entry?;
                Ok(records::decode_event(&value)?)
            })
            .collect::<Result<Vec<_>>>()?;
        if !events.is_empty() {
            return Ok(events);
        }
        // A head of layout 1 not yet rewritten still holds its timeline.
        match self.trees().cases.get(keys::id(id))? {
            Some(bytes) => Ok(records::decode_legacy_case(&bytes)?
                .map(|(_, events)| events)
                .unwrap_or_default()),
            None => Ok(events),
        }
    }

    /// The case with this number (`1405-000123`).
    pub fn get_case_by_number(&self, number: &str) -> Result<Option<Case>> {
        match self.trees().numbers.get(number.as_bytes())? {
            Some(bytes) => self.get_case(codec::decode(&bytes)?),
            None => Ok(None),
        }
    }

    /// How many cases the store holds. Walks the whole tree: for tools and
    /// tests, not for a request path.
    pub fn case_count(&self) -> usize {
        self.trees().cases.len()
    }

    /// Writes everything still in memory to disk.
    pub fn flush(&self) -> Result<()> {
        self.inner.db.flush()?;
        Ok(())
    }

    /// Stops the writer once it has answered every queued request, then
    /// flushes. Creating a case afterwards fails with [`StoreError::Closed`];
    /// reads still work until the last clone is dropped.
    pub fn close(&self) -> Result<()> {
        let writer = self
            .inner
            .writer
            .lock()
            .map_err(|_| StoreError::Closed)?
            .take();
        if let Some(writer) = writer {
            writer.join();
        }
        self.flush()
    }
}

fn created(applied: Applied) -> Result<Created> {
    match applied {
        Applied::Created(created) => Ok(created),
        _ => Err(StoreError::Corrupt(
            "the writer answered a create with something else".into(),
        )),
    }
}

fn updated(applied: Applied) -> Result<Updated> {
    match applied {
        Applied::Updated(updated) => Ok(updated),
        _ => Err(StoreError::Corrupt(
            "the writer answered an update with something else".into(),
        )),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::domain::event::EventKind;
    use crate::domain::model::{CaseStatus, Channel, Kind, Urgency};
    use crate::domain::sla::Deadlines;

    /// Opens a store just closed in this process. sled's background threads
    /// may hold the directory's lock a moment after the last handle is gone.
    pub fn reopen(path: &std::path::Path) -> Store {
        for _ in 0..100 {
            match Store::open(path, StoreOptions::default()) {
                Err(StoreError::Sled(sled::Error::Io(e)))
                    if e.to_string().contains("could not acquire lock") =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other.unwrap(),
            }
        }
        panic!("the store stays locked after it was closed");
    }

    pub fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        (dir, store)
    }

    /// A case as the intake would make it, before the writer numbers it.
    pub fn case(request_id: &str, phone: &str, unit: &str, at_ms: i64) -> Opened {
        let case = Case {
            id: 0,
            number: String::new(),
            request_id: request_id.into(),
            channel: Channel::Phone,
            kind: Kind::Executive,
            urgency: Urgency::Normal,
            topic_id: "T1".into(),
            description: "چراغ کوچه خاموش است".into(),
            phone: phone.into(),
            region: 3,
            address: "خیابان چهارباغ".into(),
            landmark: String::new(),
            unit_id: unit.into(),
            coordination: false,
            status: CaseStatus::Referred,
            created_at_ms: at_ms,
            created_by: "agent1".into(),
            deadlines: Deadlines::default(),
            revision: 0,
            escalation_level: 0,
            promised_ms: 0,
            follow_up: String::new(),
            reject_kind: None,
            duplicate_of: String::new(),
            transferred_to: String::new(),
            resume_to: None,
            clocks: Default::default(),
            delay_reason: None,
            next_due_ms: 0,
            citizen_id: String::new(),
            shahrban: false,
            feedback: Default::default(),
        };
        Opened {
            case,
            events: vec![Event::new(at_ms, "agent1", EventKind::Registered, "")],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{case, open};
    use super::*;

    /// 2026-11-28, in Jalali year 1405.
    const AUTUMN_1405: i64 = 1_795_860_000_000;
    /// 2027-03-22, in Jalali year 1406.
    const SPRING_1406: i64 = 1_805_700_000_000;

    #[tokio::test]
    async fn numbers_follow_the_jalali_year_and_ids_never_repeat() {
        let (_dir, store) = open();
        let a = store
            .create_case(case("a", "09131234567", "r03-urban_services", AUTUMN_1405))
            .await
            .unwrap();
        let b = store
            .create_case(case("b", "09131234567", "r03-urban_services", AUTUMN_1405))
            .await
            .unwrap();
        let c = store
            .create_case(case("c", "09131234567", "r03-urban_services", SPRING_1406))
            .await
            .unwrap();
        assert_eq!((a.case.id, b.case.id, c.case.id), (1, 2, 3));
        assert_eq!(a.case.number, "1405-000001");
        assert_eq!(b.case.number, "1405-000002");
        assert_eq!(c.case.number, "1406-000001");
        assert_eq!(
            store.get_case_by_number("1405-000002").unwrap(),
            Some(b.case.clone())
        );
        assert_eq!(store.get_case(3).unwrap(), Some(c.case));
        assert_eq!(store.get_case(4).unwrap(), None);
    }

    #[tokio::test]
    async fn a_retry_replays_and_other_content_conflicts() {
        let (_dir, store) = open();
        let first = store
            .create_case(case("same", "09131234567", "u", AUTUMN_1405))
            .await
            .unwrap();
        assert!(!first.replayed);
        // A retry comes later, so its clock reads later: still the same request.
        let again = store
            .create_case(case("same", "09131234567", "u", AUTUMN_1405 + 5_000))
            .await
            .unwrap();
        assert!(again.replayed);
        assert_eq!(again.case, first.case);
        let other = store
            .create_case(case("same", "09130000000", "u", AUTUMN_1405))
            .await;
        assert!(matches!(other, Err(StoreError::RequestIdConflict(id)) if id == "same"));
        assert_eq!(store.case_count(), 1);
    }

    #[tokio::test]
    async fn every_index_points_at_the_record() {
        let (_dir, store) = open();
        let made = store
            .create_case(case("i", "09131234567", "r03-urban_services", AUTUMN_1405))
            .await
            .unwrap()
            .case;
        let t = store.trees();
        let id = made.id;
        // The case names its citizen; the number is nowhere in clear.
        assert_eq!(made.phone, "");
        assert!(
            t.by_citizen
                .contains_key(keys::text_id(&made.citizen_id, id))
                .unwrap()
        );
        assert!(t.by_phone.is_empty());
        let citizen = store.citizen(&made.citizen_id).unwrap().unwrap();
        assert_eq!(
            store.open_number(&citizen).unwrap().as_deref(),
            Some("09131234567")
        );
        assert!(
            t.by_unit
                .contains_key(keys::text_id("r03-urban_services", id))
                .unwrap()
        );
        assert!(
            t.by_status
                .contains_key(keys::status_id(made.status, id))
                .unwrap()
        );
        assert!(
            t.by_unit_status
                .contains_key(keys::unit_status_id("r03-urban_services", made.status, id))
                .unwrap()
        );
        assert!(
            t.by_creator
                .contains_key(keys::text_id("agent1", id))
                .unwrap()
        );
        let by_request: u64 = codec::decode(
            &t.request_ids
                .get(keys::request("agent1", "i"))
                .unwrap()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(by_request, id);
        let by_number: u64 = codec::decode(&t.numbers.get(&made.number).unwrap().unwrap()).unwrap();
        assert_eq!(by_number, id);
        let usage: u64 = codec::decode(&t.topic_usage.get("T1").unwrap().unwrap()).unwrap();
        assert_eq!(usage, 1);
        for tree in [&t.cases, &t.events] {
            for entry in tree.iter() {
                let (_, value) = entry.unwrap();
                assert_eq!(value[0], records::LAYOUT);
            }
        }
        for tree in [&t.numbers, &t.request_ids, &t.counters, &t.topic_usage] {
            for entry in tree.iter() {
                let (_, value) = entry.unwrap();
                assert_eq!(value[0], codec::VERSION);
            }
        }
    }

    #[tokio::test]
    async fn a_case_without_phone_or_unit_has_no_such_index_entry() {
        let (_dir, store) = open();
        store
            .create_case(case("s", "", "", AUTUMN_1405))
            .await
            .unwrap();
        assert!(store.trees().by_citizen.is_empty());
        assert_eq!(store.citizen_count(), 0);
        assert!(store.trees().by_unit.is_empty());
        assert_eq!(store.trees().by_status.len(), 1);
    }

    #[test]
    fn a_store_from_before_the_unit_status_index_gets_it_on_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
            for (i, unit) in ["r03-urban_services", "", "r03-urban_services"]
                .iter()
                .enumerate()
            {
                let mut c = case(&format!("old{i}"), "09131234567", unit, AUTUMN_1405);
                if i == 2 {
                    c.case.status = crate::domain::model::CaseStatus::Closed;
                }
                store.create_case_blocking(c).unwrap();
            }
            // As a store written before the index existed.
            store.trees().by_unit_status.clear().unwrap();
            store
                .trees()
                .counters
                .remove(keys::UNIT_STATUS_INDEX_BUILT)
                .unwrap();
            store.close().unwrap();
        }
        let store = test_support::reopen(dir.path());
        assert_eq!(store.trees().by_unit_status.len(), 2);
        let open = store
            .list_cases(
                &CaseFilter {
                    unit_id: Some("r03-urban_services".into()),
                    open_only: true,
                    ..CaseFilter::default()
                },
                None,
                10,
            )
            .unwrap();
        assert_eq!(open.cases.iter().map(|c| c.id).collect::<Vec<_>>(), [1]);
        assert!(
            store
                .trees()
                .counters
                .contains_key(keys::UNIT_STATUS_INDEX_BUILT)
                .unwrap()
        );
    }

    #[test]
    fn cases_survive_reopening_and_the_blocking_api_works_outside_a_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let made = {
            let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
            let made = store
                .create_case_blocking(case("r", "09131234567", "u", AUTUMN_1405))
                .unwrap();
            store.close().unwrap();
            assert!(matches!(
                store.create_case_blocking(case("r2", "09131234567", "u", AUTUMN_1405)),
                Err(StoreError::Closed)
            ));
            made.case
        };
        let store = test_support::reopen(dir.path());
        assert_eq!(store.get_case(made.id).unwrap(), Some(made.clone()));
        let next = store
            .create_case_blocking(case("r3", "09131234567", "u", AUTUMN_1405))
            .unwrap();
        assert_eq!(next.case.id, made.id + 1);
        assert_eq!(next.case.number, "1405-000002");
    }
}
