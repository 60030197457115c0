//! Service levels: when a case's first response, arrival on site and result
//! are due.

use crate::clock::{HOUR_MS, Millis};
use crate::model::{CaseStatus, Kind, Urgency};
use serde::{Deserialize, Serialize};

/// The service levels in force. The figures are the 137 center's; a config
/// file may change them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaPolicy {
    /// A non-urgent executive case gets a first response within this many hours.
    pub first_response_hours: i64,
    /// An urgent case's unit is on site within this many hours.
    pub on_site_hours: i64,
    /// An urgent case's final result is reported within this many hours.
    pub result_hours: i64,
    /// A reopened case's new result is due within this many hours.
    pub reopen_result_hours: i64,
    /// The share of a deadline's allowance after which it is warned about, once.
    pub warn_share: f64,
    /// While a case stays late, its level rises again after this many hours.
    pub re_escalation_urgent_hours: i64,
    pub re_escalation_hours: i64,
    /// Who each escalation level answers to, the first step first.
    pub ladder: Vec<Level>,
    /// Allowances that differ by kind, urgency or topic; the most specific
    /// (a topic's) wins.
    pub overrides: Vec<Override>,
    /// The share of the first-response allowance a case gets when its caller
    /// carries the Shahrban mark at registration (see
    /// [`SlaPolicy::first_response_ms`]).
    pub shahrban_first_response_factor: f64,
}

/// The Shahrban factor when a config gives none.
pub const SHAHRBAN_FACTOR: f64 = 0.5;

/// One step of the escalation ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub recipient: String,
    /// A Persian letter; `{number}`, `{clock}`, `{due}`, `{level}` and
    /// `{recipient}` are filled in when the level is reached. Empty: no letter.
    #[serde(default)]
    pub letter: String,
}

/// Allowances for some cases; a field left out keeps the general figure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Override {
    pub kind: Option<Kind>,
    pub urgency: Option<Urgency>,
    pub topic_id: Option<String>,
    pub first_response_hours: Option<i64>,
    pub on_site_hours: Option<i64>,
    pub result_hours: Option<i64>,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        let level = |recipient: &str, letter: &str| Level {
            recipient: recipient.into(),
            letter: letter.into(),
        };
        Self {
            first_response_hours: 120,
            on_site_hours: 2,
            result_hours: 24,
            reopen_result_hours: 72,
            warn_share: 0.75,
            re_escalation_urgent_hours: 1,
            re_escalation_hours: 24,
            ladder: vec![
                level(
                    "رئیس واحد",
                    "{recipient} محترم، مهلت {clock} پرونده {number} در {due} گذشت. لطفاً پیگیری فرمایید.",
                ),
                level(
                    "مدیر منطقه",
                    "{recipient} محترم، پرونده {number} پس از ارجاع به رئیس واحد همچنان معوق است (مهلت {clock}: {due}).",
                ),
                level(
                    "معاون خدمات شهری",
                    "{recipient} محترم، پرونده {number} در سطح {level} پیگیری همچنان انجام نشده است (مهلت {clock}: {due}).",
                ),
                level(
                    "بازرسی",
                    "{recipient} محترم، پرونده {number} با وجود پیگیری‌های مکرر انجام نشده است (مهلت {clock}: {due}). جهت رسیدگی ارسال می‌شود.",
                ),
            ],
            overrides: Vec::new(),
            shahrban_first_response_factor: SHAHRBAN_FACTOR,
        }
    }
}

