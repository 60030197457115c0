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
    if moved == 0 {
        // Nothing to make durable first. The marker reaches the disk with the
        // next flush; lost in a crash before it, the next open walks again.
        trees.counters.insert(MARKER, codec::encode(&moved)?)?;
        return Ok(());
    }
    db.flush()?;
    trees.counters.insert(MARKER, codec::encode(&moved)?)?;
    db.flush()?;
    {
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
    let mut pending: Vec<Rewrite> = Vec::with_capacity(batch);
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
                pending.push(Rewrite {
                    id,
                    head: records::encode_case(&case),
                    events,
                });
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

/// One case's head and events in layout 2, encoded.
struct Rewrite {
    id: u64,
    head: Vec<u8>,
    events: Vec<(u32, Vec<u8>)>,
}

fn write(trees: &Trees, pending: &[Rewrite]) -> Result<()> {
    (&trees.cases, &trees.events)
        .transaction(|(cases, events)| {
            for rewrite in pending {
                for (seq, value) in &rewrite.events {
                    events.insert(&keys::event(rewrite.id, *seq), value.as_slice())?;
                }
                cases.insert(&keys::id(rewrite.id), rewrite.head.as_slice())?;
            }
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        })
        .map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Sled(e),
        })
}

/// Set in the counters tree once no case holds a number and the old
/// `by_phone` index is gone.
pub const PHONES_MARKER: &[u8] = b"citizens:phones_moved";

/// Cases whose number moves out per transaction.
pub const PHONE_BATCH: usize = 500;

/// Moves every case's number into its citizen record, sealed, and the case
/// to its citizen's id, in transactions of `batch` cases; then empties the
/// old index of numbers and sets the marker. A crash in between leaves each
/// case wholly old or wholly new, and the next open goes on with those still
/// holding a number: the citizen a number already has is found through the
/// index written in the same transaction, so no number gets two citizens.
/// `max_batches` stops part way, as a crash would (for tests). Returns how
/// many cases moved.
pub(crate) fn move_phones_out(
    db: &sled::Db,
    trees: &Trees,
    batch: usize,
    max_batches: Option<usize>,
) -> Result<u64> {
    if trees.counters.contains_key(PHONES_MARKER)? {
        return Ok(0);
    }
    let began = std::time::Instant::now();
    let mut moved = 0u64;
    let mut batches = 0usize;
    let mut pending: Vec<crate::domain::model::Case> = Vec::with_capacity(batch);
    let mut cases = trees.cases.iter();
    loop {
        let entry = cases.next().transpose()?;
        if let Some((_, value)) = &entry {
            let case = records::decode_case(value)?;
            if !case.phone.is_empty() {
                pending.push(case);
            }
        }
        let full = pending.len() >= batch.max(1);
        if (full || entry.is_none()) && !pending.is_empty() {
            move_batch(trees, &pending)?;
            db.flush()?;
            moved += pending.len() as u64;
            pending.clear();
            batches += 1;
            tracing::info!(
                cases = moved,
                "moved numbers out of cases into citizen records"
            );
            if max_batches.is_some_and(|max| batches >= max) {
                return Ok(moved);
            }
        }
        if entry.is_none() {
            break;
        }
    }
    trees.by_phone.clear()?;
    db.flush()?;
    trees
        .counters
        .insert(PHONES_MARKER, codec::encode(&moved)?)?;
    db.flush()?;
    if moved > 0 {
        tracing::info!(
            cases = moved,
            seconds = began.elapsed().as_secs_f64(),
            "every number is in its citizen record; the old index of numbers is gone"
        );
    }
    Ok(moved)
}

