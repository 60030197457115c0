//! Service levels over gRPC against the real binary on a simulated clock:
//! warnings, breaches and the escalation ladder, days of them in
//! milliseconds, and a SIGKILL in the middle.

use desk137_tests::{Clients, HOUR_MS, SIM_START_MS, Spawned, move_of, obstruction, pb, the_case};
use pb::get_case_request::Key;

async fn advance(admin: &mut Clients, ms: i64) -> anyhow::Result<i64> {
    Ok(admin
        .clock
        .advance(pb::AdvanceRequest { ms })
        .await?
        .into_inner()
        .now_ms)
}

async fn get(c: &mut Clients, id: u64) -> anyhow::Result<pb::Case> {
    Ok(c.cases
        .get_case(pb::GetCaseRequest {
            key: Some(Key::Id(id)),
        })
        .await?
        .into_inner())
}

/// The system's SLA events of a case: kind, clock, level.
fn sla_events(case: &pb::Case) -> Vec<(pb::EventKind, pb::SlaClock, u32)> {
    case.events
        .iter()
        .filter(|e| {
            matches!(
                e.kind(),
                pb::EventKind::SlaWarning | pb::EventKind::SlaBreached | pb::EventKind::Escalated
            )
        })
        .map(|e| (e.kind(), e.clock(), e.level))
        .collect()
}

fn urgent(request_id: &str) -> pb::CreateCaseRequest {
    pb::CreateCaseRequest {
        urgency: pb::Urgency::Urgent.into(),
        ..obstruction(request_id)
    }
}

use pb::EventKind::{Escalated, SlaBreached, SlaWarning};
use pb::SlaClock::{FirstResponse, OnSite, Promised, Result as ResultClock};

#[tokio::test]
async fn an_urgent_case_not_on_site_in_two_hours_climbs_the_ladder() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Spawned::start(&dir.path().join("data"), SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut admin = server.as_user("admin1").await?;
    let case = the_case(
        agent
            .cases
            .create_case(urgent("u-1"))
            .await?
            .into_inner()
            .r#case,
    )?;

    advance(&mut admin, HOUR_MS).await?;
    assert!(sla_events(&get(&mut agent, case.id).await?).is_empty());
    // 75% of two hours.
    advance(&mut admin, HOUR_MS / 2).await?;
    assert_eq!(
        sla_events(&get(&mut agent, case.id).await?),
        [(SlaWarning, OnSite, 0)]
    );
    let now = advance(&mut admin, HOUR_MS / 2).await?;
    assert_eq!(now, SIM_START_MS + 2 * HOUR_MS);
    let breached = get(&mut agent, case.id).await?;
    assert_eq!(
        sla_events(&breached),
        [
            (SlaWarning, OnSite, 0),
            (SlaBreached, OnSite, 0),
            (Escalated, OnSite, 1)
        ]
    );
    assert_eq!(breached.escalation_level, 1);
    let escalated = breached.events.last().unwrap();
    assert_eq!(escalated.actor, "system");
    assert_eq!(escalated.recipient, "رئیس واحد");
    assert_eq!(escalated.due_ms, SIM_START_MS + 2 * HOUR_MS);
    assert!(
        escalated.letter.contains("۱۴۰۵-۰۰۰۰۰۱"),
        "{}",
        escalated.letter
    );
    assert!(breached.revision > case.revision);

    // One step an hour while it stays late, to the ladder's top.
    for (hours, level, recipient) in [
        (1, 2, "مدیر منطقه"),
        (1, 3, "معاون خدمات شهری"),
        (1, 4, "بازرسی"),
    ] {
        advance(&mut admin, hours * HOUR_MS).await?;
        let c = get(&mut agent, case.id).await?;
        assert_eq!(c.escalation_level, level);
        assert_eq!(c.events.last().unwrap().recipient, recipient);
    }
    advance(&mut admin, 3 * HOUR_MS).await?;
    let top = get(&mut agent, case.id).await?;
    assert_eq!(
        top.escalation_level, 4,
        "the top of the ladder is the last step"
    );
    let escalations = sla_events(&top).iter().filter(|e| e.0 == Escalated).count();
    assert_eq!(escalations, 4);
    Ok(())
}

#[tokio::test]
async fn an_urgent_case_on_site_and_resolved_in_time_is_never_breached() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Spawned::start(&dir.path().join("data"), SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut unit = server.as_user("unit1").await?;
    let mut admin = server.as_user("admin1").await?;
    let case = the_case(
        agent
            .cases
            .create_case(urgent("u-2"))
            .await?
            .into_inner()
            .r#case,
    )?;
    advance(&mut admin, HOUR_MS).await?;
    let on_site = the_case(
        unit.cases
            .move_case(move_of(&case, pb::Move::Arrive, "a1"))
            .await?
            .into_inner()
            .r#case,
    )?;
    assert_eq!(on_site.status(), pb::CaseStatus::OnSite);
    advance(&mut admin, 9 * HOUR_MS).await?;
    let mut resolve = move_of(&on_site, pb::Move::Resolve, "a2");
    resolve.note = "محل ایمن شد".into();
    unit.cases.move_case(resolve).await?;
    advance(&mut admin, 72 * HOUR_MS).await?;
    let after = get(&mut agent, case.id).await?;
    assert_eq!(after.status(), pb::CaseStatus::Resolved);
    assert!(sla_events(&after).is_empty(), "{:?}", sla_events(&after));
    assert_eq!(after.escalation_level, 0);
    assert!(after.clocks.iter().all(|c| c.met_at_ms > 0 && !c.breached));
    Ok(())
}

