//! The 137 score: what a citizen's satisfaction earns a unit, scaled by how
//! timely the work was against the case's own service-level clocks, and the
//! per-unit, per-quarter tallies a scorecard is made of.
//!
//! The default rule: `score = satisfaction/5 × max(floor, 1 − λ·lateness/SLA)`,
//! then `× max(0, 1 − reopen_penalty × reopens)`. A satisfied citizen whose
//! case was late still gives the unit less than full marks. Unreachable and
//! false-report cases count as cases but not in the satisfaction mean.

use crate::clock::Millis;
use crate::clocks::ClockKind;
use crate::feedback::{self, FeedbackState};
use crate::model::{Case, CaseStatus, Kind};
use crate::moves::RejectKind;
use crate::quarter::Quarter;
use serde::{Deserialize, Serialize};

/// The score's settings; a config file may change them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreConfig {
    /// λ: how fast timeliness falls with lateness, per allowance late.
    pub lambda: f64,
    /// The least a late case's timeliness falls to.
    pub floor: f64,
    /// Taken off the case's score for each correction the citizen asked for.
    pub reopen_penalty: f64,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        Self {
            lambda: 1.0,
            floor: 0.2,
            reopen_penalty: 0.25,
        }
    }
}

impl ScoreConfig {
    /// The settings made safe to compute with: a value out of range takes
    /// its nearest sensible one, a missing one the default.
    pub fn sane(&self) -> Self {
        let d = Self::default();
        let pick = |v: f64, lo: f64, hi: f64, dflt: f64| {
            if v.is_finite() { v.clamp(lo, hi) } else { dflt }
        };
        Self {
            lambda: pick(self.lambda, 0.0, 100.0, d.lambda),
            floor: pick(self.floor, 0.0, 1.0, d.floor),
            reopen_penalty: pick(self.reopen_penalty, 0.0, 1.0, d.reopen_penalty),
        }
    }

    /// The settings as text, for the store to notice a change and recount.
    pub fn fingerprint(&self) -> String {
        let s = self.sane();
        format!("score:v1:{}:{}:{}", s.lambda, s.floor, s.reopen_penalty)
    }
}

/// What the score of one case depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreInput {
    /// 1 to 5; `None` when the citizen gave none (unreachable, closed without
    /// a call, a false report): the case is then not scored.
    pub satisfaction: Option<u8>,
    /// Lateness over the allowance of the worst clock: 0 in time, 1 a whole
    /// allowance late.
    pub late_share: f64,
    pub reopens: u32,
}

/// The score of one case, 0 to 1; `None` for a case that is not scored.
pub fn case_score(input: &ScoreInput, cfg: &ScoreConfig) -> Option<f64> {
    let cfg = cfg.sane();
    let satisfaction = input.satisfaction.filter(|s| (1..=5).contains(s))?;
    let late = if input.late_share.is_finite() {
        input.late_share.max(0.0)
    } else {
        f64::MAX
    };
    let timeliness = (1.0 - cfg.lambda * late).max(cfg.floor).min(1.0);
    let penalty = (1.0 - cfg.reopen_penalty * f64::from(input.reopens)).max(0.0);
    Some(f64::from(satisfaction) / 5.0 * timeliness * penalty)
}

/// The score input of a case as its head holds it.
pub fn input_of(case: &Case) -> ScoreInput {
    let f: &FeedbackState = &case.feedback;
    ScoreInput {
        satisfaction: (f.satisfaction > 0 && !excluded(case)).then_some(f.satisfaction),
        late_share: feedback::late_share(f),
        reopens: f.reopens,
    }
}

fn false_report(case: &Case) -> bool {
    case.status == CaseStatus::Rejected && case.reject_kind == Some(RejectKind::FalseReport)
}

fn excluded(case: &Case) -> bool {
    case.feedback.unreachable || false_report(case)
}

/// Time buckets of the histograms: upper bounds in minutes, about 25% apart,
/// from a minute to past a year. A p90 read from them is within one bucket.
pub const BUCKETS: usize = 64;

pub fn bucket_upper_ms(i: usize) -> Millis {
    let minutes = 1.25f64.powi(i32::try_from(i).unwrap_or(0));
    #[allow(clippy::cast_possible_truncation)]
    let ms = (minutes * 60_000.0).round() as Millis;
    ms
}

