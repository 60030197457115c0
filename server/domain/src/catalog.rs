//! The catalog: topics, regions and units, and the rule that routes a case to
//! its executive unit. The default catalog ships as CSV files in the repository.

use crate::model::{Kind, Urgency};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub id: String,
    pub category_fa: String,
    pub category_en: String,
    pub title_fa: String,
    pub title_en: String,
    pub synonyms_fa: Vec<String>,
    pub synonyms_en: Vec<String>,
    pub keywords: Vec<String>,
    pub service_domain: String,
    pub kind: Kind,
    pub default_urgency: Urgency,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub number: u32,
    pub name_fa: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitKind {
    Regional,
    External,
    Coordination,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: String,
    pub name_fa: String,
    pub name_en: String,
    pub kind: UnitKind,
    /// 0 for a unit that serves the whole city.
    pub region: u32,
    pub service_domain: String,
}

/// The service domain of informational topics: answered by 137 itself.
pub const INFORMATION_DOMAIN: &str = "information";
/// The general executive unit of a region takes what no specialist unit does.
pub const FALLBACK_DOMAIN: &str = "urban_services";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("{file} line {line}: {reason}")]
    Row {
        file: String,
        line: u64,
        reason: String,
    },
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub topics: Vec<Topic>,
    pub regions: Vec<Region>,
    pub units: Vec<Unit>,
    topic_index: HashMap<String, usize>,
}

pub const DEFAULT_TOPICS_CSV: &str = include_str!("../catalog/topics.csv");
pub const DEFAULT_REGIONS_CSV: &str = include_str!("../catalog/regions.csv");
pub const DEFAULT_UNITS_CSV: &str = include_str!("../catalog/units.csv");

impl Catalog {
    pub fn new(
        topics: Vec<Topic>,
        regions: Vec<Region>,
        units: Vec<Unit>,
    ) -> Result<Self, CatalogError> {
        let mut seen = HashSet::new();
        for t in &topics {
            if !seen.insert(t.id.as_str()) {
                return Err(CatalogError::Invalid(format!(
                    "topic id {} appears twice",
                    t.id
                )));
            }
        }
        let domains: HashSet<&str> = units.iter().map(|u| u.service_domain.as_str()).collect();
        for t in &topics {
            if t.kind == Kind::Executive
                && !domains.contains(t.service_domain.as_str())
                && !domains.contains(FALLBACK_DOMAIN)
            {
                return Err(CatalogError::Invalid(format!(
                    "topic {} needs service domain {} and no unit has it",
                    t.id, t.service_domain
                )));
            }
        }
        let topic_index = topics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        Ok(Self {
            topics,
            regions,
            units,
            topic_index,
        })
    }

    /// The catalog that ships with desk137.
    pub fn default_catalog() -> Result<Self, CatalogError> {
        Self::new(
            parse_topics("topics.csv", DEFAULT_TOPICS_CSV)?,
            parse_regions("regions.csv", DEFAULT_REGIONS_CSV)?,
            parse_units("units.csv", DEFAULT_UNITS_CSV)?,
        )
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topic_index.get(id).map(|&i| &self.topics[i])
    }

    pub fn region(&self, number: u32) -> Option<&Region> {
        self.regions.iter().find(|r| r.number == number)
    }

    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The Operations Coordination Center, which follows urgent cases.
    pub fn coordination_unit(&self) -> Option<&Unit> {
        self.units.iter().find(|u| u.kind == UnitKind::Coordination)
    }

    /// The executive unit for a topic in a region: the region's own unit for the
    /// topic's service domain; else a city-wide unit or outside organisation of
    /// that domain; else the region's general urban-services unit. Informational
    /// topics go to no unit.
    pub fn route(&self, topic: &Topic, region: u32) -> Option<&Unit> {
        if topic.kind == Kind::Informational {
            return None;
        }
        let executive = |u: &&Unit| u.kind != UnitKind::Coordination;
        self.units
            .iter()
            .filter(executive)
            .find(|u| u.region == region && u.service_domain == topic.service_domain)
            .or_else(|| {
                self.units
                    .iter()
                    .filter(executive)
                    .find(|u| u.region == 0 && u.service_domain == topic.service_domain)
            })
            .or_else(|| {
                self.units
                    .iter()
                    .filter(executive)
                    .find(|u| u.region == region && u.service_domain == FALLBACK_DOMAIN)
            })
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads CSV rows, giving each its 1-based line number. A malformed row fails
/// the whole file, so nothing is half-read.
fn rows<'a>(
    file: &'a str,
    text: &'a str,
    columns: &'a [&'a str],
) -> Result<Vec<(u64, csv::StringRecord)>, CatalogError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| CatalogError::Row {
        file: file.into(),
        line: 1,
        reason: e.to_string(),
    })?;
    let got: Vec<&str> = header.iter().collect();
    if got != columns {
        return Err(CatalogError::Row {
            file: file.into(),
            line: 1,
            reason: format!("the header must be {}", columns.join(",")),
        });
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| CatalogError::Row {
            file: file.into(),
            line: e.position().map_or(0, |p| p.line()),
            reason: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        out.push((line, record));
    }
    Ok(out)
}

fn row_error(file: &str, line: u64, reason: impl Into<String>) -> CatalogError {
    CatalogError::Row {
        file: file.into(),
        line,
        reason: reason.into(),
    }
}

const TOPIC_COLUMNS: [&str; 11] = [
    "id",
    "category_fa",
    "category_en",
    "title_fa",
    "title_en",
    "synonyms_fa",
    "synonyms_en",
    "keywords",
    "service_domain",
    "kind",
    "default_urgency",
];

