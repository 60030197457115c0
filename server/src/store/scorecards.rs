//! The units' scorecard tallies: one value per quarter and unit, the sum of
//! [`score::contribution`] over the unit's cases registered that quarter.
//! The writer takes a case's old share out and puts its new one in, in the
//! transaction of the change, so a quarter's scorecards read a few hundred
//! keys whatever the number of cases. A store written before the tallies, or
//! under other score settings, is recounted once at open, resumably.

use super::{Result, StoreError, Trees, codec, records};
use crate::domain::model::Case;
use crate::domain::quarter::Quarter;
use crate::domain::score::{self, ScoreConfig, Tally};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::collections::BTreeMap;

type TxResult<T> = std::result::Result<T, ConflictableTransactionError<StoreError>>;

/// Keys of the tree's own bookkeeping sort after every quarter's.
const FINGERPRINT: &[u8] = b"\xffsettings";
const PROGRESS: &[u8] = b"\xffrecount";
/// Raised when the tallies' shape changes: the next open recounts.
const LAYOUT: &str = "tally:1";

/// Cases counted per step of a recount.
pub const RECOUNT_BATCH: usize = 5_000;

fn key(quarter: Quarter, unit: &str) -> Vec<u8> {
    let mut k = quarter.key().to_vec();
    k.extend_from_slice(unit.as_bytes());
    k
}

/// A tally with its all-zero parts dropped, so a tally that lost its last
/// share equals one that never had it.
fn tidy(mut t: Tally) -> Tally {
    for h in [&mut t.first_response_hist, &mut t.result_hist] {
        if h.iter().all(|&n| n == 0) {
            h.clear();
        }
    }
    t
}

fn decode(bytes: &[u8]) -> std::result::Result<Tally, codec::CodecError> {
    codec::decode(bytes)
}

fn put(tree: &TransactionalTree, k: &[u8], t: Tally) -> TxResult<Result<()>> {
    let t = tidy(t);
    if t == Tally::default() {
        tree.remove(k)?;
        return Ok(Ok(()));
    }
    match codec::encode(&t) {
        Ok(v) => {
            tree.insert(k, v)?;
            Ok(Ok(()))
        }
        Err(e) => Ok(Err(e.into())),
    }
}

/// Moves a case's share from what `before` gave to what `after` gives,
/// inside the writer's transaction.
pub(crate) fn apply(
    tree: &TransactionalTree,
    cfg: &ScoreConfig,
    before: Option<&Case>,
    after: &Case,
) -> TxResult<Result<()>> {
    let old = before.and_then(|c| score::contribution(c, cfg));
    let new = score::contribution(after, cfg);
    if old == new {
        return Ok(Ok(()));
    }
    let mut changes: Vec<(Vec<u8>, Tally, bool)> = Vec::with_capacity(2);
    if let Some((q, unit, t)) = old {
        changes.push((key(q, unit), t, false));
    }
    if let Some((q, unit, t)) = new {
        changes.push((key(q, unit), t, true));
    }
    for (k, share, add) in changes {
        let mut t = match tree.get(&k)? {
            Some(bytes) => match decode(&bytes) {
                Ok(t) => t,
                Err(e) => return Ok(Err(e.into())),
            },
            None => Tally::default(),
        };
        if add {
            t.add(&share);
        } else {
            t.sub(&share);
        }
        if let Err(e) = put(tree, &k, t)? {
            return Ok(Err(e));
        }
    }
    Ok(Ok(()))
}

/// Every unit's tally of `quarter`.
pub(crate) fn of_quarter(trees: &Trees, quarter: Quarter) -> Result<Vec<(String, Tally)>> {
    let prefix = quarter.key();
    let mut out = Vec::new();
    for entry in trees.scorecards.scan_prefix(prefix) {
        let (k, v) = entry?;
        let unit = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
        out.push((unit, decode(&v)?));
    }
    Ok(out)
}

