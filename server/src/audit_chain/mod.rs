//! The audit log's chain: each entry's keyed hash covers the previous
//! entry's hash and this entry's canonical bytes, its sequence included, so
//! an entry edited, removed or moved breaks every link from it on, and no
//! one without the server's audit key can forge a link.
//!
//! A tail cut off the log leaves a shorter chain that is still whole; that is
//! caught by the head kept outside the store ([`checkpoint`]) and written to
//! the server's log ([`watch`]). [`verify`] walks a stopped store's log.

pub mod checkpoint;
pub mod verify;
pub mod watch;

use crate::domain::audit::AuditEntry;
use crate::secrets::Key;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const HASH_BYTES: usize = 32;

/// The link before the first entry.
pub const GENESIS: [u8; HASH_BYTES] = [0; HASH_BYTES];

/// Keeps these bytes from ever being read as another structure's.
const DOMAIN: &[u8] = b"desk137 audit entry v1\0";

/// The key the chain is computed with. A store opened without the server's
/// keys (tools, tests of the store alone) chains with [`ChainKey::unkeyed`]:
/// its links still catch accidents, and `audit verify` with the real key
/// names the first such entry as edited, so it never passes unnoticed.
#[derive(Clone)]
pub struct ChainKey([u8; 32], bool);

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(..)")
    }
}

impl ChainKey {
    pub fn new(key: &Key) -> Self {
        Self(key.0, true)
    }

    pub fn unkeyed() -> Self {
        Self([0; 32], false)
    }

    /// The server's own key, not [`ChainKey::unkeyed`].
    pub fn is_keyed(&self) -> bool {
        self.1
    }

    /// The link of entry `seq` after `prev`.
    pub fn link(&self, prev: &[u8; HASH_BYTES], seq: u64, entry: &AuditEntry) -> [u8; HASH_BYTES] {
        // Any key length is valid for HMAC; this cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return GENESIS;
        };
        mac.update(prev);
        mac.update(&canonical(seq, entry));
        mac.finalize().into_bytes().into()
    }
}

/// The bytes of an entry the chain covers: fixed-width numbers, then each
/// text with its length in front, so no two entries share their bytes.
pub fn canonical(seq: u64, entry: &AuditEntry) -> Vec<u8> {
    let texts = [
        &entry.actor,
        &entry.citizen_id,
        &entry.case_number,
        &entry.reason,
    ];
    let mut out =
        Vec::with_capacity(DOMAIN.len() + 40 + texts.iter().map(|t| t.len() + 8).sum::<usize>());
    out.extend_from_slice(DOMAIN);
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&entry.at_ms.to_be_bytes());
    out.extend_from_slice(&crate::store::records::role_number(entry.role).to_be_bytes());
    out.extend_from_slice(&entry.action.number().to_be_bytes());
    out.extend_from_slice(&entry.case_id.to_be_bytes());
    for text in texts {
        out.extend_from_slice(&(text.len() as u64).to_be_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    out
}

/// The last chained entry: its sequence and hash. Sequence 0 is the empty
/// log, whose hash is [`GENESIS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: u64,
    pub hash: [u8; HASH_BYTES],
}

impl Default for Head {
    fn default() -> Self {
        Self {
            seq: 0,
            hash: GENESIS,
        }
    }
}

impl Head {
    pub fn hex(&self) -> String {
        hex::encode(self.hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::AuditAction;

    fn entry(reason: &str) -> AuditEntry {
        AuditEntry {
            at_ms: 1_700_000_000_000,
            actor: "agent1".into(),
            role: Some(crate::domain::model::Role::Agent),
            action: AuditAction::PhoneRevealed,
            citizen_id: "c1".into(),
            case_id: 7,
            case_number: "1405-000007".into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn a_link_depends_on_the_key_the_previous_hash_the_sequence_and_every_field() {
        let key = ChainKey::new(&Key([7; 32]));
        let base = key.link(&GENESIS, 1, &entry("call"));
        assert_eq!(base, key.link(&GENESIS, 1, &entry("call")));
        assert_ne!(base, ChainKey::unkeyed().link(&GENESIS, 1, &entry("call")));
        assert_ne!(base, key.link(&[1; 32], 1, &entry("call")));
        assert_ne!(base, key.link(&GENESIS, 2, &entry("call")));
        assert_ne!(base, key.link(&GENESIS, 1, &entry("calm")));
        let mut moved = entry("call");
        moved.case_id = 8;
        assert_ne!(base, key.link(&GENESIS, 1, &moved));
        let mut other = entry("call");
        other.action = AuditAction::ConsentGiven;
        assert_ne!(base, key.link(&GENESIS, 1, &other));
    }

    #[test]
    fn texts_cannot_trade_bytes_across_their_boundary() {
        let mut a = entry("x");
        a.actor = "ab".into();
        a.citizen_id = "c".into();
        let mut b = entry("x");
        b.actor = "a".into();
        b.citizen_id = "bc".into();
        assert_ne!(canonical(1, &a), canonical(1, &b));
    }
}
