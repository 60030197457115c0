use super::*;
use crate::app::catalog::tests::shipped;
use crossterm::event::{KeyCode, KeyEventState, KeyModifiers};
use desk137_domain::model::Kind;

pub(crate) fn key(code: KeyCode, modifiers: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent {
        code,
        modifiers,
        kind: KeyEventKind::Press,
        state: KeyEventState::NONE,
    })
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, key(code, KeyModifiers::NONE))
}

fn ctrl(app: &mut App, c: char) -> Vec<Command> {
    update(app, key(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn type_text(app: &mut App, text: &str) -> Vec<Command> {
    text.chars()
        .flat_map(|c| press(app, KeyCode::Char(c)))
        .collect()
}

pub(crate) fn settings(lang: Lang) -> Settings {
    Settings {
        lang,
        calendar: Calendar::Jalali,
        bidi: false,
        keymap: Keymap::shipped().unwrap(),
        id_prefix: "t".into(),
    }
}

/// 2026-11-28 10:02 UTC: 7 Azar 1405, 13:32 in Tehran.
pub(crate) const NOW: Millis = 1_795_860_120_000;

/// An agent's app, catalog loaded, as after the first answers.
pub(crate) fn agent_app(lang: Lang) -> App {
    let mut app = App::new(settings(lang), NOW);
    let cmds = app.start();
    assert_eq!(cmds.len(), 4);
    app.catalog = shipped();
    let cmds = update(
        &mut app,
        Msg::reply(Reply::WhoAmI(Ok(pb::WhoAmIResponse {
            sla: None,
            user: "agent1".into(),
            role: pb::Role::Agent as i32,
            unit_id: String::new(),
            demo: true,
            server_time_ms: NOW,
        }))),
    );
    assert!(matches!(
        &cmds[..],
        [Command::Send(Request::ListCases {
            list: ListKind::Recent,
            ..
        })]
    ));
    app
}

fn form(app: &App) -> &Intake {
    app.form().expect("the intake screen")
}

fn sent_case(cmds: &[Command]) -> pb::CreateCaseRequest {
    match cmds {
        [Command::Send(Request::CreateCase(r))] => r.clone(),
        other => panic!("expected one CreateCase, got {other:?}"),
    }
}

/// Fills the form the way an agent does, by keys only.
fn fill(app: &mut App) {
    type_text(app, "09131234567");
    press(app, KeyCode::Tab);
    type_text(app, "وانت میوه فروشی پیاده رو را بسته");
    press(app, KeyCode::Enter);
    // The topic field suggests from the description, best first.
    assert_eq!(form(app).focus, Field::Topic);
    press(app, KeyCode::Enter);
    type_text(app, "۳");
    press(app, KeyCode::Enter);
    type_text(app, "خیابان چهارباغ عباسی");
}

#[test]
fn typed_characters_go_to_the_focused_field() {
    let mut app = agent_app(Lang::Fa);
    type_text(&mut app, "۰۹۱۳");
    assert_eq!(form(&app).value(Field::Phone), "۰۹۱۳");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "چراغ کوچه");
    ctrl(&mut app, 'w');
    assert_eq!(form(&app).value(Field::Description), "چراغ ");
    ctrl(&mut app, 'a');
    type_text(&mut app, "x");
    assert_eq!(form(&app).value(Field::Description), "xچراغ ");
    update(&mut app, Msg::Paste("پیاده‌رو\nبسته".into()));
    assert_eq!(form(&app).value(Field::Description), "xپیاده‌رو بستهچراغ ");
}

#[test]
fn a_valid_number_fetches_the_history_once_and_late_answers_are_dropped() {
    let mut app = agent_app(Lang::Fa);
    let cmds = type_text(&mut app, "0913123456");
    assert!(cmds.is_empty(), "ten digits are not a number yet");
    let cmds = type_text(&mut app, "7");
    assert_eq!(
        cmds,
        vec![Command::Send(Request::CallerHistory {
            phone: "09131234567".into()
        })]
    );
    // The answer for another number arrives late: it is not shown.
    update(
        &mut app,
        Msg::reply(Reply::CallerHistory {
            phone: "09120000000".into(),
            result: Ok(pb::CallerHistoryResponse::default()),
        }),
    );
    assert_eq!(form(&app).history.state, Some(Loadable::Loading));
    update(
        &mut app,
        Msg::reply(Reply::CallerHistory {
            phone: "09131234567".into(),
            result: Ok(pb::CallerHistoryResponse {
                cases: vec![],
                total: 3,
                open: 1,
            }),
        }),
    );
    assert!(matches!(form(&app).history.state, Some(Loadable::Loaded(ref h)) if h.total == 3));
    // Leaving the field does not fetch again.
    assert!(press(&mut app, KeyCode::Tab).is_empty());
}

#[test]
fn a_bad_number_warns_on_leaving_but_keeps_what_was_typed() {
    let mut app = agent_app(Lang::En);
    type_text(&mut app, "0913abc");
    press(&mut app, KeyCode::Tab);
    let s = app.status.clone().unwrap();
    assert_eq!(s.tone, Tone::Warning);
    assert!(s.text.contains("not a digit"), "{}", s.text);
    assert_eq!(form(&app).value(Field::Phone), "0913abc");
    assert_eq!(form(&app).focus, Field::Description);
}

#[test]
fn the_description_suggests_topics_on_every_keystroke() {
    let mut app = agent_app(Lang::Fa);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "چراغ روشنايي کوچه خاموشه");
    let f = form(&app);
    assert_eq!(f.suggestions.field, Some(Field::Description));
    let Some(Suggestion::Topic(first)) = f.suggestions.items.first().copied() else {
        panic!("no topic suggested");
    };
    assert_eq!(app.catalog.topics[first.index].title_fa, "روشنایی معابر");
    // Nothing is highlighted while describing: Enter moves on.
    assert_eq!(f.suggestions.selected, None);
}

use intake::Suggestion;

#[test]
fn picking_a_suggestion_sets_topic_kind_urgency_and_moves_on() {
    let mut app = agent_app(Lang::Fa);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "زمین نشست کرده فرونشست");
    // Down highlights the first suggestion, Enter takes it.
    press(&mut app, KeyCode::Down);
    assert_eq!(form(&app).suggestions.selected, Some(0));
    press(&mut app, KeyCode::Enter);
    let f = form(&app);
    let topic = app.catalog.topic(f.topic.as_deref().unwrap()).unwrap();
    assert_eq!(topic.title_fa, "فرونشست زمین");
    assert_eq!(f.value(Field::Topic), "فرونشست زمین");
    assert_eq!(f.kind(&app.catalog), Some(Kind::Executive));
    assert_eq!(f.urgency, Urgency::Urgent, "the topic's default urgency");
    assert_eq!(f.focus, Field::Region);
    assert!(!f.suggestions.is_open());
}

