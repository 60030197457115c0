//! The catalog on disk (topics, regions and units in their file order) and
//! how often each topic has been used.

use super::{Result, Store, StoreError, Trees, codec, keys};
use crate::domain::catalog::{Catalog, Region, Topic, Unit};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use std::collections::HashMap;

/// What an import of topics did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOutcome {
    pub topics_before: usize,
    pub topics_after: usize,
    /// The store had no catalog: the default regions and units were stored
    /// with the imported topics.
    pub installed_defaults: bool,
}

fn read_all<T: DeserializeOwned>(tree: &sled::Tree) -> Result<Vec<T>> {
    tree.iter()
        .values()
        .map(|v| Ok(codec::decode(&v?)?))
        .collect()
}

fn encode_all<T: Serialize>(rows: &[T]) -> Result<Vec<([u8; 4], Vec<u8>)>> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| Ok((keys::position(i), codec::encode(row)?)))
        .collect()
}

/// Replaces every row of one tree inside a transaction.
fn replace_rows(
    tree: &TransactionalTree,
    old_len: usize,
    rows: &[([u8; 4], Vec<u8>)],
) -> std::result::Result<(), ConflictableTransactionError<StoreError>> {
    for i in rows.len()..old_len {
        tree.remove(&keys::position(i))?;
    }
    for (key, value) in rows {
        tree.insert(key, value.as_slice())?;
    }
    Ok(())
}

fn write_catalog(trees: &Trees, catalog: &Catalog) -> Result<()> {
    let topics = encode_all(&catalog.topics)?;
    let regions = encode_all(&catalog.regions)?;
    let units = encode_all(&catalog.units)?;
    let old = (trees.topics.len(), trees.regions.len(), trees.units.len());
    (&trees.topics, &trees.regions, &trees.units)
        .transaction(|(t, r, u)| {
            replace_rows(t, old.0, &topics)?;
            replace_rows(r, old.1, &regions)?;
            replace_rows(u, old.2, &units)?;
            Ok(())
        })
        .map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Sled(e),
        })
}

impl Store {
    /// The stored catalog, or `None` if none was ever stored.
    pub fn load_catalog(&self) -> Result<Option<Catalog>> {
        let t = self.trees();
        if t.topics.is_empty() {
            return Ok(None);
        }
        let catalog = Catalog::new(
            read_all(&t.topics)?,
            read_all(&t.regions)?,
            read_all(&t.units)?,
        )?;
        Ok(Some(catalog))
    }

    /// Stores a whole catalog in one transaction, replacing what was there,
    /// and flushes.
    pub fn save_catalog(&self, catalog: &Catalog) -> Result<()> {
        write_catalog(self.trees(), catalog)?;
        self.flush()
    }

    /// Replaces every topic at once. The topics must make a valid catalog
    /// with the stored regions and units (the default ones if the store has
    /// none yet); otherwise nothing changes. Flushes before returning.
    pub fn import_topics(&self, topics: Vec<Topic>) -> Result<ImportOutcome> {
        let t = self.trees();
        let topics_before = t.topics.len();
        let regions: Vec<Region> = read_all(&t.regions)?;
        let units: Vec<Unit> = read_all(&t.units)?;
        let installed_defaults = regions.is_empty() || units.is_empty();
        let catalog = if installed_defaults {
            let defaults = Catalog::default_catalog()?;
            Catalog::new(topics, defaults.regions, defaults.units)?
        } else {
            Catalog::new(topics, regions, units)?
        };
        if installed_defaults {
            write_catalog(t, &catalog)?;
        } else {
            let mut batch = sled::Batch::default();
            for i in catalog.topics.len()..topics_before {
                batch.remove(&keys::position(i));
            }
            for (key, value) in encode_all(&catalog.topics)? {
                batch.insert(&key, value);
            }
            t.topics.apply_batch(batch)?;
        }
        self.flush()?;
        Ok(ImportOutcome {
            topics_before,
            topics_after: catalog.topics.len(),
            installed_defaults,
        })
    }

    /// How many cases used each topic; topics never used are absent.
    pub fn topic_usage(&self) -> Result<HashMap<String, u64>> {
        self.trees()
            .topic_usage
            .iter()
            .map(|entry| {
                let (key, value) = entry?;
                let id = String::from_utf8(key.to_vec())
                    .map_err(|_| StoreError::Corrupt("a topic id that is not UTF-8".into()))?;
                Ok((id, codec::decode(&value)?))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::open;
    use super::*;
    use crate::domain::catalog::CatalogError;

    #[test]
    fn a_stored_catalog_comes_back_in_file_order() {
        let (_dir, store) = open();
        assert!(store.load_catalog().unwrap().is_none());
        let catalog = Catalog::default_catalog().unwrap();
        store.save_catalog(&catalog).unwrap();
        let back = store.load_catalog().unwrap().unwrap();
        assert_eq!(back.topics, catalog.topics);
        assert_eq!(back.regions, catalog.regions);
        assert_eq!(back.units, catalog.units);
    }

    #[test]
    fn an_import_replaces_all_topics_or_changes_nothing() {
        let (_dir, store) = open();
        let catalog = Catalog::default_catalog().unwrap();
        store.save_catalog(&catalog).unwrap();
        let few: Vec<Topic> = catalog.topics.iter().take(3).cloned().collect();
        let outcome = store.import_topics(few.clone()).unwrap();
        assert_eq!(outcome.topics_before, catalog.topics.len());
        assert_eq!(outcome.topics_after, 3);
        assert!(!outcome.installed_defaults);
        assert_eq!(store.load_catalog().unwrap().unwrap().topics, few);

        let mut twice = few.clone();
        twice.push(few[0].clone());
        assert!(matches!(
            store.import_topics(twice),
            Err(StoreError::Catalog(CatalogError::Invalid(_)))
        ));
        assert_eq!(store.load_catalog().unwrap().unwrap().topics, few);
    }

    #[test]
    fn an_import_into_an_empty_store_brings_the_default_regions_and_units() {
        let (_dir, store) = open();
        let defaults = Catalog::default_catalog().unwrap();
        let outcome = store.import_topics(defaults.topics[..5].to_vec()).unwrap();
        assert!(outcome.installed_defaults);
        let back = store.load_catalog().unwrap().unwrap();
        assert_eq!(back.topics.len(), 5);
        assert_eq!(back.units, defaults.units);
    }
}