#[tokio::test]
async fn a_normal_case_is_warned_at_90_hours_breached_at_120_and_held_to_its_promise()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Spawned::start(&dir.path().join("data"), SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut unit = server.as_user("unit1").await?;
    let mut admin = server.as_user("admin1").await?;
    let late = the_case(
        agent
            .cases
            .create_case(obstruction("n-1"))
            .await?
            .into_inner()
            .r#case,
    )?;
    let promised = the_case(
        agent
            .cases
            .create_case(obstruction("n-2"))
            .await?
            .into_inner()
            .r#case,
    )?;

    // The second case's unit needs time until 48 hours from its 10th hour.
    advance(&mut admin, 10 * HOUR_MS).await?;
    let mut needs_time = move_of(&promised, pb::Move::Respond, "p1");
    needs_time.response = pb::FirstResponse::NeedsTime.into();
    needs_time.promised_ms = SIM_START_MS + 58 * HOUR_MS;
    needs_time.delay_reason = pb::DelayReason::NeedsOtherOrg.into();
    let in_progress = the_case(unit.cases.move_case(needs_time).await?.into_inner().r#case)?;
    assert_eq!(in_progress.status(), pb::CaseStatus::InProgress);
    assert_eq!(in_progress.promised_ms, SIM_START_MS + 58 * HOUR_MS);

    // 75% of the promise's 48 hours: hour 46.
    advance(&mut admin, 35 * HOUR_MS).await?;
    assert!(sla_events(&get(&mut agent, promised.id).await?).is_empty());
    advance(&mut admin, HOUR_MS).await?;
    assert_eq!(
        sla_events(&get(&mut agent, promised.id).await?),
        [(SlaWarning, Promised, 0)]
    );
    advance(&mut admin, 12 * HOUR_MS).await?;
    let broken = get(&mut agent, promised.id).await?;
    assert_eq!(
        sla_events(&broken),
        [
            (SlaWarning, Promised, 0),
            (SlaBreached, Promised, 0),
            (Escalated, Promised, 1)
        ]
    );
    let breach = broken
        .events
        .iter()
        .find(|e| e.kind() == SlaBreached)
        .unwrap();
    assert_eq!(breach.due_ms, SIM_START_MS + 58 * HOUR_MS);
    assert_eq!(breach.delay_reason(), pb::DelayReason::NeedsOtherOrg);

    // The first case: hour 58 now, nothing yet; warned at 90, breached at 120.
    assert!(sla_events(&get(&mut agent, late.id).await?).is_empty());
    advance(&mut admin, 31 * HOUR_MS).await?;
    assert!(sla_events(&get(&mut agent, late.id).await?).is_empty());
    advance(&mut admin, HOUR_MS).await?;
    assert_eq!(
        sla_events(&get(&mut agent, late.id).await?),
        [(SlaWarning, FirstResponse, 0)]
    );
    advance(&mut admin, 30 * HOUR_MS - 1).await?;
    assert_eq!(sla_events(&get(&mut agent, late.id).await?).len(), 1);
    advance(&mut admin, 1).await?;
    let breached = get(&mut agent, late.id).await?;
    assert_eq!(
        sla_events(&breached),
        [
            (SlaWarning, FirstResponse, 0),
            (SlaBreached, FirstResponse, 0),
            (Escalated, FirstResponse, 1)
        ]
    );
    // A day later it rises again.
    advance(&mut admin, 24 * HOUR_MS).await?;
    assert_eq!(get(&mut agent, late.id).await?.escalation_level, 2);
    Ok(())
}

#[tokio::test]
async fn a_reopened_case_runs_a_fresh_result_clock() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Spawned::start(&dir.path().join("data"), SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut unit = server.as_user("unit1").await?;
    let mut admin = server.as_user("admin1").await?;
    let case = the_case(
        agent
            .cases
            .create_case(obstruction("ro-1"))
            .await?
            .into_inner()
            .r#case,
    )?;
    let mut resolve = move_of(&case, pb::Move::Resolve, "ro-a");
    resolve.note = "انجام شد".into();
    let resolved = the_case(unit.cases.move_case(resolve).await?.into_inner().r#case)?;
    advance(&mut admin, 200 * HOUR_MS).await?;
    let mut reopen = move_of(&get(&mut agent, case.id).await?, pb::Move::Reopen, "ro-b");
    reopen.note = "هنوز پیاده‌رو بسته است".into();
    let reopened = the_case(agent.cases.move_case(reopen).await?.into_inner().r#case)?;
    assert_eq!(reopened.unit_id, resolved.unit_id);
    assert!(
        sla_events(&reopened).is_empty(),
        "the met first response says nothing"
    );
    advance(&mut admin, 72 * HOUR_MS).await?;
    let late = get(&mut agent, case.id).await?;
    assert_eq!(
        sla_events(&late),
        [
            (SlaWarning, ResultClock, 0),
            (SlaBreached, ResultClock, 0),
            (Escalated, ResultClock, 1)
        ]
    );
    assert_eq!(
        late.events
            .iter()
            .find(|e| e.kind() == SlaBreached)
            .unwrap()
            .due_ms,
        SIM_START_MS + 272 * HOUR_MS
    );
    Ok(())
}

#[tokio::test]
async fn killed_in_the_middle_and_restarted_nothing_is_missed_or_said_twice() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let server = Spawned::start(&data, SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut unit = server.as_user("unit1").await?;
    let mut admin = server.as_user("admin1").await?;
    let urgent_case = the_case(
        agent
            .cases
            .create_case(urgent("k-1"))
            .await?
            .into_inner()
            .r#case,
    )?;
    let normal = the_case(
        agent
            .cases
            .create_case(obstruction("k-2"))
            .await?
            .into_inner()
            .r#case,
    )?;
    let acked = the_case(
        unit.cases
            .move_case(move_of(&normal, pb::Move::Acknowledge, "k-ack"))
            .await?
            .into_inner()
            .r#case,
    )?;
    // Past the urgent case's breach and one step.
    let now = advance(&mut admin, 3 * HOUR_MS).await?;
    let before = get(&mut agent, urgent_case.id).await?;
    assert_eq!(before.escalation_level, 2);
    server.kill()?;

    // Back at the same time: nothing new, nothing repeated.
    let server = Spawned::start(&data, now)?;
    let mut agent = server.as_user("agent1").await?;
    let same = get(&mut agent, urgent_case.id).await?;
    assert_eq!(sla_events(&same), sla_events(&before));
    assert_eq!(same.revision, before.revision);
    let acked_now = get(&mut agent, normal.id).await?;
    assert_eq!(
        acked_now.status(),
        pb::CaseStatus::Acknowledged,
        "the acknowledged move survived"
    );
    assert_eq!(acked_now.revision, acked.revision);
    server.kill()?;

    // Down for four days: what fell due meanwhile is applied at start, in order.
    let later = now + 96 * HOUR_MS;
    let server = Spawned::start(&data, later)?;
    let mut agent = server.as_user("agent1").await?;
    let mut admin = server.as_user("admin1").await?;
    let caught = get(&mut agent, urgent_case.id).await?;
    assert_eq!(caught.escalation_level, 4);
    assert_eq!(
        sla_events(&caught),
        [
            (SlaWarning, OnSite, 0),
            (SlaBreached, OnSite, 0),
            (Escalated, OnSite, 1),
            (Escalated, OnSite, 2),
            (Escalated, OnSite, 3),
            (Escalated, OnSite, 4),
            (SlaWarning, ResultClock, 0),
            (SlaBreached, ResultClock, 0),
        ]
    );
    let dates: Vec<i64> = caught.events.iter().map(|e| e.at_ms).collect();
    assert!(
        dates.windows(2).all(|w| w[0] <= w[1]),
        "in due order: {dates:?}"
    );
    let normal_now = get(&mut agent, normal.id).await?;
    assert_eq!(
        sla_events(&normal_now),
        [(SlaWarning, FirstResponse, 0)],
        "hour 99 of 120"
    );
    // And the worker goes on from there, once each.
    advance(&mut admin, 24 * HOUR_MS).await?;
    let breached = get(&mut agent, normal.id).await?;
    assert_eq!(
        sla_events(&breached),
        [
            (SlaWarning, FirstResponse, 0),
            (SlaBreached, FirstResponse, 0),
            (Escalated, FirstResponse, 1)
        ]
    );
    assert_eq!(
        sla_events(&get(&mut agent, urgent_case.id).await?),
        sla_events(&caught)
    );
    Ok(())
}

#[tokio::test]
async fn advancing_is_for_an_admin_on_a_simulated_clock() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Spawned::start(&dir.path().join("data"), SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut admin = server.as_user("admin1").await?;
    let err = agent
        .clock
        .advance(pb::AdvanceRequest { ms: 1 })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    let err = admin
        .clock
        .advance(pb::AdvanceRequest { ms: 0 })
        .await
        .unwrap_err();
    assert_eq!(desk137_tests::refused_field(&err)?.field, "ms");
    assert_eq!(advance(&mut admin, 5).await?, SIM_START_MS + 5);
    let who = admin
        .session
        .who_am_i(pb::WhoAmIRequest {})
        .await?
        .into_inner();
    assert_eq!(who.server_time_ms, SIM_START_MS + 5);
    Ok(())
}
