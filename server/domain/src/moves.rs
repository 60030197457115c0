//! The lifecycle as one table: which move a role may make in which state, and
//! the state it leads to. The README shows the same table, and a test holds the
//! two together. Screens ask [`allowed_moves`] to offer only what will pass;
//! the server asks [`check`] before applying anything.

use crate::model::{Case, CaseStatus, Kind, Role, Urgency};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A step of a case's life, named as the wire and the README name it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::Display,
)]
#[strum(serialize_all = "snake_case")]
pub enum Move {
    Acknowledge,
    Arrive,
    Respond,
    Resolve,
    Defer,
    Reject,
    Transfer,
    Reroute,
    AssignFollowUp,
    Note,
    Escalate,
    Reopen,
    Close,
    Resume,
    /// Agent, on the call-back: the citizen's satisfaction, 1 to 5.
    Feedback,
    /// Agent, on the call-back: the citizen did not answer.
    Unreachable,
}

impl Move {
    pub fn all() -> impl Iterator<Item = Move> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Why a case was rejected.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
pub enum RejectKind {
    FalseReport,
    NotMunicipal,
    Duplicate,
}

/// A unit's first response to a non-urgent case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum FirstResponse {
    /// The work is done: the case is resolved.
    Done,
    /// Needs more time, until the promised date.
    NeedsTime,
}

/// Why work was late, as the unit gives it; the yearly report counts them.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
pub enum DelayReason {
    NoAccess,
    NeedsOtherOrg,
    NeedsBudget,
    Weather,
    Other,
}

/// Where a move leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    State(CaseStatus),
    /// The state stays as it is.
    Same,
    /// The state the case was in before it was deferred or transferred.
    Before,
}

/// Which cases a row applies to, beyond their state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Cases {
    All,
    Urgent,
    NonUrgent,
    Executive,
}

