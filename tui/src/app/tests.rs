use super::*;
use crate::app::catalog::tests::shipped;
use crossterm::event::{KeyCode, KeyEventState, KeyModifiers};
use desk137_domain::model::{Kind, Urgency};
use desk137_domain::validate::Reason;
use intake::{Intake, Loadable};
use screens::QueueScreen;
use tonic_types::{ErrorDetails, StatusExt};

/// The requests among `cmds`.
pub(crate) fn sends(cmds: &[Command]) -> Vec<&Request> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Send(r) => Some(r),
            _ => None,
        })
        .collect()
}

/// The one request among `cmds` that makes `call`.
pub(crate) fn sent<'a>(cmds: &'a [Command], call: &str) -> &'a Request {
    let found: Vec<&Request> = sends(cmds)
        .into_iter()
        .filter(|r| r.call.name() == call)
        .collect();
    match found[..] {
        [r] => r,
        _ => panic!("expected one {call} in {cmds:?}"),
    }
}

/// The server answers the list `to` is showing now, as asked last.
pub(crate) fn answer_list(app: &mut App, to: To, ans: Answer) -> Vec<Command> {
    let generation = app
        .screens()
        .iter()
        .find_map(|s| match s {
            Screen::Intake(s) if to == To::Intake => Some(s.recent.generation),
            Screen::Queue(q) if to == To::Queue => Some(q.list.generation),
            _ => None,
        })
        .expect("a screen with a list");
    let request = Request::new(
        to,
        generation,
        Call::ListCases(pb::ListCasesRequest::default()),
    );
    answer(app, &request, ans)
}

/// The server answers `request`.
pub(crate) fn answer(app: &mut App, request: &Request, answer: Answer) -> Vec<Command> {
    update(app, Msg::reply(request.clone(), answer))
}

/// The service levels the server sends: the center's figures.
pub(crate) fn server_sla() -> Option<pb::SlaPolicy> {
    Some((&SlaPolicy::default()).into())
}

pub(crate) fn who(user: &str, role: pb::Role, unit_id: &str) -> Answer {
    Answer::WhoAmI(Ok(pb::WhoAmIResponse {
        sla: server_sla(),
        user: user.into(),
        role: role as i32,
        unit_id: unit_id.into(),
        demo: true,
        server_time_ms: NOW,
    }))
}

/// Opens the session as `user`: the first answers, as the server sends them.
pub(crate) fn session_as(app: &mut App, who_answer: Answer) -> Vec<Command> {
    let cmds = app.start();
    let req = sent(&cmds, "who_am_i").clone();
    answer(app, &req, who_answer)
}

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
    assert_eq!(app.start().len(), 4);
    app.catalog = shipped();
    let cmds = session_as(&mut app, who("agent1", pb::Role::Agent, ""));
    let list = sent(&cmds, "list_cases");
    assert_eq!(list.ticket.to, To::Intake);
    assert!(cmds.contains(&Command::Subscribe {
        id: stream::HEALTH,
        stream: StreamSpec::Health
    }));
    app
}

fn form(app: &App) -> &Intake {
    app.form().expect("the intake screen")
}

