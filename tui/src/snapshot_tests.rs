//! The screens as a person sees them, drawn on a test terminal and kept as
//! snapshots: at 80×24, where everything must still fit, and at 160×45.

use crate::app::rpc::{Answer, Call};
use crate::app::tests::{
    NOW, agent_app, answer, answer_list, key, sent, session_as, settings, who,
};
use crate::app::{App, Request, RpcError, To, update};
use crate::messages::Lang;
use crate::ui;
use crossterm::event::{KeyCode, KeyModifiers};
use desk137_domain::clock::HOUR_MS;
use desk137_proto::v1 as pb;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn render(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::draw(f, app)).unwrap();
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) {
    update(app, key(code, KeyModifiers::NONE));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn topic_id(app: &App, title: &str) -> String {
    app.catalog
        .topics
        .iter()
        .find(|t| t.title_fa == title)
        .map(|t| t.id.clone())
        .unwrap()
}

fn case(
    app: &App,
    n: u64,
    title: &str,
    status: pb::CaseStatus,
    urgent: bool,
    hours_ago: i64,
) -> pb::Case {
    let region = 3 + (n % 4) as u32;
    let topic_id = topic_id(app, title);
    let unit_id = app
        .catalog
        .route(&topic_id, region)
        .map(|u| u.id.clone())
        .unwrap_or_default();
    pb::Case {
        id: n,
        number: format!("1405-{n:06}"),
        topic_id,
        status: status as i32,
        urgency: if urgent {
            pb::Urgency::Urgent
        } else {
            pb::Urgency::Normal
        } as i32,
        kind: pb::Kind::Executive as i32,
        region,
        unit_id,
        coordination: urgent,
        address: "خیابان هزارجریب، کوچه ۱۲".into(),
        description: "وانت میوه‌فروشی پیاده‌رو را بسته و عابران از خیابان رد می‌شوند".into(),
        phone: "0913***4567".into(),
        created_at_ms: NOW - hours_ago * HOUR_MS,
        created_by: "agent1".into(),
        ..Default::default()
    }
}

fn with_recent(app: &mut App) {
    let rows = vec![
        case(app, 1233, "فرونشست زمین", pb::CaseStatus::Referred, true, 0),
        case(
            app,
            1229,
            "روشنایی معابر",
            pb::CaseStatus::Referred,
            false,
            1,
        ),
        case(app, 1101, "سد معبر", pb::CaseStatus::Closed, false, 30),
    ];
    answer_list(
        app,
        To::Intake,
        Answer::ListCases(Ok(pb::ListCasesResponse {
            cases: rows,
            next_page_token: String::new(),
        })),
    );
}

/// A call in progress: number typed, its history in, the description
/// typed, topic suggestions showing.
fn filled(lang: Lang) -> App {
    let mut app = agent_app(lang);
    with_recent(&mut app);
    type_text(&mut app, "09131234567");
    let history = vec![
        case(&app, 812, "سد معبر", pb::CaseStatus::Referred, false, 200),
        case(
            &app,
            311,
            "روشنایی معابر",
            pb::CaseStatus::Closed,
            false,
            900,
        ),
        case(&app, 97, "دستفروشی", pb::CaseStatus::Rejected, false, 3000),
    ];
    let asked = Request::new(
        To::Intake,
        0,
        Call::CallerHistory(pb::CallerHistoryRequest {
            phone: "09131234567".into(),
            limit: 20,
        }),
    );
    answer(
        &mut app,
        &asked,
        Answer::CallerHistory(Ok(pb::CallerHistoryResponse {
            cases: history,
            total: 3,
            open: 1,
            false_reports: 1,
            ..Default::default()
        })),
    );
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "وانت میوه فروشی پیاده رو را بسته");
    press(&mut app, KeyCode::Enter);
    app
}

