//! Attachment content as files, named by their SHA-256: `ab/abcdef…` under
//! the attachments directory, so the same content is kept once whatever
//! case or name it came with, and a name a client chose never becomes a
//! path.
//!
//! An upload is written to a temporary file in `tmp/` while it is hashed,
//! and only a complete, checked upload is synced and renamed to its address;
//! the directory is synced after the rename, so an acknowledged file
//! survives a crash. A temporary file dropped half-way (a client gone, a
//! refusal) removes itself, and whatever a crash leaves in `tmp/` is removed
//! at the next open.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The size of each data message of a download.
pub const CHUNK: usize = 64 * 1024;

/// The attachments directory.
#[derive(Debug, Clone)]
pub struct Files {
    root: PathBuf,
    tmp: PathBuf,
}

impl Files {
    /// Opens (or creates) the directory `root` and removes the uploads a
    /// crash left unfinished. The caller holds the store's lock, so no other
    /// server can be writing to `tmp/` at the same time.
    pub fn open(root: &Path) -> io::Result<Self> {
        let tmp = root.join("tmp");
        std::fs::create_dir_all(&tmp)?;
        let mut removed = 0usize;
        for entry in std::fs::read_dir(&tmp)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "removed unfinished uploads");
        }
        Ok(Self {
            root: root.to_owned(),
            tmp,
        })
    }

    /// Where the content with this SHA-256 lives.
    pub fn path(&self, sha256: &[u8; 32]) -> PathBuf {
        let id = crate::domain::media::hex_id(sha256);
        self.root.join(&id[..2]).join(id)
    }

    /// A new upload, written to a temporary file.
    pub fn begin(&self) -> io::Result<Pending> {
        let file = tempfile::Builder::new()
            .prefix("upload-")
            .suffix(".part")
            .tempfile_in(&self.tmp)?;
        Ok(Pending {
            file,
            hasher: Sha256::new(),
            written: 0,
            head: Vec::new(),
        })
    }

    /// The uploads not finished yet (for tests and tools).
    pub fn unfinished(&self) -> io::Result<usize> {
        Ok(std::fs::read_dir(&self.tmp)?.count())
    }

    /// Opens the content `sha256` and reads it whole to check it is `size`
    /// bytes with that SHA-256; a good file comes back at its start.
    pub fn open_verified(&self, sha256: &[u8; 32], size: u64) -> io::Result<Checked> {
        let mut file = match File::open(self.path(sha256)) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Checked::Damaged(Damage::Missing));
            }
            Err(e) => return Err(e),
        };
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut found = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            found += n as u64;
        }
        if found != size {
            return Ok(Checked::Damaged(Damage::Size {
                found,
                expected: size,
            }));
        }
        if <[u8; 32]>::from(hasher.finalize()) != *sha256 {
            return Ok(Checked::Damaged(Damage::Checksum));
        }
        io::Seek::rewind(&mut file)?;
        Ok(Checked::Good(Chunks {
            file,
            hasher: Sha256::new(),
            remaining: size,
            sha256: *sha256,
        }))
    }
}

/// What reading a stored file found.
#[derive(Debug)]
pub enum Checked {
    Good(Chunks),
    Damaged(Damage),
}

/// How a stored file differs from what its record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Damage {
    #[error("the file is missing")]
    Missing,
    #[error("the file holds {found} bytes, not {expected}")]
    Size { found: u64, expected: u64 },
    #[error("the file's SHA-256 is not its id")]
    Checksum,
}

/// A checked file read out in [`CHUNK`]s, hashed again on the way: if it
/// changed since it was checked, the chunk that would complete it is never
/// handed out, so a reader never receives the whole of a damaged file.
#[derive(Debug)]
pub struct Chunks {
    file: File,
    hasher: Sha256,
    remaining: u64,
    sha256: [u8; 32],
}

impl Chunks {
    /// The next chunk, `None` after the last.
    pub fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, ChunkError> {
        if self.remaining == 0 {
            return Ok(None);
        }
        let want = usize::try_from(self.remaining).map_or(CHUNK, |r| r.min(CHUNK));
        let mut buf = vec![0u8; want];
        self.file.read_exact(&mut buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => ChunkError::Damaged(Damage::Size {
                found: 0,
                expected: self.remaining,
            }),
            _ => ChunkError::Io(e),
        })?;
        self.hasher.update(&buf);
        self.remaining -= want as u64;
        if self.remaining == 0 {
            let hasher = std::mem::take(&mut self.hasher);
            if <[u8; 32]>::from(hasher.finalize()) != self.sha256 {
                return Err(ChunkError::Damaged(Damage::Checksum));
            }
        }
        Ok(Some(buf))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    #[error(transparent)]
    Damaged(Damage),
    #[error(transparent)]
    Io(io::Error),
}

/// An upload on its way: a temporary file, its hash so far, and its first
/// bytes for the media check. Dropped before [`Pending::commit`], it removes
/// its file.
#[derive(Debug)]
pub struct Pending {
    file: tempfile::NamedTempFile,
    hasher: Sha256,
    written: u64,
    head: Vec<u8>,
}

