//! Reading cases back: filtered pages newest first, and a caller's history.
//!
//! A list walks the most selective index it has for the filter (a unit's
//! cases in one state or in the open states merged, a unit, then creator,
//! then status, then the open statuses merged) and checks the rest of the
//! filter on each case; with no indexed filter it walks the cases
//! themselves. Ids grow with time, so descending ids are newest first.

use super::{Result, Store, keys, records};
use crate::domain::model::{Case, CaseStatus, Urgency};

/// Which cases to list; `None` and `false` mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub unit_id: Option<String>,
    pub region: Option<u32>,
    pub topic_id: Option<String>,
    pub urgency: Option<Urgency>,
    pub created_by: Option<String>,
    /// Neither closed nor a false report.
    pub open_only: bool,
    /// Only cases the Operations Coordination Center follows.
    pub coordination_only: bool,
}

impl CaseFilter {
    pub fn matches(&self, case: &Case) -> bool {
        self.status.is_none_or(|s| case.status == s)
            && self.unit_id.as_deref().is_none_or(|u| case.unit_id == u)
            && self.region.is_none_or(|r| case.region == r)
            && self.topic_id.as_deref().is_none_or(|t| case.topic_id == t)
            && self.urgency.is_none_or(|u| case.urgency == u)
            && self
                .created_by
                .as_deref()
                .is_none_or(|c| case.created_by == c)
            && (!self.open_only || case.status.is_open())
            && (!self.coordination_only || case.coordination)
    }
}

/// One page of a list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CasePage {
    pub cases: Vec<Case>,
    /// Pass as `before` to read the next page; `None` on the last page.
    pub next_before: Option<u64>,
}

/// The cases of one phone number, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallerHistory {
    pub cases: Vec<Case>,
    /// All cases of the number, not only those returned.
    pub total: u64,
    /// Those still open.
    pub open: u64,
    /// The citizen who called from the number; `None` if none did.
    pub citizen: Option<super::citizens::StoredCitizen>,
}

/// The most cases one list call reads before it returns what it has.
pub const LIST_SCAN_BUDGET: usize = 20_000;

type Ids<'a> = Box<dyn Iterator<Item = Result<u64>> + 'a>;

/// The ids of one index prefix below `before`, descending.
fn index_ids<'a>(tree: &'a sled::Tree, prefix: &[u8], before: Option<u64>) -> Ids<'a> {
    let mut end = prefix.to_vec();
    let start = prefix.to_vec();
    let range = match before {
        Some(before) => {
            end.extend_from_slice(&keys::id(before));
            tree.range(start..end)
        }
        None => tree.scan_prefix(start),
    };
    Box::new(range.rev().map(|entry| {
        let (key, _) = entry?;
        keys::id_suffix(&key)
            .ok_or_else(|| super::StoreError::Corrupt("an index key without an id".into()))
    }))
}

/// Several descending id streams merged into one, still descending.
struct Merge<'a> {
    streams: Vec<std::iter::Peekable<Ids<'a>>>,
}

impl Iterator for Merge<'_> {
    type Item = Result<u64>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut best: Option<(usize, u64)> = None;
        for (i, stream) in self.streams.iter_mut().enumerate() {
            match stream.peek() {
                // An error goes out first, whatever it is.
                Some(Err(_)) => return stream.next(),
                Some(Ok(id)) if best.is_none_or(|(_, b)| *id > b) => best = Some((i, *id)),
                _ => {}
            }
        }
        let (i, _) = best?;
        self.streams[i].next()
    }
}

