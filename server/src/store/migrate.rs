//! Rewrites the case heads of layout 1 (timeline embedded, postcard) into
//! layout 2 (protobuf head, events in the events tree), once, at open.
//!
//! Each case moves in one transaction with its events, so a crash leaves it
//! either wholly old or wholly new; a run after the crash skips the heads
//! already new and goes on. Only when every head is new and on disk does the
//! marker go into the counters, and a store with the marker is not walked
//! again. Reads do not depend on the migration having finished: the decoder
//! of layout 1 stays registered.

use super::{Result, StoreError, Trees, codec, keys, records};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

/// Set in the counters tree once every case head is of layout 2.
pub const MARKER: &[u8] = b"layout:cases:2";

/// Cases rewritten per transaction.
pub const BATCH: usize = 1_000;

/// Migrates what needs it and sets the marker; a no-op on a migrated store.
pub(crate) fn migrate(db: &sled::Db, trees: &Trees) -> Result<()> {
    if trees.counters.contains_key(MARKER)? {
        return Ok(());
    }
    let began = std::time::Instant::now();
    let moved = migrate_batches(trees, BATCH, None)?;
    db.flush()?;
    trees.counters.insert(MARKER, codec::encode(&moved)?)?;
    db.flush()?;
    if moved > 0 {
        tracing::info!(
            cases = moved,
            seconds = began.elapsed().as_secs_f64(),
            "rewrote the cases of layout 1 into layout 2"
        );
    }
    Ok(())
}

/// Rewrites the layout-1 heads in transactions of `batch` cases, at most
/// `max_batches` of them when given (a test stops part way, as a crash
/// would). Returns how many cases it rewrote.
pub(crate) fn migrate_batches(
    trees: &Trees,
    batch: usize,
    max_batches: Option<usize>,
) -> Result<u64> {
    let mut moved = 0u64;
    let mut batches = 0usize;
    let mut pending: Vec<(u64, Vec<u8>, Vec<(u32, Vec<u8>)>)> = Vec::with_capacity(batch);
    let mut cases = trees.cases.iter();
    loop {
        let entry = cases.next().transpose()?;
        if let Some((key, value)) = &entry {
            let id = keys::id_suffix(key)
                .ok_or_else(|| StoreError::Corrupt("a case key that is not an id".into()))?;
            if let Some((case, events)) = records::decode_legacy_case(value)? {
                let events = (0u32..)
                    .zip(&events)
                    .map(|(seq, e)| (seq, records::encode_event(e)))
                    .collect();
                pending.push((id, records::encode_case(&case), events));
            }
        }
        let full = pending.len() >= batch.max(1);
        if (full || entry.is_none()) && !pending.is_empty() {
            write(trees, &pending)?;
            moved += pending.len() as u64;
            pending.clear();
            batches += 1;
            if max_batches.is_some_and(|max| batches >= max) {
                return Ok(moved);
            }
        }
        if entry.is_none() {
            return Ok(moved);
        }
    }
}

#[allow(clippy::type_complexity)]
fn write(trees: &Trees, pending: &[(u64, Vec<u8>, Vec<(u32, Vec<u8>)>)]) -> Result<()> {
    (&trees.cases, &trees.events)
        .transaction(|(cases, events)| {
            for (id, head, timeline) in pending {
                for (seq, value) in timeline {
                    events.insert(&keys::event(*id, *seq), value.as_slice())?;
                }
                cases.insert(&keys::id(*id), head.as_slice())?;
            }
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        })
        .map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Sled(e),
        })
}