impl SlaPolicy {
    /// The general figures with the overrides that match applied, the
    /// general ones first and a topic's last so the most specific wins.
    pub fn hours_for(&self, kind: Kind, urgency: Urgency, topic_id: &str) -> (i64, i64, i64) {
        let mut hours = (
            self.first_response_hours,
            self.on_site_hours,
            self.result_hours,
        );
        let matching = |o: &&Override| {
            o.kind.is_none_or(|k| k == kind)
                && o.urgency.is_none_or(|u| u == urgency)
                && o.topic_id.as_deref().is_none_or(|t| t == topic_id)
        };
        let (general, topical): (Vec<&Override>, Vec<&Override>) = self
            .overrides
            .iter()
            .filter(matching)
            .partition(|o| o.topic_id.is_none());
        for o in general.into_iter().chain(topical) {
            hours.0 = o.first_response_hours.unwrap_or(hours.0);
            hours.1 = o.on_site_hours.unwrap_or(hours.1);
            hours.2 = o.result_hours.unwrap_or(hours.2);
        }
        hours
    }

    /// The step between escalations of a late case.
    pub fn re_escalation_ms(&self, urgency: Urgency) -> Millis {
        let hours = match urgency {
            Urgency::Urgent => self.re_escalation_urgent_hours,
            Urgency::Normal => self.re_escalation_hours,
        };
        hours.max(1).saturating_mul(HOUR_MS)
    }
}

/// Due times of one case; zero where a deadline does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Deadlines {
    pub first_response_ms: Millis,
    pub on_site_ms: Millis,
    pub result_ms: Millis,
}

impl SlaPolicy {
    /// The Shahrban factor as applied: a factor outside (0, 1] (a config the
    /// check let through, or a client's) would lengthen or zero the clock,
    /// so it counts as the default.
    pub fn shahrban_factor(&self) -> f64 {
        let f = self.shahrban_first_response_factor;
        if f.is_finite() && f > 0.0 && f <= 1.0 {
            f
        } else {
            SHAHRBAN_FACTOR
        }
    }

    /// The first-response allowance of a case: `allowance_ms` as the hours
    /// make it, shortened by the Shahrban factor when the caller carried the
    /// mark at registration. Only the first response: an urgent case's
    /// clocks are as short as the center can make them already. The mark
    /// counts when the case is registered; setting or clearing it later
    /// leaves the deadlines already given as they are.
    pub fn first_response_ms(&self, allowance_ms: Millis, shahrban: bool) -> Millis {
        if !shahrban {
            return allowance_ms;
        }
        // Whole milliseconds: the rounding is below anything a person sees.
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let shorter = (allowance_ms as f64 * self.shahrban_factor()) as Millis;
        shorter.max(0)
    }

    /// [`SlaPolicy::deadlines`] for a caller who does or does not carry the
    /// Shahrban mark: what a client previews before registering.
    pub fn deadlines_for_caller(
        &self,
        kind: Kind,
        urgency: Urgency,
        created_ms: Millis,
        shahrban: bool,
    ) -> Deadlines {
        let mut d = self.deadlines(kind, urgency, created_ms);
        if d.first_response_ms > 0 {
            d.first_response_ms =
                created_ms + self.first_response_ms(self.first_response_hours * HOUR_MS, shahrban);
        }
        d
    }

    pub fn deadlines(&self, kind: Kind, urgency: Urgency, created_ms: Millis) -> Deadlines {
        match (kind, urgency) {
            (Kind::Informational, _) => Deadlines::default(),
            (Kind::Executive, Urgency::Normal) => Deadlines {
                first_response_ms: created_ms + self.first_response_hours * HOUR_MS,
                ..Deadlines::default()
            },
            (Kind::Executive, Urgency::Urgent) => Deadlines {
                first_response_ms: 0,
                on_site_ms: created_ms + self.on_site_hours * HOUR_MS,
                result_ms: created_ms + self.result_hours * HOUR_MS,
            },
        }
    }
}

/// The deadline that applies now, and how long the whole allowance was (the
/// share left sets a screen's colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub at_ms: Millis,
    pub allowance_ms: Millis,
}

