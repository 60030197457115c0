//! The chain's head kept outside the store: a small file beside the data
//! directory (`DIR.audit`), so cutting the log's tail, which rolls the
//! store's own head back with it, leaves a checkpoint ahead of the log.
//!
//! ```toml
//! seq = 120
//! head = "<64 hex>"
//! ```

use super::{HASH_BYTES, Head};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Text {
    seq: u64,
    head: String,
}

/// The checkpoint beside a data directory: `DIR.audit` beside `DIR`.
pub fn default_path(data_dir: &Path) -> PathBuf {
    let mut name = data_dir.file_name().unwrap_or_default().to_owned();
    name.push(".audit");
    data_dir.with_file_name(name)
}

/// The head last written, or `None` when there is no checkpoint.
pub fn load(path: &Path) -> Result<Option<Head>, CheckpointError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(CheckpointError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    let invalid = |reason: String| CheckpointError::Invalid {
        path: path.to_owned(),
        reason,
    };
    let file: Text = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    let mut hash = [0u8; HASH_BYTES];
    hex::decode_to_slice(&file.head, &mut hash).map_err(|e| invalid(format!("head: {e}")))?;
    Ok(Some(Head {
        seq: file.seq,
        hash,
    }))
}

/// Writes `head` durably: a new file, synced, renamed over the old one, and
/// the directory synced, so a crash leaves the old checkpoint or the new one.
pub fn save(path: &Path, head: &Head) -> Result<(), CheckpointError> {
    let io = |source| CheckpointError::Io {
        path: path.to_owned(),
        source,
    };
    let text = format!(
        "# desk137 audit log checkpoint: the chain's head, to catch a cut tail.\nseq = {}\nhead = \"{}\"\n",
        head.seq,
        head.hex()
    );
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".new");
    let temporary = PathBuf::from(temporary);
    let mut out = std::fs::File::create(&temporary).map_err(io)?;
    out.write_all(text.as_bytes()).map_err(io)?;
    out.sync_all().map_err(io)?;
    drop(out);
    std::fs::rename(&temporary, path).map_err(io)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_reads_back_and_a_missing_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = default_path(&dir.path().join("data"));
        assert_eq!(path, dir.path().join("data.audit"));
        assert_eq!(load(&path).unwrap(), None);
        let head = Head {
            seq: 42,
            hash: [9; HASH_BYTES],
        };
        save(&path, &head).unwrap();
        assert_eq!(load(&path).unwrap(), Some(head));
        std::fs::write(&path, "seq = 1\nhead = \"zz\"\n").unwrap();
        assert!(matches!(load(&path), Err(CheckpointError::Invalid { .. })));
    }
}