#[test]
fn the_topic_field_takes_the_best_with_enter_and_typing_clears_the_choice() {
    let mut app = agent_app(Lang::Fa);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "سد مع");
    assert_eq!(form(&app).suggestions.selected, Some(0));
    press(&mut app, KeyCode::Enter);
    assert_eq!(form(&app).value(Field::Topic), "سد معبر");
    assert_eq!(form(&app).urgency, Urgency::Normal);
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Backspace);
    assert_eq!(form(&app).topic, None);
    assert!(form(&app).suggestions.is_open());
    // Esc closes the list and keeps the text.
    press(&mut app, KeyCode::Esc);
    assert!(!form(&app).suggestions.is_open());
    assert_eq!(form(&app).value(Field::Topic), "سد معب");
}

#[test]
fn regions_by_number_in_persian_digits() {
    let mut app = agent_app(Lang::Fa);
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(form(&app).focus, Field::Region);
    type_text(&mut app, "۱۲");
    assert_eq!(
        form(&app).suggestions.items.first(),
        Some(&Suggestion::Region(12))
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(form(&app).region, Some(12));
    assert_eq!(form(&app).value(Field::Region), "منطقه ۱۲");
    assert_eq!(form(&app).focus, Field::Address);
    // Typing a number and leaving with Tab takes it too.
    press(&mut app, KeyCode::BackTab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "5");
    press(&mut app, KeyCode::Tab);
    assert_eq!(form(&app).region, Some(5));
}

#[test]
fn save_success_clears_the_form_for_the_next_call() {
    let mut app = agent_app(Lang::Fa);
    fill(&mut app);
    let first_id = form(&app).request_id.clone();
    let req = sent_case(&ctrl(&mut app, 's'));
    assert_eq!(req.request_id, first_id);
    assert_eq!(req.phone, "09131234567");
    assert_eq!(req.region, 3);
    assert_eq!(req.address, "خیابان چهارباغ عباسی");
    assert_eq!(
        app.catalog.topic(&req.topic_id).unwrap().title_fa,
        "سد معبر"
    );
    assert!(form(&app).saving);
    // Typing while the save is in flight is refused aloud, not lost silently.
    type_text(&mut app, "x");
    assert_eq!(app.status.as_ref().unwrap().tone, Tone::Warning);
    assert_eq!(form(&app).value(Field::Address), "خیابان چهارباغ عباسی");

    let case = pb::Case {
        id: 7,
        number: "1405-000007".into(),
        topic_id: req.topic_id.clone(),
        created_by: "agent1".into(),
        ..Default::default()
    };
    let cmds = update(
        &mut app,
        Msg::reply(Reply::Created {
            request_id: first_id.clone(),
            result: Ok(pb::CreateCaseResponse {
                case: Some(case),
                replayed: false,
            }),
        }),
    );
    assert!(matches!(
        &cmds[..],
        [Command::Send(Request::ListCases {
            list: ListKind::Recent,
            ..
        })]
    ));
    let f = form(&app);
    assert!(!f.is_dirty());
    assert!(!f.saving);
    assert_eq!(f.focus, Field::Phone);
    assert_ne!(f.request_id, first_id, "a new call gets a new key");
    let s = app.status.as_ref().unwrap();
    assert_eq!(s.tone, Tone::Success);
    assert!(s.text.contains("1405-000007"));
    let Screen::Intake { recent, .. } = &app.screen else {
        unreachable!()
    };
    assert_eq!(recent.rows[0].number, "1405-000007");
}

#[test]
fn a_server_refusal_keeps_the_form_and_focuses_the_named_field() {
    let mut app = agent_app(Lang::En);
    fill(&mut app);
    let req = sent_case(&ctrl(&mut app, 's'));
    update(
        &mut app,
        Msg::reply(Reply::Created {
            request_id: req.request_id.clone(),
            result: Err(RpcError {
                code: tonic::Code::InvalidArgument,
                message: "landmark: is too long: 201 characters, at most 200".into(),
            }),
        }),
    );
    let f = form(&app);
    assert_eq!(f.focus, Field::Landmark);
    assert!(!f.saving);
    assert_eq!(f.value(Field::Address), "خیابان چهارباغ عباسی");
    assert_eq!(f.request_id, req.request_id);
    let s = app.status.as_ref().unwrap();
    assert_eq!(s.tone, Tone::Error);
    assert_eq!(
        s.text,
        "not saved: Landmark: is too long: 201 characters, at most 200"
    );
}

#[test]
fn the_rules_are_checked_before_sending() {
    let mut app = agent_app(Lang::Fa);
    fill(&mut app);
    // Empty the address: the domain rule names it and nothing is sent.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::BackTab);
    ctrl(&mut app, 'u');
    assert!(ctrl(&mut app, 's').is_empty());
    assert_eq!(form(&app).focus, Field::Address);
    let s = app.status.as_ref().unwrap();
    assert_eq!(s.text, "ثبت نشد: نشانی: کوتاه است");
    assert_eq!(form(&app).value(Field::Phone), "09131234567");
}

#[test]
fn a_lost_connection_keeps_the_form_and_the_retry_reuses_the_key() {
    let mut app = agent_app(Lang::En);
    fill(&mut app);
    let req = sent_case(&ctrl(&mut app, 's'));
    update(
        &mut app,
        Msg::reply(Reply::Created {
            request_id: req.request_id.clone(),
            result: Err(RpcError {
                code: tonic::Code::Unavailable,
                message: "connection refused".into(),
            }),
        }),
    );
    assert_eq!(app.connection, Connection::Disconnected);
    // The hint names the key that saves whatever the keyboard layout.
    assert!(app.status.as_ref().unwrap().text.contains("F9"));
    assert!(form(&app).is_dirty());
    // The probe runs on the clock.
    assert!(update(&mut app, Msg::Tick(NOW + 1)).is_empty());
    assert_eq!(
        update(&mut app, Msg::Tick(NOW + PROBE_MS)),
        vec![Command::Send(Request::WhoAmI)]
    );
    let retry = sent_case(&ctrl(&mut app, 's'));
    assert_eq!(retry, req, "the same request, the same key");
    // The server is back: any answer says so.
    update(
        &mut app,
        Msg::reply(Reply::Created {
            request_id: req.request_id.clone(),
            result: Ok(pb::CreateCaseResponse {
                case: Some(pb::Case {
                    id: 1,
                    number: "1405-000001".into(),
                    ..Default::default()
                }),
                replayed: true,
            }),
        }),
    );
    assert_eq!(app.connection, Connection::Connected);
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "✓ 1405-000001 had already been saved"
    );
}