impl Store {
    fn candidate_ids(&self, filter: &CaseFilter, before: Option<u64>) -> Ids<'_> {
        let t = self.trees();
        if let Some(unit) = &filter.unit_id {
            // A unit's queue: only its cases in the states asked for.
            if let Some(status) = filter.status {
                return index_ids(
                    &t.by_unit_status,
                    &keys::unit_status_prefix(unit, status),
                    before,
                );
            }
            if filter.open_only {
                let streams = CaseStatus::all()
                    .filter(|s| s.is_open())
                    .map(|s| {
                        index_ids(
                            &t.by_unit_status,
                            &keys::unit_status_prefix(unit, s),
                            before,
                        )
                        .peekable()
                    })
                    .collect();
                return Box::new(Merge { streams });
            }
            return index_ids(&t.by_unit, &keys::text_prefix(unit), before);
        }
        if let Some(creator) = &filter.created_by {
            return index_ids(&t.by_creator, &keys::text_prefix(creator), before);
        }
        if let Some(status) = filter.status {
            return index_ids(&t.by_status, &keys::status_prefix(status), before);
        }
        if filter.open_only {
            let streams = CaseStatus::all()
                .filter(|s| s.is_open())
                .map(|s| index_ids(&t.by_status, &keys::status_prefix(s), before).peekable())
                .collect();
            return Box::new(Merge { streams });
        }
        index_ids(&t.cases, &[], before)
    }

    /// Up to `limit` cases matching `filter`, newest first, all older than
    /// case `before` when given.
    ///
    /// A filter the index cannot narrow may have to read many cases to fill a
    /// page. After [`LIST_SCAN_BUDGET`] cases the page ends early, with
    /// `next_before` where the walk stopped, so no one call holds a thread
    /// for long and the caller can go on. Call it off the async runtime.
    pub fn list_cases(
        &self,
        filter: &CaseFilter,
        before: Option<u64>,
        limit: usize,
    ) -> Result<CasePage> {
        self.list_cases_within(filter, before, limit, LIST_SCAN_BUDGET)
    }

    fn list_cases_within(
        &self,
        filter: &CaseFilter,
        before: Option<u64>,
        limit: usize,
        budget: usize,
    ) -> Result<CasePage> {
        let mut cases = Vec::with_capacity(limit.min(512));
        for (scanned, id) in self.candidate_ids(filter, before).enumerate() {
            let id = id?;
            if scanned == budget {
                // Cases above `id` are all read: the next page starts at it.
                return Ok(CasePage {
                    cases,
                    next_before: id.checked_add(1),
                });
            }
            let Some(case) = self.get_case(id)? else {
                return Err(super::StoreError::Corrupt(format!(
                    "an index points at missing case {id}"
                )));
            };
            if !filter.matches(&case) {
                continue;
            }
            if cases.len() == limit {
                // One more match exists: there is a next page.
                let next_before = cases.last().map(|c: &Case| c.id);
                return Ok(CasePage { cases, next_before });
            }
            cases.push(case);
        }
        Ok(CasePage {
            cases,
            next_before: None,
        })
    }

    /// One page of the cases of the citizen `citizen_id`, newest first,
    /// below `before`: the portal's list of a citizen's own.
    pub fn citizen_cases(
        &self,
        citizen_id: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<CasePage> {
        let mut cases: Vec<Case> = Vec::with_capacity(limit.min(128));
        if citizen_id.is_empty() {
            return Ok(CasePage::default());
        }
        let prefix = keys::text_prefix(citizen_id);
        for id in index_ids(&self.trees().by_citizen, &prefix, before) {
            let id = id?;
            if cases.len() == limit {
                let next_before = cases.last().map(|c| c.id);
                return Ok(CasePage { cases, next_before });
            }
            let case = self.get_case(id)?.ok_or_else(|| {
                super::StoreError::Corrupt(format!("an index points at missing case {id}"))
            })?;
            cases.push(case);
        }
        Ok(CasePage {
            cases,
            next_before: None,
        })
    }

    /// Up to `limit` cases of `phone` (already normalised), newest first, with
    /// the number of all its cases and of those still open, and the citizen
    /// who called from it. A number never heard, or erased, has no citizen.
    pub fn caller_history(&self, phone: &str, limit: usize) -> Result<CallerHistory> {
        let mut history = CallerHistory::default();
        let Some(citizen) = self.citizen_by_phone(phone)? else {
            return Ok(history);
        };
        let prefix = keys::text_prefix(&citizen.citizen.id);
        for id in index_ids(&self.trees().by_citizen, &prefix, None) {
            let id = id?;
            let bytes = self.trees().cases.get(keys::id(id))?.ok_or_else(|| {
                super::StoreError::Corrupt(format!("an index points at missing case {id}"))
            })?;
            let case = records::decode_case(&bytes)?;
            history.total += 1;
            if case.status.is_open() {
                history.open += 1;
            }
            if history.cases.len() < limit {
                history.cases.push(case);
            }
        }
        history.citizen = Some(citizen);
        Ok(history)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{case, open};
    use super::*;

    const T0: i64 = 1_795_860_000_000;

    async fn seed(store: &Store) {
        // ids 1..=10; units alternate; every third is closed; phones alternate.
        for i in 1..=10i64 {
            let mut c = case(
                &format!("r{i}"),
                if i % 2 == 0 {
                    "09130000002"
                } else {
                    "09130000001"
                },
                if i % 2 == 0 {
                    "r03-urban_services"
                } else {
                    "r05-traffic"
                },
                T0 + i,
            );
            if i % 3 == 0 {
                c.case.status = CaseStatus::Closed;
            }
            if i == 7 {
                c.case.created_by = "agent2".into();
                c.case.urgency = Urgency::Urgent;
                c.case.coordination = true;
            }
            store.create_case(c).await.unwrap();
        }
    }

    fn ids(page: &CasePage) -> Vec<u64> {
        page.cases.iter().map(|c| c.id).collect()
    }

    #[tokio::test]
    async fn newest_first_in_pages_without_gaps_or_repeats() {
        let (_dir, store) = open();
        seed(&store).await;
        let all = CaseFilter::default();
        let first = store.list_cases(&all, None, 4).unwrap();
        assert_eq!(ids(&first), [10, 9, 8, 7]);
        assert_eq!(first.next_before, Some(7));
        let second = store.list_cases(&all, first.next_before, 4).unwrap();
        assert_eq!(ids(&second), [6, 5, 4, 3]);
        let third = store.list_cases(&all, second.next_before, 4).unwrap();
        assert_eq!(ids(&third), [2, 1]);
        assert_eq!(third.next_before, None);
        // A page that ends exactly on the last case says so.
        let exact = store.list_cases(&all, Some(3), 2).unwrap();
        assert_eq!((ids(&exact), exact.next_before), (vec![2, 1], None));
    }

    #[tokio::test]
    async fn each_index_and_filter_gives_the_same_as_a_full_scan() {
        let (_dir, store) = open();
        seed(&store).await;
        let filters = [
            CaseFilter {
                unit_id: Some("r03-urban_services".into()),
                ..CaseFilter::default()
            },
            CaseFilter {
                unit_id: Some("r03-urban_services".into()),
                open_only: true,
                ..CaseFilter::default()
            },
            CaseFilter {
                unit_id: Some("r03-urban_services".into()),
                status: Some(CaseStatus::Closed),
                ..CaseFilter::default()
            },
            CaseFilter {
                created_by: Some("agent2".into()),
                ..CaseFilter::default()
            },
            CaseFilter {
                status: Some(CaseStatus::Closed),
                ..CaseFilter::default()
            },
            CaseFilter {
                open_only: true,
                ..CaseFilter::default()
            },
            CaseFilter {
                coordination_only: true,
                open_only: true,
                ..CaseFilter::default()
            },
            CaseFilter {
                urgency: Some(Urgency::Urgent),
                region: Some(3),
                topic_id: Some("T1".into()),
                ..CaseFilter::default()
            },
        ];
        let everything = store
            .list_cases(&CaseFilter::default(), None, 100)
            .unwrap()
            .cases;
        for filter in filters {
            let expected: Vec<u64> = everything
                .iter()
                .filter(|c| filter.matches(c))
                .map(|c| c.id)
                .collect();
            assert!(!expected.is_empty(), "{filter:?}");
            let got = store.list_cases(&filter, None, 100).unwrap();
            assert_eq!(ids(&got), expected, "{filter:?}");
        }
        let open = store
            .list_cases(
                &CaseFilter {
                    open_only: true,
                    ..CaseFilter::default()
                },
                None,
                100,
            )
            .unwrap();
        assert_eq!(ids(&open), [10, 8, 7, 5, 4, 2, 1]);
    }

    #[tokio::test]
    async fn history_counts_all_and_returns_the_newest() {
        let (_dir, store) = open();
        seed(&store).await;
        let h = store.caller_history("09130000001", 2).unwrap();
        assert_eq!(h.cases.iter().map(|c| c.id).collect::<Vec<_>>(), [9, 7]);
        assert_eq!((h.total, h.open), (5, 3));
        let none = store.caller_history("09139999999", 20).unwrap();
        assert_eq!((none.cases.len(), none.total, none.open), (0, 0, 0));
    }

    #[tokio::test]
    async fn a_long_walk_ends_early_and_resumes_where_it_stopped() {
        let (_dir, store) = open();
        seed(&store).await;
        let rare = CaseFilter {
            urgency: Some(Urgency::Urgent),
            ..CaseFilter::default()
        };
        // Reading three cases at a time: 10, 9, 8 hold no match, 7 does.
        let first = store.list_cases_within(&rare, None, 5, 3).unwrap();
        assert!(first.cases.is_empty());
        assert_eq!(first.next_before, Some(8));
        let second = store
            .list_cases_within(&rare, first.next_before, 5, 3)
            .unwrap();
        assert_eq!(ids(&second), [7]);
        let mut before = second.next_before;
        let mut rest = Vec::new();
        while let Some(b) = before {
            let page = store.list_cases_within(&rare, Some(b), 5, 3).unwrap();
            rest.extend(ids(&page));
            before = page.next_before;
        }
        assert!(rest.is_empty());
    }
}
