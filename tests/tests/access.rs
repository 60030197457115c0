//! Who may call what, and who sees the caller's number.

use desk137_domain::access::{Rpc, may_call};
use desk137_domain::model::Role;
use desk137_server::app::ServerConfig;
use desk137_server::auth::{DEMO_USERS, User, hash_token};
use desk137_tests::{TestServer, obstruction, pb};
use pb::get_case_request::Key;
use tonic::Code;
use tonic_types::StatusExt;

#[tokio::test]
async fn no_token_or_an_unknown_one_is_unauthenticated() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    for token in [None, Some("nobody"), Some("")] {
        let mut c = server.clients(token).await?;
        let create = c.cases.create_case(obstruction("x")).await.unwrap_err();
        assert_eq!(create.code(), Code::Unauthenticated, "{token:?}");
        let topics = c
            .catalog
            .list_topics(pb::ListTopicsRequest {})
            .await
            .unwrap_err();
        assert_eq!(topics.code(), Code::Unauthenticated, "{token:?}");
        let who = c.session.who_am_i(pb::WhoAmIRequest {}).await.unwrap_err();
        assert_eq!(who.code(), Code::Unauthenticated, "{token:?}");
    }
    server.shutdown().await
}

#[tokio::test]
async fn each_role_is_held_to_its_rpcs() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let denied = |status: tonic::Status| {
        assert_eq!(
            status.code(),
            Code::PermissionDenied,
            "{}",
            status.message()
        )
    };
    let history = || pb::CallerHistoryRequest {
        phone: "09131234567".into(),
        limit: 0,
    };

    let mut unit = server.as_user("unit1").await?;
    denied(unit.cases.create_case(obstruction("u")).await.unwrap_err());
    denied(unit.cases.caller_history(history()).await.unwrap_err());
    let mut dispatcher = server.as_user("dispatcher1").await?;
    denied(
        dispatcher
            .cases
            .create_case(obstruction("d"))
            .await
            .unwrap_err(),
    );
    denied(
        dispatcher
            .cases
            .caller_history(history())
            .await
            .unwrap_err(),
    );
    let mut supervisor = server.as_user("supervisor1").await?;
    denied(
        supervisor
            .cases
            .caller_history(history())
            .await
            .unwrap_err(),
    );
    let mut admin = server.as_user("admin1").await?;
    denied(admin.cases.caller_history(history()).await.unwrap_err());

    // Supervisors and admins may open cases; everyone may read the catalog.
    supervisor.cases.create_case(obstruction("s")).await?;
    admin.cases.create_case(obstruction("a")).await?;
    for name in ["agent1", "dispatcher1", "unit1", "supervisor1", "admin1"] {
        let mut c = server.as_user(name).await?;
        c.catalog.list_units(pb::ListUnitsRequest {}).await?;
        c.cases.list_cases(pb::ListCasesRequest::default()).await?;
        let who = c.session.who_am_i(pb::WhoAmIRequest {}).await?.into_inner();
        assert_eq!(who.user, name);
        assert!(who.demo);
    }
    server.shutdown().await
}

