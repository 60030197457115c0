//! `desk137 classify TEXT`: the topics the intake form would suggest, for
//! scripts, from the shipped catalog and no server.

use desk137_domain::catalog::{Catalog, CatalogError};
use desk137_domain::classify::Classifier;

/// One line a topic, best first: `ID<TAB>title_fa<TAB>title_en<TAB>score`.
pub fn lines(text: &str, limit: usize) -> Result<Vec<String>, CatalogError> {
    let catalog = Catalog::default_catalog()?;
    let classifier = Classifier::new(&catalog.topics);
    Ok(classifier
        .classify(text, limit)
        .into_iter()
        .filter_map(|s| {
            let t = catalog.topics.get(s.index)?;
            Some(format!(
                "{}\t{}\t{}\t{:.2}",
                t.id, t.title_fa, t.title_en, s.score
            ))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_first_with_four_columns() {
        let out = lines("چراغ روشنايي کوچه خاموشه", 5).unwrap();
        assert!(!out.is_empty() && out.len() <= 5);
        let cols: Vec<&str> = out[0].split('\t').collect();
        assert_eq!(cols.len(), 4);
        assert_eq!(cols[1], "روشنایی معابر");
        let score: f32 = cols[3].parse().unwrap();
        assert!(score > 0.0 && score <= 1.0);
        assert_eq!(cols[3].split('.').nth(1).map(str::len), Some(2));
        let scores: Vec<f32> = out
            .iter()
            .map(|l| l.rsplit('\t').next().unwrap().parse().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    }

    #[test]
    fn nothing_matches_nothing() {
        assert!(lines("zzzzqqq", 10).unwrap().is_empty());
        assert!(lines("", 10).unwrap().is_empty());
    }
}
