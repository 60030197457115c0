//! Every call the client makes, declared once: its name, its request and
//! response messages, and the generated client method that makes it. The
//! table below makes the request enum ([`Call`]), the answer enum
//! ([`Answer`]) and the dispatch ([`Call::invoke`]); a new RPC is one line.

use crate::app::msg::{RpcError, RpcResult};
use desk137_proto::v1 as pb;
use desk137_proto::v1::audit_service_client::AuditServiceClient;
use desk137_proto::v1::case_service_client::CaseServiceClient;
use desk137_proto::v1::catalog_service_client::CatalogServiceClient;
use desk137_proto::v1::citizen_record_service_client::CitizenRecordServiceClient;
use desk137_proto::v1::clock_service_client::ClockServiceClient;
use desk137_proto::v1::dashboard_service_client::DashboardServiceClient;
use desk137_proto::v1::feedback_service_client::FeedbackServiceClient;
use desk137_proto::v1::presence_service_client::PresenceServiceClient;
use desk137_proto::v1::scorecard_service_client::ScorecardServiceClient;
use desk137_proto::v1::session_service_client::SessionServiceClient;
use tonic::transport::Channel;

/// What every call carries besides its message: the credentials and the
/// time limit.
pub trait Prepare {
    fn prepare<T>(&self, message: T) -> tonic::Request<T>;
}

macro_rules! rpcs {
    ($($name:ident : $req:ty => $resp:ty = $client:ident :: $method:ident;)+) => {
        /// A request, by the call it is for.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Call {
            $($name($req),)+
        }

        /// The answer to a [`Call`] of the same name.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Answer {
            $($name(RpcResult<$resp>),)+
        }

        impl Call {
            /// The method's name, for the log.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Call::$name(_) => stringify!($method),)+
                }
            }

            pub async fn invoke(self, channel: Channel, how: &impl Prepare) -> Answer {
                match self {
                    $(Call::$name(m) => Answer::$name(
                        $client::new(channel)
                            .$method(how.prepare(m))
                            .await
                            .map(tonic::Response::into_inner)
                            .map_err(|s| RpcError::from_status(&s)),
                    ),)+
                }
            }
        }

        impl Answer {
            pub fn error(&self) -> Option<&RpcError> {
                match self {
                    $(Answer::$name(r) => r.as_ref().err(),)+
                }
            }
        }
    };
}

rpcs! {
    WhoAmI: pb::WhoAmIRequest => pb::WhoAmIResponse = SessionServiceClient::who_am_i;
    ListTopics: pb::ListTopicsRequest => pb::ListTopicsResponse = CatalogServiceClient::list_topics;
    ListUnits: pb::ListUnitsRequest => pb::ListUnitsResponse = CatalogServiceClient::list_units;
    ListRegions: pb::ListRegionsRequest => pb::ListRegionsResponse = CatalogServiceClient::list_regions;
    CallerHistory: pb::CallerHistoryRequest => pb::CallerHistoryResponse = CaseServiceClient::caller_history;
    CreateCase: pb::CreateCaseRequest => pb::CreateCaseResponse = CaseServiceClient::create_case;
    ListCases: pb::ListCasesRequest => pb::ListCasesResponse = CaseServiceClient::list_cases;
    GetCase: pb::GetCaseRequest => pb::Case = CaseServiceClient::get_case;
    MoveCase: pb::MoveCaseRequest => pb::MoveCaseResponse = CaseServiceClient::move_case;
    Advance: pb::AdvanceRequest => pb::AdvanceResponse = ClockServiceClient::advance;
    ListAudit: pb::ListAuditRequest => pb::ListAuditResponse = AuditServiceClient::list_audit;
    Snapshot: pb::SnapshotRequest => pb::Dashboard = DashboardServiceClient::snapshot;
    SignIn: pb::SignInRequest => pb::SignInResponse = PresenceServiceClient::sign_in;
    SignOut: pb::SignOutRequest => pb::SignOutResponse = PresenceServiceClient::sign_out;
    Scorecards: pb::ScorecardsRequest => pb::ScorecardsResponse = ScorecardServiceClient::scorecards;
    ScorecardCases: pb::ScorecardCasesRequest => pb::ScorecardCasesResponse = ScorecardServiceClient::scorecard_cases;
    RecordConsent: pb::RecordConsentRequest => pb::RecordConsentResponse = CitizenRecordServiceClient::record_consent;
    WithdrawConsent: pb::WithdrawConsentRequest => pb::WithdrawConsentResponse = CitizenRecordServiceClient::withdraw_consent;
    RevealPhone: pb::RevealPhoneRequest => pb::RevealPhoneResponse = CitizenRecordServiceClient::reveal_phone;
    SetShahrban: pb::SetShahrbanRequest => pb::SetShahrbanResponse = CitizenRecordServiceClient::set_shahrban;
    ClearFalseReport: pb::ClearFalseReportRequest => pb::ClearFalseReportResponse = CitizenRecordServiceClient::clear_false_report;
    NextCallBack: pb::NextCallBackRequest => pb::NextCallBackResponse = FeedbackServiceClient::next_call_back;
    RecordFeedback: pb::RecordFeedbackRequest => pb::RecordFeedbackResponse = FeedbackServiceClient::record_feedback;
    ReleaseCallBack: pb::ReleaseCallBackRequest => pb::ReleaseCallBackResponse = FeedbackServiceClient::release_call_back;
}