/// The tallies a walk over every stored case gives: what the kept ones
/// must equal.
pub(crate) fn recount(
    trees: &Trees,
    cfg: &ScoreConfig,
) -> Result<BTreeMap<(Quarter, String), Tally>> {
    let mut all: BTreeMap<(Quarter, String), Tally> = BTreeMap::new();
    for entry in trees.cases.iter() {
        let (_, v) = entry?;
        let case = records::decode_case(&v)?;
        if let Some((q, unit, t)) = score::contribution(&case, cfg) {
            all.entry((q, unit.to_owned())).or_default().add(&t);
        }
    }
    Ok(all.into_iter().map(|(k, t)| (k, tidy(t))).collect())
}

/// The kept tallies, every quarter.
pub(crate) fn kept(trees: &Trees) -> Result<BTreeMap<(Quarter, String), Tally>> {
    let mut all = BTreeMap::new();
    for entry in trees.scorecards.iter() {
        let (k, v) = entry?;
        let Some(q) = Quarter::from_key(&k) else {
            continue;
        };
        let unit = String::from_utf8_lossy(&k[4..]).into_owned();
        all.insert((q, unit), decode(&v)?);
    }
    Ok(all)
}

fn fingerprint(cfg: &ScoreConfig) -> String {
    format!("{LAYOUT}:{}", cfg.fingerprint())
}

/// Brings the tallies in line with the stored cases once: after the store
/// gained them, or the score settings changed. Case by case in id order, a
/// batch at a time, each batch with its progress mark, so a crash resumes
/// where it stopped. `batch` cases a step; `max_batches` stops part way for
/// a test.
pub(crate) fn recount_once(
    db: &sled::Db,
    trees: &Trees,
    cfg: &ScoreConfig,
    batch: usize,
    max_batches: Option<usize>,
) -> Result<()> {
    let tree = &trees.scorecards;
    let want = fingerprint(cfg);
    let same = tree
        .get(FINGERPRINT)?
        .is_some_and(|v| *v == *want.as_bytes());
    let mut after: u64 = match tree.get(PROGRESS)? {
        Some(v) if same => codec::decode(&v)?,
        None if same => return Ok(()),
        _ => {
            tree.clear()?;
            let mut b = sled::Batch::default();
            b.insert(FINGERPRINT, want.as_bytes());
            b.insert(PROGRESS, codec::encode(&0u64)?);
            tree.apply_batch(b)?;
            0
        }
    };
    let began = std::time::Instant::now();
    let mut batches = 0;
    loop {
        if max_batches.is_some_and(|m| batches >= m) {
            return Ok(());
        }
        let mut sums: BTreeMap<Vec<u8>, Tally> = BTreeMap::new();
        let mut last = None;
        let start = (after + 1).to_be_bytes();
        for entry in trees.cases.range(start..).take(batch.max(1)) {
            let (k, v) = entry?;
            let case = records::decode_case(&v)?;
            if let Some((q, unit, t)) = score::contribution(&case, cfg) {
                sums.entry(key(q, unit)).or_default().add(&t);
            }
            last = super::keys::id_suffix(&k);
        }
        let Some(last) = last else { break };
        let mut b = sled::Batch::default();
        for (k, share) in sums {
            let mut t = match tree.get(&k)? {
                Some(v) => decode(&v)?,
                None => Tally::default(),
            };
            t.add(&share);
            b.insert(k, codec::encode(&tidy(t))?);
        }
        b.insert(PROGRESS, codec::encode(&last)?);
        tree.apply_batch(b)?;
        after = last;
        batches += 1;
    }
    tree.remove(PROGRESS)?;
    db.flush()?;
    tracing::info!(
        seconds = began.elapsed().as_secs_f64(),
        "recounted the units' scorecards"
    );
    Ok(())
}