pub fn parse_topics(file: &str, text: &str) -> Result<Vec<Topic>, CatalogError> {
    let mut topics = Vec::new();
    let mut ids = HashSet::new();
    for (line, r) in rows(file, text, &TOPIC_COLUMNS)? {
        let field = |i: usize| r.get(i).unwrap_or_default().to_owned();
        let id = field(0);
        if id.is_empty() {
            return Err(row_error(file, line, "id is empty"));
        }
        if !ids.insert(id.clone()) {
            return Err(row_error(file, line, format!("id {id} appears twice")));
        }
        for (i, name) in [(3, "title_fa"), (4, "title_en"), (8, "service_domain")] {
            if field(i).is_empty() {
                return Err(row_error(file, line, format!("{name} is empty")));
            }
        }
        let kind = match field(9).as_str() {
            "executive" => Kind::Executive,
            "informational" => Kind::Informational,
            other => {
                return Err(row_error(
                    file,
                    line,
                    format!("kind must be executive or informational, not {other:?}"),
                ));
            }
        };
        let default_urgency = match field(10).as_str() {
            "normal" => Urgency::Normal,
            "urgent" => Urgency::Urgent,
            other => {
                return Err(row_error(
                    file,
                    line,
                    format!("default_urgency must be normal or urgent, not {other:?}"),
                ));
            }
        };
        topics.push(Topic {
            id,
            category_fa: field(1),
            category_en: field(2),
            title_fa: field(3),
            title_en: field(4),
            synonyms_fa: split_list(&field(5)),
            synonyms_en: split_list(&field(6)),
            keywords: split_list(&field(7)),
            service_domain: field(8),
            kind,
            default_urgency,
        });
    }
    if topics.is_empty() {
        return Err(CatalogError::Invalid(format!("{file} has no topics")));
    }
    Ok(topics)
}

pub fn parse_regions(file: &str, text: &str) -> Result<Vec<Region>, CatalogError> {
    rows(file, text, &["number", "name_fa", "name_en"])?
        .into_iter()
        .map(|(line, r)| {
            let number = r
                .get(0)
                .unwrap_or_default()
                .parse()
                .map_err(|_| row_error(file, line, "number must be a whole number"))?;
            Ok(Region {
                number,
                name_fa: r.get(1).unwrap_or_default().to_owned(),
                name_en: r.get(2).unwrap_or_default().to_owned(),
            })
        })
        .collect()
}

pub fn parse_units(file: &str, text: &str) -> Result<Vec<Unit>, CatalogError> {
    let columns = [
        "id",
        "name_fa",
        "name_en",
        "kind",
        "region",
        "service_domain",
    ];
    rows(file, text, &columns)?
        .into_iter()
        .map(|(line, r)| {
            let field = |i: usize| r.get(i).unwrap_or_default().to_owned();
            let kind = match field(3).as_str() {
                "regional" => UnitKind::Regional,
                "external" => UnitKind::External,
                "coordination" => UnitKind::Coordination,
                other => {
                    return Err(row_error(
                        file,
                        line,
                        format!("unknown unit kind {other:?}"),
                    ));
                }
            };
            let region = field(4)
                .parse()
                .map_err(|_| row_error(file, line, "region must be a whole number"))?;
            Ok(Unit {
                id: field(0),
                name_fa: field(1),
                name_en: field(2),
                kind,
                region,
                service_domain: field(5),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_catalog_loads_and_routes() {
        let c = Catalog::default_catalog().unwrap();
        assert!(c.topics.len() >= 150, "{} topics", c.topics.len());
        assert_eq!(c.regions.len(), 15);
        assert!(c.coordination_unit().is_some());
        for title in [
            "سد معبر",
            "فرونشست زمین",
            "خطر سقوط اشیا",
            "آب‌گرفتگی معابر",
            "روشنایی معابر",
            "جمع‌آوری زباله",
        ] {
            assert!(c.topics.iter().any(|t| t.title_fa == title), "{title}");
        }
        // Every executive topic reaches a unit in every region.
        for t in c.topics.iter().filter(|t| t.kind == Kind::Executive) {
            for r in &c.regions {
                assert!(c.route(t, r.number).is_some(), "{} in {}", t.id, r.number);
            }
        }
        let subsidence = c
            .topics
            .iter()
            .find(|t| t.title_fa == "فرونشست زمین")
            .unwrap();
        assert_eq!(subsidence.default_urgency, Urgency::Urgent);
    }

    #[test]
    fn a_bad_row_names_its_line_and_nothing_is_returned() {
        let csv = format!(
            "{}\nT1,c,c,a,a,,,,urban_services,executive,normal\nT2,c,c,b,b,,,,urban_services,sometimes,normal\n",
            TOPIC_COLUMNS.join(",")
        );
        let err = parse_topics("x.csv", &csv).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.csv line 3: kind must be executive or informational, not \"sometimes\""
        );
        let dup = format!(
            "{}\nT1,c,c,a,a,,,,d,executive,normal\nT1,c,c,b,b,,,,d,executive,normal\n",
            TOPIC_COLUMNS.join(",")
        );
        assert_eq!(
            parse_topics("x.csv", &dup).unwrap_err().to_string(),
            "x.csv line 3: id T1 appears twice"
        );
        assert!(
            parse_topics("x.csv", "id,title\n")
                .unwrap_err()
                .to_string()
                .contains("line 1")
        );
    }
}
