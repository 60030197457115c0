//! What the audit log records of staff: a change of a user's role or unit
//! between what the store last saw and the users file the server starts
//! with. The users file is edited outside the server, so the server notices
//! the change when it next starts and names it there.

use crate::model::Role;

/// A member of staff as the store last saw them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub name: String,
    pub role: Role,
    /// Empty unless the role is a unit's.
    pub unit_id: String,
}

impl StaffRecord {
    fn describe(&self) -> String {
        if self.unit_id.is_empty() {
            format!("role {}", self.role.as_str())
        } else {
            format!("role {}, unit {}", self.role.as_str(), self.unit_id)
        }
    }
}

/// The reason of a role-change entry, or `None` when nothing changed. A
/// first sighting is recorded too, so the log says from when each user held
/// their role; a user gone from the users file is recorded as removed.
pub fn change_reason(seen: Option<&StaffRecord>, now: Option<&StaffRecord>) -> Option<String> {
    match (seen, now) {
        (None, None) => None,
        (None, Some(now)) => Some(format!(
            "user {}: first seen with {}",
            now.name,
            now.describe()
        )),
        (Some(seen), None) => Some(format!(
            "user {}: no longer in the users file (had {})",
            seen.name,
            seen.describe()
        )),
        (Some(seen), Some(now)) if seen == now => None,
        (Some(seen), Some(now)) => Some(format!(
            "user {}: {} became {}",
            now.name,
            seen.describe(),
            now.describe()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(role: Role, unit: &str) -> StaffRecord {
        StaffRecord {
            name: "u1".into(),
            role,
            unit_id: unit.into(),
        }
    }

    #[test]
    fn first_sightings_changes_and_removals_are_named_and_sameness_is_silent() {
        let agent = record(Role::Agent, "");
        let unit = record(Role::Unit, "r03-water");
        let other_unit = record(Role::Unit, "r04-water");
        assert_eq!(change_reason(None, None), None);
        assert_eq!(change_reason(Some(&agent), Some(&agent)), None);
        assert_eq!(
            change_reason(None, Some(&agent)).as_deref(),
            Some("user u1: first seen with role agent")
        );
        assert_eq!(
            change_reason(Some(&agent), Some(&unit)).as_deref(),
            Some("user u1: role agent became role unit, unit r03-water")
        );
        assert!(
            change_reason(Some(&unit), Some(&other_unit))
                .is_some_and(|r| r.contains("r03-water") && r.contains("r04-water"))
        );
        assert_eq!(
            change_reason(Some(&agent), None).as_deref(),
            Some("user u1: no longer in the users file (had role agent)")
        );
    }
}