impl super::Store {
    /// Every unit's tally of `quarter`, as kept: a few hundred keys at most.
    pub fn quarter_tallies(&self, quarter: Quarter) -> Result<Vec<(String, Tally)>> {
        of_quarter(self.trees(), quarter)
    }

    /// Every kept tally.
    pub fn kept_tallies(&self) -> Result<BTreeMap<(Quarter, String), Tally>> {
        kept(self.trees())
    }

    /// The tallies a full walk of the stored cases gives (a check, not a query).
    pub fn recount_tallies(&self) -> Result<BTreeMap<(Quarter, String), Tally>> {
        recount(self.trees(), &self.trees().score)
    }

    /// The score settings the tallies are kept under.
    pub fn score_config(&self) -> ScoreConfig {
        self.trees().score
    }

    /// The cases behind a unit's figures of `quarter`, newest first, at most
    /// `limit`: its executive cases registered in the quarter.
    pub fn quarter_cases(&self, unit: &str, quarter: Quarter, limit: usize) -> Result<Vec<Case>> {
        let (Some(start), Some(end)) = (quarter.start_ms(), quarter.next().start_ms()) else {
            return Ok(Vec::new());
        };
        let prefix = super::keys::text_prefix(unit);
        let mut out = Vec::new();
        for entry in self.trees().by_unit.scan_prefix(prefix).rev() {
            let (k, _) = entry?;
            let Some(id) = super::keys::id_suffix(&k) else {
                continue;
            };
            let Some(case) = self.get_case(id)? else {
                continue;
            };
            // Ids rise with registration: past the quarter's start, stop.
            if case.created_at_ms < start {
                break;
            }
            if case.created_at_ms < end && score::place_of(&case).is_some() {
                out.push(case);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{case, open};
    use super::*;
    use crate::domain::model::CaseStatus;

    /// 2026-11-28, autumn 1405.
    const AUTUMN_1405: i64 = 1_795_860_000_000;

    #[test]
    fn a_recount_stopped_part_way_resumes_to_the_same_tallies() {
        let (_dir, store) = open();
        for n in 0..25 {
            let mut opened = case(
                &format!("r{n}"),
                "09131234567",
                "r03-urban_services",
                AUTUMN_1405 + n,
            );
            if n % 2 == 0 {
                opened.case.status = CaseStatus::Closed;
                opened.case.feedback.satisfaction = 4;
            }
            store.create_case_blocking(opened).unwrap();
        }
        let first = store.kept_tallies().unwrap();
        assert_eq!(first, store.recount_tallies().unwrap());
        let (q, t) = first.iter().next().map(|(k, t)| (k.0, t.clone())).unwrap();
        assert_eq!(
            (q, t.cases, t.scored),
            (Quarter::new(1405, 3).unwrap(), 25, 13)
        );
        // Other settings: the tallies start again, here two cases at a time
        // and stopped after two steps, as a crash would.
        let trees = store.trees();
        let other = ScoreConfig {
            floor: 0.5,
            ..ScoreConfig::default()
        };
        let db = &store.inner.db;
        recount_once(db, trees, &other, 2, Some(0)).unwrap();
        assert!(trees.scorecards.get(PROGRESS).unwrap().is_some(), "begun");
        assert_eq!(kept_counted(trees), 0, "cleared first");
        recount_once(db, trees, &other, 2, Some(2)).unwrap();
        assert_eq!(kept_counted(trees), 4, "two steps of two");
        recount_once(db, trees, &other, 2, None).unwrap();
        assert!(trees.scorecards.get(PROGRESS).unwrap().is_none(), "done");
        assert_eq!(kept(trees).unwrap(), recount(trees, &other).unwrap());
        // Done once: the next open does not walk again.
        recount_once(db, trees, &other, 2, Some(0)).unwrap();
        assert!(trees.scorecards.get(PROGRESS).unwrap().is_none());
    }

    fn kept_counted(trees: &Trees) -> u64 {
        kept(trees).unwrap().values().map(|t| t.cases).sum()
    }
}
