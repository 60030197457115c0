//! The supervisors' figures on disk, kept by the writer in the transaction of
//! every change they count, so a snapshot reads a handful of keys at any
//! number of cases.
//!
//! The `dashboard` tree holds:
//! - `figures` → [`Figures`]: what the open cases add up to;
//! - `day` + Jalali day → [`Day`]: one Tehran day's intake and breaches;
//! - `urgent` + deadline + id → (): the open urgent cases by the deadline
//!   they race, for the "urgent in progress" list;
//! - `shahrban:urgent` + deadline + id → (): the same for cases registered
//!   with the Shahrban mark, which the list shows first;
//! - `shahrban:waiting` + id → (): Shahrban cases waiting for their unit,
//!   which the waiting list shows first however new they are.
//!
//! Cases registered before the Shahrban line carry no mark, so a store
//! written before it holds none of the `shahrban:` keys and needs no
//! migration.
//!
//! A store written before the figures existed gets them once at open, from
//! a full recount; the marker goes in with them, so a crash before it means
//! a recount again (from a cleared tree) at the next open.

use super::codec::{self, CodecError};
use super::{Result, StoreError, Trees, keys, records};
use crate::domain::dashboard::{Day, DayChange, DayKey, Figures, day_changes, urgent_deadline};
use crate::domain::event::{Event, EventKind};
use crate::domain::model::{Case, CaseStatus};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::collections::BTreeMap;

const FIGURES: &[u8] = b"figures";
const DAY: &[u8] = b"day";
const URGENT: &[u8] = b"urgent";
const SHAHRBAN_URGENT: &[u8] = b"shahrban:urgent";
const SHAHRBAN_WAITING: &[u8] = b"shahrban:waiting";
/// In the counters tree: the figures were counted from the cases.
pub const DASHBOARD_BUILT: &[u8] = b"dashboard:built";

/// The urgent cases a snapshot lists, nearest deadline first.
pub const URGENT_LIST: usize = 50;
/// The waiting cases a snapshot lists, oldest first.
pub const WAITING_LIST: usize = 20;
/// The states a case waits in for a unit to take it.
pub const WAITING: [CaseStatus; 3] = [
    CaseStatus::Registered,
    CaseStatus::Referred,
    CaseStatus::Reopened,
];

fn day_key(day: DayKey) -> Vec<u8> {
    [DAY, &day.bytes()[..]].concat()
}

/// The keys of the lists a case is on.
fn list_keys(case: &Case) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if let Some(due) = urgent_deadline(case) {
        let prefix = if case.shahrban {
            SHAHRBAN_URGENT
        } else {
            URGENT
        };
        out.push([prefix, &keys::due_id(due, case.id)[..]].concat());
    }
    if case.shahrban && WAITING.contains(&case.status) {
        out.push([SHAHRBAN_WAITING, &keys::id(case.id)[..]].concat());
    }
    out
}

fn is_list_key(key: &[u8]) -> bool {
    [URGENT, SHAHRBAN_URGENT, SHAHRBAN_WAITING]
        .iter()
        .any(|p| key.starts_with(p))
}

/// Shahrban first within an urgency, then the list's own order.
fn rank(case: &Case) -> (bool, bool) {
    crate::domain::citizen::queue_rank(
        case.urgency == crate::domain::model::Urgency::Urgent,
        case.shahrban,
    )
}

type TxError = ConflictableTransactionError<StoreError>;

fn abort(e: impl Into<StoreError>) -> TxError {
    ConflictableTransactionError::Abort(e.into())
}

fn read<T: serde::de::DeserializeOwned + Default>(
    tree: &TransactionalTree,
    key: &[u8],
) -> std::result::Result<T, TxError> {
    match tree.get(key)? {
        Some(bytes) => codec::decode(&bytes).map_err(abort),
        None => Ok(T::default()),
    }
}

fn write<T: serde::Serialize>(
    tree: &TransactionalTree,
    key: &[u8],
    value: &T,
) -> std::result::Result<(), TxError> {
    tree.insert(key, codec::encode(value).map_err(abort)?)?;
    Ok(())
}

fn apply_days(
    tree: &TransactionalTree,
    changes: Vec<(DayKey, DayChange)>,
) -> std::result::Result<(), TxError> {
    for (day, change) in changes {
        let key = day_key(day);
        let mut tally: Day = read(tree, &key)?;
        tally.apply(&change);
        write(tree, &key, &tally)?;
    }
    Ok(())
}

/// A new case, inside the writer's transaction.
pub(crate) fn on_create(
    tree: &TransactionalTree,
    case: &Case,
    events: &[Event],
) -> std::result::Result<(), TxError> {
    let mut figures: Figures = read(tree, FIGURES)?;
    figures.count(case, true);
    write(tree, FIGURES, &figures)?;
    apply_days(tree, day_changes(Some(case), events))?;
    for key in list_keys(case) {
        tree.insert(key, &[])?;
    }
    Ok(())
}