#[test]
fn urgent_toggles_on_executive_topics_and_refuses_informational_ones() {
    let mut app = agent_app(Lang::Fa);
    // Before a topic: the agent's word stands, and a normal topic keeps it.
    press(&mut app, KeyCode::F(4));
    assert_eq!(form(&app).urgency, Urgency::Urgent);
    let sidewalk = app
        .catalog
        .topics
        .iter()
        .position(|t| t.title_fa == "سد معبر")
        .unwrap();
    let Screen::Intake { form: f, .. } = &mut app.screen else {
        unreachable!()
    };
    f.choose_topic(sidewalk, &app.catalog);
    assert_eq!(form(&app).urgency, Urgency::Urgent);
    update(&mut app, key(KeyCode::Char('u'), KeyModifiers::ALT));
    assert_eq!(form(&app).urgency, Urgency::Normal);

    let info = app
        .catalog
        .topics
        .iter()
        .position(|t| t.kind == Kind::Informational)
        .unwrap();
    let Screen::Intake { form: f, .. } = &mut app.screen else {
        unreachable!()
    };
    f.choose_topic(info, &app.catalog);
    press(&mut app, KeyCode::F(4));
    assert_eq!(form(&app).urgency, Urgency::Normal);
    let s = app.status.as_ref().unwrap();
    assert_eq!(s.tone, Tone::Error);
    assert_eq!(s.text, Lang::Fa.labels().informational_not_urgent);
}