fn sent_case(cmds: &[Command]) -> pb::CreateCaseRequest {
    assert_eq!(cmds.len(), 1, "{cmds:?}");
    match &sent(cmds, "create_case").call {
        Call::CreateCase(r) => r.clone(),
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
    let req = sent(&cmds, "caller_history").clone();
    assert_eq!(cmds.len(), 1);
    assert_eq!(
        req.call,
        Call::CallerHistory(pb::CallerHistoryRequest {
            phone: "09131234567".into(),
            limit: screens::intake::HISTORY_LIMIT,
        })
    );
    // The answer for another number arrives late: it is not shown.
    let mut other = req.clone();
    other.call = Call::CallerHistory(pb::CallerHistoryRequest {
        phone: "09120000000".into(),
        limit: 20,
    });
    answer(
        &mut app,
        &other,
        Answer::CallerHistory(Ok(pb::CallerHistoryResponse::default())),
    );
    assert_eq!(form(&app).history.state, Some(Loadable::Loading));
    answer(
        &mut app,
        &req,
        Answer::CallerHistory(Ok(pb::CallerHistoryResponse {
            cases: vec![],
            total: 3,
            open: 1,
            ..Default::default()
        })),
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
    let cmds = ctrl(&mut app, 's');
    let save = sent(&cmds, "create_case").clone();
    let req = sent_case(&cmds);
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
    let cmds = answer(
        &mut app,
        &save,
        Answer::CreateCase(Ok(pb::CreateCaseResponse {
            case: Some(case),
            replayed: false,
        })),
    );
    assert_eq!(sent(&cmds, "list_cases").ticket.to, To::Intake);
    let f = form(&app);
    assert!(!f.is_dirty());
    assert!(!f.saving);
    assert_eq!(f.focus, Field::Phone);
    assert_ne!(f.request_id, first_id, "a new call gets a new key");
    let s = app.status.as_ref().unwrap();
    assert_eq!(s.tone, Tone::Success);
    assert!(s.text.contains("1405-000007"));
    let Screen::Intake(s) = app.screen() else {
        unreachable!()
    };
    assert_eq!(s.recent.rows[0].number, "1405-000007");
}

#[test]
fn a_server_refusal_keeps_the_form_and_focuses_the_named_field() {
    let mut app = agent_app(Lang::En);
    fill(&mut app);
    let cmds = ctrl(&mut app, 's');
    let save = sent(&cmds, "create_case").clone();
    let req = sent_case(&cmds);
    // As the server sends it: a sentence for people, the code for clients.
    let status = refusal("landmark", "TOO_LONG", 200);
    answer(
        &mut app,
        &save,
        Answer::CreateCase(Err(RpcError::from_status(&status))),
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
        "not saved: Landmark: is too long: at most 200 characters"
    );
}

/// An INVALID_ARGUMENT as the server words it, with both details.
pub(crate) fn refusal(field: &str, reason: &str, limit: u32) -> tonic::Status {
    let mut details = ErrorDetails::with_bad_request_violation(field, "an English sentence");
    details.set_error_info(
        reason,
        msg::ERROR_DOMAIN,
        [
            ("field".to_owned(), field.to_owned()),
            ("limit".to_owned(), limit.to_string()),
        ],
    );
    tonic::Status::with_error_details(
        tonic::Code::InvalidArgument,
        format!("{field}: an English sentence"),
        details,
    )
}

#[test]
fn the_servers_reason_code_is_read_from_the_details() {
    let e = RpcError::from_status(&refusal("address", "TOO_SHORT", 3));
    assert_eq!(
        e.fault,
        Some(msg::FieldFault {
            field: "address".into(),
            reason: Reason::TooShort,
            limit: 3
        })
    );
    // A code this version does not know, or another domain's, is no fault:
    // the server's sentence is shown as it came.
    assert_eq!(
        RpcError::from_status(&refusal("address", "NEW_RULE", 0)).fault,
        None
    );
    let mut details = ErrorDetails::new();
    details.set_error_info("TOO_SHORT", "example.com", []);
    let foreign = tonic::Status::with_error_details(tonic::Code::InvalidArgument, "x", details);
    assert_eq!(RpcError::from_status(&foreign).fault, None);
    assert_eq!(
        RpcError::from_status(&tonic::Status::invalid_argument("x")).fault,
        None
    );
}

#[test]
fn a_refusal_without_a_code_shows_the_servers_words() {
    let mut app = agent_app(Lang::Fa);
    fill(&mut app);
    let cmds = ctrl(&mut app, 's');
    let save = sent(&cmds, "create_case").clone();
    let status = tonic::Status::invalid_argument("landmark: something new");
    answer(
        &mut app,
        &save,
        Answer::CreateCase(Err(RpcError::from_status(&status))),
    );
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "ثبت نشد: landmark: something new"
    );
}

#[test]
fn a_server_refusal_and_a_local_one_read_the_same() {
    // The rules here refuse a short address; so does the server, with the
    // same code: the agent reads one sentence either way.
    let mut app = agent_app(Lang::Fa);
    fill(&mut app);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::BackTab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "ab");
    assert!(sends(&ctrl(&mut app, 's')).is_empty());
    let local = app.status.clone().unwrap().text;
    let mut app = agent_app(Lang::Fa);
    fill(&mut app);
    let cmds = ctrl(&mut app, 's');
    let save = sent(&cmds, "create_case").clone();
    let status = refusal("address", "TOO_SHORT", 3);
    answer(
        &mut app,
        &save,
        Answer::CreateCase(Err(RpcError::from_status(&status))),
    );
    assert_eq!(app.status.clone().unwrap().text, local);
    assert_eq!(local, "ثبت نشد: نشانی: کوتاه است؛ دست‌کم ۳ حرف");
}

