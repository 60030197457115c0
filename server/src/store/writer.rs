//! The one thread that writes cases.
//!
//! Handlers queue create requests; the thread takes whatever is queued (up to
//! [`MAX_BATCH`]), applies each in order as its own transaction, flushes once
//! for the whole batch (group commit), and only then answers every request.
//! One writer means idempotency checks and per-year counters never race, and
//! one flush per batch keeps many concurrent writers from each waiting on
//! `flush_async` (sled issue 1308).

use super::{Created, Result, StoreError, Trees, codec, keys, request_of};
use crate::domain::jalali::to_jalali;
use crate::domain::model::Case;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use tokio::sync::{mpsc, oneshot};

/// The most requests applied before one flush.
pub const MAX_BATCH: usize = 256;
/// Requests waiting beyond this make their senders wait: back-pressure
/// instead of unbounded memory.
const QUEUE: usize = 4096;

pub(crate) type Sender = mpsc::Sender<Job>;

#[derive(Debug)]
pub(crate) struct Job {
    case: Case,
    reply: oneshot::Sender<Result<Created>>,
}

impl Job {
    pub fn new(case: Case) -> (Self, oneshot::Receiver<Result<Created>>) {
        let (reply, rx) = oneshot::channel();
        (Self { case, reply }, rx)
    }
}

#[derive(Debug)]
pub(crate) struct Handle {
    sender: Sender,
    thread: std::thread::JoinHandle<()>,
}

impl Handle {
    pub fn spawn(db: sled::Db, trees: Trees, flush: bool) -> Result<Self> {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("desk137-writer".into())
            .spawn(move || run(&db, &trees, receiver, flush))
            .map_err(|e| StoreError::Sled(sled::Error::Io(e)))?;
        Ok(Self { sender, thread })
    }

    pub fn sender(&self) -> Sender {
        self.sender.clone()
    }

    /// Closes the queue and waits until every queued request is answered.
    pub fn join(self) {
        drop(self.sender);
        if self.thread.join().is_err() {
            tracing::error!("the writer thread panicked");
        }
    }
}

fn run(db: &sled::Db, trees: &Trees, mut receiver: mpsc::Receiver<Job>, flush: bool) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(job) = receiver.blocking_recv() {
        batch.push(job);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let results: Vec<Result<Created>> =
            batch.iter().map(|job| apply(trees, &job.case)).collect();
        // A replayed case needs the flush too: the request that made it may
        // have failed to flush and never been acknowledged.
        let flushed = if flush && results.iter().any(Result::is_ok) {
            db.flush().map(drop)
        } else {
            Ok(())
        };
        for (job, result) in batch.drain(..).zip(results) {
            let result = match (&flushed, result) {
                (Err(e), Ok(_)) => Err(StoreError::Sled(e.clone())),
                (_, result) => result,
            };
            // The requester may have gone away (a cancelled call); the case
            // stays written and a retry finds it by its request id.
            let _ = job.reply.send(result);
        }
    }
    if let Err(e) = db.flush() {
        tracing::error!(error = %e, "the last flush of the writer failed");
    }
}

enum Outcome {
    New(Case),
    Existing(Case),
}

type TxResult<T> = std::result::Result<T, ConflictableTransactionError<StoreError>>;

fn abort(e: impl Into<StoreError>) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e.into())
}

fn encode<T: serde::Serialize + ?Sized>(value: &T) -> TxResult<Vec<u8>> {
    codec::encode(value).map_err(abort)
}

fn read_counter<T: serde::de::DeserializeOwned + Default>(
    tree: &TransactionalTree,
    key: &[u8],
) -> TxResult<T> {
    match tree.get(key)? {
        Some(bytes) => codec::decode(&bytes).map_err(abort),
        None => Ok(T::default()),
    }
}

/// Writes one case and every index entry in one transaction, or finds the
/// case its request id already made.
fn apply(trees: &Trees, draft: &Case) -> Result<Created> {
    let year = to_jalali(draft.created_at_ms).year;
    let tx_trees = (
        &trees.cases,
        &trees.numbers,
        &trees.request_ids,
        &trees.by_phone,
        &trees.by_unit,
        &trees.by_status,
        &trees.by_creator,
        &trees.counters,
        &trees.topic_usage,
    );
    let outcome = tx_trees.transaction(
        |(
            cases,
            numbers,
            request_ids,
            by_phone,
            by_unit,
            by_status,
            by_creator,
            counters,
            topic_usage,
        )| {
            if let Some(bytes) = request_ids.get(draft.request_id.as_bytes())? {
                let id: u64 = codec::decode(&bytes).map_err(abort)?;
                let stored = cases.get(keys::id(id))?.ok_or_else(|| {
                    abort(StoreError::Corrupt(format!(
                        "request id points at missing case {id}"
                    )))
                })?;
                return Ok(Outcome::Existing(codec::decode(&stored).map_err(abort)?));
            }
            let id = read_counter::<u64>(counters, keys::CASE_ID_COUNTER)? + 1;
            let year_key = keys::year_counter(year);
            let seq = read_counter::<u32>(counters, &year_key)?
                .checked_add(1)
                .ok_or_else(|| abort(StoreError::SequenceExhausted(year)))?;
            let mut case = draft.clone();
            case.id = id;
            case.number = Case::format_number(year, seq);

            counters.insert(keys::CASE_ID_COUNTER, encode(&id)?)?;
            counters.insert(year_key, encode(&seq)?)?;
            cases.insert(&keys::id(id), encode(&case)?)?;
            numbers.insert(case.number.as_bytes(), encode(&id)?)?;
            request_ids.insert(case.request_id.as_bytes(), encode(&id)?)?;
            if !case.phone.is_empty() {
                by_phone.insert(keys::text_id(&case.phone, id), &[])?;
            }
            if !case.unit_id.is_empty() {
                by_unit.insert(keys::text_id(&case.unit_id, id), &[])?;
            }
            by_status.insert(&keys::status_id(case.status, id), &[])?;
            by_creator.insert(keys::text_id(&case.created_by, id), &[])?;
            let uses = read_counter::<u64>(topic_usage, case.topic_id.as_bytes())? + 1;
            topic_usage.insert(case.topic_id.as_bytes(), encode(&uses)?)?;
            Ok(Outcome::New(case))
        },
    );
    match outcome {
        Ok(Outcome::New(case)) => Ok(Created {
            case,
            replayed: false,
        }),
        Ok(Outcome::Existing(case)) if case.same_request(&request_of(draft)) => Ok(Created {
            case,
            replayed: true,
        }),
        Ok(Outcome::Existing(_)) => Err(StoreError::RequestIdConflict(draft.request_id.clone())),
        Err(TransactionError::Abort(e)) => Err(e),
        Err(TransactionError::Storage(e)) => Err(StoreError::Sled(e)),
    }
}