#[test]
fn a_new_call_over_unsaved_text_asks_first() {
    let mut app = agent_app(Lang::Fa);
    type_text(&mut app, "0913");
    press(&mut app, KeyCode::F(2));
    assert_eq!(app.overlay, Some(Overlay::Confirm(Confirm::Discard)));
    // Typing does not reach the form while the question is open.
    type_text(&mut app, "5");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, None);
    assert_eq!(form(&app).value(Field::Phone), "0913");
    ctrl(&mut app, 'n');
    press(&mut app, KeyCode::Enter);
    assert_eq!(form(&app).value(Field::Phone), "");
    // An empty form clears without asking, and quitting it needs no question.
    press(&mut app, KeyCode::F(2));
    assert_eq!(app.overlay, None);
    assert_eq!(ctrl(&mut app, 'q'), vec![Command::Quit]);
}

#[test]
fn quitting_with_unsaved_text_asks_first() {
    let mut app = agent_app(Lang::Fa);
    type_text(&mut app, "0913");
    assert!(ctrl(&mut app, 'q').is_empty());
    assert_eq!(app.overlay, Some(Overlay::Confirm(Confirm::Quit)));
    assert_eq!(press(&mut app, KeyCode::Enter), vec![Command::Quit]);
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut app = agent_app(Lang::Fa);
    press(&mut app, KeyCode::F(1));
    assert_eq!(app.overlay, Some(Overlay::Help { scroll: 0 }));
    press(&mut app, KeyCode::Down);
    assert_eq!(app.overlay, Some(Overlay::Help { scroll: 1 }));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, None);
}

fn queue_app(role: pb::Role) -> (App, Vec<Command>) {
    let mut app = App::new(settings(Lang::Fa), NOW);
    app.start();
    let cmds = update(
        &mut app,
        Msg::reply(Reply::WhoAmI(Ok(pb::WhoAmIResponse {
            sla: None,
            user: "unit1".into(),
            role: role as i32,
            unit_id: "r03-urban_services".into(),
            demo: true,
            server_time_ms: NOW,
        }))),
    );
    (app, cmds)
}

#[test]
fn each_role_asks_for_its_own_list() {
    let (_, cmds) = queue_app(pb::Role::Unit);
    let [Command::Send(Request::ListCases { list, request, .. })] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(*list, ListKind::UnitQueue);
    assert_eq!(request.unit_id, "r03-urban_services");
    assert!(request.open_only);
    let (_, cmds) = queue_app(pb::Role::Dispatcher);
    let [Command::Send(Request::ListCases { request, .. })] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(request.urgency, pb::Urgency::Urgent as i32);
    let (app, _) = queue_app(pb::Role::Supervisor);
    assert!(matches!(&app.screen, Screen::Queue(q) if q.list.kind == ListKind::AllOpen));
}

#[test]
fn a_queue_opens_a_case_and_goes_back() {
    let (mut app, _) = queue_app(pb::Role::Supervisor);
    let rows: Vec<pb::Case> = (1..=3)
        .map(|i| pb::Case {
            id: i,
            number: format!("1405-00000{i}"),
            ..Default::default()
        })
        .collect();
    update(
        &mut app,
        Msg::reply(Reply::Cases {
            list: ListKind::AllOpen,
            append: false,
            result: Ok(pb::ListCasesResponse {
                cases: rows,
                next_page_token: String::new(),
            }),
        }),
    );
    press(&mut app, KeyCode::Down);
    update(&mut app, key(KeyCode::Char('j'), KeyModifiers::NONE));
    press(&mut app, KeyCode::Down);
    let cmds = press(&mut app, KeyCode::Enter);
    assert_eq!(cmds, vec![Command::Send(Request::GetCase { id: 3 })]);
    let Screen::Queue(q) = &app.screen else {
        unreachable!()
    };
    assert_eq!(q.detail.as_ref().unwrap().case, Loadable::Loading);
    press(&mut app, KeyCode::Esc);
    let Screen::Queue(q) = &app.screen else {
        unreachable!()
    };
    assert!(q.detail.is_none());
    // The list refreshes itself on the clock.
    let cmds = update(&mut app, Msg::Tick(NOW + QUEUE_REFRESH_MS));
    assert!(matches!(
        &cmds[..],
        [Command::Send(Request::ListCases { .. })]
    ));
}