impl Deadlines {
    /// The deadline that matters in `status`: arrival on site, then the result,
    /// for an urgent case; the first response for a normal one. `None` once no
    /// deadline applies.
    pub fn current(&self, status: CaseStatus, urgency: Urgency, created_ms: Millis) -> Option<Due> {
        if !status.is_open() || status == CaseStatus::Resolved {
            return None;
        }
        let waiting = matches!(
            status,
            CaseStatus::Registered
                | CaseStatus::Referred
                | CaseStatus::Acknowledged
                | CaseStatus::Reopened
        );
        let pick = |due: Millis| {
            (due > 0).then_some(Due {
                at_ms: due,
                allowance_ms: due - created_ms,
            })
        };
        match (urgency, waiting) {
            (Urgency::Urgent, true) => pick(self.on_site_ms),
            (Urgency::Urgent, false) => pick(self.result_ms),
            (Urgency::Normal, true) => pick(self.first_response_ms),
            (Urgency::Normal, false) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_centers_figures() {
        let p = SlaPolicy::default();
        let normal = p.deadlines(Kind::Executive, Urgency::Normal, 0);
        assert_eq!(normal.first_response_ms, 120 * HOUR_MS);
        let urgent = p.deadlines(Kind::Executive, Urgency::Urgent, 1000);
        assert_eq!(urgent.on_site_ms, 1000 + 2 * HOUR_MS);
        assert_eq!(urgent.result_ms, 1000 + 24 * HOUR_MS);
        assert_eq!(
            p.deadlines(Kind::Informational, Urgency::Urgent, 5),
            Deadlines::default()
        );
    }

    #[test]
    fn shahrban_halves_the_first_response_only() {
        let p = SlaPolicy::default();
        assert_eq!(p.first_response_ms(120 * HOUR_MS, false), 120 * HOUR_MS);
        assert_eq!(p.first_response_ms(120 * HOUR_MS, true), 60 * HOUR_MS);
        let normal = p.deadlines_for_caller(Kind::Executive, Urgency::Normal, 10, true);
        assert_eq!(normal.first_response_ms, 10 + 60 * HOUR_MS);
        let urgent = p.deadlines_for_caller(Kind::Executive, Urgency::Urgent, 10, true);
        assert_eq!(urgent, p.deadlines(Kind::Executive, Urgency::Urgent, 10));
        assert_eq!(
            p.deadlines_for_caller(Kind::Informational, Urgency::Normal, 10, true),
            Deadlines::default()
        );
        let quarter = SlaPolicy {
            shahrban_first_response_factor: 0.25,
            ..SlaPolicy::default()
        };
        assert_eq!(quarter.first_response_ms(120 * HOUR_MS, true), 30 * HOUR_MS);
    }

    #[test]
    fn a_factor_that_would_lengthen_or_zero_the_clock_counts_as_the_default() {
        for bad in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY] {
            let p = SlaPolicy {
                shahrban_first_response_factor: bad,
                ..SlaPolicy::default()
            };
            assert_eq!(p.first_response_ms(100, true), 50, "{bad}");
        }
        let whole = SlaPolicy {
            shahrban_first_response_factor: 1.0,
            ..SlaPolicy::default()
        };
        assert_eq!(whole.first_response_ms(100, true), 100);
    }

    #[test]
    fn the_deadline_that_matters_now() {
        let p = SlaPolicy::default();
        let urgent = p.deadlines(Kind::Executive, Urgency::Urgent, 0);
        let due = |status| urgent.current(status, Urgency::Urgent, 0).map(|d| d.at_ms);
        assert_eq!(due(CaseStatus::Referred), Some(2 * HOUR_MS));
        assert_eq!(due(CaseStatus::OnSite), Some(24 * HOUR_MS));
        assert_eq!(due(CaseStatus::Resolved), None);
        assert_eq!(due(CaseStatus::Closed), None);
        let normal = p.deadlines(Kind::Executive, Urgency::Normal, 0);
        let first = normal.current(CaseStatus::Referred, Urgency::Normal, 0);
        assert_eq!(
            first,
            Some(Due {
                at_ms: 120 * HOUR_MS,
                allowance_ms: 120 * HOUR_MS
            })
        );
        assert_eq!(
            normal.current(CaseStatus::InProgress, Urgency::Normal, 0),
            None
        );
    }
}