#[test]
fn the_rules_are_checked_before_sending() {
    let mut app = agent_app(Lang::Fa);
    fill(&mut app);
    // Empty the address: the domain rule names it and nothing is sent.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::BackTab);
    ctrl(&mut app, 'u');
    assert!(sends(&ctrl(&mut app, 's')).is_empty());
    assert_eq!(form(&app).focus, Field::Address);
    let s = app.status.as_ref().unwrap();
    assert_eq!(s.text, "ثبت نشد: نشانی: کوتاه است؛ دست‌کم ۳ حرف");
    assert_eq!(form(&app).value(Field::Phone), "09131234567");
}

#[test]
fn a_lost_connection_keeps_the_form_and_the_retry_reuses_the_key() {
    let mut app = agent_app(Lang::En);
    fill(&mut app);
    let cmds = ctrl(&mut app, 's');
    let save = sent(&cmds, "create_case").clone();
    let req = sent_case(&cmds);
    answer(
        &mut app,
        &save,
        Answer::CreateCase(Err(RpcError {
            code: tonic::Code::Unavailable,
            message: "connection refused".into(),
            fault: None,
        })),
    );
    assert_eq!(app.connection, Connection::Disconnected);
    // The hint names the key that saves whatever the keyboard layout.
    assert!(app.status.as_ref().unwrap().text.contains("F9"));
    assert!(form(&app).is_dirty());
    // The probe runs on the clock.
    assert!(update(&mut app, Msg::Tick(NOW + 1)).is_empty());
    let probe = update(&mut app, Msg::Tick(NOW + PROBE_MS));
    assert_eq!(probe.len(), 1);
    sent(&probe, "who_am_i");
    let retry = sent_case(&ctrl(&mut app, 's'));
    assert_eq!(retry, req, "the same request, the same key");
    // The server is back: any answer says so.
    answer(
        &mut app,
        &save,
        Answer::CreateCase(Ok(pb::CreateCaseResponse {
            case: Some(pb::Case {
                id: 1,
                number: "1405-000001".into(),
                ..Default::default()
            }),
            replayed: true,
        })),
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
    let catalog = std::mem::take(&mut app.catalog);
    let Screen::Intake(s) = app.screen_mut() else {
        unreachable!()
    };
    s.form.choose_topic(sidewalk, &catalog);
    app.catalog = catalog;
    assert_eq!(form(&app).urgency, Urgency::Urgent);
    update(&mut app, key(KeyCode::Char('u'), KeyModifiers::ALT));
    assert_eq!(form(&app).urgency, Urgency::Normal);

    let info = app
        .catalog
        .topics
        .iter()
        .position(|t| t.kind == Kind::Informational)
        .unwrap();
    let catalog = std::mem::take(&mut app.catalog);
    let Screen::Intake(s) = app.screen_mut() else {
        unreachable!()
    };
    s.form.choose_topic(info, &catalog);
    app.catalog = catalog;
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
    let cmds = session_as(&mut app, who("unit1", role, "r03-urban_services"));
    let cmds = open_cases(&mut app).unwrap_or(cmds);
    (app, cmds)
}

/// A supervisor's list of every open case, opened from the dashboard; `None`
/// for the other roles, whose queue is their first screen.
pub(crate) fn open_cases(app: &mut App) -> Option<Vec<Command>> {
    matches!(app.screen(), Screen::Dashboard(_))
        .then(|| update(app, key(KeyCode::Char('v'), KeyModifiers::NONE)))
}

/// The feed brings one event about `case`.
pub(crate) fn feed_event(
    app: &mut App,
    seq: u64,
    kind: pb::FeedKind,
    case: pb::Case,
) -> Vec<Command> {
    feed_item(
        app,
        pb::watch_response::Item::Event(pb::FeedEvent {
            seq,
            at_ms: NOW,
            kind: kind as i32,
            case: Some(case),
            ..Default::default()
        }),
    )
}

pub(crate) fn feed_item(app: &mut App, item: pb::watch_response::Item) -> Vec<Command> {
    update(
        app,
        Msg::Stream {
            id: stream::FEED,
            event: StreamEvent::Item(StreamItem::Feed(Box::new(pb::WatchResponse {
                item: Some(item),
            }))),
        },
    )
}

fn list_request(r: &Request) -> &pb::ListCasesRequest {
    match &r.call {
        Call::ListCases(l) => l,
        other => panic!("not a list: {other:?}"),
    }
}

fn rows(ids: std::ops::RangeInclusive<u64>) -> Vec<pb::Case> {
    ids.map(|i| pb::Case {
        id: i,
        number: format!("1405-{i:06}"),
        ..Default::default()
    })
    .collect()
}

fn page(cases: Vec<pb::Case>, next: &str) -> Answer {
    Answer::ListCases(Ok(pb::ListCasesResponse {
        cases,
        next_page_token: next.into(),
    }))
}

fn queue(app: &App) -> &QueueScreen {
    app.screens()
        .iter()
        .find_map(|s| match s {
            Screen::Queue(q) => Some(&**q),
            _ => None,
        })
        .expect("a queue")
}

#[test]
fn each_role_asks_for_its_own_list() {
    let (_, cmds) = queue_app(pb::Role::Unit);
    let request = list_request(sent(&cmds, "list_cases"));
    assert_eq!(request.unit_id, "r03-urban_services");
    assert!(request.open_only);
    let (_, cmds) = queue_app(pb::Role::Dispatcher);
    let request = list_request(sent(&cmds, "list_cases"));
    assert_eq!(request.urgency, pb::Urgency::Urgent as i32);
    let (app, _) = queue_app(pb::Role::Supervisor);
    assert_eq!(queue(&app).list.kind, ListKind::AllOpen);
}

#[test]
fn an_unknown_role_opens_no_screen_and_says_so() {
    let mut app = App::new(settings(Lang::En), NOW);
    let cmds = session_as(
        &mut app,
        Answer::WhoAmI(Ok(pb::WhoAmIResponse {
            user: "x".into(),
            role: 42,
            ..Default::default()
        })),
    );
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(matches!(app.screen(), Screen::Starting));
    assert!(app.session.is_none(), "never guessed a role");
    let s = app.status.clone().unwrap();
    assert_eq!(s.tone, Tone::Error);
    assert!(s.text.contains("role"), "{}", s.text);
}

#[test]
fn a_queue_opens_a_case_and_goes_back() {
    let (mut app, cmds) = queue_app(pb::Role::Supervisor);
    let first = sent(&cmds, "list_cases").clone();
    answer(&mut app, &first, page(rows(1..=3), ""));
    press(&mut app, KeyCode::Down);
    update(&mut app, key(KeyCode::Char('j'), KeyModifiers::NONE));
    press(&mut app, KeyCode::Down);
    let cmds = press(&mut app, KeyCode::Enter);
    let get = sent(&cmds, "get_case").clone();
    assert_eq!(
        get.call,
        Call::GetCase(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(3))
        })
    );
    let Screen::Detail(d) = app.screen() else {
        panic!("the case is open")
    };
    assert_eq!(d.case, Loadable::Loading);
    assert_eq!(app.key_contexts(), ["detail", "list"]);
    answer(
        &mut app,
        &get,
        Answer::GetCase(Ok(pb::Case {
            id: 3,
            number: "1405-000003".into(),
            ..Default::default()
        })),
    );
    let Screen::Detail(d) = app.screen() else {
        unreachable!()
    };
    assert!(matches!(&d.case, Loadable::Loaded(c) if c.id == 3));
    // Nothing is read on the clock: no screen polls.
    let cmds = update(&mut app, Msg::Tick(NOW + 60_000));
    assert!(sends(&cmds).is_empty(), "{cmds:?}");
    // The feed says the case moved: the open case is read again, and the
    // list under it takes the row as the feed has it, without a request.
    let moved = pb::Case {
        id: 3,
        number: "1405-000003".into(),
        status: pb::CaseStatus::Acknowledged as i32,
        ..Default::default()
    };
    let cmds = feed_event(&mut app, 7, pb::FeedKind::CaseMoved, moved);
    assert_eq!(sends(&cmds).len(), 1, "{cmds:?}");
    sent(&cmds, "get_case");
    assert_eq!(
        queue(&app)
            .list
            .rows
            .iter()
            .find(|c| c.id == 3)
            .map(|c| c.status),
        Some(pb::CaseStatus::Acknowledged as i32)
    );
    // Back on the list, it is read again: the case may have moved.
    let cmds = press(&mut app, KeyCode::Esc);
    let again = sent(&cmds, "list_cases").clone();
    assert!(matches!(app.screen(), Screen::Queue(_)));
    answer(&mut app, &again, page(rows(1..=3), ""));
    assert_eq!(queue(&app).list.selected, 2);
    // The clock alone reads nothing again.
    let cmds = update(&mut app, Msg::Tick(NOW + 120_000));
    assert!(sends(&cmds).is_empty(), "{cmds:?}");
}

