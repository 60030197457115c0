//! The one access policy: which role may make which call, which cases a
//! caller may see, and which of a case's fields reach them. Handlers ask it
//! first and convert through its [`View`] on the way out; consent and audit
//! join here when they come, so no handler learns a rule of its own.

use crate::model::{Case, Role};
use crate::phone::{mask_numbers_in_text, mask_phone};

/// Every RPC of desk137.v1, named as the contract names it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter, strum::IntoStaticStr, strum::Display,
)]
pub enum Rpc {
    ListTopics,
    ListUnits,
    ListRegions,
    WhoAmI,
    CreateCase,
    GetCase,
    ListCases,
    CallerHistory,
    Upload,
    Download,
    MoveCase,
    Advance,
    ListAudit,
    RecordConsent,
    WithdrawConsent,
    RevealPhone,
    SetShahrban,
    ClearFalseReport,
    EraseCitizen,
    Watch,
    Snapshot,
    SignIn,
    SignOut,
    NextCallBack,
    RecordFeedback,
    ReleaseCallBack,
    Scorecards,
    ScorecardCases,
    ListMyCases,
    GetMyCase,
    DownloadMyDocument,
    RequestCorrection,
    GiveFeedback,
    RotateKeys,
    KeyStatus,
}

impl Rpc {
    pub fn all() -> impl Iterator<Item = Rpc> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    /// The method's name in the contract: `CreateCase`, ...
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// A call of CitizenService, the portal's: made on a citizen's behalf.
    pub fn is_citizens(self) -> bool {
        matches!(
            self,
            Rpc::ListMyCases
                | Rpc::GetMyCase
                | Rpc::DownloadMyDocument
                | Rpc::RequestCorrection
                | Rpc::GiveFeedback
        )
    }
}

/// An authenticated member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
    /// Set for unit staff, empty otherwise.
    pub unit_id: String,
}

/// Why the policy said no. The messages name the role and the call or the
/// case's number, never a citizen's data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("role {} may not call {}", role.as_str(), rpc.name())]
    Call { role: Role, rpc: Rpc },
    /// The case is not one the caller may see. Answered exactly as a case
    /// that does not exist, so ids and numbers cannot be probed.
    #[error("no such case")]
    Case,
}

impl Denied {
    /// A stable code for clients to word the refusal themselves; it goes on
    /// the wire as the `google.rpc.ErrorInfo` reason and never changes.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Call { .. } => "CALL_NOT_ALLOWED",
            Self::Case => "NO_SUCH_CASE",
        }
    }
}

/// May a caller of `role` make `rpc`?
pub fn may_call(role: Role, rpc: Rpc) -> bool {
    use Role::*;
    // The portal speaks for citizens, never as staff: CitizenService is its
    // only service, and no one else's.
    if rpc.is_citizens() {
        return role == Portal;
    }
    if role == Portal {
        return false;
    }
    match rpc {
        Rpc::ListTopics | Rpc::ListUnits | Rpc::ListRegions | Rpc::WhoAmI => true,
        // Units may read cases, but only their own: see `may_see` and `list_scope`.
        Rpc::GetCase | Rpc::ListCases => true,
        Rpc::CreateCase => matches!(role, Agent | Supervisor | Admin),
        // A caller's history is keyed by their number: only the agent on the call.
        Rpc::CallerHistory => matches!(role, Agent),
        // Those who work a case add its photos and documents; a unit only to
        // its own cases (`may_see`). Admins run the server, not cases.
        Rpc::Upload => matches!(role, Agent | Dispatcher | Unit | Supervisor),
        // Whoever may see a case may see its files.
        Rpc::Download => true,
        // Every role has a move (a note at least); the table in `moves` says which.
        Rpc::MoveCase => true,
        // Moving the simulated clock is the trainer's and the test's.
        Rpc::Advance => matches!(role, Admin),
        // Who saw whose number is for those who answer for the center.
        Rpc::ListAudit => matches!(role, Supervisor | Admin),
        // The agent on the call hears the citizen agree or change their mind.
        Rpc::RecordConsent | Rpc::WithdrawConsent => matches!(role, Agent),
        // The unit of a consented case (see `may_reveal`), and the agent.
        Rpc::RevealPhone => matches!(role, Agent | Unit),
        Rpc::SetShahrban | Rpc::ClearFalseReport => matches!(role, Supervisor),
        Rpc::EraseCitizen => matches!(role, Admin),
        // Everyone watches; the feed filters each event (`may_watch`).
        Rpc::Watch | Rpc::SignIn | Rpc::SignOut => true,
        Rpc::Snapshot => matches!(role, Supervisor | Admin),
        // 137 calls the citizen back: its agents, and supervisors standing in.
        Rpc::NextCallBack | Rpc::RecordFeedback | Rpc::ReleaseCallBack => {
            matches!(role, Agent | Supervisor)
        }
        // The units' standing is read by those who manage them.
        Rpc::Scorecards | Rpc::ScorecardCases => matches!(role, Supervisor | Admin),
        Rpc::ListMyCases
        | Rpc::GetMyCase
        | Rpc::DownloadMyDocument
        | Rpc::RequestCorrection
        | Rpc::GiveFeedback => false,
        // The keys are the server's: those who run it.
        Rpc::RotateKeys | Rpc::KeyStatus => matches!(role, Admin),
    }
}