pub fn bucket_of(ms: Millis) -> usize {
    (0..BUCKETS - 1)
        .find(|&i| ms <= bucket_upper_ms(i))
        .unwrap_or(BUCKETS - 1)
}

/// Sums over a unit's cases of one quarter. Every field is a sum, so a
/// case's old share is taken out and its new share put in when it changes,
/// and a recount of the cases gives the same numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub cases: u64,
    /// Cases with a score; `score_micros` is the sum of their scores × 10⁶.
    pub scored: u64,
    pub score_micros: u64,
    pub unreachable: u64,
    pub false_reports: u64,
    pub reopened: u64,
    pub deferred: u64,
    /// Per clock kind (in [`ClockKind`] number order, 1-based − 1): met, and
    /// met in time.
    pub clock_met: [u64; 4],
    pub clock_on_time: [u64; 4],
    pub first_response_count: u64,
    pub first_response_sum_ms: u64,
    pub first_response_hist: Vec<u64>,
    pub result_count: u64,
    pub result_sum_ms: u64,
    pub result_hist: Vec<u64>,
}

fn clock_slot(kind: ClockKind) -> usize {
    usize::from(kind.number().saturating_sub(1)).min(3)
}

fn hist_one(ms: Millis) -> Vec<u64> {
    let mut h = vec![0; BUCKETS];
    h[bucket_of(ms)] = 1;
    h
}

fn ms_u64(ms: Millis) -> u64 {
    u64::try_from(ms.max(0)).unwrap_or(0)
}

/// Where a case counts: its unit, and the quarter it was registered in.
pub fn place_of(case: &Case) -> Option<(Quarter, &str)> {
    (case.kind == Kind::Executive && !case.unit_id.is_empty())
        .then(|| (Quarter::of(case.created_at_ms), case.unit_id.as_str()))
}

/// The share one case adds to its unit's tally, and where.
pub fn contribution<'a>(case: &'a Case, cfg: &ScoreConfig) -> Option<(Quarter, &'a str, Tally)> {
    let (quarter, unit) = place_of(case)?;
    let mut t = Tally {
        cases: 1,
        unreachable: u64::from(case.feedback.unreachable),
        false_reports: u64::from(false_report(case)),
        reopened: u64::from(case.feedback.reopens > 0),
        deferred: u64::from(case.status == CaseStatus::Deferred),
        ..Tally::default()
    };
    if let Some(score) = case_score(&input_of(case), cfg) {
        t.scored = 1;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let micros = (score * 1e6).round() as u64;
        t.score_micros = micros;
    }
    for timing in &case.feedback.timings {
        let slot = clock_slot(timing.kind);
        t.clock_met[slot] += 1;
        t.clock_on_time[slot] += u64::from(timing.late_ms == 0);
    }
    if let Some(ms) = feedback::first_response_ms(case) {
        t.first_response_count = 1;
        t.first_response_sum_ms = ms_u64(ms);
        t.first_response_hist = hist_one(ms);
    }
    if let Some(ms) = feedback::result_ms(case) {
        t.result_count = 1;
        t.result_sum_ms = ms_u64(ms);
        t.result_hist = hist_one(ms);
    }
    Some((quarter, unit, t))
}

fn add_hist(into: &mut Vec<u64>, from: &[u64], sign: bool) {
    if from.is_empty() {
        return;
    }
    if into.len() < BUCKETS {
        into.resize(BUCKETS, 0);
    }
    for (a, b) in into.iter_mut().zip(from) {
        *a = if sign {
            a.wrapping_add(*b)
        } else {
            a.wrapping_sub(*b)
        };
    }
}

impl Tally {
    fn combine(&mut self, o: &Tally, sign: bool) {
        let f = |a: &mut u64, b: u64| {
            *a = if sign {
                a.wrapping_add(b)
            } else {
                a.wrapping_sub(b)
            }
        };
        f(&mut self.cases, o.cases);
        f(&mut self.scored, o.scored);
        f(&mut self.score_micros, o.score_micros);
        f(&mut self.unreachable, o.unreachable);
        f(&mut self.false_reports, o.false_reports);
        f(&mut self.reopened, o.reopened);
        f(&mut self.deferred, o.deferred);
        for i in 0..4 {
            f(&mut self.clock_met[i], o.clock_met[i]);
            f(&mut self.clock_on_time[i], o.clock_on_time[i]);
        }
        f(&mut self.first_response_count, o.first_response_count);
        f(&mut self.first_response_sum_ms, o.first_response_sum_ms);
        add_hist(&mut self.first_response_hist, &o.first_response_hist, sign);
        f(&mut self.result_count, o.result_count);
        f(&mut self.result_sum_ms, o.result_sum_ms);
        add_hist(&mut self.result_hist, &o.result_hist, sign);
    }