#[test]
fn a_late_page_never_lands_on_a_refreshed_list() {
    let (mut app, cmds) = queue_app(pb::Role::Supervisor);
    let first = sent(&cmds, "list_cases").clone();
    answer(&mut app, &first, page(rows(1..=2), "p2"));
    // At the end of the list the next page is asked for...
    let cmds = update(&mut app, key(KeyCode::Char('G'), KeyModifiers::SHIFT));
    let next = sent(&cmds, "list_cases").clone();
    assert_eq!(list_request(&next).page_token, "p2");
    // ...then the list is refreshed before that page comes.
    let cmds = update(&mut app, key(KeyCode::Char('r'), KeyModifiers::NONE));
    let fresh = sent(&cmds, "list_cases").clone();
    assert!(fresh.ticket.generation > next.ticket.generation);
    answer(&mut app, &fresh, page(rows(10..=11), ""));
    // The old list's page arrives late: it changes nothing.
    answer(&mut app, &next, page(rows(3..=4), ""));
    let ids: Vec<u64> = queue(&app).list.rows.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![10, 11]);
    assert!(!queue(&app).list.loading);
    // So does a first page asked for before the refresh.
    answer(&mut app, &first, page(rows(1..=2), "p2"));
    let ids: Vec<u64> = queue(&app).list.rows.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![10, 11]);
}

