//! What the audit log records: who saw or changed what of a citizen's
//! confidential data, and when. The log itself (its chain and checkpoint)
//! is the store's; these are the plain facts each entry holds.

use crate::clock::Millis;
use crate::model::Role;
use serde::{Deserialize, Serialize};

/// What an entry records. The stored number of each action never changes
/// meaning; new actions take new numbers.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[strum(serialize_all = "snake_case")]
pub enum AuditAction {
    /// A number was decrypted for someone to see; the reason says where.
    PhoneRevealed,
    ConsentGiven,
    ConsentWithdrawn,
    CitizenErased,
    KeyRotated,
    RoleChanged,
    ShahrbanSet,
    ShahrbanCleared,
    FalseReportMarked,
    FalseReportCleared,
    /// Someone read the audit log.
    AuditRead,
}

impl AuditAction {
    /// The stored and wire number (the contract's `AuditAction`).
    pub fn number(self) -> u32 {
        match self {
            Self::PhoneRevealed => 1,
            Self::ConsentGiven => 2,
            Self::ConsentWithdrawn => 3,
            Self::CitizenErased => 4,
            Self::KeyRotated => 5,
            Self::RoleChanged => 6,
            Self::ShahrbanSet => 7,
            Self::ShahrbanCleared => 8,
            Self::FalseReportMarked => 9,
            Self::FalseReportCleared => 10,
            Self::AuditRead => 11,
        }
    }

    pub fn from_number(n: u32) -> Option<Self> {
        <Self as strum::IntoEnumIterator>::iter().find(|a| a.number() == n)
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One fact for the log. Its sequence and chain hash are given when it is
/// written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at_ms: Millis,
    /// A user name, or [`crate::event::SYSTEM`].
    pub actor: String,
    /// `None` for the system.
    pub role: Option<Role>,
    pub action: AuditAction,
    /// The citizen concerned; empty when none is.
    pub citizen_id: String,
    /// The case concerned; 0 when none is.
    pub case_id: u64,
    pub case_number: String,
    /// Why, as the actor gave it or the server names it. Never a number.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_action_keeps_a_number_of_its_own() {
        let mut seen = std::collections::BTreeSet::new();
        for action in AuditAction::iter() {
            assert!(seen.insert(action.number()), "{action:?}");
            assert_eq!(AuditAction::from_number(action.number()), Some(action));
        }
        assert_eq!(AuditAction::from_number(0), None);
    }
}
