//! The one thread that changes the store.
//!
//! Callers queue [`Mutation`]s; the thread takes whatever is queued (up to
//! [`MAX_BATCH`]), applies them in order in one transaction, flushes once
//! for the whole batch (group commit), hands the batch's changes to the
//! after-commit hook, and only then answers every job. One writer means
//! idempotency checks, per-year counters and read-modify-write never race,
//! and one flush per batch keeps many concurrent writers from each waiting
//! on `flush_async` (sled issue 1308).

use super::citizens;
use super::index::{Index, IndexEntry, case_index_keys, index_changes};
use super::mutation::{Applied, CaseChange, CommitHook, Committed, Mutation, RequestKey, Updated};
use super::mutation::{CitizenDone, CitizenJob};
use super::{Created, Result, StoreError, Trees, codec, keys, records};
use crate::domain::audit::{AuditAction, AuditEntry};
use crate::domain::event::Event;
use crate::domain::jalali::to_jalali;
use crate::domain::lifecycle::Opened;
use crate::domain::model::Case;
use crate::secrets::Secrets;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use tokio::sync::{mpsc, oneshot};

/// The most jobs applied before one flush.
pub const MAX_BATCH: usize = 256;
/// Jobs waiting beyond this make their senders wait: back-pressure instead
/// of unbounded memory.
const QUEUE: usize = 4096;

pub(crate) type Sender = mpsc::Sender<Job>;

/// Where the writer announces the audit chain's head once it is on disk.
pub(crate) type AuditHeads = tokio::sync::watch::Sender<crate::audit_chain::Head>;

#[derive(Debug)]
pub(crate) struct Job {
    mutation: Mutation,
    reply: oneshot::Sender<Result<Applied>>,
}

impl Job {
    pub fn new(mutation: Mutation) -> (Self, oneshot::Receiver<Result<Applied>>) {
        let (reply, rx) = oneshot::channel();
        (Self { mutation, reply }, rx)
    }
}

#[cfg(test)]
pub(crate) type FlushSeam = std::sync::Arc<dyn Fn(&sled::Db) -> sled::Result<()> + Send + Sync>;

/// How a batch is made durable.
#[derive(Clone)]
pub(crate) enum Flush {
    /// Not at all: only a benchmark comparison runs so.
    Off,
    Disk,
    /// Flushes through a test's function, which sees every flush.
    #[cfg(test)]
    Seam(FlushSeam),
}

impl Flush {
    fn run(&self, db: &sled::Db) -> sled::Result<()> {
        match self {
            Flush::Off => Ok(()),
            Flush::Disk => db.flush().map(drop),
            #[cfg(test)]
            Flush::Seam(f) => f(db),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Handle {
    sender: Sender,
    thread: std::thread::JoinHandle<()>,
}

impl Handle {
    pub fn spawn(
        db: sled::Db,
        trees: Trees,
        flush: Flush,
        hook: Option<CommitHook>,
        heads: AuditHeads,
    ) -> Result<Self> {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("desk137-writer".into())
            .spawn(move || run(&db, &trees, receiver, &flush, hook.as_ref(), &heads))
            .map_err(|e| StoreError::Sled(sled::Error::Io(e)))?;
        Ok(Self { sender, thread })
    }

    pub fn sender(&self) -> Sender {
        self.sender.clone()
    }

    /// Closes the queue and waits until every queued job is answered.
    pub fn join(self) {
        drop(self.sender);
        if self.thread.join().is_err() {
            tracing::error!("the writer thread panicked");
        }
    }
}

fn run(
    db: &sled::Db,
    trees: &Trees,
    mut receiver: mpsc::Receiver<Job>,
    flush: &Flush,
    hook: Option<&CommitHook>,
    heads: &AuditHeads,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(job) = receiver.blocking_recv() {
        batch.push(job);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mutations: Vec<&Mutation> = batch.iter().map(|job| &job.mutation).collect();
        let (results, committed) = apply_batch(trees, &mutations);
        // A replayed case needs the flush too: the request that made it may
        // have failed to flush and never been acknowledged.
        let flushed = if results.iter().any(Result::is_ok) {
            flush.run(db)
        } else {
            Ok(())
        };
        if flushed.is_ok() {
            // Only a durable head is announced: the checkpoint kept outside
            // the store must never run ahead of what a crash leaves.
            match super::audit::head_of(trees) {
                Ok(head) => {
                    heads.send_if_modified(|last| std::mem::replace(last, head) != head);
                }
                Err(e) => tracing::error!(error = %e, "the audit log's head is unreadable"),
            }
        }
        // A feed event of its own changes no case but must be published.
        let fed = results.iter().any(|r| matches!(r, Ok(Applied::Fed(_))));
        if let (Ok(()), Some(hook), true) = (&flushed, hook, fed || !committed.is_empty()) {
            // A failing hook must not take the writer down with it.
            let call = std::panic::AssertUnwindSafe(|| hook(&committed));
            if std::panic::catch_unwind(call).is_err() {
                tracing::error!("the after-commit hook panicked");
            }
        }
        for (job, result) in batch.drain(..).zip(results) {
            let result = match (&flushed, result) {
                (Err(e), Ok(_)) => Err(StoreError::Sled(e.clone())),
                (_, result) => result,
            };
            // The requester may have gone away (a cancelled call); the change
            // stays written and a retry finds it by its request id.
            let _ = job.reply.send(result);
        }
    }
    if let Err(e) = db.flush() {
        tracing::error!(error = %e, "the last flush of the writer failed");
    }
}

/// What one job of a batch came to.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    New(Case, Vec<Event>),
    /// The request id had made this case; `bool`: from the same content.
    Existing(Case, Vec<Event>, bool),
    Updated {
        before: Case,
        after: Case,
        first_seq: u32,
        appended: Vec<Event>,
    },
    Attached(super::attachments::Added),
    /// Audit entries written on their own, with their sequences.
    Audited(Vec<u64>),
    Citizen(CitizenDone),
    Rewrapped(u64),
    /// A feed event written on its own, with its sequence.
    Fed(u64),
    /// The request id had already made this change: the case as it is.
    Replayed(Case),
    /// This job fails alone; the rest of the batch goes on.
    Failed(StoreError),
}

type TxResult<T> = std::result::Result<T, ConflictableTransactionError<StoreError>>;

/// The trees every job may write, in the order of [`Trees::write_set`]:
/// these fifteen, then one per [`Index`] in [`Index::ALL`] order.
pub(crate) const FIXED_WRITE_TREES: usize = 15;

/// The view of the write trees inside one transaction.
struct Tx<'a> {
    cases: &'a TransactionalTree,
    events: &'a TransactionalTree,
    numbers: &'a TransactionalTree,
    request_ids: &'a TransactionalTree,
    counters: &'a TransactionalTree,
    topic_usage: &'a TransactionalTree,
    attachments: &'a TransactionalTree,
    audit: &'a TransactionalTree,
    audit_index: &'a TransactionalTree,
    staff: &'a TransactionalTree,
    citizens: &'a TransactionalTree,
    citizen_phones: &'a TransactionalTree,
    feed: &'a TransactionalTree,
    dashboard: &'a TransactionalTree,
    scorecards: &'a TransactionalTree,
    indexes: &'a [TransactionalTree],
    score: &'a crate::domain::score::ScoreConfig,
}

impl<'a> Tx<'a> {
    fn new(
        view: &'a [TransactionalTree],
        score: &'a crate::domain::score::ScoreConfig,
    ) -> Option<Self> {
        let [
            cases,
            events,
            numbers,
            request_ids,
            counters,
            topic_usage,
            attachments,
            audit,
            audit_index,
            staff,
            citizens,
            citizen_phones,
            feed,
            dashboard,
            scorecards,
            indexes @ ..,
        ] = view
        else {
            return None;
        };
        (indexes.len() == Index::ALL.len()).then_some(Self {
            cases,
            events,
            numbers,
            request_ids,
            counters,
            topic_usage,
            attachments,
            audit,
            audit_index,
            staff,
            citizens,
            citizen_phones,
            feed,
            dashboard,
            scorecards,
            indexes,
            score,
        })
    }