    pub fn add(&mut self, o: &Tally) {
        self.combine(o, true);
    }

    pub fn sub(&mut self, o: &Tally) {
        self.combine(o, false);
    }

    pub fn is_empty(&self) -> bool {
        self.cases == 0
    }

    /// The unit's score, 0 to 100; `None` before any case was scored.
    pub fn score(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        (self.scored > 0).then(|| self.score_micros as f64 / self.scored as f64 / 1e4)
    }
}

/// `part` of `whole`, 0 to 1; `None` of nothing.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The mean of a summed duration.
pub fn mean_ms(sum: u64, count: u64) -> Option<Millis> {
    (count > 0).then(|| Millis::try_from(sum / count).unwrap_or(Millis::MAX))
}

/// The 90th percentile of a histogram: the upper bound of the bucket that
/// holds it.
pub fn p90_ms(hist: &[u64]) -> Option<Millis> {
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = total.saturating_mul(9).div_ceil(10);
    let mut seen = 0;
    for (i, n) in hist.iter().enumerate() {
        seen += n;
        if seen >= rank {
            return Some(bucket_upper_ms(i));
        }
    }
    None
}

/// One unit's line of a quarter's scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub unit_id: String,
    pub service_domain: String,
    pub tally: Tally,
    /// Among the units of the same service domain with a score, 1 = best.
    pub rank: u32,
    pub of: u32,
    /// The score's change since the quarter before, in points.
    pub change: Option<f64>,
}

