//! Files on cases: their content as files ([`files`]) and what is known of
//! each in the `attachments` tree, keyed by case id and SHA-256, so one
//! prefix lists a case's files and the same content on two cases is two
//! records of one file.
//!
//! A record is committed through the writer like any change, after its file
//! is on disk: a record never names content that a crash could have lost.
//! Records are protobuf behind a layout byte, as cases are ([`super::records`]).

pub mod files;

use super::{Result, Store, StoreError, keys};
use crate::domain::media::{Attachment, MediaType};
use prost::Message;
use sled::transaction::{TransactionalTree, UnabortableTransactionError};

/// The layout byte in front of every attachment record.
pub const LAYOUT: u8 = 1;

#[derive(Clone, PartialEq, Message)]
pub struct AttachmentRecord {
    #[prost(string, tag = "1")]
    pub name: String,
    /// [`MediaType::as_str`]: the names are stable, so they are the stored form.
    #[prost(string, tag = "2")]
    pub media_type: String,
    #[prost(uint64, tag = "3")]
    pub size: u64,
    #[prost(int64, tag = "4")]
    pub added_at_ms: i64,
    #[prost(string, tag = "5")]
    pub added_by: String,
}

/// `case id + SHA-256`.
pub fn key(case_id: u64, sha256: &[u8; 32]) -> [u8; 40] {
    let mut key = [0u8; 40];
    key[..8].copy_from_slice(&keys::id(case_id));
    key[8..].copy_from_slice(sha256);
    key
}

pub fn encode(a: &Attachment) -> Vec<u8> {
    let record = AttachmentRecord {
        name: a.name.clone(),
        media_type: a.media_type.as_str().to_owned(),
        size: a.size,
        added_at_ms: a.added_at_ms,
        added_by: a.added_by.clone(),
    };
    let mut out = vec![LAYOUT];
    out.extend_from_slice(&record.encode_to_vec());
    out
}

pub fn decode(key: &[u8], value: &[u8]) -> Result<Attachment> {
    let corrupt = |what: String| StoreError::Corrupt(format!("attachment record: {what}"));
    let (Some(case_id), Ok(sha256)) = (
        key.get(..8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_be_bytes),
        <[u8; 32]>::try_from(key.get(8..).unwrap_or_default()),
    ) else {
        return Err(corrupt(format!("a key of {} bytes", key.len())));
    };
    let [LAYOUT, body @ ..] = value else {
        return Err(corrupt(format!("layout {:?}", value.first())));
    };
    let r = AttachmentRecord::decode(body).map_err(|e| corrupt(e.to_string()))?;
    let media_type = MediaType::parse(&r.media_type)
        .ok_or_else(|| corrupt(format!("media type {:?}", r.media_type)))?;
    Ok(Attachment {
        case_id,
        sha256,
        name: r.name,
        media_type,
        size: r.size,
        added_at_ms: r.added_at_ms,
        added_by: r.added_by,
    })
}

/// The outcome of adding an attachment record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The record as stored: the first one, if this content was already on
    /// the case.
    pub attachment: Attachment,
    /// The case already had this content; nothing new was written.
    pub replayed: bool,
}

/// The writer's part of adding a record, inside its batch's transaction: the
/// case must exist, and content already on the case keeps its first record
/// (its name and who added it), so a retried upload changes nothing.
pub(crate) fn add(
    attachments: &TransactionalTree,
    cases: &TransactionalTree,
    a: &Attachment,
) -> std::result::Result<Result<Added>, UnabortableTransactionError> {
    if cases.get(keys::id(a.case_id))?.is_none() {
        return Ok(Err(StoreError::NotFound(a.case_id)));
    }
    let key = key(a.case_id, &a.sha256);
    if let Some(existing) = attachments.get(key)? {
        return Ok(decode(&key, &existing).map(|attachment| Added {
            attachment,
            replayed: true,
        }));
    }
    attachments.insert(&key[..], encode(a))?;
    Ok(Ok(Added {
        attachment: a.clone(),
        replayed: false,
    }))
}

