//! A case's service-level clocks as the boards read them: which deadline
//! runs, how much is left, whether it is late, and the marks of what the
//! unit has done. The server keeps the clocks; this only reads them.

use desk137_domain::clock::Millis;
use desk137_proto::v1 as pb;

/// How a clock stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Ok,
    Warning,
    Breached,
    Met,
    Paused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockView {
    pub clock: pb::SlaClock,
    pub started_ms: Millis,
    /// 0 while paused.
    pub due_ms: Millis,
    pub met: bool,
    /// When it was met, where known.
    pub met_at_ms: Millis,
    pub paused: bool,
    pub warned: bool,
    pub breached: bool,
}

/// The share of a deadline after which a clock warns when the server has
/// not said so yet (the default policy's 75%).
const WARN_SHARE_NUM: i64 = 3;
const WARN_SHARE_DEN: i64 = 4;

impl ClockView {
    pub fn standing(&self, now_ms: Millis) -> Standing {
        if self.met {
            return Standing::Met;
        }
        if self.paused || self.due_ms == 0 {
            return Standing::Paused;
        }
        let allowance = (self.due_ms - self.started_ms).max(1);
        let used = now_ms - self.started_ms;
        if self.breached || now_ms >= self.due_ms {
            Standing::Breached
        } else if self.warned || used * WARN_SHARE_DEN >= allowance * WARN_SHARE_NUM {
            Standing::Warning
        } else {
            Standing::Ok
        }
    }

    /// Still counting down (or past its deadline, not yet met).
    pub fn running(&self) -> bool {
        !self.met && !self.paused && self.due_ms > 0
    }
}

/// One clock of the case: the server's, or for a server that sends no
/// clocks the deadline it sent in the case head.
pub fn clock(c: &pb::Case, which: pb::SlaClock) -> Option<ClockView> {
    // The last one: a reopen starts a fresh result clock.
    if let Some(k) = c.clocks.iter().rev().find(|k| k.clock == which as i32) {
        return Some(ClockView {
            clock: which,
            started_ms: k.started_at_ms,
            due_ms: k.due_ms,
            met: k.met_at_ms > 0,
            met_at_ms: k.met_at_ms,
            paused: k.paused,
            warned: k.warned,
            breached: k.breached,
        });
    }
    if !c.clocks.is_empty() {
        return None;
    }
    let marks = Marks::of(c);
    let (due, met) = match which {
        pb::SlaClock::OnSite => (c.on_site_due_ms, marks.on_site || marks.result),
        pb::SlaClock::Result => (c.result_due_ms, marks.result),
        pb::SlaClock::FirstResponse => (c.first_response_due_ms, marks.responded),
        pb::SlaClock::Promised => (c.promised_ms, marks.result),
        pb::SlaClock::Unspecified => (0, false),
    };
    (due > 0).then_some(ClockView {
        clock: which,
        started_ms: c.created_at_ms,
        due_ms: due,
        met,
        met_at_ms: 0,
        paused: false,
        warned: false,
        breached: false,
    })
}

const ORDER: [pb::SlaClock; 4] = [
    pb::SlaClock::OnSite,
    pb::SlaClock::FirstResponse,
    pb::SlaClock::Promised,
    pb::SlaClock::Result,
];

/// The running clock due first: what the unit must do next.
pub fn next(c: &pb::Case) -> Option<ClockView> {
    ORDER
        .iter()
        .filter_map(|w| clock(c, *w))
        .filter(ClockView::running)
        .min_by_key(|k| k.due_ms)
}

/// Sorts what is due first to the top; cases with no running clock after.
pub fn by_due(rows: &mut [pb::Case]) {
    rows.sort_by_key(|c| (next(c).map_or(Millis::MAX, |k| k.due_ms), c.id));
}

/// What the unit has done, from the timeline: acknowledged, on site, result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    pub acknowledged: bool,
    pub on_site: bool,
    pub result: bool,
    pub responded: bool,
}

impl Marks {
    pub fn of(c: &pb::Case) -> Marks {
        use pb::CaseStatus as S;
        use pb::EventKind as K;
        // The state says as much for a case whose timeline was not sent.
        let status = S::try_from(c.status).unwrap_or(S::Unspecified);
        let done = matches!(status, S::Resolved | S::AwaitingFeedback | S::Closed);
        let mut m = Marks {
            acknowledged: done || matches!(status, S::Acknowledged | S::OnSite | S::InProgress),
            on_site: done || status == S::OnSite,
            result: done,
            responded: done || status == S::InProgress,
        };
        for e in &c.events {
            match pb::EventKind::try_from(e.kind) {
                Ok(K::Acknowledged) => m.acknowledged = true,
                Ok(K::OnSite) => m.on_site = true,
                Ok(K::InProgress) => m.responded = true,
                Ok(K::Resolved) => {
                    m.result = true;
                    m.responded = true;
                }
                // The citizen asked for a correction: the result is owed again.
                Ok(K::Reopened) => m.result = false,
                _ => {}
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn running(started: i64, due: i64) -> ClockView {
        ClockView {
            clock: pb::SlaClock::OnSite,
            started_ms: started,
            due_ms: due,
            met: false,
            met_at_ms: 0,
            paused: false,
            warned: false,
            breached: false,
        }
    }

    #[test]
    fn a_clock_warns_at_three_quarters_and_breaches_at_its_deadline() {
        let k = running(0, 2 * H);
        assert_eq!(k.standing(H), Standing::Ok);
        assert_eq!(k.standing(90 * 60_000), Standing::Warning);
        assert_eq!(k.standing(2 * H), Standing::Breached);
        // What the server says wins over the arithmetic.
        let warned = ClockView { warned: true, ..k };
        assert_eq!(warned.standing(1), Standing::Warning);
        let paused = ClockView {
            paused: true,
            due_ms: 0,
            ..k
        };
        assert_eq!(paused.standing(3 * H), Standing::Paused);
        let met = ClockView { met: true, ..k };
        assert_eq!(met.standing(3 * H), Standing::Met);
    }

    #[test]
    fn the_next_deadline_skips_met_clocks_and_sorts_the_board() {
        let case = |id, on_site_met: i64, due_on_site, due_result| pb::Case {
            id,
            clocks: vec![
                pb::CaseClock {
                    clock: pb::SlaClock::OnSite as i32,
                    due_ms: due_on_site,
                    met_at_ms: on_site_met,
                    ..Default::default()
                },
                pb::CaseClock {
                    clock: pb::SlaClock::Result as i32,
                    due_ms: due_result,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let mut rows = vec![
            case(1, 5, 2 * H, 24 * H),
            case(2, 0, 3 * H, 25 * H),
            pb::Case {
                id: 3,
                ..Default::default()
            },
        ];
        assert_eq!(next(&rows[0]).map(|k| k.clock), Some(pb::SlaClock::Result));
        by_due(&mut rows);
        assert_eq!(rows.iter().map(|c| c.id).collect::<Vec<_>>(), [2, 1, 3]);
    }

    #[test]
    fn marks_follow_the_timeline_and_a_reopen_owes_the_result_again() {
        let ev = |k: pb::EventKind| pb::CaseEvent {
            kind: k as i32,
            ..Default::default()
        };
        let mut c = pb::Case {
            events: vec![
                ev(pb::EventKind::Acknowledged),
                ev(pb::EventKind::OnSite),
                ev(pb::EventKind::Resolved),
            ],
            ..Default::default()
        };
        let m = Marks::of(&c);
        assert!(m.acknowledged && m.on_site && m.result);
        c.events.push(ev(pb::EventKind::Reopened));
        assert!(!Marks::of(&c).result);
    }
}