/// [`may_call`] as a result, for handlers to `?`.
pub fn admit(caller: Caller, rpc: Rpc) -> Result<Caller, Denied> {
    if may_call(caller.role, rpc) {
        Ok(caller)
    } else {
        Err(Denied::Call {
            role: caller.role,
            rpc,
        })
    }
}

/// Unit staff see only their own unit's cases, and the coordination center's
/// staff the urgent cases it follows; everyone else sees all.
pub fn may_see(caller: &Caller, case: &Case, coordination_unit: Option<&str>) -> bool {
    caller.role != Role::Unit
        || caller.unit_id == case.unit_id
        || (case.coordination && coordination_unit == Some(caller.unit_id.as_str()))
}

/// [`may_see`] as a result, for handlers to `?`.
pub fn check_case(
    caller: &Caller,
    case: &Case,
    coordination_unit: Option<&str>,
) -> Result<(), Denied> {
    if may_see(caller, case, coordination_unit) {
        Ok(())
    } else {
        Err(Denied::Case)
    }
}

/// May `caller` make a move on `case`? Unit staff move only their own
/// unit's cases; the coordination center's staff, who see the urgent cases
/// they follow, may only add notes to them. Refused as a missing case.
pub fn check_move(
    caller: &Caller,
    case: &Case,
    coordination_unit: Option<&str>,
    mv: crate::moves::Move,
) -> Result<(), Denied> {
    check_case(caller, case, coordination_unit)?;
    if caller.role == Role::Unit && caller.unit_id != case.unit_id && mv != crate::moves::Move::Note
    {
        return Err(Denied::Case);
    }
    Ok(())
}

/// The unit part of a list's filter once the policy has had its say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only this unit's cases.
    pub unit_id: Option<String>,
    /// Only the cases the coordination center follows.
    pub coordination_only: bool,
}

impl Scope {
    pub fn admits(&self, case: &Case) -> bool {
        self.unit_id.as_deref().is_none_or(|u| case.unit_id == u)
            && (!self.coordination_only || case.coordination)
    }
}

/// Narrows the unit a caller asked to list (`None`: every unit) to what
/// they may see: unit staff get their own unit whatever they asked. The
/// coordination center has no cases of its own, so asking for it lists the
/// urgent cases it follows beside the regions' units. Every case a scope
/// admits passes [`may_see`].
pub fn list_scope(
    caller: &Caller,
    requested_unit: Option<String>,
    coordination_unit: Option<&str>,
) -> Scope {
    let unit_id = if caller.role == Role::Unit {
        Some(caller.unit_id.clone())
    } else {
        requested_unit
    };
    match unit_id {
        Some(unit) if Some(unit.as_str()) == coordination_unit => Scope {
            unit_id: None,
            coordination_only: true,
        },
        unit_id => Scope {
            unit_id,
            coordination_only: false,
        },
    }
}

/// How much of the citizen's number a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter)]
pub enum PhoneView {
    Whole,
    /// The first four and last four digits: enough to recognise a caller.
    Masked,
    /// Units get the request, never who made it.
    Absent,
}