/// A changed case, inside the writer's transaction.
pub(crate) fn on_update(
    tree: &TransactionalTree,
    before: &Case,
    after: &Case,
    appended: &[Event],
) -> std::result::Result<(), TxError> {
    let mut figures: Figures = read(tree, FIGURES)?;
    figures.change(before, after);
    write(tree, FIGURES, &figures)?;
    apply_days(tree, day_changes(None, appended))?;
    let (old, new) = (list_keys(before), list_keys(after));
    for key in old.iter().filter(|k| !new.contains(k)) {
        tree.remove(key.as_slice())?;
    }
    for key in new.iter().filter(|k| !old.contains(k)) {
        tree.insert(key.as_slice(), &[])?;
    }
    Ok(())
}

/// The figures as kept, consistent with one feed sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// Every feed event up to this one is counted, none after it.
    pub seq: u64,
    pub figures: Figures,
    pub today: Day,
    /// Open urgent cases, nearest deadline first.
    pub urgent: Vec<Case>,
    /// Open cases waiting for their unit to take them, oldest first.
    pub waiting: Vec<Case>,
}

/// Everything a full recount finds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recount {
    pub figures: Figures,
    pub days: BTreeMap<DayKey, Day>,
    urgent: Vec<Vec<u8>>,
}

fn recount(trees: &Trees) -> Result<Recount> {
    let mut out = Recount::default();
    let mut days: BTreeMap<DayKey, Day> = BTreeMap::new();
    for entry in trees.cases.iter() {
        let (_, bytes) = entry?;
        let case = records::decode_case(&bytes)?;
        out.figures.count(&case, true);
        for (day, change) in day_changes(Some(&case), &[]) {
            days.entry(day).or_default().apply(&change);
        }
        out.urgent.extend(list_keys(&case));
    }
    for entry in trees.events.iter() {
        let (_, bytes) = entry?;
        let event = records::decode_event(&bytes)?;
        if matches!(event.kind, EventKind::SlaBreached { .. }) {
            for (day, change) in day_changes(None, std::slice::from_ref(&event)) {
                days.entry(day).or_default().apply(&change);
            }
        }
    }
    out.days = days;
    // In key order, as the tree holds them.
    out.urgent.sort();
    Ok(out)
}

/// Counts the figures from the cases once, for a store written before they
/// were kept.
pub(crate) fn build_once(db: &sled::Db, trees: &Trees) -> Result<()> {
    if trees.counters.contains_key(DASHBOARD_BUILT)? {
        return Ok(());
    }
    let began = std::time::Instant::now();
    // What an interrupted count left goes first: it is counted again whole.
    trees.dashboard.clear()?;
    let counted = recount(trees)?;
    let mut batch = sled::Batch::default();
    batch.insert(FIGURES, codec::encode(&counted.figures)?);
    for (day, tally) in &counted.days {
        batch.insert(day_key(*day), codec::encode(tally)?);
    }
    for key in &counted.urgent {
        batch.insert(key.as_slice(), &[]);
    }
    trees.dashboard.apply_batch(batch)?;
    db.flush()?;
    trees
        .counters
        .insert(DASHBOARD_BUILT, codec::encode(&true)?)?;
    db.flush()?;
    tracing::info!(
        ms = began.elapsed().as_millis() as u64,
        "counted the dashboard's figures"
    );
    Ok(())
}

impl super::Store {
    /// The figures as kept, with today's (the Tehran day of `now_ms`) and
    /// the two short lists. The tallies and the sequence are read in one
    /// transaction, so they agree with each other exactly; the lists are
    /// read right after, from their indexes.
    pub fn dashboard(&self, now_ms: i64) -> Result<Kept> {
        let t = self.trees();
        let today = day_key(DayKey::of(now_ms));
        let read = (&t.dashboard, &t.counters).transaction(|(dash, counters)| {
            let figures: Figures = read(dash, FIGURES)?;
            let day: Day = read(dash, &today)?;
            let seq: u64 = read(counters, super::feed::FEED_SEQ_COUNTER)?;
            Ok((seq, figures, day))
        });
        let (seq, figures, today) = read.map_err(|e| match e {
            sled::transaction::TransactionError::Abort(e) => e,
            sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
        })?;
        let mut urgent = Vec::new();
        for prefix in [SHAHRBAN_URGENT, URGENT] {
            for entry in t.dashboard.scan_prefix(prefix).take(URGENT_LIST) {
                let (key, _) = entry?;
                if let Some(case) = keys::id_suffix(&key)
                    .map(|id| self.get_case(id))
                    .transpose()?
                {
                    urgent.extend(case);
                }
            }
        }
        // Each prefix is in deadline order already; the sort is stable.
        urgent.sort_by_key(rank);
        urgent.truncate(URGENT_LIST);
        Ok(Kept {
            seq,
            figures,
            today,
            urgent,
            waiting: self.oldest_waiting()?,
        })
    }

