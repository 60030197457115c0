//! The client side of the event feed: where the stream stands (the last
//! sequence seen, live or reconnecting), and what each item means for the
//! screens. Pure: the client task holds the stream open and brings its items
//! here as messages; the screens get [`News`].
//!
//! An event is applied at most once: the stream resumes after the last
//! sequence seen, and anything at or below it that a reconnection sends
//! again is dropped here. A resync comes in parts and is handed on whole.

use desk137_domain::clock::Millis;
use desk137_proto::v1 as pb;

/// The server sends a heartbeat every few seconds when nothing happens; a
/// stream silent for longer than this is taken for lost, whatever the
/// connection says, and the screens say they are reconnecting.
pub const SILENCE_MS: Millis = 15_000;

/// How many cases a resync may bring before the rest is left to the lists'
/// own reading: the parts are held until the last one.
pub const MAX_RESYNC_CASES: usize = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedState {
    /// Not asked for (before sign-in).
    Off,
    /// Asked for, nothing heard yet.
    Opening,
    /// A resync is arriving in parts.
    Resyncing,
    /// Items arrive, or heartbeats say the stream is alive.
    Live,
    /// The stream broke, or fell silent; the client task opens it again
    /// from the last sequence seen.
    Reconnecting,
}

/// What an item means to the screens.
#[derive(Debug, Clone, PartialEq)]
pub enum News {
    /// One change, in commit order, seen for the first time.
    Event(Box<pb::FeedEvent>),
    /// The stream had no point to resume from: what the watcher may see,
    /// consistent with `seq`. Screens read their lists again.
    Resynced { seq: u64, cases: Vec<pb::Case> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub state: FeedState,
    /// The last sequence applied: the point a reconnection resumes after.
    pub last_seq: u64,
    /// The feed's own sequence, from the last heartbeat.
    pub head_seq: u64,
    /// This machine's time when the stream last spoke.
    heard_ms: Millis,
    /// The parts of a resync so far.
    parts: Vec<pb::Case>,
    /// Breaks since the stream was last live, for the header.
    pub attempts: u32,
}

impl Default for Feed {
    fn default() -> Self {
        Self {
            state: FeedState::Off,
            last_seq: 0,
            head_seq: 0,
            heard_ms: 0,
            parts: Vec::new(),
            attempts: 0,
        }
    }
}

impl Feed {
    /// The subscription is asked for, resuming after what was seen.
    pub fn open(&mut self, now_ms: Millis) -> u64 {
        self.state = FeedState::Opening;
        self.heard_ms = now_ms;
        self.last_seq
    }

    /// Forget the point: a new sign-in sees another view of the feed.
    pub fn reset(&mut self) {
        *self = Feed::default();
    }

    pub fn is_live(&self) -> bool {
        self.state == FeedState::Live
    }

    /// One item of the stream, at this machine's `now_ms`.
    pub fn item(&mut self, item: pb::WatchResponse, now_ms: Millis) -> Option<News> {
        use pb::watch_response::Item;
        self.heard_ms = now_ms;
        self.attempts = 0;
        match item.item? {
            Item::Heartbeat(h) => {
                self.head_seq = self.head_seq.max(h.seq);
                if self.state != FeedState::Resyncing {
                    self.state = FeedState::Live;
                }
                None
            }
            Item::Event(e) => {
                if self.state == FeedState::Resyncing {
                    // Events come only after the resync's last part; one
                    // before it would be applied to lists about to be read
                    // again, so it waits for them (its seq is above the
                    // resync's, and the lists' reading includes it).
                    tracing::debug!(seq = e.seq, "an event inside a resync");
                }
                if e.seq <= self.last_seq {
                    return None;
                }
                self.last_seq = e.seq;
                self.head_seq = self.head_seq.max(e.seq);
                if self.state != FeedState::Resyncing {
                    self.state = FeedState::Live;
                }
                Some(News::Event(Box::new(e)))
            }
            Item::Resync(r) => {
                self.state = FeedState::Resyncing;
                let room = MAX_RESYNC_CASES.saturating_sub(self.parts.len());
                self.parts.extend(r.cases.into_iter().take(room));
                if !r.last {
                    return None;
                }
                self.state = FeedState::Live;
                self.last_seq = r.seq;
                self.head_seq = self.head_seq.max(r.seq);
                Some(News::Resynced {
                    seq: r.seq,
                    cases: std::mem::take(&mut self.parts),
                })
            }
        }
    }

    /// The stream broke; the client task opens it again.
    pub fn broke(&mut self) {
        if self.state != FeedState::Off {
            self.state = FeedState::Reconnecting;
            self.attempts = self.attempts.saturating_add(1);
        }
        // A resync cut in the middle is sent again whole.
        self.parts.clear();
    }