impl Cases {
    fn admits(self, case: &Case) -> bool {
        match self {
            Self::All => true,
            Self::Urgent => case.urgency == Urgency::Urgent,
            Self::NonUrgent => case.urgency == Urgency::Normal,
            Self::Executive => case.kind == Kind::Executive,
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub mv: Move,
    /// The states the move may start from; empty means every state.
    pub from: &'static [CaseStatus],
    pub to: To,
    pub roles: &'static [Role],
    pub cases: Cases,
}

use CaseStatus as S;
use Role as R;

/// The states in which a unit is still working on the case.
pub const ACTIVE: &[CaseStatus] = &[
    S::Registered,
    S::Referred,
    S::Acknowledged,
    S::OnSite,
    S::InProgress,
    S::Reopened,
];
const ACTIVE_REFERRED: &[CaseStatus] = &[
    S::Referred,
    S::Acknowledged,
    S::OnSite,
    S::InProgress,
    S::Reopened,
];
/// Every state but closed, answered and rejected.
pub const OPEN: &[CaseStatus] = &[
    S::Registered,
    S::Referred,
    S::Acknowledged,
    S::OnSite,
    S::InProgress,
    S::Resolved,
    S::Reopened,
    S::AwaitingFeedback,
    S::Deferred,
    S::Transferred,
];
const EVERYONE: &[Role] = &[R::Agent, R::Dispatcher, R::Unit, R::Supervisor, R::Admin];
const WORKERS: &[Role] = &[R::Unit, R::Dispatcher, R::Supervisor];

/// The lifecycle. A move may have several rows (resolve: from the work, or
/// with an external organisation's answer); the first that matches wins.
pub const TABLE: &[Rule] = &[
    Rule {
        mv: Move::Acknowledge,
        from: &[S::Referred, S::Reopened],
        to: To::State(S::Acknowledged),
        roles: &[R::Unit],
        cases: Cases::All,
    },
    Rule {
        mv: Move::Arrive,
        from: &[S::Referred, S::Acknowledged, S::Reopened],
        to: To::State(S::OnSite),
        roles: &[R::Unit],
        cases: Cases::Urgent,
    },
    // Done leads to resolved instead: see `respond_state`.
    Rule {
        mv: Move::Respond,
        from: &[S::Referred, S::Acknowledged, S::Reopened],
        to: To::State(S::InProgress),
        roles: &[R::Unit],
        cases: Cases::NonUrgent,
    },
    Rule {
        mv: Move::Resolve,
        from: ACTIVE_REFERRED,
        to: To::State(S::Resolved),
        roles: &[R::Unit],
        cases: Cases::All,
    },
    Rule {
        mv: Move::Resolve,
        from: &[S::Transferred],
        to: To::State(S::Resolved),
        roles: WORKERS,
        cases: Cases::All,
    },
    Rule {
        mv: Move::Defer,
        from: ACTIVE_REFERRED,
        to: To::State(S::Deferred),
        roles: &[R::Unit, R::Supervisor],
        cases: Cases::All,
    },
    Rule {
        mv: Move::Reject,
        from: ACTIVE,
        to: To::State(S::Rejected),
        roles: WORKERS,
        cases: Cases::All,
    },
    Rule {
        mv: Move::Transfer,
        from: ACTIVE,
        to: To::State(S::Transferred),
        roles: WORKERS,
        cases: Cases::All,
    },
    Rule {
        mv: Move::Resume,
        from: &[S::Deferred, S::Transferred],
        to: To::Before,
        roles: WORKERS,
        cases: Cases::All,
    },
    Rule {
        mv: Move::Reroute,
        from: &[S::Registered, S::Referred, S::Acknowledged, S::Reopened],
        to: To::State(S::Referred),
        roles: &[R::Dispatcher, R::Supervisor, R::Unit],
        cases: Cases::All,
    },
    Rule {
        mv: Move::AssignFollowUp,
        from: OPEN,
        to: To::Same,
        roles: &[R::Dispatcher, R::Supervisor],
        cases: Cases::Urgent,
    },
    Rule {
        mv: Move::Note,
        from: &[],
        to: To::Same,
        roles: EVERYONE,
        cases: Cases::All,
    },
    Rule {
        mv: Move::Escalate,
        from: OPEN,
        to: To::Same,
        roles: &[R::Dispatcher, R::Supervisor],
        cases: Cases::All,
    },
    Rule {
        mv: Move::Reopen,
        from: &[S::Resolved, S::AwaitingFeedback, S::Closed],
        to: To::State(S::Reopened),
        roles: &[R::Agent, R::Supervisor],
        cases: Cases::Executive,
    },
    // The citizen, through the portal: a correction while the result awaits
    // their word; a closed case is 137's to reopen.
    Rule {
        mv: Move::Reopen,
        from: &[S::Resolved, S::AwaitingFeedback],
        to: To::State(S::Reopened),
        roles: &[R::Portal],
        cases: Cases::Executive,
    },
    Rule {
        mv: Move::Close,
        from: &[S::Resolved, S::AwaitingFeedback],
        to: To::State(S::Closed),
        roles: &[R::Agent, R::Supervisor],
        cases: Cases::All,
    },
    Rule {
        mv: Move::Feedback,
        from: &[S::Resolved, S::AwaitingFeedback],
        to: To::State(S::Closed),
        roles: &[R::Agent, R::Supervisor, R::Portal],
        cases: Cases::Executive,
    },
    // The last try closes the case instead: see `unreachable_state`.
    Rule {
        mv: Move::Unreachable,
        from: &[S::Resolved, S::AwaitingFeedback],
        to: To::State(S::AwaitingFeedback),
        roles: &[R::Agent, R::Supervisor],
        cases: Cases::Executive,
    },
];

/// Why the table said no.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No row lets this role make this move, in any state.
    #[error("role {} may not {}", role.as_str(), mv.as_str())]
    Role { role: Role, mv: Move },
    /// The role may make the move, but not on this case as it is now.
    #[error("{mv} is not allowed in state {}; allowed: {}", status.as_str(), Names(allowed))]
    State {
        status: CaseStatus,
        mv: Move,
        allowed: Vec<Move>,
    },
}

impl Refusal {
    /// A stable code for clients to word the refusal themselves.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Role { .. } => "MOVE_NOT_ALLOWED_FOR_ROLE",
            Self::State { .. } => "MOVE_NOT_ALLOWED_IN_STATE",
        }
    }
}

struct Names<'a>(&'a [Move]);

impl fmt::Display for Names<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        for (i, mv) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(mv.as_str())?;
        }
        Ok(())
    }
}

