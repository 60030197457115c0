//! Service levels: when a case's first response, arrival on site and result
//! are due.

use crate::domain::clock::{HOUR_MS, Millis};
use crate::domain::model::{Kind, Urgency};
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
}
