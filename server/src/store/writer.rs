//! The one thread that writes cases.
//!
//! Handlers queue create requests; the thread takes whatever is queued (up to
//! [`MAX_BATCH`]), applies them in order in one transaction, flushes once
//! for the whole batch (group commit), and only then answers every request.
//! One writer means idempotency checks and per-year counters never race, and
//! one flush per batch keeps many concurrent writers from each waiting on
//! `flush_async` (sled issue 1308).

use super::{Created, Result, StoreError, Trees, codec, keys};
use crate::domain::event::Event;
use crate::domain::jalali::to_jalali;
use crate::domain::lifecycle::Opened;
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
    case: Opened,
    reply: oneshot::Sender<Result<Created>>,
}

impl Job {
    pub fn new(case: Opened) -> (Self, oneshot::Receiver<Result<Created>>) {
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
        let drafts: Vec<&Opened> = batch.iter().map(|job| &job.case).collect();
        let results = apply_batch(trees, &drafts);
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

/// What one request of a batch came to.
enum Outcome {
    New(Case, Vec<Event>),
    Existing(Case, Vec<Event>),
    /// This request fails alone; the rest of the batch goes on.
    Failed(StoreError),
}

type TxResult<T> = std::result::Result<T, ConflictableTransactionError<StoreError>>;

/// The view of every tree a create writes, inside one transaction.
type TxTrees = (
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
    TransactionalTree,
);

fn read_counter<T: serde::de::DeserializeOwned + Default>(
    tree: &TransactionalTree,
    key: &[u8],
) -> TxResult<std::result::Result<T, StoreError>> {
    Ok(match tree.get(key)? {
        Some(bytes) => codec::decode(&bytes).map_err(StoreError::from),
        None => Ok(T::default()),
    })
}

/// Writes every case of a batch and all their index entries in one
/// transaction, or finds the case a request id already made (also earlier
/// in the same batch: the transaction reads its own writes). One
/// transaction per batch, not per case: sled holds a lock over the whole
/// database during each transaction, so fewer, larger ones leave readers
/// far more room. A request that fails on its own (a reused request id,
/// an exhausted year) fails alone, before it writes anything.
fn apply_batch(trees: &Trees, drafts: &[&Opened]) -> Vec<Result<Created>> {
    let tx_trees = (
        &trees.cases,
        &trees.events,
        &trees.numbers,
        &trees.request_ids,
        &trees.by_phone,
        &trees.by_unit,
        &trees.by_status,
        &trees.by_unit_status,
        &trees.by_creator,
        &trees.counters,
        &trees.topic_usage,
    );
    let outcomes = tx_trees.transaction(|tx: &TxTrees| {
        drafts
            .iter()
            .map(|draft| apply_one(tx, draft))
            .collect::<TxResult<Vec<Outcome>>>()
    });
    match outcomes {
        Ok(outcomes) => outcomes
            .into_iter()
            .zip(drafts)
            .map(|(outcome, draft)| match outcome {
                Outcome::New(case, events) => Ok(Created {
                    case,
                    events,
                    replayed: false,
                }),
                Outcome::Existing(case, events) if case.same_request(&draft.case.request()) => {
                    Ok(Created {
                        case,
                        events,
                        replayed: true,
                    })
                }
                Outcome::Existing(..) => {
                    Err(StoreError::RequestIdConflict(draft.case.request_id.clone()))
                }
                Outcome::Failed(e) => Err(e),
            })
            .collect(),
        Err(TransactionError::Storage(e)) => drafts
            .iter()
            .map(|_| Err(StoreError::Sled(e.clone())))
            .collect(),
        // Nothing aborts the batch's transaction; were it to, every request fails.
        Err(TransactionError::Abort(e)) => {
            let reason = e.to_string();
            drafts
                .iter()
                .map(|_| Err(StoreError::Corrupt(reason.clone())))
                .collect()
        }
    }
}

/// One case of a batch, inside its transaction.
fn apply_one(tx: &TxTrees, opened: &Opened) -> TxResult<Outcome> {
    let draft = &opened.case;
    let (
        cases,
        events,
        numbers,
        request_ids,
        by_phone,
        by_unit,
        by_status,
        by_unit_status,
        by_creator,
        counters,
        topic_usage,
    ) = tx;
    if let Some(bytes) = request_ids.get(draft.request_id.as_bytes())? {
        let id: u64 = match codec::decode(&bytes) {
            Ok(id) => id,
            Err(e) => return Ok(Outcome::Failed(e.into())),
        };
        let Some(stored) = cases.get(keys::id(id))? else {
            return Ok(Outcome::Failed(StoreError::Corrupt(format!(
                "request id points at missing case {id}"
            ))));
        };
        let case: Case = match codec::decode(&stored) {
            Ok(case) => case,
            Err(e) => return Ok(Outcome::Failed(e.into())),
        };
        let mut timeline = Vec::new();
        for seq in 0u32.. {
            let Some(bytes) = events.get(keys::event(id, seq))? else {
                break;
            };
            match codec::decode(&bytes) {
                Ok(event) => timeline.push(event),
                Err(e) => return Ok(Outcome::Failed(e.into())),
            }
        }
        return Ok(Outcome::Existing(case, timeline));
    }
    let year = to_jalali(draft.created_at_ms).year;
    let year_key = keys::year_counter(year);
    // Everything that can fail on its own is worked out before any write.
    let last_id = match read_counter::<u64>(counters, keys::CASE_ID_COUNTER)? {
        Ok(n) => n,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    let last_seq = match read_counter::<u32>(counters, &year_key)? {
        Ok(n) => n,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    let uses = match read_counter::<u64>(topic_usage, draft.topic_id.as_bytes())? {
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
    let encoded = (|| {
        Ok::<_, codec::CodecError>((
            codec::encode(&id)?,
            codec::encode(&seq)?,
            codec::encode(&case)?,
            codec::encode(&uses)?,
            opened
                .events
                .iter()
                .map(codec::encode)
                .collect::<std::result::Result<Vec<_>, _>>()?,
        ))
    })();
    let (id_value, seq_value, case_value, uses_value, event_values) = match encoded {
        Ok(values) => values,
        Err(e) => return Ok(Outcome::Failed(e.into())),
    };

    counters.insert(keys::CASE_ID_COUNTER, id_value.clone())?;
    counters.insert(year_key, seq_value)?;
    cases.insert(&keys::id(id), case_value)?;
    for (seq, value) in (0u32..).zip(event_values) {
        events.insert(&keys::event(id, seq), value)?;
    }
    numbers.insert(case.number.as_bytes(), id_value.clone())?;
    request_ids.insert(case.request_id.as_bytes(), id_value)?;
    if !case.phone.is_empty() {
        by_phone.insert(keys::text_id(&case.phone, id), &[])?;
    }
    if !case.unit_id.is_empty() {
        by_unit.insert(keys::text_id(&case.unit_id, id), &[])?;
        by_unit_status.insert(keys::unit_status_id(&case.unit_id, case.status, id), &[])?;
    }
    by_status.insert(&keys::status_id(case.status, id), &[])?;
    by_creator.insert(keys::text_id(&case.created_by, id), &[])?;
    topic_usage.insert(case.topic_id.as_bytes(), uses_value)?;
    Ok(Outcome::New(case, opened.events.clone()))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{case, open};
    use super::*;

    /// 2026-11-28, in Jalali year 1405.
    const AUTUMN_1405: i64 = 1_795_860_000_000;

    #[test]
    fn one_batch_replays_its_own_requests_and_a_conflict_fails_alone() {
        let (_dir, store) = open();
        let a = case("a", "09131234567", "u", AUTUMN_1405);
        let retry = case("a", "09131234567", "u", AUTUMN_1405 + 1);
        let other = case("a", "09130000000", "u", AUTUMN_1405);
        let b = case("b", "09131234567", "u", AUTUMN_1405);
        let results = apply_batch(store.trees(), &[&a, &retry, &other, &b]);
        let made = results[0].as_ref().unwrap();
        assert_eq!(
            (made.case.id, made.case.number.as_str(), made.replayed),
            (1, "1405-000001", false)
        );
        let replayed = results[1].as_ref().unwrap();
        assert_eq!((replayed.case.id, replayed.replayed), (1, true));
        assert!(matches!(&results[2], Err(StoreError::RequestIdConflict(id)) if id == "a"));
        let next = results[3].as_ref().unwrap();
        assert_eq!(
            (next.case.id, next.case.number.as_str()),
            (2, "1405-000002")
        );
        assert_eq!(store.case_count(), 2);
        assert_eq!(store.get_case(2).unwrap().as_ref(), Some(&next.case));
        let usage: u64 =
            codec::decode(&store.trees().topic_usage.get("T1").unwrap().unwrap()).unwrap();
        assert_eq!(usage, 2);
    }
}