impl PhoneView {
    pub fn show(self, phone: &str) -> String {
        match self {
            Self::Whole => phone.to_owned(),
            Self::Masked => mask_phone(phone),
            Self::Absent => String::new(),
        }
    }
}

/// How much of the caller's number `role` sees in the answer to `rpc`. The
/// number is decrypted only where an agent serves the caller: their history
/// and the case they open; every other answer masks it, and units never get
/// it in a case (only through [`may_reveal`]).
pub fn phone_view(role: Role, rpc: Rpc) -> PhoneView {
    match (role, rpc) {
        // The agent serving the caller, or calling them back.
        (Role::Agent, Rpc::CallerHistory | Rpc::GetCase | Rpc::NextCallBack) => PhoneView::Whole,
        (Role::Unit, _) => PhoneView::Absent,
        _ => PhoneView::Masked,
    }
}

/// May `caller` have the number of `case` through `RevealPhone`? Agents on
/// any case they see; unit staff only on their own unit's case, and only
/// while the citizen's consent for that case stands. Every refusal is the
/// refusal of a missing case, so consent cannot be probed.
pub fn may_reveal(
    caller: &Caller,
    case: &Case,
    consented: bool,
    coordination_unit: Option<&str>,
) -> Result<(), Denied> {
    check_case(caller, case, coordination_unit)?;
    match caller.role {
        Role::Agent => Ok(()),
        Role::Unit if consented && caller.unit_id == case.unit_id => Ok(()),
        _ => Err(Denied::Case),
    }
}

/// Whether an answer to `rpc` tells `role` that the caller is Shahrban or
/// has false reports: those who handle the call and the case, not units
/// (who get the request, never who made it).
pub fn sees_citizen_marks(role: Role) -> bool {
    role != Role::Unit
}

/// Which fields of a case reach a caller: conversions to the wire take one,
/// so no field leaves without the policy's word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub phone: PhoneView,
    viewer: String,
    marks: bool,
}

impl View {
    /// The view of `caller`'s answer to `rpc`.
    pub fn of(caller: &Caller, rpc: Rpc) -> Self {
        Self {
            phone: phone_view(caller.role, rpc),
            viewer: caller.name.clone(),
            marks: sees_citizen_marks(caller.role),
        }
    }

    /// The citizen's id and marks reach this viewer.
    pub fn marks(&self) -> bool {
        self.marks
    }

    /// Free text (a description, an address, a note) as this viewer may read
    /// it: a number the agent typed into it, perhaps the caller's own, is
    /// hidden from everyone who may not see the caller's number whole.
    pub fn text(&self, text: &str) -> String {
        match self.phone {
            PhoneView::Whole => text.to_owned(),
            PhoneView::Masked | PhoneView::Absent => mask_numbers_in_text(text),
        }
    }

    /// An audit entry's free text: masked for every reader, admins too. The
    /// log says who saw a number, never the number itself.
    pub fn audit_text(&self, text: &str) -> String {
        mask_numbers_in_text(text)
    }

    /// A case's request id, shown only to the user who sent it: to anyone
    /// else it is only a key to probe the case's content with.
    pub fn request_id(&self, case: &Case) -> String {
        if case.created_by == self.viewer {
            case.request_id.clone()
        } else {
            String::new()
        }
    }
}

/// What a feed event is about, for the policy to judge per watcher.
#[derive(Debug, Clone, Copy)]
pub enum FeedSubject<'a> {
    /// A case as the change left it, and the unit it left, if the change
    /// took it from one: that unit must hear that the case is gone from its
    /// queue, or its screens would keep it.
    Case {
        case: &'a Case,
        left_unit: Option<&'a str>,
    },
    /// A member of staff signed in or out.
    Staff,
}

impl<'a> FeedSubject<'a> {
    /// A case that no change took from anyone: as a resync shows it.
    pub fn case(case: &'a Case) -> Self {
        Self::Case {
            case,
            left_unit: None,
        }
    }
}

