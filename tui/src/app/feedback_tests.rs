//! The call-back screen without a server: the keys and answers in, the
//! calls out, and the screen as drawn at 80×24 and 120×40.

use super::*;
use crate::app::msg::FieldFault;
use crate::app::tests::{NOW, agent_app, answer, feed_event, key, sends, sent};
use crossterm::event::{KeyCode, KeyModifiers};
use desk137_domain::clock::HOUR_MS;
use desk137_domain::validate::Reason;
use screens::feedback::Outcome;

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, key(code, KeyModifiers::NONE))
}

fn type_text(app: &mut App, text: &str) -> Vec<Command> {
    text.chars()
        .flat_map(|c| press(app, KeyCode::Char(c)))
        .collect()
}

fn render(app: &App, w: u16, h: u16) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("a terminal");
    terminal.draw(|f| crate::ui::draw(f, app)).expect("a frame");
    terminal.backend().to_string()
}

fn ev(at_ms: i64, actor: &str, kind: pb::EventKind) -> pb::CaseEvent {
    pb::CaseEvent {
        at_ms,
        actor: actor.into(),
        kind: kind.into(),
        ..Default::default()
    }
}

/// A sidewalk obstruction the unit has cleared, with its photo and report.
fn resolved_case(app: &App) -> pb::Case {
    let topic = app
        .catalog
        .topics
        .iter()
        .find(|t| t.title_fa == "سد معبر")
        .expect("the catalog's topic")
        .id
        .clone();
    let unit_id = app
        .catalog
        .route(&topic, 3)
        .map(|u| u.id.clone())
        .unwrap_or_default();
    let created = NOW - 30 * HOUR_MS;
    let resolved_at = NOW - 2 * HOUR_MS;
    let mut referred = ev(created, "system", pb::EventKind::Referred);
    referred.unit_id = unit_id.clone();
    let mut resolved = ev(resolved_at, "unit1", pb::EventKind::Resolved);
    resolved.note = "وانت جمع شد و پیاده‌رو باز است".into();
    resolved.attachment_ids = vec!["a1".into(), "b2".into()];
    pb::Case {
        id: 812,
        number: "1405-000812".into(),
        topic_id: topic,
        status: pb::CaseStatus::Resolved.into(),
        urgency: pb::Urgency::Normal.into(),
        kind: pb::Kind::Executive.into(),
        region: 3,
        unit_id,
        address: "خیابان هزارجریب، کوچه ۱۲".into(),
        description: "وانت میوه‌فروشی پیاده‌رو را بسته و عابران از خیابان رد می‌شوند".into(),
        phone: "09131234567".into(),
        created_at_ms: created,
        created_by: "agent1".into(),
        revision: 7,
        events: vec![
            ev(created, "agent1", pb::EventKind::Registered),
            referred,
            ev(created + HOUR_MS, "unit1", pb::EventKind::Acknowledged),
            resolved,
        ],
        attachments: vec![
            pb::Attachment {
                id: "a1".into(),
                name: "after.jpg".into(),
                media_type: "image/jpeg".into(),
                size: 48_213,
                added_at_ms: resolved_at,
                added_by: String::new(),
            },
            pb::Attachment {
                id: "b2".into(),
                name: "report.pdf".into(),
                media_type: "application/pdf".into(),
                size: 120_034,
                added_at_ms: resolved_at,
                added_by: String::new(),
            },
        ],
        call_back: Some(pb::CallBack {
            resolved_at_ms: resolved_at,
            due_ms: resolved_at,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// F10 from the intake screen: the screen, and its ask of the queue.
fn open(app: &mut App) -> Request {
    let cmds = update(app, key(KeyCode::F(10), KeyModifiers::NONE));
    assert!(matches!(app.screen(), Screen::Feedback(_)), "{cmds:?}");
    sent(&cmds, "next_call_back").clone()
}

fn hand(app: &mut App, ask: &Request, case: Option<pb::Case>, waiting: u32) -> Vec<Command> {
    let lease_until_ms = if case.is_some() { NOW + 600_000 } else { 0 };
    answer(
        app,
        ask,
        Answer::NextCallBack(Ok(pb::NextCallBackResponse {
            case,
            lease_until_ms,
            waiting,
        })),
    )
}

/// An agent with a case handed to them.
fn on_call(lang: Lang) -> App {
    let mut app = agent_app(lang);
    let ask = open(&mut app);
    let case = resolved_case(&app);
    hand(&mut app, &ask, Some(case), 3);
    app
}

fn screen(app: &App) -> &screens::FeedbackScreen {
    match app.screen() {
        Screen::Feedback(s) => s,
        other => panic!("not the feedback screen: {other:?}"),
    }
}

fn record(cmds: &[Command]) -> (Request, pb::RecordFeedbackRequest) {
    let r = sent(cmds, "record_feedback").clone();
    match &r.call {
        Call::RecordFeedback(m) => {
            let m = m.clone();
            (r, m)
        }
        other => panic!("{other:?}"),
    }
}

fn refused(code: tonic::Code, message: &str) -> Answer {
    Answer::RecordFeedback(Err(RpcError {
        code,
        message: message.into(),
        fault: None,
    }))
}

fn status_text(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn f10_opens_the_queue_and_esc_gives_the_case_back() {
    let mut app = on_call(Lang::En);
    assert_eq!(app.key_contexts(), ["feedback", "list"]);
    let s = screen(&app);
    assert_eq!(s.case().map(|c| c.id), Some(812));
    assert_eq!(s.waiting, 3);
    let cmds = press(&mut app, KeyCode::Esc);
    let release = sent(&cmds, "release_call_back");
    assert_eq!(
        release.call,
        Call::ReleaseCallBack(pb::ReleaseCallBackRequest { case_id: 812 })
    );
    assert!(matches!(app.screen(), Screen::Intake(_)));
}

#[test]
fn quitting_or_switching_role_gives_the_case_back_first() {
    let mut app = on_call(Lang::En);
    let cmds = update(&mut app, key(KeyCode::Char('q'), KeyModifiers::CONTROL));
    assert_eq!(cmds.last(), Some(&Command::Quit));
    sent(&cmds, "release_call_back");

    let mut app = on_call(Lang::En);
    app.demo_user = Some("agent1".into());
    let cmds = update(&mut app, key(KeyCode::F(6), KeyModifiers::NONE));
    let at = |name: &str| {
        cmds.iter()
            .position(|c| match c {
                Command::Send(r) => r.call.name() == name,
                Command::SwitchUser(_) => name == "switch",
                _ => false,
            })
            .unwrap_or_else(|| panic!("no {name} in {cmds:?}"))
    };
    assert!(at("release_call_back") < at("switch"));

    // Nothing held, nothing sent.
    let mut app = agent_app(Lang::En);
    let ask = open(&mut app);
    hand(&mut app, &ask, None, 0);
    let cmds = update(&mut app, key(KeyCode::Char('q'), KeyModifiers::CONTROL));
    assert_eq!(cmds, vec![Command::Quit]);
}

#[test]
fn only_agents_and_supervisors_open_it() {
    let mut app = App::new(crate::app::tests::settings(Lang::En), NOW);
    app.catalog = crate::app::catalog::tests::shipped();
    crate::app::tests::session_as(
        &mut app,
        crate::app::tests::who("admin1", pb::Role::Admin, ""),
    );
    let cmds = update(&mut app, key(KeyCode::F(10), KeyModifiers::NONE));
    assert!(sends(&cmds).is_empty(), "{cmds:?}");
    assert!(matches!(app.screen(), Screen::Intake(_)));
    assert_eq!(status_text(&app), app.lang.fb_not_for_role());
}

#[test]
fn four_then_a_comment_records_satisfaction_four_and_the_next_call_follows() {
    let mut app = on_call(Lang::Fa);
    assert!(type_text(&mut app, "4").is_empty());
    assert_eq!(
        screen(&app).form.as_ref().map(|f| f.outcome),
        Some(Outcome::Satisfaction(4))
    );
    // Digits type into the comment now, they do not rate again.
    assert_eq!(app.key_contexts(), ["edit"]);
    type_text(&mut app, "کارشان خوب بود 5");
    let cmds = press(&mut app, KeyCode::Enter);
    let (req, m) = record(&cmds);
    assert_eq!(m.case_id, 812);
    assert_eq!(m.revision, 7);
    assert_eq!(m.outcome, pb::FeedbackOutcome::Satisfaction as i32);
    assert_eq!(m.satisfaction, 4);
    assert_eq!(m.note, "کارشان خوب بود 5");
    assert!(m.request_id.starts_with("t-"), "{}", m.request_id);
    // A second Enter while it is on the way sends nothing more.
    assert!(sends(&press(&mut app, KeyCode::Enter)).is_empty());

    let mut closed = resolved_case(&app);
    closed.status = pb::CaseStatus::Closed.into();
    let cmds = answer(
        &mut app,
        &req,
        Answer::RecordFeedback(Ok(pb::RecordFeedbackResponse {
            r#case: Some(closed),
            replayed: false,
        })),
    );
    assert_eq!(status_text(&app), app.lang.fb_closed("1405-000812", 4));
    assert!(screen(&app).form.is_none());
    let next = sent(&cmds, "next_call_back").clone();
    hand(&mut app, &next, None, 0);
    assert!(matches!(screen(&app).queue, intake::Loadable::Loaded(None)));
    // Nothing about the closed case was "moved elsewhere".
    assert_eq!(app.status.as_ref().map(|s| s.tone), Some(Tone::Success));
}

#[test]
fn the_feed_telling_of_ones_own_outcome_first_is_no_warning() {
    let mut app = on_call(Lang::En);
    type_text(&mut app, "4");
    let (req, _) = record(&press(&mut app, KeyCode::Enter));
    let mut closed = resolved_case(&app);
    closed.status = pb::CaseStatus::Closed.into();
    let cmds = moved(&mut app, 30, closed.clone(), pb::EventKind::Feedback);
    let ask = sent(&cmds, "next_call_back").clone();
    hand(&mut app, &ask, None, 0);
    assert_ne!(app.status.as_ref().map(|s| s.tone), Some(Tone::Warning));
    answer(
        &mut app,
        &req,
        Answer::RecordFeedback(Ok(pb::RecordFeedbackResponse {
            r#case: Some(closed),
            replayed: false,
        })),
    );
    assert_eq!(status_text(&app), app.lang.fb_closed("1405-000812", 4));
}

#[test]
fn each_outcome_key_makes_its_outcome() {
    for (keys, outcome, satisfaction) in [
        ("1", pb::FeedbackOutcome::Satisfaction, 1),
        ("5", pb::FeedbackOutcome::Satisfaction, 5),
        // The same keys on the Persian layout.
        ("۳", pb::FeedbackOutcome::Satisfaction, 3),
        ("u", pb::FeedbackOutcome::Unreachable, 0),
        ("ع", pb::FeedbackOutcome::Unreachable, 0),
    ] {
        let mut app = on_call(Lang::En);
        type_text(&mut app, keys);
        let (_, m) = record(&press(&mut app, KeyCode::Enter));
        assert_eq!(
            (m.outcome, m.satisfaction),
            (outcome as i32, satisfaction),
            "{keys}"
        );
        assert_eq!(m.note, "", "{keys}: the comment is optional");
    }
}

#[test]
fn a_correction_needs_the_citizens_words() {
    let mut app = on_call(Lang::En);
    type_text(&mut app, "c");
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(sends(&cmds).is_empty(), "{cmds:?}");
    assert_eq!(status_text(&app), app.lang.fb_words_needed());
    type_text(&mut app, "   ");
    assert!(sends(&press(&mut app, KeyCode::Enter)).is_empty());
    type_text(&mut app, "still blocked at night");
    let (_, m) = record(&update(
        &mut app,
        key(KeyCode::Char('s'), KeyModifiers::CONTROL),
    ));
    assert_eq!(m.outcome, pb::FeedbackOutcome::Correction as i32);
    assert_eq!(m.note, "   still blocked at night");
}

#[test]
fn esc_closes_the_form_and_keys_act_again() {
    let mut app = on_call(Lang::En);
    type_text(&mut app, "2x");
    assert!(app.is_dirty());
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app).form.is_none());
    assert!(matches!(app.screen(), Screen::Feedback(_)));
    assert_eq!(app.key_contexts(), ["feedback", "list"]);
}

#[test]
fn a_refusal_keeps_the_comment_and_the_case_is_read_again() {
    let mut app = on_call(Lang::En);
    type_text(&mut app, "5");
    type_text(&mut app, "very happy");
    let (req, first) = record(&press(&mut app, KeyCode::Enter));

    // The lease ran out meanwhile.
    let cmds = answer(
        &mut app,
        &req,
        refused(tonic::Code::FailedPrecondition, "lease"),
    );
    assert_eq!(status_text(&app), app.lang.fb_lease_lost());
    assert_eq!(app.status.as_ref().map(|s| s.tone), Some(Tone::Error));
    let form = screen(&app).form.as_ref().expect("the form stays");
    assert_eq!(form.comment.value(), "very happy");
    assert!(!form.sending);
    // The queue hands it back (nobody took it): the form stays on it.
    let ask = sent(&cmds, "next_call_back").clone();
    let mut newer = resolved_case(&app);
    newer.revision = 8;
    hand(&mut app, &ask, Some(newer), 3);
    assert_eq!(
        screen(&app)
            .form
            .as_ref()
            .map(|f| f.comment.value().to_owned()),
        Some("very happy".into())
    );

    // Sent again: a new request, on the revision now read.
    let (req, second) = record(&press(&mut app, KeyCode::Enter));
    assert_ne!(second.request_id, first.request_id);
    assert_eq!(second.revision, 8);

    // Someone changed it in between.
    answer(&mut app, &req, refused(tonic::Code::Aborted, "stale"));
    assert_eq!(status_text(&app), app.lang.fb_stale());
    assert_eq!(
        screen(&app)
            .form
            .as_ref()
            .map(|f| f.comment.value().to_owned()),
        Some("very happy".into())
    );

    // A field refused in words: the field is named.
    let (req, _) = record(&press(&mut app, KeyCode::Enter));
    answer(
        &mut app,
        &req,
        Answer::RecordFeedback(Err(RpcError {
            code: tonic::Code::InvalidArgument,
            message: "note too long".into(),
            fault: Some(FieldFault {
                field: "note".into(),
                reason: Reason::TooLong,
                limit: 2000,
            }),
        })),
    );
    let text = status_text(&app);
    assert!(text.starts_with("Not recorded:"), "{text}");
    assert!(text.contains("2000") || text.contains("2,000"), "{text}");
    assert!(screen(&app).form.is_some());
}

#[test]
fn an_answer_lost_on_the_way_is_sent_again_under_the_same_request_id() {
    let mut app = on_call(Lang::En);
    type_text(&mut app, "3");
    let (req, first) = record(&press(&mut app, KeyCode::Enter));
    answer(&mut app, &req, refused(tonic::Code::Unavailable, "gone"));
    assert!(screen(&app).form.is_some());
    let (_, again) = record(&press(&mut app, KeyCode::Enter));
    assert_eq!(again.request_id, first.request_id);
}

fn moved(app: &mut App, seq: u64, case: pb::Case, kind: pb::EventKind) -> Vec<Command> {
    crate::app::tests::feed_item(
        app,
        pb::watch_response::Item::Event(pb::FeedEvent {
            seq,
            at_ms: NOW,
            kind: pb::FeedKind::CaseMoved as i32,
            case: Some(case),
            event: Some(ev(NOW, "unit1", kind)),
            ..Default::default()
        }),
    )
}

#[test]
fn the_feed_keeps_the_waiting_count_and_the_case_current() {
    let mut app = on_call(Lang::En);
    // A case registered elsewhere is nothing to the call-back queue.
    let mut other = resolved_case(&app);
    other.id = 900;
    other.status = pb::CaseStatus::Registered.into();
    other.call_back = None;
    let cmds = feed_event(&mut app, 10, pb::FeedKind::CaseCreated, other.clone());
    assert!(sends(&cmds).is_empty(), "{cmds:?}");
    assert_eq!(screen(&app).waiting, 3);

    // Another case resolved: one more waits. The queue is not asked, which
    // would renew the lease of an agent who may have left the desk.
    let mut third = resolved_case(&app);
    third.id = 901;
    let cmds = moved(&mut app, 11, third.clone(), pb::EventKind::Resolved);
    assert!(sends(&cmds).is_empty(), "{cmds:?}");
    assert_eq!(screen(&app).waiting, 4);
    // And one fewer once another agent has called it.
    third.status = pb::CaseStatus::Closed.into();
    moved(&mut app, 12, third, pb::EventKind::Feedback);
    assert_eq!(screen(&app).waiting, 3);

    // The shown case is closed by a supervisor while a comment is typed.
    type_text(&mut app, "4");
    type_text(&mut app, "ok");
    let mut closed = resolved_case(&app);
    closed.status = pb::CaseStatus::Closed.into();
    let cmds = moved(&mut app, 13, closed, pb::EventKind::Closed);
    let ask = sent(&cmds, "next_call_back").clone();
    let mut next = resolved_case(&app);
    next.id = 813;
    next.number = "1405-000813".into();
    hand(&mut app, &ask, Some(next), 3);
    assert_eq!(screen(&app).case().map(|c| c.id), Some(813));
    assert!(screen(&app).form.is_none(), "the comment was about 812");
    assert_eq!(
        status_text(&app),
        app.lang.fb_moved_elsewhere("1405-000812")
    );
}

#[test]
fn an_empty_queue_asks_again_when_a_result_comes_in() {
    let mut app = agent_app(Lang::En);
    let ask = open(&mut app);
    hand(&mut app, &ask, None, 0);
    let case = resolved_case(&app);
    let cmds = moved(&mut app, 20, case.clone(), pb::EventKind::Resolved);
    let ask = sent(&cmds, "next_call_back").clone();
    // Another event while that ask is out is asked after it.
    let cmds = moved(&mut app, 21, case.clone(), pb::EventKind::Resolved);
    assert!(sends(&cmds).is_empty());
    let cmds = hand(&mut app, &ask, Some(case), 1);
    assert_eq!(screen(&app).case().map(|c| c.id), Some(812));
    sent(&cmds, "next_call_back");
}

#[test]
fn the_lease_is_renewed_only_while_a_comment_is_open() {
    let mut app = on_call(Lang::En);
    // Left alone, the lease ends and the case goes to whoever asks next.
    for t in [60_000, 590_000, 601_000, 3_600_000] {
        assert!(sends(&update(&mut app, Msg::Tick(NOW + t))).is_empty());
    }
    let mut app = on_call(Lang::En);
    type_text(&mut app, "5");
    assert!(sends(&update(&mut app, Msg::Tick(NOW + 500_000))).is_empty());
    let cmds = update(&mut app, Msg::Tick(NOW + 545_000));
    let ask = sent(&cmds, "next_call_back").clone();
    // The server's clock says it still runs: the same end, renewed once.
    let same = resolved_case(&app);
    hand(&mut app, &ask, Some(same), 3);
    assert!(sends(&update(&mut app, Msg::Tick(NOW + 546_000))).is_empty());
    assert!(screen(&app).form.is_some());
}

#[test]
fn an_attachment_opens_with_the_viewer_and_a_failure_is_said() {
    let mut app = on_call(Lang::En);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    let cmds = press(&mut app, KeyCode::Enter);
    let open = cmds
        .iter()
        .find_map(|c| match c {
            Command::OpenAttachment {
                to,
                case_id,
                attachment,
            } => Some((*to, *case_id, attachment.id.clone())),
            _ => None,
        })
        .expect("an open");
    assert_eq!(open, (To::Feedback, 812, "b2".to_owned()));
    assert!(
        type_text(&mut app, "o")
            .iter()
            .any(|c| matches!(c, Command::OpenAttachment { .. }))
    );
    update(
        &mut app,
        Msg::Opened {
            to: To::Feedback,
            name: "report.pdf".into(),
            result: Err("xdg-open: No such file or directory".into()),
        },
    );
    assert_eq!(
        status_text(&app),
        "report.pdf could not be opened: xdg-open: No such file or directory"
    );
    assert_eq!(app.status.as_ref().map(|s| s.tone), Some(Tone::Error));
}

#[test]
fn snapshot_empty_queue() {
    for lang in [Lang::Fa, Lang::En] {
        let mut app = agent_app(lang);
        let ask = open(&mut app);
        hand(&mut app, &ask, None, 0);
        insta::assert_snapshot!(format!("empty_{lang:?}_80x24"), render(&app, 80, 24));
        insta::assert_snapshot!(format!("empty_{lang:?}_120x40"), render(&app, 120, 40));
    }
}

#[test]
fn snapshot_a_case_with_attachments_and_timeline() {
    let mut app = on_call(Lang::Fa);
    update(&mut app, Msg::Tick(NOW + 5_000));
    press(&mut app, KeyCode::Down);
    insta::assert_snapshot!("case_80x24", render(&app, 80, 24));
    insta::assert_snapshot!("case_120x40", render(&app, 120, 40));
    let app = on_call(Lang::En);
    insta::assert_snapshot!("case_en_120x40", render(&app, 120, 40));
}

#[test]
fn snapshot_the_satisfaction_form_with_a_comment() {
    let mut app = on_call(Lang::Fa);
    type_text(&mut app, "4");
    type_text(&mut app, "کار تمیزی بود، ممنون");
    insta::assert_snapshot!("form_80x24", render(&app, 80, 24));
    insta::assert_snapshot!("form_120x40", render(&app, 120, 40));
}

#[test]
fn snapshot_an_error_in_the_status_bar() {
    let mut app = on_call(Lang::Fa);
    type_text(&mut app, "5");
    type_text(&mut app, "عالی");
    let (req, _) = record(&press(&mut app, KeyCode::Enter));
    answer(
        &mut app,
        &req,
        refused(tonic::Code::FailedPrecondition, "lease"),
    );
    insta::assert_snapshot!("error_80x24", render(&app, 80, 24));
    insta::assert_snapshot!("error_120x40", render(&app, 120, 40));
}