/// The scorecards of a quarter from its tallies and the quarter before's:
/// ranks within each service domain, the best first, then by unit id.
pub fn scorecards(now: Vec<(String, String, Tally)>, before: &[(String, Tally)]) -> Vec<Scorecard> {
    let mut cards: Vec<Scorecard> = now
        .into_iter()
        .map(|(unit_id, service_domain, tally)| {
            let change = before
                .iter()
                .find(|(u, _)| *u == unit_id)
                .and_then(|(_, t)| t.score())
                .zip(tally.score())
                .map(|(old, new)| new - old);
            Scorecard {
                unit_id,
                service_domain,
                tally,
                rank: 0,
                of: 0,
                change,
            }
        })
        .collect();
    cards.sort_by(|a, b| {
        a.service_domain
            .cmp(&b.service_domain)
            .then_with(|| {
                let (x, y) = (
                    a.tally.score().unwrap_or(-1.0),
                    b.tally.score().unwrap_or(-1.0),
                );
                y.total_cmp(&x)
            })
            .then_with(|| a.unit_id.cmp(&b.unit_id))
    });
    let mut i = 0;
    while i < cards.len() {
        let domain = cards[i].service_domain.clone();
        let group: Vec<usize> = (i..cards.len())
            .take_while(|&j| cards[j].service_domain == domain)
            .collect();
        let ranked = group
            .iter()
            .filter(|&&j| cards[j].tally.score().is_some())
            .count();
        let of = u32::try_from(ranked).unwrap_or(u32::MAX);
        let mut rank = 0;
        for &j in &group {
            if cards[j].tally.score().is_some() {
                rank += 1;
                cards[j].rank = rank;
                cards[j].of = of;
            }
        }
        i += group.len();
    }
    cards
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(satisfaction: u8, late_share: f64, reopens: u32) -> ScoreInput {
        ScoreInput {
            satisfaction: Some(satisfaction),
            late_share,
            reopens,
        }
    }

    /// A minute late on a 120-hour first response.
    const MINUTE_LATE: f64 = 1.0 / (120.0 * 60.0);

    #[test]
    fn the_edges_with_the_default_settings() {
        let cfg = ScoreConfig::default();
        assert_eq!(case_score(&input(5, 0.0, 0), &cfg), Some(1.0));
        let minute = case_score(&input(5, MINUTE_LATE, 0), &cfg).unwrap();
        assert!(minute < 1.0 && minute > 0.999, "{minute}");
        // Very late: the floor, however late.
        assert_eq!(case_score(&input(5, 50.0, 0), &cfg), Some(0.2));
        assert_eq!(case_score(&input(5, f64::INFINITY, 0), &cfg), Some(0.2));
        assert_eq!(case_score(&input(5, 0.0, 1), &cfg), Some(0.75));
        assert_eq!(case_score(&input(4, 0.0, 0), &cfg), Some(0.8));
        let unreachable = ScoreInput {
            satisfaction: None,
            late_share: 0.0,
            reopens: 0,
        };
        assert_eq!(case_score(&unreachable, &cfg), None);
    }

    #[test]
    fn satisfied_but_late_is_not_full_marks() {
        let cfg = ScoreConfig::default();
        let late = case_score(&input(5, 0.5, 0), &cfg).unwrap();
        assert!(late < 1.0);
        assert!((late - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_tally_percentile_reads_its_bucket() {
        let mut t = Tally::default();
        for minutes in 1..=100 {
            let mut one = Tally {
                first_response_count: 1,
                first_response_hist: hist_one(minutes * 60_000),
                ..Tally::default()
            };
            one.first_response_sum_ms = ms_u64(minutes * 60_000);
            t.add(&one);
        }
        let p90 = p90_ms(&t.first_response_hist).unwrap();
        assert!((90 * 60_000..=113 * 60_000).contains(&p90), "{p90}");
        assert_eq!(
            mean_ms(t.first_response_sum_ms, t.first_response_count),
            Some(3_030_000)
        );
    }

    proptest! {
        #[test]
        fn scores_stay_within_bounds(s in 1u8..=5, late in 0.0f64..1000.0, reopens in 0u32..10) {
            let cfg = ScoreConfig::default();
            let score = case_score(&input(s, late, reopens), &cfg).unwrap();
            prop_assert!((0.0..=1.0).contains(&score));
            // Never above what satisfaction alone gives.
            prop_assert!(score <= f64::from(s) / 5.0 + 1e-12);
            if reopens == 0 {
                // Never below the floor share of satisfaction.
                prop_assert!(score >= f64::from(s) / 5.0 * cfg.floor - 1e-12);
            }
        }

        #[test]
        fn later_is_never_better(s in 1u8..=5, a in 0.0f64..10.0, b in 0.0f64..10.0) {
            let cfg = ScoreConfig::default();
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(case_score(&input(s, early, 0), &cfg) >= case_score(&input(s, late, 0), &cfg));
        }

        #[test]
        fn on_time_is_full_satisfaction(s in 1u8..=5) {
            let score = case_score(&input(s, 0.0, 0), &ScoreConfig::default()).unwrap();
            prop_assert!((score - f64::from(s) / 5.0).abs() < 1e-12);
        }

        #[test]
        fn any_late_five_is_below_full_marks(late in 1e-6f64..1e6) {
            let score = case_score(&input(5, late, 0), &ScoreConfig::default()).unwrap();
            prop_assert!(score < 1.0);
        }

        #[test]
        fn hostile_settings_never_leave_the_range(
            lambda in proptest::num::f64::ANY,
            floor in proptest::num::f64::ANY,
            pen in proptest::num::f64::ANY,
            late in proptest::num::f64::ANY,
            s in 0u8..=9,
        ) {
            let cfg = ScoreConfig { lambda, floor, reopen_penalty: pen };
            let i = ScoreInput { satisfaction: Some(s), late_share: late, reopens: 1 };
            match case_score(&i, &cfg) {
                Some(score) => prop_assert!((0.0..=1.0).contains(&score) && (1..=5).contains(&s)),
                None => prop_assert!(!(1..=5).contains(&s)),
            }
        }

        #[test]
        fn taking_out_what_was_put_in_leaves_nothing(
            ms in proptest::collection::vec(0i64..10_000_000_000, 1..20),
        ) {
            let parts: Vec<Tally> = ms.iter().map(|&m| Tally {
                cases: 1,
                result_count: 1,
                result_sum_ms: ms_u64(m),
                result_hist: hist_one(m),
                ..Tally::default()
            }).collect();
            let mut t = Tally::default();
            for p in &parts { t.add(p); }
            prop_assert_eq!(t.cases, parts.len() as u64);
            for p in &parts { t.sub(p); }
            prop_assert_eq!(t.cases, 0);
            prop_assert!(t.result_hist.iter().all(|&n| n == 0));
        }
    }
}