#[test]
fn a_key_bound_in_the_queues_own_table_works_there_only() {
    let mut s = settings(Lang::Fa);
    s.keymap = Keymap::with_user("mine.toml", "[queue]\n\"w\" = \"accept\"\n").unwrap();
    let mut app = App::new(s, NOW);
    session_as(&mut app, who("supervisor1", pb::Role::Supervisor, ""));
    let cmds = open_cases(&mut app).expect("the dashboard first");
    let first = sent(&cmds, "list_cases").clone();
    answer(&mut app, &first, page(rows(1..=2), ""));
    let cmds = update(&mut app, key(KeyCode::Char('w'), KeyModifiers::NONE));
    sent(&cmds, "get_case");
    assert!(matches!(app.screen(), Screen::Detail(_)));
    // On the case itself "w" does nothing.
    assert!(update(&mut app, key(KeyCode::Char('w'), KeyModifiers::NONE)).is_empty());
}

fn health(app: &mut App, event: StreamEvent) -> Vec<Command> {
    update(
        app,
        Msg::Stream {
            id: stream::HEALTH,
            event,
        },
    )
}

#[test]
fn the_health_watch_drives_the_connection_shown() {
    let mut app = agent_app(Lang::En);
    health(
        &mut app,
        StreamEvent::Item(StreamItem::Health(Serving::Serving)),
    );
    assert_eq!(app.connection, Connection::Connected);
    assert_eq!(app.serving, Some(Serving::Serving));
    let lost = RpcError {
        code: tonic::Code::Unavailable,
        message: "connection refused".into(),
        fault: None,
    };
    health(
        &mut app,
        StreamEvent::Reconnecting {
            error: lost,
            attempt: 1,
            retry_ms: 500,
        },
    );
    assert_eq!(app.connection, Connection::Disconnected);
    assert_eq!(app.serving, None);
    assert_eq!(
        app.status.clone().unwrap().text,
        "no connection to the server"
    );
    // The watch is back: the screen fetches what it missed.
    let cmds = health(
        &mut app,
        StreamEvent::Item(StreamItem::Health(Serving::Serving)),
    );
    assert_eq!(app.connection, Connection::Connected);
    assert_eq!(app.status.clone().unwrap().text, "connected again");
    sent(&cmds, "list_cases");
    health(
        &mut app,
        StreamEvent::Item(StreamItem::Health(Serving::NotServing)),
    );
    assert_eq!(app.serving, Some(Serving::NotServing));
}

