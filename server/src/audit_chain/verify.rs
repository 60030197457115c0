//! `desk137-server audit verify`: walks a stopped store's audit log link by
//! link and compares its end with the checkpoint. It only reads: nothing of
//! the store is sealed, migrated or rewritten on the way.

use super::{ChainKey, GENESIS, HASH_BYTES, Head};
use crate::store::audit::{AuditRecord, SEQ_COUNTER};
use std::path::Path;

/// One thing found wrong, named by the sequence where it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The entry's bytes no longer match its link: edited (or never sealed).
    Edited { seq: u64 },
    /// Entries `first..=last` are gone from the middle of the log.
    Removed { first: u64, last: u64 },
    /// The entry at position `at` is entry `holds`: entries were reordered.
    Moved { at: u64, holds: u64 },
    /// The entry at `seq` does not decode.
    Unreadable { seq: u64 },
    /// The log ends at `last`, but `witness` saw it reach `expected`.
    Truncated {
        last: u64,
        expected: u64,
        witness: &'static str,
    },
    /// The entry at the checkpoint's sequence has another hash: the log was
    /// rewritten up to there.
    CheckpointDiffers { seq: u64 },
    /// Entries exist but no checkpoint does: a cut tail cannot be ruled out.
    NoCheckpoint,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Edited { seq } => write!(f, "entry {seq}: edited (its hash does not match)"),
            Self::Removed { first, last } if first == last => {
                write!(f, "entry {first}: removed")
            }
            Self::Removed { first, last } => write!(f, "entries {first} to {last}: removed"),
            Self::Moved { at, holds } => {
                write!(f, "entry {at}: reordered (its place holds entry {holds})")
            }
            Self::Unreadable { seq } => write!(f, "entry {seq}: unreadable"),
            Self::Truncated {
                last,
                expected,
                witness,
            } => write!(
                f,
                "entry {}: truncated (the log ends at {last}, {witness} reached {expected})",
                last + 1
            ),
            Self::CheckpointDiffers { seq } => write!(
                f,
                "entry {seq}: rewritten (its hash differs from the checkpoint's)"
            ),
            Self::NoCheckpoint => {
                f.write_str("no checkpoint beside the store: a truncated tail cannot be ruled out")
            }
        }
    }
}

/// What a walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub entries: u64,
    /// The last entry's sequence and stored hash.
    pub head: Head,
    pub checkpoint: Option<Head>,
    /// In the order found: the first is the first wrong entry.
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Walks the `audit` tree in order and checks every link, the store's own
/// counter and `checkpoint`.
pub fn verify(
    audit: &sled::Tree,
    counters: &sled::Tree,
    key: &ChainKey,
    checkpoint: Option<Head>,
) -> sled::Result<Report> {
    let mut problems = Vec::new();
    let mut prev = GENESIS;
    // False after a problem: the next entry's link cannot be judged.
    let mut linked = true;
    let mut expected = 1u64;
    let mut entries = 0u64;
    let mut head = Head::default();
    for item in audit.iter() {
        let (k, v) = item?;
        let Some(seq) = crate::store::keys::id_suffix(&k).filter(|_| k.len() == 8) else {
            problems.push(Problem::Unreadable { seq: expected });
            linked = false;
            continue;
        };
        entries += 1;
        if seq > expected {
            problems.push(Problem::Removed {
                first: expected,
                last: seq - 1,
            });
            linked = false;
        }
        expected = seq.saturating_add(1);
        let Ok((entry, record)) = AuditRecord::from_bytes(&v).and_then(|r| Ok((r.entry()?, r)))
        else {
            problems.push(Problem::Unreadable { seq });
            linked = false;
            continue;
        };
        let stored: Option<[u8; HASH_BYTES]> = record.hash.as_slice().try_into().ok();
        if record.seq != seq {
            problems.push(Problem::Moved {
                at: seq,
                holds: record.seq,
            });
            linked = false;
        } else if stored.is_none() || (linked && stored != Some(key.link(&prev, seq, &entry))) {
            problems.push(Problem::Edited { seq });
        } else {
            linked = true;
        }
        let hash = stored.unwrap_or(GENESIS);
        if let Some(cp) = checkpoint
            && cp.seq == seq
            && cp.hash != hash
        {
            problems.push(Problem::CheckpointDiffers { seq });
        }
        prev = hash;
        head = Head { seq, hash };
    }
    let counter: u64 = counters
        .get(SEQ_COUNTER)?
        .and_then(|b| crate::store::codec::decode(&b).ok())
        .unwrap_or(0);
    if counter > head.seq {
        problems.push(Problem::Truncated {
            last: head.seq,
            expected: counter,
            witness: "the store's counter",
        });
    }
    match checkpoint {
        Some(cp) if cp.seq > head.seq => problems.push(Problem::Truncated {
            last: head.seq,
            expected: cp.seq,
            witness: "the checkpoint",
        }),
        Some(_) => {}
        None if entries > 0 => problems.push(Problem::NoCheckpoint),
        None => {}
    }
    Ok(Report {
        entries,
        head,
        checkpoint,
        problems,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{0} holds no store")]
    NoStore(String),
    #[error(
        "the store in {0} is open in a running server (it holds the store's lock): stop the server first, or verify a copy"
    )]
    Locked(String),
    #[error("opening the store in {path}: {source}")]
    Sled {
        path: String,
        #[source]
        source: sled::Error,
    },
}

