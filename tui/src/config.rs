//! The user's settings: `desk137/config.toml` in the user's config directory
//! (`~/.config` on Linux) unless told otherwise.

use crate::messages::Lang;
use etcetera::BaseStrategy;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    #[default]
    Jalali,
    Gregorian,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The server's address, e.g. `http://10.0.0.5:1370`.
    pub server: Option<String>,
    pub token: Option<String>,
    pub lang: Lang,
    /// Put right-to-left text in visual order, for terminals that do not.
    pub bidi: bool,
    /// A keymap file merged on top of the shipped one.
    pub keymap: Option<PathBuf>,
    pub calendar: Calendar,
    /// The certificate (PEM) an `https://` server's chain must lead to.
    pub ca: Option<PathBuf>,
    /// The viewer attachments open with: a program and its first arguments,
    /// the file's path added last. Unset: `xdg-open` (`open` on macOS).
    pub opener: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
}

/// Where this platform keeps a user's files; on Linux the XDG places
/// (`$XDG_CONFIG_HOME`, else `~/.config`, and the same for state).
pub fn dirs() -> Option<impl BaseStrategy> {
    etcetera::choose_base_strategy().ok()
}

/// `desk137/config.toml` in the user's config directory.
pub fn default_path() -> Option<PathBuf> {
    Some(dirs()?.config_dir().join("desk137").join("config.toml"))
}

impl Config {
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Reads `path`; a missing file at the default place is no error, since a
    /// first start has none.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let (path, must_exist) = match path {
            Some(p) => (p.to_owned(), true),
            None => match default_path() {
                Some(p) => (p, false),
                None => return Ok(Self::default()),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let mut config = Self::parse(&path, &text)?;
                // A relative keymap path is relative to the config file.
                // So is the CA file's.
                if let Some(dir) = path.parent() {
                    for file in [&mut config.keymap, &mut config.ca] {
                        if let Some(f) = file.as_mut()
                            && f.is_relative()
                        {
                            *f = dir.join(&*f);
                        }
                    }
                }
                Ok(config)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {
                Ok(Self::default())
            }
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_parses_and_defaults_are_persian_jalali() {
        let c = Config::parse(
            Path::new("c.toml"),
            r#"
                server = "http://127.0.0.1:1370"
                token = "agent1"
                lang = "en"
                bidi = true
                keymap = "keys.toml"
                calendar = "gregorian"
                opener = ["feh", "--scale-down"]
            "#,
        )
        .unwrap();
        assert_eq!(c.lang, Lang::En);
        assert!(c.bidi);
        assert_eq!(c.calendar, Calendar::Gregorian);
        assert_eq!(c.server.as_deref(), Some("http://127.0.0.1:1370"));
        assert_eq!(
            c.opener,
            Some(vec!["feh".to_owned(), "--scale-down".to_owned()])
        );
        let d = Config::parse(Path::new("c.toml"), "").unwrap();
        assert_eq!(
            (d.lang, d.calendar, d.bidi),
            (Lang::Fa, Calendar::Jalali, false)
        );
    }

    #[test]
    fn a_typo_is_named() {
        let err = Config::parse(Path::new("c.toml"), "lang = \"de\"\n").unwrap_err();
        assert!(err.to_string().starts_with("c.toml:"), "{err}");
        assert!(Config::parse(Path::new("c.toml"), "colour = 1\n").is_err());
    }

    #[test]
    fn a_relative_keymap_is_next_to_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "keymap = \"keys.toml\"\n").unwrap();
        let c = Config::load(Some(&path)).unwrap();
        assert_eq!(c.keymap, Some(dir.path().join("keys.toml")));
        assert!(Config::load(Some(&dir.path().join("missing.toml"))).is_err());
    }
}
