//! The call-back queue over gRPC on the simulated clock: from resolution to
//! close, three unreachable calls, a correction that reopens, leases that
//! never hand one case to two agents, and the refusals.

use desk137_domain::clock::Clock as _;
use desk137_domain::model::Role;
use desk137_server::app::ServerConfig;
use desk137_server::auth::{User, hash_token};
use desk137_tests::{
    Bearer, HOUR_MS, TestServer, move_of, obstruction, pb, refused_field, the_case,
};
use pb::feedback_service_client::FeedbackServiceClient;
use tonic::Code;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

type Feedback = FeedbackServiceClient<InterceptedService<Channel, Bearer>>;

async fn feedback(server: &TestServer, token: &str) -> anyhow::Result<Feedback> {
    Ok(FeedbackServiceClient::with_interceptor(
        server.channel().await?,
        Bearer::new(Some(token))?,
    ))
}

fn agent(name: &str) -> User {
    User {
        name: name.into(),
        role: Role::Agent,
        token_sha256: hash_token(&format!("{name}-token")),
        unit_id: None,
    }
}

/// A demo server with two more agents, `a2` and `a3` (tokens `a2-token`, ...).
async fn server() -> anyhow::Result<TestServer> {
    TestServer::start(ServerConfig {
        demo: true,
        users: vec![agent("a2"), agent("a3")],
        ..ServerConfig::default()
    })
    .await
}

