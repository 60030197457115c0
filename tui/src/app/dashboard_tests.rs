//! The supervisors' live screen and the feed, through `update`: the figures
//! from a snapshot, the feed's events on top of them, the drill into a row
//! and back, and the feed's breaks.

use super::tests::{
    NOW, answer, feed_event, feed_item, key, sends, sent, session_as, settings, who,
};
use super::*;
use crate::app::catalog::tests::shipped;
use crate::app::feed::{FeedState, SILENCE_MS};
use crate::app::screens::DashboardScreen;
use crate::app::screens::dashboard::{AlertKind, BacklogSort, Panel, SNAPSHOT_EVERY_MS};
use crossterm::event::{KeyCode, KeyModifiers};
use desk137_domain::clock::HOUR_MS;

pub(crate) fn urgent_case(id: u64, unit: &str, region: u32, minutes_left: i64) -> pb::Case {
    let created = NOW - 2 * HOUR_MS + minutes_left * 60_000;
    pb::Case {
        id,
        number: format!("1405-{id:06}"),
        urgency: pb::Urgency::Urgent as i32,
        kind: pb::Kind::Executive as i32,
        status: pb::CaseStatus::Referred as i32,
        topic_id: String::new(),
        region,
        unit_id: unit.into(),
        created_at_ms: created,
        created_by: "agent3".into(),
        clocks: vec![
            pb::CaseClock {
                clock: pb::SlaClock::OnSite as i32,
                started_at_ms: created,
                due_ms: created + 2 * HOUR_MS,
                breached: minutes_left < 0,
                ..Default::default()
            },
            pb::CaseClock {
                clock: pb::SlaClock::Result as i32,
                started_at_ms: created,
                due_ms: created + 24 * HOUR_MS,
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

/// The figures of a busy morning, consistent with `seq`.
pub(crate) fn board(seq: u64) -> pb::Dashboard {
    let status = |s: pb::CaseStatus, count| pb::StatusCount {
        status: s as i32,
        count,
    };
    pb::Dashboard {
        seq,
        at_ms: NOW,
        open_by_status: vec![
            status(pb::CaseStatus::Registered, 12),
            status(pb::CaseStatus::Referred, 803),
            status(pb::CaseStatus::Acknowledged, 311),
            status(pb::CaseStatus::InProgress, 158),
        ],
        urgent_open: 17,
        urgent_warned: 3,
        urgent_breached: 1,
        breaches_today: 4,
        intake_per_hour: vec![
            2, 1, 0, 0, 1, 3, 9, 24, 61, 88, 97, 103, 90, 72, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
        units: vec![
            pb::UnitBacklog {
                unit_id: "r03-urban_services".into(),
                open: 143,
                overdue: 9,
                urgent_open: 4,
            },
            pb::UnitBacklog {
                unit_id: "r08-green_space".into(),
                open: 81,
                overdue: 12,
                urgent_open: 0,
            },
            pb::UnitBacklog {
                unit_id: "r05-urban_services".into(),
                open: 47,
                overdue: 1,
                urgent_open: 2,
            },
        ],
        regions: vec![
            pb::RegionBacklog {
                region: 3,
                open: 201,
                overdue: 14,
            },
            pb::RegionBacklog {
                region: 5,
                open: 77,
                overdue: 3,
            },
            pb::RegionBacklog {
                region: 8,
                open: 120,
                overdue: 20,
            },
        ],
        agents_today: vec![
            pb::AgentCount {
                user: "agent1".into(),
                logged: 58,
            },
            pb::AgentCount {
                user: "agent3".into(),
                logged: 61,
            },
            pb::AgentCount {
                user: "agent7".into(),
                logged: 55,
            },
        ],
        escalations: vec![
            pb::LevelCount { level: 1, open: 6 },
            pb::LevelCount { level: 2, open: 2 },
        ],
        urgent_in_progress: vec![
            urgent_case(1201, "r07-urban_services", 7, -12),
            urgent_case(1233, "r05-urban_services", 5, 21),
            urgent_case(1240, "r02-urban_services", 2, 104),
        ],
        oldest_waiting: vec![pb::Case {
            id: 97,
            number: "1405-000097".into(),
            status: pb::CaseStatus::Referred as i32,
            urgency: pb::Urgency::Normal as i32,
            created_at_ms: NOW - 150 * HOUR_MS,
            region: 11,
            ..Default::default()
        }],
    }
}

/// A supervisor on the dashboard, its first snapshot answered.
pub(crate) fn supervisor(lang: Lang, seq: u64) -> App {
    let mut app = App::new(settings(lang), NOW);
    app.start();
    app.catalog = shipped();
    let cmds = session_as(&mut app, who("supervisor1", pb::Role::Supervisor, ""));
    let snap = sent(&cmds, "snapshot").clone();
    answer(&mut app, &snap, Answer::Snapshot(Ok(board(seq))));
    app
}

fn dash(app: &App) -> &DashboardScreen {
    match app.screen() {
        Screen::Dashboard(d) => d,
        _ => panic!("the dashboard is on top"),
    }
}

fn figures(app: &App) -> &pb::Dashboard {
    dash(app).board.as_ref().expect("figures")
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, key(code, KeyModifiers::NONE))
}

fn breach(seq: u64, case: pb::Case) -> pb::watch_response::Item {
    pb::watch_response::Item::Event(pb::FeedEvent {
        seq,
        at_ms: NOW,
        kind: pb::FeedKind::SlaBreach as i32,
        case: Some(case),
        event: Some(pb::CaseEvent {
            at_ms: NOW,
            kind: pb::EventKind::SlaBreached as i32,
            clock: pb::SlaClock::OnSite as i32,
            ..Default::default()
        }),
        ..Default::default()
    })
}

#[test]
fn a_supervisor_starts_on_the_dashboard_with_the_feed_and_a_sign_in() {
    let mut app = App::new(settings(Lang::En), NOW);
    app.start();
    let cmds = session_as(&mut app, who("supervisor1", pb::Role::Supervisor, ""));
    assert!(matches!(app.screen(), Screen::Dashboard(_)));
    assert!(cmds.contains(&Command::Subscribe {
        id: stream::FEED,
        stream: StreamSpec::Feed { after_seq: 0 },
    }));
    sent(&cmds, "sign_in");
    sent(&cmds, "snapshot");
    assert_eq!(app.key_contexts(), ["dashboard", "list"]);
    assert_eq!(app.feed.state, FeedState::Opening);
}

#[test]
fn feed_events_after_the_snapshot_show_at_once() {
    let mut app = supervisor(Lang::En, 100);
    // An event the snapshot already counts changes nothing.
    feed_event(
        &mut app,
        99,
        pb::FeedKind::CaseCreated,
        urgent_case(5, "r03-urban_services", 3, 110),
    );
    assert_eq!(figures(&app).urgent_open, 17);
    assert!(!dash(&app).stale);

    let fresh = urgent_case(1300, "r03-urban_services", 3, 110);
    let cmds = feed_event(&mut app, 101, pb::FeedKind::CaseCreated, fresh.clone());
    assert!(
        sends(&cmds).is_empty(),
        "not read again on every event: {cmds:?}"
    );
    let b = figures(&app);
    assert_eq!(b.urgent_open, 18);
    assert_eq!(b.urgent_in_progress.len(), 4);
    // 13:32 in Tehran: the hour of 13.
    assert_eq!(b.intake_per_hour[13], 73);
    assert_eq!(
        b.agents_today
            .iter()
            .find(|a| a.user == "agent3")
            .unwrap()
            .logged,
        62
    );
    assert_eq!(b.units[0].open, 144);
    assert_eq!(b.units[0].urgent_open, 5);
    let referred: u64 = b
        .open_by_status
        .iter()
        .filter(|s| s.status == pb::CaseStatus::Referred as i32)
        .map(|s| s.count)
        .sum();
    assert_eq!(referred, 804);

    feed_item(
        &mut app,
        breach(102, urgent_case(1233, "r05-urban_services", 5, -1)),
    );
    assert_eq!(figures(&app).breaches_today, 5);
    let alert = dash(&app).alerts.front().cloned().expect("an alert");
    assert_eq!(alert.number, "1405-001233");
    assert_eq!(alert.kind, AlertKind::Breach(pb::SlaClock::OnSite));

    // A closed case leaves the urgent list.
    let mut done = fresh;
    done.status = pb::CaseStatus::Closed as i32;
    feed_event(&mut app, 103, pb::FeedKind::CaseMoved, done);
    assert!(
        !figures(&app)
            .urgent_in_progress
            .iter()
            .any(|c| c.id == 1300)
    );
}

#[test]
fn a_fresh_snapshot_settles_the_counts_once_a_second_and_keeps_newer_events() {
    let mut app = supervisor(Lang::En, 100);
    feed_event(
        &mut app,
        101,
        pb::FeedKind::CaseCreated,
        urgent_case(1300, "r03-urban_services", 3, 110),
    );
    feed_item(
        &mut app,
        breach(102, urgent_case(1233, "r05-urban_services", 5, -1)),
    );
    assert!(dash(&app).stale);
    // Not before a second has passed since the last reading.
    assert!(sends(&update(&mut app, Msg::Tick(NOW + SNAPSHOT_EVERY_MS - 1))).is_empty());
    let cmds = update(&mut app, Msg::Tick(NOW + SNAPSHOT_EVERY_MS));
    let snap = sent(&cmds, "snapshot").clone();
    // Asked once, whatever more events come meanwhile.
    feed_event(
        &mut app,
        103,
        pb::FeedKind::CaseCreated,
        urgent_case(1301, "r03-urban_services", 3, 115),
    );
    assert!(sends(&update(&mut app, Msg::Tick(NOW + 3 * SNAPSHOT_EVERY_MS))).is_empty());
    // The server's figures include 101 and 102, not 103.
    let mut b = board(102);
    b.urgent_open = 18;
    b.breaches_today = 5;
    answer(&mut app, &snap, Answer::Snapshot(Ok(b)));
    assert_eq!(figures(&app).urgent_open, 19, "103 applied again on top");
    assert_eq!(figures(&app).breaches_today, 5, "102 not counted twice");
    assert!(
        figures(&app)
            .urgent_in_progress
            .iter()
            .any(|c| c.id == 1301)
    );
    assert_eq!(dash(&app).alerts.len(), 1);
    assert!(dash(&app).stale, "103's effect on counts is settled next");
    let cmds = update(&mut app, Msg::Tick(NOW + 5 * SNAPSHOT_EVERY_MS));
    let snap = sent(&cmds, "snapshot").clone();
    answer(&mut app, &snap, Answer::Snapshot(Ok(board(103))));
    assert!(!dash(&app).stale);
    assert!(sends(&update(&mut app, Msg::Tick(NOW + 9 * SNAPSHOT_EVERY_MS))).is_empty());
}

#[test]
fn any_row_drills_down_and_esc_comes_back() {
    let mut app = supervisor(Lang::En, 100);
    // The urgent case nearest its deadline opens with its timeline.
    let cmds = press(&mut app, KeyCode::Enter);
    let get = sent(&cmds, "get_case");
    assert_eq!(
        get.call,
        Call::GetCase(pb::GetCaseRequest {
            key: Some(pb::get_case_request::Key::Id(1201))
        })
    );
    assert!(matches!(app.screen(), Screen::Detail(_)));
    let cmds = press(&mut app, KeyCode::Esc);
    sent(&cmds, "snapshot");
    assert!(matches!(app.screen(), Screen::Dashboard(_)));

    // The unit with most open cases: its open cases, filtered by the server.
    press(&mut app, KeyCode::Tab);
    assert_eq!(dash(&app).focus, Panel::Units);
    let cmds = press(&mut app, KeyCode::Enter);
    let list = sent(&cmds, "list_cases");
    let Call::ListCases(req) = &list.call else {
        unreachable!()
    };
    assert_eq!(req.unit_id, "r03-urban_services");
    assert!(req.open_only);
    let Screen::Queue(q) = app.screen() else {
        panic!("the unit's cases")
    };
    assert_eq!(q.filter.unit_id.as_deref(), Some("r03-urban_services"));
    // The feed keeps the drilled list current too: another unit's case
    // does not join it, this unit's does.
    feed_event(
        &mut app,
        101,
        pb::FeedKind::CaseCreated,
        urgent_case(1300, "r05-urban_services", 5, 100),
    );
    feed_event(
        &mut app,
        102,
        pb::FeedKind::CaseCreated,
        urgent_case(1301, "r03-urban_services", 3, 100),
    );
    let Screen::Queue(q) = app.screen() else {
        unreachable!()
    };
    assert_eq!(q.list.rows.iter().map(|c| c.id).collect::<Vec<_>>(), [1301]);
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen(), Screen::Dashboard(_)));
    // ...and the dashboard, under it, took both.
    assert!(
        figures(&app)
            .urgent_in_progress
            .iter()
            .any(|c| c.id == 1300)
    );

    // An agent's cases today; an escalation level's cases.
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    assert_eq!(dash(&app).focus, Panel::Agents);
    let cmds = press(&mut app, KeyCode::Enter);
    let Call::ListCases(req) = &sent(&cmds, "list_cases").call else {
        unreachable!()
    };
    assert_eq!(req.created_by, "agent3", "the busiest agent first");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let Screen::Queue(q) = app.screen() else {
        panic!("the level's cases")
    };
    assert_eq!(q.filter.level, Some(2));
}

#[test]
fn the_backlog_sorts_by_open_overdue_or_name() {
    let mut app = supervisor(Lang::En, 100);
    let order = |app: &App| -> Vec<u32> { dash(app).regions().iter().map(|r| r.region).collect() };
    assert_eq!(dash(&app).sort, BacklogSort::Open);
    assert_eq!(order(&app), [3, 8, 5]);
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(order(&app), [8, 3, 5]);
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(order(&app), [3, 5, 8]);
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(dash(&app).sort, BacklogSort::Open);
}

#[test]
fn the_list_of_every_open_case_is_one_key_away() {
    let mut app = supervisor(Lang::En, 100);
    let cmds = press(&mut app, KeyCode::Char('v'));
    sent(&cmds, "list_cases");
    let Screen::Queue(q) = app.screen() else {
        panic!("the open cases")
    };
    assert!(q.filter.is_empty());
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen(), Screen::Dashboard(_)));
}

