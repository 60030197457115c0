//! The Shahrban line end to end: a caller who carries the mark when a case
//! is registered gets the shorter first response (the configured factor of
//! the normal one), and their cases go first in the call-back queue and the
//! dashboard's lists, within their urgency.

use desk137_tests::{HOUR_MS, TestServer, move_of, obstruction, pb, the_case};

/// The number `obstruction` is called from.
const PHONE: &str = "09131234567";
const OTHER: &str = "09137654321";

fn from(phone: &str, request_id: &str) -> pb::CreateCaseRequest {
    pb::CreateCaseRequest {
        phone: phone.into(),
        ..obstruction(request_id)
    }
}

async fn create(server: &TestServer, request: pb::CreateCaseRequest) -> anyhow::Result<pb::Case> {
    let mut agent = server.as_user("agent1").await?;
    the_case(agent.cases.create_case(request).await?.into_inner().r#case)
}

/// Marks the caller of `case` as Shahrban.
async fn mark(server: &TestServer, case: &pb::Case, on: bool) -> anyhow::Result<()> {
    let mut supervisor = server.as_user("supervisor1").await?;
    let set = supervisor
        .citizens
        .set_shahrban(pb::SetShahrbanRequest {
            request_id: format!("mark-{}-{on}", case.id),
            case_id: case.id,
            on,
            reason: "عضو شورای محله".into(),
        })
        .await?
        .into_inner();
    assert_eq!(set.shahrban, on);
    Ok(())
}

async fn get(server: &TestServer, id: u64) -> anyhow::Result<pb::Case> {
    let mut supervisor = server.as_user("supervisor1").await?;
    Ok(supervisor
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(id)),
        })
        .await?
        .into_inner())
}

#[tokio::test]
async fn a_shahrban_caller_gets_half_the_first_response() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let mut agent = server.as_user("agent1").await?;
    let sla = agent
        .session
        .who_am_i(pb::WhoAmIRequest {})
        .await?
        .into_inner()
        .sla
        .unwrap_or_default();
    assert_eq!(sla.first_response_hours, 120);
    assert_eq!(sla.shahrban_first_response_factor, 0.5);

    let before = create(&server, obstruction("sh-0")).await?;
    assert_eq!(
        before.first_response_due_ms,
        before.created_at_ms + 120 * HOUR_MS
    );
    mark(&server, &before, true).await?;
    server.clock.advance(60_000);

    let vip = create(&server, obstruction("sh-1")).await?;
    assert!(vip.shahrban);
    assert_eq!(vip.first_response_due_ms, vip.created_at_ms + 60 * HOUR_MS);
    let other = create(&server, from(OTHER, "sh-2")).await?;
    assert!(!other.shahrban);
    assert_eq!(
        other.first_response_due_ms,
        other.created_at_ms + 120 * HOUR_MS
    );
    // The deadline given at registration stands: the mark set later does
    // not shorten the first case, and clearing it does not lengthen the
    // second.
    assert_eq!(
        get(&server, before.id).await?.first_response_due_ms,
        before.created_at_ms + 120 * HOUR_MS
    );
    mark(&server, &vip, false).await?;
    assert_eq!(
        get(&server, vip.id).await?.first_response_due_ms,
        vip.created_at_ms + 60 * HOUR_MS
    );
    let after = create(&server, obstruction("sh-3")).await?;
    assert_eq!(
        after.first_response_due_ms,
        after.created_at_ms + 120 * HOUR_MS
    );

    // An urgent case's clocks are not shortened.
    mark(&server, &after, true).await?;
    let mut urgent = obstruction("sh-4");
    urgent.urgency = pb::Urgency::Urgent.into();
    let urgent = create(&server, urgent).await?;
    assert_eq!(urgent.on_site_due_ms, urgent.created_at_ms + 2 * HOUR_MS);
    assert_eq!(urgent.result_due_ms, urgent.created_at_ms + 24 * HOUR_MS);
    server.shutdown().await
}

/// A normal case from `phone`, resolved by unit1.
async fn resolved(server: &TestServer, phone: &str, request_id: &str) -> anyhow::Result<pb::Case> {
    let case = create(server, from(phone, request_id)).await?;
    let mut unit = server.as_user("unit1").await?;
    let mut done = move_of(&case, pb::Move::Respond, &format!("{request_id}-done"));
    done.response = pb::FirstResponse::Done.into();
    done.note = "سد معبر برداشته شد".into();
    the_case(unit.cases.move_case(done).await?.into_inner().r#case)
}

#[tokio::test]
async fn a_shahrban_case_is_called_back_first_within_its_urgency() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    // The first case marks the caller; its own clocks and queue place were
    // fixed before.
    let first = create(&server, obstruction("q-0")).await?;
    mark(&server, &first, true).await?;
    let normal = resolved(&server, OTHER, "q-1").await?;
    server.clock.advance(60_000);
    let vip = resolved(&server, PHONE, "q-2").await?;
    assert!(vip.call_back.unwrap_or_default().resolved_at_ms > 0);
    let mut agent = server.as_user("agent1").await?;
    let next = agent
        .feedback
        .next_call_back(pb::NextCallBackRequest {})
        .await?
        .into_inner();
    assert_eq!(
        next.r#case.map(|c| c.id),
        Some(vip.id),
        "Shahrban first though resolved later"
    );
    assert_eq!(next.waiting, 2);
    // Once it is called, the other is next.
    let mut call = pb::RecordFeedbackRequest {
        request_id: "q-2-call".into(),
        case_id: vip.id,
        revision: 0,
        outcome: pb::FeedbackOutcome::Satisfaction.into(),
        satisfaction: 5,
        note: "راضی بود".into(),
    };
    call.revision = get(&server, vip.id).await?.revision;
    agent.feedback.record_feedback(call).await?;
    let next = agent
        .feedback
        .next_call_back(pb::NextCallBackRequest {})
        .await?
        .into_inner();
    assert_eq!(next.r#case.map(|c| c.id), Some(normal.id));
    server.shutdown().await
}

#[tokio::test]
async fn the_dashboard_lists_shahrban_cases_first() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let first = create(&server, obstruction("d-0")).await?;
    mark(&server, &first, true).await?;
    server.clock.advance(60_000);
    let older = create(&server, from(OTHER, "d-1")).await?;
    server.clock.advance(60_000);
    let vip = create(&server, obstruction("d-2")).await?;
    let mut urgent = from(OTHER, "d-3");
    urgent.urgency = pb::Urgency::Urgent.into();
    let urgent_other = create(&server, urgent).await?;
    server.clock.advance(60_000);
    let mut urgent = obstruction("d-4");
    urgent.urgency = pb::Urgency::Urgent.into();
    let urgent_vip = create(&server, urgent).await?;

    let mut supervisor = server.as_user("supervisor1").await?;
    let snapshot = supervisor
        .dashboard
        .snapshot(pb::SnapshotRequest {})
        .await?
        .into_inner();
    let ids = |cases: &[pb::Case]| cases.iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(&snapshot.urgent_in_progress),
        [urgent_vip.id, urgent_other.id],
        "the Shahrban one first though its deadline is later"
    );
    let waiting = ids(&snapshot.oldest_waiting);
    assert_eq!(waiting[0], vip.id, "{waiting:?}");
    let rest: Vec<u64> = waiting[1..].to_vec();
    assert!(
        rest.contains(&first.id) && rest.contains(&older.id),
        "{waiting:?}"
    );
    server.shutdown().await
}
