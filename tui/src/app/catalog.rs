//! The client's copy of the catalog, as the server sent it: topics for the
//! classifier, regions for the region field, units to preview routing with
//! the same rule the server applies.

use desk137_domain::catalog::{Catalog, Region, Topic, Unit, UnitKind};
use desk137_domain::classify::Classifier;
use desk137_domain::text::match_key;
use desk137_proto::v1 as pb;
use std::collections::HashMap;

/// How many topics the form suggests at most.
pub const TOPIC_SUGGESTIONS: usize = 5;
/// How many regions the form suggests at most.
pub const REGION_SUGGESTIONS: usize = 5;

#[derive(Debug, Default)]
pub struct ClientCatalog {
    pub topics: Vec<Topic>,
    pub regions: Vec<Region>,
    pub units: Vec<Unit>,
    topic_index: HashMap<String, usize>,
    classifier: Option<Classifier>,
    /// Built once topics, regions and units have all arrived.
    routing: Option<Catalog>,
    loaded: [bool; 3],
}

/// Rows the contract refuses (an unknown kind, say) are left out rather
/// than guessed at; the setters say how many.
fn known<P, T: TryFrom<P>>(rows: Vec<P>, what: &str) -> (Vec<T>, usize) {
    let total = rows.len();
    let kept: Vec<T> = rows
        .into_iter()
        .filter_map(|r| T::try_from(r).ok())
        .collect();
    let skipped = total - kept.len();
    if skipped > 0 {
        tracing::warn!(skipped, what, "catalog rows this client cannot read");
    }
    (kept, skipped)
}

/// A scored topic suggestion: `index` into [`ClientCatalog::topics`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicHit {
    pub index: usize,
    pub score: f32,
}

impl ClientCatalog {
    /// Takes the topics the server sent; returns how many were skipped.
    pub fn set_topics(&mut self, topics: Vec<pb::Topic>) -> usize {
        let counts: Vec<(String, u64)> =
            topics.iter().map(|t| (t.id.clone(), t.use_count)).collect();
        let (topics, skipped) = known(topics, "topics");
        self.topics = topics;
        self.topic_index = self
            .topics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let mut classifier = Classifier::new(&self.topics);
        for (id, n) in counts {
            classifier.set_use_count(&id, n);
        }
        self.classifier = Some(classifier);
        self.loaded[0] = true;
        self.rebuild_routing();
        skipped
    }

    pub fn set_regions(&mut self, regions: Vec<pb::Region>) -> usize {
        self.regions = regions.into_iter().map(Region::from).collect();
        self.regions.sort_by_key(|r| r.number);
        self.loaded[1] = true;
        self.rebuild_routing();
        0
    }

    /// Takes the units the server sent; returns how many were skipped.
    pub fn set_units(&mut self, units: Vec<pb::Unit>) -> usize {
        let (units, skipped) = known(units, "units");
        self.units = units;
        self.loaded[2] = true;
        self.rebuild_routing();
        skipped
    }

    fn rebuild_routing(&mut self) {
        if self.loaded.iter().all(|l| *l) {
            // A catalog the domain rules refuse still serves suggestions; the
            // form then shows the service domain instead of the unit.
            self.routing = Catalog::new(
                self.topics.clone(),
                self.regions.clone(),
                self.units.clone(),
            )
            .ok();
        }
    }

    pub fn has_topics(&self) -> bool {
        self.loaded[0]
    }

    pub fn is_complete(&self) -> bool {
        self.loaded.iter().all(|l| *l)
    }

    /// The full catalog, for routing and validating like the server does.
    pub fn routing(&self) -> Option<&Catalog> {
        self.routing.as_ref()
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topic_index.get(id).and_then(|&i| self.topics.get(i))
    }

    pub fn region(&self, number: u32) -> Option<&Region> {
        self.regions.iter().find(|r| r.number == number)
    }

    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    pub fn coordination_unit(&self) -> Option<&Unit> {
        self.units.iter().find(|u| u.kind == UnitKind::Coordination)
    }

    /// The executive unit a case would go to; the server decides for real.
    pub fn route(&self, topic_id: &str, region: u32) -> Option<&Unit> {
        let catalog = self.routing.as_ref()?;
        catalog.route(catalog.topic(topic_id)?, region)
    }

    pub fn suggest_topics(&self, query: &str) -> Vec<TopicHit> {
        let Some(c) = &self.classifier else {
            return Vec::new();
        };
        c.classify(query, TOPIC_SUGGESTIONS)
            .into_iter()
            .map(|s| TopicHit {
                index: s.index,
                score: s.score,
            })
            .collect()
    }