/// A document small enough to upload as every role.
const SEED_PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Makes `rpc` with a request the server accepts from anyone allowed to
/// make it, so the only refusal left is the policy's.
async fn call(
    c: &mut desk137_tests::Clients,
    rpc: Rpc,
    case_id: u64,
    attachment_id: &str,
    request_id: &str,
) -> Result<(), tonic::Status> {
    match rpc {
        Rpc::ListTopics => c
            .catalog
            .list_topics(pb::ListTopicsRequest {})
            .await
            .map(drop),
        Rpc::ListUnits => c
            .catalog
            .list_units(pb::ListUnitsRequest {})
            .await
            .map(drop),
        Rpc::ListRegions => c
            .catalog
            .list_regions(pb::ListRegionsRequest {})
            .await
            .map(drop),
        Rpc::WhoAmI => c.session.who_am_i(pb::WhoAmIRequest {}).await.map(drop),
        Rpc::CreateCase => c.cases.create_case(obstruction(request_id)).await.map(drop),
        Rpc::GetCase => c
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(Key::Id(case_id)),
            })
            .await
            .map(drop),
        Rpc::ListCases => c
            .cases
            .list_cases(pb::ListCasesRequest::default())
            .await
            .map(drop),
        Rpc::CallerHistory => c
            .cases
            .caller_history(pb::CallerHistoryRequest {
                phone: "09131234567".into(),
                limit: 0,
            })
            .await
            .map(drop),
        Rpc::Upload => c
            .upload(case_id, "note.pdf", "application/pdf", SEED_PDF)
            .await
            .map(drop),
        Rpc::Download => c.download(case_id, attachment_id).await.map(drop),
        // A note: the one move every role may make on a case it sees.
        Rpc::MoveCase => {
            // A caller who may not read the case moves it blind, and is
            // refused by the policy all the same.
            let case = match c
                .cases
                .get_case(pb::GetCaseRequest {
                    key: Some(Key::Id(case_id)),
                })
                .await
            {
                Ok(case) => case.into_inner(),
                Err(s) if s.code() == Code::PermissionDenied => pb::Case {
                    id: case_id,
                    ..Default::default()
                },
                Err(s) => return Err(s),
            };
            let mut note = desk137_tests::move_of(&case, pb::Move::Note, request_id);
            note.note = "یادداشت".into();
            c.cases.move_case(note).await.map(drop)
        }
        // This server runs on the real clock's terms: an admitted caller is
        // told so, anyone else is refused by the policy first.
        Rpc::Advance => match c.clock.advance(pb::AdvanceRequest { ms: 1 }).await {
            Err(s) if s.code() == Code::FailedPrecondition => Ok(()),
            other => other.map(drop),
        },
        Rpc::ListAudit => c
            .audit
            .list_audit(pb::ListAuditRequest::default())
            .await
            .map(drop),
        Rpc::RecordConsent => c
            .citizens
            .record_consent(pb::RecordConsentRequest {
                request_id: request_id.into(),
                case_id,
                reason: "agreed".into(),
            })
            .await
            .map(drop),
        Rpc::WithdrawConsent => c
            .citizens
            .withdraw_consent(pb::WithdrawConsentRequest {
                request_id: request_id.into(),
                case_id,
                reason: "changed their mind".into(),
            })
            .await
            .map(drop),
        // Admitted, a unit without the citizen's consent is told the case is
        // not there, as for any case it may not see.
        Rpc::RevealPhone => match c
            .citizens
            .reveal_phone(pb::RevealPhoneRequest {
                case_id,
                reason: "to call".into(),
            })
            .await
        {
            Err(s) if s.code() == Code::NotFound => Ok(()),
            other => other.map(drop),
        },
        Rpc::SetShahrban => c
            .citizens
            .set_shahrban(pb::SetShahrbanRequest {
                request_id: request_id.into(),
                case_id,
                on: true,
                reason: "workshop".into(),
            })
            .await
            .map(drop),
        // Admitted, with no mark to clear: the domain's refusal.
        Rpc::ClearFalseReport => match c
            .citizens
            .clear_false_report(pb::ClearFalseReportRequest {
                request_id: request_id.into(),
                case_id,
                reason: "appeal".into(),
            })
            .await
        {
            Err(s) if s.code() == Code::FailedPrecondition => Ok(()),
            other => other.map(drop),
        },
        Rpc::EraseCitizen => c
            .citizens
            .erase_citizen(pb::EraseCitizenRequest {
                request_id: request_id.into(),
                case_id,
                reason: "asked to be forgotten".into(),
            })
            .await
            .map(drop),
        Rpc::Watch => c
            .feed
            .watch(pb::WatchRequest { after_seq: 0 })
            .await
            .map(drop),
        Rpc::Snapshot => c.dashboard.snapshot(pb::SnapshotRequest {}).await.map(drop),
        Rpc::SignIn => c.presence.sign_in(pb::SignInRequest {}).await.map(drop),
        Rpc::SignOut => c.presence.sign_out(pb::SignOutRequest {}).await.map(drop),
        Rpc::NextCallBack => c
            .feedback
            .next_call_back(pb::NextCallBackRequest {})
            .await
            .map(drop),
        // Nothing was handed: an admitted caller is told to ask first.
        Rpc::RecordFeedback => match c
            .feedback
            .record_feedback(pb::RecordFeedbackRequest {
                request_id: request_id.into(),
                case_id,
                revision: 1,
                outcome: pb::FeedbackOutcome::Unreachable.into(),
                ..Default::default()
            })
            .await
        {
            Err(s) if s.code() == Code::FailedPrecondition => Ok(()),
            other => other.map(drop),
        },
        Rpc::ReleaseCallBack => c
            .feedback
            .release_call_back(pb::ReleaseCallBackRequest { case_id })
            .await
            .map(drop),
        Rpc::Scorecards => c
            .scorecards
            .scorecards(pb::ScorecardsRequest::default())
            .await
            .map(drop),
        Rpc::ScorecardCases => c
            .scorecards
            .scorecard_cases(pb::ScorecardCasesRequest {
                unit_id: desk137_server::auth::DEMO_UNIT.into(),
                ..Default::default()
            })
            .await
            .map(drop),
        Rpc::ListMyCases => c
            .portal
            .list_my_cases(pb::ListMyCasesRequest {
                phone: SEED_PHONE.into(),
                ..Default::default()
            })
            .await
            .map(drop),
        // The admin's EraseCitizen may have come first: then the number has
        // no case, which only an admitted caller is told.
        Rpc::GetMyCase => match c
            .portal
            .get_my_case(pb::GetMyCaseRequest {
                phone: SEED_PHONE.into(),
                key: Some(pb::get_my_case_request::Key::CaseId(case_id)),
            })
            .await
        {
            Err(s) if s.code() == Code::NotFound => Ok(()),
            other => other.map(drop),
        },
        Rpc::DownloadMyDocument => match desk137_tests::download_my_document(
            &mut c.portal,
            pb::DownloadMyDocumentRequest {
                phone: SEED_PHONE.into(),
                case_id,
                attachment_id: attachment_id.into(),
            },
        )
        .await
        {
            Err(s) if s.code() == Code::NotFound => Ok(()),
            other => other.map(drop),
        },
        // The seeded case has no result yet: an admitted portal is told so.
        Rpc::RequestCorrection => match c
            .portal
            .request_correction(pb::RequestCorrectionRequest {
                request_id: request_id.into(),
                phone: SEED_PHONE.into(),
                case_id,
                revision: 0,
                comment: "هنوز درست نشده".into(),
            })
            .await
        {
            Err(s)
                if matches!(
                    s.code(),
                    Code::FailedPrecondition | Code::Aborted | Code::NotFound
                ) =>
            {
                Ok(())
            }
            other => other.map(drop),
        },
        Rpc::GiveFeedback => match c
            .portal
            .give_feedback(pb::GiveFeedbackRequest {
                request_id: request_id.into(),
                phone: SEED_PHONE.into(),
                case_id,
                revision: 0,
                satisfaction: 5,
                comment: String::new(),
            })
            .await
        {
            Err(s)
                if matches!(
                    s.code(),
                    Code::FailedPrecondition | Code::Aborted | Code::NotFound
                ) =>
            {
                Ok(())
            }
            other => other.map(drop),
        },
        Rpc::RotateKeys => c.keys.rotate_keys(pb::RotateKeysRequest {}).await.map(drop),
        Rpc::KeyStatus => c.keys.key_status(pb::KeyStatusRequest {}).await.map(drop),
    }
}