#[test]
fn a_break_shows_reconnecting_and_nothing_is_applied_twice() {
    let mut app = supervisor(Lang::En, 100);
    feed_item(
        &mut app,
        pb::watch_response::Item::Heartbeat(pb::Heartbeat {
            seq: 100,
            at_ms: NOW,
        }),
    );
    assert_eq!(app.feed.state, FeedState::Live);
    feed_item(
        &mut app,
        breach(101, urgent_case(1233, "r05-urban_services", 5, -1)),
    );
    let cmds = update(
        &mut app,
        Msg::Stream {
            id: stream::FEED,
            event: StreamEvent::Reconnecting {
                error: RpcError {
                    code: tonic::Code::ResourceExhausted,
                    message: "too slow".into(),
                    fault: None,
                },
                attempt: 1,
                retry_ms: 500,
            },
        },
    );
    assert!(
        cmds.is_empty(),
        "the client task resumes by itself: {cmds:?}"
    );
    assert_eq!(app.feed.state, FeedState::Reconnecting);
    assert_eq!(app.feed.last_seq, 101);
    // The resumed stream repeats nothing the client keeps; were 101 sent
    // again, it would still count once.
    feed_item(
        &mut app,
        breach(101, urgent_case(1233, "r05-urban_services", 5, -1)),
    );
    assert_eq!(dash(&app).alerts.len(), 1);
    assert_eq!(figures(&app).breaches_today, 5);
    feed_item(
        &mut app,
        breach(102, urgent_case(1201, "r07-urban_services", 7, -30)),
    );
    assert_eq!(dash(&app).alerts.len(), 2);
    assert_eq!(app.feed.state, FeedState::Live);
}