fn next_of(rule: &Rule, case: &Case) -> Option<CaseStatus> {
    let from_ok = rule.from.is_empty() || rule.from.contains(&case.status);
    if !from_ok || !rule.cases.admits(case) {
        return None;
    }
    match rule.to {
        To::State(s) => Some(s),
        To::Same => Some(case.status),
        To::Before => case.resume_to,
    }
}

fn lookup(case: &Case, role: Role, mv: Move) -> Option<CaseStatus> {
    TABLE
        .iter()
        .filter(|r| r.mv == mv && r.roles.contains(&role))
        .find_map(|r| next_of(r, case))
}

/// The moves `role` may make on `case` now, in the order of [`Move::all`].
pub fn allowed_moves(case: &Case, role: Role) -> Vec<Move> {
    Move::all()
        .filter(|&mv| lookup(case, role, mv).is_some())
        .collect()
}

/// The state `mv` by `role` leads `case` to, or why it may not. A respond
/// answers with the "needs more time" state; [`respond_state`] gives the
/// state of each response.
pub fn check(case: &Case, role: Role, mv: Move) -> Result<CaseStatus, Refusal> {
    if !TABLE.iter().any(|r| r.mv == mv && r.roles.contains(&role)) {
        return Err(Refusal::Role { role, mv });
    }
    lookup(case, role, mv).ok_or_else(|| Refusal::State {
        status: case.status,
        mv,
        allowed: allowed_moves(case, role),
    })
}

/// Where a first response leads: a done job is resolved.
pub fn respond_state(response: FirstResponse) -> CaseStatus {
    match response {
        FirstResponse::Done => CaseStatus::Resolved,
        FirstResponse::NeedsTime => CaseStatus::InProgress,
    }
}

/// Where an unreachable call leads: back to the queue, or closed once the
/// tries are used up.
pub fn unreachable_state(tries: u32, max_tries: u32) -> CaseStatus {
    if tries >= max_tries {
        CaseStatus::Closed
    } else {
        CaseStatus::AwaitingFeedback
    }
}