/// The number of the seeded case's caller, as the portal sends it.
const SEED_PHONE: &str = "09131234567";

#[tokio::test]
async fn every_rpc_as_every_role_follows_the_policy() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    // A case of unit1's own unit, so GetCase is the policy's call alone.
    let mut agent = server.as_user("agent1").await?;
    let case = agent
        .cases
        .create_case(obstruction("seed"))
        .await?
        .into_inner()
        .r#case
        .unwrap_or_default();
    assert_eq!(case.unit_id, desk137_server::auth::DEMO_UNIT);
    let seeded = agent
        .upload(case.id, "seed.pdf", "application/pdf", SEED_PDF)
        .await?;
    for (name, role) in DEMO_USERS {
        let mut c = server.as_user(name).await?;
        for rpc in Rpc::all() {
            let got = call(&mut c, rpc, case.id, &seeded.id, &format!("{name}-{rpc}")).await;
            match (may_call(role, rpc), got) {
                (true, Ok(())) => {}
                (false, Err(status)) if status.code() == Code::PermissionDenied => {
                    let info = status.get_details_error_info();
                    let reason = info.as_ref().map(|i| i.reason.as_str());
                    assert_eq!(reason, Some("CALL_NOT_ALLOWED"), "{name} {rpc}");
                    let named = info.as_ref().and_then(|i| i.metadata.get("rpc"));
                    assert_eq!(named.map(String::as_str), Some(rpc.name()));
                }
                (allowed, got) => panic!("{name} {rpc}: allowed {allowed}, got {got:?}"),
            }
        }
    }
    server.shutdown().await
}