/// A normal case registered by agent1 and resolved by unit1.
async fn resolved(server: &TestServer, request_id: &str) -> anyhow::Result<pb::Case> {
    let mut agent = server.as_user("agent1").await?;
    let mut unit = server.as_user("unit1").await?;
    let case = the_case(
        agent
            .cases
            .create_case(obstruction(request_id))
            .await?
            .into_inner()
            .r#case,
    )?;
    let mut done = move_of(&case, pb::Move::Respond, &format!("{request_id}-done"));
    done.response = pb::FirstResponse::Done.into();
    done.note = "سد معبر برداشته شد".into();
    the_case(unit.cases.move_case(done).await?.into_inner().r#case)
}

fn outcome(
    case: &pb::Case,
    outcome: pb::FeedbackOutcome,
    satisfaction: u32,
    request_id: &str,
) -> pb::RecordFeedbackRequest {
    pb::RecordFeedbackRequest {
        request_id: request_id.into(),
        case_id: case.id,
        revision: case.revision,
        outcome: outcome.into(),
        satisfaction,
        note: "شهروند راضی بود".into(),
    }
}

async fn next(fb: &mut Feedback) -> anyhow::Result<Option<pb::Case>> {
    Ok(fb
        .next_call_back(pb::NextCallBackRequest {})
        .await?
        .into_inner()
        .r#case)
}

fn call_back(case: &pb::Case) -> pb::CallBack {
    case.call_back.unwrap_or_default()
}

#[tokio::test]
async fn feedback_from_resolution_to_close() -> anyhow::Result<()> {
    let server = server().await?;
    let case = resolved(&server, "fb-1").await?;
    assert_eq!(case.status(), pb::CaseStatus::Resolved);
    assert_eq!(
        call_back(&case).due_ms,
        case.call_back.as_ref().unwrap().resolved_at_ms
    );
    let mut fb = feedback(&server, "agent1").await?;
    let handed = fb
        .next_call_back(pb::NextCallBackRequest {})
        .await?
        .into_inner();
    let got = the_case(handed.r#case)?;
    assert_eq!(got.id, case.id);
    assert_eq!(handed.waiting, 1);
    assert_eq!(handed.lease_until_ms, server.clock.now_ms() + 10 * 60_000);
    // The agent is the one who calls: the whole number, the unit's report.
    assert_eq!(got.phone, "09131234567");
    assert!(
        got.events
            .iter()
            .any(|e| e.kind() == pb::EventKind::Resolved)
    );

    let done = fb
        .record_feedback(outcome(
            &got,
            pb::FeedbackOutcome::Satisfaction,
            4,
            "fb-1-o",
        ))
        .await?
        .into_inner();
    let closed = the_case(done.r#case)?;
    assert_eq!(closed.status(), pb::CaseStatus::Closed);
    let cb = call_back(&closed);
    assert_eq!((cb.satisfaction, cb.scored), (4, true));
    assert!(
        (cb.score - 80.0).abs() < 1e-9,
        "on time: 4/5 = {}",
        cb.score
    );
    let last = closed.events.last().unwrap();
    assert_eq!(
        (last.kind(), last.satisfaction, last.r#move()),
        (pb::EventKind::Feedback, 4, pb::Move::Feedback)
    );
    // A retry answers the same and moves nothing.
    let again = fb
        .record_feedback(outcome(
            &got,
            pb::FeedbackOutcome::Satisfaction,
            4,
            "fb-1-o",
        ))
        .await?
        .into_inner();
    assert!(again.replayed);
    assert_eq!(the_case(again.r#case)?.revision, closed.revision);
    assert!(next(&mut fb).await?.is_none(), "nobody left to call");
    server.shutdown().await
}

#[tokio::test]
async fn unreachable_three_times_closes_as_unreachable() -> anyhow::Result<()> {
    let server = server().await?;
    let case = resolved(&server, "fb-2").await?;
    let mut fb = feedback(&server, "agent1").await?;
    let mut current = case;
    for attempt in 1..=3u32 {
        let got = next(&mut fb)
            .await?
            .unwrap_or_else(|| panic!("try {attempt} is due"));
        assert_eq!(got.id, current.id);
        let after = the_case(
            fb.record_feedback(outcome(
                &got,
                pb::FeedbackOutcome::Unreachable,
                0,
                &format!("fb-2-{attempt}"),
            ))
            .await?
            .into_inner()
            .r#case,
        )?;
        let cb = call_back(&after);
        assert_eq!(cb.tries, attempt);
        assert_eq!(after.events.last().unwrap().tries, attempt);
        if attempt < 3 {
            assert_eq!(after.status(), pb::CaseStatus::AwaitingFeedback);
            assert_eq!(cb.due_ms, server.clock.now_ms() + 4 * HOUR_MS);
            assert!(next(&mut fb).await?.is_none(), "not due before the delay");
            server.clock.advance(4 * HOUR_MS - 60_000);
            assert!(next(&mut fb).await?.is_none(), "a minute early");
            server.clock.advance(60_000);
        } else {
            assert_eq!(after.status(), pb::CaseStatus::Closed);
            assert!(cb.unreachable);
            assert!(!cb.scored, "unreachable is counted, not scored");
            assert_eq!(cb.due_ms, 0);
        }
        current = after;
    }
    server.clock.advance(24 * HOUR_MS);
    assert!(next(&mut fb).await?.is_none());
    server.shutdown().await
}

#[tokio::test]
async fn a_correction_reopens_to_the_unit_and_costs_it() -> anyhow::Result<()> {
    let server = server().await?;
    let case = resolved(&server, "fb-3").await?;
    let mut fb = feedback(&server, "agent1").await?;
    let got = next(&mut fb).await?.expect("due");
    let mut ask = outcome(&got, pb::FeedbackOutcome::Correction, 0, "fb-3-o");
    ask.note = "وانت دوباره برگشته".into();
    let reopened = the_case(fb.record_feedback(ask).await?.into_inner().r#case)?;
    assert_eq!(reopened.status(), pb::CaseStatus::Reopened);
    assert_eq!(call_back(&reopened).reopens, 1);
    let last = reopened.events.last().unwrap();
    assert_eq!(
        (last.kind(), last.note.as_str()),
        (pb::EventKind::Reopened, "وانت دوباره برگشته")
    );
    assert!(
        next(&mut fb).await?.is_none(),
        "back with the unit, not in the queue"
    );
    // A correction needs the citizen's words.
    let mut unit = server.as_user("unit1").await?;
    let mut fix = move_of(&reopened, pb::Move::Resolve, "fb-3-fix");
    fix.note = "دوباره برداشته شد".into();
    let fixed = the_case(unit.cases.move_case(fix).await?.into_inner().r#case)?;
    assert_eq!(fixed.status(), pb::CaseStatus::Resolved);
    let again = next(&mut fb).await?.expect("due again");
    assert_eq!(again.id, case.id);
    let closed = the_case(
        fb.record_feedback(outcome(
            &again,
            pb::FeedbackOutcome::Satisfaction,
            5,
            "fb-3-o2",
        ))
        .await?
        .into_inner()
        .r#case,
    )?;
    let cb = call_back(&closed);
    assert!(
        (cb.score - 75.0).abs() < 1e-9,
        "a reopen costs a quarter: {}",
        cb.score
    );
    server.shutdown().await
}

#[tokio::test]
async fn two_agents_are_never_handed_the_same_case() -> anyhow::Result<()> {
    let server = server().await?;
    const CASES: usize = 12;
    for i in 0..CASES {
        resolved(&server, &format!("fb-4-{i}")).await?;
    }
    // Three agents ask at once, again and again, each keeping what they get.
    let mut tasks = Vec::new();
    for token in ["agent1", "a2-token", "a3-token"] {
        let mut fb = feedback(&server, token).await?;
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for _ in 0..CASES {
                let got = next(&mut fb).await?;
                let Some(case) = got else { break };
                // Asking again before recording hands the same case.
                let same = next(&mut fb).await?.expect("still mine");
                assert_eq!(same.id, case.id);
                mine.push(case.id);
                fb.record_feedback(outcome(
                    &case,
                    pb::FeedbackOutcome::Satisfaction,
                    5,
                    &format!("o-{}", case.id),
                ))
                .await?;
            }
            anyhow::Ok(mine)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "a case was handed twice");
    assert_eq!(all.len(), CASES, "every case was called once");
    server.shutdown().await
}

#[tokio::test]
async fn a_lease_ends_when_the_agent_leaves_it() -> anyhow::Result<()> {
    let server = server().await?;
    let case = resolved(&server, "fb-5").await?;
    let mut first = feedback(&server, "agent1").await?;
    let mut second = feedback(&server, "a2-token").await?;
    let got = next(&mut first).await?.expect("due");
    assert!(next(&mut second).await?.is_none(), "held by agent1");
    server.clock.advance(10 * 60_000);
    let taken = next(&mut second).await?.expect("the lease ended");
    assert_eq!(taken.id, case.id);
    let late = first
        .record_feedback(outcome(
            &got,
            pb::FeedbackOutcome::Satisfaction,
            5,
            "fb-5-o",
        ))
        .await
        .unwrap_err();
    assert_eq!(late.code(), Code::FailedPrecondition);
    // Released, it goes to whoever asks next.
    second
        .release_call_back(pb::ReleaseCallBackRequest { case_id: case.id })
        .await?;
    assert_eq!(next(&mut first).await?.map(|c| c.id), Some(case.id));
    server.shutdown().await
}

#[tokio::test]
async fn urgent_first_and_a_transferred_result_is_not_called() -> anyhow::Result<()> {
    let server = server().await?;
    let mut agent = server.as_user("agent1").await?;
    let mut dispatcher = server.as_user("dispatcher1").await?;
    let normal = resolved(&server, "fb-6-normal").await?;
    // Transferred to water, answered by them: their feedback, not 137's.
    let case = the_case(
        agent
            .cases
            .create_case(obstruction("fb-6-t"))
            .await?
            .into_inner()
            .r#case,
    )?;
    let mut away = move_of(&case, pb::Move::Transfer, "fb-6-t1");
    away.unit_id = desk137_domain::catalog::Catalog::default_catalog()?
        .units
        .iter()
        .find(|u| u.kind == desk137_domain::catalog::UnitKind::External)
        .map(|u| u.id.clone())
        .expect("an external organisation");
    let away = the_case(dispatcher.cases.move_case(away).await?.into_inner().r#case)?;
    let mut back = move_of(&away, pb::Move::Resolve, "fb-6-t2");
    back.note = "آبفا رسیدگی کرد".into();
    let back = the_case(dispatcher.cases.move_case(back).await?.into_inner().r#case)?;
    assert_eq!(back.status(), pb::CaseStatus::Resolved);
    assert_eq!(call_back(&back).due_ms, 0);
    // An urgent case resolved later is called first.
    let mut urgent_req = obstruction("fb-6-u");
    urgent_req.urgency = pb::Urgency::Urgent.into();
    let urgent = the_case(
        agent
            .cases
            .create_case(urgent_req)
            .await?
            .into_inner()
            .r#case,
    )?;
    server.clock.advance(60_000);
    let mut unit = server.as_user("unit1").await?;
    let mut fix = move_of(&urgent, pb::Move::Resolve, "fb-6-u1");
    fix.note = "انجام شد".into();
    unit.cases.move_case(fix).await?;
    let mut fb = feedback(&server, "agent1").await?;
    let first = next(&mut fb).await?.expect("due");
    assert_eq!(first.id, urgent.id, "urgent first");
    let mut fb2 = feedback(&server, "a2-token").await?;
    assert_eq!(next(&mut fb2).await?.map(|c| c.id), Some(normal.id));
    let mut fb3 = feedback(&server, "a3-token").await?;
    assert!(
        next(&mut fb3).await?.is_none(),
        "the transferred one is not queued"
    );
    server.shutdown().await
}

#[tokio::test]
async fn hostile_outcomes_and_roles_are_refused() -> anyhow::Result<()> {
    let server = server().await?;
    resolved(&server, "fb-7").await?;
    let mut fb = feedback(&server, "agent1").await?;
    let got = next(&mut fb).await?.expect("due");
    for (req, field) in [
        (
            outcome(&got, pb::FeedbackOutcome::Satisfaction, 9, "h1"),
            "satisfaction",
        ),
        (
            outcome(&got, pb::FeedbackOutcome::Satisfaction, 0, "h2"),
            "satisfaction",
        ),
        (
            pb::RecordFeedbackRequest {
                outcome: 99,
                ..outcome(&got, pb::FeedbackOutcome::Satisfaction, 3, "h3")
            },
            "outcome",
        ),
        (
            outcome(&got, pb::FeedbackOutcome::Unspecified, 3, "h4"),
            "outcome",
        ),
        (
            pb::RecordFeedbackRequest {
                note: "x".repeat(5000),
                ..outcome(&got, pb::FeedbackOutcome::Correction, 0, "h5")
            },
            "note",
        ),
    ] {
        let status = fb.record_feedback(req).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{field}");
        assert_eq!(refused_field(&status)?.field, field);
    }
    // A case nobody has: the same answer as one never handed.
    let status = fb
        .record_feedback(pb::RecordFeedbackRequest {
            case_id: 999_999,
            ..outcome(&got, pb::FeedbackOutcome::Satisfaction, 3, "h6")
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let mut unit = feedback(&server, "unit1").await?;
    let status = unit
        .next_call_back(pb::NextCallBackRequest {})
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    let mut nobody =
        FeedbackServiceClient::with_interceptor(server.channel().await?, Bearer::new(None)?);
    let status = nobody
        .next_call_back(pb::NextCallBackRequest {})
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    server.shutdown().await
}
