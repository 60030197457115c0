//! Citizen records on disk: the `citizens` tree (citizen id → record) and
//! `citizen_phones` (HMAC of the number → citizen id). A record holds the
//! number only sealed ([`crate::crypto`]); its cases are the `by_citizen`
//! index. Records are protobuf behind a layout byte, as cases are.
//!
//! Every change goes through the writer, in the transaction of what it
//! records, with its audit entries.

use super::{Result, Store, StoreError, keys};
use crate::crypto::{self, Sealed};
use crate::domain::citizen::{Citizen, Consent, FalseReport};
use crate::secrets::Secrets;
use prost::Message;
use sled::transaction::{TransactionalTree, UnabortableTransactionError};

pub const LAYOUT: u8 = 1;

#[derive(Clone, PartialEq, Message)]
pub struct CitizenRecord {
    #[prost(string, tag = "1")]
    pub id: String,
    #[prost(uint32, tag = "2")]
    pub wrap_version: u32,
    #[prost(bytes = "vec", tag = "3")]
    pub wrapped_key: Vec<u8>,
    #[prost(bytes = "vec", tag = "4")]
    pub number: Vec<u8>,
    #[prost(bytes = "vec", tag = "5")]
    pub mask: Vec<u8>,
    /// The key of this citizen's entry in `citizen_phones`, so erasure can
    /// remove it without the number.
    #[prost(bytes = "vec", tag = "6")]
    pub phone_index: Vec<u8>,
    #[prost(message, repeated, tag = "7")]
    pub consents: Vec<ConsentRecord>,
    #[prost(message, repeated, tag = "8")]
    pub false_reports: Vec<FalseReportRecord>,
    #[prost(bool, tag = "9")]
    pub shahrban: bool,
    #[prost(int64, tag = "10")]
    pub erased_at_ms: i64,
}

#[derive(Clone, PartialEq, Message)]
pub struct ConsentRecord {
    #[prost(uint64, tag = "1")]
    pub case_id: u64,
    #[prost(bool, tag = "2")]
    pub given: bool,
    #[prost(int64, tag = "3")]
    pub at_ms: i64,
    #[prost(string, tag = "4")]
    pub by: String,
    #[prost(string, tag = "5")]
    pub reason: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct FalseReportRecord {
    #[prost(uint64, tag = "1")]
    pub case_id: u64,
    #[prost(int64, tag = "2")]
    pub at_ms: i64,
    #[prost(string, tag = "3")]
    pub by: String,
    #[prost(string, tag = "4")]
    pub reason: String,
    #[prost(int64, tag = "5")]
    pub cleared_at_ms: i64,
    #[prost(string, tag = "6")]
    pub cleared_by: String,
}

/// A citizen as stored: the plain facts and the sealed number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCitizen {
    pub citizen: Citizen,
    pub sealed: Sealed,
    pub phone_index: Vec<u8>,
}

pub fn encode(c: &StoredCitizen) -> Vec<u8> {
    let record = CitizenRecord {
        id: c.citizen.id.clone(),
        wrap_version: c.sealed.version,
        wrapped_key: c.sealed.wrapped_key.clone(),
        number: c.sealed.number.clone(),
        mask: c.sealed.mask.clone(),
        phone_index: c.phone_index.clone(),
        consents: c
            .citizen
            .consents
            .iter()
            .map(|x| ConsentRecord {
                case_id: x.case_id,
                given: x.given,
                at_ms: x.at_ms,
                by: x.by.clone(),
                reason: x.reason.clone(),
            })
            .collect(),
        false_reports: c
            .citizen
            .false_reports
            .iter()
            .map(|f| FalseReportRecord {
                case_id: f.case_id,
                at_ms: f.at_ms,
                by: f.by.clone(),
                reason: f.reason.clone(),
                cleared_at_ms: f.cleared_at_ms,
                cleared_by: f.cleared_by.clone(),
            })
            .collect(),
        shahrban: c.citizen.shahrban,
        erased_at_ms: c.citizen.erased_at_ms,
    };
    let mut bytes = Vec::with_capacity(1 + record.encoded_len());
    bytes.push(LAYOUT);
    record.encode(&mut bytes).unwrap_or_default();
    bytes
}