impl Store {
    /// Records a file already synced to its address (see
    /// [`files::Pending::commit`]) on its case. On disk when this returns.
    pub async fn add_attachment(&self, attachment: Attachment) -> Result<Added> {
        match self
            .submit(super::Mutation::AddAttachment(attachment))
            .await?
        {
            super::Applied::Attached(added) => Ok(added),
            _ => Err(StoreError::Corrupt(
                "the writer answered an attachment with something else".into(),
            )),
        }
    }

    /// Every file on case `case_id`, oldest first.
    pub fn attachments(&self, case_id: u64) -> Result<Vec<Attachment>> {
        let mut found = self
            .trees()
            .attachments
            .scan_prefix(keys::id(case_id))
            .map(|entry| {
                let (key, value) = entry?;
                decode(&key, &value)
            })
            .collect::<Result<Vec<_>>>()?;
        found.sort_by(|a, b| (a.added_at_ms, &a.name).cmp(&(b.added_at_ms, &b.name)));
        Ok(found)
    }

    /// The file with this SHA-256 on case `case_id` (an id from a client
    /// reads with [`crate::domain::media::parse_id`]).
    pub fn attachment(&self, case_id: u64, sha256: &[u8; 32]) -> Result<Option<Attachment>> {
        let key = key(case_id, sha256);
        match self.trees().attachments.get(key)? {
            Some(value) => Ok(Some(decode(&key, &value)?)),
            None => Ok(None),
        }
    }

    /// Where the content of attachments lives.
    pub fn files(&self) -> &files::Files {
        &self.inner.files
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{case, open, reopen};

    fn photo(case_id: u64, byte: u8, at: i64) -> Attachment {
        Attachment {
            case_id,
            sha256: [byte; 32],
            name: format!("عکس {byte}.jpg"),
            media_type: MediaType::Jpeg,
            size: 1234,
            added_at_ms: at,
            added_by: "unit1".into(),
        }
    }

    #[tokio::test]
    async fn records_are_kept_per_case_once_and_survive_reopening() {
        let (dir, store) = open();
        let made = store
            .create_case(case("a", "09131234567", "u", 1_795_860_000_000))
            .await
            .unwrap();
        let id = made.case.id;
        let first = store.add_attachment(photo(id, 2, 10)).await.unwrap();
        assert!(!first.replayed);
        store.add_attachment(photo(id, 1, 20)).await.unwrap();
        // The same content again, under another name: the first record stays.
        let mut again = photo(id, 2, 30);
        again.name = "دوباره.jpg".into();
        let replay = store.add_attachment(again).await.unwrap();
        assert!(replay.replayed);
        assert_eq!(replay.attachment, photo(id, 2, 10));
        assert!(matches!(
            store.add_attachment(photo(99, 3, 40)).await,
            Err(StoreError::NotFound(99))
        ));
        let listed = store.attachments(id).unwrap();
        assert_eq!(listed, [photo(id, 2, 10), photo(id, 1, 20)]);
        assert_eq!(store.attachments(99).unwrap(), []);
        store.close().unwrap();
        drop(store);
        let store = reopen(dir.path());
        assert_eq!(
            store.attachment(id, &[1; 32]).unwrap(),
            Some(photo(id, 1, 20))
        );
        assert_eq!(store.attachment(id, &[3; 32]).unwrap(), None);
        for entry in store.trees().attachments.iter() {
            assert_eq!(entry.unwrap().1[0], LAYOUT);
        }
    }

    #[test]
    fn a_damaged_record_is_an_error_not_a_guess() {
        let key = key(1, &[0; 32]);
        assert!(decode(&key, &[9, 1, 2]).is_err());
        assert!(decode(&key[..10], &encode(&photo(1, 0, 0))).is_err());
        let mut unknown = vec![LAYOUT];
        AttachmentRecord {
            media_type: "text/html".into(),
            ..AttachmentRecord::default()
        }
        .encode(&mut unknown)
        .unwrap();
        assert!(decode(&key, &unknown).is_err());
        assert_eq!(
            decode(&key, &encode(&photo(1, 0, 5))).unwrap(),
            photo(1, 0, 5)
        );
    }
}
