//! A citizen as the center knows them: an opaque id, never derived from the
//! number, the consent each case was given, the false-report marks and the
//! Shahrban mark. The number itself is the store's to keep encrypted; these
//! are the plain facts and the rules that change them.

use crate::clock::Millis;
use crate::model::Case;
use crate::moves::RejectKind;

/// One step of a case's consent log: given or withdrawn, by whom, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub case_id: u64,
    pub given: bool,
    pub at_ms: Millis,
    pub by: String,
    pub reason: String,
}

/// A case rejected as a false report. Cleared on appeal, never deleted: the
/// log of what was said stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FalseReport {
    pub case_id: u64,
    pub at_ms: Millis,
    pub by: String,
    pub reason: String,
    /// 0 while the mark stands.
    pub cleared_at_ms: Millis,
    pub cleared_by: String,
}

impl FalseReport {
    pub fn standing(&self) -> bool {
        self.cleared_at_ms == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Citizen {
    pub id: String,
    /// Oldest first; the last step for a case is what holds.
    pub consents: Vec<Consent>,
    pub false_reports: Vec<FalseReport>,
    pub shahrban: bool,
    /// When the number was erased; 0 while it is kept.
    pub erased_at_ms: Millis,
}

/// Why a change to a citizen was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CitizenError {
    #[error("the citizen already agreed for this case")]
    AlreadyConsented,
    #[error("the citizen has not agreed for this case")]
    NoConsent,
    #[error("this case carries no false-report mark")]
    NoFalseReport,
    #[error("the citizen's number was erased")]
    Erased,
}

impl CitizenError {
    /// A stable code for clients, as the lifecycle's refusals have.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AlreadyConsented => "ALREADY_CONSENTED",
            Self::NoConsent => "NO_CONSENT",
            Self::NoFalseReport => "NO_FALSE_REPORT",
            Self::Erased => "CITIZEN_ERASED",
        }
    }
}

impl Citizen {
    /// Does the unit of `case_id` have the citizen's word to see the number?
    pub fn consented(&self, case_id: u64) -> bool {
        self.erased_at_ms == 0
            && self
                .consents
                .iter()
                .rev()
                .find(|c| c.case_id == case_id)
                .is_some_and(|c| c.given)
    }