fn move_batch(trees: &Trees, pending: &[crate::domain::model::Case]) -> Result<()> {
    use super::citizens;
    (
        &trees.cases,
        &trees.citizens,
        &trees.citizen_phones,
        &trees.by_citizen,
    )
        .transaction(|(cases, people, phones, by_citizen)| {
            for case in pending {
                let id =
                    citizens::find_or_create(people, phones, &trees.secrets.get(), &case.phone)?
                        .map_err(ConflictableTransactionError::Abort)?;
                let mut next = case.clone();
                next.phone = String::new();
                next.citizen_id = id;
                by_citizen.insert(keys::text_id(&next.citizen_id, next.id), &[])?;
                cases.insert(&keys::id(next.id), records::encode_case(&next))?;
            }
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        })
        .map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Sled(e),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Event, EventKind};
    use crate::domain::model::Case;
    use crate::store::legacy::{self, OldCase, OldEvent};
    use crate::store::mutation::CaseChange;
    use crate::store::test_support::case;
    use crate::store::{Store, StoreOptions};
    use serde_json::{Value, json};
    use std::path::Path;

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    /// A case and its timeline in the shape the first builds read them,
    /// worked out apart from the decoder: each step by its code's name, the
    /// unit of a referral or coordination back in the note.
    /// The first layout's code named two states and two kinds by the names
    /// they had then; the fixture keeps those names.
    fn first_layout_status(status: crate::domain::model::CaseStatus) -> String {
        use crate::domain::model::CaseStatus;
        match status {
            CaseStatus::Resolved => "Done".into(),
            CaseStatus::Rejected => "FalseReport".into(),
            other => format!("{other:?}"),
        }
    }

    fn first_layout_action(action: &str) -> &str {
        match action {
            "resolved" => "done",
            "rejected" => "false_report",
            other => other,
        }
    }

    fn as_first_layout(case: &Case, events: &[Event]) -> Value {
        json!({
            "id": case.id,
            "number": case.number,
            "request_id": case.request_id,
            "channel": format!("{:?}", case.channel),
            "kind": format!("{:?}", case.kind),
            "urgency": format!("{:?}", case.urgency),
            "topic_id": case.topic_id,
            "description": case.description,
            "phone": case.phone,
            "region": case.region,
            "address": case.address,
            "landmark": case.landmark,
            "unit_id": case.unit_id,
            "coordination": case.coordination,
            "status": first_layout_status(case.status),
            "created_at_ms": case.created_at_ms,
            "created_by": case.created_by,
            "deadlines": {
                "first_response_ms": case.deadlines.first_response_ms,
                "on_site_ms": case.deadlines.on_site_ms,
                "result_ms": case.deadlines.result_ms,
            },
            "events": events.iter().map(|e| json!({
                "at_ms": e.at_ms,
                "actor": e.actor,
                "action": first_layout_action(e.kind.code().as_str()),
                "note": e.kind.unit_id().map_or_else(|| e.note.clone(), str::to_owned),
            })).collect::<Vec<_>>(),
        })
    }

    fn fixture() -> (tempfile::TempDir, std::path::PathBuf, Vec<Value>) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/store-v1");
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        copy_dir(&root.join("store"), &store);
        let cases: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(root.join("cases.json")).unwrap())
                .unwrap();
        (dir, store, cases)
    }

    fn assert_reads_as(store: &Store, expected: &[Value]) {
        assert_eq!(store.case_count(), expected.len());
        for want in expected {
            let id = want["id"].as_u64().unwrap();
            let case = store.get_case(id).unwrap().unwrap();
            let timeline = store.timeline(id).unwrap();
            // The number now lives sealed in the citizen record alone.
            assert_eq!(case.phone, "");
            let mut whole = case.clone();
            whole.phone = store
                .citizen(&case.citizen_id)
                .unwrap()
                .and_then(|c| store.open_number(&c).unwrap())
                .unwrap_or_default();
            assert_eq!(&as_first_layout(&whole, &timeline), want, "case {id}");
            let number = want["number"].as_str().unwrap();
            assert_eq!(store.get_case_by_number(number).unwrap(), Some(case));
        }
    }

    #[test]
    fn the_store_of_the_first_layout_opens_and_reads_field_for_field() {
        let (_dir, path, expected) = fixture();
        assert_eq!(expected.len(), 40);
        {
            // As committed: every head of layout 1, no events tree of its own.
            let db = sled::open(&path).unwrap();
            let cases = db.open_tree("cases").unwrap();
            assert_eq!(cases.len(), 40);
            assert!(
                cases
                    .iter()
                    .values()
                    .all(|v| v.unwrap()[0] == legacy::LAYOUT)
            );
            assert!(db.open_tree("events").unwrap().is_empty());
        }
        let store = Store::open(&path, StoreOptions::default()).unwrap();
        assert_reads_as(&store, &expected);
        let t = store.trees();
        assert!(
            t.cases
                .iter()
                .values()
                .all(|v| records::is_current(&v.unwrap()))
        );
        let events: usize = expected
            .iter()
            .map(|c| c["events"].as_array().unwrap().len())
            .sum();
        assert_eq!(t.events.len(), events);
        assert!(t.counters.contains_key(MARKER).unwrap());
        // The old index of numbers is gone; the citizens find the cases.
        assert!(t.by_phone.is_empty());
        assert!(t.counters.contains_key(PHONES_MARKER).unwrap());
        let phone = expected[0]["phone"].as_str().unwrap();
        let want = expected.iter().filter(|c| c["phone"] == phone).count() as u64;
        assert_eq!(store.caller_history(phone, 100).unwrap().total, want);
        store.close().unwrap();
        drop(store);

        let again = crate::store::test_support::reopen(&path);
        assert_reads_as(&again, &expected);
        // A new case follows the old ones.
        let next = again
            .create_case_blocking(case(
                "after-migration",
                "09131234567",
                "u",
                1_795_860_000_000,
            ))
            .unwrap();
        assert_eq!(next.case.id, 41);
    }

    fn old_case(id: u64, unit: &str) -> OldCase {
        OldCase {
            id,
            number: format!("1404-{id:06}"),
            request_id: format!("old-{id}"),
            channel: legacy::OldChannel::Portal,
            kind: legacy::OldKind::Executive,
            urgency: legacy::OldUrgency::Urgent,
            topic_id: "T1".into(),
            description: "درخت افتاده".into(),
            phone: "09131234567".into(),
            region: 5,
            address: "خیابان نظر".into(),
            landmark: String::new(),
            unit_id: unit.into(),
            coordination: true,
            status: legacy::OldStatus::Referred,
            created_at_ms: 1_760_000_000_000 + id as i64,
            created_by: "agent1".into(),
            deadlines: legacy::OldDeadlines {
                first_response_ms: 0,
                on_site_ms: 1_760_000_000_000 + 7_200_000,
                result_ms: 1_760_000_000_000 + 86_400_000,
            },
            events: vec![
                OldEvent {
                    at_ms: 1,
                    actor: "agent1".into(),
                    action: "registered".into(),
                    note: String::new(),
                },
                OldEvent {
                    at_ms: 1,
                    actor: "system".into(),
                    action: "referred".into(),
                    note: unit.into(),
                },
                OldEvent {
                    at_ms: 1,
                    actor: "system".into(),
                    action: "coordination".into(),
                    note: "occ".into(),
                },
            ],
        }
    }

    #[test]
    fn a_migration_cut_short_reads_meanwhile_and_resumes_at_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        let olds: Vec<OldCase> = (1..=5).map(|id| old_case(id, "r05-green_space")).collect();
        let expected: Vec<(Case, Vec<Event>)> = olds
            .iter()
            .map(|o| o.clone().into_domain().unwrap())
            .collect();
        {
            let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
            let t = store.trees();
            for (old, (case, _)) in olds.iter().zip(&expected) {
                t.cases
                    .insert(keys::id(old.id), legacy::encode_case(old))
                    .unwrap();
                for (index, key) in crate::store::index::case_index_keys(case) {
                    index.tree(t).insert(key, &[]).unwrap();
                }
            }
            t.counters.remove(MARKER).unwrap();
            t.counters.remove(PHONES_MARKER).unwrap();
            // Cut short: one transaction of two cases, as if killed after it.
            assert_eq!(migrate_batches(t, 2, Some(1)).unwrap(), 2);
            let layouts: Vec<u8> = t.cases.iter().values().map(|v| v.unwrap()[0]).collect();
            assert_eq!(layouts, [2, 2, 1, 1, 1]);
            for (case, events) in &expected {
                assert_eq!(store.get_case(case.id).unwrap().as_ref(), Some(case));
                assert_eq!(&store.timeline(case.id).unwrap(), events);
            }
            // An update of a head still in layout 1 moves its events out too.
            let updated = store
                .update_case_blocking(4, |case, events| {
                    assert_eq!(events.len(), 3);
                    Ok(CaseChange {
                        case: case.clone(),
                        events: vec![Event::new(2, "unit1", EventKind::Acknowledged, "")],
                    })
                })
                .unwrap();
            assert_eq!(updated.case, expected[3].0);
            let mut four = expected[3].1.clone();
            four.push(Event::new(2, "unit1", EventKind::Acknowledged, ""));
            assert_eq!(store.timeline(4).unwrap(), four);
            store.close().unwrap();
        }
        let store = crate::store::test_support::reopen(dir.path());
        let t = store.trees();
        assert!(
            t.cases
                .iter()
                .values()
                .all(|v| records::is_current(&v.unwrap()))
        );
        assert!(t.counters.contains_key(MARKER).unwrap());
        assert_eq!(store.caller_history("09131234567", 10).unwrap().total, 5);
        for (case, events) in &expected {
            let mut stored = store.get_case(case.id).unwrap().unwrap();
            assert_eq!(std::mem::take(&mut stored.citizen_id).len(), 32);
            stored.phone = case.phone.clone();
            assert_eq!(&stored, case);
            let timeline = store.timeline(case.id).unwrap();
            if case.id == 4 {
                assert_eq!(timeline.len(), 4);
            } else {
                assert_eq!(&timeline, events);
            }
        }
        assert_eq!(t.events.len(), 16);
    }
}
