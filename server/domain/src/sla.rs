//! Service levels: when a case's first response, arrival on site and result
//! are due.

use crate::clock::{HOUR_MS, Millis};
use crate::model::{CaseStatus, Kind, Urgency};
use serde::{Deserialize, Serialize};

/// The service levels in force. The figures are the 137 center's; a config
/// file may change them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaPolicy {
    /// A non-urgent executive case gets a first response within this many hours.
    pub first_response_hours: i64,
    /// An urgent case's unit is on site within this many hours.
    pub on_site_hours: i64,
    /// An urgent case's final result is reported within this many hours.
    pub result_hours: i64,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        Self {
            first_response_hours: 120,
            on_site_hours: 2,
            result_hours: 24,
        }
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