/// May `caller` get a feed event about `subject`? A case's events go to
/// whoever may see the case, so a unit hears only of its own (and the
/// coordination center of what it follows), and of the step that took a
/// case away from it; who is signed in is the supervisors' and admins'
/// business.
pub fn may_watch(
    caller: &Caller,
    subject: FeedSubject<'_>,
    coordination_unit: Option<&str>,
) -> bool {
    match subject {
        FeedSubject::Case { case, left_unit } => {
            may_see(caller, case, coordination_unit)
                || (caller.role == Role::Unit
                    && left_unit.is_some_and(|unit| !unit.is_empty() && unit == caller.unit_id))
        }
        FeedSubject::Staff => matches!(caller.role, Role::Supervisor | Role::Admin),
    }
}

/// The view every feed event and resync goes out through: no number, whole
/// or masked, to anyone, and numbers typed into free text hidden. A screen
/// that needs the caller's number asks for the case itself.
pub fn feed_view(caller: &Caller) -> View {
    View {
        phone: PhoneView::Absent,
        viewer: caller.name.clone(),
        marks: sees_citizen_marks(caller.role),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CaseStatus, Channel, Kind, Urgency};
    use strum::IntoEnumIterator;

    const ROLES: [Role; 6] = [
        Role::Agent,
        Role::Dispatcher,
        Role::Unit,
        Role::Supervisor,
        Role::Admin,
        Role::Portal,
    ];

    #[test]
    fn every_rpc_for_every_role() {
        // Columns: agent, dispatcher, unit, supervisor, admin, portal.
        let table: &[(Rpc, [bool; 6])] = &[
            (Rpc::ListTopics, [true, true, true, true, true, false]),
            (Rpc::ListUnits, [true, true, true, true, true, false]),
            (Rpc::ListRegions, [true, true, true, true, true, false]),
            (Rpc::WhoAmI, [true, true, true, true, true, false]),
            (Rpc::CreateCase, [true, false, false, true, true, false]),
            (Rpc::GetCase, [true, true, true, true, true, false]),
            (Rpc::ListCases, [true, true, true, true, true, false]),
            (
                Rpc::CallerHistory,
                [true, false, false, false, false, false],
            ),
            (Rpc::Upload, [true, true, true, true, false, false]),
            (Rpc::Download, [true, true, true, true, true, false]),
            (Rpc::MoveCase, [true, true, true, true, true, false]),
            (Rpc::Advance, [false, false, false, false, true, false]),
            (Rpc::ListAudit, [false, false, false, true, true, false]),
            (
                Rpc::RecordConsent,
                [true, false, false, false, false, false],
            ),
            (
                Rpc::WithdrawConsent,
                [true, false, false, false, false, false],
            ),
            (Rpc::RevealPhone, [true, false, true, false, false, false]),
            (Rpc::SetShahrban, [false, false, false, true, false, false]),
            (
                Rpc::ClearFalseReport,
                [false, false, false, true, false, false],
            ),
            (Rpc::EraseCitizen, [false, false, false, false, true, false]),
            (Rpc::Watch, [true, true, true, true, true, false]),
            (Rpc::Snapshot, [false, false, false, true, true, false]),
            (Rpc::SignIn, [true, true, true, true, true, false]),
            (Rpc::SignOut, [true, true, true, true, true, false]),
            (Rpc::NextCallBack, [true, false, false, true, false, false]),
            (
                Rpc::RecordFeedback,
                [true, false, false, true, false, false],
            ),
            (
                Rpc::ReleaseCallBack,
                [true, false, false, true, false, false],
            ),
            (Rpc::Scorecards, [false, false, false, true, true, false]),
            (Rpc::RotateKeys, [false, false, false, false, true, false]),
            (Rpc::KeyStatus, [false, false, false, false, true, false]),
            (
                Rpc::ScorecardCases,
                [false, false, false, true, true, false],
            ),
            (Rpc::ListMyCases, [false, false, false, false, false, true]),
            (Rpc::GetMyCase, [false, false, false, false, false, true]),
            (
                Rpc::DownloadMyDocument,
                [false, false, false, false, false, true],
            ),
            (
                Rpc::RequestCorrection,
                [false, false, false, false, false, true],
            ),
            (Rpc::GiveFeedback, [false, false, false, false, false, true]),
        ];
        assert_eq!(ROLES.len(), Role::iter().count(), "a role is missing");
        for rpc in Rpc::all() {
            let row = table
                .iter()
                .find(|(r, _)| *r == rpc)
                .map(|(_, row)| row)
                .unwrap_or_else(|| panic!("{rpc} has no row in the table"));
            for (role, &expected) in ROLES.iter().zip(row) {
                assert_eq!(may_call(*role, rpc), expected, "{} {rpc}", role.as_str());
                let caller = Caller {
                    name: "x".into(),
                    role: *role,
                    unit_id: String::new(),
                };
                assert_eq!(admit(caller, rpc).is_ok(), expected);
            }
        }
        assert_eq!(table.len(), Rpc::all().count());
    }

    #[test]
    fn rpcs_carry_the_contract_names() {
        assert_eq!(Rpc::CallerHistory.name(), "CallerHistory");
        assert_eq!(Rpc::WhoAmI.to_string(), "WhoAmI");
        let refusal = Denied::Call {
            role: Role::Unit,
            rpc: Rpc::CreateCase,
        };
        assert_eq!(refusal.to_string(), "role unit may not call CreateCase");
        assert_eq!(refusal.code(), "CALL_NOT_ALLOWED");
        assert_eq!(Denied::Case.code(), "NO_SUCH_CASE");
    }

    fn case(unit: &str, coordination: bool) -> Case {
        Case {
            id: 1,
            number: "1405-000001".into(),
            request_id: "r".into(),
            channel: Channel::Phone,
            kind: Kind::Executive,
            urgency: if coordination {
                Urgency::Urgent
            } else {
                Urgency::Normal
            },
            topic_id: "T1".into(),
            description: "d".into(),
            phone: "09131234567".into(),
            region: 3,
            address: "a".into(),
            landmark: String::new(),
            unit_id: unit.into(),
            coordination,
            status: CaseStatus::Registered,
            created_at_ms: 0,
            created_by: "agent1".into(),
            deadlines: Default::default(),
            revision: 0,
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

    fn caller(role: Role, unit: &str) -> Caller {
        Caller {
            name: "someone".into(),
            role,
            unit_id: unit.into(),
        }
    }

    const OCC: Option<&str> = Some("occ");

    #[test]
    fn units_see_only_their_own_and_the_center_what_it_follows() {
        let unit = caller(Role::Unit, "r03-urban_services");
        assert!(may_see(&unit, &case("r03-urban_services", false), OCC));
        assert!(may_see(&unit, &case("r03-urban_services", true), OCC));
        assert!(!may_see(&unit, &case("r05-traffic", true), OCC));
        assert!(!may_see(&unit, &case("", false), OCC));
        let center = caller(Role::Unit, "occ");
        assert!(may_see(&center, &case("r05-traffic", true), OCC));
        assert!(!may_see(&center, &case("r05-traffic", false), OCC));
        // Without a coordination unit in the catalog nobody follows anything.
        assert!(!may_see(&center, &case("r05-traffic", true), None));
        for role in [Role::Agent, Role::Dispatcher, Role::Supervisor, Role::Admin] {
            assert!(may_see(&caller(role, ""), &case("r05-traffic", false), OCC));
        }
        assert_eq!(
            check_case(&unit, &case("r05-traffic", false), OCC),
            Err(Denied::Case)
        );
    }

    #[test]
    fn a_list_is_narrowed_to_what_its_caller_may_see() {
        let unit = caller(Role::Unit, "r03-urban_services");
        let own = Scope {
            unit_id: Some("r03-urban_services".into()),
            coordination_only: false,
        };
        assert_eq!(list_scope(&unit, Some("r05-traffic".into()), OCC), own);
        assert_eq!(list_scope(&unit, None, OCC), own);
        let following = Scope {
            unit_id: None,
            coordination_only: true,
        };
        assert_eq!(list_scope(&caller(Role::Unit, "occ"), None, OCC), following);
        let supervisor = caller(Role::Supervisor, "");
        assert_eq!(list_scope(&supervisor, None, OCC), Scope::default());
        assert_eq!(list_scope(&supervisor, Some("occ".into()), OCC), following);
        assert_eq!(
            list_scope(&supervisor, Some("r05-traffic".into()), OCC).unit_id,
            Some("r05-traffic".into())
        );

        // Whatever a scope admits, may_see allows.
        let cases = [
            case("r03-urban_services", false),
            case("r03-urban_services", true),
            case("r05-traffic", false),
            case("r05-traffic", true),
            case("", false),
        ];
        let callers = [
            unit,
            caller(Role::Unit, "occ"),
            caller(Role::Unit, "r05-traffic"),
            supervisor,
            caller(Role::Agent, ""),
        ];
        for c in &callers {
            for asked in [None, Some("r05-traffic"), Some("occ"), Some("")] {
                let scope = list_scope(c, asked.map(Into::into), OCC);
                for k in cases.iter().filter(|k| scope.admits(k)) {
                    assert!(may_see(c, k, OCC), "{c:?} {asked:?} {k:?}");
                }
            }
        }
    }

    #[test]
    fn the_number_is_whole_only_for_the_agent_serving_the_caller() {
        for rpc in Rpc::all() {
            for role in <Role as strum::IntoEnumIterator>::iter() {
                let view = phone_view(role, rpc);
                let whole = role == Role::Agent
                    && matches!(rpc, Rpc::CallerHistory | Rpc::GetCase | Rpc::NextCallBack);
                assert_eq!(view == PhoneView::Whole, whole, "{role:?} {rpc:?}");
                if role == Role::Unit {
                    assert_eq!(view, PhoneView::Absent);
                }
            }
        }
        let shown = View::of(&caller(Role::Supervisor, ""), Rpc::GetCase);
        assert_eq!(shown.phone.show("09131234567"), "0913***4567");
        assert_eq!(PhoneView::Masked.show(""), "");
    }

    #[test]
    fn a_unit_gets_the_number_only_of_its_own_consented_case() {
        let own = case("r03-urban_services", false);
        let unit = caller(Role::Unit, "r03-urban_services");
        assert_eq!(may_reveal(&unit, &own, true, OCC), Ok(()));
        assert_eq!(may_reveal(&unit, &own, false, OCC), Err(Denied::Case));
        let other = caller(Role::Unit, "r05-traffic");
        assert_eq!(may_reveal(&other, &own, true, OCC), Err(Denied::Case));
        // The coordination center follows an urgent case but is not its unit.
        let urgent = case("r03-urban_services", true);
        assert_eq!(
            may_reveal(&caller(Role::Unit, "occ"), &urgent, true, OCC),
            Err(Denied::Case)
        );
        assert_eq!(
            may_reveal(&caller(Role::Agent, ""), &own, false, OCC),
            Ok(())
        );
        for role in [Role::Dispatcher, Role::Supervisor, Role::Admin] {
            assert_eq!(
                may_reveal(&caller(role, ""), &own, true, OCC),
                Err(Denied::Case)
            );
        }
    }

    #[test]
    fn the_feed_filters_like_get_case_and_never_shows_a_number() {
        let unit = caller(Role::Unit, "r03-urban_services");
        let supervisor = caller(Role::Supervisor, "");
        let own = case("r03-urban_services", false);
        let other = case("r05-traffic", false);
        assert!(may_watch(&unit, FeedSubject::case(&own), OCC));
        assert!(!may_watch(&unit, FeedSubject::case(&other), OCC));
        assert!(may_watch(&supervisor, FeedSubject::case(&other), OCC));
        assert!(!may_watch(&unit, FeedSubject::Staff, OCC));
        assert!(!may_watch(
            &caller(Role::Agent, ""),
            FeedSubject::Staff,
            OCC
        ));
        assert!(may_watch(&supervisor, FeedSubject::Staff, OCC));
        // Re-routed away: the unit it left hears of that step, no other.
        let left = |unit| FeedSubject::Case {
            case: &other,
            left_unit: Some(unit),
        };
        assert!(may_watch(&unit, left("r03-urban_services"), OCC));
        assert!(!may_watch(&unit, left("r07-urban_services"), OCC));
        assert!(!may_watch(&caller(Role::Unit, ""), left(""), OCC));
        for role in ROLES {
            let view = feed_view(&caller(role, ""));
            assert_eq!(view.phone.show("09131234567"), "");
            assert!(!view.text("زنگ بزنید ۰۹۱۳۱۲۳۴۵۶۷").contains("۱۲۳۴۵۶۷"));
        }
    }
}