    pub fn standing_false_reports(&self) -> u32 {
        let n = self.false_reports.iter().filter(|f| f.standing()).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Records consent (`given`) or its withdrawal for one case.
    pub fn consent(
        &mut self,
        case_id: u64,
        given: bool,
        at_ms: Millis,
        by: &str,
        reason: &str,
    ) -> Result<(), CitizenError> {
        if self.erased_at_ms != 0 {
            return Err(CitizenError::Erased);
        }
        match (given, self.consented(case_id)) {
            (true, true) => return Err(CitizenError::AlreadyConsented),
            (false, false) => return Err(CitizenError::NoConsent),
            _ => {}
        }
        self.consents.push(Consent {
            case_id,
            given,
            at_ms,
            by: by.to_owned(),
            reason: reason.to_owned(),
        });
        Ok(())
    }

    /// Removes the standing false-report mark of `case_id`, on appeal.
    pub fn clear_false_report(
        &mut self,
        case_id: u64,
        at_ms: Millis,
        by: &str,
    ) -> Result<(), CitizenError> {
        let mark = self
            .false_reports
            .iter_mut()
            .find(|f| f.case_id == case_id && f.standing())
            .ok_or(CitizenError::NoFalseReport)?;
        mark.cleared_at_ms = at_ms.max(1);
        mark.cleared_by = by.to_owned();
        Ok(())
    }

    /// The number is gone: every consent ends with it, since nothing is left
    /// to reveal.
    pub fn erase(&mut self, at_ms: Millis) -> Result<(), CitizenError> {
        if self.erased_at_ms != 0 {
            return Err(CitizenError::Erased);
        }
        self.erased_at_ms = at_ms.max(1);
        Ok(())
    }
}

/// The false-report mark a case change earns its caller: a case that has
/// just become rejected as a false report. `None` for every other change,
/// so a mark is made once however often the case is written.
pub fn false_report_mark(
    before: &Case,
    after: &Case,
    at_ms: Millis,
    by: &str,
) -> Option<FalseReport> {
    let newly = after.reject_kind == Some(RejectKind::FalseReport)
        && before.reject_kind != Some(RejectKind::FalseReport)
        && !after.citizen_id.is_empty();
    newly.then(|| FalseReport {
        case_id: after.id,
        at_ms,
        by: by.to_owned(),
        reason: "rejected as a false report".into(),
        cleared_at_ms: 0,
        cleared_by: String::new(),
    })
}

/// The longest reason a person may give for a change to a citizen.
pub const REASON_MAX: usize = 500;

/// Checks a citizen request's id and reason (required, plain text, at most
/// [`REASON_MAX`] characters). The reason goes on the audit log, which never
/// holds a number: any number typed into it is hidden there.
pub fn check_request(
    request_id: &str,
    reason: &str,
    reason_required: bool,
) -> Result<(String, String), crate::validate::FieldError> {
    use crate::validate::{FieldError, Reason, check_len};
    let request_id = request_id.trim().to_owned();
    if !request_id.is_empty() {
        check_len(
            "request_id",
            &request_id,
            1,
            crate::validate::REQUEST_ID_MAX,
        )?;
        if !request_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
        {
            return Err(FieldError::new(
                "request_id",
                Reason::BadCharacters,
                "may hold only ASCII letters, digits and - _ . :",
            ));
        }
    }
    if let Some(c) = crate::text::forbidden_char(reason) {
        return Err(FieldError::new(
            "reason",
            Reason::BadCharacters,
            format!(
                "holds U+{:04X}, a control or direction-override character; type plain text",
                u32::from(c)
            ),
        ));
    }
    let reason = crate::text::tidy(reason);
    check_len("reason", &reason, usize::from(reason_required), REASON_MAX)?;
    Ok((request_id, crate::phone::mask_numbers_in_text(&reason)))
}

/// The order of a queue among cases of the same urgency: Shahrban first. Every
/// queue that sorts cases sorts by this key after its own, so the rule lives
/// once.
pub fn queue_rank(urgent: bool, shahrban: bool) -> (bool, bool) {
    (!urgent, !shahrban)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_is_per_case_and_the_last_word_holds() {
        let mut c = Citizen::default();
        assert!(!c.consented(1));
        c.consent(1, true, 10, "agent1", "agreed on the call")
            .unwrap();
        assert!(c.consented(1));
        assert!(!c.consented(2));
        assert_eq!(
            c.consent(1, true, 11, "agent1", "again"),
            Err(CitizenError::AlreadyConsented)
        );
        c.consent(1, false, 12, "agent1", "changed their mind")
            .unwrap();
        assert!(!c.consented(1));
        assert_eq!(
            c.consent(1, false, 13, "agent1", "x"),
            Err(CitizenError::NoConsent)
        );
        assert_eq!(c.consents.len(), 2);
    }

    #[test]
    fn erasure_ends_every_consent() {
        let mut c = Citizen::default();
        c.consent(1, true, 10, "agent1", "ok").unwrap();
        c.erase(20).unwrap();
        assert!(!c.consented(1));
        assert_eq!(c.erase(21), Err(CitizenError::Erased));
        assert_eq!(
            c.consent(2, true, 22, "agent1", "ok"),
            Err(CitizenError::Erased)
        );
    }

    #[test]
    fn a_cleared_mark_no_longer_counts() {
        let mut c = Citizen::default();
        for case_id in [1, 2] {
            c.false_reports.push(FalseReport {
                case_id,
                at_ms: 1,
                by: "unit1".into(),
                reason: String::new(),
                cleared_at_ms: 0,
                cleared_by: String::new(),
            });
        }
        assert_eq!(c.standing_false_reports(), 2);
        c.clear_false_report(1, 5, "sup1").unwrap();
        assert_eq!(c.standing_false_reports(), 1);
        assert_eq!(
            c.clear_false_report(1, 6, "sup1"),
            Err(CitizenError::NoFalseReport)
        );
    }

    #[test]
    fn shahrban_sorts_first_within_its_urgency_only() {
        let mut ranks = [
            queue_rank(false, true),
            queue_rank(true, false),
            queue_rank(false, false),
            queue_rank(true, true),
        ];
        ranks.sort();
        assert_eq!(
            ranks,
            [
                queue_rank(true, true),
                queue_rank(true, false),
                queue_rank(false, true),
                queue_rank(false, false)
            ]
        );
    }
}
