//! The in-memory fan-out from the writer's after-commit hook to watchers.

use crate::domain::access::{Caller, may_watch};
use crate::store::feed::{FeedReader, FeedRecord};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use tokio::sync::{Notify, mpsc};

/// Records read from the history per step of a publish.
const READ_STEP: usize = 4096;

/// The watchers and where the feed stands.
#[derive(Debug)]
pub struct Hub {
    state: Mutex<State>,
    attached: OnceLock<Attached>,
    buffer: usize,
    /// Wakes the trimmer after a publish.
    pub(crate) published_any: Notify,
    /// The server is stopping: watchers are let go and told so.
    closed: AtomicBool,
}

#[derive(Debug)]
struct Attached {
    reader: FeedReader,
    coordination_unit: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    /// Every event up to this one has been handed to the watchers.
    published: u64,
    next_id: u64,
    subs: Vec<Sub>,
}

#[derive(Debug)]
struct Sub {
    id: u64,
    caller: Caller,
    tx: mpsc::Sender<Arc<FeedRecord>>,
    cut: Arc<Cut>,
}

/// Set once when a watcher's buffer overflowed.
#[derive(Debug, Default)]
pub struct Cut {
    flag: AtomicBool,
    notify: Notify,
}

impl Cut {
    fn cut(&self) {
        self.flag.store(true, Ordering::SeqCst);
        // A stored permit: a watcher not waiting yet still sees it.
        self.notify.notify_one();
    }

    pub fn is_cut(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    pub async fn wait(&self) {
        if !self.is_cut() {
            self.notify.notified().await;
        }
    }
}

/// One watcher's place in the fan-out; leaves it when dropped.
#[derive(Debug)]
pub struct Subscription {
    id: u64,
    hub: Arc<Hub>,
    pub rx: mpsc::Receiver<Arc<FeedRecord>>,
    pub cut: Arc<Cut>,
    /// The sequence published when the subscription began: every later
    /// event the watcher may see comes through `rx`, every earlier one is
    /// in the history.
    pub from: u64,
}

impl Subscription {
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// The feed's sequence, if every event up to it that this watcher may
    /// see has already been taken from `rx`: what a heartbeat may claim.
    pub fn drained_seq(&self) -> Option<u64> {
        let state = self.hub.lock();
        self.rx.is_empty().then_some(state.published)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.lock().subs.retain(|s| s.id != self.id);
    }
}

impl Hub {
    pub fn new(buffer: usize) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State::default()),
            attached: OnceLock::new(),
            buffer: buffer.max(1),
            published_any: Notify::new(),
            closed: AtomicBool::new(false),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere leaves the list as it was: still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts publishing from the store's history: what is already in it
    /// counts as published (a watcher replays it).
    pub fn attach(
        &self,
        reader: FeedReader,
        coordination_unit: Option<String>,
    ) -> crate::store::Result<()> {
        let last = reader.last_seq()?;
        self.lock().published = last;
        let _ = self.attached.set(Attached {
            reader,
            coordination_unit,
        });
        Ok(())
    }

    pub fn reader(&self) -> Option<&FeedReader> {
        self.attached.get().map(|a| &a.reader)
    }

    /// The last sequence handed to watchers.
    pub fn published(&self) -> u64 {
        self.lock().published
    }

    pub fn subscribe(self: &Arc<Self>, caller: Caller) -> Subscription {
        let (tx, rx) = mpsc::channel(self.buffer);
        let cut = Arc::new(Cut::default());
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        if !self.is_closed() {
            state.subs.push(Sub {
                id,
                caller,
                tx,
                cut: cut.clone(),
            });
        }
        Subscription {
            id,
            hub: self.clone(),
            rx,
            cut,
            from: state.published,
        }
    }

    /// Lets every watcher go: their streams end, saying where they stand.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.lock().subs.clear();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// How many watchers are subscribed.
    pub fn watchers(&self) -> usize {
        self.lock().subs.len()
    }

    /// Hands every record written since the last publish to the watchers
    /// who may see it. Called on the writer thread after each durable batch:
    /// it reads records just written (in sled's cache) and never waits on a
    /// watcher.
    pub fn publish(&self) {
        let Some(attached) = self.attached.get() else {
            return;
        };
        let occ = attached.coordination_unit.as_deref();
        loop {
            let from = self.lock().published;
            let records = match attached.reader.after(from, READ_STEP) {
                Ok(records) => records,
                Err(e) => {
                    tracing::error!(error = %e, "reading the feed's new events");
                    return;
                }
            };
            let full = records.len() == READ_STEP;
            let mut state = self.lock();
            for record in records {
                let record = Arc::new(record);
                let subject = record.subject();
                state.subs.retain(|sub| {
                    if !may_watch(&sub.caller, subject, occ) {
                        return true;
                    }
                    match sub.tx.try_send(record.clone()) {
                        Ok(()) => true,
                        Err(mpsc::error::TrySendError::Full(_)) => {
                            tracing::info!(user = %sub.caller.name, seq = record.seq, "a watcher fell behind and is cut off");
                            sub.cut.cut();
                            false
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => false,
                    }
                });
                state.published = record.seq;
            }
            drop(state);
            if !full {
                break;
            }
        }
        self.published_any.notify_one();
    }
}
