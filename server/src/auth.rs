//! Who is calling. What they may do is the access policy's to say
//! ([`crate::domain::access`]).
//!
//! Staff send `authorization: Bearer <token>`. The server keeps only the
//! SHA-256 of each token, so a leaked users file gives no one a way in.

pub use crate::domain::access::Caller;
use crate::domain::catalog::Catalog;
use crate::domain::model::Role;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The unit of the demo user `unit1`.
pub const DEMO_UNIT: &str = "r03-urban_services";

/// The demo users; each one's token is its name.
pub const DEMO_USERS: [(&str, Role); 6] = [
    ("agent1", Role::Agent),
    ("dispatcher1", Role::Dispatcher),
    ("unit1", Role::Unit),
    ("supervisor1", Role::Supervisor),
    ("admin1", Role::Admin),
    // The citizens' portal's service token.
    ("portal1", Role::Portal),
];

/// A member of staff as the users file describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// Lower-case hex SHA-256 of the token.
    pub token_sha256: String,
    /// The unit a user of role `unit` works for.
    pub unit_id: Option<String>,
}

/// The lower-case hex SHA-256 of a token, as the users file stores it.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn demo_users() -> Vec<User> {
    DEMO_USERS
        .iter()
        .map(|&(name, role)| User {
            name: name.into(),
            role,
            token_sha256: hash_token(name),
            unit_id: (role == Role::Unit).then(|| DEMO_UNIT.into()),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no authorization metadata: send `authorization: Bearer <token>`")]
    Missing,
    #[error("authorization must be `Bearer <token>`")]
    Malformed,
    #[error("the token is not known")]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsersError {
    #[error("users file: a user has an empty name or one with control characters")]
    BadName,
    #[error(
        "users file: user {0}: token_sha256 must be 64 hex digits (see `desk137-server hash-token`)"
    )]
    BadHash(String),
    #[error("users file: user {0} appears twice")]
    DuplicateName(String),
    #[error("users file: users {0} and {1} have the same token")]
    DuplicateToken(String, String),
    #[error("users file: user {0} has role unit and needs unit_id")]
    MissingUnit(String),
    #[error("users file: user {0}: no unit has id {1:?}")]
    UnknownUnit(String, String),
    #[error("users file: user {0}: unit_id is only for role unit")]
    UnitNotAllowed(String),
}

/// The users a server accepts, by token hash.
#[derive(Debug, Clone, Default)]
pub struct Users {
    by_token: HashMap<String, Caller>,
}

impl Users {
    /// Checks the users against the catalog. In demo mode the demo users are
    /// added; outside it, any user with a demo name or demo token is left out
    /// (with a warning), so the well-known demo tokens never open a real server.
    pub fn new(users: Vec<User>, demo: bool, catalog: &Catalog) -> Result<Self, UsersError> {
        let demo_hashes: Vec<String> = DEMO_USERS.iter().map(|(n, _)| hash_token(n)).collect();
        let mut all = Vec::new();
        for user in users {
            let token = user.token_sha256.trim().to_ascii_lowercase();
            let is_demo =
                DEMO_USERS.iter().any(|(n, _)| *n == user.name) || demo_hashes.contains(&token);
            if is_demo && !demo {
                tracing::warn!(user = %user.name, "left out: demo names and tokens work only in demo mode");
                continue;
            }
            all.push(User {
                token_sha256: token,
                ..user
            });
        }
        if demo {
            for d in demo_users() {
                if !all.iter().any(|u| u.name == d.name) {
                    all.push(d);
                }
            }
        }
        let mut by_token = HashMap::new();
        let mut names: HashMap<String, ()> = HashMap::new();
        for user in all {
            if user.name.trim().is_empty() || user.name.chars().any(char::is_control) {
                return Err(UsersError::BadName);
            }
            if hex::decode_to_slice(&user.token_sha256, &mut [0u8; 32]).is_err() {
                return Err(UsersError::BadHash(user.name));
            }
            if names.insert(user.name.clone(), ()).is_some() {
                return Err(UsersError::DuplicateName(user.name));
            }
            let unit_id = match (user.role, user.unit_id) {
                (Role::Unit, None) => return Err(UsersError::MissingUnit(user.name)),
                (Role::Unit, Some(unit)) if catalog.unit(&unit).is_none() => {
                    return Err(UsersError::UnknownUnit(user.name, unit));
                }
                (Role::Unit, Some(unit)) => unit,
                (_, Some(_)) => return Err(UsersError::UnitNotAllowed(user.name)),
                (_, None) => String::new(),
            };
            let caller = Caller {
                name: user.name,
                role: user.role,
                unit_id,
            };
            if let Some(other) = by_token.insert(user.token_sha256, caller.clone()) {
                return Err(UsersError::DuplicateToken(other.name, caller.name));
            }
        }
        Ok(Self { by_token })
    }

