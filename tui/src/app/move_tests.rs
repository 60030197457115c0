//! The lifecycle on the screens, without a server: keys in, the requests
//! the screens send out, the server's answers in again.

use super::tests::{NOW, answer, answer_list, key, sends, sent, session_as, settings, who};
use super::*;
use crate::app::catalog::tests::shipped;
use crate::app::move_form::{Completion, MoveField};
use crossterm::event::{KeyCode, KeyModifiers};
use desk137_domain::clock::HOUR_MS;
use desk137_domain::validate::Reason;

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, key(code, KeyModifiers::NONE))
}

fn letter(app: &mut App, c: char) -> Vec<Command> {
    let m = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    update(app, key(KeyCode::Char(c), m))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn urgent(id: u64, status: pb::CaseStatus, due_in_ms: i64) -> pb::Case {
    pb::Case {
        id,
        number: format!("1405-{id:06}"),
        status: status as i32,
        urgency: pb::Urgency::Urgent as i32,
        kind: pb::Kind::Executive as i32,
        channel: pb::Channel::Phone as i32,
        unit_id: "r03-urban_services".into(),
        coordination: true,
        revision: 4,
        created_at_ms: NOW - HOUR_MS,
        clocks: vec![
            pb::CaseClock {
                clock: pb::SlaClock::OnSite as i32,
                started_at_ms: NOW - HOUR_MS,
                due_ms: NOW + due_in_ms,
                ..Default::default()
            },
            pb::CaseClock {
                clock: pb::SlaClock::Result as i32,
                started_at_ms: NOW - HOUR_MS,
                due_ms: NOW + 23 * HOUR_MS,
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

fn normal(id: u64, status: pb::CaseStatus) -> pb::Case {
    pb::Case {
        urgency: pb::Urgency::Normal as i32,
        coordination: false,
        clocks: vec![pb::CaseClock {
            clock: pb::SlaClock::FirstResponse as i32,
            started_at_ms: NOW - HOUR_MS,
            due_ms: NOW + 119 * HOUR_MS,
            ..Default::default()
        }],
        ..urgent(id, status, 0)
    }
}

/// A role's app with its queue showing `cases`.
fn queue_with(role: pb::Role, user: &str, unit: &str, cases: Vec<pb::Case>) -> App {
    let mut app = App::new(settings(Lang::Fa), NOW);
    app.catalog = shipped();
    session_as(&mut app, who(user, role, unit));
    crate::app::tests::open_cases(&mut app);
    answer_list(
        &mut app,
        To::Queue,
        Answer::ListCases(Ok(pb::ListCasesResponse {
            cases,
            next_page_token: String::new(),
        })),
    );
    app
}

fn moved(req: &Request) -> &pb::MoveCaseRequest {
    match &req.call {
        Call::MoveCase(m) => m,
        other => panic!("not a move: {other:?}"),
    }
}

fn form(app: &App) -> &move_form::MoveForm {
    let f = match app.screen() {
        Screen::Queue(q) => q.moving.form.as_ref(),
        Screen::Detail(d) => d.moving.form.as_ref(),
        _ => None,
    };
    f.expect("a move form is open")
}

fn has_form(app: &App) -> bool {
    match app.screen() {
        Screen::Queue(q) => q.moving.is_open(),
        Screen::Detail(d) => d.moving.is_open(),
        _ => false,
    }
}

fn status_text(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn move_answer(case: pb::Case) -> Answer {
    Answer::MoveCase(Ok(pb::MoveCaseResponse {
        case: Some(case),
        replayed: false,
    }))
}

fn refused(code: tonic::Code, message: &str) -> Answer {
    Answer::MoveCase(Err(RpcError {
        code,
        message: message.into(),
        fault: None,
    }))
}

#[test]
fn a_unit_acknowledges_from_its_queue_and_the_queue_refreshes() {
    let mut app = queue_with(
        pb::Role::Unit,
        "unit1",
        "r03-urban_services",
        vec![urgent(7, pb::CaseStatus::Referred, HOUR_MS)],
    );
    assert!(app.hints().contains(&Action::Acknowledge));
    // Reopening is the agent's: the unit's bar never offers it.
    assert!(!app.hints().contains(&Action::Reopen));
    letter(&mut app, 'a');
    assert_eq!(app.key_contexts(), ["move", "edit"]);
    assert_eq!(form(&app).kind, pb::Move::Acknowledge);
    type_text(&mut app, "اکیپ اعزام شد");
    let cmds = press(&mut app, KeyCode::Enter);
    let req = sent(&cmds, "move_case").clone();
    let m = moved(&req);
    assert_eq!((m.case_id, m.revision), (7, 4));
    assert_eq!(m.r#move, pb::Move::Acknowledge as i32);
    assert_eq!(m.note, "اکیپ اعزام شد");
    assert!(!m.request_id.is_empty());
    // A second Enter while it is on its way sends nothing twice.
    assert!(sends(&press(&mut app, KeyCode::Enter)).is_empty());
    let mut done = urgent(7, pb::CaseStatus::Acknowledged, HOUR_MS);
    done.revision = 5;
    let cmds = answer(&mut app, &req, move_answer(done));
    assert!(!has_form(&app));
    assert!(
        status_text(&app).contains("1405-000007"),
        "{}",
        status_text(&app)
    );
    sent(&cmds, "list_cases");
    let Screen::Queue(q) = app.screen() else {
        panic!("the queue")
    };
    assert_eq!(q.list.rows[0].revision, 5, "the row shows the move at once");
}

#[test]
fn a_stale_revision_reloads_the_case_and_keeps_what_was_typed() {
    let mut app = queue_with(
        pb::Role::Unit,
        "unit1",
        "r03-urban_services",
        vec![urgent(7, pb::CaseStatus::Acknowledged, HOUR_MS)],
    );
    letter(&mut app, 'n');
    type_text(&mut app, "کوچه بسته است");
    let cmds = press(&mut app, KeyCode::Enter);
    let first = sent(&cmds, "move_case").clone();
    let cmds = answer(
        &mut app,
        &first,
        refused(tonic::Code::Aborted, "the case is at revision 6"),
    );
    let get = sent(&cmds, "get_case").clone();
    assert_eq!(app.status.as_ref().map(|s| s.tone), Some(Tone::Warning));
    assert!(status_text(&app).contains("1405-000007"));
    assert_eq!(form(&app).value(MoveField::Note), "کوچه بسته است");
    let mut now = urgent(7, pb::CaseStatus::OnSite, HOUR_MS);
    now.revision = 6;
    answer(&mut app, &get, Answer::GetCase(Ok(now)));
    assert_eq!(form(&app).target.revision, 6);
    let cmds = press(&mut app, KeyCode::Enter);
    let second = moved(sent(&cmds, "move_case"));
    assert_eq!(second.revision, 6);
    assert_eq!(second.note, "کوچه بسته است");
    // Nothing was moved the first time: this is a new move, with a new key.
    assert_ne!(second.request_id, moved(&first).request_id);
}

#[test]
fn a_lost_answer_keeps_the_key_so_the_retry_moves_once() {
    let mut app = queue_with(
        pb::Role::Unit,
        "unit1",
        "r03-urban_services",
        vec![urgent(7, pb::CaseStatus::Referred, HOUR_MS)],
    );
    letter(&mut app, 'a');
    let cmds = press(&mut app, KeyCode::Enter);
    let first = sent(&cmds, "move_case").clone();
    answer(
        &mut app,
        &first,
        refused(tonic::Code::Unavailable, "tcp connect error"),
    );
    assert_eq!(app.connection, Connection::Disconnected);
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(
        moved(sent(&cmds, "move_case")).request_id,
        moved(&first).request_id
    );
}

#[test]
fn a_refused_move_shows_the_servers_reason_and_a_bad_field_is_marked() {
    let mut app = queue_with(
        pb::Role::Unit,
        "unit1",
        "r03-urban_services",
        vec![normal(9, pb::CaseStatus::Acknowledged)],
    );
    letter(&mut app, 'f');
    assert_eq!(form(&app).focus, MoveField::Response);
    // Right arrow: the other answer, which asks for a date.
    press(&mut app, KeyCode::Right);
    assert_eq!(
        form(&app).fields(),
        [
            MoveField::Response,
            MoveField::Promised,
            MoveField::Note,
            MoveField::DelayReason
        ]
    );
    press(&mut app, KeyCode::Tab);
    // Not a date: refused here, nothing sent, the field marked.
    type_text(&mut app, "فردا");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(sends(&cmds).is_empty());
    let f = form(&app);
    assert_eq!(f.focus, MoveField::Promised);
    assert_eq!(
        f.mark.as_ref().and_then(|m| m.field),
        Some(MoveField::Promised)
    );
    assert_eq!(f.value(MoveField::Promised), "فردا");
    // A Jalali date in Persian digits is taken.
    update(&mut app, key(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut app, "۱۴۰۵/۰۹/۲۰");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "نیاز به قیر");
    press(&mut app, KeyCode::Tab);
    let cmds = press(&mut app, KeyCode::Enter);
    let req = sent(&cmds, "move_case").clone();
    let m = moved(&req);
    assert_eq!(m.response, pb::FirstResponse::NeedsTime as i32);
    assert_eq!(
        m.promised_ms,
        desk137_domain::jalali::parse_jalali("1405/09/20").unwrap()
    );
    // The server refuses the date: the field is marked, the text stays.
    let status = super::tests::refusal("promised_ms", "TOO_LONG", 0);
    answer(
        &mut app,
        &req,
        Answer::MoveCase(Err(RpcError::from_status(&status))),
    );
    let f = form(&app);
    assert_eq!(
        f.mark.as_ref().and_then(|m| m.field),
        Some(MoveField::Promised)
    );
    assert_eq!(f.focus, MoveField::Promised);
    assert_eq!(f.value(MoveField::Note), "نیاز به قیر");
    assert!(
        status_text(&app).contains(&Lang::Fa.reason(Reason::TooLong, 0)),
        "{}",
        status_text(&app)
    );
    // The table refuses it after all: the server's words are shown. F9
    // sends from any field.
    let cmds = press(&mut app, KeyCode::F(9));
    let again = sent(&cmds, "move_case").clone();
    let cmds = answer(
        &mut app,
        &again,
        refused(
            tonic::Code::FailedPrecondition,
            "the case is resolved; it allows: note",
        ),
    );
    assert!(status_text(&app).contains("the case is resolved; it allows: note"));
    sent(&cmds, "get_case");
    assert!(has_form(&app), "the form stays, with its text");
}

#[test]
fn a_move_that_cannot_be_undone_asks_first() {
    let mut app = queue_with(
        pb::Role::Unit,
        "unit1",
        "r03-urban_services",
        vec![normal(9, pb::CaseStatus::Acknowledged)],
    );
    letter(&mut app, 'x');
    assert_eq!(form(&app).kind, pb::Move::Reject);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "محل بازدید شد، چیزی نبود");
    assert!(sends(&press(&mut app, KeyCode::Enter)).is_empty());
    assert!(form(&app).confirming);
    // Esc goes back to the form, not out of it.
    press(&mut app, KeyCode::Esc);
    assert!(!form(&app).confirming);
    assert!(sends(&press(&mut app, KeyCode::Enter)).is_empty());
    let cmds = press(&mut app, KeyCode::Enter);
    let m = moved(sent(&cmds, "move_case")).clone();
    assert_eq!(m.reject_kind, pb::RejectKind::FalseReport as i32);
    // A duplicate names the other case, in any digits.
    let mut app = queue_with(
        pb::Role::Unit,
        "unit1",
        "r03-urban_services",
        vec![normal(9, pb::CaseStatus::Acknowledged)],
    );
    letter(&mut app, 'x');
    press(&mut app, KeyCode::Left);
    assert_eq!(
        form(&app).choice_label(MoveField::RejectKind, Lang::Fa),
        "تکراری"
    );
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "۱۴۰۵-۰۰۰۰۰۳");
    press(&mut app, KeyCode::Tab);
    // The rule the server applies: a rejection says why.
    assert!(sends(&press(&mut app, KeyCode::Enter)).is_empty());
    assert_eq!(
        form(&app).mark.as_ref().and_then(|m| m.field),
        Some(MoveField::Note)
    );
    type_text(&mut app, "همان گزارش دیروز");
    press(&mut app, KeyCode::Enter);
    let cmds = press(&mut app, KeyCode::Enter);
    let m = moved(sent(&cmds, "move_case")).clone();
    assert_eq!(m.duplicate_of, "1405-000003");
    assert_eq!(m.reject_kind, pb::RejectKind::Duplicate as i32);
}

#[test]
fn a_transfer_takes_an_external_unit_by_name_completed_with_tab() {
    let mut app = queue_with(
        pb::Role::Unit,
        "unit1",
        "r03-urban_services",
        vec![normal(9, pb::CaseStatus::Acknowledged)],
    );
    letter(&mut app, 't');
    let external: Vec<_> = app
        .catalog
        .units
        .iter()
        .filter(|u| u.kind == desk137_domain::catalog::UnitKind::External)
        .cloned()
        .collect();
    let target = external.first().expect("the catalog has external units");
    // The first letters, then Tab, until one name is left.
    let first: String = target.name_fa.chars().take(3).collect();
    type_text(&mut app, &first);
    press(&mut app, KeyCode::Tab);
    let typed = form(&app).value(MoveField::Unit).to_owned();
    assert!(typed.chars().count() >= 3 && target.name_fa.starts_with(&typed));
    // Whatever is left of the name, typed in full, resolves to the unit.
    update(&mut app, key(KeyCode::Char('u'), KeyModifiers::CONTROL));
    type_text(&mut app, &target.name_fa);
    press(&mut app, KeyCode::Tab);
    assert_eq!(form(&app).focus, MoveField::Note);
    press(&mut app, KeyCode::Enter);
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(moved(sent(&cmds, "move_case")).unit_id, target.id);
}

#[test]
fn a_result_path_is_completed_by_the_event_loop() {
    let mut app = queue_with(
        pb::Role::Unit,
        "unit1",
        "r03-urban_services",
        vec![urgent(7, pb::CaseStatus::OnSite, HOUR_MS)],
    );
    letter(&mut app, 'd');
    type_text(&mut app, "آسفالت ترمیم شد");
    press(&mut app, KeyCode::Tab);
    assert_eq!(form(&app).focus, MoveField::Attachment);
    type_text(&mut app, "/photos/af");
    let cmds = press(&mut app, KeyCode::Tab);
    assert_eq!(
        cmds,
        [Command::CompletePath {
            to: To::Queue,
            typed: "/photos/af".into()
        }]
    );
    let cmds = update(
        &mut app,
        Msg::Completed {
            to: To::Queue,
            completion: Completion {
                typed: "/photos/af".into(),
                candidates: vec!["/photos/after-1.jpg".into(), "/photos/after-2.jpg".into()],
            },
        },
    );
    assert!(cmds.is_empty());
    assert_eq!(form(&app).value(MoveField::Attachment), "/photos/after-");
    assert!(status_text(&app).contains("after-1.jpg"));
    // An answer for what is no longer typed changes nothing.
    type_text(&mut app, "1.jpg");
    update(
        &mut app,
        Msg::Completed {
            to: To::Queue,
            completion: Completion {
                typed: "/photos/af".into(),
                candidates: vec!["/photos/afar".into()],
            },
        },
    );
    assert_eq!(
        form(&app).value(MoveField::Attachment),
        "/photos/after-1.jpg"
    );
    // Sending uploads the file first...
    press(&mut app, KeyCode::Down);
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(sends(&cmds).is_empty());
    assert!(cmds.contains(&Command::Upload {
        to: To::Queue,
        case_id: 7,
        path: "/photos/after-1.jpg".into(),
    }));
    // ...a refusal marks the field with the server's reason...
    update(
        &mut app,
        Msg::Uploaded {
            to: To::Queue,
            path: "/photos/after-1.jpg".into(),
            result: Err(RpcError {
                code: tonic::Code::InvalidArgument,
                message: "the file is 31 MiB; the limit is 20 MiB".into(),
                fault: None,
            }),
        },
    );
    let f = form(&app);
    assert_eq!(
        f.mark.as_ref().and_then(|m| m.field),
        Some(MoveField::Attachment)
    );
    assert!(
        status_text(&app).contains("20 MiB"),
        "{}",
        status_text(&app)
    );
    // ...and once it is stored, the move goes with its id.
    let cmds = press(&mut app, KeyCode::F(9));
    assert!(matches!(&cmds[..], [Command::Upload { .. }]), "{cmds:?}");
    let id = "ab".repeat(32);
    let cmds = update(
        &mut app,
        Msg::Uploaded {
            to: To::Queue,
            path: "/photos/after-1.jpg".into(),
            result: Ok(pb::Attachment {
                id: id.clone(),
                name: "after-1.jpg".into(),
                media_type: "image/jpeg".into(),
                size: 1234,
                ..Default::default()
            }),
        },
    );
    let m = moved(sent(&cmds, "move_case")).clone();
    assert_eq!(m.attachment_ids, [id]);
    assert_eq!(m.note, "آسفالت ترمیم شد");
}

#[test]
fn the_board_puts_the_least_time_left_first_and_only_offers_allowed_moves() {
    let mut app = queue_with(
        pb::Role::Dispatcher,
        "dispatcher1",
        "",
        vec![
            urgent(1, pb::CaseStatus::Referred, HOUR_MS),
            urgent(2, pb::CaseStatus::Referred, -10 * 60_000),
            urgent(3, pb::CaseStatus::Acknowledged, 20 * 60_000),
        ],
    );
    let Screen::Queue(q) = app.screen() else {
        panic!("the board")
    };
    let ids: Vec<u64> = q.list.rows.iter().map(|c| c.id).collect();
    assert_eq!(ids, [2, 3, 1]);
    let hints = app.hints();
    assert!(hints.contains(&Action::AssignFollowUp), "{hints:?}");
    assert!(!hints.contains(&Action::Acknowledge), "{hints:?}");
    // The key of a move the table refuses says so and opens nothing.
    letter(&mut app, 'a');
    assert!(!has_form(&app));
    assert!(status_text(&app).contains(Lang::Fa.move_name(pb::Move::Acknowledge)));
    letter(&mut app, 'A');
    assert_eq!(form(&app).kind, pb::Move::AssignFollowUp);
    type_text(&mut app, "dispatcher2");
    press(&mut app, KeyCode::Tab);
    let cmds = press(&mut app, KeyCode::Enter);
    let m = moved(sent(&cmds, "move_case")).clone();
    assert_eq!((m.case_id, m.follow_up.as_str()), (2, "dispatcher2"));
}

#[test]
fn an_agent_opens_a_case_by_its_number_adds_a_note_and_reopens_it() {
    let mut app = App::new(settings(Lang::Fa), NOW);
    app.catalog = shipped();
    session_as(&mut app, who("agent1", pb::Role::Agent, ""));
    press(&mut app, KeyCode::F(3));
    assert!(app.finder.is_some());
    type_text(&mut app, "۱۴۰۵-۰۰۰۰۱۲");
    let cmds = press(&mut app, KeyCode::Enter);
    let get = sent(&cmds, "get_case").clone();
    assert_eq!(
        get.call,
        Call::GetCase(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Number("1405-000012".into()))
        })
    );
    let mut c = normal(12, pb::CaseStatus::Resolved);
    c.number = "1405-000012".into();
    answer(&mut app, &get, Answer::GetCase(Ok(c.clone())));
    let Screen::Detail(d) = app.screen() else {
        panic!("the case view")
    };
    assert!(d.loaded().is_some());
    let hints = app.hints();
    assert!(hints.contains(&Action::AddNote), "{hints:?}");
    assert!(hints.contains(&Action::Reopen), "{hints:?}");
    assert!(!hints.contains(&Action::Resolve), "{hints:?}");
    letter(&mut app, 'O');
    assert_eq!(form(&app).kind, pb::Move::Reopen);
    // The citizen's words are the reopen: empty is refused here, in the
    // form's own words for the field.
    assert!(sends(&press(&mut app, KeyCode::Enter)).is_empty());
    assert!(
        status_text(&app).is_empty()
            && form(&app).mark.as_ref().is_some_and(|m| m
                .text
                .starts_with(Lang::Fa.move_field(MoveField::Note, pb::Move::Reopen))),
        "{:?}",
        form(&app).mark
    );
    type_text(&mut app, "آسفالت دوباره نشست کرده");
    let cmds = press(&mut app, KeyCode::Enter);
    let req = sent(&cmds, "move_case").clone();
    assert_eq!(moved(&req).r#move, pb::Move::Reopen as i32);
    assert_eq!(req.ticket.to, To::Detail);
    let mut after = c;
    after.status = pb::CaseStatus::Reopened as i32;
    answer(&mut app, &req, move_answer(after));
    let Screen::Detail(d) = app.screen() else {
        unreachable!()
    };
    assert_eq!(
        d.loaded().map(|c| c.status),
        Some(pb::CaseStatus::Reopened as i32)
    );
    // Back on the intake screen, its list is read again.
    let cmds = press(&mut app, KeyCode::Esc);
    sent(&cmds, "list_cases");
}

#[test]
fn a_supervisor_filters_by_state_unit_region_and_level() {
    let mut low = normal(1, pb::CaseStatus::Referred);
    low.escalation_level = 0;
    let mut high = normal(2, pb::CaseStatus::Referred);
    high.escalation_level = 2;
    let mut app = queue_with(pb::Role::Supervisor, "supervisor1", "", vec![low, high]);
    let cmds = letter(&mut app, 's');
    let first_open = desk137_domain::model::CaseStatus::all()
        .find(|s| s.is_open())
        .unwrap();
    let Call::ListCases(req) = &sent(&cmds, "list_cases").call else {
        unreachable!()
    };
    assert_eq!(
        req.status,
        desk137_proto::convert::WireEnum::to_wire(first_open)
    );
    let cmds = letter(&mut app, 'm');
    let Call::ListCases(req) = &sent(&cmds, "list_cases").call else {
        unreachable!()
    };
    assert_eq!(req.region, 1);
    let cmds = letter(&mut app, 'u');
    let Call::ListCases(req) = &sent(&cmds, "list_cases").call else {
        unreachable!()
    };
    let unit = app
        .catalog
        .unit(&req.unit_id)
        .expect("a unit of the catalog");
    assert_eq!(unit.region, 1);
    letter(&mut app, 'l');
    let Screen::Queue(q) = app.screen() else {
        unreachable!()
    };
    assert_eq!(q.visible().iter().map(|c| c.id).collect::<Vec<_>>(), [2]);
    let cmds = letter(&mut app, '0');
    let Call::ListCases(req) = &sent(&cmds, "list_cases").call else {
        unreachable!()
    };
    assert_eq!((req.status, req.region, req.unit_id.as_str()), (0, 0, ""));
}

#[test]
fn the_demo_switches_role_and_moves_its_clock() {
    let mut app = App::new(settings(Lang::Fa), NOW);
    app.demo_user = Some("dispatcher1".into());
    let first = session_as(&mut app, who("dispatcher1", pb::Role::Dispatcher, ""));
    let old_list = sent(&first, "list_cases").clone();
    let cmds = press(&mut app, KeyCode::F(6));
    assert_eq!(cmds[0], Command::SwitchUser("unit1".into()));
    let who_req = sent(&cmds, "who_am_i").clone();
    assert!(app.session.is_none());
    answer(
        &mut app,
        &who_req,
        who("unit1", pb::Role::Unit, "r03-urban_services"),
    );
    assert!(matches!(app.screen(), Screen::Queue(_)));
    assert_eq!(app.status, None, "signed in: the switching notice is gone");
    // The dispatcher's board, asked for before the switch, arrives late:
    // dropped, though its ticket names a queue of the same generation.
    let Screen::Queue(q) = app.screen() else {
        unreachable!()
    };
    assert_eq!(q.list.generation, old_list.ticket.generation);
    answer(
        &mut app,
        &old_list,
        Answer::ListCases(Ok(pb::ListCasesResponse {
            cases: vec![normal(99, pb::CaseStatus::Referred)],
            next_page_token: String::new(),
        })),
    );
    let Screen::Queue(q) = app.screen() else {
        unreachable!()
    };
    assert!(q.list.rows.is_empty(), "nothing of the user before");
    let cmds = press(&mut app, KeyCode::F(7));
    let [Command::SendAs { user, request }] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(user, DEMO_ADMIN);
    assert_eq!(
        request.call,
        Call::Advance(pb::AdvanceRequest { ms: ADVANCE_MS })
    );
    let cmds = answer(
        &mut app,
        request,
        Answer::Advance(Ok(pb::AdvanceResponse {
            now_ms: NOW + ADVANCE_MS,
        })),
    );
    sent(&cmds, "list_cases");
    // The countdowns run on the server's time from now on.
    update(&mut app, Msg::Tick(NOW + 1_000));
    assert_eq!(app.now_ms, NOW + ADVANCE_MS + 1_000);
}

#[test]
fn outside_the_demo_the_role_and_clock_keys_do_nothing() {
    let mut app = App::new(settings(Lang::Fa), NOW);
    let mut who_answer = who("agent1", pb::Role::Agent, "");
    if let Answer::WhoAmI(Ok(w)) = &mut who_answer {
        w.demo = false;
    }
    session_as(&mut app, who_answer);
    assert!(press(&mut app, KeyCode::F(6)).is_empty());
    assert!(press(&mut app, KeyCode::F(7)).is_empty());
    assert_eq!(status_text(&app), Lang::Fa.demo_only());
    assert!(app.session.is_some());
}
