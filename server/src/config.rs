//! The server's configuration file and users file, both TOML.
//!
//! ```toml
//! listen = "127.0.0.1:7137"
//! data = "/var/lib/desk137"
//! key_file = "/var/lib/desk137.key"  # default: the data directory's name + .key, beside it
//! users = "users.toml"        # relative paths are relative to this file
//! cache_capacity_mb = 64
//! flush = true
//! max_connections = 512
//! attachment_max_mb = 20
//! [sla]
//! first_response_hours = 120
//! on_site_hours = 2
//! result_hours = 24
//! shahrban_first_response_factor = 0.5  # a Shahrban caller's share of the first response
//! ```
//!
//! ```toml
//! [[users]]
//! name = "maryam"
//! role = "agent"              # agent | dispatcher | unit | supervisor | admin
//! token_sha256 = "<hex>"      # desk137-server hash-token
//! [[users]]
//! name = "r03-crew"
//! role = "unit"
//! token_sha256 = "<hex>"
//! unit_id = "r03-urban_services"
//! ```

use crate::auth::User;
use crate::domain::model::Role;
use crate::domain::sla::SlaPolicy;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

/// The configuration file. Every key is optional; command-line flags win.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data: Option<PathBuf>,
    /// The server's keys ([`crate::secrets`]); outside the data directory.
    pub key_file: Option<PathBuf>,
    pub users: Option<PathBuf>,
    pub cache_capacity_mb: Option<u64>,
    pub flush: Option<bool>,
    pub sla: Option<SlaPolicy>,
    /// Most connections served at once.
    pub max_connections: Option<usize>,
    /// The largest attachment accepted, in MiB.
    pub attachment_max_mb: Option<u64>,
    /// The 137 score: `lambda`, `floor`, `reopen_penalty`.
    pub score: Option<crate::domain::score::ScoreConfig>,
    /// The call-back queue: `retry_minutes`, `max_tries`, `lease_minutes`.
    pub callback: Option<crate::domain::feedback::CallBackPolicy>,
    /// Citizens re-wrapped per writer job by `KeyService.RotateKeys`.
    pub rewrap_batch: Option<usize>,
}

/// Attachments travel in one call, within its deadline: a gigabyte is far
/// past any photo or voice note.
pub const ATTACHMENT_MAX_MB_CAP: u64 = 1024;

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })
}

fn parse<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|source| ConfigError::Parse {
        path: path.to_owned(),
        source: Box::new(source),
    })
}

impl FileConfig {
    /// Reads a configuration file; its relative paths become relative to the
    /// file's directory.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let mut config: FileConfig = parse(path, &read(path)?)?;
        let base = path.parent().unwrap_or(Path::new(""));
        for p in [&mut config.data, &mut config.key_file, &mut config.users]
            .into_iter()
            .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        if let Some(sla) = &config.sla {
            if !(0.0..=1.0).contains(&sla.warn_share) {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    reason: format!("sla.warn_share is {}; it must be 0 to 1", sla.warn_share),
                });
            }
            let factor = sla.shahrban_first_response_factor;
            if !(factor > 0.0 && factor <= 1.0) {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    reason: format!(
                        "sla.shahrban_first_response_factor is {factor}; it must be above 0 and at most 1"
                    ),
                });
            }
            let hours = [
                ("first_response_hours", sla.first_response_hours),
                ("on_site_hours", sla.on_site_hours),
                ("result_hours", sla.result_hours),
                ("reopen_result_hours", sla.reopen_result_hours),
                ("re_escalation_urgent_hours", sla.re_escalation_urgent_hours),
                ("re_escalation_hours", sla.re_escalation_hours),
            ];
            if let Some((name, h)) = hours.iter().find(|(_, h)| !(1..=24 * 365).contains(h)) {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    reason: format!("sla.{name} is {h}; it must be 1 to 8760 hours"),
                });
            }
        }
        if let Some(mb) = config.attachment_max_mb
            && !(1..=ATTACHMENT_MAX_MB_CAP).contains(&mb)
        {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                reason: format!(
                    "attachment_max_mb is {mb}; it must be 1 to {ATTACHMENT_MAX_MB_CAP}"
                ),
            });
        }
        if config.cache_capacity_mb == Some(0) {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                reason: "cache_capacity_mb must be at least 1".into(),
            });
        }
        Ok(config)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    #[serde(default)]
    users: Vec<UserEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    name: String,
    role: String,
    token_sha256: String,
    unit_id: Option<String>,
}

/// Reads a users file. Whether the users fit the catalog is checked when the
/// server starts ([`crate::auth::Users::new`]).
pub fn load_users(path: &Path) -> Result<Vec<User>, ConfigError> {
    parse_users(path, &read(path)?)
}