#[test]
fn a_silent_feed_reads_as_reconnecting() {
    let mut app = supervisor(Lang::En, 100);
    feed_item(
        &mut app,
        pb::watch_response::Item::Heartbeat(pb::Heartbeat {
            seq: 100,
            at_ms: NOW,
        }),
    );
    update(&mut app, Msg::Tick(NOW + SILENCE_MS));
    assert_eq!(app.feed.state, FeedState::Live);
    update(&mut app, Msg::Tick(NOW + SILENCE_MS + 1_000));
    assert_eq!(app.feed.state, FeedState::Reconnecting);
}

#[test]
fn a_resync_reads_every_screen_again() {
    let mut app = supervisor(Lang::En, 100);
    press(&mut app, KeyCode::Char('v'));
    let cmds = feed_item(
        &mut app,
        pb::watch_response::Item::Resync(pb::Resync {
            seq: 500,
            cases: vec![urgent_case(1, "r03-urban_services", 3, 50)],
            last: true,
        }),
    );
    sent(&cmds, "snapshot");
    sent(&cmds, "list_cases");
    assert_eq!(app.feed.last_seq, 500);
}

#[test]
fn a_unit_queue_takes_its_own_cases_from_the_feed_only() {
    let mut app = App::new(settings(Lang::Fa), NOW);
    app.catalog = shipped();
    let cmds = session_as(&mut app, who("unit1", pb::Role::Unit, "r03-urban_services"));
    let list = sent(&cmds, "list_cases").clone();
    answer(
        &mut app,
        &list,
        Answer::ListCases(Ok(pb::ListCasesResponse::default())),
    );
    feed_event(
        &mut app,
        1,
        pb::FeedKind::CaseCreated,
        urgent_case(7, "r03-urban_services", 3, 100),
    );
    feed_event(
        &mut app,
        2,
        pb::FeedKind::CaseCreated,
        urgent_case(8, "r04-urban_services", 4, 100),
    );
    let Screen::Queue(q) = app.screen() else {
        panic!("the unit's queue")
    };
    assert_eq!(q.list.rows.iter().map(|c| c.id).collect::<Vec<_>>(), [7]);
    // Rejected: out of the open queue.
    let mut gone = urgent_case(7, "r03-urban_services", 3, 100);
    gone.status = pb::CaseStatus::Rejected as i32;
    feed_event(&mut app, 3, pb::FeedKind::CaseMoved, gone);
    let Screen::Queue(q) = app.screen() else {
        unreachable!()
    };
    assert!(q.list.rows.is_empty());
}