/// Everything typed and picked; the address is refused as too short.
fn refused() -> App {
    let mut app = filled(Lang::Fa);
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "۳");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "چه");
    update(&mut app, key(KeyCode::F(4), KeyModifiers::NONE));
    // The rules here refuse it before anything is sent.
    let cmds = update(&mut app, key(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(cmds.is_empty(), "{cmds:?}");
    app
}

#[test]
fn intake_empty_80x24() {
    let mut app = agent_app(Lang::Fa);
    answer_list(
        &mut app,
        To::Intake,
        Answer::ListCases(Ok(pb::ListCasesResponse::default())),
    );
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn intake_empty_160x45() {
    let mut app = agent_app(Lang::Fa);
    with_recent(&mut app);
    insta::assert_snapshot!(render(&app, 160, 45));
}

#[test]
fn intake_filled_80x24() {
    insta::assert_snapshot!(render(&filled(Lang::Fa), 80, 24));
}

#[test]
fn intake_filled_160x45() {
    insta::assert_snapshot!(render(&filled(Lang::Fa), 160, 45));
}

#[test]
fn intake_filled_english_80x24() {
    insta::assert_snapshot!(render(&filled(Lang::En), 80, 24));
}

#[test]
fn intake_filled_bidi_80x24() {
    let mut app = filled(Lang::Fa);
    app.bidi = true;
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn intake_error_80x24() {
    insta::assert_snapshot!(render(&refused(), 80, 24));
}

#[test]
fn intake_error_160x45() {
    insta::assert_snapshot!(render(&refused(), 160, 45));
}

#[test]
fn help_overlay_80x24() {
    let mut app = agent_app(Lang::Fa);
    press(&mut app, KeyCode::F(1));
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn help_overlay_english_160x45() {
    let mut app = agent_app(Lang::En);
    press(&mut app, KeyCode::F(1));
    insta::assert_snapshot!(render(&app, 160, 45));
}

#[test]
fn confirm_new_call_80x24() {
    let mut app = filled(Lang::Fa);
    press(&mut app, KeyCode::F(2));
    insta::assert_snapshot!(render(&app, 80, 24));
}

fn queue(role: pb::Role, user: &str, unit_id: &str) -> App {
    let mut app = App::new(settings(Lang::Fa), NOW);
    app.start();
    app.catalog = crate::app::catalog::tests::shipped();
    session_as(&mut app, who(user, role, unit_id));
    crate::app::tests::open_cases(&mut app);
    let mut rows = vec![
        case(
            &app,
            1240,
            "آب‌گرفتگی معابر",
            pb::CaseStatus::Referred,
            true,
            0,
        ),
        case(
            &app,
            1233,
            "فرونشست زمین",
            pb::CaseStatus::Acknowledged,
            true,
            1,
        ),
        case(&app, 1201, "خطر سقوط اشیا", pb::CaseStatus::OnSite, true, 2),
        case(&app, 812, "سد معبر", pb::CaseStatus::Referred, false, 30),
    ];
    // Deadlines as the server sets them: one breached, one close, the rest in time.
    for c in &mut rows {
        if c.urgency == pb::Urgency::Urgent as i32 {
            c.on_site_due_ms = c.created_at_ms + 2 * HOUR_MS;
            c.result_due_ms = c.created_at_ms + 24 * HOUR_MS;
            if c.id == 1233 {
                // The unit is late on site.
                c.on_site_due_ms = c.created_at_ms + HOUR_MS / 2;
            }
        } else {
            c.first_response_due_ms = c.created_at_ms + 120 * HOUR_MS;
        }
    }
    if role == pb::Role::Unit {
        // What the server sends a unit: no phone at all.
        rows.iter_mut().for_each(|c| c.phone.clear());
    }
    answer_list(
        &mut app,
        To::Queue,
        Answer::ListCases(Ok(pb::ListCasesResponse {
            cases: rows,
            next_page_token: "more".into(),
        })),
    );
    app
}

#[test]
fn dispatcher_queue_80x24_and_160x45() {
    let app = queue(pb::Role::Dispatcher, "dispatcher1", "");
    insta::assert_snapshot!("dispatcher_80x24", render(&app, 80, 24));
    insta::assert_snapshot!("dispatcher_160x45", render(&app, 160, 45));
}

#[test]
fn unit_queue_has_no_phone_column() {
    let app = queue(pb::Role::Unit, "unit1", "r03-urban_services");
    let screen = render(&app, 160, 45);
    assert!(!screen.contains("0913"), "a unit must never see a phone");
    assert!(!screen.contains(Lang::Fa.labels().phone));
    insta::assert_snapshot!("unit_160x45", screen);
}

#[test]
fn case_detail_with_timeline_80x24() {
    let mut app = queue(pb::Role::Supervisor, "supervisor1", "");
    let cmds = update(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    let get = sent(&cmds, "get_case").clone();
    let Call::GetCase(pb::GetCaseRequest {
        key: Some(pb::get_case_request::Key::Id(id)),
    }) = get.call
    else {
        panic!("a case by id")
    };
    let mut c = case(
        &app,
        id,
        "فرونشست زمین",
        pb::CaseStatus::Acknowledged,
        true,
        1,
    );
    c.on_site_due_ms = c.created_at_ms + 2 * HOUR_MS;
    c.result_due_ms = c.created_at_ms + 24 * HOUR_MS;
    c.events = vec![
        pb::CaseEvent {
            at_ms: c.created_at_ms,
            actor: "agent1".into(),
            action: "registered".into(),
            kind: pb::EventKind::Registered.into(),
            ..Default::default()
        },
        pb::CaseEvent {
            at_ms: c.created_at_ms,
            actor: "system".into(),
            action: "coordination".into(),
            note: "مرکز هماهنگی عملیات".into(),
            kind: pb::EventKind::Coordination.into(),
            unit_id: "occ".into(),
            ..Default::default()
        },
        pb::CaseEvent {
            at_ms: c.created_at_ms + 600_000,
            actor: "unit1".into(),
            action: "acknowledged".into(),
            kind: pb::EventKind::Acknowledged.into(),
            ..Default::default()
        },
    ];
    answer(&mut app, &get, Answer::GetCase(Ok(c)));
    insta::assert_snapshot!(render(&app, 80, 24));
}

/// An urgent case as the server sends it with its clocks.
fn clocked(app: &App, n: u64, title: &str, status: pb::CaseStatus, hours_ago: i64) -> pb::Case {
    let mut c = case(app, n, title, status, true, hours_ago);
    let start = c.created_at_ms;
    c.revision = 3;
    c.clocks = vec![
        pb::CaseClock {
            clock: pb::SlaClock::OnSite as i32,
            started_at_ms: start,
            due_ms: start + 2 * HOUR_MS,
            ..Default::default()
        },
        pb::CaseClock {
            clock: pb::SlaClock::Result as i32,
            started_at_ms: start,
            due_ms: start + 24 * HOUR_MS,
            ..Default::default()
        },
    ];
    c
}

fn ev(at_ms: i64, actor: &str, kind: pb::EventKind) -> pb::CaseEvent {
    pb::CaseEvent {
        at_ms,
        actor: actor.into(),
        kind: kind.into(),
        ..Default::default()
    }
}

fn board(role: pb::Role, user: &str, unit: &str) -> App {
    let mut app = App::new(settings(Lang::Fa), NOW);
    app.start();
    app.catalog = crate::app::catalog::tests::shipped();
    session_as(&mut app, who(user, role, unit));
    crate::app::tests::open_cases(&mut app);
    // One late on site and escalated, one near its deadline, one on site in
    // time with its on-site clock met, one just registered.
    let mut late = clocked(&app, 1201, "خطر سقوط اشیا", pb::CaseStatus::Acknowledged, 3);
    late.escalation_level = 2;
    late.clocks[0].breached = true;
    late.events = vec![
        ev(
            late.created_at_ms + 300_000,
            "unit1",
            pb::EventKind::Acknowledged,
        ),
        pb::CaseEvent {
            clock: pb::SlaClock::OnSite as i32,
            due_ms: late.created_at_ms + 2 * HOUR_MS,
            ..ev(
                late.created_at_ms + 2 * HOUR_MS,
                "system",
                pb::EventKind::SlaBreached,
            )
        },
        pb::CaseEvent {
            level: 2,
            recipient: "مدیر منطقه".into(),
            ..ev(
                late.created_at_ms + 2 * HOUR_MS,
                "system",
                pb::EventKind::Escalated,
            )
        },
    ];
    let mut near = clocked(&app, 1233, "فرونشست زمین", pb::CaseStatus::Referred, 0);
    near.created_at_ms = NOW - 100 * 60_000;
    near.clocks.iter_mut().for_each(|k| {
        k.started_at_ms = near.created_at_ms;
        k.due_ms = near.created_at_ms
            + if k.clock == pb::SlaClock::OnSite as i32 {
                2 * HOUR_MS
            } else {
                24 * HOUR_MS
            };
    });
    let mut there = clocked(&app, 1190, "آب‌گرفتگی معابر", pb::CaseStatus::OnSite, 1);
    there.clocks[0].met_at_ms = there.created_at_ms + HOUR_MS;
    there.events = vec![
        ev(
            there.created_at_ms + 600_000,
            "unit1",
            pb::EventKind::Acknowledged,
        ),
        ev(
            there.created_at_ms + HOUR_MS,
            "unit1",
            pb::EventKind::OnSite,
        ),
    ];
    let fresh = clocked(&app, 1240, "خطر سقوط اشیا", pb::CaseStatus::Referred, 0);
    let mut rows = vec![fresh, there, near, late];
    if role == pb::Role::Unit {
        rows.iter_mut().for_each(|c| c.phone.clear());
        let mut slow = case(&app, 812, "سد معبر", pb::CaseStatus::InProgress, false, 30);
        slow.clocks = vec![pb::CaseClock {
            clock: pb::SlaClock::Promised as i32,
            started_at_ms: slow.created_at_ms,
            due_ms: NOW + 4 * 24 * HOUR_MS,
            ..Default::default()
        }];
        slow.phone.clear();
        rows.push(slow);
    }
    answer_list(
        &mut app,
        To::Queue,
        Answer::ListCases(Ok(pb::ListCasesResponse {
            cases: rows,
            next_page_token: String::new(),
        })),
    );
    app
}

#[test]
fn occ_board_80x24() {
    let app = board(pb::Role::Dispatcher, "dispatcher1", "");
    let screen = render(&app, 80, 24);
    // Least time left first: the breached case, then the one near its deadline.
    let first = screen.find("1405-001201").unwrap();
    let second = screen.find("1405-001233").unwrap();
    assert!(first < second);
    insta::assert_snapshot!(screen);
}

#[test]
fn occ_board_countdowns_tick_every_second() {
    let mut app = board(pb::Role::Dispatcher, "dispatcher1", "");
    let before = render(&app, 80, 24);
    update(&mut app, crate::app::Msg::Tick(NOW + 60_000));
    let after = render(&app, 80, 24);
    assert_ne!(before, after, "a minute later the countdowns moved");
}

#[test]
fn unit_queue_80x24() {
    let app = board(pb::Role::Unit, "unit1", "r03-urban_services");
    let screen = render(&app, 80, 24);
    assert!(!screen.contains("0913"), "a unit never sees a phone");
    insta::assert_snapshot!(screen);
}

#[test]
fn move_form_keeps_the_text_and_marks_the_refused_field_80x24() {
    let mut app = board(pb::Role::Unit, "unit1", "r03-urban_services");
    // The in-progress case: a first response with a promised date.
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    let mut slow = case(&app, 900, "سد معبر", pb::CaseStatus::Acknowledged, false, 2);
    slow.phone.clear();
    slow.first_response_due_ms = slow.created_at_ms + 120 * HOUR_MS;
    answer_list(
        &mut app,
        To::Queue,
        Answer::ListCases(Ok(pb::ListCasesResponse {
            cases: vec![slow],
            next_page_token: String::new(),
        })),
    );
    update(&mut app, key(KeyCode::Char('f'), KeyModifiers::NONE));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "۱۴۰۵/۰۹/۲۹");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "نیاز به قیر و هماهنگی با ترافیک");
    let cmds = update(&mut app, key(KeyCode::F(9), KeyModifiers::NONE));
    let req = sent(&cmds, "move_case").clone();
    let refusal = crate::app::tests::refusal("promised_ms", "TOO_LONG", 0);
    answer(
        &mut app,
        &req,
        Answer::MoveCase(Err(RpcError::from_status(&refusal))),
    );
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn case_view_with_the_lifecycle_events_80x24() {
    let mut app = board(pb::Role::Supervisor, "supervisor1", "");
    let cmds = update(&mut app, key(KeyCode::Enter, KeyModifiers::NONE));
    let get = sent(&cmds, "get_case").clone();
    let Call::GetCase(pb::GetCaseRequest {
        key: Some(pb::get_case_request::Key::Id(id)),
    }) = get.call
    else {
        panic!("a case by id")
    };
    let mut c = clocked(&app, id, "خطر سقوط اشیا", pb::CaseStatus::InProgress, 3);
    let t = c.created_at_ms;
    let other_unit = app
        .catalog
        .units
        .iter()
        .find(|u| u.region == 4 && u.id != c.unit_id)
        .map(|u| u.id.clone())
        .unwrap();
    c.escalation_level = 1;
    c.follow_up = "dispatcher2".into();
    c.promised_ms = NOW + 3 * 24 * HOUR_MS;
    c.clocks[0].breached = true;
    c.events = vec![
        pb::CaseEvent {
            from_unit_id: c.unit_id.clone(),
            unit_id: other_unit,
            ..ev(t + 60_000, "dispatcher1", pb::EventKind::Rerouted)
        },
        pb::CaseEvent {
            follow_up: "dispatcher2".into(),
            ..ev(t + 120_000, "dispatcher1", pb::EventKind::FollowUp)
        },
        pb::CaseEvent {
            clock: pb::SlaClock::OnSite as i32,
            due_ms: t + 2 * HOUR_MS,
            ..ev(t + 90 * 60_000, "system", pb::EventKind::SlaWarning)
        },
        pb::CaseEvent {
            clock: pb::SlaClock::OnSite as i32,
            due_ms: t + 2 * HOUR_MS,
            ..ev(t + 2 * HOUR_MS, "system", pb::EventKind::SlaBreached)
        },
        pb::CaseEvent {
            level: 1,
            recipient: "رئیس واحد".into(),
            ..ev(t + 2 * HOUR_MS, "system", pb::EventKind::Escalated)
        },
        pb::CaseEvent {
            promised_ms: NOW + 3 * 24 * HOUR_MS,
            delay_reason: pb::DelayReason::NeedsBudget as i32,
            note: "قیر نداریم".into(),
            ..ev(t + 150 * 60_000, "unit1", pb::EventKind::InProgress)
        },
        pb::CaseEvent {
            reject_kind: pb::RejectKind::Duplicate as i32,
            duplicate_of: "1405-001100".into(),
            ..ev(t + 160 * 60_000, "unit1", pb::EventKind::Rejected)
        },
    ];
    answer(&mut app, &get, Answer::GetCase(Ok(c)));
    // The timeline is at the bottom of the view.
    update(&mut app, key(KeyCode::End, KeyModifiers::NONE));
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn disconnected_keeps_the_form_80x24() {
    let mut app = filled(Lang::Fa);
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "۳");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "خیابان چهارباغ عباسی");
    let cmds = update(&mut app, key(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let save = sent(&cmds, "create_case").clone();
    answer(
        &mut app,
        &save,
        Answer::CreateCase(Err(RpcError {
            code: tonic::Code::Unavailable,
            message: "tcp connect error".into(),
            fault: None,
        })),
    );
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn tiny_terminals_do_not_panic() {
    for (w, h) in [(1, 1), (10, 3), (40, 10), (60, 15), (79, 23)] {
        let app = filled(Lang::Fa);
        let screen = render(&app, w, h);
        assert_eq!(screen.lines().count(), h as usize);
        let mut help = agent_app(Lang::En);
        press(&mut help, KeyCode::F(1));
        render(&help, w, h);
        render(&queue(pb::Role::Supervisor, "s", ""), w, h);
    }
}

/// The portal's token: no staff screen, and the reason on the status line.
fn portal_refused(lang: Lang) -> App {
    let mut app = App::new(settings(lang), NOW);
    let refused = tonic::Status::permission_denied("role portal may not call WhoAmI");
    session_as(
        &mut app,
        Answer::WhoAmI(Err(RpcError::from_status(&refused))),
    );
    app
}

#[test]
fn portal_token_refused_english_160x45() {
    insta::assert_snapshot!(render(&portal_refused(Lang::En), 160, 45));
}

#[test]
fn portal_token_refused_160x45() {
    insta::assert_snapshot!(render(&portal_refused(Lang::Fa), 160, 45));
}