#[test]
fn the_deadline_preview_uses_the_servers_service_levels() {
    let mut app = App::new(settings(Lang::En), NOW);
    app.start();
    app.catalog = shipped();
    let policy = SlaPolicy {
        first_response_hours: 48,
        on_site_hours: 1,
        result_hours: 12,
        ..SlaPolicy::default()
    };
    session_as(
        &mut app,
        Answer::WhoAmI(Ok(pb::WhoAmIResponse {
            sla: Some((&policy).into()),
            user: "agent1".into(),
            role: pb::Role::Agent as i32,
            ..Default::default()
        })),
    );
    assert_eq!(app.sla, Some(policy));
    // A normal executive topic: the first response is due in the server's
    // 48 hours, not the default 120.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "سد مع");
    press(&mut app, KeyCode::Enter);
    assert_eq!(form(&app).kind(&app.catalog), Some(Kind::Executive));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 45)).unwrap();
    terminal.draw(|f| crate::ui::draw(f, &app)).unwrap();
    let screen = terminal.backend().to_string();
    let hour = desk137_domain::clock::HOUR_MS;
    let due = |h: i64| crate::timefmt::datetime(NOW + h * hour, Calendar::Jalali, Lang::En);
    assert!(screen.contains(&due(48)), "{screen}");
    assert!(!screen.contains(&due(120)), "{screen}");

    // A Shahrban caller's first response comes in half the time, as the
    // server will give it.
    let phone = "09131234567";
    app.screens
        .iter_mut()
        .find_map(|s| match s {
            crate::app::screens::Screen::Intake(i) => Some(i),
            _ => None,
        })
        .unwrap()
        .form
        .history = crate::app::intake::History {
        phone: Some(phone.into()),
        state: Some(crate::app::intake::Loadable::Loaded(
            pb::CallerHistoryResponse {
                shahrban: true,
                ..Default::default()
            },
        )),
    };
    terminal.draw(|f| crate::ui::draw(f, &app)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains(&due(24)), "{screen}");
    assert!(!screen.contains(&due(48)), "{screen}");
}

#[test]
fn a_portal_token_gets_no_staff_screen_and_is_told_why() {
    for lang in [Lang::En, Lang::Fa] {
        // The server refuses the portal every staff call, WhoAmI too.
        let mut app = App::new(settings(lang), NOW);
        let refused = tonic::Status::permission_denied("role portal may not call WhoAmI");
        let cmds = session_as(
            &mut app,
            Answer::WhoAmI(Err(crate::app::msg::RpcError::from_status(&refused))),
        );
        assert!(cmds.is_empty(), "{cmds:?}");
        assert!(matches!(app.screen(), Screen::Starting));
        assert!(app.session.is_none());
        let s = app.status.clone().unwrap();
        assert_eq!(
            (s.tone, s.text.as_str()),
            (Tone::Error, lang.no_staff_screen())
        );

        // A server that answered with the role all the same opens nothing.
        let mut app = App::new(settings(lang), NOW);
        let cmds = session_as(
            &mut app,
            Answer::WhoAmI(Ok(pb::WhoAmIResponse {
                user: "portal1".into(),
                role: pb::Role::Portal.into(),
                ..Default::default()
            })),
        );
        assert!(cmds.is_empty(), "{cmds:?}");
        assert!(matches!(app.screen(), Screen::Starting));
        assert!(app.session.is_none());
        assert_eq!(app.status.clone().unwrap().text, lang.no_staff_screen());
    }
}