    /// Every user, by name, as the audit log's staff check compares them.
    pub fn staff(&self) -> Vec<crate::domain::staff::StaffRecord> {
        let mut staff: Vec<_> = self
            .by_token
            .values()
            .map(|c| crate::domain::staff::StaffRecord {
                name: c.name.clone(),
                role: c.role,
                unit_id: c.unit_id.clone(),
            })
            .collect();
        staff.sort_by(|a, b| a.name.cmp(&b.name));
        staff
    }

    /// The role of the staff member named `name`, if there is one.
    pub fn role_of(&self, name: &str) -> Option<Role> {
        self.by_token
            .values()
            .find(|c| c.name == name)
            .map(|c| c.role)
    }

    pub fn len(&self) -> usize {
        self.by_token.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_token.is_empty()
    }

    /// The caller behind an `authorization` header value.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Caller, AuthError> {
        let value = authorization.ok_or(AuthError::Missing)?.trim();
        let (scheme, token) = value.split_once(' ').ok_or(AuthError::Malformed)?;
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Err(AuthError::Malformed);
        }
        self.by_token
            .get(&hash_token(token))
            .cloned()
            .ok_or(AuthError::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::default_catalog().unwrap()
    }

    fn user(name: &str, role: Role, token: &str) -> User {
        User {
            name: name.into(),
            role,
            token_sha256: hash_token(token),
            unit_id: None,
        }
    }

    #[test]
    fn the_hash_is_sha256_hex() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn demo_tokens_open_only_a_demo_server() {
        let c = catalog();
        let demo = Users::new(vec![], true, &c).unwrap();
        let unit = demo.authenticate(Some("Bearer unit1")).unwrap();
        assert_eq!((unit.role, unit.unit_id.as_str()), (Role::Unit, DEMO_UNIT));

        let users = vec![
            user("agent1", Role::Agent, "agent1"),
            user("maryam", Role::Agent, "s3cret-token"),
        ];
        let real = Users::new(users, false, &c).unwrap();
        assert_eq!(real.len(), 1);
        assert_eq!(
            real.authenticate(Some("Bearer agent1")),
            Err(AuthError::Unknown)
        );
        assert_eq!(
            real.authenticate(Some("bearer s3cret-token")).unwrap().name,
            "maryam"
        );
    }

    #[test]
    fn every_refusal_has_its_reason() {
        let users = Users::new(vec![], true, &catalog()).unwrap();
        assert_eq!(users.authenticate(None), Err(AuthError::Missing));
        assert_eq!(
            users.authenticate(Some("agent1")),
            Err(AuthError::Malformed)
        );
        assert_eq!(
            users.authenticate(Some("Basic agent1")),
            Err(AuthError::Malformed)
        );
        assert_eq!(
            users.authenticate(Some("Bearer nobody")),
            Err(AuthError::Unknown)
        );
        assert_eq!(
            users.authenticate(Some("Bearer  ")),
            Err(AuthError::Malformed)
        );
    }

    #[test]
    fn a_bad_users_list_is_refused_with_the_user_named() {
        let c = catalog();
        let mut bad_hash = user("a", Role::Agent, "t");
        bad_hash.token_sha256 = "xyz".into();
        assert_eq!(
            Users::new(vec![bad_hash], false, &c).unwrap_err(),
            UsersError::BadHash("a".into())
        );
        let no_unit = user("u", Role::Unit, "t");
        assert_eq!(
            Users::new(vec![no_unit.clone()], false, &c).unwrap_err(),
            UsersError::MissingUnit("u".into())
        );
        let wrong_unit = User {
            unit_id: Some("nowhere".into()),
            ..no_unit
        };
        assert!(matches!(
            Users::new(vec![wrong_unit], false, &c),
            Err(UsersError::UnknownUnit(..))
        ));
        let twins = vec![user("a", Role::Agent, "t"), user("b", Role::Agent, "t")];
        assert!(matches!(
            Users::new(twins, false, &c),
            Err(UsersError::DuplicateToken(..))
        ));
    }
}