    /// Regions for what was typed in the region field: a number in any
    /// digits («۳», "3"), or a name in Persian or English. Exact matches first.
    pub fn suggest_regions(&self, query: &str) -> Vec<u32> {
        let key = match_key(query);
        if key.is_empty() {
            return Vec::new();
        }
        let digits: String = key.chars().filter(char::is_ascii_digit).collect();
        let words: String = key.chars().filter(|c| !c.is_ascii_digit()).collect();
        let words = words.trim();
        let mut hits: Vec<(u8, u32)> = self
            .regions
            .iter()
            .filter_map(|r| {
                let names = [match_key(&r.name_fa), match_key(&r.name_en)];
                let number = r.number.to_string();
                let rank = if names.contains(&key) || (words.is_empty() && digits == number) {
                    0
                } else if !digits.is_empty() && digits == number {
                    // "منطقه 3": the number decides, the word is the usual prefix.
                    let word_fits = words.is_empty() || names.iter().any(|n| n.contains(words));
                    if word_fits { 0 } else { 2 }
                } else if (!digits.is_empty() && number.starts_with(&digits))
                    || (digits.is_empty() && names.iter().any(|n| n.contains(&key)))
                {
                    1
                } else {
                    return None;
                };
                Some((rank, r.number))
            })
            .collect();
        hits.sort();
        hits.into_iter()
            .take(REGION_SUGGESTIONS)
            .map(|(_, n)| n)
            .collect()
    }

    /// The region the typed text names without doubt, if any.
    pub fn exact_region(&self, query: &str) -> Option<u32> {
        let key = match_key(query);
        let digits: String = key.chars().filter(char::is_ascii_digit).collect();
        let first = *self.suggest_regions(query).first()?;
        let region = self.region(first)?;
        let exact = [match_key(&region.name_fa), match_key(&region.name_en)].contains(&key)
            || digits == first.to_string();
        exact.then_some(first)
    }

    /// The topic whose title is exactly what was typed, if any.
    pub fn exact_topic(&self, query: &str) -> Option<usize> {
        let key = match_key(query);
        if key.is_empty() {
            return None;
        }
        self.topics
            .iter()
            .position(|t| match_key(&t.title_fa) == key || match_key(&t.title_en) == key)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use desk137_domain::catalog::Catalog;
    use desk137_proto::convert;

    /// The shipped catalog as the server would send it.
    pub fn shipped() -> ClientCatalog {
        let c = Catalog::default_catalog().unwrap();
        let mut cc = ClientCatalog::default();
        cc.set_topics(
            c.topics
                .iter()
                .map(|t| convert::topic_to_pb(t, 0))
                .collect(),
        );
        cc.set_regions(c.regions.iter().map(convert::region_to_pb).collect());
        cc.set_units(c.units.iter().map(convert::unit_to_pb).collect());
        cc
    }

    #[test]
    fn regions_by_number_or_name_in_any_digits() {
        let c = shipped();
        assert_eq!(c.suggest_regions("3").first(), Some(&3));
        assert_eq!(c.suggest_regions("۳").first(), Some(&3));
        assert_eq!(c.suggest_regions("منطقه ۱۲").first(), Some(&12));
        assert_eq!(c.suggest_regions("region 5").first(), Some(&5));
        assert_eq!(c.suggest_regions("1"), vec![1, 10, 11, 12, 13]);
        assert!(c.suggest_regions("99").is_empty());
        assert!(c.suggest_regions("").is_empty());
        assert_eq!(c.exact_region("۷"), Some(7));
        assert_eq!(c.exact_region("1"), Some(1));
        assert_eq!(c.exact_region("منط"), None);
    }

    #[test]
    fn routing_follows_the_domain_rule() {
        let c = shipped();
        assert!(c.is_complete());
        let t = c.topics.iter().find(|t| t.title_fa == "سد معبر").unwrap();
        let unit = c.route(&t.id, 3).unwrap();
        let domain = Catalog::default_catalog().unwrap();
        assert_eq!(Some(unit), domain.route(domain.topic(&t.id).unwrap(), 3));
        assert!(c.coordination_unit().is_some());
    }

    #[test]
    fn rows_of_an_unknown_kind_are_skipped_and_counted() {
        let c = Catalog::default_catalog().unwrap();
        let mut topics: Vec<pb::Topic> = c
            .topics
            .iter()
            .map(|t| convert::topic_to_pb(t, 0))
            .collect();
        topics[0].kind = 99;
        topics[1].kind = pb::Kind::Unspecified as i32;
        let first = topics[0].id.clone();
        let mut cc = ClientCatalog::default();
        assert_eq!(cc.set_topics(topics), 2);
        assert_eq!(cc.topics.len(), c.topics.len() - 2);
        assert!(cc.topic(&first).is_none(), "never guessed executive");
        let mut units: Vec<pb::Unit> = c.units.iter().map(convert::unit_to_pb).collect();
        units[0].kind = 42;
        assert_eq!(cc.set_units(units), 1);
        assert_eq!(cc.units.len(), c.units.len() - 1);
    }

    #[test]
    fn topics_are_suggested_and_found_by_title() {
        let c = shipped();
        let hits = c.suggest_topics("سد معب");
        assert_eq!(c.topics[hits[0].index].title_fa, "سد معبر");
        assert_eq!(c.exact_topic(" سد  معبر "), Some(hits[0].index));
        assert_eq!(c.exact_topic("سد"), None);
    }
}