#[test]
fn an_agents_recent_cases_follow_the_feed() {
    let mut app = super::tests::agent_app(Lang::Fa);
    let mut mine = urgent_case(9, "r03-urban_services", 3, 100);
    mine.created_by = "agent1".into();
    feed_event(&mut app, 1, pb::FeedKind::CaseCreated, mine);
    feed_event(
        &mut app,
        2,
        pb::FeedKind::CaseCreated,
        urgent_case(10, "r03-urban_services", 3, 100),
    );
    let Screen::Intake(s) = app.screen() else {
        panic!("the intake screen")
    };
    assert_eq!(s.recent.rows.iter().map(|c| c.id).collect::<Vec<_>>(), [9]);
}

#[test]
fn a_new_demo_user_watches_the_feed_from_the_start() {
    let mut app = supervisor(Lang::En, 100);
    app.demo_user = Some("supervisor1".into());
    feed_event(
        &mut app,
        150,
        pb::FeedKind::CaseCreated,
        urgent_case(1, "r03-urban_services", 3, 50),
    );
    let cmds = update(&mut app, key(KeyCode::F(6), KeyModifiers::NONE));
    // The event loop closes the old user's feed with its switch.
    assert_eq!(cmds[0], Command::SwitchUser("admin1".into()));
    assert_eq!(app.feed.last_seq, 0);
    let who_req = sent(&cmds, "who_am_i").clone();
    let cmds = answer(&mut app, &who_req, who("admin1", pb::Role::Admin, ""));
    assert!(cmds.contains(&Command::Subscribe {
        id: stream::FEED,
        stream: StreamSpec::Feed { after_seq: 0 },
    }));
}