pub fn decode(bytes: &[u8]) -> Result<StoredCitizen> {
    let corrupt = |why: String| StoreError::Corrupt(format!("a citizen record: {why}"));
    let (&layout, body) = bytes.split_first().ok_or_else(|| corrupt("empty".into()))?;
    if layout != LAYOUT {
        return Err(corrupt(format!("layout {layout}")));
    }
    let r = CitizenRecord::decode(body).map_err(|e| corrupt(e.to_string()))?;
    Ok(StoredCitizen {
        citizen: Citizen {
            id: r.id,
            consents: r
                .consents
                .into_iter()
                .map(|x| Consent {
                    case_id: x.case_id,
                    given: x.given,
                    at_ms: x.at_ms,
                    by: x.by,
                    reason: x.reason,
                })
                .collect(),
            false_reports: r
                .false_reports
                .into_iter()
                .map(|f| FalseReport {
                    case_id: f.case_id,
                    at_ms: f.at_ms,
                    by: f.by,
                    reason: f.reason,
                    cleared_at_ms: f.cleared_at_ms,
                    cleared_by: f.cleared_by,
                })
                .collect(),
            shahrban: r.shahrban,
            erased_at_ms: r.erased_at_ms,
        },
        sealed: Sealed {
            version: r.wrap_version,
            wrapped_key: r.wrapped_key,
            number: r.number,
            mask: r.mask,
        },
        phone_index: r.phone_index,
    })
}

type TxOut<T> = std::result::Result<Result<T>, UnabortableTransactionError>;

/// Reads a citizen inside a transaction.
pub(crate) fn read(citizens: &TransactionalTree, id: &str) -> TxOut<Option<StoredCitizen>> {
    Ok(match citizens.get(id.as_bytes())? {
        Some(bytes) => decode(&bytes).map(Some),
        None => Ok(None),
    })
}

/// The citizen id of `phone` (normalised), made with a new record if the
/// number never called: inside the writer's transaction, so two calls from
/// one new number in one batch share one citizen.
pub(crate) fn find_or_create(
    citizens: &TransactionalTree,
    phones: &TransactionalTree,
    secrets: &Secrets,
    phone: &str,
) -> TxOut<String> {
    let index = crypto::phone_index(secrets, phone);
    if let Some(id) = phones.get(index)? {
        return Ok(String::from_utf8(id.to_vec())
            .map_err(|_| StoreError::Corrupt("a citizen id that is not text".into())));
    }
    let made = crypto::new_citizen_id().and_then(|id| {
        let sealed = crypto::seal(secrets, &id, phone)?;
        Ok((id, sealed))
    });
    let (id, sealed) = match made {
        Ok(made) => made,
        Err(e) => return Ok(Err(StoreError::Crypto(e))),
    };
    let stored = StoredCitizen {
        citizen: Citizen {
            id: id.clone(),
            ..Citizen::default()
        },
        sealed,
        phone_index: index.to_vec(),
    };
    citizens.insert(id.as_bytes(), encode(&stored))?;
    phones.insert(&index, id.as_bytes())?;
    Ok(Ok(id))
}

/// The citizen of `phone` as this transaction sees it, without making one.
pub(crate) fn lookup(
    phones: &TransactionalTree,
    secrets: &Secrets,
    phone: &str,
) -> TxOut<Option<String>> {
    let index = crypto::phone_index(secrets, phone);
    Ok(match phones.get(index)? {
        Some(id) => String::from_utf8(id.to_vec())
            .map(Some)
            .map_err(|_| StoreError::Corrupt("a citizen id that is not text".into())),
        None => Ok(None),
    })
}

