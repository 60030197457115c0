//! The scorecard screen and the citizen's record on a case, through
//! `update` and drawn on a test terminal: which keys send which calls, to
//! whom they are offered, and what the screens show.

use super::dashboard_tests::supervisor;
use super::tests::{NOW, answer, key, sends, sent, session_as, settings, who};
use super::*;
use crate::app::catalog::tests::shipped;
use crate::app::intake::Loadable;
use crate::app::screens::ScorecardsScreen;
use crate::app::screens::scorecards::CardSort;
use crossterm::event::{KeyCode, KeyModifiers};
use desk137_domain::clock::HOUR_MS;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn render(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| crate::ui::draw(f, app)).unwrap();
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, key(code, KeyModifiers::NONE))
}

fn shift(app: &mut App, c: char) -> Vec<Command> {
    update(app, key(KeyCode::Char(c), KeyModifiers::SHIFT))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn cards(app: &App) -> &ScorecardsScreen {
    match app.screen() {
        Screen::Scorecards(s) => s,
        _ => panic!("the scorecards are on top"),
    }
}

fn clock(clock: pb::SlaClock, met: u64, on_time: u64) -> pb::ClockOnTime {
    pb::ClockOnTime {
        clock: clock as i32,
        met,
        on_time,
    }
}

/// Three units of one domain and one of another, as the server orders them.
fn quarter_cards() -> pb::ScorecardsResponse {
    let card =
        |unit: &str, domain: &str, score: f64, cases: u64, rank: u32, of: u32| pb::UnitScorecard {
            unit_id: unit.into(),
            service_domain: domain.into(),
            scored: true,
            score,
            cases,
            scored_cases: cases.saturating_sub(1),
            on_time: vec![
                clock(pb::SlaClock::FirstResponse, cases, cases.saturating_sub(1)),
                clock(pb::SlaClock::Result, cases, cases / 2),
            ],
            first_response_mean_ms: 30 * HOUR_MS,
            first_response_p90_ms: 76 * HOUR_MS,
            result_mean_ms: 3 * 24 * HOUR_MS + 4 * HOUR_MS,
            result_p90_ms: 6 * 24 * HOUR_MS,
            reopen_rate: 0.1,
            deferred_share: 0.05,
            rank,
            rank_of: of,
            has_change: true,
            change: score - 80.0,
            ..Default::default()
        };
    let mut unscored = card("r05-urban_services", "urban_services", 0.0, 2, 0, 3);
    unscored.scored = false;
    unscored.has_change = false;
    unscored.on_time.clear();
    unscored.first_response_mean_ms = 0;
    unscored.result_mean_ms = 0;
    pb::ScorecardsResponse {
        quarter: "1405-3".into(),
        units: vec![
            card("r03-urban_services", "urban_services", 92.5, 14, 1, 3),
            card("r01-urban_services", "urban_services", 71.0, 9, 2, 3),
            unscored,
            card("r03-green_space", "green_space", 64.2, 40, 1, 1),
        ],
    }
}

/// A supervisor on the scorecards, the current quarter's figures answered.
fn on_scorecards(lang: Lang) -> App {
    let mut app = supervisor(lang, 1);
    let opened = press(&mut app, KeyCode::Char('q'));
    let asked = sent(&opened, "scorecards").clone();
    assert_eq!(asked.ticket.to, To::Scorecards);
    assert_eq!(
        asked.call,
        Call::Scorecards(pb::ScorecardsRequest {
            quarter: String::new()
        })
    );
    answer(&mut app, &asked, Answer::Scorecards(Ok(quarter_cards())));
    app
}

fn scored_case(id: u64, score: f64) -> pb::Case {
    pb::Case {
        id,
        number: format!("1405-{id:06}"),
        status: pb::CaseStatus::Closed as i32,
        kind: pb::Kind::Executive as i32,
        urgency: pb::Urgency::Normal as i32,
        topic_id: "T001".into(),
        region: 3,
        unit_id: "r03-urban_services".into(),
        created_at_ms: NOW - 40 * 24 * HOUR_MS,
        call_back: Some(pb::CallBack {
            scored: true,
            score,
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[test]
fn the_scorecards_open_from_the_dashboard_step_quarters_sort_and_drill() {
    let mut app = on_scorecards(Lang::En);
    assert_eq!(app.key_contexts(), ["scorecards", "list"]);
    let s = cards(&app);
    assert_eq!(s.quarter.map(|q| q.to_string()).as_deref(), Some("1405-3"));
    assert_eq!(s.rows().len(), 4);
    // The server's order first; the sort key steps through the columns.
    assert_eq!(s.rows()[0].unit_id, "r03-urban_services");
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(cards(&app).sort, CardSort::Score);
    let by_score: Vec<_> = cards(&app)
        .rows()
        .iter()
        .map(|c| c.unit_id.as_str())
        .collect();
    // The unscored unit goes last, whatever its figure.
    assert_eq!(
        by_score,
        [
            "r03-urban_services",
            "r01-urban_services",
            "r03-green_space",
            "r05-urban_services"
        ]
    );
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(cards(&app).sort, CardSort::Cases);
    assert_eq!(cards(&app).rows()[0].unit_id, "r03-green_space");
    for _ in 0..CardSort::ALL.len() - 3 {
        press(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(cards(&app).sort, CardSort::Rank);

    // The quarter of now is the last with figures: nothing after it.
    assert!(press(&mut app, KeyCode::Char(']')).is_empty());
    let before = press(&mut app, KeyCode::Char('['));
    assert_eq!(
        sent(&before, "scorecards").call,
        Call::Scorecards(pb::ScorecardsRequest {
            quarter: "1405-2".into()
        })
    );
    let left = press(&mut app, KeyCode::Left);
    assert_eq!(
        sent(&left, "scorecards").call,
        Call::Scorecards(pb::ScorecardsRequest {
            quarter: "1405-1".into()
        })
    );
    // The answer to the question before is late and dropped.
    answer(
        &mut app,
        sent(&before, "scorecards"),
        Answer::Scorecards(Ok(pb::ScorecardsResponse::default())),
    );
    assert!(matches!(cards(&app).cards, Loadable::Loading));
    let right = press(&mut app, KeyCode::Right);
    let back = sent(&right, "scorecards").clone();
    assert_eq!(
        back.call,
        Call::Scorecards(pb::ScorecardsRequest {
            quarter: "1405-2".into()
        })
    );
    let mut spring = quarter_cards();
    spring.quarter = "1405-2".into();
    answer(&mut app, &back, Answer::Scorecards(Ok(spring)));
    assert_eq!(
        cards(&app).quarter.map(|q| q.to_string()).as_deref(),
        Some("1405-2")
    );

    // Enter on the second unit: the cases behind its figures.
    press(&mut app, KeyCode::Down);
    let drill = press(&mut app, KeyCode::Enter);
    let asked = sent(&drill, "scorecard_cases").clone();
    assert_eq!(
        asked.call,
        Call::ScorecardCases(pb::ScorecardCasesRequest {
            quarter: "1405-2".into(),
            unit_id: "r01-urban_services".into(),
            limit: crate::app::screens::scorecards::DRILL_LIMIT,
        })
    );
    answer(
        &mut app,
        &asked,
        Answer::ScorecardCases(Ok(pb::ScorecardCasesResponse {
            cases: vec![scored_case(31, 88.0), scored_case(30, 40.0)],
        })),
    );
    press(&mut app, KeyCode::Down);
    let opened = press(&mut app, KeyCode::Enter);
    let get = sent(&opened, "get_case");
    assert_eq!(
        get.call,
        Call::GetCase(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(30))
        })
    );
    assert!(matches!(app.screen(), Screen::Detail(_)));
    // Back from the case: the drill again, read anew.
    let closed = press(&mut app, KeyCode::Esc);
    sent(&closed, "scorecard_cases");
    assert!(cards(&app).drill.is_some());
    press(&mut app, KeyCode::Esc);
    assert!(cards(&app).drill.is_none());
    let home = press(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen(), Screen::Dashboard(_)));
    sent(&home, "snapshot");
}

#[test]
fn the_scorecards_are_a_supervisors_screen_only() {
    let mut app = App::new(settings(Lang::En), NOW);
    app.catalog = shipped();
    session_as(&mut app, who("unit1", pb::Role::Unit, "r03-urban_services"));
    let cmds = press(&mut app, KeyCode::Char('q'));
    assert!(sends(&cmds).iter().all(|r| r.call.name() != "scorecards"));
    assert!(!app.hints().contains(&Action::OpenScorecards));
    let sup = supervisor(Lang::En, 1);
    assert!(sup.hints().contains(&Action::OpenScorecards));
}

#[test]
fn scorecards_80x24() {
    let app = on_scorecards(Lang::Fa);
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn scorecards_200x60() {
    let app = on_scorecards(Lang::Fa);
    insta::assert_snapshot!(render(&app, 200, 60));
}

#[test]
fn scorecards_english_200x60() {
    let app = on_scorecards(Lang::En);
    let screen = render(&app, 200, 60);
    assert!(screen.contains("1d 6h / 3d 4h"), "{screen}");
    assert!(screen.contains("▲ 12.5"), "{screen}");
    assert!(screen.contains("▼ 9.0"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn scorecard_drill_80x24() {
    let mut app = on_scorecards(Lang::Fa);
    let drill = press(&mut app, KeyCode::Enter);
    let asked = sent(&drill, "scorecard_cases").clone();
    answer(
        &mut app,
        &asked,
        Answer::ScorecardCases(Ok(pb::ScorecardCasesResponse {
            cases: vec![scored_case(31, 88.0), scored_case(30, 40.0)],
        })),
    );
    insta::assert_snapshot!(render(&app, 80, 24));
}

// ---------------------------------------------------------------- the record

/// A case with a caller, as the server sends it to `role`.
fn called_case(role: pb::Role) -> pb::Case {
    let mut c = scored_case(12, 0.0);
    c.status = pb::CaseStatus::Referred as i32;
    c.call_back = None;
    c.created_at_ms = NOW - 2 * HOUR_MS;
    c.description = "وانت میوه‌فروشی پیاده‌رو را بسته".into();
    c.address = "خیابان چهارباغ عباسی".into();
    c.revision = 3;
    if role != pb::Role::Unit {
        c.citizen_id = "c-7f3a".into();
        c.phone = if role == pb::Role::Agent {
            "09131234567".into()
        } else {
            "0913***4567".into()
        };
    }
    c
}

fn app_as(user: &str, role: pb::Role, unit: &str) -> App {
    let mut app = App::new(settings(Lang::Fa), NOW);
    app.catalog = shipped();
    session_as(&mut app, who(user, role, unit));
    app
}

/// Opens `case` by its number, as the user would, and answers it.
fn open_case(app: &mut App, case: pb::Case) {
    press(app, KeyCode::F(3));
    type_text(app, &case.number);
    let cmds = press(app, KeyCode::Enter);
    let get = sent(&cmds, "get_case").clone();
    answer(app, &get, Answer::GetCase(Ok(case)));
    assert!(matches!(app.screen(), Screen::Detail(_)));
}

fn detail(app: &App) -> &crate::app::screens::DetailScreen {
    match app.screen() {
        Screen::Detail(d) => d,
        _ => panic!("the case is on top"),
    }
}

#[test]
fn an_agent_records_consent_with_a_reason_and_sees_it_given() {
    let mut app = app_as("agent1", pb::Role::Agent, "");
    open_case(&mut app, called_case(pb::Role::Agent));
    assert!(app.hints().contains(&Action::RecordConsent));
    assert!(!app.hints().contains(&Action::WithdrawConsent));
    assert!(!app.hints().contains(&Action::RevealPhone));
    assert!(!app.hints().contains(&Action::ToggleShahrban));
    press(&mut app, KeyCode::Char('y'));
    assert!(detail(&app).record.is_open());
    assert_eq!(app.key_contexts(), ["move", "edit"]);
    // No reason, nothing sent.
    let empty = press(&mut app, KeyCode::Enter);
    assert!(sends(&empty).is_empty());
    assert_eq!(
        app.status.as_ref().map(|s| s.text.as_str()),
        Some(Lang::Fa.reason_required())
    );
    type_text(&mut app, "خود شهروند پشت خط، برای هماهنگی بازدید");
    let first = press(&mut app, KeyCode::Enter);
    let req = sent(&first, "record_consent").clone();
    let Call::RecordConsent(r) = &req.call else {
        panic!("{req:?}")
    };
    assert_eq!(r.case_id, 12);
    assert_eq!(r.reason, "خود شهروند پشت خط، برای هماهنگی بازدید");
    assert!(!r.request_id.is_empty());
    // A refusal keeps the text and says why; the retry is a new request.
    answer(
        &mut app,
        &req,
        Answer::RecordConsent(Err(RpcError {
            code: tonic::Code::InvalidArgument,
            message: "reason: too long".into(),
            fault: None,
        })),
    );
    assert_eq!(
        detail(&app).record.form.as_ref().map(|f| f.reason.value()),
        Some("خود شهروند پشت خط، برای هماهنگی بازدید")
    );
    assert!(matches!(&app.status, Some(s) if s.tone == Tone::Error));
    let again = press(&mut app, KeyCode::Enter);
    let retry = sent(&again, "record_consent").clone();
    let Call::RecordConsent(r2) = &retry.call else {
        panic!()
    };
    assert_ne!(r2.request_id, r.request_id);
    let mut consented = called_case(pb::Role::Agent);
    consented.phone_consent = true;
    answer(
        &mut app,
        &retry,
        Answer::RecordConsent(Ok(pb::RecordConsentResponse {
            case: Some(consented),
        })),
    );
    assert!(!detail(&app).record.is_open());
    assert!(matches!(&app.status, Some(s) if s.tone == Tone::Success));
    assert!(render(&app, 80, 24).contains(Lang::Fa.consent_given()));
    // Given, it may be withdrawn, and not given twice.
    assert!(app.hints().contains(&Action::WithdrawConsent));
    assert!(!app.hints().contains(&Action::RecordConsent));
    shift(&mut app, 'Y');
    type_text(&mut app, "شهروند منصرف شد");
    let w = press(&mut app, KeyCode::Enter);
    let Call::WithdrawConsent(wr) = &sent(&w, "withdraw_consent").call else {
        panic!()
    };
    assert_eq!((wr.case_id, wr.reason.as_str()), (12, "شهروند منصرف شد"));
}

/// A case of unit1's whose citizen agreed that the unit may see the number.
fn consented_case() -> pb::Case {
    pb::Case {
        phone_consent: true,
        ..called_case(pb::Role::Unit)
    }
}

#[test]
fn a_unit_reveals_the_number_of_its_consented_case_until_the_screen_closes() {
    let mut app = app_as("unit1", pb::Role::Unit, "r03-urban_services");
    // Without the citizen's consent the key is not offered.
    open_case(&mut app, called_case(pb::Role::Unit));
    assert!(!app.hints().contains(&Action::RevealPhone));
    press(&mut app, KeyCode::Esc);
    open_case(&mut app, consented_case());
    assert!(app.hints().contains(&Action::RevealPhone));
    assert!(!app.hints().contains(&Action::RecordConsent));
    press(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "هماهنگی زمان بازدید");
    let cmds = press(&mut app, KeyCode::Enter);
    let req = sent(&cmds, "reveal_phone").clone();
    assert_eq!(
        req.call,
        Call::RevealPhone(pb::RevealPhoneRequest {
            case_id: 12,
            reason: "هماهنگی زمان بازدید".into()
        })
    );
    answer(
        &mut app,
        &req,
        Answer::RevealPhone(Ok(pb::RevealPhoneResponse {
            phone: "09131234567".into(),
        })),
    );
    assert!(render(&app, 80, 24).contains("09131234567"));
    // Gone with the screen: the case opened again shows no number.
    press(&mut app, KeyCode::Esc);
    open_case(&mut app, consented_case());
    assert!(!render(&app, 80, 24).contains("0913"));
}

#[test]
fn consent_withdrawn_meanwhile_the_unit_is_told_so_and_keeps_its_reason() {
    let mut app = app_as("unit1", pb::Role::Unit, "r03-urban_services");
    open_case(&mut app, consented_case());
    press(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "بازدید");
    let cmds = press(&mut app, KeyCode::Enter);
    let req = sent(&cmds, "reveal_phone").clone();
    answer(
        &mut app,
        &req,
        Answer::RevealPhone(Err(RpcError {
            code: tonic::Code::NotFound,
            message: "no such case".into(),
            fault: None,
        })),
    );
    assert_eq!(
        app.status.as_ref().map(|s| s.text.as_str()),
        Some(Lang::Fa.no_number_to_reveal())
    );
    assert_eq!(
        detail(&app).record.form.as_ref().map(|f| f.reason.value()),
        Some("بازدید")
    );
}

#[test]
fn another_units_case_offers_no_reveal() {
    let mut app = app_as("unit1", pb::Role::Unit, "r03-urban_services");
    let mut c = called_case(pb::Role::Unit);
    c.unit_id = "r05-urban_services".into();
    open_case(&mut app, c);
    assert!(!app.hints().contains(&Action::RevealPhone));
    let cmds = press(&mut app, KeyCode::Char('p'));
    assert!(sends(&cmds).is_empty());
    assert!(!detail(&app).record.is_open());
}

#[test]
fn a_supervisor_sets_and_clears_shahrban_and_clears_a_false_report() {
    let mut app = app_as("supervisor1", pb::Role::Supervisor, "");
    let mut c = called_case(pb::Role::Supervisor);
    c.status = pb::CaseStatus::Rejected as i32;
    c.reject_kind = pb::RejectKind::FalseReport as i32;
    open_case(&mut app, c.clone());
    let hints = app.hints();
    assert!(hints.contains(&Action::ToggleShahrban));
    assert!(hints.contains(&Action::ClearFalseReport));
    assert!(!hints.contains(&Action::RecordConsent));
    assert!(!hints.contains(&Action::RevealPhone));
    press(&mut app, KeyCode::Char('h'));
    type_text(&mut app, "عضو شورای شهربانی محله");
    let cmds = press(&mut app, KeyCode::Enter);
    let req = sent(&cmds, "set_shahrban").clone();
    let Call::SetShahrban(r) = &req.call else {
        panic!()
    };
    assert!(r.on);
    assert_eq!(r.case_id, 12);
    // Set: the case is read again, and shows its mark.
    let after = answer(
        &mut app,
        &req,
        Answer::SetShahrban(Ok(pb::SetShahrbanResponse { shahrban: true })),
    );
    let get = sent(&after, "get_case").clone();
    let mut marked = c.clone();
    marked.shahrban = true;
    answer(&mut app, &get, Answer::GetCase(Ok(marked)));
    assert!(render(&app, 80, 24).contains(Lang::Fa.shahrban()));
    // The same key clears it now.
    press(&mut app, KeyCode::Char('h'));
    type_text(&mut app, "پایان عضویت");
    let cmds = press(&mut app, KeyCode::Enter);
    let Call::SetShahrban(r) = &sent(&cmds, "set_shahrban").call else {
        panic!()
    };
    assert!(!r.on);
    press(&mut app, KeyCode::Esc);
    shift(&mut app, 'F');
    type_text(&mut app, "اعتراض پذیرفته شد");
    let cmds = press(&mut app, KeyCode::Enter);
    let Call::ClearFalseReport(r) = &sent(&cmds, "clear_false_report").call else {
        panic!()
    };
    assert_eq!((r.case_id, r.reason.as_str()), (12, "اعتراض پذیرفته شد"));
}

#[test]
fn other_roles_are_offered_none_of_the_record() {
    for (user, role, unit) in [
        ("dispatcher1", pb::Role::Dispatcher, ""),
        ("admin1", pb::Role::Admin, ""),
    ] {
        let mut app = app_as(user, role, unit);
        let mut c = called_case(role);
        c.phone_consent = true;
        c.reject_kind = pb::RejectKind::FalseReport as i32;
        open_case(&mut app, c);
        for a in crate::app::screens::record::RECORD_ACTIONS {
            assert!(!app.hints().contains(&a), "{user}: {a:?}");
        }
        for k in ['y', 'p', 'h'] {
            let cmds = press(&mut app, KeyCode::Char(k));
            assert!(sends(&cmds).is_empty(), "{user}: {k}");
            assert!(!detail(&app).record.is_open(), "{user}: {k}");
        }
    }
}

#[test]
fn detail_with_consent_and_a_reveal_form_80x24() {
    let mut app = app_as("unit1", pb::Role::Unit, "r03-urban_services");
    let mut c = called_case(pb::Role::Unit);
    c.phone_consent = true;
    open_case(&mut app, c);
    press(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "هماهنگی زمان بازدید");
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn detail_of_a_shahrban_caller_with_consent_given_80x24() {
    let mut app = app_as("agent1", pb::Role::Agent, "");
    let mut c = called_case(pb::Role::Agent);
    c.phone_consent = true;
    c.shahrban = true;
    open_case(&mut app, c);
    insta::assert_snapshot!(render(&app, 80, 24));
}

// ---------------------------------------------------------------- the queues

fn normal(id: u64, due_in_hours: i64, shahrban: bool) -> pb::Case {
    pb::Case {
        id,
        number: format!("1405-{id:06}"),
        status: pb::CaseStatus::Referred as i32,
        kind: pb::Kind::Executive as i32,
        urgency: pb::Urgency::Normal as i32,
        topic_id: "T001".into(),
        region: 3,
        unit_id: "r03-urban_services".into(),
        created_at_ms: NOW - HOUR_MS,
        shahrban,
        clocks: vec![pb::CaseClock {
            clock: pb::SlaClock::FirstResponse as i32,
            started_at_ms: NOW - HOUR_MS,
            due_ms: NOW + due_in_hours * HOUR_MS,
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn shahrban_cases_sort_first_among_cases_of_the_same_urgency() {
    let mut urgent = super::dashboard_tests::urgent_case(1, "r03-urban_services", 3, 90);
    urgent.topic_id = "T001".into();
    let mut rows = vec![
        normal(2, 10, false),
        normal(3, 50, true),
        urgent,
        normal(4, 20, false),
        normal(5, 30, true),
    ];
    crate::app::cases::queue_order(&mut rows);
    let ids: Vec<u64> = rows.iter().map(|c| c.id).collect();
    // Urgent first; then the Shahrban callers' by what is due; then the rest.
    assert_eq!(ids, [1, 5, 3, 2, 4]);
}

#[test]
fn queue_with_a_shahrban_row_first_80x24() {
    let mut app = supervisor(Lang::Fa, 1);
    let cmds = super::tests::open_cases(&mut app).expect("the supervisor's list");
    let list = sent(&cmds, "list_cases").clone();
    answer(
        &mut app,
        &list,
        Answer::ListCases(Ok(pb::ListCasesResponse {
            cases: vec![
                normal(2, 10, false),
                normal(3, 50, true),
                normal(4, 20, false),
            ],
            next_page_token: String::new(),
        })),
    );
    let Screen::Queue(q) = app.screen() else {
        panic!("the queue")
    };
    assert_eq!(
        q.list.rows.iter().map(|c| c.id).collect::<Vec<_>>(),
        [3, 2, 4]
    );
    let screen = render(&app, 80, 24);
    assert!(screen.contains("★"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn tiny_terminals_draw_the_scorecards_the_drill_and_the_reason_form() {
    let table = on_scorecards(Lang::Fa);
    let mut drilled = on_scorecards(Lang::En);
    let drill = press(&mut drilled, KeyCode::Enter);
    let asked = sent(&drill, "scorecard_cases").clone();
    answer(
        &mut drilled,
        &asked,
        Answer::ScorecardCases(Ok(pb::ScorecardCasesResponse {
            cases: vec![scored_case(31, 88.0)],
        })),
    );
    let mut form = app_as("unit1", pb::Role::Unit, "r03-urban_services");
    open_case(&mut form, called_case(pb::Role::Unit));
    press(&mut form, KeyCode::Char('p'));
    type_text(&mut form, "هماهنگی");
    for (w, h) in [(1, 1), (10, 3), (20, 6), (40, 10), (79, 23)] {
        for app in [&table, &drilled, &form] {
            let screen = render(app, w, h);
            assert_eq!(screen.lines().count(), usize::from(h));
        }
    }
}
