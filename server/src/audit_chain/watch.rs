//! Keeping the chain's head where a cut tail is noticed: the checkpoint
//! file, rewritten at start, every [`EVERY_ENTRIES`] entries, every hour and
//! at shutdown, and a line in the server's log with the same head. The line
//! names only the sequence and the hash: reasons are free text and never
//! logged.

use super::{Head, checkpoint};
use crate::domain::clock::SharedClock;
use crate::store::Store;
use anyhow::Context as _;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The checkpoint and the log line follow at least this often in entries.
pub const EVERY_ENTRIES: u64 = 100;
/// ... and in time.
pub const EVERY_MS: i64 = 3_600_000;
/// How often the hour is looked at.
const TICK: Duration = Duration::from_secs(60);

/// Is a new checkpoint due? Only when the head moved: either far enough or
/// long enough ago.
pub fn due(written: Head, written_at_ms: i64, head: Head, now_ms: i64) -> bool {
    head != written
        && (head.seq >= written.seq.saturating_add(EVERY_ENTRIES)
            || now_ms.saturating_sub(written_at_ms) >= EVERY_MS)
}

fn log_head(head: &Head, why: &'static str) {
    tracing::info!(seq = head.seq, head = %head.hex(), why, "audit log head");
}

/// Compares the store's log with the checkpoint before the server serves:
/// a log behind its checkpoint, or one whose entry at the checkpoint's
/// sequence has another hash, was cut or rewritten, and the server refuses
/// to start rather than write a new checkpoint over the evidence.
pub fn check_at_start(store: &Store, path: &std::path::Path) -> anyhow::Result<Head> {
    let head = store.audit_head()?;
    if let Some(cp) = checkpoint::load(path)? {
        let at = store
            .audit_sealed(cp.seq)?
            .filter(|_| cp.seq > 0)
            .map(|sealed| sealed.hash);
        let matches = cp.seq == 0 || at.as_deref() == Some(&cp.hash[..]);
        anyhow::ensure!(
            cp.seq <= head.seq && matches,
            "the audit log does not match its checkpoint {} (the log ends at entry {}; the checkpoint names entry {}): \
             it was cut or rewritten. Run `desk137-server audit verify` on the stopped store; \
             to serve this log as it is, move the checkpoint aside first",
            path.display(),
            head.seq,
            cp.seq
        );
    }
    checkpoint::save(path, &head)?;
    log_head(&head, "start");
    Ok(head)
}

/// The task that keeps the checkpoint.
#[derive(Debug)]
pub struct Keeper {
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Keeper {
    pub fn spawn(store: &Store, path: PathBuf, clock: SharedClock, written: Head) -> Self {
        let (stop, stopped) = oneshot::channel();
        let heads = store.watch_audit_head();
        let task = tokio::spawn(keep(heads, path, clock, written, stopped));
        Self { stop, task }
    }

    /// Writes the last durable head and stops. Call once the store's writer
    /// has answered its last job.
    pub async fn finish(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await.context("the audit checkpoint task")?
    }
}

async fn keep(
    mut heads: tokio::sync::watch::Receiver<Head>,
    path: PathBuf,
    clock: SharedClock,
    mut written: Head,
    mut stopped: oneshot::Receiver<()>,
) -> anyhow::Result<()> {
    let mut written_at = clock.now_ms();
    let mut logged_at = written_at;
    let mut tick = tokio::time::interval(TICK);
    loop {
        let stopping = tokio::select! {
            changed = heads.changed() => changed.is_err(),
            _ = tick.tick() => false,
            _ = &mut stopped => true,
        };
        let head = *heads.borrow_and_update();
        let now = clock.now_ms();
        if stopping {
            if head != written {
                save(&path, &head).await?;
            }
            log_head(&head, "shutdown");
            return Ok(());
        }
        if due(written, written_at, head, now) {
            // A failed write is retried at the next change or tick.
            match save(&path, &head).await {
                Ok(()) => {
                    written = head;
                    written_at = now;
                    logged_at = now;
                    log_head(&head, "checkpoint");
                }
                Err(e) => tracing::error!(error = %e, "writing the audit checkpoint"),
            }
        } else if now.saturating_sub(logged_at) >= EVERY_MS {
            logged_at = now;
            log_head(&head, "hourly");
        }
    }
}

async fn save(path: &std::path::Path, head: &Head) -> anyhow::Result<()> {
    let (path, head) = (path.to_owned(), *head);
    tokio::task::spawn_blocking(move || checkpoint::save(&path, &head))
        .await
        .context("the audit checkpoint task")??;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(seq: u64) -> Head {
        Head {
            seq,
            hash: [seq as u8; 32],
        }
    }

    #[test]
    fn a_checkpoint_is_due_after_enough_entries_or_an_hour_and_only_if_the_head_moved() {
        assert!(!due(head(5), 0, head(5), EVERY_MS * 10));
        assert!(!due(head(5), 0, head(6), EVERY_MS - 1));
        assert!(due(head(5), 0, head(6), EVERY_MS));
        assert!(!due(head(5), 0, head(5 + EVERY_ENTRIES - 1), 1));
        assert!(due(head(5), 0, head(5 + EVERY_ENTRIES), 1));
    }
}
