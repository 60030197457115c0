//! Fuzzy topic classification, run on every keystroke of the intake form.
//!
//! Two stages keep it well under a millisecond over a thousand topics:
//! 1. word by word, through an inverted index of every word of every topic's
//!    titles, synonyms and keywords in both languages (exact, stemmed, prefix
//!    for the word being typed, and one-typo matches), so a free description
//!    such as «چراغ روشنايي کوچه خاموشه» finds «روشنایی معابر»;
//! 2. for short queries (someone typing in the topic field), a fuzzy
//!    subsequence match against the titles, limited to titles that contain
//!    every letter of the query.
//!
//! Equal scores are ordered by how often each topic has been used.

use crate::catalog::Topic;
use crate::text::{match_key, words};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use std::collections::HashMap;

const TITLE_WEIGHT: f32 = 1.0;
const SYNONYM_WEIGHT: f32 = 0.85;
const KEYWORD_WEIGHT: f32 = 0.7;
const CATEGORY_WEIGHT: f32 = 0.3;
const STEM_FACTOR: f32 = 0.9;
const TYPO_FACTOR: f32 = 0.6;
/// Descriptions longer than this skip the fuzzy title stage: they are sentences,
/// not a topic being typed.
const FUZZY_MAX_CHARS: usize = 32;
/// A short prefix could match hundreds of words; the first ones are enough.
const PREFIX_EXPANSION_LIMIT: usize = 48;

/// Words that say nothing about the topic.
const STOPWORDS: &[&str] = &[
    "و", "در", "از", "به", "که", "را", "رو", "این", "ان", "با", "برای", "است", "هست", "هستش", "یک",
    "یه", "هم", "تا", "یا", "اما", "ولی", "ما", "من", "شما", "او", "هر", "بر", "نه", "خیلی",
    "لطفا", "سلام", "میشه", "شده", "کرده", "کنید", "کنه", "داره", "دارد", "دارم", "ها", "های",
    "چند", "روز", "the", "a", "an", "of", "in", "on", "at", "to", "is", "are", "for", "and", "or",
    "with", "my", "our", "please", "there", "it", "its", "has", "have",
];

/// Common Persian endings (plural, ezafe, colloquial «است», comparative) and the
/// English plural.
const SUFFIXES: &[&str] = &[
    "هایی", "های", "ها", "ترین", "تر", "ات", "ان", "ی", "ه", "ش", "s",
];

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    /// Index of the topic in the slice the classifier was built from.
    pub index: usize,
    /// 0 to 1.
    pub score: f32,
}

#[derive(Debug, Clone, Copy)]
struct Posting {
    topic: u32,
    weight: f32,
}

#[derive(Debug, Clone)]
struct Entry {
    use_count: u64,
    titles: [String; 2],
    letters: u64,
}

pub struct Classifier {
    entries: Vec<Entry>,
    id_index: HashMap<String, usize>,
    /// Sorted, unique: binary search finds a word and the range of its prefix.
    terms: Vec<String>,
    postings: Vec<Vec<Posting>>,
    matcher: SkimMatcherV2,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("topics", &self.entries.len())
            .field("terms", &self.terms.len())
            .finish()
    }
}

fn is_stopword(w: &str) -> bool {
    STOPWORDS.contains(&w)
}

/// The word without one common ending, if enough of it is left.
fn stems(w: &str) -> impl Iterator<Item = &str> {
    let chars = w.chars().count();
    SUFFIXES.iter().filter_map(move |s| {
        let rest = w.strip_suffix(s)?;
        (chars - s.chars().count() >= 3).then_some(rest)
    })
}

/// A bit per letter (hashed): a title can only fuzzy-match a query whose
/// letters it all contains.
fn letter_mask(s: &str) -> u64 {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .fold(0, |m, c| m | 1 << (c as u32 % 64))
}

/// True when `a` and `b` differ by at most one insertion, deletion,
/// substitution or swap of neighbours.
fn within_one_edit(a: &[char], b: &[char]) -> bool {
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if prefix == la && prefix == lb {
        return true;
    }
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    if la == lb {
        ra[1..] == rb[1..]
            || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
    } else if la > lb {
        ra[1..] == *rb
    } else {
        *ra == rb[1..]
    }
}