#[test]
fn the_policy_names_every_rpc_of_the_contract() {
    let proto = include_str!("../../proto/proto/desk137/v1/desk137.proto");
    let mut in_contract: Vec<&str> = proto
        .lines()
        .filter_map(|l| l.trim().strip_prefix("rpc "))
        .filter_map(|l| l.split('(').next())
        .map(str::trim)
        .collect();
    let mut in_policy: Vec<&str> = Rpc::all().map(Rpc::name).collect();
    in_contract.sort_unstable();
    in_policy.sort_unstable();
    assert_eq!(in_contract, in_policy);
}

#[tokio::test]
async fn who_am_i_tells_role_unit_and_server_time() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut unit = server.as_user("unit1").await?;
    let who = unit
        .session
        .who_am_i(pb::WhoAmIRequest {})
        .await?
        .into_inner();
    assert_eq!(who.role(), pb::Role::Unit);
    assert_eq!(who.unit_id, "r03-urban_services");
    assert_eq!(who.server_time_ms, desk137_tests::SIM_START_MS);
    server.shutdown().await
}

#[tokio::test]
async fn demo_tokens_are_refused_outside_demo_mode() -> anyhow::Result<()> {
    let user = |name: &str, role: Role, token: &str, unit: Option<&str>| User {
        name: name.into(),
        role,
        token_sha256: hash_token(token),
        unit_id: unit.map(Into::into),
    };
    let server = TestServer::start(ServerConfig {
        demo: false,
        users: vec![
            user("maryam", Role::Agent, "maryam-7f3a9c", None),
            user(
                "crew-r03",
                Role::Unit,
                "crew-51be02",
                Some("r03-urban_services"),
            ),
            // Someone copied a demo token into the users file: it stays shut.
            user("reza", Role::Agent, "agent1", None),
        ],
        ..ServerConfig::default()
    })
    .await?;
    for token in ["agent1", "admin1", "unit1"] {
        let mut c = server.as_user(token).await?;
        let err = c.session.who_am_i(pb::WhoAmIRequest {}).await.unwrap_err();
        assert_eq!(err.code(), Code::Unauthenticated, "{token}");
    }
    let mut maryam = server.as_user("maryam-7f3a9c").await?;
    let who = maryam
        .session
        .who_am_i(pb::WhoAmIRequest {})
        .await?
        .into_inner();
    assert_eq!(
        (who.user.as_str(), who.role(), who.demo),
        ("maryam", pb::Role::Agent, false)
    );
    maryam.cases.create_case(obstruction("real-1")).await?;
    let mut crew = server.as_user("crew-51be02").await?;
    let listed = crew
        .cases
        .list_cases(pb::ListCasesRequest::default())
        .await?
        .into_inner();
    assert_eq!(listed.cases.len(), 1);
    server.shutdown().await
}