    /// The clock moved: a stream silent past [`SILENCE_MS`] is reconnecting.
    /// True when that changed what the screen shows.
    pub fn tick(&mut self, now_ms: Millis) -> bool {
        let silent = now_ms - self.heard_ms > SILENCE_MS;
        if silent && matches!(self.state, FeedState::Live | FeedState::Opening) {
            self.state = FeedState::Reconnecting;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pb::watch_response::Item;

    fn event(seq: u64) -> pb::WatchResponse {
        pb::WatchResponse {
            item: Some(Item::Event(pb::FeedEvent {
                seq,
                at_ms: 1_000,
                kind: pb::FeedKind::CaseCreated as i32,
                ..Default::default()
            })),
        }
    }

    fn heartbeat(seq: u64) -> pb::WatchResponse {
        pb::WatchResponse {
            item: Some(Item::Heartbeat(pb::Heartbeat { seq, at_ms: 0 })),
        }
    }

    fn resync(seq: u64, ids: &[u64], last: bool) -> pb::WatchResponse {
        pb::WatchResponse {
            item: Some(Item::Resync(pb::Resync {
                seq,
                cases: ids
                    .iter()
                    .map(|id| pb::Case {
                        id: *id,
                        ..Default::default()
                    })
                    .collect(),
                last,
            })),
        }
    }

    fn seqs(news: &[Option<News>]) -> Vec<u64> {
        news.iter()
            .flatten()
            .filter_map(|n| match n {
                News::Event(e) => Some(e.seq),
                News::Resynced { .. } => None,
            })
            .collect()
    }

    #[test]
    fn an_event_sent_again_after_a_reconnection_is_applied_once() {
        let mut f = Feed::default();
        assert_eq!(f.open(0), 0);
        let first: Vec<_> = [1, 2, 3].map(|s| f.item(event(s), 10)).into();
        f.broke();
        assert_eq!(f.state, FeedState::Reconnecting);
        assert_eq!(f.open(20), 3, "resumes after the last seen");
        // A server that sends 3 again (it must not, but the client holds).
        let again: Vec<_> = [3, 4].map(|s| f.item(event(s), 30)).into();
        assert_eq!(seqs(&first), [1, 2, 3]);
        assert_eq!(seqs(&again), [4]);
        assert_eq!(f.state, FeedState::Live);
    }

    #[test]
    fn a_resync_is_handed_on_whole_after_its_last_part() {
        let mut f = Feed::default();
        f.open(0);
        assert_eq!(f.item(resync(40, &[1, 2], false), 1), None);
        assert_eq!(f.state, FeedState::Resyncing);
        assert_eq!(f.item(heartbeat(40), 2), None);
        assert_eq!(f.state, FeedState::Resyncing, "a heartbeat ends no resync");
        let done = f.item(resync(40, &[3], true), 3);
        let Some(News::Resynced { seq, cases }) = done else {
            panic!("the resync, whole: {done:?}");
        };
        assert_eq!(seq, 40);
        assert_eq!(cases.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(f.last_seq, 40);
        assert_eq!(seqs(&[f.item(event(40), 4), f.item(event(41), 4)]), [41]);
    }

    #[test]
    fn a_resync_cut_in_the_middle_starts_again() {
        let mut f = Feed::default();
        f.open(0);
        f.item(resync(9, &[1, 2], false), 1);
        f.broke();
        f.open(2);
        let done = f.item(resync(12, &[5], true), 3);
        assert!(
            matches!(&done, Some(News::Resynced { seq: 12, cases }) if cases.len() == 1),
            "{done:?}"
        );
    }

    #[test]
    fn silence_past_the_heartbeats_reads_as_reconnecting() {
        let mut f = Feed::default();
        f.open(0);
        f.item(heartbeat(7), 1_000);
        assert!(f.is_live());
        assert_eq!(f.head_seq, 7);
        assert!(!f.tick(1_000 + SILENCE_MS));
        assert!(f.tick(1_001 + SILENCE_MS));
        assert_eq!(f.state, FeedState::Reconnecting);
        // Already said: not again.
        assert!(!f.tick(2_000 + SILENCE_MS));
        f.item(heartbeat(8), 3_000 + SILENCE_MS);
        assert!(f.is_live());
        assert_eq!(f.last_seq, 0, "a heartbeat is no event seen");
    }

    #[test]
    fn an_empty_item_changes_nothing_but_liveness() {
        let mut f = Feed::default();
        f.open(0);
        assert_eq!(f.item(pb::WatchResponse { item: None }, 5), None);
        assert_eq!(f.state, FeedState::Opening);
        assert!(!f.tick(5 + SILENCE_MS));
    }
}
