//! The indexes of a case: which entries a case has is decided here and
//! nowhere else. A create inserts them, an update removes the ones the old
//! head had and the new one lacks and inserts the new ones, and a rebuild
//! fills an index from the stored heads, all from [`case_index_keys`].

use super::{Result, Trees, codec, keys, records};
use crate::domain::model::Case;

/// An index of cases: keys only, each ending with the case id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    /// citizen id + 0 + id: a citizen's cases. Never the number.
    Citizen,
    /// unit id + 0 + id
    Unit,
    /// status code + id
    Status,
    /// unit id + 0 + status code + id
    UnitStatus,
    /// user name + 0 + id
    Creator,
    /// next due time + id: what the SLA worker looks at next
    Due,
    /// urgency class + call due time + id: the call-back queue
    CallBack,
}

impl Index {
    pub const ALL: [Index; 7] = [
        Index::Citizen,
        Index::Unit,
        Index::Status,
        Index::UnitStatus,
        Index::Creator,
        Index::Due,
        Index::CallBack,
    ];

    pub fn all() -> impl Iterator<Item = Index> {
        Self::ALL.into_iter()
    }

    /// Where this index sits among the write trees of a transaction.
    pub(crate) fn position(self) -> usize {
        self as usize
    }

    pub(crate) fn tree(self, trees: &Trees) -> &sled::Tree {
        match self {
            Index::Citizen => &trees.by_citizen,
            Index::Unit => &trees.by_unit,
            Index::Status => &trees.by_status,
            Index::UnitStatus => &trees.by_unit_status,
            Index::Creator => &trees.by_creator,
            Index::Due => &trees.by_due,
            Index::CallBack => &trees.by_call_back,
        }
    }
}

/// One index entry: which index, and the key in it.
pub type IndexEntry = (Index, Vec<u8>);

/// Every index entry of `case`. A case without a phone or a unit has no
/// entry in those indexes.
pub fn case_index_keys(case: &Case) -> Vec<IndexEntry> {
    let mut entries = Vec::with_capacity(6);
    if !case.citizen_id.is_empty() {
        entries.push((Index::Citizen, keys::text_id(&case.citizen_id, case.id)));
    }
    if !case.unit_id.is_empty() {
        entries.push((Index::Unit, keys::text_id(&case.unit_id, case.id)));
        entries.push((
            Index::UnitStatus,
            keys::unit_status_id(&case.unit_id, case.status, case.id),
        ));
    }
    entries.push((
        Index::Status,
        keys::status_id(case.status, case.id).to_vec(),
    ));
    entries.push((Index::Creator, keys::text_id(&case.created_by, case.id)));
    if case.next_due_ms > 0 {
        entries.push((Index::Due, keys::due_id(case.next_due_ms, case.id).to_vec()));
    }
    if let Some(key) = super::callbacks::key(case) {
        entries.push((Index::CallBack, key.to_vec()));
    }
    entries
}

/// The entries to remove and to insert when a case's head goes from `old`
/// to `new`; entries both have stay untouched.
#[allow(clippy::type_complexity)]
pub fn index_changes(old: &Case, new: &Case) -> (Vec<(Index, Vec<u8>)>, Vec<(Index, Vec<u8>)>) {
    let before = case_index_keys(old);
    let after = case_index_keys(new);
    let removed = before
        .iter()
        .filter(|entry| !after.contains(entry))
        .cloned()
        .collect();
    let added = after
        .into_iter()
        .filter(|entry| !before.contains(entry))
        .collect();
    (removed, added)
}

/// Fills `index` from every stored case, once: a store made before the index
/// existed gets it at open, a new store only the marker. The marker goes in
/// only once every entry is on disk, so a crash in between rebuilds again.
pub(crate) fn build_once(db: &sled::Db, trees: &Trees, index: Index, marker: &[u8]) -> Result<()> {
    if trees.counters.contains_key(marker)? {
        return Ok(());
    }
    let began = std::time::Instant::now();
    let tree = index.tree(trees);
    let mut batch = sled::Batch::default();
    let (mut pending, mut indexed) = (0usize, 0u64);
    for entry in trees.cases.iter() {
        let (_, value) = entry?;
        let case = records::decode_case(&value)?;
        for (_, key) in case_index_keys(&case)
            .into_iter()
            .filter(|(i, _)| *i == index)
        {
            batch.insert(key, &[]);
            pending += 1;
            indexed += 1;
        }
        if pending >= 10_000 {
            tree.apply_batch(std::mem::take(&mut batch))?;
            pending = 0;
        }
    }
    tree.apply_batch(batch)?;
    db.flush()?;
    trees.counters.insert(marker, codec::encode(&indexed)?)?;
    db.flush()?;
    if indexed > 0 {
        tracing::info!(
            index = ?index,
            entries = indexed,
            seconds = began.elapsed().as_secs_f64(),
            "built an index of cases"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::CaseStatus;
    use crate::store::test_support::case;

    #[test]
    fn the_deadline_entry_follows_the_next_due_time() {
        let mut old = case("r", "09131234567", "r03-urban_services", 0).case;
        old.id = 4;
        old.next_due_ms = 1_000;
        let mut new = old.clone();
        new.next_due_ms = 2_000;
        let (removed, added) = index_changes(&old, &new);
        assert_eq!(removed, [(Index::Due, keys::due_id(1_000, 4).to_vec())]);
        assert_eq!(added, [(Index::Due, keys::due_id(2_000, 4).to_vec())]);
        // Nothing pending: no entry at all, so the worker never wakes for it.
        let mut done = new.clone();
        done.next_due_ms = 0;
        let (removed, added) = index_changes(&new, &done);
        assert_eq!(removed.len(), 1);
        assert!(added.is_empty());
    }

    #[test]
    fn a_status_change_moves_only_the_status_entries() {
        let mut old = case("r", "09131234567", "r03-urban_services", 0).case;
        old.id = 4;
        let mut new = old.clone();
        new.status = CaseStatus::Acknowledged;
        let (removed, added) = index_changes(&old, &new);
        assert_eq!(
            removed,
            [
                (
                    Index::UnitStatus,
                    keys::unit_status_id("r03-urban_services", CaseStatus::Referred, 4)
                ),
                (
                    Index::Status,
                    keys::status_id(CaseStatus::Referred, 4).to_vec()
                ),
            ]
        );
        assert_eq!(
            added,
            [
                (
                    Index::UnitStatus,
                    keys::unit_status_id("r03-urban_services", CaseStatus::Acknowledged, 4)
                ),
                (
                    Index::Status,
                    keys::status_id(CaseStatus::Acknowledged, 4).to_vec()
                ),
            ]
        );
        assert_eq!(index_changes(&old, &old), (vec![], vec![]));
    }

    #[test]
    fn positions_are_distinct() {
        let positions: std::collections::HashSet<usize> =
            Index::all().map(Index::position).collect();
        assert_eq!(positions.len(), Index::all().count());
    }
}