pub fn parse_users(path: &Path, text: &str) -> Result<Vec<User>, ConfigError> {
    let file: UsersFile = parse(path, text)?;
    file.users
        .into_iter()
        .map(|u| {
            let role = Role::parse(u.role.trim()).ok_or_else(|| ConfigError::Invalid {
                path: path.to_owned(),
                reason: format!(
                    "user {}: role {:?} is not one of agent, dispatcher, unit, supervisor, admin",
                    u.name, u.role
                ),
            })?;
            Ok(User {
                name: u.name,
                role,
                token_sha256: u.token_sha256,
                unit_id: u.unit_id.filter(|id| !id.trim().is_empty()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_file_reads_with_paths_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk137.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:9000\"\ndata = \"data\"\nusers = \"/etc/desk137/users.toml\"\n\
             cache_capacity_mb = 16\nflush = false\n[sla]\non_site_hours = 3\n",
        )
        .unwrap();
        let c = FileConfig::load(&path).unwrap();
        assert_eq!(c.listen, Some("0.0.0.0:9000".parse().unwrap()));
        assert_eq!(c.data, Some(dir.path().join("data")));
        assert_eq!(c.users, Some(PathBuf::from("/etc/desk137/users.toml")));
        assert_eq!(c.flush, Some(false));
        let sla = c.sla.unwrap();
        assert_eq!((sla.first_response_hours, sla.on_site_hours), (120, 3));
        assert_eq!(sla.ladder.len(), 4, "the default ladder");
    }

    #[test]
    fn the_ladder_overrides_and_steps_read_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk137.toml");
        std::fs::write(
            &path,
            "[sla]
warn_share = 0.5
re_escalation_hours = 12
reopen_result_hours = 48
             [[sla.overrides]]
topic_id = \"T071\"
on_site_hours = 1
             [[sla.ladder]]
recipient = \"رئیس واحد\"
letter = \"پرونده {number}\"
             [[sla.ladder]]
recipient = \"بازرسی\"
",
        )
        .unwrap();
        let sla = FileConfig::load(&path).unwrap().sla.unwrap();
        assert_eq!(sla.warn_share, 0.5);
        assert_eq!((sla.re_escalation_hours, sla.reopen_result_hours), (12, 48));
        assert_eq!(sla.ladder.len(), 2);
        assert_eq!(sla.ladder[1].letter, "");
        assert_eq!(
            sla.hours_for(
                crate::domain::model::Kind::Executive,
                crate::domain::model::Urgency::Urgent,
                "T071"
            ),
            (120, 1, 24)
        );
    }

    #[test]
    fn a_wrong_key_or_value_names_the_file_and_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "lisen = \"x\"\n").unwrap();
        let err = FileConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("c.toml") && err.contains("lisen"), "{err}");
        std::fs::write(&path, "[sla]\nresult_hours = 0\n").unwrap();
        let err = FileConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("sla.result_hours"), "{err}");
        std::fs::write(&path, "[sla]\nshahrban_first_response_factor = 1.5\n").unwrap();
        let err = FileConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("sla.shahrban_first_response_factor"), "{err}");
        std::fs::write(&path, "[sla]\nshahrban_first_response_factor = 0.25\n").unwrap();
        let sla = FileConfig::load(&path).unwrap().sla.unwrap();
        assert_eq!(sla.shahrban_first_response_factor, 0.25);
        std::fs::write(&path, "attachment_max_mb = 0\n").unwrap();
        let err = FileConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("attachment_max_mb"), "{err}");
        std::fs::write(&path, "attachment_max_mb = 5\n").unwrap();
        assert_eq!(FileConfig::load(&path).unwrap().attachment_max_mb, Some(5));
        assert!(matches!(
            FileConfig::load(&dir.path().join("missing.toml")),
            Err(ConfigError::Read { .. })
        ));
    }

    #[test]
    fn users_read_with_their_roles() {
        let text = "[[users]]\nname = \"maryam\"\nrole = \"agent\"\ntoken_sha256 = \"ab\"\n\
                    [[users]]\nname = \"crew\"\nrole = \"unit\"\ntoken_sha256 = \"cd\"\nunit_id = \"r03-urban_services\"\n";
        let users = parse_users(Path::new("users.toml"), text).unwrap();
        assert_eq!(users[0].role, Role::Agent);
        assert_eq!(users[1].unit_id.as_deref(), Some("r03-urban_services"));
        let bad = parse_users(
            Path::new("users.toml"),
            "[[users]]\nname = \"x\"\nrole = \"boss\"\ntoken_sha256 = \"ab\"\n",
        );
        assert!(bad.unwrap_err().to_string().contains("boss"));
    }
}