    fn index(&self, index: Index) -> &TransactionalTree {
        // In range: `new` checked there is one tree per index.
        &self.indexes[index.position()]
    }

    fn insert_keys(&self, entries: &[IndexEntry]) -> TxResult<()> {
        for (index, key) in entries {
            self.index(*index).insert(key.as_slice(), &[])?;
        }
        Ok(())
    }

    fn remove_keys(&self, entries: &[IndexEntry]) -> TxResult<()> {
        for (index, key) in entries {
            self.index(*index).remove(key.as_slice())?;
        }
        Ok(())
    }

    /// A case's head and timeline as stored, `None` if there is no case.
    /// A head of layout 1 brings its embedded timeline and says so.
    fn read_case(&self, id: u64) -> TxResult<Option<Result<StoredCase>>> {
        let Some(bytes) = self.cases.get(keys::id(id))? else {
            return Ok(None);
        };
        match records::decode_legacy_case(&bytes) {
            Ok(Some((case, events))) => {
                return Ok(Some(Ok(StoredCase {
                    case,
                    events,
                    legacy: true,
                })));
            }
            Ok(None) => {}
            Err(e) => return Ok(Some(Err(e.into()))),
        }
        let case = match records::decode_case(&bytes) {
            Ok(case) => case,
            Err(e) => return Ok(Some(Err(e.into()))),
        };
        let mut events = Vec::new();
        for seq in 0u32.. {
            let Some(bytes) = self.events.get(keys::event(id, seq))? else {
                break;
            };
            match records::decode_event(&bytes) {
                Ok(event) => events.push(event),
                Err(e) => return Ok(Some(Err(e.into()))),
            }
        }
        Ok(Some(Ok(StoredCase {
            case,
            events,
            legacy: false,
        })))
    }