impl Store {
    /// The citizen with this id.
    pub fn citizen(&self, id: &str) -> Result<Option<StoredCitizen>> {
        if id.is_empty() {
            return Ok(None);
        }
        match self.trees().citizens.get(id.as_bytes())? {
            Some(bytes) => decode(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// The citizen who called from `phone` (normalised), if any did.
    pub fn citizen_by_phone(&self, phone: &str) -> Result<Option<StoredCitizen>> {
        let index = crypto::phone_index(&self.secrets(), phone);
        match self.trees().citizen_phones.get(index)? {
            Some(id) => {
                let id = String::from_utf8(id.to_vec())
                    .map_err(|_| StoreError::Corrupt("a citizen id that is not text".into()))?;
                self.citizen(&id)
            }
            None => Ok(None),
        }
    }

    /// The number of a citizen, in clear. Callers show it only once its view
    /// is on the audit log.
    pub fn open_number(&self, stored: &StoredCitizen) -> Result<Option<String>> {
        if stored.sealed.erased() {
            return Ok(None);
        }
        crypto::open_number(&self.secrets(), &stored.citizen.id, &stored.sealed)
            .map(Some)
            .map_err(StoreError::Crypto)
    }

    /// The masked number of a citizen (`0913***4567`).
    pub fn open_mask(&self, stored: &StoredCitizen) -> Result<Option<String>> {
        if stored.sealed.erased() {
            return Ok(None);
        }
        crypto::open_mask(&self.secrets(), &stored.citizen.id, &stored.sealed)
            .map(Some)
            .map_err(StoreError::Crypto)
    }

    /// How many citizens have a key wrapped by another version than the
    /// current one: what a rotation has left to do.
    pub fn citizens_to_rewrap(&self) -> Result<Vec<String>> {
        let current = self.secrets().current;
        let mut ids = Vec::new();
        for entry in self.trees().citizens.iter() {
            let (key, value) = entry?;
            let stored = decode(&value)?;
            if !stored.sealed.erased() && stored.sealed.version != current {
                ids.push(String::from_utf8_lossy(&key).into_owned());
            }
        }
        Ok(ids)
    }

    /// The versions of wrapping key still in use by some citizen.
    pub fn wrapping_versions_in_use(&self) -> Result<std::collections::BTreeSet<u32>> {
        let mut versions = std::collections::BTreeSet::new();
        for entry in self.trees().citizens.iter() {
            let (_, value) = entry?;
            let stored = decode(&value)?;
            if !stored.sealed.erased() {
                versions.insert(stored.sealed.version);
            }
        }
        Ok(versions)
    }

    /// How many cases name this citizen.
    pub fn citizen_case_count(&self, id: &str) -> Result<usize> {
        if id.is_empty() {
            return Ok(0);
        }
        Ok(self
            .trees()
            .by_citizen
            .scan_prefix(keys::text_prefix(id))
            .count())
    }

    /// How many citizen records the store holds: for tools and tests.
    pub fn citizen_count(&self) -> usize {
        self.trees().citizens.len()
    }
}

/// Citizens re-wrapped per writer job during a rotation.
pub const REWRAP_BATCH: usize = 500;

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// The wrapping key's version now current.
    pub current: u32,
    pub rewrapped: u64,
    /// The versions dropped from the key file.
    pub dropped: Vec<u32>,
}

/// Rotates the wrapping key of the store in `data`, whose keys are in
/// `key_file`, with the server stopped (the store is opened here).
///
/// Resumable at every step: (1) a new wrapping version is added to the key
/// file and made current, unless an interrupted rotation already did; (2)
/// every citizen's key still wrapped by an older version is re-wrapped, in
/// writer jobs of [`REWRAP_BATCH`]; (3) once no citizen uses an older version
/// it is dropped from the key file, and the rotation is on the audit log. A
/// crash anywhere leaves a key file that opens every record (old and new
/// versions both until step 3), and running again finishes the work.
pub fn rotate(
    data: &std::path::Path,
    key_file: &std::path::Path,
    options: super::StoreOptions,
    at_ms: i64,
) -> Result<Rotated> {
    let secrets_error = |e: crate::secrets::SecretsError| StoreError::Secrets(e.to_string());
    let mut secrets = Secrets::load(key_file).map_err(secrets_error)?;
    if secrets.wrapping.len() == 1 {
        let next = secrets.wrapping.iter().map(|(v, _)| *v).max().unwrap_or(0) + 1;
        let key = crate::secrets::Key::generate().map_err(secrets_error)?;
        secrets.wrapping.push((next, key));
        secrets.current = next;
        secrets.save(key_file).map_err(secrets_error)?;
        tracing::info!(version = next, "a new wrapping key is current");
    }
    let store = Store::open_keyed(data, options, None, std::sync::Arc::new(secrets.clone()))?;
    let ids = store.citizens_to_rewrap()?;
    let mut rewrapped = 0u64;
    for chunk in ids.chunks(REWRAP_BATCH) {
        rewrapped += store.rewrap_blocking(chunk.to_vec())?;
        tracing::info!(
            citizens = rewrapped,
            of = ids.len(),
            "re-wrapped citizens' keys"
        );
    }
    let in_use = store.wrapping_versions_in_use()?;
    let dropped: Vec<u32> = secrets
        .wrapping
        .iter()
        .map(|(v, _)| *v)
        .filter(|v| *v != secrets.current && !in_use.contains(v))
        .collect();
    store.audit_blocking(vec![crate::domain::audit::AuditEntry {
        at_ms,
        actor: crate::domain::event::SYSTEM.into(),
        role: None,
        action: crate::domain::audit::AuditAction::KeyRotated,
        citizen_id: String::new(),
        case_id: 0,
        case_number: String::new(),
        reason: format!(
            "wrapping key version {} current; {rewrapped} citizens re-wrapped",
            secrets.current
        ),
    }])?;
    store.close()?;
    if !dropped.is_empty() {
        // Only once every record is re-wrapped and on disk: until then the
        // old key still opens some.
        secrets.wrapping.retain(|(v, _)| !dropped.contains(v));
        secrets.save(key_file).map_err(secrets_error)?;
    }
    Ok(Rotated {
        current: secrets.current,
        rewrapped,
        dropped,
    })
}

/// Citizens re-wrapped per writer job while the server serves: few, so the
/// desk's own writes never wait long behind one.
pub const ONLINE_REWRAP_BATCH: usize = 50;

/// Where the wrapping of citizens' keys stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotationStatus {
    pub current: u32,
    pub versions: Vec<u32>,
    pub rewrapped: u64,
    pub remaining: u64,
    pub running: bool,
}

#[derive(Debug, Default)]
struct Progress {
    running: bool,
    rewrapped: u64,
    remaining: u64,
}

/// Key rotation while the server serves: the steps of [`rotate`], with the
/// keys swapped in the running store instead of a stopped one's file being
/// reread. One per server.
#[derive(Debug)]
pub struct KeyRotation {
    store: Store,
    /// `None` for a demo's keys in memory: rotated there alone.
    key_file: Option<std::path::PathBuf>,
    batch: usize,
    progress: std::sync::Mutex<Progress>,
}

impl KeyRotation {
    pub fn new(store: Store, key_file: Option<std::path::PathBuf>, batch: usize) -> Self {
        Self {
            store,
            key_file,
            batch: batch.max(1),
            progress: std::sync::Mutex::new(Progress::default()),
        }
    }

