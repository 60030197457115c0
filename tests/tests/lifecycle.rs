//! A case's moves over gRPC against the real binary: the table's refusals,
//! revisions, retried requests across a restart, and what a unit may touch.

use desk137_tests::{HOUR_MS, SIM_START_MS, Spawned, kinds, move_of, obstruction, pb, the_case};
use pb::get_case_request::Key;
use tonic::Code;

async fn create(
    c: &mut desk137_tests::Clients,
    req: pb::CreateCaseRequest,
) -> anyhow::Result<pb::Case> {
    the_case(c.cases.create_case(req).await?.into_inner().r#case)
}

async fn apply(
    c: &mut desk137_tests::Clients,
    req: pb::MoveCaseRequest,
) -> Result<pb::MoveCaseResponse, tonic::Status> {
    c.cases.move_case(req).await.map(|r| r.into_inner())
}

#[tokio::test]
async fn a_normal_case_from_referral_to_closure_and_back_to_its_unit() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Spawned::start(&dir.path().join("data"), SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut unit = server.as_user("unit1").await?;
    let case = create(&mut agent, obstruction("life-1")).await?;
    assert_eq!(case.revision, 1);
    assert_eq!(case.clocks.len(), 1);
    assert_eq!(case.clocks[0].clock(), pb::SlaClock::FirstResponse);
    assert_eq!(case.clocks[0].due_ms, SIM_START_MS + 120 * HOUR_MS);

    let acked = the_case(
        apply(&mut unit, move_of(&case, pb::Move::Acknowledge, "m1"))
            .await?
            .r#case,
    )?;
    assert_eq!(acked.status(), pb::CaseStatus::Acknowledged);
    assert_eq!(acked.revision, 2);
    let ack = acked.events.last().unwrap();
    assert_eq!(
        (ack.kind(), ack.actor.as_str(), ack.role(), ack.r#move()),
        (
            pb::EventKind::Acknowledged,
            "unit1",
            pb::Role::Unit,
            pb::Move::Acknowledge
        )
    );

    let mut done = move_of(&acked, pb::Move::Respond, "m2");
    done.response = pb::FirstResponse::Done.into();
    done.note = "سد معبر برداشته شد".into();
    let resolved = the_case(apply(&mut unit, done).await?.r#case)?;
    assert_eq!(resolved.status(), pb::CaseStatus::Resolved);
    assert!(
        resolved.clocks[0].met_at_ms > 0,
        "the first response is met"
    );
    assert_eq!(resolved.events.last().unwrap().note, "سد معبر برداشته شد");

    let mut close = move_of(&resolved, pb::Move::Close, "m3");
    close.note = "شهروند راضی بود".into();
    let closed = the_case(apply(&mut agent, close).await?.r#case)?;
    assert_eq!(closed.status(), pb::CaseStatus::Closed);

    let mut reopen = move_of(&closed, pb::Move::Reopen, "m4");
    reopen.note = "کار نیمه‌تمام مانده".into();
    let reopened = the_case(apply(&mut agent, reopen).await?.r#case)?;
    assert_eq!(reopened.status(), pb::CaseStatus::Reopened);
    assert_eq!(reopened.unit_id, case.unit_id, "back to the same unit");
    let fresh = reopened.clocks.last().unwrap();
    assert_eq!(fresh.clock(), pb::SlaClock::Result);
    assert_eq!(fresh.due_ms, SIM_START_MS + 72 * HOUR_MS);
    assert_eq!(reopened.result_due_ms, fresh.due_ms);
    // The unit sees it in its queue again and can take it.
    let again = the_case(
        apply(&mut unit, move_of(&reopened, pb::Move::Acknowledge, "m5"))
            .await?
            .r#case,
    )?;
    assert_eq!(again.status(), pb::CaseStatus::Acknowledged);
    assert_eq!(again.revision, 6);
    assert_eq!(
        kinds(&again)[2..],
        [
            pb::EventKind::Acknowledged,
            pb::EventKind::Resolved,
            pb::EventKind::Closed,
            pb::EventKind::Reopened,
            pb::EventKind::Acknowledged
        ]
    );
    Ok(())
}

#[tokio::test]
async fn every_refused_move_has_its_code_and_message() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Spawned::start(&dir.path().join("data"), SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut unit = server.as_user("unit1").await?;
    let mut dispatcher = server.as_user("dispatcher1").await?;
    let case = create(&mut agent, obstruction("refuse-1")).await?;

    // A role that never makes the move.
    let err = apply(&mut agent, move_of(&case, pb::Move::Acknowledge, "r1"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    assert_eq!(err.message(), "role agent may not acknowledge");

    // A move the state does not allow: the state and the moves it allows.
    let err = apply(&mut unit, move_of(&case, pb::Move::Arrive, "r2"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert_eq!(
        err.message(),
        "arrive is not allowed in state referred; allowed: acknowledge, respond, resolve, \
         defer, reject, transfer, reroute, note"
    );

    // Fields: each names itself.
    let mut no_note = move_of(&case, pb::Move::Defer, "r3");
    no_note.note = " ".into();
    let err = apply(&mut unit, no_note).await.unwrap_err();
    assert_eq!(desk137_tests::refused_field(&err)?.field, "note");
    let mut unknown = move_of(&case, pb::Move::Note, "r4");
    unknown.r#move = 99;
    let err = apply(&mut unit, unknown).await.unwrap_err();
    assert_eq!(desk137_tests::refused_field(&err)?.field, "move");
    let mut regional = move_of(&case, pb::Move::Transfer, "r5");
    regional.unit_id = "r05-urban_services".into();
    let err = apply(&mut dispatcher, regional).await.unwrap_err();
    let refused = desk137_tests::refused_field(&err)?;
    assert_eq!(
        (refused.field.as_str(), refused.reason),
        ("unit_id", desk137_domain::validate::Reason::WrongUnitKind)
    );
    let mut itself = move_of(&case, pb::Move::Reject, "r6");
    itself.reject_kind = pb::RejectKind::Duplicate.into();
    itself.note = "تکراری".into();
    itself.duplicate_of = desk137_domain::text::persian_digits(&case.number);
    let err = apply(&mut unit, itself).await.unwrap_err();
    assert_eq!(desk137_tests::refused_field(&err)?.field, "duplicate_of");
    let mut past = move_of(&case, pb::Move::Respond, "r7");
    past.response = pb::FirstResponse::NeedsTime.into();
    past.promised_ms = SIM_START_MS - 1;
    let err = apply(&mut unit, past).await.unwrap_err();
    assert_eq!(desk137_tests::refused_field(&err)?.field, "promised_ms");

    // Two writers on one revision: one wins, the other is told the new one.
    let mut a = unit.cases.clone();
    let mut b = dispatcher.cases.clone();
    let mut note = move_of(&case, pb::Move::Note, "w-a");
    note.note = "یادداشت واحد".into();
    let mut escalate = move_of(&case, pb::Move::Escalate, "w-b");
    escalate.note = "پیگیری فوری لازم است".into();
    let (ra, rb) = tokio::join!(a.move_case(note), b.move_case(escalate));
    let (won, lost) = match (ra, rb) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w.into_inner(), l),
        other => anyhow::bail!("one writer must win and one lose: {other:?}"),
    };
    assert_eq!(the_case(won.r#case)?.revision, 2);
    assert_eq!(lost.code(), Code::Aborted);
    assert_eq!(
        lost.message(),
        "revision: the case is at revision 2; read it again and redo the move"
    );
    Ok(())
}

#[tokio::test]
async fn a_retried_move_is_applied_once_across_a_restart() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let server = Spawned::start(&data, SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut unit = server.as_user("unit1").await?;
    let case = create(&mut agent, obstruction("retry-1")).await?;
    let mut note = move_of(&case, pb::Move::Note, "same-key");
    note.note = "تماس با شهروند".into();
    let first = apply(&mut unit, note.clone()).await?;
    assert!(!first.replayed);
    let again = apply(&mut unit, note.clone()).await?;
    assert!(again.replayed);
    assert_eq!(the_case(again.r#case)?.revision, 2);
    // The same key with other content: refused, without saying what differs.
    let mut other = note.clone();
    other.note = "چیز دیگری".into();
    let err = apply(&mut unit, other).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert!(!err.message().contains("تماس"));
    // Another user's identical key is their own.
    let mut theirs = note.clone();
    theirs.revision = 2;
    assert!(!apply(&mut agent, theirs).await?.replayed);

    server.kill()?;
    let server = Spawned::start(&data, SIM_START_MS + HOUR_MS)?;
    let mut unit = server.as_user("unit1").await?;
    let replay = apply(&mut unit, note).await?;
    assert!(
        replay.replayed,
        "a retry after a crash gets the same answer"
    );
    let after = the_case(replay.r#case)?;
    let notes = after
        .events
        .iter()
        .filter(|e| e.kind() == pb::EventKind::Note)
        .count();
    assert_eq!(notes, 2, "one note each from the unit and the agent");
    assert_eq!(after.revision, 3);
    Ok(())
}

#[tokio::test]
async fn a_unit_cannot_see_or_move_another_units_case() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server = Spawned::start(&dir.path().join("data"), SIM_START_MS)?;
    let mut agent = server.as_user("agent1").await?;
    let mut unit = server.as_user("unit1").await?;
    let theirs = create(
        &mut agent,
        pb::CreateCaseRequest {
            region: 5,
            ..obstruction("other-unit")
        },
    )
    .await?;
    assert_ne!(theirs.unit_id, "r03-urban_services");
    let missing = apply(
        &mut unit,
        pb::MoveCaseRequest {
            case_id: 999_999,
            ..move_of(&theirs, pb::Move::Acknowledge, "x0")
        },
    )
    .await
    .unwrap_err();
    for mv in [pb::Move::Acknowledge, pb::Move::Note] {
        let mut req = move_of(&theirs, mv, "x1");
        req.note = "n".into();
        let err = apply(&mut unit, req).await.unwrap_err();
        assert_eq!(err.code(), Code::NotFound);
        assert_eq!(
            err.message(),
            missing.message(),
            "a hidden case reads as a missing one"
        );
    }
    let err = unit
        .cases
        .get_case(pb::GetCaseRequest {
            key: Some(Key::Id(theirs.id)),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    // A duplicate the unit may not see is no case at all to it.
    let own = create(&mut agent, obstruction("own-unit")).await?;
    let mut dup = move_of(&own, pb::Move::Reject, "x2");
    dup.reject_kind = pb::RejectKind::Duplicate.into();
    dup.note = "تکراری".into();
    dup.duplicate_of = theirs.number.clone();
    let err = apply(&mut unit, dup).await.unwrap_err();
    assert_eq!(desk137_tests::refused_field(&err)?.field, "duplicate_of");
    Ok(())
}