    fn append_events(&self, id: u64, first_seq: u32, events: &[Event]) -> TxResult<()> {
        for (seq, event) in (first_seq..).zip(events) {
            self.events
                .insert(&keys::event(id, seq), records::encode_event(event))?;
        }
        Ok(())
    }
}

struct StoredCase {
    case: Case,
    events: Vec<Event>,
    /// The head is of layout 1: its events are not in the events tree yet.
    legacy: bool,
}

fn read_counter<T: serde::de::DeserializeOwned + Default>(
    tree: &TransactionalTree,
    key: &[u8],
) -> TxResult<Result<T>> {
    Ok(match tree.get(key)? {
        Some(bytes) => codec::decode(&bytes).map_err(StoreError::from),
        None => Ok(T::default()),
    })
}

/// Applies every job of a batch in one transaction: a create writes a case
/// and its index entries, or finds the case its request id already made
/// (also earlier in the same batch: the transaction reads its own writes);
/// an update reads the case, asks its change function for the new head and
/// events, and moves the index entries from the old head's to the new one's.
/// One transaction per batch, not per job: sled holds a lock over the whole
/// database during each transaction, so fewer, larger ones leave readers far
/// more room. A job that fails on its own fails alone, before it writes
/// anything. Returns each job's answer and, in order, what was committed.
pub(crate) fn apply_batch(
    trees: &Trees,
    mutations: &[&Mutation],
) -> (Vec<Result<Applied>>, Vec<Committed>) {
    // One set of keys for the whole batch: a rotation swaps them between
    // batches, never inside one.
    let secrets = trees.secrets.get();
    let outcomes = trees.write_set[..].transaction(|view: &Vec<TransactionalTree>| {
        let tx = Tx::new(view, &trees.score).ok_or_else(|| {
            ConflictableTransactionError::Abort(StoreError::Corrupt(
                "the writer's trees are not as it expects".into(),
            ))
        })?;
        let outcomes = mutations
            .iter()
            .map(|mutation| match mutation {
                Mutation::CreateCase(opened) => create(&tx, &secrets, opened),
                Mutation::Citizen(job) => citizen_job(&tx, job),
                Mutation::Rewrap(ids) => rewrap(&tx, &secrets, ids),
                Mutation::AddAttachment(a) => Ok(
                    match super::attachments::add(tx.attachments, tx.cases, a)? {
                        Ok(added) => Outcome::Attached(added),
                        Err(e) => Outcome::Failed(e),
                    },
                ),
                Mutation::UpdateCase {
                    id,
                    change,
                    request,
                    role,
                } => update(&tx, *id, change, request.as_ref(), *role),
                Mutation::Audit(entries) => Ok(
                    match super::audit::append(tx.audit, tx.counters, entries)? {
                        Ok(seqs) => Outcome::Audited(seqs),
                        Err(e) => Outcome::Failed(e),
                    },
                ),
                Mutation::SyncStaff {
                    staff,
                    seen_names,
                    at_ms,
                } => Ok(
                    match super::audit::sync_staff(
                        tx.staff,
                        tx.audit,
                        tx.counters,
                        staff,
                        seen_names,
                        *at_ms,
                    )? {
                        Ok(seqs) => Outcome::Audited(seqs),
                        Err(e) => Outcome::Failed(e),
                    },
                ),
                Mutation::Feed(record) => {
                    super::feed::append(tx.feed, tx.counters, std::slice::from_ref(record))
                        .map(Outcome::Fed)
                }
            })
            .collect::<TxResult<Vec<Outcome>>>()?;
        // Whatever this batch appended to the audit log is chained in the
        // same transaction, whoever appended it.
        super::audit::seal(tx.audit, tx.counters, tx.audit_index, &trees.chain())?
            .map_err(ConflictableTransactionError::Abort)?;
        Ok(outcomes)
    });
    let outcomes = match outcomes {
        Ok(outcomes) => outcomes,
        Err(TransactionError::Storage(e)) => {
            let results = mutations
                .iter()
                .map(|_| Err(StoreError::Sled(e.clone())))
                .collect();
            return (results, Vec::new());
        }
        Err(TransactionError::Abort(e)) => {
            let reason = e.to_string();
            let results = mutations
                .iter()
                .map(|_| Err(StoreError::Corrupt(reason.clone())))
                .collect();
            return (results, Vec::new());
        }
    };
    let mut committed = Vec::new();
    let results = outcomes
        .into_iter()
        .zip(mutations)
        .map(|(outcome, mutation)| match (outcome, mutation) {
            (Outcome::New(case, events), _) => {
                committed.push(Committed::CaseCreated {
                    case: case.clone(),
                    events: events.clone(),
                });
                Ok(Applied::Created(Created {
                    case,
                    events,
                    replayed: false,
                }))
            }
            (Outcome::Existing(case, events, true), _) => Ok(Applied::Created(Created {
                case,
                events,
                replayed: true,
            })),
            (Outcome::Existing(case, _, false), _) => {
                Err(StoreError::RequestIdConflict(case.request_id))
            }
            (
                Outcome::Updated {
                    before,
                    after,
                    first_seq,
                    appended,
                },
                _,
            ) => {
                committed.push(Committed::CaseUpdated {
                    before,
                    after: after.clone(),
                    first_seq,
                    appended: appended.clone(),
                });
                Ok(Applied::Updated(Updated {
                    case: after,
                    appended,
                    replayed: false,
                }))
            }
            (Outcome::Attached(added), _) => Ok(Applied::Attached(added)),
            (Outcome::Audited(seqs), _) => Ok(Applied::Audited(seqs)),
            (Outcome::Citizen(done), _) => Ok(Applied::Citizen(done)),
            (Outcome::Rewrapped(n), _) => Ok(Applied::Rewrapped(n)),
            (Outcome::Fed(seq), _) => Ok(Applied::Fed(seq)),
            (Outcome::Replayed(case), _) => Ok(Applied::Updated(Updated {
                case,
                appended: Vec::new(),
                replayed: true,
            })),
            (Outcome::Failed(e), _) => Err(e),
        })
        .collect();
    (results, committed)
}

/// One create of a batch, inside its transaction.
fn create(tx: &Tx<'_>, secrets: &Secrets, opened: &Opened) -> TxResult<Outcome> {
    let draft = &opened.case;
    // A request id belongs to the user who sent it: another user's key never
    // finds their case, so a replay cannot be used to test guesses about it.
    // Stores written before the scoping hold bare keys; one of those counts
    // only for its own creator.
    let scoped = keys::request(&draft.created_by, &draft.request_id);
    for (key, legacy) in [
        (scoped.as_slice(), false),
        (draft.request_id.as_bytes(), true),
    ] {
        let Some(bytes) = tx.request_ids.get(key)? else {
            continue;
        };
        let id: u64 = match codec::decode(&bytes) {
            Ok(id) => id,
            Err(e) => return Ok(Outcome::Failed(e.into())),
        };
        return Ok(match tx.read_case(id)? {
            Some(Ok(stored)) if legacy && stored.case.created_by != draft.created_by => continue,
            Some(Ok(stored)) => {
                // The stored case holds the citizen, not the number: a retry
                // is the same request if its number leads to that citizen.
                let citizen = if draft.phone.is_empty() {
                    None
                } else {
                    match citizens::lookup(tx.citizen_phones, secrets, &draft.phone)? {
                        Ok(found) => found,
                        Err(e) => return Ok(Outcome::Failed(e)),
                    }
                };
                let mut probe = draft.clone();
                probe.phone = stored.case.phone.clone();
                let same = stored.case.same_request(&probe.request())
                    && stored.case.citizen_id == citizen.unwrap_or_default();
                Outcome::Existing(stored.case, stored.events, same)
            }
            Some(Err(e)) => Outcome::Failed(e),
            None => Outcome::Failed(StoreError::Corrupt(format!(
                "request id points at missing case {id}"
            ))),
        });
    }
    let year = to_jalali(draft.created_at_ms).year;
    let year_key = keys::year_counter(year);
    // Everything that can fail on its own is worked out before any write.
    let last_id = match read_counter::<u64>(tx.counters, keys::CASE_ID_COUNTER)? {
        Ok(n) => n,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    let last_seq = match read_counter::<u32>(tx.counters, &year_key)? {
        Ok(n) => n,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    let uses = match read_counter::<u64>(tx.topic_usage, draft.topic_id.as_bytes())? {
        Ok(n) => n + 1,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    let id = last_id + 1;
    let Some(seq) = last_seq.checked_add(1) else {
        return Ok(Outcome::Failed(StoreError::SequenceExhausted(year)));
    };
    let mut case = draft.clone();
    case.id = id;
    case.number = Case::format_number(year, seq);
    if !case.phone.is_empty() {
        // The number leaves the case here: only its citizen keeps it, sealed.
        case.citizen_id =
            match citizens::find_or_create(tx.citizens, tx.citizen_phones, secrets, &case.phone)? {
                Ok(id) => id,
                Err(e) => return Ok(Outcome::Failed(e)),
            };
        case.phone = String::new();
    }
    let encoded = (|| {
        Ok::<_, codec::CodecError>((
            codec::encode(&id)?,
            codec::encode(&seq)?,
            codec::encode(&uses)?,
        ))
    })();
    let (id_value, seq_value, uses_value) = match encoded {
        Ok(values) => values,
        Err(e) => return Ok(Outcome::Failed(e.into())),
    };
    if let Err(e) = super::scorecards::apply(tx.scorecards, tx.score, None, &case)? {
        return Ok(Outcome::Failed(e));
    }
    tx.counters
        .insert(keys::CASE_ID_COUNTER, id_value.clone())?;
    tx.counters.insert(year_key, seq_value)?;
    tx.cases
        .insert(&keys::id(id), records::encode_case(&case))?;
    tx.append_events(id, 0, &opened.events)?;
    tx.numbers
        .insert(case.number.as_bytes(), id_value.clone())?;
    tx.request_ids.insert(scoped, id_value)?;
    tx.insert_keys(&case_index_keys(&case))?;
    tx.topic_usage
        .insert(case.topic_id.as_bytes(), uses_value)?;
    super::dashboard::on_create(tx.dashboard, &case, &opened.events)?;
    super::feed::append(
        tx.feed,
        tx.counters,
        &super::feed::for_create(&case, &opened.events),
    )?;
    Ok(Outcome::New(case, opened.events.clone()))
}

/// One update of a batch, inside its transaction.
fn update(
    tx: &Tx<'_>,
    id: u64,
    change: &(dyn Fn(&Case, &[Event]) -> Result<CaseChange> + Send),
    request: Option<&RequestKey>,
    role: Option<crate::domain::model::Role>,
) -> TxResult<Outcome> {
    let stored = match tx.read_case(id)? {
        Some(Ok(stored)) => stored,
        Some(Err(e)) => return Ok(Outcome::Failed(e)),
        None => return Ok(Outcome::Failed(StoreError::NotFound(id))),
    };
    if let Some(request) = request
        && let Some(bytes) = tx.request_ids.get(&request.key)?
    {
        return Ok(match codec::decode::<(u64, Vec<u8>)>(&bytes) {
            Ok((case_id, content)) if case_id == id && content == request.content => {
                Outcome::Replayed(stored.case)
            }
            // The id says nothing of what differs: the key is the sender's own.
            Ok(_) => Outcome::Failed(StoreError::RequestIdConflict(String::new())),
            Err(e) => Outcome::Failed(e.into()),
        });
    }
    let CaseChange {
        case: after,
        events: appended,
    } = match change(&stored.case, &stored.events) {
        Ok(change) => change,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    let before = stored.case;
    if (after.id, &after.number, &after.request_id)
        != (before.id, &before.number, &before.request_id)
    {
        return Ok(Outcome::Failed(StoreError::Refused(
            "an update may not change a case's id, number or request id".into(),
        )));
    }
    let Ok(first_seq) = u32::try_from(stored.events.len()) else {
        return Ok(Outcome::Failed(StoreError::Refused(format!(
            "case {id} has no room for more events"
        ))));
    };
    if let Err(e) = super::scorecards::apply(tx.scorecards, tx.score, Some(&before), &after)? {
        return Ok(Outcome::Failed(e));
    }
    if stored.legacy {
        // The head leaves layout 1: its embedded events move out first.
        tx.append_events(id, 0, &stored.events)?;
    }
    if let Some(last) = appended.last()
        && let Some(mark) =
            crate::domain::citizen::false_report_mark(&before, &after, last.at_ms, &last.actor)
        && let Err(e) = mark_false_report(tx, &after, mark, role)?
    {
        return Ok(Outcome::Failed(e));
    }
    let (removed, added) = index_changes(&before, &after);
    tx.remove_keys(&removed)?;
    tx.insert_keys(&added)?;
    tx.cases
        .insert(&keys::id(id), records::encode_case(&after))?;
    tx.append_events(id, first_seq, &appended)?;
    super::dashboard::on_update(tx.dashboard, &before, &after, &appended)?;
    super::feed::append(
        tx.feed,
        tx.counters,
        &super::feed::for_update(&after, &appended),
    )?;
    if let Some(request) = request {
        match codec::encode(&(id, &request.content)) {
            Ok(value) => {
                tx.request_ids.insert(request.key.as_slice(), value)?;
            }
            Err(e) => return Ok(Outcome::Failed(e.into())),
        }
    }
    Ok(Outcome::Updated {
        before,
        after,
        first_seq,
        appended,
    })
}

/// A false-report mark on the caller of `case`, and its audit entry.
fn mark_false_report(
    tx: &Tx<'_>,
    case: &Case,
    mark: crate::domain::citizen::FalseReport,
    role: Option<crate::domain::model::Role>,
) -> TxResult<Result<()>> {
    let mut stored = match citizens::read(tx.citizens, &case.citizen_id)? {
        Ok(Some(stored)) => stored,
        Ok(None) => {
            return Ok(Err(StoreError::Corrupt(format!(
                "case {} names a missing citizen",
                case.id
            ))));
        }
        Err(e) => return Ok(Err(e)),
    };
    let entry = AuditEntry {
        at_ms: mark.at_ms,
        actor: mark.by.clone(),
        role,
        action: AuditAction::FalseReportMarked,
        citizen_id: case.citizen_id.clone(),
        case_id: case.id,
        case_number: case.number.clone(),
        reason: mark.reason.clone(),
    };
    stored.citizen.false_reports.push(mark);
    tx.citizens
        .insert(case.citizen_id.as_bytes(), citizens::encode(&stored))?;
    Ok(super::audit::append(tx.audit, tx.counters, &[entry])?.map(drop))
}

/// A change to the citizen of a case, inside the batch's transaction.
fn citizen_job(tx: &Tx<'_>, job: &CitizenJob) -> TxResult<Outcome> {
    let case = match tx.read_case(job.case_id)? {
        Some(Ok(stored)) => stored.case,
        Some(Err(e)) => return Ok(Outcome::Failed(e)),
        None => return Ok(Outcome::Failed(StoreError::NotFound(job.case_id))),
    };
    // A case without a caller has no citizen to change: as missing.
    let mut stored = match citizens::read(tx.citizens, &case.citizen_id)? {
        Ok(Some(stored)) => stored,
        Ok(None) => return Ok(Outcome::Failed(StoreError::NotFound(job.case_id))),
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    if let Some(request) = &job.request
        && let Some(bytes) = tx.request_ids.get(&request.key)?
    {
        return Ok(match codec::decode::<(u64, Vec<u8>)>(&bytes) {
            Ok((case_id, content)) if case_id == job.case_id && content == request.content => {
                Outcome::Citizen(CitizenDone {
                    case,
                    citizen: stored.citizen,
                    replayed: true,
                })
            }
            Ok(_) => Outcome::Failed(StoreError::RequestIdConflict(String::new())),
            Err(e) => Outcome::Failed(e.into()),
        });
    }
    let change = match (job.change)(&case, &stored) {
        Ok(change) => change,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    if change.citizen.id != stored.citizen.id {
        return Ok(Outcome::Failed(StoreError::Refused(
            "a change may not give a citizen another id".into(),
        )));
    }
    if change.erase {
        // The key goes, and with it every copy of the sealed number; the
        // index entry goes too, so the number no longer finds this citizen.
        if !stored.phone_index.is_empty() {
            tx.citizen_phones.remove(stored.phone_index.as_slice())?;
        }
        stored.sealed = crate::crypto::Sealed::default();
        stored.phone_index = Vec::new();
    }
    stored.citizen = change.citizen;
    if let Err(e) = super::audit::append(tx.audit, tx.counters, &change.audit)? {
        return Ok(Outcome::Failed(e));
    }
    tx.citizens
        .insert(stored.citizen.id.as_bytes(), citizens::encode(&stored))?;
    if let Some(request) = &job.request {
        match codec::encode(&(job.case_id, &request.content)) {
            Ok(value) => {
                tx.request_ids.insert(request.key.as_slice(), value)?;
            }
            Err(e) => return Ok(Outcome::Failed(e.into())),
        }
    }
    Ok(Outcome::Citizen(CitizenDone {
        case,
        citizen: stored.citizen,
        replayed: false,
    }))
}

/// Re-wraps citizens' keys under the current wrapping key; those already
/// under it, or erased, are left alone, so a repeated batch does nothing.
fn rewrap(tx: &Tx<'_>, secrets: &Secrets, ids: &[String]) -> TxResult<Outcome> {
    let mut done = 0u64;
    for id in ids {
        let mut stored = match citizens::read(tx.citizens, id)? {
            Ok(Some(stored)) => stored,
            Ok(None) => continue,
            Err(e) => return Ok(Outcome::Failed(e)),
        };
        if stored.sealed.erased() || stored.sealed.version == secrets.current {
            continue;
        }
        stored.sealed = match crate::crypto::rewrap(secrets, id, &stored.sealed) {
            Ok(sealed) => sealed,
            Err(e) => return Ok(Outcome::Failed(e.into())),
        };
        tx.citizens
            .insert(id.as_bytes(), citizens::encode(&stored))?;
        done += 1;
    }
    Ok(Outcome::Rewrapped(done))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{case, open};
    use super::*;

    /// 2026-11-28, in Jalali year 1405.
    const AUTUMN_1405: i64 = 1_795_860_000_000;

    fn created(result: &Result<Applied>) -> &Created {
        match result {
            Ok(Applied::Created(c)) => c,
            other => panic!("not a create: {other:?}"),
        }
    }

    #[test]
    fn one_batch_replays_its_own_requests_and_a_conflict_fails_alone() {
        let (_dir, store) = open();
        let jobs = [
            Mutation::CreateCase(case("a", "09131234567", "u", AUTUMN_1405)),
            Mutation::CreateCase(case("a", "09131234567", "u", AUTUMN_1405 + 1)),
            Mutation::CreateCase(case("a", "09130000000", "u", AUTUMN_1405)),
            Mutation::CreateCase(case("b", "09131234567", "u", AUTUMN_1405)),
        ];
        let refs: Vec<&Mutation> = jobs.iter().collect();
        let (results, committed) = apply_batch(store.trees(), &refs);
        let made = created(&results[0]);
        assert_eq!(
            (made.case.id, made.case.number.as_str(), made.replayed),
            (1, "1405-000001", false)
        );
        let replayed = created(&results[1]);
        assert_eq!((replayed.case.id, replayed.replayed), (1, true));
        assert!(matches!(&results[2], Err(StoreError::RequestIdConflict(id)) if id == "a"));
        let next = created(&results[3]);
        assert_eq!(
            (next.case.id, next.case.number.as_str()),
            (2, "1405-000002")
        );
        // Only what changed is committed: no replay, no conflict.
        assert_eq!(
            committed.iter().map(Committed::case_id).collect::<Vec<_>>(),
            [1, 2]
        );
        assert_eq!(store.case_count(), 2);
        assert_eq!(store.get_case(2).unwrap().as_ref(), Some(&next.case));
        let usage: u64 =
            codec::decode(&store.trees().topic_usage.get("T1").unwrap().unwrap()).unwrap();
        assert_eq!(usage, 2);
    }

    use crate::domain::event::EventKind;
    use crate::domain::model::CaseStatus;
    use crate::store::{Store, StoreOptions};
    use std::sync::{Arc, Mutex};

    fn test_secrets() -> Arc<Secrets> {
        Arc::new(Secrets::ephemeral().unwrap())
    }

    fn acknowledge(case: &Case, _: &[Event]) -> Result<CaseChange> {
        let mut next = case.clone();
        next.status = CaseStatus::Acknowledged;
        Ok(CaseChange {
            case: next,
            events: vec![Event::new(
                AUTUMN_1405 + 60_000,
                "unit1",
                EventKind::Acknowledged,
                "",
            )],
        })
    }

    fn has(store: &Store, index: Index, key: &[u8]) -> bool {
        index.tree(store.trees()).contains_key(key).unwrap()
    }

    #[test]
    fn an_update_moves_its_index_entries_and_appends_its_events() {
        let (_dir, store) = open();
        let made = store
            .create_case_blocking(case("u", "09131234567", "r03-urban_services", AUTUMN_1405))
            .unwrap()
            .case;
        let id = made.id;
        let updated = store
            .update_case_blocking(id, |case, events| {
                let mut change = acknowledge(case, events)?;
                change.case.unit_id = "r04-urban_services".into();
                Ok(change)
            })
            .unwrap();
        assert_eq!(updated.case.status, CaseStatus::Acknowledged);
        assert_eq!(store.get_case(id).unwrap(), Some(updated.case.clone()));
        let old_unit = "r03-urban_services";
        let new_unit = "r04-urban_services";
        assert!(!has(
            &store,
            Index::Status,
            &keys::status_id(CaseStatus::Referred, id)
        ));
        assert!(has(
            &store,
            Index::Status,
            &keys::status_id(CaseStatus::Acknowledged, id)
        ));
        assert!(!has(
            &store,
            Index::UnitStatus,
            &keys::unit_status_id(old_unit, CaseStatus::Referred, id)
        ));
        assert!(has(
            &store,
            Index::UnitStatus,
            &keys::unit_status_id(new_unit, CaseStatus::Acknowledged, id)
        ));
        assert!(!has(&store, Index::Unit, &keys::text_id(old_unit, id)));
        assert!(has(&store, Index::Unit, &keys::text_id(new_unit, id)));
        assert!(has(
            &store,
            Index::Citizen,
            &keys::text_id(&made.citizen_id, id)
        ));
        // Exactly one entry per index, as a fresh create of the new head has.
        for index in Index::all() {
            let want = case_index_keys(&updated.case)
                .iter()
                .filter(|(i, _)| *i == index)
                .count();
            assert_eq!(index.tree(store.trees()).len(), want, "{index:?}");
        }
        let timeline = store.timeline(id).unwrap();
        assert_eq!(timeline.len(), 2);
        assert_eq!(timeline[1], updated.appended[0]);
        // The lists follow the new head.
        let queue = store
            .list_cases(
                &crate::store::CaseFilter {
                    unit_id: Some(new_unit.into()),
                    status: Some(CaseStatus::Acknowledged),
                    ..Default::default()
                },
                None,
                10,
            )
            .unwrap();
        assert_eq!(queue.cases, [updated.case]);
    }

    #[test]
    fn a_refused_or_missing_update_writes_nothing() {
        let (_dir, store) = open();
        let made = store
            .create_case_blocking(case("r", "09131234567", "r03-urban_services", AUTUMN_1405))
            .unwrap();
        let before = store.trees().by_status.iter().keys().count();
        let refused = store.update_case_blocking(made.case.id, |_, _| {
            Err(StoreError::Refused("not in this state".into()))
        });
        assert!(matches!(refused, Err(StoreError::Refused(m)) if m == "not in this state"));
        let renumbered = store.update_case_blocking(made.case.id, |case, _| {
            let mut case = case.clone();
            case.number = "1405-999999".into();
            Ok(CaseChange {
                case,
                events: vec![],
            })
        });
        assert!(matches!(renumbered, Err(StoreError::Refused(_))));
        assert!(matches!(
            store.update_case_blocking(99, acknowledge),
            Err(StoreError::NotFound(99))
        ));
        assert_eq!(store.get_case(made.case.id).unwrap(), Some(made.case));
        assert_eq!(store.timeline(1).unwrap(), made.events);
        assert_eq!(store.trees().by_status.iter().keys().count(), before);
    }

    #[test]
    fn updates_in_one_batch_read_each_others_writes() {
        let (_dir, store) = open();
        let jobs = [
            Mutation::CreateCase(case("a", "09131234567", "u", AUTUMN_1405)),
            Mutation::UpdateCase {
                id: 1,
                change: Box::new(acknowledge),
                request: None,
                role: None,
            },
            Mutation::UpdateCase {
                id: 1,
                change: Box::new(|case, events| {
                    // Sees the create and the first update of this batch.
                    assert_eq!(case.status, CaseStatus::Acknowledged);
                    assert_eq!(events.len(), 2);
                    let mut next = case.clone();
                    next.status = CaseStatus::OnSite;
                    Ok(CaseChange {
                        case: next,
                        events: vec![Event::new(AUTUMN_1405 + 1, "unit1", EventKind::OnSite, "")],
                    })
                }),
                request: None,
                role: None,
            },
        ];
        let refs: Vec<&Mutation> = jobs.iter().collect();
        let (results, committed) = apply_batch(store.trees(), &refs);
        assert!(results.iter().all(Result::is_ok));
        let seqs: Vec<(u64, Option<u32>)> = committed
            .iter()
            .map(|c| match c {
                Committed::CaseCreated { case, .. } => (case.id, None),
                Committed::CaseUpdated { first_seq, .. } => (c.case_id(), Some(*first_seq)),
            })
            .collect();
        assert_eq!(seqs, [(1, None), (1, Some(1)), (1, Some(2))]);
        let Committed::CaseUpdated { before, after, .. } = &committed[2] else {
            panic!("an update");
        };
        assert_eq!(
            (before.status, after.status),
            (CaseStatus::Acknowledged, CaseStatus::OnSite)
        );
        let t = store.trees();
        assert_eq!(t.by_status.len(), 1);
        assert_eq!(t.by_unit_status.len(), 1);
        assert!(
            t.by_status
                .contains_key(keys::status_id(CaseStatus::OnSite, 1))
                .unwrap()
        );
        assert_eq!(store.timeline(1).unwrap().len(), 3);
    }

    /// What the writer did, in order: flushes and hook calls.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Step {
        Flushed,
        FlushFailed,
        Hook(Vec<(u64, &'static str)>),
    }

    fn open_logged(
        dir: &std::path::Path,
        fail: Arc<std::sync::atomic::AtomicBool>,
    ) -> (Store, Arc<Mutex<Vec<Step>>>) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let flush_log = log.clone();
        let flush = Flush::Seam(Arc::new(move |db: &sled::Db| {
            if fail.load(std::sync::atomic::Ordering::SeqCst) {
                flush_log.lock().unwrap().push(Step::FlushFailed);
                return Err(sled::Error::Unsupported("the disk is gone".into()));
            }
            db.flush()?;
            flush_log.lock().unwrap().push(Step::Flushed);
            Ok(())
        }));
        let hook_log = log.clone();
        let hook: CommitHook = Arc::new(move |changes: &[Committed]| {
            let seen = changes
                .iter()
                .map(|c| match c {
                    Committed::CaseCreated { case, .. } => (case.id, "created"),
                    Committed::CaseUpdated { after, .. } => (after.id, "updated"),
                })
                .collect();
            hook_log.lock().unwrap().push(Step::Hook(seen));
        });
        let store = Store::open_inner(
            dir,
            StoreOptions::default(),
            flush,
            Some(hook),
            test_secrets(),
        )
        .unwrap();
        (store, log)
    }

    #[test]
    fn the_hook_sees_each_batch_after_its_flush_and_never_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (store, log) = open_logged(dir.path(), fail.clone());
        store
            .create_case_blocking(case("a", "09131234567", "u", AUTUMN_1405))
            .unwrap();
        store.update_case_blocking(1, acknowledge).unwrap();
        // A replay changes nothing: flushed, but nothing to report.
        assert!(
            store
                .create_case_blocking(case("a", "09131234567", "u", AUTUMN_1405))
                .unwrap()
                .replayed
        );
        // A refused update alone is not flushed and not reported.
        assert!(store.update_case_blocking(7, acknowledge).is_err());
        fail.store(true, std::sync::atomic::Ordering::SeqCst);
        let lost = store.create_case_blocking(case("b", "09131234567", "u", AUTUMN_1405));
        assert!(matches!(lost, Err(StoreError::Sled(_))));
        fail.store(false, std::sync::atomic::Ordering::SeqCst);
        store.close().unwrap();
        assert_eq!(
            *log.lock().unwrap(),
            [
                Step::Flushed,
                Step::Hook(vec![(1, "created")]),
                Step::Flushed,
                Step::Hook(vec![(1, "updated")]),
                Step::Flushed,
                Step::FlushFailed,
            ]
        );
    }

    #[test]
    fn the_hook_sees_every_change_in_commit_order() {
        let dir = tempfile::tempdir().unwrap();
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (store, log) = open_logged(dir.path(), fail);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        runtime.block_on(async {
            let tasks: Vec<_> = (0..64)
                .map(|i| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        let made = store
                            .create_case(case(&format!("c{i}"), "09131234567", "u", AUTUMN_1405))
                            .await
                            .unwrap();
                        store.update_case(made.case.id, acknowledge).await.unwrap();
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
        });
        store.close().unwrap();
        let log = log.lock().unwrap();
        let mut created = Vec::new();
        let mut acknowledged = std::collections::HashSet::new();
        for (i, step) in log.iter().enumerate() {
            let Step::Hook(changes) = step else { continue };
            // Every hook call comes right after a flush that succeeded.
            assert_eq!(log[i - 1], Step::Flushed);
            for (id, what) in changes {
                if *what == "created" {
                    created.push(*id);
                } else {
                    // An update is reported after its case's create.
                    assert!(created.contains(id));
                    assert!(acknowledged.insert(*id));
                }
            }
        }
        // Ids are given in commit order, so the creates come out 1, 2, 3, ...
        assert_eq!(created, (1..=64).collect::<Vec<u64>>());
        assert_eq!(acknowledged.len(), 64);
    }

    #[test]
    fn jobs_queued_during_a_flush_share_the_next_one_and_are_answered_after_it() {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        use std::sync::mpsc as std_mpsc;
        use std::time::Duration;

        let dir = tempfile::tempdir().unwrap();
        let (entered_tx, entered) = std_mpsc::channel::<()>();
        let (release, release_rx) = std_mpsc::channel::<()>();
        let release_rx = Mutex::new(release_rx);
        let flushes = Arc::new(AtomicUsize::new(0));
        let second_flush_done = Arc::new(AtomicBool::new(false));
        let (count, done) = (flushes.clone(), second_flush_done.clone());
        // The first flush holds the writer until the test lets it go.
        let flush = Flush::Seam(Arc::new(move |db: &sled::Db| {
            let n = count.fetch_add(1, Ordering::SeqCst);
            if n == 0 {
                let _ = entered_tx.send(());
                let _ = release_rx
                    .lock()
                    .unwrap()
                    .recv_timeout(Duration::from_secs(30));
            }
            db.flush()?;
            if n == 1 {
                done.store(true, Ordering::SeqCst);
            }
            Ok(())
        }));
        let store = Store::open_inner(
            dir.path(),
            StoreOptions::default(),
            flush,
            None,
            test_secrets(),
        )
        .unwrap();
        let first = {
            let store = store.clone();
            std::thread::spawn(move || {
                store.create_case_blocking(case("first", "09131234567", "u", AUTUMN_1405))
            })
        };
        entered.recv_timeout(Duration::from_secs(30)).unwrap();
        let waiting: Vec<_> = (0..10)
            .map(|i| {
                let (store, done) = (store.clone(), second_flush_done.clone());
                std::thread::spawn(move || {
                    let made = store
                        .create_case_blocking(case(
                            &format!("w{i}"),
                            "09131234567",
                            "u",
                            AUTUMN_1405,
                        ))
                        .unwrap();
                    // Answered only once the batch holding it is on disk.
                    assert!(done.load(Ordering::SeqCst));
                    made.case.id
                })
            })
            .collect();
        let sender = store.writer_sender().unwrap();
        while QUEUE - sender.capacity() < 10 {
            std::thread::yield_now();
        }
        release.send(()).unwrap();
        assert_eq!(first.join().unwrap().unwrap().case.id, 1);
        let mut ids: Vec<u64> = waiting.into_iter().map(|t| t.join().unwrap()).collect();
        ids.sort_unstable();
        assert_eq!(ids, (2..=11).collect::<Vec<u64>>());
        // Ten jobs, one flush: the group commit.
        assert_eq!(flushes.load(Ordering::SeqCst), 2);
        drop(sender);
        store.close().unwrap();
    }
}