    fn progress(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Where the rotation stands. Counts what is left by a scan when none
    /// runs, so a rotation cut short shows.
    pub fn status(&self) -> Result<RotationStatus> {
        let (running, rewrapped, remaining) = {
            let p = self.progress();
            (p.running, p.rewrapped, p.remaining)
        };
        let remaining = if running {
            remaining
        } else {
            self.store.citizens_to_rewrap()?.len() as u64
        };
        let secrets = self.store.secrets();
        Ok(RotationStatus {
            current: secrets.current,
            versions: secrets.wrapping.iter().map(|(v, _)| *v).collect(),
            rewrapped,
            remaining,
            running,
        })
    }

    fn save(&self, secrets: &Secrets) -> Result<()> {
        match &self.key_file {
            Some(path) => secrets
                .save(path)
                .map_err(|e| StoreError::Secrets(e.to_string())),
            None => Ok(()),
        }
    }

    /// Starts a rotation, or resumes one cut short (the key file still holds
    /// an older version), and answers at once; the re-wrapping runs on a
    /// thread of its own, in writer jobs of `batch` citizens between the
    /// desk's. While one runs, answers its progress. Blocking: call it off
    /// the async runtime.
    pub fn start(self: &std::sync::Arc<Self>, at_ms: i64, actor: &str) -> Result<RotationStatus> {
        {
            let mut p = self.progress();
            if p.running {
                drop(p);
                return self.status();
            }
            p.running = true;
            p.rewrapped = 0;
        }
        let began = (|| {
            let secrets = self.store.secrets();
            if secrets.wrapping.len() == 1 {
                let mut next = (*secrets).clone();
                let version = next.wrapping.iter().map(|(v, _)| *v).max().unwrap_or(0) + 1;
                let key = crate::secrets::Key::generate()
                    .map_err(|e| StoreError::Secrets(e.to_string()))?;
                next.wrapping.push((version, key));
                next.current = version;
                // On disk before any record uses it: a crash then finds the
                // key that opens what was written.
                self.save(&next)?;
                self.store.set_secrets(std::sync::Arc::new(next));
                tracing::info!(version, "a new wrapping key is current");
            }
            self.store.citizens_to_rewrap()
        })();
        let ids = match began {
            Ok(ids) => ids,
            Err(e) => {
                self.progress().running = false;
                return Err(e);
            }
        };
        self.progress().remaining = ids.len() as u64;
        let this = std::sync::Arc::clone(self);
        let actor = actor.to_owned();
        let spawned = std::thread::Builder::new()
            .name("key-rotation".into())
            .spawn(move || {
                if let Err(e) = this.run(ids, at_ms, &actor) {
                    tracing::error!(error = %e, "the key rotation stopped; RotateKeys resumes it");
                }
                this.progress().running = false;
            });
        if let Err(e) = spawned {
            self.progress().running = false;
            return Err(StoreError::Secrets(format!("starting the rotation: {e}")));
        }
        self.status()
    }

    fn run(&self, mut ids: Vec<String>, at_ms: i64, actor: &str) -> Result<()> {
        // A batch the writer began under the old keys may have added a
        // citizen after the scan: a few passes find them too.
        for _ in 0..3 {
            for chunk in ids.chunks(self.batch) {
                let n = self.store.rewrap_blocking(chunk.to_vec())?;
                let mut p = self.progress();
                p.rewrapped += n;
                p.remaining = p.remaining.saturating_sub(chunk.len() as u64);
            }
            ids = self.store.citizens_to_rewrap()?;
            self.progress().remaining = ids.len() as u64;
            if ids.is_empty() {
                break;
            }
        }
        let secrets = self.store.secrets();
        let in_use = self.store.wrapping_versions_in_use()?;
        let dropped: Vec<u32> = secrets
            .wrapping
            .iter()
            .map(|(v, _)| *v)
            .filter(|v| *v != secrets.current && !in_use.contains(v))
            .collect();
        let rewrapped = self.progress().rewrapped;
        self.store
            .audit_blocking(vec![crate::domain::audit::AuditEntry {
                at_ms,
                actor: actor.to_owned(),
                role: Some(crate::domain::model::Role::Admin),
                action: crate::domain::audit::AuditAction::KeyRotated,
                citizen_id: String::new(),
                case_id: 0,
                case_number: String::new(),
                reason: format!(
                    "wrapping key version {} current; {rewrapped} citizens re-wrapped while serving",
                    secrets.current
                ),
            }])?;
        if !dropped.is_empty() {
            // Every record is re-wrapped and on disk: the old key opens none.
            let mut next = (*secrets).clone();
            next.wrapping.retain(|(v, _)| !dropped.contains(v));
            self.save(&next)?;
            self.store.set_secrets(std::sync::Arc::new(next));
            tracing::info!(?dropped, "old wrapping keys dropped");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_and_holds_no_digit_of_the_number() {
        let secrets = Secrets::ephemeral().unwrap();
        let sealed = crypto::seal(&secrets, "abc", "09131234567").unwrap();
        let stored = StoredCitizen {
            citizen: Citizen {
                id: "abc".into(),
                consents: vec![Consent {
                    case_id: 3,
                    given: true,
                    at_ms: 5,
                    by: "agent1".into(),
                    reason: "ok".into(),
                }],
                false_reports: vec![],
                shahrban: true,
                erased_at_ms: 0,
            },
            sealed,
            phone_index: crypto::phone_index(&secrets, "09131234567").to_vec(),
        };
        let bytes = encode(&stored);
        assert_eq!(bytes[0], LAYOUT);
        assert_eq!(decode(&bytes).unwrap(), stored);
        assert!(!bytes.windows(7).any(|w| w == b"1234567"));
    }
}