    /// The cases waiting longest: the lowest ids of each waiting state, from
    /// the status index, merged by when they were created, with the Shahrban
    /// cases (the first of their own list) before the others.
    fn oldest_waiting(&self) -> Result<Vec<Case>> {
        let mut found = Vec::new();
        for entry in self
            .trees()
            .dashboard
            .scan_prefix(SHAHRBAN_WAITING)
            .take(WAITING_LIST)
        {
            let (key, _) = entry?;
            if let Some(id) = keys::id_suffix(&key)
                && let Some(case) = self.get_case(id)?
            {
                found.push(case);
            }
        }
        for status in WAITING {
            for entry in self
                .trees()
                .by_status
                .scan_prefix(keys::status_prefix(status))
                .take(WAITING_LIST)
            {
                let (key, _) = entry?;
                if let Some(id) = keys::id_suffix(&key)
                    && let Some(case) = self.get_case(id)?
                {
                    found.push(case);
                }
            }
        }
        found.sort_by_key(|c| (c.created_at_ms, c.id));
        found.dedup_by_key(|c| c.id);
        // The list orders by age, not urgency: only the Shahrban part of the
        // queue's rank applies, the urgency held equal.
        found.sort_by_key(|c| crate::domain::citizen::queue_rank(false, c.shahrban));
        found.truncate(WAITING_LIST);
        Ok(found)
    }

    /// Counts every figure again from the cases and their timelines, without
    /// writing: what the kept figures must equal. Walks the whole store.
    pub fn recount_dashboard(&self) -> Result<Recount> {
        recount(self.trees())
    }

    /// Every figure as kept, every day included, and whether the urgent
    /// list's index holds exactly what a recount finds.
    pub fn kept_dashboard(&self) -> Result<Recount> {
        let t = self.trees();
        let mut out = Recount::default();
        for entry in t.dashboard.iter() {
            let (key, value) = entry?;
            if key.as_ref() == FIGURES {
                out.figures = codec::decode(&value)?;
            } else if let Some(day) = key.strip_prefix(DAY) {
                let day = decode_day_key(day)?;
                out.days.insert(day, codec::decode(&value)?);
            } else if is_list_key(&key) {
                out.urgent.push(key.to_vec());
            }
        }
        Ok(out)
    }
}

fn decode_day_key(bytes: &[u8]) -> Result<DayKey, CodecError> {
    match bytes {
        [a, b, c, d, month, day] => Ok(DayKey {
            year: i32::from_be_bytes([*a, *b, *c, *d]),
            month: *month,
            day: *day,
        }),
        _ => Err(CodecError::Value("a dashboard day key".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{case, open, reopen};
    use super::*;
    use crate::domain::clocks::{ClockKind, ClockLog, Clocks};
    use crate::domain::model::Urgency;

    const AUTUMN_1405: i64 = 1_795_860_000_000;

    #[test]
    fn kept_figures_follow_every_change_and_equal_a_recount() {
        let (dir, store) = open();
        for i in 0..5 {
            let mut c = case(&format!("c{i}"), "09131234567", "r03", AUTUMN_1405 + i);
            if i % 2 == 0 {
                c.case.urgency = Urgency::Urgent;
                c.case.deadlines.on_site_ms = AUTUMN_1405 + 7_200_000 - i;
                c.case.clocks = Clocks(vec![ClockLog::new(ClockKind::OnSite, AUTUMN_1405)]);
            }
            store.create_case_blocking(c).unwrap();
        }
        store
            .update_case_blocking(1, |c, _| {
                let mut next = c.clone();
                next.status = CaseStatus::Closed;
                Ok(super::super::CaseChange {
                    case: next,
                    events: vec![Event::new(
                        AUTUMN_1405 + 10,
                        "system",
                        EventKind::SlaBreached {
                            clock: ClockKind::OnSite,
                            due_ms: AUTUMN_1405,
                            delay_reason: None,
                        },
                        "",
                    )],
                })
            })
            .unwrap();
        let kept = store.dashboard(AUTUMN_1405).unwrap();
        assert_eq!(kept.figures.urgent_open, 2);
        assert_eq!(
            kept.figures.by_status.get(&CaseStatus::Referred.code()),
            Some(&4)
        );
        assert_eq!(kept.today.breaches, 1);
        assert_eq!(kept.today.agents.get("agent1"), Some(&5));
        assert_eq!(kept.seq, 6);
        // Nearest deadline first: case 5's is a little earlier than case 3's.
        assert_eq!(kept.urgent.iter().map(|c| c.id).collect::<Vec<_>>(), [5, 3]);
        assert_eq!(kept.waiting.len(), 4);
        assert_eq!(
            store.kept_dashboard().unwrap(),
            store.recount_dashboard().unwrap()
        );

        // A store from before the figures gets them at its next open.
        let before = store.kept_dashboard().unwrap();
        store.trees().dashboard.clear().unwrap();
        store.trees().counters.remove(DASHBOARD_BUILT).unwrap();
        store.close().unwrap();
        drop(store);
        let store = reopen(dir.path());
        assert_eq!(store.kept_dashboard().unwrap(), before);
    }
}
