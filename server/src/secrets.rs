//! The server's keys, in a file of their own outside the data directory, so
//! a copied store alone reveals nothing. The file is created at first start,
//! readable only by its owner; the server refuses one that others may read.
//!
//! ```toml
//! # desk137 server keys: back this file up apart from the data directory.
//! index = "<64 hex>"   # keys the phone index (HMAC-SHA256)
//! audit = "<64 hex>"   # keys the audit log's chain
//! current = 1          # the wrapping key new records use
//! [[wrapping]]         # wrap each citizen's own key; rotation adds one
//! version = 1
//! key = "<64 hex>"
//! ```
//!
//! Each purpose has a key of its own, so one key's use never weakens another.

use rand::TryRngCore;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const KEY_BYTES: usize = 32;

/// A 256-bit key. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(pub [u8; KEY_BYTES]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    /// A fresh key from the operating system's generator.
    pub fn generate() -> Result<Self, SecretsError> {
        let mut key = [0u8; KEY_BYTES];
        rand::rngs::OsRng
            .try_fill_bytes(&mut key)
            .map_err(|e| SecretsError::Random(e.to_string()))?;
        Ok(Self(key))
    }

    fn from_hex(what: &str, text: &str) -> Result<Self, String> {
        let bytes = hex::decode(text).map_err(|e| format!("{what}: {e}"))?;
        let key: [u8; KEY_BYTES] = bytes
            .try_into()
            .map_err(|_| format!("{what}: not {KEY_BYTES} bytes"))?;
        Ok(Self(key))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} may be read by others (mode {mode:o}); the server's keys must be readable by its user alone: chmod 600 it"
    )]
    Exposed { path: PathBuf, mode: u32 },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("no random bytes from the operating system: {0}")]
    Random(String),
}

/// The keys as the file holds them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFileText {
    index: String,
    audit: String,
    current: u32,
    wrapping: Vec<WrappingText>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WrappingText {
    version: u32,
    key: String,
}

/// The server's keys.
#[derive(Debug, Clone)]
pub struct Secrets {
    /// Keys the index from a phone number to its citizen.
    pub index: Key,
    /// Keys the audit log's chain.
    pub audit: Key,
    /// The wrapping key new records use: a version of `wrapping`.
    pub current: u32,
    /// Every wrapping key still needed to read a record, by version.
    pub wrapping: Vec<(u32, Key)>,
}

impl Secrets {
    /// Fresh keys that live as long as the process: a demo's temporary store.
    pub fn ephemeral() -> Result<Self, SecretsError> {
        Ok(Self {
            index: Key::generate()?,
            audit: Key::generate()?,
            current: 1,
            wrapping: vec![(1, Key::generate()?)],
        })
    }

    /// The wrapping key of `version`.
    pub fn wrapping_key(&self, version: u32) -> Option<&Key> {
        self.wrapping
            .iter()
            .find(|(v, _)| *v == version)
            .map(|(_, k)| k)
    }

    /// The key file next to a data directory: `DIR.key` beside `DIR`.
    pub fn default_path(data_dir: &Path) -> PathBuf {
        let mut name = data_dir.file_name().unwrap_or_default().to_owned();
        name.push(".key");
        data_dir.with_file_name(name)
    }