impl Classifier {
    pub fn new(topics: &[Topic]) -> Self {
        let mut per_term: HashMap<String, HashMap<u32, f32>> = HashMap::new();
        let mut add = |term: &str, topic: u32, weight: f32| {
            let slot = per_term
                .entry(term.to_owned())
                .or_default()
                .entry(topic)
                .or_insert(0.0);
            *slot = slot.max(weight);
        };
        for (i, t) in topics.iter().enumerate() {
            let i = i as u32;
            let fields = [(&t.title_fa, TITLE_WEIGHT), (&t.title_en, TITLE_WEIGHT)]
                .into_iter()
                .chain(t.synonyms_fa.iter().map(|s| (s, SYNONYM_WEIGHT)))
                .chain(t.synonyms_en.iter().map(|s| (s, SYNONYM_WEIGHT)))
                .chain(t.keywords.iter().map(|s| (s, KEYWORD_WEIGHT)))
                .chain([
                    (&t.category_fa, CATEGORY_WEIGHT),
                    (&t.category_en, CATEGORY_WEIGHT),
                ]);
            for (phrase, weight) in fields {
                let ws: Vec<String> = words(phrase)
                    .into_iter()
                    .filter(|w| !is_stopword(w))
                    .collect();
                for w in &ws {
                    add(w, i, weight);
                    for s in stems(w) {
                        add(s, i, weight * STEM_FACTOR);
                    }
                }
                // «آب گرفتگی» typed with a space still finds «آب‌گرفتگی», and back.
                for pair in ws.windows(2) {
                    add(&format!("{}{}", pair[0], pair[1]), i, weight);
                }
            }
        }
        let mut terms: Vec<(String, HashMap<u32, f32>)> = per_term.into_iter().collect();
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        let (terms, postings) = terms
            .into_iter()
            .map(|(term, topics)| {
                // Words shared by many topics say less about each of them.
                let idf = 1.0 / (1.0 + 0.25 * (topics.len() as f32).ln());
                let mut list: Vec<Posting> = topics
                    .into_iter()
                    .map(|(topic, weight)| Posting {
                        topic,
                        weight: weight * idf,
                    })
                    .collect();
                list.sort_by_key(|p| p.topic);
                (term, list)
            })
            .unzip();
        let entries = topics
            .iter()
            .map(|t| {
                let titles = [match_key(&t.title_fa), match_key(&t.title_en)];
                let letters = letter_mask(&titles[0]) | letter_mask(&titles[1]);
                Entry {
                    use_count: 0,
                    titles,
                    letters,
                }
            })
            .collect();
        let id_index = topics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        Self {
            entries,
            id_index,
            terms,
            postings,
            matcher: SkimMatcherV2::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sets how often a topic has been used; it breaks ties between equal scores.
    pub fn set_use_count(&mut self, topic_id: &str, count: u64) {
        if let Some(&i) = self.id_index.get(topic_id) {
            self.entries[i].use_count = count;
        }
    }

    pub fn record_use(&mut self, topic_id: &str) {
        if let Some(&i) = self.id_index.get(topic_id) {
            self.entries[i].use_count += 1;
        }
    }

    fn term_index(&self, t: &str) -> Option<usize> {
        self.terms.binary_search_by(|x| x.as_str().cmp(t)).ok()
    }

    /// Every (term, strength) that query word `w` matches.
    fn matches(&self, w: &str, typing: bool, out: &mut Vec<(usize, f32)>) {
        out.clear();
        if let Some(i) = self.term_index(w) {
            out.push((i, 1.0));
        }
        for s in stems(w) {
            if let Some(i) = self.term_index(s) {
                out.push((i, STEM_FACTOR));
            }
        }
        let chars = w.chars().count();
        if chars >= 2 {
            // The word being typed is most likely a prefix; a finished word that
            // is only a prefix of a term is weaker evidence.
            let factor = if typing { 1.0 } else { 0.8 };
            let start = self.terms.partition_point(|x| x.as_str() < w);
            for (i, term) in self.terms[start..]
                .iter()
                .enumerate()
                .take_while(|(_, term)| term.starts_with(w))
                .skip_while(|(_, term)| term.as_str() == w)
                .take(PREFIX_EXPANSION_LIMIT)
            {
                let ratio = chars as f32 / term.chars().count() as f32;
                out.push((start + i, factor * (0.55 + 0.4 * ratio)));
            }
        }
        if out.is_empty() && chars >= 4 {
            let wc: Vec<char> = w.chars().collect();
            let mut first = [0u8; 4];
            let head: &str = wc[0].encode_utf8(&mut first);
            let start = self.terms.partition_point(|x| x.as_str() < head);
            let mut buf = Vec::with_capacity(16);
            for (i, term) in self.terms[start..]
                .iter()
                .enumerate()
                .take_while(|(_, t)| t.starts_with(head))
            {
                buf.clear();
                buf.extend(term.chars());
                if within_one_edit(&wc, &buf) {
                    out.push((start + i, TYPO_FACTOR));
                }
            }
        }
    }

    /// The best `limit` topics for `query`, best first.
    pub fn classify(&self, query: &str, limit: usize) -> Vec<Suggestion> {
        let key = match_key(query);
        let typing_last = !query.ends_with(char::is_whitespace);
        let tokens: Vec<&str> = key
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && !is_stopword(w))
            .collect();
        let n = self.entries.len();
        let mut total = vec![0f32; n];
        let mut best = vec![0f32; n];
        let mut touched: Vec<u32> = Vec::new();
        let mut found = Vec::new();
        let mut joined = String::new();
        for (ti, tok) in tokens.iter().enumerate() {
            let typing = typing_last && ti + 1 == tokens.len();
            self.matches(tok, typing, &mut found);
            // Two typed words may be one word of the catalog written apart.
            for other in [
                ti.checked_sub(1).map(|p| (p, ti)),
                (ti + 1 < tokens.len()).then_some((ti, ti + 1)),
            ]
            .into_iter()
            .flatten()
            {
                joined.clear();
                joined.push_str(tokens[other.0]);
                joined.push_str(tokens[other.1]);
                if let Some(i) = self.term_index(&joined) {
                    found.push((i, 1.0));
                }
            }
            for &(term, strength) in &found {
                for p in &self.postings[term] {
                    let slot = &mut best[p.topic as usize];
                    if *slot == 0.0 {
                        touched.push(p.topic);
                    }
                    *slot = slot.max(strength * p.weight);
                }
            }
            for &t in &touched {
                total[t as usize] += best[t as usize];
                best[t as usize] = 0.0;
            }
            touched.clear();
        }
        let words_n = tokens.len().max(1) as f32;
        for s in &mut total {
            *s = (*s / words_n).min(1.0);
        }
        let word_hits = total.iter().filter(|s| **s > 0.0).count();

        let compact = key.chars().count();
        if (2..=FUZZY_MAX_CHARS).contains(&compact) {
            let mask = letter_mask(&key);
            // The subsequence matcher costs most; it only fills in when the
            // words alone found too few topics.
            let fill_in = word_hits < limit;
            for (e, score) in self.entries.iter().zip(total.iter_mut()) {
                if e.letters & mask != mask {
                    continue;
                }
                let fuzzy = e
                    .titles
                    .iter()
                    .filter_map(|title| {
                        if *title == key {
                            return Some(1.0);
                        }
                        if title.starts_with(&key) {
                            return Some(
                                0.75 + 0.2 * compact as f32 / title.chars().count() as f32,
                            );
                        }
                        if !fill_in || *score > 0.0 {
                            return None;
                        }
                        let raw = self.matcher.fuzzy_match(title, &key)?;
                        Some((raw as f32 / (compact as f32 * 24.0)).min(1.0) * 0.7)
                    })
                    .fold(0f32, f32::max);
                *score = score.max(fuzzy);
            }
        }
        let mut scored: Vec<Suggestion> = total
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0.0)
            .map(|(index, &score)| Suggestion { index, score })
            .collect();

        // Scores within a hundredth are equal to a person; usage decides.
        let rank = |s: &Suggestion| (s.score * 100.0).round() as i32;
        scored.sort_by(|a, b| {
            rank(b)
                .cmp(&rank(a))
                .then(
                    self.entries[b.index]
                        .use_count
                        .cmp(&self.entries[a.index].use_count),
                )
                .then(a.index.cmp(&b.index))
        });
        scored.truncate(limit);
        scored
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn top(c: &Classifier, catalog: &Catalog, q: &str) -> Vec<String> {
        c.classify(q, 5)
            .iter()
            .map(|s| catalog.topics[s.index].title_fa.clone())
            .collect()
    }

    fn setup() -> (Catalog, Classifier) {
        let catalog = Catalog::default_catalog().unwrap();
        let c = Classifier::new(&catalog.topics);
        (catalog, c)
    }

    #[test]
    fn a_free_description_in_arabic_letters_finds_street_lighting() {
        let (catalog, c) = setup();
        assert_eq!(
            top(&c, &catalog, "چراغ روشنايي کوچه خاموشه")[0],
            "روشنایی معابر"
        );
    }

    #[test]
    fn typing_a_title_finds_it_at_every_keystroke() {
        let (catalog, c) = setup();
        for q in ["سد مع", "سد معب", "سد معبر", "سدمعبر"] {
            assert_eq!(top(&c, &catalog, q)[0], "سد معبر", "{q}");
        }
        assert_eq!(top(&c, &catalog, "فرونشست")[0], "فرونشست زمین");
        assert_eq!(top(&c, &catalog, "land subsid")[0], "فرونشست زمین");
    }

    #[test]
    fn zwnj_space_or_nothing_are_the_same_word() {
        let (catalog, c) = setup();
        for q in ["آب‌گرفتگی", "آب گرفتگی", "ابگرفتگی"] {
            assert!(
                top(&c, &catalog, q).contains(&"آب‌گرفتگی معابر".to_owned()),
                "{q}"
            );
        }
    }

    #[test]
    fn a_typo_still_matches() {
        let (catalog, c) = setup();
        assert_eq!(top(&c, &catalog, "فرونشصت زمین")[0], "فرونشست زمین");
    }

    #[test]
    fn usage_breaks_ties() {
        let topic = |id: &str, title: &str| Topic {
            id: id.into(),
            category_fa: String::new(),
            category_en: String::new(),
            title_fa: title.into(),
            title_en: String::new(),
            synonyms_fa: vec![],
            synonyms_en: vec![],
            keywords: vec![],
            service_domain: "urban_services".into(),
            kind: crate::model::Kind::Executive,
            default_urgency: crate::model::Urgency::Normal,
        };
        let topics = vec![topic("A", "درخت خشک"), topic("B", "درخت افتاده")];
        let mut c = Classifier::new(&topics);
        assert_eq!(c.classify("درخت", 2)[0].index, 0);
        c.set_use_count("B", 10);
        let ranked = c.classify("درخت", 2);
        assert_eq!(ranked[0].index, 1);
        assert_eq!(ranked[0].score, ranked[1].score);
    }

    #[test]
    fn nothing_for_nothing() {
        let (_, c) = setup();
        assert!(c.classify("", 5).is_empty());
        assert!(c.classify("   ", 5).is_empty());
        assert!(c.classify("zzzzqqq", 5).is_empty());
    }

    #[test]
    fn edits() {
        let v = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(within_one_edit(&v("abcd"), &v("abcd")));
        assert!(within_one_edit(&v("abcd"), &v("abxd")));
        assert!(within_one_edit(&v("abcd"), &v("abd")));
        assert!(within_one_edit(&v("abd"), &v("abcd")));
        assert!(within_one_edit(&v("abcd"), &v("bacd")));
        assert!(!within_one_edit(&v("abcd"), &v("badc")));
        assert!(!within_one_edit(&v("abcd"), &v("ab")));
    }
}