/// The table as the README writes it: one line per row, cells separated by
/// `|`: move, from, to, roles, cases.
pub fn table_rows() -> Vec<[String; 5]> {
    let join = |xs: Vec<&str>| xs.join(", ");
    TABLE
        .iter()
        .map(|r| {
            let from = if r.from.is_empty() {
                "any".to_owned()
            } else if r.from == ACTIVE {
                "active".to_owned()
            } else if r.from == OPEN {
                "open".to_owned()
            } else {
                join(r.from.iter().map(|s| s.as_str()).collect())
            };
            let to = match r.to {
                To::State(s) => s.as_str().to_owned(),
                To::Same => "same".to_owned(),
                To::Before => "before".to_owned(),
            };
            let roles = join(r.roles.iter().map(|r| r.as_str()).collect());
            let cases: &str = r.cases.into();
            [r.mv.as_str().to_owned(), from, to, roles, cases.to_owned()]
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Channel;

    pub(crate) fn case(status: CaseStatus, urgency: Urgency) -> Case {
        Case {
            id: 1,
            number: "1405-000001".into(),
            request_id: "r".into(),
            channel: Channel::Phone,
            kind: Kind::Executive,
            urgency,
            topic_id: "T1".into(),
            description: "d".into(),
            phone: String::new(),
            region: 3,
            address: "a".into(),
            landmark: String::new(),
            unit_id: "r03-urban_services".into(),
            coordination: urgency == Urgency::Urgent,
            status,
            created_at_ms: 0,
            created_by: "agent1".into(),
            deadlines: Default::default(),
            revision: 1,
            escalation_level: 0,
            promised_ms: 0,
            follow_up: String::new(),
            reject_kind: None,
            duplicate_of: String::new(),
            transferred_to: String::new(),
            resume_to: None,
            clocks: Default::default(),
            delay_reason: None,
            next_due_ms: 0,
            citizen_id: String::new(),
            shahrban: false,
            feedback: Default::default(),
        }
    }

    #[test]
    fn a_unit_works_an_urgent_case_from_referral_to_result() {
        let mut c = case(S::Referred, Urgency::Urgent);
        for (mv, next) in [
            (Move::Acknowledge, S::Acknowledged),
            (Move::Arrive, S::OnSite),
            (Move::Resolve, S::Resolved),
        ] {
            c.status = check(&c, R::Unit, mv).unwrap();
            assert_eq!(c.status, next);
        }
        assert_eq!(check(&c, R::Agent, Move::Close), Ok(S::Closed));
        assert_eq!(check(&c, R::Agent, Move::Reopen), Ok(S::Reopened));
    }

    #[test]
    fn refusals_name_the_state_and_what_it_allows() {
        let c = case(S::Referred, Urgency::Normal);
        let refused = check(&c, R::Unit, Move::Arrive).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "arrive is not allowed in state referred; allowed: acknowledge, respond, \
             resolve, defer, reject, transfer, reroute, note"
        );
        assert_eq!(refused.code(), "MOVE_NOT_ALLOWED_IN_STATE");
        assert_eq!(
            check(&c, R::Agent, Move::Acknowledge),
            Err(Refusal::Role {
                role: R::Agent,
                mv: Move::Acknowledge
            })
        );
        let closed = case(S::Rejected, Urgency::Normal);
        assert_eq!(allowed_moves(&closed, R::Unit), [Move::Note]);
        assert_eq!(allowed_moves(&closed, R::Admin), [Move::Note]);
    }

    #[test]
    fn urgency_and_kind_narrow_the_moves() {
        let normal = case(S::Acknowledged, Urgency::Normal);
        let urgent = case(S::Acknowledged, Urgency::Urgent);
        assert!(check(&normal, R::Unit, Move::Arrive).is_err());
        assert!(check(&urgent, R::Unit, Move::Respond).is_err());
        assert_eq!(check(&normal, R::Unit, Move::Respond), Ok(S::InProgress));
        assert!(check(&normal, R::Dispatcher, Move::AssignFollowUp).is_err());
        assert_eq!(
            check(&urgent, R::Dispatcher, Move::AssignFollowUp),
            Ok(S::Acknowledged)
        );
        let mut info = case(S::Closed, Urgency::Normal);
        info.kind = Kind::Informational;
        assert!(check(&info, R::Agent, Move::Reopen).is_err());
        assert_eq!(respond_state(FirstResponse::Done), S::Resolved);
    }

    #[test]
    fn resume_goes_back_where_the_case_was() {
        let mut c = case(S::Acknowledged, Urgency::Normal);
        c.status = check(&c, R::Unit, Move::Defer).unwrap();
        assert_eq!(c.status, S::Deferred);
        // Without a remembered state there is nothing to go back to.
        assert!(check(&c, R::Unit, Move::Resume).is_err());
        c.resume_to = Some(S::Acknowledged);
        assert_eq!(check(&c, R::Unit, Move::Resume), Ok(S::Acknowledged));
        c.status = S::Transferred;
        assert_eq!(check(&c, R::Dispatcher, Move::Resolve), Ok(S::Resolved));
        assert!(check(&c, R::Agent, Move::Resolve).is_err());
    }

    #[test]
    fn every_move_has_a_row_and_every_allowed_move_checks() {
        use strum::IntoEnumIterator;
        for mv in Move::all() {
            assert!(TABLE.iter().any(|r| r.mv == mv), "{mv} has no row");
        }
        for status in CaseStatus::all() {
            for urgency in Urgency::iter() {
                let c = case(status, urgency);
                for role in Role::iter() {
                    let allowed = allowed_moves(&c, role);
                    for mv in Move::all() {
                        assert_eq!(check(&c, role, mv).is_ok(), allowed.contains(&mv));
                    }
                    // The portal writes no notes: it speaks for the citizen.
                    if role != R::Portal {
                        assert!(allowed.contains(&Move::Note), "note is always allowed");
                    }
                }
            }
        }
    }

    /// The README's table, between its markers, is this table.
    #[test]
    fn the_readme_shows_this_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let start = readme
            .find("<!-- moves:begin -->")
            .expect("README has the moves table");
        let end = readme.find("<!-- moves:end -->").unwrap();
        let rows: Vec<[String; 5]> = readme[start..end]
            .lines()
            .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.starts_with("| move"))
            .map(|l| {
                let cells: Vec<String> = l
                    .trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().trim_matches('`').to_owned())
                    .collect();
                <[String; 5]>::try_from(cells).expect("five cells a row")
            })
            .collect();
        assert_eq!(rows, table_rows(), "README and code disagree");
    }
}