impl Pending {
    pub fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        let room = crate::domain::media::SNIFF_LEN.saturating_sub(self.head.len());
        self.head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        self.file.as_file_mut().write_all(chunk)?;
        self.hasher.update(chunk);
        self.written += chunk.len() as u64;
        Ok(())
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    /// The first bytes written, up to [`crate::domain::media::SNIFF_LEN`].
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// Syncs the file, moves it to its content address (over a copy
    /// already there: the same bytes, and a damaged copy is so repaired) and
    /// syncs the directories it entered. Returns its SHA-256.
    pub fn commit(self, files: &Files) -> io::Result<[u8; 32]> {
        let sha256: [u8; 32] = self.hasher.finalize().into();
        self.file.as_file().sync_all()?;
        let target = files.path(&sha256);
        let shard = target.parent().unwrap_or(&files.root).to_owned();
        if !shard.is_dir() {
            std::fs::create_dir_all(&shard)?;
            sync_dir(&files.root)?;
        }
        self.file.persist(&target).map_err(|e| e.error)?;
        sync_dir(&shard)?;
        Ok(sha256)
    }
}

/// Makes a directory's entries (a rename into it) durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(files: &Files, bytes: &[u8]) -> [u8; 32] {
        let mut p = files.begin().unwrap();
        for chunk in bytes.chunks(7) {
            p.write(chunk).unwrap();
        }
        assert_eq!(p.written(), bytes.len() as u64);
        p.commit(files).unwrap()
    }

    fn read_all(files: &Files, sha: &[u8; 32], size: u64) -> Result<Vec<u8>, String> {
        match files.open_verified(sha, size).unwrap() {
            Checked::Damaged(d) => Err(d.to_string()),
            Checked::Good(mut chunks) => {
                let mut out = Vec::new();
                while let Some(c) = chunks.next_chunk().map_err(|e| e.to_string())? {
                    out.extend(c);
                }
                Ok(out)
            }
        }
    }

    #[test]
    fn content_is_kept_once_at_its_address_and_read_back_checked() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::open(dir.path()).unwrap();
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let a = upload(&files, &bytes);
        let b = upload(&files, &bytes);
        assert_eq!(a, b);
        assert_eq!(<[u8; 32]>::from(Sha256::digest(&bytes)), a);
        let path = files.path(&a);
        let id = crate::domain::media::hex_id(&a);
        assert!(path.ends_with(format!("{}/{id}", &id[..2])));
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
        assert_eq!(files.unfinished().unwrap(), 0);
        assert_eq!(read_all(&files, &a, bytes.len() as u64).unwrap(), bytes);
        // A byte flipped on disk, a truncated file, a missing one.
        let mut damaged = bytes.clone();
        damaged[100_000] ^= 1;
        std::fs::write(&path, &damaged).unwrap();
        assert_eq!(
            read_all(&files, &a, bytes.len() as u64).unwrap_err(),
            Damage::Checksum.to_string()
        );
        std::fs::write(&path, &bytes[..10]).unwrap();
        assert!(read_all(&files, &a, bytes.len() as u64).is_err());
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            read_all(&files, &a, bytes.len() as u64).unwrap_err(),
            Damage::Missing.to_string()
        );
    }

    #[test]
    fn a_file_changed_after_its_check_never_hands_out_its_last_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::open(dir.path()).unwrap();
        let bytes = vec![7u8; CHUNK * 2 + 10];
        let sha = upload(&files, &bytes);
        let Checked::Good(mut chunks) = files.open_verified(&sha, bytes.len() as u64).unwrap()
        else {
            panic!("a good file");
        };
        let mut changed = bytes.clone();
        *changed.last_mut().unwrap() = 8;
        // Rewritten in place, as a failing disk would.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(files.path(&sha))
            .unwrap();
        f.write_all(&changed).unwrap();
        assert_eq!(chunks.next_chunk().unwrap().unwrap().len(), CHUNK);
        assert_eq!(chunks.next_chunk().unwrap().unwrap().len(), CHUNK);
        assert!(matches!(
            chunks.next_chunk(),
            Err(ChunkError::Damaged(Damage::Checksum))
        ));
    }

    #[test]
    fn an_upload_dropped_or_left_by_a_crash_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::open(dir.path()).unwrap();
        let mut p = files.begin().unwrap();
        p.write(b"half of a photo").unwrap();
        assert_eq!(files.unfinished().unwrap(), 1);
        drop(p);
        assert_eq!(files.unfinished().unwrap(), 0);
        // What a killed server leaves behind.
        let p = files.begin().unwrap();
        std::mem::forget(p);
        assert_eq!(files.unfinished().unwrap(), 1);
        let files = Files::open(dir.path()).unwrap();
        assert_eq!(files.unfinished().unwrap(), 0);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "only tmp/"
        );
    }
}
