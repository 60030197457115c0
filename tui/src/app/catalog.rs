//! The client's copy of the catalog, as the server sent it: topics for the
//! classifier, regions for the region field, units to preview routing with
//! the same rule the server applies.

use desk137_domain::catalog::{Catalog, Region, Topic, Unit, UnitKind};
use desk137_domain::classify::Classifier;
use desk137_domain::model::{Kind, Urgency};
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

pub fn kind_from_pb(k: i32) -> Kind {
    match pb::Kind::try_from(k) {
        Ok(pb::Kind::Informational) => Kind::Informational,
        _ => Kind::Executive,
    }
}

pub fn urgency_from_pb(u: i32) -> Urgency {
    match pb::Urgency::try_from(u) {
        Ok(pb::Urgency::Urgent) => Urgency::Urgent,
        _ => Urgency::Normal,
    }
}

fn topic_from_pb(t: pb::Topic) -> Topic {
    Topic {
        kind: kind_from_pb(t.kind),
        default_urgency: urgency_from_pb(t.default_urgency),
        id: t.id,
        category_fa: t.category_fa,
        category_en: t.category_en,
        title_fa: t.title_fa,
        title_en: t.title_en,
        synonyms_fa: t.synonyms_fa,
        synonyms_en: t.synonyms_en,
        keywords: t.keywords,
        service_domain: t.service_domain,
    }
}

fn unit_from_pb(u: pb::Unit) -> Unit {
    let kind = match pb::UnitKind::try_from(u.kind) {
        Ok(pb::UnitKind::External) => UnitKind::External,
        Ok(pb::UnitKind::Coordination) => UnitKind::Coordination,
        _ => UnitKind::Regional,
    };
    Unit {
        id: u.id,
        name_fa: u.name_fa,
        name_en: u.name_en,
        kind,
        region: u.region,
        service_domain: u.service_domain,
    }
}

/// A scored topic suggestion: `index` into [`ClientCatalog::topics`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicHit {
    pub index: usize,
    pub score: f32,
}

impl ClientCatalog {
    pub fn set_topics(&mut self, topics: Vec<pb::Topic>) {
        let counts: Vec<(String, u64)> =
            topics.iter().map(|t| (t.id.clone(), t.use_count)).collect();
        self.topics = topics.into_iter().map(topic_from_pb).collect();
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
    }

    pub fn set_regions(&mut self, regions: Vec<pb::Region>) {
        self.regions = regions
            .into_iter()
            .map(|r| Region {
                number: r.number,
                name_fa: r.name_fa,
                name_en: r.name_en,
            })
            .collect();
        self.regions.sort_by_key(|r| r.number);
        self.loaded[1] = true;
        self.rebuild_routing();
    }

    pub fn set_units(&mut self, units: Vec<pb::Unit>) {
        self.units = units.into_iter().map(unit_from_pb).collect();
        self.loaded[2] = true;
        self.rebuild_routing();
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
    fn topics_are_suggested_and_found_by_title() {
        let c = shipped();
        let hits = c.suggest_topics("سد معب");
        assert_eq!(c.topics[hits[0].index].title_fa, "سد معبر");
        assert_eq!(c.exact_topic(" سد  معبر "), Some(hits[0].index));
        assert_eq!(c.exact_topic("سد"), None);
    }
}