/// The topic of a case, by its Persian title in the shipped catalog.
fn topic(app: &App, title: &str) -> String {
    app.catalog
        .topics
        .iter()
        .find(|t| t.title_fa == title)
        .map(|t| t.id.clone())
        .unwrap_or_default()
}

/// The dashboard as a supervisor sees it mid-morning: figures, topics, two
/// alerts from the feed, the feed live.
fn busy(lang: Lang) -> App {
    let mut app = App::new(settings(lang), NOW);
    app.start();
    app.catalog = shipped();
    let cmds = session_as(&mut app, who("supervisor1", pb::Role::Supervisor, ""));
    let snap = sent(&cmds, "snapshot").clone();
    let mut b = board(18_230);
    let titles = ["خطر سقوط اشیا", "فرونشست زمین", "آب‌گرفتگی معابر"];
    for (c, t) in b.urgent_in_progress.iter_mut().zip(titles) {
        c.topic_id = topic(&app, t);
    }
    b.urgent_in_progress[0].escalation_level = 1;
    b.oldest_waiting[0].topic_id = topic(&app, "سد معبر");
    answer(&mut app, &snap, Answer::Snapshot(Ok(b)));
    feed_item(
        &mut app,
        pb::watch_response::Item::Heartbeat(pb::Heartbeat {
            seq: 18_230,
            at_ms: NOW,
        }),
    );
    let mut late = urgent_case(1201, "r07-urban_services", 7, -12);
    late.topic_id = topic(&app, "خطر سقوط اشیا");
    feed_item(&mut app, breach(18_231, late.clone()));
    feed_item(
        &mut app,
        pb::watch_response::Item::Event(pb::FeedEvent {
            seq: 18_234,
            at_ms: NOW,
            kind: pb::FeedKind::Escalation as i32,
            case: Some(late),
            event: Some(pb::CaseEvent {
                at_ms: NOW,
                kind: pb::EventKind::Escalated as i32,
                level: 1,
                recipient: "مدیر منطقه".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
    );
    app
}

fn render(app: &App, w: u16, h: u16) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("a terminal");
    terminal.draw(|f| crate::ui::draw(f, app)).expect("a frame");
    terminal.backend().to_string()
}

#[test]
fn dashboard_80x24_and_200x60() {
    let app = busy(Lang::Fa);
    let small = render(&app, 80, 24);
    // Everything that matters first is on the small screen too.
    for part in ["باز ۱٬۲۸۴", "۱۴۰۵-۰۰۱۲۰۱", "زنده"] {
        let part = part.replace("۱۴۰۵-۰۰۱۲۰۱", "1405-001201");
        assert!(small.contains(&part), "{part} missing:\n{small}");
    }
    insta::assert_snapshot!("dashboard_80x24", small);
    let wall = render(&app, 200, 60);
    for p in Panel::ALL {
        assert!(wall.contains(Lang::Fa.panel(p)), "{p:?} on the wall screen");
    }
    insta::assert_snapshot!("dashboard_200x60", wall);
}

#[test]
fn dashboard_english_200x60() {
    insta::assert_snapshot!("dashboard_english_200x60", render(&busy(Lang::En), 200, 60));
}

#[test]
fn dashboard_reconnecting_80x24() {
    let mut app = busy(Lang::En);
    press(&mut app, KeyCode::Tab);
    update(
        &mut app,
        Msg::Stream {
            id: stream::FEED,
            event: StreamEvent::Ended { retry_ms: 500 },
        },
    );
    let screen = render(&app, 80, 24);
    assert!(screen.contains("reconnecting"), "{screen}");
    insta::assert_snapshot!("dashboard_reconnecting_80x24", screen);
}
