//! Citizen records end to end: the caller's history names the citizen and
//! their marks, consent opens one case's number to its unit and closes it
//! again, Shahrban and false reports are set and cleared by whom the policy
//! says, erasure leaves the cases without a number, and every one of these
//! is on the audit log.

use desk137_domain::audit::AuditAction;
use desk137_tests::{TestServer, move_of, obstruction, pb, the_case};
use tonic::Code;

const PHONE: &str = "09131234567";

async fn history(server: &TestServer) -> anyhow::Result<pb::CallerHistoryResponse> {
    let mut agent = server.as_user("agent1").await?;
    Ok(agent
        .cases
        .caller_history(pb::CallerHistoryRequest {
            phone: "۰۹۱۳ ۱۲۳ ۴۵۶۷".into(),
            limit: 0,
        })
        .await?
        .into_inner())
}

#[tokio::test]
async fn consent_opens_one_case_to_its_unit_and_withdrawal_closes_it() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let mut unit = server.as_user("unit1").await?;
    let made = the_case(
        agent
            .cases
            .create_case(obstruction("c1"))
            .await?
            .into_inner()
            .r#case,
    )?;
    // The create's answer masks the number, even for the agent.
    assert_eq!(made.phone, "0913***4567");
    assert_eq!(made.citizen_id.len(), 32);
    let reveal = pb::RevealPhoneRequest {
        case_id: made.id,
        reason: "to find the shop".into(),
    };
    let refused = unit
        .citizens
        .reveal_phone(reveal.clone())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::NotFound);
    let missing = unit
        .citizens
        .reveal_phone(pb::RevealPhoneRequest {
            case_id: 999,
            reason: "x".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        (missing.code(), missing.message()),
        (refused.code(), refused.message())
    );
    // Units never get the number, nor who called, in a case.
    let seen = unit
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(made.id)),
        })
        .await?
        .into_inner();
    assert_eq!((seen.phone.as_str(), seen.citizen_id.as_str()), ("", ""));

    let consented = the_case(
        agent
            .citizens
            .record_consent(pb::RecordConsentRequest {
                request_id: "k1".into(),
                case_id: made.id,
                reason: "the citizen agreed to be called by the unit".into(),
            })
            .await?
            .into_inner()
            .r#case,
    )?;
    assert!(consented.phone_consent);
    // The unit is told that consent stands for its case, and nothing else
    // of the citizen's.
    let seen = unit
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(made.id)),
        })
        .await?
        .into_inner();
    assert!(seen.phone_consent);
    assert_eq!((seen.phone.as_str(), seen.citizen_id.as_str()), ("", ""));
    let number = unit
        .citizens
        .reveal_phone(reveal.clone())
        .await?
        .into_inner();
    assert_eq!(number.phone, PHONE);

    // Another case of the same caller is not consented.
    let other = the_case(
        agent
            .cases
            .create_case(obstruction("c2"))
            .await?
            .into_inner()
            .r#case,
    )?;
    assert_eq!(other.citizen_id, made.citizen_id);
    let refused = unit
        .citizens
        .reveal_phone(pb::RevealPhoneRequest {
            case_id: other.id,
            reason: "x".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::NotFound);

    agent
        .citizens
        .withdraw_consent(pb::WithdrawConsentRequest {
            request_id: "k2".into(),
            case_id: made.id,
            reason: "changed their mind".into(),
        })
        .await?;
    let refused = unit.citizens.reveal_phone(reveal).await.unwrap_err();
    assert_eq!(refused.code(), Code::NotFound);

    // Only agents record consent; a reason is required.
    let denied = unit
        .citizens
        .record_consent(pb::RecordConsentRequest {
            request_id: "k3".into(),
            case_id: made.id,
            reason: "x".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let bad = agent
        .citizens
        .record_consent(pb::RecordConsentRequest {
            request_id: "k4".into(),
            case_id: made.id,
            reason: "  ".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(desk137_tests::refused_field(&bad)?.field, "reason");
    // The same request again answers as before and records nothing more.
    agent
        .citizens
        .record_consent(pb::RecordConsentRequest {
            request_id: "k1".into(),
            case_id: made.id,
            reason: "the citizen agreed to be called by the unit".into(),
        })
        .await?;
    server.shutdown().await
}

#[tokio::test]
async fn shahrban_and_false_reports_reach_the_caller_pop() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let mut supervisor = server.as_user("supervisor1").await?;
    let mut unit = server.as_user("unit1").await?;
    let none = history(&server).await?;
    assert_eq!((none.citizen_id.as_str(), none.total), ("", 0));

    let made = the_case(
        agent
            .cases
            .create_case(obstruction("s1"))
            .await?
            .into_inner()
            .r#case,
    )?;
    let pop = history(&server).await?;
    assert_eq!(pop.citizen_id, made.citizen_id);
    assert_eq!(pop.cases[0].phone, PHONE);
    assert!(!pop.shahrban);

    let set = pb::SetShahrbanRequest {
        request_id: "sh1".into(),
        case_id: made.id,
        on: true,
        reason: "took part in the workshop".into(),
    };
    let denied = agent.citizens.set_shahrban(set.clone()).await.unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    assert!(
        supervisor
            .citizens
            .set_shahrban(set)
            .await?
            .into_inner()
            .shahrban
    );
    let pop = history(&server).await?;
    assert!(pop.shahrban);
    assert!(pop.cases.iter().all(|c| c.shahrban));

    // The unit rejects the case as a false report: the citizen gets a mark.
    let mut reject = move_of(&made, pb::Move::Reject, "r1");
    reject.reject_kind = pb::RejectKind::FalseReport.into();
    reject.note = "nothing was there".into();
    unit.cases.move_case(reject).await?;
    let pop = history(&server).await?;
    assert_eq!(pop.false_reports, 1);
    // A warning, never a block: the next call is registered as any other.
    agent.cases.create_case(obstruction("s2")).await?;

    let clear = pb::ClearFalseReportRequest {
        request_id: "cl1".into(),
        case_id: made.id,
        reason: "appeal: the shop was there".into(),
    };
    let denied = unit
        .citizens
        .clear_false_report(clear.clone())
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let cleared = supervisor
        .citizens
        .clear_false_report(clear)
        .await?
        .into_inner();
    assert_eq!(cleared.false_reports, 0);
    let again = supervisor
        .citizens
        .clear_false_report(pb::ClearFalseReportRequest {
            request_id: "cl2".into(),
            case_id: made.id,
            reason: "again".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(again.code(), Code::FailedPrecondition);
    assert_eq!(history(&server).await?.false_reports, 0);
    server.shutdown().await
}

#[tokio::test]
async fn erasure_destroys_the_number_and_keeps_the_cases() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let mut admin = server.as_user("admin1").await?;
    let mut supervisor = server.as_user("supervisor1").await?;
    let made = the_case(
        agent
            .cases
            .create_case(obstruction("e1"))
            .await?
            .into_inner()
            .r#case,
    )?;
    agent.cases.create_case(obstruction("e2")).await?;
    let erase = pb::EraseCitizenRequest {
        request_id: "er1".into(),
        case_id: made.id,
        reason: "the citizen asked".into(),
    };
    let denied = supervisor
        .citizens
        .erase_citizen(erase.clone())
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    let erased = admin.citizens.erase_citizen(erase).await?.into_inner();
    assert_eq!(
        (erased.citizen_id.as_str(), erased.cases),
        (made.citizen_id.as_str(), 2)
    );

    // The number finds no history: the agent sees a new caller.
    let pop = history(&server).await?;
    assert_eq!((pop.citizen_id.as_str(), pop.total), ("", 0));
    // The cases stay, without a number for anyone.
    let got = agent
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(made.id)),
        })
        .await?
        .into_inner();
    assert_eq!(
        (got.phone.as_str(), got.number.as_str()),
        ("", made.number.as_str())
    );
    let refused = agent
        .citizens
        .reveal_phone(pb::RevealPhoneRequest {
            case_id: made.id,
            reason: "x".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::NotFound);
    // A new call from the number starts a new citizen.
    let next = the_case(
        agent
            .cases
            .create_case(obstruction("e3"))
            .await?
            .into_inner()
            .r#case,
    )?;
    assert_ne!(next.citizen_id, made.citizen_id);
    assert_eq!(history(&server).await?.total, 1);
    server.shutdown().await
}

#[tokio::test]
async fn every_view_of_a_number_and_every_change_is_on_the_audit_log() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let mut unit = server.as_user("unit1").await?;
    let mut supervisor = server.as_user("supervisor1").await?;
    let made = the_case(
        agent
            .cases
            .create_case(obstruction("a1"))
            .await?
            .into_inner()
            .r#case,
    )?;
    history(&server).await?;
    let got = agent
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(made.id)),
        })
        .await?
        .into_inner();
    assert_eq!(got.phone, PHONE);
    agent
        .citizens
        .record_consent(pb::RecordConsentRequest {
            request_id: "a2".into(),
            case_id: made.id,
            reason: "ok to call".into(),
        })
        .await?;
    unit.citizens
        .reveal_phone(pb::RevealPhoneRequest {
            case_id: made.id,
            reason: "call before going".into(),
        })
        .await?;
    agent
        .citizens
        .withdraw_consent(pb::WithdrawConsentRequest {
            request_id: "a3".into(),
            case_id: made.id,
            reason: "no more".into(),
        })
        .await?;
    for on in [true, false] {
        supervisor
            .citizens
            .set_shahrban(pb::SetShahrbanRequest {
                request_id: format!("a4{on}"),
                case_id: made.id,
                on,
                reason: "program 0913 123 4567".into(),
            })
            .await?;
    }
    let mut reject = move_of(&made, pb::Move::Reject, "a5");
    reject.reject_kind = pb::RejectKind::FalseReport.into();
    reject.note = "nothing there".into();
    unit.cases.move_case(reject).await?;
    let mut server = server;
    // The store outlives the server: its directory is taken before shutdown.
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir()?);
    server.shutdown().await?;
    let data = dir.path().join("data");

    let store = desk137_server::store::Store::open(&data, Default::default())?;
    let log = store.audit_entries(1, 100)?;
    // The server's own entries (the staff it starts with) are not the
    // citizens' business here.
    let seen: Vec<(AuditAction, &str, &str)> = log
        .iter()
        .filter(|(_, e)| e.action != AuditAction::RoleChanged)
        .map(|(_, e)| (e.action, e.actor.as_str(), e.reason.as_str()))
        .collect();
    use AuditAction::*;
    assert_eq!(
        seen.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
        [
            (PhoneRevealed, "agent1"),
            (PhoneRevealed, "agent1"),
            (ConsentGiven, "agent1"),
            (PhoneRevealed, "unit1"),
            (ConsentWithdrawn, "agent1"),
            (ShahrbanSet, "supervisor1"),
            (ShahrbanCleared, "supervisor1"),
            (FalseReportMarked, "unit1"),
        ]
    );
    assert_eq!(seen[3].2, "call before going");
    for (_, entry) in log
        .iter()
        .filter(|(_, e)| e.action != AuditAction::RoleChanged)
    {
        assert_eq!(entry.citizen_id, made.citizen_id);
        assert!(!entry.reason.contains("0913"), "{entry:?}");
        assert!(entry.role.is_some());
    }
    store.close()?;
    Ok(())
}