    /// Reads the key file, or creates it with fresh keys if there is none.
    pub fn load_or_create(path: &Path) -> Result<Self, SecretsError> {
        match std::fs::symlink_metadata(path) {
            Ok(_) => Self::load(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let secrets = Self::ephemeral()?;
                secrets.save(path)?;
                tracing::info!(path = %path.display(), "created the server's key file: back it up apart from the data");
                Ok(secrets)
            }
            Err(source) => Err(SecretsError::Io {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Reads the key file, refusing one that others may read.
    pub fn load(path: &Path) -> Result<Self, SecretsError> {
        let io = |source| SecretsError::Io {
            path: path.to_owned(),
            source,
        };
        check_private(path)?;
        let text = std::fs::read_to_string(path).map_err(io)?;
        let invalid = |reason: String| SecretsError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let file: KeyFileText = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        let mut wrapping = Vec::with_capacity(file.wrapping.len());
        for w in &file.wrapping {
            let key =
                Key::from_hex(&format!("wrapping key {}", w.version), &w.key).map_err(invalid)?;
            wrapping.push((w.version, key));
        }
        let secrets = Self {
            index: Key::from_hex("index", &file.index).map_err(invalid)?,
            audit: Key::from_hex("audit", &file.audit).map_err(invalid)?,
            current: file.current,
            wrapping,
        };
        if secrets.wrapping_key(secrets.current).is_none() {
            return Err(invalid(format!(
                "no wrapping key of the current version {}",
                secrets.current
            )));
        }
        Ok(secrets)
    }

    /// Writes the keys: to a new file of mode 0600, synced, then renamed over
    /// the old one, so a crash leaves the old file or the new one whole.
    pub fn save(&self, path: &Path) -> Result<(), SecretsError> {
        let io = |source| SecretsError::Io {
            path: path.to_owned(),
            source,
        };
        let file = KeyFileText {
            index: hex::encode(self.index.0),
            audit: hex::encode(self.audit.0),
            current: self.current,
            wrapping: self
                .wrapping
                .iter()
                .map(|(version, key)| WrappingText {
                    version: *version,
                    key: hex::encode(key.0),
                })
                .collect(),
        };
        let body = toml::to_string(&file).map_err(|e| SecretsError::Invalid {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let text = format!(
            "# desk137 server keys: back this file up apart from the data directory.\n\
             # Without it the citizens' numbers in the store cannot be read.\n{body}"
        );
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".new");
        let temporary = PathBuf::from(temporary);
        let _ = std::fs::remove_file(&temporary);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options.open(&temporary).map_err(io)?;
        out.write_all(text.as_bytes()).map_err(io)?;
        out.sync_all().map_err(io)?;
        drop(out);
        std::fs::rename(&temporary, path).map_err(io)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename is durable once the directory is.
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io)?;
        }
        Ok(())
    }
}

/// The keys a running server uses, swapped whole when a rotation adds or
/// drops a wrapping key. A reader takes the keys of the moment and keeps
/// them for what it is doing; every version it may meet stays in the keys
/// until no record uses it.
#[derive(Debug, Clone)]
pub struct SharedSecrets(std::sync::Arc<std::sync::RwLock<std::sync::Arc<Secrets>>>);

impl SharedSecrets {
    pub fn new(secrets: std::sync::Arc<Secrets>) -> Self {
        Self(std::sync::Arc::new(std::sync::RwLock::new(secrets)))
    }

    pub fn get(&self) -> std::sync::Arc<Secrets> {
        // A writer that panicked left whole keys behind: the swap is one store.
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set(&self, secrets: std::sync::Arc<Secrets>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = secrets;
    }
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), SecretsError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|source| SecretsError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SecretsError::Exposed {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path) -> Result<(), SecretsError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_file_is_private_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = Secrets::default_path(&dir.path().join("store"));
        assert_eq!(path, dir.path().join("store.key"));
        let made = Secrets::load_or_create(&path).unwrap();
        let read = Secrets::load_or_create(&path).unwrap();
        assert_eq!(made.index, read.index);
        assert_eq!(made.audit, read.audit);
        assert_eq!(made.wrapping, read.wrapping);
        assert_ne!(made.index, made.audit);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(!format!("{made:?}").contains(&hex::encode(made.index.0)));
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_may_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        Secrets::load_or_create(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Secrets::load_or_create(&path).unwrap_err();
        assert!(
            matches!(err, SecretsError::Exposed { mode: 0o644, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("chmod 600"));
    }

    #[test]
    fn a_damaged_key_file_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        Secrets::load_or_create(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("current = 1", "current = 9")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let err = Secrets::load_or_create(&path).unwrap_err();
        assert!(matches!(err, SecretsError::Invalid { .. }), "{err}");
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("current = 9")
        );
    }
}