/// Opens a stopped server's store for reading its log, without creating
/// one where there is none.
pub fn open_stopped(dir: &Path) -> Result<(sled::Db, sled::Tree, sled::Tree), OpenError> {
    let shown = dir.display().to_string();
    if !dir.join("conf").is_file() {
        return Err(OpenError::NoStore(shown));
    }
    let db = sled::Config::new().path(dir).open().map_err(|e| match e {
        sled::Error::Io(ref io) if io.to_string().contains("could not acquire lock") => {
            OpenError::Locked(shown.clone())
        }
        source => OpenError::Sled {
            path: shown.clone(),
            source,
        },
    })?;
    let sled_error = |source| OpenError::Sled {
        path: shown.clone(),
        source,
    };
    let audit = db.open_tree("audit").map_err(sled_error)?;
    let counters = db.open_tree("counters").map_err(sled_error)?;
    Ok((db, audit, counters))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::{AuditAction, AuditEntry};
    use crate::secrets::Key;
    use crate::store::{Store, StoreOptions, keys};

    fn entry(n: u64) -> AuditEntry {
        AuditEntry {
            at_ms: 1_700_000_000_000 + n as i64,
            actor: "supervisor1".into(),
            role: Some(crate::domain::model::Role::Supervisor),
            action: AuditAction::AuditRead,
            citizen_id: String::new(),
            case_id: n,
            case_number: String::new(),
            reason: format!("read {n}"),
        }
    }

    fn key() -> ChainKey {
        ChainKey::new(&Key([3; 32]))
    }

    /// A stopped store of five entries, and its head.
    async fn five(dir: &Path) -> Head {
        let mut secrets = crate::secrets::Secrets::ephemeral().unwrap();
        secrets.audit = Key([3; 32]);
        let store = Store::open_keyed(
            dir,
            StoreOptions::default(),
            None,
            std::sync::Arc::new(secrets),
        )
        .unwrap();
        store.audit(vec![entry(1), entry(2)]).await.unwrap();
        store
            .audit(vec![entry(3), entry(4), entry(5)])
            .await
            .unwrap();
        let head = store.audit_head().unwrap();
        store.close().unwrap();
        drop(store);
        head
    }

    fn check(dir: &Path, checkpoint: Option<Head>) -> Report {
        let (_db, audit, counters) = loop {
            match open_stopped(dir) {
                Err(OpenError::Locked(_)) => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                other => break other.unwrap(),
            }
        };
        verify(&audit, &counters, &key(), checkpoint).unwrap()
    }

    fn tamper(dir: &Path, f: impl FnOnce(&sled::Tree, &sled::Tree)) {
        let (db, audit, counters) = loop {
            match open_stopped(dir) {
                Err(OpenError::Locked(_)) => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                other => break other.unwrap(),
            }
        };
        f(&audit, &counters);
        db.flush().unwrap();
    }

    #[tokio::test]
    async fn an_intact_log_verifies_and_each_tampering_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let head = five(dir.path()).await;
        assert_eq!(head.seq, 5);
        let report = check(dir.path(), Some(head));
        assert!(report.intact(), "{:?}", report.problems);
        assert_eq!((report.entries, report.head), (5, head));
        assert_eq!(check(dir.path(), None).problems, [Problem::NoCheckpoint]);
        // With another key nothing links.
        let (_db, audit, counters) = open_stopped(dir.path()).unwrap();
        let wrong = verify(&audit, &counters, &ChainKey::unkeyed(), Some(head)).unwrap();
        assert_eq!(wrong.problems.first(), Some(&Problem::Edited { seq: 1 }));
        drop((_db, audit, counters));

        let edited = tempfile::tempdir().unwrap();
        let head = five(edited.path()).await;
        tamper(edited.path(), |audit, _| {
            let mut r = AuditRecord::from_bytes(&audit.get(keys::id(3)).unwrap().unwrap()).unwrap();
            r.reason = "nothing to see".into();
            audit.insert(keys::id(3), r.to_bytes()).unwrap();
        });
        assert_eq!(
            check(edited.path(), Some(head)).problems,
            [Problem::Edited { seq: 3 }]
        );

        let removed = tempfile::tempdir().unwrap();
        let head = five(removed.path()).await;
        tamper(removed.path(), |audit, _| {
            audit.remove(keys::id(2)).unwrap();
        });
        assert_eq!(
            check(removed.path(), Some(head)).problems,
            [Problem::Removed { first: 2, last: 2 }]
        );

        let reordered = tempfile::tempdir().unwrap();
        let head = five(reordered.path()).await;
        tamper(reordered.path(), |audit, _| {
            let (a, b) = (
                audit.get(keys::id(3)).unwrap().unwrap(),
                audit.get(keys::id(4)).unwrap().unwrap(),
            );
            audit.insert(keys::id(3), b).unwrap();
            audit.insert(keys::id(4), a).unwrap();
        });
        assert_eq!(
            check(reordered.path(), Some(head)).problems.first(),
            Some(&Problem::Moved { at: 3, holds: 4 })
        );

        // The tail cut, and the store's own counter and head put back to
        // match: only the checkpoint still knows.
        let truncated = tempfile::tempdir().unwrap();
        let head = five(truncated.path()).await;
        tamper(truncated.path(), |audit, counters| {
            audit.remove(keys::id(5)).unwrap();
            audit.remove(keys::id(4)).unwrap();
            counters
                .insert(SEQ_COUNTER, crate::store::codec::encode(&3u64).unwrap())
                .unwrap();
        });
        assert_eq!(
            check(truncated.path(), None).problems,
            [Problem::NoCheckpoint]
        );
        assert_eq!(
            check(truncated.path(), Some(head)).problems,
            [Problem::Truncated {
                last: 3,
                expected: 5,
                witness: "the checkpoint"
            }]
        );
        assert_eq!(
            Problem::Truncated {
                last: 3,
                expected: 5,
                witness: "the checkpoint"
            }
            .to_string(),
            "entry 4: truncated (the log ends at 3, the checkpoint reached 5)"
        );
    }

    #[test]
    fn a_directory_without_a_store_is_named_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            open_stopped(dir.path()),
            Err(OpenError::NoStore(_))
        ));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