#[tokio::test]
async fn the_phone_is_whole_masked_or_hidden_by_role() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let case = agent
        .cases
        .create_case(obstruction("conf-1"))
        .await?
        .into_inner()
        .r#case
        .unwrap_or_default();
    assert_eq!(case.unit_id, "r03-urban_services");
    // Whole only for the agent who opens the case; masked in every list,
    // and for admins, who run the server, not calls.
    for (name, expected, listed_as) in [
        ("agent1", "09131234567", "0913***4567"),
        ("admin1", "0913***4567", "0913***4567"),
        ("supervisor1", "0913***4567", "0913***4567"),
        ("dispatcher1", "0913***4567", "0913***4567"),
        ("unit1", "", ""),
    ] {
        let mut c = server.as_user(name).await?;
        let got = c
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(Key::Id(case.id)),
            })
            .await?
            .into_inner();
        assert_eq!(got.phone, expected, "{name} by GetCase");
        let listed = c
            .cases
            .list_cases(pb::ListCasesRequest::default())
            .await?
            .into_inner();
        assert_eq!(listed.cases.len(), 1, "{name}");
        assert_eq!(listed.cases[0].phone, listed_as, "{name} by ListCases");
    }
    // What the supervisor creates comes back masked to the supervisor too.
    let mut supervisor = server.as_user("supervisor1").await?;
    let own = supervisor
        .cases
        .create_case(obstruction("conf-2"))
        .await?
        .into_inner();
    assert_eq!(own.r#case.unwrap_or_default().phone, "0913***4567");
    server.shutdown().await
}

#[tokio::test]
async fn a_unit_sees_only_its_own_cases() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let mut elsewhere = obstruction("r5");
    elsewhere.region = 5;
    let theirs = agent
        .cases
        .create_case(elsewhere)
        .await?
        .into_inner()
        .r#case
        .unwrap_or_default();
    assert_eq!(theirs.unit_id, "r05-urban_services");
    let ours = agent
        .cases
        .create_case(obstruction("r3"))
        .await?
        .into_inner()
        .r#case
        .unwrap_or_default();

    let mut unit = server.as_user("unit1").await?;
    for key in [Key::Id(theirs.id), Key::Number(theirs.number.clone())] {
        let err = unit
            .cases
            .get_case(pb::GetCaseRequest { key: Some(key) })
            .await
            .unwrap_err();
        // Exactly what a case that does not exist gets: nothing to probe.
        let missing = unit
            .cases
            .get_case(pb::GetCaseRequest {
                key: Some(Key::Id(theirs.id + 1000)),
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        assert_eq!(
            (err.code(), err.message(), err.details()),
            (missing.code(), missing.message(), missing.details())
        );
    }
    unit.cases
        .get_case(pb::GetCaseRequest {
            key: Some(Key::Id(ours.id)),
        })
        .await?;
    // Asking for another unit's list still gives only the unit's own.
    let listed = unit
        .cases
        .list_cases(pb::ListCasesRequest {
            unit_id: "r05-urban_services".into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(
        listed.cases.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ours.id]
    );
    server.shutdown().await
}

#[tokio::test]
async fn the_coordination_center_sees_the_urgent_cases_it_follows() -> anyhow::Result<()> {
    let server = TestServer::start(ServerConfig {
        demo: true,
        users: vec![User {
            name: "occ-desk".into(),
            role: Role::Unit,
            token_sha256: hash_token("occ-desk-93c1"),
            unit_id: Some("occ".into()),
        }],
        ..ServerConfig::default()
    })
    .await?;
    let mut agent = server.as_user("agent1").await?;
    let normal = agent
        .cases
        .create_case(obstruction("n"))
        .await?
        .into_inner()
        .r#case
        .unwrap_or_default();
    let urgent_request = pb::CreateCaseRequest {
        urgency: pb::Urgency::Urgent.into(),
        ..obstruction("u")
    };
    let urgent = agent
        .cases
        .create_case(urgent_request)
        .await?
        .into_inner()
        .r#case
        .unwrap_or_default();
    assert!(urgent.coordination);

    let mut center = server.as_user("occ-desk-93c1").await?;
    let listed = center
        .cases
        .list_cases(pb::ListCasesRequest::default())
        .await?
        .into_inner();
    assert_eq!(
        listed.cases.iter().map(|c| c.id).collect::<Vec<_>>(),
        [urgent.id]
    );
    assert_eq!(listed.cases[0].phone, "");
    center
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(Key::Id(urgent.id)),
        })
        .await?;
    let err = center
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(Key::Id(normal.id)),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    // The region's own unit sees the urgent case as well.
    let mut unit = server.as_user("unit1").await?;
    let own = unit
        .cases
        .list_cases(pb::ListCasesRequest::default())
        .await?
        .into_inner();
    assert_eq!(own.cases.len(), 2);
    server.shutdown().await
}
